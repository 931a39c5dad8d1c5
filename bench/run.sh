#!/bin/bash
# bench/run.sh: the load benchmark behind `make bench` — plenum and Janus on one machine, in one
# loopback-only network namespace, the same scenarios against each in turn, and their ratios.
# See bench/README.md for what every number means.
#
# Env knobs:
#   BENCH_DURATION=60            seconds of measured load per run
#   BENCH_SCENARIOS="web webtcp town"   which scenarios, in this order (webtcp: the web meeting
#                                with every subscriber on ICE-TCP; plenum only, Janus offers no
#                                passive TCP candidate here)
#   BENCH_SCALE=1                scales participants (web) or rooms (town); 0.5 halves the load
#   BENCH_SERVERS="plenum janus" which servers, in this order
#   BENCH_LOADGEN=build/tools/loadgen   the load generator
#   BENCH_NO_BUILD=1             skip the build step
#   BENCH_README=0               leave README.md alone
#   BENCH_RESULTS=bench/results  where the dated report and latest.json go
#   BENCH_README_FILE=README.md  which README gets the table
#   BENCH_COMMIT=...             the plenum commit to record (default: git rev-parse HEAD)
#   BENCH_SAVER=1                the web meeting also runs plenum with --keep-unused-layers (the data
#                                saver off: every simulcast layer sent), right after plenum; 0: not
#   BENCH_WARMUP=5               seconds from everyone ready to the window (loadgen --warmup): the
#                                data saver switches unwanted layers off after 3 s
#   BENCH_WHEP_VIEWERS=100       the web meeting also runs plenum with this many WHEP viewers (the host
#                                streams), and once with the host recording (then the render is timed);
#                                0: neither. Plenum only: Debian's Janus has no WHEP
#   BENCH_RENDER_WAIT=300        seconds to wait for the recording's render after the window
#   BENCH_H264=1                 the web meeting also runs plenum with every camera and screen published
#                                in H.264 (loadgen --codec h264: FU-A/STAP-A, an IDR every 3 s), for
#                                the per-packet forwarding cost of H.264 against VP8; 0: not
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# Everything runs in a fresh network namespace with nothing but lo (never any other address).
if [ "${BENCH_IN_NS:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || { echo "bench: needs root for unshare -n" >&2; exit 1; }
	exec unshare -n env BENCH_IN_NS=1 bash -c 'ip link set lo up && exec "$0" "$@"' "$0" "$@"
fi

DURATION=${BENCH_DURATION:-60}
SCENARIOS=${BENCH_SCENARIOS:-web webtcp town}
PLENUM_MEDIA_TCP=10443
SCALE=${BENCH_SCALE:-1}
SERVERS=${BENCH_SERVERS:-plenum janus}
LOADGEN=${BENCH_LOADGEN:-build/tools/loadgen}
RESULTS=${BENCH_RESULTS:-bench/results}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
PLENUM_PORT=18080
PLENUM_MEDIA=10000
JANUS_RUN=${BENCH_JANUS_RUN:-$root/../shared/peers/janus/run-janus.sh}
[ -x "$JANUS_RUN" ] || JANUS_RUN=/work/shared/peers/janus/run-janus.sh
MIN_SCALE=0.1
SAVER=${BENCH_SAVER:-1}
WARMUP=${BENCH_WARMUP:-5}
WHEP_VIEWERS=${BENCH_WHEP_VIEWERS:-100}
H264=${BENCH_H264:-1}

# name rooms participants cameras screens speakers tile (speakers: participants with their mic on;
# tile: the camera tile height every subscriber reports, as the web client lays the meeting out on a
# 1920×1080 window — with a shared screen the presentation layout's strip of 176×99 px tiles, in a
# five-person grid tiles of about 349 px; both servers then send the layer that fits)
scenario_def() {
	case $1 in
	web) echo "web 1 120 6 1 6 99" ;;
	webtcp) echo "webtcp 1 120 6 1 6 99" ;;
	town) echo "town 50 5 5 0 5 349" ;;
	*) echo "bench: unknown scenario '$1' (web, webtcp, town)" >&2; return 1 ;;
	esac
}
scenario_title() {
	case $1 in
	web) echo "web meeting" ;;
	webtcp) echo "web meeting, subscribers on ICE-TCP" ;;
	town) echo "town peak" ;;
	esac
}

ncpu=$(nproc)
if [ "$ncpu" -ge 2 ]; then SRV_CPU=1; GEN_CPU=0; else SRV_CPU=0; GEN_CPU=0; fi
# This shell, the samplers and the load generator stay off the server's CPU.
taskset -cp "$GEN_CPU" $$ >/dev/null

