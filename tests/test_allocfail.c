/*
 * test_allocfail.c - allocation failure along the paths that see outside
 * bytes: for every n, the n-th allocation made by the project or by
 * jansson fails (once only the n-th, once the n-th and every one after
 * it), and the operation must either refuse as out of memory (the code
 * and a message set, outputs untouched) or give exactly the answer of a
 * run without failures; never crash, and leave no allocation behind.  The
 * loop over n stops at the first run that completes without reaching the
 * n-th allocation.  The number of runs is printed per path.
 *
 * The project's allocations are caught by linking this program with
 * -Wl,--wrap for malloc, calloc, realloc, strdup, strndup and free: the
 * linker sends the calls of every object linked in (the core, the SASL
 * plugin's code, this file) to the __wrap_ functions below, while the
 * shared libraries (OpenSSL, libsasl2, libc) keep calling the real ones.
 * jansson's allocations are caught by json_set_alloc_funcs, which is
 * process-wide: hence a program of its own.  Every pointer handed out
 * through either is recorded until it is freed, so that what an
 * operation leaves behind can be counted.
 *
 * Paths: jwtc_verify on a warm context (tokens of RS256, PS256, ES256,
 * EdDSA and HS256 accepted, and refused ones), then the result's
 * accessors; a cold start (configuration, context, verification); the
 * JWKS parse; the OAUTHBEARER and XOAUTH2 server steps through the real
 * libsasl2 (the plugin's code linked in and added with
 * sasl_server_add_plugin, so that its calls are wrapped too), and the
 * plugin's start-up.  Everything is done once before failures are
 * injected, so that OpenSSL and the core's process-wide state are set up.
 *
 * jansson, when its token buffer cannot grow, drops a byte and goes on
 * parsing: jwtc_json_parse compares the strings it got with those of the
 * text.  That comparison must never refuse right text: it is tried on
 * every kind of escape and on the fuzz corpora's JSON documents.
 */
#include "unit.h"

#include <dirent.h>
#include <time.h>

#include "internal.h"
#include "mintlib.h"

#ifdef ALLOCFAIL_SASL
#include <sasl/sasl.h>
#include <sasl/saslplug.h>

#include "saslcb.h"
#endif

/* The longest run of allocations a path may take; a loop that gets there
 * is a failure (an operation that never ends). */
#define MAX_TRIES 100000

/* ---- the counting allocator ----------------------------------------------------- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
void __wrap_free(void *p);

#define SLOT_BITS 18
#define SLOTS ((size_t)1 << SLOT_BITS)

enum { SRC_PROJECT, SRC_JANSSON };

static struct {
	pthread_mutex_t mu;
	void *slot[SLOTS];         /* open addressing, linear probing */
	size_t live;               /* pointers recorded */
	bool armed;
	bool persist;              /* fail every allocation from fail_at on */
	unsigned long fail_at;     /* the allocation to fail, from 1 */
	unsigned long count;       /* allocations seen while armed */
	unsigned long by_src[2];
	bool hit;                  /* the failure was injected */
	int hit_src;               /* whose allocation failed first */
	size_t hit_size;           /* and its size */
} A = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void
fatal(const char *what)
{
	fprintf(stderr, "test_allocfail: %s\n", what);
	_exit(99);
}

static size_t
slot_of(const void *p)
{
	uint64_t h = (uint64_t)(uintptr_t)p * UINT64_C(0x9e3779b97f4a7c15);

	return (size_t)(h >> (64 - SLOT_BITS));
}

/* Record p; A.mu held. */
static void
record(void *p)
{
	size_t i = slot_of(p);

	if (A.live >= SLOTS / 2)
		fatal("too many live allocations to record");
	while (A.slot[i] != NULL) {
		if (A.slot[i] == p)
			fatal("an address handed out twice");
		i = (i + 1) & (SLOTS - 1);
	}
	A.slot[i] = p;
	A.live++;
}

/* Forget p when it is recorded (backward-shift deletion); A.mu held. */
static void
forget(const void *p)
{
	size_t i = slot_of(p), j, k;

	while (A.slot[i] != p) {
		if (A.slot[i] == NULL)
			return;          /* not handed out by us */
		i = (i + 1) & (SLOTS - 1);
	}
	A.slot[i] = NULL;
	A.live--;
	j = i;
	for (;;) {
		j = (j + 1) & (SLOTS - 1);
		if (A.slot[j] == NULL)
			break;
		k = slot_of(A.slot[j]);
		/* move slot j back to i unless its home lies in (i, j] */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		A.slot[i] = A.slot[j];
		A.slot[j] = NULL;
		i = j;
	}
}

/* Whether this allocation is the one to fail. */
static bool
inject(int src, size_t size)
{
	bool fail = false;

	(void)pthread_mutex_lock(&A.mu);
	if (A.armed) {
		A.count++;
		A.by_src[src]++;
		if (A.fail_at != 0 && (A.count == A.fail_at ||
		    (A.persist && A.count > A.fail_at))) {
			if (!A.hit) {
				A.hit_src = src;
				A.hit_size = size;
			}
			A.hit = true;
			fail = true;
		}
	}
	(void)pthread_mutex_unlock(&A.mu);
	if (fail)
		errno = ENOMEM;
	return fail;
}

static void *
track(void *p)
{
	if (p != NULL) {
		(void)pthread_mutex_lock(&A.mu);
		record(p);
		(void)pthread_mutex_unlock(&A.mu);
	}
	return p;
}

static void
untrack(const void *p)
{
	if (p != NULL) {
		(void)pthread_mutex_lock(&A.mu);
		forget(p);
		(void)pthread_mutex_unlock(&A.mu);
	}
}

void *
__wrap_malloc(size_t n)
{
	if (inject(SRC_PROJECT, n))
		return NULL;
	return track(__real_malloc(n));
}

void *
__wrap_calloc(size_t n, size_t size)
{
	if (inject(SRC_PROJECT, n * size))
		return NULL;
	return track(__real_calloc(n, size));
}

void *
__wrap_realloc(void *p, size_t n)
{
	void *q;

	if (inject(SRC_PROJECT, n))
		return NULL;
	(void)pthread_mutex_lock(&A.mu);
	q = __real_realloc(p, n);
	if (q != NULL || n == 0) {
		if (p != NULL)
			forget(p);
		if (q != NULL)
			record(q);
	}
	(void)pthread_mutex_unlock(&A.mu);
	return q;
}

