/*
 * suid-driver - a stand-in for su or sudo in tests/test_setuid.sh: a program
 * that the test makes setuid root and runs as an unprivileged user, so that
 * it starts with AT_SECURE and the user's environment, resource limits and
 * real ids, exactly like a setuid program that calls the core.  A test tool:
 * never installed, and never to be left setuid outside a test's directory.
 *
 *   suid-driver [-A] [-M] [-d] [-H HELPER] -c CONFIG [TOKEN]
 *
 *   -A         print "AT_SECURE=N ruid=U euid=E" on stderr first
 *   -M         after verifying, print "libcurl: mapped" or "libcurl: not
 *              mapped" on stderr: whether libcurl was ever loaded into this
 *              process (read from /proc/self/maps; the core never unloads it)
 *   -d         the core's debug lines too
 *   -H HELPER  the fetch helper (hooks.fetch_helper) instead of the
 *              installed jwt-auth
 *   -c CONFIG  the configuration file
 *   TOKEN      the token; without it, one token read from stdin
 *
 * The core's log lines go to stderr, one a line.  Exit status as jwt-auth
 * verify: 0 valid, 1 rejected, 2 usage or configuration error, 3 keys
 * unavailable.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "jwtc.h"

#define EXIT_VALID 0
#define EXIT_REJECTED 1
#define EXIT_USAGE 2
#define EXIT_UNAVAILABLE 3
#define MAX_TOKEN 65536          /* bytes read from stdin, at most */
#define MAX_MAPS_LINE 4096

static const char usage_text[] =
    "usage: suid-driver [-A] [-M] [-d] [-H HELPER] -c CONFIG [TOKEN]\n";

struct driver_args {
	const char *config;
	const char *helper;
	const char *token;
	bool show_secure;
	bool show_maps;
	bool debug;
};

static void
log_sink(void *arg, int priority, const char *msg)
{
	(void)arg;
	if (msg != NULL)
		fprintf(stderr, "<%d> %s\n", priority, msg);
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

static int
parse_args(int argc, char **argv, struct driver_args *da)
{
	int ch;

	memset(da, 0, sizeof(*da));
	opterr = 0;
	while ((ch = getopt(argc, argv, "+AMdH:c:")) != -1) {
		switch (ch) {
		case 'A':
			da->show_secure = true;
			break;
		case 'M':
			da->show_maps = true;
			break;
		case 'd':
			da->debug = true;
			break;
		case 'H':
			da->helper = optarg;
			break;
		case 'c':
			da->config = optarg;
			break;
		default:
			return -1;
		}
	}
	if (da->config == NULL || argc - optind > 1)
		return -1;
	if (argc - optind == 1)
		da->token = argv[optind];
	return 0;
}

/* One token from stdin, trailing newlines removed; NULL when it is empty,
 * too long or unreadable.  Caller wipes and frees. */
static char *
read_token(size_t *lenp)
{
	char *buf = NULL, *ret = NULL;
	size_t n;

	buf = malloc(MAX_TOKEN + 1);
	if (buf == NULL)
		goto out;
	n = fread(buf, 1, MAX_TOKEN + 1, stdin);
	if (ferror(stdin) || n > MAX_TOKEN)
		goto out;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (n == 0)
		goto out;
	buf[n] = '\0';
	*lenp = n;
	ret = buf;
	buf = NULL;
out:
	if (buf != NULL) {
		OPENSSL_cleanse(buf, MAX_TOKEN + 1);
		free(buf);
	}
	return ret;
}

/* 1: a libcurl is mapped into this process, 0: none is, -1: unknown. */
static int
libcurl_mapped(void)
{
	char line[MAX_MAPS_LINE];
	FILE *f;
	int found = 0;

	f = fopen("/proc/self/maps", "re");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, "/libcurl") != NULL)
			found = 1;
	if (ferror(f))
		found = -1;
	fclose(f);
	return found;
}

static void
report_maps(void)
{
	switch (libcurl_mapped()) {
	case 0:
		fputs("libcurl: not mapped\n", stderr);
		break;
	case 1:
		fputs("libcurl: mapped\n", stderr);
		break;
	default:
		fputs("libcurl: unknown (cannot read /proc/self/maps)\n",
		    stderr);
		break;
	}
}

int
main(int argc, char **argv)
{
	struct driver_args da;
	jwtc_config *cfg = NULL;
	jwtc_ctx *ctx = NULL;
	jwtc_result *res = NULL;
	jwtc_error err;
	jwtc_hooks hooks;
	jwtc_rc rc;
	char *input = NULL;
	const char *token;
	size_t len = 0;
	int ret = EXIT_USAGE;

	if (parse_args(argc, argv, &da) != 0) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (da.show_secure)
		fprintf(stderr, "AT_SECURE=%lu ruid=%ld euid=%ld\n",
		    getauxval(AT_SECURE), (long)getuid(), (long)geteuid());
	token = da.token;
	if (token != NULL) {
		len = strlen(token);
	} else {
		input = read_token(&len);
		if (input == NULL) {
			fputs("suid-driver: no token on stdin\n", stderr);
			goto out;
		}
		token = input;
	}

	memset(&err, 0, sizeof(err));
	memset(&hooks, 0, sizeof(hooks));
	hooks.log = log_sink;
	hooks.debug = da.debug;
	hooks.dry_run = 1;
	hooks.fetch_helper = da.helper;
	rc = jwtc_config_load(da.config, &cfg, &err);
	if (rc == JWTC_OK) {
		rc = jwtc_ctx_new(cfg, NULL, &hooks, &ctx, &err);
		cfg = NULL;	/* taken over by the context */
	}
	if (rc == JWTC_OK)
		rc = jwtc_verify(ctx, token, len, NULL, &res, &err);
	if (rc != JWTC_OK)
		fprintf(stderr, "suid-driver: %s\n",
		    err.msg[0] != '\0' ? err.msg : jwtc_rc_str(rc));
	else
		fprintf(stderr, "suid-driver: valid, section %s\n",
		    jwtc_result_section(res));
	if (da.show_maps)
		report_maps();
	ret = exit_code(rc);
out:
	jwtc_result_free(res);
	jwtc_ctx_free(ctx);
	jwtc_config_free(cfg);
	if (input != NULL) {
		OPENSSL_cleanse(input, len);
		free(input);
	}
	return ret;
}
