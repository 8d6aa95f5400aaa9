// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the vmkcall dispatcher's argument checks
 * (kernel/vmkcall.c) on the fake arch: bad sizes, CPU indices and counts,
 * buffers that arch_guest_ptr() refuses, and unknown call numbers.  The
 * console's memory is a host arena behind the fake guest-pointer hook,
 * which records what each call asked for; bytes outside what it granted
 * must stay untouched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <vmk/console.h>
#include <vmk/errno.h>
#include <vmk/log.h>
#include "cpu_doubles.h"
#include <vmk/machine.h>
#include <vmk/mem.h>
#include "fake.h"
#include "core_env.h"

/* core_env.h quiets the fake arch's stdio log; here kernel/log.c is the
 * log, and the knob is just a variable. */
int fake_log_level;

#define GUEST_BASE	0x100000ULL
#define GUEST_SIZE	(256 * 1024ULL)
#define POISON		0xa5

static u8 *guest;
/* What the last arch_guest_ptr() call asked for, and how many there were. */
static u64 asked_gpa, asked_len, asked_calls;
/* When non-zero, the hook refuses every buffer with this error. */
static int refuse_with;

/* The console's memory: [GUEST_BASE, GUEST_BASE + GUEST_SIZE). */
static void *guest_ptr(u64 gpa, u64 len, int *err)
{
	asked_gpa = gpa;
	asked_len = len;
	asked_calls++;
	if (refuse_with) {
		*err = refuse_with;
		return NULL;
	}
	if (len == 0 || gpa + len < gpa) {
		*err = -EINVAL;
		return NULL;
	}
	if (gpa < GUEST_BASE || gpa + len > GUEST_BASE + GUEST_SIZE) {
		*err = -EFAULT;
		return NULL;
	}
	*err = 0;
	return guest + (gpa - GUEST_BASE);
}

static int setup(void **state)
{
	(void)state;
	fake_set_cpu(0);
	fake_set_now(5000 * 1000000ULL);
	log_init(VMK_LOG_INFO, false);
	guest = malloc(GUEST_SIZE);
	assert_non_null(guest);
	memset(guest, POISON, GUEST_SIZE);
	fake_guest_ptr_hook = guest_ptr;
	asked_gpa = asked_len = asked_calls = 0;
	refuse_with = 0;
	fake_leave_requests = fake_floor_calls = 0;
	fake_ncpus = 4;
	memset(fake_cpu_stats, 0, sizeof(fake_cpu_stats));
	for (u32 i = 0; i < 4; i++) {
		fake_cpu_stats[i].state = i == 2 ? VMK_CPU_OFF : VMK_CPU_CONSOLE;
		fake_cpu_stats[i].apic_id = 10 + i;
		fake_cpu_stats[i].exits_total = 1000 * (i + 1);
		fake_cpu_stats[i].vmk_tsc = 7 * (i + 1);
	}
	/* The world table of a 4-CPU vmkernel whose CPU 2 never entered. */
	env_start(4);
	assert_int_equal(console_init(4), 0);
	for (u32 i = 0; i < 4; i++)
		if (i != 2)
			console_enter(i);
	fake_set_cpu(0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(guest);
	fake_guest_ptr_hook = NULL;
	return env_teardown(state);
}

/* Every byte of the console's memory outside [gpa, gpa + len) is as it was. */
static void assert_only_written(u64 gpa, u64 len)
{
	for (u64 i = 0; i < GUEST_SIZE; i++) {
		u64 a = GUEST_BASE + i;
		if (a >= gpa && a < gpa + len)
			continue;
		if (guest[i] != POISON)
			fail_msg("byte at gpa %#llx written, outside [%#llx, %#llx)",
				 (unsigned long long)a, (unsigned long long)gpa,
				 (unsigned long long)(gpa + len));
	}
}

static void assert_untouched(void)
{
	assert_only_written(0, 0);
}

static s64 call(u64 nr, u64 a0, u64 a1, u64 a2)
{
	return vmkcall_dispatch(nr, a0, a1, a2, 0);
}

static void test_unknown_numbers(void **state)
{
	const u64 nrs[] = { VMK_CALL_COUNT, VMK_CALL_COUNT + 1, 100, 0x7fffffff,
			    0x80000000, (1ULL << 32) | VMK_CALL_INFO,
			    (1ULL << 63) | VMK_CALL_WORLD_LIST, UINT64_MAX };
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(nrs); i++) {
		assert_int_equal(call(nrs[i], GUEST_BASE, 4096, 0), -ENOSYS);
		assert_int_equal(vmkcall_dispatch(nrs[i], UINT64_MAX, UINT64_MAX,
						  UINT64_MAX, UINT64_MAX), -ENOSYS);
	}
	assert_int_equal(asked_calls, 0);
	assert_int_equal(fake_leave_requests, 0);
	assert_int_equal(fake_floor_calls, 0);
	assert_untouched();
}