work=$(mktemp -d /tmp/plenum-bench.XXXXXX)
pids=""
cleanup() {
	local rc=$?
	for p in $pids; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $pids; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null || true
	done
	[ "${BENCH_KEEP:-}" = 1 ] && echo "bench: work files kept in $work" >&2 || rm -rf "$work"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*"; }
now() { date +%s.%N; }

# utime + stime of a process (all its threads), in seconds.
cpu_s() {
	local line rest
	read -r line <"/proc/$1/stat" || return 1
	rest=${line##*) }
	# shellcheck disable=SC2086
	set -- $rest
	echo "${12} ${13}" | awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($1 + $2) / hz }'
}
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# The namespace's UDP receive-buffer drops (all sockets: server and load generator).
udp_snmp() { # udp_snmp FIELD
	awk -v f="$1" '$1 == "Udp:" { if (!h) { for (i = 2; i <= NF; i++) if ($i == f) c = i; h = 1 } else print $c }' /proc/net/snmp
}
udp_rcvbuf_errors() { udp_snmp RcvbufErrors; }
# Receive-buffer drops of one process's own UDP sockets (/proc/net/udp: inode $10, drops $13).
udp_drops_of() {
	local inodes
	inodes=$(ls -l "/proc/$1/fd" 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\]$/\1/p' | tr '\n' ' ')
	awk -v list=" $inodes " 'FNR > 1 && index(list, " " $10 " ") { s += $13 } END { print s + 0 }' /proc/net/udp /proc/net/udp6
}

# CPU seconds the whole machine spent busy (all CPUs; idle and iowait excluded; steal included).
machine_busy_s() {
	awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" { printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / hz }' /proc/stat
}
# Waits (up to BENCH_QUIET_WAIT s, default 180) until other work on the machine uses < 0.3 of a
# core, so that it does not disturb what is measured. Says so when it waits or gives up.
wait_quiet() {
	local limit=${BENCH_QUIET_WAIT:-180} waited=0 a b busy
	while :; do
		a=$(machine_busy_s); sleep 2; b=$(machine_busy_s)
		busy=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%d", (b - a) / 2 * 100 }')
		[ "$busy" -lt 30 ] && break
		if [ "$waited" -ge "$limit" ]; then
			say "   other work on this machine uses ${busy} % of a core; measuring anyway"
			break
		fi
		[ "$waited" = 0 ] && say "   other work on this machine uses ${busy} % of a core; waiting for it (up to ${limit} s)"
		sleep 5; waited=$((waited + 7))
	done
}

# Scrapes plenum's /metrics every second into a file: "unix_s name value" per line (the data
# saver's counters and gauges, and what the server received).
metrics_sampler() {
	local url=$1 out=$2 t
	while :; do
		t=$(now)
		curl -sf --max-time 1 "$url" 2>/dev/null | awk -v t="$t" '
			/^plenum_(rtp_packets_received_total|rtp_bytes_received_total|rtp_packets_sent_total|publish_layers_off|publish_layer_pauses_total|publish_layer_resumes_total|probe_padding_packets_total|videos_paused_bandwidth|simulcast_layer_switches_total|keyframe_requests_total) / { print t, $1, $2 }' >>"$out" || true
		sleep 1
	done
}

# Samples a process's CPU every 0.25 s into a file: "monotonic_s cpu_s" per line.
sampler() {
	local pid=$1 out=$2 c
	while kill -0 "$pid" 2>/dev/null; do
		c=$(cpu_s "$pid" 2>/dev/null) || break
		echo "$(now) $c" >>"$out"
		sleep 0.25
	done
}

if [ "${BENCH_NO_BUILD:-}" != 1 ]; then
	say "== build"
	make -s all build/tools/loadgen build/bench/floor >"$work/build.log" 2>&1 || {
		tail -30 "$work/build.log" >&2; echo "bench: build failed" >&2; exit 1; }
fi
for f in build/plenum build/bench/floor "$LOADGEN"; do
	[ -x "$f" ] || { echo "bench: $f missing (make all build/tools/loadgen build/bench/floor)" >&2; exit 1; }
done

stamp=$(date -u +%Y-%m-%d-%H%M)
mkdir -p "$work/runs"
{
	echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "model=$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
	echo "cpus=$ncpu"
	echo "kernel=$(uname -r)"
	echo "mem_kb=$(awk '/MemTotal/ { print $2 }' /proc/meminfo)"
	echo "commit=${BENCH_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- src 2>/dev/null || echo '+dirty')}"
	echo "janus=Janus $(janus --version 2>/dev/null | sed -n "s/^Janus version: .*(\(.*\))/\1/p" | head -1)"
	echo "duration=$DURATION"
	echo "scale=$SCALE"
	echo "srv_cpu=$SRV_CPU"
	echo "gen_cpu=$GEN_CPU"
} >"$work/machine.env"
say "== machine: $(sed -n 's/^model=//p' "$work/machine.env"), $ncpu CPUs, kernel $(uname -r); server on CPU $SRV_CPU, load generator on CPU $GEN_CPU"

say "== floor (build/bench/floor)"
wait_quiet
build/bench/floor ${BENCH_FLOOR_ARGS:-} --json "$work/floor.json"

start_plenum() { # dir [extra plenum flags] -> pid on stdout
	local d=$1; shift
	taskset -c "$SRV_CPU" build/plenum --listen "127.0.0.1:$PLENUM_PORT" --media-port "$PLENUM_MEDIA" \
		--media-tcp-port "$PLENUM_MEDIA_TCP" --log-level warn "$@" >"$d/server.log" 2>&1 &
	local pid=$!
	for _ in $(seq 100); do
		curl -sf "http://127.0.0.1:$PLENUM_PORT/healthz" >/dev/null 2>&1 && { echo "$pid"; return 0; }
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "bench: plenum did not come up" >&2; cat "$d/server.log" >&2; echo "$pid"; return 1
}
start_janus() { # dir -> pid on stdout
	# Janus logs at warn (-d 3), as plenum runs at --log-level warn, and runs ICE-lite (-I), as
	# plenum is. At -d 3 Janus does not print the line run-janus.sh waits for, so its exit status
	# is ignored here and readiness is checked on the WebSocket and HTTP ports instead.
	taskset -c "$SRV_CPU" "$JANUS_RUN" "$1/janus" -I -d 3 >"$1/server.log" 2>&1 || true
	[ -s "$1/janus/janus.pid" ] || { cat "$1/server.log" >&2; return 1; }
	local pid
	pid=$(cat "$1/janus/janus.pid")
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		if curl -sf "http://127.0.0.1:8088/janus/info" >/dev/null 2>&1; then
			local rc=0
			curl -s -o /dev/null "http://127.0.0.1:8188/" 2>/dev/null || rc=$?
			[ "$rc" = 7 ] || { echo "$pid"; return 0; } # 7: nothing listens yet
		fi
		sleep 0.1
	done
	echo "bench: janus did not come up" >&2; tail -20 "$1/janus/janus.log" >&2; echo "$pid"; return 1
}

# One run: scenario x server at a scale. Leaves $dir/result.json (loadgen JSON + server numbers).
# Servers: plenum, plenum_keep (plenum with --keep-unused-layers: the data saver off), plenum_h264
# (plenum, the publishers in H.264), janus.
run_one() {
	local sc=$1 server=$2 scale=$3 dir=$4
	local name rooms parts cams screens speakers tile url pid idle_kb
	read -r name rooms parts cams screens speakers tile <<<"$(scenario_def "$sc")"
	read -r rooms parts <<<"$($PY -c "
import sys; r, p, s = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
print(max(1, round(r * s)), p) if r > 1 else print(r, max(2, round(p * s)))" "$rooms" "$parts" "$scale")"
	[ "$cams" -le "$parts" ] || cams=$parts
	[ "$speakers" -le "$parts" ] || speakers=$parts
	mkdir -p "$dir"
	local lgserver=$server extra=""
	if [ "${server#plenum}" != "$server" ]; then
		lgserver=plenum
		if [ "$server" = plenum_keep ]; then
			pid=$(start_plenum "$dir" --keep-unused-layers) || { [ -n "$pid" ] && pids="$pids $pid"; return 1; }
		elif [ "$server" = plenum_rec ]; then
			# the render's ffmpeg (found on PATH) runs under /usr/bin/time: its CPU, peak RSS, wall time
			mkdir -p "$dir/bin" "$dir/rec"
			printf '#!/bin/sh\nexec /usr/bin/time -f "%%e %%U %%S %%M" -o %s/ffmpeg.time %s "$@"\n' \
				"$dir" "$(command -v ffmpeg || echo /usr/bin/ffmpeg)" >"$dir/bin/ffmpeg"
			chmod +x "$dir/bin/ffmpeg"
			[ -x /usr/bin/time ] || rm -f "$dir/bin/ffmpeg"
			pid=$(PATH="$dir/bin:$PATH" start_plenum "$dir" --recording-dir "$dir/rec") || { [ -n "$pid" ] && pids="$pids $pid"; return 1; }
			extra="--record"
		else
			pid=$(start_plenum "$dir") || { [ -n "$pid" ] && pids="$pids $pid"; return 1; }
		fi
		url="ws://127.0.0.1:$PLENUM_PORT/ws"
		# after the window: a viewer pins a camera; how long until its top layer arrives
		[ "$sc" = web ] && [ "$server" != plenum_rec ] && [ "$server" != plenum_whep ] && extra="--focus-check"
		[ "$server" = plenum_whep ] && extra="--whep-viewers $WHEP_VIEWERS"
		[ "$server" = plenum_h264 ] && extra="--codec h264"
	else
		pid=$(start_janus "$dir") || { [ -n "$pid" ] && pids="$pids $pid"; return 1; }
		url="ws://127.0.0.1:8188"
	fi
	pids="$pids $pid"
	sleep 1
	kill -0 "$pid" 2>/dev/null || { echo "bench: $server exited at start" >&2; tail -20 "$dir/server.log" >&2; return 1; }
	idle_kb=$(status_kb "$pid" VmRSS)
	sampler "$pid" "$dir/cpu.txt" &
	local spid=$! mpid=""
	pids="$pids $spid"
	if [ "$lgserver" = plenum ]; then
		metrics_sampler "http://127.0.0.1:$PLENUM_PORT/metrics" "$dir/metrics.txt" &
		mpid=$!
		pids="$pids $mpid"
	fi
	local c0 t0 t1 c1 rc=0
	wait_quiet
	local drops0 busy0 busy1 lg_cpu=""
	busy0=$(machine_busy_s)
	drops0=$(udp_rcvbuf_errors)
	local snd0 snd_err
	snd0=$(udp_snmp SndbufErrors)
	t0=$(now); c0=$(cpu_s "$pid")
	echo "$t0 $c0" >"$dir/cpu.txt"
	local timer=""
	[ -x /usr/bin/time ] && timer="/usr/bin/time -f %U+%S -o $dir/loadgen.time"
	# shellcheck disable=SC2086
	$timer taskset -c "$GEN_CPU" "$LOADGEN" --server "$lgserver" --url "$url" --rooms "$rooms" \
		--participants "$parts" --cameras "$cams" --screens "$screens" --speakers "$speakers" \
		--camera-tile "$tile" --duration "$DURATION" --warmup "$WARMUP" --server-pid "$pid" --json "$dir/loadgen.json" --quiet \
		$extra $( [ "$sc" = webtcp ] && echo --tcp-subscribers ) >"$dir/loadgen.out" 2>"$dir/loadgen.err" || rc=$?
	if [ -n "$mpid" ]; then
		kill "$mpid" 2>/dev/null || true
		wait "$mpid" 2>/dev/null || true
	fi
	t1=$(now); c1=$(cpu_s "$pid" 2>/dev/null || echo "")
	busy1=$(machine_busy_s)
	[ -s "$dir/loadgen.time" ] && lg_cpu=$(tail -1 "$dir/loadgen.time" | awk -F+ '{ print $1 + $2 }')
	echo "$t1 $c1" >>"$dir/cpu.txt"
	local hwm_kb rss_kb drops_all drops_srv
	drops_all=$(( $(udp_rcvbuf_errors) - drops0 ))
	drops_srv=$(udp_drops_of "$pid")
	snd_err=$(( $(udp_snmp SndbufErrors) - snd0 ))
	hwm_kb=$(status_kb "$pid" VmHWM 2>/dev/null || echo 0)
	rss_kb=$(status_kb "$pid" VmRSS 2>/dev/null || echo 0)
	local alive=1
	kill -0 "$pid" 2>/dev/null || alive=0
	# The recording's render: the host stopped recording at the window's end; ffmpeg then composes
	# the MP4 (niced, a child of the server). Wait for it before the server goes.
	if [ "$server" = plenum_rec ] && grep -q '"recording": true' "$dir/loadgen.json" 2>/dev/null; then
		local waited=0
		while [ ! -s "$dir/ffmpeg.time" ] && [ "$waited" -lt $(( ${BENCH_RENDER_WAIT:-300} * 2 )) ] && kill -0 "$pid" 2>/dev/null; do
			[ -x "$dir/bin/ffmpeg" ] || { ls "$dir"/rec/*/*.mp4 >/dev/null 2>&1 && ! pgrep -P "$pid" >/dev/null && break; }
			sleep 0.5; waited=$((waited + 1))
		done
		sleep 0.5
		{ tail -1 "$dir/ffmpeg.time" 2>/dev/null || true; grep -c "non-zero status" "$dir/ffmpeg.time" 2>/dev/null || true
		  du -k "$dir"/rec/*/*.mp4 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; } >"$dir/render.txt"
	fi
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null || true
	kill "$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
	if [ ! -s "$dir/loadgen.json" ]; then
		echo "bench: loadgen ($server, $sc) exited $rc without a result:" >&2
		tail -20 "$dir/loadgen.err" >&2
		return 1
	fi
	$PY - "$dir" "$sc" "$server" "$scale" "$idle_kb" "$hwm_kb" "$rss_kb" "$t0" "$t1" "$alive" "$rc" "$drops_all" "$drops_srv" "$snd_err" "$busy0" "$busy1" "$lg_cpu" <<'EOF'
import json, sys
d, sc, server, scale, idle_kb, hwm_kb, rss_kb, t0, t1, alive, rc, drops_all, drops_srv, snd_err, busy0, busy1, lg_cpu = sys.argv[1:]
lg = json.load(open(d + "/loadgen.json"))
samples = []
for line in open(d + "/cpu.txt"):
    f = line.split()
    if len(f) == 2:
        samples.append((float(f[0]), float(f[1])))
samples.sort()
def cpu_at(t):
    # linear interpolation in the sampled series (0.25 s apart, 10 ms ticks)
    prev = samples[0]
    for s in samples:
        if s[0] >= t:
            if s[0] == prev[0]:
                return s[1]
            return prev[1] + (s[1] - prev[1]) * (t - prev[0]) / (s[0] - prev[0])
        prev = s
    return samples[-1][1]
t0, t1 = float(t0), float(t1)
dur = float(lg.get("duration_s") or 0)
# Server CPU over the loadgen's measured window. The loadgen reads the server's utime + stime
# itself at the start and the end of its window (--server-pid, field server_cpu_s). Failing that,
# the window is taken as the loadgen's last duration_s seconds (it joins everyone first, measures,
# then leaves) and read from this script's 0.25 s samples; the join phase is excluded either way.
# The loadgen says when its window was (wall clock, as here); after it, --focus-check may still run.
we = float(lg.get("window_end_unix") or t1)
ws = float(lg.get("window_start_unix") or max(t0, t1 - dur))
if isinstance(lg.get("server_cpu_s"), (int, float)) and lg["server_cpu_s"] >= 0:
    cpu_window, cpu_source = float(lg["server_cpu_s"]), "loadgen window (--server-pid)"
else:
    cpu_window, cpu_source = cpu_at(we) - cpu_at(ws), "samples, the loadgen's window"
cpu_total = samples[-1][1] - samples[0][1]
pk = int(lg.get("sub_packets_received") or 0)
# CPU that neither the server nor the load generator spent during the run: other work on the
# machine (other users, the kernel's own threads, steal), which disturbs what is measured.
srv_run = cpu_at(t1) - cpu_at(t0)
lg_run = float(lg_cpu) if lg_cpu else float(lg.get("loadgen_cpu_s") or 0)
foreign = max(0.0, float(busy1) - float(busy0) - srv_run - lg_run)
parts = int(lg.get("participants") or 0) * max(1, int(lg.get("rooms") or 1))
r = {
    "scenario": sc, "server": server, "scale": float(scale),
    "loadgen": lg,
    "server_alive_at_end": alive == "1", "loadgen_exit": int(rc),
    "idle_rss_kb": int(idle_kb or 0), "peak_rss_kb": int(hwm_kb or 0), "end_rss_kb": int(rss_kb or 0),
    "run_s": round(t1 - t0, 2), "window_s": round(we - ws, 2),
    "server_cpu_s": round(cpu_window, 3), "server_cpu_source": cpu_source, "server_cpu_total_s": round(cpu_total, 3),
    "server_core_pct": round(100 * cpu_window / dur, 1) if dur else None,
    "cpu_us_per_pkt": round(cpu_window * 1e6 / pk, 3) if pk else None,
    "fwd_pkts_per_s": round(pk / dur, 1) if dur else None,
    "fwd_bits_per_s": float(lg.get("sub_bitrate_bps") or (8 * int(lg.get("sub_bytes_received") or 0) / dur if dur else 0)),
    "rss_kb_per_participant": round((int(hwm_kb or 0) - int(idle_kb or 0)) / parts, 1) if parts else None,
    "loadgen_core_pct": round(100 * float(lg.get("loadgen_cpu_s") or 0) / (t1 - t0), 1),
    # UDP receive-buffer drops over the whole run: the server's sockets, and the rest (the load
    # generator's, whose drops are the harness failing to keep up: counted as saturation)
    "loadgen_cpu_run_s": round(lg_run, 2),
    "foreign_core_pct": round(100 * foreign / (t1 - t0), 1),
    "udp_drops_server": int(drops_srv or 0),
    "udp_drops_loadgen": max(0, int(drops_all or 0) - int(drops_srv or 0)),
    "udp_sndbuf_errors": int(snd_err or 0),  # sends refused for a full send buffer (any socket)
}
# plenum's /metrics, scraped every second: what the server received in the loadgen's window and
# what the data saver did (layers off at the publishers, pauses, resumes).
import os
if os.path.exists(d + "/metrics.txt"):
    snaps = {}
    for line in open(d + "/metrics.txt"):
        f = line.split()
        if len(f) == 3:
            snaps.setdefault(float(f[0]), {})[f[1]] = float(f[2])
    ts = sorted(t for t in snaps if "plenum_rtp_packets_received_total" in snaps[t])
    ws_u, we_u = lg.get("window_start_unix"), lg.get("window_end_unix")
    inw = [t for t in ts if ws_u and we_u and ws_u <= t <= we_u]
    m = {"samples": len(ts), "samples_in_window": len(inw)}
    if len(inw) >= 2:
        a, b = snaps[inw[0]], snaps[inw[-1]]
        dt = inw[-1] - inw[0]
        rate = lambda k: round((b.get(k, 0) - a.get(k, 0)) / dt, 1) if dt > 0 else None
        m.update({
            "window_s": round(dt, 2),
            "rtp_packets_received_per_s": rate("plenum_rtp_packets_received_total"),
            "rtp_received_bits_per_s": None if rate("plenum_rtp_bytes_received_total") is None else round(8 * rate("plenum_rtp_bytes_received_total")),
            "rtp_packets_sent_per_s": rate("plenum_rtp_packets_sent_total"),
            "probe_padding_packets_per_s": rate("plenum_probe_padding_packets_total"),
            "layer_switches_per_s": rate("plenum_simulcast_layer_switches_total"),
            "keyframe_requests_per_s": rate("plenum_keyframe_requests_total"),
            "publish_layers_off_at_start": int(a.get("plenum_publish_layers_off", 0)),
            "publish_layers_off_at_end": int(b.get("plenum_publish_layers_off", 0)),
            "publish_layers_off_min": int(min(snaps[t].get("plenum_publish_layers_off", 0) for t in inw)),
            "publish_layers_off_max": int(max(snaps[t].get("plenum_publish_layers_off", 0) for t in inw)),
            "videos_paused_bandwidth_max": int(max(snaps[t].get("plenum_videos_paused_bandwidth", 0) for t in inw)),
            "layer_pauses_before_window": int(a.get("plenum_publish_layer_pauses_total", 0)),
            "layer_resumes_before_window": int(a.get("plenum_publish_layer_resumes_total", 0)),
            "layer_pauses_in_window": int(b.get("plenum_publish_layer_pauses_total", 0) - a.get("plenum_publish_layer_pauses_total", 0)),
            "layer_resumes_in_window": int(b.get("plenum_publish_layer_resumes_total", 0) - a.get("plenum_publish_layer_resumes_total", 0)),
        })
    if ts:
        z = snaps[ts[-1]]
        m["layer_pauses_total"] = int(z.get("plenum_publish_layer_pauses_total", 0))
        m["layer_resumes_total"] = int(z.get("plenum_publish_layer_resumes_total", 0))
    r["server_metrics"] = m
# The recording's render (plenum_rec): /usr/bin/time's "wall user sys maxrss_kB" of ffmpeg, whether
# it failed, and the MP4's size.
if os.path.exists(d + "/render.txt"):
    f = open(d + "/render.txt").read().split("\n")
    t = f[0].split() if f and len(f[0].split()) == 4 else None
    rec_s = float(lg.get("recording_s") or 0)
    r["render"] = None if not t else {
        "wall_s": float(t[0]), "cpu_s": round(float(t[1]) + float(t[2]), 2), "user_s": float(t[1]), "sys_s": float(t[2]),
        "peak_rss_kb": int(t[3]), "failed": len(f) > 1 and f[1].strip() not in ("", "0"),
        "mp4_kb": int(f[2]) if len(f) > 2 and f[2].strip().isdigit() else 0, "recorded_s": rec_s,
        "wall_s_per_min_recorded": round(float(t[0]) / (rec_s / 60), 2) if rec_s else None,
        "cpu_s_per_min_recorded": round((float(t[1]) + float(t[2])) / (rec_s / 60), 2) if rec_s else None}
json.dump(r, open(d + "/result.json", "w"), indent=2)
EOF
	$PY -c '
import json, sys
r = json.load(open(sys.argv[1])); lg = r["loadgen"]
print("   %-6s joined %s/%s  fwd %.0f pkt/s  %.2f Mbit/s  cpu %.2f us/pkt (%.1f%% core)  p50/p99 %s/%s us  loss %.2f%%  rss %d->%d kB  udp drops srv/lg %d/%d  other work %.0f%% core%s" % (
  r["server"], lg.get("joined"), int(lg.get("participants", 0)) * int(lg.get("rooms", 1)), r["fwd_pkts_per_s"] or 0, r["fwd_bits_per_s"] / 1e6,
  r["cpu_us_per_pkt"] or 0, r["server_core_pct"] or 0, lg.get("delay_us_p50"), lg.get("delay_us_p99"), lg.get("loss_pct") or 0,
  r["idle_rss_kb"], r["peak_rss_kb"], r["udp_drops_server"], r["udp_drops_loadgen"], r["foreign_core_pct"], "  LOADGEN SATURATED" if lg.get("saturated") else ""))
m = r.get("server_metrics")
if m and m.get("rtp_packets_received_per_s") is not None:
    fc = lg.get("focus_check") or {}
    bl = lg.get("sub_packets_by_layer") or {}
    print("          subscribers received q/h/f/screen/audio %s packets" % "/".join(str(bl.get(x, 0)) for x in ("q", "h", "f", "screen", "audio")))
    print("          server received %.0f RTP pkt/s; publishers sent %.0f kbit/s (%.0f per camera); layers off %d..%d (end %d), pauses/resumes %d/%d (in window %d/%d); pinned camera: %s" % (
      m["rtp_packets_received_per_s"], lg.get("pub_bitrate_bps", 0) / 1e3, lg.get("pub_camera_bitrate_bps", 0) / 1e3,
      m["publish_layers_off_min"], m["publish_layers_off_max"], m["publish_layers_off_at_end"], m.get("layer_pauses_total", 0),
      m.get("layer_resumes_total", 0), m["layer_pauses_in_window"], m["layer_resumes_in_window"],
      ("720p after %.0f ms" % fc["ms"]) if fc.get("ok") else "top layer NOT received" if fc else "not checked"))
if lg.get("whep_viewers"):
    print("          WHEP viewers %d/%d up, %.0f pkt/s to them (%.2f Mbit/s), per viewer %d..%d packets, loss %.2f%%%s" % (
      lg["whep_viewers_up"], lg["whep_viewers"], lg["whep_packets_per_s"], lg["whep_bitrate_bps"] / 1e6,
      lg["whep_packets_per_viewer_min"], lg["whep_packets_per_viewer_max"], lg["whep_loss_pct"],
      "; " + lg["out_error"] if lg.get("out_error") else ""))
if "render" in r or lg.get("recording") or lg.get("out_error"):
    x = r.get("render")
    print("          recording %s (%.1f s); render: %s" % ("on" if lg.get("recording") else "NOT on", lg.get("recording_s") or 0,
      "not measured" if not x else "ffmpeg %.1f s CPU, peak RSS %.0f MB, %.1f s wall (%.1f s per minute recorded)%s, MP4 %d kB" % (
        x["cpu_s"], x["peak_rss_kb"] / 1024, x["wall_s"], x["wall_s_per_min_recorded"] or 0, " FAILED" if x["failed"] else "", x["mp4_kb"])))' "$dir/result.json"
}

# A run counts as saturated when the loadgen says so, or when it used ~all of its one core.
saturated() {
	$PY -c '
import json, sys
r = json.load(open(sys.argv[1]))
pk = int(r["loadgen"].get("sub_packets_received") or 0)
sys.exit(0 if r["loadgen"].get("saturated") or r["loadgen_core_pct"] >= 95
         or r["udp_drops_loadgen"] > 0.001 * max(pk, 1) else 1)' "$1/result.json"
}

# The servers of a scenario: BENCH_SERVERS, and in the web meeting plenum with the data saver off
# (--keep-unused-layers) right after plenum, so the saving is measured in the same run, then plenum
# with WHEP viewers and plenum recording (their deltas against plenum's run).
servers_for() {
	local s
	for s in $SERVERS; do
		echo "$s"
		[ "$s" = plenum ] && [ "$1" = web ] && [ "$SAVER" = 1 ] && echo plenum_keep
		[ "$s" = plenum ] && [ "$1" = web ] && [ "$H264" = 1 ] && echo plenum_h264
		[ "$s" = plenum ] && [ "$1" = web ] && [ "$WHEP_VIEWERS" -gt 0 ] && echo plenum_whep plenum_rec
	done
}

for sc in $SCENARIOS; do
	scenario_def "$sc" >/dev/null
	scale=$SCALE
	retries=0
	while :; do
		say "== $(scenario_title "$sc") (scale $scale, ${DURATION} s)"
		sat=0 busy=0
		for server in $(servers_for "$sc"); do
			[ "$sc" = webtcp ] && [ "$server" != plenum ] && continue
			dir="$work/runs/$sc-$scale-$server"
			if ! run_one "$sc" "$server" "$scale" "$dir"; then
				echo "bench: $server failed in $sc at scale $scale" >&2
				echo '{"failed": true}' >"$dir/failed.json"
				continue
			fi
			# the viewers' and the recording's runs are compared with plenum's; their saturation is a
			# note in their table, not a reason to scale the meeting down
			case $server in plenum_whep|plenum_rec|plenum_h264) continue ;; esac
			saturated "$dir" && sat=1
			$PY -c 'import json, sys; sys.exit(0 if json.load(open(sys.argv[1]))["foreign_core_pct"] > 25 else 1)' \
				"$dir/result.json" && busy=1
		done
		if [ "$sat" = 1 ] && [ "$busy" = 1 ] && [ "$retries" -lt "${BENCH_RETRIES:-2}" ]; then
			# Lag caused by other work on the machine, not by the load: same scale once more.
			retries=$((retries + 1))
			say "   saturated while other work used the machine: re-running at scale $scale (retry $retries)"
			mv "$work/runs/$sc-$scale-plenum" "$work/runs/$sc-$scale-plenum.busy$retries" 2>/dev/null || true
			mv "$work/runs/$sc-$scale-plenum_keep" "$work/runs/$sc-$scale-plenum_keep.busy$retries" 2>/dev/null || true
			mv "$work/runs/$sc-$scale-janus" "$work/runs/$sc-$scale-janus.busy$retries" 2>/dev/null || true
			mv "$work/runs/$sc-$scale-plenum_whep" "$work/runs/$sc-$scale-plenum_whep.busy$retries" 2>/dev/null || true
			mv "$work/runs/$sc-$scale-plenum_rec" "$work/runs/$sc-$scale-plenum_rec.busy$retries" 2>/dev/null || true
			mv "$work/runs/$sc-$scale-plenum_h264" "$work/runs/$sc-$scale-plenum_h264.busy$retries" 2>/dev/null || true
			continue
		fi
		if [ "$sat" = 1 ]; then
			next=$($PY -c "import sys; print(round(float(sys.argv[1]) / 2, 3))" "$scale")
			if $PY -c "import sys; sys.exit(0 if float(sys.argv[1]) >= float(sys.argv[2]) else 1)" "$next" "$MIN_SCALE"; then
				say "   the load generator could not keep up (saturated) at scale $scale: re-running at scale $next"
				touch "$work/runs/$sc-$scale.saturated"
				scale=$next
				continue
			fi
			say "   the load generator saturated even at scale $scale: numbers for $sc are not reported"
			touch "$work/runs/$sc-$scale.saturated"
		fi
		break
	done
