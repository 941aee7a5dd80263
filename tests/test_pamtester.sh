#!/bin/bash
# test_pamtester.sh - pam_jwt.so as an admin tries a stack: pamtester
# against a service file, the token typed on standard input (pamtester's
# conversation reads one line per prompt when standard input is not a
# terminal).  pam_wrapper gives pamtester a private service directory, so
# nothing under /etc/pam.d is touched; it also shows the module's
# pam_syslog lines on standard error (PAM_WRAPPER_DEBUGLEVEL=2).
#
# At the end it prints (does not assert) the wall time of warm
# authentications with pam_jwt next to pam_permit.

. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

module=$top_builddir/pam_jwt/.libs/pam_jwt.so
pamtester=${PAMTESTER:-$(command -v pamtester 2>/dev/null || :)}

# asan_runtime SO: the path of the ASan runtime SO needs (sanitizer build).
asan_runtime() {
	_p=$(ldd "$1" 2>/dev/null | awk '$1 ~ /^libasan/ && $3 ~ /^\// { print $3; exit }')
	[ -n "$_p" ] || _p=$(${CC:-cc} -print-file-name=libasan.so 2>/dev/null)
	printf '%s\n' "$_p"
}

[ -f "$module" ] || skip_all "pam_jwt.so is not built (no PAM headers?)"
[ -n "$pamtester" ] && [ -x "$pamtester" ] ||
    skip_all "pamtester not found (install pamtester)"
[ -n "${PAM_WRAPPER_SO:-}" ] && [ -f "$PAM_WRAPPER_SO" ] ||
    skip_all "pam_wrapper not found (install libpam-wrapper)"
[ -x "$JWT_MINT" ] || skip_all "$JWT_MINT is not built (make check builds it)"

