/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intrusive pairing heaps keyed by a u64: the scheduler's per-CPU run
 * queues (keyed by virtual time) and throttle queues (keyed by the time a
 * limited world may run again).  Insert is O(1), pop and remove O(log n)
 * amortized, and no memory is allocated: the links live in the world.
 * The caller's lock guards the heap and its nodes.
 */
#ifndef VMK_CORE_RQHEAP_H
#define VMK_CORE_RQHEAP_H

#include <vmk/types.h>

struct rq_node {
	struct rq_node *child;	/* first child */
	struct rq_node *next;	/* next sibling */
	struct rq_node *prev;	/* previous sibling, or parent if first */
	u64 key;
};

struct rqheap {
	struct rq_node *root;
	u32 n;
};

void rqheap_init(struct rqheap *h);
void rqheap_insert(struct rqheap *h, struct rq_node *x);
struct rq_node *rqheap_pop(struct rqheap *h);
void rqheap_remove(struct rqheap *h, struct rq_node *x);

static inline struct rq_node *rqheap_min(const struct rqheap *h)
{
	return h->root;
}

#endif
