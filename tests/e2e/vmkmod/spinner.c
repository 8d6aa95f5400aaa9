// SPDX-License-Identifier: GPL-2.0
/*
 * A module that starts a world and has no cleanup to stop it: its unload
 * is refused while the world runs, and allowed once the console has
 * destroyed the world (vmkworld destroy).  The world burns CPU and
 * reaches a preemption point at every turn.
 */
#include <vmk/module.h>

static u64 spinner_loops;

static void spinner_main(void *arg)
{
	(void)arg;
	while (!module_world_should_stop()) {
		WRITE_ONCE(spinner_loops, spinner_loops + 1);
		module_world_yield();
	}
}

static int spinner_init(void)
{
	s64 id = module_world_create("spinner", spinner_main, NULL, 0);

	if (id < 0)
		return (int)id;
	log_info("spinner: world %ld", id);
	return 0;
}

VMK_MODULE(spinner, "1.0", spinner_init, NULL);
