/*
 * test_sasl.c - libsasl_jwt.so through the real libsasl2: client and
 * server in one process, the plugin loaded from the build directory
 * (sasl_jwt/.libs, given by SASL_CB_GETPATH and nothing else) and its
 * options given by SASL_CB_GETOPT.  Options are read when libsasl2 calls
 * sasl_server_plug_init, so each case that changes them starts libsasl2
 * afresh (sasl_server_init, sasl_client_init ... sasl_*_done).
 *
 * Covered: good tokens of every algorithm, through OAUTHBEARER and
 * XOAUTH2, with the exact message our client sends; every kind of refusal
 * with the exact error JSON the server sends, the client's %x01 (or empty)
 * answer and SASL_BADAUTH after it; keys unavailable (SASL_UNAVAIL, no
 * challenge); the authorization identity cases; a table of malformed
 * messages given to the server directly; the mechanisms not offered when
 * unconfigured or misconfigured; a changed key file and a broken
 * configuration picked up without a restart; the exported symbols; and
 * many threads authenticating through one server context at once, whose
 * rate is printed.
 *
 * Tokens are minted against the real clock, which the plugin uses.
 */
#include "unit.h"

#include <dlfcn.h>
#include <time.h>

#include <sasl/sasl.h>

#include "mintlib.h"
#include "saslcb.h"

#define ISS "https://idp.test"
#define ISS_SCOPED "https://scoped.test"
#define ISS_NET "https://net.test"
#define ISS_OTHER "https://other.test"
#define AUD "mail"
#define APP "jwt-test"
#define SERVICE "imap"
#define FQDN "mail.test"
#define SRV_ADDR "127.0.0.1;143"
#define CLI_ADDR "127.0.0.1;40000"

#define DISCOVERY_CORP ISS "/.well-known/openid-configuration"
#define DISCOVERY_SCOPED ISS_SCOPED "/.well-known/openid-configuration"
#define JSON_CORP "{\"status\":\"invalid_token\",\"openid-configuration\":\"" \
    DISCOVERY_CORP "\"}"
#define JSON_SCOPE "{\"status\":\"insufficient_scope\",\"scope\":\"mail.send " \
    "mail.read\",\"openid-configuration\":\"" DISCOVERY_SCOPED "\"}"
#define JSON_BARE "{\"status\":\"invalid_token\"}"
#define GOOGLE "{\"status\":\"401\",\"schemes\":\"bearer\"}"
#define GOOGLE_SCOPE "{\"status\":\"401\",\"schemes\":\"bearer\"," \
    "\"scope\":\"mail.send mail.read\"}"

#define THREADS 8
#define BINDS 200


static char *dir;                     /* private temporary directory */
static char *plugdir, *plugin_so;     /* sasl_jwt/.libs, the module */
static char *confdir;                 /* SASL_CB_GETCONFPATH: empty */
static EVP_PKEY *k_rsa, *k_ec256, *k_ec384, *k_ec521, *k_ed25519, *k_ed448;
static EVP_PKEY *k_stranger, *k_new;
static unsigned char hmac[64];
static unit_log logs;
static size_t n_pos, n_neg;           /* cases, by kind */
static bool started;

/* libsasl2's global callbacks: the options SASL_CB_GETOPT gives, the
 * directories, the log (tests/saslcb.h). */
static saslcb cbs;

/* ---- files ----------------------------------------------------------------------- */

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

/* Replace name by rename, so the change is a new file (as editors and
 * package managers do it). */
static void
replace_file(const char *name, mode_t mode, const char *text)
{
	char tmp[256];
	char *a, *b;

	(void)snprintf(tmp, sizeof(tmp), "%s.new", name);
	write_or_die(tmp, mode, text);
	a = path_of(tmp);
	b = path_of(name);
	if (rename(a, b) != 0) {
		fprintf(stderr, "rename %s: %s\n", a, strerror(errno));
		exit(99);
	}
	free(a);
	free(b);
}

static char *
jwks_of(const mint_jwks_entry *e, size_t n)
{
	char *j = mint_jwks(e, n);

	if (j == NULL) {
		fprintf(stderr, "cannot make a JWKS\n");
		exit(99);
	}
	return j;
}

static EVP_PKEY *
key_or_die(const char *type)
{
	EVP_PKEY *k = mint_key_gen(type);

	if (k == NULL) {
		fprintf(stderr, "cannot make a %s key\n", type);
		exit(99);
	}
	return k;
}

static void
setup_files(void)
{
	mint_jwks_entry e[6];
	char conf[4096], *jwks, *secret;

	k_rsa = key_or_die("rsa2048");
	k_ec256 = key_or_die("ec256");
	k_ec384 = key_or_die("ec384");
	k_ec521 = key_or_die("ec521");
	k_ed25519 = key_or_die("ed25519");
	k_ed448 = key_or_die("ed448");
	k_stranger = key_or_die("ec256");
	k_new = key_or_die("ec256");
	memset(e, 0, sizeof(e));
	e[0].key = k_rsa;
	e[0].opts.kid = "rsa";
	e[1].key = k_ec256;
	e[1].opts.kid = "ec256";
	e[2].key = k_ec384;
	e[2].opts.kid = "ec384";
	e[3].key = k_ec521;
	e[3].opts.kid = "ec521";
	e[4].key = k_ed25519;
	e[4].opts.kid = "ed25519";
	e[5].key = k_ed448;
	e[5].opts.kid = "ed448";
	jwks = jwks_of(e, 6);
	write_or_die("jwks.json", 0644, jwks);
	mint_free(jwks);
	jwks = jwks_of(&e[1], 1);
	write_or_die("jwks-reload.json", 0644, jwks);
	mint_free(jwks);

	if (mint_random(hmac, sizeof(hmac)) != 0) {
		fprintf(stderr, "cannot make an HMAC secret\n");
		exit(99);
	}
	secret = mint_b64url(hmac, sizeof(hmac));
	if (secret == NULL) {
		fprintf(stderr, "cannot encode the HMAC secret\n");
		exit(99);
	}
	write_or_die("hmac.key", 0600, secret);
	mint_free(secret);

	(void)snprintf(conf, sizeof(conf),
	    "# the sections of test_sasl\n"
	    "[global]\ncache_dir = %s/cache\nstate_dir = %s/state\n\n"
	    "[issuer corp]\nissuer = " ISS "\naudience = " AUD "\n"
	    "jwks_file = %s/jwks.json\nhmac_secret_file = %s/hmac.key\n"
	    "algorithms = RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 "
	    "ES512 EdDSA HS256 HS384 HS512\n\n"
	    "[issuer scoped]\nissuer = " ISS_SCOPED "\naudience = " AUD "\n"
	    "jwks_file = %s/jwks.json\nrequired_scope = mail.send mail.read\n\n"
	    "[issuer net]\nissuer = " ISS_NET "\naudience = " AUD "\n"
	    "jwks_uri = https://127.0.0.1:1/\nhttp_timeout = 2\n\n"
	    "[issuer other]\nissuer = " ISS_OTHER "\naudience = " AUD "\n"
	    "jwks_file = %s/jwks.json\n", dir, dir, dir, dir, dir, dir);
	write_or_die("jwt-auth.conf", 0644, conf);
	write_or_die("loose.conf", 0666, conf);
	(void)snprintf(conf, sizeof(conf),
	    "[issuer corp]\nissuer = " ISS "\naudience = " AUD "\n"
	    "jwks_file = %s/jwks-reload.json\n", dir);
	write_or_die("reload.conf", 0644, conf);
	write_or_die("broken.conf", 0644, "[issuer corp]\nissuer = " ISS "\n"
	    "audience = " AUD "\nfrobnicate = 1\n");
	confdir = path_of("saslconf");
	if (mkdir(confdir, 0755) != 0) {
		fprintf(stderr, "mkdir %s: %s\n", confdir, strerror(errno));
		exit(99);
	}
}