static void test_info(void **state)
{
	struct vmk_info info;
	const u64 gpa = GUEST_BASE + 64;
	(void)state;

	/* Too small for the structure: refused before any buffer is asked for. */
	assert_int_equal(call(VMK_CALL_INFO, gpa, 0, 0), -EINVAL);
	assert_int_equal(call(VMK_CALL_INFO, gpa, sizeof(info) - 1, 0), -EINVAL);
	assert_int_equal(asked_calls, 0);
	assert_untouched();

	/* Bigger than the structure: only the structure is asked for and written. */
	log_info("something");
	for (u64 size = sizeof(info); size; size = size < (1ULL << 40) ? size << 20 : 0) {
		memset(guest, POISON, GUEST_SIZE);
		assert_int_equal(call(VMK_CALL_INFO, gpa, size, 0), 0);
		assert_int_equal(asked_gpa, gpa);
		assert_int_equal(asked_len, sizeof(info));
		assert_only_written(gpa, sizeof(info));
		memcpy(&info, guest + (gpa - GUEST_BASE), sizeof(info));
		assert_int_equal(info.call_version, VMK_CALL_VERSION);
		assert_int_equal(info.abi_version, VMK_ABI_VERSION);
		assert_int_equal(info.ncpus, 4);
		assert_int_equal(info.log_head, log_head());
		assert_true(info.log_head > 0);
	}

	/* Buffers the arch refuses: its error, nothing written. */
	memset(guest, POISON, GUEST_SIZE);
	assert_int_equal(call(VMK_CALL_INFO, GUEST_BASE + GUEST_SIZE - sizeof(info) + 1,
			      sizeof(info), 0), -EFAULT);
	assert_int_equal(call(VMK_CALL_INFO, UINT64_MAX - 8, sizeof(info), 0), -EINVAL);
	assert_int_equal(call(VMK_CALL_INFO, 0, sizeof(info), 0), -EFAULT);
	refuse_with = -EFAULT;
	assert_int_equal(call(VMK_CALL_INFO, gpa, sizeof(info), 0), -EFAULT);
	refuse_with = -EINVAL;
	assert_int_equal(call(VMK_CALL_INFO, gpa, sizeof(info), 0), -EINVAL);
	assert_untouched();

	/* No hook: the fake machine lends no memory at all. */
	fake_guest_ptr_hook = NULL;
	assert_int_equal(call(VMK_CALL_INFO, gpa, sizeof(info), 0), -EFAULT);
}

