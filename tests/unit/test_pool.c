// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of resource pools: hierarchical shares, reservations bounded
 * by the parent, expandable reservations borrowing from above, pool
 * limits bounding their children, and unused reservation lent out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <vmk/errno.h>
#include "core_env.h"

static struct pool_alloc pa_(u32 shares, u64 res, u64 limit, bool exp)
{
	return (struct pool_alloc){ .shares = shares, .res = res,
				    .limit = limit ? limit : POOL_UNLIMITED,
				    .expandable = exp };
}

static void test_hierarchical_shares(void **state)
{
	static struct pool p1, p2;
	struct pool_alloc a = pa_(1000, 0, 0, false);
	struct world *a1, *a2, *b;
	u64 t = 4000 * MS;
	int ev;
	(void)state;

	assert_int_equal(pool_create(&p1, pool_root(), "p1", &a), 0);
	assert_int_equal(pool_create(&p2, pool_root(), "p2", &a), 0);
	a1 = env_world("a1", &p1.node, NULL, 1000, 0, 0);
	a2 = env_world("a2", &p1.node, NULL, 1000, 0, 0);
	b = env_world("b", &p2.node, NULL, 1000, 0, 0);
	sched_entitle();
	/* Shares divide among siblings: p1 and p2 get half each. */
	assert_int_equal(p1.node.entitled, 5000);
	assert_int_equal(p2.node.entitled, 5000);
	assert_int_equal(a1->node.entitled, 2500);
	env_run(t);
	assert_true(env_used(b) > t / 2 - 20 * MS && env_used(b) < t / 2 + 20 * MS);
	assert_true(env_used(a1) > t / 4 - 20 * MS);
	/* a2 leaves for good: a1 inherits p1's half, not a third. */
	fake_set_cpu(a2->cpu);
	while (sched_current(0) != a2)
		env_run(SCHED_TICK_NS);
	world_wait(&ev);
	env_run(SCHED_ACTIVE_NS + SCHED_ENTITLE_NS);
	{
		u64 ua = env_used(a1), ub = env_used(b);

		env_run(t);
		assert_true(env_used(a1) - ua > t / 2 - 20 * MS);
		assert_true(env_used(b) - ub > t / 2 - 20 * MS);
	}
	assert_int_equal(pool_destroy(&p2), -EBUSY);
}

static void test_fixed_reservation_bounds_children(void **state)
{
	static struct pool p;
	struct pool_alloc a = pa_(1000, sched_units_pct(50), 0, false);
	struct world_params wp = { .name = "w", .type = VMK_WORLD_SYSTEM,
				   .pool = &p.node };
	struct world *w;
	(void)state;

	assert_int_equal(pool_create(&p, pool_root(), "fixed", &a), 0);
	wp.alloc = pa_(1000, sched_units_pct(60), 0, false);
	assert_int_equal(world_create(&wp, &w), -ENOSPC);
	assert_non_null(strstr(fake_last_log, "'fixed'"));
	assert_int_equal(pool_unreserved(&p.node), sched_units_pct(50));
	wp.alloc.res = sched_units_pct(40);
	assert_int_equal(world_create(&wp, &w), 0);
	assert_int_equal(pool_unreserved(&p.node), sched_units_pct(10));
	/* The pool cannot shrink below what its children hold. */
	a.res = sched_units_pct(30);
	assert_int_equal(pool_set_alloc(&p.node, &a), -ENOSPC);
	/* The host sees only the pool's own reservation. */
	assert_int_equal(pool_unreserved(pool_root()), sched_units_pct(50));
}

static void test_expandable_borrows(void **state)
{
	static struct pool top, exp;
	struct pool_alloc a = pa_(1000, sched_units_pct(60), 0, false);
	struct world_params wp = { .name = "w", .type = VMK_WORLD_SYSTEM,
				   .pool = &exp.node };
	struct world *w, *v;
	(void)state;

	assert_int_equal(pool_create(&top, pool_root(), "top", &a), 0);
	a = pa_(1000, sched_units_pct(10), 0, true);
	assert_int_equal(pool_create(&exp, &top.node, "exp", &a), 0);
	/* 10% of its own plus 50% borrowed from "top". */
	assert_int_equal(pool_unreserved(&exp.node), sched_units_pct(60));
	wp.alloc = pa_(1000, sched_units_pct(45), 0, false);
	assert_int_equal(world_create(&wp, &w), 0);
	assert_int_equal(top.node.child_res, sched_units_pct(45));
	wp.name = "v";
	wp.alloc.res = sched_units_pct(20);
	assert_int_equal(world_create(&wp, &v), -ENOSPC);
	assert_non_null(strstr(fake_last_log, "'top'"));
	wp.alloc.res = sched_units_pct(15);
	assert_int_equal(world_create(&wp, &v), 0);
	assert_int_equal(pool_unreserved(&exp.node), 0);
	/* Giving a reservation back returns it up the tree. */
	assert_int_equal(world_destroy(w), 0);
	assert_int_equal(top.node.child_res, sched_units_pct(15));
}

