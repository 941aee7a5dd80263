/*
 * bench.c - verifies per second of the core against raw OpenSSL and, where
 * configure found them, the C JWT libraries cjose and libjwt.
 *
 * Not a test: it prints one line per algorithm and method,
 *   bench ALG METHOD VERIFIES_PER_S RATIO_TO_RAW
 * on the same token and the same key for every method:
 *   raw     OpenSSL's EVP verification of the signing input, the key
 *           imported once, a fresh context per verify (what a careful
 *           caller of OpenSSL 3 writes for one verify: EVP_MD_CTX_new,
 *           EVP_DigestVerifyInit, EVP_DigestVerify, EVP_MD_CTX_free);
 *   core    the project's full jwtc_verify (bounds, base64url, JSON, key
 *           lookup, signature, every claim rule, the result);
 *   cjose   cjose_jws_import + cjose_jws_verify with a JWK imported once:
 *           the signature only, no claim is looked at;
 *   libjwt  jwt_decode with the PEM public key (its API takes the key per
 *           call): the signature only.
 * A library's line is left out when configure did not find it, and reads
 * "bench ALG METHOD n/a n/a" when the library lacks the algorithm.
 * Methods run interleaved; each figure is the median of several
 * repetitions in this one process, timed in CPU seconds of the thread, and
 * the ratio is against raw of this run.
 *
 * bench ALG METHOD N runs N verifies of one method and prints nothing
 * else: a driver for profilers (valgrind --tool=callgrind
 * --toggle-collect=profile_loop counts the N verifies alone).  METHOD
 * "all" runs each method N times on the same key and token, in the
 * functions profile_raw, profile_core, profile_cjose, profile_libjwt
 * (ECDSA and EdDSA take a data-dependent number of steps: compare
 * methods on one key).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#ifdef HAVE_CJOSE
#include <cjose/cjose.h>
#endif
#ifdef HAVE_LIBJWT
#include <jwt.h>
#endif

#include "internal.h"
#include "mintlib.h"

#define REPS 7
#define TARGET_SECONDS 0.15
#define MIN_RUN 20

typedef struct bench_alg {
	const char *alg;     /* as printed */
	const char *keytype; /* mint_key_gen name */
	const char *md;      /* NULL for EdDSA */
	bool pss;
} bench_alg;

static const bench_alg algs[] = {
	{ "RS256", "rsa2048", "SHA256", false },
	{ "PS256", "rsa2048", "SHA256", true },
	{ "ES256", "ec256", "SHA256", false },
	{ "EdDSA", "ed25519", NULL, false },
};

typedef enum method {
	M_RAW = 0, M_CORE, M_CJOSE, M_LIBJWT, M_COUNT
} method;

static const char *const method_names[M_COUNT] = {
	"raw", "core", "cjose", "libjwt"
};

typedef struct fixture {
	const bench_alg *a;
	EVP_PKEY *pub;            /* public key imported once, for raw */
	char *token;
	size_t token_len;
	unsigned char *sig;       /* DER for ECDSA, as signed otherwise */
	size_t siglen;
	size_t msglen;            /* signing input length within token */
	jwtc_ctx *ctx;
	bool has[M_COUNT];        /* method built in and able to run */
#ifdef HAVE_CJOSE
	cjose_jwk_t *cjwk;        /* imported once */
#endif
	char *pem;                /* SubjectPublicKeyInfo PEM, for libjwt */
	size_t pemlen;
} fixture;

/* The CPU time of this thread: on a shared machine, time the thread spends
 * waiting for a CPU is not counted against whichever method it was
 * running (the benchmark is single-threaded; every method is measured the
 * same way). */
static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
raw_verify(const fixture *f)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int ok;

	if (md == NULL)
		return 0;
	ok = EVP_DigestVerifyInit(md, &pctx,
	    f->a->md != NULL ? EVP_get_digestbyname(f->a->md) : NULL, NULL,
	    f->pub) == 1;
	if (ok && f->a->pss)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx,
		    RSA_PKCS1_PSS_PADDING) == 1 &&
		    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) == 1;
	if (ok)
		ok = EVP_DigestVerify(md, f->sig, f->siglen,
		    (const unsigned char *)f->token, f->msglen) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}

