#!/bin/bash
# demo.sh - jwt-auth end to end with a local key: make an EC key and its
# JWKS, write a configuration that trusts it, mint a token for alice and
# check it three ways: with `jwt-auth verify`, through PAM (pamtester and
# the real libpam loading the built pam_jwt.so, under pam_wrapper so that
# nothing under /etc/pam.d is touched) and through SASL (OAUTHBEARER, the
# real libsasl2 loading the built plugin, in tests/sasl-demo).  Each way
# also shows a refusal.  Run it from the build directory (or set
# top_builddir); everything it writes goes to a temporary directory that is
# removed at the end.  Exit status 0 only when every step turned out as
# expected.
set -euo pipefail

builddir=$(cd "${top_builddir:-.}" && pwd)
jwt_auth=$builddir/tools/jwt-auth
jwt_mint=$builddir/tests/jwt-mint
sasl_demo=$builddir/tests/sasl-demo
pam_module=$builddir/pam_jwt/.libs/pam_jwt.so
sasl_plugdir=$builddir/sasl_jwt/.libs

die() {
	echo "demo: $*" >&2
	exit 2
}

[ -x "$jwt_auth" ] || die "$jwt_auth is not built: run make first"
[ -f "$pam_module" ] ||
    die "$pam_module is not built (install libpam0g-dev, then configure and make)"
[ -f "$sasl_plugdir/libsasl_jwt.so" ] ||
    die "the SASL plugin is not built (install libsasl2-dev, then configure and make)"
pamtester=$(command -v pamtester 2>/dev/null) ||
    die "pamtester not found (apt-get install pamtester)"
# pam_wrapper: as configure found it, else from pkg-config
pam_wrapper=${PAM_WRAPPER_SO:-}
if [ -z "$pam_wrapper" ] && [ -f "$builddir/Makefile" ]; then
	pam_wrapper=$(sed -n 's/^PAM_WRAPPER_SO = *//p' "$builddir/Makefile")
fi
if [ -z "$pam_wrapper" ]; then
	pam_wrapper=$(pkg-config --variable=libdir pam_wrapper 2>/dev/null || :)
	pam_wrapper=${pam_wrapper:+$pam_wrapper/libpam_wrapper.so}
fi
if [ -z "$pam_wrapper" ] || [ ! -f "$pam_wrapper" ]; then
	die "pam_wrapper not found (apt-get install libpam-wrapper)"
fi
# test programs, not built by make: built (or brought up to date) here
${MAKE:-make} -s -C "$builddir" tests/jwt-mint tests/sasl-demo >/dev/null

umask 022
dir=$(mktemp -d "${TMPDIR:-/tmp}/jwt-auth-demo.XXXXXX")
trap 'rm -rf "$dir"' EXIT

step() {
	printf '\n== %s\n' "$*"
}
# expect STATUS WHAT CMD...: run CMD (output shown), print its exit status
# and stop the demo unless it is STATUS.
expect() {
	local want=$1 what=$2 rc=0
	shift 2
	"$@" || rc=$?
	echo "exit status $rc"
	if [ "$rc" -ne "$want" ]; then
		echo "demo: FAILED: $what (exit status $rc, expected $want)" >&2
		exit 1
	fi
}

step "an EC P-256 key and its public JWKS (kid demo-1)"
"$jwt_mint" genkey ec256 "$dir/demo.pem"
"$jwt_mint" jwks --kid demo-1 --alg ES256 "$dir/demo.pem" >"$dir/demo.jwks"
cat "$dir/demo.jwks"

step "the configuration $dir/jwt-auth.conf"
cat >"$dir/jwt-auth.conf" <<EOF
[issuer demo]
issuer = https://idp.demo.example
audience = demo-service
jwks_file = $dir/demo.jwks
EOF
chmod 0644 "$dir/jwt-auth.conf" "$dir/demo.jwks"
cat "$dir/jwt-auth.conf"

