// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the named heaps: size classes, large objects, per-heap
 * limits and accounting, high-water marks, the report, and (VMK_DEBUG)
 * poisoning, write-after-free and double-free detection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <vmk/errno.h>
#include <vmk/heap.h>
#include "fake.h"

#define REGION_SIZE	(4ULL << 20)

static void *region;
static struct page_arena arena;
static struct heap ha, hb;

static int setup(void **state)
{
	(void)state;
	fake_set_cpu(0);
	fake_log_level = -1;
	region = aligned_alloc(PAGE_SIZE, REGION_SIZE);
	assert_non_null(region);
	assert_int_equal(page_arena_init(&arena, pa(0x100000), REGION_SIZE,
					 region), 0);
	assert_int_equal(heap_create(&ha, "sched", &arena, 0), 0);
	assert_int_equal(heap_create(&hb, "net", &arena, 8 * PAGE_SIZE), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(heap_destroy(&ha), 0);
	assert_int_equal(heap_destroy(&hb), 0);
	free(region);
	return 0;
}

static void count_mine(struct heap *h, void *arg)
{
	int *n = arg;

	*n += h == &ha || h == &hb;
}

static void test_names(void **state)
{
	int mine = 0;

	struct heap dup;
	(void)state;

	assert_ptr_equal(heap_find("sched"), &ha);
	assert_ptr_equal(heap_find("net"), &hb);
	assert_null(heap_find("nope"));
	assert_true(heap_each(count_mine, &mine) >= 2);
	assert_int_equal(mine, 2);
	assert_int_equal(heap_create(&dup, "net", &arena, 0), -EEXIST);
	assert_int_equal(heap_create(&dup, "", &arena, 0), -EINVAL);
	assert_int_equal(heap_create(&dup, "a-name-far-too-long-for-a-heap",
				     &arena, 0), -EINVAL);
}

static void test_small_objects(void **state)
{
	void *p[300];
	struct heap_stats st;
	u64 free0 = page_free_count(&arena);
	int i;
	(void)state;

	for (i = 0; i < 300; i++) {
		p[i] = heap_alloc(&ha, 24);
		assert_non_null(p[i]);
		memset(p[i], i, 24);
	}
	/* Distinct, non-overlapping objects. */
	for (i = 0; i < 300; i++)
		assert_int_equal(((u8 *)p[i])[23], (u8)i);
	heap_stats(&ha, &st);
	assert_int_equal(st.in_use, 300 * 32);
	assert_int_equal(st.cls[1].objs_used, 300);
	assert_int_equal(st.cls[1].slabs, 3);	/* 126 per page */
	assert_int_equal(st.held, 3 * PAGE_SIZE);
	assert_int_equal(page_free_count(&arena), free0 - 3);
	for (i = 0; i < 300; i++)
		heap_free(&ha, p[i]);
	heap_stats(&ha, &st);
	assert_int_equal(st.in_use, 0);
	assert_int_equal(st.in_use_hwm, 300 * 32);
	assert_int_equal(st.held, 0);	/* empty slabs went back */
	assert_int_equal(st.held_hwm, 3 * PAGE_SIZE);
	assert_int_equal(st.nalloc, 300);
	assert_int_equal(st.nfree, 300);
	assert_int_equal(page_free_count(&arena), free0);
	assert_null(heap_alloc(&ha, 0));
}

static void test_large_objects(void **state)
{
	struct heap_stats st;
	u8 *p;
	(void)state;

	p = heap_zalloc(&ha, 10000);
	assert_non_null(p);
	assert_int_equal(p[9999], 0);
	heap_stats(&ha, &st);
	assert_int_equal(st.large, 1);
	assert_int_equal(st.held, 4 * PAGE_SIZE);	/* 10000 + header */
	assert_int_equal(st.in_use, 10000);
	heap_free(&ha, p);
	heap_stats(&ha, &st);
	assert_int_equal(st.large, 0);
	assert_int_equal(st.held, 0);
	/* Bigger than any block the arena has. */
	assert_null(heap_alloc(&ha, 64ULL << 20));
	heap_stats(&ha, &st);
	assert_int_equal(st.nfail, 1);
}

static void test_page_blocks(void **state)
{
	struct heap_stats st;
	u8 *p, *q;
	(void)state;

	p = heap_alloc_pages(&ha, 2);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % PAGE_SIZE, 0);
	assert_int_equal(p[0], 0);
	assert_int_equal(p[4 * PAGE_SIZE - 1], 0);
	memset(p, 0x33, 4 * PAGE_SIZE);
	heap_stats(&ha, &st);
	assert_int_equal(st.blocks, 1);
	assert_int_equal(st.held, 4 * PAGE_SIZE);
	assert_int_equal(st.in_use, 4 * PAGE_SIZE);
	assert_null(heap_alloc_pages(&ha, PAGE_MAX_ORDER + 1));
	/* The limit holds for page blocks too: 8 pages, 4 of them here. */
	q = heap_alloc_pages(&hb, 2);
	assert_non_null(q);
	assert_null(heap_alloc_pages(&hb, 3));
	heap_free_pages(&hb, q, 2);
	heap_free_pages(&ha, p, 2);
	heap_stats(&ha, &st);
	assert_int_equal(st.blocks, 0);
	assert_int_equal(st.held, 0);
	assert_int_equal(st.in_use, 0);
	assert_int_equal(st.in_use_hwm, 4 * PAGE_SIZE);
	/* A fresh block is zeroed again, and a wrong order is a bug. */
	p = heap_alloc_pages(&ha, 0);
	assert_int_equal(p[100], 0);
	assert_true(FAKE_CATCH_PANIC(heap_free_pages(&ha, p, 1)));
	spin_unlock(&ha.lock);
	spin_unlock(&arena.lock);
	heap_free_pages(&ha, p, 0);
}

