/*
 * fuzz_sasl.c - the OAUTHBEARER and XOAUTH2 parsers, which see the
 * client's first message before anything else does.  The first byte picks
 * the mechanism; the rest is the message.  Checks the parsers' promises on
 * every accepted message.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "parse.h"

static void
check(const uint8_t *msg, size_t len, const sjwt_msg *m)
{
	/* the token points into the message and is a b64token */
	if (m->token != NULL) {
		if ((const uint8_t *)m->token < msg ||
		    (const uint8_t *)m->token + m->token_len > msg + len ||
		    !sjwt_is_b64token(m->token, m->token_len))
			abort();
	} else if (m->token_len != 0) {
		abort();
	}
	if (memchr(m->authzid, '\0', sizeof(m->authzid)) == NULL ||
	    memchr(m->user, '\0', sizeof(m->user)) == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sjwt_msg m;
	sjwt_perr e;

	if (size < 1)
		return 0;
	memset(&m, 0, sizeof(m));
	if (data[0] & 1)
		e = sjwt_parse_xoauth2((const char *)data + 1, size - 1, &m);
	else
		e = sjwt_parse_oauthbearer((const char *)data + 1, size - 1, &m);
	if (e == SJWT_PARSE_OK)
		check(data + 1, size - 1, &m);
	else if (sjwt_perr_str(e) == NULL)
		abort();
	return 0;
}
