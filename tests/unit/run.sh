#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs the host unit-test programs, each printing TAP through cmocka, and
# writes "unit PASSED FAILED SKIPPED" to RESULT.  A program that crashes
# or exits non-zero without reporting a failure counts as one failure.
#
# usage: tests/unit/run.sh RESULT PROGRAM...

result=$1
shift
p=0 f=0 s=0
log=$(mktemp)
for t in "$@"; do
	echo "== ${t##*/}"
	CMOCKA_MESSAGE_OUTPUT=TAP timeout "${UNIT_TIMEOUT:-300}" "$t" > "$log" 2>&1
	rc=$?
	cat "$log"
	# cmocka reports skip() as "not ok N - name # SKIP": a skip, not a failure.
	tp=$(grep -c '^ok ' "$log")
	ts=$(grep -c '^\(not \)\?ok .*# SKIP' "$log")
	tf=$(grep -c '^not ok ' "$log")
	tp=$((tp - $(grep -c '^ok .*# SKIP' "$log")))
	tf=$((tf - $(grep -c '^not ok .*# SKIP' "$log")))
	if [ $rc -ne 0 ] && [ "$tf" -eq 0 ]; then
		echo "not ok - ${t##*/} exited with status $rc"
		tf=1
	fi
	p=$((p + tp)) f=$((f + tf)) s=$((s + ts))
done
rm -f "$log"
mkdir -p "$(dirname "$result")"
echo "unit $p $f $s" > "$result"
echo "unit: $p passed, $f failed, $s skipped"
[ "$f" -eq 0 ]
