// SPDX-License-Identifier: GPL-2.0
/*
 * Loadable modules on the host: the ELF checks and relocation that both
 * vmkload_mod and the vmkernel run (lib/modelf.c), against the project's
 * real module objects and mutations of them, and the vmkernel's module
 * table (kernel/module.c) on the fake arch, where a loaded module's code
 * really runs: its pages get the host MMU's protection and lie within
 * 32-bit reach of the vmkernel functions they call, as in the vmkernel.
 * A seeded fuzzer feeds thousands of mutated modules to both.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include <vmk/heap.h>
#include <vmk/mem.h>
#include <vmk/modelf.h>
#include <vmk/module.h>

#include "fake.h"
#include "modcheck.h"
#include "sysworld_doubles.h"

#define REGION_SIZE	(16ULL << 20)

static u8 *hello, *failinit, *unexported, *badabi, *needhello, *helper, *profiler, *spinner, *worldfail;
static size_t hello_size, failinit_size, unexported_size, badabi_size, needhello_size;
static size_t helper_size, profiler_size, spinner_size, worldfail_size;
static void *region;

static u8 *load_file(const char *name, size_t *size)
{
	char path[256];
	void *f;

	snprintf(path, sizeof(path), "%s/%s", MODULE_DIR, name);
	f = modcheck_read_file(path, VMK_MOD_FILE_MAX, size);
	if (!f)
		fprintf(stderr, "cannot read %s (make modules)\n", path);
	return f;
}

static int setup(void **state)
{
	(void)state;
	hello = load_file("hello.o", &hello_size);
	failinit = load_file("test/failinit.o", &failinit_size);
	unexported = load_file("test/unexported.o", &unexported_size);
	badabi = load_file("test/badabi.o", &badabi_size);
	needhello = load_file("test/needhello.o", &needhello_size);
	helper = load_file("helper.o", &helper_size);
	profiler = load_file("profiler.o", &profiler_size);
	spinner = load_file("test/spinner.o", &spinner_size);
	worldfail = load_file("test/worldfail.o", &worldfail_size);
	if (!worldfail ||
	    !hello || !failinit || !unexported || !badabi || !needhello || !helper ||
	    !profiler || !spinner)
		return -1;
	/* The region near this program's code, as the image and its modules
	 * share one region in the vmkernel. */
	u64 near = ((u64)(uintptr_t)&setup + (256ULL << 20)) & ~((2ULL << 20) - 1);
	region = mmap((void *)(uintptr_t)near, REGION_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		return -1;
	return mem_init(pa(0x40000000), REGION_SIZE, region, 100000) ? -1 : 0;
}

/* The region is within 32-bit reach of this program's code. */
static bool region_near(void)
{
	s64 d = (s64)((u64)(uintptr_t)region - (u64)(uintptr_t)&setup);

	return d > -(1LL << 30) && d < (1LL << 30);
}

/* A copy of f to mutate. */
static u8 *dup(const u8 *f, size_t n)
{
	u8 *c = malloc(n);

	assert_non_null(c);
	memcpy(c, f, n);
	return c;
}

static struct elf64_shdr *shdr(u8 *f, const char *name)
{
	struct elf64_ehdr *eh = (struct elf64_ehdr *)f;
	struct elf64_shdr *sh = (struct elf64_shdr *)(f + eh->e_shoff);
	const char *names = (const char *)f + sh[eh->e_shstrndx].sh_offset;

	for (u32 i = 0; i < eh->e_shnum; i++)
		if (!strcmp(names + sh[i].sh_name, name))
			return &sh[i];
	fail_msg("no section %s", name);
	return NULL;
}

static int check_err(const u8 *f, size_t n, const char *want)
{
	struct modelf m;
	int err = modelf_check(&m, f, n);

	if (want && !strstr(m.err, want))
		fail_msg("error '%s' does not say '%s'", m.err, want);
	return err;
}

static void test_good_modules_pass(void **state)
{
	struct modelf m;

	(void)state;
	assert_int_equal(modcheck(&m, hello, hello_size), 0);
	assert_string_equal(m.info.name, "hello");
	assert_string_equal(m.info.version, "1.0");
	assert_true(m.has_cleanup);
	assert_true(m.part_size[MODELF_TEXT] >= 4096);
	assert_int_equal(m.part_off[MODELF_TEXT], 0);
	assert_int_equal(m.image_size % 4096, 0);
	assert_int_equal(modcheck(&m, failinit, failinit_size), 0);
	assert_false(m.has_cleanup);
}

