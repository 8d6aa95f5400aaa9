// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the vmkernel's timers (kernel/timer.c) on the fake arch:
 * a timer fires at the first tick at or after its deadline and not
 * before, in deadline order, once; cancelling and re-arming; a callback
 * that re-arms in the past waits for the next tick; timers of a CPU that
 * is not the scheduler's run on another CPU's tick, those of a vmkernel
 * CPU only on its own; and timer_cancel_sync() waits for a callback that
 * runs on another CPU, but not for its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <vmk/timer.h>
#include "core_env.h"

#define US	1000ULL

struct probe {
	struct timer t;
	u32 fired;
	u32 cpu;		/* where it last ran */
	u64 at;			/* the clock then */
	int order;		/* its place among the probes that fired */
	u64 rearm;		/* re-arm this far from now (0: not) */
	bool rearm_past;	/* re-arm at the clock's current value */
	bool cancel_self;	/* timer_cancel_sync() on itself */
	bool cancel_other;	/* ... from CPU 2 while this one runs */
	bool other_waited;
};

static int probe_seq;

static void probe_fn(void *arg)
{
	struct probe *p = arg;

	p->fired++;
	p->cpu = arch_cpu_index();
	p->at = arch_now_ns();
	p->order = ++probe_seq;
	if (p->rearm)
		timer_arm(&p->t, arch_now_ns() + p->rearm);
	if (p->rearm_past)
		timer_arm(&p->t, arch_now_ns());
	if (p->cancel_self)
		timer_cancel_sync(&p->t);
	if (p->cancel_other) {
		u32 me = arch_cpu_index();

		/* The fake arch is single-threaded: a wait is a spin, and its
		 * first spin panics, which is what shows the wait. */
		fake_set_cpu(2);
		p->other_waited = FAKE_CATCH_PANIC(timer_cancel_sync(&p->t));
		fake_set_cpu(me);
	}
}

static void probe_init(struct probe *p)
{
	memset(p, 0, sizeof(*p));
	timer_init(&p->t, probe_fn, p);
}

/* Ticks CPU cpu every millisecond for ns. */
static void tick_for(u32 cpu, u64 ns)
{
	u64 end = arch_now_ns() + ns;

	fake_set_cpu(cpu);
	while (arch_now_ns() < end) {
		fake_advance(SCHED_TICK_NS);
		timer_tick(cpu);
	}
}

static int setup3(void **state)
{
	(void)state;
	env_start(3);
	/* CPU 0 stays the console's; 1 and 2 are the vmkernel's. */
	sched_cpu_online(0, false);
	sched_cpu_online(1, true);
	sched_cpu_online(2, true);
	probe_seq = 0;
	fake_set_cpu(1);
	return 0;
}

static void test_fires_at_deadline(void **state)
{
	struct probe p;
	u64 t0 = arch_now_ns();
	(void)state;

	probe_init(&p);
	timer_arm(&p.t, t0 + 2500 * US);
	assert_true(timer_pending(&p.t));
	tick_for(1, 2 * MS);
	assert_int_equal(p.fired, 0);
	tick_for(1, 1 * MS);
	assert_int_equal(p.fired, 1);
	assert_int_equal(p.at, t0 + 3 * MS);
	assert_int_equal(p.cpu, 1);
	assert_false(timer_pending(&p.t));
	/* One-shot: nothing more. */
	tick_for(1, 10 * MS);
	assert_int_equal(p.fired, 1);
}

static void test_order(void **state)
{
	struct probe a, b, c;
	u64 t0 = arch_now_ns();
	(void)state;

	probe_init(&a);
	probe_init(&b);
	probe_init(&c);
	timer_arm(&a.t, t0 + 3 * MS);
	timer_arm(&b.t, t0 + 1 * MS);
	timer_arm(&c.t, t0 + 2 * MS);
	/* All three due at one tick: deadline order all the same. */
	fake_advance(5 * MS);
	timer_tick(1);
	assert_int_equal(b.order, 1);
	assert_int_equal(c.order, 2);
	assert_int_equal(a.order, 3);
}

