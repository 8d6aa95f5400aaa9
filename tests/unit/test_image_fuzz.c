// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzzes the loader's image checks (loader/fuzz.c) under ASan and UBSan:
 * thousands of seeded mutations of the synthetic image, and of the real
 * vmkernel image when there is one (VMKX_IMAGE, by default
 * build/vmkernel/vmkernel; a visible skip when it is absent).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "fuzz.h"
#include "image.h"
#include "synth.h"

#define SYNTH_CASES	6000
#define REAL_CASES	3000
#define DEFAULT_IMAGE	"build/vmkernel/vmkernel"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void run(const char *what, const void *img, size_t size, vmk_u64 seed,
		vmk_u64 cases)
{
	struct fuzz_stats st = { 0 };
	char err[512] = "";
	double t0 = now_ms();
	int rc;

	rc = fuzz_run(img, size, fuzz_region_for(img, size), seed, 0, cases,
		      &st, err, sizeof(err));
	if (rc)
		fail_msg("%s: %s", what, err);
	assert_int_equal(st.cases, cases);
	assert_int_equal(st.accepted + st.rejected, cases);
	/* Both outcomes must be exercised, or the fuzzer is not reaching in. */
	assert_true(st.accepted > 0);
	assert_true(st.rejected > 0);
	print_message("fuzz: %s, seed %llu: %llu cases, %llu accepted, %llu rejected in %.0f ms\n",
		      what, (unsigned long long)seed,
		      (unsigned long long)st.cases,
		      (unsigned long long)st.accepted,
		      (unsigned long long)st.rejected, now_ms() - t0);
}

static void test_fuzz_synthetic(void **state)
{
	static _Alignas(8) unsigned char img[SYNTH_FILE_SIZE];

	(void)state;
	synth_build(img);
	run("synthetic image", img, sizeof(img), 1, SYNTH_CASES);
}

/* The same seed gives the same cases; any split of a run gives the same. */
static void test_fuzz_deterministic(void **state)
{
	static _Alignas(8) unsigned char img[SYNTH_FILE_SIZE];
	struct fuzz_stats a = { 0 }, b = { 0 };
	char err[512];
	vmk_u64 region = SYNTH_REGION;

	(void)state;
	synth_build(img);
	assert_int_equal(fuzz_run(img, sizeof(img), region, 7, 0, 500, &a, err,
				  sizeof(err)), 0);
	assert_int_equal(fuzz_run(img, sizeof(img), region, 7, 0, 200, &b, err,
				  sizeof(err)), 0);
	assert_int_equal(fuzz_run(img, sizeof(img), region, 7, 200, 300, &b,
				  err, sizeof(err)), 0);
	assert_int_equal(a.accepted, b.accepted);
	assert_int_equal(a.rejected, b.rejected);
}

static void test_fuzz_bad_base(void **state)
{
	static _Alignas(8) unsigned char img[SYNTH_FILE_SIZE];
	struct fuzz_stats st = { 0 };
	char err[512];

	(void)state;
	synth_build(img);
	synth_hdr(img)->abi_version = 9;
	assert_int_equal(fuzz_run(img, sizeof(img), SYNTH_REGION, 1, 0, 10, &st,
				  err, sizeof(err)), -1);
	assert_non_null(strstr(err, "the base image is rejected: ABI revision 9"));
	assert_int_equal(st.cases, 0);
}

static const char *real_image_path(void)
{
	const char *path = getenv("VMKX_IMAGE");

	return path && path[0] ? path : DEFAULT_IMAGE;
}

static void test_fuzz_real_image(void **state)
{
	const char *path = real_image_path();
	unsigned char *img;
	long size;
	FILE *f;

	(void)state;
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size > 0);
	rewind(f);
	img = malloc((size_t)size);
	assert_non_null(img);
	assert_int_equal(fread(img, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	run(path, img, (size_t)size, 1, REAL_CASES);
	free(img);
}

#define FUZZ_TESTS						\
	cmocka_unit_test(test_fuzz_synthetic),			\
	cmocka_unit_test(test_fuzz_deterministic),		\
	cmocka_unit_test(test_fuzz_bad_base)

int main(void)
{
	const struct CMUnitTest with_image[] = {
		FUZZ_TESTS,
		cmocka_unit_test(test_fuzz_real_image),
	};
	const struct CMUnitTest without_image[] = { FUZZ_TESTS };
	const char *path = real_image_path();
	int rc;

	if (access(path, R_OK) == 0)
		return cmocka_run_group_tests_name("image_fuzz", with_image,
						   NULL, NULL);
	/*
	 * Without an image the real-image case is reported as skipped.  It
	 * is not run through cmocka's skip(): cmocka 1.1.5 prints a skip as
	 * "not ok ... # SKIP", which tests/unit/run.sh counts as a failure.
	 */
	rc = cmocka_run_group_tests_name("image_fuzz", without_image, NULL, NULL);
	printf("ok - test_fuzz_real_image # SKIP no vmkernel image at %s (set VMKX_IMAGE)\n",
	       path);
	return rc;
}
