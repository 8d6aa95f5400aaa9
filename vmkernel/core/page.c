// SPDX-License-Identifier: GPL-2.0
/*
 * Physical page allocator: a binary buddy allocator over the vmkernel's
 * region (see <vmk/page.h> for why buddy).  A block of order k starts at a
 * page index that is a multiple of 2^k, counted from the region's base;
 * its buddy is at index ^ 2^k.  Only the first page of a block carries
 * state in its metadata entry: whether the block is free or allocated,
 * and its order.
 */
#include <vmk/page.h>
#include <vmk/check.h>
#include <vmk/errno.h>
#include <vmk/log.h>
#include <vmk/string.h>

#define PAGE_NIL	0xffffffffU

enum page_flag {
	PAGE_TAIL = 0,		/* inside a block, or reserved */
	PAGE_FREE_HEAD,
	PAGE_USED_HEAD,
};

struct page_meta {
	u32 next, prev;		/* free list of the block's order */
	u8 flag;		/* enum page_flag */
	u8 order;
	u16 unused;
};

static void page_list_add(struct page_arena *a, u32 i, u32 order)
{
	struct page_meta *m = &a->meta[i];

	m->flag = PAGE_FREE_HEAD;
	m->order = (u8)order;
	m->prev = PAGE_NIL;
	m->next = a->free_head[order];
	if (m->next != PAGE_NIL)
		a->meta[m->next].prev = i;
	a->free_head[order] = i;
	a->nfree[order]++;
}

static void page_list_del(struct page_arena *a, u32 i)
{
	struct page_meta *m = &a->meta[i];

	if (m->prev != PAGE_NIL)
		a->meta[m->prev].next = m->next;
	else
		a->free_head[m->order] = m->next;
	if (m->next != PAGE_NIL)
		a->meta[m->next].prev = m->prev;
	a->nfree[m->order]--;
	m->flag = PAGE_TAIL;
}

static void page_poison(struct page_arena *a, u32 i, u32 order)
{
#ifdef VMK_DEBUG
	memset(a->map + ((u64)i << PAGE_SHIFT), PAGE_POISON,
	       PAGE_SIZE << order);
#else
	(void)a, (void)i, (void)order;
#endif
}

static void page_check_poison(struct page_arena *a, u32 i, u32 order)
{
#ifdef VMK_DEBUG
	const u64 *p = (const u64 *)(a->map + ((u64)i << PAGE_SHIFT));
	const u64 pattern = 0x0101010101010101ULL * PAGE_POISON;
	u64 n = (PAGE_SIZE << order) / sizeof(u64), k;

	for (k = 0; k < n; k++)
		if (p[k] != pattern)
			panic("page %#llx written after free (offset %#llx)",
			      (unsigned long long)(pa_addr(a->base) +
				((u64)i << PAGE_SHIFT) + k * sizeof(u64)) &
				~(unsigned long long)(PAGE_SIZE - 1),
			      (unsigned long long)(k * sizeof(u64)));
#else
	(void)a, (void)i, (void)order;
#endif
}

