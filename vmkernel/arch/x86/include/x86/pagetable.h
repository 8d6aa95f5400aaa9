/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86-64 page-table builder (pagetable.c): the entry format, and the
 * builders of the vmkernel's own tables and of the console's nested
 * tables.  It takes its table pages from a page source instead of the
 * region's boot allocator, so the same code runs in the image and in the
 * host unit tests (tests/unit/test_pagetable.c).
 */
#ifndef X86_PAGETABLE_H
#define X86_PAGETABLE_H

#include <vmk/types.h>

#define PTE_P		(1ULL << 0)
#define PTE_W		(1ULL << 1)
#define PTE_U		(1ULL << 2)
#define PTE_PS		(1ULL << 7)
#define PTE_ADDR	0x000ffffffffff000ULL

/* The vmkernel's own leaves: supervisor, writable. */
#define PT_HOST_LEAF	(PTE_P | PTE_W)
/*
 * Nested leaves and every table entry: the NPT walk treats guest accesses
 * as user accesses and probes guest page-table reads as stores, so U=1
 * and W=1 throughout.
 */
#define PT_NPT_LEAF	(PTE_P | PTE_W | PTE_U)
#define PT_NPT_RO_LEAF	(PTE_P | PTE_U)		/* a guest's read-only page */
#define PT_TABLE_FLAGS	(PTE_P | PTE_W | PTE_U)

/* Guest-physical (and identity-mapped physical) bytes the tables cover. */
#define PT_SPAN		((u64)512 << 30)

/*
 * Where table pages come from.  alloc returns a zeroed, page-aligned
 * table and its machine address in *pa, or NULL when none is left; virt
 * returns the table that alloc handed out at machine address pa.
 */
struct pt_pages {
	u64 *(*alloc)(void *ctx, u64 *pa);
	u64 *(*virt)(void *ctx, u64 pa);
	void *ctx;
};

/*
 * The entry at `level` (1: 4 KiB, 2: 2 MiB, 3: 1 GiB) for address a in
 * the tables under root, walked with `levels` (4 or 5) levels, creating
 * the tables above it as needed.  NULL if the page source ran dry.
 */
u64 *pagetable_entry(const struct pt_pages *pg, u64 *root, u32 levels,
		     u64 a, u32 level);

/*
 * Maps [va, va + size) to pa with pages of the given level.  flags 0
 * creates the tables but leaves the leaf entries not present.  0 or
 * -ENOMEM.
 */
int pagetable_map(const struct pt_pages *pg, u64 *root, u32 levels, u64 va,
		  u64 pa, u64 size, u32 level, u64 flags);

/*
 * The vmkernel's tables: physical memory identity-mapped below PT_SPAN
 * with the largest pages that fit, except the region, which is mapped
 * only at region_va with 4 KiB pages (so a module page made read-only
 * there has no writable alias).
 */
int pagetable_build_host(const struct pt_pages *pg, u64 *root, u32 levels,
			 u64 region_va, u64 region_pa, u64 region_size);

/*
 * The console's nested tables: guest-physical = machine-physical below
 * PT_SPAN with the largest pages that fit, except the region, whose
 * 4 KiB entries are left not present.
 */
int pagetable_build_npt(const struct pt_pages *pg, u64 *root, u32 levels,
			u64 region_pa, u64 region_size);

#endif
