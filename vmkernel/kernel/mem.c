// SPDX-License-Identifier: GPL-2.0
/*
 * The vmkernel's memory (see <vmk/mem.h>): one page arena over the
 * region after the image, and the subsystems' heaps on it.  The heaps
 * have no limit yet: the region is the vmkernel's alone and nothing in
 * it competes, so a limit would only turn a leak into a failure sooner.
 */
#include <vmk/check.h>
#include <vmk/errno.h>
#include <vmk/log.h>
#include <vmk/mem.h>
#include <vmk/string.h>

static struct page_arena mem_pages;
static struct heap mem_heaps[MEM_HEAPS];
static u64 mem_region_size;
static u64 mem_image_size;
static u8 *mem_image_va;

static const char *const mem_heap_names[MEM_HEAPS] = {
	[MEM_HEAP_MACHINE] = "machine",
	[MEM_HEAP_WORLD] = "world",
	[MEM_HEAP_KERNEL] = "kernel",
	[MEM_HEAP_MODULE] = "module",
	[MEM_HEAP_VMM] = "vmm",
};

int mem_init(paddr_t region_pa, u64 region_size, void *region_va,
	     u64 image_size)
{
	u64 skip = ALIGN_UP(image_size, PAGE_SIZE);
	int err;
	u32 i;

	if (skip >= region_size)
		return -ENOMEM;
	err = page_arena_init(&mem_pages, pa_add(region_pa, skip),
			      region_size - skip, (u8 *)region_va + skip);
	if (err)
		return err;
	mem_region_size = region_size;
	mem_image_size = skip;
	mem_image_va = region_va;
	for (i = 0; i < MEM_HEAPS; i++) {
		err = heap_create(&mem_heaps[i], mem_heap_names[i], &mem_pages, 0);
		if (err)
			return err;
	}
	log_info("memory: %lu MiB, %lu KiB of it the image, %lu KiB page metadata",
		 region_size >> 20, skip >> 10,
		 (u64)mem_pages.first << (PAGE_SHIFT - 10));
	return 0;
}

struct heap *mem_heap(enum mem_heap_id id)
{
	CHECK(id < MEM_HEAPS);
	return &mem_heaps[id];
}

bool mem_in_image(const void *p, u64 *off)
{
	if (!mem_image_va || (const u8 *)p < mem_image_va ||
	    (const u8 *)p >= mem_image_va + mem_image_size)
		return false;
	*off = (u64)((const u8 *)p - mem_image_va);
	return true;
}

struct page_arena *mem_arena(void)
{
	return &mem_pages;
}

u64 mem_total(void)
{
	return mem_region_size;
}

u64 mem_used(void)
{
	return mem_region_size - page_free_count(&mem_pages) * PAGE_SIZE;
}

_Static_assert(sizeof(((struct vmk_heap_info *)0)->name) == HEAP_NAME_LEN,
	       "a heap's name fits the ABI's");

/* The count lives here, not in *out: out may be memory the console can
 * change under us. */
struct mem_info_walk {
	struct vmk_mem_info *out;
	u32 n;
};

static void mem_heap_info(struct heap *h, void *arg)
{
	struct mem_info_walk *mw = arg;
	struct vmk_heap_info *hi;
	struct heap_stats st;

	if (mw->n >= VMK_MEM_HEAPS_MAX)
		return;
	hi = &mw->out->heaps[mw->n++];
	heap_stats(h, &st);
	memcpy(hi->name, h->name, sizeof(hi->name));
	hi->limit = st.limit;
	hi->held = st.held;
	hi->held_hwm = st.held_hwm;
	hi->in_use = st.in_use;
	hi->in_use_hwm = st.in_use_hwm;
	hi->nalloc = st.nalloc;
	hi->nfree = st.nfree;
	hi->nfail = st.nfail;
}

void mem_info(struct vmk_mem_info *out)
{
	struct mem_info_walk mw = { .out = out, .n = 0 };

	memset(out, 0, sizeof(*out));
	out->total = mem_region_size;
	out->free = page_free_count(&mem_pages) * PAGE_SIZE;
	out->image = mem_image_size;
	out->meta = (u64)mem_pages.first * PAGE_SIZE;
	heap_each(mem_heap_info, &mw);
	out->nheaps = mw.n;
}
