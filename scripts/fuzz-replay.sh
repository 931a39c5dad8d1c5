#!/bin/sh
# Replays every committed fuzz corpus through its target (built without libFuzzer).
set -u
build=${1:-build}
fail=0; n=0
for bin in "$build"/fuzz-replay/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin"); name=${name#fuzz_}
	dir=fuzz/corpus/$name
	if [ ! -d "$dir" ] || [ -z "$(ls -A "$dir" 2>/dev/null)" ]; then
		echo "fuzz-replay: no corpus for $name"; fail=$((fail + 1)); continue
	fi
	if out=$("$bin" "$dir"/* 2>&1); then n=$((n + 1)); echo "fuzz-replay: $name: $out"
	else echo "$out"; echo "fuzz-replay: $name FAILED"; fail=$((fail + 1)); fi
done
echo "fuzz-replay: $n targets replayed, $fail failed"
[ "$fail" -eq 0 ] && [ "$n" -gt 0 ]
