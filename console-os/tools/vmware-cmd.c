// SPDX-License-Identifier: GPL-2.0
/*
 * vmware-cmd: manages the vmkernel's virtual machines from the service
 * console, under ESX's name for the same tool.  A VM is described by a
 * .vmx file (vmx.h); registering it records the file in the registry on
 * the datastore, so it survives a console reboot.  Starting it creates
 * the VM in the vmkernel (admission control happens there), writes its
 * kernel into its RAM, with its module or initrd and command line
 * (loader/multiboot.c for a multiboot kernel, loader/linux.c for a Linux
 * bzImage), and starts its boot VCPU.  Everything else is one vmkcall
 * of the ABI's "virtual machines" section, through /dev/vmnix.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "linux.h"
#include "multiboot.h"
#include "vmkdev.h"
#include "vmx.h"

#define PROG		"vmware-cmd"
#define REGISTRY	"/vmfs/volumes/datastore1/vm-list"
#define DETACH_KEY	0x1d		/* Ctrl-] */
#define KERNEL_MAX	(256U << 20)	/* no test kernel comes near it */

static const char *const vm_states[] = VMK_VM_STATE_NAMES;
static const char *const exit_kinds[] = VMK_VM_EXIT_KIND_NAMES;
static const char *registry = REGISTRY;

#define NAME(tbl, i) ((i) < sizeof(tbl) / sizeof(tbl[0]) ? (tbl)[i] : "?")

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *args;
	const char *help;
};

static const struct command *current;

static void cmd_usage(FILE *f, const struct command *c)
{
	fprintf(f, "usage: %s %s %s\n%s", PROG, c->name, c->args, c->help);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: %s: ", PROG, current->name);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	cmd_usage(stderr, current);
	return 2;
}

static int vmkernel_loaded(void)
{
	struct vmnix_status st;

	return ioctl(vmkdev_fd(PROG), VMNIX_IOC_STATUS, &st) == 0 && st.loaded;
}

/* The vmkernel's errno in words, for the VM name. */
static const char *why(int64_t r, const char *name, unsigned memsize_mb)
{
	static char buf[160];

	switch (-r) {
	case ENOSPC:
		return "the VM's CPU reservation cannot be met";
	case ENOMEM:
		snprintf(buf, sizeof(buf), "not enough vmkernel memory for %u MB", memsize_mb);
		return buf;
	case EEXIST:
		snprintf(buf, sizeof(buf), "a VM named %s exists already", name);
		return buf;
	case ENODEV:
		/* The shim says ENODEV too when no vmkernel is loaded. */
		if (!vmkernel_loaded())
			return "the vmkernel is not loaded (vmkload)";
		return "no vmkernel CPU: give one with vmkcpu give";
	case EBUSY:
		return "it is running";
	case ENOENT:
		return "no such VM in the vmkernel";
	case ENOSYS:
	case EPERM:
		return "this vmkernel or shim does not run VMs";
	default:
		snprintf(buf, sizeof(buf), "%s", strerror((int)-r));
		return buf;
	}
}

static int failed(const char *what, const char *name, int64_t r, unsigned memsize_mb)
{
	fprintf(stderr, "%s: %s %s: %s\n", PROG, what, name, why(r, name, memsize_mb));
	if (-r != EBUSY && -r != EEXIST && -r != ENOENT)
		vmkdev_explain(PROG);
	return 1;
}

static int vm_info(vmk_u32 id, struct vmk_vm_info *vi)
{
	int64_t r = vmkdev_call(PROG, VMK_CALL_VM_INFO, id, (uintptr_t)vi, sizeof(*vi));

	if (r >= 0)
		vi->name[sizeof(vi->name) - 1] = vi->reason[sizeof(vi->reason) - 1] = '\0';
	return (int)r;
}

/* The vmkernel's VM of that name: its id, or 0 if there is none. */
static vmk_u32 vm_by_name(const char *name, struct vmk_vm_info *vi)
{
	int64_t id = 0;
	int guard = 0;

	while ((id = vmkdev_call(PROG, VMK_CALL_VM_NEXT, (vmk_u64)id, 0, 0)) > 0 &&
	       guard++ <= VMK_VM_MAX)
		if (vm_info((vmk_u32)id, vi) == 0 && !strcmp(vi->name, name))
			return (vmk_u32)id;
	if (id < 0 && id != -ENOENT)
		exit(failed("list", "VMs", id, 0));
	return 0;
}

/* ---- the registry ------------------------------------------------------------ */

#define REG_MAX		256

struct reg {
	unsigned int n;
	char *path[REG_MAX];
};

static void reg_read(struct reg *r)
{
	char line[VMX_PATH_MAX + 2];
	FILE *f = fopen(registry, "r");

	r->n = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && r->n < REG_MAX) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '/')
			r->path[r->n++] = strdup(line);
	}
	fclose(f);
}

static int reg_write(const struct reg *r)
{
	char tmp[PATH_MAX];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.new", registry);
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "%s: registry %s: %s (is the datastore mounted?)\n", PROG, tmp,
			strerror(errno));
		return -1;
	}
	for (unsigned int i = 0; i < r->n; i++)
		fprintf(f, "%s\n", r->path[i]);
	/* A registration must survive a reset right after the command. */
	if (fflush(f) || fsync(fileno(f)) || fclose(f) || rename(tmp, registry)) {
		fprintf(stderr, "%s: registry %s: %s\n", PROG, registry, strerror(errno));
		return -1;
	}
	return 0;
}

