#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module benchmark: boots the test initrd once with vmk.test=modbench
# (guest/modbench.sh) through the e2e harness, which judges the boot, and
# turns its BENCH lines into build/bench/modules.csv and a table: module
# load time by module size, and a module's vmkcall round trip against the
# built-in null vmkcall (median TSC cycles of each run, and their ratio).

set -u
export LC_ALL=C

if [ $# -ne 1 ] || [ "$1" = --help ] || [ "$1" = -h ]; then
	echo "usage: tests/bench/modules.sh INITRD   (the e2e test initrd)"
	echo "Writes build/bench/modules.csv and prints the figures; exit 1 if the boot failed."
	[ $# -eq 1 ] && [ "$1" != --help ] && [ "$1" != -h ] && exit 2
	exit 0
fi
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/bench
mkdir -p "$out"
"$top/tests/e2e/run.sh" "$out/modules.result" "$1" "$top/tests/bench/modules.manifest" modbench
status=$?
log=$top/build/e2e/modbench.log
grep -a '^BENCH ' "$log" | tr -d '\r' >"$out/modules.raw" || true

{
	echo "metric,size_kb,file_bytes,value,unit"
	awk '$2 == "module_load" {
		split($3, k, "="); split($4, b, "="); split($5, m, "=");
		print "module_load," k[2] "," b[2] "," m[2] ",us" }' "$out/modules.raw"
	awk '$2 == "vmkcall" || $2 == "modcall" {
		for (i = 3; i <= NF; i++) if ($i == "median") print $2 ",,," $(i + 1) ",cycles" }' \
		"$out/modules.raw"
	awk '$2 == "tick_irq" { split($4, p, "="); split($6, c, "=");
		print "tick_irq_profiler" p[2] ",,," c[2] ",cycles" }' "$out/modules.raw"
} >"$out/modules.csv"

echo "module load time (median of 10, vmkload_mod's load vmkcall):"
awk -F, '$1 == "module_load" { printf "  %4s KiB module (%7s bytes of ELF): %8s us\n", $2, $3, $4 }' \
	"$out/modules.csv"
awk -F, '$1 == "vmkcall" { b[++nb] = $4 } $1 == "modcall" { m[++nm] = $4 }
	END {
		if (!nb || !nm) { print "no vmkcall figures"; exit }
		printf "vmkcall round trip, median TSC cycles per run:\n"
		printf "  built-in null vmkcall: %s\n  module vmkcall:        %s\n",
		       join(b, nb), join(m, nm)
		printf "  module / built-in, medians of the runs: %.3f\n", median(m, nm) / median(b, nb)
	}
	function join(a, n,   s, i) { s = a[1]; for (i = 2; i <= n; i++) s = s ", " a[i]; return s }
	function median(a, n,   c, i, j, t) {
		for (i = 1; i <= n; i++) c[i] = a[i] + 0
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && c[j - 1] > c[j]; j--) { t = c[j]; c[j] = c[j - 1]; c[j - 1] = t }
		return c[int((n + 1) / 2)]
	}' \
	"$out/modules.csv"
awk -F, '$1 == "tick_irq_profiler0" { a = a " " $4 } $1 == "tick_irq_profiler1" { b = b " " $4 }
	END { if (a != "") printf "timer interrupt, TSC cycles each (3 runs of 3 s, a burner on CPU 1):\n  without the profiler:%s\n  with the profiler:   %s\n", a, b }' \
	"$out/modules.csv"
echo "raw: $out/modules.raw, table: $out/modules.csv"
exit $status