done

# A real browser in the web meeting: does the layer it receives follow its tile's size?
if [[ " $SCENARIOS " == *" web "* ]] && [ "${BENCH_BROWSER:-1}" = 1 ]; then
	say "== web meeting with Chromium: the layer follows the tile (bench/layers-in-meeting.mjs)"
	if command -v node >/dev/null && [ -x "${CHROMIUM:-/usr/bin/chromium}" ] && [ -d tests/browser/node_modules/playwright-core ]; then
		LOADGEN="$LOADGEN" node bench/layers-in-meeting.mjs >"$work/layers.json" 2>"$work/layers.err" || true
		[ -s "$work/layers.json" ] || echo '{"ok": false, "error": "no result; see layers.err"}' >"$work/layers.json"
		cat "$work/layers.json"
	else
		echo '{"skipped": "node, Debian chromium or tests/browser/node_modules missing (make deps)"}' >"$work/layers.json"
	fi
fi

say "== report"
mkdir -p "$RESULTS"
BENCH_README=${BENCH_README:-1} BENCH_SCENARIOS="$SCENARIOS" $PY - "$work" "$RESULTS" "$stamp" <<'EOF'
import glob, json, os, re, sys
work, results, stamp = sys.argv[1:]
env = dict(l.rstrip("\n").split("=", 1) for l in open(work + "/machine.env") if "=" in l)
floor = json.load(open(work + "/floor.json"))
runs = []
for d in sorted(glob.glob(work + "/runs/*/")):
    if os.path.exists(d + "result.json"):
        r = json.load(open(d + "result.json"))
        if ".busy" in d:
            r["discarded"] = "re-run: the load generator lagged while other work used the machine"
        runs.append(r)