/* The registered .vmx whose displayName is name: its index, or -1. */
static int reg_find(const struct reg *r, const char *name, struct vmx *v)
{
	char err[512];

	for (unsigned int i = 0; i < r->n; i++) {
		if (vmx_parse_file(r->path[i], v, err, sizeof(err)))
			continue;
		if (!strcmp(v->name, name) || !strcmp(r->path[i], name))
			return (int)i;
	}
	return -1;
}

static int looks_like_path(const char *s)
{
	size_t n = strlen(s);

	return strchr(s, '/') || (n > 4 && !strcmp(s + n - 4, ".vmx"));
}

/* A VM argument: a .vmx path, or a registered VM's name.  Fills *v and
 * returns 0, or prints why not and returns 1. */
static int resolve_vmx(const char *arg, struct vmx *v)
{
	char err[512];
	struct reg r;

	if (looks_like_path(arg)) {
		if (vmx_load(arg, v, stderr, err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", PROG, err);
			return 1;
		}
		return 0;
	}
	reg_read(&r);
	if (reg_find(&r, arg, v) < 0) {
		fprintf(stderr, "%s: %s: no VM of that name is registered (see %s -l)\n",
			PROG, arg, PROG);
		return 1;
	}
	char path[VMX_PATH_MAX];

	snprintf(path, sizeof(path), "%s", v->path);
	if (vmx_load(path, v, stderr, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		return 1;
	}
	return 0;
}

/* A VM argument that must name a VM in the vmkernel: by id, name or
 * .vmx path.  Returns its id, or prints why not and returns 0. */
static vmk_u32 resolve_vm(const char *arg, struct vmk_vm_info *vi)
{
	char *end, err[512];
	unsigned long id = strtoul(arg, &end, 10);
	struct vmx v;
	vmk_u32 found;

	if (*arg >= '0' && *arg <= '9' && !*end) {
		if (id && id <= 0xffffffffUL && vm_info((vmk_u32)id, vi) == 0)
			return (vmk_u32)id;
		fprintf(stderr, "%s: %s: no VM with that id in the vmkernel (see %s -l)\n",
			PROG, arg, PROG);
		return 0;
	}
	if (looks_like_path(arg)) {
		if (vmx_parse_file(arg, &v, err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", PROG, err);
			return 0;
		}
		arg = v.name;
	}
	found = vm_by_name(arg, vi);
	if (!found)
		fprintf(stderr, "%s: %s: no VM of that name in the vmkernel (see %s -l)\n",
			PROG, arg, PROG);
	return found;
}

/* ---- start -------------------------------------------------------------------- */

static void *read_file(const char *what, const char *path, size_t *size)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY);
	size_t got = 0;

	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "%s: %s %s: %s\n", PROG, what, path, strerror(errno));
		return NULL;
	}
	if ((vmk_u64)st.st_size > KERNEL_MAX) {
		fprintf(stderr, "%s: %s %s: larger than %u MiB\n", PROG, what, path,
			KERNEL_MAX >> 20);
		close(fd);
		return NULL;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	while (buf && got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n <= 0) {
			fprintf(stderr, "%s: %s %s: %s\n", PROG, what, path,
				n ? strerror(errno) : "shorter than it was");
			free(buf);
			buf = NULL;
		}
		got += n > 0 ? (size_t)n : 0;
	}
	close(fd);
	*size = got;
	return buf;
}

/* Writes the laid-out image into the VM's RAM, in VMK_VM_WRITE_MAX
 * chunks, with a progress line for large images on a terminal. */
static int64_t write_image(vmk_u32 id, const struct vm_write *writes,
			   unsigned int nwrites)
{
	vmk_u64 total = 0, done = 0;
	int progress;

	for (unsigned int i = 0; i < nwrites; i++)
		total += writes[i].len;
	progress = total >= (4U << 20) && isatty(STDERR_FILENO);
	for (unsigned int i = 0; i < nwrites; i++) {
		const struct vm_write *w = &writes[i];

		for (vmk_u64 off = 0; off < w->len; off += VMK_VM_WRITE_MAX) {
			vmk_u64 n = w->len - off < VMK_VM_WRITE_MAX ? w->len - off : VMK_VM_WRITE_MAX;
			int64_t r = vmkdev_call4(PROG, VMK_CALL_VM_WRITE, id, w->gpa + off,
						 (uintptr_t)w->data + off, n);

			if (r < 0)
				return r;
			done += n;
			if (progress && (done % (1U << 20) < n || done == total))
				fprintf(stderr, "\r%s: loading: %llu of %llu KiB", PROG,
					(unsigned long long)done >> 10,
					(unsigned long long)total >> 10);
		}
	}
	if (progress)
		fputc('\n', stderr);
	return 0;
}

/*
 * Powers on the VM described by arg (a .vmx path or a registered name):
 * created afresh, or with reset, the vmkernel's VM of that name reset
 * (RAM cleared, same id) and loaded again.
 */
