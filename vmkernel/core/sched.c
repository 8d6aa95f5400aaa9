// SPDX-License-Identifier: GPL-2.0
/*
 * The CPU scheduler.
 *
 * Choice: start-time fair queueing (SFQ) on per-CPU run queues, weighted
 * by entitlements computed from the resource-pool tree.  Each world has a
 * virtual time (its start tag); running for t ns advances it by
 * t * SCHED_CPU_UNITS / weight, and each CPU runs the ready world with the
 * smallest virtual time.  Over any interval in which a set of worlds stays
 * ready on a CPU, each receives CPU in proportion to its weight, with an
 * error bounded by one quantum per world (the SFQ fairness bound), which
 * is what ESX's proportional share promises.  SFQ rather than stride
 * scheduling or WFQ: its virtual clock is simply the start tag of the
 * world in service, so a world waking up or arriving by migration is
 * placed by one max() without knowing the other worlds' finish times, and
 * it needs no knowledge of the next quantum's length, which a
 * non-preemptive kernel does not have.  Run queues are pairing heaps
 * (rqheap.c) so a decision is O(log n) in the worlds on that CPU.
 *
 * Weights: the pool tree (pool.c) turns shares, reservations and limits
 * into an entitlement per world by water-filling among active siblings,
 * level by level; a world's weight is its entitlement in CPU units.  So a
 * reservation is met by weight (never below the reservation while the
 * world has demand) and hierarchical shares hold whatever the number of
 * worlds in each pool.  Entitlements are refreshed every SCHED_ENTITLE_NS
 * and after any change to the tree, not at each decision: that is O(n).
 *
 * Limits: SFQ is work-conserving, so a limit needs enforcement of its
 * own: a world whose cap (its limit, or its entitlement when a pool above
 * it is limited) is below one CPU has a token bucket filled at the cap's
 * rate and holding at most one quantum; a world that overdraws it waits in
 * its CPU's throttle heap until the bucket is positive again.
 *
 * SMP: a world belongs to one CPU's queue.  It is placed, on start and on
 * wakeup, on the allowed CPU with the least load (sum of weights), its
 * previous CPU on a tie, and away from its VM's other VCPUs.  Every
 * SCHED_BALANCE_NS a CPU pulls a world from the busiest CPU when that
 * makes the two loads no further apart; an idle CPU pulls at once.  A
 * migrating world keeps its lag behind its old CPU's virtual clock.
 *
 * Co-scheduling of a VM's VCPUs is in cosched.c; the scheduler asks it at
 * ticks and dispatches, and stops a VCPU it marks (need_costop) at the
 * next scheduling point.
 *
 * Scheduling points (non-preemptive kernel) are listed in <vmk/sched.h>.
 *
 * Locking: a CPU's run-queue lock (LOCK_RANK_RUNQUEUE + cpu) guards its
 * struct sched_cpu and the scheduler fields of the worlds on it; two are
 * taken in CPU order.  Entitlements are written under the pool lock,
 * which is taken before any run-queue lock.
 */
#include <vmk/sched.h>
#include <vmk/account.h>
#include <vmk/arch.h>
#include <vmk/check.h>
#include <vmk/cosched.h>
#include <vmk/errno.h>
#include <vmk/log.h>
#include <vmk/string.h>
#include <vmk/world.h>

#define SCHED_STEAL_SCAN	8

struct sched_cpu {
	struct spinlock lock;
	struct rqheap ready;		/* key: virtual time */
	struct rqheap throttled;	/* key: when its limit allows it */
	struct world *cur, *idle;
	u64 vt;				/* virtual clock: start tag in service */
	u64 vt_switch;			/* vt at the last switch of worlds */
	u64 load;			/* sum of w->load of worlds here */
	u32 nr;
	bool need_resched;
	bool held;			/* cur was given by sched_hold() */
	u64 last_balance;
	u64 idle_since;
	struct sched_cpu_stats st;
};

