#!/bin/bash
# test_sasl_tools.sh - libsasl_jwt.so as Cyrus SASL's own programs see it:
#   - the module: only the two entry points exported, libcurl not linked;
#   - saslpluginviewer: the plugin loads ("[loaded]") and lists OAUTHBEARER
#     and XOAUTH2, server and client, with their flags; the server
#     mechanisms are available only when the application's SASL options
#     name the trusted sections (jwt_issuers);
#   - sasl-sample-server with a scripted client: the first "C:" line is
#     base64 of MECH NUL initial-response, later lines answer challenges;
#   - sasl-sample-client (our client plugin) against sasl-sample-server,
#     wired through FIFOs: the samples run under stdbuf -oL, the client
#     under setsid so that getpass, finding no terminal, reads the token
#     from standard input after the server's mechanism list.
# The samples take their plugin directory from -p only (they give libsasl2
# a path callback, so SASL_PATH is not read); saslpluginviewer reads
# SASL_PATH.  Options come from SASL_CONF_PATH/APP.conf (APP: pluginviewer,
# sample).

. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

plugdir=$top_builddir/sasl_jwt/.libs
module=$plugdir/libsasl_jwt.so

[ -f "$module" ] || skip_all "libsasl_jwt.so is not built (no libsasl2 headers?)"
[ "${JWT_AUTH_SANITIZERS:-no}" != yes ] ||
    skip_all "sanitizer build: an ASan-instrumented plugin aborts inside the uninstrumented saslpluginviewer and sample programs (test_sasl runs the plugin under the sanitizers)"
PATH=$PATH:/usr/sbin:/sbin
viewer=$(command -v saslpluginviewer 2>/dev/null ||
    command -v pluginviewer 2>/dev/null || :)
sserver=$(command -v sasl-sample-server 2>/dev/null || :)
sclient=$(command -v sasl-sample-client 2>/dev/null || :)
[ -n "$viewer" ] && [ -n "$sserver" ] && [ -n "$sclient" ] ||
    skip_all "saslpluginviewer, sasl-sample-server or sasl-sample-client not found (install sasl2-bin)"
command -v stdbuf >/dev/null && command -v setsid >/dev/null ||
    skip_all "stdbuf or setsid not found (coreutils, util-linux)"
command -v readelf >/dev/null && command -v nm >/dev/null ||
    skip_all "readelf or nm not found (binutils)"
[ -x "$JWT_MINT" ] || skip_all "$JWT_MINT is not built (make check builds it)"

iss=https://idp.test
aud=mail
now=$(date +%s)
mkdir -p "$T/conf" "$T/conf-net" "$T/conf-none" "$T/conf-bad" || exit 99

"$JWT_MINT" genkey ec256 "$T/k1.pem" &&
"$JWT_MINT" genkey ec256 "$T/stranger.pem" &&
"$JWT_MINT" jwks --kid k1 "$T/k1.pem" >"$T/jwks.json" ||
    { echo "cannot make keys with jwt-mint" >&2; exit 99; }
chmod 0644 "$T/jwks.json"
cat >"$T/jwt-auth.conf" <<EOF || exit 99
[global]
cache_dir = $T/cache

[issuer corp]
issuer = $iss
audience = $aud
jwks_file = $T/jwks.json

[issuer net]
issuer = https://net.test
audience = $aud
jwks_uri = https://127.0.0.1:1/
http_timeout = 2
EOF
for app in pluginviewer sample; do
	printf 'jwt_issuers: corp\njwt_config: %s/jwt-auth.conf\n' "$T" \
	    >"$T/conf/$app.conf"
	printf 'jwt_issuers: net\njwt_config: %s/jwt-auth.conf\n' "$T" \
	    >"$T/conf-net/$app.conf"
	printf 'jwt_issuers: nosuch\njwt_config: %s/jwt-auth.conf\n' "$T" \
	    >"$T/conf-bad/$app.conf"
done

# mint NAME KEY CLAIMS: a token in $T/tok-NAME.
mint() {
	"$JWT_MINT" sign --key "$2" --alg ES256 --kid k1 "$3" |
	    tr -d '\n' >"$T/tok-$1" ||
	    { echo "jwt-mint sign failed" >&2; exit 99; }
}
claims() { # ISS SUB EXP
	printf '{"iss":"%s","aud":"%s","sub":"%s","exp":%s}' "$1" "$aud" "$2" "$3"
}
mint good "$T/k1.pem" "$(claims "$iss" alice $((now + 600)))"
mint expired "$T/k1.pem" "$(claims "$iss" alice $((now - 3600)))"
mint stranger "$T/stranger.pem" "$(claims "$iss" alice $((now + 600)))"
mint evil "$T/k1.pem" "$(claims https://evil.test alice $((now + 600)))"
mint net "$T/k1.pem" "$(claims https://net.test alice $((now + 600)))"
good=$(cat "$T/tok-good")

