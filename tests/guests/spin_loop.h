/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CPU-bound loop of the spin guest, shared with anything that runs
 * the same work natively (a console benchmark) so that loops per TSC
 * cycle in a VM and on the console compare like with like.  A xorshift
 * step: a few dependent ALU operations, no memory traffic, no division,
 * and a result that depends on every step, so a compiler cannot drop the
 * loop and a world switch that corrupts a register shows in the result.
 * Plain C with <stdint.h> only.
 */
#ifndef SPIN_LOOP_H
#define SPIN_LOOP_H

#include <stdint.h>

/* Iterations per call: small enough to check the TSC often. */
#define SPIN_LOOP_CHUNK	4096u
/* Any nonzero start; xorshift never reaches zero from one. */
#define SPIN_LOOP_SEED	0x2545f491u

static inline uint32_t spin_loop(uint32_t state, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		state ^= state << 13;
		state ^= state >> 17;
		state ^= state << 5;
	}
	return state;
}

#endif
