/*
 * jwtc.h - the public interface of the jwt-auth verification core.
 *
 * This header is the whole API used by the PAM module, the SASL plugin and
 * the jwt-auth command.  It includes no PAM or SASL header.  The core never
 * exits, aborts or logs by itself: it reports through a caller-supplied log
 * sink and a caller-owned error structure.  A jwtc_ctx may be shared by many
 * threads once created.
 */
#ifndef JWTC_H
#define JWTC_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every result of the core.  OK is zero; each refusal has its own code. */
typedef enum jwtc_rc {
	JWTC_OK = 0,
	JWTC_ERR_MALFORMED,        /* not a well-formed compact JWS */
	JWTC_ERR_TOO_LARGE,        /* longer than max_token_size */
	JWTC_ERR_UNSUPPORTED,      /* JWE, crit, b64:false, nested JWT, ... */
	JWTC_ERR_ALG,              /* alg none, unknown or not allowed */
	JWTC_ERR_UNKNOWN_ISSUER,   /* iss names no trusted section */
	JWTC_ERR_NO_KEY,           /* no key of the issuer fits the token */
	JWTC_ERR_BAD_SIGNATURE,
	JWTC_ERR_EXPIRED,
	JWTC_ERR_NOT_YET_VALID,    /* nbf in the future */
	JWTC_ERR_ISSUED_IN_FUTURE, /* iat in the future */
	JWTC_ERR_TOO_OLD,          /* max_token_age exceeded */
	JWTC_ERR_AUDIENCE,
	JWTC_ERR_TOKEN_TYPE,
	JWTC_ERR_CLAIM,            /* required claim missing, bad type, value */
	JWTC_ERR_GROUP,
	JWTC_ERR_SCOPE,
	JWTC_ERR_USER,             /* no usable user name in the token */
	JWTC_ERR_USER_MISMATCH,    /* token user differs from the expected one */
	JWTC_ERR_REPLAY,
	JWTC_ERR_KEYS_UNAVAILABLE, /* keys cannot be had: temporary */
	JWTC_ERR_CONFIG,
	JWTC_ERR_NO_MEMORY,
	JWTC_ERR_INTERNAL,
	JWTC_RC_COUNT
} jwtc_rc;

/* A short static name for a result ("expired", "bad signature", ...). */
const char *jwtc_rc_str(jwtc_rc rc);

/* Classes of results, for adapters that map them to their host's codes. */
typedef enum jwtc_class {
	JWTC_CLASS_OK = 0,
	JWTC_CLASS_REJECTED,    /* the token (or its user) is not acceptable */
	JWTC_CLASS_UNAVAILABLE, /* try again later: keys cannot be had */
	JWTC_CLASS_CONFIG,      /* broken configuration */
	JWTC_CLASS_NO_MEMORY,
	JWTC_CLASS_INTERNAL
} jwtc_class;

jwtc_class jwtc_rc_class(jwtc_rc rc);

/* Caller-owned error detail: the result and one line an admin can act on.
 * After jwtc_verify, section names the trusted section whose issuer the
 * token's iss named ("" when none did), so an adapter can tell the client
 * where that issuer is (the SASL error message). */
#define JWTC_ERRMSG_MAX 512
#define JWTC_SECTION_MAX 72
typedef struct jwtc_error {
	jwtc_rc rc;
	char msg[JWTC_ERRMSG_MAX];
	char section[JWTC_SECTION_MAX];
} jwtc_error;

/* Log priorities, numerically equal to syslog's. */
enum { JWTC_LOG_ERR = 3, JWTC_LOG_WARNING = 4, JWTC_LOG_NOTICE = 5,
       JWTC_LOG_INFO = 6, JWTC_LOG_DEBUG = 7 };

typedef void (*jwtc_log_fn)(void *arg, int priority, const char *msg);
typedef int64_t (*jwtc_clock_fn)(void *arg);

/* A parsed configuration (file, arguments, or both). */
typedef struct jwtc_config jwtc_config;

/* Read and check a configuration file.  On failure err->msg names the
 * file, the line and the key. */
jwtc_rc jwtc_config_load(const char *path, jwtc_config **out, jwtc_error *err);

/* Parse configuration text held in memory; name is used in messages.  No
 * ownership or permission check is made on it. */
jwtc_rc jwtc_config_parse(const char *name, const char *buf, size_t len,
    jwtc_config **out, jwtc_error *err);

/* An empty configuration, for issuers defined by module arguments. */
jwtc_rc jwtc_config_new(jwtc_config **out, jwtc_error *err);

