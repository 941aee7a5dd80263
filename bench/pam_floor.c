/*
 * pam_floor.c - the cheapest PAM module that checks a signature at all:
 * the floor `make bench` compares pam_jwt.so with (bench pam-warm).
 *
 * It links libcrypto and nothing else of ours.  One authentication asks
 * for the token through the PAM conversation, imports one public key
 * (key=PATH: the P-256 point, read on every call, as a module without a
 * cache must), decodes the signature segment (base64url), and
 * verifies it once over the signing input with ES256 (the raw r||s turned
 * into DER for OpenSSL).  No header, no claims, no user: a benchmark, not
 * a login module; never install it.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <security/pam_appl.h>
#include <security/pam_modules.h>

#define FLOOR_EXPORT __attribute__((visibility("default")))
#define MAX_TOKEN 16384
#define ES256_SIG 64
#define EC_POINT_LEN 65

/* The value of base64url character c, or -1. */
static int
b64url_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/* Decode exactly outlen bytes of unpadded base64url from in (inlen
 * characters); -1 unless the lengths match and every character is valid. */
static int
b64url_exact(const char *in, size_t inlen, unsigned char *out, size_t outlen)
{
	unsigned long acc = 0;
	size_t i, o = 0;
	int bits = 0, v;

	if (inlen != (outlen * 4 + 2) / 3)
		return -1;
	for (i = 0; i < inlen; i++) {
		v = b64url_value((unsigned char)in[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned long)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= outlen)
				return -1;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1UL << bits) - 1;
		}
	}
	return o == outlen ? 0 : -1;
}

/* The token, through the conversation; the caller frees it. */
static int
ask_token(pam_handle_t *pamh, char **out)
{
	const struct pam_message msg = { PAM_PROMPT_ECHO_OFF, "Token: " };
	const struct pam_message *msgs[1] = { &msg };
	const struct pam_conv *conv = NULL;
	const void *item = NULL;
	struct pam_response *resp = NULL;
	int ret;

	ret = pam_get_item(pamh, PAM_CONV, &item);
	conv = item;
	if (ret != PAM_SUCCESS || conv == NULL || conv->conv == NULL)
		return PAM_CONV_ERR;
	ret = conv->conv(1, msgs, &resp, conv->appdata_ptr);
	if (ret != PAM_SUCCESS || resp == NULL || resp[0].resp == NULL) {
		free(resp);
		return PAM_CONV_ERR;
	}
	*out = resp[0].resp;
	free(resp);
	return PAM_SUCCESS;
}

/* The P-256 public key whose uncompressed point (65 bytes: 04 || x || y)
 * is the whole of the file at path: the cheapest import OpenSSL 3 has (no
 * decoder, no PEM, no ASN.1). */
static EVP_PKEY *
load_key(const char *path)
{
	unsigned char point[EC_POINT_LEN + 1];
	char group[] = "P-256";
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;
	size_t n;
	FILE *f;

	f = fopen(path, "re");
	if (f == NULL)
		return NULL;
	n = fread(point, 1, sizeof(point), f);
	fclose(f);
	if (n != EC_POINT_LEN || point[0] != 0x04)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(
	    OSSL_PKEY_PARAM_PUB_KEY, point, EC_POINT_LEN);
	params[2] = OSSL_PARAM_construct_end();
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		EVP_PKEY_free(key);
		key = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	return key;
}

/* The ES256 signature (r||s, 64 bytes) as DER. */
static int
sig_der(const unsigned char *raw, unsigned char **der, int *derlen)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, ES256_SIG / 2, NULL);
	BIGNUM *s = BN_bin2bn(raw + ES256_SIG / 2, ES256_SIG / 2, NULL);
	int rc = -1;

	if (es == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(es, r, s) != 1)
		goto out;
	r = s = NULL;
	*der = NULL;
	*derlen = i2d_ECDSA_SIG(es, der);
	if (*derlen > 0)
		rc = 0;
out:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return rc;
}

/* Whether token is signed by key with ES256. */
static bool
verify(const char *token, EVP_PKEY *key)
{
	unsigned char raw[ES256_SIG], *der = NULL;
	const char *dot;
	EVP_MD_CTX *md = NULL;
	size_t len = strnlen(token, MAX_TOKEN + 1);
	int derlen = 0;
	bool ok = false;

	if (len > MAX_TOKEN)
		return false;
	dot = memrchr(token, '.', len);
	if (dot == NULL || b64url_exact(dot + 1, len - (size_t)(dot + 1 -
	    token), raw, sizeof(raw)) != 0 || sig_der(raw, &der, &derlen) != 0)
		goto out;
	md = EVP_MD_CTX_new();
	if (md == NULL || EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL,
	    key) != 1)
		goto out;
	ok = EVP_DigestVerify(md, der, (size_t)derlen,
	    (const unsigned char *)token, (size_t)(dot - token)) == 1;
out:
	EVP_MD_CTX_free(md);
	OPENSSL_free(der);
	return ok;
}

FLOOR_EXPORT int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc,
    const char **argv)
{
	const char *path = NULL;
	EVP_PKEY *key = NULL;
	char *token = NULL;
	int i, ret = PAM_AUTH_ERR;

	(void)flags;
	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "key=", 4) == 0)
			path = argv[i] + 4;
	}
	if (path == NULL)
		return PAM_SERVICE_ERR;
	ret = ask_token(pamh, &token);
	if (ret != PAM_SUCCESS)
		return ret;
	key = load_key(path);
	if (key == NULL)
		ret = PAM_AUTHINFO_UNAVAIL;
	else
		ret = verify(token, key) ? PAM_SUCCESS : PAM_AUTH_ERR;
	EVP_PKEY_free(key);
	OPENSSL_cleanse(token, strlen(token));
	free(token);
	return ret;
}

FLOOR_EXPORT int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}
