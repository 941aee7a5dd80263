/*
 * test_json.c - jwtc_json_matches_text: a parsed tree is taken only when
 * it holds exactly what its text says, item by item.  jansson can drop a
 * byte of a string or a number when memory runs short; these trees are
 * made by hand to differ from the text the way such a parse would.
 */
#include "unit.h"

#include <limits.h>

#include "internal.h"

/* text against the tree jansson makes of tree (JSON_ALLOW_NUL, so that a
 * tree can hold "\u0000" in a value) */
struct mcase {
	const char *text;
	const char *tree;
	bool want;
};

static const struct mcase cases[] = {
	/* the same */
	{ "{\"a\":\"b\",\"c\":[1,2.5,true,false,null],\"d\":{},\"e\":[]}",
	  "{\"a\":\"b\",\"c\":[1,2.5,true,false,null],\"d\":{},\"e\":[]}",
	  true },
	{ " \t{ \"a\" :\r\n[ 1 , { } ] }\n ", "{\"a\":[1,{}]}", true },
	{ "{\"u\":\"A\\u00e9\\u20AC\\ud83d\\ude00\\uD834\\uDD1E\"}",
	  "{\"u\":\"A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf0\x9d\x84\x9e\"}",
	  true },
	{ "{\"e\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}",
	  "{\"e\":\"\\\"\\\\/\\b\\f\\n\\r\\t\"}", true },
	{ "{\"k\\u00e9y\\n\":1}", "{\"k\xc3\xa9y\\n\":1}", true },
	{ "{\"v\":\"a\\u0000b\"}", "{\"v\":\"a\\u0000b\"}", true },
	{ "{\"n\":-0,\"i\":-9223372036854775808,\"j\":9223372036854775807}",
	  "{\"n\":0,\"i\":-9223372036854775808,\"j\":9223372036854775807}",
	  true },
	{ "{\"nbf\":1800000000.0000000,\"r\":12.50e3,\"s\":-0.0,\"t\":1E-400,"
	  "\"x\":0.1,\"y\":1.7976931348623157e308,\"z\":4.9e-324}",
	  "{\"nbf\":1800000000.0,\"r\":12500.0,\"s\":-0.0,\"t\":0.0,"
	  "\"x\":0.1,\"y\":1.7976931348623157e308,\"z\":5e-324}", true },
	{ "{\"r\":0.000000000000000000000000000000000000000000001e45}",
	  "{\"r\":1.0}", true },
	/* strings */
	{ "{\"a\":\"abc\"}", "{\"a\":\"ab\"}", false },
	{ "{\"a\":\"ab\"}", "{\"a\":\"abc\"}", false },
	{ "{\"a\":\"abc\"}", "{\"a\":\"abd\"}", false },
	{ "{\"a\":\"\\ud83d\\ude00\"}", "{\"a\":\"\\ud83d\\ude01\"}", false },
	{ "{\"a\":\"\\n\"}", "{\"a\":\"n\"}", false },
	{ "{\"v\":\"a\\u0000b\"}", "{\"v\":\"a\"}", false },
	{ "{\"v\":\"a\"}", "{\"v\":\"a\\u0000\"}", false },
	{ "{\"v\":\"a\\u0000b\"}", "{\"v\":\"a\\u0000c\"}", false },
	/* member names and members */
	{ "{\"iss\":\"a\"}", "{\"isz\":\"a\"}", false },
	{ "{\"iss\":\"a\"}", "{\"is\":\"a\"}", false },
	{ "{\"is\":\"a\"}", "{\"iss\":\"a\"}", false },
	{ "{\"a\":1}", "{\"a\":1,\"b\":2}", false },
	{ "{\"a\":1,\"b\":2}", "{\"a\":1}", false },
	{ "{\"a\":1,\"b\":2}", "{\"b\":2,\"a\":1}", false },
	{ "{}", "{\"a\":1}", false },
	{ "{\"a\":1}", "{}", false },
	/* arrays */
	{ "{\"a\":[1,2,3]}", "{\"a\":[1,2]}", false },
	{ "{\"a\":[1,2]}", "{\"a\":[1,2,3]}", false },
	{ "{\"a\":[]}", "{\"a\":[0]}", false },
	{ "{\"a\":[1]}", "{\"a\":[]}", false },
	{ "{\"a\":[1,2]}", "{\"a\":[2,1]}", false },
	{ "{\"a\":{\"b\":[{\"c\":\"x\"}]}}", "{\"a\":{\"b\":[{\"c\":\"y\"}]}}",
	  false },
	{ "{\"a\":[]}", "{\"a\":{}}", false },
	/* integers */
	{ "{\"exp\":1800000000}", "{\"exp\":180000000}", false },
	{ "{\"exp\":180000000}", "{\"exp\":1800000000}", false },
	{ "{\"a\":-5}", "{\"a\":5}", false },
	{ "{\"a\":5}", "{\"a\":-5}", false },
	{ "{\"a\":9223372036854775807}", "{\"a\":-9223372036854775807}",
	  false },
	{ "{\"a\":1}", "{\"a\":1.0}", false },
	{ "{\"a\":1}", "{\"a\":\"1\"}", false },
	/* reals */
	{ "{\"nbf\":1800000000.5}", "{\"nbf\":180000000.5}", false },
	{ "{\"nbf\":1800000000.25}", "{\"nbf\":1800000000.2}", false },
	{ "{\"a\":1.0}", "{\"a\":1}", false },
	{ "{\"a\":1e3}", "{\"a\":1e2}", false },
	{ "{\"a\":-1.5}", "{\"a\":1.5}", false },
	{ "{\"a\":0.0}", "{\"a\":-0.0}", false },
	{ "{\"a\":0.1}", "{\"a\":0.10000000000000002}", false },
	/* literals */
	{ "{\"a\":true}", "{\"a\":false}", false },
	{ "{\"a\":null}", "{\"a\":false}", false },
	{ "{\"a\":false}", "{\"a\":0}", false },
};

