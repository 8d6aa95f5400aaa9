# SPDX-License-Identifier: GPL-2.0
# KVM and the vmkernel: while the vmkernel is loaded kvm_amd cannot load
# (the console sees SVM disabled); after unload it loads; while kvm_amd is
# loaded vmkload refuses and says why.
. ./lib.sh

check "loaded at boot" vmkload --status
# It must fail for the reason the vmkernel gives: the emulated VM_CR says
# SVM is disabled, and kvm says so in the log.
seen=$(dmesg | wc -l)
if modprobe kvm_amd 2>/tmp/kvm.err; then
	fail "modprobe kvm_amd fails while the vmkernel is loaded"
	rmmod kvm_amd kvm 2>/dev/null
elif dmesg | tail -n +"$((seen + 1))" | grep -q 'kvm.*disabled by bios'; then
	pass "modprobe kvm_amd fails while the vmkernel is loaded: $(dmesg | grep -o 'kvm.*disabled by bios' | tail -n 1)"
else
	fail "modprobe kvm_amd fails for SVM disabled ($(cat /tmp/kvm.err); dmesg: $(dmesg | tail -n +"$((seen + 1))" | tail -n 2 | tr '\n' ' '))"
fi
check "the vmkernel is still loaded and well" sh -c 'vmkload --status && vmkcall cpuid'
check "unload" vmkunload
check "modprobe kvm_amd after unload" modprobe kvm_amd
check "/dev/kvm exists" test -c /dev/kvm
out=$(vmkload 2>&1)
rc=$?
case "$out" in
*kvm_amd*) [ $rc -ne 0 ] && pass "vmkload refuses while kvm_amd is loaded: $out" || fail "vmkload refuses while kvm_amd is loaded (status $rc)" ;;
*) fail "vmkload refuses while kvm_amd is loaded, naming it (status $rc: $out)" ;;
esac
check "still not loaded" sh -c 'vmkload --status; [ $? -eq 3 ]'
check "rmmod kvm_amd kvm" rmmod kvm_amd kvm
check "then vmkload works" vmkload -q
check "no kernel warning in dmesg" kernel_clean

e2e_end
