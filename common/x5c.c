/*
 * x5c.c - keys distributed under a CA: the "x5c" member of a JWK
 * (RFC 7517 section 4.7) checked against the certificates of x5c_ca_file.
 *
 * A key is taken only when its chain verifies to one of those
 * certificates at the verification time and its first certificate holds
 * the key itself.  The chain is standard base64 (with padding, not
 * base64url) of DER, decoded strictly: anything that is not exactly one
 * certificate per string is refused.
 *
 * The store is filled once and then only read; OpenSSL locks it
 * internally, so several threads may verify against it at once.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "internal.h"

#define X5C_MAX_CA_FILE (1024 * 1024)  /* bytes of x5c_ca_file */
#define X5C_MAX_CERTS 10               /* certificates in one x5c */
#define X5C_MAX_DER (16 * 1024)        /* bytes of one certificate */
/* Base64 text of X5C_MAX_DER bytes, padded. */
#define X5C_MAX_B64 (((X5C_MAX_DER + 2) / 3) * 4)

/* ---- the store --------------------------------------------------------- */

/* Add every PEM certificate of buf to store; *count is how many. */
static jwtc_rc
load_pem_certs(X509_STORE *store, const char *path, const char *buf,
    size_t len, size_t *count, jwtc_error *err)
{
	BIO *bio = NULL;
	X509 *cert = NULL;
	unsigned long e;
	size_t n = 0;
	jwtc_rc rc = JWTC_ERR_NO_MEMORY;

	bio = BIO_new_mem_buf(buf, (int)len);
	if (bio == NULL) {
		jwtc_seterr(err, rc, "%s: out of memory", path);
		goto out;
	}
	for (;;) {
		/* Other PEM blocks (keys, CRLs) are skipped by the reader. */
		cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		if (cert == NULL)
			break;
		if (X509_STORE_add_cert(store, cert) != 1) {
			rc = jwtc_seterr(err, JWTC_ERR_CONFIG,
			    "%s: certificate %zu cannot be added", path,
			    n + 1);
			goto out;
		}
		X509_free(cert);
		cert = NULL;
		n++;
	}
	/* The reader ends with "no start line" at the end of the text;
	 * anything else is a block that does not parse. */
	e = ERR_peek_last_error();
	if (ERR_GET_LIB(e) != ERR_LIB_PEM ||
	    ERR_GET_REASON(e) != PEM_R_NO_START_LINE) {
		rc = jwtc_seterr(err, JWTC_ERR_CONFIG,
		    "%s: certificate %zu cannot be parsed", path, n + 1);
		goto out;
	}
	*count = n;
	rc = JWTC_OK;
out:
	X509_free(cert);
	BIO_free(bio);
	return rc;
}

jwtc_rc
jwtc_x5c_store_load(const char *ca_file, jwtc_x5c_store **out,
    jwtc_error *err)
{
	X509_STORE *store = NULL;
	char *buf = NULL;
	size_t len = 0, count = 0;
	jwtc_rc rc;

	if (ca_file == NULL || out == NULL)
		return jwtc_seterr(err, JWTC_ERR_INTERNAL,
		    "x5c_ca_file: missing argument");
	rc = jwtc_read_trusted_file(ca_file, X5C_MAX_CA_FILE, false, &buf,
	    &len, err);
	if (rc != JWTC_OK)
		goto out;
	store = X509_STORE_new();
	if (store == NULL) {
		rc = jwtc_seterr(err, JWTC_ERR_NO_MEMORY, "%s: out of memory",
		    ca_file);
		goto out;
	}
	ERR_set_mark();
	rc = load_pem_certs(store, ca_file, buf, len, &count, err);
	ERR_pop_to_mark();
	if (rc != JWTC_OK)
		goto out;
	if (count == 0) {
		rc = jwtc_seterr(err, JWTC_ERR_CONFIG,
		    "%s: holds no PEM certificate (x5c_ca_file)", ca_file);
		goto out;
	}
	*out = store;
	store = NULL;
	rc = JWTC_OK;
out:
	X509_STORE_free(store);
	free(buf);
	return rc;
}

void
jwtc_x5c_store_free(jwtc_x5c_store *store)
{
	X509_STORE_free(store);
}

/* ---- strict standard base64 -------------------------------------------- */

