/*
 * jwk.c - JSON Web Keys (RFC 7517, RFC 7518 section 6, RFC 8037) as
 * verification keys, and JWKS documents as immutable key sets.
 *
 * Only public parts are read: private members (d, p, q, dp, dq, qi, oth,
 * and k of symmetric keys) are never looked at, so a JWKS that carries
 * them by mistake gives nothing more than its public keys.  Symmetric
 * ("oct") keys are refused: HMAC secrets come only from an issuer's
 * hmac_secret_file.
 *
 * Every key is checked once here, at import: RSA modulus size and
 * exponent, EC points on their curve, key lengths; EVP_PKEY_public_check
 * runs on every key (OpenSSL 3.0 imports e = 1 without complaint).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include "internal.h"

/* The largest public exponent taken, in bytes (65537 needs 3). */
#define RSA_MAX_E_BYTES 8

typedef struct curve_info {
	const char *crv;     /* JWK "crv" */
	jwtc_kty kty;
	const char *ossl;    /* OpenSSL group or key type name */
	int nid;
	size_t len;          /* bytes of x (and y) */
	unsigned bits;
} curve_info;

static const curve_info curves[] = {
	{ "P-256", JWTC_KTY_EC, "prime256v1", NID_X9_62_prime256v1, 32, 256 },
	{ "P-384", JWTC_KTY_EC, "secp384r1", NID_secp384r1, 48, 384 },
	{ "P-521", JWTC_KTY_EC, "secp521r1", NID_secp521r1, 66, 521 },
	{ "Ed25519", JWTC_KTY_OKP, "ED25519", NID_ED25519, 32, 256 },
	{ "Ed448", JWTC_KTY_OKP, "ED448", NID_ED448, 57, 456 },
};

static const curve_info *
curve_lookup(jwtc_kty kty, const char *crv)
{
	size_t i;

	for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
		if (curves[i].kty == kty && strcmp(curves[i].crv, crv) == 0)
			return &curves[i];
	}
	return NULL;
}

/* A string member that must not hold NUL bytes.  *out is NULL when the
 * member is absent.  Returns false (with why) when it is not a string. */
static bool
get_string(const json_t *obj, const char *name, const char **out, char *why,
    size_t whylen)
{
	const json_t *v = json_object_get(obj, name);

	*out = NULL;
	if (v == NULL)
		return true;
	if (!json_is_string(v) ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		snprintf(why, whylen, "\"%s\" is not a string", name);
		return false;
	}
	*out = json_string_value(v);
	return true;
}

/* A required base64url member, decoded strictly. */
static jwtc_rc
get_b64(const json_t *jwk, const char *name, unsigned char **out,
    size_t *outlen, char *why, size_t whylen)
{
	const char *s = NULL;
	int r;

	if (!get_string(jwk, name, &s, why, whylen))
		return JWTC_ERR_MALFORMED;
	if (s == NULL) {
		snprintf(why, whylen, "member \"%s\" is missing", name);
		return JWTC_ERR_MALFORMED;
	}
	r = jwtc_b64url_decode(s, strlen(s), out, outlen);
	if (r == -2) {
		snprintf(why, whylen, "out of memory");
		return JWTC_ERR_NO_MEMORY;
	}
	if (r != 0) {
		snprintf(why, whylen, "\"%s\" is not strict base64url", name);
		return JWTC_ERR_MALFORMED;
	}
	return JWTC_OK;
}

