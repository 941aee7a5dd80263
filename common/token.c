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
	if (t->copy != NULL)
		jwtc_free_secret(t->copy, t->len);
	json_decref(t->header);
	json_decref(t->claims);
	free(t->payload);
	free(t->sig);
	memset(t, 0, sizeof(*t));
}

/* Decode one segment; an empty segment is refused when !may_be_empty. */
static jwtc_rc
decode_segment(const char *seg, size_t len, const char *what,
    bool may_be_empty, unsigned char **out, size_t *outlen, jwtc_error *err)
{
	int r;

	if (len == 0 && !may_be_empty)
		return jwtc_seterr(err, JWTC_ERR_MALFORMED, "empty %s segment",
		    what);
	r = jwtc_b64url_decode(seg, len, out, outlen);
	if (r == -2)
		return jwtc_seterr(err, JWTC_ERR_NO_MEMORY, "out of memory");
	if (r != 0)
		return jwtc_seterr(err, JWTC_ERR_MALFORMED,
		    "%s segment is not strict base64url", what);
	return JWTC_OK;
}

/* The header rules that do not depend on the issuer. */
static jwtc_rc
check_header(jwtc_token *t, jwtc_error *err)
{
	const json_t *v;
	const char *s;
	char shown[64];

	v = json_object_get(t->header, "alg");
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

	if (json_object_get(t->header, "crit") != NULL)
		return jwtc_seterr(err, JWTC_ERR_UNSUPPORTED,
		    "header has crit: no critical extension is supported");
	v = json_object_get(t->header, "b64");
	if (v != NULL && !json_is_true(v))
		return jwtc_seterr(err, JWTC_ERR_UNSUPPORTED,
		    "unencoded payload (b64) is not supported");
	if (json_object_get(t->header, "enc") != NULL ||
	    json_object_get(t->header, "zip") != NULL)
		return jwtc_seterr(err, JWTC_ERR_UNSUPPORTED,
		    "encrypted tokens (JWE) are not accepted");
	v = json_object_get(t->header, "cty");
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
	v = json_object_get(t->header, "kid");
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
	v = json_object_get(t->header, "typ");
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
	size_t hdrlen = 0, i, dots = 0;
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
	for (i = 0; i < len; i++) {
		if (in[i] == '.')
			dots++;
		else if (!((in[i] >= 'A' && in[i] <= 'Z') ||
		    (in[i] >= 'a' && in[i] <= 'z') ||
		    (in[i] >= '0' && in[i] <= '9') ||
		    in[i] == '-' || in[i] == '_'))
			/* Input that is not a JWS may be a password typed at
			 * the token prompt: the reason says nothing about
			 * where, or how many, or which bytes. */
			return jwtc_seterr(err, JWTC_ERR_MALFORMED,
			    "not a compact JWS: holds a byte that is not a "
			    "base64url character or '.'");
	}
	if (dots == 4)
		return jwtc_seterr(err, JWTC_ERR_UNSUPPORTED,
		    "five segments: encrypted tokens (JWE) are not accepted");
	if (dots != 2)
		return jwtc_seterr(err, JWTC_ERR_MALFORMED,
		    "not a compact JWS: not three segments");

	t.copy = jwtc_strndup(in, len);
	if (t.copy == NULL) {
		rc = jwtc_seterr(err, JWTC_ERR_NO_MEMORY, "out of memory");
		goto out;
	}
	t.len = len;
	dot1 = memchr(t.copy, '.', len);
	dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - t.copy));
	if (dot1 == NULL || dot2 == NULL) {
		rc = jwtc_seterr(err, JWTC_ERR_INTERNAL, "segment split failed");
		goto out;
	}
	t.signing_input_len = (size_t)(dot2 - t.copy);

	rc = decode_segment(t.copy, (size_t)(dot1 - t.copy), "header", false,
	    &hdr, &hdrlen, err);
	if (rc != JWTC_OK)
		goto out;
	rc = decode_segment(dot1 + 1, (size_t)(dot2 - dot1 - 1), "payload",
	    true, &t.payload, &t.payload_len, err);
	if (rc != JWTC_OK)
		goto out;
	rc = decode_segment(dot2 + 1, len - (size_t)(dot2 + 1 - t.copy),
	    "signature", true, &t.sig, &t.siglen, err);
	if (rc != JWTC_OK)
		goto out;

	t.header = jwtc_json_parse_object((const char *)hdr, hdrlen, why,
	    sizeof(why));
	if (t.header == NULL) {
		rc = jwtc_seterr(err, JWTC_ERR_MALFORMED, "header: %s", why);
		goto out;
	}
	rc = check_header(&t, err);
	if (rc != JWTC_OK)
		goto out;

	*out = t;
	memset(&t, 0, sizeof(t));
	rc = JWTC_OK;
out:
	free(hdr);
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
	t.claims = jwtc_json_parse_object((const char *)t.payload,
	    t.payload_len, why, sizeof(why));
	if (t.claims == NULL) {
		rc = jwtc_seterr(err, JWTC_ERR_MALFORMED, "claims: %s", why);
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
