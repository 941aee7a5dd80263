#!/bin/bash
# test_man_options.sh - the man pages against the code they document:
#   jwt-auth.conf(5)  every key of the option table (common/options.c, as
#                     tests/doc-options prints it) has an item with its
#                     section, its default and its range, and every item
#                     there is a key of the table;
#   pam_jwt(8)        every argument of the module's table (pam_jwt/args.c,
#                     as tests/doc-pam-args prints it) has an item, and
#                     every item is an argument;
#   sasl_jwt(8)       every option the plugin reads (the getopt names of
#                     sasl_jwt/plugin.c) has an item, and every item is one;
#   jwt-auth(1)       every command and option of jwt-auth --help has an
#                     item, and so has each exit status;
#   every page        each configuration example (a block of EXAMPLES with
#                     an [issuer ...] header) parses with the core's parser.
# Each check first runs on a page spoiled on purpose, so that it is known
# to fail when a page falls behind the code.

. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

DOC_OPTIONS=$top_builddir/tests/doc-options
DOC_PAM_ARGS=$top_builddir/tests/doc-pam-args
[ -x "$DOC_OPTIONS" ] ||
    skip_all "tests/doc-options is not built (make check builds it)"
[ -x "$JWT_AUTH" ] || skip_all "tools/jwt-auth is not built"

CONF_POD=$top_srcdir/doc/jwt-auth.conf.5.pod
PAM_POD=$top_srcdir/doc/pam_jwt.8.pod
SASL_POD=$top_srcdir/doc/sasl_jwt.8.pod
CLI_POD=$top_srcdir/doc/jwt-auth.1.pod
for _p in "$CONF_POD" "$PAM_POD" "$SASL_POD" "$CLI_POD"; do
	[ -f "$_p" ] || { echo "missing $_p" >&2; exit 99; }
done

# ---- what the code says --------------------------------------------------------------
"$DOC_OPTIONS" table >"$T/table" || { echo "doc-options table failed" >&2; exit 99; }
cut -f1 "$T/table" >"$T/option-names"
[ "$(wc -l <"$T/option-names")" -ge 20 ] ||
    { echo "the option table has fewer than 20 keys?" >&2; exit 99; }

if [ -x "$DOC_PAM_ARGS" ]; then
	"$DOC_PAM_ARGS" >"$T/pam-args" ||
	    { echo "doc-pam-args failed" >&2; exit 99; }
else
	# no libpam at configure time: the table of the source instead
	sed -n 's/^[[:space:]]*{ "\([a-z_]*\)", ARG_.*/\1/p' \
	    "$top_srcdir/pam_jwt/args.c" >"$T/pam-args"
	echo "# pam_jwt is not built: module arguments read from args.c"
fi
[ "$(wc -l <"$T/pam-args")" -ge 5 ] ||
    { echo "fewer than 5 module arguments?" >&2; exit 99; }

# The options the plugin asks libsasl2 for: get_option(u, "NAME", ...).
sed -n 's/.*get_option(u, "\([a-z_]*\)".*/\1/p' \
    "$top_srcdir/sasl_jwt/plugin.c" | sort -u >"$T/sasl-options"
for _o in jwt_config jwt_issuers jwt_authzid; do
	grep -qx "$_o" "$T/sasl-options" ||
	    { echo "plugin.c does not read $_o?" >&2; exit 99; }
done

"$JWT_AUTH" --help >"$T/help" || { echo "jwt-auth --help failed" >&2; exit 99; }
sed -n 's/^  \(-[a-zA-Z]\) .*/\1/p' "$T/help" >"$T/cli-options"
sed -n 's/^\(verify\|fetch\|status\)  .*/\1/p' "$T/help" >"$T/cli-commands"
[ "$(wc -l <"$T/cli-options")" -ge 4 ] && [ "$(wc -l <"$T/cli-commands")" -eq 3 ] ||
    { echo "jwt-auth --help has changed its layout" >&2; exit 99; }

# ---- reading POD -------------------------------------------------------------------------
# strip_codes: B<x>, C<x>, ... become x (innermost first).
strip_codes() {
	sed -e ':a' -e 's/[A-Z]<\([^<>]*\)>/\1/g' -e 'ta'
}