static void test_cancel_and_rearm(void **state)
{
	struct probe p, q;
	u64 t0 = arch_now_ns();
	(void)state;

	probe_init(&p);
	probe_init(&q);
	assert_false(timer_cancel(&p.t));
	timer_arm(&p.t, t0 + 1 * MS);
	timer_arm(&q.t, t0 + 1 * MS);
	assert_true(timer_cancel(&p.t));
	assert_false(timer_cancel(&p.t));
	/* Re-arming an armed timer moves it. */
	timer_arm(&q.t, t0 + 5 * MS);
	tick_for(1, 4 * MS);
	assert_int_equal(p.fired, 0);
	assert_int_equal(q.fired, 0);
	tick_for(1, 1 * MS);
	assert_int_equal(p.fired, 0);
	assert_int_equal(q.fired, 1);
}

static void test_periodic_rearm(void **state)
{
	struct probe p;
	(void)state;

	probe_init(&p);
	p.rearm = 2 * MS;
	timer_arm(&p.t, arch_now_ns() + 2 * MS);
	tick_for(1, 20 * MS);
	assert_int_equal(p.fired, 10);
	assert_true(timer_cancel(&p.t));
	tick_for(1, 10 * MS);
	assert_int_equal(p.fired, 10);
}

static void test_rearm_in_past_waits_for_next_tick(void **state)
{
	struct probe p;
	(void)state;

	probe_init(&p);
	p.rearm_past = true;
	timer_arm(&p.t, arch_now_ns());
	timer_tick(1);
	assert_int_equal(p.fired, 1);
	assert_true(timer_pending(&p.t));
	timer_tick(1);
	assert_int_equal(p.fired, 2);
	assert_true(timer_cancel(&p.t));
}

static void test_cpus(void **state)
{
	struct probe c0, c1, c2;
	u64 t0 = arch_now_ns();
	(void)state;

	probe_init(&c0);
	probe_init(&c1);
	probe_init(&c2);
	/* Armed from the console's CPU 0: any vmkernel CPU runs it. */
	fake_set_cpu(0);
	timer_arm(&c0.t, t0 + 1 * MS);
	fake_set_cpu(1);
	timer_arm(&c1.t, t0 + 1 * MS);
	fake_set_cpu(2);
	timer_arm(&c2.t, t0 + 1 * MS);

	fake_advance(2 * MS);
	timer_tick(2);
	assert_int_equal(c0.fired, 1);
	assert_int_equal(c0.cpu, 2);
	assert_int_equal(c2.fired, 1);
	assert_int_equal(c1.fired, 0);	/* CPU 1 is alive: its own tick runs it */

	/* CPU 1 taken back: its pending timer moves to whoever ticks. */
	sched_cpu_online(1, false);
	fake_set_cpu(2);
	timer_tick(2);
	assert_int_equal(c1.fired, 1);
	assert_int_equal(c1.cpu, 2);
}

static void test_cancel_sync(void **state)
{
	struct probe self, other;
	u64 t0 = arch_now_ns();
	(void)state;

	probe_init(&self);
	probe_init(&other);
	self.rearm = 1 * MS;
	self.cancel_self = true;
	other.cancel_other = true;
	timer_arm(&self.t, t0 + 1 * MS);
	timer_arm(&other.t, t0 + 1 * MS);
	tick_for(1, 1 * MS);
	/* Its own callback cancels it: no wait, and the re-arm is undone. */
	assert_int_equal(self.fired, 1);
	assert_false(timer_pending(&self.t));
	/* From CPU 2 while CPU 1 runs the callback: a wait. */
	assert_int_equal(other.fired, 1);
	assert_true(other.other_waited);
	/* Once it has run, cancelling returns at once. */
	fake_set_cpu(2);
	assert_false(timer_cancel_sync(&other.t));
	tick_for(1, 5 * MS);
	assert_int_equal(self.fired, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fires_at_deadline, setup3, env_teardown),
		cmocka_unit_test_setup_teardown(test_order, setup3, env_teardown),
		cmocka_unit_test_setup_teardown(test_cancel_and_rearm, setup3, env_teardown),
		cmocka_unit_test_setup_teardown(test_periodic_rearm, setup3, env_teardown),
		cmocka_unit_test_setup_teardown(test_rearm_in_past_waits_for_next_tick,
						setup3, env_teardown),
		cmocka_unit_test_setup_teardown(test_cpus, setup3, env_teardown),
		cmocka_unit_test_setup_teardown(test_cancel_sync, setup3, env_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
