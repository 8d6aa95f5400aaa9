// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the x86-64 page-table builder (arch/x86/pagetable.c) with
 * a page source the test controls: the console's nested tables and the
 * vmkernel's own, with 4 and 5 levels, walked here by an independent
 * walker.  Checked: identity outside the region and nothing inside it,
 * U=1 and W=1 on every nested entry, supervisor leaves for the vmkernel,
 * the largest page that fits, the number of tables, and a page source
 * that runs dry at every step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <vmk/errno.h>
#include "fake.h"
#include "x86/pagetable.h"

#define SZ_4K		(1ULL << 12)
#define SZ_2M		(1ULL << 21)
#define SZ_1G		(1ULL << 30)
/* Where the test's table pages claim to live. */
#define POOL_PA		0x7f000000ULL
#define POOL_PAGES	4096

/* The page source: up to `limit` pages, each its own allocation so that
 * AddressSanitizer sees an index past a table's end. */
static u64 *pool[POOL_PAGES];
static u32 pool_used, pool_limit;

static u64 *pool_alloc(void *ctx, u64 *pa)
{
	(void)ctx;
	if (pool_used >= pool_limit)
		return NULL;
	u64 *t = aligned_alloc(SZ_4K, SZ_4K);
	assert_non_null(t);
	memset(t, 0, SZ_4K);
	pool[pool_used] = t;
	*pa = POOL_PA + (u64)pool_used++ * SZ_4K;
	return t;
}

static u64 *pool_virt(void *ctx, u64 pa)
{
	(void)ctx;
	if (pa < POOL_PA || (pa - POOL_PA) % SZ_4K || (pa - POOL_PA) / SZ_4K >= pool_used)
		fail_msg("table address %#llx was never handed out", (unsigned long long)pa);
	return pool[(pa - POOL_PA) / SZ_4K];
}

static const struct pt_pages pages = { .alloc = pool_alloc, .virt = pool_virt };

static void pool_reset(u32 limit)
{
	for (u32 i = 0; i < pool_used; i++)
		free(pool[i]);
	pool_used = 0;
	pool_limit = limit;
}

static int teardown(void **state)
{
	(void)state;
	pool_reset(0);
	return 0;
}

/* A root table, as paging.c takes it from the same source. */
static u64 *new_root(void)
{
	u64 pa;
	u64 *root = pool_alloc(NULL, &pa);

	assert_non_null(root);
	return root;
}

struct walk {
	bool present;
	u64 pa;
	u64 size;	/* of the page that maps it */
	bool user;	/* every entry on the way has U=1 */
	bool write;	/* every entry on the way has W=1 */
};

/* The hardware's walk, written apart from the builder. */
static struct walk walk(u64 *root, u32 levels, u64 a)
{
	struct walk w = { .user = true, .write = true };
	u64 *t = root;

	for (u32 l = levels; l >= 1; l--) {
		u32 shift = 12 + 9 * (l - 1);
		u64 e = t[(a >> shift) & 511];

		if (!(e & PTE_P))
			return w;
		w.user &= !!(e & PTE_U);
		w.write &= !!(e & PTE_W);
		if (l == 1 || (e & PTE_PS)) {
			if (l > 3)
				fail_msg("large page at level %u", l);
			w.size = 1ULL << shift;
			if ((e & PTE_ADDR) & (w.size - 1))
				fail_msg("level %u leaf %#llx not aligned", l,
					 (unsigned long long)e);
			w.present = true;
			w.pa = (e & PTE_ADDR) + (a & (w.size - 1));
			return w;
		}
		t = pool_virt(NULL, e & PTE_ADDR);
	}
	return w;
}

static bool overlaps(u64 a, u64 size, u64 base, u64 len)
{
	return a < base + len && base < a + size;
}

/* Tables at levels below the root that [s, e) needs, mapped with leaves at level `leaf`. */
static u64 tables_for(u32 levels, u64 s, u64 e, u32 leaf)
{
	u64 n = 0;

	for (u32 k = leaf; k < levels; k++) {
		u32 shift = 12 + 9 * k;
		n += ((e - 1) >> shift) - (s >> shift) + 1;
	}
	return n;
}

