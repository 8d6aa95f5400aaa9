// SPDX-License-Identifier: GPL-2.0
/*
 * vmkcall: talks to the vmkernel from the service console.  CPUID and a
 * user-mode VMMCALL probe the hypervisor directly; the other commands go
 * through /dev/vmnix, where the shim issues the vmkcall at CPL 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmnix_abi.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vmkcall COMMAND [ARGS]\n"
		"\n"
		"  cpuid            show the hypervisor CPUID leaf (0x40000000); exit 0 if\n"
		"                   the vmkernel is present, 1 if the CPU runs on bare hardware\n"
		"  user-nop         issue VMMCALL from user mode (CPL 3) and print the result\n"
		"                   (-EPERM under the vmkernel, SIGILL on bare hardware)\n"
		"  nop [CPU]        the null vmkcall, through /dev/vmnix\n"
		"  info             version, uptime, CPUs and memory of the vmkernel\n"
		"  checksum         checksum of the vmkernel's code and read-only data\n"
		"  stats CPU        exit counters of one vmkernel CPU (by index)\n"
		"  raw NR [A0 [A1 [A2]]]  vmkcall NR with raw arguments (for tests); prints\n"
		"                   the vmkernel's answer (-38, -ENOSYS, for a number it\n"
		"                   does not define; the shim passes those on with the\n"
		"                   arguments cleared, and refuses UNLOAD and FLOOR: EPERM)\n"
		"  bench vmkcall|cpuid|floor|modcall COUNT\n"
		"                   time COUNT round trips in TSC cycles: min, median, mean\n"
		"                   (floor: a bare VMRUN/#VMEXIT pair, timed by the vmkernel;\n"
		"                   modcall: vmkcall 0x1000, served by a loaded module)\n");
}

static int dev_open(void)
{
	int fd = open(VMNIX_DEVICE, O_RDWR);

	if (fd < 0) {
		fprintf(stderr, "vmkcall: %s: %s (is vmnix loaded?)\n", VMNIX_DEVICE,
			strerror(errno));
		exit(2);
	}
	return fd;
}

static long call(unsigned nr, unsigned cpu, uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct vmnix_call c = { .nr = nr, .cpu = cpu, .args = { a0, a1, a2, 0 } };
	int fd = dev_open();

	if (ioctl(fd, VMNIX_IOC_CALL, &c) < 0) {
		fprintf(stderr, "vmkcall: call %u: %s\n", nr, strerror(errno));
		exit(1);
	}
	close(fd);
	return (long)c.ret;
}

static int cmd_cpuid(void)
{
	uint32_t a, b, c, d;
	char sig[13];

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	int hv = (c >> 31) & 1;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
			 : "a"(VMK_CPUID_LEAF), "c"(0));
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	int vmk = b == VMK_CPUID_SIG_EBX && c == VMK_CPUID_SIG_ECX && d == VMK_CPUID_SIG_EDX;
	printf("hypervisor bit %d, leaf 0x%x: max 0x%x signature \"%s\"%s\n", hv,
	       VMK_CPUID_LEAF, a, vmk ? sig : "", vmk ? " (vmkernel)" : " (none)");
	return vmk ? 0 : 1;
}

static sigjmp_buf jb;

static void on_sigill(int sig)
{
	(void)sig;
	siglongjmp(jb, 1);
}

static int cmd_user_nop(void)
{
	long ret;

	signal(SIGILL, on_sigill);
	if (sigsetjmp(jb, 1)) {
		printf("vmmcall from user mode: SIGILL (no hypervisor)\n");
		return 1;
	}
	ret = vmk_vmmcall(VMK_CALL_NOP, 0, 0, 0, 0);
	printf("vmmcall from user mode: %ld (%s)\n", ret,
	       ret < 0 ? strerror((int)-ret) : "ok");
	return ret == -EPERM ? 0 : 1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmd_bench(const char *what, unsigned count)
{
	struct vmnix_bench b = { .count = count };
	uint64_t *s, sum = 0;
	int fd;

	if (!strcmp(what, "vmkcall"))
		b.nr = VMNIX_BENCH_VMKCALL;
	else if (!strcmp(what, "cpuid"))
		b.nr = VMNIX_BENCH_CPUID;
	else if (!strcmp(what, "floor"))
		b.nr = VMNIX_BENCH_FLOOR;
	else if (!strcmp(what, "modcall"))
		b.nr = VMNIX_BENCH_MODCALL;
	else {
		fprintf(stderr, "vmkcall: bench what? (vmkcall, cpuid, floor or modcall)\n");
		return 2;
	}
	if (count == 0 || count > VMNIX_BENCH_MAX) {
		fprintf(stderr, "vmkcall: COUNT must be 1 to %u\n", VMNIX_BENCH_MAX);
		return 2;
	}
	s = calloc(count, sizeof(*s));
	if (!s)
		return 2;
	b.samples = (uintptr_t)s;
	fd = dev_open();
	if (ioctl(fd, VMNIX_IOC_BENCH, &b) < 0) {
		fprintf(stderr, "vmkcall: bench: %s\n", strerror(errno));
		return 1;
	}
	close(fd);
	qsort(s, count, sizeof(*s), cmp_u64);
	for (unsigned i = 0; i < count; i++)
		sum += s[i];
	printf("%s round trip: n %u min %llu median %llu mean %llu cycles\n", what, count,
	       (unsigned long long)s[0], (unsigned long long)s[count / 2],
	       (unsigned long long)(sum / count));
	free(s);
	return 0;
}

static uint64_t num(const char *s)
{
	char *end;
	errno = 0;
	uint64_t v = strtoull(s, &end, 0);
	if (errno || *end) {
		fprintf(stderr, "vmkcall: not a number: %s\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *cmd = argv[1];

	if (!strcmp(cmd, "cpuid"))
		return cmd_cpuid();
	if (!strcmp(cmd, "user-nop"))
		return cmd_user_nop();
	if (!strcmp(cmd, "nop")) {
		long r = call(VMK_CALL_NOP, argc > 2 ? (unsigned)num(argv[2]) : 0, 0, 0, 0);
		printf("nop: %ld\n", r);
		return r != 0;
	}
	if (!strcmp(cmd, "checksum")) {
		long r = call(VMK_CALL_CHECKSUM, 0, 0, 0, 0);
		printf("checksum: %016lx\n", r);
		return r < 0;
	}
	if (!strcmp(cmd, "info")) {
		struct vmk_info in;
		long r = call(VMK_CALL_INFO, 0, (uintptr_t)&in, 0, 0);
		if (r) {
			fprintf(stderr, "vmkcall: info: %s\n", strerror((int)-r));
			return 1;
		}
		printf("version %s\nabi %u\nvmkcall %u\nuptime_ms %llu\ncpus %u\n"
		       "cpus_running %u\nregion 0x%llx %llu\nmem_used %llu\npaging %u\ntsc_khz %llu\n",
		       in.version, in.abi_version, in.call_version,
		       (unsigned long long)in.uptime_ns / 1000000, in.ncpus,
		       in.ncpus_running, (unsigned long long)in.region_pa,
		       (unsigned long long)in.region_size,
		       (unsigned long long)in.mem_used, in.paging_levels,
		       (unsigned long long)in.tsc_khz);
		return 0;
	}
	if (!strcmp(cmd, "stats") && argc == 3) {
		struct vmk_cpu_stats st;
		long r = call(VMK_CALL_CPU_STATS, 0, num(argv[2]), (uintptr_t)&st, 0);
		if (r) {
			fprintf(stderr, "vmkcall: stats: %s\n", strerror((int)-r));
			return 1;
		}
		printf("cpu %u state %u exits %llu vmk_cycles %llu\n", st.index, st.state,
		       (unsigned long long)st.exits_total, (unsigned long long)st.vmk_tsc);
		return 0;
	}
	if (!strcmp(cmd, "raw") && argc >= 3 && argc <= 6) {
		uint64_t nr = num(argv[2]);

		if (nr > UINT32_MAX) {
			fprintf(stderr, "vmkcall: NR must fit in 32 bits: %s\n", argv[2]);
			return 2;
		}
		long r = call((unsigned)nr, 0, argc > 3 ? num(argv[3]) : 0,
			      argc > 4 ? num(argv[4]) : 0, argc > 5 ? num(argv[5]) : 0);
		printf("%ld\n", r);
		return 0;
	}
	if (!strcmp(cmd, "bench") && argc == 4)
		return cmd_bench(argv[2], (unsigned)num(argv[3]));
	usage(stderr);
	return 2;
}
