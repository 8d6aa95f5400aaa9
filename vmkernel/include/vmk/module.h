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

/* ---- the vmkernel's side ------------------------------------------------ */

/* A checked and loaded module's id (> 0), or a negative errno. */
s64 module_load(const void *file, u64 size);
/* -ENOENT: no such module; -EBUSY: another module depends on it or a
 * call into it is running. */
int module_unload(u32 id);
/* Up to max loaded modules into out; returns how many. */
u32 module_list(struct vmk_module_stat *out, u32 max);
/* A vmkcall in the modules' range: -ENOSYS if no module serves it. */
s64 module_call(u64 nr, u64 a0, u64 a1, u64 a2, u64 a3);

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
