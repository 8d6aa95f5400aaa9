// SPDX-License-Identifier: GPL-2.0
/*
 * The vmkernel log: a ring buffer in the image's memory with lines in the
 * ESX shape "uptime cpuN:worldID) message", where uptime is
 * days:hours:minutes:seconds.milliseconds since load.  The console reads
 * it with the LOG_READ vmkcall; after an unload or a failed load the shim
 * reads the ring directly (struct vmk_log_ring in vmnix_abi.h), so the
 * last words of the vmkernel are never lost.  Optionally each line also
 * goes to the serial port.  log_lock guards the ring and the serial
 * port; it is a ranked IRQ lock (LOCK_RANK_LOG, the innermost: anything
 * may log, and nothing is acquired while holding it), so that an
 * interrupt handler that logs cannot deadlock against the code it
 * interrupted, and debug builds check it like every other lock.
 */
#include <stdarg.h>
#include <vmk/arch.h>
#include <vmk/check.h>
#include <vmk/format.h>
#include <vmk/lock.h>
#include <vmk/log.h>
#include <vmk/machine.h>
#include <vmk/string.h>
#include <vmk/world.h>

struct vmk_log_ring vmk_log_ring;

static u32 log_level = VMK_LOG_INFO;
static bool log_serial;
static struct irqlock log_lock = { SPINLOCK_INIT("log", LOCK_RANK_LOG) };

void log_init(u32 level, bool serial)
{
	log_level = level > VMK_LOG_DEBUG ? VMK_LOG_DEBUG : level;
	log_serial = serial;
	vmk_log_ring.size = VMK_LOG_SIZE;
	vmk_log_ring.head = 0;
	vmk_log_ring.magic = VMK_LOG_MAGIC;
}

static void ring_put(const char *s, size_t n)
{
	u64 head = vmk_log_ring.head;

	for (size_t i = 0; i < n; i++)
		vmk_log_ring.data[(head + i) % VMK_LOG_SIZE] = s[i];
	__atomic_store_n(&vmk_log_ring.head, head + n, __ATOMIC_RELEASE);
}

static int log_vformat(char *line, size_t size, int level, const char *fmt, va_list ap)
{
	static const char *const tags[] = { "ERROR: ", "WARNING: ", "", "" };
	u64 ms = arch_uptime_ns() / 1000000;
	u32 cpu = arch_cpu_index();
	int n;

	n = snprintf(line, size, "%lu:%02lu:%02lu:%02lu.%03lu cpu%u:%u) %s",
		     ms / 86400000, ms / 3600000 % 24, ms / 60000 % 60,
		     ms / 1000 % 60, ms % 1000, cpu, world_current_id(),
		     tags[level & 3]);
	if (n >= (int)size)
		n = (int)size - 1;
	n += vsnprintf(line + n, size - (size_t)n, fmt, ap);
	if (n > (int)size - 2)
		n = (int)size - 2;
	line[n++] = '\n';
	line[n] = '\0';
	return n;
}

void log_printf(int level, const char *fmt, ...)
{
	char line[256];
	unsigned long flags;
	va_list ap;
	int n;

	if (level > (int)log_level)
		return;
	va_start(ap, fmt);
	n = log_vformat(line, sizeof(line), level, fmt, ap);
	va_end(ap);

	flags = irqlock_lock(&log_lock);
	ring_put(line, (size_t)n);
	if (log_serial)
		arch_serial_write(line, (size_t)n);
	irqlock_unlock(&log_lock, flags);
}

u64 log_read(char *buf, u64 len, u64 from, u64 *next)
{
	u64 head = __atomic_load_n(&vmk_log_ring.head, __ATOMIC_ACQUIRE);
	u64 oldest = head > VMK_LOG_SIZE ? head - VMK_LOG_SIZE : 0;
	u64 n;

	if (from < oldest)
		from = oldest;
	if (from > head)
		from = head;
	n = MIN(len, head - from);
	for (u64 i = 0; i < n; i++)
		buf[i] = vmk_log_ring.data[(from + i) % VMK_LOG_SIZE];
	*next = from + n;
	return n;
}

u64 log_head(void)
{
	return __atomic_load_n(&vmk_log_ring.head, __ATOMIC_ACQUIRE);
}

static void log_panic_put(const char *fmt, va_list ap)
{
	char line[256];
	int n = log_vformat(line, sizeof(line), VMK_LOG_ERROR, fmt, ap);

	/* No lock: the CPU that holds it may be the one panicking. */
	ring_put("PANIC: ", 7);
	ring_put(line, (size_t)n);
	arch_serial_write("vmkernel PANIC: ", 16);
	arch_serial_write(line, (size_t)n);
}

void log_panic_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_panic_put(fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_panic_put(fmt, ap);
	va_end(ap);
	arch_halt();
}