saturated = {os.path.basename(p)[:-len(".saturated")] for p in glob.glob(work + "/runs/*.saturated")}
titles = {"web": "web meeting", "webtcp": "web meeting, subscribers on ICE-TCP", "town": "town peak"}
order = [s for s in os.environ.get("BENCH_SCENARIOS", "web webtcp town").split()]

final = {}  # scenario -> (scale, {server: run})
for r in runs:
    if r.get("discarded"):
        continue
    cur = final.get(r["scenario"])
    if cur is None or r["scale"] < cur[0]:
        final[r["scenario"]] = (r["scale"], {})
    if final[r["scenario"]][0] == r["scale"]:
        final[r["scenario"]][1][r["server"]] = r
# A scenario whose last scale still saturated reports nothing.
def sat_at(sc, scale):
    return any(s.startswith(sc + "-") and abs(float(s[len(sc) + 1:]) - scale) < 1e-9 for s in saturated)

def fmt(v, f="%.2f"):
    return "—" if v is None else f % v
def ratio(a, b):
    return None if a in (None, 0) or b in (None, 0) else a / b

def data_saver_table(sc, desc, total, on, off):
    lon, loff = on["loadgen"], off["loadgen"]
    mon, moff = on.get("server_metrics") or {}, off.get("server_metrics") or {}
    def get(r, m, k):
        if k.startswith("m:"):
            return m.get(k[2:])
        if k in r["loadgen"]:
            return r["loadgen"][k]
        return r.get(k)
    kbit = lambda v: None if v is None else v / 1e3
    lines = [
        ("server received RTP packets/s (plenum_rtp_packets_received_total)", "m:rtp_packets_received_per_s", "%.0f", None, True),
        ("server received kbit/s (RTP)", "m:rtp_received_bits_per_s", "%.0f", kbit, True),
        ("publishers sent RTP packets/s (load generator)", "pub_packets_per_s", "%.0f", None, True),
        ("publishers' uplink kbit/s, all %d publishers" % (int(lon.get("cameras", 0)) + int(lon.get("screens", 0))), "pub_bitrate_bps", "%.0f", kbit, True),
        ("uplink kbit/s per camera publisher (camera, mic, RTCP)", "pub_camera_bitrate_bps", "%.0f", kbit, True),
        ("forwarded packets/s (subscribers received)", "fwd_pkts_per_s", "%.0f", None, True),
        ("subscribers received per layer, packets/s: q / h / f / screen / audio", None, None, None, False),
        ("server CPU, % of one core", "server_core_pct", "%.1f", None, True),
        ("server CPU µs per forwarded packet", "cpu_us_per_pkt", "%.2f", None, True),
        ("loss %", "loss_pct", "%.2f", None, False),
        ("simulcast layers off at the publishers (plenum_publish_layers_off, in the window min–max)", None, None, None, False),
        ("layer pauses / resumes (whole run; in the window)", None, None, None, False),
        ("videos paused for bandwidth (most in the window)", "m:videos_paused_bandwidth_max", "%d", None, False),
        ("probe padding packets/s", "m:probe_padding_packets_per_s", "%.0f", None, False),
        ("a viewer pins a camera after the window: its 720p layer after (ms)", None, None, None, False),
    ]
    tab = ["| data saver, %s, %d participants, %d s | saver on (default) | off (--keep-unused-layers) | on/off |" % (
        desc, total, int(lon.get("duration_s", 0))), "|---|---:|---:|---:|"]
    summary = {"on": {}, "off": {}}
    for label, key, f, conv, show_ratio in lines:
        if label.startswith("simulcast layers off"):
            c = lambda m: "—" if "publish_layers_off_min" not in m else "%d (%d–%d)" % (m["publish_layers_off_at_end"], m["publish_layers_off_min"], m["publish_layers_off_max"])
            tab.append("| %s | %s | %s | |" % (label, c(mon), c(moff)))
            continue
        if label.startswith("layer pauses"):
            c = lambda m: "—" if "layer_pauses_total" not in m else "%d / %d; %d / %d" % (
                m["layer_pauses_total"], m["layer_resumes_total"], m.get("layer_pauses_in_window", 0), m.get("layer_resumes_in_window", 0))
            tab.append("| %s | %s | %s | |" % (label, c(mon), c(moff)))
            continue
        if label.startswith("subscribers received per layer"):
            def c(r):
                b, dur = r["loadgen"].get("sub_packets_by_layer"), float(r["loadgen"].get("duration_s") or 0)
                return "—" if not b or not dur else " / ".join("%.0f" % (b.get(x, 0) / dur) for x in ("q", "h", "f", "screen", "audio"))
            tab.append("| %s | %s | %s | |" % (label, c(on), c(off)))
            continue
        if label.startswith("a viewer pins"):
            c = lambda r: "—" if not r["loadgen"].get("focus_check") else (
                "%.0f" % r["loadgen"]["focus_check"]["ms"] if r["loadgen"]["focus_check"].get("ok") else "not within 20 s")
            tab.append("| %s | %s | %s | |" % (label, c(on), c(off)))
            continue
        va, vb = get(on, mon, key), get(off, moff, key)
        if conv:
            va, vb = conv(va), conv(vb)
        rt = ratio(va, vb) if show_ratio else None
        tab.append("| %s | %s | %s | %s |" % (label, fmt(va, f), fmt(vb, f), fmt(rt, "%.2f")))
        name = key[2:] if key.startswith("m:") else key
        summary["on"][name], summary["off"][name] = va, vb
    notes_, targets_ = [], []
    # What makes the comparison fair, checked on this run's numbers.
    if mon.get("publish_layers_off_min", 0) <= 0:
        notes_.append("%s, data saver: the server had no layer switched off during the window (plenum_publish_layers_off %s); the saving is not the data saver's." % (titles[sc], mon.get("publish_layers_off_min")))
    if moff.get("layer_pauses_total", 0) or moff.get("publish_layers_off_max", 0):
        notes_.append("%s, --keep-unused-layers: the server still paused layers (%s pauses); the baseline is not every layer." % (titles[sc], moff.get("layer_pauses_total")))
    if mon.get("layer_pauses_in_window", 0) or mon.get("layer_resumes_in_window", 0) or lon.get("layers_paused_at_start") != lon.get("layers_paused_at_end"):
        notes_.append("%s, data saver: layers still switched during the window (%s pauses, %s resumes); it is not the steady state alone." % (
            titles[sc], mon.get("layer_pauses_in_window"), mon.get("layer_resumes_in_window")))
    # (plenum's own run has its notes with the main table)
    if int(off["loadgen"].get("joined") or 0) < total:
        notes_.append("%s, plenum --keep-unused-layers: only %s of %d participants joined." % (titles[sc], off["loadgen"].get("joined"), total))
    if off["foreign_core_pct"] > 25:
        notes_.append("%s, plenum --keep-unused-layers: other work on the machine used %.0f %% of a core during the run; its numbers are disturbed by it." % (
            titles[sc], off["foreign_core_pct"]))
    bl = lambda r: r["loadgen"].get("sub_packets_by_layer") or {}
    if bl(on) and bl(off) and (bl(on).get("h", 0) + bl(on).get("f", 0) > 0.01 * max(1, on["loadgen"].get("sub_packets_received", 0)) or
                               bl(off).get("h", 0) + bl(off).get("f", 0) > 0.01 * max(1, off["loadgen"].get("sub_packets_received", 0))):
        notes_.append("%s, data saver: subscribers received upper camera layers in the window (h+f packets: %d on, %d off), not only the tiles' low layer." % (
            titles[sc], bl(on).get("h", 0) + bl(on).get("f", 0), bl(off).get("h", 0) + bl(off).get("f", 0)))
    pr = ratio(summary["on"].get("rtp_packets_received_per_s"), summary["off"].get("rtp_packets_received_per_s"))
    ur = ratio(summary["on"].get("pub_bitrate_bps"), summary["off"].get("pub_bitrate_bps"))
    if pr is not None and ur is not None:
        targets_.append("%s: the data saver — the server receives %.2f× the RTP packets/s (%.0f vs %.0f) and the publishers send %.2f× the uplink (%.0f vs %.0f kbit/s; %.0f vs %.0f kbit/s per camera) of --keep-unused-layers; %s layers off at the window's end (reported, no target)." % (
            titles[sc], pr, summary["on"]["rtp_packets_received_per_s"], summary["off"]["rtp_packets_received_per_s"], ur,
            summary["on"]["pub_bitrate_bps"], summary["off"]["pub_bitrate_bps"],
            summary["on"].get("pub_camera_bitrate_bps") or 0, summary["off"].get("pub_camera_bitrate_bps") or 0,
            mon.get("publish_layers_off_at_end")))
    for r in (on, off):
        fc = r["loadgen"].get("focus_check")
        if fc:
            targets_.append("%s, %s: a viewer who pins a camera gets its 720p layer — %s." % (
                titles[sc], "data saver on" if r is on else "--keep-unused-layers",
                ("met, after %.0f ms" % fc["ms"]) if fc.get("ok") else "not met within 20 s"))
    return {"table": "\n".join(tab), "notes": notes_, "targets": targets_,
            "on": summary["on"], "off": summary["off"],
            "packets_ratio": pr, "uplink_ratio": ur,
            "server_on": mon, "server_off": moff,
            "focus_on": on["loadgen"].get("focus_check"), "focus_off": off["loadgen"].get("focus_check")}