static void test_bad_elf_refused(void **state)
{
	u8 *f = dup(hello, hello_size);
	struct elf64_ehdr *eh = (struct elf64_ehdr *)f;

	(void)state;
	eh->e_ident[4] = 1;
	assert_int_equal(check_err(f, hello_size, "ELF class 1"), -ENOEXEC);
	eh->e_ident[4] = 2;
	eh->e_machine = 3;
	assert_int_equal(check_err(f, hello_size, "machine 3"), -ENOEXEC);
	eh->e_machine = 62;
	eh->e_type = 3;
	assert_int_equal(check_err(f, hello_size, "relocatable"), -ENOEXEC);
	eh->e_type = 1;
	f[1] = 'X';
	assert_int_equal(check_err(f, hello_size, "not an ELF"), -ENOEXEC);
	f[1] = 'E';
	eh->e_shoff = hello_size - 64;
	assert_int_equal(check_err(f, hello_size, "outside the file"), -ENOEXEC);
	memcpy(f, hello, hello_size);
	shdr(f, ".comment")->sh_type = 9;	/* SHT_REL */
	assert_int_equal(check_err(f, hello_size, "type 9 not supported"), -ENOEXEC);
	memcpy(f, hello, hello_size);
	shdr(f, ".text")->sh_flags |= 1;	/* writable code */
	assert_int_equal(check_err(f, hello_size, "writable and executable"), -ENOEXEC);
	memcpy(f, hello, hello_size);
	shdr(f, ".text")->sh_offset = hello_size;
	assert_int_equal(check_err(f, hello_size, "outside the file"), -ENOEXEC);
	/* Every truncation is refused. */
	for (size_t n = 0; n < hello_size; n++)
		assert_true(modelf_check(&(struct modelf){ 0 }, hello, n) < 0);
	free(f);
}

static void test_bad_relocations_refused(void **state)
{
	u8 *f = dup(hello, hello_size);
	struct elf64_shdr *rs = shdr(f, ".rela.text");
	struct elf64_rela *r = (struct elf64_rela *)(f + rs->sh_offset);
	u64 text_size = shdr(f, ".text")->sh_size;

	(void)state;
	r[0].r_info = (r[0].r_info & ~0xffffffffULL) | 10;	/* R_X86_64_32 */
	assert_int_equal(check_err(f, hello_size, "relocation type 10 not supported"), -ENOEXEC);
	memcpy(f, hello, hello_size);
	r[0].r_offset = text_size - 3;
	assert_int_equal(check_err(f, hello_size, "outside .text"), -ENOEXEC);
	memcpy(f, hello, hello_size);
	r[0].r_offset = ~0ULL - 1;
	assert_int_equal(check_err(f, hello_size, "outside .text"), -ENOEXEC);
	memcpy(f, hello, hello_size);
	r[0].r_info = (r[0].r_info & 0xffffffffULL) | (100000ULL << 32);
	assert_int_equal(check_err(f, hello_size, "no symbol"), -ENOEXEC);
	memcpy(f, hello, hello_size);
	/* A PC-relative reference aimed beyond any module: refused by the
	 * check both sides run, whatever the placement would allow. */
	for (u64 k = 0; k < rs->sh_size / sizeof(*r); k++) {
		u32 type = (u32)r[k].r_info;

		if (type != 2 && type != 4)	/* R_X86_64_PC32, PLT32 */
			continue;
		r[k].r_addend = VMK_MOD_IMAGE_MAX + 1;
		assert_int_equal(check_err(f, hello_size, "reaches beyond any module"), -ENOEXEC);
		r[k].r_addend = -(s64)VMK_MOD_IMAGE_MAX - 1;
		assert_int_equal(check_err(f, hello_size, "reaches beyond any module"), -ENOEXEC);
		r[k].r_addend = -(s64)VMK_MOD_IMAGE_MAX;
		assert_int_equal(check_err(f, hello_size, NULL), 0);
		break;
	}
	memcpy(f, hello, hello_size);
	/* The init pointer aimed at data. */
	struct elf64_shdr *ri = shdr(f, ".rela.vmk_modinfo");
	struct elf64_rela *e = (struct elf64_rela *)(f + ri->sh_offset);
	e[0].r_addend = (s64)text_size + 64;
	e[1].r_addend = (s64)text_size + 64;
	assert_int_equal(check_err(f, hello_size, "outside its code"), -EINVAL);
	memcpy(f, hello, hello_size);
	ri->sh_size = 0;
	assert_int_equal(check_err(f, hello_size, "no init"), -EINVAL);
	free(f);
}

