// SPDX-License-Identifier: GPL-2.0
/*
 * The VM's COM1: a 16550 at ports 0x3f8..0x3ff, enough for polled guests
 * (kvm-unit-tests' and Linux's early console).  What the guest writes
 * goes into a ring of VMK_VM_SERIAL_SIZE bytes that the console reads
 * with VM_SERIAL_READ, as it reads the vmkernel's log; what the console
 * sends with VM_SERIAL_WRITE waits in a small input FIFO until the guest
 * reads it.  The transmitter is always ready (THRE and TEMT set), so a
 * guest never waits for it.  The UART raises no interrupt: there is no
 * interrupt controller for it to reach yet, and polled guests need none.
 *
 * Every function here runs with vm->lock held (vcpu.c and vm.c take it).
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

#define LCR_DLAB	0x80
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define IIR_NONE	0x01
#define MSR_CTS_DSR_DCD	0xb0
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
	/* 115200 baud, as firmware would leave it. */
	u->dll = 1;
	u->lcr = 0x03;
	return 0;
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

bool uart_io(struct vm *vm, u16 port, bool in, u32 *val)
{
	struct uart *u = &vm->uart;
	bool dlab = u->lcr & LCR_DLAB;
	u8 v = (u8)*val;

	if (port < UART_BASE || port > UART_BASE + 7)
		return false;
	port -= UART_BASE;
	if (in) {
		switch (port) {
		case UART_RBR: v = dlab ? u->dll : uart_rx_pop(u); break;
		case UART_IER: v = dlab ? u->dlm : u->ier; break;
		case UART_IIR: v = IIR_NONE; break;
		case UART_LCR: v = u->lcr; break;
		case UART_MCR: v = u->mcr; break;
		case UART_LSR:
			v = LSR_THRE | LSR_TEMT | (uart_rx_ready(u) ? LSR_DR : 0);
			break;
		case UART_MSR: v = MSR_CTS_DSR_DCD; break;
		default: v = u->scr; break;
		}
		*val = v;
		return true;
	}
	switch (port) {
	case UART_RBR:
		if (dlab)
			u->dll = v;
		else if (!(u->mcr & MCR_LOOP))
			uart_out(u, v);
		break;
	case UART_IER:
		if (dlab)
			u->dlm = v;
		else
			u->ier = v & 0x0f;
		break;
	case UART_LCR: u->lcr = v; break;
	case UART_MCR: u->mcr = v & 0x1f; break;
	case UART_SCR: u->scr = v; break;
	default: break;		/* FCR, LSR and MSR writes: nothing to keep */
	}
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
	return n;
}
