/*
 * oauthbearer.c - the OAUTHBEARER mechanism (RFC 7628), server and client.
 *
 * Server: the client's first message is parsed strictly (parse.c) and its
 * bearer token verified by the core.  Accepted: the token's user is the
 * authentication identity.  Refused: the RFC 7628 error JSON goes back as
 * a challenge and the exchange fails with SASL_BADAUTH once the client
 * answers it with %x01 (anything else: SASL_BADPROT).  An empty auth= is a
 * discovery request and gets the same JSON.  Keys that cannot be had:
 * SASL_UNAVAIL at once, a temporary failure.  A malformed message:
 * SASL_BADPROT.
 *
 * Client: the token from the password callback, the authorization identity
 * from the user callback, host and port when the application gave them to
 * sasl_client_new; %x01 after an error challenge.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasl_jwt.h"

#define MECH "OAUTHBEARER"
#define KVSEP '\001'
#define MAX_HOST 255

/*****************************  Common Section  *****************************/

static const unsigned long oauthbearer_required_prompts[] = {
	SASL_CB_PASS,
	SASL_CB_LIST_END
};

/*****************************  Server Section  *****************************/

static int
oauthbearer_server_mech_avail(void *glob_context, sasl_server_params_t *sp,
    void **conn_context)
{
	(void)conn_context;
	return sjwt_server_avail(glob_context, sp, MECH);
}

static int
oauthbearer_server_mech_new(void *glob_context, sasl_server_params_t *sp,
    const char *challenge, unsigned challen, void **conn_context)
{
	(void)sp;
	(void)challenge;
	(void)challen;
	return sjwt_server_state_new(glob_context, conn_context);
}

/* The client's first message. */
static int
server_first(sjwt_glob *g, sjwt_server_state *st, sasl_server_params_t *sp,
    const char *in, unsigned inlen, const char **out, unsigned *outlen,
    sasl_out_params_t *op)
{
	const sasl_utils_t *u = sp->utils;
	jwtc_result *res = NULL;
	char *json = NULL;
	sjwt_msg m;
	sjwt_perr e;
	jwtc_rc rc;

	e = sjwt_parse_oauthbearer(in, inlen, &m);
	if (e != SJWT_PARSE_OK) {
		st->stage = 2;
		sjwt_log(u, SASL_LOG_FAIL, MECH, "malformed client message: %s",
		    sjwt_perr_str(e));
		u->seterror(u->conn, SASL_NOLOG, "malformed " MECH " message");
		return SASL_BADPROT;
	}
	if (m.token_len == 0) {
		sjwt_log(u, SASL_LOG_NOTE, MECH, "discovery request (empty "
		    "auth=): error message sent");
		return sjwt_send_challenge(st, sjwt_discovery_json(g, sp), out,
		    outlen);
	}
	rc = sjwt_verify(g, sp, MECH, false, m.token, m.token_len, NULL, &res,
	    &json);
	return sjwt_server_verdict(st, sp, MECH, rc, res, json,
	    m.has_authzid ? m.authzid : NULL, out, outlen, op);
}

/* The client's answer to the error message: %x01 and nothing else. */
static int
server_ack(sjwt_server_state *st, sasl_server_params_t *sp, const char *in,
    unsigned inlen)
{
	const sasl_utils_t *u = sp->utils;

	st->stage = 2;
	if (in != NULL && inlen == 1 && in[0] == KVSEP) {
		u->seterror(u->conn, SASL_NOLOG, "authentication failed");
		return SASL_BADAUTH;
	}
	sjwt_log(u, SASL_LOG_FAIL, MECH, "client answered the error message "
	    "with something other than %%x01");
	u->seterror(u->conn, SASL_NOLOG, "malformed " MECH " message");
	return SASL_BADPROT;
}

static int
oauthbearer_server_mech_step(void *conn_context, sasl_server_params_t *sp,
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
		return server_first(st->glob, st, sp, clientin, clientinlen, serverout,
		    serveroutlen, oparams);
	case 1:
		return server_ack(st, sp, clientin, clientinlen);
	default:
		return SASL_BADPROT;
	}
}

static void
oauthbearer_server_mech_dispose(void *conn_context, const sasl_utils_t *utils)
{
	(void)utils;
	sjwt_server_state_free(conn_context);
}

static void
oauthbearer_server_mech_free(void *glob_context, const sasl_utils_t *utils)
{
	(void)utils;
	sjwt_server_free(glob_context);
}

