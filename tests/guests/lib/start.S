/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Start-up of every test guest: the multiboot v1 header, the entry in
 * 32-bit protected mode (EAX = 0x2BADB002, EBX = the multiboot info),
 * the guest's own flat GDT (a multiboot loader's is not to be trusted),
 * a stack, and the interrupt vector entries that idt.c points its gates at.
 */

#define MB_MAGIC	0x1badb002
/* Bit 0: modules page aligned; bit 1: memory information wanted. */
#define MB_FLAGS	0x00000003

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.text
	.globl start_entry
start_entry:
	cli
	cld
	/* The IDTR as the loader left it, for the crash guest's ud2-noidt. */
	sidt start_loader_idtr
	movl $start_stack_top, %esp
	lgdt start_gdtr
	ljmp $0x08, $1f
1:	movw $0x10, %cx
	movw %cx, %ds
	movw %cx, %es
	movw %cx, %fs
	movw %cx, %gs
	movw %cx, %ss
	/* A loader need not zero .bss; the stack is in it, so keep EAX/EBX in regs. */
	movl %eax, %esi
	movl $bss_start, %edi
	movl $bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl $start_stack_top, %esp
	pushl %ebx
	pushl %esi
	call start_guest
2:	cli
	hlt
	jmp 2b

/* Vector entries: one per vector, all into idt_entry_common. */
	.macro VECTOR_ENTRY vec
	.align 16
	.if (\vec == 8 || (\vec >= 10 && \vec <= 14) || \vec == 17 || \vec == 21 || \vec == 29 || \vec == 30)
	/* the CPU pushed an error code */
	.else
	pushl $0
	.endif
	pushl $\vec
	jmp idt_entry_common
	.endm

	.align 16
	.globl start_idt_entries
start_idt_entries:
	.set vec, 0
	.rept 256
	VECTOR_ENTRY vec
	.set vec, vec + 1
	.endr

idt_entry_common:
	pushal
	cld
	pushl %esp
	call idt_dispatch
	addl $4, %esp
	popal
	addl $8, %esp
	iret

	.data
	.align 8
start_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: code, flat 4 GiB, 32-bit */
	.quad 0x00cf92000000ffff	/* 0x10: data, flat 4 GiB */
	.quad 0x00009a000000ffff	/* 0x18: code, 16-bit, for the AP trampoline */
	.quad 0x000092000000ffff	/* 0x20: data, 16-bit */
start_gdt_end:
	.globl start_gdtr
start_gdtr:
	.word start_gdt_end - start_gdt - 1
	.long start_gdt

	.globl start_loader_idtr
start_loader_idtr:
	.word 0
	.long 0

	.section .note.GNU-stack, "", @progbits

	.bss
	.align 16
	.space 16384
	.globl start_stack_top
start_stack_top:
