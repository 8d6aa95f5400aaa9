# SPDX-License-Identifier: GPL-2.0
#
# vmkernel modules: each is one relocatable object (ld -r of its C
# files), compiled with the vmkernel's own flags against its headers.
# The shipped examples land in $(O)/modules; the test modules (bad on
# purpose) in $(O)/modules/test and go into the e2e initrd only.
#
# A module of one's own: put NAME.c next to these (with VMK_MODULE(...)
# in it) and add NAME to VMK_MODULES, or build it by hand with
#   cc $(VMK_CFLAGS) -c -o NAME.o NAME.c

VMK_MOD_O     := $(O)/modules
VMK_MODULES   := hello helper profiler
VMK_TEST_MODS := failinit unexported badabi needhello spinner worldfail
VMK_MOD_HDRS  := $(VMK_HDRS) vmkernel/modules/modules.mk

$(VMK_MOD_O)/%.o: vmkernel/modules/%.c $(VMK_MOD_HDRS) | deps
	@mkdir -p $(@D)
	@echo "  MOD     $@"
	@$(CC) $(VMK_CFLAGS) -c -o $@.part $<
	@$(LD) -r -o $@ $@.part && rm -f $@.part

$(VMK_MOD_O)/test/%.o: tests/e2e/vmkmod/%.c $(VMK_MOD_HDRS) | deps
	@mkdir -p $(@D)
	@echo "  MOD     $@"
	@$(CC) $(VMK_CFLAGS) -c -o $@.part $<
	@$(LD) -r -o $@ $@.part && rm -f $@.part

# Modules of 16 to 240 KiB for timing loads by size.
VMK_SIZED_KB := 16 64 128 240
$(VMK_MOD_O)/test/sized%.o: tests/e2e/vmkmod/sized.c $(VMK_MOD_HDRS) | deps
	@mkdir -p $(@D)
	@echo "  MOD     $@"
	@$(CC) $(VMK_CFLAGS) -DSIZE_KB=$* -DSIZED_NAME=sized$* -c -o $@.part $<
	@$(LD) -r -o $@ $@.part && rm -f $@.part

VMK_MOD_FILES      := $(patsubst %,$(VMK_MOD_O)/%.o,$(VMK_MODULES))
VMK_TEST_MOD_FILES := $(patsubst %,$(VMK_MOD_O)/test/%.o,$(VMK_TEST_MODS)) \
	$(patsubst %,$(VMK_MOD_O)/test/sized%.o,$(VMK_SIZED_KB))

.PHONY: modules
modules: $(VMK_MOD_FILES) $(VMK_TEST_MOD_FILES)
TARGETS += $(VMK_MOD_FILES)
E2E_PROGS += $(VMK_MOD_FILES) $(VMK_TEST_MOD_FILES)
