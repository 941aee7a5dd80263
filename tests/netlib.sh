# tests/netlib.sh - a real HTTPS issuer for the shell tests; sourced after
# tests/lib.sh, by bash scripts.
#
# Needs python3 and openssl (the test is skipped without them).  Gives:
#   make_pki                       test CA and server certificates in $PKI
#                                  (tests/mkcerts.sh)
#   start_issuer NAME [ARGS...]    start tests/issuer.py in the background
#                                  (ARGS go to it, e.g. --jwks FILE
#                                  --issuer-path /realms/corp); sets and
#                                  exports ISSUER_URL, ISSUER_BASE,
#                                  ISSUER_PORT, ISSUER_ALT_PORT, CONTROL_URL,
#                                  CONTROL_PORT;
#                                  stopped when the script exits
#   stop_issuers                   stop every issuer started so far
#   ctl PATH                       ask the control server, print its answer
#                                  (ctl '/set?mode=down'); fails the whole
#                                  test when the control server does not
#                                  answer
#   counts KEY                     print one request counter
#   reset_counts                   counters to zero, settings unchanged
#   expect_count KEY N DESC        the counter KEY is N
#   expect_count_le KEY N DESC     the counter KEY is at most N
#   expect_count_ge KEY N DESC     the counter KEY is at least N
#   write_conf [FILE] [KEY=VALUE... [-- KEY=VALUE...]]
#                                  a configuration file (default $CONF): the
#                                  pairs before -- override or add [global]
#                                  keys, those after it [issuer corp] keys;
#                                  KEY= (empty value) leaves a default key out
#   now_ms                         milliseconds since the epoch
#   ja ARGS...                     $JWT_AUTH ARGS under timeout(1), so that a
#                                  hang fails (exit 124) instead of stopping
#                                  the suite

command -v python3 >/dev/null 2>&1 ||
    skip_all "python3 is not installed (it runs the test issuer)"
command -v openssl >/dev/null 2>&1 ||
    skip_all "openssl is not installed (it makes the test certificates)"
command -v timeout >/dev/null 2>&1 ||
    skip_all "timeout(1) is not installed"

ISSUER_PY=$top_srcdir/tests/issuer.py
PKI=$T/pki
CONF=$T/jwt-auth.conf
issuer_pids=

# Chain the issuers' stop in front of lib.sh's cleanup.
eval "lib_cleanup() $(declare -f cleanup | tail -n +2)"
cleanup() {
	stop_issuers
	lib_cleanup
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

ja() {
	timeout -k 5 60 "$JWT_AUTH" "$@"
}

make_pki() {
	[ -f "$PKI/ca.pem" ] && return 0
	sh "$top_srcdir/tests/mkcerts.sh" "$PKI" >"$T/mkcerts.log" 2>&1 || {
		echo "tests/mkcerts.sh failed:" >&2
		cat "$T/mkcerts.log" >&2
		exit 99
	}
}

# portfile_get FILE KEY: one member of the issuer's port file.
portfile_get() {
	python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

start_issuer() {
	_name=$1
	shift
	make_pki
	_pf=$T/$_name.port
	rm -f "$_pf"
	python3 "$ISSUER_PY" --cert "$PKI/server.pem" --key "$PKI/server.key" \
	    --other-cert "$PKI/other-server.pem" \
	    --other-key "$PKI/other-server.key" \
	    --portfile "$_pf" --pidfile "$T/$_name.pid" "$@" \
	    </dev/null >"$T/$_name.log" 2>&1 &
	_pid=$!
	issuer_pids="$issuer_pids $_pid"
	_i=0
	while [ ! -s "$_pf" ]; do
		if ! kill -0 "$_pid" 2>/dev/null || [ "$_i" -ge 200 ]; then
			echo "the test issuer $_name did not start:" >&2
			cat "$T/$_name.log" >&2
			exit 99
		fi
		_i=$((_i + 1))
		sleep 0.05
	done
	ISSUER_PORT=$(portfile_get "$_pf" port) &&
	ISSUER_ALT_PORT=$(portfile_get "$_pf" alt_port) &&
	_cport=$(portfile_get "$_pf" control_port) &&
	ISSUER_URL=$(portfile_get "$_pf" issuer) || {
		echo "cannot read $_pf" >&2
		exit 99
	}
	ISSUER_BASE=https://127.0.0.1:$ISSUER_PORT
	CONTROL_PORT=$_cport
	CONTROL_URL=http://127.0.0.1:$_cport
	export ISSUER_URL ISSUER_BASE ISSUER_PORT ISSUER_ALT_PORT CONTROL_URL \
	    CONTROL_PORT
}

stop_issuers() {
	for _p in $issuer_pids; do
		kill -TERM "$_p" 2>/dev/null || continue
		_i=0
		while kill -0 "$_p" 2>/dev/null && [ "$_i" -lt 50 ]; do
			_i=$((_i + 1))
			sleep 0.1
		done
		kill -KILL "$_p" 2>/dev/null || :
		wait "$_p" 2>/dev/null || :
	done
	issuer_pids=
}

# ctl PATH: the control server's answer (the body of a 200).  Spoken over
# bash's /dev/tcp: no proxy from the environment, no curl needed, and no
# process per call (a python3 start costs about 100 ms, and the tests make
# hundreds of calls).
ctl() {
	_resp=
	if exec 7<>"/dev/tcp/127.0.0.1/$CONTROL_PORT"; then
		printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$1" >&7 &&
		    _resp=$(timeout 10 cat <&7)
		exec 7<&- 7>&-
	fi
	case ${_resp%%$'\r\n'*} in
	"HTTP/1."[01]" 200 "*) ;;
	*)
		echo "the control server did not answer $1 with 200:" >&2
		printf '%s\n' "$_resp" >&2
		exit 99 ;;
	esac
	printf '%s\n' "${_resp#*$'\r\n\r\n'}"
}

