# SPDX-License-Identifier: GPL-2.0
# kexec with the vmkernel loaded: kexec -e unloads it on the way (the
# shim's reboot notifier), the same kernel starts on bare hardware from
# a copy of this root file system, and loads the vmkernel again.
. ./lib.sh

if [ -z "$(vmk-cmdline get vmk.kexeced "")" ]; then
	check "loaded at boot" vmkload --status
	cd / && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o \
		-path ./run -o -path ./tmp \) -prune -o -print | cpio -o -H newc \
		> /tmp/root.cpio 2>/dev/null
	cd /opt/vmkx-tests
	check "a copy of the root file system to boot from" test -s /tmp/root.cpio
	cmdline="$(cat /proc/cmdline) vmk.kexeced=1"
	check "kexec -l the same kernel" kexec -l ./vmlinuz --initrd=/tmp/root.cpio \
		--command-line="$cmdline"
	echo "kexec -e with the vmkernel loaded"
	kexec -e
	fail "kexec -e returned"
else
	pass "the kernel started by kexec is running"
	check "it loaded the vmkernel at boot" vmkload --status
	check "the vmkernel answers" vmkcall cpuid
	check "unload after kexec" vmkunload
	check "bare hardware after unload" sh -c '! vmkcall cpuid'
	check "no kernel warning in dmesg" kernel_clean
fi

e2e_end
