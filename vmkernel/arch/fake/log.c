// SPDX-License-Identifier: GPL-2.0
/*
 * The fake log: log_printf() and panic() on stdio, for the core's tests
 * and the simulator, which have no log ring.  Tests of the real log link
 * kernel/log.c instead of this file.
 */
#include <stdarg.h>
#include <stdio.h>

#include <vmk/arch.h>
#include <vmk/check.h>
#include <vmk/log.h>

#include "fake.h"

int fake_log_level = VMK_LOG_WARN;
char fake_last_log[512];
char fake_panic_msg[512];

void log_printf(int level, const char *fmt, ...)
{
	static const char *const names[] = { "ERROR", "WARN", "INFO", "DEBUG" };
	u64 now = arch_now_ns();
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fake_last_log, sizeof(fake_last_log), fmt, ap);
	va_end(ap);
	if (level <= fake_log_level)
		fprintf(stderr, "%llu.%06llu cpu%u) %s: %s\n",
			(unsigned long long)(now / 1000000000ULL),
			(unsigned long long)(now / 1000 % 1000000),
			arch_cpu_index(), level >= 0 && level < 4 ? names[level] : "?",
			fake_last_log);
}

__noreturn void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fake_panic_msg, sizeof(fake_panic_msg), fmt, ap);
	va_end(ap);
	if (!fake_panic_jmp)
		fprintf(stderr, "PANIC cpu%u: %s\n", arch_cpu_index(), fake_panic_msg);
	arch_halt();
}
