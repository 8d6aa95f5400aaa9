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

# vmware-cmd: the VMs' management tool, with the .vmx parser and the
# VMs' loaders (loader/multiboot.c, loader/linux.c).
VMWARE_CMD_SRCS := console-os/tools/vmware-cmd.c console-os/tools/vmx.c \
	console-os/tools/vmkdev.c loader/multiboot.c loader/linux.c

$(BIN)/vmware-cmd: $(VMWARE_CMD_SRCS) console-os/tools/vmx.h console-os/tools/vmkdev.h \
		loader/multiboot.h loader/linux.h loader/vmwrite.h loader/fail.h vmkernel/abi/vmnix_abi.h | deps
	@mkdir -p $(@D)
	$(CC) $(HOSTCFLAGS) -Ivmkernel/abi -Iloader -Iconsole-os/tools -o $@ $(VMWARE_CMD_SRCS)

TARGETS += $(BIN)/vmware-cmd
