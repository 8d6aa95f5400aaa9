# SPDX-License-Identifier: GPL-2.0
# The service console's initrd, built by dracut with the vmkx module.
# Rebuilt only when one of its inputs changes.

INITRD_INPUTS = $(shell find console-os/rootfs initrd/dracut -type f 2>/dev/null) \
	initrd/build.sh $(TARGETS) $(SHIM_KO)

initrd: $(O)/initrd.img

$(O)/initrd.img: $(INITRD_INPUTS) | deps
	@mkdir -p $(O)
	initrd/build.sh $@ $(KVER) $(TOP)/$(O)