static const sasl_server_plug_t oauthbearer_server_plug = {
	MECH,                                   /* mech_name */
	0,                                      /* max_ssf */
	SASL_SEC_NOANONYMOUS
	| SASL_SEC_PASS_CREDENTIALS,            /* security_flags */
	SASL_FEAT_WANT_CLIENT_FIRST
	| SASL_FEAT_ALLOWS_PROXY,               /* features */
	NULL,                                   /* glob_context: plugin.c */
	&oauthbearer_server_mech_new,           /* mech_new */
	&oauthbearer_server_mech_step,          /* mech_step */
	&oauthbearer_server_mech_dispose,       /* mech_dispose */
	&oauthbearer_server_mech_free,          /* mech_free */
	NULL,                                   /* setpass */
	NULL,                                   /* user_query */
	NULL,                                   /* idle */
	&oauthbearer_server_mech_avail,         /* mech_avail */
	NULL                                    /* spare */
};

void
oauthbearer_server_table(sasl_server_plug_t *out)
{
	*out = oauthbearer_server_plug;
}

/*****************************  Client Section  *****************************/

static int
oauthbearer_client_mech_new(void *glob_context, sasl_client_params_t *cp,
    void **conn_context)
{
	(void)glob_context;
	(void)cp;
	return sjwt_client_state_new(conn_context);
}

/* The host the application connects to, when it named one fit for a
 * host= value. */
static const char *
client_host(const sasl_client_params_t *cp)
{
	const char *h = cp->serverFQDN;
	size_t i, n;

	if (h == NULL || h[0] == '\0')
		return NULL;
	n = strnlen(h, MAX_HOST + 1);
	if (n > MAX_HOST)
		return NULL;
	for (i = 0; i < n; i++)
		if ((unsigned char)h[i] <= 0x20 || (unsigned char)h[i] >= 0x7f)
			return NULL;
	return h;
}

/* The server's port, from the "IP;PORT" the application gave as the
 * remote address; 0 when unknown. */
static unsigned
client_port(const sasl_client_params_t *cp)
{
	const char *p = cp->ipremoteport, *semi;
	unsigned long port = 0;
	size_t i, n;

	if (p == NULL)
		return 0;
	semi = strrchr(p, ';');
	if (semi == NULL)
		return 0;
	semi++;
	n = strlen(semi);
	if (n == 0 || n > 5)
		return 0;
	for (i = 0; i < n; i++) {
		if (semi[i] < '0' || semi[i] > '9')
			return 0;
		port = port * 10 + (unsigned long)(semi[i] - '0');
	}
	return port >= 1 && port <= 65535 ? (unsigned)port : 0;
}

/* "n," ["a=" authzid with ',' and '=' escaped] "," %x01 [host=...%x01]
 * [port=...%x01] "auth=Bearer " token %x01 %x01 */
static char *
client_message(const char *authzid, const char *host, unsigned port,
    const char *token, size_t toklen, size_t *len)
{
	size_t az = authzid != NULL ? strlen(authzid) : 0, hl, cap, at = 0, i;
	char portbuf[16] = "", *m;

	hl = host != NULL ? strlen(host) : 0;
	if (port != 0)
		(void)snprintf(portbuf, sizeof(portbuf), "%u", port);
	cap = 8 + 3 * az + 7 + hl + 7 + strlen(portbuf) + 13 + toklen + 2;
	m = malloc(cap);
	if (m == NULL)
		return NULL;
	memcpy(m + at, "n,", 2);
	at += 2;
	if (az > 0) {
		memcpy(m + at, "a=", 2);
		at += 2;
		for (i = 0; i < az; i++) {
			if (authzid[i] == ',' || authzid[i] == '=') {
				memcpy(m + at, authzid[i] == ',' ? "=2C" : "=3D",
				    3);
				at += 3;
			} else {
				m[at++] = authzid[i];
			}
		}
	}
	m[at++] = ',';
	m[at++] = KVSEP;
	if (hl > 0) {
		at += (size_t)snprintf(m + at, cap - at, "host=%s%c", host,
		    KVSEP);
	}
	if (portbuf[0] != '\0') {
		at += (size_t)snprintf(m + at, cap - at, "port=%s%c", portbuf,
		    KVSEP);
	}
	memcpy(m + at, "auth=Bearer ", 12);
	at += 12;
	memcpy(m + at, token, toklen);
	at += toklen;
	m[at++] = KVSEP;
	m[at++] = KVSEP;
	*len = at;
	return m;
}

/* The identity the client side reports: the authorization identity, else
 * the application's authentication name (never prompted for: the token
 * names the user), else a placeholder. */
static int
client_identity(sasl_client_params_t *cp, const char *authzid,
    sasl_out_params_t *op)
{
	const char *name = authzid;

	if (name == NULL || name[0] == '\0') {
		if (sjwt_client_simple(cp, SASL_CB_AUTHNAME, NULL, false,
		    &name) != SASL_OK)
			name = NULL;
	}
	if (name == NULL || name[strspn(name, " \t")] == '\0')
		name = "bearer-token";
	return sjwt_client_identity(cp, name, op);
}

