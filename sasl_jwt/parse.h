/*
 * parse.h - the client messages of OAUTHBEARER (RFC 7628, with the GS2
 * header of RFC 5801) and XOAUTH2, parsed strictly.
 *
 * The parsers are pure functions over (buf, len): no allocation, no
 * global state, no SASL header, so they can be fuzzed on their own.  On
 * success the message structure holds the authorization identity or user
 * (copied, unescaped, NUL-terminated) and the token (a pointer into buf).
 */
#ifndef SJWT_PARSE_H
#define SJWT_PARSE_H

#include <stdbool.h>
#include <stddef.h>

/* The longest client message taken: the largest max_token_size plus room
 * for the GS2 header and the other key/value pairs. */
#define SJWT_MAX_MESSAGE (65536 + 4096)
/* The longest identity (authzid, XOAUTH2 user), in bytes after
 * unescaping; libsasl2 keeps identities in 1024-byte buffers. */
#define SJWT_MAX_ID 1024
/* Key/value pairs in one OAUTHBEARER message. */
#define SJWT_MAX_PAIRS 16

typedef enum sjwt_perr {
	SJWT_PARSE_OK = 0,
	SJWT_PARSE_EMPTY,          /* no message at all */
	SJWT_PARSE_TOO_LONG,       /* over SJWT_MAX_MESSAGE */
	SJWT_PARSE_NUL,            /* a NUL byte */
	SJWT_PARSE_CBIND,          /* channel binding flag "y" or "p=" */
	SJWT_PARSE_GS2,            /* GS2 header other than "n,[a=...]," */
	SJWT_PARSE_AUTHZID,        /* a= empty, bad escape, control, UTF-8 */
	SJWT_PARSE_SEPARATOR,      /* %x01 missing where one must be */
	SJWT_PARSE_KEY,            /* a key that is not 1*ALPHA */
	SJWT_PARSE_VALUE,          /* a byte a value may not hold */
	SJWT_PARSE_DUPLICATE,      /* a key given twice */
	SJWT_PARSE_PAIRS,          /* more than SJWT_MAX_PAIRS pairs */
	SJWT_PARSE_NO_AUTH,        /* no auth= pair */
	SJWT_PARSE_SCHEME,         /* not "Bearer" and exactly one space */
	SJWT_PARSE_TOKEN,          /* a token that is not a b64token */
	SJWT_PARSE_PORT,           /* port= not a decimal port number */
	SJWT_PARSE_END,            /* not ending in %x01%x01, or data after */
	SJWT_PARSE_USER,           /* XOAUTH2 user= missing, empty, bad */
	SJWT_PARSE_COUNT
} sjwt_perr;

/* A short static text for logs ("bad =XX escape in a=", ...). */
const char *sjwt_perr_str(sjwt_perr e);

typedef struct sjwt_msg {
	bool has_authzid;           /* OAUTHBEARER a= given */
	char authzid[SJWT_MAX_ID + 1];
	char user[SJWT_MAX_ID + 1]; /* XOAUTH2 user=, "" for OAUTHBEARER */
	const char *token;          /* into buf; NULL with token_len 0 */
	size_t token_len;           /* 0: OAUTHBEARER empty auth= (discovery) */
	bool has_host, has_port;
} sjwt_msg;

/* OAUTHBEARER client-first message:
 *   "n," ["a=" saslname] "," %x01 1*(key "=" value %x01) %x01
 * with "auth" required, each key once, auth "Bearer" SP b64token (the
 * scheme in any case) or empty. */
sjwt_perr sjwt_parse_oauthbearer(const char *buf, size_t len, sjwt_msg *out);

/* XOAUTH2: "user=" NAME %x01 "auth=Bearer" SP TOKEN %x01 %x01. */
sjwt_perr sjwt_parse_xoauth2(const char *buf, size_t len, sjwt_msg *out);

/* Whether token (len bytes) is an RFC 6750 b64token:
 * 1*(ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/") *"=". */
bool sjwt_is_b64token(const char *token, size_t len);

#endif /* SJWT_PARSE_H */
