/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A world's time accounting (vmkernel/core/account.c).
 */
#ifndef VMK_ACCOUNT_H
#define VMK_ACCOUNT_H

#include <vmk/world.h>

/* Moves w to state s at time now, charging the time since its last
 * change to the state it leaves.  The caller serialises changes to w
 * (the scheduler holds w's run-queue lock). */
void account_set_state(struct world *w, enum world_state s, u64 now);
/* Time in the throttle heap up to now goes to w's mlmtd_ns (%MLMTD):
 * called on every change of w->throttled and when reading (run-queue
 * lock). */
void account_throttle(struct world *w, u64 now);

#endif
