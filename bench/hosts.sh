#!/bin/bash
# bench/hosts.sh - the benchmark lines of the hosts, run by `make bench`
# after bench/bench:
#
#   bench pam-warm RATIO_TO_FLOOR_MODULE RATIO_TO_PAM_PERMIT
#       the median wall time of `pamtester SERVICE alice authenticate`
#       under pam_wrapper with pam_jwt.so (keys in its cache, put there by
#       one earlier login against the loopback issuer: no request is made
#       while it is timed), over the same with bench/pam_floor.so (libcrypto
#       only: the token through the conversation, one key imported, one
#       ES256 verification) and with pam_permit.so; same token, same key;
#       the three take turns run by run (bench/pamtime).  Standard error
#       says whether libcurl was loaded on that path (it must not be).
#   bench pam-cold MILLISECONDS
#       the median wall time of the first login with an empty cache: the
#       module asks the loopback issuer (tests/issuer.py, HTTPS with a test
#       CA) for discovery and the JWKS, then verifies.
#   bench sasl-threads BINDS_PER_S RATIO_TO_CORE
#       bench/sasl-threads: OAUTHBEARER binds through libsasl2 and the
#       plugin, one thread per core, against the core's single-thread ES256
#       rate times the cores, measured in the same process.
#   bench slapd-rss-growth KIB
#       a private slapd on 127.0.0.1 with the plugin (as
#       tests/integration/test_slapd.sh runs it), bench/ldap-binds makes
#       10,000 OAUTHBEARER binds; the growth of slapd's VmRSS from the
#       1,000th bind to the last.
#
# A line whose prerequisites are missing is left out, with the reason on
# standard error.  Everything is written to temporary directories and
# every process started here is stopped; nothing listens beyond
# 127.0.0.1.  BENCH_PAM_RUNS (default 300) sets the pam-warm runs of each
# variant, BENCH_COLD_RUNS (default 5) the pam-cold runs.  Exit status 1
# when a line that could be measured failed.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
export top_srcdir top_builddir
pam_runs=${BENCH_PAM_RUNS:-300}
cold_runs=${BENCH_COLD_RUNS:-5}

# ---- PAM ------------------------------------------------------------------------------

# pam_setup: the module, the floor, pamtester, pam_wrapper; a key, its
# JWKS and public key, the loopback issuer serving it, the configuration,
# the service files and a token for alice.
pam_setup() {
	module=$top_builddir/pam_jwt/.libs/pam_jwt.so
	floor=$top_builddir/bench/.libs/pam_floor.so
	pamtime=$top_builddir/bench/pamtime
	pamtester=${PAMTESTER:-$(command -v pamtester 2>/dev/null || :)}
	[ -f "$module" ] || skip_all "pam_jwt.so is not built (no PAM headers?)"
	[ -f "$floor" ] && [ -x "$pamtime" ] ||
	    skip_all "bench/pam_floor.so or bench/pamtime is not built"
	[ -n "$pamtester" ] && [ -x "$pamtester" ] ||
	    skip_all "pamtester not found (apt-get install pamtester)"
	[ -n "${PAM_WRAPPER_SO:-}" ] && [ -f "$PAM_WRAPPER_SO" ] ||
	    skip_all "pam_wrapper not found (apt-get install libpam-wrapper)"
	[ -x "$JWT_MINT" ] || skip_all "$JWT_MINT is not built"
	if readelf -d "$module" 2>/dev/null | grep -q 'NEEDED.*\[libasan'; then
		skip_all "a sanitizer build: its times say nothing"
	fi
	. "$top_srcdir/tests/netlib.sh"

	"$JWT_MINT" genkey ec256 "$T/k1.pem" >/dev/null &&
	"$JWT_MINT" jwks --kid k1 --alg ES256 "$T/k1.pem" >"$T/jwks" &&
	openssl pkey -in "$T/k1.pem" -pubout -outform DER 2>/dev/null |
	    tail -c 65 >"$T/k1.pub" && [ "$(wc -c <"$T/k1.pub")" -eq 65 ] ||
	    { echo "cannot make the key" >&2; exit 99; }
	start_issuer bench --jwks "$T/jwks" --issuer-path /realms/bench
	write_conf cache_ttl_min=600 cache_ttl_default=3600 \
	    -- audience=bench
	_now=$(date +%s)
	(umask 077 && "$JWT_MINT" sign --key "$T/k1.pem" --alg ES256 --kid k1 \
	    "$(printf '{"iss":"%s","sub":"alice","aud":"bench","iat":%s,"exp":%s,"jti":"bench-1"}' \
	    "$ISSUER_URL" "$_now" "$((_now + 3600))")" >"$T/token") ||
	    { echo "jwt-mint sign failed" >&2; exit 99; }
	svc=$T/pam.d
	mkdir "$svc"
	echo "auth required $module config=$CONF" >"$svc/jwt"
	echo "auth required $floor key=$T/k1.pub" >"$svc/floor"
	echo "auth required pam_permit.so" >"$svc/permit"
}

