/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Instructions for the MMIO decoder's host test (test_decode.c), made by
 * the assembler rather than typed in as bytes, so that every ModRM, SIB,
 * displacement, immediate and prefix form is what a compiler would emit,
 * and its length is the assembler's.  Each CASE gives a name, the code
 * size (16, 32, 64), whether the decoder must accept it, and then what it
 * must find: operand size, write, immediate, register (x86 number), high
 * byte register, immediate value, zero extension, register size.
 *
 * Table entry (13 quads): start, length, code size, accept, size, write,
 * has_imm, reg, high_byte, imm, zero_extend, reg_size, name.
 */
#define CASE(name, mode, ok, size, write, has_imm, reg, high, imm, zx, rsize, ...) \
	.pushsection .rodata.decode_bytes, "a"; .code##mode; \
	99: __VA_ARGS__; 98: .code64; .popsection; \
	.pushsection .rodata.decode_names, "a"; 97: .asciz name; .popsection; \
	.pushsection .data.decode_cases, "aw"; \
	.quad 99b, 98b - 99b, mode, ok, size, write, has_imm, reg, high, imm, zx, rsize, 97b; \
	.popsection

/* A MOV the decoder must take: size, write, reg, high byte. */
#define MOV(name, mode, size, write, reg, high, ...) \
	CASE(name, mode, 1, size, write, 0, reg, high, 0, 0, size, __VA_ARGS__)
/* A store of an immediate. */
#define IMM(name, mode, size, imm, ...) \
	CASE(name, mode, 1, size, 1, 1, 0, 0, imm, 0, 0, __VA_ARGS__)
/* MOVZX: source size, destination register and its size. */
#define MOVZX(name, mode, size, reg, rsize, ...) \
	CASE(name, mode, 1, size, 0, 0, reg, 0, 0, 1, rsize, __VA_ARGS__)
/* One the decoder must refuse. */
#define BAD(name, mode, ...) \
	CASE(name, mode, 0, 0, 0, 0, 0, 0, 0, 0, 0, __VA_ARGS__)

	.section .data.decode_cases, "aw"
	.balign 8
	.globl decode_cases
decode_cases:

