/*
 * test_jwk.c - JWK import, JWKS parsing, key/algorithm binding and
 * signature verification (common/jwk.c, common/sig.c).
 *
 * Keys are generated here with OpenSSL and exported to JWK by this file
 * itself (n, e, x, y computed from the key), so an error in the project's
 * own minting helper cannot hide one in the importer.
 */
#include "unit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/obj_mac.h>
#include <openssl/rsa.h>

#include "internal.h"

/* ---- fixtures ------------------------------------------------------------ */

enum { K_RSA, K_RSA1024, K_P256, K_P384, K_P521, K_K256, K_ED25519, K_ED448,
       K_X25519, K_COUNT };

/* Named pieces of key material, substituted into JWK templates as @NAME@. */
#define MAX_VARS 48
struct var {
	const char *name;
	char *value;
};

static EVP_PKEY *keys[K_COUNT];
static struct var vars[MAX_VARS];
static size_t n_vars;

static void
add_var(const char *name, char *value)
{
	assert_non_null(value);
	assert_true(n_vars < MAX_VARS);
	vars[n_vars].name = name;
	vars[n_vars].value = value;
	n_vars++;
}

static const char *
get_var(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < n_vars; i++) {
		if (strlen(vars[i].name) == len &&
		    memcmp(vars[i].name, name, len) == 0)
			return vars[i].value;
	}
	fail_msg("no variable %.*s", (int)len, name);
	return NULL;
}

/* tmpl with every @NAME@ replaced. */
static char *
subst(const char *tmpl)
{
	size_t cap = strlen(tmpl) + 1, len = 0;
	char *out = malloc(cap);
	const char *p = tmpl;

	assert_non_null(out);
	while (*p != '\0') {
		const char *val = NULL, *end;
		size_t vlen;
		char one[2] = { *p, '\0' };

		if (*p == '@') {
			end = strchr(p + 1, '@');
			assert_non_null(end);
			val = get_var(p + 1, (size_t)(end - p - 1));
			p = end + 1;
		} else {
			val = one;
			p++;
		}
		vlen = strlen(val);
		if (len + vlen + 1 > cap) {
			cap = (len + vlen + 1) * 2;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		memcpy(out + len, val, vlen);
		len += vlen;
	}
	out[len] = '\0';
	return out;
}

static char *
b64(const unsigned char *p, size_t len)
{
	char *s = jwtc_b64url_encode(p, len);

	assert_non_null(s);
	return s;
}

/* A BIGNUM parameter of a key as big-endian bytes, left-padded to pad
 * bytes (0: minimal). */
static unsigned char *
key_bn(const EVP_PKEY *key, const char *param, size_t pad, size_t *len)
{
	BIGNUM *bn = NULL;
	unsigned char *buf;
	size_t n;

	assert_int_equal(EVP_PKEY_get_bn_param(key, param, &bn), 1);
	n = pad != 0 ? pad : (size_t)BN_num_bytes(bn);
	buf = malloc(n + 1);
	assert_non_null(buf);
	assert_int_equal(BN_bn2binpad(bn, buf, (int)n), (int)n);
	BN_free(bn);
	*len = n;
	return buf;
}

static char *
key_bn_b64(const EVP_PKEY *key, const char *param, size_t pad)
{
	size_t len = 0;
	unsigned char *buf = key_bn(key, param, pad, &len);
	char *s = b64(buf, len);

	free(buf);
	return s;
}

static char *
raw_pub_b64(const EVP_PKEY *key)
{
	unsigned char buf[64];
	size_t len = sizeof(buf);

	assert_int_equal(EVP_PKEY_get_raw_public_key(key, buf, &len), 1);
	return b64(buf, len);
}

/* b64url of the bytes of a variant of the 2048-bit modulus. */
static char *
modulus_variant(int which)
{
	size_t len = 0;
	unsigned char *n = key_bn(keys[K_RSA], OSSL_PKEY_PARAM_RSA_N, 0, &len);
	unsigned char *buf = calloc(1, 1200);
	char *s = NULL;
	BIGNUM *bn = NULL, *three = NULL;
	BN_CTX *bctx = NULL;

	assert_non_null(buf);
	switch (which) {
	case 0: /* a leading zero byte */
		memcpy(buf + 1, n, len);
		s = b64(buf, len + 1);
		break;
	case 1: /* even */
		n[len - 1] &= 0xfe;
		s = b64(n, len);
		break;
	case 2: /* 8193 bits */
		buf[0] = 0x01;
		memset(buf + 1, 0xff, 1024);
		s = b64(buf, 1025);
		break;
	case 3: /* a multiple of 3: odd, 2050 bits, a small factor */
		bn = BN_bin2bn(n, (int)len, NULL);
		three = BN_new();
		bctx = BN_CTX_new();
		assert_true(bn != NULL && three != NULL && bctx != NULL);
		assert_int_equal(BN_set_word(three, 3), 1);
		assert_int_equal(BN_mul(bn, bn, three, bctx), 1);
		len = (size_t)BN_bn2bin(bn, buf);
		s = b64(buf, len);
		break;
	default: /* zero */
		s = b64(buf, 3);
		break;
	}
	BN_free(bn);
	BN_free(three);
	BN_CTX_free(bctx);
	free(n);
	free(buf);
	return s;
}

/* A coordinate with a change: 1 drop the first byte, 2 prepend a zero,
 * 3 flip the lowest bit. */
static char *
coord_variant(const EVP_PKEY *key, const char *param, size_t field, int how)
{
	size_t len = 0;
	unsigned char *c = key_bn(key, param, field, &len);
	unsigned char buf[80];
	char *s;

	assert_true(len + 1 <= sizeof(buf));
	if (how == 1) {
		s = b64(c + 1, len - 1);
	} else if (how == 2) {
		buf[0] = 0;
		memcpy(buf + 1, c, len);
		s = b64(buf, len + 1);
	} else {
		c[len - 1] ^= 1;
		s = b64(c, len);
	}
	free(c);
	return s;
}

static char *
repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static int
setup(void **state)
{
	unsigned char zeros[32] = { 0 };

	(void)state;
	keys[K_RSA] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	keys[K_RSA1024] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	keys[K_P256] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	keys[K_P384] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	keys[K_P521] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
	keys[K_K256] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
	keys[K_ED25519] = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	keys[K_ED448] = EVP_PKEY_Q_keygen(NULL, NULL, "ED448");
	keys[K_X25519] = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	for (int i = 0; i < K_COUNT; i++)
		assert_non_null(keys[i]);

	add_var("N", key_bn_b64(keys[K_RSA], OSSL_PKEY_PARAM_RSA_N, 0));
	add_var("E", key_bn_b64(keys[K_RSA], OSSL_PKEY_PARAM_RSA_E, 0));
	add_var("N1024", key_bn_b64(keys[K_RSA1024], OSSL_PKEY_PARAM_RSA_N, 0));
	add_var("NZ", modulus_variant(0));
	add_var("NEVEN", modulus_variant(1));
	add_var("N8193", modulus_variant(2));
	add_var("NX3", modulus_variant(3));
	add_var("NZERO", modulus_variant(4));
	add_var("X256", key_bn_b64(keys[K_P256], OSSL_PKEY_PARAM_EC_PUB_X, 32));
	add_var("Y256", key_bn_b64(keys[K_P256], OSSL_PKEY_PARAM_EC_PUB_Y, 32));
	add_var("X384", key_bn_b64(keys[K_P384], OSSL_PKEY_PARAM_EC_PUB_X, 48));
	add_var("Y384", key_bn_b64(keys[K_P384], OSSL_PKEY_PARAM_EC_PUB_Y, 48));
	add_var("X521", key_bn_b64(keys[K_P521], OSSL_PKEY_PARAM_EC_PUB_X, 66));
	add_var("Y521", key_bn_b64(keys[K_P521], OSSL_PKEY_PARAM_EC_PUB_Y, 66));
	add_var("XK1", key_bn_b64(keys[K_K256], OSSL_PKEY_PARAM_EC_PUB_X, 32));
	add_var("YK1", key_bn_b64(keys[K_K256], OSSL_PKEY_PARAM_EC_PUB_Y, 32));
	add_var("X256SHORT", coord_variant(keys[K_P256],
	    OSSL_PKEY_PARAM_EC_PUB_X, 32, 1));
	add_var("X256LONG", coord_variant(keys[K_P256],
	    OSSL_PKEY_PARAM_EC_PUB_X, 32, 2));
	add_var("Y256BAD", coord_variant(keys[K_P256],
	    OSSL_PKEY_PARAM_EC_PUB_Y, 32, 3));
	add_var("Y384BAD", coord_variant(keys[K_P384],
	    OSSL_PKEY_PARAM_EC_PUB_Y, 48, 3));
	add_var("Z32", b64(zeros, 32));
	add_var("ED25519", raw_pub_b64(keys[K_ED25519]));
	add_var("ED448", raw_pub_b64(keys[K_ED448]));
	add_var("X25519", raw_pub_b64(keys[K_X25519]));
	add_var("ED25519SHORT", b64(zeros, 31));
	add_var("KID256", repeat('k', 256));
	add_var("KID257", repeat('k', 257));
	return 0;
}

static int
teardown(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < K_COUNT; i++)
		EVP_PKEY_free(keys[i]);
	for (i = 0; i < n_vars; i++)
		free(vars[i].value);
	return 0;
}

