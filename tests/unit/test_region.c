// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the reserved-region parser (loader/region.c): numbers in
 * the kernel's memparse() syntax, memmap=SIZE$BASE on the command line
 * (several switches, comma lists, other kinds skipped), --mem, and the
 * 2 MiB alignment rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "region.h"

#define MiB (1ULL << 20)

static vmk_u64 num(const char *s)
{
	vmk_u64 v = 0xdeadbeef;

	if (region_parse_num(s, strlen(s), &v))
		fail_msg("\"%s\" did not parse", s);
	return v;
}

static void bad_num(const char *s)
{
	vmk_u64 v;

	if (region_parse_num(s, strlen(s), &v) != -1)
		fail_msg("\"%s\" parsed as 0x%llx", s, (unsigned long long)v);
}

static void test_numbers(void **state)
{
	(void)state;
	assert_int_equal(num("0"), 0);
	assert_int_equal(num("4096"), 4096);
	assert_int_equal(num("0x10000000"), 0x10000000);
	assert_int_equal(num("0X1f"), 0x1f);
	assert_int_equal(num("010"), 8);	/* octal, as in the kernel */
	assert_int_equal(num("64M"), 64 * MiB);
	assert_int_equal(num("64m"), 64 * MiB);
	assert_int_equal(num("2k"), 2048);
	assert_int_equal(num("1G"), 1ULL << 30);
	assert_int_equal(num("1T"), 1ULL << 40);
	assert_int_equal(num("0x100M"), 256 * MiB);
	assert_int_equal(num("0M"), 0);
	assert_int_equal(num("15E"), 15ULL << 60);
	assert_int_equal(num("18446744073709551615"), ~0ULL);
}

static void test_bad_numbers(void **state)
{
	(void)state;
	bad_num("");
	bad_num("M");
	bad_num("0x");
	bad_num("-1");
	bad_num(" 1");
	bad_num("1 ");
	bad_num("64Q");
	bad_num("64MB");
	bad_num("08");
	bad_num("0xg");
	bad_num("18446744073709551616");
	bad_num("16E");
	bad_num("0x10000000000000000");
}

static int parse(const char *line, struct region *out, unsigned int max,
		 unsigned int *count, char *err, size_t errlen)
{
	return region_from_cmdline(line, strlen(line), out, max, count, err,
				   errlen);
}

static void test_cmdline_single(void **state)
{
	struct region r[REGION_MAX];
	unsigned int n;
	char err[128];

	(void)state;
	assert_int_equal(parse("console=ttyS0 memmap=64M$0x10000000 quiet", r,
			       REGION_MAX, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].size, 64 * MiB);
	assert_int_equal(r[0].base, 0x10000000);
	assert_int_equal(parse("memmap=\"128M$256M\"", r, REGION_MAX, &n, err,
			       sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].size, 128 * MiB);
	assert_int_equal(r[0].base, 256 * MiB);
}