/* The nested tables of a region: every property the design asks for. */
static void check_npt(u32 levels, u64 rbase, u64 rsize)
{
	u64 rend = rbase + rsize;
	u64 *root;
	u64 gib = 0, mib2 = 0;

	pool_reset(POOL_PAGES);
	root = new_root();
	assert_int_equal(pagetable_build_npt(&pages, root, levels, rbase, rsize), 0);

	/* One table per GiB that the region touches, one per 2 MiB that it
	 * covers only in part (a whole one is a single entry), and the spine. */
	for (u64 g = 0; g < PT_SPAN; g += SZ_1G)
		gib += overlaps(g, SZ_1G, rbase, rsize);
	for (u64 m = ALIGN_DOWN(rbase, SZ_2M); m < rend; m += SZ_2M)
		mib2 += !(m >= rbase && m + SZ_2M <= rend);
	assert_int_equal(pool_used, 1 + (levels - 3) + gib + mib2);

	/* Every GiB: identity, with the largest page that fits. */
	for (u64 g = 0; g < PT_SPAN; g += SZ_1G) {
		const u64 probes[] = { g, g + SZ_1G / 2 + 8, g + SZ_1G - 1 };
		for (size_t i = 0; i < ARRAY_SIZE(probes); i++) {
			u64 a = probes[i];
			struct walk w = walk(root, levels, a);
			bool inside = a >= rbase && a < rend;

			assert_int_equal(w.present, !inside);
			if (inside)
				continue;
			assert_int_equal(w.pa, a);
			assert_true(w.user);
			assert_true(w.write);
			if (!overlaps(g, SZ_1G, rbase, rsize))
				assert_int_equal(w.size, SZ_1G);
			else if (!overlaps(ALIGN_DOWN(a, SZ_2M), SZ_2M, rbase, rsize))
				assert_int_equal(w.size, SZ_2M);
			else
				assert_int_equal(w.size, SZ_4K);
		}
	}

	/* Every 4 KiB page from 4 MiB before the region to 4 MiB after it. */
	for (u64 a = rbase > 4 * SZ_2M ? rbase - 4 * SZ_2M : 0;
	     a < MIN(rend + 4 * SZ_2M, PT_SPAN); a += SZ_4K) {
		struct walk w = walk(root, levels, a + 0x123);
		bool inside = a >= rbase && a < rend;

		if (w.present == inside)
			fail_msg("gpa %#llx: present %d, in the region %d",
				 (unsigned long long)a, w.present, inside);
		if (!inside) {
			assert_int_equal(w.pa, a + 0x123);
			assert_true(w.user && w.write);
			if (overlaps(ALIGN_DOWN(a, SZ_2M), SZ_2M, rbase, rsize))
				assert_int_equal(w.size, SZ_4K);
		}
	}

	/* Nothing at or above the span. */
	assert_false(walk(root, levels, PT_SPAN).present);
	assert_false(walk(root, levels, 2 * PT_SPAN + SZ_4K).present);
	if (levels == 5)
		assert_false(walk(root, levels, 1ULL << 48).present);
}

static void test_npt_4level(void **state)
{
	(void)state;
	/* Neither end on a 2 MiB boundary. */
	check_npt(4, SZ_1G + SZ_2M + 3 * SZ_4K, 32 * SZ_2M + 5 * SZ_4K);
	/* Across a GiB boundary. */
	check_npt(4, 2 * SZ_1G - SZ_2M / 2, 4 * SZ_2M);
	/* 2 MiB aligned: no 4 KiB pages outside it. */
	check_npt(4, 3 * SZ_1G, 32 * SZ_2M);
	/* The last page below the span, and the first page of memory. */
	check_npt(4, PT_SPAN - SZ_4K, SZ_4K);
	check_npt(4, 0, SZ_4K);
}

static void test_npt_5level(void **state)
{
	(void)state;
	check_npt(5, SZ_1G + SZ_2M + 3 * SZ_4K, 64 * SZ_2M + 5 * SZ_4K);
	check_npt(5, 2 * SZ_1G - SZ_2M / 2, 4 * SZ_2M);
	check_npt(5, PT_SPAN - SZ_2M, SZ_2M);
}

