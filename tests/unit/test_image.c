// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the loader's image checks (loader/image.c): a valid
 * synthetic image is accepted and flattens byte for byte; then each test
 * breaks one thing and asserts that the matching check fires with its
 * message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "image.h"
#include "synth.h"

static _Alignas(8) unsigned char img[SYNTH_FILE_SIZE];
static char err[256];
static struct image_info info;

static int check_size(size_t size, vmk_u64 region)
{
	memset(&info, 0xa5, sizeof(info));
	strcpy(err, "stale");
	return image_check(img, size, region, &info, err, sizeof(err));
}

static int check(void)
{
	return check_size(SYNTH_FILE_SIZE, SYNTH_REGION);
}

static int setup(void **state)
{
	(void)state;
	synth_build(img);
	return 0;
}

/* The check fails and its one-line message contains want. */
static void expect_error(int rc, const char *want)
{
	if (rc != -1 || !strstr(err, want))
		print_error("rc %d, message \"%s\", expected \"%s\"\n", rc, err,
			    want);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, want));
	assert_null(strchr(err, '\n'));
}

static void expect_ok(int rc)
{
	if (rc)
		print_error("unexpected error: %s\n", err);
	assert_int_equal(rc, 0);
	assert_string_equal(err, "");
}

#define H	(synth_hdr(img))
#define EH	(synth_ehdr(img))
#define PH(i)	(synth_phdr(img, (i)))
#define RELA(i)	(synth_rela(img, (i)))

/* A test that changes the valid image with `code` and expects `want`. */
#define BREAK(name, want, ...)					\
	static void test_##name(void **state)			\
	{							\
		(void)state;					\
		__VA_ARGS__;					\
		expect_error(check(), want);			\
	}

/* ---- valid images --------------------------------------------------- */

static void test_valid(void **state)
{
	(void)state;
	expect_ok(check());
	assert_int_equal(info.nseg, 3);
	assert_int_equal(info.image_size, SYNTH_IMAGE_SIZE);
	assert_int_equal(info.load_end, SYNTH_LOAD_END);
	assert_int_equal(info.file_size, SYNTH_DATA_VADDR + SYNTH_DATA_FILESZ);
	assert_int_equal(info.hdr_file_offset, 0x1000);
	assert_int_equal(info.nrela, SYNTH_NRELA);
	assert_string_equal(info.hdr.version, SYNTH_VERSION);
	assert_int_equal(info.seg[0].flags, IMAGE_SEG_R | IMAGE_SEG_X);
	assert_int_equal(info.seg[2].flags, IMAGE_SEG_R | IMAGE_SEG_W);
}

static void test_valid_any_region(void **state)
{
	(void)state;
	expect_ok(check_size(SYNTH_FILE_SIZE, IMAGE_ANY_REGION));
	/* Exactly min_mem is enough. */
	expect_ok(check_size(SYNTH_FILE_SIZE, SYNTH_MIN_MEM));
}

static void test_valid_exact_image_size(void **state)
{
	(void)state;
	H->image_size = SYNTH_LOAD_END;
	synth_seal(img);
	expect_ok(check());
	assert_int_equal(info.image_size, SYNTH_LOAD_END);
}

static void test_valid_no_relocations(void **state)
{
	(void)state;
	H->rela_size = 0;
	synth_seal(img);
	expect_ok(check());
	assert_int_equal(info.nrela, 0);
}

static void test_valid_unsorted_phdrs(void **state)
{
	Elf64_Phdr t = *PH(0);

	(void)state;
	*PH(0) = *PH(2);
	*PH(2) = t;
	expect_ok(check());
	assert_int_equal(info.seg[0].vaddr, 0);
	assert_int_equal(info.seg[1].vaddr, 0x1000);
	assert_int_equal(info.seg[2].vaddr, SYNTH_DATA_VADDR);
}

