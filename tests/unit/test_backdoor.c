// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the VMware backdoor (vmkernel/vmm/backdoor.c) in a fake
 * VM: each command's answer in the guest's registers as Linux's
 * vmware.c and the guest's tools read them, POWEROP returning and
 * clearing the request and noting the tools, an unknown command failing
 * the way callers test for (EAX all-ones, EBX untouched), and accesses
 * that are no backdoor call (no magic, another port, out, narrower)
 * left to the port's usual handling.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <vmk/timer.h>
#include "core_env.h"
#include "vmm_doubles.h"

#define V0	(&fake_vcpus[0])
#define TSC_KHZ	2094529U

u32 vcpu_tsc_khz(void)
{
	return TSC_KHZ;
}

static int setup(void **state)
{
	(void)state;
	env_start(1);
	sched_cpu_online(0, true);
	fake_set_cpu(0);
	return 0;
}

static int teardown(void **state)
{
	return env_teardown(state);
}

/* An `inl` from port with the registers as the guest sets them. */
static bool call(u16 port, u8 size, bool in, u64 rax, u64 rcx, u64 rbx)
{
	memset(V0->regs, 0, sizeof(V0->regs));
	V0->regs[VCPU_RAX] = rax;
	V0->regs[VCPU_RCX] = rcx;
	V0->regs[VCPU_RBX] = rbx;
	V0->regs[VCPU_RDX] = port;
	return backdoor_io(V0, port, size, in);
}

static void test_getversion(void **state)
{
	(void)state;
	fake_vm_init(1);
	assert_true(call(0x5658, 4, true, VMK_BDOOR_MAGIC, VMK_BDOOR_GETVERSION, ~0U));
	assert_int_not_equal(V0->regs[VCPU_RAX], 0xffffffff);
	assert_int_equal(V0->regs[VCPU_RBX], VMK_BDOOR_MAGIC);
	fake_vm_fini();
}

static void test_gethz(void **state)
{
	u64 hz;

	(void)state;
	fake_vm_init(1);
	/* The upper half of RAX is not part of the magic's compare. */
	assert_true(call(0x5658, 4, true, 0xffffffff00000000ULL | VMK_BDOOR_MAGIC,
			 VMK_BDOOR_GETHZ, 0xffffffff));
	hz = (V0->regs[VCPU_RBX] << 32) | V0->regs[VCPU_RAX];
	assert_int_equal(hz, (u64)TSC_KHZ * 1000);
	assert_int_not_equal(V0->regs[VCPU_RBX], 0xffffffff);
	assert_int_equal(V0->regs[VCPU_RCX], (u64)LAPIC_BUS_KHZ * 1000);
	fake_vm_fini();
}

static void test_powerop(void **state)
{
	(void)state;
	fake_vm_init(2);
	assert_false(fake_vm.tools_seen);
	assert_true(call(0x5658, 4, true, VMK_BDOOR_MAGIC, VMK_BDOOR_POWEROP, 0));
	assert_int_equal(V0->regs[VCPU_RAX], VMK_POWEROP_NONE);
	assert_true(fake_vm.tools_seen);
	fake_vm.power_request = VMK_POWEROP_REBOOT;
	assert_true(call(0x5658, 4, true, VMK_BDOOR_MAGIC, VMK_BDOOR_POWEROP, 0));
	assert_int_equal(V0->regs[VCPU_RAX], VMK_POWEROP_REBOOT);
	assert_int_equal(fake_vm.power_request, VMK_POWEROP_NONE);
	assert_true(call(0x5658, 4, true, VMK_BDOOR_MAGIC, VMK_BDOOR_POWEROP, 0));
	assert_int_equal(V0->regs[VCPU_RAX], VMK_POWEROP_NONE);
	fake_vm_fini();
}

static void test_unknown(void **state)
{
	static const u32 cmds[] = { 0, 3, 44, 46, 68, 91, 0xffff, 0xffffffff };

	(void)state;
	fake_vm_init(1);
	for (unsigned int i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		assert_true(call(0x5658, 4, true, VMK_BDOOR_MAGIC, cmds[i], 0x12345678));
		assert_int_equal(V0->regs[VCPU_RAX], 0xffffffff);
		assert_int_equal(V0->regs[VCPU_RBX], 0x12345678);
		assert_int_equal(V0->regs[VCPU_RCX], cmds[i]);
	}
	assert_false(fake_vm.tools_seen);
	fake_vm_fini();
}

static void test_not_backdoor(void **state)
{
	(void)state;
	fake_vm_init(1);
	assert_false(call(0x5658, 4, true, 0x564D5869, VMK_BDOOR_GETHZ, 1));
	assert_false(call(0x5659, 4, true, VMK_BDOOR_MAGIC, VMK_BDOOR_GETHZ, 1));
	assert_false(call(0x5658, 4, false, VMK_BDOOR_MAGIC, VMK_BDOOR_GETHZ, 1));
	assert_false(call(0x5658, 2, true, VMK_BDOOR_MAGIC, VMK_BDOOR_GETHZ, 1));
	assert_false(call(0x5658, 1, true, VMK_BDOOR_MAGIC, VMK_BDOOR_POWEROP, 1));
	/* Nothing touched. */
	assert_int_equal(V0->regs[VCPU_RAX], VMK_BDOOR_MAGIC);
	assert_int_equal(V0->regs[VCPU_RBX], 1);
	assert_false(fake_vm.tools_seen);
	fake_vm_fini();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_getversion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gethz, setup, teardown),
		cmocka_unit_test_setup_teardown(test_powerop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_backdoor, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
