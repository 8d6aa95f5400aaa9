// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC of a CPU the vmkernel owns, in xAPIC mode (QEMU's TCG
 * CPU has no x2APIC and no TSC-deadline timer).  The APIC page is mapped
 * uncached at its own address in the vmkernel's page tables, apart from
 * the identity map of RAM.  Each vmkernel CPU runs its APIC timer one-shot
 * and re-arms it from the interrupt, one tick per SCHED_TICK_NS; the
 * timer's rate is measured once against the TSC, whose rate the shim
 * passes.  Console CPUs never have their APIC touched here, except that a
 * console CPU answering a vmkcall sends IPIs through its ICR (Linux is
 * stopped at a VMMCALL then, never halfway through an IPI of its own).
 */
#include <vmk/check.h>
#include <vmk/errno.h>
#include <vmk/log.h>
#include <vmk/sched.h>
#include "x86/apic.h"
#include "x86/cpu.h"
#include "x86/machine.h"

#define MSR_APIC_BASE		0x0000001b
#define APIC_BASE_ENABLE	(1ULL << 11)
#define APIC_BASE_X2APIC	(1ULL << 10)

#define APIC_ID			0x020
#define APIC_TPR		0x080
#define APIC_EOI		0x0b0
#define APIC_SVR		0x0f0
#define APIC_ESR		0x280
#define APIC_ICR_LO		0x300
#define APIC_ICR_HI		0x310
#define APIC_LVT_TIMER		0x320
#define APIC_LVT_LINT0		0x350
#define APIC_LVT_LINT1		0x360
#define APIC_LVT_ERROR		0x370
#define APIC_TIMER_INIT		0x380
#define APIC_TIMER_CUR		0x390
#define APIC_TIMER_DIV		0x3e0

#define SVR_ENABLE		(1U << 8)
#define LVT_MASKED		(1U << 16)
#define ICR_BUSY		(1U << 12)
#define ICR_ASSERT		(1U << 14)
#define TIMER_DIV_16		0x3

/* Where the APIC page is mapped: just above the 512 GiB identity map. */
#define APIC_VA			((u64)512 << 30)

static volatile u32 *apic_regs;
/* APIC timer counts per SCHED_TICK_NS at divide-by-16; 0 until measured. */
static u32 apic_tick_count;
static u32 apic_calibrating;

static u32 apic_read(u32 reg)
{
	return apic_regs[reg / 4];
}

static void apic_write(u32 reg, u32 v)
{
	apic_regs[reg / 4] = v;
}

int apic_init(void)
{
	u64 base = rdmsr(MSR_APIC_BASE);
	int err;

	if (!(base & APIC_BASE_ENABLE) || (base & APIC_BASE_X2APIC)) {
		log_warn("the local APIC is %s: the vmkernel needs xAPIC mode",
			 (base & APIC_BASE_ENABLE) ? "in x2APIC mode" : "disabled");
		return -ENODEV;
	}
	err = paging_map_uncached(APIC_VA, base & ~0xfffULL);
	if (err)
		return err;
	apic_regs = (volatile u32 *)APIC_VA;
	machine.apic_pa = base & ~0xfffULL;
	return 0;
}

/* One measurement for all CPUs: 10 ms of TSC against the APIC timer. */
static void apic_calibrate(void)
{
	u64 wait = machine.tsc_khz * 10, t0;
	u32 left;

	if (__atomic_exchange_n(&apic_calibrating, 1, __ATOMIC_ACQUIRE)) {
		while (!READ_ONCE(apic_tick_count))
			cpu_relax();
		return;
	}
	apic_write(APIC_TIMER_DIV, TIMER_DIV_16);
	apic_write(APIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	apic_write(APIC_TIMER_INIT, 0xffffffffU);
	t0 = rdtsc();
	while (rdtsc() - t0 < wait)
		cpu_relax();
	left = apic_read(APIC_TIMER_CUR);
	apic_write(APIC_TIMER_INIT, 0);
	u64 per_tick = (u64)(0xffffffffU - left) * SCHED_TICK_NS / 10000000ULL;
	if (per_tick == 0 || per_tick > 0xffffffffU) {
		log_err("APIC timer calibration failed (%u left); assuming 62.5 MHz",
			left);
		per_tick = 62500ULL * SCHED_TICK_NS / 1000000ULL;
	}
	log_info("APIC timer: %lu counts per %lu us tick (divide by 16)",
		 per_tick, (u64)(SCHED_TICK_NS / 1000));
	__atomic_store_n(&apic_tick_count, (u32)per_tick, __ATOMIC_RELEASE);
}

void apic_cpu_start(void)
{
	apic_write(APIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_LVT_LINT0, LVT_MASKED);
	apic_write(APIC_LVT_LINT1, LVT_MASKED);
	apic_write(APIC_LVT_ERROR, LVT_MASKED);
	apic_write(APIC_ESR, 0);
	apic_write(APIC_EOI, 0);
	if (!READ_ONCE(apic_tick_count))
		apic_calibrate();
	apic_write(APIC_TIMER_DIV, TIMER_DIV_16);
	apic_write(APIC_LVT_TIMER, VEC_TIMER);	/* one-shot */
	apic_timer_rearm();
}

void apic_timer_rearm(void)
{
	apic_write(APIC_TIMER_INIT, apic_tick_count);
}

void apic_cpu_stop(void)
{
	apic_write(APIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	apic_write(APIC_TIMER_INIT, 0);
	apic_write(APIC_SVR, VEC_SPURIOUS);	/* software-disabled, as Linux left it */
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

void apic_send_ipi(u32 apic_id, u8 vector)
{
	unsigned long flags = read_rflags();

	__asm__ volatile("cli" ::: "memory");
	while (apic_read(APIC_ICR_LO) & ICR_BUSY)
		cpu_relax();
	apic_write(APIC_ICR_HI, apic_id << 24);
	apic_write(APIC_ICR_LO, ICR_ASSERT | vector);
	if (flags & X86_RFLAGS_IF)
		__asm__ volatile("sti" ::: "memory");
}

u32 apic_tick_counts(void)
{
	return READ_ONCE(apic_tick_count);
}
