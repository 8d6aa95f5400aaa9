// SPDX-License-Identifier: GPL-2.0
/*
 * AMD SVM: each CPU enters the vmkernel and continues as the console
 * world, a guest under nested paging whose state is exactly the state
 * Linux had when it called in.  This file implements the vendor
 * interface (x86/virt.h) for the x86 layer.
 *
 * What the console world may not do it cannot do unnoticed:
 *  - VMRUN, VMLOAD, VMSAVE, STGI, CLGI, SKINIT and INVLPGA exit and get
 *    #UD, as on a CPU without SVM;
 *  - CPUID exits: the hypervisor bit is set, leaf 0x40000000 names the
 *    vmkernel, and SVM is hidden;
 *  - writes of EFER exit (SVME stays set, as VMRUN requires; reads show
 *    it set, so KVM sees SVM in use and refuses cleanly), and VM_CR and
 *    VM_HSAVE_PA are emulated so the real ones never change;
 *  - a triple fault (SHUTDOWN) exits;
 *  - VMMCALL is the vmkcall.
 * Interrupts and NMIs are not intercepted: they go straight to Linux.
 *
 * QEMU's SVM has no next_rip: each handler advances RIP by the length of
 * the instruction it emulated (CPUID 2, RDMSR/WRMSR 2, VMMCALL 3).
 */
#include <vmk/check.h>
#include <vmk/console.h>
#include <vmk/errno.h>
#include <vmk/log.h>
#include <vmk/machine.h>
#include <vmk/string.h>
#include <vmk/world.h>
#include "x86/cpu.h"
#include "x86/machine.h"
#include "x86/virt.h"
#include "svm.h"

#define EFER_VALID	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | EFER_SVME | \
			 EFER_LMSLE | EFER_FFXSR | EFER_TCE | EFER_AUTOIBRS)
#define VEC_UD		6
#define VEC_GP		13

static u8 *msrpm;
static struct virt_cpu svm_cpu[VMK_MAX_CPUS];

int virt_check_cpu(void)
{
	struct cpuid_regs r;

	if (cpuid(0x80000000, 0).eax < 0x8000000a ||
	    !(cpuid(0x80000001, 0).ecx & (1U << 2))) {
		log_warn("this CPU has no AMD SVM: the vmkernel needs AMD-V with nested paging");
		return -ENODEV;
	}
	r = cpuid(0x8000000a, 0);
	if (!(r.edx & 1)) {
		log_warn("this CPU has SVM but no nested paging (NPT): not supported");
		return -ENODEV;
	}
	if (r.ebx < 2) {
		log_warn("this CPU has %u ASIDs; the vmkernel needs at least 2", r.ebx);
		return -ENODEV;
	}
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
		log_warn("SVM is disabled by the firmware (VM_CR.SVMDIS)");
		return -ENODEV;
	}
	if (rdmsr(MSR_EFER) & EFER_SVME) {
		log_warn("SVM is already in use (EFER.SVME is set): is kvm_amd loaded?");
		return -EBUSY;
	}
	return 0;
}

static void msrpm_intercept(u32 msr, bool read, bool write)
{
	u32 bit = svm_msrpm_bit(msr);

	if (read)
		msrpm[bit / 8] |= (u8)(1U << (bit % 8));
	if (write)
		msrpm[(bit + 1) / 8] |= (u8)(1U << ((bit + 1) % 8));
}

static int svm_maps_init(void)
{
	void *iopm;

	msrpm = machine_alloc(2 * PAGE_SIZE);
	iopm = machine_alloc(3 * PAGE_SIZE);
	if (!msrpm || !iopm)
		return -ENOMEM;
	machine.msrpm_pa = virt_to_region_pa(msrpm);
	machine.iopm_pa = virt_to_region_pa(iopm);
	msrpm_intercept(MSR_EFER, false, true);
	msrpm_intercept(MSR_VM_CR, true, true);
	msrpm_intercept(MSR_VM_HSAVE_PA, true, true);
	return 0;
}

int virt_init(void)
{
	int err = svm_maps_init();

	if (!err)
		err = floor_init();
	if (!err)
		err = svm_guest_init();
	return err;
}