static int
client_first(sjwt_client_state *st, sasl_client_params_t *cp,
    sasl_interact_t **prompt_need, const char **out, unsigned *outlen,
    sasl_out_params_t *op)
{
	static const char *const texts[] = {
		"Authorization identity (empty for the token's user)",
		"Bearer token"
	};
	const char *authzid = NULL;
	unsigned long ids[2];
	const char *txt[2];
	char *token = NULL, *msg;
	size_t toklen = 0, len = 0, n = 0;
	int ru, rp, r;

	ru = sjwt_client_simple(cp, SASL_CB_USER, prompt_need, true, &authzid);
	if (ru != SASL_OK && ru != SASL_INTERACT)
		return ru;
	rp = sjwt_client_token(cp, prompt_need, &token, &toklen);
	if (rp != SASL_OK && rp != SASL_INTERACT)
		return rp;
	sjwt_client_prompts_free(cp, prompt_need);
	if (ru == SASL_INTERACT || rp == SASL_INTERACT) {
		sjwt_free_secret(token, toklen);
		if (ru == SASL_INTERACT) {
			ids[n] = SASL_CB_USER;
			txt[n++] = texts[0];
		}
		if (rp == SASL_INTERACT) {
			ids[n] = SASL_CB_PASS;
			txt[n++] = texts[1];
		}
		return sjwt_client_prompts(cp, prompt_need, ids, txt, n);
	}
	if (authzid != NULL && authzid[0] != '\0' &&
	    (strnlen(authzid, SJWT_MAX_ID + 1) > SJWT_MAX_ID ||
	    strchr(authzid, KVSEP) != NULL)) {
		sjwt_free_secret(token, toklen);
		cp->utils->seterror(cp->utils->conn, SASL_NOLOG,
		    "unusable authorization identity");
		return SASL_BADPARAM;
	}
	r = client_identity(cp, authzid, op);
	if (r != SASL_OK) {
		sjwt_free_secret(token, toklen);
		return r;
	}
	msg = client_message(authzid, client_host(cp), client_port(cp), token,
	    toklen, &len);
	sjwt_free_secret(token, toklen);
	if (msg == NULL)
		return SASL_NOMEM;
	sjwt_client_send(st, msg, len, out, outlen);
	st->stage = 1;
	return SASL_CONTINUE;
}

/* The server's answer: nothing (accepted) or the error message, which
 * is acknowledged with %x01 so the server can fail the exchange. */
static int
client_answer(sjwt_client_state *st, sasl_client_params_t *cp,
    const char *in, unsigned inlen, const char **out, unsigned *outlen,
    sasl_out_params_t *op)
{
	static const char ack[] = { KVSEP };
	char *copy;

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
	copy = malloc(sizeof(ack));
	if (copy == NULL)
		return SASL_NOMEM;
	memcpy(copy, ack, sizeof(ack));
	sjwt_client_send(st, copy, sizeof(ack), out, outlen);
	st->stage = 2;
	return SASL_CONTINUE;
}

static int
oauthbearer_client_mech_step(void *conn_context, sasl_client_params_t *cp,
    const char *serverin, unsigned serverinlen,
    sasl_interact_t **prompt_need, const char **clientout,
    unsigned *clientoutlen, sasl_out_params_t *oparams)
{
	return sjwt_client_step(conn_context, cp, serverin, serverinlen,
	    prompt_need, clientout, clientoutlen, oparams, client_first,
	    client_answer);
}

static void
oauthbearer_client_mech_dispose(void *conn_context, const sasl_utils_t *utils)
{
	(void)utils;
	sjwt_client_state_free(conn_context);
}

static const sasl_client_plug_t oauthbearer_client_plug = {
	MECH,                                   /* mech_name */
	0,                                      /* max_ssf */
	SASL_SEC_NOANONYMOUS
	| SASL_SEC_PASS_CREDENTIALS,            /* security_flags */
	SASL_FEAT_WANT_CLIENT_FIRST
	| SASL_FEAT_ALLOWS_PROXY,               /* features */
	oauthbearer_required_prompts,           /* required_prompts */
	NULL,                                   /* glob_context */
	&oauthbearer_client_mech_new,           /* mech_new */
	&oauthbearer_client_mech_step,          /* mech_step */
	&oauthbearer_client_mech_dispose,       /* mech_dispose */
	NULL,                                   /* mech_free */
	NULL,                                   /* idle */
	NULL,                                   /* spare */
	NULL                                    /* spare */
};

void
oauthbearer_client_table(sasl_client_plug_t *out)
{
	*out = oauthbearer_client_plug;
}
