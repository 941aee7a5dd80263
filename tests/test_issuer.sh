#!/bin/bash
# test_issuer.sh - keys from a real HTTPS issuer on 127.0.0.1 (tests/issuer.py,
# with a CA made at test time by tests/mkcerts.sh): discovery, fetching, the
# cache shared by every process, freshness, rotation, outages, refusals, and
# `jwt-auth fetch` and `jwt-auth status`.  Every case checks the exit status
# of the real jwt-auth and the requests the issuer saw.

. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

[ -x "$JWT_AUTH" ] || skip_all "$JWT_AUTH is not built"
[ -x "$JWT_MINT" ] || skip_all "$JWT_MINT is not built (make check builds it)"

. "$top_srcdir/tests/netlib.sh"

now=$(date +%s)
later=$((now + 3600))
# nothing may ever print the body of a garbage answer
never_print=jwt-auth-test-garbage

# ---- keys, key sets, the issuer, tokens --------------------------------------
"$JWT_MINT" genkey ec256 "$T/k1.pem" &&
"$JWT_MINT" genkey ec256 "$T/k2.pem" &&
"$JWT_MINT" genkey ec256 "$T/stranger.pem" &&
"$JWT_MINT" genkey rsa2048 "$T/rsa.pem" &&
"$JWT_MINT" jwks --kid k1 --alg ES256 "$T/k1.pem" >"$T/jwks1" &&
"$JWT_MINT" jwks --kid k2 --alg ES256 "$T/k2.pem" >"$T/jwks2" ||
    { echo "cannot make keys with jwt-mint" >&2; exit 99; }
echo '{"keys":[]}' >"$T/jwks-empty"
# a key set whose only key may never come from a JWKS
echo '{"keys":[{"kty":"oct","kid":"h1","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"}]}' \
    >"$T/jwks-oct"
chmod 0644 "$T"/jwks*

start_issuer main --jwks "$T/jwks1" --issuer-path /realms/corp
case $ISSUER_URL in
https://127.0.0.1:*/realms/corp) ;;
*) echo "unexpected issuer URL $ISSUER_URL" >&2; exit 99 ;;
esac

# mint NAME KEY KID [ISS [EXP [ALG]]]: a token in $T/tok-NAME.
mint() {
	printf '{"iss":"%s","sub":"alice","aud":"api","exp":%s,"iat":%s,"jti":"j-%s"}' \
	    "${4:-$ISSUER_URL}" "${5:-$later}" "$now" "$1" >"$T/claims"
	"$JWT_MINT" sign --key "$2" --alg "${6:-ES256}" --kid "$3" \
	    "$(cat "$T/claims")" >"$T/tok-$1" ||
	    { echo "jwt-mint sign failed" >&2; exit 99; }
}
mint k1 "$T/k1.pem" k1
mint k2 "$T/k2.pem" k2
for _k in 7 9 10 11 12 13; do
	mint "k$_k" "$T/stranger.pem" "k$_k"
done
mint expired-unknown "$T/stranger.pem" k20 "$ISSUER_URL" $((now - 3600))
mint foreign-iss "$T/stranger.pem" k21 https://elsewhere.example.test
mint rs-unknown "$T/rsa.pem" k22 "$ISSUER_URL" "$later" RS256

tok() { cat "$T/tok-$1"; }

# verify TOKEN [CONF]: jwt-auth verify of a minted token.
verify() {
	ja verify -c "${2:-$CONF}" "$(tok "$1")"
}
fetch() {
	ja fetch -c "$CONF" "$@"
}
status() {
	ja status -c "$CONF"
}

# fresh [write_conf args]: the issuer back to its start (counters, first key
# set, mode ok), an empty cache, a new $CONF.
fresh() {
	ctl /reset >/dev/null
	rm -rf "$T/cache"
	write_conf "$@"
}

# set_server QUERY: change the issuer's behaviour (/set?QUERY).
set_server() {
	ctl "/set?$1" >/dev/null
}

# expect_within MS DESC: the last timed run took less than MS milliseconds.
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

# since FIELD: seconds from FIELD of section corp to now (empty when FIELD
# is not a UTC time).
since() {
	_a=$(epoch "$(status_get corp "$1")")
	[ -z "$_a" ] || echo $(($(date +%s) - _a))
}

# cache_files DIR: the issuer cache files in DIR, one a line.
cache_files() {
	ls -A "$1" 2>/dev/null | grep -E '^[0-9a-f]{64}\.json$'
}
# the_cache_file [DIR]: the one cache file in DIR (default $T/cache); counts
# a failure and names a file that does not exist when there is not exactly
# one.
the_cache_file() {
	_d=${1:-$T/cache}
	_f=$(cache_files "$_d")
	if [ -n "$_f" ] && [ "$(echo "$_f" | wc -l)" -eq 1 ]; then
		cf=$_d/$_f
	else
		not_ok "expected one <64 hex>.json in $_d, found: $(ls -A "$_d" |
		    tr '\n' ' ')"
		cf=$_d/no-cache-file
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
# epoch ISO-TIME: seconds since the epoch, or empty when not a UTC time.
epoch() {
	case $1 in
	[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z)
		date -u -d "$1" +%s 2>/dev/null ;;
	esac
}

