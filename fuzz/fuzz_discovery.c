/*
 * fuzz_discovery.c - an OpenID discovery document as an identity provider
 * (or whoever is in its place) may send it.  An accepted document must
 * name the configured issuer and give a jwks_uri the fetcher would use:
 * https, printable ASCII, no user credentials.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "internal.h"

#define ISS "https://idp.example"

static void
check_uri(const char *uri)
{
	size_t i, len;

	if (uri == NULL || strncasecmp(uri, "https://", 8) != 0)
		abort();
	len = strlen(uri);
	if (len <= 8 || len > 2048)
		abort();
	for (i = 0; i < len; i++)
		if ((unsigned char)uri[i] <= 0x20 ||
		    (unsigned char)uri[i] >= 0x7f)
			abort();
	if (memchr(uri + 8, '@', strcspn(uri + 8, "/?#")) != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jwtc_error err;
	char *uri = NULL;

	if (jwtc_discovery_parse((const char *)data, size, ISS, &uri, &err) ==
	    JWTC_OK) {
		check_uri(uri);
		free(uri);
	} else if (uri != NULL) {
		abort();
	}
	return 0;
}
