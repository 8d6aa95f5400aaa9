# SPDX-License-Identifier: GPL-2.0
# The `linux` example VM (Debian's kernel and the guest initrd, 1 VCPU,
# 192 MB) on one vmkernel CPU (vmk.cpus=1), made by S30datastore on this
# boot's datastore: it boots to `vmkx-guest: ready` with vmkx-tools
# polling, vmkbench passes inside, `reboot` in the guest comes back to
# ready by itself, `vmware-cmd stop soft` powers it off through
# vmkx-tools, a hard stop, a hard reset and a soft reset (vmkx-tools runs
# reboot) work, destroy returns every page; neither the guest's kernel log nor the console's has a warning,
# a call trace, or (the guest's) a clock or timer complaint.
. ./lib.sh
T=/tmp/linuxvm
. ./linuxlib.sh

DS=/vmfs/volumes/datastore1
V=linux
BOOT_S=300

if ! vmkload --status >/dev/null 2>&1; then
	fail "the vmkernel is not loaded"
	e2e_end
fi
check "the guest kernel is in the console's initrd" test -s $LX/vmlinuz
check "the guest initrd is in the console's initrd" test -s $LX/initrd.img
if ! grep -q " $DS " /proc/mounts; then
	fail "the datastore is mounted (qemu.DATASTORE in the manifest)"
	e2e_end
fi

# The example VMs as this build makes them: an image kept from an
# earlier run may hold older ones.
for n in linux linux-smp; do
	vmware-cmd -s unregister $DS/$n/$n.vmx >/dev/null 2>&1
	rm -rf "${DS:?}/$n"
done
/etc/init.d/S30datastore restart > $T/ds.out 2>&1
check "S30datastore made $DS/$V/$V.vmx" test -f $DS/$V/$V.vmx
check "$V.vmx names the guest initrd" grep -q "^kernel.initrd = \"$LX/initrd.img\"" $DS/$V/$V.vmx
check "$V.vmx: 192 MB, 1 VCPU" grep -q '^memsize = "192"' $DS/$V/$V.vmx
check "linux-smp.vmx: 2 VCPUs" grep -q '^numvcpus = "2"' $DS/linux-smp/linux-smp.vmx
check "vmware-cmd -l lists $V" sh -c "vmware-cmd -l | grep -q ' $V .*$DS/$V/$V.vmx'"

free0=$(lx_memfree)
lx_vlog_mark

# ---- boot to ready ----
: > $T/$V.log
if ! vmware-cmd start $V > $T/start.out 2>&1; then
	fail "vmware-cmd start $V: $(cat $T/start.out)"
	e2e_end
fi
pass "vmware-cmd start $V: $(head -n 1 $T/start.out)"
id=$(lx_vmid $V)
lx_follow $V
b1=$(lx_first_boot $V $BOOT_S) || e2e_end
hello=$(lx_log $V | grep '^vmkx-guest: Linux ' | tail -n 1)
case "$hello" in
"vmkx-guest: Linux $(uname -r) (x86_64), 1 CPU(s), "*) pass "$V: start-up line '$hello'" ;;
*) fail "$V: start-up line '$hello', expected the console's kernel $(uname -r) and 1 CPU" ;;
esac
check "$V: vmkx-tools polls the backdoor" sh -c "tr -d '\r' < $T/$V.log | grep -q '^vmkx-tools: polling the vmkx backdoor'"

# ---- the workloads ----
lx_bench $V

# ---- reboot in the guest: the VM restarts by itself ----
lx_send $V reboot
b2=$(lx_ready $V $BOOT_S "$b1")
if [ -n "$b2" ]; then
	pass "reboot in the guest: ready again (boot $b2 after $b1)"
else
	fail "reboot in the guest: no new boot reached ready (state $(lx_state $V): $(lx_info $V reason))"
	lx_show $V 30
fi
check_eq "reboot kept the VM id" "$id" "$(lx_vmid $V)"
check_eq "reboot: the VM runs" running "$(lx_state $V)"

# ---- soft stop: vmkx-tools runs poweroff ----
timeout 120 vmware-cmd stop $V soft > $T/soft.out 2>&1
rc=$?
check_eq "vmware-cmd stop $V soft: exit status" 0 "$rc"
check_eq "soft stop: the VM is off" off "$(lx_state $V)"
sleep 1
check "soft stop: vmkx-tools ran poweroff in the guest" \
	sh -c "tr -d '\r' < $T/$V.log | grep -q 'vmkx-tools: the console asks for a soft stop'"
check "soft stop: the guest shut down and halted" \
	sh -c "tr -d '\r' < $T/$V.log | grep -q 'reboot: System halted'"
reason=$(lx_info $V reason)
case "$reason" in
*halted*) pass "soft stop: reason '$reason'" ;;
*) fail "soft stop: reason '$reason', expected the guest halting every VCPU" ;;
esac

# ---- hard stop of a running guest ----
if vmware-cmd start $V > $T/start.out 2>&1 && b3=$(lx_ready $V $BOOT_S "$b2"); then
	pass "started again: ready (boot $b3)"
	check "vmware-cmd stop $V hard" vmware-cmd stop $V hard
	check_eq "hard stop: the VM is off" off "$(lx_state $V)"
else
	fail "started again: $(cat $T/start.out), state $(lx_state $V)"
	b3=$b2
fi

# ---- reset: the same VM booted again ----
if vmware-cmd start $V > $T/start.out 2>&1 && b4=$(lx_ready $V $BOOT_S "$b3"); then
	pass "started for the reset: ready (boot $b4)"
	id=$(lx_vmid $V)
	check "vmware-cmd reset $V" vmware-cmd reset $V
	b5=$(lx_ready $V $BOOT_S "$b4")
	if [ -n "$b5" ]; then
		pass "reset: ready again (boot $b5)"
	else
		fail "reset: no new boot reached ready (state $(lx_state $V))"
		lx_show $V 30
	fi
	check_eq "reset kept the VM id" "$id" "$(lx_vmid $V)"
	# A soft reset: vmkx-tools runs reboot in the guest.
	timeout 120 vmware-cmd reset $V soft > $T/softreset.out 2>&1
	check_eq "vmware-cmd reset $V soft: exit status" 0 "$?"
	check "soft reset: the guest rebooted itself" grep -q "soft: the guest rebooted" $T/softreset.out
	b6=$(lx_ready $V $BOOT_S "$b5")
	if [ -n "$b6" ]; then
		pass "soft reset: ready again (boot $b6)"
	else
		fail "soft reset: no new boot reached ready (state $(lx_state $V)): $(cat $T/softreset.out)"
	fi
	check "soft reset: vmkx-tools ran reboot in the guest" \
		sh -c "tr -d '\r' < $T/$V.log | grep -q 'vmkx-tools: the console asks for a soft reset'"
	check_eq "soft reset kept the VM id" "$id" "$(lx_vmid $V)"
else
	fail "started for the reset: $(cat $T/start.out), state $(lx_state $V)"
fi

vmware-cmd info $V > $T/info.out 2>&1
lx_unfollow $V
lx_clean $V

# ---- destroy: every page back ----
check "vmware-cmd destroy $V" vmware-cmd destroy $V
check_eq "no VM is left" "" "$(vmware-cmd -l | awk 'NR > 1 && $1 != "-"')"
check_eq "every page is back (vmkernel free bytes)" "$free0" "$(lx_memfree)"
sed 's/^/    info| /' $T/info.out
lx_vlog_clean
check "no kernel warning in the console's dmesg" kernel_clean

e2e_end
