#!/bin/bash
# tests/integration/test_cyrus.sh - libsasl_jwt.so inside a real Cyrus IMAP
# server, with curl as the client (its own OAUTHBEARER and XOAUTH2, no
# plugin of ours on the client side), everything on 127.0.0.1.
#
# The test starts the loopback HTTPS issuer (tests/issuer.py) and a private
# Cyrus master (imapd.conf and cyrus.conf in the temporary directory, its
# pid file there too; the services run as the cyrus user).  Cyrus reads the
# plugin's options from imapd.conf with the sasl_ prefix (sasl_jwt_config,
# sasl_jwt_issuers) and takes SASL_PATH from its environment: the build's
# plugin directory, then the system one.  Four imapd services:
#   imap   OAUTHBEARER and XOAUTH2 (sasl_mech_list), allowplaintext: yes
#   imapx  XOAUTH2 only (imapx_sasl_mech_list)
#   imapu  an imapd.conf without sasl_jwt_issuers: only PLAIN is offered
#   imapn  allowplaintext: no: without TLS no mechanism is offered
# INBOX is created at the first login (autocreate_quota), so GETACL INBOX
# shows whose mailbox the login opened.  Cases: good tokens of alice and
# bob open their own INBOX through OAUTHBEARER and XOAUTH2; expired tokens,
# tokens signed by an unknown key, for another audience, garbage, and a
# --user other than the token's user get NO after the error challenge; a
# token of an issuer that cannot be reached, with nothing cached, gets NO
# at once.  Cyrus logs only to syslog: when no syslog daemon holds
# /dev/log, the test listens there and checks Cyrus's login lines and the
# plugin's reasons too.
# Needs root, Cyrus IMAP (package cyrus-imapd), curl and the built plugin;
# run by make check-integration.  Everything started here is stopped on
# exit; nothing outside the temporary directory is written.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib.sh"

# ---- prerequisites -------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || skip_all "needs root (runs a Cyrus master)"
CYRUS_BIN=
for _d in /usr/lib/cyrus/bin /usr/libexec/cyrus-imapd /usr/lib/cyrus-imapd; do
	if [ -x "$_d/master" ] && [ -x "$_d/imapd" ]; then
		CYRUS_BIN=$_d
		break
	fi
done
[ -n "$CYRUS_BIN" ] || skip_all "Cyrus IMAP is not installed (package cyrus-imapd)"
getent passwd cyrus >/dev/null || skip_all "no cyrus user (package cyrus-imapd)"
for _c in curl timeout base64; do
	command -v "$_c" >/dev/null 2>&1 || skip_all "$_c is not installed"
done
[ -x "$JWT_MINT" ] || skip_all "$JWT_MINT is not built (make check-integration builds it)"

. "$top_srcdir/tests/netlib.sh"
. "$top_srcdir/tests/integration/sasllib.sh"

SYS_SASL_DIR=$(sasl_system_dir "$CYRUS_BIN/imapd")
TOKEN_USER=alice
AUDIENCE=imap-test
CY=$T/cyrus
# the cyrus user reaches its directories and the issuer CA through $T
chmod 0711 "$T"

# ---- cleanup -------------------------------------------------------------------------
master_pid=
syslog_pid=
syslog_ino=
eval "net_cleanup() $(declare -f cleanup | tail -n +2)"
cleanup() {
	stop_pid "$master_pid"
	stop_pid "$syslog_pid"
	# /dev/log only when it is still the socket this test made
	if [ -n "$syslog_ino" ] && [ -S /dev/log ] &&
	    [ "$(stat -c %i /dev/log 2>/dev/null)" = "$syslog_ino" ]; then
		rm -f /dev/log
	fi
	net_cleanup
}

# Cyrus logs only to syslog: when no syslog daemon holds /dev/log, this
# test listens there and checks Cyrus's and the plugin's lines.
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
		stop_pid "$syslog_pid"
		syslog_pid=
	fi
fi
if [ -n "$syslog_ino" ]; then
	echo "# Cyrus's log lines are read from /dev/log"
else
	echo "# /dev/log is held by a syslog daemon: Cyrus's log lines are not checked"
fi

