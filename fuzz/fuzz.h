/*
 * fuzz.h - the one entry point every fuzz target defines.  Linked either
 * with libFuzzer (clang -fsanitize=fuzzer) or with driver.c, which replays
 * a corpus so that make check runs every target without clang.
 */
#ifndef JWT_AUTH_FUZZ_H
#define JWT_AUTH_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
