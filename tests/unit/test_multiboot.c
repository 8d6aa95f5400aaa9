// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the multiboot v1 loader (loader/multiboot.c): a small
 * ELF32 kernel is built in memory, laid out, and its information block
 * read back field by field; then each refusal is provoked by one change
 * to that good kernel, and the message checked for what it must name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <elf.h>

#include "multiboot.h"

#define MiB (1ULL << 20)
#define KSIZE 0x3000

/*
 * The good kernel: ELF header, two program headers (text at 1 MiB with
 * the multiboot header in it, data + bss at 1 MiB + 0x2000), 12 KiB file.
 */
struct kern {
	unsigned char b[KSIZE];
	Elf32_Ehdr *eh;
	Elf32_Phdr *ph;
	uint32_t *mb;
};

static void make_kernel(struct kern *k)
{
	memset(k->b, 0, sizeof(k->b));
	k->eh = (Elf32_Ehdr *)k->b;
	k->ph = (Elf32_Phdr *)(k->b + sizeof(Elf32_Ehdr));
	memcpy(k->eh->e_ident, ELFMAG, SELFMAG);
	k->eh->e_ident[EI_CLASS] = ELFCLASS32;
	k->eh->e_ident[EI_DATA] = ELFDATA2LSB;
	k->eh->e_ident[EI_VERSION] = EV_CURRENT;
	k->eh->e_type = ET_EXEC;
	k->eh->e_machine = EM_386;
	k->eh->e_version = EV_CURRENT;
	k->eh->e_entry = 0x100010;
	k->eh->e_phoff = sizeof(Elf32_Ehdr);
	k->eh->e_ehsize = sizeof(Elf32_Ehdr);
	k->eh->e_phentsize = sizeof(Elf32_Phdr);
	k->eh->e_phnum = 2;
	k->ph[0] = (Elf32_Phdr){ .p_type = PT_LOAD, .p_offset = 0x1000, .p_vaddr = 0x100000,
				 .p_paddr = 0x100000, .p_filesz = 0x1000, .p_memsz = 0x1000,
				 .p_flags = PF_R | PF_X, .p_align = 0x1000 };
	k->ph[1] = (Elf32_Phdr){ .p_type = PT_LOAD, .p_offset = 0x2000, .p_vaddr = 0x102000,
				 .p_paddr = 0x102000, .p_filesz = 0x800, .p_memsz = 0x5123,
				 .p_flags = PF_R | PF_W, .p_align = 0x1000 };
	k->mb = (uint32_t *)(k->b + 0x1000);
	k->mb[0] = MULTIBOOT_HEADER_MAGIC;
	k->mb[1] = MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO;
	k->mb[2] = -(k->mb[0] + k->mb[1]);
	k->b[0x1010] = 0xf4;	/* hlt at the entry */
}

static void set_flags(struct kern *k, uint32_t flags)
{
	k->mb[1] = flags;
	k->mb[2] = -(k->mb[0] + k->mb[1]);
}

static struct multiboot_load ld;
static char err[256];

static int layout(const struct kern *k, size_t size, const void *mod, size_t msize,
		  vmk_u64 mem)
{
	return multiboot_layout(k->b, size, "console=ttyS0 x=1", mod, msize, "env", mem,
				&ld, err, sizeof(err));
}

/* The layout is refused with a message containing want. */
static void refused(const struct kern *k, size_t size, const char *want)
{
	int r = layout(k, size, "NR_CPUS=1\n", 10, 16 * MiB);

	if (r != -1)
		fail_msg("accepted, wanted a refusal naming \"%s\"", want);
	if (!strstr(err, want))
		fail_msg("message \"%s\" does not name \"%s\"", err, want);
	if (strchr(err, '\n'))
		fail_msg("message \"%s\" is more than one line", err);
}

static const struct vm_write *write_at(vmk_u64 gpa)
{
	for (unsigned int i = 0; i < ld.nwrites; i++)
		if (ld.writes[i].gpa == gpa)
			return &ld.writes[i];
	fail_msg("no write at 0x%llx", (unsigned long long)gpa);
	return NULL;
}

/* Reads guest memory at gpa as the guest would, through the writes. */
static const void *guest(vmk_u64 gpa)
{
	for (unsigned int i = 0; i < ld.nwrites; i++) {
		const struct vm_write *w = &ld.writes[i];

		if (gpa >= w->gpa && gpa < w->gpa + w->len)
			return (const unsigned char *)w->data + (gpa - w->gpa);
	}
	fail_msg("guest address 0x%llx is written by nothing", (unsigned long long)gpa);
	return NULL;
}

