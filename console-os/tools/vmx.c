// SPDX-License-Identifier: GPL-2.0
/*
 * The .vmx parser of vmware-cmd: see vmx.h.  It works on the whole text
 * at once so that every error can name the file, the line and the key,
 * and resolves what depends on several keys (shares by level and VCPU
 * count, min and max against each other) once every line is read.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmkdev.h"
#include "vmx.h"

enum vmx_key {
	K_NAME, K_MEMSIZE, K_NVCPUS, K_SHARES, K_MIN, K_MAX, K_AFFINITY,
	K_KERNEL, K_MODULE, K_CMDLINE, K_INITRD, K_COUNT
};

static const char *const keys[K_COUNT] = {
	"displayName", "memsize", "numvcpus", "sched.cpu.shares", "sched.cpu.min",
	"sched.cpu.max", "sched.cpu.affinity", "kernel", "kernel.module", "kernel.cmdline",
	"kernel.initrd",
};

/* Where a .vmx error is reported: file, line, key. */
struct where {
	const char *path;
	unsigned int line;
	char *err;
	size_t errlen;
};

static int bad(const struct where *w, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(const struct where *w, const char *key, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (w->err && w->errlen) {
		if (key)
			snprintf(w->err, w->errlen, "%s:%u: %s: %s", w->path, w->line, key, msg);
		else
			snprintf(w->err, w->errlen, "%s:%u: %s", w->path, w->line, msg);
	}
	return -1;
}

int vmx_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= VMK_VM_NAME_LEN)
		return -1;
	/* A name is typed on command lines and names a directory: no
	 * slashes, no blanks, nothing that is not printable. */
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-+", *p))
			return -1;
	return 0;
}

/* A decimal number lo..hi, with an optional trailing '%' if pct. */
static int number(const struct where *w, const char *key, const char *s, int pct,
		  unsigned long lo, unsigned long hi, vmk_u32 *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (pct && *end == '%')
		end++;
	if (!isdigit((unsigned char)*s) || errno || *end || v < lo || v > hi)
		return bad(w, key, "\"%s\": a number from %lu to %lu%s", s, lo, hi,
			   pct ? " (percent of one CPU)" : "");
	*out = (vmk_u32)v;
	return 0;
}

static int path_value(const struct where *w, const char *key, const char *dir,
		      const char *s, char *out)
{
	int n;

	if (!*s)
		return bad(w, key, "an empty path");
	if (s[0] == '/' || !*dir)
		n = snprintf(out, VMX_PATH_MAX, "%s", s);
	else
		n = snprintf(out, VMX_PATH_MAX, "%s/%s", dir, s);
	if (n < 0 || n >= VMX_PATH_MAX)
		return bad(w, key, "path longer than %d bytes", VMX_PATH_MAX - 1);
	return 0;
}

/* Splits one line into key and value, in place.  1: a key and value,
 * 0: blank or comment, -1: malformed (err set). */
static int split(const struct where *w, char *line, char **key, char **val)
{
	char *p = line, *k, *v;

	while (isspace((unsigned char)*p))
		p++;
	if (!*p || *p == '#')
		return 0;
	k = p;
	while (*p && !isspace((unsigned char)*p) && *p != '=')
		p++;
	if (p == k)
		return bad(w, NULL, "a line must read key = \"value\"");
	char *kend = p;

	while (isspace((unsigned char)*p))
		p++;
	if (*p != '=')
		return bad(w, NULL, "a line must read key = \"value\" (no '=' after \"%.*s\")",
			   (int)(kend - k), k);
	*kend = '\0';
	p++;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '"') {
		v = ++p;
		while (*p && *p != '"')
			p++;
		if (*p != '"')
			return bad(w, k, "the value's closing quote is missing");
		*p++ = '\0';
	} else {
		v = p;
		while (*p && !isspace((unsigned char)*p) && *p != '#')
			p++;
		if (*p == '#') {
			*p = '\0';	/* the rest is a comment */
			*key = k;
			*val = v;
			return 1;
		}
		if (*p)
			*p++ = '\0';
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p && *p != '#')
		return bad(w, k, "text after the value: \"%s\"", p);
	*key = k;
	*val = v;
	return 1;
}