now=$(date +%s)
claims() { # AUDIENCE
	printf '{"iss":"https://idp.demo.example","sub":"alice","aud":"%s",' "$1"
	printf '"iat":%s,"exp":%s,"jti":"demo-%s"}' "$now" "$((now + 600))" "$1"
}
"$jwt_mint" sign --key "$dir/demo.pem" --alg ES256 --kid demo-1 \
    "$(claims demo-service)" >"$dir/token"
"$jwt_mint" sign --key "$dir/demo.pem" --alg ES256 --kid demo-1 \
    "$(claims mail-service)" >"$dir/token-mail"

# ---- jwt-auth verify ------------------------------------------------------------
step "a token for alice, valid 10 minutes: jwt-auth verify -c jwt-auth.conf <token"
expect 0 "a valid token was not accepted" \
    "$jwt_auth" verify -c "$dir/jwt-auth.conf" <"$dir/token" 2>&1

step "the same for a token meant for another audience"
expect 1 "a token for another audience was not refused" \
    "$jwt_auth" verify -c "$dir/jwt-auth.conf" <"$dir/token-mail" 2>&1

# ---- PAM ---------------------------------------------------------------------------
mkdir "$dir/pam.d"
cat >"$dir/pam.d/jwt-demo" <<EOF
auth  required  $pam_module config=$dir/jwt-auth.conf
EOF
cat >"$dir/pam.d/other" <<EOF
auth  required  pam_deny.so
EOF

# pam USER LOGGED: pamtester jwt-demo USER authenticate, the token on
# standard input, under pam_wrapper (service files from $dir/pam.d); shows
# what pam_jwt logged (pam_wrapper prints its syslog lines) and what
# pamtester says.  Returns pamtester's status, or 3 when pam_jwt did not
# log LOGGED (pamtester's 1 alone would not tell a refusal from a module
# that failed to load).
pam() {
	local rc=0
	LD_PRELOAD=$pam_wrapper PAM_WRAPPER=1 \
	    PAM_WRAPPER_SERVICE_DIR=$dir/pam.d PAM_WRAPPER_DEBUGLEVEL=2 \
	    "$pamtester" jwt-demo "$1" authenticate <"$dir/token" \
	    >"$dir/pam.out" 2>"$dir/pam.err" || rc=$?
	sed -n 's/.*SYSLOG([0-9]*): /pam_jwt (syslog): /p' "$dir/pam.err" |
	    tee "$dir/pam.log"
	sed -n 's/.*\(pamtester: \)/\1/p' "$dir/pam.out" "$dir/pam.err"
	if ! grep -qF -- "$2" "$dir/pam.log"; then
		echo "(pam_jwt did not log \"$2\")"
		rc=3
	fi
	return "$rc"
}

step "PAM: the service file $dir/pam.d/jwt-demo"
cat "$dir/pam.d/jwt-demo"

step "PAM: the same token for alice: pamtester jwt-demo alice authenticate <token"
expect 0 "PAM did not authenticate alice" pam alice "accepted user=alice"

step "PAM: the same token, as user bob: pamtester jwt-demo bob authenticate <token"
expect 1 "PAM did not refuse alice's token for bob" \
    pam bob "token is for user alice, not bob"

# ---- SASL -------------------------------------------------------------------------
# sasl TOKEN-FILE: one OAUTHBEARER exchange, the plugin from the build
# directory, jwt_config and jwt_issuers given by the program.
sasl() {
	"$sasl_demo" "$sasl_plugdir" "$dir/jwt-auth.conf" demo <"$1" 2>&1
}

step "SASL: the same token, OAUTHBEARER through libsasl2 (jwt_issuers = demo)"
expect 0 "SASL did not authenticate alice" sasl "$dir/token"

step "SASL: the token meant for another audience"
expect 1 "SASL did not refuse the token for another audience" \
    sasl "$dir/token-mail"

printf '\ndemo: OK (jwt-auth verify, PAM and SASL: accepted, then refused)\n'