/* Import a JWK given as a template; returns the rc, fills k and why. */
static jwtc_rc
import_tmpl(const char *tmpl, jwtc_key *k, char *why, size_t whylen)
{
	char *text = subst(tmpl);
	json_error_t jerr;
	json_t *jwk = json_loads(text, JSON_DECODE_ANY, &jerr);
	jwtc_rc rc;

	if (jwk == NULL)
		fail_msg("test JWK does not parse: %s: %s", jerr.text, tmpl);
	memset(k, 0, sizeof(*k));
	why[0] = '\0';
	rc = jwtc_jwk_import(jwk, k, why, whylen);
	json_decref(jwk);
	free(text);
	return rc;
}

/* ---- algorithm names ----------------------------------------------------- */

static void
test_alg_names(void **state)
{
	static const char *const good[] = { "RS256", "RS384", "RS512",
	    "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
	    "HS256", "HS384", "HS512" };
	static const char *const bad[] = { "none", "None", "NONE", "nOnE",
	    "none ", "", "rs256", "Rs256", "RS256 ", " RS256", "RS256\n",
	    "ES256K", "ES521", "ES224", "HS1", "HS", "EDDSA", "eddsa",
	    "Ed25519", "Ed448", "PS256K", "RSA1_5", "A256GCM", "dir",
	    "RS25", "RS2560" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		jwtc_alg a = jwtc_alg_from_name(good[i]);

		assert_int_not_equal(a, JWTC_ALG_UNKNOWN);
		assert_string_equal(jwtc_alg_name(a), good[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (jwtc_alg_from_name(bad[i]) != JWTC_ALG_UNKNOWN)
			fail_msg("alg \"%s\" was accepted", bad[i]);
	}
	assert_int_equal(jwtc_alg_from_name(NULL), JWTC_ALG_UNKNOWN);
	assert_string_equal(jwtc_alg_name(JWTC_ALG_UNKNOWN), "unknown");
	assert_string_equal(jwtc_alg_name(JWTC_ALG_COUNT), "unknown");
	assert_string_equal(jwtc_alg_name((jwtc_alg)-1), "unknown");
	assert_int_equal(jwtc_alg_hmac_len(JWTC_ALG_HS256), 32);
	assert_int_equal(jwtc_alg_hmac_len(JWTC_ALG_HS384), 48);
	assert_int_equal(jwtc_alg_hmac_len(JWTC_ALG_HS512), 64);
	assert_int_equal(jwtc_alg_hmac_len(JWTC_ALG_RS256), 0);
	assert_int_equal(jwtc_alg_hmac_len(JWTC_ALG_EDDSA), 0);
	assert_int_equal(jwtc_alg_hmac_len(JWTC_ALG_UNKNOWN), 0);
	assert_int_equal(jwtc_alg_hmac_len(JWTC_ALG_COUNT), 0);
}

/* ---- JWK import ---------------------------------------------------------- */

struct import_case {
	const char *jwk;      /* template */
	jwtc_rc want;
	const char *why;      /* substring of the reason, for refusals */
};

#define RSA_KEY(n, e) "{\"kty\":\"RSA\",\"n\":" n ",\"e\":" e "}"
#define EC_KEY(crv, x, y) \
	"{\"kty\":\"EC\",\"crv\":" crv ",\"x\":" x ",\"y\":" y "}"
#define OKP_KEY(crv, x) "{\"kty\":\"OKP\",\"crv\":" crv ",\"x\":" x "}"

static const struct import_case import_cases[] = {
	/* accepted */
	{ RSA_KEY("\"@N@\"", "\"@E@\""), JWTC_OK, NULL },
	{ RSA_KEY("\"@N@\"", "\"Aw\""), JWTC_OK, NULL },          /* e = 3 */
	{ RSA_KEY("\"@NZ@\"", "\"AAEAAQ\""), JWTC_OK, NULL },     /* zeros */
	{ EC_KEY("\"P-256\"", "\"@X256@\"", "\"@Y256@\""), JWTC_OK, NULL },
	{ EC_KEY("\"P-384\"", "\"@X384@\"", "\"@Y384@\""), JWTC_OK, NULL },
	{ EC_KEY("\"P-521\"", "\"@X521@\"", "\"@Y521@\""), JWTC_OK, NULL },
	{ OKP_KEY("\"Ed25519\"", "\"@ED25519@\""), JWTC_OK, NULL },
	{ OKP_KEY("\"Ed448\"", "\"@ED448@\""), JWTC_OK, NULL },
	{ "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"@ED25519@\","
	  "\"kid\":\"@KID256@\"}", JWTC_OK, NULL },

	/* RSA: size and exponent */
	{ RSA_KEY("\"@N1024@\"", "\"AQAB\""), JWTC_ERR_UNSUPPORTED,
	  "1024 bits" },
	{ RSA_KEY("\"@N8193@\"", "\"AQAB\""), JWTC_ERR_UNSUPPORTED,
	  "8193 bits" },
	{ RSA_KEY("\"@N@\"", "\"AQ\""), JWTC_ERR_UNSUPPORTED,
	  "odd and at least 3" },                                  /* e = 1 */
	{ RSA_KEY("\"@N@\"", "\"AAAB\""), JWTC_ERR_UNSUPPORTED,
	  "odd and at least 3" },                       /* e = 1, padded */
	{ RSA_KEY("\"@N@\"", "\"Ag\""), JWTC_ERR_UNSUPPORTED,
	  "odd and at least 3" },                                  /* e = 2 */
	{ RSA_KEY("\"@N@\"", "\"AQAA\""), JWTC_ERR_UNSUPPORTED,
	  "odd and at least 3" },                              /* e = 65536 */
	{ RSA_KEY("\"@N@\"", "\"AA\""), JWTC_ERR_UNSUPPORTED, "zero" },
	{ RSA_KEY("\"@N@\"", "\"\""), JWTC_ERR_UNSUPPORTED, "zero" },
	{ RSA_KEY("\"@N@\"", "\"AQAAAAAAAAAB\""), JWTC_ERR_UNSUPPORTED,
	  "longer than 8 bytes" },
	{ RSA_KEY("\"@NZERO@\"", "\"AQAB\""), JWTC_ERR_MALFORMED, "zero" },
	{ RSA_KEY("\"@NEVEN@\"", "\"AQAB\""), JWTC_ERR_MALFORMED,
	  "public key check" },
	{ RSA_KEY("\"@NX3@\"", "\"AQAB\""), JWTC_ERR_MALFORMED,
	  "public key check" },
	/* RSA: members and encoding */
	{ "{\"kty\":\"RSA\",\"n\":\"@N@\"}", JWTC_ERR_MALFORMED,
	  "\"e\" is missing" },
	{ "{\"kty\":\"RSA\",\"e\":\"AQAB\"}", JWTC_ERR_MALFORMED,
	  "\"n\" is missing" },
	{ RSA_KEY("\"@N@==\"", "\"AQAB\""), JWTC_ERR_MALFORMED,
	  "base64url" },
	{ RSA_KEY("\"+@N@\"", "\"AQAB\""), JWTC_ERR_MALFORMED, "base64url" },
	{ RSA_KEY("\"/@N@\"", "\"AQAB\""), JWTC_ERR_MALFORMED, "base64url" },
	{ RSA_KEY("\"@N@\"", "\"AQA+\""), JWTC_ERR_MALFORMED, "base64url" },
	{ RSA_KEY("\"@N@\"", "\"AQAB=\""), JWTC_ERR_MALFORMED, "base64url" },
	{ RSA_KEY("\"@N@ \"", "\"AQAB\""), JWTC_ERR_MALFORMED, "base64url" },
	{ RSA_KEY("\"@N@\"", "\"AQB\""), JWTC_ERR_MALFORMED,
	  "base64url" },                          /* non-zero trailing bits */
	{ RSA_KEY("65537", "\"AQAB\""), JWTC_ERR_MALFORMED, "not a string" },
	{ RSA_KEY("\"@N@\"", "65537"), JWTC_ERR_MALFORMED, "not a string" },
	{ RSA_KEY("null", "\"AQAB\""), JWTC_ERR_MALFORMED, "not a string" },

	/* EC */
	{ EC_KEY("\"P-256\"", "\"@X256@\"", "\"@Y256BAD@\""),
	  JWTC_ERR_MALFORMED, "not on curve" },
	{ EC_KEY("\"P-384\"", "\"@X384@\"", "\"@Y384BAD@\""),
	  JWTC_ERR_MALFORMED, "not on curve" },
	{ EC_KEY("\"P-256\"", "\"@Z32@\"", "\"@Z32@\""),
	  JWTC_ERR_MALFORMED, "not on curve" },
	{ EC_KEY("\"P-256\"", "\"@X256SHORT@\"", "\"@Y256@\""),
	  JWTC_ERR_MALFORMED, "32 bytes" },
	{ EC_KEY("\"P-256\"", "\"@X256LONG@\"", "\"@Y256@\""),
	  JWTC_ERR_MALFORMED, "32 bytes" },
	{ EC_KEY("\"P-384\"", "\"@X256@\"", "\"@Y256@\""),
	  JWTC_ERR_MALFORMED, "48 bytes" },      /* P-256 point, crv P-384 */
	{ EC_KEY("\"P-256\"", "\"@X384@\"", "\"@Y384@\""),
	  JWTC_ERR_MALFORMED, "32 bytes" },      /* P-384 point, crv P-256 */
	{ EC_KEY("\"P-521\"", "\"@X384@\"", "\"@Y384@\""),
	  JWTC_ERR_MALFORMED, "66 bytes" },
	{ EC_KEY("\"secp256k1\"", "\"@XK1@\"", "\"@YK1@\""),
	  JWTC_ERR_UNSUPPORTED, "secp256k1" },
	{ EC_KEY("\"P-256\"", "\"@XK1@\"", "\"@YK1@\""),
	  JWTC_ERR_MALFORMED, "not on curve" },   /* k1 point under P-256 */
	{ EC_KEY("\"P-192\"", "\"@X256@\"", "\"@Y256@\""),
	  JWTC_ERR_UNSUPPORTED, "P-192" },
	{ EC_KEY("\"p-256\"", "\"@X256@\"", "\"@Y256@\""),
	  JWTC_ERR_UNSUPPORTED, "p-256" },
	{ EC_KEY("\"Ed25519\"", "\"@X256@\"", "\"@Y256@\""),
	  JWTC_ERR_UNSUPPORTED, "Ed25519" },
	{ EC_KEY("256", "\"@X256@\"", "\"@Y256@\""),
	  JWTC_ERR_MALFORMED, "not a string" },
	{ "{\"kty\":\"EC\",\"x\":\"@X256@\",\"y\":\"@Y256@\"}",
	  JWTC_ERR_MALFORMED, "\"crv\" is missing" },
	{ "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"@X256@\"}",
	  JWTC_ERR_MALFORMED, "\"y\" is missing" },
	{ EC_KEY("\"P-256\"", "\"@X256@=\"", "\"@Y256@\""),
	  JWTC_ERR_MALFORMED, "base64url" },

	/* OKP */
	{ OKP_KEY("\"Ed25519\"", "\"@ED25519SHORT@\""), JWTC_ERR_MALFORMED,
	  "32 bytes" },
	{ OKP_KEY("\"Ed25519\"", "\"@ED448@\""), JWTC_ERR_MALFORMED,
	  "32 bytes" },
	{ OKP_KEY("\"Ed448\"", "\"@ED25519@\""), JWTC_ERR_MALFORMED,
	  "57 bytes" },
	{ OKP_KEY("\"X25519\"", "\"@X25519@\""), JWTC_ERR_UNSUPPORTED,
	  "key agreement" },
	{ OKP_KEY("\"X448\"", "\"@ED448@\""), JWTC_ERR_UNSUPPORTED,
	  "key agreement" },
	{ OKP_KEY("\"P-256\"", "\"@ED25519@\""), JWTC_ERR_UNSUPPORTED,
	  "P-256" },
	{ OKP_KEY("\"ed25519\"", "\"@ED25519@\""), JWTC_ERR_UNSUPPORTED,
	  "ed25519" },
	{ "{\"kty\":\"OKP\",\"crv\":\"Ed25519\"}", JWTC_ERR_MALFORMED,
	  "\"x\" is missing" },

	/* key types and shared members */
	{ "{\"kty\":\"oct\","
	  "\"k\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}",
	  JWTC_ERR_UNSUPPORTED, "symmetric keys are never taken from a JWKS" },
	{ "{\"n\":\"@N@\",\"e\":\"AQAB\"}", JWTC_ERR_MALFORMED,
	  "\"kty\" is missing" },
	{ "{\"kty\":\"rsa\",\"n\":\"@N@\",\"e\":\"AQAB\"}",
	  JWTC_ERR_UNSUPPORTED, "kty rsa" },
	{ "{\"kty\":\"\",\"n\":\"@N@\",\"e\":\"AQAB\"}",
	  JWTC_ERR_UNSUPPORTED, "kty" },
	{ "{\"kty\":[\"RSA\"],\"n\":\"@N@\",\"e\":\"AQAB\"}",
	  JWTC_ERR_MALFORMED, "not a string" },
	{ "[\"RSA\"]", JWTC_ERR_MALFORMED, "not a JSON object" },
	{ "\"RSA\"", JWTC_ERR_MALFORMED, "not a JSON object" },
	{ "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"@ED25519@\","
	  "\"kid\":7}", JWTC_ERR_MALFORMED, "\"kid\" is not a string" },
	{ "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"@ED25519@\","
	  "\"kid\":null}", JWTC_ERR_MALFORMED, "\"kid\" is not a string" },
	{ "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"@ED25519@\","
	  "\"kid\":[\"a\"]}", JWTC_ERR_MALFORMED, "\"kid\" is not a string" },
	{ "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"@ED25519@\","
	  "\"kid\":\"@KID257@\"}", JWTC_ERR_MALFORMED, "longer than 256" },
	{ "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"@ED25519@\","
	  "\"alg\":256}", JWTC_ERR_MALFORMED, "\"alg\" is not a string" },
	{ "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"@ED25519@\","
	  "\"use\":[\"sig\"]}", JWTC_ERR_MALFORMED, "\"use\" is not a string" },
	{ "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"@ED25519@\","
	  "\"key_ops\":\"verify\"}", JWTC_ERR_MALFORMED, "not an array" },
	{ "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"@ED25519@\","
	  "\"key_ops\":[\"verify\",1]}", JWTC_ERR_MALFORMED,
	  "other than strings" },
	{ "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"@ED25519@\","
	  "\"key_ops\":{\"verify\":true}}", JWTC_ERR_MALFORMED,
	  "not an array" },
};

static void
test_import_table(void **state)
{
	size_t i;
	char why[256];

	(void)state;
	for (i = 0; i < sizeof(import_cases) / sizeof(import_cases[0]); i++) {
		const struct import_case *c = &import_cases[i];
		jwtc_key k;
		jwtc_rc rc = import_tmpl(c->jwk, &k, why, sizeof(why));

		if (rc != c->want)
			fail_msg("case %zu: rc %d (%s), want %d", i, rc, why,
			    c->want);
		if (rc == JWTC_OK) {
			assert_non_null(k.pkey);
			assert_true(k.kty == JWTC_KTY_RSA ||
			    k.kty == JWTC_KTY_EC || k.kty == JWTC_KTY_OKP);
			jwtc_key_clear(&k);
			continue;
		}
		/* Refused: nothing handed out, and a reason given. */
		assert_null(k.pkey);
		assert_null(k.kid);
		if (c->why != NULL && strstr(why, c->why) == NULL)
			fail_msg("case %zu: reason \"%s\" lacks \"%s\"", i, why,
			    c->why);
	}
}

/* What an accepted key records about itself. */
static void
test_import_fields(void **state)
{
	jwtc_key k;
	char why[256];

	(void)state;
	assert_int_equal(import_tmpl("{\"kty\":\"RSA\",\"n\":\"@NZ@\","
	    "\"e\":\"AQAB\",\"kid\":\"r1\",\"alg\":\"PS384\",\"use\":\"sig\","
	    "\"key_ops\":[\"sign\",\"verify\"]}", &k, why, sizeof(why)),
	    JWTC_OK);
	assert_int_equal(k.kty, JWTC_KTY_RSA);
	assert_int_equal(k.bits, 2048); /* the leading zero does not count */
	assert_string_equal(k.kid, "r1");
	assert_int_equal(k.alg, JWTC_ALG_PS384);
	assert_false(k.alg_unusable);
	assert_true(k.use_ok);
	assert_true(k.ops_ok);
	jwtc_key_clear(&k);
	assert_null(k.pkey);
	jwtc_key_clear(&k); /* twice is harmless */
	jwtc_key_clear(NULL);

	assert_int_equal(import_tmpl(EC_KEY("\"P-521\"", "\"@X521@\"",
	    "\"@Y521@\""), &k, why, sizeof(why)), JWTC_OK);
	assert_int_equal(k.kty, JWTC_KTY_EC);
	assert_int_equal(k.nid, NID_secp521r1);
	assert_int_equal(k.bits, 521);
	assert_null(k.kid);
	assert_int_equal(k.alg, JWTC_ALG_UNKNOWN);
	assert_false(k.alg_unusable);
	assert_true(k.use_ok && k.ops_ok);
	jwtc_key_clear(&k);

	/* An alg we do not know makes the key unusable, not refused. */
	assert_int_equal(import_tmpl("{\"kty\":\"EC\",\"crv\":\"P-521\","
	    "\"x\":\"@X521@\",\"y\":\"@Y521@\",\"alg\":\"ES521\"}", &k, why,
	    sizeof(why)), JWTC_OK);
	assert_true(k.alg_unusable);
	jwtc_key_clear(&k);
	assert_int_equal(import_tmpl("{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
	    "\"x\":\"@ED25519@\",\"alg\":\"none\",\"use\":\"enc\","
	    "\"key_ops\":[\"sign\"]}", &k, why, sizeof(why)), JWTC_OK);
	assert_int_equal(k.nid, NID_ED25519);
	assert_true(k.alg_unusable);
	assert_false(k.use_ok);
	assert_false(k.ops_ok);
	jwtc_key_clear(&k);
	assert_int_equal(import_tmpl("{\"kty\":\"OKP\",\"crv\":\"Ed448\","
	    "\"x\":\"@ED448@\",\"key_ops\":[]}", &k, why, sizeof(why)),
	    JWTC_OK);
	assert_int_equal(k.nid, NID_ED448);
	assert_false(k.ops_ok);
	jwtc_key_clear(&k);
	assert_int_equal(import_tmpl("{\"kty\":\"OKP\",\"crv\":\"Ed448\","
	    "\"x\":\"@ED448@\",\"use\":\"SIG\"}", &k, why, sizeof(why)),
	    JWTC_OK);
	assert_false(k.use_ok);
	jwtc_key_clear(&k);
}

/* Private members are never imported: the key stays public only. */
static void
test_import_ignores_private(void **state)
{
	jwtc_key k;
	char why[256];
	BIGNUM *d = NULL;
	unsigned char raw[64];
	size_t rawlen = sizeof(raw);

	(void)state;
	assert_int_equal(import_tmpl("{\"kty\":\"RSA\",\"n\":\"@N@\","
	    "\"e\":\"AQAB\",\"d\":\"@N@\",\"p\":\"AQAB\",\"q\":\"AQAB\","
	    "\"dp\":\"AQAB\",\"dq\":\"AQAB\",\"qi\":\"AQAB\",\"oth\":[]}",
	    &k, why, sizeof(why)), JWTC_OK);
	assert_int_equal(EVP_PKEY_get_bn_param(k.pkey, OSSL_PKEY_PARAM_RSA_D,
	    &d), 0);
	assert_null(d);
	jwtc_key_clear(&k);

	assert_int_equal(import_tmpl("{\"kty\":\"EC\",\"crv\":\"P-256\","
	    "\"x\":\"@X256@\",\"y\":\"@Y256@\",\"d\":\"@X256@\"}", &k, why,
	    sizeof(why)), JWTC_OK);
	assert_int_equal(EVP_PKEY_get_bn_param(k.pkey,
	    OSSL_PKEY_PARAM_PRIV_KEY, &d), 0);
	assert_null(d);
	jwtc_key_clear(&k);

	assert_int_equal(import_tmpl("{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
	    "\"x\":\"@ED25519@\",\"d\":\"@ED25519@\"}", &k, why, sizeof(why)),
	    JWTC_OK);
	assert_int_equal(EVP_PKEY_get_raw_private_key(k.pkey, raw, &rawlen),
	    0);
	jwtc_key_clear(&k);
	ERR_clear_error();
}

static void
test_import_args(void **state)
{
	json_t *jwk = json_object();
	jwtc_key k;
	char why[64];

	(void)state;
	assert_non_null(jwk);
	assert_int_equal(jwtc_jwk_import(NULL, &k, why, sizeof(why)),
	    JWTC_ERR_MALFORMED);
	assert_int_equal(jwtc_jwk_import(jwk, NULL, why, sizeof(why)),
	    JWTC_ERR_INTERNAL);
	/* no room for a reason is fine */
	assert_int_equal(jwtc_jwk_import(jwk, &k, NULL, 0),
	    JWTC_ERR_MALFORMED);
	json_decref(jwk);
}

/* ---- JWKS ---------------------------------------------------------------- */

static jwtc_rc
parse_jwks_tmpl(const char *tmpl, jwtc_keyset **ks, jwtc_error *err)
{
	char *text = subst(tmpl);
	jwtc_rc rc;

	memset(err, 0, sizeof(*err));
	*ks = NULL;
	rc = jwtc_jwks_parse(text, strlen(text), ks, err);
	free(text);
	return rc;
}

struct jwks_case {
	const char *text;
	jwtc_rc want;
	const char *msg;
};

#define ED_ENTRY "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"@ED25519@\"}"

static const struct jwks_case jwks_cases[] = {
	{ "[]", JWTC_ERR_MALFORMED, "not a JWKS" },
	{ "[" ED_ENTRY "]", JWTC_ERR_MALFORMED, "not a JWKS" },
	{ "\"keys\"", JWTC_ERR_MALFORMED, "not a JWKS" },
	{ "", JWTC_ERR_MALFORMED, "not a JWKS" },
	{ "{}", JWTC_ERR_MALFORMED, "no \"keys\"" },
	{ "{\"Keys\":[]}", JWTC_ERR_MALFORMED, "no \"keys\"" },
	{ "{\"keys\":{}}", JWTC_ERR_MALFORMED, "not an array" },
	{ "{\"keys\":" ED_ENTRY "}", JWTC_ERR_MALFORMED, "not an array" },
	{ "{\"keys\":\"[]\"}", JWTC_ERR_MALFORMED, "not an array" },
	{ "{\"keys\":null}", JWTC_ERR_MALFORMED, "not an array" },
	{ "{\"keys\":[]", JWTC_ERR_MALFORMED, "not a JWKS" },
	{ "{\"keys\":[]} x", JWTC_ERR_MALFORMED, "not a JWKS" },
	{ "{\"keys\":[],\"keys\":[]}", JWTC_ERR_MALFORMED, "not a JWKS" },
	{ "{\"keys\":[{\"kty\":\"OKP\",\"kty\":\"OKP\",\"crv\":\"Ed25519\","
	  "\"x\":\"@ED25519@\"}]}", JWTC_ERR_MALFORMED, "not a JWKS" },
	{ "{\"keys\":[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]}",
	  JWTC_ERR_MALFORMED, "not a JWKS" },
	/* accepted documents */
	{ "{\"keys\":[]}", JWTC_OK, NULL },
	{ "{\"keys\":[" ED_ENTRY "],\"other\":1}", JWTC_OK, NULL },
};

static void
test_jwks_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(jwks_cases) / sizeof(jwks_cases[0]); i++) {
		const struct jwks_case *c = &jwks_cases[i];
		jwtc_keyset *ks = NULL;
		jwtc_error err;
		jwtc_rc rc = parse_jwks_tmpl(c->text, &ks, &err);

		if (rc != c->want)
			fail_msg("case %zu: rc %d (%s), want %d", i, rc,
			    err.msg, c->want);
		if (rc != JWTC_OK) {
			assert_null(ks);
			assert_int_equal(err.rc, rc);
			if (strstr(err.msg, c->msg) == NULL)
				fail_msg("case %zu: \"%s\" lacks \"%s\"", i,
				    err.msg, c->msg);
		}
		jwtc_keyset_unref(ks);
	}
}

