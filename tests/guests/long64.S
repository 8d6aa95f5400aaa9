/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Start-up of the long64 guest: a multiboot v1 entry in 32-bit protected
 * mode that switches itself to 64-bit long mode, the way kvm-unit-tests'
 * x86_64 tests do, so that a VMM meets the same path: CR4.PAE, CR3, then
 * EFER.LME by WRMSR, then CR0.PG, then a far jump into a 64-bit code
 * segment.  The page tables identity-map the first 4 GiB with 2 MiB
 * pages; the 2 MiB around the local APIC are uncached (PCD|PWT).
 *
 * An AP enters at physical 0 in real mode (SIPI vector 0, as
 * kvm-unit-tests places its trampoline), sets CR0.PE, loads the GDT
 * through DS (0 after INIT), jumps to 32-bit code and takes the same way
 * into long mode.  Only one AP is supported.
 */

#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00000003	/* modules page aligned, memory info */

#define SEL_CODE32	0x08
#define SEL_DATA	0x10
#define SEL_CODE64	0x18

#define CR0_PE		0x00000001
#define CR0_WP		0x00010000
#define CR0_PG		0x80000000
#define CR4_PAE		0x00000020
#define CR4_PGE		0x00000080
#define CR4_OSFXSR	0x00000200
#define CR4_OSXMMEXCPT	0x00000400
#define MSR_EFER	0xc0000080
#define EFER_LME_BIT	8

#define PTE_P		0x001
#define PTE_RW		0x002
#define PTE_PWT		0x008
#define PTE_PCD		0x010
#define PTE_PS		0x080
#define PTE_G		0x100
#define APIC_PDE	(0xfee00000 >> 21)

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

/* CR4, CR3, EFER.LME, CR0.PG: the order the architecture requires. */
.macro ENTER_LONG
	movl %cr4, %eax
	orl $(CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	movl %eax, %cr4
	movl $long64_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	btsl $EFER_LME_BIT, %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_WP | CR0_PE), %eax
	movl %eax, %cr0
.endm

	.text
	.code32
	.globl long64_entry
long64_entry:
	cli
	cld
	movl %eax, %esi			/* multiboot magic */
	movl %ebx, %ebp			/* multiboot info */
	lgdt long64_gdtr
	ljmp $SEL_CODE32, $1f
1:	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	/* A loader need not zero .bss, which holds the stacks and tables. */
	movl $long64_bss_start, %edi
	movl $long64_bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl $long64_stack_top, %esp

	/* PML4[0] -> PDPT; PDPT[0..3] -> four page directories of 2 MiB pages. */
	movl $(long64_pdpt + PTE_P + PTE_RW), long64_pml4
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $12, %eax
	addl $(long64_pd + PTE_P + PTE_RW), %eax
	movl %eax, long64_pdpt(, %ecx, 8)
	incl %ecx
	cmpl $4, %ecx
	jne 2b
	xorl %ecx, %ecx
3:	movl %ecx, %eax
	shll $21, %eax
	orl $(PTE_P + PTE_RW + PTE_PS + PTE_G), %eax
	cmpl $APIC_PDE, %ecx
	jne 4f
	orl $(PTE_PCD + PTE_PWT), %eax
4:	movl %eax, long64_pd(, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jne 3b

	ENTER_LONG
	ljmp $SEL_CODE64, $long64_start64

	.code64
long64_start64:
	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	movq $long64_stack_top, %rsp
	movl %esi, %edi			/* zero-extends: magic */
	movl %ebp, %esi			/* the multiboot info */
	call long64_boot
5:	cli
	hlt
	jmp 5b

/* ---- the AP: real mode at physical 0, then 32-bit, then long mode ---- */
	.code16
	.globl long64_tramp, long64_tramp_end
long64_tramp:
	cli
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	lgdtl long64_tramp_gdtr - long64_tramp
	ljmpl $SEL_CODE32, $long64_ap32
long64_tramp_gdtr:
	.word long64_gdt_end - long64_gdt - 1
	.long long64_gdt
long64_tramp_end:

	.code32
long64_ap32:
	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	movl $long64_ap_stack_top, %esp
	ENTER_LONG
	ljmp $SEL_CODE64, $long64_ap64

	.code64
long64_ap64:
	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movq $long64_ap_stack_top, %rsp
	call long64_ap_main
6:	cli
	hlt
	jmp 6b

/* ---- 64-bit interrupt entry: one entry per vector ---- */
.macro VECTOR_ENTRY vec
	.align 16
	.if (\vec == 8 || (\vec >= 10 && \vec <= 14) || \vec == 17 || \vec == 21 || \vec == 29 || \vec == 30)
	.else
	pushq $0
	.endif
	pushq $\vec
	jmp long64_trap_common
.endm

	.align 16
	.globl long64_vectors
long64_vectors:
	.set vec, 0
	.rept 256
	VECTOR_ENTRY vec
	.set vec, vec + 1
	.endr

/*
 * Five words the CPU pushed, the error code, the vector, 15 registers:
 * 22 words, so RSP stays 16-byte aligned at the call.
 */
long64_trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	call long64_trap
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp
	iretq

	.data
	.align 16
	.globl long64_gdt
long64_gdt:
	.quad 0
	.quad 0x00cf9b000000ffff	/* 0x08: code, flat, 32-bit */
	.quad 0x00cf93000000ffff	/* 0x10: data, flat */
	.quad 0x00af9b000000ffff	/* 0x18: code, 64-bit */
	.quad 0, 0			/* 0x20: the TSS, filled in by long64.c */
long64_gdt_end:
long64_gdtr:
	.word long64_gdt_end - long64_gdt - 1
	.long long64_gdt

	.section .note.GNU-stack, "", @progbits

	.bss
	.align 4096
long64_pml4:	.space 4096
long64_pdpt:	.space 4096
long64_pd:	.space 4 * 4096
	.space 16384
	.globl long64_stack_top
long64_stack_top:
	.space 16384
long64_ap_stack_top:
