// SPDX-License-Identifier: GPL-2.0
/*
 * long64: a test guest that runs in 64-bit long mode, as kvm-unit-tests'
 * x86_64 tests do (long64.S switches to it with its own page tables).
 * It checks what such a test relies on from its platform: long mode is
 * active (EFER.LMA, CR0.PG, CR4.PAE), EFER reads and writes back with
 * SVME hidden and NXE toggling, CPUID (long mode offered, and with
 * expect_hypervisor=1 the hypervisor bit set and SVM hidden), the local
 * xAPIC through the page tables with the instruction forms a 64-bit
 * compiler makes, a self-IPI and an APIC timer interrupt through a
 * 64-bit IDT, a TSS loaded with LTR, and, with NR_CPUS=2, an AP started
 * the way kvm-unit-tests starts its APs (INIT and one STARTUP IPI to all
 * but self, vector 0, trampoline at physical 0) that reaches long mode
 * and takes an IPI.
 *
 * Self-contained: the rest of the guests' library is 32-bit code.
 * Output, results and exit follow the other guests (README.md).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COM1		0x3f8
#define DEBUG_EXIT	0xf4
#define APIC_BASE	0xfee00000ul
#define APIC_ID		0x020
#define APIC_VERSION	0x030
#define APIC_TPR	0x080
#define APIC_EOI	0x0b0
#define APIC_SPIV	0x0f0
#define APIC_ISR	0x100
#define APIC_ICR_LOW	0x300
#define APIC_ICR_HIGH	0x310
#define APIC_LVT_TIMER	0x320
#define APIC_TIMER_ICR	0x380
#define APIC_TIMER_DCR	0x3e0
#define APIC_LVT_MASKED	(1u << 16)
#define ICR_SELF	(1u << 18)
#define ICR_ALLBUT	(3u << 18)
#define ICR_ASSERT	(1u << 14)
#define ICR_INIT	0x500u
#define ICR_STARTUP	0x600u
#define MSR_APIC_BASE	0x1b
#define APIC_BASE_EN	(1u << 11)
#define MSR_EFER	0xc0000080u
#define EFER_LME	(1ul << 8)
#define EFER_LMA	(1ul << 10)
#define EFER_NXE	(1ul << 11)
#define EFER_SVME	(1ul << 12)
#define VEC_SELF	0x40
#define VEC_TIMER	0x41
#define VEC_AP		0x42
#define SEL_CODE64	0x18
#define SEL_TSS		0x20
/* Long enough for a slow TCG run, short enough to fail in seconds. */
#define WAIT_CYCLES	(1ul << 33)

struct frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr;
};

struct mb_module {
	uint32_t start, end, string, reserved;
};

extern char long64_vectors[], long64_tramp[], long64_tramp_end[];
extern uint64_t long64_gdt[];
extern char long64_stack_top[];

void long64_boot(uint32_t magic, uint32_t mbi);
void long64_ap_main(void);
void long64_trap(struct frame *f);

static uint64_t idt[512] __attribute__((aligned(16)));
static uint32_t tss[26] __attribute__((aligned(16)));
static volatile uint32_t print_lock;
static uint32_t tests, failures, skips;
static unsigned nr_cpus = 1;
static int expect_hypervisor = -1;
static volatile uint32_t self_ipis, timer_irqs, ap_ipis, ap_online;
static volatile uint32_t ap_apic_id;
static volatile uint64_t ap_efer;

/* ---- port I/O, CPUID, MSRs ---- */

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void cpuid(uint32_t leaf, uint32_t r[4])
{
	asm volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
		     : "0"(leaf), "2"(0));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* ---- COM1 and formatting: %s %c %u %d %x %lx %lu ---- */

static void putc_com1(char c)
{
	if (c == '\n')
		putc_com1('\r');
	for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
		;
	outb(COM1, (uint8_t)c);
}

static void put_num(uint64_t v, unsigned base)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n)
		putc_com1(tmp[--n]);
}

static void vprint(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		bool lng = false;

		if (*fmt != '%') {
			putc_com1(*fmt);
			continue;
		}
		if (*++fmt == 'l') {
			lng = true;
			fmt++;
		}
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);

			while (*s)
				putc_com1(*s++);
			break;
		}
		case 'c':
			putc_com1((char)va_arg(ap, int));
			break;
		case 'd': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);

			if (v < 0) {
				putc_com1('-');
				v = -v;
			}
			put_num((uint64_t)v, 10);
			break;
		}
		case 'u':
		case 'x':
			put_num(lng ? va_arg(ap, uint64_t) : va_arg(ap, uint32_t),
				*fmt == 'u' ? 10 : 16);
			break;
		default:
			putc_com1('%');
			putc_com1(*fmt);
			break;
		}
	}
}

