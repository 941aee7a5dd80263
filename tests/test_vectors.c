/*
 * test_vectors.c - public test vectors through the project's own code.
 *
 * Every test of every Wycheproof file in $JWT_AUTH_VECTORS/wycheproof/ is
 * run through the JWK importer (jwtc_jwk_import, jwtc_jwks_parse), the
 * key/algorithm binding (jwtc_key_fits) and the verifiers
 * (jwtc_sig_verify, jwtc_hmac_verify); the whole-token files go through
 * jwtc_jws_parse first.  The RFC 7520 / RFC 8037 / RFC 7797 examples of
 * $JWT_AUTH_VECTORS/jose-cookbook/ are checked the same way.
 *
 * Wycheproof's "valid" must be accepted and "invalid" refused;
 * "acceptable" may go either way and is counted.  Where the project
 * deliberately disagrees, the test is listed in the one table below,
 * with the reason; any other disagreement, and any row of the table that
 * no longer disagrees, fails the test.
 *
 * How the harness stands in for parts of the project that are not under
 * test here:
 * - Groups that carry no JWK (publicKeyDer only: rsa_pss_..._mgf1_0 and
 *   about ten ECDSA tests per file) are read with d2i_PUBKEY and wrapped
 *   in a jwtc_key by hand (type and curve from the key; no alg, use or
 *   key_ops), so the importer's own checks do not apply to them.
 * - HMAC secrets come from an issuer's hmac_secret_file in the project,
 *   never from a JWK.  Where a JWS test group or a key set consists of
 *   symmetric keys only, the harness takes each oct key's "k" as such a
 *   secret (its alg, use and key_ops, when present, must allow the
 *   token's alg, like a JWK's).  In a key set that also holds public keys
 *   the oct keys are what they are in the project: skipped by
 *   jwtc_jwks_parse, never used.
 * - A token's kid selects the keys whose kid equals it; a token without
 *   kid is tried against every key (as common/ctx.c does).
 */
#include "unit.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "internal.h"

/* ---- where the project disagrees with Wycheproof ------------------------- */

typedef enum ours {
	WE_ACCEPT,   /* marked invalid, the project accepts */
	WE_REFUSE    /* marked valid, the project refuses */
} ours;

/* One row: the tests first..last of file whose result is result. */
struct deviation {
	const char *file;
	int first, last;
	const char *result;
	ours ours;
	const char *reason;
	size_t used;        /* tests this row covered, filled while running */
};

#define JWS_FILE "json_web_signature_test.json"
#define JWK_FILE "json_web_key_test.json"

static struct deviation deviations[] = {
	{ JWS_FILE, 367, 367, "invalid", WE_ACCEPT,
	  "byte for byte the valid tcId 357: the padding meant to make it "
	  "invalid is missing from the vector", 0 },
	{ JWS_FILE, 370, 370, "invalid", WE_ACCEPT,
	  "byte for byte the valid tcId 357 (as 367)", 0 },
	{ JWS_FILE, 372, 373, "valid", WE_REFUSE,
	  "a literal '?' inside a base64url segment: strict base64url "
	  "refuses it", 0 },
	{ JWS_FILE, 346, 346, "valid", WE_REFUSE,
	  "token alg PS384, the JWK says alg PS256: a key's own alg binds it",
	  0 },
	{ JWS_FILE, 350, 350, "valid", WE_REFUSE,
	  "token alg PS384, the JWK says alg PS256 (as 346)", 0 },
	{ JWS_FILE, 347, 347, "valid", WE_REFUSE,
	  "the JWK says alg ES521, not a registered JWS algorithm: the key "
	  "fits nothing", 0 },
	{ JWS_FILE, 351, 351, "valid", WE_REFUSE,
	  "the JWK says alg ES521 (as 347)", 0 },
	{ JWK_FILE, 4, 4, "invalid", WE_ACCEPT,
	  "duplicate kid: the project allows it and tries each key with that "
	  "kid; the first one verifies", 0 },
	{ JWK_FILE, 7, 7, "invalid", WE_ACCEPT,
	  "ROCA-weak RSA modulus: neither OpenSSL nor the importer detects "
	  "it (no fingerprint check), a known gap", 0 },
	{ "ecdsa_secp256k1_sha256_p1363_test.json", 1, 252, "valid",
	  WE_REFUSE, "ES256K is not supported: crv secp256k1 is refused at "
	  "import, and a secp256k1 key fits no alg", 0 },
	{ "rsa_pss_2048_sha256_mgf1_0_test.json", 1, 103, "valid", WE_REFUSE,
	  "salt length 0: PS256 requires a salt as long as the hash (32)", 0 },
	{ "rsa_pss_2048_sha256_mgf1_0_test.json", 69, 69, "invalid", WE_ACCEPT,
	  "\"s_len changed to 32\": invalid for this file's salt length 0, "
	  "and exactly the salt length PS256 requires", 0 },
	{ "hmac_sha256_test.json", 82, 162, "valid", WE_REFUSE,
	  "128-bit tag: JWS HS256 tags are the full 256 bits, truncated tags "
	  "are refused", 0 },
	{ "hmac_sha256_test.json", 163, 165, "valid", WE_REFUSE,
	  "128-bit secret: HS256 secrets must be at least 256 bits (RFC 7518 "
	  "3.2)", 0 },
	{ "hmac_sha256_test.json", 166, 168, "valid", WE_REFUSE,
	  "128-bit secret and 128-bit tag", 0 },
	{ "hmac_sha256_test.json", 172, 174, "valid", WE_REFUSE,
	  "128-bit tag: truncated tags are refused", 0 },
};