# pt SERVICE INPUT [ENV...]: one pamtester run, its status.
pt() {
	_svc=$1
	_in=$2
	shift 2
	env "$@" LD_PRELOAD="$PAM_WRAPPER_SO" PAM_WRAPPER=1 \
	    PAM_WRAPPER_SERVICE_DIR="$svc" PAM_WRAPPER_DEBUGLEVEL=2 \
	    timeout 30 "$pamtester" "$_svc" alice authenticate \
	    <"$_in" >"$T/pt.out" 2>"$T/pt.err"
}

pam_warm() {
	# the first login fills the cache; the floor must accept the token too
	pt jwt "$T/token" || {
		echo "pam_jwt refused the token:" >&2
		cat "$T/pt.out" "$T/pt.err" >&2
		exit 1
	}
	pt floor "$T/token" ||
	    { echo "the floor module refused the token" >&2; exit 1; }
	[ "$(counts jwks)" -eq 1 ] ||
	    { echo "the first login did not fetch the keys" >&2; exit 1; }
	reset_counts
	# libcurl on the warm path: the dynamic linker's list of what it loads
	pt jwt "$T/token" LD_DEBUG=files || exit 1
	if grep -q 'file=libcurl' "$T/pt.err"; then
		echo "bench: pam-warm: libcurl WAS loaded on the warm path" >&2
	else
		echo "bench: pam-warm: libcurl not loaded on the warm path" \
		    "(LD_DEBUG=files)" >&2
	fi
	"$pamtime" -n "$pam_runs" -p "$PAM_WRAPPER_SO" -d "$svc" \
	    -t "$pamtester" "jwt:jwt:alice:$T/token" \
	    "floor:floor:alice:$T/token" "permit:permit:alice:/dev/null" \
	    >"$T/times" || exit 1
	_req=$(($(counts discovery) + $(counts jwks)))
	[ "$_req" -eq 0 ] ||
	    { echo "the warm logins made $_req requests" >&2; exit 1; }
	awk -v runs="$pam_runs" '
	    { us[$1] = $2; cpu[$1] = $3 }
	    END {
		printf "bench: pam-warm: median of %d interleaved runs each " \
		    "(keys from the cache, no request): wall pam_jwt %.2f ms, " \
		    "floor %.2f ms, pam_permit %.2f ms; CPU pam_jwt %.2f ms, " \
		    "floor %.2f ms, pam_permit %.2f ms (%.3f, %.3f)\n", runs,
		    us["jwt"] / 1000, us["floor"] / 1000, us["permit"] / 1000,
		    cpu["jwt"] / 1000, cpu["floor"] / 1000,
		    cpu["permit"] / 1000, cpu["jwt"] / cpu["floor"],
		    cpu["jwt"] / cpu["permit"] > "/dev/stderr"
		printf "bench pam-warm %.3f %.3f\n", us["jwt"] / us["floor"],
		    us["jwt"] / us["permit"]
	    }' "$T/times"
}

