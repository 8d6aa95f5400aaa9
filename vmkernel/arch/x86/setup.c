// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 side of the vmkernel's start-up: the image's entry_init
 * applies the relocations and hands over to the generic start-up
 * (kernel/init.c), which calls the arch_* hooks here in its order.  All
 * of it runs once, on one CPU, in the shim's context on Linux's page
 * tables, before any CPU enters.  Nothing here changes the state of any
 * CPU: a failure returns an error and the shim releases the region.
 */
#include <vmk/arch.h>
#include <vmk/check.h>
#include <vmk/cpu.h>
#include <vmk/errno.h>
#include <vmk/init.h>
#include <vmk/log.h>
#include <vmk/machine.h>
#include <vmk/mem.h>
#include <vmk/string.h>
#include "x86/apic.h"
#include "x86/cpu.h"
#include "x86/machine.h"
#include "x86/virt.h"

struct machine machine;

extern char __image_start[], __image_end[];

void *machine_alloc(u64 bytes)
{
	u32 order = page_order_for(bytes);

	if (order > PAGE_MAX_ORDER)
		return NULL;
	return heap_alloc_pages(mem_heap(MEM_HEAP_MACHINE), order);
}

paddr_t virt_to_region_pa(const void *p)
{
	u64 off = (u64)p - machine.region_va;

	CHECK(off < machine.region_size);
	return pa_add(machine.region_pa, off);
}

void *region_pa_to_virt(paddr_t p)
{
	u64 off = pa_addr(p) - pa_addr(machine.region_pa);

	CHECK(off < machine.region_size);
	return (void *)(machine.region_va + off);
}

bool pa_in_region(u64 pa, u64 len)
{
	u64 base = pa_addr(machine.region_pa);

	return pa < base + machine.region_size && pa + len > base;
}

static int percpu_init(u32 ncpus)
{
	/* One block, so that this_cpu() finds a CPU from its stack pointer. */
	machine.stacks = machine_alloc((u64)STACK_SIZE * ncpus);
	if (!machine.stacks)
		return -ENOMEM;

	for (u32 i = 0; i < ncpus; i++) {
		struct percpu *c = &machine.cpu[i];

		int err;

		c->state = VMK_CPU_OFF;
		c->stack = machine.stacks + (u64)i * STACK_SIZE;
		/* The top of the stack holds the frame (this_cpu() finds the
		 * CPU from where its stack pointer lies). */
		c->frame = (struct host_frame *)(c->stack + STACK_SIZE) - 1;
		c->frame->cpu = c;
		err = virt_cpu_setup(c);
		if (err)
			return err;
	}
	return 0;
}

int arch_boot_params(const struct vmk_boot_info *bi)
{
	machine.region_pa = pa(bi->region_pa);
	machine.region_size = bi->region_size;
	machine.region_va = bi->region_va;
	machine.tsc_khz = bi->tsc_khz ? bi->tsc_khz : 1000000;
	machine.boot_tsc = rdtsc();
	machine.flags = bi->flags;
	machine.fail_cpu = bi->fail_cpu;
	machine.fail_step = bi->fail_step;

	if (bi->ncpus == 0 || bi->ncpus > VMK_MAX_CPUS) {
		log_warn("cannot run on %u CPUs (1 to %u)", bi->ncpus, VMK_MAX_CPUS);
		return -EINVAL;
	}
	/* Who is who first, so that every log line names its CPU. */
	machine.ncpus = bi->ncpus;
	for (u32 i = 0; i < bi->ncpus; i++) {
		machine.cpu[i].index = i;
		machine.cpu[i].apic_id = bi->apic_id[i];
		machine.cpu[i].linux_cpu = bi->linux_cpu[i];
	}
	if (machine.region_va != (u64)__image_start) {
		log_err("image runs at 0x%lx but the region is mapped at 0x%lx",
			(u64)__image_start, machine.region_va);
		return -EINVAL;
	}
	if (bi->fail_step >= VMK_FAIL_STEPS) {
		log_warn("unknown failure-injection step %u", bi->fail_step);
		return -EINVAL;
	}
	return 0;
}

u64 arch_image_size(void)
{
	return (u64)(__image_end - __image_start);
}

u32 arch_cpu_mhz(void)
{
	return (u32)MAX(machine.tsc_khz / 1000, 1);
}

int arch_cpu_check(void)
{
	return virt_check_cpu();
}

int arch_mm_init(void)
{
	int err = paging_init();

	if (err)
		log_err("cannot build page tables: error %d", err);
	return err;
}

int arch_cpus_init(u32 ncpus)
{
	int err;

	trap_init();
	err = percpu_init(ncpus);
	if (err) {
		log_err("region too small for %u CPUs", ncpus);
		return err;
	}
	/* The APIC and interrupt vectors of the CPUs given to the vmkernel. */
	err = apic_init();
	if (!err)
		vmkcpu_init();
	return err;
}

int arch_virt_init(void)
{
	return virt_init();
}

/*
 * A panic during start-up (a broken invariant, or a lock taken against
 * its rank in the debug image) must not stop the CPU: it is Linux's,
 * running the shim.  arch_halt() comes back here instead, and the load
 * fails with the panic as the log's last line.
 */
int vmk_entry_init(struct vmk_boot_info *bi)
{
	unsigned long flags;
	int err;

	if (reloc_self())
		return -ENOEXEC;
	/* Interrupts as the shim had them, whatever the panic left. */
	flags = read_rflags();
	if (__builtin_setjmp(machine.init_jmp)) {
		WRITE_ONCE(machine.in_init, false);
		arch_irq_restore(flags);
		return -EIO;
	}
	WRITE_ONCE(machine.in_init, true);
	err = init_vmkernel(bi);
	WRITE_ONCE(machine.in_init, false);
	return err;
}
