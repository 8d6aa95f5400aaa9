# SPDX-License-Identifier: GPL-2.0
#
# QEMU end-to-end tests.  The test initrd is the console's initrd with a
# second cpio archive appended (Linux unpacks both): the test runner
# (/etc/init.d/S98e2e), the guest test scripts, and test-only programs.
# Other fragments add to E2E_GUEST, E2E_PROGS and E2E_MODULES; this one
# is included last.

E2E_OVERLAY := $(E2E_DIR)/overlay
E2E_GUEST   += $(wildcard tests/e2e/guest/*)

$(E2E_DIR)/overlay.cpio: $(E2E_GUEST) $(E2E_PROGS) $(E2E_MODULES) tests/e2e/e2e.mk \
		tests/e2e/mkimages.sh $(VMK_ELF) | deps
	rm -rf $(E2E_OVERLAY)
	mkdir -p $(E2E_OVERLAY)/etc/init.d $(E2E_OVERLAY)/opt/vmkx-tests
	tests/e2e/mkimages.sh $(VMK_ELF) $(E2E_OVERLAY)/opt/vmkx-tests/images
	cp tests/e2e/guest/S98e2e $(E2E_OVERLAY)/etc/init.d/
	cp $(filter-out %/S98e2e,$(E2E_GUEST)) $(E2E_OVERLAY)/opt/vmkx-tests/
	$(if $(E2E_PROGS)$(E2E_MODULES),cp $(E2E_PROGS) $(E2E_MODULES) $(E2E_OVERLAY)/opt/vmkx-tests/)
	cp /boot/vmlinuz-$(KVER) $(E2E_OVERLAY)/opt/vmkx-tests/vmlinuz
	cd $(E2E_OVERLAY) && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 > $(TOP)/$@

$(E2E_DIR)/initrd-test.img: $(O)/initrd.img $(E2E_DIR)/overlay.cpio
	cat $^ > $@

.PHONY: e2e-run soak
e2e-run: $(E2E_DIR)/initrd-test.img
	@tests/e2e/run.sh $(O)/results/e2e.result $(TOP)/$< tests/e2e/manifest $(E2E)

# The long runs: 200 load/unload cycles under a verifying workload, and
# whatever else tests/e2e/soak.manifest lists.
soak: deps
	@$(MAKE) --no-print-directory build $(E2E_DIR)/initrd-test.img
	@rm -rf $(O)/results && mkdir -p $(O)/results
	@tests/e2e/run.sh $(O)/results/soak.result $(TOP)/$(E2E_DIR)/initrd-test.img \
		tests/e2e/soak.manifest $(E2E); scripts/summary.sh $(O)/results
