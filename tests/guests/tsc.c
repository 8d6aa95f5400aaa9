// SPDX-License-Identifier: GPL-2.0
/*
 * tsc: the time-stamp counter as a guest sees it.  Back-to-back reads
 * never go backwards; it advances during a busy loop; RDTSCP (when CPUID
 * 0x80000001 EDX bit 27 offers it) returns a TSC between two RDTSCs and
 * the TSC_AUX value the guest wrote.
 *
 * Options:
 *   reads=N   back-to-back reads in the monotonic check (default 100000)
 *   loops=N   iterations of the busy loop (default 1000000)
 */
#include "guest.h"

const char guest_name[] = "tsc";
const char *const guest_options[] = { "reads", "loops", NULL };

void guest_main(void)
{
	uint32_t reads = opts_uint("reads", 100000);
	uint32_t loops = opts_uint("loops", 1000000);
	uint64_t prev, t0, t1, t, worst = 0;
	uint32_t back = 0, aux;
	volatile uint32_t sink = 0;

	prev = rdtsc();
	for (uint32_t i = 0; i < reads; i++) {
		t = rdtsc();
		if (t < prev) {
			back++;
			if (prev - t > worst)
				worst = prev - t;
		}
		prev = t;
	}
	report(back == 0, "TSC monotonic over %u reads (%u went back, worst by %llu)",
	       reads, back, worst);

	t0 = rdtsc();
	for (uint32_t i = 0; i < loops; i++)
		sink += i;
	t1 = rdtsc();
	print("tsc: %u loop iterations took %llu cycles\n", loops, t1 - t0);
	/* Each iteration is a few instructions: at least one cycle apiece. */
	report(t1 - t0 >= loops, "TSC advances during a busy loop (%llu cycles for %u iterations)",
	       t1 - t0, loops);

	if (!(cpuid(0x80000001).d & (1u << 27))) {
		report_skip("CPUID has no RDTSCP", "RDTSCP");
		return;
	}
	wrmsr(MSR_TSC_AUX, 0x2a);
	t0 = rdtsc();
	t = rdtscp(&aux);
	t1 = rdtsc();
	report(t0 <= t && t <= t1, "RDTSCP between two RDTSCs (%llu <= %llu <= %llu)", t0, t, t1);
	report(aux == 0x2a, "RDTSCP returns TSC_AUX (%#x, wrote 0x2a)", aux);
}
