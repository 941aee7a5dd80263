/*
 * xoauth2.c - the XOAUTH2 mechanism (Google's), server and client.
 *
 * The client sends "user=" NAME %x01 "auth=Bearer " TOKEN %x01 %x01.  The
 * server verifies the token with NAME as the user it must be for (the same
 * rule as an authorization identity under jwt_authzid equal).  Refused: a
 * challenge with Google's error JSON ({"status":"401","schemes":"bearer",
 * "scope":...}), then SASL_BADAUTH once the client answers it (Google's
 * clients send an empty answer, some send %x01; both are taken).  Keys
 * that cannot be had: SASL_UNAVAIL.  A malformed message: SASL_BADPROT.
 *
 * Client: user= from the authentication name callback, the token from the
 * password callback; an empty answer after an error challenge.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <stdlib.h>
#include <string.h>

#include "sasl_jwt.h"

#define MECH "XOAUTH2"
#define KVSEP '\001'

/*****************************  Common Section  *****************************/

static const unsigned long xoauth2_required_prompts[] = {
	SASL_CB_AUTHNAME,
	SASL_CB_PASS,
	SASL_CB_LIST_END
};

/*****************************  Server Section  *****************************/

static int
xoauth2_server_mech_avail(void *glob_context, sasl_server_params_t *sp,
    void **conn_context)
{
	(void)conn_context;
	return sjwt_server_avail(glob_context, sp, MECH);
}

static int
xoauth2_server_mech_new(void *glob_context, sasl_server_params_t *sp,
    const char *challenge, unsigned challen, void **conn_context)
{
	(void)sp;
	(void)challenge;
	(void)challen;
	return sjwt_server_state_new(glob_context, conn_context);
}

static int
server_first(sjwt_server_state *st, sasl_server_params_t *sp, const char *in,
    unsigned inlen, const char **out, unsigned *outlen, sasl_out_params_t *op)
{
	const sasl_utils_t *u = sp->utils;
	jwtc_result *res = NULL;
	char *json = NULL;
	sjwt_msg m;
	sjwt_perr e;
	jwtc_rc rc;

	e = sjwt_parse_xoauth2(in, inlen, &m);
	if (e != SJWT_PARSE_OK) {
		st->stage = 2;
		sjwt_log(u, SASL_LOG_FAIL, MECH, "malformed client message: %s",
		    sjwt_perr_str(e));
		u->seterror(u->conn, SASL_NOLOG, "malformed " MECH " message");
		return SASL_BADPROT;
	}
	rc = sjwt_verify(st->glob, sp, MECH, true, m.token, m.token_len,
	    m.user, &res, &json);
	return sjwt_server_verdict(st, sp, MECH, rc, res, json, NULL, out,
	    outlen, op);
}

/* The client's answer to the error message: empty or %x01. */
static int
server_ack(sjwt_server_state *st, sasl_server_params_t *sp, const char *in,
    unsigned inlen)
{
	const sasl_utils_t *u = sp->utils;

	st->stage = 2;
	if (inlen == 0 || (in != NULL && inlen == 1 && in[0] == KVSEP)) {
		u->seterror(u->conn, SASL_NOLOG, "authentication failed");
		return SASL_BADAUTH;
	}
	sjwt_log(u, SASL_LOG_FAIL, MECH, "client answered the error message "
	    "with data");
	u->seterror(u->conn, SASL_NOLOG, "malformed " MECH " message");
	return SASL_BADPROT;
}

static int
xoauth2_server_mech_step(void *conn_context, sasl_server_params_t *sp,
    const char *clientin, unsigned clientinlen, const char **serverout,
    unsigned *serveroutlen, sasl_out_params_t *oparams)
{
	sjwt_server_state *st = conn_context;

	if (st == NULL || sp == NULL || sp->utils == NULL || serverout == NULL ||
	    serveroutlen == NULL || oparams == NULL)
		return SASL_BADPARAM;
	*serverout = NULL;
	*serveroutlen = 0;
	switch (st->stage) {
	case 0:
		return server_first(st, sp, clientin, clientinlen, serverout,
		    serveroutlen, oparams);
	case 1:
		return server_ack(st, sp, clientin, clientinlen);
	default:
		return SASL_BADPROT;
	}
}

static void
xoauth2_server_mech_dispose(void *conn_context, const sasl_utils_t *utils)
{
	(void)utils;
	sjwt_server_state_free(conn_context);
}

static void
xoauth2_server_mech_free(void *glob_context, const sasl_utils_t *utils)
{
	(void)utils;
	sjwt_server_free(glob_context);
}

static const sasl_server_plug_t xoauth2_server_plug = {
	MECH,                                   /* mech_name */
	0,                                      /* max_ssf */
	SASL_SEC_NOANONYMOUS
	| SASL_SEC_PASS_CREDENTIALS,            /* security_flags */
	SASL_FEAT_WANT_CLIENT_FIRST,            /* features: no authzid, so
	                                         * no proxy authorization */
	NULL,                                   /* glob_context: plugin.c */
	&xoauth2_server_mech_new,               /* mech_new */
	&xoauth2_server_mech_step,              /* mech_step */
	&xoauth2_server_mech_dispose,           /* mech_dispose */
	&xoauth2_server_mech_free,              /* mech_free */
	NULL,                                   /* setpass */
	NULL,                                   /* user_query */
	NULL,                                   /* idle */
	&xoauth2_server_mech_avail,             /* mech_avail */
	NULL                                    /* spare */
};

void
xoauth2_server_table(sasl_server_plug_t *out)
{
	*out = xoauth2_server_plug;
}

/*****************************  Client Section  *****************************/

