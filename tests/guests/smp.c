// SPDX-License-Identifier: GPL-2.0
/*
 * smp: two CPUs.  With NR_CPUS=2 (environment module or command line)
 * the BSP starts the AP with INIT, SIPI, SIPI through the ICR and a
 * real-mode trampoline below 1 MiB; the AP reports in with its APIC ID;
 * BSP and AP send each other fixed-vector IPIs, one at a time, and each
 * counts what it received; then the AP halts and must make no progress
 * until an IPI from the BSP wakes it.  APIC IDs are taken to be 0 and 1
 * (no MP table or ACPI is read).  NR_CPUS=1 gives SKIPs.
 *
 * With pingpong=S the two CPUs then bounce one IPI between them for S
 * seconds, each halting until the other's arrives, as a two-CPU Linux
 * guest does with its reschedule IPIs: under a VMM every round is a
 * halt, a wake-up and a world switch on each side, so the VCPUs' worlds
 * wait and wake across two CPUs thousands of times.  A lost wake-up is
 * caught by the BSP's APIC timer (it halts no longer than a tick) and
 * fails after PP_WAIT_CYCLES without a reply.
 *
 * Options:
 *   NR_CPUS=N    CPUs of the machine (2 is what this guest tests)
 *   ipis=N       IPIs each way (default 100)
 *   pingpong=S   seconds of halting ping-pong (default 0: none)
 *   tsc_khz=K    TSC rate for pingpong= (default: CPUID leaf 0x40000010
 *                under a VMM that gives it, else 1000000)
 */
#include "guest.h"

const char guest_name[] = "smp";
const char *const guest_options[] = { "ipis", "pingpong", "tsc_khz", NULL };

#define VEC_TO_AP	0x50
#define VEC_TO_BSP	0x51
#define VEC_WAKE	0x52
#define VEC_PING_AP	0x53
#define VEC_PING_BSP	0x54
#define VEC_TICK	0x55
/* Long enough for a descheduled VCPU, short enough to fail in seconds. */
#define WAIT_CYCLES	(1ull << 31)
/* A round has no reason to take a second; a loaded host may stall a
 * VCPU for a while, a lost wake-up stalls it for good. */
#define PP_WAIT_CYCLES	(1ull << 36)
#define DIAG_PORT	0xf5	/* the VMM logs both VCPUs' state */

static volatile uint32_t ap_id = ~0u, bsp_id;
static volatile uint32_t ap_got, bsp_got, ap_wakes, ap_loops;
static volatile uint32_t ipis, go_send, ap_sent, ap_send_fail;
static volatile uint32_t ap_halting;
static volatile uint32_t pp_go, pp_stop, pp_ap_got, pp_bsp_got, pp_ticks;

static void irq_count(struct idt_frame *f)
{
	if (f->vector == VEC_TO_AP)
		ap_got++;
	else if (f->vector == VEC_TO_BSP)
		bsp_got++;
	else if (f->vector == VEC_WAKE)
		ap_wakes++;
	else if (f->vector == VEC_PING_AP)
		pp_ap_got++;
	else if (f->vector == VEC_PING_BSP)
		pp_bsp_got++;
	else if (f->vector == VEC_TICK)
		pp_ticks++;
	apic_eoi();
}

/* Waits until *V reaches WANT; false after WAIT_CYCLES. */
static bool wait_for(volatile uint32_t *v, uint32_t want)
{
	uint64_t t0 = rdtsc();

	while (*v < want)
		if (rdtsc() - t0 > WAIT_CYCLES) {
			outb(DIAG_PORT, 1);
			return false;
		}
	return true;
}

/* Halts until *GOT reaches WANT (or the ping-pong ends); false after
 * WAIT_CYCLES.  Interrupts are off between the look and the halt, so a
 * ping cannot slip in between (STI's shadow covers the HLT). */
static bool pp_wait(volatile uint32_t *got, uint32_t want)
{
	uint64_t t0 = rdtsc();
	bool ok = true;

	cli();
	while (*got < want && !pp_stop) {
		if (rdtsc() - t0 > PP_WAIT_CYCLES) {
			/* The VMM logs what both VCPUs look like now. */
			outb(DIAG_PORT, 1);
			ok = false;
			break;
		}
		sti_hlt();
		cli();
	}
	sti();
	return ok;
}

/* The AP's side: answer each ping, halting in between. */
static void ap_pingpong(void)
{
	for (uint32_t n = 1; !pp_stop; n++) {
		if (!pp_wait(&pp_ap_got, n) || pp_stop)
			break;
		apic_icr(bsp_id, APIC_DM_FIXED | VEC_PING_BSP);
	}
	for (;;)
		sti_hlt();
}

static uint64_t pp_tsc_khz(void)
{
	if (cpuid(1).c & (1u << 31) && cpuid(0x40000000).a >= 0x40000010 &&
	    cpuid(0x40000010).a)
		return opts_uint("tsc_khz", cpuid(0x40000010).a);
	return opts_uint("tsc_khz", 1000000);
}

