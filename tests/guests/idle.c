// SPDX-License-Identifier: GPL-2.0
/*
 * idle: a VM that should cost nothing.  It masks the PIC and every local
 * APIC interrupt source (timer stopped, LINT0/LINT1/error masked),
 * prints "idle: halting" and halts with interrupts on, so that nothing
 * but an interrupt that never comes could wake it (halting with them off
 * would be a power-off on a platform that treats it so).  The suite
 * checks that it is still there after a few seconds and that QEMU spent
 * almost no CPU on it; a VMM should likewise block it in HLT rather than
 * spin.  It prints no summary: it never ends.
 *
 * No options.
 */
#include "guest.h"

const char guest_name[] = "idle";
const char *const guest_options[] = { NULL };

void guest_main(void)
{
	apic_timer_stop();
	apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
	apic_write(APIC_LVT_LINT1, APIC_LVT_MASKED);
	apic_write(APIC_LVT_ERROR, APIC_LVT_MASKED | 0xfe);
	cli();
	print("idle: halting\n");
	for (;;)
		sti_hlt();
}
