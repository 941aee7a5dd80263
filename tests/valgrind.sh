#!/bin/sh
# valgrind.sh - the test programs under valgrind's memcheck (make
# check-valgrind puts this script before every test the harness runs).
#
#   valgrind.sh PROG [ARG...]
#       A program: run it under memcheck.  Any memcheck error and any
#       definitely lost block makes the exit status 99 (the harness's
#       "hard error"), whatever the program's own status.  Forked children
#       are checked too, programs they execute are not.
#       A shell test script: run it as it is, with JWT_AUTH_VALGRIND naming
#       this script, so that it puts its in-process programs (test_pam,
#       pamtester with pam_jwt.so) under memcheck itself.
#   valgrind.sh --summary DIR
#       The totals over the logs in DIR, every log that holds an error
#       shown in full; exit 1 when there is one, or when there is no log.
#
# Each process writes its own log, DIR/PROG.PID.log, DIR being
# $JWT_AUTH_VALGRIND_LOGS (default $top_builddir/tests/valgrind-logs).
# tests/valgrind.supp, when it has entries, is used: documented
# third-party noise only.

set -u

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
valgrind=${VALGRIND:-valgrind}

summary() {
	dir=$1
	set -- "$dir"/*.log
	if [ ! -f "$1" ]; then
		echo "valgrind: no log in $dir: nothing ran under memcheck" >&2
		return 1
	fi
	bad=$(awk '
	FNR == 1 { if (NR > 1) done(); errs = -1; def = 0; name = FILENAME }
	/== ERROR SUMMARY: / { errs = $4 + 0 }
	/== *definitely lost: / { def = $4; gsub(/,/, "", def); def += 0 }
	function done() { if (errs > 0 || def > 0) print name }
	END { done() }' "$@")
	awk -v dir="$dir" '
	function num(s) { gsub(/,/, "", s); return s + 0 }
	FNR == 1 { files++ }
	/== Command: / { cmd = $3; sub(/.*\//, "", cmd); progs[cmd] = 1 }
	/== ERROR SUMMARY: / { errors += $4; summed++ }
	/== *definitely lost: / { dl += num($4); dlb += num($7) }
	/== *indirectly lost: / { il += num($4); ilb += num($7) }
	/== *possibly lost: / { pl += num($4); plb += num($7) }
	END {
		n = 0
		for (p in progs) n++
		printf "valgrind: %d processes of %d programs checked (%d " \
		    "ended by exec or a kill without a summary); " \
		    "%d errors; definitely lost %d bytes in %d blocks, " \
		    "indirectly lost %d bytes in %d blocks, possibly lost " \
		    "%d bytes in %d blocks; logs in %s\n", files, n,
		    files - summed, errors, dl, dlb, il, ilb, pl, plb, dir
	}' "$@"
	[ -n "$bad" ] || return 0
	for f in $bad; do
		printf '\n----- %s\n' "$f"
		grep -v '^==[0-9]*== *$' "$f"
	done
	echo "valgrind: errors or definite leaks in:" $bad >&2
	return 1
}

if [ "${1:-}" = --summary ]; then
	[ $# -eq 2 ] || { echo "usage: $0 --summary DIR" >&2; exit 2; }
	summary "$2"
	exit $?
fi
[ $# -ge 1 ] || { echo "usage: $0 PROG [ARG...]" >&2; exit 2; }

# A script runs as it is; it calls this script back for its programs.
if [ "$(head -c 2 "$1" 2>/dev/null)" = "#!" ]; then
	JWT_AUTH_VALGRIND=$srcdir/tests/valgrind.sh
	export JWT_AUTH_VALGRIND
	exec "$@"
fi

command -v "$valgrind" >/dev/null 2>&1 || {
	echo "valgrind.sh: $valgrind not found (install valgrind)" >&2
	exit 99
}
logs=${JWT_AUTH_VALGRIND_LOGS:-${top_builddir:-.}/tests/valgrind-logs}
mkdir -p "$logs" || exit 99
supp=
if grep -q '^{' "$srcdir/tests/valgrind.supp" 2>/dev/null; then
	supp=--suppressions=$srcdir/tests/valgrind.supp
fi
# for the few upper bounds on time a test checks (a deadline, not a hang)
JWT_AUTH_UNDER_VALGRIND=1
export JWT_AUTH_UNDER_VALGRIND
exec "$valgrind" --tool=memcheck --leak-check=full \
    --errors-for-leak-kinds=definite --show-leak-kinds=definite \
    --error-exitcode=99 --num-callers=30 --trace-children=no \
    ${supp:+"$supp"} --log-file="$logs/$(basename "$1").%p.log" "$@"