static struct sched_cpu sched_cpus[VMK_MAX_CPUS];
/* CPUs that run worlds now; a world is placed or pulled only onto these.
 * Worlds queued on a CPU outside it wait for it, or for a new placement. */
static u64 sched_online;
static u32 sched_ncpu;
static u32 sched_mhz;
static u64 sched_last_entitle;
static bool sched_dirty;
static bool sched_entitling;		/* a CPU is refreshing entitlements */

static struct world *sched_world_of_rqn(struct rq_node *n)
{
	return (struct world *)((char *)n - offsetof(struct world, rqn));
}

static struct world *sched_world_of_node(struct pool_node *n)
{
	return (struct world *)((char *)n - offsetof(struct world, node));
}

static bool sched_costop(struct world *v, u64 now);
static void sched_costart(struct world *v, u64 now);

/* What co-scheduling may do to run queues (see <vmk/cosched.h>). */
static const struct cosched_ops sched_cosched_ops = {
	.costop = sched_costop,
	.costart = sched_costart,
};

int sched_init(u32 ncpus, u32 cpu_mhz)
{
	u32 i;

	if (!ncpus || ncpus > VMK_MAX_CPUS || !cpu_mhz)
		return -EINVAL;
	memset(sched_cpus, 0, sizeof(sched_cpus));
	cosched_init(&sched_cosched_ops);
	for (i = 0; i < ncpus; i++) {
		spin_init(&sched_cpus[i].lock, "runqueue",
			  LOCK_RANK_RUNQUEUE + i);
		rqheap_init(&sched_cpus[i].ready);
		rqheap_init(&sched_cpus[i].throttled);
		sched_cpus[i].last_balance = arch_now_ns();
	}
	sched_ncpu = ncpus;
	sched_online = ncpus == 64 ? ~0ULL : (1ULL << ncpus) - 1;
	sched_mhz = cpu_mhz;
	sched_last_entitle = arch_now_ns();
	sched_dirty = true;
	sched_entitling = false;
	pool_init((u64)ncpus * SCHED_CPU_UNITS);
	return 0;
}

u32 sched_ncpus(void)
{
	return sched_ncpu;
}

void sched_set_idle(u32 cpu, struct world *idle)
{
	CHECK(cpu < sched_ncpu);
	sched_cpus[cpu].idle = idle;
	sched_cpus[cpu].cur = idle;
	sched_cpus[cpu].idle_since = arch_now_ns();
}

u64 sched_units_pct(u32 pct)
{
	return (u64)pct * SCHED_CPU_UNITS / 100;
}

u64 sched_units_mhz(u32 mhz)
{
	return (u64)mhz * SCHED_CPU_UNITS / sched_mhz;
}

struct world *sched_current(u32 cpu)
{
	CHECK(cpu < sched_ncpu);
	return READ_ONCE(sched_cpus[cpu].cur);
}

bool sched_need_resched(u32 cpu)
{
	CHECK(cpu < sched_ncpu);
	return READ_ONCE(sched_cpus[cpu].need_resched);
}

void sched_entitle_dirty(void)
{
	WRITE_ONCE(sched_dirty, true);
}

static u64 sched_cpu_mask(void)
{
	return sched_ncpu == 64 ? ~0ULL : (1ULL << sched_ncpu) - 1;
}

bool sched_cpu_is_online(u32 cpu)
{
	return cpu < sched_ncpu && (READ_ONCE(sched_online) & (1ULL << cpu));
}

/* Asks CPU cpu to reschedule: the flag, and a wakeup if it is another. */
static void sched_kick(struct sched_cpu *rq, u32 cpu)
{
	rq->need_resched = true;
	if (cpu != arch_cpu_index())
		arch_cpu_kick(cpu);
}

/* ---- run-queue primitives (rq lock held) ---- */

static void sched_assign(struct sched_cpu *rq, struct world *w)
{
	w->load = w->weight;
	rq->load += w->load;
	rq->nr++;
}

static void sched_unassign(struct sched_cpu *rq, struct world *w)
{
	rq->load -= w->load;
	rq->nr--;
	w->load = 0;
}

