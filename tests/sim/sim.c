// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduler simulator engine.  Each simulated millisecond, on every CPU:
 * the running world's behaviour advances (an I/O or bursty world whose
 * burst is over calls world_wait()), the timer tick runs sched_tick(),
 * and the CPU reaches a preemption point (sched_preempt_point()), as a
 * VMM world does on its exit path.  Sleepers are woken with
 * world_wakeup() when their time comes.  Everything the scheduler
 * decides is the real code's decision; the simulator only keeps time.
 *
 * usage: sim [--full] [--out DIR] [--result FILE]
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vmk/arch.h>
#include <vmk/heap.h>
#include <vmk/page.h>
#include "fake.h"
#include "sim.h"

#define SIM_REGION	(64ULL << 20)
#define SIM_WHEEL	8192		/* ticks */
#define SIM_MAX		(WORLD_MAX - VMK_MAX_CPUS)

struct sim_opts sim_opts = { .outdir = "build/bench" };

static unsigned sim_pass, sim_fail, sim_skipped;
static void *sim_region;
static struct page_arena sim_arena;
static struct sim_world *sim_worlds;
static struct sim_world *sim_by_slot[WORLD_MAX];
static u32 sim_n;
static struct sim_world *sim_wheel[SIM_WHEEL];
static u64 sim_start, sim_mark_at;
static double sim_dec_total_ns;
static u64 sim_dec_count;

static double host_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void sim_switch(struct world *prev, struct world *next)
{
	(void)prev, (void)next;
}

void sim_check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("  %s  ", ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (ok)
		sim_pass++;
	else
		sim_fail++;
}

