// SPDX-License-Identifier: GPL-2.0
/*
 * vmkernel image validation and flattening (see image.h).  Every field
 * of the ELF header, the program headers, the image header and the
 * relocation table is checked here, in the order a reader would check
 * them by hand, so that the first problem found is the one reported.
 * All arithmetic on file-supplied values is overflow-checked, and the
 * file is only read through memcpy from ranges proven to be inside it.
 */
#include "image.h"
#include "fail.h"

#include <elf.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define PAGE		VMK_PAGE_SIZE
#define RELA_SIZE	sizeof(Elf64_Rela)


/* a + b without wrapping; false if it would wrap. */
static bool add_ok(vmk_u64 a, vmk_u64 b, vmk_u64 *sum)
{
	return !__builtin_add_overflow(a, b, sum);
}

/* Formats a region size for messages: "64 MiB" or "0x1234 bytes". */
static const char *region_str(vmk_u64 size, char *buf, size_t len)
{
	if (size && size % (1ULL << 20) == 0)
		snprintf(buf, len, "%" PRIu64 " MiB", size >> 20);
	else
		snprintf(buf, len, "0x%" PRIx64 " bytes", size);
	return buf;
}

static int check_ehdr(const Elf64_Ehdr *eh, size_t size, char *err,
		      size_t errlen)
{
	vmk_u64 table_end;

	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return fail(err, errlen, "not a 64-bit ELF file (class %u)",
			    eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return fail(err, errlen,
			    "not a little-endian ELF file (data encoding %u)",
			    eh->e_ident[EI_DATA]);
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return fail(err, errlen, "ELF version %u/%u, expected %u",
			    eh->e_ident[EI_VERSION], eh->e_version, EV_CURRENT);
	if (eh->e_type != ET_DYN)
		return fail(err, errlen,
			    "ELF type %u%s, the vmkernel must be ET_DYN (position independent, linked at 0)",
			    eh->e_type, eh->e_type == ET_EXEC ? " (ET_EXEC)" : "");
	if (eh->e_machine != EM_X86_64)
		return fail(err, errlen, "ELF machine %u, expected x86-64 (%u)",
			    eh->e_machine, EM_X86_64);
	if (eh->e_ehsize < sizeof(Elf64_Ehdr))
		return fail(err, errlen, "ELF header size %u, expected %zu",
			    eh->e_ehsize, sizeof(Elf64_Ehdr));
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return fail(err, errlen,
			    "program header entry size %u, expected %zu",
			    eh->e_phentsize, sizeof(Elf64_Phdr));
	if (eh->e_phnum == 0)
		return fail(err, errlen, "no program headers");
	if (eh->e_phnum > IMAGE_MAX_PHDRS)
		return fail(err, errlen,
			    "%u program headers, at most %u are supported",
			    eh->e_phnum, IMAGE_MAX_PHDRS);
	if (eh->e_phoff < sizeof(Elf64_Ehdr))
		return fail(err, errlen,
			    "program header table at 0x%" PRIx64 " overlaps the ELF header",
			    (vmk_u64)eh->e_phoff);
	if (!add_ok(eh->e_phoff, (vmk_u64)eh->e_phnum * sizeof(Elf64_Phdr),
		    &table_end) || table_end > size)
		return fail(err, errlen,
			    "program header table at 0x%" PRIx64 " (%u entries) extends past the end of the file (%zu bytes)",
			    (vmk_u64)eh->e_phoff, eh->e_phnum, size);
	return 0;
}

/* Checks one PT_LOAD on its own and against the ones before it. */
static int check_load(const Elf64_Phdr *ph, unsigned int idx, size_t size,
		      vmk_u64 region_size, const struct image_seg *segs,
		      const unsigned int *seg_idx, unsigned int nseg,
		      char *err, size_t errlen)
{
	vmk_u64 fend, mend;
	char rbuf[32];

	if (ph->p_memsz == 0)
		return fail(err, errlen, "program header %u: empty PT_LOAD segment",
			    idx);
	if (ph->p_filesz > ph->p_memsz)
		return fail(err, errlen,
			    "program header %u: file size 0x%" PRIx64 " exceeds memory size 0x%" PRIx64,
			    idx, (vmk_u64)ph->p_filesz, (vmk_u64)ph->p_memsz);
	if (!add_ok(ph->p_offset, ph->p_filesz, &fend) || fend > size)
		return fail(err, errlen,
			    "program header %u: file bytes at 0x%" PRIx64 " (0x%" PRIx64 " bytes) extend past the end of the file (%zu bytes)",
			    idx, (vmk_u64)ph->p_offset, (vmk_u64)ph->p_filesz, size);
	if (!add_ok(ph->p_vaddr, ph->p_memsz, &mend))
		return fail(err, errlen,
			    "program header %u: segment at 0x%" PRIx64 " (0x%" PRIx64 " bytes) wraps around the address space",
			    idx, (vmk_u64)ph->p_vaddr, (vmk_u64)ph->p_memsz);
	if (mend > region_size)
		return fail(err, errlen,
			    "program header %u: segment [0x%" PRIx64 ", 0x%" PRIx64 ") does not fit the %s region",
			    idx, (vmk_u64)ph->p_vaddr, mend,
			    region_str(region_size, rbuf, sizeof(rbuf)));
	if (ph->p_align & (ph->p_align - 1))
		return fail(err, errlen,
			    "program header %u: alignment 0x%" PRIx64 " is not a power of two",
			    idx, (vmk_u64)ph->p_align);
	if (ph->p_vaddr % PAGE != ph->p_offset % PAGE)
		return fail(err, errlen,
			    "program header %u: address 0x%" PRIx64 " and file offset 0x%" PRIx64 " differ modulo the page size",
			    idx, (vmk_u64)ph->p_vaddr, (vmk_u64)ph->p_offset);
	if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X))
		return fail(err, errlen,
			    "program header %u: segment is both writable and executable",
			    idx);
	for (unsigned int i = 0; i < nseg; i++) {
		const struct image_seg *s = &segs[i];

		if (ph->p_vaddr < s->vaddr + s->memsz && s->vaddr < mend)
			return fail(err, errlen,
				    "program header %u: segment [0x%" PRIx64 ", 0x%" PRIx64 ") overlaps segment %u",
				    idx, (vmk_u64)ph->p_vaddr, mend, seg_idx[i]);
	}
	return 0;
}

