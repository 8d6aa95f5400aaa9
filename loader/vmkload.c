// SPDX-License-Identifier: GPL-2.0
/*
 * vmkload and vmkunload: load the vmkernel through the shim, report its
 * status, unload it.  The ESX vmkload_mod of this project.
 *
 * vmkload reads the image, finds the reserved region (--mem, else the
 * first memmap=SIZE$BASE on /proc/cmdline), validates everything with
 * image_check(), lays the image out flat and passes it to /dev/vmnix
 * with VMNIX_IOC_LOAD, loading the vmnix module first if the device is
 * missing.  Invoked as vmkunload (by the basename of argv[0]) it asks
 * the shim to hand the CPUs back with VMNIX_IOC_UNLOAD.
 *
 * Exit codes: 0 success, 1 failure, 2 bad usage, 3 not loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "image.h"
#include "region.h"
#include "vmnix_abi.h"

#define EXIT_USAGE		2
#define EXIT_NOT_LOADED		3

#define DEFAULT_IMAGE		"/lib/vmkx/vmkernel"
#define PROC_CMDLINE		"/proc/cmdline"
/* Larger files are refused before reading (the image itself is small). */
#define MAX_IMAGE_FILE		(1ULL << 30)
/* How long to wait for /dev/vmnix to appear after modprobe. */
#define DEVICE_WAIT_MS		2000

static const char *prog = "vmkload";

struct options {
	const char *image;
	bool status;
	bool check;
	bool quiet;
	bool have_mem;
	bool have_fail_cpu;
	struct region mem;
	vmk_u32 log_level;
	vmk_u32 flags;
	vmk_u32 fail_cpu;
	vmk_u32 fail_step;
};

static void usage_load(FILE *f)
{
	fprintf(f,
		"usage: vmkload [OPTIONS] [IMAGE]\n"
		"Validate the vmkernel image (default " DEFAULT_IMAGE ") and load it\n"
		"through " VMNIX_DEVICE ", running modprobe vmnix if needed.\n"
		"\n"
		"  --status              say whether the vmkernel is loaded (exit 3 if not)\n"
		"  --check               validate the image only; do not touch " VMNIX_DEVICE "\n"
		"  --mem=SIZE@BASE       reserved region to use (default: the first\n"
		"                        memmap=SIZE$BASE on /proc/cmdline)\n"
		"  --log-level=LEVEL     error, warn, info (default) or debug\n"
		"  --serial-log          copy the vmkernel log to COM1\n"
		"  --fail-step=STEP      failure injection: enter, svm or vmcb ...\n"
		"  --fail-cpu=N          ... on CPU index N (default 0); or lockorder:\n"
		"                        start-up takes two locks against their ranks\n"
		"                        (the debug image refuses to start)\n"
		"  -q, --quiet           print errors only\n"
		"  -h, --help            this text\n"
		"\n"
		"Exit status: 0 done, 1 failed, 2 bad usage, 3 not loaded (--status).\n");
}

static void usage_unload(FILE *f)
{
	fprintf(f,
		"usage: vmkunload [-q]\n"
		"Unload the vmkernel: every CPU goes back to Linux.\n"
		"\n"
		"  -q, --quiet           print errors only\n"
		"  -h, --help            this text\n"
		"\n"
		"Exit status: 0 unloaded, 1 failed, 2 bad usage, 3 not loaded.\n");
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* "12.5 KiB" style sizes for the --check summary. */
static const char *human(vmk_u64 n, char *buf, size_t len)
{
	if (n >= (1ULL << 30))
		snprintf(buf, len, "%.1f GiB", n / (double)(1ULL << 30));
	else if (n >= (1ULL << 20))
		snprintf(buf, len, "%.1f MiB", n / (double)(1ULL << 20));
	else if (n >= 1024)
		snprintf(buf, len, "%.1f KiB", n / 1024.0);
	else
		snprintf(buf, len, "%" PRIu64 " bytes", n);
	return buf;
}

/* Reads a whole file into a new buffer. */
static int read_file(const char *path, vmk_u64 limit, unsigned char **data,
		     size_t *size)
{
	unsigned char *buf = NULL;
	struct stat st;
	size_t got = 0;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "%s: %s: not a regular file\n", prog, path);
		goto out_close;
	}
	if ((vmk_u64)st.st_size > limit) {
		fprintf(stderr, "%s: %s: too large (%lld bytes)\n", prog, path,
			(long long)st.st_size);
		goto out_close;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		fprintf(stderr, "%s: %s: out of memory\n", prog, path);
		goto out_close;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
			goto out_free;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	*data = buf;
	*size = got;
	rc = 0;
	goto out_close;

out_free:
	free(buf);
out_close:
	close(fd);
out:
	return rc;
}

