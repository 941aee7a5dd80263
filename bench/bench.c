/*
 * bench.c - verifies per second of the core against raw OpenSSL.
 *
 * Not a test: it prints one line per algorithm and method,
 *   bench ALG METHOD VERIFIES_PER_S RATIO_TO_RAW
 * where raw is OpenSSL's EVP verification of the signing input (key
 * imported once, a fresh context per verify) and core is the project's
 * full jwtc_verify (bounds, base64url, JSON, key lookup, signature, every
 * claim rule).  Methods run interleaved; each figure is the median of
 * several repetitions in this one process.
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

#include "internal.h"
#include "mintlib.h"

#define REPS 7
#define TARGET_SECONDS 0.15

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

typedef struct fixture {
	const bench_alg *a;
	EVP_PKEY *pub;            /* public key imported once, for raw */
	char *token;
	size_t token_len;
	unsigned char *sig;       /* DER for ECDSA, as signed otherwise */
	size_t siglen;
	size_t msglen;            /* signing input length within token */
	jwtc_ctx *ctx;
} fixture;

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
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

/* Verifies per second of n runs. */
static double
run(const fixture *f, bool core, long n)
{
	double t0 = now_seconds(), dt;
	long i;

	for (i = 0; i < n; i++) {
		if (!(core ? core_verify(f) : raw_verify(f))) {
			fprintf(stderr, "bench: %s %s verify failed\n",
			    f->a->alg, core ? "core" : "raw");
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

static void
die(const char *what)
{
	fprintf(stderr, "bench: %s\n", what);
	exit(1);
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

static void
setup(fixture *f, const bench_alg *a, const char *dir)
{
	EVP_PKEY *key;
	mint_jwks_entry e;
	char path[512], conf[1024], claims[512], *jwks, *der_pem;
	jwtc_config *cfg = NULL;
	jwtc_error err;
	size_t len;
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

	/* raw gets its own public key, imported once from DER */
	der_pem = mint_pubkey_pem(key, &len);
	bio = der_pem != NULL ? BIO_new_mem_buf(der_pem, (int)len) : NULL;
	f->pub = bio != NULL ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) :
	    NULL;
	if (f->pub == NULL)
		die("cannot import the public key");
	BIO_free(bio);
	mint_free(der_pem);
	mint_key_free(key);
}

int
main(void)
{
	char dir[] = "/tmp/jwt-auth-bench.XXXXXX";
	size_t i;
	int r;

	if (mkdtemp(dir) == NULL)
		die("mkdtemp");
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		double raw[REPS], core[REPS], rate;
		long n = 64;
		fixture f;
		char path[512];

		setup(&f, &algs[i], dir);
		/* calibrate: about TARGET_SECONDS a run */
		rate = run(&f, false, n);
		n = (long)(rate * TARGET_SECONDS);
		if (n < 50)
			n = 50;
		for (r = 0; r < REPS; r++) {
			raw[r] = run(&f, false, n);
			core[r] = run(&f, true, n);
		}
		qsort(raw, REPS, sizeof(double), cmp_double);
		qsort(core, REPS, sizeof(double), cmp_double);
		printf("bench %s raw %.0f 1.000\n", algs[i].alg, raw[REPS / 2]);
		printf("bench %s core %.0f %.3f\n", algs[i].alg, core[REPS / 2],
		    core[REPS / 2] / raw[REPS / 2]);
		fflush(stdout);
		jwtc_ctx_free(f.ctx);
		EVP_PKEY_free(f.pub);
		free(f.sig);
		mint_free(f.token);
		snprintf(path, sizeof(path), "%s/%s.jwks", dir, algs[i].alg);
		unlink(path);
	}
	rmdir(dir);
	return 0;
}
