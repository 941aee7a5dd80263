#!/bin/bash
# test_setuid.sh - the keys of a setuid program (su, sudo) through the real
# setuid path: tests/suid-driver, copied setuid root into a directory of the
# test, run as uid 65534 so that it starts with AT_SECURE and the user's
# environment, resource limits and real ids.  Such a process never fetches
# itself: it runs the fetch helper (the built jwt-auth) with an empty
# environment, and the helper obeys freshness, back-off,
# kid_refetch_interval and the host-wide lock, cannot be stopped by the user
# while it holds the lock, and cannot be made to fail by the user's limits.
# Every case checks the exit status and the requests the issuer
# (tests/issuer.py) saw.  Needs root (CI runs as root); skipped otherwise.

. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

DRIVER=$top_builddir/tests/suid-driver
[ "$(id -u)" -eq 0 ] ||
    skip_all "needs root: makes a setuid-root copy of tests/suid-driver"
[ -x "$JWT_AUTH" ] || skip_all "$JWT_AUTH is not built"
[ -x "$JWT_MINT" ] || skip_all "$JWT_MINT is not built (make check builds it)"
[ -x "$DRIVER" ] || skip_all "$DRIVER is not built (make check builds it)"
command -v setpriv >/dev/null 2>&1 ||
    skip_all "setpriv(1) is not installed (it drops to uid 65534)"
command -v pgrep >/dev/null 2>&1 || skip_all "pgrep(1) is not installed"
if grep -qE '^NoNewPrivs:[[:space:]]+1' /proc/self/status 2>/dev/null; then
	skip_all "no_new_privs is set: setuid bits are ignored here"
fi

. "$top_srcdir/tests/netlib.sh"

# Chain in front of netlib.sh's cleanup: end any process still running from
# this test's own directory (a fetch helper runs in a session of its own).
eval "netlib_cleanup() $(declare -f cleanup | tail -n +2)"
cleanup() {
	if [ -n "${BIN:-}" ]; then
		for _p in $(pgrep -f -- "^$BIN/" 2>/dev/null); do
			kill -KILL "$_p" 2>/dev/null
		done
	fi
	netlib_cleanup
}

now=$(date +%s)
later=$((now + 3600))
HTTP_TIMEOUT=2

# ---- the setuid driver and the helpers, in a root-owned 0755 tree ----------
# Everything uid 65534 must reach is traversable; nothing it can write.
chmod 0755 "$T"
mkdir -m 0755 "$T/bin" || exit 99
BIN=$T/bin
SU=$BIN/suid-driver
HELPER=$BIN/jwt-auth
cp "$DRIVER" "$SU" && chown 0:0 "$SU" && chmod 4755 "$SU" &&
cp "$JWT_AUTH" "$HELPER" && chown 0:0 "$HELPER" && chmod 0755 "$HELPER" ||
    { echo "cannot install the setuid driver in $BIN" >&2; exit 99; }

as_nobody() {
	timeout -k 5 60 setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}
# su_login [-H HELPER] [DRIVER-ARGS...] TOKEN-NAME: the setuid driver, as
# uid 65534, with $CONF and the trusted helper unless -H names another.
su_login() {
	_su_helper=$HELPER
	if [ "$1" = "-H" ]; then
		_su_helper=$2
		shift 2
	fi
	_su_tok=$1
	shift
	as_nobody "$SU" -H "$_su_helper" -c "${SU_CONF:-$CONF}" "$@" \
	    "$(tok "$_su_tok")"
}

# Can the setuid bit work here at all (a nosuid mount ignores it)?
as_nobody "$SU" -A -c /nonexistent x >"$T/probe" 2>&1
case $(head -n 1 "$T/probe") in
"AT_SECURE=1 ruid=65534 euid=0") ;;
"AT_SECURE=0 "*)
	# the kernel ignored the setuid bit: nothing here can be tested
	if findmnt -n -o OPTIONS --target "$T" 2>/dev/null | grep -qw nosuid
	then
		skip_all "$T is on a nosuid mount: set TMPDIR elsewhere"
	fi
	skip_all "the setuid bit of $SU has no effect here" ;;
*)
	echo "uid 65534 cannot run $SU:" >&2
	cat "$T/probe" >&2
	exit 99 ;;
esac

