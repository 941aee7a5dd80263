#!/bin/bash
# tests/integration/test_postfix.sh - libsasl_jwt.so inside a real Postfix
# smtpd, with curl as the mail client (its own OAUTHBEARER and XOAUTH2, no
# plugin of ours on the client side), everything on 127.0.0.1.
#
# The test starts the loopback HTTPS issuer (tests/issuer.py) and a private
# Postfix instance (postfix -c $T/pf/etc: main.cf and master.cf written
# here, queue and data directories in the temporary directory, logging to a
# file through the postlog service), which accepts mail only from
# authenticated clients and discards it.  The plugin's options are in
# $T/pf/etc/sasl/smtpd.conf (Debian's Postfix reads its SASL options from
# config_directory/sasl; cyrus_sasl_config_path names the same directory
# for other builds); the master clears the environment, so SASL_PATH (the
# build's plugin directory, then the system one) comes in through
# import_environment.  Three smtpd listeners:
#   both   offers OAUTHBEARER and XOAUTH2 (curl 7.88 then picks OAUTHBEARER)
#   xoauth only XOAUTH2 (smtpd_sasl_mechanism_filter)
#   unconf a SASL application name whose options have no jwt_issuers: only
#          PLAIN is offered, never our mechanisms
# Cases: a good token sends mail through each mechanism (with and without
# SASL-IR, --user alice: as the OAUTHBEARER authzid or the XOAUTH2 user),
# and Postfix logs sasl_method and sasl_username.  Tokens that are expired,
# signed by an unknown key, for another audience, or garbage, and a --user
# other than the token's user, are refused: OAUTHBEARER gets the RFC 7628
# error challenge (status invalid_token, the issuer's openid-configuration),
# curl answers %x01, Postfix replies 535 5.7.8; curl's XOAUTH2 stops at the
# error challenge ({"status":"401",...}), so Python's smtplib, which answers
# it with an empty line, shows the 535 that follows.  A token of an issuer
# that cannot be reached, with nothing cached, gets 454 4.7.0.  Without
# AUTH (and curl sends none without --user) there is no relaying; the
# listener without jwt_issuers offers only PLAIN.  Each refusal's reason,
# as the plugin logs it, is in Postfix's log; no token is.  Then Postfix
# starts again with every smtpd chrooted to the queue directory, after
# jwt-auth fetch filled the key cache, and with the issuer down: the keys
# read at init are enough to send mail.
# Needs root, postfix, curl and the built plugin and jwt-auth; run by make
# check-integration.  Everything started here is stopped on exit; nothing
# outside the temporary directory is written.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib.sh"

# ---- prerequisites -------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || skip_all "needs root (runs a Postfix instance)"
POSTFIX=$(command -v postfix 2>/dev/null) || POSTFIX=/usr/sbin/postfix
[ -x "$POSTFIX" ] || skip_all "postfix is not installed (package postfix)"
for _c in postconf curl timeout base64; do
	command -v "$_c" >/dev/null 2>&1 || skip_all "$_c is not installed"
done
getent passwd postfix >/dev/null && getent group postdrop >/dev/null ||
    skip_all "no postfix user or postdrop group (package postfix)"
DAEMON_DIR=$(postconf -dh daemon_directory)
[ -x "$DAEMON_DIR/smtpd" ] || skip_all "no $DAEMON_DIR/smtpd"
[ -x "$JWT_MINT" ] || skip_all "$JWT_MINT is not built (make check-integration builds it)"
[ -x "$JWT_AUTH" ] || skip_all "$JWT_AUTH is not built"

. "$top_srcdir/tests/netlib.sh"
. "$top_srcdir/tests/integration/sasllib.sh"

SYS_SASL_DIR=$(sasl_system_dir "$DAEMON_DIR/smtpd")
TOKEN_USER=alice
AUDIENCE=mail-test
PF=$T/pf
# the postfix user reaches the queue and the test's issuer CA through $T
chmod 0711 "$T"

# ---- cleanup -------------------------------------------------------------------------
master_pid=
eval "net_cleanup() $(declare -f cleanup | tail -n +2)"
cleanup() {
	stop_postfix
	net_cleanup
}

