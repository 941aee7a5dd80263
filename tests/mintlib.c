/*
 * mintlib.c - make keys and sign tokens for the tests, jwt-mint and the
 * benchmark.  See mintlib.h.  Test code: it signs on request, also tokens
 * built to be refused.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "internal.h"
#include "mintlib.h"

#define MINT_MAX_FILE (1024 * 1024)

typedef enum family {
	FAM_NONE = 0, FAM_RS, FAM_PS, FAM_ES, FAM_ED, FAM_HS
} family;

/* ---- keys ------------------------------------------------------------- */

EVP_PKEY *
mint_key_rsa(unsigned bits, unsigned long e)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL, *ret = NULL;
	BIGNUM *bn = NULL;

	if (bits < 512 || bits > 16384 || e < 3 || (e & 1) == 0)
		goto out;
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL)
		goto out;
	if (EVP_PKEY_keygen_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)bits) != 1)
		goto out;
	if ((bn = BN_new()) == NULL || BN_set_word(bn, e) != 1 ||
	    EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, bn) != 1)
		goto out;
	if (EVP_PKEY_keygen(ctx, &key) != 1)
		goto out;
	ret = key;
	key = NULL;
 out:
	BN_free(bn);
	EVP_PKEY_free(key);
	EVP_PKEY_CTX_free(ctx);
	return ret;
}

EVP_PKEY *
mint_key_ec(const char *crv)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL, *ret = NULL;

	if (crv == NULL || (strcmp(crv, "P-256") != 0 &&
	    strcmp(crv, "P-384") != 0 && strcmp(crv, "P-521") != 0))
		goto out;
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL)
		goto out;
	if (EVP_PKEY_keygen_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_group_name(ctx, crv) != 1)
		goto out;
	if (EVP_PKEY_keygen(ctx, &key) != 1)
		goto out;
	ret = key;
	key = NULL;
 out:
	EVP_PKEY_free(key);
	EVP_PKEY_CTX_free(ctx);
	return ret;
}

EVP_PKEY *
mint_key_okp(const char *crv)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL, *ret = NULL;
	const char *name;

	if (crv == NULL)
		goto out;
	if (strcmp(crv, "Ed25519") == 0)
		name = "ED25519";
	else if (strcmp(crv, "Ed448") == 0)
		name = "ED448";
	else
		goto out;
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, name, NULL)) == NULL)
		goto out;
	if (EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_keygen(ctx, &key) != 1)
		goto out;
	ret = key;
	key = NULL;
 out:
	EVP_PKEY_free(key);
	EVP_PKEY_CTX_free(ctx);
	return ret;
}

