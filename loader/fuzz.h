/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A deterministic mutation fuzzer for image_check() and image_flatten(),
 * shared by the unit test (tests/unit/test_image_fuzz.c) and the soak
 * program (build/tests/fuzz-image).  Each case starts from a valid image
 * and changes one to three things: an image-header field, an ELF-header
 * field, a program-header field, a relocation, random bytes, or the
 * length.  Case k of seed s is always the same mutation, so a failure is
 * replayed with --seed s --first k --cases 1.
 *
 * Crashes and out-of-bounds accesses are caught by the sanitizers the
 * callers are built with; the properties checked here are that the
 * checker answers 0 or -1, that every rejection says why in one line,
 * that the answer is repeatable, and that an accepted image flattens
 * into exactly image_size bytes with its header at offset 0.
 */
#ifndef VMKX_LOADER_FUZZ_H
#define VMKX_LOADER_FUZZ_H

#include <stddef.h>

#include "vmnix_abi.h"

struct fuzz_stats {
	vmk_u64 cases;
	vmk_u64 accepted;
	vmk_u64 rejected;
};

/*
 * Runs cases [first, first + count) of seed on base (size bytes, which
 * image_check must accept for region), adding to *st.  Returns 0, or -1
 * with one line in err naming the case that broke a property.
 */
int fuzz_run(const void *base, size_t size, vmk_u64 region, vmk_u64 seed,
	     vmk_u64 first, vmk_u64 count, struct fuzz_stats *st, char *err,
	     size_t errlen);

/* The region to fuzz an image against: its min_mem, at least 64 MiB, at most 1 GiB. */
vmk_u64 fuzz_region_for(const void *base, size_t size);

/*
 * For the fuzzing programs (fuzz-image, vmkfuzz).  fuzz_parse_u64 reads
 * an unsigned decimal, 0x hex or 0 octal number with nothing after it:
 * 0, or -1.  fuzz_read_file reads a whole file into a new buffer (free
 * it): 0, or -1 with one line in err.
 */
int fuzz_parse_u64(const char *s, vmk_u64 *out);
int fuzz_read_file(const char *path, unsigned char **data, size_t *size,
		   char *err, size_t errlen);

#endif
