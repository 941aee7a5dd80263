/*
 * test_threads.c - one context shared by many verifying threads while
 * another thread changes the issuer's keys under them.
 *
 * The section's keys come from the shared cache file in cache_dir (the
 * file another process, jwt-auth fetch, keeps up to date).  A refreshing
 * thread replaces that file, by temp file and rename, with one generation
 * after another: every generation holds the key "always" and one of four
 * rotating keys (ES256, RS256, EdDSA, ES384), and every fifth is a file
 * the context must refuse (it then keeps the keys it had).  The verifying
 * threads check tokens of every key all along:
 *   - a token of "always" is accepted every time;
 *   - a token signed by a key in no generation is refused every time;
 *   - a token of a rotating key is accepted when its key is in the
 *     generation in force, refused as having no key otherwise.
 * The generation in force is known exactly when no rename happened while
 * a verification ran: the refresher counts renames like a sequence lock
 * (odd while one is under way), and a thread that reads the same even
 * count before and after a verification knows which file it saw.  Then
 * the answer must be exactly the expected one; else it must be one of
 * the two answers of the generations in play.  The refresher moves on only
 * after a thread has checked the generation in force exactly.
 *
 * A second test has threads refresh through the library (forced fetches
 * from an issuer that cannot be reached, each recorded in the cache file)
 * and read its status while the others verify: the keys keep serving.
 *
 * Threads never call cmocka: they count, and the main thread asserts.
 * Run under ThreadSanitizer by make check-threads in a build configured
 * with --enable-sanitizers=thread.
 */
#include "unit.h"

#include <stdatomic.h>
#include <time.h>

#include <openssl/evp.h>

#include "internal.h"
#include "mintlib.h"

/* The fixed clock: 2023-11-14T22:13:20Z. */
#define NOW 1700000000LL
#define ISS "https://threads.example"

#define VERIFIERS 8
#define GENERATIONS 15     /* rewrites of the cache file */
#define BAD_EVERY 5        /* every fifth generation is refused */
#define ROTATING 4
#define SPACING_MS 20      /* between renames: distinct file times */

enum {
	TOK_ALWAYS = 0,
	TOK_R0, TOK_R1, TOK_R2, TOK_R3,   /* TOK_R0 + i: rotating key i */
	TOK_FORGED,        /* kid "always", signed by a stranger */
	TOK_STRANGER,      /* kid "zz", in no generation */
	TOK_COUNT
};

static const struct rotating {
	const char *type;
	const char *alg;
	const char *kid;
} rot[ROTATING] = {
	{ "ec256", "ES256", "r0" },
	{ "rsa2048", "RS256", "r1" },
	{ "ed25519", "EdDSA", "r2" },
	{ "ec384", "ES384", "r3" },
};

static const char conf_text[] =
    "[global]\n"
    "cache_dir = @DIR@/cache\n"
    "http_timeout = 1\n"
    "\n"
    "[issuer net]\n"
    "issuer = " ISS "\n"
    "jwks_uri = https://127.0.0.1:1/jwks\n"   /* loopback, refused */
    "audience = api\n";

static struct world {
	char *dir;
	int cache_fd;
	char cache_name[JWTC_CACHE_NAME_LEN];
	EVP_PKEY *always, *stranger, *rkey[ROTATING];
	char *jwks[ROTATING];       /* "always" and rotating key i */
	char *token[TOK_COUNT];
	jwtc_ctx *ctx;
	int64_t now;

	/* the refresher's count: odd while a rename is under way; the
	 * generation in force is seq / 2 */
	atomic_uint seq;
	/* rotating key of each generation's keys (that of the last good
	 * generation for a refused file); written before seq moves on */
	atomic_int keys_of[GENERATIONS + 1];
	atomic_int checked;         /* highest generation checked exactly */
	atomic_int stop;

	/* the log */
	atomic_ulong log_lines, log_ignored;
} W;

/* What one verifying thread saw. */
typedef struct vstats {
	int start;                  /* the token it checks first */
	unsigned long runs, exact, loose, accepted, no_key;
	unsigned long wrong;
	char first_wrong[300];
} vstats;