/* A whole decimal number in [min, max] from s up to end (end excluded). */
static int
parse_ulong(const char *s, const char *end, unsigned long min,
    unsigned long max, unsigned long *out)
{
	char buf[32], *ep = NULL;
	size_t len = (size_t)(end - s);
	unsigned long v;

	if (len == 0 || len >= sizeof(buf) || s[0] < '0' || s[0] > '9')
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtoul(buf, &ep, 10);
	if (errno != 0 || ep == NULL || *ep != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static EVP_PKEY *
gen_rsa_spec(const char *spec)
{
	const char *e_at = strchr(spec, 'e');
	const char *end = spec + strlen(spec);
	unsigned long bits, e = 65537;

	if (parse_ulong(spec, e_at != NULL ? e_at : end, 512, 16384,
	    &bits) != 0)
		return NULL;
	if (e_at != NULL &&
	    parse_ulong(e_at + 1, end, 3, 0xffffffffUL, &e) != 0)
		return NULL;
	return mint_key_rsa((unsigned)bits, e);
}

EVP_PKEY *
mint_key_gen(const char *type)
{
	if (type == NULL)
		return NULL;
	if (strncmp(type, "rsa", 3) == 0)
		return gen_rsa_spec(type + 3);
	if (strcmp(type, "ec256") == 0)
		return mint_key_ec("P-256");
	if (strcmp(type, "ec384") == 0)
		return mint_key_ec("P-384");
	if (strcmp(type, "ec521") == 0)
		return mint_key_ec("P-521");
	if (strcmp(type, "ed25519") == 0)
		return mint_key_okp("Ed25519");
	if (strcmp(type, "ed448") == 0)
		return mint_key_okp("Ed448");
	return NULL;
}

EVP_PKEY *
mint_key_load(const char *path)
{
	BIO *bio = NULL;
	EVP_PKEY *key = NULL;

	if (path == NULL || (bio = BIO_new_file(path, "r")) == NULL)
		return NULL;
	key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return key;
}

/* The bytes held by a memory BIO, copied and NUL-terminated. */
static char *
bio_text(BIO *bio, size_t *len)
{
	char *data = NULL, *ret;
	long n;

	n = BIO_get_mem_data(bio, &data);
	if (n < 0 || data == NULL || (ret = malloc((size_t)n + 1)) == NULL)
		return NULL;
	memcpy(ret, data, (size_t)n);
	ret[n] = '\0';
	if (len != NULL)
		*len = (size_t)n;
	return ret;
}

int
mint_key_save(EVP_PKEY *key, const char *path)
{
	BIO *bio = NULL;
	char *pem = NULL;
	size_t len = 0;
	int ret = -1;

	if (key == NULL || path == NULL)
		goto out;
	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		goto out;
	if (PEM_write_bio_PKCS8PrivateKey(bio, key, NULL, NULL, 0, NULL,
	    NULL) != 1)
		goto out;
	if ((pem = bio_text(bio, &len)) == NULL)
		goto out;
	ret = mint_write_file(path, pem, len, 0600);
 out:
	if (pem != NULL)
		OPENSSL_cleanse(pem, len);
	free(pem);
	BIO_free(bio);
	return ret;
}

void
mint_key_free(EVP_PKEY *key)
{
	EVP_PKEY_free(key);
}

char *
mint_pubkey_pem(const EVP_PKEY *key, size_t *len)
{
	BIO *bio = NULL;
	char *ret = NULL;

	if (key == NULL || (bio = BIO_new(BIO_s_mem())) == NULL)
		goto out;
	if (PEM_write_bio_PUBKEY(bio, key) != 1)
		goto out;
	ret = bio_text(bio, len);
 out:
	BIO_free(bio);
	return ret;
}

unsigned char *
mint_pubkey_der(const EVP_PKEY *key, size_t *len)
{
	unsigned char *der = NULL, *ret = NULL;
	int n;

	if (key == NULL)
		return NULL;
	n = i2d_PUBKEY(key, &der);
	if (n <= 0 || der == NULL)
		return NULL;
	if ((ret = malloc((size_t)n)) != NULL) {
		memcpy(ret, der, (size_t)n);
		*len = (size_t)n;
	}
	OPENSSL_free(der);
	return ret;
}

/* ---- JWK ------------------------------------------------------------------ */

char *
mint_b64url(const void *data, size_t len)
{
	return jwtc_b64url_encode(data, len);
}

/* Set obj[name] to the base64url of len bytes.  0 or -1. */
static int
set_b64(json_t *obj, const char *name, const unsigned char *data, size_t len)
{
	char *s = mint_b64url(data, len);
	int ret;

	if (s == NULL)
		return -1;
	ret = json_object_set_new(obj, name, json_string(s));
	free(s);
	return ret == 0 ? 0 : -1;
}

/* Set obj[name] to a BIGNUM parameter of key, big-endian, minimal. */
static int
set_bn_param(json_t *obj, const char *name, const EVP_PKEY *key,
    const char *param)
{
	BIGNUM *bn = NULL;
	unsigned char *buf = NULL;
	int n, ret = -1;

	if (EVP_PKEY_get_bn_param(key, param, &bn) != 1)
		goto out;
	n = BN_num_bytes(bn);
	if (n <= 0 || (buf = malloc((size_t)n)) == NULL)
		goto out;
	if (BN_bn2bin(bn, buf) != n)
		goto out;
	ret = set_b64(obj, name, buf, (size_t)n);
 out:
	free(buf);
	BN_free(bn);
	return ret;
}

static int
jwk_rsa(json_t *obj, const EVP_PKEY *key)
{
	if (json_object_set_new(obj, "kty", json_string("RSA")) != 0)
		return -1;
	if (set_bn_param(obj, "n", key, OSSL_PKEY_PARAM_RSA_N) != 0 ||
	    set_bn_param(obj, "e", key, OSSL_PKEY_PARAM_RSA_E) != 0)
		return -1;
	return 0;
}

static int
jwk_ec(json_t *obj, const EVP_PKEY *key)
{
	char group[64];
	unsigned char pt[1 + 2 * 66];
	const char *crv;
	size_t len = 0, flen;

	if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, sizeof(group), NULL) != 1)
		return -1;
	if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0) {
		crv = "P-256";
		flen = 32;
	} else if (strcmp(group, "secp384r1") == 0 ||
	    strcmp(group, "P-384") == 0) {
		crv = "P-384";
		flen = 48;
	} else if (strcmp(group, "secp521r1") == 0 ||
	    strcmp(group, "P-521") == 0) {
		crv = "P-521";
		flen = 66;
	} else
		return -1;
	if (EVP_PKEY_get_octet_string_param(key,
	    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, sizeof(pt), &len) != 1)
		return -1;
	if (len != 1 + 2 * flen || pt[0] != 0x04)
		return -1;
	if (json_object_set_new(obj, "kty", json_string("EC")) != 0 ||
	    json_object_set_new(obj, "crv", json_string(crv)) != 0)
		return -1;
	if (set_b64(obj, "x", pt + 1, flen) != 0 ||
	    set_b64(obj, "y", pt + 1 + flen, flen) != 0)
		return -1;
	return 0;
}

