/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vmkernel's lock order, written down once.  Every spinlock, IRQ lock
 * and semaphore is created with one of these ranks, and a CPU (or, for
 * semaphores, a world) may only take a lock whose rank is strictly higher
 * than that of every lock it already holds.  Debug builds (VMK_DEBUG)
 * check each acquisition and panic with both locks' names and the places
 * they were taken; release order is free.
 *
 * Semaphores may sleep, so they rank below every spinlock: no world may
 * block while it holds a spinlock.  Ranks are spaced so that a new
 * subsystem can slot in without renumbering.
 */
#ifndef VMK_LOCKRANK_H
#define VMK_LOCKRANK_H

#include <vmk/types.h>
#include "vmnix_abi.h"

enum lock_rank {
	/* ---- semaphores (may sleep) ---- */
	LOCK_RANK_SEM_CONFIG	= 100,	/* resource settings changed by the console */
	LOCK_RANK_SEM_WORLD	= 200,	/* a subsystem's per-world sleeping lock */
	LOCK_RANK_SEM_IO	= 300,	/* an I/O completion counter */

	/* ---- spinlocks and IRQ locks ---- */
	LOCK_RANK_CPU_CONFIG	= 900,	/* CPUs given and taken, console-made worlds */
	LOCK_RANK_VM		= 950,	/* one VM's state and devices (vmm/vmm.h) */
	LOCK_RANK_POOL		= 1000,	/* resource-pool tree, admission, entitlements */
	LOCK_RANK_MODULE	= 1050,	/* the module table and module vmkcalls */
	LOCK_RANK_WORLD_TABLE	= 1100,	/* world table: IDs and slots */
	LOCK_RANK_SEM_INTERNAL	= 1300,	/* a semaphore's count */
	LOCK_RANK_WAIT		= 1400,	/* wait-queue buckets */
	LOCK_RANK_COSCHED	= 1500,	/* one VM's co-scheduling state */
	LOCK_RANK_NPT		= 1600,	/* the console's nested page tables */
	/* Run queues: CPU n's lock has rank LOCK_RANK_RUNQUEUE + n, so two run
	 * queues are always taken in CPU order (load balancing). */
	LOCK_RANK_RUNQUEUE	= 2000,
	LOCK_RANK_TIMER		= 2000 + VMK_MAX_CPUS + 20,	/* every CPU's timer list */
	LOCK_RANK_HEAP_LIST	= 2000 + VMK_MAX_CPUS + 50,	/* the list of heaps */
	LOCK_RANK_HEAP		= 2000 + VMK_MAX_CPUS + 100,	/* one named heap */
	LOCK_RANK_PAGE		= 2000 + VMK_MAX_CPUS + 200,	/* the page allocator */
	LOCK_RANK_LOG		= 2000 + VMK_MAX_CPUS + 300,	/* the log ring: anything may log */
};

#endif