static void sched_enqueue(struct sched_cpu *rq, struct world *w)
{
	w->rqn.key = w->vtime;
	rqheap_insert(&rq->ready, &w->rqn);
	w->queued = true;
	w->throttled = false;
}

static void sched_dequeue(struct sched_cpu *rq, struct world *w)
{
	account_throttle(w, arch_now_ns());
	rqheap_remove(w->throttled ? &rq->throttled : &rq->ready, &w->rqn);
	w->queued = false;
	w->throttled = false;
}

static void sched_refill(struct world *w, u64 now)
{
	if (w->cap < SCHED_CPU_UNITS && now > w->credit_at)
		w->credit_ns = MIN(w->credit_ns + (s64)((now - w->credit_at) *
					w->cap / SCHED_CPU_UNITS),
				   (s64)SCHED_QUANTUM_NS);
	else if (w->cap >= SCHED_CPU_UNITS)
		w->credit_ns = SCHED_QUANTUM_NS;
	w->credit_at = now;
}

/* Charges the running world w for the time since it was dispatched. */
static void sched_charge(struct world *w, u64 now)
{
	u64 ran = now - w->run_start;

	w->vtime += ran * SCHED_CPU_UNITS / w->weight;
	sched_refill(w, now);
	w->credit_ns -= (s64)ran;
	w->run_start = now;
}

/* Ready world w goes to rq's ready heap, or throttle heap if overdrawn. */
static void sched_make_ready(struct sched_cpu *rq, struct world *w, u64 now)
{
	u64 until;

	account_set_state(w, WORLD_READY, now);
	sched_refill(w, now);
	if (w->credit_ns < 0) {
		until = now + (u64)(-w->credit_ns) * SCHED_CPU_UNITS /
			      MAX(w->cap, 1);
		w->rqn.key = until;
		rqheap_insert(&rq->throttled, &w->rqn);
		w->queued = true;
		w->throttled = true;
		w->throttled_since = now;
		return;
	}
	sched_enqueue(rq, w);
}

static bool sched_release_throttled(struct sched_cpu *rq, u64 now)
{
	struct rq_node *n;
	struct world *w;
	bool any = false;

	while ((n = rqheap_min(&rq->throttled)) && n->key <= now) {
		rqheap_pop(&rq->throttled);
		w = sched_world_of_rqn(n);
		account_throttle(w, now);
		w->queued = w->throttled = false;
		sched_refill(w, now);
		w->credit_ns = MAX(w->credit_ns, 0);
		w->vtime = MAX(w->vtime, rq->vt);
		sched_enqueue(rq, w);
		any = true;
	}
	return any;
}

/* ---- placement and balancing ---- */

static bool sched_sibling_on(const struct world *w, u32 cpu)
{
	const struct world_group *g = w->group;
	u32 i;

	if (!g)
		return false;
	for (i = 0; i < g->nvcpus; i++) {
		const struct world *v = g->vcpu[i];

		if (v != w && v->cpu == cpu && v->state != WORLD_WAITING &&
		    v->state != WORLD_NEW && v->state != WORLD_DEAD)
			return true;
	}
	return false;
}

static u32 sched_choose_cpu(const struct world *w)
{
	u64 mask = w->affinity & sched_cpu_mask() & READ_ONCE(sched_online);
	u64 best_score = ~0ULL, score;
	u32 cpu, best = w->cpu;

	for (cpu = 0; cpu < sched_ncpu; cpu++) {
		if (!(mask & (1ULL << cpu)))
			continue;
		score = READ_ONCE(sched_cpus[cpu].load);
		/* A held CPU runs nothing else: only when nothing else is allowed. */
		if (READ_ONCE(sched_cpus[cpu].held))
			score += 1ULL << 60;
		if (sched_sibling_on(w, cpu))
			score += 4 * SCHED_CPU_UNITS;
		if (score < best_score ||
		    (score == best_score && cpu == w->cpu)) {
			best_score = score;
			best = cpu;
		}
	}
	return best;
}

