#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The handoff benchmark: boots the test initrd three times and runs
# guest/bench.sh inside the console.  With 2 CPUs: the console workloads
# on bare hardware and under the vmkernel in the same boot (ratios of
# medians); the round trips (median TSC cycles of COUNT each) of a null
# vmkcall, a CPUID exit to the vmkernel, the floor (one VMRUN/#VMEXIT pair
# timed inside the vmkernel), and KVM's null hypercall and CPUID exit from
# a minimal guest (kvmbench), each also as a multiple of the floor; the
# image size and memory footprint.  With 1, 2 and 4 CPUs: load and unload
# times (median of 10).  Every figure is set against the project's goals.
#
# Writes build/bench/handoff.csv (metric,cpus,value,unit,goal,status; cpus
# is 0 for figures of the host), handoff.json (the same, with the machine)
# and ratios.png (gnuplot), and prints a table.

set -u
export LC_ALL=C

usage() {
	cat <<EOF
usage: tests/bench/handoff.sh INITRD
       tests/bench/handoff.sh --report

Boots INITRD (the e2e test initrd, build/e2e/initrd-test.img) in QEMU three
times with vmk.test=bench / bench@load, collects the BENCH lines and
reports them against the goals:
  console workloads under the vmkernel at most 2% slower than bare
  (page touching at most 10%); the null vmkcall round trip at most 0.6x
  KVM's null hypercall and at most 1.3x the floor.

Output: a table on the terminal; build/bench/handoff.csv, handoff.json,
ratios.png; the serial logs and raw BENCH lines beside them.  --report
prints the report again from the raw lines of the last run, without
booting.
Environment: RUNS (workload runs each side, default 5) and COUNT (round
trips per measurement, default 100000), passed to the guest as
vmk.bench.runs= and vmk.bench.count=.
Exit status: 0 measured (goals met or not), 1 a run or check failed.
EOF
}

top=$(cd "$(dirname "$0")/../.." && pwd)
case "${1:-}" in
-h|--help) usage; exit 0 ;;
"") usage >&2; exit 1 ;;
--report) initrd="" ;;
*)
	initrd=$1
	[ -f "$initrd" ] || { echo "handoff.sh: no initrd $initrd (make $initrd)" >&2; exit 1; }
	;;
esac
out=$top/build/bench
mkdir -p "$out"
csv=$out/handoff.csv json=$out/handoff.json png=$out/ratios.png
RUNS=${RUNS:-5} COUNT=${COUNT:-100000}

boot() {	# boot SMP TEST
	local log=$out/bench-$2-smp$1.log
	SMP=$1 INITRD=$initrd SERIAL="file:$log" \
		APPEND="vmk.autoload=0 vmk.test=$2 vmk.bench.runs=$RUNS vmk.bench.count=$COUNT" \
		timeout 3600 "$top/scripts/qemu.sh" </dev/null >/dev/null 2>&1
	if ! grep -aq "E2E-DONE" "$log" || grep -aq '^FAIL' "$log"; then
		echo "bench: the $2 run with $1 CPUs failed; see $log" >&2
		grep -a '^FAIL' "$log" >&2
		return 1
	fi
	tr -d '\r' < "$log" | grep -a '^SKIP' | sed "s/^/bench: $1 CPUs: /" >&2
	tr -d '\r' < "$log" | grep -a '^BENCH ' | sed "s/^BENCH /$1 /"
}

median() { sort -g | awk '{a[NR] = $1} END {if (NR) print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# runs SIDE WORKLOAD: its ns/op of every run with 2 CPUs, bare or vmk.
runs() { awk -v s="$1" -v w="$2" '$1 == 2 && $2 == s && $3 == w {print $4}' "$data"; }

# rt NAME: median cycles of the round trip NAME with 2 CPUs, or n/a.
rt() {
	awk -v k="$1" '$1 == 2 && $2 == k && $3 == "round" {
		for (i = 4; i < NF; i++) if ($i == "median") {print $(i + 1); exit}
	}' "$data" | grep . || echo n/a
}