static void
test_jwks_nul_and_size(void **state)
{
	static const char nul[] = "{\"keys\":[]}\0";
	jwtc_keyset *ks = NULL;
	jwtc_error err;
	char *big;

	(void)state;
	memset(&err, 0, sizeof(err));
	assert_int_equal(jwtc_jwks_parse(nul, sizeof(nul) - 1, &ks, &err),
	    JWTC_ERR_MALFORMED);
	assert_null(ks);

	/* One byte over the limit is refused before any parsing; the limit
	 * itself is parsed (and here is not JSON). */
	big = malloc(JWTC_MAX_JWKS_SIZE + 1);
	assert_non_null(big);
	memset(big, ' ', JWTC_MAX_JWKS_SIZE + 1);
	memcpy(big, "{\"keys\":[]}", 11);
	assert_int_equal(jwtc_jwks_parse(big, JWTC_MAX_JWKS_SIZE + 1, &ks,
	    &err), JWTC_ERR_TOO_LARGE);
	assert_null(ks);
	assert_int_equal(jwtc_jwks_parse(big, JWTC_MAX_JWKS_SIZE, &ks, &err),
	    JWTC_OK);
	assert_non_null(ks);
	assert_int_equal(ks->n, 0);
	jwtc_keyset_unref(ks);
	free(big);

	assert_int_equal(jwtc_jwks_parse(NULL, 0, &ks, &err),
	    JWTC_ERR_INTERNAL);
	assert_int_equal(jwtc_jwks_parse("{\"keys\":[]}", 11, NULL, &err),
	    JWTC_ERR_INTERNAL);
	/* err may be NULL */
	assert_int_equal(jwtc_jwks_parse("[]", 2, &ks, NULL),
	    JWTC_ERR_MALFORMED);
}