# expect_line REGEX DESC: a line of the last run's stdout matches REGEX.
expect_line() {
	if grep -qE -e "$1" "$T/stdout"; then
		ok "$2"
	else
		not_ok "$2: no line of stdout matches /$1/"
		show_last
	fi
}
expect_stderr_line() {
	if grep -qE -e "$1" "$T/stderr"; then
		ok "$2"
	else
		not_ok "$2: no line of stderr matches /$1/"
		show_last
	fi
}
# expect_between LOW HIGH VALUE DESC
expect_between() {
	case $3 in
	'' | *[!0-9-]* | ?*-*) set -- 1 0 "$3" "$4" ;;
	esac
	if [ "$1" -le "$2" ] && [ "$3" -ge "$1" ] && [ "$3" -le "$2" ]; then
		ok "$4 ($3 in [$1, $2])"
	else
		not_ok "$4: '$3' is not in [$1, $2]"
		show_last
	fi
}
# fresh_for: the S of "fresh for S s" in the last run's stdout.
fresh_for() {
	sed -n 's/^corp: .*, fresh for \([0-9][0-9]*\) s$/\1/p' "$T/stdout" |
	    head -n 1
}
# status_span FIELD1 FIELD2: seconds from FIELD1 to FIELD2 of section corp.
status_span() {
	_a=$(epoch "$(status_get corp "$1")")
	_b=$(epoch "$(status_get corp "$2")")
	if [ -n "$_a" ] && [ -n "$_b" ]; then
		echo $((_b - _a))
	fi
}

# ---- cold, warm, status, fetch ------------------------------------------------
fresh
expect_exit 0 "status with nothing cached" status
expect_line '^section corp$' "status: section line"
expect_line "^[[:space:]]+issuer: $ISSUER_URL\$" "status: issuer"
expect_line "^[[:space:]]+source: $ISSUER_BASE/" "status: source is the issuer's URL"
expect_line '^[[:space:]]+keys: none$' "status: no keys yet"
expect_line '^[[:space:]]+fetched at: never$' "status: never fetched"
expect_line '^[[:space:]]+last failure: none$' "status: no failure yet"
expect_count requests 0 "status never fetches"
expect_count connections 0 "status opens no connection"

expect_exit 0 "cold verify" verify k1
expect_stdout_contains '"kid":"k1"' "cold verify: kid printed"
expect_count discovery 1 "cold verify: one discovery request"
expect_count jwks 1 "cold verify: one JWKS request"
the_cache_file
if [ -f "$cf" ] && [ ! -L "$cf" ]; then
	ok "cache file is a regular file"
else
	not_ok "cache file $cf is not a regular file"
fi
case $(stat -c %a "$cf") in
[0-7][0145][0145]) ok "cache file not writable by group or others" ;;
*) not_ok "cache file mode $(stat -c %a "$cf")" ;;
esac
if [ "$(stat -c %u "$cf")" -eq "$(id -u)" ]; then
	ok "cache file owned by the writer"
else
	not_ok "cache file owned by uid $(stat -c %u "$cf")"
fi
if ls -A "$T/cache" | grep -qvE '^[0-9a-f]{64}\.(json|lock)$'; then
	not_ok "cache_dir holds other files: $(ls -A "$T/cache" | tr '\n' ' ')"
else
	ok "cache_dir holds only <hash>.json and <hash>.lock"
fi
if grep -qF "$(tok k1 | cut -d. -f3)" "$cf"; then
	not_ok "the cache file holds a token's signature"
else
	ok "the cache file holds no token"
fi

reset_counts
expect_exit 0 "warm verify" verify k1
expect_count requests 0 "warm verify: no request"
expect_count connections 0 "warm verify: no connection"

# The warm path never loads libcurl (ld.so's LD_DEBUG=libs lists every
# library it loads, dlopen included).  The cold run shows that the check
# can see libcurl; a fetch in a helper process without the environment would
# not show it there, which is allowed.
expect_exit 0 "warm verify under LD_DEBUG=libs" \
    env LD_DEBUG=libs timeout -k 5 60 "$JWT_AUTH" verify -c "$CONF" "$(tok k1)"
if ! grep -q 'calling init:' "$T/stderr"; then
	echo "# ld.so printed nothing for LD_DEBUG: skipping the libcurl check"
else
	expect_stderr_lacks libcurl "warm verify does not load libcurl"
	mv "$T/cache" "$T/cache.warm" && mkdir -m 0700 "$T/cache"
	expect_exit 0 "cold verify under LD_DEBUG=libs" \
	    env LD_DEBUG=libs timeout -k 5 60 "$JWT_AUTH" verify -c "$CONF" \
	    "$(tok k1)"
	if grep -q libcurl "$T/stderr"; then
		ok "cold verify loads libcurl (the check can see it)"
	else
		echo "# cold verify showed no libcurl: fetched in a helper?"
	fi
	rm -rf "$T/cache" && mv "$T/cache.warm" "$T/cache"
fi
if command -v ldd >/dev/null 2>&1 && ldd "$JWT_AUTH" >"$T/ldd" 2>&1; then
	if grep -q libcurl "$T/ldd"; then
		not_ok "jwt-auth is linked with libcurl: $(grep libcurl "$T/ldd")"
	else
		ok "jwt-auth is not linked with libcurl"
	fi