int virt_cpu_setup(struct percpu *c)
{
	struct virt_cpu *s = &svm_cpu[c->index];

	s->vmcb = machine_alloc(PAGE_SIZE);
	s->hsave = machine_alloc(PAGE_SIZE);
	s->floor_vmcb = machine_alloc(PAGE_SIZE);
	if (!s->vmcb || !s->hsave || !s->floor_vmcb)
		return -ENOMEM;
	s->vmcb_pa = virt_to_region_pa(s->vmcb);
	s->hsave_pa = virt_to_region_pa(s->hsave);
	c->virt = s;
	c->frame->virt_pa = pa_addr(s->vmcb_pa);
	return 0;
}

void virt_set_halt_exit(struct percpu *c, bool on)
{
	if (on)
		c->virt->vmcb->control.intercept3 |= SVM_INTERCEPT_HLT;
	else
		c->virt->vmcb->control.intercept3 &= ~SVM_INTERCEPT_HLT;
}

void virt_restore_host(struct percpu *c)
{
	wrmsr(MSR_VM_HSAVE_PA, c->virt->orig_hsave);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) & ~EFER_SVME);
}

/* A VMCB segment from a live selector and the GDT it indexes. */
static struct vmcb_seg seg_from_gdt(u16 sel, const struct desc_ptr *gdt)
{
	struct vmcb_seg s = { .sel = sel };
	u32 idx = sel >> 3;

	if (idx == 0 || (sel & 4) || idx * 8 + 7 > gdt->limit)
		return s;
	u64 d = ((const u64 *)gdt->base)[idx];
	s.attrib = (u16)(((d >> 40) & 0xff) | (((d >> 52) & 0xf) << 8));
	s.limit = (u32)((d & 0xffff) | ((d >> 32) & 0xf0000));
	if (d & (1ULL << 55))
		s.limit = (s.limit << 12) | 0xfff;
	s.base = ((d >> 16) & 0xffffff) | ((d >> 56) << 24);
	return s;
}

static void vmcb_build(struct percpu *c, u64 rsp, u64 rip, u64 efer)
{
	struct vmcb *v = c->virt->vmcb;
	struct desc_ptr gdt, idt;

	memset(v, 0, sizeof(*v));
	v->control.intercept3 = SVM_INTERCEPT_CPUID | SVM_INTERCEPT_MSR_PROT |
				SVM_INTERCEPT_SHUTDOWN | SVM_INTERCEPT_INVLPGA;
	v->control.intercept4 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL |
				SVM_INTERCEPT_VMLOAD | SVM_INTERCEPT_VMSAVE |
				SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI |
				SVM_INTERCEPT_SKINIT;
	v->control.iopm_base_pa = pa_addr(machine.iopm_pa);
	v->control.msrpm_base_pa = pa_addr(machine.msrpm_pa);
	v->control.asid = 1;
	v->control.tlb_control = SVM_TLB_FLUSH_ALL;
	v->control.nested_ctl = SVM_NP_ENABLE;
	v->control.nested_cr3 = machine.npt_cr3;

	sgdt(&gdt);
	sidt(&idt);
	v->save.cs = seg_from_gdt(read_seg_cs(), &gdt);
	v->save.ss = seg_from_gdt(read_seg_ss(), &gdt);
	v->save.ds = seg_from_gdt(read_seg_ds(), &gdt);
	v->save.es = seg_from_gdt(read_seg_es(), &gdt);
	v->save.gdtr = (struct vmcb_seg){ .limit = gdt.limit, .base = gdt.base };
	v->save.idtr = (struct vmcb_seg){ .limit = idt.limit, .base = idt.base };
	v->save.cpl = 0;
	v->save.efer = efer | EFER_SVME;
	v->save.cr0 = read_cr0();
	v->save.cr2 = read_cr2();
	v->save.cr3 = read_cr3();
	v->save.cr4 = read_cr4();
	v->save.dr7 = read_dr7();
	v->save.dr6 = 0xffff0ff0;
	v->save.rflags = read_rflags();
	v->save.rip = rip;
	v->save.rsp = rsp;
	v->save.rax = 0;
	v->save.g_pat = rdmsr(MSR_PAT);
}