pam_cold() {
	_i=0
	: >"$T/cold"
	# one untimed first: the files libcurl and OpenSSL read come from disk
	while [ "$_i" -le "$cold_runs" ]; do
		rm -rf "$T/cache"
		mkdir -m 0700 "$T/cache"
		reset_counts
		"$pamtime" -W -n 1 -p "$PAM_WRAPPER_SO" -d "$svc" \
		    -t "$pamtester" "cold:jwt:alice:$T/token" >"$T/one" ||
		    exit 1
		[ "$(counts jwks)" -eq 1 ] ||
		    { echo "a cold login made no JWKS request" >&2; exit 1; }
		[ "$_i" -eq 0 ] || cat "$T/one" >>"$T/cold"
		_i=$((_i + 1))
	done
	sort -n -k2 "$T/cold" | awk '{ v[NR] = $2 }
	    END {
		m = v[int((NR + 1) / 2)]
		printf "bench: pam-cold: median of %d first logins (discovery " \
		    "and JWKS over HTTPS from 127.0.0.1): %.1f ms\n", NR,
		    m / 1000 > "/dev/stderr"
		printf "bench pam-cold %.1f\n", m / 1000
	    }'
}

pam_lines() {
	pam_setup
	pam_warm
	pam_cold
}

# ---- SASL in one process --------------------------------------------------------------

sasl_threads() {
	_dir=$top_builddir/sasl_jwt/.libs
	[ -f "$_dir/libsasl_jwt.so" ] ||
	    skip_all "libsasl_jwt.so is not built (no libsasl2 headers?)"
	[ -x "$top_builddir/bench/sasl-threads" ] ||
	    skip_all "bench/sasl-threads is not built"
	if readelf -d "$_dir/libsasl_jwt.so" 2>/dev/null |
	    grep -q 'NEEDED.*\[libasan'; then
		skip_all "a sanitizer build: its rates say nothing"
	fi
	"$top_builddir/bench/sasl-threads" "$_dir"
}

# ---- slapd ---------------------------------------------------------------------------------

# Where this machine's slapd, slapadd, modules and schema are.
slapd_find() {
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
	[ -x "$top_builddir/bench/ldap-binds" ] ||
	    skip_all "bench/ldap-binds is not built"
	[ -x "$JWT_MINT" ] || skip_all "$JWT_MINT is not built"
}

# Debian's slapd reads its SASL options from /etc/ldap/sasl2 only: slapd
# runs in a private mount namespace with a directory of ours mounted
# there (as root; otherwise in a user namespace of our own).
slapd_namespace() {
	SASL_ETC=/etc/ldap/sasl2
	[ -d "$SASL_ETC" ] || SASL_ETC=
	NS=(unshare -m)
	[ "$(id -u)" -eq 0 ] || NS=(unshare -r -m)
	if [ -n "$SASL_ETC" ] &&
	    ! "${NS[@]}" -- sh -c "mount --bind '$T' '$SASL_ETC'" 2>/dev/null
	then
		skip_all "no private mount namespace for slapd's $SASL_ETC"
	fi
}

slapd_files() {
	TOKEN_USER=alice
	AUDIENCE=ldap-bench
	ISSUER_URL=https://idp.bench
	BASE_DN=dc=example,dc=test
	make_keys
	mint good
	CONF=$T/jwt-auth.conf
	printf '[issuer bench]\nissuer = %s\naudience = %s\nalgorithms = ES256\njwks_file = %s\n' \
	    "$ISSUER_URL" "$AUDIENCE" "$T/jwks1" >"$CONF"
	chmod 0644 "$CONF"
	mkdir -m 0700 "$T/db" "$T/sasl2"
	{
		echo "mech_list: OAUTHBEARER"
		echo "jwt_config: $CONF"
		echo "jwt_issuers: bench"
	} >"$T/sasl2/slapd.conf"
	chmod 0644 "$T/sasl2/slapd.conf"
	{
		for _s in core cosine inetorgperson; do
			echo "include $SCHEMA/$_s.schema"
		done
		echo "pidfile $T/slapd.pid"
		echo "argsfile $T/slapd.args"
		if [ -n "$MODULEPATH" ]; then
			echo "modulepath $MODULEPATH"
			echo "moduleload back_mdb"
		fi
		echo "sasl-secprops noanonymous"
		echo 'authz-regexp "^uid=([^,]+),cn=oauthbearer,cn=auth$"'
		echo "    \"uid=\$1,ou=people,$BASE_DN\""
		echo "database mdb"
		echo "suffix \"$BASE_DN\""
		echo "directory $T/db"
		echo "maxsize 10485760"
	} >"$T/slapd.conf"
	cat >"$T/base.ldif" <<EOF
dn: $BASE_DN
objectClass: dcObject
objectClass: organization
o: jwt-auth bench
dc: example

dn: ou=people,$BASE_DN
objectClass: organizationalUnit
ou: people

dn: uid=alice,ou=people,$BASE_DN
objectClass: inetOrgPerson
uid: alice
cn: Alice
sn: Example
EOF
	"$SLAPADD" -q -f "$T/slapd.conf" -l "$T/base.ldif" >"$T/slapadd.log" 2>&1 ||
	    { echo "slapadd failed:" >&2; cat "$T/slapadd.log" >&2; exit 1; }
}

