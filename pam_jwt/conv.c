/*
 * conv.c - the token from the PAM conversation or from PAM_AUTHTOK.
 *
 * Long tokens come in parts (SPEC.md, "Long tokens through ssh"): a reply
 * that ends in one '\' and otherwise holds only base64url characters and
 * dots is a part; the module drops the '\' and asks again with exactly
 * "Token (part N): ", at most PJWT_MAX_PARTS parts and PJWT_MAX_INPUT bytes
 * in all (the core then applies max_token_size).  Any other reply, one
 * ending in '\' included, is the last (or only) one and is taken as it is.
 *
 * Every copy of a reply is wiped before it is freed.  The assembled token
 * is kept in one buffer of the largest size allowed, never reallocated, so
 * no stray copy is left behind.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <security/pam_appl.h>
#include <security/pam_ext.h>

#include "pam_jwt.h"

bool
pjwt_is_part(const char *reply, size_t len)
{
	size_t i;

	if (reply == NULL || len < 2 || reply[len - 1] != '\\')
		return false;
	for (i = 0; i + 1 < len; i++) {
		char c = reply[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.'))
			return false;
	}
	return true;
}

void
pjwt_input_free(pjwt_input *in)
{
	if (in == NULL)
		return;
	if (in->buf != NULL) {
		OPENSSL_cleanse(in->buf, in->cap);
		free(in->buf);
	}
	memset(in, 0, sizeof(*in));
}

static int
input_init(pjwt_input *in)
{
	memset(in, 0, sizeof(*in));
	in->cap = PJWT_MAX_INPUT + 1;
	in->buf = malloc(in->cap);
	if (in->buf == NULL) {
		in->cap = 0;
		return PAM_BUF_ERR;
	}
	in->buf[0] = '\0';
	return PAM_SUCCESS;
}

/* Wipe and free a reply of the conversation. */
static void
reply_free(char *reply)
{
	if (reply == NULL)
		return;
	OPENSSL_cleanse(reply, strlen(reply));
	free(reply);
}

/* One echo-off prompt.  PAM_SUCCESS with *reply set, PAM_BUF_ERR, or
 * PAM_CONV_ERR for any other failure of the conversation. */
static int
ask(pam_handle_t *pamh, const char *prompt, char **reply)
{
	char *r = NULL;
	int rc;

	rc = pam_prompt(pamh, PAM_PROMPT_ECHO_OFF, &r, "%s", prompt);
	if (rc == PAM_SUCCESS && r != NULL) {
		*reply = r;
		return PAM_SUCCESS;
	}
	reply_free(r);
	if (rc == PAM_BUF_ERR)
		return PAM_BUF_ERR;
	pjwt_log(pamh, JWTC_LOG_ERR, "cannot read the token: conversation "
	    "failed (%s)", rc == PAM_SUCCESS ? "no reply" :
	    pam_strerror(pamh, rc));
	return PAM_CONV_ERR;
}

/* Read the replies into in.  PAM_SUCCESS, PAM_AUTH_ERR for a token over
 * the limits (logged), PAM_CONV_ERR or PAM_BUF_ERR. */
static int
read_parts(pam_handle_t *pamh, const char *prompt, pjwt_input *in)
{
	char pbuf[sizeof(PJWT_PART_PROMPT) + 16], *reply = NULL;
	const char *p = prompt;
	unsigned n;
	size_t rlen, use;
	bool part;
	int ret;

	for (n = 1;; n++) {
		if (n > 1) {
			(void)snprintf(pbuf, sizeof(pbuf), PJWT_PART_PROMPT, n);
			p = pbuf;
		}
		ret = ask(pamh, p, &reply);
		if (ret != PAM_SUCCESS)
			return ret;
		rlen = strnlen(reply, PJWT_MAX_INPUT + 1);
		part = pjwt_is_part(reply, rlen);
		use = part ? rlen - 1 : rlen;
		if (use > PJWT_MAX_INPUT - in->len) {
			reply_free(reply);
			pjwt_log(pamh, JWTC_LOG_NOTICE, "token refused: more "
			    "than %d bytes in %u part%s", PJWT_MAX_INPUT, n,
			    n == 1 ? "" : "s");
			return PAM_AUTH_ERR;
		}
		memcpy(in->buf + in->len, reply, use);
		in->len += use;
		in->buf[in->len] = '\0';
		reply_free(reply);
		reply = NULL;
		if (!part)
			break;
		if (n == PJWT_MAX_PARTS) {
			pjwt_log(pamh, JWTC_LOG_NOTICE, "token refused: more "
			    "than %d parts (%zu bytes so far)", PJWT_MAX_PARTS,
			    in->len);
			return PAM_AUTH_ERR;
		}
	}
	in->parts = n;
	return PAM_SUCCESS;
}

int
pjwt_prompt_token(pam_handle_t *pamh, const char *prompt, bool debug,
    pjwt_input *out)
{
	pjwt_input in;
	int ret;

	ret = input_init(&in);
	if (ret != PAM_SUCCESS)
		goto out;
	ret = read_parts(pamh, prompt, &in);
	if (ret != PAM_SUCCESS)
		goto out;
	/* the modules after this one (pam_unix try_first_pass) see it too */
	ret = pam_set_item(pamh, PAM_AUTHTOK, in.buf);
	if (ret != PAM_SUCCESS) {
		pjwt_log(pamh, JWTC_LOG_ERR, "cannot set PAM_AUTHTOK: %s",
		    pam_strerror(pamh, ret));
		ret = ret == PAM_BUF_ERR ? PAM_BUF_ERR : PAM_SERVICE_ERR;
		goto out;
	}
	/* the length only of what starts like a JWS: a reply may be a
	 * password */
	if (debug && pjwt_looks_like_jws(in.buf, in.len))
		pjwt_log(pamh, JWTC_LOG_DEBUG, "token read from the "
		    "conversation: %zu bytes in %u part%s", in.len, in.parts,
		    in.parts == 1 ? "" : "s");
	else if (debug)
		pjwt_log(pamh, JWTC_LOG_DEBUG, "reply read from the "
		    "conversation in %u part%s: not the start of a JWS",
		    in.parts, in.parts == 1 ? "" : "s");
	*out = in;
	memset(&in, 0, sizeof(in));
out:
	pjwt_input_free(&in);
	return ret;
}

int
pjwt_authtok_token(pam_handle_t *pamh, pjwt_input *out)
{
	const void *item = NULL;
	pjwt_input in;
	size_t len;
	int ret;

	ret = pam_get_item(pamh, PAM_AUTHTOK, &item);
	if (ret != PAM_SUCCESS || item == NULL || *(const char *)item == '\0')
		return PAM_AUTHINFO_UNAVAIL;
	len = strnlen(item, PJWT_MAX_INPUT + 1);
	if (len > PJWT_MAX_INPUT) {
		pjwt_log(pamh, JWTC_LOG_NOTICE, "token refused: PAM_AUTHTOK "
		    "holds more than %d bytes", PJWT_MAX_INPUT);
		return PAM_AUTH_ERR;
	}
	ret = input_init(&in);
	if (ret != PAM_SUCCESS)
		return ret;
	memcpy(in.buf, item, len);
	in.buf[len] = '\0';
	in.len = len;
	*out = in;
	return PAM_SUCCESS;
}
