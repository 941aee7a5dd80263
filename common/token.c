/*
 * token.c - splitting and decoding a compact JWS (RFC 7515 section 7.1).
 *
 * Only the compact form is accepted.  Every refused form gets its own
 * reason; no part of the token is ever copied into a message.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

void
jwtc_token_clear(jwtc_token *t)
{
	if (t == NULL)
		return;
	/* the token is a credential: the copy and its decoded parts (which
	 * encode back to it), all in one allocation, are wiped and freed */
	if (t->copy != NULL)
		jwtc_free_secret(t->copy, t->alloc_len);
	json_decref(t->header);
	json_decref(t->claims);
	memset(t, 0, sizeof(*t));
}

/* What a byte of a compact JWS is: 1 a base64url character, 2 '.', 0
 * anything else. */
static const unsigned char jws_bytes[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* Whether in holds a byte that is neither base64url nor '.'. */
static bool
has_foreign_byte(const char *in, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (jws_bytes[(unsigned char)in[i]] == 0)
			return true;
	return false;
}

static jwtc_rc
foreign_byte(jwtc_error *err)
{
	/* Input that is not a JWS may be a password typed at the token
	 * prompt: the reason says nothing about where, or how many, or
	 * which bytes. */
	return jwtc_seterr(err, JWTC_ERR_MALFORMED, "not a compact JWS: holds "
	    "a byte that is not a base64url character or '.'");
}

/* The number of '.' in in. */
static size_t
count_dots(const char *in, size_t len)
{
	const char *p = in, *end = in + len, *d;
	size_t n = 0;

	while (p < end) {
		d = memchr(p, '.', (size_t)(end - p));
		if (d == NULL)
			break;
		n++;
		p = d + 1;
	}
	return n;
}

/* Decode one segment into out (JWTC_B64URL_DECODED_MAX(len) + 1 bytes);
 * an empty segment is refused when !may_be_empty. */
static jwtc_rc
decode_segment(const char *seg, size_t len, const char *what,
    bool may_be_empty, unsigned char *out, size_t *outlen, jwtc_error *err)
{
	if (len == 0 && !may_be_empty)
		return jwtc_seterr(err, JWTC_ERR_MALFORMED, "empty %s segment",
		    what);
	if (jwtc_b64url_decode_to(seg, len, out, outlen) != 0)
		return jwtc_seterr(err, JWTC_ERR_MALFORMED,
		    "%s segment is not strict base64url", what);
	return JWTC_OK;
}

/* The members of a header that check_header looks at, found in one pass
 * over its members (a header holds a few; eight lookups cost more). */
typedef struct header_members {
	const json_t *alg, *crit, *b64, *enc, *zip, *cty, *kid, *typ;
} header_members;

static void
find_members(json_t *header, header_members *m)
{
	const char *key;
	json_t *v;

	memset(m, 0, sizeof(*m));
	json_object_foreach(header, key, v) {
		if (strcmp(key, "alg") == 0)
			m->alg = v;
		else if (strcmp(key, "kid") == 0)
			m->kid = v;
		else if (strcmp(key, "typ") == 0)
			m->typ = v;
		else if (strcmp(key, "crit") == 0)
			m->crit = v;
		else if (strcmp(key, "b64") == 0)
			m->b64 = v;
		else if (strcmp(key, "enc") == 0)
			m->enc = v;
		else if (strcmp(key, "zip") == 0)
			m->zip = v;
		else if (strcmp(key, "cty") == 0)
			m->cty = v;
	}
}

/* The header rules that do not depend on the issuer. */
static jwtc_rc
check_header(jwtc_token *t, jwtc_error *err)
{
	header_members m;
	const json_t *v;
	const char *s;
	char shown[64];

	find_members(t->header, &m);
	v = m.alg;
	if (v == NULL)
		return jwtc_seterr(err, JWTC_ERR_ALG, "header has no alg");
	if (!json_is_string(v))
		return jwtc_seterr(err, JWTC_ERR_ALG, "header alg is not a string");
	s = json_string_value(v);
	if (strcasecmp(s, "none") == 0)
		return jwtc_seterr(err, JWTC_ERR_ALG,
		    "alg none is never accepted");
	t->alg = jwtc_alg_from_name(s);
	if (t->alg == JWTC_ALG_UNKNOWN) {
		jwtc_sanitize(shown, sizeof(shown), s, 16);
		return jwtc_seterr(err, JWTC_ERR_ALG, "unknown alg %s", shown);
	}
	t->alg_name = s;

	if (m.crit != NULL)
		return jwtc_seterr(err, JWTC_ERR_UNSUPPORTED,
		    "header has crit: no critical extension is supported");
	v = m.b64;
	if (v != NULL && !json_is_true(v))
		return jwtc_seterr(err, JWTC_ERR_UNSUPPORTED,
		    "unencoded payload (b64) is not supported");
	if (m.enc != NULL || m.zip != NULL)
		return jwtc_seterr(err, JWTC_ERR_UNSUPPORTED,
		    "encrypted tokens (JWE) are not accepted");
	v = m.cty;
	if (v != NULL) {
		if (!json_is_string(v))
			return jwtc_seterr(err, JWTC_ERR_MALFORMED,
			    "header cty is not a string");
		s = json_string_value(v);
		if (strcasecmp(s, "JWT") == 0 ||
		    strcasecmp(s, "application/jwt") == 0)
			return jwtc_seterr(err, JWTC_ERR_UNSUPPORTED,
			    "nested tokens (cty JWT) are not accepted");
	}
	v = m.kid;
	if (v != NULL) {
		if (!json_is_string(v))
			return jwtc_seterr(err, JWTC_ERR_MALFORMED,
			    "header kid is not a string");
		if (json_string_length(v) == 0 ||
		    json_string_length(v) > JWTC_MAX_KID_LEN)
			return jwtc_seterr(err, JWTC_ERR_MALFORMED,
			    "header kid is empty or longer than %d bytes",
			    JWTC_MAX_KID_LEN);
		t->kid = json_string_value(v);
	}
	v = m.typ;
	if (v != NULL) {
		if (!json_is_string(v))
			return jwtc_seterr(err, JWTC_ERR_MALFORMED,
			    "header typ is not a string");
		t->typ = json_string_value(v);
	}
	return JWTC_OK;
}

jwtc_rc
jwtc_jws_parse(const char *in, size_t len, size_t max_size, jwtc_token *out,
    jwtc_error *err)
{
	jwtc_token t;
	jwtc_rc rc = JWTC_ERR_INTERNAL;
	const char *dot1, *dot2;
	unsigned char *hdr = NULL;
	size_t hdrlen = 0, dots = 0, hlen, plen, slen, hcap, pcap, alloc;
	char why[160];

	memset(&t, 0, sizeof(t));
	if (in == NULL || out == NULL)
		return jwtc_seterr(err, JWTC_ERR_INTERNAL, "no token");
	/* The size bound comes before anything else looks at the input. */
	if (len > max_size)
		return jwtc_seterr(err, JWTC_ERR_TOO_LARGE,
		    "token of %zu bytes is longer than max_token_size %zu",
		    len, max_size);
	if (len == 0)
		return jwtc_seterr(err, JWTC_ERR_MALFORMED, "empty token");
	if (in[0] == '{')
		return jwtc_seterr(err, JWTC_ERR_UNSUPPORTED,
		    "JSON serialization is not accepted, only compact JWS");
	/* A byte that is neither base64url nor '.' is the first reason
	 * given.  With three segments the decoding below meets every byte
	 * but the two dots and refuses any other, so the bytes are looked
	 * at one by one only when something is wrong. */
	dots = count_dots(in, len);
	if (dots != 2 && has_foreign_byte(in, len))
		return foreign_byte(err);
	if (dots == 4)
		return jwtc_seterr(err, JWTC_ERR_UNSUPPORTED,
		    "five segments: encrypted tokens (JWE) are not accepted");
	if (dots != 2)
		return jwtc_seterr(err, JWTC_ERR_MALFORMED,
		    "not a compact JWS: not three segments");

	dot1 = memchr(in, '.', len);
	dot2 = dot1 != NULL ? memchr(dot1 + 1, '.',
	    len - (size_t)(dot1 + 1 - in)) : NULL;
	if (dot1 == NULL || dot2 == NULL) {
		rc = jwtc_seterr(err, JWTC_ERR_INTERNAL, "segment split failed");
		goto out;
	}
	hlen = (size_t)(dot1 - in);
	plen = (size_t)(dot2 - dot1 - 1);
	slen = len - (size_t)(dot2 + 1 - in);
	/* One allocation: the copy (the signing input, NUL-terminated), then
	 * room for the decoded header, payload and signature. */
	hcap = JWTC_B64URL_DECODED_MAX(hlen) + 1;
	pcap = JWTC_B64URL_DECODED_MAX(plen) + 1;
	alloc = len + 1 + hcap + pcap + JWTC_B64URL_DECODED_MAX(slen) + 1;
	t.copy = malloc(alloc);
	if (t.copy == NULL) {
		rc = jwtc_seterr(err, JWTC_ERR_NO_MEMORY, "out of memory");
		goto out;
	}
	t.alloc_len = alloc;
	memcpy(t.copy, in, len);
	t.copy[len] = '\0';
	t.len = len;
	t.signing_input_len = (size_t)(dot2 - in);
	hdr = (unsigned char *)t.copy + len + 1;
	t.payload = hdr + hcap;
	t.sig = t.payload + pcap;
	/* From here on only the copy is read: what is decoded is what the
	 * signature is checked over, even if the caller's buffer changed. */
	dot1 = t.copy + hlen;
	dot2 = dot1 + 1 + plen;
	if (*dot1 != '.' || *dot2 != '.') {
		rc = jwtc_seterr(err, JWTC_ERR_INTERNAL, "input changed while "
		    "being read");
		goto out;
	}

	rc = decode_segment(t.copy, hlen, "header", false, hdr, &hdrlen, err);
	if (rc != JWTC_OK)
		goto out;
	rc = decode_segment(dot1 + 1, plen, "payload", true, t.payload,
	    &t.payload_len, err);
	if (rc != JWTC_OK)
		goto out;
	rc = decode_segment(dot2 + 1, slen, "signature", true, t.sig,
	    &t.siglen, err);
	if (rc != JWTC_OK)
		goto out;

	rc = jwtc_json_parse((const char *)hdr, hdrlen, &t.header, why,
	    sizeof(why));
	if (rc != JWTC_OK) {
		rc = jwtc_seterr(err, rc, "header: %s", why);
		goto out;
	}
	rc = check_header(&t, err);
	if (rc != JWTC_OK)
		goto out;

	*out = t;
	memset(&t, 0, sizeof(t));
	rc = JWTC_OK;
out:
	/* a foreign byte comes first among the reasons (see above) */
	if (rc != JWTC_OK && has_foreign_byte(in, len))
		rc = foreign_byte(err);
	jwtc_token_clear(&t);
	return rc;
}

jwtc_rc
jwtc_token_parse(const char *in, size_t len, size_t max_size, jwtc_token *out,
    jwtc_error *err)
{
	jwtc_token t;
	jwtc_rc rc;
	const json_t *v;
	char why[160];

	memset(&t, 0, sizeof(t));
	rc = jwtc_jws_parse(in, len, max_size, &t, err);
	if (rc != JWTC_OK)
		return rc;
	rc = jwtc_json_parse((const char *)t.payload, t.payload_len,
	    &t.claims, why, sizeof(why));
	if (rc != JWTC_OK) {
		rc = jwtc_seterr(err, rc, "claims: %s", why);
		goto out;
	}
	v = json_object_get(t.claims, "iss");
	if (v != NULL) {
		if (!json_is_string(v)) {
			rc = jwtc_seterr(err, JWTC_ERR_MALFORMED,
			    "claim iss is not a string");
			goto out;
		}
		t.iss = json_string_value(v);
	}
	v = json_object_get(t.claims, "jti");
	if (v != NULL) {
		if (!json_is_string(v)) {
			rc = jwtc_seterr(err, JWTC_ERR_MALFORMED,
			    "claim jti is not a string");
			goto out;
		}
		t.jti = json_string_value(v);
	}
	*out = t;
	memset(&t, 0, sizeof(t));
	rc = JWTC_OK;
out:
	jwtc_token_clear(&t);
	return rc;
}
