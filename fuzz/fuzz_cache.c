/*
 * fuzz_cache.c - the cache file format: a local attacker may write garbage
 * where a cache file is expected.  An accepted file must keep its times in
 * order and survive a round trip through the writer's format unchanged;
 * its JWKS text goes on to the JWKS parser, as it would at load.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "internal.h"

#define ISS "https://idp.example"

static bool
same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* What the writer makes of an accepted entry must read back the same. */
static void
round_trip(const jwtc_cache_entry *e)
{
	jwtc_cache_entry back;
	jwtc_error err;
	char *text;

	text = jwtc_cache_format(e);
	if (text == NULL)
		return;         /* out of memory */
	memset(&back, 0, sizeof(back));
	if (jwtc_cache_parse(text, strlen(text), ISS, &back, &err) !=
	    JWTC_OK)
		abort();
	if (!same_text(e->jwks_uri, back.jwks_uri) ||
	    !same_text(e->jwks, back.jwks) || e->jwks_len != back.jwks_len ||
	    !same_text(e->etag, back.etag) ||
	    !same_text(e->last_modified, back.last_modified) ||
	    e->fetched_at != back.fetched_at ||
	    e->fresh_until != back.fresh_until ||
	    e->stale_until != back.stale_until ||
	    e->backoff_until != back.backoff_until)
		abort();
	jwtc_cache_entry_clear(&back);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jwtc_cache_entry e;
	jwtc_keyset *ks = NULL;
	jwtc_error err;

	memset(&e, 0, sizeof(e));
	if (jwtc_cache_parse((const char *)data, size, ISS, &e, &err) !=
	    JWTC_OK)
		return 0;
	if (e.fresh_until > e.stale_until || e.issuer == NULL ||
	    strcmp(e.issuer, ISS) != 0 ||
	    (e.jwks != NULL && e.jwks_len != strlen(e.jwks)))
		abort();
	round_trip(&e);
	if (e.jwks != NULL &&
	    jwtc_jwks_parse(e.jwks, e.jwks_len, &ks, &err) == JWTC_OK)
		jwtc_keyset_unref(ks);
	jwtc_cache_entry_clear(&e);
	return 0;
}
