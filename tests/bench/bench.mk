# SPDX-License-Identifier: GPL-2.0
# Benchmarks.  Results go to build/bench/ (CSV) and the terminal.

.PHONY: bench bench-boot
bench: deps
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory bench-boot

bench-boot:
	@echo "== boot time"
	@tests/bench/boot.sh $(O)/initrd.img 5
