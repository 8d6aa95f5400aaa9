/* SPDX-License-Identifier: GPL-2.0 */
/*
 * System worlds: the vmkernel's own kernel threads, made and steered from
 * the console.  A burner burns CPU and counts its loops, for tests and
 * benchmarks that measure the scheduler by the worlds' own progress; a
 * helper sleeps and does one work item each time it is woken (every
 * SYSWORLD_HELPER_NS, from the tick); a yielder gives its CPU up at every
 * loop, so two on one CPU measure a switch.  Module worlds run a loaded
 * module's function (VMK_SYSWORLD_MODULE).  Each gets shares, a reservation, a
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

/*
 * Module worlds (kernel/module.c's side of module_world_*).  owner is
 * the module; r gives name, shares, min, max, affinity and pool as a
 * console request would (its kind is ignored).  sysworld_spawn returns
 * the world's ID.  sysworld_stop_owned stops and removes one of owner's
 * worlds and waits for it; sysworld_remove_owned all of them
 * (-EBUSY if one would not stop).  sysworld_owned counts owner's worlds
 * still running (and gives the first one's ID).
 */
s64 sysworld_spawn(const struct vmk_world_req *r, void (*fn)(void *), void *arg,
		   const void *owner);
s64 sysworld_stop_owned(u32 id, const void *owner);
int sysworld_remove_owned(const void *owner);
u32 sysworld_owned(const void *owner, u32 *first);
int sysworld_wake(u32 id, const void *owner);
/* In a module world: whether it was asked to stop; a sleep of up to ns
 * (ended early by sysworld_wake or a stop, rounded up to the tick); a
 * scheduling point.  Elsewhere they do nothing (should_stop: true). */
bool sysworld_should_stop(void);
void sysworld_sleep(u64 ns);
void sysworld_preempt(void);

#endif
