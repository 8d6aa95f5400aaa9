# SPDX-License-Identifier: GPL-2.0
#
# Host unit tests of the VMM's device models (vmkernel/vmm/), each linked
# alone with the test doubles of tests/unit/vmm_doubles.h in place of
# vm.c, vcpu.c and the vendor backend.

VMM_TEST_DEPS := $(CORE_FAKE) $(CORE_SCHED) vmkernel/vmm/vmm.h tests/unit/vmm_doubles.h

$(UNIT_DIR)/test_lapic: $(VMM_TEST_DEPS) vmkernel/vmm/lapic.c vmkernel/vmm/ioapic.c vmkernel/kernel/timer.c
$(UNIT_DIR)/test_lapic: UNIT_EXTRA_CFLAGS += -Ivmkernel/vmm

$(UNIT_DIR)/test_decode: $(VMM_TEST_DEPS) vmkernel/vmm/decode.c vmkernel/vmm/guestmem.c \
	vmkernel/vmm/lapic.c vmkernel/vmm/ioapic.c vmkernel/kernel/timer.c tests/unit/decode_insns.S
$(UNIT_DIR)/test_decode: UNIT_EXTRA_CFLAGS += -Ivmkernel/vmm

$(UNIT_DIR)/test_vmapic: $(VMM_TEST_DEPS) vmkernel/vmm/decode.c vmkernel/vmm/guestmem.c \
	vmkernel/vmm/lapic.c vmkernel/vmm/ioapic.c vmkernel/kernel/timer.c
$(UNIT_DIR)/test_vmapic: UNIT_EXTRA_CFLAGS += -Ivmkernel/vmm

$(UNIT_DIR)/test_ioapic: $(VMM_TEST_DEPS) vmkernel/vmm/ioapic.c vmkernel/vmm/lapic.c \
	vmkernel/kernel/timer.c
$(UNIT_DIR)/test_ioapic: UNIT_EXTRA_CFLAGS += -Ivmkernel/vmm

$(UNIT_DIR)/test_uart: $(VMM_TEST_DEPS) vmkernel/vmm/uart.c vmkernel/vmm/ioapic.c \
	vmkernel/vmm/lapic.c vmkernel/kernel/timer.c
$(UNIT_DIR)/test_uart: UNIT_EXTRA_CFLAGS += -Ivmkernel/vmm

$(UNIT_DIR)/test_pic: $(VMM_TEST_DEPS) vmkernel/vmm/pic.c vmkernel/vmm/ioapic.c \
	vmkernel/vmm/lapic.c vmkernel/kernel/timer.c
$(UNIT_DIR)/test_pic: UNIT_EXTRA_CFLAGS += -Ivmkernel/vmm

$(UNIT_DIR)/test_cmos: $(VMM_TEST_DEPS) vmkernel/vmm/cmos.c vmkernel/vmm/ioapic.c \
	vmkernel/vmm/lapic.c vmkernel/kernel/timer.c
$(UNIT_DIR)/test_cmos: UNIT_EXTRA_CFLAGS += -Ivmkernel/vmm

$(UNIT_DIR)/test_power: $(VMM_TEST_DEPS) vmkernel/vmm/power.c vmkernel/vmm/ioapic.c \
	vmkernel/vmm/lapic.c vmkernel/kernel/timer.c
$(UNIT_DIR)/test_power: UNIT_EXTRA_CFLAGS += -Ivmkernel/vmm

$(UNIT_DIR)/test_backdoor: $(VMM_TEST_DEPS) vmkernel/vmm/backdoor.c vmkernel/vmm/lapic.c \
	vmkernel/vmm/ioapic.c vmkernel/kernel/timer.c
$(UNIT_DIR)/test_backdoor: UNIT_EXTRA_CFLAGS += -Ivmkernel/vmm
