# SPDX-License-Identifier: GPL-2.0
# Bad images in the real system: vmkfuzz mutates /lib/vmkx/vmkernel with
# the loader's own fuzzer (a fixed seed), puts every case through
# vmkload's checks: each is rejected with a reason or, since the checksum
# covers every laid-out byte, accepted only if it lays out exactly as the
# original; then it must load (in-process or through the real vmkload),
# pass the checks and unload: a refusal is a failure.  Then bad headers go
# straight to the shim, which must refuse each with a message.  vmk.fuzzcases=N sets the case count (soak).
. ./lib.sh

cases=$(vmk-cmdline get vmk.fuzzcases 2000)
vmkload --status >/dev/null && vmkunload -q
modprobe vmnix
t0=$(date +%s)
./vmkfuzz image --cases "$cases" --vmkload "$(command -v vmkload)" >/tmp/fuzz.out 2>&1
rc=$?
t1=$(date +%s)
cat /tmp/fuzz.out
summary=$(grep -m1 '^vmkfuzz: image seed' /tmp/fuzz.out | sed 's/^vmkfuzz: //')
if [ $rc -eq 0 ]; then
	pass "$cases mutated images rejected with a reason or loaded correctly ($((t1 - t0)) s): $summary"
else
	fail "mutated images (vmkfuzz status $rc): $(grep -m3 'FAIL' /tmp/fuzz.out | tr '\n' ' ')"
fi
check_eq "vmkfuzz ran all $cases cases" "$cases" \
	"$(sed -n 's/^vmkfuzz: image seed [0-9]*: \([0-9]*\) cases.*/\1/p' /tmp/fuzz.out)"
check "some mutated images were loaded for real" \
	grep -q 'image: [1-9][0-9]* loaded' /tmp/fuzz.out
check "some cases went through the real vmkload" \
	grep -q ' [1-9][0-9]* cases through the real vmkload' /tmp/fuzz.out
check "the shim refused no accepted image" grep -q ' loaded, .*, 0 refused by the shim' /tmp/fuzz.out
check "nothing is loaded after the run" sh -c 'vmkload --status; [ $? -eq 3 ]'
check "the original image still loads and unloads" \
	sh -c 'vmkload -q && vmkcall cpuid && vmkunload -q && ! vmkcall cpuid'
check "no kernel warning in dmesg" kernel_clean

e2e_end
