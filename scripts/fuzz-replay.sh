#!/bin/sh
# Replays every committed fuzz corpus through its target (built without libFuzzer). Exits non-zero
# when an input fails (a sanitizer report, a crash, a non-zero exit), naming the target and the file.
# Usage: scripts/fuzz-replay.sh [BUILD]   ($FUZZ_DIR replaces fuzz/ as the home of the corpora)
set -u
build=${1:-build}
dir=${FUZZ_DIR:-fuzz}
fail=0; n=0
for bin in "$build"/fuzz-replay/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin"); name=${name#fuzz_}
	corpus=$dir/corpus/$name
	if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus" 2>/dev/null)" ]; then
		echo "fuzz-replay: no corpus for $name"; fail=$((fail + 1)); continue
	fi
	if out=$("$bin" "$corpus"/* 2>&1); then
		n=$((n + 1)); echo "fuzz-replay: $name: $out"
		continue
	fi
	echo "$out" | tail -n 20
	# one input at a time, to name each one that fails
	bad=0
	for f in "$corpus"/*; do
		if ! "$bin" "$f" >/dev/null 2>&1; then
			echo "fuzz-replay: $name FAILED on $f"; bad=$((bad + 1))
		fi
	done
	[ "$bad" -eq 0 ] && echo "fuzz-replay: $name FAILED on the whole corpus, on no single input"
	fail=$((fail + 1))
done
echo "fuzz-replay: $n targets replayed, $fail failed"
[ "$fail" -eq 0 ] && [ "$n" -gt 0 ]
