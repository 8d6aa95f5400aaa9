# SPDX-License-Identifier: GPL-2.0
# The Linux guest's initrd (initrd/linux-guest/): BusyBox, its init
# files, vmkx-tools and vmkbench, for Debian's own kernel booted in a VM.
# The console's initrd carries it in /usr/lib/vmkx/linux/ beside the
# kernel.

LXG_DIR    := $(O)/linux-guest
LXG_TOOLS  := $(LXG_DIR)/vmkx-tools
LXG_INITRD := $(LXG_DIR)/initrd.img

$(LXG_TOOLS): initrd/linux-guest/vmkx-tools.c vmkernel/abi/vmnix_abi.h | deps
	@mkdir -p $(@D)
	$(CC) -O2 -static -Wall -Wextra -Werror -std=gnu11 -Ivmkernel/abi -o $@ $<

$(LXG_INITRD): initrd/linux-guest/build.sh $(shell find initrd/linux-guest/etc -type f) \
		$(LXG_TOOLS) $(O)/bench/vmkbench | deps
	initrd/linux-guest/build.sh $@ $(LXG_TOOLS) $(O)/bench/vmkbench

.PHONY: linux-guest
linux-guest: $(LXG_INITRD)

TARGETS += $(LXG_TOOLS) $(LXG_INITRD)
# initrd.mk reads TARGETS before this file adds to it.
$(O)/initrd.img: $(LXG_INITRD)
