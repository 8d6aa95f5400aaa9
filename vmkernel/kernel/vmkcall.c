// SPDX-License-Identifier: GPL-2.0
/*
 * vmkcalls: the console's way into the vmkernel.  The arch layer checks
 * the caller's privilege (CPL 0 only) and passes the call number and four
 * arguments here; the result is >= 0 or a negative errno.  Every argument
 * is untrusted: buffers go through arch_guest_ptr(), which refuses any
 * that touch the vmkernel's own memory, and sizes are checked against the
 * structure they carry.  A call that changes what the vmkernel owns must
 * carry the load's key (vmnix_abi.h), which only the shim knows.
 */
#include <vmk/arch.h>
#include <vmk/cpu.h>
#include <vmk/errno.h>
#include <vmk/format.h>
#include <vmk/log.h>
#include <vmk/machine.h>
#include <vmk/mem.h>
#include <vmk/module.h>
#include <vmk/string.h>
#include <vmk/vm.h>
#include <vmk/world.h>
#include <vmk/sysworld.h>

/* This load's key (vmk_boot_info.load_key); 0 until vmkcall_init. */
static u64 load_key;

int vmkcall_init(u64 key)
{
	if (key == 0)
		return -EINVAL;
	load_key = key;
	return 0;
}

/* Whether a state-changing call came from the shim's own protocol. */
static bool key_valid(u64 key)
{
	return load_key != 0 && key == load_key;
}

static s64 call_info(u64 gpa, u64 size)
{
	struct vmk_info info;
	int err;

	if (size < sizeof(info))
		return -EINVAL;
	void *p = arch_guest_ptr(gpa, sizeof(info), &err);
	if (!p)
		return err;
	arch_fill_info(&info);
	memcpy(p, &info, sizeof(info));
	return 0;
}

static s64 call_log_read(u64 gpa, u64 len, u64 from)
{
	int err;
	u64 next;

	if (len == 0)
		return 0;
	char *p = arch_guest_ptr(gpa, len, &err);
	if (!p)
		return err;
	return (s64)log_read(p, len, from, &next);
}

static s64 call_cpu_stats(u64 index, u64 gpa, u64 size)
{
	struct vmk_cpu_stats st;
	int err;

	if (size < sizeof(st) || index >= arch_ncpus())
		return -EINVAL;
	void *p = arch_guest_ptr(gpa, sizeof(st), &err);
	if (!p)
		return err;
	err = arch_cpu_stats((u32)index, &st);
	if (err)
		return err;
	cpu_fill_stats((u32)index, &st);
	st.now_ns = arch_now_ns();
	memcpy(p, &st, sizeof(st));
	return 0;
}

static s64 call_world_list(u64 gpa, u64 max, u64 cursor)
{
	struct vmk_world_info wi;
	u32 n = 0, at = (u32)MIN(cursor, (u64)WORLD_MAX);
	int err;

	if (max == 0 || max > VMK_WORLD_LIST_MAX)
		return -EINVAL;
	struct vmk_world_info *w = arch_guest_ptr(gpa, max * sizeof(*w), &err);
	if (!w)
		return err;
	while (n < max && world_info_next(&at, &wi)) {
		struct vmk_cpu_stats st;

		/* A console world's work in the vmkernel is its CPU's exits. */
		if (wi.type == VMK_WORLD_CONSOLE && !arch_cpu_stats(wi.cpu, &st)) {
			wi.exits = st.exits_total;
			wi.vmk_tsc = st.vmk_tsc;
		}
		memcpy(&w[n++], &wi, sizeof(wi));
	}
	return n;
}

static s64 call_mem_info(u64 gpa, u64 size)
{
	struct vmk_mem_info *mi;
	int err;

	if (size < sizeof(*mi))
		return -EINVAL;
	mi = arch_guest_ptr(gpa, sizeof(*mi), &err);
	if (!mi)
		return err;
	/* Straight into the console's buffer: it is too big for the stack. */
	mem_info(mi);
	return 0;
}

static s64 call_floor(u64 count, u64 gpa)
{
	int err;

	if (count == 0 || count > VMK_FLOOR_MAX)
		return -EINVAL;
	u64 *samples = arch_guest_ptr(gpa, count * sizeof(u64), &err);
	if (!samples)
		return err;
	return arch_floor(count, samples);
}

/* A console-made world request, copied in before it is checked, so the
 * console cannot change it between the check and the use. */
