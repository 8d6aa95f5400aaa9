/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Broken invariants.  CHECK() is for conditions that only a vmkernel bug
 * can make false: it panics with the file and line.  Anything the console,
 * a guest or a user can cause is an error return (-EINVAL, ...), never a
 * CHECK().
 */
#ifndef VMK_CHECK_H
#define VMK_CHECK_H

#include <vmk/types.h>

__noreturn void panic(const char *fmt, ...) __printf(1, 2);

#define CHECK(cond)							\
	do {								\
		if (unlikely(!(cond)))					\
			panic("%s:%d: CHECK(%s) failed", __FILE__,	\
			      __LINE__, #cond);				\
	} while (0)

#endif
