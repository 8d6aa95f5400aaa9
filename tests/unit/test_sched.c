// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the CPU scheduler: achieved proportional shares,
 * reservations under contention, limits, admission control, affinity,
 * balancing across CPUs, the non-preemptive scheduling points, and CPUs
 * leaving and joining the scheduler.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <vmk/errno.h>
#include "core_env.h"

/* |got - want| <= tol_pct percent of want */
static void assert_near(u64 got, u64 want, u64 tol_pct)
{
	u64 diff = got > want ? got - want : want - got;

	if (diff * 100 > want * tol_pct)
		fail_msg("got %llu, want %llu (+-%llu%%)",
			 (unsigned long long)got, (unsigned long long)want,
			 (unsigned long long)tol_pct);
}

static void test_shares_1_2_4(void **state)
{
	struct world *a = env_world("a", NULL, NULL, 1000, 0, 0);
	struct world *b = env_world("b", NULL, NULL, 2000, 0, 0);
	struct world *c = env_world("c", NULL, NULL, 4000, 0, 0);
	u64 t = 7000 * MS;
	(void)state;

	env_run(t);
	assert_near(env_used(a), t / 7, 1);
	assert_near(env_used(b), 2 * t / 7, 1);
	assert_near(env_used(c), 4 * t / 7, 1);
	/* Without a limit, none of a world's ready time is %MLMTD. */
	struct world_stats ws;

	world_stats(a, &ws);
	assert_int_equal(ws.mlmtd_ns, 0);
	assert_true(ws.ready_ns > t / 2);
}

static void test_reservation_under_contention(void **state)
{
	/* Shares alone would give r 1/9 of the CPU. */
	struct world *r = env_world("r", NULL, NULL, 1000, sched_units_pct(60), 0);
	struct world *x = env_world("x", NULL, NULL, 4000, 0, 0);
	struct world *y = env_world("y", NULL, NULL, 4000, 0, 0);
	u64 t = 5000 * MS;
	(void)state;

	env_run(t);
	assert_true(env_used(r) >= t * 60 / 100 - SCHED_QUANTUM_NS);
	/* The rest is split evenly by shares. */
	assert_near(env_used(x), env_used(y), 2);
}

static void test_limit_alone(void **state)
{
	struct world *l = env_world("l", NULL, NULL, 1000, 0, sched_units_pct(25));
	u64 t = 4000 * MS;
	struct sched_cpu_stats cs;
	struct world_stats ws;
	(void)state;

	env_run(t);
	/* Nothing else wants the CPU, yet l stays at its limit. */
	assert_true(env_used(l) <= t / 4 + SCHED_QUANTUM_NS);
	assert_true(env_used(l) >= t / 4 - 2 * SCHED_QUANTUM_NS);
	sched_cpu_stats(0, &cs);
	assert_true(cs.idle_ns >= t * 70 / 100);
	/* The rest of its time it was ready, held back by the limit. */
	world_stats(l, &ws);
	assert_near(ws.mlmtd_ns, t * 3 / 4, 3);
	assert_true(ws.mlmtd_ns <= ws.ready_ns);
}

static void test_limit_mhz(void **state)
{
	/* 500 MHz of a 2000 MHz CPU. */
	struct world *l = env_world("l", NULL, NULL, 1000, 0, sched_units_mhz(500));
	struct world *o = env_world("o", NULL, NULL, 1000, 0, 0);
	u64 t = 4000 * MS;
	(void)state;

	env_run(t);
	assert_true(env_used(l) <= t / 4 + SCHED_QUANTUM_NS);
	assert_true(env_used(o) >= t * 3 / 4 - SCHED_QUANTUM_NS);
}

