/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the architecture-neutral vmkernel (kernel/) asks of the machine
 * layer beyond the core's arch.h: the console's memory for vmkcall
 * buffers, and the figures behind the info and statistics vmkcalls.
 */
#ifndef VMK_MACHINE_H
#define VMK_MACHINE_H

#include <vmk/types.h>
#include "vmnix_abi.h"

/*
 * A pointer through which the vmkernel may read or write len bytes of
 * the console's memory at guest-physical address gpa, or NULL with
 * *err set: -EINVAL for a range that wraps, is empty or too long, or
 * touches the vmkernel's own region; -EFAULT for one outside the
 * console's physical address space.
 */
void *arch_guest_ptr(u64 gpa, u64 len, int *err);

u32 arch_ncpus(void);
void arch_fill_info(struct vmk_info *info);
int arch_cpu_stats(u32 index, struct vmk_cpu_stats *st);
/* Leave the vmkernel on the calling CPU once the current exit is done. */
void arch_request_leave(void);
/* A checksum of the image's text and read-only data. */
u64 arch_image_checksum(void);
/*
 * The floor: times `count` VMRUN/#VMEXIT pairs of a guest that does
 * nothing but exit, into samples[] (TSC cycles).  Returns count or a
 * negative errno.
 */
s64 arch_floor(u64 count, u64 *samples);
/* The vmkcall dispatcher (kernel/vmkcall.c), for the arch's VMMCALL exit. */
s64 vmkcall_dispatch(u64 nr, u64 a0, u64 a1, u64 a2, u64 a3);
/* Sets the load's key that state-changing vmkcalls must carry; -EINVAL
 * for 0, which would let a zeroed argument through. */
int vmkcall_init(u64 key);

/*
 * Start-up steps, in the order kernel/init.c calls them; each returns 0
 * or a negative errno and logs why it failed.
 *   arch_boot_params   the region, the clock and the CPUs from the shim
 *   arch_cpu_check     the CPU can run the vmkernel (vendor extensions)
 *   arch_mm_init       the vmkernel's and the console's page tables
 *   arch_cpus_init     descriptor tables, stacks and per-CPU state
 *   arch_virt_init     what running the console as a guest needs
 */
int arch_boot_params(const struct vmk_boot_info *bi);
int arch_cpu_check(void);
int arch_mm_init(void);
int arch_cpus_init(u32 ncpus);
int arch_virt_init(void);
/* Bytes of the region the image occupies from its start. */
u64 arch_image_size(void);
/* The CPUs' clock in MHz, for the scheduler's MHz-given settings. */
u32 arch_cpu_mhz(void);

/* Nanoseconds since the vmkernel was loaded. */
u64 arch_uptime_ns(void);
/* The serial port, when the log is copied there. */
void arch_serial_write(const char *s, size_t n);

#endif