char *
__wrap_strdup(const char *s)
{
	if (inject(SRC_PROJECT, strlen(s) + 1))
		return NULL;
	return track(__real_strdup(s));
}

char *
__wrap_strndup(const char *s, size_t n)
{
	if (inject(SRC_PROJECT, strnlen(s, n) + 1))
		return NULL;
	return track(__real_strndup(s, n));
}

void
__wrap_free(void *p)
{
	untrack(p);
	__real_free(p);
}

static void *
json_malloc(size_t n)
{
	if (inject(SRC_JANSSON, n))
		return NULL;
	return track(__real_malloc(n));
}

static void
json_free(void *p)
{
	untrack(p);
	__real_free(p);
}

static size_t
live_now(void)
{
	size_t n;

	(void)pthread_mutex_lock(&A.mu);
	n = A.live;
	(void)pthread_mutex_unlock(&A.mu);
	return n;
}

/* Whether arm() fails every allocation from the n-th on, not just it. */
static bool persist;

/* Fail allocation n (from 1; 0: none) of what follows, and with persist
 * every one after it too. */
static void
arm(unsigned long n)
{
	(void)pthread_mutex_lock(&A.mu);
	A.armed = true;
	A.persist = persist;
	A.fail_at = n;
	A.count = 0;
	A.by_src[0] = A.by_src[1] = 0;
	A.hit = false;
	(void)pthread_mutex_unlock(&A.mu);
}

/* Allocations seen by the last armed window: the project's, jansson's. */
static unsigned long last_proj, last_json;

/* Stop counting; whether the failure was injected. */
static bool
disarm(void)
{
	bool hit;

	(void)pthread_mutex_lock(&A.mu);
	A.armed = false;
	hit = A.hit;
	last_proj = A.by_src[SRC_PROJECT];
	last_json = A.by_src[SRC_JANSSON];
	(void)pthread_mutex_unlock(&A.mu);
	return hit;
}

static unsigned long
counted(void)
{
	unsigned long n;

	(void)pthread_mutex_lock(&A.mu);
	n = A.count;
	(void)pthread_mutex_unlock(&A.mu);
	return n;
}

/* ---- what was tried ------------------------------------------------------------- */

typedef struct tally {
	const char *path;
	unsigned long tried;       /* runs with an injected failure */
	unsigned long recovered;   /* of those, right answers all the same */
	unsigned long proj, json;  /* allocations of the full runs */
} tally;

static tally t_warm = { "verify (warm context)", 0, 0, 0, 0 };
static tally t_cold = { "config + context + verify (cold)", 0, 0, 0, 0 };
static tally t_jwks = { "JWKS parse", 0, 0, 0, 0 };
static tally t_json = { "JSON parse", 0, 0, 0, 0 };
static tally t_sasl = { "SASL server step", 0, 0, 0, 0 };
static tally t_init = { "SASL plugin start-up", 0, 0, 0, 0 };

/* Set by an operation run with a failure injected that still gave the
 * right answer (the failure was absorbed, e.g. by parsing again). */
static bool recovered;

/* Note the allocations of a completed run (no failure reached). */
static void
tally_full(tally *t, unsigned long proj, unsigned long json)
{
	t->proj += proj;
	t->json += json;
}

static void
tally_print(const tally *t)
{
	printf("# %s: %lu runs with failed allocations (n-th only, and n-th "
	    "onwards), %lu of them still right, %lu refused as out of "
	    "memory; a full run of all its operations makes %lu project and "
	    "%lu jansson allocations\n", t->path, t->tried, t->recovered,
	    t->tried - t->recovered, t->proj, t->json);
}

/* An operation with allocation n failing (0: none); whether a failure was
 * injected.  It makes its own assertions. */
typedef bool (*once_fn)(size_t which, unsigned long n);

/*
 * Run an operation with allocation 1, 2, ... failing until one completes
 * without reaching the failure; once failing only the n-th, once failing
 * every allocation from the n-th on.  After each run, as many allocations
 * are live as before it.
 */
static void
run_path(tally *t, once_fn fn, size_t which, const char *name)
{
	unsigned long n;
	size_t base;
	int mode;

	for (mode = 0; mode < 2; mode++) {
		persist = mode == 1;
		/* once without a failure: whatever is set up on first use */
		(void)fn(which, 0);
		base = live_now();
		for (n = 1; n < MAX_TRIES; n++) {
			bool hit;

			recovered = false;
			hit = fn(which, n);
			if (live_now() != base)
				print_error("%s: allocation %lu%s failing: %zu "
				    "allocations live after it, %zu before\n",
				    name, n, persist ? " on" : "", live_now(),
				    base);
			assert_int_equal(live_now(), base);
			if (!hit) {
				if (!persist)
					tally_full(t, last_proj, last_json);
				break;
			}
			t->tried++;
			if (recovered)
				t->recovered++;
		}
		assert_true(n < MAX_TRIES);
	}
	persist = false;
}

/* ---- fixtures ------------------------------------------------------------------- */

#define ISS "https://idp.test"
#define ISS_RULES "https://rules.test"
#define ISS_NET "https://net.test"     /* keys from its cache file only */
#define AUD "api"
#define NOW 1700000000LL

static char *dir;
static char *conf_text, *conf_path;
static char *jwks_text;            /* the JWKS of every kind of key */
static char *main_jwks_text;       /* the keys of the sections */
static char *cache_dir, cache_name[JWTC_CACHE_NAME_LEN];
static size_t jwks_usable, jwks_skipped;
/* its kids: the usable keys, then the skipped ones, in document order */
static const char *const jwks_kids[] = { "rsa", "ec", "ed", "ec384",
    "ec521", "ed448", "enc", "small", "o", "x" };
static jwtc_ctx *warm_ctx;
static EVP_PKEY *k_rsa, *k_ec256, *k_ed25519, *k_stranger;
static unsigned char hmac[32];
static int64_t now_fixed = NOW;

/* The core's log lines, kept without allocating (the sink runs while
 * failures are injected; an allocation here would be counted). */
static char last_log[1024];

static void
log_keep(void *arg, int priority, const char *msg)
{
	(void)arg;
	(void)priority;
	(void)snprintf(last_log, sizeof(last_log), "%s", msg);
}

static void die(const char *what) __attribute__((noreturn));

static void
die(const char *what)
{
	fprintf(stderr, "test_allocfail: cannot make %s\n", what);
	exit(99);
}