static void print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void print(const char *fmt, ...)
{
	va_list ap;

	while (__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE))
		asm volatile("pause");
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
	__atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
}

/* ---- results ---- */

static bool report(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool report(bool ok, const char *fmt, ...)
{
	va_list ap;

	while (__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE))
		asm volatile("pause");
	tests++;
	failures += !ok;
	for (const char *p = ok ? "PASS: " : "FAIL: "; *p; p++)
		putc_com1(*p);
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
	putc_com1('\n');
	__atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
	return ok;
}

static void skip(const char *what, const char *why)
{
	tests++;
	skips++;
	print("SKIP: %s (%s)\n", what, why);
}

static void __attribute__((noreturn)) halt(void)
{
	for (;;)
		asm volatile("cli; hlt");
}

static void __attribute__((noreturn)) summary_exit(void)
{
	static volatile uint32_t once;

	if (__atomic_exchange_n(&once, 1, __ATOMIC_ACQ_REL))
		halt();
	if (skips)
		print("SUMMARY: %u tests, %u unexpected failures, %u skipped\n",
		      tests, failures, skips);
	else
		print("SUMMARY: %u tests, %u unexpected failures\n", tests, failures);
	asm volatile("outl %0, %1" : : "a"(failures ? 1u : 0u), "Nd"((uint16_t)DEBUG_EXIT));
	halt();
}

/* ---- options: key=value words of the command line and the module ---- */

static bool word_is(const char *w, const char *key, const char **val)
{
	while (*key && *w == *key) {
		w++;
		key++;
	}
	if (*key || *w != '=')
		return false;
	*val = w + 1;
	return true;
}

static uint64_t parse_num(const char *s, bool *ok)
{
	uint64_t v = 0;
	bool any = false;

	for (; *s && *s != ' ' && *s != '\n' && *s != '\t'; s++, any = true) {
		if (*s < '0' || *s > '9') {
			*ok = false;
			return 0;
		}
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*ok = any;
	return v;
}

/* From the module (env: unknown keys are other tests' business) or the command line. */
static void parse_opts(const char *s, const char *end, bool strict)
{
	while (s < end && *s) {
		const char *w, *val;
		bool ok;

		while (s < end && (*s == ' ' || *s == '\n' || *s == '\t'))
			s++;
		if (s >= end || !*s)
			break;
		w = s;
		while (s < end && *s && *s != ' ' && *s != '\n' && *s != '\t')
			s++;
		/* Words without '=' (QEMU puts the kernel's file name first) are not options. */
		{
			const char *q = w;

			while (q < s && *q != '=')
				q++;
			if (q == s || q == w)
				continue;
		}
		if (word_is(w, "NR_CPUS", &val)) {
			nr_cpus = (unsigned)parse_num(val, &ok);
			if (!ok || nr_cpus < 1)
				nr_cpus = 1;
		} else if (word_is(w, "expect_hypervisor", &val)) {
			expect_hypervisor = (int)parse_num(val, &ok);
			if (!ok)
				report(false, "option expect_hypervisor: a number");
		} else if (strict) {
			char key[64];
			size_t n = 0;

			while (w + n < s && n < sizeof(key) - 1 && w[n] != '=') {
				key[n] = w[n];
				n++;
			}
			key[n] = 0;
			report(false, "option %s: unknown", key);
		}
	}
}

/* ---- IDT, TSS ---- */

static void idt_set(unsigned vec, uint64_t handler)
{
	/* Interrupt gate, present, DPL 0, 64-bit target. */
	idt[vec * 2] = (handler & 0xffff) | ((uint64_t)SEL_CODE64 << 16) |
		       (0x8eul << 40) | ((handler & 0xffff0000ul) << 32);
	idt[vec * 2 + 1] = handler >> 32;
}

static void idt_load(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} dtr = { sizeof(idt) - 1, (uint64_t)idt };

	asm volatile("lidt %0" : : "m"(dtr));
}

