#!/bin/bash
# tests/integration/test_sshd.sh - pam_jwt behind a real sshd, with the real
# OpenSSH client and jwt-auth-askpass, everything on 127.0.0.1.
#
# The test starts the loopback HTTPS issuer (tests/issuer.py), adds the local
# user jwttest when it is missing (locked password; removed again at the
# end), writes a PAM service /etc/pam.d/jwt-auth-test-XXXXXXXX that names
# the built module by absolute path (pam_jwt in auth and account, pam_unix
# in account), and starts sshd from a link named after that service (sshd
# takes its PAM service name from the name it was started as) on a free
# loopback port, with keyboard-interactive as the only method.  Then the
# real ssh logs in with tokens that jwt-auth-askpass prints in parts, from
# JWT_AUTH_TOKEN_FILE or JWT_AUTH_TOKEN_CMD: long and short tokens log in
# and run a command that sees JWT_SUB (export_claims); the first login
# fetches the issuer's keys and the next ones use the cache.  Tokens for
# another user, expired, signed by an unknown key, with an unknown kid, for
# another audience, cut short or not a JWT at all, and a good token for a
# user with no account here, are refused.  Each case checks the ssh
# client's exit status and output, sshd's log, that askpass left nothing
# behind and, when this test can listen on /dev/log (no syslog daemon holds
# it), the module's own log lines.  It prints the sizes of the tokens that
# logged in and the issuer's request counts.
#
# Needs root, sshd, ssh and the built module and askpass helper; run by
# `make check-integration`.  Everything started here is stopped, and every
# file written outside the temporary directory removed, on exit.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib.sh"

# ---- prerequisites -------------------------------------------------------------
[ "$(id -u)" -eq 0 ] ||
    skip_all "needs root (adds a user and a PAM service, runs sshd)"
SSHD=
for _p in "$(command -v sshd 2>/dev/null)" /usr/sbin/sshd; do
	if [ -n "$_p" ] && [ -x "$_p" ]; then
		SSHD=$_p
		break
	fi
