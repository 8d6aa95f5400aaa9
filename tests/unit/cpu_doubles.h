/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test doubles of what the vmkcall dispatcher asks of kernel/cpu.c and
 * kernel/sysworld.c, for host tests that link vmkcall.c without them (the
 * real ones need a CPU the vmkernel owns).  Giving and taking count the
 * calls that reach them; every world call refuses as if no such world
 * existed, so that a stray use shows.  Include in exactly one file.
 */
#ifndef TESTS_UNIT_CPU_DOUBLES_H
#define TESTS_UNIT_CPU_DOUBLES_H

#include <vmk/cpu.h>
#include <vmk/errno.h>
#include <vmk/sysworld.h>

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

#endif