# div A B: A / B to 3 decimals, or n/a.
div() {
	case "$1$2" in *n/a*) echo n/a; return ;; esac
	awk -v a="$1" -v b="$2" 'BEGIN {if (b == 0) print "n/a"; else printf "%.3f\n", a / b}'
}

# verdict VALUE LIMIT: met, MISSED or n/a.
verdict() {
	case "$1" in n/a) echo n/a; return ;; esac
	awk -v v="$1" -v l="$2" 'BEGIN {print (v <= l) ? "met" : "MISSED"}'
}

# row METRIC CPUS VALUE UNIT [GOAL STATUS]: one CSV line.
row() { echo "$1,$2,$3,$4,${5:-},${6:-}" >> "$csv"; }

# The host's load average every 10 s: other work on the host slows the
# emulated CPUs and shows in the workload figures, so it is reported.
loadlog=$out/handoff-load.txt
data=$out/bench-raw.txt
if [ -n "$initrd" ]; then
	: > "$loadlog"
	(while :; do cut -d' ' -f1 /proc/loadavg >> "$loadlog"; sleep 10; done) &
	sampler=$!
	trap 'kill $sampler 2>/dev/null' EXIT
	{ boot 2 bench && boot 1 bench@load && boot 4 bench@load; } > "$data" || exit 1
	kill $sampler 2>/dev/null
elif [ ! -s "$data" ]; then
	echo "handoff.sh: no raw data in $data to report; run a benchmark first" >&2
	exit 1
else
	RUNS=$(awk '$1 == 2 && $2 == "bare" && $3 == "cpu"' "$data" | wc -l)
	COUNT=$(awk '$1 == 2 && $2 == "vmkcall" && $3 == "round" {print $6; exit}' "$data")
fi
load_mean=$(awk '{s += $1; if ($1 > m) m = $1} END {if (NR) printf "%.1f", s / NR; else print "n/a"}' "$loadlog")
load_max=$(sort -g "$loadlog" | tail -n 1)

echo "metric,cpus,value,unit,goal,status" > "$csv"
goals=$out/handoff-ratios.dat trips=$out/handoff-trips.dat
: > "$goals"
: > "$trips"

