# SPDX-License-Identifier: GPL-2.0
# The Linux guest's userland on bare QEMU (tests/linux/bare.sh): Debian's
# kernel with the guest initrd, no VMM.  `make linux-run` leaves
# build/results/linux.result; the Linux VMs themselves are e2e boots
# (linuxvm, linuxsmp, linuxpair).

.PHONY: linux-run
linux-run: $(LXG_INITRD) | deps
	@mkdir -p $(O)/results
	@tests/linux/bare.sh $(O)/results/linux.result $(O)/linux \
		/boot/vmlinuz-$(KVER) $(LXG_INITRD)

TEST_SUITES += linux
