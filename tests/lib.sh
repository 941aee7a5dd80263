# tests/lib.sh - helpers for the shell tests; sourced, not run.
#
# Gives: $top_srcdir, $top_builddir, $JWT_AUTH and $JWT_MINT (the built
# programs), $T (a private temporary directory removed on exit), and:
#   expect_exit CODE DESC CMD...          run CMD (stdin /dev/null), check its
#                                         exit status
#   expect_exit_in FILE CODE DESC CMD...  the same with stdin from FILE
#   expect_stderr_contains TEXT DESC      the last run's stderr holds TEXT
#   expect_stderr_lacks TEXT DESC         ... does not hold TEXT
#   expect_stdout_contains TEXT DESC      the last run's stdout holds TEXT
#   expect_stdout_empty DESC
#   expect_stderr_lines N DESC            the last run wrote N lines on stderr
#   ok DESC / not_ok DESC                 count one result
#   skip_all REASON                       skip the whole test (exit 77)
#   finish                                print the summary and exit
# The output of the last run is in $T/stdout and $T/stderr, its status in
# $last_rc.  When $never_print is set, a run whose output holds it fails.  Every expectation counts as one result; a script that counted
# none is an error (exit 99).

set -u
umask 022

if [ -z "${top_srcdir:-}" ]; then
	top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
fi
if [ -z "${top_builddir:-}" ]; then
	top_builddir=$top_srcdir
fi
JWT_AUTH=$top_builddir/tools/jwt-auth
JWT_MINT=$top_builddir/tests/jwt-mint

# vg: what goes before a program whose memory a test may check, as
# ${vg[@]+"${vg[@]}"}: nothing, or under make check-valgrind
# tests/valgrind.sh (memcheck; exit 99 on an error or a definite leak).
vg=()
[ -z "${JWT_AUTH_VALGRIND:-}" ] || vg=(sh "$JWT_AUTH_VALGRIND")

# Under sanitizers a report must never pass for an expected exit status:
# ASan's default status 1 is also "rejected".
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=99"
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1:exitcode=98"
export ASAN_OPTIONS UBSAN_OPTIONS

test_name=$(basename "$0" .sh)
n_pass=0
n_fail=0
last_rc=0
never_print=

T=$(mktemp -d "${TMPDIR:-/tmp}/$test_name.XXXXXX") || {
	echo "$test_name: cannot create a temporary directory" >&2
	exit 99
}
cleanup() {
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 99' HUP INT TERM

ok() {
	n_pass=$((n_pass + 1))
	echo "ok $((n_pass + n_fail)) - $1"
}

not_ok() {
	n_fail=$((n_fail + 1))
	echo "not ok $((n_pass + n_fail)) - $1"
}

skip_all() {
	echo "SKIP: $test_name: $1"
	exit 77
}

# Show what the last run wrote, indented, for a failure's diagnosis.
show_last() {
	echo "  exit status: $last_rc"
	sed -n '1,20s/^/  stdout: /p' "$T/stdout"
	sed -n '1,20s/^/  stderr: /p' "$T/stderr"
}

# run_in FILE CMD...: run CMD with stdin from FILE; sets last_rc.  A
# sanitizer report in stderr turns the status into 99.
run_in() {
	_in=$1
	shift
	last_rc=0
	"$@" <"$_in" >"$T/stdout" 2>"$T/stderr" || last_rc=$?
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
	    "$T/stderr"; then
		echo "  sanitizer report:" >&2
		sed 's/^/    /' "$T/stderr" >&2
		last_rc=99
	fi
}

expect_exit_in() {
	_in=$1
	_want=$2
	_desc=$3
	shift 3
	run_in "$_in" "$@"
	if [ "$last_rc" -eq "$_want" ]; then
		ok "$_desc (exit $_want)"
	else
		not_ok "$_desc: exit $last_rc, expected $_want"
		show_last
	fi
	if [ -n "$never_print" ] &&
	    grep -qF -e "$never_print" "$T/stdout" "$T/stderr"; then
		not_ok "$_desc: printed what it must never print"
	fi
}

expect_exit() {
	_want=$1
	_desc=$2
	shift 2
	expect_exit_in /dev/null "$_want" "$_desc" "$@"
}

expect_stderr_contains() {
	if grep -qF -e "$1" "$T/stderr"; then
		ok "$2"
	else
		not_ok "$2: stderr lacks \"$1\""
		show_last
	fi
}

expect_stderr_lacks() {
	if grep -qF -e "$1" "$T/stderr"; then
		not_ok "$2: stderr holds what it must not"
	else
		ok "$2"
	fi
}

expect_stdout_contains() {
	if grep -qF -e "$1" "$T/stdout"; then
		ok "$2"
	else
		not_ok "$2: stdout lacks \"$1\""
		show_last
	fi
}

expect_stdout_empty() {
	if [ -s "$T/stdout" ]; then
		not_ok "$1: stdout is not empty"
		show_last
	else
		ok "$1"
	fi
}

expect_stderr_lines() {
	_n=$(wc -l <"$T/stderr")
	if [ "$_n" -eq "$1" ]; then
		ok "$2"
	else
		not_ok "$2: $_n lines on stderr, expected $1"
		show_last
	fi
}

finish() {
	echo "# $test_name: $n_pass passed, $n_fail failed"
	if [ $((n_pass + n_fail)) -eq 0 ]; then
		echo "$test_name: no result was counted" >&2
		exit 99
	fi
	[ "$n_fail" -eq 0 ] || exit 1
	exit 0
}
