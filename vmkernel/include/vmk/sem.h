/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Semaphores: sleeping locks for worlds.  A binary semaphore is a mutex
 * held by a world (it may sleep holding it); a counting semaphore counts
 * units (completions, free slots) and has no owner.  Each has a rank from
 * <vmk/lockrank.h>, below every spinlock's: with VMK_DEBUG, sem_down()
 * checks it against the spinlocks the CPU holds and the binary semaphores
 * the world holds.  A world that must wait does so through world_wait()
 * on the semaphore, a scheduling point; sem_up() wakes one waiter, which
 * then takes the unit if it is still there.
 */
#ifndef VMK_SEM_H
#define VMK_SEM_H

#include <vmk/types.h>
#include <vmk/lock.h>

struct sem {
	struct spinlock lock;	/* guards count; LOCK_RANK_SEM_INTERNAL */
	s32 count;
	s32 max;		/* 1: binary */
	u32 rank;
	const char *name;
	u32 waiters;
};

void sem_init_binary(struct sem *s, const char *name, u32 rank);
/* -EINVAL for a negative count. */
int sem_init_counting(struct sem *s, const char *name, u32 rank, s32 count);

#define sem_down(s)	sem_down_at((s), __FILE__, __LINE__)
#define sem_trydown(s)	sem_trydown_at((s), __FILE__, __LINE__)

/* Takes a unit, waiting (a scheduling point) while there is none. */
void sem_down_at(struct sem *s, const char *file, int line);
/* Takes a unit if one is free, without waiting. */
bool sem_trydown_at(struct sem *s, const char *file, int line);
/* Returns a unit; on a binary semaphore only its holder may. */
void sem_up(struct sem *s);

#endif