/* Reads /proc/cmdline (a small pseudo-file of unknown size). */
static int read_cmdline(char *buf, size_t cap, size_t *len)
{
	size_t got = 0;
	int fd, rc = -1;

	fd = open(PROC_CMDLINE, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, PROC_CMDLINE, strerror(errno));
		goto out;
	}
	while (got < cap) {
		ssize_t n = read(fd, buf + got, cap - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "%s: %s: %s\n", prog, PROC_CMDLINE,
				strerror(errno));
			goto out_close;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	*len = got;
	rc = 0;
out_close:
	close(fd);
out:
	return rc;
}

/*
 * The region to load into: --mem, else the first memmap=...$... of this
 * boot.  Returns 0 and *r; 1 if none is known (and !required); -1 after
 * printing why not.
 */
static int find_region(const struct options *o, bool required, struct region *r)
{
	struct region found[REGION_MAX];
	unsigned int n = 0;
	char line[8192], err[256];
	size_t len;

	if (read_cmdline(line, sizeof(line), &len)) {
		if (required && !o->have_mem)
			return -1;
		len = 0;
	}
	if (region_from_cmdline(line, len, found, REGION_MAX, &n, err,
				sizeof(err))) {
		fprintf(stderr, "%s: %s: %s\n", prog, PROC_CMDLINE, err);
		return -1;
	}
	if (o->have_mem) {
		bool inside = false;

		*r = o->mem;
		for (unsigned int i = 0; i < n && i < REGION_MAX; i++) {
			if (r->base >= found[i].base && r->size <= found[i].size &&
			    r->base - found[i].base <= found[i].size - r->size)
				inside = true;
		}
		if (!inside && !o->quiet && !o->check)
			fprintf(stderr,
				"%s: warning: --mem region is not inside a memmap=SIZE$BASE reservation of this boot\n",
				prog);
	} else if (n > 0) {
		*r = found[0];
	} else if (required) {
		fprintf(stderr,
			"%s: no memory reserved for the vmkernel: boot with memmap=64M$0x10000000\n",
			prog);
		return -1;
	} else {
		return 1;
	}
	if (region_check(r, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return -1;
	}
	return 0;
}

/* Runs modprobe vmnix; returns its exit status, or -1. */
static int run_modprobe(void)
{
	const char *path = "/sbin/modprobe";
	int status;
	pid_t pid;

	if (access(path, X_OK) != 0 && access("/usr/sbin/modprobe", X_OK) == 0)
		path = "/usr/sbin/modprobe";
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execl(path, "modprobe", "vmnix", (char *)NULL);
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Opens /dev/vmnix, loading the module first if asked and needed. */
static int open_vmnix(bool modprobe)
{
	int fd = open(VMNIX_DEVICE, O_RDWR | O_CLOEXEC);
	int rc;

	if (fd >= 0 || errno != ENOENT || !modprobe)
		return fd;
	rc = run_modprobe();
	if (rc != 0) {
		fprintf(stderr,
			"%s: %s is missing and modprobe vmnix failed (status %d): is the vmnix module installed?\n",
			prog, VMNIX_DEVICE, rc);
		errno = ENOENT;
		return -2;
	}
	for (int waited = 0; waited <= DEVICE_WAIT_MS; waited += 10) {
		fd = open(VMNIX_DEVICE, O_RDWR | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT)
			return fd;
		usleep(10000);
	}
	fprintf(stderr, "%s: modprobe vmnix succeeded but %s did not appear\n",
		prog, VMNIX_DEVICE);
	errno = ENOENT;
	return -2;
}

/* "0-1", "0,2-3": the CPUs in mask. */
static void cpu_list(vmk_u64 mask, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (int i = 0; i < 64 && at < len; i++) {
		int j = i;

		if (!(mask >> i & 1))
			continue;
		while (j + 1 < 64 && (mask >> (j + 1) & 1))
			j++;
		at += snprintf(buf + at, len - at, j > i ? "%s%d-%d" : "%s%d",
			       at ? "," : "", i, j);
		i = j;
	}
	if (!buf[0])
		snprintf(buf, len, "none");
}

/* The shim's status; 0, or -1 with errno set. */
static int get_status(int fd, struct vmnix_status *st)
{
	memset(st, 0, sizeof(*st));
	return ioctl(fd, VMNIX_IOC_STATUS, st) < 0 ? -1 : 0;
}

static int do_status(void)
{
	struct vmnix_status st;
	char when[64] = "?", cpus[200], size[32];
	struct tm tm;
	time_t t;
	int fd, rc = EXIT_FAILURE;

	fd = open_vmnix(false);
	if (fd < 0 && errno == ENOENT) {
		printf("vmkernel: not loaded\n");
		rc = EXIT_NOT_LOADED;
		goto out;
	}
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, VMNIX_DEVICE, strerror(errno));
		goto out;
	}
	if (get_status(fd, &st)) {
		fprintf(stderr, "%s: status failed: %s\n", prog, strerror(errno));
		goto out_close;
	}
	if (!st.loaded) {
		printf("vmkernel: not loaded\n");
		rc = EXIT_NOT_LOADED;
		goto out_close;
	}
	t = (time_t)st.loaded_since;
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	cpu_list(st.cpu_mask, cpus, sizeof(cpus));
	printf("vmkernel: loaded (%.*s) since %s on CPU%s %s, region %s at 0x%" PRIx64 "\n",
	       (int)strnlen(st.version, sizeof(st.version)), st.version, when,
	       st.ncpus == 1 ? "" : "s", cpus,
	       region_size_str(st.mem_size, size, sizeof(size)), st.mem_base);
	rc = EXIT_SUCCESS;
out_close:
	close(fd);
out:
	return rc;
}