/* Puts runnable world w (not assigned anywhere) on a CPU's queue, or
 * there co-stopped. */
static void sched_place(struct world *w, u64 now, bool costopped)
{
	u32 cpu = sched_choose_cpu(w);
	struct sched_cpu *rq = &sched_cpus[cpu];

	spin_lock(&rq->lock);
	if (cpu != w->cpu || w->state == WORLD_NEW)
		w->vtime = rq->vt;
	else
		w->vtime = MAX(w->vtime, rq->vt);
	w->cpu = cpu;
	sched_assign(rq, w);
	if (costopped) {
		account_set_state(w, WORLD_COSTOPPED, now);
		goto out_unlock;
	}
	sched_make_ready(rq, w, now);
	if (rq->cur == rq->idle || rq->cur->vtime > w->vtime)
		sched_kick(rq, cpu);
out_unlock:
	spin_unlock(&rq->lock);
}

/* Moves queued world w from rq src to dst; both locks held. */
static void sched_migrate(struct sched_cpu *src, struct sched_cpu *dst,
			  u32 dst_cpu, struct world *w, u64 now)
{
	s64 lag = (s64)(w->vtime - src->vt);

	sched_dequeue(src, w);
	sched_unassign(src, w);
	lag = MAX(lag, -(s64)SCHED_QUANTUM_NS);
	/* Against dst's clock as it was at its last switch: a world that
	 * has had dst to itself while others waited on other CPUs repays
	 * that time to the one that comes to share it.  A world started or
	 * woken has waited on no CPU and takes the current clock. */
	w->vtime = (u64)((s64)dst->vt_switch + lag);
	w->cpu = dst_cpu;
	w->last_migrate = now;
	sched_assign(dst, w);
	sched_enqueue(dst, w);
	dst->st.migrations++;
}

/*
 * Whether CPU cpu may take queued world w.  A busy CPU takes it when the
 * two loads end no further apart; equal loads then swap worlds from one
 * balance to the next, which is what shares time fairly when worlds do
 * not divide evenly among CPUs.  A world stays put for two balance
 * periods after a move, so that the swap is not undone at once.
 */
static bool sched_can_pull(const struct world *w, u32 cpu, u64 dst_load,
			   u64 src_load, bool idle, u64 now)
{
	if (!(w->affinity & (1ULL << cpu)) || sched_sibling_on(w, cpu))
		return false;
	if (idle)
		return true;
	return dst_load + w->load <= src_load &&
	       now - w->last_migrate >= 2 * SCHED_BALANCE_NS;
}

/* CPU cpu looks for a world to pull; idle: it has nothing to run. */
static void sched_balance(u32 cpu, u64 now, bool idle)
{
	struct sched_cpu *rq = &sched_cpus[cpu], *src, *first, *second;
	struct rq_node *n;
	struct world *w = NULL;
	u64 best = 0, load;
	u32 c, from = cpu, i;

	rq->last_balance = now;
	if (READ_ONCE(rq->held) || !sched_cpu_is_online(cpu))
		return;
	for (c = 0; c < sched_ncpu; c++) {
		load = READ_ONCE(sched_cpus[c].load);
		if (c != cpu && sched_cpu_is_online(c) && sched_cpus[c].ready.n &&
		    load > best) {
			best = load;
			from = c;
		}
	}
	if (from == cpu || (!idle && best <= READ_ONCE(rq->load)))
		return;
	src = &sched_cpus[from];
	first = from < cpu ? src : rq;
	second = from < cpu ? rq : src;
	spin_lock(&first->lock);
	spin_lock(&second->lock);
	/* The root and its first children: the worlds most behind. */
	n = rqheap_min(&src->ready);
	for (i = 0; n && i < SCHED_STEAL_SCAN; i++) {
		struct world *c_w = sched_world_of_rqn(n);

		/* Queued but still being switched away from (world.h). */
		if (!__atomic_load_n(&c_w->on_cpu, __ATOMIC_ACQUIRE) &&
		    sched_can_pull(c_w, cpu, rq->load, src->load, idle, now)) {
			w = c_w;
			break;
		}
		n = i == 0 ? n->child : n->next;
	}
	if (w)
		sched_migrate(src, rq, cpu, w, now);
	spin_unlock(&second->lock);
	spin_unlock(&first->lock);
}

