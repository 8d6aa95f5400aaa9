// SPDX-License-Identifier: GPL-2.0
/*
 * A module that depends on hello: it loads only while hello is loaded,
 * and hello cannot be unloaded under it.
 */
#include <vmk/module.h>

static int needhello_init(void)
{
	log_info("needhello: loaded after hello");
	return 0;
}

VMK_MODULE(needhello, "1.0", needhello_init, NULL, "hello");
