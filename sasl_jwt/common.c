/*
 * common.c - what OAUTHBEARER and XOAUTH2 do alike: on the server, verify
 * a token through the shared context, build the error message a refused
 * client gets, and set the identity; on the client, get the token and the
 * names from the application's callbacks or prompts.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "sasl_jwt.h"

/* ---- per-exchange state ------------------------------------------------------ */

int
sjwt_server_state_new(sjwt_glob *g, void **out)
{
	sjwt_server_state *st;

	if (g == NULL || out == NULL)
		return SASL_BADPARAM;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return SASL_NOMEM;
	st->glob = g;
	*out = st;
	return SASL_OK;
}

void
sjwt_server_state_free(sjwt_server_state *st)
{
	if (st == NULL)
		return;
	sjwt_free_secret(st->challenge, st->challenge_len);
	OPENSSL_cleanse(st, sizeof(*st));
	free(st);
}

int
sjwt_client_state_new(void **out)
{
	sjwt_client_state *st;

	if (out == NULL)
		return SASL_BADPARAM;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return SASL_NOMEM;
	*out = st;
	return SASL_OK;
}

void
sjwt_client_state_free(sjwt_client_state *st)
{
	if (st == NULL)
		return;
	sjwt_free_secret(st->out, st->out_len);
	OPENSSL_cleanse(st, sizeof(*st));
	free(st);
}

void
sjwt_free_secret(char *p, size_t len)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, len);
	free(p);
}

void
sjwt_oparams_done(sasl_out_params_t *op)
{
	op->doneflag = 1;
	op->mech_ssf = 0;
	op->maxoutbuf = 0;
	op->encode_context = NULL;
	op->encode = NULL;
	op->decode_context = NULL;
	op->decode = NULL;
	op->param_version = 0;
}

/* ---- the server side --------------------------------------------------------- */

/* The error message: RFC 7628 section 3.2.2 for OAUTHBEARER, Google's form
 * for XOAUTH2. */
static char *
error_json(const jwtc_ctx *ctx, jwtc_rc rc, const char *section,
    bool xoauth2)
{
	char *disc = NULL, *scope = NULL, *text = NULL;
	json_t *o;
	int bad = 0;

	if (ctx != NULL && sjwt_section_info(ctx, section, &disc, &scope) != 0)
		return NULL;
	o = json_object();
	if (o == NULL)
		goto out;
	if (xoauth2) {
		bad |= json_object_set_new(o, "status", json_string("401"));
		bad |= json_object_set_new(o, "schemes",
		    json_string("bearer"));
		if (scope != NULL)
			bad |= json_object_set_new(o, "scope",
			    json_string(scope));
	} else {
		bool insufficient = rc == JWTC_ERR_SCOPE && scope != NULL;

		bad |= json_object_set_new(o, "status", json_string(insufficient ?
		    "insufficient_scope" : "invalid_token"));
		if (insufficient)
			bad |= json_object_set_new(o, "scope",
			    json_string(scope));
		if (disc != NULL)
			bad |= json_object_set_new(o, "openid-configuration",
			    json_string(disc));
	}
	if (bad == 0)
		text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
out:
	json_decref(o);
	free(disc);
	free(scope);
	return text;
}

jwtc_rc
sjwt_verify(sjwt_glob *g, sasl_server_params_t *sp, const char *mech,
    bool xoauth2, const char *token, size_t len, const char *expected_user,
    jwtc_result **res, char **json)
{
	sjwt_shared *s;
	jwtc_error err;
	jwtc_rc rc;

	*res = NULL;
	*json = NULL;
	memset(&err, 0, sizeof(err));
	s = sjwt_acquire(g, sp->utils);
	if (s == NULL) {
		sjwt_log(sp->utils, SASL_LOG_ERR, mech, "no usable "
		    "configuration: token not checked");
		return JWTC_ERR_CONFIG;
	}
	sjwt_log_bind(sp->utils, mech);
	rc = jwtc_verify(s->ctx, token, len, expected_user, res, &err);
	sjwt_log_bind(NULL, NULL);
	if (jwtc_rc_class(rc) == JWTC_CLASS_REJECTED) {
		*json = error_json(s->ctx, rc, err.section, xoauth2);
		if (*json == NULL)
			rc = JWTC_ERR_NO_MEMORY;
	}
	sjwt_release(s);
	return rc;
}