static EVP_PKEY *
key_or_die(const char *type)
{
	EVP_PKEY *k = mint_key_gen(type);

	if (k == NULL)
		die(type);
	return k;
}

static char *
write_or_die(const char *name, mode_t mode, const char *text)
{
	char *p = unit_write_text(dir, name, mode, text);

	if (p == NULL)
		die(name);
	return p;
}

static void
make_files(void)
{
	mint_jwks_entry e[12];
	EVP_PKEY *k_ec384, *k_ec521, *k_ed448, *k_small;
	char *main_jwks, *secret, *p, *q;
	size_t n = 0;
	char buf[4096];

	k_rsa = key_or_die("rsa2048");
	k_ec256 = key_or_die("ec256");
	k_ed25519 = key_or_die("ed25519");
	k_stranger = key_or_die("ec256");
	k_ec384 = key_or_die("ec384");
	k_ec521 = key_or_die("ec521");
	k_ed448 = key_or_die("ed448");
	k_small = mint_key_rsa(1024, 65537);
	if (k_small == NULL)
		die("rsa1024");

	memset(e, 0, sizeof(e));
	e[n].key = k_rsa;
	e[n++].opts.kid = "rsa";
	e[n].key = k_ec256;
	e[n].opts.kid = "ec";
	e[n].opts.use = "sig";
	e[n++].opts.alg = "ES256";
	e[n].key = k_ed25519;
	e[n].opts.kid = "ed";
	e[n++].opts.key_ops = "verify";
	main_jwks = mint_jwks(e, n);
	if (main_jwks == NULL)
		die("a JWKS");
	free(write_or_die("main.jwks", 0644, main_jwks));
	main_jwks_text = strdup(main_jwks);
	mint_free(main_jwks);
	if (main_jwks_text == NULL)
		die("a JWKS");

	/* the JWKS of the parse path: every kind of usable key, and keys
	 * that are recorded as skipped */
	e[n].key = k_ec384;
	e[n++].opts.kid = "ec384";
	e[n].key = k_ec521;
	e[n++].opts.kid = "ec521";
	e[n].key = k_ed448;
	e[n++].opts.kid = "ed448";
	e[n].key = k_stranger;
	e[n].opts.kid = "enc";
	e[n++].opts.use = "enc";
	jwks_usable = n;
	e[n].key = k_small;
	e[n++].opts.kid = "small";
	p = mint_jwks(e, n);
	if (p == NULL)
		die("a JWKS");
	/* and two that are not public keys we take: an oct key, an
	 * unknown kty */
	q = strrchr(p, ']');
	if (q == NULL)
		die("a JWKS");
	*q = '\0';
	(void)snprintf(buf, sizeof(buf), "%s,{\"kty\":\"oct\",\"kid\":\"o\","
	    "\"k\":\"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0\"},{\"kty\":\"XYZ\","
	    "\"kid\":\"x\"}]}", p);
	mint_free(p);
	jwks_skipped = 3;
	jwks_text = strdup(buf);
	if (jwks_text == NULL)
		die("a JWKS");
	mint_key_free(k_ec384);
	mint_key_free(k_ec521);
	mint_key_free(k_ed448);
	mint_key_free(k_small);

	if (mint_random(hmac, sizeof(hmac)) != 0)
		die("an HMAC secret");
	secret = mint_b64url(hmac, sizeof(hmac));
	if (secret == NULL)
		die("an HMAC secret");
	free(write_or_die("hmac.key", 0600, secret));
	mint_free(secret);

	(void)snprintf(buf, sizeof(buf),
	    "[global]\nleeway = 30\ncache_dir = %s/cache\n\n"
	    "[issuer main]\nissuer = " ISS "\naudience = " AUD " other\n"
	    "jwks_file = %s/main.jwks\nhmac_secret_file = %s/hmac.key\n"
	    "algorithms = RS256 PS256 ES256 EdDSA HS256\n\n"
	    "[issuer rules]\nissuer = " ISS_RULES "\naudience = " AUD "\n"
	    "jwks_file = %s/main.jwks\nusername_claim = email\n"
	    "username_domain = example.com\nallowed_groups = admins ops\n"
	    "required_scope = read write\nrequired_claims = jti\n"
	    "claim_values = azp=client1 email_verified=true\n\n"
	    "[issuer net]\nissuer = " ISS_NET "\naudience = " AUD "\n"
	    "jwks_uri = https://127.0.0.1:1/jwks\nhttp_timeout = 1\n",
	    dir, dir, dir, dir);
	conf_text = strdup(buf);
	if (conf_text == NULL)
		die("a configuration");
	conf_path = write_or_die("jwt-auth.conf", 0644, conf_text);
}

/* The cache file of section net, fresh at NOW: its keys are those of
 * main.jwks.  Written again before each cold start, since a refresh
 * (which nothing here should cause) would record its failure in it. */
static void
write_cache(void)
{
	jwtc_cache_entry e;
	jwtc_error err;
	int fd;

	memset(&e, 0, sizeof(e));
	memset(&err, 0, sizeof(err));
	e.issuer = (char *)(uintptr_t)ISS_NET;
	e.jwks_uri = (char *)(uintptr_t)"https://127.0.0.1:1/jwks";
	e.jwks = main_jwks_text;
	e.jwks_len = strlen(main_jwks_text);
	e.fetched_at = e.last_attempt = NOW - 60;
	e.fresh_until = NOW + 86400 * 365;
	e.stale_until = e.fresh_until + 86400;
	fd = open(cache_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || jwtc_cache_write(fd, cache_name, &e, &err) != JWTC_OK) {
		fprintf(stderr, "cache file: %s\n", err.msg);
		exit(99);
	}
	(void)close(fd);
}

static void
make_cache(void)
{
	jwtc_config *cfg = NULL;
	jwtc_error err;
	char lock[JWTC_CACHE_NAME_LEN];
	size_t i;

	memset(&err, 0, sizeof(err));
	cache_dir = unit_path(dir, "cache");
	if (cache_dir == NULL || mkdir(cache_dir, 0700) != 0)
		die("the cache directory");
	if (jwtc_config_parse("allocfail.conf", conf_text, strlen(conf_text),
	    &cfg, &err) != JWTC_OK) {
		fprintf(stderr, "configuration: %s\n", err.msg);
		exit(99);
	}
	for (i = 0; i < cfg->n_issuers; i++)
		if (strcmp(cfg->issuers[i].issuer, ISS_NET) == 0)
			jwtc_cache_names(&cfg->issuers[i], cache_name, lock);
	jwtc_config_free(cfg);
	if (cache_name[0] == '\0')
		die("the cache file name");
	write_cache();
}

