#!/bin/bash
# demo.sh - jwt-auth end to end with a local key: make an EC key and its
# JWKS, write a configuration that trusts it, mint a token for alice and
# check it with `jwt-auth verify`, then show a refusal.  Run it from the
# build directory (or set top_builddir); everything it writes goes to a
# temporary directory that is removed at the end.
set -euo pipefail

builddir=${top_builddir:-$(pwd)}
jwt_auth=$builddir/tools/jwt-auth
jwt_mint=$builddir/tests/jwt-mint

if [ ! -x "$jwt_auth" ]; then
	echo "demo: $jwt_auth is not built: run make first" >&2
	exit 2
fi
if [ ! -x "$jwt_mint" ]; then
	# the minting helper is a test program: built by make check or here
	${MAKE:-make} -s -C "$builddir" tests/jwt-mint
fi

umask 022
dir=$(mktemp -d "${TMPDIR:-/tmp}/jwt-auth-demo.XXXXXX")
trap 'rm -rf "$dir"' EXIT

step() {
	printf '\n== %s\n' "$*"
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

step "a token for alice, valid 10 minutes: jwt-auth verify -c jwt-auth.conf <token"
rc=0
"$jwt_auth" verify -c "$dir/jwt-auth.conf" <"$dir/token" 2>&1 || rc=$?
echo "exit status $rc"
if [ "$rc" -ne 0 ]; then
	echo "demo: FAILED: a valid token was not accepted" >&2
	exit 1
fi

step "the same for a token meant for another audience"
rc=0
"$jwt_auth" verify -c "$dir/jwt-auth.conf" <"$dir/token-mail" 2>&1 || rc=$?
echo "exit status $rc"
if [ "$rc" -ne 1 ]; then
	echo "demo: FAILED: a token for another audience was not refused" >&2
	exit 1
fi

printf '\ndemo: OK (accepted with exit status 0, refused with 1)\n'