/* The value of a base64 character, -1 for anything else. */
static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Standard base64 (RFC 4648 section 4): the alphabet with + and /, the
 * length a multiple of 4, "=" only as the last one or two characters, no
 * whitespace, and no stray bits before the padding (one text per value).
 * Checked here in full, then decoded by OpenSSL, whose decoder alone
 * would skip surrounding whitespace.  *out is allocated.
 */
static bool
b64_decode_strict(const char *in, size_t len, unsigned char **out,
    size_t *outlen, char *why, size_t whylen)
{
	unsigned char *buf = NULL;
	size_t pad = 0, i;
	int n;

	if (len == 0) {
		snprintf(why, whylen, "is empty");
		return false;
	}
	/* Foreign characters first, so that the reason names them. */
	for (i = 0; i < len; i++) {
		if (b64_value((unsigned char)in[i]) >= 0 || in[i] == '=')
			continue;
		if (in[i] == '-' || in[i] == '_')
			snprintf(why, whylen, "is base64url, not base64");
		else
			snprintf(why, whylen, "has a character outside base64 "
			    "at offset %zu", i);
		return false;
	}
	while (pad < 2 && pad < len && in[len - 1 - pad] == '=')
		pad++;
	if (memchr(in, '=', len - pad) != NULL) {
		snprintf(why, whylen, "has padding before the end");
		return false;
	}
	if (len % 4 != 0 || len == pad) {
		snprintf(why, whylen, "length %zu is not a multiple of 4",
		    len);
		return false;
	}
	/* The last character before "=" carries 4 (==) or 2 (=) bits
	 * that are not part of the data. */
	if (pad > 0 && (b64_value((unsigned char)in[len - pad - 1]) &
	    (pad == 2 ? 0x0f : 0x03)) != 0) {
		snprintf(why, whylen, "has stray bits before the padding");
		return false;
	}
	buf = malloc(len / 4 * 3 + 1);
	if (buf == NULL) {
		snprintf(why, whylen, "out of memory");
		return false;
	}
	/* The decoder counts padding as zero bytes. */
	n = EVP_DecodeBlock(buf, (const unsigned char *)in, (int)len);
	if (n < 0 || (size_t)n != len / 4 * 3) {
		snprintf(why, whylen, "does not decode");
		free(buf);
		return false;
	}
	*out = buf;
	*outlen = (size_t)n - pad;
	return true;
}

/* ---- the chain ---------------------------------------------------------- */

/* Certificate i of the x5c array, decoded and parsed. */
static X509 *
parse_cert(const json_t *v, size_t i, char *why, size_t whylen)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	const char *s;
	size_t len, derlen = 0;
	char reason[96];
	X509 *cert = NULL;

	if (!json_is_string(v)) {
		snprintf(why, whylen, "x5c[%zu] is not a string", i);
		return NULL;
	}
	s = json_string_value(v);
	len = json_string_length(v);
	if (strlen(s) != len) {
		snprintf(why, whylen, "x5c[%zu] holds a NUL byte", i);
		return NULL;
	}
	if (len > X5C_MAX_B64) {
		snprintf(why, whylen, "x5c[%zu] is longer than %d bytes of "
		    "DER", i, X5C_MAX_DER);
		return NULL;
	}
	if (!b64_decode_strict(s, len, &der, &derlen, reason,
	    sizeof(reason))) {
		snprintf(why, whylen, "x5c[%zu] %s", i, reason);
		return NULL;
	}
	p = der;
	if (derlen <= X5C_MAX_DER)
		cert = d2i_X509(NULL, &p, (long)derlen);
	if (cert == NULL || p != der + derlen) {
		snprintf(why, whylen, "x5c[%zu] is not one DER certificate",
		    i);
		X509_free(cert);
		cert = NULL;
	}
	free(der);
	return cert;
}

/* Every certificate of the JWK's x5c; (*certs)[0] is the leaf. */
static bool
parse_chain(const json_t *jwk, STACK_OF(X509) **out, char *why,
    size_t whylen)
{
	const json_t *x5c = json_object_get(jwk, "x5c");
	STACK_OF(X509) *certs = NULL;
	X509 *cert;
	size_t i, n;

	if (x5c == NULL) {
		snprintf(why, whylen, "key has no x5c chain (x5c_ca_file "
		    "is set)");
		return false;
	}
	if (!json_is_array(x5c)) {
		snprintf(why, whylen, "x5c is not an array");
		return false;
	}
	n = json_array_size(x5c);
	if (n == 0 || n > X5C_MAX_CERTS) {
		snprintf(why, whylen, "x5c holds %zu certificates, 1 to %d "
		    "are accepted", n, X5C_MAX_CERTS);
		return false;
	}
	certs = sk_X509_new_null();
	if (certs == NULL) {
		snprintf(why, whylen, "out of memory");
		return false;
	}
	for (i = 0; i < n; i++) {
		cert = parse_cert(json_array_get(x5c, i), i, why, whylen);
		if (cert == NULL)
			goto fail;
		if (sk_X509_push(certs, cert) <= 0) {
			X509_free(cert);
			snprintf(why, whylen, "out of memory");
			goto fail;
		}
	}
	*out = certs;
	return true;
fail:
	sk_X509_pop_free(certs, X509_free);
	return false;
}