# no_token_in FILE DESC: no token's signature is in FILE.
no_token_in() {
	for _f in "$T"/tok-*; do
		_sig=$(cut -d. -f3 <"$_f")
		if grep -qF -e "$_sig" "$1"; then
			not_ok "$2: the signature of $(basename "$_f") was logged"
			return
		fi
	done
}

json_corp='{"status":"invalid_token","openid-configuration":"https://idp.test/.well-known/openid-configuration"}'
json_google='{"status":"401","schemes":"bearer"}'

# ---- the module ---------------------------------------------------------------

if readelf -d "$module" | grep -q 'NEEDED.*libcurl'; then
	not_ok "libsasl_jwt.so links libcurl"
else
	ok "libsasl_jwt.so does not link libcurl"
fi
if readelf -d "$module" | grep -q 'NEEDED.*libsasl2'; then
	not_ok "libsasl_jwt.so links libsasl2 (it takes its functions from the host)"
else
	ok "libsasl_jwt.so does not link libsasl2"
fi
exports=$(nm -D --defined-only "$module" | awk '{ print $NF }' | sort |
    tr '\n' ' ')
if [ "$exports" = "sasl_client_plug_init sasl_server_plug_init " ]; then
	ok "only sasl_server_plug_init and sasl_client_plug_init are exported"
else
	not_ok "exported symbols: $exports"
fi

# ---- saslpluginviewer ------------------------------------------------------------

# viewer CONFDIR: saslpluginviewer -s -c with the options of CONFDIR.
viewer() {
	expect_exit 0 "saslpluginviewer ($(basename "$1"))" \
	    env SASL_PATH="$plugdir" SASL_CONF_PATH="$1" "$viewer" -s -c
}
# line_after HEADING: the line after HEADING in the last stdout.
line_after() {
	awk -v h="$1" 'f { print; exit } index($0, h) == 1 { f = 1 }' \
	    "$T/stdout"
}
# block SIDE MECH WHAT: the WHAT line ("security flags", "features") of
# MECH in the server or client plugin list.
block() {
	awk -v side="List of $1 plugins follows" -v m="SASL mechanism: $2," \
	    -v w="$3:" '
	    /^List of / { in_side = ($0 == side) }
	    in_side && index($0, m) { f = 1; next }
	    f && index($0, w) { sub(/^[ \t]*/, ""); print; exit }' "$T/stdout"
}
# has WORD LINE: LINE holds WORD as a whole word.
has() {
	case " $2 " in *" $1 "*) return 0 ;; esac
	return 1
}

# count_loaded: how often the last listing shows the plugin [loaded].
count_loaded() {
	grep -c '^Plugin "sasl_jwt" \[loaded\]' "$T/stdout"
}
# flags SIDE: the flags and features of both mechanisms on SIDE.
flags() {
	for m in OAUTHBEARER XOAUTH2; do
		f=$(block "$1" "$m" "security flags")
		if [ "$f" = "security flags: NO_ANONYMOUS|PASS_CREDENTIALS" ]; then
			ok "$1 $m: $f"
		else
			not_ok "$1 $m: \"$f\""
		fi
	done
	f=$(block "$1" OAUTHBEARER features)
	if [ "$f" = "features: WANT_CLIENT_FIRST|PROXY_AUTHENTICATION" ]; then
		ok "$1 OAUTHBEARER: $f"
	else
		not_ok "$1 OAUTHBEARER: \"$f\""
	fi
	f=$(block "$1" XOAUTH2 features)
	if [ "$f" = "features: WANT_CLIENT_FIRST" ]; then
		ok "$1 XOAUTH2: $f"
	else
		not_ok "$1 XOAUTH2: \"$f\""
	fi
}

# No options: installed, loaded, but no server mechanism offered (the
# viewer then lists the client plugins only).
viewer "$T/conf-none"
installed=$(line_after "Installed and properly configured SASL (server side)")
available=$(line_after "Available SASL (server side) mechanisms")
if has OAUTHBEARER "$installed" && has XOAUTH2 "$installed"; then
	ok "both server mechanisms are installed"
else
	not_ok "installed server mechanisms: $installed"
fi
if has OAUTHBEARER "$available" || has XOAUTH2 "$available"; then
	not_ok "offered without jwt_issuers: $available"
else
	ok "not offered without jwt_issuers"