/* ---- tokens ------------------------------------------------------------------------ */

static long long
now(void)
{
	return (long long)time(NULL);
}

/* A token of alg signed with key (or the HMAC secret for HS*), naming
 * kid, of the claims given as printf text. */
static char *
tok(EVP_PKEY *key, const char *alg, const char *kid, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static char *
tok(EVP_PKEY *key, const char *alg, const char *kid, const char *fmt, ...)
{
	char claims[4096], hdr[128];
	va_list ap;
	char *t;

	va_start(ap, fmt);
	(void)vsnprintf(claims, sizeof(claims), fmt, ap);
	va_end(ap);
	(void)snprintf(hdr, sizeof(hdr), "{\"typ\":\"JWT\",\"kid\":\"%s\"}",
	    kid);
	if (strncmp(alg, "HS", 2) == 0)
		t = mint_sign_hmac(hmac, sizeof(hmac), alg, hdr, claims);
	else
		t = mint_sign(key, alg, hdr, claims);
	assert_non_null(t);
	return t;
}

/* A good ES256 token of sub from iss, with extra claims ("" or ",..."). */
static char *
good_from(const char *iss, const char *sub, const char *extra)
{
	return tok(k_ec256, "ES256", "ec256", "{\"iss\":\"%s\",\"aud\":\"" AUD
	    "\",\"sub\":\"%s\",\"iat\":%lld,\"exp\":%lld%s}", iss, sub, now(),
	    now() + 600, extra);
}

static char *
good(const char *sub)
{
	return good_from(ISS, sub, "");
}

/* The signature part of a token, which no log line may hold. */
static const char *
sig_of(const char *token)
{
	const char *p = strrchr(token, '.');

	return p != NULL ? p + 1 : token;
}

/* ---- libsasl2 --------------------------------------------------------------------- */

/* Start libsasl2 with these options; the plugin reads them now. */
static void
start_with(const char *config, const char *issuers, const char *authzid)
{
	/* Every line libsasl2 and the plugin log is kept (and shown on
	 * standard error when TEST_SASL_VERBOSE is set). */
	cbs = (saslcb){
		.config = config,
		.issuers = issuers,
		.authzid = authzid,
		.plugdir = plugdir,
		.confdir = confdir,
		.echo_level = getenv("TEST_SASL_VERBOSE") != NULL ?
		    SASL_LOG_PASS : -1,
		.sink = unit_log_sink,
		.sink_arg = &logs,
	};
	saslcb_setup(&cbs);
	unit_log_clear(&logs);
	assert_int_equal(sasl_server_init(cbs.server, APP), SASL_OK);
	assert_int_equal(sasl_client_init(cbs.client), SASL_OK);
	started = true;
}

static char *conf_main;

static void
start(const char *issuers, const char *authzid)
{
	start_with(conf_main, issuers, authzid);
}

static void
stop(void)
{
	if (!started)
		return;
	started = false;
	(void)sasl_server_done();
	(void)sasl_client_done();
}

static int
teardown_stop(void **state)
{
	(void)state;
	stop();
	return 0;
}

/* ---- one exchange through both sides ----------------------------------------------- */

typedef struct exch {
	/* in */
	const char *mech;
	const char *authzid;        /* SASL_CB_USER ("" when NULL) */
	const char *authname;       /* SASL_CB_AUTHNAME (XOAUTH2 user) */
	const char *token;          /* SASL_CB_PASS */
	bool policy;                /* our proxy policy instead of libsasl2's */
	/* out */
	int cstart;                 /* sasl_client_start */
	int srv;                    /* the server's last result */
	int cend;                   /* the client's last step after success */
	int rounds;                 /* challenges the server sent */
	char *first;                /* the client's first message */
	size_t first_len;
	char challenge[1024];       /* the server's last challenge */
	char answer[16];            /* the client's answer to it */
	size_t answer_len;
	char user[256], authid[256];/* SASL_USERNAME, SASL_AUTHUSER */
	char policy_req[256];       /* what the proxy policy was asked */
	sasl_secret_t *secret;
} exch;

static int
cb_simple(void *context, int id, const char **result, unsigned *len)
{
	const exch *x = context;
	const char *v;

	if (id == SASL_CB_USER)
		v = x->authzid != NULL ? x->authzid : "";
	else if (id == SASL_CB_AUTHNAME)
		v = x->authname != NULL ? x->authname : "alice";
	else
		return SASL_BADPARAM;
	*result = v;
	if (len != NULL)
		*len = (unsigned)strlen(v);
	return SASL_OK;
}

static int
cb_pass(sasl_conn_t *conn, void *context, int id, sasl_secret_t **psecret)
{
	exch *x = context;
	size_t n;

	(void)conn;
	if (id != SASL_CB_PASS || x->token == NULL)
		return SASL_FAIL;
	n = strlen(x->token);
	free(x->secret);
	x->secret = malloc(sizeof(sasl_secret_t) + n);
	if (x->secret == NULL)
		return SASL_NOMEM;
	x->secret->len = n;
	memcpy(x->secret->data, x->token, n);
	*psecret = x->secret;
	return SASL_OK;
}

/* alice may act as bob and as "b,o=b"; everyone as themselves. */
static int
policy_cb(sasl_conn_t *conn, void *context, const char *requested,
    unsigned rlen, const char *auth, unsigned alen, const char *realm,
    unsigned urlen, struct propctx *propctx)
{
	exch *x = context;

	(void)realm;
	(void)urlen;
	(void)propctx;
	(void)snprintf(x->policy_req, sizeof(x->policy_req), "%.*s->%.*s",
	    (int)alen, auth, (int)rlen, requested);
	if (rlen == alen && memcmp(requested, auth, rlen) == 0)
		return SASL_OK;
	if (alen == 5 && memcmp(auth, "alice", 5) == 0 &&
	    ((rlen == 3 && memcmp(requested, "bob", 3) == 0) ||
	    (rlen == 5 && memcmp(requested, "b,o=b", 5) == 0)))
		return SASL_OK;
	sasl_seterror(conn, 0, "not allowed");
	return SASL_NOAUTHZ;
}

static void
prop_copy(sasl_conn_t *c, int prop, char *buf, size_t len)
{
	const void *v = NULL;

	buf[0] = '\0';
	if (sasl_getprop(c, prop, &v) == SASL_OK && v != NULL)
		(void)snprintf(buf, len, "%s", (const char *)v);
}

static void
exch_init(exch *x, const char *mech, const char *token)
{
	memset(x, 0, sizeof(*x));
	x->mech = mech;
	x->token = token;
	x->srv = x->cstart = x->cend = -100;
}

static void
exch_done(exch *x)
{
	free(x->first);
	free(x->secret);
	x->first = NULL;
	x->secret = NULL;
}

/* Run the client and the server against each other, as a protocol would:
 * the client's first message as the initial response, then challenges
 * and answers until the server is done. */
static void
run(exch *x)
{
	sasl_callback_t scb[] = {
		{ SASL_CB_PROXY_POLICY, SASLCB_PROC(policy_cb), x },
		{ SASL_CB_LIST_END, NULL, NULL }
	};
	sasl_callback_t ccb[] = {
		{ SASL_CB_USER, SASLCB_PROC(cb_simple), x },
		{ SASL_CB_AUTHNAME, SASLCB_PROC(cb_simple), x },
		{ SASL_CB_PASS, SASLCB_PROC(cb_pass), x },
		{ SASL_CB_LIST_END, NULL, NULL }
	};
	sasl_conn_t *s = NULL, *c = NULL;
	sasl_interact_t *prompts = NULL;
	const char *out = NULL, *sout = NULL, *chosen = NULL;
	unsigned outlen = 0, soutlen = 0;
	int crc;

	assert_int_equal(sasl_server_new(SERVICE, FQDN, NULL, SRV_ADDR,
	    CLI_ADDR, x->policy ? scb : &scb[1], 0, &s), SASL_OK);
	assert_int_equal(sasl_client_new(SERVICE, FQDN, CLI_ADDR, SRV_ADDR,
	    ccb, 0, &c), SASL_OK);
	x->cstart = sasl_client_start(c, x->mech, &prompts, &out, &outlen,
	    &chosen);
	if (x->cstart != SASL_OK && x->cstart != SASL_CONTINUE)
		goto out;
	assert_non_null(out);
	x->first = malloc(outlen + 1);
	assert_non_null(x->first);
	memcpy(x->first, out, outlen);
	x->first[outlen] = '\0';
	x->first_len = outlen;
	x->srv = sasl_server_start(s, chosen, out, outlen, &sout, &soutlen);
	while (x->srv == SASL_CONTINUE && x->rounds < 4) {
		x->rounds++;
		(void)snprintf(x->challenge, sizeof(x->challenge), "%.*s",
		    (int)soutlen, sout != NULL ? sout : "");
		crc = sasl_client_step(c, sout, soutlen, &prompts, &out,
		    &outlen);
		if (crc != SASL_OK && crc != SASL_CONTINUE) {
			x->cend = crc;
			break;
		}
		x->answer_len = outlen < sizeof(x->answer) ? outlen : 0;
		if (out != NULL && x->answer_len > 0)
			memcpy(x->answer, out, x->answer_len);
		x->srv = sasl_server_step(s, out, outlen, &sout, &soutlen);
	}
	if (x->srv == SASL_OK) {
		/* the protocol's success: the client finishes */
		x->cend = sasl_client_step(c, NULL, 0, &prompts, &out, &outlen);
		prop_copy(s, SASL_USERNAME, x->user, sizeof(x->user));
		prop_copy(s, SASL_AUTHUSER, x->authid, sizeof(x->authid));
	}
out:
	sasl_dispose(&c);
	sasl_dispose(&s);
}

/* No log line may hold the token's signature. */
static void
assert_token_not_logged(const char *token)
{
	const char *sig = sig_of(token);
	size_t i;

	if (strlen(sig) < 16)
		return;
	pthread_mutex_lock(&logs.mu);
	for (i = 0; i < logs.n; i++) {
		if (strstr(logs.lines[i], sig) != NULL) {
			pthread_mutex_unlock(&logs.mu);
			fail_msg("a token signature was logged: %s",
			    logs.lines[i]);
		}
	}
	pthread_mutex_unlock(&logs.mu);
}

/* The exchange succeeded for user (authorization identity) and authid. */
static void
expect_ok(const exch *x, const char *user, const char *authid)
{
	assert_int_equal(x->cstart, SASL_CONTINUE);
	assert_int_equal(x->srv, SASL_OK);
	assert_int_equal(x->rounds, 0);
	assert_int_equal(x->cend, SASL_OK);
	assert_string_equal(x->user, user);
	assert_string_equal(x->authid, authid);
	assert_token_not_logged(x->token);
	n_pos++;
}

/* The server refused with the JSON challenge json, the client answered
 * it with answer (answer_len bytes) and the server failed with
 * SASL_BADAUTH; nobody is logged in. */
static void
expect_refused(const exch *x, const char *json, const char *answer,
    size_t answer_len, const char *why)
{
	char line[160];

	assert_int_equal(x->cstart, SASL_CONTINUE);
	assert_int_equal(x->rounds, 1);
	assert_string_equal(x->challenge, json);
	assert_int_equal(x->answer_len, answer_len);
	assert_memory_equal(x->answer, answer, answer_len);
	assert_int_equal(x->srv, SASL_BADAUTH);
	assert_string_equal(x->user, "");
	if (why != NULL) {
		(void)snprintf(line, sizeof(line), "%s", why);
		if (unit_log_find(&logs, line) == NULL)
			fail_msg("no log line holds \"%s\"", line);
	}
	assert_token_not_logged(x->token);
	n_neg++;
}

/* ---- good tokens ------------------------------------------------------------------ */

static const struct alg_case {
	const char *alg;
	const char *kid;
	EVP_PKEY **key;
} algs[] = {
	{ "RS256", "rsa", &k_rsa }, { "RS384", "rsa", &k_rsa },
	{ "RS512", "rsa", &k_rsa }, { "PS256", "rsa", &k_rsa },
	{ "PS384", "rsa", &k_rsa }, { "PS512", "rsa", &k_rsa },
	{ "ES256", "ec256", &k_ec256 }, { "ES384", "ec384", &k_ec384 },
	{ "ES512", "ec521", &k_ec521 }, { "EdDSA", "ed25519", &k_ed25519 },
	{ "EdDSA", "ed448", &k_ed448 }, { "HS256", "hmac", NULL },
	{ "HS384", "hmac", NULL }, { "HS512", "hmac", NULL },
};

/* libcurl is loaded only when keys are fetched: a login with local keys
 * never maps it. */
static bool
curl_mapped(void)
{
	char *maps = unit_read_file("/proc/self/maps", NULL);
	bool mapped;

	if (maps == NULL)
		return false;
	mapped = strstr(maps, "libcurl") != NULL;
	free(maps);
	return mapped;
}

static void
test_every_algorithm(void **state)
{
	const char *mechs[] = { "OAUTHBEARER", "XOAUTH2" };
	size_t i, m;
	exch x;

	(void)state;
	start("corp", NULL);
	for (m = 0; m < 2; m++) {
		for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
			char *t = tok(algs[i].key != NULL ? *algs[i].key : NULL,
			    algs[i].alg, algs[i].kid, "{\"iss\":\"" ISS "\","
			    "\"aud\":\"" AUD "\",\"sub\":\"alice\",\"exp\":%lld}",
			    now() + 600);

			exch_init(&x, mechs[m], t);
			run(&x);
			if (x.srv != SASL_OK)
				fail_msg("%s %s (%s): server says %d", mechs[m],
				    algs[i].alg, algs[i].kid, x.srv);
			expect_ok(&x, "alice", "alice");
			assert_non_null(unit_log_find(&logs, "accepted "
			    "user=alice section=corp"));
			exch_done(&x);
			mint_free(t);
		}
	}
	assert_false(curl_mapped());
}