static int
core_verify(const fixture *f)
{
	jwtc_result *r = NULL;
	jwtc_error err;
	int ok;

	ok = jwtc_verify(f->ctx, f->token, f->token_len, NULL, &r, &err) ==
	    JWTC_OK;
	jwtc_result_free(r);
	return ok;
}

#ifdef HAVE_CJOSE
/* Signature only: cjose checks no claim (no exp, iss, aud), so this does
 * less than core does. */
static int
cjose_verify(const fixture *f)
{
	cjose_err cerr;
	cjose_jws_t *jws;
	int ok;

	jws = cjose_jws_import(f->token, f->token_len, &cerr);
	if (jws == NULL)
		return 0;
	ok = cjose_jws_verify(jws, f->cjwk, &cerr);
	cjose_jws_release(jws);
	return ok;
}
#endif

#ifdef HAVE_LIBJWT
/* libjwt 1.10 takes the PEM key on every call and parses it each time;
 * signature only, no claim is checked. */
static int
libjwt_verify(const fixture *f)
{
	jwt_t *jwt = NULL;
	int ok;

	ok = jwt_decode(&jwt, f->token, (const unsigned char *)f->pem,
	    (int)f->pemlen) == 0;
	jwt_free(jwt);
	return ok;
}
#endif

static int
verify_once(const fixture *f, method m)
{
	switch (m) {
	case M_RAW:
		return raw_verify(f);
	case M_CORE:
		return core_verify(f);
#ifdef HAVE_CJOSE
	case M_CJOSE:
		return cjose_verify(f);
#endif
#ifdef HAVE_LIBJWT
	case M_LIBJWT:
		return libjwt_verify(f);
#endif
	default:
		return 0;
	}
}

static void
die(const char *what)
{
	fprintf(stderr, "bench: %s\n", what);
	exit(1);
}

