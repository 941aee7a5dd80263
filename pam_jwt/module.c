/*
 * module.c - what pam_jwt.so does: arguments, user, configuration, token,
 * one call of the core, and the result mapped to a PAM code in one switch.
 *
 * auth:    the token (conversation or PAM_AUTHTOK) must be valid for the
 *          issuer rules and name PAM_USER, which is never changed.  Each
 *          call first forgets what an earlier one on the same handle left
 *          (the deadline, the JWT_* variables of export_claims=).  On
 *          success the claims of export_claims= go into the PAM
 *          environment and the handle remembers the token's deadline.
 * account: PAM_SUCCESS for a handle that auth accepted while its token
 *          has not expired; PAM_ACCT_EXPIRED once it has (the token was
 *          good at auth, so the account question has an answer: the
 *          credential ran out); PAM_IGNORE for a handle this module did
 *          not authenticate, so the other account modules decide.
 *
 * Logging goes through pam_syslog only; the core's lines come through the
 * log hook.  Nothing logged holds the token or a reply.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <security/pam_appl.h>
#include <security/pam_ext.h>

#include "pam_jwt.h"

/* What auth leaves on the handle for account. */
struct auth_state {
	double deadline;            /* exp + leeway */
	char user[];                /* the user auth accepted */
};

/* One authentication. */
struct run {
	pam_handle_t *pamh;
	pjwt_args args;
	char *user;                 /* a copy of PAM_USER: the conversation
	                             * may change the item */
	jwtc_ctx *ctx;
};

#define SHOWN 64                    /* bytes of a name shown in a log line */

void
pjwt_log(pam_handle_t *pamh, int prio, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	pam_syslog(pamh, prio, "%s", line);
}

/* The core's log hook. */
static void
log_sink(void *arg, int prio, const char *msg)
{
	pam_syslog(arg, prio, "%s", msg);
}

int
pjwt_pam_code(jwtc_rc rc)
{
	switch (jwtc_rc_class(rc)) {
	case JWTC_CLASS_OK:
		return PAM_SUCCESS;
	case JWTC_CLASS_REJECTED:
		return PAM_AUTH_ERR;
	case JWTC_CLASS_UNAVAILABLE:
		return PAM_AUTHINFO_UNAVAIL;
	case JWTC_CLASS_CONFIG:
		return PAM_SERVICE_ERR;
	case JWTC_CLASS_NO_MEMORY:
		return PAM_BUF_ERR;
	case JWTC_CLASS_INTERNAL:
		return PAM_SERVICE_ERR;
	}
	return PAM_SERVICE_ERR;
}

/* ---- export_claims ---------------------------------------------------------- */

/*
 * Values go into the environment of the session as they are, or not at
 * all: a value holding a control character (C0, DEL or C1), a Unicode line
 * or paragraph separator, a Unicode bidirectional control (which makes
 * text show in another order than it is read), or longer than
 * PJWT_MAX_ENV_VALUE bytes is left out with a warning rather than altered,
 * because a changed or cut value (an e-mail address, a list of groups)
 * would be a different value that a session might trust.
 */

/* Whether the UTF-8 at p (n bytes left) is U+2028 or U+2029 (E2 80 A8,
 * E2 80 A9); *bidi is set for U+202A to U+202E (E2 80 AA to AE) and
 * U+2066 to U+2069 (E2 81 A6 to A9). */
static bool
unicode_format(const unsigned char *p, size_t n, bool *bidi)
{
	*bidi = false;
	if (n < 3 || p[0] != 0xe2)
		return false;
	if (p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae)
		*bidi = true;
	else if (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)
		*bidi = true;
	return *bidi || (p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9));
}

int
pjwt_env_value_ok(const char *value, const char **why)
{
	const unsigned char *v = (const unsigned char *)value;
	size_t i, len;
	bool bidi;

	len = strnlen(value, PJWT_MAX_ENV_VALUE + 1);
	if (len > PJWT_MAX_ENV_VALUE) {
		*why = "longer than 1024 bytes";
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (v[i] < 0x20 || v[i] == 0x7f ||
		    (v[i] == 0xc2 && i + 1 < len &&
		    v[i + 1] >= 0x80 && v[i + 1] <= 0x9f)) {
			*why = "holds a control character";
			return -1;
		}
		if (unicode_format(v + i, len - i, &bidi)) {
			*why = bidi ? "holds a Unicode bidirectional control" :
			    "holds a Unicode line or paragraph separator";
			return -1;
		}
	}
	return 0;
}