static int power_on(const char *arg, int reset)
{
	struct vmx v;
	struct vmk_vm_config cfg;
	struct vmk_vm_info vi;
	static struct multiboot_load ld;
	static struct linux_load lx;
	const struct vm_write *writes;
	const struct vmk_vm_boot *boot;
	struct vmk_vm_boot start_boot;
	unsigned int nwrites;
	char err[512], env[32], *kernel, *module = NULL;
	const char *modname;
	size_t ksize, msize = 0;
	int64_t r, id;
	int rc = 1;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (resolve_vmx(arg, &v))
		return 1;
	/* Everything that can be checked on the console is, before the
	 * vmkernel sees anything. */
	kernel = read_file("kernel", v.kernel, &ksize);
	if (!kernel)
		return 1;
	if (linux_is_bzimage(kernel, ksize)) {
		if (v.module[0]) {
			fprintf(stderr, "%s: %s: kernel.module is for multiboot kernels; %s is "
				"a Linux bzImage (give it kernel.initrd)\n", PROG, v.path,
				v.kernel);
			goto out_kernel;
		}
		if (v.initrd[0]) {
			module = read_file("kernel.initrd", v.initrd, &msize);
			if (!module)
				goto out_kernel;
		}
		if (linux_layout(kernel, ksize, v.cmdline, module, msize,
				 (vmk_u64)v.memsize_mb << 20, v.nvcpus, (vmk_u64)time(NULL),
				 &lx, err, sizeof(err))) {
			fprintf(stderr, "%s: kernel %s: %s\n", PROG, v.kernel, err);
			goto out_module;
		}
		writes = lx.writes;
		nwrites = lx.nwrites;
		boot = &lx.boot;
		goto created;
	}
	if (v.initrd[0]) {
		fprintf(stderr, "%s: %s: kernel.initrd is for Linux kernels; %s is no bzImage "
			"(a multiboot kernel takes kernel.module)\n", PROG, v.path, v.kernel);
		goto out_kernel;
	}
	if (v.module[0]) {
		module = read_file("kernel.module", v.module, &msize);
		modname = strrchr(v.module, '/') ? strrchr(v.module, '/') + 1 : v.module;
	} else {
		/* kvm-unit-tests read their CPU count from this environment. */
		msize = (size_t)snprintf(env, sizeof(env), "NR_CPUS=%u\n", v.nvcpus);
		module = strdup(env);
		modname = "env";
	}
	if (!module)
		goto out_kernel;
	if (multiboot_layout(kernel, ksize, v.cmdline, module, msize, modname,
			     (vmk_u64)v.memsize_mb << 20, &ld, err, sizeof(err))) {
		fprintf(stderr, "%s: kernel %s: %s\n", PROG, v.kernel, err);
		goto out_module;
	}
	writes = ld.writes;
	nwrites = ld.nwrites;
	boot = &ld.boot;
created:
	id = vm_by_name(v.name, &vi);
	if (reset) {
		if (!id) {
			fprintf(stderr, "%s: reset %s: no VM of that name in the vmkernel\n", PROG,
				v.name);
			goto out_module;
		}
		r = vmkdev_call(PROG, VMK_CALL_VM_RESET, (vmk_u64)id, 0, 0);
		if (r < 0) {
			failed("reset", v.name, r, v.memsize_mb);
			goto out_module;
		}
		goto load;
	}
	if (id && vi.state == VMK_VM_RUNNING) {
		fprintf(stderr, "%s: start %s: it is running (VM id %lld)\n", PROG, v.name,
			(long long)id);
		goto out_module;
	}
	if (id) {
		/* Powered off, crashed or half loaded: power on afresh, with
		 * the .vmx as it is now. */
		r = vmkdev_call(PROG, VMK_CALL_VM_DESTROY, (vmk_u64)id, 0, 0);
		if (r < 0) {
			failed("start: remove the old", v.name, r, v.memsize_mb);
			goto out_module;
		}
	}
	vmx_config(&v, &cfg);
	id = vmkdev_call(PROG, VMK_CALL_VM_CREATE, (uintptr_t)&cfg, sizeof(cfg), 0);
	if (id <= 0) {
		failed("start", v.name, id ? id : -EIO, v.memsize_mb);
		goto out_module;
	}
load:
	r = write_image((vmk_u32)id, writes, nwrites);
	if (r < 0) {
		failed("start: load", v.name, r, v.memsize_mb);
		goto out_destroy;
	}
	start_boot = *boot;
	start_boot.rtc_epoch = (vmk_u64)time(NULL);
	r = vmkdev_call(PROG, VMK_CALL_VM_START, (vmk_u64)id, (uintptr_t)&start_boot,
			sizeof(start_boot));
	if (r < 0) {
		failed("start", v.name, r, v.memsize_mb);
		goto out_destroy;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%s: %s %s (VM id %lld, %u MB, %u VCPU%s) in %.1f ms\n", PROG,
	       reset ? "reset" : "started", v.name, (long long)id, v.memsize_mb, v.nvcpus,
	       v.nvcpus > 1 ? "s" : "",
	       (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	rc = 0;
	goto out_module;
out_destroy:
	/* A start that failed leaves nothing behind; a reset that failed
	 * leaves the VM loading, as VM_RESET made it. */
	if (!reset)
		vmkdev_call(PROG, VMK_CALL_VM_DESTROY, (vmk_u64)id, 0, 0);
out_module:
	free(module);
out_kernel:
	free(kernel);
	return rc;
}

static int cmd_start(int argc, char **argv)
{
	if (argc != 2)
		return usage_error("%s", "one VM (.vmx file or registered name)");
	return power_on(argv[1], 0);
}

/* ---- the others ------------------------------------------------------------ */

static int one_vm(int argc, char **argv, struct vmk_vm_info *vi, vmk_u32 *id)
{
	if (argc != 2) {
		usage_error("%s", "one VM (name, id or .vmx file)");
		return 2;
	}
	*id = resolve_vm(argv[1], vi);
	return *id ? 0 : 1;
}

static int cmd_getstate(int argc, char **argv)
{
	struct vmk_vm_info vi;
	vmk_u32 id;
	int r = one_vm(argc, argv, &vi, &id);

	if (r)
		return r;
	printf("getstate() = %s\n", NAME(vm_states, vi.state));
	return 0;
}

/* Takes `-t SECONDS` out of argv (how long a soft stop or reset waits for
 * the guest): the seconds, or -1 for a bad value. */
#define SOFT_WAIT_DEFAULT	60
static int soft_wait_arg(int *argc, char **argv)
{
	int secs = SOFT_WAIT_DEFAULT;

	for (int i = 1; i < *argc; i++) {
		char *end;
		long t;

		if (strcmp(argv[i], "-t"))
			continue;
		if (i + 1 >= *argc)
			return -1;
		t = strtol(argv[i + 1], &end, 10);
		if (*end || end == argv[i + 1] || t < 1 || t > 3600)
			return -1;
		secs = (int)t;
		for (int k = i; k + 2 <= *argc; k++)
			argv[k] = argv[k + 2];
		*argc -= 2;
		break;
	}
	return secs;
}

/*
 * Waits up to secs for the guest to finish what its tools were asked:
 * for a stop, that the VM is no longer running; for a reset, that it
 * started again (started_ns moves on).  Progress every 5 s.  1 when done.
 */
static int soft_wait(vmk_u32 id, const struct vmk_vm_info *before, int secs, bool reboot)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int shown = 0;;) {
		struct vmk_vm_info vi;
		int waited;

		if (vm_info(id, &vi) < 0)
			return 0;
		if (!reboot && vi.state != VMK_VM_RUNNING)
			return 1;
		if (reboot && vi.state == VMK_VM_RUNNING && vi.started_ns != before->started_ns)
			return 1;
		if (reboot && vi.state != VMK_VM_RUNNING)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &t);
		waited = (int)(t.tv_sec - t0.tv_sec);
		if (waited >= secs)
			return 0;
		if (waited / 5 > shown) {
			shown = waited / 5;
			printf("%s: waiting for %s's guest to %s (%d s of %d)\n", PROG,
			       before->name, reboot ? "reboot" : "power off", waited, secs);
			fflush(stdout);
		}
		usleep(200000);
	}
}

