// SPDX-License-Identifier: GPL-2.0
/*
 * AMD SVM for virtual machines: the backend half of vmm/vmm.h.  Each VCPU
 * has its own VMCB; each VM its nested page tables and an ASID of its
 * own (2 and up: the console's is 1).  The guest's intercepts are the
 * console's and more: physical interrupts (INTR, with V_INTR_MASKING, so
 * the host's RFLAGS.IF decides and a tick or an IPI always exits), NMI,
 * HLT, every I/O port (an all-ones IOPM), every MSR but the ones VMLOAD
 * and VMSAVE switch anyway (the MSRPM; reads of TSC_AUX too), SHUTDOWN, CPUID, the SVM
 * instructions, XSETBV, MONITOR and MWAIT.
 *
 * Run (svm_vcpu_enter in guest.S): with GIF clear, VMSAVE the host's
 * FS/GS/TR/LDTR and syscall MSRs into a per-CPU area (the vmkernel's GS
 * base points at struct percpu), VMLOAD the guest's, VMRUN, and the
 * reverse; GIF is set again only once the host's state is back, so the
 * interrupt that ended the run is taken by the vmkernel.  The guest's
 * FPU, SSE and AVX state (XRSTOR/XSAVE with the host's XCR0, or
 * FXRSTOR/FXSAVE) stays in the CPU from run to run: the vmkernel itself
 * never touches it.  It is saved when the VCPU's world leaves the CPU
 * (virt_vcpu_put) and loaded again before a run on a CPU that does not
 * hold it, so another VCPU on the same CPU finds only its own.  XCR0
 * stays the host's: XSETBV is #UD in a guest.
 *
 * Nested page tables: guest RAM is mapped page by page from vm->ram (a
 * 2 MiB leaf where the host block allows), the local APIC's page and the
 * I/O APIC's are left not present (their accesses fault to vmm_mmio),
 * and every other guest-physical page below 4 GiB maps one page of the
 * VM's that reads as all-ones, read-only, through one shared table whose
 * entries all point at it: reads there cost no exit and see what a bus with nothing
 * on it answers, and each write faults and is absorbed (vmm_mmio decodes
 * it and steps over it).  So a guest that writes everywhere changes only
 * its own RAM.  Above 4 GiB nothing is mapped: a guest that goes there
 * crashes.
 *
 * What the platform need not see is handled here, as the console's exits
 * are in svm.c: EFER (SVME kept set, as VMRUN requires, and hidden), the
 * SVM instructions and XSETBV (#UD).  QEMU's SVM has no next_rip: the
 * emulating side advances RIP itself (I/O exits carry the next RIP).
 */
#include <vmk/arch.h>
#include <vmk/check.h>
#include <vmk/errno.h>
#include <vmk/heap.h>
#include <vmk/log.h>
#include <vmk/mem.h>
#include <vmk/string.h>
#include "x86/cpu.h"
#include "x86/machine.h"
#include "x86/pagetable.h"
#include "../../../vmm/vmm.h"
#include "svm.h"

/* Word 3 intercepts beyond svm.h's. */
#define SVM_INTERCEPT_INTR	(1U << 0)
#define SVM_INTERCEPT_NMI	(1U << 1)
#define SVM_INTERCEPT_VINTR	(1U << 4)
#define SVM_INTERCEPT_IOIO_PROT	(1U << 27)
/* Word 4. */
#define SVM_INTERCEPT_MONITOR	(1U << 10)
#define SVM_INTERCEPT_MWAIT	(1U << 11)
#define SVM_INTERCEPT_XSETBV	(1U << 13)

#define SVM_EXIT_VINTR		0x064
#define SVM_EXIT_IOIO		0x07b
#define SVM_EXIT_MONITOR	0x08a
#define SVM_EXIT_MWAIT		0x08b
#define SVM_EXIT_XSETBV		0x08d

#define SVM_INT_V_IRQ		(1ULL << 8)
#define SVM_INT_V_PRIO		(0xfULL << 16)
#define SVM_INT_V_IGN_TPR	(1ULL << 20)
#define SVM_INT_V_MASKING	(1ULL << 24)
#define SVM_EVTINJ_VALID	(1ULL << 31)
#define SVM_EVTINJ_IRQ(vec)	((u64)(vec) | SVM_EVTINJ_VALID)