/* kid, alg, use and key_ops: the members every key type shares. */
static jwtc_rc
parse_common(const json_t *jwk, jwtc_key *k, char *why, size_t whylen)
{
	const char *kid = NULL, *alg = NULL, *use = NULL;
	const json_t *ops, *op;
	size_t i;

	if (!get_string(jwk, "kid", &kid, why, whylen) ||
	    !get_string(jwk, "alg", &alg, why, whylen) ||
	    !get_string(jwk, "use", &use, why, whylen))
		return JWTC_ERR_MALFORMED;
	if (kid != NULL && strlen(kid) > JWTC_MAX_KID_LEN) {
		snprintf(why, whylen, "kid is longer than %d bytes",
		    JWTC_MAX_KID_LEN);
		return JWTC_ERR_MALFORMED;
	}
	if (alg != NULL) {
		k->alg = jwtc_alg_from_name(alg);
		/* An alg we do not know (ES521, RSA1_5, ...) binds the key to
		 * something we never verify: the key fits nothing. */
		k->alg_unusable = k->alg == JWTC_ALG_UNKNOWN;
	}
	k->use_ok = use == NULL || strcmp(use, "sig") == 0;

	ops = json_object_get(jwk, "key_ops");
	k->ops_ok = ops == NULL;
	if (ops != NULL) {
		if (!json_is_array(ops)) {
			snprintf(why, whylen, "key_ops is not an array");
			return JWTC_ERR_MALFORMED;
		}
		json_array_foreach(ops, i, op) {
			if (!json_is_string(op)) {
				snprintf(why, whylen, "key_ops holds "
				    "something other than strings");
				return JWTC_ERR_MALFORMED;
			}
			if (strcmp(json_string_value(op), "verify") == 0)
				k->ops_ok = true;
		}
	}
	if (kid != NULL) {
		k->kid = jwtc_strdup(kid);
		if (k->kid == NULL) {
			snprintf(why, whylen, "out of memory");
			return JWTC_ERR_NO_MEMORY;
		}
	}
	return JWTC_OK;
}

/* EVP_PKEY from OSSL_PARAMs (public part only). */
static EVP_PKEY *
pkey_fromdata(const char *type, OSSL_PARAM *params)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

static bool
pkey_public_ok(EVP_PKEY *pkey)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	bool ok;

	ok = ctx != NULL && EVP_PKEY_public_check(ctx) == 1;
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

/* Skip leading zero bytes. */
static const unsigned char *
strip_zeros(const unsigned char *p, size_t len, size_t *outlen)
{
	while (len > 0 && *p == 0) {
		p++;
		len--;
	}
	*outlen = len;
	return p;
}

static unsigned
bit_length(const unsigned char *p, size_t len)
{
	unsigned bits = (unsigned)(len - 1) * 8;
	unsigned char top = p[0];

	while (top != 0) {
		bits++;
		top >>= 1;
	}
	return bits;
}

static jwtc_rc
check_rsa_numbers(const unsigned char *n, size_t nlen,
    const unsigned char *e, size_t elen, unsigned *bits, char *why,
    size_t whylen)
{
	if (nlen == 0) {
		snprintf(why, whylen, "RSA modulus is zero");
		return JWTC_ERR_MALFORMED;
	}
	if (nlen > JWTC_RSA_MAX_BITS / 8 + 1) {
		snprintf(why, whylen, "RSA modulus longer than %d bits",
		    JWTC_RSA_MAX_BITS);
		return JWTC_ERR_UNSUPPORTED;
	}
	*bits = bit_length(n, nlen);
	if (*bits < JWTC_RSA_MIN_BITS || *bits > JWTC_RSA_MAX_BITS) {
		snprintf(why, whylen,
		    "RSA modulus of %u bits, %d to %d bits are accepted",
		    *bits, JWTC_RSA_MIN_BITS, JWTC_RSA_MAX_BITS);
		return JWTC_ERR_UNSUPPORTED;
	}
	if (elen == 0 || elen > RSA_MAX_E_BYTES) {
		snprintf(why, whylen, "RSA exponent is zero or longer than "
		    "%d bytes", RSA_MAX_E_BYTES);
		return JWTC_ERR_UNSUPPORTED;
	}
	if ((e[elen - 1] & 1) == 0 || (elen == 1 && e[0] < 3)) {
		snprintf(why, whylen,
		    "RSA exponent must be odd and at least 3");
		return JWTC_ERR_UNSUPPORTED;
	}
	return JWTC_OK;
}

