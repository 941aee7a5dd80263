/*
 * mintlib.h - make keys and sign tokens, for the tests, the jwt-mint
 * helper and the benchmark.  Never part of the installed code: it holds
 * private keys and signs whatever it is asked to, including tokens that a
 * verifier must refuse.
 *
 * Every function returns NULL (or -1) on failure and allocates what it
 * returns; free strings and buffers with mint_free, keys with
 * mint_key_free.
 */
#ifndef MINTLIB_H
#define MINTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

/* ---- keys ------------------------------------------------------------- */

/* An RSA key of bits bits with public exponent e (odd, >= 3). */
EVP_PKEY *mint_key_rsa(unsigned bits, unsigned long e);
/* An EC key on "P-256", "P-384" or "P-521". */
EVP_PKEY *mint_key_ec(const char *crv);
/* An OKP key: "Ed25519" or "Ed448". */
EVP_PKEY *mint_key_okp(const char *crv);
/*
 * A key by type name: "rsaBITS" with an optional "eEXP" ("rsa2048",
 * "rsa1024", "rsa2048e3"), "ec256", "ec384", "ec521", "ed25519", "ed448".
 */
EVP_PKEY *mint_key_gen(const char *type);
/* A private key from a PEM file (PKCS#8 or traditional). */
EVP_PKEY *mint_key_load(const char *path);
/* Write the private key as PKCS#8 PEM, mode 0600 (an existing file is
 * replaced; a symbolic link is refused).  0 or -1. */
int mint_key_save(EVP_PKEY *key, const char *path);
void mint_key_free(EVP_PKEY *key);

/* The public key as SubjectPublicKeyInfo, PEM text or DER bytes. */
char *mint_pubkey_pem(const EVP_PKEY *key, size_t *len);
unsigned char *mint_pubkey_der(const EVP_PKEY *key, size_t *len);

/* ---- JWK and JWKS -------------------------------------------------------- */

/* Optional members of an exported JWK; NULL leaves a member out. */
typedef struct mint_jwk_opts {
	const char *kid;
	const char *alg;
	const char *use;
	const char *key_ops; /* space-separated, written as an array */
} mint_jwk_opts;

/* The public key as a JWK object (kty, then n/e or crv/x[/y]). */
json_t *mint_jwk_object(const EVP_PKEY *key, const mint_jwk_opts *opts);
/* The same as compact JSON text. */
char *mint_jwk(const EVP_PKEY *key, const mint_jwk_opts *opts);

typedef struct mint_jwks_entry {
	const EVP_PKEY *key;
	mint_jwk_opts opts;
} mint_jwks_entry;

/* {"keys": [...]} of the given public keys, as JSON text. */
char *mint_jwks(const mint_jwks_entry *keys, size_t n);

/* ---- signing ---------------------------------------------------------------- */

/* Knobs for making tokens a verifier must refuse.  A zeroed struct (or a
 * NULL pointer) signs the way RFC 7518 says. */
typedef struct mint_sign_opts {
	/* The "alg" written into the header instead of the signing
	 * algorithm (it replaces one the header text already has). */
	const char *label;
	/* Use the header text exactly as given: no "alg" is added. */
	bool header_verbatim;
	/* ES*: emit the DER form instead of the raw R||S. */
	bool ecdsa_der;
	/* PS*: sign with pss_saltlen bytes of salt instead of the hash
	 * length. */
	bool pss_salt_set;
	int pss_saltlen;
	/* HS*: the HMAC key (the key argument is then ignored). */
	const unsigned char *secret;
	size_t secretlen;
} mint_sign_opts;

/*
 * Sign msg for alg (RS256..512, PS256..512, ES256..512, EdDSA, HS256..512)
 * with key, or with opts->secret for HS*.  The key is not checked against
 * the algorithm beyond what OpenSSL refuses (an ES256 signature by a P-384
 * key is made).  0 or -1; *sig is allocated.
 */
int mint_sign_bytes(EVP_PKEY *key, const char *alg, const mint_sign_opts *opts,
    const unsigned char *msg, size_t len, unsigned char **sig, size_t *siglen);

/*
 * The header text for alg: header (a JSON object, NULL for {}) with "alg"
 * set to alg first when it has none, or always when force is set.
 */
char *mint_header(const char *alg, const char *header, bool force);

/*
 * A token from two segments taken as they are (not checked, not
 * re-encoded): their signing input "hdr.payload" is signed and the
 * signature appended.
 */
char *mint_sign_segments(EVP_PKEY *key, const char *alg,
    const mint_sign_opts *opts, const char *hdr_b64, const char *payload_b64);

/*
 * A compact JWS of claims (JSON text, encoded byte for byte as given) with
 * header (see mint_header; opts->label and opts->header_verbatim apply).
 */
char *mint_sign_ex(EVP_PKEY *key, const char *alg, const char *header,
    const char *claims, const mint_sign_opts *opts);
char *mint_sign(EVP_PKEY *key, const char *alg, const char *header,
    const char *claims);
char *mint_sign_hmac(const unsigned char *secret, size_t secretlen,
    const char *alg, const char *header, const char *claims);
/*
 * A token of exactly size bytes: claims (a JSON object with at least one
 * member) get a "pad" member of the length needed, and the header's "typ"
 * is chosen among three lengths so that every size is reachable.  The
 * header is {"alg":ALG,"typ":...,"kid":KID}.  NULL when no padding gives
 * size (too small) or on failure.
 */
char *mint_sign_sized(EVP_PKEY *key, const char *alg, const char *kid,
    const char *claims, size_t size);

/* ---- small helpers ------------------------------------------------------ */

/* base64url without padding of len bytes. */
char *mint_b64url(const void *data, size_t len);
/* Random bytes from the OpenSSL generator.  0 or -1. */
int mint_random(unsigned char *buf, size_t len);
/* Write len bytes to path with mode (an existing file is replaced, a
 * symbolic link refused; the mode is set regardless of the umask). */
int mint_write_file(const char *path, const void *data, size_t len,
    unsigned mode);
/* Read an HMAC secret file (one line of base64url) into raw bytes;
 * free with mint_free_secret. */
unsigned char *mint_secret_load(const char *path, size_t *len);
void mint_free_secret(unsigned char *p, size_t len);
void mint_free(void *p);

#endif /* MINTLIB_H */