/* The BSP's side: S seconds of rounds, a line every second or so. */
static void bsp_pingpong(uint32_t seconds)
{
	uint64_t hz = pp_tsc_khz() * 1000, t0, now, next_print;
	uint32_t rounds = 0, lost = 0;

	idt_set_handler(VEC_PING_AP, irq_count);
	idt_set_handler(VEC_PING_BSP, irq_count);
	idt_set_handler(VEC_TICK, irq_count);
	/* A tick so that a lost reply is noticed while halted. */
	apic_write(APIC_TIMER_DCR, 0xb);
	apic_write(APIC_LVT_TIMER, APIC_TIMER_PERIODIC | VEC_TICK);
	apic_write(APIC_TIMER_ICR, 1u << 22);
	pp_go = 1;
	apic_icr(ap_id, APIC_DM_FIXED | VEC_WAKE);
	t0 = rdtsc();
	next_print = t0 + hz;
	print("smp: ping-pong for %u s\n", seconds);
	while ((now = rdtsc()) - t0 < seconds * hz) {
		if (!apic_icr(ap_id, APIC_DM_FIXED | VEC_PING_AP) ||
		    !pp_wait(&pp_bsp_got, rounds + 1)) {
			lost = 1;
			break;
		}
		rounds++;
		if (now >= next_print) {
			print("smp: ping-pong %u rounds\n", rounds);
			next_print = now + hz;
		}
	}
	pp_stop = 1;
	apic_icr(ap_id, APIC_DM_FIXED | VEC_PING_AP);
	apic_timer_stop();
	report(!lost && rounds > 0 && pp_ap_got >= rounds && pp_bsp_got == rounds,
	       "ping-pong with HLT: %u rounds in %u s (AP got %u, BSP got %u, "
	       "%u ticks)%s", rounds, seconds, pp_ap_got, pp_bsp_got, pp_ticks,
	       lost ? ": no reply to the last ping" : "");
}

static void ap_main(void)
{
	ap_id = apic_id();
	sti();
	while (!go_send)
		pause();
	for (uint32_t i = 0; i < ipis; i++) {
		if (!apic_icr(bsp_id, APIC_DM_FIXED | VEC_TO_BSP) ||
		    !wait_for(&bsp_got, i + 1)) {
			ap_send_fail = 1;
			break;
		}
	}
	ap_sent = 1;
	/* Each pass is one wake-up: a halted AP makes no passes. */
	for (;;) {
		cli();
		if (pp_go)
			ap_pingpong();
		ap_loops++;
		ap_halting = 1;
		sti_hlt();
	}
}

void guest_main(void)
{
	uint32_t ncpus = opts_uint("NR_CPUS", 1), loops;
	bool up;

	ipis = opts_uint("ipis", 100);
	apic_enable();
	bsp_id = apic_id();
	print("smp: NR_CPUS=%u, BSP APIC ID %u\n", ncpus, bsp_id);
	if (ncpus < 2) {
		report_skip("NR_CPUS=1", "AP start, IPIs, HLT wake-up");
		return;
	}
	if (ncpus > 2)
		print("smp: testing CPUs 0 and 1 of %u\n", ncpus);
	idt_set_handler(VEC_TO_AP, irq_count);
	idt_set_handler(VEC_TO_BSP, irq_count);
	idt_set_handler(VEC_WAKE, irq_count);

	up = smp_start_ap(bsp_id == 0 ? 1 : 0, 0, ap_main);
	if (!report(up, "AP started by INIT, SIPI, SIPI"))
		return;
	/* smp_start_ap() returned once the AP was up; its ID follows at once. */
	for (uint64_t t0 = rdtsc(); ap_id == ~0u && rdtsc() - t0 < WAIT_CYCLES;)
		pause();
	report(ap_id != bsp_id && ap_id == (bsp_id == 0 ? 1u : 0u),
	       "AP reports in with APIC ID %u (BSP %u)", ap_id, bsp_id);

	sti();
	for (uint32_t i = 0; i < ipis; i++)
		if (!apic_icr(ap_id, APIC_DM_FIXED | VEC_TO_AP) || !wait_for(&ap_got, i + 1))
			break;
	report(ap_got == ipis, "AP received %u of %u IPIs from the BSP", ap_got, ipis);
	go_send = 1;
	/* Each of the AP's sends has its own WAIT_CYCLES: wait while they
	 * come in, however slow the host makes each round trip. */
	for (uint32_t seen = ~0u; !ap_sent && bsp_got != seen;) {
		seen = bsp_got;
		wait_for(&ap_sent, 1);
	}
	report(ap_sent && !ap_send_fail && bsp_got == ipis,
	       "BSP received %u of %u IPIs from the AP", bsp_got, ipis);

	if (!wait_for(&ap_halting, 1)) {
		report(false, "AP reached its HLT loop");
		return;
	}
	tsc_delay(1u << 22);
	loops = ap_loops;
	tsc_delay(1u << 24);
	report(ap_loops == loops, "halted AP makes no progress (%u passes, then %u)",
	       loops, ap_loops);
	apic_icr(ap_id, APIC_DM_FIXED | VEC_WAKE);
	up = wait_for(&ap_loops, loops + 1);
	report(up && ap_wakes == 1, "IPI wakes the halted AP (%u passes, %u wake IPIs)",
	       ap_loops, ap_wakes);
	if (opts_uint("pingpong", 0))
		bsp_pingpong((uint32_t)opts_uint("pingpong", 0));
	cli();
}