# ---- keys, issuers, the plugin's configuration ------------------------------------
make_keys
start_issuer main --jwks "$T/jwks1" --issuer-path /realms/corp
write_conf -- "audience=$AUDIENCE"
DARK_URL=https://127.0.0.1:$(dead_port)/realms/dark
add_issuer dark "$DARK_URL"
# smtpd runs as postfix: it must read the CA file when it fetches keys
chmod 0755 "$PKI"

mint good
mint expired "" "" $(($(date +%s) - 3600))
mint unknown-key "" "" "" "" "$T/stranger.pem" k1
mint other-aud "" ldap-test
mint dark "" "" "" "$DARK_URL"
(umask 077 && printf 'not-a-token-at-all' >"$T/tok-garbage")
printf 'From: a@example.test\r\nTo: b@example.test\r\nSubject: jwt-auth test\r\n\r\nhello\r\n' \
    >"$T/msg"

# ---- the Postfix instance -------------------------------------------------------------
mkdir -p "$PF/etc/sasl" "$PF/spool"
chmod 0755 "$PF" "$PF/etc" "$PF/etc/sasl" "$PF/spool"
MAILLOG=$PF/maillog
SASL_PATH_VALUE=$SASL_PLUGIN_DIR:$SYS_SASL_DIR

cat >"$PF/etc/main.cf" <<EOF
# written by tests/integration/test_postfix.sh
compatibility_level = 3.6
queue_directory = $PF/spool
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.example.test
mydomain = example.test
mydestination =
relay_domains =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
smtpd_peername_lookup = no
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_recipient_restrictions =
default_transport = discard
relay_transport = discard
local_transport = discard
relayhost =
smtputf8_enable = no
biff = no
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
smtpd_sasl_security_options = noanonymous
cyrus_sasl_config_path = $PF/etc/sasl
maillog_file = $MAILLOG
maillog_file_prefixes = $PF
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C
    POSTLOG_SERVICE POSTLOG_HOSTNAME SASL_PATH=$SASL_PATH_VALUE
EOF

{
	echo "# written by tests/integration/test_postfix.sh"
	echo "mech_list: OAUTHBEARER XOAUTH2"
	echo "jwt_config: $CONF"
	echo "jwt_issuers: corp dark"
} >"$PF/etc/sasl/smtpd.conf"
{
	echo "# written by tests/integration/test_postfix.sh: no jwt_issuers"
	echo "mech_list: OAUTHBEARER XOAUTH2 PLAIN"
	echo "jwt_config: $CONF"
} >"$PF/etc/sasl/unconfigured.conf"
chmod 0644 "$PF/etc/sasl/"*.conf

# master_cf CHROOT: master.cf with the three listeners on $PORT_BOTH,
# $PORT_XOAUTH, $PORT_UNCONF; CHROOT y or n for every smtpd
master_cf() {
	cat >"$PF/etc/master.cf" <<EOF
# written by tests/integration/test_postfix.sh
127.0.0.1:$PORT_BOTH inet n - $1 - - smtpd
  -o syslog_name=postfix-test/both
127.0.0.1:$PORT_XOAUTH inet n - $1 - - smtpd
  -o syslog_name=postfix-test/xoauth
  -o smtpd_sasl_mechanism_filter=xoauth2
127.0.0.1:$PORT_UNCONF inet n - $1 - - smtpd
  -o syslog_name=postfix-test/unconf
  -o smtpd_sasl_path=unconfigured
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
anvil     unix  - - n - 1 anvil
postlog   unix-dgram n - n - 1 postlogd
EOF
}

pf() {
	timeout -k 5 60 "$POSTFIX" -c "$PF/etc" "$@"
}

stop_postfix() {
	[ -n "$master_pid" ] || return 0
	pf stop >/dev/null 2>&1 || :
	stop_pid "$master_pid"
	master_pid=
}

