/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtualization vendor interface: what the x86 machine layer asks
 * of the backend that runs the console world as a guest (AMD SVM in
 * arch/x86/svm/).  Exactly one backend is linked; the vmkernel's source
 * list chooses it.  The backend keeps its per-CPU state in its own
 * struct virt_cpu, which the x86 layer only points to (struct percpu's
 * virt), and its run loop finds what it needs in the host frame's
 * virt_pa.
 */
#ifndef X86_VIRT_H
#define X86_VIRT_H

#include <vmk/types.h>

struct percpu;

/* Does this CPU have what the backend needs?  0, or a negative errno
 * with the reason logged.  Changes nothing. */
int virt_check_cpu(void);

/* Machine-wide state (intercept maps, the floor guest), once, before
 * any CPU enters.  0 or -ENOMEM. */
int virt_init(void);

/* A CPU's backend state and pages, once at start-up: sets c->virt and
 * c->frame->virt_pa (c->frame must be set).  0 or -ENOMEM. */
int virt_cpu_setup(struct percpu *c);

/*
 * Called from vmk_entry_cpu on the CPU that enters: turns
 * virtualization on and launches the console world so that it resumes
 * at resume_rip on linux_rsp with callee_saved (RBX, RBP, R12-R15) as
 * they were.  Returns only if the CPU did not enter: a negative errno,
 * with the CPU's state as Linux had it.
 */
int virt_cpu_enter(u32 index, u64 linux_rsp, u64 resume_rip, const u64 *callee_saved);

/* Whether the console world's HLT exits on this CPU (giving it). */
void virt_set_halt_exit(struct percpu *c, bool on);

/* Virtualization off on the calling CPU, its host state as Linux had
 * it before the CPU entered: for a CPU that parks. */
void virt_restore_host(struct percpu *c);

#endif
