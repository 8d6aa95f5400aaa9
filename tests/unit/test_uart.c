// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of COM1 (vmkernel/vmm/uart.c) with its interrupt wired to the
 * real I/O APIC and local APICs of a fake one-VCPU VM: the sequences
 * Linux's 8250 driver runs (its THRE start-up test, FIFO detection,
 * transmit from the interrupt handler, receive of console input), IIR's
 * priorities with a loopback overrun, MCR's OUT2 gating the interrupt,
 * and a polled guest that sees what it always saw.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <vmk/mem.h>
#include <vmk/timer.h>
#include "core_env.h"
#include "vmm_doubles.h"

#define VM		(&fake_vm)
#define V0		(&fake_vcpus[0])
#define COM1		0x3f8
#define VEC		0x24

/* uart_init() is not called here: the test gives the UART its ring. */
struct heap *mem_heap(enum mem_heap_id id)
{
	(void)id;
	fail_msg("mem_heap() called");
	return NULL;
}

static char ring[VMK_VM_SERIAL_SIZE];

static u8 in(u16 reg)
{
	u32 val = 0xdeadbeef;

	spin_lock(&fake_vm.lock);
	assert_true(uart_io(VM, COM1 + reg, true, &val));
	spin_unlock(&fake_vm.lock);
	vmm_irq_kick(VM);
	return (u8)val;
}

static void out(u16 reg, u8 v)
{
	u32 val = v;

	spin_lock(&fake_vm.lock);
	assert_true(uart_io(VM, COM1 + reg, false, &val));
	spin_unlock(&fake_vm.lock);
	vmm_irq_kick(VM);
}

static void console_sends(const char *s)
{
	spin_lock(&fake_vm.lock);
	assert_int_equal(uart_write_in(VM, s, strlen(s)), strlen(s));
	spin_unlock(&fake_vm.lock);
	vmm_irq_kick(VM);
}

static u64 irqs(void)
{
	return fake_vm.ioapic.delivered[4];
}

/* The guest takes the interrupt and acknowledges it at its APIC. */
static void ack(void)
{
	assert_int_equal(fake_lapic_take_eoi(V0), VEC);
}

static int setup(void **state)
{
	(void)state;
	fake_vmm_start(1);
	ioapic_reset(VM);
	memset(&fake_vm.uart, 0, sizeof(fake_vm.uart));
	fake_vm.uart.out = ring;
	uart_reset(VM);
	lapic_mmio_write(V0, 0xf0, 0x1ff);
	/* ISA IRQ 4 as Linux routes it: edge, active high, to APIC 0. */
	spin_lock(&fake_vm.lock);
	fake_vm.ioapic.redir[4] = VEC;
	spin_unlock(&fake_vm.lock);
	return 0;
}

static void test_polled(void **state)
{
	char buf[8];
	(void)state;

	/* What a multiboot guest sees: no interrupt, the transmitter ready. */
	assert_int_equal(in(2), 0x01);
	assert_int_equal(in(5), 0x60);
	assert_int_equal(in(3), 0x03);
	out(0, 'o');
	out(0, 'k');
	assert_int_equal(fake_vm.uart.out_head, 2);
	assert_int_equal(uart_read_out(VM, buf, sizeof(buf), 0), 2);
	assert_memory_equal(buf, "ok", 2);
	assert_int_equal(in(2), 0x01);
	console_sends("x");
	assert_int_equal(in(5), 0x61);
	assert_int_equal(in(2), 0x01);
	assert_int_equal(in(0), 'x');
	assert_int_equal(in(5), 0x60);
	assert_int_equal(irqs(), 0);
	assert_int_equal(vlog(V0)->kicks, 0);
	/* The divisor latch behind DLAB. */
	out(3, 0x83);
	out(0, 0x0c);
	out(1, 0x00);
	assert_int_equal(in(0), 0x0c);
	out(3, 0x03);
	assert_int_equal(in(1), 0x00);
}

