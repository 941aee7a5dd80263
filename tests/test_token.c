/*
 * test_token.c - splitting, decoding and header rules of compact JWS.
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

#define SIG "c2lnbmF0dXJl" /* "signature" */

/* header and payload given as JSON text, encoded here */
struct tcase {
	const char *header;
	const char *payload;
	jwtc_rc want;
	const char *msg;      /* substring of the reason */
};

static const struct tcase cases[] = {
	{ "{\"alg\":\"ES256\"}", "{\"iss\":\"a\"}", JWTC_OK, NULL },
	{ "{\"alg\":\"EdDSA\",\"kid\":\"k1\",\"typ\":\"JWT\"}", "{}",
	  JWTC_OK, NULL },
	{ "{\"alg\":\"RS256\",\"b64\":true}", "{}", JWTC_OK, NULL },
	{ "{\"alg\":\"RS256\",\"jku\":\"https://evil/\",\"x5u\":\"x\"}", "{}",
	  JWTC_OK, NULL },
	/* alg */
	{ "{\"alg\":\"none\"}", "{}", JWTC_ERR_ALG, "none" },
	{ "{\"alg\":\"None\"}", "{}", JWTC_ERR_ALG, "none" },
	{ "{\"alg\":\"NONE\"}", "{}", JWTC_ERR_ALG, "none" },
	{ "{\"alg\":\"nOnE\"}", "{}", JWTC_ERR_ALG, "none" },
	{ "{\"alg\":\"es256\"}", "{}", JWTC_ERR_ALG, "unknown alg" },
	{ "{\"alg\":\"ES256K\"}", "{}", JWTC_ERR_ALG, "unknown alg" },
	{ "{\"alg\":\"HS1\"}", "{}", JWTC_ERR_ALG, "unknown alg" },
	{ "{\"alg\":\"\"}", "{}", JWTC_ERR_ALG, "unknown alg" },
	{ "{\"alg\":256}", "{}", JWTC_ERR_ALG, "not a string" },
	{ "{\"alg\":null}", "{}", JWTC_ERR_ALG, "not a string" },
	{ "{\"typ\":\"JWT\"}", "{}", JWTC_ERR_ALG, "no alg" },
	/* refused forms */
	{ "{\"alg\":\"RS256\",\"crit\":[\"exp\"],\"exp\":1}", "{}",
	  JWTC_ERR_UNSUPPORTED, "crit" },
	{ "{\"alg\":\"RS256\",\"crit\":[]}", "{}", JWTC_ERR_UNSUPPORTED,
	  "crit" },
	{ "{\"alg\":\"RS256\",\"b64\":false,\"crit\":[\"b64\"]}", "{}",
	  JWTC_ERR_UNSUPPORTED, NULL },
	{ "{\"alg\":\"RS256\",\"b64\":false}", "{}", JWTC_ERR_UNSUPPORTED,
	  "b64" },
	{ "{\"alg\":\"RS256\",\"b64\":\"false\"}", "{}",
	  JWTC_ERR_UNSUPPORTED, "b64" },
	{ "{\"alg\":\"RS256\",\"cty\":\"JWT\"}", "{}", JWTC_ERR_UNSUPPORTED,
	  "nested" },
	{ "{\"alg\":\"RS256\",\"cty\":\"jwt\"}", "{}", JWTC_ERR_UNSUPPORTED,
	  "nested" },
	{ "{\"alg\":\"RS256\",\"cty\":\"application/JWT\"}", "{}",
	  JWTC_ERR_UNSUPPORTED, "nested" },
	{ "{\"alg\":\"RS256\",\"cty\":7}", "{}", JWTC_ERR_MALFORMED, "cty" },
	{ "{\"alg\":\"RS256\",\"enc\":\"A128GCM\"}", "{}",
	  JWTC_ERR_UNSUPPORTED, "JWE" },
	{ "{\"alg\":\"RS256\",\"zip\":\"DEF\"}", "{}", JWTC_ERR_UNSUPPORTED,
	  "JWE" },
	/* kid and typ */
	{ "{\"alg\":\"RS256\",\"kid\":7}", "{}", JWTC_ERR_MALFORMED, "kid" },
	{ "{\"alg\":\"RS256\",\"kid\":{\"a\":1}}", "{}", JWTC_ERR_MALFORMED,
	  "kid" },
	{ "{\"alg\":\"RS256\",\"kid\":[\"a\"]}", "{}", JWTC_ERR_MALFORMED,
	  "kid" },
	{ "{\"alg\":\"RS256\",\"kid\":\"\"}", "{}", JWTC_ERR_MALFORMED,
	  "kid" },
	{ "{\"alg\":\"RS256\",\"typ\":1}", "{}", JWTC_ERR_MALFORMED, "typ" },
	/* JSON */
	{ "{\"alg\":\"RS256\",\"alg\":\"RS256\"}", "{}", JWTC_ERR_MALFORMED,
	  "duplicate" },
	{ "{\"alg\":\"RS256\",\"alg\":\"none\"}", "{}", JWTC_ERR_MALFORMED,
	  "header" },
	{ "[\"alg\"]", "{}", JWTC_ERR_MALFORMED, "not an object" },
	{ "\"RS256\"", "{}", JWTC_ERR_MALFORMED, "header" },
	{ "{\"alg\":\"RS256\"} ", "{}", JWTC_OK, NULL },
	{ "{\"alg\":\"RS256\"}x", "{}", JWTC_ERR_MALFORMED, "header" },
	{ "{\"alg\":\"RS256\"}{}", "{}", JWTC_ERR_MALFORMED, "header" },
	{ "{\"alg\":\"RS256\"", "{}", JWTC_ERR_MALFORMED, "header" },
	{ "{\"alg\":\"RS\\u0000256\"}", "{}", JWTC_ERR_MALFORMED, "header" },
	{ "{\"alg\":\"RS256\",\"x\":[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]}",
	  "{}", JWTC_ERR_MALFORMED, "deeper" },
	{ "{\"alg\":\"RS256\"}", "[]", JWTC_ERR_MALFORMED, "claims" },
	{ "{\"alg\":\"RS256\"}", "\"x\"", JWTC_ERR_MALFORMED, "claims" },
	{ "{\"alg\":\"RS256\"}", "", JWTC_ERR_MALFORMED, "claims" },
	{ "{\"alg\":\"RS256\"}", "{\"sub\":\"a\",\"sub\":\"b\"}",
	  JWTC_ERR_MALFORMED, "duplicate" },
	{ "{\"alg\":\"RS256\"}", "{\"iss\":7}", JWTC_ERR_MALFORMED, "iss" },
	{ "{\"alg\":\"RS256\"}", "{\"iss\":[\"a\"]}", JWTC_ERR_MALFORMED,
	  "iss" },
	{ "{\"alg\":\"RS256\"}", "{\"jti\":7}", JWTC_ERR_MALFORMED, "jti" },
	{ "{\"alg\":\"RS256\"}", "{\"a\":1e400}", JWTC_ERR_MALFORMED,
	  "claims" },
	{ "{\"alg\":\"RS256\"}", "{\"a\":NaN}", JWTC_ERR_MALFORMED, "claims" },
	{ "{\"alg\":\"RS256\"}", "{\"a\":\"\xff\"}", JWTC_ERR_MALFORMED,
	  "claims" },
};

