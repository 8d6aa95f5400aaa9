#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Judges one e2e boot from its serial log and QEMU's exit status, and
# prints one PASS:/FAIL:/SKIP: line per check on standard output.  The
# test's own lines come first; then the checks every boot gets:
#
#  - the shell prompt appeared;
#  - the script reached its last line ("E2E-END NAME", printed only by
#    lib.sh's e2e_end, which every script calls last) and exited 0
#    ("E2E-EXIT NAME 0", printed by S98e2e with the script's status);
#  - the machine powered off cleanly, or timed out;
#  - the kernel stayed clean: nothing in the serial log, and nothing
#    that S98e2e's watcher of /dev/kmsg forwarded as "E2E-KMSG:" lines
#    (it sees every message, whatever the console's printk level).
#
# tests/harness/selftest.sh feeds it broken logs; keep the two in step.
#
# usage: tests/e2e/judge.sh NAME LOG QEMU-STATUS TIMEOUT [OOPS-FILE]

name=$1 raw=$2 rc=$3 tmo=$4 oops=${5:-/dev/null}

# The serial port ends lines with CR LF: judge the text without the CRs.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
tr -d '\r' <"$raw" >"$log"

# What a clean kernel never prints (one extended regex, shared with the
# guest's watcher and lib.sh's kernel_clean).
KERNEL_BAD=$(cat "$(dirname "$0")/guest/kernel-bad.re")

grep -a -o 'PASS: .*\|FAIL: .*\|SKIP: .*' "$log" |
	sed "s|^\([A-Z]*\): |\1: $name: |"

# "EXPECT-SERIAL: text": the text must appear elsewhere on the serial
# port (output the guest cannot see, like the vmkernel's).
grep -a '^EXPECT-SERIAL: ' "$log" | while read -r _ want; do
	if grep -a -v '^EXPECT-SERIAL: ' "$log" | grep -aqF "$want"; then
		echo "PASS: $name: serial port shows '$want'"
	else
		echo "FAIL: $name: serial port shows '$want'"
	fi
done

if grep -aq '^\[root@[^]]*\]# ' "$log"; then
	echo "PASS: $name: shell prompt reached"
else
	echo "FAIL: $name: shell prompt reached"
fi

if grep -aq "^E2E-END $name\$" "$log"; then
	echo "PASS: $name: script reached its last line"
else
	echo "FAIL: $name: script reached its last line (no 'E2E-END $name': it stopped early)"
fi
status=$(grep -a "^E2E-EXIT $name " "$log" | tail -n 1 | awk '{print $3}')
if [ "$status" = 0 ]; then
	echo "PASS: $name: script exited with status 0"
else
	echo "FAIL: $name: script exited with status 0 (got '${status:-nothing}')"
fi

if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	echo "FAIL: $name: timed out after ${tmo}s"
elif grep -aq 'reboot: Power down' "$log" && [ "$rc" -eq 0 ]; then
	echo "PASS: $name: clean poweroff"
else
	echo "FAIL: $name: clean poweroff (qemu status $rc)"
fi

if grep -aE "^E2E-KMSG: |^\[ *[0-9.]+\] .*($KERNEL_BAD)" "$log" >"$oops"; then
	echo "FAIL: $name: no kernel panic, oops or warning ($(head -n 1 "$oops"))"
else
	echo "PASS: $name: no kernel panic, oops or warning"
fi
