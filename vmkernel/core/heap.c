// SPDX-License-Identifier: GPL-2.0
/*
 * Named heaps on top of the page allocator (see <vmk/heap.h>).  A small
 * object lives in a one-page slab of its size class; the slab's header
 * (struct heap_slab) fills the first HEAP_HDR bytes of the page and its
 * free objects are chained through their first word.  A large object gets
 * a block of 2^order pages whose header says so.  A slab whose objects are
 * all free goes back to the page arena at once, so a heap's "held" figure
 * is what it really costs.
 *
 * Lock order: the heap list lock, then a heap's lock, then the page
 * arena's (LOCK_RANK_HEAP_LIST < LOCK_RANK_HEAP < LOCK_RANK_PAGE).
 */
#include <vmk/heap.h>
#include <vmk/check.h>
#include <vmk/errno.h>
#include <vmk/format.h>
#include <vmk/log.h>
#include <vmk/string.h>

#define HEAP_HDR		64
#define HEAP_SLAB_MAGIC		0x48656170U	/* "Heap" */
#define HEAP_LARGE		0xff

struct heap_slab {
	u32 magic;
	u8 cls;			/* size class, or HEAP_LARGE */
	u8 order;		/* pages: 2^order */
	u16 nfree;
	u16 nobj;
	struct heap *heap;
	struct heap_slab *next, *prev;	/* the class's partial list */
	void *free;		/* free objects, chained through word 0 */
	u64 size;		/* large: bytes asked for */
};

_Static_assert(sizeof(struct heap_slab) <= HEAP_HDR, "slab header too big");

static struct spinlock heap_list_lock =
	SPINLOCK_INIT("heap-list", LOCK_RANK_HEAP_LIST);
static struct heap *heap_list;

static u32 heap_class_size(u32 cls)
{
	return 16U << cls;
}

static u32 heap_class_of(size_t size)
{
	u32 cls = 0;

	while (heap_class_size(cls) < size)
		cls++;
	return cls;
}

static void heap_poison(void *obj, u32 size)
{
#ifdef VMK_DEBUG
	memset((u8 *)obj + sizeof(void *), HEAP_POISON, size - sizeof(void *));
#else
	(void)obj, (void)size;
#endif
}

static void heap_check_poison(struct heap *h, const void *obj, u32 size)
{
#ifdef VMK_DEBUG
	const u8 *p = obj;
	u32 i;

	for (i = sizeof(void *); i < size; i++)
		if (p[i] != HEAP_POISON)
			panic("heap '%s': %u-byte object %p written after free "
			      "(offset %u)", h->name, size, obj, i);
#else
	(void)h, (void)obj, (void)size;
#endif
}

static void heap_check_double_free(struct heap *h, struct heap_slab *s,
				   const void *obj)
{
#ifdef VMK_DEBUG
	const void *f;

	for (f = s->free; f; f = *(void *const *)f)
		if (f == obj)
			panic("heap '%s': double free of %p", h->name, obj);
#else
	(void)h, (void)s, (void)obj;
#endif
}

static void heap_note_use(struct heap *h, u64 bytes)
{
	h->st.in_use += bytes;
	h->st.in_use_hwm = MAX(h->st.in_use_hwm, h->st.in_use);
	h->st.nalloc++;
}

/* Takes 2^order pages from the arena within the heap's limit. */
static void *heap_get_pages(struct heap *h, u32 order)
{
	u64 bytes = PAGE_SIZE << order;
	paddr_t p;

	if (h->st.limit && h->st.held + bytes > h->st.limit)
		return NULL;
	if (page_alloc(h->arena, order, &p))
		return NULL;
	h->st.held += bytes;
	h->st.held_hwm = MAX(h->st.held_hwm, h->st.held);
	return page_va(h->arena, p);
}

static void heap_put_pages(struct heap *h, void *va, u32 order)
{
	page_free(h->arena, page_pa(h->arena, va), order);
	h->st.held -= PAGE_SIZE << order;
}

