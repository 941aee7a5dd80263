/*
 * internal.h - declarations shared by the files of the core.  Not installed;
 * tests include it to reach the parsers directly.
 */
#ifndef JWTC_INTERNAL_H
#define JWTC_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "jwtc.h"

/* Named limits. */
#define JWTC_MAX_TOKEN_SIZE_DEFAULT 16384
#define JWTC_MAX_TOKEN_SIZE_MIN 1024
#define JWTC_MAX_TOKEN_SIZE_MAX 65536
#define JWTC_MAX_JSON_DEPTH 16        /* nesting of header, claims, JWKS */
#define JWTC_MAX_KEYS 100             /* keys in one JWKS */
#define JWTC_MAX_JWKS_SIZE (1024 * 1024)
#define JWTC_MAX_DISCOVERY_SIZE (64 * 1024)
#define JWTC_MAX_KID_LEN 256
#define JWTC_MAX_USER_LEN 256
#define JWTC_MAX_CONFIG_SIZE (256 * 1024)
#define JWTC_MAX_CONFIG_LINE 4096
#define JWTC_MAX_SECRET_FILE 4096
#define JWTC_MAX_LIST_ITEMS 64        /* items in one configuration list */
#define JWTC_MAX_ISSUERS 64           /* issuer sections in one file */
#define JWTC_RSA_MIN_BITS 2048
#define JWTC_RSA_MAX_BITS 8192
#define JWTC_MAX_NUMERIC_DATE 9007199254740992.0 /* 2^53 */

/* ---- errors ---------------------------------------------------------- */

/* Set err (when not NULL) and return rc. */
jwtc_rc jwtc_seterr(jwtc_error *err, jwtc_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- base64url (b64url.c) --------------------------------------------- */

/* Strict decoding: alphabet A-Z a-z 0-9 - _ only, no padding, no
 * whitespace, no length of 1 mod 4, no non-zero trailing bits.  *out is
 * allocated (NUL-terminated for convenience, not counted in *outlen).
 * Returns 0, -1 for invalid input, -2 when out of memory. */
int jwtc_b64url_decode(const char *in, size_t inlen, unsigned char **out,
    size_t *outlen);
/* The same into out, which holds at least JWTC_B64URL_DECODED_MAX(inlen)
 * bytes (NUL-terminated too); 0 or -1 for invalid input. */
#define JWTC_B64URL_DECODED_MAX(n) ((n) / 4 * 3 + 3)
int jwtc_b64url_decode_to(const char *in, size_t inlen, unsigned char *out,
    size_t *outlen);
/* Encoding without padding; caller frees; NULL when out of memory. */
char *jwtc_b64url_encode(const unsigned char *in, size_t len);

/* ---- JSON (json.c) ---------------------------------------------------- */

/* Parse exactly one JSON object from buf: duplicate members, trailing
 * data, NUL bytes and nesting deeper than JWTC_MAX_JSON_DEPTH are refused.
 * Returns NULL with a reason in why. */
json_t *jwtc_json_parse_object(const char *buf, size_t len, char *why,
    size_t whylen);
/* The same, telling a failed allocation (JWTC_ERR_NO_MEMORY) from text
 * that is refused (JWTC_ERR_MALFORMED); *out is set only on JWTC_OK. */
jwtc_rc jwtc_json_parse(const char *buf, size_t len, json_t **out, char *why,
    size_t whylen);
/* Whether root holds exactly what the JSON text buf says, item by item in
 * the text's order: the same strings and member names byte for byte, the
 * same integers, the same reals bit for bit, the same literals, nothing
 * more or less.  false also when out of memory. */
bool jwtc_json_matches_text(const char *buf, size_t len, const json_t *root);

/* ---- algorithms and keys (jwk.c, sig.c) ------------------------------- */

typedef enum jwtc_alg {
	JWTC_ALG_UNKNOWN = 0,
	JWTC_ALG_RS256, JWTC_ALG_RS384, JWTC_ALG_RS512,
	JWTC_ALG_PS256, JWTC_ALG_PS384, JWTC_ALG_PS512,
	JWTC_ALG_ES256, JWTC_ALG_ES384, JWTC_ALG_ES512,
	JWTC_ALG_EDDSA,
	JWTC_ALG_HS256, JWTC_ALG_HS384, JWTC_ALG_HS512,
	JWTC_ALG_COUNT
} jwtc_alg;

#define JWTC_ALG_BIT(a) (1u << (a))
#define JWTC_ALGS_HMAC (JWTC_ALG_BIT(JWTC_ALG_HS256) | \
    JWTC_ALG_BIT(JWTC_ALG_HS384) | JWTC_ALG_BIT(JWTC_ALG_HS512))
