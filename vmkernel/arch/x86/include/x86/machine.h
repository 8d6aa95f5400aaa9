/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86 vmkernel's machine state: the reserved region and how it is
 * mapped, the page tables, and one struct percpu for each CPU that
 * enters.  The boot CPU fills it in entry_init, before any CPU enters;
 * afterwards each CPU writes only its own struct percpu (its exit
 * handler is the only writer), and readers on other CPUs see counters
 * that may be a moment old.
 */
#ifndef X86_MACHINE_H
#define X86_MACHINE_H

#include <vmk/types.h>
#include <vmk/page.h>
#include "vmnix_abi.h"
#include "x86/frame.h"

struct virt_cpu;

#define STACK_SIZE		(16 * 1024)

struct percpu {
	u32 index;
	u32 apic_id;
	u32 linux_cpu;
	u32 state;			/* enum vmk_cpu_state */
	struct virt_cpu *virt;		/* the backend's (x86/virt.h) */
	u8 *stack;			/* STACK_SIZE bytes */
	struct host_frame *frame;	/* at the top of stack */
	struct leave_state leave;
	u64 exits[VMK_EXIT_KINDS];
	u64 exits_total;
	u64 vmk_tsc;			/* cycles spent handling exits */
	u64 entered_tsc;
	bool leave_requested;		/* an UNLOAD vmkcall is being answered */

	/* While the vmkernel owns the CPU (vmkcpu.c); GS base points here,
	 * so that a world on any stack finds its CPU. */
	struct percpu *self;
	u64 vmk_since_tsc;		/* when it became the vmkernel's */
	u64 timer_irqs, resched_irqs;
	u64 stray_irqs;			/* vectors Linux left pending */
	u64 irq_tsc;			/* cycles in the timer and IPI handlers */
};

struct machine {
	paddr_t region_pa;
	u64 region_size;
	u64 region_va;
	u64 tsc_khz;
	u64 boot_tsc;
	u32 ncpus;
	u32 flags;
	u32 fail_cpu;
	u32 fail_step;
	u32 levels;			/* paging levels: 4 or 5 */
	u32 ncpus_running;		/* atomically updated */
	u64 host_cr3;			/* the vmkernel's page tables */
	u64 npt_cr3;			/* the console's nested page tables */
	u64 npt_span;			/* guest-physical bytes mapped */
	paddr_t msrpm_pa;
	paddr_t iopm_pa;
	paddr_t scratch_pa;		/* stands in for vmkernel pages the console touches */
	u64 apic_pa;			/* the local APIC's page (same on every CPU) */
	u8 *stacks;			/* all CPUs' stacks, contiguous */
	bool in_init;			/* entry_init runs: a panic returns there */
	void *init_jmp[5];		/* __builtin_setjmp's buffer for that */
	struct percpu cpu[VMK_MAX_CPUS];
};

extern struct machine machine;

/* Zeroed whole pages (bytes rounded up to a power-of-two number of
 * pages) from the machine layer's heap; NULL when none are left. */
void *machine_alloc(u64 bytes);
paddr_t virt_to_region_pa(const void *p);
void *region_pa_to_virt(paddr_t p);
bool pa_in_region(u64 pa, u64 len);

/* reloc.c: applies the image's relocations; 0, or -1 for a bad entry. */
int reloc_self(void);

/* paging.c */
int paging_init(void);
int npt_map_scratch(u64 gpa);
int npt_build_range(u64 base, u64 size, u32 level, paddr_t *root_pa);
int paging_map_uncached(u64 va, u64 pa);

/* trap.c */
void trap_init(void);
void trap_set_gate(u32 vector, void (*entry)(void));
extern struct desc_ptr vmk_gdt_ptr, vmk_idt_ptr;

/* entry.S */
int vmk_entry_cpu(u32 index);

/* The image's entry points (the header names them) */
int vmk_entry_init(struct vmk_boot_info *bi);

/* vmkcpu.c: a HLT exit on a CPU being given (irqs_on: the console's
 * RFLAGS.IF); true if it is ours now, false for an idle halt that the
 * backend steps over. */
bool vmkcpu_hlt_exit(struct percpu *c, bool irqs_on);
__noreturn void vmkcpu_start(struct host_frame *f);
void vmkcpu_init(void);
/* rip: where the interrupt came in (the IRQ entry passes it). */
void vmkcpu_irq_timer(u64 rip);
void vmkcpu_irq_resched(void);
void vmkcpu_irq_stray(void);
/* entry.S: the interrupt entry points. */
void irq_entry_timer(void);
void irq_entry_resched(void);
void irq_entry_spurious(void);
void irq_entry_stray(void);
struct trap_frame;
__noreturn void trap_handler(struct trap_frame *t);

/* The per-CPU structure of the calling CPU. */
struct percpu *this_cpu(void);

#endif