# ---- keys, the issuer, tokens ------------------------------------------------
"$JWT_MINT" genkey ec256 "$T/k1.pem" &&
"$JWT_MINT" genkey ec256 "$T/k2.pem" &&
"$JWT_MINT" genkey ec256 "$T/stranger.pem" &&
"$JWT_MINT" jwks --kid k1 --alg ES256 "$T/k1.pem" >"$T/jwks1" &&
"$JWT_MINT" jwks --kid k2 --alg ES256 "$T/k2.pem" >"$T/jwks2" ||
    { echo "cannot make keys with jwt-mint" >&2; exit 99; }
chmod 0644 "$T"/jwks*

start_issuer main --jwks "$T/jwks1" --issuer-path /realms/corp

# mint NAME KEY KID: a token in $T/tok-NAME.
mint() {
	printf '{"iss":"%s","sub":"alice","aud":"api","exp":%s,"iat":%s,"jti":"j-%s"}' \
	    "$ISSUER_URL" "$later" "$now" "$1" >"$T/claims"
	"$JWT_MINT" sign --key "$2" --alg ES256 --kid "$3" \
	    "$(cat "$T/claims")" >"$T/tok-$1" ||
	    { echo "jwt-mint sign failed" >&2; exit 99; }
}
mint k1 "$T/k1.pem" k1
mint k2 "$T/k2.pem" k2
for _k in 9 10 11 12 13; do
	mint "k$_k" "$T/stranger.pem" "k$_k"
done
tok() { cat "$T/tok-$1"; }
# no run may ever print a token's signature (the core's log lines included)
never_print=$(tok k1 | cut -d. -f3)

# fresh [write_conf args]: the issuer back to its start (counters, first key
# set, mode ok), an empty cache, a new $CONF (root-owned, 0644).
fresh() {
	ctl /reset >/dev/null
	rm -rf "$T/cache"
	write_conf "http_timeout=$HTTP_TIMEOUT" "$@"
}
set_server() {
	ctl "/set?$1" >/dev/null
}
root_verify() {
	ja verify -c "${2:-$CONF}" "$(tok "$1")"
}
root_fetch() {
	ja fetch -c "$CONF" "$@"
}

t0=0
elapsed=0
timed() {
	t0=$(now_ms)
	"$@"
	elapsed=$(($(now_ms) - t0))
}
expect_within() {
	if [ "$elapsed" -lt "$1" ]; then
		ok "$2 ($elapsed ms < $1 ms)"
	else
		not_ok "$2: took $elapsed ms, limit $1 ms"
	fi
}
# status_get SECTION FIELD: a field of a section in the last run's stdout.
status_get() {
	awk -v s="section $1" -v f="$2: " '
	    $0 == s { on = 1; next }
	    /^section / { on = 0 }
	    on { sub(/^[ \t]+/, ""); if (index($0, f) == 1) {
		print substr($0, length(f) + 1); exit } }' "$T/stdout"
}

# A cache that will be stale (fresh for 1 s, stale for an hour) when the
# case that needs it runs: filled now, so that no case sleeps for it.
ctl /reset >/dev/null
mkdir -m 0700 "$T/cache-stale"
write_conf "$T/stale.conf" "cache_dir=$T/cache-stale" \
    "http_timeout=$HTTP_TIMEOUT" cache_ttl_min=1 cache_ttl_default=1 \
    cache_ttl_max=1 stale_max=3600
expect_exit 0 "stale cache: filled by root" root_verify k1 "$T/stale.conf"
stale_filled=$(now_ms)

# ---- the driver really runs with AT_SECURE ------------------------------------
fresh
reset_counts
expect_exit 0 "cold setuid login: keys through the helper" \
    su_login k1 -A -M -d
expect_stderr_contains "AT_SECURE=1 ruid=65534 euid=0" \
    "the driver runs setuid root with AT_SECURE"
expect_stderr_contains "running $HELPER fetch" \
    "cold setuid login: the fetch helper ran"
expect_stderr_contains "libcurl: not mapped" \
    "cold setuid login: libcurl never loaded into the setuid process"
expect_count discovery 1 "cold setuid login: one discovery request"
expect_count jwks 1 "cold setuid login: one JWKS request"
if ldd "$SU" 2>/dev/null | grep -q libcurl; then
	not_ok "the setuid driver is linked with libcurl"
else
	ok "the setuid driver is not linked with libcurl"
