// SPDX-License-Identifier: GPL-2.0
/*
 * Semaphores (see <vmk/sem.h>).  Waiting goes through the world wait
 * queues with the semaphore itself as the event; the count is re-checked
 * after every wakeup, so a unit taken meanwhile by a sem_trydown() is not
 * lost, only waited for again.
 */
#include <vmk/sem.h>
#include <vmk/check.h>
#include <vmk/errno.h>
#include <vmk/world.h>

void sem_init_binary(struct sem *s, const char *name, u32 rank)
{
	spin_init(&s->lock, name, LOCK_RANK_SEM_INTERNAL);
	s->count = 1;
	s->max = 1;
	s->rank = rank;
	s->name = name;
	s->waiters = 0;
}

int sem_init_counting(struct sem *s, const char *name, u32 rank, s32 count)
{
	if (count < 0)
		return -EINVAL;
	sem_init_binary(s, name, rank);
	s->count = count;
	s->max = 0x7fffffff;
	return 0;
}

static void sem_check(struct sem *s, struct world *self, const char *file,
		      int line)
{
	lock_track_check(lock_cpu_track(), s, s->name, s->rank, file, line);
	if (self)
		lock_track_check(&self->sems, s, s->name, s->rank, file, line);
}

/* A binary semaphore is held by the world that took it. */
static void sem_took(struct sem *s, struct world *self, const char *file,
		     int line)
{
	if (s->max == 1 && self)
		lock_track_push(&self->sems, s, s->name, s->rank, file, line);
}

bool sem_trydown_at(struct sem *s, const char *file, int line)
{
	struct world *self = world_current();
	bool got;

	spin_lock(&s->lock);
	got = s->count > 0;
	if (got)
		s->count--;
	spin_unlock(&s->lock);
	if (got)
		sem_took(s, self, file, line);
	return got;
}

void sem_down_at(struct sem *s, const char *file, int line)
{
	struct world *self = world_current();

	sem_check(s, self, file, line);
	/* Sleeping with a spinlock held would stall its CPU's peers. */
	CHECK(lock_held_count() == 0);
	spin_lock(&s->lock);
	while (s->count == 0) {
		s->waiters++;
		world_wait_locked(s, &s->lock);
		spin_lock(&s->lock);
		s->waiters--;
	}
	s->count--;
	spin_unlock(&s->lock);
	sem_took(s, self, file, line);
}

void sem_up(struct sem *s)
{
	struct world *self = world_current();

	if (s->max == 1 && self)
		lock_track_pop(&self->sems, s);
	spin_lock(&s->lock);
	CHECK(s->count < s->max);
	s->count++;
	if (s->waiters)
		world_wakeup_one(s);
	spin_unlock(&s->lock);
}