# expect_log REGEX DESC: a line of this test's Cyrus instance in the log
# matches REGEX (when the test reads /dev/log); Cyrus logs a moment later
expect_log() {
	[ -n "$syslog_ino" ] || return 0
	_i=0
	while ! grep -E -e "cyrus/imap[a-z]*\\[[0-9]+\\]: $1" "$SYSLOG" >/dev/null; do
		if [ "$_i" -ge 40 ]; then
			not_ok "$2: no Cyrus log line matches /$1/"
			grep 'cyrus/imap' "$SYSLOG" | tail -n 10 | sed 's/^/  syslog: /'
			return 0
		fi
		_i=$((_i + 1))
		sleep 0.05
	done
	ok "$2"
}

# ---- keys, issuers, the plugin's configuration ------------------------------------
make_keys
start_issuer main --jwks "$T/jwks1" --issuer-path /realms/corp
write_conf -- "audience=$AUDIENCE"
DARK_URL=https://127.0.0.1:$(dead_port)/realms/dark
add_issuer dark "$DARK_URL"
chmod 0755 "$PKI"

mint good
mint bob bob
mint expired "" "" $(($(date +%s) - 3600))
mint unknown-key "" "" "" "" "$T/stranger.pem" k1
mint other-aud "" mail-test
mint dark "" "" "" "$DARK_URL"
(umask 077 && printf 'not-a-token-at-all' >"$T/tok-garbage")

# ---- the Cyrus instance ---------------------------------------------------------------
mkdir -p "$CY/lib/db" "$CY/lib/socket" "$CY/spool" "$CY/run"
chown -R cyrus:mail "$CY/lib" "$CY/spool"
chmod 0755 "$CY"
PORT=$(free_port) && PORT_X=$(free_port) && PORT_U=$(free_port) &&
PORT_N=$(free_port) || { echo "no free port" >&2; exit 99; }

# imapd_conf FILE [LINE...]: an imapd.conf
imapd_conf() {
	_f=$1
	shift
	{
		echo "# written by tests/integration/test_cyrus.sh"
		echo "configdirectory: $CY/lib"
		echo "partition-default: $CY/spool"
		echo "servername: imap.example.test"
		echo "virtdomains: off"
		echo "unixhierarchysep: yes"
		echo "autocreate_quota: 0"
		echo "allowplaintext: yes"
		echo "sasl_jwt_config: $CONF"
		for _l in "$@"; do
			echo "$_l"
		done
	} >"$_f"
	chmod 0644 "$_f"
}
imapd_conf "$CY/imapd.conf" "sasl_mech_list: OAUTHBEARER XOAUTH2" \
    "sasl_jwt_issuers: corp dark" \
    "imapx_sasl_mech_list: XOAUTH2" "imapn_allowplaintext: no"
imapd_conf "$CY/unconfigured.conf" \
    "sasl_mech_list: OAUTHBEARER XOAUTH2 PLAIN"
cat >"$CY/cyrus.conf" <<EOF
# written by tests/integration/test_cyrus.sh
START {
  recover cmd="ctl_cyrusdb -C $CY/imapd.conf -r"
}
SERVICES {
  imap  cmd="imapd -C $CY/imapd.conf" listen="127.0.0.1:$PORT" prefork=0
  imapx cmd="imapd -C $CY/imapd.conf" listen="127.0.0.1:$PORT_X" prefork=0
  imapu cmd="imapd -C $CY/unconfigured.conf" listen="127.0.0.1:$PORT_U" prefork=0
  imapn cmd="imapd -C $CY/imapd.conf" listen="127.0.0.1:$PORT_N" prefork=0
}
EVENTS {
}
EOF

SASL_PATH_VALUE=$SASL_PLUGIN_DIR:$SYS_SASL_DIR
env -i PATH="$PATH" LC_ALL=C SASL_PATH="$SASL_PATH_VALUE" \
    "$CYRUS_BIN/master" -C "$CY/imapd.conf" -M "$CY/cyrus.conf" \
    -p "$CY/run/master.pid" -D </dev/null >"$T/master.log" 2>&1 &
master_pid=$!
for _p in "$PORT" "$PORT_X" "$PORT_U" "$PORT_N"; do
	wait_for_port "$_p" "$master_pid" || {
		echo "the Cyrus master did not listen on $_p:" >&2
		cat "$T/master.log" >&2
		exit 99
	}
done
echo "# Cyrus master on 127.0.0.1:$PORT (imap), $PORT_X (imapx), $PORT_U (imapu)," \
    "$PORT_N (imapn); SASL_PATH=$SASL_PATH_VALUE"

