// SPDX-License-Identifier: GPL-2.0
/*
 * The vmkernel's descriptor tables and its exception handler.  On a
 * console CPU the vmkernel runs with interrupts off and GIF clear, so
 * only exceptions reach this IDT; on a CPU the vmkernel owns, its own
 * interrupt vectors do too (x86/apic.h, set by trap_set_gate()).  An
 * exception in the vmkernel is a vmkernel bug: the handler logs the CPU
 * state and stops the CPU.
 */
#include <vmk/check.h>
#include <vmk/log.h>
#include "x86/cpu.h"
#include "x86/machine.h"

struct trap_frame {
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

void trap_handler(struct trap_frame *t)
{
	u64 v = t->vector & 31;

	panic("exception %lu (%s) error 0x%lx at rip 0x%lx (image +0x%lx) "
	      "rsp 0x%lx cr2 0x%lx rax 0x%lx rcx 0x%lx rdx 0x%lx rsi 0x%lx rdi 0x%lx",
	      v, trap_names[v], t->error, t->rip, t->rip - machine.region_va,
	      t->rsp, read_cr2(), t->rax, t->rcx, t->rdx, t->rsi, t->rdi);
}
