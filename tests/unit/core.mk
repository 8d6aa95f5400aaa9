# SPDX-License-Identifier: GPL-2.0
#
# Host unit tests of the vmkernel core (vmkernel/core/), linked with the
# fake architecture (vmkernel/arch/fake/).  Each test program names the
# core sources it exercises; the pattern rule in unit.mk compiles every
# .c prerequisite in.

UNIT_EXTRA_CFLAGS += -Ivmkernel/include -Ivmkernel/arch/fake -DVMK_DEBUG

CORE_HDRS := $(wildcard vmkernel/include/vmk/*.h vmkernel/arch/fake/*.h)
CORE_FAKE := vmkernel/arch/fake/fake.c vmkernel/arch/fake/log.c $(CORE_HDRS)
# The core's sources are listed once, in vmkernel/core/core.mk: the memory
# tests take its allocators and locks, the others all of it.
CORE_MEM  := $(filter %/lock.c %/page.c %/heap.c,$(VMK_CORE_SRCS))
CORE_SCHED := $(VMK_CORE_SRCS) tests/unit/core_env.h

$(UNIT_DIR)/test_lock: $(CORE_FAKE) $(CORE_SCHED)
$(UNIT_DIR)/test_page: $(CORE_FAKE) $(CORE_MEM)
$(UNIT_DIR)/test_heap: $(CORE_FAKE) $(CORE_MEM)
$(UNIT_DIR)/test_world: $(CORE_FAKE) $(CORE_SCHED)
$(UNIT_DIR)/test_sched: $(CORE_FAKE) $(CORE_SCHED)
$(UNIT_DIR)/test_pool: $(CORE_FAKE) $(CORE_SCHED)
$(UNIT_DIR)/test_cosched: $(CORE_FAKE) $(CORE_SCHED)

# The vmkcall dispatcher's UNLOAD key; the test plays the machine hooks.
$(UNIT_DIR)/test_unload_key: vmkernel/kernel/vmkcall.c $(CORE_HDRS) tests/unit/cpu_doubles.h
$(UNIT_DIR)/test_sched_wake: $(CORE_FAKE) $(CORE_SCHED)
$(UNIT_DIR)/test_world_switch: $(CORE_FAKE) $(CORE_SCHED)
