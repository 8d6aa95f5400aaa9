// SPDX-License-Identifier: GPL-2.0
/*
 * Co-scheduling of a VM's VCPUs (see <vmk/cosched.h> for the model).
 *
 * Progress of a VCPU = time run - its baseline; computed from the state
 * accounting, so it costs nothing while no one looks.  The slowest
 * sibling is taken among VCPUs that want to run (running, ready or
 * co-stopped): a VCPU that waits is idle, is never a laggard, and when it
 * wakes its progress is raised to the slowest sibling's if it was below,
 * so idling builds no skew.  Checks
 * happen at the VCPUs' ticks and dispatches, so a running VCPU's lead can
 * pass the threshold by at most one tick before it is co-stopped.
 *
 * Co-stop: the VCPU is marked and leaves its CPU at its next scheduling
 * point in state CO-STOPPED, still counted on that CPU.  Co-start: it
 * returns to its CPU's ready queue at the head (its virtual time set to
 * the CPU's virtual clock) and the CPU is asked to reschedule.
 */
#include <vmk/cosched.h>
#include <vmk/check.h>
#include <vmk/world.h>

/* Set once by the scheduler (sched_init) before any group runs. */
static const struct cosched_ops *cosched_ops;

void cosched_init(const struct cosched_ops *ops)
{
	cosched_ops = ops;
}

static bool cosched_wants_cpu(const struct world *v)
{
	return v->state == WORLD_RUNNING || v->state == WORLD_READY ||
	       v->state == WORLD_COSTOPPED;
}

static u64 cosched_progress(const struct world *v, u64 now)
{
	u64 p = v->st.used_ns;

	if (v->state == WORLD_RUNNING && now > v->state_since)
		p += now - v->state_since;
	return p - v->skew_base_ns;
}

/* Slowest progress among VCPUs that want a CPU; ~0 if none. Group lock. */
static u64 cosched_min(const struct world_group *g, u64 now)
{
	u64 m = ~0ULL, p;
	u32 i;

	for (i = 0; i < g->nvcpus; i++) {
		if (!cosched_wants_cpu(g->vcpu[i]))
			continue;
		p = cosched_progress(g->vcpu[i], now);
		m = MIN(m, p);
	}
	return m;
}

/* Lead of progress p over the slowest, m (from cosched_min()). */
static u64 cosched_lead_over(u64 m, u64 p)
{
	return m != ~0ULL && p > m ? p - m : 0;
}

u64 cosched_lead(struct world *w, u64 now)
{
	struct world_group *g = w->group;
	u64 lead;

	if (!g)
		return 0;
	spin_lock(&g->lock);
	lead = cosched_lead_over(cosched_min(g, now), cosched_progress(w, now));
	spin_unlock(&g->lock);
	return lead;
}

/* The largest lead over the slowest, m.  Group lock. */
static u64 cosched_skew_locked(const struct world_group *g, u64 m, u64 now)
{
	u64 fastest = 0;
	u32 i;

	for (i = 0; i < g->nvcpus; i++)
		if (cosched_wants_cpu(g->vcpu[i]))
			fastest = MAX(fastest,
				      cosched_progress(g->vcpu[i], now));
	return cosched_lead_over(m, fastest);
}

u64 cosched_skew(struct world_group *g, u64 now)
{
	u64 skew;

	spin_lock(&g->lock);
	skew = cosched_skew_locked(g, cosched_min(g, now), now);
	spin_unlock(&g->lock);
	return skew;
}

bool cosched_woken(struct world *w, u64 now)
{
	struct world_group *g = w->group;
	bool stop = false;
	u64 m, p;

	spin_lock(&g->lock);
	m = cosched_min(g, now);
	p = cosched_progress(w, now);
	/* Idle time is not lag: it rejoins no further behind than the
	 * slowest sibling that wants to run. */
	if (m != ~0ULL && p < m)
		w->skew_base_ns -= m - p;
	/* It may have blocked ahead, between two checks: it then rejoins
	 * co-stopped. */
	if (cosched_lead_over(m, p) > g->skew_threshold_ns && g->nvcpus > 1) {
		stop = true;
		g->costops++;
	}
	spin_unlock(&g->lock);
	return stop;
}

/* Group lock held; takes v's run-queue lock. */
static void cosched_costart(struct world_group *g, struct world *v, u64 now)
{
	if (v->state != WORLD_COSTOPPED)
		return;
	cosched_ops->costart(v, now);
	g->costarts++;
}

/* Relaxed mode: co-starts each co-stopped VCPU whose lead over the
 * slowest, m, has halved.  Group lock held. */
static void cosched_costart_caught_up(struct world_group *g, u64 m, u64 now)
{
	u32 i;

	for (i = 0; i < g->nvcpus; i++)
		if (g->vcpu[i]->state == WORLD_COSTOPPED &&
		    cosched_lead_over(m, cosched_progress(g->vcpu[i], now)) <=
			    g->skew_threshold_ns / 2)
			cosched_costart(g, g->vcpu[i], now);
}

/* Strict mode: all progress measured afresh from now. */
static void cosched_rebase(struct world_group *g, u64 now)
{
	u32 i;

	for (i = 0; i < g->nvcpus; i++) {
		struct world *v = g->vcpu[i];

		v->skew_base_ns += cosched_progress(v, now);
	}
}

bool cosched_tick(struct world *w, u64 now)
{
	struct world_group *g = w->group;
	u64 lead, skew, m;
	bool stop = false;
	u32 i;

	spin_lock(&g->lock);
	/* Co-stops and co-starts below change no one's progress, so the
	 * slowest stays m throughout. */
	m = cosched_min(g, now);
	skew = cosched_skew_locked(g, m, now);
	g->max_skew_ns = MAX(g->max_skew_ns, skew);
	lead = cosched_lead_over(m, cosched_progress(w, now));
	if (g->nvcpus < 2)
		goto out_unlock;
	if (g->mode == COSCHED_RELAXED) {
		stop = lead > g->skew_threshold_ns;
		cosched_costart_caught_up(g, m, now);
	} else if (skew > g->skew_threshold_ns) {
		/* Every VCPU ahead of the slowest stops. */
		for (i = 0; i < g->nvcpus; i++) {
			struct world *v = g->vcpu[i];

			if (v == w || cosched_progress(v, now) <= m)
				continue;
			if (cosched_ops->costop(v, now))
				g->costops++;
		}
		stop = lead > 0;
	}
	if (stop)
		g->costops++;
out_unlock:
	spin_unlock(&g->lock);
	return stop;
}

void cosched_update(struct world_group *g, struct world *w, u64 now)
{
	bool any_running = false, any_stopped = false;
	u32 i;

	spin_lock(&g->lock);
	for (i = 0; i < g->nvcpus; i++) {
		struct world *v = g->vcpu[i];

		any_stopped |= v->state == WORLD_COSTOPPED;
		any_running |= v->state == WORLD_RUNNING ||
			       v->state == WORLD_READY;
	}
	if (!any_stopped)
		goto out_unlock;
	if (g->mode == COSCHED_STRICT) {
		/* A laggard was dispatched, or no one is left to catch up:
		 * the VM starts again as one. */
		if ((w && w->state == WORLD_RUNNING) || !any_running) {
			cosched_rebase(g, now);
			for (i = 0; i < g->nvcpus; i++)
				cosched_costart(g, g->vcpu[i], now);
		}
		goto out_unlock;
	}
	cosched_costart_caught_up(g, cosched_min(g, now), now);
out_unlock:
	spin_unlock(&g->lock);
}
