// SPDX-License-Identifier: GPL-2.0
/*
 * Page tables: the vmkernel's own, and the console's nested page tables.
 * Both use the x86-64 format, walked with 4 or 5 levels as the host runs
 * (CR4.LA57 cannot change in long mode, and the NPT walk follows the
 * host's mode).  Level 1 maps 4 KiB pages, level 2 2 MiB, level 3 1 GiB.
 *
 * The vmkernel's tables map the region at the address the shim gave it
 * (so that code keeps running across the CR3 switch) and identity-map
 * the first 512 GiB of physical memory in the lower half, through which
 * the vmkernel reads and writes the console's vmkcall buffers; the
 * region itself has no identity alias, so its pages are reached only
 * through the region's own 4 KiB entries and their protections.
 *
 * The nested tables map guest-physical = machine-physical for the first
 * 512 GiB with the largest pages that fit, except the vmkernel's region,
 * whose 4 KiB entries are left not present: the console cannot reach
 * the image, stacks, VMCBs, save areas or these tables.  An access there
 * is a nested page fault, which svm/svm.c logs before pointing that one page
 * at a scratch page (npt_map_scratch).
 *
 * The table logic itself is pagetable.c; this file gives it the region's
 * boot allocator as its page source.
 */
#include <vmk/errno.h>
#include <vmk/lock.h>
#include <vmk/log.h>
#include <vmk/module.h>
#include "x86/cpu.h"
#include "x86/machine.h"
#include "x86/pagetable.h"

/* Page-level cache control: PCD and PWT select PAT entry 3 (UC). */
#define PTE_PWT		(1ULL << 3)
#define PTE_PCD		(1ULL << 4)

static u64 *table_new(u64 *pa_out)
{
	u64 *t = machine_alloc(PAGE_SIZE);

	if (t)
		*pa_out = pa_addr(virt_to_region_pa(t));
	return t;
}

/* The page source of the builder: tables come from the region. */
static u64 *region_table_alloc(void *ctx, u64 *pa_out)
{
	(void)ctx;
	return table_new(pa_out);
}

static u64 *region_table_virt(void *ctx, u64 tpa)
{
	(void)ctx;
	return region_pa_to_virt(pa(tpa));
}

static const struct pt_pages region_pages = {
	.alloc = region_table_alloc,
	.virt = region_table_virt,
};

int paging_init(void)
{
	u64 *host, *npt;
	int err;

	machine.levels = (read_cr4() & CR4_LA57) ? 5 : 4;
	if (!(cpuid(0x80000001, 0).edx & (1U << 26))) {
		log_warn("CPU has no 1 GiB pages (pdpe1gb); this vmkernel needs them");
		return -ENODEV;
	}
	if (pa_addr(machine.region_pa) + machine.region_size > PT_SPAN) {
		log_warn("region lies above the %lu GiB the vmkernel maps", PT_SPAN >> 30);
		return -EINVAL;
	}

	host = table_new(&machine.host_cr3);
	npt = table_new(&machine.npt_cr3);
	if (!host || !npt)
		return -ENOMEM;

	err = pagetable_build_host(&region_pages, host, machine.levels,
				   machine.region_va, pa_addr(machine.region_pa),
				   machine.region_size);
	if (!err)
		err = pagetable_build_npt(&region_pages, npt, machine.levels,
					  pa_addr(machine.region_pa),
					  machine.region_size);
	if (err)
		return err;

	void *scratch = machine_alloc(PAGE_SIZE);
	if (!scratch)
		return -ENOMEM;
	machine.scratch_pa = virt_to_region_pa(scratch);
	machine.npt_span = PT_SPAN;
	return 0;
}

/* Nested page tables that map [base, base + size) one to one with pages
 * of the given level (1: 4 KiB, 2: 2 MiB, 3: 1 GiB). */
int npt_build_range(u64 base, u64 size, u32 level, paddr_t *root_pa)
{
	u64 root;
	u64 *t = table_new(&root);

	if (!t)
		return -ENOMEM;
	*root_pa = pa(root);
	return pagetable_map(&region_pages, t, machine.levels, base, base, size,
			     level, PT_NPT_LEAF);
}

/* Two CPUs may fault on the same hole at once: one fills it. */
static struct spinlock npt_lock = SPINLOCK_INIT("npt", LOCK_RANK_NPT);

