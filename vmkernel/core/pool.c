// SPDX-License-Identifier: GPL-2.0
/*
 * Resource-pool tree, admission control and entitlements (see
 * <vmk/pool.h>).
 *
 * Admission: a node's effective reservation is its own, or for an
 * expandable pool the larger of its own and what its children reserve.
 * A parent's children may reserve at most the parent's reservation (at
 * most its limit, for an expandable one, whose excess is borrowed from
 * further up); the root's children at most the host's capacity.
 *
 * Entitlement: demand flows up (an active world demands min(limit, one
 * CPU); a pool demands the sum of its children's, capped by its limit),
 * then the root's entitlement, min(capacity, demand), flows down.  At each
 * node the children's shares are turned into amounts by water-filling:
 * find the level L such that the sum over children of
 * clamp(L * shares, min(res, demand), demand) equals what the node has.
 * The sum is monotonic in L, so a binary search over L in fixed point
 * (L * shares >> 20) finds it in about 40 steps; no floating point.
 */
#include <vmk/pool.h>
#include <vmk/check.h>
#include <vmk/errno.h>
#include <vmk/lock.h>
#include <vmk/log.h>
#include <vmk/string.h>

#define POOL_LEVEL_SHIFT	20
#define POOL_LEVEL_MAX		(1ULL << 41)

static struct spinlock pool_lock = SPINLOCK_INIT("pool", LOCK_RANK_POOL);
static struct pool pool_host;
static u64 pool_cap_units;

void pool_init(u64 capacity)
{
	memset(&pool_host, 0, sizeof(pool_host));
	memcpy(pool_host.name, "host", 5);
	pool_host.node.kind = POOL_KIND_POOL;
	pool_host.node.name = pool_host.name;
	pool_host.node.alloc = (struct pool_alloc){
		.shares = SHARES_NORMAL, .res = capacity, .limit = capacity,
	};
	pool_cap_units = capacity;
}

struct pool_node *pool_root(void)
{
	return &pool_host.node;
}

u64 pool_capacity(void)
{
	return pool_cap_units;
}

int pool_set_capacity(u64 capacity)
{
	int ret = 0;

	spin_lock(&pool_lock);
	if (pool_host.node.child_res > capacity) {
		log_warn("reservations hold %lu CPU units; %lu would not back them",
			 pool_host.node.child_res, capacity);
		ret = -EBUSY;
	} else {
		pool_cap_units = capacity;
		pool_host.node.alloc.res = capacity;
		pool_host.node.alloc.limit = capacity;
	}
	spin_unlock(&pool_lock);
	return ret;
}

static bool pool_expandable(const struct pool_node *n)
{
	return n->kind == POOL_KIND_POOL && n->alloc.expandable &&
	       n != &pool_host.node;
}

static u64 pool_eff_res(const struct pool_node *n)
{
	return pool_expandable(n) ? MAX(n->alloc.res, n->child_res)
				  : n->alloc.res;
}

/* Most a node can ever use. */
static u64 pool_cap(const struct pool_node *n)
{
	if (n->kind == POOL_KIND_WORLD)
		return MIN(n->alloc.limit, SCHED_CPU_UNITS);
	return MIN(n->alloc.limit, pool_cap_units);
}

/* What parent's own bound on its children's reservations is. */
static u64 pool_child_bound(const struct pool_node *p)
{
	if (p == &pool_host.node)
		return pool_cap_units;
	if (pool_expandable(p))
		return p->alloc.limit;
	return p->alloc.res;
}

int pool_check_alloc(const struct pool_node *n, const struct pool_alloc *a)
{
	if (!a->shares || a->shares > POOL_SHARES_MAX)
		return -EINVAL;
	if (a->limit != POOL_UNLIMITED && a->res > a->limit)
		return -EINVAL;
	if (a->expandable && n->kind != POOL_KIND_POOL)
		return -EINVAL;
	if (n->kind == POOL_KIND_WORLD && a->res > SCHED_CPU_UNITS)
		return -EINVAL;
	return 0;
}

/*
 * Can parent's subtree take a child whose effective reservation goes from
 * old to new?  With apply, records it.  Caller holds pool_lock.
 */
