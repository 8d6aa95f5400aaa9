// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the hand-over of a world between CPUs: a world that
 * waits or yields on one CPU becomes visible to the others (woken,
 * queued, pulled by an idle CPU) before its CPU has stored its stack
 * pointer and left its stack.  A two-VCPU VM whose VCPUs halt and wake
 * each other with IPIs meets that window constantly.  The fake arch
 * plays the window (fake_window_hook): there the other CPU wakes the
 * world and, idle, would pull it and switch to it; the waker must wait
 * until the first CPU has saved it, and the balancer must leave a world
 * still being switched away from, so that it never runs on the stack
 * the first CPU is still on.
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

#define VM_CPUS	((1ULL << 1) | (1ULL << 2))

static struct world *sw_v[2];
static u32 sw_cpu[2];
static int sw_ev[2];
static u32 sw_spins;
static bool sw_panicked;

static void sw_relax(void)
{
	/* The CPU the spinner waits for goes on and finishes its switch. */
	sw_spins++;
	fake_switch_save(sw_cpu[0]);
}

/* The console holds CPU 0; a two-VCPU VM gets CPUs 1 and 2, each VCPU
 * running on its own. */
static void sw_setup_vm(void)
{
	struct world_params c = {
		.name = "console0", .type = VMK_WORLD_CONSOLE,
		.alloc = { .shares = 2000 },
	};
	struct pool_alloc a = { .shares = 2000, .limit = POOL_UNLIMITED };
	struct world_group *g;
	struct world *con;
	int i;

	assert_int_equal(world_create(&c, &con), 0);
	sched_hold(0, con);
	assert_int_equal(pool_set_capacity(2 * SCHED_CPU_UNITS), 0);
	assert_int_equal(world_group_create(NULL, "smp", &a, COSCHED_RELAXED,
					    &g), 0);
	for (i = 0; i < 2; i++) {
		struct world_params p = {
			.name = i ? "vcpu1" : "vcpu0", .type = VMK_WORLD_VMM,
			.group = g, .affinity = VM_CPUS,
			.alloc = { .shares = 1000, .limit = POOL_UNLIMITED },
		};

		assert_int_equal(world_create(&p, &sw_v[i]), 0);
		assert_int_equal(world_start(sw_v[i]), 0);
	}
	for (i = 0; i < 100 && (sched_current(1)->type != VMK_WORLD_VMM ||
				sched_current(2)->type != VMK_WORLD_VMM); i++)
		env_run(SCHED_TICK_NS);
	for (i = 0; i < 2; i++) {
		sw_cpu[i] = sw_v[i]->cpu;
		assert_ptr_equal(sched_current(sw_cpu[i]), sw_v[i]);
		assert_ptr_equal(fake_stack_of(sw_cpu[i]), sw_v[i]);
		assert_int_equal(sw_v[i]->on_cpu, 1);
	}
	assert_int_not_equal(sw_cpu[0], sw_cpu[1]);
	sw_spins = 0;
	sw_panicked = false;
}

/* On the other CPU, in the window: its VCPU has halted, so it is idle;
 * it wakes vcpu0 (an IPI), and at its next tick pulls it and runs it. */
static void sw_other_cpu(struct world *prev, struct world *next)
{
	u32 c = sw_cpu[1];

	(void)next;
	assert_ptr_equal(prev, sw_v[0]);
	/* Still on vcpu0's stack: its state is not saved yet. */
	assert_ptr_equal(fake_stack_of(sw_cpu[0]), sw_v[0]);
	assert_int_equal(sw_v[0]->on_cpu, 1);
	fake_relax_hook = sw_relax;
	sw_panicked = FAKE_CATCH_PANIC({
		fake_set_cpu(c);
		if (sw_v[0]->state == WORLD_WAITING)
			world_wakeup(&sw_ev[0]);
		sched_tick();
		sched_preempt_point();
	});
	fake_relax_hook = NULL;
}

