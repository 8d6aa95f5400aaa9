// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the Linux loader (loader/linux.c): a small bzImage is
 * built in memory (a setup header as Debian's kernel has it, a few
 * sectors of protected-mode kernel), laid out, and what the guest finds
 * read back: the zero page and its e820 map, the page tables, the GDT,
 * the MP table and its checksums.  Each refusal is then provoked by one
 * change to that good image, and a mutation loop sets every byte of the
 * setup header to values that matter, asserting that each result is
 * either a one-line refusal or a layout that stays inside the VM's RAM.
 * With VMKX_BZIMAGE (default the last /boot/vmlinuz-*) the real kernel is
 * laid out too, or the test says why it is skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glob.h>
#include <cmocka.h>

#include "linux.h"

#define MiB (1ULL << 20)
#define SETUP_SECTS 3
#define SETUP_LEN ((SETUP_SECTS + 1) * 512)
#define PM_LEN 0x3000
#define KSIZE (SETUP_LEN + PM_LEN)

static unsigned char img[KSIZE];

static void put16(unsigned int off, uint16_t v) { memcpy(img + off, &v, 2); }
static void put32(unsigned int off, uint32_t v) { memcpy(img + off, &v, 4); }
static void put64(unsigned int off, uint64_t v) { memcpy(img + off, &v, 8); }
static uint16_t get16(const void *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t get32(const void *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const void *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* The good image: protocol 2.15, relocatable, 2 MiB aligned, preferred
 * at 16 MiB, 4 MiB of init_size. */
static void make_image(void)
{
	memset(img, 0, sizeof(img));
	img[LINUX_OFF_SETUP_SECTS] = SETUP_SECTS;
	put32(LINUX_OFF_SYSSIZE, PM_LEN / 16);
	put16(LINUX_OFF_BOOT_FLAG, LINUX_BOOT_FLAG);
	img[LINUX_OFF_JUMP] = 0xeb;
	img[LINUX_OFF_JUMP + 1] = 0x6a;		/* header ends at 0x26c */
	put32(LINUX_OFF_HEADER, LINUX_HDRS_MAGIC);
	put16(LINUX_OFF_VERSION, 0x020f);
	img[LINUX_OFF_LOADFLAGS] = LINUX_LOADED_HIGH;
	put32(LINUX_OFF_INITRD_MAX, 0x7fffffff);
	put32(LINUX_OFF_KERNEL_ALIGN, 0x200000);
	img[LINUX_OFF_RELOCATABLE] = 1;
	img[LINUX_OFF_RELOCATABLE + 1] = 21;
	put16(LINUX_OFF_XLOADFLAGS, 0x7f);
	put32(LINUX_OFF_CMDLINE_SIZE, 2047);
	put64(LINUX_OFF_PREF_ADDRESS, 0x1000000);
	put32(LINUX_OFF_INIT_SIZE, 4 * MiB);
	for (unsigned int i = SETUP_LEN; i < KSIZE; i++)
		img[i] = (unsigned char)(i * 7);
}

static struct linux_load ld;
static char err[256];
static unsigned char initrd[0x2345];

static int layout(size_t size, vmk_u64 mem)
{
	return linux_layout(img, size, "console=ttyS0 x=1", initrd, sizeof(initrd), mem, 2,
			    1234567, &ld, err, sizeof(err));
}

static void refused(size_t size, const char *want)
{
	int r = layout(size, 64 * MiB);

	if (r != -1)
		fail_msg("accepted, wanted a refusal naming \"%s\"", want);
	if (!strstr(err, want))
		fail_msg("message \"%s\" does not name \"%s\"", err, want);
	if (strchr(err, '\n'))
		fail_msg("message \"%s\" is more than one line", err);
}

/* Reads guest memory at gpa as the guest would, through the writes. */
static const unsigned char *guest(vmk_u64 gpa)
{
	for (unsigned int i = 0; i < ld.nwrites; i++) {
		const struct vm_write *w = &ld.writes[i];

		if (gpa >= w->gpa && gpa < w->gpa + w->len)
			return (const unsigned char *)w->data + (gpa - w->gpa);
	}
	fail_msg("guest address 0x%llx is written by nothing", (unsigned long long)gpa);
	return NULL;
}

static unsigned char sum(const unsigned char *p, size_t len)
{
	unsigned char s = 0;

	while (len--)
		s = (unsigned char)(s + *p++);
	return s;
}

/* Every write inside RAM, none overlapping another, the boot state
 * pointing into them. */
static void check_writes(vmk_u64 mem)
{
	for (unsigned int i = 0; i < ld.nwrites; i++) {
		const struct vm_write *a = &ld.writes[i];

		if (a->gpa + a->len > mem || a->gpa + a->len < a->gpa)
			fail_msg("write %u at 0x%llx+0x%llx beyond RAM", i,
				 (unsigned long long)a->gpa, (unsigned long long)a->len);
		for (unsigned int j = i + 1; j < ld.nwrites; j++) {
			const struct vm_write *b = &ld.writes[j];

			if (a->gpa < b->gpa + b->len && b->gpa < a->gpa + a->len)
				fail_msg("writes %u and %u overlap", i, j);
		}
	}
	assert_true(ld.kernel_gpa + ld.init_size <= mem);
	assert_true(!ld.initrd_len || ld.initrd_gpa >= ld.kernel_gpa + ld.init_size);
	assert_int_equal(ld.boot.mode, VMK_VM_BOOT_LONG64);
	assert_int_equal(ld.boot.rip, ld.kernel_gpa + 0x200);
}

static void test_good(void **state)
{
	const unsigned char *bp, *mpf, *ct, *e;
	const struct linux_e820 *map;
	unsigned int n, cpus = 0, ints = 0, lints = 0, buses = 0, ioapics = 0;

	(void)state;
	make_image();
	if (layout(KSIZE, 192 * MiB))
		fail_msg("refused: %s", err);
	check_writes(192 * MiB);
	assert_int_equal(ld.kernel_gpa, 16 * MiB);
	assert_int_equal(ld.kernel_len, PM_LEN);
	assert_int_equal(ld.boot.rip, 16 * MiB + 0x200);
	assert_int_equal(ld.boot.rsi, LINUX_PARAMS_GPA);
	assert_int_equal(ld.boot.rtc_epoch, 1234567);
	/* The initrd at the top of RAM, page aligned. */
	assert_int_equal(ld.initrd_gpa, (192 * MiB - sizeof(initrd)) & ~0xfffULL);
	assert_memory_equal(guest(ld.initrd_gpa), initrd, sizeof(initrd));
	assert_memory_equal(guest(ld.kernel_gpa), img + SETUP_LEN, PM_LEN);

	/* The zero page: the header copied, the loader's fields set. */
	bp = guest(LINUX_PARAMS_GPA);
	assert_memory_equal(bp + 0x1f1, img + 0x1f1, LINUX_OFF_TYPE_OF_LOADER - 0x1f1);
	assert_int_equal(bp[LINUX_OFF_TYPE_OF_LOADER], 0xff);
	assert_int_equal(get32(bp + LINUX_OFF_CMD_LINE_PTR), LINUX_CMDLINE_GPA);
	assert_string_equal((const char *)guest(LINUX_CMDLINE_GPA), "console=ttyS0 x=1");
	assert_int_equal(get32(bp + LINUX_OFF_RAMDISK_IMAGE), ld.initrd_gpa);
	assert_int_equal(get32(bp + LINUX_OFF_RAMDISK_SIZE), sizeof(initrd));
	assert_int_equal(get64(bp + LINUX_OFF_PREF_ADDRESS), 0x1000000);
	assert_int_equal(bp[LINUX_OFF_E820_ENTRIES], 3);
	map = (const struct linux_e820 *)(bp + LINUX_OFF_E820_TABLE);
	assert_int_equal(map[0].addr, 0);
	assert_int_equal(map[0].size, 0x9fc00);
	assert_int_equal(map[0].type, LINUX_E820_RAM);
	assert_int_equal(map[1].addr, 0x9fc00);
	assert_int_equal(map[1].addr + map[1].size, MiB);
	assert_int_equal(map[1].type, LINUX_E820_RESERVED);
	assert_int_equal(map[2].addr, MiB);
	assert_int_equal(map[2].size, 191 * MiB);
	assert_int_equal(map[2].type, LINUX_E820_RAM);

	/* The GDT and the identity map, walked as the CPU would. */
	assert_int_equal(ld.boot.gdt_base, LINUX_GDT_GPA);
	assert_int_equal(ld.boot.gdt_limit, 31);
	assert_int_equal(get64(guest(LINUX_GDT_GPA + 0x10)) >> 40 & 0xffff, 0xaf9b);
	assert_int_equal(get64(guest(LINUX_GDT_GPA + 0x18)) >> 40 & 0xffff, 0xcf93);
	assert_int_equal(ld.boot.cr3 % 4096, 0);
	for (uint64_t va = 0; va < (4ULL << 30); va += 0x1234567ULL * 3) {
		uint64_t e4 = get64(guest(ld.boot.cr3 + 8 * (va >> 39 & 511)));
		uint64_t e3 = get64(guest((e4 & ~0xfffULL) + 8 * (va >> 30 & 511)));
		uint64_t e2 = get64(guest((e3 & ~0xfffULL) + 8 * (va >> 21 & 511)));

		assert_int_equal(e4 & 3, 3);
		assert_int_equal(e3 & 3, 3);
		assert_int_equal(e2 & 0x83, 0x83);
		assert_int_equal((e2 & ~0x1fffffULL & ((1ULL << 52) - 1)) | (va & 0x1fffff), va);
	}

	/* The MP table: both checksums, the entries the platform promises. */
	mpf = guest(LINUX_BIOS_GPA);
	assert_memory_equal(mpf, "_MP_", 4);
	assert_int_equal(sum(mpf, 16), 0);
	assert_int_equal(mpf[9], 4);
	ct = guest(get32(mpf + 4));
	assert_memory_equal(ct, "PCMP", 4);
	assert_int_equal(sum(ct, get16(ct + 4)), 0);
	assert_int_equal(get32(ct + 36), 0xfee00000);
	n = get16(ct + 34);
	e = ct + 44;
	for (unsigned int i = 0; i < n; i++) {
		switch (e[0]) {
		case 0:
			assert_int_equal(e[1], cpus);
			assert_int_equal(e[3], cpus ? 1 : 3);
			cpus++;
			e += 20;
			break;
		case 1:
			assert_memory_equal(e + 2, "ISA   ", 6);
			buses++;
			e += 8;
			break;
		case 2:
			assert_int_equal(e[1], 2);	/* after the two CPUs */
			assert_int_equal(e[2], 0x11);
			assert_int_equal(get32(e + 4), 0xfec00000);
			ioapics++;
			e += 8;
			break;
		case 3:
			assert_int_equal(e[6], 2);
			assert_int_equal(e[7], e[5] == 0 ? 2 : e[5]);
			assert_true(e[5] != 2);
			ints++;
			e += 8;
			break;
		case 4:
			assert_int_equal(e[1], e[7] ? 1 : 3);
			lints++;
			e += 8;
			break;
		default:
			fail_msg("MP entry %u of unknown type %u", i, e[0]);
		}
	}
	assert_int_equal(e - ct, get16(ct + 4));
	assert_int_equal(cpus, 2);
	assert_int_equal(buses, 1);
	assert_int_equal(ioapics, 1);
	assert_int_equal(ints, 15);
	assert_int_equal(lints, 2);
}

static void test_placement(void **state)
{
	(void)state;
	/* No initrd, a preferred address below 1 MiB and unaligned. */
	make_image();
	put64(LINUX_OFF_PREF_ADDRESS, 0x1234);
	if (linux_layout(img, KSIZE, NULL, NULL, 0, 32 * MiB, 1, 0, &ld, err, sizeof(err)))
		fail_msg("refused: %s", err);
	check_writes(32 * MiB);
	assert_int_equal(ld.kernel_gpa, 2 * MiB);
	assert_int_equal(ld.initrd_len, 0);
	assert_int_equal(get32(guest(LINUX_PARAMS_GPA) + LINUX_OFF_RAMDISK_IMAGE), 0);
	assert_string_equal((const char *)guest(LINUX_CMDLINE_GPA), "");
	/* initrd_addr_max below the top of RAM bounds the initrd. */
	make_image();
	put32(LINUX_OFF_INITRD_MAX, 0x1ffffff);
	if (layout(KSIZE, 192 * MiB))
		fail_msg("refused: %s", err);
	assert_int_equal(ld.initrd_gpa, (32 * MiB - sizeof(initrd)) & ~0xfffULL);
	/* The kernel and its init_size just fit, the initrd then does not. */
	make_image();
	assert_int_equal(layout(KSIZE, 20 * MiB), -1);
	assert_non_null(strstr(err, "the initrd of 8 KiB does not fit"));
	assert_int_equal(linux_layout(img, KSIZE, NULL, NULL, 0, 20 * MiB, 1, 0, &ld, err,
				      sizeof(err)), 0);
}

static void test_refusals(void **state)
{
	static char longline[4097];

	(void)state;
	make_image();
	refused(0x100, "truncated: 256 bytes");
	make_image(); put16(LINUX_OFF_BOOT_FLAG, 0);
	refused(KSIZE, "boot flag 0x0000");
	make_image(); img[LINUX_OFF_HEADER] = 'X';
	refused(KSIZE, "no \"HdrS\"");
	make_image(); put16(LINUX_OFF_VERSION, 0x020b);
	refused(KSIZE, "boot protocol 2.11");
	make_image(); img[LINUX_OFF_JUMP + 1] = 0x20;
	refused(KSIZE, "setup header ends at 0x222");
	make_image(); img[LINUX_OFF_SETUP_SECTS] = 0;	/* 4 sectors: still inside */
	put32(LINUX_OFF_SYSSIZE, (KSIZE - 5 * 512) / 16);
	if (layout(KSIZE, 64 * MiB))
		fail_msg("setup_sects 0 refused: %s", err);
	assert_int_equal(ld.kernel_len, KSIZE - 5 * 512);
	make_image();
	refused(SETUP_LEN, "leave no protected-mode kernel");
	make_image();
	refused(KSIZE - 16, "syssize says 0x3000 bytes");
	make_image(); img[LINUX_OFF_LOADFLAGS] = 0;
	refused(KSIZE, "LOADED_HIGH clear");
	make_image(); put16(LINUX_OFF_XLOADFLAGS, 0x7e);
	refused(KSIZE, "no 64-bit entry");
	make_image(); img[LINUX_OFF_RELOCATABLE] = 0;
	refused(KSIZE, "not relocatable");
	make_image(); put32(LINUX_OFF_KERNEL_ALIGN, 0x300000);
	refused(KSIZE, "kernel_alignment 0x300000");
	make_image(); put32(LINUX_OFF_INIT_SIZE, 0);
	refused(KSIZE, "init_size 0");
	make_image(); put32(LINUX_OFF_INIT_SIZE, 0x1000);
	refused(KSIZE, "init_size 0x1000 is smaller");
	make_image(); put32(LINUX_OFF_INIT_SIZE, 60 * MiB);
	refused(KSIZE, "beyond the VM's RAM (64 MiB)");
	make_image(); put64(LINUX_OFF_PREF_ADDRESS, ~0ULL);
	refused(KSIZE, "beyond the VM's RAM (64 MiB)");
	make_image();
	memset(longline, 'a', 2048);
	assert_int_equal(linux_layout(img, KSIZE, longline, NULL, 0, 64 * MiB, 1, 0, &ld,
				      err, sizeof(err)), -1);
	assert_non_null(strstr(err, "command line of 2048 bytes: this kernel takes at most 2047"));
	assert_int_equal(linux_layout(img, KSIZE, NULL, NULL, 0, 64 * MiB, 9, 0, &ld,
				      err, sizeof(err)), -1);
	assert_non_null(strstr(err, "9 VCPUs"));
	assert_int_equal(linux_layout(img, KSIZE, NULL, NULL, 0, 8 * MiB, 1, 0, &ld,
				      err, sizeof(err)), -1);
	assert_non_null(strstr(err, "8 MiB of RAM"));
	assert_int_equal(linux_layout(img, KSIZE, NULL, initrd, 0, 64 * MiB, 1, 0, &ld,
				      err, sizeof(err)), -1);
	assert_non_null(strstr(err, "the initrd is empty"));
	assert_int_equal(linux_is_bzimage(img, KSIZE), 1);
	assert_int_equal(linux_is_bzimage(img, 0x205), 0);
	img[LINUX_OFF_BOOT_FLAG] = 0;
	assert_int_equal(linux_is_bzimage(img, KSIZE), 0);
}

/*
 * Every byte of the setup header through its end, and the sector count
 * before it, set to values that push each field to its edges, with and
 * without an initrd and a file cut short; each
 * result is a one-line refusal or a layout inside RAM.  The file is
 * copied to a buffer of exactly its size, so ASan sees any read past it.
 */
static void test_mutations(void **state)
{
	static const unsigned char vals[] = { 0x00, 0x01, 0x02, 0x0b, 0x0c, 0x10, 0x20, 0x3f,
					      0x7f, 0x80, 0xaa, 0xfe, 0xff };
	unsigned int accepted = 0, refusals = 0;

	(void)state;
	for (unsigned int off = LINUX_OFF_SETUP_SECTS; off < 0x26c; off++) {
		for (unsigned int v = 0; v < sizeof(vals); v++) {
			for (unsigned int cut = 0; cut < 4; cut++) {
				size_t size = (cut & 1) ? KSIZE - 0x1100 : KSIZE;
				const void *rd = (cut & 2) ? initrd : NULL;
				unsigned char *copy;

				make_image();
				img[off] = vals[v];
				copy = malloc(size);
				assert_non_null(copy);
				memcpy(copy, img, size);
				if (linux_layout(copy, size, "x", rd, sizeof(initrd),
						 64 * MiB, 1, 0, &ld, err, sizeof(err))) {
					if (!err[0] || strchr(err, '\n'))
						fail_msg("offset 0x%x = 0x%02x: bad message \"%s\"",
							 off, vals[v], err);
					refusals++;
				} else {
					check_writes(64 * MiB);
					for (unsigned int i = 0; i < ld.nwrites; i++)
						if (ld.writes[i].data == copy + SETUP_LEN ||
						    (ld.writes[i].data >= (void *)copy &&
						     ld.writes[i].data < (void *)(copy + size)))
							assert_true((const unsigned char *)ld.writes[i].data +
								    ld.writes[i].len <= copy + size);
					accepted++;
				}
				free(copy);
			}
		}
	}
	print_message("mutations: %u accepted, %u refused\n", accepted, refusals);
	assert_true(accepted > 0 && refusals > 0);
}

/* The real kernel, when there is one to read. */
static void test_real_kernel(void **state)
{
	const char *path = getenv("VMKX_BZIMAGE");
	glob_t g = { 0 };
	unsigned char *k;
	size_t size;
	FILE *fp;

	(void)state;
	if (!path && glob("/boot/vmlinuz-*", 0, NULL, &g) == 0)
		path = g.gl_pathv[g.gl_pathc - 1];
	fp = path ? fopen(path, "rb") : NULL;
	if (!fp) {
		print_message("SKIP: no bzImage at %s (set VMKX_BZIMAGE)\n",
			      path ? path : "/boot/vmlinuz-*");
		globfree(&g);
		skip();
	}
	fseek(fp, 0, SEEK_END);
	size = (size_t)ftell(fp);
	rewind(fp);
	k = malloc(size);
	assert_non_null(k);
	assert_int_equal(fread(k, 1, size, fp), size);
	fclose(fp);
	assert_true(linux_is_bzimage(k, size));
	if (linux_layout(k, size, "console=ttyS0", initrd, sizeof(initrd), 192 * MiB, 2, 0,
			 &ld, err, sizeof(err)))
		fail_msg("%s refused: %s", path, err);
	check_writes(192 * MiB);
	assert_int_equal(ld.kernel_gpa % (2 * MiB), 0);
	print_message("%s: kernel at 0x%llx, init_size %llu MiB\n", path,
		      (unsigned long long)ld.kernel_gpa, (unsigned long long)ld.init_size >> 20);
	free(k);
	globfree(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_placement),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_real_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