#define VEC_UD			6
#define VEC_GP			13
#define GPA_4G			(1ULL << 32)
#define GPA_APIC		0xfee00000ULL
#define SZ_2M			(1ULL << 21)

struct virt_vcpu {
	struct vmcb *vmcb;
	paddr_t vmcb_pa;
	void *fpu;			/* XSAVE (or FXSAVE) area */
	u32 fpu_order;
	u64 tsc_aux;			/* what RDTSCP returns in ECX */
};

/* A VM's nested tables, and every page they took, to free them. */
struct svm_npt {
	u64 *root;
	u64 root_pa;
	u64 ones_pa;
	u32 ntables, max;
	u64 **tables;
	u32 tables_order;
	struct vm *vm;
};

#define MSR_TSC_AUX		0xc0000103

/* Per CPU: the host's VMSAVE area, and the TSC_AUX it holds now. */
static void *svm_host_area[VMK_MAX_CPUS];
static u64 svm_cpu_tsc_aux[VMK_MAX_CPUS];
/* Whose FPU state each CPU holds; written by that CPU only. */
static struct virt_vcpu *svm_fpu_loaded[VMK_MAX_CPUS];
static u64 svm_host_area_pa[VMK_MAX_CPUS];
static u8 *svm_guest_msrpm, *svm_guest_iopm;
static u64 svm_guest_msrpm_pa, svm_guest_iopm_pa;
static u32 svm_nasid;
static u64 svm_xcr0;			/* 0: no XSAVE, FXSAVE instead */
static u32 svm_fpu_bytes;

/* guest.S */
void svm_vcpu_enter(u64 *regs, u64 vmcb_pa, u64 host_pa);

static struct heap *svm_heap(void)
{
	return mem_heap(MEM_HEAP_VMM);
}

static u64 region_pa_of(const void *p)
{
	return pa_addr(virt_to_region_pa(p));
}

/* Reads of msr no longer exit; writes do unless write is set too. */
static void msrpm_pass(u8 *map, u32 msr, bool write)
{
	u32 bit = svm_msrpm_bit(msr);

	map[bit / 8] &= (u8)~((write ? 3U : 1U) << (bit % 8));
}

int svm_guest_init(void)
{
	/* The MSRs VMLOAD and VMSAVE switch between host and guest. */
	static const u32 pass[] = {
		0x174, 0x175, 0x176,			/* SYSENTER_CS/ESP/EIP */
		0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084, /* STAR..SFMASK */
		0xc0000100, 0xc0000101, 0xc0000102,	/* FS/GS/KERNEL_GS base */
	};
	struct cpuid_regs r;

	svm_guest_msrpm = machine_alloc(2 * PAGE_SIZE);
	svm_guest_iopm = machine_alloc(3 * PAGE_SIZE);
	if (!svm_guest_msrpm || !svm_guest_iopm)
		return -ENOMEM;
	memset(svm_guest_msrpm, 0xff, 2 * PAGE_SIZE);
	memset(svm_guest_iopm, 0xff, 3 * PAGE_SIZE);
	for (u32 i = 0; i < ARRAY_SIZE(pass); i++)
		msrpm_pass(svm_guest_msrpm, pass[i], true);
	/* TSC_AUX is read by RDTSCP without an exit; a write exits, so that
	 * each VCPU keeps its own (vcpu_tsc_aux). */
	msrpm_pass(svm_guest_msrpm, MSR_TSC_AUX, false);
	svm_guest_msrpm_pa = region_pa_of(svm_guest_msrpm);
	svm_guest_iopm_pa = region_pa_of(svm_guest_iopm);
	for (u32 i = 0; i < machine.ncpus; i++) {
		svm_host_area[i] = machine_alloc(PAGE_SIZE);
		if (!svm_host_area[i])
			return -ENOMEM;
		svm_host_area_pa[i] = region_pa_of(svm_host_area[i]);
		svm_cpu_tsc_aux[i] = ~0ULL;
	}
	svm_nasid = cpuid(0x8000000a, 0).ebx;
	svm_fpu_bytes = 512;
	if (read_cr4() & CR4_OSXSAVE) {
		u32 lo, hi;

		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		svm_xcr0 = ((u64)hi << 32) | lo;
		r = cpuid(0xd, 0);
		svm_fpu_bytes = MAX(r.ebx, 576U);
	}
	return 0;
}

