/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared set-up for the host tests of worlds, the scheduler, pools and
 * co-scheduling: a fresh page arena, a world heap, the scheduler and the
 * world table on the fake arch, and a helper that runs the CPUs for a
 * while (timer ticks and preemption points, as the vmkernel would).
 */
#ifndef TESTS_UNIT_CORE_ENV_H
#define TESTS_UNIT_CORE_ENV_H

#include <stdio.h>
#include <stdlib.h>

#include <vmk/arch.h>
#include <vmk/heap.h>
#include <vmk/page.h>
#include <vmk/sched.h>
#include <vmk/world.h>
#include "fake.h"

#define ENV_REGION	(16ULL << 20)
#define MS		1000000ULL

static void *env_region;
static struct page_arena env_arena;

static void env_switch(struct world *prev, struct world *next)
{
	(void)prev, (void)next;
}

static void env_start(u32 ncpus)
{
	static int gen;
	struct heap *h = calloc(1, sizeof(*h));
	char name[HEAP_NAME_LEN];

	assert_non_null(h);
	fake_log_level = -1;
	fake_set_cpu(0);
	fake_set_now(1000 * MS);
	fake_switch_hook = env_switch;
	fake_switch_reset();
	env_region = aligned_alloc(PAGE_SIZE, ENV_REGION);
	assert_non_null(env_region);
	assert_int_equal(page_arena_init(&env_arena, pa(0x200000), ENV_REGION,
					 env_region), 0);
	snprintf(name, sizeof(name), "world-%d", gen++);
	assert_int_equal(heap_create(h, name, &env_arena, 0), 0);
	assert_int_equal(sched_init(ncpus, 2000), 0);
	assert_int_equal(world_init(h, ncpus), 0);
}

static int env_teardown(void **state)
{
	(void)state;
	free(env_region);
	return 0;
}

/* cmocka set-ups: a fresh environment of one or two CPUs. */
static __attribute__((unused)) int env_setup1(void **state)
{
	(void)state;
	env_start(1);
	return 0;
}

static __attribute__((unused)) int env_setup2(void **state)
{
	(void)state;
	env_start(2);
	return 0;
}

/* A test run in its own environment of one or two CPUs. */
#define ENV_TEST1(f)	cmocka_unit_test_setup_teardown(f, env_setup1, env_teardown)
#define ENV_TEST2(f)	cmocka_unit_test_setup_teardown(f, env_setup2, env_teardown)

static __attribute__((unused)) struct world *env_world(const char *name, struct pool_node *pool,
			       struct world_group *g, u32 shares, u64 res,
			       u64 limit)
{
	struct world_params p = {
		.name = name, .type = g ? VMK_WORLD_VMM : VMK_WORLD_SYSTEM,
		.pool = pool, .group = g,
		.alloc = { .shares = shares, .res = res,
			   .limit = limit ? limit : POOL_UNLIMITED },
	};
	struct world *w = NULL;

	assert_int_equal(world_create(&p, &w), 0);
	assert_int_equal(world_start(w), 0);
	return w;
}

/* Runs every CPU for ns: ticks, then each CPU's preemption point. */
static __attribute__((unused)) void env_run(u64 ns)
{
	u64 end = arch_now_ns() + ns;
	u32 cpu;

	while (arch_now_ns() < end) {
		fake_advance(SCHED_TICK_NS);
		for (cpu = 0; cpu < sched_ncpus(); cpu++) {
			fake_set_cpu(cpu);
			sched_tick();
		}
		for (cpu = 0; cpu < sched_ncpus(); cpu++) {
			fake_set_cpu(cpu);
			sched_preempt_point();
		}
	}
	fake_set_cpu(0);
}

static __attribute__((unused)) u64 env_used(struct world *w)
{
	struct world_stats st;

	world_stats(w, &st);
	return st.used_ns;
}

#endif
