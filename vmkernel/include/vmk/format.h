/* SPDX-License-Identifier: GPL-2.0 */
/* Formatted output into a buffer (lib/format.c in the vmkernel; the C
 * library's in host builds). */
#ifndef VMK_FORMAT_H
#define VMK_FORMAT_H

#include <stdarg.h>
#include <vmk/types.h>

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