/* ---- nested page tables ---- */

static u64 *npt_alloc(void *ctx, u64 *pa_out)
{
	struct svm_npt *n = ctx;
	u64 *t;

	if (n->ntables == n->max)
		return NULL;
	t = heap_alloc_pages(svm_heap(), 0);
	if (!t)
		return NULL;
	n->tables[n->ntables++] = t;
	n->vm->pages++;
	*pa_out = region_pa_of(t);
	return t;
}

static u64 *npt_virt(void *ctx, u64 tpa)
{
	(void)ctx;
	return region_pa_to_virt(pa(tpa));
}

/* Whether guest frames [i, i + 512) are one aligned 2 MiB host block. */
static bool npt_big(const struct vm *vm, u64 i, u64 npages)
{
	u64 base = pa_addr(vm->ram[i]);

	if (i % 512 || npages - i < 512 || base % SZ_2M)
		return false;
	for (u32 k = 1; k < 512; k++)
		if (pa_addr(vm->ram[i + k]) != base + ((u64)k << PAGE_SHIFT))
			return false;
	return true;
}

static int npt_build(struct svm_npt *n, struct vm *vm)
{
	const struct pt_pages pg = { .alloc = npt_alloc, .virt = npt_virt, .ctx = n };
	u32 levels = machine.levels;
	u64 npages = vm->ram_bytes >> PAGE_SHIFT;
	u64 root_pa, spt_pa, *spt, *e;

	n->root = npt_alloc(n, &root_pa);
	if (!n->root)
		return -ENOMEM;
	n->root_pa = root_pa;
	e = npt_alloc(n, &n->ones_pa);
	if (!e)
		return -ENOMEM;
	memset(e, 0xff, PAGE_SIZE);
	spt = npt_alloc(n, &spt_pa);
	if (!spt)
		return -ENOMEM;
	for (u32 k = 0; k < 512; k++)
		spt[k] = n->ones_pa | PT_NPT_RO_LEAF;

	for (u64 i = 0; i < npages;) {
		u64 gpa = i << PAGE_SHIFT;

		if (npt_big(vm, i, npages)) {
			e = pagetable_entry(&pg, n->root, levels, gpa, 2);
			if (!e)
				return -ENOMEM;
			*e = pa_addr(vm->ram[i]) | PT_NPT_LEAF | PTE_PS;
			i += 512;
			continue;
		}
		e = pagetable_entry(&pg, n->root, levels, gpa, 1);
		if (!e)
			return -ENOMEM;
		*e = pa_addr(vm->ram[i]) | PT_NPT_LEAF;
		i++;
	}
	/* The APICs' pages: a table of their own, their entries not present. */
	e = pagetable_entry(&pg, n->root, levels, GPA_APIC, 1);
	if (!e)
		return -ENOMEM;
	*e = 0;
	e = pagetable_entry(&pg, n->root, levels, IOAPIC_GPA, 1);
	if (!e)
		return -ENOMEM;
	*e = 0;
	/* Everything else below 4 GiB: the all-ones page. */
	for (u64 g = 0; g < GPA_4G; g += SZ_2M) {
		u64 *pt;

		e = pagetable_entry(&pg, n->root, levels, g, 2);
		if (!e)
			return -ENOMEM;
		if (!(*e & PTE_P)) {
			*e = spt_pa | PT_TABLE_FLAGS;
			continue;
		}
		if (*e & PTE_PS)
			continue;
		pt = npt_virt(n, *e & PTE_ADDR);
		for (u32 k = 0; k < 512; k++)
			if (!(pt[k] & PTE_P) && g + ((u64)k << PAGE_SHIFT) != GPA_APIC &&
			    g + ((u64)k << PAGE_SHIFT) != IOAPIC_GPA)
				pt[k] = n->ones_pa | PT_NPT_RO_LEAF;
	}
	return 0;
}