static bool inject_failure(struct percpu *c, u32 step)
{
	static const char *const steps[] = { "", "enter", "svm", "vmcb" };

	if (machine.fail_step != step || machine.fail_cpu != c->index)
		return false;
	log_warn("cpu%u: injected failure at step '%s'", c->index, steps[step]);
	return true;
}

/*
 * callee_saved holds the caller's RBX, RBP, R12, R13, R14 and R15, which
 * the console must find unchanged when it resumes.
 */
int virt_cpu_enter(u32 index, u64 linux_rsp, u64 resume_rip, const u64 *callee_saved)
{
	struct percpu *c;
	u64 efer;

	if (index >= machine.ncpus)
		return -EINVAL;
	c = &machine.cpu[index];
	if (inject_failure(c, VMK_FAIL_CPU_ENTER))
		goto fail;

	efer = rdmsr(MSR_EFER);
	if (efer & EFER_SVME) {
		log_warn("cpu%u: SVM is already in use (EFER.SVME is set): is kvm_amd loaded?",
			 index);
		c->state = VMK_CPU_FAILED;
		return -EBUSY;
	}
	c->virt->orig_hsave = rdmsr(MSR_VM_HSAVE_PA);
	wrmsr(MSR_EFER, efer | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, pa_addr(c->virt->hsave_pa));
	if (inject_failure(c, VMK_FAIL_CPU_SVM))
		goto fail_svm;

	vmcb_build(c, linux_rsp, resume_rip, efer);
	if (inject_failure(c, VMK_FAIL_CPU_VMCB))
		goto fail_svm;

	memset(c->frame, 0, offsetof(struct host_frame, virt_pa));
	c->frame->rbx = callee_saved[0];
	c->frame->rbp = callee_saved[1];
	c->frame->r12 = callee_saved[2];
	c->frame->r13 = callee_saved[3];
	c->frame->r14 = callee_saved[4];
	c->frame->r15 = callee_saved[5];
	c->entered_tsc = rdtsc();
	c->state = VMK_CPU_CONSOLE;
	c->virt->launched = false;
	c->leave_requested = false;
	__atomic_add_fetch(&machine.ncpus_running, 1, __ATOMIC_RELAXED);
	console_enter(index);
	log_info("cpu%u: entering; Linux CPU %u continues as console world %u",
		 index, c->linux_cpu, world_current_id());
	svm_launch(c->frame, machine.host_cr3, &vmk_gdt_ptr, &vmk_idt_ptr);

fail_svm:
	wrmsr(MSR_VM_HSAVE_PA, c->virt->orig_hsave);
	wrmsr(MSR_EFER, efer);
fail:
	c->state = VMK_CPU_FAILED;
	return -EIO;
}

static void skip(struct vmcb *v, u64 len)
{
	v->save.rip += len;
}

static void inject(struct vmcb *v, u64 evt)
{
	v->control.event_inj = evt;
}

static void handle_cpuid(struct host_frame *f, struct vmcb *v)
{
	u32 leaf = (u32)v->save.rax, sub = (u32)f->rcx;
	struct cpuid_regs r = { 0, 0, 0, 0 };

	if ((leaf & 0xffffff00) == VMK_CPUID_LEAF) {
		if (leaf == VMK_CPUID_LEAF)
			r = (struct cpuid_regs){ VMK_CPUID_LEAF + 1, VMK_CPUID_SIG_EBX,
						 VMK_CPUID_SIG_ECX, VMK_CPUID_SIG_EDX };
		else if (leaf == VMK_CPUID_LEAF + 1)
			r = (struct cpuid_regs){ VMK_ABI_VERSION, VMK_CALL_VERSION,
						 machine.ncpus, 0 };
	} else {
		r = cpuid(leaf, sub);
		if (leaf == 1)
			r.ecx |= 1U << 31;		/* hypervisor present */
		else if (leaf == 0x80000001)
			r.ecx &= ~(1U << 2);		/* no SVM */
		else if (leaf == 0x8000000a)
			r = (struct cpuid_regs){ 0, 0, 0, 0 };
	}
	v->save.rax = r.eax;
	f->rbx = r.ebx;
	f->rcx = r.ecx;
	f->rdx = r.edx;
	skip(v, 2);
}

