// SPDX-License-Identifier: GPL-2.0
/*
 * CPUs for the vmkernel, in the manner of ESX 2: the console keeps CPU 0
 * and whatever CPUs the user leaves it, and the vmkernel runs its own
 * worlds on the others.
 *
 * Giving: on the CPU itself (the shim issues the vmkcall while Linux
 * takes that CPU offline) the arch starts intercepting HLT; the halt with
 * interrupts off that ends Linux's offline path hands the CPU over, and
 * the arch calls cpu_run() on the CPU's own stack.  cpu_run() is the
 * CPU's idle world: it brings the run queue online, widens the host's
 * capacity by one CPU, and loops: a due tick's work, a decision if one
 * is wanted, else halt until an interrupt.
 *
 * Taking back: from a console CPU, cpu_take() checks that the
 * reservations still fit without the CPU, takes its run queue offline
 * (its running world leaves at its next scheduling point), asks its idle
 * loop to move its queued worlds away and park, and waits for the park.
 * Linux then starts the CPU with INIT/SIPI, and the shim makes it a
 * console CPU again.
 *
 * cpu_lock (LOCK_RANK_CPU_CONFIG, below every lock the core takes)
 * serialises giving, taking and the console's world changes
 * (sysworld.c), so that a CPU's coming and going and a world's creation
 * or removal never interleave.
 */
#include <vmk/arch.h>
#include <vmk/check.h>
#include <vmk/cpu.h>
#include <vmk/errno.h>
#include <vmk/heap.h>
#include <vmk/log.h>
#include <vmk/machine.h>
#include <vmk/mem.h>
#include <vmk/module.h>
#include <vmk/sched.h>
#include <vmk/sysworld.h>
#include <vmk/timer.h>
#include <vmk/world.h>

#define CPU_TAKE_TIMEOUT_NS	2000000000ULL

struct cpu_own {
	bool tick_due;			/* set by the timer interrupt */
	bool take;			/* cpu_take() asks the idle loop to park */
	bool *dying_gone;		/* set once the dying world's stack is free */
	u64 ticks;			/* tick work done ... */
	u64 tick_cycles;		/* ... and what it cost */
};

struct spinlock cpu_lock = SPINLOCK_INIT("cpu-config", LOCK_RANK_CPU_CONFIG);
static struct cpu_own cpu_own[VMK_MAX_CPUS];
static u32 cpu_count, cpu_nvmk;

int cpu_init(u32 ncpus)
{
	int err;

	cpu_count = ncpus;
	cpu_nvmk = 0;
	for (u32 i = 0; i < ncpus; i++)
		sched_cpu_online(i, false);
	err = pool_set_capacity(0);
	if (!err)
		err = sysworld_init(mem_arena());
	return err;
}

u32 cpu_vmk_count(void)
{
	return READ_ONCE(cpu_nvmk);
}

void cpu_fill_stats(u32 index, struct vmk_cpu_stats *st)
{
	struct sched_cpu_stats ss;

	if (index >= cpu_count)
		return;
	sched_cpu_stats(index, &ss);
	st->ticks = READ_ONCE(cpu_own[index].ticks);
	st->tick_tsc = READ_ONCE(cpu_own[index].tick_cycles);
	st->decisions = ss.decisions;
	st->decide_ns = ss.decide_ns;
	st->idle_ns = ss.idle_ns;
}

/* A due tick's work: the scheduler's, the timers', then the system
 * worlds'. */
static void cpu_tick_work(u32 cpu)
{
	struct cpu_own *o = &cpu_own[cpu];
	u64 t0;

	if (!READ_ONCE(o->tick_due))
		return;
	t0 = arch_cycles();
	WRITE_ONCE(o->tick_due, false);
	sched_tick();
	timer_tick(cpu);
	sysworld_tick(cpu);
	module_timers_run();
	o->ticks++;
	o->tick_cycles += arch_cycles() - t0;
}

s64 cpu_give(u32 index)
{
	u32 console = 0;
	s64 ret;

	if (index != arch_cpu_index()) {
		log_warn("cpu%u: a CPU gives only itself (asked for cpu%u)",
			 arch_cpu_index(), index);
		return -EINVAL;
	}
	if (index == 0) {
		log_warn("cpu0 stays with the console");
		return -EPERM;
	}
	spin_lock(&cpu_lock);
	for (u32 i = 0; i < cpu_count; i++)
		console += arch_cpu_state(i) == VMK_CPU_CONSOLE;
	if (console <= 1) {
		log_warn("cpu%u is the console's last CPU", index);
		ret = -EBUSY;
	} else {
		ret = arch_cpu_give();
	}
	spin_unlock(&cpu_lock);
	if (!ret)
		log_info("cpu%u: given to the vmkernel; it is ours when Linux halts it", index);
	return ret;
}

