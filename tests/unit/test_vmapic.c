// SPDX-License-Identifier: GPL-2.0
/*
 * The virtual APIC at the level of a VM: two VCPUs of a fake VM whose
 * "guests" program their APICs only through MMIO stores that vmm_mmio()
 * decodes and emulates, as a multiboot test kernel would, while a loop in
 * the test stands in for vcpu.c (ticks of the vmkernel's CPU over a fake
 * clock, then each VCPU takes its pending interrupts and EOIs them).  The
 * boot VCPU starts the other with INIT and STARTUP, the other runs a
 * periodic timer, the boot VCPU sends it IPIs, and a raised TPR holds
 * interrupts back until it drops.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core_env.h"
#include "vmm_doubles.h"

#define V0	(&fake_vcpus[0])
#define V1	(&fake_vcpus[1])
#define CODE	0x8000

static u32 taken[2][256];

static int setup(void **state)
{
	(void)state;
	fake_vmm_start(2);
	memset(taken, 0, sizeof(taken));
	return 0;
}

/* movl $val, 0xfee00000 + off, run as 32-bit flat code by VCPU v. */
static void guest_store(struct vcpu *v, u32 off, u32 val)
{
	u8 insn[10] = { 0xc7, 0x05 };
	u32 addr = 0xfee00000 + off;

	memcpy(insn + 2, &addr, 4);
	memcpy(insn + 6, &val, 4);
	memcpy(fake_ram + CODE, insn, sizeof(insn));
	vlog(v)->sregs = (struct vcpu_sregs){ .cr0 = 1, .cs_attrib = 1u << 10, .rip = CODE };
	assert_int_equal(vmm_mmio(v, addr), 0);
	assert_int_equal(vlog(v)->sregs.rip, CODE + sizeof(insn));
}

/* What vcpu.c does before it enters a guest with interrupts enabled and
 * what the guest's handler does: take each deliverable vector, EOI it. */
static void deliver(struct vcpu *v)
{
	int vec;

	while ((vec = lapic_pending(v)) >= 0) {
		lapic_accept(v, (u8)vec);
		taken[v->index][vec]++;
		guest_store(v, 0xb0, 0);
	}
}

/* ms of the VM's life: vmkernel CPU 1 ticks, then both VCPUs run; VCPU 0
 * sends vector 0x50 to VCPU 1 every ipi_every ms (0: none). */
static void run_ms(u32 ms, u32 ipi_every)
{
	for (u32 i = 1; i <= ms; i++) {
		fake_advance(SCHED_TICK_NS);
		timer_tick(1);
		if (ipi_every && i % ipi_every == 0) {
			guest_store(V0, 0x310, 1u << 24);
			guest_store(V0, 0x300, 0x4050);
		}
		deliver(V0);
		deliver(V1);
	}
}

static void test_smp_guest(void **state)
{
	(void)state;

	/* The boot VCPU: enable, then INIT and STARTUP to all but itself. */
	guest_store(V0, 0xf0, 0x1ff);
	guest_store(V0, 0x300, 0x000c4500);
	guest_store(V0, 0x300, 0x000c4608);
	assert_int_equal(vlog(V1)->inits, 1);
	assert_int_equal(vlog(V1)->sipis, 1);
	assert_int_equal(vlog(V1)->sipi_vector, 0x08);
	assert_int_equal(vlog(V0)->inits + vlog(V0)->sipis, 0);

	/* The AP: enable, a 1 ms periodic timer on vector 0x40. */
	guest_store(V1, 0xf0, 0x1ff);
	guest_store(V1, 0x3e0, 0xb);
	guest_store(V1, 0x320, 0x20040);
	guest_store(V1, 0x380, 1000000);

	run_ms(50, 5);
	assert_int_equal(taken[1][0x40], 50);
	assert_int_equal(taken[1][0x50], 10);
	assert_int_equal(V1->lapic.timer_fired, 50);
	for (u32 vec = 0; vec < 256; vec++)
		assert_int_equal(taken[0][vec], 0);
	/* Nothing left in service or requested. */
	assert_int_equal(lapic_pending(V1), -1);
	for (u32 i = 0; i < 8; i++)
		assert_int_equal(V1->lapic.isr[i] | V1->lapic.irr[i], 0);

	/* TPR 0x50 holds back classes 4 and 5 for 10 ms: the timer fires
	 * into a pending IRR bit that is taken once when TPR drops. */
	guest_store(V1, 0x80, 0x50);
	run_ms(10, 5);
	assert_int_equal(taken[1][0x40], 50);
	assert_int_equal(taken[1][0x50], 10);
	assert_int_equal(V1->lapic.timer_fired, 60);
	guest_store(V1, 0x80, 0);
	deliver(V1);
	assert_int_equal(taken[1][0x40], 51);
	assert_int_equal(taken[1][0x50], 11);

	/* One-shot now, masked by the guest: the timer stops delivering. */
	guest_store(V1, 0x320, 0x10040);
	run_ms(10, 0);
	assert_int_equal(taken[1][0x40], 51);
	assert_int_equal(fake_vm.state, VMK_VM_RUNNING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_smp_guest, setup, fake_vmm_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
