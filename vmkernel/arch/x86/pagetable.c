// SPDX-License-Identifier: GPL-2.0
/*
 * The x86-64 page-table builder behind paging.c: pure table logic, with
 * table pages from a caller's page source, so that it builds the same in
 * the image and on the host.  Tables are walked with 4 or 5 levels; level
 * 1 maps 4 KiB pages, level 2 2 MiB, level 3 1 GiB.
 */
#include <vmk/check.h>
#include <vmk/errno.h>
#include "x86/pagetable.h"

#define SZ_4K		((u64)1 << 12)
#define SZ_2M		((u64)1 << 21)
#define SZ_1G		((u64)1 << 30)

static u64 level_size(u32 level)
{
	return 1ULL << (12 + 9 * (level - 1));
}

u64 *pagetable_entry(const struct pt_pages *pg, u64 *root, u32 levels,
		     u64 a, u32 level)
{
	u64 *t = root;

	for (u32 l = levels; l > level; l--) {
		u64 *e = &t[(a >> (12 + 9 * (l - 1))) & 511];
		if (!(*e & PTE_P)) {
			u64 tpa;
			if (!pg->alloc(pg->ctx, &tpa))
				return NULL;
			*e = tpa | PT_TABLE_FLAGS;
		}
		/* Splitting a large page is not something the builders do. */
		CHECK(!(*e & PTE_PS));
		t = pg->virt(pg->ctx, *e & PTE_ADDR);
	}
	return &t[(a >> (12 + 9 * (level - 1))) & 511];
}

int pagetable_map(const struct pt_pages *pg, u64 *root, u32 levels, u64 va,
		  u64 pa, u64 size, u32 level, u64 flags)
{
	u64 step = level_size(level);

	for (u64 off = 0; off < size; off += step) {
		u64 *e = pagetable_entry(pg, root, levels, va + off, level);
		if (!e)
			return -ENOMEM;
		if (!flags)
			*e = 0;
		else
			*e = (pa + off) | flags | (level > 1 ? PTE_PS : 0);
	}
	return 0;
}

/*
 * Physical memory below PT_SPAN one to one, with the largest pages that
 * fit, except [rbase, rend), whose 4 KiB entries are left not present
 * (a 2 MiB block wholly inside it is one entry left not present: no
 * table of 4 KiB holes for it, 512 fewer tables per GiB to build).
 */
static int pagetable_map_around(const struct pt_pages *pg, u64 *root, u32 levels,
				u64 rbase, u64 rend, u64 leaf)
{
	int err = 0;

	for (u64 g = 0; g < PT_SPAN && !err; g += SZ_1G) {
		if (g + SZ_1G <= rbase || g >= rend) {
			err = pagetable_map(pg, root, levels, g, g, SZ_1G, 3, leaf);
			continue;
		}
		for (u64 m = g; m < g + SZ_1G && !err; m += SZ_2M) {
			if (m + SZ_2M <= rbase || m >= rend) {
				err = pagetable_map(pg, root, levels, m, m, SZ_2M, 2, leaf);
				continue;
			}
			if (m >= rbase && m + SZ_2M <= rend) {
				err = pagetable_map(pg, root, levels, m, m, SZ_2M, 2, 0);
				continue;
			}
			for (u64 k = m; k < m + SZ_2M && !err; k += SZ_4K) {
				bool hole = k >= rbase && k < rend;
				err = pagetable_map(pg, root, levels, k, k, SZ_4K, 1,
						    hole ? 0 : leaf);
			}
		}
	}
	return err;
}

int pagetable_build_host(const struct pt_pages *pg, u64 *root, u32 levels,
			 u64 region_va, u64 region_pa, u64 region_size)
{
	int err = pagetable_map_around(pg, root, levels, region_pa,
				       region_pa + region_size, PT_HOST_LEAF);

	if (!err)
		err = pagetable_map(pg, root, levels, region_va, region_pa,
				    region_size, 1, PT_HOST_LEAF);
	return err;
}

int pagetable_build_npt(const struct pt_pages *pg, u64 *root, u32 levels,
			u64 region_pa, u64 region_size)
{
	return pagetable_map_around(pg, root, levels, region_pa,
				    region_pa + region_size, PT_NPT_LEAF);
}
