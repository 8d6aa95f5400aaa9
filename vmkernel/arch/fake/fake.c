// SPDX-License-Identifier: GPL-2.0
/*
 * Host implementation of the arch hooks (see fake.h).  Single-threaded:
 * the "current CPU" is whatever the test or the simulator last set.  The
 * log and panic() come either from log.c here (stdio) or from the real
 * kernel/log.c, whose panic() ends in arch_halt().
 */
#include <stdlib.h>

#include <vmk/arch.h>
#include <vmk/check.h>

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

void arch_cpu_relax(void)
{
	/* Single-threaded: a lock that is held stays held while we spin. */
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

void arch_world_switch(struct world *prev, struct world *next)
{
	fake_switches++;
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
