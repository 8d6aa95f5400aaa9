// SPDX-License-Identifier: GPL-2.0
/*
 * The synthetic vmkernel image (see synth.h).  File bytes that carry no
 * structure are filled with a position-dependent pattern so that a test
 * can tell whether flattening put every byte in its place.
 */
#include "synth.h"
#include "image.h"

#include <string.h>

#define TEXT_OFF	0x1000
#define RODATA_OFF	0x2000
#define DATA_OFF	0x3000

static void put_phdr(unsigned char *buf, unsigned int i, Elf64_Word type,
		     Elf64_Word flags, Elf64_Off off, Elf64_Addr vaddr,
		     Elf64_Xword filesz, Elf64_Xword memsz, Elf64_Xword align)
{
	Elf64_Phdr *ph = synth_phdr(buf, i);

	*ph = (Elf64_Phdr){
		.p_type = type, .p_flags = flags, .p_offset = off,
		.p_vaddr = vaddr, .p_paddr = vaddr, .p_filesz = filesz,
		.p_memsz = memsz, .p_align = align,
	};
}

void synth_build(unsigned char *buf)
{
	Elf64_Ehdr *eh = synth_ehdr(buf);
	struct vmk_image_header *h;

	for (size_t i = 0; i < SYNTH_FILE_SIZE; i++)
		buf[i] = (unsigned char)(i * 7 + (i >> 8));

	memset(eh, 0, sizeof(*eh));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_DYN;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = SYNTH_ENTRY_INIT;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = SYNTH_PHNUM;

	put_phdr(buf, 0, PT_LOAD, PF_R | PF_X, TEXT_OFF, 0, 0x1000, 0x1000,
		 0x1000);
	put_phdr(buf, 1, PT_LOAD, PF_R, RODATA_OFF, 0x1000, 0x1000, 0x1000,
		 0x1000);
	put_phdr(buf, 2, PT_LOAD, PF_R | PF_W, DATA_OFF, SYNTH_DATA_VADDR,
		 SYNTH_DATA_FILESZ, SYNTH_LOAD_END - SYNTH_DATA_VADDR, 0x1000);
	put_phdr(buf, 3, PT_DYNAMIC, PF_R | PF_W, DATA_OFF + 0x700,
		 SYNTH_DATA_VADDR + 0x700, 0x100, 0x100, 8);
	put_phdr(buf, 4, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16);

	h = synth_hdr(buf);
	memset(h, 0, sizeof(*h));
	h->magic = VMK_IMAGE_MAGIC;
	h->abi_version = VMK_ABI_VERSION;
	h->arch = VMK_ARCH_X86_64;
	h->header_size = sizeof(*h);
	h->image_size = SYNTH_IMAGE_SIZE;
	h->file_size = SYNTH_DATA_VADDR + SYNTH_DATA_FILESZ;
	h->min_mem = SYNTH_MIN_MEM;
	h->entry_init = SYNTH_ENTRY_INIT;
	h->entry_cpu = SYNTH_ENTRY_CPU;
	h->rela_offset = SYNTH_RELA_OFFSET;
	h->rela_size = SYNTH_NRELA * sizeof(Elf64_Rela);
	h->log_offset = SYNTH_LOG_OFFSET;
	strcpy(h->version, SYNTH_VERSION);

	/* Pointers in .data to the entry points and to the log ring. */
	for (unsigned int i = 0; i < SYNTH_NRELA; i++) {
		Elf64_Rela *r = synth_rela(buf, i);

		r->r_offset = SYNTH_DATA_VADDR + 8 * i;
		r->r_info = R_X86_64_RELATIVE;
		r->r_addend = i % 2 ? SYNTH_LOG_OFFSET : SYNTH_ENTRY_INIT;
	}
	synth_seal(buf);
}

void synth_seal(unsigned char *buf)
{
	struct image_info info;

	if (image_check(buf, SYNTH_FILE_SIZE, IMAGE_ANY_REGION, &info, NULL, 0) != -1)
		synth_hdr(buf)->checksum = image_sum(buf, &info);
}

Elf64_Ehdr *synth_ehdr(unsigned char *buf)
{
	return (Elf64_Ehdr *)buf;
}

Elf64_Phdr *synth_phdr(unsigned char *buf, unsigned int i)
{
	return (Elf64_Phdr *)(buf + sizeof(Elf64_Ehdr)) + i;
}

struct vmk_image_header *synth_hdr(unsigned char *buf)
{
	return (struct vmk_image_header *)(buf + TEXT_OFF);
}

Elf64_Rela *synth_rela(unsigned char *buf, unsigned int i)
{
	return (Elf64_Rela *)(buf + RODATA_OFF) + i;
}
