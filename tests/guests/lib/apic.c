// SPDX-License-Identifier: GPL-2.0
/*
 * The local xAPIC at 0xfee00000, and the legacy PIC's mask.  Every APIC
 * access is one 32-bit MOV between a register and the APIC page, written
 * in assembly so that the compiler cannot turn it into an immediate
 * store, a string operation or a read-modify-write: a VMM without decode
 * assists decodes each access itself and needs nothing fancier.
 */
#include "guest.h"

uint32_t apic_read(uint32_t reg)
{
	uint32_t v;

	asm volatile("movl (%1), %0" : "=r"(v) : "r"(APIC_BASE + reg) : "memory");
	return v;
}

void apic_write(uint32_t reg, uint32_t val)
{
	asm volatile("movl %0, (%1)" : : "r"(val), "r"(APIC_BASE + reg) : "memory");
}

void apic_enable(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	/* Bit 11: global enable; the base stays the default. */
	if (!(base & (1u << 11)))
		wrmsr(MSR_IA32_APIC_BASE, base | (1u << 11));
	apic_write(APIC_SPIV, 0x100 | APIC_SPURIOUS_VECTOR);
	apic_write(APIC_TPR, 0);
}

uint32_t apic_id(void)
{
	return apic_read(APIC_ID) >> 24;
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

bool apic_icr(uint32_t dest_id, uint32_t low)
{
	apic_write(APIC_ICR_HIGH, dest_id << 24);
	apic_write(APIC_ICR_LOW, low);
	for (uint32_t i = 0; i < 1000000; i++) {
		if (!(apic_read(APIC_ICR_LOW) & APIC_ICR_BUSY))
			return true;
		pause();
	}
	return false;
}

void apic_timer_stop(void)
{
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | 0xef);
	apic_write(APIC_TIMER_ICR, 0);
}

void apic_pic_mask(void)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}
