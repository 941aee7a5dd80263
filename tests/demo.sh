#!/bin/bash
# demo.sh - jwt-auth end to end against an issuer on 127.0.0.1, run by
# `make demo`:
#   - a test CA and a server certificate for 127.0.0.1 (tests/mkcerts.sh);
#   - an EC P-256 key and its JWKS, served over HTTPS with an OpenID
#     discovery document by tests/issuer.py (Python 3 standard library);
#   - a configuration naming that issuer by its https URL, with the test CA
#     as ca_file and a key cache in the temporary directory;
#   - a token for alice, checked three ways, each followed by a refusal:
#     `jwt-auth verify` (which fetches the keys: discovery, then the JWKS),
#     PAM (pamtester and the real libpam loading the built pam_jwt.so, under
#     pam_wrapper, so that nothing under /etc/pam.d is touched) and SASL
#     (Cyrus SASL's sasl-sample-server and sasl-sample-client, each loading
#     the built libsasl_jwt.so through the real libsasl2: our client
#     mechanism sends the token, our server mechanism checks it).
# Needs no root.  Everything it writes goes to a temporary directory, and
# the issuer listens on 127.0.0.1 only; both are gone when it exits, however
# it ends.  Exit status 0 only when every step turned out as expected, 1
# when one did not, 2 when something it needs is missing.
#
# Run it with `make demo`, or from the build directory (or with
# top_builddir and top_srcdir set) after `make`.
set -euo pipefail

srcdir=$(cd "${top_srcdir:-$(dirname "$0")/..}" && pwd)
builddir=$(cd "${top_builddir:-.}" && pwd)
jwt_auth=$builddir/tools/jwt-auth
jwt_mint=$builddir/tests/jwt-mint
pam_module=$builddir/pam_jwt/.libs/pam_jwt.so
sasl_plugdir=$builddir/sasl_jwt/.libs

die() {
	echo "demo: $*" >&2
	exit 2
}

# ---- what the demo needs ----------------------------------------------------------
[ -x "$jwt_auth" ] || die "$jwt_auth is not built: run make first"
[ -f "$pam_module" ] ||
    die "$pam_module is not built (install libpam0g-dev, then configure and make)"
[ -f "$sasl_plugdir/libsasl_jwt.so" ] ||
    die "the SASL plugin is not built (install libsasl2-dev, then configure and make)"
for tool in python3 openssl timeout stdbuf setsid base64; do
	command -v "$tool" >/dev/null 2>&1 ||
	    die "$tool not found (apt-get install python3 openssl coreutils util-linux)"
done
pamtester=${PAMTESTER:-}
[ -n "$pamtester" ] || pamtester=$(command -v pamtester 2>/dev/null) ||
    die "pamtester not found (apt-get install pamtester)"
# pam_wrapper: as configure found it, else from pkg-config
pam_wrapper=${PAM_WRAPPER_SO:-}
if [ -z "$pam_wrapper" ] && [ -f "$builddir/Makefile" ]; then
	pam_wrapper=$(sed -n 's/^PAM_WRAPPER_SO = *//p' "$builddir/Makefile")
fi
if [ -z "$pam_wrapper" ]; then
	pam_wrapper=$(pkg-config --variable=libdir pam_wrapper 2>/dev/null || :)
	pam_wrapper=${pam_wrapper:+$pam_wrapper/libpam_wrapper.so}
fi
if [ -z "$pam_wrapper" ] || [ ! -f "$pam_wrapper" ]; then
	die "pam_wrapper not found (apt-get install libpam-wrapper)"
fi
sserver=$(PATH=$PATH:/usr/sbin:/sbin command -v sasl-sample-server 2>/dev/null) ||
    die "sasl-sample-server not found (apt-get install sasl2-bin)"
sclient=$(command -v sasl-sample-client 2>/dev/null) ||
    die "sasl-sample-client not found (apt-get install sasl2-bin)"
# the token minting helper is a test program: built here when missing
if [ ! -x "$jwt_mint" ]; then
	${MAKE:-make} -s -C "$builddir" tests/jwt-mint >/dev/null ||
	    die "cannot build tests/jwt-mint"
fi