#define JWTC_ALGS_DEFAULT \
    (JWTC_ALG_BIT(JWTC_ALG_RS256) | JWTC_ALG_BIT(JWTC_ALG_RS384) | \
     JWTC_ALG_BIT(JWTC_ALG_RS512) | JWTC_ALG_BIT(JWTC_ALG_PS256) | \
     JWTC_ALG_BIT(JWTC_ALG_PS384) | JWTC_ALG_BIT(JWTC_ALG_PS512) | \
     JWTC_ALG_BIT(JWTC_ALG_ES256) | JWTC_ALG_BIT(JWTC_ALG_ES384) | \
     JWTC_ALG_BIT(JWTC_ALG_ES512) | JWTC_ALG_BIT(JWTC_ALG_EDDSA))

/* Exact, case-sensitive registered names; JWTC_ALG_UNKNOWN otherwise
 * (also for every spelling of "none"). */
jwtc_alg jwtc_alg_from_name(const char *name);
const char *jwtc_alg_name(jwtc_alg alg);
/* Hash length in bytes of an HS* algorithm, 0 for the others. */
size_t jwtc_alg_hmac_len(jwtc_alg alg);

typedef enum jwtc_kty {
	JWTC_KTY_RSA = 1, JWTC_KTY_EC, JWTC_KTY_OKP
} jwtc_kty;

/* One imported public key.  Immutable after import. */
typedef struct jwtc_key {
	char *kid;           /* NULL when the JWK has none */
	jwtc_kty kty;
	int nid;             /* curve (EC, OKP) */
	unsigned bits;       /* RSA modulus or curve size */
	jwtc_alg alg;        /* the JWK's own "alg"; UNKNOWN when absent */
	bool alg_unusable;   /* "alg" present but not an algorithm we know */
	bool use_ok;         /* "use" absent or "sig" */
	bool ops_ok;         /* "key_ops" absent or holding "verify" */
	int64_t not_after;   /* x5c: not to be used after this; 0: no limit */
	EVP_PKEY *pkey;
	/* Verify contexts prepared once per algorithm (sig.c), filled on
	 * first use and read-only after; NULL: each verify prepares its own. */
	struct jwtc_sig_prep *prep;
} jwtc_key;

/* A key that was in a JWKS but could not be used, kept for messages. */
typedef struct jwtc_skipped_key {
	char *kid;
	char *reason;
} jwtc_skipped_key;

/* An immutable, reference-counted set of keys. */
typedef struct jwtc_keyset {
	int refs;            /* atomic */
	size_t n;
	jwtc_key *keys;
	size_t n_skipped;
	jwtc_skipped_key *skipped;
} jwtc_keyset;

/* Import one JWK (an object) as a verification key.  Private members are
 * ignored; "oct" keys are refused.  On failure why says why. */
jwtc_rc jwtc_jwk_import(const json_t *jwk, jwtc_key *out, char *why,
    size_t whylen);
void jwtc_key_clear(jwtc_key *k);

/* Parse a JWKS document ({"keys": [...]}, at most JWTC_MAX_KEYS).  Keys
 * that cannot be used are recorded in ->skipped.  A document that is not a
 * JWKS is an error. */
