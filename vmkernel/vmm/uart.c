// SPDX-License-Identifier: GPL-2.0
/*
 * The VM's COM1: a 16550 at ports 0x3f8..0x3ff, enough for polled guests
 * (kvm-unit-tests' and Linux's early console).  What the guest writes
 * goes into a ring of VMK_VM_SERIAL_SIZE bytes that the console reads
 * with VM_SERIAL_READ, as it reads the vmkernel's log; what the console
 * sends with VM_SERIAL_WRITE waits in a small input FIFO until the guest
 * reads it.  The transmitter is always ready (THRE and TEMT set), so a
 * guest never waits for it: a byte written goes out at once.
 *
 * Interrupts, as Linux's 8250 driver drives them: IER enables them, IIR
 * names the highest pending one (line status: an overrun, which only the
 * loopback mode can cause; received data; the transmitter empty; none),
 * with bits 7:6 set while FCR has the FIFOs on.  The THRE interrupt is
 * the 16550's: it becomes pending when IER's THRI goes from 0 to 1 (the
 * transmitter being empty) and when a byte written has gone out, and a
 * read of IIR that reports it, or a write to THR, clears it, so the
 * driver's start-up test (IER = THRI, IIR, IER = 0, IER = THRI, IIR)
 * sees it asserted again and takes the UART for a sound one.  The
 * interrupt output reaches ISA IRQ 4 (I/O APIC pin 4) only while MCR's
 * OUT2 is set, as on a PC; the pin sees the output's level, and the I/O
 * APIC's edge-triggered entry turns each rise into one interrupt.  A
 * polled guest leaves IER at 0 and sees none of it.
 *
 * Every function here runs with vm->lock held (vcpu.c and vm.c take it);
 * the VCPUs an interrupt went to are kicked by vmm_irq_kick() after it.
 */
#include <vmk/errno.h>
#include <vmk/heap.h>
#include <vmk/mem.h>
#include <vmk/string.h>
#include "vmm.h"

#define UART_BASE	0x3f8
#define UART_RX_SIZE	((u32)sizeof(((struct uart *)0)->rx))
#define UART_OUT_ORDER	4		/* 16 pages: VMK_VM_SERIAL_SIZE */

/* Register offsets (DLAB: LCR bit 7, which turns 0 and 1 into the
 * divisor latch). */
#define UART_RBR	0
#define UART_IER	1
#define UART_IIR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define UART_ISA_IRQ	4		/* I/O APIC pin 4 */

#define LCR_DLAB	0x80
#define LSR_DR		0x01
#define LSR_OE		0x02
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define IER_RDI		0x01		/* received data available */
#define IER_THRI	0x02		/* transmitter holding register empty */
#define IER_RLSI	0x04		/* receiver line status */
#define IIR_NONE	0x01
#define IIR_THRE	0x02
#define IIR_RDI		0x04
#define IIR_RLSI	0x06
#define IIR_FIFO	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define MSR_CTS_DSR_DCD	0xb0
#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10

_Static_assert(VMK_VM_SERIAL_SIZE == (PAGE_SIZE << UART_OUT_ORDER),
	       "the output ring is a block of pages");

int uart_init(struct vm *vm)
{
	struct uart *u = &vm->uart;

	memset(u, 0, sizeof(*u));
	u->out = heap_alloc_pages(mem_heap(MEM_HEAP_VMM), UART_OUT_ORDER);
	if (!u->out)
		return -ENOMEM;
	vm->pages += 1U << UART_OUT_ORDER;
	uart_reset(vm);
	return 0;
}

void uart_reset(struct vm *vm)
{
	struct uart *u = &vm->uart;

	u->ier = u->mcr = u->scr = u->dlm = 0;
	u->fifo = u->thr_pending = u->overrun = u->irq_line = false;
	u->rx_head = u->rx_tail = 0;
	/* 115200 baud, 8N1, as firmware would leave it. */
	u->dll = 1;
	u->lcr = 0x03;
}

void uart_fini(struct vm *vm)
{
	struct uart *u = &vm->uart;

	if (!u->out)
		return;
	heap_free_pages(mem_heap(MEM_HEAP_VMM), u->out, UART_OUT_ORDER);
	vm->pages -= 1U << UART_OUT_ORDER;
	u->out = NULL;
}

static void uart_out(struct uart *u, u8 c)
{
	u->out[u->out_head % VMK_VM_SERIAL_SIZE] = (char)c;
	/* The console reads head without the VM's lock. */
	__atomic_store_n(&u->out_head, u->out_head + 1, __ATOMIC_RELEASE);
}

static bool uart_rx_ready(const struct uart *u)
{
	return u->rx_head != u->rx_tail;
}

static u8 uart_rx_pop(struct uart *u)
{
	u8 c;

	if (!uart_rx_ready(u))
		return 0;
	c = u->rx[u->rx_tail % UART_RX_SIZE];
	u->rx_tail++;
	return c;
}