/* ---- lifecycle ---- */

void sched_hold(u32 cpu, struct world *w)
{
	struct sched_cpu *rq = &sched_cpus[cpu];
	u64 now = arch_now_ns();

	CHECK(cpu < sched_ncpu);
	CHECK(w->state == WORLD_NEW || w->state == WORLD_WAITING);
	/* Only hold and release change what a held CPU runs, and their
	 * callers take turns; the checks need not be under the lock. */
	CHECK(READ_ONCE(rq->cur) == rq->idle && !w->queued);
	spin_lock(&rq->lock);
	rq->st.idle_ns += now - rq->idle_since;
	account_set_state(rq->idle, WORLD_WAITING, now);
	w->cpu = cpu;
	w->affinity = 1ULL << cpu;
	w->vtime = MAX(w->vtime, rq->vt);
	sched_assign(rq, w);
	sched_refill(w, now);
	account_set_state(w, WORLD_RUNNING, now);
	w->run_start = now;
	w->quantum_end = now + SCHED_QUANTUM_NS;
	w->last_active = now;
	rq->cur = w;
	rq->held = true;
	spin_unlock(&rq->lock);
	sched_entitle_dirty();
}

void sched_release(u32 cpu, struct world *w)
{
	struct sched_cpu *rq = &sched_cpus[cpu];
	u64 now = arch_now_ns();

	CHECK(cpu < sched_ncpu);
	CHECK(READ_ONCE(rq->held) && READ_ONCE(rq->cur) == w);
	spin_lock(&rq->lock);
	sched_charge(w, now);
	sched_unassign(rq, w);
	w->last_active = now;
	account_set_state(w, WORLD_WAITING, now);
	account_set_state(rq->idle, WORLD_RUNNING, now);
	rq->idle_since = now;
	rq->cur = rq->idle;
	rq->held = false;
	spin_unlock(&rq->lock);
	sched_entitle_dirty();
}


void sched_add(struct world *w)
{
	u64 now = arch_now_ns();

	CHECK(w->state == WORLD_NEW);
	sched_refill(w, now);
	w->last_active = now;
	sched_place(w, now, false);
	sched_entitle_dirty();
}

void sched_remove(struct world *w)
{
	struct sched_cpu *rq = &sched_cpus[w->cpu];

	CHECK(w->state != WORLD_RUNNING);
	spin_lock(&rq->lock);
	if (w->queued)
		sched_dequeue(rq, w);
	if (w->state == WORLD_READY || w->state == WORLD_COSTOPPED)
		sched_unassign(rq, w);
	account_set_state(w, WORLD_DEAD, arch_now_ns());
	spin_unlock(&rq->lock);
}

int sched_remove_queued(struct world *w)
{
	u32 cpu = READ_ONCE(w->cpu);
	struct sched_cpu *rq = &sched_cpus[cpu];
	int ret = -EBUSY;

	spin_lock(&rq->lock);
	/* Queued, or co-stopped (on no queue, and co-started only by a
	 * sibling's tick, which a sibling that has gone never gives). */
	if (w->cpu == cpu && !__atomic_load_n(&w->on_cpu, __ATOMIC_ACQUIRE) &&
	    ((w->queued && w->state == WORLD_READY) ||
	     (!w->queued && w->state == WORLD_COSTOPPED))) {
		if (w->queued)
			sched_dequeue(rq, w);
		sched_unassign(rq, w);
		account_set_state(w, WORLD_DEAD, arch_now_ns());
		ret = 0;
	}
	spin_unlock(&rq->lock);
	return ret;
}

