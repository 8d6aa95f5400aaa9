// SPDX-License-Identifier: GPL-2.0
/*
 * The vmkernel's start-up: init_vmkernel() reads as the order in which
 * things come up, one step a line.  It runs once, on one CPU, in the
 * shim's context, before any CPU enters; the machine layer's steps are
 * arch_* hooks (<vmk/machine.h>).  Nothing here changes the state of a
 * CPU, so a failing step just returns its error: the shim releases the
 * region and with it everything built so far.
 *
 * The scheduler comes before the world table because the table's first
 * worlds, one idle world per CPU, are handed to the scheduler as they
 * are made.  The CPUs come last: each enters afterwards in its own
 * entry_cpu and runs the console world made for it here; all of them
 * start with the console, and the console gives the vmkernel CPUs later
 * (kernel/cpu.c).
 */
#include <vmk/console.h>
#include <vmk/cpu.h>
#include <vmk/errno.h>
#include <vmk/heap.h>
#include <vmk/init.h>
#include <vmk/lock.h>
#include <vmk/log.h>
#include <vmk/machine.h>
#include <vmk/mem.h>
#include <vmk/sched.h>
#include <vmk/vm.h>
#include <vmk/world.h>

/*
 * Failure injection: a heap's lock, then the world table's, which ranks
 * below it.  The debug image reports the violation naming both locks and
 * places (and start-up fails); the release image checks no ranks and
 * goes on.
 */
static void init_lock_order_fault(void)
{
	struct heap *h = mem_heap(MEM_HEAP_WORLD);

	log_warn("injected failure: lock order: the world table's lock under heap '%s''s",
		 h->name);
	spin_lock(&h->lock);
	(void)world_find(0);
	spin_unlock(&h->lock);
}

static int init_steps(const struct vmk_boot_info *bi)
{
	int err;

	log_init(bi->log_level, bi->flags & VMK_BOOT_SERIAL_LOG);
	if ((err = arch_boot_params(bi)))
		return err;
	if (vmkcall_init(bi->load_key)) {
		log_warn("no load key in the boot info: the shim must give one");
		return -EINVAL;
	}
	log_info("vmkernel %s: starting; region %lu MiB at 0x%lx, %u CPUs",
		 VMK_RELEASE, bi->region_size >> 20, bi->region_pa, bi->ncpus);
	if ((err = arch_cpu_check()))
		return err;
	if ((err = mem_init(pa(bi->region_pa), bi->region_size,
			    (void *)bi->region_va, arch_image_size())))
		return err;
	if ((err = arch_mm_init()))
		return err;
	if ((err = arch_cpus_init(bi->ncpus)))
		return err;
	if ((err = arch_virt_init()))
		return err;
	if ((err = sched_init(bi->ncpus, arch_cpu_mhz())))
		return err;
	if ((err = world_init(mem_heap(MEM_HEAP_WORLD), bi->ncpus)))
		return err;
	if ((err = console_init(bi->ncpus)))
		return err;
	if ((err = cpu_init(bi->ncpus)))
		return err;
	vm_init();
	if (bi->fail_step == VMK_FAIL_LOCK_ORDER)
		init_lock_order_fault();
	return 0;
}

int init_vmkernel(const struct vmk_boot_info *bi)
{
	int err = init_steps(bi);

	if (err) {
		/* Info, not a warning: the step that failed has said why, and
		 * the shim quotes the last warning to explain the refusal. */
		log_info("start-up failed: error %d", err);
		return err;
	}
	log_info("ready: %lu KiB of the region in use, %u worlds",
		 mem_used() >> 10, world_count());
	return 0;
}