static jwtc_rc
import_rsa(const json_t *jwk, jwtc_key *k, char *why, size_t whylen)
{
	unsigned char *n = NULL, *e = NULL;
	const unsigned char *np, *ep;
	size_t nlen = 0, elen = 0, nsig, esig;
	BIGNUM *bn_n = NULL, *bn_e = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pkey = NULL;
	unsigned bits = 0;
	jwtc_rc rc;

	rc = get_b64(jwk, "n", &n, &nlen, why, whylen);
	if (rc != JWTC_OK)
		goto out;
	rc = get_b64(jwk, "e", &e, &elen, why, whylen);
	if (rc != JWTC_OK)
		goto out;
	/* Leading zero bytes are tolerated; only the value counts. */
	np = strip_zeros(n, nlen, &nsig);
	ep = strip_zeros(e, elen, &esig);
	rc = check_rsa_numbers(np, nsig, ep, esig, &bits, why, whylen);
	if (rc != JWTC_OK)
		goto out;

	rc = JWTC_ERR_NO_MEMORY;
	snprintf(why, whylen, "out of memory");
	bn_n = BN_bin2bn(np, (int)nsig, NULL);
	bn_e = BN_bin2bn(ep, (int)esig, NULL);
	bld = OSSL_PARAM_BLD_new();
	if (bn_n == NULL || bn_e == NULL || bld == NULL ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) != 1)
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	if (params == NULL)
		goto out;
	rc = JWTC_ERR_MALFORMED;
	pkey = pkey_fromdata("RSA", params);
	if (pkey == NULL) {
		snprintf(why, whylen, "RSA key cannot be imported");
		goto out;
	}
	if (!pkey_public_ok(pkey)) {
		snprintf(why, whylen, "RSA key fails the public key check");
		goto out;
	}
	k->kty = JWTC_KTY_RSA;
	k->bits = bits;
	k->pkey = pkey;
	pkey = NULL;
	rc = JWTC_OK;
out:
	EVP_PKEY_free(pkey);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn_n);
	BN_free(bn_e);
	free(n);
	free(e);
	return rc;
}

/* The "crv" member, looked up among the curves of kty. */
static jwtc_rc
get_curve(const json_t *jwk, jwtc_kty kty, const curve_info **out,
    char *why, size_t whylen)
{
	const char *crv = NULL;
	char shown[40];

	if (!get_string(jwk, "crv", &crv, why, whylen))
		return JWTC_ERR_MALFORMED;
	if (crv == NULL) {
		snprintf(why, whylen, "member \"crv\" is missing");
		return JWTC_ERR_MALFORMED;
	}
	*out = curve_lookup(kty, crv);
	if (*out != NULL)
		return JWTC_OK;
	jwtc_sanitize(shown, sizeof(shown), crv, 24);
	if (kty == JWTC_KTY_OKP && (strcmp(crv, "X25519") == 0 ||
	    strcmp(crv, "X448") == 0))
		snprintf(why, whylen,
		    "curve %s is for key agreement, not signatures", shown);
	else
		snprintf(why, whylen, "curve %s is not supported for kty %s",
		    shown, kty == JWTC_KTY_EC ? "EC" : "OKP");
	return JWTC_ERR_UNSUPPORTED;
}

