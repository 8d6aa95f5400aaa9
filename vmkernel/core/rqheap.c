// SPDX-License-Identifier: GPL-2.0
/*
 * Pairing heap (see rqheap.h).  Equal keys keep insertion order loosely:
 * a tie goes to the node already in the heap, so worlds with the same
 * virtual time run round-robin.
 */
#include <vmk/rqheap.h>

#include <vmk/check.h>

void rqheap_init(struct rqheap *h)
{
	h->root = NULL;
	h->n = 0;
}

/* Roots a and b (either may be NULL) become one tree. */
static struct rq_node *rqheap_meld(struct rq_node *a, struct rq_node *b)
{
	struct rq_node *t;

	if (!a)
		return b;
	if (!b)
		return a;
	if (b->key < a->key) {
		t = a;
		a = b;
		b = t;
	}
	b->prev = a;
	b->next = a->child;
	if (a->child)
		a->child->prev = b;
	a->child = b;
	a->next = a->prev = NULL;
	return a;
}

/* Two-pass pairing of a sibling list into one tree. */
static struct rq_node *rqheap_pair(struct rq_node *first)
{
	struct rq_node *pairs = NULL, *a, *b, *rest, *t;

	/* Pass 1: meld neighbours left to right, stacking the results. */
	while (first) {
		a = first;
		b = a->next;
		rest = b ? b->next : NULL;
		a->next = a->prev = NULL;
		if (b)
			b->next = b->prev = NULL;
		t = rqheap_meld(a, b);
		t->next = pairs;
		pairs = t;
		first = rest;
	}
	/* Pass 2: meld the stack, last pair first. */
	t = NULL;
	while (pairs) {
		a = pairs;
		pairs = pairs->next;
		a->next = NULL;
		t = rqheap_meld(t, a);
	}
	return t;
}

void rqheap_insert(struct rqheap *h, struct rq_node *x)
{
	x->child = x->next = x->prev = NULL;
	h->root = rqheap_meld(h->root, x);
	h->n++;
}

struct rq_node *rqheap_pop(struct rqheap *h)
{
	struct rq_node *r = h->root;

	if (!r)
		return NULL;
	h->root = rqheap_pair(r->child);
	if (h->root)
		h->root->prev = NULL;
	r->child = r->next = r->prev = NULL;
	h->n--;
	return r;
}

void rqheap_remove(struct rqheap *h, struct rq_node *x)
{
	struct rq_node *sub;

	if (x == h->root) {
		rqheap_pop(h);
		return;
	}
	CHECK(x->prev);
	if (x->prev->child == x)
		x->prev->child = x->next;
	else
		x->prev->next = x->next;
	if (x->next)
		x->next->prev = x->prev;
	sub = rqheap_pair(x->child);
	if (sub)
		sub->prev = NULL;
	h->root = rqheap_meld(h->root, sub);
	x->child = x->next = x->prev = NULL;
	h->n--;
}
