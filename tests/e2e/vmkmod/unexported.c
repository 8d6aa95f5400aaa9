// SPDX-License-Identifier: GPL-2.0
/*
 * A module that calls a vmkernel function outside VMK_MOD_EXPORTS
 * (world_count): both the console's check and the vmkernel must refuse
 * it, naming the symbol.
 */
#include <vmk/module.h>

u32 world_count(void);

static int unexported_init(void)
{
	return world_count() ? 0 : -EINVAL;
}

VMK_MODULE(unexported, "1.0", unexported_init, NULL);
