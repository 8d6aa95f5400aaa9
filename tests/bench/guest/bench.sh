# SPDX-License-Identifier: GPL-2.0
# Benchmark run inside the console (vmk.test=bench, or bench@load for the
# load/unload times only).  Prints "BENCH key value..." lines for
# tests/bench/handoff.sh to collect.  Every workload checks its results.
. ./lib.sh

RUNS=${RUNS:-5}
vmkload --status >/dev/null && vmkunload >/dev/null
echo "BENCH ncpus $(grep -c ^processor /proc/cpuinfo)"

workload() {	# workload LABEL: one run of every workload
	./vmkbench all > /tmp/wl.out || { fail "workloads ($1) checked their results"; return 1; }
	sed "s/^/BENCH $1 /" /tmp/wl.out
}

# Bare and loaded runs alternate, after one warm-up run, so that slow
# drifts of the host fall on both sides alike.
case "$(vmk-cmdline get vmk.test)" in
*@load) ;;
*)
	./vmkbench all >/dev/null
	ok=1
	for i in $(seq 1 "$RUNS"); do
		workload bare || ok=0
		vmkload -q || ok=0
		workload vmk || ok=0
		vmkunload >/dev/null || ok=0
	done
	[ $ok = 1 ] && pass "workloads checked their results, bare and under the vmkernel"
	;;
esac

for i in $(seq 1 10); do
	l=$(vmkload 2>&1 | sed -n 's/.* in \([0-9.]*\) ms.*/\1/p')
	u=$(vmkunload 2>&1 | sed -n 's/.* in \([0-9.]*\) ms.*/\1/p')
	echo "BENCH load_ms $l"
	echo "BENCH unload_ms $u"
done

case "$(vmk-cmdline get vmk.test)" in
*@load) exit 0 ;;
esac

vmkload -q
vmkcall bench vmkcall 100000 | sed 's/^/BENCH /'
vmkcall bench cpuid 100000 | sed 's/^/BENCH /'
echo "BENCH image_bytes $(stat -c %s /lib/vmkx/vmkernel)"
echo "BENCH mem_used $(awk '$1 == "mem_used" {print $2}' /proc/vmware/version)"
vmkunload >/dev/null
vmkcall bench cpuid 100000 | sed 's/^/BENCH bare-/'