static void test_symbols_and_abi_refused(void **state)
{
	u8 *f = dup(hello, hello_size);
	struct elf64_shdr *st = shdr(f, ".strtab");
	char *names = (char *)f + st->sh_offset;
	char *lp = memmem(names, st->sh_size, "log_printf", 11);

	(void)state;
	assert_int_equal(check_err(unexported, unexported_size,
				   "'world_count': the vmkernel does not export it"), -ENOENT);
	assert_int_equal(check_err(badabi, badabi_size, "module ABI 3"), -EPROTO);
	assert_non_null(lp);
	lp[0] = 'z';
	assert_int_equal(check_err(f, hello_size, "'zog_printf'"), -ENOENT);
	memcpy(f, hello, hello_size);
	struct elf64_shdr *mi = shdr(f, VMK_MODINFO_SECTION);
	struct vmk_modinfo *info = (struct vmk_modinfo *)(f + mi->sh_offset);
	info->vmk_abi = 3;
	assert_int_equal(check_err(f, hello_size, "vmkernel ABI 3"), -EPROTO);
	memcpy(f, hello, hello_size);
	strcpy(info->name, "Hello!");
	assert_int_equal(check_err(f, hello_size, "bad module name"), -EINVAL);
	memcpy(f, hello, hello_size);
	strcpy(info->deps[1], "other");
	assert_int_equal(check_err(f, hello_size, "gap"), -EINVAL);
	memcpy(f, hello, hello_size);
	strcpy(info->deps[0], "hello");
	assert_int_equal(check_err(f, hello_size, "depends on itself"), -EINVAL);
	free(f);
}

static void test_size_limits(void **state)
{
	u8 *f = calloc(1, VMK_MOD_FILE_MAX + 1);
	struct elf64_shdr *bss;

	(void)state;
	assert_non_null(f);
	memcpy(f, hello, hello_size);
	assert_int_equal(check_err(f, VMK_MOD_FILE_MAX + 1, "the limit is"), -E2BIG);
	assert_int_equal(check_err(f, VMK_MOD_FILE_MAX, NULL), 0);
	bss = shdr(f, ".bss");
	bss->sh_size = VMK_MOD_IMAGE_MAX;
	assert_int_equal(check_err(f, hello_size, "limit"), -E2BIG);
	bss->sh_size = 0;
	((struct elf64_ehdr *)f)->e_shnum = VMK_MOD_SECTIONS_MAX + 1;
	assert_int_equal(check_err(f, hello_size, "sections"), -E2BIG);
	free(f);
}

static void test_relocation(void **state)
{
	struct modelf m;
	u64 exports[64], init, cleanup, base = 0xffffc90001000000ULL;
	u8 *img;

	(void)state;
	assert_int_equal(modelf_check(&m, hello, hello_size), 0);
	img = calloc(1, m.image_size);
	for (u32 i = 0; i < modelf_export_count(); i++)
		exports[i] = base - 0x100000 + 16 * i;
	assert_int_equal(modelf_relocate(&m, img, base, exports, &init, &cleanup), 0);
	assert_true(init >= base && init < base + m.part_size[MODELF_TEXT]);
	assert_true(cleanup >= base && cleanup < base + m.part_size[MODELF_TEXT]);
	assert_true(init != cleanup);
	/* Exports out of 32-bit reach. */
	for (u32 i = 0; i < modelf_export_count(); i++)
		exports[i] = base - (8ULL << 30);
	memset(img, 0, m.image_size);
	assert_int_equal(modelf_relocate(&m, img, base, exports, &init, &cleanup), -ERANGE);
	assert_non_null(strstr(m.err, "out of 32-bit reach"));
	free(img);
}

static u64 module_in_use(void)
{
	struct heap_stats st;

	heap_stats(module_heap(), &st);
	return st.in_use + st.held;
}

static u64 kernel_in_use(void)
{
	struct heap_stats st;

	heap_stats(mem_heap(MEM_HEAP_KERNEL), &st);
	return st.in_use;
}