/* ---- tokens --------------------------------------------------------------------- */

static char *
sign(EVP_PKEY *key, const char *alg, const char *kid, const char *claims)
{
	char hdr[128];
	char *t;

	if (kid != NULL)
		(void)snprintf(hdr, sizeof(hdr), "{\"typ\":\"JWT\","
		    "\"kid\":\"%s\"}", kid);
	else
		(void)snprintf(hdr, sizeof(hdr), "{\"typ\":\"JWT\"}");
	if (strcmp(alg, "HS256") == 0)
		t = mint_sign_hmac(hmac, sizeof(hmac), alg, hdr, claims);
	else
		t = mint_sign(key, alg, hdr, claims);
	if (t == NULL)
		die("a token");
	return t;
}

#define CLAIMS(iss, extra) "{\"iss\":\"" iss "\",\"aud\":[\"" AUD \
    "\",\"x\"],\"sub\":\"alice\",\"iat\":1700000000,\"exp\":1700003600," \
    "\"jti\":\"j-1\"" extra "}"
#define RULES ",\"email\":\"alice@example.com\",\"groups\":[\"users\"," \
    "\"ops\"],\"scope\":\"read write admin\",\"azp\":\"client1\"," \
    "\"email_verified\":true"

/* A token and what verifying it must give. */
typedef struct vcase {
	const char *name;
	char *token;
	const char *expected_user; /* NULL: any */
	jwtc_rc want;
} vcase;

enum { N_VCASES = 18 };
static vcase vcases[N_VCASES];
static size_t n_vcases;

static void
add_case(const char *name, char *token, const char *expected_user,
    jwtc_rc want)
{
	if (n_vcases >= N_VCASES)
		die("the cases");
	vcases[n_vcases].name = name;
	vcases[n_vcases].token = token;
	vcases[n_vcases].expected_user = expected_user;
	vcases[n_vcases].want = want;
	n_vcases++;
}

static const vcase *
case_named(const char *name)
{
	size_t i;

	for (i = 0; i < n_vcases; i++)
		if (strcmp(vcases[i].name, name) == 0)
			return &vcases[i];
	die(name);
}

/* The text of a token with its last signature character changed. */
static char *
tampered(char *t)
{
	size_t n = strlen(t);

	t[n - 2] = t[n - 2] == 'A' ? 'B' : 'A';
	return t;
}

static char *
unsigned_token(const char *hdr, const char *claims)
{
	char *h = mint_b64url(hdr, strlen(hdr));
	char *c = mint_b64url(claims, strlen(claims));
	char buf[2048];

	if (h == NULL || c == NULL)
		die("a token");
	(void)snprintf(buf, sizeof(buf), "%s.%s.c2ln", h, c);
	mint_free(h);
	mint_free(c);
	h = strdup(buf);
	if (h == NULL)
		die("a token");
	return h;
}

static void
make_tokens(void)
{
	/* accepted: one of each algorithm, and one through every claim rule */
	add_case("RS256", sign(k_rsa, "RS256", "rsa", CLAIMS(ISS, "")), "alice",
	    JWTC_OK);
	add_case("PS256", sign(k_rsa, "PS256", "rsa", CLAIMS(ISS, "")), NULL,
	    JWTC_OK);
	add_case("ES256", sign(k_ec256, "ES256", "ec", CLAIMS(ISS, "")), NULL,
	    JWTC_OK);
	add_case("EdDSA", sign(k_ed25519, "EdDSA", "ed", CLAIMS(ISS, "")),
	    NULL, JWTC_OK);
	add_case("HS256", sign(NULL, "HS256", NULL, CLAIMS(ISS, "")), NULL,
	    JWTC_OK);
	add_case("ES256 rules", sign(k_ec256, "ES256", NULL,
	    CLAIMS(ISS_RULES, RULES)), "alice", JWTC_OK);
	add_case("ES256 cached keys", sign(k_ec256, "ES256", "ec",
	    CLAIMS(ISS_NET, "")), NULL, JWTC_OK);
	/* refused */
	add_case("bad signature", tampered(sign(k_ec256, "ES256", "ec",
	    CLAIMS(ISS, ""))), NULL, JWTC_ERR_BAD_SIGNATURE);
	add_case("stranger's key", sign(k_stranger, "ES256", NULL,
	    CLAIMS(ISS, "")), NULL, JWTC_ERR_BAD_SIGNATURE);
	add_case("unknown kid", sign(k_ec256, "ES256", "nope",
	    CLAIMS(ISS, "")), NULL, JWTC_ERR_NO_KEY);
	add_case("expired", sign(k_ec256, "ES256", "ec", "{\"iss\":\"" ISS
	    "\",\"aud\":\"" AUD "\",\"sub\":\"alice\",\"exp\":1699990000}"),
	    NULL, JWTC_ERR_EXPIRED);
	add_case("audience", sign(k_ed25519, "EdDSA", "ed", "{\"iss\":\"" ISS
	    "\",\"aud\":[\"a\",\"b\"],\"sub\":\"alice\",\"exp\":1700003600}"),
	    NULL, JWTC_ERR_AUDIENCE);
	add_case("user mismatch", sign(k_rsa, "RS256", "rsa", CLAIMS(ISS, "")),
	    "bob", JWTC_ERR_USER_MISMATCH);
	add_case("unknown issuer", sign(k_ec256, "ES256", "ec",
	    CLAIMS("https://else.test", "")), NULL, JWTC_ERR_UNKNOWN_ISSUER);
	add_case("no group", sign(k_ec256, "ES256", NULL, CLAIMS(ISS_RULES,
	    ",\"email\":\"alice@example.com\",\"groups\":[\"users\"],"
	    "\"scope\":\"read write\",\"azp\":\"client1\","
	    "\"email_verified\":true")), NULL, JWTC_ERR_GROUP);
	add_case("claims not JSON", unsigned_token("{\"alg\":\"ES256\"}",
	    "{\"iss\":"), NULL, JWTC_ERR_MALFORMED);
	add_case("duplicate member", unsigned_token("{\"alg\":\"ES256\","
	    "\"alg\":\"ES256\"}", "{}"), NULL, JWTC_ERR_MALFORMED);
	add_case("alg none", unsigned_token("{\"alg\":\"none\"}",
	    CLAIMS(ISS, "")), NULL, JWTC_ERR_ALG);
}

