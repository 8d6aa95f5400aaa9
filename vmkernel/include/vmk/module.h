/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loadable vmkernel modules.  The first half is what a module sees: the
 * VMK_MODULE() declaration and the functions it may call beyond those of
 * <vmk/log.h>, <vmk/heap.h>, <vmk/lock.h>, <vmk/string.h> and
 * <vmk/format.h> (the full list is VMK_MOD_EXPORTS in vmnix_abi.h).  The
 * second half is the vmkernel's own interface to its module table
 * (kernel/module.c).
 *
 * A module is built from one or more C files with the vmkernel's flags,
 * linked with `ld -r` into one relocatable object, and loaded from the
 * console with vmkload_mod.  Its init runs in the vmkernel on the CPU
 * that loaded it, with no module lock held; it returns 0 or a negative
 * errno, and on an error everything it registered is undone with it.
 */
#ifndef VMK_MODULE_H
#define VMK_MODULE_H

#include <vmk/types.h>
#include <vmk/errno.h>
#include <vmk/format.h>
#include <vmk/heap.h>
#include <vmk/lock.h>
#include <vmk/log.h>
#include <vmk/string.h>
#include "vmnix_abi.h"

/*
 * Declares the module: its name, version string, init and cleanup (NULL
 * for none) and up to VMK_MOD_DEPS_MAX names of modules it needs loaded
 * first, e.g. VMK_MODULE(prof, "1.0", prof_init, prof_exit, "timer").
 */
#define VMK_MODULE(name_, version_, init_, cleanup_, ...)		\
	__attribute__((section(VMK_MODINFO_SECTION), used, aligned(8)))	\
	struct vmk_modinfo vmk_this_module = {				\
		.magic = VMK_MOD_MAGIC,					\
		.mod_abi = VMK_MOD_ABI_VERSION,				\
		.vmk_abi = VMK_ABI_VERSION,				\
		.name = #name_,						\
		.version = version_,					\
		.deps = { __VA_ARGS__ },				\
		.init = (vmk_u64)(init_),				\
		.cleanup = (vmk_u64)(cleanup_),				\
	}

/* A module vmkcall: the four arguments as the console passed them. */
typedef s64 (*module_call_fn)(u64 a0, u64 a1, u64 a2, u64 a3);

/*
 * The heap modules allocate from ("module" in /proc/vmware/mem), the one
 * their own code and data come from too.
 */
struct heap *module_heap(void);

/*
 * Serves vmkcall nr (VMK_CALL_MODULE_BASE + 0 .. VMK_CALL_MODULE_SLOTS - 1)
 * with fn, which must lie in the calling module's code.  -EINVAL for a
 * number outside that range or a function outside any module, -EBUSY if
 * the number is taken.  What a module leaves registered is unregistered
 * when it is unloaded.
 */
int module_vmkcall_register(u32 nr, module_call_fn fn);
/* -ENOENT if nr is not served by fn. */
int module_vmkcall_unregister(u32 nr, module_call_fn fn);

/* CPUs the vmkernel was loaded on (indexes 0 .. n - 1); nanoseconds
 * since it was loaded. */
u32 arch_ncpus(void);
u64 arch_uptime_ns(void);

/*
 * Worlds running module code.  module_world_create starts a world that
 * runs fn(arg) on the vmkernel's CPUs (fn must lie in the calling
 * module's code) with shares (0: 1,000) and exits when fn returns; it
 * answers the world's ID or a negative errno.  Such a world is scheduled
 * like any other (it appears in /proc/vmware/worlds and vmkworld list,
 * type helper) and, the vmkernel being non-preemptive, must reach a
 * scheduling point often: module_world_sleep() or module_world_yield().
 *
 * module_world_stop asks one of the module's worlds to stop, wakes it and
 * waits until it has returned (or, if it never ran, removes it); the
 * world sees module_world_should_stop() turn true, and its sleeps end at
 * once.  A module stops its worlds in its cleanup: unloading a module
 * whose worlds still run is refused (-EBUSY) if it has no cleanup, and
 * worlds a cleanup leaves running are stopped after it, with a warning.
 *
 * module_world_sleep(ns) blocks the calling module world for about ns
 * (counted in ticks of its CPU), or until module_world_wake(id) or a
 * stop; called anywhere else (init, cleanup, a vmkcall) it returns at
 * once.  module_world_yield() is a preemption point.
 */