/* ---- helpers ------------------------------------------------------------- */

static void
count_log(void *arg, int priority, const char *msg)
{
	(void)arg;
	(void)priority;
	atomic_fetch_add(&W.log_lines, 1);
	if (msg != NULL && strstr(msg, "ignored") != NULL)
		atomic_fetch_add(&W.log_ignored, 1);
}

static void
pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* conf_text with @DIR@ replaced by dir; allocated. */
static char *
expand_dir(const char *text, const char *dir)
{
	const char *at = strstr(text, "@DIR@");
	size_t pre, dl = strlen(dir), rest;
	char *out;

	if (at == NULL)
		return strdup(text);
	pre = (size_t)(at - text);
	rest = strlen(at + 5);
	out = malloc(pre + dl + rest + 1);
	if (out == NULL)
		return NULL;
	memcpy(out, text, pre);
	memcpy(out + pre, dir, dl);
	memcpy(out + pre + dl, at + 5, rest + 1);
	return out;
}

/*
 * Write generation g of the cache file: the keys of rotating key r, or
 * (bad) a file the context refuses (it names another issuer).  Each
 * generation was fetched later than the one before, and a refetch for an
 * unknown kid was "just made", so that no verification fetches.
 */
static jwtc_rc
write_generation(int g, int r, bool bad)
{
	char iss[] = ISS, other[] = "https://other.example";
	jwtc_cache_entry e;
	jwtc_error err;

	memset(&e, 0, sizeof(e));
	e.issuer = bad ? other : iss;
	e.jwks = W.jwks[r];
	e.jwks_len = strlen(W.jwks[r]);
	e.fetched_at = NOW - 3600 + g;
	e.last_attempt = e.fetched_at;
	e.fresh_until = NOW + 3600;
	e.stale_until = NOW + 7200;
	e.kid_refetch_at = NOW;
	memset(&err, 0, sizeof(err));
	return jwtc_cache_write(W.cache_fd, W.cache_name, &e, &err);
}

/* The result a token must have when rotating key r is in force. */
static jwtc_rc
expected(int tok, int r)
{
	switch (tok) {
	case TOK_ALWAYS:
		return JWTC_OK;
	case TOK_FORGED:
		return JWTC_ERR_BAD_SIGNATURE;
	case TOK_STRANGER:
		return JWTC_ERR_NO_KEY;
	default:
		return tok - TOK_R0 == r ? JWTC_OK : JWTC_ERR_NO_KEY;
	}
}

static void
note_wrong(vstats *st, int tok, int gen, jwtc_rc got, const char *what,
    const jwtc_error *err)
{
	st->wrong++;
	if (st->wrong == 1)
		snprintf(st->first_wrong, sizeof(st->first_wrong),
		    "token %d, generation %d (%s): %s: %.160s", tok, gen, what,
		    jwtc_rc_str(got), err->msg);
}

/* One verification of token tok, judged. */
static void
verify_one(vstats *st, int tok)
{
	jwtc_result *res = NULL;
	jwtc_error err;
	unsigned s0, s1;
	jwtc_rc rc, want, alt;
	int gen, r0, r1;

	memset(&err, 0, sizeof(err));
	s0 = atomic_load(&W.seq);
	rc = jwtc_verify(W.ctx, W.token[tok], strlen(W.token[tok]), "alice",
	    &res, &err);
	s1 = atomic_load(&W.seq);
	st->runs++;
	if (rc == JWTC_OK) {
		st->accepted++;
		if (res == NULL || strcmp(jwtc_result_user(res), "alice") != 0)
			note_wrong(st, tok, (int)(s0 / 2), rc, "no result",
			    &err);
	} else if (rc == JWTC_ERR_NO_KEY) {
		st->no_key++;
	}
	jwtc_result_free(res);
	gen = (int)(s0 / 2);
	r0 = atomic_load(&W.keys_of[gen]);
	if (s0 == s1 && s0 % 2 == 0) {
		/* no rename while it ran: generation gen was in force (a
		 * wrong answer is counted, and the refresher moves on: the
		 * test fails, it does not hang) */
		st->exact++;
		want = expected(tok, r0);
		if (rc != want)
			note_wrong(st, tok, gen, rc, "exact", &err);
		if (atomic_load(&W.checked) < gen)
			atomic_store(&W.checked, gen);
		return;
	}
	/* renames while it ran: any generation from gen to s1 / 2 */
	st->loose++;
	r1 = atomic_load(&W.keys_of[s1 / 2 <= GENERATIONS ? s1 / 2 :
	    GENERATIONS]);
	want = expected(tok, r0);
	alt = expected(tok, r1);
	if (rc != want && rc != alt && !(tok >= TOK_R0 && tok < TOK_FORGED &&
	    (rc == JWTC_OK || rc == JWTC_ERR_NO_KEY)))
		note_wrong(st, tok, gen, rc, "during a rename", &err);
}