# ---- the client ------------------------------------------------------------------------
# imap TOKEN PORT [CURL-ARGS...]: curl logs in with tok-TOKEN (from a
# config file) and asks GETACL INBOX; the server's lines in $T/replies
imap() {
	_tok=$1
	_port=$2
	shift 2
	printf 'oauth2-bearer = "%s"\n' "$(cat "$T/tok-$_tok")" >"$T/curlrc"
	chmod 0600 "$T/curlrc"
	run_in /dev/null env -i PATH="$PATH" LC_ALL=C HOME="$T" \
	    timeout -k 5 60 curl -q -sS -v --max-time 30 -K "$T/curlrc" \
	    -X 'GETACL INBOX' "$@" "imap://127.0.0.1:$_port/"
	rm -f "$T/curlrc"
	sed -n 's/^< //p' "$T/stderr" | tr -d '\r' >"$T/replies"
}

show() {
	echo "  curl exit status: $last_rc"
	grep -v CAPABILITY "$T/replies" | sed -n '1,20s/^/  server: /p'
	grep '^curl:\|^\* No' "$T/stderr" | sed 's/^/  /'
}

expect_rc() {
	if [ "$last_rc" -eq "$1" ]; then
		ok "$2 (curl exit $1)"
	else
		not_ok "$2: curl exit $last_rc, expected $1"
		show
	fi
}

expect_reply() {
	if grep -qE -e "$1" "$T/replies"; then
		ok "$2"
	else
		not_ok "$2: no server line matches /$1/"
		show
	fi
}

challenge() {
	sed -n 's/^+ \(..*\)$/\1/p' "$T/replies" | head -n 1 | base64 -d 2>/dev/null
}

# logged_in DESC MECH USER: AUTHENTICATE MECH succeeded and the INBOX
# that opened is USER's
logged_in() {
	expect_rc 0 "$1"
	expect_reply "^A[0-9]+ OK .*Success" "$1: AUTHENTICATE OK"
	if sed -n 's/^> //p' "$T/stderr" | grep -q "^A[0-9]* AUTHENTICATE $2 "; then
		ok "$1: curl used $2"
	else
		not_ok "$1: curl did not use $2"
	fi
	expect_reply "^\\* ACL INBOX $3 " "$1: GETACL INBOX shows $3's mailbox"
}

# refused DESC [challenge]: AUTHENTICATE got NO (after the error challenge
# when the second argument says so), nothing was read
refused() {
	expect_rc 67 "$1 (login denied)"
	expect_reply "^A[0-9]+ NO " "$1: NO"
	if grep -q '^\* ACL' "$T/replies"; then
		not_ok "$1: a mailbox was read"
	else
		ok "$1: no mailbox read"
	fi
	if [ "${2:-}" = challenge ]; then
		case $(challenge) in
		*'"status":"invalid_token"'*)
			ok "$1: the error challenge says invalid_token" ;;
		*) not_ok "$1: error challenge '$(challenge)'" ;;
		esac
	fi
}

show_reply() {
	echo "# $1: $(grep -E '^A[0-9]+ (OK|NO|BAD) ' "$T/replies" |
	    grep -v '^A001 ' |
	    tr '\n' '|' | sed 's/|$//')"
}

# ---- logins ------------------------------------------------------------------------------
reset_counts
imap good "$PORT" --user alice:
echo "# $(sed -n 's/^\* OK \[[^]]*\] [^ ]* \(Cyrus IMAP [^ ]*\).*/\1/p' "$T/replies" | head -n 1)"
logged_in "OAUTHBEARER, alice's token" OAUTHBEARER alice
expect_log "login: [^ ]+ \\[127\\.0\\.0\\.1\\] alice OAUTHBEARER User logged in" \
    "Cyrus logged alice's OAUTHBEARER login"
expect_reply '^\* OK \[CAPABILITY .*AUTH=OAUTHBEARER AUTH=XOAUTH2' \
    "imap offers AUTH=OAUTHBEARER AUTH=XOAUTH2"
expect_count_ge jwks 1 "first login: imapd fetched the JWKS"
imap bob "$PORT" --user bob:
logged_in "OAUTHBEARER, bob's token" OAUTHBEARER bob
expect_log "login: [^ ]+ \\[127\\.0\\.0\\.1\\] bob OAUTHBEARER User logged in" \
    "Cyrus logged bob's OAUTHBEARER login"