static void heap_partial_del(struct heap *h, struct heap_slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		h->partial[s->cls] = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

static void heap_partial_add(struct heap *h, struct heap_slab *s)
{
	s->prev = NULL;
	s->next = h->partial[s->cls];
	if (s->next)
		s->next->prev = s;
	h->partial[s->cls] = s;
}

static struct heap_slab *heap_new_slab(struct heap *h, u32 cls)
{
	u32 size = heap_class_size(cls), i;
	struct heap_slab *s = heap_get_pages(h, 0);
	u8 *obj;

	if (!s)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->magic = HEAP_SLAB_MAGIC;
	s->cls = (u8)cls;
	s->heap = h;
	s->nobj = (u16)((PAGE_SIZE - HEAP_HDR) / size);
	for (i = s->nobj; i-- > 0;) {
		obj = (u8 *)s + HEAP_HDR + i * size;
		heap_poison(obj, size);
		*(void **)obj = s->free;
		s->free = obj;
	}
	s->nfree = s->nobj;
	h->st.cls[cls].slabs++;
	h->st.cls[cls].objs_total += s->nobj;
	heap_partial_add(h, s);
	return s;
}

static void *heap_alloc_small(struct heap *h, size_t size)
{
	u32 cls = heap_class_of(size), csize = heap_class_size(cls);
	struct heap_slab *s = h->partial[cls];
	void *obj;

	if (!s)
		s = heap_new_slab(h, cls);
	if (!s)
		return NULL;
	obj = s->free;
	heap_check_poison(h, obj, csize);
	s->free = *(void **)obj;
	if (--s->nfree == 0)
		heap_partial_del(h, s);
	h->st.cls[cls].objs_used++;
	heap_note_use(h, csize);
	return obj;
}

static void *heap_alloc_large(struct heap *h, size_t size)
{
	u32 order = page_order_for(size + HEAP_HDR);
	struct heap_slab *s;

	if (order > PAGE_MAX_ORDER)
		return NULL;
	s = heap_get_pages(h, order);
	if (!s)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->magic = HEAP_SLAB_MAGIC;
	s->cls = HEAP_LARGE;
	s->order = (u8)order;
	s->heap = h;
	s->size = size;
	h->st.large++;
	heap_note_use(h, size);
	return (u8 *)s + HEAP_HDR;
}

void *heap_alloc(struct heap *h, size_t size)
{
	void *p;

	if (!size)
		return NULL;
	spin_lock(&h->lock);
	p = size <= HEAP_SMALL_MAX ? heap_alloc_small(h, size)
				   : heap_alloc_large(h, size);
	if (!p)
		h->st.nfail++;
	spin_unlock(&h->lock);
	if (!p)
		log_debug("heap '%s': %zu bytes refused (held %llu, limit %llu)",
			  h->name, size, (unsigned long long)h->st.held,
			  (unsigned long long)h->st.limit);
	return p;
}

void *heap_zalloc(struct heap *h, size_t size)
{
	void *p = heap_alloc(h, size);

	if (p)
		memset(p, 0, size);
	return p;
}

void heap_free(struct heap *h, void *p)
{
	struct heap_slab *s;
	u32 csize;
	u64 off;

	if (!p)
		return;
	s = (struct heap_slab *)((uintptr_t)p & ~(uintptr_t)(PAGE_SIZE - 1));
	if (s->magic != HEAP_SLAB_MAGIC || s->heap != h)
		panic("heap '%s': free of %p, which it did not allocate",
		      h->name, p);
	spin_lock(&h->lock);
	if (s->cls == HEAP_LARGE) {
		CHECK((u8 *)p == (u8 *)s + HEAP_HDR);
		h->st.in_use -= s->size;
		h->st.large--;
		h->st.nfree++;
		s->magic = 0;
		heap_put_pages(h, s, s->order);
		goto out_unlock;
	}
	csize = heap_class_size(s->cls);
	off = (u64)((u8 *)p - (u8 *)s) - HEAP_HDR;
	if ((u8 *)p < (u8 *)s + HEAP_HDR || off % csize || off / csize >= s->nobj)
		panic("heap '%s': free of %p, not an object start", h->name, p);
	heap_check_double_free(h, s, p);
	heap_poison(p, csize);
	*(void **)p = s->free;
	s->free = p;
	if (s->nfree++ == 0)
		heap_partial_add(h, s);
	h->st.cls[s->cls].objs_used--;
	h->st.in_use -= csize;
	h->st.nfree++;
	if (s->nfree == s->nobj) {
		heap_partial_del(h, s);
		h->st.cls[s->cls].slabs--;
		h->st.cls[s->cls].objs_total -= s->nobj;
		s->magic = 0;
		heap_put_pages(h, s, 0);
	}
out_unlock:
	spin_unlock(&h->lock);
}

void *heap_alloc_pages(struct heap *h, u32 order)
{
	void *p;

	if (order > PAGE_MAX_ORDER)
		return NULL;
	spin_lock(&h->lock);
	p = heap_get_pages(h, order);
	if (p) {
		h->st.blocks++;
		heap_note_use(h, PAGE_SIZE << order);
	} else {
		h->st.nfail++;
	}
	spin_unlock(&h->lock);
	if (p)
		memset(p, 0, PAGE_SIZE << order);
	return p;
}

void heap_free_pages(struct heap *h, void *p, u32 order)
{
	if (!p)
		return;
	spin_lock(&h->lock);
	CHECK(h->st.blocks > 0);
	heap_put_pages(h, p, order);
	h->st.blocks--;
	h->st.in_use -= PAGE_SIZE << order;
	h->st.nfree++;
	spin_unlock(&h->lock);
}

struct heap *heap_find(const char *name)
{
	struct heap *h;

	spin_lock(&heap_list_lock);
	for (h = heap_list; h; h = h->next)
		if (!strcmp(h->name, name))
			break;
	spin_unlock(&heap_list_lock);
	return h;
}

int heap_create(struct heap *h, const char *name, struct page_arena *a,
		u64 limit)
{
	size_t len = strnlen(name, HEAP_NAME_LEN);
	u32 cls;
	int ret = 0;

	if (!len || len >= HEAP_NAME_LEN)
		return -EINVAL;
	memset(h, 0, sizeof(*h));
	memcpy(h->name, name, len + 1);
	h->arena = a;
	spin_init(&h->lock, h->name, LOCK_RANK_HEAP);
	h->st.limit = limit;
	for (cls = 0; cls < HEAP_NCLASSES; cls++)
		h->st.cls[cls].size = heap_class_size(cls);

	spin_lock(&heap_list_lock);
	for (struct heap *o = heap_list; o; o = o->next) {
		if (!strcmp(o->name, name)) {
			ret = -EEXIST;
			goto out_unlock;
		}
	}
	h->next = heap_list;
	heap_list = h;
out_unlock:
	spin_unlock(&heap_list_lock);
	return ret;
}

int heap_destroy(struct heap *h)
{
	struct heap **pp;
	int ret = 0;

	spin_lock(&heap_list_lock);
	spin_lock(&h->lock);
	if (h->st.nalloc != h->st.nfree) {
		ret = -EBUSY;
		goto out_unlock;
	}
	CHECK(h->st.held == 0);
	for (pp = &heap_list; *pp; pp = &(*pp)->next) {
		if (*pp == h) {
			*pp = h->next;
			break;
		}
	}
out_unlock:
	spin_unlock(&h->lock);
	spin_unlock(&heap_list_lock);
	return ret;
}

u32 heap_each(void (*fn)(struct heap *h, void *arg), void *arg)
{
	struct heap *h;
	u32 n = 0;

	spin_lock(&heap_list_lock);
	for (h = heap_list; h; h = h->next, n++)
		fn(h, arg);
	spin_unlock(&heap_list_lock);
	return n;
}

void heap_stats(struct heap *h, struct heap_stats *out)
{
	spin_lock(&h->lock);
	*out = h->st;
	spin_unlock(&h->lock);
}

/* Appends to buf at *len as snprintf would: what does not fit is dropped
 * but counted, and buf stays terminated. */
static __printf(4, 5) void heap_report_put(char *buf, size_t size,
					   size_t *len, const char *fmt, ...)
{
	size_t at = MIN(*len, size);
	va_list ap;

	va_start(ap, fmt);
	*len += (size_t)vsnprintf(buf + at, size - at, fmt, ap);
	va_end(ap);
}

static void heap_report_one(char *buf, size_t size, size_t *len,
			    struct heap *h)
{
	struct heap_stats st;
	u32 cls;

	heap_stats(h, &st);
	heap_report_put(buf, size, len, "%-*s%10llu%10llu", HEAP_NAME_LEN,
			h->name, (unsigned long long)st.held,
			(unsigned long long)st.held_hwm);
	if (st.limit)
		heap_report_put(buf, size, len, "%11llu",
				(unsigned long long)st.limit);
	else
		heap_report_put(buf, size, len, "%11s", "none");
	heap_report_put(buf, size, len, "%10llu%10llu%9llu%9llu%7llu\n",
			(unsigned long long)st.in_use,
			(unsigned long long)st.in_use_hwm,
			(unsigned long long)st.nalloc,
			(unsigned long long)st.nfree,
			(unsigned long long)st.nfail);
	for (cls = 0; cls < HEAP_NCLASSES; cls++) {
		if (!st.cls[cls].slabs)
			continue;
		heap_report_put(buf, size, len,
				"  size %4u: %u/%u objects in %u slab%s\n",
				st.cls[cls].size, st.cls[cls].objs_used,
				st.cls[cls].objs_total, st.cls[cls].slabs,
				st.cls[cls].slabs == 1 ? "" : "s");
	}
	if (st.large)
		heap_report_put(buf, size, len, "  large: %llu objects\n",
				(unsigned long long)st.large);
	if (st.blocks)
		heap_report_put(buf, size, len, "  page blocks: %llu\n",
				(unsigned long long)st.blocks);
}

size_t heap_report(char *buf, size_t size)
{
	struct heap *h;
	size_t len = 0;

	heap_report_put(buf, size, &len, "%-*s      held  held-hwm      limit"
			"    in-use in-use-hwm  allocs    frees  fails\n",
			HEAP_NAME_LEN, "heap");
	spin_lock(&heap_list_lock);
	for (h = heap_list; h; h = h->next)
		heap_report_one(buf, size, &len, h);
	spin_unlock(&heap_list_lock);
	return len;
}