static void test_admission(void **state)
{
	struct world_params p = {
		.name = "big", .type = VMK_WORLD_SYSTEM,
		.alloc = { .shares = 1000, .res = sched_units_pct(80),
			   .limit = POOL_UNLIMITED },
	};
	struct world *w, *v;
	struct pool_alloc a;
	(void)state;

	assert_int_equal(world_create(&p, &w), 0);
	p.name = "more";
	p.alloc.res = sched_units_pct(30);
	assert_int_equal(world_create(&p, &v), -ENOSPC);
	assert_non_null(strstr(fake_last_log, "'more'"));
	assert_non_null(strstr(fake_last_log, "'host'"));
	assert_non_null(strstr(fake_last_log, "2000 unreserved"));
	p.alloc.res = sched_units_pct(20);
	assert_int_equal(world_create(&p, &v), 0);
	/* Raising a reservation is admitted the same way. */
	a = w->node.alloc;
	a.res = sched_units_pct(90);
	assert_int_equal(world_set_alloc(w, &a), -ENOSPC);
	assert_int_equal(w->node.alloc.res, sched_units_pct(80));
	/* Nonsense is refused as such. */
	a.res = sched_units_pct(50);
	a.limit = sched_units_pct(40);
	assert_int_equal(world_set_alloc(w, &a), -EINVAL);
	a.limit = POOL_UNLIMITED;
	a.shares = 0;
	assert_int_equal(world_set_alloc(w, &a), -EINVAL);
	/* A world cannot reserve more than one CPU. */
	p.name = "huge";
	p.alloc.res = sched_units_pct(150);
	assert_int_equal(world_create(&p, &v), -EINVAL);
	/* Freed reservation can be taken again. */
	assert_int_equal(world_destroy(w), 0);
	p.name = "again";
	p.alloc.res = sched_units_pct(70);
	assert_int_equal(world_create(&p, &w), 0);
}

static void test_nonpreemptive(void **state)
{
	struct world *a = env_world("a", NULL, NULL, 1000, 0, 0);
	struct world *b = env_world("b", NULL, NULL, 1000, 0, 0);
	struct world *first;
	int i;
	(void)state;

	sched_preempt_point();
	first = sched_current(0);
	assert_true(first == a || first == b);
	/* Ticks past the quantum only ask for a switch ... */
	for (i = 0; i < 30; i++) {
		fake_advance(SCHED_TICK_NS);
		sched_tick();
	}
	assert_true(sched_need_resched(0));
	assert_ptr_equal(sched_current(0), first);
	assert_int_equal(first->state, WORLD_RUNNING);
	/* ... which happens at the next scheduling point. */
	sched_preempt_point();
	assert_true(sched_current(0) != first);
	assert_int_equal(first->state, WORLD_READY);
	assert_false(sched_need_resched(0));
}

static void test_hold_and_release(void **state)
{
	struct world_params p = {
		.name = "console1", .type = VMK_WORLD_CONSOLE,
		.alloc = { .shares = 2000 },
	};
	struct world *c, *a, *b, *idle1 = sched_current(1);
	struct world_stats st;
	(void)state;

	assert_int_equal(world_create(&p, &c), 0);
	sched_hold(1, c);
	assert_ptr_equal(sched_current(1), c);
	assert_int_equal(c->state, WORLD_RUNNING);
	assert_int_equal(idle1->state, WORLD_WAITING);
	/* Nothing is placed on or pulled to the held CPU, and its world
	 * is never switched out, though CPU 0 is overloaded. */
	a = env_world("a", NULL, NULL, 1000, 0, 0);
	b = env_world("b", NULL, NULL, 1000, 0, 0);
	assert_int_equal(a->cpu, 0);
	assert_int_equal(b->cpu, 0);
	env_run(200 * MS);
	assert_ptr_equal(sched_current(1), c);
	assert_int_equal(a->cpu, 0);
	assert_int_equal(b->cpu, 0);
	world_stats(c, &st);
	assert_int_equal(st.used_ns, 200 * MS);
	assert_int_equal(st.ready_ns + st.wait_ns, 0);
	assert_true(env_used(a) >= 95 * MS && env_used(a) <= 105 * MS);
	/* Released, the CPU is the scheduler's: it pulls a or b. */
	sched_release(1, c);
	assert_int_equal(c->state, WORLD_WAITING);
	assert_ptr_equal(sched_current(1), idle1);
	env_run(100 * MS);
	assert_true(sched_current(1) == a || sched_current(1) == b);
	world_stats(c, &st);
	assert_int_equal(st.used_ns, 200 * MS);
	assert_int_equal(st.wait_ns, 100 * MS);
	/* Holding a CPU that runs a world is a vmkernel bug. */
	assert_true(FAKE_CATCH_PANIC(sched_hold(1, c)));
}

