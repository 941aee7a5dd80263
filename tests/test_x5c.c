/*
 * test_x5c.c - keys distributed under a CA (common/x5c.c) and the x5c
 * filter of JWKS parsing (jwtc_jwks_parse_x5c in common/jwk.c).
 *
 * A CA, an intermediate, another CA and leaf certificates are made here
 * with OpenSSL at a fixed time NOW, so validity periods are exact and the
 * check is seen to use the time it is given, not the clock.
 */
#include "unit.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "internal.h"
#include "mintlib.h"

#define NOW ((int64_t)1700000000)
#define DAY 86400L

/* ---- fixtures ----------------------------------------------------------- */

static char *tmpdir;
static EVP_PKEY *ca_key, *int_key, *other_key, *leaf_key, *rsa_key,
    *spare_key;
static X509 *ca, *inter, *other_ca, *plain_int;
static jwtc_x5c_store *store;
static long serial = 1;

static void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(ext);
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

/*
 * A certificate for key named cn, valid from NOW + nb to NOW + na,
 * signed by issuer_key (self-signed when issuer is NULL).
 */
static X509 *
make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
    long nb, long na, bool is_ca)
{
	X509 *x = X509_new();
	X509_NAME *name;
	time_t base = (time_t)NOW;

	assert_non_null(x);
	assert_int_equal(X509_set_version(x, 2), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x),
	    serial++), 1);
	name = X509_get_subject_name(x);
	assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0), 1);
	assert_int_equal(X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : name), 1);
	assert_non_null(X509_time_adj_ex(X509_getm_notBefore(x), 0, nb,
	    &base));
	assert_non_null(X509_time_adj_ex(X509_getm_notAfter(x), 0, na,
	    &base));
	assert_int_equal(X509_set_pubkey(x, key), 1);
	if (is_ca) {
		add_ext(x, issuer, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(x, issuer, NID_key_usage,
		    "critical,keyCertSign,cRLSign");
	} else {
		add_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE");
	}
	assert_true(X509_sign(x, issuer_key != NULL ? issuer_key : key,
	    EVP_sha256()) > 0);
	return x;
}

/* A leaf for key under issuer, valid around NOW. */
static X509 *
make_leaf(EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key)
{
	return make_cert("leaf", key, issuer, issuer_key, -3600, DAY, false);
}

/* Standard base64 (padded) of bytes. */
static char *
b64(const unsigned char *der, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);
	int n;

	assert_non_null(out);
	n = EVP_EncodeBlock((unsigned char *)out, der, (int)len);
	assert_true(n >= 0);
	return out;
}

/* DER of x, allocated with OPENSSL_malloc. */
static unsigned char *
der_of(X509 *x, size_t *len)
{
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);

	assert_true(n > 0);
	*len = (size_t)n;
	return der;
}

static char *
b64_cert(X509 *x)
{
	size_t len;
	unsigned char *der = der_of(x, &len);
	char *s = b64(der, len);

	OPENSSL_free(der);
	return s;
}

/* PEM of the certificates, written to tmpdir/name with mode. */
static char *
write_pem(const char *name, mode_t mode, X509 **certs, size_t n,
    const char *extra)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL, *path;
	long len;
	size_t i;

	assert_non_null(bio);
	for (i = 0; i < n; i++)
		assert_int_equal(PEM_write_bio_X509(bio, certs[i]), 1);
	if (extra != NULL)
		assert_true(BIO_puts(bio, extra) > 0);
	len = BIO_get_mem_data(bio, &data);
	assert_true(len >= 0);
	path = unit_write_file(tmpdir, name, mode, data, (size_t)len);
	assert_non_null(path);
	BIO_free(bio);
	return path;
}

/* The JWK of key (public part) with x5c set to arr (taken), or without
 * x5c when arr is NULL. */
