#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark of a Linux VM: boots the test initrd once (2 CPUs, the
# vmkernel not loaded at boot) and runs guest/benchlinux.sh inside the
# console.  Reports, from that one run:
#
#   the Linux guest's boot, `vmware-cmd start` to `vmkx-guest: ready`,
#   against the console's own, QEMU's start to its first shell prompt;
#   vmkbench cpu/syscall/fork/pages in the guest (on the vmkernel's
#   CPU 1) as ratios to the same in the console on its CPU 1 before the
#   vmkernel is loaded (medians of RUNS runs each; above 1 is slower);
#   the exits per second of the idle guest over 10 s, by kind;
#   the vmkernel memory the VM holds beyond its RAM (vmk_vm_info.pages).
#
# Writes build/bench/linux.raw (the BENCH lines), linux.csv
# (metric,value,unit) and linux.txt (the table it prints).

set -u
export LC_ALL=C

usage() {
	cat <<EOF
usage: tests/bench/linux.sh INITRD
       tests/bench/linux.sh --report

INITRD is the e2e test initrd (build/e2e/initrd-test.img).  --report
prints the report again from the raw lines of the last run.
Environment: RUNS (workload runs each side, default 3).
Exit status: 0 measured, 1 the run or one of its checks failed.
EOF
}

top=$(cd "$(dirname "$0")/../.." && pwd)
case "${1:-}" in
-h|--help) usage; exit 0 ;;
"") usage >&2; exit 1 ;;
--report) initrd="" ;;
*) initrd=$1; [ -f "$initrd" ] || { echo "linux.sh: no initrd $initrd" >&2; exit 1; } ;;
esac
out=$top/build/bench
mkdir -p "$out"
raw=$out/linux.raw csv=$out/linux.csv txt=$out/linux.txt
RUNS=${RUNS:-3}
status=0

if [ -n "$initrd" ]; then
	log=$out/bench-linux.log
	: > "$log"
	start=$(date +%s%N)
	SMP=2 INITRD=$initrd SERIAL="file:$log" \
		APPEND="vmk.test=benchlinux vmk.autoload=0 vmk.bench.runs=$RUNS" \
		timeout 3600 "$top/scripts/qemu.sh" </dev/null >/dev/null 2>&1 &
	pid=$!
	prompt=""
	while kill -0 $pid 2>/dev/null; do
		if [ -z "$prompt" ] && grep -aq '^\[root@[^]]*\]# ' "$log"; then
			prompt=$(( ($(date +%s%N) - start) / 1000000 ))
		fi
		sleep 0.05
	done
	wait $pid
	{
		[ -n "$prompt" ] && printf 'console_boot %d.%03d\n' $((prompt / 1000)) $((prompt % 1000))
		tr -d '\r' < "$log" | grep -a '^BENCH ' | sed 's/^BENCH //'
	} > "$raw"
	if ! grep -aq "E2E-DONE" "$log" || grep -aq '^FAIL' "$log"; then
		echo "bench: the Linux VM run failed; see $log" >&2
		grep -a '^FAIL' "$log" >&2
		status=1
	fi
fi
[ -s "$raw" ] || { echo "linux.sh: no raw data ($raw); run it with an initrd" >&2; exit 1; }

median() { sort -g | awk '{a[NR] = $1} END {if (NR) print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; else print "n/a"}'; }
row() { printf '%-62s %12s %s\n' "$1" "$2" "$3"; echo "\"$1\",$2,$3" >> "$csv"; }
val() { awk -v k="$1" '$1 == k { print $2; exit }' "$raw"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "n/a" || b == "n/a" || b == 0) print "n/a"; else printf "%.3f", a / b }'; }

{
echo "metric,value,unit" > "$csv"
echo "== a Linux VM (1 VCPU, 192 MB, on the vmkernel's CPU 1) against the console (TCG, $(val ncpus) CPUs)"
cb=$(val console_boot) gb=$(val boot)
row "boot: the console, QEMU start to its shell prompt" "${cb:-n/a}" "s"
row "boot: the Linux VM, vmware-cmd start to 'vmkx-guest: ready'" "${gb:-n/a}" "s"
row "boot: Linux VM / console" "$(ratio "$gb" "$cb")" "ratio"
for w in cpu syscall fork pages; do
	b=$(awk -v w=$w '$1 == "bare" && $3 == w { print $4 }' "$raw" | median)
	g=$(awk -v w=$w '$1 == "guest" && $3 == w { print $4 }' "$raw" | median)
	n=$(awk -v w=$w '$1 == "guest" && $3 == w' "$raw" | wc -l)
	row "vmkbench $w: bare console / Linux VM, ns per op (median of $n)" "$b / $g" "ns"
	row "vmkbench $w: Linux VM / bare console" "$(ratio "$g" "$b")" "ratio"
done
secs=$(val idle_s)
if [ -n "$secs" ]; then
	total=$(awk '$1 == "idle_kind" { s += $3 } END { print s + 0 }' "$raw")
	row "idle Linux VM: exits per second (over $secs s)" \
		"$(awk -v t="$total" -v d="$secs" 'BEGIN { printf "%.1f", t / d }')" "/s"
	kinds=$(awk -v d="$secs" '$1 == "idle_kind" && $3 > 0 { printf "%s %.1f/s, ", $2, $3 / d }' "$raw")
	row "idle Linux VM: by kind: ${kinds%, }" "" ""
else
	row "idle Linux VM: exits per second" "n/a" ""
fi
read -r pages mb < <(awk '$1 == "mem" { print $2, $3 }' "$raw")
if [ -n "${mb:-}" ]; then
	row "memory: vmkernel pages the VM holds (vmk_vm_info.pages)" "$pages" "pages"
	row "memory: overhead per VM beyond its $mb MB of RAM" \
		"$(awk -v p="$pages" -v m="$mb" 'BEGIN { printf "%.0f", (p * 4096 - m * 1048576) / 1024 }')" "KiB"
else
	row "memory per VM" "n/a" ""
fi
echo "csv: $csv"
} | tee "$txt"
exit $status
