/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hooks that architecture-neutral vmkernel code (core/) calls.  The
 * real implementation is arch/x86/; arch/fake/ implements them on the
 * host so that the core runs in unit tests and the scheduler simulator.
 * The choice is made at link time.
 */
#ifndef VMK_ARCH_H
#define VMK_ARCH_H

#include <vmk/types.h>

/* Index (0..ncpus-1) of the calling CPU. */
u32 arch_cpu_index(void);

/* A monotonic clock in nanoseconds. */
u64 arch_now_ns(void);

/* Disable interrupts, returning a token that arch_irq_restore() undoes. */
unsigned long arch_irq_save(void);
void arch_irq_restore(unsigned long flags);

/* Spin-wait hint. */
void arch_cpu_relax(void);

/* Wakes CPU cpu to look at its need_resched flag (a reschedule IPI). */
void arch_cpu_kick(u32 cpu);

/*
 * Switch this CPU from world prev to world next; the scheduler has already
 * made next current.  Returns when prev is dispatched again (never, for a
 * dead world).  Called only at a scheduling point, with no lock held.
 */
struct world;
void arch_world_switch(struct world *prev, struct world *next);

/* Stop this CPU for good (after a panic); during start-up, fail the
 * start-up instead (the CPU is Linux's). */
__noreturn void arch_halt(void);

#endif
