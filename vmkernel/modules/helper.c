// SPDX-License-Identifier: GPL-2.0
/*
 * A helper world in a module: init starts a world that wakes every
 * HELPER_PERIOD_NS (or when vmkcall VMK_CALL_MODULE_BASE + HELPER_CALL
 * asks it to) and counts its wakeups, the shape of any periodic
 * housekeeping a driver would do.  /proc/vmware/helper shows the world
 * and its count; cleanup stops the world before the module goes, so the
 * world list loses it with the module.  A timer of HELPER_TIMER_NS counts
 * its own runs beside, from the tick's work rather than in a world.
 */
#include <vmk/module.h>

#define HELPER_CALL		3
#define HELPER_PERIOD_NS	10000000ULL	/* 10 ms */
#define HELPER_TIMER_NS		20000000ULL	/* 20 ms */

static u32 helper_world;
static u64 helper_wakeups;	/* written by the world only */
static u64 helper_last_ns;
static u64 helper_asked;	/* wakeups asked for by the vmkcall */
static u32 helper_timer;
static u64 helper_timer_runs;

static void helper_tick(void *arg)
{
	(void)arg;
	WRITE_ONCE(helper_timer_runs, helper_timer_runs + 1);
}

static void helper_main(void *arg)
{
	(void)arg;
	while (!module_world_should_stop()) {
		module_world_sleep(HELPER_PERIOD_NS);
		if (module_world_should_stop())
			break;
		WRITE_ONCE(helper_wakeups, helper_wakeups + 1);
		WRITE_ONCE(helper_last_ns, arch_uptime_ns());
	}
}

static u64 helper_show(char *buf, u64 size)
{
	u64 last = READ_ONCE(helper_last_ns);
	int n = snprintf(buf, size,
			 "world %u\nperiod_ms %lu\nwakeups %lu\nasked %lu\nlast_ms %lu\n"
			 "timer %u\ntimer_ms %lu\ntimer_runs %lu\n",
			 helper_world, (u64)(HELPER_PERIOD_NS / 1000000),
			 READ_ONCE(helper_wakeups), READ_ONCE(helper_asked),
			 last / 1000000, helper_timer, (u64)(HELPER_TIMER_NS / 1000000),
			 READ_ONCE(helper_timer_runs));

	return n < 0 ? 0 : MIN((u64)n, size);
}

/* Wakes the world now; answers the wakeups counted so far. */
static s64 helper_call(u64 a0, u64 a1, u64 a2, u64 a3)
{
	int err;

	(void)a0, (void)a1, (void)a2, (void)a3;
	__atomic_add_fetch(&helper_asked, 1, __ATOMIC_RELAXED);
	err = module_world_wake(helper_world);
	return err ? err : (s64)READ_ONCE(helper_wakeups);
}

static int helper_init(void)
{
	s64 id;
	int err;

	id = module_world_create("modhelper", helper_main, NULL, 0);
	if (id < 0)
		return (int)id;
	helper_world = (u32)id;
	err = module_file_register("helper", helper_show);
	if (!err) {
		id = module_timer_start(helper_tick, NULL, HELPER_TIMER_NS, HELPER_TIMER_NS);
		err = id < 0 ? (int)id : 0;
		helper_timer = id < 0 ? 0 : (u32)id;
	}
	if (!err)
		err = module_vmkcall_register(VMK_CALL_MODULE_BASE + HELPER_CALL, helper_call);
	if (err) {
		/* What init registered goes with the failed load; the world
		 * is stopped here to say so plainly. */
		module_world_stop(helper_world);
		return err;
	}
	log_info("helper: world %u wakes every %lu ms", helper_world,
		 (u64)(HELPER_PERIOD_NS / 1000000));
	return 0;
}

static void helper_exit(void)
{
	int err;

	module_timer_cancel(helper_timer);
	err = module_world_stop(helper_world);

	log_info("helper: world %u stopped (%d) after %lu wakeups", helper_world,
		 err, READ_ONCE(helper_wakeups));
}

VMK_MODULE(helper, "1.0", helper_init, helper_exit);
