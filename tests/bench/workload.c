// SPDX-License-Identifier: GPL-2.0
/*
 * vmkbench: console workloads for the benchmarks, each checking its own
 * result.  Prints one line per workload: "NAME NS_PER_OP OPS", or fails
 * with a message and status 1 if a result is wrong.
 *
 *   cpu      an integer loop (xorshift) with a known final value
 *   syscall  getppid() in a loop; every answer must be the parent
 *   fork     fork + _exit + waitpid; every child's status must match
 *   pages    touch every page of a fresh 256 MiB mapping (less in a small
 *            machine), then verify
 *   pipe     ping-pong of one byte between two processes on two CPUs
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static _Noreturn void die(const char *what)
{
	fprintf(stderr, "vmkbench: %s: wrong result\n", what);
	exit(1);
}

static void report(const char *name, uint64_t ns, uint64_t ops)
{
	printf("%s %.1f %llu\n", name, (double)ns / (double)ops, (unsigned long long)ops);
	fflush(stdout);
}

static uint64_t xorshift(uint64_t n)
{
	uint64_t x = 88172645463325252ULL;

	for (uint64_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	return x;
}

static void bench_cpu(uint64_t n)
{
	uint64_t expect = xorshift(1000);	/* warm, and a reference */
	uint64_t t = now_ns(), x = xorshift(n);

	report("cpu", now_ns() - t, n);
	/* Same value twice, and a value that is not the seed. */
	if (x != xorshift(n) || x == 88172645463325252ULL || expect == 0)
		die("cpu");
}

static void bench_syscall(uint64_t n)
{
	pid_t parent = getppid();
	uint64_t t = now_ns();

	for (uint64_t i = 0; i < n; i++)
		if (getppid() != parent)
			die("syscall");
	report("syscall", now_ns() - t, n);
}

static void bench_fork(uint64_t n)
{
	uint64_t t = now_ns();

	for (uint64_t i = 0; i < n; i++) {
		pid_t p = fork();
		int st;
		if (p == 0)
			_exit((int)(i & 0x7f));
		if (p < 0 || waitpid(p, &st, 0) != p || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != (int)(i & 0x7f))
			die("fork");
	}
	report("fork", now_ns() - t, n);
}

static void bench_pages(uint64_t mib)
{
	size_t len = (size_t)mib << 20, pages = len / 4096;
	uint64_t t = now_ns();
	uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		die("pages (mmap)");
	for (size_t i = 0; i < pages; i++)
		m[i * 4096] = (uint8_t)(i * 7 + 1);
	for (size_t i = 0; i < pages; i++)
		if (m[i * 4096] != (uint8_t)(i * 7 + 1))
			die("pages");
	munmap(m, len);
	report("pages", now_ns() - t, pages);
}

static void pin(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	sched_setaffinity(0, sizeof(s), &s);
}

static void bench_pipe(uint64_t n)
{
	int ab[2], ba[2];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (pipe(ab) || pipe(ba))
		die("pipe (pipe)");
	pid_t p = fork();
	if (p == 0) {
		pin(ncpu > 1 ? 1 : 0);
		for (uint64_t i = 0; i < n; i++) {
			uint8_t b;
			if (read(ab[0], &b, 1) != 1 || b != (uint8_t)i)
				_exit(1);
			b++;
			if (write(ba[1], &b, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	pin(0);
	uint64_t t = now_ns();
	for (uint64_t i = 0; i < n; i++) {
		uint8_t b = (uint8_t)i;
		if (write(ab[1], &b, 1) != 1 || read(ba[0], &b, 1) != 1 ||
		    b != (uint8_t)(i + 1))
			die("pipe");
	}
	uint64_t dt = now_ns() - t;
	int st;
	if (waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st))
		die("pipe (child)");
	report("pipe", dt, n);
}

/*
 * 256 MiB, or half of what the kernel calls available when that is less:
 * a small VM (192 MiB) runs the same workload without the OOM killer.
 */
static uint64_t pages_mib(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	unsigned long long kb;
	uint64_t mib = 256;

	if (!f)
		return mib;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1 && kb / 2048 < mib)
			mib = kb / 2048 ? kb / 2048 : 1;
	fclose(f);
	return mib;
}

static int is_number(const char *a)
{
	return *a && strspn(a, "0123456789") == strlen(a);
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "cpu", "syscall", "fork", "pages", "pipe" };
	uint64_t s = 1, mib = 0;
	int want[5] = { 0 }, any = 0;

	if (argc < 2 || !strcmp(argv[1], "--help")) {
		printf("usage: vmkbench [--pages=MIB] cpu|syscall|fork|pages|pipe|all... [SCALE]\n"
		       "Runs console workloads that check their own results and\n"
		       "prints \"NAME NS_PER_OP OPS\" for each, in the order above.\n"
		       "SCALE multiplies the default amount of work (default 1).\n"
		       "pages touches MIB MiB (default 256, or half of MemAvailable\n"
		       "when that is less).\n");
		return argc < 2 ? 2 : 0;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int known = 0;

		if (!strncmp(a, "--pages=", 8) && is_number(a + 8)) {
			mib = strtoull(a + 8, NULL, 10);
			continue;
		}
		if (i == argc - 1 && i > 1 && is_number(a)) {
			s = strtoull(a, NULL, 10);
			continue;
		}
		for (int w = 0; w < 5; w++)
			if (!strcmp(a, "all") || !strcmp(a, names[w]))
				want[w] = known = 1;
		if (!known) {
			fprintf(stderr, "vmkbench: unknown workload '%s' (--help)\n", a);
			return 2;
		}
		any = 1;
	}
	if (!any) {
		fprintf(stderr, "vmkbench: no workload given (--help)\n");
		return 2;
	}
	if (s == 0)
		s = 1;
	if (want[0])
		bench_cpu(20000000 * s);
	if (want[1])
		bench_syscall(200000 * s);
	if (want[2])
		bench_fork(300 * s);
	if (want[3])
		bench_pages(mib ? mib : pages_mib());
	if (want[4])
		bench_pipe(20000 * s);
	return 0;
}
