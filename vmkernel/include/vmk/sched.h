/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CPU scheduler: proportional share with reservations and limits over
 * the resource-pool tree, per-CPU run queues ordered by virtual time, and
 * co-scheduling of a VM's VCPUs.  vmkernel/core/sched.c explains the
 * algorithm and vmkernel/core/README.md the reasons for it.
 *
 * The vmkernel is not preemptive: a world leaves its CPU only at a
 * scheduling point, which is one of
 *   - world_wait() / world_wait_locked()  (it blocks),
 *   - sched_yield_cpu()                   (it gives the CPU up),
 *   - sched_preempt_point()               (it offers to: the VMM's exit
 *                                          path, a helper between work
 *                                          items, the idle loop),
 *   - world_exit()                        (it dies).
 * The timer interrupt calls sched_tick(), which accounts, enforces limits
 * and co-scheduling, balances, and at most sets the CPU's need_resched
 * flag; it never switches.  No lock may be held at a scheduling point.
 */
#ifndef VMK_SCHED_H
#define VMK_SCHED_H

#include <vmk/types.h>
#include <vmk/pool.h>

struct world;

#define SCHED_QUANTUM_NS	10000000ULL	/* 10 ms */
#define SCHED_TICK_NS		1000000ULL	/* the timer: 1 ms */
#define SCHED_ENTITLE_NS	50000000ULL	/* entitlements refreshed */
#define SCHED_BALANCE_NS	20000000ULL	/* each CPU looks for work */
#define SCHED_ACTIVE_NS		100000000ULL	/* a sleeper still counts */
#define SCHED_SKEW_NS		3000000ULL	/* default co-stop threshold */

struct sched_cpu_stats {
	u32 nr;			/* worlds on this CPU, running included */
	u64 load;		/* their weights, CPU units */
	u64 decisions;
	u64 migrations;		/* worlds pulled to this CPU */
	u64 idle_ns;
	u64 decide_ns;		/* time spent choosing, over all decisions */
};

/* Resets the scheduler for ncpus CPUs of cpu_mhz each (pool tree too). */
int sched_init(u32 ncpus, u32 cpu_mhz);
u32 sched_ncpus(void);
void sched_set_idle(u32 cpu, struct world *idle);

/* CPU units for a percentage of one CPU, or for MHz. */
u64 sched_units_pct(u32 pct);
u64 sched_units_mhz(u32 mhz);

/*
 * A CPU the scheduler does not run: w (NEW or WAITING) becomes the
 * running world of idle CPU cpu, pinned there, outside the run queue, and
 * the CPU's idle world waits.  For a world that owns its CPU whatever the
 * scheduler would choose: the console world of a CPU that runs the
 * console.  sched_release() ends it: w waits, the CPU is idle again and
 * the scheduler's from then on (the CPU's own scheduling points and
 * ticks pick what it runs).  Either may be called from any CPU.
 */
void sched_hold(u32 cpu, struct world *w);
void sched_release(u32 cpu, struct world *w);

/* Lifecycle hooks for world.c. */
void sched_add(struct world *w);	/* NEW -> READY */
void sched_remove(struct world *w);	/* not running */
/* A world that waits on a run queue, or is co-stopped, is taken off it
 * and marked DEAD, in one step under its CPU's lock; -EBUSY if it runs,
 * waits for an event, or moves meanwhile. */
int sched_remove_queued(struct world *w);
void sched_wakeup(struct world *w);	/* WAITING -> READY */
/* The current world stops running in state s (WAITING or DEAD); returns
 * the world to switch to, already current. */
struct world *sched_block(u32 state);

/* Scheduling points. */
void sched_yield_cpu(void);
void sched_preempt_point(void);

/* Timer interrupt on this CPU. */
void sched_tick(void);

struct world *sched_current(u32 cpu);
bool sched_need_resched(u32 cpu);
/* -EINVAL if mask names no CPU the scheduler has. */
int sched_set_affinity(struct world *w, u64 mask);
/* Marks entitlements stale: recomputed at the next tick. */
void sched_entitle_dirty(void);
/* Recomputes entitlements now. */
void sched_entitle(void);
void sched_cpu_stats(u32 cpu, struct sched_cpu_stats *out);

/*
 * CPUs the scheduler may use.  All are online after sched_init(); the
 * vmkernel takes a CPU offline while the console has it.  Offline, a CPU
 * gets no new worlds, lends none to balancing, and its next decision
 * picks its idle world and moves the world it ran elsewhere.
 */
void sched_cpu_online(u32 cpu, bool online);
bool sched_cpu_is_online(u32 cpu);
/* Moves the worlds queued on cpu to online CPUs they may run on (those
 * with none stay); returns how many moved. */
u32 sched_cpu_drain(u32 cpu);

#endif