static int
xoauth2_client_mech_new(void *glob_context, sasl_client_params_t *cp,
    void **conn_context)
{
	(void)glob_context;
	(void)cp;
	return sjwt_client_state_new(conn_context);
}

/* A user name fit for user=: 1..SJWT_MAX_ID bytes, no control byte. */
static bool
user_ok(const char *user)
{
	size_t n, i;

	if (user == NULL)
		return false;
	n = strnlen(user, SJWT_MAX_ID + 1);
	if (n == 0 || n > SJWT_MAX_ID)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)user[i] < 0x20 || user[i] == 0x7f)
			return false;
	return true;
}

static char *
client_message(const char *user, const char *token, size_t toklen,
    size_t *len)
{
	size_t ul = strlen(user), at = 0;
	char *m = malloc(5 + ul + 1 + 12 + toklen + 2);

	if (m == NULL)
		return NULL;
	memcpy(m + at, "user=", 5);
	at += 5;
	memcpy(m + at, user, ul);
	at += ul;
	m[at++] = KVSEP;
	memcpy(m + at, "auth=Bearer ", 12);
	at += 12;
	memcpy(m + at, token, toklen);
	at += toklen;
	m[at++] = KVSEP;
	m[at++] = KVSEP;
	*len = at;
	return m;
}

static int
client_first(sjwt_client_state *st, sasl_client_params_t *cp,
    sasl_interact_t **prompt_need, const char **out, unsigned *outlen,
    sasl_out_params_t *op)
{
	static const char *const texts[] = { "User name", "Bearer token" };
	const char *user = NULL;
	unsigned long ids[2];
	const char *txt[2];
	char *token = NULL, *msg;
	size_t toklen = 0, len = 0, n = 0;
	int ra, rp, r;

	ra = sjwt_client_simple(cp, SASL_CB_AUTHNAME, prompt_need, true, &user);
	if (ra != SASL_OK && ra != SASL_INTERACT)
		return ra;
	rp = sjwt_client_token(cp, prompt_need, &token, &toklen);
	if (rp != SASL_OK && rp != SASL_INTERACT)
		return rp;
	sjwt_client_prompts_free(cp, prompt_need);
	if (ra == SASL_INTERACT || rp == SASL_INTERACT) {
		sjwt_free_secret(token, toklen);
		if (ra == SASL_INTERACT) {
			ids[n] = SASL_CB_AUTHNAME;
			txt[n++] = texts[0];
		}
		if (rp == SASL_INTERACT) {
			ids[n] = SASL_CB_PASS;
			txt[n++] = texts[1];
		}
		return sjwt_client_prompts(cp, prompt_need, ids, txt, n);
	}
	if (!user_ok(user)) {
		sjwt_free_secret(token, toklen);
		cp->utils->seterror(cp->utils->conn, SASL_NOLOG, MECH " needs "
		    "a user name");
		return SASL_BADPARAM;
	}
	r = sjwt_client_identity(cp, user, op);
	if (r != SASL_OK) {
		sjwt_free_secret(token, toklen);
		return r;
	}
	msg = client_message(user, token, toklen, &len);
	sjwt_free_secret(token, toklen);
	if (msg == NULL)
		return SASL_NOMEM;
	sjwt_client_send(st, msg, len, out, outlen);
	st->stage = 1;
	return SASL_CONTINUE;
}

/* Nothing from the server: accepted.  Its error JSON: answer empty. */
static int
client_answer(sjwt_client_state *st, sasl_client_params_t *cp,
    const char *in, unsigned inlen, const char **out, unsigned *outlen,
    sasl_out_params_t *op)
{
	if (inlen == 0) {
		st->stage = 3;
		sjwt_oparams_done(op);
		return SASL_OK;
	}
	if (in == NULL || in[0] != '{') {
		cp->utils->seterror(cp->utils->conn, SASL_NOLOG, "unexpected "
		    "data from the server");
		return SASL_BADPROT;
	}
	st->stage = 2;
	*out = "";
	*outlen = 0;
	return SASL_CONTINUE;
}

static int
xoauth2_client_mech_step(void *conn_context, sasl_client_params_t *cp,
    const char *serverin, unsigned serverinlen,
    sasl_interact_t **prompt_need, const char **clientout,
    unsigned *clientoutlen, sasl_out_params_t *oparams)
{
	return sjwt_client_step(conn_context, cp, serverin, serverinlen,
	    prompt_need, clientout, clientoutlen, oparams, client_first,
	    client_answer);
}

static void
xoauth2_client_mech_dispose(void *conn_context, const sasl_utils_t *utils)
{
	(void)utils;
	sjwt_client_state_free(conn_context);
}

static const sasl_client_plug_t xoauth2_client_plug = {
	MECH,                                   /* mech_name */
	0,                                      /* max_ssf */
	SASL_SEC_NOANONYMOUS
	| SASL_SEC_PASS_CREDENTIALS,            /* security_flags */
	SASL_FEAT_WANT_CLIENT_FIRST,            /* features: no authzid, so
	                                         * no proxy authorization */
	xoauth2_required_prompts,               /* required_prompts */
	NULL,                                   /* glob_context */
	&xoauth2_client_mech_new,               /* mech_new */
	&xoauth2_client_mech_step,              /* mech_step */
	&xoauth2_client_mech_dispose,           /* mech_dispose */
	NULL,                                   /* mech_free */
	NULL,                                   /* idle */
	NULL,                                   /* spare */
	NULL                                    /* spare */
};

void
xoauth2_client_table(sasl_client_plug_t *out)
{
	*out = xoauth2_client_plug;
}