static s64 call_world_req(u64 nr, u64 gpa, u64 size)
{
	struct vmk_world_req r;
	int err;

	if (size < sizeof(r))
		return -EINVAL;
	const void *p = arch_guest_ptr(gpa, sizeof(r), &err);
	if (!p)
		return err;
	memcpy(&r, p, sizeof(r));
	return nr == VMK_CALL_WORLD_CREATE ? sysworld_create(&r) : sysworld_set(&r);
}

static s64 call_world_stats(u64 id, u64 gpa, u64 size)
{
	struct vmk_world_stats st;
	int err;

	if (size < sizeof(st) || id > 0xffffffffULL)
		return -EINVAL;
	void *p = arch_guest_ptr(gpa, sizeof(st), &err);
	if (!p)
		return err;
	s64 ret = sysworld_stats((u32)id, &st);
	if (ret)
		return ret;
	memcpy(p, &st, sizeof(st));
	return 0;
}

static s64 call_module_load(u64 key, u64 gpa, u64 size)
{
	int err;

	if (!key_valid(key))
		return -EINVAL;
	if (size == 0 || size > VMK_MOD_FILE_MAX)
		return -E2BIG;
	const void *p = arch_guest_ptr(gpa, size, &err);
	if (!p)
		return err;
	return module_load(p, size);
}

static s64 call_module_list(u64 gpa, u64 max)
{
	struct vmk_module_stat *out;
	int err;

	if (max == 0 || max > VMK_MOD_LOADED_MAX)
		return -EINVAL;
	out = arch_guest_ptr(gpa, max * sizeof(*out), &err);
	if (!out)
		return err;
	return module_list(out, (u32)max);
}

/* ---- virtual machines: structures are copied in before vm.c checks
 * them, so the console cannot change one between the check and the use. */

static bool vm_id_ok(u64 id)
{
	return id > 0 && id <= 0xffffffffULL;
}

/* VM_STOP's VMK_VM_STOP_* and VM_RESET's VMK_VM_RESET_*: 0 (soft and
 * hard respectively) or 1; anything else is no mode, not a soft one. */
static s64 call_vm_power(u64 nr, u64 id, u64 how)
{
	if (!vm_id_ok(id))
		return -ENOENT;
	if (how > 1)
		return -EINVAL;
	return nr == VMK_CALL_VM_STOP ? vm_stop((u32)id, (u32)how) : vm_reset((u32)id, (u32)how);
}

static s64 call_vm_config(u64 nr, u64 gpa, u64 size)
{
	struct vmk_vm_config c;
	int err;

	if (size < sizeof(c))
		return -EINVAL;
	const void *p = arch_guest_ptr(gpa, sizeof(c), &err);
	if (!p)
		return err;
	memcpy(&c, p, sizeof(c));
	return nr == VMK_CALL_VM_CREATE ? vm_create(&c) : vm_set(&c);
}

static s64 call_vm_write(u64 id, u64 vgpa, u64 gpa, u64 len)
{
	int err;

	if (!vm_id_ok(id))
		return -ENOENT;
	if (len == 0 || len > VMK_VM_WRITE_MAX)
		return -EINVAL;
	const void *p = arch_guest_ptr(gpa, len, &err);
	if (!p)
		return err;
	return vm_load((u32)id, vgpa, p, len);
}

static s64 call_vm_start(u64 id, u64 gpa, u64 size)
{
	struct vmk_vm_boot b;
	int err;

	if (!vm_id_ok(id))
		return -ENOENT;
	if (size < sizeof(b))
		return -EINVAL;
	const void *p = arch_guest_ptr(gpa, sizeof(b), &err);
	if (!p)
		return err;
	memcpy(&b, p, sizeof(b));
	return vm_start((u32)id, &b);
}

static s64 call_vm_info(u64 id, u64 gpa, u64 size)
{
	struct vmk_vm_info info;
	int err;

	if (!vm_id_ok(id))
		return -ENOENT;
	if (size < sizeof(info))
		return -EINVAL;
	void *p = arch_guest_ptr(gpa, sizeof(info), &err);
	if (!p)
		return err;
	s64 ret = vm_info((u32)id, &info);
	if (ret)
		return ret;
	memcpy(p, &info, sizeof(info));
	return 0;
}

static s64 call_vm_serial(u64 nr, u64 id, u64 gpa, u64 len, u64 from)
{
	int err;

	if (!vm_id_ok(id))
		return -ENOENT;
	if (len == 0)
		return 0;
	if (len > VMK_VM_SERIAL_SIZE)
		return -EINVAL;
	char *p = arch_guest_ptr(gpa, len, &err);
	if (!p)
		return err;
	return nr == VMK_CALL_VM_SERIAL_READ ? vm_serial_read((u32)id, p, len, from) :
					       vm_serial_write((u32)id, p, len);
}