static int
jwk_okp(json_t *obj, const EVP_PKEY *key, const char *crv)
{
	unsigned char raw[64];
	size_t len = sizeof(raw);

	if (EVP_PKEY_get_raw_public_key(key, raw, &len) != 1)
		return -1;
	if (json_object_set_new(obj, "kty", json_string("OKP")) != 0 ||
	    json_object_set_new(obj, "crv", json_string(crv)) != 0)
		return -1;
	return set_b64(obj, "x", raw, len);
}

/* key_ops: a space-separated list becomes an array of strings. */
static int
set_key_ops(json_t *obj, const char *list)
{
	json_t *arr = json_array();
	const char *p = list, *end;
	int ret = -1;

	if (arr == NULL)
		return -1;
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		end = strchr(p, ' ');
		if (end == NULL)
			end = p + strlen(p);
		if (json_array_append_new(arr,
		    json_stringn(p, (size_t)(end - p))) != 0)
			goto out;
		p = end;
	}
	if (json_object_set(obj, "key_ops", arr) != 0)
		goto out;
	ret = 0;
 out:
	json_decref(arr);
	return ret;
}

static int
set_opt_string(json_t *obj, const char *name, const char *value)
{
	if (value == NULL)
		return 0;
	return json_object_set_new(obj, name, json_string(value)) == 0 ? 0 : -1;
}

json_t *
mint_jwk_object(const EVP_PKEY *key, const mint_jwk_opts *opts)
{
	json_t *obj = NULL, *ret = NULL;
	int r;

	if (key == NULL || (obj = json_object()) == NULL)
		goto out;
	if (EVP_PKEY_is_a(key, "RSA"))
		r = jwk_rsa(obj, key);
	else if (EVP_PKEY_is_a(key, "EC"))
		r = jwk_ec(obj, key);
	else if (EVP_PKEY_is_a(key, "ED25519"))
		r = jwk_okp(obj, key, "Ed25519");
	else if (EVP_PKEY_is_a(key, "ED448"))
		r = jwk_okp(obj, key, "Ed448");
	else
		r = -1;
	if (r != 0)
		goto out;
	if (opts != NULL) {
		if (set_opt_string(obj, "kid", opts->kid) != 0 ||
		    set_opt_string(obj, "alg", opts->alg) != 0 ||
		    set_opt_string(obj, "use", opts->use) != 0)
			goto out;
		if (opts->key_ops != NULL &&
		    set_key_ops(obj, opts->key_ops) != 0)
			goto out;
	}
	ret = obj;
	obj = NULL;
 out:
	json_decref(obj);
	return ret;
}

