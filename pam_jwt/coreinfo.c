/*
 * coreinfo.c - the few facts pam_jwt needs that the public interface of
 * the core does not give: which configuration keys only [global] may hold,
 * a section's leeway, the signature sizes of the algorithms, and whether
 * input starts like a JWS.  They come from the core's own tables and
 * parsers (internal.h), so the module and the core cannot disagree; this
 * is the only file of the module that includes internal.h.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "pam_jwt.h"

bool
pjwt_key_global_only(const char *key)
{
	const jwtc_option *opt = jwtc_option_find(key);

	return opt != NULL && opt->scope == JWTC_SCOPE_GLOBAL;
}

long
pjwt_section_leeway(const jwtc_ctx *ctx, const char *section)
{
	const jwtc_config *cfg = jwtc_ctx_config(ctx);
	size_t i;

	if (cfg == NULL || section == NULL)
		return 0;
	for (i = 0; i < cfg->n_issuers; i++) {
		if (strcmp(cfg->issuers[i].name, section) == 0)
			return cfg->issuers[i].leeway;
	}
	return 0;
}

/* The shortest signature alg can have, in bytes: RSA keys have at least
 * JWTC_RSA_MIN_BITS bits, EdDSA keys are Ed25519 or Ed448. */
static size_t
min_siglen(jwtc_alg alg)
{
	switch (alg) {
	case JWTC_ALG_RS256: case JWTC_ALG_RS384: case JWTC_ALG_RS512:
	case JWTC_ALG_PS256: case JWTC_ALG_PS384: case JWTC_ALG_PS512:
		return JWTC_RSA_MIN_BITS / 8;
	case JWTC_ALG_ES256:
		return 64;
	case JWTC_ALG_ES384:
		return 96;
	case JWTC_ALG_ES512:
		return 132;
	case JWTC_ALG_EDDSA:
		return 64;
	case JWTC_ALG_HS256: case JWTC_ALG_HS384: case JWTC_ALG_HS512:
		return jwtc_alg_hmac_len(alg);
	default:
		return 0;
	}
}

/* The characters of a compact JWS: base64url and the dots. */
static bool
jws_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

bool
pjwt_looks_like_jws(const char *in, size_t len)
{
	unsigned char *hdr = NULL;
	const char *dot;
	size_t i, hlen = 0;
	json_t *h = NULL;
	char why[128];
	bool yes = false;

	if (in == NULL || len == 0 || len > PJWT_MAX_INPUT)
		return false;
	for (i = 0; i < len; i++) {
		if (!jws_char(in[i]))
			return false;
	}
	dot = memchr(in, '.', len);
	if (dot == NULL || dot == in)
		return false;
	if (jwtc_b64url_decode(in, (size_t)(dot - in), &hdr, &hlen) != 0)
		return false;
	h = jwtc_json_parse_object((const char *)hdr, hlen, why, sizeof(why));
	yes = h != NULL && json_is_string(json_object_get(h, "alg"));
	json_decref(h);
	free(hdr);
	return yes;
}

bool
pjwt_looks_truncated(const char *token, size_t len)
{
	jwtc_token t;
	jwtc_error e;
	bool cut = false;
	const char *dot;
	size_t siglen_chars;

	/* A length says nothing about input that is not even the start of
	 * a JWS, a password say; and none is given for one. */
	if (!pjwt_looks_like_jws(token, len))
		return false;
	/* the lengths at which known clients cut what they send: sudo 511,
	 * ssh 1023, sshd's password method 1024, a terminal line 4095 */
	if (len == 511 || len == 1023 || len == 1024 || len == 4095)
		return true;
	/* A signature segment shorter than the algorithm's signature: parse
	 * the token without it (a cut one need not even be valid
	 * base64url), then compare the lengths. */
	dot = memrchr(token, '.', len);
	if (dot == NULL)
		return false;
	siglen_chars = len - (size_t)(dot + 1 - token);
	memset(&t, 0, sizeof(t));
	memset(&e, 0, sizeof(e));
	if (jwtc_jws_parse(token, (size_t)(dot + 1 - token), PJWT_MAX_INPUT,
	    &t, &e) == JWTC_OK)
		cut = siglen_chars * 3 / 4 < min_siglen(t.alg);
	jwtc_token_clear(&t);
	return cut;
}
