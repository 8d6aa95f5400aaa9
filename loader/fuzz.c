// SPDX-License-Identifier: GPL-2.0
/*
 * The image fuzzer (see fuzz.h).  The random source is splitmix64 seeded
 * from (seed, case index), so cases are independent of each other and
 * of how a run is split up.  Every mutated image is checked from a heap
 * block of exactly its size so that the address sanitizer sees any read
 * past its end.
 */
#include "fuzz.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "fail.h"

#define PAGE		VMK_PAGE_SIZE
/* The largest region fuzz_region_for() offers (accepted images are flattened). */
#define FUZZ_MAX_REGION	(1ULL << 30)
#define FIELD(type, member) \
	{ offsetof(type, member), sizeof(((type *)0)->member) }

struct field {
	size_t off;
	size_t width;
};

static const struct field hdr_fields[] = {
	FIELD(struct vmk_image_header, magic),
	FIELD(struct vmk_image_header, abi_version),
	FIELD(struct vmk_image_header, arch),
	FIELD(struct vmk_image_header, header_size),
	FIELD(struct vmk_image_header, flags),
	FIELD(struct vmk_image_header, image_size),
	FIELD(struct vmk_image_header, file_size),
	FIELD(struct vmk_image_header, min_mem),
	FIELD(struct vmk_image_header, entry_init),
	FIELD(struct vmk_image_header, entry_cpu),
	FIELD(struct vmk_image_header, rela_offset),
	FIELD(struct vmk_image_header, rela_size),
	FIELD(struct vmk_image_header, log_offset),
};

static const struct field ehdr_fields[] = {
	{ EI_MAG0, 1 }, { EI_MAG3, 1 }, { EI_CLASS, 1 }, { EI_DATA, 1 },
	{ EI_VERSION, 1 },
	FIELD(Elf64_Ehdr, e_type),
	FIELD(Elf64_Ehdr, e_machine),
	FIELD(Elf64_Ehdr, e_version),
	FIELD(Elf64_Ehdr, e_entry),
	FIELD(Elf64_Ehdr, e_phoff),
	FIELD(Elf64_Ehdr, e_shoff),
	FIELD(Elf64_Ehdr, e_flags),
	FIELD(Elf64_Ehdr, e_ehsize),
	FIELD(Elf64_Ehdr, e_phentsize),
	FIELD(Elf64_Ehdr, e_phnum),
	FIELD(Elf64_Ehdr, e_shnum),
};

static const struct field phdr_fields[] = {
	FIELD(Elf64_Phdr, p_type),
	FIELD(Elf64_Phdr, p_flags),
	FIELD(Elf64_Phdr, p_offset),
	FIELD(Elf64_Phdr, p_vaddr),
	FIELD(Elf64_Phdr, p_paddr),
	FIELD(Elf64_Phdr, p_filesz),
	FIELD(Elf64_Phdr, p_memsz),
	FIELD(Elf64_Phdr, p_align),
};

