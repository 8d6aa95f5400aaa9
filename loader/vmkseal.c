// SPDX-License-Identifier: GPL-2.0
/*
 * vmkseal: writes the checksum into a freshly linked vmkernel image (the
 * header's checksum field; see vmk_image_sum in vmnix_abi.h).  Run by
 * the build after the link; the image must pass every other check.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

int main(int argc, char **argv)
{
	struct image_info info;
	char err[256];
	unsigned char *buf;
	long size;
	FILE *f;
	int rc;

	if (argc != 2 || !strcmp(argv[1], "--help")) {
		printf("usage: vmkseal IMAGE\nWrites the checksum into the vmkernel image's header.\n");
		return argc == 2 ? 0 : 2;
	}
	f = fopen(argv[1], "r+b");
	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "vmkseal: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	buf = malloc((size_t)size);
	if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "vmkseal: %s: cannot read\n", argv[1]);
		return 1;
	}
	rc = image_check(buf, (size_t)size, IMAGE_ANY_REGION, &info, err, sizeof(err));
	if (rc == -1) {
		fprintf(stderr, "vmkseal: %s: %s\n", argv[1], err);
		return 1;
	}
	vmk_u64 sum = image_sum(buf, &info);
	if (fseek(f, (long)(info.hdr_file_offset + VMK_SUM_CHECKSUM_OFFSET), SEEK_SET) ||
	    fwrite(&sum, sizeof(sum), 1, f) != 1 || fclose(f)) {
		fprintf(stderr, "vmkseal: %s: cannot write the checksum\n", argv[1]);
		return 1;
	}
	free(buf);
	return 0;
}