static char *
make_token(const char *header, const char *payload, const char *sig)
{
	char *h = jwtc_b64url_encode((const unsigned char *)header,
	    strlen(header));
	char *p = jwtc_b64url_encode((const unsigned char *)payload,
	    strlen(payload));
	size_t n;
	char *t;

	assert_non_null(h);
	assert_non_null(p);
	n = strlen(h) + strlen(p) + strlen(sig) + 3;
	t = malloc(n);
	assert_non_null(t);
	snprintf(t, n, "%s.%s.%s", h, p, sig);
	free(h);
	free(p);
	return t;
}

static void
expect(const char *tok, size_t len, size_t max, jwtc_rc want,
    const char *msg, const char *label)
{
	jwtc_token t;
	jwtc_error err;
	jwtc_rc rc;

	memset(&t, 0, sizeof(t));
	memset(&err, 0, sizeof(err));
	rc = jwtc_token_parse(tok, len, max, &t, &err);
	if (rc != want)
		fail_msg("%s: got %d (%s), want %d", label, rc, err.msg, want);
	if (msg != NULL && strstr(err.msg, msg) == NULL)
		fail_msg("%s: reason \"%s\" lacks \"%s\"", label, err.msg, msg);
	if (rc == JWTC_OK) {
		assert_non_null(t.header);
		assert_non_null(t.claims);
		assert_int_not_equal(t.alg, JWTC_ALG_UNKNOWN);
	} else {
		assert_null(t.header);
		assert_null(t.copy);
	}
	jwtc_token_clear(&t);
}

