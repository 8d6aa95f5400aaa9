// SPDX-License-Identifier: GPL-2.0
/*
 * The multiboot v1 loader of virtual machines: see multiboot.h.  Every
 * offset and size read from the file is checked in 64-bit arithmetic
 * before it is used, so a hostile image gets a one-line refusal, never a
 * read outside the buffer.
 */
#include "multiboot.h"
#include "fail.h"

#include <elf.h>
#include <inttypes.h>
#include <string.h>

#define PAGE		4096ULL
#define ALIGN_UP(x)	(((x) + PAGE - 1) & ~(PAGE - 1))

/*
 * Finds the header: the first 4-byte aligned magic in the first 8 KiB
 * whose checksum holds.  A magic with a bad checksum and no good one
 * after it is a corrupt header, not a missing one.
 */
static int find_header(const unsigned char *f, size_t size, vmk_u32 *flags,
		       char *err, size_t errlen)
{
	size_t lim = size < MULTIBOOT_SEARCH ? size : MULTIBOOT_SEARCH;
	long bad = -1;

	for (size_t off = 0; off + 12 <= lim; off += 4) {
		if (rd32(f + off) != MULTIBOOT_HEADER_MAGIC)
			continue;
		vmk_u32 fl = rd32(f + off + 4), sum = rd32(f + off + 8);

		if ((vmk_u32)(MULTIBOOT_HEADER_MAGIC + fl + sum) == 0) {
			*flags = fl;
			return 0;
		}
		if (bad < 0)
			bad = (long)off;
	}
	if (bad >= 0)
		return fail(err, errlen, "multiboot header at offset %ld: bad checksum", bad);
	return fail(err, errlen, "no multiboot header (magic 0x%08x) in the first %d bytes",
		    MULTIBOOT_HEADER_MAGIC, MULTIBOOT_SEARCH);
}

static int check_flags(vmk_u32 flags, char *err, size_t errlen)
{
	if (flags & MULTIBOOT_AOUT_KLUDGE)
		return fail(err, errlen, "multiboot header asks for the a.out kludge "
			    "(flag 16): only ELF kernels are loaded");
	if (flags & MULTIBOOT_VIDEO_MODE)
		return fail(err, errlen, "multiboot header asks for a video mode (flag 2): "
			    "the VM has no display");
	/* Bits 0-15 are requirements: one not understood must fail the boot. */
	if (flags & 0xffffU & ~(MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO))
		return fail(err, errlen, "multiboot header flags 0x%08x: unsupported "
			    "required bits 0x%04x", flags,
			    flags & 0xffffU & ~(MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO));
	return 0;
}

static int check_elf(const unsigned char *f, size_t size, Elf32_Ehdr *eh,
		     char *err, size_t errlen)
{
	if (size < EI_NIDENT || memcmp(f, ELFMAG, SELFMAG))
		return fail(err, errlen, "not an ELF file");
	if (size < sizeof(*eh))
		return fail(err, errlen, "truncated: %zu bytes, shorter than an ELF32 header", size);
	if (f[EI_CLASS] != ELFCLASS32)
		return fail(err, errlen, "ELF class %u: a multiboot kernel is ELF32", f[EI_CLASS]);
	if (f[EI_DATA] != ELFDATA2LSB)
		return fail(err, errlen, "ELF data encoding %u: not little-endian", f[EI_DATA]);
	memcpy(eh, f, sizeof(*eh));
	if (eh->e_machine != EM_386)
		return fail(err, errlen, "ELF machine %u: not i386 (%u)", eh->e_machine, EM_386);
	if (eh->e_type != ET_EXEC)
		return fail(err, errlen, "ELF type %u: not an executable (ET_EXEC)", eh->e_type);
	if (eh->e_phentsize != sizeof(Elf32_Phdr))
		return fail(err, errlen, "e_phentsize %u: not %zu", eh->e_phentsize,
			    sizeof(Elf32_Phdr));
	if (eh->e_phnum == 0 || eh->e_phnum > MULTIBOOT_MAX_PHDRS)
		return fail(err, errlen, "%u program headers: 1 to %d expected", eh->e_phnum,
			    MULTIBOOT_MAX_PHDRS);
	if ((vmk_u64)eh->e_phoff + (vmk_u64)eh->e_phnum * sizeof(Elf32_Phdr) > size)
		return fail(err, errlen, "truncated: program headers at %u..%" PRIu64
			    " beyond the file's %zu bytes", eh->e_phoff,
			    (vmk_u64)eh->e_phoff + (vmk_u64)eh->e_phnum * sizeof(Elf32_Phdr), size);
	return 0;
}

