// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the ranked locks: spinlocks, IRQ locks and semaphores
 * (binary, counting, blocking through the world wait queues), and the
 * debug build's rank checking (violations must be caught and
 * name both locks and where they were taken).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <vmk/errno.h>
#include <vmk/lock.h>
#include <vmk/sem.h>
#include "core_env.h"

static int setup(void **state)
{
	(void)state;
	fake_set_cpu(0);
	fake_log_level = -1;
	return 0;
}

static void test_spin_basic(void **state)
{
	struct spinlock a = SPINLOCK_INIT("a", LOCK_RANK_POOL);
	(void)state;

	assert_int_equal(lock_held_count(), 0);
	spin_lock(&a);
	assert_true(spin_is_locked(&a));
	assert_int_equal(lock_held_count(), 1);
	/* A held lock cannot be taken again, not even by a try. */
	assert_false(spin_trylock(&a));
	spin_unlock(&a);
	assert_false(spin_is_locked(&a));
	assert_int_equal(lock_held_count(), 0);
	assert_true(spin_trylock(&a));
	assert_int_equal(lock_held_count(), 1);
	spin_unlock(&a);
}

static void test_rising_ranks_pass(void **state)
{
	struct spinlock pool = SPINLOCK_INIT("pool", LOCK_RANK_POOL);
	struct spinlock rq0 = SPINLOCK_INIT("rq0", LOCK_RANK_RUNQUEUE);
	struct spinlock rq1 = SPINLOCK_INIT("rq1", LOCK_RANK_RUNQUEUE + 1);
	struct spinlock heap = SPINLOCK_INIT("heap", LOCK_RANK_HEAP);
	(void)state;

	spin_lock(&pool);
	spin_lock(&rq0);
	spin_lock(&rq1);
	spin_lock(&heap);
	assert_int_equal(lock_held_count(), 4);
	/* Release order is free. */
	spin_unlock(&rq0);
	spin_unlock(&pool);
	spin_unlock(&heap);
	spin_unlock(&rq1);
	assert_int_equal(lock_held_count(), 0);
}

static void test_rank_violation_detected(void **state)
{
	struct spinlock heap = SPINLOCK_INIT("heap-x", LOCK_RANK_HEAP);
	struct spinlock pool = SPINLOCK_INIT("pool-y", LOCK_RANK_POOL);
	bool panicked;
	int line;
	char want[64];
	(void)state;

	spin_lock(&heap);
	line = __LINE__ + 1;
	panicked = FAKE_CATCH_PANIC(spin_lock(&pool));
	assert_true(panicked);
	/* The wrong lock was not taken; the message names both and where. */
	assert_false(spin_is_locked(&pool));
	assert_non_null(strstr(fake_panic_msg, "rank violation"));
	assert_non_null(strstr(fake_panic_msg, "'pool-y'"));
	assert_non_null(strstr(fake_panic_msg, "'heap-x'"));
	snprintf(want, sizeof(want), "test_lock.c:%d", line);
	assert_non_null(strstr(fake_panic_msg, want));
	snprintf(want, sizeof(want), "test_lock.c:%d", line - 2);
	assert_non_null(strstr(fake_panic_msg, want));
	spin_unlock(&heap);
	assert_int_equal(lock_held_count(), 0);
}

static void test_equal_rank_is_a_violation(void **state)
{
	struct spinlock a = SPINLOCK_INIT("rq-a", LOCK_RANK_RUNQUEUE + 3);
	struct spinlock b = SPINLOCK_INIT("rq-b", LOCK_RANK_RUNQUEUE + 3);
	struct spinlock lower = SPINLOCK_INIT("rq-low", LOCK_RANK_RUNQUEUE + 2);
	(void)state;

	spin_lock(&a);
	assert_true(FAKE_CATCH_PANIC(spin_lock(&b)));
	/* Run queues must be taken in CPU order. */
	assert_true(FAKE_CATCH_PANIC(spin_lock(&lower)));
	assert_non_null(strstr(fake_panic_msg, "'rq-low'"));
	spin_unlock(&a);
}

static void test_recursion_detected(void **state)
{
	struct spinlock a = SPINLOCK_INIT("self", LOCK_RANK_WAIT);
	(void)state;

	spin_lock(&a);
	assert_true(FAKE_CATCH_PANIC(spin_lock(&a)));
	assert_non_null(strstr(fake_panic_msg, "already held"));
	spin_unlock(&a);
}