static void test_cmdline_none(void **state)
{
	struct region r[REGION_MAX];
	unsigned int n = 99;
	char err[128];

	(void)state;
	assert_int_equal(parse("", r, REGION_MAX, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_int_equal(parse("console=ttyS0 mem=1G memmapx=64M$1G", r,
			       REGION_MAX, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	/* Other memmap kinds are not reservations for us. */
	assert_int_equal(parse("memmap=exactmap memmap=640K@0 memmap=16M#1G "
			       "memmap=4G!4G memmap=1G memmap=", r, REGION_MAX,
			       &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
}

static void test_cmdline_several(void **state)
{
	struct region r[REGION_MAX];
	unsigned int n;
	char err[128];

	(void)state;
	assert_int_equal(parse("memmap=640K@0,64M$0x10000000,16M#1G "
			       "quiet memmap=32M$0x20000000 memmap=2M$2G,4M$3G",
			       r, REGION_MAX, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 4);
	assert_int_equal(r[0].size, 64 * MiB);
	assert_int_equal(r[0].base, 0x10000000);
	assert_int_equal(r[1].size, 32 * MiB);
	assert_int_equal(r[1].base, 0x20000000);
	assert_int_equal(r[2].base, 2ULL << 30);
	assert_int_equal(r[3].size, 4 * MiB);
	assert_int_equal(r[3].base, 3ULL << 30);

	/* More than fit: the count says so, the first ones are kept. */
	assert_int_equal(parse("memmap=2M$2M,4M$4M,6M$6M", r, 2, &n, err,
			       sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_int_equal(r[1].base, 4 * MiB);
}

static void test_cmdline_bad_entry(void **state)
{
	struct region r[REGION_MAX];
	unsigned int n;
	char err[128];

	(void)state;
	assert_int_equal(parse("memmap=64Q$0x10000000", r, REGION_MAX, &n, err,
			       sizeof(err)), -1);
	assert_string_equal(err, "memmap=64Q$0x10000000: bad size \"64Q\"");
	assert_int_equal(parse("memmap=2M$2M,64M$ quiet", r, REGION_MAX, &n,
			       err, sizeof(err)), -1);
	assert_string_equal(err, "memmap=64M$: bad base address \"\"");
	assert_int_equal(parse("memmap=$0x1000", r, REGION_MAX, &n, err,
			       sizeof(err)), -1);
	assert_non_null(strstr(err, "bad size"));
}

static void test_mem_option(void **state)
{
	struct region r;
	char err[128];

	(void)state;
	assert_int_equal(region_parse_mem("64M@0x10000000", &r, err, sizeof(err)), 0);
	assert_int_equal(r.size, 64 * MiB);
	assert_int_equal(r.base, 0x10000000);
	assert_int_equal(region_parse_mem("1G$4G", &r, err, sizeof(err)), 0);
	assert_int_equal(r.size, 1ULL << 30);
	assert_int_equal(r.base, 4ULL << 30);

	assert_int_equal(region_parse_mem("64M", &r, err, sizeof(err)), -1);
	assert_string_equal(err, "--mem=64M: expected SIZE@BASE, e.g. 64M@0x10000000");
	assert_int_equal(region_parse_mem("x@0", &r, err, sizeof(err)), -1);
	assert_string_equal(err, "--mem=x@0: bad size \"x\"");
	assert_int_equal(region_parse_mem("64M@", &r, err, sizeof(err)), -1);
	assert_string_equal(err, "--mem=64M@: bad base address \"\"");
}

static void test_check(void **state)
{
	struct region r;
	char err[128];

	(void)state;
	r = (struct region){ .base = 0x10000000, .size = 64 * MiB };
	assert_int_equal(region_check(&r, err, sizeof(err)), 0);
	r = (struct region){ .base = 0x10100000, .size = 64 * MiB };
	assert_int_equal(region_check(&r, err, sizeof(err)), -1);
	assert_string_equal(err, "region base 0x10100000 is not 2 MiB aligned");
	r = (struct region){ .base = 0x10000000, .size = 63 * MiB };
	assert_int_equal(region_check(&r, err, sizeof(err)), -1);
	assert_string_equal(err, "region size 63 MiB is not a multiple of 2 MiB");
	r = (struct region){ .base = 0x10000000, .size = 0 };
	assert_int_equal(region_check(&r, err, sizeof(err)), -1);
	assert_string_equal(err, "region at 0x10000000 is empty");
	r = (struct region){ .base = ~0ULL - (2 * MiB - 1), .size = 4 * MiB };
	assert_int_equal(region_check(&r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "wraps around"));
}

static void test_size_str(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(region_size_str(64 * MiB, b, sizeof(b)), "64 MiB");
	assert_string_equal(region_size_str(2ULL << 30, b, sizeof(b)), "2 GiB");
	assert_string_equal(region_size_str(640 << 10, b, sizeof(b)), "640 KiB");
	assert_string_equal(region_size_str(1000, b, sizeof(b)), "0x3e8 bytes");
	assert_string_equal(region_size_str(0, b, sizeof(b)), "0x0 bytes");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_cmdline_single),
		cmocka_unit_test(test_cmdline_none),
		cmocka_unit_test(test_cmdline_several),
		cmocka_unit_test(test_cmdline_bad_entry),
		cmocka_unit_test(test_mem_option),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_size_str),
	};

	return cmocka_run_group_tests_name("region", tests, NULL, NULL);
}