static jwtc_rc
import_ec(const json_t *jwk, jwtc_key *k, char *why, size_t whylen)
{
	const curve_info *c = NULL;
	unsigned char *x = NULL, *y = NULL;
	size_t xlen = 0, ylen = 0;
	unsigned char pub[1 + 2 * 66];
	char group[16];
	OSSL_PARAM params[3];
	EVP_PKEY *pkey = NULL;
	jwtc_rc rc;

	rc = get_curve(jwk, JWTC_KTY_EC, &c, why, whylen);
	if (rc != JWTC_OK)
		goto out;
	rc = get_b64(jwk, "x", &x, &xlen, why, whylen);
	if (rc != JWTC_OK)
		goto out;
	rc = get_b64(jwk, "y", &y, &ylen, why, whylen);
	if (rc != JWTC_OK)
		goto out;
	rc = JWTC_ERR_MALFORMED;
	if (xlen != c->len || ylen != c->len || 1 + 2 * c->len > sizeof(pub)) {
		snprintf(why, whylen,
		    "EC x and y must be %zu bytes each for %s", c->len, c->crv);
		goto out;
	}
	/* The uncompressed point 04 || x || y. */
	pub[0] = 0x04;
	memcpy(pub + 1, x, c->len);
	memcpy(pub + 1 + c->len, y, c->len);
	snprintf(group, sizeof(group), "%s", c->ossl);
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(
	    OSSL_PKEY_PARAM_PUB_KEY, pub, 1 + 2 * c->len);
	params[2] = OSSL_PARAM_construct_end();
	pkey = pkey_fromdata("EC", params);
	if (pkey == NULL || !pkey_public_ok(pkey)) {
		snprintf(why, whylen, "EC point is not on curve %s", c->crv);
		goto out;
	}
	k->kty = JWTC_KTY_EC;
	k->nid = c->nid;
	k->bits = c->bits;
	k->pkey = pkey;
	pkey = NULL;
	rc = JWTC_OK;
out:
	EVP_PKEY_free(pkey);
	free(x);
	free(y);
	return rc;
}

static jwtc_rc
import_okp(const json_t *jwk, jwtc_key *k, char *why, size_t whylen)
{
	const curve_info *c = NULL;
	unsigned char *x = NULL;
	size_t xlen = 0;
	EVP_PKEY *pkey = NULL;
	jwtc_rc rc;

	rc = get_curve(jwk, JWTC_KTY_OKP, &c, why, whylen);
	if (rc != JWTC_OK)
		goto out;
	rc = get_b64(jwk, "x", &x, &xlen, why, whylen);
	if (rc != JWTC_OK)
		goto out;
	rc = JWTC_ERR_MALFORMED;
	if (xlen != c->len) {
		snprintf(why, whylen, "OKP x must be %zu bytes for %s",
		    c->len, c->crv);
		goto out;
	}
	pkey = EVP_PKEY_new_raw_public_key_ex(NULL, c->ossl, NULL, x, xlen);
	if (pkey == NULL || !pkey_public_ok(pkey)) {
		snprintf(why, whylen, "%s key cannot be imported", c->crv);
		goto out;
	}
	k->kty = JWTC_KTY_OKP;
	k->nid = c->nid;
	k->bits = c->bits;
	k->pkey = pkey;
	pkey = NULL;
	rc = JWTC_OK;
out:
	EVP_PKEY_free(pkey);
	free(x);
	return rc;
}

static jwtc_rc
import_by_kty(const json_t *jwk, jwtc_key *k, char *why, size_t whylen)
{
	const char *kty = NULL;
	char shown[40];

	if (!get_string(jwk, "kty", &kty, why, whylen))
		return JWTC_ERR_MALFORMED;
	if (kty == NULL) {
		snprintf(why, whylen, "member \"kty\" is missing");
		return JWTC_ERR_MALFORMED;
	}
	if (strcmp(kty, "RSA") == 0)
		return import_rsa(jwk, k, why, whylen);
	if (strcmp(kty, "EC") == 0)
		return import_ec(jwk, k, why, whylen);
	if (strcmp(kty, "OKP") == 0)
		return import_okp(jwk, k, why, whylen);
	if (strcmp(kty, "oct") == 0) {
		snprintf(why, whylen,
		    "symmetric keys are never taken from a JWKS");
		return JWTC_ERR_UNSUPPORTED;
	}
	jwtc_sanitize(shown, sizeof(shown), kty, 24);
	snprintf(why, whylen, "kty %s is not supported", shown);
	return JWTC_ERR_UNSUPPORTED;
}

