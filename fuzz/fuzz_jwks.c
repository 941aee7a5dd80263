/*
 * fuzz_jwks.c - a JWKS document as an identity provider (or whoever is in
 * its place) may send it.
 */
#include "config.h"

#include <stdlib.h>

#include "fuzz.h"
#include "internal.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jwtc_keyset *ks = NULL;
	jwtc_error err;
	size_t i;

	if (jwtc_jwks_parse((const char *)data, size, &ks, &err) == JWTC_OK) {
		if (ks->n > JWTC_MAX_KEYS)
			abort();
		for (i = 0; i < ks->n; i++)
			if (ks->keys[i].pkey == NULL)
				abort();
		jwtc_keyset_unref(ks);
	}
	return 0;
}
