// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the virtual local APIC (vmkernel/vmm/lapic.c) in a fake VM
 * of two VCPUs on the fake arch, its timer driven by the vmkernel's
 * timers (kernel/timer.c) over the fake clock: the reset state, the
 * priority logic (IRR, ISR, TPR, PPR, EOI), fixed IPIs to one VCPU, to
 * itself, to all and to all others, by physical and logical destination,
 * INIT and STARTUP, the one-shot and periodic timer with its divider and
 * current count, and the x2APIC MSRs with IA32_APIC_BASE's mode rules.
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

#define APIC_BASE	0xfee00000ULL
#define V0		(&fake_vcpus[0])
#define V1		(&fake_vcpus[1])

static u32 rd(struct vcpu *v, u32 off)
{
	u32 val = 0xdeadbeef;

	lapic_mmio_read(v, off, &val);
	return val;
}

static void wr(struct vcpu *v, u32 off, u32 val)
{
	lapic_mmio_write(v, off, val);
}

static bool irr_has(struct vcpu *v, u8 vec)
{
	return rd(v, 0x200 + (vec / 32) * 16) & (1u << (vec % 32));
}

static bool isr_has(struct vcpu *v, u8 vec)
{
	return rd(v, 0x100 + (vec / 32) * 16) & (1u << (vec % 32));
}

static void ipi(struct vcpu *from, u32 dest, u32 lo)
{
	wr(from, 0x310, dest << 24);
	wr(from, 0x300, lo);
}

/* Ticks the vmkernel's CPU 1 every millisecond for ns. */
static void tick_for(u64 ns)
{
	u64 end = arch_now_ns() + ns;

	fake_set_cpu(1);
	while (arch_now_ns() < end) {
		fake_advance(SCHED_TICK_NS);
		timer_tick(1);
	}
}

static int setup(void **state)
{
	(void)state;
	fake_vmm_start(2);
	return 0;
}

static void enable(struct vcpu *v)
{
	wr(v, 0xf0, 0x1ff);
}

static void test_reset_state(void **state)
{
	u64 base;
	(void)state;

	assert_int_equal(rd(V0, 0x20), 0);
	assert_int_equal(rd(V1, 0x20), 1u << 24);
	assert_int_equal(rd(V0, 0x30), 0x50014);
	assert_int_equal(rd(V0, 0xf0), 0xff);
	assert_int_equal(rd(V0, 0xe0), 0xffffffff);
	for (u32 off = 0x320; off <= 0x370; off += 0x10)
		assert_int_equal(rd(V1, off), 1u << 16);
	assert_true(lapic_msr(V0, 0x1b, false, &base));
	assert_int_equal(base, APIC_BASE | (1 << 11) | (1 << 8));
	assert_true(lapic_msr(V1, 0x1b, false, &base));
	assert_int_equal(base, APIC_BASE | (1 << 11));
	assert_int_equal(lapic_mmio_base(V1), APIC_BASE);
	assert_int_equal(lapic_pending(V0), -1);
	/* Software-disabled: an LVT cannot be unmasked. */
	wr(V0, 0x320, 0x30);
	assert_int_equal(rd(V0, 0x320), 0x10030);
	enable(V0);
	wr(V0, 0x320, 0x30);
	assert_int_equal(rd(V0, 0x320), 0x30);
	/* Disabling masks them all again. */
	wr(V0, 0xf0, 0xff);
	assert_int_equal(rd(V0, 0x320), 0x10030);
}

