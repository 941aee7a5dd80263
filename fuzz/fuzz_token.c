/*
 * fuzz_token.c - the compact JWS splitter, strict base64url and the JSON
 * reader, as a token reaches them from a client.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "internal.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jwtc_token t;
	jwtc_error err;

	memset(&t, 0, sizeof(t));
	if (jwtc_token_parse((const char *)data, size, 65536, &t, &err) ==
	    JWTC_OK) {
		/* what the parser promises of an accepted token */
		if (t.header == NULL || t.claims == NULL ||
		    t.alg == JWTC_ALG_UNKNOWN || t.signing_input_len >= size)
			abort();
	}
	jwtc_token_clear(&t);
	return 0;
}
