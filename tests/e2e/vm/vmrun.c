// SPDX-License-Identifier: GPL-2.0
/*
 * vmrun: the e2e boot `vm`'s direct line to the vmkernel's VM vmkcalls,
 * below any management tool, so that the test sees exactly what the
 * vmkernel answers.  It creates VMs from flags, lays a multiboot kernel
 * out with the loader's library (loader/multiboot.c), writes it into the
 * VM's RAM, starts it, waits for it to stop, and prints its COM1 output
 * and final state; and it issues the other VM calls one at a time,
 * printing the vmkernel's result (a negative errno as its name).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "multiboot.h"
#include "vmnix_abi.h"

static const char *prog = "vmrun";
static int vmnix = -1;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s COMMAND [ARGS]\n"
		"  create NAME MEM_MB [NVCPUS [SHARES [MIN [MAX [POOL [AFFINITY]]]]]]\n"
		"                        VM_CREATE; prints the new VM's id\n"
		"  boot ID KERNEL [CMDLINE [MODULE_TEXT]]\n"
		"                        lays KERNEL out (multiboot), writes it, VM_START\n"
		"  run NAME MEM_MB TIMEOUT_S KERNEL [CMDLINE [MODULE_TEXT]]\n"
		"                        create, boot, wait until it is no longer\n"
		"                        running (or TIMEOUT_S), print its serial\n"
		"                        output and state, destroy it (VCPUs:\n"
		"                        $VMRUN_VCPUS, default 1)\n"
		"  wait ID TIMEOUT_S     until the VM is no longer running\n"
		"  info ID               its state, exit code, reason, pages, exits\n"
		"  serial ID             its COM1 output so far\n"
		"  input ID TEXT         VM_SERIAL_WRITE\n"
		"  stop ID soft|hard | reset ID [soft|hard] | destroy ID\n"
		"  set ID shares|min|max|affinity VALUE\n"
		"  list                  every VM: id, name, state\n"
		"  memfree               the vmkernel's free bytes (/proc/vmware/mem)\n"
		"  write ID GPA TEXT     VM_WRITE of TEXT at GPA\n"
		"Each prints `error: NAME` (and exits 1) when the vmkernel refuses.\n",
		prog);
}

static int64_t call(unsigned nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct vmnix_call c = { .nr = nr, .cpu = 0, .args = { a0, a1, a2, a3 } };

	if (vmnix < 0) {
		vmnix = open(VMNIX_DEVICE, O_RDWR);
		if (vmnix < 0) {
			fprintf(stderr, "%s: %s: %s\n", prog, VMNIX_DEVICE, strerror(errno));
			exit(2);
		}
	}
	if (ioctl(vmnix, VMNIX_IOC_CALL, &c) < 0)
		return -errno;
	return c.ret;
}

static const char *err_name(int64_t e)
{
	switch (-e) {
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	case EEXIST: return "EEXIST";
	case EBUSY: return "EBUSY";
	case ENOMEM: return "ENOMEM";
	case ENOSPC: return "ENOSPC";
	case ENODEV: return "ENODEV";
	case EFAULT: return "EFAULT";
	case ETIMEDOUT: return "ETIMEDOUT";
	case E2BIG: return "E2BIG";
	default: return strerror((int)-e);
	}
}

/* Prints the refusal and exits, or returns a non-negative result. */
static int64_t ok(const char *what, int64_t r)
{
	if (r >= 0)
		return r;
	printf("error: %s (%s)\n", err_name(r), what);
	exit(1);
}

static uint32_t num(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	if (!*s || *end || v > 0xffffffffULL) {
		fprintf(stderr, "%s: not a number: '%s'\n", prog, s);
		exit(2);
	}
	return (uint32_t)v;
}

static void *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	void *buf;

	if (!f || fstat(fileno(f), &st) < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		exit(2);
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf || fread(buf, 1, st.st_size, f) != (size_t)st.st_size) {
		fprintf(stderr, "%s: %s: cannot read\n", prog, path);
		exit(2);
	}
	fclose(f);
	*size = st.st_size;
	return buf;
}

