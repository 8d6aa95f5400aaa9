/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scheduler simulator: the real core (vmkernel/core/) on the fake
 * arch, driven tick by tick on simulated CPUs by worlds with simulated
 * behaviour.  sim.c is the engine and the checks; scenarios.c the
 * scenarios.
 */
#ifndef TESTS_SIM_SIM_H
#define TESTS_SIM_SIM_H

#include <stdbool.h>
#include <stdio.h>

#include <vmk/sched.h>
#include <vmk/world.h>

#define MS	1000000ULL
#define SEC	1000000000ULL

enum sim_kind {
	SIM_CPU,	/* always runnable */
	SIM_IO,		/* runs run_ns, then waits sleep_ns */
	SIM_BURSTY,	/* CPU-bound for run_ns, idle for sleep_ns */
};

struct sim_world {
	struct world *w;
	enum sim_kind kind;
	u64 run_ns, sleep_ns;
	s64 left;		/* of the current burst */
	u64 wake_at;
	struct sim_world *wake_next;
	double expect;		/* entitled CPUs, for steady worlds; <0: none */
	u64 used0;		/* used at the start of the measurement */
};

struct sim_opts {
	bool full;		/* the long form (bench) */
	const char *outdir;	/* data files and plots */
};

extern struct sim_opts sim_opts;

/* A fresh machine; scenario NULL prints no heading. */
void sim_begin(const char *scenario, u32 ncpus);
void sim_end(void);
struct sim_world *sim_add(const char *name, enum sim_kind kind,
			  struct pool_node *pool, struct world_group *g,
			  u32 shares, u64 res, u64 limit);
/* Runs all CPUs for ns; calls sample every sample_ns (0: never). */
void sim_run(u64 ns, u64 sample_ns, void (*sample)(u64 t));
u64 sim_used(struct sim_world *s);
/* Starts measuring used time from now. */
void sim_mark(void);
u32 sim_nworlds(void);
struct sim_world *sim_get(u32 i);
/* Most recent cost of a scheduling decision (ns, host clock). */
double sim_decision_ns(void);

/* One check, printed as PASS/FAIL and counted. */
void sim_check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sim_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints each steady world's share against its entitlement over the
 * measured interval and checks the largest error against tol (0.01 = 1%). */
void sim_report_shares(u64 interval, double tol);

void scenario_shares(void);
void scenario_res_limit(void);
void scenario_pools(void);
void scenario_cosched(enum cosched_mode mode);
void scenario_many(void);
void scenario_scaling(void);

#endif