static void test_affinity(void **state)
{
	struct world *p = env_world("pinned", NULL, NULL, 1000, 0, 0);
	struct world *q = env_world("q", NULL, NULL, 1000, 0, 0);
	struct world *r = env_world("r", NULL, NULL, 1000, 0, 0);
	(void)state;

	assert_int_equal(sched_set_affinity(p, 1ULL << 1), 0);
	assert_int_equal(sched_set_affinity(q, 1ULL << 5), -EINVAL);
	env_run(2000 * MS);
	assert_int_equal(p->cpu, 1);
	/* p never left CPU 1, and had to share it at times. */
	assert_true(env_used(p) > 600 * MS);
	assert_true(env_used(q) + env_used(r) + env_used(p) >= 3990 * MS);
}

static void test_balance_three_on_two(void **state)
{
	struct world *w[3];
	u64 t = 6000 * MS;
	int i;
	(void)state;

	for (i = 0; i < 3; i++)
		w[i] = env_world(i == 0 ? "w0" : i == 1 ? "w1" : "w2",
				 NULL, NULL, 1000, 0, 0);
	env_run(t);
	/* Each is entitled to two thirds of a CPU; worlds that do not divide
	 * evenly among CPUs get it by rotation, only approximately. */
	for (i = 0; i < 3; i++)
		assert_near(env_used(w[i]), t * 2 / 3, 12);
}

static void test_idle_cpu_pulls(void **state)
{
	struct world *a, *b;
	(void)state;

	a = env_world("a", NULL, NULL, 1000, 0, 0);
	b = env_world("b", NULL, NULL, 1000, 0, 0);
	assert_int_equal(sched_set_affinity(a, 1), 0);
	assert_int_equal(sched_set_affinity(b, 1), 0);
	env_run(100 * MS);
	assert_int_equal(a->cpu, 0);
	assert_int_equal(b->cpu, 0);
	/* Allowed everywhere again: CPU 1 is idle and takes one. */
	assert_int_equal(sched_set_affinity(b, 3), 0);
	env_run(100 * MS);
	assert_true(a->cpu != b->cpu);
	{
		u64 ua = env_used(a), ub = env_used(b);

		env_run(1000 * MS);
		assert_near(env_used(a) - ua, 1000 * MS, 2);
		assert_near(env_used(b) - ub, 1000 * MS, 2);
	}
}

static void test_wakeup_goes_to_idle_cpu(void **state)
{
	struct world *a = env_world("a", NULL, NULL, 1000, 0, 0);
	int ev;
	(void)state;

	env_run(5 * MS);
	fake_set_cpu(a->cpu);
	assert_ptr_equal(sched_current(a->cpu), a);
	world_wait(&ev);
	assert_int_equal(a->state, WORLD_WAITING);
	assert_true(sched_current(a->cpu)->type == VMK_WORLD_IDLE);
	fake_advance(3 * MS);
	assert_int_equal(world_wakeup(&ev), 1);
	assert_int_equal(a->state, WORLD_READY);
	assert_true(sched_need_resched(a->cpu));
	fake_set_cpu(0);
}

static void test_cpu_offline_moves_worlds(void **state)
{
	struct world *a = env_world("a", NULL, NULL, 1000, 0, 0);
	struct world *b = env_world("b", NULL, NULL, 1000, 0, 0);
	u64 ua, ub;
	(void)state;

	env_run(50 * MS);
	assert_true(a->cpu != b->cpu);
	sched_cpu_online(1, false);
	assert_false(sched_cpu_is_online(1));
	env_run(50 * MS);
	/* Its running world left at its scheduling point; nothing came back. */
	assert_int_equal(a->cpu, 0);
	assert_int_equal(b->cpu, 0);
	assert_true(sched_current(1)->type == VMK_WORLD_IDLE);
	ua = env_used(a), ub = env_used(b);
	env_run(1000 * MS);
	assert_near(env_used(a) - ua, 500 * MS, 3);
	assert_near(env_used(b) - ub, 500 * MS, 3);
	/* Online again, the idle CPU pulls one of them. */
	sched_cpu_online(1, true);
	env_run(50 * MS);
	assert_true(a->cpu != b->cpu);
}

