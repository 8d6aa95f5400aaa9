/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Worlds: the vmkernel's schedulable entities (console, system, idle,
 * helper and VMM worlds), and groups: a VM is a group of VCPU worlds that
 * are co-scheduled, and a group belongs to a resource pool.  The world
 * table maps IDs to worlds; an ID is never reused while its world lives.
 *
 * A world's time is accounted by state, ESX-style: used (running), ready
 * (runnable, waiting for a CPU), wait (blocked), co-stop (held back by
 * co-scheduling).  Over an interval, each divided by the interval gives
 * esxtop's %USED, %RDY, %WAIT and %CSTP.
 *
 * Locking: the table and IDs by the world-table lock; a world's scheduler
 * fields by the run-queue lock of its CPU (w->cpu); its wait link by its
 * wait bucket's lock; a group's co-scheduling fields by the group's lock;
 * node by the pool lock.
 */
#ifndef VMK_WORLD_H
#define VMK_WORLD_H

#include <vmk/types.h>
#include <vmk/heap.h>
#include <vmk/lock.h>
#include <vmk/pool.h>
#include <vmk/rqheap.h>
#include "vmnix_abi.h"

#define WORLD_NAME_LEN	32
#define WORLD_MAX	16384		/* live worlds, idle ones included */
#define WORLD_ID_FIRST	1024		/* the first world's ID; 0 is never one */
#define GROUP_MAX_VCPUS	8

/* The values of struct vmk_world_info's state. */
/* The same numbers as the ABI's enum vmk_world_state, which tools read. */
enum world_state {
	WORLD_NEW = VMK_WORLD_NEW,
	WORLD_READY = VMK_WORLD_READY,
	WORLD_RUNNING = VMK_WORLD_RUNNING,
	WORLD_WAITING = VMK_WORLD_WAITING,
	WORLD_COSTOPPED = VMK_WORLD_COSTOPPED,
	WORLD_DEAD = VMK_WORLD_DEAD,
	WORLD_NSTATES
};

enum cosched_mode {
	COSCHED_RELAXED,	/* ESX 3: co-stop only VCPUs too far ahead */
	COSCHED_STRICT,		/* ESX 2: the VM's VCPUs stop and start as one */
};

struct world_stats {
	u64 used_ns, ready_ns, wait_ns, cstp_ns;
	u64 mlmtd_ns;			/* part of ready_ns: held by its limit */
};

struct world;

struct world_group {
	struct pool_node node;
	char name[WORLD_NAME_LEN];
	struct spinlock lock;		/* LOCK_RANK_COSCHED */
	u32 nvcpus;
	struct world *vcpu[GROUP_MAX_VCPUS];
	u8 mode;			/* enum cosched_mode */
	u64 skew_threshold_ns;
	/* Co-scheduling statistics. */
	u64 max_skew_ns;
	u64 costops, costarts;
};

struct world {
	u32 id;
	u8 type;			/* enum vmk_world_type */
	u8 state;			/* enum world_state */
	char name[WORLD_NAME_LEN];
	struct world_group *group;	/* a VCPU's VM, else NULL */
	u32 vcpu;			/* index in group */
	struct pool_node node;

	/* Accounting: time in each state up to state_since. */
	u64 state_since;
	struct world_stats st;

	/* Scheduler (run-queue lock of cpu). */
	u32 cpu;
	u64 affinity;			/* CPUs allowed, bit n = CPU n */
	bool queued;			/* in cpu's ready or throttle heap */
	bool throttled;			/* in the throttle heap */
	u64 throttled_since;		/* mlmtd_ns counted up to here */
	bool need_costop;		/* co-stop at the next scheduling point */
	struct rq_node rqn;		/* key: vtime, or the throttle end */
	u64 vtime;			/* start tag on cpu's virtual clock */
	u64 weight;			/* entitlement in CPU units, >= 1 */
	u64 load;			/* what it adds to cpu's load */
	u64 run_start;			/* when dispatched */
	u64 quantum_end;
	u64 cap;			/* enforced limit, CPU units */
	s64 credit_ns;			/* limit token bucket */
	u64 credit_at;
	u64 last_active;
	u64 last_migrate;
	u64 skew_base_ns;		/* strict co-scheduling baseline */

	/* Waiting (wait bucket lock). */
	const void *wait_event;
	struct world *wait_next, *wait_prev;

	/* Binary semaphores this world holds (rank checking). */
	struct lock_track sems;

	/* Its stack pointer while switched out (arch_world_switch). */
	u64 arch_sp;
	/* 1 from the switch to it until the switch away has saved arch_sp
	 * (x86; the fake arch leaves it 0).  A world that blocks is WAITING,
	 * and off its CPU's queue, a few instructions before its stack
	 * pointer is saved: a waker waits for this to clear and a balancer
	 * leaves such a world alone, or another CPU would resume it from the
	 * arch_sp of its previous switch while it still runs here. */
	u32 on_cpu;
};

struct world_params {
	const char *name;
	u8 type;			/* enum vmk_world_type */
	struct pool_node *pool;		/* parent, unless group is set */
	struct world_group *group;	/* makes the world a VCPU of it */
	struct pool_alloc alloc;	/* zero shares: SHARES_NORMAL */
	u64 affinity;			/* 0: every CPU */
};

/*
 * Resets the table, takes world records from heap h, and creates one
 * idle world per CPU.  Call after sched_init().
 */
int world_init(struct heap *h, u32 ncpus);

/* A new world in state NEW.  -EINVAL, -ENOMEM, -ENOSPC (admission),
 * -E2BIG (group full), -EAGAIN (table full). */
int world_create(const struct world_params *p, struct world **out);
/* NEW -> READY. */
int world_start(struct world *w);
/* Removes a world that is not running; -EBUSY if it is. */
int world_destroy(struct world *w);
/* Running world: DEAD, leaves its CPU (a scheduling point). */
void world_exit(void);

struct world *world_find(u32 id);
struct world *world_current(void);
/* The calling CPU's current world's ID; 0 before the scheduler and the
 * world table exist (the log asks from the first line on). */
u32 world_current_id(void);
/* Where w sits in the table, 0..WORLD_MAX-1: an index for arrays of
 * worlds kept elsewhere. */
u32 world_slot_of(const struct world *w);
/*
 * What tools see of the live world in the first slot at or after
 * *cursor (start at 0): fills out, moves *cursor past it and returns
 * true; false when no world is left.  Read under the table lock, so the
 * world cannot be destroyed meanwhile; its times may be a moment old.
 */
bool world_info_next(u32 *cursor, struct vmk_world_info *out);
/* The live world after prev (NULL: the first), in slot order. */
struct world *world_next(struct world *prev);
u32 world_count(void);

/* Scheduling point: the current world waits for event.  With lock held
 * on entry, it is released once the world is on the wait list, so a
 * wakeup cannot be missed. */
void world_wait(const void *event);
void world_wait_locked(const void *event, struct spinlock *lock);
/* Wakes every world waiting for event, or the longest waiting one. */
u32 world_wakeup(const void *event);
bool world_wakeup_one(const void *event);

/* Accounting brought up to now. */
void world_stats(struct world *w, struct world_stats *out);
const char *world_state_name(enum world_state s);

int world_group_create(struct pool_node *pool, const char *name,
		       const struct pool_alloc *a, enum cosched_mode mode,
		       struct world_group **out);
/* -EBUSY while it has VCPUs. */
int world_group_destroy(struct world_group *g);
int world_set_alloc(struct world *w, const struct pool_alloc *a);

#endif