/* Reads and checks the program headers; fills info->seg sorted by vaddr. */
static int check_phdrs(const unsigned char *file, size_t size,
		       const Elf64_Ehdr *eh, vmk_u64 region_size,
		       struct image_info *info, char *err, size_t errlen)
{
	unsigned int seg_idx[IMAGE_MAX_LOADS];
	unsigned int n = 0;

	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, file + eh->e_phoff + (size_t)i * sizeof(ph),
		       sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		if (n == IMAGE_MAX_LOADS)
			return fail(err, errlen,
				    "more than %u PT_LOAD segments",
				    IMAGE_MAX_LOADS);
		if (check_load(&ph, i, size, region_size, info->seg, seg_idx,
			       n, err, errlen))
			return -1;

		/* Insert in vaddr order. */
		unsigned int j = n;
		while (j > 0 && info->seg[j - 1].vaddr > ph.p_vaddr) {
			info->seg[j] = info->seg[j - 1];
			seg_idx[j] = seg_idx[j - 1];
			j--;
		}
		info->seg[j] = (struct image_seg){
			.vaddr = ph.p_vaddr,
			.offset = ph.p_offset,
			.filesz = ph.p_filesz,
			.memsz = ph.p_memsz,
			.flags = ph.p_flags & (IMAGE_SEG_R | IMAGE_SEG_W | IMAGE_SEG_X),
		};
		seg_idx[j] = i;
		n++;
	}
	if (n == 0)
		return fail(err, errlen, "no PT_LOAD segment");
	info->nseg = n;
	return 0;
}

/*
 * Returns the file bytes behind flat-image range [off, off + len), which
 * must lie within one segment's file-backed part, or NULL.
 */
static const unsigned char *flat_bytes(const unsigned char *file,
				       const struct image_info *info,
				       vmk_u64 off, vmk_u64 len)
{
	vmk_u64 end;

	if (!add_ok(off, len, &end))
		return NULL;
	for (unsigned int i = 0; i < info->nseg; i++) {
		const struct image_seg *s = &info->seg[i];

		if (off >= s->vaddr && end <= s->vaddr + s->filesz)
			return file + s->offset + (off - s->vaddr);
	}
	return NULL;
}