static int64_t create(int argc, char **argv)
{
	struct vmk_vm_config c;

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", argv[0]);
	if (strlen(argv[0]) >= sizeof(c.name))	/* let the vmkernel judge it */
		memset(c.name, 'x', sizeof(c.name));
	c.memsize_mb = num(argv[1]);
	c.nvcpus = argc > 2 ? num(argv[2]) : 1;
	c.shares = argc > 3 ? num(argv[3]) : 0;
	c.min_pct = argc > 4 ? num(argv[4]) : 0;
	c.max_pct = argc > 5 ? num(argv[5]) : 0;
	if (argc > 6)
		snprintf(c.pool, sizeof(c.pool), "%s", argv[6]);
	c.affinity = argc > 7 ? num(argv[7]) : 0;
	return call(VMK_CALL_VM_CREATE, (uintptr_t)&c, sizeof(c), 0, 0);
}

static int64_t get_info(uint32_t id, struct vmk_vm_info *info)
{
	memset(info, 0, sizeof(*info));
	return call(VMK_CALL_VM_INFO, id, (uintptr_t)info, sizeof(*info), 0);
}

static int64_t boot(uint32_t id, const char *kernel, const char *cmdline,
		    const char *module)
{
	static struct multiboot_load ld;
	struct vmk_vm_info info;
	char err[256];
	size_t ksize;
	void *k = slurp(kernel, &ksize);

	ok("info", get_info(id, &info));
	if (multiboot_layout(k, ksize, cmdline, module, module ? strlen(module) : 0,
			     "env", (uint64_t)info.memsize_mb << 20, &ld, err,
			     sizeof(err))) {
		printf("error: %s\n", err);
		exit(1);
	}
	for (unsigned i = 0; i < ld.nwrites; i++) {
		const struct vm_write *w = &ld.writes[i];

		for (uint64_t off = 0; off < w->len; off += VMK_VM_WRITE_MAX) {
			uint64_t n = w->len - off < VMK_VM_WRITE_MAX ? w->len - off :
								       VMK_VM_WRITE_MAX;
			ok("write", call(VMK_CALL_VM_WRITE, id, w->gpa + off,
					 (uintptr_t)((const char *)w->data + off), n));
		}
	}
	free(k);
	ld.boot.rtc_epoch = (uint64_t)time(NULL);
	return call(VMK_CALL_VM_START, id, (uintptr_t)&ld.boot, sizeof(ld.boot), 0);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Until the VM is no longer running: 0, or 1 on the timeout. */
static int wait_vm(uint32_t id, double timeout)
{
	double t0 = now_s();
	struct vmk_vm_info info;

	for (;;) {
		ok("info", get_info(id, &info));
		if (info.state != VMK_VM_RUNNING)
			return 0;
		if (now_s() - t0 > timeout)
			return 1;
		usleep(20000);
	}
}

static void print_serial(uint32_t id)
{
	static char buf[VMK_VM_SERIAL_SIZE];
	uint64_t from = 0;
	int64_t n;

	while ((n = ok("serial", call(VMK_CALL_VM_SERIAL_READ, id, (uintptr_t)buf,
				      sizeof(buf), from))) > 0) {
		fwrite(buf, 1, n, stdout);
		from += n;
	}
	fflush(stdout);
}

static void print_info(uint32_t id)
{
	static const char *const states[] = VMK_VM_STATE_NAMES;
	static const char *const kinds[] = VMK_VM_EXIT_KIND_NAMES;
	struct vmk_vm_info info;

	ok("info", get_info(id, &info));
	printf("id=%u name=%s state=%s exit_code=%u pages=%llu memsize=%u vcpus=%u "
	       "shares=%u min=%u max=%u used_ns=%llu serial=%llu\n", info.id,
	       info.name, info.state < 4 ? states[info.state] : "?", info.exit_code,
	       (unsigned long long)info.pages, info.memsize_mb, info.nvcpus,
	       info.shares, info.min_pct, info.max_pct,
	       (unsigned long long)info.used_ns, (unsigned long long)info.serial_head);
	printf("reason=%s\n", info.reason);
	printf("worlds=");
	for (unsigned i = 0; i < info.nvcpus && i < VMK_VM_VCPUS_MAX; i++)
		printf("%s%u", i ? "," : "", info.vcpu_world[i]);
	printf("\nexits=");
	for (unsigned k = 0; k < VMK_VM_EXIT_KINDS; k++)
		printf("%s%s:%llu", k ? "," : "", kinds[k],
		       (unsigned long long)info.exits[k]);
	printf("\n");
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	int n = argc - 2;
	char **a = argv + 2;

	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "create") && n >= 2) {
		printf("%lld\n", (long long)ok("create", create(n, a)));
	} else if (!strcmp(cmd, "boot") && n >= 2) {
		ok("start", boot(num(a[0]), a[1], n > 2 ? a[2] : NULL, n > 3 ? a[3] : NULL));
	} else if (!strcmp(cmd, "run") && n >= 4) {
		char *cargv[3] = { a[0], a[1], getenv("VMRUN_VCPUS") };
		uint32_t id = (uint32_t)ok("create", create(cargv[2] ? 3 : 2, cargv));
		int timed_out;

		ok("start", boot(id, a[3], n > 4 ? a[4] : NULL, n > 5 ? a[5] : NULL));
		timed_out = wait_vm(id, atof(a[2]));
		print_serial(id);
		print_info(id);
		if (timed_out)
			printf("timeout: still running after %s s\n", a[2]);
		ok("destroy", call(VMK_CALL_VM_DESTROY, id, 0, 0, 0));
	} else if (!strcmp(cmd, "wait") && n == 2) {
		if (wait_vm(num(a[0]), atof(a[1]))) {
			printf("timeout: still running after %s s\n", a[1]);
			return 1;
		}
	} else if (!strcmp(cmd, "info") && n == 1) {
		print_info(num(a[0]));
	} else if (!strcmp(cmd, "serial") && n == 1) {
		print_serial(num(a[0]));
	} else if (!strcmp(cmd, "input") && n == 2) {
		printf("%lld\n", (long long)ok("input", call(VMK_CALL_VM_SERIAL_WRITE,
			num(a[0]), (uintptr_t)a[1], strlen(a[1]), 0)));
	} else if (!strcmp(cmd, "stop") && n == 2) {
		ok("stop", call(VMK_CALL_VM_STOP, num(a[0]),
				strcmp(a[1], "hard") ? VMK_VM_STOP_SOFT : VMK_VM_STOP_HARD, 0, 0));
	} else if (!strcmp(cmd, "reset") && (n == 1 || n == 2)) {
		ok("reset", call(VMK_CALL_VM_RESET, num(a[0]),
				 n == 2 && !strcmp(a[1], "soft") ? VMK_VM_RESET_SOFT :
								   VMK_VM_RESET_HARD, 0, 0));
	} else if (!strcmp(cmd, "destroy") && n == 1) {
		ok("destroy", call(VMK_CALL_VM_DESTROY, num(a[0]), 0, 0, 0));
	} else if (!strcmp(cmd, "set") && n == 3) {
		struct vmk_vm_config c;

		memset(&c, 0, sizeof(c));
		c.id = num(a[0]);
		if (!strcmp(a[1], "shares"))
			c.set = VMK_VM_SET_SHARES, c.shares = num(a[2]);
		else if (!strcmp(a[1], "min"))
			c.set = VMK_VM_SET_MIN, c.min_pct = num(a[2]);
		else if (!strcmp(a[1], "max"))
			c.set = VMK_VM_SET_MAX, c.max_pct = num(a[2]);
		else
			c.set = VMK_VM_SET_AFFINITY, c.affinity = num(a[2]);
		ok("set", call(VMK_CALL_VM_SET, (uintptr_t)&c, sizeof(c), 0, 0));
	} else if (!strcmp(cmd, "list") && n == 0) {
		static const char *const states[] = VMK_VM_STATE_NAMES;
		int64_t id = 0;

		while ((id = ok("next", call(VMK_CALL_VM_NEXT, id, 0, 0, 0))) > 0) {
			struct vmk_vm_info info;

			ok("info", get_info((uint32_t)id, &info));
			printf("%u %s %s\n", info.id, info.name,
			       info.state < 4 ? states[info.state] : "?");
		}
	} else if (!strcmp(cmd, "memfree") && n == 0) {
		/* As the console sees it: the shim keeps MEM_INFO to itself. */
		FILE *f = fopen("/proc/vmware/mem", "r");
		unsigned long long v;
		char key[32];

		while (f && fscanf(f, "%31s %llu%*[^\n]", key, &v) == 2)
			if (!strcmp(key, "free")) {
				printf("%llu\n", v);
				return 0;
			}
		printf("error: no free line in /proc/vmware/mem\n");
		return 1;
	} else if (!strcmp(cmd, "write") && n == 3) {
		ok("write", call(VMK_CALL_VM_WRITE, num(a[0]), num(a[1]), (uintptr_t)a[2],
				 strlen(a[2])));
	} else {
		usage(stderr);
		return 2;
	}
	return 0;
}