fi
reset_counts

expect_exit 0 "status after a fetch" status
expect_line '^[[:space:]]+keys: k1 \(1\)$' "status: the key id"
expect_line '^[[:space:]]+fetched at: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' \
    "status: fetched at, in UTC"
fetched_at=$(epoch "$(status_get corp "fetched at")")
expect_between $((now - 5)) $(($(date +%s) + 1)) "${fetched_at:-x}" \
    "status: fetched at is the time of the fetch"
span=$(status_span "fresh until" "stale until")
expect_between 3599 3601 "$span" "status: stale until is fresh until + stale_max"
expect_line '^[[:space:]]+last failure: none$' "status: no failure"
expect_count requests 0 "status with a cache makes no request"

expect_exit 0 "fetch with a fresh cache" fetch
expect_line '^corp: not modified, fresh for [0-9]+ s$' \
    "fetch: revalidated with the ETag"
expect_count jwks 1 "fetch ignores freshness: one JWKS request"
expect_count jwks_304 1 "fetch: answered 304"
expect_count inm 1 "fetch sent If-None-Match"
expect_exit 0 "fetch naming the section" fetch corp
expect_line '^corp: ' "fetch NAME: one line for the section"
expect_exit 2 "fetch naming no section" fetch nosuch
expect_stderr_contains nosuch "fetch: unknown section named"
reset_counts
expect_exit 2 "fetch with a missing configuration" \
    ja fetch -c "$T/absent.conf"
expect_exit 2 "status with a missing configuration" \
    ja status -c "$T/absent.conf"
expect_exit 2 "status with an extra argument" ja status -c "$CONF" corp
expect_count requests 0 "configuration errors make no request"

# ---- freshness: max-age honoured and clamped ----------------------------------
# fetch_with_max_age AGE CONF-ARGS...: an empty cache, one fetch.
fetch_with_max_age() {
	_age=$1
	shift
	fresh "$@"
	set_server "max_age=$_age"
	expect_exit 0 "fetch, max-age $_age, $*" fetch
	expect_line '^corp: fetched 1 keys?, fresh for [0-9]+ s$' \
	    "fetch, max-age $_age: fetched line"
	_s=$(fresh_for)
	expect_exit 0 "status after fetch, max-age $_age" status
}
fetch_with_max_age 999999 cache_ttl_max=120
expect_between 108 120 "$_s" "max-age above cache_ttl_max: clamped"
expect_between 108 121 "$(status_span "fetched at" "fresh until")" \
    "status: fresh until at most fetched at + cache_ttl_max"
fetch_with_max_age 100
expect_between 90 100 "$_s" "max-age 100 honoured, less 0-10 % jitter"
expect_between 90 101 "$(status_span "fetched at" "fresh until")" \
    "status: fresh until = fetched at + max-age"
fetch_with_max_age 5 cache_ttl_min=30
expect_between 30 30 "$_s" "max-age below cache_ttl_min: raised, no jitter below"
fetch_with_max_age -1 cache_ttl_default=200
expect_between 180 200 "$_s" "no max-age: cache_ttl_default less jitter"

# ---- expiry and revalidation ----------------------------------------------------
fresh
set_server "max_age=1"
expect_exit 0 "ETag: cold verify, max-age 1" verify k1
sleep 2
reset_counts
expect_exit 0 "ETag: verify after expiry" verify k1
expect_count jwks 1 "ETag: one JWKS request after expiry"
expect_count jwks_304 1 "ETag: revalidated, 304"
expect_count inm 1 "ETag: If-None-Match sent"
expect_exit 0 "ETag: status after the 304" status
# fresh until renewed: the 304 carried max-age 1 again
expect_between -2 0 "$(since "fresh until")" "ETag: a 304 renews freshness"
reset_counts
expect_exit 0 "fetch after a 304" fetch
expect_line '^corp: not modified, fresh for [0-9]+ s$' "fetch: not modified line"
expect_count jwks_304 1 "fetch: revalidated, 304"

fresh
set_server "max_age=1&no_etag=1"
expect_exit 0 "Last-Modified: cold verify, max-age 1" verify k1
sleep 2
reset_counts
expect_exit 0 "Last-Modified: verify after expiry" verify k1
expect_count jwks 1 "Last-Modified: one JWKS request after expiry"
expect_count ims 1 "Last-Modified: If-Modified-Since sent"
expect_count jwks_304 1 "Last-Modified: revalidated, 304"

# ---- rotation and unknown kids --------------------------------------------------
fresh
expect_exit 0 "rotation: cold verify with k1" verify k1
set_server "jwks=$T/jwks2"
reset_counts
expect_exit 0 "rotation: token with the new kid k2" verify k2
expect_count jwks 1 "rotation: exactly one JWKS refetch"
expect_count_le discovery 1 "rotation: at most one discovery request"
reset_counts
expect_exit 0 "rotation: k2 again" verify k2
expect_count requests 0 "rotation: k2 again, no request"
expect_exit 1 "rotation: k1, withdrawn, within kid_refetch_interval" verify k1
expect_count requests 0 "rotation: no refetch within kid_refetch_interval"
expect_exit 0 "rotation: status" status
expect_line '^[[:space:]]+keys: k2 \(1\)$' "rotation: status shows k2 only"

