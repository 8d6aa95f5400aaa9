// SPDX-License-Identifier: GPL-2.0
/*
 * Worlds and groups (see <vmk/world.h>).  World records come from the
 * "world" heap given to world_init().  IDs are WORLD_ID_FIRST + slot +
 * WORLD_MAX * (gen - 1), gen rising on each use of a slot, so a stale ID
 * never finds a new world and the first worlds have the small IDs ESX
 * showed (1024, 1025, ...).
 *
 * Waiting: a world waits for an event, any pointer; waiters hang on one of
 * WORLD_WAIT_BUCKETS lists hashed by the event, so a wakeup looks only at
 * worlds that might be waiting for it.
 *
 * Lock order here: world table, then a wait bucket, then run queues (in
 * sched.c); see <vmk/lockrank.h>.
 */
#include <vmk/world.h>
#include <vmk/account.h>
#include <vmk/arch.h>
#include <vmk/check.h>
#include <vmk/errno.h>
#include <vmk/format.h>
#include <vmk/log.h>
#include <vmk/sched.h>
#include <vmk/string.h>

#define WORLD_WAIT_BUCKETS	256

struct world_wait_bucket {
	struct spinlock lock;
	struct world *head, *tail;
};

static struct spinlock world_table_lock =
	SPINLOCK_INIT("world-table", LOCK_RANK_WORLD_TABLE);
static struct world *world_slot[WORLD_MAX];
static u32 world_gen[WORLD_MAX];
static u32 world_nlive, world_hint;
static struct heap *world_heap;
static struct world_wait_bucket world_buckets[WORLD_WAIT_BUCKETS];

static const char *const world_state_names[WORLD_NSTATES] = {
	"new", "ready", "running", "waiting", "co-stopped", "dead",
};

const char *world_state_name(enum world_state s)
{
	return s < WORLD_NSTATES ? world_state_names[s] : "?";
}

static struct world_wait_bucket *world_bucket(const void *event)
{
	uintptr_t x = (uintptr_t)event;

	x ^= x >> 17;
	x *= 0x9e3779b97f4a7c15ULL;
	return &world_buckets[(x >> 24) % WORLD_WAIT_BUCKETS];
}

void world_stats(struct world *w, struct world_stats *out)
{
	u64 now = arch_now_ns();

	account_set_state(w, w->state, now);
	account_throttle(w, now);
	*out = w->st;
}

static int world_table_add(struct world *w)
{
	u32 i, slot;
	int ret = -EAGAIN;

	spin_lock(&world_table_lock);
	for (i = 0; i < WORLD_MAX; i++) {
		slot = (world_hint + i) % WORLD_MAX;
		if (world_slot[slot])
			continue;
		world_gen[slot]++;
		w->id = WORLD_ID_FIRST + slot + WORLD_MAX * (world_gen[slot] - 1);
		world_slot[slot] = w;
		world_hint = slot + 1;
		world_nlive++;
		ret = 0;
		break;
	}
	spin_unlock(&world_table_lock);
	return ret;
}

static void world_table_del(struct world *w)
{
	spin_lock(&world_table_lock);
	CHECK(world_slot[world_slot_of(w)] == w);
	world_slot[world_slot_of(w)] = NULL;
	world_nlive--;
	spin_unlock(&world_table_lock);
}

struct world *world_find(u32 id)
{
	struct world *w;

	spin_lock(&world_table_lock);
	w = world_slot[(id - WORLD_ID_FIRST) % WORLD_MAX];
	if (w && w->id != id)
		w = NULL;
	spin_unlock(&world_table_lock);
	return w;
}

struct world *world_next(struct world *prev)
{
	struct world *w = NULL;
	u32 slot;

	spin_lock(&world_table_lock);
	for (slot = prev ? world_slot_of(prev) + 1 : 0; slot < WORLD_MAX;
	     slot++) {
		if (world_slot[slot]) {
			w = world_slot[slot];
			break;
		}
	}
	spin_unlock(&world_table_lock);
	return w;
}

u32 world_slot_of(const struct world *w)
{
	return (w->id - WORLD_ID_FIRST) % WORLD_MAX;
}

/*
 * A reader on another CPU sees the accounting of the last state change
 * plus the time spent in the present state since; it writes nothing, so
 * it needs none of the scheduler's locks, and a figure may be a moment
 * old.
 */
static void world_info_fill(const struct world *w, u64 now,
			    struct vmk_world_info *out)
{
	u8 state = READ_ONCE(w->state);
	u64 since = READ_ONCE(w->state_since);
	u64 dt = now > since ? now - since : 0;

