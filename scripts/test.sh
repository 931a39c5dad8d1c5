#!/bin/sh
# The whole test suite, as `make test` runs it (after ./scripts/deps.sh): gcc build, unit tests, the
# clang ASan+UBSan build with unit tests and fuzz-corpus replay, interop tests (aiortc), abuse tests and
# plenum behind nginx (tests/proxy) against the sanitizer build, the ThreadSanitizer build (unit tests, interop subset with two media workers), browser tests (Chromium) against the gcc build. Media tests run in network and
# PID namespaces that have only loopback (scripts/netns.sh). Logs: tests/output/. Stops at the first failing part; ends with "N passed, N failed".
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
out=tests/output
mkdir -p "$out"
passed=0; failed=0; skipped=0; t_start=$(date +%s)
PIDFILE=$out/.netns-pids
: >"$PIDFILE"

# Media tests run in fresh network and PID namespaces (scripts/netns.sh): when the namespace's first
# process dies, the kernel kills every server and browser inside, so killing that one stops them all.
cleanup() {
	[ -s "$PIDFILE" ] || return 0
	while read -r pid; do
		kill -KILL "$pid" 2>/dev/null
	done <"$PIDFILE"
	: >"$PIDFILE"
}
trap 'cleanup; echo "test.sh: interrupted"; exit 130' INT TERM HUP
trap cleanup EXIT

section() {
	printf '\n======== %s ========\n' "$*"
}

finish() {
	cleanup
	printf '\n======== summary (%ss) ========\n' "$(( $(date +%s) - t_start ))"
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ] && [ "$1" -eq 0 ] && exit 0
	exit 1
}

# Adds the counts in a log's summary lines to the totals. Check prints
# "100%: Checks: 12, Failures: 0, Errors: 0"; pytest "3 passed, 1 failed, 2 skipped, 2 errors in 9.1s";
# node --test "# pass 2" / "# fail 0" / "# skipped 1"; the fuzz replay "fuzz-replay: N targets replayed,
# M failed". Skipped tests are counted and named at the end of the part that skipped them.
count() {
	eval "$(awk '
		/Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+/ {
			for (i = 1; i <= NF; i++) { v = $(i+1); gsub(/[^0-9]/, "", v)
				if ($i == "Checks:") c += v; if ($i == "Failures:") f += v; if ($i == "Errors:") f += v }
			p += c - f; fl += f; c = 0; f = 0 }
		/^=+ .*(passed|failed|error).* in [0-9.]+s/ {
			for (i = 2; i <= NF; i++) { v = $(i-1); gsub(/[^0-9]/, "", v); w = $i; gsub(/[^a-z]/, "", w)
				if (w == "passed") p += v; if (w == "skipped") sk += v
				if (w == "failed" || w == "errors" || w == "error") fl += v } }
		/^# pass [0-9]+$/ { p += $3 }
		/^# fail [0-9]+$/ { fl += $3 }
		/^# skipped [0-9]+$/ { sk += $3 }
		/^fuzz-replay: [0-9]+ targets replayed, [0-9]+ failed/ { p += $2; fl += $5 }
		/^(load|package): [0-9]+ passed, [0-9]+ failed$/ { p += $2; fl += $4 }
		END { printf "p=%d; f=%d; sk=%d\n", p, fl, sk }' "$1")"
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + sk))
	if [ "$sk" -gt 0 ]; then
		echo "$name: $sk skipped:"
		grep -E '^SKIPPED|# SKIP' "$1" | sed 's/^/  /'
	fi
}

# Runs "$@", output to the terminal and to $out/$name.log; counts its summaries; returns its status.
step() {
	name=$1; shift
	log=$out/$name.log
	echo 1 >"$log.rc"
	# in the background, so that a signal to this script runs its trap at once
	( "$@" 2>&1; echo "$?" >"$log.rc" ) </dev/null | tee "$log" &
	wait $!
	rc=$(cat "$log.rc"); rm -f "$log.rc"
	count "$log"
	return "$rc"
}

# A command inside fresh loopback-only network and PID namespaces; remembered for cleanup.
netns() {
	./scripts/netns.sh "$@" &
	pid=$!
	echo "$pid" >>"$PIDFILE"
	wait "$pid"
}

# TEST_PARTS picks parts (default all): build unit asan interop abuse proxy tsan load package web browser.
PARTS=${TEST_PARTS:-build unit asan interop abuse proxy tsan load package web browser}
want() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }

if want build; then
section "build (gcc): make all"
step build make -j"$(nproc)" all || { failed=$((failed + 1)); finish 1; }
fi

if want unit; then
section "unit tests: make unit"
step unit make -j"$(nproc)" unit || { [ "$failed" -gt 0 ] || failed=$((failed + 1)); finish 1; }
fi

if want asan; then
section "sanitizers (clang ASan+UBSan): make asan-unit"
step asan-unit make -j"$(nproc)" asan-unit || { [ "$failed" -gt 0 ] || failed=$((failed + 1)); finish 1; }
fi

if want interop; then
section "interop tests (aiortc, pytest) against build-asan/plenum, loopback-only namespace"
bin=${INTEROP_BIN:-build-asan/plenum}
[ -x "$bin" ] || { echo "$bin missing"; failed=$((failed + 1)); finish 1; }
rm -rf "$out/interop"
PLENUM_BIN=$(realpath "$bin") \
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1} \
	step interop netns /usr/bin/python3 -m pytest -p no:cacheprovider -rfEs --durations=5 tests/interop