void sched_wakeup(struct world *w)
{
	u64 now = arch_now_ns();
	bool stop;

	CHECK(w->state == WORLD_WAITING);
	/* Its CPU may still be switching away from it (world.h, on_cpu):
	 * a few instructions, with no lock to take, so a spin. */
	while (__atomic_load_n(&w->on_cpu, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
	w->last_active = now;
	stop = w->group && cosched_woken(w, now);
	sched_place(w, now, stop);
	/* A sibling that blocked between the decision and the placement
	 * looked for co-stopped VCPUs before this one was: look again, or
	 * no one co-starts it until a sibling runs. */
	if (stop)
		cosched_update(w->group, NULL, now);
}

int sched_set_affinity(struct world *w, u64 mask)
{
	struct sched_cpu *rq;
	bool move = false;

	mask &= sched_cpu_mask();
	if (!mask)
		return -EINVAL;
	rq = &sched_cpus[w->cpu];
	spin_lock(&rq->lock);
	w->affinity = mask;
	if (!(mask & (1ULL << w->cpu))) {
		if (w->state == WORLD_READY && w->queued) {
			sched_dequeue(rq, w);
			sched_unassign(rq, w);
			move = true;
		} else if (w->state == WORLD_RUNNING) {
			sched_kick(rq, w->cpu);
		}
	}
	spin_unlock(&rq->lock);
	if (move)
		sched_place(w, arch_now_ns(), false);
	return 0;
}

/* For cosched (group lock held): stop VCPU v now if it is queued, at its
 * next scheduling point if it runs; false if neither. */
static bool sched_costop(struct world *v, u64 now)
{
	struct sched_cpu *rq = &sched_cpus[v->cpu];
	bool done = true;

	spin_lock(&rq->lock);
	if (v->state == WORLD_RUNNING) {
		v->need_costop = true;
		rq->need_resched = true;
	} else if (v->state == WORLD_READY && v->queued) {
		sched_dequeue(rq, v);
		account_set_state(v, WORLD_COSTOPPED, now);
	} else {
		done = false;
	}
	spin_unlock(&rq->lock);
	return done;
}

/* For cosched: put a co-stopped VCPU back on its CPU's queue. */
static void sched_costart(struct world *v, u64 now)
{
	struct sched_cpu *rq = &sched_cpus[v->cpu];

	spin_lock(&rq->lock);
	if (v->state == WORLD_COSTOPPED) {
		account_set_state(v, WORLD_READY, now);
		v->vtime = rq->vt;
		sched_enqueue(rq, v);
		rq->need_resched = true;
	} else if (v->state == WORLD_RUNNING) {
		v->need_costop = false;
	}
	spin_unlock(&rq->lock);
}

/* ---- entitlements ---- */

static void sched_mark_active(struct pool_node *n, void *arg)
{
	const u64 *now = arg;
	struct world *w;

	if (n->kind != POOL_KIND_WORLD)
		return;
	w = sched_world_of_node(n);
	n->active = w->state == WORLD_READY || w->state == WORLD_RUNNING ||
		    w->state == WORLD_COSTOPPED ||
		    (w->state == WORLD_WAITING &&
		     *now - w->last_active < SCHED_ACTIVE_NS);
}

static void sched_set_weight(struct pool_node *n)
{
	struct world *w = sched_world_of_node(n);
	struct sched_cpu *rq = &sched_cpus[w->cpu];
	u64 own = MIN(n->alloc.limit, SCHED_CPU_UNITS);

	if (!n->active)
		return;
	spin_lock(&rq->lock);
	w->weight = MAX(n->entitled, 1);
	w->cap = n->parent && n->parent->limited ? MIN(own, n->entitled) : own;
	if (w->load) {
		rq->load += w->weight - w->load;
		w->load = w->weight;
	}
	spin_unlock(&rq->lock);
}

void sched_entitle(void)
{
	u64 now = arch_now_ns();

	WRITE_ONCE(sched_dirty, false);
	WRITE_ONCE(sched_last_entitle, now);
	pool_walk(sched_mark_active, &now);
	pool_entitle(sched_set_weight);
}

/* ---- CPUs joining and leaving ---- */

void sched_cpu_online(u32 cpu, bool online)
{
	struct sched_cpu *rq = &sched_cpus[cpu];
	u64 now = arch_now_ns();

	CHECK(cpu < sched_ncpu);
	spin_lock(&rq->lock);
	if (online) {
		__atomic_or_fetch(&sched_online, 1ULL << cpu, __ATOMIC_RELEASE);
		rq->last_balance = now;
		rq->idle_since = now;
	} else {
		__atomic_and_fetch(&sched_online, ~(1ULL << cpu), __ATOMIC_RELEASE);
		sched_kick(rq, cpu);
	}
	spin_unlock(&rq->lock);
}

u32 sched_cpu_drain(u32 cpu)
{
	struct sched_cpu *rq = &sched_cpus[cpu];
	u64 now = arch_now_ns();
	struct world *list = NULL, *w;
	struct rq_node *n;
	u32 moved = 0;

	CHECK(cpu < sched_ncpu);
	/* Queued worlds wait on no event, so their wait link is free to
	 * chain them while they are off every queue. */
	spin_lock(&rq->lock);
	while ((n = rqheap_min(&rq->ready)) || (n = rqheap_min(&rq->throttled))) {
		w = sched_world_of_rqn(n);
		sched_dequeue(rq, w);
		sched_unassign(rq, w);
		w->wait_next = list;
		list = w;
	}
	spin_unlock(&rq->lock);
	while ((w = list)) {
		list = w->wait_next;
		w->wait_next = NULL;
		/* With no online CPU it may use, it comes back here to wait. */
		sched_place(w, now, false);
		moved += w->cpu != cpu;
	}
	return moved;
}

/* ---- decisions ---- */

static struct world *sched_pick(struct sched_cpu *rq, u64 now)
{
	struct rq_node *n;
	struct world *w;

	sched_release_throttled(rq, now);
	n = rqheap_pop(&rq->ready);
	if (!n)
		return rq->idle;
	w = sched_world_of_rqn(n);
	w->queued = false;
	return w;
}

/*
 * The current world stops running, in state: READY (it stays runnable),
 * WAITING or DEAD; the CPU's next world becomes current and is returned.
 */
static struct world *sched_switch(u32 state)
{
	u32 cpu = arch_cpu_index();
	struct sched_cpu *rq = &sched_cpus[cpu];
	struct world *prev, *next;
	u64 now = arch_now_ns();
	bool replace = false;

	CHECK(cpu < sched_ncpu);
	if (!READ_ONCE(rq->ready.n) && !READ_ONCE(rq->throttled.n))
		sched_balance(cpu, now, true);
	spin_lock(&rq->lock);
	prev = rq->cur;
	if (prev == rq->idle) {
		CHECK(state == WORLD_READY);
		rq->st.idle_ns += now - rq->idle_since;
		/* An idle world runs only while nothing else can: tools see
		 * it ready, not running, while its CPU does work. */
		account_set_state(prev, WORLD_READY, now);
	} else {
		sched_charge(prev, now);
		if (state != WORLD_READY) {
			sched_unassign(rq, prev);
			prev->last_active = now;
			prev->need_costop = false;
			account_set_state(prev, state, now);
		} else if (prev->need_costop) {
			prev->need_costop = false;
			account_set_state(prev, WORLD_COSTOPPED, now);
		} else if (!(prev->affinity & (1ULL << cpu)) ||
			   !sched_cpu_is_online(cpu)) {
			sched_unassign(rq, prev);
			replace = true;
		} else {
			sched_make_ready(rq, prev, now);
		}
	}
	/* A CPU leaving the vmkernel runs nothing but its idle world. */
	next = sched_cpu_is_online(cpu) ? sched_pick(rq, now) : rq->idle;
	if (next == rq->idle) {
		rq->idle_since = now;
		account_set_state(next, WORLD_RUNNING, now);
	} else {
		account_set_state(next, WORLD_RUNNING, now);
		next->run_start = now;
		next->quantum_end = now + SCHED_QUANTUM_NS;
		sched_refill(next, now);
		rq->vt = MAX(rq->vt, next->vtime);
		rq->vt_switch = rq->vt;
		next->last_active = now;
	}
	rq->cur = next;
	rq->need_resched = false;
	rq->st.decisions++;
	rq->st.decide_ns += arch_now_ns() - now;
	spin_unlock(&rq->lock);

	if (replace)
		sched_place(prev, now, false);	/* left its allowed CPUs */
	if (prev != next && prev->group)
		cosched_update(prev->group, NULL, now);
	if (prev != next && next->group)
		cosched_update(next->group, next, now);
	return next;
}

struct world *sched_block(u32 state)
{
	CHECK(state == WORLD_WAITING || state == WORLD_DEAD);
	return sched_switch(state);
}

void sched_yield_cpu(void)
{
	struct world *prev = sched_current(arch_cpu_index()), *next;

	CHECK(lock_held_count() == 0);
	next = sched_switch(WORLD_READY);
	if (next != prev)
		arch_world_switch(prev, next);
}

void sched_preempt_point(void)
{
	if (sched_need_resched(arch_cpu_index()))
		sched_yield_cpu();
}

void sched_tick(void)
{
	u32 cpu = arch_cpu_index();
	struct sched_cpu *rq = &sched_cpus[cpu];
	u64 now = arch_now_ns();
	struct world *cur;
	bool costop;

	CHECK(cpu < sched_ncpu);
	/* What a held CPU runs is not the scheduler's to change. */
	if (READ_ONCE(rq->held))
		return;
	/* Whichever CPU ticks first once they are due refreshes the
	 * entitlements (CPU 0 may be held by the console). */
	if ((READ_ONCE(sched_dirty) ||
	     now - READ_ONCE(sched_last_entitle) >= SCHED_ENTITLE_NS) &&
	    !__atomic_exchange_n(&sched_entitling, true, __ATOMIC_ACQUIRE)) {
		sched_entitle();
		__atomic_store_n(&sched_entitling, false, __ATOMIC_RELEASE);
	}
	/* An idle CPU looks for work at every tick, a busy one less often. */
	if (rq->cur == rq->idle || now - rq->last_balance >= SCHED_BALANCE_NS)
		sched_balance(cpu, now, rq->cur == rq->idle);

	spin_lock(&rq->lock);
	sched_release_throttled(rq, now);
	cur = rq->cur;
	if (cur == rq->idle) {
		if (rq->ready.n)
			rq->need_resched = true;
	} else {
		/* Keeps its virtual time current for balancing. */
		sched_charge(cur, now);
		if (cur->cap < SCHED_CPU_UNITS && cur->credit_ns <= 0)
			rq->need_resched = true;
		if (now >= cur->quantum_end) {
			if (rq->ready.n) {
				rq->need_resched = true;
			} else {
				/* Alone, it starts another quantum in place:
				 * the clock follows, or a world that comes
				 * later is placed as far behind it as it ran
				 * alone, and it waits that long. */
				cur->quantum_end = now + SCHED_QUANTUM_NS;
				rq->vt = MAX(rq->vt, cur->vtime);
			}
		}
		if (!(cur->affinity & (1ULL << cpu)))
			rq->need_resched = true;
	}
	spin_unlock(&rq->lock);

	if (cur != rq->idle && cur->group) {
		costop = cosched_tick(cur, now);
		if (costop) {
			spin_lock(&rq->lock);
			if (rq->cur == cur) {
				cur->need_costop = true;
				rq->need_resched = true;
			}
			spin_unlock(&rq->lock);
		}
	}
}

void sched_cpu_stats(u32 cpu, struct sched_cpu_stats *out)
{
	struct sched_cpu *rq = &sched_cpus[cpu];

	CHECK(cpu < sched_ncpu);
	spin_lock(&rq->lock);
	*out = rq->st;
	out->nr = rq->nr;
	out->load = rq->load;
	if (rq->cur == rq->idle)
		out->idle_ns += arch_now_ns() - rq->idle_since;
	spin_unlock(&rq->lock);
}
