/*
 * fuzz_cache.c - the cache file format (a local attacker may write
 * garbage where a cache file is expected) and the discovery document.
 * The first byte picks which.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "internal.h"

#define ISS "https://idp.example"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jwtc_cache_entry e;
	jwtc_error err;
	char *uri = NULL;

	if (size < 1)
		return 0;
	memset(&e, 0, sizeof(e));
	if (data[0] & 1) {
		if (jwtc_discovery_parse((const char *)data + 1, size - 1, ISS,
		    &uri, &err) == JWTC_OK && uri == NULL)
			abort();
		free(uri);
	} else if (jwtc_cache_parse((const char *)data + 1, size - 1, ISS,
	    &e, &err) == JWTC_OK) {
		if (e.fresh_until > e.stale_until)
			abort();
		jwtc_cache_entry_clear(&e);
	}
	return 0;
}
