/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 instructions the test guests use, as inline functions: port I/O,
 * CPUID, MSRs, the TSC, control registers and descriptor tables.  Each
 * instruction that may fault under one machine and not another has a
 * *_safe form that returns the vector it raised (or -1) instead of
 * dying: the fault is caught by the guest's own IDT (idt.c), which
 * resumes at the label after the instruction.
 */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#include <stdint.h>

/* Set by idt.c when a fault is caught while idt_resume_eip is armed. */
extern volatile int idt_caught_vector;
extern volatile uint32_t idt_caught_error;
extern volatile uint32_t idt_resume_eip;

/*
 * Runs the instructions INSN with the fault catcher armed and evaluates
 * to the vector they raised, or -1.  The label after INSN is where a
 * caught fault resumes; the remaining arguments are asm operands.  The
 * catcher is one for the whole guest: one CPU probes at a time (an
 * exception on another CPU meanwhile would resume at the probe's label).
 */
#define X86_TRY(insn, ...)						\
	({								\
		asm volatile("movl $-1, idt_caught_vector\n\t"		\
			     "movl $1729f, idt_resume_eip\n\t"		\
			     insn "\n"					\
			     "1729:\n\t"				\
			     "movl $0, idt_resume_eip"			\
			     __VA_ARGS__);				\
		idt_caught_vector;					\
	})

#define X86_UD 6
#define X86_GP 13

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

struct cpuid {
	uint32_t a, b, c, d;
};

static inline struct cpuid cpuid2(uint32_t leaf, uint32_t sub)
{
	struct cpuid r;

	asm volatile("cpuid" : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d)
		     : "a"(leaf), "c"(sub));
	return r;
}

static inline struct cpuid cpuid(uint32_t leaf)
{
	return cpuid2(leaf, 0);
}

static inline int rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;
	int v = X86_TRY("rdmsr", : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");

	*val = (uint64_t)hi << 32 | lo;
	return v;
}

static inline int wrmsr_safe(uint32_t msr, uint64_t val)
{
	return X86_TRY("wrmsr", : : "c"(msr), "a"((uint32_t)val),
		       "d"((uint32_t)(val >> 32)) : "memory");
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)val),
		     "d"((uint32_t)(val >> 32)) : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline uint64_t rdtscp(uint32_t *aux)
{
	uint32_t lo, hi, c;

	asm volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(c));
	*aux = c;
	return (uint64_t)hi << 32 | lo;
}

static inline uint32_t read_cr0(void)
{
	uint32_t v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline uint32_t read_cr4(void)
{
	uint32_t v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void cli(void)
{
	asm volatile("cli" : : : "memory");
}

static inline void sti(void)
{
	asm volatile("sti" : : : "memory");
}

/* STI's one-instruction shadow makes the pair atomic: no wake-up is lost. */
static inline void sti_hlt(void)
{
	asm volatile("sti; hlt" : : : "memory");
}

static inline void pause(void)
{
	asm volatile("pause" : : : "memory");
}

struct x86_dtr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

static inline void lidt(const struct x86_dtr *d)
{
	asm volatile("lidt %0" : : "m"(*d) : "memory");
}

static inline void sidt(struct x86_dtr *d)
{
	asm volatile("sidt %0" : "=m"(*d));
}

#define MSR_IA32_APIC_BASE	0x0000001b
#define MSR_IA32_SYSENTER_CS	0x00000174
#define MSR_IA32_SYSENTER_ESP	0x00000175
#define MSR_IA32_SYSENTER_EIP	0x00000176
#define MSR_IA32_CR_PAT		0x00000277
#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_TSC_AUX		0xc0000103
#define MSR_VM_CR		0xc0010114
#define MSR_VM_HSAVE_PA		0xc0010117

#define EFER_SCE	(1u << 0)
#define EFER_NXE	(1u << 11)
#define EFER_SVME	(1u << 12)

#endif