/* Set KEY=VALUE in the section named SECTION (NULL: [global]; the section is
 * created when it does not exist yet).  List values are split at any of the
 * characters in SEPS.  WHERE names the source in messages. */
jwtc_rc jwtc_config_set(jwtc_config *cfg, const char *section,
    const char *key, const char *value, const char *seps, const char *where,
    jwtc_error *err);

/* Check cross-key rules (required keys, ranges between keys); called by
 * jwtc_config_load/parse, and needed after jwtc_config_set. */
jwtc_rc jwtc_config_finish(jwtc_config *cfg, jwtc_error *err);

void jwtc_config_free(jwtc_config *cfg);

/* The issuer sections of a configuration, in file order. */
size_t jwtc_config_count(const jwtc_config *cfg);
const char *jwtc_config_section(const jwtc_config *cfg, size_t i);

/* Hooks given to a context.  All are optional. */
typedef struct jwtc_hooks {
	jwtc_log_fn log;      /* where the core's log lines go */
	void *log_arg;
	jwtc_clock_fn clock;  /* current time in seconds; default time() */
	void *clock_arg;
	int debug;            /* log each step at JWTC_LOG_DEBUG */
	int dry_run;          /* never record a jti (jwt-auth verify) */
	/* The process environment has been cleared: fetching in-process is
	 * then allowed even with AT_SECURE (setuid callers). */
	int env_cleared;
	/* Program run (with an empty environment) to fetch keys when this
	 * process may not fetch itself; NULL: the installed jwt-auth. */
	const char *fetch_helper;
} jwtc_hooks;

typedef struct jwtc_ctx jwtc_ctx;

/*
 * Create a verification context from a finished configuration, which it
 * takes over (also on failure).  issuers lists the trusted section names
 * separated by spaces or commas; NULL or "" trusts every section.  Local
 * key files are read and checked here.
 */
jwtc_rc jwtc_ctx_new(jwtc_config *cfg, const char *issuers,
    const jwtc_hooks *hooks, jwtc_ctx **out, jwtc_error *err);
void jwtc_ctx_free(jwtc_ctx *ctx);

/* The configuration a context uses (read only). */
const jwtc_config *jwtc_ctx_config(const jwtc_ctx *ctx);

/* The trusted sections of a context, in configuration order. */
size_t jwtc_ctx_count(const jwtc_ctx *ctx);
const char *jwtc_ctx_section(const jwtc_ctx *ctx, size_t i);

/*
 * Refresh the keys of one section now, ignoring freshness and back-off
 * (jwt-auth fetch).  summary gets one line ("fetched 2 keys, fresh for
 * 3600 s", "static (jwks_file ..., 2 keys)").  JWTC_OK, or
 * JWTC_ERR_KEYS_UNAVAILABLE with err saying why.
 */
#define JWTC_FETCH_FORCE 0 /* now, whatever freshness and back-off */
#define JWTC_FETCH_STALE 1 /* when the keys are not fresh (fetch helper) */
#define JWTC_FETCH_KID 2   /* an unknown kid: when the interval allows */
jwtc_rc jwtc_fetch(jwtc_ctx *ctx, const char *section, int mode,
    char *summary, size_t len, jwtc_error *err);

/* What is known of a section's keys, without fetching: several lines of
 * "name: value" text (see jwt-auth status).  Caller frees. */
char *jwtc_status_text(jwtc_ctx *ctx, const char *section);

typedef struct jwtc_result jwtc_result;

/*
 * Verify one token.  When expected_user is not NULL the token's user must be
 * equal to it.  One log line is written for the outcome.  On success *out
 * holds the result (free with jwtc_result_free).
 */
jwtc_rc jwtc_verify(jwtc_ctx *ctx, const char *token, size_t len,
    const char *expected_user, jwtc_result **out, jwtc_error *err);

const char *jwtc_result_section(const jwtc_result *r); /* section name */
const char *jwtc_result_iss(const jwtc_result *r);
const char *jwtc_result_user(const jwtc_result *r);
const char *jwtc_result_kid(const jwtc_result *r);     /* may be NULL */
const char *jwtc_result_jti(const jwtc_result *r);     /* may be NULL */
double jwtc_result_exp(const jwtc_result *r);
/* The result as the JSON object jwt-auth verify prints; caller frees. */
char *jwtc_result_json(const jwtc_result *r);
/* A claim as a string: strings as they are, numbers and booleans printed,
 * arrays of those joined with ','.  NULL when absent or of another type.
 * Caller frees. */
char *jwtc_result_claim_string(const jwtc_result *r, const char *name);
void jwtc_result_free(jwtc_result *r);

const char *jwtc_version(void);

#ifdef __cplusplus
}
#endif
#endif /* JWTC_H */