# H.264 beside VP8: the same meeting with every camera and screen published in H.264 (plenum
# parses NAL units for keyframes and forwards the payload untouched; VP8's descriptor is rewritten).
def codec_table(sc, desc, total, vp8, h264):
    def v(r, k):
        return r["loadgen"].get(k) if k in r["loadgen"] else r.get(k)
    lines = [("server CPU µs per forwarded packet", "cpu_us_per_pkt", "%.2f"), ("forwarded packets/s", "fwd_pkts_per_s", "%.0f"),
             ("forwarded Mbit/s", "fwd_bits_per_s", "%.1f"), ("server CPU, % of one core", "server_core_pct", "%.1f"),
             ("delay p99 (ms)", "delay_us_p99", "%.2f"), ("loss %", "loss_pct", "%.2f")]
    tab = ["| codecs, %s, %d participants, %d s | VP8 (plenum) | H.264 | H.264/VP8 |" % (
        desc, total, int(vp8["loadgen"].get("duration_s", 0))), "|---|---:|---:|---:|"]
    out = {}
    for label, k, f in lines:
        a, b = v(vp8, k), v(h264, k)
        if k == "fwd_bits_per_s":
            a, b = (None if a is None else a / 1e6), (None if b is None else b / 1e6)
        if k == "delay_us_p99":
            a, b = (None if a is None else a / 1000), (None if b is None else b / 1000)
        tab.append("| %s | %s | %s | %s |" % (label, fmt(a, f), fmt(b, f), fmt(ratio(b, a), "%.2f")))
        out[k] = {"vp8": a, "h264": b}
    notes_ = []
    if int(h264["loadgen"].get("joined") or 0) < total:
        notes_.append("%s, H.264: only %s of %d participants joined." % (titles[sc], h264["loadgen"].get("joined"), total))
    if saturated_run(h264):
        notes_.append("%s, H.264: the load generator could not keep up (saturated); the comparison is not trustworthy." % titles[sc])
    rt = ratio(h264["cpu_us_per_pkt"], vp8["cpu_us_per_pkt"])
    targets_ = [] if rt is None else ["%s: H.264 costs %.2f× VP8's server CPU per forwarded packet (%.2f vs %.2f µs; reported, no target)." % (
        titles[sc], rt, h264["cpu_us_per_pkt"], vp8["cpu_us_per_pkt"])]
    return {"table": "\n".join(tab), "notes": notes_, "targets": targets_, "rows": out, "cpu_ratio": rt}

