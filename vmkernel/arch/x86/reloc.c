// SPDX-License-Identifier: GPL-2.0
/*
 * Self-relocation.  The image is linked at 0 and entered wherever the
 * shim mapped it; the linker leaves one R_X86_64_RELATIVE entry for each
 * stored address (function-pointer tables, string arrays).  reloc_self()
 * adds the load address to each before any other vmkernel code runs.  It
 * uses only RIP-relative references and so needs no relocation itself.
 */
#include <vmk/types.h>
#include "x86/machine.h"
#include "vmnix_abi.h"

struct elf64_rela {
	u64 r_offset;
	u64 r_info;
	s64 r_addend;
};

#define R_X86_64_RELATIVE	8

extern const struct elf64_rela __rela_start[], __rela_end[];
extern char __image_start[];

int reloc_self(void)
{
	u64 base = (u64)__image_start;

	for (const struct elf64_rela *r = __rela_start; r < __rela_end; r++) {
		if ((u32)r->r_info != R_X86_64_RELATIVE)
			return -1;
		*(u64 *)(base + r->r_offset) = base + (u64)r->r_addend;
	}
	return 0;
}
_Static_assert(sizeof(struct vmk_image_header) == 128, "VMK_HEADER_SIZE in head.S");
_Static_assert(__builtin_offsetof(struct vmk_image_header, checksum) ==
	       VMK_SUM_CHECKSUM_OFFSET, "the checksum field");
