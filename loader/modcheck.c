// SPDX-License-Identifier: GPL-2.0
/*
 * The console's check of a vmkernel module (see modcheck.h).  The trial
 * relocation places the module and every exported function where they
 * would be at their farthest apart in a region of the largest supported
 * size, so that any PC-relative reference the vmkernel could not resolve
 * is refused here first.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modcheck.h"

/* A made-up vmkernel: the image at the start of a 4 GiB-aligned region,
 * the module at its far end. */
#define MODCHECK_REGION		0xffffc90000000000ULL
#define MODCHECK_MOD_OFFSET	((1ULL << 30) - VMK_MOD_IMAGE_MAX)

int modcheck(struct modelf *m, const void *file, size_t size)
{
	u64 exports[64], init, cleanup;
	u8 *scratch;
	int err = modelf_check(m, file, size);

	if (err)
		return err;
	if (modelf_export_count() > sizeof(exports) / sizeof(exports[0])) {
		snprintf(m->err, sizeof(m->err), "the export table outgrew the checker");
		return -E2BIG;
	}
	for (u32 i = 0; i < modelf_export_count(); i++)
		exports[i] = MODCHECK_REGION + 0x1000 + 16 * i;
	scratch = calloc(1, m->image_size);
	if (!scratch) {
		snprintf(m->err, sizeof(m->err), "out of memory");
		return -ENOMEM;
	}
	err = modelf_relocate(m, scratch, MODCHECK_REGION + MODCHECK_MOD_OFFSET,
			      exports, &init, &cleanup);
	free(scratch);
	return err;
}

void *modcheck_read_file(const char *path, size_t max, size_t *size)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0, cap = 4096;
	char *buf = NULL;

	if (!f)
		return NULL;
	for (;;) {
		char *nb = realloc(buf, cap);

		if (!nb)
			goto error;
		buf = nb;
		n += fread(buf + n, 1, cap - n, f);
		if (ferror(f))
			goto error;
		if (n < cap)
			break;
		if (cap > max) {
			errno = EFBIG;
			goto error;
		}
		cap *= 2;
	}
	if (n > max) {
		errno = EFBIG;
		goto error;
	}
	fclose(f);
	*size = n;
	return buf;
error:
	free(buf);
	fclose(f);
	return NULL;
}
