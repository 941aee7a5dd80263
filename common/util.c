/*
 * util.c - errors, strings and log helpers shared by the core.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "internal.h"

static const char *const rc_names[JWTC_RC_COUNT] = {
	[JWTC_OK] = "ok",
	[JWTC_ERR_MALFORMED] = "malformed token",
	[JWTC_ERR_TOO_LARGE] = "token too large",
	[JWTC_ERR_UNSUPPORTED] = "unsupported token form",
	[JWTC_ERR_ALG] = "algorithm not allowed",
	[JWTC_ERR_UNKNOWN_ISSUER] = "unknown issuer",
	[JWTC_ERR_NO_KEY] = "no matching key",
	[JWTC_ERR_BAD_SIGNATURE] = "bad signature",
	[JWTC_ERR_EXPIRED] = "expired",
	[JWTC_ERR_NOT_YET_VALID] = "not yet valid",
	[JWTC_ERR_ISSUED_IN_FUTURE] = "issued in the future",
	[JWTC_ERR_TOO_OLD] = "token too old",
	[JWTC_ERR_AUDIENCE] = "audience not accepted",
	[JWTC_ERR_TOKEN_TYPE] = "token type not accepted",
	[JWTC_ERR_CLAIM] = "claim not accepted",
	[JWTC_ERR_GROUP] = "no allowed group",
	[JWTC_ERR_SCOPE] = "required scope missing",
	[JWTC_ERR_USER] = "no usable user name",
	[JWTC_ERR_USER_MISMATCH] = "user mismatch",
	[JWTC_ERR_REPLAY] = "token replayed",
	[JWTC_ERR_KEYS_UNAVAILABLE] = "keys unavailable",
	[JWTC_ERR_CONFIG] = "configuration error",
	[JWTC_ERR_NO_MEMORY] = "out of memory",
	[JWTC_ERR_INTERNAL] = "internal error",
};

const char *
jwtc_rc_str(jwtc_rc rc)
{
	if ((int)rc < 0 || rc >= JWTC_RC_COUNT || rc_names[rc] == NULL)
		return "unknown result";
	return rc_names[rc];
}

jwtc_class
jwtc_rc_class(jwtc_rc rc)
{
	switch (rc) {
	case JWTC_OK:
		return JWTC_CLASS_OK;
	case JWTC_ERR_KEYS_UNAVAILABLE:
		return JWTC_CLASS_UNAVAILABLE;
	case JWTC_ERR_CONFIG:
		return JWTC_CLASS_CONFIG;
	case JWTC_ERR_NO_MEMORY:
		return JWTC_CLASS_NO_MEMORY;
	case JWTC_ERR_INTERNAL:
	case JWTC_RC_COUNT:
		return JWTC_CLASS_INTERNAL;
	default:
		return JWTC_CLASS_REJECTED;
	}
}

jwtc_rc
jwtc_seterr(jwtc_error *err, jwtc_rc rc, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return rc;
	err->rc = rc;
	va_start(ap, fmt);
	(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return rc;
}

char *
jwtc_strdup(const char *s)
{
	return s == NULL ? NULL : jwtc_strndup(s, strlen(s));
}

char *
jwtc_strndup(const char *s, size_t n)
{
	char *p;

	if (s == NULL || n == SIZE_MAX)
		return NULL;
	p = malloc(n + 1);
	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
jwtc_free_secret(void *p, size_t len)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, len);
	free(p);
}

void
jwtc_sanitize(char *dst, size_t dstlen, const char *s, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	if (dstlen == 0)
		return;
	if (s == NULL)
		s = "-";
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i >= max) {
			if (o + 4 <= dstlen)
				memcpy(dst + o, "...", 3), o += 3;
			break;
		}
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (o + 2 > dstlen)
				break;
			dst[o++] = (char)c;
		} else {
			if (o + 5 > dstlen)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 0xf];
		}
	}
	dst[o] = '\0';
}

void
jwtc_fingerprint(const void *data, size_t len, char out[17])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t i;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen < 8) {
		memcpy(out, "0000000000000000", 17);
		return;
	}
	for (i = 0; i < 8; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[16] = '\0';
}

const char *
jwtc_strerror(int e, char *buf, size_t len)
{
	/* strerror is not reentrant; _GNU_SOURCE gives glibc's strerror_r,
	 * which returns the text. */
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
	return strerror_r(e, buf, len);
#else
	if (strerror_r(e, buf, len) != 0)
		snprintf(buf, len, "error %d", e);
	return buf;
#endif
}

const char *
jwtc_version(void)
{
	return PACKAGE_VERSION;
}
