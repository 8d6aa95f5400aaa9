// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the RTC and CMOS (vmkernel/vmm/cmos.c) over the fake
 * clock: the time read as Linux's mc146818_get_time() reads it (wait for
 * UIP to clear, then the registers), in BCD and in binary, in 24- and
 * 12-hour form; the clock running from rtc_epoch across a minute, a day,
 * a leap day and a century; setting it through the time registers;
 * status A, C and D; the NMI bit of the index; plain bytes kept.
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
#define SEC	1000000000ULL

static u8 rd(u8 idx)
{
	u32 val = idx;

	assert_true(cmos_io(VM, 0x70, false, &val));
	val = 0xdeadbeef;
	assert_true(cmos_io(VM, 0x71, true, &val));
	assert_true(val <= 0xff);
	return (u8)val;
}

static void wr(u8 idx, u8 v)
{
	u32 val = idx;

	assert_true(cmos_io(VM, 0x70, false, &val));
	val = v;
	assert_true(cmos_io(VM, 0x71, false, &val));
}

/* As Linux reads it: UIP must be clear first, then every register. */
struct tm_regs { u8 sec, min, hour, wday, mday, mon, year, cent; };

static struct tm_regs rtc(void)
{
	struct tm_regs t;

	assert_int_equal(rd(0x0a) & 0x80, 0);
	t.sec = rd(0x00);
	t.min = rd(0x02);
	t.hour = rd(0x04);
	t.wday = rd(0x06);
	t.mday = rd(0x07);
	t.mon = rd(0x08);
	t.year = rd(0x09);
	t.cent = rd(0x32);
	return t;
}

#define ASSERT_RTC(t, c, y, mo, d, wd, h, mi, s) do {		\
	assert_int_equal((t).cent, c); assert_int_equal((t).year, y);	\
	assert_int_equal((t).mon, mo); assert_int_equal((t).mday, d);	\
	assert_int_equal((t).wday, wd); assert_int_equal((t).hour, h);	\
	assert_int_equal((t).min, mi); assert_int_equal((t).sec, s);	\
} while (0)

static int setup(void **state)
{
	(void)state;
	env_start(1);
	fake_vm_init(1);
	/* 2025-12-02 10:30:05 UTC, a Tuesday. */
	cmos_reset(VM, 1764671405);
	return 0;
}

static void test_bcd_24h(void **state)
{
	struct tm_regs t;
	(void)state;

	assert_int_equal(rd(0x0a), 0x26);
	assert_int_equal(rd(0x0b), 0x02);	/* 24-hour, BCD */
	assert_int_equal(rd(0x0d), 0x80);
	assert_int_equal(rd(0x0c), 0x00);
	t = rtc();
	ASSERT_RTC(t, 0x20, 0x25, 0x12, 0x02, 3, 0x10, 0x30, 0x05);
	/* 2 hours, 29 minutes and 56 seconds later: 13:00:01 */
	fake_advance((2 * 3600 + 29 * 60 + 56) * SEC);
	t = rtc();
	ASSERT_RTC(t, 0x20, 0x25, 0x12, 0x02, 3, 0x13, 0x00, 0x01);
	/* Less than a second more: the same second. */
	fake_advance(SEC / 2);
	assert_int_equal(rd(0x00), 0x01);
}

static void test_binary_and_12h(void **state)
{
	struct tm_regs t;
	(void)state;

	wr(0x0b, 0x06);				/* binary, 24-hour */
	t = rtc();
	ASSERT_RTC(t, 20, 25, 12, 2, 3, 10, 30, 5);
	wr(0x0b, 0x04);				/* binary, 12-hour */
	fake_advance(3 * 3600 * SEC);		/* 13:30:05 is 1 PM */
	assert_int_equal(rd(0x04), 0x81);
	wr(0x0b, 0x00);				/* BCD, 12-hour */
	fake_advance(11 * 3600 * SEC);		/* 00:30:05 next day is 12 AM */
	assert_int_equal(rd(0x04), 0x12);
	assert_int_equal(rd(0x07), 0x03);
	assert_int_equal(rd(0x06), 4);		/* Wednesday */
	fake_advance(12 * 3600 * SEC);		/* 12:30:05 is 12 PM */
	assert_int_equal(rd(0x04), 0x92);
}

