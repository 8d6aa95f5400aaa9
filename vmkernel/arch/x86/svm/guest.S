/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One run of a VM's VCPU (svm/vcpu.c), called from its world's loop on a
 * vmkernel CPU:
 *
 *	void svm_vcpu_enter(u64 *regs, u64 vmcb_pa, u64 host_pa)
 *
 * regs holds the guest's general registers in the x86 encoding order
 * (vmm.h's enum vcpu_reg; RAX and RSP live in the VMCB).  With GIF clear
 * throughout, the host's FS/GS/TR/LDTR and syscall MSRs go to host_pa
 * (VMSAVE) and the guest's come from its VMCB (VMLOAD), and back after
 * the #VMEXIT; only then is GIF set, so an interrupt that arrived during
 * the run is taken with the vmkernel's GS base (struct percpu) in place.
 * RFLAGS.IF is the caller's (on), which with V_INTR_MASKING lets a
 * physical interrupt end the run.
 */

/* Offsets in regs. */
#define R_RCX	0x08
#define R_RDX	0x10
#define R_RBX	0x18
#define R_RBP	0x28
#define R_RSI	0x30
#define R_RDI	0x38
#define R_R8	0x40
#define R_R9	0x48
#define R_R10	0x50
#define R_R11	0x58
#define R_R12	0x60
#define R_R13	0x68
#define R_R14	0x70
#define R_R15	0x78

	.text
	.globl svm_vcpu_enter
	.type svm_vcpu_enter, @function
svm_vcpu_enter:
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	push	%rdi			/* regs */
	push	%rdx			/* host_pa */
	push	%rsi			/* vmcb_pa */

	clgi
	mov	%rdx, %rax
	vmsave	%rax
	mov	%rsi, %rax
	vmload	%rax

	mov	R_RCX(%rdi), %rcx
	mov	R_RDX(%rdi), %rdx
	mov	R_RBX(%rdi), %rbx
	mov	R_RBP(%rdi), %rbp
	mov	R_RSI(%rdi), %rsi
	mov	R_R8(%rdi), %r8
	mov	R_R9(%rdi), %r9
	mov	R_R10(%rdi), %r10
	mov	R_R11(%rdi), %r11
	mov	R_R12(%rdi), %r12
	mov	R_R13(%rdi), %r13
	mov	R_R14(%rdi), %r14
	mov	R_R15(%rdi), %r15
	mov	R_RDI(%rdi), %rdi

	vmrun	%rax

	/* RAX is vmcb_pa again and RSP the host's; the rest is the guest's. */
	push	%rdi
	mov	24(%rsp), %rdi		/* regs */
	mov	%rcx, R_RCX(%rdi)
	mov	%rdx, R_RDX(%rdi)
	mov	%rbx, R_RBX(%rdi)
	mov	%rbp, R_RBP(%rdi)
	mov	%rsi, R_RSI(%rdi)
	mov	%r8, R_R8(%rdi)
	mov	%r9, R_R9(%rdi)
	mov	%r10, R_R10(%rdi)
	mov	%r11, R_R11(%rdi)
	mov	%r12, R_R12(%rdi)
	mov	%r13, R_R13(%rdi)
	mov	%r14, R_R14(%rdi)
	mov	%r15, R_R15(%rdi)
	pop	%rcx
	mov	%rcx, R_RDI(%rdi)

	pop	%rax			/* vmcb_pa */
	vmsave	%rax
	pop	%rax			/* host_pa */
	vmload	%rax
	stgi

	pop	%rdi
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	ret
	.size svm_vcpu_enter, . - svm_vcpu_enter