static void test_trylock_out_of_order_allowed(void **state)
{
	struct spinlock heap = SPINLOCK_INIT("heap", LOCK_RANK_HEAP);
	struct spinlock pool = SPINLOCK_INIT("pool", LOCK_RANK_POOL);
	struct spinlock page = SPINLOCK_INIT("page", LOCK_RANK_PAGE);
	(void)state;

	spin_lock(&heap);
	/* A try never waits, so it cannot deadlock ... */
	assert_true(spin_trylock(&pool));
	/* ... and what it took is tracked like any held lock. */
	assert_int_equal(lock_held_count(), 2);
	spin_lock(&page);
	spin_unlock(&page);
	spin_unlock(&pool);
	spin_unlock(&heap);
	assert_int_equal(lock_held_count(), 0);
}

static void test_per_cpu_tracking(void **state)
{
	struct spinlock heap = SPINLOCK_INIT("heap", LOCK_RANK_HEAP);
	struct spinlock pool = SPINLOCK_INIT("pool", LOCK_RANK_POOL);
	(void)state;

	fake_set_cpu(0);
	spin_lock(&heap);
	/* Another CPU holds nothing: the low rank is fine there. */
	fake_set_cpu(1);
	assert_int_equal(lock_held_count(), 0);
	spin_lock(&pool);
	spin_unlock(&pool);
	fake_set_cpu(0);
	spin_unlock(&heap);
}

static void test_unlock_not_held_panics(void **state)
{
	struct spinlock a = SPINLOCK_INIT("a", LOCK_RANK_POOL);
	(void)state;

	assert_true(FAKE_CATCH_PANIC(spin_unlock(&a)));
}

static void test_irqlock(void **state)
{
	struct irqlock l;
	struct irqlock inner;
	unsigned long f, g;
	(void)state;

	irqlock_init(&l, "irq", LOCK_RANK_WAIT);
	irqlock_init(&inner, "irq-inner", LOCK_RANK_LOG);
	assert_true(fake_irq_enabled());
	f = irqlock_lock(&l);
	assert_false(fake_irq_enabled());
	g = irqlock_lock(&inner);
	irqlock_unlock(&inner, g);
	/* The inner unlock restores "disabled", as it found it. */
	assert_false(fake_irq_enabled());
	assert_false(irqlock_trylock(&l, &g));
	assert_false(fake_irq_enabled());
	irqlock_unlock(&l, f);
	assert_true(fake_irq_enabled());
	assert_true(irqlock_trylock(&l, &f));
	assert_false(fake_irq_enabled());
	irqlock_unlock(&l, f);
	assert_true(fake_irq_enabled());
	assert_int_equal(lock_held_count(), 0);
}

static void test_sem_counting_try(void **state)
{
	struct sem s;
	(void)state;

	assert_int_equal(sem_init_counting(&s, "io", LOCK_RANK_SEM_IO, -1), -EINVAL);
	assert_int_equal(sem_init_counting(&s, "io", LOCK_RANK_SEM_IO, 2), 0);
	assert_true(sem_trydown(&s));
	assert_true(sem_trydown(&s));
	assert_false(sem_trydown(&s));
	sem_up(&s);
	assert_true(sem_trydown(&s));
	sem_up(&s);
	sem_up(&s);
	assert_int_equal(s.count, 2);
}

static void test_sem_binary(void **state)
{
	struct world *a = env_world("a", NULL, NULL, 1000, 0, 0);
	struct sem m;
	(void)state;

	env_run(2 * MS);
	assert_ptr_equal(sched_current(0), a);
	sem_init_binary(&m, "cfg", LOCK_RANK_SEM_CONFIG);
	sem_down(&m);
	assert_int_equal(a->sems.depth, 1);
	assert_false(sem_trydown(&m));
	sem_up(&m);
	assert_int_equal(a->sems.depth, 0);
	/* Releasing a free mutex is a bug. */
	assert_true(FAKE_CATCH_PANIC(sem_up(&m)));
}

static struct sem blk_sem;
static struct world *blk_holder;
static int blk_hook_runs;