/* The idle world's loop; interrupts are off except while it halts. */
__noreturn void cpu_run(u32 index)
{
	struct cpu_own *o = &cpu_own[index];

	spin_lock(&cpu_lock);
	o->take = false;
	o->tick_due = false;
	cpu_nvmk++;
	/* Growing the capacity cannot strand a reservation. */
	pool_set_capacity((u64)cpu_nvmk * SCHED_CPU_UNITS);
	sched_cpu_online(index, true);
	/* Worlds that waited for a CPU, on queues of CPUs with the console. */
	for (u32 i = 0; i < cpu_count; i++)
		if (!sched_cpu_is_online(i))
			sched_cpu_drain(i);
	spin_unlock(&cpu_lock);
	log_info("cpu%u: runs the vmkernel's worlds (%u vmkernel CPUs)", index,
		 cpu_nvmk);

	for (;;) {
		if (READ_ONCE(o->take)) {
			sched_cpu_drain(index);
			log_info("cpu%u: parked for the console", index);
			arch_cpu_park();
		}
		cpu_tick_work(index);
		if (sched_need_resched(index)) {
			sched_yield_cpu();
			cpu_after_switch();
			continue;
		}
		arch_cpu_idle();
	}
}

s64 cpu_take(u32 index)
{
	u64 t0;
	s64 ret = 0;

	if (index == 0 || index >= cpu_count) {
		log_warn("cpu%u: no such vmkernel CPU to take back", index);
		return -EINVAL;
	}
	spin_lock(&cpu_lock);
	if (arch_cpu_state(index) != VMK_CPU_VMKERNEL) {
		log_warn("cpu%u was not given to the vmkernel", index);
		ret = -EINVAL;
		goto out_unlock;
	}
	ret = pool_set_capacity((u64)(cpu_nvmk - 1) * SCHED_CPU_UNITS);
	if (ret) {
		log_warn("cpu%u: reservations need it; not taken back", index);
		goto out_unlock;
	}
	sched_cpu_online(index, false);
	WRITE_ONCE(cpu_own[index].take, true);
	arch_cpu_kick(index);
	t0 = arch_now_ns();
	while (arch_cpu_state(index) != VMK_CPU_PARKED) {
		if (arch_now_ns() - t0 > CPU_TAKE_TIMEOUT_NS) {
			log_err("cpu%u did not park within %lu ms", index,
				(u64)(CPU_TAKE_TIMEOUT_NS / 1000000));
			ret = -ETIMEDOUT;
			goto out_unlock;
		}
		arch_cpu_relax();
	}
	cpu_nvmk--;
	log_info("cpu%u: taken back for the console (%u vmkernel CPUs)", index,
		 cpu_nvmk);
out_unlock:
	spin_unlock(&cpu_lock);
	return ret;
}

void cpu_tick_irq(u32 index, u64 rip)
{
	struct world *w = world_current();

	cpu_own[index].tick_due = true;
	module_tick(index, rip, w && w->type == VMK_WORLD_IDLE);
}

bool cpu_attention(void)
{
	u32 cpu = arch_cpu_index();

	return READ_ONCE(cpu_own[cpu].tick_due) || sched_need_resched(cpu);
}

void cpu_after_switch(void)
{
	struct cpu_own *o = &cpu_own[arch_cpu_index()];

	if (o->dying_gone) {
		__atomic_store_n(o->dying_gone, true, __ATOMIC_RELEASE);
		o->dying_gone = NULL;
	}
}

void cpu_preempt_point(void)
{
	u32 cpu = arch_cpu_index();
	struct cpu_own *o = &cpu_own[cpu];
	unsigned long flags;

	if (!READ_ONCE(o->tick_due) && !sched_need_resched(cpu))
		return;
	flags = arch_irq_save();
	cpu_tick_work(cpu);
	sched_preempt_point();
	cpu_after_switch();
	arch_irq_restore(flags);
}

void cpu_yield(void)
{
	unsigned long flags = arch_irq_save();

	cpu_tick_work(arch_cpu_index());
	sched_yield_cpu();
	cpu_after_switch();
	arch_irq_restore(flags);
}

__noreturn void cpu_world_exit(bool *gone)
{
	arch_irq_save();
	cpu_own[arch_cpu_index()].dying_gone = gone;
	world_exit();
	panic("a dead world ran again");
}
