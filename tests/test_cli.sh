#!/bin/bash
# test_cli.sh - jwt-auth verify from the outside: exit codes, what goes to
# standard output and standard error, and that no token is ever printed.
# Tokens and keys come from tests/jwt-mint.

. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

[ -x "$JWT_AUTH" ] || skip_all "$JWT_AUTH is not built"
[ -x "$JWT_MINT" ] || skip_all "$JWT_MINT is not built (make check builds it)"

now=$(date +%s)
later=$((now + 3600))
aud=host.example.test
corp_iss=https://corp.example.test
other_iss=https://other.example.test

# mint OUT KEY KID CLAIMS: sign CLAIMS with KEY (ES256) into the file OUT.
mint() {
	"$JWT_MINT" sign --key "$2" --alg ES256 --kid "$3" "$4" >"$1" ||
	    { echo "jwt-mint sign failed" >&2; exit 99; }
}

claims() { # ISS SUB AUD EXP
	printf '{"iss":"%s","sub":"%s","aud":"%s","exp":%s,"iat":%s,"jti":"j-%s"}' \
	    "$1" "$2" "$3" "$4" "$now" "$RANDOM"
}

# ---- keys, key sets and configuration files ---------------------------------
"$JWT_MINT" genkey ec256 "$T/corp.pem" &&
"$JWT_MINT" genkey ec256 "$T/other.pem" &&
"$JWT_MINT" genkey ec256 "$T/stranger.pem" &&
"$JWT_MINT" jwks --kid corp-1 --alg ES256 "$T/corp.pem" >"$T/corp.jwks" &&
"$JWT_MINT" jwks --kid other-1 --alg ES256 "$T/other.pem" >"$T/other.jwks" ||
    { echo "cannot make keys with jwt-mint" >&2; exit 99; }
mkdir "$T/cache"

conf=$T/jwt-auth.conf
cat >"$conf" <<EOF
# two local issuers
[global]
leeway = 60

[issuer corp]
issuer = $corp_iss
audience = $aud
jwks_file = $T/corp.jwks

[issuer other]
issuer = $other_iss
audience = $aud
jwks_file = $T/other.jwks
EOF

# An issuer that needs the network, with an empty cache.  Its address is
# loopback, so that even a fetch could not leave the host.
net_conf=$T/net.conf
cat >"$net_conf" <<EOF
[global]
cache_dir = $T/cache

[issuer net]
issuer = https://127.0.0.1:9/net
audience = $aud
EOF

bad_conf=$T/syntax.conf
cat >"$bad_conf" <<EOF
[issuer corp]
issuer = $corp_iss
this line is not a key and a value
audience = $aud
jwks_file = $T/corp.jwks
EOF