static int cmd_stop(int argc, char **argv)
{
	struct vmk_vm_info vi;
	vmk_u32 id;
	unsigned mode = VMK_VM_STOP_SOFT;
	int secs = soft_wait_arg(&argc, argv);
	int64_t r;

	if (secs < 0)
		return usage_error("%s", "-t SECONDS: 1 to 3600");
	if (argc == 3) {
		if (!strcmp(argv[2], "hard"))
			mode = VMK_VM_STOP_HARD;
		else if (strcmp(argv[2], "soft"))
			return usage_error("\"%s\": soft or hard", argv[2]);
		argc--;
	}
	if ((r = one_vm(argc, argv, &vi, &id)))
		return (int)r;
	if (vi.state != VMK_VM_RUNNING) {
		fprintf(stderr, "%s: stop %s: it is not running (%s)\n", PROG, vi.name,
			NAME(vm_states, vi.state));
		return 1;
	}
	r = vmkdev_call(PROG, VMK_CALL_VM_STOP, id, mode, 0);
	if (r < 0)
		return failed("stop", vi.name, r, vi.memsize_mb);
	/* A guest whose tools run was asked to power off: it is still up. */
	if (mode == VMK_VM_STOP_SOFT) {
		struct vmk_vm_info now;

		if (vm_info(id, &now) >= 0 && now.state == VMK_VM_RUNNING) {
			printf("%s: asked %s's guest to power off\n", PROG, vi.name);
			fflush(stdout);
			if (soft_wait(id, &vi, secs, false)) {
				printf("%s: stopped %s (soft: the guest powered off)\n", PROG,
				       vi.name);
				return 0;
			}
			fprintf(stderr, "%s: stop %s: the guest did not power off within %d s: "
				"stopping it hard\n", PROG, vi.name, secs);
			r = vmkdev_call(PROG, VMK_CALL_VM_STOP, id, VMK_VM_STOP_HARD, 0);
			if (r < 0 && r != -EBUSY)
				return failed("stop", vi.name, r, vi.memsize_mb);
			mode = VMK_VM_STOP_HARD;
		}
	}
	printf("%s: stopped %s (%s)\n", PROG, vi.name, mode ? "hard" : "soft");
	return 0;
}

