// SPDX-License-Identifier: GPL-2.0
/*
 * Output of the guests: COM1 at 0x3f8, polled (each byte waits for the
 * transmitter holding register to be empty, LSR bit 5), so no interrupt
 * and no FIFO setup is needed, and printf-like formatting into a buffer.
 * Lines from two CPUs do not interleave: print() holds a lock while it
 * writes one formatted string.
 */
#include "guest.h"

#define COM1		0x3f8
#define COM1_LSR	(COM1 + 5)
#define LSR_THRE	0x20

static volatile uint32_t print_lock;

void print_putc(char c)
{
	/* Bounded: a UART that never becomes ready must not hang the guest. */
	for (uint32_t i = 0; i < 1000000; i++)
		if (inb(COM1_LSR) & LSR_THRE)
			break;
	outb(COM1, (uint8_t)c);
}

struct out {
	char *buf;
	size_t size, len;
};

static void out_c(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_num(struct out *o, uint64_t v, unsigned base, bool upper,
		    bool neg, int width, char pad, bool left, const char *prefix)
{
	char tmp[24];
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0, len;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	len = n + (neg ? 1 : 0) + (int)strlen(prefix);
	if (!left && pad == ' ')
		for (; width > len; width--)
			out_c(o, ' ');
	if (neg)
		out_c(o, '-');
	for (; *prefix; prefix++)
		out_c(o, *prefix);
	if (!left && pad == '0')
		for (; width > len; width--)
			out_c(o, '0');
	while (n)
		out_c(o, tmp[--n]);
	if (left)
		for (; width > len; width--)
			out_c(o, ' ');
}

int print_vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		bool left = false, alt = false;
		char pad = ' ';
		int width = 0, lng = 0;

		if (*fmt != '%') {
			out_c(&o, *fmt);
			continue;
		}
		for (fmt++;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				pad = '0';
			else if (*fmt == '#')
				alt = true;
			else
				break;
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		for (; *fmt == 'l'; fmt++)
			lng++;
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = lng >= 2 ? va_arg(ap, int64_t) :
				lng ? va_arg(ap, long) : va_arg(ap, int);
			out_num(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, false,
				v < 0, width, pad, left, "");
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uint64_t v = lng >= 2 ? va_arg(ap, uint64_t) :
				lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
			unsigned base = *fmt == 'u' ? 10 : 16;

			out_num(&o, v, base, *fmt == 'X', false, width, pad, left,
				alt && base == 16 ? "0x" : "");
			break;
		}
		case 'p':
			out_num(&o, (uint32_t)va_arg(ap, void *), 16, false, false,
				width, pad, left, "0x");
			break;
		case 'c':
			out_c(&o, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			int len;

			if (!s)
				s = "(null)";
			len = (int)strlen(s);
			if (!left)
				for (; width > len; width--)
					out_c(&o, ' ');
			for (; *s; s++)
				out_c(&o, *s);
			if (left)
				for (; width > len; width--)
					out_c(&o, ' ');
			break;
		}
		case '%':
			out_c(&o, '%');
			break;
		default:
			/* An unknown conversion is shown, not skipped. */
			out_c(&o, '%');
			if (*fmt)
				out_c(&o, *fmt);
			else
				fmt--;
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int print_format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = print_vformat(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int print(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	uint32_t flags;
	int n;

	va_start(ap, fmt);
	n = print_vformat(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* Interrupts off while holding the lock: a handler may print too. */
	asm volatile("pushfl; popl %0; cli" : "=r"(flags) : : "memory");
	while (__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE))
		pause();
	for (char *p = buf; *p; p++)
		print_putc(*p);
	__atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
	if (flags & 0x200)
		sti();
	return n;
}
