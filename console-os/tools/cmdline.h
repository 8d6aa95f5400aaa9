/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel command-line parsing for the console's tools: splits a command
 * line the way Linux does (words separated by blanks, double quotes
 * group a value with spaces) and looks up "key=value" switches.  Pure
 * logic with no I/O, shared by vmk-cmdline and vmkload.
 */
#ifndef VMKX_CMDLINE_H
#define VMKX_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/* One switch: "key", or "key=value".  Both point into caller storage. */
struct cmdline_param {
	const char *key;
	size_t key_len;
	const char *val;	/* NULL for a bare "key" */
	size_t val_len;
};

/*
 * Calls fn(param, ctx) for each word of line (len bytes, NUL not needed),
 * in order.  Stops early and returns fn's value if fn returns non-zero.
 */
int cmdline_each(const char *line, size_t len,
		 int (*fn)(const struct cmdline_param *p, void *ctx), void *ctx);

/*
 * Finds the last occurrence of key.  Copies its value (unquoted) to
 * out, NUL-terminated, and returns its length; a bare key yields "".
 * Returns -1 when key is absent and -2 when out (size bytes) is too small.
 */
int cmdline_get(const char *line, size_t len, const char *key,
		char *out, size_t size);

/*
 * Parses a boolean switch value: 1/0, y/n, yes/no, on/off, true/false
 * (any case); an empty value (a bare key) is true.  Returns 0 and sets
 * *out, or -1 for anything else.
 */
int cmdline_parse_bool(const char *val, bool *out);

#endif