static int cmd_reset(int argc, char **argv)
{
	int secs = soft_wait_arg(&argc, argv);

	if (secs < 0)
		return usage_error("%s", "-t SECONDS: 1 to 3600");
	if (argc == 3 && !strcmp(argv[2], "soft")) {
		struct vmk_vm_info vi;
		vmk_u32 id = resolve_vm(argv[1], &vi);
		int64_t r;

		if (!id)
			return 1;
		r = vmkdev_call(PROG, VMK_CALL_VM_RESET, id, VMK_VM_RESET_SOFT, 0);
		if (r == -ENOTSUP) {
			fprintf(stderr, "%s: reset %s: its guest's tools are not running: "
				"resetting it hard\n", PROG, vi.name);
		} else if (r < 0) {
			return failed("reset", vi.name, r, vi.memsize_mb);
		} else {
			printf("%s: asked %s's guest to reboot\n", PROG, vi.name);
			fflush(stdout);
			if (soft_wait(id, &vi, secs, true)) {
				printf("%s: reset %s (soft: the guest rebooted)\n", PROG, vi.name);
				return 0;
			}
			fprintf(stderr, "%s: reset %s: the guest did not reboot within %d s: "
				"resetting it hard\n", PROG, vi.name, secs);
		}
		argc--;
	} else if (argc == 3 && !strcmp(argv[2], "hard")) {
		argc--;
	}
	if (argc != 2)
		return usage_error("%s", "one VM (.vmx file or registered name), soft or hard");
	/* As a power cycle: the same VM, its kernel loaded again from its
	 * .vmx, which is needed for that. */
	return power_on(argv[1], 1);
}

static int cmd_destroy(int argc, char **argv)
{
	struct vmk_vm_info vi;
	vmk_u32 id;
	int64_t r;

	if ((r = one_vm(argc, argv, &vi, &id)))
		return (int)r;
	if (vi.state == VMK_VM_RUNNING) {
		r = vmkdev_call(PROG, VMK_CALL_VM_STOP, id, VMK_VM_STOP_HARD, 0);
		if (r < 0 && r != -EBUSY)
			return failed("destroy: stop", vi.name, r, vi.memsize_mb);
	}
	r = vmkdev_call(PROG, VMK_CALL_VM_DESTROY, id, 0, 0);
	if (r < 0)
		return failed("destroy", vi.name, r, vi.memsize_mb);
	printf("%s: destroyed %s (VM id %u, %llu pages returned)\n", PROG, vi.name, id,
	       (unsigned long long)vi.pages);
	return 0;
}

static void print_info(const struct vmk_vm_info *vi)
{
	double up = vi->started_ns && vi->now_ns > vi->started_ns ?
		(vi->now_ns - vi->started_ns) / 1e9 : 0;

	printf("id           %u\n", vi->id);
	printf("name         %s\n", vi->name);
	printf("state        %s\n", NAME(vm_states, vi->state));
	if (vi->state == VMK_VM_OFF || vi->state == VMK_VM_CRASHED)
		printf("reason       %s\n", vi->reason[0] ? vi->reason : "-");
	if (vi->state == VMK_VM_OFF)
		printf("exit_code    %u\n", vi->exit_code);
	printf("pool         %s\n", vi->pool[0] ? vi->pool : "-");
	printf("memsize      %u MB\n", vi->memsize_mb);
	printf("pages        %llu\n", (unsigned long long)vi->pages);
	printf("vcpus        %u\n", vi->nvcpus);
	printf("worlds      ");
	for (unsigned int i = 0; i < vi->nvcpus && i < VMK_VM_VCPUS_MAX; i++)
		printf(" %u", vi->vcpu_world[i]);
	printf("\nshares       %u\n", vi->shares);
	printf("min          %u%%\n", vi->min_pct);
	printf("max          %u%%%s\n", vi->max_pct, vi->max_pct ? "" : " (none)");
	printf("affinity     0x%llx%s\n", (unsigned long long)vi->affinity,
	       vi->affinity ? "" : " (any)");
	printf("used         %.3f s\n", vi->used_ns / 1e9);
	printf("up           %.3f s\n", up);
	printf("serial       %llu bytes\n", (unsigned long long)vi->serial_head);
	for (unsigned int k = 0; k < VMK_VM_EXIT_KINDS; k++)
		printf("exits.%-7s%llu\n", exit_kinds[k], (unsigned long long)vi->exits[k]);
}

static int cmd_info(int argc, char **argv)
{
	struct vmk_vm_info vi;
	vmk_u32 id;
	int r = one_vm(argc, argv, &vi, &id);

	if (!r)
		print_info(&vi);
	return r;
}

static int cmd_list(int argc, char **argv)
{
	struct vmk_vm_info vi;
	struct reg reg;
	struct vmx v;
	char err[512];
	int64_t id = 0;
	int guard = 0;
	char listed[VMK_VM_MAX][VMK_VM_NAME_LEN];
	unsigned int nlisted = 0;

	(void)argv;
	if (argc != 1)
		return usage_error("%s", "no arguments");
	reg_read(&reg);
	printf("%-4s %-20s %-8s %s\n", "ID", "NAME", "STATE", "VMX");
	if (access(VMNIX_DEVICE, F_OK) == 0) {
		while ((id = vmkdev_call(PROG, VMK_CALL_VM_NEXT, (vmk_u64)id, 0, 0)) > 0 &&
		       guard++ <= VMK_VM_MAX) {
			const char *path = "-";

			if (vm_info((vmk_u32)id, &vi))
				continue;
			for (unsigned int i = 0; i < reg.n; i++)
				if (!vmx_parse_file(reg.path[i], &v, err, sizeof(err)) &&
				    !strcmp(v.name, vi.name))
					path = reg.path[i];
			printf("%-4u %-20s %-8s %s\n", vi.id, vi.name, NAME(vm_states, vi.state),
			       path);
			if (nlisted < VMK_VM_MAX)
				snprintf(listed[nlisted++], VMK_VM_NAME_LEN, "%s", vi.name);
		}
	}
	/* Registered VMs the vmkernel does not hold are powered off. */
	for (unsigned int i = 0; i < reg.n; i++) {
		unsigned int j;

		if (vmx_parse_file(reg.path[i], &v, err, sizeof(err))) {
			printf("%-4s %-20s %-8s %s (%s)\n", "-", "?", "bad", reg.path[i], err);
			continue;
		}
		for (j = 0; j < nlisted && strcmp(listed[j], v.name); j++)
			;
		if (j == nlisted)
			printf("%-4s %-20s %-8s %s\n", "-", v.name, "off", reg.path[i]);
	}
	return 0;
}