# WHEP viewers and recording (plenum only: Debian's Janus has no WHEP): the same meeting with N
# viewers, and with its host recording, against plenum's run without either (the deltas).
def out_table(sc, desc, total, base, w, rec):
    cols = [base, w, rec]
    nv = int(w["loadgen"].get("whep_viewers") or 0) if w else 0
    def d(r, k):
        return None if r is None or base.get(k) is None or r.get(k) is None else r[k] - base[k]
    cpu = lambda r: None if r is None else r["server_cpu_s"]
    dcpu = lambda r: None if r is None or r["server_cpu_s"] is None else r["server_cpu_s"] - base["server_cpu_s"]
    dur = lambda r: float(r["loadgen"].get("duration_s") or 0) if r else 0
    wl = w["loadgen"] if w else {}
    rl = rec["loadgen"] if rec else {}
    x = rec.get("render") if rec else None
    def row(label, vals, f):
        return "| %s | %s |" % (label, " | ".join(fmt(v, f) for v in vals))
    tab = ["| %s, %d participants, %d s (plenum only: Debian's Janus has no WHEP) | meeting alone | + %d WHEP viewers | + recording |" % (
        desc, total, int(base["loadgen"].get("duration_s", 0)), nv), "|---|---:|---:|---:|"]
    tab.append("| WHEP viewers up (with video keyframe / audio) | — | %s | — |" % (
        "—" if not w else "%d/%d (%d / %d)" % (wl.get("whep_viewers_up", 0), nv, wl.get("whep_viewers_with_keyframe", 0), wl.get("whep_viewers_with_audio", 0))))
    tab.append(row("packets/s to the viewers", [None, wl.get("whep_packets_per_s"), None], "%.0f"))
    tab.append(row("Mbit/s to the viewers", [None, None if not w else wl.get("whep_bitrate_bps", 0) / 1e6, None], "%.2f"))
    tab.append(row("viewers' loss %", [None, wl.get("whep_loss_pct"), None], "%.2f"))
    tab.append(row("forwarded packets/s to participants", [r and r["fwd_pkts_per_s"] for r in cols], "%.0f"))
    tab.append(row("server CPU, % of one core", [r and r["server_core_pct"] for r in cols], "%.1f"))
    tab.append(row("server CPU delta, % of one core", [None] + [None if dcpu(r) is None or not dur(r) else 100 * dcpu(r) / dur(r) for r in (w, rec)], "%.1f"))
    per_viewer = None if not w or not nv or not dur(w) else 100 * dcpu(w) / dur(w) / nv
    per_pkt = None if not w or not wl.get("whep_packets_received") else dcpu(w) * 1e6 / wl["whep_packets_received"]
    tab.append(row("server CPU per viewer, % of one core", [None, per_viewer, None], "%.3f"))
    tab.append(row("server CPU µs per packet to a viewer (delta / viewers' packets)", [None, per_pkt, None], "%.2f"))
    tab.append(row("server CPU µs per forwarded packet (participants only)", [r and r["cpu_us_per_pkt"] for r in cols], "%.2f"))
    tab.append(row("server peak RSS (MB)", [r and r["peak_rss_kb"] / 1024 for r in cols], "%.1f"))
    tab.append(row("server peak RSS delta (MB)", [None] + [None if r is None else (r["peak_rss_kb"] - base["peak_rss_kb"]) / 1024 for r in (w, rec)], "%.1f"))
    tab.append(row("recorded (s)", [None, None, rl.get("recording_s") if rec else None], "%.1f"))
    tab.append(row("render: ffmpeg CPU seconds (user + sys)", [None, None, x and x["cpu_s"]], "%.1f"))
    tab.append(row("render: ffmpeg peak RSS (MB)", [None, None, x and x["peak_rss_kb"] / 1024], "%.0f"))
    tab.append(row("render: wall time (s)", [None, None, x and x["wall_s"]], "%.1f"))
    tab.append(row("render: wall s per minute recorded", [None, None, x and x["wall_s_per_min_recorded"]], "%.1f"))
    tab.append(row("render: ffmpeg CPU s per minute recorded", [None, None, x and x["cpu_s_per_min_recorded"]], "%.1f"))
    notes_ = []
    for r, what in ((w, "with WHEP viewers"), (rec, "recording")):
        if r is None:
            notes_.append("%s, plenum %s: the run failed." % (titles[sc], what))
            continue
        if r["loadgen"].get("out_error"):
            notes_.append("%s, plenum %s: %s." % (titles[sc], what, r["loadgen"]["out_error"]))
        if saturated_run(r):
            notes_.append("%s, plenum %s: the load generator could not keep up (saturated); its deltas are not trustworthy." % (titles[sc], what))
        if r["foreign_core_pct"] > 25:
            notes_.append("%s, plenum %s: other work on the machine used %.0f %% of a core during the run; its numbers are disturbed by it." % (titles[sc], what, r["foreign_core_pct"]))
    if w and wl.get("whep_viewers_up", 0) < nv:
        notes_.append("%s: only %d of %d WHEP viewers were up." % (titles[sc], wl.get("whep_viewers_up", 0), nv))
    if rec and not x:
        notes_.append("%s, recording: the render was not measured (no /usr/bin/time, or ffmpeg did not finish within BENCH_RENDER_WAIT)." % titles[sc])
    elif x and x["failed"]:
        notes_.append("%s, recording: ffmpeg exited with an error (render_failed); its figures are those of a failed render." % titles[sc])
    return {"table": "\n".join(tab), "notes": notes_, "per_viewer_core_pct": per_viewer, "us_per_viewer_packet": per_pkt,
            "whep_cpu_delta_s": dcpu(w), "rec_cpu_delta_s": dcpu(rec), "rec_rss_delta_kb": d(rec, "peak_rss_kb"),
            "whep_rss_delta_kb": d(w, "peak_rss_kb"), "render": x}

