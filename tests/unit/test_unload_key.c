// SPDX-License-Identifier: GPL-2.0
/*
 * The load key of VMK_CALL_UNLOAD (vmkernel/kernel/vmkcall.c): only the
 * key the shim gave at load takes a CPU out of the vmkernel; any other
 * first argument, a zero key, or an UNLOAD before any key was set is
 * answered -EINVAL and requests nothing; the same holds for giving and
 * taking a CPU, and for loading and unloading a vmkernel module.
 * vmkcall.c is linked alone, with the machine hooks and the module table
 * it calls played here and kernel/cpu.c's entry points by cpu_doubles.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <vmk/errno.h>
#include <vmk/log.h>
#include <vmk/machine.h>
#include <vmk/mem.h>
#include <vmk/module.h>
#include <vmk/world.h>
#include "cpu_doubles.h"

#define KEY 0x9e3779b97f4a7c15ULL

static unsigned int leave_requests;

void arch_request_leave(void)
{
	leave_requests++;
}

/* The rest is not reached by UNLOAD; each refuses, so a stray use shows. */
void *arch_guest_ptr(u64 gpa, u64 len, int *err)
{
	(void)gpa;
	(void)len;
	*err = -EFAULT;
	return NULL;
}

u32 arch_ncpus(void)
{
	return 1;
}

void arch_fill_info(struct vmk_info *info)
{
	(void)info;
}

int arch_cpu_stats(u32 index, struct vmk_cpu_stats *st)
{
	(void)index;
	(void)st;
	return -EINVAL;
}

u64 arch_now_ns(void)
{
	return 0;
}

u64 arch_image_checksum(void)
{
	return 0;
}

s64 arch_floor(u64 count, u64 *samples)
{
	(void)count;
	(void)samples;
	return -EINVAL;
}

bool world_info_next(u32 *cursor, struct vmk_world_info *out)
{
	(void)cursor;
	(void)out;
	return false;
}

void mem_info(struct vmk_mem_info *out)
{
	(void)out;
}

u64 log_read(char *buf, u64 len, u64 from, u64 *next)
{
	(void)buf;
	(void)len;
	*next = from;
	return 0;
}

static unsigned int module_loads, module_unloads;
static u32 module_unloaded_id;

s64 module_load(const void *file, u64 size)
{
	(void)file;
	(void)size;
	module_loads++;
	return 1;
}

int module_unload(u32 id)
{
	module_unloads++;
	module_unloaded_id = id;
	return 0;
}

u32 module_list(struct vmk_module_stat *out, u32 max)
{
	(void)out;
	(void)max;
	return 0;
}

s64 module_call(u64 nr, u64 a0, u64 a1, u64 a2, u64 a3)
{
	(void)nr, (void)a0, (void)a1, (void)a2, (void)a3;
	return -ENOSYS;
}

u32 module_files(struct vmk_module_file *out, u32 max)
{
	(void)out;
	(void)max;
	return 0;
}

s64 module_file_read(u32 id, char *out, u64 len)
{
	(void)id, (void)out, (void)len;
	return -ENOENT;
}

static s64 unload(u64 key)
{
	return vmkcall_dispatch(VMK_CALL_UNLOAD, key, 1, 2, 3);
}

/* Runs first: no key has been set in this process yet. */
static void test_refused_before_a_key(void **state)
{
	(void)state;
	leave_requests = 0;
	assert_int_equal(unload(0), -EINVAL);
	assert_int_equal(unload(KEY), -EINVAL);
	assert_int_equal(unload(~0ULL), -EINVAL);
	assert_int_equal(leave_requests, 0);
}

static void test_zero_key_refused(void **state)
{
	(void)state;
	leave_requests = 0;
	assert_int_equal(vmkcall_init(0), -EINVAL);
	assert_int_equal(unload(0), -EINVAL);
	assert_int_equal(leave_requests, 0);
}

static void test_wrong_keys_refused(void **state)
{
	u64 x = 88172645463325252ULL;

	(void)state;
	leave_requests = 0;
	assert_int_equal(vmkcall_init(KEY), 0);
	assert_int_equal(unload(0), -EINVAL);
	assert_int_equal(unload(KEY + 1), -EINVAL);
	assert_int_equal(unload(KEY - 1), -EINVAL);
	assert_int_equal(unload(~KEY), -EINVAL);
	for (int bit = 0; bit < 64; bit++)
		assert_int_equal(unload(KEY ^ (1ULL << bit)), -EINVAL);
	for (int i = 0; i < 100000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (x != KEY)
			assert_int_equal(unload(x), -EINVAL);
	}
	/* The key in another argument does not count either. */
	assert_int_equal(vmkcall_dispatch(VMK_CALL_UNLOAD, 0, KEY, KEY, KEY), -EINVAL);
	assert_int_equal(leave_requests, 0);
}

