/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vmkernel's entry and exit paths on x86 with AMD SVM.
 *
 * vmk_entry_cpu is called by the shim on each CPU, with interrupts off,
 * on Linux's stack and page tables.  cpu_enter() builds the CPU's VMCB
 * from the live state so that the console world resumes as if this call
 * had returned 0 to the shim: at the return address, with the caller's
 * stack and callee-saved registers.  (The console cannot resume inside
 * the vmkernel: from then on the nested page tables hide the image.)
 * svm_launch then moves to the vmkernel's stack, page tables, GDT and IDT
 * and runs svm_loop.  If cpu_enter() fails it returns a negative errno
 * and nothing has changed.
 *
 * svm_loop: VMRUN, save the console's registers on #VMEXIT, call
 * svm_exit(); a non-zero answer means "leave": svm_leave() hands the CPU
 * back through svm_leave_final.
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

	.globl vmk_entry_cpu
	.type vmk_entry_cpu, @function
vmk_entry_cpu:
	endbr64
	mov	(%rsp), %rdx		/* the console resumes at our return address */
	lea	8(%rsp), %rsi		/* ... with the stack as our caller will see it */
	sub	$56, %rsp
	mov	%rbx, 0(%rsp)		/* ... and the registers our caller keeps */
	mov	%rbp, 8(%rsp)
	mov	%r12, 16(%rsp)
	mov	%r13, 24(%rsp)
	mov	%r14, 32(%rsp)
	mov	%r15, 40(%rsp)
	mov	%rsp, %rcx
	call	cpu_enter		/* returns only if the CPU did not enter */
	add	$56, %rsp
	ret
	.size vmk_entry_cpu, . - vmk_entry_cpu

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
	mov	F_VMCB_PA(%rsp), %rax
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

/* Exception entry points: push an error code where the CPU does not,
 * then the vector, and hand the frame to trap_handler(). */
.macro TRAP vec, has_err
	.align 16
trap_\vec:
	.if \has_err == 0
	pushq	$0
	.endif
	pushq	$\vec
	jmp	trap_common
.endm

TRAP 0, 0
TRAP 1, 0
TRAP 2, 0
TRAP 3, 0
TRAP 4, 0
TRAP 5, 0
TRAP 6, 0
TRAP 7, 0
TRAP 8, 1
TRAP 9, 0
TRAP 10, 1
TRAP 11, 1
TRAP 12, 1
TRAP 13, 1
TRAP 14, 1
TRAP 15, 0
TRAP 16, 0
TRAP 17, 1
TRAP 18, 0
TRAP 19, 0
TRAP 20, 0
TRAP 21, 1
TRAP 22, 0
TRAP 23, 0
TRAP 24, 0
TRAP 25, 0
TRAP 26, 0
TRAP 27, 0
TRAP 28, 0
TRAP 29, 1
TRAP 30, 1
TRAP 31, 0

trap_common:
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	mov	%rsp, %rdi
	and	$-16, %rsp
	call	trap_handler		/* does not return */
	ud2

/* Interrupts on a CPU the vmkernel owns: save what the C calling
 * convention lets a call clobber, call the handler, return.  The CPU
 * aligns the stack to 16 and pushes 40 bytes, and nine registers more
 * make it 16-byte aligned again at the call. */
.macro IRQ name, handler
	.globl \name
	.type \name, @function
	.align 16
\name:
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	cld
	call	\handler
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rax
	iretq
	.size \name, . - \name
.endm

IRQ irq_entry_timer, vmkcpu_irq_timer
IRQ irq_entry_resched, vmkcpu_irq_resched
IRQ irq_entry_stray, vmkcpu_irq_stray

/* A spurious interrupt is not acknowledged. */
	.globl irq_entry_spurious
	.type irq_entry_spurious, @function
	.align 16
irq_entry_spurious:
	iretq
	.size irq_entry_spurious, . - irq_entry_spurious

/* The table of entry points, read by trap_init(). */
	.section .rodata
	.align 8
	.globl trap_entries
trap_entries:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad trap_\v - trap_entries
	.endr
