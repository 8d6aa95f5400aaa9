# SPDX-License-Identifier: GPL-2.0
#
# Fuzzing inside the real system (e2e boots fuzz-image, fuzz-ioctl and
# fuzz-vmkcall): vmkfuzz, a static guest program that reuses the loader's
# checks and mutator to feed bad images and bad requests to the shim, and
# the test module tests/e2e/modules/vmkx_callfuzz.c (built with the shim)
# for random vmkcalls at CPL 0.  Each boot runs a fixed number of cases;
# `make fuzz-soak` boots the same tests with many more (their lines in
# tests/e2e/soak.manifest, vmk.fuzzcases=N on the command line); `make
# soak` runs them too.

VMKFUZZ      := $(O)/tests/vmkfuzz
VMKFUZZ_SRCS := tests/e2e/fuzz/vmkfuzz.c loader/image.c loader/region.c \
	loader/fuzz.c console-os/tools/cmdline.c

# --wrap=image_check: fuzz_run() hands each mutated image to vmkfuzz first.
$(VMKFUZZ): $(VMKFUZZ_SRCS) loader/image.h loader/region.h loader/fuzz.h \
		console-os/tools/cmdline.h vmkernel/abi/vmnix_abi.h | deps
	@mkdir -p $(@D)
	$(CC) $(HOSTCFLAGS) -static -Ivmkernel/abi -Iloader -Iconsole-os/tools \
		-Wl,--wrap=image_check -o $@ $(VMKFUZZ_SRCS)

E2E_PROGS += $(VMKFUZZ)

.PHONY: fuzz-soak
fuzz-soak: deps
	@$(MAKE) --no-print-directory build $(E2E_DIR)/initrd-test.img
	@mkdir -p $(O)/results
	@tests/e2e/run.sh $(O)/results/fuzz-soak.result \
		$(TOP)/$(E2E_DIR)/initrd-test.img tests/e2e/soak.manifest \
		$(or $(E2E),fuzz-image@soak fuzz-ioctl@soak fuzz-vmkcall@soak fuzz-vmkcall@smp4 fuzz-module@soak)

# modfuzz: mutated vmkernel modules straight to the vmkernel (fuzz-module).
MODFUZZ      := $(O)/tests/modfuzz
MODFUZZ_SRCS := tests/e2e/fuzz/modfuzz.c loader/modcheck.c vmkernel/lib/modelf.c
$(MODFUZZ): $(MODFUZZ_SRCS) loader/modcheck.h vmkernel/include/vmk/modelf.h \
		vmkernel/abi/vmnix_abi.h | deps
	@mkdir -p $(@D)
	$(CC) $(HOSTCFLAGS) -static -Ivmkernel/abi -Ivmkernel/include -Iloader -o $@ $(MODFUZZ_SRCS)

E2E_PROGS += $(MODFUZZ)
