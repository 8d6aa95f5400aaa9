# SPDX-License-Identifier: GPL-2.0
#
# The whole stack under libvirt, on the host: `make libvirt-run` starts a
# private libvirtd, boots the console as a libvirt domain, checks it and
# removes every trace (tests/libvirt/run.sh), and leaves
# build/results/libvirt.result.  Part of `make test` (scripts/suite.sh
# counts a run killed at its time limit, which leaves no result, as a
# failure).

LIBVIRT_RESULT := $(O)/results/libvirt.result

.PHONY: libvirt-run
libvirt-run: $(O)/initrd.img
	@mkdir -p $(O)/results && rm -f $(LIBVIRT_RESULT)
	@timeout -k 10 900 tests/libvirt/run.sh $(LIBVIRT_RESULT)

TEST_SUITES += libvirt
