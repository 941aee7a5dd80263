#!/bin/bash
# test_layout.sh - the boundaries of the tree, checked on the sources:
#  - common/ includes no PAM or SASL header;
#  - no unsafe or non-reentrant libc call in common/, tools/, pam_jwt/,
#    sasl_jwt/ (calls only: comments and string literals are not code);
#  - common/ is library code: no exit/abort/assert, no syslog or printing,
#    no signal handling, no global library cleanup, no non-reentrant calls.
# The patterns are first run on a small tree with known good and bad code,
# so that this test could fail if they stopped matching.

. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

command -v perl >/dev/null 2>&1 || skip_all "perl is needed to strip comments"

UNSAFE='sprintf|vsprintf|strcpy|strcat|strtok|gets|atoi|atol|atoll|gmtime|localtime|ctime|asctime|rand|srand|system|popen|tmpnam|tempnam|mktemp'
# _exit is allowed: it is how a forked child that failed to exec the fetch
# helper ends without running the host's atexit handlers.
LIBRARY_ONLY='exit|_Exit|abort|assert|syslog|vsyslog|openlog|closelog|printf|vprintf|puts|perror|signal|alarm|curl_global_cleanup|OPENSSL_cleanup|strerror|getpwnam|getpwuid|getgrnam|getgrgid'
PAM_SASL_HEADER='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](security/(pam_|_pam)|sasl/)'

# The C code of a file with comments and the contents of string and
# character literals blanked, line numbers kept.
strip_c() {
	perl -0777 -ne '
		my $s = $_;
		$s =~ s{(/\*.*?\*/)|(//[^\n]*)|("(?:\\.|[^"\\\n])*")|('"'"'(?:\\.|[^'"'"'\\\n])*'"'"')}{
			my $m = $&;
			if (defined $1 || defined $2) { (my $k = $m) =~ s/[^\n]/ /g; $k }
			else { (my $k = $m) =~ s/[^\n"'"'"']/ /g; $k }
		}gse;
		print $s;' "$1"
}

# Source files below the given directories.
sources() {
	for _d in "$@"; do
		[ -d "$_d" ] || continue
		find "$_d" -type f \( -name '*.c' -o -name '*.h' \) | LC_ALL=C sort
	done
}

# scan_calls PATTERN DIR...: print FILE:LINE: CODE for each call of a
# function named by PATTERN.  "fprintf(stderr" and "fprintf(stdout" count as
# printing; other fprintf calls do not.
scan_calls() {
	_pat=$1
	shift
	sources "$@" | while IFS= read -r _f; do
		strip_c "$_f" | grep -nE "(^|[^[:alnum:]_.>])($_pat)[[:space:]]*\\(" |
		    sed "s|^|$_f:|"
	done
}

scan_stdio() {
	sources "$@" | while IFS= read -r _f; do
		strip_c "$_f" |
		    grep -nE '(^|[^[:alnum:]_])v?fprintf[[:space:]]*\([[:space:]]*std(err|out)' |
		    sed "s|^|$_f:|"
	done
}

scan_headers() {
	sources "$@" | while IFS= read -r _f; do
		grep -nE "$PAM_SASL_HEADER" "$_f" | sed "s|^|$_f:|"
	done
}

# check DESC FINDINGS: one result; the findings are printed.
check() {
	if [ -z "$2" ]; then
		ok "$1"
	else
		not_ok "$1"
		printf '%s\n' "$2" | sed 's/^/  found: /'
	fi
}

# ---- the patterns on known code ------------------------------------------------
st=$T/selftest
mkdir -p "$st/common" "$st/tools"
cat >"$st/common/bad.c" <<'EOF'
#include <security/pam_modules.h>
#include "sasl/saslplug.h"
void f(char *d, const char *s) {
	sprintf(d, "%s", s); strcpy(d, s); strcat(d, s);
	(void)atoi(s); (void)gmtime(0); (void)rand();
	system("x"); exit(1); abort(); assert(d);
	syslog(3, "x"); openlog("x", 0, 0);
	fprintf(stderr, "x"); (void)strerror(1);
}
EOF
cat >"$st/tools/bad.c" <<'EOF'
int g(const char *s) { return atoi (s) + (int)localtime(0); }
EOF
cat >"$st/common/good.c" <<'EOF'
#include <security.h>
#include "json.h"
/* sprintf(buf) and exit(1) in a comment; strcpy( also */
// atoi(s) in a line comment
static const char *m = "never call system(\"x\") or abort()";
static const char c = '(';
int h(char *d, size_t n, FILE *fp, struct x *p) {
	snprintf(d, n, "%d", 1); vsnprintf(d, n, "%s", 0);
	(void)fgets(d, (int)n, fp); (void)gmtime_r(0, 0);
	(void)strerror_r(1, d, n); atexit(0); p->exit(0); p->system(1);
	fprintf(fp, "%s", m); my_abort(); xstrcpy(d);
	return c;
}
EOF
want=$(printf '%s\n' sprintf strcpy strcat atoi gmtime rand system)
got=$(scan_calls "$UNSAFE" "$st/common" | grep -oE "\\b($UNSAFE)\\b" |
    LC_ALL=C sort -u)
check "self-test: unsafe calls in bad code are found" \
    "$(LC_ALL=C comm -23 <(printf '%s\n' "$want" | LC_ALL=C sort -u) \
        <(printf '%s\n' "$got"))"
check "self-test: atoi and localtime found in tools/" \
    "$(n=$(scan_calls "$UNSAFE" "$st/tools" | wc -l); [ "$n" -eq 1 ] ||
        echo "$n lines instead of 1")"
check "self-test: exit, abort, assert, syslog, openlog, strerror found" \
    "$(n=$(scan_calls "$LIBRARY_ONLY" "$st/common" | wc -l);
       [ "$n" -eq 3 ] || echo "$n lines instead of 3")"
check "self-test: fprintf(stderr found" \
    "$(n=$(scan_stdio "$st/common" | wc -l); [ "$n" -eq 1 ] ||
        echo "$n lines instead of 1")"
check "self-test: PAM and SASL headers found" \
    "$(n=$(scan_headers "$st/common" | wc -l); [ "$n" -eq 2 ] ||
        echo "$n lines instead of 2")"
rm "$st/common/bad.c"
check "self-test: good code passes every check" \
    "$(scan_calls "$UNSAFE" "$st/common"; \
       scan_calls "$LIBRARY_ONLY" "$st/common"; scan_stdio "$st/common"; \
       scan_headers "$st/common")"

# ---- the tree --------------------------------------------------------------------
cd "$top_srcdir" || exit 99
[ -f common/jwtc.h ] || { echo "no common/jwtc.h under $top_srcdir" >&2; exit 99; }
n_src=$(sources common tools pam_jwt sasl_jwt | wc -l)
check "sources found to check ($n_src)" \
    "$([ "$n_src" -ge 2 ] || echo "only $n_src files")"

check "common/ includes no PAM or SASL header" "$(scan_headers common)"
check "no unsafe libc call in common/ tools/ pam_jwt/ sasl_jwt/" \
    "$(scan_calls "$UNSAFE" common tools pam_jwt sasl_jwt)"
check "common/ never exits, aborts, asserts, logs, prints or handles signals" \
    "$(scan_calls "$LIBRARY_ONLY" common; scan_stdio common)"
check "pam_jwt/ and sasl_jwt/ never exit, abort or open the system log" \
    "$(scan_calls 'exit|_exit|_Exit|abort|assert|openlog|closelog|strerror|getpwnam|getpwuid|getgrnam|getgrgid' \
        pam_jwt sasl_jwt)"

finish