rc=$?
if [ "$rc" -eq 5 ]; then echo "interop: pytest collected no tests"; failed=$((failed + 1)); finish 1; fi
if [ "$rc" -ne 0 ]; then [ "$failed" -gt 0 ] || failed=$((failed + 1)); finish 1; fi
fi

if want abuse; then
section "abuse tests (hostile clients, pytest) against build-asan/plenum, loopback-only namespace"
bin=${INTEROP_BIN:-build-asan/plenum}
[ -x "$bin" ] || { echo "$bin missing"; failed=$((failed + 1)); finish 1; }
rm -rf "$out/abuse"
PLENUM_BIN=$(realpath "$bin") \
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1} \
	step abuse netns /usr/bin/python3 -m pytest -p no:cacheprovider -rfEs --durations=5 tests/abuse
rc=$?
if [ "$rc" -eq 5 ]; then echo "abuse: pytest collected no tests"; failed=$((failed + 1)); finish 1; fi
if [ "$rc" -ne 0 ]; then [ "$failed" -gt 0 ] || failed=$((failed + 1)); finish 1; fi
fi

if want proxy; then
section "behind nginx (docs/nginx/plenum.conf, pytest) against build-asan/plenum, loopback-only namespace"
bin=${INTEROP_BIN:-build-asan/plenum}
[ -x "$bin" ] || { echo "$bin missing"; failed=$((failed + 1)); finish 1; }
rm -rf "$out/proxy"
PLENUM_BIN=$(realpath "$bin") \
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1} \
	step proxy netns /usr/bin/python3 -m pytest -p no:cacheprovider -rfEs --durations=5 tests/proxy
rc=$?
if [ "$rc" -eq 5 ]; then echo "proxy: pytest collected no tests"; failed=$((failed + 1)); finish 1; fi
if [ "$rc" -ne 0 ]; then [ "$failed" -gt 0 ] || failed=$((failed + 1)); finish 1; fi
fi

if want tsan; then
section "threads (clang ThreadSanitizer): make tsan-unit, then interop tests on build-tsan/plenum --workers 2"
TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1} \
	step tsan-unit make -j"$(nproc)" tsan-unit || { [ "$failed" -gt 0 ] || failed=$((failed + 1)); finish 1; }
# a representative subset: meetings with media, lost peers, moderation and breakout moves cross the thread boundary
rm -rf "$out/tsan-interop"
PLENUM_BIN=$root/build-tsan/plenum PLENUM_EXTRA_ARGS="--workers 2" PLENUM_TEST_OUTPUT=$root/$out/tsan-interop \
TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1} \
	step tsan-interop netns /usr/bin/python3 -m pytest -p no:cacheprovider -rfEs --durations=5 \
	tests/interop/test_meeting.py tests/interop/test_peer_loss.py tests/interop/test_moderation.py \
	tests/interop/test_breakout.py
rc=$?
if [ "$rc" -eq 5 ]; then echo "tsan-interop: pytest collected no tests"; failed=$((failed + 1)); finish 1; fi
if [ "$rc" -ne 0 ]; then [ "$failed" -gt 0 ] || failed=$((failed + 1)); finish 1; fi
fi

if want load; then
section "short load run (loadgen, 20 participants, 10 s) against build/plenum, loopback-only namespace"
step load netns ./tests/load/short-load.sh
rc=$?
if [ "$rc" -ne 0 ]; then [ "$failed" -gt 0 ] || failed=$((failed + 1)); finish 1; fi
fi

if want package; then
section "Debian package: make deb, lintian, systemd-analyze, the unpacked plenum started, loopback-only namespace"
step package netns ./tests/package/check-deb.sh
rc=$?
if [ "$rc" -ne 0 ]; then [ "$failed" -gt 0 ] || failed=$((failed + 1)); finish 1; fi
fi

if want web; then
section "web client unit tests (node --test, fake WebSocket): tests/web"
set -- tests/web/*.test.mjs
[ -e "$1" ] || { echo "tests/web: no test files"; failed=$((failed + 1)); finish 1; }
step web node --test --test-reporter=tap "$@"
rc=$?
if [ "$rc" -ne 0 ]; then [ "$failed" -gt 0 ] || failed=$((failed + 1)); finish 1; fi
fi

if want browser; then
section "browser tests (Chromium, node --test) against build/plenum, loopback-only namespace"
[ -d tests/browser/node_modules/playwright-core ] || { echo "tests/browser: npm install has not run"; failed=$((failed + 1)); finish 1; }
# client namespaces (lib-netlab), the weak-network suite's downlink cap and relay: scripts/deps.sh installs them
for tool in tc nft nsenter /usr/bin/python3; do
	command -v "$tool" >/dev/null 2>&1 || { echo "tests/browser: $tool missing (./scripts/deps.sh)"; failed=$((failed + 1)); finish 1; }
done
PLENUM_BIN=$root/build/plenum step browser netns node --test --test-reporter=tap tests/browser/*.test.mjs
rc=$?
if [ "$rc" -ne 0 ]; then [ "$failed" -gt 0 ] || failed=$((failed + 1)); finish 1; fi
fi

finish 0
