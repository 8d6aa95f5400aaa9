#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark of virtual machines: boots the test initrd once (2 CPUs,
# the vmkernel not loaded at boot) and runs guest/benchvm.sh inside the
# console.  Reports, from that one run:
#
#   the spin guest's loop (loops per 1000 TSC cycles) natively on the
#   console's CPU 1, in KVM and in a vmkernel VM on CPU 1, and the ratios
#   KVM / native and VM / native (medians of RUNS runs each, alternating);
#   the exits per second of an idle VM, by kind;
#   the cost of a switch between two VMs' worlds on one CPU: the guests'
#   loops lost when a second spin VM shares the CPU (windows alternating,
#   alone and shared), divided by the scheduler's decisions in that time,
#   with the spread of the alone windows as its noise;
#   32 spin VMs of 2 MB with shares 1000 to 4000 on one CPU: each VM's
#   part of the loops and of the CPU time against its entitlement, the
#   scheduler's decision cost, and the vmkernel memory each VM holds
#   beyond its RAM.
#
# Writes build/bench/vm.raw (the BENCH lines), vm.csv (metric,value,unit)
# and vm.txt (the table it prints).

set -u
export LC_ALL=C

usage() {
	cat <<EOF
usage: tests/bench/vm.sh INITRD
       tests/bench/vm.sh --report

INITRD is the e2e test initrd (build/e2e/initrd-test.img).  --report
prints the report again from the raw lines of the last run.
Environment: RUNS (spin runs each side, default 3), SPIN_S (seconds per
spin run, default 10), WINDOW (seconds of a switch window; the 32 VMs
are measured over three, default 10), VMS (small VMs, default 32).
Exit status: 0 measured, 1 the run or one of its checks failed.
EOF
}

top=$(cd "$(dirname "$0")/../.." && pwd)
case "${1:-}" in
-h|--help) usage; exit 0 ;;
"") usage >&2; exit 1 ;;
--report) initrd="" ;;
*) initrd=$1; [ -f "$initrd" ] || { echo "vm.sh: no initrd $initrd" >&2; exit 1; } ;;
esac
out=$top/build/bench
mkdir -p "$out"
raw=$out/vm.raw csv=$out/vm.csv txt=$out/vm.txt
RUNS=${RUNS:-3} SPIN_S=${SPIN_S:-10} WINDOW=${WINDOW:-10} VMS=${VMS:-32}

if [ -n "$initrd" ]; then
	log=$out/bench-vm.log
	SMP=2 INITRD=$initrd SERIAL="file:$log" \
		APPEND="vmk.test=benchvm vmk.autoload=0 vmk.bench.runs=$RUNS vmk.bench.spin=$SPIN_S vmk.bench.window=$WINDOW vmk.bench.vms=$VMS" \
		timeout 3600 "$top/scripts/qemu.sh" </dev/null >/dev/null 2>&1
	tr -d '\r' < "$log" | grep -a '^BENCH ' | sed 's/^BENCH //' > "$raw.new"
	if ! grep -aq "E2E-DONE" "$log" || grep -aq '^FAIL' "$log"; then
		echo "bench: the VM run failed; see $log" >&2
		grep -a '^FAIL' "$log" >&2
		mv "$raw.new" "$raw"
		status=1
	else
		mv "$raw.new" "$raw"
		status=0
	fi
else
	status=0
fi
[ -s "$raw" ] || { echo "vm.sh: no raw data ($raw); run it with an initrd" >&2; exit 1; }

median() { sort -g | awk '{a[NR] = $1} END {if (NR) print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; else print "n/a"}'; }
row() { printf '%-66s %12s %s\n' "$1" "$2" "$3"; echo "\"$1\",$2,$3" >> "$csv"; }
val() { awk -v k="$1" '$1 == k { print $2; exit }' "$raw"; }

