#!/bin/bash
# test_man.sh - the man pages: every doc/*.pod passes podchecker without
# errors or warnings, has the sections a reader looks for (NAME, SYNOPSIS,
# DESCRIPTION, EXIT STATUS for section 1, EXIT STATUS or RETURN VALUES for
# section 8, EXAMPLES, SECURITY, SEE ALSO) and a NAME line for its own
# name, is listed in Makefile.am (MAN_PODS and dist_man_MANS), and its
# page, when built, renders with groff and with man without a warning.
# podchecker is first run on known bad POD, so that this test could fail.

. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

command -v podchecker >/dev/null 2>&1 ||
    skip_all "podchecker (perl) is not installed"

# pod_ok FILE: podchecker finds no error and no warning in FILE.
pod_ok() {
	_out=$(podchecker -warnings -warnings "$1" 2>&1) || return 1
	case $_out in
	*ERROR*|*WARNING*) return 1 ;;
	esac
	return 0
}

# ---- podchecker on known POD ----------------------------------------------------
st=$T/selftest
mkdir "$st"
printf '=head1 NAME\n\nx - y\n\n=over 4\n\n=item a\n\nb\n\n=cut\n' >"$st/no-back.pod"
printf '=head1 NAME\n\nx - y\n\nSee L<x(1) and more.\n\n=cut\n' >"$st/link.pod"
printf '=head1 NAME\n\nx - y\n\n=head2 A\n\n=head2 A\n\n=cut\n' >"$st/dup.pod"
printf '=head1 NAME\n\nx - y\n\n=head1 SYNOPSIS\n\nB<x>\n\n=cut\n' >"$st/good.pod"
for f in no-back link dup; do
	if pod_ok "$st/$f.pod"; then
		not_ok "self-test: podchecker finds the fault in $f.pod"
	else
		ok "self-test: podchecker finds the fault in $f.pod"
	fi
done
if pod_ok "$st/good.pod"; then
	ok "self-test: podchecker passes good POD"
else
	not_ok "self-test: podchecker passes good POD"
fi

# roff_warnings PAGE: what groff, and man when it is there, say about PAGE
# (formatted for 80 columns); empty when the page renders cleanly.
roff_warnings() {
	if command -v groff >/dev/null 2>&1; then
		LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$1" 2>&1
	fi
	if command -v man >/dev/null 2>&1; then
		MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings=w -l "$1" 2>&1 >/dev/null
	fi
}
if command -v groff >/dev/null 2>&1 || command -v man >/dev/null 2>&1; then
	# a word longer than the line cannot be broken: a warning
	printf '.TH x 1\n.SH NAME\nx \\- y\n.IP a 4\n%s\n' \
	    "$(printf 'abcdefghij%.0s' 1 2 3 4 5 6 7 8 9 10)" >"$st/long.1"
	[ -n "$(roff_warnings "$st/long.1")" ] &&
	    ok "self-test: a page that cannot be set is found" ||
	    not_ok "self-test: no warning for an unbreakable line"
fi

# ---- the pages --------------------------------------------------------------------
cd "$top_srcdir" || exit 99
pods=$(ls doc/*.pod 2>/dev/null)
[ -n "$pods" ] && ok "man pages found in doc/" || not_ok "no doc/*.pod"

for pod in $pods; do
	base=${pod#doc/}
	page=${base%.pod}              # jwt-auth-askpass.1
	name=${page%.*}                # jwt-auth-askpass
	section=${page##*.}            # 1
	if pod_ok "$pod"; then
		ok "$page: podchecker clean"
	else
		not_ok "$page: podchecker"
		podchecker -warnings -warnings "$pod" 2>&1 | sed 's/^/  /'
	fi
	case $section in
	1|5|8) ok "$page: section $section has a build rule" ;;
	*) not_ok "$page: section $section has no build rule in Makefile.am" ;;
	esac
	missing=
	for h in NAME SYNOPSIS DESCRIPTION 'SEE ALSO'; do
		grep -qx "=head1 $h" "$pod" || missing="$missing $h;"
	done
	case $section in
	1) grep -qx '=head1 EXIT STATUS' "$pod" || missing="$missing EXIT STATUS;" ;;
	8) grep -qx '=head1 EXIT STATUS' "$pod" ||
	    grep -qx '=head1 RETURN VALUES' "$pod" ||
	    missing="$missing EXIT STATUS or RETURN VALUES;" ;;
	esac
	for h in EXAMPLES SECURITY; do
		grep -qx "=head1 $h" "$pod" || missing="$missing $h;"
	done
	[ -z "$missing" ] && ok "$page: has its sections" ||
	    not_ok "$page: lacks$missing"
	# The line after "=head1 NAME" is "name - what it is".
	nameline=$(sed -n '/^=head1 NAME$/{n;n;p;q}' "$pod")
	case $nameline in
	"$name - "?*) ok "$page: NAME line names $name" ;;
	*) not_ok "$page: NAME line is \"$nameline\"" ;;
	esac
	grep -Eq "^MAN_PODS *[+]?=.*[[:space:]=]$pod([[:space:]\\\\]|\$)" Makefile.am &&
	    ok "$page: in MAN_PODS" || not_ok "$page: not in MAN_PODS of Makefile.am"
	grep -Eq "^dist_man_MANS *[+]?=.*[[:space:]=]doc/$page([[:space:]\\\\]|\$)" \
	    Makefile.am && ok "$page: in dist_man_MANS" ||
	    not_ok "$page: not in dist_man_MANS of Makefile.am"

	# The page make built (the build tree, else the source tree of a
	# tarball): its title line, and no groff warning.
	built=
	for d in "$top_builddir" "$top_srcdir"; do
		if [ -f "$d/doc/$page" ]; then
			built=$d/doc/$page
			break
		fi
	done
	[ -n "$built" ] || { not_ok "$page: not built"; continue; }
	grep -q "^\\.TH \"*$name\"* \"*$section\"* .*\"jwt-auth [0-9]" "$built" &&
	    ok "$page: title line with its name, section and release" ||
	    not_ok "$page: title line: $(grep '^\.TH' "$built")"
	if command -v groff >/dev/null 2>&1 || command -v man >/dev/null 2>&1; then
		warn=$(roff_warnings "$built")
		[ -z "$warn" ] && ok "$page: groff and man render it without a warning" ||
		    { not_ok "$page: groff or man warn"; printf '%s\n' "$warn" | sed 's/^/  /'; }
	fi
done

finish