jwtc_rc
jwtc_jwk_import(const json_t *jwk, jwtc_key *out, char *why, size_t whylen)
{
	jwtc_key k;
	jwtc_rc rc;
	char dummy[1];

	memset(&k, 0, sizeof(k));
	if (why == NULL || whylen == 0) {
		why = dummy;
		whylen = sizeof(dummy);
	}
	if (out == NULL) {
		snprintf(why, whylen, "no place for the key");
		return JWTC_ERR_INTERNAL;
	}
	if (!json_is_object(jwk)) {
		snprintf(why, whylen, "key is not a JSON object");
		return JWTC_ERR_MALFORMED;
	}
	ERR_set_mark();
	rc = parse_common(jwk, &k, why, whylen);
	if (rc == JWTC_OK)
		rc = import_by_kty(jwk, &k, why, whylen);
	if (rc == JWTC_OK) {
		/* filled with verify contexts on first use (sig.c) */
		k.prep = jwtc_sig_prep_new();
		if (k.prep == NULL) {
			snprintf(why, whylen, "out of memory");
			rc = JWTC_ERR_NO_MEMORY;
		}
	}
	/* Errors OpenSSL queued for a refused key are ours, not the host's. */
	ERR_pop_to_mark();
	if (rc != JWTC_OK) {
		jwtc_key_clear(&k);
		return rc;
	}
	*out = k;
	return JWTC_OK;
}

void
jwtc_key_clear(jwtc_key *k)
{
	if (k == NULL)
		return;
	free(k->kid);
	jwtc_sig_prep_free(k->prep); /* before the key its contexts hold */
	EVP_PKEY_free(k->pkey);
	memset(k, 0, sizeof(*k));
}

/* ---- key sets ------------------------------------------------------------ */

static void
keyset_free(jwtc_keyset *ks)
{
	size_t i;

	if (ks == NULL)
		return;
	for (i = 0; i < ks->n; i++)
		jwtc_key_clear(&ks->keys[i]);
	for (i = 0; i < ks->n_skipped; i++) {
		free(ks->skipped[i].kid);
		free(ks->skipped[i].reason);
	}
	free(ks->keys);
	free(ks->skipped);
	free(ks);
}

jwtc_keyset *
jwtc_keyset_ref(jwtc_keyset *ks)
{
	if (ks != NULL)
		__atomic_add_fetch(&ks->refs, 1, __ATOMIC_RELAXED);
	return ks;
}

void
jwtc_keyset_unref(jwtc_keyset *ks)
{
	if (ks == NULL)
		return;
	if (__atomic_sub_fetch(&ks->refs, 1, __ATOMIC_ACQ_REL) == 0)
		keyset_free(ks);
}

/* The kid of a refused entry, when it is a sane string; else NULL. */
static jwtc_rc
skipped_kid(const json_t *entry, char **out)
{
	const json_t *v = json_object_get(entry, "kid");
	const char *s;

	*out = NULL;
	if (!json_is_string(v))
		return JWTC_OK;
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v) || strlen(s) > JWTC_MAX_KID_LEN)
		return JWTC_OK;
	*out = jwtc_strdup(s);
	return *out == NULL ? JWTC_ERR_NO_MEMORY : JWTC_OK;
}

static jwtc_rc
record_skipped(jwtc_keyset *ks, const json_t *entry, const char *why)
{
	jwtc_skipped_key *sk = &ks->skipped[ks->n_skipped];

	if (skipped_kid(entry, &sk->kid) != JWTC_OK)
		return JWTC_ERR_NO_MEMORY;
	sk->reason = jwtc_strdup(why);
	if (sk->reason == NULL) {
		free(sk->kid);
		sk->kid = NULL;
		return JWTC_ERR_NO_MEMORY;
	}
	ks->n_skipped++;
	return JWTC_OK;
}

/* The "keys" array of a parsed JWKS document. */
static jwtc_rc
get_keys_array(const json_t *doc, const json_t **out, jwtc_error *err)
{
	const json_t *keys = json_object_get(doc, "keys");

	if (keys == NULL)
		return jwtc_seterr(err, JWTC_ERR_MALFORMED,
		    "not a JWKS: no \"keys\" member");
	if (!json_is_array(keys))
		return jwtc_seterr(err, JWTC_ERR_MALFORMED,
		    "not a JWKS: \"keys\" is not an array");
	if (json_array_size(keys) > JWTC_MAX_KEYS)
		return jwtc_seterr(err, JWTC_ERR_TOO_LARGE,
		    "JWKS holds %zu keys, at most %d are accepted",
		    json_array_size(keys), JWTC_MAX_KEYS);
	*out = keys;
	return JWTC_OK;
}