static void test_log_read(void **state)
{
	char want[512];
	u64 next, n, head;
	const u64 gpa = GUEST_BASE + 1000;
	(void)state;

	log_info("first line");
	log_warn("second line");
	head = log_head();
	n = log_read(want, sizeof(want), 0, &next);
	assert_int_equal(n, head);

	/* Zero bytes: nothing to do, no buffer asked for, whatever the address. */
	assert_int_equal(call(VMK_CALL_LOG_READ, UINT64_MAX, 0, 0), 0);
	assert_int_equal(call(VMK_CALL_LOG_READ, 0, 0, UINT64_MAX), 0);
	assert_int_equal(asked_calls, 0);

	/* A whole read, a partial one, one from the middle, one past the end. */
	assert_int_equal(call(VMK_CALL_LOG_READ, gpa, 4096, 0), (s64)head);
	assert_int_equal(asked_gpa, gpa);
	assert_int_equal(asked_len, 4096);
	assert_memory_equal(guest + (gpa - GUEST_BASE), want, head);
	assert_only_written(gpa, head);

	memset(guest, POISON, GUEST_SIZE);
	assert_int_equal(call(VMK_CALL_LOG_READ, gpa, 10, 0), 10);
	assert_memory_equal(guest + (gpa - GUEST_BASE), want, 10);
	assert_only_written(gpa, 10);

	memset(guest, POISON, GUEST_SIZE);
	assert_int_equal(call(VMK_CALL_LOG_READ, gpa, 4096, 5), (s64)(head - 5));
	assert_memory_equal(guest + (gpa - GUEST_BASE), want + 5, head - 5);
	assert_only_written(gpa, head - 5);

	memset(guest, POISON, GUEST_SIZE);
	assert_int_equal(call(VMK_CALL_LOG_READ, gpa, 4096, head), 0);
	assert_int_equal(call(VMK_CALL_LOG_READ, gpa, 4096, UINT64_MAX), 0);
	assert_untouched();

	/* Buffers the arch refuses. */
	assert_int_equal(call(VMK_CALL_LOG_READ, gpa, GUEST_SIZE, 0), -EFAULT);
	assert_int_equal(asked_len, GUEST_SIZE);
	assert_int_equal(call(VMK_CALL_LOG_READ, gpa, UINT64_MAX, 0), -EINVAL);
	assert_int_equal(call(VMK_CALL_LOG_READ, UINT64_MAX - 100, 4096, 0), -EINVAL);
	assert_int_equal(call(VMK_CALL_LOG_READ, GUEST_BASE - 1, 2, 0), -EFAULT);
	refuse_with = -EFAULT;
	assert_int_equal(call(VMK_CALL_LOG_READ, gpa, 1, 0), -EFAULT);
	assert_untouched();
}

static void test_cpu_stats(void **state)
{
	struct vmk_cpu_stats st;
	const u64 gpa = GUEST_BASE + 8192;
	const u64 bad[] = { 4, 5, VMK_MAX_CPUS, VMK_MAX_CPUS + 1, 0x7fffffff,
			    1ULL << 32, (1ULL << 32) + 1, UINT64_MAX };
	(void)state;

	/* CPU indices past the last CPU, including ones that truncate to a good one. */
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(call(VMK_CALL_CPU_STATS, bad[i], gpa, sizeof(st)), -EINVAL);
	/* Too small. */
	assert_int_equal(call(VMK_CALL_CPU_STATS, 0, gpa, 0), -EINVAL);
	assert_int_equal(call(VMK_CALL_CPU_STATS, 0, gpa, sizeof(st) - 1), -EINVAL);
	assert_int_equal(asked_calls, 0);
	assert_untouched();

	for (u32 cpu = 0; cpu < 4; cpu++) {
		memset(guest, POISON, GUEST_SIZE);
		assert_int_equal(call(VMK_CALL_CPU_STATS, cpu, gpa, sizeof(st) + 100), 0);
		assert_int_equal(asked_gpa, gpa);
		assert_int_equal(asked_len, sizeof(st));
		assert_only_written(gpa, sizeof(st));
		memcpy(&st, guest + (gpa - GUEST_BASE), sizeof(st));
		assert_int_equal(st.index, cpu);
		assert_int_equal(st.apic_id, 10 + cpu);
		assert_int_equal(st.exits_total, 1000 * (cpu + 1));
	}

	/* One CPU: index 1 is now out of range. */
	fake_ncpus = 1;
	assert_int_equal(call(VMK_CALL_CPU_STATS, 1, gpa, sizeof(st)), -EINVAL);

	memset(guest, POISON, GUEST_SIZE);
	assert_int_equal(call(VMK_CALL_CPU_STATS, 0, UINT64_MAX - 1, sizeof(st)), -EINVAL);
	assert_int_equal(call(VMK_CALL_CPU_STATS, 0, GUEST_BASE + GUEST_SIZE, sizeof(st)), -EFAULT);
	refuse_with = -EFAULT;
	assert_int_equal(call(VMK_CALL_CPU_STATS, 0, gpa, sizeof(st)), -EFAULT);
	assert_untouched();
}