fi
expect_stderr_contains "jwt_issuers is not set" "the reason is logged"
if [ "$(count_loaded)" -eq 2 ]; then
	ok "without jwt_issuers: client mechanisms [loaded]"
else
	not_ok "without jwt_issuers: $(count_loaded) times [loaded]"
	show_last
fi
flags client

# jwt_issuers: corp
viewer "$T/conf"
available=$(line_after "Available SASL (server side) mechanisms")
if has OAUTHBEARER "$available" && has XOAUTH2 "$available"; then
	ok "offered with jwt_issuers: corp"
else
	not_ok "not offered with jwt_issuers: corp: $available"
	show_last
fi
if [ "$(count_loaded)" -eq 4 ]; then
	ok "with jwt_issuers: server and client mechanisms [loaded]"
else
	not_ok "with jwt_issuers: $(count_loaded) times [loaded]"
	show_last
fi
flags server
flags client
expect_stderr_lacks "not offered" "nothing to complain about"

viewer "$T/conf-bad"
available=$(line_after "Available SASL (server side) mechanisms")
if has OAUTHBEARER "$available" || has XOAUTH2 "$available"; then
	not_ok "offered with jwt_issuers naming no section: $available"
else
	ok "not offered with jwt_issuers naming no section"
fi
expect_stderr_contains "no issuer section named nosuch" \
    "the misconfiguration is logged"

# ---- sasl-sample-server, scripted client -------------------------------------------

# cline MECH FORMAT [ARG...]: a client line, base64 of MECH NUL message.
cline() {
	_m=$1
	shift
	printf 'C: '
	{ printf '%s\000' "$_m"; printf "$@"; } | base64 -w0
	echo
}
# aline FORMAT [ARG...]: a client line answering a challenge.
aline() {
	printf 'C: '
	printf "$@" | base64 -w0
	echo
}
# server NAME CONFDIR MECH CODE DESC: sasl-sample-server reading
# $T/in-NAME.
server() {
	expect_exit_in "$T/in-$1" "$4" "$5" env SASL_CONF_PATH="$2" \
	    stdbuf -oL "$sserver" -m "$3" -s imap -p "$plugdir"
	no_token_in "$T/stderr" "$5"
}
# challenge: the server's challenge (the second S: line), decoded.
challenge() {
	grep '^S: ' "$T/stdout" | sed -n '2{s/^S: //;p}' | base64 -d
}
expect_challenge() {
	_got=$(challenge)
	if [ "$_got" = "$1" ]; then
		ok "$2: challenge $1"
	else
		not_ok "$2: challenge \"$_got\", expected $1"
	fi
}
expect_no_challenge() {
	if [ "$(grep -c '^S: ' "$T/stdout")" -eq 1 ]; then
		ok "$1: no challenge"
	else
		not_ok "$1: a challenge was sent"
	fi
}
# The samples end a good exchange by passing one message each way.
final=$(aline 'client message 1\000')

{ cline OAUTHBEARER 'n,,\001auth=Bearer %s\001\001' "$good"
  echo "$final"; } >"$T/in-good"
server good "$T/conf" OAUTHBEARER 0 "OAUTHBEARER: good token"
expect_stdout_contains "Username: alice" "OAUTHBEARER: the user is alice"
expect_stderr_contains "accepted user=alice section=corp" \
    "OAUTHBEARER: the outcome is logged"

{ cline OAUTHBEARER 'n,a=alice,\001host=mail.test\001port=143\001auth=Bearer %s\001\001' \
    "$good"; echo "$final"; } >"$T/in-authzid"
server authzid "$T/conf" OAUTHBEARER 0 "OAUTHBEARER: a=alice, host, port"
expect_stdout_contains "Username: alice" "OAUTHBEARER: a=alice is alice"

{ cline XOAUTH2 'user=alice\001auth=Bearer %s\001\001' "$good"
  echo "$final"; } >"$T/in-x2"
server x2 "$T/conf" XOAUTH2 0 "XOAUTH2: good token"
expect_stdout_contains "Username: alice" "XOAUTH2: the user is alice"

for t in expired stranger evil; do
	{ cline OAUTHBEARER 'n,,\001auth=Bearer %s\001\001' "$(cat "$T/tok-$t")"
	  aline '\001'; } >"$T/in-$t"
	server "$t" "$T/conf" OAUTHBEARER 1 "OAUTHBEARER: $t token"
	expect_challenge "$json_corp" "OAUTHBEARER: $t token"
	expect_stderr_contains "authentication failure" \
	    "OAUTHBEARER: $t token: SASL_BADAUTH after %x01"
	if grep -q '^Username:' "$T/stdout"; then
		not_ok "OAUTHBEARER: $t token: somebody logged in"
	else
		ok "OAUTHBEARER: $t token: nobody logged in"
	fi
