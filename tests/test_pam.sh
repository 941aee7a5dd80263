#!/bin/bash
# test_pam.sh - pam_jwt.so as built: what it exports and links, then
# tests/test_pam through the real libpam under pam_wrapper.
#
# pam_wrapper copies PAM_WRAPPER_SERVICE_DIR when it is loaded, so the
# service files are written first (test_pam setup DIR), then the tests run
# with the preload (test_pam run DIR).  In a sanitizer build libasan must
# come before pam_wrapper in LD_PRELOAD (and pam_wrapper then skips
# RTLD_DEEPBIND, which ASan does not support).

. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

module=$top_builddir/pam_jwt/.libs/pam_jwt.so
prog=$top_builddir/tests/test_pam

# asan_runtime SO: the path of the ASan runtime SO needs (sanitizer build).
asan_runtime() {
	_p=$(ldd "$1" 2>/dev/null | awk '$1 ~ /^libasan/ && $3 ~ /^\// { print $3; exit }')
	[ -n "$_p" ] || _p=$(${CC:-cc} -print-file-name=libasan.so 2>/dev/null)
	printf '%s\n' "$_p"
}

[ -f "$module" ] || skip_all "pam_jwt.so is not built (no PAM headers?)"
command -v readelf >/dev/null 2>&1 || skip_all "readelf (binutils) is needed"

# ---- the shared object ----------------------------------------------------------
needed=$(readelf -d "$module" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')
if printf '%s\n' "$needed" | grep -q '^libpam\.so'; then
	ok "pam_jwt.so links libpam (readelf sees its NEEDED entries)"
else
	not_ok "pam_jwt.so: no libpam among NEEDED: $needed"
fi
if printf '%s\n' "$needed" | grep -q 'curl'; then
	not_ok "pam_jwt.so links libcurl: $needed"
else
	ok "pam_jwt.so does not link libcurl (the core loads it for a fetch)"
fi
if readelf -d "$module" | grep -q 'FLAGS_1.*NODELETE'; then
	ok "pam_jwt.so stays loaded once loaded (-z nodelete)"
else
	not_ok "pam_jwt.so lacks NODELETE: each pam_end would unload it"
fi
exported=$(readelf --dyn-syms -W "$module" |
    awk '$1 ~ /^[0-9]+:$/ && $5 != "LOCAL" && $7 != "UND" && $8 != "" {
	    sub(/@.*/, "", $8); print $8 }' |
    LC_ALL=C sort -u | tr '\n' ' ')
if [ "$exported" = "pam_sm_acct_mgmt pam_sm_authenticate pam_sm_setcred " ]; then
	ok "pam_jwt.so exports the three entry points and nothing else"
else
	not_ok "pam_jwt.so exports: $exported"
fi

# ---- through libpam ------------------------------------------------------------------
# Without the test tools the checks above still count when they fail.
skip_rest() {
	[ "$n_fail" -eq 0 ] || finish
	skip_all "$1"
}
if [ ! -x "$prog" ]; then
	skip_rest "tests/test_pam is not built (needs cmocka and libpamtest)"
elif [ -z "${PAM_WRAPPER_SO:-}" ] || [ ! -f "$PAM_WRAPPER_SO" ]; then
	skip_rest "pam_wrapper not found (install libpam-wrapper)"
elif [ -z "${PAM_WRAPPER_MODULES:-}" ] ||
    [ ! -f "$PAM_WRAPPER_MODULES/pam_set_items.so" ]; then
	skip_rest "pam_wrapper's test modules not found"
else
	preload=$PAM_WRAPPER_SO
	if printf '%s\n' "$needed" | grep -q '^libasan'; then
		asan=$(asan_runtime "$module")
		case $asan in
		/*) preload=$asan:$preload ;;
		*) not_ok "sanitizer build, but libasan.so not found" ;;
		esac
	fi
	export JWT_AUTH_PAM_MODULE=$module PAM_WRAPPER_MODULES
	expect_exit 0 "test_pam setup: keys, configuration, service files" \
	    "$prog" setup "$T"
	expect_exit 0 "test_pam: pam_jwt through libpam and pam_wrapper" \
	    env LD_PRELOAD="$preload" PAM_WRAPPER=1 \
	    PAM_WRAPPER_SERVICE_DIR="$T/svc" PAM_WRAPPER_DEBUGLEVEL=2 \
	    ${vg[@]+"${vg[@]}"} "$prog" run "$T"
	sed 's/^/  /' "$T/stdout"
	grep -v '^PWRAP_' "$T/stderr" | sed 's/^/  /'

fi

finish
