/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building text into a caller's buffer without a printf: reports (heaps,
 * scheduler) append strings and numbers into a struct fmtbuf.  Output
 * that does not fit is dropped but still counted, so len tells the caller
 * how big a buffer would have been needed; the buffer is always
 * NUL-terminated when its size is not zero.
 */
#ifndef VMK_FMTBUF_H
#define VMK_FMTBUF_H

#include <vmk/types.h>

struct fmtbuf {
	char *buf;
	size_t size;
	size_t len;		/* bytes produced, written or not */
};

void fmtbuf_init(struct fmtbuf *f, char *buf, size_t size);
void fmtbuf_char(struct fmtbuf *f, char c);
void fmtbuf_str(struct fmtbuf *f, const char *s);
/* s left-aligned in width columns. */
void fmtbuf_strpad(struct fmtbuf *f, const char *s, u32 width);
/* v in decimal, right-aligned in width columns (0: no padding). */
void fmtbuf_u64(struct fmtbuf *f, u64 v, u32 width);

#endif
