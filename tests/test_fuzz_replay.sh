#!/bin/bash
# test_fuzz_replay.sh - replay every fuzz target's corpus (fuzz/corpus/NAME)
# through its plain driver (fuzz/driver.c): a crash, a sanitizer report or
# a broken promise of a parser (the targets abort on one) fails the test.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

ran=0
for corpus in "$top_srcdir"/fuzz/corpus/*/; do
	name=$(basename "$corpus")
	prog=$top_builddir/fuzz/replay_$name
	if [ ! -x "$prog" ]; then
		# the PAM and SASL targets are built only with libpam and
		# libsasl2
		echo "# no $prog: corpus $name not replayed"
		continue
	fi
	expect_exit 0 "replay the $name corpus" "$prog" "$corpus"
	expect_stdout_contains "inputs replayed" "$name: inputs counted"
	ran=$((ran + 1))
done
# the driver itself: nothing to replay is a failure, not a pass
prog=$top_builddir/fuzz/replay_token
mkdir "$T/empty"
expect_exit 1 "driver: an empty corpus fails" "$prog" "$T/empty"
expect_exit 1 "driver: a missing corpus fails" "$prog" "$T/missing"
[ "$ran" -ge 5 ] && ok "at least 5 targets replayed ($ran)" ||
    not_ok "only $ran targets replayed"
finish
