// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 implementation of the hooks the architecture-neutral vmkernel
 * calls (vmk/arch.h, vmk/machine.h).
 */
#include <vmk/arch.h>
#include <vmk/errno.h>
#include <vmk/log.h>
#include <vmk/machine.h>
#include <vmk/mem.h>
#include <vmk/string.h>
#include "x86/cpu.h"
#include "x86/machine.h"

extern const struct vmk_image_header vmk_header;
extern const char __image_start[], __rodata_end[];

#define GUEST_BUF_MAX	(1ULL << 20)

struct percpu *this_cpu(void)
{
	u64 rsp = read_rsp(), base = (u64)machine.stacks;

	if (base && rsp >= base && rsp < base + (u64)machine.ncpus * STACK_SIZE)
		return &machine.cpu[(rsp - base) / STACK_SIZE];

	/* On a world's stack: only CPUs the vmkernel owns run those, and
	 * their GS base points at their struct percpu. */
	if (rsp - machine.region_va < machine.region_size) {
		struct percpu *c;

		__asm__ volatile("mov %%gs:%c1, %0" : "=r"(c)
				 : "i"(offsetof(struct percpu, self)));
		return c;
	}

	/* On Linux's stack (entry_init, virt_cpu_enter): find the CPU by APIC ID. */
	u32 apic = cpuid(1, 0).ebx >> 24;
	if (cpuid(0, 0).eax >= 0xb)
		apic = cpuid(0xb, 0).edx;
	for (u32 i = 0; i < machine.ncpus; i++)
		if (machine.cpu[i].apic_id == apic)
			return &machine.cpu[i];
	return NULL;
}

u32 arch_cpu_index(void)
{
	struct percpu *c = this_cpu();

	return c ? c->index : 0;
}

static u64 tsc_to_ns(u64 tsc)
{
	u64 khz = machine.tsc_khz;

	return tsc / khz * 1000000 + tsc % khz * 1000000 / khz;
}

u64 arch_uptime_ns(void)
{
	return machine.boot_tsc ? tsc_to_ns(rdtsc() - machine.boot_tsc) : 0;
}

u64 arch_now_ns(void)
{
	return arch_uptime_ns();
}

unsigned long arch_irq_save(void)
{
	unsigned long f = read_rflags();

	__asm__ volatile("cli" ::: "memory");
	return f;
}

void arch_irq_restore(unsigned long flags)
{
	if (flags & X86_RFLAGS_IF)
		__asm__ volatile("sti" ::: "memory");
}

void arch_cpu_relax(void)
{
	cpu_relax();
}

void arch_halt(void)
{
	/* Only the CPU running entry_init is in the vmkernel then. */
	if (READ_ONCE(machine.in_init))
		__builtin_longjmp(machine.init_jmp, 1);
	for (;;)
		__asm__ volatile("cli; hlt");
}

void *arch_guest_ptr(u64 gpa, u64 len, int *err)
{
	if (len == 0 || len > GUEST_BUF_MAX || gpa + len < gpa) {
		*err = -EINVAL;
		return NULL;
	}
	if (gpa + len > machine.npt_span || pa_in_region(gpa, len)) {
		*err = -EFAULT;
		return NULL;
	}
	*err = 0;
	return (void *)gpa;	/* physical memory is identity-mapped */
}

u32 arch_ncpus(void)
{
	return machine.ncpus;
}

void arch_fill_info(struct vmk_info *info)
{
	memset(info, 0, sizeof(*info));
	info->call_version = VMK_CALL_VERSION;
	info->abi_version = VMK_ABI_VERSION;
	strlcpy(info->version, vmk_header.version, sizeof(info->version));
	info->uptime_ns = arch_uptime_ns();
	info->ncpus = machine.ncpus;
	info->ncpus_running = __atomic_load_n(&machine.ncpus_running, __ATOMIC_RELAXED);
	info->region_pa = pa_addr(machine.region_pa);
	info->region_size = machine.region_size;
	info->mem_used = mem_used();
	info->log_head = log_head();
	info->tsc_khz = machine.tsc_khz;
	info->paging_levels = machine.levels;
}

int arch_cpu_stats(u32 index, struct vmk_cpu_stats *st)
{
	if (index >= machine.ncpus)
		return -EINVAL;
	const struct percpu *c = &machine.cpu[index];

	memset(st, 0, sizeof(*st));
	st->index = c->index;
	st->state = READ_ONCE(c->state);
	st->apic_id = c->apic_id;
	st->linux_cpu = c->linux_cpu;
	for (int k = 0; k < VMK_EXIT_KINDS; k++)
		st->exits[k] = READ_ONCE(c->exits[k]);
	st->exits_total = READ_ONCE(c->exits_total);
	st->vmk_tsc = READ_ONCE(c->vmk_tsc);
	st->entered_tsc = c->entered_tsc;
	if (st->state == VMK_CPU_VMKERNEL) {
		st->vmk_since_tsc = c->vmk_since_tsc;
		st->now_tsc = rdtsc();
		st->timer_irqs = READ_ONCE(c->timer_irqs);
		st->resched_irqs = READ_ONCE(c->resched_irqs);
		st->irq_tsc = READ_ONCE(c->irq_tsc);
	}
	return 0;
}

u64 arch_image_checksum(void)
{
	u64 h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	for (const char *p = __image_start; p < __rodata_end; p++)
		h = (h ^ (u8)*p) * 0x100000001b3ULL;
	return h;
}