static void test_good(void **state)
{
	static struct kern k;
	static const char env[] = "NR_CPUS=2\n";
	struct multiboot_info mbi;
	struct multiboot_mmap map[2];
	struct multiboot_module mod;

	(void)state;
	make_kernel(&k);
	if (layout(&k, KSIZE, env, sizeof(env) - 1, 16 * MiB))
		fail_msg("refused: %s", err);

	assert_int_equal(ld.boot.mode, VMK_VM_BOOT_PROT32);
	assert_int_equal(ld.boot.rip, 0x100010);
	assert_int_equal(ld.boot.rax, 0x2BADB002);
	assert_int_equal(ld.kernel_start, 0x100000);
	assert_int_equal(ld.kernel_end, 0x107123);
	assert_int_equal(ld.info_gpa, 0x108000);	/* page above the bss */
	assert_int_equal(ld.boot.rbx, ld.info_gpa);
	assert_int_equal(ld.info_gpa % 4096, 0);
	assert_int_equal(ld.module_gpa % 4096, 0);
	assert_true(ld.module_gpa > ld.info_gpa);
	assert_int_equal(ld.nwrites, 4);

	/* The segments' file bytes, and no write for the bss. */
	assert_ptr_equal(write_at(0x100000)->data, k.b + 0x1000);
	assert_int_equal(write_at(0x100000)->len, 0x1000);
	assert_ptr_equal(write_at(0x102000)->data, k.b + 0x2000);
	assert_int_equal(write_at(0x102000)->len, 0x800);
	assert_ptr_equal(write_at(ld.module_gpa)->data, env);
	assert_int_equal(write_at(ld.module_gpa)->len, sizeof(env) - 1);
	assert_int_equal(ld.end, ld.module_gpa + sizeof(env) - 1);

	memcpy(&mbi, guest(ld.info_gpa), sizeof(mbi));
	assert_int_equal(mbi.flags, MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE |
			 MULTIBOOT_INFO_MODS | MULTIBOOT_INFO_MMAP);
	assert_int_equal(mbi.mem_lower, 639);
	assert_int_equal(mbi.mem_upper, 15 * 1024);
	assert_string_equal(guest(mbi.cmdline), "console=ttyS0 x=1");
	assert_int_equal(mbi.mods_count, 1);
	memcpy(&mod, guest(mbi.mods_addr), sizeof(mod));
	assert_int_equal(mod.mod_start, ld.module_gpa);
	assert_int_equal(mod.mod_end, ld.module_gpa + sizeof(env) - 1);
	assert_string_equal(guest(mod.string), "env");
	assert_memory_equal(guest(mod.mod_start), env, sizeof(env) - 1);
	assert_int_equal(mbi.mmap_length, 2 * sizeof(struct multiboot_mmap));
	memcpy(map, guest(mbi.mmap_addr), sizeof(map));
	assert_int_equal(map[0].size, 20);
	assert_int_equal(map[0].addr, 0);
	assert_int_equal(map[0].len, 0x9fc00);
	assert_int_equal(map[0].type, 1);
	assert_int_equal(map[1].size, 20);
	assert_int_equal(map[1].addr, MiB);
	assert_int_equal(map[1].len, 15 * MiB);
	assert_int_equal(map[1].type, 1);
	/* Every write lies in RAM, none overlaps another. */
	for (unsigned int i = 0; i < ld.nwrites; i++) {
		assert_true(ld.writes[i].gpa + ld.writes[i].len <= 16 * MiB);
		for (unsigned int j = i + 1; j < ld.nwrites; j++)
			assert_true(ld.writes[i].gpa + ld.writes[i].len <= ld.writes[j].gpa ||
				    ld.writes[j].gpa + ld.writes[j].len <= ld.writes[i].gpa);
	}
}

static void test_good_no_module(void **state)
{
	static struct kern k;
	struct multiboot_info mbi;

	(void)state;
	make_kernel(&k);
	if (multiboot_layout(k.b, KSIZE, NULL, NULL, 0, NULL, 2 * MiB, &ld, err, sizeof(err)))
		fail_msg("refused: %s", err);
	assert_int_equal(ld.nwrites, 3);
	assert_int_equal(ld.module_gpa, 0);
	memcpy(&mbi, guest(ld.info_gpa), sizeof(mbi));
	assert_int_equal(mbi.flags & MULTIBOOT_INFO_MODS, 0);
	assert_int_equal(mbi.mods_count, 0);
	assert_int_equal(mbi.mem_upper, 1024);
	assert_string_equal(guest(mbi.cmdline), "");
}

/* A virtual entry point is translated through its segment. */
static void test_entry_translated(void **state)
{
	static struct kern k;

	(void)state;
	make_kernel(&k);
	k.ph[0].p_vaddr = 0xc0100000;
	k.eh->e_entry = 0xc0100010;
	if (layout(&k, KSIZE, "x", 1, 16 * MiB))
		fail_msg("refused: %s", err);
	assert_int_equal(ld.boot.rip, 0x100010);
}