static const struct field rela_fields[] = {
	FIELD(Elf64_Rela, r_offset),
	FIELD(Elf64_Rela, r_info),
	FIELD(Elf64_Rela, r_addend),
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Where the structures of the base image are, and its sizes. */
struct layout {
	size_t size;
	vmk_u64 region;
	vmk_u64 hdr_off;
	vmk_u64 phoff;
	unsigned int phnum;
	vmk_u64 rela_off;	/* in the file; 0 if there is no table */
	vmk_u64 nrela;
	vmk_u64 image_size;
	vmk_u64 file_size;
};


static vmk_u64 rng_next(vmk_u64 *s)
{
	vmk_u64 z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static vmk_u64 rng_below(vmk_u64 *s, vmk_u64 n)
{
	return n ? rng_next(s) % n : 0;
}

static vmk_u64 get(const unsigned char *buf, size_t size, vmk_u64 off,
		   size_t width)
{
	vmk_u64 v = 0;

	if (off < size && width <= size - off)
		memcpy(&v, buf + off, width);	/* little-endian host */
	return v;
}

static void put(unsigned char *buf, size_t size, vmk_u64 off, size_t width,
		vmk_u64 v)
{
	if (off < size && width <= size - off)
		memcpy(buf + off, &v, width);
}

/* A value likely to sit on the edge of some check. */
static vmk_u64 pick_value(vmk_u64 *s, vmk_u64 orig, const struct layout *l)
{
	switch (rng_below(s, 18)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return ~0ULL;
	case 3: return orig + 1;
	case 4: return orig - 1;
	case 5: return orig + PAGE;
	case 6: return orig - PAGE;
	case 7: return orig ^ (1ULL << rng_below(s, 64));
	case 8: return l->image_size + rng_below(s, 3) - 1;
	case 9: return l->file_size;
	case 10: return l->region + rng_below(s, 3) - 1;
	case 11: return l->size + rng_below(s, 3) - 1;
	case 12: return 1ULL << 63;
	case 13: return ~0ULL - rng_below(s, 64);
	case 14: return rng_below(s, 2 * l->image_size + 1);
	case 15: return rng_below(s, l->image_size / 8 + 1) * 8;
	case 16: return orig * 2;
	default: return rng_next(s);
	}
}

static void mutate_field(vmk_u64 *s, unsigned char *buf, const struct layout *l,
			 vmk_u64 base_off, const struct field *f)
{
	vmk_u64 off = base_off + f->off;

	put(buf, l->size, off, f->width,
	    pick_value(s, get(buf, l->size, off, f->width), l));
}

static void mutate_version(vmk_u64 *s, unsigned char *buf, const struct layout *l)
{
	vmk_u64 off = l->hdr_off + offsetof(struct vmk_image_header, version);
	size_t len = sizeof(((struct vmk_image_header *)0)->version);

	switch (rng_below(s, 3)) {
	case 0:		/* no terminator */
		if (off < l->size && len <= l->size - off)
			memset(buf + off, 'A' + (int)rng_below(s, 26), len);
		break;
	case 1:		/* empty */
		put(buf, l->size, off, 1, 0);
		break;
	default:	/* any byte anywhere */
		put(buf, l->size, off + rng_below(s, len), 1, rng_next(s));
		break;
	}
}

/* Applies one mutation; may shorten *size. */
static void mutate(vmk_u64 *s, unsigned char *buf, size_t *size,
		   const struct layout *l)
{
	vmk_u64 k = rng_below(s, 100);

	if (k < 28) {
		unsigned int i = (unsigned int)rng_below(s, NELEM(hdr_fields) + 1);

		if (i == NELEM(hdr_fields))
			mutate_version(s, buf, l);
		else
			mutate_field(s, buf, l, l->hdr_off, &hdr_fields[i]);
	} else if (k < 43) {
		mutate_field(s, buf, l, 0,
			     &ehdr_fields[rng_below(s, NELEM(ehdr_fields))]);
	} else if (k < 70) {
		vmk_u64 ph = l->phoff + rng_below(s, l->phnum) * sizeof(Elf64_Phdr);

		if (rng_below(s, 8) == 0) {
			/* Copy another program header over this one. */
			vmk_u64 other = l->phoff +
				rng_below(s, l->phnum) * sizeof(Elf64_Phdr);

			if (other + sizeof(Elf64_Phdr) <= l->size &&
			    ph + sizeof(Elf64_Phdr) <= l->size)
				memcpy(buf + ph, buf + other, sizeof(Elf64_Phdr));
		} else {
			mutate_field(s, buf, l, ph,
				     &phdr_fields[rng_below(s, NELEM(phdr_fields))]);
		}
	} else if (k < 80 && l->nrela) {
		vmk_u64 r = l->rela_off + rng_below(s, l->nrela) * sizeof(Elf64_Rela);

		mutate_field(s, buf, l, r,
			     &rela_fields[rng_below(s, NELEM(rela_fields))]);
	} else if (k < 94) {
		unsigned int n = 1 + (unsigned int)rng_below(s, 16);

		for (unsigned int i = 0; i < n; i++) {
			/* Mostly near the front, where the structures are. */
			vmk_u64 at = rng_below(s, 2) ?
				rng_below(s, *size < 0x2000 ? *size : 0x2000) :
				rng_below(s, *size);

			if (at < *size)
				buf[at] ^= (unsigned char)(1 + rng_below(s, 255));
		}
	} else {
		*size = (size_t)rng_below(s, *size);
	}
}

static int layout_of(const unsigned char *base, size_t size, vmk_u64 region,
		     struct layout *l, char *err, size_t errlen)
{
	struct image_info info;
	char why[256];
	Elf64_Ehdr eh;

	if (image_check(base, size, region, &info, why, sizeof(why)))
		return fail(err, errlen, "the base image is rejected: %s", why);
	memcpy(&eh, base, sizeof(eh));
	*l = (struct layout){
		.size = size,
		.region = region,
		.hdr_off = info.hdr_file_offset,
		.phoff = eh.e_phoff,
		.phnum = eh.e_phnum,
		.nrela = info.nrela,
		.image_size = info.image_size,
		.file_size = info.file_size,
	};
	for (unsigned int i = 0; i < info.nseg && info.nrela; i++) {
		const struct image_seg *sg = &info.seg[i];

		if (info.hdr.rela_offset >= sg->vaddr &&
		    info.hdr.rela_offset < sg->vaddr + sg->filesz)
			l->rela_off = sg->offset + (info.hdr.rela_offset - sg->vaddr);
	}
	return 0;
}

/* Checks one mutated image (size bytes at buf, heap-allocated exactly). */
static int check_case(const unsigned char *buf, size_t size,
		      const struct layout *l, vmk_u64 seed, vmk_u64 k,
		      struct fuzz_stats *st, char *err, size_t errlen)
{
	struct image_info info, again;
	char why[256], why2[256];
	unsigned char *flat;
	int rc, rc2, ret = -1;

	rc = image_check(buf, size, l->region, &info, why, sizeof(why));
	rc2 = image_check(buf, size, l->region, &again, why2, sizeof(why2));
	if (rc != rc2 || strcmp(why, why2) != 0) {
		fail(err, errlen, "seed %" PRIu64 " case %" PRIu64 ": two checks disagree: %d \"%s\" vs %d \"%s\"",
		     seed, k, rc, why, rc2, why2);
		goto out;
	}
	if (rc < 0) {
		if (!why[0] || strchr(why, '\n')) {
			fail(err, errlen, "seed %" PRIu64 " case %" PRIu64 ": rejected without a one-line reason (\"%s\")",
			     seed, k, why);
			goto out;
		}
		st->rejected++;
		ret = 0;
		goto out;
	}
	if (rc != 0 || why[0]) {
		fail(err, errlen, "seed %" PRIu64 " case %" PRIu64 ": image_check returned %d (\"%s\")",
		     seed, k, rc, why);
		goto out;
	}
	if (info.image_size > l->region || info.image_size < sizeof(info.hdr) ||
	    info.file_size > info.image_size) {
		fail(err, errlen, "seed %" PRIu64 " case %" PRIu64 ": accepted with image_size 0x%" PRIx64 " file_size 0x%" PRIx64,
		     seed, k, info.image_size, info.file_size);
		goto out;
	}
	flat = malloc(info.image_size);
	if (!flat) {
		fail(err, errlen, "seed %" PRIu64 " case %" PRIu64 ": out of memory", seed, k);
		goto out;
	}
	if (image_flatten(buf, size, &info, flat) != 0) {
		fail(err, errlen, "seed %" PRIu64 " case %" PRIu64 ": accepted but image_flatten failed",
		     seed, k);
		goto out_free;
	}
	if (memcmp(flat, &info.hdr, sizeof(info.hdr)) != 0) {
		fail(err, errlen, "seed %" PRIu64 " case %" PRIu64 ": the flat image does not start with the header",
		     seed, k);
		goto out_free;
	}
	st->accepted++;
	ret = 0;
out_free:
	free(flat);
out:
	return ret;
}

int fuzz_run(const void *base, size_t size, vmk_u64 region, vmk_u64 seed,
	     vmk_u64 first, vmk_u64 count, struct fuzz_stats *st, char *err,
	     size_t errlen)
{
	struct layout l;
	unsigned char *work = NULL;
	int ret = -1;

	if (layout_of(base, size, region, &l, err, errlen))
		goto out;
	work = malloc(size);
	if (!work) {
		fail(err, errlen, "out of memory");
		goto out;
	}
	for (vmk_u64 k = first; k < first + count; k++) {
		vmk_u64 s = seed * 0x2545f4914f6cdd1dULL ^ (k + 1) * 0x9e3779b97f4a7c15ULL;
		unsigned int n = 1 + (unsigned int)rng_below(&s, 3);
		size_t len = size;
		unsigned char *exact;
		int rc;

		memcpy(work, base, size);
		for (unsigned int i = 0; i < n; i++)
			mutate(&s, work, &len, &l);
		exact = malloc(len ? len : 1);
		if (!exact) {
			fail(err, errlen, "out of memory");
			goto out_free;
		}
		memcpy(exact, work, len);
		rc = check_case(exact, len, &l, seed, k, st, err, errlen);
		free(exact);
		st->cases++;
		if (rc)
			goto out_free;
	}
	ret = 0;
out_free:
	free(work);
out:
	return ret;
}

vmk_u64 fuzz_region_for(const void *base, size_t size)
{
	struct image_info info;
	vmk_u64 r = 64ULL << 20;

	/* Past 1 GiB the base image is rejected, which the run reports. */
	if (image_check(base, size, IMAGE_ANY_REGION, &info, NULL, 0) == 0 &&
	    info.hdr.min_mem > r && info.hdr.min_mem <= FUZZ_MAX_REGION)
		r = (info.hdr.min_mem + VMK_REGION_ALIGN - 1) & ~(VMK_REGION_ALIGN - 1);
	return r;
}

int fuzz_parse_u64(const char *s, vmk_u64 *out)
{
	char *end;

	if (!s[0] || s[0] == '-')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno || *end ? -1 : 0;
}

int fuzz_read_file(const char *path, unsigned char **data, size_t *size,
		   char *err, size_t errlen)
{
	unsigned char *buf = NULL;
	struct stat st;
	size_t got = 0;
	int fd, ret = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fail(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		fail(err, errlen, "%s: %s", path, strerror(errno));
		goto out_close;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		fail(err, errlen, "%s: out of memory", path);
		goto out_close;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fail(err, errlen, "%s: read %zu of %zu bytes%s%s", path, got,
			     (size_t)st.st_size, n < 0 ? ": " : "",
			     n < 0 ? strerror(errno) : "");
			goto out_free;
		}
		got += (size_t)n;
	}
	*data = buf;
	*size = got;
	buf = NULL;
	ret = 0;
out_free:
	free(buf);
out_close:
	close(fd);
out:
	return ret;
}