#define N_DEVIATIONS (sizeof(deviations) / sizeof(deviations[0]))

static const char *vectors;     /* $JWT_AUTH_VECTORS */

/* ---- counting ------------------------------------------------------------ */

struct counts {
	size_t run, agreed, overridden, acceptable, unexpected;
};

static struct deviation *
find_deviation(const char *file, int tcid, const char *result)
{
	size_t i;

	for (i = 0; i < N_DEVIATIONS; i++) {
		struct deviation *d = &deviations[i];

		if (strcmp(d->file, file) == 0 && tcid >= d->first &&
		    tcid <= d->last && strcmp(d->result, result) == 0)
			return d;
	}
	return NULL;
}

/* Count one outcome against the vector's expectation and the table. */
static void
record(struct counts *c, const char *file, int tcid, const char *result,
    bool accepted, const char *why)
{
	struct deviation *d = find_deviation(file, tcid, result);
	bool want;

	c->run++;
	if (strcmp(result, "acceptable") == 0) {
		c->acceptable++;
		printf("%s tcId %d: acceptable, %s\n", file, tcid,
		    accepted ? "accepted" : "refused");
		return;
	}
	if (strcmp(result, "valid") != 0 && strcmp(result, "invalid") != 0) {
		printf("%s tcId %d: unknown result \"%s\"\n", file, tcid,
		    result);
		c->unexpected++;
		return;
	}
	want = strcmp(result, "valid") == 0;
	if (accepted == want && d == NULL) {
		c->agreed++;
		return;
	}
	if (accepted != want && d != NULL &&
	    d->ours == (accepted ? WE_ACCEPT : WE_REFUSE)) {
		c->overridden++;
		d->used++;
		return;
	}
	c->unexpected++;
	if (d != NULL)
		printf("%s tcId %d: listed as a deviation but %s as expected "
		    "(%s)\n", file, tcid, accepted ? "accepted" : "refused",
		    result);
	else
		printf("%s tcId %d: expected %s, %s: %s\n", file, tcid, result,
		    accepted ? "accepted" : "refused", why);
}

static void
summary(const char *file, const struct counts *c)
{
	printf("vectors %s: %zu run, %zu agreed, %zu overridden, "
	    "%zu acceptable\n", file, c->run, c->agreed, c->overridden,
	    c->acceptable);
}

/* ---- small helpers ------------------------------------------------------- */

static const char *
str_member(const json_t *obj, const char *name)
{
	const json_t *v = json_object_get(obj, name);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A string member the vector file must have. */
static const char *
str_required(const json_t *obj, const char *name)
{
	const char *s = str_member(obj, name);

	if (s == NULL)
		fail_msg("vector file lacks \"%s\"", name);
	return s != NULL ? s : "";
}

static unsigned
nibble(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (unsigned)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (unsigned)(c - 'A' + 10);
	fail_msg("not a hex digit: %c", c);
	return 0;
}

static unsigned char *
hex_decode(const char *hex, size_t *len)
{
	size_t n, i;
	unsigned char *out;

	assert_non_null(hex);
	n = strlen(hex);
	assert_int_equal(n % 2, 0);
	out = malloc(n / 2 + 1);
	assert_non_null(out);
	for (i = 0; i < n / 2; i++)
		out[i] = (unsigned char)(nibble(hex[2 * i]) << 4 |
		    nibble(hex[2 * i + 1]));
	*len = n / 2;
	return out;
}

/* A hex member the vector file must have, decoded. */
static unsigned char *
hex_member(const json_t *obj, const char *name, size_t *len)
{
	return hex_decode(str_required(obj, name), len);
}

static json_t *
load_json(const char *path)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr);

	if (doc == NULL)
		fail_msg("%s: %s (line %d)", path, jerr.text, jerr.line);
	return doc;
}

