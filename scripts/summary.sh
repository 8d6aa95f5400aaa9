#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Adds up the result files that the test runners leave in DIR (one line
# each: "SUITE PASSED FAILED SKIPPED") and prints the closing line
# "N passed, N failed, N skipped".  Each DIR/*.missing file (written by
# scripts/suite.sh or `make test` for a suite or build that failed
# without a result) counts as a failure, and so does each SUITE named on
# the command line that left neither.  Exits non-zero if anything failed
# or if no test ran at all.
#
# usage: scripts/summary.sh [DIR [SUITE...]]

dir=${1:-build/results}
[ $# -gt 0 ] && shift
p=0 f=0 s=0
for suite in "$@"; do
	if [ ! -f "$dir/$suite.result" ] && [ ! -f "$dir/$suite.missing" ]; then
		echo "$suite: did not run" >"$dir/$suite.missing"
	fi
done
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