static void *
verifier(void *p)
{
	vstats *st = p;
	int i = st->start;

	while (!atomic_load(&W.stop)) {
		verify_one(st, i % TOK_COUNT);
		i++;
	}
	/* once more each, after the last generation */
	for (i = 0; i < TOK_COUNT; i++)
		verify_one(st, i);
	return NULL;
}

/* The refresher's result. */
typedef struct rstats {
	int written;
	jwtc_rc failed;     /* JWTC_OK, or why a write failed */
} rstats;

static void *
refresher(void *p)
{
	rstats *rs = p;
	int g, r = 0;
	bool bad;

	for (g = 1; g <= GENERATIONS; g++) {
		pause_ms(SPACING_MS);
		bad = g % BAD_EVERY == 0;
		if (!bad)
			r = g % ROTATING;
		atomic_store(&W.keys_of[g], r);
		atomic_fetch_add(&W.seq, 1);           /* odd: renaming */
		rs->failed = write_generation(g, r, bad);
		atomic_fetch_add(&W.seq, 1);           /* even: done */
		if (rs->failed != JWTC_OK)
			break;
		rs->written++;
		/* a thread must see this generation before the next */
		while (atomic_load(&W.checked) < g)
			pause_ms(1);
	}
	atomic_store(&W.stop, 1);
	return NULL;
}

/* ---- the tests ------------------------------------------------------------- */

static void
check_stats(const vstats *st, size_t n, unsigned long *exact_out)
{
	unsigned long runs = 0, exact = 0, loose = 0, acc = 0, nokey = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (st[i].wrong > 0)
			fail_msg("thread %zu: %lu wrong answers, the first: %s",
			    i, st[i].wrong, st[i].first_wrong);
		runs += st[i].runs;
		exact += st[i].exact;
		loose += st[i].loose;
		acc += st[i].accepted;
		nokey += st[i].no_key;
	}
	print_message("%lu verifications by %zu threads: %lu with the "
	    "generation known (exact answer), %lu during a rename; %lu "
	    "accepted, %lu refused for want of the key\n", runs, n, exact,
	    loose, acc, nokey);
	assert_true(runs >= n * TOK_COUNT);
	assert_true(exact > 0);
	assert_true(acc > 0);
	assert_true(nokey > 0);
	*exact_out = exact;
}

/* Many verifiers, one context, the cache file replaced under them. */
static void
test_refresh_under_load(void **state)
{
	pthread_t vt[VERIFIERS], rt;
	vstats st[VERIFIERS];
	rstats rs;
	unsigned long exact = 0;
	size_t i;

	(void)state;
	memset(st, 0, sizeof(st));
	memset(&rs, 0, sizeof(rs));
	atomic_store(&W.checked, 0);
	atomic_store(&W.stop, 0);
	atomic_store(&W.log_ignored, 0);
	for (i = 0; i < VERIFIERS; i++)
		st[i].start = (int)i;
	for (i = 0; i < VERIFIERS; i++)
		assert_int_equal(pthread_create(&vt[i], NULL, verifier, &st[i]),
		    0);
	assert_int_equal(pthread_create(&rt, NULL, refresher, &rs), 0);
	assert_int_equal(pthread_join(rt, NULL), 0);
	for (i = 0; i < VERIFIERS; i++)
		assert_int_equal(pthread_join(vt[i], NULL), 0);

	if (rs.failed != JWTC_OK)
		fail_msg("writing generation %d failed: %s", rs.written + 1,
		    jwtc_rc_str(rs.failed));
	assert_int_equal(rs.written, GENERATIONS);
	/* every generation was checked exactly at least once */
	assert_int_equal(atomic_load(&W.checked), GENERATIONS);
	check_stats(st, VERIFIERS, &exact);
	assert_true(exact >= GENERATIONS);
	/* each refused file was logged (once per reading) */
	assert_true(atomic_load(&W.log_ignored) >= GENERATIONS / BAD_EVERY);
}

