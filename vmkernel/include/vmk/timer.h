/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One-shot timers for the vmkernel: a callback with an argument, called
 * once the clock (arch_now_ns()) has passed a deadline.  Timers run from
 * the tick work of a vmkernel CPU (kernel/cpu.c, every SCHED_TICK_NS), so
 * their resolution is the tick: a timer fires at the first tick at or
 * after its deadline.
 *
 * A timer runs on the CPU that armed it.  A timer armed on a CPU that does
 * not run the vmkernel's scheduler (a console CPU, or one taken back while
 * the timer was pending) is run by whichever vmkernel CPU ticks first.
 *
 * A callback runs with interrupts off and no lock held; it must not
 * block.  It may re-arm its own timer (a periodic timer does); a timer
 * re-armed at or before the tick's time fires at the next tick, never in a
 * loop within one.
 *
 * One lock (LOCK_RANK_TIMER) guards every CPU's list; timer_arm() and
 * timer_cancel() may be called with any lock of a lower rank held, so a
 * device can arm its timer under its own lock.  timer_cancel_sync() waits
 * for a callback running on another CPU: its caller must hold no lock
 * that the callback takes (use it where the timer's owner goes away).
 */
#ifndef VMK_TIMER_H
#define VMK_TIMER_H

#include <vmk/types.h>

struct timer {
	/* Set by timer_init(); not changed after. */
	void (*fn)(void *arg);
	void *arg;
	/* The timer lock guards the rest. */
	struct timer *prev, *next;	/* on a CPU's list while armed */
	u64 deadline_ns;
	u64 seq;			/* arming order: a tick runs older arms only */
	u32 cpu;			/* the list it is on */
	bool armed;
	u32 firing;			/* 1 + the CPU running its callback, or 0 */
};

void timer_init(struct timer *t, void (*fn)(void *arg), void *arg);
/* Arms t for deadline_ns (arch_now_ns() time) on the calling CPU; an
 * armed timer moves to the new deadline. */
void timer_arm(struct timer *t, u64 deadline_ns);
/* Disarms t: true if it was armed.  A callback already running goes on. */
bool timer_cancel(struct timer *t);
/* Disarms t and waits until no other CPU runs its callback; after it the
 * timer's memory may be freed (unless the caller re-arms it). */
bool timer_cancel_sync(struct timer *t);
bool timer_pending(struct timer *t);

/* From the tick work of vmkernel CPU cpu: runs its due timers, and those
 * of CPUs that are not the scheduler's. */
void timer_tick(u32 cpu);

#endif
