/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmnix: the shim between Linux and the vmkernel.  Internal interfaces
 * of the module: the load state (load.c), vmkcalls, and /proc/vmware
 * (proc.c).
 *
 * Locking: vmnix.lock (a mutex) serialises load, unload and status (a
 * second load or unload while one runs gets -EBUSY).  vmnix.calls (an
 * rwsem) is held for reading by every path that issues a vmkcall or reads
 * the state a load sets up (/proc/vmware, tools' vmkcalls), and for
 * writing wherever vmnix.loaded or the kept log change, so that no
 * vmkcall is issued once the CPUs are back on bare hardware (where
 * VMMCALL would fault).  CPU hotplug callbacks run under the hotplug
 * lock, which stop_machine also takes, so they never race a load's or an
 * unload's rendezvous.  Lock order: lock, then calls, then the hotplug
 * lock.
 */
#ifndef VMNIX_H
#define VMNIX_H

#include <linux/cpumask.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include "vmnix_abi.h"

struct vmnix {
	struct mutex lock;
	struct rw_semaphore calls;
	bool loaded;		/* the vmkernel owns the CPUs (write: both locks) */
	bool loading;		/* a load is in progress: hotplug is refused */
	bool unloading;		/* an unload is in progress: so is onlining */
	/* CPUs inside the vmkernel, by index; changed only under stop_machine
	 * or in a hotplug callback (both hold the hotplug lock). */
	bool cpu_in[VMK_MAX_CPUS];
	/* CPUs given to the vmkernel (cpus.c, under lock), and the Linux CPU
	 * being given right now, whose offline callback gives it, or -1. */
	bool given[VMK_MAX_CPUS];
	int giving;
	int (*entry_cpu)(u32 index);

	/* Valid while loaded; copied out of the image at load, because the
	 * console cannot read vmkernel memory once the CPUs have entered. */
	phys_addr_t base;
	size_t size;
	void *va;		/* the region, mapped executable */
	char version[32];
	u32 ncpus;
	int index_of[NR_CPUS];	/* vmkernel CPU index of a Linux CPU, or -1 */
	int cpu_of[VMK_MAX_CPUS];	/* Linux CPU of a vmkernel CPU index */
	/* The load's key (vmk_boot_info.load_key), carried by every UNLOAD;
	 * set before entry_init, never given to a tool. */
	u64 load_key;
	time64_t loaded_since;
	u64 load_ns;
	u64 unload_ns;

	/* The log as it was at the last unload or failed load. */
	char *last_log;
	size_t last_log_len;
};

extern struct vmnix vmnix;

int vmnix_load(struct vmnix_load *req, const void __user *image);
int vmnix_unload(void);
int vmnix_unload_vms_gone(void);
void vmnix_status(struct vmnix_status *st);
int vmnix_cpu_online(unsigned int cpu);
int vmnix_cpu_give(struct vmnix_cpu *req);
int vmnix_cpu_take(struct vmnix_cpu *req);
/* Before an unload: every given CPU back to the console. */
int vmnix_cpus_take_all(void);
int vmnix_cpu_offline(unsigned int cpu);

/* A vmkcall on the calling CPU.  Caller holds vmnix.calls and has checked
 * vmnix.loaded. */
static inline long vmnix_vmkcall(unsigned long nr, unsigned long a0,
				 unsigned long a1, unsigned long a2,
				 unsigned long a3)
{
	return vmk_vmmcall(nr, a0, a1, a2, a3);
}

/* Issues a vmkcall if the vmkernel is loaded; -ENODEV otherwise. */
long vmnix_call(unsigned long nr, unsigned long a0, unsigned long a1,
		unsigned long a2, unsigned long a3);

int vmnix_proc_init(void);
void vmnix_proc_exit(void);
/* Makes /proc/vmware match the files the vmkernel's modules serve now
 * (none if it is not loaded).  Takes vmnix.calls: call it without. */
void vmnix_proc_modfiles_refresh(void);

/* /proc/vmware/vm (procvm.c): made under parent; resynchronised with the
 * vmkernel's VMs (not from inside a /proc/vmware/vm file's handler). */
struct proc_dir_entry;
int vmnix_procvm_init(struct proc_dir_entry *parent);
void vmnix_procvm_sync(void);
void vmnix_procvm_exit(void);

#endif