done
expect_stderr_contains "is not the issuer of a trusted section" \
    "the unknown issuer is logged"

{ cline OAUTHBEARER 'n,,\001auth=\001\001'; aline '\001'; } >"$T/in-disc"
server disc "$T/conf" OAUTHBEARER 1 "OAUTHBEARER: discovery request"
expect_challenge "$json_corp" "OAUTHBEARER: discovery request"
expect_stderr_contains "authentication failure" \
    "OAUTHBEARER: discovery request: SASL_BADAUTH after %x01"

{ cline OAUTHBEARER 'n,,\001auth=Bearer %s\001\001' "$(cat "$T/tok-expired")"
  aline 'x'; } >"$T/in-badack"
server badack "$T/conf" OAUTHBEARER 1 "OAUTHBEARER: a wrong answer to the challenge"
expect_stderr_contains "bad protocol" \
    "OAUTHBEARER: a wrong answer to the challenge: SASL_BADPROT"

cline OAUTHBEARER 'n,,\001auth=Bearer %s\001' "$good" >"$T/in-nofinal"
server nofinal "$T/conf" OAUTHBEARER 1 "OAUTHBEARER: missing final %x01"
expect_no_challenge "OAUTHBEARER: missing final %x01"
expect_stderr_contains "bad protocol" "OAUTHBEARER: missing final %x01: SASL_BADPROT"

cline OAUTHBEARER 'y,,\001auth=Bearer %s\001\001' "$good" >"$T/in-y"
server y "$T/conf" OAUTHBEARER 1 "OAUTHBEARER: y,,"
expect_stderr_contains "bad protocol" "OAUTHBEARER: y,,: SASL_BADPROT"

cline XOAUTH2 'user=alice\001auth=Bearer %s' "$good" >"$T/in-x2trail"
server x2trail "$T/conf" XOAUTH2 1 "XOAUTH2: no trailing %x01%x01"
expect_stderr_contains "bad protocol" "XOAUTH2: no trailing %x01%x01: SASL_BADPROT"

{ cline XOAUTH2 'user=bob\001auth=Bearer %s\001\001' "$good"
  echo 'C: '; } >"$T/in-x2bob"
server x2bob "$T/conf" XOAUTH2 1 "XOAUTH2: user bob, token of alice"
expect_challenge "$json_google" "XOAUTH2: user bob, token of alice"
expect_stderr_contains "authentication failure" \
    "XOAUTH2: user mismatch: SASL_BADAUTH after an empty answer"

cline OAUTHBEARER 'n,,\001auth=Bearer %s\001\001' "$(cat "$T/tok-net")" \
    >"$T/in-net"
server net "$T/conf-net" OAUTHBEARER 1 "OAUTHBEARER: keys unavailable"
expect_no_challenge "OAUTHBEARER: keys unavailable"
expect_stderr_contains "remote authentication server unavailable" \
    "OAUTHBEARER: keys unavailable: SASL_UNAVAIL"

cline OAUTHBEARER 'n,,\001auth=Bearer %s\001\001' "$good" >"$T/in-off"
server off "$T/conf-none" OAUTHBEARER 1 "OAUTHBEARER: without jwt_issuers"
expect_stderr_contains "no mechanism available" \
    "OAUTHBEARER: without jwt_issuers: not offered"

# ---- sasl-sample-client against sasl-sample-server ------------------------------------

