#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark of CPUs given to the vmkernel: boots the test initrd twice
# (4 CPUs; -cpu max, which gives the console 5-level paging, and -cpu
# max,la57=off for 4-level) and runs guest/benchcpus.sh inside the
# console.  Reports the time to give and to take a CPU, the timer's cost
# on an idle vmkernel CPU, the cost of a switch between two vmkernel
# worlds on one CPU, the live share error and decision cost beside the
# scheduler simulator's, the console's workloads while CPUs are given
# away, and the console's workloads under the vmkernel in 4- and 5-level
# paging.  Writes build/bench/cpus.csv (metric,value,unit) and prints a
# table.

set -u
export LC_ALL=C

usage() {
	cat <<EOF
usage: tests/bench/cpus.sh INITRD
       tests/bench/cpus.sh --report

INITRD is the e2e test initrd (build/e2e/initrd-test.img).  --report
prints the report again from the raw lines of the last run.
Environment: RUNS (workload runs each side, default 3), CYCLES (give/take
cycles, default 20).
Exit status: 0 measured, 1 a run or check failed.
EOF
}

top=$(cd "$(dirname "$0")/../.." && pwd)
case "${1:-}" in
-h|--help) usage; exit 0 ;;
"") usage >&2; exit 1 ;;
--report) initrd="" ;;
*) initrd=$1; [ -f "$initrd" ] || { echo "cpus.sh: no initrd $initrd" >&2; exit 1; } ;;
esac
out=$top/build/bench
mkdir -p "$out"
raw=$out/cpus.raw csv=$out/cpus.csv
RUNS=${RUNS:-3} CYCLES=${CYCLES:-20}

boot() {	# boot LABEL CPU TEST
	local log=$out/bench-cpus-$1.log
	SMP=4 CPU=$2 INITRD=$initrd SERIAL="file:$log" \
		APPEND="vmk.test=$3 vmk.bench.runs=$RUNS vmk.bench.cycles=$CYCLES" \
		timeout 3600 "$top/scripts/qemu.sh" </dev/null >/dev/null 2>&1
	if ! grep -aq "E2E-DONE" "$log" || grep -aq '^FAIL' "$log"; then
		echo "bench: the $1 run failed; see $log" >&2
		grep -a '^FAIL' "$log" >&2
		return 1
	fi
	tr -d '\r' < "$log" | grep -a '^BENCH ' | sed "s/^BENCH /$1 /"
	tr -d '\r' < "$log" | sed -n 's/^VMKTOP-CSV //p' > "$out/vmktop-shares-$1.csv"
}

if [ -n "$initrd" ]; then
	{ boot la57 max benchcpus && boot la48 max,la57=off benchcpus@paging; } > "$raw.new" || exit 1
	mv "$raw.new" "$raw"
	[ -x "$top/build/sim/sim" ] && "$top/build/sim/sim" --out "$out/sim-cpus" > "$out/cpus-sim.txt" 2>&1
fi
[ -s "$raw" ] || { echo "cpus.sh: no raw data ($raw); run it with an initrd" >&2; exit 1; }
# Shares 1:2:4 as vmktop saw them.
if [ -s "$out/vmktop-shares-la57.csv" ]; then
	"$top/tests/bench/vmktop-plot.sh" "$out/vmktop-shares-la57.csv" "$out/vmktop-shares" \
		"% Used" "% Ready" || echo "cpus.sh: the vmktop plots failed" >&2
fi

median() { sort -g | awk '{a[NR] = $1} END {if (NR) print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; else print "n/a"}'; }
row() { printf '%-64s %12s %s\n' "$1" "$2" "$3"; echo "\"$1\",$2,$3" >> "$csv"; }

echo "metric,value,unit" > "$csv"
echo "== CPUs for the vmkernel ($(awk '$2 == "ncpus" {print $3; exit}' "$raw") CPUs, TCG)"
for k in give take; do
	row "time to $k a CPU (median of $CYCLES)" \
		"$(awk -v k="cpu_${k}_us" '$1 == "la57" && $2 == k { for (i = 3; i <= NF; i++) print $i }' "$raw" | median)" us
