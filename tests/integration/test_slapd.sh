#!/bin/bash
# tests/integration/test_slapd.sh - libsasl_jwt.so inside a real slapd, with
# the real OpenLDAP clients (ldapwhoami and ldapsearch, through our client
# plugin) and curl (its own OAUTHBEARER, no plugin of ours), everything on
# 127.0.0.1.
#
# The test starts the loopback HTTPS issuer (tests/issuer.py) and a private
# slapd (slapd.conf and an mdb database in the temporary directory, run as
# root in the foreground, stats logging to a file).  Debian's slapd reads its
# SASL options only from /etc/ldap/sasl2/slapd.conf: slapd runs in a private
# mount namespace (unshare -m) where a directory of this test is mounted
# over /etc/ldap/sasl2, so the host's file is never touched.  Where no
# namespace can be made, the test writes /etc/ldap/sasl2/slapd.conf when
# there is none and removes it on exit (and skips when there is one).
# SASL_PATH lists the build's plugin directory first and the system one
# after it, for slapd and for the clients.
#
# slapd maps uid=USER,cn=MECH,cn=auth to uid=USER,ou=people,dc=example,
# dc=test with authz-regexp; an ACL lets only alice read her description.
#  1. sasl-secprops noanonymous (no TLS needed on loopback): the root DSE
#     offers OAUTHBEARER and XOAUTH2 (mech_list); ldapwhoami -Y OAUTHBEARER
#     (-y FILE and -w TOKEN, -O noanonymous since libldap's own default
#     wants TLS for such a mechanism) and -Y XOAUTH2 -U alice bind as the
#     token's user, and slapd logs the DN; curl ldap://... --oauth2-bearer
#     --user alice: reads what only alice may read.  Tokens that are
#     expired, signed by an unknown key, for another audience, with an
#     unknown kid, or not a JWT, and an XOAUTH2 user other than the
#     token's, get the error challenge (saslBindInProgress) and then
#     invalidCredentials (49), with the plugin's reason in slapd's log; an
#     authzid other than the token's user gets insufficientAccess (50); a
#     token of an issuer that cannot be reached, with nothing cached, gets
#     unavailable (52).  The issuer sees one discovery and one JWKS request
#     for the first bind and none after it.
#  2. default sasl-secprops (noplain) with StartTLS: without TLS the
#     mechanisms are not offered (a bind gets inappropriateAuthentication,
#     48); with ldapwhoami -ZZ the bind works inside TLS.
#  3. no jwt_issuers in slapd's SASL options: the mechanisms are not
#     offered (a bind gets authMethodNotSupported, 7).
# Needs root, slapd, slapadd, ldapwhoami, ldapsearch, curl (its cases are
# skipped without it) and the built plugin; run by make check-integration.
# Everything started here is stopped, and every file written outside the
# temporary directory removed, on exit.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib.sh"

# ---- prerequisites -------------------------------------------------------------
[ "$(id -u)" -eq 0 ] ||
    skip_all "needs root (runs slapd and gives it /etc/ldap/sasl2/slapd.conf)"
SLAPD=
for _p in /usr/sbin/slapd /usr/libexec/slapd /usr/local/libexec/slapd; do
	if [ -x "$_p" ]; then
		SLAPD=$_p
		break
	fi
done
[ -n "$SLAPD" ] || skip_all "slapd is not installed (package slapd)"
SLAPADD=$(dirname "$SLAPD")/slapadd
[ -x "$SLAPADD" ] || SLAPADD=$(command -v slapadd 2>/dev/null) ||
    skip_all "slapadd is not installed (package slapd)"
for _c in ldapwhoami ldapsearch timeout setsid; do
	command -v "$_c" >/dev/null 2>&1 ||
	    skip_all "$_c is not installed (package ldap-utils)"
