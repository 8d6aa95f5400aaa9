// SPDX-License-Identifier: GPL-2.0
/*
 * Spinlocks and IRQ locks with rank checking.  A test-and-test-and-set
 * lock: the CPU spins reading until the lock looks free, then tries an
 * atomic exchange.  In debug builds (VMK_DEBUG) each CPU keeps the list of
 * locks it holds with the file and line of each acquisition; taking a
 * lock whose rank is not above all of them is a vmkernel bug and panics
 * with both locks' names and places.  The order itself is in
 * <vmk/lockrank.h>.
 */
#include <vmk/lock.h>
#include <vmk/arch.h>
#include <vmk/check.h>

#ifdef VMK_DEBUG
/* Each CPU touches only its own entry. */
static struct lock_track lock_cpu_tracks[VMK_MAX_CPUS];
#endif

struct lock_track *lock_cpu_track(void)
{
#ifdef VMK_DEBUG
	u32 cpu = arch_cpu_index();

	CHECK(cpu < VMK_MAX_CPUS);
	return &lock_cpu_tracks[cpu];
#else
	return NULL;
#endif
}

u32 lock_held_count(void)
{
#ifdef VMK_DEBUG
	return lock_cpu_track()->depth;
#else
	return 0;
#endif
}

void lock_track_check(const struct lock_track *t, const void *lock,
		      const char *name, u32 rank, const char *file, int line)
{
#ifdef VMK_DEBUG
	u32 i;

	for (i = 0; i < t->depth; i++) {
		const struct lock_held *h = &t->held[i];

		if (h->lock == lock)
			panic("lock '%s' taken at %s:%d is already held "
			      "(taken at %s:%d)", name, file, line,
			      h->file, h->line);
		if (h->rank >= rank)
			panic("lock rank violation on cpu%u: '%s' (rank %u) "
			      "taken at %s:%d while holding '%s' (rank %u) "
			      "taken at %s:%d", arch_cpu_index(), name, rank,
			      file, line, h->name, h->rank, h->file, h->line);
	}
#else
	(void)t, (void)lock, (void)name, (void)rank, (void)file, (void)line;
#endif
}

void lock_track_push(struct lock_track *t, const void *lock, const char *name,
		     u32 rank, const char *file, int line)
{
#ifdef VMK_DEBUG
	if (t->depth >= LOCK_TRACK_DEPTH)
		panic("more than %d locks held: '%s' at %s:%d",
		      LOCK_TRACK_DEPTH, name, file, line);
	t->held[t->depth++] = (struct lock_held){
		.lock = lock, .name = name, .rank = rank,
		.file = file, .line = line,
	};
#else
	(void)t, (void)lock, (void)name, (void)rank, (void)file, (void)line;
#endif
}

void lock_track_pop(struct lock_track *t, const void *lock)
{
#ifdef VMK_DEBUG
	u32 i;

	for (i = t->depth; i-- > 0;) {
		if (t->held[i].lock != lock)
			continue;
		for (; i + 1 < t->depth; i++)
			t->held[i] = t->held[i + 1];
		t->depth--;
		return;
	}
	panic("releasing a lock that is not held here");
#else
	(void)t, (void)lock;
#endif
}

void spin_init(struct spinlock *l, const char *name, u32 rank)
{
	*l = (struct spinlock)SPINLOCK_INIT(name, rank);
}

static bool spin_try_raw(struct spinlock *l)
{
	return __atomic_load_n(&l->locked, __ATOMIC_RELAXED) == 0 &&
	       __atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) == 0;
}

void spin_lock_at(struct spinlock *l, const char *file, int line)
{
	lock_track_check(lock_cpu_track(), l, l->name, l->rank, file, line);
	while (!spin_try_raw(l))
		arch_cpu_relax();
	l->owner_cpu = arch_cpu_index();
	lock_track_push(lock_cpu_track(), l, l->name, l->rank, file, line);
}

bool spin_trylock_at(struct spinlock *l, const char *file, int line)
{
	if (!spin_try_raw(l))
		return false;
	l->owner_cpu = arch_cpu_index();
	lock_track_push(lock_cpu_track(), l, l->name, l->rank, file, line);
	return true;
}

void spin_unlock(struct spinlock *l)
{
	CHECK(l->locked);
	lock_track_pop(lock_cpu_track(), l);
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

bool spin_is_locked(const struct spinlock *l)
{
	return __atomic_load_n(&l->locked, __ATOMIC_RELAXED) != 0;
}

void irqlock_init(struct irqlock *l, const char *name, u32 rank)
{
	spin_init(&l->sl, name, rank);
}

unsigned long irqlock_lock_at(struct irqlock *l, const char *file, int line)
{
	unsigned long flags = arch_irq_save();

	spin_lock_at(&l->sl, file, line);
	return flags;
}

bool irqlock_trylock_at(struct irqlock *l, unsigned long *flags,
			const char *file, int line)
{
	unsigned long f = arch_irq_save();

	if (!spin_trylock_at(&l->sl, file, line)) {
		arch_irq_restore(f);
		return false;
	}
	*flags = f;
	return true;
}

void irqlock_unlock(struct irqlock *l, unsigned long flags)
{
	spin_unlock(&l->sl);
	arch_irq_restore(flags);
}
