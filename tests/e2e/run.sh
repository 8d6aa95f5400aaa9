#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# e2e harness: boots the test initrd in QEMU once per manifest entry, two
# boots at a time, and counts the PASS:/FAIL:/SKIP: lines each boot's
# test prints on the serial port.  Every boot also gets three checks of
# its own: the shell prompt appeared, the test ran to its end, and the
# machine powered off cleanly with no kernel oops, BUG or warning.  A
# boot that hangs is killed at its timeout; a failing boot's log tail is
# printed.  Serial logs are kept in build/e2e/NAME.log.
#
# A manifest name may carry a variant after '@' (handoff@smp4): the
# guest runs the script before the '@'.  Words of the form qemu.VAR=VALUE
# in the extra column are passed to scripts/qemu.sh as VAR=VALUE (for
# example qemu.CPU=EPYC or qemu.VMK_MEM=0); the rest go on the kernel
# command line.
#
# usage: tests/e2e/run.sh RESULT INITRD MANIFEST [NAME...]
# environment: E2E_JOBS (default 2)

set -u
result=$1 initrd=$2 manifest=$3
shift 3
want=" $* "
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/e2e
mkdir -p "$out"
jobs=${E2E_JOBS:-2}

run_one() {
	local name=$1 smp=$2 mem=$3 tmo=$4 append=$5
	local log=$out/$name.log res=$out/$name.res
	local start end rc p f s w cmdline="" env=()
	for w in $append; do
		case "$w" in
		qemu.*=*) env+=("${w#qemu.}") ;;
		*) cmdline="$cmdline $w" ;;
		esac
	done
	start=$(date +%s)
	env "${env[@]}" SMP=$smp MEM=$mem INITRD=$initrd SERIAL="file:$log" \
		APPEND="vmk.test=$name$cmdline" \
		timeout -k 5 "$tmo" "$top/scripts/qemu.sh" </dev/null >"$out/$name.qemu" 2>&1
	rc=$?
	end=$(date +%s)
	{
		grep -a -o 'PASS: .*\|FAIL: .*\|SKIP: .*' "$log" | tr -d '\r' | sed "s|^\([A-Z]*\): |\1: $name: |"
		# "EXPECT-SERIAL: text": the text must appear elsewhere on the
		# serial port (output the guest cannot see, like the vmkernel's).
		grep -a '^EXPECT-SERIAL: ' "$log" | tr -d '\r' | while read -r _ want; do
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
		if grep -aq "E2E-DONE $name" "$log"; then
			echo "PASS: $name: test ran to its end"
		else
			echo "FAIL: $name: test ran to its end"
		fi
		if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
			echo "FAIL: $name: timed out after ${tmo}s"
		elif grep -aq 'reboot: Power down' "$log" && [ $rc -eq 0 ]; then
			echo "PASS: $name: clean poweroff"
		else
			echo "FAIL: $name: clean poweroff (qemu status $rc)"
		fi
		if grep -aE '^\[ *[0-9.]+\] (.*(Kernel panic|BUG:|Oops|WARNING: CPU:|general protection|soft lockup|self-detected stall|RCU stall)|Call Trace)' "$log" >"$out/$name.oops"; then
			echo "FAIL: $name: no kernel panic, oops or warning ($(head -n 1 "$out/$name.oops"))"
		else
			echo "PASS: $name: no kernel panic, oops or warning"
		fi
	} >"$res"
	p=$(grep -c '^PASS: ' "$res")
	f=$(grep -c '^FAIL: ' "$res")
	s=$(grep -c '^SKIP: ' "$res")
	{
		echo "== $name (smp $smp, mem $mem, $((end - start))s): $p passed, $f failed, $s skipped"
		cat "$res"
		if [ "$f" -gt 0 ]; then
			echo "-- last 40 lines of $log:"
			tail -n 40 "$log" | tr -d '\r'
			cat "$out/$name.qemu"
		fi
	} >"$res.txt"
	cat "$res.txt"
}

names=()
while read -r name smp mem tmo append; do
	case "$name" in ''|'#'*) continue ;; esac
	if [ "$want" != "  " ] && [[ $want != *" $name "* ]]; then
		continue
	fi
	names+=("$name")
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n
	done
	run_one "$name" "$smp" "$mem" "$tmo" "$append" &
done <"$manifest"
wait

p=0 f=0 s=0
for name in "${names[@]}"; do
	r=$out/$name.res
	p=$((p + $(grep -c '^PASS: ' "$r"))) f=$((f + $(grep -c '^FAIL: ' "$r")))
	s=$((s + $(grep -c '^SKIP: ' "$r")))
done
if [ ${#names[@]} -eq 0 ]; then
	echo "e2e: no test matches '$*'"
	f=1
fi
mkdir -p "$(dirname "$result")"
echo "e2e $p $f $s" >"$result"
echo "e2e: ${#names[@]} boots, $p passed, $f failed, $s skipped"
[ "$f" -eq 0 ]