static int pool_admit(struct pool_node *parent, u64 old, u64 new, bool apply,
		      const char *who)
{
	struct pool_node *p;
	u64 cr, pold, pnew;

	for (p = parent; p; p = p->parent) {
		cr = p->child_res - old + new;
		if (new > old && cr > pool_child_bound(p)) {
			log_warn("admission: '%s' needs %llu more CPU units of "
				 "reservation; pool '%s' has %llu unreserved",
				 who, (unsigned long long)(new - old), p->name,
				 (unsigned long long)(pool_child_bound(p) >
						      p->child_res ?
						      pool_child_bound(p) -
						      p->child_res : 0));
			return -ENOSPC;
		}
		pold = pool_eff_res(p);
		if (apply)
			p->child_res = cr;
		if (!pool_expandable(p))
			break;
		pnew = MAX(p->alloc.res, cr);
		if (pnew == pold)
			break;
		old = pold;
		new = pnew;
	}
	return 0;
}

int pool_attach(struct pool_node *n, struct pool_node *parent)
{
	int ret;

	ret = pool_check_alloc(n, &n->alloc);
	if (ret)
		return ret;
	if (parent->kind == POOL_KIND_WORLD ||
	    (parent->kind == POOL_KIND_GROUP && n->kind != POOL_KIND_WORLD))
		return -EINVAL;
	if (parent->depth + 1 > POOL_MAX_DEPTH)
		return -E2BIG;
	spin_lock(&pool_lock);
	ret = pool_admit(parent, 0, pool_eff_res(n), false, n->name);
	if (ret)
		goto out_unlock;
	pool_admit(parent, 0, pool_eff_res(n), true, n->name);
	n->parent = parent;
	n->depth = (u8)(parent->depth + 1);
	n->sibling = parent->child;
	parent->child = n;
	parent->nchildren++;
out_unlock:
	spin_unlock(&pool_lock);
	return ret;
}

void pool_detach(struct pool_node *n)
{
	struct pool_node **pp;

	spin_lock(&pool_lock);
	CHECK(n->parent && !n->child);
	pool_admit(n->parent, pool_eff_res(n), 0, true, n->name);
	for (pp = &n->parent->child; *pp != n; pp = &(*pp)->sibling)
		CHECK(*pp);
	*pp = n->sibling;
	n->parent->nchildren--;
	n->parent = n->sibling = NULL;
	spin_unlock(&pool_lock);
}

int pool_set_alloc(struct pool_node *n, const struct pool_alloc *a)
{
	struct pool_alloc saved = n->alloc;
	u64 old, new;
	int ret;

	if (n == &pool_host.node)
		return -EPERM;		/* the host is what the machine has */
	ret = pool_check_alloc(n, a);
	if (ret)
		return ret;
	spin_lock(&pool_lock);
	old = pool_eff_res(n);
	n->alloc = *a;
	new = pool_eff_res(n);
	/* What the children hold must stay within the new bound. */
	if (n->child_res > pool_child_bound(n)) {
		log_warn("admission: '%s' would hold its children's %llu CPU "
			 "units of reservation to %llu", n->name,
			 (unsigned long long)n->child_res,
			 (unsigned long long)pool_child_bound(n));
		ret = -ENOSPC;
		goto out_restore;
	}
	if (n->parent) {
		ret = pool_admit(n->parent, old, new, false, n->name);
		if (ret)
			goto out_restore;
		pool_admit(n->parent, old, new, true, n->name);
	}
	goto out_unlock;
out_restore:
	n->alloc = saved;
out_unlock:
	spin_unlock(&pool_lock);
	return ret;
}

/* Reservation a new child of p could get.  Caller holds pool_lock. */
static u64 pool_room(const struct pool_node *p)
{
	u64 bound = pool_child_bound(p), free, own;

	free = bound > p->child_res ? bound - p->child_res : 0;
	if (!pool_expandable(p))
		return free;
	/* What it holds beyond its children, plus what it can borrow. */
	own = p->alloc.res > p->child_res ? p->alloc.res - p->child_res : 0;
	return MIN(free, own + pool_room(p->parent));
}

u64 pool_unreserved(struct pool_node *parent)
{
	u64 room;

	spin_lock(&pool_lock);
	room = pool_room(parent);
	spin_unlock(&pool_lock);
	return room;
}

static u64 pool_demand(struct pool_node *n, bool limited)
{
	struct pool_node *c;
	u64 sum = 0;

	n->limited = limited || (n != &pool_host.node &&
				 n->alloc.limit != POOL_UNLIMITED);
	if (n->kind == POOL_KIND_WORLD) {
		n->demand = n->active ? pool_cap(n) : 0;
		return n->demand;
	}
	for (c = n->child; c; c = c->sibling)
		sum += pool_demand(c, n->limited);
	n->demand = MIN(sum, pool_cap(n));
	return n->demand;
}

static u64 pool_lo(const struct pool_node *c)
{
	return MIN(pool_eff_res(c), c->demand);
}