static void check_host(u32 levels, u64 region_va, u64 region_pa, u64 rsize)
{
	u64 *root, rend = region_pa + rsize, gib = 0, mib2 = 0;

	pool_reset(POOL_PAGES);
	root = new_root();
	assert_int_equal(pagetable_build_host(&pages, root, levels, region_va,
					      region_pa, rsize), 0);
	for (u64 g = 0; g < PT_SPAN; g += SZ_1G)
		gib += overlaps(g, SZ_1G, region_pa, rsize);
	for (u64 m = ALIGN_DOWN(region_pa, SZ_2M); m < rend; m += SZ_2M)
		mib2 += !(m >= region_pa && m + SZ_2M <= rend);
	assert_int_equal(pool_used, 1 + (levels - 3) + gib + mib2 +
			 tables_for(levels, region_va, region_va + rsize, 1));

	/* Physical memory, identity, writable, supervisor only; the region
	 * has no identity alias. */
	for (u64 g = 0; g < PT_SPAN; g += SZ_1G) {
		const u64 probes[] = { g + 0x1234, g + SZ_1G / 2 + 8, g + SZ_1G - 1 };
		for (size_t i = 0; i < ARRAY_SIZE(probes); i++) {
			u64 a = probes[i];
			struct walk w = walk(root, levels, a);
			bool inside = a >= region_pa && a < rend;

			assert_int_equal(w.present, !inside);
			if (inside)
				continue;
			assert_int_equal(w.pa, a);
			assert_true(w.write);
			assert_false(w.user);
			if (!overlaps(g, SZ_1G, region_pa, rsize))
				assert_int_equal(w.size, SZ_1G);
		}
	}
	for (u64 a = region_pa > 4 * SZ_2M ? region_pa - 4 * SZ_2M : 0;
	     a < MIN(rend + 4 * SZ_2M, PT_SPAN); a += SZ_4K) {
		struct walk w = walk(root, levels, a + 0x10);
		bool inside = a >= region_pa && a < rend;

		if (w.present == inside)
			fail_msg("pa %#llx: identity present %d, in the region %d",
				 (unsigned long long)a, w.present, inside);
		if (!inside)
			assert_int_equal(w.pa, a + 0x10);
	}
	assert_false(walk(root, levels, PT_SPAN).present);

	/* The region at its virtual address, 4 KiB pages, and nothing around it. */
	for (u64 off = 0; off < rsize; off += SZ_4K) {
		struct walk w = walk(root, levels, region_va + off + 8);

		assert_true(w.present);
		assert_int_equal(w.pa, region_pa + off + 8);
		assert_int_equal(w.size, SZ_4K);
		assert_true(w.write);
		assert_false(w.user);
	}
	assert_false(walk(root, levels, region_va - 1).present);
	assert_false(walk(root, levels, region_va + rsize).present);
}

static void test_host(void **state)
{
	(void)state;
	/* Where the shim's vmap area puts the region with 4 and 5 levels. */
	check_host(4, 0xffffc90000000000ULL + SZ_2M - SZ_4K, 0x40000000ULL, 32 * SZ_2M);
	check_host(4, 0xffffc90012345000ULL, 0x7c000000ULL, 8 * SZ_4K);
	check_host(5, 0xff11000000000000ULL + SZ_1G - SZ_4K, 0x40000000ULL, 16 * SZ_2M);
}