int
pjwt_env_name(const char *claim, char *out, size_t outlen)
{
	size_t i, n = strlen(claim);

	if (n == 0 || outlen < n + 5)
		return -1;
	memcpy(out, "JWT_", 4);
	for (i = 0; i < n; i++) {
		char c = claim[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			c = '_';
		out[4 + i] = c;
	}
	out[4 + n] = '\0';
	return 0;
}

/*
 * Whether claim is an array with a string element that holds a ','.  The
 * core joins the elements of an array with ',', so such a value could not
 * be told apart from one of more elements (["a,b"] from ["a","b"]): it is
 * not exported.
 */
static bool
array_has_comma(const json_t *claims, const char *claim)
{
	const json_t *v = json_object_get(claims, claim), *e;
	size_t i;

	if (!json_is_array(v))
		return false;
	json_array_foreach(v, i, e) {
		if (json_is_string(e) && memchr(json_string_value(e), ',',
		    json_string_length(e)) != NULL)
			return true;
	}
	return false;
}

/* Put one claim in the PAM environment, or take a variable of its name
 * out when the claim is absent or cannot be exported.  claims is the
 * token's claims, as the core gives them. */
static int
export_one(const struct run *r, const jwtc_result *res, const json_t *claims,
    const char *claim)
{
	char name[PJWT_MAX_CLAIM_NAME + 8];
	char entry[sizeof(name) + PJWT_MAX_ENV_VALUE + 2];
	char *value = NULL;
	const char *why = NULL;
	int ret;

	if (pjwt_env_name(claim, name, sizeof(name)) != 0)
		return PAM_SERVICE_ERR;
	value = jwtc_result_claim_string(res, claim);
	if (value != NULL && array_has_comma(claims, claim))
		why = "is an array with an element that holds a ','";
	else if (value != NULL)
		(void)pjwt_env_value_ok(value, &why);
	if (why != NULL) {
		pjwt_log(r->pamh, JWTC_LOG_WARNING, "claim %s not exported: "
		    "its value %s", claim, why);
		free(value);
		value = NULL;
	}
	if (value == NULL) {
		/* no stale or planted value under our name */
		if (pam_getenv(r->pamh, name) != NULL)
			(void)pam_putenv(r->pamh, name);
		if (r->args.debug && why == NULL)
			pjwt_log(r->pamh, JWTC_LOG_DEBUG, "claim %s absent or "
			    "not a string, number, boolean or array of them: "
			    "%s not set", claim, name);
		return PAM_SUCCESS;
	}
	(void)snprintf(entry, sizeof(entry), "%s=%s", name, value);
	free(value);
	ret = pam_putenv(r->pamh, entry);
	if (ret != PAM_SUCCESS) {
		pjwt_log(r->pamh, JWTC_LOG_ERR, "cannot set %s in the PAM "
		    "environment: %s", name, pam_strerror(r->pamh, ret));
		return ret == PAM_BUF_ERR ? PAM_BUF_ERR : PAM_SERVICE_ERR;
	}
	if (r->args.debug)
		pjwt_log(r->pamh, JWTC_LOG_DEBUG, "%s set", name);
	return PAM_SUCCESS;
}

/* The token's claims as a JSON object, from the result's JSON: the
 * public interface of the core gives them no other way. */
static int
result_claims(const struct run *r, const jwtc_result *res, json_t **out)
{
	json_error_t jerr;
	json_t *all = NULL, *claims;
	char *text;

	text = jwtc_result_json(res);
	if (text != NULL)
		all = json_loads(text, 0, &jerr);
	free(text);
	claims = json_object_get(all, "claims");
	if (!json_is_object(claims)) {
		json_decref(all);
		pjwt_log(r->pamh, JWTC_LOG_ERR, "cannot read the claims to "
		    "export: out of memory");
		return PAM_BUF_ERR;
	}
	*out = json_incref(claims);
	json_decref(all);
	return PAM_SUCCESS;
}

static int
export_claims(const struct run *r, const jwtc_result *res)
{
	char claim[PJWT_MAX_CLAIM_NAME + 1];
	const char *cur = r->args.export_claims;
	json_t *claims = NULL;
	int ret;

	if (cur == NULL)
		return PAM_SUCCESS;
	ret = result_claims(r, res, &claims);
	if (ret != PAM_SUCCESS)
		return ret;
	while (pjwt_next_claim(&cur, claim, sizeof(claim))) {
		ret = export_one(r, res, claims, claim);
		if (ret != PAM_SUCCESS)
			break;
	}
	json_decref(claims);
	return ret;
}

/*
 * Take out every JWT_* variable that export_claims= names, whatever set
 * it: an application may run auth more than once on one handle (sshd
 * does, for each keyboard-interactive attempt), and what an earlier
 * success exported must not outlive a later attempt that fails or that
 * another module decides.
 */
static void
unexport_claims(const struct run *r)
{
	char claim[PJWT_MAX_CLAIM_NAME + 1];
	char name[PJWT_MAX_CLAIM_NAME + 8];
	const char *cur = r->args.export_claims;

	while (pjwt_next_claim(&cur, claim, sizeof(claim))) {
		if (pjwt_env_name(claim, name, sizeof(name)) == 0 &&
		    pam_getenv(r->pamh, name) != NULL)
			(void)pam_putenv(r->pamh, name);
	}
}

/* ---- the handle's memory of a success ---------------------------------------- */

static void
state_cleanup(pam_handle_t *pamh, void *data, int error_status)
{
	(void)pamh;
	(void)error_status;
	free(data);
}

static int
remember(const struct run *r, const jwtc_result *res)
{
	struct auth_state *st;
	size_t ulen = strlen(r->user);
	int ret;

	st = malloc(sizeof(*st) + ulen + 1);
	if (st == NULL)
		return PAM_BUF_ERR;
	st->deadline = jwtc_result_exp(res) +
	    (double)pjwt_section_leeway(r->ctx, jwtc_result_section(res));
	memcpy(st->user, r->user, ulen + 1);
	ret = pam_set_data(r->pamh, PJWT_DATA_NAME, st, state_cleanup);
	if (ret != PAM_SUCCESS) {
		free(st);
		pjwt_log(r->pamh, JWTC_LOG_ERR, "cannot keep the result for "
		    "account: %s", pam_strerror(r->pamh, ret));
		return ret == PAM_BUF_ERR ? PAM_BUF_ERR : PAM_SERVICE_ERR;
	}
	return PAM_SUCCESS;
}

/* ---- authentication --------------------------------------------------------------- */

static int
parse_args(pam_handle_t *pamh, int argc, const char **argv, pjwt_args *a)
{
	char why[PJWT_MSG_MAX];

	if (pjwt_args_parse(argc, argv, a, why, sizeof(why)) != 0) {
		pjwt_log(pamh, JWTC_LOG_ERR, "bad module arguments: %s", why);
		return PAM_SERVICE_ERR;
	}
	return PAM_SUCCESS;
}

static int
get_user(struct run *r)
{
	const char *user = NULL;
	int ret;

	ret = pam_get_user(r->pamh, &user, NULL);
	if (ret != PAM_SUCCESS) {
		pjwt_log(r->pamh, JWTC_LOG_ERR, "cannot get the user name: %s",
		    pam_strerror(r->pamh, ret));
		return ret == PAM_CONV_AGAIN ? PAM_CONV_ERR : ret;
	}
	if (user == NULL || *user == '\0') {
		pjwt_log(r->pamh, JWTC_LOG_NOTICE, "refused: no user name");
		return PAM_AUTH_ERR;
	}
	/* libpam's string is freed if anything sets PAM_USER again */
	r->user = strdup(user);
	if (r->user == NULL)
		return PAM_BUF_ERR;
	return PAM_SUCCESS;
}

/* PAM_USER must still be the user the token was checked for: the
 * application may set it again while it answers the conversation. */
static int
same_user(const struct run *r)
{
	const void *item = NULL;
	char now[SHOWN * 2], was[SHOWN * 2];

	if (pam_get_item(r->pamh, PAM_USER, &item) != PAM_SUCCESS)
		item = NULL;
	if (item != NULL && strcmp(item, r->user) == 0)
		return PAM_SUCCESS;
	pjwt_log(r->pamh, JWTC_LOG_NOTICE, "refused: PAM_USER changed from "
	    "%s to %s while the token was read",
	    pjwt_shown(was, sizeof(was), r->user, SHOWN),
	    pjwt_shown(now, sizeof(now), item, SHOWN));
	return PAM_AUTH_ERR;
}

static int
make_ctx(struct run *r)
{
	jwtc_config *cfg = NULL;
	jwtc_hooks hooks;
	jwtc_error err;
	jwtc_rc rc;

	memset(&err, 0, sizeof(err));
	memset(&hooks, 0, sizeof(hooks));
	hooks.log = log_sink;
	hooks.log_arg = r->pamh;
	hooks.debug = r->args.debug;
	rc = pjwt_args_config(&r->args, &cfg, &err);
	if (rc == JWTC_OK) {
		/* the context takes the configuration over, also on failure */
		rc = jwtc_ctx_new(cfg, r->args.issuers, &hooks, &r->ctx, &err);
	}
	if (rc != JWTC_OK) {
		pjwt_log(r->pamh, JWTC_LOG_ERR, "configuration: %s",
		    err.msg[0] != '\0' ? err.msg : jwtc_rc_str(rc));
		return pjwt_pam_code(rc);
	}
	if (r->args.debug)
		pjwt_log(r->pamh, JWTC_LOG_DEBUG, "%zu issuer section%s "
		    "trusted", jwtc_ctx_count(r->ctx),
		    jwtc_ctx_count(r->ctx) == 1 ? "" : "s");
	return PAM_SUCCESS;
}

/* One call of the core.  It logs the outcome; this adds the hint for a
 * token that its client probably cut short (only for input that starts
 * like a JWS, so the length of a password is never logged). */
static int
verify(const struct run *r, const pjwt_input *in, jwtc_result **res)
{
	jwtc_error err;
	jwtc_rc rc;

	memset(&err, 0, sizeof(err));
	rc = jwtc_verify(r->ctx, in->buf, in->len, r->user, res, &err);
	if ((rc == JWTC_ERR_MALFORMED || rc == JWTC_ERR_BAD_SIGNATURE) &&
	    pjwt_looks_truncated(in->buf, in->len))
		pjwt_log(r->pamh, JWTC_LOG_NOTICE, "token of %zu bytes may "
		    "have been cut short by the client: use "
		    "keyboard-interactive and jwt-auth-askpass", in->len);
	return pjwt_pam_code(rc);
}

/*
 * The token, checked.  use_first_pass: PAM_AUTHTOK only.  try_first_pass:
 * PAM_AUTHTOK when an earlier module set it; when there is none, or it is
 * refused as a token (a password), ask, as pam_unix does.  Otherwise ask.
 */
static int
check_token(const struct run *r, jwtc_result **res)
{
	const char *prompt = r->args.prompt != NULL ? r->args.prompt :
	    PJWT_DEFAULT_PROMPT;
	pjwt_input in;
	int ret;

	memset(&in, 0, sizeof(in));
	if (r->args.use_first_pass || r->args.try_first_pass) {
		ret = pjwt_authtok_token(r->pamh, &in);
		if (ret == PAM_SUCCESS) {
			/* no length: PAM_AUTHTOK may be a password */
			if (r->args.debug)
				pjwt_log(r->pamh, JWTC_LOG_DEBUG, "token from "
				    "PAM_AUTHTOK");
			ret = verify(r, &in, res);
			pjwt_input_free(&in);
		} else if (ret == PAM_AUTHINFO_UNAVAIL) {
			if (r->args.use_first_pass)
				pjwt_log(r->pamh, JWTC_LOG_NOTICE, "refused: "
				    "use_first_pass, and no PAM_AUTHTOK from an "
				    "earlier module");
			else if (r->args.debug)
				pjwt_log(r->pamh, JWTC_LOG_DEBUG, "no "
				    "PAM_AUTHTOK from an earlier module");
			ret = PAM_AUTH_ERR;
		}
		if (r->args.use_first_pass || ret != PAM_AUTH_ERR)
			return ret;
		if (r->args.debug)
			pjwt_log(r->pamh, JWTC_LOG_DEBUG, "try_first_pass: "
			    "asking for a token");
	}
	ret = pjwt_prompt_token(r->pamh, prompt, r->args.debug, &in);
	if (ret != PAM_SUCCESS)
		return ret;
	ret = verify(r, &in, res);
	pjwt_input_free(&in);
	return ret;
}

int
pjwt_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	jwtc_result *res = NULL;
	struct run r;
	int ret;

	(void)flags;
	memset(&r, 0, sizeof(r));
	r.pamh = pamh;
	/* an earlier success on this handle no longer counts */
	(void)pam_set_data(pamh, PJWT_DATA_NAME, NULL, NULL);
	ret = parse_args(pamh, argc, argv, &r.args);
	if (ret != PAM_SUCCESS)
		goto out;
	unexport_claims(&r);
	ret = get_user(&r);
	if (ret != PAM_SUCCESS)
		goto out;
	ret = make_ctx(&r);
	if (ret != PAM_SUCCESS)
		goto out;
	ret = check_token(&r, &res);
	if (ret != PAM_SUCCESS)
		goto out;
	ret = same_user(&r);
	if (ret != PAM_SUCCESS)
		goto out;
	ret = export_claims(&r, res);
	if (ret != PAM_SUCCESS)
		goto out;
	ret = remember(&r, res);
out:
	jwtc_result_free(res);
	jwtc_ctx_free(r.ctx);
	if (r.user != NULL) {
		OPENSSL_cleanse(r.user, strlen(r.user));
		free(r.user);
	}
	return ret;
}

