/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Virtual machines as the rest of the vmkernel sees them: the VM
 * vmkcalls (vmnix_abi.h, "virtual machines"), which kernel/vmkcall.c
 * hands to vmkernel/vmm/vm.c once it has copied and size-checked the
 * console's buffers.  Each runs on a console CPU inside its exit
 * handler: it may spin-wait for a VCPU with a timeout, never block.
 * Results are >= 0 or a negative errno, with the reason logged.
 */
#ifndef VMK_VM_H
#define VMK_VM_H

#include <vmk/types.h>
#include "vmnix_abi.h"

/* Resets the VM table; after mem_init. */
void vm_init(void);
/* VMs that exist (any state). */
u32 vm_count(void);

s64 vm_create(const struct vmk_vm_config *c);
s64 vm_load(u32 id, u64 gpa, const void *src, u64 len);
s64 vm_start(u32 id, const struct vmk_vm_boot *b);
s64 vm_stop(u32 id, u32 how);
s64 vm_reset(u32 id, u32 how);
s64 vm_destroy(u32 id);
s64 vm_info(u32 id, struct vmk_vm_info *out);
s64 vm_next(u32 id);
s64 vm_set(const struct vmk_vm_config *c);
s64 vm_serial_read(u32 id, char *dst, u64 len, u64 from);
s64 vm_serial_write(u32 id, const char *src, u64 len);

#endif