char *
mint_jwk(const EVP_PKEY *key, const mint_jwk_opts *opts)
{
	json_t *obj = mint_jwk_object(key, opts);
	char *ret;

	if (obj == NULL)
		return NULL;
	ret = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(obj);
	return ret;
}

char *
mint_jwks(const mint_jwks_entry *keys, size_t n)
{
	json_t *doc = NULL, *arr = NULL, *jwk;
	char *ret = NULL;
	size_t i;

	if ((doc = json_object()) == NULL || (arr = json_array()) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		if ((jwk = mint_jwk_object(keys[i].key, &keys[i].opts)) == NULL)
			goto out;
		if (json_array_append_new(arr, jwk) != 0)
			goto out;
	}
	if (json_object_set(doc, "keys", arr) != 0)
		goto out;
	ret = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
 out:
	json_decref(arr);
	json_decref(doc);
	return ret;
}

/* ---- signing ------------------------------------------------------------- */

static family
alg_family(const char *alg, const EVP_MD **md)
{
	const char *bits;
	family f;

	*md = NULL;
	if (alg == NULL)
		return FAM_NONE;
	if (strcmp(alg, "EdDSA") == 0)
		return FAM_ED;
	if (strlen(alg) != 5)
		return FAM_NONE;
	if (strncmp(alg, "RS", 2) == 0)
		f = FAM_RS;
	else if (strncmp(alg, "PS", 2) == 0)
		f = FAM_PS;
	else if (strncmp(alg, "ES", 2) == 0)
		f = FAM_ES;
	else if (strncmp(alg, "HS", 2) == 0)
		f = FAM_HS;
	else
		return FAM_NONE;
	bits = alg + 2;
	if (strcmp(bits, "256") == 0)
		*md = EVP_sha256();
	else if (strcmp(bits, "384") == 0)
		*md = EVP_sha384();
	else if (strcmp(bits, "512") == 0)
		*md = EVP_sha512();
	else
		return FAM_NONE;
	return f;
}

static int
sign_hmac(const EVP_MD *md, const mint_sign_opts *o,
    const unsigned char *msg, size_t len, unsigned char **sig, size_t *siglen)
{
	unsigned char mac[EVP_MAX_MD_SIZE], *ret;
	unsigned int maclen = 0;
	static const unsigned char empty[1];
	const unsigned char *k;

	if (o == NULL || o->secretlen > INT_MAX)
		return -1;
	k = o->secret != NULL ? o->secret : empty;
	if (HMAC(md, k, (int)o->secretlen, msg, len, mac, &maclen) == NULL)
		return -1;
	if ((ret = malloc(maclen)) == NULL)
		return -1;
	memcpy(ret, mac, maclen);
	OPENSSL_cleanse(mac, sizeof(mac));
	*sig = ret;
	*siglen = maclen;
	return 0;
}

/* DER ECDSA-Sig-Value to R||S, each flen bytes.  0 or -1. */
static int
der_to_raw(const unsigned char *der, size_t derlen, size_t flen,
    unsigned char **raw, size_t *rawlen)
{
	const unsigned char *p = der;
	ECDSA_SIG *es = NULL;
	const BIGNUM *r = NULL, *s = NULL;
	unsigned char *buf = NULL;
	int ret = -1;

	if (derlen > LONG_MAX ||
	    (es = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) == NULL)
		goto out;
	ECDSA_SIG_get0(es, &r, &s);
	if ((buf = malloc(2 * flen)) == NULL)
		goto out;
	if (BN_bn2binpad(r, buf, (int)flen) != (int)flen ||
	    BN_bn2binpad(s, buf + flen, (int)flen) != (int)flen)
		goto out;
	*raw = buf;
	*rawlen = 2 * flen;
	buf = NULL;
	ret = 0;
 out:
	free(buf);
	ECDSA_SIG_free(es);
	return ret;
}

