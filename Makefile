# SPDX-License-Identifier: GPL-2.0
#
# vmkx: top-level build.  `make run` and `make test` are all a newcomer
# needs; `make help` lists the rest.  Each folder contributes a fragment
# (*.mk) with its own rules; the shim is built by the kernel's Kbuild
# through the top-level Kbuild file.

O        := build
TOP      := $(CURDIR)
CC       ?= gcc
HOSTCFLAGS := -O2 -g -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE
# Evaluated when used, after the dependencies are installed.
KVER      = $(shell scripts/kver.sh)
KDIR      = /lib/modules/$(KVER)/build

BIN      := $(O)/console-os/bin
TARGETS  :=
# The suites `make test` runs, in order: each NAME has a target NAME-run
# that leaves build/results/NAME.result (scripts/suite.sh checks that it
# did).  Fragments add theirs; e2e goes last.
TEST_SUITES := harness unit
# What fragments add to the e2e test initrd (tests/e2e/e2e.mk, included last).
E2E_DIR     := $(O)/e2e
E2E_GUEST   :=
E2E_PROGS   :=
E2E_MODULES :=

export KVER_CACHE

.DEFAULT_GOAL := all

.PHONY: all deps build run test unit e2e bench soak help clean shim initrd \
	debug gdb kver virsh-xml virsh-define virsh-start virsh-console virsh-stop \
	virsh-undefine virsh-status

all: build

help:
	@echo "vmkx: an ESX-model boot-then-handoff kernel"
	@echo
	@echo "  make run        build everything and boot the service console in QEMU"
	@echo "                  (SMP=2 MEM=2G CPU=max APPEND='...' VMK_MEM=1G"
	@echo "                  RUN_SWITCHES='vmk.cpus=1 vmk.helpers=1')"
	@echo "  make test       build and run the unit tests and the QEMU e2e tests"
	@echo "  make unit       host unit tests only (ASan + UBSan)"
	@echo "  make e2e        QEMU end-to-end tests only (E2E='name ...' to pick)"
	@echo "  make libvirt-run  the libvirt test only (as root; a private libvirtd)"
	@echo "  make guests-run the test guests (multiboot kernels) on bare QEMU"
	@echo "  make linux-run  the Linux guest's userland (its initrd) on bare QEMU"
	@echo "  make bench      benchmarks (results under build/bench/)"
	@echo "  make soak       long load/unload soak"
	@echo "  make debug      boot with QEMU logging exceptions and resets to build/qemu-debug.log"
	@echo "  make gdb        boot halted, waiting for gdb on :1234 (then: gdb -x build/gdbinit)"
	@echo "  make build      the vmkernel, shim, loader, tools and initrd"
	@echo "  make virsh-define | virsh-start | virsh-console | virsh-stop | virsh-undefine"
	@echo "                  the console as the libvirt domain DOMAIN (default vmkx), with"
	@echo "                  make run's settings, on the libvirt connection LIBVIRT_URI"
	@echo "                  (default qemu:///system: the system libvirtd, as root);"
	@echo "                  virsh-xml prints the definition, virsh-status its state"
	@echo "  make deps       install the Debian packages the project needs"
	@echo "  make clean      remove build outputs"

deps:
	@scripts/install-deps.sh

kver: | deps
	@scripts/kver.sh

# ---- the shim (Kbuild) -----------------------------------------------
# One Kbuild run builds the shim and the e2e tests' modules.
SHIM_SRCS := $(wildcard shim/*.c shim/*.h shim/Kbuild vmkernel/abi/*.h \
	$(filter-out %.mod.c,$(wildcard tests/e2e/modules/*.c)) tests/e2e/modules/Kbuild)
SHIM_KO   := shim/vmnix.ko
TEST_KOS  := $(patsubst %.c,%.ko,$(filter-out %.mod.c,$(wildcard tests/e2e/modules/*.c)))
E2E_MODULES += $(TEST_KOS)

shim: $(SHIM_KO)

$(SHIM_KO) $(TEST_KOS) &: $(SHIM_SRCS) Kbuild | deps
	$(MAKE) -C $(KDIR) M=$(TOP) modules

# ---- fragments ---------------------------------------------------------
include console-os/console-os.mk
# Every fragment is required: a missing one stops make here, loudly.
include vmkernel/core/core.mk
include vmkernel/vmkernel.mk
include loader/loader.mk
include initrd/initrd.mk
include initrd/linux-guest/linux-guest.mk
include tests/harness/harness.mk
include tests/unit/unit.mk
include tests/bench/bench.mk
include tests/sim/sim.mk
include tests/e2e/fuzz/fuzz.mk
include tests/libvirt/libvirt.mk
include tests/e2e/tty/tty.mk
include tests/guests/guests.mk
include tests/linux/linux.mk
include tests/e2e/vm/vm.mk
include tests/e2e/e2e.mk

build: $(TARGETS) $(SHIM_KO) $(O)/initrd.img

# ---- running ------------------------------------------------------------
# What `make run` adds to the console's command line: as in ESX, the
# console keeps CPU 0 and the vmkernel gets the rest (CPU 1 of the default
# two) with a helper world on it.  RUN_SWITCHES= boots with every CPU
# left to the console.
RUN_SWITCHES ?= vmk.cpus=1 vmk.helpers=1

# The datastore disk, made on first use and kept: VMs registered on it
# survive a new make run.  DATASTORE= boots without one.
DATASTORE ?= $(O)/datastore1.img

run: deps
	@$(MAKE) --no-print-directory build
	DATASTORE="$(DATASTORE)" APPEND="$(RUN_SWITCHES) $$APPEND" scripts/qemu.sh

debug: deps
	@$(MAKE) --no-print-directory build
	DEBUG=1 scripts/qemu.sh

gdb: deps
	@$(MAKE) --no-print-directory build
	@printf '%s\n' 'target remote :1234' \
		'# Once loaded, the vmkernel runs at load_address in /proc/vmware/version:' \
		'#   add-symbol-file $(TOP)/$(O)/vmkernel/vmkernel -o LOAD_ADDRESS' \
		> $(O)/gdbinit
	GDB=1 scripts/qemu.sh

# The console as a libvirt domain (scripts/domain.sh), from the settings
# make run uses.
virsh-define: deps
	@$(MAKE) --no-print-directory build
	scripts/domain.sh define

virsh-xml virsh-start virsh-console virsh-stop virsh-undefine virsh-status: deps
	scripts/domain.sh $(patsubst virsh-%,%,$@)

# ---- testing ------------------------------------------------------------
# Every suite runs even when the build or another suite failed; each
# failure is counted once, with its name and reason, and `make test`
# exits non-zero.
test: deps
	@rm -rf $(O)/results && mkdir -p $(O)/results
	@$(MAKE) --no-print-directory build || \
	 echo "build: 'make build' exited with status $$?" > $(O)/results/build.missing
	@for s in $(TEST_SUITES) e2e; do \
		scripts/suite.sh $(O)/results $$s $(MAKE) --no-print-directory $$s-run; \
	 done; scripts/summary.sh $(O)/results $(TEST_SUITES) e2e

unit: deps
	@rm -rf $(O)/results && mkdir -p $(O)/results
	@$(MAKE) --no-print-directory unit-run; scripts/summary.sh $(O)/results

e2e: deps
	@$(MAKE) --no-print-directory build
	@rm -rf $(O)/results && mkdir -p $(O)/results
	@$(MAKE) --no-print-directory e2e-run; scripts/summary.sh $(O)/results

clean:
	rm -rf $(O)
	-$(MAKE) -C $(KDIR) M=$(TOP) clean >/dev/null 2>&1