static int cmd_register(int argc, char **argv)
{
	struct reg reg;
	struct vmx v, other;
	char err[512], abs[PATH_MAX];

	if (argc != 2)
		return usage_error("%s", "one .vmx file");
	if (vmx_load(argv[1], &v, stderr, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		return 1;
	}
	if (!realpath(argv[1], abs)) {
		fprintf(stderr, "%s: %s: %s\n", PROG, argv[1], strerror(errno));
		return 1;
	}
	reg_read(&reg);
	for (unsigned int i = 0; i < reg.n; i++) {
		if (!strcmp(reg.path[i], abs)) {
			fprintf(stderr, "%s: %s: registered already\n", PROG, abs);
			return 1;
		}
		if (!vmx_parse_file(reg.path[i], &other, err, sizeof(err)) &&
		    !strcmp(other.name, v.name)) {
			fprintf(stderr, "%s: %s: the name %s is taken by %s\n", PROG, abs, v.name,
				reg.path[i]);
			return 1;
		}
	}
	if (reg.n == REG_MAX) {
		fprintf(stderr, "%s: the registry holds %d VMs already\n", PROG, REG_MAX);
		return 1;
	}
	reg.path[reg.n++] = abs;
	if (reg_write(&reg))
		return 1;
	printf("%s: registered %s as %s\n", PROG, abs, v.name);
	return 0;
}

static int cmd_unregister(int argc, char **argv)
{
	struct reg reg;
	struct vmx v;
	struct vmk_vm_info vi;
	int i;

	if (argc != 2)
		return usage_error("%s", "one VM (registered name or .vmx file)");
	reg_read(&reg);
	i = reg_find(&reg, argv[1], &v);
	if (i < 0 && looks_like_path(argv[1])) {
		char abs[PATH_MAX];

		if (realpath(argv[1], abs))
			i = reg_find(&reg, abs, &v);
	}
	if (i < 0) {
		fprintf(stderr, "%s: %s: not registered (see %s -l)\n", PROG, argv[1], PROG);
		return 1;
	}
	if (access(VMNIX_DEVICE, F_OK) == 0 && vm_by_name(v.name, &vi) &&
	    vi.state == VMK_VM_RUNNING) {
		fprintf(stderr, "%s: unregister %s: it is running (stop it first)\n", PROG,
			v.name);
		return 1;
	}
	reg.path[i] = reg.path[--reg.n];
	if (reg_write(&reg))
		return 1;
	printf("%s: unregistered %s\n", PROG, v.name);
	return 0;
}

/* Copies the VM's COM1 output from *from on to stdout; -errno or 0. */
static int64_t serial_drain(vmk_u32 id, vmk_u64 *from)
{
	static char buf[4096];

	for (;;) {
		int64_t n = vmkdev_call4(PROG, VMK_CALL_VM_SERIAL_READ, id, (uintptr_t)buf,
					 sizeof(buf), *from);

		if (n <= 0)
			return n;
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			return -EIO;
		*from += (vmk_u64)n;
		fflush(stdout);
	}
}

static void nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int cmd_serial(int argc, char **argv)
{
	struct vmk_vm_info vi;
	vmk_u32 id;
	vmk_u64 from;
	int follow = 0, r;
	int64_t n;

	if (argc == 3 && !strcmp(argv[1], "-f")) {
		follow = 1;
		argv++;
		argc--;
	}
	if ((r = one_vm(argc, argv, &vi, &id)))
		return r;
	/* Only the last VMK_VM_SERIAL_SIZE bytes are kept. */
	from = vi.serial_head > VMK_VM_SERIAL_SIZE ? vi.serial_head - VMK_VM_SERIAL_SIZE : 0;
	for (;;) {
		n = serial_drain(id, &from);
		if (n < 0)
			return failed("serial", vi.name, n, vi.memsize_mb);
		if (!follow)
			return 0;
		/* Following ends when the VM has stopped and all is read. */
		if (vm_info(id, &vi) || (vi.state != VMK_VM_RUNNING && from >= vi.serial_head))
			return 0;
		nap(100);
	}
}

static struct termios saved_tty;
static int tty_raw;

static void tty_restore(void)
{
	if (tty_raw) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
		tty_raw = 0;
	}
}

