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
 * the vmkernel reads and writes the console's vmkcall buffers.
 *
 * The nested tables map guest-physical = machine-physical for the first
 * 512 GiB with the largest pages that fit, except the vmkernel's region,
 * whose 4 KiB entries are left not present: the console cannot reach
 * the image, stacks, VMCBs, save areas or these tables.  An access there
 * is a nested page fault, which svm.c logs before pointing that one page
 * at a scratch page (npt_map_scratch).
 */
#include <vmk/check.h>
#include <vmk/errno.h>
#include <vmk/log.h>
#include "x86/cpu.h"
#include "x86/machine.h"

#define PTE_P		(1ULL << 0)
#define PTE_W		(1ULL << 1)
#define PTE_U		(1ULL << 2)
#define PTE_PS		(1ULL << 7)
#define PTE_ADDR	0x000ffffffffff000ULL

#define HOST_LEAF	(PTE_P | PTE_W)
#define NPT_LEAF	(PTE_P | PTE_W | PTE_U)	/* the NPT walk is a user access */
#define TABLE_FLAGS	(PTE_P | PTE_W | PTE_U)

#define SZ_4K		((u64)1 << 12)
#define SZ_2M		((u64)1 << 21)
#define SZ_1G		((u64)1 << 30)
#define NPT_SPAN	((u64)512 << 30)

static u64 level_size(u32 level)
{
	return 1ULL << (12 + 9 * (level - 1));
}

static u64 *table_new(u64 *pa_out)
{
	u64 *t = boot_alloc(PAGE_SIZE, PAGE_SIZE);

	if (t)
		*pa_out = pa_addr(virt_to_region_pa(t));
	return t;
}

/*
 * The entry at `level` (1..3) for address a, creating the tables above
 * it as needed.  NULL if the region has no room left.
 */
static u64 *pt_entry(u64 *root, u32 levels, u64 a, u32 level)
{
	u64 *t = root;

	for (u32 l = levels; l > level; l--) {
		u64 *e = &t[(a >> (12 + 9 * (l - 1))) & 511];
		if (!(*e & PTE_P)) {
			u64 tpa;
			if (!table_new(&tpa))
				return NULL;
			*e = tpa | TABLE_FLAGS;
		}
		CHECK(!(*e & PTE_PS));
		t = region_pa_to_virt(pa(*e & PTE_ADDR));
	}
	return &t[(a >> (12 + 9 * (level - 1))) & 511];
}

/* Map [va, va + size) to pa with pages of the given level; flags 0
 * creates the tables but leaves the leaf entries not present. */
static int pt_map(u64 *root, u32 levels, u64 va, u64 pa, u64 size,
		  u32 level, u64 flags)
{
	u64 step = level_size(level);

	for (u64 off = 0; off < size; off += step) {
		u64 *e = pt_entry(root, levels, va + off, level);
		if (!e)
			return -ENOMEM;
		if (!flags)
			*e = 0;
		else
			*e = (pa + off) | flags | (level > 1 ? PTE_PS : 0);
	}
	return 0;
}

static int npt_build(u64 *root)
{
	u64 rbase = pa_addr(machine.region_pa);
	u64 rend = rbase + machine.region_size;
	u32 lv = machine.levels;
	int err = 0;

	for (u64 g = 0; g < NPT_SPAN && !err; g += SZ_1G) {
		if (g + SZ_1G <= rbase || g >= rend) {
			err = pt_map(root, lv, g, g, SZ_1G, 3, NPT_LEAF);
			continue;
		}
		for (u64 m = g; m < g + SZ_1G && !err; m += SZ_2M) {
			if (m + SZ_2M <= rbase || m >= rend) {
				err = pt_map(root, lv, m, m, SZ_2M, 2, NPT_LEAF);
				continue;
			}
			for (u64 k = m; k < m + SZ_2M && !err; k += SZ_4K) {
				bool hole = k >= rbase && k < rend;
				err = pt_map(root, lv, k, k, SZ_4K, 1, hole ? 0 : NPT_LEAF);
			}
		}
	}
	return err;
}

int paging_init(void)
{
	u64 *host, *npt;
	int err;

	machine.levels = (read_cr4() & CR4_LA57) ? 5 : 4;
	if (!(cpuid(0x80000001, 0).edx & (1U << 26))) {
		log_warn("CPU has no 1 GiB pages (pdpe1gb); this vmkernel needs them");
		return -ENODEV;
	}
	if (pa_addr(machine.region_pa) + machine.region_size > NPT_SPAN) {
		log_warn("region lies above the %lu GiB the vmkernel maps", NPT_SPAN >> 30);
		return -EINVAL;
	}

	host = table_new(&machine.host_cr3);
	npt = table_new(&machine.npt_cr3);
	if (!host || !npt)
		return -ENOMEM;

	err = pt_map(host, machine.levels, 0, 0, NPT_SPAN, 3, HOST_LEAF);
	if (!err)
		err = pt_map(host, machine.levels, machine.region_va,
			     pa_addr(machine.region_pa), machine.region_size, 1,
			     HOST_LEAF);
	if (!err)
		err = npt_build(npt);
	if (err)
		return err;

	void *scratch = boot_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!scratch)
		return -ENOMEM;
	machine.scratch_pa = virt_to_region_pa(scratch);
	machine.npt_span = NPT_SPAN;
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
	return pt_map(t, machine.levels, base, base, size, level, NPT_LEAF);
}

int npt_map_scratch(u64 gpa)
{
	u64 *npt = region_pa_to_virt(pa(machine.npt_cr3));
	u64 *e;

	if (!pa_in_region(gpa, 1))
		return -EINVAL;
	e = pt_entry(npt, machine.levels, gpa, 1);
	if (!e)
		return -ENOMEM;
	__atomic_store_n(e, pa_addr(machine.scratch_pa) | NPT_LEAF, __ATOMIC_RELEASE);
	return 0;
}
