// SPDX-License-Identifier: GPL-2.0
/*
 * apic: the local xAPIC as a guest drives it.  Enabled through the
 * APIC_BASE MSR and SPIV; ID (matching CPUID's initial APIC ID) and
 * version readable; TPR holds back a self-IPI of its class or lower
 * until lowered; an interrupt in service holds back its own class until
 * EOI; the timer, measured against the TSC: one-shot fires once and not
 * early, periodic fires about as often as its count says, a masked timer
 * does not fire, and HLT with the timer armed wakes up.
 *
 * The TSC and the APIC timer run at rates the guest does not know (no
 * PIT to calibrate against), so the guest first measures the timer's
 * count rate in TSC cycles and states every timing check in those.
 *
 * Options:
 *   period_cycles=N  TSC cycles per periodic tick (default 2^24)
 *   periods=N        ticks to count in the periodic check (default 16)
 */
#include "guest.h"

const char guest_name[] = "apic";
const char *const guest_options[] = { "period_cycles", "periods", NULL };

#define TIMER_VEC	0x30
#define IPI_CLASS4	0x40
#define IPI_CLASS4B	0x41
#define IPI_CLASS4C	0x42
#define ICR_SELF	(1u << 18)

static volatile uint32_t timer_count;
static volatile uint64_t timer_tsc;
static volatile uint32_t ipi_count[256];
static volatile bool ipi_in_service[256];
static volatile bool ipi_no_eoi;

static void timer_irq(struct idt_frame *f)
{
	(void)f;
	timer_count++;
	timer_tsc = rdtsc();
	apic_eoi();
}

static bool apic_isr_bit(uint32_t base, unsigned vec)
{
	return apic_read(base + 0x10 * (vec / 32)) & (1u << (vec % 32));
}

static void ipi_irq(struct idt_frame *f)
{
	ipi_count[f->vector]++;
	ipi_in_service[f->vector] = apic_isr_bit(APIC_ISR, f->vector);
	if (!ipi_no_eoi)
		apic_eoi();
}

static void self_ipi(unsigned vec)
{
	apic_icr(0, ICR_SELF | APIC_DM_FIXED | vec);
}

/* Waits CYCLES with interrupts on, so that pending ones arrive. */
static void wait_sti(uint64_t cycles)
{
	sti();
	tsc_delay(cycles);
	cli();
}

static void check_registers(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
	uint32_t ver, id, cpuid_id = cpuid(1).b >> 24;

	report((base & ~0xfffull) == APIC_BASE && (base & (1u << 11)),
	       "APIC_BASE MSR: base %#llx, enabled", base & ~0xfffull);
	report(apic_read(APIC_SPIV) == (0x100 | APIC_SPURIOUS_VECTOR),
	       "SPIV reads back enabled, vector 0xff (%#x)", apic_read(APIC_SPIV));
	id = apic_id();
	report(id == cpuid_id, "APIC ID %u matches CPUID's initial APIC ID %u", id, cpuid_id);
	ver = apic_read(APIC_VERSION);
	report((ver & 0xff) >= 0x10 && (ver & 0xff) <= 0x15 && ((ver >> 16) & 0xff) >= 3,
	       "version %#x: integrated APIC, max LVT %u", ver & 0xff, (ver >> 16) & 0xff);
}

static void check_tpr_eoi(void)
{
	bool held, irr;

	apic_write(APIC_TPR, 0x20);
	report(apic_read(APIC_TPR) == 0x20, "TPR reads back 0x20 (%#x)", apic_read(APIC_TPR));

	/* TPR class 5 holds back a class-4 vector until lowered. */
	apic_write(APIC_TPR, 0x50);
	self_ipi(IPI_CLASS4);
	wait_sti(1u << 20);
	held = ipi_count[IPI_CLASS4] == 0;
	irr = apic_isr_bit(APIC_IRR, IPI_CLASS4);
	report(held && irr, "TPR 0x50 holds back vector %#x (delivered %u, IRR %u)",
	       IPI_CLASS4, ipi_count[IPI_CLASS4], irr);
	apic_write(APIC_TPR, 0);
	wait_sti(1u << 20);
	report(ipi_count[IPI_CLASS4] == 1 && ipi_in_service[IPI_CLASS4],
	       "TPR 0 lets it in (delivered %u, in service in its handler %u)",
	       ipi_count[IPI_CLASS4], ipi_in_service[IPI_CLASS4]);
	report(!apic_isr_bit(APIC_ISR, IPI_CLASS4), "EOI clears its ISR bit");

	/* Without EOI, the vector in service blocks its own class. */
	ipi_no_eoi = true;
	self_ipi(IPI_CLASS4B);
	wait_sti(1u << 20);
	self_ipi(IPI_CLASS4C);
	wait_sti(1u << 20);
	report(ipi_count[IPI_CLASS4B] == 1 && ipi_count[IPI_CLASS4C] == 0,
	       "vector %#x in service (no EOI) holds back %#x of its class (%u, %u)",
	       IPI_CLASS4B, IPI_CLASS4C, ipi_count[IPI_CLASS4B], ipi_count[IPI_CLASS4C]);
	report((apic_read(APIC_PPR) & 0xf0) == 0x40, "PPR shows class 4 in service (%#x)",
	       apic_read(APIC_PPR));
	ipi_no_eoi = false;
	apic_eoi();
	wait_sti(1u << 20);
	report(ipi_count[IPI_CLASS4C] == 1 && !apic_isr_bit(APIC_ISR, IPI_CLASS4B),
	       "EOI lets %#x in (%u)", IPI_CLASS4C, ipi_count[IPI_CLASS4C]);
}