static json_t *
jwk_with(EVP_PKEY *key, const char *kid, json_t *arr)
{
	mint_jwk_opts o = { kid, NULL, NULL, NULL };
	json_t *jwk = mint_jwk_object(key, &o);

	assert_non_null(jwk);
	if (arr != NULL)
		assert_int_equal(json_object_set_new(jwk, "x5c", arr), 0);
	return jwk;
}

/* ["c0", "c1", ...] of the certificates. */
static json_t *
chain_of(X509 **certs, size_t n)
{
	json_t *arr = json_array();
	char *s;
	size_t i;

	assert_non_null(arr);
	for (i = 0; i < n; i++) {
		s = b64_cert(certs[i]);
		assert_int_equal(json_array_append_new(arr, json_string(s)),
		    0);
		free(s);
	}
	return arr;
}

/*
 * jwtc_x5c_check of jwk with the key imported from jwk itself (as the
 * JWKS parser does) at time now.
 */
static bool
check_at(json_t *jwk, int64_t now, char *why, size_t whylen)
{
	jwtc_key k;
	char iwhy[160];
	bool ok;

	memset(&k, 0, sizeof(k));
	assert_int_equal(jwtc_jwk_import(jwk, &k, iwhy, sizeof(iwhy)),
	    JWTC_OK);
	why[0] = '\0';
	ok = jwtc_x5c_check(jwk, k.pkey, store, now, why, whylen);
	jwtc_key_clear(&k);
	return ok;
}

/* Refused at NOW, with a reason containing want. */
static void
assert_refused(json_t *jwk, const char *want)
{
	char why[256];

	assert_false(check_at(jwk, NOW, why, sizeof(why)));
	assert_contains(why, want);
}

static int
setup(void **state)
{
	X509 *certs[1];
	jwtc_error err;
	char *path;

	(void)state;
	tmpdir = unit_tmpdir();
	if (tmpdir == NULL)
		return -1;
	ca_key = mint_key_gen("ec256");
	int_key = mint_key_gen("ec256");
	other_key = mint_key_gen("ec256");
	leaf_key = mint_key_gen("ec256");
	spare_key = mint_key_gen("ec256");
	rsa_key = mint_key_gen("rsa2048");
	if (ca_key == NULL || int_key == NULL || other_key == NULL ||
	    leaf_key == NULL || spare_key == NULL || rsa_key == NULL)
		return -1;
	ca = make_cert("test CA", ca_key, NULL, NULL, -10 * DAY, 3650 * DAY,
	    true);
	inter = make_cert("intermediate", int_key, ca, ca_key, -10 * DAY,
	    365 * DAY, true);
	plain_int = make_cert("not a CA", int_key, ca, ca_key, -10 * DAY,
	    365 * DAY, false);
	other_ca = make_cert("other CA", other_key, NULL, NULL, -10 * DAY,
	    3650 * DAY, true);
	certs[0] = ca;
	path = write_pem("ca.pem", 0644, certs, 1, NULL);
	memset(&err, 0, sizeof(err));
	if (jwtc_x5c_store_load(path, &store, &err) != JWTC_OK) {
		fprintf(stderr, "store: %s\n", err.msg);
		free(path);
		return -1;
	}
	free(path);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	jwtc_x5c_store_free(store);
	X509_free(ca);
	X509_free(inter);
	X509_free(plain_int);
	X509_free(other_ca);
	mint_key_free(ca_key);
	mint_key_free(int_key);
	mint_key_free(other_key);
	mint_key_free(leaf_key);
	mint_key_free(spare_key);
	mint_key_free(rsa_key);
	unit_rmtree(tmpdir);
	free(tmpdir);
	return 0;
}

/* A JWK of leaf_key whose x5c is the given strings. */
static json_t *
jwk_strings(const char *const *s, size_t n)
{
	json_t *arr = json_array();
	size_t i;

	assert_non_null(arr);
	for (i = 0; i < n; i++)
		assert_int_equal(json_array_append_new(arr,
		    json_string(s[i])), 0);
	return jwk_with(leaf_key, "k", arr);
}

