// SPDX-License-Identifier: GPL-2.0
/*
 * System worlds (see <vmk/sysworld.h>): burners and helpers on the CPUs
 * the vmkernel owns.  Each has its own stack from the "sysworld" heap
 * and starts in sysworld_main(); it leaves its CPU only at scheduling
 * points (cpu_preempt_point(), world_wait(), its exit).
 *
 * Removal is cooperative, as a non-preemptive kernel needs: the console's
 * destroy sets the world's stop flag and wakes it; the world exits at its
 * next scheduling point, and once no CPU runs on its stack any longer
 * (cpu_world_exit() sets gone) its record and stack are freed.  A world
 * that is only queued, not running (it may sit behind worlds with far
 * more weight, or on a CPU the console has), is taken off its queue and
 * removed at once.
 *
 * Module worlds (VMK_SYSWORLD_MODULE) run a module's function with its
 * argument and exit when it returns.  They sleep in sysworld_sleep(),
 * which the tick ends: a sleeper's wake_at is its deadline, and every
 * vmkernel CPU's tick wakes the sleepers that are due for as long as
 * their deadline stands, so a wakeup that comes before the world has
 * blocked is repeated at the next tick rather than lost.  Each has an
 * owner (its module) whose unload stops it the same way the console's
 * destroy does.
 *
 * Pools named by the console are made on first use, expandable (their
 * worlds' reservations borrow from the host) and removed with their last
 * world.  So are SMP groups: burners of one group are the co-scheduled
 * VCPUs of one VM (relaxed co-scheduling, the group in the named pool).
 */
#include <vmk/arch.h>
#include <vmk/check.h>
#include <vmk/cpu.h>
#include <vmk/errno.h>
#include <vmk/heap.h>
#include <vmk/log.h>
#include <vmk/sched.h>
#include <vmk/string.h>
#include <vmk/sysworld.h>
#include <vmk/world.h>

#define SYSWORLD_POOLS		8
#define SYSWORLD_GROUPS		8
#define SYSWORLD_DESTROY_NS	2000000000ULL

struct sysworld_group {
	struct world_group *g;		/* NULL: slot free */
	struct pool_ref *pool;
	u32 refs;
};

struct sysworld {
	struct world *w;		/* NULL: slot free */
	u32 kind;			/* enum vmk_sysworld_kind */
	bool stop;			/* asked to exit */
	bool gone;			/* exited, and off its stack */
	u64 progress;			/* written by the world only */
	void *stack;
	struct pool_ref *pool;
	struct sysworld_group *group;
	/* Module worlds only: */
	void (*fn)(void *);
	void *arg;
	const void *owner;		/* the module; never dereferenced here */
	u64 wake_at;			/* sleeping until then; 0: not sleeping */
};

/* Slots, pools and groups change under cpu_lock. */
static struct sysworld sysworlds[SYSWORLD_MAX];
static struct pool_ref sysworld_pools[SYSWORLD_POOLS];
static struct sysworld_group sysworld_groups[SYSWORLD_GROUPS];
static struct heap sysworld_heap;
static u64 sysworld_helper_last;
/* Module worlds in sysworld_sleep(): the tick scans only if any are. */
static u32 sysworld_sleepers;
/* What helpers wait for: the period's wakeup. */
static const char sysworld_helper_event;

int sysworld_init(struct page_arena *a)
{
	memset(sysworlds, 0, sizeof(sysworlds));
	memset(sysworld_pools, 0, sizeof(sysworld_pools));
	memset(sysworld_groups, 0, sizeof(sysworld_groups));
	sysworld_helper_last = arch_now_ns();
	return heap_create(&sysworld_heap, "sysworld", a, 0);
}