static int do_check(const struct options *o)
{
	struct image_info info;
	struct region r;
	unsigned char *file = NULL;
	size_t size;
	char err[256], fit[96], isz[32], fsz[32], msz[32];
	int have, rc = EXIT_FAILURE;

	have = find_region(o, false, &r);
	if (have < 0)
		goto out;
	if (read_file(o->image, MAX_IMAGE_FILE, &file, &size))
		goto out;
	if (image_check(file, size, have == 0 ? r.size : IMAGE_ANY_REGION,
			&info, err, sizeof(err))) {
		fprintf(stderr, "%s: %s: %s\n", prog, o->image, err);
		goto out_free;
	}
	if (have == 0)
		snprintf(fit, sizeof(fit), "fits the region %s at 0x%" PRIx64,
			 region_size_str(r.size, msz, sizeof(msz)), r.base);
	else
		snprintf(fit, sizeof(fit), "no region reserved to check against");
	if (!o->quiet)
		printf("%s: %s: ok: %s, ABI %u, %u segments, image %s (%s from the file), min_mem %s, %" PRIu64 " relocations; %s\n",
		       prog, o->image, info.hdr.version, info.hdr.abi_version,
		       info.nseg, human(info.image_size, isz, sizeof(isz)),
		       human(info.file_size, fsz, sizeof(fsz)),
		       region_size_str(info.hdr.min_mem, msz, sizeof(msz)),
		       info.nrela, fit);
	rc = EXIT_SUCCESS;
out_free:
	free(file);
out:
	return rc;
}

