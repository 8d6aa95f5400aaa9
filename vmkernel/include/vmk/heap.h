/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Named heaps, as in ESX: each subsystem allocates from its own heap, so
 * that a leak or a runaway consumer is visible by name and bounded by that
 * heap's limit instead of starving the whole vmkernel.  Heaps take pages
 * from a page arena.  Small objects (up to HEAP_SMALL_MAX bytes) come from
 * one-page slabs of power-of-two size classes; larger ones get their own
 * block of pages.  Either way a 64-byte header sits at the start of the
 * page that holds the object, so heap_free() finds it by rounding down.
 *
 * Accounting per heap: bytes of pages held (against the limit) and their
 * high-water mark, bytes handed out and theirs, allocation, free and
 * failure counts.  heap_report() formats all of it into a caller buffer.
 * With VMK_DEBUG freed objects are poisoned and checked on reuse, and a
 * double free panics.
 *
 * Every field of struct heap below the lock is guarded by it.
 */
#ifndef VMK_HEAP_H
#define VMK_HEAP_H

#include <vmk/types.h>
#include <vmk/lock.h>
#include <vmk/page.h>

#define HEAP_NAME_LEN	24
#define HEAP_NCLASSES	7		/* 16, 32, ... 1024 bytes */
#define HEAP_SMALL_MAX	1024
#define HEAP_POISON	0x5a

struct heap_slab;

struct heap_class_stats {
	u32 size;
	u32 slabs;
	u32 objs_used;
	u32 objs_total;
};

struct heap_stats {
	u64 limit;		/* bytes of pages; 0: unlimited */
	u64 held;		/* bytes of pages taken from the arena */
	u64 held_hwm;
	u64 in_use;		/* bytes handed out (rounded up to their slot) */
	u64 in_use_hwm;
	u64 nalloc, nfree, nfail;
	u32 large;		/* live large objects */
	u32 blocks;		/* live page blocks (heap_alloc_pages) */
	struct heap_class_stats cls[HEAP_NCLASSES];
};

struct heap {
	char name[HEAP_NAME_LEN];
	struct page_arena *arena;
	struct heap *next;		/* heap list, under its own lock */
	struct spinlock lock;
	struct heap_slab *partial[HEAP_NCLASSES];	/* slabs with room */
	struct heap_stats st;
};

/* -EINVAL for an empty or over-long name, -EEXIST if the name is taken. */
int heap_create(struct heap *h, const char *name, struct page_arena *a,
		u64 limit);
/* -EBUSY while anything allocated from h is still live. */
int heap_destroy(struct heap *h);

/* NULL when size is 0 or the heap's limit or the arena is exhausted. */
void *heap_alloc(struct heap *h, size_t size);
void *heap_zalloc(struct heap *h, size_t size);
/* p must come from heap_alloc(h); anything else panics.  NULL is ignored. */
void heap_free(struct heap *h, void *p);

/*
 * A zeroed, page-aligned block of 2^order pages charged to h, for what
 * must be whole pages (page tables, stacks, hardware control blocks).
 * NULL for a bad order or when the limit or the arena is exhausted.  It
 * carries no header: give it back with heap_free_pages() and the same
 * order; a block of another order or heap is a vmkernel bug.
 */
void *heap_alloc_pages(struct heap *h, u32 order);
void heap_free_pages(struct heap *h, void *p, u32 order);

void heap_stats(struct heap *h, struct heap_stats *out);
/* Calls fn on every heap, newest first, under the heap list's lock (fn
 * may take the heap's own); returns how many there are. */
u32 heap_each(void (*fn)(struct heap *h, void *arg), void *arg);
struct heap *heap_find(const char *name);
/* All heaps, one line each plus their size classes; returns the length the
 * full report needs (like snprintf), writing at most size bytes. */
size_t heap_report(char *buf, size_t size);

#endif
