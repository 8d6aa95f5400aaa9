// SPDX-License-Identifier: GPL-2.0
/*
 * Waiting by the TSC: the guests have no PIT to calibrate against, so
 * delays are in TSC cycles, which is also what a VMM's scheduler sees.
 */
#include "guest.h"

void tsc_delay(uint64_t cycles)
{
	uint64_t t0 = rdtsc();

	while (rdtsc() - t0 < cycles)
		pause();
}