static int load_segments(const unsigned char *f, size_t size, const Elf32_Ehdr *eh,
			 vmk_u64 mem, struct multiboot_load *out, vmk_u64 *entry,
			 char *err, size_t errlen)
{
	Elf32_Phdr ph[MULTIBOOT_MAX_PHDRS];
	unsigned int nload = 0, idx[MULTIBOOT_MAX_PHDRS];
	int entry_found = 0;

	out->kernel_start = ~0ULL;
	out->kernel_end = 0;
	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		memcpy(&ph[i], f + eh->e_phoff + i * sizeof(Elf32_Phdr), sizeof(ph[i]));
		const Elf32_Phdr *p = &ph[i];
		vmk_u64 end = (vmk_u64)p->p_paddr + p->p_memsz;

		if (p->p_type != PT_LOAD || p->p_memsz == 0)
			continue;
		if (p->p_filesz > p->p_memsz)
			return fail(err, errlen, "segment %u: p_filesz 0x%x above p_memsz 0x%x",
				    i, p->p_filesz, p->p_memsz);
		if ((vmk_u64)p->p_offset + p->p_filesz > size)
			return fail(err, errlen, "truncated: segment %u's bytes at 0x%x..0x%"
				    PRIx64 " beyond the file's %zu bytes", i, p->p_offset,
				    (vmk_u64)p->p_offset + p->p_filesz, size);
		if (p->p_paddr < MULTIBOOT_LOAD_MIN)
			return fail(err, errlen, "segment %u at 0x%x: below 1 MiB, where "
				    "the platform's low memory is", i, p->p_paddr);
		if (end > 0x100000000ULL)
			return fail(err, errlen, "segment %u: 0x%x + 0x%x overflows 32 bits",
				    i, p->p_paddr, p->p_memsz);
		if (end > mem)
			return fail(err, errlen, "segment %u at 0x%x..0x%" PRIx64 ": beyond "
				    "the VM's RAM (%" PRIu64 " MiB)", i, p->p_paddr, end, mem >> 20);
		for (unsigned int j = 0; j < nload; j++) {
			const Elf32_Phdr *q = &ph[idx[j]];

			if (p->p_paddr < (vmk_u64)q->p_paddr + q->p_memsz && q->p_paddr < end)
				return fail(err, errlen, "segments %u and %u overlap at 0x%x",
					    idx[j], i, p->p_paddr > q->p_paddr ?
					    p->p_paddr : q->p_paddr);
		}
		idx[nload++] = i;
		if (p->p_paddr < out->kernel_start)
			out->kernel_start = p->p_paddr;
		if (end > out->kernel_end)
			out->kernel_end = end;
		/* Paging is off at entry: a virtual entry point becomes physical
		 * through the segment holding it. */
		if (!entry_found && eh->e_entry >= p->p_vaddr &&
		    (vmk_u64)eh->e_entry < (vmk_u64)p->p_vaddr + p->p_memsz) {
			*entry = (vmk_u64)eh->e_entry - p->p_vaddr + p->p_paddr;
			entry_found = 1;
		}
		if (p->p_filesz)
			vm_write_add(out->writes, &out->nwrites, p->p_paddr, f + p->p_offset, p->p_filesz);
	}
	if (!nload)
		return fail(err, errlen, "no loadable segment");
	if (!entry_found)
		return fail(err, errlen, "entry point 0x%x outside every loadable segment",
			    eh->e_entry);
	return 0;
}