/* A public key given only as DER, wrapped by hand in a jwtc_key. */
static bool
wrap_der(const char *hex, jwtc_key *k, char *why, size_t whylen)
{
	size_t len = 0;
	unsigned char *der = hex_decode(hex, &len);
	const unsigned char *p = der;
	EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, (long)len);
	char group[64];

	free(der);
	memset(k, 0, sizeof(*k));
	k->use_ok = true;
	k->ops_ok = true;
	if (pkey == NULL) {
		snprintf(why, whylen, "publicKeyDer does not parse");
		ERR_clear_error();
		return false;
	}
	k->pkey = pkey;
	k->bits = (unsigned)EVP_PKEY_get_bits(pkey);
	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_RSA:
		k->kty = JWTC_KTY_RSA;
		return true;
	case EVP_PKEY_EC:
		k->kty = JWTC_KTY_EC;
		assert_int_equal(EVP_PKEY_get_utf8_string_param(pkey,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL), 1);
		k->nid = OBJ_sn2nid(group);
		return true;
	case EVP_PKEY_ED25519:
	case EVP_PKEY_ED448:
		k->kty = JWTC_KTY_OKP;
		k->nid = EVP_PKEY_get_base_id(pkey);
		return true;
	default:
		snprintf(why, whylen, "publicKeyDer of an unexpected type");
		jwtc_key_clear(k);
		return false;
	}
}

/* ---- signature primitives: ECDSA, EdDSA, RSA PKCS#1, RSA-PSS ------------- */

static jwtc_alg
alg_for(const char *schema, const json_t *group, const char *file)
{
	const char *sha = str_member(group, "sha");
	int h = 0;

	if (strstr(schema, "eddsa") != NULL)
		return JWTC_ALG_EDDSA;
	assert_non_null(sha);
	if (strcmp(sha, "SHA-256") == 0)
		h = 0;
	else if (strcmp(sha, "SHA-384") == 0)
		h = 1;
	else if (strcmp(sha, "SHA-512") == 0)
		h = 2;
	else
		fail_msg("%s: hash %s", file, sha);
	if (strstr(schema, "ecdsa") != NULL)
		return (jwtc_alg)(JWTC_ALG_ES256 + h);
	if (strstr(schema, "pss") != NULL) {
		/* JWS PSS: MGF1 with the same hash */
		const char *mgf = str_member(group, "mgfSha");

		assert_non_null(mgf);
		assert_string_equal(mgf, sha);
		return (jwtc_alg)(JWTC_ALG_PS256 + h);
	}
	return (jwtc_alg)(JWTC_ALG_RS256 + h);
}

static void
run_sig_group(const char *file, const char *schema, const json_t *group,
    struct counts *c)
{
	jwtc_alg alg = alg_for(schema, group, file);
	const json_t *jwk = json_object_get(group, "publicKeyJwk");
	const json_t *tests = json_object_get(group, "tests"), *t;
	jwtc_key k;
	char kwhy[256] = "", why[256];
	bool have_key, fits;
	size_t i;

	if (jwk == NULL)
		jwk = json_object_get(group, "keyJwk");
	memset(&k, 0, sizeof(k));
	if (jwk != NULL) {
		have_key = jwtc_jwk_import(jwk, &k, kwhy, sizeof(kwhy)) ==
		    JWTC_OK;
	} else {
		const char *der = str_required(group, "publicKeyDer");

		assert_non_null(der);
		have_key = wrap_der(der, &k, kwhy, sizeof(kwhy));
	}
	fits = have_key && jwtc_key_fits(&k, alg, kwhy, sizeof(kwhy));

