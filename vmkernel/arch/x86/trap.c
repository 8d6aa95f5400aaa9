// SPDX-License-Identifier: GPL-2.0
/*
 * The vmkernel's descriptor tables and its exception handler.  On a
 * console CPU the vmkernel runs with interrupts off and GIF clear, so
 * only exceptions reach this IDT; on a CPU the vmkernel owns, its own
 * interrupt vectors do too (x86/apic.h, set by trap_set_gate()).  An
 * exception in the vmkernel is a vmkernel bug: the handler logs the CPU
 * state and stops the CPU.  The report takes several lines (one is cut
 * at the log's line length): the exception, every register, the
 * frame-pointer chain's return addresses (the image is built with frame
 * pointers) and the words at the stack pointer, addresses in the image
 * shown as offsets into it, which addr2line or gdb turn into lines.
 */
#include <vmk/check.h>
#include <vmk/format.h>
#include <vmk/log.h>
#include "x86/cpu.h"
#include "x86/machine.h"

struct trap_frame {
	u64 r15, r14, r13, r12, rbp, rbx;
	u64 r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss;
};

struct __packed idt_gate {
	u16 off_lo;
	u16 sel;
	u8 ist;
	u8 type;	/* present, DPL 0, 64-bit interrupt gate */
	u16 off_mid;
	u32 off_hi;
	u32 zero;
};

/* null, unused, code (0x10, as Linux's __KERNEL_CS), data (0x18). */
static u64 gdt[4] __aligned(16) = {
	0,
	0,
	0x00af9b000000ffffULL,	/* 64-bit code, present, DPL 0 */
	0x00cf93000000ffffULL,	/* data, present, writable */
};

static struct idt_gate idt[256] __aligned(16);

struct desc_ptr vmk_gdt_ptr, vmk_idt_ptr;

extern const u64 trap_entries[32];

static const char *const trap_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow",
	"bound range", "invalid opcode", "device not available",
	"double fault", "coprocessor overrun", "invalid TSS",
	"segment not present", "stack fault", "general protection",
	"page fault", "reserved", "x87 error", "alignment check",
	"machine check", "SIMD error", "virtualization", "control protection",
	"reserved", "reserved", "reserved", "reserved", "reserved",
	"reserved", "hypervisor injection", "VMM communication",
	"security", "reserved",
};

static void gate_set(u32 v, u64 a)
{
	idt[v] = (struct idt_gate){
		.off_lo = (u16)a,
		.sel = GDT_CODE,
		.type = 0x8e,
		.off_mid = (u16)(a >> 16),
		.off_hi = (u32)(a >> 32),
	};
}

void trap_set_gate(u32 vector, void (*entry)(void))
{
	CHECK(vector >= 32 && vector < 256);
	gate_set(vector, (u64)entry);
}

void trap_init(void)
{
	for (int v = 0; v < 32; v++)
		gate_set((u32)v, (u64)trap_entries + trap_entries[v]);
	vmk_gdt_ptr = (struct desc_ptr){ sizeof(gdt) - 1, (u64)gdt };
	vmk_idt_ptr = (struct desc_ptr){ sizeof(idt) - 1, (u64)idt };
}

extern const char __image_start[], __rodata_start[];

#define TRAP_FRAMES		12
#define TRAP_STACK_WORDS	12
/* How far above the faulting stack pointer a frame pointer may lie:
 * the largest world stack (the VCPU worlds' 16 KiB). */
#define TRAP_STACK_SPAN		(16 * 1024)

static bool trap_in_text(u64 a)
{
	return a >= (u64)__image_start && a < (u64)__rodata_start;
}

/* An address as an offset into the image when it lies in its text. */
static u64 trap_off(u64 a)
{
	return trap_in_text(a) ? a - (u64)__image_start : a;
}

/* Return addresses up the frame-pointer chain from rbp, as long as each
 * frame lies above the last one and near the stack: a smashed or foreign
 * rbp ends the walk instead of faulting again. */
static void trap_backtrace(const struct trap_frame *t)
{
	char buf[200];
	u64 fp = t->rbp, lo = t->rsp;
	int n = 0, i;

	for (i = 0; i < TRAP_FRAMES; i++) {
		const u64 *f = (const u64 *)fp;

		if ((fp & 7) || fp < lo || fp - t->rsp >= TRAP_STACK_SPAN ||
		    !trap_in_text(f[1]))
			break;
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, " +0x%lx",
			      f[1] - (u64)__image_start);
		if (n >= (int)sizeof(buf) - 1)
			break;
		lo = fp + 16;
		fp = f[0];
	}
	log_panic_line("backtrace (image offsets):%s%s", n ? buf : " none",
		       i == TRAP_FRAMES ? " ..." : "");
}

/* The words at the stack pointer, text addresses as "+off". */
static void trap_stack(const struct trap_frame *t)
{
	const u64 *sp = (const u64 *)(t->rsp & ~7ULL);
	char buf[220];
	int n = 0;

	for (int i = 0; i < TRAP_STACK_WORDS && n < (int)sizeof(buf) - 1; i++) {
		u64 w = sp[i];

		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			      trap_in_text(w) ? " +0x%lx" : " 0x%lx", trap_off(w));
	}
	log_panic_line("stack at rsp:%s", buf);
}

void trap_handler(struct trap_frame *t)
{
	u64 v = t->vector & 31;

	log_panic_line("exception %lu (%s) error 0x%lx at rip 0x%lx (%s+0x%lx) "
		       "cs 0x%lx rflags 0x%lx", v, trap_names[v], t->error, t->rip,
		       trap_in_text(t->rip) ? "image " : "outside the image, ",
		       t->rip - (u64)__image_start, t->cs, t->rflags);
	log_panic_line("rsp 0x%lx cr2 0x%lx rax 0x%lx rbx 0x%lx rcx 0x%lx",
		       t->rsp, read_cr2(), t->rax, t->rbx, t->rcx);
	log_panic_line("rdx 0x%lx rsi 0x%lx rdi 0x%lx rbp 0x%lx r8 0x%lx",
		       t->rdx, t->rsi, t->rdi, t->rbp, t->r8);
	log_panic_line("r9 0x%lx r10 0x%lx r11 0x%lx r12 0x%lx r13 0x%lx",
		       t->r9, t->r10, t->r11, t->r12, t->r13);
	log_panic_line("r14 0x%lx r15 0x%lx image at 0x%lx", t->r14, t->r15,
		       (u64)__image_start);
	/* The stack pointer is the CPU's own: reading at it cannot fault
	 * unless the stack itself overflowed, which ends in a double fault
	 * on the same stack anyway. */
	if (v != 8)
		trap_stack(t);
	trap_backtrace(t);
	panic("exception %lu (%s) at rip 0x%lx (image +0x%lx): the CPU stops",
	      v, trap_names[v], t->rip, t->rip - (u64)__image_start);
}
