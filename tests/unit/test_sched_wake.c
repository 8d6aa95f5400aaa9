// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the scheduler's placement of worlds that arrive or wake
 * after others have run for a long time: a VM's VCPU world is started at
 * VM_CREATE, runs once and waits, long past SCHED_ACTIVE_NS and
 * SCHED_ENTITLE_NS, until VM_START wakes it; its siblings on the CPU may
 * meanwhile have run alone.  Every world, old or newly woken, must get
 * the CPU within a few quanta and its fair share afterwards: none is
 * starved while its virtual time or its CPU's virtual clock catches up.
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

#define NOLD	4
#define NNEW	4
#define NALL	(NOLD + NNEW)

/* A one-VCPU VM on CPU 1, as VM_CREATE makes it: group, world, start. */
static struct world *vm_world(const char *name, u32 shares)
{
	struct pool_alloc a = { .shares = shares, .limit = POOL_UNLIMITED };
	struct world_params p = {
		.name = name, .type = VMK_WORLD_VMM,
		.alloc = { .shares = shares, .limit = POOL_UNLIMITED },
		.affinity = 1ULL << 1,
	};
	struct world_group *g;
	struct world *w = NULL;

	assert_int_equal(world_group_create(NULL, name, &a, COSCHED_RELAXED,
					    &g), 0);
	p.group = g;
	assert_int_equal(world_create(&p, &w), 0);
	assert_int_equal(world_start(w), 0);
	return w;
}

/* The console keeps CPU 0, as on the real path. */
static void hold_console(void)
{
	struct world_params p = {
		.name = "console0", .type = VMK_WORLD_CONSOLE,
		.alloc = { .shares = 2000 },
	};
	struct world *c;

	assert_int_equal(world_create(&p, &c), 0);
	sched_hold(0, c);
	assert_int_equal(pool_set_capacity(SCHED_CPU_UNITS), 0);
}

/* Runs CPU 1 until w is dispatched there, then w waits on ev. */
static void run_once_then_wait(struct world *w, const void *ev)
{
	int i;

	for (i = 0; i < 1000 && sched_current(1) != w; i++)
		env_run(SCHED_TICK_NS);
	assert_ptr_equal(sched_current(1), w);
	fake_set_cpu(1);
	world_wait(ev);
	fake_set_cpu(0);
	assert_int_equal(w->state, WORLD_WAITING);
}

/*
 * Runs for ns, tick by tick, and fails if any of the n worlds goes longer
 * than bound without running; returns the longest such gap seen.
 */
static u64 run_watch_gaps(struct world **w, int n, u64 ns, u64 bound)
{
	u64 last[NALL], used[NALL], worst = 0, now, end = arch_now_ns() + ns;
	int i;

	assert_true(n <= NALL);
	for (i = 0; i < n; i++) {
		last[i] = arch_now_ns();
		used[i] = env_used(w[i]);
	}
	while (arch_now_ns() < end) {
		env_run(SCHED_TICK_NS);
		now = arch_now_ns();
		for (i = 0; i < n; i++) {
			u64 u = env_used(w[i]);

			if (u != used[i] || sched_current(1) == w[i]) {
				used[i] = u;
				last[i] = now;
			}
			if (now - last[i] > worst)
				worst = now - last[i];
			if (now - last[i] > bound)
				fail_msg("%s did not run for %llu ms (bound %llu ms)",
					 w[i]->name,
					 (unsigned long long)((now - last[i]) / MS),
					 (unsigned long long)(bound / MS));
		}
	}
	return worst;
}

/* SFQ's bound: with n equal worlds, each waits at most the others'
 * quanta, plus a tick each for a quantum that ends late. */
static u64 gap_bound(int n)
{
	return (u64)n * (SCHED_QUANTUM_NS + SCHED_TICK_NS);
}

static void test_alone_then_joined(void **state)
{
	struct world *w[2];
	u64 u0, u1;
	(void)state;

	hold_console();
	w[0] = vm_world("first", 1000);
	/* Alone on its CPU for a long time: never switched out. */
	env_run(3000 * MS);
	w[1] = vm_world("second", 1000);
	run_watch_gaps(w, 2, 2000 * MS, gap_bound(2));
	u0 = env_used(w[0]);
	u1 = env_used(w[1]);
	env_run(1000 * MS);
	assert_in_range(env_used(w[0]) - u0, 450 * MS, 550 * MS);
	assert_in_range(env_used(w[1]) - u1, 450 * MS, 550 * MS);
}

static void test_woken_after_long_wait(void **state)
{
	static const char *const names[NALL] = {
		"old0", "old1", "old2", "old3", "new0", "new1", "new2", "new3",
	};
	struct world *w[NALL];
	u64 used[NALL], total = 0;
	int ev[NNEW], i, k;
	(void)state;

	hold_console();
	/* The first VM runs alone a while, then three more join it. */
	w[0] = vm_world(names[0], 1000);
	env_run(2000 * MS);
	for (i = 1; i < NOLD; i++) {
		w[i] = vm_world(names[i], 1000);
		env_run(300 * MS);
	}
	/* More VMs are created: each VCPU runs once and waits. */
	for (k = 0; k < NNEW; k++) {
		w[NOLD + k] = vm_world(names[NOLD + k], 1000);
		run_once_then_wait(w[NOLD + k], &ev[k]);
		env_run(50 * MS);
	}
	/* Far longer than a sleeper stays active or entitlements stay. */
	env_run(20 * SCHED_ACTIVE_NS + 20 * SCHED_ENTITLE_NS);
	for (k = 0; k < NNEW; k++)
		assert_int_equal(w[NOLD + k]->state, WORLD_WAITING);
	/* Started one by one: each gets the CPU within a few quanta, and no
	 * world, old or new, waits longer than SFQ's bound meanwhile. */
	for (k = 0; k < NNEW; k++) {
		assert_int_equal(world_wakeup(&ev[k]), 1);
		run_watch_gaps(w, NOLD + k + 1, 500 * MS,
			       gap_bound(NOLD + k + 1));
	}
	/* Then equal shares. */
	for (i = 0; i < NALL; i++)
		used[i] = env_used(w[i]);
	env_run(2000 * MS);
	for (i = 0; i < NALL; i++) {
		used[i] = env_used(w[i]) - used[i];
		total += used[i];
	}
	assert_in_range(total, 1990 * MS, 2000 * MS);
	for (i = 0; i < NALL; i++)
		assert_in_range(used[i], 2000 * MS / NALL * 9 / 10,
				2000 * MS / NALL * 11 / 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ENV_TEST2(test_alone_then_joined),
		ENV_TEST2(test_woken_after_long_wait),
	};

	return cmocka_run_group_tests_name("sched_wake", tests, NULL, NULL);
}