/* ---- 64-bit code ---- */
MOV("64 (%rax) -> eax", 64, 4, 0, 0, 0, mov (%rax), %eax)
MOV("64 rip-relative", 64, 4, 0, 1, 0, mov 0x100(%rip), %ecx)
MOV("64 eax -> disp8", 64, 4, 1, 0, 0, mov %eax, 0x10(%rbx))
MOV("64 edx -> disp32", 64, 4, 1, 2, 0, mov %edx, 0x300(%rbx))
MOV("64 neg disp8", 64, 4, 0, 3, 0, mov -0x10(%rsi), %ebx)
MOV("64 sib base+index*4", 64, 4, 0, 6, 0, mov (%rax,%rcx,4), %esi)
MOV("64 sib disp8", 64, 4, 0, 7, 0, mov 0x20(%rax,%rcx,8), %edi)
MOV("64 sib disp32", 64, 4, 1, 5, 0, mov %ebp, 0x320(%rdx,%rbx,2))
MOV("64 sib no base", 64, 4, 0, 0, 0, mov -0x11fffe0(,%rcx,1), %eax)
MOV("64 sib absolute", 64, 4, 1, 1, 0, mov %ecx, 0xb0)
MOV("64 rsp base", 64, 4, 0, 0, 0, mov 8(%rsp), %eax)
MOV("64 rbp base", 64, 4, 0, 0, 0, mov (%rbp), %eax)
MOV("64 r12 base", 64, 4, 0, 0, 0, mov (%r12), %eax)
MOV("64 r13 base", 64, 4, 0, 0, 0, mov (%r13), %eax)
MOV("64 r15 index", 64, 4, 0, 2, 0, mov 0x30(%r14,%r15,4), %edx)
MOV("64 rex.r r9d", 64, 4, 1, 9, 0, mov %r9d, (%rax))
MOV("64 rex.w r10", 64, 8, 1, 10, 0, mov %r10, (%rax))
MOV("64 rex.w load", 64, 8, 0, 0, 0, mov (%rax), %rax)
MOV("64 16-bit store", 64, 2, 1, 0, 0, mov %ax, (%rdi))
MOV("64 16-bit load r11w", 64, 2, 0, 11, 0, mov 0x80(%rdi), %r11w)
MOV("64 byte store al", 64, 1, 1, 0, 0, mov %al, (%rdi))
MOV("64 byte store ah", 64, 1, 1, 0, 1, mov %ah, (%rdi))
MOV("64 byte store bh", 64, 1, 1, 3, 1, mov %bh, 0x20(%rdi))
MOV("64 byte store sil", 64, 1, 1, 6, 0, mov %sil, (%rdi))
MOV("64 byte load dh", 64, 1, 0, 2, 1, mov (%rdi), %dh)
MOV("64 byte load r8b", 64, 1, 0, 8, 0, mov (%rdi), %r8b)
MOV("64 fs override", 64, 4, 0, 0, 0, mov %fs:(%rax), %eax)
MOV("64 addr32", 64, 4, 0, 1, 0, mov (%eax), %ecx)
MOV("64 addr32 sib", 64, 4, 1, 1, 0, mov %ecx, 0x10(%eax,%ebx,4))
MOV("64 moffs64 load", 64, 4, 0, 0, 0, movabs 0xfee00020, %eax)
MOV("64 moffs64 store rax", 64, 8, 1, 0, 0, movabs %rax, 0xfee000b0)
IMM("64 movl imm", 64, 4, 0x12345678, movl $0x12345678, 0x300(%rdi))
IMM("64 movq imm sign", 64, 8, 0xffffffffffffffff, movq $-1, (%rdi))
IMM("64 movq imm pos", 64, 8, 0x7fffffff, movq $0x7fffffff, 0x10(%rdi,%rax,8))
IMM("64 movw imm", 64, 2, 0x1234, movw $0x1234, (%rdi))
IMM("64 movb imm", 64, 1, 0x12, movb $0x12, 0x80(%rdi))
IMM("64 movl imm rip", 64, 4, 0, movl $0, 0x1000(%rip))
IMM("64 movl imm sib nobase", 64, 4, 0xff, movl $0xff, 0xf0(,%rax,1))
MOVZX("64 movzbl", 64, 1, 0, 4, movzbl (%rdi), %eax)
MOVZX("64 movzwl r11d", 64, 2, 11, 4, movzwl 0x30(%rdi), %r11d)
MOVZX("64 movzbw", 64, 1, 0, 2, movzbw (%rdi), %ax)
MOVZX("64 movzbq", 64, 1, 3, 8, movzbq (%rdi), %rbx)
MOVZX("64 movzwq sib", 64, 2, 12, 8, movzwq 4(%rax,%rbx,2), %r12)
BAD("64 add to memory", 64, add %eax, (%rdi))
BAD("64 register move", 64, mov %eax, %ecx)
BAD("64 movs", 64, movsl)
BAD("64 rep stos", 64, rep stosl)
BAD("64 lock inc", 64, lock incl (%rdi))
BAD("64 xchg", 64, xchg %eax, (%rdi))
BAD("64 or", 64, orl $1, (%rdi))
BAD("64 movsbl", 64, movsbl (%rdi), %eax)
BAD("64 mov to segment", 64, mov (%rdi), %es)
BAD("64 cmpxchg", 64, cmpxchg %ecx, (%rdi))
BAD("64 movzx register", 64, movzbl %al, %eax)
BAD("64 c7 /1", 64, .byte 0xc7, 0x0f, 0x01, 0x00, 0x00, 0x00)
BAD("64 nothing but prefixes", 64, .byte 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66)