/* ---- jwtc_verify ----------------------------------------------------------------- */

static jwtc_ctx *
ctx_or_die(void)
{
	jwtc_config *cfg = NULL;
	jwtc_ctx *ctx = NULL;
	jwtc_hooks hooks = unit_hooks(&now_fixed, log_keep, NULL);
	jwtc_error err;

	memset(&err, 0, sizeof(err));
	if (jwtc_config_parse("allocfail.conf", conf_text, strlen(conf_text),
	    &cfg, &err) != JWTC_OK) {
		fprintf(stderr, "configuration: %s\n", err.msg);
		exit(99);
	}
	if (jwtc_ctx_new(cfg, NULL, &hooks, &ctx, &err) != JWTC_OK) {
		fprintf(stderr, "context: %s\n", err.msg);
		exit(99);
	}
	return ctx;
}

/*
 * The outcome of an operation run with allocation n failing (hit: a
 * failure was injected): either out of memory, said in err, after a
 * failure; or exactly the answer of a run without failures (then marked
 * recovered when a failure was injected).
 */
static void
check_outcome(jwtc_rc rc, const jwtc_error *err, jwtc_rc want, bool hit,
    const char *what, unsigned long n)
{
	if (rc != want && !(hit && rc == JWTC_ERR_NO_MEMORY))
		print_error("%s: allocation %lu%s failing%s: %s (%s), not %s%s; "
		    "the first failed: %s's of %zu bytes; last log line: %s\n",
		    what, n, persist ? " on" : "", hit ? "" : " (not reached)",
		    jwtc_rc_str(rc), err->msg, jwtc_rc_str(want),
		    hit ? " or out of memory" : "",
		    A.hit_src == SRC_JANSSON ? "jansson" : "the project",
		    A.hit_size, last_log);
	if (rc == JWTC_ERR_NO_MEMORY && want != JWTC_ERR_NO_MEMORY) {
		assert_true(hit);
		assert_int_equal(err->rc, rc);
		assert_true(err->msg[0] != '\0');
		return;
	}
	assert_int_equal(rc, want);
	assert_int_equal(err->rc, rc);
	if (hit)
		recovered = true;
}

static const jwtc_result *const SENTINEL_RESULT =
    (const jwtc_result *)&now_fixed;

/* Use what a result gives, as jwt-auth verify and the adapters do: each
 * accessor gives the right value or, when an allocation failed, NULL. */
static void
use_result(const jwtc_result *r)
{
	char *json, *aud, *sub;
	unsigned long before = counted();

	assert_string_equal(jwtc_result_user(r), "alice");
	assert_non_null(jwtc_result_section(r));
	assert_string_equal(jwtc_result_iss(r),
	    strcmp(jwtc_result_section(r), "rules") == 0 ? ISS_RULES :
	    strcmp(jwtc_result_section(r), "net") == 0 ? ISS_NET : ISS);
	assert_true(jwtc_result_exp(r) > 1.7e9);
	json = jwtc_result_json(r);
	aud = jwtc_result_claim_string(r, "aud");
	sub = jwtc_result_claim_string(r, "sub");
	if (json == NULL || aud == NULL || sub == NULL)
		assert_true(A.hit && (A.persist || A.fail_at > before));
	if (json != NULL)
		assert_non_null(strstr(json, "\"user\":\"alice\""));
	if (aud != NULL)
		assert_string_equal(aud, AUD ",x");
	if (sub != NULL)
		assert_string_equal(sub, "alice");
	free(json);
	free(aud);
	free(sub);
}

/* Verify vcases[which] with allocation n failing. */
static bool
verify_once(size_t which, unsigned long n)
{
	const vcase *c = &vcases[which];
	jwtc_result *res = (jwtc_result *)(uintptr_t)SENTINEL_RESULT;
	jwtc_error err;
	jwtc_rc rc;
	bool hit;

	memset(&err, 0, sizeof(err));
	arm(n);
	rc = jwtc_verify(warm_ctx, c->token, strlen(c->token),
	    c->expected_user, &res, &err);
	hit = A.hit;
	if (rc == JWTC_OK)
		use_result(res);
	(void)disarm();
	check_outcome(rc, &err, c->want, hit, c->name, n);
	if (rc == JWTC_OK)
		jwtc_result_free(res);
	else
		assert_ptr_equal(res, SENTINEL_RESULT);
	return A.hit;
}

static void
test_verify_warm(void **state)
{
	size_t i;

	(void)state;
	warm_ctx = ctx_or_die();
	for (i = 0; i < n_vcases; i++)
		run_path(&t_warm, verify_once, i, vcases[i].name);
	jwtc_ctx_free(warm_ctx);
	warm_ctx = NULL;
}

/* ---- a cold start ---------------------------------------------------------------- */

/* Load the configuration file, make a context, verify an accepted and a
 * refused token, free it all; allocation n failing. */
static bool
cold_once(size_t which, unsigned long n)
{
	const vcase *good = case_named("ES256");
	const vcase *cached = case_named("ES256 cached keys");
	const vcase *bad = case_named("bad signature");
	jwtc_config *cfg = NULL;
	jwtc_ctx *ctx = NULL;
	jwtc_result *res = NULL;
	jwtc_hooks hooks = unit_hooks(&now_fixed, log_keep, NULL);
	jwtc_error err;
	jwtc_rc rc;
	bool hit;

	(void)which;
	memset(&err, 0, sizeof(err));
	write_cache();
	arm(n);
	rc = jwtc_config_load(conf_path, &cfg, &err);
	if (rc != JWTC_OK) {
		assert_null(cfg);
		goto out;
	}
	rc = jwtc_ctx_new(cfg, "main rules net", &hooks, &ctx, &err);
	if (rc != JWTC_OK) {
		assert_null(ctx);
		goto out;
	}
	rc = jwtc_verify(ctx, good->token, strlen(good->token), NULL, &res,
	    &err);
	if (rc != JWTC_OK) {
		assert_null(res);
		goto out;
	}
	assert_string_equal(jwtc_result_user(res), "alice");
	jwtc_result_free(res);
	res = NULL;
	rc = jwtc_verify(ctx, cached->token, strlen(cached->token), NULL, &res,
	    &err);
	if (rc != JWTC_OK) {
		assert_null(res);
		goto out;
	}
	assert_string_equal(jwtc_result_iss(res), ISS_NET);
	jwtc_result_free(res);
	res = NULL;
	rc = jwtc_verify(ctx, bad->token, strlen(bad->token), NULL, &res,
	    &err);
	assert_null(res);
	if (rc == bad->want) {
		assert_int_equal(err.rc, rc);
		rc = err.rc = JWTC_OK;
	}
out:
	hit = disarm();
	check_outcome(rc, &err, JWTC_OK, hit, "cold start", n);
	jwtc_ctx_free(ctx);
	return hit;
}

