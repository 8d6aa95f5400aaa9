# SPDX-License-Identifier: GPL-2.0
# Benchmarks.  Results go to build/bench/ (CSV, JSON, a PNG chart) and the
# terminal.  vmkbench (console workloads) and kvmbench (KVM's round trips,
# the peer the vmkernel is measured against) run inside the test initrd.

BENCH_EXTRA ?=

BENCH_PROGS := $(O)/bench/vmkbench $(O)/bench/kvmbench $(O)/bench/spinbench

$(O)/bench/vmkbench: tests/bench/workload.c
# kvmbench lays out multiboot guests with the loader vmware-cmd uses.
$(O)/bench/kvmbench: tests/bench/kvmbench.c loader/multiboot.c loader/multiboot.h \
	loader/fail.h vmkernel/abi/vmnix_abi.h
$(O)/bench/spinbench: tests/bench/spinbench.c tests/guests/spin_loop.h
$(BENCH_PROGS): | deps
	@mkdir -p $(@D)
	$(CC) -O2 -static -Wall -Wextra -Werror -Iloader -Ivmkernel/abi -Itests/guests \
		-o $@ $(filter %.c,$^)

E2E_PROGS += $(BENCH_PROGS)
E2E_GUEST += $(wildcard tests/bench/guest/*)

.PHONY: bench bench-boot bench-handoff
bench: deps
	@$(MAKE) --no-print-directory build $(E2E_DIR)/initrd-test.img
	@$(MAKE) --no-print-directory bench-boot bench-handoff $(BENCH_EXTRA)

bench-boot:
	@echo "== boot time"
	@tests/bench/boot.sh $(O)/initrd.img 5

bench-handoff: $(E2E_DIR)/initrd-test.img
	@echo "== the handoff: console speed, round trips, load and unload"
	@tests/bench/handoff.sh $(TOP)/$<

.PHONY: bench-cpus
bench-cpus: $(E2E_DIR)/initrd-test.img
	@echo "== CPUs for the vmkernel: give/take, timer, switch, shares, console workloads"
	@tests/bench/cpus.sh $(TOP)/$<

BENCH_EXTRA += bench-cpus

.PHONY: bench-modules
bench-modules: $(E2E_DIR)/initrd-test.img
	@echo "== vmkernel modules: load time by size, a module's vmkcall against a built-in one"
	@tests/bench/modules.sh $(TOP)/$<

BENCH_EXTRA += bench-modules

.PHONY: bench-vm
bench-vm: $(E2E_DIR)/initrd-test.img
	@echo "== virtual machines: the spin loop native, in KVM and in a VM; an idle VM; a switch; 32 small VMs"
	@tests/bench/vm.sh $(TOP)/$<

BENCH_EXTRA += bench-vm

.PHONY: bench-linux
bench-linux: $(E2E_DIR)/initrd-test.img
	@echo "== a Linux VM: its boot against the console's, workloads against the bare console, idle exits, memory"
	@tests/bench/linux.sh $(TOP)/$<

BENCH_EXTRA += bench-linux