imap good "$PORT_X" --user alice:
logged_in "XOAUTH2, alice's token" XOAUTH2 alice
expect_log "login: [^ ]+ \\[127\\.0\\.0\\.1\\] alice XOAUTH2 User logged in" \
    "Cyrus logged alice's XOAUTH2 login"
expect_reply '^\* OK \[CAPABILITY [^]]*AUTH=XOAUTH2 SASL-IR\]' \
    "imapx offers AUTH=XOAUTH2 only"
if grep -q 'AUTH=OAUTHBEARER' "$T/replies"; then
	not_ok "imapx offers OAUTHBEARER"
else
	ok "imapx does not offer OAUTHBEARER"
fi

imap expired "$PORT" --user alice:
refused "OAUTHBEARER, expired token" challenge
expect_log "SASL OAUTHBEARER: refused user=alice .*: expired [0-9]+ s ago" \
    "expired token: the plugin's reason in Cyrus's log"
show_reply "OAUTHBEARER, expired token"
if sed -n 's/^> //p' "$T/stderr" | tr -d '\r' | grep -qx 'AQ=='; then
	ok "OAUTHBEARER refusal: curl answered the challenge with %x01"
else
	not_ok "OAUTHBEARER refusal: curl did not send AQ=="
fi
imap unknown-key "$PORT" --user alice:
refused "OAUTHBEARER, token signed by an unknown key" challenge
expect_log "SASL OAUTHBEARER: refused .*bad ES256 signature" \
    "unknown key: the plugin's reason in Cyrus's log"
imap other-aud "$PORT" --user alice:
refused "OAUTHBEARER, token for another audience" challenge
imap garbage "$PORT" --user alice:
refused "OAUTHBEARER, not a JWT" challenge
imap good "$PORT" --user bob:
refused "OAUTHBEARER, alice's token, --user bob: (authzid)"
expect_log "SASL OAUTHBEARER: refused user=alice: may not act as bob" \
    "authzid bob: the plugin's reason in Cyrus's log"
show_reply "OAUTHBEARER, authzid bob"
imap dark "$PORT" --user alice:
refused "OAUTHBEARER, issuer unreachable, nothing cached"
expect_log "SASL OAUTHBEARER: refused .*no keys of issuer dark" \
    "issuer unreachable: the plugin's reason in Cyrus's log"
show_reply "OAUTHBEARER, issuer unreachable"
if grep -q '^+ ' "$T/replies"; then
	not_ok "issuer unreachable: an error challenge was sent"
else
	ok "issuer unreachable: NO at once, no error challenge"
fi

# curl's XOAUTH2 stops at the error challenge
imap expired "$PORT_X" --user alice:
expect_rc 67 "XOAUTH2, expired token (login denied)"
case $(challenge) in
*'"status":"401"'*) ok "XOAUTH2, expired token: the error challenge says status 401" ;;
*) not_ok "XOAUTH2, expired token: error challenge '$(challenge)'"; show ;;
esac
imap good "$PORT_X" --user bob:
expect_rc 67 "XOAUTH2, alice's token, --user bob: (login denied)"
if grep -q '^\* ACL' "$T/replies"; then
	not_ok "XOAUTH2, alice's token as bob: a mailbox was read"
else
	ok "XOAUTH2, alice's token as bob: no mailbox read"
fi

# not offered: no jwt_issuers, or allowplaintext: no without TLS
imap good "$PORT_U" --user alice:
expect_rc 67 "imapu (no sasl_jwt_issuers): login denied"
expect_reply '^\* OK \[CAPABILITY [^]]*AUTH=PLAIN SASL-IR\]' \
    "imapu (no sasl_jwt_issuers): only AUTH=PLAIN offered"
imap good "$PORT_N" --user alice:
expect_rc 67 "imapn (allowplaintext: no, no TLS): login denied"
if grep -qE ' AUTH=' "$T/replies"; then
	not_ok "imapn (allowplaintext: no, no TLS): a mechanism was offered"
	show
else
	ok "imapn (allowplaintext: no, no TLS): no mechanism offered"
fi
expect_log "sasl_jwt: OAUTHBEARER and XOAUTH2 not offered: jwt_issuers is not set" \
    "imapu: the plugin logged why it offers nothing"

imap good "$PORT" --user alice:
logged_in "OAUTHBEARER after the refusals" OAUTHBEARER alice
finish
