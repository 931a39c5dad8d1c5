#!/bin/sh
# Runs each unit-test binary (Check); fails if any fails. Check prints its own summary per binary.
set -u
fail=0; total=0
for t in "$@"; do
	total=$((total + 1))
	CK_FORK=yes "$t" || { echo "unit: FAILED $t"; fail=$((fail + 1)); }
done
echo "unit: $total test binaries, $fail failed"
[ "$fail" -eq 0 ]