static void test_flatten(void **state)
{
	unsigned char *flat;

	(void)state;
	expect_ok(check());
	flat = malloc(info.image_size);
	assert_non_null(flat);
	memset(flat, 0xee, info.image_size);
	assert_int_equal(image_flatten(img, SYNTH_FILE_SIZE, &info, flat), 0);

	/* The header and text, the rodata and the data are where they belong. */
	assert_memory_equal(flat, img + 0x1000, 0x1000);
	assert_memory_equal(flat + 0x1000, img + 0x2000, 0x1000);
	assert_memory_equal(flat + SYNTH_DATA_VADDR, img + 0x3000,
			    SYNTH_DATA_FILESZ);
	assert_memory_equal(flat, H, sizeof(*H));
	/* .bss and the tail up to image_size are zero. */
	for (vmk_u64 i = SYNTH_DATA_VADDR + SYNTH_DATA_FILESZ; i < info.image_size; i++) {
		if (flat[i])
			fail_msg("flat[0x%llx] = 0x%02x, expected 0",
				 (unsigned long long)i, flat[i]);
	}
	free(flat);
}

/* The loader's sum over the file equals the ABI's sum over the flat image
 * (what the shim computes), and any changed byte is caught. */
static void test_checksum(void **state)
{
	unsigned char *flat;

	(void)state;
	expect_ok(check());
	flat = malloc(info.image_size);
	assert_non_null(flat);
	assert_int_equal(image_flatten(img, SYNTH_FILE_SIZE, &info, flat), 0);
	assert_true(vmk_image_sum(flat, info.file_size) == H->checksum);
	free(flat);

	unsigned char *code = (unsigned char *)H + SYNTH_ENTRY_INIT;

	*code ^= 0x40;	/* one bit of code */
	assert_int_equal(check(), -2);
	assert_non_null(strstr(err, "does not match the image's contents"));
	*code ^= 0x40;
	expect_ok(check());
	H->checksum ^= 1;
	assert_int_equal(check(), -2);
	assert_non_null(strstr(err, "corrupt image"));
}

static void test_flatten_with_gap(void **state)
{
	unsigned char *flat;

	(void)state;
	/* Rodata shrinks to half a page: a zero gap before .data. */
	PH(1)->p_filesz = PH(1)->p_memsz = 0x800;
	synth_seal(img);
	expect_ok(check());
	flat = malloc(info.image_size);
	assert_non_null(flat);
	memset(flat, 0xee, info.image_size);
	assert_int_equal(image_flatten(img, SYNTH_FILE_SIZE, &info, flat), 0);
	assert_memory_equal(flat + 0x1000, img + 0x2000, 0x800);
	for (unsigned int i = 0x1800; i < SYNTH_DATA_VADDR; i++)
		assert_int_equal(flat[i], 0);
	free(flat);
}

static void test_flatten_rejects_bad_info(void **state)
{
	unsigned char *flat;
	struct image_info bad;

	(void)state;
	expect_ok(check());
	flat = malloc(info.image_size);
	assert_non_null(flat);
	bad = info;
	bad.image_size = 0x1000;
	assert_int_equal(image_flatten(img, SYNTH_FILE_SIZE, &bad, flat), -1);
	bad = info;
	assert_int_equal(image_flatten(img, 0x2000, &bad, flat), -1);
	bad.nseg = 0;
	assert_int_equal(image_flatten(img, SYNTH_FILE_SIZE, &bad, flat), -1);
	free(flat);
}

/* ---- the error buffer ----------------------------------------------- */

static void test_error_buffer_small(void **state)
{
	char small[8];

	(void)state;
	img[0] = 0;
	memset(small, 'x', sizeof(small));
	assert_int_equal(image_check(img, SYNTH_FILE_SIZE, SYNTH_REGION, NULL,
				     small, sizeof(small)), -1);
	assert_int_equal(strlen(small), 7);
	assert_int_equal(image_check(img, SYNTH_FILE_SIZE, SYNTH_REGION, NULL,
				     NULL, 0), -1);
}

/* ---- the ELF header --------------------------------------------------- */

