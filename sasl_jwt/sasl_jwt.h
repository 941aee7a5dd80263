/*
 * sasl_jwt.h - what the files of the SASL plugin share.  Not installed.
 *
 * plugin.c     the entry points, the options, the shared verification
 *              context (rebuilt when its files change) and the log sink
 * common.c     what both mechanisms do: verify, set the identity, build the
 *              client's messages, answer the client callbacks
 * coreinfo.c   facts about a section the public core API does not give
 * oauthbearer.c, xoauth2.c
 *              one mechanism each, server and client
 * parse.c      the strict message parsers
 */
#ifndef SJWT_SASL_JWT_H
#define SJWT_SASL_JWT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sasl/sasl.h>
#include <sasl/saslplug.h>

#include "jwtc.h"
#include "parse.h"

/* Re-check the configuration's files at most this often. */
#define SJWT_RECHECK_MS 5000

typedef enum sjwt_authzid_mode {
	SJWT_AUTHZID_EQUAL = 0,   /* absent or equal to the token's user */
	SJWT_AUTHZID_PROXY        /* handed to the host's proxy policy */
} sjwt_authzid_mode;

/* A verification context in use: reference-counted, so that a reload can
 * replace it while exchanges still verify with the old one. */
typedef struct sjwt_shared {
	int refs;                 /* atomic */
	jwtc_ctx *ctx;
} sjwt_shared;

/* One file whose change makes the context be rebuilt. */
typedef struct sjwt_watch {
	char *path;
	bool seen;                /* stat worked when the context was built */
	uint64_t dev, ino, size;
	int64_t mtime_ns, ctime_ns;
} sjwt_watch;

/* The server side of one sasl_server_plug_init: shared by both mechanisms
 * (glob_context), freed when the last one's mech_free runs. */
typedef struct sjwt_glob {
	int refs;                        /* mechanisms holding it, atomic */
	const sasl_utils_t *utils;       /* libsasl2's global utils */
	sasl_server_plug_t plugs[2];     /* the table handed to libsasl2 */

	/* options, read once at init */
	bool configured;                 /* jwt_issuers given */
	char *config_path;
	char *issuers;
	sjwt_authzid_mode authzid_mode;
	int debug;

	/* the context, swapped under mu; a verification holds a reference */
	pthread_mutex_t mu;
	sjwt_shared *cur;                /* NULL: not offered */
	char *why;                       /* why cur is NULL */
	int why_level;                   /* SASL_LOG_ERR, or _NOTE when the
	                                  * plugin is merely unconfigured */
	bool why_logged;                 /* through a connection, once */
	int64_t checked_ms;              /* last look at the files */
	bool checking;                   /* a thread is looking at them */
	size_t n_watch;                  /* used only by the checking thread */
	sjwt_watch *watch;
} sjwt_glob;

/* ---- plugin.c ---------------------------------------------------------- */

/* The current context (a reference; NULL when none is usable), after a
 * look at its files when SJWT_RECHECK_MS passed since the last one; a
 * rebuild is logged through utils (NULL: the global ones). */
sjwt_shared *sjwt_acquire(sjwt_glob *g, const sasl_utils_t *utils);
void sjwt_release(sjwt_shared *s);

/* Send the core's log lines of this thread to utils (a connection's), with
 * the mechanism name in front; NULL goes back to the global utils. */
void sjwt_log_bind(const sasl_utils_t *utils, const char *mech);