/* A header after other 4-aligned words, at the end of the 8 KiB. */
static void test_header_late(void **state)
{
	static unsigned char big[0x4000];
	struct kern *k = calloc(1, sizeof(*k));
	uint32_t *h;

	(void)state;
	make_kernel(k);
	memcpy(big, k->b, KSIZE);
	memset(big + 0x1000, 0, 12);
	h = (uint32_t *)(big + MULTIBOOT_SEARCH - 12);
	h[0] = MULTIBOOT_HEADER_MAGIC;
	h[1] = MULTIBOOT_MEMORY_INFO;
	h[2] = -(h[0] + h[1]);
	assert_int_equal(multiboot_layout(big, sizeof(big), "", "x", 1, NULL, 16 * MiB, &ld,
					  err, sizeof(err)), 0);
	/* One word further and it is outside the search area. */
	memset(big + MULTIBOOT_SEARCH - 12, 0, 12);
	h = (uint32_t *)(big + MULTIBOOT_SEARCH - 8);
	h[0] = MULTIBOOT_HEADER_MAGIC;
	h[1] = MULTIBOOT_MEMORY_INFO;
	h[2] = -(h[0] + h[1]);
	assert_int_equal(multiboot_layout(big, sizeof(big), "", "x", 1, NULL, 16 * MiB, &ld,
					  err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no multiboot header"));
	free(k);
}

static void test_refusals_elf(void **state)
{
	static struct kern k;

	(void)state;
	make_kernel(&k); k.b[1] = 'X';
	refused(&k, KSIZE, "not an ELF file");
	make_kernel(&k);
	refused(&k, 30, "truncated");
	make_kernel(&k); k.b[EI_CLASS] = ELFCLASS64;
	refused(&k, KSIZE, "ELF class 2");
	make_kernel(&k); k.b[EI_DATA] = ELFDATA2MSB;
	refused(&k, KSIZE, "not little-endian");
	make_kernel(&k); k.eh->e_machine = EM_X86_64;
	refused(&k, KSIZE, "not i386");
	make_kernel(&k); k.eh->e_type = ET_DYN;
	refused(&k, KSIZE, "not an executable");
	make_kernel(&k); k.eh->e_phentsize = 56;
	refused(&k, KSIZE, "e_phentsize 56");
	make_kernel(&k); k.eh->e_phnum = 0;
	refused(&k, KSIZE, "0 program headers");
	make_kernel(&k); k.eh->e_phnum = 65;
	refused(&k, KSIZE, "65 program headers");
	make_kernel(&k); k.eh->e_phoff = 0xfffffff0;
	refused(&k, KSIZE, "program headers");
	make_kernel(&k);
	refused(&k, sizeof(Elf32_Ehdr) + 40, "truncated: program headers");
}

static void test_refusals_header(void **state)
{
	static struct kern k;

	(void)state;
	make_kernel(&k); k.mb[0] = 0;
	refused(&k, KSIZE, "no multiboot header");
	make_kernel(&k); k.mb[2]++;
	refused(&k, KSIZE, "offset 4096: bad checksum");
	make_kernel(&k); set_flags(&k, MULTIBOOT_AOUT_KLUDGE);
	refused(&k, KSIZE, "a.out kludge");
	make_kernel(&k); set_flags(&k, MULTIBOOT_VIDEO_MODE | MULTIBOOT_MEMORY_INFO);
	refused(&k, KSIZE, "video mode");
	make_kernel(&k); set_flags(&k, 1U << 5);
	refused(&k, KSIZE, "unsupported required bits 0x0020");
	/* Optional bits (16-31 other than the kludge) are ignored. */
	make_kernel(&k); set_flags(&k, 1U << 20);
	assert_int_equal(layout(&k, KSIZE, "x", 1, 16 * MiB), 0);
}

static void test_refusals_segments(void **state)
{
	static struct kern k;

	(void)state;
	make_kernel(&k);
	refused(&k, 0x2400, "truncated: segment 1");
	make_kernel(&k); k.ph[1].p_offset = 0xfffff000;
	refused(&k, KSIZE, "truncated: segment 1");
	make_kernel(&k); k.ph[1].p_filesz = 0x6000;
	refused(&k, KSIZE, "p_filesz 0x6000 above p_memsz");
	make_kernel(&k); k.ph[1].p_paddr = 0x100800;
	refused(&k, KSIZE, "segments 0 and 1 overlap");
	make_kernel(&k); k.ph[0].p_paddr = 0x9000;
	refused(&k, KSIZE, "below 1 MiB");
	make_kernel(&k); k.ph[1].p_paddr = 0x1000000;
	refused(&k, KSIZE, "beyond the VM's RAM (16 MiB)");
	make_kernel(&k); k.ph[1].p_paddr = 0xfffff000; k.ph[1].p_memsz = 0x2000;
	refused(&k, KSIZE, "overflows 32 bits");
	make_kernel(&k); k.ph[0].p_type = PT_NOTE; k.ph[1].p_type = PT_NULL;
	refused(&k, KSIZE, "no loadable segment");
	make_kernel(&k); k.eh->e_entry = 0x200000;
	refused(&k, KSIZE, "entry point 0x200000 outside");
}

static void test_refusals_placement(void **state)
{
	static struct kern k;
	static char longline[MULTIBOOT_CMDLINE_MAX + 2];
	static unsigned char mod[MiB];

	(void)state;
	make_kernel(&k);
	/* The kernel fits in 2 MiB but the module does not. */
	assert_int_equal(layout(&k, KSIZE, mod, sizeof(mod), 2 * MiB), -1);
	assert_non_null(strstr(err, "the module ends at 0x209000: beyond the VM's RAM (2 MiB)"));
	assert_int_equal(layout(&k, KSIZE, mod, sizeof(mod) - 0x9000, 2 * MiB), 0);
	memset(longline, 'a', sizeof(longline) - 1);
	assert_int_equal(multiboot_layout(k.b, KSIZE, longline, NULL, 0, NULL, 16 * MiB, &ld,
					  err, sizeof(err)), -1);
	assert_non_null(strstr(err, "command line of 4097 bytes"));
	assert_int_equal(multiboot_layout(k.b, KSIZE, "", mod, 0, NULL, 16 * MiB, &ld,
					  err, sizeof(err)), -1);
	assert_non_null(strstr(err, "the module is empty"));
}

/* The project's own test guests (build/guests/NAME.elf, when built) lay out
 * in a 16 MiB VM with their entry inside their text. */
static void test_project_guests(void **state)
{
	static const char *const names[] = { "cpuid", "msr", "tsc", "apic", "spin", "idle",
					     "crash", "smp", "hostile" };
	static unsigned char buf[4 << 20];
	int found = 0;

	(void)state;
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[64];
		FILE *f;
		size_t n;

		snprintf(path, sizeof(path), "build/guests/%s.elf", names[i]);
		f = fopen(path, "rb");
		if (!f)
			continue;
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		found++;
		if (multiboot_layout(buf, n, "a=1", "NR_CPUS=1\n", 10, "env", 16 * MiB, &ld,
				     err, sizeof(err)))
			fail_msg("%s refused: %s", path, err);
		assert_true(ld.boot.rip >= ld.kernel_start && ld.boot.rip < ld.kernel_end);
		assert_true(ld.kernel_start >= MiB);
	}
	if (!found)
		skip();	/* no guest built: make build/guests/cpuid.elf */
}

/*
 * Mutated kernels (bytes of the headers and segments flipped at random,
 * sizes cut): refused with one line, or laid out with every write inside
 * the VM's RAM and every kernel byte read from inside the file.  Run
 * under AddressSanitizer, any read outside the buffer fails the test.
 */
static void test_mutations(void **state)
{
	static struct kern k;
	unsigned int seed = 12345, accepted = 0;

	(void)state;
	for (int n = 0; n < 20000; n++) {
		size_t size = KSIZE;
		unsigned char *copy;

		make_kernel(&k);
		for (int m = 1 + rand_r(&seed) % 4; m > 0; m--) {
			/* Mostly the ELF and program headers and the multiboot header. */
			unsigned int at = rand_r(&seed) % 3 ? rand_r(&seed) % 0x60 :
				0x1000 + rand_r(&seed) % 16;
			k.b[at] = (unsigned char)rand_r(&seed);
		}
		if (rand_r(&seed) % 8 == 0)
			size = rand_r(&seed) % KSIZE;
		copy = malloc(size ? size : 1);
		memcpy(copy, k.b, size);
		if (multiboot_layout(copy, size, "x", "env", 3, NULL, 16 * MiB, &ld, err,
				     sizeof(err))) {
			assert_true(err[0] != '\0' && !strchr(err, '\n'));
		} else {
			accepted++;
			for (unsigned int i = 0; i < ld.nwrites; i++) {
				const struct vm_write *w = &ld.writes[i];
				const unsigned char *d = w->data;

				assert_true(w->gpa >= MiB && w->gpa + w->len <= 16 * MiB);
				if (d >= copy && d < copy + size)
					assert_true(d + w->len <= copy + size);
			}
		}
		free(copy);
	}
	/* The mutations must leave some kernels loadable, or the check
	 * above checked nothing. */
	assert_true(accepted > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_good_no_module),
		cmocka_unit_test(test_entry_translated),
		cmocka_unit_test(test_header_late),
		cmocka_unit_test(test_refusals_elf),
		cmocka_unit_test(test_refusals_header),
		cmocka_unit_test(test_refusals_segments),
		cmocka_unit_test(test_refusals_placement),
		cmocka_unit_test(test_project_guests),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