static jwtc_keyset *
keyset_new(size_t n)
{
	jwtc_keyset *ks = calloc(1, sizeof(*ks));

	if (ks == NULL)
		return NULL;
	ks->refs = 1;
	if (n == 0)
		return ks;
	ks->keys = calloc(n, sizeof(*ks->keys));
	ks->skipped = calloc(n, sizeof(*ks->skipped));
	if (ks->keys == NULL || ks->skipped == NULL) {
		keyset_free(ks);
		return NULL;
	}
	return ks;
}

/* Import every entry or record why not; with a store, a key is used only
 * when its x5c chain passes.  OK or NO_MEMORY. */
static jwtc_rc
fill_keyset(jwtc_keyset *ks, const json_t *keys, jwtc_x5c_store *store,
    int64_t now)
{
	const json_t *entry;
	char why[160];
	size_t i;
	jwtc_rc r;

	json_array_foreach(keys, i, entry) {
		r = jwtc_jwk_import(entry, &ks->keys[ks->n], why, sizeof(why));
		if (r == JWTC_OK && store != NULL &&
		    !jwtc_x5c_check_until(entry, ks->keys[ks->n].pkey, store,
		    now, &ks->keys[ks->n].not_after, why, sizeof(why))) {
			jwtc_key_clear(&ks->keys[ks->n]);
			r = JWTC_ERR_NO_KEY;
		}
		if (r == JWTC_OK) {
			ks->n++;
			continue;
		}
		if (r == JWTC_ERR_NO_MEMORY ||
		    record_skipped(ks, entry, why) != JWTC_OK)
			return JWTC_ERR_NO_MEMORY;
	}
	return JWTC_OK;
}

/*
 * Duplicate kids are allowed in a set: some issuers publish the same kid
 * for an RSA and an EC key, or keep a kid across a rotation.  A kid then
 * selects several keys, and verification tries each key that fits the
 * token's alg; a token is accepted only when one of them verifies it.
 * A set in which no key could be imported is still a set (with every
 * reason in skipped): the caller reports it when a token needs a key.
 */
jwtc_rc
jwtc_jwks_parse(const char *buf, size_t len, jwtc_keyset **out,
    jwtc_error *err)
{
	return jwtc_jwks_parse_x5c(buf, len, NULL, 0, out, err);
}

jwtc_rc
jwtc_jwks_parse_x5c(const char *buf, size_t len, jwtc_x5c_store *store,
    int64_t now, jwtc_keyset **out, jwtc_error *err)
{
	json_t *doc = NULL;
	const json_t *keys = NULL;
	jwtc_keyset *ks = NULL;
	char why[160];
	jwtc_rc rc;

	if (buf == NULL || out == NULL)
		return jwtc_seterr(err, JWTC_ERR_INTERNAL, "no JWKS");
	if (len > JWTC_MAX_JWKS_SIZE)
		return jwtc_seterr(err, JWTC_ERR_TOO_LARGE,
		    "JWKS of %zu bytes is larger than %d bytes", len,
		    JWTC_MAX_JWKS_SIZE);
	rc = jwtc_json_parse(buf, len, &doc, why, sizeof(why));
	if (rc != JWTC_OK) {
		rc = jwtc_seterr(err, rc, "%s%s", rc == JWTC_ERR_NO_MEMORY ?
		    "" : "not a JWKS: ", why);
		goto out;
	}
	rc = get_keys_array(doc, &keys, err);
	if (rc != JWTC_OK)
		goto out;
	ks = keyset_new(json_array_size(keys));
	rc = ks == NULL ? JWTC_ERR_NO_MEMORY :
	    fill_keyset(ks, keys, store, now);
	if (rc != JWTC_OK) {
		jwtc_seterr(err, rc, "out of memory");
		goto out;
	}
	*out = ks;
	ks = NULL;
out:
	keyset_free(ks);
	json_decref(doc);
	return rc;
}
