// SPDX-License-Identifier: GPL-2.0
/*
 * spin: a CPU-bound guest for scheduler tests.  It runs spin_loop()
 * (spin_loop.h, the same loop a console benchmark can run natively) in
 * chunks, counts the iterations, and every report_cycles TSC cycles
 * prints "progress tsc=<tsc> loops=<n>".  It stops after cycles TSC
 * cycles (then checks that its progress lines came as often as they
 * should, and recomputes the loop's result in one go: a world switch that
 * corrupted a register would show as a different result), or never with
 * cycles=0.
 *
 * Options:
 *   cycles=N         TSC cycles to run (default 2^30); 0: forever
 *   seconds=S        instead of cycles: S seconds at tsc_khz
 *   tsc_khz=K        TSC rate for seconds= (default: CPUID leaf 0x40000010
 *                    EAX when the hypervisor offers it, else 1000000)
 *   report_cycles=N  TSC cycles between progress lines (default 2^28)
 */
#include "guest.h"
#include "spin_loop.h"

const char guest_name[] = "spin";
const char *const guest_options[] = {
	"cycles", "seconds", "tsc_khz", "report_cycles", NULL
};

static uint64_t spin_tsc_khz(void)
{
	if (cpuid(1).c & (1u << 31) && cpuid(0x40000000).a >= 0x40000010 &&
	    cpuid(0x40000010).a)
		return opts_uint("tsc_khz", cpuid(0x40000010).a);
	return opts_uint("tsc_khz", 1000000);
}

/* spin_loop() over a 64-bit count, in one run of calls. */
static uint32_t spin_recompute(uint64_t n)
{
	uint32_t state = SPIN_LOOP_SEED;

	while (n) {
		uint32_t k = n > 0x40000000u ? 0x40000000u : (uint32_t)n;

		state = spin_loop(state, k);
		n -= k;
	}
	return state;
}

void guest_main(void)
{
	uint64_t cycles = opts_uint("cycles", 1ull << 30);
	uint64_t every = opts_uint("report_cycles", 1ull << 28);
	uint64_t start, now, next, loops = 0;
	uint32_t state = SPIN_LOOP_SEED, lines = 0, expect;

	if (opts_str("seconds", NULL)) {
		uint64_t khz = spin_tsc_khz();

		cycles = opts_uint("seconds", 1) * khz * 1000;
		print("spin: %llu s at %llu kHz: %llu cycles\n",
		      opts_uint("seconds", 1), khz, cycles);
	}
	if (!every) {
		report(false, "report_cycles=0: must be at least 1");
		return;
	}
	print("spin: running for %llu cycles (0: forever), progress every %llu\n",
	      cycles, every);
	start = rdtsc();
	next = start + every;
	for (;;) {
		state = spin_loop(state, SPIN_LOOP_CHUNK);
		loops += SPIN_LOOP_CHUNK;
		now = rdtsc();
		if (now >= next) {
			print("progress tsc=%llu loops=%llu\n", now, loops);
			lines++;
			next += every;
			/* A long pause (a descheduled VM) gives one line, not a burst. */
			if (next <= now)
				next = now + every;
		}
		if (cycles && now - start >= cycles)
			break;
	}
	print("spin: %llu loops in %llu cycles, result %#x\n", loops, now - start, state);
	expect = (uint32_t)((now - start) / every);
	report(expect ? lines >= 1 && lines <= expect : lines == 0,
	       "%u progress lines for %llu cycles at one per %llu", lines, now - start, every);
	report(loops > 0, "loops counted (%llu)", loops);
	/* The same work in one call, not interleaved with TSC reads and prints. */
	report(state == spin_recompute(loops),
	       "the loop's result recomputes (%#x)", state);
}