/* What our client sends, byte for byte. */
static void
test_client_messages(void **state)
{
	char *t = good("alice"), want[2048];
	exch x;

	(void)state;
	start("corp", "proxy");

	exch_init(&x, "OAUTHBEARER", t);
	run(&x);
	expect_ok(&x, "alice", "alice");
	(void)snprintf(want, sizeof(want), "n,,\001host=" FQDN "\001port=143"
	    "\001auth=Bearer %s\001\001", t);
	assert_int_equal(x.first_len, strlen(want));
	assert_string_equal(x.first, want);
	exch_done(&x);

	/* ',' and '=' in the authorization identity are escaped */
	exch_init(&x, "OAUTHBEARER", t);
	x.authzid = "b,o=b";
	x.policy = true;
	run(&x);
	expect_ok(&x, "b,o=b", "alice");
	assert_string_equal(x.policy_req, "alice->b,o=b");
	(void)snprintf(want, sizeof(want), "n,a=b=2Co=3Db,\001host=" FQDN
	    "\001port=143\001auth=Bearer %s\001\001", t);
	assert_string_equal(x.first, want);
	exch_done(&x);

	exch_init(&x, "XOAUTH2", t);
	x.authname = "alice";
	run(&x);
	expect_ok(&x, "alice", "alice");
	(void)snprintf(want, sizeof(want), "user=alice\001auth=Bearer %s"
	    "\001\001", t);
	assert_string_equal(x.first, want);
	exch_done(&x);
	mint_free(t);
}

