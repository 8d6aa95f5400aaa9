/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Layouts shared by entry.S and C.  The host frame sits at the top of a
 * CPU's vmkernel stack while it runs the console world: the console's
 * general registers other than RAX and RSP (which the backend's guest
 * state holds), what the backend's run loop needs (virt_pa: for SVM the
 * VMCB's physical address), and the CPU's per-CPU structure.  The leave
 * state is what the backend loads to hand the CPU back to Linux.
 */
#ifndef X86_FRAME_H
#define X86_FRAME_H

#define F_RBX		0x00
#define F_RCX		0x08
#define F_RDX		0x10
#define F_RSI		0x18
#define F_RDI		0x20
#define F_RBP		0x28
#define F_R8		0x30
#define F_R9		0x38
#define F_R10		0x40
#define F_R11		0x48
#define F_R12		0x50
#define F_R13		0x58
#define F_R14		0x60
#define F_R15		0x68
#define F_VIRT_PA	0x70
#define F_CPU		0x78
#define F_SIZE		0x80

#define LS_CR0		0x00
#define LS_CR3		0x08
#define LS_CR4		0x10
#define LS_EFER		0x18
#define LS_RIP		0x20
#define LS_CS		0x28
#define LS_RFLAGS	0x30
#define LS_RSP		0x38
#define LS_SS		0x40
#define LS_DS		0x48
#define LS_ES		0x50
#define LS_RAX		0x58
#define LS_GDTR		0x60	/* 10 bytes: limit, base */
#define LS_IDTR		0x70
#define LS_SIZE		0x80

/* The vmkernel's GDT: selectors equal to Linux's kernel ones. */
#define GDT_CODE	0x10
#define GDT_DATA	0x18

#ifndef __ASSEMBLER__
#include <vmk/types.h>

struct percpu;

struct host_frame {
	u64 rbx, rcx, rdx, rsi, rdi, rbp;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
	u64 virt_pa;
	struct percpu *cpu;
};

struct leave_state {
	u64 cr0, cr3, cr4, efer;
	u64 rip, cs, rflags, rsp, ss, ds, es, rax;
	struct __packed { u16 limit; u64 base; u8 pad[6]; } gdtr;
	struct __packed { u16 limit; u64 base; u8 pad[6]; } idtr;
};

_Static_assert(sizeof(struct host_frame) == F_SIZE, "host frame layout");
_Static_assert(__builtin_offsetof(struct host_frame, r15) == F_R15, "host frame r15");
_Static_assert(__builtin_offsetof(struct host_frame, virt_pa) == F_VIRT_PA, "host frame virt_pa");
_Static_assert(__builtin_offsetof(struct host_frame, cpu) == F_CPU, "host frame cpu");
_Static_assert(sizeof(struct leave_state) == LS_SIZE, "leave state layout");
_Static_assert(__builtin_offsetof(struct leave_state, rax) == LS_RAX, "leave rax");
_Static_assert(__builtin_offsetof(struct leave_state, gdtr) == LS_GDTR, "leave gdtr");
_Static_assert(__builtin_offsetof(struct leave_state, idtr) == LS_IDTR, "leave idtr");
#endif

#endif
