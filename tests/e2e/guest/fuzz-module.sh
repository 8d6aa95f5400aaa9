# SPDX-License-Identifier: GPL-2.0
# Bad modules in the real system: modfuzz mutates hello.o (a fixed seed)
# and hands every mutant the console's check refuses straight to the
# vmkernel, which must refuse it too, with its checksum, module list and
# module heap unchanged after each; then hello still loads, answers and
# unloads.  The same for half as many mutants of profiler.o, which calls
# the exports of worlds, files and the tick: /proc/vmware, which the
# shim remakes after each of those loads, ends as it began.
# vmk.fuzzcases=N sets the case count (soak).
. ./lib.sh

T=/opt/vmkx-tests
cases=$(vmk-cmdline get vmk.fuzzcases 2000)
vmkload --status >/dev/null || vmkload -q
t0=$(date +%s)
./modfuzz $T/hello.o "$cases" 12345 >/tmp/modfuzz.out 2>&1
rc=$?
t1=$(date +%s)
cat /tmp/modfuzz.out
summary=$(grep -m1 '^modfuzz: seed' /tmp/modfuzz.out | sed 's/^modfuzz: //')
if [ $rc -eq 0 ]; then
	pass "mutated modules refused by the vmkernel, nothing changed ($((t1 - t0)) s): $summary"
else
	fail "mutated modules (modfuzz status $rc): $(grep -m3 'FAIL' /tmp/modfuzz.out | tr '\n' ' ')"
fi
check "over a thousand mutants reached the vmkernel" sh -c \
	"[ \$(sed -n 's/.* cases, \([0-9]*\) refused.*/\1/p' /tmp/modfuzz.out) -ge 1000 ]"
procs=$(ls /proc/vmware | tr '\n' ' ')
./modfuzz $T/profiler.o "$((cases / 2))" 54321 >/tmp/modfuzz2.out 2>&1
rc=$?
summary=$(grep -m1 '^modfuzz: seed' /tmp/modfuzz2.out | sed 's/^modfuzz: //')
if [ $rc -eq 0 ]; then
	pass "mutated profiler modules refused by the vmkernel, nothing changed: $summary"
else
	fail "mutated profiler modules (modfuzz status $rc): $(grep -m3 'FAIL' /tmp/modfuzz2.out | tr '\n' ' ')"
fi
check_eq "/proc/vmware as before" "$procs" "$(ls /proc/vmware | tr '\n' ' ')"
check "profiler still loads" vmkload_mod -q $T/profiler.o
check "and serves /proc/vmware/profile" grep -q '^samples ' /proc/vmware/profile
check "and unloads" vmkload_mod -q -u profiler
check "hello still loads" vmkload_mod -q $T/hello.o
check_eq "and answers" 5 "$(vmkcall raw 4096 2 3)"
check "and unloads" vmkload_mod -q -u hello
check "no kernel warning in dmesg" kernel_clean

e2e_end