/* The password callback's white space around the token is dropped; a
 * password that is no bearer token never leaves the client. */
static void
test_client_token_checks(void **state)
{
	static const char *const bad[] = {
		"hunter2 !", "", "tok en", "a\001b", "ab\"cd",
	};
	char spaced[4096], *t = good("alice");
	size_t i;
	exch x;

	(void)state;
	start("corp", NULL);
	(void)snprintf(spaced, sizeof(spaced), "  %s\r\n", t);
	exch_init(&x, "OAUTHBEARER", spaced);
	run(&x);
	assert_int_equal(x.srv, SASL_OK);
	assert_string_equal(x.user, "alice");
	n_pos++;
	exch_done(&x);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		exch_init(&x, i % 2 == 0 ? "OAUTHBEARER" : "XOAUTH2", bad[i]);
		run(&x);
		if (x.cstart == SASL_CONTINUE || x.cstart == SASL_OK)
			fail_msg("password \"%s\": client started (%d)", bad[i],
			    x.cstart);
		assert_null(x.first);
		n_neg++;
		exch_done(&x);
	}
	mint_free(t);
}

/* ---- refusals --------------------------------------------------------------------- */

static void
refusal(const char *mech, const char *token, const char *authname,
    const char *json, const char *why)
{
	bool x2 = strcmp(mech, "XOAUTH2") == 0;
	exch x;

	exch_init(&x, mech, token);
	x.authname = authname;
	unit_log_clear(&logs);
	run(&x);
	if (x.srv != SASL_BADAUTH)
		fail_msg("%s (%s): server says %d", why, mech, x.srv);
	expect_refused(&x, json, x2 ? "" : "\001", x2 ? 0 : 1, why);
	exch_done(&x);
}

static void
test_refusals(void **state)
{
	const long long n = now();
	char *t, *c, hdr[64], *h, *p;

	(void)state;
	start("corp,scoped", NULL);

	t = tok(k_ec256, "ES256", "ec256", "{\"iss\":\"" ISS "\",\"aud\":\""
	    AUD "\",\"sub\":\"alice\",\"exp\":%lld}", n - 3600);
	refusal("OAUTHBEARER", t, NULL, JSON_CORP, "expired");
	refusal("XOAUTH2", t, "alice", GOOGLE, "expired");
	mint_free(t);

	t = tok(k_ec256, "ES256", "ec256", "{\"iss\":\"" ISS "\",\"aud\":\""
	    AUD "\",\"sub\":\"alice\",\"nbf\":%lld,\"exp\":%lld}", n + 3600,
	    n + 7200);
	refusal("OAUTHBEARER", t, NULL, JSON_CORP, "refused user=alice");
	mint_free(t);

	t = tok(k_stranger, "ES256", "ec256", "{\"iss\":\"" ISS "\",\"aud\":\""
	    AUD "\",\"sub\":\"alice\",\"exp\":%lld}", n + 600);
	refusal("OAUTHBEARER", t, NULL, JSON_CORP, "bad ES256 signature");
	refusal("XOAUTH2", t, "alice", GOOGLE, "bad ES256 signature");
	mint_free(t);

	t = tok(k_ec256, "ES256", "ec256", "{\"iss\":\"" ISS "\",\"aud\":"
	    "\"web\",\"sub\":\"alice\",\"exp\":%lld}", n + 600);
	refusal("OAUTHBEARER", t, NULL, JSON_CORP, "section=corp");
	mint_free(t);

	t = tok(k_ec256, "ES256", "nope", "{\"iss\":\"" ISS "\",\"aud\":\""
	    AUD "\",\"sub\":\"alice\",\"exp\":%lld}", n + 600);
	refusal("OAUTHBEARER", t, NULL, JSON_CORP, "kid nope");
	mint_free(t);

	t = tok(k_ec256, "ES256", "ec256", "{\"iss\":\"" ISS "\",\"aud\":\""
	    AUD "\",\"sub\":\"alice\"}");
	refusal("OAUTHBEARER", t, NULL, JSON_CORP, "token has no exp");
	mint_free(t);

	/* an issuer nobody trusts, and one this application does not:
	 * with two trusted sections no discovery document is named */
	t = good_from("https://evil.test", "alice", "");
	refusal("OAUTHBEARER", t, NULL, JSON_BARE, "evil.test");
	mint_free(t);
	t = good_from(ISS_OTHER, "alice", "");
	refusal("OAUTHBEARER", t, NULL, JSON_BARE, "other.test");
	refusal("XOAUTH2", t, "alice", GOOGLE, "other.test");
	mint_free(t);

	/* HS256 is not among the algorithms of section scoped */
	t = tok(NULL, "HS256", "hmac", "{\"iss\":\"" ISS_SCOPED "\",\"aud\":\""
	    AUD "\",\"sub\":\"alice\",\"scope\":\"mail.send mail.read\","
	    "\"exp\":%lld}", n + 600);
	refusal("OAUTHBEARER", t, NULL, "{\"status\":\"invalid_token\","
	    "\"openid-configuration\":\"" DISCOVERY_SCOPED "\"}", "HS256");
	mint_free(t);

	/* alg none */
	(void)snprintf(hdr, sizeof(hdr), "{\"alg\":\"none\"}");
	h = mint_b64url(hdr, strlen(hdr));
	c = mint_b64url("{\"iss\":\"" ISS "\",\"sub\":\"alice\"}",
	    strlen("{\"iss\":\"" ISS "\",\"sub\":\"alice\"}"));
	assert_non_null(h);
	assert_non_null(c);
	p = malloc(strlen(h) + strlen(c) + 3);
	assert_non_null(p);
	(void)snprintf(p, strlen(h) + strlen(c) + 3, "%s.%s.", h, c);
	refusal("OAUTHBEARER", p, NULL, JSON_BARE, "refused");
	free(p);
	mint_free(h);
	mint_free(c);

	/* not a JWS at all */
	refusal("OAUTHBEARER", "abc.def.ghi", NULL, JSON_BARE, "refused");
	refusal("XOAUTH2", "abc", "alice", GOOGLE, "refused");

	/* scope: insufficient_scope with the scope and the issuer */
	t = good_from(ISS_SCOPED, "alice", ",\"scope\":\"mail.read\"");
	refusal("OAUTHBEARER", t, NULL, JSON_SCOPE, "section=scoped");
	refusal("XOAUTH2", t, "alice", GOOGLE_SCOPE, "section=scoped");
	mint_free(t);
	t = good_from(ISS_SCOPED, "alice", ",\"scope\":\"mail.send mail.read\"");
	{
		exch x;

		exch_init(&x, "OAUTHBEARER", t);
		run(&x);
		expect_ok(&x, "alice", "alice");
		exch_done(&x);
	}
	mint_free(t);

	/* XOAUTH2's user must be the token's */
	t = good("alice");
	refusal("XOAUTH2", t, "bob", GOOGLE, "not bob");
	refusal("XOAUTH2", t, "Alice", GOOGLE, "not Alice");
	mint_free(t);
}

/* With one trusted section, even a stranger's token is told where the
 * issuer is; an empty auth= (discovery) is answered the same way. */
static void
test_one_section_discovery(void **state)
{
	char *t = good_from("https://evil.test", "alice", "");

	(void)state;
	start("corp", NULL);
	refusal("OAUTHBEARER", t, NULL, JSON_CORP, "evil.test");
	mint_free(t);
}