char *
sjwt_discovery_json(sjwt_glob *g, sasl_server_params_t *sp)
{
	sjwt_shared *s = sjwt_acquire(g, sp->utils);
	char *json;

	json = error_json(s != NULL ? s->ctx : NULL, JWTC_ERR_MALFORMED, NULL,
	    false);
	sjwt_release(s);
	return json;
}

int
sjwt_send_challenge(sjwt_server_state *st, char *json,
    const char **serverout, unsigned *serveroutlen)
{
	if (json == NULL)
		return SASL_NOMEM;
	sjwt_free_secret(st->challenge, st->challenge_len);
	st->challenge = json;
	st->challenge_len = strlen(json);
	st->stage = 1;
	*serverout = st->challenge;
	*serveroutlen = (unsigned)st->challenge_len;
	return SASL_CONTINUE;
}

int
sjwt_server_verdict(sjwt_server_state *st, sasl_server_params_t *sp,
    const char *mech, jwtc_rc rc, jwtc_result *res, char *json,
    const char *authzid, const char **out, unsigned *outlen,
    sasl_out_params_t *op)
{
	const sasl_utils_t *u = sp->utils;
	int r;

	switch (jwtc_rc_class(rc)) {
	case JWTC_CLASS_OK:
		st->stage = 2;
		r = sjwt_set_identity(st->glob, sp, mech, jwtc_result_user(res),
		    authzid, op);
		jwtc_result_free(res);
		return r;
	case JWTC_CLASS_REJECTED:
		return sjwt_send_challenge(st, json, out, outlen);
	case JWTC_CLASS_UNAVAILABLE:
		st->stage = 2;
		u->seterror(u->conn, SASL_NOLOG, "authentication temporarily "
		    "unavailable");
		return SASL_UNAVAIL;
	case JWTC_CLASS_NO_MEMORY:
		st->stage = 2;
		return SASL_NOMEM;
	case JWTC_CLASS_CONFIG:
	case JWTC_CLASS_INTERNAL:
	default:
		st->stage = 2;
		u->seterror(u->conn, SASL_NOLOG, "authentication failed");
		return SASL_FAIL;
	}
}

/* Whether the host's canon_user kept the token's user: the same name,
 * or the same name with "@realm" appended to a name that had none.  Any
 * other change (trimming, case folding, a rewrite) could make a token
 * for one name log in as another. */
static bool
canon_kept(const char *user, const sasl_out_params_t *op)
{
	size_t ulen = strlen(user);

	if (op->authid == NULL || op->alen < ulen ||
	    memcmp(op->authid, user, ulen) != 0)
		return false;
	if (op->alen == ulen)
		return true;
	return strchr(user, '@') == NULL && op->alen > ulen + 1 &&
	    op->authid[ulen] == '@';
}