/* A JWKS of n copies of the Ed25519 key. */
static char *
jwks_of(size_t n)
{
	const char *entry = get_var("ED25519", 7);
	size_t cap = 16 + n * (strlen(entry) + 64), len;
	char *s = malloc(cap);
	size_t i;

	assert_non_null(s);
	len = (size_t)snprintf(s, cap, "{\"keys\":[");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len,
		    "%s{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"k%zu\","
		    "\"x\":\"%s\"}", i == 0 ? "" : ",", i, entry);
	snprintf(s + len, cap - len, "]}");
	return s;
}

static void
test_jwks_key_count(void **state)
{
	jwtc_keyset *ks = NULL;
	jwtc_error err;
	char *text;

	(void)state;
	text = jwks_of(JWTC_MAX_KEYS);
	assert_int_equal(jwtc_jwks_parse(text, strlen(text), &ks, &err),
	    JWTC_OK);
	assert_int_equal(ks->n, JWTC_MAX_KEYS);
	assert_int_equal(ks->n_skipped, 0);
	assert_string_equal(ks->keys[99].kid, "k99");
	jwtc_keyset_unref(ks);
	free(text);

	ks = NULL;
	text = jwks_of(JWTC_MAX_KEYS + 1);
	assert_int_equal(jwtc_jwks_parse(text, strlen(text), &ks, &err),
	    JWTC_ERR_TOO_LARGE);
	assert_null(ks);
	assert_non_null(strstr(err.msg, "101 keys"));
	free(text);
}