	json_array_foreach(tests, i, t) {
		size_t msglen = 0, siglen = 0;
		unsigned char *msg = hex_member(t, "msg", &msglen);
		unsigned char *sig = hex_member(t, "sig", &siglen);
		bool ok = false;
		jwtc_rc rc;

		snprintf(why, sizeof(why), "%s", kwhy);
		if (fits) {
			rc = jwtc_sig_verify(&k, alg, msg, msglen, sig, siglen);
			ok = rc == JWTC_OK;
			snprintf(why, sizeof(why), "%s", jwtc_rc_str(rc));
		}
		record(c, file, (int)json_integer_value(json_object_get(t,
		    "tcId")), str_required(t, "result"), ok, why);
		free(msg);
		free(sig);
	}
	jwtc_key_clear(&k);
}

/* ---- HMAC ---------------------------------------------------------------- */

static void
run_mac_group(const char *file, const json_t *group, struct counts *c)
{
	const json_t *tests = json_object_get(group, "tests"), *t;
	size_t i;

	json_array_foreach(tests, i, t) {
		size_t keylen = 0, msglen = 0, taglen = 0;
		unsigned char *key = hex_member(t, "key", &keylen);
		unsigned char *msg = hex_member(t, "msg", &msglen);
		unsigned char *tag = hex_member(t, "tag", &taglen);
		jwtc_rc rc;

		rc = jwtc_hmac_verify(key, keylen, JWTC_ALG_HS256, msg, msglen,
		    tag, taglen);
		record(c, file, (int)json_integer_value(json_object_get(t,
		    "tcId")), str_required(t, "result"), rc == JWTC_OK,
		    jwtc_rc_str(rc));
		free(key);
		free(msg);
		free(tag);
	}
}

/* ---- whole tokens -------------------------------------------------------- */

/* The keys a token may be checked with: imported public keys, and
 * symmetric JWKs standing in for hmac_secret_file. */
struct keyring {
	const jwtc_key *keys;
	size_t n;
	const json_t *octs[8];
	size_t n_octs;
};

static bool
kid_selects(const char *token_kid, const char *key_kid)
{
	return token_kid == NULL ||
	    (key_kid != NULL && strcmp(token_kid, key_kid) == 0);
}

/* A symmetric JWK's own alg, use and key_ops (see the top comment). */
static bool
oct_fits(const json_t *jwk, jwtc_alg alg, char *why, size_t whylen)
{
	const char *a = str_member(jwk, "alg"), *use = str_member(jwk, "use");
	const json_t *ops = json_object_get(jwk, "key_ops"), *op;
	bool verify = ops == NULL;
	size_t i;

	if (a != NULL && jwtc_alg_from_name(a) != alg) {
		snprintf(why, whylen, "secret is for alg %s", a);
		return false;
	}
	if (use != NULL && strcmp(use, "sig") != 0) {
		snprintf(why, whylen, "secret has a use other than sig");
		return false;
	}
	json_array_foreach(ops, i, op) {
		if (json_is_string(op) &&
		    strcmp(json_string_value(op), "verify") == 0)
			verify = true;
	}
	if (!verify)
		snprintf(why, whylen, "secret has key_ops without verify");
	return verify;
}

static bool
verify_hmac_token(const jwtc_token *t, const struct keyring *kr, char *why,
    size_t whylen)
{
	const unsigned char *msg = (const unsigned char *)t->copy;
	size_t i;

	snprintf(why, whylen, "no HMAC secret for alg %s", t->alg_name);
	/* HS* is never computed with a public key. */
	for (i = 0; i < kr->n; i++)
		assert_false(jwtc_key_fits(&kr->keys[i], t->alg, NULL, 0));
	for (i = 0; i < kr->n_octs; i++) {
		const json_t *jwk = kr->octs[i];
		const char *k = str_member(jwk, "k");
		unsigned char *secret = NULL;
		size_t len = 0;
		jwtc_rc rc;

		if (!kid_selects(t->kid, str_member(jwk, "kid")) ||
		    !oct_fits(jwk, t->alg, why, whylen) || k == NULL)
			continue;
		if (jwtc_b64url_decode(k, strlen(k), &secret, &len) != 0) {
			snprintf(why, whylen, "secret is not base64url");
			continue;
		}
		rc = jwtc_hmac_verify(secret, len, t->alg, msg,
		    t->signing_input_len, t->sig, t->siglen);
		jwtc_free_secret(secret, len);
		snprintf(why, whylen, "HMAC: %s", jwtc_rc_str(rc));
		if (rc == JWTC_OK)
			return true;
	}
	return false;
}