fresh
expect_exit 0 "burst: cold verify" verify k1
reset_counts
for _k in 9 10 11 12 13; do
	expect_exit 1 "burst: unknown kid k$_k" verify "k$_k"
	expect_stderr_contains "k$_k" "burst: refusal names kid k$_k"
done
expect_count_le jwks 1 "burst: at most one refetch in kid_refetch_interval"
expect_count_le discovery 1 "burst: at most one discovery request"
reset_counts
expect_exit 0 "burst: the known key still works" verify k1
expect_count requests 0 "burst: known key, no request"

fresh
expect_exit 0 "cheap checks: cold verify" verify k1
reset_counts
expect_exit 1 "unknown kid in an expired token" verify expired-unknown
expect_exit 1 "unknown kid, iss of no section" verify foreign-iss
expect_exit 1 "unknown kid, algorithm not allowed" verify rs-unknown
expect_count requests 0 "no refetch for a token failing the cheap checks"
expect_count connections 0 "no connection for a token failing the cheap checks"

fresh
expect_exit 0 "unknown kid, issuer down: cold verify" verify k1
set_server "mode=down"
reset_counts
timed expect_exit 3 "unknown kid, refetch fails: keys unavailable" verify k7
expect_within 5000 "unknown kid, refetch fails: bounded"
expect_count_ge requests 1 "unknown kid: a refetch was tried"

# ---- outages: fresh, stale and expired caches -------------------------------------
fresh
expect_exit 0 "outage, fresh cache: cold verify" verify k1
set_server "mode=down"
reset_counts
timed expect_exit 0 "outage, fresh cache: accepted" verify k1
expect_within 2000 "outage, fresh cache: no wait"
expect_count requests 0 "outage, fresh cache: no request"

# Four caches filled now, examined after one sleep:
#   stale:   fresh 1 s, stale_max 60: stale, still served
#   gone:    fresh 1 s, stale_max 1:  past stale until
#   garbage: fresh 1 s, stale_max 60: the issuer answers garbage
#   nobody:  fresh 2 s, read by a process that cannot write cache_dir,
#            first while fresh (so 2 s, and no jitter below cache_ttl_min)
fresh
for c in stale gone garbage nobody; do
	mkdir -m 0700 "$T/cache-$c"
	_sm=60
	_ttl=1
	[ "$c" = gone ] && _sm=1
	[ "$c" = nobody ] && _ttl=2
	write_conf "$T/$c.conf" "cache_dir=$T/cache-$c" "cache_ttl_min=$_ttl" \
	    "cache_ttl_default=$_ttl" "cache_ttl_max=$_ttl" "stale_max=$_sm"
	expect_exit 0 "$c: cold verify" verify k1 "$T/$c.conf"
done
expect_count jwks 4 "four caches, four JWKS requests"

# A process that cannot write cache_dir reads what is there.
if [ "$(id -u)" -ne 0 ]; then
	echo "# not root: skipping the unprivileged reader"
	nobody_ja=
elif ! command -v setpriv >/dev/null 2>&1; then
	echo "# setpriv is not installed: skipping the unprivileged reader"
	nobody_ja=
else
	chmod 0755 "$T" "$T/cache-nobody"
	as_nobody() {
		timeout -k 5 60 setpriv --reuid=65534 --regid=65534 \
		    --clear-groups "$@"
	}
	nobody_ja=$JWT_AUTH
	if ! as_nobody "$nobody_ja" --version >/dev/null 2>&1; then
		# the build tree may be closed to others: use a copy
		mkdir -m 0755 "$T/bin"
		cp "$JWT_AUTH" "$T/bin/jwt-auth" && chmod 0755 "$T/bin/jwt-auth"
		nobody_ja=$T/bin/jwt-auth
		as_nobody "$nobody_ja" --version >/dev/null 2>&1 ||
		    nobody_ja=
	fi
	[ -n "$nobody_ja" ] ||
	    echo "# user 65534 cannot run jwt-auth: skipping the unprivileged reader"
fi
if [ -n "$nobody_ja" ]; then
	the_cache_file "$T/cache-nobody"
	nf=$cf
	cp -p "$nf" "$T/nobody-before.json"
	reset_counts
	expect_exit 0 "unprivileged, fresh cache: accepted from the cache" \
	    as_nobody "$nobody_ja" verify -c "$T/nobody.conf" "$(tok k1)"
	expect_count requests 0 "unprivileged, fresh cache: no request"
fi

# kid_refetch_interval 2: one refetch for an unknown kid, none for the next
mkdir -m 0700 "$T/cache-kid"
write_conf "$T/kid.conf" "cache_dir=$T/cache-kid" kid_refetch_interval=2
expect_exit 0 "kid_refetch_interval 2: cold verify" verify k1 "$T/kid.conf"
reset_counts
expect_exit 1 "kid_refetch_interval 2: unknown kid" verify k9 "$T/kid.conf"
expect_count jwks 1 "kid_refetch_interval 2: first unknown kid refetches"
reset_counts
expect_exit 1 "kid_refetch_interval 2: another unknown kid at once" \
    verify k10 "$T/kid.conf"
expect_count jwks 0 "kid_refetch_interval 2: no second refetch at once"

