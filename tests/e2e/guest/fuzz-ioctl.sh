# SPDX-License-Identifier: GPL-2.0
# Random requests on /dev/vmnix: unknown ioctl numbers and LOAD, CALL,
# BENCH, STATUS, UNLOAD with random fields and pointers.  Each must fail
# cleanly or give a correct result; the machine's state is checked after
# every case and left unloaded.  vmk.fuzzcases=N sets the case count.
. ./lib.sh

cases=$(vmk-cmdline get vmk.fuzzcases 6000)
vmkload --status >/dev/null && vmkunload -q
modprobe vmnix
t0=$(date +%s)
./vmkfuzz ioctl --cases "$cases" >/tmp/fuzz.out 2>&1
rc=$?
t1=$(date +%s)
cat /tmp/fuzz.out
if [ $rc -eq 0 ]; then
	pass "$cases random /dev/vmnix requests failed cleanly or gave correct results ($((t1 - t0)) s)"
else
	fail "random /dev/vmnix requests (vmkfuzz status $rc): $(grep -m3 'FAIL' /tmp/fuzz.out | tr '\n' ' ')"
fi
check "some fuzzed loads succeeded" \
	sh -c "awk '\$2 == \"load\" && \$5 > 0 { ok = 1 } END { exit !ok }' /tmp/fuzz.out"
check "some fuzzed vmkcalls succeeded" \
	sh -c "awk '\$2 == \"call\" && \$5 > 0 { ok = 1 } END { exit !ok }' /tmp/fuzz.out"
check "nothing is loaded after the run" sh -c 'vmkload --status; [ $? -eq 3 ]'
check "the vmkernel loads and unloads after the run" \
	sh -c 'vmkload -q && vmkcall cpuid && vmkcall nop && vmkunload -q && ! vmkcall cpuid'
check "no kernel warning in dmesg" kernel_clean

e2e_end
