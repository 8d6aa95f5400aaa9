/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AMD SVM, private to arch/x86/svm/: the VMCB layout (AMD64 APM vol. 2,
 * appendix B), intercept bits and exit codes the vmkernel uses, the
 * per-CPU state behind x86/virt.h's struct virt_cpu, and what the files
 * of this folder call of each other.  Offsets are checked at compile
 * time against the manual's table.
 */
#ifndef X86_SVM_SVM_H
#define X86_SVM_SVM_H

#include <vmk/types.h>

/* Word 3 (offset 0x00c) intercepts. */
#define SVM_INTERCEPT_CPUID	(1U << 18)
#define SVM_INTERCEPT_HLT	(1U << 24)
#define SVM_INTERCEPT_INVLPGA	(1U << 26)
#define SVM_INTERCEPT_MSR_PROT	(1U << 28)
#define SVM_INTERCEPT_SHUTDOWN	(1U << 31)
/* Word 4 (offset 0x010) intercepts. */
#define SVM_INTERCEPT_VMRUN	(1U << 0)
#define SVM_INTERCEPT_VMMCALL	(1U << 1)
#define SVM_INTERCEPT_VMLOAD	(1U << 2)
#define SVM_INTERCEPT_VMSAVE	(1U << 3)
#define SVM_INTERCEPT_STGI	(1U << 4)
#define SVM_INTERCEPT_CLGI	(1U << 5)
#define SVM_INTERCEPT_SKINIT	(1U << 6)

#define SVM_EXIT_INTR		0x060
#define SVM_EXIT_NMI		0x061
#define SVM_EXIT_INIT		0x063
#define SVM_EXIT_CPUID		0x072
#define SVM_EXIT_HLT		0x078
#define SVM_EXIT_INVLPGA	0x07a
#define SVM_EXIT_MSR		0x07c
#define SVM_EXIT_SHUTDOWN	0x07f
#define SVM_EXIT_VMRUN		0x080
#define SVM_EXIT_VMMCALL	0x081
#define SVM_EXIT_VMLOAD		0x082
#define SVM_EXIT_VMSAVE		0x083
#define SVM_EXIT_STGI		0x084
#define SVM_EXIT_CLGI		0x085
#define SVM_EXIT_SKINIT		0x086
#define SVM_EXIT_NPF		0x400
#define SVM_EXIT_INVALID	((u64)-1)

#define SVM_NP_ENABLE		(1ULL << 0)
#define SVM_TLB_FLUSH_ALL	1

/* EVENTINJ: vector, type 3 = exception, EV = error code valid, V = valid. */
#define SVM_EVTINJ_EXC(vec)	((u64)(vec) | (3ULL << 8) | (1ULL << 31))
#define SVM_EVTINJ_EXC_ERR(vec, err) \
	(SVM_EVTINJ_EXC(vec) | (1ULL << 11) | ((u64)(err) << 32))

struct __packed vmcb_seg {
	u16 sel;
	u16 attrib;
	u32 limit;
	u64 base;
};

struct __packed vmcb_control {
	u32 intercept_cr;
	u32 intercept_dr;
	u32 intercept_exc;
	u32 intercept3;
	u32 intercept4;
	u32 intercept5;
	u8 rsvd1[0x3c - 0x18];
	u16 pause_filter_thresh;
	u16 pause_filter_count;
	u64 iopm_base_pa;
	u64 msrpm_base_pa;
	u64 tsc_offset;
	u32 asid;
	u8 tlb_control;
	u8 rsvd2[3];
	u64 int_ctl;
	u64 int_state;
	u64 exit_code;
	u64 exit_info1;
	u64 exit_info2;
	u64 exit_int_info;
	u64 nested_ctl;
	u64 avic_bar;
	u64 ghcb_pa;
	u64 event_inj;
	u64 nested_cr3;
	u64 virt_ext;
	u64 clean;
	u64 next_rip;
	u8 rsvd4[0x400 - 0xd0];
};