/* Is [off, off + len) inside one segment with all of flags (in memory)? */
static bool in_segment(const struct image_info *info, vmk_u64 off,
		       vmk_u64 len, vmk_u32 flags, bool file_backed)
{
	vmk_u64 end;

	if (!add_ok(off, len, &end))
		return false;
	for (unsigned int i = 0; i < info->nseg; i++) {
		const struct image_seg *s = &info->seg[i];
		vmk_u64 send = s->vaddr + (file_backed ? s->filesz : s->memsz);

		if ((s->flags & flags) == flags && off >= s->vaddr && end <= send)
			return true;
	}
	return false;
}

static int check_sizes(const struct image_info *info, vmk_u64 region_size,
		       char *err, size_t errlen)
{
	const struct vmk_image_header *h = &info->hdr;
	vmk_u64 file_end = 0;
	char rbuf[32], nbuf[32];

	for (unsigned int i = 0; i < info->nseg; i++) {
		vmk_u64 e = info->seg[i].vaddr + info->seg[i].filesz;

		if (info->seg[i].filesz && e > file_end)
			file_end = e;
	}
	/* image_size is the end of the last segment, or that rounded up to a page. */
	if (h->image_size < info->load_end || h->image_size - info->load_end >= PAGE ||
	    (h->image_size != info->load_end && h->image_size % PAGE))
		return fail(err, errlen,
			    "image_size 0x%" PRIx64 " does not match the end of the last segment (0x%" PRIx64 ")",
			    h->image_size, info->load_end);
	if (h->file_size < file_end)
		return fail(err, errlen,
			    "file_size 0x%" PRIx64 " does not cover the segments' file bytes (up to 0x%" PRIx64 ")",
			    h->file_size, file_end);
	if (h->file_size > h->image_size)
		return fail(err, errlen,
			    "file_size 0x%" PRIx64 " exceeds image_size 0x%" PRIx64,
			    h->file_size, h->image_size);
	if (h->min_mem < h->image_size)
		return fail(err, errlen,
			    "min_mem 0x%" PRIx64 " is smaller than the image (0x%" PRIx64 " bytes)",
			    h->min_mem, h->image_size);
	if (h->min_mem > region_size)
		return fail(err, errlen,
			    "the image needs a %s region (min_mem) but the region has %s",
			    region_str(h->min_mem, nbuf, sizeof(nbuf)),
			    region_str(region_size, rbuf, sizeof(rbuf)));
	return 0;
}

static int check_rela(const unsigned char *file, struct image_info *info,
		      char *err, size_t errlen)
{
	const struct vmk_image_header *h = &info->hdr;
	const unsigned char *table;

	if (h->rela_size % RELA_SIZE)
		return fail(err, errlen,
			    "rela_size 0x%" PRIx64 " is not a multiple of %zu",
			    h->rela_size, RELA_SIZE);
	if (h->rela_size == 0) {
		if (h->rela_offset > h->image_size)
			return fail(err, errlen,
				    "rela_offset 0x%" PRIx64 " is outside the image (0x%" PRIx64 " bytes)",
				    h->rela_offset, h->image_size);
		info->nrela = 0;
		return 0;
	}
	if (h->rela_offset % 8)
		return fail(err, errlen,
			    "rela_offset 0x%" PRIx64 " is not 8-byte aligned",
			    h->rela_offset);
	table = flat_bytes(file, info, h->rela_offset, h->rela_size);
	if (!table)
		return fail(err, errlen,
			    "relocation table at 0x%" PRIx64 " (0x%" PRIx64 " bytes) is not inside the file-backed image",
			    h->rela_offset, h->rela_size);

	info->nrela = h->rela_size / RELA_SIZE;
	for (vmk_u64 i = 0; i < info->nrela; i++) {
		Elf64_Rela r;
		vmk_u64 end;

		memcpy(&r, table + i * RELA_SIZE, sizeof(r));
		if (r.r_info != R_X86_64_RELATIVE)
			return fail(err, errlen,
				    "relocation %" PRIu64 ": type %" PRIu64 " symbol %" PRIu64 ", only R_X86_64_RELATIVE (%u) without a symbol is supported",
				    i, (vmk_u64)ELF64_R_TYPE(r.r_info),
				    (vmk_u64)ELF64_R_SYM(r.r_info),
				    R_X86_64_RELATIVE);
		if (!add_ok(r.r_offset, 8, &end) || end > h->image_size)
			return fail(err, errlen,
				    "relocation %" PRIu64 ": target 0x%" PRIx64 " is outside the image (0x%" PRIx64 " bytes)",
				    i, (vmk_u64)r.r_offset, h->image_size);
		if (r.r_addend < 0 || (vmk_u64)r.r_addend > h->image_size)
			return fail(err, errlen,
				    "relocation %" PRIu64 ": addend 0x%" PRIx64 " points outside the image (0x%" PRIx64 " bytes)",
				    i, (vmk_u64)r.r_addend, h->image_size);
	}
	return 0;
}

