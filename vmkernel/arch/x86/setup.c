// SPDX-License-Identifier: GPL-2.0
/*
 * Boot of the x86 vmkernel: entry_init runs once, on one CPU, in the
 * shim's context on Linux's page tables, before any CPU enters.  In
 * order: apply relocations, start the log, take the boot parameters,
 * check the CPU, then build the page tables, the descriptor tables and
 * the per-CPU areas from the reserved region.  Nothing here changes the
 * state of any CPU: a failure returns an error and the shim releases the
 * region.
 */
#include <vmk/check.h>
#include <vmk/errno.h>
#include <vmk/log.h>
#include <vmk/machine.h>
#include <vmk/string.h>
#include "x86/cpu.h"
#include "x86/machine.h"

struct machine machine;

extern char __image_start[], __image_end[];
extern const struct vmk_image_header vmk_header;

void *boot_alloc(u64 bytes, u64 align)
{
	u64 off = ALIGN_UP(machine.alloc_next, align);

	if (off + bytes > machine.region_size || off + bytes < off)
		return NULL;
	machine.alloc_next = off + bytes;
	void *p = (void *)(machine.region_va + off);
	memset(p, 0, bytes);
	return p;
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

static int percpu_init(const struct vmk_boot_info *bi)
{
	machine.stacks = boot_alloc((u64)STACK_SIZE * bi->ncpus, STACK_SIZE);
	if (!machine.stacks)
		return -ENOMEM;

	for (u32 i = 0; i < bi->ncpus; i++) {
		struct percpu *c = &machine.cpu[i];

		c->state = VMK_CPU_OFF;
		c->vmcb = boot_alloc(PAGE_SIZE, PAGE_SIZE);
		c->hsave = boot_alloc(PAGE_SIZE, PAGE_SIZE);
		c->floor_vmcb = boot_alloc(PAGE_SIZE, PAGE_SIZE);
		if (!c->vmcb || !c->hsave || !c->floor_vmcb)
			return -ENOMEM;
		c->vmcb_pa = virt_to_region_pa(c->vmcb);
		c->hsave_pa = virt_to_region_pa(c->hsave);
		c->stack = machine.stacks + (u64)i * STACK_SIZE;
		/* The top of the stack holds the frame (this_cpu() finds the
		 * CPU from where its stack pointer lies). */
		c->frame = (struct host_frame *)(c->stack + STACK_SIZE) - 1;
		c->frame->cpu = c;
		c->frame->vmcb_pa = pa_addr(c->vmcb_pa);
	}
	return 0;
}

static int init_main(struct vmk_boot_info *bi)
{
	int err;

	log_init(bi->log_level, bi->flags & VMK_BOOT_SERIAL_LOG);
	machine.region_pa = pa(bi->region_pa);
	machine.region_size = bi->region_size;
	machine.region_va = bi->region_va;
	machine.tsc_khz = bi->tsc_khz ? bi->tsc_khz : 1000000;
	machine.boot_tsc = rdtsc();
	machine.flags = bi->flags;
	machine.fail_cpu = bi->fail_cpu;
	machine.fail_step = bi->fail_step;
	machine.alloc_next = (u64)(__image_end - __image_start);

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

	log_info("vmkernel %s: starting; region %lu MiB at 0x%lx, %u CPUs",
		 vmk_header.version, machine.region_size >> 20,
		 pa_addr(machine.region_pa), machine.ncpus);

	if (machine.region_va != (u64)__image_start) {
		log_err("image runs at 0x%lx but the region is mapped at 0x%lx",
			(u64)__image_start, machine.region_va);
		return -EINVAL;
	}
	if (bi->fail_step >= VMK_FAIL_STEPS) {
		log_warn("unknown failure-injection step %u", bi->fail_step);
		return -EINVAL;
	}
	if (vmkcall_init(bi->load_key)) {
		log_warn("no load key in the boot info: the shim must give one");
		return -EINVAL;
	}

	err = svm_check_cpu();
	if (err)
		return err;
	err = paging_init();
	if (err) {
		log_err("cannot build page tables: error %d", err);
		return err;
	}
	trap_init();
	err = percpu_init(bi);
	if (err) {
		log_err("region too small for %u CPUs", bi->ncpus);
		return err;
	}
	err = svm_init();
	if (!err)
		err = floor_init();
	if (err)
		return err;

	log_info("ready: %lu KiB of the region in use, %u-level paging",
		 machine.alloc_next >> 10, machine.levels);
	return 0;
}

int vmk_entry_init(struct vmk_boot_info *bi)
{
	if (reloc_self())
		return -ENOEXEC;
	return init_main(bi);
}