static void test_priority_and_eoi(void **state)
{
	(void)state;

	enable(V0);
	lapic_raise(V0, 0x41);
	lapic_raise(V0, 0x81);
	assert_int_equal(vlog(V0)->kicks, 2);
	assert_true(irr_has(V0, 0x41) && irr_has(V0, 0x81));
	assert_int_equal(lapic_pending(V0), 0x81);
	lapic_accept(V0, 0x81);
	assert_false(irr_has(V0, 0x81));
	assert_true(isr_has(V0, 0x81));
	assert_int_equal(rd(V0, 0xa0), 0x80);		/* PPR: the ISR's class */
	/* 0x41 is of a lower class than the one in service; 0x85 of the same. */
	assert_int_equal(lapic_pending(V0), -1);
	lapic_raise(V0, 0x85);
	assert_int_equal(lapic_pending(V0), -1);
	lapic_raise(V0, 0x91);
	assert_int_equal(lapic_pending(V0), 0x91);
	/* TPR above it holds it back, and shows in PPR. */
	wr(V0, 0x80, 0xa0);
	assert_int_equal(rd(V0, 0xa0), 0xa0);
	assert_int_equal(lapic_pending(V0), -1);
	wr(V0, 0x80, 0);
	lapic_accept(V0, 0x91);
	assert_int_equal(rd(V0, 0xa0), 0x90);
	/* EOI retires the highest in service first. */
	wr(V0, 0xb0, 0);
	assert_false(isr_has(V0, 0x91));
	assert_true(isr_has(V0, 0x81));
	assert_int_equal(lapic_pending(V0), -1);
	wr(V0, 0xb0, 0);
	assert_false(isr_has(V0, 0x81));
	assert_int_equal(lapic_pending(V0), 0x85);
	lapic_accept(V0, 0x85);
	wr(V0, 0xb0, 0);
	assert_int_equal(lapic_pending(V0), 0x41);
	/* Vectors 0-15 are illegal: logged in ESR, never pending. */
	lapic_raise(V1, 3);
	wr(V1, 0x280, 0);
	assert_int_equal(rd(V1, 0x280), 1u << 6);
	wr(V1, 0x280, 0);
	assert_int_equal(rd(V1, 0x280), 0);
	assert_int_equal(lapic_pending(V1), -1);
}

static void test_ipis(void **state)
{
	(void)state;

	enable(V0);
	enable(V1);
	/* Fixed, physical, to VCPU 1. */
	ipi(V0, 1, 0x45);
	assert_true(irr_has(V1, 0x45));
	assert_false(irr_has(V0, 0x45));
	assert_int_equal(vlog(V1)->kicks, 1);
	assert_int_equal(vlog(V0)->kicks, 0);
	assert_int_equal(lapic_pending(V1), 0x45);
	assert_int_equal(rd(V0, 0x300), 0x45);		/* delivery status idle */
	assert_int_equal(rd(V0, 0x310), 1u << 24);
	/* To a destination nobody has: nothing. */
	ipi(V0, 7, 0x46);
	assert_false(irr_has(V0, 0x46) || irr_has(V1, 0x46));
	/* Shorthands: self, all, all but self. */
	ipi(V1, 0, 0x50 | (1 << 18));
	assert_true(irr_has(V1, 0x50));
	assert_false(irr_has(V0, 0x50));
	ipi(V1, 0, 0x51 | (2 << 18));
	assert_true(irr_has(V0, 0x51) && irr_has(V1, 0x51));
	ipi(V1, 0, 0x52 | (3 << 18));
	assert_true(irr_has(V0, 0x52));
	assert_false(irr_has(V1, 0x52));
	/* Physical broadcast 0xff. */
	ipi(V0, 0xff, 0x53);
	assert_true(irr_has(V0, 0x53) && irr_has(V1, 0x53));
	/* Flat logical: bit 1 is VCPU 1's. */
	wr(V0, 0xd0, 1u << 24);
	wr(V1, 0xd0, 2u << 24);
	ipi(V0, 2, 0x54 | (1 << 11));
	assert_true(irr_has(V1, 0x54));
	assert_false(irr_has(V0, 0x54));
	ipi(V1, 3, 0x55 | (1 << 11));
	assert_true(irr_has(V0, 0x55) && irr_has(V1, 0x55));
	/* Cluster logical: cluster 1, member bits 1 and 2. */
	wr(V0, 0xe0, 0x0fffffff);
	wr(V1, 0xe0, 0x0fffffff);
	wr(V0, 0xd0, 0x11u << 24);
	wr(V1, 0xd0, 0x22u << 24);
	ipi(V0, 0x12, 0x56 | (1 << 11));
	assert_false(irr_has(V1, 0x56));	/* cluster 2 is not named */
	ipi(V0, 0x21, 0x56 | (1 << 11));
	assert_false(irr_has(V1, 0x56));	/* member bit 0 is not its own */
	ipi(V0, 0x22, 0x56 | (1 << 11));
	assert_true(irr_has(V1, 0x56));
	/* An illegal vector is not sent, and the sender's ESR says so. */
	ipi(V0, 1, 0x05);
	wr(V0, 0x280, 0);
	assert_int_equal(rd(V0, 0x280), 1u << 5);
	/* A hardware-disabled APIC takes no fixed interrupt. */
	{
		u64 off = APIC_BASE;

		assert_true(lapic_msr(V1, 0x1b, true, &off));
		assert_int_equal(lapic_mmio_base(V1), 0);
		assert_int_equal(rd(V1, 0x30), 0xffffffff);
		ipi(V0, 1, 0x60);
		assert_int_equal(lapic_pending(V1), -1);
	}
}