int npt_map_scratch(u64 gpa)
{
	u64 *npt = region_pa_to_virt(pa(machine.npt_cr3));
	u64 *e;
	int err = 0;

	if (!pa_in_region(gpa, 1))
		return -EINVAL;
	spin_lock(&npt_lock);
	e = pagetable_entry(&region_pages, npt, machine.levels, gpa, 1);
	if (e)
		__atomic_store_n(e, pa_addr(machine.scratch_pa) | PT_NPT_LEAF,
				 __ATOMIC_RELEASE);
	else
		err = -ENOMEM;
	spin_unlock(&npt_lock);
	return err;
}

/* One 4 KiB page of MMIO at va in the vmkernel's own tables, uncached
 * (PCD and PWT: PAT entry 3, UC, in Linux's PAT as at reset). */
int paging_map_uncached(u64 va, u64 mmio_pa)
{
	u64 *host = region_pa_to_virt(pa(machine.host_cr3));

	return pagetable_map(&region_pages, host, machine.levels, va, mmio_pa,
			     VMK_PAGE_SIZE, 1, PT_HOST_LEAF | PTE_PCD | PTE_PWT);
}

#define PTE_NX		(1ULL << 63)

/*
 * A module's pages in the vmkernel's own tables, where the region is
 * mapped with 4 KiB entries: text read-only, everything else not
 * executable (when EFER.NXE allows an NX bit at all).  The identity map
 * of physical memory leaves the region out, so no other entry reaches
 * the same pages writable.  Other CPUs drop a stale entry at their next
 * VMRUN or #VMEXIT under TCG; on hardware with ASIDs a shootdown
 * would be needed.
 */
/* The W and NX bits a module page of this kind gets. */
static u64 module_prot_bits(enum module_prot prot)
{
	bool nx = rdmsr(MSR_EFER) & EFER_NXE;

	switch (prot) {
	case MODULE_PROT_RX:
		return 0;
	case MODULE_PROT_R:
		return nx ? PTE_NX : 0;
	case MODULE_PROT_RW:
		return PTE_W | (nx ? PTE_NX : 0);
	default:
		return PTE_W;
	}
}

static bool module_range_ok(void *va, u64 size)
{
	u64 rva = (u64)machine.region_va;

	return !((u64)va % PAGE_SIZE || size % PAGE_SIZE || (u64)va < rva ||
		 size > machine.region_size || (u64)va - rva > machine.region_size - size);
}

bool arch_module_prot_is(void *va, u64 size, enum module_prot prot)
{
	/* Spelled out again rather than taken from module_prot_bits(), so
	 * that a listing shows what a module should have, not what the
	 * code that set it up believed. */
	static const u64 expect[] = {
		[MODULE_PROT_RX] = 0,
		[MODULE_PROT_R] = PTE_NX,
		[MODULE_PROT_RW] = PTE_W | PTE_NX,
		[MODULE_PROT_REGION] = PTE_W,
	};
	u64 *root = region_pa_to_virt(pa(machine.host_cr3));
	u64 want;

	if ((u32)prot > MODULE_PROT_REGION)
		return false;
	want = expect[prot];
	/* Data that may be executed is not what the caller asks about. */
	if (!module_range_ok(va, size) ||
	    (prot != MODULE_PROT_RX && !(rdmsr(MSR_EFER) & EFER_NXE)))
		return false;
	for (u64 off = 0; off < size; off += PAGE_SIZE) {
		u64 *e = pagetable_entry(&region_pages, root, machine.levels,
					 (u64)va + off, 1);

		if (!e || !(*e & PTE_P) || (*e & (PTE_W | PTE_NX)) != want)
			return false;
	}
	return true;
}

int arch_module_protect(void *va, u64 size, enum module_prot prot)
{
	u64 *root = region_pa_to_virt(pa(machine.host_cr3));
	u64 set = module_prot_bits(prot), clear = PTE_W | PTE_NX;

	if (!module_range_ok(va, size))
		return -EINVAL;
	for (u64 off = 0; off < size; off += PAGE_SIZE) {
		u64 a = (u64)va + off;
		u64 *e = pagetable_entry(&region_pages, root, machine.levels, a, 1);

		if (!e || !(*e & PTE_P))
			return -EFAULT;
		*e = (*e & ~clear) | set;
		__asm__ volatile("invlpg (%0)" : : "r"(a) : "memory");
	}
	return 0;
}