chmod 0644 "$conf" "$net_conf" "$bad_conf" "$T"/*.jwks

mint "$T/good" "$T/corp.pem" corp-1 "$(claims "$corp_iss" alice "$aud" "$later")"
mint "$T/expired" "$T/corp.pem" corp-1 \
    "$(claims "$corp_iss" alice "$aud" "$((now - 3600))")"
mint "$T/wrong-aud" "$T/corp.pem" corp-1 \
    "$(claims "$corp_iss" alice other.example.test "$later")"
# right kid and claims, signed by a key the issuer never published
mint "$T/forged" "$T/stranger.pem" corp-1 \
    "$(claims "$corp_iss" alice "$aud" "$later")"
mint "$T/net" "$T/stranger.pem" net-1 \
    "$(claims https://127.0.0.1:9/net alice "$aud" "$later")"
mint "$T/root" "$T/corp.pem" corp-1 "$(claims "$corp_iss" root "$aud" "$later")"

good=$(cat "$T/good")
good_sig=${good##*.}
[ -n "$good_sig" ] && [ "$good_sig" != "$good" ] ||
    { echo "jwt-mint printed no compact token" >&2; exit 99; }
# every run below fails if the signature of this token shows in its output
never_print=$good_sig

# A token whose payload was changed after signing: the root token's header
# and payload with alice's signature.
tampered="$(cut -d. -f1-2 "$T/root").${good_sig}"

printf '%s' "$good" >"$T/in-plain"
printf '%s\n' "$good" >"$T/in-nl"
printf '%s\r\n' "$good" >"$T/in-crlf"
printf '%s\n\n' "$good" >"$T/in-2nl"
printf '%s\n' "$good" | tr 'A' '\000' >"$T/in-nul"
: >"$T/in-empty"
head -c 70000 /dev/zero | tr '\000' 'A' >"$T/in-huge"

# No run may show the token or its signature.
secrets_absent() {
	expect_stderr_lacks "$good_sig" "$1: signature not on stderr"
	expect_stdout_lacks_sig "$1"
}
expect_stdout_lacks_sig() {
	if grep -qF -e "$good_sig" "$T/stdout"; then
		not_ok "$1: signature on stdout"
	else
		ok "$1: signature not on stdout"
	fi
}

# ---- accepted ----------------------------------------------------------------
expect_exit 0 "valid token as argument" "$JWT_AUTH" verify -c "$conf" "$good"
expect_stdout_contains '"issuer":"corp"' "section name printed"
expect_stdout_contains '"user":"alice"' "user printed"
expect_stdout_contains '"claims":{' "claims printed"
expect_stdout_contains "\"iss\":\"$corp_iss\"" "iss printed"
expect_stderr_contains "accepted user=alice section=corp" "outcome logged"
expect_stderr_lines 1 "one log line on success"
secrets_absent "valid token as argument"

expect_exit_in "$T/in-plain" 0 "valid token on stdin, no newline" \
    "$JWT_AUTH" verify -c "$conf"
expect_stdout_contains '"user":"alice"' "stdin token: user printed"
expect_exit_in "$T/in-nl" 0 "valid token on stdin with a newline" \
    "$JWT_AUTH" verify -c "$conf"
expect_stdout_contains '"issuer":"corp"' "stdin token with newline: section"
expect_exit_in "$T/in-crlf" 0 "valid token on stdin with CR LF" \
    "$JWT_AUTH" verify -c "$conf"
expect_exit 0 "-u with the token's user" "$JWT_AUTH" verify -c "$conf" \
    -u alice "$good"
expect_exit 0 "-i naming the token's section" "$JWT_AUTH" verify -c "$conf" \
    -i other -i corp "$good"
expect_exit 0 "--help" "$JWT_AUTH" --help
expect_stdout_contains "verify" "--help describes verify"
expect_exit 0 "--version" "$JWT_AUTH" --version
expect_stdout_contains "jwt-auth " "--version names the program"

# ---- rejected: exit 1 ---------------------------------------------------------
reject() { # DESC REASON-TEXT CMD...
	_d=$1
	_r=$2
	shift 2
	expect_exit 1 "$_d" "$@"
	expect_stderr_contains "$_r" "$_d: reason given"
	expect_stderr_lines 1 "$_d: one line on stderr"
	expect_stdout_empty "$_d: nothing on stdout"
}
reject_in() { # FILE DESC REASON-TEXT CMD...
	_f=$1
	_d=$2
	_r=$3
	shift 3
	expect_exit_in "$_f" 1 "$_d" "$@"
	expect_stderr_contains "$_r" "$_d: reason given"
	expect_stderr_lines 1 "$_d: one line on stderr"
	expect_stdout_empty "$_d: nothing on stdout"
}

reject "-u with another user" "not bob" \
    "$JWT_AUTH" verify -c "$conf" -u bob "$good"
secrets_absent "user mismatch"
reject "-i limiting to another section" "not the issuer of a trusted section" \
    "$JWT_AUTH" verify -c "$conf" -i other "$good"
reject "expired token" "expired" \
    "$JWT_AUTH" verify -c "$conf" "$(cat "$T/expired")"
reject "wrong audience" "is not an audience of section corp" \
    "$JWT_AUTH" verify -c "$conf" "$(cat "$T/wrong-aud")"
reject "signed by a key the issuer never published" "bad ES256 signature" \
    "$JWT_AUTH" verify -c "$conf" "$(cat "$T/forged")"
reject "payload changed after signing" "bad ES256 signature" \
    "$JWT_AUTH" verify -c "$conf" "$tampered"
secrets_absent "tampered token"
reject "garbage" "refused" "$JWT_AUTH" verify -c "$conf" not-a-token
reject_in "$T/in-empty" "empty standard input" "empty token" \
    "$JWT_AUTH" verify -c "$conf"
reject_in "$T/in-2nl" "token with two trailing newlines" "refused" \
    "$JWT_AUTH" verify -c "$conf"
secrets_absent "two trailing newlines"
reject_in "$T/in-nul" "NUL byte in the input" "NUL" \
    "$JWT_AUTH" verify -c "$conf"
reject_in "$T/in-huge" "70000 bytes on stdin" "longer than max_token_size" \
    "$JWT_AUTH" verify -c "$conf"

# ---- usage and configuration errors: exit 2 -----------------------------------
expect_exit 2 "missing configuration file" \
    "$JWT_AUTH" verify -c "$T/absent.conf" "$good"
expect_stderr_contains "$T/absent.conf" "missing file named"
secrets_absent "missing configuration"

expect_exit 2 "configuration with a syntax error" \
    "$JWT_AUTH" verify -c "$bad_conf" "$good"
expect_stderr_contains "$bad_conf:3" "syntax error names file and line"
expect_stderr_lines 1 "syntax error: one line on stderr"

cp "$conf" "$T/gw.conf"
chmod 0664 "$T/gw.conf"
expect_exit 2 "group-writable configuration" \
    "$JWT_AUTH" verify -c "$T/gw.conf" "$good"
expect_stderr_contains "$T/gw.conf" "group-writable file named"

ln -s "$conf" "$T/link.conf"
expect_exit 2 "configuration through a symbolic link" \
    "$JWT_AUTH" verify -c "$T/link.conf" "$good"
expect_stderr_contains "$T/link.conf" "symbolic link named"

chmod 0666 "$T/other.jwks"
expect_exit 2 "world-writable jwks_file" "$JWT_AUTH" verify -c "$conf" "$good"
expect_stderr_contains "$T/other.jwks" "untrusted jwks_file named"
chmod 0644 "$T/other.jwks"

expect_exit 2 "-i naming no section" "$JWT_AUTH" verify -c "$conf" \
    -i nosuch "$good"
expect_stderr_contains "nosuch" "unknown section named"
expect_exit 2 "-i with a bad name" "$JWT_AUTH" verify -c "$conf" \
    -i 'corp,other' "$good"
expect_exit 2 "unknown command" "$JWT_AUTH" frobnicate
expect_stderr_contains "frobnicate" "unknown command named"
expect_exit 2 "fetch is not a command of this version" "$JWT_AUTH" fetch
expect_exit 2 "status is not a command of this version" "$JWT_AUTH" status
expect_exit 2 "no command" "$JWT_AUTH"
expect_exit 2 "unknown option" "$JWT_AUTH" verify -x -c "$conf" "$good"
expect_stderr_contains "-x" "unknown option named"
expect_exit 2 "unknown long option" "$JWT_AUTH" verify --frob "$good"
expect_stderr_contains "--frob" "unknown long option named"
expect_exit 2 "-c without its argument" "$JWT_AUTH" verify -c
expect_exit 2 "two tokens" "$JWT_AUTH" verify -c "$conf" "$good" "$good"
secrets_absent "two tokens"
expect_exit 2 "option after the token" "$JWT_AUTH" verify -c "$conf" \
    "$good" -u alice

# ---- keys unavailable: exit 3 --------------------------------------------------
expect_exit 3 "network issuer with nothing cached" \
    "$JWT_AUTH" verify -c "$net_conf" "$(cat "$T/net")"
expect_stderr_contains "no keys of issuer net" "unavailable keys named"
# the failed refresh (about the issuer) and the refusal (about the token)
expect_stderr_contains "key refresh failed" "unavailable: the refresh failure"
expect_stderr_lines 2 "unavailable: two lines on stderr"
expect_stdout_empty "unavailable: nothing on stdout"

finish
