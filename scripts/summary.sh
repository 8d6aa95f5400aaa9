#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Adds up the result files that the test runners leave in DIR (one line
# each: "SUITE PASSED FAILED SKIPPED") and prints the closing line
# "N passed, N failed, N skipped".  Exits non-zero if anything failed or
# if no test ran at all.

dir=${1:-build/results}
p=0 f=0 s=0
for r in "$dir"/*.result; do
	[ -f "$r" ] || continue
	while read -r suite rp rf rs; do
		printf '  %-12s %4d passed %4d failed %4d skipped\n' "$suite" "$rp" "$rf" "$rs"
		p=$((p + rp)) f=$((f + rf)) s=$((s + rs))
	done < "$r"
done
for m in "$dir"/*.missing; do
	[ -f "$m" ] || continue
	echo "  $(cat "$m")"
	f=$((f + 1))
done
echo "$p passed, $f failed, $s skipped"
[ "$f" -eq 0 ] && [ "$p" -gt 0 ]