int multiboot_layout(const void *kernel, size_t ksize, const char *cmdline,
		     const void *module, size_t msize, const char *module_name,
		     vmk_u64 mem_bytes, struct multiboot_load *out,
		     char *err, size_t errlen)
{
	const unsigned char *f = kernel;
	Elf32_Ehdr eh;
	vmk_u32 hflags = 0;
	vmk_u64 entry = 0;
	size_t clen, nlen;

	if (err && errlen)
		err[0] = '\0';
	memset(out, 0, sizeof(*out));
	if (!cmdline)
		cmdline = "";
	if (!module_name)
		module_name = "module";
	clen = strlen(cmdline);
	nlen = strlen(module_name);
	if (clen > MULTIBOOT_CMDLINE_MAX)
		return fail(err, errlen, "command line of %zu bytes: at most %d", clen,
			    MULTIBOOT_CMDLINE_MAX);
	if (nlen > MULTIBOOT_NAME_MAX)
		return fail(err, errlen, "module name of %zu bytes: at most %d", nlen,
			    MULTIBOOT_NAME_MAX);
	if (module && msize == 0)
		return fail(err, errlen, "the module is empty");

	if (check_elf(f, ksize, &eh, err, errlen) ||
	    find_header(f, ksize, &hflags, err, errlen) ||
	    check_flags(hflags, err, errlen) ||
	    load_segments(f, ksize, &eh, mem_bytes, out, &entry, err, errlen))
		return -1;

	/* The information block: the structure, then the map, the module
	 * entry and the strings, each 8-byte aligned inside the area. */
	struct multiboot_info mbi = { 0 };
	struct multiboot_mmap map[2];
	struct multiboot_module mod = { 0 };
	vmk_u64 info = ALIGN_UP(out->kernel_end);
	size_t off_map = (sizeof(mbi) + 7) & ~7UL;
	size_t off_mod = off_map + sizeof(map);
	size_t off_cmd = off_mod + sizeof(mod);
	size_t off_name = off_cmd + clen + 1;
	size_t info_len = off_name + nlen + 1;
	vmk_u64 mod_gpa = ALIGN_UP(info + info_len);
	vmk_u64 end = module ? mod_gpa + msize : info + info_len;

	/* info_len is at most ~4.5 KiB by the limits above. */
	if (end > mem_bytes || end > 0x100000000ULL)
		return fail(err, errlen, "%s ends at 0x%" PRIx64 ": beyond the VM's RAM "
			    "(%" PRIu64 " MiB)", module ? "the module" : "the information block",
			    end, mem_bytes >> 20);

	map[0] = (struct multiboot_mmap){ 20, 0, MULTIBOOT_LOW_END, 1 };
	map[1] = (struct multiboot_mmap){ 20, MULTIBOOT_LOAD_MIN,
					  mem_bytes - MULTIBOOT_LOAD_MIN, 1 };
	mbi.flags = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE |
		MULTIBOOT_INFO_MMAP;
	mbi.mem_lower = MULTIBOOT_LOW_END / 1024;
	mbi.mem_upper = (vmk_u32)((mem_bytes - MULTIBOOT_LOAD_MIN) / 1024);
	mbi.cmdline = (vmk_u32)(info + off_cmd);
	mbi.mmap_addr = (vmk_u32)(info + off_map);
	mbi.mmap_length = sizeof(map);
	if (module) {
		mbi.flags |= MULTIBOOT_INFO_MODS;
		mbi.mods_count = 1;
		mbi.mods_addr = (vmk_u32)(info + off_mod);
		mod.mod_start = (vmk_u32)mod_gpa;
		mod.mod_end = (vmk_u32)(mod_gpa + msize);
		mod.string = (vmk_u32)(info + off_name);
	}
	memcpy(out->info, &mbi, sizeof(mbi));
	memcpy(out->info + off_map, map, sizeof(map));
	memcpy(out->info + off_mod, &mod, sizeof(mod));
	memcpy(out->info + off_cmd, cmdline, clen + 1);
	memcpy(out->info + off_name, module_name, nlen + 1);
	vm_write_add(out->writes, &out->nwrites, info, out->info, info_len);
	if (module)
		vm_write_add(out->writes, &out->nwrites, mod_gpa, module, msize);

	out->info_gpa = info;
	out->module_gpa = module ? mod_gpa : 0;
	out->end = end;
	out->boot.mode = VMK_VM_BOOT_PROT32;
	out->boot.rip = entry;
	out->boot.rax = MULTIBOOT_BOOT_MAGIC;
	out->boot.rbx = info;
	return 0;
}
