#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs one test suite for `make test` and makes sure it leaves a result.
# A suite's runner writes DIR/NAME.result ("NAME PASSED FAILED SKIPPED").
# When the command leaves no result (it failed to build, crashed, or was
# killed), or exits non-zero while its result shows no failure, this
# writes DIR/NAME.missing with the reason; scripts/summary.sh counts each
# such file as a failure.
#
# usage: scripts/suite.sh DIR NAME COMMAND...

[ $# -ge 3 ] || { echo "usage: $0 DIR NAME COMMAND..." >&2; exit 2; }
dir=$1 name=$2
shift 2
mkdir -p "$dir"
rm -f "$dir/$name.result" "$dir/$name.missing"
"$@"
rc=$?
if [ ! -s "$dir/$name.result" ]; then
	echo "$name: left no result ('$*' exited with status $rc)" >"$dir/$name.missing"
elif [ $rc -ne 0 ] && ! awk '$3 > 0 { bad = 1 } END { exit !bad }' "$dir/$name.result"; then
	echo "$name: '$*' exited with status $rc but reported no failure" >"$dir/$name.missing"
fi
[ ! -f "$dir/$name.missing" ] || cat "$dir/$name.missing" >&2
exit $rc