done
read -r ticks irq tick cyc < <(awk '$1 == "la57" && $2 == "idle" { print $4, $6, $8, $10 }' "$raw")
if [ -n "${cyc:-}" ]; then
	row "idle vmkernel CPU: ticks in 10 s" "$ticks" ""
	row "idle vmkernel CPU: cycles per tick (interrupt + tick work)" "$(( (irq + tick) / (ticks > 0 ? ticks : 1) ))" cycles
	row "idle vmkernel CPU: timer overhead" "$(awk -v a=$((irq + tick)) -v c="$cyc" 'BEGIN { printf "%.3f", 100 * a / c }')" "% of the CPU"
fi
read -r per dec n < <(awk '$1 == "la57" && $2 == "switch"' "$raw" | awk -F'|' '{
	split($1, a, " "); split($2, b, " "); split($3, c, " ")
	n = (b[1] - a[3]) + (b[3] - a[5])
	per = 0; dec = 0
	if (n > 0) per = c[2] / n
	if (c[4] > 0) dec = c[6] / c[4]
	printf "%.0f %.0f %d\n", per, dec, n }')
row "switch between two worlds on one CPU (mean of $n)" "${per:-n/a}" "ns"
row "live decision cost, 2 yielding worlds" "${dec:-n/a}" "ns"
IFS='|' read -r err parts dec < <(awk '$1 == "la57" && $2 == "shares"' "$raw" | awk -F'|' '{
	n = split($1, a, " "); split($2, b, " "); split($3, c, " ")
	split("14.2857 28.5714 57.1429", e, " ")
	for (i = 1; i <= 3; i++) { d[i] = b[i] - a[i + 2]; t += d[i] }
	for (i = 1; i <= 3; i++) { g = 100 * d[i] / t; x = g - e[i]; if (x < 0) x = -x; if (x > m) m = x; s = s sprintf(" %.2f", g) }
	dec = 0
	if (c[2] > 0) dec = c[4] / c[2]
	printf "%.2f|%s|%.0f\n", m, s, dec }')
row "live share error, 1:2:4 over 10 s (parts:${parts:-})" "${err:-n/a}" "points of a CPU"
row "live decision cost, 3 burners" "${dec:-n/a}" ns
if [ -f "$out/cpus-sim.txt" ]; then
	row "simulator: decision cost, 100 worlds on one CPU" \
		"$(awk '/ 100 worlds:/ { print $3; exit }' "$out/cpus-sim.txt")" "ns (host)"
	row "simulator: aggregate share error, 10,000 worlds (two classes, %)" \
		"$(grep -o 'error of each share class < 1% ([^)]*)' "$out/cpus-sim.txt" | sed 's/.*(//; s/)//; s/, /\//; s/%//g')" ""
fi
for w in cpu syscall fork pages pipe; do
	all=$(awk -v w="$w" '$1 == "la57" && $2 == "all" && $3 == w {print $4}' "$raw" | median)
	giv=$(awk -v w="$w" '$1 == "la57" && $2 == "given" && $3 == w {print $4}' "$raw" | median)
	[ "$all" = n/a ] || row "console $w, CPUs 2-3 given away / none given" \
		"$(awk -v a="$giv" -v b="$all" 'BEGIN { printf "%.3f", a / b }')" "ratio of medians"
done
for p in la57 la48; do
	for w in cpu syscall fork pages pipe; do
		bare=$(awk -v p="$p" -v w="$w" '$1 == p && $2 == "bare" && $3 == w {print $4}' "$raw" | median)
		vmk=$(awk -v p="$p" -v w="$w" '$1 == p && $2 == "vmk" && $3 == w {print $4}' "$raw" | median)
		[ "$bare" = n/a ] || row "console $w under the vmkernel / bare, $([ $p = la57 ] && echo 5 || echo 4)-level paging" \
			"$(awk -v a="$vmk" -v b="$bare" 'BEGIN { printf "%.3f", a / b }')" "ratio of medians"
	done
done
echo "csv: $csv"