/* A thread that forces refreshes (each fails: the issuer cannot be
 * reached) and reads the status, while others verify. */
typedef struct fstats {
	unsigned long fetches, unavailable, status;
	unsigned long wrong;
	char first_wrong[300];
} fstats;

static void *
fetcher(void *p)
{
	fstats *fs = p;
	char summary[160], *text;
	jwtc_error err;
	jwtc_rc rc;
	int i;

	for (i = 0; i < 3; i++) {
		memset(&err, 0, sizeof(err));
		rc = jwtc_fetch(W.ctx, "net", JWTC_FETCH_FORCE, summary,
		    sizeof(summary), &err);
		fs->fetches++;
		if (rc == JWTC_ERR_KEYS_UNAVAILABLE) {
			fs->unavailable++;
		} else if (fs->wrong++ == 0) {
			snprintf(fs->first_wrong, sizeof(fs->first_wrong),
			    "fetch: %s: %.200s", jwtc_rc_str(rc), err.msg);
		}
		text = jwtc_status_text(W.ctx, "net");
		if (text != NULL && strstr(text, "keys: always") != NULL)
			fs->status++;
		else if (fs->wrong++ == 0)
			snprintf(fs->first_wrong, sizeof(fs->first_wrong),
			    "status: %.200s", text != NULL ? text : "(null)");
		free(text);
	}
	atomic_store(&W.stop, 1);
	return NULL;
}

static void
test_failed_refreshes_under_load(void **state)
{
	pthread_t vt[VERIFIERS], ft[2];
	vstats st[VERIFIERS];
	fstats fs[2];
	unsigned long exact = 0;
	size_t i;

	(void)state;
	memset(st, 0, sizeof(st));
	memset(fs, 0, sizeof(fs));
	atomic_store(&W.stop, 0);
	for (i = 0; i < VERIFIERS; i++)
		st[i].start = (int)i;
	for (i = 0; i < VERIFIERS; i++)
		assert_int_equal(pthread_create(&vt[i], NULL, verifier, &st[i]),
		    0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&ft[i], NULL, fetcher, &fs[i]),
		    0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(ft[i], NULL), 0);
	atomic_store(&W.stop, 1);
	for (i = 0; i < VERIFIERS; i++)
		assert_int_equal(pthread_join(vt[i], NULL), 0);
	for (i = 0; i < 2; i++) {
		if (fs[i].wrong > 0)
			fail_msg("fetcher %zu: %s", i, fs[i].first_wrong);
		assert_int_equal(fs[i].unavailable, fs[i].fetches);
		assert_int_equal(fs[i].status, fs[i].fetches);
	}
	/* the keys in force did not change: every answer was exact */
	check_stats(st, VERIFIERS, &exact);
}

/* ---- setup --------------------------------------------------------------------- */

