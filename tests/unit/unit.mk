# SPDX-License-Identifier: GPL-2.0
#
# Host unit tests: one cmocka program per tests/unit/test_*.c, built with
# AddressSanitizer and UndefinedBehaviorSanitizer.  A test's extra sources
# are named as prerequisites of its binary below (or in another
# fragment); every .c, .S and .o prerequisite is compiled or linked in.

UNIT_DIR    := $(O)/tests/unit
UNIT_CFLAGS := -O1 -g -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer -Iconsole-os/tools -Ivmkernel/abi -Iloader
UNIT_LIBS   := -lcmocka -lm
UNIT_BINS   := $(patsubst tests/unit/%.c,$(UNIT_DIR)/%,$(wildcard tests/unit/test_*.c))

# Every test is rebuilt when any header it could include changes.
UNIT_HDRS   := $(wildcard vmkernel/abi/*.h vmkernel/include/*/*.h vmkernel/*/*.h \
	vmkernel/arch/*/*.h vmkernel/arch/x86/svm/*.h loader/*.h console-os/tools/*.h tests/unit/*.h)

$(UNIT_DIR)/%: tests/unit/%.c $(UNIT_HDRS) | deps
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) $(UNIT_EXTRA_CFLAGS) -o $@ $(filter %.c %.S %.o,$^) $(UNIT_LIBS)

$(UNIT_DIR)/test_cmdline: console-os/tools/cmdline.c console-os/tools/cmdline.h

$(UNIT_DIR)/test_vmx: console-os/tools/vmx.c console-os/tools/vmx.h \
	console-os/tools/vmkdev.c console-os/tools/vmkdev.h vmkernel/abi/vmnix_abi.h

.PHONY: unit-build unit-run
unit-build: $(UNIT_BINS)

unit-run: unit-build
	@tests/unit/run.sh $(O)/results/unit.result $(UNIT_BINS)

include tests/unit/core.mk
include tests/unit/loader.mk
include tests/unit/kernel.mk
include tests/unit/vmm.mk
