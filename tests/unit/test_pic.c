// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the 8259 pair (vmkernel/vmm/pic.c): Linux's probe (0xfb
 * written to the master's mask reads back) and its init_8259A() sequence,
 * the masks a kvm-unit-tests guest writes, OCW3 reads of IRR and ISR as
 * 0, the ICW sequence with and without ICW3 and ICW4, and ELCR's fixed
 * edge bits.  Nothing it does raises an interrupt.
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

static u8 in(u16 port)
{
	u32 val = 0xdeadbeef;

	assert_true(pic_io(VM, port, true, &val));
	return (u8)val;
}

static void out(u16 port, u8 v)
{
	u32 val = v;

	assert_true(pic_io(VM, port, false, &val));
}

static int setup(void **state)
{
	(void)state;
	env_start(1);
	fake_vm_init(1);
	pic_reset(VM);
	return 0;
}

static void test_linux_probe_and_init(void **state)
{
	(void)state;

	/* probe_8259A(): the slave masked, 0xfb on the master reads back. */
	out(0xa1, 0xff);
	out(0x21, 0xfb);
	assert_int_equal(in(0x21), 0xfb);
	assert_int_equal(in(0xa1), 0xff);
	/* init_8259A(): mask all, ICW1-4 on both, then the cascade mask. */
	out(0x21, 0xff);
	out(0xa1, 0xff);
	out(0x20, 0x11);		/* ICW1: edge, cascade, ICW4 */
	assert_int_equal(in(0x21), 0x00);	/* ICW1 clears the mask */
	out(0x21, 0x30);		/* ICW2: vectors 0x30-0x37 */
	out(0x21, 0x04);		/* ICW3: slave on IR2 */
	out(0x21, 0x01);		/* ICW4: 8086 mode */
	out(0xa0, 0x11);
	out(0xa1, 0x38);
	out(0xa1, 0x02);
	out(0xa1, 0x01);
	assert_int_equal(fake_vm.pic.icw[0][1], 0x30);
	assert_int_equal(fake_vm.pic.icw[0][2], 0x04);
	assert_int_equal(fake_vm.pic.icw[1][1], 0x38);
	assert_int_equal(fake_vm.pic.icw[1][3], 0x01);
	/* Past the sequence, the odd port is the mask again. */
	out(0x21, 0xfb);
	out(0xa1, 0xff);
	assert_int_equal(in(0x21), 0xfb);
	assert_int_equal(in(0xa1), 0xff);
	/* OCW3: read IRR, then ISR: nothing is ever requested or in service. */
	out(0x20, 0x0a);
	assert_int_equal(in(0x20), 0);
	out(0x20, 0x0b);
	assert_int_equal(in(0x20), 0);
	out(0xa0, 0x0b);
	assert_int_equal(in(0xa0), 0);
	/* OCW2, a specific EOI: accepted, the mask untouched. */
	out(0x20, 0x62);
	assert_int_equal(in(0x21), 0xfb);
	/* Nothing reached the APICs. */
	assert_int_equal(lapic_pending(&fake_vcpus[0]), -1);
	assert_int_equal(fake_vm.irq_kick, 0);
}

static void test_short_sequences(void **state)
{
	(void)state;

	/* Single (no ICW3), no ICW4: one byte after ICW1, then the mask. */
	out(0x20, 0x12);
	out(0x21, 0x40);
	out(0x21, 0x5a);
	assert_int_equal(fake_vm.pic.icw[0][1], 0x40);
	assert_int_equal(in(0x21), 0x5a);
	/* Cascade without ICW4: ICW2, ICW3, then the mask. */
	out(0x20, 0x10);
	out(0x21, 0x48);
	out(0x21, 0x04);
	out(0x21, 0xa5);
	assert_int_equal(fake_vm.pic.icw[0][2], 0x04);
	assert_int_equal(in(0x21), 0xa5);
}

static void test_kvm_unit_tests_masks(void **state)
{
	(void)state;

	out(0x21, 0xff);
	out(0xa1, 0xff);
	assert_int_equal(in(0x21), 0xff);
	assert_int_equal(in(0xa1), 0xff);
}

static void test_elcr_and_others(void **state)
{
	u32 val = 0;
	(void)state;

	out(0x4d0, 0xff);
	out(0x4d1, 0xff);
	assert_int_equal(in(0x4d0), 0xf8);	/* IRQ 0-2 edge */
	assert_int_equal(in(0x4d1), 0xde);	/* IRQ 8 and 13 edge */
	/* Not its ports. */
	assert_false(pic_io(VM, 0x22, true, &val));
	assert_false(pic_io(VM, 0x40, false, &val));
	assert_false(pic_io(VM, 0x4d2, true, &val));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_linux_probe_and_init, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_short_sequences, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_kvm_unit_tests_masks, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_elcr_and_others, setup, fake_vmm_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