/* x5c = [ text ] for leaf_key. */
static void
assert_string_refused(const char *text, const char *want)
{
	json_t *jwk = jwk_strings(&text, 1);

	assert_refused(jwk, want);
	json_decref(jwk);
}

/* ---- accepted ----------------------------------------------------------- */

static void
test_leaf_under_ca(void **state)
{
	X509 *leaf = make_leaf(leaf_key, ca, ca_key);
	json_t *jwk = jwk_with(leaf_key, "k", chain_of(&leaf, 1));
	char why[256];

	(void)state;
	assert_true(check_at(jwk, NOW, why, sizeof(why)));
	json_decref(jwk);
	X509_free(leaf);
}

static void
test_leaf_and_intermediate(void **state)
{
	X509 *chain[2];
	json_t *jwk;
	char why[256];

	(void)state;
	chain[0] = make_leaf(rsa_key, inter, int_key);
	chain[1] = inter;
	jwk = jwk_with(rsa_key, "r", chain_of(chain, 2));
	assert_true(check_at(jwk, NOW, why, sizeof(why)));
	json_decref(jwk);
	X509_free(chain[0]);
}

/* The time checked is the one given: a leaf that has expired at NOW
 * passes at a time inside its validity. */
static void
test_time_is_the_argument(void **state)
{
	X509 *leaf = make_cert("old", leaf_key, ca, ca_key, -3 * DAY, -DAY,
	    false);
	json_t *jwk = jwk_with(leaf_key, "k", chain_of(&leaf, 1));
	char why[256];

	(void)state;
	assert_true(check_at(jwk, NOW - 2 * DAY, why, sizeof(why)));
	assert_false(check_at(jwk, NOW, why, sizeof(why)));
	assert_contains(why, "certificate has expired");
	json_decref(jwk);
	X509_free(leaf);
}