static void on_signal(int sig)
{
	tty_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int cmd_attach(int argc, char **argv)
{
	struct vmk_vm_info vi;
	vmk_u32 id;
	vmk_u64 from;
	int r, eof = 0, ticks = 0;
	int64_t n;

	if ((r = one_vm(argc, argv, &vi, &id)))
		return r;
	if (vi.state != VMK_VM_RUNNING) {
		fprintf(stderr, "%s: attach %s: it is not running (%s)\n", PROG, vi.name,
			NAME(vm_states, vi.state));
		return 1;
	}
	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_tty) == 0) {
		struct termios raw = saved_tty;

		/* Restored on every way out: return, exit, and the signals
		 * that end a process with a terminal. */
		atexit(tty_restore);
		signal(SIGTERM, on_signal);
		signal(SIGHUP, on_signal);
		signal(SIGQUIT, on_signal);
		signal(SIGINT, on_signal);
		cfmakeraw(&raw);
		raw.c_oflag |= OPOST;	/* the guest's \n stays a new line */
		if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0)
			tty_raw = 1;
	}
	fprintf(stderr, "%s: attached to %s's COM1; detach with Ctrl-]\r\n", PROG, vi.name);
	from = vi.serial_head;
	for (;;) {
		struct pollfd p = { STDIN_FILENO, POLLIN, 0 };
		char in[256];

		n = serial_drain(id, &from);
		if (n < 0) {
			r = failed("attach", vi.name, n, vi.memsize_mb);
			break;
		}
		if (!eof && poll(&p, 1, 50) > 0) {
			ssize_t got = read(STDIN_FILENO, in, sizeof(in));
			char *key = got > 0 ? memchr(in, DETACH_KEY, (size_t)got) : NULL;
			size_t len = key ? (size_t)(key - in) : got > 0 ? (size_t)got : 0;

			for (size_t off = 0; off < len;) {
				n = vmkdev_call(PROG, VMK_CALL_VM_SERIAL_WRITE, id,
						(uintptr_t)in + off, len - off);
				if (n < 0) {
					r = failed("attach: input", vi.name, n, vi.memsize_mb);
					goto out;
				}
				if (n == 0)
					nap(10);	/* the guest's input FIFO is full */
				off += (size_t)n;
			}
			if (key) {
				serial_drain(id, &from);
				fprintf(stderr, "\r\n%s: detached from %s\r\n", PROG, vi.name);
				r = 0;
				break;
			}
			if (got <= 0)
				eof = 1;	/* input closed: output until the VM stops */
		} else if (eof) {
			nap(50);
		}
		if (++ticks % 10 == 0 && (vm_info(id, &vi) || vi.state != VMK_VM_RUNNING)) {
			serial_drain(id, &from);
			fprintf(stderr, "\r\n%s: %s is %s\r\n", PROG, vi.name,
				NAME(vm_states, vi.state));
			r = 0;
			break;
		}
	}
out:
	tty_restore();
	return r;
}

static int set_one(int argc, char **argv, unsigned field)
{
	struct vmk_vm_info vi;
	struct vmk_vm_config c = { 0 };
	vmk_u32 id;
	unsigned long val;
	char *end;
	int64_t r;

	if (argc != 3)
		return usage_error("%s", "a VM and a value");
	if ((r = one_vm(2, argv, &vi, &id)))
		return (int)r;
	if (field == VMK_VM_SET_SHARES && !strcasecmp(argv[2], "low"))
		val = VMK_VM_SHARES_PER_VCPU / 2 * vi.nvcpus;
	else if (field == VMK_VM_SET_SHARES && !strcasecmp(argv[2], "normal"))
		val = VMK_VM_SHARES_PER_VCPU * vi.nvcpus;
	else if (field == VMK_VM_SET_SHARES && !strcasecmp(argv[2], "high"))
		val = 2 * VMK_VM_SHARES_PER_VCPU * vi.nvcpus;
	else {
		errno = 0;
		val = strtoul(argv[2], &end, 10);
		if (field != VMK_VM_SET_SHARES && *end == '%')
			end++;
		if (errno || end == argv[2] || *end || argv[2][0] == '-' ||
		    (field == VMK_VM_SET_SHARES ? val < 1 || val > 1000000 : val > 100U * VMK_VM_VCPUS_MAX))
			return usage_error(field == VMK_VM_SET_SHARES ?
					   "\"%s\": low, normal, high or 1 to 1000000" :
					   "\"%s\": a percentage of one CPU", argv[2]);
	}
	c.id = id;
	c.set = field;
	c.shares = field == VMK_VM_SET_SHARES ? (vmk_u32)val : 0;
	c.min_pct = field == VMK_VM_SET_MIN ? (vmk_u32)val : 0;
	c.max_pct = field == VMK_VM_SET_MAX ? (vmk_u32)val : 0;
	r = vmkdev_call(PROG, VMK_CALL_VM_SET, (uintptr_t)&c, sizeof(c), 0);
	if (r < 0)
		return failed(current->name, vi.name, r, vi.memsize_mb);
	printf("%s: %s %s = %lu\n", PROG, vi.name, field == VMK_VM_SET_SHARES ? "shares" :
	       field == VMK_VM_SET_MIN ? "min" : "max", val);
	return 0;
}

static int cmd_setshares(int argc, char **argv) { return set_one(argc, argv, VMK_VM_SET_SHARES); }
static int cmd_setmin(int argc, char **argv) { return set_one(argc, argv, VMK_VM_SET_MIN); }
static int cmd_setmax(int argc, char **argv) { return set_one(argc, argv, VMK_VM_SET_MAX); }

