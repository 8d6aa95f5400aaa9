// SPDX-License-Identifier: GPL-2.0
/*
 * Timers for the vmkernel (vmk/timer.h): a list per CPU, sorted by
 * deadline, walked by that CPU's tick work.  The lists are short (a
 * device's timer per VCPU, a few of the vmkernel's own), so a sorted
 * doubly-linked list is enough, and one lock over all of them costs
 * little at one tick a millisecond per CPU.
 *
 * Cancelling while the callback runs: the tick takes a due timer off its
 * list and marks it firing under the lock, calls the callback without the
 * lock, and clears the mark under the lock again.  timer_cancel() only
 * disarms; timer_cancel_sync() also waits for the mark to clear when
 * another CPU holds it, and disarms again if the callback re-armed.
 *
 * Each arm takes a sequence number; a tick runs only timers armed before
 * it began, so a callback that re-arms its timer in the past cannot keep
 * one tick busy for ever.
 */
#include <vmk/arch.h>
#include <vmk/check.h>
#include <vmk/lock.h>
#include <vmk/sched.h>
#include <vmk/timer.h>
#include "vmnix_abi.h"

static struct spinlock timer_lock = SPINLOCK_INIT("timer", LOCK_RANK_TIMER);
static struct timer *timer_head[VMK_MAX_CPUS];
static u64 timer_seq;

void timer_init(struct timer *t, void (*fn)(void *arg), void *arg)
{
	*t = (struct timer){ .fn = fn, .arg = arg };
}

static void timer_unlink(struct timer *t)
{
	if (t->prev)
		t->prev->next = t->next;
	else
		timer_head[t->cpu] = t->next;
	if (t->next)
		t->next->prev = t->prev;
	t->prev = t->next = NULL;
	t->armed = false;
}

/* After every timer with a deadline at or before its own: equal
 * deadlines fire in arming order. */
static void timer_link(struct timer *t, u32 cpu)
{
	struct timer *p = NULL, *n = timer_head[cpu];

	while (n && n->deadline_ns <= t->deadline_ns) {
		p = n;
		n = n->next;
	}
	t->cpu = cpu;
	t->prev = p;
	t->next = n;
	if (p)
		p->next = t;
	else
		timer_head[cpu] = t;
	if (n)
		n->prev = t;
	t->armed = true;
}

void timer_arm(struct timer *t, u64 deadline_ns)
{
	u32 cpu = arch_cpu_index();

	CHECK(t->fn && cpu < VMK_MAX_CPUS);
	spin_lock(&timer_lock);
	if (t->armed)
		timer_unlink(t);
	t->deadline_ns = deadline_ns;
	t->seq = ++timer_seq;
	timer_link(t, cpu);
	spin_unlock(&timer_lock);
}

bool timer_cancel(struct timer *t)
{
	bool was;

	spin_lock(&timer_lock);
	was = t->armed;
	if (was)
		timer_unlink(t);
	spin_unlock(&timer_lock);
	return was;
}

bool timer_cancel_sync(struct timer *t)
{
	u32 self = arch_cpu_index() + 1;
	bool was = false;

	spin_lock(&timer_lock);
	for (;;) {
		if (t->armed) {
			timer_unlink(t);
			was = true;
		}
		/* Its own callback may cancel it: waiting would never end. */
		if (!t->firing || t->firing == self)
			break;
		spin_unlock(&timer_lock);
		arch_cpu_relax();
		spin_lock(&timer_lock);
	}
	spin_unlock(&timer_lock);
	return was;
}

bool timer_pending(struct timer *t)
{
	bool armed;

	spin_lock(&timer_lock);
	armed = t->armed;
	spin_unlock(&timer_lock);
	return armed;
}

/* Runs list's due timers that were armed before seq. */
static void timer_run_list(u32 list, u32 cpu, u64 now, u64 seq)
{
	for (;;) {
		struct timer *t;

		spin_lock(&timer_lock);
		/* One that still runs elsewhere (re-armed meanwhile) waits
		 * for a later tick: a callback never runs twice at once. */
		for (t = timer_head[list]; t && t->deadline_ns <= now; t = t->next)
			if (t->seq <= seq && !t->firing)
				break;
		if (!t || t->deadline_ns > now) {
			spin_unlock(&timer_lock);
			return;
		}
		timer_unlink(t);
		t->firing = cpu + 1;
		spin_unlock(&timer_lock);

		t->fn(t->arg);

		spin_lock(&timer_lock);
		t->firing = 0;
		spin_unlock(&timer_lock);
	}
}

void timer_tick(u32 cpu)
{
	u64 now = arch_now_ns();
	u64 seq = __atomic_load_n(&timer_seq, __ATOMIC_RELAXED);
	u32 n = sched_ncpus();

	/* The lists are read without the lock only to skip empty ones;
	 * timer_run_list() looks again under it. */
	if (READ_ONCE(timer_head[cpu]))
		timer_run_list(cpu, cpu, now, seq);
	for (u32 i = 0; i < n; i++)
		if (i != cpu && READ_ONCE(timer_head[i]) && !sched_cpu_is_online(i))
			timer_run_list(i, cpu, now, seq);
}