/* A bundle of two CAs with a private key block between them. */
static void
test_store_bundle(void **state)
{
	X509 *certs[2] = { ca, other_ca };
	jwtc_x5c_store *st = NULL;
	jwtc_error err;
	X509 *leaf = make_leaf(leaf_key, other_ca, other_key);
	json_t *jwk = jwk_with(leaf_key, "k", chain_of(&leaf, 1));
	jwtc_key k;
	char why[256], iwhy[160], *path;

	(void)state;
	path = write_pem("bundle.pem", 0644, certs, 2,
	    "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
	memset(&err, 0, sizeof(err));
	assert_int_equal(jwtc_x5c_store_load(path, &st, &err), JWTC_OK);
	memset(&k, 0, sizeof(k));
	assert_int_equal(jwtc_jwk_import(jwk, &k, iwhy, sizeof(iwhy)),
	    JWTC_OK);
	assert_true(jwtc_x5c_check(jwk, k.pkey, st, NOW, why, sizeof(why)));
	/* The test store holds only the first CA. */
	assert_false(jwtc_x5c_check(jwk, k.pkey, store, NOW, why,
	    sizeof(why)));
	jwtc_key_clear(&k);
	jwtc_x5c_store_free(st);
	jwtc_x5c_store_free(NULL);
	json_decref(jwk);
	X509_free(leaf);
	free(path);
}

/* ---- refused: the form of x5c ------------------------------------------- */

static void
test_no_x5c(void **state)
{
	json_t *jwk = jwk_with(leaf_key, "k", NULL);

	(void)state;
	assert_refused(jwk, "no x5c");
	json_decref(jwk);
}

static void
test_x5c_not_array(void **state)
{
	X509 *leaf = make_leaf(leaf_key, ca, ca_key);
	char *s = b64_cert(leaf);
	json_t *jwk = jwk_with(leaf_key, "k", json_string(s));

	(void)state;
	assert_refused(jwk, "not an array");
	json_decref(jwk);
	free(s);
	X509_free(leaf);
}

static void
test_x5c_empty(void **state)
{
	json_t *jwk = jwk_with(leaf_key, "k", json_array());

	(void)state;
	assert_refused(jwk, "holds 0 certificates");
	json_decref(jwk);
}

/* Eleven certificates, each of which would do. */
static void
test_x5c_eleven(void **state)
{
	X509 *chain[11];
	json_t *jwk;
	char why[256];
	size_t i;

	(void)state;
	chain[0] = make_leaf(leaf_key, ca, ca_key);
	for (i = 1; i < 11; i++)
		chain[i] = inter;
	jwk = jwk_with(leaf_key, "k", chain_of(chain, 11));
	assert_refused(jwk, "holds 11 certificates");
	json_decref(jwk);
	/* Ten is the limit, and a chain of ten verifies. */
	jwk = jwk_with(leaf_key, "k", chain_of(chain, 10));
	assert_true(check_at(jwk, NOW, why, sizeof(why)));
	json_decref(jwk);
	X509_free(chain[0]);
}

static void
test_x5c_not_string(void **state)
{
	X509 *leaf = make_leaf(leaf_key, ca, ca_key);
	json_t *arr = chain_of(&leaf, 1), *jwk;

	(void)state;
	assert_int_equal(json_array_append_new(arr, json_integer(1)), 0);
	jwk = jwk_with(leaf_key, "k", arr);
	assert_refused(jwk, "x5c[1] is not a string");
	json_decref(jwk);
	X509_free(leaf);
}

/*
 * The leaf's base64 changed into base64url: a certificate whose text
 * holds + or / (most do; the serial and key make this one differ each
 * run, so the mapping is applied to whichever appears).
 */
static void
test_base64url_refused(void **state)
{
	X509 *leaf = NULL;
	char *s = NULL, *p;
	int tries;

	(void)state;
	/* Find a certificate whose text has both + and /. */
	for (tries = 0; tries < 64; tries++) {
		X509_free(leaf);
		free(s);
		leaf = make_leaf(leaf_key, ca, ca_key);
		s = b64_cert(leaf);
		if (strchr(s, '+') != NULL && strchr(s, '/') != NULL)
			break;
	}
	assert_non_null(strchr(s, '+'));
	assert_non_null(strchr(s, '/'));
	/* Only '-' */
	p = strchr(s, '+');
	*p = '-';
	assert_string_refused(s, "base64url");
	*p = '+';
	/* Only '_' */
	p = strchr(s, '/');
	*p = '_';
	assert_string_refused(s, "base64url");
	*p = '/';
	free(s);
	X509_free(leaf);
}

/* Whitespace anywhere, and the padding dropped or misplaced. */
static void
test_base64_form_refused(void **state)
{
	X509 *leaf = make_leaf(leaf_key, ca, ca_key);
	char *s = b64_cert(leaf), *t;
	size_t len = strlen(s);

	(void)state;
	t = malloc(len + 2);
	assert_non_null(t);

	/* a newline after 64 characters, as PEM has */
	memcpy(t, s, 64);
	t[64] = '\n';
	memcpy(t + 65, s + 64, len - 64 + 1);
	assert_string_refused(t, "outside base64");
	/* a trailing newline */
	memcpy(t, s, len);
	t[len] = '\n';
	t[len + 1] = '\0';
	assert_string_refused(t, "outside base64");
	/* one character too many: no multiple of 4 */
	t[0] = 'A';
	memcpy(t + 1, s, len + 1);
	assert_string_refused(t, "multiple of 4");
	/* a leading space and one character fewer at the end */
	t[0] = ' ';
	memcpy(t + 1, s, len - 1);
	t[len] = '\0';
	assert_string_refused(t, "outside base64");
	/* a space in the middle replacing a character */
	memcpy(t, s, len + 1);
	t[len / 2] = ' ';
	assert_string_refused(t, "outside base64");
	/* "=" in the middle */
	t[len / 2] = '=';
	assert_string_refused(t, "padding before the end");
	/* only padding, and three "=" */
	assert_string_refused("====", "padding before the end");
	assert_string_refused("==", "multiple of 4");
	assert_string_refused("", "empty");
	assert_string_refused("QQ===", "padding before the end");
	free(t);
	free(s);
	X509_free(leaf);
}

/* Padding stripped: base64 of a length that needs it, without it. */
static void
test_base64_padding_required(void **state)
{
	X509 *leaf = NULL;
	char *s = NULL;
	size_t len;
	int tries;

	(void)state;
	for (tries = 0; tries < 64; tries++) {
		X509_free(leaf);
		free(s);
		leaf = make_leaf(leaf_key, ca, ca_key);
		s = b64_cert(leaf);
		if (s[strlen(s) - 1] == '=')
			break;
	}
	len = strlen(s);
	assert_int_equal(s[len - 1], '=');
	while (len > 0 && s[len - 1] == '=')
		s[--len] = '\0';
	assert_string_refused(s, "multiple of 4");
	free(s);
	X509_free(leaf);
}

/* Non-zero bits before the padding: "QQ==" is "A", "QR==" is not. */
static void
test_base64_stray_bits(void **state)
{
	static const unsigned char one[1] = { 'A' };
	static const unsigned char two[2] = { 'A', 'B' };
	char *s;

	(void)state;
	s = b64(one, 1);
	assert_string_equal(s, "QQ==");
	s[1] = 'R';
	assert_string_refused(s, "stray bits");
	free(s);
	s = b64(two, 2);
	assert_string_equal(s, "QUI=");
	s[2] = 'J';
	assert_string_refused(s, "stray bits");
	/* Canonical but not a certificate. */
	s[2] = 'I';
	assert_string_refused(s, "not one DER certificate");
	free(s);
}

/* Bytes after the certificate's DER. */
static void
test_trailing_garbage(void **state)
{
	X509 *leaf = make_leaf(leaf_key, ca, ca_key);
	size_t len;
	unsigned char *der = der_of(leaf, &len), *more;
	char *s;

	(void)state;
	more = malloc(len + 3);
	assert_non_null(more);
	memcpy(more, der, len);
	memcpy(more + len, "\x00\x01\x02", 3);
	s = b64(more, len + 3);
	assert_string_refused(s, "not one DER certificate");
	free(s);
	/* Two certificates in one string. */
	free(more);
	more = malloc(2 * len);
	assert_non_null(more);
	memcpy(more, der, len);
	memcpy(more + len, der, len);
	s = b64(more, 2 * len);
	assert_string_refused(s, "not one DER certificate");
	free(s);
	/* The certificate cut short. */
	s = b64(der, len - 1);
	assert_string_refused(s, "not one DER certificate");
	free(s);
	free(more);
	OPENSSL_free(der);
	X509_free(leaf);
}

/* Text over the size limit, and a NUL byte inside. */
static void
test_size_and_nul(void **state)
{
	size_t n = 4 * ((16 * 1024 + 2) / 3) + 4;
	char *s = malloc(n + 1);
	json_t *arr, *jwk;

	(void)state;
	assert_non_null(s);
	memset(s, 'A', n);
	s[n] = '\0';
	assert_string_refused(s, "longer than 16384 bytes");
	free(s);

	arr = json_array();
	assert_non_null(arr);
	assert_int_equal(json_array_append_new(arr,
	    json_stringn("QUJD\0QUJD", 9)), 0);
	jwk = jwk_with(leaf_key, "k", arr);
	assert_refused(jwk, "NUL");
	json_decref(jwk);
}

/* ---- refused: the chain ------------------------------------------------- */

static void
test_other_ca(void **state)
{
	X509 *leaf = make_leaf(leaf_key, other_ca, other_key);
	json_t *jwk = jwk_with(leaf_key, "k", chain_of(&leaf, 1));

	(void)state;
	assert_refused(jwk, "does not verify to x5c_ca_file: unable to get "
	    "local issuer certificate");
	json_decref(jwk);
	X509_free(leaf);
}

/* The other CA itself in the chain does not make it trusted. */
static void
test_other_ca_with_root(void **state)
{
	X509 *chain[2];
	json_t *jwk;

	(void)state;
	chain[0] = make_leaf(leaf_key, other_ca, other_key);
	chain[1] = other_ca;
	jwk = jwk_with(leaf_key, "k", chain_of(chain, 2));
	assert_refused(jwk, "does not verify to x5c_ca_file");
	json_decref(jwk);
	X509_free(chain[0]);
}

static void
test_expired(void **state)
{
	X509 *leaf = make_cert("old", leaf_key, ca, ca_key, -2 * DAY, -60,
	    false);
	json_t *jwk = jwk_with(leaf_key, "k", chain_of(&leaf, 1));

	(void)state;
	assert_refused(jwk, "x5c chain does not verify to x5c_ca_file: "
	    "certificate has expired");
	json_decref(jwk);
	X509_free(leaf);
}

static void
test_not_yet_valid(void **state)
{
	X509 *leaf = make_cert("new", leaf_key, ca, ca_key, 60, 2 * DAY,
	    false);
	json_t *jwk = jwk_with(leaf_key, "k", chain_of(&leaf, 1));

	(void)state;
	assert_refused(jwk, "certificate is not yet valid");
	json_decref(jwk);
	X509_free(leaf);
}

/* A valid chain for another key than the JWK's. */
static void
test_key_mismatch(void **state)
{
	X509 *leaf = make_leaf(spare_key, ca, ca_key);
	json_t *jwk = jwk_with(leaf_key, "k", chain_of(&leaf, 1));

	(void)state;
	assert_refused(jwk, "another key than the JWK");
	json_decref(jwk);
	X509_free(leaf);
}

/* A leaf under the intermediate without the intermediate. */
static void
test_intermediate_missing(void **state)
{
	X509 *leaf = make_leaf(leaf_key, inter, int_key);
	json_t *jwk = jwk_with(leaf_key, "k", chain_of(&leaf, 1));

	(void)state;
	assert_refused(jwk, "unable to get local issuer certificate");
	json_decref(jwk);
	X509_free(leaf);
}

/* The chain in the wrong order: the intermediate first. */
static void
test_wrong_order(void **state)
{
	X509 *chain[2];
	json_t *jwk;

	(void)state;
	chain[0] = inter;
	chain[1] = make_leaf(leaf_key, inter, int_key);
	jwk = jwk_with(leaf_key, "k", chain_of(chain, 2));
	assert_refused(jwk, "another key than the JWK");
	json_decref(jwk);
	X509_free(chain[1]);
}

/* An intermediate that is not a CA cannot sign a leaf. */
static void
test_intermediate_not_ca(void **state)
{
	X509 *chain[2];
	json_t *jwk;

	(void)state;
	chain[0] = make_leaf(leaf_key, plain_int, int_key);
	chain[1] = plain_int;
	jwk = jwk_with(leaf_key, "k", chain_of(chain, 2));
	assert_refused(jwk, "invalid CA certificate");
	json_decref(jwk);
	X509_free(chain[0]);
}

static void
test_check_args(void **state)
{
	X509 *leaf = make_leaf(leaf_key, ca, ca_key);
	json_t *jwk = jwk_with(leaf_key, "k", chain_of(&leaf, 1));
	json_t *arr = json_array();
	char why[128];

	(void)state;
	assert_false(jwtc_x5c_check(jwk, NULL, store, NOW, why, sizeof(why)));
	assert_contains(why, "missing argument");
	assert_false(jwtc_x5c_check(jwk, leaf_key, NULL, NOW, why,
	    sizeof(why)));
	assert_false(jwtc_x5c_check(NULL, leaf_key, store, NOW, why,
	    sizeof(why)));
	assert_false(jwtc_x5c_check(arr, leaf_key, store, NOW, why,
	    sizeof(why)));
	assert_false(jwtc_x5c_check(jwk, leaf_key, store, -1, why,
	    sizeof(why)));
	/* No reason buffer: still refused, nothing written. */
	assert_false(jwtc_x5c_check(jwk, spare_key, store, NOW, NULL, 0));
	/* The private key of the leaf holds the same public key. */
	assert_true(jwtc_x5c_check(jwk, leaf_key, store, NOW, NULL, 0));
	json_decref(arr);
	json_decref(jwk);
	X509_free(leaf);
}

/* ---- the store ---------------------------------------------------------- */

static void
assert_load_refused(const char *path, const char *want)
{
	jwtc_x5c_store *st = NULL;
	jwtc_error err;

	memset(&err, 0, sizeof(err));
	assert_int_equal(jwtc_x5c_store_load(path, &st, &err),
	    JWTC_ERR_CONFIG);
	assert_null(st);
	assert_contains(err.msg, path);
	assert_contains(err.msg, want);
}

static void
test_store_no_certs(void **state)
{
	char *path;

	(void)state;
	path = write_pem("empty.pem", 0644, NULL, 0,
	    "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
	assert_load_refused(path, "no PEM certificate");
	free(path);
	path = unit_write_text(tmpdir, "zero.pem", 0644, "");
	assert_non_null(path);
	assert_load_refused(path, "no PEM certificate");
	free(path);
}

static void
test_store_untrusted(void **state)
{
	X509 *certs[1] = { ca };
	char *path, *link;

	(void)state;
	path = write_pem("gw.pem", 0664, certs, 1, NULL);
	assert_load_refused(path, "writable by group");
	free(path);
	path = write_pem("ow.pem", 0646, certs, 1, NULL);
	assert_load_refused(path, "writable by others");
	/* A symbolic link to a good file. */
	link = unit_path(tmpdir, "link.pem");
	assert_non_null(link);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(symlink(path, link), 0);
	assert_load_refused(link, "symbolic link");
	free(link);
	free(path);
	path = unit_path(tmpdir, "missing.pem");
	assert_non_null(path);
	assert_load_refused(path, "cannot open");
	free(path);
}

/* A certificate block whose content does not parse. */
static void
test_store_bad_block(void **state)
{
	X509 *certs[1] = { ca };
	char *path;
	jwtc_x5c_store *st = NULL;
	jwtc_error err;

	(void)state;
	path = write_pem("bad.pem", 0644, certs, 1,
	    "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n");
	assert_load_refused(path, "certificate 2 cannot be parsed");
	free(path);
	memset(&err, 0, sizeof(err));
	assert_int_equal(jwtc_x5c_store_load(NULL, &st, &err),
	    JWTC_ERR_INTERNAL);
	assert_null(st);
}

/* ---- JWKS filtering ----------------------------------------------------- */

static void
test_jwks_filter(void **state)
{
	X509 *good = make_leaf(leaf_key, ca, ca_key);
	X509 *foreign = make_leaf(spare_key, other_ca, other_key);
	json_t *doc, *keys;
	jwtc_keyset *ks = NULL;
	jwtc_error err;
	char *text;
	size_t i;
	bool saw_foreign = false, saw_bare = false;

	(void)state;
	keys = json_array();
	assert_non_null(keys);
	assert_int_equal(json_array_append_new(keys,
	    jwk_with(spare_key, "foreign", chain_of(&foreign, 1))), 0);
	assert_int_equal(json_array_append_new(keys,
	    jwk_with(leaf_key, "good", chain_of(&good, 1))), 0);
	assert_int_equal(json_array_append_new(keys,
	    jwk_with(rsa_key, "bare", NULL)), 0);
	doc = json_pack("{s:o}", "keys", keys);
	assert_non_null(doc);
	text = json_dumps(doc, JSON_COMPACT);
	assert_non_null(text);

	memset(&err, 0, sizeof(err));
	assert_int_equal(jwtc_jwks_parse_x5c(text, strlen(text), store, NOW,
	    &ks, &err), JWTC_OK);
	assert_int_equal(ks->n, 1);
	assert_string_equal(ks->keys[0].kid, "good");
	assert_int_equal(ks->n_skipped, 2);
	for (i = 0; i < ks->n_skipped; i++) {
		assert_non_null(ks->skipped[i].kid);
		if (strcmp(ks->skipped[i].kid, "foreign") == 0) {
			assert_contains(ks->skipped[i].reason,
			    "does not verify to x5c_ca_file");
			saw_foreign = true;
		} else if (strcmp(ks->skipped[i].kid, "bare") == 0) {
			assert_contains(ks->skipped[i].reason, "no x5c");
			saw_bare = true;
		}
	}
	assert_true(saw_foreign && saw_bare);
	jwtc_keyset_unref(ks);
	ks = NULL;

	/* A year later the good leaf has expired too. */
	assert_int_equal(jwtc_jwks_parse_x5c(text, strlen(text), store,
	    NOW + 365 * DAY, &ks, &err), JWTC_OK);
	assert_int_equal(ks->n, 0);
	assert_int_equal(ks->n_skipped, 3);
	jwtc_keyset_unref(ks);
	ks = NULL;

	/* Without a store nothing is filtered, as jwtc_jwks_parse. */
	assert_int_equal(jwtc_jwks_parse_x5c(text, strlen(text), NULL, NOW,
	    &ks, &err), JWTC_OK);
	assert_int_equal(ks->n, 3);
	assert_int_equal(ks->n_skipped, 0);
	jwtc_keyset_unref(ks);
	ks = NULL;
	assert_int_equal(jwtc_jwks_parse(text, strlen(text), &ks, &err),
	    JWTC_OK);
	assert_int_equal(ks->n, 3);
	jwtc_keyset_unref(ks);

	free(text);
	json_decref(doc);
	X509_free(good);
	X509_free(foreign);
}

/* A document that is not a JWKS is an error with a store too. */
static void
test_jwks_filter_not_jwks(void **state)
{
	jwtc_keyset *ks = NULL;
	jwtc_error err;

	(void)state;
	memset(&err, 0, sizeof(err));
	assert_int_equal(jwtc_jwks_parse_x5c("{\"keys\":1}", 10, store, NOW,
	    &ks, &err), JWTC_ERR_MALFORMED);
	assert_null(ks);
	assert_contains(err.msg, "not a JWKS");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leaf_under_ca),
		cmocka_unit_test(test_leaf_and_intermediate),
		cmocka_unit_test(test_time_is_the_argument),
		cmocka_unit_test(test_store_bundle),
		cmocka_unit_test(test_no_x5c),
		cmocka_unit_test(test_x5c_not_array),
		cmocka_unit_test(test_x5c_empty),
		cmocka_unit_test(test_x5c_eleven),
		cmocka_unit_test(test_x5c_not_string),
		cmocka_unit_test(test_base64url_refused),
		cmocka_unit_test(test_base64_form_refused),
		cmocka_unit_test(test_base64_padding_required),
		cmocka_unit_test(test_base64_stray_bits),
		cmocka_unit_test(test_trailing_garbage),
		cmocka_unit_test(test_size_and_nul),
		cmocka_unit_test(test_other_ca),
		cmocka_unit_test(test_other_ca_with_root),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_not_yet_valid),
		cmocka_unit_test(test_key_mismatch),
		cmocka_unit_test(test_intermediate_missing),
		cmocka_unit_test(test_wrong_order),
		cmocka_unit_test(test_intermediate_not_ca),
		cmocka_unit_test(test_check_args),
		cmocka_unit_test(test_store_no_certs),
		cmocka_unit_test(test_store_untrusted),
		cmocka_unit_test(test_store_bad_block),
		cmocka_unit_test(test_jwks_filter),
		cmocka_unit_test(test_jwks_filter_not_jwks),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