	memset(out, 0, sizeof(*out));
	out->id = w->id;
	out->type = w->type;
	out->state = state;
	out->cpu = READ_ONCE(w->cpu);
	memcpy(out->name, w->name, sizeof(out->name));
	if (w->group)
		memcpy(out->group, w->group->name, sizeof(out->group));
	out->shares = w->node.alloc.shares;
	out->used_ns = READ_ONCE(w->st.used_ns) +
		       (state == WORLD_RUNNING ? dt : 0);
	out->ready_ns = READ_ONCE(w->st.ready_ns) +
			(state == WORLD_READY ? dt : 0);
	out->wait_ns = READ_ONCE(w->st.wait_ns) +
		       (state == WORLD_WAITING ? dt : 0);
	out->cstp_ns = READ_ONCE(w->st.cstp_ns) +
		       (state == WORLD_COSTOPPED ? dt : 0);
}

bool world_info_next(u32 *cursor, struct vmk_world_info *out)
{
	u64 now = arch_now_ns();
	bool found = false;
	u32 slot;

	spin_lock(&world_table_lock);
	for (slot = *cursor; slot < WORLD_MAX; slot++) {
		if (world_slot[slot]) {
			world_info_fill(world_slot[slot], now, out);
			*cursor = slot + 1;
			out->next = *cursor;
			found = true;
			break;
		}
	}
	spin_unlock(&world_table_lock);
	if (!found)
		*cursor = WORLD_MAX;
	return found;
}

u32 world_count(void)
{
	return READ_ONCE(world_nlive);
}

struct world *world_current(void)
{
	return sched_current(arch_cpu_index());
}

u32 world_current_id(void)
{
	u32 cpu = arch_cpu_index();
	struct world *w;

	if (cpu >= sched_ncpus())
		return 0;
	w = sched_current(cpu);
	return w ? w->id : 0;
}

/* name: checked by the caller, shorter than WORLD_NAME_LEN. */
static struct world *world_alloc(const char *name, u8 type)
{
	struct world *w = heap_zalloc(world_heap, sizeof(*w));

	if (!w)
		return NULL;
	memcpy(w->name, name, strlen(name) + 1);
	w->type = type;
	w->state = WORLD_NEW;
	w->state_since = arch_now_ns();
	w->node.kind = POOL_KIND_WORLD;
	w->node.name = w->name;
	w->weight = SCHED_CPU_UNITS;
	w->cap = SCHED_CPU_UNITS;
	w->affinity = ~0ULL;
	return w;
}

int world_init(struct heap *h, u32 ncpus)
{
	struct world *w;
	char name[WORLD_NAME_LEN];
	u32 cpu, i;
	int ret;

	memset(world_slot, 0, sizeof(world_slot));
	memset(world_gen, 0, sizeof(world_gen));
	world_nlive = 0;
	world_hint = 0;
	world_heap = h;
	for (i = 0; i < WORLD_WAIT_BUCKETS; i++) {
		spin_init(&world_buckets[i].lock, "wait", LOCK_RANK_WAIT);
		world_buckets[i].head = world_buckets[i].tail = NULL;
	}
	for (cpu = 0; cpu < ncpus; cpu++) {
		snprintf(name, sizeof(name), "idle%02u", cpu);
		w = world_alloc(name, VMK_WORLD_IDLE);
		if (!w)
			return -ENOMEM;
		ret = world_table_add(w);
		if (ret) {
			heap_free(world_heap, w);
			return ret;
		}
		w->cpu = cpu;
		w->affinity = 1ULL << cpu;
		account_set_state(w, WORLD_RUNNING, arch_now_ns());
		sched_set_idle(cpu, w);
	}
	return 0;
}

int world_create(const struct world_params *p, struct world **out)
{
	struct world_group *g = p->group;
	size_t len = p->name ? strnlen(p->name, WORLD_NAME_LEN) : 0;
	struct world *w;
	int ret;


	if (p->type > VMK_WORLD_VMM || p->type == VMK_WORLD_IDLE ||
	    !len || len >= WORLD_NAME_LEN)
		return -EINVAL;
	if (g && g->nvcpus >= GROUP_MAX_VCPUS)
		return -E2BIG;
	w = world_alloc(p->name, p->type);
	if (!w)
		return -ENOMEM;
	w->node.alloc = p->alloc;
	if (!w->node.alloc.shares)
		w->node.alloc.shares = SHARES_NORMAL;
	if (!w->node.alloc.limit)
		w->node.alloc.limit = POOL_UNLIMITED;
	if (p->affinity) {
		ret = sched_set_affinity(w, p->affinity);
		if (ret)
			goto error_free;
	}
	ret = pool_attach(&w->node, g ? &g->node
				      : p->pool ? p->pool : pool_root());
	if (ret)
		goto error_free;
	ret = world_table_add(w);
	if (ret)
		goto error_detach;
	if (g) {
		spin_lock(&g->lock);
		w->group = g;
		w->vcpu = g->nvcpus;
		g->vcpu[g->nvcpus++] = w;
		spin_unlock(&g->lock);
	}
	sched_entitle_dirty();
	*out = w;
	return 0;

error_detach:
	pool_detach(&w->node);
error_free:
	heap_free(world_heap, w);
	return ret;
}