/* Select, bind and verify as the project does for one issuer. */
static bool
verify_token(const jwtc_token *t, const struct keyring *kr, char *why,
    size_t whylen)
{
	const unsigned char *msg = (const unsigned char *)t->copy;
	size_t i;

	if (jwtc_alg_hmac_len(t->alg) > 0)
		return verify_hmac_token(t, kr, why, whylen);
	snprintf(why, whylen, "no key with kid %s",
	    t->kid != NULL ? "as named" : "at all");
	for (i = 0; i < kr->n; i++) {
		const jwtc_key *k = &kr->keys[i];
		jwtc_rc rc;

		if (!kid_selects(t->kid, k->kid) ||
		    !jwtc_key_fits(k, t->alg, why, whylen))
			continue;
		rc = jwtc_sig_verify(k, t->alg, msg, t->signing_input_len,
		    t->sig, t->siglen);
		snprintf(why, whylen, "signature: %s", jwtc_rc_str(rc));
		if (rc == JWTC_OK)
			return true;
	}
	return false;
}

/* Parse text as a compact JWS and verify it with kr. */
static bool
check_token(const char *text, const struct keyring *kr, char *why,
    size_t whylen)
{
	jwtc_token t;
	jwtc_error err;
	bool ok;

	memset(&t, 0, sizeof(t));
	memset(&err, 0, sizeof(err));
	if (jwtc_jws_parse(text, strlen(text), JWTC_MAX_TOKEN_SIZE_DEFAULT,
	    &t, &err) != JWTC_OK) {
		snprintf(why, whylen, "parse: %.400s", err.msg);
		return false;
	}
	ok = verify_token(&t, kr, why, whylen);
	jwtc_token_clear(&t);
	return ok;
}

static void
run_token_tests(const char *file, const json_t *group,
    const struct keyring *kr, struct counts *c)
{
	const json_t *tests = json_object_get(group, "tests"), *t;
	char why[512];
	size_t i;

	json_array_foreach(tests, i, t) {
		const char *jws = str_required(t, "jws");
		bool ok;

		assert_non_null(jws);
		ok = check_token(jws, kr, why, sizeof(why));
		record(c, file, (int)json_integer_value(json_object_get(t,
		    "tcId")), str_required(t, "result"), ok, why);
	}
}

/* json_web_signature_test.json: one key per group. */
static void
run_jws_group(const char *file, const json_t *group, struct counts *c)
{
	const json_t *jwk = json_object_get(group, "public");
	struct keyring kr;
	jwtc_key k;
	char why[256];

	if (jwk == NULL)
		jwk = json_object_get(group, "private");
	assert_non_null(jwk);
	memset(&kr, 0, sizeof(kr));
	memset(&k, 0, sizeof(k));
	if (strcmp(str_required(jwk, "kty"), "oct") == 0) {
		kr.octs[kr.n_octs++] = jwk;
		/* and the importer refuses it as a verification key */
		assert_int_equal(jwtc_jwk_import(jwk, &k, why, sizeof(why)),
		    JWTC_ERR_UNSUPPORTED);
	} else if (jwtc_jwk_import(jwk, &k, why, sizeof(why)) == JWTC_OK) {
		kr.keys = &k;
		kr.n = 1;
	}
	run_token_tests(file, group, &kr, c);
	jwtc_key_clear(&k);
}

/* json_web_key_test.json: a key set per group. */
static void
run_jwks_group(const char *file, const json_t *group, struct counts *c)
{
	const json_t *set = json_object_get(group, "public");
	const json_t *entries, *e;
	jwtc_keyset *ks = NULL;
	jwtc_error err;
	struct keyring kr;
	char *text;
	size_t i, n_oct = 0;

	if (set == NULL)
		set = json_object_get(group, "private");
	entries = json_object_get(set, "keys");
	assert_true(json_is_array(entries));
	text = json_dumps(set, JSON_COMPACT);
	assert_non_null(text);
	assert_int_equal(jwtc_jwks_parse(text, strlen(text), &ks, &err),
	    JWTC_OK);
	free(text);

	memset(&kr, 0, sizeof(kr));
	json_array_foreach(entries, i, e) {
		if (strcmp(str_required(e, "kty"), "oct") == 0)
			n_oct++;
	}
	/* Symmetric keys never come out of jwtc_jwks_parse. */
	assert_true(ks->n_skipped >= n_oct);
	for (i = 0; i < ks->n; i++)
		assert_int_not_equal(ks->keys[i].kty, 0);
	if (n_oct == json_array_size(entries)) {
		json_array_foreach(entries, i, e) {
			assert_true(kr.n_octs < 8);
			kr.octs[kr.n_octs++] = e;
		}
	}
	kr.keys = ks->keys;
	kr.n = ks->n;
	run_token_tests(file, group, &kr, c);
	jwtc_keyset_unref(ks);
}

