/*
 * pam_jwt.h - declarations shared by the files of pam_jwt.so and by its
 * tests.  Not installed.
 *
 * The module is built in two parts: the files declared here form a
 * convenience library (libpamjwt.la) that the tests link too, and
 * pam_jwt.c holds the PAM entry points, the only symbols pam_jwt.so
 * exports.
 */
#ifndef PAM_JWT_H
#define PAM_JWT_H

#include <stdbool.h>
#include <stddef.h>

#include <security/pam_modules.h>

#include "jwtc.h"

/* Named limits of the module. */
#define PJWT_MAX_PARTS 64          /* prompts for one token */
#define PJWT_MAX_INPUT 65536       /* bytes assembled from the replies; the
                                    * core then applies max_token_size */
#define PJWT_MAX_ARGS 128          /* module arguments */
#define PJWT_MAX_KEY 64            /* bytes in an argument's KEY= */
#define PJWT_MAX_EXPORTS 32        /* claims in export_claims= */
#define PJWT_MAX_CLAIM_NAME 64     /* bytes in one exported claim name */
#define PJWT_MAX_ENV_VALUE 1024    /* bytes in one exported value */
#define PJWT_MSG_MAX 512           /* one argument error message */

#define PJWT_DEFAULT_PROMPT "Token: "
/* The prompt for the parts after the first, exactly as SPEC.md has it. */
#define PJWT_PART_PROMPT "Token (part %u): "
/* The name of the section that module arguments define. */
#define PJWT_INLINE_SECTION "inline"
/* pam_set_data name of what auth leaves for account. */
#define PJWT_DATA_NAME "pam_jwt.auth"

/* ---- arguments (args.c) --------------------------------------------------- */

/* One configuration key given as a module argument (KEY=VALUE). */
typedef struct pjwt_setting {
	char key[PJWT_MAX_KEY + 1];
	const char *value;          /* points into argv */
} pjwt_setting;

/* The parsed module arguments.  Strings point into argv, which libpam
 * keeps for as long as the module is loaded. */
typedef struct pjwt_args {
	const char *config;         /* config=, NULL for the default */
	const char *issuers;        /* issuers=, NULL for all sections */
	const char *prompt;         /* prompt=, NULL for the default */
	const char *export_claims;  /* export_claims=, NULL for none */
	bool debug;
	bool use_first_pass;
	bool try_first_pass;
	bool has_issuer;            /* issuer= among the settings */
	size_t n_settings;
	pjwt_setting settings[PJWT_MAX_ARGS];
} pjwt_args;

/*
 * Parse the module arguments.  0, or -1 with why naming the argument and
 * the problem.  Configuration keys are only split from their values here;
 * the core checks them when pjwt_args_config() builds the configuration.
 */
int pjwt_args_parse(int argc, const char **argv, pjwt_args *out, char *why,
    size_t whylen);

/*
 * The configuration the arguments call for: the file (config= or the
 * default) when no issuer= is given; otherwise a section "inline" made of
 * the settings, added to the file named by config= when there is one.
 */
jwtc_rc pjwt_args_config(const pjwt_args *a, jwtc_config **out,
    jwtc_error *err);

/* The next name of export_claims= (checked by pjwt_args_parse), copied
 * into name; *cur advances.  false at the end. */
bool pjwt_next_claim(const char **cur, char *name, size_t namelen);

/* At most n bytes of s for a log line, control characters as '?', cut
 * with "..." to fit len. */
const char *pjwt_shown(char *buf, size_t len, const char *s, size_t n);

/* The names of the module's own arguments, sorted (for docs and tests). */
size_t pjwt_args_count(void);
const char *pjwt_args_name(size_t i);

/* ---- facts the public API of the core does not give (coreinfo.c) --------- */

/* Whether key is a configuration key that only [global] may set
 * (cache_dir, state_dir, max_token_size). */
bool pjwt_key_global_only(const char *key);

/* The leeway of a section of the context's configuration, 0 when the
 * section is unknown. */
long pjwt_section_leeway(const jwtc_ctx *ctx, const char *section);

/*
 * Whether input of len bytes starts like a JWS: only base64url characters
 * and dots, and before the first dot a header that decodes to a JSON
 * object with a string "alg".  A password does not; only for input that
 * does may a log line give its length.
 */
bool pjwt_looks_like_jws(const char *in, size_t len);

/*
 * Whether a refused token of len bytes looks cut short by its client: it
 * starts like a JWS (pjwt_looks_like_jws) and its length is 511, 1023,
 * 1024 or 4095 bytes, or it parses and its signature is shorter than the
 * smallest its algorithm allows.
 */
bool pjwt_looks_truncated(const char *token, size_t len);

/* ---- the token from the conversation (conv.c) ---------------------------- */

/* Whether reply is a token part: it ends in one '\' and otherwise holds
 * only base64url characters and dots (at least one). */
bool pjwt_is_part(const char *reply, size_t len);

/* A token read by pjwt_get_token(); wipe with pjwt_token_free. */
typedef struct pjwt_input {
	char *buf;                  /* NUL-terminated */
	size_t len;
	size_t cap;
	unsigned parts;             /* replies it was assembled from, 0 when
	                             * it came from PAM_AUTHTOK */
} pjwt_input;

void pjwt_input_free(pjwt_input *in);

/* Where pjwt_get_token() looks. */
typedef enum pjwt_source {
	PJWT_SRC_PROMPT = 0,        /* always ask */
	PJWT_SRC_AUTHTOK_ONLY,      /* use_first_pass */
	PJWT_SRC_AUTHTOK_FIRST      /* try_first_pass: PAM_AUTHTOK when set */
} pjwt_source;

/*
 * Ask for a token with prompt (echo off), in parts as SPEC.md describes,
 * and make what was read PAM_AUTHTOK.  PAM_SUCCESS; PAM_CONV_ERR when the
 * conversation fails; PAM_AUTH_ERR when the parts exceed the limits (a log
 * line says which); PAM_BUF_ERR.
 */
int pjwt_prompt_token(pam_handle_t *pamh, const char *prompt, bool debug,
    pjwt_input *out);

/* PAM_AUTHTOK as a token: PAM_SUCCESS, PAM_AUTHINFO_UNAVAIL when there is
 * none (or it is empty), PAM_AUTH_ERR when it exceeds PJWT_MAX_INPUT
 * (logged), PAM_BUF_ERR. */
int pjwt_authtok_token(pam_handle_t *pamh, pjwt_input *out);

/* ---- the glue (module.c) --------------------------------------------------- */

/* The PAM result for a result of the core: the one switch. */
int pjwt_pam_code(jwtc_rc rc);

/* Sanitize a claim value for the PAM environment: 0 when it may be
 * exported as it is; -1 with why set when it holds a control character
 * (C0, DEL, C1), a Unicode line or paragraph separator (U+2028, U+2029)
 * or bidirectional control (U+202A to U+202E, U+2066 to U+2069), or
 * exceeds PJWT_MAX_ENV_VALUE bytes. */
int pjwt_env_value_ok(const char *value, const char **why);

/* "JWT_" and the claim name in upper case, other characters '_'.  0, or -1
 * when out is too small. */
int pjwt_env_name(const char *claim, char *out, size_t outlen);

/* What the entry points run: each is the whole of one pam_sm_* call. */
int pjwt_authenticate(pam_handle_t *pamh, int flags, int argc,
    const char **argv);
int pjwt_acct_mgmt(pam_handle_t *pamh, int flags, int argc,
    const char **argv);

/* Log through pam_syslog (never the token). */
void pjwt_log(pam_handle_t *pamh, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* PAM_JWT_H */
