// SPDX-License-Identifier: GPL-2.0
/*
 * A sampling profiler: on every vmkernel CPU's timer tick it counts
 * where the interrupted code was, in 64-byte ranges of code, and
 * /proc/vmware/profile shows the ranges that took the most samples with
 * their share of all samples, each named as module_where() names it
 * (vmkernel+0xOFF resolves to a function with addr2line on the build's
 * vmkernel ELF).  Samples of a CPU's idle world are counted apart, as
 * "idle".  vmkcall VMK_CALL_MODULE_BASE + PROF_CALL clears the counts.
 *
 * Each CPU counts into its own table from its own interrupt, so the tick
 * path takes no lock: an open-addressed table probed at most PROF_PROBES
 * times, a sample that finds no room counted as dropped.  A reader sees
 * counts that may be a tick old.
 */
#include <vmk/module.h>

#define PROF_CALL	2
#define PROF_SLOTS	1024		/* per CPU; a power of two */
#define PROF_PROBES	16
#define PROF_RANGE	64		/* bytes of code a slot counts */
#define PROF_TOP	16

struct prof_slot {
	u64 key;			/* start of the range; 0: free */
	u64 count;
};

struct prof_cpu {
	u64 samples, idle, dropped;
	struct prof_slot slot[PROF_SLOTS];
};

static struct prof_cpu *prof_cpus;
static u32 prof_ncpus;

static u32 prof_hash(u64 key)
{
	return (u32)((key / PROF_RANGE) * 0x9e3779b97f4a7c15ULL >> 54) & (PROF_SLOTS - 1);
}

static void prof_tick(u32 cpu, u64 rip, bool idle)
{
	struct prof_cpu *pc;
	u64 key = rip & ~(u64)(PROF_RANGE - 1);
	u32 h;

	if (cpu >= prof_ncpus)
		return;
	pc = &prof_cpus[cpu];
	pc->samples++;
	if (idle) {
		pc->idle++;
		return;
	}
	h = prof_hash(key);
	for (u32 i = 0; i < PROF_PROBES; i++, h = (h + 1) & (PROF_SLOTS - 1)) {
		struct prof_slot *s = &pc->slot[h];

		if (s->key == key) {
			s->count++;
			return;
		}
		if (!s->key) {
			s->count = 1;
			WRITE_ONCE(s->key, key);
			return;
		}
	}
	pc->dropped++;
}

/* Adds one CPU's slot into the merged table m (n slots); false if full. */
static bool prof_merge(struct prof_slot *m, u32 n, const struct prof_slot *s)
{
	for (u32 i = 0; i < n; i++) {
		if (m[i].key == s->key) {
			m[i].count += s->count;
			return true;
		}
		if (!m[i].key) {
			m[i] = *s;
			return true;
		}
	}
	return false;
}

/* Tenths of a percent of part in whole, printed as "12.3". */
static int prof_pct(char *buf, u64 size, u64 part, u64 whole)
{
	u64 t = whole ? part * 1000 / whole : 0;

	return snprintf(buf, size, "%lu.%lu", t / 10, t % 10);
}

static u64 prof_show(char *buf, u64 size)
{
	u32 n = PROF_TOP * 8, used = 0;
	struct prof_slot *m = heap_zalloc(module_heap(), n * sizeof(*m));
	u64 samples = 0, idle = 0, dropped = 0, other = 0, len = 0;
	char where[48], pct[16];

	if (!m)
		return (u64)snprintf(buf, size, "no memory for the report\n");
	for (u32 c = 0; c < prof_ncpus; c++) {
		struct prof_cpu *pc = &prof_cpus[c];

		samples += READ_ONCE(pc->samples);
		idle += READ_ONCE(pc->idle);
		dropped += READ_ONCE(pc->dropped);
		for (u32 i = 0; i < PROF_SLOTS; i++) {
			struct prof_slot s = { READ_ONCE(pc->slot[i].key),
					       READ_ONCE(pc->slot[i].count) };

			if (s.key && !prof_merge(m, n, &s))
				other += s.count;
		}
	}
	for (u32 i = 0; i < n && m[i].key; i++)
		used++;
	prof_pct(pct, sizeof(pct), idle, samples);
	len += (u64)snprintf(buf + len, size - len,
			     "samples %lu\nidle %lu %s%%\ndropped %lu\ncount pct where\n",
			     samples, idle, pct, dropped);
	/* The top entries, largest first: a selection, n is small. */
	for (u32 k = 0; k < PROF_TOP && len < size; k++) {
		u32 best = used;

		for (u32 i = 0; i < used; i++)
			if (m[i].count && (best == used || m[i].count > m[best].count))
				best = i;
		if (best == used)
			break;
		module_where(m[best].key, where, sizeof(where));
		prof_pct(pct, sizeof(pct), m[best].count, samples);
		len += (u64)snprintf(buf + len, size - len, "%lu %s%% %s\n",
				     m[best].count, pct, where);
		m[best].count = 0;
	}
	heap_free(module_heap(), m);
	(void)other;
	return MIN(len, size);
}

static s64 prof_call(u64 a0, u64 a1, u64 a2, u64 a3)
{
	u64 was = 0;

	(void)a0, (void)a1, (void)a2, (void)a3;
	for (u32 c = 0; c < prof_ncpus; c++) {
		was += READ_ONCE(prof_cpus[c].samples);
		/* A tick racing this may keep one count: harmless. */
		memset(&prof_cpus[c], 0, sizeof(prof_cpus[c]));
	}
	return (s64)was;
}

static int prof_init(void)
{
	int err;

	prof_ncpus = arch_ncpus();
	prof_cpus = heap_zalloc(module_heap(), prof_ncpus * sizeof(*prof_cpus));
	if (!prof_cpus)
		return -ENOMEM;
	err = module_file_register("profile", prof_show);
	if (!err)
		err = module_vmkcall_register(VMK_CALL_MODULE_BASE + PROF_CALL, prof_call);
	if (!err)
		err = module_tick_register(prof_tick);
	if (err) {
		heap_free(module_heap(), prof_cpus);
		return err;
	}
	log_info("profiler: sampling %u CPUs at every tick", prof_ncpus);
	return 0;
}

static void prof_exit(void)
{
	/* Waits until no CPU runs prof_tick any longer. */
	module_tick_unregister(prof_tick);
	heap_free(module_heap(), prof_cpus);
}

VMK_MODULE(profiler, "1.0", prof_init, prof_exit);
