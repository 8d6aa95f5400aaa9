/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The image header: the first bytes of the image (see struct
 * vmk_image_header in vmnix_abi.h).  Offsets are link-time differences
 * from the header itself, so they need no relocation; the one field that
 * is a difference of two other symbols, rela_size, is placed between the
 * two parts by the linker script.
 */
#include "vmnix_abi.h"

#define VMK_MIN_MEM	(16 << 20)
#define VMK_HEADER_SIZE	128

	.section .vmk_header, "a"
	.globl vmk_header
vmk_header:
	.quad	VMK_IMAGE_MAGIC
	.long	VMK_ABI_VERSION
	.long	VMK_ARCH_X86_64
	.long	VMK_HEADER_SIZE
	.long	0
	.quad	__image_end - vmk_header
	.quad	__file_end - vmk_header
	.quad	VMK_MIN_MEM
	.quad	vmk_entry_init - vmk_header
	.quad	vmk_entry_cpu - vmk_header
	.quad	__rela_start - vmk_header
	/* rela_size: written by the linker script */
	.section .vmk_header.tail, "a"
	.quad	vmk_log_ring - . + 80	/* this field is at offset 80 */
	.quad	0			/* checksum: written by vmkseal after the link */
.Lversion:
	.ascii	VMK_RELEASE
	.fill	32 - (. - .Lversion), 1, 0
