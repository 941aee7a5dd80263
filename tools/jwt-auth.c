/*
 * jwt-auth - check a token from the command line exactly as the PAM module
 * and the SASL plugin do.
 *
 *   jwt-auth verify [-d] [-c FILE] [-i NAME]... [-u USER] [TOKEN]
 *   jwt-auth fetch [-d] [-c FILE] [NAME]...
 *   jwt-auth status [-c FILE]
 *   jwt-auth --help | --version
 *
 * Exit status: 0 valid, 1 rejected, 2 usage, configuration or internal
 * error, 3 keys unavailable.  The token itself is never printed.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jwtc.h"

#ifndef JWTC_SYSCONFDIR
#define JWTC_SYSCONFDIR "/etc"
#endif

#define PROG "jwt-auth"
#define DEFAULT_CONFIG JWTC_SYSCONFDIR "/jwt-auth.conf"

/* Exit codes of SPEC.md. */
#define EXIT_VALID 0
#define EXIT_REJECTED 1
#define EXIT_USAGE 2
#define EXIT_UNAVAILABLE 3

/*
 * The largest max_token_size a configuration may set is 65536 bytes.
 * Reading two bytes more keeps a "\r\n" ending of a token of that size,
 * and anything longer still reaches the core over its limit, which then
 * refuses it as too large before any parsing.
 */
#define TOKEN_READ_MAX (65536 + 2)

/* Bounds on the arguments. */
#define MAX_ISSUER_ARGS 64     /* -i given at most this many times */
#define MAX_NAME_LEN 256       /* one -i section name */
#define MAX_USER_LEN 256       /* -u */

struct verify_args {
	const char *config;
	const char *issuers[MAX_ISSUER_ARGS];
	size_t n_issuers;
	const char *user;
	const char *token;       /* NULL: read standard input */
	int debug;
};

/* State of the log sink: how many lines it printed. */
struct log_state {
	int debug;
	int max_priority;        /* print lines up to this priority */
	unsigned long printed;
};

/* Set when this process started with AT_SECURE (run by a setuid program
 * as the fetch helper) and cleared its environment: the core may then
 * fetch in-process. */
static int env_cleared;

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: " PROG " verify [-d] [-c FILE] [-i NAME]... [-u USER] [TOKEN]\n"
	    "       " PROG " fetch [-d] [-c FILE] [NAME]...\n"
	    "       " PROG " status [-c FILE]\n"
	    "       " PROG " --help | --version\n"
	    "\n"
	    "verify  check one token as the PAM module and the SASL plugin do.\n"
	    "        The token is read from standard input (one trailing newline\n"
	    "        dropped) unless given as TOKEN, which other local users can\n"
	    "        see in ps.  On success the token's issuer section, user and\n"
	    "        claims are printed as one JSON object on standard output.\n"
	    "        The core's log line for the outcome (user, section, kid, jti\n"
	    "        or fingerprint, and the reason of a refusal) goes to standard\n"
	    "        error; the token itself is never printed.  A jti is never\n"
	    "        recorded.\n"
	    "\n"
	    "  -c FILE  configuration file (default " DEFAULT_CONFIG ")\n"
	    "  -i NAME  trust only the issuer section NAME; may be repeated\n"
	    "           (default: every section of the file)\n"
	    "  -u USER  the token's user must be USER\n"
	    "  -d       also print the core's debug lines on standard error\n"
	    "\n"
	    "Options come before TOKEN.  Exit status: 0 valid, 1 rejected,\n"
	    "2 usage, configuration or internal error (also out of memory),\n"
	    "3 keys unavailable (try again later).\n"
	    "\n"
	    "fetch   refresh the cached keys of each section (or of each NAME)\n"
	    "        now, whatever their freshness: for a timer.  One line per\n"
	    "        section on standard output; failures on standard error.\n"
	    "        Exit status: 0 all fetched or static, 2 usage or\n"
	    "        configuration error, 3 some could not be fetched.\n"
	    "\n"
	    "status  show each section's key source, key ids, fetch times and\n"
	    "        last failure, from the cache; never fetches.  Exit status\n"
	    "        0, or 2 on a usage or configuration error.\n");
}

/* Print one line on standard error with control characters replaced, so
 * that nothing quoted in it can forge another line. */