static void sw_check_handover(void)
{
	if (sw_panicked)
		fail_msg("vcpu0 entered too early: %s", fake_panic_msg);
	assert_ptr_equal(sched_current(sw_cpu[1]), sw_v[0]);
	assert_int_equal(sw_v[0]->cpu, sw_cpu[1]);
	/* Entered only after its first CPU had left its stack. */
	assert_true(sw_spins >= 1);
	assert_ptr_equal(fake_stack_of(sw_cpu[1]), sw_v[0]);
	assert_ptr_equal(fake_stack_of(sw_cpu[0]), sched_current(sw_cpu[0]));
	assert_int_equal(sw_v[0]->on_cpu, 1);
	assert_int_equal(sched_current(sw_cpu[0])->type, VMK_WORLD_IDLE);
}

/* vcpu0 halts (waits) while the other CPU, idle, wakes it and pulls it. */
static void test_wait_then_pulled(void **state)
{
	(void)state;
	sw_setup_vm();
	fake_set_cpu(sw_cpu[1]);
	world_wait(&sw_ev[1]);
	assert_ptr_equal(fake_stack_of(sw_cpu[1]), sched_current(sw_cpu[1]));
	fake_window_hook = sw_other_cpu;
	fake_set_cpu(sw_cpu[0]);
	world_wait(&sw_ev[0]);
	fake_set_cpu(0);
	sw_check_handover();
}

/* vcpu0 yields its CPU to another world there and goes back to the
 * ready queue, from which the idle CPU pulls it. */
static void test_yield_then_pulled(void **state)
{
	struct world *s;
	int i;
	(void)state;

	sw_setup_vm();
	fake_set_cpu(sw_cpu[1]);
	world_wait(&sw_ev[1]);
	fake_set_cpu(0);
	s = env_world("sys", NULL, NULL, 1000, 0, 0);
	assert_int_equal(sched_set_affinity(s, 1ULL << sw_cpu[0]), 0);
	for (i = 0; i < 10 && !s->queued; i++)
		env_run(SCHED_TICK_NS);
	assert_int_equal(s->cpu, sw_cpu[0]);
	assert_ptr_equal(sched_current(sw_cpu[0]), sw_v[0]);
	fake_advance(SCHED_QUANTUM_NS);
	fake_window_hook = sw_other_cpu;
	fake_set_cpu(sw_cpu[0]);
	sched_yield_cpu();
	fake_set_cpu(0);
	assert_null(fake_window_hook);
	assert_ptr_equal(sched_current(sw_cpu[0]), s);
	if (sw_panicked)
		fail_msg("vcpu0 entered too early: %s", fake_panic_msg);
	/* Left alone in the window; taken at the idle CPU's next tick. */
	assert_int_equal(sched_current(sw_cpu[1])->type, VMK_WORLD_IDLE);
	assert_int_equal(sw_v[0]->on_cpu, 0);
	fake_set_cpu(sw_cpu[1]);
	sched_tick();
	sched_preempt_point();
	fake_set_cpu(0);
	assert_ptr_equal(sched_current(sw_cpu[1]), sw_v[0]);
	assert_ptr_equal(fake_stack_of(sw_cpu[1]), sw_v[0]);
	assert_ptr_equal(fake_stack_of(sw_cpu[0]), s);
}

/* Without a window the hand-over needs no wait at all. */
static void test_no_wait_when_saved(void **state)
{
	(void)state;
	sw_setup_vm();
	fake_set_cpu(sw_cpu[1]);
	world_wait(&sw_ev[1]);
	fake_set_cpu(sw_cpu[0]);
	world_wait(&sw_ev[0]);
	assert_int_equal(sw_v[0]->on_cpu, 0);
	fake_relax_hook = sw_relax;
	fake_set_cpu(sw_cpu[1]);
	world_wakeup(&sw_ev[0]);
	sched_tick();
	sched_preempt_point();
	fake_relax_hook = NULL;
	fake_set_cpu(0);
	assert_int_equal(sw_spins, 0);
	assert_ptr_equal(fake_stack_of(sw_cpu[1]), sched_current(sw_cpu[1]));
	assert_int_equal(sched_current(sw_cpu[1])->on_cpu, 1);
}

static int sw_setup3(void **state)
{
	(void)state;
	env_start(3);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_wait_then_pulled, sw_setup3,
						env_teardown),
		cmocka_unit_test_setup_teardown(test_yield_then_pulled, sw_setup3,
						env_teardown),
		cmocka_unit_test_setup_teardown(test_no_wait_when_saved, sw_setup3,
						env_teardown),
	};

	return cmocka_run_group_tests_name("world_switch", tests, NULL, NULL);
}