done
[ -x "$JWT_MINT" ] || skip_all "$JWT_MINT is not built (make check-integration builds it)"
MODULEPATH=
for _d in /usr/lib/ldap /usr/lib64/openldap /usr/lib/openldap; do
	if [ -f "$_d/back_mdb.so" ] || [ -f "$_d/back_mdb.la" ]; then
		MODULEPATH=$_d
		break
	fi
done
SCHEMA=
for _d in /etc/ldap/schema /etc/openldap/schema; do
	if [ -f "$_d/inetorgperson.schema" ]; then
		SCHEMA=$_d
		break
	fi
done
[ -n "$SCHEMA" ] || skip_all "no OpenLDAP schema directory"

. "$top_srcdir/tests/netlib.sh"
. "$top_srcdir/tests/integration/sasllib.sh"

SYS_SASL_DIR=$(sasl_system_dir "$SLAPD")
CLIENT_SASL_DIR=$(sasl_system_dir "$(command -v ldapwhoami)")
CURL=$(command -v curl 2>/dev/null) || CURL=

# Where slapd reads its SASL options: Debian's slapd asks for
# /etc/ldap/sasl2 (then /usr/lib/sasl2); another build honours
# SASL_CONF_PATH, which the test sets too.
SASL_ETC=/etc/ldap/sasl2
use_ns=
made_sasl_conf=
if unshare -m -- sh -c "mount --bind '$T' '$SASL_ETC'" 2>/dev/null; then
	use_ns=yes
elif [ ! -d "$SASL_ETC" ]; then
	SASL_ETC=
elif [ -e "$SASL_ETC/slapd.conf" ]; then
	skip_all "no private mount namespace here, and $SASL_ETC/slapd.conf exists (not touched)"
fi

TOKEN_USER=alice
AUDIENCE=ldap-test
BASE_DN=dc=example,dc=test
ALICE_DN=uid=alice,ou=people,$BASE_DN
BOB_DN=uid=bob,ou=people,$BASE_DN
SECRET_TEXT=only-alice-reads-this

# ---- cleanup -------------------------------------------------------------------------
slapd_pid=
eval "net_cleanup() $(declare -f cleanup | tail -n +2)"
cleanup() {
	stop_pid "$slapd_pid"
	if [ -n "$made_sasl_conf" ]; then
		rm -f "$made_sasl_conf"
	fi
	net_cleanup
}

# ---- keys, issuers, the plugin's configuration ------------------------------------
make_keys
start_issuer main --jwks "$T/jwks1" --issuer-path /realms/corp
write_conf -- "audience=$AUDIENCE"
# an issuer that cannot be reached and was never fetched: keys unavailable
DARK_URL=https://127.0.0.1:$(dead_port)/realms/dark
add_issuer dark "$DARK_URL"

mint good
mint bob bob
mint expired "" "" $(($(date +%s) - 3600))
mint unknown-key "" "" "" "" "$T/stranger.pem" k1
mint unknown-kid "" "" "" "" "$T/stranger.pem" k9
mint other-aud "" mail-test
mint dark "" "" "" "$DARK_URL"
(umask 077 && printf 'not-a-token-at-all' >"$T/tok-garbage")

# ---- the directory ---------------------------------------------------------------------
mkdir -m 0700 "$T/db"
cat >"$T/base.ldif" <<EOF
dn: $BASE_DN
objectClass: dcObject
objectClass: organization
o: jwt-auth test
dc: example

dn: ou=people,$BASE_DN
objectClass: organizationalUnit
ou: people

dn: $ALICE_DN
objectClass: inetOrgPerson
uid: alice
cn: Alice
sn: Example
description: $SECRET_TEXT

dn: $BOB_DN
objectClass: inetOrgPerson
uid: bob
cn: Bob
sn: Example
EOF