static void test_cpu_offline_world_waits(void **state)
{
	struct world *p = env_world("pinned", NULL, NULL, 1000, 0, 0);
	u64 used;
	(void)state;

	assert_int_equal(sched_set_affinity(p, 1ULL << 1), 0);
	env_run(20 * MS);
	assert_int_equal(p->cpu, 1);
	sched_cpu_online(1, false);
	env_run(20 * MS);
	assert_int_equal(sched_cpu_drain(1), 0);
	/* No CPU it may use is online: it waits, queued, and does not run. */
	used = env_used(p);
	env_run(200 * MS);
	assert_int_equal(env_used(p), used);
	assert_int_equal(p->state, WORLD_READY);
	assert_int_equal(p->cpu, 1);
	/* Allowed on CPU 0 too, a drain moves it there. */
	assert_int_equal(sched_set_affinity(p, 3), 0);
	assert_int_equal(sched_cpu_drain(1), 1);
	env_run(100 * MS);
	assert_int_equal(p->cpu, 0);
	assert_true(env_used(p) > used + 90 * MS);
}

static void test_capacity_follows_cpus(void **state)
{
	struct world *r = env_world("r", NULL, NULL, 1000, sched_units_pct(60), 0);
	struct world *w = NULL;
	struct world_params p = {
		.name = "big", .type = VMK_WORLD_SYSTEM,
		.alloc = { .shares = 1000, .res = sched_units_pct(50),
			   .limit = POOL_UNLIMITED },
	};
	(void)state;

	assert_int_equal(pool_set_capacity(sched_units_pct(100)), 0);
	/* 60% + 50% does not fit one CPU. */
	assert_int_equal(world_create(&p, &w), -ENOSPC);
	/* Nor may the CPU go while 60% is reserved. */
	assert_int_equal(pool_set_capacity(0), -EBUSY);
	assert_int_equal(pool_capacity(), sched_units_pct(100));
	assert_int_equal(world_destroy(r), 0);
	assert_int_equal(pool_set_capacity(0), 0);
}

static void test_remove_queued(void **state)
{
	struct world *a = env_world("a", NULL, NULL, 1000, 0, 0);
	struct world *b = env_world("b", NULL, NULL, 1000, 0, 0);
	struct world *run, *queued;
	(void)state;

	env_run(5 * MS);
	run = sched_current(0);
	queued = run == a ? b : a;
	assert_int_equal(sched_remove_queued(run), -EBUSY);
	assert_int_equal(run->state, WORLD_RUNNING);
	assert_int_equal(sched_remove_queued(queued), 0);
	assert_int_equal(queued->state, WORLD_DEAD);
	assert_int_equal(world_destroy(queued), 0);
	env_run(100 * MS);
	assert_ptr_equal(sched_current(0), run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ENV_TEST1(test_shares_1_2_4),
		ENV_TEST1(test_reservation_under_contention),
		ENV_TEST1(test_limit_alone),
		ENV_TEST1(test_limit_mhz),
		ENV_TEST1(test_admission),
		ENV_TEST1(test_nonpreemptive),
		ENV_TEST2(test_hold_and_release),
		ENV_TEST2(test_affinity),
		ENV_TEST2(test_balance_three_on_two),
		ENV_TEST2(test_idle_cpu_pulls),
		ENV_TEST2(test_wakeup_goes_to_idle_cpu),
		ENV_TEST2(test_cpu_offline_moves_worlds),
		ENV_TEST2(test_cpu_offline_world_waits),
		ENV_TEST1(test_capacity_follows_cpus),
		ENV_TEST1(test_remove_queued),
	};

	return cmocka_run_group_tests_name("sched", tests, NULL, NULL);
}