# start_postfix CHROOT: the instance on free ports; sets PORT_BOTH,
# PORT_XOAUTH, PORT_UNCONF, master_pid.
start_postfix() {
	_try=0
	while [ "$_try" -lt 5 ]; do
		_try=$((_try + 1))
		PORT_BOTH=$(free_port) && PORT_XOAUTH=$(free_port) &&
		PORT_UNCONF=$(free_port) || { echo "no free port" >&2; exit 99; }
		master_cf "$1"
		touch "$MAILLOG"
		_mark=$(wc -l <"$MAILLOG")
		pf check >"$T/pf-check.log" 2>&1 || {
			echo "postfix check failed:" >&2
			cat "$T/pf-check.log" >&2
			tail -n 20 "$MAILLOG" >&2
			exit 99
		}
		if pf start >"$T/pf-start.log" 2>&1; then
			master_pid=$(tr -d ' \n' <"$PF/spool/pid/master.pid")
			if wait_for_port "$PORT_BOTH" "$master_pid" &&
			    wait_for_port "$PORT_XOAUTH" "$master_pid" &&
			    wait_for_port "$PORT_UNCONF" "$master_pid"; then
				return 0
			fi
			stop_postfix
		fi
		tail -n +"$((_mark + 1))" "$MAILLOG" |
		    grep -q "Address already in use" || break
	done
	echo "postfix did not start:" >&2
	cat "$T/pf-start.log" >&2
	cat "$MAILLOG" >&2
	exit 99
}

# ---- the client ------------------------------------------------------------------------
# send TOKEN PORT [CURL-ARGS...]: curl sends $T/msg through PORT with the
# token tok-TOKEN (from a config file, not the command line; TOKEN - for
# none); the status
# in $last_rc, the server's replies (lines "< ...") in $T/replies, the
# whole -v output in $T/stderr, Postfix's lines of this session in
# $T/pf-lines.
send() {
	_tok=$1
	_port=$2
	shift 2
	if [ "$_tok" = - ]; then
		: >"$T/curlrc"
	else
		printf 'oauth2-bearer = "%s"\n' "$(cat "$T/tok-$_tok")" \
		    >"$T/curlrc"
	fi
	chmod 0600 "$T/curlrc"
	_mark=$(wc -l <"$MAILLOG")
	run_in /dev/null env -i PATH="$PATH" LC_ALL=C HOME="$T" \
	    timeout -k 5 60 curl -q -sS -v --max-time 30 -K "$T/curlrc" \
	    --mail-from a@example.test --mail-rcpt b@example.test \
	    --upload-file "$T/msg" "$@" "smtp://127.0.0.1:$_port"
	rm -f "$T/curlrc"
	sed -n 's/^< //p' "$T/stderr" | tr -d '\r' >"$T/replies"
	# Postfix logs the end of the session a moment later
	_i=0
	while :; do
		tail -n +"$((_mark + 1))" "$MAILLOG" >"$T/pf-lines"
		grep -q 'disconnect from' "$T/pf-lines" && break
		[ "$_i" -lt 60 ] || break
		_i=$((_i + 1))
		sleep 0.05
	done
}

# show: the server's replies and Postfix's lines (never the client's, which
# carry the token)
show() {
	echo "  curl exit status: $last_rc"
	sed -n '1,30s/^/  server: /p' "$T/replies"
	grep '^curl:' "$T/stderr" | sed 's/^/  /'
	sed -n '1,30s/^/  postfix: /p' "$T/pf-lines"
}

expect_rc() {
	if [ "$last_rc" -eq "$1" ]; then
		ok "$2 (curl exit $1)"
	else
		not_ok "$2: curl exit $last_rc, expected $1"
		show
	fi
}

# expect_reply REGEX DESC: one of the server's replies matches
expect_reply() {
	if grep -qE -e "$1" "$T/replies"; then
		ok "$2"
	else
		not_ok "$2: no server reply matches /$1/"
		show
	fi
}

# expect_pf REGEX DESC: one of Postfix's lines of the session matches
expect_pf() {
	if grep -qE -e "$1" "$T/pf-lines"; then
		ok "$2"
	else
		not_ok "$2: no Postfix line matches /$1/"
		show
	fi
}

# challenge: the decoded OAUTHBEARER error challenge of the last session
challenge() {
	sed -n 's/^334 \(..*\)$/\1/p' "$T/replies" | head -n 1 | base64 -d 2>/dev/null
}

