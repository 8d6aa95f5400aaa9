# SPDX-License-Identifier: GPL-2.0
#
# The vmkernel image: freestanding C11 and assembly, position independent,
# linked at 0 by its own linker script.  No libc, no red zone, no SSE, no
# stack protector; warnings are errors.
#
# Two images from the same sources: vmkernel, and vmkernel-debug built
# with VMK_DEBUG (every lock acquisition's rank checked, freed pages and
# heap objects poisoned and checked on reuse).  Both go into the initrd;
# vmk.debug=1 on the console's command line loads the debug one.

VMK_O       := $(O)/vmkernel
VMK_ELF     := $(VMK_O)/vmkernel
VMK_DBG_O   := $(O)/vmkernel-debug
VMK_DBG_ELF := $(VMK_O)/vmkernel-debug
VMK_RELEASE := vmkx 0.1.0

VMK_CFLAGS := -std=c11 -ffreestanding -fno-builtin -nostdlib -fpie \
	-mno-red-zone -mgeneral-regs-only -mno-sse -mno-mmx -mno-80387 \
	-fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-omit-frame-pointer -fno-common -O2 -g \
	-Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
	-DVMK_FREESTANDING '-DVMK_RELEASE="$(VMK_RELEASE)"' \
	-include vmkernel/include/vmk/visibility.h \
	-Ivmkernel/include -Ivmkernel/abi -Ivmkernel/arch/x86/include
# The debug image says so in its release string (/proc/vmware/version).
VMK_DBG_CFLAGS := -DVMK_DEBUG -UVMK_RELEASE '-DVMK_RELEASE="$(VMK_RELEASE)-debug"'
VMK_LDFLAGS := -nostdlib -pie --no-dynamic-linker -z norelro -z noexecstack \
	-z max-page-size=4096 --hash-style=gnu --build-id=none \
	-T vmkernel/arch/x86/vmkernel.lds

# The virtualization backend behind arch/x86/include/x86/virt.h: one is
# linked, chosen here.
VMK_VIRT_SRCS := \
	vmkernel/arch/x86/svm/entry.S \
	vmkernel/arch/x86/svm/svm.c \
	vmkernel/arch/x86/svm/floor.c \
	vmkernel/arch/x86/svm/vcpu.c \
	vmkernel/arch/x86/svm/guest.S

# The VMM (vmkernel/vmm/): a VM's VCPU worlds and its virtual platform.
VMK_VMM_SRCS := \
	vmkernel/vmm/vm.c \
	vmkernel/vmm/vcpu.c \
	vmkernel/vmm/uart.c \
	vmkernel/vmm/lapic.c \
	vmkernel/vmm/ioapic.c \
	vmkernel/vmm/backdoor.c \
	vmkernel/vmm/pic.c \
	vmkernel/vmm/cmos.c \
	vmkernel/vmm/power.c \
	vmkernel/vmm/decode.c \
	vmkernel/vmm/guestmem.c

VMK_SRCS := \
	vmkernel/arch/x86/head.S \
	vmkernel/arch/x86/entry.S \
	vmkernel/arch/x86/reloc.c \
	vmkernel/arch/x86/setup.c \
	vmkernel/arch/x86/paging.c \
	vmkernel/arch/x86/pagetable.c \
	vmkernel/arch/x86/trap.c \
	vmkernel/arch/x86/serial.c \
	vmkernel/arch/x86/arch.c \
	vmkernel/arch/x86/world.c \
	vmkernel/arch/x86/apic.c \
	vmkernel/arch/x86/vmkcpu.c \
	$(VMK_VIRT_SRCS) \
	vmkernel/kernel/init.c \
	vmkernel/kernel/log.c \
	vmkernel/kernel/mem.c \
	vmkernel/kernel/console.c \
	vmkernel/kernel/vmkcall.c \
	vmkernel/kernel/cpu.c \
	vmkernel/kernel/sysworld.c \
	vmkernel/kernel/module.c \
	vmkernel/kernel/timer.c \
	vmkernel/lib/modelf.c \
	vmkernel/lib/string.c \
	vmkernel/lib/format.c \
	$(VMK_VMM_SRCS) \
	$(VMK_CORE_SRCS)	# vmkernel/core/core.mk, included by the Makefile

VMK_OBJS := $(patsubst vmkernel/%,$(VMK_O)/%.o,$(VMK_SRCS))
VMK_DBG_OBJS := $(patsubst vmkernel/%,$(VMK_DBG_O)/%.o,$(VMK_SRCS))
VMK_HDRS := $(shell find vmkernel/include vmkernel/abi vmkernel/arch/x86/include vmkernel/arch/x86/svm vmkernel/vmm -name '*.h')

$(VMK_O)/%.c.o: vmkernel/%.c $(VMK_HDRS) vmkernel/vmkernel.mk | deps
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(VMK_CFLAGS) -c -o $@ $<

$(VMK_O)/%.S.o: vmkernel/%.S $(VMK_HDRS) vmkernel/vmkernel.mk | deps
	@mkdir -p $(@D)
	@echo "  AS      $<"
	@$(CC) $(VMK_CFLAGS) -D__ASSEMBLER__ -c -o $@ $<

$(VMK_DBG_O)/%.c.o: vmkernel/%.c $(VMK_HDRS) vmkernel/vmkernel.mk | deps
	@mkdir -p $(@D)
	@echo "  CC [debug] $<"
	@$(CC) $(VMK_CFLAGS) $(VMK_DBG_CFLAGS) -c -o $@ $<

$(VMK_DBG_O)/%.S.o: vmkernel/%.S $(VMK_HDRS) vmkernel/vmkernel.mk | deps
	@mkdir -p $(@D)
	@echo "  AS [debug] $<"
	@$(CC) $(VMK_CFLAGS) $(VMK_DBG_CFLAGS) -D__ASSEMBLER__ -c -o $@ $<

# vmkseal writes the image's checksum into its header after the link.
VMK_SEAL := $(O)/tools/vmkseal

$(VMK_SEAL): loader/vmkseal.c loader/image.c loader/image.h vmkernel/abi/vmnix_abi.h | deps
	@mkdir -p $(@D)
	$(CC) $(HOSTCFLAGS) -Ivmkernel/abi -Iloader -o $@ loader/vmkseal.c loader/image.c

# Links, seals and checks one image: $(call vmk_link,OUTPUT,OBJECTS).
define vmk_link
	@echo "  LD      $(1)"
	@$(LD) $(VMK_LDFLAGS) -o $(1) $(2)
	@$(VMK_SEAL) $(1)
	@if readelf -r $(1) | grep -q 'R_X86_64_' && readelf -r $(1) | grep 'R_X86_64_' | grep -vq 'R_X86_64_RELATIVE'; then \
		echo "vmkernel: relocations other than R_X86_64_RELATIVE:"; readelf -r $(1); rm -f $(1); exit 1; fi
	@echo "  $(notdir $(1)): $$(stat -c %s $(1)) bytes ($(VMK_RELEASE))"
endef

$(VMK_ELF): $(VMK_OBJS) vmkernel/arch/x86/vmkernel.lds $(VMK_SEAL)
	$(call vmk_link,$@,$(VMK_OBJS))

$(VMK_DBG_ELF): $(VMK_DBG_OBJS) vmkernel/arch/x86/vmkernel.lds $(VMK_SEAL)
	$(call vmk_link,$@,$(VMK_DBG_OBJS))

.PHONY: vmkernel
vmkernel: $(VMK_ELF) $(VMK_DBG_ELF)
TARGETS += $(VMK_ELF) $(VMK_DBG_ELF)
-include vmkernel/modules/modules.mk
