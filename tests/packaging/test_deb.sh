#!/bin/bash
# test_deb.sh - the Debian packages as an admin meets them, on a Debian 12
# machine, as root (not part of make check; .ci/run runs it):
#   1. make dist, then dpkg-buildpackage -us -uc -b from the unpacked
#      tarball with packaging/debian copied to debian/ (the in-process test
#      tier runs in dh_auto_test); prints each package and its size;
#   2. lintian on the .changes: any error (E:) fails, warnings are listed;
#   3. apt-get install ./*.deb, then checks the installed files: the PAM
#      module in the multiarch security directory, the SASL plugin in the
#      multiarch sasl2 directory, /etc/jwt-auth.conf a conffile that parses,
#      the directories and their modes, the timer shipped but not enabled,
#      the pam-auth-update profile present but not enabled (common-* files
#      unchanged), no libtool archive, hardened binaries;
#   4. pamtester against the installed module by its bare name (so libpam
#      finds it in its own directory), with keys and tokens from
#      tests/jwt-mint; then through the pam-auth-update profile, enabled for
#      the test, and saslpluginviewer loading the installed plugin;
#   5. apt-get remove libpam-jwt takes the enabled profile out of the
#      common-* files again; apt-get purge leaves nothing behind.
# Everything it changes outside its temporary directory (packages, the
# service files /etc/pam.d/jwt-pkg-test*, the common-* files, directories
# of the packages that existed before) is put back by the exit trap.
#
# Environment: JOBS (parallel build jobs, default nproc), JWT_AUTH_VECTORS
# (default ../shared/vectors beside the source tree, when present), KEEP=1
# keeps the temporary directory.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib.sh"

export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
PATH=$PATH:/usr/sbin:/sbin
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
pkgs="jwt-auth jwt-auth-client libpam-jwt libsasl2-modules-jwt"
svc_test=/etc/pam.d/jwt-pkg-test
svc_common=/etc/pam.d/jwt-pkg-common
state_dirs="/var/cache/jwt-auth /var/lib/jwt-auth"

# ---- prerequisites ----------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || skip_all "needs root: installs and purges packages"
for tool in dpkg-buildpackage dh dpkg-parsechangelog lintian apt-get \
    pam-auth-update pamtester saslpluginviewer readelf make tar; do
	command -v "$tool" >/dev/null 2>&1 ||
	    skip_all "$tool not found (apt-get install dpkg-dev debhelper lintian pamtester sasl2-bin)"
done
[ -x "$top_srcdir/configure" ] ||
    skip_all "$top_srcdir/configure is missing: run ./autogen.sh first"
for p in $pkgs; do
	if dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q 'installed$'; then
		skip_all "$p is installed already: this test installs and purges it itself (apt-get purge $pkgs)"
	fi
done
[ ! -e /etc/jwt-auth.conf ] ||
    skip_all "/etc/jwt-auth.conf exists: the package would not install its own"
[ ! -e "$svc_test" ] && [ ! -e "$svc_common" ] ||
    skip_all "$svc_test or $svc_common exists (left by an earlier run?)"
triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
pammod=/lib/$triplet/security/pam_jwt.so
saslmod=/usr/lib/$triplet/sasl2/libsasl_jwt.so
# where Debian's own modules are: ours must be beside them
pam_unix=$(dpkg -L libpam-modules 2>/dev/null | grep '/security/pam_unix\.so$' | head -n 1)
[ "$(dirname "$pam_unix")" = "$(dirname "$pammod")" ] ||
    skip_all "pam_unix.so is in $(dirname "$pam_unix"), not $(dirname "$pammod"): not Debian 12?"

if [ -z "${JWT_AUTH_VECTORS:-}" ] && [ -d "$top_srcdir/../shared/vectors" ]; then
	JWT_AUTH_VECTORS=$(cd "$top_srcdir/../shared/vectors" && pwd)
	export JWT_AUTH_VECTORS
fi

