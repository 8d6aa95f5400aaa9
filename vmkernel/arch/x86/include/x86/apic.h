/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The local APIC (xAPIC) of the CPUs the vmkernel owns, and the
 * vmkernel's interrupt vectors on them.  Exceptions keep 0-31; the
 * vectors sit at the top, above any that Linux's devices could be routed
 * to on a CPU it has taken offline.
 */
#ifndef X86_APIC_H
#define X86_APIC_H

#include <vmk/types.h>

#define VEC_TIMER	0xf0	/* the per-CPU one-shot tick */
#define VEC_RESCHED	0xf1	/* another CPU asks for a scheduling decision */
#define VEC_SPURIOUS	0xff

/* Maps the APIC page; once, in entry_init.  -ENODEV without xAPIC. */
int apic_init(void);
/* On a CPU that has just become the vmkernel's: enable its APIC, measure
 * the timer if nobody has yet, and start the tick. */
void apic_cpu_start(void);
/* The timer, the LVT and the APIC off, before the CPU goes back to Linux. */
void apic_cpu_stop(void);
void apic_timer_rearm(void);
void apic_eoi(void);
/* A fixed IPI; from any CPU in host mode. */
void apic_send_ipi(u32 apic_id, u8 vector);
/* Timer counts per tick (divide by 16), 0 before the first measurement. */
u32 apic_tick_counts(void);

#endif