preload=$PAM_WRAPPER_SO
if readelf -d "$module" 2>/dev/null | grep -q 'NEEDED.*\[libasan'; then
	# the module needs the ASan runtime, which must be loaded first
	asan=$(asan_runtime "$module")
	case $asan in
	/*) preload=$asan:$preload ;;
	*) skip_all "sanitizer build, but libasan.so not found" ;;
	esac
fi

iss=https://idp.test
aud=ssh
now=$(date +%s)

"$JWT_MINT" genkey ec256 "$T/k1.pem" &&
"$JWT_MINT" genkey ec256 "$T/stranger.pem" &&
"$JWT_MINT" jwks --kid k1 "$T/k1.pem" >"$T/jwks.json" ||
    { echo "cannot make keys with jwt-mint" >&2; exit 99; }

# mint NAME KEY CLAIMS: a token in $T/NAME.
mint() {
	"$JWT_MINT" sign --key "$2" --alg ES256 --kid k1 "$3" >"$T/$1" ||
	    { echo "jwt-mint sign failed" >&2; exit 99; }
}
claims() { # SUB EXP JTI [EXTRA]
	printf '{"iss":"%s","aud":"%s","sub":"%s","exp":%s,"jti":"%s"%s}' \
	    "$iss" "$aud" "$1" "$2" "$3" "${4:-}"
}
mint good "$T/k1.pem" "$(claims alice $((now + 600)) good)"
mint bob "$T/k1.pem" "$(claims bob $((now + 600)) for-bob)"
mint expired "$T/k1.pem" "$(claims alice $((now - 3600)) old)"
mint forged "$T/stranger.pem" "$(claims alice $((now + 600)) forged)"
pad=$(printf '%03000d' 0)
mint big "$T/k1.pem" "$(claims alice $((now + 600)) big ",\"pad\":\"$pad\"")"

# The service files, as an admin writes them.
svc=$T/pam.d
mkdir "$svc" "$T/cache"
inline="issuer=$iss audience=$aud jwks_file=$T/jwks.json"
cat >"$svc/jwt-ssh" <<EOF
auth     [success=done default=die] $module $inline
account  [success=done ignore=ignore default=die] $module debug
account  required pam_deny.so
EOF
cat >"$svc/jwt-broken" <<EOF
auth     required $module $inline leeway=soon
EOF
cat >"$svc/jwt-net" <<EOF
auth     required $module issuer=$iss audience=$aud jwks_uri=https://127.0.0.1:1/jwks cache_dir=$T/cache
EOF
cat >"$svc/permit" <<EOF
auth     required pam_permit.so
EOF
cat >"$svc/other" <<EOF
auth     required pam_deny.so
account  required pam_deny.so
EOF

# pt INPUT-FILE SERVICE USER OPERATION...: pamtester under pam_wrapper.
pt() {
	_in=$1
	shift
	expect_exit_in "$_in" "$_want" "$_desc" env LD_PRELOAD="$preload" \
	    PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$svc" \
	    PAM_WRAPPER_DEBUGLEVEL=2 ${vg[@]+"${vg[@]}"} "$pamtester" -v "$@"
}
# try DESC STATUS INPUT SERVICE USER OPERATION...
try() {
	_desc=$1
	_want=$2
	shift 2
	pt "$@"
}

# The token on one line, and in parts (a '\' at the end of each but the
# last), as keyboard-interactive clients send long tokens.
parts() { # FILE N: FILE's token in N lines
	_t=$(cat "$1")
	_len=${#_t}
	_each=$(((_len + $2 - 1) / $2))
	_off=0
	while [ $((_off + _each)) -lt "$_len" ]; do
		printf '%s\\\n' "${_t:$_off:$_each}"
		_off=$((_off + _each))
	done
	printf '%s\n' "${_t:$_off}"
}
parts "$T/good" 3 >"$T/good.3"
parts "$T/big" 5 >"$T/big.5"
printf 'hunter2\n' >"$T/password"
printf 'pass\\word\\\n' >"$T/backslash"
never_print=$(cut -d. -f3 "$T/good")

# ---- success -----------------------------------------------------------------------
try "a good token" 0 "$T/good" jwt-ssh alice authenticate
expect_stdout_contains "pamtester: successfully authenticated" \
    "pamtester says authenticated"
expect_stderr_contains "Token: " "the module asked with its prompt"
expect_stderr_contains "SYSLOG(6): accepted user=alice section=inline kid=k1 jti=good" \
    "one accepted line for alice"

try "a good token, then account" 0 "$T/good" jwt-ssh alice authenticate \
    acct_mgmt
expect_stdout_contains "pamtester: account management done." \
    "account succeeds after auth"

try "a token in 3 parts" 0 "$T/good.3" jwt-ssh alice authenticate
expect_stderr_contains "Token (part 2): Token (part 3): " \
    "the part prompts, exactly"

try "a token of $(wc -c <"$T/big") bytes in 5 parts" 0 "$T/big.5" jwt-ssh \
    alice authenticate
expect_stderr_contains "jti=big" "the big token was accepted"

try "pam_permit, for comparison" 0 /dev/null permit alice authenticate

# ---- refusals ------------------------------------------------------------------------
try "a token for bob, as alice" 1 "$T/bob" jwt-ssh alice authenticate
expect_stderr_contains "Authentication failure" "pamtester says why"
expect_stderr_contains "SYSLOG(5): refused user=bob section=inline kid=k1 jti=for-bob: token is for user bob, not alice" \
    "the refusal names both users"

try "an expired token" 1 "$T/expired" jwt-ssh alice authenticate
expect_stderr_contains "Authentication failure" "pamtester says why"
expect_stderr_contains "jti=old: " "the expired token is named by its jti"

try "a token signed by an unknown key" 1 "$T/forged" jwt-ssh alice \
    authenticate
expect_stderr_contains "jti=forged: bad ES256 signature" "a bad signature"

try "a password" 1 "$T/password" jwt-ssh alice authenticate
expect_stderr_contains "SYSLOG(5): refused user=- section=- kid=- jti=-: " \
    "a password is refused, not even its hash logged"
expect_stderr_lacks "hunter2" "the password is never logged"

try "a reply ending in '\\' that is not a part" 1 "$T/backslash" jwt-ssh \
    alice authenticate
expect_stderr_lacks "Token (part 2)" "no second prompt"

# pamtester's conversation reads at most 4095 bytes a line: a long token on
# one line arrives cut, and is refused
try "a 4 KiB token on one line (cut by pamtester)" 1 "$T/big" jwt-ssh alice \
    authenticate
expect_stderr_contains "SYSLOG(5): refused user=- section=- kid=- jti=-: not a compact JWS: not three segments" \
    "the cut token is refused as malformed"

try "account without auth" 1 /dev/null jwt-ssh alice acct_mgmt
expect_stderr_contains "SYSLOG(7): account: not authenticated by pam_jwt on this handle, ignored" \
    "pam_jwt ignores a handle it did not authenticate"
expect_stderr_contains "Authentication failure" "pam_deny, next, decides"

try "a bad module argument" 1 "$T/good" jwt-broken alice authenticate
expect_stderr_contains "Error in service module" "PAM_SERVICE_ERR"
expect_stderr_contains "SYSLOG(3): configuration: argument leeway" \
    "the log names the argument"
expect_stderr_lacks "Token: " "no token is asked for with a broken configuration"

try "an issuer that cannot be reached" 1 "$T/good" jwt-net alice authenticate
expect_stderr_contains "Authentication service cannot retrieve authentication info" \
    "PAM_AUTHINFO_UNAVAIL"
expect_stderr_contains "jti=good: no keys of issuer inline" \
    "the log says the keys could not be had"

# ---- timing: warm runs, printed only ---------------------------------------------------
timed() { # N SERVICE INPUT: milliseconds for N authentications
	_start=$(date +%s%N)
	for _i in $(seq "$1"); do
		env LD_PRELOAD="$preload" PAM_WRAPPER=1 \
		    PAM_WRAPPER_SERVICE_DIR="$svc" "$pamtester" "$2" alice \
		    authenticate <"$3" >/dev/null 2>&1
	done
	echo $((($(date +%s%N) - _start) / 1000000))
}
n=20
ms_jwt=$(timed $n jwt-ssh "$T/good")
ms_permit=$(timed $n permit /dev/null)
echo "# timing: $n warm pamtester authentications: pam_jwt ${ms_jwt} ms," \
    "pam_permit ${ms_permit} ms (each about $((ms_jwt / n)) ms and" \
    "$((ms_permit / n)) ms)"

finish