static int
set_padding(EVP_PKEY_CTX *pctx, family f, const EVP_MD *md,
    const mint_sign_opts *o)
{
	int salt = RSA_PSS_SALTLEN_DIGEST;

	if (f == FAM_RS)
		return EVP_PKEY_CTX_set_rsa_padding(pctx,
		    RSA_PKCS1_PADDING) == 1 ? 0 : -1;
	if (f != FAM_PS)
		return 0;
	if (o != NULL && o->pss_salt_set)
		salt = o->pss_saltlen;
	if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1)
		return -1;
	return 0;
}

static int
sign_pkey(EVP_PKEY *key, family f, const EVP_MD *md, const mint_sign_opts *o,
    const unsigned char *msg, size_t len, unsigned char **sig, size_t *siglen)
{
	EVP_MD_CTX *mctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *buf = NULL;
	size_t n = 0;
	int ret = -1;

	if (key == NULL || (mctx = EVP_MD_CTX_new()) == NULL)
		goto out;
	if (EVP_DigestSignInit(mctx, &pctx, f == FAM_ED ? NULL : md, NULL,
	    key) != 1)
		goto out;
	if ((f == FAM_RS || f == FAM_PS) && !EVP_PKEY_is_a(key, "RSA"))
		goto out;
	if (set_padding(pctx, f, md, o) != 0)
		goto out;
	if (EVP_DigestSign(mctx, NULL, &n, msg, len) != 1 || n == 0)
		goto out;
	if ((buf = malloc(n)) == NULL)
		goto out;
	if (EVP_DigestSign(mctx, buf, &n, msg, len) != 1)
		goto out;
	*sig = buf;
	*siglen = n;
	buf = NULL;
	ret = 0;
 out:
	free(buf);
	EVP_MD_CTX_free(mctx);
	return ret;
}

int
mint_sign_bytes(EVP_PKEY *key, const char *alg, const mint_sign_opts *o,
    const unsigned char *msg, size_t len, unsigned char **sig, size_t *siglen)
{
	const EVP_MD *md = NULL;
	family f = alg_family(alg, &md);
	unsigned char *der = NULL;
	size_t derlen = 0, flen;
	int ret = -1;

	if (f == FAM_NONE || sig == NULL || siglen == NULL)
		return -1;
	if (f == FAM_HS)
		return sign_hmac(md, o, msg, len, sig, siglen);
	if (f == FAM_ED && !EVP_PKEY_is_a(key, "ED25519") &&
	    !EVP_PKEY_is_a(key, "ED448"))
		return -1;
	if (f == FAM_ES && !EVP_PKEY_is_a(key, "EC"))
		return -1;
	if (sign_pkey(key, f, md, o, msg, len, &der, &derlen) != 0)
		goto out;
	if (f != FAM_ES || (o != NULL && o->ecdsa_der)) {
		*sig = der;
		*siglen = derlen;
		der = NULL;
		ret = 0;
		goto out;
	}
	flen = ((size_t)EVP_PKEY_get_bits(key) + 7) / 8;
	ret = der_to_raw(der, derlen, flen, sig, siglen);
 out:
	free(der);
	return ret;
}