int
sjwt_set_identity(sjwt_glob *g, sasl_server_params_t *sp, const char *mech,
    const char *user, const char *authzid, sasl_out_params_t *op)
{
	const sasl_utils_t *u = sp->utils;
	int r;

	if (authzid == NULL || authzid[0] == '\0' ||
	    strcmp(authzid, user) == 0) {
		r = sp->canon_user(u->conn, user, 0, SASL_CU_AUTHID |
		    SASL_CU_AUTHZID | SASL_CU_EXTERNALLY_VERIFIED, op);
	} else if (g->authzid_mode != SJWT_AUTHZID_PROXY) {
		sjwt_log(u, SASL_LOG_FAIL, mech, "refused user=%.64s: may not "
		    "act as %.64s (jwt_authzid equal)", user, authzid);
		u->seterror(u->conn, SASL_NOLOG, "authorization identity "
		    "refused");
		return SASL_NOAUTHZ;
	} else {
		/* the host's proxy policy decides, after this step */
		/* marked verified like the authid: without it, a host with
		 * no password-database plugin refuses every login; the
		 * host's proxy policy decides whether the token's user may
		 * act as this identity */
		r = sp->canon_user(u->conn, authzid, 0, SASL_CU_AUTHZID |
		    SASL_CU_EXTERNALLY_VERIFIED, op);
		if (r == SASL_OK)
			r = sp->canon_user(u->conn, user, 0, SASL_CU_AUTHID |
			    SASL_CU_EXTERNALLY_VERIFIED, op);
		if (r == SASL_OK)
			sjwt_log(u, SASL_LOG_NOTE, mech, "user=%.64s asks to act "
			    "as %.64s: left to the host's proxy policy", user,
			    authzid);
	}
	if (r != SASL_OK) {
		sjwt_log(u, SASL_LOG_FAIL, mech, "user=%.64s: the host refused "
		    "the identity (%d)", user, r);
		return r;
	}
	if (!canon_kept(user, op)) {
		sjwt_log(u, SASL_LOG_FAIL, mech, "refused user=%.64s: the "
		    "host's canon_user changed the name", user);
		u->seterror(u->conn, SASL_NOLOG, "authentication failed");
		return SASL_BADAUTH;
	}
	sjwt_oparams_done(op);
	return SASL_OK;
}

/* ---- the client side ----------------------------------------------------------- */

int
sjwt_client_step(sjwt_client_state *st, sasl_client_params_t *cp,
    const char *serverin, unsigned serverinlen,
    sasl_interact_t **prompt_need, const char **clientout,
    unsigned *clientoutlen, sasl_out_params_t *oparams,
    sjwt_client_first_fn first, sjwt_client_answer_fn answer)
{
	if (st == NULL || cp == NULL || cp->utils == NULL ||
	    clientout == NULL || clientoutlen == NULL || oparams == NULL)
		return SASL_BADPARAM;
	*clientout = NULL;
	*clientoutlen = 0;
	switch (st->stage) {
	case 0:
		if (serverinlen > 0)
			return SASL_BADPROT;
		return first(st, cp, prompt_need, clientout,
		    clientoutlen, oparams);
	case 1:
		return answer(st, cp, serverin, serverinlen, clientout,
		    clientoutlen, oparams);
	default:
		cp->utils->seterror(cp->utils->conn, SASL_NOLOG, "the server "
		    "went on after its error message");
		return SASL_BADPROT;
	}
}

static sasl_interact_t *
find_prompt(sasl_interact_t **prompt_need, unsigned long id)
{
	sasl_interact_t *p;

	if (prompt_need == NULL || *prompt_need == NULL)
		return NULL;
	for (p = *prompt_need; p->id != SASL_CB_LIST_END; p++)
		if (p->id == id)
			return p;
	return NULL;
}

int
sjwt_client_simple(sasl_client_params_t *cp, unsigned long id,
    sasl_interact_t **prompt_need, bool may_prompt, const char **out)
{
	const sasl_utils_t *u = cp->utils;
	sasl_getsimple_t *cb = NULL;
	void *cbctx = NULL;
	sasl_interact_t *p;
	int r;

	*out = NULL;
	p = find_prompt(prompt_need, id);
	if (p != NULL) {
		*out = p->result;
		return SASL_OK;
	}
	r = u->getcallback(u->conn, id, (sasl_callback_ft *)&cb, &cbctx);
	if (r == SASL_INTERACT)
		return may_prompt ? SASL_INTERACT : SASL_OK;
	if (r != SASL_OK || cb == NULL)
		return SASL_OK;
	r = cb(cbctx, (int)id, out, NULL);
	if (r != SASL_OK)
		*out = NULL;
	return r == SASL_FAIL ? SASL_OK : r;
}

