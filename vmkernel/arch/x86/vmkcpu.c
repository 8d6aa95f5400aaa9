// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 side of a CPU the vmkernel owns (the generic side is
 * kernel/cpu.c).
 *
 * Taking the CPU: giving makes the console's HLT exit on that CPU
 * (virt_set_halt_exit).  Linux's idle loop halts with interrupts on (sti;
 * hlt), and such a HLT is stepped over: Linux sees a wakeup and halts
 * again.  The halt that ends Linux's offline path (hlt_play_dead, since
 * AMD CPUs skip mwait_play_dead) has interrupts off; after it Linux never
 * runs on this CPU again, so the vmkernel keeps it.  Linux has already
 * moved every interrupt away and software-disabled the local APIC.
 *
 * Running it: vmkcpu_start() runs on the CPU's vmkernel stack (below the
 * host frame, now unused), points GS at the CPU's struct percpu so that
 * worlds on their own stacks find their CPU, enables the APIC and its
 * timer, sets GIF, and becomes the idle world (cpu_run()).  Interrupt
 * handlers only acknowledge, re-arm the one-shot timer and mark the tick
 * due: the scheduler never runs inside an interrupt.
 *
 * Parking it: with interrupts off, the timer and APIC off, VM_HSAVE_PA
 * as Linux had it and EFER.SVME clear, the CPU says PARKED and halts.
 * Nothing it holds is in use then, so the INIT Linux sends to start it
 * again (which under TCG resets it whatever GIF is) loses nothing.
 */
#include <vmk/arch.h>
#include <vmk/check.h>
#include <vmk/console.h>
#include <vmk/cpu.h>
#include <vmk/log.h>
#include <vmk/errno.h>
#include "x86/apic.h"
#include "x86/cpu.h"
#include "x86/machine.h"
#include "x86/virt.h"

#define MSR_GS_BASE	0xc0000101

int arch_cpu_give(void)
{
	struct percpu *c = this_cpu();

	if (!c || c->state != VMK_CPU_CONSOLE)
		return -EBUSY;
	virt_set_halt_exit(c, true);
	WRITE_ONCE(c->state, VMK_CPU_GIVING);
	return 0;
}

u32 arch_cpu_state(u32 index)
{
	return index < machine.ncpus ? READ_ONCE(machine.cpu[index].state) : VMK_CPU_OFF;
}

bool vmkcpu_hlt_exit(struct percpu *c, bool irqs_on)
{
	return c->state == VMK_CPU_GIVING && !irqs_on;
}

__noreturn void vmkcpu_start(struct host_frame *f)
{
	struct percpu *c = f->cpu;

	virt_set_halt_exit(c, false);
	c->self = c;
	wrmsr(MSR_GS_BASE, (u64)c);
	c->vmk_since_tsc = rdtsc();
	c->timer_irqs = c->resched_irqs = c->stray_irqs = c->irq_tsc = 0;
	apic_cpu_start();
	WRITE_ONCE(c->state, VMK_CPU_VMKERNEL);
	/* Its console world waits (for a later take-back and INIT), and the
	 * CPU's idle world is the scheduler's to run from here on. */
	console_leave(c->index);
	log_info("cpu%u: Linux CPU %u halted offline; the vmkernel keeps it",
		 c->index, c->linux_cpu);
	stgi();
	cpu_run(c->index);
}

void vmkcpu_irq_timer(u64 rip)
{
	struct percpu *c = this_cpu();
	u64 t0 = rdtsc();

	apic_eoi();
	apic_timer_rearm();
	cpu_tick_irq(c->index, rip);
	c->timer_irqs++;
	c->irq_tsc += rdtsc() - t0;
}

void vmkcpu_irq_resched(void)
{
	struct percpu *c = this_cpu();
	u64 t0 = rdtsc();

	apic_eoi();
	c->resched_irqs++;
	c->irq_tsc += rdtsc() - t0;
}

/* An interrupt Linux left behind in the APIC (its own timer's vector, say,
 * pending when it disabled the APIC): acknowledged and dropped. */
void vmkcpu_irq_stray(void)
{
	apic_eoi();
	this_cpu()->stray_irqs++;
}

void arch_cpu_kick(u32 cpu)
{
	if (cpu < machine.ncpus &&
	    READ_ONCE(machine.cpu[cpu].state) == VMK_CPU_VMKERNEL)
		apic_send_ipi(machine.cpu[cpu].apic_id, VEC_RESCHED);
}

void arch_cpu_idle(void)
{
	/* sti's shadow covers hlt: an interrupt cannot slip in between. */
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

void arch_irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

__noreturn void arch_cpu_park(void)
{
	struct percpu *c = this_cpu();

	__asm__ volatile("cli" ::: "memory");
	apic_cpu_stop();
	virt_restore_host(c);
	__atomic_sub_fetch(&machine.ncpus_running, 1, __ATOMIC_RELAXED);
	/* Last: from here on Linux may reset this CPU at any moment. */
	__atomic_store_n(&c->state, VMK_CPU_PARKED, __ATOMIC_RELEASE);
	for (;;)
		__asm__ volatile("hlt" ::: "memory");
}

u64 arch_cycles(void)
{
	return rdtsc();
}

void vmkcpu_init(void)
{
	for (u32 v = 32; v < 256; v++)
		trap_set_gate(v, irq_entry_stray);
	trap_set_gate(VEC_TIMER, irq_entry_timer);
	trap_set_gate(VEC_RESCHED, irq_entry_resched);
	trap_set_gate(VEC_SPURIOUS, irq_entry_spurious);
}