static void
test_cold(void **state)
{
	(void)state;
	run_path(&t_cold, cold_once, 0, "cold start");
}

/* ---- the JWKS parse -------------------------------------------------------------- */

static bool
jwks_once(size_t which, unsigned long n)
{
	jwtc_keyset *ks = (jwtc_keyset *)(uintptr_t)SENTINEL_RESULT;
	jwtc_error err;
	jwtc_rc rc;
	bool hit;
	size_t i;

	(void)which;
	memset(&err, 0, sizeof(err));
	arm(n);
	rc = jwtc_jwks_parse(jwks_text, strlen(jwks_text), &ks, &err);
	hit = disarm();
	check_outcome(rc, &err, JWTC_OK, hit, "JWKS parse", n);
	if (rc != JWTC_OK) {
		assert_ptr_equal(ks, SENTINEL_RESULT);
		return hit;
	}
	assert_int_equal(ks->n, jwks_usable);
	assert_int_equal(ks->n_skipped, jwks_skipped);
	for (i = 0; i < ks->n; i++)
		assert_string_equal(ks->keys[i].kid, jwks_kids[i]);
	for (i = 0; i < ks->n_skipped; i++) {
		assert_string_equal(ks->skipped[i].kid,
		    jwks_kids[jwks_usable + i]);
		assert_non_null(ks->skipped[i].reason);
	}
	jwtc_keyset_unref(ks);
	return hit;
}

static void
test_jwks(void **state)
{
	(void)state;
	run_path(&t_jwks, jwks_once, 0, "JWKS parse");
}

#ifdef ALLOCFAIL_SASL
/* ---- the SASL server step ----------------------------------------------------------- */

#define APP "allocfail"

/* sasl_jwt/plugin.c, linked in */
int sasl_server_plug_init(const sasl_utils_t *utils, int max_version,
    int *out_version, sasl_server_plug_t **pluglist, int *plugcount);

static char *emptydir;
static char sasl_log[1024];
static saslcb cbs;

/* One client message and the server's last result. */
typedef struct scase {
	const char *name;
	const char *mech;
	char *msg;
	size_t len;
	int want;
} scase;

enum { N_SCASES = 12 };
static scase scases[N_SCASES];
static size_t n_scases;

static void
add_scase(const char *name, const char *mech, const char *authz,
    const char *token, int want)
{
	char buf[4096];
	int n;

	if (n_scases >= N_SCASES)
		die("the SASL cases");
	if (strcmp(mech, "XOAUTH2") == 0)
		n = snprintf(buf, sizeof(buf), "user=%s\001auth=Bearer %s"
		    "\001\001", authz, token);
	else if (token[0] == '\0')
		n = snprintf(buf, sizeof(buf), "n,%s%s,\001auth=\001\001",
		    authz[0] != '\0' ? "a=" : "", authz);
	else
		n = snprintf(buf, sizeof(buf), "n,%s%s,\001auth=Bearer %s"
		    "\001\001", authz[0] != '\0' ? "a=" : "", authz, token);
	if (n < 0 || (size_t)n >= sizeof(buf))
		die("a SASL message");
	scases[n_scases].name = name;
	scases[n_scases].mech = mech;
	scases[n_scases].msg = strdup(buf);
	scases[n_scases].len = (size_t)n;
	scases[n_scases].want = want;
	if (scases[n_scases].msg == NULL)
		die("a SASL message");
	n_scases++;
}

static char *
live_token(EVP_PKEY *key, const char *alg, const char *kid,
    const char *iss, long long exp_in, const char *extra)
{
	char claims[1024];
	long long t = (long long)time(NULL);

	(void)snprintf(claims, sizeof(claims), "{\"iss\":\"%s\",\"aud\":\""
	    AUD "\",\"sub\":\"alice\",\"iat\":%lld,\"exp\":%lld%s}", iss,
	    t, t + exp_in, extra);
	return sign(key, alg, kid, claims);
}

static void
make_scases(void)
{
	char *good = live_token(k_ec256, "ES256", "ec", ISS, 3600, "");
	char *rsa = live_token(k_rsa, "RS256", "rsa", ISS, 3600, "");
	char *old = live_token(k_ec256, "ES256", "ec", ISS, -3600, "");
	char *rules = live_token(k_ed25519, "EdDSA", NULL, ISS_RULES, 3600,
	    RULES ",\"jti\":\"j\"");
	char *noscope = live_token(k_ed25519, "EdDSA", NULL, ISS_RULES, 3600,
	    ",\"email\":\"alice@example.com\",\"groups\":[\"ops\"],"
	    "\"scope\":\"read\",\"azp\":\"client1\",\"email_verified\":true,"
	    "\"jti\":\"j\"");

	add_scase("OAUTHBEARER ES256", "OAUTHBEARER", "", good, SASL_OK);
	add_scase("OAUTHBEARER RS256 a=alice", "OAUTHBEARER", "alice", rsa,
	    SASL_OK);
	add_scase("OAUTHBEARER claim rules", "OAUTHBEARER", "", rules, SASL_OK);
	add_scase("XOAUTH2 ES256", "XOAUTH2", "alice", good, SASL_OK);
	add_scase("OAUTHBEARER expired", "OAUTHBEARER", "", old, SASL_BADAUTH);
	add_scase("OAUTHBEARER scope", "OAUTHBEARER", "", noscope,
	    SASL_BADAUTH);
	add_scase("OAUTHBEARER bad signature", "OAUTHBEARER", "",
	    case_named("bad signature")->token, SASL_BADAUTH);
	add_scase("OAUTHBEARER discovery", "OAUTHBEARER", "", "",
	    SASL_BADAUTH);
	add_scase("OAUTHBEARER a=bob", "OAUTHBEARER", "bob", good,
	    SASL_NOAUTHZ);
	add_scase("XOAUTH2 expired", "XOAUTH2", "alice", old, SASL_BADAUTH);
	add_scase("XOAUTH2 user mismatch", "XOAUTH2", "bob", good,
	    SASL_BADAUTH);
	add_scase("XOAUTH2 not a token", "XOAUTH2", "alice", "a b",
	    SASL_BADPROT);
	free(good);
	free(rsa);
	free(old);
	free(rules);
	free(noscope);
}

