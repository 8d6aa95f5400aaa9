// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the vmkernel's snprintf/vsnprintf (lib/format.c), built
 * here as vmk_snprintf/vmk_vsnprintf beside the C library's.  Where the
 * two are meant to agree (every conversion, flag, width and length the
 * vmkernel supports, with values in range) each format is run through
 * both at several buffer sizes, and the whole buffer and the return value
 * must be the same.  Where the vmkernel's is deliberately smaller (%p of
 * NULL, unknown conversions, a lone '%'), its own answer is checked.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

int vmk_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int vmk_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define BUF	1024

/* The printable part of a result buffer (up to its NUL or 80 bytes). */
#define MIN_LEN(b)	strnlen(b, 80)

/* fmt through both, at sizes 0, 1, 2, half, exact, exact + 1 and BUF. */
static __attribute__((format(printf, 1, 2))) void same(const char *fmt, ...)
{
	char want[BUF], got[BUF];
	va_list ap, aq;
	int len;

	va_start(ap, fmt);
	va_copy(aq, ap);
	len = vsnprintf(want, sizeof(want), fmt, aq);
	va_end(aq);
	assert_true(len >= 0 && len < BUF - 1);

	const size_t sizes[] = { 0, 1, 2, (size_t)len / 2, (size_t)len,
				 (size_t)len + 1, BUF };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int wn, gn;

		memset(want, '~', sizeof(want));
		memset(got, '~', sizeof(got));
		va_copy(aq, ap);
		wn = vsnprintf(want, sizes[i], fmt, aq);
		va_end(aq);
		va_copy(aq, ap);
		gn = vmk_vsnprintf(got, sizes[i], fmt, aq);
		va_end(aq);
		if (wn != gn || memcmp(want, got, sizeof(want)))
			fail_msg("\"%s\" size %zu: libc %d \"%.*s\", vmkernel %d \"%.*s\"",
				 fmt, sizes[i], wn, (int)MIN_LEN(want), want, gn,
				 (int)MIN_LEN(got), got);
	}
	va_end(ap);
}

/* The vmkernel's own answer where it differs from the C library by design. */
static void expect(const char *want, const char *fmt, ...)
{
	char got[BUF];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vmk_vsnprintf(got, sizeof(got), fmt, ap);
	va_end(ap);
	assert_string_equal(got, want);
	assert_int_equal(n, strlen(want));
}

static void test_plain(void **state)
{
	(void)state;
	same("%s", "");
	same("plain text, no conversions");
	same("100%% sure, %%%% twice");
	same("%s|%s", "", "x");
}

static void test_signed(void **state)
{
	(void)state;
	same("%d %d %d %d %d", 0, 1, -1, INT_MAX, INT_MIN);
	same("%i %i", 12345, -12345);
	same("%ld %ld %ld", 0L, LONG_MAX, LONG_MIN);
	same("%lld %lld", LLONG_MAX, LLONG_MIN);
	same("%zd", (ssize_t)-7);
	same("%hd %hd %hhd %hhd", (short)-32768, (short)32767, (signed char)-128,
	     (signed char)127);
}

static void test_unsigned(void **state)
{
	(void)state;
	same("%u %u %u", 0u, 1u, UINT_MAX);
	same("%x %x %x %X %X", 0u, 0xdeadbeefu, UINT_MAX, 0xabcdefu, 0u);
	same("%lu %lx %lX", ULONG_MAX, ULONG_MAX, 0x0123456789abcdefUL);
	same("%llu %llx", ULLONG_MAX, 1ULL << 63);
	same("%zu %zx", SIZE_MAX, (size_t)4096);
	same("%hu %hx %hhu %hhx", (unsigned short)65535, (unsigned short)0xbeef,
	     (unsigned char)255, (unsigned char)0x7f);
	same("%u%x%u", 1u, 2u, 3u);
}

static void test_widths(void **state)
{
	(void)state;
	same("[%5d] [%-5d] [%05d] [%1d] [%0d]", 42, 42, 42, 42, 42);
	same("[%5d] [%-5d] [%05d] [%03d]", -42, -42, -42, -42);
	/* Not literal: the compiler rightly calls '0' with '-' pointless. */
	const char *volatile left_zero = "[%-05d] [%-05d] [%-08x]";
	same(left_zero, 42, -42, 0xabu);
	same("[%08x] [%-8X] [%8lx] [%016llx]", 0xbeefu, 0xbeefu, 0x1UL, 0xfULL);
	same("[%20lu] [%-20ld] [%020ld]", ULONG_MAX, LONG_MIN, LONG_MIN);
	same("[%*d] [%-*d] [%0*u] [%*d]", 6, 7, 6, 7, 6, 7u, 0, 7);
	same("[%10s] [%-10s] [%2s]", "abc", "abc", "abcdef");
	same("[%c] [%3c] [%-3c] [%c%c]", 'a', 'b', 'c', '%', 'd');
	same("[%300d]", 1);
	same("[%-300s]", "end");
}

static void test_precision(void **state)
{
	(void)state;
	same("[%.3s] [%.0s] [%.10s] [%.*s] [%.*s]", "abcdef", "abc", "ab", 2, "xyz",
	     0, "xyz");
	same("[%8.3s] [%-8.3s] [%*.*s]", "abcdef", "abcdef", 6, 2, "qrst");
	/* A precision bounds the read: the string need not be terminated. */
	static const char unterminated[4] = { 'w', 'x', 'y', 'z' };
	same("[%.4s] [%.2s]", unterminated, unterminated);
}

static void test_pointers(void **state)
{
	int x;
	(void)state;
	same("%p %p", (void *)&x, (void *)(uintptr_t)0xffffffff80000000ULL);
	same("%p", (void *)(uintptr_t)1);
}

static void test_truncation(void **state)
{
	char buf[16];
	(void)state;

	/* The return value is the whole length; the buffer holds what fits. */
	memset(buf, '~', sizeof(buf));
	assert_int_equal(vmk_snprintf(buf, 8, "%s-%d", "abcdef", 12345), 12);
	assert_string_equal(buf, "abcdef-");
	assert_int_equal(buf[8], '~');

	memset(buf, '~', sizeof(buf));
	assert_int_equal(vmk_snprintf(buf, 0, "%d", 123), 3);
	assert_int_equal(buf[0], '~');
	assert_int_equal(vmk_snprintf(NULL, 0, "%s", "counted"), 7);

	memset(buf, '~', sizeof(buf));
	assert_int_equal(vmk_snprintf(buf, 1, "%x", 0xffu), 2);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], '~');

	/* A field wider than the buffer. */
	memset(buf, '~', sizeof(buf));
	assert_int_equal(vmk_snprintf(buf, sizeof(buf), "%-100d|", 5), 101);
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_int_equal(buf[0], '5');
}

static void test_own_answers(void **state)
{
	/* Kept out of the compiler's sight: they are not C formats. */
	const char *volatile unknown = "a%qb%yc";
	const char *volatile lone = "end%";
	const char *volatile null = NULL;
	(void)state;

	expect("0x0", "%p", (void *)NULL);
	expect("(null)", "%s", null);
	expect("[(nu]", "[%.3s]", null);
	expect("a%qb%yc", unknown);
	expect("end", lone);
	expect("1024", "%d", 1024);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_signed),
		cmocka_unit_test(test_unsigned),
		cmocka_unit_test(test_widths),
		cmocka_unit_test(test_precision),
		cmocka_unit_test(test_pointers),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_own_answers),
	};

	return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
