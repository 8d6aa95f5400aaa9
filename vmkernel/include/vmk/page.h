/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The physical page allocator of the vmkernel's region: a binary buddy
 * allocator over 4 KiB pages, blocks of 2^order pages (order 0 to
 * PAGE_MAX_ORDER).  Buddy rather than a bitmap: allocation and free are
 * O(PAGE_MAX_ORDER) whatever the region's size, contiguous runs come for
 * free (heaps take multi-page blocks for large objects), and coalescing
 * keeps fragmentation bounded.
 *
 * The per-page metadata lives in the first pages of the region itself, so
 * the allocator needs nothing but the region: its machine address, its
 * size and the virtual address where the vmkernel maps it.  Free lists are
 * linked through the metadata, never through the pages, so a free page is
 * not touched until it is handed out.  With VMK_DEBUG freed blocks are
 * filled with PAGE_POISON and checked when they are handed out again: a
 * write after free panics with the page's address.
 *
 * All fields of struct page_arena are guarded by its lock.
 */
#ifndef VMK_PAGE_H
#define VMK_PAGE_H

#include <vmk/types.h>
#include <vmk/lock.h>

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MAX_ORDER	10		/* blocks of up to 4 MiB */
#define PAGE_POISON	0x6b

struct page_meta;

struct page_arena {
	struct spinlock lock;
	paddr_t base;			/* page-aligned */
	u8 *map;			/* where base is mapped */
	u32 npages;			/* pages in the region */
	u32 first;			/* first page after the metadata */
	struct page_meta *meta;		/* npages entries, at map */
	u32 free_head[PAGE_MAX_ORDER + 1];
	u32 nfree[PAGE_MAX_ORDER + 1];	/* blocks on each list */
	u64 free_pages;
	u64 usable_pages;		/* npages - first */
};

/*
 * Takes over [base, base + size), mapped at map.  -EINVAL if base or map
 * is not page-aligned, -ENOMEM if the region cannot hold its own metadata
 * and at least one page.
 */
int page_arena_init(struct page_arena *a, paddr_t base, u64 size, void *map);

/* A block of 2^order pages: 0 and *out, -EINVAL for a bad order, -ENOMEM. */
int page_alloc(struct page_arena *a, u32 order, paddr_t *out);
/* Frees a block page_alloc() returned with this order; anything else is a
 * vmkernel bug and panics. */
void page_free(struct page_arena *a, paddr_t p, u32 order);

void *page_va(const struct page_arena *a, paddr_t p);
paddr_t page_pa(const struct page_arena *a, const void *va);
u64 page_free_count(struct page_arena *a);
/* Smallest order whose block holds bytes; PAGE_MAX_ORDER + 1 if none. */
u32 page_order_for(u64 bytes);

#endif