# pair NAME MECH TOKEN [CLIENT-OPTION...]: the two samples wired together;
# their outputs in $T/NAME.{srv,cli}.{out,err}, the relayed lines in
# $T/NAME.relay.
pair() {
	_n=$1 _mech=$2 _tok=$3
	shift 3
	rm -f "$T"/f-*
	mkfifo "$T/f-si" "$T/f-so" "$T/f-ci" "$T/f-co" || exit 99
	SASL_CONF_PATH=$T/conf timeout 30 stdbuf -oL "$sserver" -m "$_mech" \
	    -s imap -p "$plugdir" <"$T/f-si" >"$T/f-so" 2>"$T/$_n.srv.err" &
	_spid=$!
	SASL_CONF_PATH=$T/conf timeout 30 setsid stdbuf -oL "$sclient" \
	    -m "$_mech" -s imap -n mail.test -p "$plugdir" "$@" \
	    <"$T/f-ci" >"$T/f-co" 2>"$T/$_n.cli.err" &
	_cpid=$!
	exec 3>"$T/f-si" 4<"$T/f-so" 5>"$T/f-ci" 6<"$T/f-co"
	: >"$T/$_n.srv.out"
	: >"$T/$_n.relay"
	_first=yes
	# Relay S: lines to the client and C: lines to the server, one
	# round at a time, until the server is done or gone.
	while :; do
		_got=
		while IFS= read -t 10 -r _l <&4; do
			echo "$_l" >>"$T/$_n.srv.out"
			case $_l in
			"S: "*) _got=$_l; break ;;
			"Negotiation complete") break ;;
			esac
		done
		[ -n "$_got" ] || break
		echo "S> $_got" >>"$T/$_n.relay"
		echo "$_got" >&5
		if [ -n "$_first" ]; then
			echo "$_tok" >&5    # getpass reads the token now
			_first=
		fi
		_got=
		while IFS= read -t 10 -r _l <&6; do
			case $_l in "C: "*) _got=$_l; break ;; esac
		done
		[ -n "$_got" ] || break
		echo "C> $_got" >>"$T/$_n.relay"
		echo "$_got" >&3
	done
	while IFS= read -t 10 -r _l <&4; do
		echo "$_l" >>"$T/$_n.srv.out"
		case $_l in "S: "*) break ;; esac
	done
	exec 3>&- 5>&- 4<&- 6<&-
	kill "$_spid" "$_cpid" 2>/dev/null
	wait "$_spid" "$_cpid" 2>/dev/null
	rm -f "$T"/f-*
}
# relayed NAME N: the Nth C> line of the relay, decoded.
relayed() {
	sed -n 's/^C> C: //p' "$T/$1.relay" | sed -n "${2}p" | base64 -d |
	    od -An -c | tr -s ' \n' ' '
}
expect_relayed() { # NAME N EXPECTED-FORMAT [ARG...] DESC
	_n=$1 _i=$2
	shift 2
	_desc=${*: -1}
	_want=$(printf "${@:1:$#-1}" | od -An -c | tr -s ' \n' ' ')
	_got=$(relayed "$_n" "$_i")
	if [ "$_got" = "$_want" ]; then
		ok "$_desc"
	else
		not_ok "$_desc: sent$_got"
	fi
}

pair pgood OAUTHBEARER "$good"
expect_relayed pgood 1 'OAUTHBEARER\000n,,\001host=mail.test\001auth=Bearer %s\001\001' \
    "$good" "sample client: the OAUTHBEARER message"
if grep -q '^Username: alice$' "$T/pgood.srv.out"; then
	ok "sample client to sample server: OAUTHBEARER, alice logged in"
else
	not_ok "sample client to sample server: OAUTHBEARER, alice not logged in"
	sed 's/^/  /' "$T/pgood.srv.out" "$T/pgood.srv.err" "$T/pgood.cli.err"
fi

pair pexp OAUTHBEARER "$(cat "$T/tok-expired")"
expect_relayed pexp 2 '\001' "sample client: %x01 after the error challenge"
if grep -q 'authentication failure' "$T/pexp.srv.err" &&
    ! grep -q '^Username:' "$T/pexp.srv.out"; then
	ok "sample client to sample server: expired token refused"
else
	not_ok "sample client to sample server: expired token not refused"
	sed 's/^/  /' "$T/pexp.srv.out" "$T/pexp.srv.err" "$T/pexp.cli.err"
fi

pair px2 XOAUTH2 "$good" -a alice
expect_relayed px2 1 'XOAUTH2\000user=alice\001auth=Bearer %s\001\001' \
    "$good" "sample client: the XOAUTH2 message"
if grep -q '^Username: alice$' "$T/px2.srv.out"; then
	ok "sample client to sample server: XOAUTH2, alice logged in"
else
	not_ok "sample client to sample server: XOAUTH2, alice not logged in"
	sed 's/^/  /' "$T/px2.srv.out" "$T/px2.srv.err" "$T/px2.cli.err"
fi

pair px2bob XOAUTH2 "$good" -a bob
if [ "$(grep '^C> ' "$T/px2bob.relay" | tail -n 1)" = "C> C: " ] &&
    grep -q 'authentication failure' "$T/px2bob.srv.err"; then
	ok "sample client to sample server: XOAUTH2 user bob refused after an empty answer"
else
	not_ok "sample client to sample server: XOAUTH2 user bob"
	sed 's/^/  /' "$T/px2bob.relay" "$T/px2bob.srv.err" "$T/px2bob.cli.err"
fi

before=$n_fail
for f in "$T"/*.srv.err "$T"/*.cli.err; do
	no_token_in "$f" "$(basename "$f")"
done
[ "$n_fail" -ne "$before" ] || ok "no token in the samples' logs"

finish