/* Verifies per second of n runs. */
static double
run(const fixture *f, method m, long n)
{
	double t0 = now_seconds(), dt;
	long i;

	for (i = 0; i < n; i++) {
		if (!verify_once(f, m)) {
			fprintf(stderr, "bench: %s %s verify failed\n",
			    f->a->alg, method_names[m]);
			exit(1);
		}
	}
	dt = now_seconds() - t0;
	return dt > 0 ? (double)n / dt : 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The signature bytes of the token, turned into DER for ECDSA so that raw
 * is OpenSSL alone. */
static void
extract_sig(fixture *f)
{
	const char *dot = strrchr(f->token, '.');
	unsigned char *sig = NULL;
	size_t siglen = 0;

	f->msglen = (size_t)(dot - f->token);
	if (jwtc_b64url_decode(dot + 1, strlen(dot + 1), &sig, &siglen) != 0)
		die("cannot decode the signature");
	if (strcmp(f->a->alg, "ES256") == 0) {
		ECDSA_SIG *es = ECDSA_SIG_new();
		BIGNUM *r = BN_bin2bn(sig, 32, NULL), *s = BN_bin2bn(sig + 32,
		    32, NULL);
		unsigned char *der = NULL;
		int len;

		if (es == NULL || r == NULL || s == NULL ||
		    ECDSA_SIG_set0(es, r, s) != 1)
			die("ECDSA_SIG");
		len = i2d_ECDSA_SIG(es, &der);
		if (len <= 0)
			die("i2d_ECDSA_SIG");
		ECDSA_SIG_free(es);
		free(sig);
		f->sig = malloc((size_t)len);
		if (f->sig == NULL)
			die("out of memory");
		memcpy(f->sig, der, (size_t)len);
		OPENSSL_free(der);
		f->siglen = (size_t)len;
		return;
	}
	f->sig = sig;
	f->siglen = siglen;
}

/* cjose: the JWK imported once; n/a when cjose cannot import it or
 * cannot verify the token (an algorithm it lacks: EdDSA). */
static void
setup_cjose(fixture *f, EVP_PKEY *key)
{
#ifdef HAVE_CJOSE
	cjose_err cerr;
	char *jwk = mint_jwk(key, NULL);

	if (jwk == NULL)
		die("cannot export the JWK");
	f->cjwk = cjose_jwk_import(jwk, strlen(jwk), &cerr);
	mint_free(jwk);
	f->has[M_CJOSE] = true;
	if (f->cjwk == NULL || !cjose_verify(f)) {
		fprintf(stderr, "bench: cjose cannot verify %s: %s\n",
		    f->a->alg, cerr.message != NULL ? cerr.message : "?");
		f->has[M_CJOSE] = false;
	}
#else
	(void)f;
	(void)key;
#endif
}

/* libjwt: n/a when it does not know the algorithm (1.10: no PS*, no
 * EdDSA). */
static void
setup_libjwt(fixture *f)
{
#ifdef HAVE_LIBJWT
	f->has[M_LIBJWT] = jwt_str_alg(f->a->alg) != JWT_ALG_INVAL;
	if (f->has[M_LIBJWT] && !libjwt_verify(f))
		die("libjwt cannot verify the token");
#else
	(void)f;
#endif
}

static void
setup(fixture *f, const bench_alg *a, const char *dir)
{
	EVP_PKEY *key;
	mint_jwks_entry e;
	char path[512], conf[1024], claims[512], *jwks;
	jwtc_config *cfg = NULL;
	jwtc_error err;
	BIO *bio;

	memset(f, 0, sizeof(*f));
	f->a = a;
	key = mint_key_gen(a->keytype);
	if (key == NULL)
		die("cannot make a key");
	memset(&e, 0, sizeof(e));
	e.key = key;
	e.opts.kid = "k1";
	jwks = mint_jwks(&e, 1);
	snprintf(path, sizeof(path), "%s/%s.jwks", dir, a->alg);
	if (jwks == NULL || mint_write_file(path, jwks, strlen(jwks),
	    0644) != 0)
		die("cannot write the JWKS");
	mint_free(jwks);
	snprintf(conf, sizeof(conf),
	    "[issuer bench]\nissuer = https://idp.example\n"
	    "audience = api\njwks_file = %s\n", path);
	if (jwtc_config_parse("bench.conf", conf, strlen(conf), &cfg,
	    &err) != JWTC_OK || jwtc_ctx_new(cfg, NULL, NULL, &f->ctx,
	    &err) != JWTC_OK) {
		fprintf(stderr, "bench: %s\n", err.msg);
		exit(1);
	}
	snprintf(claims, sizeof(claims),
	    "{\"iss\":\"https://idp.example\",\"sub\":\"alice\","
	    "\"aud\":\"api\",\"iat\":%lld,\"exp\":%lld,\"jti\":\"b1\"}",
	    (long long)time(NULL), (long long)time(NULL) + 86400);
	f->token = mint_sign(key, a->alg, "{\"kid\":\"k1\",\"typ\":\"JWT\"}",
	    claims);
	if (f->token == NULL)
		die("cannot sign");
	f->token_len = strlen(f->token);
	extract_sig(f);

	/* raw gets its own public key, imported once from PEM */
	f->pem = mint_pubkey_pem(key, &f->pemlen);
	bio = f->pem != NULL ? BIO_new_mem_buf(f->pem, (int)f->pemlen) : NULL;
	f->pub = bio != NULL ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) :
	    NULL;
	if (f->pub == NULL)
		die("cannot import the public key");
	BIO_free(bio);
	f->has[M_RAW] = f->has[M_CORE] = true;
	setup_cjose(f, key);
	setup_libjwt(f);
	mint_key_free(key);
}

static void
teardown(fixture *f, const char *dir)
{
	char path[512];

	jwtc_ctx_free(f->ctx);
	EVP_PKEY_free(f->pub);
	free(f->sig);
	mint_free(f->token);
	mint_free(f->pem);
#ifdef HAVE_CJOSE
	if (f->cjwk != NULL)
		cjose_jwk_release(f->cjwk);
#endif
	snprintf(path, sizeof(path), "%s/%s.jwks", dir, f->a->alg);
	unlink(path);
}

/* Whether a method is built in (its line printed at all). */
static bool
built_in(method m)
{
	switch (m) {
	case M_RAW:
	case M_CORE:
		return true;
	case M_CJOSE:
#ifdef HAVE_CJOSE
		return true;
#else
		return false;
#endif
	case M_LIBJWT:
#ifdef HAVE_LIBJWT
		return true;
#else
		return false;
#endif
	default:
		return false;
	}
}

