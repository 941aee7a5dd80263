/*
 * b64url.c - strict base64url (RFC 4648 section 5) without padding.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Value of a base64url character, or -1. */
static int
b64url_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

int
jwtc_b64url_decode(const char *in, size_t inlen, unsigned char **out,
    size_t *outlen)
{
	unsigned char *buf;
	size_t i, o = 0, outcap;
	unsigned long acc = 0;
	int bits = 0, v;

	if (in == NULL || out == NULL || outlen == NULL)
		return -1;
	if (inlen % 4 == 1)
		return -1;
	outcap = inlen / 4 * 3 + 3;
	buf = malloc(outcap + 1);
	if (buf == NULL)
		return -2;
	for (i = 0; i < inlen; i++) {
		v = b64url_value((unsigned char)in[i]);
		if (v < 0)
			goto bad;
		acc = (acc << 6) | (unsigned long)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[o++] = (unsigned char)(acc >> bits);
			acc &= (1UL << bits) - 1;
		}
	}
	/* Leftover bits (2 or 4) must be zero: one encoding per value. */
	if (acc != 0)
		goto bad;
	buf[o] = '\0';
	*out = buf;
	*outlen = o;
	return 0;
bad:
	free(buf);
	return -1;
}

char *
jwtc_b64url_encode(const unsigned char *in, size_t len)
{
	static const char alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char *out;
	size_t i, o = 0;

	if (len > (SIZE_MAX - 4) / 4 * 3)
		return NULL;
	out = malloc((len + 2) / 3 * 4 + 1);
	if (out == NULL)
		return NULL;
	for (i = 0; i + 2 < len; i += 3) {
		out[o++] = alpha[in[i] >> 2];
		out[o++] = alpha[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		out[o++] = alpha[((in[i + 1] & 15) << 2) | (in[i + 2] >> 6)];
		out[o++] = alpha[in[i + 2] & 63];
	}
	if (len - i == 1) {
		out[o++] = alpha[in[i] >> 2];
		out[o++] = alpha[(in[i] & 3) << 4];
	} else if (len - i == 2) {
		out[o++] = alpha[in[i] >> 2];
		out[o++] = alpha[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		out[o++] = alpha[(in[i + 1] & 15) << 2];
	}
	out[o] = '\0';
	return out;
}