/* Usable keys are kept, the others recorded with a reason. */
static void
test_jwks_skipped(void **state)
{
	jwtc_keyset *ks = NULL;
	jwtc_error err;
	size_t i;
	bool saw_oct = false;

	(void)state;
	assert_int_equal(parse_jwks_tmpl("{\"keys\":["
	    "{\"kty\":\"oct\",\"kid\":\"hmac1\",\"alg\":\"HS256\","
	    "\"k\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"},"
	    "{\"kty\":\"RSA\",\"kid\":\"rsa1\",\"n\":\"@N@\",\"e\":\"AQAB\"},"
	    "{\"kty\":\"RSA\",\"kid\":\"weak\",\"n\":\"@N1024@\","
	    "\"e\":\"AQAB\"},"
	    "{\"kty\":\"EC\",\"kid\":\"bad-point\",\"crv\":\"P-256\","
	    "\"x\":\"@X256@\",\"y\":\"@Y256BAD@\"},"
	    "42,"
	    "{\"kty\":\"OKP\",\"kid\":7,\"crv\":\"Ed25519\","
	    "\"x\":\"@ED25519@\"},"
	    "{\"kty\":\"OKP\",\"kid\":\"@KID257@\",\"crv\":\"X25519\","
	    "\"x\":\"@X25519@\"},"
	    "{\"kty\":\"EC\",\"kid\":\"rsa1\",\"crv\":\"P-384\","
	    "\"x\":\"@X384@\",\"y\":\"@Y384@\"}"
	    "]}", &ks, &err), JWTC_OK);
	assert_non_null(ks);
	/* Duplicate kids are kept: verification tries each fitting key. */
	assert_int_equal(ks->n, 2);
	assert_string_equal(ks->keys[0].kid, "rsa1");
	assert_int_equal(ks->keys[0].kty, JWTC_KTY_RSA);
	assert_string_equal(ks->keys[1].kid, "rsa1");
	assert_int_equal(ks->keys[1].kty, JWTC_KTY_EC);
	assert_int_equal(ks->n_skipped, 6);
	for (i = 0; i < ks->n; i++)
		assert_int_not_equal(ks->keys[i].kty, 0);
	for (i = 0; i < ks->n_skipped; i++) {
		const jwtc_skipped_key *sk = &ks->skipped[i];

		assert_non_null(sk->reason);
		if (sk->kid != NULL && strcmp(sk->kid, "hmac1") == 0) {
			saw_oct = true;
			assert_string_equal(sk->reason,
			    "symmetric keys are never taken from a JWKS");
		}
	}
	assert_true(saw_oct);
	assert_string_equal(ks->skipped[1].kid, "weak");
	assert_non_null(strstr(ks->skipped[1].reason, "1024 bits"));
	assert_string_equal(ks->skipped[2].kid, "bad-point");
	assert_non_null(strstr(ks->skipped[2].reason, "not on curve"));
	assert_null(ks->skipped[3].kid);      /* 42 */
	assert_non_null(strstr(ks->skipped[3].reason, "not a JSON object"));
	assert_null(ks->skipped[4].kid);      /* kid 7: not a string */
	assert_null(ks->skipped[5].kid);      /* kid too long: not copied */
	assert_non_null(strstr(ks->skipped[5].reason, "longer than"));

	/* References: the set lives until the last one goes. */
	assert_ptr_equal(jwtc_keyset_ref(ks), ks);
	assert_int_equal(ks->refs, 2);
	jwtc_keyset_unref(ks);
	assert_int_equal(ks->refs, 1);
	jwtc_keyset_unref(ks);
	assert_null(jwtc_keyset_ref(NULL));
	jwtc_keyset_unref(NULL);
}

/* ---- keys against algorithms --------------------------------------------- */

/* Import one of the generated keys, with optional extra members. */
static void
import_gen(int which, const char *extra, jwtc_key *k)
{
	char tmpl[512];
	char why[256];
	const char *base;

	switch (which) {
	case K_RSA:
		base = "\"kty\":\"RSA\",\"n\":\"@N@\",\"e\":\"@E@\"";
		break;
	case K_P256:
		base = "\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"@X256@\","
		    "\"y\":\"@Y256@\"";
		break;
	case K_P384:
		base = "\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"@X384@\","
		    "\"y\":\"@Y384@\"";
		break;
	case K_P521:
		base = "\"kty\":\"EC\",\"crv\":\"P-521\",\"x\":\"@X521@\","
		    "\"y\":\"@Y521@\"";
		break;
	case K_ED25519:
		base = "\"kty\":\"OKP\",\"crv\":\"Ed25519\","
		    "\"x\":\"@ED25519@\"";
		break;
	case K_ED448:
		base = "\"kty\":\"OKP\",\"crv\":\"Ed448\",\"x\":\"@ED448@\"";
		break;
	default:
		fail_msg("no JWK for key %d", which);
		return;
	}
	snprintf(tmpl, sizeof(tmpl), "{%s,\"kid\":\"k1\"%s%s}", base,
	    extra != NULL ? "," : "", extra != NULL ? extra : "");
	if (import_tmpl(tmpl, k, why, sizeof(why)) != JWTC_OK)
		fail_msg("import of key %d failed: %s", which, why);
}

struct fits_case {
	int key;
	const char *extra;  /* more JWK members */
	jwtc_alg alg;
	bool fits;
	const char *why;    /* the whole reason, or a part of it */
};

static const struct fits_case fits_cases[] = {
	/* every algorithm with its key */
	{ K_RSA, NULL, JWTC_ALG_RS256, true, NULL },
	{ K_RSA, NULL, JWTC_ALG_RS384, true, NULL },
	{ K_RSA, NULL, JWTC_ALG_RS512, true, NULL },
	{ K_RSA, NULL, JWTC_ALG_PS256, true, NULL },
	{ K_RSA, NULL, JWTC_ALG_PS512, true, NULL },
	{ K_P256, NULL, JWTC_ALG_ES256, true, NULL },
	{ K_P384, NULL, JWTC_ALG_ES384, true, NULL },
	{ K_P521, NULL, JWTC_ALG_ES512, true, NULL },
	{ K_ED25519, NULL, JWTC_ALG_EDDSA, true, NULL },
	{ K_ED448, NULL, JWTC_ALG_EDDSA, true, NULL },
	{ K_RSA, "\"alg\":\"RS256\",\"use\":\"sig\",\"key_ops\":[\"verify\"]",
	  JWTC_ALG_RS256, true, NULL },
	/* kty and curve */
	{ K_P256, NULL, JWTC_ALG_ES384, false,
	  "key k1 is EC P-256, token alg ES384 needs P-384" },
	{ K_P256, NULL, JWTC_ALG_ES512, false, "needs P-521" },
	{ K_P384, NULL, JWTC_ALG_ES256, false,
	  "key k1 is EC P-384, token alg ES256 needs P-256" },
	{ K_P384, NULL, JWTC_ALG_ES512, false, "needs P-521" },
	{ K_P521, NULL, JWTC_ALG_ES256, false, "needs P-256" },
	{ K_P521, NULL, JWTC_ALG_ES384, false, "needs P-384" },
	{ K_P256, NULL, JWTC_ALG_RS256, false,
	  "key k1 is EC P-256, token alg RS256 needs RSA" },
	{ K_ED25519, NULL, JWTC_ALG_PS256, false, "needs RSA" },
	{ K_RSA, NULL, JWTC_ALG_ES256, false,
	  "key k1 is RSA 2048-bit, token alg ES256 needs P-256" },
	{ K_ED25519, NULL, JWTC_ALG_ES256, false, "OKP Ed25519" },
	{ K_RSA, NULL, JWTC_ALG_EDDSA, false, "needs Ed25519 or Ed448" },
	{ K_P256, NULL, JWTC_ALG_EDDSA, false, "needs Ed25519 or Ed448" },
	/* HMAC never with a public key */
	{ K_RSA, NULL, JWTC_ALG_HS256, false, "HS256 needs a shared secret" },
	{ K_RSA, "\"alg\":\"HS256\"", JWTC_ALG_HS256, false, "shared secret" },
	{ K_P256, NULL, JWTC_ALG_HS384, false, "shared secret" },
	{ K_ED25519, NULL, JWTC_ALG_HS512, false, "shared secret" },
	{ K_RSA, NULL, JWTC_ALG_UNKNOWN, false, "not a supported" },
	{ K_RSA, NULL, JWTC_ALG_COUNT, false, "not a supported" },
	/* the key's own alg, use and key_ops */
	{ K_RSA, "\"alg\":\"RS256\"", JWTC_ALG_PS256, false,
	  "key k1 is for alg RS256, token alg is PS256" },
	{ K_RSA, "\"alg\":\"PS256\"", JWTC_ALG_PS384, false, "for alg PS256" },
	{ K_RSA, "\"alg\":\"RS512\"", JWTC_ALG_RS256, false, "for alg RS512" },
	{ K_P256, "\"alg\":\"ES384\"", JWTC_ALG_ES256, false, "for alg ES384" },
	{ K_P521, "\"alg\":\"ES521\"", JWTC_ALG_ES512, false,
	  "not a supported JWS algorithm" },
	{ K_P256, "\"alg\":\"ES256K\"", JWTC_ALG_ES256, false,
	  "not a supported" },
	{ K_RSA, "\"alg\":\"none\"", JWTC_ALG_RS256, false, "not a supported" },
	{ K_RSA, "\"alg\":\"RSA-OAEP\"", JWTC_ALG_RS256, false,
	  "not a supported" },
	{ K_ED25519, "\"alg\":\"Ed25519\"", JWTC_ALG_EDDSA, false,
	  "not a supported" },
	{ K_RSA, "\"use\":\"enc\"", JWTC_ALG_RS256, false,
	  "use other than sig" },
	{ K_P256, "\"use\":\"\"", JWTC_ALG_ES256, false, "use other" },
	{ K_RSA, "\"key_ops\":[\"sign\"]", JWTC_ALG_RS256, false,
	  "key_ops without verify" },
	{ K_RSA, "\"key_ops\":[\"encrypt\",\"wrapKey\"]", JWTC_ALG_RS256, false,
	  "key_ops without verify" },
	{ K_ED448, "\"key_ops\":[]", JWTC_ALG_EDDSA, false, "without verify" },
	{ K_RSA, "\"key_ops\":[\"Verify\"]", JWTC_ALG_RS256, false,
	  "without verify" },
	{ K_RSA, "\"use\":\"sig\",\"key_ops\":[\"sign\"]", JWTC_ALG_RS256,
	  false, "without verify" },
};

