/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test doubles of what the vmkcall dispatcher asks of kernel/cpu.c,
 * kernel/sysworld.c and vmm/vm.c, for host tests that link vmkcall.c
 * without them (the real ones need a CPU the vmkernel owns).  Giving and
 * taking count the calls that reach them; every world call refuses as if
 * no such world existed, so that a stray use shows.  The VM calls count
 * the calls that get past the dispatcher's checks and keep what they were
 * given.  Include in exactly one file.
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

static unsigned int vm_calls;
static u64 vm_last_id, vm_last_len, vm_last_how;
static struct vmk_vm_config vm_last_config;

void vm_init(void)
{
}

u32 vm_count(void)
{
	return 0;
}

s64 vm_create(const struct vmk_vm_config *c)
{
	vm_calls++;
	vm_last_config = *c;
	return 1;
}

s64 vm_load(u32 id, u64 gpa, const void *src, u64 len)
{
	(void)gpa;
	(void)src;
	vm_calls++;
	vm_last_id = id;
	vm_last_len = len;
	return 0;
}

s64 vm_start(u32 id, const struct vmk_vm_boot *b)
{
	(void)b;
	vm_calls++;
	vm_last_id = id;
	return 0;
}

s64 vm_stop(u32 id, u32 how)
{
	vm_calls++;
	vm_last_id = id;
	vm_last_how = how;
	return 0;
}

s64 vm_reset(u32 id, u32 how)
{
	vm_calls++;
	vm_last_id = id;
	vm_last_how = how;
	return 0;
}

s64 vm_destroy(u32 id)
{
	vm_calls++;
	vm_last_id = id;
	return 0;
}

s64 vm_info(u32 id, struct vmk_vm_info *out)
{
	vm_calls++;
	vm_last_id = id;
	out->id = id;
	return 0;
}

s64 vm_next(u32 id)
{
	(void)id;
	return 0;
}

s64 vm_set(const struct vmk_vm_config *c)
{
	vm_calls++;
	vm_last_config = *c;
	return 0;
}

s64 vm_serial_read(u32 id, char *dst, u64 len, u64 from)
{
	(void)dst;
	(void)from;
	vm_calls++;
	vm_last_id = id;
	vm_last_len = len;
	return 0;
}

s64 vm_serial_write(u32 id, const char *src, u64 len)
{
	(void)src;
	vm_calls++;
	vm_last_id = id;
	vm_last_len = len;
	return (s64)len;
}

#endif
