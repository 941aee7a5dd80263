/*
 * test_b64url.c - strict base64url decoding and encoding.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "internal.h"

struct b64case {
	const char *in;
	const char *out;    /* NULL: must be refused */
	size_t outlen;
};

static const struct b64case cases[] = {
	{ "", "", 0 },
	{ "Zg", "f", 1 },
	{ "Zm8", "fo", 2 },
	{ "Zm9v", "foo", 3 },
	{ "Zm9vYg", "foob", 4 },
	{ "-_8", "\xfb\xff", 2 },
	{ "AA", "\0", 1 },
	/* refused */
	{ "Zg==", NULL, 0 },            /* padding */
	{ "Zm8=", NULL, 0 },
	{ "Zm9v=", NULL, 0 },
	{ "=", NULL, 0 },
	{ "Z", NULL, 0 },               /* length 1 mod 4 */
	{ "Zm9vY", NULL, 0 },
	{ "Z+8", NULL, 0 },             /* standard alphabet */
	{ "Z/8", NULL, 0 },
	{ "Zm 9v", NULL, 0 },           /* whitespace */
	{ "Zm9v\n", NULL, 0 },
	{ " Zm9v", NULL, 0 },
	{ "Zm9v\t", NULL, 0 },
	{ "Zh", NULL, 0 },              /* non-zero trailing bits */
	{ "Zm9", NULL, 0 },             /* "fo" is "Zm8" */
	{ "Zm-", NULL, 0 },
	{ "Zm/", NULL, 0 },
	{ "AB", NULL, 0 },
	{ "AAB", NULL, 0 },
	{ "Zm9v.", NULL, 0 },
	{ "Zm9v?", NULL, 0 },
	{ "Zm9v\xc3\xa9", NULL, 0 },    /* non-ASCII */
	{ "Zm\x00v", NULL, 0 },
};

static void
test_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct b64case *c = &cases[i];
		size_t inlen = strlen(c->in);
		unsigned char *out = NULL;
		size_t outlen = 0;
		int r;

		if (i == sizeof(cases) / sizeof(cases[0]) - 1)
			inlen = 4; /* "Zm\0v": an embedded NUL */
		r = jwtc_b64url_decode(c->in, inlen, &out, &outlen);
		if (c->out == NULL) {
			if (r != -1)
				fail_msg("case %zu \"%s\" was accepted", i, c->in);
			assert_null(out);
		} else {
			if (r != 0)
				fail_msg("case %zu \"%s\" was refused", i, c->in);
			assert_int_equal(outlen, c->outlen);
			assert_memory_equal(out, c->out, outlen);
			assert_int_equal(out[outlen], 0);
		}
		free(out);
	}
}

static void
test_roundtrip(void **state)
{
	unsigned char data[200], *back = NULL;
	size_t len, backlen;
	char *enc;

	(void)state;
	for (len = 0; len < sizeof(data); len++) {
		assert_int_equal(RAND_bytes(data, (int)sizeof(data)), 1);
		enc = jwtc_b64url_encode(data, len);
		assert_non_null(enc);
		assert_int_equal(strlen(enc), (len * 4 + 2) / 3);
		assert_null(strchr(enc, '='));
		assert_null(strchr(enc, '+'));
		assert_null(strchr(enc, '/'));
		assert_int_equal(jwtc_b64url_decode(enc, strlen(enc), &back,
		    &backlen), 0);
		assert_int_equal(backlen, len);
		assert_memory_equal(back, data, len);
		free(back);
		back = NULL;
		free(enc);
	}
}

/* Every one-character change of the last character of an encoding either
 * decodes to other bytes or is refused: there is one encoding per value. */
static void
test_unique_encoding(void **state)
{
	static const char alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char data[2] = { 0x66, 0x6f };
	char *enc, buf[8];
	unsigned char *out;
	size_t outlen, i, accepted = 0;

	(void)state;
	enc = jwtc_b64url_encode(data, sizeof(data));
	assert_non_null(enc);
	assert_string_equal(enc, "Zm8");
	for (i = 0; i < 64; i++) {
		memcpy(buf, enc, 3);
		buf[2] = alpha[i];
		out = NULL;
		if (jwtc_b64url_decode(buf, 3, &out, &outlen) == 0) {
			accepted++;
			free(out);
		}
	}
	/* Only the 16 characters with the low two bits clear decode. */
	assert_int_equal(accepted, 16);
	free(enc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_unique_encoding),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