static void
bench_alg_run(const bench_alg *a, const char *dir)
{
	double rates[M_COUNT][REPS], med[M_COUNT];
	long n[M_COUNT];
	fixture f;
	int m, r;

	setup(&f, a, dir);
	/* calibrate each method: about TARGET_SECONDS a run */
	for (m = 0; m < M_COUNT; m++) {
		if (!f.has[m])
			continue;
		n[m] = (long)(run(&f, (method)m, MIN_RUN) * TARGET_SECONDS);
		if (n[m] < MIN_RUN)
			n[m] = MIN_RUN;
	}
	for (r = 0; r < REPS; r++)
		for (m = 0; m < M_COUNT; m++)
			if (f.has[m])
				rates[m][r] = run(&f, (method)m, n[m]);
	for (m = 0; m < M_COUNT; m++) {
		if (!built_in((method)m))
			continue;
		if (!f.has[m]) {
			printf("bench %s %s n/a n/a\n", a->alg,
			    method_names[m]);
			continue;
		}
		qsort(rates[m], REPS, sizeof(double), cmp_double);
		med[m] = rates[m][REPS / 2];
		printf("bench %s %s %.0f %.3f\n", a->alg, method_names[m],
		    med[m], med[m] / med[M_RAW]);
	}
	fflush(stdout);
	teardown(&f, dir);
}

/* The loop a profiler counts alone (--toggle-collect=profile_loop). */
__attribute__((noinline)) static int
profile_loop(const fixture *f, method m, long n)
{
	long i;
	int ok = 1;

	for (i = 0; i < n; i++)
		ok &= verify_once(f, m);
	return ok;
}

/* One function per method, so that a profile of METHOD "all" (same key,
 * same token for every method) shows each one's inclusive cost. */
__attribute__((noinline)) static int
profile_raw(const fixture *f, long n)
{
	return profile_loop(f, M_RAW, n);
}

__attribute__((noinline)) static int
profile_core(const fixture *f, long n)
{
	return profile_loop(f, M_CORE, n);
}

__attribute__((noinline)) static int
profile_cjose(const fixture *f, long n)
{
	return profile_loop(f, M_CJOSE, n);
}

__attribute__((noinline)) static int
profile_libjwt(const fixture *f, long n)
{
	return profile_loop(f, M_LIBJWT, n);
}

static int
profile_all(const fixture *f, long n)
{
	int ok = 1;

	ok &= profile_raw(f, n);
	ok &= profile_core(f, n);
	if (f->has[M_CJOSE])
		ok &= profile_cjose(f, n);
	if (f->has[M_LIBJWT])
		ok &= profile_libjwt(f, n);
	return ok;
}

static int
profile(const char *alg, const char *meth, const char *count,
    const char *dir)
{
	const bench_alg *a = NULL;
	method m = M_COUNT;
	fixture f;
	char *end;
	long n;
	size_t i;
	int ok;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcmp(algs[i].alg, alg) == 0)
			a = &algs[i];
	for (i = 0; i < M_COUNT; i++)
		if (strcmp(method_names[i], meth) == 0)
			m = (method)i;
	n = strtol(count, &end, 10);
	if (a == NULL || (m == M_COUNT && strcmp(meth, "all") != 0) ||
	    *end != '\0' || n < 1 || n > 10000000)
		die("usage: bench [ALG METHOD|all N]");
	setup(&f, a, dir);
	if (m != M_COUNT && !f.has[m])
		die("method not available for this algorithm");
	/* warm up: first fetches and lazily made state are not counted */
	ok = 1;
	for (i = 0; i < M_COUNT; i++)
		if ((m == M_COUNT || m == (method)i) && f.has[i])
			ok &= verify_once(&f, (method)i) &&
			    verify_once(&f, (method)i);
	if (m == M_COUNT)
		ok = ok && profile_all(&f, n);
	else
		ok = ok && profile_loop(&f, m, n);
	teardown(&f, dir);
	return ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/jwt-auth-bench.XXXXXX";
	size_t i;
	int rc = 0;

	if (argc != 1 && argc != 4)
		die("usage: bench [ALG METHOD|all N]");
	if (mkdtemp(dir) == NULL)
		die("mkdtemp");
	if (argc == 4)
		rc = profile(argv[1], argv[2], argv[3], dir);
	else
		for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
			bench_alg_run(&algs[i], dir);
	rmdir(dir);
	return rc;
}
