# tests/integration/sasllib.sh - what the real-host tests of the SASL
# plugin share (test_slapd.sh, test_postfix.sh); sourced after tests/lib.sh
# and tests/netlib.sh, by bash scripts running as root.
#
# Gives:
#   SASL_PLUGIN          the built libsasl_jwt.so (skips the test without it)
#   SASL_PLUGIN_DIR      its directory
#   sasl_system_dir BIN  the plugin directory compiled into the libsasl2
#                        that BIN links (skips the test when there is none)
#   free_port            a TCP port on 127.0.0.1 that nothing listens on now
#   dead_port            a port that refuses connections (bound, then closed)
#   stop_pid PID         TERM, up to 5 s, then KILL
#   wait_for_port PORT PID
#                        until PORT accepts connections (0), or PID died or
#                        10 s passed (1)
#   mint NAME [SUB [AUD [EXP [ISS [KEY [KID]]]]]]
#                        a token in $T/tok-NAME (0600, no newline), ES256;
#                        defaults: $TOKEN_USER, $AUDIENCE, an hour from now,
#                        $ISSUER_URL, $T/k1.pem, k1
#   make_keys            $T/k1.pem (served by the issuer as kid k1) and
#                        $T/stranger.pem (known to nobody), $T/jwks1
#   add_issuer NAME URL  append an [issuer NAME] section to $CONF for URL,
#                        with the audience $AUDIENCE
#   expect_no_secret LOG... DESC
#                        no token signature of $T/tok-* appears in any LOG
#
# SASL_PATH replaces libsasl2's plugin directory: the tests list the build
# directory first and the system one after it, so the hosts find our plugin
# and their usual ones.

SASL_PLUGIN=
for _m in "$top_builddir/sasl_jwt/.libs/libsasl_jwt.so" \
    "$top_builddir/.libs/libsasl_jwt.so"; do
	if [ -f "$_m" ]; then
		SASL_PLUGIN=$_m
		break
	fi
done
[ -n "$SASL_PLUGIN" ] ||
    skip_all "libsasl_jwt.so is not built (configure found no libsasl2?)"
SASL_PLUGIN_DIR=$(cd "$(dirname "$SASL_PLUGIN")" && pwd)
[ "${JWT_AUTH_SANITIZERS:-no}" != yes ] ||
    skip_all "a sanitizer build's plugin cannot be loaded by a daemon"

# sasl_system_dir BIN: LIBDIR/sasl2 of the libsasl2 that BIN links.
sasl_system_dir() {
	_lib=$(ldd "$1" 2>/dev/null | awk '$1 ~ /^libsasl2\.so/ { print $3 }' |
	    head -n 1)
	[ -n "$_lib" ] || skip_all "$1 does not link libsasl2"
	_dir=$(dirname "$(readlink -f "$_lib")")/sasl2
	[ -d "$_dir" ] || skip_all "no libsasl2 plugin directory $_dir"
	echo "$_dir"
}

free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}
dead_port() {
	free_port
}

stop_pid() {
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null || return 0
	_i=0
	while kill -0 "$1" 2>/dev/null && [ "$_i" -lt 50 ]; do
		_i=$((_i + 1))
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null || :
	wait "$1" 2>/dev/null || :
}

wait_for_port() {
	_i=0
	while [ "$_i" -lt 200 ]; do
		if (exec 6<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
			return 0
		fi
		[ -z "${2:-}" ] || kill -0 "$2" 2>/dev/null || return 1
		_i=$((_i + 1))
		sleep 0.05
	done
	return 1
}

make_keys() {
	"$JWT_MINT" genkey ec256 "$T/k1.pem" &&
	"$JWT_MINT" genkey ec256 "$T/stranger.pem" &&
	"$JWT_MINT" jwks --kid k1 --alg ES256 "$T/k1.pem" >"$T/jwks1" ||
	    { echo "cannot make keys with jwt-mint" >&2; exit 99; }
	chmod 0644 "$T/jwks1"
}

mint() {
	_now=$(date +%s)
	printf '{"iss":"%s","sub":"%s","aud":"%s","exp":%s,"iat":%s,"jti":"%s-%s"}' \
	    "${5:-$ISSUER_URL}" "${2:-$TOKEN_USER}" "${3:-$AUDIENCE}" \
	    "${4:-$((_now + 3600))}" "$_now" "$test_name" "$1" >"$T/claims"
	(umask 077 && "$JWT_MINT" sign --key "${6:-$T/k1.pem}" --alg ES256 \
	    --kid "${7:-k1}" "$(cat "$T/claims")" | tr -d '\n' >"$T/tok-$1") ||
	    { echo "jwt-mint sign failed" >&2; exit 99; }
	[ -s "$T/tok-$1" ] || { echo "jwt-mint made no token" >&2; exit 99; }
}

add_issuer() {
	{
		echo
		echo "[issuer $1]"
		echo "issuer = $2"
		echo "audience = $AUDIENCE"
		echo "algorithms = ES256"
	} >>"$CONF" || { echo "cannot write $CONF" >&2; exit 99; }
}

expect_no_secret() {
	_desc=${*: -1}
	_leak=
	for _f in "$T"/tok-*; do
		_sig=$(cut -d. -f3 <"$_f")
		[ "${#_sig}" -ge 16 ] || continue
		for _log in "${@:1:$#-1}"; do
			[ -f "$_log" ] || continue
			if grep -qaF -e "$_sig" "$_log"; then
				_leak="$_leak $(basename "$_f") in $(basename "$_log")"
			fi
		done
	done
	if [ -z "$_leak" ]; then
		ok "$_desc"
	else
		not_ok "$_desc: a token signature was logged:$_leak"
	fi
}
