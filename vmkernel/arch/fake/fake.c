// SPDX-License-Identifier: GPL-2.0
/*
 * Host implementation of the arch hooks (see fake.h).  Single-threaded:
 * the "current CPU" is whatever the test or the simulator last set.  The
 * log and panic() come either from log.c here (stdio) or from the real
 * kernel/log.c, whose panic() ends in arch_halt().
 */
#include <stdlib.h>
#include <string.h>

#include <vmk/arch.h>
#include <vmk/check.h>
#include <vmk/world.h>

#include "fake.h"

static u32 fake_cpu;
static u64 fake_now;
static bool fake_irq_on[VMK_MAX_CPUS] = { [0 ... VMK_MAX_CPUS - 1] = true };

void (*fake_switch_hook)(struct world *prev, struct world *next);
u64 fake_switches;
jmp_buf *fake_panic_jmp;

void fake_set_cpu(u32 cpu)
{
	if (cpu >= VMK_MAX_CPUS)
		panic("fake_set_cpu(%u): at most %d CPUs", cpu, VMK_MAX_CPUS);
	fake_cpu = cpu;
}

void fake_set_now(u64 ns)
{
	fake_now = ns;
}

void fake_advance(u64 ns)
{
	fake_now += ns;
}

bool fake_irq_enabled(void)
{
	return fake_irq_on[fake_cpu];
}

u32 arch_cpu_index(void)
{
	return fake_cpu;
}

u64 arch_now_ns(void)
{
	return fake_now;
}

unsigned long arch_irq_save(void)
{
	unsigned long was = fake_irq_on[fake_cpu];

	fake_irq_on[fake_cpu] = false;
	return was;
}

void arch_irq_restore(unsigned long flags)
{
	fake_irq_on[fake_cpu] = flags != 0;
}

void (*fake_relax_hook)(void);

void arch_cpu_relax(void)
{
	/* Single-threaded: what is awaited changes only if the test's hook
	 * plays the CPU that would change it. */
	if (fake_relax_hook) {
		fake_relax_hook();
		return;
	}
	panic("fake cpu%u spins on a lock nobody can release", fake_cpu);
}

/* A reschedule IPI: the host CPUs notice their flag at the next tick or
 * scheduling point anyway, so the kicks are only counted. */
u64 fake_kicks;

void arch_cpu_kick(u32 cpu)
{
	(void)cpu;
	fake_kicks++;
}

/* The world whose stack each CPU is on (NULL: not known yet), and the
 * switch a CPU has begun and not yet saved. */
static struct world *fake_stack[VMK_MAX_CPUS];
static struct fake_pending {
	struct world *prev, *next;
} fake_pending[VMK_MAX_CPUS];

void (*fake_window_hook)(struct world *prev, struct world *next);

void fake_switch_reset(void)
{
	memset(fake_stack, 0, sizeof(fake_stack));
	memset(fake_pending, 0, sizeof(fake_pending));
	fake_window_hook = NULL;
	fake_relax_hook = NULL;
}

struct world *fake_stack_of(u32 cpu)
{
	return cpu < VMK_MAX_CPUS ? fake_stack[cpu] : NULL;
}

void fake_switch_save(u32 cpu)
{
	struct fake_pending *p = &fake_pending[cpu];

	if (!p->prev)
		return;
	fake_stack[cpu] = p->next;
	/* As x86 does once on next's stack: cleared before set. */
	__atomic_store_n(&p->prev->on_cpu, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&p->next->on_cpu, 1, __ATOMIC_RELEASE);
	p->prev = p->next = NULL;
}

void arch_world_switch(struct world *prev, struct world *next)
{
	void (*window)(struct world *, struct world *) = fake_window_hook;
	u32 cpu = fake_cpu, c;

	fake_switches++;
	/* What the real stack switch would break: a CPU still on next's
	 * stack, or a switch into a world whose state nobody saved. */
	for (c = 0; c < VMK_MAX_CPUS; c++)
		if (c != cpu && fake_stack[c] == next)
			panic("fake arch: world %s entered on cpu%u while cpu%u "
			      "still runs on its stack", next->name, cpu, c);
	if (fake_pending[cpu].prev)
		panic("fake arch: cpu%u switches again before saving %s", cpu,
		      fake_pending[cpu].prev->name);
	fake_pending[cpu] = (struct fake_pending){ prev, next };
	/* The window between the scheduler's decision and the stack
	 * switch, where the other CPUs may act: the hook plays them. */
	if (window) {
		fake_window_hook = NULL;
		window(prev, next);
		fake_set_cpu(cpu);
	}
	fake_switch_save(cpu);
	if (!fake_switch_hook)
		panic("fake arch: a world blocked and no hook can run the others");
	fake_switch_hook(prev, next);
}

/* After a panic: back to the test that expected it, or the end. */
__noreturn void arch_halt(void)
{
	if (fake_panic_jmp)
		longjmp(*fake_panic_jmp, 1);
	abort();
}