static void test_init_sipi(void **state)
{
	(void)state;

	enable(V0);
	/* INIT, assert, level: the MP specification's sequence. */
	ipi(V0, 1, (5 << 8) | (1 << 14) | (1 << 15));
	assert_int_equal(vlog(V1)->inits, 1);
	/* INIT de-assert does nothing. */
	ipi(V0, 1, (5 << 8) | (1 << 15));
	assert_int_equal(vlog(V1)->inits, 1);
	ipi(V0, 1, (6 << 8) | 0x9a);
	assert_int_equal(vlog(V1)->sipis, 1);
	assert_int_equal(vlog(V1)->sipi_vector, 0x9a);
	/* Not to the sender, and no vector reaches any IRR. */
	assert_int_equal(vlog(V0)->inits + vlog(V0)->sipis, 0);
	assert_int_equal(lapic_pending(V1), -1);
	/* To all but self, as Linux and kvm-unit-tests start APs. */
	ipi(V0, 0, (5 << 8) | (1 << 14) | (3 << 18));
	ipi(V0, 0, (6 << 8) | 0x10 | (3 << 18));
	assert_int_equal(vlog(V1)->inits, 2);
	assert_int_equal(vlog(V1)->sipis, 2);
	assert_int_equal(vlog(V1)->sipi_vector, 0x10);
	assert_int_equal(vlog(V0)->inits + vlog(V0)->sipis, 0);
}

static void test_timer_oneshot(void **state)
{
	(void)state;

	enable(V1);
	wr(V1, 0x3e0, 0xb);			/* divide by 1 */
	wr(V1, 0x320, 0x30);			/* one-shot, vector 0x30 */
	wr(V1, 0x380, 5000000);			/* 5 ms at one count a ns */
	assert_int_equal(rd(V1, 0x380), 5000000);
	assert_int_equal(rd(V1, 0x390), 5000000);
	fake_advance(2 * MS);
	assert_int_equal(rd(V1, 0x390), 3000000);
	tick_for(2 * MS);
	assert_false(irr_has(V1, 0x30));
	assert_int_equal(V1->lapic.timer_fired, 0);
	tick_for(1 * MS);
	assert_true(irr_has(V1, 0x30));
	assert_int_equal(V1->lapic.timer_fired, 1);
	assert_int_equal(vlog(V1)->kicks, 1);
	assert_int_equal(rd(V1, 0x390), 0);
	assert_int_equal(lapic_pending(V1), 0x30);
	tick_for(20 * MS);
	assert_int_equal(V1->lapic.timer_fired, 1);
	/* The divider: by 2 (0), by 16 (3), by 128 (0xa). */
	wr(V1, 0x3e0, 0x0);
	wr(V1, 0x380, 1000000);
	fake_advance(1 * MS);
	assert_int_equal(rd(V1, 0x390), 500000);
	wr(V1, 0x3e0, 0x3);
	wr(V1, 0x380, 1000000);
	fake_advance(1 * MS);
	assert_int_equal(rd(V1, 0x390), 1000000 - 62500);
	wr(V1, 0x3e0, 0xa);
	wr(V1, 0x380, 1000000);
	fake_advance(128 * 1000);
	assert_int_equal(rd(V1, 0x390), 999000);
	/* Read on a CPU whose clock is behind the loader's: a full count,
	 * not a wrapped one. */
	wr(V1, 0x3e0, 0xb);
	wr(V1, 0x380, 1000000);
	fake_advance(-(s64)(500 * 1000));
	assert_int_equal(rd(V1, 0x390), 1000000);
	fake_advance(500 * 1000);
	/* Writing 0 stops it. */
	wr(V1, 0x380, 0);
	assert_int_equal(rd(V1, 0x390), 0);
	assert_false(timer_pending(&V1->lapic.timer));
}

