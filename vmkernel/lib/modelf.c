// SPDX-License-Identifier: GPL-2.0
/*
 * Module ELF checks and relocation (see <vmk/modelf.h>).  Everything in a
 * module file is untrusted: every offset, size, count and index is checked
 * against what holds it before it is used, with arithmetic that cannot
 * overflow, so that a mutated file is refused with a reason and never
 * read or written out of bounds, on the host or in the vmkernel.
 */
#include <vmk/errno.h>
#include <vmk/format.h>
#include <vmk/modelf.h>
#include <vmk/string.h>

#define ET_REL		1
#define EM_X86_64	62
#define SHT_NULL	0
#define SHT_PROGBITS	1
#define SHT_SYMTAB	2
#define SHT_STRTAB	3
#define SHT_RELA	4
#define SHT_NOTE	7
#define SHT_NOBITS	8
#define SHF_WRITE	0x1
#define SHF_ALLOC	0x2
#define SHF_EXECINSTR	0x4
#define SHN_UNDEF	0
#define SHN_LORESERVE	0xff00
#define SHN_ABS		0xfff1
#define SHN_COMMON	0xfff2
#define R_X86_64_NONE	0
#define R_X86_64_64	1
#define R_X86_64_PC32	2
#define R_X86_64_PLT32	4
#define R_X86_64_PC64	24
#define MODELF_PAGE	4096ULL

static const char *const modelf_exports[] = {
#define MODELF_NAME(n) #n,
	VMK_MOD_EXPORTS(MODELF_NAME)
#undef MODELF_NAME
};

int modelf_export_index(const char *name)
{
	for (u32 i = 0; i < ARRAY_SIZE(modelf_exports); i++)
		if (!strcmp(name, modelf_exports[i]))
			return (int)i;
	return -1;
}

u32 modelf_export_count(void)
{
	return ARRAY_SIZE(modelf_exports);
}

const char *modelf_export_name(u32 i)
{
	return i < ARRAY_SIZE(modelf_exports) ? modelf_exports[i] : NULL;
}

static int fail(struct modelf *m, int err, const char *fmt, ...) __printf(3, 4);

static int fail(struct modelf *m, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->err, sizeof(m->err), fmt, ap);
	va_end(ap);
	return err;
}

/* Whether [off, off + len) lies within [0, size). */
static bool in_bounds(u64 off, u64 len, u64 size)
{
	return off <= size && len <= size - off;
}

/* A NUL-terminated name at off in a string table, or NULL. */
static const char *str_at(const char *tab, u64 tabsz, u64 off)
{
	if (!tab || off >= tabsz)
		return NULL;
	/* The table's last byte is checked to be NUL when it is found. */
	return tab + off;
}

static const char *sec_name(const struct modelf *m, u32 i)
{
	const char *n = str_at(m->shstr, m->shstrsz, m->sh[i].sh_name);

	return n ? n : "?";
}

static bool sec_loaded(const struct modelf *m, u32 i)
{
	return i < m->shnum && m->sec_off[i] != MODELF_NOT_LOADED;
}

