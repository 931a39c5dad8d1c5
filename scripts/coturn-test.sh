#!/bin/sh
# Starts coturn (Debian's turnserver) for plenum's tests, on loopback only, in the foreground:
# use-auth-secret with the secret in SECRET_FILE, UDP and TCP on 127.0.0.1:PORT, relaying to
# loopback peers (plenum's media port), no CLI, verbose log on stdout; TLS (TURN over TLS, for
# turns: URIs) on 127.0.0.1:TLS_PORT with CERT and KEY when given, none otherwise. Its
# configuration and database go to DIR. Run it inside scripts/netns.sh; kill it with SIGTERM
# (it is exec'd). Usage: scripts/coturn-test.sh DIR PORT SECRET_FILE [TLS_PORT CERT KEY]
set -eu
[ $# -eq 3 ] || [ $# -eq 6 ] || { echo "usage: $0 DIR PORT SECRET_FILE [TLS_PORT CERT KEY]" >&2; exit 2; }
dir=$1 port=$2 secret_file=$3
if [ $# -eq 6 ]; then
	tls=$(printf 'tls-listening-port=%s\ncert=%s\npkey=%s\nno-tlsv1\nno-tlsv1_1' "$4" "$5" "$6")
else
	tls=no-tls
fi
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
$tls
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
