// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz-image: the image fuzzer as a standalone program for soak runs,
 * built with the sanitizers as build/tests/fuzz-image.  Mutates the
 * synthetic image, or the vmkernel image given with --image, and prints
 * the case count with the accepted and rejected tallies.  A case that
 * breaks a property is named by seed and index and ends the run with
 * exit status 1; a sanitizer report aborts it.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "fuzz.h"
#include "synth.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: fuzz-image [--seed S] [--cases N] [--first K] [--image PATH]\n"
		"Mutate a valid vmkernel image N times (default 10000) and check that\n"
		"the loader's checks never crash and always explain a rejection.\n"
		"Without --image the built-in synthetic image is used.  Case K of seed S\n"
		"is always the same: --first K --cases 1 replays it.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "seed", required_argument, NULL, 's' },
		{ "cases", required_argument, NULL, 'n' },
		{ "first", required_argument, NULL, 'f' },
		{ "image", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	static _Alignas(8) unsigned char synth[SYNTH_FILE_SIZE];
	vmk_u64 seed = 1, cases = 10000, first = 0;
	const char *path = NULL;
	struct fuzz_stats st = { 0 };
	struct timespec t0, t1;
	unsigned char *img = synth, *loaded = NULL;
	size_t size = sizeof(synth);
	char err[512];
	int c, rc = 1;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		vmk_u64 *dst = c == 's' ? &seed : c == 'n' ? &cases : &first;

		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case 's':
		case 'n':
		case 'f':
			if (fuzz_parse_u64(optarg, dst)) {
				fprintf(stderr, "fuzz-image: bad number '%s'\n", optarg);
				return 2;
			}
			break;
		case 'i':
			path = optarg;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (path) {
		if (fuzz_read_file(path, &loaded, &size, err, sizeof(err))) {
			fprintf(stderr, "fuzz-image: %s\n", err);
			goto out;
		}
		img = loaded;
	} else {
		synth_build(synth);
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (fuzz_run(img, size, fuzz_region_for(img, size), seed, first, cases,
		     &st, err, sizeof(err))) {
		fprintf(stderr, "fuzz-image: %s\n", err);
		goto out_free;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("fuzz-image: %s, seed %" PRIu64 ": %" PRIu64 " cases, %" PRIu64 " accepted, %" PRIu64 " rejected in %.2f s\n",
	       path ? path : "synthetic image", seed, st.cases, st.accepted,
	       st.rejected,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	rc = 0;
out_free:
	free(loaded);
out:
	return rc;
}
