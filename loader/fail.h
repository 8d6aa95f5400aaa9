/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The loader's one-line error reports: fail() formats the message into
 * the caller's buffer (if it gave one) and returns -1, so a check can
 * read `return fail(err, errlen, "...", ...);`.
 */
#ifndef VMKX_LOADER_FAIL_H
#define VMKX_LOADER_FAIL_H

#include <stdarg.h>
#include <stdio.h>

static inline int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

#endif
