// SPDX-License-Identifier: GPL-2.0
/*
 * platform: the PC devices a Linux guest relies on, driven the way Linux
 * drives them, then a reset through port 0xcf9.
 *
 *  - RTC: status A's UIP clears, status B says 24-hour, status D valid
 *    RAM; the time read in BCD and in binary agrees, and with epoch=N it
 *    lies within `skew` seconds after N (the console's time at start).
 *  - 8259: Linux's probe (0xfb written to the master's mask reads back);
 *    with vmm=1, OCW3 reads of IRR and ISR give 0.
 *  - I/O APIC at 0xfec00000: version 0x11 (0x20 also taken on bare
 *    QEMU) with 24 pins; with vmm=1, the ID the MP table gives it (the
 *    CPU count) and every pin masked.
 *  - COM1's interrupt on pin 4, edge-triggered to this APIC: THRE when
 *    IER's THRI is set, again after IER = 0, THRI (Linux's UART_BUG_THRE
 *    test), none while the pin is masked, received data in loopback; then
 *    level-triggered: a handler that EOIs without serving the UART gets it
 *    again (remote IRR cleared by the EOI), three times, until it serves
 *    it by reading IIR.
 *  - With reset=1 (the default): a word of its data and a word of RAM
 *    above its image are changed, a CMOS byte marks the reset, and 0x06
 *    goes to port 0xcf9.  Bare QEMU resets there; the VMM starts the
 *    image again: the second start finds the mark, and checks that the
 *    data word is back, the RAM word cleared, the I/O APIC's pins masked
 *    and the UART's interrupts off again.
 *
 * Options:
 *   epoch=N   seconds since 1970 the RTC should read at start (0: no check)
 *   skew=N    seconds it may be ahead of epoch (default 600)
 *   vmm=0|1   1: check what this platform's VMM fixes (default 0)
 *   reset=0|1 reset through 0xcf9 (default 1)
 *   end=exit|halt  after the summary: the debug-exit port, or `cli; hlt`
 *             (a power-off on this platform's VMM)
 *   tools=0|1 1: then act as the guest's tools: poll the backdoor's
 *             POWEROP; a power-off asked for ends as end=halt, a reboot
 *             resets through 0xcf9 (the second start checks as above)
 */
#include "guest.h"

const char guest_name[] = "platform";
const char *const guest_options[] = { "epoch", "skew", "vmm", "reset", "end", "tools",
				       NULL };

#define IOAPIC		0xfec00000u
#define COM1		0x3f8
#define UART_VEC	0x44
#define RTE_LEVEL	(1u << 15)
#define RTE_MASKED	(1u << 16)
#define RTE_REMOTE_IRR	(1u << 14)
#define CMOS_MARK_IDX	0x40
#define CMOS_MARK	0xa5
#define RAM_WORD	0x400000u

/* Changed before the reset: its image value must be back after it. */
static volatile uint32_t image_word = 0x1badb002;