static void handle_msr(struct percpu *c, struct host_frame *f, struct vmcb *v)
{
	u32 msr = (u32)f->rcx;
	bool write = v->control.exit_info1 & 1;
	u64 val = (f->rdx << 32) | (u32)v->save.rax;
	u64 out = 0;

	switch (msr) {
	case MSR_EFER:
		if (!write) {
			out = v->save.efer;
			break;
		}
		if (val & ~EFER_VALID) {
			log_warn("cpu%u: console wrote reserved EFER bits 0x%lx: #GP",
				 c->index, val & ~EFER_VALID);
			inject(v, SVM_EVTINJ_EXC_ERR(VEC_GP, 0));
			return;
		}
		v->save.efer = val | EFER_SVME;
		break;
	case MSR_VM_CR:
		if (write)
			log_warn("cpu%u: console wrote VM_CR (0x%lx): ignored", c->index, val);
		else
			out = rdmsr(MSR_VM_CR) | VM_CR_LOCK | VM_CR_SVMDIS;
		break;
	case MSR_VM_HSAVE_PA:
		if (write) {
			log_warn("cpu%u: console wrote VM_HSAVE_PA (0x%lx): kept apart",
				 c->index, val);
			c->virt->guest_hsave = val;
		} else {
			out = c->virt->guest_hsave;
		}
		break;
	default:
		log_warn("cpu%u: unexpected MSR exit for 0x%x: #GP", c->index, msr);
		inject(v, SVM_EVTINJ_EXC_ERR(VEC_GP, 0));
		return;
	}
	if (!write) {
		v->save.rax = (u32)out;
		f->rdx = out >> 32;
	}
	skip(v, 2);
}

static void handle_npf(struct percpu *c, struct vmcb *v)
{
	u64 gpa = v->control.exit_info2, err = v->control.exit_info1;

	c->virt->npf_count++;
	if (pa_in_region(gpa, 1)) {
		/* Every attempt is counted; the first few of each CPU and then
		 * one in 4096 are logged, so a sweep cannot flood the log. */
		if (c->virt->npf_count <= 8 || (c->virt->npf_count & 4095) == 0)
			log_warn("cpu%u: console %s vmkernel memory at 0x%lx (rip 0x%lx); "
				 "denied, the page now reads as scratch (%lu so far)",
				 c->index, (err & 2) ? "wrote" : "read", gpa,
				 v->save.rip, c->virt->npf_count);
		if (npt_map_scratch(gpa & ~(u64)0xfff))
			inject(v, SVM_EVTINJ_EXC_ERR(VEC_GP, 0));
		return;
	}
	log_warn("cpu%u: console touched unmapped guest-physical 0x%lx "
		 "(rip 0x%lx, error 0x%lx): #GP", c->index, gpa, v->save.rip, err);
	inject(v, SVM_EVTINJ_EXC_ERR(VEC_GP, 0));
}

static const char *svm_insn_name(u64 code)
{
	switch (code) {
	case SVM_EXIT_VMRUN: return "VMRUN";
	case SVM_EXIT_VMLOAD: return "VMLOAD";
	case SVM_EXIT_VMSAVE: return "VMSAVE";
	case SVM_EXIT_STGI: return "STGI";
	case SVM_EXIT_CLGI: return "CLGI";
	case SVM_EXIT_SKINIT: return "SKINIT";
	default: return "INVLPGA";
	}
}

/* Resets the machine, as the triple fault would have on bare hardware. */
static __noreturn void machine_reset(void)
{
	outb(0xcf9, 0x02);
	outb(0xcf9, 0x06);
	for (;;)
		__asm__ volatile("hlt");
}