# slapd_conf NAME SECPROPS [tls]: $T/NAME/slapd.conf
slapd_conf() {
	mkdir -p "$T/$1"
	{
		echo "# written by tests/integration/test_slapd.sh"
		for _s in core cosine inetorgperson; do
			echo "include $SCHEMA/$_s.schema"
		done
		echo "pidfile $T/$1/slapd.pid"
		echo "argsfile $T/$1/slapd.args"
		if [ -n "$MODULEPATH" ]; then
			echo "modulepath $MODULEPATH"
			echo "moduleload back_mdb"
		fi
		[ -z "$2" ] || echo "sasl-secprops $2"
		echo 'authz-regexp "^uid=([^,]+),cn=(oauthbearer|xoauth2),cn=auth$"'
		echo "    \"uid=\$1,ou=people,$BASE_DN\""
		if [ "${3:-}" = tls ]; then
			echo "TLSCACertificateFile $PKI/ca.pem"
			echo "TLSCertificateFile $PKI/server.pem"
			echo "TLSCertificateKeyFile $PKI/server.key"
		fi
		echo "database mdb"
		echo "suffix \"$BASE_DN\""
		echo "directory $T/db"
		echo "maxsize 10485760"
		echo "access to dn.subtree=\"ou=people,$BASE_DN\" attrs=description"
		echo "    by self read"
		echo "    by * none"
		echo "access to * by * read"
	} >"$T/$1/slapd.conf"
}

# sasl_conf NAME [OPTION...]: $T/NAME/sasl2/slapd.conf, slapd's SASL options
sasl_conf() {
	mkdir -p "$T/$1/sasl2"
	_f=$T/$1/sasl2/slapd.conf
	shift
	{
		echo "# written by tests/integration/test_slapd.sh"
		echo "mech_list: OAUTHBEARER XOAUTH2"
		echo "jwt_config: $CONF"
		for _o in "$@"; do
			echo "$_o"
		done
	} >"$_f"
	chmod 0644 "$_f"
}

slapd_conf main noanonymous
"$SLAPADD" -q -f "$T/main/slapd.conf" -l "$T/base.ldif" >"$T/slapadd.log" 2>&1 ||
    { echo "slapadd failed:" >&2; cat "$T/slapadd.log" >&2; exit 99; }

# ---- slapd -----------------------------------------------------------------------
SLAPD_LOG=$T/slapd.log
: >"$SLAPD_LOG"
SLAPD_SASL_PATH=$SASL_PLUGIN_DIR:$SYS_SASL_DIR
CLIENT_SASL_PATH=$SASL_PLUGIN_DIR:$CLIENT_SASL_DIR

# start_slapd NAME: slapd with $T/NAME/slapd.conf and $T/NAME/sasl2 as its
# SASL configuration, on a free port; sets PORT and slapd_pid.
start_slapd() {
	_sasl=$T/$1/sasl2
	if [ -z "$use_ns" ] && [ -n "$SASL_ETC" ]; then
		rm -f "$made_sasl_conf"
		made_sasl_conf=
		(set -C && cat "$_sasl/slapd.conf" >"$SASL_ETC/slapd.conf") ||
		    { echo "cannot write $SASL_ETC/slapd.conf" >&2; exit 99; }
		made_sasl_conf=$SASL_ETC/slapd.conf
	fi
	_try=0
	while [ "$_try" -lt 5 ]; do
		_try=$((_try + 1))
		PORT=$(free_port) || { echo "no free port" >&2; exit 99; }
		_mark=$(wc -l <"$SLAPD_LOG")
		_run=(env -i PATH="$PATH" LC_ALL=C SASL_PATH="$SLAPD_SASL_PATH"
		    SASL_CONF_PATH="$_sasl"
		    "$SLAPD" -h "ldap://127.0.0.1:$PORT/" -f "$T/$1/slapd.conf"
		    -d 256)
		if [ -n "$use_ns" ]; then
			unshare -m -- sh -c 'mount --bind "$1" "$2" && shift 2 &&
			    exec "$@"' sh "$_sasl" "$SASL_ETC" "${_run[@]}" \
			    </dev/null >>"$SLAPD_LOG" 2>&1 &
		else
			"${_run[@]}" </dev/null >>"$SLAPD_LOG" 2>&1 &
		fi
		slapd_pid=$!
		if wait_for_port "$PORT" "$slapd_pid"; then
			return 0
		fi
		stop_pid "$slapd_pid"
		slapd_pid=
		tail -n +"$((_mark + 1))" "$SLAPD_LOG" |
		    grep -q "Address already in use" || break
	done
	echo "slapd did not start:" >&2
	cat "$SLAPD_LOG" >&2
	exit 99
}

