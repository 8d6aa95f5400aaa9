// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of worlds: creation and validation, IDs and the table,
 * states, per-state time accounting (%USED, %RDY, %WAIT), wait and wake,
 * and destruction.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <vmk/errno.h>
#include "core_env.h"

static void test_create_and_find(void **state)
{
	struct world_params p = { .name = "helper", .type = VMK_WORLD_HELPER };
	struct world *w, *v;
	u32 id;
	(void)state;

	assert_int_equal(world_count(), 1);	/* idle00 */
	assert_int_equal(world_create(&p, &w), 0);
	assert_int_equal(w->state, WORLD_NEW);
	assert_string_equal(w->name, "helper");
	assert_ptr_equal(world_find(w->id), w);
	assert_int_equal(world_count(), 2);
	id = w->id;
	assert_int_equal(world_destroy(w), 0);
	assert_null(world_find(id));
	/* A new world in the same slot has a new ID. */
	assert_int_equal(world_create(&p, &v), 0);
	assert_true(v->id != id);
	assert_null(world_find(id));
	/* Bad requests. */
	p.name = "";
	assert_int_equal(world_create(&p, &w), -EINVAL);
	p.name = "a-world-name-that-is-far-too-long";
	assert_int_equal(world_create(&p, &w), -EINVAL);
	p.name = "x";
	p.type = VMK_WORLD_IDLE;
	assert_int_equal(world_create(&p, &w), -EINVAL);
	p.type = 99;
	assert_int_equal(world_create(&p, &w), -EINVAL);
	assert_int_equal(world_destroy(sched_current(0)), -EPERM);
	assert_int_equal(world_start(sched_current(0)), -EINVAL);
}

static void test_iterate(void **state)
{
	struct world *w;
	int n = 0, sys = 0;
	(void)state;

	env_world("s1", NULL, NULL, 1000, 0, 0);
	env_world("s2", NULL, NULL, 1000, 0, 0);
	for (w = world_next(NULL); w; w = world_next(w)) {
		n++;
		sys += w->type == VMK_WORLD_SYSTEM;
	}
	assert_int_equal(n, 3);
	assert_int_equal(sys, 2);
}

static void test_accounting(void **state)
{
	struct world *a = env_world("a", NULL, NULL, 1000, 0, 0);
	struct world *b = env_world("b", NULL, NULL, 1000, 0, 0);
	struct world_stats sa, sb;
	int ev;
	(void)state;

	env_run(1000 * MS);
	world_stats(a, &sa);
	world_stats(b, &sb);
	/* Two CPU-bound worlds on one CPU: 50% used, 50% ready each. */
	assert_int_equal(sa.used_ns + sa.ready_ns, 1000 * MS);
	assert_int_equal(sb.used_ns + sb.ready_ns, 1000 * MS);
	assert_true(sa.used_ns >= 490 * MS && sa.used_ns <= 510 * MS);
	assert_int_equal(sa.wait_ns, 0);
	assert_int_equal(sa.cstp_ns, 0);
	/* a waits 300 ms: that is %WAIT, and b runs alone meanwhile. */
	while (sched_current(0) != a)
		env_run(SCHED_TICK_NS);
	world_wait(&ev);
	assert_int_equal(a->state, WORLD_WAITING);
	assert_ptr_equal(sched_current(0), b);
	world_stats(b, &sb);
	env_run(300 * MS);
	assert_int_equal(world_wakeup(&ev), 1);
	assert_int_equal(world_wakeup(&ev), 0);
	assert_int_equal(a->state, WORLD_READY);
	{
		struct world_stats s2;

		world_stats(a, &sa);
		assert_int_equal(sa.wait_ns, 300 * MS);
		world_stats(b, &s2);
		assert_int_equal(s2.used_ns - sb.used_ns, 300 * MS);
	}
	assert_string_equal(world_state_name(WORLD_COSTOPPED), "co-stopped");
}

