// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the kernel command-line parser used by the init scripts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cmdline.h"

static int get(const char *line, const char *key, char *out, size_t size)
{
	return cmdline_get(line, strlen(line), key, out, size);
}

static void test_simple_value(void **state)
{
	char v[64];
	(void)state;
	assert_int_equal(get("console=ttyS0 vmk.autoload=0 quiet", "vmk.autoload", v, sizeof(v)), 1);
	assert_string_equal(v, "0");
	assert_int_equal(get("console=ttyS0 vmk.autoload=0 quiet", "console", v, sizeof(v)), 5);
	assert_string_equal(v, "ttyS0");
}

static void test_absent_key(void **state)
{
	char v[64];
	(void)state;
	assert_int_equal(get("console=ttyS0 quiet", "vmk.test", v, sizeof(v)), -1);
	/* A prefix of a key is not the key. */
	assert_int_equal(get("vmk.testing=1", "vmk.test", v, sizeof(v)), -1);
	assert_int_equal(get("", "vmk.test", v, sizeof(v)), -1);
	assert_int_equal(get("   \t\n", "vmk.test", v, sizeof(v)), -1);
}

static void test_last_one_wins(void **state)
{
	char v[64];
	(void)state;
	assert_int_equal(get("vmk.test=a vmk.test=bb", "vmk.test", v, sizeof(v)), 2);
	assert_string_equal(v, "bb");
}

static void test_bare_key_and_empty_value(void **state)
{
	char v[64];
	(void)state;
	assert_int_equal(get("quiet vmk.debug", "vmk.debug", v, sizeof(v)), 0);
	assert_string_equal(v, "");
	assert_int_equal(get("vmk.x= y", "vmk.x", v, sizeof(v)), 0);
	assert_string_equal(v, "");
}

static void test_quoted_value(void **state)
{
	char v[64];
	(void)state;
	assert_int_equal(get("a=1 vmk.name=\"two words\" b=2", "vmk.name", v, sizeof(v)), 9);
	assert_string_equal(v, "two words");
	assert_int_equal(get("b=2", "b", v, sizeof(v)), 1);
	assert_int_equal(get("\"vmk.q=x y\" z", "vmk.q", v, sizeof(v)), 3);
	assert_string_equal(v, "x y");
}

static void test_value_with_equals(void **state)
{
	char v[64];
	(void)state;
	assert_int_equal(get("memmap=64M$0x10000000 root=UUID=abc", "root", v, sizeof(v)), 8);
	assert_string_equal(v, "UUID=abc");
	assert_int_equal(get("memmap=64M$0x10000000", "memmap", v, sizeof(v)), 14);
	assert_string_equal(v, "64M$0x10000000");
}

static void test_too_small_buffer(void **state)
{
	char v[4];
	(void)state;
	assert_int_equal(get("k=abcd", "k", v, sizeof(v)), -2);
	assert_int_equal(get("k=abc", "k", v, sizeof(v)), 3);
}

static void test_unterminated_line(void **state)
{
	/* The parser must honour len and never read past it. */
	const char line[] = { 'k', '=', '1', ' ', 'j', '=', '2' };
	char v[8];
	(void)state;
	assert_int_equal(cmdline_get(line, 5, "k", v, sizeof(v)), 1);
	assert_int_equal(cmdline_get(line, 5, "j", v, sizeof(v)), 0);
	assert_int_equal(cmdline_get(line, 7, "j", v, sizeof(v)), 1);
	assert_string_equal(v, "2");
}

static void test_bool(void **state)
{
	bool b;
	(void)state;
	const char *yes[] = { "", "1", "y", "Yes", "ON", "true" };
	const char *no[] = { "0", "n", "no", "Off", "FALSE" };
	for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++) {
		b = false;
		assert_int_equal(cmdline_parse_bool(yes[i], &b), 0);
		assert_true(b);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(*no); i++) {
		b = true;
		assert_int_equal(cmdline_parse_bool(no[i], &b), 0);
		assert_false(b);
	}
	assert_int_equal(cmdline_parse_bool("2", &b), -1);
	assert_int_equal(cmdline_parse_bool("yess", &b), -1);
}

static int count_cb(const struct cmdline_param *p, void *ctx)
{
	(void)p;
	++*(int *)ctx;
	return 0;
}

static int stop_cb(const struct cmdline_param *p, void *ctx)
{
	++*(int *)ctx;
	return p->key_len == 4 && !memcmp(p->key, "stop", 4) ? 7 : 0;
}

static void test_each(void **state)
{
	const char *l = "  a  b=1\tc=\"x y z\"  d\n";
	int n = 0;
	(void)state;
	assert_int_equal(cmdline_each(l, strlen(l), count_cb, &n), 0);
	assert_int_equal(n, 4);
	n = 0;
	l = "a stop b c";
	assert_int_equal(cmdline_each(l, strlen(l), stop_cb, &n), 7);
	assert_int_equal(n, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_value),
		cmocka_unit_test(test_absent_key),
		cmocka_unit_test(test_last_one_wins),
		cmocka_unit_test(test_bare_key_and_empty_value),
		cmocka_unit_test(test_quoted_value),
		cmocka_unit_test(test_value_with_equals),
		cmocka_unit_test(test_too_small_buffer),
		cmocka_unit_test(test_unterminated_line),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_each),
	};
	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
