#!/bin/bash
# test_rpm.sh - the RPM spec, built with rpmbuild -bb from the make dist
# tarball (not part of make check; .ci/run runs it).  On Debian, where the
# rpm package provides rpmbuild, the build dependencies cannot be resolved:
# rpm's own database is empty (the libraries are Debian packages that only
# dpkg knows), so rpmbuild refuses every BuildRequires.  The test shows that
# refusal, then builds with --nodeps: the libraries are there, under
# Debian's names.  %check runs the in-process tier (make check) inside
# rpmbuild.  Prints each RPM with its size and checks what it holds.
#
# Environment: JOBS (rpmbuild's parallel jobs, default nproc),
# JWT_AUTH_VECTORS (default ../shared/vectors beside the source tree, when
# present), KEEP=1 keeps the temporary directory.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib.sh"

export LC_ALL=C.UTF-8
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

command -v rpmbuild >/dev/null 2>&1 ||
    skip_all "rpmbuild not found (Debian: apt-get install rpm)"
command -v rpm >/dev/null 2>&1 || skip_all "rpm not found"
[ -x "$top_srcdir/configure" ] ||
    skip_all "$top_srcdir/configure is missing: run ./autogen.sh first"
if [ -z "${JWT_AUTH_VECTORS:-}" ] && [ -d "$top_srcdir/../shared/vectors" ]; then
	JWT_AUTH_VECTORS=$(cd "$top_srcdir/../shared/vectors" && pwd)
	export JWT_AUTH_VECTORS
fi

cleanup() {
	if [ "${KEEP:-0}" = 1 ]; then
		echo "# kept $T"
	else
		rm -rf "$T"
	fi
}
fatal() {
	not_ok "$1"
	[ -z "${2:-}" ] || tail -n 60 "$2" | sed 's/^/  /'
	finish
}

# ---- the tarball and the spec in it ----------------------------------------------------
mkdir -p "$T/dist" "$T/rpm/SOURCES" || exit 99
if ! (cd "$T/dist" && "$top_srcdir/configure" -q && make -s dist) \
    >"$T/dist.log" 2>&1; then
	fatal "make dist" "$T/dist.log"