int world_start(struct world *w)
{
	if (w->state != WORLD_NEW)
		return -EINVAL;
	sched_add(w);
	return 0;
}

static void world_group_del(struct world *w)
{
	struct world_group *g = w->group;
	u32 i;

	if (!g)
		return;
	spin_lock(&g->lock);
	for (i = w->vcpu; i + 1 < g->nvcpus; i++) {
		g->vcpu[i] = g->vcpu[i + 1];
		g->vcpu[i]->vcpu = i;
	}
	g->nvcpus--;
	spin_unlock(&g->lock);
	w->group = NULL;
}

static void world_wait_unlink(struct world_wait_bucket *b, struct world *w)
{
	if (w->wait_prev)
		w->wait_prev->wait_next = w->wait_next;
	else
		b->head = w->wait_next;
	if (w->wait_next)
		w->wait_next->wait_prev = w->wait_prev;
	else
		b->tail = w->wait_prev;
	w->wait_next = w->wait_prev = NULL;
	w->wait_event = NULL;
}

int world_destroy(struct world *w)
{
	struct world_wait_bucket *b;

	if (w->type == VMK_WORLD_IDLE)
		return -EPERM;
	if (w->state == WORLD_RUNNING)
		return -EBUSY;
	if (w->wait_event) {
		b = world_bucket(w->wait_event);
		spin_lock(&b->lock);
		world_wait_unlink(b, w);
		spin_unlock(&b->lock);
	}
	sched_remove(w);
	world_group_del(w);
	pool_detach(&w->node);
	world_table_del(w);
	sched_entitle_dirty();
	heap_free(world_heap, w);
	return 0;
}

void world_exit(void)
{
	struct world *w = world_current(), *next;

	CHECK(w->type != VMK_WORLD_IDLE);
	CHECK(lock_held_count() == 0);
	next = sched_block(WORLD_DEAD);
	arch_world_switch(w, next);
}

void world_wait_locked(const void *event, struct spinlock *lock)
{
	struct world *w = world_current(), *next;
	struct world_wait_bucket *b = world_bucket(event);

	CHECK(w->type != VMK_WORLD_IDLE && event);
	spin_lock(&b->lock);
	w->wait_event = event;
	w->wait_next = NULL;
	w->wait_prev = b->tail;
	if (b->tail)
		b->tail->wait_next = w;
	else
		b->head = w;
	b->tail = w;
	next = sched_block(WORLD_WAITING);
	spin_unlock(&b->lock);
	if (lock)
		spin_unlock(lock);
	CHECK(lock_held_count() == 0);
	arch_world_switch(w, next);
}

void world_wait(const void *event)
{
	world_wait_locked(event, NULL);
}

static u32 world_wake(const void *event, bool one)
{
	struct world_wait_bucket *b = world_bucket(event);
	struct world *w, *next;
	u32 n = 0;

	spin_lock(&b->lock);
	for (w = b->head; w; w = next) {
		next = w->wait_next;
		if (w->wait_event != event)
			continue;
		world_wait_unlink(b, w);
		sched_wakeup(w);
		n++;
		if (one)
			break;
	}
	spin_unlock(&b->lock);
	return n;
}

u32 world_wakeup(const void *event)
{
	return world_wake(event, false);
}

bool world_wakeup_one(const void *event)
{
	return world_wake(event, true) != 0;
}

int world_set_alloc(struct world *w, const struct pool_alloc *a)
{
	int ret = pool_set_alloc(&w->node, a);

	if (!ret)
		sched_entitle_dirty();
	return ret;
}

int world_group_create(struct pool_node *pool, const char *name,
		       const struct pool_alloc *a, enum cosched_mode mode,
		       struct world_group **out)
{
	size_t len = strnlen(name, WORLD_NAME_LEN);
	struct world_group *g;
	int ret;

	if (!len || len >= WORLD_NAME_LEN || mode > COSCHED_STRICT)
		return -EINVAL;
	g = heap_zalloc(world_heap, sizeof(*g));
	if (!g)
		return -ENOMEM;
	memcpy(g->name, name, len + 1);
	spin_init(&g->lock, g->name, LOCK_RANK_COSCHED);
	g->mode = (u8)mode;
	g->skew_threshold_ns = SCHED_SKEW_NS;
	g->node.kind = POOL_KIND_GROUP;
	g->node.name = g->name;
	g->node.alloc = *a;
	ret = pool_attach(&g->node, pool ? pool : pool_root());
	if (ret)
		goto error_free;
	*out = g;
	return 0;

error_free:
	heap_free(world_heap, g);
	return ret;
}

int world_group_destroy(struct world_group *g)
{
	if (g->nvcpus)
		return -EBUSY;
	pool_detach(&g->node);
	heap_free(world_heap, g);
	return 0;
}