/* Keys that cannot be had: SASL_UNAVAIL at once, no challenge. */
static void
test_keys_unavailable(void **state)
{
	char *t = good_from(ISS_NET, "alice", "");
	const char *mechs[] = { "OAUTHBEARER", "XOAUTH2", "OAUTHBEARER" };
	size_t i;
	exch x;

	(void)state;
	start("net", NULL);
	for (i = 0; i < 3; i++) {
		exch_init(&x, mechs[i], t);
		x.authname = "alice";
		run(&x);
		assert_int_equal(x.cstart, SASL_CONTINUE);
		assert_int_equal(x.srv, SASL_UNAVAIL);
		assert_int_equal(x.rounds, 0);
		assert_string_equal(x.user, "");
		n_neg++;
		exch_done(&x);
	}
	assert_non_null(unit_log_find(&logs, "section=net"));
	assert_token_not_logged(t);
	mint_free(t);
}

/* ---- identities ------------------------------------------------------------------- */

static void
test_authzid_equal_mode(void **state)
{
	char *t = good("alice");
	exch x;

	(void)state;
	start("corp", "equal");

	exch_init(&x, "OAUTHBEARER", t);      /* absent */
	run(&x);
	expect_ok(&x, "alice", "alice");
	assert_true(strncmp(x.first, "n,,\001host=" FQDN "\001", 16) == 0);
	exch_done(&x);

	exch_init(&x, "OAUTHBEARER", t);      /* equal */
	x.authzid = "alice";
	run(&x);
	expect_ok(&x, "alice", "alice");
	assert_true(strncmp(x.first, "n,a=alice,\001", 11) == 0);
	exch_done(&x);

	exch_init(&x, "OAUTHBEARER", t);      /* different: refused */
	x.authzid = "bob";
	x.policy = true;
	run(&x);
	assert_int_equal(x.srv, SASL_NOAUTHZ);
	assert_int_equal(x.rounds, 0);
	assert_string_equal(x.user, "");
	assert_string_equal(x.policy_req, "");   /* never asked */
	assert_non_null(unit_log_find(&logs, "may not act as bob"));
	n_neg++;
	exch_done(&x);
	mint_free(t);
}

static void
test_authzid_proxy_mode(void **state)
{
	char *t = good("alice");
	exch x;

	(void)state;
	start("corp", "proxy");

	exch_init(&x, "OAUTHBEARER", t);      /* the host allows it */
	x.authzid = "bob";
	x.policy = true;
	run(&x);
	expect_ok(&x, "bob", "alice");
	assert_string_equal(x.policy_req, "alice->bob");
	assert_non_null(unit_log_find(&logs, "asks to act as bob"));
	exch_done(&x);

	exch_init(&x, "OAUTHBEARER", t);      /* the host refuses it */
	x.authzid = "carol";
	x.policy = true;
	run(&x);
	assert_int_equal(x.srv, SASL_NOAUTHZ);
	assert_string_equal(x.policy_req, "alice->carol");
	n_neg++;
	exch_done(&x);

	exch_init(&x, "OAUTHBEARER", t);      /* libsasl2's own policy */
	x.authzid = "bob";
	run(&x);
	assert_int_equal(x.srv, SASL_BADAUTH);
	assert_int_equal(x.rounds, 0);
	n_neg++;
	exch_done(&x);

	exch_init(&x, "OAUTHBEARER", t);      /* equal: no policy question */
	x.authzid = "alice";
	x.policy = true;
	run(&x);
	expect_ok(&x, "alice", "alice");
	exch_done(&x);
	mint_free(t);
}

/* ---- malformed messages, straight to the server ------------------------------------- */

typedef struct raw_case {
	const char *name;
	const char *mech;
	const char *msg;          /* "{T}" stands for a good token */
	size_t len;               /* 0: strlen after substitution */
	int rc;                   /* of sasl_server_start */
	const char *challenge;    /* expected with SASL_CONTINUE */
	const char *answer;       /* then sent ... */
	size_t answer_len;
	int rc2;                  /* ... and this expected */
} raw_case;

#define RAW(name, mech, msg, rc) { name, mech, msg, 0, rc, NULL, NULL, 0, 0 }
#define RAWN(name, mech, msg, rc) \
	{ name, mech, msg, sizeof(msg) - 1, rc, NULL, NULL, 0, 0 }
#define O "OAUTHBEARER"
#define X "XOAUTH2"

