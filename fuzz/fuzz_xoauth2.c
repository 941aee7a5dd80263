/*
 * fuzz_xoauth2.c - the XOAUTH2 server step of the SASL plugin: the client's
 * first message, through the plugin's own entry point and a context that
 * reads its keys from a file (saslstep.c says what is covered).
 */
#include "config.h"

#include "fuzz.h"
#include "saslstep.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	saslstep_run(SASLSTEP_XOAUTH2, data, size);
	return 0;
}
