/*
 * test_claims.c - the claim rules, each broken at its edge, with a fixed
 * clock.  The section is built by hand so each rule is tested alone.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define NOW 1700000000LL

/* Writable strings, since the section's fields are not const. */
static char s_api[] = "api", s_mail[] = "mail", s_admins[] = "admins",
    s_ops[] = "ops", s_login[] = "login", s_ssh[] = "ssh",
    s_atjwt[] = "at+jwt", s_appjwt[] = "application/JWT",
    s_email[] = "email", s_azp[] = "azp", s_client1[] = "client1",
    s_ev[] = "email_verified", s_true[] = "true", s_corp[] = "corp",
    s_issuer[] = "https://idp.example", s_sub[] = "sub", s_upn[] = "upn",
    s_groups[] = "groups", s_domain[] = "Example.ORG";
static char *aud_v[] = { s_api, s_mail };
static char *grp_v[] = { s_admins, s_ops };
static char *scope_v[] = { s_login, s_ssh };
static char *typ_v[] = { s_atjwt, s_appjwt };
static char *req_v[] = { s_email };
static jwtc_claim_value cv_v[] = { { s_azp, s_client1 }, { s_ev, s_true } };

enum { R_GROUPS = 1, R_SCOPE = 2, R_TYP = 4, R_REQ = 8, R_CV = 16,
    R_AGE = 32, R_DOMAIN = 64, R_UPN = 128, R_LEEWAY0 = 256 };

static void
section(jwtc_issuer_cfg *is, unsigned rules)
{
	memset(is, 0, sizeof(*is));
	is->name = s_corp;
	is->issuer = s_issuer;
	is->leeway = (rules & R_LEEWAY0) ? 0 : 60;
	is->audience.n = 2;
	is->audience.v = aud_v;
	is->username_claim = (rules & R_UPN) ? s_upn : s_sub;
	is->groups_claim = s_groups;
	is->max_token_age = -1;
	if (rules & R_GROUPS) {
		is->allowed_groups.n = 2;
		is->allowed_groups.v = grp_v;
	}
	if (rules & R_SCOPE) {
		is->required_scope.n = 2;
		is->required_scope.v = scope_v;
	}
	if (rules & R_TYP) {
		is->token_types.n = 2;
		is->token_types.v = typ_v;
	}
	if (rules & R_REQ) {
		is->required_claims.n = 1;
		is->required_claims.v = req_v;
	}
	if (rules & R_CV) {
		is->n_claim_values = 2;
		is->claim_values = cv_v;
	}
	if (rules & R_AGE)
		is->max_token_age = 300;
	if (rules & R_DOMAIN)
		is->username_domain = s_domain;
}

/* %E is replaced by the base claims: iss, aud, sub, exp one hour ahead. */
#define BASE "\"iss\":\"https://idp.example\",\"aud\":\"api\",\"sub\":\"alice\""
#define EXP ",\"exp\":1700003600"

struct ccase {
	unsigned rules;
	const char *typ;
	const char *claims;
	jwtc_rc want;
	const char *msg;
	const char *user;
};