static void
test_key_fits(void **state)
{
	size_t i;
	char why[256];

	(void)state;
	for (i = 0; i < sizeof(fits_cases) / sizeof(fits_cases[0]); i++) {
		const struct fits_case *c = &fits_cases[i];
		jwtc_key k;
		bool fits;

		import_gen(c->key, c->extra, &k);
		why[0] = '\0';
		fits = jwtc_key_fits(&k, c->alg, why, sizeof(why));
		if (fits != c->fits)
			fail_msg("case %zu: fits %d (%s)", i, fits, why);
		if (c->why != NULL && strstr(why, c->why) == NULL)
			fail_msg("case %zu: reason \"%s\" lacks \"%s\"", i, why,
			    c->why);
		/* no reason buffer is fine */
		assert_int_equal(jwtc_key_fits(&k, c->alg, NULL, 0), c->fits);
		jwtc_key_clear(&k);
	}
	assert_false(jwtc_key_fits(NULL, JWTC_ALG_RS256, why, sizeof(why)));
}

/* ---- signatures ---------------------------------------------------------- */

#define MSG "eyJhbGciOiJ4In0.eyJzdWIiOiJhbGljZSJ9"

static const EVP_MD *
md_of(jwtc_alg alg)
{
	switch (alg) {
	case JWTC_ALG_RS256: case JWTC_ALG_PS256: case JWTC_ALG_ES256:
	case JWTC_ALG_HS256:
		return EVP_sha256();
	case JWTC_ALG_RS384: case JWTC_ALG_PS384: case JWTC_ALG_ES384:
	case JWTC_ALG_HS384:
		return EVP_sha384();
	case JWTC_ALG_RS512: case JWTC_ALG_PS512: case JWTC_ALG_ES512:
	case JWTC_ALG_HS512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

#define SALT_HASHLEN (-100)

/*
 * Sign MSG as alg does.  salt: PSS salt length (SALT_HASHLEN for the
 * hash length).  der: keep an ECDSA signature in DER form.  Returns the
 * signature length.
 */
static size_t
sign_msg(EVP_PKEY *key, jwtc_alg alg, int salt, bool der,
    const unsigned char *msg, size_t msglen, unsigned char *out,
    size_t outcap)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	const EVP_MD *md = alg == JWTC_ALG_EDDSA ? NULL : md_of(alg);
	unsigned char buf[1024];
	size_t len = sizeof(buf);

	assert_non_null(mctx);
	assert_int_equal(EVP_DigestSignInit(mctx, &pctx, md, NULL, key), 1);
	if (alg >= JWTC_ALG_PS256 && alg <= JWTC_ALG_PS512) {
		assert_true(EVP_PKEY_CTX_set_rsa_padding(pctx,
		    RSA_PKCS1_PSS_PADDING) > 0);
		assert_true(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
		    salt == SALT_HASHLEN ? EVP_MD_get_size(md) : salt) > 0);
		assert_true(EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) > 0);
	}
	assert_int_equal(EVP_DigestSign(mctx, buf, &len, msg, msglen), 1);
	EVP_MD_CTX_free(mctx);
	if (alg >= JWTC_ALG_ES256 && alg <= JWTC_ALG_ES512 && !der) {
		const unsigned char *p = buf;
		ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)len);
		size_t field = alg == JWTC_ALG_ES256 ? 32 :
		    alg == JWTC_ALG_ES384 ? 48 : 66;

		assert_non_null(es);
		assert_true(2 * field <= outcap);
		assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_r(es), out,
		    (int)field), (int)field);
		assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_s(es), out + field,
		    (int)field), (int)field);
		ECDSA_SIG_free(es);
		return 2 * field;
	}
	assert_true(len <= outcap);
	memcpy(out, buf, len);
	return len;
}

struct rt_case {
	int key;
	jwtc_alg alg;
};

static const struct rt_case rt_cases[] = {
	{ K_RSA, JWTC_ALG_RS256 }, { K_RSA, JWTC_ALG_RS384 },
	{ K_RSA, JWTC_ALG_RS512 }, { K_RSA, JWTC_ALG_PS256 },
	{ K_RSA, JWTC_ALG_PS384 }, { K_RSA, JWTC_ALG_PS512 },
	{ K_P256, JWTC_ALG_ES256 }, { K_P384, JWTC_ALG_ES384 },
	{ K_P521, JWTC_ALG_ES512 }, { K_ED25519, JWTC_ALG_EDDSA },
	{ K_ED448, JWTC_ALG_EDDSA },
};

/* Every algorithm: its own signature verifies; a changed bit anywhere in
 * the signature or message, a shorter or longer signature does not. */
static void
test_sig_roundtrip(void **state)
{
	const unsigned char *msg = (const unsigned char *)MSG;
	size_t msglen = strlen(MSG), i, len, bit;
	unsigned char sig[1024], bad[1025], badmsg[sizeof(MSG)];

	(void)state;
	for (i = 0; i < sizeof(rt_cases) / sizeof(rt_cases[0]); i++) {
		const struct rt_case *c = &rt_cases[i];
		jwtc_key k;

		import_gen(c->key, NULL, &k);
		len = sign_msg(keys[c->key], c->alg, SALT_HASHLEN, false, msg,
		    msglen, sig, sizeof(sig));
		if (jwtc_sig_verify(&k, c->alg, msg, msglen, sig, len) !=
		    JWTC_OK)
			fail_msg("case %zu (%s): own signature refused", i,
			    jwtc_alg_name(c->alg));
		/* first, middle and last bit of the signature */
		for (bit = 0; bit < 3; bit++) {
			size_t at = bit == 0 ? 0 : bit == 1 ? len / 2 : len - 1;

			memcpy(bad, sig, len);
			bad[at] ^= bit == 2 ? 0x01 : 0x80;
			assert_int_equal(jwtc_sig_verify(&k, c->alg, msg,
			    msglen, bad, len), JWTC_ERR_BAD_SIGNATURE);
		}
		memcpy(badmsg, msg, msglen);
		badmsg[msglen - 1] ^= 0x01;
		assert_int_equal(jwtc_sig_verify(&k, c->alg, badmsg, msglen,
		    sig, len), JWTC_ERR_BAD_SIGNATURE);
		assert_int_equal(jwtc_sig_verify(&k, c->alg, msg, msglen - 1,
		    sig, len), JWTC_ERR_BAD_SIGNATURE);
		/* a leading zero, a trailing zero, one byte short, none */
		bad[0] = 0;
		memcpy(bad + 1, sig, len);
		assert_int_equal(jwtc_sig_verify(&k, c->alg, msg, msglen, bad,
		    len + 1), JWTC_ERR_BAD_SIGNATURE);
		memcpy(bad, sig, len);
		bad[len] = 0;
		assert_int_equal(jwtc_sig_verify(&k, c->alg, msg, msglen, bad,
		    len + 1), JWTC_ERR_BAD_SIGNATURE);
		assert_int_equal(jwtc_sig_verify(&k, c->alg, msg, msglen, sig,
		    len - 1), JWTC_ERR_BAD_SIGNATURE);
		assert_int_equal(jwtc_sig_verify(&k, c->alg, msg, msglen, sig,
		    0), JWTC_ERR_BAD_SIGNATURE);
		assert_int_equal(jwtc_sig_verify(&k, c->alg, msg, msglen, NULL,
		    len), JWTC_ERR_BAD_SIGNATURE);
		jwtc_key_clear(&k);
	}
}

/* An empty message is still signed and verified. */
static void
test_sig_empty_message(void **state)
{
	unsigned char sig[128];
	size_t len;
	jwtc_key k;

	(void)state;
	import_gen(K_ED25519, NULL, &k);
	len = sign_msg(keys[K_ED25519], JWTC_ALG_EDDSA, 0, false,
	    (const unsigned char *)"", 0, sig, sizeof(sig));
	assert_int_equal(jwtc_sig_verify(&k, JWTC_ALG_EDDSA, NULL, 0, sig,
	    len), JWTC_OK);
	assert_int_equal(jwtc_sig_verify(&k, JWTC_ALG_EDDSA, NULL, 1, sig,
	    len), JWTC_ERR_INTERNAL);
	jwtc_key_clear(&k);
}

