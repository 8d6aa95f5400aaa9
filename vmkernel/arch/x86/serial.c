// SPDX-License-Identifier: GPL-2.0
/*
 * COM1, for copying the vmkernel log to the serial port (vmkload
 * --serial-log).  The console's 8250 driver owns the UART and has
 * programmed it; the vmkernel only waits for the transmitter and writes,
 * giving up on a line after a bounded wait so that a stuck UART cannot
 * hang a CPU.
 */
#include <vmk/machine.h>
#include "x86/cpu.h"

#define COM1		0x3f8
#define LSR		5
#define LSR_THRE	0x20

static void put(char c)
{
	for (int i = 0; i < 100000; i++) {
		if (inb(COM1 + LSR) & LSR_THRE) {
			outb(COM1, (u8)c);
			return;
		}
		cpu_relax();
	}
}

void arch_serial_write(const char *s, size_t n)
{
	while (n--) {
		if (*s == '\n')
			put('\r');
		put(*s++);
	}
}
