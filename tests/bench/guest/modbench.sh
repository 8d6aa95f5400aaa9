# SPDX-License-Identifier: GPL-2.0
# Module benchmark, inside the console: load time of modules of 16 to
# 240 KiB (what vmkload_mod reports for the load vmkcall: the shim's copy,
# the vmkernel's checks, layout, relocation, protection and init; median
# of 10 each), and the round trip of a vmkcall served by a module (hello:
# vmkcall 0x1000) against the built-in null vmkcall, three alternating
# runs of COUNT each; and what the profiler module's tick hook adds to
# the timer interrupt of a vmkernel CPU (TSC cycles per interrupt over
# 3 s, a burner on CPU 1, without and with the profiler loaded, three
# times each).  Prints BENCH lines for tests/bench/modules.sh.
. ./lib.sh

T=/opt/vmkx-tests
COUNT=${COUNT:-50000}

vmkload --status >/dev/null || vmkload -q
for kb in 16 64 128 240; do
	f=$T/sized$kb.o
	bytes=$(wc -c <"$f")
	times=
	ok=0
	for i in 1 2 3 4 5 6 7 8 9 10; do
		out=$(vmkload_mod "$f") && vmkload_mod -q -u sized$kb || break
		times="$times $(echo "$out" | sed -n 's/.* in \([0-9]*\) us$/\1/p')"
		ok=$((ok + 1))
	done
	check_eq "10 loads and unloads of sized$kb" 10 "$ok"
	med=$(echo $times | tr ' ' '\n' | sort -n | sed -n 5,6p | awk '{s += $1} END {print s / 2}')
	echo "BENCH module_load kb=$kb file_bytes=$bytes median_us=$med runs_us=$(echo $times | tr ' ' ',')"
done

check "hello loads" vmkload_mod -q $T/hello.o
for run in 1 2 3; do
	for what in vmkcall modcall; do
		# "... round trip: n N min A median B mean C cycles"
		out=$(vmkcall bench $what "$COUNT") || { fail "bench $what"; continue; }
		echo "BENCH $what run=$run $(echo "$out" | sed 's/.*: //')"
	done
done
check "hello unloads" vmkload_mod -q -u hello
# The timer interrupt's cost on CPU 1: irq_tsc over timer_irqs.
stat() { vmkcpu stats 1 | awk -v k="$1" '$1 == k { print $2 }'; }
irq_cost() {
	i0=$(stat timer_irqs) c0=$(stat irq_tsc)
	sleep 3
	i1=$(stat timer_irqs) c1=$(stat irq_tsc)
	echo "irqs=$((i1 - i0)) cycles_per_irq=$(( (c1 - c0) / (i1 - i0 > 0 ? i1 - i0 : 1) ))"
}
check "give CPU 1" vmkcpu give 1
b=$(vmkworld create --name=tickburn --affinity=1)
for run in 1 2 3; do
	echo "BENCH tick_irq run=$run profiler=0 $(irq_cost)"
	vmkload_mod -q $T/profiler.o || { fail "profiler loads"; break; }
	echo "BENCH tick_irq run=$run profiler=1 $(irq_cost)"
	vmkload_mod -q -u profiler || { fail "profiler unloads"; break; }
done
vmkworld destroy "$b" >/dev/null
check "take CPU 1 back" vmkcpu take 1
if vmkcall bench modcall 10 >/dev/null 2>&1; then
	fail "bench modcall refused with no module"
else
	pass "bench modcall refused with no module"
fi
e2e_end
