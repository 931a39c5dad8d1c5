#!/bin/sh
# A short load run for `make test`: 20 simulated participants (4 simulcast cameras, a screen,
# 3 speakers) in one room for 10 s against build/plenum. Checks correctness, not timing: no
# failed join, loss ≤ 1 % on every stream, every subscriber decoded keyframes of every video.
# A second run drops 3 % of the video at the subscribers: retransmissions must repair it.
# Runs inside a loopback-only namespace (scripts/netns.sh). Prints "load: N passed, N failed".
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/tests/output/load
mkdir -p "$out"
bin=${PLENUM_BIN:-$root/build/plenum}
port=18480
mport=18500
"$bin" --listen 127.0.0.1:$port --media-port $mport --log-level warn >"$out/server.log" 2>&1 &
server=$!
i=0
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -gt 100 ]; then echo "load: server did not start"; cat "$out/server.log"; echo "load: 0 passed, 1 failed"; exit 1; fi
	sleep 0.1
done
"$root/build/tools/loadgen" --server plenum --url "ws://127.0.0.1:$port/ws" --rooms 1 --participants 20 \
	--cameras 4 --screens 1 --speakers 3 --duration 10 --server-pid $server --json "$out/short-load.json" --check
rc=$?
# Subscribers lose 3 % of video on purpose: NACKs must bring it back as RTX (RFC 4588), so that
# the same check (loss ≤ 1 % per stream) still holds.
"$root/build/tools/loadgen" --server plenum --url "ws://127.0.0.1:$port/ws" --rooms 1 --participants 6 \
	--cameras 2 --speakers 2 --duration 8 --drop-pct 3 --json "$out/lossy-load.json" --check
rc2=$?
repaired=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("retransmissions_received", 0))' "$out/lossy-load.json" 2>/dev/null || echo 0)
if [ "$rc2" -ne 0 ] || [ "${repaired:-0}" -eq 0 ]; then
	echo "load: the lossy run failed (loadgen exit $rc2, $repaired retransmissions received)"
	rc=1
fi
kill -TERM $server
wait $server
src=$?
if [ $rc -eq 0 ] && [ $src -eq 0 ]; then
	echo "load: 1 passed, 0 failed"
	exit 0
fi
echo "load: loadgen exit $rc, server exit $src (log: $out/server.log)"
echo "load: 0 passed, 1 failed"
exit 1
