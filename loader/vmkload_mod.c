// SPDX-License-Identifier: GPL-2.0
/*
 * vmkload_mod: loads, lists and unloads vmkernel modules from the
 * service console, as ESX's tool of the same name did.  A module is
 * checked here completely (modcheck.c: the vmkernel's own checks and a
 * trial relocation) before it is handed to the vmkernel, which checks it
 * again; --unchecked skips the first check, for tests of the second.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "modcheck.h"
#include "vmnix_abi.h"

static const char *prog = "vmkload_mod";
static int quiet;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [-q] [--unchecked] MODULE.o   check and load a module\n"
		"       %s -c|--check MODULE.o           check only, print what it is\n"
		"       %s -l|--list                     list loaded modules\n"
		"       %s -u|--unload NAME              unload a module\n"
		"       %s -h|--help\n"
		"\n"
		"A module is an ELF relocatable object built against the vmkernel's\n"
		"headers (vmkernel/include/vmk/module.h).  It is refused, with the\n"
		"reason, if it is malformed, needs a symbol the vmkernel does not\n"
		"export, was built for another ABI (module ABI %u, vmkernel ABI %u\n"
		"here), exceeds %u bytes, has a name that is loaded, or names a\n"
		"dependency that is not; a failing init unloads it again.  Unload\n"
		"is refused while another module depends on it.  Loaded modules are\n"
		"also listed in /proc/vmware/modules.\n",
		prog, prog, prog, prog, prog, VMK_MOD_ABI_VERSION, VMK_ABI_VERSION,
		VMK_MOD_FILE_MAX);
}

static int vmnix_open(void)
{
	int fd = open(VMNIX_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "%s: %s: %s (is vmnix.ko loaded?)\n", prog,
			VMNIX_DEVICE, strerror(errno));
	return fd;
}

/* A vmkcall through the shim: the vmkernel's answer, or -errno of the
 * ioctl itself (ENODEV: the vmkernel is not loaded). */
static long long vmkcall(int fd, unsigned nr, unsigned long long a0,
			 unsigned long long a1, unsigned long long a2)
{
	struct vmnix_call c = { .nr = nr, .args = { a0, a1, a2, 0 } };
	int cpu = sched_getcpu();

	c.cpu = cpu < 0 ? 0 : (unsigned)cpu;
	if (ioctl(fd, VMNIX_IOC_CALL, &c) < 0)
		return -errno;
	return c.ret;
}

static const char *vmk_strerror(long long err)
{
	switch (-err) {
	case ENODEV: return "the vmkernel is not loaded";
	case EEXIST: return "a module of that name is already loaded";
	case ENOENT: return "a dependency is not loaded, or a symbol is not exported (see /proc/vmware/log)";
	case EBUSY: return "in use: another module depends on it, a call runs in it, or a world of its own runs (the vmkernel log says which)";
	case ENOSPC: return "the module table is full";
	case ENOMEM: return "the vmkernel's module heap is out of memory";
	case EPROTO: return "built for another ABI";
	case ENOEXEC: return "not a valid module (see /proc/vmware/log)";
	case E2BIG: return "too big";
	default: return strerror((int)-err);
	}
}

static int list_modules(int fd, struct vmk_module_stat *st)
{
	long long n = vmkcall(fd, VMK_CALL_MODULE_LIST, (unsigned long long)(uintptr_t)st,
			      VMK_MOD_LOADED_MAX, 0);

	if (n < 0)
		fprintf(stderr, "%s: listing modules: %s\n", prog, vmk_strerror(n));
	return (int)n;
}

static int do_check(const char *path, struct modelf *m, void **file, size_t *size)
{
	int err;

	*file = modcheck_read_file(path, VMK_MOD_FILE_MAX, size);
	if (!*file) {
		fprintf(stderr, "%s: %s: %s\n", prog, path,
			errno == EFBIG ? "larger than a module may be" : strerror(errno));
		return -1;
	}
	err = modcheck(m, *file, *size);
	if (err) {
		fprintf(stderr, "%s: %s: refused: %s\n", prog, path, m->err);
		return -1;
	}
	return 0;
}

static int cmd_check(const char *path)
{
	struct modelf m;
	void *file;
	size_t size;

	if (do_check(path, &m, &file, &size))
		return 1;
	printf("%s: module %s %s, %llu bytes laid out (text %llu, rodata %llu, data %llu), "
	       "%u relocations", path, m.info.name, m.info.version,
	       (unsigned long long)m.image_size,
	       (unsigned long long)m.part_size[MODELF_TEXT],
	       (unsigned long long)m.part_size[MODELF_RODATA],
	       (unsigned long long)m.part_size[MODELF_DATA], m.nrelocs);
	for (int d = 0; d < VMK_MOD_DEPS_MAX && m.info.deps[d][0]; d++)
		printf("%s%s", d ? "," : ", needs ", m.info.deps[d]);
	printf("\n");
	free(file);
	return 0;
}