# ---- the temporary directory and the issuer, removed on any exit ----------------
umask 022
dir=$(mktemp -d "${TMPDIR:-/tmp}/jwt-auth-demo.XXXXXX")
issuer_pid=
sasl_pids=
cleanup() {
	local p
	for p in $sasl_pids $issuer_pid; do
		kill -TERM "$p" 2>/dev/null || :
		wait "$p" 2>/dev/null || :
	done
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
trap 'echo "demo: FAILED: line $LINENO: exit status $?" >&2' ERR

step() {
	printf '\n== %s\n' "$*"
}
# expect STATUS WHAT CMD...: run CMD (output shown), print its exit status
# and stop the demo unless it is STATUS.
expect() {
	local want=$1 what=$2 rc=0
	shift 2
	"$@" || rc=$?
	echo "exit status $rc"
	if [ "$rc" -ne "$want" ]; then
		echo "demo: FAILED: $what (exit status $rc, expected $want)" >&2
		exit 1
	fi
}
# fail WHAT [FILE...]: stop the demo, showing FILEs.
fail() {
	echo "demo: FAILED: $1" >&2
	shift
	local f
	for f in "$@"; do
		[ -s "$f" ] && sed "s|^|  $(basename "$f"): |" "$f" >&2
	done
	exit 1
}

step "a test CA and a certificate for 127.0.0.1 (tests/mkcerts.sh)"
sh "$srcdir/tests/mkcerts.sh" "$dir/pki" >"$dir/mkcerts.log" 2>&1 ||
    fail "tests/mkcerts.sh failed" "$dir/mkcerts.log"
openssl x509 -in "$dir/pki/server.pem" -noout -subject -issuer -ext subjectAltName

step "an EC P-256 key and its public JWKS (kid demo-1)"
"$jwt_mint" genkey ec256 "$dir/demo.pem"
"$jwt_mint" jwks --kid demo-1 --alg ES256 "$dir/demo.pem" >"$dir/demo.jwks"
cat "$dir/demo.jwks"

step "the issuer: tests/issuer.py on 127.0.0.1 (HTTPS, discovery and JWKS)"
python3 "$srcdir/tests/issuer.py" --cert "$dir/pki/server.pem" \
    --key "$dir/pki/server.key" --jwks "$dir/demo.jwks" \
    --issuer-path /realms/demo --portfile "$dir/issuer.port" \
    </dev/null >"$dir/issuer.log" 2>&1 &
issuer_pid=$!
i=0
while [ ! -s "$dir/issuer.port" ]; do
	if ! kill -0 "$issuer_pid" 2>/dev/null || [ "$i" -ge 200 ]; then
		fail "the issuer did not start" "$dir/issuer.log"
	fi
	i=$((i + 1))
	sleep 0.05
done
# issuer_get KEY: one member of the issuer's port file.
issuer_get() {
	python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$dir/issuer.port" "$1"
}
issuer=$(issuer_get issuer)
control_port=$(issuer_get control_port)
echo "issuer $issuer (process $issuer_pid)"
echo "  $issuer/.well-known/openid-configuration"
echo "  ${issuer%/realms/demo}/jwks"

# requests: what the issuer was asked so far, from its control port (plain
# HTTP on 127.0.0.1, spoken through bash's /dev/tcp).
requests() {
	local resp=
	if exec 7<>"/dev/tcp/127.0.0.1/$control_port"; then
		printf 'GET /counts HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&7 &&
		    resp=$(timeout 10 cat <&7)
		exec 7<&- 7>&-
	fi
	printf '%s' "${resp#*$'\r\n\r\n'}" | python3 -c 'import json, sys
c = json.load(sys.stdin)
print("issuer: %d discovery request(s), %d JWKS request(s)" % (c["discovery"], c["jwks"]))' ||
	    fail "the issuer's control port did not answer"
}

step "the configuration $dir/jwt-auth.conf"
mkdir -m 0700 "$dir/cache"
cat >"$dir/jwt-auth.conf" <<EOF
[global]
ca_file = $dir/pki/ca.pem
cache_dir = $dir/cache

[issuer demo]
issuer = $issuer
audience = demo-service
EOF
chmod 0644 "$dir/jwt-auth.conf"
cat "$dir/jwt-auth.conf"

now=$(date +%s)
claims() { # AUDIENCE
	printf '{"iss":"%s","sub":"alice","aud":"%s",' "$issuer" "$1"
	printf '"iat":%s,"exp":%s,"jti":"demo-%s"}' "$now" "$((now + 600))" "$1"
}
"$jwt_mint" sign --key "$dir/demo.pem" --alg ES256 --kid demo-1 \
    "$(claims demo-service)" | tr -d '\n' >"$dir/token"
"$jwt_mint" sign --key "$dir/demo.pem" --alg ES256 --kid demo-1 \
    "$(claims mail-service)" | tr -d '\n' >"$dir/token-mail"

# ---- jwt-auth verify ------------------------------------------------------------
step "a token for alice, valid 10 minutes: jwt-auth verify -d -c jwt-auth.conf <token"
expect 0 "a valid token was not accepted" \
    "$jwt_auth" verify -d -c "$dir/jwt-auth.conf" <"$dir/token" 2>&1
requests

step "the same for a token meant for another audience (keys from the cache)"
expect 1 "a token for another audience was not refused" \
    "$jwt_auth" verify -c "$dir/jwt-auth.conf" <"$dir/token-mail" 2>&1

# ---- PAM ---------------------------------------------------------------------------
mkdir "$dir/pam.d"
cat >"$dir/pam.d/jwt-demo" <<EOF
auth  required  $pam_module config=$dir/jwt-auth.conf
EOF
cat >"$dir/pam.d/other" <<EOF
auth  required  pam_deny.so
EOF

# pam USER LOGGED: pamtester jwt-demo USER authenticate, the token on
# standard input, under pam_wrapper (service files from $dir/pam.d); shows
# what pam_jwt logged (pam_wrapper prints its syslog lines) and what
# pamtester says.  Returns pamtester's status, or 3 when pam_jwt did not
# log LOGGED (pamtester's 1 alone would not tell a refusal from a module
# that failed to load).
pam() {
	local rc=0
	LD_PRELOAD=$pam_wrapper PAM_WRAPPER=1 \
	    PAM_WRAPPER_SERVICE_DIR=$dir/pam.d PAM_WRAPPER_DEBUGLEVEL=2 \
	    timeout 30 "$pamtester" jwt-demo "$1" authenticate <"$dir/token" \
	    >"$dir/pam.out" 2>"$dir/pam.err" || rc=$?
	sed -n 's/.*SYSLOG([0-9]*): /pam_jwt (syslog): /p' "$dir/pam.err" |
	    tee "$dir/pam.log"
	sed -n 's/.*\(pamtester: \)/\1/p' "$dir/pam.out" "$dir/pam.err"
	if ! grep -qF -- "$2" "$dir/pam.log"; then
		echo "(pam_jwt did not log \"$2\")"
		rc=3
	fi
	return "$rc"
}

step "PAM: the service file $dir/pam.d/jwt-demo"
cat "$dir/pam.d/jwt-demo"

step "PAM: the same token for alice: pamtester jwt-demo alice authenticate <token"
expect 0 "PAM did not authenticate alice" pam alice "accepted user=alice"

step "PAM: the same token, as user bob: pamtester jwt-demo bob authenticate <token"
expect 1 "PAM did not refuse alice's token for bob" \
    pam bob "token is for user alice, not bob"

# ---- SASL -------------------------------------------------------------------------
# The samples take the plugin directory from -p and their options from
# SASL_CONF_PATH/sample.conf.  They speak in "S: " and "C: " lines of
# base64; sasl() relays them through FIFOs.  The client mechanism asks for
# the token as a password, which the sample client reads with getpass:
# started by setsid, without a terminal, getpass reads it from standard
# input, where it is written after the server's list of mechanisms.
mkdir "$dir/sasl"
cat >"$dir/sasl/sample.conf" <<EOF
jwt_issuers: demo
jwt_config: $dir/jwt-auth.conf
EOF

# show_msg WHO BASE64: a relayed message, decoded, the token replaced by
# <token> and each %x01 shown as ^A.
show_msg() {
	local m
	m=$(printf '%s' "$2" | base64 -d | tr '\000\001' '\036\035') ||
	    m="(not base64)"
	m=${m//"$(cat "$dir/token")"/<token>}
	m=${m//"$(cat "$dir/token-mail")"/<token>}
	m=${m//$'\036'/ }
	m=${m//$'\035'/^A}
	printf '%s: %s\n' "$1" "${m:-(empty)}"
}

# sasl MECH TOKEN-FILE LOGGED: sasl-sample-server and sasl-sample-client,
# wired together, the client given the token of TOKEN-FILE.  Shows every
# message but the mechanism list, what the server mechanism logged and
# the outcome; returns 0 when the server authenticated a user, 1 when it
# refused, 3 when the exchange went wrong or the plugin did not log
# LOGGED.
sasl() {
	local mech=$1 tok=$2 logged=$3 line got first=yes rc=3 spid cpid
	rm -f "$dir"/f-*
	mkfifo "$dir/f-si" "$dir/f-so" "$dir/f-ci" "$dir/f-co"
	SASL_CONF_PATH=$dir/sasl timeout 30 stdbuf -oL "$sserver" -m "$mech" \
	    -s demo -p "$sasl_plugdir" <"$dir/f-si" >"$dir/f-so" \
	    2>"$dir/srv.err" &
	spid=$!
	SASL_CONF_PATH=$dir/sasl timeout 30 setsid stdbuf -oL "$sclient" \
	    -m "$mech" -s demo -n localhost -p "$sasl_plugdir" \
	    <"$dir/f-ci" >"$dir/f-co" 2>"$dir/cli.err" &
	cpid=$!
	sasl_pids="$spid $cpid"
	exec 3>"$dir/f-si" 4<"$dir/f-so" 5>"$dir/f-ci" 6<"$dir/f-co"
	: >"$dir/srv.out"
	# one round: a server line to the client, a client line to the
	# server, until the server is done or gone
	while :; do
		got=
		while IFS= read -t 10 -r line <&4; do
			echo "$line" >>"$dir/srv.out"
			case $line in
			"S: "*) got=$line; break ;;
			"Negotiation complete") break ;;
			esac
		done
		[ -n "$got" ] || break
		echo "$got" >&5
		if [ -n "$first" ]; then
			echo "server: offers $(printf '%s' "${got#S: }" | base64 -d)"
			cat "$tok" >&5    # getpass reads the token now
			echo >&5
			first=
		else
			show_msg server "${got#S: }"
		fi
		got=
		while IFS= read -t 10 -r line <&6; do
			case $line in "C: "*) got=$line; break ;; esac
		done
		[ -n "$got" ] || break
		show_msg client "${got#C: }"
		echo "$got" >&3
	done
	while IFS= read -t 10 -r line <&4; do
		echo "$line" >>"$dir/srv.out"
		case $line in "S: "*) break ;; esac
	done
	exec 3>&- 5>&- 4<&- 6<&-
	kill "$spid" "$cpid" 2>/dev/null || :
	wait "$spid" "$cpid" 2>/dev/null || :
	sasl_pids=
	rm -f "$dir"/f-*
	# what the server mechanism logged, and how the server ended
	sed -n "s/^[^:]*: SASL [A-Za-z]*: \($mech: \)/server log: \1/p" \
	    "$dir/srv.err"
	if grep -q '^Username: ' "$dir/srv.out"; then
		sed -n 's/^\(Negotiation complete\|Username: .*\)$/server: \1/p' \
		    "$dir/srv.out"
		rc=0
	elif grep -q 'negotiation: authentication failure' "$dir/srv.err"; then
		sed -n 's/^[^:]*: \(.*negotiation: .*\)/server: \1/p' "$dir/srv.err"
		echo "server: nobody authenticated"
		rc=1
	else
		echo "(the exchange did not end in an outcome)"
		sed 's/^/  server: /' "$dir/srv.out" "$dir/srv.err"
		sed 's/^/  client: /' "$dir/cli.err"
	fi
	if ! grep -qF -- "$logged" "$dir/srv.err"; then
		echo "(the server mechanism did not log \"$logged\")"
		rc=3
	fi
	return "$rc"
}

step "SASL: the same token, sasl-sample-client to sasl-sample-server, OAUTHBEARER (jwt_issuers: demo)"
expect 0 "SASL did not authenticate alice" \
    sasl OAUTHBEARER "$dir/token" "accepted user=alice"

step "SASL: the token meant for another audience"
expect 1 "SASL did not refuse the token for another audience" \
    sasl OAUTHBEARER "$dir/token-mail" "is not an audience of section demo"

step "the issuer, at the end"
requests

printf '\ndemo: OK (jwt-auth verify, PAM and SASL: alice accepted, then refused)\n'