/* ES256: only raw R||S of exactly 64 bytes, no DER, no zero r or s. */
static void
test_sig_ecdsa_forms(void **state)
{
	const unsigned char *msg = (const unsigned char *)MSG;
	size_t msglen = strlen(MSG), len, derlen;
	unsigned char sig[256], der[256], bad[256];
	static const unsigned char order[32] = {
		0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
		0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51 };
	jwtc_key k;

	(void)state;
	import_gen(K_P256, NULL, &k);
	len = sign_msg(keys[K_P256], JWTC_ALG_ES256, 0, false, msg, msglen,
	    sig, sizeof(sig));
	assert_int_equal(len, 64);
	assert_int_equal(jwtc_sig_verify(&k, JWTC_ALG_ES256, msg, msglen, sig,
	    len), JWTC_OK);

	/* DER, as OpenSSL makes it, of the same kind of signature */
	derlen = sign_msg(keys[K_P256], JWTC_ALG_ES256, 0, true, msg, msglen,
	    der, sizeof(der));
	assert_true(derlen >= 8 && der[0] == 0x30);
	assert_int_equal(jwtc_sig_verify(&k, JWTC_ALG_ES256, msg, msglen, der,
	    derlen), JWTC_ERR_BAD_SIGNATURE);
	/* DER padded to 64 bytes is still not R||S */
	memset(bad, 0, sizeof(bad));
	memcpy(bad, der, derlen);
	assert_int_equal(jwtc_sig_verify(&k, JWTC_ALG_ES256, msg, msglen, bad,
	    64), JWTC_ERR_BAD_SIGNATURE);

	/* wrong lengths */
	assert_int_equal(jwtc_sig_verify(&k, JWTC_ALG_ES256, msg, msglen, sig,
	    63), JWTC_ERR_BAD_SIGNATURE);
	memcpy(bad, sig, 64);
	bad[64] = 0;
	assert_int_equal(jwtc_sig_verify(&k, JWTC_ALG_ES256, msg, msglen, bad,
	    65), JWTC_ERR_BAD_SIGNATURE);
	assert_int_equal(jwtc_sig_verify(&k, JWTC_ALG_ES256, msg, msglen, bad,
	    96), JWTC_ERR_BAD_SIGNATURE);

	/* r = 0, s = 0, both */
	memcpy(bad, sig, 64);
	memset(bad, 0, 32);
	assert_int_equal(jwtc_sig_verify(&k, JWTC_ALG_ES256, msg, msglen, bad,
	    64), JWTC_ERR_BAD_SIGNATURE);
	memcpy(bad, sig, 64);
	memset(bad + 32, 0, 32);
	assert_int_equal(jwtc_sig_verify(&k, JWTC_ALG_ES256, msg, msglen, bad,
	    64), JWTC_ERR_BAD_SIGNATURE);
	memset(bad, 0, 64);
	assert_int_equal(jwtc_sig_verify(&k, JWTC_ALG_ES256, msg, msglen, bad,
	    64), JWTC_ERR_BAD_SIGNATURE);
	/* r = n, s = n; r = s = all ones */
	memcpy(bad, order, 32);
	memcpy(bad + 32, sig + 32, 32);
	assert_int_equal(jwtc_sig_verify(&k, JWTC_ALG_ES256, msg, msglen, bad,
	    64), JWTC_ERR_BAD_SIGNATURE);
	memcpy(bad, sig, 32);
	memcpy(bad + 32, order, 32);
	assert_int_equal(jwtc_sig_verify(&k, JWTC_ALG_ES256, msg, msglen, bad,
	    64), JWTC_ERR_BAD_SIGNATURE);
	memset(bad, 0xff, 64);
	assert_int_equal(jwtc_sig_verify(&k, JWTC_ALG_ES256, msg, msglen, bad,
	    64), JWTC_ERR_BAD_SIGNATURE);
	/* r and s swapped */
	memcpy(bad, sig + 32, 32);
	memcpy(bad + 32, sig, 32);
	assert_int_equal(jwtc_sig_verify(&k, JWTC_ALG_ES256, msg, msglen, bad,
	    64), JWTC_ERR_BAD_SIGNATURE);
	jwtc_key_clear(&k);

	/* an ES384 signature is 96 bytes, ES512 132 */
	import_gen(K_P384, NULL, &k);
	len = sign_msg(keys[K_P384], JWTC_ALG_ES384, 0, false, msg, msglen,
	    sig, sizeof(sig));
	assert_int_equal(len, 96);
	assert_int_equal(jwtc_sig_verify(&k, JWTC_ALG_ES384, msg, msglen, sig,
	    64), JWTC_ERR_BAD_SIGNATURE);
	jwtc_key_clear(&k);
	import_gen(K_P521, NULL, &k);
	len = sign_msg(keys[K_P521], JWTC_ALG_ES512, 0, false, msg, msglen,
	    sig, sizeof(sig));
	assert_int_equal(len, 132);
	assert_int_equal(jwtc_sig_verify(&k, JWTC_ALG_ES512, msg, msglen, sig,
	    130), JWTC_ERR_BAD_SIGNATURE);
	jwtc_key_clear(&k);
}

/* PSS: the salt must be exactly the hash length. */
static void
test_sig_pss_salt(void **state)
{
	static const struct {
		jwtc_alg alg;
		int salt;
	} cases[] = {
		{ JWTC_ALG_PS256, 0 }, { JWTC_ALG_PS256, 20 },
		{ JWTC_ALG_PS256, 31 }, { JWTC_ALG_PS256, 33 },
		{ JWTC_ALG_PS256, 64 },
		{ JWTC_ALG_PS256, RSA_PSS_SALTLEN_MAX },
		{ JWTC_ALG_PS384, 0 }, { JWTC_ALG_PS384, 32 },
		{ JWTC_ALG_PS384, 64 },
		{ JWTC_ALG_PS512, 0 }, { JWTC_ALG_PS512, 32 },
		{ JWTC_ALG_PS512, 48 },
	};
	const unsigned char *msg = (const unsigned char *)MSG;
	size_t msglen = strlen(MSG), i, len;
	unsigned char sig[1024];
	jwtc_key k;

	(void)state;
	import_gen(K_RSA, NULL, &k);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = sign_msg(keys[K_RSA], cases[i].alg, cases[i].salt, false,
		    msg, msglen, sig, sizeof(sig));
		if (jwtc_sig_verify(&k, cases[i].alg, msg, msglen, sig, len) !=
		    JWTC_ERR_BAD_SIGNATURE)
			fail_msg("case %zu: %s with salt %d accepted", i,
			    jwtc_alg_name(cases[i].alg), cases[i].salt);
	}
	/* the right salt length verifies (the test can tell them apart) */
	len = sign_msg(keys[K_RSA], JWTC_ALG_PS384, 48, false, msg, msglen,
	    sig, sizeof(sig));
	assert_int_equal(jwtc_sig_verify(&k, JWTC_ALG_PS384, msg, msglen, sig,
	    len), JWTC_OK);
	jwtc_key_clear(&k);
}

/* A signature of one scheme or hash never passes as another. */
static void
test_sig_cross_alg(void **state)
{
	static const struct {
		jwtc_alg signed_as, checked_as;
	} cases[] = {
		{ JWTC_ALG_RS256, JWTC_ALG_PS256 },
		{ JWTC_ALG_PS256, JWTC_ALG_RS256 },
		{ JWTC_ALG_RS256, JWTC_ALG_RS384 },
		{ JWTC_ALG_RS512, JWTC_ALG_RS256 },
		{ JWTC_ALG_PS256, JWTC_ALG_PS384 },
		{ JWTC_ALG_PS512, JWTC_ALG_PS256 },
		{ JWTC_ALG_RS384, JWTC_ALG_PS384 },
	};
	const unsigned char *msg = (const unsigned char *)MSG;
	size_t msglen = strlen(MSG), i, len;
	unsigned char sig[1024];
	jwtc_key k;

	(void)state;
	import_gen(K_RSA, NULL, &k);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = sign_msg(keys[K_RSA], cases[i].signed_as, SALT_HASHLEN,
		    false, msg, msglen, sig, sizeof(sig));
		assert_int_equal(jwtc_sig_verify(&k, cases[i].signed_as, msg,
		    msglen, sig, len), JWTC_OK);
		if (jwtc_sig_verify(&k, cases[i].checked_as, msg, msglen, sig,
		    len) != JWTC_ERR_BAD_SIGNATURE)
			fail_msg("case %zu: %s signature passed as %s", i,
			    jwtc_alg_name(cases[i].signed_as),
			    jwtc_alg_name(cases[i].checked_as));
	}
	jwtc_key_clear(&k);
}

/* A key that does not fit the algorithm is refused by jwtc_sig_verify
 * too (a caller bug: JWTC_ERR_INTERNAL), never computed with. */
static void
test_sig_wrong_key(void **state)
{
	const unsigned char *msg = (const unsigned char *)MSG;
	size_t msglen = strlen(MSG), len;
	unsigned char sig[1024];
	jwtc_key rsa, p256, p384, ed;

	(void)state;
	import_gen(K_RSA, NULL, &rsa);
	import_gen(K_P256, NULL, &p256);
	import_gen(K_P384, NULL, &p384);
	import_gen(K_ED25519, NULL, &ed);
	len = sign_msg(keys[K_P256], JWTC_ALG_ES256, 0, false, msg, msglen,
	    sig, sizeof(sig));
	assert_int_equal(jwtc_sig_verify(&p384, JWTC_ALG_ES256, msg, msglen,
	    sig, len), JWTC_ERR_INTERNAL);
	assert_int_equal(jwtc_sig_verify(&p256, JWTC_ALG_ES384, msg, msglen,
	    sig, len), JWTC_ERR_INTERNAL);
	assert_int_equal(jwtc_sig_verify(&rsa, JWTC_ALG_ES256, msg, msglen,
	    sig, len), JWTC_ERR_INTERNAL);
	assert_int_equal(jwtc_sig_verify(&ed, JWTC_ALG_RS256, msg, msglen,
	    sig, len), JWTC_ERR_INTERNAL);
	assert_int_equal(jwtc_sig_verify(&p256, JWTC_ALG_EDDSA, msg, msglen,
	    sig, len), JWTC_ERR_INTERNAL);
	assert_int_equal(jwtc_sig_verify(&rsa, JWTC_ALG_HS256, msg, msglen,
	    sig, 32), JWTC_ERR_INTERNAL);
	assert_int_equal(jwtc_sig_verify(&rsa, JWTC_ALG_UNKNOWN, msg, msglen,
	    sig, len), JWTC_ERR_INTERNAL);
	assert_int_equal(jwtc_sig_verify(NULL, JWTC_ALG_ES256, msg, msglen,
	    sig, len), JWTC_ERR_INTERNAL);
	assert_int_equal(jwtc_sig_verify(&p256, JWTC_ALG_ES256, msg, msglen,
	    sig, len), JWTC_OK);
	jwtc_key_clear(&rsa);
	jwtc_key_clear(&p256);
	jwtc_key_clear(&p384);
	jwtc_key_clear(&ed);
}