u32 page_order_for(u64 bytes)
{
	u32 order = 0;

	while (order <= PAGE_MAX_ORDER && (PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

int page_arena_init(struct page_arena *a, paddr_t base, u64 size, void *map)
{
	u64 npages = size >> PAGE_SHIFT, meta_pages;
	u32 i, order;

	if ((pa_addr(base) | (u64)(uintptr_t)map) & (PAGE_SIZE - 1))
		return -EINVAL;
	if (npages > PAGE_NIL - 1)
		return -EINVAL;
	meta_pages = (npages * sizeof(struct page_meta) + PAGE_SIZE - 1) >>
		     PAGE_SHIFT;
	if (npages <= meta_pages)
		return -ENOMEM;

	memset(a, 0, sizeof(*a));
	spin_init(&a->lock, "page", LOCK_RANK_PAGE);
	a->base = base;
	a->map = map;
	a->npages = (u32)npages;
	a->first = (u32)meta_pages;
	a->meta = map;
	a->usable_pages = npages - meta_pages;
	for (order = 0; order <= PAGE_MAX_ORDER; order++)
		a->free_head[order] = PAGE_NIL;
	memset(a->meta, 0, meta_pages << PAGE_SHIFT);

	/* Cut [first, npages) into the largest aligned blocks. */
	for (i = a->first; i < a->npages;) {
		order = PAGE_MAX_ORDER;
		while ((i & ((1U << order) - 1)) ||
		       (u64)i + (1U << order) > a->npages)
			order--;
		page_poison(a, i, order);
		page_list_add(a, i, order);
		a->free_pages += 1U << order;
		i += 1U << order;
	}
	return 0;
}

int page_alloc(struct page_arena *a, u32 order, paddr_t *out)
{
	u32 k, i;
	int ret = 0;

	if (order > PAGE_MAX_ORDER)
		return -EINVAL;
	spin_lock(&a->lock);
	for (k = order; k <= PAGE_MAX_ORDER; k++)
		if (a->free_head[k] != PAGE_NIL)
			break;
	if (k > PAGE_MAX_ORDER) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	i = a->free_head[k];
	page_list_del(a, i);
	/* Split, returning upper halves to the lists. */
	while (k > order) {
		k--;
		page_list_add(a, i + (1U << k), k);
	}
	a->meta[i].flag = PAGE_USED_HEAD;
	a->meta[i].order = (u8)order;
	a->free_pages -= 1U << order;
	page_check_poison(a, i, order);
	*out = pa_add(a->base, (u64)i << PAGE_SHIFT);
out_unlock:
	spin_unlock(&a->lock);
	return ret;
}

void page_free(struct page_arena *a, paddr_t p, u32 order)
{
	u64 off = pa_addr(p) - pa_addr(a->base);
	u32 i, buddy;

	CHECK(pa_addr(p) >= pa_addr(a->base) && !(off & (PAGE_SIZE - 1)));
	CHECK((off >> PAGE_SHIFT) < a->npages && order <= PAGE_MAX_ORDER);
	i = (u32)(off >> PAGE_SHIFT);

	spin_lock(&a->lock);
	if (a->meta[i].flag != PAGE_USED_HEAD || a->meta[i].order != order)
		panic("page_free(%#llx, order %u): not an allocated block "
		      "of that order", (unsigned long long)pa_addr(p), order);
	page_poison(a, i, order);
	a->meta[i].flag = PAGE_TAIL;
	a->free_pages += 1U << order;
	/* Coalesce with free buddies of the same order. */
	while (order < PAGE_MAX_ORDER) {
		buddy = i ^ (1U << order);
		if (buddy < a->first || buddy >= a->npages ||
		    a->meta[buddy].flag != PAGE_FREE_HEAD ||
		    a->meta[buddy].order != order)
			break;
		page_list_del(a, buddy);
		i = MIN(i, buddy);
		order++;
	}
	page_list_add(a, i, order);
	spin_unlock(&a->lock);
}

void *page_va(const struct page_arena *a, paddr_t p)
{
	u64 off = pa_addr(p) - pa_addr(a->base);

	CHECK(pa_addr(p) >= pa_addr(a->base) &&
	      off < ((u64)a->npages << PAGE_SHIFT));
	return a->map + off;
}

paddr_t page_pa(const struct page_arena *a, const void *va)
{
	const u8 *v = va;

	CHECK(v >= a->map && v < a->map + ((u64)a->npages << PAGE_SHIFT));
	return pa_add(a->base, (u64)(v - a->map));
}

u64 page_free_count(struct page_arena *a)
{
	u64 n;

	spin_lock(&a->lock);
	n = a->free_pages;
	spin_unlock(&a->lock);
	return n;
}
