/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the loaders of virtual machines (multiboot.c, linux.c) share:
 * their result is a list of stretches of guest RAM to fill, which
 * vmware-cmd turns into VMK_CALL_VM_WRITE calls and the unit tests read
 * back, and they read and write the little-endian fields of the files
 * and tables they handle through byte pointers that need not be aligned.
 */
#ifndef VMKX_LOADER_VMWRITE_H
#define VMKX_LOADER_VMWRITE_H

#include <string.h>

#include "vmnix_abi.h"

/* One stretch of guest RAM to fill: len bytes from data at gpa. */
struct vm_write {
	vmk_u64 gpa;
	const void *data;
	vmk_u64 len;
};

/* Appends one write; the caller sized writes[] for every possible one. */
static inline void vm_write_add(struct vm_write *writes, unsigned int *nwrites,
				vmk_u64 gpa, const void *data, vmk_u64 len)
{
	writes[(*nwrites)++] = (struct vm_write){ gpa, data, len };
}

/* Unaligned little-endian fields (the host is x86, little-endian too). */
static inline vmk_u16 rd16(const unsigned char *p)
{
	return (vmk_u16)(p[0] | p[1] << 8);
}

static inline vmk_u32 rd32(const unsigned char *p)
{
	vmk_u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline vmk_u64 rd64(const unsigned char *p)
{
	vmk_u64 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void wr16(unsigned char *p, vmk_u16 v)
{
	memcpy(p, &v, sizeof(v));
}

static inline void wr32(unsigned char *p, vmk_u32 v)
{
	memcpy(p, &v, sizeof(v));
}

static inline void wr64(unsigned char *p, vmk_u64 v)
{
	memcpy(p, &v, sizeof(v));
}

#endif