/* The highest-priority interrupt pending, as IIR's low bits say it. */
static u8 uart_iir_id(const struct uart *u)
{
	if ((u->ier & IER_RLSI) && u->overrun)
		return IIR_RLSI;
	if ((u->ier & IER_RDI) && uart_rx_ready(u))
		return IIR_RDI;
	if ((u->ier & IER_THRI) && u->thr_pending)
		return IIR_THRE;
	return IIR_NONE;
}

/* The interrupt output, through OUT2, to the I/O APIC's pin. */
static void uart_update_irq(struct vm *vm)
{
	struct uart *u = &vm->uart;
	bool line = uart_iir_id(u) != IIR_NONE && (u->mcr & MCR_OUT2);

	if (line == u->irq_line)
		return;
	u->irq_line = line;
	ioapic_set_irq(vm, UART_ISA_IRQ, line);
}

static void uart_rx_push(struct uart *u, u8 c)
{
	if (u->rx_head - u->rx_tail >= UART_RX_SIZE) {
		u->overrun = true;
		return;
	}
	u->rx[u->rx_head++ % UART_RX_SIZE] = c;
}

/* Modem status: in loopback, the modem control outputs read back. */
static u8 uart_msr(const struct uart *u)
{
	if (!(u->mcr & MCR_LOOP))
		return MSR_CTS_DSR_DCD;
	return (u8)(((u->mcr & MCR_RTS) ? 0x10 : 0) | ((u->mcr & MCR_DTR) ? 0x20 : 0) |
		    ((u->mcr & MCR_OUT1) ? 0x40 : 0) | ((u->mcr & MCR_OUT2) ? 0x80 : 0));
}

static u8 uart_in(struct uart *u, u16 reg, bool dlab)
{
	u8 v;

	switch (reg) {
	case UART_RBR:
		return dlab ? u->dll : uart_rx_pop(u);
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		v = uart_iir_id(u);
		/* Reading an IIR that names THRE acknowledges it. */
		if (v == IIR_THRE)
			u->thr_pending = false;
		return v | (u->fifo ? IIR_FIFO : 0);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		v = LSR_THRE | LSR_TEMT | (uart_rx_ready(u) ? LSR_DR : 0) |
		    (u->overrun ? LSR_OE : 0);
		u->overrun = false;
		return v;
	case UART_MSR:
		return uart_msr(u);
	default:
		return u->scr;
	}
}

static void uart_out_reg(struct uart *u, u16 reg, bool dlab, u8 v)
{
	switch (reg) {
	case UART_RBR:
		if (dlab) {
			u->dll = v;
			break;
		}
		if (u->mcr & MCR_LOOP)
			uart_rx_push(u, v);
		else
			uart_out(u, v);
		/* Gone at once: the holding register is empty again. */
		u->thr_pending = true;
		break;
	case UART_IER:
		if (dlab) {
			u->dlm = v;
		} else {
			u8 changed = (u->ier ^ v) & 0x0f;

			u->ier = v & 0x0f;
			if (changed & IER_THRI)
				u->thr_pending = u->ier & IER_THRI;
		}
		break;
	case UART_IIR:			/* FCR */
		u->fifo = v & FCR_ENABLE;
		if (v & FCR_CLEAR_RX)
			u->rx_tail = u->rx_head;
		break;
	case UART_LCR: u->lcr = v; break;
	case UART_MCR: u->mcr = v & 0x1f; break;
	case UART_SCR: u->scr = v; break;
	default: break;		/* LSR and MSR writes: nothing to keep */
	}
}

bool uart_io(struct vm *vm, u16 port, bool in, u32 *val)
{
	struct uart *u = &vm->uart;
	bool dlab = u->lcr & LCR_DLAB;

	if (port < UART_BASE || port > UART_BASE + 7)
		return false;
	port -= UART_BASE;
	if (in)
		*val = uart_in(u, port, dlab);
	else
		uart_out_reg(u, port, dlab, (u8)*val);
	uart_update_irq(vm);
	return true;
}

u64 uart_read_out(struct vm *vm, char *dst, u64 len, u64 from)
{
	struct uart *u = &vm->uart;
	u64 head = __atomic_load_n(&u->out_head, __ATOMIC_ACQUIRE);
	u64 oldest = head > VMK_VM_SERIAL_SIZE ? head - VMK_VM_SERIAL_SIZE : 0;
	u64 n;

	if (from < oldest)
		from = oldest;
	if (from > head)
		from = head;
	n = MIN(len, head - from);
	for (u64 i = 0; i < n; i++)
		dst[i] = u->out[(from + i) % VMK_VM_SERIAL_SIZE];
	return n;
}

u64 uart_write_in(struct vm *vm, const char *src, u64 len)
{
	struct uart *u = &vm->uart;
	u64 n = 0;

	while (n < len && u->rx_head - u->rx_tail < UART_RX_SIZE)
		u->rx[u->rx_head++ % UART_RX_SIZE] = (u8)src[n++];
	uart_update_irq(vm);
	return n;
}