static void
print_line(const char *msg)
{
	const unsigned char *p;

	fputs(PROG ": ", stderr);
	for (p = (const unsigned char *)msg; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fputc('?', stderr);
		else
			fputc(*p, stderr);
	}
	fputc('\n', stderr);
}

static void usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* One line for a usage error, pointing at --help. */
static void
usage_error(const char *fmt, ...)
{
	char buf[512];
	size_t n;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (r < 0)
		buf[0] = '\0';
	n = strlen(buf);
	snprintf(buf + n, sizeof(buf) - n, " (see %s --help)", PROG);
	print_line(buf);
}

static void
log_sink(void *arg, int priority, const char *msg)
{
	struct log_state *ls = arg;

	if (msg == NULL)
		return;
	if (priority > ls->max_priority && !ls->debug)
		return;
	print_line(msg);
	if (priority <= ls->max_priority)
		ls->printed++;
}

static int
exit_code(jwtc_rc rc)
{
	switch (jwtc_rc_class(rc)) {
	case JWTC_CLASS_OK:
		return EXIT_VALID;
	case JWTC_CLASS_REJECTED:
		return EXIT_REJECTED;
	case JWTC_CLASS_UNAVAILABLE:
		return EXIT_UNAVAILABLE;
	case JWTC_CLASS_CONFIG:
	case JWTC_CLASS_NO_MEMORY:
	case JWTC_CLASS_INTERNAL:
		return EXIT_USAGE;
	}
	return EXIT_USAGE;	/* unknown class: never success */
}

/* Report a failure of the core: its message, or its static name when it
 * left no message. */
static int
fail(const jwtc_error *err, jwtc_rc rc)
{
	if (err->msg[0] != '\0')
		print_line(err->msg);
	else
		print_line(jwtc_rc_str(rc));
	return exit_code(rc);
}

/* A section name as SPEC.md allows: letters, digits, '.', '_', '-'. */
static bool
valid_section_name(const char *s)
{
	size_t i, len = strlen(s);

	if (len == 0 || len > MAX_NAME_LEN)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static bool
valid_user(const char *s)
{
	size_t i, len = strlen(s);

	if (len == 0 || len > MAX_USER_LEN)
		return false;
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	}
	return true;
}

/* One option of "verify" with its argument.  Returns -1 to go on, or an
 * exit code. */
static int
take_option(int ch, const char *arg, struct verify_args *va)
{
	switch (ch) {
	case 'c':
		if (arg[0] == '\0') {
			usage_error("-c: empty file name");
			return EXIT_USAGE;
		}
		va->config = arg;
		return -1;
	case 'd':
		va->debug = 1;
		return -1;
	case 'i':
		if (!valid_section_name(arg)) {
			usage_error("-i: bad section name \"%s\"", arg);
			return EXIT_USAGE;
		}
		if (va->n_issuers >= MAX_ISSUER_ARGS) {
			usage_error("too many -i options (at most %d)",
			    MAX_ISSUER_ARGS);
			return EXIT_USAGE;
		}
		va->issuers[va->n_issuers++] = arg;
		return -1;
	case 'u':
		if (!valid_user(arg)) {
			usage_error("-u: bad user name");
			return EXIT_USAGE;
		}
		va->user = arg;
		return -1;
	case 'h':
		usage(stdout);
		return fflush(stdout) == EOF ? EXIT_USAGE : EXIT_VALID;
	default:
		usage_error("unknown option");	/* not reached */
		return EXIT_USAGE;
	}
}

/* Parse the arguments of "verify" (argv[0] is "verify").  Returns -1 to go
 * on, or an exit code. */