void virt_vm_fini(struct vm *vm)
{
	struct svm_npt *n = vm->npt;

	if (!n)
		return;
	for (u32 i = 0; i < n->ntables; i++)
		heap_free_pages(svm_heap(), n->tables[i], 0);
	vm->pages -= n->ntables;
	if (n->tables) {
		heap_free_pages(svm_heap(), n->tables, n->tables_order);
		vm->pages -= 1U << n->tables_order;
	}
	heap_free_pages(svm_heap(), n, 0);
	vm->pages--;
	vm->npt = NULL;
}

int virt_vm_init(struct vm *vm)
{
	struct svm_npt *n;
	int err;

	n = heap_alloc_pages(svm_heap(), 0);
	if (!n)
		return -ENOMEM;
	vm->pages++;
	vm->npt = n;
	n->vm = vm;
	/* One table per 2 MiB of RAM at most, one directory per GiB below
	 * 4 GiB, the levels above, the APICs' two tables, the all-ones page
	 * and its shared table. */
	n->max = (u32)(vm->ram_bytes / SZ_2M) + 4 + 5 + 5;
	n->tables_order = page_order_for((u64)n->max * sizeof(u64 *));
	n->tables = heap_alloc_pages(svm_heap(), n->tables_order);
	if (!n->tables) {
		virt_vm_fini(vm);
		return -ENOMEM;
	}
	vm->pages += 1U << n->tables_order;
	err = npt_build(n, vm);
	if (err)
		virt_vm_fini(vm);
	return err;
}

/* ---- VCPUs ---- */

int virt_vcpu_init(struct vcpu *v)
{
	struct virt_vcpu *vv;
	struct vmcb_control *c;
	u8 *fpu;

	vv = heap_alloc_pages(svm_heap(), 0);
	if (!vv)
		return -ENOMEM;
	v->vm->pages++;
	v->virt = vv;
	vv->vmcb = heap_alloc_pages(svm_heap(), 0);
	if (!vv->vmcb)
		return -ENOMEM;
	v->vm->pages++;
	vv->vmcb_pa = virt_to_region_pa(vv->vmcb);
	vv->fpu_order = page_order_for(svm_fpu_bytes);
	vv->fpu = heap_alloc_pages(svm_heap(), vv->fpu_order);
	if (!vv->fpu)
		return -ENOMEM;
	v->vm->pages += 1U << vv->fpu_order;
	/* The FPU's reset state: FCW 0x37f, MXCSR 0x1f80, the rest clear
	 * (XRSTOR takes the components whose XSTATE_BV bit is 0 as reset). */
	fpu = vv->fpu;
	fpu[0] = 0x7f;
	fpu[1] = 0x03;
	fpu[24] = 0x80;
	fpu[25] = 0x1f;

	c = &vv->vmcb->control;
	c->intercept3 = SVM_INTERCEPT_INTR | SVM_INTERCEPT_NMI | SVM_INTERCEPT_CPUID |
			SVM_INTERCEPT_HLT | SVM_INTERCEPT_INVLPGA |
			SVM_INTERCEPT_IOIO_PROT | SVM_INTERCEPT_MSR_PROT |
			SVM_INTERCEPT_SHUTDOWN;
	c->intercept4 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL |
			SVM_INTERCEPT_VMLOAD | SVM_INTERCEPT_VMSAVE |
			SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI |
			SVM_INTERCEPT_SKINIT | SVM_INTERCEPT_MONITOR |
			SVM_INTERCEPT_MWAIT | SVM_INTERCEPT_XSETBV;
	c->iopm_base_pa = svm_guest_iopm_pa;
	c->msrpm_base_pa = svm_guest_msrpm_pa;
	c->asid = svm_nasid > 2 ? 2 + v->vm->id % (svm_nasid - 2) : 1;
	c->tlb_control = SVM_TLB_FLUSH_ALL;
	c->int_ctl = SVM_INT_V_MASKING;
	c->nested_ctl = SVM_NP_ENABLE;
	c->nested_cr3 = ((struct svm_npt *)v->vm->npt)->root_pa;
	return 0;
}