done
[ -n "$SSHD" ] || skip_all "sshd is not installed (openssh-server)"
case $SSHD in
/*) ;;
*) SSHD=$(cd "$(dirname "$SSHD")" && pwd)/$(basename "$SSHD") ;;
esac
for _c in ssh ssh-keygen setsid useradd usermod userdel timeout; do
	command -v "$_c" >/dev/null 2>&1 || skip_all "$_c is not installed"
done
[ -d /etc/pam.d ] || skip_all "no /etc/pam.d"
[ "${JWT_AUTH_SANITIZERS:-no}" != yes ] ||
    skip_all "a sanitizer build's module cannot be loaded by sshd"

PAM_JWT=
for _m in "$top_builddir/.libs/pam_jwt.so" \
    "$top_builddir/pam_jwt/.libs/pam_jwt.so"; do
	if [ -f "$_m" ]; then
		PAM_JWT=$_m
		break
	fi
done
[ -n "$PAM_JWT" ] || skip_all "pam_jwt.so is not built (configure found no libpam?)"
ASKPASS=$top_builddir/tools/jwt-auth-askpass
[ -x "$ASKPASS" ] || ASKPASS=$top_srcdir/tools/jwt-auth-askpass
[ -x "$ASKPASS" ] || skip_all "tools/jwt-auth-askpass is not built"
[ -x "$JWT_MINT" ] || skip_all "$JWT_MINT is not built (make check-integration builds it)"

. "$top_srcdir/tests/netlib.sh"

TEST_USER=jwttest
OTHER_USER=jwttest-other          # named by a token, never created
NO_SUCH_USER=jwt-auth-no-such-user # named by a token, does not exist here
AUDIENCE=ssh-login-test
now=$(date +%s)
later=$((now + 3600))

# ---- cleanup: everything started or written outside $T ---------------------------
sshd_pid=
syslog_pid=
syslog_ino=
pam_file=
created_user=
created_run_sshd=
eval "net_cleanup() $(declare -f cleanup | tail -n +2)"
cleanup() {
	stop_pid "$sshd_pid"
	stop_pid "$syslog_pid"
	# /dev/log only when it is still the socket this test made
	if [ -n "$syslog_ino" ] && [ -S /dev/log ] &&
	    [ "$(stat -c %i /dev/log 2>/dev/null)" = "$syslog_ino" ]; then
		rm -f /dev/log
	fi
	[ -z "$pam_file" ] || rm -f "$pam_file"
	if [ -n "$created_user" ]; then
		userdel -r "$TEST_USER" >/dev/null 2>&1 ||
		    echo "# could not remove the user $TEST_USER" >&2
	fi
	[ -z "$created_run_sshd" ] || rmdir /run/sshd 2>/dev/null || :
	net_cleanup
}

# stop_pid PID: TERM, up to 5 s, then KILL.
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

# ---- keys, the issuer, the configuration ------------------------------------------
"$JWT_MINT" genkey ec256 "$T/k1.pem" &&
"$JWT_MINT" genkey ec256 "$T/stranger.pem" &&
"$JWT_MINT" jwks --kid k1 --alg ES256 "$T/k1.pem" >"$T/jwks1" ||
    { echo "cannot make keys with jwt-mint" >&2; exit 99; }
chmod 0644 "$T/jwks1"
start_issuer main --jwks "$T/jwks1" --issuer-path /realms/corp
write_conf -- "audience=$AUDIENCE"

# ---- tokens -------------------------------------------------------------------------
# mint NAME [SUB [AUD [EXP [KEY [KID [FILLER]]]]]]: a token in $T/tok-NAME
# (0600), FILLER bytes of padding in a claim of its own.
mint() {
	_pad=
	if [ "${7:-0}" -gt 0 ]; then
		_pad=,\"filler\":\"$(head -c "$7" /dev/zero | tr '\0' x)\"
	fi
	printf '{"iss":"%s","sub":"%s","aud":"%s","exp":%s,"iat":%s,"jti":"sshd-%s"%s}' \
	    "$ISSUER_URL" "${2:-$TEST_USER}" "${3:-$AUDIENCE}" "${4:-$later}" \
	    "$now" "$1" "$_pad" >"$T/claims"
	(umask 077 && "$JWT_MINT" sign --key "${5:-$T/k1.pem}" --alg ES256 \
	    --kid "${6:-k1}" "$(cat "$T/claims")" >"$T/tok-$1") ||
	    { echo "jwt-mint sign failed" >&2; exit 99; }
}
tok_size() {
	printf '%s' "$(cat "$T/tok-$1")" | wc -c
}
mint short
mint long "" "" "" "" "" 2200
mint huge "" "" "" "" "" 7000
mint other-user "$OTHER_USER" "" "" "" "" 2200
mint no-such-user "$NO_SUCH_USER"
mint expired "" "" $((now - 3600)) "" "" 2200
mint unknown-key "" "" "" "$T/stranger.pem" k1 2200
mint unknown-kid "" "" "" "$T/stranger.pem" k9
mint other-aud "" mail-test "" "" "" 2200
# the long token as a client that cuts at 1023 bytes would send it
(umask 077 && head -c 1023 "$T/tok-long" >"$T/tok-cut")
(umask 077 && printf 'not-a-token-at-all\n' >"$T/tok-garbage")
for _n in short long huge; do
	_s=$(tok_size "$_n")
	eval "size_$_n=$_s"
done
[ "$size_short" -lt 1000 ] && [ "$size_long" -gt 2000 ] &&
    [ "$size_huge" -gt 8000 ] ||
    { echo "unexpected token sizes $size_short $size_long $size_huge" >&2
      exit 99; }
[ "$(tok_size cut)" -eq 1023 ] || { echo "cannot cut a token" >&2; exit 99; }

# ---- the module's log: /dev/log, when nobody else holds it ----------------------------
SYSLOG=$T/syslog
: >"$SYSLOG"
if [ ! -e /dev/log ]; then
	python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
os.chmod("/dev/log", 0o666)
out = open(sys.argv[1], "ab", buffering=0)
open(sys.argv[2], "w").close()
while True:
    out.write(s.recv(65536).rstrip(b"\n") + b"\n")
' "$SYSLOG" "$T/syslog.ready" </dev/null >"$T/syslog.err" 2>&1 &
	syslog_pid=$!
	_i=0
	while [ ! -e "$T/syslog.ready" ] && kill -0 "$syslog_pid" 2>/dev/null &&
	    [ "$_i" -lt 100 ]; do
		_i=$((_i + 1))
		sleep 0.05
	done
	if [ -e "$T/syslog.ready" ]; then
		syslog_ino=$(stat -c %i /dev/log)
	else
		echo "# cannot listen on /dev/log: $(cat "$T/syslog.err")"
		stop_pid "$syslog_pid"
		syslog_pid=
	fi
fi
if [ -n "$syslog_ino" ]; then
	echo "# the module's log lines are read from /dev/log"
else
	echo "# /dev/log is held by a syslog daemon: the module's log lines" \
	    "are not checked"
fi

# ---- the user, the PAM service, sshd ------------------------------------------------------
if ! id "$TEST_USER" >/dev/null 2>&1; then
	useradd -m -s /bin/sh -c "jwt-auth test user" "$TEST_USER" ||
	    { echo "useradd $TEST_USER failed" >&2; exit 99; }
	created_user=yes
fi
# useradd leaves the password locked: only a token opens this account
_shell=$(getent passwd "$TEST_USER" | cut -d: -f7)
[ -x "${_shell:-/nonexistent}" ] ||
    { echo "$TEST_USER has no usable shell ($_shell)" >&2; exit 99; }

# Lower case only: libpam looks a service up by its name in lower case.
SERVICE=jwt-auth-test-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
case $SERVICE in
jwt-auth-test-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]) ;;
*) echo "cannot make a service name: $SERVICE" >&2; exit 99 ;;
esac
# created, never overwritten (noclobber); removed on exit
(set -C && : >"/etc/pam.d/$SERVICE") ||
    { echo "cannot create /etc/pam.d/$SERVICE" >&2; exit 99; }
pam_file=/etc/pam.d/$SERVICE
cat >"$pam_file" <<EOF
# written by tests/integration/test_sshd.sh, removed when it ends
auth [success=done default=die] $PAM_JWT config=$CONF issuers=corp export_claims=sub debug
account required $PAM_JWT debug
account required pam_unix.so
session required pam_permit.so
EOF
chmod 0644 "$pam_file"

if [ ! -d /run/sshd ]; then
	mkdir -m 0755 -p /run/sshd && created_run_sshd=yes
fi
ssh-keygen -q -t ed25519 -N '' -C jwt-auth-test -f "$T/host_key" ||
    { echo "ssh-keygen failed" >&2; exit 99; }
ln -s "$SSHD" "$T/$SERVICE"

# sshd_config PORT: the server's configuration in $T/sshd_config.
sshd_config() {
	cat >"$T/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $1
HostKey $T/host_key
PidFile $T/sshd.pid
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication no
PubkeyAuthentication no
HostbasedAuthentication no
AuthenticationMethods keyboard-interactive
AuthorizedKeysFile none
PermitRootLogin no
MaxAuthTries 3
LoginGraceTime 30
UseDNS no
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
LogLevel DEBUG
EOF
	# newer sshd would slow a client that fails often; not in this test
	if "$SSHD" -t -f /dev/null -o PerSourcePenalties=no -o \
	    "HostKey=$T/host_key" >/dev/null 2>&1; then
		echo "PerSourcePenalties no" >>"$T/sshd_config"
	fi
}

free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

SSHD_LOG=$T/sshd.log
: >"$SSHD_LOG"
# start_sshd: sshd on a free port; sets PORT and sshd_pid.
start_sshd() {
	_try=0
	while [ "$_try" -lt 5 ]; do
		_try=$((_try + 1))
		PORT=$(free_port) || { echo "no free port" >&2; exit 99; }
		sshd_config "$PORT"
		"$T/$SERVICE" -t -f "$T/sshd_config" >"$T/sshd-t.log" 2>&1 || {
			echo "sshd -t refused the configuration:" >&2
			cat "$T/sshd-t.log" >&2
			exit 99
		}
		"$T/$SERVICE" -D -e -f "$T/sshd_config" </dev/null \
		    >>"$SSHD_LOG" 2>&1 &
		sshd_pid=$!
		_i=0
		while [ "$_i" -lt 100 ]; do
			if grep -q "Server listening on 127.0.0.1 port $PORT" \
			    "$SSHD_LOG"; then
				return 0
			fi
			kill -0 "$sshd_pid" 2>/dev/null || break
			_i=$((_i + 1))
			sleep 0.05
		done
		stop_pid "$sshd_pid"
		sshd_pid=
		grep -q "Address already in use" "$SSHD_LOG" || break
	done
	echo "sshd did not start:" >&2
	cat "$SSHD_LOG" >&2
	exit 99
}
start_sshd
echo "# sshd $("$SSHD" -V 2>&1 | head -n 1) as PAM service $SERVICE" \
    "on 127.0.0.1:$PORT"

# ---- the client ------------------------------------------------------------------
mkdir -m 0700 "$T/client-home" "$T/xdg"
REMOTE_CMD='echo "logged-in-as-$(id -un) jwt-sub=${JWT_SUB-unset}"'

# login NAME [USER]: the real ssh client logs in as USER (default
# $TEST_USER) with the token tok-NAME through jwt-auth-askpass and runs
# $REMOTE_CMD; output in $T/stdout, $T/stderr, the exit status in $last_rc,
# the wall time in $elapsed (ms).  sshd's and the module's log lines of
# this login only are in $T/sshd-lines and $T/module-lines (every PAM
# module's lines of the service in $T/pam-lines).  The token comes from
# JWT_AUTH_TOKEN_FILE, or from JWT_AUTH_TOKEN_CMD when $token_cmd is set (a
# command that also counts its runs in $T/cmd-runs).
token_cmd=
login() {
	_user=${2:-$TEST_USER}
	if [ -n "$token_cmd" ]; then
		_src="JWT_AUTH_TOKEN_CMD=echo run >>'$T/cmd-runs'; cat '$T/tok-$1'"
	else
		_src=JWT_AUTH_TOKEN_FILE=$T/tok-$1
	fi
	_mark_sshd=$(wc -l <"$SSHD_LOG")
	_mark_sys=$(wc -l <"$SYSLOG")
	_t0=$(now_ms)
	run_in /dev/null env -i PATH="$PATH" HOME="$T/client-home" \
	    LC_ALL=C XDG_RUNTIME_DIR="$T/xdg" DISPLAY=:0 \
	    SSH_ASKPASS="$ASKPASS" SSH_ASKPASS_REQUIRE=force \
	    "$_src" \
	    timeout -k 5 30 setsid -w ssh -F /dev/null -p "$PORT" \
	    -o UserKnownHostsFile="$T/known_hosts" \
	    -o StrictHostKeyChecking=accept-new \
	    -o PreferredAuthentications=keyboard-interactive \
	    -o NumberOfPasswordPrompts=1 -o BatchMode=no \
	    -o ConnectTimeout=10 -o ControlPath=none -o IdentityAgent=none \
	    -o UpdateHostKeys=no -o LogLevel=ERROR \
	    "$_user@127.0.0.1" "$REMOTE_CMD"
	elapsed=$(($(now_ms) - _t0))
	# the lines of this login, once sshd logged its verdict
	_i=0
	while :; do
		tail -n +"$((_mark_sshd + 1))" "$SSHD_LOG" | tr -d '\0' \
		    >"$T/sshd-lines"
		grep -qE '(Accepted|Failed) keyboard-interactive/pam|Disconnected' \
		    "$T/sshd-lines" && break
		[ "$_i" -lt 40 ] || break
		_i=$((_i + 1))
		sleep 0.05
	done
	tail -n +"$((_mark_sys + 1))" "$SYSLOG" | grep -F "($SERVICE:" \
	    >"$T/pam-lines" || :
	grep -F "pam_jwt($SERVICE:" "$T/pam-lines" >"$T/module-lines" || :
}

# expect_sshd_line REGEX DESC: one of sshd's lines of the last login
# matches REGEX.
expect_sshd_line() {
	if grep -qE -e "$1" "$T/sshd-lines"; then
		ok "$2"
	else
		not_ok "$2: no sshd line matches /$1/"
		sed -n '/Accepted\|Failed\|error\|PAM/s/^/  sshd: /p' \
		    "$T/sshd-lines" | head -n 20
	fi
}
# expect_module_line REGEX DESC: one of the module's log lines of the last
# login matches REGEX (only when this test reads /dev/log).
expect_module_line() {
	[ -n "$syslog_ino" ] || return 0
	if grep -qiE -e "$1" "$T/module-lines"; then
		ok "$2"
	else
		not_ok "$2: no pam_jwt line matches /$1/"
		sed -n '1,20s/^/  pam_jwt: /p' "$T/module-lines"
	fi
}
# expect_xdg_empty DESC: jwt-auth-askpass left no token behind.  The
# marker of a connection in which the token command ran (NAME.PID.ran, a
# start time, no secret) stays until a later run sweeps it once that ssh
# process is gone; anything else is a leftover.
expect_xdg_empty() {
	_left=$(ls -A "$T/xdg" | grep -v '^jwt-auth-askpass\.[0-9]*\.ran$' |
	    tr '\n' ' ')
	if [ -z "$_left" ]; then
		ok "$1"
	else
		not_ok "$1: left in XDG_RUNTIME_DIR: $_left"
	fi
}

accepted_sizes=
# accepted NAME DESC: tok-NAME logs in and runs the command.
accepted() {
	login "$1"
	if [ "$last_rc" -eq 0 ]; then
		ok "$2: ssh exit 0 ($elapsed ms)"
	else
		not_ok "$2: ssh exit $last_rc, expected 0"
		show_last
		sed -n '/Accepted\|Failed\|error\|PAM/s/^/  sshd: /p' \
		    "$T/sshd-lines" | head -n 20
		sed -n '1,20s/^/  pam_jwt: /p' "$T/module-lines"
	fi
	expect_stdout_contains "logged-in-as-$TEST_USER jwt-sub=$TEST_USER" \
	    "$2: the command ran as $TEST_USER, JWT_SUB from export_claims"
	expect_sshd_line \
	    "Accepted keyboard-interactive/pam for $TEST_USER from 127\\.0\\.0\\.1 " \
	    "$2: sshd accepted keyboard-interactive/pam"
	expect_module_line "accepted.*user=$TEST_USER.*kid=k1" \
	    "$2: pam_jwt logged the acceptance"
	expect_module_line "account: token of user $TEST_USER valid for" \
	    "$2: pam_jwt's account saw the token of auth"
	expect_xdg_empty "$2: askpass left no state"
	[ "$last_rc" -ne 0 ] ||
	    accepted_sizes="$accepted_sizes $(tok_size "$1")"
}

# refused NAME DESC MODULE-REGEX [USER]: tok-NAME does not log in.
refused() {
	login "$1" "${4:-}"
	if [ "$last_rc" -eq 255 ]; then
		ok "$2: ssh exit 255"
	else
		not_ok "$2: ssh exit $last_rc, expected 255"
		show_last
	fi
	if grep -q logged-in-as "$T/stdout"; then
		not_ok "$2: the command ran"
	else
		ok "$2: the command did not run"
	fi
	expect_stderr_contains "Permission denied" "$2: ssh says permission denied"
	expect_sshd_line "Failed keyboard-interactive/pam for .*${4:-$TEST_USER} from 127\\.0\\.0\\.1 " \
	    "$2: sshd logged the failure"
	if grep -q "Accepted keyboard-interactive" "$T/sshd-lines"; then
		not_ok "$2: sshd logged an acceptance"
	else
		ok "$2: sshd accepted nothing"
	fi
	[ -z "$3" ] || expect_module_line "$3" "$2: pam_jwt logged the reason"
	expect_xdg_empty "$2: askpass left no state"
}

# ---- logins -------------------------------------------------------------------------
reset_counts
accepted long "token of $size_long bytes, cold cache"
expect_count discovery 1 "first login: one discovery request"
expect_count jwks 1 "first login: one JWKS request"
first_counts="discovery $(counts discovery), jwks $(counts jwks)"
if [ -n "$(ls -A "$T/cache")" ]; then
	ok "first login: keys written to cache_dir"
else
	not_ok "first login: cache_dir is empty"
fi

reset_counts
accepted long "token of $size_long bytes again, warm cache"
accepted short "short token of $size_short bytes"
accepted huge "token of $size_huge bytes"
: >"$T/cmd-runs"
token_cmd=yes
accepted long "token of $size_long bytes from JWT_AUTH_TOKEN_CMD"
token_cmd=
if [ "$(wc -l <"$T/cmd-runs")" -eq 1 ]; then
	ok "JWT_AUTH_TOKEN_CMD ran once for a token of $(( (size_long + 998) / 999 )) parts"
else
	not_ok "JWT_AUTH_TOKEN_CMD ran $(wc -l <"$T/cmd-runs") times, expected once"
fi
expect_count requests 0 "warm logins: no request to the issuer"
expect_count connections 0 "warm logins: no connection to the issuer"

refused other-user "token for $OTHER_USER, login as $TEST_USER" \
    "refused.*$OTHER_USER"
refused expired "expired token" "refused.*expired"
refused unknown-key "token signed by an unknown key (known kid)" \
    "refused.*signature"
refused other-aud "token for another audience" "refused.*aud"
refused cut "token cut at 1023 bytes" "cut short by the client"
refused garbage "not a JWT" "refused"
refused no-such-user "valid token for a user with no account here" "" \
    "$NO_SUCH_USER"
expect_sshd_line "Invalid user $NO_SUCH_USER from 127\\.0\\.0\\.1" \
    "no account: sshd logged an invalid user"
if [ -z "$syslog_ino" ]; then
	:
elif grep -q "accepted user=$NO_SUCH_USER" "$T/module-lines"; then
	not_ok "no account: pam_jwt accepted the token"
else
	expect_module_line "refused" \
	    "no account: pam_jwt refused what sshd passed on"
fi
expect_count requests 0 "refusals so far: no request to the issuer"
refused unknown-kid "token with an unknown kid" "refused.*k9"
expect_count_le jwks 1 "unknown kid: at most one JWKS refetch"

# pam_unix in account: an expired account is refused whatever the token
# (only for the user this test made: another's account is not touched)
if [ -n "$created_user" ] && usermod -e 1 "$TEST_USER"; then
	refused short "valid token, account expired (pam_unix in account)" \
	    "accepted user=$TEST_USER"
	if [ -z "$syslog_ino" ]; then
		:
	elif grep -qF "pam_unix($SERVICE:account): account $TEST_USER has expired" \
	    "$T/pam-lines"; then
		ok "expired account: pam_unix refused it in account"
	else
		not_ok "expired account: no pam_unix account line"
		sed -n '1,20s/^/  pam: /p' "$T/pam-lines"
	fi
	usermod -e '' "$TEST_USER" ||
	    { echo "usermod -e '' $TEST_USER failed" >&2; exit 99; }
else
	echo "# $TEST_USER was not made by this test: expiry not tried"
fi

# after the refusals the good token still works
accepted short "short token after the refusals"

# ---- nothing secret in any log ----------------------------------------------------
_leak=
for _f in "$T"/tok-*; do
	_sig=$(cut -d. -f3 <"$_f")
	[ "${#_sig}" -ge 16 ] || continue
	if grep -qaF -e "$_sig" "$SSHD_LOG" "$SYSLOG"; then
		_leak="$_leak $(basename "$_f")"
	fi
done
if [ -z "$_leak" ]; then
	ok "no token signature in sshd's or the module's log"
else
	not_ok "a token signature was logged:$_leak"
fi
if [ -n "$syslog_ino" ]; then
	if grep -qF "pam_jwt($SERVICE:auth)" "$SYSLOG"; then
		ok "pam_jwt logged under the test's PAM service"
	else
		not_ok "no pam_jwt($SERVICE:auth) line in the log"
	fi
fi

echo "# token sizes that logged in through sshd (bytes):$accepted_sizes"
echo "# issuer requests: first login: $first_counts; every later login:" \
    "requests $(counts requests), discovery $(counts discovery)," \
    "jwks $(counts jwks) (jwks_304 $(counts jwks_304))"
finish