/* Child c's amount at water level level. */
static u64 pool_at_level(const struct pool_node *c, u64 level)
{
	u64 v = (level * c->alloc.shares) >> POOL_LEVEL_SHIFT;

	return MIN(MAX(v, pool_lo(c)), c->demand);
}

static u64 pool_fill(const struct pool_node *n, u64 level)
{
	const struct pool_node *c;
	u64 sum = 0;

	for (c = n->child; c; c = c->sibling)
		sum += pool_at_level(c, level);
	return sum;
}

static void pool_distribute(struct pool_node *n, u64 amount)
{
	struct pool_node *c;
	u64 sum_lo = 0, sum_hi = 0, lo = 0, hi = POOL_LEVEL_MAX, mid;

	n->entitled = amount;
	if (n->kind == POOL_KIND_WORLD)
		return;
	for (c = n->child; c; c = c->sibling) {
		sum_lo += pool_lo(c);
		sum_hi += c->demand;
	}
	if (sum_hi <= amount) {
		for (c = n->child; c; c = c->sibling)
			pool_distribute(c, c->demand);
		return;
	}
	if (sum_lo >= amount) {
		/* Only when reservations were admitted against demand that
		 * has since been capped: scale them down. */
		for (c = n->child; c; c = c->sibling)
			pool_distribute(c, sum_lo ? pool_lo(c) * amount / sum_lo
						  : 0);
		return;
	}
	/* Largest level whose fill does not exceed amount. */
	while (lo < hi) {
		mid = lo + (hi - lo + 1) / 2;
		if (pool_fill(n, mid) <= amount)
			lo = mid;
		else
			hi = mid - 1;
	}
	for (c = n->child; c; c = c->sibling)
		pool_distribute(c, pool_at_level(c, lo));
}

static void pool_visit_worlds(struct pool_node *n,
			      void (*visit)(struct pool_node *n))
{
	struct pool_node *c;

	if (n->kind == POOL_KIND_WORLD) {
		visit(n);
		return;
	}
	for (c = n->child; c; c = c->sibling)
		pool_visit_worlds(c, visit);
}

void pool_entitle(void (*visit)(struct pool_node *n))
{
	struct pool_node *root = &pool_host.node;

	spin_lock(&pool_lock);
	pool_demand(root, false);
	pool_distribute(root, MIN(pool_cap_units, root->demand));
	if (visit)
		pool_visit_worlds(root, visit);
	spin_unlock(&pool_lock);
}

static void pool_walk_node(struct pool_node *n,
			   void (*fn)(struct pool_node *n, void *arg), void *arg)
{
	struct pool_node *c;

	fn(n, arg);
	for (c = n->child; c; c = c->sibling)
		pool_walk_node(c, fn, arg);
}

void pool_walk(void (*fn)(struct pool_node *n, void *arg), void *arg)
{
	spin_lock(&pool_lock);
	pool_walk_node(&pool_host.node, fn, arg);
	spin_unlock(&pool_lock);
}

int pool_create(struct pool *p, struct pool_node *parent, const char *name,
		const struct pool_alloc *a)
{
	size_t len = strnlen(name, POOL_NAME_LEN);

	if (!len || len >= POOL_NAME_LEN)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	memcpy(p->name, name, len + 1);
	p->node.kind = POOL_KIND_POOL;
	p->node.name = p->name;
	p->node.alloc = *a;
	return pool_attach(&p->node, parent);
}

int pool_destroy(struct pool *p)
{
	if (p->node.child)
		return -EBUSY;
	pool_detach(&p->node);
	return 0;
}

struct pool_ref *pool_ref_get(struct pool_ref *table, u32 n, const char *name,
			      int *err)
{
	struct pool_alloc a = {
		.shares = SHARES_NORMAL, .limit = POOL_UNLIMITED, .expandable = true,
	};
	struct pool_ref *free = NULL;

	*err = 0;
	if (!name[0])
		return NULL;
	for (u32 i = 0; i < n; i++) {
		struct pool_ref *p = &table[i];

		if (p->refs && !strcmp(p->p.name, name)) {
			p->refs++;
			return p;
		}
		if (!p->refs && !free)
			free = p;
	}
	if (!free) {
		log_warn("pool %s: %u named pools at most", name, n);
		*err = -ENOSPC;
		return NULL;
	}
	*err = pool_create(&free->p, pool_root(), name, &a);
	if (*err)
		return NULL;
	free->refs = 1;
	return free;
}

void pool_ref_put(struct pool_ref *p)
{
	if (p && --p->refs == 0)
		CHECK(pool_destroy(&p->p) == 0);
}