sleep 3
reset_counts
expect_exit 1 "kid_refetch_interval 2: unknown kid after the interval" \
    verify k11 "$T/kid.conf"
expect_count jwks 1 "kid_refetch_interval 2: refetched after the interval"

set_server "mode=down"
reset_counts
timed expect_exit 0 "outage, stale cache: accepted" verify k1 "$T/stale.conf"
expect_within 5000 "outage, stale cache: bounded"
expect_count_ge requests 1 "outage, stale cache: a refresh was tried"
reset_counts
timed expect_exit 3 "outage, past stale until: keys unavailable" \
    verify k1 "$T/gone.conf"
expect_within 5000 "outage, past stale until: bounded"
expect_stderr_contains "corp" "past stale until: section named"
expect_count_ge requests 1 "outage, past stale until: a refresh was tried"

set_server "mode=garbage&target=jwks"
reset_counts
expect_exit 0 "garbage, stale cache: the old keys serve" \
    verify k1 "$T/garbage.conf"
expect_count_ge jwks 1 "garbage, stale cache: a refresh was tried"

if [ -n "$nobody_ja" ]; then
	set_server "mode=ok"
	reset_counts
	expect_exit 0 "unprivileged, stale cache: fetched into memory" \
	    as_nobody "$nobody_ja" verify -c "$T/nobody.conf" "$(tok k1)"
	expect_count_ge jwks 1 "unprivileged, stale cache: fetched"
	if cmp -s "$nf" "$T/nobody-before.json"; then
		ok "unprivileged: the cache file is unchanged"
	else
		not_ok "unprivileged: the cache file changed"
	fi
fi

# Nothing cached, issuer down; then the back-off.
fresh
set_server "mode=down"
timed expect_exit 3 "outage, nothing cached: keys unavailable" verify k1
expect_within 5000 "outage, nothing cached: bounded"
expect_stderr_contains "corp" "outage, nothing cached: section named"
expect_count_ge dropped 1 "outage, nothing cached: a fetch was tried"
reset_counts
timed expect_exit 3 "back-off: second verify" verify k1
expect_within 2000 "back-off: fails at once"
expect_count connections 0 "back-off: no connection"
set_server "mode=ok"
expect_exit 3 "back-off: the issuer is back, still backing off" verify k1
expect_count connections 0 "back-off: still no connection"
expect_exit 0 "back-off: status" status
expect_line '^[[:space:]]+last failure: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z: .+' \
    "status: last failure with time and reason"
expect_line '^[[:space:]]+keys: none$' "status: still no keys"
expect_exit 0 "fetch ignores the back-off" fetch
expect_line '^corp: fetched 1 keys?, fresh for [0-9]+ s$' "fetch: fetched line"
expect_count jwks 1 "fetch during back-off: one JWKS request"
reset_counts
expect_exit 0 "after fetch: verify" verify k1
expect_count requests 0 "after fetch: no request"

# ---- slow issuers: http_timeout bounds the whole refresh ----------------------------
fresh http_timeout=2
set_server "mode=slow&delay=20"
timed expect_exit 3 "slow issuer (20 s): keys unavailable" verify k1
expect_within 10000 "slow issuer: bounded by http_timeout"
timed expect_exit 3 "slow issuer: fetch fails" fetch
expect_within 10000 "slow issuer: fetch bounded by http_timeout"
expect_stderr_line '^jwt-auth: corp: fetch failed: .+' "slow issuer: fetch failed line"

fresh http_timeout=2
set_server "mode=trickle&target=jwks&delay=0.5"
timed expect_exit 3 "JWKS body one byte per 0.5 s: fetch fails" fetch
expect_within 10000 "trickling body: bounded by http_timeout"

# 1.5 s for discovery and 1.5 s for the JWKS: each within 2 s, not both
fresh http_timeout=2
set_server "mode=slow&delay=1.5"
timed expect_exit 3 "discovery and JWKS slow together: fetch fails" fetch
expect_within 4000 "discovery and JWKS together bounded by http_timeout"
expect_exit 0 "slow together: status" status
expect_line '^[[:space:]]+keys: none$' "slow together: nothing cached"

# ---- bad answers leave the old keys in place ---------------------------------------
# bad_answer DESC SET-QUERY: with k1 cached, a fetch that fails, then k1 still
# works without a request.
bad_answer() {
	fresh
	expect_exit 0 "$1: first fetch" fetch
	set_server "$2"
	reset_counts
	expect_exit 3 "$1: fetch fails" fetch
	expect_stderr_line '^jwt-auth: corp: fetch failed: .+' "$1: failure line"
	expect_count_ge requests 1 "$1: the issuer was asked"
	reset_counts
	expect_exit 0 "$1: the old key still verifies" verify k1
	expect_count requests 0 "$1: no request"
	expect_exit 0 "$1: status" status
	expect_line '^[[:space:]]+keys: k1 \(1\)$' "$1: k1 still cached"
	expect_line '^[[:space:]]+last failure: [0-9]{4}-.*Z: .+' \
	    "$1: status shows the failure"
}
bad_answer "garbage JWKS" "mode=garbage&target=jwks"
bad_answer "JWKS over 1 MiB" "mode=huge&target=jwks"
bad_answer "JWKS over 1 MiB, no Content-Length" "mode=huge_stream&target=jwks"
bad_answer "JWKS answering 503" "mode=status&code=503&target=jwks"
bad_answer "JWKS with no key" "jwks=$T/jwks-empty"
bad_answer "JWKS with only an HMAC key" "jwks=$T/jwks-oct"
bad_answer "JWKS redirected to another origin" "mode=redirect_other&target=jwks"

