/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the console's vmkernel tools share: opening /dev/vmnix, issuing a
 * vmkcall through it, parsing CPU lists ("1-3,5"), and finding the
 * vmkernel's own explanation of a refusal (its last warning in the log).
 */
#ifndef VMKDEV_H
#define VMKDEV_H

#include <stdint.h>
#include "vmnix_abi.h"

/* /dev/vmnix, opened once; exits with a message if it cannot be. */
int vmkdev_fd(const char *prog);
/* A vmkcall on Linux CPU 0 (always the console's); -errno or the result.
 * Also -errno if the ioctl itself fails. */
int64_t vmkdev_call(const char *prog, unsigned nr, uint64_t a0, uint64_t a1,
		    uint64_t a2);
/* The same with a fourth argument (VM_WRITE, VM_SERIAL_READ). */
int64_t vmkdev_call4(const char *prog, unsigned nr, uint64_t a0, uint64_t a1,
		     uint64_t a2, uint64_t a3);
/* Bits for "1-3,5" (at most 64 CPUs); -1 for a malformed list. */
int vmkdev_cpulist(const char *s, uint64_t *mask);
/* Prints the vmkernel's last warning, if its log has one, as a hint. */
void vmkdev_explain(const char *prog);

#endif