static void tss_load(void)
{
	uint64_t base = (uint64_t)tss, limit = sizeof(tss) - 1;

	/* RSP0 for a trap from ring 0 is not used; IST none. */
	tss[1] = (uint32_t)(uint64_t)long64_stack_top;
	long64_gdt[SEL_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
				  (0x89ul << 40) | ((base >> 24 & 0xff) << 56);
	long64_gdt[SEL_TSS / 8 + 1] = base >> 32;
	asm volatile("ltr %w0" : : "r"(SEL_TSS));
}

static volatile uint32_t *apic_reg(uint32_t reg)
{
	return (volatile uint32_t *)(APIC_BASE + reg);
}

void long64_trap(struct frame *f)
{
	switch (f->vector) {
	case VEC_SELF:
		self_ipis++;
		break;
	case VEC_TIMER:
		timer_irqs++;
		break;
	case VEC_AP:
		ap_ipis++;
		break;
	case 0xff:
		return;			/* spurious: no EOI */
	default:
		report(false, "unexpected exception %lu (error 0x%lx) at rip 0x%lx",
		       f->vector, f->error, f->rip);
		summary_exit();
	}
	*apic_reg(APIC_EOI) = 0;
}

/* ---- the checks ---- */

static void check_long_mode(void)
{
	uint64_t efer = rdmsr(MSR_EFER), cr0, cr4;
	uint16_t cs;

	asm volatile("mov %%cr0, %0" : "=r"(cr0));
	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	asm volatile("mov %%cs, %0" : "=r"(cs));
	report((efer & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA),
	       "long mode: EFER.LME and EFER.LMA set (EFER 0x%lx)", efer);
	report((cr0 & 0x80000001ul) == 0x80000001ul && (cr4 & 0x20),
	       "long mode: CR0.PG, CR0.PE, CR4.PAE set (CR0 0x%lx CR4 0x%lx)", cr0, cr4);
	report(cs == SEL_CODE64, "64-bit code segment in CS (0x%x)", cs);
	report((uint64_t)&efer > 0x100000 && sizeof(void *) == 8,
	       "stack at 0x%lx through the page tables", (uint64_t)&efer);
}

static void check_efer(void)
{
	uint32_t r[4];
	uint64_t efer = rdmsr(MSR_EFER), back;

	report(!(efer & EFER_SVME), "EFER.SVME reads 0");
	wrmsr(MSR_EFER, efer);
	back = rdmsr(MSR_EFER);
	report(back == efer, "EFER written back unchanged: LMA kept (0x%lx, 0x%lx)", efer, back);
	cpuid(0x80000001, r);
	if (!(r[3] & (1u << 20))) {
		skip("EFER.NXE toggles", "no NX in CPUID");
		return;
	}
	wrmsr(MSR_EFER, efer ^ EFER_NXE);
	back = rdmsr(MSR_EFER);
	wrmsr(MSR_EFER, efer);
	report(back == (efer ^ EFER_NXE) && rdmsr(MSR_EFER) == efer,
	       "EFER.NXE toggles and restores in long mode (0x%lx)", back);
}

static void check_cpuid(void)
{
	uint32_t r[4], max_ext;

	cpuid(0x80000000, r);
	max_ext = r[0];
	report(max_ext >= 0x80000001, "CPUID extended leaves up to 0x%x", max_ext);
	cpuid(0x80000001, r);
	report(r[3] & (1u << 29), "CPUID 0x80000001 EDX offers long mode");
	if (expect_hypervisor == 1) {
		bool svm = r[2] & (1u << 2);

		cpuid(1, r);
		report(r[2] & (1u << 31), "CPUID.1 ECX hypervisor bit set");
		report(!svm, "SVM hidden (CPUID 0x80000001 ECX bit 2 clear)");
	}
}

/*
 * The xAPIC through the page tables, with the forms a 64-bit compiler
 * makes for device registers: a plain load and store through a pointer,
 * a store of an immediate with a displacement, REX-extended registers on
 * both sides, an index register, and MOV with a 64-bit absolute
 * address (A1/A3), which only 64-bit code has.
 */
static void check_apic_mmio(void)
{
	volatile uint32_t *base = apic_reg(0);
	uint32_t r[4], id, ver, v1, v2, v3, v4;

	/*
	 * Enabled, xAPIC mode.  (kvm-unit-tests' reset_apic clears EN and
	 * sets it again; QEMU's TCG APIC keeps it off once cleared, so this
	 * guest does not.)
	 */
	wrmsr(MSR_APIC_BASE, (rdmsr(MSR_APIC_BASE) & ~(uint64_t)(1u << 10)) | APIC_BASE_EN);
	report((rdmsr(MSR_APIC_BASE) & 0xfffff000ul) == APIC_BASE &&
	       (rdmsr(MSR_APIC_BASE) & APIC_BASE_EN),
	       "APIC_BASE MSR: enabled at 0xfee00000 (0x%lx)", rdmsr(MSR_APIC_BASE));
	*apic_reg(APIC_SPIV) = 0x1ff;
	report((*apic_reg(APIC_SPIV) & 0x1ff) == 0x1ff, "SPIV software-enables the APIC");

	cpuid(1, r);
	id = *apic_reg(APIC_ID) >> 24;
	report(id == r[1] >> 24, "APIC ID %u matches CPUID's initial APIC ID %u", id, r[1] >> 24);
	ver = base[APIC_VERSION / 4];
	report((ver & 0xff) >= 0x10 && (ver & 0xff) <= 0x15 && ((ver >> 16) & 0xff) >= 3,
	       "APIC version 0x%x: integrated, at least 4 LVT entries", ver);

	/* movl $imm32, disp32(%reg) */
	asm volatile("movl $0x30, 0x80(%0)" : : "r"(base) : "memory");
	/* movl disp32(%reg), %reg */
	asm volatile("movl 0x80(%1), %0" : "=r"(v1) : "r"(base) : "memory");
	report(v1 == 0x30, "TPR: movl imm to disp(reg), movl disp(reg) to reg: 0x%x", v1);

	/* REX.R and REX.B: movl %r9d, (%r10); movl (%r10), %r11d */
	asm volatile("movl $0x40, %%r9d\n\t"
		     "movq %1, %%r10\n\t"
		     "movl %%r9d, (%%r10)\n\t"
		     "movl (%%r10), %%r11d\n\t"
		     "movl %%r11d, %0"
		     : "=r"(v2) : "r"(apic_reg(APIC_TPR)) : "r9", "r10", "r11", "memory");
	report(v2 == 0x40, "TPR: movl r9d to (r10), movl (r10) to r11d (REX): 0x%x", v2);

	/* SIB with an index: movl %ecx, (%rax,%rdx,1) */
	asm volatile("movl %1, (%2,%3,1)\n\t"
		     "movl (%2,%3,1), %0"
		     : "=&r"(v3) : "r"(0x50u), "r"(base), "r"((uint64_t)APIC_TPR) : "memory");
	report(v3 == 0x50, "TPR: base and index register (SIB): 0x%x", v3);

	/*
	 * movabs: A3 store and A1 load with a 64-bit absolute address.  A
	 * VMM that steps over only 4 address bytes runs the other 4 (zeros)
	 * as two "add %al,(%rax)", which land in the first 256 bytes of
	 * RAM: a pattern there shows it.
	 */
	for (unsigned i = 0; i < 256; i++)
		((volatile uint8_t *)0)[i] = (uint8_t)(i ^ 0x5a);
	asm volatile("movl $0x60, %%eax\n\t"
		     "movabsl %%eax, 0xfee00080\n\t"
		     "xorl %%eax, %%eax\n\t"
		     "movabsl 0xfee00080, %%eax"
		     : "=a"(v4) : : "memory");
	report(v4 == 0x60, "TPR: movabs to and from 0xfee00080 (64-bit moffs): 0x%x", v4);
	{
		unsigned bad = 0;

		for (unsigned i = 0; i < 256; i++)
			bad += ((volatile uint8_t *)0)[i] != (uint8_t)(i ^ 0x5a);
		report(!bad, "movabs stepped over whole: low memory unchanged (%u bytes differ)", bad);
	}

	*apic_reg(APIC_TPR) = 0;
	report(*apic_reg(APIC_TPR) == 0, "TPR back to 0 through a C pointer");
}

/* HLT only where an interrupt is due (the timer): nothing else wakes it. */
static bool wait_for(volatile uint32_t *counter, uint32_t want, bool halt)
{
	uint64_t t0 = rdtsc();

	while (*counter < want && rdtsc() - t0 < WAIT_CYCLES) {
		if (halt)
			asm volatile("sti; hlt; cli" ::: "memory");
		else
			asm volatile("pause" ::: "memory");
	}
	return *counter >= want;
}

static void check_interrupts(void)
{
	/* A self-IPI through the ICR shorthand. */
	*apic_reg(APIC_ICR_LOW) = ICR_SELF | VEC_SELF;
	asm volatile("sti; nop; cli" ::: "memory");
	report(self_ipis == 1, "self-IPI vector 0x%x taken once through the 64-bit IDT (%u)",
	       VEC_SELF, self_ipis);
	report(*apic_reg(APIC_ISR + (VEC_SELF / 32) * 0x10) == 0, "EOI cleared the ISR");

	/* A one-shot APIC timer, divide by 1. */
	*apic_reg(APIC_TIMER_DCR) = 0xb;
	*apic_reg(APIC_LVT_TIMER) = VEC_TIMER;
	*apic_reg(APIC_TIMER_ICR) = 0x100000;
	report(wait_for(&timer_irqs, 1, true), "APIC timer interrupt woke HLT");
	*apic_reg(APIC_LVT_TIMER) = APIC_LVT_MASKED | VEC_TIMER;
	report(timer_irqs == 1, "one-shot timer fired once (%u)", timer_irqs);
}

void long64_ap_main(void)
{
	uint32_t r[4];

	idt_load();
	*apic_reg(APIC_SPIV) = 0x1ff;
	cpuid(1, r);
	ap_apic_id = *apic_reg(APIC_ID) >> 24;
	ap_efer = rdmsr(MSR_EFER);
	__atomic_store_n(&ap_online, 1, __ATOMIC_RELEASE);
	for (;;)
		asm volatile("sti; hlt; cli" ::: "memory");
}

static void check_smp(void)
{
	const char *t = long64_tramp;
	char *dst = (char *)0;
	size_t n = (size_t)(long64_tramp_end - long64_tramp);

	if (nr_cpus < 2) {
		skip("AP into long mode", "NR_CPUS=1");
		return;
	}
	/* Physical 0 through the identity map: the trampoline page. */
	for (size_t i = 0; i < 4096; i++)
		((volatile char *)dst)[i] = i < n ? t[i] : (char)0xcc;
	*apic_reg(APIC_ICR_HIGH) = 0;
	print("long64: INIT to all but self\n");
	*apic_reg(APIC_ICR_LOW) = ICR_ALLBUT | ICR_ASSERT | ICR_INIT;
	print("long64: STARTUP to all but self, vector 0\n");
	*apic_reg(APIC_ICR_LOW) = ICR_ALLBUT | ICR_STARTUP | 0;
	print("long64: waiting for the AP\n");
	if (!report(wait_for(&ap_online, 1, false), "AP online after INIT and one SIPI (vector 0)"))
		return;
	report(ap_apic_id == 1, "AP's APIC ID is 1 (%u)", ap_apic_id);
	report((ap_efer & (EFER_LMA | EFER_SVME)) == EFER_LMA,
	       "AP in long mode, SVME hidden (EFER 0x%lx)", ap_efer);
	for (int i = 0; i < 10; i++) {
		uint64_t t0 = rdtsc();

		*apic_reg(APIC_ICR_HIGH) = 1u << 24;
		*apic_reg(APIC_ICR_LOW) = VEC_AP;
		while (ap_ipis < (uint32_t)i + 1 && rdtsc() - t0 < WAIT_CYCLES)
			asm volatile("pause");
	}
	report(ap_ipis == 10, "10 IPIs to the halted AP, each taken (%u)", ap_ipis);
}

void long64_boot(uint32_t magic, uint32_t mbi_pa)
{
	const struct mb_info *mbi = (const struct mb_info *)(uint64_t)mbi_pa;

	outb(0xa1, 0xff);		/* both PICs masked, as kvm-unit-tests does */
	outb(0x21, 0xff);
	for (unsigned v = 0; v < 256; v++)
		idt_set(v, (uint64_t)long64_vectors + 16 * v);
	idt_load();
	tss_load();
	report(magic == 0x2badb002, "multiboot magic 0x%x", magic);
	if (mbi->flags & 8 && mbi->mods_count >= 1) {
		const struct mb_module *m = (const void *)(uint64_t)mbi->mods_addr;

		parse_opts((const char *)(uint64_t)m->start,
			   (const char *)(uint64_t)m->end, false);
	}
	if (mbi->flags & 4 && mbi->cmdline) {
		const char *c = (const char *)(uint64_t)mbi->cmdline;

		parse_opts(c, c + 4096, true);
	}
	check_long_mode();
	check_efer();
	check_cpuid();
	check_apic_mmio();
	check_interrupts();
	check_smp();
	summary_exit();
}
