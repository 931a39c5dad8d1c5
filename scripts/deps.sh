#!/bin/sh
# Installs what plenum needs to build, run and test, from Debian's packages and the npm registry.
# Installs only what is missing; safe to run again.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
PKGS="build-essential pkg-config clang libclang-rt-14-dev libuv1-dev libwebsockets-dev libssl-dev
      libsrtp2-dev libjansson-dev libinih-dev zlib1g-dev libbrotli-dev libsqlite3-dev sqlite3 check ffmpeg libavformat-dev libavcodec-dev libavutil-dev python3 python3-cryptography python3-aiortc python3-pytest python3-websockets
      chromium firefox-esr iproute2 util-linux procps nftables janus coturn curl nginx libnginx-mod-stream openssl
      dpkg-dev lintian help2man man-db systemd time"
# Node.js and npm from Debian, unless a node/npm is already on the PATH (e.g. another packaging).
command -v node >/dev/null 2>&1 || PKGS="$PKGS nodejs"
command -v npm >/dev/null 2>&1 || PKGS="$PKGS npm"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
# nginx is here for tests/proxy, which start their own on loopback: the package's system nginx
# must not start (and stay listening on port 80) when it is installed. A policy-rc.d that refuses
# every start holds while apt runs (unless the machine has its own); afterwards the unit is stopped
# and disabled in case it started anyway. Only a nginx installed now is touched.
new_nginx=""
case " $missing " in *" nginx "*) new_nginx=yes ;; esac
policy=/usr/sbin/policy-rc.d
own_policy=""
cleanup_policy() { [ -z "$own_policy" ] || $SUDO rm -f "$policy"; }
trap cleanup_policy EXIT
if [ -n "$missing" ]; then
	echo "deps: installing$missing"
	if [ -n "$new_nginx" ] && [ ! -e "$policy" ]; then
		printf '#!/bin/sh\n# scripts/deps.sh: no service starts while it installs packages\nexit 101\n' |
			$SUDO tee "$policy" >/dev/null
		$SUDO chmod 755 "$policy"
		own_policy=yes
	fi
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing </dev/null
	cleanup_policy
	own_policy=""
	if [ -n "$new_nginx" ]; then
		if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
			$SUDO systemctl disable --now nginx.service >/dev/null 2>&1 || true
		fi
		# without systemd (containers), a nginx the init script started anyway
		if [ -s /run/nginx.pid ]; then
			$SUDO nginx -s stop 2>/dev/null || true
		fi
	fi
fi
if [ -f "$here/tests/browser/package.json" ] && [ ! -d "$here/tests/browser/node_modules/playwright-core" ]; then
	echo "deps: npm install (tests/browser)"
	(cd "$here/tests/browser" && npm install --no-audit --no-fund --loglevel=error </dev/null)
fi