static void test_load_call_unload(void **state)
{
	struct vmk_module_stat st[VMK_MOD_LOADED_MAX];
	u64 mod0, ker0;
	s64 id;

	(void)state;
	if (!region_near())
		skip();
	mod0 = module_in_use();
	ker0 = kernel_in_use();
	assert_int_equal(module_list(st, VMK_MOD_LOADED_MAX), 0);
	assert_int_equal(module_call(VMK_CALL_MODULE_BASE, 2, 3, 0, 0), -ENOSYS);
	id = module_load(hello, hello_size);
	assert_true(id > 0);
	assert_true(module_in_use() > mod0);
	assert_int_equal(module_list(st, VMK_MOD_LOADED_MAX), 1);
	assert_string_equal(st[0].name, "hello");
	assert_int_equal(st[0].ncalls, 1);
	assert_int_equal(st[0].refs, 0);
	assert_int_equal(st[0].prot, VMK_MOD_PROT_TEXT_RO | VMK_MOD_PROT_DATA_NX);
	void *base = (void *)(uintptr_t)st[0].base;
	/* The module's own code answers, from the module heap. */
	assert_int_equal(module_call(VMK_CALL_MODULE_BASE, 2, 3, 0, 0), 5);
	assert_int_equal(module_call(VMK_CALL_MODULE_BASE, 0, ~0ULL, 0, 0), 2);
	assert_int_equal(module_call(VMK_CALL_MODULE_BASE + 1, 2, 3, 0, 0), -ENOSYS);
	/* A second of the same name changes nothing. */
	assert_int_equal(module_load(hello, hello_size), -EEXIST);
	assert_int_equal(module_list(st, VMK_MOD_LOADED_MAX), 1);
	assert_int_equal(module_unload((u32)id + 100), -ENOENT);
	assert_int_equal(module_unload((u32)id), 0);
	assert_int_equal(module_call(VMK_CALL_MODULE_BASE, 2, 3, 0, 0), -ENOSYS);
	assert_int_equal(module_list(st, VMK_MOD_LOADED_MAX), 0);
	/* Its pages went back to the heap as the rest of the region is. */
	assert_false(arch_module_prot_is(base, 4096, MODULE_PROT_RX));
	assert_true(arch_module_prot_is(base, 4096, MODULE_PROT_REGION));
	assert_int_equal(module_in_use(), mod0);
	assert_int_equal(kernel_in_use(), ker0);
}

static void test_failures_undone(void **state)
{
	struct vmk_module_stat st[1];
	u64 mod0, ker0, prot0;

	(void)state;
	if (!region_near())
		skip();
	mod0 = module_in_use();
	ker0 = kernel_in_use();
	prot0 = fake_module_protects;
	/* init registers a vmkcall, then fails. */
	assert_int_equal(module_load(failinit, failinit_size), -EIO);
	assert_true(fake_module_protects > prot0);
	assert_int_equal(module_call(VMK_CALL_MODULE_BASE + 1, 1, 2, 3, 4), -ENOSYS);
	assert_int_equal(module_load(unexported, unexported_size), -ENOENT);
	assert_int_equal(module_load(badabi, badabi_size), -EPROTO);
	assert_int_equal(module_load(hello, 100), -ENOEXEC);
	assert_int_equal(module_load(hello, VMK_MOD_FILE_MAX + 1), -E2BIG);
	assert_int_equal(module_list(st, 1), 0);
	assert_int_equal(module_in_use(), mod0);
	assert_int_equal(kernel_in_use(), ker0);
}

/* The text of the module file named name, or "" if there is none. */
static const char *file_text(const char *name)
{
	static char text[VMK_MOD_FILE_TEXT_MAX + 1];
	struct vmk_module_file f[VMK_MOD_FILES_MAX];
	u32 n = module_files(f, VMK_MOD_FILES_MAX);
	s64 len;

	text[0] = 0;
	for (u32 i = 0; i < n; i++)
		if (!strcmp(f[i].name, name)) {
			len = module_file_read(f[i].id, text, VMK_MOD_FILE_TEXT_MAX);
			assert_true(len > 0);
			text[len] = 0;
		}
	return text;
}