static int do_load(const struct options *o)
{
	struct image_info info;
	struct vmnix_load req;
	struct vmnix_status st;
	struct region r;
	unsigned char *file = NULL, *flat = NULL;
	size_t size;
	char err[256], cpus[32] = "";
	double t0, ms;
	int fd, rc = EXIT_FAILURE;

	if (find_region(o, true, &r) != 0)
		goto out;
	if (read_file(o->image, MAX_IMAGE_FILE, &file, &size))
		goto out;
	if (image_check(file, size, r.size, &info, err, sizeof(err))) {
		fprintf(stderr, "%s: %s: %s\n", prog, o->image, err);
		goto out_free_file;
	}
	flat = malloc(info.image_size);
	if (!flat) {
		fprintf(stderr, "%s: out of memory for a %" PRIu64 "-byte image\n",
			prog, info.image_size);
		goto out_free_file;
	}
	if (image_flatten(file, size, &info, flat)) {
		fprintf(stderr, "%s: %s: cannot lay the image out\n", prog, o->image);
		goto out_free_flat;
	}
	/* KVM and the vmkernel cannot both own SVM. */
	if (access("/sys/module/kvm_amd", F_OK) == 0) {
		fprintf(stderr, "%s: kvm_amd is loaded and owns AMD SVM: unload it "
			"(rmmod kvm_amd) before loading the vmkernel\n", prog);
		goto out_free_flat;
	}

	fd = open_vmnix(true);
	if (fd < 0) {
		if (fd == -1)
			fprintf(stderr, "%s: %s: %s\n", prog, VMNIX_DEVICE,
				strerror(errno));
		goto out_free_flat;
	}
	memset(&req, 0, sizeof(req));
	req.image = (vmk_u64)(uintptr_t)flat;
	req.image_size = info.file_size;
	req.mem_base = r.base;
	req.mem_size = r.size;
	req.log_level = o->log_level;
	req.flags = o->flags;
	req.fail_cpu = o->fail_cpu;
	req.fail_step = o->fail_step;

	t0 = now_ms();
	if (ioctl(fd, VMNIX_IOC_LOAD, &req) < 0) {
		int e = errno;

		req.error[sizeof(req.error) - 1] = '\0';
		fprintf(stderr, "%s: load failed: %s: %s%s\n", prog, strerror(e),
			req.error[0] ? req.error : "no reason given by the shim",
			e == EBUSY ? " (the vmkernel is already loaded or being loaded; see vmkload --status)" : "");
		goto out_close;
	}
	ms = now_ms() - t0;

	if (get_status(fd, &st) == 0) {
		snprintf(cpus, sizeof(cpus), " on %u CPU%s", st.ncpus,
			 st.ncpus == 1 ? "" : "s");
		if (st.load_ns)
			ms = st.load_ns / 1e6;
	}
	if (!o->quiet)
		printf("%s: vmkernel %s loaded%s in %.1f ms\n", prog,
		       info.hdr.version, cpus, ms);
	rc = EXIT_SUCCESS;
out_close:
	close(fd);
out_free_flat:
	free(flat);
out_free_file:
	free(file);
out:
	return rc;
}

/* Whether the vmkernel has a VM, which refuses the unload. */
static bool vms_exist(int fd)
{
	struct vmnix_call c = { .nr = VMK_CALL_VM_NEXT };

	return ioctl(fd, VMNIX_IOC_CALL, &c) == 0 && c.ret > 0;
}

static int do_unload(bool quiet)
{
	struct vmnix_status st;
	double t0, ms;
	int fd, rc = EXIT_FAILURE;

	fd = open_vmnix(false);
	if (fd < 0 && errno == ENOENT) {
		fprintf(stderr, "%s: vmkernel not loaded (no %s)\n", prog,
			VMNIX_DEVICE);
		rc = EXIT_NOT_LOADED;
		goto out;
	}
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, VMNIX_DEVICE, strerror(errno));
		goto out;
	}
	if (get_status(fd, &st) == 0 && !st.loaded) {
		fprintf(stderr, "%s: vmkernel not loaded\n", prog);
		rc = EXIT_NOT_LOADED;
		goto out_close;
	}
	t0 = now_ms();
	if (ioctl(fd, VMNIX_IOC_UNLOAD) < 0) {
		int e = errno;

		if (get_status(fd, &st) == 0 && !st.loaded) {
			fprintf(stderr, "%s: vmkernel not loaded\n", prog);
			rc = EXIT_NOT_LOADED;
		} else if (e == EBUSY && vms_exist(fd)) {
			fprintf(stderr, "%s: unload refused: the vmkernel still has virtual machines; "
				"stop and destroy them first (vmware-cmd list)\n", prog);
		} else {
			fprintf(stderr, "%s: unload failed: %s\n", prog, strerror(e));
		}
		goto out_close;
	}
	ms = now_ms() - t0;
	if (get_status(fd, &st) == 0 && st.unload_ns)
		ms = st.unload_ns / 1e6;
	if (!quiet)
		printf("%s: vmkernel unloaded in %.1f ms\n", prog, ms);
	rc = EXIT_SUCCESS;
out_close:
	close(fd);
out:
	return rc;
}

static int parse_u32(const char *s, vmk_u32 max, vmk_u32 *out)
{
	char *end;
	unsigned long v;

	if (!s[0] || s[0] == '-' || s[0] == '+' || s[0] == ' ')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = (vmk_u32)v;
	return 0;
}