static uint32_t mmio_read(uint32_t addr)
{
	uint32_t v;

	asm volatile("movl (%1), %0" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static void mmio_write(uint32_t addr, uint32_t v)
{
	asm volatile("movl %0, (%1)" : : "r"(v), "r"(addr) : "memory");
}

static uint32_t ioapic_read(uint32_t reg)
{
	mmio_write(IOAPIC, reg);
	return mmio_read(IOAPIC + 0x10);
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
	mmio_write(IOAPIC, reg);
	mmio_write(IOAPIC + 0x10, v);
}

static void ioapic_route(unsigned pin, uint32_t lo, uint8_t dest)
{
	ioapic_write(0x11 + 2 * pin, (uint32_t)dest << 24);
	ioapic_write(0x10 + 2 * pin, lo);
}

static uint8_t cmos_read(uint8_t idx)
{
	outb(0x70, idx);
	return inb(0x71);
}

static void cmos_write(uint8_t idx, uint8_t v)
{
	outb(0x70, idx);
	outb(0x71, v);
}

static void wait_sti(uint64_t cycles)
{
	sti();
	tsc_delay(cycles);
	cli();
}

/* ---- RTC ---- */

struct rtc_time { uint32_t sec, min, hour, mday, mon, year; };

static bool rtc_wait_uip(void)
{
	for (uint32_t i = 0; i < 1000000; i++)
		if (!(cmos_read(0x0a) & 0x80))
			return true;
	return false;
}

static uint32_t bcd(uint8_t v)
{
	return (v >> 4) * 10 + (v & 0xf);
}

static void rtc_read(struct rtc_time *t, bool binary)
{
	uint8_t r[6] = { cmos_read(0), cmos_read(2), cmos_read(4), cmos_read(7),
			 cmos_read(8), cmos_read(9) };
	uint32_t *f = &t->sec;

	for (int i = 0; i < 6; i++)
		f[i] = binary ? r[i] : bcd(r[i]);
	t->year += t->year < 70 ? 2000 : 1900;
}

/* Seconds since 1970 of a date and time (the civil-from-days inverse). */
static uint64_t rtc_seconds(const struct rtc_time *t)
{
	uint32_t y = t->year - (t->mon <= 2), era = y / 400, yoe = y - era * 400;
	uint32_t mp = t->mon > 2 ? t->mon - 3 : t->mon + 9;
	uint32_t doy = (153 * mp + 2) / 5 + t->mday - 1;
	uint32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	uint64_t days = (uint64_t)era * 146097 + doe - 719468;

	return days * 86400 + t->hour * 3600 + t->min * 60 + t->sec;
}

static void check_rtc(void)
{
	uint64_t epoch = opts_uint("epoch", 0), skew = opts_uint("skew", 600), s1, s2;
	struct rtc_time b, n;
	uint8_t regb = cmos_read(0x0b);

	report(rtc_wait_uip(), "RTC: status A's update-in-progress clears");
	report(regb & 0x02, "RTC: 24-hour mode (status B %#x)", regb);
	report(cmos_read(0x0d) & 0x80, "RTC: status D says valid RAM and time");
	cmos_write(0x0b, regb & ~0x04);
	rtc_wait_uip();
	rtc_read(&b, false);
	cmos_write(0x0b, regb | 0x04);
	rtc_wait_uip();
	rtc_read(&n, true);
	cmos_write(0x0b, regb);
	s1 = rtc_seconds(&b);
	s2 = rtc_seconds(&n);
	print("platform: RTC reads %u-%02u-%02u %02u:%02u:%02u (BCD), %llu s since 1970\n",
	      b.year, b.mon, b.mday, b.hour, b.min, b.sec, (unsigned long long)s1);
	report(s2 >= s1 && s2 - s1 <= 2, "RTC: binary and BCD agree (%llu, %llu)",
	       (unsigned long long)s1, (unsigned long long)s2);
	if (epoch)
		report(s1 >= epoch && s1 - epoch <= skew,
		       "RTC: %llu is within %llu s after the console's %llu",
		       (unsigned long long)s1, (unsigned long long)skew,
		       (unsigned long long)epoch);
	else
		report_skip("epoch=0", "RTC against the console's clock");
}

/* ---- 8259 ---- */

static void check_pic(void)
{
	uint8_t got;

	outb(0xa1, 0xff);
	outb(0x21, 0xfb);
	got = inb(0x21);
	report(got == 0xfb, "8259: Linux's probe reads the mask back (%#x)", got);
	outb(0x21, 0xff);
	if (opts_uint("vmm", 0)) {
		uint8_t irr, isr;

		outb(0x20, 0x0a);
		irr = inb(0x20);
		outb(0x20, 0x0b);
		isr = inb(0x20);
		report(irr == 0 && isr == 0, "8259: IRR %#x and ISR %#x read 0", irr, isr);
	}
}

/* ---- I/O APIC ---- */

static void check_ioapic(void)
{
	uint32_t ver = ioapic_read(1), id = ioapic_read(0) >> 24;
	bool masked = true;

	report(((ver & 0xff) == 0x11 || (ver & 0xff) == 0x20) &&
	       ((ver >> 16) & 0xff) == 23,
	       "I/O APIC: version %#x, %u pins", ver & 0xff, ((ver >> 16) & 0xff) + 1);
	if (!opts_uint("vmm", 0))
		return;
	report((ver & 0xff) == 0x11, "I/O APIC: an 82093AA's version 0x11 (%#x)", ver & 0xff);
	report(id == (cpuid(1).b >> 16 & 0xff),
	       "I/O APIC: ID %u, the CPU count the MP table gives it", id);
	for (unsigned pin = 0; pin < 24; pin++)
		masked &= !!(ioapic_read(0x10 + 2 * pin) & RTE_MASKED);
	report(masked, "I/O APIC: every pin masked at start");
}

/* ---- COM1's interrupt ---- */

static volatile uint32_t uart_irqs, uart_iir, uart_rx, level_remote_irr;
static volatile bool level_mode;

static void uart_irq(struct idt_frame *f)
{
	(void)f;
	uart_irqs++;
	if (!level_mode) {
		uart_iir = inb(COM1 + 2);
		if ((uart_iir & 0x0f) == 0x04)
			uart_rx = inb(COM1);
	} else {
		/* Not served: the line stays up, the EOI brings it back. */
		if (uart_irqs == 1)
			level_remote_irr = ioapic_read(0x10 + 8) & RTE_REMOTE_IRR;
		if (uart_irqs >= 3)
			uart_iir = inb(COM1 + 2);
	}
	apic_eoi();
}

static void check_uart_irq(void)
{
	uint32_t me = apic_id(), n;
	uint8_t iir;

	idt_set_handler(UART_VEC, uart_irq);
	ioapic_route(4, UART_VEC, (uint8_t)me);
	outb(COM1 + 4, 0x0b);			/* DTR, RTS, OUT2 */
	outb(COM1 + 1, 0x02);			/* THRI */
	wait_sti(1u << 22);
	report(uart_irqs == 1 && (uart_iir & 0x0f) == 0x02,
	       "COM1: THRE interrupt on pin 4 (%u, IIR %#x)", uart_irqs, uart_iir);
	/* Linux's UART_BUG_THRE test, interrupts off. */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 1, 0x02);
	iir = inb(COM1 + 2);
	outb(COM1 + 1, 0x00);
	report((iir & 0x0f) == 0x02, "COM1: THRE asserted again after IER = 0, THRI (IIR %#x)",
	       iir);
	wait_sti(1u << 22);
	n = uart_irqs;
	/* Masked, the edge is lost. */
	ioapic_route(4, UART_VEC | RTE_MASKED, (uint8_t)me);
	outb(COM1 + 1, 0x02);
	outb(COM1 + 1, 0x00);
	ioapic_route(4, UART_VEC, (uint8_t)me);
	wait_sti(1u << 22);
	report(uart_irqs == n, "COM1: nothing while pin 4 is masked (%u, %u)", n, uart_irqs);
	/* Loopback: a byte sent comes back as received data. */
	outb(COM1 + 4, 0x18);			/* LOOP, OUT2 */
	outb(COM1 + 1, 0x01);			/* RDI */
	outb(COM1, 'Z');
	wait_sti(1u << 22);
	outb(COM1 + 1, 0x00);
	outb(COM1 + 4, 0x0b);			/* out of loopback before printing */
	report(uart_irqs == n + 1 && uart_rx == 'Z',
	       "COM1: received-data interrupt in loopback (%u, %#x)", uart_irqs - n, uart_rx);
	/* Level-triggered: EOIs without service bring it back. */
	uart_irqs = 0;
	uart_iir = 0;
	level_mode = true;
	ioapic_route(4, UART_VEC | RTE_LEVEL, (uint8_t)me);
	outb(COM1 + 1, 0x02);
	wait_sti(1u << 23);
	n = uart_irqs;
	iir = (uint8_t)uart_iir;
	/* THRI off: the line drops for good; whatever was on its way lands. */
	outb(COM1 + 1, 0x00);
	wait_sti(1u << 22);
	report(n == 3 && (iir & 0x0f) == 0x02 && level_remote_irr,
	       "COM1 level-triggered: delivered %u times until served, remote IRR %s",
	       n, level_remote_irr ? "set" : "clear");
	report(!(ioapic_read(0x18) & RTE_REMOTE_IRR), "I/O APIC: remote IRR clear once served");
	level_mode = false;
	outb(COM1 + 4, 0x00);
	ioapic_route(4, UART_VEC | RTE_MASKED, 0);
}

/* ---- reset ---- */

static void first_start(void)
{
	check_rtc();
	check_pic();
	check_ioapic();
	check_uart_irq();
	if (!opts_uint("reset", 1)) {
		report_skip("reset=0", "reset through port 0xcf9");
		return;
	}
	image_word = 0;
	mmio_write(RAM_WORD, 0xdeadbeef);
	ioapic_route(4, UART_VEC, 0);		/* a reset masks it again */
	outb(COM1 + 1, 0x01);			/* a reset turns it off */
	cmos_write(CMOS_MARK_IDX, CMOS_MARK);
	print("platform: resetting through port 0xcf9\n");
	outb(0xcf9, 0x02);
	outb(0xcf9, 0x06);
	tsc_delay(1u << 26);
	cmos_write(CMOS_MARK_IDX, 0);
	report(false, "port 0xcf9 reset the machine");
}

static void after_reset(void)
{
	uint32_t word = mmio_read(RAM_WORD);

	cmos_write(CMOS_MARK_IDX, 0);
	print("platform: started again after the reset\n");
	report(image_word == 0x1badb002, "after the reset: its image is back (%#x)",
	       image_word);
	report(word == 0, "after the reset: RAM outside the image is clear (%#x)", word);
	report(ioapic_read(0x18) & RTE_MASKED, "after the reset: I/O APIC pin 4 masked");
	report(inb(COM1 + 1) == 0, "after the reset: COM1's interrupts off");
	report(cmos_read(0x0d) & 0x80, "after the reset: the RTC still answers");
}

/* ---- the guest's tools ---- */

static uint32_t backdoor(uint32_t cmd)
{
	uint32_t a = 0x564d5868, b = 0, c = cmd, d = 0x5658;

	asm volatile("inl %%dx, %%eax" : "+a"(a), "+b"(b), "+c"(c), "+d"(d) : : "memory");
	return a;
}

static void __attribute__((noreturn)) tools_loop(void)
{
	print("platform: tools polling\n");
	for (;;) {
		uint32_t op = backdoor(0x564b);		/* POWEROP */

		if (op == 1) {
			print("platform: tools: the console asks for a power-off\n");
			report_summary_halt();
		}
		if (op == 2) {
			print("platform: tools: the console asks for a reboot\n");
			cmos_write(CMOS_MARK_IDX, CMOS_MARK);
			outb(0xcf9, 0x06);
			tsc_delay(1u << 26);
			cmos_write(CMOS_MARK_IDX, 0);
			report(false, "port 0xcf9 reset the machine");
			report_summary_exit();
		}
		tsc_delay(1u << 24);
	}
}

void guest_main(void)
{
	apic_enable();
	if (cmos_read(CMOS_MARK_IDX) == CMOS_MARK)
		after_reset();
	else
		first_start();
	if (opts_uint("tools", 0))
		tools_loop();
	if (!strcmp(opts_str("end", "exit"), "halt")) {
		print("platform: halting with interrupts off\n");
		report_summary_halt();
	}
}
