#!/bin/sh
# Builds each fuzz target with libFuzzer + ASan + UBSan and runs it for N seconds (default 60),
# growing a scratch corpus seeded from fuzz/corpus/<name>. New interesting inputs stay in
# build-fuzz/corpus; copy the small ones worth keeping into fuzz/corpus by hand.
set -eu
secs=${1:-60}
make -s BUILD=build-fuzz CC=clang OPT=-O1 SANFLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" build-fuzz/libplenum.a
for src in fuzz/fuzz_*.c; do
	name=$(basename "$src" .c); short=${name#fuzz_}
	mkdir -p build-fuzz/bin build-fuzz/corpus/"$short"
	clang -std=c11 -D_GNU_SOURCE -g -O1 -Isrc $(pkg-config --cflags libuv libwebsockets openssl jansson) \
		-fsanitize=fuzzer,address,undefined -o build-fuzz/bin/"$name" "$src" build-fuzz/libplenum.a \
		$(pkg-config --libs libuv libwebsockets openssl jansson) -lm -lpthread
	echo "fuzz: $short for ${secs}s"
	build-fuzz/bin/"$name" -max_total_time="$secs" -print_final_stats=1 \
		build-fuzz/corpus/"$short" fuzz/corpus/"$short" 2>&1 | grep -E "stat::number_of_executed_units|ERROR|SUMMARY" || true
done