char *
mint_header(const char *alg, const char *header, bool force)
{
	json_t *in = NULL, *out = NULL, *v;
	json_error_t jerr;
	const char *name;
	char *ret = NULL;

	if (alg == NULL)
		goto out;
	if (header == NULL)
		in = json_object();
	else
		in = json_loads(header, JSON_DECODE_ANY, &jerr);
	if (in == NULL || !json_is_object(in) || (out = json_object()) == NULL)
		goto out;
	/* "alg" first, then the members as given. */
	if (force || json_object_get(in, "alg") == NULL)
		v = json_string(alg);
	else
		v = json_incref(json_object_get(in, "alg"));
	if (json_object_set_new(out, "alg", v) != 0)
		goto out;
	json_object_foreach(in, name, v) {
		if (strcmp(name, "alg") == 0)
			continue;
		if (json_object_set(out, name, v) != 0)
			goto out;
	}
	ret = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
 out:
	json_decref(in);
	json_decref(out);
	return ret;
}

char *
mint_sign_segments(EVP_PKEY *key, const char *alg, const mint_sign_opts *o,
    const char *hdr_b64, const char *payload_b64)
{
	char *input = NULL, *sig_b64 = NULL, *ret = NULL;
	unsigned char *sig = NULL;
	size_t hlen, plen, siglen = 0, slen, total;

	if (hdr_b64 == NULL || payload_b64 == NULL)
		goto out;
	hlen = strlen(hdr_b64);
	plen = strlen(payload_b64);
	if ((input = malloc(hlen + plen + 2)) == NULL)
		goto out;
	memcpy(input, hdr_b64, hlen);
	input[hlen] = '.';
	memcpy(input + hlen + 1, payload_b64, plen);
	input[hlen + 1 + plen] = '\0';
	if (mint_sign_bytes(key, alg, o, (const unsigned char *)input,
	    hlen + 1 + plen, &sig, &siglen) != 0)
		goto out;
	if ((sig_b64 = mint_b64url(sig, siglen)) == NULL)
		goto out;
	slen = strlen(sig_b64);
	total = hlen + 1 + plen + 1 + slen;
	if ((ret = malloc(total + 1)) == NULL)
		goto out;
	memcpy(ret, input, hlen + 1 + plen);
	ret[hlen + 1 + plen] = '.';
	memcpy(ret + hlen + plen + 2, sig_b64, slen);
	ret[total] = '\0';
 out:
	free(input);
	free(sig);
	free(sig_b64);
	return ret;
}

char *
mint_sign_ex(EVP_PKEY *key, const char *alg, const char *header,
    const char *claims, const mint_sign_opts *o)
{
	char *hdr = NULL, *h64 = NULL, *p64 = NULL, *ret = NULL;
	const char *label = alg;
	bool force = false;

	if (alg == NULL || claims == NULL)
		goto out;
	if (o != NULL && o->label != NULL) {
		label = o->label;
		force = true;
	}
	if (o != NULL && o->header_verbatim) {
		if (header == NULL || (hdr = strdup(header)) == NULL)
			goto out;
	} else if ((hdr = mint_header(label, header, force)) == NULL)
		goto out;
	if ((h64 = mint_b64url(hdr, strlen(hdr))) == NULL ||
	    (p64 = mint_b64url(claims, strlen(claims))) == NULL)
		goto out;
	ret = mint_sign_segments(key, alg, o, h64, p64);
 out:
	free(hdr);
	free(h64);
	free(p64);
	return ret;
}

char *
mint_sign(EVP_PKEY *key, const char *alg, const char *header,
    const char *claims)
{
	return mint_sign_ex(key, alg, header, claims, NULL);
}

char *
mint_sign_hmac(const unsigned char *secret, size_t secretlen,
    const char *alg, const char *header, const char *claims)
{
	mint_sign_opts o;

	memset(&o, 0, sizeof(o));
	o.secret = secret;
	o.secretlen = secretlen;
	return mint_sign_ex(NULL, alg, header, claims, &o);
}

/* ---- small helpers ------------------------------------------------------ */

