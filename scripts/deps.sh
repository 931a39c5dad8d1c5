#!/bin/sh
# Installs what plenum needs to build, run and test, from Debian's packages and the npm registry.
# Installs only what is missing; safe to run again.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
PKGS="build-essential pkg-config clang libclang-rt-14-dev libuv1-dev libwebsockets-dev libssl-dev
      libsrtp2-dev libjansson-dev libinih-dev check python3 python3-aiortc python3-pytest python3-websockets
      chromium firefox-esr iproute2 util-linux procps janus coturn curl
      dpkg-dev lintian help2man man-db systemd"
# Node.js and npm from Debian, unless a node/npm is already on the PATH (e.g. another packaging).
command -v node >/dev/null 2>&1 || PKGS="$PKGS nodejs"
command -v npm >/dev/null 2>&1 || PKGS="$PKGS npm"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ -n "$missing" ]; then
	echo "deps: installing$missing"
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing </dev/null
fi
if [ -f "$here/tests/browser/package.json" ] && [ ! -d "$here/tests/browser/node_modules/playwright-core" ]; then
	echo "deps: npm install (tests/browser)"
	(cd "$here/tests/browser" && npm install --no-audit --no-fund --loglevel=error </dev/null)
fi