/* A copy of s in exactly its length, with no NUL after it: a read past
 * the end is one past the allocation (valgrind, ASan). */
static char *
exact_copy(const char *s, size_t *len)
{
	size_t n = strlen(s);
	char *p = malloc(n > 0 ? n : 1);

	assert_non_null(p);
	memcpy(p, s, n);
	*len = n;
	return p;
}

static bool
matches(const char *text, const json_t *tree)
{
	size_t len;
	char *buf = exact_copy(text, &len);
	bool ok = jwtc_json_matches_text(buf, len, tree);

	free(buf);
	return ok;
}

static void
test_table(void **state)
{
	json_error_t jerr;
	json_t *tree;
	size_t i, yes = 0, no = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tree = json_loads(cases[i].tree, JSON_ALLOW_NUL, &jerr);
		if (tree == NULL)
			fail_msg("case %zu: tree: %s", i, jerr.text);
		if (matches(cases[i].text, tree) != cases[i].want)
			fail_msg("case %zu: %s against %s: want %s", i,
			    cases[i].text, cases[i].tree,
			    cases[i].want ? "match" : "no match");
		json_decref(tree);
		if (cases[i].want)
			yes++;
		else
			no++;
	}
	assert_true(no > yes);
}

/* Each text as jansson itself parses it: the walk never refuses right
 * text (the trees of the table above are parsed from other text). */
static void
test_own_parse(void **state)
{
	json_error_t jerr;
	json_t *tree;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tree = json_loads(cases[i].text, JSON_ALLOW_NUL |
		    JSON_REJECT_DUPLICATES, &jerr);
		if (tree == NULL)
			fail_msg("case %zu: text: %s", i, jerr.text);
		assert_true(matches(cases[i].text, tree));
		json_decref(tree);
	}
}

/* Trees no text gives: strings with a NUL, reals one ulp apart. */
static void
test_built(void **state)
{
	json_t *o = json_object();

	(void)state;
	assert_non_null(o);
	assert_int_equal(json_object_set_new(o, "v", json_stringn("a\0b", 3)),
	    0);
	assert_true(matches("{\"v\":\"a\\u0000b\"}", o));
	assert_false(matches("{\"v\":\"a\"}", o));
	assert_false(matches("{\"v\":\"a\\u0000\"}", o));
	assert_false(matches("{\"v\":\"a\\u0000bc\"}", o));
	/* the next double above 0.1 */
	assert_int_equal(json_object_set_new(o, "v",
	    json_real(0.10000000000000002)), 0);
	assert_false(matches("{\"v\":0.1}", o));
	assert_int_equal(json_object_set_new(o, "v", json_real(0.1)), 0);
	assert_true(matches("{\"v\":0.1}", o));
	assert_true(matches("{\"v\":1e-1}", o));
	assert_true(matches("{\"v\":0.01E1}", o));
	assert_false(matches("{\"v\":0.01}", o));
	assert_int_equal(json_object_set_new(o, "v",
	    json_integer(LLONG_MIN)), 0);
	assert_true(matches("{\"v\":-9223372036854775808}", o));
	assert_false(matches("{\"v\":9223372036854775808}", o));
	assert_false(matches("{\"v\":-18446744073709551616}", o));
	assert_false(matches("{\"v\":-922337203685477580}", o));
	json_decref(o);
}

/* Text cut short, text left over, text of another shape: refused, never
 * read past its end. */
static void
test_text_shapes(void **state)
{
	static const char *const cut[] = {
		"", " ", "{", "{\"a\"", "{\"a\":", "{\"a\":\"b", "{\"a\":\"b\\",
		"{\"a\":\"\\u00", "{\"a\":\"\\ud83d\"}", "{\"a\":\"\\ud83d\\u00",
		"{\"a\":1", "{\"a\":1,", "{\"a\":tru", "{\"a\":1}x", "{\"a\":1}}",
		"{\"a\" 1}", "{\"a\":1 \"b\":2}", "{\"a\":\"\\q\"}",
		"{\"a\":\"\\ude00\"}", "{\"a\":-}", "{\"a\":1.5.5}",
	};
	json_t *tree = json_pack("{s:i}", "a", 1);
	size_t i;

	(void)state;
	assert_non_null(tree);
	for (i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
		if (matches(cut[i], tree))
			fail_msg("%s matched", cut[i]);
	}
	assert_true(matches("{\"a\":1}", tree));
	assert_false(jwtc_json_matches_text(NULL, 0, tree));
	assert_false(jwtc_json_matches_text("{}", 2, NULL));
	json_decref(tree);
}

/* Nesting as deep as jwtc_json_parse takes, and one level more. */
static void
test_depth(void **state)
{
	char text[2 * (JWTC_MAX_JSON_DEPTH + 1) + 1];
	json_error_t jerr;
	json_t *tree;
	int d, i;

	(void)state;
	for (d = JWTC_MAX_JSON_DEPTH; d <= JWTC_MAX_JSON_DEPTH + 1; d++) {
		for (i = 0; i < d; i++) {
			text[i] = '[';
			text[2 * d - 1 - i] = ']';
		}
		text[2 * d] = '\0';
		tree = json_loads(text, 0, &jerr);
		assert_non_null(tree);
		assert_int_equal(matches(text, tree), d <= JWTC_MAX_JSON_DEPTH);
		json_decref(tree);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_own_parse),
		cmocka_unit_test(test_built),
		cmocka_unit_test(test_text_shapes),
		cmocka_unit_test(test_depth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
