// SPDX-License-Identifier: GPL-2.0
/*
 * Switching between vmkernel worlds on x86: the scheduler has chosen
 * `next`; save the callee-saved registers and the return address on
 * prev's stack, keep the stack pointer in prev, and continue on next's
 * stack where it was switched out.  Everything else the C calling
 * convention lets a call clobber.
 *
 * A new world's first stack (arch_world_stack_init()) holds only the
 * address where it starts, which that ret jumps to.
 */
#include <vmk/arch.h>
#include <vmk/cpu.h>
#include <vmk/world.h>

void arch_world_switch(struct world *prev, struct world *next)
{
	__asm__ volatile(
		"push %%rbp\n\t"
		"push %%rbx\n\t"
		"push %%r12\n\t"
		"push %%r13\n\t"
		"push %%r14\n\t"
		"push %%r15\n\t"
		"lea 1f(%%rip), %%rax\n\t"
		"push %%rax\n\t"
		"mov %%rsp, %c[sp](%[prev])\n\t"
		"mov %c[sp](%[next]), %%rsp\n\t"
		/* On next's stack: prev's is no longer used here.  Cleared
		 * before set, so a switch to itself leaves it set. */
		"movl $0, %c[on](%[prev])\n\t"
		"movl $1, %c[on](%[next])\n\t"
		"ret\n"
		"1:\n\t"
		"pop %%r15\n\t"
		"pop %%r14\n\t"
		"pop %%r13\n\t"
		"pop %%r12\n\t"
		"pop %%rbx\n\t"
		"pop %%rbp\n\t"
		: [prev] "+D"(prev), [next] "+S"(next)
		: [sp] "i"(__builtin_offsetof(struct world, arch_sp)),
		  [on] "i"(__builtin_offsetof(struct world, on_cpu))
		: "rax", "rcx", "rdx", "r8", "r9", "r10", "r11", "memory", "cc");
}

void arch_world_stack_init(struct world *w, void *stack, u64 size,
			   void (*entry)(void))
{
	u64 top = ((u64)stack + size) & ~15ULL;
	u64 *sp = (u64 *)top - 2;

	/* arch_world_switch() ends in ret: entry runs as if called, with a
	 * null return address above it. */
	sp[0] = (u64)entry;
	sp[1] = 0;
	w->arch_sp = (u64)sp;
}