static void test_the_key_unloads(void **state)
{
	(void)state;
	leave_requests = 0;
	assert_int_equal(vmkcall_init(KEY), 0);
	assert_int_equal(unload(KEY), 0);
	assert_int_equal(leave_requests, 1);
	assert_int_equal(vmkcall_dispatch(VMK_CALL_UNLOAD, KEY, ~0ULL, 0, ~0ULL), 0);
	assert_int_equal(leave_requests, 2);
}

static void test_a_new_load_replaces_the_key(void **state)
{
	(void)state;
	leave_requests = 0;
	assert_int_equal(vmkcall_init(KEY), 0);
	assert_int_equal(vmkcall_init(KEY + 2), 0);
	assert_int_equal(unload(KEY), -EINVAL);
	assert_int_equal(leave_requests, 0);
	assert_int_equal(unload(KEY + 2), 0);
	assert_int_equal(leave_requests, 1);
}

/* Giving and taking a CPU change what the vmkernel owns: key first. */
static void test_cpu_give_take_need_the_key(void **state)
{
	(void)state;
	cpu_gives = cpu_takes = 0;
	assert_int_equal(vmkcall_init(KEY), 0);
	assert_int_equal(vmkcall_dispatch(VMK_CALL_CPU_GIVE, 1, KEY, 0, 0), -EINVAL);
	assert_int_equal(vmkcall_dispatch(VMK_CALL_CPU_TAKE, 0, 1, 0, 0), -EINVAL);
	assert_int_equal(vmkcall_dispatch(VMK_CALL_CPU_GIVE, KEY + 1, 1, 0, 0), -EINVAL);
	assert_int_equal(cpu_gives + cpu_takes, 0);
	/* A CPU index beyond any the ABI knows is refused too. */
	assert_int_equal(vmkcall_dispatch(VMK_CALL_CPU_GIVE, KEY, VMK_MAX_CPUS, 0, 0), -EINVAL);
	assert_int_equal(cpu_gives, 0);
	assert_int_equal(vmkcall_dispatch(VMK_CALL_CPU_GIVE, KEY, 3, 0, 0), 0);
	assert_int_equal(cpu_gives, 1);
	assert_int_equal(cpu_last_index, 3);
	assert_int_equal(vmkcall_dispatch(VMK_CALL_CPU_TAKE, KEY, 2, 0, 0), 0);
	assert_int_equal(cpu_takes, 1);
	assert_int_equal(cpu_last_index, 2);
}

static void test_modules_need_the_key(void **state)
{
	(void)state;
	module_loads = module_unloads = 0;
	assert_int_equal(vmkcall_init(KEY), 0);
	assert_int_equal(vmkcall_dispatch(VMK_CALL_MODULE_LOAD, 0, 4096, 100, 0), -EINVAL);
	assert_int_equal(vmkcall_dispatch(VMK_CALL_MODULE_LOAD, KEY + 1, 4096, 100, 0), -EINVAL);
	assert_int_equal(vmkcall_dispatch(VMK_CALL_MODULE_LOAD, 4096, KEY, 100, 0), -EINVAL);
	assert_int_equal(vmkcall_dispatch(VMK_CALL_MODULE_UNLOAD, 0, 7, 0, 0), -EINVAL);
	assert_int_equal(vmkcall_dispatch(VMK_CALL_MODULE_UNLOAD, KEY ^ 1, 7, 0, 0), -EINVAL);
	assert_int_equal(module_loads, 0);
	assert_int_equal(module_unloads, 0);
	assert_int_equal(vmkcall_dispatch(VMK_CALL_MODULE_UNLOAD, KEY, 7, 0, 0), 0);
	assert_int_equal(module_unloads, 1);
	assert_int_equal(module_unloaded_id, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused_before_a_key),
		cmocka_unit_test(test_zero_key_refused),
		cmocka_unit_test(test_wrong_keys_refused),
		cmocka_unit_test(test_the_key_unloads),
		cmocka_unit_test(test_a_new_load_replaces_the_key),
		cmocka_unit_test(test_cpu_give_take_need_the_key),
		cmocka_unit_test(test_modules_need_the_key),
	};

	return cmocka_run_group_tests_name("unload_key", tests, NULL, NULL);
}