/* ---- account ------------------------------------------------------------------------ */

int
pjwt_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const struct auth_state *st = NULL;
	const void *data = NULL, *item = NULL;
	const char *user;
	char shown[SHOWN * 2], was[SHOWN * 2];
	pjwt_args a;
	double now;
	int ret;

	(void)flags;
	ret = parse_args(pamh, argc, argv, &a);
	if (ret != PAM_SUCCESS)
		return ret;
	if (pam_get_data(pamh, PJWT_DATA_NAME, &data) != PAM_SUCCESS ||
	    data == NULL) {
		if (a.debug)
			pjwt_log(pamh, JWTC_LOG_DEBUG, "account: not "
			    "authenticated by pam_jwt on this handle, ignored");
		return PAM_IGNORE;
	}
	st = data;
	if (pam_get_item(pamh, PAM_USER, &item) != PAM_SUCCESS)
		item = NULL;
	user = item;
	if (user == NULL || strcmp(user, st->user) != 0) {
		pjwt_log(pamh, JWTC_LOG_NOTICE, "account: PAM_USER is %s, not "
		    "%s whom pam_jwt authenticated: ignored",
		    pjwt_shown(shown, sizeof(shown), user, SHOWN),
		    pjwt_shown(was, sizeof(was), st->user, SHOWN));
		return PAM_IGNORE;
	}
	pjwt_shown(shown, sizeof(shown), user, SHOWN);
	now = (double)time(NULL);
	if (now >= st->deadline) {
		pjwt_log(pamh, JWTC_LOG_NOTICE, "account: token of user %s "
		    "expired %.0f s ago", shown, now - st->deadline);
		return PAM_ACCT_EXPIRED;
	}
	if (a.debug)
		pjwt_log(pamh, JWTC_LOG_DEBUG, "account: token of user %s "
		    "valid for %.0f s more", shown, st->deadline - now);
	return PAM_SUCCESS;
}
