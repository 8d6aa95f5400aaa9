// SPDX-License-Identifier: GPL-2.0
/* Appending text to a bounded buffer (see <vmk/fmtbuf.h>). */
#include <vmk/fmtbuf.h>
#include <vmk/string.h>

void fmtbuf_init(struct fmtbuf *f, char *buf, size_t size)
{
	f->buf = buf;
	f->size = size;
	f->len = 0;
	if (size)
		buf[0] = '\0';
}

void fmtbuf_char(struct fmtbuf *f, char c)
{
	if (f->len + 1 < f->size) {
		f->buf[f->len] = c;
		f->buf[f->len + 1] = '\0';
	}
	f->len++;
}

void fmtbuf_str(struct fmtbuf *f, const char *s)
{
	while (*s)
		fmtbuf_char(f, *s++);
}

void fmtbuf_strpad(struct fmtbuf *f, const char *s, u32 width)
{
	size_t n = strlen(s);

	fmtbuf_str(f, s);
	for (; n < width; n++)
		fmtbuf_char(f, ' ');
}

void fmtbuf_u64(struct fmtbuf *f, u64 v, u32 width)
{
	char digits[20];
	u32 n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (; width > n; width--)
		fmtbuf_char(f, ' ');
	while (n)
		fmtbuf_char(f, digits[--n]);
}