int
mint_random(unsigned char *buf, size_t len)
{
	if (len > INT_MAX)
		return -1;
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

int
mint_write_file(const char *path, const void *data, size_t len, unsigned mode)
{
	const unsigned char *p = data;
	size_t done = 0;
	ssize_t n;
	int fd, ret = -1;

	if (path == NULL || (data == NULL && len > 0))
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    (mode_t)(mode & 0777));
	if (fd < 0)
		return -1;
	if (fchmod(fd, (mode_t)(mode & 0777)) != 0)
		goto out;
	while (done < len) {
		n = write(fd, p + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto out;
		done += (size_t)n;
	}
	ret = 0;
 out:
	if (close(fd) != 0)
		ret = -1;
	return ret;
}

/* Read a whole small file; NUL-terminated. */
static char *
read_small_file(const char *path, size_t *len)
{
	char *buf = NULL, *ret = NULL;
	size_t have = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if ((buf = malloc(MINT_MAX_FILE + 1)) == NULL)
		goto out;
	for (;;) {
		n = read(fd, buf + have, MINT_MAX_FILE + 1 - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		have += (size_t)n;
		if (have > MINT_MAX_FILE)
			goto out;
	}
	buf[have] = '\0';
	*len = have;
	ret = buf;
	buf = NULL;
 out:
	if (buf != NULL) {
		OPENSSL_cleanse(buf, have);
		free(buf);
	}
	close(fd);
	return ret;
}

unsigned char *
mint_secret_load(const char *path, size_t *len)
{
	char *text = NULL;
	unsigned char *raw = NULL, *ret = NULL;
	size_t tlen = 0, rawlen = 0;

	if (path == NULL || len == NULL ||
	    (text = read_small_file(path, &tlen)) == NULL)
		goto out;
	if (tlen > 0 && text[tlen - 1] == '\n')
		tlen--;
	if (tlen == 0 || jwtc_b64url_decode(text, tlen, &raw, &rawlen) != 0)
		goto out;
	ret = raw;
	raw = NULL;
	*len = rawlen;
 out:
	if (text != NULL)
		mint_free_secret((unsigned char *)text, tlen);
	mint_free_secret(raw, rawlen);
	return ret;
}

/* claims with a "pad" member of n bytes before its closing brace. */
static char *
padded_claims(const char *claims, size_t n)
{
	size_t clen = strlen(claims);
	char *s;

	if (clen < 3 || claims[clen - 1] != '}')
		return NULL;
	s = malloc(clen + n + 16);
	if (s == NULL)
		return NULL;
	memcpy(s, claims, clen - 1);
	memcpy(s + clen - 1, ",\"pad\":\"", 8);
	memset(s + clen + 7, 'p', n);
	memcpy(s + clen + 7 + n, "\"}", 3);
	return s;
}

char *
mint_sign_sized(EVP_PKEY *key, const char *alg, const char *kid,
    const char *claims, size_t size)
{
	static const char *const typs[] = { "JWT", "JOSE", "JOSE+X" };
	char hdr[256], *body, *t;
	size_t i, n, lo, base;

	for (i = 0; i < sizeof(typs) / sizeof(typs[0]); i++) {
		(void)snprintf(hdr, sizeof(hdr), "{\"typ\":\"%s\",\"kid\":"
		    "\"%s\"}", typs[i], kid);
		body = padded_claims(claims, 0);
		t = body != NULL ? mint_sign(key, alg, hdr, body) : NULL;
		free(body);
		if (t == NULL)
			return NULL;
		base = strlen(t);
		free(t);
		if (base > size)
			return NULL;
		/* base64url: 4 characters for every 3 bytes of padding */
		lo = (size - base) * 3 / 4;
		lo = lo > 4 ? lo - 4 : 0;
		for (n = lo; n < lo + 9; n++) {
			body = padded_claims(claims, n);
			t = body != NULL ? mint_sign(key, alg, hdr, body) :
			    NULL;
			free(body);
			if (t == NULL)
				return NULL;
			if (strlen(t) == size)
				return t;
			free(t);
		}
	}
	return NULL;
}

void
mint_free_secret(unsigned char *p, size_t len)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, len);
	free(p);
}

void
mint_free(void *p)
{
	free(p);
}
