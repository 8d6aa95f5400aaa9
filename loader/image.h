/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmkernel image validation and layout, as done by vmkload before the
 * shim sees a byte.  The image is an ELF64 x86-64 ET_DYN linked at
 * address 0; its PT_LOAD segments laid out at their p_vaddr form the
 * "flat image" whose first bytes are struct vmk_image_header.
 *
 * Pure logic without I/O or allocation, shared by vmkload, the unit
 * tests and the image fuzzer.
 */
#ifndef VMKX_LOADER_IMAGE_H
#define VMKX_LOADER_IMAGE_H

#include <stddef.h>

#include "vmnix_abi.h"

/* At most this many PT_LOAD segments (the vmkernel has three). */
#define IMAGE_MAX_LOADS		16
/* At most this many program headers of any kind. */
#define IMAGE_MAX_PHDRS		64
/* Pass as region_size when no region is known (image_check --check). */
#define IMAGE_ANY_REGION	(~0ULL)

/* Segment permission bits, as in the ELF p_flags. */
#define IMAGE_SEG_X		1U
#define IMAGE_SEG_W		2U
#define IMAGE_SEG_R		4U

/* One PT_LOAD segment, in ascending vaddr order. */
struct image_seg {
	vmk_u64 vaddr;		/* offset in the flat image */
	vmk_u64 offset;		/* offset in the file */
	vmk_u64 filesz;
	vmk_u64 memsz;
	vmk_u32 flags;		/* IMAGE_SEG_* */
};

/* What image_check learnt; valid only when it returned 0. */
struct image_info {
	struct vmk_image_header hdr;	/* a copy of the header */
	vmk_u64 image_size;		/* bytes of the flat image (hdr.image_size) */
	vmk_u64 file_size;		/* bytes the shim copies (hdr.file_size) */
	vmk_u64 load_end;		/* end of the highest PT_LOAD in memory */
	vmk_u64 hdr_file_offset;	/* where the header sits in the file */
	vmk_u64 nrela;			/* R_X86_64_RELATIVE entries */
	unsigned int nseg;
	struct image_seg seg[IMAGE_MAX_LOADS];
};

/*
 * Validates an image of size bytes at file against a reserved region of
 * region_size bytes (IMAGE_ANY_REGION if unknown).  Returns 0 and fills
 * *out, or a negative value with one line (no trailing newline) saying
 * what is wrong in err (errlen bytes, always NUL-terminated when
 * errlen > 0): -2 when only the checksum is wrong (then *out is filled,
 * which is what vmkseal needs), -1 for anything else.
 */
int image_check(const void *file, size_t size, vmk_u64 region_size,
		struct image_info *out, char *err, size_t errlen);

/* The checksum (vmk_image_sum) of the image's flat bytes, from the file. */
vmk_u64 image_sum(const void *file, const struct image_info *info);

/*
 * Lays the image out at flat, which must hold info->image_size bytes:
 * every PT_LOAD's file bytes at its vaddr, zero everywhere else.  info
 * must come from image_check on the same bytes.  Returns 0, or -1 if
 * info does not fit file and flat (it is checked again).
 */
int image_flatten(const void *file, size_t size, const struct image_info *info,
		  void *flat);

#endif