/* The leaf with the rest of the chain as untrusted helpers, at now. */
static bool
verify_chain(X509_STORE *store, STACK_OF(X509) *certs, int64_t now,
    char *why, size_t whylen)
{
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) *untrusted = NULL;
	int i, n = sk_X509_num(certs);
	bool ok = false;

	ctx = X509_STORE_CTX_new();
	untrusted = sk_X509_new_null();
	if (ctx == NULL || untrusted == NULL) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	/* The stack only borrows the certificates. */
	for (i = 1; i < n; i++) {
		if (sk_X509_push(untrusted, sk_X509_value(certs, i)) <= 0) {
			snprintf(why, whylen, "out of memory");
			goto out;
		}
	}
	if (X509_STORE_CTX_init(ctx, store, sk_X509_value(certs, 0),
	    untrusted) != 1) {
		snprintf(why, whylen, "x5c chain cannot be checked");
		goto out;
	}
	X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx),
	    (time_t)now);
	if (X509_verify_cert(ctx) != 1) {
		snprintf(why, whylen, "x5c chain does not verify to "
		    "x5c_ca_file: %s", X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(ctx)));
		goto out;
	}
	ok = true;
out:
	sk_X509_free(untrusted);
	X509_STORE_CTX_free(ctx);
	return ok;
}

/* The earliest notAfter of the chain, 0 when none can be read. */
static int64_t
chain_not_after(STACK_OF(X509) *certs)
{
	int64_t min = 0;
	struct tm tm;
	time_t t;
	int i;

	for (i = 0; i < sk_X509_num(certs); i++) {
		memset(&tm, 0, sizeof(tm));
		if (ASN1_TIME_to_tm(X509_get0_notAfter(sk_X509_value(certs, i)),
		    &tm) != 1)
			continue;
		t = timegm(&tm);
		if (t > 0 && (min == 0 || (int64_t)t < min))
			min = (int64_t)t;
	}
	return min;
}

bool
jwtc_x5c_check(const json_t *jwk, const EVP_PKEY *pkey,
    jwtc_x5c_store *store, int64_t now, char *why, size_t whylen)
{
	int64_t until;

	return jwtc_x5c_check_until(jwk, pkey, store, now, &until, why,
	    whylen);
}

bool
jwtc_x5c_check_until(const json_t *jwk, const EVP_PKEY *pkey,
    jwtc_x5c_store *store, int64_t now, int64_t *not_after, char *why,
    size_t whylen)
{
	STACK_OF(X509) *certs = NULL;
	const EVP_PKEY *leaf_key;
	char dummy[1];
	bool ok = false;

	if (why == NULL || whylen == 0) {
		why = dummy;
		whylen = sizeof(dummy);
	}
	if (!json_is_object(jwk) || pkey == NULL || store == NULL) {
		snprintf(why, whylen, "x5c check: missing argument");
		return false;
	}
	if (now < 0) {
		snprintf(why, whylen, "x5c check: time before 1970");
		return false;
	}
	ERR_set_mark();
	if (!parse_chain(jwk, &certs, why, whylen))
		goto out;
	if (!verify_chain(store, certs, now, why, whylen))
		goto out;
	leaf_key = X509_get0_pubkey(sk_X509_value(certs, 0));
	if (leaf_key == NULL || EVP_PKEY_eq(leaf_key, pkey) != 1) {
		snprintf(why, whylen, "the first x5c certificate holds "
		    "another key than the JWK");
		goto out;
	}
	*not_after = chain_not_after(certs);
	ok = true;
out:
	/* Errors OpenSSL queued for a refused chain are ours. */
	ERR_pop_to_mark();
	sk_X509_pop_free(certs, X509_free);
	return ok;
}