slapd_start() {
	SLAPD_LOG=$T/slapd.log
	: >"$SLAPD_LOG"
	SYS_SASL_DIR=$(sasl_system_dir "$SLAPD")
	_try=0
	while [ "$_try" -lt 5 ]; do
		_try=$((_try + 1))
		PORT=$(free_port) || { echo "no free port" >&2; exit 1; }
		_run=(env -i PATH="$PATH" LC_ALL=C
		    SASL_PATH="$SASL_PLUGIN_DIR:$SYS_SASL_DIR"
		    SASL_CONF_PATH="$T/sasl2"
		    "$SLAPD" -h "ldap://127.0.0.1:$PORT/" -f "$T/slapd.conf"
		    -d 0)
		if [ -n "$SASL_ETC" ]; then
			"${NS[@]}" -- sh -c 'mount --bind "$1" "$2" && shift 2 &&
			    exec "$@"' sh "$T/sasl2" "$SASL_ETC" "${_run[@]}" \
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
		grep -q "Address already in use" "$SLAPD_LOG" || break
	done
	echo "slapd did not start:" >&2
	cat "$SLAPD_LOG" >&2
	exit 1
}

slapd_rss() {
	slapd_find
	. "$top_srcdir/tests/integration/sasllib.sh"
	if readelf -d "$SASL_PLUGIN" 2>/dev/null | grep -q 'NEEDED.*\[libasan'
	then
		skip_all "a sanitizer build's plugin cannot be loaded by slapd"
	fi
	command -v unshare >/dev/null 2>&1 ||
	    skip_all "unshare(1) is not installed"
	slapd_pid=
	eval "lib_cleanup() $(declare -f cleanup | tail -n +2)"
	cleanup() {
		stop_pid "$slapd_pid"
		lib_cleanup
	}
	slapd_namespace
	slapd_files
	slapd_start
	timeout 110 "$top_builddir/bench/ldap-binds" "$SASL_PLUGIN_DIR" \
	    "$PORT" "$T/tok-good" "$slapd_pid" 1000 10000 || {
		echo "slapd's log:" >&2
		tail -n 20 "$SLAPD_LOG" >&2
		exit 1
	}
}

# ---- each line in a subshell of its own --------------------------------------------

failed=0
# line NAME FUNCTION: run FUNCTION with tests/lib.sh's $T and cleanup;
# skip_all leaves the line out with its reason on standard error.
line() {
	_name=$1
	_rc=0
	(
		. "$top_srcdir/tests/lib.sh"
		skip_all() {
			echo "bench: $_name left out: $1" >&2
			exit 77
		}
		"$2"
	) || _rc=$?
	case $_rc in
	0 | 77) ;;
	*)
		echo "bench: $_name failed (status $_rc)" >&2
		failed=1 ;;
	esac
}

line 'pam-warm and pam-cold' pam_lines
line sasl-threads sasl_threads
line slapd-rss-growth slapd_rss
exit "$failed"
