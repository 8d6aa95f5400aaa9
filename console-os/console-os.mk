# SPDX-License-Identifier: GPL-2.0
# The service console's own tools, installed in the initrd's /usr/sbin.

CONSOLE_TOOLS := $(BIN)/vmk-cmdline

$(BIN)/vmk-cmdline: console-os/tools/vmk-cmdline.c console-os/tools/cmdline.c \
		console-os/tools/cmdline.h | deps
	@mkdir -p $(@D)
	$(CC) $(HOSTCFLAGS) -o $@ $(filter %.c,$^)

TARGETS += $(CONSOLE_TOOLS)

$(BIN)/vmkcall: console-os/tools/vmkcall.c vmkernel/abi/vmnix_abi.h | deps
	@mkdir -p $(@D)
	$(CC) $(HOSTCFLAGS) -Ivmkernel/abi -o $@ $<

TARGETS += $(BIN)/vmkcall

VMKDEV := console-os/tools/vmkdev.c console-os/tools/vmkdev.h vmkernel/abi/vmnix_abi.h

$(BIN)/vmkcpu: console-os/tools/vmkcpu.c $(VMKDEV) | deps
	@mkdir -p $(@D)
	$(CC) $(HOSTCFLAGS) -Ivmkernel/abi -o $@ $(filter %.c,$^)

$(BIN)/vmkworld: console-os/tools/vmkworld.c $(VMKDEV) | deps
	@mkdir -p $(@D)
	$(CC) $(HOSTCFLAGS) -Ivmkernel/abi -o $@ $(filter %.c,$^)

TARGETS += $(BIN)/vmkcpu $(BIN)/vmkworld

$(BIN)/vmktop: console-os/tools/vmktop.c vmkernel/abi/vmnix_abi.h console-os/tools/vmkdev.h | deps
	@mkdir -p $(@D)
	$(CC) $(HOSTCFLAGS) -Ivmkernel/abi -o $@ $<

TARGETS += $(BIN)/vmktop
