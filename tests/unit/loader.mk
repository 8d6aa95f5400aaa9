# SPDX-License-Identifier: GPL-2.0
# Host unit tests of the loader (image checks, region parsing) and the
# standalone image fuzzer, build/tests/fuzz-image, for soak runs.

LOADER_IMAGE_SRCS := loader/image.c loader/image.h loader/fail.h loader/synth.c loader/synth.h \
	vmkernel/abi/vmnix_abi.h

$(UNIT_DIR)/test_image: $(LOADER_IMAGE_SRCS)

$(UNIT_DIR)/test_region: loader/region.c loader/region.h \
	console-os/tools/cmdline.c console-os/tools/cmdline.h vmkernel/abi/vmnix_abi.h

LOADER_FUZZ_SRCS := loader/fuzz.c loader/fuzz.h $(LOADER_IMAGE_SRCS)

$(UNIT_DIR)/test_image_fuzz: $(LOADER_FUZZ_SRCS)

# The soak fuzzer: build/tests/fuzz-image --seed S --cases N [--image PATH]
FUZZ_IMAGE := $(O)/tests/fuzz-image

$(FUZZ_IMAGE): loader/fuzz-image.c $(LOADER_FUZZ_SRCS) | deps
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) -o $@ $(filter %.c,$^)

unit-build: $(FUZZ_IMAGE)

$(UNIT_DIR)/test_multiboot: loader/multiboot.c loader/multiboot.h loader/vmwrite.h loader/fail.h \
	vmkernel/abi/vmnix_abi.h

$(UNIT_DIR)/test_linuxboot: loader/linux.c loader/linux.h loader/vmwrite.h loader/fail.h \
	vmkernel/abi/vmnix_abi.h
