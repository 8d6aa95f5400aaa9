// SPDX-License-Identifier: GPL-2.0
/*
 * A module built for another module ABI: refused with both versions
 * named.
 */
#include <vmk/module.h>

static int badabi_init(void)
{
	return 0;
}

__attribute__((section(VMK_MODINFO_SECTION), used, aligned(8)))
struct vmk_modinfo vmk_this_module = {
	.magic = VMK_MOD_MAGIC,
	.mod_abi = VMK_MOD_ABI_VERSION + 1,
	.vmk_abi = VMK_ABI_VERSION,
	.name = "badabi",
	.version = "1.0",
	.init = (vmk_u64)badabi_init,
};