/* Copy a token, white space around it dropped, and check its form. */
static int
take_token(const sasl_utils_t *u, const char *v, size_t len, char **out,
    size_t *outlen)
{
	char *copy;

	while (len > 0 && (*v == ' ' || *v == '\t' || *v == '\r' ||
	    *v == '\n')) {
		v++;
		len--;
	}
	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t' ||
	    v[len - 1] == '\r' || v[len - 1] == '\n'))
		len--;
	if (len > SJWT_MAX_MESSAGE - 1024 || !sjwt_is_b64token(v, len)) {
		u->seterror(u->conn, SASL_NOLOG, "the password is not a bearer "
		    "token");
		return SASL_BADPARAM;
	}
	copy = malloc(len + 1);
	if (copy == NULL)
		return SASL_NOMEM;
	memcpy(copy, v, len);
	copy[len] = '\0';
	*out = copy;
	*outlen = len;
	return SASL_OK;
}

int
sjwt_client_token(sasl_client_params_t *cp, sasl_interact_t **prompt_need,
    char **out, size_t *outlen)
{
	const sasl_utils_t *u = cp->utils;
	sasl_getsecret_t *cb = NULL;
	sasl_secret_t *secret = NULL;
	void *cbctx = NULL;
	sasl_interact_t *p;
	int r;

	*out = NULL;
	*outlen = 0;
	p = find_prompt(prompt_need, SASL_CB_PASS);
	if (p != NULL) {
		if (p->result == NULL)
			return SASL_BADPARAM;
		return take_token(u, p->result, p->len, out, outlen);
	}
	r = u->getcallback(u->conn, SASL_CB_PASS, (sasl_callback_ft *)&cb,
	    &cbctx);
	if (r != SASL_OK)
		return r;
	if (cb == NULL)
		return SASL_BADPARAM;
	r = cb(u->conn, cbctx, SASL_CB_PASS, &secret);
	if (r != SASL_OK)
		return r;
	if (secret == NULL)
		return SASL_BADPARAM;
	return take_token(u, (const char *)secret->data, secret->len, out,
	    outlen);
}

void
sjwt_client_prompts_free(sasl_client_params_t *cp,
    sasl_interact_t **prompt_need)
{
	if (prompt_need != NULL && *prompt_need != NULL) {
		cp->utils->free(*prompt_need);
		*prompt_need = NULL;
	}
}

int
sjwt_client_prompts(sasl_client_params_t *cp, sasl_interact_t **prompt_need,
    const unsigned long *ids, const char *const *texts, size_t n)
{
	sasl_interact_t *p;
	size_t i;

	if (prompt_need == NULL || n == 0 || n > 3)
		return SASL_BADPARAM;
	p = cp->utils->malloc((unsigned)((n + 1) * sizeof(*p)));
	if (p == NULL)
		return SASL_NOMEM;
	memset(p, 0, (n + 1) * sizeof(*p));
	for (i = 0; i < n; i++) {
		p[i].id = ids[i];
		p[i].prompt = texts[i];
		p[i].challenge = NULL;
		p[i].defresult = NULL;
	}
	p[n].id = SASL_CB_LIST_END;
	*prompt_need = p;
	return SASL_INTERACT;
}

int
sjwt_client_identity(sasl_client_params_t *cp, const char *user,
    sasl_out_params_t *op)
{
	return cp->canon_user(cp->utils->conn, user, 0,
	    SASL_CU_AUTHID | SASL_CU_AUTHZID, op);
}

void
sjwt_client_send(sjwt_client_state *st, char *msg, size_t len,
    const char **clientout, unsigned *clientoutlen)
{
	sjwt_free_secret(st->out, st->out_len);
	st->out = msg;
	st->out_len = len;
	*clientout = msg;
	*clientoutlen = (unsigned)len;
}