/* helper: a world of its own, a file and a vmkcall, all gone with it. */
static void test_module_world_and_file(void **state)
{
	struct vmk_module_file f[VMK_MOD_FILES_MAX];
	u64 mod0, ker0;
	unsigned int stops0 = fake_world_stops, removals0 = fake_world_removals;
	s64 id;
	u32 file_id;

	(void)state;
	if (!region_near())
		skip();
	mod0 = module_in_use();
	ker0 = kernel_in_use();
	assert_int_equal(module_files(f, VMK_MOD_FILES_MAX), 0);
	id = module_load(helper, helper_size);
	assert_true(id > 0);
	/* init started one world, owned by the module. */
	assert_int_equal(fake_worlds[0].live, true);
	assert_non_null(fake_worlds[0].fn);
	assert_int_equal(module_files(f, VMK_MOD_FILES_MAX), 1);
	assert_string_equal(f[0].name, "helper");
	assert_int_equal(f[0].module_id, (u32)id);
	file_id = f[0].id;
	assert_non_null(strstr(file_text("helper"), "world 5000\n"));
	assert_non_null(strstr(file_text("helper"), "wakeups 0\n"));
	/* Its vmkcall wakes its world and counts the asking. */
	assert_int_equal(module_call(VMK_CALL_MODULE_BASE + 3, 0, 0, 0, 0), 0);
	assert_int_equal(fake_world_wakes, 1);
	assert_non_null(strstr(file_text("helper"), "asked 1\n"));
	/* Its timer runs once due, then once a period, from the tick's work. */
	assert_non_null(strstr(file_text("helper"), "timer_runs 0\n"));
	module_timers_run();
	assert_non_null(strstr(file_text("helper"), "timer_runs 0\n"));
	fake_advance(20000000);
	module_timers_run();
	module_timers_run();
	assert_non_null(strstr(file_text("helper"), "timer_runs 1\n"));
	fake_advance(20000000);
	module_timers_run();
	assert_non_null(strstr(file_text("helper"), "timer_runs 2\n"));
	/* Reads are capped at the length asked for. */
	char small[8];
	assert_int_equal(module_file_read(file_id, small, sizeof(small)), sizeof(small));
	assert_int_equal(module_file_read(file_id + 1000, small, sizeof(small)), -ENOENT);
	/* Cleanup stops the world itself: nothing is left for the vmkernel. */
	assert_int_equal(module_unload((u32)id), 0);
	assert_int_equal(fake_world_stops, stops0 + 1);
	assert_int_equal(fake_world_removals, removals0);
	assert_false(fake_worlds[0].live);
	assert_int_equal(module_files(f, VMK_MOD_FILES_MAX), 0);
	assert_int_equal(module_file_read(file_id, small, sizeof(small)), -ENOENT);
	/* Its timer went with it. */
	fake_advance(20000000);
	module_timers_run();
	assert_int_equal(module_in_use(), mod0);
	assert_int_equal(kernel_in_use(), ker0);
}

/* spinner: a world and no cleanup: unload refused until the world is gone. */
static void test_module_world_blocks_unload(void **state)
{
	struct vmk_module_stat st[2];
	u64 mod0;
	s64 id;

	(void)state;
	if (!region_near())
		skip();
	mod0 = module_in_use();
	id = module_load(spinner, spinner_size);
	assert_true(id > 0);
	assert_true(fake_worlds[0].live);
	assert_int_equal(module_unload((u32)id), -EBUSY);
	assert_int_equal(module_list(st, 2), 1);
	/* The console destroys the world; then the module goes. */
	fake_worlds[0].live = false;
	assert_int_equal(module_unload((u32)id), 0);
	assert_int_equal(module_list(st, 2), 0);
	assert_int_equal(module_in_use(), mod0);
}

/* worldfail: init starts a world, a file and a timer, then fails. */
static void test_failed_init_takes_worlds(void **state)
{
	struct vmk_module_file f[VMK_MOD_FILES_MAX];
	struct vmk_module_stat st[1];
	unsigned int removals0 = fake_world_removals;
	u64 mod0, ker0;

	(void)state;
	if (!region_near())
		skip();
	mod0 = module_in_use();
	ker0 = kernel_in_use();
	assert_int_equal(module_load(worldfail, worldfail_size), -EIO);
	/* The vmkernel stopped the world itself, before freeing its code. */
	assert_int_equal(fake_world_removals, removals0 + 1);
	for (u32 i = 0; i < FAKE_WORLDS; i++)
		assert_false(fake_worlds[i].live);
	assert_int_equal(module_files(f, VMK_MOD_FILES_MAX), 0);
	assert_int_equal(module_list(st, 1), 0);
	fake_advance(2000000);
	module_timers_run();	/* its timer went too: nothing runs */
	assert_int_equal(module_in_use(), mod0);
	assert_int_equal(kernel_in_use(), ker0);
}