# ---- the exit trap: put back what was changed --------------------------------------
mkdir "$T/pam-before" "$T/aside" || exit 99
cp -a /etc/pam.d/common-* "$T/pam-before/" || exit 99
[ ! -d /var/lib/pam ] || cp -a /var/lib/pam "$T/pam-state" || exit 99
# directories of the packages made earlier by someone else (a make install,
# a test): kept aside, put back after the purge
for d in $state_dirs; do
	if [ -e "$d" ]; then
		mv "$d" "$T/aside/$(echo "$d" | tr / _)" || exit 99
		echo "# $d existed before the test: kept aside, put back at the end"
	fi
done
installed_here=

cleanup() {
	local p f d
	rm -f "$svc_test" "$svc_common"
	if [ -n "$installed_here" ]; then
		for p in $pkgs; do
			if dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			    grep -q 'installed$\|config-files$'; then
				apt-get purge -y -qq $pkgs >/dev/null 2>&1 || :
				break
			fi
		done
	fi
	for f in "$T"/pam-before/common-*; do
		[ -f "$f" ] || continue
		cmp -s "$f" "/etc/pam.d/${f##*/}" || {
			cp -a "$f" /etc/pam.d/
			echo "# cleanup: /etc/pam.d/${f##*/} restored"
		}
	done
	if [ -d "$T/pam-state" ] && ! diff -r -q "$T/pam-state" /var/lib/pam >/dev/null 2>&1; then
		rm -rf /var/lib/pam && cp -a "$T/pam-state" /var/lib/pam
	fi
	for d in $state_dirs; do
		f=$T/aside/$(echo "$d" | tr / _)
		[ -e "$f" ] || continue
		rm -rf "$d"
		mv "$f" "$d" || echo "# cleanup: cannot put $d back from $f" >&2
	done
	if [ "${KEEP:-0}" = 1 ]; then
		echo "# kept $T"
	else
		rm -rf "$T"
	fi
}

# step NAME: print a heading and the time since the last one.
step_t=$SECONDS
step() {
	echo "# --- $1 (+$((SECONDS - step_t)) s)"
	step_t=$SECONDS
}
# check DESC CMD...: one result, ok when CMD succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
# fatal DESC [LOG]: count a failure, show the end of LOG, stop.
fatal() {
	not_ok "$1"
	[ -z "${2:-}" ] || tail -n 60 "$2" | sed 's/^/  /'
	finish
}
md5_common() { (cd /etc/pam.d && md5sum common-*); }

# ---- 1. build from the make dist tarball ----------------------------------------------
step "make dist"
mkdir "$T/dist" "$T/src" || exit 99
if ! (cd "$T/dist" && "$top_srcdir/configure" -q && make -s dist) \
    >"$T/dist.log" 2>&1; then
	fatal "make dist" "$T/dist.log"