static void test_world_list(void **state)
{
	struct vmk_world_info w[8];
	const u64 gpa = GUEST_BASE + 16384;
	const u64 bad[] = { 0, VMK_WORLD_LIST_MAX + 1, 1ULL << 32, (1ULL << 32) + 2,
			    UINT64_MAX };
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(call(VMK_CALL_WORLD_LIST, gpa, bad[i], 0), -EINVAL);
	assert_int_equal(asked_calls, 0);
	assert_untouched();

	/* Fewer slots than worlds: that many, and only that much asked for. */
	assert_int_equal(call(VMK_CALL_WORLD_LIST, gpa, 2, 0), 2);
	assert_int_equal(asked_len, 2 * sizeof(w[0]));
	assert_only_written(gpa, 2 * sizeof(w[0]));

	/* More slots than worlds: the buffer is the caller's max, but only
	 * the worlds are written: an idle and a console world per CPU. */
	for (u64 max = 8; max <= VMK_WORLD_LIST_MAX; max += 248) {
		memset(guest, POISON, GUEST_SIZE);
		assert_int_equal(call(VMK_CALL_WORLD_LIST, gpa, max, 0), 8);
		assert_int_equal(asked_gpa, gpa);
		assert_int_equal(asked_len, max * sizeof(w[0]));
		assert_only_written(gpa, sizeof(w));
	}
	memcpy(w, guest + (gpa - GUEST_BASE), sizeof(w));
	for (u32 i = 0; i < 4; i++) {
		struct vmk_world_info *idle = &w[i], *con = &w[4 + i];
		char name[32];

		snprintf(name, sizeof(name), "idle%02u", i);
		assert_string_equal(idle->name, name);
		assert_int_equal(idle->id, 1024 + i);
		assert_int_equal(idle->type, VMK_WORLD_IDLE);
		/* Idle runs only where the console never came. */
		assert_int_equal(idle->state, i == 2 ? VMK_WORLD_RUNNING : VMK_WORLD_WAITING);
		snprintf(name, sizeof(name), "console%u", i);
		assert_string_equal(con->name, name);
		assert_int_equal(con->id, 1028 + i);
		assert_int_equal(con->type, VMK_WORLD_CONSOLE);
		assert_int_equal(con->state, i == 2 ? VMK_WORLD_NEW : VMK_WORLD_RUNNING);
		assert_int_equal(con->cpu, i);
		assert_int_equal(con->shares, CONSOLE_SHARES);
		assert_int_equal(con->exits, 1000 * (i + 1));
		assert_int_equal(con->vmk_tsc, 7 * (i + 1));
		assert_int_equal(idle->exits, 0);
	}

	/* A listing in chunks: each goes on where the last one stopped. */
	assert_int_equal(call(VMK_CALL_WORLD_LIST, gpa, 3, 0), 3);
	memcpy(w, guest + (gpa - GUEST_BASE), 3 * sizeof(w[0]));
	assert_int_equal(call(VMK_CALL_WORLD_LIST, gpa, 8, w[2].next), 5);
	memcpy(w, guest + (gpa - GUEST_BASE), sizeof(w[0]));
	assert_int_equal(w[0].id, 1027);
	/* A cursor past the end, even one that would wrap a u32, finds none. */
	assert_int_equal(call(VMK_CALL_WORLD_LIST, gpa, 8, 1ULL << 32), 0);
	assert_int_equal(call(VMK_CALL_WORLD_LIST, gpa, 8, UINT64_MAX), 0);

	/* Refused buffers: one that ends past the console's memory, one that wraps. */
	memset(guest, POISON, GUEST_SIZE);
	assert_int_equal(call(VMK_CALL_WORLD_LIST, GUEST_BASE + GUEST_SIZE - 4 * sizeof(w[0]) + 1,
			      4, 0), -EFAULT);
	assert_int_equal(call(VMK_CALL_WORLD_LIST, UINT64_MAX - 64, 4, 0), -EINVAL);
	refuse_with = -EFAULT;
	assert_int_equal(call(VMK_CALL_WORLD_LIST, gpa, 4, 0), -EFAULT);
	assert_untouched();
}

