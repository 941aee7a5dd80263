/*
 * claims.c - the claim rules of an issuer section, applied to a token
 * whose signature has been verified.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

/* How much of a claim value a message may show. */
#define SHOW 48

bool
jwtc_numeric_date(const json_t *v, double *out)
{
	double d;

	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		if (i < 0 || i > (json_int_t)9007199254740992LL)
			return false;
		d = (double)i;
	} else if (json_is_real(v)) {
		d = json_real_value(v);
		if (!isfinite(d) || d < 0.0 || d > JWTC_MAX_NUMERIC_DATE)
			return false;
	} else {
		return false;
	}
	*out = d;
	return true;
}

/* Read an optional NumericDate claim.  *present tells whether it was there. */
static jwtc_rc
get_date(const json_t *claims, const char *name, bool *present, double *out,
    jwtc_error *err)
{
	const json_t *v = json_object_get(claims, name);

	*present = false;
	if (v == NULL)
		return JWTC_OK;
	if (!jwtc_numeric_date(v, out))
		return jwtc_seterr(err, JWTC_ERR_CLAIM,
		    "claim %s is not a NumericDate (a number from 0 to 2^53)",
		    name);
	*present = true;
	return JWTC_OK;
}

static jwtc_rc
check_times(const jwtc_issuer_cfg *is, const json_t *claims, int64_t now,
    jwtc_error *err)
{
	double n = (double)now, leeway = (double)is->leeway, exp, nbf, iat;
	bool has_exp, has_nbf, has_iat;
	jwtc_rc rc;

	rc = get_date(claims, "exp", &has_exp, &exp, err);
	if (rc != JWTC_OK)
		return rc;
	if (!has_exp)
		return jwtc_seterr(err, JWTC_ERR_CLAIM, "token has no exp");
	rc = get_date(claims, "nbf", &has_nbf, &nbf, err);
	if (rc != JWTC_OK)
		return rc;
	rc = get_date(claims, "iat", &has_iat, &iat, err);
	if (rc != JWTC_OK)
		return rc;

	if (n >= exp + leeway)
		return jwtc_seterr(err, JWTC_ERR_EXPIRED,
		    "expired %.0f s ago (leeway %ld s)", floor(n - exp),
		    is->leeway);
	if (has_nbf && n < nbf - leeway)
		return jwtc_seterr(err, JWTC_ERR_NOT_YET_VALID,
		    "not valid for another %.0f s (nbf, leeway %ld s)",
		    ceil(nbf - n), is->leeway);
	if (has_iat && iat > n + leeway)
		return jwtc_seterr(err, JWTC_ERR_ISSUED_IN_FUTURE,
		    "issued %.0f s in the future (iat, leeway %ld s)",
		    ceil(iat - n), is->leeway);
	if (is->max_token_age >= 0) {
		if (!has_iat)
			return jwtc_seterr(err, JWTC_ERR_CLAIM,
			    "token has no iat, which max_token_age requires");
		if (n - iat > (double)is->max_token_age + leeway)
			return jwtc_seterr(err, JWTC_ERR_TOO_OLD,
			    "issued %.0f s ago, more than max_token_age %ld s "
			    "(leeway %ld s)", floor(n - iat),
			    is->max_token_age, is->leeway);
	}
	return JWTC_OK;
}