fi
tarball=$(ls "$T"/dist/jwt-auth-*.tar.gz 2>/dev/null | head -n 1)
[ -n "$tarball" ] || fatal "make dist made no jwt-auth-*.tar.gz" "$T/dist.log"
version=$(basename "$tarball" .tar.gz)
version=${version#jwt-auth-}
ok "make dist: $(basename "$tarball")"
tar -xzf "$tarball" -C "$T/src" || fatal "unpack $tarball"
src=$T/src/jwt-auth-$version
[ -d "$src/packaging/debian" ] || fatal "packaging/debian is not in the tarball"
cp -r "$src/packaging/debian" "$src/debian" || exit 99
deb_version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
if [ "$deb_version" = "$version" ]; then
	ok "debian/changelog has the version of configure.ac ($version)"
else
	fatal "debian/changelog says $deb_version, configure.ac (AC_INIT) $version: add a changelog entry (dch -v $version)"
fi
if ! (cd "$src" && dpkg-checkbuilddeps) >"$T/bdeps.log" 2>&1; then
	fatal "build dependencies missing" "$T/bdeps.log"
fi

step "dpkg-buildpackage -us -uc -b (JWT_AUTH_VECTORS=${JWT_AUTH_VECTORS:-unset})"
t0=$SECONDS
if ! (cd "$src" && dpkg-buildpackage -us -uc -b -J"$jobs") \
    >"$T/build.log" 2>&1; then
	fatal "dpkg-buildpackage" "$T/build.log"
fi
ok "dpkg-buildpackage built the packages in $((SECONDS - t0)) s"
# the in-process tier ran inside the build and passed
summary=$(sed 's/\x1b\[[0-9;]*m//g' "$T/build.log" |
    grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR): ' | tr -s ' ' | tr '\n' ' ')
if grep -q '^# PASS: *[1-9]' "$T/build.log" &&
    grep -q 'dh_auto_test' "$T/build.log"; then
	ok "make check ran in dh_auto_test: $summary"
else
	not_ok "make check did not run in dh_auto_test"
fi
sed 's/\x1b\[[0-9;]*m//g' "$T/build.log" | grep -E '^SKIP: ' |
    sed 's/^/# skipped in the package build: /'

debs=
for p in $pkgs; do
	f=$(ls "$T/src/${p}_${version}_"*.deb 2>/dev/null | head -n 1)
	if [ -n "$f" ]; then
		debs="$debs $f"
		printf '# %-52s %8s bytes  Depends: %s\n' "$(basename "$f")" \
		    "$(stat -c %s "$f")" "$(dpkg-deb -f "$f" Depends)"
	else
		not_ok "package $p was not built"
	fi
done
for f in "$T"/src/*.deb; do
	case " $debs " in *" $f "*) continue ;; esac
	case $f in
	*-dbgsym_*) echo "# also built: $(basename "$f") ($(stat -c %s "$f") bytes)" ;;
	*) not_ok "an unexpected package was built: $(basename "$f")" ;;
	esac
done
for f in $debs; do
	if dpkg-deb -c "$f" | grep -q '\.la$'; then
		not_ok "$(basename "$f") holds a libtool archive"
	else
		ok "$(basename "$f"): no .la file"
	fi
done

# ---- 2. lintian ----------------------------------------------------------------------------
step "lintian"
changes=$(ls "$T"/src/jwt-auth_"${version}"_*.changes | head -n 1)
lintian --display-info --show-overrides "$changes" >"$T/lintian.log" 2>&1
n_e=$(grep -c '^E: ' "$T/lintian.log")
n_w=$(grep -c '^W: ' "$T/lintian.log")
n_i=$(grep -c '^I: ' "$T/lintian.log")
n_o=$(grep -c '^O: ' "$T/lintian.log")
sed 's/^/# lintian: /' "$T/lintian.log"
echo "# lintian: $n_e errors, $n_w warnings, $n_i info, $n_o overridden"
if [ "$n_e" -eq 0 ]; then
	ok "lintian: no error"
else
	not_ok "lintian: $n_e errors"
fi

# ---- 3. install and look ---------------------------------------------------------------------
step "apt-get install ./*.deb"
pam_before=$(md5_common)
# before: no plugin of libsasl2's own directory offers these mechanisms
saslpluginviewer -c >"$T/viewer-before" 2>&1 || :
if grep -q 'sasl_jwt\|OAUTHBEARER\|XOAUTH2' "$T/viewer-before"; then
	not_ok "saslpluginviewer lists OAUTHBEARER or XOAUTH2 before the install (a plugin left in $(dirname "$saslmod")?)"
else
	ok "before the install, saslpluginviewer lists no sasl_jwt plugin"
fi
installed_here=yes
# shellcheck disable=SC2086
if ! apt-get install -y $debs >"$T/install.log" 2>&1; then
	fatal "apt-get install ./*.deb" "$T/install.log"
fi
ok "apt-get install ./*.deb"
for p in $pkgs; do
	check "$p is installed" sh -c \
	    "dpkg-query -W -f='\${Status}' $p | grep -q ' installed\$'"
done

# owner PATH: the package that owns PATH, by dpkg.
owner() { dpkg -S "$1" 2>/dev/null | grep -v '^diversion' | head -n 1 | cut -d: -f1; }
expect_file() { # PACKAGE PATH MODE
	if [ -e "$2" ] && [ "$(owner "$2")" = "$1" ] &&
	    [ "$(stat -c %a "$2")" = "$3" ]; then
		ok "$2: from $1, mode $3"
	else
		not_ok "$2: expected from $1 with mode $3, found ${2:+$(stat -c '%a %U' "$2" 2>&1)} owned by '$(owner "$2")'"
	fi
}
expect_file libpam-jwt "$pammod" 644
expect_file libsasl2-modules-jwt "$saslmod" 644
expect_file jwt-auth /usr/bin/jwt-auth 755
expect_file jwt-auth-client /usr/bin/jwt-auth-askpass 755
expect_file jwt-auth /etc/jwt-auth.conf 644
expect_file jwt-auth /var/cache/jwt-auth 755
expect_file jwt-auth /var/lib/jwt-auth 700
expect_file jwt-auth /lib/systemd/system/jwt-auth-fetch.service 644
expect_file jwt-auth /lib/systemd/system/jwt-auth-fetch.timer 644
expect_file libpam-jwt /usr/share/pam-configs/jwt 644
for m in man1/jwt-auth.1 man5/jwt-auth.conf.5 man8/pam_jwt.8 \
    man8/sasl_jwt.8 man1/jwt-auth-askpass.1; do
	f=/usr/share/man/$m.gz
	check "man page $m.gz installed" test -s "$f"
done
check "/etc/jwt-auth.conf is a conffile of jwt-auth" sh -c \
    "dpkg-query -W -f='\${Conffiles}' jwt-auth | grep -q '^ /etc/jwt-auth.conf '"
check "no libtool archive installed" sh -c \
    "! dpkg -L $pkgs | grep -q '\\.la\$'"
check "jwt-auth --version says $version" sh -c \
    "/usr/bin/jwt-auth --version | grep -qx 'jwt-auth $version'"
expect_exit 0 "jwt-auth status accepts the installed /etc/jwt-auth.conf" \
    /usr/bin/jwt-auth status
expect_stdout_contains "section example" "the example section is listed"
# the shipped example, with every "#key = value" default line uncommented,
# still parses: the comments do not name an unknown key or a bad value
sed -E 's/^#([a-z_]+ = )/\1/' /etc/jwt-auth.conf >"$T/uncommented.conf"
expect_exit 0 "the example with its defaults uncommented parses" \
    /usr/bin/jwt-auth status -c "$T/uncommented.conf"
check "the example's commented keys are all exercised" \
    test "$(grep -cE '^[a-z_]+ = ' "$T/uncommented.conf")" -ge 25

if [ "$pam_before" = "$(md5_common)" ]; then
	ok "installing changed no /etc/pam.d/common-* file"
else
	not_ok "installing changed /etc/pam.d/common-*"
	diff -r "$T/pam-before" /etc/pam.d | grep -v '^Only in' | sed 's/^/  /'
fi
check "common-auth does not name pam_jwt" sh -c \
    "! grep -q pam_jwt /etc/pam.d/common-auth /etc/pam.d/common-account"
check "the pam-auth-update profile is Default: no" \
    grep -qx 'Default: no' /usr/share/pam-configs/jwt
check "the timer is not enabled" sh -c \
    "! ls /etc/systemd/system/*.wants/jwt-auth-fetch.* >/dev/null 2>&1"
if command -v systemd-analyze >/dev/null 2>&1; then
	expect_exit 0 "systemd-analyze verify the timer and service" \
	    systemd-analyze verify --man=no \
	    /lib/systemd/system/jwt-auth-fetch.timer \
	    /lib/systemd/system/jwt-auth-fetch.service
else
	echo "# systemd-analyze not installed: the unit files are not verified"
fi

# hardening: full RELRO, PIE executables, stack protector, fortified calls
for f in /usr/bin/jwt-auth /usr/bin/jwt-auth-askpass "$pammod" "$saslmod"; do
	h=$(readelf -lW "$f" | grep -q GNU_RELRO && echo relro)
	h="$h $(readelf -dW "$f" | grep -qE 'FLAGS.*(BIND_NOW|NOW)' && echo now)"
	h="$h $(readelf -hW "$f" | grep -q 'Type: *DYN' && echo pie-or-dso)"
	h="$h $(readelf -sW --dyn-syms "$f" | grep -q '__stack_chk_fail' && echo ssp)"
	h="$h $(readelf -sW --dyn-syms "$f" | grep -qE '__[a-z]+_chk@' && echo fortify)"
	case "$h" in
	*relro*now*pie-or-dso*) ok "$f is hardened:$h" ;;
	*) not_ok "$f lacks hardening: has only:$h" ;;
	esac
done

# ---- 4. authenticate through the installed module ------------------------------------------
step "pamtester against $pammod"
mint=$src/tests/jwt-mint
[ -x "$mint" ] || mint=${JWT_MINT:-}
[ -n "$mint" ] && [ -x "$mint" ] ||
    fatal "tests/jwt-mint is not built (the package build runs make check, which builds it)"
iss=https://idp.pkg.test
aud=pkg-test
now=$(date +%s)
"$mint" genkey ec256 "$T/k1.pem" && "$mint" genkey ec256 "$T/stranger.pem" &&
"$mint" jwks --kid k1 "$T/k1.pem" >"$T/jwks.json" ||
    fatal "jwt-mint cannot make keys"
chmod 0644 "$T/jwks.json"
tok() { # NAME KEY SUB EXP
	printf '{"iss":"%s","aud":"%s","sub":"%s","exp":%s,"jti":"%s"}' \
	    "$iss" "$aud" "$3" "$4" "$1" >"$T/claims"
	"$mint" sign --key "$2" --alg ES256 --kid k1 "$(cat "$T/claims")" \
	    >"$T/tok-$1" || fatal "jwt-mint cannot sign"
}
user=nobody
tok good "$T/k1.pem" "$user" $((now + 600))
tok expired "$T/k1.pem" "$user" $((now - 3600))
tok forged "$T/stranger.pem" "$user" $((now + 600))
tok other "$T/k1.pem" root $((now + 600))
never_print=$(cut -d. -f3 "$T/tok-good")
cat >"$T/test.conf" <<EOF || exit 99
[issuer pkgtest]
issuer = $iss
audience = $aud
jwks_file = $T/jwks.json
EOF
chmod 0644 "$T/test.conf"
expect_exit_in "$T/tok-good" 0 "installed jwt-auth verify accepts the token" \
    /usr/bin/jwt-auth verify -c "$T/test.conf" -u "$user"

# the module by its bare name: libpam looks in its own directory only
cat >"$svc_test" <<EOF || exit 99
auth     required pam_jwt.so config=$T/test.conf issuers=pkgtest
account  required pam_jwt.so
EOF
expect_exit_in "$T/tok-good" 0 "pamtester: a good token, auth and account" \
    pamtester -v jwt-pkg-test "$user" authenticate acct_mgmt
expect_stdout_contains "successfully authenticated" "pamtester says authenticated"
expect_stderr_contains "Token: " "the module asked with its prompt"
for t in expired forged other; do
	expect_exit_in "$T/tok-$t" 1 "pamtester: the $t token is refused" \
	    pamtester -v jwt-pkg-test "$user" authenticate
	expect_stderr_contains "Authentication failure" "pamtester says why ($t)"
done
printf 'not-a-token\n' >"$T/password"
expect_exit_in "$T/password" 1 "pamtester: a password is refused" \
    pamtester jwt-pkg-test "$user" authenticate

step "the pam-auth-update profile, enabled for the test"
# The profile trusts the section named common-auth of /etc/jwt-auth.conf
# only: added here, gone with the purge.
cat >>/etc/jwt-auth.conf <<EOF || exit 99

[issuer common-auth]
issuer = $iss
audience = $aud
jwks_file = $T/jwks.json
EOF
cat >"$svc_common" <<EOF || exit 99
@include common-auth
@include common-account
EOF
pam-auth-update --package --enable jwt >"$T/pau.log" 2>&1
if grep -q 'pam_jwt.so issuers=common-auth' /etc/pam.d/common-auth &&
    grep -q 'pam_jwt.so' /etc/pam.d/common-account; then
	ok "pam-auth-update --enable jwt puts pam_jwt into common-auth and common-account"
	sed -n '/pam_unix\|pam_jwt/s/^/#   common-auth: /p' /etc/pam.d/common-auth
	# pam_unix asks for the password first and fails; pam_jwt then takes
	# what was typed (try_first_pass) as the token
	expect_exit_in "$T/tok-good" 0 "common-auth: a token at the password prompt" \
	    pamtester -v jwt-pkg-common "$user" authenticate acct_mgmt
	expect_stderr_contains "Password: " "pam_unix asked first"
	expect_exit_in "$T/tok-forged" 1 "common-auth: a forged token is refused" \
	    pamtester jwt-pkg-common "$user" authenticate
else
	not_ok "pam-auth-update --enable jwt did not change common-auth (locally modified common-* files?)"
	sed 's/^/  /' "$T/pau.log"
fi

step "saslpluginviewer"
mkdir "$T/sasl" || exit 99
printf 'jwt_issuers: pkgtest\njwt_config: %s\n' "$T/test.conf" \
    >"$T/sasl/pluginviewer.conf"
expect_exit 0 "saslpluginviewer, the default plugin path" \
    env -u SASL_PATH SASL_CONF_PATH="$T/sasl" saslpluginviewer -s -c
expect_stdout_contains 'Plugin "sasl_jwt" [loaded]' "the installed plugin is loaded"
for mech in OAUTHBEARER XOAUTH2; do
	check "server mechanism $mech offered" sh -c \
	    "sed -n '/(server side) mechanisms are:/{n;p;q}' '$T/stdout' | grep -qw $mech"
	check "client mechanism $mech offered" sh -c \
	    "sed -n '/(client side) mechanisms are:/{n;p;q}' '$T/stdout' | grep -qw $mech"
done

# ---- 5. remove and purge -------------------------------------------------------------------
step "apt-get remove libpam-jwt, apt-get purge"
if ! apt-get remove -y libpam-jwt >"$T/remove.log" 2>&1; then
	fatal "apt-get remove libpam-jwt" "$T/remove.log"
fi
check "removing libpam-jwt took pam_jwt out of the common-* files" sh -c \
    "! grep -q pam_jwt /etc/pam.d/common-*"
if [ "$pam_before" = "$(md5_common)" ]; then
	ok "the common-* files are as before the install"
else
	not_ok "the common-* files differ from before the install"
	diff -r "$T/pam-before" /etc/pam.d | grep -v '^Only in' | sed 's/^/  /'
fi
check "$pammod is gone" test ! -e "$pammod"
rm -f "$svc_test" "$svc_common"
# run-time state, as the core and the timer would leave it
: >/var/cache/jwt-auth/example.keys && : >/var/lib/jwt-auth/example.jti ||
    not_ok "cannot write into the package's directories"
# shellcheck disable=SC2086
if ! apt-get purge -y $pkgs >"$T/purge.log" 2>&1; then
	fatal "apt-get purge" "$T/purge.log"
fi
ok "apt-get purge"
for p in $pkgs; do
	check "$p is gone from dpkg's database" sh -c \
	    "! dpkg-query -W -f='\${Status}' $p 2>/dev/null | grep -q 'installed\$\|config-files\$'"
done
left=
for f in /etc/jwt-auth.conf /etc/jwt-auth.conf.dpkg-old \
    /etc/jwt-auth.conf.dpkg-dist $state_dirs "$pammod" "$saslmod" \
    /usr/bin/jwt-auth /usr/bin/jwt-auth-askpass /usr/share/pam-configs/jwt \
    /lib/systemd/system/jwt-auth-fetch.service \
    /lib/systemd/system/jwt-auth-fetch.timer \
    /usr/share/doc/jwt-auth /usr/share/doc/libpam-jwt \
    /usr/share/doc/libsasl2-modules-jwt /usr/share/doc/jwt-auth-client \
    /usr/share/man/man1/jwt-auth.1.gz /usr/share/man/man8/pam_jwt.8.gz; do
	[ ! -e "$f" ] || left="$left $f"
done
for f in /etc/systemd/system/*.wants/jwt-auth-fetch.* \
    /var/lib/systemd/deb-systemd-helper-enabled/*jwt-auth* \
    /var/lib/systemd/deb-systemd-helper-masked/*jwt-auth*; do
	[ ! -e "$f" ] || left="$left $f"
done
if [ -z "$left" ]; then
	ok "nothing of the packages is left after the purge"
else
	not_ok "left after the purge:$left"
fi
if [ "$pam_before" = "$(md5_common)" ]; then
	ok "the common-* files are as before the install, after the purge"
else
	not_ok "the common-* files changed"
fi
installed_here=
step "done"
finish