stop_slapd() {
	stop_pid "$slapd_pid"
	slapd_pid=
}

# ---- clients ------------------------------------------------------------------------
# client CMD...: a client with the build's plugins, no ldap.conf or
# ldaprc, the test CA for TLS, no terminal; output in $T/stdout and $T/stderr, exit status
# in $last_rc, slapd's lines of this run in $T/slapd-lines.
client() {
	_mark=$(wc -l <"$SLAPD_LOG")
	run_in /dev/null env -i PATH="$PATH" LC_ALL=C HOME="$T" \
	    LDAPCONF=/dev/null LDAPRC=jwt-auth-test-no-ldaprc \
	    SASL_PATH="$CLIENT_SASL_PATH" LDAPTLS_CACERT="$PKI/ca.pem" \
	    timeout -k 5 30 setsid -w "$@"
	# slapd logs the RESULT of the last operation a moment later
	_i=0
	while :; do
		tail -n +"$((_mark + 1))" "$SLAPD_LOG" >"$T/slapd-lines"
		grep -q ' closed' "$T/slapd-lines" && break
		[ "$_i" -lt 40 ] || break
		_i=$((_i + 1))
		sleep 0.05
	done
}

# whoami TOKEN MECH [ARGS...]: ldapwhoami -Y MECH with tok-TOKEN from -y.
# libldap's own SASL security properties refuse a mechanism that sends its
# credentials in the clear (no worthy mechs) until the connection has TLS:
# without -ZZ, -O noanonymous lifts that for the loopback.
whoami() {
	_tok=$1
	_mech=$2
	shift 2
	_props=noanonymous
	case " $* " in
	*" -ZZ "*) _props= ;;
	esac
	client ldapwhoami -Q -H "ldap://127.0.0.1:$PORT" -Y "$_mech" \
	    ${_props:+-O "$_props"} -y "$T/tok-$_tok" "$@"
}

# curl_ldap TOKEN [ARGS...]: curl reads alice's entry, the token from a
# config file (not the command line)
curl_ldap() {
	_tok=$1
	shift
	printf 'oauth2-bearer = "%s"\n' "$(cat "$T/tok-$_tok")" >"$T/curlrc"
	chmod 0600 "$T/curlrc"
	client "$CURL" -q -sS -K "$T/curlrc" "$@" \
	    "ldap://127.0.0.1:$PORT/$ALICE_DN?description?base"
	rm -f "$T/curlrc"
}

expect_rc() {
	if [ "$last_rc" -eq "$1" ]; then
		ok "$2 (exit $1)"
	else
		not_ok "$2: exit $last_rc, expected $1"
		show_last
		sed -n '/BIND\|RESULT\|SASL\|sasl\|jwt/s/^/  slapd: /p' \
		    "$T/slapd-lines" | head -n 20
	fi
}

# expect_slapd REGEX DESC: one of slapd's lines of the last run matches
expect_slapd() {
	if grep -qE -e "$1" "$T/slapd-lines"; then
		ok "$2"
	else
		not_ok "$2: no slapd line matches /$1/"
		sed -n '1,30s/^/  slapd: /p' "$T/slapd-lines"
	fi
}

