/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The console worlds: Linux, the service console, runs on each CPU it
 * keeps as that CPU's console world, a world of the world table like
 * any other (type console, pinned to its CPU, ESX's 2,000 shares).  The
 * scheduler does not choose it: while the CPU is in the console's hands
 * the console world is its running world (sched_hold()), and when the
 * CPU leaves the vmkernel (hotplug, unload) it waits.
 *
 * console_enter() and console_leave() are called on the CPU itself by
 * the machine layer, as it starts and stops running Linux as a guest.
 */
#ifndef VMK_CONSOLE_H
#define VMK_CONSOLE_H

#include <vmk/types.h>

struct world;

#define CONSOLE_SHARES	2000U

/* One console world per CPU, in state new.  After world_init(). */
int console_init(u32 ncpus);
/* CPU cpu runs the console from now on / no longer. */
void console_enter(u32 cpu);
void console_leave(u32 cpu);
/* CPU cpu's console world. */
struct world *console_world(u32 cpu);

#endif