/* profiler: the tick hook counts by code range, idle apart; one hook. */
static void test_module_tick_profile(void **state)
{
	u64 mod0, rip = (u64)(uintptr_t)region + 0x1040;
	const char *t;
	s64 id, id2;

	(void)state;
	if (!region_near())
		skip();
	fake_ncpus = 2;
	mod0 = module_in_use();
	module_tick(0, rip, false);	/* no hook: nothing happens */
	id = module_load(profiler, profiler_size);
	assert_true(id > 0);
	for (int i = 0; i < 3; i++)
		module_tick(0, rip + (u64)i * 8, false);
	module_tick(1, rip + 0x400, false);
	module_tick(1, rip, true);
	module_tick(7, rip, false);	/* a CPU it does not know: ignored */
	t = file_text("profile");
	assert_non_null(strstr(t, "samples 5\n"));
	assert_non_null(strstr(t, "idle 1 20.0%\n"));
	assert_non_null(strstr(t, "\n3 60.0% vmkernel+0x1040\n"));
	assert_non_null(strstr(t, "\n1 20.0% vmkernel+0x1440\n"));
	/* A second hook is refused, and so is a second file of one name. */
	id2 = module_load(helper, helper_size);
	assert_true(id2 > 0);
	assert_int_equal(module_tick_register((module_tick_fn)(uintptr_t)fake_worlds[0].fn),
			 -EBUSY);
	assert_int_equal(module_unload((u32)id2), 0);
	/* Its vmkcall clears the counts and answers how many there were. */
	assert_int_equal(module_call(VMK_CALL_MODULE_BASE + 2, 0, 0, 0, 0), 5);
	assert_non_null(strstr(file_text("profile"), "samples 0\n"));
	assert_int_equal(module_unload((u32)id), 0);
	module_tick(0, rip, false);	/* the hook went with it */
	assert_string_equal(file_text("profile"), "");
	assert_int_equal(module_in_use(), mod0);
}

/* Names a module file may not have, from outside any module. */
static void test_module_file_names(void **state)
{
	(void)state;
	/* Not from a module's code: refused whatever the name. */
	assert_int_equal(module_file_register("x", (module_file_fn)(uintptr_t)&setup), -EINVAL);
	assert_int_equal(module_file_register("version", (module_file_fn)(uintptr_t)&setup), -EINVAL);
	assert_int_equal(module_file_register("Bad", (module_file_fn)(uintptr_t)&setup), -EINVAL);
	assert_int_equal(module_file_register("a/b", (module_file_fn)(uintptr_t)&setup), -EINVAL);
	assert_int_equal(module_file_register("abcdefghijklmnopqrstuvwxyz", (module_file_fn)(uintptr_t)&setup), -EINVAL);
	assert_int_equal(module_world_create("w", (module_world_fn)(uintptr_t)&setup, NULL, 0), -EINVAL);
	assert_int_equal(module_tick_register((module_tick_fn)(uintptr_t)&setup), -EINVAL);
	assert_int_equal(module_world_stop(FAKE_WORLD_ID0), -EPERM);
	assert_int_equal(module_timer_start((module_timer_fn)(uintptr_t)&setup, NULL, 1, 1), -EINVAL);
	assert_int_equal(module_timer_cancel(1), -ENOENT);
}

static void test_dependencies(void **state)
{
	struct vmk_module_stat st[2];
	u64 mod0;
	s64 h, n;

	(void)state;
	if (!region_near())
		skip();
	mod0 = module_in_use();
	assert_int_equal(module_load(needhello, needhello_size), -ENOENT);
	assert_int_equal(module_list(st, 2), 0);
	h = module_load(hello, hello_size);
	assert_true(h > 0);
	n = module_load(needhello, needhello_size);
	assert_true(n > 0);
	assert_int_equal(module_list(st, 2), 2);
	assert_string_equal(st[0].name, "hello");
	assert_int_equal(st[0].refs, 1);
	assert_string_equal(st[1].deps[0], "hello");
	/* hello stays while needhello needs it. */
	assert_int_equal(module_unload((u32)h), -EBUSY);
	assert_int_equal(module_call(VMK_CALL_MODULE_BASE, 1, 1, 0, 0), 2);
	assert_int_equal(module_unload((u32)n), 0);
	assert_int_equal(module_list(st, 2), 1);
	assert_int_equal(st[0].refs, 0);
	assert_int_equal(module_unload((u32)h), 0);
	assert_int_equal(module_in_use(), mod0);
}

