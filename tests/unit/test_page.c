// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the buddy page allocator: alignment, splitting and
 * coalescing, exhaustion, bad frees, and (VMK_DEBUG) poisoning of freed
 * pages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <vmk/errno.h>
#include <vmk/page.h>
#include "fake.h"

#define REGION_PA	0x40000000ULL
#define REGION_SIZE	(8ULL << 20)

static void *region;
static struct page_arena arena;

static int setup(void **state)
{
	(void)state;
	fake_set_cpu(0);
	fake_log_level = -1;
	region = aligned_alloc(PAGE_SIZE, REGION_SIZE);
	assert_non_null(region);
	assert_int_equal(page_arena_init(&arena, pa(REGION_PA), REGION_SIZE,
					 region), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(region);
	return 0;
}

static void test_init(void **state)
{
	u64 pages = REGION_SIZE / PAGE_SIZE;
	(void)state;

	/* Metadata takes the first pages; everything else is free. */
	assert_true(arena.first > 0 && arena.first < 32);
	assert_int_equal(page_free_count(&arena), pages - arena.first);
	assert_int_equal(arena.usable_pages, pages - arena.first);
}

static void test_bad_init(void **state)
{
	struct page_arena a;
	(void)state;

	assert_int_equal(page_arena_init(&a, pa(REGION_PA + 1), REGION_SIZE,
					 region), -EINVAL);
	assert_int_equal(page_arena_init(&a, pa(REGION_PA), REGION_SIZE,
					 (char *)region + 8), -EINVAL);
	assert_int_equal(page_arena_init(&a, pa(REGION_PA), PAGE_SIZE, region),
			 -ENOMEM);
}

static void test_alignment_and_va(void **state)
{
	paddr_t p;
	u32 order;
	(void)state;

	for (order = 0; order <= PAGE_MAX_ORDER; order++) {
		assert_int_equal(page_alloc(&arena, order, &p), 0);
		/* Blocks are aligned to their size within the region. */
		assert_int_equal((pa_addr(p) - REGION_PA) % (PAGE_SIZE << order), 0);
		assert_ptr_equal(page_va(&arena, p),
				 (char *)region + (pa_addr(p) - REGION_PA));
		assert_int_equal(pa_addr(page_pa(&arena, page_va(&arena, p))),
				 pa_addr(p));
		memset(page_va(&arena, p), 0xab, PAGE_SIZE << order);
		page_free(&arena, p, order);
	}
	assert_int_equal(page_alloc(&arena, PAGE_MAX_ORDER + 1, &p), -EINVAL);
}

static void test_exhaust_and_coalesce(void **state)
{
	u64 total = page_free_count(&arena), n = 0, i;
	paddr_t *pages = calloc(total, sizeof(*pages));
	paddr_t big;
	(void)state;

	assert_non_null(pages);
	while (page_alloc(&arena, 0, &pages[n]) == 0) {
		/* No page is handed out twice. */
		if (n)
			assert_true(pa_addr(pages[n]) != pa_addr(pages[n - 1]));
		n++;
	}
	assert_int_equal(n, total);
	assert_int_equal(page_free_count(&arena), 0);
	assert_int_equal(page_alloc(&arena, 0, &big), -ENOMEM);
	/* Free in an interleaved order; buddies must merge back. */
	for (i = 0; i < n; i += 2)
		page_free(&arena, pages[i], 0);
	assert_int_equal(page_alloc(&arena, 1, &big), -ENOMEM);
	for (i = 1; i < n; i += 2)
		page_free(&arena, pages[i], 0);
	assert_int_equal(page_free_count(&arena), total);
	assert_int_equal(page_alloc(&arena, PAGE_MAX_ORDER, &big), 0);
	page_free(&arena, big, PAGE_MAX_ORDER);
	free(pages);
}

static void test_split_keeps_rest(void **state)
{
	u64 total = page_free_count(&arena);
	paddr_t a, b;
	(void)state;

	assert_int_equal(page_alloc(&arena, 0, &a), 0);
	assert_int_equal(page_alloc(&arena, 3, &b), 0);
	assert_int_equal(page_free_count(&arena), total - 1 - 8);
	page_free(&arena, a, 0);
	page_free(&arena, b, 3);
	assert_int_equal(page_free_count(&arena), total);
}

static void test_double_free_panics(void **state)
{
	paddr_t p;
	(void)state;

	assert_int_equal(page_alloc(&arena, 2, &p), 0);
	assert_true(FAKE_CATCH_PANIC(page_free(&arena, p, 1)));
	spin_unlock(&arena.lock);
	page_free(&arena, p, 2);
	assert_true(FAKE_CATCH_PANIC(page_free(&arena, p, 2)));
	assert_non_null(strstr(fake_panic_msg, "not an allocated block"));
	/* The panicking free held the arena lock. */
	spin_unlock(&arena.lock);
}

static void test_poison_on_free(void **state)
{
	paddr_t p;
	u8 *v;
	(void)state;

	assert_int_equal(page_alloc(&arena, 0, &p), 0);
	v = page_va(&arena, p);
	memset(v, 0, PAGE_SIZE);
	page_free(&arena, p, 0);
	assert_int_equal(v[0], PAGE_POISON);
	assert_int_equal(v[PAGE_SIZE - 1], PAGE_POISON);
}

static void test_write_after_free_detected(void **state)
{
	paddr_t p, q;
	u8 *v;
	bool panicked;
	(void)state;

	assert_int_equal(page_alloc(&arena, 0, &p), 0);
	v = page_va(&arena, p);
	page_free(&arena, p, 0);
	v[100] = 1;		/* a stale pointer writes */
	/* The freed page is the first one handed out again. */
	panicked = FAKE_CATCH_PANIC(page_alloc(&arena, 0, &q));
	assert_true(panicked);
	assert_non_null(strstr(fake_panic_msg, "written after free"));
	spin_unlock(&arena.lock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alignment_and_va, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exhaust_and_coalesce, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_keeps_rest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_double_free_panics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poison_on_free, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_after_free_detected, setup, teardown),
	};

	return cmocka_run_group_tests_name("page", tests, NULL, NULL);
}
