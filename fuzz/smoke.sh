#!/bin/bash
# smoke.sh - run every libFuzzer target of a build configured with
# --enable-fuzzing for a short while (FUZZ_TIME seconds each, 30 by
# default) on a copy of its corpus, one after the other; fails when a
# target crashes, leaks, trips a sanitizer or breaks a promise, or when a
# target named was not built or has no corpus.  Without names, every
# corpus whose target was built.
#
# usage: fuzz/smoke.sh SRCDIR BUILDDIR [fuzz/fuzz_NAME...]
# (make fuzz-smoke names the targets of its build)
set -u

src=${1:?usage: smoke.sh SRCDIR BUILDDIR [fuzz/fuzz_NAME...]}
build=${2:?usage: smoke.sh SRCDIR BUILDDIR [fuzz/fuzz_NAME...]}
shift 2
time=${FUZZ_TIME:-30}
case $time in
''|*[!0-9]*) echo "smoke.sh: FUZZ_TIME must be a number of seconds" >&2
	exit 2 ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/jwt-auth-fuzz-smoke.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT

failed=0
ran=0
printf '%-12s %10s %6s %6s %6s  %s\n' target runs cov ft corpus result
if [ "$#" -eq 0 ]; then
	for corpus in "$src"/fuzz/corpus/*/; do
		name=$(basename "$corpus")
		[ -x "$build/fuzz/fuzz_$name" ] && set -- "$@" "fuzz/fuzz_$name"
	done
fi
for target in "$@"; do
	name=${target##*/fuzz_}
	prog=$build/fuzz/fuzz_$name
	corpus=$src/fuzz/corpus/$name
	if [ ! -x "$prog" ] || [ ! -d "$corpus" ]; then
		echo "smoke.sh: $name: no $prog or no $corpus" >&2
		failed=$((failed + 1))
		continue
	fi
	mkdir -p "$work/$name/corpus" || exit 2
	cp "$corpus"/* "$work/$name/corpus/" || exit 2
	dict=
	[ -f "$src/fuzz/$name.dict" ] && dict=-dict=$src/fuzz/$name.dict
	log=$work/$name/log
	rc=0
	"$prog" -max_total_time="$time" -timeout=10 -rss_limit_mb=2048 \
	    -max_len=8192 -print_final_stats=1 $dict \
	    -artifact_prefix="$work/$name/" "$work/$name/corpus" \
	    >"$log" 2>&1 || rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
	cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	n=$(find "$work/$name/corpus" -type f | wc -l)
	if [ "$rc" -eq 0 ]; then
		result=ok
	else
		result="FAILED (exit $rc)"
		failed=$((failed + 1))
	fi
	printf '%-12s %10s %6s %6s %6s  %s\n' "$name" "${runs:-?}" \
	    "${cov:-?}" "${ft:-?}" "$n" "$result"
	if [ "$rc" -ne 0 ]; then
		# the report, not the input (it may hold a token)
		grep -E 'ERROR|SUMMARY|^ *#[0-9]+ 0x|runtime error|artifact' \
		    "$log" | head -n 40 | sed 's/^/    /'
		for a in "$work/$name"/crash-* "$work/$name"/leak-* \
		    "$work/$name"/timeout-* "$work/$name"/oom-*; do
			[ -f "$a" ] || continue
			if [ -n "${FUZZ_ARTIFACTS:-}" ]; then
				mkdir -p "$FUZZ_ARTIFACTS" &&
				    cp "$a" "$FUZZ_ARTIFACTS/$name-$(basename "$a")"
			fi
			echo "    input kept: ${FUZZ_ARTIFACTS:-(set FUZZ_ARTIFACTS to keep it)}"
		done
	fi
	ran=$((ran + 1))
done
if [ "$ran" -lt 5 ]; then
	echo "smoke.sh: only $ran targets ran" >&2
	failed=$((failed + 1))
fi
[ "$failed" -eq 0 ] || { echo "smoke.sh: $failed failures" >&2; exit 1; }
echo "smoke.sh: $ran targets, ${time} s each, no failure"