# accepted DESC MECH: the mail went through after AUTH with MECH as alice
accepted() {
	expect_rc 0 "$1"
	expect_reply "^235 2\\.7\\.0 Authentication successful" "$1: 235"
	expect_reply "^250 2\\.0\\.0 Ok: queued as " "$1: mail queued"
	expect_pf "client=unknown\\[127\\.0\\.0\\.1\\], sasl_method=$2, sasl_username=$TOKEN_USER\$" \
	    "$1: Postfix logged sasl_method=$2 sasl_username=$TOKEN_USER"
}

# no_login DESC: no mail went through and Postfix logged no SASL login
no_login() {
	if grep -q '^250 2\.0\.0 Ok: queued' "$T/replies" ||
	    grep -q 'client=.*, sasl_method=' "$T/pf-lines"; then
		not_ok "$1: mail was accepted"
		show
	else
		ok "$1: no mail, no SASL login"
	fi
}

# expect_reason REGEX DESC: Postfix logged the plugin's reason (SASL_LOG_FAIL)
expect_reason() {
	expect_pf "warning: SASL authentication failure: [A-Z0-9]+: refused .*$1" \
	    "$2: Postfix logged the plugin's reason"
}

# refused DESC MECH CODE [REASON]: AUTH with MECH got the final reply
# CODE, curl gave up (login denied), no mail
refused() {
	expect_rc 67 "$1 (login denied)"
	expect_reply "^$3 " "$1: $3"
	no_login "$1"
	expect_pf "warning: unknown\\[127\\.0\\.0\\.1\\]: SASL $2 authentication failed: " \
	    "$1: Postfix logged the failed $2 authentication"
	[ -z "${4:-}" ] || expect_reason "$4" "$1"
}

# challenged DESC REASON: curl's XOAUTH2 got the error challenge and gave up
# there (curl 7.88 does not answer an XOAUTH2 challenge), no mail
challenged() {
	expect_rc 67 "$1 (login denied)"
	case $(challenge) in
	*'"status":"401"'*) ok "$1: the error challenge says status 401" ;;
	*) not_ok "$1: error challenge '$(challenge)'"; show ;;
	esac
	no_login "$1"
	expect_reason "$2" "$1"
}

# xoauth2_smtplib TOKEN USER: Python's smtplib sends AUTH XOAUTH2 with an
# initial response and answers the error challenge with an empty line, as
# Google documents; its last reply in $T/stdout ("auth CODE TEXT")
xoauth2_smtplib() {
	run_in /dev/null timeout -k 5 60 python3 -c '
import smtplib, sys
port, user, tokfile = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(tokfile) as f:
    tok = f.read()
def xoauth2(challenge=None):
    if challenge is None:
        return "user=%s\x01auth=Bearer %s\x01\x01" % (user, tok)
    print("challenge %s" % challenge.decode())
    return ""
s = smtplib.SMTP("127.0.0.1", port, timeout=30)
s.ehlo("client.example.test")
try:
    code, resp = s.auth("XOAUTH2", xoauth2, initial_response_ok=True)
except smtplib.SMTPAuthenticationError as e:
    code, resp = e.smtp_code, e.smtp_error
print("auth %d %s" % (code, resp.decode()))
s.quit()
' "$PORT_XOAUTH" "$2" "$T/tok-$1"
}

# show_reply DESC: the final reply of the last AUTH, for the record
show_reply() {
	echo "# $1: $(grep -E '^(235|[45][0-9][0-9]) ' "$T/replies" |
	    tr '\n' '|' | sed 's/|$//')"
}

# ---- 1. the listeners, no chroot ------------------------------------------------------
start_postfix n
echo "# Postfix $(postconf -dh mail_version) on 127.0.0.1:$PORT_BOTH (both)," \
    "$PORT_XOAUTH (XOAUTH2), $PORT_UNCONF (unconfigured);" \
    "SASL_PATH=$SASL_PATH_VALUE"
echo "# $(curl --version | head -n 1 | cut -d' ' -f1-2)"

reset_counts
send good "$PORT_BOTH" --user alice:
accepted "OAUTHBEARER, --user alice:, cold cache" OAUTHBEARER
show_reply "OAUTHBEARER, good token"
expect_reply '^250-AUTH OAUTHBEARER XOAUTH2$' "listener both offers AUTH OAUTHBEARER XOAUTH2"
if sed -n 's/^> //p' "$T/stderr" | tr -d '\r' | grep -qx 'AUTH OAUTHBEARER'; then
	ok "curl chose OAUTHBEARER without an initial response"
