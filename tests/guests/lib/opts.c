// SPDX-License-Identifier: GPL-2.0
/*
 * The guests' options: words key=value on the multiboot command line,
 * then lines (or words) key=value in the text of the first multiboot
 * module, the environment in kvm-unit-tests' manner (NR_CPUS=2).  The
 * command line wins.  Everything is copied at start-up, so the guest may
 * reuse the memory the loader put the multiboot info in.  A command-line
 * key the guest does not know is a FAIL line: a typo must not pass as a
 * default.
 */
#include "guest.h"

#define MBI_MEM		(1u << 0)
#define MBI_CMDLINE	(1u << 2)
#define MBI_MODS	(1u << 3)

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr;
};

struct mb_module {
	uint32_t start, end, string, reserved;
};

#define OPTS_MAX	32
#define OPTS_TEXT	2048

static char opts_cmd[512], opts_envtext[1024], opts_store[OPTS_TEXT];
static struct { const char *key, *val; bool env; } opts[OPTS_MAX];
static unsigned opts_count;
static bool opts_mbi;
static uint64_t opts_ramend;

static void opts_copy(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* Splits TEXT into key=value words; words without '=' are ignored. */
static void opts_parse(const char *text, bool env)
{
	static size_t used;

	while (*text) {
		const char *w = text, *eq = NULL;
		size_t len;

		while (*text && *text != ' ' && *text != '\n' && *text != '\t' &&
		       *text != '\r')
			text++;
		len = (size_t)(text - w);
		while (*text == ' ' || *text == '\n' || *text == '\t' || *text == '\r')
			text++;
		for (size_t i = 0; i < len; i++)
			if (w[i] == '=') {
				eq = w + i;
				break;
			}
		if (!eq || eq == w)
			continue;
		if (opts_count == OPTS_MAX || used + len + 1 > OPTS_TEXT) {
			print("%s: too many options, ignoring the rest\n", guest_name);
			return;
		}
		memcpy(opts_store + used, w, len);
		opts_store[used + (size_t)(eq - w)] = '\0';
		opts_store[used + len] = '\0';
		opts[opts_count].key = opts_store + used;
		opts[opts_count].val = opts_store + used + (eq - w) + 1;
		opts[opts_count].env = env;
		opts_count++;
		used += len + 1;
	}
}

void opts_init(uint32_t magic, const void *mbi_ptr)
{
	const struct mb_info *mbi = mbi_ptr;

	if (magic != 0x2badb002 || !mbi) {
		print("%s: not started by a multiboot loader (eax %#x): no options\n",
		      guest_name, magic);
		return;
	}
	opts_mbi = true;
	if (mbi->flags & MBI_MEM)
		opts_ramend = 0x100000ull + (uint64_t)mbi->mem_upper * 1024;
	if ((mbi->flags & MBI_CMDLINE) && mbi->cmdline) {
		const char *c = (const char *)mbi->cmdline;

		opts_copy(opts_cmd, sizeof(opts_cmd), c, strlen(c));
	}
	if ((mbi->flags & MBI_MODS) && mbi->mods_count) {
		const struct mb_module *m = (const struct mb_module *)mbi->mods_addr;

		if (m->end > m->start)
			opts_copy(opts_envtext, sizeof(opts_envtext),
				  (const char *)m->start, m->end - m->start);
	}
	opts_parse(opts_cmd, false);
	opts_parse(opts_envtext, true);

	for (unsigned i = 0; i < opts_count; i++) {
		bool known = false;

		if (opts[i].env)
			continue;
		for (const char *const *k = guest_options; *k; k++)
			if (!strcmp(*k, opts[i].key))
				known = true;
		if (!strcmp(opts[i].key, "NR_CPUS"))
			known = true;
		if (!known)
			report(false, "option %s=%s: unknown to %s", opts[i].key,
			       opts[i].val, guest_name);
	}
}

bool opts_have_mbi(void)
{
	return opts_mbi;
}

uint64_t opts_ram_end(void)
{
	return opts_ramend;
}

const char *opts_cmdline(void)
{
	return opts_cmd;
}

const char *opts_env(void)
{
	return opts_envtext;
}

const char *opts_str(const char *key, const char *dflt)
{
	/* The command line's words come first in the table. */
	for (unsigned i = 0; i < opts_count; i++)
		if (!strcmp(opts[i].key, key))
			return opts[i].val;
	return dflt;
}

uint64_t opts_uint(const char *key, uint64_t dflt)
{
	const char *s = opts_str(key, NULL);
	uint64_t v = 0;
	unsigned base = 10;

	if (!s)
		return dflt;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		goto bad;
	for (; *s; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			goto bad;
		if (v > (~0ull - d) / base)
			goto bad;
		v = v * base + d;
	}
	return v;
bad:
	report(false, "option %s=%s: not a number, using %llu", key,
	       opts_str(key, ""), dflt);
	return dflt;
}