static void test_map_sizes(void **state)
{
	u64 *root;
	struct walk w;
	(void)state;

	pool_reset(POOL_PAGES);
	root = new_root();
	/* Two 2 MiB pages at an address that is not the physical one. */
	assert_int_equal(pagetable_map(&pages, root, 4, 0x80000000ULL, 0x200000000ULL,
				       2 * SZ_2M, 2, PT_NPT_LEAF), 0);
	w = walk(root, 4, 0x80000000ULL + SZ_2M + 5);
	assert_true(w.present);
	assert_int_equal(w.size, SZ_2M);
	assert_int_equal(w.pa, 0x200000000ULL + SZ_2M + 5);
	assert_false(walk(root, 4, 0x80000000ULL + 2 * SZ_2M).present);
	assert_int_equal(pool_used, 3);

	/* flags 0: the tables, but not present. */
	assert_int_equal(pagetable_map(&pages, root, 4, 0x90000000ULL, 0x90000000ULL,
				       3 * SZ_4K, 1, 0), 0);
	assert_false(walk(root, 4, 0x90000000ULL + SZ_4K).present);
	assert_int_equal(pool_used, 4);
	assert_non_null(pagetable_entry(&pages, root, 4, 0x90000000ULL, 1));
	assert_int_equal(*pagetable_entry(&pages, root, 4, 0x90000000ULL, 1), 0);

	/* Size 0 maps nothing and allocates nothing. */
	assert_int_equal(pagetable_map(&pages, root, 4, 0xa0000000ULL, 0, 0, 1,
				       PT_NPT_LEAF), 0);
	assert_int_equal(pool_used, 4);
}

/* A 4 KiB entry inside a 1 GiB page is a builder bug: a CHECK, not a walk
 * through a page of data as if it were a table. */
static void test_split_large_page_panics(void **state)
{
	u64 *root;
	(void)state;

	pool_reset(POOL_PAGES);
	root = new_root();
	assert_int_equal(pagetable_map(&pages, root, 4, 0, 0, SZ_1G, 3, PT_NPT_LEAF), 0);
	assert_true(FAKE_CATCH_PANIC(pagetable_entry(&pages, root, 4, SZ_2M, 1)));
	assert_non_null(strstr(fake_panic_msg, "PTE_PS"));
}

/* Whatever the builder had made when the source ran dry is a sound table. */
static void check_partial(u64 *root, u32 levels, u64 rbase, u64 rsize)
{
	for (u64 a = rbase > SZ_2M ? rbase - SZ_2M : 0; a < rbase + rsize + SZ_2M; a += SZ_4K) {
		struct walk w = walk(root, levels, a);
		if (w.present)
			assert_int_equal(w.pa, a);
	}
}

static void test_out_of_pages(void **state)
{
	const u64 rbase = SZ_1G + SZ_2M + 3 * SZ_4K, rsize = 4 * SZ_2M;
	(void)state;

	for (u32 levels = 4; levels <= 5; levels++) {
		u32 need;

		pool_reset(POOL_PAGES);
		assert_int_equal(pagetable_build_npt(&pages, new_root(), levels, rbase, rsize), 0);
		need = pool_used;
		for (u32 limit = 1; limit < need; limit++) {
			u64 *root;

			pool_reset(limit);
			root = new_root();
			assert_int_equal(pagetable_build_npt(&pages, root, levels, rbase, rsize),
					 -ENOMEM);
			assert_int_equal(pool_used, limit);
			check_partial(root, levels, rbase, rsize);
		}

		pool_reset(POOL_PAGES);
		assert_int_equal(pagetable_build_host(&pages, new_root(), levels,
						      0xffffc90000000000ULL, rbase, rsize), 0);
		need = pool_used;
		for (u32 limit = 1; limit < need; limit++) {
			pool_reset(limit);
			assert_int_equal(pagetable_build_host(&pages, new_root(), levels,
							      0xffffc90000000000ULL, rbase,
							      rsize), -ENOMEM);
		}
	}

	/* No table for the entry itself: NULL, not a walk through nothing. */
	pool_reset(1);
	assert_null(pagetable_entry(&pages, new_root(), 4, 0, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_npt_4level, teardown),
		cmocka_unit_test_teardown(test_npt_5level, teardown),
		cmocka_unit_test_teardown(test_host, teardown),
		cmocka_unit_test_teardown(test_map_sizes, teardown),
		cmocka_unit_test_teardown(test_split_large_page_panics, teardown),
		cmocka_unit_test_teardown(test_out_of_pages, teardown),
	};

	fake_log_level = -1;
	return cmocka_run_group_tests_name("pagetable", tests, NULL, NULL);
}
