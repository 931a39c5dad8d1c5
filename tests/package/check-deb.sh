#!/bin/sh
# The Debian package as an operator meets it (`make test`, part "package"): `make deb` builds it,
# lintian reports no error or warning, `dpkg-deb -x` unpacks it, the unit passes
# `systemd-analyze verify` and its exposure score is reported, the man page renders, and the
# unpacked plenum starts with the packaged configuration and serves the web client.
# Runs in a loopback-only namespace (scripts/netns.sh). Prints "package: N passed, N failed".
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
out=$root/tests/output/package
rm -rf "$out"
mkdir -p "$out"
build=${DEB_BUILD:-build-deb}
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAILED: $*"; }
finish() { echo "package: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

deb=$(make -s deb DEB_BUILD="$build" 2>"$out/make-deb.log" | tail -n 1)
if [ ! -f "$deb" ]; then
	cat "$out/make-deb.log"
	bad "make deb built no package"
	finish
fi
ok "make deb: $deb ($(du -k "$deb" | cut -f1) kB)"

# lintian: errors and warnings fail; informational tags are listed.
lintian --display-level ">=info" "$deb" >"$out/lintian.txt" 2>&1
sed 's/^/  /' "$out/lintian.txt"
if grep -qE '^(E|W): ' "$out/lintian.txt"; then bad "lintian reports errors or warnings"; else ok "lintian: no errors, no warnings"; fi

x=$out/root
dpkg-deb -x "$deb" "$x" || { bad "dpkg-deb -x failed"; finish; }
for f in usr/sbin/plenum etc/plenum/plenum.conf lib/systemd/system/plenum.service \
	usr/share/plenum/web/index.html usr/share/man/man8/plenum.8.gz usr/share/doc/plenum/copyright; do
	[ -e "$x/$f" ] || bad "package lacks /$f"
done
[ "$failed" -eq 0 ] && ok "package holds binary, configuration, unit, web client, man page, copyright"
dpkg-deb -f "$deb" Depends | grep -q libwebsockets && ok "Depends from dpkg-shlibdeps: $(dpkg-deb -f "$deb" Depends)" ||
	bad "Depends lacks the shared libraries"
dpkg-deb --ctrl-tarfile "$deb" | tar -t 2>/dev/null | grep -q conffiles && ok "conffiles: $(dpkg-deb -I "$deb" conffiles)" ||
	bad "no conffiles"

# The unit: verified with ExecStart pointing at the unpacked binary (the host has no /usr/sbin/plenum).
mkdir -p "$out/unit"
sed "s|/usr/sbin/plenum|$x/usr/sbin/plenum|g" "$x/lib/systemd/system/plenum.service" >"$out/unit/plenum.service"
if systemd-analyze verify --man=no "$out/unit/plenum.service" >"$out/verify.txt" 2>&1; then
	ok "systemd-analyze verify"
else
	sed 's/^/  /' "$out/verify.txt"; bad "systemd-analyze verify"
fi
systemd-analyze security --offline=true --root="$x" plenum.service >"$out/security.txt" 2>&1
score=$(sed -n 's/.*Overall exposure level for plenum.service: \([0-9.]*\) \([A-Z]*\).*/\1 \2/p' "$out/security.txt")
case "$score" in
	*" SAFE"|*" OK") ok "systemd-analyze security: exposure $score" ;;
	*) sed 's/^/  /' "$out/security.txt" | tail -n 5; bad "systemd-analyze security: exposure '${score:-none}' (want OK or SAFE)" ;;
esac

if zcat "$x/usr/share/man/man8/plenum.8.gz" | man -l - 2>/dev/null | grep -q -- '--media-port'; then
	ok "plenum(8) renders and lists the options"
else
	bad "plenum(8) does not render the options"
fi

# The unpacked plenum with the packaged configuration (web client found beside it in share/).
# (the statistics in the test's own folder: /var/lib/plenum is made by systemd's StateDirectory)
"$x/usr/sbin/plenum" --config "$x/etc/plenum/plenum.conf" --usage-db "$out/usage.sqlite" --recording-dir "$out/recordings" >"$out/server.log" 2>&1 &
pid=$!
i=0
until curl -sf http://127.0.0.1:8080/healthz >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 $pid 2>/dev/null; then break; fi
	sleep 0.1
done
if curl -sf http://127.0.0.1:8080/ | grep -q '<html'; then
	ok "the packaged plenum serves the web client with the packaged configuration"
else
	sed 's/^/  /' "$out/server.log"; bad "the packaged plenum did not serve http://127.0.0.1:8080/"
fi
kill -TERM $pid 2>/dev/null
wait $pid
rc=$?
[ $rc -eq 0 ] && ok "it stops cleanly on SIGTERM" || bad "exit status $rc after SIGTERM"
finish