static int lookup(const char *s, const char *const *names, unsigned int n,
		  vmk_u32 *out)
{
	for (unsigned int i = 0; i < n; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return -1;
}

/* One line for an option getopt_long did not accept. */
static void bad_option(int c, char **argv)
{
	const char *arg = argv[optind - 1];

	if (c == ':')
		fprintf(stderr, "%s: option '%s' needs a value; try '%s --help'\n",
			prog, arg, prog);
	else if (optopt && optopt < 256 && arg[1] != '-')
		fprintf(stderr, "%s: unknown option '-%c'; try '%s --help'\n",
			prog, optopt, prog);
	else
		fprintf(stderr, "%s: unknown option '%s'; try '%s --help'\n",
			prog, arg, prog);
}

enum {
	OPT_STATUS = 256, OPT_CHECK, OPT_MEM, OPT_LOG_LEVEL, OPT_SERIAL,
	OPT_FAIL_CPU, OPT_FAIL_STEP,
};

static int main_load(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "status", no_argument, NULL, OPT_STATUS },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "mem", required_argument, NULL, OPT_MEM },
		{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
		{ "serial-log", no_argument, NULL, OPT_SERIAL },
		{ "fail-cpu", required_argument, NULL, OPT_FAIL_CPU },
		{ "fail-step", required_argument, NULL, OPT_FAIL_STEP },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const levels[] = { "error", "warn", "info", "debug" };
	static const char *const steps[] = { "none", "enter", "svm", "vmcb", "lockorder" };
	struct options o = { .image = DEFAULT_IMAGE, .log_level = VMK_LOG_INFO };
	char err[256];
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hq", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage_load(stdout);
			return EXIT_SUCCESS;
		case 'q':
			o.quiet = true;
			break;
		case OPT_STATUS:
			o.status = true;
			break;
		case OPT_CHECK:
			o.check = true;
			break;
		case OPT_MEM:
			if (region_parse_mem(optarg, &o.mem, err, sizeof(err))) {
				fprintf(stderr, "%s: %s\n", prog, err);
				return EXIT_USAGE;
			}
			o.have_mem = true;
			break;
		case OPT_LOG_LEVEL:
			if (lookup(optarg, levels, 4, &o.log_level)) {
				fprintf(stderr,
					"%s: --log-level=%s: expected error, warn, info or debug\n",
					prog, optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_SERIAL:
			o.flags |= VMK_BOOT_SERIAL_LOG;
			break;
		case OPT_FAIL_CPU:
			if (parse_u32(optarg, VMK_MAX_CPUS - 1, &o.fail_cpu)) {
				fprintf(stderr,
					"%s: --fail-cpu=%s: expected a CPU index from 0 to %d\n",
					prog, optarg, VMK_MAX_CPUS - 1);
				return EXIT_USAGE;
			}
			o.have_fail_cpu = true;
			break;
		case OPT_FAIL_STEP:
			if (lookup(optarg, steps, VMK_FAIL_STEPS, &o.fail_step) ||
			    o.fail_step == VMK_FAIL_NONE) {
				fprintf(stderr,
					"%s: --fail-step=%s: expected enter, svm or vmcb\n",
					prog, optarg);
				return EXIT_USAGE;
			}
			break;
		default:
			bad_option(c, argv);
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "%s: one image at most (got %d); try '%s --help'\n",
			prog, argc - optind, prog);
		return EXIT_USAGE;
	}
	if (optind < argc)
		o.image = argv[optind];
	if (o.status && o.check) {
		fprintf(stderr, "%s: --status and --check do not go together\n", prog);
		return EXIT_USAGE;
	}
	if (o.have_fail_cpu && o.fail_step == VMK_FAIL_NONE) {
		fprintf(stderr, "%s: --fail-cpu needs --fail-step\n", prog);
		return EXIT_USAGE;
	}
	if (o.status)
		return do_status();
	if (o.check)
		return do_check(&o);
	return do_load(&o);
}

static int main_unload(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	bool quiet = false;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hq", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage_unload(stdout);
			return EXIT_SUCCESS;
		case 'q':
			quiet = true;
			break;
		default:
			bad_option(c, argv);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'; try '%s --help'\n",
			prog, argv[optind], prog);
		return EXIT_USAGE;
	}
	return do_unload(quiet);
}

int main(int argc, char **argv)
{
	const char *base = argc > 0 && argv[0] ? strrchr(argv[0], '/') : NULL;

	base = base ? base + 1 : (argc > 0 && argv[0] ? argv[0] : "vmkload");
	if (strcmp(base, "vmkunload") == 0) {
		prog = "vmkunload";
		return main_unload(argc, argv);
	}
	return main_load(argc, argv);
}