/*
 * Timer count units per 2^22 TSC cycles, with the timer masked.  Each
 * CCR read is bracketed by TSC reads, so that a stall between them (the
 * host or a VMM preempting the VCPU) is seen and that sample retried;
 * the median of three samples stands.
 */
static uint32_t calibrate(void)
{
	uint32_t r[3] = { 0, 0, 0 }, c0, c1, t;
	uint64_t a0, b0, a1, b1;

	apic_write(APIC_TIMER_DCR, 0xb);	/* divide by 1 */
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | TIMER_VEC);
	for (int i = 0, tries = 0; i < 3 && tries < 30; tries++) {
		apic_write(APIC_TIMER_ICR, 0xffffffff);
		a0 = rdtsc();
		c0 = apic_read(APIC_TIMER_CCR);
		b0 = rdtsc();
		tsc_delay(1u << 25);
		a1 = rdtsc();
		c1 = apic_read(APIC_TIMER_CCR);
		b1 = rdtsc();
		if (b0 - a0 > (1u << 20) || b1 - a1 > (1u << 20))
			continue;
		r[i++] = (uint32_t)(((uint64_t)(c0 - c1) << 22) / ((a1 + b1) / 2 - (a0 + b0) / 2));
	}
	apic_timer_stop();
	if (r[0] > r[1])
		t = r[0], r[0] = r[1], r[1] = t;
	if (r[1] > r[2])
		t = r[1], r[1] = r[2], r[2] = t;
	if (r[0] > r[1])
		t = r[0], r[0] = r[1], r[1] = t;
	print("apic: timer rate samples %u %u %u per 2^22 TSC cycles\n", r[0], r[1], r[2]);
	return r[1];
}

static void check_timer(void)
{
	uint64_t period = opts_uint("period_cycles", 1u << 24);
	uint32_t periods = opts_uint("periods", 16);
	uint32_t rate = calibrate(), count, got;
	uint64_t t0, want;

	if (!report(rate > 16, "timer counts down with the TSC (%u per 2^22 cycles)", rate))
		return;
	count = (uint32_t)(period * rate >> 22);
	if (count == 0 || (uint64_t)count * 8 > 0xffffffffull) {
		report(false, "period_cycles=%llu gives timer count %u: out of range",
		       period, count);
		return;
	}

	/* One-shot: eight periods long, and it fires once, not early. */
	timer_count = 0;
	apic_write(APIC_LVT_TIMER, TIMER_VEC);
	t0 = rdtsc();
	apic_write(APIC_TIMER_ICR, count * 8);
	wait_sti(period * 32);
	got = timer_count;
	report(got == 1, "one-shot fires once (%u times in 4x its time)", got);
	if (got)
		report(timer_tsc - t0 >= period * 4,
		       "one-shot not early (%llu cycles, armed for %llu)",
		       timer_tsc - t0, period * 8);

	/*
	 * Periodic: PERIODS of them in a window of as many periods.  Ticks
	 * the VCPU could not take while preempted are dropped, not queued
	 * (QEMU's APIC does so, and a VMM may), so a loaded host can lose
	 * some: up to three windows are tried for enough ticks, and no
	 * window may ever see too many.
	 */
	bool enough = false, too_many = false;

	for (int w = 0; w < 3 && !enough && !too_many; w++) {
		timer_count = 0;
		apic_write(APIC_LVT_TIMER, APIC_TIMER_PERIODIC | TIMER_VEC);
		apic_write(APIC_TIMER_ICR, count);
		wait_sti(period * periods);
		apic_timer_stop();
		got = timer_count;
		print("apic: periodic window %d: %u ticks in %u periods\n", w + 1, got, periods);
		enough = got * 2 >= periods;
		too_many = got * 4 > periods * 5;
	}
	report(enough && !too_many,
	       "periodic: %u ticks in %u periods (half to 5/4 expected, 3 windows at most)",
	       got, periods);
	wait_sti(period * 4);
	report(got > 0 && timer_count == got, "stopped timer fires no more (%u after %u)",
	       timer_count, got);

	/* Masked: counts, but no interrupt. */
	timer_count = 0;
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | TIMER_VEC);
	apic_write(APIC_TIMER_ICR, count);
	wait_sti(period * 4);
	report(timer_count == 0 && apic_read(APIC_TIMER_CCR) == 0,
	       "masked one-shot ran down without an interrupt (%u)", timer_count);

	/* HLT with the timer armed: the timer wakes the CPU. */
	timer_count = 0;
	apic_write(APIC_LVT_TIMER, TIMER_VEC);
	t0 = rdtsc();
	apic_write(APIC_TIMER_ICR, count * 4);
	want = period * 2;
	sti_hlt();
	cli();
	report(timer_count == 1 && rdtsc() - t0 >= want,
	       "HLT wakes on the timer (%u interrupt, %llu cycles)", timer_count,
	       rdtsc() - t0);
	apic_timer_stop();
}

void guest_main(void)
{
	apic_enable();
	idt_set_handler(TIMER_VEC, timer_irq);
	idt_set_handler(IPI_CLASS4, ipi_irq);
	idt_set_handler(IPI_CLASS4B, ipi_irq);
	idt_set_handler(IPI_CLASS4C, ipi_irq);
	check_registers();
	check_tpr_eoi();
	check_timer();
}
