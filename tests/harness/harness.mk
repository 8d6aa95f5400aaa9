# SPDX-License-Identifier: GPL-2.0
#
# The harness's own test: `make harness-run` checks in seconds that the
# e2e judge, the guest's kernel-log watcher, scripts/suite.sh and
# scripts/summary.sh count every broken run as a failure.

.PHONY: harness-run
harness-run:
	@tests/harness/selftest.sh $(O)/results/harness.result
