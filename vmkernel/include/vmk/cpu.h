/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPUs the vmkernel owns.  The console keeps CPU 0 and any CPU the user
 * leaves it; a CPU given to the vmkernel (kernel/cpu.c) runs the
 * scheduler's worlds with its own timer and interrupts until it is taken
 * back.  Here are the generic side's entry points and the hooks it asks
 * of the architecture for it.
 *
 * Scheduling on a vmkernel CPU is non-preemptive: the timer interrupt
 * only records that a tick is due (and a reschedule IPI only wakes the
 * CPU); the tick's work (sched_tick()) and any switch happen at the next
 * scheduling point, which for the vmkernel's own worlds is
 * cpu_preempt_point() (or a wait, or exit), and for the idle world each
 * turn of its loop.
 */
#ifndef VMK_CPU_H
#define VMK_CPU_H

#include <vmk/types.h>
#include <vmk/lock.h>

struct world;

/* Serialises giving and taking CPUs and the console's world changes. */
extern struct spinlock cpu_lock;

/* All ncpus CPUs start with the console: none is the scheduler's, and
 * the vmkernel's capacity is nil.  After the scheduler and the world
 * table are up (kernel/init.c). */
int cpu_init(u32 ncpus);

/* vmkcalls: give the calling console CPU (it becomes the vmkernel's once
 * Linux has halted it offline), and take CPU index back for Linux. */
s64 cpu_give(u32 index);
s64 cpu_take(u32 index);
/* CPUs the vmkernel owns now. */
u32 cpu_vmk_count(void);
/* The scheduler's and the tick's figures for CPU index. */
struct vmk_cpu_stats;
void cpu_fill_stats(u32 index, struct vmk_cpu_stats *st);

/* The arch calls these on a CPU the vmkernel owns. */
__noreturn void cpu_run(u32 index);	/* once it is the vmkernel's */
/* From the timer interrupt, with where the interrupted code was. */
void cpu_tick_irq(u32 index, u64 rip);

/* Scheduling point for the vmkernel's own worlds: does a due tick's work
 * and switches if the scheduler wants to.  Cheap when neither is due. */
void cpu_preempt_point(void);
/* A scheduling point that always gives the CPU up. */
void cpu_yield(void);
/* Whether the calling CPU has a tick or a decision pending. */
bool cpu_attention(void);
/* The world calling this exits; *gone is set once no CPU runs on its
 * stack any longer. */
__noreturn void cpu_world_exit(bool *gone);
/* First thing on a new world's stack, and after a world resumes. */
void cpu_after_switch(void);

/* ---- hooks the architecture provides (arch/x86/vmkcpu.c) ---- */

/* On the calling console CPU: arrange that Linux's offline halt hands it
 * to the vmkernel.  -EBUSY if it is not a console CPU now. */
int arch_cpu_give(void);
/* enum vmk_cpu_state of CPU index. */
u32 arch_cpu_state(u32 index);
/* On a vmkernel CPU running its idle world, interrupts off: stop its
 * timer, leave SVM and halt until Linux starts it again. */
__noreturn void arch_cpu_park(void);
/* Interrupts on, halt until one arrives, interrupts off again. */
void arch_cpu_idle(void);
void arch_irq_enable(void);
/* A new world's stack: its first switch-in calls entry. */
void arch_world_stack_init(struct world *w, void *stack, u64 size,
			   void (*entry)(void));
/* Cycles of the TSC since boot, and the TSC rate in kHz (benchmarks). */
u64 arch_cycles(void);

#endif
