#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The handoff benchmark: boots the test initrd and runs guest/bench.sh.
# With 2 CPUs: the console workloads on bare hardware and under the
# vmkernel in the same boot (ratios of medians), the round trip of a null
# vmkcall and of a CPUID exit (median of 100,000, TSC cycles), and the
# image size and memory footprint.  With 1, 2 and 4 CPUs: load and unload
# times (median of 10).  Writes build/bench/handoff.csv.
#
# usage: tests/bench/handoff.sh INITRD

set -u
initrd=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/bench
mkdir -p "$out"
csv=$out/handoff.csv

boot() {	# boot SMP TEST
	local log=$out/bench-$2-smp$1.log
	SMP=$1 INITRD=$initrd SERIAL="file:$log" APPEND="vmk.autoload=0 vmk.test=$2" \
		timeout 900 "$top/scripts/qemu.sh" </dev/null >/dev/null 2>&1
	if ! grep -aq "E2E-DONE" "$log" || grep -aq '^FAIL' "$log"; then
		echo "bench: the $2 run with $1 CPUs failed; see $log" >&2
		grep -a '^FAIL' "$log" >&2
		return 1
	fi
	tr -d '\r' < "$log" | grep -a '^BENCH ' | sed "s/^BENCH /$1 /"
}

median() { sort -g | awk '{a[NR] = $1} END {if (NR) print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

data=$out/bench-raw.txt
{ boot 2 bench && boot 1 bench@load && boot 4 bench@load; } > "$data" || exit 1

echo "metric,cpus,value,unit" > "$csv"
printf '%-28s %10s %10s %8s\n' "console workload (2 CPUs)" "bare ns/op" "vmk ns/op" "ratio"
for w in cpu syscall fork pages pipe; do
	b=$(awk -v w=$w '$1 == 2 && $2 == "bare" && $3 == w {print $4}' "$data" | median)
	v=$(awk -v w=$w '$1 == 2 && $2 == "vmk" && $3 == w {print $4}' "$data" | median)
	r=$(awk -v b="$b" -v v="$v" 'BEGIN {printf "%.3f", v / b}')
	printf '%-28s %10s %10s %8s\n' "$w" "$b" "$v" "$r"
	echo "workload_ratio_$w,2,$r,ratio" >> "$csv"
done
echo
for n in 1 2 4; do
	l=$(awk -v n=$n '$1 == n && $2 == "load_ms" {print $3}' "$data" | median)
	u=$(awk -v n=$n '$1 == n && $2 == "unload_ms" {print $3}' "$data" | median)
	printf 'load %s ms, unload %s ms with %d CPU(s) (median of 10)\n' "$l" "$u" "$n"
	echo "load_ms,$n,$l,ms" >> "$csv"
	echo "unload_ms,$n,$u,ms" >> "$csv"
done
for k in vmkcall cpuid bare-cpuid; do
	m=$(awk -v k=$k '$1 == 2 && $2 == k {for (i = 3; i < NF; i++) if ($i == "median") print $(i + 1)}' "$data")
	printf '%-12s round trip: median %s TSC cycles (of 100,000)\n' "$k" "$m"
	echo "roundtrip_$k,2,$m,cycles" >> "$csv"
done
img=$(awk '$2 == "image_bytes" {print $3; exit}' "$data")
mem=$(awk '$2 == "mem_used" {print $3; exit}' "$data")
echo "vmkernel image $img bytes; $mem bytes of the region in use while loaded (2 CPUs)"
echo "image_bytes,2,$img,bytes" >> "$csv"
echo "mem_used,2,$mem,bytes" >> "$csv"
echo "(QEMU TCG on $(nproc) host cores; raw data in $data, CSV in $csv)"