static void test_timer_periodic(void **state)
{
	u32 fired;
	(void)state;

	enable(V1);
	wr(V1, 0x3e0, 0x0);			/* divide by 2 */
	wr(V1, 0x320, 0x31 | (1 << 17));	/* periodic, vector 0x31 */
	wr(V1, 0x380, 1000000);			/* 2 ms */
	/* Ticks 0.3 ms after each expiry: delivered late, counted on time. */
	fake_advance(300 * 1000);
	tick_for(20 * MS);
	assert_int_equal(V1->lapic.timer_fired, 10);
	/* Its phase holds: 20.8 ms after the load, 0.8 ms into a period. */
	fake_advance(500 * 1000);
	assert_int_equal(rd(V1, 0x390), 600000);
	/* Masked: the count goes on, the interrupts do not. */
	wr(V1, 0x320, 0x31 | (1 << 17) | (1 << 16));
	tick_for(10 * MS);
	assert_int_equal(V1->lapic.timer_fired, 10);
	assert_true(timer_pending(&V1->lapic.timer));
	wr(V1, 0x320, 0x31 | (1 << 17));
	tick_for(10 * MS);
	assert_int_equal(V1->lapic.timer_fired, 15);
	/* Shorter than a tick: one interrupt a tick, never a loop. */
	wr(V1, 0x3e0, 0xb);
	wr(V1, 0x380, 100000);			/* 0.1 ms */
	fired = V1->lapic.timer_fired;
	tick_for(10 * MS);
	assert_int_equal(V1->lapic.timer_fired - fired, 10);
	/* Back to one-shot: the pending expiry is the last. */
	wr(V1, 0x320, 0x31);
	fired = V1->lapic.timer_fired;
	tick_for(10 * MS);
	assert_int_equal(V1->lapic.timer_fired - fired, 1);
	assert_false(timer_pending(&V1->lapic.timer));
}

static void test_timer_reprogrammed(void **state)
{
	(void)state;

	enable(V1);
	wr(V1, 0x3e0, 0xb);
	wr(V1, 0x320, 0x32);
	wr(V1, 0x380, 1000000);
	/* The guest moves it later before it fires: only the new one counts. */
	fake_advance(500 * 1000);
	wr(V1, 0x380, 3000000);
	tick_for(2 * MS);
	assert_int_equal(V1->lapic.timer_fired, 0);
	tick_for(1 * MS);
	assert_int_equal(V1->lapic.timer_fired, 1);
	/* A VCPU going away takes its timer with it. */
	wr(V1, 0x380, 1000000);
	assert_true(timer_pending(&V1->lapic.timer));
	lapic_fini(V1);
	assert_false(timer_pending(&V1->lapic.timer));
	tick_for(5 * MS);
	assert_int_equal(V1->lapic.timer_fired, 1);
}

static void test_timer_stops_with_vm(void **state)
{
	(void)state;

	enable(V1);
	wr(V1, 0x3e0, 0xb);
	wr(V1, 0x320, 0x33 | (1 << 17));
	wr(V1, 0x380, 1000000);
	tick_for(3 * MS);
	assert_int_equal(V1->lapic.timer_fired, 3);
	/* Off or crashed: no more expiries, no more kicks. */
	fake_vm.state = VMK_VM_CRASHED;
	tick_for(5 * MS);
	assert_int_equal(V1->lapic.timer_fired, 3);
	assert_int_equal(vlog(V1)->kicks, 3);
	assert_false(timer_pending(&V1->lapic.timer));
}