static const struct ccase cases[] = {
	/* accepted */
	{ 0, NULL, "{" BASE EXP "}", JWTC_OK, NULL, "alice" },
	{ 0, NULL, "{" BASE ",\"exp\":1700003600.5}", JWTC_OK, NULL, "alice" },
	/* exp */
	{ 0, NULL, "{" BASE "}", JWTC_ERR_CLAIM, "no exp", NULL },
	{ 0, NULL, "{" BASE ",\"exp\":\"1700003600\"}", JWTC_ERR_CLAIM,
	  "NumericDate", NULL },
	{ 0, NULL, "{" BASE ",\"exp\":true}", JWTC_ERR_CLAIM, "NumericDate",
	  NULL },
	{ 0, NULL, "{" BASE ",\"exp\":null}", JWTC_ERR_CLAIM, "NumericDate",
	  NULL },
	{ 0, NULL, "{" BASE ",\"exp\":[1700003600]}", JWTC_ERR_CLAIM,
	  "NumericDate", NULL },
	{ 0, NULL, "{" BASE ",\"exp\":-1}", JWTC_ERR_CLAIM, "NumericDate",
	  NULL },
	{ 0, NULL, "{" BASE ",\"exp\":-0.5}", JWTC_ERR_CLAIM, "NumericDate",
	  NULL },
	{ 0, NULL, "{" BASE ",\"exp\":9007199254740993}", JWTC_ERR_CLAIM,
	  "NumericDate", NULL },
	{ 0, NULL, "{" BASE ",\"exp\":1e300}", JWTC_ERR_CLAIM, "NumericDate",
	  NULL },
	{ 0, NULL, "{" BASE ",\"exp\":9223372036854775807}", JWTC_ERR_CLAIM,
	  "NumericDate", NULL },
	/* exactly at exp + leeway: refused; one second before: accepted */
	{ 0, NULL, "{" BASE ",\"exp\":1699999940}", JWTC_ERR_EXPIRED,
	  "expired 60 s ago (leeway 60 s)", NULL },
	{ 0, NULL, "{" BASE ",\"exp\":1699999941}", JWTC_OK, NULL, "alice" },
	{ 0, NULL, "{" BASE ",\"exp\":1699999939}", JWTC_ERR_EXPIRED,
	  "expired 61 s ago", NULL },
	{ R_LEEWAY0, NULL, "{" BASE ",\"exp\":1700000000}", JWTC_ERR_EXPIRED,
	  "leeway 0 s", NULL },
	{ R_LEEWAY0, NULL, "{" BASE ",\"exp\":1700000000.5}", JWTC_OK, NULL,
	  "alice" },
	{ 0, NULL, "{" BASE ",\"exp\":0}", JWTC_ERR_EXPIRED, "expired", NULL },
	/* nbf */
	{ 0, NULL, "{" BASE EXP ",\"nbf\":1700000060}", JWTC_OK, NULL,
	  "alice" },
	{ 0, NULL, "{" BASE EXP ",\"nbf\":1700000061}", JWTC_ERR_NOT_YET_VALID,
	  "not valid for another 61 s", NULL },
	{ 0, NULL, "{" BASE EXP ",\"nbf\":\"0\"}", JWTC_ERR_CLAIM,
	  "nbf is not a NumericDate", NULL },
	{ 0, NULL, "{" BASE EXP ",\"nbf\":false}", JWTC_ERR_CLAIM, "nbf",
	  NULL },
	/* iat */
	{ 0, NULL, "{" BASE EXP ",\"iat\":1700000060}", JWTC_OK, NULL,
	  "alice" },
	{ 0, NULL, "{" BASE EXP ",\"iat\":1700000061}",
	  JWTC_ERR_ISSUED_IN_FUTURE, "issued 61 s in the future", NULL },
	{ 0, NULL, "{" BASE EXP ",\"iat\":-5}", JWTC_ERR_CLAIM, "iat", NULL },
	/* max_token_age 300, leeway 60 */
	{ R_AGE, NULL, "{" BASE EXP ",\"iat\":1699999640}", JWTC_OK, NULL,
	  "alice" },
	{ R_AGE, NULL, "{" BASE EXP ",\"iat\":1699999639}", JWTC_ERR_TOO_OLD,
	  "max_token_age 300", NULL },
	{ R_AGE, NULL, "{" BASE EXP "}", JWTC_ERR_CLAIM, "no iat", NULL },
	/* aud */
	{ 0, NULL, "{\"iss\":\"https://idp.example\",\"sub\":\"alice\"" EXP "}",
	  JWTC_ERR_AUDIENCE, "no aud", NULL },
	{ 0, NULL, "{\"iss\":\"https://idp.example\",\"aud\":\"ap\","
	  "\"sub\":\"alice\"" EXP "}", JWTC_ERR_AUDIENCE, "\"ap\"", NULL },
	{ 0, NULL, "{\"iss\":\"https://idp.example\",\"aud\":\"api2\","
	  "\"sub\":\"alice\"" EXP "}", JWTC_ERR_AUDIENCE, "api2", NULL },
	{ 0, NULL, "{\"iss\":\"https://idp.example\",\"aud\":\"API\","
	  "\"sub\":\"alice\"" EXP "}", JWTC_ERR_AUDIENCE, "API", NULL },
	{ 0, NULL, "{\"iss\":\"https://idp.example\",\"aud\":[\"x\",\"y\"],"
	  "\"sub\":\"alice\"" EXP "}", JWTC_ERR_AUDIENCE, "none of the 2",
	  NULL },
	{ 0, NULL, "{\"iss\":\"https://idp.example\",\"aud\":[],"
	  "\"sub\":\"alice\"" EXP "}", JWTC_ERR_AUDIENCE, "none of the 0",
	  NULL },
	{ 0, NULL, "{\"iss\":\"https://idp.example\",\"aud\":[\"api\",1],"
	  "\"sub\":\"alice\"" EXP "}", JWTC_ERR_AUDIENCE, "not a string",
	  NULL },
	{ 0, NULL, "{\"iss\":\"https://idp.example\",\"aud\":7,"
	  "\"sub\":\"alice\"" EXP "}", JWTC_ERR_AUDIENCE, "neither", NULL },
	{ 0, NULL, "{\"iss\":\"https://idp.example\",\"aud\":[\"x\",\"mail\"],"
	  "\"sub\":\"alice\"" EXP "}", JWTC_OK, NULL, "alice" },
	/* iss */
	{ 0, NULL, "{\"iss\":\"https://idp.example/\",\"aud\":\"api\","
	  "\"sub\":\"alice\"" EXP "}", JWTC_ERR_UNKNOWN_ISSUER, "corp", NULL },
	{ 0, NULL, "{\"aud\":\"api\",\"sub\":\"alice\"" EXP "}",
	  JWTC_ERR_UNKNOWN_ISSUER, "corp", NULL },
	/* typ */
	{ R_TYP, NULL, "{" BASE EXP "}", JWTC_ERR_TOKEN_TYPE, "no typ", NULL },
	{ R_TYP, "JWT", "{" BASE EXP "}", JWTC_OK, NULL, "alice" },
	{ R_TYP, "application/at+JWT", "{" BASE EXP "}", JWTC_OK, NULL,
	  "alice" },
	{ R_TYP, "AT+JWT", "{" BASE EXP "}", JWTC_OK, NULL, "alice" },
	{ R_TYP, "dpop+jwt", "{" BASE EXP "}", JWTC_ERR_TOKEN_TYPE,
	  "dpop+jwt", NULL },
	{ R_TYP, "application/", "{" BASE EXP "}", JWTC_ERR_TOKEN_TYPE, "typ",
	  NULL },
	{ R_TYP, "at+jwtx", "{" BASE EXP "}", JWTC_ERR_TOKEN_TYPE, "typ",
	  NULL },
	/* required claims and claim values */
	{ R_REQ, NULL, "{" BASE EXP "}", JWTC_ERR_CLAIM, "email is missing",
	  NULL },
	{ R_REQ, NULL, "{" BASE EXP ",\"email\":null}", JWTC_OK, NULL,
	  "alice" },
	{ R_CV, NULL, "{" BASE EXP ",\"azp\":\"client1\","
	  "\"email_verified\":true}", JWTC_OK, NULL, "alice" },
	{ R_CV, NULL, "{" BASE EXP ",\"azp\":[\"x\",\"client1\"],"
	  "\"email_verified\":[true]}", JWTC_OK, NULL, "alice" },
	{ R_CV, NULL, "{" BASE EXP ",\"email_verified\":true}", JWTC_ERR_CLAIM,
	  "azp is missing", NULL },
	{ R_CV, NULL, "{" BASE EXP ",\"azp\":\"client2\","
	  "\"email_verified\":true}", JWTC_ERR_CLAIM, "azp does not hold",
	  NULL },
	{ R_CV, NULL, "{" BASE EXP ",\"azp\":\"Client1\","
	  "\"email_verified\":true}", JWTC_ERR_CLAIM, "azp", NULL },
	/* true and false are the JSON booleans, never strings */
	{ R_CV, NULL, "{" BASE EXP ",\"azp\":\"client1\","
	  "\"email_verified\":\"true\"}", JWTC_ERR_CLAIM, "email_verified",
	  NULL },
	{ R_CV, NULL, "{" BASE EXP ",\"azp\":\"client1\","
	  "\"email_verified\":\"True\"}", JWTC_ERR_CLAIM, "email_verified",
	  NULL },
	{ R_CV, NULL, "{" BASE EXP ",\"azp\":\"client1\","
	  "\"email_verified\":false}", JWTC_ERR_CLAIM, "email_verified",
	  NULL },
	{ R_CV, NULL, "{" BASE EXP ",\"azp\":\"client1\","
	  "\"email_verified\":1}", JWTC_ERR_CLAIM, "email_verified", NULL },
	{ R_CV, NULL, "{" BASE EXP ",\"azp\":{\"client1\":1},"
	  "\"email_verified\":true}", JWTC_ERR_CLAIM, "azp", NULL },
	/* groups */
	{ R_GROUPS, NULL, "{" BASE EXP ",\"groups\":[\"users\",\"ops\"]}",
	  JWTC_OK, NULL, "alice" },
	{ R_GROUPS, NULL, "{" BASE EXP ",\"groups\":\"users admins\"}",
	  JWTC_OK, NULL, "alice" },
	{ R_GROUPS, NULL, "{" BASE EXP "}", JWTC_ERR_GROUP, "no groups claim",
	  NULL },
	{ R_GROUPS, NULL, "{" BASE EXP ",\"groups\":[\"users\"]}",
	  JWTC_ERR_GROUP, "none of the allowed_groups", NULL },
	{ R_GROUPS, NULL, "{" BASE EXP ",\"groups\":\"admin\"}",
	  JWTC_ERR_GROUP, "none", NULL },
	{ R_GROUPS, NULL, "{" BASE EXP ",\"groups\":\"useradmins\"}",
	  JWTC_ERR_GROUP, "none", NULL },
	{ R_GROUPS, NULL, "{" BASE EXP ",\"groups\":[]}", JWTC_ERR_GROUP,
	  "none", NULL },
	{ R_GROUPS, NULL, "{" BASE EXP ",\"groups\":[\"ops\",7]}",
	  JWTC_ERR_GROUP, "not a string", NULL },
	{ R_GROUPS, NULL, "{" BASE EXP ",\"groups\":{\"admins\":true}}",
	  JWTC_ERR_GROUP, "not a string", NULL },
	{ R_GROUPS, NULL, "{" BASE EXP ",\"groups\":[\"ADMINS\"]}",
	  JWTC_ERR_GROUP, "none", NULL },
	/* scope */
	{ R_SCOPE, NULL, "{" BASE EXP ",\"scope\":\"ssh login mail\"}",
	  JWTC_OK, NULL, "alice" },
	{ R_SCOPE, NULL, "{" BASE EXP ",\"scp\":[\"ssh\",\"login\"]}", JWTC_OK,
	  NULL, "alice" },
	{ R_SCOPE, NULL, "{" BASE EXP ",\"scope\":\"ssh\",\"scp\":[\"login\"]}",
	  JWTC_OK, NULL, "alice" },
	{ R_SCOPE, NULL, "{" BASE EXP ",\"scope\":\"ssh\"}", JWTC_ERR_SCOPE,
	  "login is missing", NULL },
	{ R_SCOPE, NULL, "{" BASE EXP ",\"scope\":\"sshlogin\"}",
	  JWTC_ERR_SCOPE, "missing", NULL },
	{ R_SCOPE, NULL, "{" BASE EXP "}", JWTC_ERR_SCOPE, "missing", NULL },
	{ R_SCOPE, NULL, "{" BASE EXP ",\"scp\":[\"ssh\",1]}", JWTC_ERR_SCOPE,
	  "not a string", NULL },
	{ R_SCOPE, NULL, "{" BASE EXP ",\"scope\":true}", JWTC_ERR_SCOPE,
	  "not a string", NULL },
	/* user name */
	{ 0, NULL, "{\"iss\":\"https://idp.example\",\"aud\":\"api\"" EXP "}",
	  JWTC_ERR_USER, "no sub claim", NULL },
	{ 0, NULL, "{\"iss\":\"https://idp.example\",\"aud\":\"api\","
	  "\"sub\":7" EXP "}", JWTC_ERR_USER, "not a string", NULL },
	{ 0, NULL, "{\"iss\":\"https://idp.example\",\"aud\":\"api\","
	  "\"sub\":\"\"" EXP "}", JWTC_ERR_USER, "empty", NULL },
	{ 0, NULL, "{\"iss\":\"https://idp.example\",\"aud\":\"api\","
	  "\"sub\":\"al\\nice\"" EXP "}", JWTC_ERR_USER, "control", NULL },
	{ 0, NULL, "{\"iss\":\"https://idp.example\",\"aud\":\"api\","
	  "\"sub\":\"al\\u007fice\"" EXP "}", JWTC_ERR_USER, "control", NULL },
	{ 0, NULL, "{\"iss\":\"https://idp.example\",\"aud\":\"api\","
	  "\"sub\":\"../root\"" EXP "}", JWTC_ERR_USER, "'/'", NULL },
	{ 0, NULL, "{\"iss\":\"https://idp.example\",\"aud\":\"api\","
	  "\"sub\":\"root:x\"" EXP "}", JWTC_ERR_USER, "':'", NULL },
	{ R_UPN, NULL, "{" BASE EXP "}", JWTC_ERR_USER, "no upn claim", NULL },
	{ 0, NULL, "{\"iss\":\"https://idp.example\",\"aud\":\"api\","
	  "\"sub\":\" alice\"" EXP "}", JWTC_ERR_USER, "space", NULL },
	{ 0, NULL, "{\"iss\":\"https://idp.example\",\"aud\":\"api\","
	  "\"sub\":\"alice \"" EXP "}", JWTC_ERR_USER, "space", NULL },
	{ 0, NULL, "{\"iss\":\"https://idp.example\",\"aud\":\"api\","
	  "\"sub\":\" \"" EXP "}", JWTC_ERR_USER, "space", NULL },
	{ R_DOMAIN, NULL, "{\"iss\":\"https://idp.example\",\"aud\":\"api\","
	  "\"sub\":\"alice @example.org\"" EXP "}", JWTC_ERR_USER, "space",
	  NULL },
	{ 0, NULL, "{\"iss\":\"https://idp.example\",\"aud\":\"api\","
	  "\"sub\":\"al ice\"" EXP "}", JWTC_OK, NULL, "al ice" },
	/* username_domain Example.ORG */
	{ R_DOMAIN, NULL, "{\"iss\":\"https://idp.example\",\"aud\":\"api\","
	  "\"sub\":\"Alice@example.org\"" EXP "}", JWTC_OK, NULL, "Alice" },
	{ R_DOMAIN, NULL, "{\"iss\":\"https://idp.example\",\"aud\":\"api\","
	  "\"sub\":\"alice@example.com\"" EXP "}", JWTC_ERR_USER,
	  "user@Example.ORG", NULL },
	{ R_DOMAIN, NULL, "{\"iss\":\"https://idp.example\",\"aud\":\"api\","
	  "\"sub\":\"alice\"" EXP "}", JWTC_ERR_USER, "form", NULL },
	{ R_DOMAIN, NULL, "{\"iss\":\"https://idp.example\",\"aud\":\"api\","
	  "\"sub\":\"alice@sub.example.org\"" EXP "}", JWTC_ERR_USER, "form",
	  NULL },
	{ R_DOMAIN, NULL, "{\"iss\":\"https://idp.example\",\"aud\":\"api\","
	  "\"sub\":\"@example.org\"" EXP "}", JWTC_ERR_USER, "empty", NULL },
	{ R_DOMAIN, NULL, "{\"iss\":\"https://idp.example\",\"aud\":\"api\","
	  "\"sub\":\"a@b@example.org\"" EXP "}", JWTC_ERR_USER, "'@'", NULL },
};