static const raw_case raw_cases[] = {
	/* accepted: the forms the grammar allows */
	RAW("plain", O, "n,,\001auth=Bearer {T}\001\001", SASL_OK),
	RAW("a= host port", O, "n,a=alice,\001host=mail.test\001port=143\001"
	    "auth=Bearer {T}\001\001", SASL_OK),
	RAW("scheme in capitals", O, "n,,\001auth=BEARER {T}\001\001", SASL_OK),
	RAW("unknown key", O, "n,,\001xfoo=bar baz\001auth=Bearer {T}\001\001",
	    SASL_OK),
	RAW("xoauth2", X, "user=alice\001auth=Bearer {T}\001\001", SASL_OK),
	RAW("xoauth2 lower-case scheme", X, "user=alice\001auth=bearer {T}"
	    "\001\001", SASL_OK),

	/* refused: malformed */
	RAW("missing final %x01", O, "n,,\001auth=Bearer {T}\001", SASL_BADPROT),
	RAW("no %x01 at all after auth", O, "n,,\001auth=Bearer {T}",
	    SASL_BADPROT),
	RAW("p=tls-unique", O, "p=tls-unique,,\001auth=Bearer {T}\001\001",
	    SASL_BADPROT),
	RAW("y,,", O, "y,,\001auth=Bearer {T}\001\001", SASL_BADPROT),
	RAW("duplicate auth", O, "n,,\001auth=Bearer {T}\001auth=Bearer {T}"
	    "\001\001", SASL_BADPROT),
	RAW("duplicate host", O, "n,,\001host=a\001host=a\001auth=Bearer {T}"
	    "\001\001", SASL_BADPROT),
	RAW("non-ALPHA key", O, "n,,\001x-y=1\001auth=Bearer {T}\001\001",
	    SASL_BADPROT),
	RAW("digit in key", O, "n,,\001auth2=x\001auth=Bearer {T}\001\001",
	    SASL_BADPROT),
	RAW("empty key", O, "n,,\001=x\001auth=Bearer {T}\001\001",
	    SASL_BADPROT),
	RAW("bad =xx escape", O, "n,a=al=2Dice,\001auth=Bearer {T}\001\001",
	    SASL_BADPROT),
	RAW("lower-case escape", O, "n,a=b=2co,\001auth=Bearer {T}\001\001",
	    SASL_BADPROT),
	RAW("escape cut short", O, "n,a=bob=3,\001auth=Bearer {T}\001\001",
	    SASL_BADPROT),
	RAW("a= with raw ','", O, "n,a=al,ice,\001auth=Bearer {T}\001\001",
	    SASL_BADPROT),
	RAW("empty a=", O, "n,a=,\001auth=Bearer {T}\001\001", SASL_BADPROT),
	RAW("control in a=", O, "n,a=al\tice,\001auth=Bearer {T}\001\001",
	    SASL_BADPROT),
	RAW("invalid UTF-8 in a=", O, "n,a=\xff\xfe,\001auth=Bearer {T}\001"
	    "\001", SASL_BADPROT),
	RAWN("NUL inside", O, "n,,\001auth=Bearer abc\0def\001\001",
	    SASL_BADPROT),
	RAWN("NUL in a=", O, "n,a=ali\0ce,\001auth=Bearer abc\001\001",
	    SASL_BADPROT),
	RAW("%x01 first", O, "\001auth=Bearer {T}\001\001", SASL_BADPROT),
	RAW("a lone %x01", O, "\001", SASL_BADPROT),
	RAW("no GS2 header", O, "auth=Bearer {T}\001\001", SASL_BADPROT),
	RAW("GS2 header cut", O, "n,\001auth=Bearer {T}\001\001",
	    SASL_BADPROT),
	RAW("authzid without a=", O, "n,alice,\001auth=Bearer {T}\001\001",
	    SASL_BADPROT),
	RAW("bearer scheme missing", O, "n,,\001auth={T}\001\001",
	    SASL_BADPROT),
	RAW("two spaces", O, "n,,\001auth=Bearer  {T}\001\001", SASL_BADPROT),
	RAW("tab after the scheme", O, "n,,\001auth=Bearer\t{T}\001\001",
	    SASL_BADPROT),
	RAW("Basic scheme", O, "n,,\001auth=Basic YWxpY2U6cHc=\001\001",
	    SASL_BADPROT),
	RAW("empty token", O, "n,,\001auth=Bearer \001\001", SASL_BADPROT),
	RAW("token not a b64token", O, "n,,\001auth=Bearer {T}$\001\001",
	    SASL_BADPROT),
	RAW("no auth", O, "n,,\001host=mail.test\001\001", SASL_BADPROT),
	RAW("no pairs", O, "n,,\001\001", SASL_BADPROT),
	RAW("port not a number", O, "n,,\001port=imap\001auth=Bearer {T}"
	    "\001\001", SASL_BADPROT),
	RAW("port out of range", O, "n,,\001port=70000\001auth=Bearer {T}"
	    "\001\001", SASL_BADPROT),
	RAW("control in a value", O, "n,,\001host=a\002b\001auth=Bearer {T}"
	    "\001\001", SASL_BADPROT),
	RAW("data after the end", O, "n,,\001auth=Bearer {T}\001\001x",
	    SASL_BADPROT),
	RAW("empty message", O, "", SASL_BADPROT),
	RAW("xoauth2 without the trailing %x01%x01", X, "user=alice\001"
	    "auth=Bearer {T}", SASL_BADPROT),
	RAW("xoauth2 with one trailing %x01", X, "user=alice\001auth=Bearer {T}"
	    "\001", SASL_BADPROT),
	RAW("xoauth2 empty user", X, "user=\001auth=Bearer {T}\001\001",
	    SASL_BADPROT),
	RAW("xoauth2 without user=", X, "auth=Bearer {T}\001\001",
	    SASL_BADPROT),
	RAW("xoauth2 user with a control", X, "user=al\003ice\001auth=Bearer "
	    "{T}\001\001", SASL_BADPROT),
	RAWN("xoauth2 NUL in user", X, "user=al\0ice\001auth=Bearer abc\001"
	    "\001", SASL_BADPROT),
	RAW("xoauth2 given an OAUTHBEARER message", X, "n,,\001auth=Bearer {T}"
	    "\001\001", SASL_BADPROT),
	RAW("xoauth2 two spaces", X, "user=alice\001auth=Bearer  {T}\001\001",
	    SASL_BADPROT),

	/* a challenge, then the client's answer */
	{ "empty auth= (discovery), then %x01", O, "n,,\001auth=\001\001", 0,
	  SASL_CONTINUE, JSON_CORP, "\001", 1, SASL_BADAUTH },
	{ "discovery, then something else", O, "n,,\001auth=\001\001", 0,
	  SASL_CONTINUE, JSON_CORP, "\001\001", 2, SASL_BADPROT },
	{ "discovery, then nothing", O, "n,,\001auth=\001\001", 0,
	  SASL_CONTINUE, JSON_CORP, "", 0, SASL_BADPROT },
	{ "expired, then %x01", O, "n,,\001auth=Bearer {E}\001\001", 0,
	  SASL_CONTINUE, JSON_CORP, "\001", 1, SASL_BADAUTH },
	{ "expired, then the message again", O, "n,,\001auth=Bearer {E}"
	  "\001\001", 0, SASL_CONTINUE, JSON_CORP,
	  "n,,\001auth=Bearer x\001\001", 19, SASL_BADPROT },
	{ "xoauth2 user mismatch, then empty", X, "user=bob\001auth=Bearer {T}"
	  "\001\001", 0, SASL_CONTINUE, GOOGLE, "", 0, SASL_BADAUTH },
	{ "xoauth2 user mismatch, then %x01", X, "user=bob\001auth=Bearer {T}"
	  "\001\001", 0, SASL_CONTINUE, GOOGLE, "\001", 1, SASL_BADAUTH },
	{ "xoauth2 user mismatch, then data", X, "user=bob\001auth=Bearer {T}"
	  "\001\001", 0, SASL_CONTINUE, GOOGLE, "junk", 4, SASL_BADPROT },
};

/* msg with {T} replaced by good and {E} by expired. */
static char *
fill(const char *msg, size_t len, const char *good_t, const char *exp_t,
    size_t *outlen)
{
	size_t cap = len + 2 * (strlen(good_t) + strlen(exp_t)) + 1, at = 0, i;
	char *out = malloc(cap);

	assert_non_null(out);
	for (i = 0; i < len; i++) {
		const char *rep = NULL;

		if (len - i >= 3 && memcmp(msg + i, "{T}", 3) == 0)
			rep = good_t;
		else if (len - i >= 3 && memcmp(msg + i, "{E}", 3) == 0)
			rep = exp_t;
		if (rep != NULL) {
			assert_true(at + strlen(rep) < cap);
			memcpy(out + at, rep, strlen(rep));
			at += strlen(rep);
			i += 2;
		} else {
			assert_true(at + 1 < cap);
			out[at++] = msg[i];
		}
	}
	out[at] = '\0';
	*outlen = at;
	return out;
}

static void
raw_one(const raw_case *rc, const char *good_t, const char *exp_t)
{
	sasl_conn_t *s = NULL;
	const char *out = NULL;
	unsigned outlen = 0;
	char user[256];
	size_t len;
	char *msg;
	int r;

	msg = fill(rc->msg, rc->len > 0 ? rc->len : strlen(rc->msg), good_t,
	    exp_t, &len);
	assert_int_equal(sasl_server_new(SERVICE, FQDN, NULL, SRV_ADDR,
	    CLI_ADDR, NULL, 0, &s), SASL_OK);
	r = sasl_server_start(s, rc->mech, msg, (unsigned)len, &out, &outlen);
	if (r != rc->rc)
		fail_msg("%s: sasl_server_start gave %d, expected %d", rc->name,
		    r, rc->rc);
	if (rc->challenge != NULL) {
		assert_non_null(out);
		if (outlen != strlen(rc->challenge) ||
		    memcmp(out, rc->challenge, outlen) != 0)
			fail_msg("%s: challenge %.*s", rc->name, (int)outlen,
			    out);
		r = sasl_server_step(s, rc->answer, (unsigned)rc->answer_len,
		    &out, &outlen);
		if (r != rc->rc2)
			fail_msg("%s: sasl_server_step gave %d, expected %d",
			    rc->name, r, rc->rc2);
	}
	prop_copy(s, SASL_USERNAME, user, sizeof(user));
	if (rc->rc == SASL_OK) {
		assert_string_equal(user, "alice");
		n_pos++;
	} else {
		if (user[0] != '\0')
			fail_msg("%s: logged in as %s", rc->name, user);
		n_neg++;
	}
	sasl_dispose(&s);
	free(msg);
}

static void
test_malformed(void **state)
{
	char *g = good("alice"), *e;
	size_t i;

	(void)state;
	e = tok(k_ec256, "ES256", "ec256", "{\"iss\":\"" ISS "\",\"aud\":\""
	    AUD "\",\"sub\":\"alice\",\"exp\":%lld}", now() - 3600);
	start("corp", NULL);
	for (i = 0; i < sizeof(raw_cases) / sizeof(raw_cases[0]); i++)
		raw_one(&raw_cases[i], g, e);
	assert_non_null(unit_log_find(&logs, "malformed client message"));
	assert_non_null(unit_log_find(&logs, "discovery request"));
	mint_free(g);
	mint_free(e);
}