# bound DESC DN MECH: the last ldapwhoami bound as DN with MECH
bound() {
	expect_rc 0 "$1: ldapwhoami"
	expect_stdout_contains "dn:$2" "$1: ldapwhoami says dn:$2"
	expect_slapd "BIND dn=\"$2\" mech=$3 " "$1: slapd logged the bind as $2"
	expect_slapd 'op=[0-9]+ RESULT tag=97 err=0 ' "$1: slapd's bind result 0"
}

# refused DESC CODE [REASON]: the last ldapwhoami failed with LDAP result
# CODE, and slapd sent CODE for the bind.  With REASON (a refused token):
# the plugin's log line, through slapd, matches REASON, and the bind took
# two steps, the error challenge (saslBindInProgress, 14) and the failure
# after the client's answer.
refused() {
	expect_rc "$2" "$1: ldapwhoami"
	if grep -q '^dn:' "$T/stdout"; then
		not_ok "$1: ldapwhoami printed an identity"
	else
		ok "$1: no identity"
	fi
	expect_slapd "RESULT tag=97 err=$2 " "$1: slapd's bind result $2"
	if grep -q 'RESULT tag=97 err=0 ' "$T/slapd-lines"; then
		not_ok "$1: slapd logged a successful bind"
	fi
	[ -n "${3:-}" ] || return 0
	expect_slapd "SASL \\[conn=[0-9]+\\] Failure: [A-Z0-9]+: refused .*$3" \
	    "$1: slapd logged the plugin's reason"
	_op=$(sed -n 's/.* op=\([0-9]*\) RESULT tag=97 err=14 .*/\1/p' \
	    "$T/slapd-lines" | head -n 1)
	if [ -z "$_op" ]; then
		not_ok "$1: no error challenge (saslBindInProgress, 14)"
	else
		ok "$1: the error challenge came as saslBindInProgress"
		expect_slapd "op=$((_op + 1)) RESULT tag=97 err=$2 " \
		    "$1: the failure came on the client's answer"
	fi
}

# ---- 1. loopback without TLS: sasl-secprops noanonymous --------------------------------
sasl_conf main "jwt_issuers: corp dark"
start_slapd main
echo "# $("$SLAPD" -VV 2>&1 | sed -n 's/.*\(slapd [0-9][^ ]*\).*/\1/p' | head -n 1)" \
    "on 127.0.0.1:$PORT; SASL_PATH=$SLAPD_SASL_PATH;" \
    "options ${use_ns:+in a private mount namespace over }${SASL_ETC:-SASL_CONF_PATH}"

client ldapsearch -x -LLL -H "ldap://127.0.0.1:$PORT" -b "" -s base \
    supportedSASLMechanisms
expect_rc 0 "root DSE"
_mechs=$(sed -n 's/^supportedSASLMechanisms: //p' "$T/stdout" | sort | tr '\n' ' ')
if [ "$_mechs" = "OAUTHBEARER XOAUTH2 " ]; then
	ok "root DSE offers OAUTHBEARER and XOAUTH2 (mech_list)"
else
	not_ok "root DSE offers '$_mechs', expected OAUTHBEARER XOAUTH2"
	grep -i 'sasl\|jwt' "$SLAPD_LOG" | head -n 20 | sed 's/^/  slapd: /'
fi

client ldapsearch -x -LLL -H "ldap://127.0.0.1:$PORT" -b "$ALICE_DN" -s base \
    description
if [ "$last_rc" -eq 0 ] && ! grep -q "$SECRET_TEXT" "$T/stdout"; then
	ok "anonymous: alice's description is not readable"
else
	not_ok "anonymous read: exit $last_rc or the description shown"
	show_last
fi

reset_counts
whoami good OAUTHBEARER
bound "OAUTHBEARER, token from -y, cold cache" "$ALICE_DN" OAUTHBEARER
expect_count discovery 1 "first bind: one discovery request"
expect_count jwks 1 "first bind: one JWKS request"
reset_counts