static void test_cycles(void **state)
{
	u64 mod0, ker0;

	(void)state;
	if (!region_near())
		skip();
	/* One cycle first: the heap keeps a slab once it has made one. */
	s64 id = module_load(hello, hello_size);
	assert_true(id > 0);
	assert_int_equal(module_unload((u32)id), 0);
	mod0 = module_in_use();
	ker0 = kernel_in_use();
	for (int i = 0; i < 100; i++) {
		id = module_load(hello, hello_size);
		assert_true(id > 0);
		assert_int_equal(module_call(VMK_CALL_MODULE_BASE, (u64)i, 1, 0, 0), i + 1);
		assert_int_equal(module_unload((u32)id), 0);
	}
	assert_int_equal(module_in_use(), mod0);
	assert_int_equal(kernel_in_use(), ker0);
}

/*
 * Mutated modules: each is checked (and relocated if accepted) under the
 * sanitizers; each one the check refuses is refused by module_load too,
 * with the module table and heaps unchanged.  Accepted mutants are not
 * run: their code may be anything.
 */
static void test_fuzz(void **state)
{
	const u32 rounds = 3000;
	u32 refused = 0, accepted = 0;
	u64 mod0, ker0, seed = 0x5eed1234abcdULL;
	struct vmk_module_stat st[1];
	u64 exports[64], init, cleanup;
	struct modelf m;
	u8 *f = malloc(hello_size);

	(void)state;
	assert_non_null(f);
	mod0 = module_in_use();
	ker0 = kernel_in_use();
	for (u32 i = 0; i < modelf_export_count(); i++)
		exports[i] = 0x100000 + 16 * i;
	for (u32 r = 0; r < rounds; r++) {
		size_t n = hello_size;

		memcpy(f, hello, hello_size);
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		u32 kind = (u32)(seed >> 60) % 4, flips = 1 + (u32)(seed >> 56) % 8;
		for (u32 k = 0; k < flips; k++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			size_t at = (size_t)(seed >> 33) % hello_size;
			/* Mostly the headers and tables, where the checks are. */
			if (kind == 0)
				at %= 64;
			else if (kind == 1)
				at = ((struct elf64_ehdr *)hello)->e_shoff +
				     at % (hello_size - ((struct elf64_ehdr *)hello)->e_shoff);
			f[at] = (u8)(seed >> 17);
		}
		if (kind == 3)
			n = (size_t)(seed >> 20) % hello_size;
		if (modelf_check(&m, f, n)) {
			refused++;
			assert_true(module_load(f, n) < 0);
			continue;
		}
		accepted++;
		u8 *img = calloc(1, m.image_size);
		assert_non_null(img);
		(void)modelf_relocate(&m, img, 0x100000 + (1ULL << 20), exports, &init, &cleanup);
		free(img);
	}
	print_message("module fuzz: %u mutants, %u refused, %u accepted\n", rounds,
		      refused, accepted);
	assert_int_equal(refused + accepted, rounds);
	assert_true(refused > rounds / 2);
	assert_int_equal(module_list(st, 1), 0);
	assert_int_equal(module_in_use(), mod0);
	assert_int_equal(kernel_in_use(), ker0);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_modules_pass),
		cmocka_unit_test(test_bad_elf_refused),
		cmocka_unit_test(test_bad_relocations_refused),
		cmocka_unit_test(test_symbols_and_abi_refused),
		cmocka_unit_test(test_size_limits),
		cmocka_unit_test(test_relocation),
		cmocka_unit_test(test_load_call_unload),
		cmocka_unit_test(test_failures_undone),
		cmocka_unit_test(test_module_world_and_file),
		cmocka_unit_test(test_module_world_blocks_unload),
		cmocka_unit_test(test_failed_init_takes_worlds),
		cmocka_unit_test(test_module_tick_profile),
		cmocka_unit_test(test_module_file_names),
		cmocka_unit_test(test_dependencies),
		cmocka_unit_test(test_cycles),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