static bool
in_list(const jwtc_list *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

static jwtc_rc
check_audience(const jwtc_issuer_cfg *is, const json_t *claims,
    jwtc_error *err)
{
	const json_t *aud = json_object_get(claims, "aud"), *v;
	char shown[SHOW * 4 + 8];
	size_t i;

	if (aud == NULL)
		return jwtc_seterr(err, JWTC_ERR_AUDIENCE, "token has no aud");
	if (json_is_string(aud)) {
		if (in_list(&is->audience, json_string_value(aud)))
			return JWTC_OK;
		jwtc_sanitize(shown, sizeof(shown), json_string_value(aud),
		    SHOW);
		return jwtc_seterr(err, JWTC_ERR_AUDIENCE,
		    "aud \"%s\" is not an audience of section %s", shown,
		    is->name);
	}
	if (!json_is_array(aud))
		return jwtc_seterr(err, JWTC_ERR_AUDIENCE,
		    "aud is neither a string nor an array");
	json_array_foreach(aud, i, v) {
		if (!json_is_string(v))
			return jwtc_seterr(err, JWTC_ERR_AUDIENCE,
			    "aud holds a value that is not a string");
	}
	json_array_foreach(aud, i, v) {
		if (in_list(&is->audience, json_string_value(v)))
			return JWTC_OK;
	}
	return jwtc_seterr(err, JWTC_ERR_AUDIENCE,
	    "none of the %zu aud values is an audience of section %s",
	    json_array_size(aud), is->name);
}

/* A typ value without an optional "application/" prefix. */
static const char *
typ_core(const char *s)
{
	if (strncasecmp(s, "application/", 12) == 0)
		return s + 12;
	return s;
}

static jwtc_rc
check_type(const jwtc_issuer_cfg *is, const jwtc_token *t, jwtc_error *err)
{
	char shown[SHOW * 4 + 8];
	size_t i;

	if (is->token_types.n == 0)
		return JWTC_OK;
	if (t->typ == NULL)
		return jwtc_seterr(err, JWTC_ERR_TOKEN_TYPE,
		    "token has no typ, section %s requires one", is->name);
	for (i = 0; i < is->token_types.n; i++)
		if (strcasecmp(typ_core(t->typ),
		    typ_core(is->token_types.v[i])) == 0)
			return JWTC_OK;
	jwtc_sanitize(shown, sizeof(shown), t->typ, SHOW);
	return jwtc_seterr(err, JWTC_ERR_TOKEN_TYPE,
	    "typ \"%s\" is not a token type of section %s", shown, is->name);
}

/* Whether one claim value equals the configured text.  "true" and
 * "false" stand for the JSON booleans only: a string "true" does not
 * satisfy email_verified=true. */
static bool
value_equals(const json_t *v, const char *want)
{
	bool want_true = strcmp(want, "true") == 0;
	bool want_false = strcmp(want, "false") == 0;

	if (want_true || want_false)
		return want_true ? json_is_true(v) : json_is_false(v);
	if (json_is_string(v))
		return strcmp(json_string_value(v), want) == 0;
	return false;
}

static jwtc_rc
check_claims(const jwtc_issuer_cfg *is, const json_t *claims, jwtc_error *err)
{
	const json_t *v, *e;
	size_t i, j;
	bool found;

	for (i = 0; i < is->required_claims.n; i++)
		if (json_object_get(claims, is->required_claims.v[i]) == NULL)
			return jwtc_seterr(err, JWTC_ERR_CLAIM,
			    "required claim %s is missing",
			    is->required_claims.v[i]);
	for (i = 0; i < is->n_claim_values; i++) {
		const jwtc_claim_value *cv = &is->claim_values[i];

		v = json_object_get(claims, cv->name);
		if (v == NULL)
			return jwtc_seterr(err, JWTC_ERR_CLAIM,
			    "claim %s is missing (claim_values)", cv->name);
		found = false;
		if (json_is_array(v)) {
			json_array_foreach(v, j, e) {
				if (value_equals(e, cv->value))
					found = true;
			}
		} else {
			found = value_equals(v, cv->value);
		}
		if (!found)
			return jwtc_seterr(err, JWTC_ERR_CLAIM,
			    "claim %s does not hold the value that "
			    "claim_values requires", cv->name);
	}
	return JWTC_OK;
}

/* Whether word (of wlen bytes) is one of the space-separated words of s. */
static bool
word_in(const char *s, const char *word)
{
	size_t wlen = strlen(word);
	const char *p = s;

	while (*p != '\0') {
		size_t n;

		while (*p == ' ')
			p++;
		n = strcspn(p, " ");
		if (n == wlen && n > 0 && memcmp(p, word, n) == 0)
			return true;
		p += n;
	}
	return false;
}

/* Whether a claim (a space-separated string or an array of strings) holds
 * word.  A claim of another type, or an array holding a non-string, is an
 * error (*bad). */
static bool
claim_has(const json_t *v, const char *word, bool *bad)
{
	const json_t *e;
	size_t i;

	if (v == NULL)
		return false;
	if (json_is_string(v))
		return word_in(json_string_value(v), word);
	if (!json_is_array(v)) {
		*bad = true;
		return false;
	}
	json_array_foreach(v, i, e) {
		if (!json_is_string(e)) {
			*bad = true;
			return false;
		}
	}
	json_array_foreach(v, i, e) {
		if (strcmp(json_string_value(e), word) == 0)
			return true;
	}
	return false;
}

static jwtc_rc
check_groups(const jwtc_issuer_cfg *is, const json_t *claims, jwtc_error *err)
{
	const json_t *g;
	bool bad = false;
	size_t i;

	if (is->allowed_groups.n == 0)
		return JWTC_OK;
	g = json_object_get(claims, is->groups_claim);
	if (g == NULL)
		return jwtc_seterr(err, JWTC_ERR_GROUP,
		    "token has no %s claim, section %s requires a group",
		    is->groups_claim, is->name);
	for (i = 0; i < is->allowed_groups.n; i++) {
		if (claim_has(g, is->allowed_groups.v[i], &bad))
			return JWTC_OK;
		if (bad)
			return jwtc_seterr(err, JWTC_ERR_GROUP,
			    "claim %s is not a string or an array of strings",
			    is->groups_claim);
	}
	return jwtc_seterr(err, JWTC_ERR_GROUP,
	    "token is in none of the allowed_groups of section %s", is->name);
}

static jwtc_rc
check_scope(const jwtc_issuer_cfg *is, const json_t *claims, jwtc_error *err)
{
	const json_t *scope, *scp;
	bool bad = false, have;
	size_t i;

	if (is->required_scope.n == 0)
		return JWTC_OK;
	scope = json_object_get(claims, "scope");
	scp = json_object_get(claims, "scp");
	for (i = 0; i < is->required_scope.n; i++) {
		const char *want = is->required_scope.v[i];

		have = claim_has(scope, want, &bad) ||
		    claim_has(scp, want, &bad);
		if (bad)
			return jwtc_seterr(err, JWTC_ERR_SCOPE,
			    "scope or scp is not a string or an array of "
			    "strings");
		if (!have)
			return jwtc_seterr(err, JWTC_ERR_SCOPE,
			    "required scope %s is missing", want);
	}
	return JWTC_OK;
}

static jwtc_rc
check_user_name(const char *u, size_t len, jwtc_error *err)
{
	size_t i;

	if (len == 0)
		return jwtc_seterr(err, JWTC_ERR_USER, "user name is empty");
	if (len > JWTC_MAX_USER_LEN)
		return jwtc_seterr(err, JWTC_ERR_USER,
		    "user name is longer than %d bytes", JWTC_MAX_USER_LEN);
	/* Hosts trim names (libsasl2's canon_user does): " alice" must not
	 * become alice. */
	if (u[0] == ' ' || u[len - 1] == ' ')
		return jwtc_seterr(err, JWTC_ERR_USER,
		    "user name begins or ends with a space");
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)u[i];

		if (c < 0x20 || c == 0x7f)
			return jwtc_seterr(err, JWTC_ERR_USER,
			    "user name holds a control character");
		if (c == '/' || c == ':')
			return jwtc_seterr(err, JWTC_ERR_USER,
			    "user name holds '%c'", c);
	}
	return JWTC_OK;
}