khz=$(val tsc_khz)
{
echo "metric,value,unit" > "$csv"
echo "== virtual machines ($(val ncpus) CPUs, TCG; TSC $khz kHz; every VM and loop on CPU 1)"

# ---- the spin loop, three ways ----
lpk() { awk -v s="$1" '$1 == "spin" && $2 == s && $5 > 0 { printf "%.3f\n", 1000 * $4 / $5 }' "$raw" | median; }
lpk_native=$(lpk native) lpk_kvm=$(lpk kvm) lpk_vm=$(lpk vm)
for side in native kvm vm; do
	row "spin loop, $side (median of $(awk -v s=$side '$1 == "spin" && $2 == s' "$raw" | wc -l)): loops per 1000 cycles" \
		"$(lpk $side)" ""
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || b == 0) print "n/a"; else printf "%.3f", a / b }'; }
row "spin loop, KVM / native" "$(ratio "$lpk_kvm" "$lpk_native")" "ratio of medians"
row "spin loop, vmkernel VM / native" "$(ratio "$lpk_vm" "$lpk_native")" "ratio of medians"
row "spin loop, vmkernel VM / KVM" "$(ratio "$lpk_vm" "$lpk_kvm")" "ratio of medians"

# ---- an idle VM ----
read -r u0 u1 e0 e1 < <(awk '$1 == "idle" { print $2, $3, $4, $5; exit }' "$raw")
if [ -n "${e1:-}" ]; then
	row "idle VM: exits per second (over $(awk -v a="$u0" -v b="$u1" 'BEGIN { printf "%.1f", b - a }') s)" \
		"$(awk -v a="$u0" -v b="$u1" -v x="$e0" -v y="$e1" 'BEGIN { printf "%.1f", (y - x) / (b - a) }')" "/s"
	kinds=$(awk -v d="$(awk -v a="$u0" -v b="$u1" 'BEGIN { print b - a }')" \
		'$1 == "idle_kind" && $3 > 0 { printf "%s %.1f/s, ", $2, $3 / d }' "$raw")
	kinds=${kinds%, }
	row "idle VM: by kind: ${kinds:-none}" "" ""
else
	row "idle VM: exits per second" "n/a" ""
fi

# ---- a switch between two VMs' worlds ----
# switch LABEL A_dloops A_dtsc B_dloops B_dtsc | now_ns decisions decide_ns | (after)
awk -F'|' '
	$1 ~ /^switch / {
		split($1, h, " "); split($2, c0, " "); split($3, c1, " ")
		r = (h[4] > 0 ? h[3] / h[4] : 0) + (h[6] > 0 ? h[5] / h[6] : 0)
		printf "%s %.9f %.0f %.0f %.0f\n", h[2], r, c1[1] - c0[1], c1[2] - c0[2], c1[3] - c0[3]
	}' "$raw" > "$out/vm-switch.txt"
# alone: mean, min, max rate; both: time-weighted rate, ns, decisions, decide_ns
read -r na ra lo hi nb rb nsb decb decnsb < <(awk '
	$1 == "alone" && $2 > 0 { na++; s += $2; if (!lo || $2 < lo) lo = $2; if ($2 > hi) hi = $2 }
	$1 == "both" && $2 > 0 { nb++; w += $2 * $3; ns += $3; d += $4; e += $5 }
	END { printf "%d %.9f %.9f %.9f %d %.9f %.0f %.0f %.0f\n", na, na ? s / na : 0, lo, hi, nb,
		ns ? w / ns : 0, ns, d, e }' "$out/vm-switch.txt")
if [ "$na" -ge 2 ] && [ "$nb" -ge 1 ] && [ "$decb" -gt 0 ]; then
	row "switch: one spin VM alone, $na windows: loops per 1000 cycles (mean, min-max)" \
		"$(awk -v a="$ra" -v l="$lo" -v h="$hi" 'BEGIN { printf "%.2f (%.2f-%.2f)", 1000 * a, 1000 * l, 1000 * h }')" ""
	row "switch: two spin VMs on one CPU, $nb windows: their sum" "$(awk -v a="$rb" 'BEGIN { printf "%.2f", 1000 * a }')" "loops per 1000 cycles"
	row "switch: scheduling decisions with two VMs" "$(awk -v d="$decb" -v n="$nsb" 'BEGIN { printf "%.0f", d / (n / 1e9) }')" "/s"
	row "switch: decision cost with two VMs" "$(awk -v d="$decb" -v e="$decnsb" 'BEGIN { printf "%.0f", e / d }')" "ns"
	# The loops two VMs lose against one, in TSC cycles of the CPU, per
	# decision; the alone windows' spread, in the same unit, is the noise.
	row "switch: cost, loops lost / decisions (+- the alone windows' spread)" \
		"$(awk -v a="$ra" -v l="$lo" -v h="$hi" -v b="$rb" -v n="$nsb" -v d="$decb" -v k="$khz" 'BEGIN {
			c = n * k / 1e6 / d
			printf "%.0f+-%.0f", (1 - b / a) * c, (h - l) / a * c / 2 }')" "cycles"