# item_text FILE PATTERN: the text of the item whose line starts with
# "=item B<" and then PATTERN (an ERE), up to the next item, list end or
# heading, on one line without formatting codes; empty when there is none.
item_text() {
	awk -v pat="$2" '
	/^=(item|back|over|head[1-4])/ { if (on) exit }
	on { print }
	$0 ~ ("^=item B<" pat) { on = 1; print }
	' "$1" | strip_codes | tr '\n' ' ' | tr -s ' '
}

# item_names FILE: the NAME of every "=item B<NAME" (letters, digits, _, -)
# of the section OPTIONS.
item_names() {
	sed -n '/^=head1 OPTIONS$/,/^=head1 /s/^=item B<\([a-z0-9_-]*\).*/\1/p' "$1"
}

# has TEXT NEEDLE: TEXT holds NEEDLE as it is.
has() {
	case $1 in
	*"$2"*) return 0 ;;
	esac
	return 1
}

# ---- the checks: each prints one line "NAME: problem" per problem --------------------

# conf_problems POD: the keys of the option table against jwt-auth.conf(5).
conf_problems() {
	_pod=$1
	while IFS='	' read -r _name _scope _def _range _req; do
		_t=$(item_text "$_pod" "$_name>")
		if [ -z "$_t" ]; then
			echo "$_name: no =item B<$_name>"
			continue
		fi
		case $_scope in
		global) _s="Section: [global] only." ;;
		both) _s="Section: [global], or an issuer section to override it." ;;
		*) _s="Section: issuer sections only." ;;
		esac
		has "$_t" "$_s" || echo "$_name: does not say \"$_s\""
		if [ "$_req" = yes ]; then
			has "$_t" "Required." || echo "$_name: does not say \"Required.\""
		else
			has "$_t" "Default: " || echo "$_name: does not say \"Default: \""
		fi
		if [ "$_def" != - ]; then
			has "$_t" "Default: $_def." ||
			    echo "$_name: does not say \"Default: $_def.\""
		fi
		if [ "$_range" != - ]; then
			has "$_t" "Range: $_range." ||
			    echo "$_name: does not say \"Range: $_range.\""
		fi
	done <"$T/table"
	for _n in $(item_names "$_pod"); do
		grep -qx "$_n" "$T/option-names" ||
		    echo "$_n: documented but not a key of the option table"
	done
}

# names_problems POD LIST PATTERN-SUFFIX: every name of LIST has an item
# "=item B<NAME" followed by PATTERN-SUFFIX, and every item names one.
names_problems() {
	while read -r _n; do
		[ -n "$(item_text "$1" "$_n$3")" ] || echo "$_n: no =item B<$_n"
	done <"$2"
	for _n in $(item_names "$1"); do
		grep -qx -- "$_n" "$2" ||
		    echo "$_n: documented but not in the code"
	done
}

# cli_problems POD: the commands and options of jwt-auth --help, and the
# exit statuses, have items in jwt-auth(1).
cli_problems() {
	while read -r _c; do
		[ -n "$(item_text "$1" "$_c>")" ] || echo "$_c: no =item B<$_c>"
	done <"$T/cli-commands"
	while read -r _o; do
		[ -n "$(item_text "$1" "$_o>")" ] || echo "$_o: no =item B<$_o>"
	done <"$T/cli-options"
	for _o in "-h>, B<--help>" "-V>, B<--version>"; do
		grep -qF "=item B<$_o" "$1" || echo "${_o%%>*}: no =item B<$_o"
	done
	for _x in 0 1 2 3; do
		grep -qx "=item B<$_x>" "$1" || echo "exit $_x: no =item B<$_x>"
	done
}