int vmx_parse(const char *path, const char *text, size_t len, struct vmx *out,
	      FILE *warn, char *err, size_t errlen)
{
	struct where w = { path, 0, err, errlen };
	unsigned int seen[K_COUNT] = { 0 };
	char dir[VMX_PATH_MAX], line[VMX_CMDLINE_MAX + 256];
	const char *slash, *base;
	int shares_level = 2;	/* 1 low, 2 normal, 4 high: halves of 500 */
	vmk_u32 shares = 0;

	if (err && errlen)
		err[0] = '\0';
	memset(out, 0, sizeof(*out));
	out->nvcpus = 1;
	if (snprintf(out->path, sizeof(out->path), "%s", path) >= (int)sizeof(out->path))
		return bad(&w, NULL, "path too long");
	slash = strrchr(path, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 0, path);
	if (slash && slash == path)
		strcpy(dir, "/");

	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *key = NULL, *val = NULL;
		int k, r;

		w.line++;
		if (n >= sizeof(line))
			return bad(&w, NULL, "line longer than %zu bytes", sizeof(line) - 1);
		if (memchr(text + pos, '\0', n))
			return bad(&w, NULL, "a NUL byte: not a text file");
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + 1;
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		r = split(&w, line, &key, &val);
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		for (k = 0; k < K_COUNT; k++)
			if (!strcasecmp(key, keys[k]))
				break;
		if (k == K_COUNT) {
			if (warn)
				fprintf(warn, "%s:%u: unknown key \"%s\" ignored\n", path, w.line, key);
			continue;
		}
		if (seen[k])
			return bad(&w, keys[k], "given twice (first on line %u)", seen[k]);
		seen[k] = w.line;
		switch (k) {
		case K_NAME:
			if (vmx_name_ok(val))
				return bad(&w, keys[k], "\"%s\": 1 to %d letters, digits or ._-+",
					   val, VMK_VM_NAME_LEN - 1);
			strcpy(out->name, val);
			break;
		case K_MEMSIZE:
			if (number(&w, keys[k], val, 0, VMK_VM_MEM_MIN_MB, VMK_VM_MEM_MAX_MB,
				   &out->memsize_mb))
				return -1;
			break;
		case K_NVCPUS:
			if (number(&w, keys[k], val, 0, 1, VMK_VM_VCPUS_MAX, &out->nvcpus))
				return -1;
			break;
		case K_SHARES:
			if (!strcasecmp(val, "low"))
				shares_level = 1;
			else if (!strcasecmp(val, "normal"))
				shares_level = 2;
			else if (!strcasecmp(val, "high"))
				shares_level = 4;
			else if (isdigit((unsigned char)*val)) {
				if (number(&w, keys[k], val, 0, 1, 1000000, &shares))
					return -1;
				shares_level = 0;
			} else
				return bad(&w, keys[k], "\"%s\": low, normal, high or a number "
					   "from 1 to 1000000", val);
			break;
		case K_MIN:
			if (number(&w, keys[k], val, 1, 0, 100U * VMK_VM_VCPUS_MAX, &out->min_pct))
				return -1;
			break;
		case K_MAX:
			if (number(&w, keys[k], val, 1, 0, 100U * VMK_VM_VCPUS_MAX, &out->max_pct))
				return -1;
			break;
		case K_AFFINITY:
			if (!strcasecmp(val, "all"))
				out->affinity = 0;
			else if (vmkdev_cpulist(val, &out->affinity))
				return bad(&w, keys[k], "\"%s\": vmkernel CPU indexes (\"1,3\", "
					   "\"1-3\") or all", val);
			break;
		case K_KERNEL:
			if (path_value(&w, keys[k], dir, val, out->kernel))
				return -1;
			break;
		case K_MODULE:
			if (path_value(&w, keys[k], dir, val, out->module))
				return -1;
			break;
		case K_INITRD:
			if (path_value(&w, keys[k], dir, val, out->initrd))
				return -1;
			break;
		case K_CMDLINE:
			if (strlen(val) > VMX_CMDLINE_MAX)
				return bad(&w, keys[k], "longer than %d bytes", VMX_CMDLINE_MAX);
			strcpy(out->cmdline, val);
			break;
		}
	}

	/* What needs several keys: reported against the later line. */
	if (!seen[K_MEMSIZE])
		return snprintf(err, errlen, "%s: memsize: missing (MB of RAM)", path), -1;
	if (!seen[K_KERNEL])
		return snprintf(err, errlen, "%s: kernel: missing (a multiboot ELF file or a Linux bzImage)", path), -1;
	if (!seen[K_NAME]) {
		base = slash ? slash + 1 : path;
		size_t n = strlen(base);

		if (n > 4 && !strcmp(base + n - 4, ".vmx"))
			n -= 4;
		snprintf(out->name, sizeof(out->name), "%.*s", (int)n, base);
		if (n >= VMK_VM_NAME_LEN || vmx_name_ok(out->name))
			return snprintf(err, errlen, "%s: displayName: missing, and the file's "
					"name is no valid VM name", path), -1;
	}
	out->shares = shares_level ? shares_level * (VMK_VM_SHARES_PER_VCPU / 2) * out->nvcpus
		: shares;
	if (out->min_pct > 100 * out->nvcpus) {
		w.line = seen[K_MIN];
		return bad(&w, keys[K_MIN], "%u%% is more than %u VCPU%s can use", out->min_pct,
			   out->nvcpus, out->nvcpus > 1 ? "s" : "");
	}
	if (out->max_pct && out->max_pct < out->min_pct) {
		w.line = seen[K_MAX] > seen[K_MIN] ? seen[K_MAX] : seen[K_MIN];
		return bad(&w, keys[K_MAX], "the limit %u%% is below the reservation %u%%",
			   out->max_pct, out->min_pct);
	}
	return 0;
}

