#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# e2e harness: boots the test initrd in QEMU once per manifest entry, two
# boots at a time, and counts the PASS:/FAIL:/SKIP: lines each boot's
# test prints on the serial port; tests/e2e/judge.sh adds the checks
# every boot gets (prompt, script ran to its end and exited 0, clean
# poweroff, no kernel oops or warning).  A boot that hangs is killed at
# its timeout; a failing boot's log tail is printed.  Serial logs are
# kept in build/e2e/NAME.log.
#
# A manifest name may carry a variant after '@' (handoff@smp4): the
# guest runs the script before the '@'.  Words of the form qemu.VAR=VALUE
# in the extra column are passed to scripts/qemu.sh as VAR=VALUE (for
# example qemu.CPU=EPYC or qemu.VMK_MEM=0); the word harness.alone makes
# the boot run with no other beside it (a measurement that the host's
# other QEMU would disturb); the rest go on the kernel command line.
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
	# A 64 MiB region unless the manifest says otherwise: every boot
	# fits in the memory its line gives it, and the host's in two boots.
	env VMK_MEM=64M "${env[@]}" SMP=$smp MEM=$mem INITRD=$initrd SERIAL="file:$log" \
		APPEND="vmk.test=$name$cmdline" \
		timeout -k 5 "$tmo" "$top/scripts/qemu.sh" </dev/null >"$out/$name.qemu" 2>&1
	rc=$?
	end=$(date +%s)
	"$top/tests/e2e/judge.sh" "$name" "$log" "$rc" "$tmo" "$out/$name.oops" >"$res"
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
	rm -f "$out/$name.res"
	if [[ " $append " == *" harness.alone "* ]]; then
		wait
		run_one "$name" "$smp" "$mem" "$tmo" "${append//harness.alone/}" </dev/null
		continue
	fi
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n
	done
	run_one "$name" "$smp" "$mem" "$tmo" "$append" &
done <"$manifest"
wait

p=0 f=0 s=0
for name in "${names[@]}"; do
	r=$out/$name.res
	if [ ! -s "$r" ]; then
		echo "FAIL: $name: the boot left no result"
		f=$((f + 1))
		continue
	fi
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