static void test_mem_info(void **state)
{
	static void *region;
	struct vmk_mem_info mi;
	const u64 gpa = GUEST_BASE + 8192;
	(void)state;

	/* The heaps' names are global: one memory for the whole program. */
	if (!region) {
		region = aligned_alloc(PAGE_SIZE, 8ULL << 20);
		assert_non_null(region);
		assert_int_equal(mem_init(pa(0x40000000), 8ULL << 20, region, 100000), 0);
	}
	assert_int_equal(call(VMK_CALL_MEM_INFO, gpa, sizeof(mi) - 1, 0), -EINVAL);
	assert_int_equal(asked_calls, 0);
	assert_non_null(heap_alloc_pages(mem_heap(MEM_HEAP_MACHINE), 2));
	assert_int_equal(call(VMK_CALL_MEM_INFO, gpa, sizeof(mi), 0), 0);
	assert_only_written(gpa, sizeof(mi));
	memcpy(&mi, guest + (gpa - GUEST_BASE), sizeof(mi));
	assert_int_equal(mi.total, 8ULL << 20);
	assert_int_equal(mi.image, ALIGN_UP(100000, PAGE_SIZE));
	assert_true(mi.meta > 0 && mi.meta < (64 << 10));
	assert_int_equal(mi.free, mem_total() - mem_used());
	assert_int_equal(mi.total - mi.free, mi.image + mi.meta + mem_heap(MEM_HEAP_MACHINE)->st.held);
	/* Its three heaps, among the test environment's. */
	bool seen = false;
	for (u32 i = 0; i < mi.nheaps; i++) {
		if (strcmp(mi.heaps[i].name, "machine"))
			continue;
		seen = true;
		assert_int_equal(mi.heaps[i].held, mem_heap(MEM_HEAP_MACHINE)->st.held);
		assert_true(mi.heaps[i].held >= 4 * PAGE_SIZE);
		assert_true(mi.heaps[i].in_use_hwm >= mi.heaps[i].in_use);
	}
	assert_true(seen);
	refuse_with = -EFAULT;
	memset(guest, POISON, GUEST_SIZE);
	assert_int_equal(call(VMK_CALL_MEM_INFO, gpa, sizeof(mi), 0), -EFAULT);
	assert_untouched();
}

static void test_floor(void **state)
{
	const u64 gpa = GUEST_BASE;
	/* (1 << 61) + 1 samples would be 8 bytes if the size wrapped. */
	const u64 bad[] = { 0, VMK_FLOOR_MAX + 1, 1ULL << 32, (1ULL << 61) + 1,
			    UINT64_MAX };
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(call(VMK_CALL_FLOOR, bad[i], gpa, 0), -EINVAL);
	assert_int_equal(asked_calls, 0);
	assert_int_equal(fake_floor_calls, 0);
	assert_untouched();

	/* 1, 8, ... VMK_FLOOR_MAX (a power of 8). */
	for (u64 count = 1; count <= VMK_FLOOR_MAX; count *= 8) {
		u64 *s = (u64 *)(guest + (gpa - GUEST_BASE));

		memset(guest, POISON, GUEST_SIZE);
		assert_int_equal(call(VMK_CALL_FLOOR, count, gpa, 0), (s64)count);
		assert_int_equal(asked_len, count * sizeof(u64));
		assert_only_written(gpa, count * sizeof(u64));
		assert_int_equal(s[0], 1);
		assert_int_equal(s[count - 1], count);
	}

	/* Refused buffers: the floor is not run. */
	fake_floor_calls = 0;
	memset(guest, POISON, GUEST_SIZE);
	assert_int_equal(call(VMK_CALL_FLOOR, VMK_FLOOR_MAX, GUEST_BASE + GUEST_SIZE - 8, 0),
			 -EFAULT);
	assert_int_equal(call(VMK_CALL_FLOOR, 2, UINT64_MAX - 8, 0), -EINVAL);
	refuse_with = -EFAULT;
	assert_int_equal(call(VMK_CALL_FLOOR, 1, gpa, 0), -EFAULT);
	assert_int_equal(fake_floor_calls, 0);
	assert_untouched();
}

/* The VM calls: sizes, IDs and lengths are checked, and refused buffers
 * refused, before vm.c sees anything; a structure reaches it as a copy. */
