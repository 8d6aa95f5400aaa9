# SPDX-License-Identifier: GPL-2.0
#
# Host unit tests of the vmkernel code outside the core: the log ring and
# the vmkcall dispatcher (kernel/) on the fake arch and its fake machine,
# lib/format.c, and the x86 page-table builder.

KERNEL_FAKE := vmkernel/arch/fake/fake.c vmkernel/arch/fake/machine.c $(CORE_HDRS)

# The log names the current world, and the vmkcalls list the world table
# and the heaps: both need the core.
$(UNIT_DIR)/test_log: $(KERNEL_FAKE) vmkernel/kernel/log.c $(CORE_SCHED)
$(UNIT_DIR)/test_vmkcall: $(KERNEL_FAKE) vmkernel/kernel/log.c vmkernel/kernel/vmkcall.c \
	vmkernel/kernel/console.c vmkernel/kernel/mem.c $(CORE_SCHED) tests/unit/cpu_doubles.h

# lib/format.c as vmk_snprintf/vmk_vsnprintf, so that the test can hold it
# against the C library's snprintf in the same program.
$(UNIT_DIR)/vmk_format.o: vmkernel/lib/format.c vmkernel/include/vmk/format.h \
		vmkernel/include/vmk/string.h | deps
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) -Ivmkernel/include -Dvsnprintf=vmk_vsnprintf \
		-Dsnprintf=vmk_snprintf -c -o $@ $<

$(UNIT_DIR)/test_format: $(UNIT_DIR)/vmk_format.o

$(UNIT_DIR)/test_pagetable: $(CORE_FAKE) vmkernel/arch/x86/pagetable.c \
	vmkernel/arch/x86/include/x86/pagetable.h
$(UNIT_DIR)/test_pagetable: UNIT_EXTRA_CFLAGS += -Ivmkernel/arch/x86/include

# Modules: the shared ELF checks (lib/modelf.c, with the console's trial
# relocation) and the module table on the fake arch, against the real
# module objects the build makes.
KERNEL_MODULE := vmkernel/kernel/module.c vmkernel/lib/modelf.c vmkernel/kernel/mem.c
$(UNIT_DIR)/test_module: $(KERNEL_FAKE) vmkernel/kernel/log.c $(KERNEL_MODULE) tests/unit/sysworld_doubles.h \
	$(CORE_SCHED) loader/modcheck.c loader/modcheck.h
# The vmkernel's own string and format routines too: modules call them,
# and libc's lie out of a module's 32-bit reach.
$(UNIT_DIR)/test_module: vmkernel/lib/string.c vmkernel/lib/format.c
# Read at run time, not linked in.
$(UNIT_DIR)/test_module: | $(VMK_MOD_FILES) $(VMK_TEST_MOD_FILES)
$(UNIT_DIR)/test_module: UNIT_EXTRA_CFLAGS += '-DMODULE_DIR="$(VMK_MOD_O)"'
$(UNIT_DIR)/test_vmkcall: $(KERNEL_MODULE)

# Timers on the fake arch, with the core's scheduler for its CPUs.
$(UNIT_DIR)/test_timer: $(CORE_FAKE) vmkernel/kernel/timer.c $(CORE_SCHED)
