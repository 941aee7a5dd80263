/*
 * test_pam.c - pam_jwt.so through the real libpam, under pam_wrapper, with
 * libpamtest and cmocka.
 *
 * Run by tests/test_pam.sh in two steps, because pam_wrapper copies the
 * service directory when it is loaded:
 *   test_pam setup DIR   keys, JWKS, configuration and service files in DIR
 *                        (service files name the built module by its
 *                        absolute path, $JWT_AUTH_PAM_MODULE);
 *   test_pam run DIR     the tests, with LD_PRELOAD=libpam_wrapper.so,
 *                        PAM_WRAPPER=1, PAM_WRAPPER_SERVICE_DIR=DIR/svc and
 *                        PAM_WRAPPER_DEBUGLEVEL=2.
 *
 * pam_wrapper writes every pam_syslog line to standard error as
 * "PWRAP_...[prog (pid)] - SYSLOG(PRIO): TEXT".  Each PAM run here sends
 * standard error to a file and every case asserts the exact lines
 * ("PRIO: TEXT", '*' matching any text where a number of seconds or a
 * fingerprint varies), the PAM result, and the prompts the module sent.
 *
 * Tokens are minted relative to the real clock, which the module uses.
 */
#include "unit.h"

#include <dlfcn.h>
#include <time.h>

#include <security/pam_appl.h>
#include <libpamtest.h>

#include "mintlib.h"
#include "pam_jwt.h"

#define ISS "https://idp.test"
#define AUD "ssh"
#define MAX_PROMPTS 80
#define MAX_LINES 64

static const char *dir;          /* the directory made by setup */
static EVP_PKEY *k1, *k2, *kr;   /* k1 and kr are in the JWKS, k2 is not */
static size_t n_pos, n_neg;      /* cases run, by kind */

/* ---- setup: files and service files ---------------------------------------------- */

static char *
path_of(const char *name)
{
	char *p = unit_path(dir, name);

	if (p == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(99);
	}
	return p;
}

static void
write_or_die(const char *name, mode_t mode, const char *text)
{
	char *p = unit_write_text(dir, name, mode, text);

	if (p == NULL) {
		fprintf(stderr, "cannot write %s/%s\n", dir, name);
		exit(99);
	}
	free(p);
}

/* Append printf-formatted text to buf (at most len bytes in all). */
static void
append(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - used) {
		fprintf(stderr, "text too long\n");
		exit(99);
	}
}

/* The service files: one per stack under test.  %M is the module, %I the
 * inline issuer, %D the directory, %W the pam_wrapper test modules. */
static const struct service {
	const char *name;
	const char *text;
} services[] = {
	{ "other", "auth required pam_deny.so\n"
	    "account required pam_deny.so\n" },
	{ "jwt", "auth required %M %I\n"
	    "account [ignore=ignore success=done default=die] %M\n"
	    "account requisite pam_debug.so acct=user_unknown\n" },
	{ "jwt-debug", "auth required %M %I debug\n"
	    "account [ignore=ignore success=done default=die] %M debug\n"
	    "account requisite pam_debug.so acct=user_unknown\n" },
	{ "jwt-leeway0", "auth required %M %I leeway=0\n"
	    "account [ignore=ignore success=done default=die] %M\n"
	    "account requisite pam_debug.so acct=user_unknown\n" },
	{ "jwt-use", "auth required %W/pam_set_items.so\n"
	    "auth required %M use_first_pass %I\n" },
	{ "jwt-try", "auth required %W/pam_set_items.so\n"
	    "auth required %M try_first_pass %I\n" },
	/* pam_jwt fails ("bad"), then pam_get_items shows PAM_AUTHTOK */
	{ "jwt-next", "auth [success=ok default=bad] %M %I\n"
	    "auth required %W/pam_get_items.so\n" },
	{ "jwt-conf", "auth required %M config=%D/jwt-auth.conf\n" },
	{ "jwt-conf-other", "auth required %M config=%D/jwt-auth.conf "
	    "issuers=other\n" },
	{ "jwt-conf-inline", "auth required %M config=%D/jwt-auth.conf "
	    "issuer=https://third.test audience=" AUD " jwks_file=%D/jwks.json\n" },
	{ "jwt-groups", "auth required %M %I allowed_groups=admins,ops\n" },
	{ "jwt-scope", "auth required %M %I required_scope=ssh,login\n" },
	{ "jwt-net", "auth required %M issuer=" ISS " audience=" AUD
	    " jwks_uri=https://127.0.0.1:1/jwks cache_dir=%D/cache"
	    " http_timeout=2\n" },
	{ "jwt-broken", "auth required %M config=%D/broken.conf\n" },
	{ "jwt-noconf", "auth required %M config=%D/missing.conf\n" },
	{ "jwt-badarg", "auth required %M %I frobnicate\n" },
	{ "jwt-badkey", "auth required %M %I frobnicate=1\n" },
	{ "jwt-badval", "auth required %M %I leeway=forever\n" },
	{ "jwt-global-in-inline", "auth required %M %I max_token_size=100\n" },
	{ "jwt-bothpass", "auth required %M use_first_pass try_first_pass %I\n" },
	{ "jwt-noissuer", "auth required %M audience=" AUD
	    " jwks_file=%D/jwks.json\n" },
	{ "jwt-twice", "auth required %M config=%D/jwt-auth.conf "
	    "config=%D/jwt-auth.conf\n" },
	{ "jwt-flagval", "auth required %M %I debug=yes\n" },
	{ "jwt-export", "auth required %M %I "
	    "export_claims=sub,email,groups,x-team,note,long,missing\n" },
	{ "jwt-export-odd", "auth required %M %I "
	    "export_claims=roles,tags,nums,ls,ps,lro,pdi,nnbsp\n" },
	/* sshd's use of a handle: pam_jwt "sufficient" before a password
	 * module, auth run again on the same handle after a failure */
	{ "jwt-export-stack", "auth [success=1 default=ignore] %M %I "
	    "export_claims=email,groups\n"
	    "auth requisite %W/pam_matrix.so passdb=%D/passdb\n"
	    "auth required %W/pam_matrix.so passdb=%D/passdb\n" },
	{ "jwt-use-debug", "auth required %W/pam_set_items.so\n"
	    "auth required %M use_first_pass %I debug\n" },
	{ "jwt-prompt", "auth required %M %I [prompt=Access token please: ]\n" },
	{ "jwt-small", "auth required %M %I max_token_size=1024\n" },
	{ "jwt-rsa", "auth required %M %I algorithms=RS256\n" },
};

/* One service file, with the placeholders filled in. */
static void
write_service(const struct service *s, const char *module, const char *wmods)
{
	char text[4096] = "", inl[1024] = "", name[256];
	const char *p;

	append(inl, sizeof(inl), "issuer=%s audience=%s jwks_file=%s/jwks.json",
	    ISS, AUD, dir);
	for (p = s->text; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == 'M')
			append(text, sizeof(text), "%s", module);
		else if (p[0] == '%' && p[1] == 'I')
			append(text, sizeof(text), "%s", inl);
		else if (p[0] == '%' && p[1] == 'D')
			append(text, sizeof(text), "%s", dir);
		else if (p[0] == '%' && p[1] == 'W')
			append(text, sizeof(text), "%s", wmods);
		else {
			append(text, sizeof(text), "%c", *p);
			continue;
		}
		p++;
	}
	(void)snprintf(name, sizeof(name), "svc/%s", s->name);
	write_or_die(name, 0644, text);
}

static void
save_key(EVP_PKEY *key, const char *name)
{
	char *p = path_of(name);

	if (key == NULL || mint_key_save(key, p) != 0) {
		fprintf(stderr, "cannot make or save %s\n", p);
		exit(99);
	}
	free(p);
}

