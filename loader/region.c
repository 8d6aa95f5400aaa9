// SPDX-License-Identifier: GPL-2.0
/*
 * The reserved region (see region.h): memmap= parsing on top of the
 * console's command-line splitter, --mem parsing, and the alignment
 * rules the shim relies on.
 */
#include "region.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmdline.h"
#include "fail.h"


static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

static int suffix_shift(char c)
{
	switch (c) {
	case 'k': case 'K': return 10;
	case 'm': case 'M': return 20;
	case 'g': case 'G': return 30;
	case 't': case 'T': return 40;
	case 'p': case 'P': return 50;
	case 'e': case 'E': return 60;
	default: return -1;
	}
}

int region_parse_num(const char *s, size_t len, vmk_u64 *out)
{
	unsigned int base = 10;
	size_t i = 0, first;
	vmk_u64 v = 0;
	int shift = 0;

	if (len == 0)
		return -1;
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (len > 1 && s[0] == '0') {
		base = 8;
	}
	first = i;
	for (; i < len; i++) {
		int d = digit_value(s[i]);

		if (d >= (int)base)
			break;
		if (__builtin_mul_overflow(v, (vmk_u64)base, &v) ||
		    __builtin_add_overflow(v, (vmk_u64)d, &v))
			return -1;
	}
	if (i == first)
		return -1;
	if (i < len) {
		shift = suffix_shift(s[i]);
		if (shift < 0 || i + 1 != len)
			return -1;
		if (v > (~0ULL >> shift))
			return -1;
	}
	*out = v << shift;
	return 0;
}

struct collect {
	struct region *out;
	unsigned int max;
	unsigned int count;
	char *err;
	size_t errlen;
};

/* One item of a memmap= list: "SIZE$BASE" counts, other kinds do not. */
static int collect_item(struct collect *c, const char *s, size_t len)
{
	const char *dollar = memchr(s, '$', len);
	struct region r;
	size_t size_len;

	if (!dollar)
		return 0;
	size_len = (size_t)(dollar - s);
	/* "SIZE@BASE$..." and friends are other kinds with a stray '$'. */
	if (memchr(s, '@', size_len) || memchr(s, '#', size_len) ||
	    memchr(s, '!', size_len) || memchr(s, '%', size_len))
		return 0;
	if (region_parse_num(s, size_len, &r.size))
		return fail(c->err, c->errlen,
			    "memmap=%.*s: bad size \"%.*s\"", (int)len, s,
			    (int)size_len, s);
	if (region_parse_num(dollar + 1, len - size_len - 1, &r.base))
		return fail(c->err, c->errlen,
			    "memmap=%.*s: bad base address \"%.*s\"", (int)len,
			    s, (int)(len - size_len - 1), dollar + 1);
	if (c->count < c->max)
		c->out[c->count] = r;
	c->count++;
	return 0;
}

static int collect_param(const struct cmdline_param *p, void *ctx)
{
	struct collect *c = ctx;
	const char *s, *end;

	if (p->key_len != 6 || memcmp(p->key, "memmap", 6) != 0 || !p->val)
		return 0;
	s = p->val;
	end = p->val + p->val_len;
	while (s < end) {
		const char *comma = memchr(s, ',', (size_t)(end - s));
		const char *item_end = comma ? comma : end;

		if (collect_item(c, s, (size_t)(item_end - s)))
			return -1;
		s = comma ? comma + 1 : end;
	}
	return 0;
}

int region_from_cmdline(const char *line, size_t len, struct region *out,
			unsigned int max, unsigned int *count, char *err,
			size_t errlen)
{
	struct collect c = {
		.out = out, .max = max, .err = err, .errlen = errlen,
	};
	int rc;

	if (err && errlen)
		err[0] = '\0';
	rc = cmdline_each(line, len, collect_param, &c);
	*count = c.count;
	return rc ? -1 : 0;
}

int region_parse_mem(const char *arg, struct region *out, char *err,
		     size_t errlen)
{
	size_t len = strlen(arg);
	const char *sep = memchr(arg, '@', len);

	if (!sep)
		sep = memchr(arg, '$', len);
	if (!sep)
		return fail(err, errlen,
			    "--mem=%s: expected SIZE@BASE, e.g. 64M@0x10000000",
			    arg);
	if (region_parse_num(arg, (size_t)(sep - arg), &out->size))
		return fail(err, errlen, "--mem=%s: bad size \"%.*s\"", arg,
			    (int)(sep - arg), arg);
	if (region_parse_num(sep + 1, strlen(sep + 1), &out->base))
		return fail(err, errlen, "--mem=%s: bad base address \"%s\"",
			    arg, sep + 1);
	return 0;
}

int region_check(const struct region *r, char *err, size_t errlen)
{
	vmk_u64 end;
	char buf[32];

	if (r->size == 0)
		return fail(err, errlen, "region at 0x%" PRIx64 " is empty",
			    r->base);
	if (__builtin_add_overflow(r->base, r->size, &end))
		return fail(err, errlen,
			    "region of %s at 0x%" PRIx64 " wraps around the address space",
			    region_size_str(r->size, buf, sizeof(buf)), r->base);
	if (r->base % VMK_REGION_ALIGN)
		return fail(err, errlen,
			    "region base 0x%" PRIx64 " is not 2 MiB aligned",
			    r->base);
	if (r->size % VMK_REGION_ALIGN)
		return fail(err, errlen,
			    "region size %s is not a multiple of 2 MiB",
			    region_size_str(r->size, buf, sizeof(buf)));
	return 0;
}

const char *region_size_str(vmk_u64 size, char *buf, size_t len)
{
	if (size && size % (1ULL << 30) == 0)
		snprintf(buf, len, "%" PRIu64 " GiB", size >> 30);
	else if (size && size % (1ULL << 20) == 0)
		snprintf(buf, len, "%" PRIu64 " MiB", size >> 20);
	else if (size && size % (1ULL << 10) == 0)
		snprintf(buf, len, "%" PRIu64 " KiB", size >> 10);
	else
		snprintf(buf, len, "0x%" PRIx64 " bytes", size);
	return buf;
}