static void test_wakeup_one_in_order(void **state)
{
	struct world *a = env_world("a", NULL, NULL, 1000, 0, 0);
	struct world *b = env_world("b", NULL, NULL, 1000, 0, 0);
	int ev;
	(void)state;

	while (sched_current(0) != a)
		env_run(SCHED_TICK_NS);
	world_wait(&ev);
	while (sched_current(0) != b)
		env_run(SCHED_TICK_NS);
	world_wait(&ev);
	assert_true(sched_current(0)->type == VMK_WORLD_IDLE);
	/* The longest waiter first. */
	assert_true(world_wakeup_one(&ev));
	assert_int_equal(a->state, WORLD_READY);
	assert_int_equal(b->state, WORLD_WAITING);
	/* Another event wakes no one. */
	assert_int_equal(world_wakeup(&a), 0);
	/* A waiting world can be destroyed; it leaves the wait list. */
	assert_int_equal(world_destroy(b), 0);
	assert_false(world_wakeup_one(&ev));
}

static void test_destroy_running_refused(void **state)
{
	struct world *a = env_world("a", NULL, NULL, 1000, 0, 0);
	(void)state;

	env_run(2 * MS);
	assert_ptr_equal(sched_current(0), a);
	assert_int_equal(world_destroy(a), -EBUSY);
	/* It may leave by itself. */
	world_exit();
	assert_int_equal(a->state, WORLD_DEAD);
	assert_true(sched_current(0)->type == VMK_WORLD_IDLE);
	assert_int_equal(world_destroy(a), 0);
}

static void test_ids_and_listing(void **state)
{
	struct world_params p = { .name = "helper", .type = VMK_WORLD_HELPER };
	struct vmk_world_info wi;
	struct world *a, *b;
	u32 cursor = 0, n = 0, id;
	(void)state;

	/* The first world (idle00) has the first ID; IDs come in slot order. */
	assert_int_equal(sched_current(0)->id, WORLD_ID_FIRST);
	assert_int_equal(world_current_id(), WORLD_ID_FIRST);
	a = env_world("a", NULL, NULL, 3000, 0, 0);
	assert_int_equal(a->id, WORLD_ID_FIRST + 1);
	assert_int_equal(world_slot_of(a), 1);
	assert_int_equal(world_create(&p, &b), 0);
	id = b->id;
	assert_int_equal(world_destroy(b), 0);
	assert_int_equal(world_create(&p, &b), 0);
	assert_true(b->id != id);
	assert_null(world_find(0));
	assert_null(world_find(id));

	env_run(100 * MS);
	while (world_info_next(&cursor, &wi)) {
		assert_int_equal(wi.next, cursor);
		if (wi.id == a->id) {
			assert_string_equal(wi.name, "a");
			assert_int_equal(wi.type, VMK_WORLD_SYSTEM);
			assert_int_equal(wi.shares, 3000);
			assert_string_equal(wi.group, "");
			/* Alone on the CPU: it ran all the time it was not new. */
			assert_int_equal(wi.used_ns + wi.ready_ns, 100 * MS);
			assert_true(wi.used_ns >= 99 * MS);
			assert_int_equal(wi.wait_ns, 0);
		}
		n++;
	}
	assert_int_equal(n, 3);
	assert_int_equal(cursor, WORLD_MAX);
	/* A cursor past the end finds nothing. */
	assert_false(world_info_next(&cursor, &wi));
}

static void test_idle_cannot_block(void **state)
{
	int ev;
	(void)state;

	assert_true(FAKE_CATCH_PANIC(world_wait(&ev)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ENV_TEST1(test_create_and_find),
		ENV_TEST1(test_iterate),
		ENV_TEST1(test_accounting),
		ENV_TEST1(test_wakeup_one_in_order),
		ENV_TEST1(test_destroy_running_refused),
		ENV_TEST1(test_ids_and_listing),
		ENV_TEST1(test_idle_cannot_block),
	};

	return cmocka_run_group_tests_name("world", tests, NULL, NULL);
}
