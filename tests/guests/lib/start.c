// SPDX-License-Identifier: GPL-2.0
/*
 * The start-up's C half, called by start.S on the guest's own GDT and
 * stack: the order in which every guest comes up before its
 * guest_main(), and its end.
 */
#include "guest.h"

void start_guest(uint32_t magic, const void *mbi);
void start_guest(uint32_t magic, const void *mbi)
{
	idt_init();
	apic_pic_mask();
	opts_init(magic, mbi);
	guest_main();
	report_summary_exit();
}
