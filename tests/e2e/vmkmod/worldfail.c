// SPDX-License-Identifier: GPL-2.0
/*
 * A module whose init starts a world, adds a file and a timer, then
 * fails: the failed load must take all three away with the module, the
 * world stopped before its code is freed.
 */
#include <vmk/module.h>

static void worldfail_main(void *arg)
{
	(void)arg;
	while (!module_world_should_stop())
		module_world_sleep(1000000);
}

static u64 worldfail_show(char *buf, u64 size)
{
	return (u64)snprintf(buf, size, "never seen\n");
}

static void worldfail_tick(void *arg)
{
	(void)arg;
}

static int worldfail_init(void)
{
	s64 id = module_world_create("worldfail", worldfail_main, NULL, 0);

	if (id < 0)
		return (int)id;
	if (module_file_register("worldfail", worldfail_show) ||
	    module_timer_start(worldfail_tick, NULL, 1000000, 1000000) < 0)
		return -ENOMEM;
	return -EIO;
}

VMK_MODULE(worldfail, "1.0", worldfail_init, NULL);