jwtc_rc jwtc_jwks_parse(const char *buf, size_t len, jwtc_keyset **out,
    jwtc_error *err);
jwtc_keyset *jwtc_keyset_ref(jwtc_keyset *ks);
void jwtc_keyset_unref(jwtc_keyset *ks);

/* Whether key k may verify alg: kty/curve bound to alg, the key's own alg,
 * use and key_ops.  When not, why says why. */
bool jwtc_key_fits(const jwtc_key *k, jwtc_alg alg, char *why, size_t whylen);

/* Verify sig over msg with k for alg (not HS*).  JWTC_OK,
 * JWTC_ERR_BAD_SIGNATURE (also for a signature of the wrong length or
 * form), JWTC_ERR_NO_MEMORY or JWTC_ERR_INTERNAL.  Thread-safe. */
jwtc_rc jwtc_sig_verify(const jwtc_key *k, jwtc_alg alg,
    const unsigned char *msg, size_t msglen,
    const unsigned char *sig, size_t siglen);

/* The table of prepared verify contexts of one key, empty; freed (with
 * every context in it) by jwtc_sig_prep_free, NULL a no-op. */
struct jwtc_sig_prep *jwtc_sig_prep_new(void);
void jwtc_sig_prep_free(struct jwtc_sig_prep *prep);

/* HS* check in constant time after a length check. */
jwtc_rc jwtc_hmac_verify(const unsigned char *secret, size_t secretlen,
    jwtc_alg alg, const unsigned char *msg, size_t msglen,
    const unsigned char *sig, size_t siglen);

/* ---- tokens (token.c) ------------------------------------------------- */

typedef struct jwtc_token {
	char *copy;                  /* NUL-terminated copy of the input */
	size_t len;
	size_t alloc_len;            /* copy's allocation, decoded parts too */
	size_t signing_input_len;    /* header "." payload, from copy */
	json_t *header;
	unsigned char *payload;      /* decoded payload bytes */
	size_t payload_len;
	json_t *claims;              /* NULL after jwtc_jws_parse */
	unsigned char *sig;
	size_t siglen;
	jwtc_alg alg;
	const char *alg_name;        /* as in the header (borrowed) */
	const char *kid;             /* borrowed from header, may be NULL */
	const char *typ;             /* borrowed, may be NULL */
	const char *iss;             /* borrowed from claims, may be NULL */
	const char *jti;             /* borrowed, may be NULL */
} jwtc_token;

/* Split and decode a compact JWS: exactly three strict base64url segments,
 * the header a JSON object with "alg" (a known algorithm) and none of the
 * refused members (crit, b64 other than true, cty JWT, enc/zip of JWE),
 * "kid" a string of at most JWTC_MAX_KID_LEN bytes, "typ" a string.  The
 * payload is kept as bytes, not parsed.  The size bound is checked first. */
jwtc_rc jwtc_jws_parse(const char *in, size_t len, size_t max_size,
    jwtc_token *out, jwtc_error *err);

/* jwtc_jws_parse, then the payload must be a JSON object (the claims);
 * "iss" and "jti", when present, must be strings.  No key or claim rule is
 * applied here. */
jwtc_rc jwtc_token_parse(const char *in, size_t len, size_t max_size,
    jwtc_token *out, jwtc_error *err);
void jwtc_token_clear(jwtc_token *t);

/* ---- configuration (config.c) ----------------------------------------- */

typedef struct jwtc_claim_value {
	char *name;
	char *value;
} jwtc_claim_value;

typedef struct jwtc_list {
	size_t n;
	char **v;
} jwtc_list;