void sysworld_tick(u32 cpu)
{
	u64 now = arch_now_ns(), last = READ_ONCE(sysworld_helper_last);

	(void)cpu;
	if (__atomic_load_n(&sysworld_sleepers, __ATOMIC_ACQUIRE)) {
		for (u32 i = 0; i < SYSWORLD_MAX; i++) {
			u64 due = READ_ONCE(sysworlds[i].wake_at);

			if (due && now >= due)
				world_wakeup(&sysworlds[i].wake_at);
		}
	}
	if (now - last < SYSWORLD_HELPER_NS ||
	    !__atomic_compare_exchange_n(&sysworld_helper_last, &last, now, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return;
	world_wakeup(&sysworld_helper_event);
}

static struct sysworld *sysworld_of(const struct world *w)
{
	for (u32 i = 0; i < SYSWORLD_MAX; i++)
		if (READ_ONCE(sysworlds[i].w) == w)
			return &sysworlds[i];
	return NULL;
}

static void sysworld_burn(struct sysworld *s)
{
	while (!READ_ONCE(s->stop)) {
		WRITE_ONCE(s->progress, s->progress + 1);
		if (cpu_attention())
			cpu_preempt_point();
	}
}

/* Two of these on one CPU switch at every loop: the cost of a switch. */
static void sysworld_yield(struct sysworld *s)
{
	while (!READ_ONCE(s->stop)) {
		WRITE_ONCE(s->progress, s->progress + 1);
		cpu_yield();
	}
}

static void sysworld_help(struct sysworld *s)
{
	while (!READ_ONCE(s->stop)) {
		world_wait(&sysworld_helper_event);
		cpu_after_switch();
		arch_irq_enable();
		if (!READ_ONCE(s->stop))
			WRITE_ONCE(s->progress, s->progress + 1);
	}
}

/* Where every system world starts, on its own stack. */
static void sysworld_main(void)
{
	struct sysworld *s;

	cpu_after_switch();
	arch_irq_enable();
	s = sysworld_of(world_current());
	CHECK(s);
	if (s->kind == VMK_SYSWORLD_MODULE)
		s->fn(s->arg);
	else if (s->kind == VMK_SYSWORLD_BURNER)
		sysworld_burn(s);
	else if (s->kind == VMK_SYSWORLD_YIELDER)
		sysworld_yield(s);
	else
		sysworld_help(s);
	cpu_world_exit(&s->gone);
}

/* ---- the console's requests (cpu_lock held) ---- */

static bool sysworld_name_ok(const char *name, size_t max, bool empty_ok)
{
	size_t n = strnlen(name, max);

	if (n == max || (!n && !empty_ok))
		return false;
	for (size_t i = 0; i < n; i++)
		if (name[i] <= ' ' || name[i] > '~')
			return false;
	return true;
}

static int sysworld_check(const struct vmk_world_req *r, bool create)
{
	u64 cpus = sched_ncpus() >= 64 ? ~0ULL : (1ULL << sched_ncpus()) - 1;

	if (create && (r->kind < VMK_SYSWORLD_BURNER || r->kind > VMK_SYSWORLD_YIELDER)) {
		log_warn("world request: unknown kind %u (1 burner, 2 helper, 3 yielder)",
			 r->kind);
		return -EINVAL;
	}
	if (create && (!sysworld_name_ok(r->name, sizeof(r->name), false) ||
		       !sysworld_name_ok(r->pool, sizeof(r->pool), true) ||
		       !sysworld_name_ok(r->group, sizeof(r->group), true))) {
		log_warn("world request: a name is empty, too long or not printable");
		return -EINVAL;
	}
	if (!create && (r->set & ~(VMK_WORLD_SET_SHARES | VMK_WORLD_SET_MIN |
				   VMK_WORLD_SET_MAX | VMK_WORLD_SET_AFFINITY))) {
		log_warn("world request: unknown settings 0x%x", r->set);
		return -EINVAL;
	}
	if (r->shares > POOL_SHARES_MAX || r->min_pct > 100 || r->max_pct > 100 ||
	    (r->max_pct && r->min_pct > r->max_pct)) {
		log_warn("world request: shares %u (1 to %u), min %u%%, max %u%% "
			 "(percent of one CPU, min <= max)", r->shares,
			 POOL_SHARES_MAX, r->min_pct, r->max_pct);
		return -EINVAL;
	}
	if (r->affinity & ~cpus) {
		log_warn("world request: affinity 0x%lx names CPUs beyond the %u there are",
			 r->affinity, sched_ncpus());
		return -EINVAL;
	}
	return 0;
}

/* The group named name, made in pool p if new; a group stays in the
 * pool it was made in. */
static struct sysworld_group *sysworld_group_get(const char *name,
						 struct pool_ref *p, int *err)
{
	struct sysworld_group *free = NULL;
	struct pool_alloc a = { .shares = SHARES_NORMAL, .limit = POOL_UNLIMITED };

	*err = 0;
	if (!name[0])
		return NULL;
	for (u32 i = 0; i < SYSWORLD_GROUPS; i++) {
		struct sysworld_group *sg = &sysworld_groups[i];

		if (sg->g && !strcmp(sg->g->name, name)) {
			if (sg->pool != p) {
				log_warn("group %s: it is in pool %s", name,
					 sg->pool ? sg->pool->p.name : "host");
				*err = -EINVAL;
				return NULL;
			}
			sg->refs++;
			return sg;
		}
		if (!sg->g && !free)
			free = sg;
	}
	if (!free) {
		log_warn("group %s: %u groups at most", name, SYSWORLD_GROUPS);
		*err = -ENOSPC;
		return NULL;
	}
	*err = world_group_create(p ? &p->p.node : NULL, name, &a, COSCHED_RELAXED,
				  &free->g);
	if (*err)
		return NULL;
	free->pool = p;
	free->refs = 1;
	return free;
}

static void sysworld_group_put(struct sysworld_group *sg)
{
	if (sg && --sg->refs == 0) {
		CHECK(world_group_destroy(sg->g) == 0);
		sg->g = NULL;
	}
}

static u64 sysworld_limit(u32 max_pct)
{
	return max_pct ? sched_units_pct(max_pct) : POOL_UNLIMITED;
}

/*
 * A new system world of kind, under cpu_lock: a slot, its pool and
 * group, a stack, the world; started.  Its ID, or a negative errno with
 * nothing left behind.
 */
static s64 sysworld_make(const struct vmk_world_req *r, u32 kind,
			 void (*fn)(void *), void *arg, const void *owner)
{
	struct world_params wp = { 0 };
	struct sysworld *s = NULL;
	struct world *w;
	int err;

	for (u32 i = 0; i < SYSWORLD_MAX && !s; i++)
		if (!sysworlds[i].w && !sysworlds[i].stack)
			s = &sysworlds[i];
	if (!s) {
		log_warn("world %s: %u system worlds at most", r->name, SYSWORLD_MAX);
		return -ENOSPC;
	}
	s->pool = pool_ref_get(sysworld_pools, SYSWORLD_POOLS, r->pool, &err);
	if (err)
		return err;
	s->group = sysworld_group_get(r->group, s->pool, &err);
	if (err)
		goto error_pool;
	s->stack = heap_alloc(&sysworld_heap, SYSWORLD_STACK);
	if (!s->stack) {
		err = -ENOMEM;
		goto error_group;
	}
	wp.name = r->name;
	wp.type = kind == VMK_SYSWORLD_BURNER || kind == VMK_SYSWORLD_YIELDER ?
		VMK_WORLD_SYSTEM : VMK_WORLD_HELPER;
	wp.pool = s->pool ? &s->pool->p.node : NULL;
	wp.group = s->group ? s->group->g : NULL;
	wp.alloc = (struct pool_alloc){
		.shares = r->shares ? r->shares : SHARES_NORMAL,
		.res = sched_units_pct(r->min_pct),
		.limit = sysworld_limit(r->max_pct),
	};
	wp.affinity = r->affinity;
	err = world_create(&wp, &w);
	if (err)
		goto error_stack;
	arch_world_stack_init(w, s->stack, SYSWORLD_STACK, sysworld_main);
	s->kind = kind;
	s->stop = false;
	s->gone = false;
	s->progress = 0;
	s->fn = fn;
	s->arg = arg;
	s->owner = owner;
	s->wake_at = 0;
	WRITE_ONCE(s->w, w);
	err = world_start(w);
	CHECK(err == 0);
	log_info("world %u (%s): created, shares %u min %u%% max %u%% pool %s",
		 w->id, w->name, wp.alloc.shares, r->min_pct, r->max_pct,
		 r->pool[0] ? r->pool : "host");
	return w->id;

error_stack:
	heap_free(&sysworld_heap, s->stack);
	s->stack = NULL;
error_group:
	sysworld_group_put(s->group);
	s->group = NULL;
error_pool:
	pool_ref_put(s->pool);
	s->pool = NULL;
	return err;
}

s64 sysworld_create(const struct vmk_world_req *r)
{
	s64 ret;
	int err;

	err = sysworld_check(r, true);
	if (err)
		return err;
	spin_lock(&cpu_lock);
	ret = sysworld_make(r, r->kind, NULL, NULL, NULL);
	spin_unlock(&cpu_lock);
	return ret;
}

s64 sysworld_spawn(const struct vmk_world_req *r, void (*fn)(void *), void *arg,
		   const void *owner)
{
	struct vmk_world_req req = *r;
	s64 ret;
	int err;

	/* Checked as the console's requests are, as a burner. */
	req.kind = VMK_SYSWORLD_BURNER;
	err = sysworld_check(&req, true);
	if (err)
		return err;
	if (!fn || !owner)
		return -EINVAL;
	spin_lock(&cpu_lock);
	ret = sysworld_make(r, VMK_SYSWORLD_MODULE, fn, arg, owner);
	spin_unlock(&cpu_lock);
	return ret;
}

/* The system world with ID id, or NULL and *err saying why not. */
static struct sysworld *sysworld_find(u32 id, int *err)
{
	struct world *w = world_find(id);
	struct sysworld *s = w ? sysworld_of(w) : NULL;

	*err = 0;
	if (!w) {
		log_warn("no world %u", id);
		*err = -ENOENT;
	} else if (!s) {
		log_warn("world %u (%s) was not made from the console", id, w->name);
		*err = -EPERM;
	}
	return s;
}

s64 sysworld_set(const struct vmk_world_req *r)
{
	struct pool_alloc a;
	struct sysworld *s;
	int err;

	err = sysworld_check(r, false);
	if (err)
		return err;
	spin_lock(&cpu_lock);
	s = sysworld_find(r->id, &err);
	if (!s)
		goto out_unlock;
	a = s->w->node.alloc;
	if (r->set & VMK_WORLD_SET_SHARES)
		a.shares = r->shares ? r->shares : SHARES_NORMAL;
	if (r->set & VMK_WORLD_SET_MIN)
		a.res = sched_units_pct(r->min_pct);
	if (r->set & VMK_WORLD_SET_MAX)
		a.limit = sysworld_limit(r->max_pct);
	if (a.limit != POOL_UNLIMITED && a.res > a.limit) {
		log_warn("world %u: min %lu%% above max %lu%%", r->id,
			 (u64)(a.res * 100 / SCHED_CPU_UNITS), (u64)(a.limit * 100 / SCHED_CPU_UNITS));
		err = -EINVAL;
		goto out_unlock;
	}
	if (r->set & (VMK_WORLD_SET_SHARES | VMK_WORLD_SET_MIN | VMK_WORLD_SET_MAX)) {
		err = world_set_alloc(s->w, &a);
		if (err)
			goto out_unlock;
	}
	if (r->set & VMK_WORLD_SET_AFFINITY)
		err = sched_set_affinity(s->w, r->affinity ? r->affinity : ~0ULL);
out_unlock:
	spin_unlock(&cpu_lock);
	return err;
}

/*
 * Stops the world of slot s and frees it, under cpu_lock: it is asked to
 * stop and woken, and once it has left its stack (or was only queued)
 * it is removed.  -ETIMEDOUT if it does not stop in time; it keeps
 * running then, and its slot stays.
 */
static int sysworld_remove(struct sysworld *s)
{
	struct world *w = s->w;
	u32 id = w->id;
	u64 t0 = arch_now_ns();
	int err;

	/* A full barrier: stop before wake_at, as the sleeper orders them
	 * the other way round. */
	__atomic_store_n(&s->stop, true, __ATOMIC_SEQ_CST);
	if (s->kind == VMK_SYSWORLD_HELPER)
		world_wakeup(&sysworld_helper_event);
	if (s->kind == VMK_SYSWORLD_MODULE) {
		/* Due now: the tick repeats the wakeup if this one comes
		 * before the world sleeps. */
		if (READ_ONCE(s->wake_at))
			WRITE_ONCE(s->wake_at, 1);
		world_wakeup(&s->wake_at);
	}
	arch_cpu_kick(READ_ONCE(w->cpu));
	for (;;) {
		if (__atomic_load_n(&s->gone, __ATOMIC_ACQUIRE))
			break;
		/* Waiting in a run queue (behind worlds with far more weight,
		 * or on a CPU with the console), it need not run to go. */
		if (sched_remove_queued(w) == 0)
			break;
		if (arch_now_ns() - t0 > SYSWORLD_DESTROY_NS) {
			log_err("world %u did not stop within %lu ms", id,
				(u64)(SYSWORLD_DESTROY_NS / 1000000));
			return -ETIMEDOUT;
		}
		arch_cpu_relax();
	}
	err = world_destroy(w);
	CHECK(err == 0);
	heap_free(&sysworld_heap, s->stack);
	sysworld_group_put(s->group);
	pool_ref_put(s->pool);
	log_info("world %u: destroyed after %lu loops", id, s->progress);
	memset(s, 0, sizeof(*s));
	return 0;
}

s64 sysworld_destroy(u32 id)
{
	struct sysworld *s;
	int err;

	spin_lock(&cpu_lock);
	s = sysworld_find(id, &err);
	if (s && s->w == world_current()) {
		log_warn("world %u cannot stop itself this way: return instead", id);
		err = -EINVAL;
	} else if (s) {
		err = sysworld_remove(s);
	}
	spin_unlock(&cpu_lock);
	return err;
}

s64 sysworld_stop_owned(u32 id, const void *owner)
{
	struct sysworld *s;
	int err;

	spin_lock(&cpu_lock);
	s = sysworld_find(id, &err);
	if (s && s->owner != owner) {
		log_warn("world %u does not belong to the caller", id);
		err = -EPERM;
	} else if (s && s->w == world_current()) {
		log_warn("world %u cannot stop itself this way: return instead", id);
		err = -EINVAL;
	} else if (s) {
		err = sysworld_remove(s);
	}
	spin_unlock(&cpu_lock);
	return err;
}

u32 sysworld_owned(const void *owner, u32 *first)
{
	u32 n = 0;

	for (u32 i = 0; i < SYSWORLD_MAX; i++) {
		struct world *w = READ_ONCE(sysworlds[i].w);

		if (w && READ_ONCE(sysworlds[i].owner) == owner &&
		    !__atomic_load_n(&sysworlds[i].gone, __ATOMIC_ACQUIRE)) {
			if (!n && first)
				*first = w->id;
			n++;
		}
	}
	return n;
}

int sysworld_remove_owned(const void *owner)
{
	int ret = 0;

	spin_lock(&cpu_lock);
	for (u32 i = 0; i < SYSWORLD_MAX; i++) {
		struct sysworld *s = &sysworlds[i];

		if (!s->w || s->owner != owner)
			continue;
		if (!s->gone)
			log_warn("world %u (%s) still ran its module's code: stopped",
				 s->w->id, s->w->name);
		if (sysworld_remove(s))
			ret = -EBUSY;
	}
	spin_unlock(&cpu_lock);
	return ret;
}

bool sysworld_should_stop(void)
{
	struct sysworld *s = sysworld_of(world_current());

	return !s || READ_ONCE(s->stop);
}

void sysworld_sleep(u64 ns)
{
	struct sysworld *s = sysworld_of(world_current());

	/* Only a module's own world may block: a vmkcall runs in the
	 * console's world, and init and cleanup too. */
	if (!s || s->kind != VMK_SYSWORLD_MODULE || READ_ONCE(s->stop))
		return;
	WRITE_ONCE(s->wake_at, arch_now_ns() + (ns ? ns : 1));
	__atomic_add_fetch(&sysworld_sleepers, 1, __ATOMIC_ACQ_REL);
	if (!READ_ONCE(s->stop))
		world_wait(&s->wake_at);
	cpu_after_switch();
	arch_irq_enable();
	WRITE_ONCE(s->wake_at, 0);
	__atomic_sub_fetch(&sysworld_sleepers, 1, __ATOMIC_ACQ_REL);
}

int sysworld_wake(u32 id, const void *owner)
{
	struct world *w;
	struct sysworld *s;
	int err = 0;

	spin_lock(&cpu_lock);
	w = world_find(id);
	s = w ? sysworld_of(w) : NULL;
	if (!s || s->owner != owner) {
		err = -ENOENT;
	} else {
		if (READ_ONCE(s->wake_at))
			WRITE_ONCE(s->wake_at, 1);
		world_wakeup(&s->wake_at);
	}
	spin_unlock(&cpu_lock);
	return err;
}

void sysworld_preempt(void)
{
	struct sysworld *s = sysworld_of(world_current());

	if (s && s->kind == VMK_SYSWORLD_MODULE)
		cpu_preempt_point();
}

s64 sysworld_stats(u32 id, struct vmk_world_stats *st)
{
	struct world *w;
	struct sysworld *s;
	struct world_stats ws;
	struct pool_alloc a;
	u64 since, now, dt;
	u32 state;

	spin_lock(&cpu_lock);
	w = world_find(id);
	if (!w) {
		spin_unlock(&cpu_lock);
		return -ENOENT;
	}
	s = sysworld_of(w);
	memset(st, 0, sizeof(*st));
	/* A snapshot that may be a moment old: the world's own CPU updates
	 * these without telling anyone. */
	state = READ_ONCE(w->state);
	since = READ_ONCE(w->state_since);
	ws = w->st;
	now = arch_now_ns();
	dt = now > since ? now - since : 0;
	if (state == WORLD_RUNNING)
		ws.used_ns += dt;
	else if (state == WORLD_READY)
		ws.ready_ns += dt;
	else if (state == WORLD_WAITING)
		ws.wait_ns += dt;
	else if (state == WORLD_COSTOPPED)
		ws.cstp_ns += dt;
	if (state == WORLD_READY && READ_ONCE(w->throttled)) {
		since = READ_ONCE(w->throttled_since);
		ws.mlmtd_ns += now > since ? now - since : 0;
	}
	a = w->node.alloc;
	st->id = w->id;
	st->type = w->type;
	st->state = state;
	st->cpu = READ_ONCE(w->cpu);
	memcpy(st->name, w->name, sizeof(st->name));
	if (w->group) {
		strlcpy(st->group, w->group->name, sizeof(st->group));
		if (w->group->node.parent)
			strlcpy(st->pool, w->group->node.parent->name, sizeof(st->pool));
	} else if (w->node.parent) {
		strlcpy(st->pool, w->node.parent->name, sizeof(st->pool));
	}
	st->shares = a.shares;
	st->min_pct = (u32)(a.res * 100 / SCHED_CPU_UNITS);
	st->max_pct = a.limit == POOL_UNLIMITED ? 0 : (u32)(a.limit * 100 / SCHED_CPU_UNITS);
	st->kind = s ? s->kind : 0;
	st->affinity = w->affinity;
	st->entitled = w->node.entitled;
	st->used_ns = ws.used_ns;
	st->ready_ns = ws.ready_ns;
	st->wait_ns = ws.wait_ns;
	st->cstp_ns = ws.cstp_ns;
	st->mlmtd_ns = ws.mlmtd_ns;
	st->progress = s ? READ_ONCE(s->progress) : 0;
	st->now_ns = now;
	spin_unlock(&cpu_lock);
	return 0;
}

s64 sysworld_next(u32 id)
{
	struct world *w = NULL;

	if (id) {
		w = world_find(id);
		if (!w)
			return -ENOENT;
	}
	w = world_next(w);
	return w ? w->id : 0;
}
