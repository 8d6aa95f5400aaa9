// SPDX-License-Identifier: GPL-2.0
/*
 * A module whose init registers a vmkcall and then fails: the vmkernel
 * must take the vmkcall away with the module and leave the module heap
 * as it was.
 */
#include <vmk/module.h>

static s64 failinit_call(u64 a0, u64 a1, u64 a2, u64 a3)
{
	return (s64)(a0 + a1 + a2 + a3);
}

static int failinit_init(void)
{
	int err = module_vmkcall_register(VMK_CALL_MODULE_BASE + 1, failinit_call);

	if (err)
		return err;
	log_info("failinit: vmkcall 0x%x registered; failing on purpose",
		 VMK_CALL_MODULE_BASE + 1);
	return -EIO;
}

VMK_MODULE(failinit, "1.0", failinit_init, NULL);