/* A message longer than any the server takes. */
static void
test_oversized(void **state)
{
	size_t n = 65536 + 4096 + 100, i;
	const char *out = NULL;
	unsigned outlen = 0;
	sasl_conn_t *s = NULL;
	char *msg = malloc(n);

	(void)state;
	assert_non_null(msg);
	memcpy(msg, "n,,\001auth=Bearer ", 16);
	for (i = 16; i < n - 2; i++)
		msg[i] = 'a';
	msg[n - 2] = msg[n - 1] = '\001';
	start("corp", NULL);
	assert_int_equal(sasl_server_new(SERVICE, FQDN, NULL, SRV_ADDR,
	    CLI_ADDR, NULL, 0, &s), SASL_OK);
	assert_int_equal(sasl_server_start(s, "OAUTHBEARER", msg,
	    (unsigned)n, &out, &outlen), SASL_BADPROT);
	assert_non_null(unit_log_find(&logs, "message too long"));
	n_neg++;
	sasl_dispose(&s);
	free(msg);
}

/* A token of exactly max_token_size bytes (65536, the largest the
 * configuration allows) is accepted through both mechanisms: the plugin's
 * own message bound leaves room for it.  One byte more is refused by the
 * core, with the limit in the log. */
static void
test_max_token_size_exact(void **state)
{
	char text[1024], claims[256], *conf, *t;
	exch x;

	(void)state;
	(void)snprintf(text, sizeof(text), "[global]\nmax_token_size = 65536\n"
	    "\n[issuer corp]\nissuer = " ISS "\naudience = " AUD "\n"
	    "jwks_file = %s/jwks.json\n", dir);
	write_or_die("big.conf", 0644, text);
	conf = path_of("big.conf");
	start_with(conf, "corp", NULL);
	(void)snprintf(claims, sizeof(claims), "{\"iss\":\"" ISS "\",\"aud\":"
	    "\"" AUD "\",\"sub\":\"alice\",\"exp\":%lld}", now() + 600);
	t = mint_sign_sized(k_ec256, "ES256", "ec256", claims, 65536);
	assert_non_null(t);
	assert_int_equal(strlen(t), 65536);
	exch_init(&x, "OAUTHBEARER", t);
	run(&x);
	expect_ok(&x, "alice", "alice");
	exch_done(&x);
	exch_init(&x, "XOAUTH2", t);
	x.authname = "alice";
	run(&x);
	expect_ok(&x, "alice", "alice");
	exch_done(&x);
	mint_free(t);
	t = mint_sign_sized(k_ec256, "ES256", "ec256", claims, 65537);
	assert_non_null(t);
	assert_int_equal(strlen(t), 65537);
	refusal("OAUTHBEARER", t, NULL, JSON_CORP, "65536");
	refusal("XOAUTH2", t, "alice", GOOGLE, "65536");
	mint_free(t);
	free(conf);
}

/* A client that goes away in the middle of an exchange (after the error
 * challenge, before its %x01; or after its first message, before the
 * server's step) leaves nothing behind: the host disposes of the
 * connection, and the next exchanges are served as before. */
static void
test_client_gone(void **state)
{
	char *bad = tok(k_stranger, "ES256", "ec256", "{\"iss\":\"" ISS "\","
	    "\"aud\":\"" AUD "\",\"sub\":\"alice\",\"exp\":%lld}",
	    now() + 600);
	char *t = good("alice"), msg[4096];
	const char *out = NULL;
	unsigned outlen = 0;
	sasl_conn_t *s = NULL;
	int i, n, rc;
	exch x;

	(void)state;
	start("corp", NULL);
	n = snprintf(msg, sizeof(msg), "n,,\001auth=Bearer %s\001\001", bad);
	assert_true(n > 0 && (size_t)n < sizeof(msg));
	for (i = 0; i < 20; i++) {
		/* gone after the error challenge */
		assert_int_equal(sasl_server_new(SERVICE, FQDN, NULL, SRV_ADDR,
		    CLI_ADDR, NULL, 0, &s), SASL_OK);
		rc = sasl_server_start(s, "OAUTHBEARER", msg, (unsigned)n, &out,
		    &outlen);
		assert_int_equal(rc, SASL_CONTINUE);
		assert_non_null(out);
		assert_non_null(strstr(out, "invalid_token"));
		sasl_dispose(&s);
		assert_null(s);
		/* gone before the first message */
		assert_int_equal(sasl_server_new(SERVICE, FQDN, NULL, SRV_ADDR,
		    CLI_ADDR, NULL, 0, &s), SASL_OK);
		rc = sasl_server_start(s, "XOAUTH2", NULL, 0, &out, &outlen);
		assert_int_equal(rc, SASL_CONTINUE);
		sasl_dispose(&s);
		/* the next client is served */
		exch_init(&x, i % 2 == 0 ? "OAUTHBEARER" : "XOAUTH2", t);
		x.authname = "alice";
		run(&x);
		expect_ok(&x, "alice", "alice");
		exch_done(&x);
	}
	mint_free(bad);
	mint_free(t);
}

/* ---- offered or not -------------------------------------------------------------- */

/* Whether the server conn lists mech. */
static bool
listed(const char *mech)
{
	sasl_conn_t *s = NULL;
	const char *list = NULL;
	unsigned len = 0;
	int count = 0, r;
	bool found = false;

	assert_int_equal(sasl_server_new(SERVICE, FQDN, NULL, SRV_ADDR,
	    CLI_ADDR, NULL, 0, &s), SASL_OK);
	r = sasl_listmech(s, NULL, " ", " ", " ", &list, &len, &count);
	if (r == SASL_OK && list != NULL) {
		char pat[64];

		(void)snprintf(pat, sizeof(pat), " %s ", mech);
		found = strstr(list, pat) != NULL;
	}
	sasl_dispose(&s);
	return found;
}

static void
expect_not_offered(const char *why)
{
	sasl_conn_t *s = NULL;
	const char *out = NULL;
	unsigned outlen = 0;
	char *t = good("alice");
	char msg[2048];

	assert_false(listed("OAUTHBEARER"));
	assert_false(listed("XOAUTH2"));
	(void)snprintf(msg, sizeof(msg), "n,,\001auth=Bearer %s\001\001", t);
	assert_int_equal(sasl_server_new(SERVICE, FQDN, NULL, SRV_ADDR,
	    CLI_ADDR, NULL, 0, &s), SASL_OK);
	assert_int_equal(sasl_server_start(s, "OAUTHBEARER", msg,
	    (unsigned)strlen(msg), &out, &outlen), SASL_NOMECH);
	sasl_dispose(&s);
	if (unit_log_find(&logs, why) == NULL)
		fail_msg("no log line holds \"%s\"", why);
	mint_free(t);
	n_neg++;
}

static void
test_offered_only_when_configured(void **state)
{
	char *missing = path_of("missing.conf"), *broken = path_of("broken.conf");
	char *loose = path_of("loose.conf");

	(void)state;
	start(NULL, NULL);
	expect_not_offered("jwt_issuers is not set");
	stop();

	start(" , ", NULL);
	expect_not_offered("jwt_issuers is not set");
	stop();

	start("nosuch", NULL);
	expect_not_offered("no issuer section named nosuch");
	stop();

	start("corp", "sometimes");
	expect_not_offered("jwt_authzid");
	stop();

	start_with("jwt-auth.conf", "corp", NULL);
	expect_not_offered("jwt_config: not an absolute path");
	stop();

	start_with(missing, "corp", NULL);
	expect_not_offered("missing.conf");
	stop();

	start_with(broken, "corp", NULL);
	expect_not_offered("frobnicate");
	stop();

	start_with(loose, "corp", NULL);
	expect_not_offered("loose.conf");
	stop();

	start("corp", NULL);
	assert_true(listed("OAUTHBEARER"));
	assert_true(listed("XOAUTH2"));
	n_pos++;
	free(missing);
	free(broken);
	free(loose);
}