# examples POD DIR: write each configuration example of the EXAMPLES
# section of POD (its verbatim blocks with an [issuer ...] header, blank
# lines between paragraphs kept) to DIR/N.conf; print how many.
examples() {
	mkdir -p "$2"
	awk -v dir="$2" '
	function flush(   i, f) {
		if (n > 0 && ini) {
			k++
			f = dir "/" k ".conf"
			for (i = 1; i <= n; i++)
				print lines[i] > f
			close(f)
		}
		n = 0; ini = 0; pend = 0
	}
	/^=head1 / { flush(); inex = ($0 == "=head1 EXAMPLES"); next }
	!inex { next }
	/^[ \t]/ {
		for (; pend > 0; pend--)
			lines[++n] = ""
		l = $0
		sub(/^  /, "", l)
		lines[++n] = l
		if (l ~ /^\[issuer /)
			ini = 1
		next
	}
	/^$/ { if (n > 0) pend++; next }
	{ flush() }
	END { flush(); print k + 0 }
	' "$1"
}

# example_problems POD: each configuration example parses.
example_problems() {
	_d=$T/ex.$(basename "$1")
	rm -rf "$_d"
	_n=$(examples "$1" "$_d")
	_i=1
	while [ "$_i" -le "$_n" ]; do
		"$DOC_OPTIONS" parse "$_d/$_i.conf" >"$_d/$_i.err" 2>&1 ||
		    echo "example $_i: $(head -n 1 "$_d/$_i.err")"
		_i=$((_i + 1))
	done
}

# ---- self-tests: each check finds a fault put in on purpose --------------------------
# expect_problem DESC NEEDLE CMD...: CMD reports a problem holding NEEDLE.
expect_problem() {
	_desc=$1
	_needle=$2
	shift 2
	"$@" >"$T/problems"
	if grep -qF -- "$_needle" "$T/problems"; then
		ok "self-test: $_desc"
	else
		not_ok "self-test: $_desc"
		sed 's/^/  problems: /' "$T/problems"
	fi
}

spoil() {    # spoil POD SED-SCRIPT: a copy of POD, edited, in $T/spoiled.pod
	sed -e "$2" "$1" >"$T/spoiled.pod"
	cmp -s "$1" "$T/spoiled.pod" &&
	    { echo "spoil: '$2' changed nothing in $1" >&2; exit 99; }
	return 0
}

spoil "$CONF_POD" '/^=item B<leeway>/d'
expect_problem "a key without its item is found" "leeway: no =item" \
    conf_problems "$T/spoiled.pod"
spoil "$CONF_POD" 's/^Range: 0 to 600\.$/Range: 0 to 6000./'
expect_problem "a wrong range is found" "leeway: does not say \"Range: 0 to 600.\"" \
    conf_problems "$T/spoiled.pod"
spoil "$CONF_POD" '/^=item B<leeway>/,/^=item/s/^Default: C<60>\.$/Default: C<90>./'
expect_problem "a wrong default is found" "leeway: does not say \"Default: 60.\"" \
    conf_problems "$T/spoiled.pod"
spoil "$CONF_POD" '/^=item B<state_dir>/,/^=item/s/^Section: .*/Section: C<[global]>, or an issuer section to override it./'
expect_problem "a wrong section is found" "state_dir: does not say \"Section: [global] only.\"" \
    conf_problems "$T/spoiled.pod"
spoil "$CONF_POD" '/^=item B<audience>/,/^=item/s/^Required\.$/Default: none./'
expect_problem "a required key shown as optional is found" "audience: does not say \"Required.\"" \
    conf_problems "$T/spoiled.pod"
spoil "$CONF_POD" 's/^=item B<leeway>/=item B<leeway_max>/'
expect_problem "an item for no key is found" \
    "leeway_max: documented but not a key of the option table" \
    conf_problems "$T/spoiled.pod"
spoil "$PAM_POD" '/^=item B<try_first_pass>/d'
expect_problem "a module argument without its item is found" \
    "try_first_pass: no =item" names_problems "$T/spoiled.pod" "$T/pam-args" '(=|>)'
spoil "$PAM_POD" 's/^=item B<debug>/=item B<verbose>/'
expect_problem "an item for no module argument is found" \
    "verbose: documented but not in the code" \
    names_problems "$T/spoiled.pod" "$T/pam-args" '(=|>)'
spoil "$SASL_POD" 's/^=item B<jwt_authzid>/=item B<jwt_authz>/'
expect_problem "a SASL option without its item is found" \
    "jwt_authzid: no =item" names_problems "$T/spoiled.pod" "$T/sasl-options" '>'
spoil "$CLI_POD" '/^=item B<-u> /d'
expect_problem "a jwt-auth option without its item is found" "-u: no =item" \
    cli_problems "$T/spoiled.pod"
spoil "$CLI_POD" 's/^=item B<3>$/=item B<4>/'
expect_problem "a missing exit status is found" "exit 3: no =item" \
    cli_problems "$T/spoiled.pod"
spoil "$CONF_POD" 's/^  audience = host.corp.example$/  audiense = host.corp.example/'
expect_problem "a broken configuration example is found" "unknown key 'audiense'" \
    example_problems "$T/spoiled.pod"

# ---- the pages ----------------------------------------------------------------------------
conf_problems "$CONF_POD" >"$T/conf-problems"
while read -r _name; do
	if grep -q "^$_name: " "$T/conf-problems"; then
		not_ok "jwt-auth.conf(5): key $_name"
		grep "^$_name: " "$T/conf-problems" | sed 's/^/  /'
	else
		ok "jwt-auth.conf(5): key $_name, its section, default and range"
	fi
done <"$T/option-names"
_extra=$(grep "documented but not" "$T/conf-problems")
[ -z "$_extra" ] && ok "jwt-auth.conf(5): every item is a key of the table" ||
    { not_ok "jwt-auth.conf(5): items that are no key"; echo "$_extra" | sed 's/^/  /'; }

names_problems "$PAM_POD" "$T/pam-args" '(=|>)' >"$T/pam-problems"
while read -r _name; do
	grep -q "^$_name: " "$T/pam-problems" &&
	    not_ok "pam_jwt(8): argument $_name is not documented" ||
	    ok "pam_jwt(8): argument $_name"
done <"$T/pam-args"
grep -q "documented but not" "$T/pam-problems" &&
    { not_ok "pam_jwt(8): items that are no argument"; sed 's/^/  /' "$T/pam-problems"; } ||
    ok "pam_jwt(8): every argument item is an argument of the module"
# configuration keys as arguments: the page says so, and names the section
grep -q 'Any key of B<jwt-auth.conf>(5), given as an argument' "$PAM_POD" &&
    grep -q 'named C<inline>' "$PAM_POD" &&
    ok "pam_jwt(8): configuration keys as arguments (the inline section)" ||
    not_ok "pam_jwt(8): configuration keys as arguments are not described"

names_problems "$SASL_POD" "$T/sasl-options" '>' >"$T/sasl-problems"
while read -r _name; do
	grep -q "^$_name: " "$T/sasl-problems" &&
	    not_ok "sasl_jwt(8): option $_name is not documented" ||
	    ok "sasl_jwt(8): option $_name"
done <"$T/sasl-options"
grep -q "documented but not" "$T/sasl-problems" &&
    { not_ok "sasl_jwt(8): items that are no option"; sed 's/^/  /' "$T/sasl-problems"; } ||
    ok "sasl_jwt(8): every option item is an option of the plugin"

cli_problems "$CLI_POD" >"$T/cli-problems"
[ ! -s "$T/cli-problems" ] &&
    ok "jwt-auth(1): every command, option and exit status of --help" ||
    { not_ok "jwt-auth(1): out of step with --help"; sed 's/^/  /' "$T/cli-problems"; }

for _pod in "$CONF_POD" "$PAM_POD" "$SASL_POD"; do
	_page=$(basename "$_pod" .pod)
	_n=$(examples "$_pod" "$T/count.$_page")
	case $_page in
	jwt-auth.conf.5) _min=4 ;;
	*) _min=1 ;;
	esac
	[ "$_n" -ge "$_min" ] && ok "$_page: $_n configuration examples found" ||
	    not_ok "$_page: $_n configuration examples, at least $_min expected"
	example_problems "$_pod" >"$T/example-problems"
	[ ! -s "$T/example-problems" ] &&
	    ok "$_page: every configuration example parses" ||
	    { not_ok "$_page: configuration examples"; sed 's/^/  /' "$T/example-problems"; }
done

finish