struct __packed vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr;
	u8 rsvd1[0x4cb - 0x4a0];
	u8 cpl;
	u32 rsvd2;
	u64 efer;
	u8 rsvd3[0x548 - 0x4d8];
	u64 cr4, cr3, cr0, dr7, dr6, rflags, rip;
	u8 rsvd4[0x5d8 - 0x580];
	u64 rsp;
	u8 rsvd5[0x5f8 - 0x5e0];
	u64 rax, star, lstar, cstar, sfmask, kernel_gs_base;
	u64 sysenter_cs, sysenter_esp, sysenter_eip, cr2;
	u8 rsvd6[0x668 - 0x648];
	u64 g_pat;
	u64 dbgctl;
	u8 rsvd7[0x1000 - 0x678];
};

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
};

_Static_assert(sizeof(struct vmcb) == 4096, "VMCB is one page");
_Static_assert(__builtin_offsetof(struct vmcb, control.exit_code) == 0x70, "exit_code");
_Static_assert(__builtin_offsetof(struct vmcb, control.nested_cr3) == 0xb0, "nested_cr3");
_Static_assert(__builtin_offsetof(struct vmcb, control.next_rip) == 0xc8, "next_rip");
_Static_assert(__builtin_offsetof(struct vmcb, save.cpl) == 0x4cb, "cpl");
_Static_assert(__builtin_offsetof(struct vmcb, save.efer) == 0x4d0, "efer");
_Static_assert(__builtin_offsetof(struct vmcb, save.cr4) == 0x548, "cr4");
_Static_assert(__builtin_offsetof(struct vmcb, save.rip) == 0x578, "rip");
_Static_assert(__builtin_offsetof(struct vmcb, save.rsp) == 0x5d8, "rsp");
_Static_assert(__builtin_offsetof(struct vmcb, save.rax) == 0x5f8, "rax");
_Static_assert(__builtin_offsetof(struct vmcb, save.cr2) == 0x640, "cr2");
_Static_assert(__builtin_offsetof(struct vmcb, save.g_pat) == 0x668, "g_pat");

/* A CPU's SVM state.  Written only by that CPU once it has entered. */
struct virt_cpu {
	struct vmcb *vmcb;		/* the console world's */
	paddr_t vmcb_pa;
	struct vmcb *floor_vmcb;	/* the floor measurement's guest */
	void *hsave;
	paddr_t hsave_pa;
	u64 orig_hsave;			/* VM_HSAVE_PA before the CPU entered */
	u64 guest_hsave;		/* what the console wrote to VM_HSAVE_PA */
	u64 npf_count;
	bool launched;			/* the first VMRUN succeeded */
};

struct desc_ptr;
struct host_frame;
struct leave_state;

/* floor.c: the floor guest's pages and nested tables. */
int floor_init(void);

/* vcpu.c: the VMs' intercept maps and the per-CPU host save areas. */
int svm_guest_init(void);

/* entry.S: the VMRUN loop, entered on the vmkernel's stack, tables,
 * GDT and IDT; and the last step of handing the CPU back to Linux. */
__noreturn void svm_launch(struct host_frame *f, u64 cr3, struct desc_ptr *gdt,
			   struct desc_ptr *idt);
__noreturn void svm_leave_final(struct leave_state *ls, struct host_frame *f);

/* svm.c, called from svm_loop.  What svm_exit() tells it: go on,
 * leave, or run the vmkernel. */
#define SVM_EXIT_RESUME		0
#define SVM_EXIT_LEAVE		1
#define SVM_EXIT_TAKEN		2
int svm_exit(struct host_frame *f);
__noreturn void svm_leave(struct host_frame *f);

/* The read bit of msr in an MSR permission map (its write bit follows):
 * three 2 KiB ranges, two bits an MSR.  For MSRs in those ranges. */
static inline u32 svm_msrpm_bit(u32 msr)
{
	if (msr < 0x2000)
		return msr * 2;
	if (msr >= 0xc0000000 && msr < 0xc0002000)
		return 0x800 * 8 + (msr - 0xc0000000) * 2;
	return 0x1000 * 8 + (msr - 0xc0010000) * 2;
}

#endif