else
	not_ok "curl did not send AUTH OAUTHBEARER alone"
fi
expect_count_ge jwks 1 "first login: smtpd fetched the JWKS"

send good "$PORT_BOTH" --user alice: --sasl-ir
accepted "OAUTHBEARER with SASL-IR" OAUTHBEARER
if sed -n 's/^> //p' "$T/stderr" | grep -q '^AUTH OAUTHBEARER [A-Za-z0-9+/=]'; then
	ok "SASL-IR: the token came with AUTH"
else
	not_ok "SASL-IR: no initial response with AUTH"
fi
send good "$PORT_XOAUTH" --user alice:
accepted "XOAUTH2, --user alice:" XOAUTH2
expect_reply '^250-AUTH XOAUTH2$' "listener xoauth offers AUTH XOAUTH2 only"
send good "$PORT_XOAUTH" --user alice: --sasl-ir
accepted "XOAUTH2 with SASL-IR" XOAUTH2

# refusals: OAUTHBEARER
send expired "$PORT_BOTH" --user alice:
refused "OAUTHBEARER, expired token" OAUTHBEARER 535 "expired [0-9]+ s ago"
show_reply "OAUTHBEARER, expired token"
expect_reply '^535 5\.7\.8 Error: authentication failed: ' \
    "OAUTHBEARER, expired token: 535 5.7.8 Error: authentication failed"
_ch=$(challenge)
case $_ch in
*'"status":"invalid_token"'*) ok "OAUTHBEARER refusal: the challenge says invalid_token" ;;
*) not_ok "OAUTHBEARER refusal: challenge '$_ch'" ;;
esac
case $_ch in
*"\"openid-configuration\":\"$ISSUER_URL/.well-known/openid-configuration\""*)
	ok "OAUTHBEARER refusal: the challenge names the issuer's openid-configuration" ;;
*) not_ok "OAUTHBEARER refusal: no openid-configuration in '$_ch'" ;;
esac
echo "# OAUTHBEARER error challenge: $_ch"
if sed -n 's/^> //p' "$T/stderr" | tr -d '\r' | grep -qx 'AQ=='; then
	ok "OAUTHBEARER refusal: curl answered the challenge with %x01"
else
	not_ok "OAUTHBEARER refusal: curl did not send AQ=="
fi
send unknown-key "$PORT_BOTH" --user alice:
refused "OAUTHBEARER, token signed by an unknown key" OAUTHBEARER 535 \
    "bad ES256 signature"
send other-aud "$PORT_BOTH" --user alice:
refused "OAUTHBEARER, token for another audience" OAUTHBEARER 535 \
    "not an audience"
send garbage "$PORT_BOTH" --user alice:
refused "OAUTHBEARER, not a JWT" OAUTHBEARER 535 "compact JWS"
send good "$PORT_BOTH" --user bob:
refused "OAUTHBEARER, alice's token, --user bob: (authzid)" OAUTHBEARER 535 \
    "may not act as bob"
show_reply "OAUTHBEARER, authzid bob"

# refusals: XOAUTH2 through curl, which stops at the error challenge
send expired "$PORT_XOAUTH" --user alice:
challenged "XOAUTH2, expired token" "expired [0-9]+ s ago"
echo "# XOAUTH2 error challenge: $(challenge)"
send good "$PORT_XOAUTH" --user bob:
challenged "XOAUTH2, alice's token, --user bob:" "token is for user alice, not bob"
send garbage "$PORT_XOAUTH" --user alice:
challenged "XOAUTH2, not a JWT" "compact JWS"
# ... and through Python's smtplib, which answers it
xoauth2_smtplib good alice
expect_stdout_contains "auth 235 2.7.0 Authentication successful" \
    "smtplib XOAUTH2, good token: 235"
xoauth2_smtplib expired alice
expect_stdout_contains 'challenge {"status":"401"' \
    "smtplib XOAUTH2, expired token: the error challenge"
expect_stdout_contains "auth 535 5.7.8 Error: authentication failed:" \
    "smtplib XOAUTH2, expired token: 535 after the empty answer"