static void test_pool_limit_bounds_children(void **state)
{
	static struct pool p;
	struct pool_alloc a = pa_(1000, 0, sched_units_pct(50), false);
	struct world *x, *y;
	struct sched_cpu_stats cs;
	u64 t = 4000 * MS;
	(void)state;

	assert_int_equal(pool_create(&p, pool_root(), "capped", &a), 0);
	x = env_world("x", &p.node, NULL, 1000, 0, 0);
	y = env_world("y", &p.node, NULL, 3000, 0, 0);
	env_run(t);
	/* Alone on the CPU, yet together within the pool's 50% ... */
	assert_true(env_used(x) + env_used(y) <= t / 2 + 2 * SCHED_QUANTUM_NS);
	assert_true(env_used(x) + env_used(y) >= t / 2 - 4 * SCHED_QUANTUM_NS);
	/* ... divided 1:3 inside it. */
	assert_true(env_used(y) > 2 * env_used(x));
	sched_cpu_stats(0, &cs);
	assert_true(cs.idle_ns > t * 45 / 100);
}

static void test_unused_reservation_lent(void **state)
{
	struct world *r, *o;
	u64 t = 2000 * MS;
	int ev;
	(void)state;

	r = env_world("r", NULL, NULL, 1000, sched_units_pct(80), 0);
	o = env_world("o", NULL, NULL, 1000, 0, 0);
	while (sched_current(0) != r)
		env_run(SCHED_TICK_NS);
	world_wait(&ev);
	env_run(SCHED_ACTIVE_NS + SCHED_ENTITLE_NS);
	{
		u64 u = env_used(o);

		env_run(t);
		/* r's 80% is not held idle: o gets the whole CPU. */
		assert_true(env_used(o) - u >= t - SCHED_QUANTUM_NS);
	}
	/* Back: r gets its reservation at once. */
	world_wakeup(&ev);
	{
		u64 u = env_used(r);

		env_run(t);
		assert_true(env_used(r) - u >= t * 80 / 100 - 2 * SCHED_QUANTUM_NS);
	}
}

/* Pools shared by name: one pool per name, made on first use, gone
 * with its last user, a full table refused. */
static void test_pool_refs(void **state)
{
	static struct pool_ref t[2];
	struct pool_ref *a, *b, *c;
	int err;
	(void)state;

	assert_null(pool_ref_get(t, 2, "", &err));
	assert_int_equal(err, 0);
	a = pool_ref_get(t, 2, "gold", &err);
	assert_non_null(a);
	b = pool_ref_get(t, 2, "gold", &err);
	assert_ptr_equal(a, b);
	assert_int_equal(a->refs, 2);
	assert_ptr_equal(a->p.node.parent, pool_root());
	c = pool_ref_get(t, 2, "silver", &err);
	assert_non_null(c);
	assert_ptr_not_equal(c, a);
	assert_null(pool_ref_get(t, 2, "bronze", &err));
	assert_int_equal(err, -ENOSPC);
	pool_ref_put(b);
	assert_int_equal(a->refs, 1);
	assert_ptr_equal(a->p.node.parent, pool_root());
	pool_ref_put(a);
	assert_int_equal(a->refs, 0);
	assert_null(a->p.node.parent);
	/* Its slot serves a new name. */
	assert_ptr_equal(pool_ref_get(t, 2, "bronze", &err), a);
	pool_ref_put(a);
	pool_ref_put(c);
	pool_ref_put(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ENV_TEST1(test_hierarchical_shares),
		ENV_TEST1(test_fixed_reservation_bounds_children),
		ENV_TEST1(test_expandable_borrows),
		ENV_TEST1(test_pool_limit_bounds_children),
		ENV_TEST1(test_unused_reservation_lent),
		ENV_TEST1(test_pool_refs),
	};

	return cmocka_run_group_tests_name("pool", tests, NULL, NULL);
}