static int
parse_verify_args(int argc, char **argv, struct verify_args *va)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char optname[3] = { '-', '?', '\0' };
	int ch, ret;

	memset(va, 0, sizeof(*va));
	va->config = DEFAULT_CONFIG;
	opterr = 0;
	optind = 1;
	for (;;) {
		/* '+': stop at the first non-option (the token), as POSIX
		 * says; ':': report a missing argument as ':'. */
		ch = getopt_long(argc, argv, "+:c:di:u:h", longopts, NULL);
		if (ch == -1)
			break;
		if (ch == ':') {
			optname[1] = (char)optopt;
			usage_error("option %s needs an argument", optname);
			return EXIT_USAGE;
		}
		if (ch == '?') {
			if (optopt != 0) {
				optname[1] = (char)optopt;
				usage_error("unknown option %s", optname);
			} else {
				usage_error("unknown option %s",
				    argv[optind - 1]);
			}
			return EXIT_USAGE;
		}
		ret = take_option(ch, optarg, va);
		if (ret >= 0)
			return ret;
	}
	if (argc - optind > 1) {
		usage_error("at most one token may be given");
		return EXIT_USAGE;
	}
	if (argc - optind == 1)
		va->token = argv[optind];
	return -1;
}

/* "a,b,c" from the -i names, or NULL when there are none.  *out is set
 * only on success. */
static jwtc_rc
join_issuers(const struct verify_args *va, char **out)
{
	size_t i, len = 0, pos = 0;
	char *s;

	*out = NULL;
	if (va->n_issuers == 0)
		return JWTC_OK;
	/* each name is at most MAX_NAME_LEN bytes: no overflow here */
	for (i = 0; i < va->n_issuers; i++)
		len += strlen(va->issuers[i]) + 1;
	s = malloc(len);
	if (s == NULL)
		return JWTC_ERR_NO_MEMORY;
	for (i = 0; i < va->n_issuers; i++) {
		size_t n = strlen(va->issuers[i]);

		if (i > 0)
			s[pos++] = ',';
		memcpy(s + pos, va->issuers[i], n);
		pos += n;
	}
	s[pos] = '\0';
	*out = s;
	return JWTC_OK;
}

static void
wipe(void *p, size_t len)
{
	if (p != NULL)
		explicit_bzero(p, len);
}

/*
 * Read the token from standard input: at most TOKEN_READ_MAX bytes, one
 * trailing "\n" (or "\r\n") dropped.  A NUL byte is refused.  On success
 * *buf (TOKEN_READ_MAX + 1 bytes, NUL-terminated) and *len are set.
 * Returns an exit code, or -1 on success.
 */