BREAK(bad_magic, "not an ELF file (bad magic)", img[1] = 'X')
BREAK(elf_class, "not a 64-bit ELF file (class 1)",
      EH->e_ident[EI_CLASS] = ELFCLASS32)
BREAK(elf_data, "not a little-endian ELF file",
      EH->e_ident[EI_DATA] = ELFDATA2MSB)
BREAK(elf_version, "ELF version 1/0", EH->e_version = 0)
BREAK(elf_ident_version, "ELF version 2/1", EH->e_ident[EI_VERSION] = 2)
BREAK(elf_type_exec, "ELF type 2 (ET_EXEC), the vmkernel must be ET_DYN",
      EH->e_type = ET_EXEC)
BREAK(elf_machine, "ELF machine 3, expected x86-64", EH->e_machine = EM_386)
BREAK(elf_ehsize, "ELF header size 52, expected 64", EH->e_ehsize = 52)
BREAK(phentsize, "program header entry size 32, expected 56",
      EH->e_phentsize = 32)
BREAK(phnum_zero, "no program headers", EH->e_phnum = 0)
BREAK(phnum_large, "65 program headers, at most 64", EH->e_phnum = 65)
BREAK(phoff_overlaps, "program header table at 0x10 overlaps the ELF header",
      EH->e_phoff = 0x10)
BREAK(phoff_past_end, "(5 entries) extends past the end of the file",
      EH->e_phoff = SYNTH_FILE_SIZE - 0x40)
BREAK(phoff_wraps, "extends past the end of the file",
      EH->e_phoff = ~0ULL - 0x40)

static void test_empty_file(void **state)
{
	(void)state;
	expect_error(check_size(0, SYNTH_REGION), "not an ELF file (bad magic)");
	expect_error(check_size(3, SYNTH_REGION), "not an ELF file (bad magic)");
	expect_error(image_check(NULL, 100, SYNTH_REGION, &info, err,
				 sizeof(err)), "bad magic");
}

static void test_truncated_ehdr(void **state)
{
	(void)state;
	expect_error(check_size(40, SYNTH_REGION),
		     "truncated ELF header (40 of 64 bytes)");
}

static void test_truncated_segment(void **state)
{
	(void)state;
	expect_error(check_size(0x1800, SYNTH_REGION),
		     "program header 0: file bytes at 0x1000 (0x1000 bytes) extend past the end of the file (6144 bytes)");
}

/* ---- program headers -------------------------------------------------- */

BREAK(empty_load, "program header 4: empty PT_LOAD segment",
      PH(4)->p_type = PT_LOAD)
BREAK(filesz_over_memsz, "program header 1: file size 0x2000 exceeds memory size 0x1000",
      PH(1)->p_filesz = 0x2000)
BREAK(offset_wraps, "program header 1: file bytes at 0xfffffffffffffff0",
      PH(1)->p_offset = ~0ULL - 0xf)
BREAK(vaddr_wraps, "program header 2: segment at 0xfffffffffffff000 (0x11058 bytes) wraps around",
      PH(2)->p_vaddr = ~0ULL - 0xfff)
BREAK(outside_region, "program header 2: segment [0x2000, 0x4002000) does not fit the 64 MiB region",
      PH(2)->p_memsz = 64ULL << 20)
BREAK(overlap, "program header 1: segment [0x800, 0x1800) overlaps segment 0",
      PH(1)->p_vaddr = 0x800; PH(1)->p_offset = 0x2800;
      PH(1)->p_filesz = PH(1)->p_memsz = 0x1000)
BREAK(overlap_later, "program header 2: segment [0x1000, 0x12058) overlaps segment 1",
      PH(2)->p_vaddr = 0x1000)
BREAK(congruence, "program header 1: address 0x1000 and file offset 0x2100 differ modulo the page size",
      PH(1)->p_offset = 0x2100; PH(1)->p_filesz = 0x100)
BREAK(align_not_pow2, "program header 0: alignment 0x3000 is not a power of two",
      PH(0)->p_align = 0x3000)
