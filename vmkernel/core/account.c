// SPDX-License-Identifier: GPL-2.0
/*
 * A world's time accounting: each state change adds the time spent in
 * the state it leaves to that state's counter (used, ready, wait,
 * co-stop), the figures /proc/vmware/worlds and esxtop-style tools show.
 * A leaf: it calls nobody, so the world table (world.c) and the
 * scheduler (sched.c) both use it without calling into each other.
 */
#include <vmk/account.h>
#include <vmk/world.h>

void account_set_state(struct world *w, enum world_state s, u64 now)
{
	u64 dt = now > w->state_since ? now - w->state_since : 0;

	switch (w->state) {
	case WORLD_RUNNING:
		w->st.used_ns += dt;
		break;
	case WORLD_READY:
		w->st.ready_ns += dt;
		break;
	case WORLD_WAITING:
		w->st.wait_ns += dt;
		break;
	case WORLD_COSTOPPED:
		w->st.cstp_ns += dt;
		break;
	default:
		break;
	}
	w->state = (u8)s;
	w->state_since = MAX(now, w->state_since);
}

void account_throttle(struct world *w, u64 now)
{
	if (w->throttled && now > w->throttled_since)
		w->st.mlmtd_ns += now - w->throttled_since;
	w->throttled_since = MAX(now, w->throttled_since);
}
