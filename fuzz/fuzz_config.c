/*
 * fuzz_config.c - the configuration file parser.
 */
#include "config.h"

#include "fuzz.h"
#include "internal.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jwtc_config *cfg = NULL;
	jwtc_error err;

	if (jwtc_config_parse("fuzz.conf", (const char *)data, size, &cfg,
	    &err) == JWTC_OK)
		jwtc_config_free(cfg);
	return 0;
}
