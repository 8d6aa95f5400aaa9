#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot time of the service console: wall time from starting QEMU to the
# root shell's prompt on the serial port, median of N boots (default 5).
# Writes build/bench/boot.csv and prints a summary line.
#
# usage: tests/bench/boot.sh INITRD [N]

set -u
initrd=$1 n=${2:-5}
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/bench
mkdir -p "$out"
csv=$out/boot.csv
echo "run,seconds" >"$csv"
times=()
for i in $(seq 1 "$n"); do
	log=$out/boot-$i.log
	: >"$log"
	start=$(date +%s%N)
	INITRD=$initrd SERIAL="file:$log" APPEND="vmk.autoload=0" \
		"$top/scripts/qemu.sh" </dev/null >/dev/null 2>&1 &
	pid=$!
	t=""
	for _ in $(seq 1 1200); do
		if grep -aq '^\[root@[^]]*\]# ' "$log"; then
			t=$(( ($(date +%s%N) - start) / 1000000 ))
			break
		fi
		kill -0 $pid 2>/dev/null || break
		sleep 0.05
	done
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
	if [ -z "$t" ]; then
		echo "boot bench: run $i never reached the prompt (see $log)" >&2
		exit 1
	fi
	s=$(printf '%d.%03d' $((t / 1000)) $((t % 1000)))
	echo "$i,$s" >>"$csv"
	times+=("$s")
	echo "  boot $i: ${s}s"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
echo "boot to console prompt: median ${median}s of $n (QEMU TCG, $(nproc) host cores)"
echo "median,$median" >>"$csv"