/* The settings of one issuer section, [global] defaults resolved. */
typedef struct jwtc_issuer_cfg {
	char *name;                 /* section name, "inline" for arguments */
	unsigned line;              /* line of the section header, 0 if none */
	uint64_t set;               /* bit per option index: set explicitly */

	/* keys of [global] that an issuer may override */
	char *ca_file;
	long http_timeout;
	char *http_proxy;
	long leeway;
	long cache_ttl_min, cache_ttl_default, cache_ttl_max;
	long stale_max;
	long kid_refetch_interval;

	/* issuer keys */
	char *issuer;
	char *discovery_url;
	char *jwks_uri;
	char *jwks_file;
	jwtc_list audience;
	unsigned algorithms;        /* JWTC_ALG_BIT mask */
	char *hmac_secret_file;
	char *username_claim;
	char *username_domain;
	char *groups_claim;
	jwtc_list allowed_groups;
	jwtc_list required_scope;
	jwtc_list token_types;
	jwtc_list required_claims;
	size_t n_claim_values;
	jwtc_claim_value *claim_values;
	long max_token_age;         /* -1: not set */
	bool replay_protection;
	char *x5c_ca_file;
} jwtc_issuer_cfg;

struct jwtc_config {
	char *path;                 /* file name for messages, may be NULL */
	/* global-only keys */
	char *cache_dir;
	char *state_dir;
	long max_token_size;
	/* [global] values of the overridable keys live in a template section */
	jwtc_issuer_cfg global;
	size_t n_issuers;
	jwtc_issuer_cfg *issuers;
	bool finished;
};

/* Where an option may appear. */
typedef enum jwtc_opt_scope {
	JWTC_SCOPE_GLOBAL,   /* [global] only */
	JWTC_SCOPE_BOTH,     /* [global], overridable per issuer */
	JWTC_SCOPE_ISSUER    /* issuer sections only */
} jwtc_opt_scope;

typedef enum jwtc_opt_type {
	JWTC_OPT_STRING,     /* any non-empty text */
	JWTC_OPT_PATH,       /* absolute path */
	JWTC_OPT_URL,        /* https:// URL */
	JWTC_OPT_PROXY,      /* proxy URL */
	JWTC_OPT_SECONDS,    /* whole number in [min, max] */
	JWTC_OPT_SIZE,       /* whole number in [min, max] */
	JWTC_OPT_BOOL,       /* yes / no */
	JWTC_OPT_LIST,       /* list of non-empty words */
	JWTC_OPT_ALGS,       /* list of algorithm names */
	JWTC_OPT_CLAIMNAME,  /* a claim name */
	JWTC_OPT_CLAIMVALUES /* list of NAME=VALUE */
} jwtc_opt_type;

/* One row of the option table: the single source for parsing, defaults,
 * ranges and documentation. */
typedef struct jwtc_option {
	const char *name;
	jwtc_opt_type type;
	jwtc_opt_scope scope;
	const char *def;     /* default as text, NULL for none */
	long min, max;       /* for numbers */
	bool required;       /* issuer sections must set it */
	const char *doc;     /* one line for the documentation */
} jwtc_option;

/* The table, sorted by name, and its length. */
extern const jwtc_option jwtc_options[];
extern const size_t jwtc_n_options;
const jwtc_option *jwtc_option_find(const char *name);

/* Trusted-file checks on an opened descriptor: regular file (or directory
 * when dir), owned by root or the effective user, not writable by group or
 * others; not readable by others when secret.  why says what failed. */
bool jwtc_fd_trusted(int fd, bool dir, bool secret, char *why, size_t whylen);

/* Open a trusted file without following links and read at most max bytes
 * of it (more is an error).  *out is NUL-terminated.  Returns JWTC_OK or
 * JWTC_ERR_CONFIG with err naming the file. */
jwtc_rc jwtc_read_trusted_file(const char *path, size_t max, bool secret,
    char **out, size_t *outlen, jwtc_error *err);

/* jwtc_read_trusted_file for name relative to dirfd (AT_FDCWD or an open
 * directory: chrooted hosts keep cache_dir open); path names it in
 * messages; *stp (when not NULL) gets the file's status. */