def saturated_run(r):
    pk = int(r["loadgen"].get("sub_packets_received") or 0) + int(r["loadgen"].get("whep_packets_received") or 0)
    return bool(r["loadgen"].get("saturated") or r["loadgen_core_pct"] >= 95 or r["udp_drops_loadgen"] > 0.001 * max(pk, 1))

rows, notes, targets = [], [], []
saver = {}
out_ = {}
codecs = {}
floor_us = floor.get("floor_us_gcm")
for sc in order:
    if sc not in final:
        continue
    scale, by = final[sc]
    p, j = by.get("plenum"), by.get("janus")
    any_r = p or j
    lg = any_r["loadgen"]
    total = int(lg.get("participants", 0)) * int(lg.get("rooms", 1))
    desc = "%s: %s room%s × %s, %s camera%s, %s screen%s" % (
        titles.get(sc, sc), lg.get("rooms"), "" if lg.get("rooms") == 1 else "s", lg.get("participants"),
        lg.get("cameras"), "" if lg.get("cameras") == 1 else "s", lg.get("screens"), "" if lg.get("screens") == 1 else "s")
    if lg.get("camera_tile"):
        desc += ", camera tiles %s px" % lg.get("camera_tile")
    if sat_at(sc, scale):
        notes.append("%s: the load generator could not keep up (saturated) even at scale %g; no numbers reported." % (titles[sc], scale))
        continue
    if scale != float(env.get("scale", 1)):
        notes.append("%s: the load generator could not keep up (saturated) at larger scales; scaled down to %g (%d participants)." % (titles[sc], scale, total))
    for r in (p, j):
        if r and int(r["loadgen"].get("joined") or 0) < total:
            notes.append("%s, %s: only %s of %d participants joined (%s failed joins); its numbers cover those." % (
                titles[sc], r["server"], r["loadgen"].get("joined"), total, r["loadgen"].get("failed_joins")))
    for r in (p, j):
        if r and r["foreign_core_pct"] > 25:
            notes.append("%s, %s: other work on the machine used %.0f %% of a core during the run; its numbers are disturbed by it." % (
                titles[sc], r["server"], r["foreign_core_pct"]))
    def cell(r, k, f="%.2f"):
        if r is None:
            return "failed"
        v = r["loadgen"].get(k) if k in r["loadgen"] else r.get(k)
        return fmt(v, f)
    metrics = [
        ("server CPU µs per forwarded packet", "cpu_us_per_pkt", "%.2f"),
        ("forwarded packets/s", "fwd_pkts_per_s", "%.0f"),
        ("forwarded Mbit/s", None, None),
        ("delay p50 / p99 (ms)", None, None),
        ("loss %", "loss_pct", "%.2f"),
        ("server CPU, % of one core", "server_core_pct", "%.1f"),
        ("idle RSS (MB)", None, None),
        ("peak RSS (MB)", None, None),
        ("RSS per participant (kB)", "rss_kb_per_participant", "%.0f"),
        ("joined", None, None),
        ("other work on the machine, % of a core", "foreign_core_pct", "%.0f"),
    ]
    tab = ["| %s, %d participants, %d s | plenum | Janus | plenum/Janus |" % (desc, total, int(lg.get("duration_s", 0))), "|---|---:|---:|---:|"]
    for label, k, f in metrics:
        if label == "forwarded Mbit/s":
            vals = [None if r is None else r["fwd_bits_per_s"] / 1e6 for r in (p, j)]
            f = "%.1f"
        elif label == "delay p50 / p99 (ms)":
            def dl(r):
                if r is None: return None
                a, b = r["loadgen"].get("delay_us_p50"), r["loadgen"].get("delay_us_p99")
                return None if a is None or b is None else (a / 1000, b / 1000)
            dp, dj = dl(p), dl(j)
            s = lambda x: "—" if x is None else "%.2f / %.2f" % x
            rt = "—" if not dp or not dj or not dj[1] else "%.2f (p99)" % (dp[1] / dj[1])
            tab.append("| %s | %s | %s | %s |" % (label, s(dp), s(dj), rt))
            continue
        elif label in ("idle RSS (MB)", "peak RSS (MB)"):
            kk = "idle_rss_kb" if label.startswith("idle") else "peak_rss_kb"
            vals = [None if r is None else r[kk] / 1024 for r in (p, j)]
            f = "%.1f"
        elif label == "joined":
            vals = [None if r is None else r["loadgen"].get("joined") for r in (p, j)]
            tab.append("| joined | %s | %s | |" % tuple("—" if v is None else "%s/%d" % (v, total) for v in vals))
            continue
        else:
            vals = [None if r is None else (r["loadgen"].get(k) if k in r["loadgen"] else r.get(k)) for r in (p, j)]
        rt = ratio(vals[0], vals[1]) if not label.startswith("other work") else None
        tab.append("| %s | %s | %s | %s |" % (label, fmt(vals[0], f), fmt(vals[1], f), fmt(rt, "%.2f")))
    rows.append("\n".join(tab))
    # The data saver: plenum as deployed (unwanted simulcast layers switched off at the publishers)
    # against plenum with --keep-unused-layers (every layer sent, as with Janus), same load, same run.
    # H.264 beside VP8: the same meeting with H.264 publishers, per forwarded packet.
    for store, server, table in ((saver, "plenum_keep", data_saver_table), (codecs, "plenum_h264", codec_table)):
        other = by.get(server)
        if p and other:
            store[sc] = t_ = table(sc, desc, total, p, other)
            rows.append(t_["table"])
            notes.extend(t_["notes"])
            targets.extend(t_["targets"])
    w, rc_ = by.get("plenum_whep"), by.get("plenum_rec")
    if p and (w or rc_):
        out_[sc] = ot = out_table(sc, desc, total, p, w, rc_)
        rows.append(ot["table"])
        notes.extend(ot["notes"])
    # targets
    if p:
        rj = ratio(p["cpu_us_per_pkt"], j["cpu_us_per_pkt"]) if j else None
        if rj is not None:
            targets.append("%s: plenum CPU per forwarded packet ≤ 1/10 of Janus's — %s (%.2f vs %.2f µs, ratio %.2f)." % (
                titles[sc], "met" if rj <= 0.1 else "not met", p["cpu_us_per_pkt"], j["cpu_us_per_pkt"], rj))
        if floor_us and p["cpu_us_per_pkt"] is not None:
            targets.append("%s: plenum CPU per forwarded packet ≤ 2× the floor — %s (%.2f µs vs 2 × %.2f µs)." % (
                titles[sc], "met" if p["cpu_us_per_pkt"] <= 2 * floor_us else "not met", p["cpu_us_per_pkt"], floor_us))
        if sc == "webtcp" and final.get("web") and final["web"][1].get("plenum"):
            pu = final["web"][1]["plenum"]
            rt = ratio(p["cpu_us_per_pkt"], pu["cpu_us_per_pkt"])
            if rt is not None:
                notes.append("ICE-TCP costs %.2f× UDP's CPU per forwarded packet (%.2f vs %.2f µs; no target, for operators)." % (
                    rt, p["cpu_us_per_pkt"], pu["cpu_us_per_pkt"]))
        if sc == "web":
            lgp = p["loadgen"]
            p99 = lgp.get("delay_us_p99")
            if p99 is not None:
                targets.append("web meeting: p99 delay < 2 ms — %s (%.2f ms)." % ("met" if p99 < 2000 else "not met", p99 / 1000))
            loss = lgp.get("loss_pct")
            if loss is not None:
                targets.append("web meeting: no loss — %s (%.3f %%)." % ("met" if loss == 0 else "not met", loss))
            if p["server_core_pct"] is not None:
                targets.append("web meeting: server < 25 %% of one core — %s (%.1f %%)." % ("met" if p["server_core_pct"] < 25 else "not met", p["server_core_pct"]))