static void test_linux_thre_test(void **state)
{
	u8 iir1, iir2;
	(void)state;

	/* serial8250_do_startup(): FIFOs on and cleared, OUT2 for the IRQ. */
	out(2, 0x07);
	assert_int_equal(in(2) & 0xc0, 0xc0);
	out(4, 0x0b);				/* DTR | RTS | OUT2 */
	/* The UART_BUG_THRE test. */
	out(1, 0x02);
	iir1 = in(2);
	out(1, 0x00);
	out(1, 0x02);
	iir2 = in(2);
	out(1, 0x00);
	assert_int_equal(iir1, 0xc2);
	assert_int_equal(iir2, 0xc2);		/* THRE asserted again: no bug */
	assert_int_equal(in(2), 0xc1);
	/* Each rise of the output was one edge on pin 4. */
	assert_int_equal(irqs(), 2);
	assert_int_equal(vlog(V0)->kicks, 2);
	assert_int_equal(lapic_pending(V0), VEC);
	/* FIFOs off: IIR's top bits go. */
	out(2, 0x00);
	assert_int_equal(in(2), 0x01);
}

static void test_transmit_irq(void **state)
{
	(void)state;

	out(4, 0x08);
	/* start_tx: THRI on, the interrupt comes. */
	out(1, 0x02);
	assert_int_equal(irqs(), 1);
	ack();
	/* The handler: IIR says THRE (and clears it), the bytes go out. */
	assert_int_equal(in(2), 0x02);
	assert_int_equal(fake_vm.uart.irq_line, false);
	out(0, 'a');
	assert_int_equal(irqs(), 2);		/* empty again: a new edge */
	out(0, 'b');
	assert_int_equal(irqs(), 2);		/* still up: no new edge */
	/* stop_tx: THRI off, the line drops, nothing more comes. */
	out(1, 0x00);
	assert_int_equal(fake_vm.uart.irq_line, false);
	assert_int_equal(in(2), 0x01);
	ack();
	assert_int_equal(lapic_pending(V0), -1);
	assert_int_equal(fake_vm.uart.out_head, 2);
}

static void test_receive_irq(void **state)
{
	(void)state;

	out(4, 0x08);
	out(1, 0x01);				/* RDI */
	assert_int_equal(irqs(), 0);
	console_sends("ls\n");
	assert_int_equal(irqs(), 1);
	assert_int_equal(vlog(V0)->kicks, 1);
	ack();
	assert_int_equal(in(2), 0x04);
	assert_int_equal(in(0), 'l');
	assert_int_equal(in(0), 's');
	assert_int_equal(in(2), 0x04);		/* data left: still pending */
	assert_int_equal(in(0), '\n');
	assert_int_equal(in(2), 0x01);
	assert_int_equal(in(5), 0x60);
	assert_false(fake_vm.uart.irq_line);
	console_sends("y");
	assert_int_equal(irqs(), 2);
}

static void test_priorities_and_out2(void **state)
{
	(void)state;

	/* Loopback without OUT2: overrun the input FIFO with 65 bytes. */
	out(4, 0x10);
	for (u32 i = 0; i < 65; i++)
		out(0, (u8)('A' + i % 26));
	assert_int_equal(fake_vm.uart.out_head, 0);	/* nothing left the UART */
	out(1, 0x07);				/* RLSI | THRI | RDI */
	assert_int_equal(in(2), 0x06);		/* line status first */
	assert_int_equal(irqs(), 0);		/* OUT2 clear: IRQ 4 stays low */
	/* OUT2 on (still in loopback): the output reaches pin 4. */
	out(4, 0x18);
	assert_int_equal(irqs(), 1);
	assert_int_equal(in(6), 0x80);		/* loopback: OUT2 reads as DCD */
	assert_int_equal(in(5) & 0x03, 0x03);	/* OE and DR; reading clears OE */
	assert_int_equal(in(2), 0x04);		/* then received data */
	for (u32 i = 0; i < 64; i++)
		assert_int_equal(in(0), (u8)('A' + i % 26));
	assert_int_equal(in(2), 0x02);		/* then THRE */
	assert_int_equal(in(2), 0x01);		/* which that read cleared */
	assert_int_equal(in(5), 0x60);
	out(4, 0x00);
	assert_int_equal(in(6), 0xb0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_polled, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_linux_thre_test, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_transmit_irq, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_receive_irq, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_priorities_and_out2, setup, fake_vmm_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