struct stat;
jwtc_rc jwtc_read_trusted_at(int dirfd, const char *name, const char *path,
    size_t max, bool secret, char **out, size_t *outlen, struct stat *stp,
    jwtc_error *err);

/* ---- claims (claims.c) ------------------------------------------------ */

/* Apply every claim rule of the section to a token whose signature has
 * been verified; on success *user is the local user name (allocated). */
jwtc_rc jwtc_claims_check(const jwtc_issuer_cfg *is, const jwtc_token *t,
    int64_t now, char **user, jwtc_error *err);

/* A NumericDate: a JSON number, finite, in [0, 2^53].  Returns false for
 * anything else. */
bool jwtc_numeric_date(const json_t *v, double *out);

/* ---- HTTPS fetching (fetch.c) ------------------------------------------ */

/* libcurl is loaded with dlopen only when a fetch is due, so a login with
 * cached keys never maps it. */

typedef struct jwtc_http_opts {
	const char *ca_file;        /* NULL: the system trust store */
	const char *proxy;          /* NULL: no proxy; the environment's proxy
	                             * variables are never used */
	int64_t deadline_ms;        /* jwtc_monotonic_ms() value at which the
	                             * whole refresh must be over */
	size_t max_body;            /* bodies longer than this fail */
	const char *etag;           /* If-None-Match, or NULL */
	const char *last_modified;  /* If-Modified-Since, or NULL */
} jwtc_http_opts;

typedef struct jwtc_http_resp {
	long status;                /* 200 or 304 */
	char *body;                 /* NUL-terminated; NULL for 304 */
	size_t body_len;
	char *etag;                 /* NULL when absent */
	char *last_modified;        /* NULL when absent */
	long max_age;               /* Cache-Control max-age, -1 when none
	                             * (no-store/no-cache: 0) */
} jwtc_http_resp;

/* GET an https:// URL.  Redirects are followed only within the same origin
 * (scheme, host, port), at most 3.  Returns JWTC_OK with status 200 or 304,
 * JWTC_ERR_KEYS_UNAVAILABLE for any failure of the network, TLS, HTTP
 * status, size or time (err says which, never quoting the body),
 * JWTC_ERR_NO_MEMORY, or JWTC_ERR_INTERNAL when libcurl cannot be loaded.
 * Thread-safe. */
jwtc_rc jwtc_http_get(const char *url, const jwtc_http_opts *opts,
    jwtc_http_resp *out, jwtc_error *err);
void jwtc_http_resp_clear(jwtc_http_resp *r);

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t jwtc_monotonic_ms(void);

/* Whether this process may fetch in-process: not when it runs with
 * AT_SECURE (setuid/setgid, file capabilities), whose environment is the
 * caller's, unless the caller has cleared that environment. */
bool jwtc_fetch_allowed(bool at_secure, bool env_cleared);
/* getauxval(AT_SECURE) != 0 */
bool jwtc_at_secure(void);

/* Check an OpenID discovery document: a JSON object whose "issuer" equals
 * issuer exactly and whose "jwks_uri" is an https:// URL (at most 2048
 * bytes).  On success *jwks_uri is allocated. */
jwtc_rc jwtc_discovery_parse(const char *buf, size_t len, const char *issuer,
    char **jwks_uri, jwtc_error *err);

/* ---- x5c (x5c.c) ------------------------------------------------------- */

/* Certificates of x5c_ca_file, loaded once per context. */
typedef struct x509_store_st jwtc_x5c_store;
jwtc_rc jwtc_x5c_store_load(const char *ca_file, jwtc_x5c_store **out,
    jwtc_error *err);
void jwtc_x5c_store_free(jwtc_x5c_store *store);

/* Whether the JWK's "x5c" chain (standard base64 DER, at most 10
 * certificates, each at most 16 KiB) verifies to store at time now, and its
 * first certificate holds the public key pkey.  why says why not. */
bool jwtc_x5c_check(const json_t *jwk, const EVP_PKEY *pkey,
    jwtc_x5c_store *store, int64_t now, char *why, size_t whylen);