static jwtc_rc
find_user(const jwtc_issuer_cfg *is, const json_t *claims, char **user,
    jwtc_error *err)
{
	const json_t *v = json_object_get(claims, is->username_claim);
	const char *s, *at;
	size_t len;
	jwtc_rc rc;

	if (v == NULL)
		return jwtc_seterr(err, JWTC_ERR_USER,
		    "token has no %s claim to name the user",
		    is->username_claim);
	if (!json_is_string(v))
		return jwtc_seterr(err, JWTC_ERR_USER,
		    "claim %s is not a string", is->username_claim);
	s = json_string_value(v);
	len = json_string_length(v);
	if (strlen(s) != len)
		return jwtc_seterr(err, JWTC_ERR_USER,
		    "user name holds a NUL character");
	if (is->username_domain != NULL) {
		at = strrchr(s, '@');
		if (at == NULL || strcasecmp(at + 1, is->username_domain) != 0)
			return jwtc_seterr(err, JWTC_ERR_USER,
			    "claim %s is not of the form user@%s",
			    is->username_claim, is->username_domain);
		len = (size_t)(at - s);
		if (memchr(s, '@', len) != NULL)
			return jwtc_seterr(err, JWTC_ERR_USER,
			    "user part of claim %s holds '@'",
			    is->username_claim);
	}
	rc = check_user_name(s, len, err);
	if (rc != JWTC_OK)
		return rc;
	*user = jwtc_strndup(s, len);
	if (*user == NULL)
		return jwtc_seterr(err, JWTC_ERR_NO_MEMORY, "out of memory");
	return JWTC_OK;
}

jwtc_rc
jwtc_claims_check(const jwtc_issuer_cfg *is, const jwtc_token *t, int64_t now,
    char **user, jwtc_error *err)
{
	char *u = NULL;
	jwtc_rc rc;

	if (t->iss == NULL || strcmp(t->iss, is->issuer) != 0)
		return jwtc_seterr(err, JWTC_ERR_UNKNOWN_ISSUER,
		    "iss is not the issuer of section %s", is->name);
	rc = check_times(is, t->claims, now, err);
	if (rc == JWTC_OK)
		rc = check_audience(is, t->claims, err);
	if (rc == JWTC_OK)
		rc = check_type(is, t, err);
	if (rc == JWTC_OK)
		rc = check_claims(is, t->claims, err);
	if (rc == JWTC_OK)
		rc = check_groups(is, t->claims, err);
	if (rc == JWTC_OK)
		rc = check_scope(is, t->claims, err);
	if (rc == JWTC_OK)
		rc = find_user(is, t->claims, &u, err);
	if (rc != JWTC_OK)
		return rc;
	*user = u;
	return JWTC_OK;
}
