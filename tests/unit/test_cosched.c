// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of co-scheduling: a VCPU that runs ahead of a sibling held
 * back on a contended CPU is co-stopped (relaxed: alone; strict: with
 * every VCPU ahead), skew stays within the threshold plus one tick, co-
 * stopped time is accounted, and an idle VCPU builds no skew.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <vmk/cosched.h>
#include <vmk/errno.h>
#include "core_env.h"

static struct world_group *vm(enum cosched_mode mode, struct world **v0,
			      struct world **v1)
{
	struct pool_alloc a = { .shares = 2000, .limit = POOL_UNLIMITED };
	struct world_group *g;

	assert_int_equal(world_group_create(NULL, "vm", &a, mode, &g), 0);
	*v0 = env_world("vm.vcpu0", NULL, g, 1000, 0, 0);
	*v1 = env_world("vm.vcpu1", NULL, g, 1000, 0, 0);
	assert_int_equal(g->nvcpus, 2);
	return g;
}

/* VCPU 1 shares CPU 1 with a hog; VCPU 0 has CPU 0 to itself. */
static void contend(struct world *v0, struct world *v1)
{
	struct world *hog = env_world("hog", NULL, NULL, 1000, 0, 0);

	assert_int_equal(sched_set_affinity(v0, 1), 0);
	assert_int_equal(sched_set_affinity(v1, 2), 0);
	assert_int_equal(sched_set_affinity(hog, 2), 0);
}

static u64 run_watch_skew(struct world_group *g, u64 ns)
{
	u64 worst = 0, s, end = arch_now_ns() + ns;

	while (arch_now_ns() < end) {
		env_run(SCHED_TICK_NS);
		s = cosched_skew(g, arch_now_ns());
		worst = s > worst ? s : worst;
	}
	return worst;
}

/* Runs g contended for 2 s: its VCPUs are co-stopped and co-started, and
 * the skew stays within the threshold plus one tick. */
static void run_contended(struct world_group *g, struct world *v0,
			  struct world *v1)
{
	u64 skew;

	contend(v0, v1);
	skew = run_watch_skew(g, 2000 * MS);
	assert_true(g->costops > 0);
	assert_true(g->costarts > 0);
	assert_true(skew <= g->skew_threshold_ns + SCHED_TICK_NS);
}

static void test_relaxed_costops_leader(void **state)
{
	struct world *v0, *v1;
	struct world_group *g = vm(COSCHED_RELAXED, &v0, &v1);
	struct world_stats s0, s1;
	(void)state;

	run_contended(g, v0, v1);
	world_stats(v0, &s0);
	world_stats(v1, &s1);
	/* The leader waited for its sibling instead of running away. */
	assert_true(s0.cstp_ns > 500 * MS);
	assert_true(s0.used_ns <= s1.used_ns + g->skew_threshold_ns + SCHED_TICK_NS);
	/* The laggard is never co-stopped. */
	assert_int_equal(s1.cstp_ns, 0);
}

static void test_strict_bounded(void **state)
{
	struct world *v0, *v1;
	struct world_group *g = vm(COSCHED_STRICT, &v0, &v1);
	struct world_stats s0;
	(void)state;

	run_contended(g, v0, v1);
	world_stats(v0, &s0);
	/* Stopped whenever its sibling is held back by the hog. */
	assert_true(s0.cstp_ns > 100 * MS);
}

static void test_idle_vcpu_builds_no_skew(void **state)
{
	struct world *v0, *v1;
	struct world_group *g = vm(COSCHED_RELAXED, &v0, &v1);
	struct world_stats s0;
	int ev;
	(void)state;

	assert_int_equal(sched_set_affinity(v0, 1), 0);
	assert_int_equal(sched_set_affinity(v1, 2), 0);
	env_run(5 * MS);
	/* VCPU 1 halts (idle); VCPU 0 keeps running alone. */
	fake_set_cpu(1);
	assert_ptr_equal(sched_current(1), v1);
	world_wait(&ev);
	fake_set_cpu(0);
	assert_int_equal(run_watch_skew(g, 500 * MS), 0);
	world_stats(v0, &s0);
	assert_int_equal(s0.cstp_ns, 0);
	/* It comes back level with its sibling, not 500 ms behind. */
	world_wakeup(&ev);
	assert_true(cosched_lead(v0, arch_now_ns()) <= SCHED_TICK_NS);
	env_run(100 * MS);
	world_stats(v0, &s0);
	assert_int_equal(s0.cstp_ns, 0);
}

static void test_group_limits(void **state)
{
	struct pool_alloc a = { .shares = 1000, .limit = POOL_UNLIMITED };
	struct world_group *g;
	struct world *v[GROUP_MAX_VCPUS], *extra;
	struct world_params p = { .name = "too-many", .type = VMK_WORLD_VMM };
	char name[32];
	int i;
	(void)state;

	assert_int_equal(world_group_create(NULL, "big", &a, COSCHED_RELAXED, &g), 0);
	for (i = 0; i < GROUP_MAX_VCPUS; i++) {
		snprintf(name, sizeof(name), "big.vcpu%d", i);
		v[i] = env_world(name, NULL, g, 1000, 0, 0);
	}
	p.group = g;
	assert_int_equal(world_create(&p, &extra), -E2BIG);
	assert_int_equal(world_group_destroy(g), -EBUSY);
	assert_int_equal(world_group_create(NULL, "bad", &a, 7, &g), -EINVAL);
	(void)v;
}

/* A co-stopped VCPU is on no queue and runs only once co-started, which
 * a sibling that has gone never does: a VM's teardown takes it away as it
 * takes a queued one, and it does not run again. */
static void test_costopped_removed(void **state)
{
	struct world *v0, *v1;
	struct world_group *g = vm(COSCHED_RELAXED, &v0, &v1);
	u64 used;
	int i;
	(void)state;

	contend(v0, v1);
	for (i = 0; i < 2000 && v0->state != WORLD_COSTOPPED; i++)
		env_run(SCHED_TICK_NS);
	assert_int_equal(v0->state, WORLD_COSTOPPED);
	assert_true(g->costops > 0);
	assert_int_equal(sched_remove_queued(v0), 0);
	assert_int_equal(v0->state, WORLD_DEAD);
	used = env_used(v0);
	env_run(1000 * MS);
	assert_int_equal(env_used(v0), used);
	assert_int_equal(v0->state, WORLD_DEAD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ENV_TEST2(test_relaxed_costops_leader),
		ENV_TEST2(test_strict_bounded),
		ENV_TEST2(test_idle_vcpu_builds_no_skew),
		ENV_TEST2(test_group_limits),
		ENV_TEST2(test_costopped_removed),
	};

	return cmocka_run_group_tests_name("cosched", tests, NULL, NULL);
}