/* jwtc_x5c_check that also gives the earliest notAfter of the chain
 * (0 when none could be read): the key must not be used after it. */
bool jwtc_x5c_check_until(const json_t *jwk, const EVP_PKEY *pkey,
    jwtc_x5c_store *store, int64_t now, int64_t *not_after, char *why,
    size_t whylen);

/* jwtc_jwks_parse with an x5c filter: when store is not NULL, a key is
 * used only when jwtc_x5c_check passes (others go to ->skipped). */
jwtc_rc jwtc_jwks_parse_x5c(const char *buf, size_t len,
    jwtc_x5c_store *store, int64_t now, jwtc_keyset **out, jwtc_error *err);

/* ---- replay records (replay.c) ------------------------------------------ */

/*
 * Record that the token with this jti of this issuer was used, in the
 * directory open at dirfd (state_dir), until `until` (exp + leeway).
 * JWTC_OK the first time; JWTC_ERR_REPLAY when a live record exists (any
 * process on the host), or when no record can be written (the token is
 * then refused: err says why).  Expired records are removed along the way,
 * a bounded number per call.
 */
jwtc_rc jwtc_replay_record(int dirfd, const char *issuer, const char *jti,
    double until, int64_t now, jwtc_error *err);

/* ---- the shared key cache (cache.c) ------------------------------------ */

#define JWTC_MAX_CACHE_FILE (4 * 1024 * 1024)
#define JWTC_CACHE_NAME_LEN 70      /* 64 hex + ".json" / ".lock" + NUL */

/* What one cache file holds for one issuer. */
typedef struct jwtc_cache_entry {
	char *issuer;
	char *jwks_uri;           /* from discovery or the configuration */
	char *jwks;               /* raw JWKS text, NULL when never fetched */
	size_t jwks_len;
	char *etag;
	char *last_modified;
	int64_t fetched_at;       /* last 200 or 304 */
	int64_t fresh_until;
	int64_t stale_until;
	int64_t last_attempt;
	int64_t backoff_until;
	int64_t kid_refetch_at;   /* last refetch for an unknown kid */
	long failures;            /* consecutive failed attempts */
	char *last_failure;       /* reason of the last failure, or NULL */
	int64_t last_failure_at;
} jwtc_cache_entry;

void jwtc_cache_entry_clear(jwtc_cache_entry *e);
/* Deep copy; JWTC_OK or JWTC_ERR_NO_MEMORY. */
jwtc_rc jwtc_cache_entry_copy(const jwtc_cache_entry *src,
    jwtc_cache_entry *dst);

/* The cache and lock file names of a section: a hash of its issuer and of
 * the URLs it is configured with, never anything from a token. */
void jwtc_cache_names(const jwtc_issuer_cfg *is,
    char json[JWTC_CACHE_NAME_LEN], char lock[JWTC_CACHE_NAME_LEN]);

/* Parse and format the file's text (a JSON object).  Parsing checks every
 * member's type and range; the issuer must be `issuer`. */
jwtc_rc jwtc_cache_parse(const char *buf, size_t len, const char *issuer,
    jwtc_cache_entry *out, jwtc_error *err);
char *jwtc_cache_format(const jwtc_cache_entry *e);

/* Read name in the directory dirfd: JWTC_OK (found, *stp its status),
 * JWTC_ERR_NO_KEY when there is no such file, JWTC_ERR_CONFIG when it is
 * there but not trusted or not valid (err says why: log it, ignore it). */
jwtc_rc jwtc_cache_read(int dirfd, const char *name, const char *issuer,
    jwtc_cache_entry *out, struct stat *stp, jwtc_error *err);

/* Write by temp file and rename, mode 0644. */
jwtc_rc jwtc_cache_write(int dirfd, const char *name,
    const jwtc_cache_entry *e, jwtc_error *err);