static int
read_token(char **buf, size_t *len)
{
	char *b;
	size_t n = 0;
	ssize_t r;
	int ret = EXIT_USAGE;

	*buf = NULL;
	*len = 0;
	b = calloc(1, TOKEN_READ_MAX + 1);
	if (b == NULL) {
		print_line("out of memory");
		goto out;
	}
	while (n < TOKEN_READ_MAX) {
		r = read(STDIN_FILENO, b + n, TOKEN_READ_MAX - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, PROG ": cannot read the token from "
			    "standard input: %s\n", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (memchr(b, '\0', n) != NULL) {
		print_line("token refused: malformed (NUL byte in the input)");
		ret = EXIT_REJECTED;
		goto out;
	}
	if (n > 0 && b[n - 1] == '\n') {
		n--;
		if (n > 0 && b[n - 1] == '\r')
			n--;
		b[n] = '\0';
	}
	*buf = b;
	*len = n;
	b = NULL;
	ret = -1;
out:
	if (b != NULL) {
		wipe(b, TOKEN_READ_MAX + 1);
		free(b);
	}
	return ret;
}

static int
print_result(const jwtc_result *res)
{
	char *json;
	int ret = EXIT_USAGE;

	json = jwtc_result_json(res);
	if (json == NULL) {
		print_line("out of memory");
		goto out;
	}
	if (fputs(json, stdout) == EOF || fputc('\n', stdout) == EOF ||
	    fflush(stdout) == EOF) {
		fprintf(stderr, PROG ": cannot write the result: %s\n",
		    strerror(errno));
		goto out;
	}
	ret = EXIT_VALID;
out:
	free(json);
	return ret;
}

static int
cmd_verify(int argc, char **argv)
{
	struct verify_args va;
	struct log_state ls = { 0, JWTC_LOG_INFO, 0 };
	jwtc_hooks hooks;
	jwtc_error err;
	jwtc_config *cfg = NULL;
	jwtc_ctx *ctx = NULL;
	jwtc_result *res = NULL;
	char *issuers = NULL, *input = NULL;
	const char *token;
	size_t len;
	jwtc_rc rc;
	int ret;

	memset(&err, 0, sizeof(err));
	ret = parse_verify_args(argc, argv, &va);
	if (ret >= 0)
		goto out;
	ret = EXIT_USAGE;

	ls.debug = va.debug;
	memset(&hooks, 0, sizeof(hooks));
	hooks.log = log_sink;
	hooks.log_arg = &ls;
	hooks.debug = va.debug;
	hooks.dry_run = 1;             /* verify never records a jti */
	hooks.env_cleared = env_cleared;

	rc = join_issuers(&va, &issuers);
	if (rc != JWTC_OK) {
		print_line("out of memory");
		goto out;
	}
	rc = jwtc_config_load(va.config, &cfg, &err);
	if (rc != JWTC_OK) {
		ret = fail(&err, rc);
		goto out;
	}
	/* the context takes the configuration over, also on failure */
	rc = jwtc_ctx_new(cfg, issuers, &hooks, &ctx, &err);
	cfg = NULL;
	if (rc != JWTC_OK) {
		ret = fail(&err, rc);
		goto out;
	}

	if (va.token != NULL) {
		token = va.token;
		len = strlen(token);
	} else {
		ret = read_token(&input, &len);
		if (ret >= 0)
			goto out;
		token = input;
	}

	/* The core logs one line for the outcome; say why only if it did not. */
	ls.printed = 0;
	memset(&err, 0, sizeof(err));
	rc = jwtc_verify(ctx, token, len, va.user, &res, &err);
	if (rc != JWTC_OK) {
		if (ls.printed == 0)
			ret = fail(&err, rc);
		else
			ret = exit_code(rc);
		goto out;
	}
	ret = print_result(res);
out:
	jwtc_result_free(res);
	jwtc_ctx_free(ctx);
	jwtc_config_free(cfg);
	free(issuers);
	if (input != NULL) {
		wipe(input, TOKEN_READ_MAX + 1);
		free(input);
	}
	return ret;
}

/* Arguments of fetch and status: [-d] [-c FILE] [NAME]... */
struct admin_args {
	const char *config;
	int debug;
	int due;                 /* fetch --due: JWTC_FETCH_STALE or _KID */
	char **names;
	int n_names;
};

static int
parse_admin_args(int argc, char **argv, bool names_ok, struct admin_args *aa)
{
	int ch, i;

	memset(aa, 0, sizeof(*aa));
	aa->config = DEFAULT_CONFIG;
	aa->due = JWTC_FETCH_FORCE;
	/* "fetch --due stale|kid": how the modules run this program as the
	 * fetch helper of a setuid process; the usual rules then apply
	 * (freshness, back-off, kid_refetch_interval). */
	if (names_ok && argc >= 3 && strcmp(argv[1], "--due") == 0) {
		if (strcmp(argv[2], "stale") == 0) {
			aa->due = JWTC_FETCH_STALE;
		} else if (strcmp(argv[2], "kid") == 0) {
			aa->due = JWTC_FETCH_KID;
		} else {
			usage_error("--due takes stale or kid");
			return EXIT_USAGE;
		}
		argv[2] = argv[0];
		argc -= 2;
		argv += 2;
	}
	opterr = 0;
	optind = 1;
	while ((ch = getopt(argc, argv, "+:c:dh")) != -1) {
		switch (ch) {
		case 'c':
			if (optarg[0] == '\0') {
				usage_error("-c: empty file name");
				return EXIT_USAGE;
			}
			aa->config = optarg;
			break;
		case 'd':
			aa->debug = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_VALID;
		case ':':
			usage_error("option -%c needs an argument", optopt);
			return EXIT_USAGE;
		default:
			usage_error("unknown option -%c", optopt);
			return EXIT_USAGE;
		}
	}
	aa->names = argv + optind;
	aa->n_names = argc - optind;
	if (!names_ok && aa->n_names > 0) {
		usage_error("%s takes no section names", argv[0]);
		return EXIT_USAGE;
	}
	for (i = 0; i < aa->n_names; i++) {
		if (!valid_section_name(aa->names[i])) {
			usage_error("bad section name \"%s\"", aa->names[i]);
			return EXIT_USAGE;
		}
	}
	return -1;
}

/* A context that trusts the one section name (each section gets its own:
 * sections that share an issuer may not be trusted together). */
static jwtc_rc
section_ctx(const char *config, const char *name, jwtc_hooks *hooks,
    jwtc_ctx **ctx, jwtc_error *err)
{
	jwtc_config *cfg = NULL;
	jwtc_rc rc;

	rc = jwtc_config_load(config, &cfg, err);
	if (rc != JWTC_OK)
		return rc;
	return jwtc_ctx_new(cfg, name, hooks, ctx, err);
}

/* The section names to act on: those given, or every one of the file. */
static int
admin_sections(const struct admin_args *aa, char ***names, size_t *n)
{
	jwtc_config *cfg = NULL;
	jwtc_error err;
	jwtc_rc rc;
	size_t i, count;
	char **v;

	memset(&err, 0, sizeof(err));
	rc = jwtc_config_load(aa->config, &cfg, &err);
	if (rc != JWTC_OK)
		return fail(&err, rc);
	count = aa->n_names > 0 ? (size_t)aa->n_names : jwtc_config_count(cfg);
	v = calloc(count + 1, sizeof(*v));
	for (i = 0; v != NULL && i < count; i++) {
		v[i] = strdup(aa->n_names > 0 ? aa->names[i] :
		    jwtc_config_section(cfg, i));
		if (v[i] == NULL)
			break;
	}
	jwtc_config_free(cfg);
	if (v == NULL || i < count) {
		for (i = 0; v != NULL && v[i] != NULL; i++)
			free(v[i]);
		free(v);
		print_line("out of memory");
		return EXIT_USAGE;
	}
	*names = v;
	*n = count;
	return -1;
}

static void
free_names(char **v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

static int
cmd_fetch(int argc, char **argv)
{
	struct admin_args aa;
	struct log_state ls = { 0, JWTC_LOG_WARNING, 0 };
	jwtc_hooks hooks;
	jwtc_error err;
	jwtc_ctx *ctx = NULL;
	char **names = NULL, summary[256];
	size_t n = 0, i;
	int ret, worst = EXIT_VALID;
	jwtc_rc rc;

	ret = parse_admin_args(argc, argv, true, &aa);
	if (ret >= 0)
		return ret;
	ret = admin_sections(&aa, &names, &n);
	if (ret >= 0)
		return ret;
	ls.debug = aa.debug;
	memset(&hooks, 0, sizeof(hooks));
	hooks.log = log_sink;
	hooks.log_arg = &ls;
	hooks.debug = aa.debug;
	hooks.dry_run = 1;
	hooks.env_cleared = env_cleared;
	for (i = 0; i < n; i++) {
		memset(&err, 0, sizeof(err));
		rc = section_ctx(aa.config, names[i], &hooks, &ctx, &err);
		if (rc == JWTC_OK)
			rc = jwtc_fetch(ctx, names[i], aa.due, summary,
			    sizeof(summary),
			    &err);
		jwtc_ctx_free(ctx);
		ctx = NULL;
		if (rc == JWTC_OK) {
			printf("%s: %s\n", names[i], summary);
			continue;
		}
		if (jwtc_rc_class(rc) == JWTC_CLASS_UNAVAILABLE) {
			char line[JWTC_ERRMSG_MAX + 300];

			snprintf(line, sizeof(line), "%s: fetch failed: %s",
			    names[i], err.msg);
			print_line(line);
			if (worst == EXIT_VALID)
				worst = EXIT_UNAVAILABLE;
		} else {
			(void)fail(&err, rc);
			worst = EXIT_USAGE;
		}
	}
	free_names(names, n);
	if (fflush(stdout) == EOF)
		return EXIT_USAGE;
	return worst;
}

static int
cmd_status(int argc, char **argv)
{
	struct admin_args aa;
	struct log_state ls = { 0, JWTC_LOG_WARNING, 0 };
	jwtc_hooks hooks;
	jwtc_error err;
	jwtc_ctx *ctx = NULL;
	char **names = NULL, *text;
	size_t n = 0, i;
	int ret = EXIT_VALID;
	jwtc_rc rc;

	ret = parse_admin_args(argc, argv, false, &aa);
	if (ret >= 0)
		return ret;
	ret = admin_sections(&aa, &names, &n);
	if (ret >= 0)
		return ret;
	ret = EXIT_VALID;
	ls.debug = aa.debug;
	memset(&hooks, 0, sizeof(hooks));
	hooks.log = log_sink;
	hooks.log_arg = &ls;
	hooks.dry_run = 1;
	for (i = 0; i < n; i++) {
		memset(&err, 0, sizeof(err));
		rc = section_ctx(aa.config, names[i], &hooks, &ctx, &err);
		if (rc != JWTC_OK) {
			ret = fail(&err, rc);
			break;
		}
		text = jwtc_status_text(ctx, names[i]);
		jwtc_ctx_free(ctx);
		ctx = NULL;
		if (text == NULL) {
			print_line("out of memory");
			ret = EXIT_USAGE;
			break;
		}
		printf("%ssection %s\n%s", i > 0 ? "\n" : "", names[i], text);
		free(text);
	}
	free_names(names, n);
	if (fflush(stdout) == EOF)
		return EXIT_USAGE;
	return ret;
}

/*
 * Run by a setuid program (su, sudo) as its fetch helper, this process
 * still carries what the user set up: real ids the user may signal, a
 * signal mask, resource limits that would make the fetch fail and put the
 * whole host into back-off, a umask.  Take all of that back before
 * anything else runs.
 */
static int
harden_helper(void)
{
	/* each limit, the value wanted and the least the fetch can run on */
	static const struct {
		int res;
		rlim_t want, least;
	} limits[] = {
		{ RLIMIT_NOFILE, 4096, 64 },
		{ RLIMIT_FSIZE, RLIM_INFINITY, 16 * 1024 * 1024 },
		{ RLIMIT_CPU, RLIM_INFINITY, 120 },
		{ RLIMIT_AS, RLIM_INFINITY, 1024UL * 1024 * 1024 },
		{ RLIMIT_DATA, RLIM_INFINITY, 1024UL * 1024 * 1024 },
		{ RLIMIT_STACK, 8 * 1024 * 1024, 1024 * 1024 },
	};
	struct rlimit rl;
	struct sigaction sa;
	sigset_t none;
	size_t i;
	int sig;

	if (setresgid(getegid(), getegid(), getegid()) != 0 ||
	    setresuid(geteuid(), geteuid(), geteuid()) != 0)
		return -1;
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) != 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)sigaction(sig, &sa, NULL);
	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		/* raise soft and hard where this process may; else the soft
		 * limit up to the hard one, which must leave enough */
		rl.rlim_cur = rl.rlim_max = limits[i].want;
		if (setrlimit(limits[i].res, &rl) == 0)
			continue;
		if (getrlimit(limits[i].res, &rl) != 0)
			return -1;
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(limits[i].res, &rl) != 0 ||
		    (rl.rlim_cur != RLIM_INFINITY &&
		    rl.rlim_cur < limits[i].least))
			return -1;
	}
	rl.rlim_cur = rl.rlim_max = 0;
	(void)setrlimit(RLIMIT_CORE, &rl);
	umask(022);
	if (chdir("/") != 0)
		return -1;
	/* the lock wait and the fetch are bounded; this bounds the rest */
	alarm(150);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2) {
		usage_error("no command given");
		return EXIT_USAGE;
	}
	/* Started by a setuid program (su, sudo) to fetch keys for it: the
	 * environment is the user's, and libcurl reads some of it. */
	if (getauxval(AT_SECURE) != 0) {
		if (clearenv() != 0 || harden_helper() != 0)
			return EXIT_USAGE;
		env_cleared = 1;
	}
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return fflush(stdout) == EOF ? EXIT_USAGE : EXIT_VALID;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		printf(PROG " %s\n", jwtc_version());
		return fflush(stdout) == EOF ? EXIT_USAGE : EXIT_VALID;
	}
	if (strcmp(cmd, "verify") == 0)
		return cmd_verify(argc - 1, argv + 1);
	if (strcmp(cmd, "fetch") == 0)
		return cmd_fetch(argc - 1, argv + 1);
	if (strcmp(cmd, "status") == 0)
		return cmd_status(argc - 1, argv + 1);
	if (cmd[0] == '-')
		usage_error("unknown option %s", cmd);
	else
		usage_error("unknown command \"%s\"", cmd);
	return EXIT_USAGE;
}