static s64 call_module_files(u64 gpa, u64 max)
{
	struct vmk_module_file *out;
	int err;

	if (max == 0 || max > VMK_MOD_FILES_MAX)
		return -EINVAL;
	out = arch_guest_ptr(gpa, max * sizeof(*out), &err);
	if (!out)
		return err;
	return module_files(out, (u32)max);
}

static s64 call_module_file_read(u64 id, u64 gpa, u64 len)
{
	char *out;
	int err;

	if (id > UINT32_MAX)
		return -ENOENT;
	if (len == 0 || len > VMK_MOD_FILE_TEXT_MAX)
		return -EINVAL;
	out = arch_guest_ptr(gpa, len, &err);
	if (!out)
		return err;
	return module_file_read((u32)id, out, len);
}

s64 vmkcall_dispatch(u64 nr, u64 a0, u64 a1, u64 a2, u64 a3)
{
	switch (nr) {
	case VMK_CALL_NOP:
		return 0;
	case VMK_CALL_INFO:
		return call_info(a0, a1);
	case VMK_CALL_LOG_READ:
		return call_log_read(a0, a1, a2);
	case VMK_CALL_CPU_STATS:
		return call_cpu_stats(a0, a1, a2);
	case VMK_CALL_WORLD_LIST:
		return call_world_list(a0, a1, a2);
	case VMK_CALL_UNLOAD:
		if (!key_valid(a0))
			return -EINVAL;
		arch_request_leave();
		return 0;
	case VMK_CALL_CHECKSUM:
		return (s64)(arch_image_checksum() >> 1);
	case VMK_CALL_FLOOR:
		return call_floor(a0, a1);
	case VMK_CALL_MEM_INFO:
		return call_mem_info(a0, a1);
	case VMK_CALL_CPU_GIVE:
		if (!key_valid(a0) || a1 >= VMK_MAX_CPUS)
			return -EINVAL;
		return cpu_give((u32)a1);
	case VMK_CALL_CPU_TAKE:
		if (!key_valid(a0) || a1 >= VMK_MAX_CPUS)
			return -EINVAL;
		return cpu_take((u32)a1);
	case VMK_CALL_WORLD_CREATE:
	case VMK_CALL_WORLD_SET:
		return call_world_req(nr, a0, a1);
	case VMK_CALL_WORLD_DESTROY:
		return a0 <= 0xffffffffULL ? sysworld_destroy((u32)a0) : -ENOENT;
	case VMK_CALL_WORLD_STATS:
		return call_world_stats(a0, a1, a2);
	case VMK_CALL_WORLD_NEXT:
		return a0 <= 0xffffffffULL ? sysworld_next((u32)a0) : -ENOENT;
	case VMK_CALL_MODULE_LOAD:
		return call_module_load(a0, a1, a2);
	case VMK_CALL_MODULE_UNLOAD:
		if (!key_valid(a0))
			return -EINVAL;
		return module_unload((u32)MIN(a1, (u64)UINT32_MAX));
	case VMK_CALL_MODULE_LIST:
		return call_module_list(a0, a1);
	case VMK_CALL_VM_CREATE:
	case VMK_CALL_VM_SET:
		return call_vm_config(nr, a0, a1);
	case VMK_CALL_VM_WRITE:
		return call_vm_write(a0, a1, a2, a3);
	case VMK_CALL_VM_START:
		return call_vm_start(a0, a1, a2);
	case VMK_CALL_VM_STOP:
	case VMK_CALL_VM_RESET:
		return call_vm_power(nr, a0, a1);
	case VMK_CALL_VM_DESTROY:
		return vm_id_ok(a0) ? vm_destroy((u32)a0) : -ENOENT;
	case VMK_CALL_VM_INFO:
		return call_vm_info(a0, a1, a2);
	case VMK_CALL_VM_NEXT:
		return a0 <= 0xffffffffULL ? vm_next((u32)a0) : -ENOENT;
	case VMK_CALL_VM_SERIAL_READ:
	case VMK_CALL_VM_SERIAL_WRITE:
		return call_vm_serial(nr, a0, a1, a2, a3);
	case VMK_CALL_MODULE_FILES:
		return call_module_files(a0, a1);
	case VMK_CALL_MODULE_FILE_READ:
		return call_module_file_read(a0, a1, a2);
	default:
		return module_call(nr, a0, a1, a2, a3);
	}
}
