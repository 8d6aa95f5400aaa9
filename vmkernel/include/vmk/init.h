/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vmkernel's start-up (kernel/init.c), called by the machine layer's
 * entry_init once the image has relocated itself.
 */
#ifndef VMK_INIT_H
#define VMK_INIT_H

#include <vmk/types.h>
#include "vmnix_abi.h"

/* Brings the vmkernel up before any CPU enters: 0 or a negative errno,
 * after which the shim releases the region. */
int init_vmkernel(const struct vmk_boot_info *bi);

#endif