/* Plays the holder: it runs while the blocked world waits, and releases. */
static void blk_hook(struct world *prev, struct world *next)
{
	(void)prev;
	blk_hook_runs++;
	assert_ptr_equal(next, blk_holder);
	assert_int_equal(prev->state, WORLD_WAITING);
	sem_up(&blk_sem);
	assert_int_equal(prev->state, WORLD_READY);
}

static void test_sem_blocks_and_wakes(void **state)
{
	struct world *h = env_world("holder", NULL, NULL, 1000, 0, 0);
	struct world *w = env_world("waiter", NULL, NULL, 1000, 0, 0);
	(void)state;

	sem_init_binary(&blk_sem, "cfg", LOCK_RANK_SEM_CONFIG);
	while (sched_current(0) != h)
		env_run(SCHED_TICK_NS);
	sem_down(&blk_sem);		/* the holder takes it */
	while (sched_current(0) != w)
		env_run(SCHED_TICK_NS);
	blk_holder = h;
	fake_switch_hook = blk_hook;
	sem_down(&blk_sem);		/* the waiter blocks, holder releases */
	fake_switch_hook = env_switch;
	assert_int_equal(blk_hook_runs, 1);
	/* The unit went to the waiter. */
	assert_int_equal(blk_sem.count, 0);
	assert_int_equal(blk_sem.waiters, 0);
	assert_int_equal(h->sems.depth, 0);
}

static void test_sem_block_without_runner_panics(void **state)
{
	struct world *a = env_world("a", NULL, NULL, 1000, 0, 0);
	struct sem s;
	(void)state;

	assert_int_equal(sem_init_counting(&s, "io", LOCK_RANK_SEM_IO, 0), 0);
	env_run(2 * MS);
	assert_ptr_equal(sched_current(0), a);
	fake_switch_hook = NULL;
	assert_true(FAKE_CATCH_PANIC(sem_down(&s)));
	fake_switch_hook = env_switch;
	assert_int_equal(a->state, WORLD_WAITING);
}

static void test_sem_rank_checked(void **state)
{
	struct world *a = env_world("a", NULL, NULL, 1000, 0, 0);
	struct sem hi, lo;
	struct spinlock sl = SPINLOCK_INIT("spin", LOCK_RANK_POOL);
	(void)state;

	env_run(2 * MS);
	assert_ptr_equal(sched_current(0), a);
	sem_init_binary(&hi, "sem-world", LOCK_RANK_SEM_WORLD);
	sem_init_binary(&lo, "sem-config", LOCK_RANK_SEM_CONFIG);
	sem_down(&hi);
	/* A lower-ranked semaphore under a higher one. */
	assert_true(FAKE_CATCH_PANIC(sem_down(&lo)));
	assert_non_null(strstr(fake_panic_msg, "'sem-config'"));
	assert_non_null(strstr(fake_panic_msg, "'sem-world'"));
	sem_up(&hi);
	/* A semaphore while holding a spinlock: it could sleep. */
	spin_lock(&sl);
	assert_true(FAKE_CATCH_PANIC(sem_down(&lo)));
	spin_unlock(&sl);
	/* In order, all is well. */
	sem_down(&lo);
	sem_down(&hi);
	sem_up(&lo);
	sem_up(&hi);
	assert_int_equal(a->sems.depth, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_spin_basic, setup),
		cmocka_unit_test_setup(test_rising_ranks_pass, setup),
		cmocka_unit_test_setup(test_rank_violation_detected, setup),
		cmocka_unit_test_setup(test_equal_rank_is_a_violation, setup),
		cmocka_unit_test_setup(test_recursion_detected, setup),
		cmocka_unit_test_setup(test_trylock_out_of_order_allowed, setup),
		cmocka_unit_test_setup(test_per_cpu_tracking, setup),
		cmocka_unit_test_setup(test_unlock_not_held_panics, setup),
		cmocka_unit_test_setup(test_irqlock, setup),
		ENV_TEST1(test_sem_counting_try),
		ENV_TEST1(test_sem_binary),
		ENV_TEST1(test_sem_blocks_and_wakes),
		ENV_TEST1(test_sem_block_without_runner_panics),
		ENV_TEST1(test_sem_rank_checked),
	};

	return cmocka_run_group_tests_name("lock", tests, NULL, NULL);
}