layers = json.load(open(work + "/layers.json")) if os.path.exists(work + "/layers.json") else None
if layers is not None:
    if layers.get("skipped"):
        targets.append("web meeting: a Chromium subscriber among 120 switches layers with its tile — not measured (%s)." % layers["skipped"])
    else:
        steps = "; ".join("%s: frameHeight %s at a %s px tile%s" % (
            st["step"], st["frame_height"], st["tile_height"], "" if st["ok"] else " (NOT as expected)") +
            (" after %.1f s" % st["seconds"] if st["ok"] else "") for st in layers.get("steps", []))
        targets.append("web meeting: a Chromium subscriber among %s participants switches layers with its tile — %s (%s)%s." % (
            layers.get("participants") or "?", "met" if layers.get("ok") else "not met", steps or "no step ran",
            "; " + layers["error"] if layers.get("error") else ""))
# Memory targets belong to the web meeting; the town peak's figure is reported beside them.
for sc in order:
    r = final.get(sc, (None, {}))[1].get("plenum")
    if not r:
        continue
    per = r["rss_kb_per_participant"] or 0
    if sc == "web":
        idle = r["idle_rss_kb"] / 1024
        targets.append("web meeting: idle RSS < 10 MB — %s (%.1f MB)." % ("met" if idle < 10 else "not met", idle))
        targets.append("web meeting: RSS < 200 kB per participant — %s (%.0f kB)." % ("met" if per < 200 else "not met", per))
    else:
        targets.append("%s: RSS per participant %.0f kB (no target; every participant there publishes a camera)." % (titles.get(sc, sc), per))

floor_tab = ["| floor: recvmmsg → SRTP unprotect → protect → sendmmsg, batches of %d, %d-byte payload | µs CPU per packet | user | sys |" % (floor["batch"], floor["payload_bytes"]), "|---|---:|---:|---:|"]
for fr in floor["rows"]:
    floor_tab.append("| %s, %s | %.2f | %.2f | %.2f |" % (fr["profile"], fr["path"], fr["cpu_us_per_pkt"], fr["user_us"], fr["sys_us"]))

head = "Measured %s on %s (%s CPUs, kernel %s), plenum %s, %s; server pinned to CPU %s, load generator to CPU %s, loopback only." % (
    env["date"][:10], env["model"], env["cpus"], env["kernel"], env["commit"], env.get("janus", "Janus"), env["srv_cpu"], env["gen_cpu"])
table_md = head + "\n\n" + "\n\n".join(rows + ["\n".join(floor_tab)])
if notes:
    table_md += "\n\n" + "\n".join("Note — " + n for n in notes)
if targets:
    table_md += "\n\nTargets (reported, not asserted):\n\n" + "\n".join("- " + t for t in targets)

print(table_md)

latest = {"machine": env, "floor": floor, "runs": runs, "notes": notes, "targets": targets, "layers_in_meeting": layers,
          "data_saver": {sc: {k: v for k, v in d.items() if k != "table"} for sc, d in saver.items()},
          "whep_and_recording": {sc: {k: v for k, v in d.items() if k != "table"} for sc, d in out_.items()},
          "codecs": {sc: {k: v for k, v in d.items() if k != "table"} for sc, d in codecs.items()}}
json.dump(latest, open(os.path.join(results, "latest.json"), "w"), indent=2)
md = ["# plenum benchmark, %s" % env["date"], "",
      "- machine: %s, %s CPUs, %s kB RAM, kernel %s" % (env["model"], env["cpus"], env["mem_kb"], env["kernel"]),
      "- plenum commit: %s; reference: %s" % (env["commit"], env.get("janus")),
      "- duration per run: %s s; requested scale: %s; server on CPU %s, load generator on CPU %s" % (env["duration"], env["scale"], env["srv_cpu"], env["gen_cpu"]),
      "", "## Results", "", table_md, "", "## Raw numbers", "",
      "### floor", "", "```json", json.dumps(floor, indent=2), "```", ""]
if layers is not None:
    md += ["### web meeting with Chromium: the layer follows the tile", "", "```json", json.dumps(layers, indent=2), "```", ""]
for r in runs:
    srv = {"plenum_keep": "plenum --keep-unused-layers", "plenum_whep": "plenum with WHEP viewers",
           "plenum_rec": "plenum recording", "plenum_h264": "plenum, H.264 publishers"}.get(r["server"], r["server"])
    md += ["### %s, %s, scale %g" % (titles.get(r["scenario"], r["scenario"]), srv, r["scale"]), "", "```json", json.dumps(r, indent=2), "```", ""]
path = os.path.join(results, stamp + ".md")
open(path, "w").write("\n".join(md))
print("\nbench: wrote %s and %s" % (path, os.path.join(results, "latest.json")))

if os.environ.get("BENCH_README") == "1":
    block = "<!-- bench:begin -->\n" + table_md + "\n\nRaw numbers: [bench/results/](bench/results/); how it is measured: [bench/README.md](bench/README.md).\n<!-- bench:end -->"
    readme = os.environ.get("BENCH_README_FILE") or "README.md"
    txt = open(readme).read()
    if "<!-- bench:begin -->" in txt and "<!-- bench:end -->" in txt:
        txt = re.sub(r"<!-- bench:begin -->.*?<!-- bench:end -->", lambda m: block, txt, flags=re.S)
    else:
        txt = txt.rstrip("\n") + "\n\n## Performance\n\n" + block + "\n"
    open(readme, "w").write(txt)
    print("bench: %s performance table updated" % readme)
EOF
