# SPDX-License-Identifier: GPL-2.0
# The userspace loader: vmkload and vmkunload (one program that looks at
# the name it was run under), installed in the initrd's /usr/sbin.

LOADER_CFLAGS := $(HOSTCFLAGS) -Ivmkernel/abi -Iconsole-os/tools -Iloader
LOADER_SRCS   := loader/vmkload.c loader/image.c loader/region.c \
	console-os/tools/cmdline.c
LOADER_DEPS   := $(LOADER_SRCS) loader/image.h loader/region.h \
	console-os/tools/cmdline.h vmkernel/abi/vmnix_abi.h
LOADER_TOOLS  := $(BIN)/vmkload $(BIN)/vmkunload

$(LOADER_TOOLS): $(LOADER_DEPS) | deps
	@mkdir -p $(@D)
	$(CC) $(LOADER_CFLAGS) -o $@ $(LOADER_SRCS)

TARGETS += $(LOADER_TOOLS)

# vmkload_mod: the module loader, with the vmkernel's own module checks
# (vmkernel/lib/modelf.c) compiled in.
VMKLOAD_MOD_SRCS := loader/vmkload_mod.c loader/modcheck.c vmkernel/lib/modelf.c
$(BIN)/vmkload_mod: $(VMKLOAD_MOD_SRCS) loader/modcheck.h vmkernel/include/vmk/modelf.h \
		vmkernel/abi/vmnix_abi.h | deps
	@mkdir -p $(@D)
	$(CC) $(LOADER_CFLAGS) -Ivmkernel/include -o $@ $(VMKLOAD_MOD_SRCS)

TARGETS += $(BIN)/vmkload_mod