fi
tarball=$(ls "$T"/dist/jwt-auth-*.tar.gz 2>/dev/null | head -n 1)
[ -n "$tarball" ] || fatal "make dist made no jwt-auth-*.tar.gz" "$T/dist.log"
version=$(basename "$tarball" .tar.gz)
version=${version#jwt-auth-}
ok "make dist: $(basename "$tarball")"
cp "$tarball" "$T/rpm/SOURCES/" || exit 99
spec=$T/jwt-auth.spec
if ! tar -xzOf "$tarball" "jwt-auth-$version/packaging/rpm/jwt-auth.spec" \
    >"$spec" 2>"$T/tar.log"; then
	fatal "packaging/rpm/jwt-auth.spec is not in the tarball" "$T/tar.log"
fi
spec_version=$(rpmspec -q --srpm --qf '%{VERSION}\n' "$spec" 2>"$T/rpmspec.log")
if [ "$spec_version" = "$version" ]; then
	ok "the spec has the version of configure.ac ($version)"
else
	fatal "the spec says '$spec_version', configure.ac $version" "$T/rpmspec.log"
fi
echo "# the spec builds: $(rpmspec -q --qf '%{NAME} ' "$spec" 2>/dev/null)"

rpmb() {
	rpmbuild --define "_topdir $T/rpm" \
	    --define "_smp_mflags -j$jobs" "$@" "$spec"
}

# ---- the build dependencies, as rpmbuild sees them ------------------------------------------
rc=0
rpmb -bb >"$T/deps.log" 2>&1 || rc=$?
if grep -q 'Failed build dependencies' "$T/deps.log"; then
	n=$(grep -c 'is needed by' "$T/deps.log")
	echo "# rpmbuild -bb refuses: $n BuildRequires are not in rpm's database" \
	    "($(rpm -qa 2>/dev/null | wc -l) packages there; the libraries are" \
	    "Debian packages, known to dpkg only), e.g.:"
	grep 'is needed by' "$T/deps.log" | head -n 4 | sed 's/^[[:space:]]*/#   /'
	echo "# so the build below runs with --nodeps"
	ok "rpmbuild names the BuildRequires it cannot resolve"
	nodeps=--nodeps
elif [ "$rc" -eq 0 ]; then
	# an rpm-based system with every BuildRequires installed
	ok "rpmbuild -bb with dependency checks"
	nodeps=checked
else
	fatal "rpmbuild -bb failed, not for its build dependencies" "$T/deps.log"
fi

# ---- rpmbuild -bb --nodeps ----------------------------------------------------------------------
if [ "$nodeps" != checked ]; then
	t0=$SECONDS
	if ! rpmb -bb $nodeps >"$T/build.log" 2>&1; then
		fatal "rpmbuild -bb $nodeps" "$T/build.log"
	fi
	ok "rpmbuild -bb $nodeps in $((SECONDS - t0)) s"
else
	cp "$T/deps.log" "$T/build.log"
fi
summary=$(sed 's/\x1b\[[0-9;]*m//g' "$T/build.log" |
    grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR): ' | tr -s ' ' | tr '\n' ' ')
if grep -q '^Executing(%check)' "$T/build.log" &&
    grep -q '^# PASS: *[1-9]' "$T/build.log"; then
	ok "make check ran in %check: $summary"
else
	not_ok "make check did not run in %check"
fi
sed 's/\x1b\[[0-9;]*m//g' "$T/build.log" | grep -E '^SKIP: ' |
    sed 's/^/# skipped in %check: /'

# ---- what was built -----------------------------------------------------------------------------------
rpms=$(find "$T/rpm/RPMS" -name '*.rpm' | LC_ALL=C sort)
[ -n "$rpms" ] || fatal "no RPM was written" "$T/build.log"
for f in $rpms; do
	printf '# %-50s %8s bytes\n' "$(basename "$f")" "$(stat -c %s "$f")"
done
# rpmq NAME QUERYFORMAT: query the built package NAME.
rpmq() {
	local f
	f=$(printf '%s\n' $rpms | grep "/$1-$version-" | head -n 1)
	[ -n "$f" ] || return 1
	rpm -qp --qf "$2" "$f" 2>/dev/null
}
for n in jwt-auth pam_jwt cyrus-sasl-jwt jwt-auth-client; do
	if rpmq "$n" '%{NAME}\n' >/dev/null; then
		ok "package $n built"
	else
		not_ok "package $n not built"
	fi
done
libdir=$(rpm --eval '%{_libdir}')
# holds NAME PATH: the package's file list holds PATH.
holds() {
	if rpmq "$1" '[%{FILENAMES}\n]' | grep -qx -e "$2"; then
		ok "$1 holds $2"
	else
		not_ok "$1 does not hold $2"
		rpmq "$1" '[%{FILENAMES}\n]' | sed 's/^/  has: /'
	fi
}
holds pam_jwt "$libdir/security/pam_jwt.so"
holds cyrus-sasl-jwt "$libdir/sasl2/libsasl_jwt.so"
holds jwt-auth /usr/bin/jwt-auth
holds jwt-auth /etc/jwt-auth.conf
holds jwt-auth '/usr/lib/systemd/system/jwt-auth-fetch.timer'
holds jwt-auth-client /usr/bin/jwt-auth-askpass
holds jwt-auth-client '/usr/share/man/man1/jwt-auth-askpass.1.*'
if rpmq jwt-auth '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' |
    grep -qx 'cn /etc/jwt-auth.conf'; then
	ok "/etc/jwt-auth.conf is %config(noreplace)"
else
	not_ok "/etc/jwt-auth.conf is not %config(noreplace)"
fi
if rpmq jwt-auth '[%{FILEMODES:perms} %{FILENAMES}\n]' |
    grep -qx 'drwx------ /var/lib/jwt-auth'; then
	ok "/var/lib/jwt-auth is mode 0700"
else
	not_ok "/var/lib/jwt-auth is not mode 0700"
fi
for n in jwt-auth pam_jwt cyrus-sasl-jwt; do
	if rpmq "$n" '[%{REQUIRENAME}\n]' | grep -q '^libcurl'; then
		ok "$n requires libcurl (loaded with dlopen)"
	else
		not_ok "$n does not require libcurl"
	fi
done
bad=
for f in $rpms; do
	if rpm -qpl "$f" 2>/dev/null | grep -q '\.la$'; then
		bad="$bad $(basename "$f")"
	fi
done
if [ -z "$bad" ]; then
	ok "no libtool archive in any RPM"
else
	not_ok "libtool archives in:$bad"
fi
finish
