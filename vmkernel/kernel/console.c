// SPDX-License-Identifier: GPL-2.0
/*
 * The console worlds (see <vmk/console.h>).  Each CPU's console world is
 * written once, at start-up, before any CPU enters; afterwards only
 * its own CPU changes its state, through the scheduler's locks.
 */
#include <vmk/check.h>
#include <vmk/console.h>
#include <vmk/errno.h>
#include <vmk/format.h>
#include <vmk/sched.h>
#include <vmk/world.h>

static struct world *console_worlds[VMK_MAX_CPUS];
static u32 console_ncpus;

int console_init(u32 ncpus)
{
	char name[WORLD_NAME_LEN];
	struct world_params p = {
		.name = name,
		.type = VMK_WORLD_CONSOLE,
		.alloc = { .shares = CONSOLE_SHARES },
	};
	int err;
	u32 cpu;

	if (ncpus > VMK_MAX_CPUS)
		return -EINVAL;
	for (cpu = 0; cpu < ncpus; cpu++) {
		snprintf(name, sizeof(name), "console%u", cpu);
		p.affinity = 1ULL << cpu;
		err = world_create(&p, &console_worlds[cpu]);
		if (err)
			return err;
		/* Its CPU from the start, for the listing: a new world is no
		 * run queue's yet, so this is not the scheduler's field yet. */
		console_worlds[cpu]->cpu = cpu;
	}
	console_ncpus = ncpus;
	return 0;
}

struct world *console_world(u32 cpu)
{
	CHECK(cpu < console_ncpus);
	return console_worlds[cpu];
}

void console_enter(u32 cpu)
{
	sched_hold(cpu, console_world(cpu));
}

void console_leave(u32 cpu)
{
	struct world *w = console_world(cpu);

	if (sched_current(cpu) == w)
		sched_release(cpu, w);
}
