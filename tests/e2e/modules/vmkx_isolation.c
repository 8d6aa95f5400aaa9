// SPDX-License-Identifier: GPL-2.0
/*
 * vmkx_isolation: a test module that attacks the vmkernel's memory from
 * the console.  It maps the reserved region afresh and reads and writes
 * every page of it, then writes a whole VMCB-sized page at several
 * places.  Under the vmkernel none of this may reach vmkernel memory: the
 * console either reads a harmless value or faults, and Linux keeps
 * running.  The module reports what it saw in the kernel log and stays
 * loaded until removed.
 *
 * Parameters: base and size of the region (from memmap= on the command
 * line).
 */
#include <linux/io.h>
#include <linux/module.h>
#include <linux/slab.h>

static unsigned long base;
static unsigned long size;
module_param(base, ulong, 0444);
module_param(size, ulong, 0444);

static int __init isolation_init(void)
{
	unsigned long pages = size >> PAGE_SHIFT, i, nonzero = 0, mine = 0;
	u64 *p, *zero;
	void *va;

	if (!base || !size || (base | size) & ~PAGE_MASK) {
		pr_err("vmkx_isolation: need page-aligned base= and size=\n");
		return -EINVAL;
	}
	va = memremap(base, size, MEMREMAP_WB);
	if (!va) {
		pr_err("vmkx_isolation: cannot map %#lx\n", base);
		return -ENOMEM;
	}
	zero = kzalloc(PAGE_SIZE, GFP_KERNEL);
	if (!zero) {
		memunmap(va);
		return -ENOMEM;
	}

	for (i = 0; i < pages; i++) {
		p = va + i * PAGE_SIZE;
		if (READ_ONCE(p[0]) || READ_ONCE(p[PAGE_SIZE / 8 - 1]))
			nonzero++;
	}
	pr_info("vmkx_isolation: read %lu pages, %lu not zero\n", pages, nonzero);

	for (i = 0; i < pages; i++) {
		p = va + i * PAGE_SIZE;
		WRITE_ONCE(p[0], 0xa5a5a5a500000000ULL | i);
		WRITE_ONCE(p[PAGE_SIZE / 8 - 1], 0x5a5a5a5a00000000ULL | i);
	}
	/* VMCB-sized writes: the first pages hold the image; the per-CPU
	 * VMCBs, save areas and page tables follow it. */
	for (i = 0; i < pages; i += pages / 16 ?: 1)
		memset(va + i * PAGE_SIZE, 0xcc, PAGE_SIZE);
	pr_info("vmkx_isolation: wrote every page and %u whole pages\n", 16);

	for (i = 0; i < pages; i++) {
		p = va + i * PAGE_SIZE;
		if ((READ_ONCE(p[0]) & 0xffffffff) == i)
			mine++;
	}
	pr_info("vmkx_isolation: %lu of %lu pages read back what this module wrote there\n",
		mine, pages);
	pr_info("vmkx_isolation: done, the console is still running\n");
	kfree(zero);
	memunmap(va);
	return 0;
}

static void __exit isolation_exit(void)
{
}

module_init(isolation_init);
module_exit(isolation_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmkx test: the console tries to reach vmkernel memory");