void virt_vcpu_fini(struct vcpu *v)
{
	struct virt_vcpu *vv = v->virt;

	if (!vv)
		return;
	if (vv->fpu) {
		heap_free_pages(svm_heap(), vv->fpu, vv->fpu_order);
		v->vm->pages -= 1U << vv->fpu_order;
	}
	if (vv->vmcb) {
		heap_free_pages(svm_heap(), vv->vmcb, 0);
		v->vm->pages--;
	}
	heap_free_pages(svm_heap(), vv, 0);
	v->vm->pages--;
	v->virt = NULL;
}

static struct vmcb_seg seg(u16 sel, u64 base, u32 limit, u16 attrib)
{
	return (struct vmcb_seg){ .sel = sel, .attrib = attrib, .limit = limit,
				  .base = base };
}

/* What every boot state shares: no paging, EFER with only SVME. */
static void vcpu_state_reset(struct vmcb_save *s)
{
	memset(s, 0, sizeof(*s));
	s->ldtr = seg(0, 0, 0xffff, 0x082);
	s->tr = seg(0, 0, 0xffff, 0x08b);
	s->gdtr = seg(0, 0, 0xffff, 0);
	s->idtr = seg(0, 0, 0xffff, 0);
	s->efer = EFER_SVME;
	s->cr0 = 0x10;				/* ET */
	s->dr6 = 0xffff0ff0;
	s->dr7 = 0x400;
	s->rflags = 0x2;
	s->g_pat = 0x0007040600070406ULL;
}

static void vcpu_clear_events(struct vcpu *v)
{
	struct vmcb_control *c = &v->virt->vmcb->control;

	c->event_inj = 0;
	c->int_state = 0;
	c->int_ctl = SVM_INT_V_MASKING;
	c->intercept3 &= ~SVM_INTERCEPT_VINTR;
}

void virt_vcpu_boot(struct vcpu *v, const struct vmk_vm_boot *b)
{
	struct vmcb_save *s = &v->virt->vmcb->save;

	vcpu_state_reset(s);
	vcpu_clear_events(v);
	if (b->mode == VMK_VM_BOOT_LONG64) {
		/* The Linux 64-bit boot protocol: 64-bit code at 0x10, flat
		 * data at 0x18, paging on the loader's identity map. */
		s->cs = seg(0x10, 0, 0xffffffff, 0xa9b);	/* L, G */
		s->ds = s->es = s->fs = s->gs = s->ss = seg(0x18, 0, 0xffffffff, 0xc93);
		s->gdtr = seg(0, b->gdt_base, b->gdt_limit, 0);
		s->cr0 = 0x80000011;			/* PG, ET, PE */
		s->cr3 = b->cr3;
		s->cr4 = 0x20;				/* PAE */
		s->efer = EFER_SVME | EFER_LME | EFER_LMA;
	} else {
		/* Flat 4 GiB segments: code 32-bit execute/read, data read/write. */
		s->cs = seg(0x08, 0, 0xffffffff, 0xc9b);
		s->ds = s->es = s->fs = s->gs = s->ss = seg(0x10, 0, 0xffffffff, 0xc93);
		s->cr0 = 0x11;				/* PE, ET */
	}
	s->rip = b->rip;
	s->rsp = b->rsp;
	memset(v->regs, 0, sizeof(v->regs));
	v->regs[VCPU_RAX] = b->rax;
	v->regs[VCPU_RBX] = b->rbx;
	v->regs[VCPU_RSI] = b->rsi;
	v->regs[VCPU_RSP] = b->rsp;
}

void virt_vcpu_sipi(struct vcpu *v, u8 vector)
{
	struct vmcb_save *s = &v->virt->vmcb->save;

	vcpu_state_reset(s);
	vcpu_clear_events(v);
	s->cs = seg((u16)(vector << 8), (u64)vector << 12, 0xffff, 0x09b);
	s->ds = s->es = s->fs = s->gs = s->ss = seg(0, 0, 0xffff, 0x093);
	s->rip = 0;
	memset(v->regs, 0, sizeof(v->regs));
	/* EDX after INIT: the family, model and stepping, as CPUID 1 says. */
	v->regs[VCPU_RDX] = cpuid(1, 0).eax;
}