counts() {
	ctl "/count?name=$1"
}

reset_counts() {
	ctl '/reset?what=counts' >/dev/null
}

# _count_cmp OP KEY N DESC
_count_cmp() {
	_n=$(counts "$2")
	case $1 in
	eq) [ "$_n" -eq "$3" ] ;;
	le) [ "$_n" -le "$3" ] ;;
	ge) [ "$_n" -ge "$3" ] ;;
	esac && {
		ok "$4 (count $2: $_n)"
		return 0
	}
	not_ok "$4: count $2 is $_n, expected $1 $3"
	echo "  counts: $(ctl /counts)"
	return 1
}
expect_count() { _count_cmp eq "$@"; }
expect_count_le() { _count_cmp le "$@"; }
expect_count_ge() { _count_cmp ge "$@"; }

write_conf() {
	_file=$CONF
	case ${1:-} in
	/*) _file=$1; shift ;;
	esac
	make_pki
	[ -d "$T/cache" ] || mkdir -m 0700 "$T/cache"
	_global="cache_dir=$T/cache ca_file=$PKI/ca.pem cache_ttl_min=1
	    cache_ttl_default=60 cache_ttl_max=3600 stale_max=3600
	    http_timeout=3 kid_refetch_interval=60"
	_issuer="issuer=$ISSUER_URL audience=api algorithms=ES256"
	_g_extra=
	_i_extra=
	_in_issuer=
	for _kv in "$@"; do
		if [ "$_kv" = "--" ]; then
			_in_issuer=1
		elif [ -n "$_in_issuer" ]; then
			_i_extra="$_i_extra $_kv"
		else
			_g_extra="$_g_extra $_kv"
		fi
	done
	{
		echo "# written by tests/netlib.sh"
		echo "[global]"
		_conf_lines "$_global" "$_g_extra"
		echo
		echo "[issuer corp]"
		_conf_lines "$_issuer" "$_i_extra"
	} >"$_file.tmp" && chmod 0644 "$_file.tmp" && mv "$_file.tmp" "$_file" ||
	    { echo "cannot write $_file" >&2; exit 99; }
}

# _conf_lines DEFAULTS EXTRA: "key = value" lines, EXTRA overriding
# DEFAULTS key by key (an empty value drops the key).
_conf_lines() {
	_seen=
	for _kv in $1 $2; do
		_k=${_kv%%=*}
		case " $_seen " in
		*" $_k "*) continue ;;
		esac
		# the last setting of a key wins
		_v=
		for _kv2 in $1 $2; do
			[ "${_kv2%%=*}" = "$_k" ] && _v=${_kv2#*=}
		done
		_seen="$_seen $_k"
		[ -z "$_v" ] || echo "$_k = $_v"
	done
}