/* No plugin is loaded from a directory: the one under test is added by
 * sasl_server_add_plugin.  The last log line goes into sasl_log. */
static void
sasl_start(void)
{
	cbs = (saslcb){
		.config = conf_path,
		.issuers = "main rules",
		.plugdir = emptydir,
		.confdir = emptydir,
		.echo_level = -1,
		.last = sasl_log,
		.last_size = sizeof(sasl_log),
	};
	saslcb_setup(&cbs);
	assert_int_equal(sasl_server_init(cbs.server, APP), SASL_OK);
}

/* Run one exchange with allocation n failing: the client's message, then
 * %x01 for an error message.  Whether a failure was injected; *r gets
 * the server's last result, user the SASL_USERNAME of a success. */
static bool
exchange(const scase *c, unsigned long n, int *r, char *user, size_t ulen)
{
	sasl_conn_t *conn = NULL;
	const char *out = NULL;
	const void *v = NULL;
	unsigned outlen = 0;
	bool hit;

	user[0] = '\0';
	assert_int_equal(sasl_server_new("imap", "mail.test", NULL,
	    "127.0.0.1;143", "127.0.0.1;40000", NULL, 0, &conn), SASL_OK);
	arm(n);
	*r = sasl_server_start(conn, c->mech, c->msg, (unsigned)c->len, &out,
	    &outlen);
	if (*r == SASL_CONTINUE)
		*r = sasl_server_step(conn, "\001", 1, &out, &outlen);
	hit = disarm();
	if (*r == SASL_OK && sasl_getprop(conn, SASL_USERNAME, &v) == SASL_OK &&
	    v != NULL)
		(void)snprintf(user, ulen, "%s", (const char *)v);
	sasl_dispose(&conn);
	return hit;
}

/* scases[which] with allocation n failing: SASL_NOMEM after a failure,
 * else exactly the answer of a run without failures. */
static bool
sasl_once(size_t which, unsigned long n)
{
	const scase *c = &scases[which];
	char user[256];
	bool hit;
	int r;

	hit = exchange(c, n, &r, user, sizeof(user));
	if (r != c->want && !(hit && r == SASL_NOMEM))
		print_error("%s: allocation %lu%s failing%s: %d (%s), not %d%s; "
		    "log: %s\n", c->name, n, persist ? " on" : "",
		    hit ? "" : " (not reached)", r,
		    sasl_errstring(r, NULL, NULL), c->want,
		    hit ? " or SASL_NOMEM" : "", sasl_log);
	if (hit && r == SASL_NOMEM && c->want != SASL_NOMEM)
		return true;
	assert_int_equal(r, c->want);
	if (r == SASL_OK)
		assert_string_equal(user, "alice");
	if (hit)
		recovered = true;
	return hit;
}

static void
test_sasl_step(void **state)
{
	size_t i;

	(void)state;
	sasl_start();
	assert_int_equal(sasl_server_add_plugin("JWT", sasl_server_plug_init),
	    SASL_OK);
	for (i = 0; i < n_scases; i++)
		run_path(&t_sasl, sasl_once, i, scases[i].name);
	sasl_server_done();
}

/* The plugin's start-up (options, configuration, context) with allocation
 * n failing: it fails, or its mechanisms are not offered, or they work
 * right; sasl_server_done frees it all. */
static bool
init_once(size_t which, unsigned long n)
{
	char user[256];
	unsigned long p, j;
	bool hit;
	int r, added;

	(void)which;
	sasl_start();
	arm(n);
	added = sasl_server_add_plugin("JWT", sasl_server_plug_init);
	hit = disarm();
	p = last_proj;
	j = last_json;
	if (!hit)
		assert_int_equal(added, SASL_OK);
	(void)exchange(&scases[0], 0, &r, user, sizeof(user));
	if (r != SASL_OK && r != SASL_NOMECH)
		print_error("start-up: allocation %lu%s failing: %d (%s) from "
		    "the exchange after it; log: %s\n", n, persist ? " on" : "",
		    r, sasl_errstring(r, NULL, NULL), sasl_log);
	if (r == SASL_OK) {
		assert_string_equal(user, "alice");
		if (hit)
			recovered = true;
	} else {
		assert_true(hit);
		assert_int_equal(r, SASL_NOMECH);
	}
	sasl_server_done();
	last_proj = p;
	last_json = j;
	return hit;
}

static void
test_sasl_init(void **state)
{
	(void)state;
	run_path(&t_init, init_once, 0, "SASL start-up");
}
#endif /* ALLOCFAIL_SASL */

/* ---- the JSON parse's own check ------------------------------------------------ */

static const char *const json_good[] = {
	"{}",
	"{\"a\":\"\"}",
	"{\"iss\":\"https:\\/\\/idp.test\\/x\",\"n\":[1,2.5,-3e2]}",
	"{\"e\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}",
	"{\"u\":\"\\u0041\\u00e9\\u20ac\\ud83d\\ude00\\uD834\\uDD1E\"}",
	"{\"raw\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\",\"k\\u00e9y\":1}",
	"{\"a\":{\"b\":[\"c\",{\"d\":\"0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef\"}]},\"e\":null,\"f\":true}",
	" { \"x\" : [ \"\" , \"y\" ] } ",
};

/* jwtc_json_parse compares the strings jansson gives with those of the
 * text (a failed allocation can make jansson drop a byte): text that is
 * right must never look like that, whatever its escapes. */
