/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small, valid vmkernel image built in memory, for the loader's unit
 * tests and the image fuzzer: the same shape as the real one (an ELF64
 * ET_DYN whose first PT_LOAD sits at file offset 0x1000 and address 0),
 * with text, read-only data holding the relocation table, and data plus
 * a .bss that holds the log ring.  Tests break one field at a time.
 *
 *   file      address   what
 *   0x0000    -         ELF header, program headers
 *   0x1000    0x0000    text (R+X): image header, entry_init, entry_cpu
 *   0x2000    0x1000    rodata (R): SYNTH_NRELA relocations
 *   0x3000    0x2000    data (RW): 0x800 file bytes, then .bss with the log ring
 */
#ifndef VMKX_LOADER_SYNTH_H
#define VMKX_LOADER_SYNTH_H

#include <elf.h>
#include <stddef.h>

#include "vmnix_abi.h"

#define SYNTH_FILE_SIZE		0x3800
#define SYNTH_REGION		(64ULL << 20)
#define SYNTH_PHNUM		5	/* 3 PT_LOAD, PT_DYNAMIC, PT_GNU_STACK */
#define SYNTH_NRELA		8
#define SYNTH_ENTRY_INIT	0x100
#define SYNTH_ENTRY_CPU		0x180
#define SYNTH_RELA_OFFSET	0x1000
#define SYNTH_DATA_VADDR	0x2000
#define SYNTH_DATA_FILESZ	0x800
#define SYNTH_LOG_OFFSET	0x3000
#define SYNTH_LOAD_END		(SYNTH_LOG_OFFSET + sizeof(struct vmk_log_ring) + 0x40)
#define SYNTH_IMAGE_SIZE	((SYNTH_LOAD_END + 0xfff) & ~0xfffULL)
#define SYNTH_MIN_MEM		(4ULL << 20)
#define SYNTH_VERSION		"vmkx 0.1.0-synth"

/*
 * Writes the image to buf (SYNTH_FILE_SIZE bytes, 8-byte aligned).  The
 * program headers are: 0 text, 1 rodata, 2 data, 3 PT_DYNAMIC, 4 stack.
 */
void synth_build(unsigned char *buf);

/* Writes the checksum of the image at buf into its header (after a test
 * changed a byte and wants the image to stay valid otherwise). */
void synth_seal(unsigned char *buf);

/* Pointers into an image built by synth_build. */
Elf64_Ehdr *synth_ehdr(unsigned char *buf);
Elf64_Phdr *synth_phdr(unsigned char *buf, unsigned int i);
struct vmk_image_header *synth_hdr(unsigned char *buf);
Elf64_Rela *synth_rela(unsigned char *buf, unsigned int i);

#endif
