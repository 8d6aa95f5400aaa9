/* SPDX-License-Identifier: GPL-2.0 */
/*
 * System worlds: the vmkernel's own kernel threads, made and steered from
 * the console.  A burner burns CPU and counts its loops, for tests and
 * benchmarks that measure the scheduler by the worlds' own progress; a
 * helper sleeps and does one work item each time it is woken (every
 * SYSWORLD_HELPER_NS, from the tick); a yielder gives its CPU up at every
 * loop, so two on one CPU measure a switch.  Each gets shares, a reservation, a
 * limit, an affinity and a pool, all changeable while it runs.
 *
 * The vmkcall side checks every field of a request before anything
 * changes; an error leaves every world as it was.  Changes are made under
 * cpu_lock (vmk/cpu.h).
 */
#ifndef VMK_SYSWORLD_H
#define VMK_SYSWORLD_H

#include <vmk/types.h>
#include "vmnix_abi.h"

#define SYSWORLD_MAX		64
#define SYSWORLD_STACK		(16 * 1024)
#define SYSWORLD_HELPER_NS	100000000ULL	/* 100 ms */

struct page_arena;

int sysworld_init(struct page_arena *a);
/* From the tick's work on a vmkernel CPU. */
void sysworld_tick(u32 cpu);

/* The vmkcalls; each returns >= 0 or a negative errno. */
s64 sysworld_create(const struct vmk_world_req *r);
s64 sysworld_set(const struct vmk_world_req *r);
s64 sysworld_destroy(u32 id);
s64 sysworld_stats(u32 id, struct vmk_world_stats *st);
s64 sysworld_next(u32 id);

#endif