static void test_limit(void **state)
{
	void *p[8];
	struct heap_stats st;
	int i;
	(void)state;

	/* A 3000-byte object takes a page of its own: eight fill the limit. */
	for (i = 0; i < 8; i++)
		assert_non_null(p[i] = heap_alloc(&hb, 3000));
	assert_null(heap_alloc(&hb, 3000));
	assert_null(heap_alloc(&hb, 16));
	heap_stats(&hb, &st);
	assert_int_equal(st.held, 8 * PAGE_SIZE);
	assert_int_equal(st.nfail, 2);
	/* The other heap is not affected by this one's limit. */
	heap_free(&ha, heap_alloc(&ha, 3000));
	heap_free(&hb, p[0]);
	assert_non_null(p[0] = heap_alloc(&hb, 16));
	for (i = 0; i < 8; i++)
		heap_free(&hb, p[i]);
}

static void test_report(void **state)
{
	char buf[2048], small[40];
	void *p, *q;
	size_t n;
	(void)state;

	p = heap_alloc(&ha, 100);
	q = heap_alloc(&hb, 5000);
	n = heap_report(buf, sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_non_null(strstr(buf, "sched"));
	assert_non_null(strstr(buf, "net"));
	assert_non_null(strstr(buf, "size  128: 1/31 objects in 1 slab"));
	assert_non_null(strstr(buf, "large: 1 objects"));
	assert_non_null(strstr(buf, "32768"));	/* net's limit */
	/* A short buffer is truncated, terminated, and the need reported. */
	assert_int_equal(heap_report(small, sizeof(small)), n);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	heap_free(&ha, p);
	heap_free(&hb, q);
}

static void test_destroy_busy(void **state)
{
	void *p = heap_alloc(&ha, 8);
	(void)state;

	assert_int_equal(heap_destroy(&ha), -EBUSY);
	heap_free(&ha, p);
}

static void test_poison_and_use_after_free(void **state)
{
	u8 *p, *keep, *again;
	bool panicked;
	(void)state;

	keep = heap_alloc(&ha, 64);	/* keeps the slab alive */
	p = heap_alloc(&ha, 64);
	memset(p, 0, 64);
	heap_free(&ha, p);
	assert_int_equal(p[8], HEAP_POISON);
	assert_int_equal(p[63], HEAP_POISON);
	p[40] = 7;			/* a stale pointer writes */
	panicked = FAKE_CATCH_PANIC(again = heap_alloc(&ha, 64));
	assert_true(panicked);
	assert_non_null(strstr(fake_panic_msg, "written after free"));
	assert_non_null(strstr(fake_panic_msg, "'sched'"));
	spin_unlock(&ha.lock);
	/* Detection left the heap intact: undo the stray write and go on. */
	p[40] = HEAP_POISON;
	again = heap_alloc(&ha, 64);
	assert_ptr_equal(again, p);
	heap_free(&ha, again);
	heap_free(&ha, keep);
}

static void test_double_free_and_foreign(void **state)
{
	void *keep = heap_alloc(&ha, 64), *p = heap_alloc(&ha, 64);
	(void)state;

	heap_free(&ha, p);
	assert_true(FAKE_CATCH_PANIC(heap_free(&ha, p)));
	assert_non_null(strstr(fake_panic_msg, "double free"));
	spin_unlock(&ha.lock);
	/* Freeing into the wrong heap or a pointer inside an object. */
	assert_true(FAKE_CATCH_PANIC(heap_free(&hb, keep)));
	assert_non_null(strstr(fake_panic_msg, "did not allocate"));
	assert_true(FAKE_CATCH_PANIC(heap_free(&ha, (u8 *)keep + 8)));
	spin_unlock(&ha.lock);
	heap_free(&ha, keep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_objects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_objects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_blocks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poison_and_use_after_free, setup, teardown),
		cmocka_unit_test_setup_teardown(test_double_free_and_foreign, setup, teardown),
	};

	return cmocka_run_group_tests_name("heap", tests, NULL, NULL);
}
