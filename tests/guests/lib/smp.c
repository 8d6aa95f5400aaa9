// SPDX-License-Identifier: GPL-2.0
/*
 * Starting an application processor the way firmware and kernels do:
 * the real-mode trampoline (trampoline.S) copied below 1 MiB, then INIT
 * and up to two STARTUP IPIs through the local APIC's ICR.  The AP loads
 * the guest's IDT, enables its APIC, and runs the function it was given.
 * No MP table or ACPI is read: APIC IDs are taken to be 0..NR_CPUS-1.
 */
#include "guest.h"

#define SMP_TRAMPOLINE	0x7000

extern char trampoline_start[], trampoline_gdtr[], trampoline_end[];
extern struct x86_dtr start_gdtr;

static uint8_t smp_stack[4][16384] __attribute__((aligned(16)));
uint32_t smp_ap_stack;
static void (*volatile smp_ap_fn)(void);
static volatile uint32_t smp_ap_started;

void smp_ap_entry(void);
void smp_ap_entry(void)
{
	void (*fn)(void) = smp_ap_fn;

	idt_load();
	apic_enable();
	__atomic_store_n(&smp_ap_started, 1, __ATOMIC_RELEASE);
	fn();
	report_halt();
}

bool smp_start_ap(uint32_t apic_id, unsigned slot, void (*fn)(void))
{
	uint8_t *tramp = (uint8_t *)SMP_TRAMPOLINE;
	uint64_t t0;

	if (slot >= 4)
		return false;
	memcpy(tramp, trampoline_start, (size_t)(trampoline_end - trampoline_start));
	memcpy(tramp + (trampoline_gdtr - trampoline_start), &start_gdtr, sizeof(start_gdtr));
	smp_ap_stack = (uint32_t)smp_stack[slot + 1];
	smp_ap_fn = fn;
	smp_ap_started = 0;

	if (!apic_icr(apic_id, APIC_DM_INIT | APIC_LEVEL_ASSERT))
		return false;
	tsc_delay(1u << 23);
	for (int sipi = 0; sipi < 2; sipi++) {
		if (!apic_icr(apic_id, APIC_DM_STARTUP | (SMP_TRAMPOLINE >> 12)))
			return false;
		for (t0 = rdtsc(); rdtsc() - t0 < (1ull << 24);)
			if (__atomic_load_n(&smp_ap_started, __ATOMIC_ACQUIRE))
				return true;
	}
	for (t0 = rdtsc(); rdtsc() - t0 < (1ull << 31);)
		if (__atomic_load_n(&smp_ap_started, __ATOMIC_ACQUIRE))
			return true;
	return false;
}