static int
make_keys(void)
{
	mint_jwks_entry ent[2];
	char header[64], claims[256];
	int i;

	W.always = mint_key_gen("ec256");
	W.stranger = mint_key_gen("ec256");
	if (W.always == NULL || W.stranger == NULL)
		return -1;
	for (i = 0; i < ROTATING; i++) {
		if ((W.rkey[i] = mint_key_gen(rot[i].type)) == NULL)
			return -1;
		memset(ent, 0, sizeof(ent));
		ent[0].key = W.always;
		ent[0].opts.kid = "always";
		ent[1].key = W.rkey[i];
		ent[1].opts.kid = rot[i].kid;
		if ((W.jwks[i] = mint_jwks(ent, 2)) == NULL)
			return -1;
	}
	snprintf(claims, sizeof(claims), "{\"iss\":\"" ISS "\",\"aud\":\"api\","
	    "\"sub\":\"alice\",\"iat\":%lld,\"exp\":%lld}", NOW - 10,
	    NOW + 3600);
	W.token[TOK_ALWAYS] = mint_sign(W.always, "ES256", "{\"kid\":\"always\"}",
	    claims);
	W.token[TOK_FORGED] = mint_sign(W.stranger, "ES256",
	    "{\"kid\":\"always\"}", claims);
	W.token[TOK_STRANGER] = mint_sign(W.stranger, "ES256",
	    "{\"kid\":\"zz\"}", claims);
	for (i = 0; i < ROTATING; i++) {
		snprintf(header, sizeof(header), "{\"kid\":\"%s\"}", rot[i].kid);
		W.token[TOK_R0 + i] = mint_sign(W.rkey[i], rot[i].alg, header,
		    claims);
	}
	for (i = 0; i < TOK_COUNT; i++)
		if (W.token[i] == NULL)
			return -1;
	return 0;
}

static int
make_ctx(void)
{
	jwtc_config *cfg = NULL;
	jwtc_error err;
	jwtc_hooks hooks;
	char *conf, lock[JWTC_CACHE_NAME_LEN];
	jwtc_rc rc;

	if ((conf = expand_dir(conf_text, W.dir)) == NULL)
		return -1;
	memset(&err, 0, sizeof(err));
	rc = jwtc_config_parse("threads.conf", conf, strlen(conf), &cfg, &err);
	free(conf);
	if (rc != JWTC_OK) {
		print_error("configuration: %s: %s\n", jwtc_rc_str(rc), err.msg);
		return -1;
	}
	jwtc_cache_names(&cfg->issuers[0], W.cache_name, lock);
	/* generation 0, before the context reads it */
	atomic_store(&W.keys_of[0], 0);
	if (write_generation(0, 0, false) != JWTC_OK) {
		jwtc_config_free(cfg);
		return -1;
	}
	memset(&hooks, 0, sizeof(hooks));
	hooks.clock = unit_clock_fixed;
	hooks.clock_arg = &W.now;
	hooks.log = count_log;
	rc = jwtc_ctx_new(cfg, NULL, &hooks, &W.ctx, &err);
	if (rc != JWTC_OK) {
		print_error("context: %s: %s\n", jwtc_rc_str(rc), err.msg);
		return -1;
	}
	return 0;
}

static int
setup(void **state)
{
	char *cache;

	(void)state;
	memset(&W, 0, sizeof(W));
	W.cache_fd = -1;
	W.now = NOW;
	if ((W.dir = unit_tmpdir()) == NULL) {
		print_error("cannot make a temporary directory\n");
		return -1;
	}
	if ((cache = unit_path(W.dir, "cache")) == NULL)
		return -1;
	if (mkdir(cache, 0755) != 0 || chmod(cache, 0755) != 0) {
		free(cache);
		return -1;
	}
	W.cache_fd = open(cache, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(cache);
	if (W.cache_fd < 0 || make_keys() != 0 || make_ctx() != 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	int i;

	(void)state;
	jwtc_ctx_free(W.ctx);
	for (i = 0; i < TOK_COUNT; i++)
		mint_free(W.token[i]);
	for (i = 0; i < ROTATING; i++) {
		mint_free(W.jwks[i]);
		mint_key_free(W.rkey[i]);
	}
	mint_key_free(W.always);
	mint_key_free(W.stranger);
	if (W.cache_fd >= 0)
		close(W.cache_fd);
	unit_rmtree(W.dir);
	free(W.dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refresh_under_load),
		cmocka_unit_test(test_failed_refreshes_under_load),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