_tok=$(cat "$T/tok-good")
client ldapwhoami -Q -H "ldap://127.0.0.1:$PORT" -Y OAUTHBEARER \
    -O noanonymous -w "$_tok"
bound "OAUTHBEARER, token from -w" "$ALICE_DN" OAUTHBEARER

whoami bob OAUTHBEARER
bound "OAUTHBEARER, bob's token" "$BOB_DN" OAUTHBEARER

whoami good OAUTHBEARER -X alice
bound "OAUTHBEARER, authzid alice" "$ALICE_DN" OAUTHBEARER

whoami good XOAUTH2 -U alice
bound "XOAUTH2, user alice" "$ALICE_DN" XOAUTH2
expect_count requests 0 "warm binds: no request to the issuer"

# refusals
# an authzid other than the token's user: the plugin refuses to
# authorize (SASL_NOAUTHZ), slapd answers insufficientAccess; the plugin
# compares the authzid as sent, so slapd's u:alice form is another name
whoami good OAUTHBEARER -X bob
refused "OAUTHBEARER, alice's token, authzid bob" 50
expect_slapd "OAUTHBEARER: refused user=alice: may not act as bob" \
    "authzid bob: slapd logged the plugin's reason"
whoami good OAUTHBEARER -X u:alice
refused "OAUTHBEARER, alice's token, authzid u:alice" 50
whoami good XOAUTH2 -U bob
refused "XOAUTH2, alice's token, user bob" 49 "token is for user alice, not bob"
whoami expired OAUTHBEARER
refused "OAUTHBEARER, expired token" 49 "expired [0-9]+ s ago"
whoami expired XOAUTH2 -U alice
refused "XOAUTH2, expired token" 49 "expired [0-9]+ s ago"
whoami unknown-key OAUTHBEARER
refused "OAUTHBEARER, token signed by an unknown key" 49 "bad ES256 signature"
whoami other-aud OAUTHBEARER
refused "OAUTHBEARER, token for another audience" 49 "not an audience"
whoami garbage OAUTHBEARER
refused "OAUTHBEARER, not a JWT" 49 "compact JWS"
expect_count requests 0 "refusals so far: no request to the issuer"
whoami unknown-kid OAUTHBEARER
refused "OAUTHBEARER, unknown kid" 49 "kid k9"
expect_count_le jwks 1 "unknown kid: at most one JWKS refetch"
reset_counts
whoami dark OAUTHBEARER
refused "OAUTHBEARER, issuer unreachable, nothing cached" 52
expect_slapd "OAUTHBEARER: refused .*no keys of issuer dark" \
    "issuer unreachable: slapd logged the plugin's reason"
expect_stderr_contains "Server is unavailable (52)" \
    "issuer unreachable: ldapwhoami says Server is unavailable"
whoami dark XOAUTH2 -U alice
refused "XOAUTH2, issuer unreachable, nothing cached" 52
expect_count requests 0 "unreachable issuer: the other issuer was not asked"
whoami good OAUTHBEARER
bound "OAUTHBEARER after the refusals" "$ALICE_DN" OAUTHBEARER