/* ---- 32-bit code ---- */
MOV("32 moffs load", 32, 4, 0, 0, 0, mov 0xfee00020, %eax)
MOV("32 moffs store", 32, 4, 1, 0, 0, mov %eax, 0xfee000b0)
MOV("32 moffs byte load", 32, 1, 0, 0, 0, mov 0xfee00020, %al)
MOV("32 moffs 16-bit store", 32, 2, 1, 0, 0, mov %ax, 0xfee00080)
MOV("32 disp32 absolute", 32, 4, 0, 3, 0, mov 0xfee00030, %ebx)
MOV("32 (ebx)", 32, 4, 0, 1, 0, mov (%ebx), %ecx)
MOV("32 disp8", 32, 4, 1, 2, 0, mov %edx, 0x20(%esi))
MOV("32 disp32", 32, 4, 1, 7, 0, mov %edi, 0x300(%ebp))
MOV("32 sib", 32, 4, 0, 6, 0, mov (%eax,%ecx,4), %esi)
MOV("32 sib no base", 32, 4, 0, 5, 0, mov 0xfee00000(,%ecx,4), %ebp)
MOV("32 esp base", 32, 4, 0, 0, 0, mov 4(%esp), %eax)
MOV("32 ebp base", 32, 4, 0, 0, 0, mov (%ebp), %eax)
MOV("32 16-bit", 32, 2, 0, 1, 0, mov (%ebx), %cx)
MOV("32 byte ch", 32, 1, 1, 1, 1, mov %ch, (%ebx))
MOV("32 ds override", 32, 4, 0, 0, 0, mov %ds:(%ebx), %eax)
MOV("32 addr16", 32, 4, 0, 0, 0, addr16 mov (%bx,%si), %eax)
MOV("32 addr16 disp16", 32, 4, 1, 0, 0, addr16 mov %eax, 0x1234(%bx))
MOV("32 addr16 moffs", 32, 4, 0, 0, 0, addr16 mov 0x20, %eax)
IMM("32 movl imm abs", 32, 4, 0, movl $0, 0xfee000b0)
IMM("32 movl imm sib", 32, 4, 0x1ff, movl $0x1ff, 0xf0(%eax,%ebx,1))
IMM("32 movw imm", 32, 2, 0xabcd, movw $0xabcd, 0x80(%edi))
IMM("32 movb imm", 32, 1, 0x7f, movb $0x7f, (%edi))
MOVZX("32 movzbl", 32, 1, 2, 4, movzbl 0xfee00020, %edx)
MOVZX("32 movzwl", 32, 2, 0, 4, movzwl (%ebx), %eax)
BAD("32 add", 32, addl $1, 0xfee000b0)
BAD("32 register move", 32, mov %ebx, %eax)
BAD("32 rex is dec", 32, .byte 0x48, 0x8b, 0x00)

/* ---- 16-bit code ---- */
MOV("16 (bx)", 16, 2, 0, 0, 0, mov (%bx), %ax)
MOV("16 moffs", 16, 2, 0, 0, 0, mov 0x1234, %ax)
MOV("16 disp16", 16, 2, 1, 1, 0, mov %cx, 0x1234)
MOV("16 bp+si disp8", 16, 1, 0, 1, 0, mov 0x10(%bp,%si), %cl)
MOV("16 bx+di disp16", 16, 2, 1, 2, 0, mov %dx, 0x400(%bx,%di))
MOV("16 32-bit operand", 16, 4, 1, 0, 0, mov %eax, (%di))
MOV("16 addr32", 16, 4, 0, 0, 0, mov (%eax,%ebx,4), %eax)
IMM("16 movl imm", 16, 4, 1, movl $1, (%bx))
IMM("16 movw imm", 16, 2, 0x55aa, movw $0x55aa, 0x8(%si))
MOVZX("16 movzbw", 16, 1, 0, 2, movzbw (%bx), %ax)

	.section .data.decode_cases, "aw"
	.globl decode_cases_end
decode_cases_end:
	.section .note.GNU-stack, "", @progbits