static void
test_header_table(void **state)
{
	size_t i;
	char label[32];

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *tok = make_token(cases[i].header, cases[i].payload, SIG);

		snprintf(label, sizeof(label), "case %zu", i);
		expect(tok, strlen(tok), 16384, cases[i].want, cases[i].msg,
		    label);
		free(tok);
	}
}

struct scase {
	const char *tok;
	jwtc_rc want;
	const char *msg;
};

/* eyJhbGciOiJFUzI1NiJ9 = {"alg":"ES256"}, e30 = {} */
static const struct scase shapes[] = {
	{ "eyJhbGciOiJFUzI1NiJ9.e30." SIG, JWTC_OK, NULL },
	{ "eyJhbGciOiJFUzI1NiJ9.e30.", JWTC_OK, NULL }, /* empty sig: later */
	{ "", JWTC_ERR_MALFORMED, "empty" },
	{ "eyJhbGciOiJFUzI1NiJ9.e30", JWTC_ERR_MALFORMED, "not three segments" },
	{ "eyJhbGciOiJFUzI1NiJ9", JWTC_ERR_MALFORMED, "not three segments" },
	{ "eyJhbGciOiJFUzI1NiJ9.e30." SIG ".x", JWTC_ERR_MALFORMED,
	  "not three segments" },
	{ "eyJhbGciOiJFUzI1NiJ9.e30." SIG ".x.y", JWTC_ERR_UNSUPPORTED, "JWE" },
	{ "eyJhbGciOiJFUzI1NiJ9..." , JWTC_ERR_MALFORMED, "not three segments" },
	{ ".e30." SIG, JWTC_ERR_MALFORMED, "empty header" },
	{ "..", JWTC_ERR_MALFORMED, "empty header" },
	{ "eyJhbGciOiJFUzI1NiJ9==.e30." SIG, JWTC_ERR_MALFORMED,
	  "base64url" },
	{ "eyJhbGciOiJFUzI1NiJ9.e30=." SIG, JWTC_ERR_MALFORMED, "base64url" },
	{ "eyJhbGciOiJFUzI1NiJ9.e30." SIG "=", JWTC_ERR_MALFORMED,
	  "base64url" },
	{ "eyJhbGciOiJFUzI1NiJ9.e30.c2ln+mF0dXJl", JWTC_ERR_MALFORMED,
	  "base64url" },
	{ "eyJhbGciOiJFUzI1NiJ9.e30.c2ln/mF0dXJl", JWTC_ERR_MALFORMED,
	  "base64url" },
	{ "eyJhbGciOiJFUzI1NiJ9.e30.c2lu", JWTC_OK, NULL },
	{ "eyJhbGciOiJFUzI1NiJ9.e31." SIG, JWTC_ERR_MALFORMED, "payload" },
	{ "eyJhbGciOiJFUzI1NiJ9.e30.c2lnbmF0dXJm", JWTC_OK, NULL },
	{ "eyJhbGciOiJFUzI1NiJ9.e30.c2lnbmF0dXJlx", JWTC_ERR_MALFORMED,
	  "base64url" },
	{ "eyJhbGciOiJFUzI1NiJ9.e30.c2lnbmF0dXJlxy", JWTC_ERR_MALFORMED,
	  "base64url" },
	{ " eyJhbGciOiJFUzI1NiJ9.e30." SIG, JWTC_ERR_MALFORMED, "not a base64url" },
	{ "eyJhbGciOiJFUzI1NiJ9.e30." SIG " ", JWTC_ERR_MALFORMED, "not a base64url" },
	{ "eyJhbGciOiJFUzI1NiJ9.e30." SIG "\n", JWTC_ERR_MALFORMED, "not a base64url" },
	{ "eyJhbGciOiJFUzI1NiJ9.e3\n0." SIG, JWTC_ERR_MALFORMED, "not a base64url" },
	{ "eyJhbGciOiJFUzI1NiJ9.e30?." SIG, JWTC_ERR_MALFORMED, "not a base64url" },
	{ "{\"payload\":\"e30\",\"signatures\":[]}", JWTC_ERR_UNSUPPORTED,
	  "JSON serialization" },
	{ "eyJhbGciOiJFUzI1NiJ9.e30.\xc3\xa9", JWTC_ERR_MALFORMED, "not a base64url" },
};

static void
test_shapes(void **state)
{
	size_t i;
	char label[32];

	(void)state;
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		snprintf(label, sizeof(label), "shape %zu", i);
		expect(shapes[i].tok, strlen(shapes[i].tok), 16384,
		    shapes[i].want, shapes[i].msg, label);
	}
}

/* An embedded NUL byte is not a base64url character.  The reason tells
 * nothing of where it was: the input may be a password. */
static void
test_nul_byte(void **state)
{
	static const char tok[] = "eyJhbGciOiJFUzI1NiJ9.e30\0." SIG;

	(void)state;
	expect(tok, sizeof(tok) - 1, 16384, JWTC_ERR_MALFORMED, "not a base64url",
	    "nul");
}

/* The bound comes first: a too-long input is refused whatever it holds. */
static void
test_size_bound(void **state)
{
	char pad[1501], payload[1600], *tok, *big;
	size_t len;

	(void)state;
	memset(pad, 'a', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	snprintf(payload, sizeof(payload), "{\"p\":\"%s\"}", pad);
	tok = make_token("{\"alg\":\"ES256\"}", payload, SIG);
	len = strlen(tok);
	expect(tok, len, len, JWTC_OK, NULL, "at the limit");
	expect(tok, len, len - 1, JWTC_ERR_TOO_LARGE, "longer than",
	    "one byte over");
	free(tok);

	/* Garbage over the limit is TOO_LARGE, not MALFORMED. */
	big = malloc(70000);
	assert_non_null(big);
	memset(big, '!', 70000);
	expect(big, 70000, 65536, JWTC_ERR_TOO_LARGE, "70000 bytes", "big");
	free(big);
}

/* The JWS level keeps a payload that is not JSON. */
static void
test_jws_payload_bytes(void **state)
{
	static const char tok[] = "eyJhbGciOiJIUzI1NiJ9.Zm9v." SIG;
	jwtc_token t;
	jwtc_error err;

	(void)state;
	memset(&t, 0, sizeof(t));
	assert_int_equal(jwtc_jws_parse(tok, sizeof(tok) - 1, 16384, &t, &err),
	    JWTC_OK);
	assert_int_equal(t.payload_len, 3);
	assert_memory_equal(t.payload, "foo", 3);
	assert_null(t.claims);
	assert_int_equal(t.alg, JWTC_ALG_HS256);
	assert_int_equal(t.signing_input_len, strlen("eyJhbGciOiJIUzI1NiJ9.Zm9v"));
	assert_int_equal(t.siglen, 9);
	jwtc_token_clear(&t);
	/* and the JWT level refuses it */
	expect(tok, sizeof(tok) - 1, 16384, JWTC_ERR_MALFORMED, "claims",
	    "foo payload");
}

/* Reasons never quote the token. */
static void
test_reason_quotes_nothing(void **state)
{
	char *tok = make_token("{\"alg\":\"RS256\"}", "{\"a\":secretvalue}",
	    SIG);
	jwtc_token t;
	jwtc_error err;

	(void)state;
	memset(&t, 0, sizeof(t));
	assert_int_equal(jwtc_token_parse(tok, strlen(tok), 16384, &t, &err),
	    JWTC_ERR_MALFORMED);
	assert_null(strstr(err.msg, "secretvalue"));
	assert_null(strstr(err.msg, "near"));
	free(tok);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_table),
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_size_bound),
		cmocka_unit_test(test_jws_payload_bytes),
		cmocka_unit_test(test_reason_quotes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
