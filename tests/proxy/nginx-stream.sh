#!/bin/sh
# Adds docs/nginx/plenum-stream.conf to the configuration tests/proxy/nginx-site.sh wrote in DIR:
# one listener LISTEN (the shared "443") that sends TLS for TURN_NAME to coturn (through the hop
# that takes the PROXY header off, on HOP_PORT, to coturn's TLS port COTURN_PORT) and everything
# else to the HTTPS site, which then listens with the PROXY protocol on its port as the doc's
# comment says. Only addresses and names are replaced; every replaced line must be in the docs.
# Usage: tests/proxy/nginx-stream.sh DIR LISTEN TURN_NAME SITE_PORT HOP_PORT COTURN_PORT
set -eu
[ $# -eq 6 ] || { echo "usage: $0 DIR LISTEN TURN_NAME SITE_PORT HOP_PORT COTURN_PORT" >&2; exit 2; }
dir=$(cd "$1" && pwd); listen=$2; turn_name=$3; site_port=$4; hop_port=$5; coturn_port=$6
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/proxy/replace-line.sh"
[ -f "$dir/nginx.conf" ] && [ -f "$dir/site.conf" ] || { echo "$0: run nginx-site.sh for $dir first" >&2; exit 1; }

# The HTTPS site behind the stream block: the doc's commented lines, uncommented.
doc_site=$here/docs/nginx/plenum.conf
for l in "listen 127.0.0.1:4443 ssl http2 proxy_protocol;" "set_real_ip_from 127.0.0.1;" "real_ip_header proxy_protocol;"; do
	grep -qxF "    #   $l" "$doc_site" || { echo "$0: docs/nginx/plenum.conf no longer says '$l'" >&2; exit 1; }
done
replace_line "$dir/site.conf" "    listen 127.0.0.1:$site_port ssl http2;" \
	"    listen 127.0.0.1:$site_port ssl http2 proxy_protocol;\n    set_real_ip_from 127.0.0.1;\n    real_ip_header proxy_protocol;"

stream=$dir/stream.conf
cp "$here/docs/nginx/plenum-stream.conf" "$stream"
replace_line "$stream" "        turn.example.org  127.0.0.1:5348;   # coturn, through the hop below" "        $turn_name  127.0.0.1:$hop_port;"
replace_line "$stream" "        default           127.0.0.1:4443;   # nginx's HTTPS site for plenum (plenum.conf)" "        default  127.0.0.1:$site_port;"
replace_line "$stream" "        listen 443;" "        listen $listen;"
replace_line "$stream" "        listen [::]:443;" ""
replace_line "$stream" "        listen 127.0.0.1:5348 proxy_protocol;" "        listen 127.0.0.1:$hop_port proxy_protocol;"
replace_line "$stream" "        proxy_pass 127.0.0.1:5349;          # coturn's tls-listening-port" "        proxy_pass 127.0.0.1:$coturn_port;"
grep -v "^ *#" "$stream" | grep -q "example.org\|4443\|5348\|5349\|\[::\]" && { echo "$0: a documented address is left in $stream" >&2; exit 1; }

module=/usr/lib/nginx/modules/ngx_stream_module.so
[ -f "$module" ] || { echo "$0: $module missing (scripts/deps.sh installs libnginx-mod-stream)" >&2; exit 1; }
{ echo "load_module $module;"; cat "$dir/nginx.conf"; echo "include $stream;"; } >"$dir/nginx.conf.new"
mv "$dir/nginx.conf.new" "$dir/nginx.conf"