/* ---- one Wycheproof file ------------------------------------------------- */

static void
run_wycheproof_file(const char *file, struct counts *total)
{
	char path[4096];
	json_t *doc;
	const json_t *groups, *g;
	const char *schema;
	struct counts c;
	size_t i;

	memset(&c, 0, sizeof(c));
	snprintf(path, sizeof(path), "%s/wycheproof/%s", vectors, file);
	doc = load_json(path);
	schema = str_required(doc, "schema");
	groups = json_object_get(doc, "testGroups");
	assert_non_null(schema);
	assert_true(json_is_array(groups));

	json_array_foreach(groups, i, g) {
		if (strstr(schema, "ecdsa_p1363_verify") != NULL ||
		    strstr(schema, "eddsa_verify") != NULL ||
		    strstr(schema, "rsassa_pkcs1_verify") != NULL ||
		    strstr(schema, "rsassa_pss_verify") != NULL)
			run_sig_group(file, schema, g, &c);
		else if (strstr(schema, "mac_test") != NULL &&
		    strcmp(str_required(doc, "algorithm"), "HMACSHA256") == 0)
			run_mac_group(file, g, &c);
		else if (strstr(schema, "json_web_signature") != NULL)
			run_jws_group(file, g, &c);
		else if (strstr(schema, "json_web_key") != NULL)
			run_jwks_group(file, g, &c);
		else
			fail_msg("%s: no runner for schema %s", file, schema);
	}
	/* every test of the file ran */
	assert_int_equal(c.run,
	    json_integer_value(json_object_get(doc, "numberOfTests")));
	summary(file, &c);
	total->run += c.run;
	total->agreed += c.agreed;
	total->overridden += c.overridden;
	total->acceptable += c.acceptable;
	total->unexpected += c.unexpected;
	json_decref(doc);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
test_wycheproof(void **state)
{
	char dir[4096], *names[64];
	size_t n = 0, i, len;
	struct counts total;
	struct dirent *de;
	DIR *d;

	(void)state;
	memset(&total, 0, sizeof(total));
	snprintf(dir, sizeof(dir), "%s/wycheproof", vectors);
	d = opendir(dir);
	assert_non_null(d);
	for (;;) {
		de = readdir(d);
		if (de == NULL)
			break;
		len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		assert_true(n < sizeof(names) / sizeof(names[0]));
		names[n] = strdup(de->d_name);
		assert_non_null(names[n]);
		n++;
	}
	closedir(d);
	assert_true(n > 0);
	qsort(names, n, sizeof(names[0]), cmp_names);
	for (i = 0; i < n; i++) {
		run_wycheproof_file(names[i], &total);
		free(names[i]);
	}
	summary("wycheproof (all files)", &total);

	/* Each row of the table still describes a real disagreement. */
	for (i = 0; i < N_DEVIATIONS; i++) {
		if (deviations[i].used == 0) {
			printf("%s tcId %d-%d: listed as a deviation, none "
			    "seen\n", deviations[i].file, deviations[i].first,
			    deviations[i].last);
			total.unexpected++;
		}
	}
	assert_int_equal(total.unexpected, 0);
	assert_true(total.agreed > 3000);
}

/* ---- RFC 7520 / RFC 8037 / RFC 7797 examples ----------------------------- */

/* The example's key(s) as a keyring: public keys imported (private
 * members present in the files are ignored by the importer), oct keys as
 * HMAC secrets. */
static void
cookbook_keys(const json_t *key, struct keyring *kr, jwtc_key *keys,
    size_t cap)
{
	const json_t *list[4], *e;
	size_t n = 0, i;
	char why[256];

	memset(kr, 0, sizeof(*kr));
	if (json_is_array(key)) {
		json_array_foreach(key, i, e) {
			assert_true(n < 4);
			list[n++] = e;
		}
	} else {
		list[n++] = key;
	}
	kr->keys = keys;
	for (i = 0; i < n; i++) {
		if (strcmp(str_required(list[i], "kty"), "oct") == 0) {
			kr->octs[kr->n_octs++] = list[i];
			continue;
		}
		assert_true(kr->n < cap);
		if (jwtc_jwk_import(list[i], &keys[kr->n], why, sizeof(why)) !=
		    JWTC_OK)
			fail_msg("cookbook key refused: %s", why);
		kr->n++;
	}
}

struct cookbook_case {
	const char *file;
	bool compact_valid;   /* output.compact verifies (else refused) */
};

static const struct cookbook_case cookbook_cases[] = {
	{ "jws/4_1.rsa_v15_signature.json", true },
	{ "jws/4_2.rsa-pss_signature.json", true },
	{ "jws/4_3.ecdsa_signature.json", true },
	{ "jws/4_4.hmac-sha2_integrity_protection.json", true },
	/* detached content: the compact form has an empty payload, which
	 * the signature does not cover */
	{ "jws/4_5.signature_with_detached_content.json", false },
	/* JSON serialization only (unprotected headers) */
	{ "jws/4_6.protecting_specific_header_fields.json", false },
	{ "jws/4_7.protecting_content_only.json", false },
	{ "jws/4_8.multiple_signatures.json", false },
	{ "rfc7797/4.2.hmac-sha2_b64_false.json", false },
	{ "curve25519/jws.json", true },
};

/* A JSON serialization given to the compact parser is refused. */
static bool
json_form_refused(const json_t *form)
{
	jwtc_token t;
	jwtc_error err;
	char *text;
	jwtc_rc rc;

	if (form == NULL)
		return true;
	text = json_dumps(form, JSON_COMPACT);
	assert_non_null(text);
	memset(&t, 0, sizeof(t));
	rc = jwtc_jws_parse(text, strlen(text), JWTC_MAX_TOKEN_SIZE_DEFAULT,
	    &t, &err);
	jwtc_token_clear(&t);
	free(text);
	return rc != JWTC_OK;
}

/* 4.8: each signature with a protected header, rebuilt as a compact
 * token, verifies on its own; the multi-signature form does not. */
static void
cookbook_multi(const json_t *doc, const struct keyring *kr, struct counts *c,
    const char *file)
{
	const json_t *signing = json_object_get(doc, "signing"), *s;
	const char *payload = str_required(json_object_get(json_object_get(doc,
	    "output"), "json"), "payload");
	char text[4096], why[256];
	size_t i;

	json_array_foreach(signing, i, s) {
		const char *p = str_member(s, "protected_b64u");
		const char *sig = str_required(s, "sig");
		const json_t *un = json_object_get(s, "unprotected");
		bool ok;

		if (p == NULL)
			continue; /* no protected header: no compact form */
		snprintf(text, sizeof(text), "%s.%s.%s", p, payload, sig);
		ok = check_token(text, kr, why, sizeof(why));
		/* an unprotected kid is lost in the compact form; the token
		 * is then tried against every key, and still verifies */
		c->run++;
		if (ok) {
			c->agreed++;
		} else {
			printf("%s signature %zu%s refused: %s\n", file, i,
			    un != NULL ? " (kid unprotected)" : "", why);
			c->unexpected++;
		}
	}
}

static void
test_cookbook(void **state)
{
	struct counts c;
	size_t i;
	char path[4096], why[256];

	(void)state;
	memset(&c, 0, sizeof(c));
	for (i = 0; i < sizeof(cookbook_cases) / sizeof(cookbook_cases[0]);
	    i++) {
		const struct cookbook_case *cc = &cookbook_cases[i];
		json_t *doc;
		const json_t *output, *input;
		const char *compact;
		struct keyring kr;
		jwtc_key keys[4];
		size_t j;
		bool ok;

		snprintf(path, sizeof(path), "%s/jose-cookbook/%s", vectors,
		    cc->file);
		doc = load_json(path);
		input = json_object_get(doc, "input");
		output = json_object_get(doc, "output");
		memset(keys, 0, sizeof(keys));
		cookbook_keys(json_object_get(input, "key"), &kr, keys, 4);

		compact = str_member(output, "compact");
		if (compact != NULL) {
			ok = check_token(compact, &kr, why, sizeof(why));
			c.run++;
			if (ok == cc->compact_valid) {
				c.agreed++;
			} else {
				printf("%s: compact form %s: %s\n", cc->file,
				    ok ? "accepted" : "refused", why);
				c.unexpected++;
			}
		}
		/* the JSON serializations are never accepted */
		c.run += 2;
		if (json_form_refused(json_object_get(output, "json")) &&
		    json_form_refused(json_object_get(output, "json_flat"))) {
			c.agreed += 2;
		} else {
			printf("%s: a JSON serialization was accepted\n",
			    cc->file);
			c.unexpected += 2;
		}
		if (json_is_array(json_object_get(doc, "signing")))
			cookbook_multi(doc, &kr, &c, cc->file);
		for (j = 0; j < 4; j++)
			jwtc_key_clear(&keys[j]);
		json_decref(doc);
	}
	summary("jose-cookbook/jws", &c);
	assert_int_equal(c.unexpected, 0);
}

/* RFC 7797: b64:false, as a compact token with the raw payload and with
 * the payload base64url-encoded, is refused by the parser itself. */
static void
test_cookbook_b64_false(void **state)
{
	char path[4096], text[1024];
	json_t *doc;
	const json_t *signing;
	const char *prot, *sig, *payload;
	char *enc;
	jwtc_token t;
	jwtc_error err;

	(void)state;
	snprintf(path, sizeof(path), "%s/jose-cookbook/rfc7797/"
	    "4.2.hmac-sha2_b64_false.json", vectors);
	doc = load_json(path);
	signing = json_object_get(doc, "signing");
	prot = str_required(signing, "protected_b64u");
	sig = str_required(signing, "sig");
	payload = str_required(json_object_get(doc, "input"), "payload");

	snprintf(text, sizeof(text), "%s.%s.%s", prot, payload, sig);
	memset(&t, 0, sizeof(t));
	assert_int_not_equal(jwtc_jws_parse(text, strlen(text),
	    JWTC_MAX_TOKEN_SIZE_DEFAULT, &t, &err), JWTC_OK);
	enc = jwtc_b64url_encode((const unsigned char *)payload,
	    strlen(payload));
	assert_non_null(enc);
	snprintf(text, sizeof(text), "%s.%s.%s", prot, enc, sig);
	free(enc);
	assert_int_equal(jwtc_jws_parse(text, strlen(text),
	    JWTC_MAX_TOKEN_SIZE_DEFAULT, &t, &err), JWTC_ERR_UNSUPPORTED);
	json_decref(doc);
}

/* The RFC 7520 section 3 keys: public and private forms import (private
 * members ignored), the symmetric one is refused. */
static void
test_cookbook_jwk(void **state)
{
	static const struct {
		const char *file;
		jwtc_rc want;
	} cases[] = {
		{ "3_1.ec_public_key.json", JWTC_OK },
		{ "3_2.ec_private_key.json", JWTC_OK },
		{ "3_3.rsa_public_key.json", JWTC_OK },
		{ "3_4.rsa_private_key.json", JWTC_OK },
		{ "3_5.symmetric_key_mac_computation.json",
		  JWTC_ERR_UNSUPPORTED },
	};
	char path[4096], why[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *doc;
		jwtc_key k;

		snprintf(path, sizeof(path), "%s/jose-cookbook/jwk/%s",
		    vectors, cases[i].file);
		doc = load_json(path);
		memset(&k, 0, sizeof(k));
		if (jwtc_jwk_import(doc, &k, why, sizeof(why)) !=
		    cases[i].want)
			fail_msg("%s: %s", cases[i].file, why);
		if (cases[i].want == JWTC_OK)
			assert_string_equal(k.kid,
			    "bilbo.baggins@hobbiton.example");
		jwtc_key_clear(&k);
		json_decref(doc);
	}
	printf("vectors jose-cookbook/jwk: %zu run, %zu agreed, 0 overridden, "
	    "0 acceptable\n", i, i);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wycheproof),
		cmocka_unit_test(test_cookbook),
		cmocka_unit_test(test_cookbook_b64_false),
		cmocka_unit_test(test_cookbook_jwk),
	};
	static const char *const subdirs[] = { "wycheproof", "jose-cookbook" };
	struct stat st;
	char dir[4096];
	size_t i;

	vectors = unit_require_vectors();
	for (i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/%s", vectors, subdirs[i]);
		if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
			unit_skip("%s is missing", dir);
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