int svm_exit(struct host_frame *f)
{
	struct percpu *c = f->cpu;
	struct vmcb *v = c->virt->vmcb;
	u64 t0 = rdtsc();
	u64 code = v->control.exit_code;
	u32 kind;

	if (unlikely(code == SVM_EXIT_INVALID)) {
		log_err("cpu%u: VMRUN refused the console's state (VMEXIT_INVALID)",
			c->index);
		CHECK(!c->virt->launched);
		c->leave.rax = (u64)-EIO;
		c->state = VMK_CPU_FAILED;
		return SVM_EXIT_LEAVE;
	}
	c->virt->launched = true;
	v->control.tlb_control = 0;

	switch (code) {
	case SVM_EXIT_CPUID:
		kind = VMK_EXIT_CPUID;
		handle_cpuid(f, v);
		break;
	case SVM_EXIT_VMMCALL:
		kind = VMK_EXIT_VMKCALL;
		skip(v, 3);
		if (v->save.cpl != 0) {
			v->save.rax = (u64)-EPERM;
			break;
		}
		v->save.rax = (u64)vmkcall_dispatch(v->save.rax, f->rdi, f->rsi,
						    f->rdx, f->r10);
		break;
	case SVM_EXIT_MSR:
		kind = VMK_EXIT_MSR;
		handle_msr(c, f, v);
		break;
	case SVM_EXIT_NPF:
		kind = VMK_EXIT_NESTED_FAULT;
		handle_npf(c, v);
		break;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
		kind = VMK_EXIT_VIRT_INSN;
		log_warn("cpu%u: console executed %s at rip 0x%lx: #UD",
			 c->index, svm_insn_name(code), v->save.rip);
		inject(v, SVM_EVTINJ_EXC(VEC_UD));
		break;
	case SVM_EXIT_HLT:
		/* Intercepted only on a CPU being given to the vmkernel. */
		kind = VMK_EXIT_OTHER;
		if (vmkcpu_hlt_exit(c, v->save.rflags & X86_RFLAGS_IF)) {
			c->exits[kind]++;
			c->exits_total++;
			return SVM_EXIT_TAKEN;
		}
		skip(v, 1);	/* an idle halt: Linux sees a wakeup */
		break;
	case SVM_EXIT_SHUTDOWN:
		log_warn("cpu%u: the console triple-faulted (rip 0x%lx); resetting the machine",
			 c->index, v->save.rip);
		machine_reset();
	default:
		kind = VMK_EXIT_OTHER;
		log_warn("cpu%u: unexpected exit 0x%lx (info 0x%lx 0x%lx) at rip 0x%lx",
			 c->index, code, v->control.exit_info1,
			 v->control.exit_info2, v->save.rip);
		break;
	}
	c->exits[kind]++;
	c->exits_total++;
	c->vmk_tsc += rdtsc() - t0;
	if (unlikely(c->leave_requested)) {
		c->leave.rax = v->save.rax;
		c->state = VMK_CPU_OFF;
		return SVM_EXIT_LEAVE;
	}
	return SVM_EXIT_RESUME;
}

void svm_leave(struct host_frame *f)
{
	struct percpu *c = f->cpu;
	struct vmcb *v = c->virt->vmcb;
	struct leave_state *ls = &c->leave;

	ls->cr0 = v->save.cr0;
	ls->cr3 = v->save.cr3;
	ls->cr4 = v->save.cr4;
	ls->efer = v->save.efer & ~EFER_SVME;
	ls->rip = v->save.rip;
	ls->cs = v->save.cs.sel;
	ls->rflags = v->save.rflags;
	ls->rsp = v->save.rsp;
	ls->ss = v->save.ss.sel;
	ls->ds = v->save.ds.sel;
	ls->es = v->save.es.sel;
	ls->gdtr.limit = (u16)v->save.gdtr.limit;
	ls->gdtr.base = v->save.gdtr.base;
	ls->idtr.limit = (u16)v->save.idtr.limit;
	ls->idtr.base = v->save.idtr.base;

	wrmsr(MSR_PAT, v->save.g_pat);
	write_cr2(v->save.cr2);
	write_dr7(v->save.dr7);
	wrmsr(MSR_VM_HSAVE_PA, c->virt->orig_hsave);
	__atomic_sub_fetch(&machine.ncpus_running, 1, __ATOMIC_RELAXED);
	console_leave(c->index);
	if (c->state == VMK_CPU_OFF)
		log_info("cpu%u: left the vmkernel; Linux CPU %u runs on bare hardware",
			 c->index, c->linux_cpu);
	svm_leave_final(ls, f);
}

void arch_request_leave(void)
{
	struct percpu *c = this_cpu();

	CHECK(c);
	c->leave_requested = true;
}