static int cmd_load(const char *path, int unchecked)
{
	struct modelf m;
	void *file;
	size_t size;
	struct timespec t0, t1;
	long long id;
	int fd, ret = 1;

	if (unchecked) {
		file = modcheck_read_file(path, VMK_MOD_FILE_MAX, &size);
		if (!file) {
			fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
			return 1;
		}
		snprintf(m.info.name, sizeof(m.info.name), "?");
	} else if (do_check(path, &m, &file, &size)) {
		return 1;
	}
	fd = vmnix_open();
	if (fd < 0)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	id = vmkcall(fd, VMK_CALL_MODULE_LOAD, 0, (unsigned long long)(uintptr_t)file, size);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (id < 0) {
		fprintf(stderr, "%s: %s: the vmkernel refused it: %s (error %lld)\n",
			prog, path, vmk_strerror(id), id);
	} else {
		if (!quiet)
			printf("%s: loaded %s as module %lld in %lld us\n", prog, path, id,
			       ((t1.tv_sec - t0.tv_sec) * 1000000000LL +
				(t1.tv_nsec - t0.tv_nsec)) / 1000);
		ret = 0;
	}
	close(fd);
out:
	free(file);
	return ret;
}

static int cmd_list(void)
{
	struct vmk_module_stat st[VMK_MOD_LOADED_MAX];
	int fd = vmnix_open(), n;

	if (fd < 0)
		return 1;
	n = list_modules(fd, st);
	close(fd);
	if (n < 0)
		return 1;
	static const char *const prot[4] = { "-", "ro", "nx", "ro,nx" };

	printf("%-4s %-16s %-10s %8s %8s %4s %5s %-6s %s\n", "id", "name", "version",
	       "size", "text", "refs", "calls", "prot", "depends on");
	for (int i = 0; i < n; i++) {
		printf("%-4u %-16.24s %-10.16s %8llu %8llu %4u %5u %-6s ", st[i].id,
		       st[i].name, st[i].version, (unsigned long long)st[i].size,
		       (unsigned long long)st[i].text_size, st[i].refs, st[i].ncalls,
		       prot[st[i].prot & 3]);
		for (int d = 0; d < VMK_MOD_DEPS_MAX && st[i].deps[d][0]; d++)
			printf("%s%.24s", d ? "," : "", st[i].deps[d]);
		printf("%s\n", st[i].deps[0][0] ? "" : "-");
	}
	return 0;
}

static int cmd_unload(const char *name)
{
	struct vmk_module_stat st[VMK_MOD_LOADED_MAX];
	int fd = vmnix_open(), n, ret = 1;
	long long err;

	if (fd < 0)
		return 1;
	n = list_modules(fd, st);
	for (int i = 0; i < n; i++) {
		if (strncmp(st[i].name, name, sizeof(st[i].name)))
			continue;
		err = vmkcall(fd, VMK_CALL_MODULE_UNLOAD, 0, st[i].id, 0);
		if (err < 0) {
			fprintf(stderr, "%s: %s: not unloaded: %s\n", prog, name,
				vmk_strerror(err));
		} else {
			if (!quiet)
				printf("%s: unloaded %s\n", prog, name);
			ret = 0;
		}
		goto out;
	}
	if (n >= 0)
		fprintf(stderr, "%s: %s: no such module loaded\n", prog, name);
out:
	close(fd);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "check", required_argument, NULL, 'c' },
		{ "list", no_argument, NULL, 'l' },
		{ "unload", required_argument, NULL, 'u' },
		{ "unchecked", no_argument, NULL, 'U' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *check = NULL, *unload = NULL;
	int list = 0, unchecked = 0, c;

	while ((c = getopt_long(argc, argv, "c:lu:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': check = optarg; break;
		case 'l': list = 1; break;
		case 'u': unload = optarg; break;
		case 'U': unchecked = 1; break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if ((check != NULL) + (unload != NULL) + list + (optind < argc) != 1 ||
	    argc - optind > 1) {
		usage(stderr);
		return 2;
	}
	if (check)
		return cmd_check(check);
	if (list)
		return cmd_list();
	if (unload)
		return cmd_unload(unload);
	return cmd_load(argv[optind], unchecked);
}