static void test_calendar(void **state)
{
	struct tm_regs t;
	(void)state;

	/* 2024-02-29 23:59:59, a Thursday, then the first of March. */
	cmos_reset(VM, 1709251199);
	t = rtc();
	ASSERT_RTC(t, 0x20, 0x24, 0x02, 0x29, 5, 0x23, 0x59, 0x59);
	fake_advance(SEC);
	t = rtc();
	ASSERT_RTC(t, 0x20, 0x24, 0x03, 0x01, 6, 0x00, 0x00, 0x00);
	/* 2099-12-31 23:59:59, a Thursday, then a new century. */
	cmos_reset(VM, 4102444799ULL);
	t = rtc();
	ASSERT_RTC(t, 0x20, 0x99, 0x12, 0x31, 5, 0x23, 0x59, 0x59);
	fake_advance(SEC);
	t = rtc();
	ASSERT_RTC(t, 0x21, 0x00, 0x01, 0x01, 6, 0x00, 0x00, 0x00);
	/* The epoch itself: 1970-01-01, a Thursday. */
	cmos_reset(VM, 0);
	t = rtc();
	ASSERT_RTC(t, 0x19, 0x70, 0x01, 0x01, 5, 0x00, 0x00, 0x00);
}

static void test_set_time(void **state)
{
	struct tm_regs t;
	(void)state;

	/* hwclock --systohc: SET, the registers, SET cleared. */
	wr(0x0b, 0x82);
	wr(0x00, 0x45);
	wr(0x02, 0x15);
	wr(0x04, 0x08);
	wr(0x07, 0x31);
	wr(0x08, 0x01);
	wr(0x09, 0x26);
	wr(0x0b, 0x02);
	t = rtc();
	ASSERT_RTC(t, 0x20, 0x26, 0x01, 0x31, 7, 0x08, 0x15, 0x45);
	fake_advance(20 * SEC);
	assert_int_equal(rd(0x00), 0x05);
	assert_int_equal(rd(0x02), 0x16);
	/* Not a time (month 13): the clock keeps its own. */
	wr(0x08, 0x13);
	assert_int_equal(rd(0x08), 0x01);
	/* Status A: UIP cannot be set; C and D cannot be written. */
	wr(0x0a, 0xa6);
	assert_int_equal(rd(0x0a), 0x26);
	wr(0x0c, 0xff);
	wr(0x0d, 0x00);
	assert_int_equal(rd(0x0c), 0x00);
	assert_int_equal(rd(0x0d), 0x80);
}

static void test_storage_and_index(void **state)
{
	u32 val = 0;
	(void)state;

	/* The shutdown byte through an index with the NMI-disable bit. */
	val = 0x8f;
	assert_true(cmos_io(VM, 0x70, false, &val));
	val = 0x0a;
	assert_true(cmos_io(VM, 0x71, false, &val));
	assert_int_equal(rd(0x0f), 0x0a);
	for (u32 i = 0x0e; i < 0x80; i++)
		if (i != 0x32)
			wr((u8)i, (u8)(i ^ 0x5a));
	for (u32 i = 0x0e; i < 0x80; i++)
		if (i != 0x32)
			assert_int_equal(rd((u8)i), (u8)(i ^ 0x5a));
	/* The alarm registers are plain bytes. */
	wr(0x01, 0x33);
	assert_int_equal(rd(0x01), 0x33);
	/* The index port reads as nothing; other ports are not the RTC's. */
	assert_true(cmos_io(VM, 0x70, true, &val));
	assert_int_equal(val, 0xff);
	assert_false(cmos_io(VM, 0x72, true, &val));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bcd_24h, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_binary_and_12h, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_calendar, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_set_time, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_storage_and_index, setup, fake_vmm_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
