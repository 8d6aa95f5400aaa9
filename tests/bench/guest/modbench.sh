# SPDX-License-Identifier: GPL-2.0
# Module benchmark, inside the console: load time of modules of 16 to
# 240 KiB (what vmkload_mod reports for the load vmkcall: the shim's copy,
# the vmkernel's checks, layout, relocation, protection and init; median
# of 10 each), and the round trip of a vmkcall served by a module (hello:
# vmkcall 0x1000) against the built-in null vmkcall, three alternating
# runs of COUNT each.  Prints BENCH lines for tests/bench/modules.sh.
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
if vmkcall bench modcall 10 >/dev/null 2>&1; then
	fail "bench modcall refused with no module"
else
	pass "bench modcall refused with no module"
fi
e2e_end