static void test_x2apic(void **state)
{
	u64 val, base = APIC_BASE | (1 << 11);
	(void)state;

	/* x2APIC MSRs fault in xAPIC mode. */
	assert_false(lapic_msr(V1, 0x802, false, &val));
	/* Not an APIC MSR at all. */
	assert_false(lapic_msr(V1, 0x10, false, &val));
	/* Reserved bits and a moved base are refused. */
	val = base | 1;
	assert_false(lapic_msr(V1, 0x1b, true, &val));
	val = 0xfec00000 | (1 << 11);
	assert_false(lapic_msr(V1, 0x1b, true, &val));
	/* xAPIC -> x2APIC. */
	val = base | (1 << 10);
	assert_true(lapic_msr(V1, 0x1b, true, &val));
	assert_int_equal(lapic_mmio_base(V1), 0);
	assert_true(lapic_msr(V1, 0x802, false, &val));
	assert_int_equal(val, 1);
	assert_true(lapic_msr(V1, 0x80d, false, &val));
	assert_int_equal(val, 2);			/* cluster 0, bit 1 */
	assert_true(lapic_msr(V1, 0x803, false, &val));
	assert_int_equal(val, 0x50014);
	/* Read-only, write-only and absent registers fault. */
	val = 5;
	assert_false(lapic_msr(V1, 0x802, true, &val));
	assert_false(lapic_msr(V1, 0x80b, false, &val));
	assert_false(lapic_msr(V1, 0x80e, false, &val));	/* no DFR */
	assert_false(lapic_msr(V1, 0x831, false, &val));	/* no ICR high */
	val = 1;
	assert_false(lapic_msr(V1, 0x80b, true, &val));	/* EOI takes only 0 */
	val = 1ULL << 32;
	assert_false(lapic_msr(V1, 0x808, true, &val));	/* TPR's reserved bits */
	/* Enable, then an IPI by one 64-bit ICR write to APIC ID 0, which is
	 * in xAPIC mode itself: the destination is matched by ID all the same. */
	val = 0x1ff;
	assert_true(lapic_msr(V1, 0x80f, true, &val));
	enable(V0);
	val = (0ULL << 32) | 0x47;
	assert_true(lapic_msr(V1, 0x830, true, &val));
	assert_true(irr_has(V0, 0x47));
	assert_true(lapic_msr(V1, 0x830, false, &val));
	assert_int_equal(val, 0x47);
	/* Self-IPI register. */
	val = 0x48;
	assert_true(lapic_msr(V1, 0x83f, true, &val));
	assert_int_equal(lapic_pending(V1), 0x48);
	lapic_accept(V1, 0x48);
	assert_true(lapic_msr(V1, 0x810 + 0x48 / 32, false, &val));
	assert_int_equal(val, 1u << (0x48 % 32));
	val = 0;
	assert_true(lapic_msr(V1, 0x80b, true, &val));
	assert_true(lapic_msr(V1, 0x810 + 0x48 / 32, false, &val));
	assert_int_equal(val, 0);
	/* x2APIC -> xAPIC faults; x2APIC -> disabled -> xAPIC is the way. */
	val = base;
	assert_false(lapic_msr(V1, 0x1b, true, &val));
	val = APIC_BASE;
	assert_true(lapic_msr(V1, 0x1b, true, &val));
	/* Disabled -> x2APIC faults, and an x2APIC bit without enable too. */
	val = base | (1 << 10);
	val &= ~(1ULL << 11);
	assert_false(lapic_msr(V1, 0x1b, true, &val));
	val = base | (1 << 10);
	assert_false(lapic_msr(V1, 0x1b, true, &val));
	val = base;
	assert_true(lapic_msr(V1, 0x1b, true, &val));
	assert_int_equal(lapic_mmio_base(V1), APIC_BASE);
	/* Disabling reset the registers, the ID stays. */
	assert_int_equal(rd(V1, 0xf0), 0xff);
	assert_int_equal(rd(V1, 0x20), 1u << 24);
	/* The BSP flag cannot be changed by software. */
	assert_true(lapic_msr(V1, 0x1b, false, &val));
	assert_int_equal(val & (1 << 8), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reset_state, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_priority_and_eoi, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_ipis, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_init_sipi, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_timer_oneshot, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_timer_periodic, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_timer_reprogrammed, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_timer_stops_with_vm, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_x2apic, setup, fake_vmm_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
