/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vmkernel's x86 entry points.
 *
 * vmk_entry_cpu is called by the shim on each CPU, with interrupts off,
 * on Linux's stack and page tables.  It hands the state the console
 * world must resume with (the return address, the caller's stack and
 * callee-saved registers) to the virtualization backend's
 * virt_cpu_enter() (x86/virt.h), which launches the console world and
 * does not return; if the CPU cannot enter it returns a negative errno
 * and nothing has changed.
 *
 * Then the exception and interrupt entries of the vmkernel's IDT.
 */
#include "x86/frame.h"

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
	call	virt_cpu_enter		/* returns only if the CPU did not enter */
	add	$56, %rsp
	ret
	.size vmk_entry_cpu, . - vmk_entry_cpu

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

/* What the C calling convention lets a call clobber, saved. */
.macro PUSH_CALL_CLOBBERED
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
.endm

trap_common:
	PUSH_CALL_CLOBBERED
	/* And the rest, for the report (struct trap_frame). */
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, %rdi
	and	$-16, %rsp
	call	trap_handler		/* does not return */
	ud2

/* Interrupts on a CPU the vmkernel owns: save what the C calling
 * convention lets a call clobber, call the handler, return.  The CPU
 * aligns the stack to 16 and pushes 40 bytes, and nine registers more
 * make it 16-byte aligned again at the call.  The handler's first
 * argument is the interrupted RIP, just above the nine (the timer's
 * handler gives it to a profiling hook; the others ignore it). */
.macro IRQ name, handler
	.globl \name
	.type \name, @function
	.align 16
\name:
	PUSH_CALL_CLOBBERED
	cld
	mov	72(%rsp), %rdi
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