fi
cf=$(ls "$T/cache"/*.json 2>/dev/null | head -n 1)
case $([ -n "$cf" ] && stat -c %u:%a "$cf") in
0:[0-7][0145][0145])
	ok "the helper wrote a root-owned cache file, not writable by others" ;;
*) not_ok "cache file after the helper: '$cf' $(stat -c %u:%a "$cf" 2>&1)" ;;
esac

reset_counts
expect_exit 0 "warm setuid login" su_login k1 -M -d
expect_stderr_lacks "running $HELPER" "warm setuid login: no helper"
expect_stderr_contains "libcurl: not mapped" "warm setuid login: no libcurl"
expect_count requests 0 "warm setuid login: no request"
expect_count connections 0 "warm setuid login: no connection"

# The same driver without AT_SECURE (root runs it: no id change) fetches
# in-process: the libcurl check above can see libcurl.
rm -rf "$T/cache" && mkdir -m 0700 "$T/cache"
reset_counts
expect_exit 0 "control: cold login without AT_SECURE" \
    timeout -k 5 60 "$SU" -A -M -d -H "$HELPER" -c "$CONF" "$(tok k1)"
expect_stderr_contains "AT_SECURE=0 ruid=0 euid=0" "control: no AT_SECURE"
expect_stderr_contains "libcurl: mapped" \
    "control: an in-process fetch shows libcurl mapped"
expect_stderr_lacks "running $HELPER" "control: no helper without AT_SECURE"
expect_count jwks 1 "control: one JWKS request"

# ---- sixteen setuid logins at once on a cold cache ----------------------------
fresh
pids=
for i in $(seq 1 16); do
	( rc=0
	  su_login k1 >"$T/c$i.out" 2>&1 || rc=$?
	  echo "$rc" >"$T/c$i.rc" ) &
	pids="$pids $!"
done
wait $pids
accepted=0
for i in $(seq 1 16); do
	[ "$(cat "$T/c$i.rc" 2>/dev/null)" = 0 ] && accepted=$((accepted + 1))
done
if [ "$accepted" -eq 16 ]; then
	ok "16 concurrent cold setuid logins: all accepted"
else
	not_ok "16 concurrent cold setuid logins: $accepted accepted"
	for i in $(seq 1 16); do
		[ "$(cat "$T/c$i.rc" 2>/dev/null)" = 0 ] ||
		    sed "s/^/  login $i: /" "$T/c$i.out"
	done
fi
expect_count discovery 1 "16 concurrent setuid logins: one discovery request"
expect_count jwks 1 "16 concurrent setuid logins: one JWKS request"

# ---- unknown kids through the helper --------------------------------------------
fresh
expect_exit 0 "kid burst: keys fetched by root" root_fetch
reset_counts
for _k in 9 10 11 12 13; do
	expect_exit 1 "kid burst: setuid login, unknown kid k$_k refused" \
	    su_login "k$_k"
done
expect_count_le jwks 1 "kid burst: at most one JWKS request in the interval"
expect_count_le discovery 1 "kid burst: at most one discovery request"
expect_count_ge jwks 1 "kid burst: the first unknown kid did refetch"
reset_counts
expect_exit 0 "kid burst: the known key still works" su_login k1
expect_count requests 0 "kid burst: known key, no request"

fresh
expect_exit 0 "rotation: keys fetched by root" root_fetch
set_server "jwks=$T/jwks2"
reset_counts
expect_exit 0 "rotation: setuid login with the new kid k2" su_login k2
expect_count jwks 1 "rotation: exactly one JWKS refetch through the helper"

# ---- stale keys and a slow issuer: no helper, no wait ----------------------------
# cache_ttl 1 s: make sure the stale cache filled at the start is past it
_left=$((stale_filled + 2100 - $(now_ms)))
[ "$_left" -le 0 ] || sleep "$((_left / 1000)).$(printf %03d $((_left % 1000)))"
ctl /reset >/dev/null
set_server "mode=slow&delay=20"
reset_counts
SU_CONF=$T/stale.conf timed expect_exit 0 \
    "stale keys, slow issuer: setuid login accepted" su_login k1 -d
expect_within 1500 "stale keys, slow issuer: no wait for a helper"
expect_stderr_lacks "running $HELPER" "stale keys: no helper started"
expect_stderr_contains "stale" "stale keys: the log says the keys are stale"
expect_count requests 0 "stale keys, slow issuer: no request"
expect_count connections 0 "stale keys, slow issuer: no connection"
# An unknown kid is another matter: one refetch through the helper, which
# the slow issuer makes fail (keys unavailable, bounded), and none for the
# next unknown kid within kid_refetch_interval; the stale keys still serve.
SU_CONF=$T/stale.conf timed expect_exit 3 \
    "stale keys, slow issuer: unknown kid, the refetch fails" su_login k9
expect_within $(((HTTP_TIMEOUT * 2 + 2) * 1000)) \
    "stale keys, unknown kid: bounded by http_timeout"
expect_count_le requests 1 "stale keys, unknown kid: at most one request"
reset_counts
SU_CONF=$T/stale.conf timed expect_exit 1 \
    "stale keys: next unknown kid refused within the interval" su_login k10 -d
expect_within 1500 "stale keys, next unknown kid: at once"
expect_stderr_lacks "running $HELPER" "stale keys, next unknown kid: no helper"
SU_CONF=$T/stale.conf timed expect_exit 0 \
    "stale keys: still serve after the failed refetch" su_login k1
expect_within 1500 "stale keys after the failed refetch: at once"
expect_count requests 0 "stale keys after the failed refetch: no request"

# ---- issuer down, nothing cached: exit 3 at once, then back-off ------------------
fresh
set_server "mode=down"
timed expect_exit 3 "issuer down, nothing cached: keys unavailable" \
    su_login k1 -d
expect_within $(((HTTP_TIMEOUT * 2 + 2) * 1000)) \
    "issuer down: bounded by http_timeout and the lock wait"
expect_stderr_contains "running $HELPER fetch" "issuer down: the helper ran"
expect_count_ge requests 1 "issuer down: the helper tried"
expect_exit 0 "issuer down: status" ja status -c "$CONF"
case $(status_get corp "last failure") in
"" | none) not_ok "issuer down: no failure recorded for the back-off"
	show_last ;;
*) ok "issuer down: the failure is recorded in the cache" ;;
esac
reset_counts
timed expect_exit 3 "back-off: second setuid login, keys unavailable" \
    su_login k1 -d
expect_within 1500 "back-off: fails at once"
expect_stderr_lacks "running $HELPER" "back-off: no helper started"
expect_count requests 0 "back-off: no request"
expect_count connections 0 "back-off: no connection"

# ---- the user cannot stop the helper while it holds the lock ---------------------
fresh
set_server "mode=slow&delay=20"
( rc=0; su_login k1 >"$T/held.out" 2>&1 || rc=$?; echo "$rc" >"$T/held.rc" ) &
held=$!
hp=
stopped=
for _i in $(seq 1 100); do
	hp=$(pgrep -f -- "^$HELPER fetch( |$)" | head -n 1)
	[ -n "$hp" ] && break
	sleep 0.02
done
if [ -z "$hp" ]; then
	not_ok "held lock: no helper process seen"
else
	ok "held lock: the helper runs (pid $hp)"
	# once it has taken back its ids it may hold the lock: wait for that
	# (at most 1 s; the kill is tried whatever it shows)
	for _i in $(seq 1 50); do
		grep -qE '^Uid:[[:space:]]+0[[:space:]]' "/proc/$hp/status" \
		    2>/dev/null && break
		sleep 0.02
	done
	if as_nobody kill -STOP "$hp" 2>"$T/kill.err"; then
		not_ok "held lock: uid 65534 stopped the helper"
		stopped=1
	elif grep -qi "not permitted" "$T/kill.err"; then
		ok "held lock: uid 65534 cannot stop the helper (EPERM)"
	else
		not_ok "held lock: kill failed otherwise: $(cat "$T/kill.err")"
	fi
	sleep 0.1
	case $(ps -o stat= -p "$hp" 2>/dev/null) in
	T*) not_ok "held lock: the helper is stopped" ;;
	*) ok "held lock: the helper is not stopped" ;;
	esac
	# kill -0: the permission check alone, nothing sent
	if as_nobody kill -0 "$hp" 2>/dev/null; then
		not_ok "held lock: uid 65534 may signal the helper"
	else
		ok "held lock: uid 65534 may not signal the helper"
	fi
	_sid=$(ps -o sid= -p "$hp" 2>/dev/null | tr -d ' ')
	if [ "$_sid" = "$hp" ]; then
		ok "held lock: the helper leads a session of its own"
	else
		not_ok "held lock: the helper's session is '$_sid', not $hp"
	fi
fi
set_server "mode=ok"
timed expect_exit 0 "held lock: root's fetch while the helper runs" root_fetch
expect_within $(((HTTP_TIMEOUT * 2 + 3) * 1000)) \
    "held lock: root's fetch not blocked beyond the bounded wait"
# a helper the user managed to stop would still hold the lock: go on
[ -z "$stopped" ] || kill -CONT "$hp" 2>/dev/null
wait "$held"
case $(cat "$T/held.rc" 2>/dev/null) in
0 | 3) ok "held lock: the setuid login ended (exit $(cat "$T/held.rc"))" ;;
*) not_ok "held lock: the setuid login ended with '$(cat "$T/held.rc" 2>/dev/null)'"
	sed 's/^/  /' "$T/held.out" ;;
esac
if pgrep -f -- "^$HELPER fetch" >/dev/null; then
	not_ok "held lock: a helper is still running"
else
	ok "held lock: no helper left running"
fi

# ---- the user's resource limits do not reach the helper ----------------------------
# Whatever the driver itself manages under the limit, no failure caused by
# it may be recorded in the shared cache file (that would put every login
# of the host into back-off): status shows keys or a failure of another
# kind, and root still verifies.
limit_case() {
	_what=$1
	shift
	fresh
	# through a pipe: under ulimit -f a write to a file would kill it
	( ulimit "$@" && su_login k1 ) 2>&1 | cat >"$T/limit.out"
	echo "# $_what: the setuid login exited ${PIPESTATUS[0]}" \
	    "($(tail -n 1 "$T/limit.out"))"
	expect_exit 0 "$_what: status" ja status -c "$CONF"
	_lf=$(status_get corp "last failure")
	case $_lf in
	*[Dd]escriptor* | *"open files"* | *EMFILE* | *"too large"* | \
	    *[Rr]esource* | *[Ll]imit* | *"file size"*)
		not_ok "$_what: a failure caused by the limit is recorded: $_lf" ;;
	*) ok "$_what: no failure caused by the limit recorded (${_lf:-?})" ;;
	esac
	reset_counts
	expect_exit 0 "$_what: root verify afterwards" root_verify k1
}
limit_case "ulimit -n 8" -n 8
limit_case "ulimit -n 12" -n 12
limit_case "ulimit -n 16" -n 16
limit_case "ulimit -f 0" -f 0
limit_case "ulimit -t 1" -t 1

# ---- a helper that is not trusted is never run ---------------------------------------
fresh
cp "$HELPER" "$BIN/jwt-auth-gw" && chmod 0775 "$BIN/jwt-auth-gw" &&
cp "$HELPER" "$BIN/jwt-auth-ow" && chmod 0757 "$BIN/jwt-auth-ow" &&
cp "$HELPER" "$BIN/jwt-auth-user" && chown 65534:65534 "$BIN/jwt-auth-user" &&
    chmod 0755 "$BIN/jwt-auth-user" ||
    { echo "cannot make the untrusted helpers" >&2; exit 99; }
reset_counts
for _u in gw ow user missing; do
	expect_exit 3 "untrusted helper ($_u): keys unavailable" \
	    su_login -H "$BIN/jwt-auth-$_u" k1
	expect_stderr_contains "fetch helper $BIN/jwt-auth-$_u" \
	    "untrusted helper ($_u): the message names it"
done
expect_count requests 0 "untrusted helpers: no request"
expect_count connections 0 "untrusted helpers: no connection"
if pgrep -f -- "^$BIN/jwt-auth-" >/dev/null; then
	not_ok "an untrusted helper runs"
else
	ok "no untrusted helper ran"
fi
# and they put the host in no back-off: the trusted helper fetches at once
expect_exit 0 "after the untrusted helpers: setuid login" su_login k1
expect_count jwks 1 "after the untrusted helpers: one JWKS request"

# ---- the user's environment does not reach the fetch ---------------------------------
fresh
reset_counts
expect_exit 0 "hostile environment: setuid login accepted" \
    timeout -k 5 60 env SSLKEYLOGFILE="$T/keylog" \
    https_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 \
    ALL_PROXY=http://127.0.0.1:9 all_proxy=http://127.0.0.1:9 \
    CURL_CA_BUNDLE=/nonexistent SSL_CERT_FILE=/nonexistent \
    setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$SU" -M -d -H "$HELPER" -c "$CONF" "$(tok k1)"
expect_stderr_contains "running $HELPER fetch" \
    "hostile environment: the helper fetched"
expect_stderr_contains "libcurl: not mapped" \
    "hostile environment: no libcurl in the setuid process"
if [ -e "$T/keylog" ]; then
	not_ok "hostile environment: SSLKEYLOGFILE was written"
else
	ok "hostile environment: SSLKEYLOGFILE not written"
fi
expect_count discovery 1 "hostile environment: the fetch went direct (discovery)"
expect_count jwks 1 "hostile environment: the fetch went direct (JWKS)"

finish
