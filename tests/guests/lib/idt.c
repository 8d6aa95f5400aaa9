// SPDX-License-Identifier: GPL-2.0
/*
 * The guests' IDT: every vector has a gate to its entry in start.S, and
 * idt_dispatch() decides what it means.  An exception raised while a
 * probe has armed idt_resume_eip (X86_TRY in x86.h) is recorded and the
 * probe resumes after its instruction; any other exception is an
 * unexpected failure, reported with its vector and address before the
 * guest exits.  Vectors 32 and up go to the handlers the guest set.
 */
#include "guest.h"

volatile int idt_caught_vector = -1;
volatile uint32_t idt_caught_error;
volatile uint32_t idt_resume_eip;

extern char start_idt_entries[];

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t zero;
	uint8_t type;
	uint16_t off_hi;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(8)));
static idt_handler_fn idt_handlers[256];
static const struct x86_dtr idt_dtr = { sizeof(idt) - 1, (uint32_t)idt };

static const char *const idt_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "#09", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23",
	"#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
};

void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++) {
		uint32_t off = (uint32_t)start_idt_entries + 16 * v;

		idt[v].off_lo = off & 0xffff;
		idt[v].off_hi = off >> 16;
		idt[v].sel = GUEST_CODE_SEL;
		idt[v].zero = 0;
		/* Present, DPL 0, 32-bit interrupt gate: IF is cleared on entry. */
		idt[v].type = 0x8e;
	}
	idt_load();
}

void idt_load(void)
{
	lidt(&idt_dtr);
}

void idt_set_handler(unsigned vector, idt_handler_fn fn)
{
	if (vector < 256)
		idt_handlers[vector] = fn;
}

void idt_dispatch(struct idt_frame *f);
void idt_dispatch(struct idt_frame *f)
{
	if (f->vector < 32 && idt_resume_eip) {
		idt_caught_vector = (int)f->vector;
		idt_caught_error = f->error;
		f->eip = idt_resume_eip;
		idt_resume_eip = 0;
		return;
	}
	if (idt_handlers[f->vector]) {
		idt_handlers[f->vector](f);
		return;
	}
	if (f->vector == APIC_SPURIOUS_VECTOR)
		return;
	if (f->vector < 32)
		report(false, "unexpected exception %s (vector %u) error %#x at eip %#x",
		       idt_names[f->vector], f->vector, f->error, f->eip);
	else
		report(false, "unexpected interrupt vector %u at eip %#x",
		       f->vector, f->eip);
	report_summary_exit();
}
