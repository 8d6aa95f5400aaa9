/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Resource pools: the tree the CPU scheduler divides the machine along, in
 * the manner of ESX 3.  The root stands for the whole host; beneath it are
 * pools, which hold pools and groups; a group (a VM) holds its VCPU
 * worlds; any world may also hang directly under a pool.  Every node has
 * the same three controls:
 *
 *   shares	relative weight against its siblings
 *   res	reservation: a guaranteed minimum, in CPU units
 *   limit	a maximum, in CPU units (POOL_UNLIMITED for none)
 *
 * and a pool may have an expandable reservation, which lets its children
 * reserve more than the pool itself holds by borrowing unreserved
 * capacity from its ancestors.  Admission control runs on every change:
 * a reservation that the parent cannot back is refused with -ENOSPC and a
 * warning naming the node, what it asked for and what was left.
 *
 * Entitlements are recomputed from the tree (pool_entitle()): each node's
 * share of its parent's entitlement is found by water-filling among its
 * active siblings: in proportion to shares, but never below its
 * reservation (as far as it has demand) nor above its limit or its
 * demand.  Reservation a node does not use is thereby lent to its
 * siblings.  A world's entitlement becomes its scheduling weight.
 *
 * CPU units: SCHED_CPU_UNITS is one whole CPU.
 *
 * The tree and every field of struct pool_node are guarded by the pool
 * lock (LOCK_RANK_POOL), which the functions here take themselves.
 */
#ifndef VMK_POOL_H
#define VMK_POOL_H

#include <vmk/types.h>

#define SCHED_CPU_UNITS		10000ULL	/* one CPU; a unit is 0.01% */
#define POOL_UNLIMITED		(~0ULL)
#define POOL_NAME_LEN		32
#define POOL_MAX_DEPTH		8
#define POOL_SHARES_MAX		1000000U

/* ESX's preset levels, per VCPU. */
#define SHARES_LOW		500U
#define SHARES_NORMAL		1000U
#define SHARES_HIGH		2000U

enum pool_kind {
	POOL_KIND_POOL,
	POOL_KIND_GROUP,
	POOL_KIND_WORLD,
};

struct pool_alloc {
	u32 shares;
	u64 res;		/* CPU units */
	u64 limit;		/* CPU units or POOL_UNLIMITED */
	bool expandable;	/* pools only */
};

struct pool_node {
	u8 kind;		/* enum pool_kind */
	u8 depth;		/* root: 0 */
	bool active;		/* a world: ready or running recently */
	bool limited;		/* it or an ancestor has a finite limit */
	const char *name;	/* owned by the containing object */
	struct pool_node *parent, *child, *sibling;
	u32 nchildren;
	struct pool_alloc alloc;
	u64 child_res;		/* reservation committed to children */
	/* Last pool_entitle() results. */
	u64 demand;
	u64 entitled;		/* CPU units */
};

/* A pool the caller owns; the name is copied. */
struct pool {
	struct pool_node node;
	char name[POOL_NAME_LEN];
};

/* Resets the tree to a lone root holding capacity CPU units. */
void pool_init(u64 capacity);
struct pool_node *pool_root(void);
u64 pool_capacity(void);
/* The host's capacity changes (CPUs given to or taken from the vmkernel);
 * -EBUSY if the reservations already made would no longer fit. */
int pool_set_capacity(u64 capacity);

/* Validates a: -EINVAL for zero or too many shares, res > limit, or
 * expandable on anything but a pool. */
int pool_check_alloc(const struct pool_node *n, const struct pool_alloc *a);

int pool_create(struct pool *p, struct pool_node *parent, const char *name,
		const struct pool_alloc *a);
/* -EBUSY while it has children. */
int pool_destroy(struct pool *p);

/* Hangs n (kind, name and alloc set by the caller) under parent,
 * after admission control; -ENOSPC, -EINVAL, -E2BIG (too deep). */
int pool_attach(struct pool_node *n, struct pool_node *parent);
void pool_detach(struct pool_node *n);
/* New controls for n, after admission control. */
int pool_set_alloc(struct pool_node *n, const struct pool_alloc *a);

/* Reservation parent could still give a new child (following expandable
 * pools upwards). */
u64 pool_unreserved(struct pool_node *parent);

/*
 * Recomputes demand and entitlement of every node from the worlds'
 * active flags.  O(nodes x log(range)).  Calls visit(world node) for each
 * world afterwards, under the pool lock.
 */
void pool_entitle(void (*visit)(struct pool_node *n));

/* Runs fn on every node, parents before children, under the pool lock. */
void pool_walk(void (*fn)(struct pool_node *n, void *arg), void *arg);

/*
 * Pools shared by name among their users (the console's system worlds,
 * VMs): a table of slots, a pool made under the root on its first get
 * and destroyed at its last put.  The caller serialises the table.
 */
struct pool_ref {
	struct pool p;
	u32 refs;			/* 0: slot free */
};

/* The pool called name in table[0..n), made if new; NULL for "" (the
 * root), or NULL with *err -ENOSPC (table full) or pool_create's error. */
struct pool_ref *pool_ref_get(struct pool_ref *table, u32 n, const char *name,
			      int *err);
/* Drops one use of p (NULL: none); the last destroys the pool. */
void pool_ref_put(struct pool_ref *p);

#endif