static int readable(const char *what, const char *file, char *err, size_t errlen)
{
	struct stat st;

	if (stat(file, &st) || access(file, R_OK))
		return snprintf(err, errlen, "%s %s: %s", what, file, strerror(errno)), -1;
	if (!S_ISREG(st.st_mode))
		return snprintf(err, errlen, "%s %s: not a regular file", what, file), -1;
	return 0;
}

static int read_parse(const char *path, struct vmx *out, FILE *warn, char *err,
		      size_t errlen)
{
	static char text[VMX_SIZE_MAX + 1];
	ssize_t n;
	int fd, r;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return snprintf(err, errlen, "%s: %s", path, strerror(errno)), -1;
	n = read(fd, text, sizeof(text));
	r = errno;
	close(fd);
	if (n < 0)
		return snprintf(err, errlen, "%s: %s", path, strerror(r)), -1;
	if (n > VMX_SIZE_MAX)
		return snprintf(err, errlen, "%s: larger than %d bytes: not a .vmx file", path,
				VMX_SIZE_MAX), -1;
	return vmx_parse(path, text, (size_t)n, out, warn, err, errlen);
}

int vmx_parse_file(const char *path, struct vmx *out, char *err, size_t errlen)
{
	return read_parse(path, out, NULL, err, errlen);
}

int vmx_load(const char *path, struct vmx *out, FILE *warn, char *err, size_t errlen)
{
	if (read_parse(path, out, warn, err, errlen))
		return -1;
	if (readable("kernel", out->kernel, err, errlen))
		return -1;
	if (out->module[0] && readable("kernel.module", out->module, err, errlen))
		return -1;
	if (out->initrd[0] && readable("kernel.initrd", out->initrd, err, errlen))
		return -1;
	return 0;
}

void vmx_config(const struct vmx *v, struct vmk_vm_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", v->name);
	c->memsize_mb = v->memsize_mb;
	c->nvcpus = v->nvcpus;
	c->shares = v->shares;
	c->min_pct = v->min_pct;
	c->max_pct = v->max_pct;
	c->affinity = v->affinity;
}