static int
do_setup(void)
{
	const char *module = getenv("JWT_AUTH_PAM_MODULE");
	const char *wmods = getenv("PAM_WRAPPER_MODULES");
	char conf[2048] = "";
	mint_jwks_entry e[2];
	char *jwks, *p;
	size_t i;

	if (module == NULL || module[0] != '/' || wmods == NULL ||
	    wmods[0] != '/') {
		fprintf(stderr, "setup needs JWT_AUTH_PAM_MODULE and "
		    "PAM_WRAPPER_MODULES (absolute paths)\n");
		return 99;
	}
	k1 = mint_key_gen("ec256");
	k2 = mint_key_gen("ec256");
	kr = mint_key_gen("rsa2048");
	save_key(k1, "k1.pem");
	save_key(k2, "k2.pem");
	save_key(kr, "kr.pem");
	memset(e, 0, sizeof(e));
	e[0].key = k1;
	e[0].opts.kid = "k1";
	e[1].key = kr;
	e[1].opts.kid = "r1";
	jwks = mint_jwks(e, 2);
	if (jwks == NULL)
		return 99;
	write_or_die("jwks.json", 0644, jwks);
	mint_free(jwks);

	append(conf, sizeof(conf), "# two issuers\n[issuer corp]\n"
	    "issuer = " ISS "\naudience = " AUD "\njwks_file = %s/jwks.json\n\n"
	    "[issuer other]\nissuer = https://other.test\naudience = " AUD
	    "\njwks_file = %s/jwks.json\n", dir, dir);
	write_or_die("jwt-auth.conf", 0644, conf);
	write_or_die("broken.conf", 0644, "[issuer corp]\n"
	    "issuer = " ISS "\njwks_file = /nonexistent/jwks.json\n");
	/* pam_matrix: user:password:service */
	write_or_die("passdb", 0600, "alice:secret:jwt-export-stack\n");

	p = path_of("cache");
	if (mkdir(p, 0755) != 0)
		return 99;
	free(p);
	p = path_of("svc");
	if (mkdir(p, 0755) != 0)
		return 99;
	free(p);
	for (i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		write_service(&services[i], module, wmods);
	mint_key_free(k1);
	mint_key_free(k2);
	mint_key_free(kr);
	return 0;
}

/* ---- tokens ----------------------------------------------------------------------- */

static long long
now(void)
{
	return (long long)time(NULL);
}

/* A token signed with key (ES256, or RS256 for kr) naming kid, of the
 * claims given as printf text. */
static char *
tok(EVP_PKEY *key, const char *kid, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static char *
tok(EVP_PKEY *key, const char *kid, const char *fmt, ...)
{
	char claims[16384], hdr[128];
	va_list ap;
	char *t;

	va_start(ap, fmt);
	(void)vsnprintf(claims, sizeof(claims), fmt, ap);
	va_end(ap);
	(void)snprintf(hdr, sizeof(hdr), "{\"typ\":\"JWT\",\"kid\":\"%s\"}",
	    kid);
	t = mint_sign(key, key == kr ? "RS256" : "ES256", hdr, claims);
	assert_non_null(t);
	return t;
}

/* A good token of user sub with this jti (and extra claims, "" or
 * ",\"name\":...") from ISS. */
static char *
good(const char *sub, const char *jti, const char *extra)
{
	return tok(k1, "k1", "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
	    "\"sub\":\"%s\",\"exp\":%lld,\"jti\":\"%s\"%s}", sub, now() + 300,
	    jti, extra);
}

static char *
from_iss(const char *iss, const char *jti)
{
	return tok(k1, "k1", "{\"iss\":\"%s\",\"aud\":\"" AUD "\","
	    "\"sub\":\"alice\",\"exp\":%lld,\"jti\":\"%s\"}", iss, now() + 300,
	    jti);
}

/* A good token of user alice padded to about size bytes. */
static char *
sized(size_t size, const char *jti)
{
	char pad[16384];
	size_t n = size > 400 ? size * 3 / 4 - 150 : 1;

	assert_true(n < sizeof(pad));
	memset(pad, 'p', n);
	pad[n] = '\0';
	return tok(k1, "k1", "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
	    "\"sub\":\"alice\",\"exp\":%lld,\"jti\":\"%s\",\"pad\":\"%s\"}",
	    now() + 300, jti, pad);
}

/* ---- the conversation -------------------------------------------------------------- */

struct conv {
	const char *const *replies; /* NULL-terminated */
	size_t next;
	int fail_at;                /* prompt index answered PAM_CONV_ERR, or -1 */
	size_t n_prompts;
	char *prompts[MAX_PROMPTS];
	int styles[MAX_PROMPTS];
};

static void
conv_init(struct conv *c, const char *const *replies)
{
	memset(c, 0, sizeof(*c));
	c->replies = replies;
	c->fail_at = -1;
}

static void
conv_done(struct conv *c)
{
	size_t i;

	for (i = 0; i < c->n_prompts; i++)
		free(c->prompts[i]);
	c->n_prompts = 0;
}

static int
test_conv(int num_msg, const struct pam_message **msg,
    struct pam_response **resp, void *appdata)
{
	struct conv *c = appdata;
	struct pam_response *r;
	int i, j;

	r = calloc((size_t)num_msg, sizeof(*r));
	if (r == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < num_msg; i++) {
		int style = msg[i]->msg_style;

		if (style != PAM_PROMPT_ECHO_OFF && style != PAM_PROMPT_ECHO_ON)
			continue;       /* pam_debug's PAM_TEXT_INFO */
		if (c->n_prompts < MAX_PROMPTS) {
			c->prompts[c->n_prompts] = strdup(msg[i]->msg);
			c->styles[c->n_prompts] = style;
			c->n_prompts++;
		}
		if ((int)c->n_prompts - 1 == c->fail_at ||
		    c->replies == NULL || c->replies[c->next] == NULL)
			goto fail;
		r[i].resp = strdup(c->replies[c->next++]);
		if (r[i].resp == NULL)
			goto fail;
	}
	*resp = r;
	return PAM_SUCCESS;
fail:
	for (j = 0; j < num_msg; j++)
		free(r[j].resp);
	free(r);
	return PAM_CONV_ERR;
}

/* The prompts joined by '|', for one comparison. */
static void
assert_prompts(const struct conv *c, const char *want)
{
	char got[4096] = "";
	size_t i;

	for (i = 0; i < c->n_prompts; i++) {
		append(got, sizeof(got), "%s%s", i > 0 ? "|" : "",
		    c->prompts[i] != NULL ? c->prompts[i] : "(null)");
		assert_int_equal(c->styles[i], PAM_PROMPT_ECHO_OFF);
	}
	assert_string_equal(got, want);
}

/* ---- the log: standard error of each run --------------------------------------------- */

struct logcap {
	size_t n;
	char *lines[MAX_LINES];     /* "PRIO: TEXT" */
	char *raw;                  /* everything written, for messages */
};

static int saved_stderr = -1;

static void
capture_begin(void)
{
	char *p = path_of("stderr.log");
	int fd;

	fflush(stderr);
	saved_stderr = dup(2);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	free(p);
	assert_true(saved_stderr >= 0 && fd >= 0);
	assert_true(dup2(fd, 2) == 2);
	close(fd);
}

static void
logcap_free(struct logcap *lc)
{
	size_t i;

	for (i = 0; i < lc->n; i++)
		free(lc->lines[i]);
	free(lc->raw);
	memset(lc, 0, sizeof(*lc));
}

static void
capture_end(struct logcap *lc)
{
	char *p = path_of("stderr.log"), *line, *next, *mark, *end;
	long prio;

	fflush(stderr);
	assert_true(dup2(saved_stderr, 2) == 2);
	close(saved_stderr);
	saved_stderr = -1;
	memset(lc, 0, sizeof(*lc));
	lc->raw = unit_read_file(p, NULL);
	free(p);
	assert_non_null(lc->raw);
	for (line = lc->raw; *line != '\0'; line = next) {
		next = strchr(line, '\n');
		next = next != NULL ? next + 1 : line + strlen(line);
		mark = strstr(line, " - SYSLOG(");
		if (mark == NULL || mark >= next)
			continue;
		prio = strtol(mark + 10, &end, 10);
		if (end[0] != ')' || end[1] != ':' || end[2] != ' ')
			continue;
		assert_true(lc->n < MAX_LINES);
		lc->lines[lc->n] = strndup(end + 3, (size_t)(next - end - 3));
		assert_non_null(lc->lines[lc->n]);
		lc->lines[lc->n][strcspn(lc->lines[lc->n], "\n")] = '\0';
		/* "PRIO: TEXT" */
		{
			size_t l = strlen(lc->lines[lc->n]) + 8;
			char *s = malloc(l);

			assert_non_null(s);
			(void)snprintf(s, l, "%ld: %s", prio, lc->lines[lc->n]);
			free(lc->lines[lc->n]);
			lc->lines[lc->n] = s;
		}
		lc->n++;
	}
}

/* Whether text matches pattern, where '*' matches any run of bytes. */
static bool
glob_match(const char *pat, const char *text)
{
	const char *star = NULL, *resume = NULL;

	while (*text != '\0') {
		if (*pat == '*') {
			star = pat++;
			resume = text;
		} else if (*pat == *text) {
			pat++;
			text++;
		} else if (star != NULL) {
			pat = star + 1;
			text = ++resume;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

/*
 * The log lines must be exactly the patterns given (NULL-terminated), in
 * order; debug lines (priority 7) are skipped unless with_debug.
 */
static void
expect_lines(const struct logcap *lc, bool with_debug, const char *const *want)
{
	size_t i, k = 0;
	bool ok = true;

	for (i = 0; i < lc->n; i++) {
		if (!with_debug && strncmp(lc->lines[i], "7: ", 3) == 0)
			continue;
		if (want[k] == NULL || !glob_match(want[k], lc->lines[i])) {
			ok = false;
			break;
		}
		k++;
	}
	if (ok && want[k] != NULL)
		ok = false;
	if (!ok) {
		print_error("log lines differ.  Expected:\n");
		for (k = 0; want[k] != NULL; k++)
			print_error("  %s\n", want[k]);
		print_error("Got:\n");
		for (i = 0; i < lc->n; i++)
			print_error("  %s\n", lc->lines[i]);
		fail();
	}
}

#define LINES(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* No log line may hold the token, nor its signature. */
static void
expect_secret_kept(const struct logcap *lc, const char *token)
{
	const char *sig = token != NULL ? strrchr(token, '.') : NULL;

	if (token == NULL || strlen(token) < 16)
		return;
	assert_null(strstr(lc->raw, token));
	if (sig != NULL && strlen(sig) > 16)
		assert_null(strstr(lc->raw, sig + 1));
}

/* ---- running PAM ----------------------------------------------------------------------- */

static const char *
code_name(int rc)
{
	switch (rc) {
	case PAM_SUCCESS: return "PAM_SUCCESS";
	case PAM_AUTH_ERR: return "PAM_AUTH_ERR";
	case PAM_AUTHINFO_UNAVAIL: return "PAM_AUTHINFO_UNAVAIL";
	case PAM_SERVICE_ERR: return "PAM_SERVICE_ERR";
	case PAM_CONV_ERR: return "PAM_CONV_ERR";
	case PAM_BUF_ERR: return "PAM_BUF_ERR";
	case PAM_ACCT_EXPIRED: return "PAM_ACCT_EXPIRED";
	case PAM_USER_UNKNOWN: return "PAM_USER_UNKNOWN (pam_jwt ignored)";
	case PAM_PERM_DENIED: return "PAM_PERM_DENIED";
	case PAM_IGNORE: return "PAM_IGNORE";
	default: return "another PAM code";
	}
}

#define assert_pam(got, want) do { \
	int g_ = (got), w_ = (want); \
	if (g_ != w_) { \
		print_error("PAM result %d (%s), expected %d (%s)\n", g_, \
		    code_name(g_), w_, code_name(w_)); \
		fail(); \
	} \
} while (0)

/* Run the cases on a new handle of service with the conversation c; the
 * log goes to lc.  The results are in cases[i].op_rv. */
static void
run(const char *service, const char *user, struct conv *c,
    struct pam_testcase *cases, size_t n, pam_handle_t *ph,
    struct logcap *lc)
{
	enum pamtest_err perr;

	/* libpamtest stops at the first case whose result differs from its
	 * expected_rv (PAMTEST_ERR_CASE); the callers assert each op_rv. */
	capture_begin();
	perr = _pamtest_conv(service, user, test_conv, c, cases, n, ph);
	capture_end(lc);
	if (perr != PAMTEST_ERR_OK && perr != PAMTEST_ERR_CASE) {
		print_error("libpamtest: %s\n%s", pamtest_strerror(perr),
		    lc->raw);
		fail();
	}
}

/* pam_authenticate of service for user, replying replies; the result. */
static int
auth(const char *service, const char *user, const char *const *replies,
    struct conv *c, struct logcap *lc)
{
	struct pam_testcase cases[] = {
		pam_test(PAMTEST_AUTHENTICATE, PAM_SUCCESS),
	};

	conv_init(c, replies);
	run(service, user, c, cases, 1, NULL, lc);
	return cases[0].op_rv;
}

#define REPLIES(...) ((const char *const[]){ __VA_ARGS__, NULL })
static const char *const no_replies[] = { NULL };

/* One authentication with a reply, the result, the prompts and the log. */
static void
check_auth(const char *service, const char *user, const char *token,
    int want, const char *prompts, const char *const *lines)
{
	const char *const replies[] = { token, NULL };
	struct logcap lc;
	struct conv c;
	int rc;

	rc = auth(service, user, token != NULL ? replies : no_replies, &c, &lc);
	assert_pam(rc, want);
	assert_prompts(&c, prompts);
	expect_lines(&lc, false, lines);
	expect_secret_kept(&lc, token);
	conv_done(&c);
	logcap_free(&lc);
	if (want == PAM_SUCCESS)
		n_pos++;
	else
		n_neg++;
}

/* Environment variable name=value from an envlist, or NULL. */
static const char *
env_get(char **env, const char *name)
{
	size_t n = strlen(name);

	for (; env != NULL && *env != NULL; env++) {
		if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
			return *env + n + 1;
	}
	return NULL;
}

/* ---- unit tests of the module's helpers (the convenience library) -------------------- */

static void
test_rc_mapping(void **state)
{
	static const struct { jwtc_rc rc; int pam; } rows[] = {
		{ JWTC_OK, PAM_SUCCESS },
		{ JWTC_ERR_MALFORMED, PAM_AUTH_ERR },
		{ JWTC_ERR_TOO_LARGE, PAM_AUTH_ERR },
		{ JWTC_ERR_UNSUPPORTED, PAM_AUTH_ERR },
		{ JWTC_ERR_ALG, PAM_AUTH_ERR },
		{ JWTC_ERR_UNKNOWN_ISSUER, PAM_AUTH_ERR },
		{ JWTC_ERR_NO_KEY, PAM_AUTH_ERR },
		{ JWTC_ERR_BAD_SIGNATURE, PAM_AUTH_ERR },
		{ JWTC_ERR_EXPIRED, PAM_AUTH_ERR },
		{ JWTC_ERR_NOT_YET_VALID, PAM_AUTH_ERR },
		{ JWTC_ERR_ISSUED_IN_FUTURE, PAM_AUTH_ERR },
		{ JWTC_ERR_TOO_OLD, PAM_AUTH_ERR },
		{ JWTC_ERR_AUDIENCE, PAM_AUTH_ERR },
		{ JWTC_ERR_TOKEN_TYPE, PAM_AUTH_ERR },
		{ JWTC_ERR_CLAIM, PAM_AUTH_ERR },
		{ JWTC_ERR_GROUP, PAM_AUTH_ERR },
		{ JWTC_ERR_SCOPE, PAM_AUTH_ERR },
		{ JWTC_ERR_USER, PAM_AUTH_ERR },
		{ JWTC_ERR_USER_MISMATCH, PAM_AUTH_ERR },
		{ JWTC_ERR_REPLAY, PAM_AUTH_ERR },
		{ JWTC_ERR_KEYS_UNAVAILABLE, PAM_AUTHINFO_UNAVAIL },
		{ JWTC_ERR_CONFIG, PAM_SERVICE_ERR },
		{ JWTC_ERR_NO_MEMORY, PAM_BUF_ERR },
		{ JWTC_ERR_INTERNAL, PAM_SERVICE_ERR },
		{ JWTC_RC_COUNT, PAM_SERVICE_ERR },
	};
	size_t i;

	(void)state;
	assert_int_equal(sizeof(rows) / sizeof(rows[0]), JWTC_RC_COUNT + 1);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_pam(pjwt_pam_code(rows[i].rc), rows[i].pam);
}

static void
test_part_rule(void **state)
{
	static const struct { const char *reply; bool part; } rows[] = {
		{ "eyJhbGciOi\\", true },
		{ "abc.DEF-_09\\", true },
		{ ".\\", true },
		{ "a", false },
		{ "\\", false },                /* nothing before the '\' */
		{ "", false },
		{ "abc", false },
		{ "abc\\\\", false },           /* two '\' */
		{ "ab=c\\", false },            /* padding is not base64url */
		{ "ab+c\\", false },
		{ "ab c\\", false },
		{ "hunter2!\\", false },
		{ "abc\\ ", false },            /* '\' not last */
		{ "ab\tc\\", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (pjwt_is_part(rows[i].reply, strlen(rows[i].reply)) !=
		    rows[i].part) {
			print_error("\"%s\": expected %s\n", rows[i].reply,
			    rows[i].part ? "a part" : "not a part");
			fail();
		}
	}
	assert_false(pjwt_is_part(NULL, 0));
}

static void
test_env_helpers(void **state)
{
	char name[80], big[PJWT_MAX_ENV_VALUE + 2];
	const char *why = NULL;

	(void)state;
	assert_int_equal(pjwt_env_name("sub", name, sizeof(name)), 0);
	assert_string_equal(name, "JWT_SUB");
	assert_int_equal(pjwt_env_name("x-team.name", name, sizeof(name)), 0);
	assert_string_equal(name, "JWT_X_TEAM_NAME");
	assert_int_equal(pjwt_env_name("Email9", name, sizeof(name)), 0);
	assert_string_equal(name, "JWT_EMAIL9");
	assert_int_equal(pjwt_env_name("abcdef", name, 10), -1);
	assert_int_equal(pjwt_env_name("", name, sizeof(name)), -1);

	assert_int_equal(pjwt_env_value_ok("alice@example.com", &why), 0);
	assert_int_equal(pjwt_env_value_ok("J\xc3\xbcrgen", &why), 0);
	assert_int_equal(pjwt_env_value_ok("", &why), 0);
	assert_int_equal(pjwt_env_value_ok("a\nb", &why), -1);
	assert_string_equal(why, "holds a control character");
	assert_int_equal(pjwt_env_value_ok("a\x7f", &why), -1);
	assert_int_equal(pjwt_env_value_ok("a\xc2\x85", &why), -1); /* NEL */
	assert_int_equal(pjwt_env_value_ok("\x1b[2J", &why), -1);
	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(pjwt_env_value_ok(big, &why), -1);
	assert_string_equal(why, "longer than 1024 bytes");
	big[PJWT_MAX_ENV_VALUE] = '\0';
	assert_int_equal(pjwt_env_value_ok(big, &why), 0);
}

/* Unicode line and paragraph separators and bidirectional controls are
 * refused; the code points next to them are not. */
static void
test_env_value_unicode(void **state)
{
	static const char *const refused_sep[] = {
		"a\xe2\x80\xa8" "b",          /* U+2028 LINE SEPARATOR */
		"a\xe2\x80\xa9",             /* U+2029 PARAGRAPH SEPARATOR */
	};
	static const char *const refused_bidi[] = {
		"\xe2\x80\xaa" "abc",          /* U+202A LRE */
		"ab\xe2\x80\xab",            /* U+202B RLE */
		"ab\xe2\x80\xac" "c",          /* U+202C PDF */
		"ab\xe2\x80\xad" "c",          /* U+202D LRO */
		"admin\xe2\x80\xae" "txt.exe", /* U+202E RLO */
		"\xe2\x81\xa6" "x",            /* U+2066 LRI */
		"x\xe2\x81\xa7",             /* U+2067 RLI */
		"x\xe2\x81\xa8" "y",           /* U+2068 FSI */
		"x\xe2\x81\xa9",             /* U+2069 PDI */
	};
	static const char *const accepted[] = {
		"a\xe2\x80\xa7" "b",           /* U+2027 */
		"a\xe2\x80\xaf" "b",           /* U+202F narrow no-break space */
		"a\xe2\x81\xa5" "b",           /* U+2065 */
		"a\xe2\x81\xaa" "b",           /* U+206A */
		"\xe2\x80",                   /* a cut sequence, not one of them */
		"a\xe2\x82\xac",             /* U+20AC EURO SIGN */
	};
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refused_sep) / sizeof(refused_sep[0]); i++) {
		why = NULL;
		assert_int_equal(pjwt_env_value_ok(refused_sep[i], &why), -1);
		assert_string_equal(why, "holds a Unicode line or paragraph "
		    "separator");
	}
	for (i = 0; i < sizeof(refused_bidi) / sizeof(refused_bidi[0]); i++) {
		why = NULL;
		assert_int_equal(pjwt_env_value_ok(refused_bidi[i], &why), -1);
		assert_string_equal(why, "holds a Unicode bidirectional "
		    "control");
	}
	for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		why = NULL;
		assert_int_equal(pjwt_env_value_ok(accepted[i], &why), 0);
		assert_null(why);
	}
}

/* What starts like a JWS, and so may have its length logged. */
static void
test_looks_like_jws(void **state)
{
	/* {"alg":"ES256"} */
	static const char hdr[] = "eyJhbGciOiJFUzI1NiJ9";
	static const struct { const char *in; bool jws; } rows[] = {
		{ "eyJhbGciOiJFUzI1NiJ9.", true },
		{ "eyJhbGciOiJFUzI1NiJ9.eyJzdWIi", true },      /* cut payload */
		{ "eyJhbGciOiJFUzI1NiJ9.e30.c2ln", true },
		{ "eyJhbGciOiJFUzI1NiJ9", false },              /* no dot */
		{ "hunter2", false },
		{ "hunter2.hunter3.x", false },                 /* no header */
		{ "e30.e30.c2ln", false },                      /* {} has no alg */
		{ "eyJhbGciOjF9.e30.c2ln", false },             /* "alg":1 */
		{ "WyJhbGciXQ.e30.c2ln", false },               /* ["alg"] */
		{ ".e30.c2ln", false },
		{ "eyJhbGciOiJFUzI1NiJ9.e30 c2ln", false },     /* a space */
		{ "eyJhbGciOiJFUzI1NiJ9.e30.c2ln=", false },
		{ "", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (pjwt_looks_like_jws(rows[i].in, strlen(rows[i].in)) !=
		    rows[i].jws) {
			print_error("\"%s\": expected %s\n", rows[i].in,
			    rows[i].jws ? "a JWS start" : "no JWS start");
			fail();
		}
	}
	assert_false(pjwt_looks_like_jws(NULL, 0));
	assert_false(pjwt_looks_like_jws(hdr, 0));
}

static void
test_args(void **state)
{
	static const struct { const char *argv[4]; const char *why; } bad[] = {
		{ { "frobnicate" }, "unknown argument \"frobnicate\"" },
		{ { "debug=1" }, "argument debug takes no value" },
		{ { "config" }, "argument config needs a value (config=...)" },
		{ { "prompt=" }, "argument prompt needs a value (prompt=...)" },
		{ { "config=/a", "config=/b" }, "argument config given twice" },
		{ { "use_first_pass", "try_first_pass" },
		    "use_first_pass and try_first_pass exclude each other" },
		{ { "audience=x" }, "argument audience: configuration keys as "
		    "arguments define an inline issuer and need issuer=" },
		{ { "=x" }, "bad argument \"=x\"" },
		{ { "export_claims=a,,b" }, "argument export_claims: claim "
		    "names are 1 to 64 bytes, separated by ','" },
		{ { "export_claims=a b" }, "argument export_claims: bad "
		    "character in a claim name" },
	};
	const char *ok[] = { "debug", "config=/etc/x.conf", "issuer=https://a",
	    "audience=b,c", "prompt=T: ", "try_first_pass", "issuers=a,b",
	    "export_claims=sub,email" };
	char why[PJWT_MSG_MAX];
	pjwt_args a;
	size_t i, n;

	(void)state;
	for (i = 1; i < pjwt_args_count(); i++)
		assert_true(strcmp(pjwt_args_name(i - 1), pjwt_args_name(i)) < 0);
	assert_null(pjwt_args_name(pjwt_args_count()));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *argv[4];

		for (n = 0; n < 4 && bad[i].argv[n] != NULL; n++)
			argv[n] = bad[i].argv[n];
		why[0] = '\0';
		assert_int_equal(pjwt_args_parse((int)n, argv, &a, why,
		    sizeof(why)), -1);
		assert_string_equal(why, bad[i].why);
		n_neg++;
	}
	assert_int_equal(pjwt_args_parse(8, ok, &a, why, sizeof(why)), 0);
	assert_true(a.debug && a.try_first_pass && !a.use_first_pass);
	assert_true(a.has_issuer);
	assert_string_equal(a.config, "/etc/x.conf");
	assert_string_equal(a.prompt, "T: ");
	assert_string_equal(a.issuers, "a,b");
	assert_int_equal(a.n_settings, 2);
	assert_string_equal(a.settings[1].key, "audience");
	assert_string_equal(a.settings[1].value, "b,c");
	n_pos++;
}

/* ---- the module as a shared object ------------------------------------------------------ */

static void
test_exports(void **state)
{
	const char *module = getenv("JWT_AUTH_PAM_MODULE");
	static const char *const hidden[] = { "pjwt_authenticate",
	    "pjwt_is_part", "pjwt_args_parse", "jwtc_verify",
	    "jwtc_config_load", "jwtc_ctx_new", "jwtc_b64url_decode",
	    "pam_sm_open_session", "pam_sm_close_session",
	    "pam_sm_chauthtok" };
	void *h;
	size_t i;

	(void)state;
	assert_non_null(module);
	h = dlopen(module, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		print_error("dlopen %s: %s\n", module, dlerror());
	assert_non_null(h);
	assert_non_null(dlsym(h, "pam_sm_authenticate"));
	assert_non_null(dlsym(h, "pam_sm_setcred"));
	assert_non_null(dlsym(h, "pam_sm_acct_mgmt"));
	for (i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
		if (dlsym(h, hidden[i]) != NULL) {
			print_error("%s is exported\n", hidden[i]);
			fail();
		}
	}
	dlclose(h);
}

/* ---- authentication: where the token comes from --------------------------------------- */

static void
test_conv_ok(void **state)
{
	char *t = good("alice", "conv-ok", "");

	(void)state;
	check_auth("jwt", "alice", t, PAM_SUCCESS, "Token: ", LINES(
	    "6: accepted user=alice section=inline kid=k1 jti=conv-ok"));
	mint_free(t);
}

static void
test_conv_ok_config_file(void **state)
{
	char *t = good("alice", "conf-ok", "");

	(void)state;
	check_auth("jwt-conf", "alice", t, PAM_SUCCESS, "Token: ", LINES(
	    "6: accepted user=alice section=corp kid=k1 jti=conf-ok"));
	mint_free(t);
}

static void
test_config_plus_inline(void **state)
{
	char *t1 = from_iss("https://third.test", "third");
	char *t2 = good("alice", "corp-too", "");

	(void)state;
	check_auth("jwt-conf-inline", "alice", t1, PAM_SUCCESS, "Token: ",
	    LINES("6: accepted user=alice section=inline kid=k1 jti=third"));
	check_auth("jwt-conf-inline", "alice", t2, PAM_SUCCESS, "Token: ",
	    LINES("6: accepted user=alice section=corp kid=k1 jti=corp-too"));
	mint_free(t1);
	mint_free(t2);
}

static void
test_issuers_restrict(void **state)
{
	char *t1 = good("alice", "not-trusted", "");
	char *t2 = from_iss("https://other.test", "other-ok");

	(void)state;
	check_auth("jwt-conf-other", "alice", t1, PAM_AUTH_ERR, "Token: ",
	    LINES("5: refused user=- section=- kid=k1 jti=not-trusted: iss "
	    "\"" ISS "\" is not the issuer of a trusted section"));
	check_auth("jwt-conf-other", "alice", t2, PAM_SUCCESS, "Token: ",
	    LINES("6: accepted user=alice section=other kid=k1 jti=other-ok"));
	mint_free(t1);
	mint_free(t2);
}

/* Authenticate with PAM_AUTHTOK set by pam_set_items before pam_jwt. */
static int
auth_authtok(const char *service, const char *authtok,
    const char *const *replies, struct conv *c, struct logcap *lc)
{
	int rc;

	if (authtok != NULL)
		assert_int_equal(setenv("PAM_AUTHTOK", authtok, 1), 0);
	else
		assert_int_equal(unsetenv("PAM_AUTHTOK"), 0);
	rc = auth(service, "alice", replies, c, lc);
	assert_int_equal(unsetenv("PAM_AUTHTOK"), 0);
	return rc;
}

static void
test_use_first_pass(void **state)
{
	char *t = good("alice", "use-ok", "");
	struct logcap lc;
	struct conv c;

	(void)state;
	assert_pam(auth_authtok("jwt-use", t, no_replies, &c, &lc),
	    PAM_SUCCESS);
	assert_prompts(&c, "");
	expect_lines(&lc, false, LINES(
	    "6: accepted user=alice section=inline kid=k1 jti=use-ok"));
	expect_secret_kept(&lc, t);
	conv_done(&c);
	logcap_free(&lc);
	n_pos++;
	mint_free(t);
}

static void
test_use_first_pass_none(void **state)
{
	struct logcap lc;
	struct conv c;

	(void)state;
	assert_pam(auth_authtok("jwt-use", NULL, no_replies, &c, &lc),
	    PAM_AUTH_ERR);
	assert_prompts(&c, "");
	expect_lines(&lc, false, LINES("5: refused: use_first_pass, and no "
	    "PAM_AUTHTOK from an earlier module"));
	conv_done(&c);
	logcap_free(&lc);
	n_neg++;
}

static void
test_use_first_pass_password(void **state)
{
	struct logcap lc;
	struct conv c;

	(void)state;
	/* a password in PAM_AUTHTOK: refused, and no prompt */
	assert_pam(auth_authtok("jwt-use", "hunter2", REPLIES("unused"), &c,
	    &lc), PAM_AUTH_ERR);
	assert_prompts(&c, "");
	expect_lines(&lc, false, LINES("5: refused user=- section=- kid=- "
	    "jti=-: *"));
	conv_done(&c);
	logcap_free(&lc);
	n_neg++;
}

static void
test_try_first_pass(void **state)
{
	char *t = good("alice", "try-ok", "");
	struct logcap lc;
	struct conv c;

	(void)state;
	assert_pam(auth_authtok("jwt-try", t, no_replies, &c, &lc),
	    PAM_SUCCESS);
	assert_prompts(&c, "");
	expect_lines(&lc, false, LINES(
	    "6: accepted user=alice section=inline kid=k1 jti=try-ok"));
	conv_done(&c);
	logcap_free(&lc);
	n_pos++;
	mint_free(t);
}

static void
test_try_first_pass_prompts(void **state)
{
	char *t = good("alice", "try-asked", "");
	struct logcap lc;
	struct conv c;

	(void)state;
	/* no PAM_AUTHTOK: the module asks */
	assert_pam(auth_authtok("jwt-try", NULL, REPLIES(t), &c, &lc),
	    PAM_SUCCESS);
	assert_prompts(&c, "Token: ");
	expect_lines(&lc, false, LINES(
	    "6: accepted user=alice section=inline kid=k1 jti=try-asked"));
	conv_done(&c);
	logcap_free(&lc);
	n_pos++;
	mint_free(t);
}

static void
test_try_first_pass_password(void **state)
{
	char *t = good("alice", "try-second", "");
	struct logcap lc;
	struct conv c;

	(void)state;
	/* a password in PAM_AUTHTOK is refused, then the module asks */
	assert_pam(auth_authtok("jwt-try", "hunter2", REPLIES(t), &c, &lc),
	    PAM_SUCCESS);
	assert_prompts(&c, "Token: ");
	expect_lines(&lc, false, LINES(
	    "5: refused user=- section=- kid=- jti=-: *",
	    "6: accepted user=alice section=inline kid=k1 jti=try-second"));
	conv_done(&c);
	logcap_free(&lc);
	n_pos++;
	mint_free(t);
}

static void
test_try_first_pass_both_refused(void **state)
{
	struct logcap lc;
	struct conv c;

	(void)state;
	assert_pam(auth_authtok("jwt-try", "hunter2", REPLIES("hunter3"), &c,
	    &lc), PAM_AUTH_ERR);
	assert_prompts(&c, "Token: ");
	expect_lines(&lc, false, LINES(
	    "5: refused user=- section=- kid=- jti=-: *",
	    "5: refused user=- section=- kid=- jti=-: *"));
	conv_done(&c);
	logcap_free(&lc);
	n_neg++;
}

/* ---- authentication: refusals ------------------------------------------------------------ */

static void
test_user_mismatch(void **state)
{
	char *t = good("bob", "for-bob", "");

	(void)state;
	check_auth("jwt", "alice", t, PAM_AUTH_ERR, "Token: ", LINES(
	    "5: refused user=bob section=inline kid=k1 jti=for-bob: token is "
	    "for user bob, not alice"));
	mint_free(t);
}

static void
test_expired(void **state)
{
	char *t = tok(k1, "k1", "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
	    "\"sub\":\"alice\",\"exp\":%lld,\"jti\":\"old\"}", now() - 3600);

	(void)state;
	check_auth("jwt", "alice", t, PAM_AUTH_ERR, "Token: ", LINES(
	    "5: refused user=alice section=inline kid=k1 jti=old: *expired*"));
	mint_free(t);
}

static void
test_bad_signature(void **state)
{
	/* names k1 but is signed by k2 */
	char *t = tok(k2, "k1", "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
	    "\"sub\":\"alice\",\"exp\":%lld,\"jti\":\"forged\"}", now() + 300);

	(void)state;
	check_auth("jwt", "alice", t, PAM_AUTH_ERR, "Token: ", LINES(
	    "5: refused user=alice section=inline kid=k1 jti=forged: bad ES256 "
	    "signature (1 key of issuer inline tried)"));
	mint_free(t);
}

static void
test_unknown_key(void **state)
{
	char *t = tok(k2, "k2", "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
	    "\"sub\":\"alice\",\"exp\":%lld,\"jti\":\"stranger\"}",
	    now() + 300);

	(void)state;
	check_auth("jwt", "alice", t, PAM_AUTH_ERR, "Token: ", LINES(
	    "5: refused user=alice section=inline kid=k2 jti=stranger: *k2*"));
	mint_free(t);
}

static void
test_unknown_issuer(void **state)
{
	char *t = from_iss("https://evil.test", "evil");

	(void)state;
	check_auth("jwt", "alice", t, PAM_AUTH_ERR, "Token: ", LINES(
	    "5: refused user=- section=- kid=k1 jti=evil: iss "
	    "\"https://evil.test\" is not the issuer of a trusted section"));
	mint_free(t);
}

static void
test_wrong_audience(void **state)
{
	char *t = tok(k1, "k1", "{\"iss\":\"" ISS "\",\"aud\":\"mail\","
	    "\"sub\":\"alice\",\"exp\":%lld,\"jti\":\"mail\"}", now() + 300);

	(void)state;
	check_auth("jwt", "alice", t, PAM_AUTH_ERR, "Token: ", LINES(
	    "5: refused user=alice section=inline kid=k1 jti=mail: *aud*"));
	mint_free(t);
}

static void
test_alg_not_allowed(void **state)
{
	char *t = good("alice", "es-not-rs", "");

	(void)state;
	check_auth("jwt-rsa", "alice", t, PAM_AUTH_ERR, "Token: ", LINES(
	    "5: refused user=alice section=inline kid=k1 jti=es-not-rs: alg ES256 "
	    "not allowed for issuer inline"));
	mint_free(t);
}

static void
test_groups(void **state)
{
	char *ok = good("alice", "grp-ok", ",\"groups\":[\"staff\",\"ops\"]");
	char *no = good("alice", "grp-no", ",\"groups\":[\"staff\"]");
	char *none = good("alice", "grp-none", "");

	(void)state;
	check_auth("jwt-groups", "alice", ok, PAM_SUCCESS, "Token: ", LINES(
	    "6: accepted user=alice section=inline kid=k1 jti=grp-ok"));
	check_auth("jwt-groups", "alice", no, PAM_AUTH_ERR, "Token: ", LINES(
	    "5: refused user=alice section=inline kid=k1 jti=grp-no: *"));
	check_auth("jwt-groups", "alice", none, PAM_AUTH_ERR, "Token: ", LINES(
	    "5: refused user=alice section=inline kid=k1 jti=grp-none: *"));
	mint_free(ok);
	mint_free(no);
	mint_free(none);
}

static void
test_scope(void **state)
{
	char *ok = good("alice", "scp-ok", ",\"scope\":\"openid ssh login\"");
	char *no = good("alice", "scp-no", ",\"scope\":\"openid ssh\"");
	char *arr = good("alice", "scp-arr", ",\"scp\":[\"login\"]");

	(void)state;
	check_auth("jwt-scope", "alice", ok, PAM_SUCCESS, "Token: ", LINES(
	    "6: accepted user=alice section=inline kid=k1 jti=scp-ok"));
	check_auth("jwt-scope", "alice", no, PAM_AUTH_ERR, "Token: ", LINES(
	    "5: refused user=alice section=inline kid=k1 jti=scp-no: *login*"));
	check_auth("jwt-scope", "alice", arr, PAM_AUTH_ERR, "Token: ", LINES(
	    "5: refused user=alice section=inline kid=k1 jti=scp-arr: *ssh*"));
	mint_free(ok);
	mint_free(no);
	mint_free(arr);
}

/* A password typed at the token prompt: refused, and PAM_AUTHTOK holds it
 * for the next module (pam_get_items puts it in the PAM environment). */
static void
check_next_module_sees(const char *reply)
{
	struct pam_testcase cases[] = {
		pam_test(PAMTEST_AUTHENTICATE, PAM_AUTH_ERR),
		pam_test(PAMTEST_GETENVLIST, 0),
	};
	struct logcap lc;
	struct conv c;

	conv_init(&c, REPLIES(reply));
	run("jwt-next", "alice", &c, cases, 2, NULL, &lc);
	assert_pam(cases[0].op_rv, PAM_AUTH_ERR);
	assert_prompts(&c, "Token: ");
	expect_lines(&lc, false, LINES(
	    "5: refused user=- section=- kid=- jti=-: *"));
	/* not in the log, not even as a fingerprint */
	assert_null(strstr(lc.raw, reply));
	assert_null(strstr(lc.raw, "fp:"));
	assert_non_null(env_get(cases[1].case_out.envlist, "PAM_AUTHTOK"));
	assert_string_equal(env_get(cases[1].case_out.envlist, "PAM_AUTHTOK"),
	    reply);
	pamtest_free_env(cases[1].case_out.envlist);
	conv_done(&c);
	logcap_free(&lc);
	n_neg++;
}

static void
test_password_for_next_module(void **state)
{
	(void)state;
	check_next_module_sees("hunter2");
}

static void
test_backslash_not_a_part(void **state)
{
	(void)state;
	/* ends in '\' but holds other characters: the reply, as it is */
	check_next_module_sees("pass word!\\");
	check_next_module_sees("C:\\dir\\");
}

static void
test_token_for_next_module(void **state)
{
	char *t = good("alice", "next", "");
	struct pam_testcase cases[] = {
		pam_test(PAMTEST_AUTHENTICATE, PAM_SUCCESS),
		pam_test(PAMTEST_GETENVLIST, 0),
	};
	struct logcap lc;
	struct conv c;

	(void)state;
	conv_init(&c, REPLIES(t));
	run("jwt-next", "alice", &c, cases, 2, NULL, &lc);
	assert_pam(cases[0].op_rv, PAM_SUCCESS);
	assert_string_equal(env_get(cases[1].case_out.envlist, "PAM_AUTHTOK"),
	    t);
	pamtest_free_env(cases[1].case_out.envlist);
	conv_done(&c);
	logcap_free(&lc);
	n_pos++;
	mint_free(t);
}

/* ---- every result code --------------------------------------------------------------------- */

static void
test_authinfo_unavail(void **state)
{
	char *t = good("alice", "net", "");

	(void)state;
	/* jwks_uri on a closed loopback port, nothing cached */
	check_auth("jwt-net", "alice", t, PAM_AUTHINFO_UNAVAIL, "Token: ",
	    LINES("4: section inline: key refresh failed (1 in a row, next "
	    "attempt in * s): cannot fetch from 127.0.0.1:1: *",
	    "5: refused user=alice section=inline kid=k1 jti=net: no keys of "
	    "issuer inline: cannot fetch from 127.0.0.1:1: *"));
	mint_free(t);
}

static void
service_err(const char *service, const char *line)
{
	check_auth(service, "alice", NULL, PAM_SERVICE_ERR, "",
	    (const char *const[]){ line, NULL });
}

static void
test_service_err_config(void **state)
{
	(void)state;
	service_err("jwt-broken", "3: configuration: *broken.conf*audience*");
	service_err("jwt-noconf", "3: configuration: *missing.conf*");
}

static void
test_service_err_arguments(void **state)
{
	(void)state;
	service_err("jwt-badarg", "3: bad module arguments: unknown argument "
	    "\"frobnicate\"");
	service_err("jwt-badkey", "3: configuration: argument frobnicate: "
	    "unknown key 'frobnicate'");
	service_err("jwt-badval", "3: configuration: argument leeway: *");
	service_err("jwt-global-in-inline", "3: configuration: argument "
	    "max_token_size: *");
	service_err("jwt-bothpass", "3: bad module arguments: use_first_pass "
	    "and try_first_pass exclude each other");
	service_err("jwt-noissuer", "3: bad module arguments: argument "
	    "audience: configuration keys as arguments define an inline "
	    "issuer and need issuer=");
	service_err("jwt-twice", "3: bad module arguments: argument config "
	    "given twice");
	service_err("jwt-flagval", "3: bad module arguments: argument debug "
	    "takes no value");
}

static void
test_conv_err(void **state)
{
	char *t = good("alice", "conv-err", "");
	char *p1 = strndup(t, 100), *p2 = strdup(t + 100);
	struct logcap lc;
	struct conv c;
	int rc;

	(void)state;
	assert_non_null(p1);
	assert_non_null(p2);
	/* the conversation fails at once */
	rc = auth("jwt", "alice", no_replies, &c, &lc);
	assert_pam(rc, PAM_CONV_ERR);
	assert_prompts(&c, "Token: ");
	/* the first line is libpam's */
	expect_lines(&lc, false, LINES("3: conversation failed",
	    "3: cannot read the token: conversation failed (Conversation "
	    "error)"));
	conv_done(&c);
	logcap_free(&lc);
	n_neg++;

	/* ... or at the second part */
	p1 = realloc(p1, 102);
	assert_non_null(p1);
	memcpy(p1 + 100, "\\", 2);
	conv_init(&c, REPLIES(p1, p2));
	c.fail_at = 1;
	{
		struct pam_testcase cases[] = {
			pam_test(PAMTEST_AUTHENTICATE, PAM_CONV_ERR),
		};

		run("jwt", "alice", &c, cases, 1, NULL, &lc);
		assert_pam(cases[0].op_rv, PAM_CONV_ERR);
	}
	assert_prompts(&c, "Token: |Token (part 2): ");
	expect_lines(&lc, false, LINES("3: conversation failed",
	    "3: cannot read the token: conversation failed (Conversation "
	    "error)"));
	conv_done(&c);
	logcap_free(&lc);
	n_neg++;
	free(p1);
	free(p2);
	mint_free(t);
}

static void
test_buf_err(void **state)
{
	(void)state;
	/* PAM_BUF_ERR needs an allocation to fail inside libpam's process;
	 * that is not cheap to arrange through pam_wrapper.  The mapping is
	 * checked by test_rc_mapping (JWTC_ERR_NO_MEMORY -> PAM_BUF_ERR). */
	print_message("PAM_BUF_ERR through libpam: skipped, no cheap way to "
	    "make an allocation fail; the mapping is in test_rc_mapping\n");
	skip();
}

/* ---- account ---------------------------------------------------------------------------- */

static void
test_acct_after_auth(void **state)
{
	char *t = good("alice", "acct", "");
	struct pam_testcase cases[] = {
		pam_test(PAMTEST_AUTHENTICATE, PAM_SUCCESS),
		pam_test(PAMTEST_SETCRED, PAM_SUCCESS),
		pam_test(PAMTEST_ACCOUNT, PAM_SUCCESS),
	};
	struct logcap lc;
	struct conv c;

	(void)state;
	conv_init(&c, REPLIES(t));
	run("jwt-debug", "alice", &c, cases, 3, NULL, &lc);
	assert_pam(cases[0].op_rv, PAM_SUCCESS);
	assert_pam(cases[1].op_rv, PAM_SUCCESS);
	assert_pam(cases[2].op_rv, PAM_SUCCESS);
	expect_lines(&lc, true, LINES(
	    "7: section inline: keys from jwks_file",
	    "7: 1 issuer section trusted",
	    "7: token read from the conversation: * bytes in 1 part",
	    "7: token parsed: alg ES256, section inline",
	    "7: signature verified by a key of section inline",
	    "6: accepted user=alice section=inline kid=k1 jti=acct",
	    "7: account: token of user alice valid for 3* s more"));
	expect_secret_kept(&lc, t);
	conv_done(&c);
	logcap_free(&lc);
	n_pos++;
	mint_free(t);
}

static void
test_acct_after_expiry(void **state)
{
	long long exp = now() + 2;
	char *t = tok(k1, "k1", "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
	    "\"sub\":\"alice\",\"exp\":%lld,\"jti\":\"short\"}", exp);
	struct pam_testcase first[] = {
		pam_test(PAMTEST_AUTHENTICATE, PAM_SUCCESS),
		pam_test(PAMTEST_KEEPHANDLE, 0),
	};
	struct pam_testcase then[] = {
		pam_test(PAMTEST_ACCOUNT, PAM_ACCT_EXPIRED),
	};
	struct logcap lc;
	struct conv c;

	(void)state;
	conv_init(&c, REPLIES(t));
	run("jwt-leeway0", "alice", &c, first, 2, NULL, &lc);
	assert_pam(first[0].op_rv, PAM_SUCCESS);
	assert_non_null(first[1].case_out.ph);
	logcap_free(&lc);
	/* leeway=0: expired once now >= exp */
	while (now() < exp)
		(void)usleep(200 * 1000);
	run("jwt-leeway0", "alice", &c, then, 1, first[1].case_out.ph, &lc);
	assert_pam(then[0].op_rv, PAM_ACCT_EXPIRED);
	expect_lines(&lc, false, LINES(
	    "5: account: token of user alice expired * s ago"));
	conv_done(&c);
	logcap_free(&lc);
	n_neg++;
	mint_free(t);
}

static void
test_acct_without_auth(void **state)
{
	struct pam_testcase cases[] = {
		pam_test(PAMTEST_ACCOUNT, PAM_USER_UNKNOWN),
	};
	struct logcap lc;
	struct conv c;

	(void)state;
	/* pam_jwt ignores the handle; the next line, pam_debug, answers
	 * PAM_USER_UNKNOWN, which only an ignore can reach */
	conv_init(&c, no_replies);
	run("jwt-debug", "alice", &c, cases, 1, NULL, &lc);
	assert_pam(cases[0].op_rv, PAM_USER_UNKNOWN);
	expect_lines(&lc, true, LINES("7: account: not authenticated by "
	    "pam_jwt on this handle, ignored"));
	conv_done(&c);
	logcap_free(&lc);
	n_neg++;
}

static void
test_acct_after_failed_auth(void **state)
{
	char *ok = good("alice", "first-ok", "");
	struct pam_testcase cases[] = {
		pam_test(PAMTEST_AUTHENTICATE, PAM_SUCCESS),
		pam_test(PAMTEST_AUTHENTICATE, PAM_AUTH_ERR),
		pam_test(PAMTEST_ACCOUNT, PAM_USER_UNKNOWN),
	};
	struct logcap lc;
	struct conv c;

	(void)state;
	/* a success, then a failure on the same handle: account ignores */
	conv_init(&c, REPLIES(ok, "hunter2"));
	run("jwt", "alice", &c, cases, 3, NULL, &lc);
	assert_pam(cases[0].op_rv, PAM_SUCCESS);
	assert_pam(cases[1].op_rv, PAM_AUTH_ERR);
	assert_pam(cases[2].op_rv, PAM_USER_UNKNOWN);
	conv_done(&c);
	logcap_free(&lc);
	n_neg++;
	mint_free(ok);
}

static void
test_acct_user_changed(void **state)
{
	char *t = good("alice", "then-bob", "");
	struct pam_testcase first[] = {
		pam_test(PAMTEST_AUTHENTICATE, PAM_SUCCESS),
		pam_test(PAMTEST_KEEPHANDLE, 0),
	};
	struct pam_testcase then[] = {
		pam_test(PAMTEST_ACCOUNT, PAM_USER_UNKNOWN),
	};
	struct logcap lc;
	struct conv c;

	(void)state;
	conv_init(&c, REPLIES(t));
	run("jwt", "alice", &c, first, 2, NULL, &lc);
	assert_pam(first[0].op_rv, PAM_SUCCESS);
	logcap_free(&lc);
	assert_int_equal(pam_set_item(first[1].case_out.ph, PAM_USER, "bob"),
	    PAM_SUCCESS);
	run("jwt", "alice", &c, then, 1, first[1].case_out.ph, &lc);
	assert_pam(then[0].op_rv, PAM_USER_UNKNOWN);
	expect_lines(&lc, false, LINES("5: account: PAM_USER is bob, not "
	    "alice whom pam_jwt authenticated: ignored"));
	conv_done(&c);
	logcap_free(&lc);
	n_neg++;
	mint_free(t);
}

static void
test_setcred(void **state)
{
	struct pam_testcase cases[] = {
		pam_test(PAMTEST_SETCRED, PAM_SUCCESS),
	};
	struct logcap lc;
	struct conv c;

	(void)state;
	conv_init(&c, no_replies);
	run("jwt", "alice", &c, cases, 1, NULL, &lc);
	assert_pam(cases[0].op_rv, PAM_SUCCESS);
	expect_lines(&lc, false, (const char *const[]){ NULL });
	conv_done(&c);
	logcap_free(&lc);
	n_pos++;
}

/* ---- PAM_USER set again by the application during the conversation ------------------------ */

struct user_switch {
	pam_handle_t *ph;
	const char *token;
	const char *new_user;       /* PAM_USER set to this at the prompt */
};

static int
switch_conv(int num_msg, const struct pam_message **msg,
    struct pam_response **resp, void *appdata)
{
	struct user_switch *us = appdata;
	struct pam_response *r;
	int i;

	r = calloc((size_t)num_msg, sizeof(*r));
	if (r == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < num_msg; i++) {
		if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF)
			continue;
		/* libpam wipes and frees the string it held */
		if (pam_set_item(us->ph, PAM_USER, us->new_user) != PAM_SUCCESS)
			goto fail;
		r[i].resp = strdup(us->token);
		if (r[i].resp == NULL)
			goto fail;
	}
	*resp = r;
	return PAM_SUCCESS;
fail:
	for (i = 0; i < num_msg; i++)
		free(r[i].resp);
	free(r);
	return PAM_CONV_ERR;
}

/* pam_jwt checks the token for the user it read before the conversation
 * (its own copy), and refuses when PAM_USER is no longer that user. */
static void
check_user_switch(const char *new_user, int want, const char *const *lines)
{
	char *t = good("alice", "switch", "");
	struct user_switch us = { NULL, t, new_user };
	struct pam_conv conv = { switch_conv, &us };
	const void *item = NULL;
	struct logcap lc;
	int rc;

	assert_int_equal(pam_start("jwt", "alice", &conv, &us.ph),
	    PAM_SUCCESS);
	capture_begin();
	rc = pam_authenticate(us.ph, 0);
	capture_end(&lc);
	assert_pam(rc, want);
	assert_int_equal(pam_get_item(us.ph, PAM_USER, &item), PAM_SUCCESS);
	assert_string_equal(item, new_user);
	expect_lines(&lc, false, lines);
	expect_secret_kept(&lc, t);
	(void)pam_end(us.ph, rc);
	logcap_free(&lc);
	mint_free(t);
	if (want == PAM_SUCCESS)
		n_pos++;
	else
		n_neg++;
}

static void
test_user_set_during_conv(void **state)
{
	(void)state;
	check_user_switch("bob", PAM_AUTH_ERR, LINES(
	    "6: accepted user=alice section=inline kid=k1 jti=switch",
	    "5: refused: PAM_USER changed from alice to bob while the token "
	    "was read"));
	/* set again to the same name: a new string, still alice */
	check_user_switch("alice", PAM_SUCCESS, LINES(
	    "6: accepted user=alice section=inline kid=k1 jti=switch"));
}

/* ---- export_claims --------------------------------------------------------------------------- */

static void
test_export_claims(void **state)
{
	char longv[1200];
	char extra[2048];
	char *t;
	struct pam_testcase cases[] = {
		pam_test(PAMTEST_AUTHENTICATE, PAM_SUCCESS),
		pam_test(PAMTEST_GETENVLIST, 0),
	};
	struct logcap lc;
	struct conv c;
	char **env;

	(void)state;
	memset(longv, 'l', 1100);
	longv[1100] = '\0';
	(void)snprintf(extra, sizeof(extra), ",\"email\":\"alice@example.com\","
	    "\"groups\":[\"staff\",\"ops\",\"x y\"],\"x-team\":7,"
	    "\"note\":\"line1\\nline2\",\"long\":\"%s\"", longv);
	t = good("alice", "export", extra);
	conv_init(&c, REPLIES(t));
	run("jwt-export", "alice", &c, cases, 2, NULL, &lc);
	assert_pam(cases[0].op_rv, PAM_SUCCESS);
	env = cases[1].case_out.envlist;
	assert_string_equal(env_get(env, "JWT_SUB"), "alice");
	assert_string_equal(env_get(env, "JWT_EMAIL"), "alice@example.com");
	assert_string_equal(env_get(env, "JWT_GROUPS"), "staff,ops,x y");
	assert_string_equal(env_get(env, "JWT_X_TEAM"), "7");
	assert_null(env_get(env, "JWT_NOTE"));      /* a control character */
	assert_null(env_get(env, "JWT_LONG"));      /* over 1024 bytes */
	assert_null(env_get(env, "JWT_MISSING"));   /* not in the token */
	assert_null(env_get(env, "JWT_EXP"));       /* not asked for */
	expect_lines(&lc, false, LINES(
	    "6: accepted user=alice section=inline kid=k1 jti=export",
	    "4: claim note not exported: its value holds a control character",
	    "4: claim long not exported: its value longer than 1024 bytes"));
	pamtest_free_env(env);
	conv_done(&c);
	logcap_free(&lc);
	n_pos++;
	mint_free(t);
}

/* Arrays whose elements hold ',' (ambiguous once joined), and values with
 * Unicode separators or bidirectional controls, are not exported. */
static void
test_export_ambiguous(void **state)
{
	char *t = good("alice", "export-odd", ",\"roles\":[\"a,b\",\"c\"],"
	    "\"tags\":\"x,y\",\"nums\":[1,2.5,true],"
	    "\"ls\":\"one\\u2028two\",\"ps\":\"one\\u2029two\","
	    "\"lro\":\"admin\\u202Dgpj.exe\",\"pdi\":\"x\\u2069\","
	    "\"nnbsp\":\"1\\u202Fkm\"");
	struct pam_testcase cases[] = {
		pam_test(PAMTEST_AUTHENTICATE, PAM_SUCCESS),
		pam_test(PAMTEST_GETENVLIST, 0),
	};
	struct logcap lc;
	struct conv c;
	char **env;

	(void)state;
	conv_init(&c, REPLIES(t));
	run("jwt-export-odd", "alice", &c, cases, 2, NULL, &lc);
	assert_pam(cases[0].op_rv, PAM_SUCCESS);
	env = cases[1].case_out.envlist;
	assert_null(env_get(env, "JWT_ROLES"));
	assert_string_equal(env_get(env, "JWT_TAGS"), "x,y");   /* a string */
	assert_string_equal(env_get(env, "JWT_NUMS"), "1,2.5,true");
	assert_null(env_get(env, "JWT_LS"));
	assert_null(env_get(env, "JWT_PS"));
	assert_null(env_get(env, "JWT_LRO"));
	assert_null(env_get(env, "JWT_PDI"));
	assert_string_equal(env_get(env, "JWT_NNBSP"), "1\xe2\x80\xafkm");
	expect_lines(&lc, false, LINES(
	    "6: accepted user=alice section=inline kid=k1 jti=export-odd",
	    "4: claim roles not exported: its value is an array with an "
	    "element that holds a ','",
	    "4: claim ls not exported: its value holds a Unicode line or "
	    "paragraph separator",
	    "4: claim ps not exported: its value holds a Unicode line or "
	    "paragraph separator",
	    "4: claim lro not exported: its value holds a Unicode "
	    "bidirectional control",
	    "4: claim pdi not exported: its value holds a Unicode "
	    "bidirectional control"));
	/* the warnings never show a value */
	assert_null(strstr(lc.raw, "a,b"));
	assert_null(strstr(lc.raw, "gpj"));
	pamtest_free_env(env);
	conv_done(&c);
	logcap_free(&lc);
	n_neg += 5;
	n_pos++;
	mint_free(t);
}

/*
 * auth run twice on one handle, as sshd does for keyboard-interactive:
 * pam_jwt succeeds and exports, the password module after it fails the
 * first run (its "Password: " answered "wrong"); the second run, whose
 * token prompt is answered with a password, succeeds through the password
 * module (or fails): nothing of the first token may be left in the
 * environment.
 */
static void
check_export_stale(const char *pw, int want2, const char *prompts)
{
	char *t = good("alice", "stale", ",\"email\":\"alice@example.com\","
	    "\"groups\":[\"staff\",\"ops\"]");
	struct pam_testcase cases[] = {
		pam_test(PAMTEST_AUTHENTICATE, PAM_AUTH_ERR),
		pam_test(PAMTEST_GETENVLIST, 0),
		pam_test(PAMTEST_AUTHENTICATE, want2),
		pam_test(PAMTEST_GETENVLIST, 0),
	};
	struct logcap lc;
	struct conv c;
	char **env1, **env2;

	conv_init(&c, REPLIES(t, "wrong", pw, pw, pw));
	run("jwt-export-stack", "alice", &c, cases, 4, NULL, &lc);
	assert_pam(cases[0].op_rv, PAM_AUTH_ERR);
	assert_pam(cases[2].op_rv, want2);
	assert_prompts(&c, prompts);
	env1 = cases[1].case_out.envlist;
	env2 = cases[3].case_out.envlist;
	/* the first run exported, then failed in pam_matrix */
	assert_string_equal(env_get(env1, "JWT_EMAIL"), "alice@example.com");
	assert_string_equal(env_get(env1, "JWT_GROUPS"), "staff,ops");
	/* the second run took them out */
	assert_null(env_get(env2, "JWT_EMAIL"));
	assert_null(env_get(env2, "JWT_GROUPS"));
	expect_secret_kept(&lc, t);
	pamtest_free_env(env1);
	pamtest_free_env(env2);
	conv_done(&c);
	logcap_free(&lc);
	n_neg++;
	mint_free(t);
}

static void
test_export_stale_then_password(void **state)
{
	(void)state;
	check_export_stale("secret", PAM_SUCCESS,
	    "Token: |Password: |Token: |Password: |Password: ");
}

static void
test_export_stale_then_failure(void **state)
{
	(void)state;
	check_export_stale("wrong", PAM_AUTH_ERR,
	    "Token: |Password: |Token: |Password: ");
}

static void
test_export_not_on_failure(void **state)
{
	char *t = good("bob", "export-bob", ",\"email\":\"bob@example.com\"");
	struct pam_testcase cases[] = {
		pam_test(PAMTEST_AUTHENTICATE, PAM_AUTH_ERR),
		pam_test(PAMTEST_GETENVLIST, 0),
	};
	struct logcap lc;
	struct conv c;

	(void)state;
	conv_init(&c, REPLIES(t));
	run("jwt-export", "alice", &c, cases, 2, NULL, &lc);
	assert_pam(cases[0].op_rv, PAM_AUTH_ERR);
	assert_null(env_get(cases[1].case_out.envlist, "JWT_SUB"));
	assert_null(env_get(cases[1].case_out.envlist, "JWT_EMAIL"));
	pamtest_free_env(cases[1].case_out.envlist);
	conv_done(&c);
	logcap_free(&lc);
	n_neg++;
	mint_free(t);
}

/* ---- tokens in parts ---------------------------------------------------------------------------- */

/* Split token into n parts (n-1 of them ending in '\'); the replies and
 * the prompts expected. */
static void
split(const char *token, size_t n, char **parts, char *prompts,
    size_t plen)
{
	size_t len = strlen(token), off = 0, i, k;

	/* parts of len / n bytes, the first len % n one byte longer */
	assert_true(len >= n);
	prompts[0] = '\0';
	for (i = 0; i < n; i++) {
		k = len / n + (i < len % n ? 1 : 0);
		parts[i] = malloc(k + 2);
		assert_non_null(parts[i]);
		memcpy(parts[i], token + off, k);
		if (i + 1 < n)
			memcpy(parts[i] + k, "\\", 2);
		else
			parts[i][k] = '\0';
		off += k;
		if (i == 0)
			append(prompts, plen, "Token: ");
		else
			append(prompts, plen, "|Token (part %zu): ", i + 1);
	}
	parts[n] = NULL;
	assert_int_equal(off, len);
}

static void
free_parts(char **parts)
{
	size_t i;

	for (i = 0; parts[i] != NULL; i++)
		free(parts[i]);
}

static void
check_parts(const char *service, const char *token, size_t n, int want,
    const char *const *lines)
{
	char *parts[PJWT_MAX_PARTS + 4], prompts[4096];
	struct logcap lc;
	struct conv c;

	assert_true(n < PJWT_MAX_PARTS + 3);
	split(token, n, parts, prompts, sizeof(prompts));
	assert_pam(auth(service, "alice", (const char *const *)parts, &c, &lc),
	    want);
	if (n <= PJWT_MAX_PARTS)
		assert_prompts(&c, prompts);
	else
		assert_int_equal(c.n_prompts, PJWT_MAX_PARTS);
	expect_lines(&lc, false, lines);
	expect_secret_kept(&lc, token);
	conv_done(&c);
	logcap_free(&lc);
	free_parts(parts);
	if (want == PAM_SUCCESS)
		n_pos++;
	else
		n_neg++;
}

static void
test_parts_2_3_8(void **state)
{
	char *t = good("alice", "parts", "");
	static const size_t ns[] = { 2, 3, 8 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		check_parts("jwt", t, ns[i], PAM_SUCCESS, LINES(
		    "6: accepted user=alice section=inline kid=k1 jti=parts"));
	mint_free(t);
}

static void
test_parts_64(void **state)
{
	char *t = good("alice", "sixty-four", "");

	(void)state;
	check_parts("jwt", t, 64, PAM_SUCCESS, LINES(
	    "6: accepted user=alice section=inline kid=k1 jti=sixty-four"));
	mint_free(t);
}

static void
test_parts_65(void **state)
{
	char *t = good("alice", "sixty-five", "");

	(void)state;
	check_parts("jwt", t, 65, PAM_AUTH_ERR, LINES(
	    "5: token refused: more than 64 parts (* bytes so far)"));
	mint_free(t);
}

static void
test_parts_too_many_bytes(void **state)
{
	char *parts[PJWT_MAX_PARTS + 1];
	struct logcap lc;
	struct conv c;
	size_t i;

	(void)state;
	/* 1,100 bytes a part: part 60 passes 65,536 bytes */
	for (i = 0; i < PJWT_MAX_PARTS; i++) {
		parts[i] = malloc(1102);
		assert_non_null(parts[i]);
		memset(parts[i], 'A', 1100);
		memcpy(parts[i] + 1100, "\\", 2);
	}
	parts[PJWT_MAX_PARTS] = NULL;
	assert_pam(auth("jwt", "alice", (const char *const *)parts, &c, &lc),
	    PAM_AUTH_ERR);
	assert_int_equal(c.n_prompts, 60);
	expect_lines(&lc, false, LINES(
	    "5: token refused: more than 65536 bytes in 60 parts"));
	conv_done(&c);
	logcap_free(&lc);
	free_parts(parts);
	n_neg++;
}

static void
test_parts_4k(void **state)
{
	char *t = sized(4096, "four-k");

	(void)state;
	assert_true(strlen(t) >= 4096 && strlen(t) <= 4600);
	/* as jwt-auth-askpass sends it: parts of at most 1000 bytes */
	check_parts("jwt", t, (strlen(t) + 999) / 1000, PAM_SUCCESS, LINES(
	    "6: accepted user=alice section=inline kid=k1 jti=four-k"));
	/* max_token_size=1024 refuses it */
	check_parts("jwt-small", t, 5, PAM_AUTH_ERR, LINES(
	    "5: refused user=- section=- kid=- jti=-: *1024*"));
	mint_free(t);
}

/* A token of exactly max_token_size bytes in one reply is accepted; one
 * byte more is refused before any parsing, with the limit in the log. */
static void
size_limit(const char *service, size_t max)
{
	char claims[512], line[128];
	char *t;

	(void)snprintf(claims, sizeof(claims), "{\"iss\":\"" ISS "\",\"aud\":"
	    "\"" AUD "\",\"sub\":\"alice\",\"exp\":%lld,\"jti\":\"exact\"}",
	    now() + 300);
	t = mint_sign_sized(k1, "ES256", "k1", claims, max);
	assert_non_null(t);
	assert_int_equal(strlen(t), max);
	check_auth(service, "alice", t, PAM_SUCCESS, "Token: ", LINES(
	    "6: accepted user=alice section=inline kid=k1 jti=exact"));
	mint_free(t);
	t = mint_sign_sized(k1, "ES256", "k1", claims, max + 1);
	assert_non_null(t);
	assert_int_equal(strlen(t), max + 1);
	(void)snprintf(line, sizeof(line), "5: refused user=- section=- kid=- "
	    "jti=-: *%zu*", max);
	check_auth(service, "alice", t, PAM_AUTH_ERR, "Token: ", LINES(line));
	mint_free(t);
}

static void
test_max_token_size_exact(void **state)
{
	(void)state;
	size_limit("jwt-small", 1024);
	size_limit("jwt", 16384);
}

static void
test_prompt_custom(void **state)
{
	char *t = good("alice", "custom", "");

	(void)state;
	check_auth("jwt-prompt", "alice", t, PAM_SUCCESS,
	    "Access token please: ", LINES(
	    "6: accepted user=alice section=inline kid=k1 jti=custom"));
	mint_free(t);
}

/* ---- tokens cut short by their client ------------------------------------------------------------- */

#define CUT_HINT(n) "5: token of " n " bytes may have been cut short by the " \
	"client: use keyboard-interactive and jwt-auth-askpass"

static void
test_cut_at_1023(void **state)
{
	char *t = sized(1400, "cut");

	(void)state;
	assert_true(strlen(t) > 1100);
	t[1023] = '\0';
	check_auth("jwt", "alice", t, PAM_AUTH_ERR, "Token: ", LINES(
	    "5: refused user=* jti=*: *", CUT_HINT("1023")));
	t[511] = '\0';
	check_auth("jwt", "alice", t, PAM_AUTH_ERR, "Token: ", LINES(
	    "5: refused user=* jti=*: *", CUT_HINT("511")));
	mint_free(t);
}

/* A terminal cuts a pasted line at 4095 bytes (su's prompt). */
static void
test_cut_at_4095(void **state)
{
	char *t = sized(5000, "cut-tty");

	(void)state;
	assert_true(strlen(t) > 4095);
	t[4095] = '\0';
	check_auth("jwt", "alice", t, PAM_AUTH_ERR, "Token: ", LINES(
	    "5: refused user=* jti=*: *", CUT_HINT("4095")));
	mint_free(t);
}

/* A signature cut to a length that is not even valid base64url (1 mod 4)
 * still gets the hint. */
static void
test_cut_signature_odd(void **state)
{
	char *t = tok(kr, "r1", "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
	    "\"sub\":\"alice\",\"exp\":%lld,\"jti\":\"odd-sig\"}",
	    now() + 300);
	char *dot = strrchr(t, '.'), n[32], line[256];

	(void)state;
	assert_non_null(dot);
	dot[102] = '\0';   /* 101 characters: 1 mod 4 */
	(void)snprintf(n, sizeof(n), "%zu", strlen(t));
	(void)snprintf(line, sizeof(line), CUT_HINT("%s"), n);
	check_auth("jwt", "alice", t, PAM_AUTH_ERR, "Token: ", LINES(
	    "5: refused user=- section=- kid=- jti=-: *", line));
	mint_free(t);
}

static void
test_cut_signature(void **state)
{
	char *t = tok(kr, "r1", "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
	    "\"sub\":\"alice\",\"exp\":%lld,\"jti\":\"short-sig\"}",
	    now() + 300);
	char *dot = strrchr(t, '.'), n[32];
	struct logcap lc;
	struct conv c;
	char line[256];

	(void)state;
	assert_non_null(dot);
	/* 200 base64url characters: 150 bytes of a 256-byte signature */
	assert_true(strlen(dot + 1) > 200);
	dot[201] = '\0';
	(void)snprintf(n, sizeof(n), "%zu", strlen(t));
	(void)snprintf(line, sizeof(line), CUT_HINT("%s"), n);
	assert_pam(auth("jwt", "alice", REPLIES(t), &c, &lc), PAM_AUTH_ERR);
	expect_lines(&lc, false, LINES("5: refused user=alice section=inline "
	    "kid=r1 jti=short-sig: bad RS256 signature*", line));
	conv_done(&c);
	logcap_free(&lc);
	n_neg++;
	mint_free(t);
}

static void
test_no_cut_hint(void **state)
{
	char *t = tok(k2, "k1", "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
	    "\"sub\":\"alice\",\"exp\":%lld,\"jti\":\"whole\"}", now() + 300);

	(void)state;
	/* a whole signature that does not verify, and a short password:
	 * no hint */
	check_auth("jwt", "alice", t, PAM_AUTH_ERR, "Token: ", LINES(
	    "5: refused user=alice section=inline kid=k1 jti=whole: bad *"));
	check_auth("jwt", "alice", "hunter2", PAM_AUTH_ERR, "Token: ", LINES(
	    "5: refused user=- section=- kid=- jti=-: *"));
	mint_free(t);
}

/* Input of a length at which clients cut, that does not start like a JWS
 * (a password, or dots and base64url without a header): no hint, so no
 * length in the log. */
static void
test_no_cut_hint_password(void **state)
{
	static const size_t lens[] = { 511, 1023, 1024, 4095 };
	char buf[4096];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		memset(buf, 'p', lens[i]);
		buf[lens[i]] = '\0';
		check_auth("jwt", "alice", buf, PAM_AUTH_ERR, "Token: ", LINES(
		    "5: refused user=- section=- kid=- jti=-: *"));
		/* the shape of a JWS, but no header */
		buf[100] = '.';
		buf[200] = '.';
		check_auth("jwt", "alice", buf, PAM_AUTH_ERR, "Token: ", LINES(
		    "5: refused user=- section=- kid=- jti=-: *"));
	}
}

/* ---- debug ------------------------------------------------------------------------------------------ */

static void
test_debug_steps(void **state)
{
	struct logcap lc;
	struct conv c;

	(void)state;
	assert_pam(auth("jwt-debug", "alice", REPLIES("abc\\", "def"), &c,
	    &lc), PAM_AUTH_ERR);
	assert_prompts(&c, "Token: |Token (part 2): ");
	expect_lines(&lc, true, LINES(
	    "7: section inline: keys from jwks_file",
	    "7: 1 issuer section trusted",
	    "7: reply read from the conversation in 2 parts: not the start "
	    "of a JWS",
	    "5: refused user=- section=- kid=- jti=-: *"));
	conv_done(&c);
	logcap_free(&lc);
	n_neg++;
}

/* No line gives the length of what may be a password: PAM_AUTHTOK, or a
 * reply that does not start like a JWS. */
static void
test_debug_no_password_length(void **state)
{
	struct logcap lc;
	struct conv c;

	(void)state;
	/* 13 bytes */
	assert_pam(auth_authtok("jwt-use-debug", "correcthorse!", no_replies,
	    &c, &lc), PAM_AUTH_ERR);
	expect_lines(&lc, true, LINES(
	    "7: section inline: keys from jwks_file",
	    "7: 1 issuer section trusted",
	    "7: token from PAM_AUTHTOK",
	    "5: refused user=- section=- kid=- jti=-: *"));
	/* the raw capture also holds pids and paths: look for a length */
	assert_null(strstr(lc.raw, "13 byte"));
	assert_null(strstr(lc.raw, "length 13"));
	conv_done(&c);
	logcap_free(&lc);
	n_neg++;

	assert_pam(auth("jwt-debug", "alice", REPLIES("correcthorse!"), &c,
	    &lc), PAM_AUTH_ERR);
	expect_lines(&lc, true, LINES(
	    "7: section inline: keys from jwks_file",
	    "7: 1 issuer section trusted",
	    "7: reply read from the conversation in 1 part: not the start "
	    "of a JWS",
	    "5: refused user=- section=- kid=- jti=-: *"));
	/* the raw capture also holds pids and paths: look for a length */
	assert_null(strstr(lc.raw, "13 byte"));
	assert_null(strstr(lc.raw, "length 13"));
	conv_done(&c);
	logcap_free(&lc);
	n_neg++;
}

/* ---- main ---------------------------------------------------------------------------------------------- */

static int
load_keys(void **state)
{
	char *p1 = path_of("k1.pem"), *p2 = path_of("k2.pem");
	char *pr = path_of("kr.pem");

	(void)state;
	k1 = mint_key_load(p1);
	k2 = mint_key_load(p2);
	kr = mint_key_load(pr);
	free(p1);
	free(p2);
	free(pr);
	return k1 != NULL && k2 != NULL && kr != NULL ? 0 : -1;
}

static int
free_keys(void **state)
{
	(void)state;
	mint_key_free(k1);
	mint_key_free(k2);
	mint_key_free(kr);
	fprintf(stderr, "test_pam: %zu positive and %zu negative cases\n",
	    n_pos, n_neg);
	if (n_neg <= n_pos) {
		fprintf(stderr, "test_pam: negative cases must outnumber "
		    "positive ones\n");
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rc_mapping),
		cmocka_unit_test(test_part_rule),
		cmocka_unit_test(test_env_helpers),
		cmocka_unit_test(test_env_value_unicode),
		cmocka_unit_test(test_looks_like_jws),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_exports),
		cmocka_unit_test(test_conv_ok),
		cmocka_unit_test(test_conv_ok_config_file),
		cmocka_unit_test(test_config_plus_inline),
		cmocka_unit_test(test_issuers_restrict),
		cmocka_unit_test(test_use_first_pass),
		cmocka_unit_test(test_use_first_pass_none),
		cmocka_unit_test(test_use_first_pass_password),
		cmocka_unit_test(test_try_first_pass),
		cmocka_unit_test(test_try_first_pass_prompts),
		cmocka_unit_test(test_try_first_pass_password),
		cmocka_unit_test(test_try_first_pass_both_refused),
		cmocka_unit_test(test_user_mismatch),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_bad_signature),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_unknown_issuer),
		cmocka_unit_test(test_wrong_audience),
		cmocka_unit_test(test_alg_not_allowed),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_password_for_next_module),
		cmocka_unit_test(test_backslash_not_a_part),
		cmocka_unit_test(test_token_for_next_module),
		cmocka_unit_test(test_authinfo_unavail),
		cmocka_unit_test(test_service_err_config),
		cmocka_unit_test(test_service_err_arguments),
		cmocka_unit_test(test_conv_err),
		cmocka_unit_test(test_buf_err),
		cmocka_unit_test(test_acct_after_auth),
		cmocka_unit_test(test_acct_after_expiry),
		cmocka_unit_test(test_acct_without_auth),
		cmocka_unit_test(test_acct_after_failed_auth),
		cmocka_unit_test(test_acct_user_changed),
		cmocka_unit_test(test_setcred),
		cmocka_unit_test(test_user_set_during_conv),
		cmocka_unit_test(test_export_claims),
		cmocka_unit_test(test_export_ambiguous),
		cmocka_unit_test(test_export_stale_then_password),
		cmocka_unit_test(test_export_stale_then_failure),
		cmocka_unit_test(test_export_not_on_failure),
		cmocka_unit_test(test_parts_2_3_8),
		cmocka_unit_test(test_parts_64),
		cmocka_unit_test(test_parts_65),
		cmocka_unit_test(test_parts_too_many_bytes),
		cmocka_unit_test(test_parts_4k),
		cmocka_unit_test(test_max_token_size_exact),
		cmocka_unit_test(test_prompt_custom),
		cmocka_unit_test(test_cut_at_1023),
		cmocka_unit_test(test_cut_signature),
		cmocka_unit_test(test_cut_at_4095),
		cmocka_unit_test(test_cut_signature_odd),
		cmocka_unit_test(test_no_cut_hint),
		cmocka_unit_test(test_no_cut_hint_password),
		cmocka_unit_test(test_debug_steps),
		cmocka_unit_test(test_debug_no_password_length),
	};
	const char *pw = getenv("PAM_WRAPPER");

	if (argc != 3 || argv[2][0] != '/' ||
	    (strcmp(argv[1], "setup") != 0 && strcmp(argv[1], "run") != 0)) {
		fprintf(stderr, "usage: test_pam setup|run /DIR (run by "
		    "tests/test_pam.sh)\n");
		return 99;
	}
	dir = argv[2];
	if (strcmp(argv[1], "setup") == 0)
		return do_setup();
	if (pw == NULL || strcmp(pw, "1") != 0)
		unit_skip("not under pam_wrapper (run tests/test_pam.sh)");
	/* pam_set_items reads PAM_AUTHTOK from the environment: none yet */
	(void)unsetenv("PAM_AUTHTOK");
	return cmocka_run_group_tests(tests, load_keys, free_keys);
}
