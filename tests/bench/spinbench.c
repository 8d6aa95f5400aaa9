// SPDX-License-Identifier: GPL-2.0
/*
 * spinbench: the spin guest's CPU-bound loop run natively in the service
 * console, so that its speed in a virtual machine (the vmkernel's, or
 * KVM's) compares with the same work on the console's own CPU.  It runs
 * spin_loop() (tests/guests/spin_loop.h) in chunks of SPIN_LOOP_CHUNK
 * iterations and reads the TSC after each chunk, exactly as the guest
 * does, until the given number of TSC cycles has passed, then prints the
 * guest's own closing line:
 *
 *   spin: L loops in C cycles, result 0xR
 *
 * and recomputes the result in one go, as the guest does.  It pins itself
 * to one CPU first: under QEMU the console's TSCs are not synchronized
 * across CPUs, so a difference of two readings means something only on
 * one CPU.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x86intrin.h>

#include "spin_loop.h"

static const char *prog = "spinbench";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [--cycles N] [--cpu N]\n"
		"\n"
		"Runs the spin guest's loop (spin_loop.h) natively for N TSC cycles\n"
		"(default 2^30), in chunks of %u iterations with a TSC read after\n"
		"each, on CPU N (default: the CPU it starts on), and prints\n"
		"  spin: L loops in C cycles, result 0xR\n"
		"  spinbench: cpu N loops_per_kcycle X\n"
		"then checks that the loop's result recomputes in one call.\n"
		"\n"
		"Exit status: 0 measured and checked, 1 the check or pinning failed,\n"
		"2 usage.\n",
		prog, SPIN_LOOP_CHUNK);
}

static int parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(s, &end, 0);
	if (!*s || *end || errno || *s == '-' || x < min || x > max) {
		fprintf(stderr, "%s: %s must be a number from %llu to %llu, not '%s'\n", prog,
			opt, (unsigned long long)min, (unsigned long long)max, s);
		return -1;
	}
	*v = x;
	return 0;
}

/* spin_loop() over a 64-bit count, in one run of calls (as the guest). */
static uint32_t recompute(uint64_t n)
{
	uint32_t state = SPIN_LOOP_SEED;

	while (n) {
		uint32_t k = n > 0x40000000u ? 0x40000000u : (uint32_t)n;

		state = spin_loop(state, k);
		n -= k;
	}
	return state;
}

int main(int argc, char **argv)
{
	uint64_t cycles = 1ull << 30, cpu = UINT64_MAX, start, now, loops = 0;
	uint32_t state = SPIN_LOOP_SEED, again;
	cpu_set_t set;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--cycles") && i + 1 < argc) {
			if (parse_u64("--cycles", argv[++i], 1, 1ull << 48, &cycles))
				return 2;
		} else if (!strcmp(argv[i], "--cpu") && i + 1 < argc) {
			if (parse_u64("--cpu", argv[++i], 0, CPU_SETSIZE - 1, &cpu))
				return 2;
		} else {
			fprintf(stderr, "%s: unknown argument '%s'\n", prog, argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (cpu == UINT64_MAX) {
		int c = sched_getcpu();

		if (c < 0) {
			fprintf(stderr, "%s: sched_getcpu: %s\n", prog, strerror(errno));
			return 1;
		}
		cpu = (uint64_t)c;
	}
	CPU_ZERO(&set);
	CPU_SET((int)cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "%s: pinning to CPU %llu: %s\n", prog, (unsigned long long)cpu,
			strerror(errno));
		return 1;
	}

	start = __rdtsc();
	do {
		state = spin_loop(state, SPIN_LOOP_CHUNK);
		loops += SPIN_LOOP_CHUNK;
		now = __rdtsc();
	} while (now - start < cycles);

	printf("spin: %llu loops in %llu cycles, result %#x\n", (unsigned long long)loops,
	       (unsigned long long)(now - start), state);
	printf("%s: cpu %llu loops_per_kcycle %.3f\n", prog, (unsigned long long)cpu,
	       1000.0 * (double)loops / (double)(now - start));
	again = recompute(loops);
	if (again != state) {
		fprintf(stderr, "%s: the loop's result %#x does not recompute: %#x in one go\n",
			prog, state, again);
		return 1;
	}
	return 0;
}