void sim_skip(const char *fmt, ...)
{
	va_list ap;

	printf("  SKIP  ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	sim_skipped++;
}

void sim_begin(const char *scenario, u32 ncpus)
{
	static int gen;
	struct heap *h = calloc(1, sizeof(*h));
	char name[HEAP_NAME_LEN];

	if (scenario)
		printf("\n== %s (%u CPUs)\n", scenario, ncpus);
	fake_log_level = VMK_LOG_WARN;
	/* The CPUs' stacks as the last scenario left them name its worlds,
	 * whose memory this one's reuse. */
	fake_switch_reset();
	fake_switch_hook = sim_switch;
	fake_set_cpu(0);
	fake_set_now(SEC);
	sim_start = sim_mark_at = SEC;
	sim_region = aligned_alloc(PAGE_SIZE, SIM_REGION);
	sim_worlds = calloc(SIM_MAX, sizeof(*sim_worlds));
	if (!h || !sim_region || !sim_worlds ||
	    page_arena_init(&sim_arena, pa(0x10000000), SIM_REGION, sim_region))
		abort();
	snprintf(name, sizeof(name), "sim-%d", gen++);
	if (heap_create(h, name, &sim_arena, 0) || sched_init(ncpus, 2000) ||
	    world_init(h, ncpus))
		abort();
	sim_n = 0;
	memset(sim_by_slot, 0, sizeof(sim_by_slot));
	memset(sim_wheel, 0, sizeof(sim_wheel));
	sim_dec_total_ns = 0;
	sim_dec_count = 0;
}

void sim_end(void)
{
	free(sim_worlds);
	free(sim_region);
	sim_worlds = NULL;
	sim_region = NULL;
}

struct sim_world *sim_add(const char *name, enum sim_kind kind,
			  struct pool_node *pool, struct world_group *g,
			  u32 shares, u64 res, u64 limit)
{
	struct world_params p = {
		.name = name, .type = g ? VMK_WORLD_VMM : VMK_WORLD_SYSTEM,
		.pool = pool, .group = g,
		.alloc = { .shares = shares, .res = res,
			   .limit = limit ? limit : POOL_UNLIMITED },
	};
	struct sim_world *s;
	int ret;

	if (sim_n >= SIM_MAX)
		abort();
	s = &sim_worlds[sim_n++];
	memset(s, 0, sizeof(*s));
	ret = world_create(&p, &s->w);
	if (ret) {
		fprintf(stderr, "sim: world_create(%s): %d\n", name, ret);
		abort();
	}
	s->kind = kind;
	s->expect = -1;
	sim_by_slot[world_slot_of(s->w)] = s;
	world_start(s->w);
	return s;
}

u32 sim_nworlds(void)
{
	return sim_n;
}

struct sim_world *sim_get(u32 i)
{
	return &sim_worlds[i];
}

u64 sim_used(struct sim_world *s)
{
	struct world_stats st;

	world_stats(s->w, &st);
	return st.used_ns - s->used0;
}

void sim_mark(void)
{
	u32 i;

	for (i = 0; i < sim_n; i++) {
		sim_worlds[i].used0 = 0;
		sim_worlds[i].used0 = sim_used(&sim_worlds[i]);
	}
	sim_mark_at = arch_now_ns();
}

double sim_decision_ns(void)
{
	return sim_dec_count ? sim_dec_total_ns / sim_dec_count : 0;
}

static void sim_sleep(struct sim_world *s, u64 now)
{
	u64 tick = (now + s->sleep_ns) / SCHED_TICK_NS;

	s->wake_at = tick;
	s->wake_next = sim_wheel[tick % SIM_WHEEL];
	sim_wheel[tick % SIM_WHEEL] = s;
	world_wait(s);
}

static void sim_wake_due(u64 now)
{
	u64 tick = now / SCHED_TICK_NS;
	struct sim_world **pp = &sim_wheel[tick % SIM_WHEEL], *s;

	while ((s = *pp)) {
		if (s->wake_at != tick) {
			pp = &s->wake_next;
			continue;
		}
		*pp = s->wake_next;
		s->left = (s64)s->run_ns;
		world_wakeup(s);
	}
}

void sim_run(u64 ns, u64 sample_ns, void (*sample)(u64 t))
{
	u64 end = arch_now_ns() + ns, now, next_sample = arch_now_ns() + sample_ns;
	u32 ncpus = sched_ncpus(), cpu;
	struct world *cur;
	struct sim_world *s;
	double t0;

	while (arch_now_ns() < end) {
		fake_advance(SCHED_TICK_NS);
		now = arch_now_ns();
		fake_set_cpu(0);
		sim_wake_due(now);
		for (cpu = 0; cpu < ncpus; cpu++) {
			fake_set_cpu(cpu);
			cur = sched_current(cpu);
			s = sim_by_slot[world_slot_of(cur)];
			if (s && s->kind != SIM_CPU && s->w == cur) {
				s->left -= (s64)SCHED_TICK_NS;
				if (s->left <= 0)
					sim_sleep(s, now);
			}
			sched_tick();
		}
		for (cpu = 0; cpu < ncpus; cpu++) {
			fake_set_cpu(cpu);
			if (!sched_need_resched(cpu))
				continue;
			t0 = host_ns();
			sched_preempt_point();
			sim_dec_total_ns += host_ns() - t0;
			sim_dec_count++;
		}
		if (sample && now >= next_sample) {
			sample(now - sim_mark_at);
			next_sample += sample_ns;
		}
	}
	fake_set_cpu(0);
}

void sim_report_shares(u64 interval, double tol)
{
	double worst = 0, got, err;
	u32 i, shown = 0;

	for (i = 0; i < sim_n; i++) {
		struct sim_world *s = &sim_worlds[i];

		if (s->expect < 0)
			continue;
		got = (double)sim_used(s) / interval;
		err = s->expect > 0 ? (got - s->expect) / s->expect : got;
		if (err < 0)
			err = -err;
		if (err > worst)
			worst = err;
		if (shown++ < 12)
			printf("    %-12s achieved %6.2f%% of a CPU, entitled %6.2f%%"
			       " (error %.2f%%)\n", s->w->name, got * 100,
			       s->expect * 100, err * 100);
	}
	if (shown > 12)
		printf("    ... %u more\n", shown - 12);
	sim_check(worst < tol, "entitlement error of steady worlds %.3f%% < %.1f%%",
		  worst * 100, tol * 100);
}

int main(int argc, char **argv)
{
	const char *result = NULL;
	FILE *f;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--full"))
			sim_opts.full = true;
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			sim_opts.outdir = argv[++i];
		else if (!strcmp(argv[i], "--result") && i + 1 < argc)
			result = argv[++i];
		else {
			fprintf(stderr, "usage: sim [--full] [--out DIR] [--result FILE]\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("vmkx scheduler simulator (%s form)\n",
	       sim_opts.full ? "full" : "short");
	scenario_shares();
	scenario_res_limit();
	scenario_pools();
	scenario_cosched(COSCHED_RELAXED);
	scenario_cosched(COSCHED_STRICT);
	scenario_many();
	scenario_scaling();
	printf("\nsim: %u passed, %u failed, %u skipped\n", sim_pass, sim_fail,
	       sim_skipped);
	if (result) {
		f = fopen(result, "w");
		if (!f)
			return 1;
		fprintf(f, "sim %u %u %u\n", sim_pass, sim_fail, sim_skipped);
		fclose(f);
	}
	return sim_fail ? 1 : 0;
}
