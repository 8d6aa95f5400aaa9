// SPDX-License-Identifier: GPL-2.0
/*
 * vmk-cmdline: reads switches from the kernel command line for the
 * console's init scripts (vmk.autoload=, vmk.test=, vmk.hostname=, ...).
 */
#include "cmdline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vmk-cmdline [-f FILE] get KEY [DEFAULT]\n"
		"       vmk-cmdline [-f FILE] bool KEY DEFAULT\n"
		"       vmk-cmdline [-f FILE] list [PREFIX]\n"
		"\n"
		"Reads switches from the kernel command line (/proc/cmdline, or FILE).\n"
		"  get   print KEY's value (the last one given); DEFAULT if KEY is absent;\n"
		"        exit 1 if KEY is absent and no DEFAULT is given\n"
		"  bool  exit 0 if KEY is true (1/y/yes/on/true or bare), 1 if false;\n"
		"        DEFAULT (0 or 1) when absent; exit 2 on a value that is neither\n"
		"  list  print every KEY=VALUE whose key starts with PREFIX (default \"vmk.\")\n");
}

static int list_cb(const struct cmdline_param *p, void *ctx)
{
	const char *prefix = ctx;
	size_t n = strlen(prefix);

	if (p->key_len >= n && strncmp(p->key, prefix, n) == 0) {
		if (p->val)
			printf("%.*s=%.*s\n", (int)p->key_len, p->key,
			       (int)p->val_len, p->val);
		else
			printf("%.*s\n", (int)p->key_len, p->key);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *file = "/proc/cmdline";
	static char line[65536], val[4096];
	int i = 1;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc > 2 && !strcmp(argv[1], "-f")) {
		file = argv[2];
		i = 3;
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}

	FILE *f = fopen(file, "r");
	if (!f) {
		fprintf(stderr, "vmk-cmdline: %s: %s\n", file, strerror(errno));
		return 2;
	}
	size_t len = fread(line, 1, sizeof(line) - 1, f);
	fclose(f);
	line[len] = '\0';

	const char *cmd = argv[i];
	int nargs = argc - i - 1;
	char **args = argv + i + 1;

	if (!strcmp(cmd, "get") && (nargs == 1 || nargs == 2)) {
		int rc = cmdline_get(line, len, args[0], val, sizeof(val));
		if (rc == -2) {
			fprintf(stderr, "vmk-cmdline: value of %s is too long\n", args[0]);
			return 2;
		}
		if (rc == -1) {
			if (nargs < 2)
				return 1;
			puts(args[1]);
			return 0;
		}
		puts(val);
		return 0;
	}
	if (!strcmp(cmd, "bool") && nargs == 2) {
		bool b;
		int rc = cmdline_get(line, len, args[0], val, sizeof(val));
		const char *v = rc >= 0 ? val : args[1];
		if (rc == -2 || cmdline_parse_bool(v, &b)) {
			fprintf(stderr, "vmk-cmdline: %s=%s is not a boolean\n", args[0], v);
			return 2;
		}
		return b ? 0 : 1;
	}
	if (!strcmp(cmd, "list") && nargs <= 1) {
		cmdline_each(line, len, list_cb, (void *)(nargs ? args[0] : "vmk."));
		return 0;
	}
	usage(stderr);
	return 2;
}
