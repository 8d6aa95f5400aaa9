// SPDX-License-Identifier: GPL-2.0
/*
 * The floor: what one VMRUN/#VMEXIT pair costs on this CPU with nothing
 * else in it.  A 64-bit guest in the same kind of mode as the console
 * (long mode, paging on, 4- or 5-level as the host) and with the same
 * kind of mappings (1 GiB pages, guest-physical = machine-physical),
 * whose only instruction is VMMCALL.  It sees the 1 GiB around its own
 * five pages: the code page and its PML5, PML4 and PDPT (the fifth is
 * spare).  Each sample is the TSC across one VMRUN that exits straight
 * back.  Every round trip of the console into the vmkernel can be shown
 * as a multiple of this.
 *
 * The guest runs with interrupts masked (RFLAGS.IF = 0); NMI, SMI and
 * INIT are intercepted so that they wait for the console.  A physical
 * interrupt exit is retried, any other exit ends the measurement.
 */
#include <vmk/errno.h>
#include <vmk/machine.h>
#include <vmk/string.h>
#include "x86/cpu.h"
#include "x86/machine.h"
#include "svm.h"

#define FLOOR_ASID	2

static paddr_t floor_npt;


static u64 floor_rip, floor_cr3;

int floor_init(void)
{
	u8 *mem = machine_alloc(5 * PAGE_SIZE);

	if (!mem)
		return -ENOMEM;
	u64 base = pa_addr(virt_to_region_pa(mem));
	u64 slot = base & ~(((u64)1 << 30) - 1);
	u64 *pml5 = (u64 *)(mem + 0x1000), *pml4 = (u64 *)(mem + 0x2000);
	u64 *pdpt = (u64 *)(mem + 0x3000);

	mem[0] = 0x0f;		/* vmmcall */
	mem[1] = 0x01;
	mem[2] = 0xd9;
	/* The guest's tables map the 1 GiB slot one to one with one page. */
	pml5[(slot >> 48) & 511] = (base + 0x2000) | 0x7;
	pml4[(slot >> 39) & 511] = (base + 0x3000) | 0x7;
	pdpt[(slot >> 30) & 511] = slot | 0x87;
	floor_rip = base;
	floor_cr3 = base + ((read_cr4() & CR4_LA57) ? 0x1000 : 0x2000);
	return npt_build_range(slot, (u64)1 << 30, 3, &floor_npt);
}

static void floor_vmcb_init(struct vmcb *v)
{
	static const struct vmcb_seg code = { .attrib = 0xa9b, .limit = 0xffffffff };
	static const struct vmcb_seg data = { .attrib = 0xc93, .limit = 0xffffffff };

	memset(v, 0, sizeof(*v));
	v->control.intercept3 = (1U << 0) | (1U << 1) | (1U << 2) | (1U << 3) |
				SVM_INTERCEPT_SHUTDOWN;	/* INTR NMI SMI INIT */
	v->control.intercept4 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL;
	v->control.iopm_base_pa = pa_addr(machine.iopm_pa);
	v->control.msrpm_base_pa = pa_addr(machine.msrpm_pa);
	v->control.asid = FLOOR_ASID;
	v->control.tlb_control = SVM_TLB_FLUSH_ALL;
	v->control.nested_ctl = SVM_NP_ENABLE;
	v->control.nested_cr3 = pa_addr(floor_npt);
	v->save.cs = code;
	v->save.ss = data;
	v->save.ds = data;
	v->save.es = data;
	v->save.fs = data;
	v->save.gs = data;
	v->save.gdtr.limit = 0xf;
	v->save.idtr.limit = 0xf;
	v->save.cr0 = 0x80050033;	/* PG WP NE ET MP PE */
	v->save.cr4 = read_cr4() & (CR4_PAE | CR4_LA57 | CR4_PGE | CR4_OSFXSR |
				    CR4_OSXMMEXCPT | CR4_OSXSAVE | CR4_FSGSBASE);
	v->save.cr3 = floor_cr3;
	v->save.rip = floor_rip;
	v->save.efer = EFER_SVME | EFER_LME | EFER_LMA | EFER_NXE;
	v->save.dr6 = 0xffff0ff0;
	v->save.dr7 = 0x400;
	v->save.rflags = 2;
	v->save.g_pat = 0x0007040600070406ULL;
}

s64 arch_floor(u64 count, u64 *samples)
{
	struct percpu *c = this_cpu();
	struct vmcb *v = c->virt->floor_vmcb;
	u64 pa = pa_addr(virt_to_region_pa(v));
	u64 n = 0, tries = 0;

	floor_vmcb_init(v);
	while (n < count) {
		u64 t0 = rdtsc();
		__asm__ volatile("vmrun %%rax"
				 :: "a"(pa)
				 : "memory", "cc", "rbx", "rcx", "rdx", "rsi", "rdi",
				   "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15");
		u64 t1 = rdtsc();
		v->control.tlb_control = 0;
		if (v->control.exit_code == SVM_EXIT_VMMCALL) {
			samples[n++] = t1 - t0;
		} else if (v->control.exit_code != SVM_EXIT_INTR || ++tries > count) {
			return -EIO;
		}
	}
	return (s64)n;
}
