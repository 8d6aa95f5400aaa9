// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel command-line parsing (see cmdline.h).  Follows the rules of
 * Linux's next_arg(): blanks separate words, a double quote toggles
 * quoting, and a pair of quotes around a whole value is dropped.
 */
#include "cmdline.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\0';
}

int cmdline_each(const char *line, size_t len,
		 int (*fn)(const struct cmdline_param *p, void *ctx), void *ctx)
{
	size_t i = 0;

	while (i < len) {
		while (i < len && is_blank(line[i]))
			i++;
		if (i >= len)
			break;

		size_t start = i, eq = 0;
		bool quoted = false, have_eq = false;

		for (; i < len; i++) {
			if (line[i] == '"')
				quoted = !quoted;
			else if (!quoted && is_blank(line[i]))
				break;
			else if (line[i] == '=' && !have_eq) {
				have_eq = true;
				eq = i;
			}
		}

		struct cmdline_param p = { .key = line + start };
		size_t end = i;

		if (have_eq) {
			p.key_len = eq - start;
			p.val = line + eq + 1;
			p.val_len = end - eq - 1;
			/* key="a b": drop the quotes around the value. */
			if (p.val_len >= 2 && p.val[0] == '"' &&
			    p.val[p.val_len - 1] == '"') {
				p.val++;
				p.val_len -= 2;
			}
		} else {
			p.key_len = end - start;
		}
		/* "key=v" written as a whole in quotes: strip them too. */
		if (p.key_len > 0 && p.key[0] == '"') {
			p.key++;
			p.key_len--;
			if (!have_eq && p.key_len > 0 && p.key[p.key_len - 1] == '"')
				p.key_len--;
			else if (have_eq && p.val_len > 0 && p.val[p.val_len - 1] == '"')
				p.val_len--;
		}

		int rc = fn(&p, ctx);
		if (rc)
			return rc;
	}
	return 0;
}

struct get_ctx {
	const char *key;
	size_t key_len;
	const struct cmdline_param *found;
	struct cmdline_param last;
};

static int get_cb(const struct cmdline_param *p, void *ctx)
{
	struct get_ctx *g = ctx;

	if (p->key_len == g->key_len && memcmp(p->key, g->key, g->key_len) == 0) {
		g->last = *p;
		g->found = &g->last;
	}
	return 0;
}

int cmdline_get(const char *line, size_t len, const char *key,
		char *out, size_t size)
{
	struct get_ctx g = { .key = key, .key_len = strlen(key) };

	cmdline_each(line, len, get_cb, &g);
	if (!g.found)
		return -1;

	size_t n = g.found->val ? g.found->val_len : 0;
	if (n + 1 > size)
		return -2;
	if (n)
		memcpy(out, g.found->val, n);
	out[n] = '\0';
	return (int)n;
}

int cmdline_parse_bool(const char *val, bool *out)
{
	static const char *const yes[] = { "", "1", "y", "yes", "on", "true" };
	static const char *const no[] = { "0", "n", "no", "off", "false" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(val, yes[i]) == 0) {
			*out = true;
			return 0;
		}
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		if (strcasecmp(val, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}
