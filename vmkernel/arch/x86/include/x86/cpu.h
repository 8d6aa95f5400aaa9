/* SPDX-License-Identifier: GPL-2.0 */
/* x86 instructions and registers the vmkernel uses: CPUID, MSRs, control
 * registers, port I/O, the TSC. */
#ifndef X86_CPU_H
#define X86_CPU_H

#include <vmk/types.h>

#define MSR_PAT			0x00000277
#define MSR_EFER		0xc0000080
#define MSR_VM_CR		0xc0010114
#define MSR_VM_HSAVE_PA		0xc0010117

#define EFER_SCE	((u64)1 << 0)
#define EFER_LME	((u64)1 << 8)
#define EFER_LMA	((u64)1 << 10)
#define EFER_NXE	((u64)1 << 11)
#define EFER_SVME	((u64)1 << 12)
#define EFER_LMSLE	((u64)1 << 13)
#define EFER_FFXSR	((u64)1 << 14)
#define EFER_TCE	((u64)1 << 15)
#define EFER_AUTOIBRS	((u64)1 << 21)

#define VM_CR_LOCK	((u64)1 << 3)
#define VM_CR_SVMDIS	((u64)1 << 4)

#define CR4_PAE			((u64)1 << 5)
#define CR4_PGE			((u64)1 << 7)
#define CR4_OSFXSR		((u64)1 << 9)
#define CR4_OSXMMEXCPT		((u64)1 << 10)
#define CR4_LA57		((u64)1 << 12)
#define CR4_FSGSBASE		((u64)1 << 16)
#define CR4_OSXSAVE		((u64)1 << 18)

#define X86_RFLAGS_IF		((u64)1 << 9)

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(u32 leaf, u32 sub)
{
	struct cpuid_regs r;

	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(sub));
	return r;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr"
			 :: "c"(msr), "a"((u32)v), "d"((u32)(v >> 32))
			 : "memory");
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

#define DEFINE_READ_CR(n)						\
	static inline u64 read_cr##n(void)				\
	{								\
		u64 v;							\
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));	\
		return v;						\
	}
DEFINE_READ_CR(0)
DEFINE_READ_CR(2)
DEFINE_READ_CR(3)
DEFINE_READ_CR(4)

static inline void write_cr2(u64 v)
{
	__asm__ volatile("mov %0, %%cr2" :: "r"(v));
}

static inline u64 read_dr7(void)
{
	u64 v;

	__asm__ volatile("mov %%dr7, %0" : "=r"(v));
	return v;
}

static inline void write_dr7(u64 v)
{
	__asm__ volatile("mov %0, %%dr7" :: "r"(v));
}

static inline u64 read_rflags(void)
{
	u64 v;

	__asm__ volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

static inline u64 read_rsp(void)
{
	u64 v;

	__asm__ volatile("mov %%rsp, %0" : "=r"(v));
	return v;
}

static inline void outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

struct __packed desc_ptr {
	u16 limit;
	u64 base;
};

static inline void sgdt(struct desc_ptr *d)
{
	__asm__ volatile("sgdt %0" : "=m"(*d));
}

static inline void sidt(struct desc_ptr *d)
{
	__asm__ volatile("sidt %0" : "=m"(*d));
}

static inline u16 read_seg_cs(void) { u16 s; __asm__ volatile("mov %%cs, %0" : "=r"(s)); return s; }
static inline u16 read_seg_ss(void) { u16 s; __asm__ volatile("mov %%ss, %0" : "=r"(s)); return s; }
static inline u16 read_seg_ds(void) { u16 s; __asm__ volatile("mov %%ds, %0" : "=r"(s)); return s; }
static inline u16 read_seg_es(void) { u16 s; __asm__ volatile("mov %%es, %0" : "=r"(s)); return s; }

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static inline void stgi(void)
{
	__asm__ volatile("stgi" ::: "memory");
}

static inline void clgi(void)
{
	__asm__ volatile("clgi" ::: "memory");
}

#endif
