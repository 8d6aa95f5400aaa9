# SPDX-License-Identifier: GPL-2.0
# Benchmark of the CPUs the vmkernel owns, run inside the console
# (vmk.test=benchcpus, or benchcpus@paging for the paging phase alone).
# Prints "BENCH key value..." lines for tests/bench/cpus.sh.
#
#   give/take   the time to give CPU 1 and to take it back (vmkcpu -t)
#   idle        the timer's cost on an idle vmkernel CPU over 10 s
#   switch      two yielders on one vmkernel CPU: time per switch, and the
#               scheduler's own decision time
#   shares      three burners 1:2:4 over 10 s: each world's part of the
#               progress against its entitlement, and decision time
#   given       console workloads with CPUs 2-3 given away (idle) and with
#               every CPU the console's, alternating (4 CPUs)
#   paging      console workloads bare and under the vmkernel, alternating
. ./lib.sh
. ./cpuslib.sh

RUNS=$(vmk-cmdline get vmk.bench.runs 3)
CYCLES=$(vmk-cmdline get vmk.bench.cycles 20)
echo "BENCH ncpus $(grep -c ^processor /proc/cpuinfo)"
echo "BENCH paging $(awk '$1 == "paging" { print $2 }' /proc/vmware/version)"

cstat() { vmkcpu stats 1 | awk -v k="$1" '$1 == k { print $2 }'; }

workloads() {	# workloads LABEL: one run of every workload
	./vmkbench all > /tmp/wl.out || { fail "workloads ($1) checked their results"; return 1; }
	sed "s/^/BENCH $1 /" /tmp/wl.out
}

paging_phase() {
	vmkload --status >/dev/null || vmkload -q
	./vmkbench all >/dev/null
	i=0
	while [ $i -lt "$RUNS" ]; do
		i=$((i + 1))
		vmkunload >/dev/null && workloads bare || return
		vmkload -q && workloads vmk || return
	done
	pass "paging phase: $RUNS runs each side, results checked"
}

case "$(vmk-cmdline get vmk.test)" in
*@paging)
	paging_phase
	e2e_end
	exit 0
	;;
esac

# ---- give and take ----
: >/tmp/gt.out
i=0
while [ $i -lt "$CYCLES" ]; do
	i=$((i + 1))
	vmkcpu -t give 1 >>/tmp/gt.out && vmkcpu -t take 1 >>/tmp/gt.out || { fail "give/take cycle $i"; break; }
done
awk '{ t[$1] = t[$1] " " $3 } END { for (k in t) print "BENCH cpu_" k "_us" t[k] }' /tmp/gt.out
check "give CPU 1 for the rest" vmkcpu give 1

# ---- the timer on an idle vmkernel CPU ----
sleep 1
i0=$(cstat irq_tsc); k0=$(cstat tick_tsc); n0=$(cstat now_tsc); t0=$(cstat ticks)
sleep 10
i1=$(cstat irq_tsc); k1=$(cstat tick_tsc); n1=$(cstat now_tsc); t1=$(cstat ticks)
echo "BENCH idle ticks $((t1 - t0)) irq_cycles $((i1 - i0)) tick_cycles $((k1 - k0)) cycles $((n1 - n0))"

# ---- a switch between two worlds on one CPU ----
y1=$(vmkworld create --type=yielder --name=y1 --affinity=1)
y2=$(vmkworld create --type=yielder --name=y2 --affinity=1)
sleep 1
d0=$(cstat decisions); e0=$(cstat decide_ns); p0=$(vmkworld progress "$y1" "$y2"); w0=$(wstat "$y1" now_ns)
sleep 5
d1=$(cstat decisions); e1=$(cstat decide_ns); p1=$(vmkworld progress "$y1" "$y2"); w1=$(wstat "$y1" now_ns)
echo "BENCH switch $p0 | $p1 | ns $((w1 - w0)) decisions $((d1 - d0)) decide_ns $((e1 - e0))"
vmkworld destroy "$y1" && vmkworld destroy "$y2" || fail "destroy the yielders"

# ---- shares 1:2:4, live ----
a=$(vmkworld create --name=s1 --shares=1000 --affinity=1)
b=$(vmkworld create --name=s2 --shares=2000 --affinity=1)
c=$(vmkworld create --name=s4 --shares=4000 --affinity=1)
sleep 2
d0=$(cstat decisions); e0=$(cstat decide_ns); p0=$(vmkworld progress "$a" "$b" "$c" | awk "{ print \$1, \$3, \$5 }")
# The 10 s seen by vmktop, one sample a second, for the plots.
vmktop -b -d 1 -n 10 | sed 's/^/VMKTOP-CSV /'
d1=$(cstat decisions); e1=$(cstat decide_ns); p1=$(vmkworld progress "$a" "$b" "$c" | awk "{ print \$1, \$3, \$5 }")
echo "BENCH shares $p0 | $p1 | decisions $((d1 - d0)) decide_ns $((e1 - e0))"
for w in "$a" "$b" "$c"; do vmkworld destroy "$w" || fail "destroy burner $w"; done
check "take CPU 1 back" vmkcpu take 1

# ---- console workloads with CPUs given away ----
if [ "$(grep -c ^processor /proc/cpuinfo)" -ge 4 ]; then
	./vmkbench all >/dev/null
	i=0
	while [ $i -lt "$RUNS" ]; do
		i=$((i + 1))
		workloads all || break
		vmkcpu give 2-3 || { fail "give CPUs 2-3"; break; }
		workloads given || break
		vmkcpu take 2-3 || { fail "take CPUs 2-3"; break; }
	done
	pass "console workloads with CPUs 2-3 given away: $RUNS runs each side, results checked"
else
	skip "console workloads with CPUs given away (needs 4 CPUs)"
fi

paging_phase
check "no kernel warning in dmesg" kernel_clean
e2e_end
