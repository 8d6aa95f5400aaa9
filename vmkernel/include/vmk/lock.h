/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ranked spinlocks and IRQ-safe locks.  A spinlock is held by one CPU and
 * never across a scheduling point.  An IRQ lock also disables interrupts
 * on the CPU that holds it; it is a distinct type so that a lock shared
 * with interrupt handlers cannot be taken with interrupts enabled by
 * mistake.  Every lock carries a rank from <vmk/lockrank.h>; with
 * VMK_DEBUG each acquisition checks the rank against the locks the CPU
 * already holds (struct lock_track) and panics on a violation, naming
 * both locks and where they were taken.  Try operations never wait and
 * so cannot deadlock: they skip the rank check but are still tracked.
 */
#ifndef VMK_LOCK_H
#define VMK_LOCK_H

#include <vmk/types.h>
#include <vmk/lockrank.h>

struct spinlock {
	u32 locked;		/* 0 free, 1 held; changed atomically */
	u32 rank;		/* enum lock_rank */
	const char *name;
	u32 owner_cpu;		/* valid while locked (debug aid) */
};

struct irqlock {
	struct spinlock sl;
};

#define SPINLOCK_INIT(n, r)	{ .locked = 0, .rank = (r), .name = (n), .owner_cpu = 0 }

/* Locks one context holds, for rank checking (debug builds). */
#define LOCK_TRACK_DEPTH 16

struct lock_held {
	const void *lock;
	const char *name;
	u32 rank;
	const char *file;
	int line;
};

struct lock_track {
	u32 depth;
	struct lock_held held[LOCK_TRACK_DEPTH];
};

void spin_init(struct spinlock *l, const char *name, u32 rank);
void spin_lock_at(struct spinlock *l, const char *file, int line);
bool spin_trylock_at(struct spinlock *l, const char *file, int line);
void spin_unlock(struct spinlock *l);
bool spin_is_locked(const struct spinlock *l);

void irqlock_init(struct irqlock *l, const char *name, u32 rank);
unsigned long irqlock_lock_at(struct irqlock *l, const char *file, int line);
/* True and *flags set when taken; interrupts stay as they were if not. */
bool irqlock_trylock_at(struct irqlock *l, unsigned long *flags,
			const char *file, int line);
void irqlock_unlock(struct irqlock *l, unsigned long flags);

#define spin_lock(l)		spin_lock_at((l), __FILE__, __LINE__)
#define spin_trylock(l)		spin_trylock_at((l), __FILE__, __LINE__)
#define irqlock_lock(l)		irqlock_lock_at((l), __FILE__, __LINE__)
#define irqlock_trylock(l, f)	irqlock_trylock_at((l), (f), __FILE__, __LINE__)

/*
 * Rank checking on an explicit track, shared with the semaphores (which
 * track per world, since a world may sleep holding one).  All are no-ops
 * without VMK_DEBUG.
 */
void lock_track_check(const struct lock_track *t, const void *lock,
		      const char *name, u32 rank, const char *file, int line);
void lock_track_push(struct lock_track *t, const void *lock, const char *name,
		     u32 rank, const char *file, int line);
void lock_track_pop(struct lock_track *t, const void *lock);

/* The calling CPU's track, and how many spinlocks it holds (0 without
 * VMK_DEBUG). */
struct lock_track *lock_cpu_track(void);
u32 lock_held_count(void);

#endif
