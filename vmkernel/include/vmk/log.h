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
/*
 * A line of a panic's report that comes before panic() itself: to the
 * ring and to COM1 (whatever the log's serial setting), "PANIC: " in
 * front, without the lock, as panic() writes.  A panic message longer
 * than a line is cut; what does not fit goes in these.
 */
void log_panic_line(const char *fmt, ...) __printf(1, 2);
/* Bytes ever written to the log: the stream position of its end. */
u64 log_head(void);

/* Starts the log (entry_init): level and whether lines go to COM1 too. */
void log_init(u32 level, bool serial);

/*
 * Copies up to len bytes of the log starting at byte `from` of the
 * stream into buf.  Bytes already overwritten are skipped: a reader that
 * falls behind resumes at the oldest byte still held.  Returns the count
 * copied; *next is where the next read should start.
 */
u64 log_read(char *buf, u64 len, u64 from, u64 *next);

#define log_err(...)	log_printf(VMK_LOG_ERROR, __VA_ARGS__)
#define log_warn(...)	log_printf(VMK_LOG_WARN, __VA_ARGS__)
#define log_info(...)	log_printf(VMK_LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_printf(VMK_LOG_DEBUG, __VA_ARGS__)

#endif
