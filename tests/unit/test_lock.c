// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the ranked locks: spinlocks, IRQ locks and semaphores,
 * and the debug build's rank checking (violations must be caught and
 * name both locks and where they were taken).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <vmk/lock.h>
#include "fake.h"

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
	};

	return cmocka_run_group_tests_name("lock", tests, NULL, NULL);
}