BREAK(wx_segment, "program header 0: segment is both writable and executable",
      PH(0)->p_flags = PF_R | PF_W | PF_X)
BREAK(no_load, "no PT_LOAD segment",
      PH(0)->p_type = PH(1)->p_type = PH(2)->p_type = PT_NOTE)
BREAK(too_many_loads, "more than 16 PT_LOAD segments",
      EH->e_phnum = 20;
      for (unsigned int i = 0; i < 20; i++) {
	      *PH(i) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_vaddr = i * 0x10,
				     .p_offset = 0x1000 + i * 0x10,
				     .p_filesz = 0x10, .p_memsz = 0x10 };
      })
BREAK(header_not_at_zero, "the lowest segment starts at 0x1000, but the image header must be at address 0",
      PH(0)->p_type = PT_NOTE)
BREAK(header_not_file_backed, "the first segment has 0x10 file bytes, too few for the 128-byte image header",
      PH(0)->p_filesz = 0x10)

/* ---- the image header ------------------------------------------------- */

BREAK(hdr_magic, "bad image header magic 0x00474d49584b4d57 (not a vmkernel image?)",
      H->magic++)
#define ABI_STR_(v)	#v
#define ABI_STR(v)	ABI_STR_(v)
BREAK(hdr_abi, "ABI revision 99, this loader speaks " ABI_STR(VMK_ABI_VERSION),
      H->abi_version = 99)
BREAK(hdr_arch, "image arch 2, this loader supports x86-64 (1)", H->arch = 2)
BREAK(hdr_size, "image header size 100, expected 128", H->header_size = 100)
BREAK(hdr_flags, "image header flags 0x4, none are defined", H->flags = 4)
BREAK(version_unterminated, "version string is not NUL-terminated within its 32 bytes",
      memset(H->version, 'v', sizeof(H->version)))
BREAK(version_empty, "empty version string", H->version[0] = 0)
BREAK(version_unprintable, "version string has a non-printable byte 0x0a at 4",
      H->version[4] = '\n')
BREAK(image_size_small, "image_size 0x13000 does not match the end of the last segment (0x13058)",
      H->image_size = 0x13000)
BREAK(image_size_large, "image_size 0x15000 does not match",
      H->image_size = 0x15000)
BREAK(image_size_unaligned, "image_size 0x13100 does not match",
      H->image_size = 0x13100)
BREAK(file_size_small, "file_size 0x2000 does not cover the segments' file bytes (up to 0x2800)",
      H->file_size = 0x2000)
BREAK(file_size_large, "file_size 0x15000 exceeds image_size 0x14000",
      H->file_size = 0x15000)
BREAK(min_mem_small, "min_mem 0x1000 is smaller than the image (0x14000 bytes)",
      H->min_mem = 0x1000)
BREAK(min_mem_large, "the image needs a 128 MiB region (min_mem) but the region has 64 MiB",
      H->min_mem = 128ULL << 20)
BREAK(entry_init_rodata, "entry_init 0x1000 is not inside an executable segment",
      H->entry_init = 0x1000)
BREAK(entry_init_far, "entry_init 0xffffffffffffffff is not inside an executable segment",
      H->entry_init = ~0ULL)
BREAK(entry_cpu_bss, "entry_cpu 0x5000 is not inside an executable segment",
      H->entry_cpu = 0x5000)
BREAK(entry_not_file_backed, "entry_cpu 0x800 is not inside",
      PH(0)->p_filesz = 0x800; H->entry_cpu = 0x800)

/* ---- relocations ------------------------------------------------------ */

BREAK(rela_size_odd, "rela_size 0x19 is not a multiple of 24", H->rela_size = 25)
BREAK(rela_misaligned, "rela_offset 0x1004 is not 8-byte aligned",
      H->rela_offset = 0x1004)
BREAK(rela_in_bss, "relocation table at 0x2800 (0xc0 bytes) is not inside the file-backed image",
      H->rela_offset = 0x2800)