static void
test_table(void **state)
{
	size_t i;
	unsigned ok = 0, refused = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ccase *c = &cases[i];
		jwtc_issuer_cfg is;
		jwtc_token t;
		jwtc_error err;
		json_error_t jerr;
		const json_t *v;
		char *user = NULL;
		jwtc_rc rc;

		section(&is, c->rules);
		memset(&t, 0, sizeof(t));
		memset(&err, 0, sizeof(err));
		t.claims = json_loads(c->claims, JSON_REJECT_DUPLICATES, &jerr);
		if (t.claims == NULL)
			fail_msg("case %zu: bad test JSON: %s", i, jerr.text);
		v = json_object_get(t.claims, "iss");
		t.iss = json_is_string(v) ? json_string_value(v) : NULL;
		t.typ = c->typ;
		rc = jwtc_claims_check(&is, &t, NOW, &user, &err);
		if (rc != c->want)
			fail_msg("case %zu: got %s (%s), want %s", i,
			    jwtc_rc_str(rc), err.msg, jwtc_rc_str(c->want));
		if (c->msg != NULL && strstr(err.msg, c->msg) == NULL)
			fail_msg("case %zu: reason \"%s\" lacks \"%s\"", i,
			    err.msg, c->msg);
		if (rc == JWTC_OK) {
			assert_non_null(user);
			assert_string_equal(user, c->user);
			ok++;
		} else {
			assert_null(user);
			refused++;
		}
		free(user);
		json_decref(t.claims);
	}
	print_message("claims: %u accepted, %u refused\n", ok, refused);
	assert_true(refused > 2 * ok);
}

static void
test_numeric_date(void **state)
{
	json_t *v;
	double d = -1;

	(void)state;
	v = json_integer(9007199254740992LL);
	assert_true(jwtc_numeric_date(v, &d));
	json_decref(v);
	v = json_integer(9007199254740993LL);
	assert_false(jwtc_numeric_date(v, &d));
	json_decref(v);
	v = json_real(0.25);
	assert_true(jwtc_numeric_date(v, &d));
	assert_true(d > 0.24 && d < 0.26);
	json_decref(v);
	v = json_string("1");
	assert_false(jwtc_numeric_date(v, &d));
	json_decref(v);
	assert_false(jwtc_numeric_date(json_true(), &d));
	assert_false(jwtc_numeric_date(json_null(), &d));
	assert_false(jwtc_numeric_date(NULL, &d));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_numeric_date),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
