# SPDX-License-Identifier: GPL-2.0
# Reboot with the vmkernel loaded: the machine restarts (the shim unloads
# the vmkernel on the way down), the new boot runs on bare hardware and
# loads the vmkernel again.  A byte in CMOS RAM, which survives the reset,
# tells the two boots apart.  The harness runs this boot with
# qemu.NO_REBOOT=0.
#
# That the unload happened before the reset is only visible on the way
# down: the shim's reboot notifier logs it, and the harness finds the line
# on the serial port (EXPECT-SERIAL).  A reset alone would not show it.
. ./lib.sh

CMOS_REG='\132'		# register 0x5a: free CMOS RAM

cmos_get() {
	printf "$CMOS_REG" | dd of=/dev/port bs=1 seek=112 status=none
	dd if=/dev/port bs=1 skip=113 count=1 status=none | od -An -tu1 | tr -d ' '
}
cmos_set() {	# cmos_set OCTAL-ESCAPE
	printf "$CMOS_REG" | dd of=/dev/port bs=1 seek=112 status=none
	printf "$1" | dd of=/dev/port bs=1 seek=113 status=none
}

if [ "$(cmos_get)" != 82 ]; then	# 'R'
	check "loaded at boot" vmkload --status
	check "the vmkernel answers" vmkcall cpuid
	cmos_set '\122'
	# Kernel info lines reach the serial port from here on.
	echo 7 > /proc/sys/kernel/printk
	echo "EXPECT-SERIAL: vmnix: the vmkernel was unloaded before restart"
	echo "rebooting with the vmkernel loaded (reboot -f: straight to the kernel)"
	reboot -f
	sleep 60
	fail "the machine did not reboot"
else
	cmos_set '\000'
	pass "the machine rebooted with the vmkernel loaded and came back"
	check "the new boot loaded the vmkernel again" vmkload --status
	check "the vmkernel answers in the new boot" vmkcall cpuid
	check "unload in the new boot" vmkunload
	check "no kernel warning in dmesg" kernel_clean
fi

e2e_end