# The JWKS limits over the network: 100 keys and exactly 1 MiB are taken
# (and cached, and read back from the cache); 101 keys and 1 MiB + 1 byte
# are refused like any bad answer, the keys held before kept.
python3 - "$T/jwks1" "$T" <<'PYEOF' || { echo "cannot write the JWKS at the limits" >&2; exit 99; }
import json, sys
key = json.load(open(sys.argv[1]))["keys"][0]
for n in (100, 101):
    keys = [dict(key, kid="k1" if i == 0 else "x%d" % i) for i in range(n)]
    open("%s/jwks-%d" % (sys.argv[2], n), "w").write(json.dumps({"keys": keys}))
body = json.dumps({"keys": [key]})
for name, size in (("jwks-1mib", 1 << 20), ("jwks-1mib1", (1 << 20) + 1)):
    open("%s/%s" % (sys.argv[2], name), "w").write(body + " " * (size - len(body)))
PYEOF
for _f in 100:100 1mib:1; do
	fresh
	set_server "jwks=$T/jwks-${_f%%:*}"
	expect_exit 0 "JWKS at the limit (${_f%%:*}): fetched" fetch
	expect_line "^corp: fetched ${_f##*:} keys?, fresh for [0-9]+ s\$" \
	    "JWKS at the limit (${_f%%:*}): ${_f##*:} key(s)"
	reset_counts
	expect_exit 0 "JWKS at the limit (${_f%%:*}): k1 verifies from the cache" \
	    verify k1
	expect_count requests 0 "JWKS at the limit (${_f%%:*}): no request"
done
bad_answer "JWKS of 101 keys" "jwks=$T/jwks-101"
bad_answer "JWKS of 1 MiB + 1 byte" "jwks=$T/jwks-1mib1"

# Whether a refresh repeats discovery is the implementation's choice: bad
# discovery answers are tried on an empty cache.
# bad_discovery DESC SET-QUERY
bad_discovery() {
	fresh
	set_server "$2"
	expect_exit 3 "$1: keys unavailable" verify k1
	expect_count discovery 1 "$1: discovery asked"
	expect_count jwks 0 "$1: no JWKS request"
	expect_exit 0 "$1: status" status
	expect_line '^[[:space:]]+keys: none$' "$1: nothing cached"
}
bad_discovery "garbage discovery" "mode=garbage&target=discovery"
bad_discovery "discovery answering 404" "mode=status&code=404&target=discovery"
bad_discovery "discovery over 64 KiB" "mode=huge&target=discovery"
bad_discovery "discovery over 64 KiB, no Content-Length" \
    "mode=huge_stream&target=discovery"

# ---- refused issuers ------------------------------------------------------------------
fresh "--" "issuer=http://127.0.0.1:$ISSUER_PORT/realms/corp"
mint http-iss "$T/k1.pem" k1 "http://127.0.0.1:$ISSUER_PORT/realms/corp"
expect_exit 2 "http:// issuer: configuration error" verify http-iss
expect_stderr_contains "https" "http:// issuer: says https is needed"
fresh "--" "jwks_uri=http://127.0.0.1:$ISSUER_PORT/jwks"
expect_exit 2 "http:// jwks_uri: configuration error" verify k1
fresh "--" "discovery_url=http://127.0.0.1:$ISSUER_PORT/realms/corp/.well-known/openid-configuration"
expect_exit 2 "http:// discovery_url: configuration error" verify k1
expect_count requests 0 "http:// configurations make no request"

fresh
set_server "tls=other"
expect_exit 3 "server certificate of another CA: keys unavailable" verify k1
expect_count requests 0 "another CA: no HTTP request got through"
expect_count_ge connections 1 "another CA: a connection was tried"
expect_count_ge tls_failures 1 "another CA: the handshake was refused"
expect_exit 3 "another CA: fetch fails" fetch
expect_exit 0 "another CA: status" status
expect_line '^[[:space:]]+keys: none$' "another CA: no keys cached"

fresh "ca_file="
expect_exit 3 "test CA not in the system store: keys unavailable" verify k1
expect_count requests 0 "system store: no HTTP request got through"

fresh
set_server "mode=bad_issuer"
expect_exit 3 "discovery names another issuer" verify k1
expect_count discovery 1 "issuer mismatch: discovery asked"
expect_count jwks 0 "issuer mismatch: JWKS not fetched"

for _t in jwks discovery; do
	fresh
	set_server "mode=redirect_other&target=$_t"
	expect_exit 3 "$_t redirected to another origin" verify k1
	expect_count other 0 "$_t redirect to another origin not followed"
	expect_count_ge redirects 1 "$_t redirect was answered"
done

fresh
set_server "mode=redirect_same"
expect_exit 0 "redirects within the origin are followed" verify k1
expect_count_ge redirects 1 "same-origin redirects answered"
expect_count other 0 "same origin: nothing asked elsewhere"

