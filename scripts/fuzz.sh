#!/bin/sh
# Builds each fuzz target with libFuzzer + ASan + UBSan and runs it for N seconds, growing a scratch
# corpus seeded from fuzz/corpus/<name>. Exits non-zero when any target crashes, naming the target
# and the file libFuzzer wrote the crashing input to (build-fuzz/crashes/<name>/).
# Usage: scripts/fuzz.sh [SECONDS] [TARGET…]   (SECONDS defaults to $FUZZ_SECONDS, else 60;
# TARGET is a short name such as "demux"; all targets when none is given; $FUZZ_DIR replaces fuzz/,
# $FUZZ_BUILD replaces build-fuzz/).
set -eu
secs=${1:-${FUZZ_SECONDS:-60}}
[ $# -gt 0 ] && shift
dir=${FUZZ_DIR:-fuzz}
out=${FUZZ_BUILD:-build-fuzz}
make -s BUILD=$out CC=clang OPT=-O1 SANFLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
	"$out/libplenum.a"

targets=$*
if [ -z "$targets" ]; then
	for src in "$dir"/fuzz_*.c; do
		n=$(basename "$src" .c)
		targets="$targets ${n#fuzz_}"
	done
fi

fail=0
for short in $targets; do
	src=$dir/fuzz_$short.c
	if [ ! -f "$src" ]; then
		echo "fuzz: $short: no such target ($src)"
		fail=$((fail + 1))
		continue
	fi
	mkdir -p $out/bin $out/corpus/"$short" $out/crashes/"$short"
	bin=$out/bin/fuzz_$short
	log=$out/fuzz_$short.log
	clang -std=c11 -D_GNU_SOURCE -g -O1 -Isrc -I"$dir" $(pkg-config --cflags libuv libwebsockets openssl jansson zlib libbrotlienc sqlite3) \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -o "$bin" "$src" $out/libplenum.a \
		$(pkg-config --libs libuv libwebsockets openssl jansson zlib libbrotlienc sqlite3) -lm -lpthread
	seeds=
	[ -d "$dir/corpus/$short" ] && seeds=$dir/corpus/$short
	echo "fuzz: $short for ${secs}s"
	rc=0
	"$bin" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix=$out/crashes/"$short"/ \
		$out/corpus/"$short" $seeds >"$log" 2>&1 || rc=$?
	grep -E "stat::number_of_executed_units|stat::new_units_added" "$log" || true
	if [ "$rc" -ne 0 ]; then
		grep -E "ERROR|SUMMARY" "$log" | head -n 5 || true
		crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
		echo "fuzz: $short FAILED (exit $rc): crash file ${crash:-none written}, log $log"
		fail=$((fail + 1))
	fi
done
echo "fuzz: $(echo $targets | wc -w) targets, $fail failed"
[ "$fail" -eq 0 ]