static void
test_hmac(void **state)
{
	static const jwtc_alg algs[] = { JWTC_ALG_HS256, JWTC_ALG_HS384,
	    JWTC_ALG_HS512 };
	const unsigned char *msg = (const unsigned char *)MSG;
	size_t msglen = strlen(MSG), i;
	unsigned char secret[64], tag[EVP_MAX_MD_SIZE];
	unsigned char bad[EVP_MAX_MD_SIZE + 1];
	unsigned int taglen;

	(void)state;
	for (i = 0; i < sizeof(secret); i++)
		secret[i] = (unsigned char)(i * 7 + 1);
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		jwtc_alg a = algs[i];
		size_t hl = jwtc_alg_hmac_len(a);

		assert_non_null(HMAC(md_of(a), secret, (int)hl, msg, msglen,
		    tag, &taglen));
		assert_int_equal(taglen, hl);
		assert_int_equal(jwtc_hmac_verify(secret, hl, a, msg, msglen,
		    tag, taglen), JWTC_OK);
		/* truncated, extended, flipped */
		assert_int_equal(jwtc_hmac_verify(secret, hl, a, msg, msglen,
		    tag, taglen / 2), JWTC_ERR_BAD_SIGNATURE);
		assert_int_equal(jwtc_hmac_verify(secret, hl, a, msg, msglen,
		    tag, taglen - 1), JWTC_ERR_BAD_SIGNATURE);
		memcpy(bad, tag, taglen);
		bad[taglen] = 0;
		assert_int_equal(jwtc_hmac_verify(secret, hl, a, msg, msglen,
		    bad, taglen + 1), JWTC_ERR_BAD_SIGNATURE);
		bad[taglen - 1] ^= 1;
		assert_int_equal(jwtc_hmac_verify(secret, hl, a, msg, msglen,
		    bad, taglen), JWTC_ERR_BAD_SIGNATURE);
		assert_int_equal(jwtc_hmac_verify(secret, hl, a, msg, msglen,
		    NULL, taglen), JWTC_ERR_BAD_SIGNATURE);
		/* another message, another secret */
		assert_int_equal(jwtc_hmac_verify(secret, hl, a, msg,
		    msglen - 1, tag, taglen), JWTC_ERR_BAD_SIGNATURE);
		secret[0] ^= 1;
		assert_int_equal(jwtc_hmac_verify(secret, hl, a, msg, msglen,
		    tag, taglen), JWTC_ERR_BAD_SIGNATURE);
		secret[0] ^= 1;
		/* a secret shorter than the hash is no key at all */
		assert_int_equal(jwtc_hmac_verify(secret, hl - 1, a, msg,
		    msglen, tag, taglen), JWTC_ERR_NO_KEY);
		assert_int_equal(jwtc_hmac_verify(secret, 0, a, msg, msglen,
		    tag, taglen), JWTC_ERR_NO_KEY);
		assert_int_equal(jwtc_hmac_verify(NULL, hl, a, msg, msglen,
		    tag, taglen), JWTC_ERR_NO_KEY);
	}
	/* an HS256 tag checked as HS384 or HS512 */
	assert_non_null(HMAC(EVP_sha256(), secret, 64, msg, msglen, tag,
	    &taglen));
	assert_int_equal(jwtc_hmac_verify(secret, 64, JWTC_ALG_HS256, msg,
	    msglen, tag, taglen), JWTC_OK);
	assert_int_equal(jwtc_hmac_verify(secret, 64, JWTC_ALG_HS384, msg,
	    msglen, tag, taglen), JWTC_ERR_BAD_SIGNATURE);
	assert_int_equal(jwtc_hmac_verify(secret, 64, JWTC_ALG_HS512, msg,
	    msglen, tag, taglen), JWTC_ERR_BAD_SIGNATURE);
	/* not an HMAC algorithm */
	assert_int_equal(jwtc_hmac_verify(secret, 64, JWTC_ALG_RS256, msg,
	    msglen, tag, taglen), JWTC_ERR_INTERNAL);
	assert_int_equal(jwtc_hmac_verify(secret, 64, JWTC_ALG_UNKNOWN, msg,
	    msglen, tag, taglen), JWTC_ERR_INTERNAL);
}

/* Nothing of ours is left in OpenSSL's error queue, and what the host
 * had there before stays. */
static void
test_error_queue(void **state)
{
	const unsigned char *msg = (const unsigned char *)MSG;
	size_t msglen = strlen(MSG), len;
	unsigned char sig[1024];
	char why[256];
	jwtc_key k;

	(void)state;
	import_gen(K_RSA, NULL, &k);
	len = sign_msg(keys[K_RSA], JWTC_ALG_RS256, 0, false, msg, msglen, sig,
	    sizeof(sig));
	sig[len / 2] ^= 1;
	ERR_clear_error();
	assert_int_equal(jwtc_sig_verify(&k, JWTC_ALG_RS256, msg, msglen, sig,
	    len), JWTC_ERR_BAD_SIGNATURE);
	assert_int_equal(ERR_peek_error(), 0);
	assert_int_equal(jwtc_sig_verify(&k, JWTC_ALG_PS256, msg, msglen, sig,
	    len), JWTC_ERR_BAD_SIGNATURE);
	assert_int_equal(ERR_peek_error(), 0);

	ERR_raise(ERR_LIB_USER, 42);
	assert_int_equal(jwtc_sig_verify(&k, JWTC_ALG_RS256, msg, msglen, sig,
	    len), JWTC_ERR_BAD_SIGNATURE);
	assert_int_equal(ERR_GET_REASON(ERR_peek_last_error()), 42);
	jwtc_key_clear(&k);
	assert_int_not_equal(import_tmpl(EC_KEY("\"P-256\"", "\"@X256@\"",
	    "\"@Y256BAD@\""), &k, why, sizeof(why)), JWTC_OK);
	assert_int_not_equal(import_tmpl(RSA_KEY("\"@NEVEN@\"", "\"AQAB\""),
	    &k, why, sizeof(why)), JWTC_OK);
	assert_int_equal(ERR_GET_REASON(ERR_peek_last_error()), 42);
	assert_int_equal(ERR_GET_REASON(ERR_get_error()), 42);
	assert_int_equal(ERR_peek_error(), 0);
}

/* Many threads verify with the same keys at once. */
struct thread_arg {
	const jwtc_key *keys;
	unsigned char (*sigs)[1024];
	const size_t *lens;
	int failures;
};

static void *
verify_thread(void *p)
{
	struct thread_arg *ta = p;
	const unsigned char *msg = (const unsigned char *)MSG;
	size_t i, r;

	for (r = 0; r < 40; r++) {
		for (i = 0; i < sizeof(rt_cases) / sizeof(rt_cases[0]); i++) {
			if (jwtc_sig_verify(&ta->keys[i], rt_cases[i].alg, msg,
			    strlen(MSG), ta->sigs[i], ta->lens[i]) != JWTC_OK)
				ta->failures++;
		}
	}
	return NULL;
}

static void
test_sig_threads(void **state)
{
	enum { NT = 4, NC = sizeof(rt_cases) / sizeof(rt_cases[0]) };
	jwtc_key k[NC];
	unsigned char sigs[NC][1024];
	size_t lens[NC], i;
	pthread_t th[NT];
	struct thread_arg ta[NT];

	(void)state;
	for (i = 0; i < NC; i++) {
		import_gen(rt_cases[i].key, NULL, &k[i]);
		lens[i] = sign_msg(keys[rt_cases[i].key], rt_cases[i].alg,
		    SALT_HASHLEN, false, (const unsigned char *)MSG,
		    strlen(MSG), sigs[i], sizeof(sigs[i]));
	}
	for (i = 0; i < NT; i++) {
		ta[i].keys = k;
		ta[i].sigs = sigs;
		ta[i].lens = lens;
		ta[i].failures = 0;
		assert_int_equal(pthread_create(&th[i], NULL, verify_thread,
		    &ta[i]), 0);
	}
	for (i = 0; i < NT; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(ta[i].failures, 0);
	}
	for (i = 0; i < NC; i++)
		jwtc_key_clear(&k[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alg_names),
		cmocka_unit_test(test_import_table),
		cmocka_unit_test(test_import_fields),
		cmocka_unit_test(test_import_ignores_private),
		cmocka_unit_test(test_import_args),
		cmocka_unit_test(test_jwks_table),
		cmocka_unit_test(test_jwks_nul_and_size),
		cmocka_unit_test(test_jwks_key_count),
		cmocka_unit_test(test_jwks_skipped),
		cmocka_unit_test(test_key_fits),
		cmocka_unit_test(test_sig_roundtrip),
		cmocka_unit_test(test_sig_empty_message),
		cmocka_unit_test(test_sig_ecdsa_forms),
		cmocka_unit_test(test_sig_pss_salt),
		cmocka_unit_test(test_sig_cross_alg),
		cmocka_unit_test(test_sig_wrong_key),
		cmocka_unit_test(test_hmac),
		cmocka_unit_test(test_error_queue),
		cmocka_unit_test(test_sig_threads),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