static bool valid_name(const char *s, u32 len)
{
	u32 n = (u32)strnlen(s, len);

	if (n == 0 || n == len)
		return false;
	for (u32 i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

static int check_header(struct modelf *m)
{
	const struct elf64_ehdr *eh = (const struct elf64_ehdr *)m->file;
	static const u8 magic[4] = { 0x7f, 'E', 'L', 'F' };

	if (m->size > VMK_MOD_FILE_MAX)
		return fail(m, -E2BIG, "file of %lu bytes: the limit is %u",
			    m->size, VMK_MOD_FILE_MAX);
	if (m->size < sizeof(*eh) || memcmp(eh->e_ident, magic, 4))
		return fail(m, -ENOEXEC, "not an ELF file");
	if (eh->e_ident[4] != 2)
		return fail(m, -ENOEXEC, "ELF class %u: a module is ELF64", eh->e_ident[4]);
	if (eh->e_ident[5] != 1 || eh->e_ident[6] != 1 || eh->e_version != 1)
		return fail(m, -ENOEXEC, "not a little-endian ELF of version 1");
	if (eh->e_machine != EM_X86_64)
		return fail(m, -ENOEXEC, "ELF machine %u: a module is x86-64 (62)",
			    eh->e_machine);
	if (eh->e_type != ET_REL)
		return fail(m, -ENOEXEC, "ELF type %u: a module is a relocatable object (1)",
			    eh->e_type);
	if (eh->e_shentsize != sizeof(struct elf64_shdr))
		return fail(m, -ENOEXEC, "section header size %u", eh->e_shentsize);
	if (eh->e_shnum == 0 || eh->e_shnum > VMK_MOD_SECTIONS_MAX)
		return fail(m, eh->e_shnum ? -E2BIG : -ENOEXEC,
			    "%u sections: 1 to %u allowed", eh->e_shnum,
			    VMK_MOD_SECTIONS_MAX);
	if (eh->e_shoff % 8 ||
	    !in_bounds(eh->e_shoff, (u64)eh->e_shnum * sizeof(struct elf64_shdr), m->size))
		return fail(m, -ENOEXEC, "section headers lie outside the file");
	if (eh->e_shstrndx == 0 || eh->e_shstrndx >= eh->e_shnum)
		return fail(m, -ENOEXEC, "no section name table");
	m->sh = (const struct elf64_shdr *)(m->file + eh->e_shoff);
	m->shnum = eh->e_shnum;
	return 0;
}

/* A string table's bytes, or NULL: it must be SHT_STRTAB, in the file
 * and end with NUL. */
static const char *strtab_of(const struct modelf *m, u32 i, u64 *sz)
{
	const struct elf64_shdr *s = &m->sh[i];

	if (s->sh_type != SHT_STRTAB || s->sh_size == 0 ||
	    !in_bounds(s->sh_offset, s->sh_size, m->size) ||
	    m->file[s->sh_offset + s->sh_size - 1] != 0)
		return NULL;
	*sz = s->sh_size;
	return (const char *)m->file + s->sh_offset;
}

static int check_sections(struct modelf *m)
{
	const struct elf64_ehdr *eh = (const struct elf64_ehdr *)m->file;
	u32 nsymtab = 0;

	m->shstr = strtab_of(m, eh->e_shstrndx, &m->shstrsz);
	if (!m->shstr)
		return fail(m, -ENOEXEC, "bad section name table");
	for (u32 i = 0; i < m->shnum; i++) {
		const struct elf64_shdr *s = &m->sh[i];

		m->sec_off[i] = MODELF_NOT_LOADED;
		if (!str_at(m->shstr, m->shstrsz, s->sh_name))
			return fail(m, -ENOEXEC, "section %u: name outside the name table", i);
		switch (s->sh_type) {
		case SHT_NULL:
		case SHT_NOBITS:
			break;
		case SHT_PROGBITS:
		case SHT_SYMTAB:
		case SHT_STRTAB:
		case SHT_RELA:
		case SHT_NOTE:
			if (!in_bounds(s->sh_offset, s->sh_size, m->size))
				return fail(m, -ENOEXEC,
					    "section %u (%s) lies outside the file",
					    i, sec_name(m, i));
			break;
		default:
			return fail(m, -ENOEXEC, "section %u (%s): type %u not supported",
				    i, sec_name(m, i), s->sh_type);
		}
		if (s->sh_addralign & (s->sh_addralign - 1) ||
		    s->sh_addralign > MODELF_PAGE)
			return fail(m, -ENOEXEC, "section %u (%s): alignment %lu",
				    i, sec_name(m, i), s->sh_addralign);
		if (s->sh_type == SHT_SYMTAB) {
			nsymtab++;
			m->symtab = i;
		}
	}
	if (nsymtab != 1)
		return fail(m, -ENOEXEC, "%u symbol tables: a module has one", nsymtab);
	return 0;
}

/* Lays the loaded sections out: text, then read-only data, then data and
 * bss, each part starting on a page. */
static int layout(struct modelf *m)
{
	u64 at = 0;

	for (u32 part = 0; part < MODELF_PARTS; part++) {
		u64 start = at;

		/* bss after data: NOBITS sections come second in their part. */
		for (u32 pass = 0; pass < 2; pass++) {
			for (u32 i = 0; i < m->shnum; i++) {
				const struct elf64_shdr *s = &m->sh[i];
				u64 fl = s->sh_flags;
				u32 p;

				if (!(fl & SHF_ALLOC) || s->sh_size == 0 ||
				    (s->sh_type != SHT_PROGBITS && s->sh_type != SHT_NOBITS))
					continue;
				if ((fl & SHF_EXECINSTR) && (fl & SHF_WRITE))
					return fail(m, -ENOEXEC,
						    "section %u (%s) is writable and executable",
						    i, sec_name(m, i));
				p = (fl & SHF_EXECINSTR) ? MODELF_TEXT :
				    (fl & SHF_WRITE) ? MODELF_DATA : MODELF_RODATA;
				if (p != part || (s->sh_type == SHT_NOBITS) != (pass == 1))
					continue;
				if (s->sh_size > VMK_MOD_IMAGE_MAX)
					return fail(m, -E2BIG, "section %u (%s): %lu bytes",
						    i, sec_name(m, i), s->sh_size);
				if (s->sh_addralign > 1)
					at = ALIGN_UP(at, s->sh_addralign);
				m->sec_off[i] = at;
				at += s->sh_size;
				if (at > VMK_MOD_IMAGE_MAX)
					return fail(m, -E2BIG,
						    "laid out it takes over the limit of %u bytes",
						    VMK_MOD_IMAGE_MAX);
			}
		}
		at = ALIGN_UP(at, MODELF_PAGE);
		m->part_off[part] = start;
		m->part_size[part] = at - start;
	}
	if (m->part_size[MODELF_TEXT] == 0)
		return fail(m, -ENOEXEC, "no code");
	if (at > VMK_MOD_IMAGE_MAX)
		return fail(m, -E2BIG, "laid out it takes %lu bytes: the limit is %u",
			    at, VMK_MOD_IMAGE_MAX);
	m->image_size = at;
	return 0;
}

static int check_info(struct modelf *m)
{
	struct vmk_modinfo *in = &m->info;
	u32 found = 0;

	for (u32 i = 0; i < m->shnum; i++) {
		if (strcmp(sec_name(m, i), VMK_MODINFO_SECTION))
			continue;
		found++;
		m->info_sec = i;
	}
	if (found != 1)
		return fail(m, -EINVAL, "%u %s sections: a module has one (VMK_MODULE)",
			    found, VMK_MODINFO_SECTION);
	const struct elf64_shdr *s = &m->sh[m->info_sec];
	if (s->sh_type != SHT_PROGBITS || !sec_loaded(m, m->info_sec) ||
	    s->sh_size != sizeof(*in))
		return fail(m, -EINVAL, "%s: %lu bytes of type %u; expected %lu loaded bytes",
			    VMK_MODINFO_SECTION, s->sh_size, s->sh_type, (u64)sizeof(*in));
	memcpy(in, m->file + s->sh_offset, sizeof(*in));
	if (in->magic != VMK_MOD_MAGIC)
		return fail(m, -EINVAL, "module information without its magic");
	if (in->mod_abi != VMK_MOD_ABI_VERSION || in->vmk_abi != VMK_ABI_VERSION)
		return fail(m, -EPROTO,
			    "built for module ABI %u, vmkernel ABI %u; this vmkernel has %u, %u",
			    in->mod_abi, in->vmk_abi, VMK_MOD_ABI_VERSION, VMK_ABI_VERSION);
	if (!valid_name(in->name, sizeof(in->name)))
		return fail(m, -EINVAL, "bad module name: 1 to %u of [a-z0-9_]",
			    VMK_MOD_NAME_LEN - 1);
	if (strnlen(in->version, sizeof(in->version)) == sizeof(in->version))
		return fail(m, -EINVAL, "module version not terminated");
	for (u32 d = 0; d < VMK_MOD_DEPS_MAX; d++) {
		if (!in->deps[d][0]) {
			for (u32 e = d; e < VMK_MOD_DEPS_MAX; e++)
				if (in->deps[e][0])
					return fail(m, -EINVAL, "a gap in the dependency list");
			break;
		}
		if (!valid_name(in->deps[d], sizeof(in->deps[d])))
			return fail(m, -EINVAL, "bad dependency name %u", d);
		if (!strcmp(in->deps[d], in->name))
			return fail(m, -EINVAL, "module %s depends on itself", in->name);
	}
	return 0;
}

static int check_symbols(struct modelf *m)
{
	const struct elf64_shdr *s = &m->sh[m->symtab];

	if (s->sh_entsize != sizeof(struct elf64_sym) || s->sh_size % sizeof(struct elf64_sym) ||
	    s->sh_offset % 8)
		return fail(m, -ENOEXEC, "bad symbol table");
	if (s->sh_size / sizeof(struct elf64_sym) > VMK_MOD_SYMBOLS_MAX)
		return fail(m, -E2BIG, "%lu symbols: the limit is %u",
			    s->sh_size / sizeof(struct elf64_sym), VMK_MOD_SYMBOLS_MAX);
	if (s->sh_link >= m->shnum || !(m->strtab = strtab_of(m, s->sh_link, &m->strsz)))
		return fail(m, -ENOEXEC, "bad symbol name table");
	m->syms = (const struct elf64_sym *)(m->file + s->sh_offset);
	m->nsyms = (u32)(s->sh_size / sizeof(struct elf64_sym));
	for (u32 i = 1; i < m->nsyms; i++) {
		const struct elf64_sym *y = &m->syms[i];
		const char *name = str_at(m->strtab, m->strsz, y->st_name);

		if (!name)
			return fail(m, -ENOEXEC, "symbol %u: name outside the table", i);
		if (y->st_shndx == SHN_UNDEF) {
			if (!name[0])
				return fail(m, -ENOEXEC, "symbol %u: undefined and unnamed", i);
			if (modelf_export_index(name) < 0)
				return fail(m, -ENOENT,
					    "undefined symbol '%s': the vmkernel does not export it",
					    name);
		} else if (y->st_shndx == SHN_COMMON) {
			return fail(m, -ENOEXEC, "common symbol '%s': build with -fno-common",
				    name);
		} else if (y->st_shndx >= SHN_LORESERVE) {
			if (y->st_shndx != SHN_ABS)
				return fail(m, -ENOEXEC, "symbol '%s': section index 0x%x",
					    name, y->st_shndx);
		} else if (y->st_shndx >= m->shnum) {
			return fail(m, -ENOEXEC, "symbol '%s': no section %u", name,
				    y->st_shndx);
		} else if (sec_loaded(m, y->st_shndx) &&
			   y->st_value > m->sh[y->st_shndx].sh_size) {
			return fail(m, -ENOEXEC, "symbol '%s' lies outside its section",
				    name);
		}
	}
	return 0;
}

static u32 rel_width(u32 type)
{
	switch (type) {
	case R_X86_64_NONE:
		return 0;
	case R_X86_64_64:
	case R_X86_64_PC64:
		return 8;
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
		return 4;
	default:
		return ~0U;
	}
}

/* Whether the info's init (or cleanup) field has a relocation naming a
 * symbol in a loaded text section. */
static bool entry_points_to_text(struct modelf *m, const struct elf64_rela *r,
				 u32 sym)
{
	const struct elf64_sym *y = &m->syms[sym];

	if ((u32)r->r_info != R_X86_64_64 || y->st_shndx >= m->shnum ||
	    !sec_loaded(m, y->st_shndx) || !(m->sh[y->st_shndx].sh_flags & SHF_EXECINSTR))
		return false;
	return r->r_addend >= 0 && (u64)r->r_addend + y->st_value <
	       m->sh[y->st_shndx].sh_size;
}

static int check_relocs(struct modelf *m)
{
	u64 init_off = m->sec_off[m->info_sec] + __builtin_offsetof(struct vmk_modinfo, init);
	bool has_init = false;

	m->nrelocs = 0;
	m->has_cleanup = false;
	for (u32 i = 0; i < m->shnum; i++) {
		const struct elf64_shdr *s = &m->sh[i];

		if (s->sh_type != SHT_RELA)
			continue;
		if (s->sh_link != m->symtab || s->sh_info == 0 || s->sh_info >= m->shnum ||
		    s->sh_entsize != sizeof(struct elf64_rela) ||
		    s->sh_size % sizeof(struct elf64_rela) || s->sh_offset % 8)
			return fail(m, -ENOEXEC, "bad relocation section %u (%s)",
				    i, sec_name(m, i));
		u32 tgt = s->sh_info;
		u64 n = s->sh_size / sizeof(struct elf64_rela);
		if (n > VMK_MOD_RELOCS_MAX - m->nrelocs)
			return fail(m, -E2BIG, "over %u relocations", VMK_MOD_RELOCS_MAX);
		m->nrelocs += (u32)n;
		/* Relocations of what is not loaded (debug information) are
		 * never applied: they need only name real symbols. */
		bool loaded = sec_loaded(m, tgt);
		const struct elf64_rela *r = (const struct elf64_rela *)(m->file + s->sh_offset);
		for (u64 k = 0; k < n; k++, r++) {
			u32 type = (u32)r->r_info, sym = (u32)(r->r_info >> 32);

			if (sym >= m->nsyms)
				return fail(m, -ENOEXEC, "%s entry %lu: no symbol %u",
					    sec_name(m, i), k, sym);
			if (!loaded)
				continue;
			u32 w = rel_width(type);
			if (w == ~0U)
				return fail(m, -ENOEXEC,
					    "%s entry %lu: relocation type %u not supported",
					    sec_name(m, i), k, type);
			if (m->sh[tgt].sh_type == SHT_NOBITS && w)
				return fail(m, -ENOEXEC, "%s entry %lu: relocates bss",
					    sec_name(m, i), k);
			if (!in_bounds(r->r_offset, w, m->sh[tgt].sh_size))
				return fail(m, -ENOEXEC,
					    "%s entry %lu: offset 0x%lx outside %s",
					    sec_name(m, i), k, r->r_offset,
					    sec_name(m, tgt));
			const struct elf64_sym *y = &m->syms[sym];
			if (w && sym == 0)
				return fail(m, -ENOEXEC, "%s entry %lu: no symbol",
					    sec_name(m, i), k);
			if (y->st_shndx != SHN_UNDEF && y->st_shndx < SHN_LORESERVE &&
			    !sec_loaded(m, y->st_shndx))
				return fail(m, -ENOEXEC,
					    "%s entry %lu: names a symbol in unloaded section %s",
					    sec_name(m, i), k, sec_name(m, y->st_shndx));
			/* A 32-bit PC-relative reference reaches into the module
			 * or the image, never further: one that reached only
			 * from where this module happens to be placed would
			 * pass here and fail there, or the other way round. */
			if (w == 4 && (r->r_addend < -(s64)VMK_MOD_IMAGE_MAX ||
				       r->r_addend > (s64)VMK_MOD_IMAGE_MAX))
				return fail(m, -ENOEXEC,
					    "%s entry %lu: addend %ld reaches beyond any module",
					    sec_name(m, i), k, (s64)r->r_addend);
			if (tgt != m->info_sec)
				continue;
			u64 at = m->sec_off[tgt] + r->r_offset;
			if (at == init_off || at == init_off + 8) {
				if (!entry_points_to_text(m, r, sym))
					return fail(m, -EINVAL,
						    "module %s points outside its code",
						    at == init_off ? "init" : "cleanup");
				if (at == init_off)
					has_init = true;
				else
					m->has_cleanup = true;
			} else if (w) {
				return fail(m, -EINVAL, "relocation inside the module information");
			}
		}
	}
	if (!has_init)
		return fail(m, -EINVAL, "module has no init function");
	if (!m->has_cleanup && m->info.cleanup)
		return fail(m, -EINVAL, "module cleanup is not a function");
	return 0;
}

int modelf_check(struct modelf *m, const void *file, u64 size)
{
	int err;

	memset(m, 0, sizeof(*m));
	m->file = file;
	m->size = size;
	if ((err = check_header(m)) || (err = check_sections(m)) ||
	    (err = layout(m)) || (err = check_info(m)) ||
	    (err = check_symbols(m)) || (err = check_relocs(m)))
		return err;
	return 0;
}

int modelf_relocate(struct modelf *m, u8 *dest, u64 base, const u64 *exports,
		    u64 *init, u64 *cleanup)
{
	for (u32 i = 0; i < m->shnum; i++) {
		if (sec_loaded(m, i) && m->sh[i].sh_type == SHT_PROGBITS)
			memcpy(dest + m->sec_off[i], m->file + m->sh[i].sh_offset,
			       m->sh[i].sh_size);
	}
	for (u32 i = 0; i < m->shnum; i++) {
		const struct elf64_shdr *s = &m->sh[i];

		if (s->sh_type != SHT_RELA || !sec_loaded(m, s->sh_info))
			continue;
		const struct elf64_rela *r = (const struct elf64_rela *)(m->file + s->sh_offset);
		u64 n = s->sh_size / sizeof(*r);
		for (u64 k = 0; k < n; k++, r++) {
			u32 type = (u32)r->r_info;
			const struct elf64_sym *y = &m->syms[r->r_info >> 32];
			u64 off = m->sec_off[s->sh_info] + r->r_offset;
			u64 sym, p = base + off;

			if (type == R_X86_64_NONE)
				continue;
			if (y->st_shndx == SHN_UNDEF)
				sym = exports[modelf_export_index(m->strtab + y->st_name)];
			else if (y->st_shndx == SHN_ABS)
				sym = y->st_value;
			else
				sym = base + m->sec_off[y->st_shndx] + y->st_value;
			u64 v = sym + (u64)r->r_addend;
			if (type == R_X86_64_64) {
				memcpy(dest + off, &v, 8);
			} else if (type == R_X86_64_PC64) {
				v -= p;
				memcpy(dest + off, &v, 8);
			} else {
				s64 d = (s64)(v - p);
				s32 d32 = (s32)d;

				if (d != d32)
					return fail(m, -ERANGE,
						    "%s entry %lu: target out of 32-bit reach",
						    sec_name(m, i), k);
				memcpy(dest + off, &d32, 4);
			}
		}
	}
	memcpy(init, dest + m->sec_off[m->info_sec] +
	       __builtin_offsetof(struct vmk_modinfo, init), 8);
	*cleanup = 0;
	if (m->has_cleanup)
		memcpy(cleanup, dest + m->sec_off[m->info_sec] +
		       __builtin_offsetof(struct vmk_modinfo, cleanup), 8);
	return 0;
}