static int check_header(const unsigned char *file, vmk_u64 region_size,
			struct image_info *info, char *err, size_t errlen)
{
	const struct vmk_image_header *h = &info->hdr;
	const char *nul;
	vmk_u64 log_end;

	if (h->magic != VMK_IMAGE_MAGIC)
		return fail(err, errlen,
			    "bad image header magic 0x%016" PRIx64 " (not a vmkernel image?)",
			    h->magic);
	if (h->abi_version != VMK_ABI_VERSION)
		return fail(err, errlen, "ABI revision %u, this loader speaks %u",
			    h->abi_version, VMK_ABI_VERSION);
	if (h->arch != VMK_ARCH_X86_64)
		return fail(err, errlen,
			    "image arch %u, this loader supports x86-64 (%u)",
			    h->arch, VMK_ARCH_X86_64);
	if (h->header_size != sizeof(*h))
		return fail(err, errlen, "image header size %u, expected %zu",
			    h->header_size, sizeof(*h));
	if (h->flags)
		return fail(err, errlen,
			    "image header flags 0x%x, none are defined", h->flags);
	nul = memchr(h->version, '\0', sizeof(h->version));
	if (!nul)
		return fail(err, errlen,
			    "version string is not NUL-terminated within its %zu bytes",
			    sizeof(h->version));
	if (nul == h->version)
		return fail(err, errlen, "empty version string");
	for (const char *c = h->version; c < nul; c++) {
		if (*c < 0x20 || *c > 0x7e)
			return fail(err, errlen,
				    "version string has a non-printable byte 0x%02x at %td",
				    (unsigned char)*c, c - h->version);
	}
	if (check_sizes(info, region_size, err, errlen))
		return -1;
	if (!in_segment(info, h->entry_init, 1, IMAGE_SEG_X, true))
		return fail(err, errlen,
			    "entry_init 0x%" PRIx64 " is not inside an executable segment",
			    h->entry_init);
	if (!in_segment(info, h->entry_cpu, 1, IMAGE_SEG_X, true))
		return fail(err, errlen,
			    "entry_cpu 0x%" PRIx64 " is not inside an executable segment",
			    h->entry_cpu);
	if (check_rela(file, info, err, errlen))
		return -1;
	if (h->log_offset % 8)
		return fail(err, errlen,
			    "log_offset 0x%" PRIx64 " is not 8-byte aligned",
			    h->log_offset);
	if (!add_ok(h->log_offset, sizeof(struct vmk_log_ring), &log_end) ||
	    log_end > h->image_size)
		return fail(err, errlen,
			    "log ring at 0x%" PRIx64 " (0x%zx bytes) is outside the image",
			    h->log_offset, sizeof(struct vmk_log_ring));
	if (!in_segment(info, h->log_offset, sizeof(struct vmk_log_ring),
			IMAGE_SEG_W, false))
		return fail(err, errlen,
			    "log ring at 0x%" PRIx64 " (0x%zx bytes) is not inside one writable segment",
			    h->log_offset, sizeof(struct vmk_log_ring));
	return 0;
}

int image_check(const void *file, size_t size, vmk_u64 region_size,
		struct image_info *out, char *err, size_t errlen)
{
	const unsigned char *f = file;
	struct image_info info;
	const struct image_seg *first;
	Elf64_Ehdr eh;