else
	row "switch between two VMs" "n/a" ""
fi

# ---- many small VMs ----
# many_vm NAME shares dloops dtsc used_ns pages memsize_mb state
nvm=$(awk '$1 == "many_vm"' "$raw" | wc -l)
if [ "$nvm" -gt 0 ]; then
	# By loops: among the VMs with progress lines in the window (their
	# entitlement against their own shares); by CPU time: all of them.
	awk '$1 == "many_vm" {
		n++; s[n] = $3; r[n] = ($5 > 0 ? $4 / $5 : 0); u[n] = $6
		S += s[n]; R += r[n]; U += u[n]
		if (r[n] > 0) { SR += s[n]; m++ } else bad++
	}
	END {
		for (i = 1; i <= n; i++) {
			e = s[i] / S
			if (R > 0 && r[i] > 0) { f = r[i] / R; x = f - s[i] / SR; if (x < 0) x = -x
				if (100 * x > mp) mp = 100 * x; y = x / (s[i] / SR); if (y > mr) mr = y; sr += y }
			if (U > 0) { g = u[i] / U; x = g - e; if (x < 0) x = -x; y = x / e; if (y > ur) ur = y; su += y }
		}
		printf "%d %d %.3f %.2f %.2f %.2f %.2f\n", n, bad, mp, 100 * mr, m ? 100 * sr / m : 0, 100 * ur, 100 * su / n
	}' "$raw" > "$out/vm-many.txt"
	read -r n bad mp mr ar ur au < "$out/vm-many.txt"
	row "$n small VMs (2 MB, shares 1000-4000) on one CPU: VMs with no progress" "$bad" ""
	row "$n small VMs: share error by the guests' loops, worst ($((n - bad)) VMs)" "$mp" "points of a CPU"
	row "$n small VMs: share error by the guests' loops, worst / mean ($((n - bad)) VMs)" "$mr/$ar" "% of entitlement"
	row "$n small VMs: share error by CPU time used, worst / mean" "$ur/$au" "% of entitlement"
	read -r dec decns ns < <(awk '$1 == "many_sched" { print $2, $3, $4 }' "$raw")
	row "$n small VMs: decisions per second" "$(awk -v d="$dec" -v n="$ns" 'BEGIN { if (n > 0) printf "%.0f", d / (n / 1e9); else print "n/a" }')" "/s"
	row "$n small VMs: decision cost" "$(awk -v d="$dec" -v e="$decns" 'BEGIN { if (d > 0) printf "%.0f", e / d; else print "n/a" }')" "ns"
	row "$n small VMs: vmkernel memory per VM beyond its RAM (vmk_vm_info.pages)" \
		"$(awk '$1 == "many_vm" { o += $7 * 4096 - $8 * 1048576; n++ } END { printf "%.0f", o / n / 1024 }' "$raw")" "KiB"
	read -r m1 m2 mn < <(awk '$1 == "many_mem" { print $2, $3, $4 }' "$raw")
	[ -n "${mn:-}" ] && row "$n small VMs: region in use per VM beyond its RAM (mem_used)" \
		"$(awk -v a="$m1" -v b="$m2" -v n="$mn" -v m="$(awk '$1 == "many_vm" { print $8; exit }' "$raw")" \
			'BEGIN { printf "%.0f", ((b - a) / n - m * 1048576) / 1024 }')" "KiB"
else
	row "small VMs on one CPU" "n/a" "(started: $(val many_started))"
fi
row "VMs whose destroy needed another try (VCPU not stopped in time)" \
	"$(awk '$1 == "destroy_retry" { print $2 }' "$raw" | sort -u | wc -l)" ""
echo "csv: $csv"
} | tee "$txt"
exit $status
