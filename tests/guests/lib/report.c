// SPDX-License-Identifier: GPL-2.0
/*
 * Results in kvm-unit-tests' form: "PASS: what", "FAIL: what",
 * "SKIP: what (why)", and a last line "SUMMARY: N tests, M unexpected
 * failures" (", K skipped" when K > 0), then the exit code through the
 * isa-debug-exit port at 0xf4.
 */
#include "guest.h"

#define DEBUG_EXIT_PORT 0xf4

static volatile uint32_t report_tests, report_failures, report_skips;

bool report(bool ok, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	print_vformat(what, sizeof(what), fmt, ap);
	va_end(ap);
	__atomic_fetch_add(&report_tests, 1, __ATOMIC_RELAXED);
	if (!ok)
		__atomic_fetch_add(&report_failures, 1, __ATOMIC_RELAXED);
	print("%s: %s\n", ok ? "PASS" : "FAIL", what);
	return ok;
}

void report_skip(const char *why, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	print_vformat(what, sizeof(what), fmt, ap);
	va_end(ap);
	__atomic_fetch_add(&report_tests, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&report_skips, 1, __ATOMIC_RELAXED);
	print("SKIP: %s (%s)\n", what, why);
}

void report_halt(void)
{
	for (;;)
		asm volatile("cli; hlt");
}

void report_exit(uint32_t code)
{
	outl(DEBUG_EXIT_PORT, code);
	/* No debug-exit device: stop here, the summary says it all. */
	report_halt();
}

/* Prints the SUMMARY line once; returns the failures. */
static uint32_t report_summary(void)
{
	static volatile uint32_t once;
	uint32_t tests, failures;

	/* Two CPUs may fail at once: one summary, the other CPU stops. */
	if (__atomic_exchange_n(&once, 1, __ATOMIC_ACQ_REL))
		report_halt();
	tests = report_tests;
	failures = report_failures;
	if (report_skips)
		print("SUMMARY: %u tests, %u unexpected failures, %u skipped\n",
		      tests, failures, report_skips);
	else
		print("SUMMARY: %u tests, %u unexpected failures\n", tests, failures);
	return failures;
}

void report_summary_exit(void)
{
	report_exit(report_summary() ? 1 : 0);
}

void report_summary_halt(void)
{
	report_summary();
	report_halt();
}