/* Remove temp files of name left by writers killed between create and
 * rename (older than a minute); call with the lock held. */
void jwtc_cache_sweep(int dirfd, const char *name, int64_t now);

/* Take the lock file name in dirfd (flock, exclusive), waiting until
 * deadline_ms at most (0: do not wait).  Returns the descriptor, -1 when
 * another process holds it past the deadline, -2 when no lock can be had
 * here (cannot create or open the file, or it is not trusted; why, when
 * not NULL, then says so). */
int jwtc_cache_lock(int dirfd, const char *name, int64_t deadline_ms,
    char *why, size_t whylen);
void jwtc_cache_unlock(int fd);

/* ---- where an issuer's keys come from (keys.c) ---------------------------- */

/* What every key source of a context shares; owned by the context. */
typedef struct jwtc_keysrc_env {
	const jwtc_config *cfg;
	int cache_fd;             /* cache_dir, -1 when not usable */
	bool fetch_in_process;    /* false under AT_SECURE, unless cleared */
	const char *helper;       /* fetch helper, NULL for none */
	const jwtc_hooks *hooks;  /* log sink, debug */
} jwtc_keysrc_env;

/* The keys of one issuer section: a jwks_file read once, or the shared
 * cache and the issuer over HTTPS.  Thread-safe. */
typedef struct jwtc_keysrc jwtc_keysrc;

jwtc_rc jwtc_keysrc_new(const jwtc_keysrc_env *env, const jwtc_issuer_cfg *is,
    int64_t now, jwtc_keysrc **out, jwtc_error *err);
void jwtc_keysrc_free(jwtc_keysrc *src);
/* Whether a section's public keys come from the issuer over HTTPS. */
bool jwtc_issuer_is_network(const jwtc_issuer_cfg *is);
/* Whether the section has asymmetric keys at all (jwks_file or network);
 * false for an HMAC-only section. */
bool jwtc_keysrc_has_keys(const jwtc_keysrc *src);
/* Keys to verify with now (a reference: unref it), refreshing when they
 * are not fresh; JWTC_ERR_KEYS_UNAVAILABLE when none can be had. */
jwtc_rc jwtc_keysrc_get(jwtc_keysrc *src, int64_t now, jwtc_keyset **out,
    jwtc_error *err);
/* A token named a kid that is not in seen: refetch, at most once per
 * kid_refetch_interval across the host.  JWTC_OK with the new keys in
 * *out, JWTC_ERR_NO_KEY when no refetch is allowed now (err says when),
 * JWTC_ERR_KEYS_UNAVAILABLE when the refetch failed. */
jwtc_rc jwtc_keysrc_refetch(jwtc_keysrc *src, int64_t now,
    const char *kid, jwtc_keyset **out, jwtc_error *err);
/* jwt-auth fetch: refresh now (JWTC_FETCH_FORCE: whatever the freshness
 * and back-off), or as the fetch helper of a setuid process when due. */
jwtc_rc jwtc_keysrc_fetch(jwtc_keysrc *src, int64_t now, int mode,
    char *summary, size_t len, jwtc_error *err);
/* jwt-auth status lines (allocated). */
char *jwtc_keysrc_status(jwtc_keysrc *src, int64_t now);

/* ---- small helpers (util.c) ------------------------------------------- */

char *jwtc_strdup(const char *s);
/* strerror_r's text for e, reentrant. */
const char *jwtc_strerror(int e, char *buf, size_t len);
char *jwtc_strndup(const char *s, size_t n);
void jwtc_free_secret(void *p, size_t len);
/* Print s for a log line: control characters and non-ASCII escaped,
 * at most max bytes of s shown (longer gets "..."). */
void jwtc_sanitize(char *dst, size_t dstlen, const char *s, size_t max);
/* Short fingerprint of data (first 8 bytes of SHA-256, hex). */
void jwtc_fingerprint(const void *data, size_t len, char out[17]);

#endif /* JWTC_INTERNAL_H */
