#!/bin/sh
# Starts coturn (Debian's turnserver) for plenum's tests, on loopback only, in the foreground:
# use-auth-secret with the secret in SECRET_FILE, UDP and TCP on 127.0.0.1:PORT, relaying to
# loopback peers (plenum's media port), no TLS, no CLI, verbose log on stdout. Its configuration
# and database go to DIR. Run it inside scripts/netns.sh; kill it with SIGTERM (it is exec'd).
# Usage: scripts/coturn-test.sh DIR PORT SECRET_FILE
set -eu
[ $# -eq 3 ] || { echo "usage: $0 DIR PORT SECRET_FILE" >&2; exit 2; }
dir=$1 port=$2 secret_file=$3
command -v turnserver >/dev/null 2>&1 || { echo "coturn's turnserver is missing (./scripts/deps.sh installs coturn)" >&2; exit 1; }
mkdir -p "$dir"
conf=$dir/turnserver.conf
umask 077
secret=$(head -n 1 "$secret_file")
cat >"$conf" <<CONF
listening-ip=127.0.0.1
listening-port=$port
relay-ip=127.0.0.1
min-port=40000
max-port=40999
realm=plenum.test
use-auth-secret
static-auth-secret=$secret
fingerprint
allow-loopback-peers
no-multicast-peers
no-cli
no-tls
no-dtls
no-rfc5780
no-stun-backward-compatibility
userdb=$dir/turndb
pidfile=$dir/turnserver.pid
log-file=stdout
simple-log
verbose
CONF
exec turnserver -c "$conf"