static void fpu_load(struct virt_vcpu *vv)
{
	if (svm_xcr0)
		__asm__ volatile("xrstor64 (%0)" :: "r"(vv->fpu), "a"((u32)svm_xcr0),
				 "d"((u32)(svm_xcr0 >> 32)) : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" :: "r"(vv->fpu) : "memory");
}

static void fpu_save(struct virt_vcpu *vv)
{
	if (svm_xcr0)
		__asm__ volatile("xsave64 (%0)" :: "r"(vv->fpu), "a"((u32)svm_xcr0),
				 "d"((u32)(svm_xcr0 >> 32)) : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" :: "r"(vv->fpu) : "memory");
}

static void vcpu_skip(struct vmcb *vm, u64 len)
{
	vm->save.rip += len;
}

/* EFER: SVME stays set (VMRUN needs it) and is hidden from the guest. */
static bool vcpu_efer(struct vcpu *v, struct vmcb *c)
{
	u64 val = (v->regs[VCPU_RDX] << 32) | (u32)v->regs[VCPU_RAX];
	u64 valid = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;

	if ((u32)v->regs[VCPU_RCX] != MSR_EFER)
		return false;
	if (!(c->control.exit_info1 & 1)) {
		u64 e = c->save.efer & ~EFER_SVME;

		v->regs[VCPU_RAX] = (u32)e;
		v->regs[VCPU_RDX] = e >> 32;
	} else if (val & ~valid) {
		c->control.event_inj = SVM_EVTINJ_EXC_ERR(VEC_GP, 0);
		return true;
	} else {
		c->save.efer = (val & ~EFER_LMA) | (c->save.efer & EFER_LMA) | EFER_SVME;
	}
	vcpu_skip(c, 2);
	return true;
}

/* A write of TSC_AUX: this VCPU's from now on, and the CPU's while it
 * runs. */
static bool vcpu_tsc_aux(struct vcpu *v, struct vmcb *c)
{
	u32 cpu = arch_cpu_index();

	if ((u32)v->regs[VCPU_RCX] != MSR_TSC_AUX || !(c->control.exit_info1 & 1))
		return false;
	v->virt->tsc_aux = (u32)v->regs[VCPU_RAX];
	wrmsr(MSR_TSC_AUX, v->virt->tsc_aux);
	svm_cpu_tsc_aux[cpu] = v->virt->tsc_aux;
	vcpu_skip(c, 2);
	return true;
}

void virt_vcpu_run(struct vcpu *v, struct vcpu_exit *e)
{
	struct virt_vcpu *vv = v->virt;
	struct vmcb *c = vv->vmcb;
	u32 cpu = arch_cpu_index();
	u64 code, info1;

	c->save.rax = v->regs[VCPU_RAX];
	c->save.rsp = v->regs[VCPU_RSP];
	c->control.tlb_control = SVM_TLB_FLUSH_ALL;
	if (svm_cpu_tsc_aux[cpu] != vv->tsc_aux) {
		wrmsr(MSR_TSC_AUX, vv->tsc_aux);
		svm_cpu_tsc_aux[cpu] = vv->tsc_aux;
	}
	if (svm_fpu_loaded[cpu] != vv) {
		fpu_load(vv);
		svm_fpu_loaded[cpu] = vv;
	}
	svm_vcpu_enter(v->regs, pa_addr(vv->vmcb_pa), svm_host_area_pa[cpu]);
	v->regs[VCPU_RAX] = c->save.rax;
	v->regs[VCPU_RSP] = c->save.rsp;

	/* An event the exit interrupted is delivered again at the next run. */
	c->control.event_inj = 0;
	if (c->control.exit_int_info & SVM_EVTINJ_VALID)
		c->control.event_inj = c->control.exit_int_info;

	code = c->control.exit_code;
	info1 = c->control.exit_info1;
	memset(e, 0, sizeof(*e));
	e->code = code;
	if ((u32)code == (u32)SVM_EXIT_INVALID) {
		e->reason = VCPU_EXIT_INVALID;
		return;
	}
	switch (code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
		e->reason = VCPU_EXIT_INTR;
		break;
	case SVM_EXIT_VINTR:
		e->reason = VCPU_EXIT_WINDOW;
		break;
	case SVM_EXIT_IOIO:
		e->reason = VCPU_EXIT_IO;
		e->io.port = (u16)(info1 >> 16);
		e->io.in = info1 & 1;
		e->io.string = info1 & 4;
		e->io.rep = info1 & 8;
		e->io.size = (info1 & 0x10) ? 1 : (info1 & 0x20) ? 2 : 4;
		e->io.next_rip = c->control.exit_info2;
		break;
	case SVM_EXIT_MSR:
		if (vcpu_efer(v, c) || vcpu_tsc_aux(v, c)) {
			e->reason = VCPU_EXIT_NONE;
			break;
		}
		e->reason = VCPU_EXIT_MSR;
		e->msr.msr = (u32)v->regs[VCPU_RCX];
		e->msr.write = info1 & 1;
		break;
	case SVM_EXIT_CPUID:
		e->reason = VCPU_EXIT_CPUID;
		break;
	case SVM_EXIT_HLT:
		e->reason = VCPU_EXIT_HLT;
		break;
	case SVM_EXIT_NPF:
		e->reason = VCPU_EXIT_NPF;
		e->npf.gpa = c->control.exit_info2;
		e->npf.present = info1 & 1;
		e->npf.write = info1 & 2;
		e->npf.fetch = info1 & 0x10;
		break;
	case SVM_EXIT_SHUTDOWN:
		e->reason = VCPU_EXIT_SHUTDOWN;
		break;
	case SVM_EXIT_VMMCALL:
		e->reason = VCPU_EXIT_VMMCALL;
		break;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_XSETBV:
		/* As on a CPU without SVM, MONITOR or XSAVE. */
		c->control.event_inj = SVM_EVTINJ_EXC(VEC_UD);
		e->reason = VCPU_EXIT_NONE;
		break;
	default:
		e->reason = VCPU_EXIT_UNSUPPORTED;
		break;
	}
}

void virt_vcpu_put(struct vcpu *v)
{
	u32 cpu = arch_cpu_index();

	if (svm_fpu_loaded[cpu] == v->virt) {
		fpu_save(v->virt);
		svm_fpu_loaded[cpu] = NULL;
	}
}

void virt_vcpu_get_sregs(struct vcpu *v, struct vcpu_sregs *s)
{
	struct vmcb *c = v->virt->vmcb;

	s->rip = c->save.rip;
	s->rflags = c->save.rflags;
	s->cs_base = c->save.cs.base;
	s->cr0 = c->save.cr0;
	s->cr3 = c->save.cr3;
	s->cr4 = c->save.cr4;
	s->efer = c->save.efer & ~EFER_SVME;
	s->cs_attrib = c->save.cs.attrib;
	s->cpl = c->save.cpl;
	/* An event still to be delivered holds interrupts off as a shadow
	 * does: the next run delivers it first. */
	s->event_pending = c->control.event_inj & SVM_EVTINJ_VALID;
	s->irq_shadow = (c->control.int_state & 1) || s->event_pending;
}

void virt_vcpu_set_rip(struct vcpu *v, u64 rip)
{
	struct vmcb *c = v->virt->vmcb;

	c->save.rip = rip;
	/* The instruction completed: an STI or MOV SS shadow is over. */
	c->control.int_state &= ~1ULL;
}

void virt_vcpu_inject_irq(struct vcpu *v, u8 vector)
{
	v->virt->vmcb->control.event_inj = SVM_EVTINJ_IRQ(vector);
}

void virt_vcpu_inject_exc(struct vcpu *v, u8 vector, bool has_err, u32 err)
{
	v->virt->vmcb->control.event_inj = has_err ? SVM_EVTINJ_EXC_ERR(vector, err) :
						     SVM_EVTINJ_EXC(vector);
}

void virt_vcpu_want_window(struct vcpu *v, bool on)
{
	struct vmcb_control *c = &v->virt->vmcb->control;

	if (on) {
		c->int_ctl |= SVM_INT_V_IRQ | SVM_INT_V_PRIO | SVM_INT_V_IGN_TPR;
		c->intercept3 |= SVM_INTERCEPT_VINTR;
	} else {
		c->int_ctl &= ~(SVM_INT_V_IRQ | SVM_INT_V_PRIO | SVM_INT_V_IGN_TPR);
		c->intercept3 &= ~SVM_INTERCEPT_VINTR;
	}
}