BREAK(rela_straddles, "relocation table at 0x1fe8 (0xc0 bytes) is not inside",
      H->rela_offset = 0x1fe8)
BREAK(rela_empty_outside, "rela_offset 0x100000 is outside the image",
      H->rela_size = 0; H->rela_offset = 0x100000)
BREAK(rela_type, "relocation 3: type 1 symbol 0, only R_X86_64_RELATIVE (8) without a symbol",
      RELA(3)->r_info = R_X86_64_64)
BREAK(rela_symbol, "relocation 5: type 8 symbol 2, only R_X86_64_RELATIVE",
      RELA(5)->r_info = ELF64_R_INFO(2, R_X86_64_RELATIVE))
BREAK(rela_target, "relocation 2: target 0x13ffc is outside the image (0x14000 bytes)",
      RELA(2)->r_offset = 0x13ffc)
BREAK(rela_target_wraps, "relocation 7: target 0xfffffffffffffffc is outside",
      RELA(7)->r_offset = ~0ULL - 3)
BREAK(rela_addend_negative, "relocation 0: addend 0xfffffffffffffff0 points outside the image",
      RELA(0)->r_addend = -16)
BREAK(rela_addend_far, "relocation 1: addend 0x14001 points outside",
      RELA(1)->r_addend = 0x14001)

/* ---- the log ring ------------------------------------------------------ */

BREAK(log_misaligned, "log_offset 0x3004 is not 8-byte aligned",
      H->log_offset = 0x3004)
BREAK(log_outside, "log ring at 0x4000 (0x10018 bytes) is outside the image",
      H->log_offset = 0x4000)
BREAK(log_wraps, "log ring at 0xfffffffffffffff8 (0x10018 bytes) is outside",
      H->log_offset = ~0ULL - 7)
BREAK(log_readonly, "log ring at 0x0 (0x10018 bytes) is not inside one writable segment",
      H->log_offset = 0)

#define T(name) cmocka_unit_test_setup(test_##name, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(valid), T(valid_any_region), T(valid_exact_image_size),
		T(valid_no_relocations), T(valid_unsorted_phdrs),
		T(flatten), T(flatten_with_gap), T(flatten_rejects_bad_info), T(checksum),
		T(error_buffer_small),
		T(bad_magic), T(empty_file), T(truncated_ehdr), T(elf_class),
		T(elf_data), T(elf_version), T(elf_ident_version),
		T(elf_type_exec), T(elf_machine), T(elf_ehsize), T(phentsize),
		T(phnum_zero), T(phnum_large), T(phoff_overlaps),
		T(phoff_past_end), T(phoff_wraps), T(truncated_segment),
		T(empty_load), T(filesz_over_memsz), T(offset_wraps), T(vaddr_wraps),
		T(outside_region), T(overlap), T(overlap_later),
		T(congruence), T(align_not_pow2), T(wx_segment), T(no_load),
		T(too_many_loads), T(header_not_at_zero),
		T(header_not_file_backed),
		T(hdr_magic), T(hdr_abi), T(hdr_arch), T(hdr_size),
		T(hdr_flags), T(version_unterminated), T(version_empty),
		T(version_unprintable), T(image_size_small),
		T(image_size_large), T(image_size_unaligned),
		T(file_size_small), T(file_size_large), T(min_mem_small),
		T(min_mem_large), T(entry_init_rodata), T(entry_init_far),
		T(entry_cpu_bss), T(entry_not_file_backed),
		T(rela_size_odd), T(rela_misaligned), T(rela_in_bss),
		T(rela_straddles), T(rela_empty_outside), T(rela_type),
		T(rela_symbol), T(rela_target), T(rela_target_wraps),
		T(rela_addend_negative), T(rela_addend_far),
		T(log_misaligned), T(log_outside), T(log_wraps),
		T(log_readonly),
	};

	return cmocka_run_group_tests_name("image", tests, NULL, NULL);
}
