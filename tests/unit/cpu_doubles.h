/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test doubles of what the vmkcall dispatcher asks of kernel/cpu.c and
 * kernel/sysworld.c and vmm/vm.c, for host tests that link vmkcall.c without them (the
 * real ones need a CPU the vmkernel owns).  Giving and taking count the
 * calls that reach them; every world call refuses as if no such world
 * existed, so that a stray use shows.  Include in exactly one file.
 */
#ifndef TESTS_UNIT_CPU_DOUBLES_H
#define TESTS_UNIT_CPU_DOUBLES_H

#include <vmk/cpu.h>
#include <vmk/errno.h>
#include <vmk/sysworld.h>
#include <vmk/vm.h>
#include "sysworld_doubles.h"

static unsigned int cpu_gives, cpu_takes;
static u32 cpu_last_index;

s64 cpu_give(u32 index)
{
	cpu_gives++;
	cpu_last_index = index;
	return 0;
}

s64 cpu_take(u32 index)
{
	cpu_takes++;
	cpu_last_index = index;
	return 0;
}

void cpu_fill_stats(u32 index, struct vmk_cpu_stats *st)
{
	(void)index;
	(void)st;
}

s64 sysworld_create(const struct vmk_world_req *r)
{
	(void)r;
	return -ENOSPC;
}

s64 sysworld_set(const struct vmk_world_req *r)
{
	(void)r;
	return -ENOENT;
}

s64 sysworld_destroy(u32 id)
{
	(void)id;
	return -ENOENT;
}

s64 sysworld_stats(u32 id, struct vmk_world_stats *st)
{
	(void)id;
	(void)st;
	return -ENOENT;
}

s64 sysworld_next(u32 id)
{
	(void)id;
	return 0;
}

/* No VM exists: every VM call refuses as for an unknown one. */
s64 vm_create(const struct vmk_vm_config *c)
{
	(void)c;
	return -ENOSPC;
}

s64 vm_load(u32 id, u64 gpa, const void *src, u64 len)
{
	(void)id, (void)gpa, (void)src, (void)len;
	return -ENOENT;
}

s64 vm_start(u32 id, const struct vmk_vm_boot *b)
{
	(void)id, (void)b;
	return -ENOENT;
}

s64 vm_stop(u32 id, u32 how)
{
	(void)id, (void)how;
	return -ENOENT;
}

s64 vm_reset(u32 id)
{
	(void)id;
	return -ENOENT;
}

s64 vm_destroy(u32 id)
{
	(void)id;
	return -ENOENT;
}

s64 vm_info(u32 id, struct vmk_vm_info *out)
{
	(void)id, (void)out;
	return -ENOENT;
}

s64 vm_next(u32 id)
{
	(void)id;
	return 0;
}

s64 vm_set(const struct vmk_vm_config *c)
{
	(void)c;
	return -ENOENT;
}

s64 vm_serial_read(u32 id, char *dst, u64 len, u64 from)
{
	(void)id, (void)dst, (void)len, (void)from;
	return -ENOENT;
}

s64 vm_serial_write(u32 id, const char *src, u64 len)
{
	(void)id, (void)src, (void)len;
	return -ENOENT;
}

#endif
