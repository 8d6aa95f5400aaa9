// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the virtual I/O APIC (vmkernel/vmm/ioapic.c) in a fake VM
 * of two VCPUs whose local APICs are the real ones (lapic.c): the
 * registers behind IOREGSEL/IOWIN as Linux reads them at boot, edge pins
 * delivering on each rise and only then, masking, level pins with their
 * remote IRR cleared by the local APIC's EOI (through the TMR bit) and
 * sent again while the line stays up, polarity, physical, logical and
 * lowest-priority destinations, and the kicks that follow.
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

#define V0		(&fake_vcpus[0])
#define V1		(&fake_vcpus[1])
#define VM		(&fake_vm)

#define MASKED		(1u << 16)
#define LEVEL		(1u << 15)
#define REMOTE_IRR	(1u << 14)
#define POL_LOW		(1u << 13)
#define LOGICAL		(1u << 11)
#define LOWEST		(1u << 8)

static u32 io_rd(u32 reg)
{
	u32 val = 0xdeadbeef;

	ioapic_mmio_write(VM, 0x00, reg);
	ioapic_mmio_read(VM, 0x10, &val);
	return val;
}

static void io_wr(u32 reg, u32 val)
{
	ioapic_mmio_write(VM, 0x00, reg);
	ioapic_mmio_write(VM, 0x10, val);
}

static void route(u32 pin, u32 lo, u32 dest)
{
	io_wr(0x11 + 2 * pin, dest << 24);
	io_wr(0x10 + 2 * pin, lo);
}

/* A device on pin drives its line; the kicks follow once the lock is gone. */
static void line(u32 pin, bool level)
{
	spin_lock(&fake_vm.lock);
	ioapic_set_irq(VM, pin, level);
	spin_unlock(&fake_vm.lock);
	vmm_irq_kick(VM);
}

static u32 apic_rd(struct vcpu *v, u32 off)
{
	u32 val = 0;

	lapic_mmio_read(v, off, &val);
	return val;
}

static bool irr_has(struct vcpu *v, u8 vec)
{
	return apic_rd(v, 0x200 + (vec / 32) * 16) & (1u << (vec % 32));
}

static bool tmr_has(struct vcpu *v, u8 vec)
{
	return apic_rd(v, 0x180 + (vec / 32) * 16) & (1u << (vec % 32));
}

/* The guest takes vec and acknowledges it. */
static void take_and_eoi(struct vcpu *v, u8 vec)
{
	assert_int_equal(fake_lapic_take_eoi(v), vec);
}

static int setup(void **state)
{
	(void)state;
	fake_vmm_start(2);
	ioapic_reset(VM);
	/* Both APICs software-enabled, flat logical IDs 1 and 2. */
	for (u32 i = 0; i < 2; i++) {
		lapic_mmio_write(&fake_vcpus[i], 0xf0, 0x1ff);
		lapic_mmio_write(&fake_vcpus[i], 0xd0, (1u << i) << 24);
	}
	return 0;
}

static void test_registers(void **state)
{
	(void)state;

	/* What Linux's setup_ioapic_ids_from_mpc() and the MP table agree on. */
	assert_int_equal(io_rd(0), 2u << 24);
	assert_int_equal(io_rd(1), 0x00170011);		/* 24 pins, version 0x11 */
	assert_int_equal(io_rd(2), 2u << 24);
	for (u32 pin = 0; pin < 24; pin++) {
		assert_int_equal(io_rd(0x10 + 2 * pin), MASKED);
		assert_int_equal(io_rd(0x11 + 2 * pin), 0);
	}
	assert_int_equal(io_rd(0x10 + 48), 0xffffffff);	/* past the table */
	/* IOREGSEL reads back; the ID moves; version is read-only. */
	ioapic_mmio_write(VM, 0x00, 0x13);
	{
		u32 sel = 0;

		ioapic_mmio_read(VM, 0x00, &sel);
		assert_int_equal(sel, 0x13);
	}
	io_wr(0, 5u << 24);
	assert_int_equal(io_rd(0), 5u << 24);
	io_wr(1, 0);
	assert_int_equal(io_rd(1), 0x00170011);
	/* Delivery status and remote IRR cannot be written. */
	io_wr(0x10, 0xffffffff);
	assert_int_equal(io_rd(0x10), 0x1afff);
	io_wr(0x11, 0xffffffff);
	assert_int_equal(io_rd(0x11), 0xff000000);
}

static void test_edge(void **state)
{
	(void)state;

	route(4, 0x34, 1);				/* COM1: edge, high, to APIC 1 */
	line(4, true);
	assert_true(irr_has(V1, 0x34));
	assert_false(irr_has(V0, 0x34));
	assert_false(tmr_has(V1, 0x34));
	assert_int_equal(vlog(V1)->kicks, 1);
	assert_int_equal(vlog(V0)->kicks, 0);
	assert_int_equal(fake_vm.ioapic.delivered[4], 1);
	/* Held high: no second edge, no remote IRR on an edge pin. */
	line(4, true);
	assert_int_equal(fake_vm.ioapic.delivered[4], 1);
	assert_int_equal(io_rd(0x18) & REMOTE_IRR, 0);
	take_and_eoi(V1, 0x34);
	assert_int_equal(lapic_pending(V1), -1);
	/* Down and up again: one more. */
	line(4, false);
	assert_int_equal(fake_vm.ioapic.delivered[4], 1);
	line(4, true);
	assert_int_equal(fake_vm.ioapic.delivered[4], 2);
	assert_int_equal(lapic_pending(V1), 0x34);
	take_and_eoi(V1, 0x34);
	line(4, false);
	/* Masked: the edge is lost, and unmasking does not bring it back. */
	route(4, 0x34 | MASKED, 1);
	line(4, true);
	assert_int_equal(fake_vm.ioapic.delivered[4], 2);
	route(4, 0x34, 1);
	assert_int_equal(fake_vm.ioapic.delivered[4], 2);
	assert_int_equal(lapic_pending(V1), -1);
	/* A pin nobody routed, and a pin out of range, send nothing. */
	line(7, true);
	line(24, true);
	assert_int_equal(lapic_pending(V0), -1);
	assert_int_equal(lapic_pending(V1), -1);
}