/* ---- a changed configuration, without a restart ------------------------------------ */

static void
test_reload(void **state)
{
	mint_jwks_entry e[2];
	char *conf = path_of("reload.conf"), *jwks;
	char *t = tok(k_new, "ES256", "new", "{\"iss\":\"" ISS "\",\"aud\":\""
	    AUD "\",\"sub\":\"alice\",\"exp\":%lld}", now() + 600);
	struct timespec wait = { 5, 300 * 1000 * 1000 };
	exch x;

	(void)state;
	start_with(conf, "corp", NULL);
	refusal("OAUTHBEARER", t, NULL, JSON_CORP, "kid new");

	memset(e, 0, sizeof(e));
	e[0].key = k_ec256;
	e[0].opts.kid = "ec256";
	e[1].key = k_new;
	e[1].opts.kid = "new";
	jwks = jwks_of(e, 2);
	replace_file("jwks-reload.json", 0644, jwks);
	mint_free(jwks);
	(void)nanosleep(&wait, NULL);
	exch_init(&x, "OAUTHBEARER", t);
	run(&x);
	expect_ok(&x, "alice", "alice");
	assert_non_null(unit_log_find(&logs, "changed: context rebuilt"));
	exch_done(&x);

	/* a broken configuration: nothing is offered any more */
	replace_file("reload.conf", 0644, "[issuer corp]\nissuer = " ISS "\n"
	    "audience = " AUD "\nbogus_key = 1\n");
	(void)nanosleep(&wait, NULL);
	expect_not_offered("no longer offered after a change");
	free(conf);
	mint_free(t);
}

/* ---- the exported symbols --------------------------------------------------------- */

static void
test_exports(void **state)
{
	static const char *const hidden[] = {
		"sjwt_acquire", "sjwt_release", "sjwt_verify",
		"sjwt_parse_oauthbearer", "sjwt_parse_xoauth2",
		"oauthbearer_server_table", "xoauth2_client_table",
		"jwtc_verify", "jwtc_config_load", "jwtc_ctx_new",
		"sasl_server_add_plugin",
	};
	void *h;
	size_t i;

	(void)state;
	h = dlopen(plugin_so, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		fail_msg("dlopen %s: %s", plugin_so, dlerror());
	assert_non_null(dlsym(h, "sasl_server_plug_init"));
	assert_non_null(dlsym(h, "sasl_client_plug_init"));
	n_pos++;
	for (i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
		void *sym = dlsym(h, hidden[i]);

		if (sym != NULL) {
			Dl_info info;

			/* found, but only in another object: fine */
			if (dladdr(sym, &info) != 0 && info.dli_fname != NULL &&
			    strstr(info.dli_fname, "libsasl_jwt") != NULL)
				fail_msg("%s is exported", hidden[i]);
		}
		n_neg++;
	}
	(void)dlclose(h);
}

/* ---- many threads, one server context ------------------------------------------------ */

typedef struct worker {
	pthread_t th;
	char user[16];
	char *token;
	int ok, bad;
	char why[128];
} worker;

static void *
work(void *arg)
{
	worker *w = arg;
	int i;
	exch x;

	for (i = 0; i < BINDS; i++) {
		exch_init(&x, "OAUTHBEARER", w->token);
		run(&x);
		if (x.srv == SASL_OK && strcmp(x.user, w->user) == 0 &&
		    strcmp(x.authid, w->user) == 0)
			w->ok++;
		else if (w->bad++ == 0)
			(void)snprintf(w->why, sizeof(w->why), "server %d, user "
			    "%.64s", x.srv, x.user);
		exch_done(&x);
	}
	return NULL;
}

static void
test_threads(void **state)
{
	worker w[THREADS];
	struct timespec a, b;
	double secs;
	int i, ok = 0;

	(void)state;
	start("corp", NULL);
	memset(w, 0, sizeof(w));
	for (i = 0; i < THREADS; i++) {
		(void)snprintf(w[i].user, sizeof(w[i].user), "user%d", i);
		w[i].token = good(w[i].user);
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&w[i].th, NULL, work, &w[i]), 0);
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(w[i].th, NULL), 0);
	(void)clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	for (i = 0; i < THREADS; i++) {
		if (w[i].bad != 0)
			fail_msg("thread %d: %d failed (%s)", i, w[i].bad,
			    w[i].why);
		ok += w[i].ok;
		mint_free(w[i].token);
	}
	assert_int_equal(ok, THREADS * BINDS);
	printf("# sasl: %d OAUTHBEARER ES256 binds (client and server through "
	    "libsasl2) by %d threads through one server context in %.2f s: "
	    "%.0f binds/s\n", ok, THREADS, secs, secs > 0 ? ok / secs : 0.0);
	n_pos++;
}

int
main(void)
{
	const char *top = getenv("top_builddir");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exports),
		cmocka_unit_test_teardown(test_every_algorithm, teardown_stop),
		cmocka_unit_test_teardown(test_client_messages, teardown_stop),
		cmocka_unit_test_teardown(test_client_token_checks,
		    teardown_stop),
		cmocka_unit_test_teardown(test_refusals, teardown_stop),
		cmocka_unit_test_teardown(test_one_section_discovery,
		    teardown_stop),
		cmocka_unit_test_teardown(test_authzid_equal_mode,
		    teardown_stop),
		cmocka_unit_test_teardown(test_authzid_proxy_mode,
		    teardown_stop),
		cmocka_unit_test_teardown(test_malformed, teardown_stop),
		cmocka_unit_test_teardown(test_oversized, teardown_stop),
		cmocka_unit_test_teardown(test_max_token_size_exact,
		    teardown_stop),
		cmocka_unit_test_teardown(test_client_gone, teardown_stop),
		cmocka_unit_test_teardown(test_offered_only_when_configured,
		    teardown_stop),
		cmocka_unit_test_teardown(test_keys_unavailable,
		    teardown_stop),
		cmocka_unit_test_teardown(test_threads, teardown_stop),
		cmocka_unit_test_teardown(test_reload, teardown_stop),
	};
	struct stat st;
	int failed;

	if (top == NULL || top[0] == '\0')
		unit_skip("top_builddir is not set (run through make check)");
	plugdir = unit_path(top, "sasl_jwt/.libs");
	plugin_so = unit_path(top, "sasl_jwt/.libs/libsasl_jwt.so");
	if (plugdir == NULL || plugin_so == NULL)
		return 99;
	if (stat(plugin_so, &st) != 0)
		unit_skip("%s is not built", plugin_so);
	dir = unit_tmpdir();
	if (dir == NULL)
		return 99;
	unit_log_init(&logs);
	setup_files();
	conf_main = path_of("jwt-auth.conf");
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	printf("# test_sasl: %zu positive and %zu negative cases\n", n_pos,
	    n_neg);
	if (failed == 0 && n_neg <= n_pos) {
		printf("# negative cases must outnumber positive ones\n");
		failed = 1;
	}
	unit_log_done(&logs);
	unit_rmtree(dir);
	free(dir);
	free(conf_main);
	free(confdir);
	free(plugdir);
	free(plugin_so);
	mint_key_free(k_rsa);
	mint_key_free(k_ec256);
	mint_key_free(k_ec384);
	mint_key_free(k_ec521);
	mint_key_free(k_ed25519);
	mint_key_free(k_ed448);
	mint_key_free(k_stranger);
	mint_key_free(k_new);
	return failed == 0 ? 0 : 1;
}
