/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vmkernel log.  Levels have fixed meanings: error = a vmkernel bug;
 * warning = a misbehaving console or guest; info = what the vmkernel did;
 * debug = detail for developers.  Lines take the ESX shape
 * "uptime cpuN:worldID) message".
 */
#ifndef VMK_LOG_H
#define VMK_LOG_H

#include <vmk/types.h>
#include "vmnix_abi.h"

void log_printf(int level, const char *fmt, ...) __printf(2, 3);
/* Bytes ever written to the log: the stream position of its end. */
u64 log_head(void);

#define log_err(...)	log_printf(VMK_LOG_ERROR, __VA_ARGS__)
#define log_warn(...)	log_printf(VMK_LOG_WARN, __VA_ARGS__)
#define log_info(...)	log_printf(VMK_LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_printf(VMK_LOG_DEBUG, __VA_ARGS__)

#endif