static void test_level_remote_irr(void **state)
{
	(void)state;

	route(9, 0x39 | LEVEL, 0);
	line(9, true);
	assert_true(irr_has(V0, 0x39));
	assert_true(tmr_has(V0, 0x39));
	assert_true(io_rd(0x10 + 18) & REMOTE_IRR);
	assert_int_equal(fake_vm.ioapic.delivered[9], 1);
	/* Remote IRR holds it: nothing more while the guest handles it. */
	lapic_accept(V0, 0x39);
	line(9, true);
	assert_int_equal(fake_vm.ioapic.delivered[9], 1);
	/* The EOI with the line still up: remote IRR clears, it comes again. */
	lapic_mmio_write(V0, 0xb0, 0);
	assert_int_equal(fake_vm.ioapic.delivered[9], 2);
	assert_true(io_rd(0x10 + 18) & REMOTE_IRR);
	assert_int_equal(lapic_pending(V0), 0x39);
	/* The device is served: the line drops before the EOI. */
	lapic_accept(V0, 0x39);
	line(9, false);
	lapic_mmio_write(V0, 0xb0, 0);
	assert_int_equal(io_rd(0x10 + 18) & REMOTE_IRR, 0);
	assert_false(tmr_has(V0, 0x39));
	assert_int_equal(lapic_pending(V0), -1);
	assert_int_equal(fake_vm.ioapic.delivered[9], 2);
	/* Asserted while masked: sent when unmasked. */
	route(9, 0x39 | LEVEL | MASKED, 0);
	line(9, true);
	assert_int_equal(fake_vm.ioapic.delivered[9], 2);
	route(9, 0x39 | LEVEL, 0);
	assert_int_equal(fake_vm.ioapic.delivered[9], 3);
	assert_int_equal(lapic_pending(V0), 0x39);
	/* An EOI of an edge vector leaves the level pin's remote IRR alone. */
	lapic_raise(V0, 0x50);
	take_and_eoi(V0, 0x50);
	assert_true(io_rd(0x10 + 18) & REMOTE_IRR);
}

static void test_polarity(void **state)
{
	(void)state;

	/* Active low: the device's line at 0 is the asserted state. */
	route(5, 0x45 | POL_LOW, 0);
	line(5, true);
	assert_int_equal(fake_vm.ioapic.delivered[5], 0);
	line(5, false);
	assert_int_equal(fake_vm.ioapic.delivered[5], 1);
	assert_int_equal(lapic_pending(V0), 0x45);
}

static void test_destinations(void **state)
{
	(void)state;

	/* Fixed, logical 0x3: both APICs. */
	route(3, 0x43 | LOGICAL, 0x3);
	line(3, true);
	assert_true(irr_has(V0, 0x43) && irr_has(V1, 0x43));
	assert_int_equal(vlog(V0)->kicks, 1);
	assert_int_equal(vlog(V1)->kicks, 1);
	line(3, false);
	/* Lowest priority, logical 0x3: the lowest-numbered match alone. */
	route(6, 0x46 | LOGICAL | LOWEST, 0x3);
	line(6, true);
	assert_true(irr_has(V0, 0x46));
	assert_false(irr_has(V1, 0x46));
	/* Lowest priority, logical 0x2: VCPU 1. */
	route(8, 0x48 | LOGICAL | LOWEST, 0x2);
	line(8, true);
	assert_true(irr_has(V1, 0x48));
	assert_false(irr_has(V0, 0x48));
	/* Physical broadcast. */
	route(10, 0x4a, 0xff);
	line(10, true);
	assert_true(irr_has(V0, 0x4a) && irr_has(V1, 0x4a));
	/* A destination nobody has, an illegal vector, a mode not emulated
	 * (NMI): nothing, and no kick. */
	vlog(V0)->kicks = vlog(V1)->kicks = 0;
	route(11, 0x4b, 7);
	line(11, true);
	route(12, 0x05, 0);
	line(12, true);
	route(13, 0x4d | (4u << 8), 0);
	line(13, true);
	assert_false(irr_has(V0, 0x4b) || irr_has(V1, 0x4b) || irr_has(V0, 0x4d));
	assert_int_equal(vlog(V0)->kicks + vlog(V1)->kicks, 0);
	/* A hardware-disabled APIC takes nothing. */
	{
		u64 base = 0xfee00000ULL;	/* enable bit clear */

		assert_true(lapic_msr(V1, 0x1b, true, &base));
	}
	route(14, 0x4e, 1);
	line(14, true);
	assert_int_equal(fake_vm.ioapic.delivered[14], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_registers, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_edge, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_level_remote_irr, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_polarity, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_destinations, setup, fake_vmm_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