	if (err && errlen)
		err[0] = '\0';
	memset(&info, 0, sizeof(info));
	if (!f || size < SELFMAG || memcmp(f, ELFMAG, SELFMAG) != 0)
		return fail(err, errlen, "not an ELF file (bad magic)");
	if (size < sizeof(eh))
		return fail(err, errlen,
			    "truncated ELF header (%zu of %zu bytes)", size,
			    sizeof(eh));
	memcpy(&eh, f, sizeof(eh));
	if (check_ehdr(&eh, size, err, errlen))
		return -1;
	if (check_phdrs(f, size, &eh, region_size, &info, err, errlen))
		return -1;

	first = &info.seg[0];
	if (first->vaddr != 0)
		return fail(err, errlen,
			    "the lowest segment starts at 0x%" PRIx64 ", but the image header must be at address 0",
			    first->vaddr);
	if (first->filesz < sizeof(struct vmk_image_header))
		return fail(err, errlen,
			    "the first segment has 0x%" PRIx64 " file bytes, too few for the %zu-byte image header",
			    first->filesz, sizeof(struct vmk_image_header));
	info.hdr_file_offset = first->offset;
	memcpy(&info.hdr, f + first->offset, sizeof(info.hdr));
	for (unsigned int i = 0; i < info.nseg; i++) {
		vmk_u64 e = info.seg[i].vaddr + info.seg[i].memsz;

		if (e > info.load_end)
			info.load_end = e;
	}
	if (check_header(f, region_size, &info, err, errlen))
		return -1;
	info.image_size = info.hdr.image_size;
	info.file_size = info.hdr.file_size;
	if (out)
		*out = info;
	/* Last: every structure is sound, so the bytes can be summed. */
	vmk_u64 sum = image_sum(f, &info);
	if (sum != info.hdr.checksum) {
		fail(err, errlen,
		     "checksum 0x%016" PRIx64 " does not match the image's contents (0x%016" PRIx64 "): corrupt image",
		     info.hdr.checksum, sum);
		return -2;
	}
	return 0;
}

/* Feeds n zero bytes to the checksum. */
static vmk_u64 sum_zeros(vmk_u64 h, vmk_u64 n)
{
	static const unsigned char zero[256];

	while (n) {
		vmk_u64 k = n < sizeof(zero) ? n : sizeof(zero);
		h = vmk_sum_update(h, zero, k);
		n -= k;
	}
	return h;
}

vmk_u64 image_sum(const void *file, const struct image_info *info)
{
	const unsigned char *f = file;
	vmk_u64 h = VMK_SUM_INIT, at = 0, end = info->file_size;
	struct vmk_image_header hdr = info->hdr;

	/* The flat image's bytes [0, file_size), the checksum read as zero. */
	hdr.checksum = 0;
	for (unsigned int i = 0; i < info->nseg && at < end; i++) {
		const struct image_seg *s = &info->seg[i];
		vmk_u64 from = s->vaddr, to = s->vaddr + s->filesz;

		if (to > end)
			to = end;
		if (from > at)
			h = sum_zeros(h, (from < end ? from : end) - at);
		if (from >= to) {
			at = from > at ? (from < end ? from : end) : at;
			continue;
		}
		if (from == 0) {
			vmk_u64 n = sizeof(hdr) < to ? sizeof(hdr) : to;
			h = vmk_sum_update(h, &hdr, n);
			from = n;
		}
		h = vmk_sum_update(h, f + s->offset + (from - s->vaddr), to - from);
		at = to;
	}
	if (at < end)
		h = sum_zeros(h, end - at);
	return h;
}

int image_flatten(const void *file, size_t size, const struct image_info *info,
		  void *flat)
{
	const unsigned char *f = file;
	unsigned char *dst = flat;
	vmk_u64 at = 0;

	if (!f || !dst || !info || info->nseg == 0 || info->nseg > IMAGE_MAX_LOADS)
		return -1;
	for (unsigned int i = 0; i < info->nseg; i++) {
		const struct image_seg *s = &info->seg[i];
		vmk_u64 fend, mend;

		if (s->vaddr < at || !add_ok(s->offset, s->filesz, &fend) ||
		    fend > size || !add_ok(s->vaddr, s->memsz, &mend) ||
		    mend > info->image_size || s->filesz > s->memsz)
			return -1;
		memset(dst + at, 0, s->vaddr - at);
		memcpy(dst + s->vaddr, f + s->offset, s->filesz);
		memset(dst + s->vaddr + s->filesz, 0, s->memsz - s->filesz);
		at = mend;
	}
	memset(dst + at, 0, info->image_size - at);
	return 0;
}
