/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fake architecture: the arch hooks implemented on the host so the
 * core runs in unit tests and the scheduler simulator.  The current CPU
 * and the clock are plain variables that the test sets; the log goes to
 * stderr (log.c) or to the real ring (kernel/log.c); panic() can be
 * caught with FAKE_CATCH_PANIC() so a test can assert that a broken
 * invariant was detected.  machine.c stands in for the machine that
 * kernel/ (the log and the vmkcalls) asks about.
 *
 * The host cannot suspend a C call chain, so arch_world_switch() calls
 * fake_switch_hook instead: the hook plays the other worlds (it runs with
 * the scheduler's choice, next, current) and returns when the test is
 * done with them.  Without a hook a world that blocks panics, since
 * nothing could ever wake it.
 */
#ifndef VMK_FAKE_H
#define VMK_FAKE_H

#include <setjmp.h>
#include <vmk/types.h>
#include "vmnix_abi.h"

struct world;

void fake_set_cpu(u32 cpu);
void fake_set_now(u64 ns);
void fake_advance(u64 ns);

/* Whether interrupts are enabled on the current fake CPU. */
bool fake_irq_enabled(void);

/* Messages at or below this level reach stderr (default: warnings). */
extern int fake_log_level;
/* The last line logged and the last panic message. */
extern char fake_last_log[512];
extern char fake_panic_msg[512];

extern void (*fake_switch_hook)(struct world *prev, struct world *next);
/*
 * The stack switch as the real one runs on SMP: arch_world_switch() on a
 * CPU begins a switch (prev still on the CPU), calls fake_window_hook
 * once if set (the test plays the other CPUs there, while this CPU has
 * not yet left prev's stack), then saves prev (fake_switch_save():
 * the CPU is on next's stack; prev->on_cpu cleared and next's set, as
 * x86 does) and calls
 * fake_switch_hook.  Entering a world another CPU's stack pointer is
 * still in panics.  arch_cpu_relax() calls fake_relax_hook if set
 * (the test may let the awaited CPU go on, e.g. fake_switch_save()),
 * and panics otherwise.  fake_switch_reset() forgets every CPU's stack
 * and both hooks.
 */
extern void (*fake_window_hook)(struct world *prev, struct world *next);
extern void (*fake_relax_hook)(void);
void fake_switch_save(u32 cpu);
void fake_switch_reset(void);
struct world *fake_stack_of(u32 cpu);
/* Switches made by arch_world_switch(). */
extern u64 fake_switches;
/* Reschedule IPIs asked for (arch_cpu_kick()). */
extern u64 fake_kicks;
extern u64 fake_module_protects;	/* arch_module_protect calls */

extern jmp_buf *fake_panic_jmp;

/*
 * machine.c.  arch_guest_ptr() asks fake_guest_ptr_hook, and refuses
 * every buffer with -EFAULT when there is none.  arch_cpu_stats() copies
 * fake_cpu_stats[] for the first fake_ncpus CPUs.  What arch_serial_write()
 * sends lands in fake_serial; fake_serial_len counts every byte, also
 * those that no longer fit.
 */
#define FAKE_SERIAL_SIZE	(256 * 1024)
extern void *(*fake_guest_ptr_hook)(u64 gpa, u64 len, int *err);
extern u32 fake_ncpus;
extern struct vmk_cpu_stats fake_cpu_stats[VMK_MAX_CPUS];
extern u64 fake_leave_requests;
extern u64 fake_floor_calls;
extern char fake_serial[FAKE_SERIAL_SIZE];
extern size_t fake_serial_len;

/*
 * Runs stmt; evaluates to true if it panicked (fake_panic_msg says why).
 * Locks the panicking code held stay held: the test releases them.
 */
#define FAKE_CATCH_PANIC(stmt)						\
	({								\
		jmp_buf fake_jb_;					\
		volatile bool fake_panicked_ = false;			\
		jmp_buf *fake_prev_ = fake_panic_jmp;			\
		fake_panic_jmp = &fake_jb_;				\
		if (setjmp(fake_jb_) == 0) {				\
			stmt;						\
		} else {						\
			fake_panicked_ = true;				\
		}							\
		fake_panic_jmp = fake_prev_;				\
		(bool)fake_panicked_;					\
	})

#endif
