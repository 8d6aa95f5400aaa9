/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The real-mode start of an application processor.  smp.c copies
 * trampoline_start..trampoline_end to SMP_TRAMPOLINE (below 1 MiB, page
 * aligned, as a SIPI vector demands) and fills in trampoline_gdtr; the
 * AP switches to protected mode on the guest's GDT, jumps to
 * trampoline_entry32 in the image at 1 MiB and calls smp_ap_entry() on
 * the stack the BSP set.
 */
#define SMP_TRAMPOLINE 0x7000

	.text
	.code16
	.globl trampoline_start, trampoline_gdtr, trampoline_end
trampoline_start:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl SMP_TRAMPOLINE + (trampoline_gdtr - trampoline_start)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $0x08, $trampoline_entry32
	.align 4
trampoline_gdtr:
	.word 0
	.long 0
trampoline_end:

	.code32
trampoline_entry32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	movl smp_ap_stack, %esp
	call smp_ap_entry
1:	cli
	hlt
	jmp 1b

	.section .note.GNU-stack, "", @progbits