fresh "--" "jwks_uri=$ISSUER_BASE/jwks"
expect_exit 0 "jwks_uri configured" verify k1
expect_count discovery 0 "jwks_uri configured: no discovery"
expect_count jwks 1 "jwks_uri configured: one JWKS request"

fresh "--" "discovery_url=$ISSUER_BASE/moved/realms/corp/.well-known/openid-configuration"
expect_exit 0 "discovery_url configured" verify k1
expect_count discovery 1 "discovery_url configured: asked there"

# The caller's proxy environment is ignored; http_proxy is not.
fresh
reset_counts
expect_exit 0 "proxy variables in the environment are ignored" \
    env https_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 \
    all_proxy=http://127.0.0.1:9 ALL_PROXY=http://127.0.0.1:9 \
    http_proxy=http://127.0.0.1:9 no_proxy= NO_PROXY= \
    timeout -k 5 60 "$JWT_AUTH" verify -c "$CONF" "$(tok k1)"
expect_count jwks 1 "environment proxy ignored: fetched directly"
fresh http_proxy=http://127.0.0.1:9
expect_exit 3 "http_proxy to a closed port: keys unavailable" verify k1
expect_count requests 0 "http_proxy: nothing went around the proxy"

# ---- one fetch for sixteen cold processes ----------------------------------------------
# concurrent DESC: sixteen verifies at once on an empty cache.
concurrent() {
	_pids=
	for _i in $(seq 1 16); do
		ja verify -c "$CONF" "$(tok k1)" \
		    >"$T/c$_i.out" 2>"$T/c$_i.err" </dev/null &
		_pids="$_pids $!"
	done
	_good=0
	_rcs=
	for _p in $_pids; do
		_rc=0
		wait "$_p" || _rc=$?
		_rcs="$_rcs $_rc"
		[ "$_rc" -eq 0 ] && _good=$((_good + 1))
	done
	if [ "$_good" -eq 16 ]; then
		ok "$1: all sixteen accepted"
	else
		not_ok "$1: $_good of 16 accepted (exit statuses:$_rcs)"
		sed -n '1,5s/^/  stderr: /p' "$T"/c*.err
	fi
	expect_count discovery 1 "$1: one discovery request"
	expect_count jwks 1 "$1: one JWKS request"
}
fresh
concurrent "sixteen cold processes"
fresh
set_server "mode=slow&target=jwks&delay=1"
concurrent "sixteen cold processes, JWKS taking 1 s"

# ---- untrusted cache files are ignored ---------------------------------------------------
# untrusted DESC SPOIL...: a cache holding k1, spoiled by the command SPOIL
# (given the cache file's path as its last argument), is ignored and logged:
# with the issuer up the keys are fetched again, with it down they are
# unavailable.  (A failed attempt starts a back-off, so each half starts
# from a new cache.)
untrusted() {
	_what=$1
	shift
	for _up in yes no; do
		fresh
		expect_exit 0 "$_what: cold verify" verify k1
		the_cache_file
		"$@" "$cf"
		[ "$_up" = yes ] || set_server "mode=down"
		reset_counts
		if [ "$_up" = yes ]; then
			timed expect_exit 0 "$_what, issuer up: fetched again" \
			    verify k1
			expect_count jwks 1 "$_what, issuer up: one JWKS request"
		else
			timed expect_exit 3 "$_what, issuer down: keys unavailable" \
			    verify k1
			expect_count_ge requests 1 "$_what, issuer down: tried"
		fi
		expect_within 5000 "$_what: no hang"
		expect_stderr_contains "$(basename "$cf")" \
		    "$_what: the ignored cache file is logged"
	done
}
spoil_symlink() {
	mv "$1" "$T/elsewhere.json" &&
	cp "$T/elsewhere.json" "$T/elsewhere.orig" &&
	ln -s "$T/elsewhere.json" "$1"
}
spoil_fifo() {
	rm -f "$1" && mkfifo -m 0644 "$1"
}
spoil_broken() {
	printf '{"jwks": {"keys": [' >"$1"
}
untrusted "cache file is a symbolic link" spoil_symlink
if cmp -s "$T/elsewhere.json" "$T/elsewhere.orig"; then
	ok "symlinked cache: the link's target was never written"
else
	not_ok "symlinked cache: the link's target changed"
fi
untrusted "cache file writable by group" chmod g+w
untrusted "cache file writable by others" chmod o+w
untrusted "cache file is a named pipe" spoil_fifo
if [ "$(id -u)" -eq 0 ]; then
	untrusted "cache file owned by another user" chown 65534
else
	echo "# not root: skipping the cache file owned by another user"
fi

# Not a matter of trust, but the same outcome: a truncated cache file.
for _up in yes no; do
	fresh
	expect_exit 0 "truncated cache: cold verify" verify k1
	the_cache_file
	spoil_broken "$cf"
	[ "$_up" = yes ] || set_server "mode=down"
	reset_counts
	if [ "$_up" = yes ]; then
		expect_exit 0 "truncated cache, issuer up: fetched again" verify k1
		expect_count jwks 1 "truncated cache, issuer up: one JWKS request"
	else
		expect_exit 3 "truncated cache, issuer down: keys unavailable" \
		    verify k1
	fi
done

# A cache_dir that fails the checks is not used: keys stay in memory.
fresh
chmod 0770 "$T/cache"
expect_exit 0 "group-writable cache_dir: accepted" verify k1
expect_exit 0 "group-writable cache_dir: accepted again" verify k1
expect_count jwks 2 "group-writable cache_dir: not used, fetched each time"
if [ -z "$(cache_files "$T/cache")" ]; then
	ok "group-writable cache_dir: nothing written in it"
else
	not_ok "group-writable cache_dir: a cache file was written"
fi

# A full cache_dir and a read-only one: a 64 KiB tmpfs mounted on it in a
# private mount namespace (root only), filled up or remounted read-only
# before jwt-auth runs.  The keys fetched from the issuer serve from
# memory, the log says why they were not kept, and nothing half-written is
# left behind.
# on_tmpfs full|ro DIR CMD...: CMD with such a tmpfs on DIR; what DIR then
# holds is listed in $T/tmpfs-ls (the tmpfs goes with the namespace).
on_tmpfs() {
	unshare -m -- sh -c '
	    kind=$1 dir=$2 list=$3
	    shift 3
	    mount --make-rprivate / &&
	    mount -t tmpfs -o size=64k,mode=0755 tmpfs "$dir" || exit 98
	    case $kind in
	    full)
		dd if=/dev/zero of="$dir/filler" bs=4096 2>/dev/null
		! printf x 2>/dev/null >>"$dir/filler" || exit 97 ;;
	    ro)
		mount -o remount,ro "$dir" || exit 98 ;;
	    esac
	    "$@"
	    rc=$?
	    ls -A "$dir" >"$list"
	    exit $rc' sh "$1" "$2" "$T/tmpfs-ls" "${@:3}"
}
if [ "$(id -u)" -ne 0 ]; then
	echo "# not root: skipping the full and the read-only cache_dir"
elif ! unshare -m -- sh -c 'mount --make-rprivate / &&
    mount -t tmpfs -o size=4k tmpfs "$1"' sh "$T" 2>/dev/null; then
	echo "# no private mount namespace for a tmpfs: skipping the full and the read-only cache_dir"
else
	for _kind in full ro; do
		fresh
		mkdir -m 0755 "$T/cache-$_kind"
		write_conf "$T/$_kind.conf" "cache_dir=$T/cache-$_kind"
		_why="No space left on device"
		[ "$_kind" = ro ] && _why="Read-only file system"
		reset_counts
		expect_exit 0 "$_kind cache_dir: keys fetched, token accepted" \
		    on_tmpfs "$_kind" "$T/cache-$_kind" timeout -k 5 60 \
		    "$JWT_AUTH" verify -c "$T/$_kind.conf" "$(tok k1)"
		expect_count jwks 1 "$_kind cache_dir: one JWKS request"
		expect_stderr_contains "section corp: keys kept in memory only: " \
		    "$_kind cache_dir: the log says the keys stay in memory"
		expect_stderr_contains "$_why" "$_kind cache_dir: and why ($_why)"
		expect_stderr_lacks "key refresh failed" \
		    "$_kind cache_dir: the fetch itself did not fail"
		_left=$(grep -vE '^(filler|[0-9a-f]{64}\.lock)$' "$T/tmpfs-ls" |
		    tr '\n' ' ')
		if [ -f "$T/tmpfs-ls" ] && [ -z "$_left" ]; then
			ok "$_kind cache_dir: nothing half-written left in it"
		else
			not_ok "$_kind cache_dir: left in it: $_left"
		fi
		rm -f "$T/tmpfs-ls"
	done
fi

# ---- jwt-auth verify never records a jti ------------------------------------------------
fresh "state_dir=$T/state" "--" "replay_protection=yes"
mkdir -m 0700 "$T/state"
expect_exit 0 "replay_protection: verify" verify k1
expect_exit 0 "replay_protection: verify again (verify records nothing)" \
    verify k1
if [ -z "$(ls -A "$T/state")" ]; then
	ok "replay_protection: verify left state_dir empty"
else
	not_ok "replay_protection: verify wrote $(ls -A "$T/state")"
fi

# ---- a static section beside a network one -----------------------------------------------
fresh
cat >>"$CONF" <<EOF

[issuer static]
issuer = https://static.example.test
audience = api
jwks_file = $T/jwks2
EOF
expect_exit 0 "fetch: a static and a network section" fetch
expect_line "^static: static \\(jwks_file $T/jwks2, 1 keys?\\)\$" "fetch: static line"
expect_line '^corp: fetched 1 keys?, fresh for [0-9]+ s$' "fetch: network line"
expect_exit 0 "status: static section" status
expect_line '^section static$' "status: static section listed"
expect_line "^[[:space:]]+source: jwks_file $T/jwks2\$" "status: static source"
set_server "mode=down"
expect_exit 3 "fetch with the issuer down" fetch
expect_line "^static: static " "fetch, issuer down: static still reported"
expect_stderr_line '^jwt-auth: corp: fetch failed: .+' "fetch, issuer down: failure line"
reset_counts
expect_exit 0 "fetch of the static section only" fetch static
expect_count requests 0 "fetch static: no request"

finish