echo "Console workloads, 2 CPUs: ns/op, median of $RUNS runs each side, bare and loaded alternating"
echo "(ratio: of the medians; best: of the fastest runs, which other load on the host cannot"
echo " inflate; a goal is met only if both are within it; pairs: the per-pair ratios, the noise)"
printf '%-8s %11s %11s %7s %7s %13s %7s %s\n' workload "bare" "vmkernel" ratio best "pairs" goal status
for w in cpu syscall fork pages pipe; do
	b=$(runs bare $w | median)
	v=$(runs vmk $w | median)
	bmin=$(runs bare $w | sort -g | head -n 1)
	vmin=$(runs vmk $w | sort -g | head -n 1)
	read -r plo phi < <(awk -v w=$w '$1 == 2 && $3 == w && $2 == "bare" {b[nb++] = $4}
		$1 == 2 && $3 == w && $2 == "vmk" {v[nv++] = $4}
		END {for (i = 0; i < nb && i < nv; i++) {r = v[i] / b[i]
			if (i == 0 || r < lo) lo = r; if (i == 0 || r > hi) hi = r}
			if (nb && nv) printf "%.3f %.3f\n", lo, hi; else print "n/a n/a"}' "$data")
	r=$(div "${v:-n/a}" "${b:-n/a}")
	best=$(div "${vmin:-n/a}" "${bmin:-n/a}")
	limit=1.02
	[ $w = pages ] && limit=1.10
	s=$(verdict "$(awk -v a="$r" -v b="$best" 'BEGIN {print (a == "n/a" || b == "n/a") ? "n/a" : (a > b ? a : b)}')" $limit)
	# Pairs on both sides of the limit: this run cannot tell.
	noisy=$(awk -v lo="$plo" -v hi="$phi" -v l=$limit 'BEGIN {print (lo != "n/a" && lo <= l && hi > l) ? " (noisy)" : ""}')
	printf '%-8s %11s %11s %7s %7s %13s %7s %s\n' "$w" "${b:-n/a}" "${v:-n/a}" "$r" "$best" \
		"$plo-$phi" "<=$limit" "$s$noisy"
	row "workload_bare_$w" 2 "${b:-n/a}" ns/op
	row "workload_vmk_$w" 2 "${v:-n/a}" ns/op
	row "workload_ratio_$w" 2 "$r" ratio "<=$limit" "$s$noisy"
	row "workload_best_ratio_$w" 2 "$best" ratio
	row "workload_pair_ratio_min_$w" 2 "$plo" ratio
	row "workload_pair_ratio_max_$w" 2 "$phi" ratio
	echo "\"$w\\nvmk/bare\" $r $limit $s $best" >> "$goals"
done

floor=$(rt floor) vmkcall=$(rt vmkcall) kvmcall=$(rt kvm-vmmcall)
echo
echo "Round trips, 2 CPUs: median TSC cycles of $COUNT each, and as a multiple of the floor"
printf '%-12s %-44s %9s %8s\n' name "what" cycles "x floor"
while IFS='|' read -r k what; do
	m=$(rt "$k")
	x=$(div "$m" "$floor")
	printf '%-12s %-44s %9s %8s\n' "$k" "$what" "$m" "$x"
	row "roundtrip_$k" 2 "$m" cycles
	[ "$k" = floor ] || row "floor_multiple_$k" 2 "$x" "x floor"
	[ "$k" = bare-cpuid ] || echo "\"$k\" $m $x" >> "$trips"
done <<'EOF'
floor|one VMRUN/#VMEXIT pair inside the vmkernel
vmkcall|null vmkcall, console to vmkernel
cpuid|CPUID exit, console to vmkernel
kvm-vmmcall|null hypercall, minimal guest to KVM
kvm-cpuid|CPUID exit, minimal guest to KVM
bare-cpuid|CPUID, no hypervisor loaded
EOF

echo
echo "Round-trip goals"
r_kvm=$(div "$vmkcall" "$kvmcall") r_floor=$(div "$vmkcall" "$floor")
s_kvm=$(verdict "$r_kvm" 0.6) s_floor=$(verdict "$r_floor" 1.3)
printf '%-44s %8s %7s %s\n' "null vmkcall / KVM's null hypercall" "$r_kvm" "<=0.6" "$s_kvm"
printf '%-44s %8s %7s %s\n' "null vmkcall / floor" "$r_floor" "<=1.3" "$s_floor"
row ratio_vmkcall_to_kvm 2 "$r_kvm" ratio "<=0.6" "$s_kvm"
row ratio_vmkcall_to_floor 2 "$r_floor" ratio "<=1.3" "$s_floor"
echo "\"vmkcall\\n/KVM hypercall\" $r_kvm 0.6 $s_kvm" >> "$goals"
echo "\"vmkcall\\n/floor\" $r_floor 1.3 $s_floor" >> "$goals"

echo
for n in 1 2 4; do
	l=$(awk -v n=$n '$1 == n && $2 == "load_ms" {print $3}' "$data" | median)
	u=$(awk -v n=$n '$1 == n && $2 == "unload_ms" {print $3}' "$data" | median)
	printf 'load %s ms, unload %s ms with %d CPU(s) (median of 10)\n' "${l:-n/a}" "${u:-n/a}" "$n"
	row load_ms $n "${l:-n/a}" ms
	row unload_ms $n "${u:-n/a}" ms
done
img=$(awk '$2 == "image_bytes" {print $3; exit}' "$data")
mem=$(awk '$2 == "mem_used" {print $3; exit}' "$data")
echo "vmkernel image ${img:-n/a} bytes; ${mem:-n/a} bytes of the region in use while loaded (2 CPUs)"
row image_bytes 2 "${img:-n/a}" bytes
row mem_used 2 "${mem:-n/a}" bytes
echo "host load average during the runs: mean $load_mean, max ${load_max:-n/a} ($(nproc) host cores)"
row host_load_mean 0 "$load_mean" loadavg
row host_load_max 0 "${load_max:-n/a}" loadavg

# The machine, for the JSON file and the chart.
host_cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
qemu=$(qemu-system-x86_64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p')
kver=$("$top/scripts/kver.sh")
commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
machine="QEMU $qemu TCG -cpu max, 2 vCPUs, on $(nproc) host cores"

awk -F, -v host="$host_cpu" -v cores="$(nproc)" -v qemu="$qemu" -v kver="$kver" \
    -v commit="$commit" -v date="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    -v runs="$RUNS" -v count="$COUNT" '
	function str(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
	function val(v) { return (v == "n/a" || v == "") ? "null" : v }
	NR == 1 { next }
	{ m[n++] = sprintf("    {\"metric\": %s, \"cpus\": %s, \"value\": %s, \"unit\": %s, \"goal\": %s, \"status\": %s}",
		str($1), $2, val($3), str($4), ($5 == "") ? "null" : str($5), ($6 == "") ? "null" : str($6)) }
	END {
		print "{"
		printf "  \"machine\": {\"host_cpu\": %s, \"host_cores\": %s, \"qemu\": %s, \"accel\": \"tcg\", \"cpu_model\": \"max\", \"console_kernel\": %s},\n", str(host), cores, str(qemu), str(kver)
		printf "  \"commit\": %s, \"date\": %s, \"workload_runs\": %s, \"roundtrip_count\": %s,\n", str(commit), str(date), runs, count
		print "  \"metrics\": ["
		for (i = 0; i < n; i++) print m[i] (i < n - 1 ? "," : "")
		print "  ]"
		print "}"
	}' "$csv" > "$json"

if command -v gnuplot >/dev/null; then
	gnuplot <<EOF || echo "bench: gnuplot failed; no chart" >&2
set terminal pngcairo size 1100,820 font "sans,10"
set output "$png"
set multiplot layout 2,1 title "vmkx handoff benchmark: $machine (host load mean $load_mean), commit $commit" font "sans,12"
set style fill solid 0.85 border -1
set boxwidth 0.6
set grid ytics
set key off
set xrange [-0.6:*]
set offsets 0, 0.6, 0, 0
top = 2.0
set yrange [0:top]
set title "Ratios against their goals (bar: ratio of medians; white dot: ratio of the fastest runs; black: the limit;\\ngreen: both within the limit, red: not; axis cut at 2)"
set ylabel "ratio"
color(s) = (s eq "met") ? 0x2ca02c : (s eq "MISSED") ? 0xd62728 : 0x999999
lab(v) = (v eq "n/a") ? "n/a" : sprintf("%.3f", real(v))
num(v) = (v eq "n/a") ? 0 : real(v)
above(v, l) = (num(v) > l ? num(v) : l) < top - 0.1 ? (num(v) > l ? num(v) : l) : top - 0.2
plot "$goals" using 0:(num(strcol(2))):(color(strcol(4))):xtic(1) with boxes lc rgb variable, \
     "" using 0:3:(0.36) with xerrorbars pt 0 lw 3 lc rgb "black", \
     "" using 0:(above(strcol(2), \$3)):(lab(strcol(2))) with labels offset 0,0.8, \
     "" using 0:(\$5 < top ? \$5 : 1/0) with points pt 7 ps 1.2 lc rgb "white", \
     "" using 0:(\$5 < top ? \$5 : 1/0) with points pt 6 ps 1.2 lc rgb "black"
set title "Round trips: median TSC cycles (thousands); label: multiple of the floor"
set ylabel "k cycles"
set autoscale y
set yrange [0:*]
set offsets 0, 0.6, graph 0.1, 0
xlab(v) = (v eq "n/a") ? "n/a" : sprintf("%.2fx floor", real(v))
plot "$trips" using 0:(num(strcol(2)) / 1000):xtic(1) with boxes lc rgb "#4c72b0", \
     "" using 0:(num(strcol(2)) / 1000):(xlab(strcol(3))) with labels offset 0,0.8
unset multiplot
EOF
else
	echo "bench: no gnuplot (scripts/install-deps.sh installs gnuplot-nox); no chart" >&2
fi
echo "($machine; raw data in $data)"
echo "(CSV $csv, JSON $json, chart $png)"
