/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Co-scheduling of a VM's VCPUs (vmkernel/core/cosched.c).  Skew is
 * measured by progress: a VCPU progresses while it runs and falls behind
 * while ready or co-stopped.  An idle (waiting) VCPU needs no CPU: it does
 * not count as a laggard, and it comes back no further behind than its
 * slowest sibling, so idling builds no skew.  A VCPU's lead is its
 * progress minus that of its slowest sibling that wants to run.
 *
 *   relaxed (ESX 3): a VCPU whose lead exceeds the group's threshold is
 *     co-stopped alone; it is co-started when its lead has fallen to half
 *     the threshold.
 *   strict (ESX 2): when the skew exceeds the threshold every VCPU that
 *     is ahead is co-stopped, and all are co-started together when a
 *     laggard is dispatched; skew is then measured afresh.
 *
 * Called by the scheduler with no
 * lock held; cosched takes the group's lock (LOCK_RANK_COSCHED) and then
 * run-queue locks.
 *
 * The calls go one way: the scheduler calls cosched, and cosched acts on
 * run queues only through the two operations the scheduler hands it in
 * cosched_init(), so neither file calls into the other in a cycle.
 */
#ifndef VMK_COSCHED_H
#define VMK_COSCHED_H

#include <vmk/types.h>

struct world;
struct world_group;

/* What cosched asks of the scheduler, with the group lock held. */
struct cosched_ops {
	/* Co-stop v (running: at its next scheduling point): true if done
	 * or pending, false if v was neither running nor queued. */
	bool (*costop)(struct world *v, u64 now);
	/* Co-start a co-stopped v: queue it ready again. */
	void (*costart)(struct world *v, u64 now);
};

/* From sched_init, before any group runs. */
void cosched_init(const struct cosched_ops *ops);
/* The lead of w over its slowest sibling, now. */
u64 cosched_lead(struct world *w, u64 now);
/* The group's skew (largest lead), now. */
u64 cosched_skew(struct world_group *g, u64 now);
/* A VCPU wakes from waiting (before it is queued): true if it must
 * rejoin co-stopped. */
bool cosched_woken(struct world *w, u64 now);
/* From sched_tick for a running VCPU: true if it must be co-stopped. */
bool cosched_tick(struct world *w, u64 now);
/* A VCPU of g was dispatched (w) or stopped running (w NULL): co-start
 * the co-stopped VCPUs that this allows. */
void cosched_update(struct world_group *g, struct world *w, u64 now);

#endif