echo "# smtplib XOAUTH2, expired token: $(grep '^auth' "$T/stdout")"
xoauth2_smtplib good bob
expect_stdout_contains "auth 535 5.7.8 Error: authentication failed:" \
    "smtplib XOAUTH2, alice's token as bob: 535"

reset_counts
send dark "$PORT_BOTH" --user alice:
refused "OAUTHBEARER, issuer unreachable, nothing cached" OAUTHBEARER 454 \
    "no keys of issuer dark"
expect_reply '^454 4\.7\.0 Temporary authentication failure: ' \
    "issuer unreachable: 454 4.7.0 Temporary authentication failure"
show_reply "OAUTHBEARER, issuer unreachable"
send dark "$PORT_XOAUTH" --user alice:
refused "XOAUTH2, issuer unreachable, nothing cached" XOAUTH2 454 \
    "no keys of issuer dark"
expect_count requests 0 "unreachable issuer: the other issuer was not asked"

# no AUTH, no relaying; curl sends no AUTH without a user name
send - "$PORT_BOTH"
expect_reply '^554 5\.7\.1 .*Access denied' "no AUTH: the recipient is refused"
no_login "no AUTH"
send good "$PORT_BOTH"
if sed -n 's/^> //p' "$T/stderr" | grep -q '^AUTH'; then
	not_ok "curl --oauth2-bearer without --user sent AUTH"
else
	ok "curl --oauth2-bearer without --user sends no AUTH"
fi
expect_reply '^554 5\.7\.1 .*Access denied' \
    "curl without --user: the recipient is refused"

# no jwt_issuers: not offered
send good "$PORT_UNCONF" --user alice:
if grep -q '^250-AUTH PLAIN$' "$T/replies"; then
	ok "no jwt_issuers: the listener offers AUTH PLAIN only"
else
	not_ok "no jwt_issuers: the listener's AUTH line is not PLAIN only"
	show
fi
if [ "$last_rc" -ne 0 ]; then
	ok "no jwt_issuers: curl fails (exit $last_rc)"
else
	not_ok "no jwt_issuers: curl exit 0"
fi
no_login "no jwt_issuers"

send good "$PORT_BOTH" --user alice:
accepted "OAUTHBEARER after the refusals" OAUTHBEARER
stop_postfix

# ---- 2. chrooted smtpd, keys from the cache read at init, issuer down --------------------
run_in /dev/null "$JWT_AUTH" fetch -c "$CONF" corp
if [ "$last_rc" -eq 0 ] && [ -n "$(ls -A "$T/cache")" ]; then
	ok "jwt-auth fetch filled the key cache"
else
	not_ok "jwt-auth fetch: exit $last_rc, cache: $(ls -A "$T/cache" | tr '\n' ' ')"
	show_last
fi
ctl '/set?mode=down' >/dev/null
reset_counts
start_postfix y
send good "$PORT_BOTH" --user alice:
accepted "chroot, issuer down: OAUTHBEARER with keys read at init" OAUTHBEARER
send good "$PORT_XOAUTH" --user alice:
accepted "chroot, issuer down: XOAUTH2 with keys read at init" XOAUTH2
send expired "$PORT_BOTH" --user alice:
refused "chroot: expired token" OAUTHBEARER 535 "expired [0-9]+ s ago"
send dark "$PORT_BOTH" --user alice:
refused "chroot: issuer unreachable, nothing cached" OAUTHBEARER 454 \
    "no keys of issuer dark"
expect_count requests 0 "chroot: no request reached the issuer"
if pgrep -P "$master_pid" -x smtpd >/dev/null 2>&1 &&
    [ "$(readlink "/proc/$(pgrep -P "$master_pid" -x smtpd | head -n 1)/root")" = "$PF/spool" ]; then
	ok "chroot: smtpd runs with its root in the queue directory"
else
	not_ok "chroot: no smtpd chrooted to $PF/spool"
fi
stop_postfix
ctl '/set?mode=ok' >/dev/null

# ---- nothing secret in Postfix's log -----------------------------------------------------
expect_no_secret "$MAILLOG" "no token signature in Postfix's log"
if grep -q 'status=sent' "$MAILLOG"; then
	ok "the discard transport delivered the accepted mail"
else
	not_ok "no delivery (status=sent) in Postfix's log"
fi
finish