typedef void (*module_world_fn)(void *arg);
s64 module_world_create(const char *name, module_world_fn fn, void *arg, u32 shares);
int module_world_stop(u32 id);
int module_world_wake(u32 id);
bool module_world_should_stop(void);
void module_world_sleep(u64 ns);
void module_world_yield(void);

/*
 * A read-only text file /proc/vmware/NAME served by the module: show
 * writes at most size bytes of text into buf and returns how many.
 * Names are 1 to VMK_MOD_NAME_LEN - 1 characters of [a-z0-9_-], unique
 * among module files, and may not be one of the shim's own files
 * (version, log, cpuinfo, worlds, mem, modules, vm); up to VMK_MOD_FILES_MAX
 * files in all.  The console sees a new file after the next module load
 * or unload.  A module's files go with it when it is unloaded.
 */
typedef u64 (*module_file_fn)(char *buf, u64 size);
int module_file_register(const char *name, module_file_fn show);
int module_file_unregister(const char *name);

/*
 * Timers: fn(arg) runs once delay_ns has passed, and then every
 * period_ns if that is not 0, from the tick's work on one of the
 * vmkernel's CPUs (so late by up to a tick, and never while no CPU is
 * the vmkernel's).  It runs at a scheduling point with interrupts off:
 * short, no sleeping.  module_timer_start answers the timer's id (> 0);
 * fn must lie in the calling module's code; up to MODULE_TIMERS_MAX in
 * all.  module_timer_cancel stops further runs (one running on another
 * CPU finishes); what a module leaves running is cancelled when it is
 * unloaded, and the unload waits for a run in progress.
 */
#define MODULE_TIMERS_MAX	32
typedef void (*module_timer_fn)(void *arg);
s64 module_timer_start(module_timer_fn fn, void *arg, u64 delay_ns, u64 period_ns);
int module_timer_cancel(u32 id);

/*
 * A function run on every vmkernel CPU's timer interrupt with the CPU's
 * index, where the interrupted code was, and whether it was the CPU's
 * idle world.  It runs with interrupts off and must be short: no locks,
 * no allocation.  One at a time (-EBUSY).  Unregistering waits until no
 * CPU runs it any longer.
 */
typedef void (*module_tick_fn)(u32 cpu, u64 rip, bool idle);
int module_tick_register(module_tick_fn fn);
int module_tick_unregister(module_tick_fn fn);

/*
 * What code address addr is: "vmkernel+0xOFF" for the image (its offset
 * from load_address in /proc/vmware/version, for addr2line on the
 * build's ELF), "MODULE+0xOFF" for a loaded module's text, "?" for
 * anything else.  Returns the length written (at most size - 1).
 */
u64 module_where(u64 addr, char *buf, u64 size);

/* ---- the vmkernel's side ------------------------------------------------ */

/* A checked and loaded module's id (> 0), or a negative errno. */
s64 module_load(const void *file, u64 size);
/* -ENOENT: no such module; -EBUSY: another module depends on it, or a
 * world of its own runs and it has no cleanup.  Calls into it still
 * running are waited for. */
int module_unload(u32 id);
/* Up to max loaded modules into out; returns how many. */
u32 module_list(struct vmk_module_stat *out, u32 max);
/* A vmkcall in the modules' range: -ENOSYS if no module serves it. */
s64 module_call(u64 nr, u64 a0, u64 a1, u64 a2, u64 a3);
/* The files modules serve: up to max into out; one's text (at most
 * VMK_MOD_FILE_TEXT_MAX bytes) into out, -ENOENT if it is gone. */
u32 module_files(struct vmk_module_file *out, u32 max);
s64 module_file_read(u32 id, char *out, u64 len);
/* From the timer interrupt of vmkernel CPU cpu. */
void module_tick(u32 cpu, u64 rip, bool idle);
/* From a vmkernel CPU's tick work: runs the module timers that are due. */
void module_timers_run(void);

/*
 * Page protection of a module's parts in the vmkernel's own page tables
 * (arch/x86/paging.c): text, read-only data, data; MODULE_PROT_REGION
 * puts back what the rest of the region has.
 */
enum module_prot { MODULE_PROT_RX, MODULE_PROT_R, MODULE_PROT_RW, MODULE_PROT_REGION };
int arch_module_protect(void *va, u64 size, enum module_prot prot);
/* Whether every page of [va, va + size) is mapped as prot would map it. */
bool arch_module_prot_is(void *va, u64 size, enum module_prot prot);

#endif