static void test_vm_calls(void **state)
{
	const u64 gpa = GUEST_BASE;
	struct vmk_vm_config *c = (struct vmk_vm_config *)(guest + (gpa - GUEST_BASE));
	(void)state;

	vm_calls = 0;
	assert_int_equal(call(VMK_CALL_VM_CREATE, gpa, sizeof(*c) - 1, 0), -EINVAL);
	assert_int_equal(call(VMK_CALL_VM_SET, gpa, 0, 0), -EINVAL);
	assert_int_equal(call(VMK_CALL_VM_START, 1, gpa, sizeof(struct vmk_vm_boot) - 1),
			 -EINVAL);
	assert_int_equal(call(VMK_CALL_VM_INFO, 1, gpa, sizeof(struct vmk_vm_info) - 1),
			 -EINVAL);
	/* No VM has ID 0 or one above 32 bits. */
	assert_int_equal(call(VMK_CALL_VM_STOP, 0, 0, 0), -ENOENT);
	assert_int_equal(call(VMK_CALL_VM_RESET, 1ULL << 32, 0, 0), -ENOENT);
	assert_int_equal(call(VMK_CALL_VM_DESTROY, 1ULL << 33, 0, 0), -ENOENT);
	/* Stop and reset: mode 0 or 1, nothing else taken for either. */
	assert_int_equal(call(VMK_CALL_VM_STOP, 1, 2, 0), -EINVAL);
	assert_int_equal(call(VMK_CALL_VM_STOP, 1, 1ULL << 32, 0), -EINVAL);
	assert_int_equal(call(VMK_CALL_VM_RESET, 1, 2, 0), -EINVAL);
	assert_int_equal(call(VMK_CALL_VM_RESET, 1, ~0ULL, 0), -EINVAL);
	assert_int_equal(call(VMK_CALL_VM_INFO, 0, gpa, sizeof(struct vmk_vm_info)),
			 -ENOENT);
	/* Writes: 1 .. VMK_VM_WRITE_MAX bytes. */
	assert_int_equal(vmkcall_dispatch(VMK_CALL_VM_WRITE, 1, 0, gpa, 0), -EINVAL);
	assert_int_equal(vmkcall_dispatch(VMK_CALL_VM_WRITE, 1, 0, gpa,
					  VMK_VM_WRITE_MAX + 1), -EINVAL);
	assert_int_equal(vmkcall_dispatch(VMK_CALL_VM_SERIAL_READ, 1, gpa,
					  VMK_VM_SERIAL_SIZE + 1, 0), -EINVAL);
	assert_int_equal(vm_calls, 0);
	assert_untouched();

	/* Refused buffers never reach vm.c. */
	refuse_with = -EFAULT;
	assert_int_equal(call(VMK_CALL_VM_CREATE, gpa, sizeof(*c), 0), -EFAULT);
	assert_int_equal(vmkcall_dispatch(VMK_CALL_VM_WRITE, 1, 0, gpa, 16), -EFAULT);
	assert_int_equal(vmkcall_dispatch(VMK_CALL_VM_SERIAL_READ, 1, gpa, 16, 0), -EFAULT);
	assert_int_equal(vm_calls, 0);
	refuse_with = 0;

	/* Good ones do, with what was asked. */
	memset(c, 0, sizeof(*c));
	strcpy(c->name, "vm1");
	c->memsize_mb = 16;
	assert_int_equal(call(VMK_CALL_VM_CREATE, gpa, sizeof(*c), 0), 1);
	assert_string_equal(vm_last_config.name, "vm1");
	assert_int_equal(vm_last_config.memsize_mb, 16);
	assert_int_equal(vmkcall_dispatch(VMK_CALL_VM_WRITE, 7, 0x100000, gpa,
					  VMK_VM_WRITE_MAX), 0);
	assert_int_equal(vm_last_id, 7);
	assert_int_equal(vm_last_len, VMK_VM_WRITE_MAX);
	assert_int_equal(call(VMK_CALL_VM_INFO, 9, gpa, sizeof(struct vmk_vm_info)), 0);
	assert_int_equal(((struct vmk_vm_info *)c)->id, 9);
	assert_only_written(gpa, sizeof(struct vmk_vm_info));
	assert_int_equal(call(VMK_CALL_VM_STOP, 5, VMK_VM_STOP_HARD, 0), 0);
	assert_int_equal(vm_last_id, 5);
	assert_int_equal(vm_last_how, VMK_VM_STOP_HARD);
	assert_int_equal(call(VMK_CALL_VM_RESET, 6, VMK_VM_RESET_SOFT, 0), 0);
	assert_int_equal(vm_last_id, 6);
	assert_int_equal(vm_last_how, VMK_VM_RESET_SOFT);
	assert_int_equal(vm_calls, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unknown_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_world_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mem_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_floor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_calls, setup, teardown),
	};

	return cmocka_run_group_tests_name("vmkcall", tests, NULL, NULL);
}