static const struct command commands[] = {
	{ "start", cmd_start, "VMX|NAME",
	  "  Powers the VM on: creates it in the vmkernel from its .vmx file (a path, or\n"
	  "  a registered VM's displayName), loads its kernel with its command line\n"
	  "  (kernel.cmdline) and starts its boot VCPU.  A multiboot ELF kernel gets\n"
	  "  its module (kernel.module) and starts in 32-bit protected mode; a Linux\n"
	  "  bzImage gets its initrd (kernel.initrd), an e820 map and an MP table, and\n"
	  "  starts at its 64-bit entry.  A powered-off or crashed VM of the same name\n"
	  "  is replaced; a running one is refused.\n" },
	{ "stop", cmd_stop, "VM [soft|hard] [-t SECONDS]",
	  "  Powers the VM off: hard at once; soft (default) through its guest's tools\n"
	  "  when they run (waiting up to SECONDS, default 60, then hard), otherwise at\n"
	  "  its VCPUs' next exit.\n" },
	{ "reset", cmd_reset, "VMX|NAME [soft|hard] [-t SECONDS]",
	  "  Power-cycles the VM (hard, the default): the same VM id, RAM cleared, the\n"
	  "  kernel loaded again from its .vmx and started.  soft: its guest's tools\n"
	  "  reboot it (waiting up to SECONDS, default 60); without tools, or when the\n"
	  "  guest does not reboot in time, hard.\n" },
	{ "destroy", cmd_destroy, "VM",
	  "  Powers the VM off (hard) and removes it from the vmkernel: every page\n"
	  "  returns.  Its registration, if any, stays.\n" },
	{ "getstate", cmd_getstate, "VM",
	  "  Prints getstate() = loading|running|off|crashed.\n" },
	{ "info", cmd_info, "VM",
	  "  Prints the vmkernel's record of the VM: state and why it stopped, memory,\n"
	  "  VCPU worlds, CPU settings, time used and exits by kind.\n" },
	{ "list", cmd_list, "",
	  "  Lists the vmkernel's VMs and the registered ones: ID, name, state, .vmx.\n" },
	{ "serial", cmd_serial, "[-f] VM",
	  "  Prints what the VM wrote on COM1 so far (the last 64 KiB); -f follows it\n"
	  "  until the VM stops.\n" },
	{ "attach", cmd_attach, "VM",
	  "  Connects the terminal to the VM's COM1, both ways; Ctrl-] detaches.\n" },
	{ "setshares", cmd_setshares, "VM N|low|normal|high",
	  "  Sets the VM's CPU shares while it runs (low/normal/high: 500/1000/2000\n"
	  "  per VCPU).\n" },
	{ "setmin", cmd_setmin, "VM PCT",
	  "  Sets the VM's CPU reservation, percent of one CPU; refused if it cannot\n"
	  "  be met.\n" },
	{ "setmax", cmd_setmax, "VM PCT",
	  "  Sets the VM's CPU limit, percent of one CPU; 0: none.\n" },
	{ "register", cmd_register, "VMX",
	  "  Records the .vmx file in the registry on the datastore; names are unique.\n"
	  "  Also: vmware-cmd -s register VMX.\n" },
	{ "unregister", cmd_unregister, "NAME|VMX",
	  "  Removes a VM from the registry (refused while it runs).\n"
	  "  Also: vmware-cmd -s unregister NAME|VMX.\n" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: %s [-r REGISTRY] COMMAND [ARGS]\n"
		"       %s -l                     list VMs\n"
		"       %s -s register|unregister VMX\n"
		"       %s COMMAND --help         one command's help\n\ncommands:\n",
		PROG, PROG, PROG, PROG);
	for (unsigned int i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-11s%s\n", commands[i].name, commands[i].args);
	fprintf(f, "\nVM: a name, a VM id or a .vmx file.  The registry: %s\n"
		"(-r or VMKX_REGISTRY to use another).\n", REGISTRY);
}

int main(int argc, char **argv)
{
	const char *env = getenv("VMKX_REGISTRY");

	if (env && *env)
		registry = env;
	argv++;
	argc--;
	while (argc > 0 && argv[0][0] == '-') {
		if (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[0], "-r") && argc > 1) {
			registry = argv[1];
			argv += 2;
			argc -= 2;
		} else if (!strcmp(argv[0], "-l")) {
			argv[0] = "list";
			break;
		} else if (!strcmp(argv[0], "-s")) {
			argv++;
			argc--;
			if (argc < 1 || (strcmp(argv[0], "register") && strcmp(argv[0], "unregister"))) {
				fprintf(stderr, "%s: -s: register or unregister\n", PROG);
				return 2;
			}
			break;
		} else {
			fprintf(stderr, "%s: unknown option %s\n", PROG, argv[0]);
			usage(stderr);
			return 2;
		}
	}
	if (argc < 1) {
		usage(stderr);
		return 2;
	}
	for (unsigned int i = 0; i < NCOMMANDS; i++) {
		if (strcmp(argv[0], commands[i].name))
			continue;
		current = &commands[i];
		for (int a = 1; a < argc; a++)
			if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
				cmd_usage(stdout, current);
				return 0;
			}
		return current->run(argc, argv);
	}
	fprintf(stderr, "%s: unknown command %s\n", PROG, argv[0]);
	usage(stderr);
	return 2;
}