# Clients that go away in the middle of a SASL bind: slapd, one process
# for every connection, must neither die (SIGPIPE when it writes to a
# connection reset under it, a crash in the plugin's disposal of a
# half-done exchange) nor stop serving.  drop MODE TOKEN: a raw LDAP
# client (Python's socket module, the BER written by hand) that sends an
# OAUTHBEARER bind with tok-TOKEN and then
#   challenge: reads the error challenge (saslBindInProgress) and resets
#              the connection instead of answering it;
#   reset:     resets the connection at once, before slapd answers;
#   half:      sends half the bind request only, then resets.
drop() {
	timeout -k 5 30 python3 - "$PORT" "$1" "$T/tok-$2" <<'PYEOF'
import socket, struct, sys, time

port, mode, tokfile = int(sys.argv[1]), sys.argv[2], sys.argv[3]

def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        head = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        head = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + head + body

token = open(tokfile, "rb").read().strip()
cred = b"n,,\x01auth=Bearer " + token + b"\x01\x01"
bind = tlv(0x60, tlv(0x02, b"\x03") + tlv(0x04, b"") +
           tlv(0xA3, tlv(0x04, b"OAUTHBEARER") + tlv(0x04, cred)))
msg = tlv(0x30, tlv(0x02, b"\x01") + bind)
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
if mode == "half":
    s.sendall(msg[: len(msg) // 2])
    time.sleep(0.2)
elif mode == "reset":
    s.sendall(msg)
elif mode == "challenge":
    s.sendall(msg)
    got = b""
    while b"invalid_token" not in got:
        chunk = s.recv(4096)
        if not chunk:
            break
        got += chunk
    # BindResponse, resultCode saslBindInProgress (14), the JSON challenge
    if b"\x61" not in got or b"\x0a\x01\x0e" not in got or \
            b"invalid_token" not in got:
        print("no error challenge: %r" % got[:200])
        sys.exit(1)
s.close()   # SO_LINGER 0: a reset, not a clean close
PYEOF
}
_dropped=0
for _round in 1 2 3 4 5; do
	for _mode in challenge reset half; do
		if drop "$_mode" expired; then
			_dropped=$((_dropped + 1))
		else
			not_ok "client gone ($_mode): the raw client failed"
		fi
	done
done
[ "$_dropped" -eq 15 ] &&
    ok "15 clients reset mid-bind (after the challenge, at once, half a request)"
sleep 0.5
if kill -0 "$slapd_pid" 2>/dev/null; then
	ok "clients gone mid-bind: slapd is still running"
else
	not_ok "clients gone mid-bind: slapd died"
	tail -n 20 "$SLAPD_LOG" | sed 's/^/  slapd: /'
fi
whoami good OAUTHBEARER
bound "OAUTHBEARER after clients went away mid-bind" "$ALICE_DN" OAUTHBEARER
whoami expired OAUTHBEARER
refused "OAUTHBEARER, expired, after clients went away mid-bind" 49 \
    "expired [0-9]+ s ago"

# curl: its own OAUTHBEARER, no plugin of ours on the client side
if [ -z "$CURL" ]; then
	echo "# curl is not installed: the curl cases are skipped"
else
	echo "# $("$CURL" --version | head -n 1 | cut -d' ' -f1-2)"
	# curl authenticates only when it has a user name: --oauth2-bearer
	# alone reads the root DSE's mechanisms and gives up (login denied)
	curl_ldap good
	expect_rc 67 "curl --oauth2-bearer without --user does not bind"
	if grep -q ' BIND ' "$T/slapd-lines"; then
		not_ok "curl without --user: slapd logged a bind"
	else
		ok "curl without --user: slapd saw no bind"
	fi
	curl_ldap good --user alice:
	expect_rc 0 "curl --oauth2-bearer --user alice:"
	expect_stdout_contains "$SECRET_TEXT" \
	    "curl --user alice:: read what only alice may read"
	expect_slapd "BIND dn=\"$ALICE_DN\" mech=OAUTHBEARER " \
	    "curl --user alice:: slapd logged the bind as alice"
	expect_slapd 'RESULT tag=97 err=0 ' "curl --user alice:: bind result 0"
	curl_ldap bob --user bob:
	expect_rc 0 "curl, bob's token, --user bob:"
	expect_slapd "BIND dn=\"$BOB_DN\" mech=OAUTHBEARER " \
	    "curl --user bob:: slapd logged the bind as bob"
	if grep -q "$SECRET_TEXT" "$T/stdout"; then
		not_ok "curl as bob read alice's description"
	else
		ok "curl as bob: alice's description stays hidden"
	fi
	curl_ldap good --user bob:
	expect_rc 67 "curl, alice's token, --user bob: (login denied)"
	expect_slapd 'RESULT tag=97 err=50 ' \
	    "curl, alice's token, --user bob:: bind result 50"
	curl_ldap expired --user alice:
	expect_rc 67 "curl, expired token (login denied)"
	expect_slapd 'RESULT tag=97 err=49 ' "curl, expired token: bind result 49"
	curl_ldap unknown-key --user alice:
	expect_rc 67 "curl, token signed by an unknown key (login denied)"
	expect_slapd 'RESULT tag=97 err=49 ' \
	    "curl, unknown key: bind result 49"
	curl_ldap garbage --user alice:
	expect_rc 67 "curl, not a JWT (login denied)"
	expect_slapd 'RESULT tag=97 err=49 ' "curl, not a JWT: bind result 49"
	curl_ldap dark --user alice:
	expect_rc 67 "curl, issuer unreachable (login denied)"
	expect_slapd 'RESULT tag=97 err=52 ' \
	    "curl, issuer unreachable: bind result 52"
fi
stop_slapd

# ---- 2. default sasl-secprops (noplain): only over TLS ---------------------------------
slapd_conf tls "" tls
sasl_conf tls "jwt_issuers: corp"
start_slapd tls
client ldapsearch -x -LLL -H "ldap://127.0.0.1:$PORT" -b "" -s base \
    supportedSASLMechanisms
if [ "$last_rc" -eq 0 ] && ! grep -qE 'OAUTHBEARER|XOAUTH2' "$T/stdout"; then
	ok "noplain, no TLS: the root DSE offers neither mechanism"
else
	not_ok "noplain, no TLS: exit $last_rc or a mechanism offered"
	show_last
fi
# the client asks for it anyway: inappropriateAuthentication
whoami good OAUTHBEARER
refused "noplain, no TLS: ldapwhoami -Y OAUTHBEARER" 48
client ldapsearch -x -ZZ -LLL -H "ldap://127.0.0.1:$PORT" -b "" -s base \
    supportedSASLMechanisms
expect_stdout_contains "supportedSASLMechanisms: OAUTHBEARER" \
    "noplain, StartTLS: the root DSE offers OAUTHBEARER"
whoami good OAUTHBEARER -ZZ
bound "noplain, StartTLS: OAUTHBEARER" "$ALICE_DN" OAUTHBEARER
expect_slapd "mech=OAUTHBEARER bind_ssf=0 ssf=[1-9][0-9]*\$" \
    "noplain, StartTLS: the bind ran inside TLS"
whoami expired OAUTHBEARER -ZZ
refused "noplain, StartTLS: expired token" 49 "expired [0-9]+ s ago"
stop_slapd

# ---- 3. no jwt_issuers: nothing offered --------------------------------------------
slapd_conf unconfigured noanonymous
sasl_conf unconfigured
start_slapd unconfigured
client ldapsearch -x -LLL -H "ldap://127.0.0.1:$PORT" -b "" -s base \
    supportedSASLMechanisms
if [ "$last_rc" -eq 0 ] && ! grep -qE 'OAUTHBEARER|XOAUTH2' "$T/stdout"; then
	ok "no jwt_issuers: the root DSE offers neither mechanism"
else
	not_ok "no jwt_issuers: exit $last_rc or a mechanism offered"
	show_last
fi
# the client asks for it anyway: authMethodNotSupported
whoami good OAUTHBEARER
refused "no jwt_issuers: ldapwhoami -Y OAUTHBEARER" 7
stop_slapd

# ---- nothing secret in slapd's log ---------------------------------------------------
expect_no_secret "$SLAPD_LOG" "no token signature in slapd's log"
if [ -n "$use_ns" ] && [ -e /etc/ldap/sasl2/slapd.conf ] &&
    grep -q 'tests/integration/test_slapd.sh' /etc/ldap/sasl2/slapd.conf; then
	not_ok "the test's SASL options leaked into /etc/ldap/sasl2"
fi
finish
