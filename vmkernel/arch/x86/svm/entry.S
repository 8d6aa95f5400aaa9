/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SVM run loop.  virt_cpu_enter() (svm.c) builds the CPU's VMCB from
 * the live state so that the console world resumes as if vmk_entry_cpu
 * had returned 0 to the shim: at the return address, with the caller's
 * stack and callee-saved registers.  (The console cannot resume inside
 * the vmkernel: from then on the nested page tables hide the image.)
 * svm_launch then moves to the vmkernel's stack, page tables, GDT and
 * IDT and runs svm_loop.
 *
 * svm_loop: VMRUN the VMCB whose address the host frame's virt_pa
 * holds, save the console's registers on #VMEXIT, call svm_exit(); a
 * non-zero answer means "leave": svm_leave() hands the CPU back through
 * svm_leave_final, or the vmkernel keeps it (vmkcpu_start).
 */
#include "x86/frame.h"

/* The console's general registers other than RAX and RSP, between the
 * CPU and the host frame at \base, in the frame's order (struct
 * host_frame: rbx first, 8 bytes each).  LOAD_GPRS loads %rsi last when
 * it is the base. */
.macro FRAME_GPRS op, base
	.set	.Lfoff, 0
	.irp	r, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15
	.ifc	\op, save
	mov	%\r, .Lfoff(\base)
	.else
	.ifnc	%\r, \base
	mov	.Lfoff(\base), %\r
	.endif
	.endif
	.set	.Lfoff, .Lfoff + 8
	.endr
.endm

.macro SAVE_GPRS base
	FRAME_GPRS save, \base
.endm

.macro LOAD_GPRS base
	FRAME_GPRS load, \base
	.ifc	\base, %rsi
	mov	F_RSI(%rsi), %rsi
	.endif
.endm

	.text

/* void svm_launch(struct host_frame *f, u64 cr3, struct desc_ptr *gdt,
 *		   struct desc_ptr *idt) -- does not return */
	.globl svm_launch
	.type svm_launch, @function
svm_launch:
	mov	%rdi, %rsp
	mov	%rsi, %cr3
	lgdt	(%rdx)
	lidt	(%rcx)
	pushq	$GDT_CODE
	lea	1f(%rip), %rax
	push	%rax
	lretq
1:	mov	$GDT_DATA, %eax
	mov	%eax, %ss
	mov	%eax, %ds
	mov	%eax, %es
	/* fall through */

svm_loop:
	mov	F_VIRT_PA(%rsp), %rax
	LOAD_GPRS %rsp
	vmrun	%rax
	SAVE_GPRS %rsp
	mov	%rsp, %rdi
	call	svm_exit
	test	%eax, %eax		/* SVM_EXIT_RESUME */
	jz	svm_loop
	cmp	$2, %eax		/* SVM_EXIT_TAKEN: the console is gone */
	je	1f
	mov	%rsp, %rdi
	call	svm_leave		/* does not return */
	ud2
1:	mov	%rsp, %rdi
	call	vmkcpu_start		/* does not return */
	ud2
	.size svm_launch, . - svm_launch

/* void svm_leave_final(struct leave_state *ls, struct host_frame *f)
 * Runs on the vmkernel's stack with GIF = 0 and interrupts off.  The
 * region is mapped at the same address in Linux's page tables, so the
 * code keeps running after CR3 switches back. */
	.globl svm_leave_final
	.type svm_leave_final, @function
svm_leave_final:
	mov	LS_CR3(%rdi), %rax
	mov	%rax, %cr3
	mov	LS_CR4(%rdi), %rax
	mov	%rax, %cr4
	mov	LS_CR0(%rdi), %rax
	mov	%rax, %cr0
	lgdt	LS_GDTR(%rdi)
	lidt	LS_IDTR(%rdi)
	mov	LS_DS(%rdi), %eax
	mov	%eax, %ds
	mov	LS_ES(%rdi), %eax
	mov	%eax, %es
	/* An IRET frame on the console's own stack (no red zone in Linux). */
	mov	LS_RSP(%rdi), %rax
	sub	$40, %rax
	mov	LS_RIP(%rdi), %rcx
	mov	%rcx, 0(%rax)
	mov	LS_CS(%rdi), %rcx
	mov	%rcx, 8(%rax)
	mov	LS_RFLAGS(%rdi), %rcx
	mov	%rcx, 16(%rax)
	mov	LS_RSP(%rdi), %rcx
	mov	%rcx, 24(%rax)
	mov	LS_SS(%rdi), %rcx
	mov	%rcx, 32(%rax)
	mov	%rax, %rsp
	pushq	LS_RAX(%rdi)
	/* Leave SVM: global interrupts on (Linux's IDT is in place), then
	 * EFER as Linux had it, without SVME. */
	stgi
	mov	$0xc0000080, %ecx
	mov	LS_EFER(%rdi), %eax
	mov	LS_EFER+4(%rdi), %edx
	wrmsr
	LOAD_GPRS %rsi
	pop	%rax
	iretq
	.size svm_leave_final, . - svm_leave_final