static void
test_json_strings(void **state)
{
	static const char *const bad[] = {
		"", "[]", "\"s\"", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}",
		"{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00x\"}", "{\"a\":\"\\x\"}",
		"{\"a\":\"\\u12\"}", "{\"a\":1,\"a\":2}", "{\"a\":1} {}",
		"{\"a\":\"\x01\"}", "{\"a\":\"\xff\"}", "{'a':1}",
	};
	char why[160];
	json_t *o;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(json_good) / sizeof(json_good[0]); i++) {
		o = NULL;
		if (jwtc_json_parse(json_good[i], strlen(json_good[i]), &o, why,
		    sizeof(why)) != JWTC_OK)
			print_error("%s: %s\n", json_good[i], why);
		assert_non_null(o);
		json_decref(o);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = (json_t *)(uintptr_t)SENTINEL_RESULT;
		assert_int_equal(jwtc_json_parse(bad[i], strlen(bad[i]), &o,
		    why, sizeof(why)), JWTC_ERR_MALFORMED);
		assert_ptr_equal(o, SENTINEL_RESULT);
		assert_true(why[0] != '\0');
	}
	o = NULL;
	assert_int_equal(jwtc_json_parse(json_good[4], strlen(json_good[4]), &o, why,
	    sizeof(why)), JWTC_OK);
	assert_string_equal(json_string_value(json_object_get(o, "u")),
	    "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf0\x9d\x84\x9e");
	json_decref(o);
}

/* json_good[which] with allocation n failing: out of memory, or the same
 * value as jansson alone makes of it. */
static bool
json_once(size_t which, unsigned long n)
{
	const char *text = json_good[which];
	json_t *o = (json_t *)(uintptr_t)SENTINEL_RESULT, *ref;
	json_error_t jerr;
	char why[160];
	jwtc_rc rc;
	bool hit;

	arm(n);
	rc = jwtc_json_parse(text, strlen(text), &o, why, sizeof(why));
	hit = disarm();
	if (rc == JWTC_ERR_NO_MEMORY) {
		assert_true(hit);
		assert_ptr_equal(o, SENTINEL_RESULT);
		return hit;
	}
	if (rc != JWTC_OK)
		print_error("%s: allocation %lu%s failing: %s\n", text, n,
		    persist ? " on" : "", why);
	assert_int_equal(rc, JWTC_OK);
	ref = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	assert_non_null(ref);
	assert_true(json_equal(o, ref));
	json_decref(ref);
	json_decref(o);
	if (hit)
		recovered = true;
	return hit;
}

static void
test_json_parse(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(json_good) / sizeof(json_good[0]); i++)
		run_path(&t_json, json_once, i, json_good[i]);
}

/* The same over the JSON documents of the fuzz corpora: jwtc_json_parse
 * takes exactly the objects jansson takes. */
static void
test_json_corpora(void **state)
{
	static const char *const dirs[] = { "jwks", "discovery", "cache" };
	const char *top = getenv("top_srcdir");
	char path[4096], why[160];
	size_t i, len, seen = 0;
	struct dirent *de;
	json_error_t jerr;
	json_t *a, *b;
	char *text;
	DIR *d;

	(void)state;
	if (top == NULL)
		top = ".";
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		(void)snprintf(path, sizeof(path), "%s/fuzz/corpus/%s", top,
		    dirs[i]);
		d = opendir(path);
		if (d == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			(void)snprintf(path, sizeof(path), "%s/fuzz/corpus/%s/%s",
			    top, dirs[i], de->d_name);
			text = unit_read_file(path, &len);
			if (text == NULL)
				continue;
			a = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
			b = NULL;
			if (json_is_object(a) && memchr(text, '\0', len) == NULL)
				assert_int_equal(jwtc_json_parse(text, len, &b,
				    why, sizeof(why)), JWTC_OK);
			else
				assert_int_not_equal(jwtc_json_parse(text, len,
				    &b, why, sizeof(why)), JWTC_OK);
			if (a != NULL && b != NULL)
				assert_true(json_equal(a, b));
			json_decref(a);
			json_decref(b);
			free(text);
			seen++;
		}
		(void)closedir(d);
	}
	if (seen == 0)
		print_message("no fuzz corpus found under %s/fuzz/corpus\n", top);
	printf("# %zu corpus documents parsed both ways\n", seen);
}

/* ---- the counter itself ---------------------------------------------------------- */

/* The wrappers see the core's allocations and fail the one asked for:
 * without this, every other test here could pass by never failing
 * anything. */
static void
test_counter(void **state)
{
	char *s;
	json_t *o;
	size_t base = live_now();

	(void)state;
	arm(0);
	s = jwtc_strdup("abc");
	o = json_object();
	assert_false(disarm());
	assert_non_null(s);
	assert_non_null(o);
	assert_true(live_now() >= base + 2);
	free(s);
	json_decref(o);
	assert_int_equal(live_now(), base);

	arm(1);
	s = jwtc_strdup("abc");
	assert_true(disarm());
	assert_null(s);
	arm(2);
	s = jwtc_strdup("abc");
	o = json_object();
	assert_true(disarm());
	assert_non_null(s);
	assert_null(o);
	free(s);
	assert_int_equal(live_now(), base);
	assert_int_equal(jwtc_b64url_decode("QUJD", 4, (unsigned char **)&s,
	    &(size_t){0}), 0);
	free(s);
	arm(1);
	assert_int_equal(jwtc_b64url_decode("QUJD", 4, (unsigned char **)&s,
	    &(size_t){0}), -2);
	assert_true(disarm());
	assert_int_equal(live_now(), base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counter),
		cmocka_unit_test(test_json_strings),
		cmocka_unit_test(test_json_corpora),
		cmocka_unit_test(test_json_parse),
		cmocka_unit_test(test_jwks),
		cmocka_unit_test(test_verify_warm),
		cmocka_unit_test(test_cold),
#ifdef ALLOCFAIL_SASL
		cmocka_unit_test(test_sasl_step),
		cmocka_unit_test(test_sasl_init),
#endif
	};
	int rc;

	/* before jansson allocates anything */
	json_set_alloc_funcs(json_malloc, json_free);
	dir = unit_tmpdir();
	if (dir == NULL)
		die("a temporary directory");
	make_files();
	make_cache();
	make_tokens();
#ifdef ALLOCFAIL_SASL
	emptydir = unit_path(dir, "empty");
	if (emptydir == NULL || mkdir(emptydir, 0755) != 0)
		die("an empty directory");
	make_scases();
#endif
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tally_print(&t_json);
	tally_print(&t_jwks);
	tally_print(&t_warm);
	tally_print(&t_cold);
#ifdef ALLOCFAIL_SASL
	tally_print(&t_sasl);
	tally_print(&t_init);
#endif
	printf("# total: %lu allocation failures tried\n", t_json.tried +
	    t_jwks.tried + t_warm.tried + t_cold.tried + t_sasl.tried +
	    t_init.tried);
	unit_rmtree(dir);
	return rc;
}
