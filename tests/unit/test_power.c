// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the power decisions (vmkernel/vmm/power.c): when a VM
 * whose VCPUs halt is off (every VCPU halted with interrupts off or
 * waiting for a SIPI, one halted at least, no INIT on its way), which
 * guest pages make the boot image a reset restores, and what port 0xcf9
 * takes for a reset request.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core_env.h"
#include "vmm_doubles.h"

#define VM	(&fake_vm)

static u8 bitmap[(FAKE_VM_RAM >> 12) / 8];

static int setup(void **state)
{
	(void)state;
	env_start(1);
	fake_vm_init(3);
	memset(bitmap, 0, sizeof(bitmap));
	fake_vm.loaded = bitmap;
	return 0;
}

static void states(u32 a, u32 b, u32 c)
{
	fake_vcpus[0].run_state = a;
	fake_vcpus[1].run_state = b;
	fake_vcpus[2].run_state = c;
}

static void test_all_halted(void **state)
{
	(void)state;

	/* Linux's power-off: every CPU in stop_this_cpu(), cli; hlt. */
	states(VCPU_HALTED_OFF, VCPU_HALTED_OFF, VCPU_HALTED_OFF);
	assert_true(power_all_halted(VM));
	/* One still runs, or halts with interrupts on (a timer can wake it). */
	states(VCPU_HALTED_OFF, VCPU_RUNNABLE, VCPU_HALTED_OFF);
	assert_false(power_all_halted(VM));
	states(VCPU_HALTED_OFF, VCPU_HALTED, VCPU_HALTED_OFF);
	assert_false(power_all_halted(VM));
	/* APs never started: nobody is left to send them a SIPI. */
	states(VCPU_HALTED_OFF, VCPU_WAIT_SIPI, VCPU_WAIT_SIPI);
	assert_true(power_all_halted(VM));
	/* ...unless an INIT is on its way to one. */
	fake_vcpus[2].init_pending = true;
	assert_false(power_all_halted(VM));
	fake_vcpus[2].init_pending = false;
	/* Nobody halted at all: a VM that was never started is not "off". */
	states(VCPU_WAIT_SIPI, VCPU_WAIT_SIPI, VCPU_WAIT_SIPI);
	assert_false(power_all_halted(VM));
	/* A stopped VCPU (the VM is ending anyway) does not count as halted. */
	states(VCPU_HALTED_OFF, VCPU_STOPPED, VCPU_HALTED_OFF);
	assert_false(power_all_halted(VM));
}

static void test_boot_image_pages(void **state)
{
	(void)state;

	assert_int_equal(power_loaded_pages(VM), 0);
	/* A kernel at 1 MiB over two pages and a bit, the info page. */
	power_track_write(VM, 0x100000, 0x2001);
	power_track_write(VM, 0x9000, 16);
	/* Across a page boundary: both pages. */
	power_track_write(VM, 0x20ffe, 4);
	assert_int_equal(power_loaded_pages(VM), 3 + 1 + 2);
	assert_true(power_page_loaded(VM, 0x100));
	assert_true(power_page_loaded(VM, 0x102));
	assert_false(power_page_loaded(VM, 0x103));
	assert_true(power_page_loaded(VM, 0x9));
	assert_true(power_page_loaded(VM, 0x20) && power_page_loaded(VM, 0x21));
	assert_false(power_page_loaded(VM, 0x0));
	/* Written again: counted once. */
	power_track_write(VM, 0x100000, 4096);
	assert_int_equal(power_loaded_pages(VM), 6);
	/* Empty, past the end, and clipped at the end of RAM. */
	power_track_write(VM, 0x5000, 0);
	power_track_write(VM, FAKE_VM_RAM, 4096);
	power_track_write(VM, FAKE_VM_RAM - 4096, 3 * 4096);
	assert_int_equal(power_loaded_pages(VM), 7);
	assert_true(power_page_loaded(VM, (FAKE_VM_RAM >> 12) - 1));
	assert_false(power_page_loaded(VM, FAKE_VM_RAM >> 12));
}

static void test_cf9(void **state)
{
	u32 val;
	(void)state;

	/* reboot=pci: 0x02 (system reset armed), then 0x06 (now). */
	val = 0x02;
	assert_false(power_cf9(VM, false, &val));
	val = 0;
	power_cf9(VM, true, &val);
	assert_int_equal(val, 0x02);
	val = 0x06;
	assert_true(power_cf9(VM, false, &val));
	/* RST_CPU is a strobe: it does not read back. */
	power_cf9(VM, true, &val);
	assert_int_equal(val, 0x02);
	/* A soft reset (bit 2 without bit 1) resets too; other bits do not. */
	val = 0x04;
	assert_true(power_cf9(VM, false, &val));
	val = 0x08;
	assert_false(power_cf9(VM, false, &val));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_all_halted, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_boot_image_pages, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_cf9, setup, fake_vmm_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