/* Log through utils, like the core's sink. */
void sjwt_log(const sasl_utils_t *utils, int level, const char *mech,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* mech_avail of both mechanisms; mech_free of both. */
int sjwt_server_avail(sjwt_glob *g, sasl_server_params_t *sp,
    const char *mech);
void sjwt_server_free(sjwt_glob *g);

/* The commented tables of the mechanism files, copied into the arrays
 * handed to libsasl2. */
void oauthbearer_server_table(sasl_server_plug_t *out);
void xoauth2_server_table(sasl_server_plug_t *out);
void oauthbearer_client_table(sasl_client_plug_t *out);
void xoauth2_client_table(sasl_client_plug_t *out);

/* ---- common.c ---------------------------------------------------------- */

/* One server exchange: what the server sent and must see acknowledged. */
typedef struct sjwt_server_state {
	sjwt_glob *glob;
	int stage;                /* 0: waiting for the client's message,
	                           * 1: error sent, waiting for the client's
	                           * acknowledgement, 2: done */
	char *challenge;          /* the error JSON sent (owned) */
	size_t challenge_len;
} sjwt_server_state;

int sjwt_server_state_new(sjwt_glob *g, void **out);
void sjwt_server_state_free(sjwt_server_state *st);

/* Verify token through the shared context, the core's log lines going to
 * this connection.  JWTC_OK: *res is set.  A refusal (JWTC_CLASS_REJECTED):
 * *json is the error message for the client, naming the issuer the token's
 * iss pointed at.  No usable context: JWTC_ERR_CONFIG. */
jwtc_rc sjwt_verify(sjwt_glob *g, sasl_server_params_t *sp, const char *mech,
    bool xoauth2, const char *token, size_t len, const char *expected_user,
    jwtc_result **res, char **json);

/* The RFC 7628 error message answering a discovery request (empty auth=):
 * invalid_token, with the openid-configuration of the only trusted
 * section.  Allocated; NULL when out of memory. */
char *sjwt_discovery_json(sjwt_glob *g, sasl_server_params_t *sp);

/* Make user the authentication identity and, when authzid is NULL or
 * equal, the authorization identity too; a different authzid is refused
 * (jwt_authzid equal) or given to the host's proxy policy (proxy).  Then
 * the exchange is complete. */
int sjwt_set_identity(sjwt_glob *g, sasl_server_params_t *sp,
    const char *mech, const char *user, const char *authzid,
    sasl_out_params_t *op);

/* Keep json as the challenge and send it: stage 1, SASL_CONTINUE. */
int sjwt_send_challenge(sjwt_server_state *st, char *json,
    const char **serverout, unsigned *serveroutlen);

/* The server's answer to sjwt_verify's outcome rc (res and json as it
 * left them, taken over): the identity set (authzid as for
 * sjwt_set_identity) on success, the error message sent for a refused
 * token, a failure code otherwise. */
int sjwt_server_verdict(sjwt_server_state *st, sasl_server_params_t *sp,
    const char *mech, jwtc_rc rc, jwtc_result *res, char *json,
    const char *authzid, const char **serverout, unsigned *serveroutlen,
    sasl_out_params_t *op);

/* Client side: a value of the callback id from a filled-in prompt, else
 * from the application's callback; SASL_INTERACT when neither has it and
 * may_prompt.  Not given and not to be prompted for: SASL_OK, *out NULL. */
int sjwt_client_simple(sasl_client_params_t *cp, unsigned long id,
    sasl_interact_t **prompt_need, bool may_prompt, const char **out);
/* The token from the password callback (or prompt): copied into *out
 * (wiped and freed by the caller with sjwt_free_secret), surrounding
 * white space dropped, and checked to be a b64token. */
int sjwt_client_token(sasl_client_params_t *cp,
    sasl_interact_t **prompt_need, char **out, size_t *outlen);
/* Ask for the prompts whose ids are listed (n at most 3). */
int sjwt_client_prompts(sasl_client_params_t *cp,
    sasl_interact_t **prompt_need, const unsigned long *ids,
    const char *const *texts, size_t n);
/* Drop the prompts an earlier step asked for. */
void sjwt_client_prompts_free(sasl_client_params_t *cp,
    sasl_interact_t **prompt_need);
/* canon_user on the client side (the host only shows it). */
int sjwt_client_identity(sasl_client_params_t *cp, const char *user,
    sasl_out_params_t *op);
void sjwt_oparams_done(sasl_out_params_t *op);
void sjwt_free_secret(char *p, size_t len);

/* One client exchange. */
typedef struct sjwt_client_state {
	int stage;                /* 0: first message, 1: sent, 2: acked */
	char *out;                /* the message sent (owned, wiped) */
	size_t out_len;
} sjwt_client_state;

int sjwt_client_state_new(void **out);
void sjwt_client_state_free(sjwt_client_state *st);

/* The two steps of a mechanism's client: its first message, and its
 * answer to what the server sends back (an error challenge). */
typedef int (*sjwt_client_first_fn)(sjwt_client_state *st,
    sasl_client_params_t *cp, sasl_interact_t **prompt_need,
    const char **out, unsigned *outlen, sasl_out_params_t *op);
typedef int (*sjwt_client_answer_fn)(sjwt_client_state *st,
    sasl_client_params_t *cp, const char *in, unsigned inlen,
    const char **out, unsigned *outlen, sasl_out_params_t *op);

/* mech_step of both clients: checks, then the step for the stage. */
int sjwt_client_step(sjwt_client_state *st, sasl_client_params_t *cp,
    const char *serverin, unsigned serverinlen,
    sasl_interact_t **prompt_need, const char **clientout,
    unsigned *clientoutlen, sasl_out_params_t *oparams,
    sjwt_client_first_fn first, sjwt_client_answer_fn answer);
/* The message to send: kept in st (wiped later), handed out. */
void sjwt_client_send(sjwt_client_state *st, char *msg, size_t len,
    const char **clientout, unsigned *clientoutlen);

/* ---- coreinfo.c ------------------------------------------------------------ */

/* The URL of a section's OpenID discovery document (discovery_url, or
 * issuer + /.well-known/openid-configuration for an https:// issuer) and
 * its required_scope joined by spaces.  Each allocated, NULL when the
 * section has none.  section NULL or "": the context's only trusted
 * section, if it has just one.  0, or -1 when out of memory. */
int sjwt_section_info(const jwtc_ctx *ctx, const char *section,
    char **discovery, char **scope);

/* The files a configuration depends on for the sections listed in issuers
 * (spaces or commas): each jwks_file and hmac_secret_file.  *out is an
 * allocated array of allocated paths.  0, or -1 when out of memory. */
int sjwt_config_files(const jwtc_config *cfg, const char *issuers,
    char ***out, size_t *n);

#endif /* SJWT_SASL_JWT_H */
