/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module ELF checks and relocation, shared by the vmkernel (which loads
 * modules) and the console's vmkload_mod (which refuses a bad one before
 * the vmkernel sees it): the same code decides on both sides, and runs
 * on the host under the sanitizers in the unit tests and the fuzzer.
 *
 * modelf_check() reads nothing outside [file, file + size) and accepts
 * only what modelf_relocate() can lay out and relocate safely; on a
 * refusal it returns a negative errno and leaves one line saying why in
 * m->err.  It uses no memory but *m.
 */
#ifndef VMK_MODELF_H
#define VMK_MODELF_H

#include <vmk/types.h>
#include "vmnix_abi.h"

/* The few ELF64 structures a module loader needs (the System V gABI). */
struct elf64_ehdr {
	u8 e_ident[16];
	u16 e_type, e_machine;
	u32 e_version;
	u64 e_entry, e_phoff, e_shoff;
	u32 e_flags;
	u16 e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_shdr {
	u32 sh_name, sh_type;
	u64 sh_flags, sh_addr, sh_offset, sh_size;
	u32 sh_link, sh_info;
	u64 sh_addralign, sh_entsize;
};

struct elf64_sym {
	u32 st_name;
	u8 st_info, st_other;
	u16 st_shndx;
	u64 st_value, st_size;
};

struct elf64_rela {
	u64 r_offset;
	u64 r_info;
	s64 r_addend;
};

#define MODELF_NOT_LOADED	(~0ULL)
#define MODELF_ERR_LEN		128

enum modelf_part { MODELF_TEXT, MODELF_RODATA, MODELF_DATA, MODELF_PARTS };

struct modelf {
	const u8 *file;
	u64 size;
	const struct elf64_shdr *sh;
	u32 shnum;
	u32 symtab;			/* section index of .symtab */
	const struct elf64_sym *syms;
	u32 nsyms;
	const char *strtab;
	u64 strsz;
	const char *shstr;
	u64 shstrsz;
	u32 info_sec;			/* section index of the modinfo */
	u32 nrelocs;
	/* Laid-out offset of each section, MODELF_NOT_LOADED if it is not. */
	u64 sec_off[VMK_MOD_SECTIONS_MAX];
	u64 part_off[MODELF_PARTS];	/* page-aligned */
	u64 part_size[MODELF_PARTS];	/* rounded up to pages */
	u64 image_size;
	struct vmk_modinfo info;	/* a copy; init and cleanup unrelocated */
	bool has_cleanup;
	char err[MODELF_ERR_LEN];
};

/* Index of name in VMK_MOD_EXPORTS, or -1. */
int modelf_export_index(const char *name);
u32 modelf_export_count(void);
const char *modelf_export_name(u32 i);

/* 0 or a negative errno with m->err set: -ENOEXEC for a malformed or
 * unsupported object, -EINVAL for bad module information, -EPROTO for
 * an ABI mismatch, -E2BIG over a size limit, -ENOENT for a symbol the
 * vmkernel does not export. */
int modelf_check(struct modelf *m, const void *file, u64 size);

/*
 * Lays a checked module out at dest (m->image_size bytes, zeroed by the
 * caller) as it will run at address base, and applies its relocations;
 * exports[i] is the address of VMK_MOD_EXPORTS' i-th name.  -ERANGE with
 * m->err set if a PC-relative one does not reach.  *init and *cleanup get
 * the relocated entry points (cleanup 0 if none).
 */
int modelf_relocate(struct modelf *m, u8 *dest, u64 base, const u64 *exports,
		    u64 *init, u64 *cleanup);

#endif
