# SPDX-License-Identifier: GPL-2.0
#
# The test guests (tests/guests/): multiboot v1 ELF32 kernels in the
# manner of kvm-unit-tests' x86 tests, built freestanding with the host's
# gcc in 32-bit mode (no libc, no multilib needed) and linked at 1 MiB.
# `make guests` builds them into build/guests/*.elf; `make guests-run`
# runs each on bare QEMU (tests/guests/run.sh) and leaves
# build/results/guests.result.  The console's initrd carries them in
# /usr/lib/vmkx/guests/.

GUESTS_DIR    := $(O)/guests
GUESTS        := cpuid msr tsc spin idle crash apic smp hostile platform
GUEST_ELFS    := $(patsubst %,$(GUESTS_DIR)/%.elf,$(GUESTS)) $(GUESTS_DIR)/long64.elf
GUEST_LIB_SRC := $(wildcard tests/guests/lib/*.c tests/guests/lib/*.S)
GUEST_LIB_OBJ := $(patsubst tests/guests/lib/%,$(GUESTS_DIR)/lib/%.o,$(GUEST_LIB_SRC))
GUEST_HDRS    := $(wildcard tests/guests/lib/*.h tests/guests/*.h)
GUEST_CFLAGS  := -m32 -march=i686 -std=gnu11 -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-tree-loop-distribute-patterns -mgeneral-regs-only -mno-red-zone \
	-nostdlib -O2 -g -Wall -Wextra -Werror -Itests/guests/lib -Itests/guests
GUEST_LDFLAGS := -m elf_i386 -nostdlib -z max-page-size=0x1000 --no-warn-rwx-segments \
	-T tests/guests/lib/guest.ld

$(GUESTS_DIR)/lib/%.c.o: tests/guests/lib/%.c $(GUEST_HDRS) | deps
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -c -o $@ $<

$(GUESTS_DIR)/lib/%.S.o: tests/guests/lib/%.S | deps
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -c -o $@ $<

$(GUESTS_DIR)/%.o: tests/guests/%.c $(GUEST_HDRS) | deps
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -c -o $@ $<

$(GUESTS_DIR)/%.elf: $(GUESTS_DIR)/%.o $(GUEST_LIB_OBJ) tests/guests/lib/guest.ld
	$(LD) $(GUEST_LDFLAGS) -o $@ $< $(GUEST_LIB_OBJ)

# long64 is 64-bit code of its own (no shared library), linked as
# ELF64 and wrapped as ELF32 the way kvm-unit-tests makes its .flat files.
LONG64_CFLAGS := -m64 -std=gnu11 -ffreestanding -fno-pic -fno-pie -mcmodel=small -fno-delete-null-pointer-checks \
	-fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-tree-loop-distribute-patterns -mgeneral-regs-only -mno-red-zone \
	-nostdlib -O2 -g -Wall -Wextra -Werror

$(GUESTS_DIR)/long64-c.o: tests/guests/long64.c | deps
	@mkdir -p $(@D)
	$(CC) $(LONG64_CFLAGS) -c -o $@ $<

$(GUESTS_DIR)/long64-S.o: tests/guests/long64.S | deps
	@mkdir -p $(@D)
	$(CC) $(LONG64_CFLAGS) -c -o $@ $<

$(GUESTS_DIR)/long64.elf: $(GUESTS_DIR)/long64-S.o $(GUESTS_DIR)/long64-c.o tests/guests/long64.ld
	$(LD) -m elf_x86_64 -nostdlib -z max-page-size=0x1000 --no-warn-rwx-segments \
		-T tests/guests/long64.ld -o $@.64 $(GUESTS_DIR)/long64-S.o $(GUESTS_DIR)/long64-c.o
	objcopy -O elf32-i386 $@.64 $@

.SECONDARY: $(GUEST_LIB_OBJ) $(patsubst %.elf,%.o,$(GUEST_ELFS))

.PHONY: guests guests-run
guests: $(GUEST_ELFS)

guests-run: $(GUEST_ELFS)
	@mkdir -p $(O)/results
	@tests/guests/run.sh $(O)/results/guests.result $(GUESTS_DIR) \
		tests/guests/manifest $(GUESTS_RUN)

TARGETS     += $(GUEST_ELFS)
# initrd.mk reads TARGETS before this file adds to it: say it here, or a
# changed guest never reaches the console's initrd.
$(O)/initrd.img: $(GUEST_ELFS)
TEST_SUITES += guests
