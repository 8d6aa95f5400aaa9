// SPDX-License-Identifier: GPL-2.0
/*
 * The virtual local APIC, one per VCPU: the xAPIC page at 0xfee00000
 * (reached through vmm_mmio() and the instruction decoder, since every
 * access faults in the nested page tables), the x2APIC MSRs, the
 * interrupt priority logic (IRR, ISR, TPR, PPR), the timer, and IPIs
 * through the ICR, INIT and STARTUP included.
 *
 * Locking: vm->lock guards every APIC of the VM.  Each lapic_* entry
 * takes it, so an IPI from one VCPU sets the IRR of another under the
 * same lock, and lapic_raise() works from any CPU.  vcpu_kick(),
 * vcpu_init_signal() and vcpu_sipi() are called after the lock is
 * dropped: they reach the scheduler and may take vm->lock themselves.
 * The timer's lock ranks above vm->lock, so the timer is armed and
 * cancelled under it.
 *
 * The timer: the current count is computed from the clock (the count
 * loaded at timer_start_ns, falling by one every LAPIC_BUS_KHZ cycle
 * times the divider), and a vmkernel timer (vmk/timer.h) at the next
 * expiry raises the LVT vector.  The vmkernel's timers run at its 1 ms
 * tick, so an expiry reaches the guest up to a tick late; a periodic
 * timer keeps its phase (the next expiry is counted from the last one,
 * not from when it was delivered) and gives one interrupt for periods
 * that passed within one tick.  A late callback from a timer that the
 * guest reprogrammed meanwhile finds the deadline moved and does nothing.
 *
 * Level-triggered interrupts come only from the I/O APIC (ioapic.c): their
 * vector's TMR bit is set, and the EOI that retires such a vector tells
 * the I/O APIC, which clears its remote IRR and may send it again.
 *
 * Not modelled: NMI, SMI and lowest-priority arbitration (a lowest-
 * priority interrupt goes to the first VCPU that matches), level-
 * triggered IPIs, the TSC-deadline mode (not offered in CPUID), and
 * moving the xAPIC page away from its reset address (the nested page
 * tables leave that page alone).
 */
#include <vmk/arch.h>
#include <vmk/lock.h>
#include <vmk/log.h>
#include <vmk/timer.h>

#include "vmm.h"

#define APIC_DEFAULT_BASE	0xfee00000ULL
#define APIC_VERSION		0x00050014	/* integrated, 6 LVT entries */

/* IA32_APIC_BASE */
#define MSR_APIC_BASE		0x1b
#define APIC_BASE_BSP		(1ULL << 8)
#define APIC_BASE_EXTD		(1ULL << 10)	/* x2APIC mode */
#define APIC_BASE_EN		(1ULL << 11)
#define APIC_BASE_ADDR		0x000ffffffffff000ULL
#define MSR_X2APIC_FIRST	0x800
#define MSR_X2APIC_LAST		0x8ff

/* Register offsets in the xAPIC page (x2APIC MSR = 0x800 + offset / 16). */
enum {
	REG_ID = 0x20, REG_VERSION = 0x30, REG_TPR = 0x80, REG_APR = 0x90,
	REG_PPR = 0xa0, REG_EOI = 0xb0, REG_RRD = 0xc0, REG_LDR = 0xd0,
	REG_DFR = 0xe0, REG_SPIV = 0xf0, REG_ISR = 0x100, REG_TMR = 0x180,
	REG_IRR = 0x200, REG_ESR = 0x280, REG_LVT_CMCI = 0x2f0,
	REG_ICR_LO = 0x300, REG_ICR_HI = 0x310, REG_LVT_TIMER = 0x320,
	REG_LVT_ERROR = 0x370, REG_TIMER_INIT = 0x380, REG_TIMER_CUR = 0x390,
	REG_TIMER_DIV = 0x3e0, REG_SELF_IPI = 0x3f0,	/* x2APIC only */
};

enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_CMCI };

#define LVT_MASKED		(1u << 16)
#define LVT_TIMER_PERIODIC	(1u << 17)
#define LVT_TIMER_MODE		(3u << 17)
#define SPIV_ENABLE		(1u << 8)

/* ICR */
#define ICR_VECTOR(x)		((x) & 0xff)
#define ICR_MODE(x)		(((x) >> 8) & 7)
#define ICR_LOGICAL		(1u << 11)
#define ICR_LEVEL_ASSERT	(1u << 14)
#define ICR_TRIGGER_LEVEL	(1u << 15)
#define ICR_SHORTHAND(x)	(((x) >> 18) & 3)
#define ICR_LO_BITS		0x000ccfffu	/* writable: all but delivery status */
enum { DM_FIXED = 0, DM_LOWEST = 1, DM_SMI = 2, DM_NMI = 4, DM_INIT = 5, DM_STARTUP = 6 };
enum { SH_NONE = 0, SH_SELF = 1, SH_ALL = 2, SH_OTHERS = 3 };

/* ESR bits */
#define ESR_SEND_ILLEGAL	(1u << 5)
#define ESR_RECV_ILLEGAL	(1u << 6)
#define ESR_ILLEGAL_REG		(1u << 7)

/* Writable bits of each LVT entry, in struct lapic's order. */
static const u32 lapic_lvt_bits[7] = {
	[LVT_TIMER] = 0x000700ff, [LVT_THERMAL] = 0x000107ff,
	[LVT_PERF] = 0x000107ff, [LVT_LINT0] = 0x0001a7ff,
	[LVT_LINT1] = 0x0001a7ff, [LVT_ERROR] = 0x000100ff,
	[LVT_CMCI] = 0x000107ff,
};

static void lapic_timer_fn(void *arg);

static struct lapic *lapic_of(struct vcpu *v)
{
	return &v->lapic;
}

static bool lapic_hw_enabled(const struct lapic *l)
{
	return l->apic_base & APIC_BASE_EN;
}

static bool lapic_x2(const struct lapic *l)
{
	return (l->apic_base & (APIC_BASE_EN | APIC_BASE_EXTD)) ==
	       (APIC_BASE_EN | APIC_BASE_EXTD);
}

static bool lapic_sw_enabled(const struct lapic *l)
{
	return lapic_hw_enabled(l) && (l->spiv & SPIV_ENABLE);
}

static void vec_set(u32 *bits, u8 vec)
{
	bits[vec / 32] |= 1u << (vec % 32);
}

static void vec_clear(u32 *bits, u8 vec)
{
	bits[vec / 32] &= ~(1u << (vec % 32));
}

/* The highest vector set in a 256-bit register, or -1. */
static int vec_highest(const u32 *bits)
{
	for (int i = 7; i >= 0; i--)
		if (bits[i])
			return i * 32 + 31 - __builtin_clz(bits[i]);
	return -1;
}

static u32 lapic_ppr(const struct lapic *l)
{
	int isrv = vec_highest(l->isr);
	u32 isr_class = isrv < 0 ? 0 : (u32)isrv & 0xf0;

	return (l->tpr & 0xf0) >= isr_class ? l->tpr & 0xff : isr_class;
}

/* x2APIC's logical ID follows from the APIC ID: cluster and bit. */
static u32 lapic_x2_ldr(u32 id)
{
	return ((id >> 4) << 16) | (1u << (id & 0xf));
}

/* The registers a reset or a disable brings back; ID and base stay. */
static void lapic_regs_reset(struct lapic *l)
{
	l->tpr = 0;
	l->spiv = 0xff;
	l->ldr = 0;
	l->dfr = 0xffffffff;
	l->esr = l->esr_pending = 0;
	l->icr_lo = l->icr_hi = 0;
	for (u32 i = 0; i < ARRAY_SIZE(l->lvt); i++)
		l->lvt[i] = LVT_MASKED;
	l->timer_initial = l->timer_divide = 0;
	l->timer_start_ns = l->timer_deadline_ns = 0;
	for (u32 i = 0; i < 8; i++)
		l->irr[i] = l->isr[i] = l->tmr[i] = 0;
	timer_cancel(&l->timer);
}

void lapic_reset(struct vcpu *v, bool bsp)
{
	struct lapic *l = lapic_of(v);

	spin_lock(&v->vm->lock);
	/* The first reset finds the timer zeroed with the rest of the VCPU. */
	if (l->timer.fn != lapic_timer_fn)
		timer_init(&l->timer, lapic_timer_fn, v);
	lapic_regs_reset(l);
	l->id = v->index;
	l->apic_base = APIC_DEFAULT_BASE | APIC_BASE_EN | (bsp ? APIC_BASE_BSP : 0);
	l->timer_fired = 0;
	spin_unlock(&v->vm->lock);
}

void lapic_fini(struct vcpu *v)
{
	if (v->lapic.timer.fn == lapic_timer_fn)
		timer_cancel_sync(&v->lapic.timer);
}

u64 lapic_mmio_base(struct vcpu *v)
{
	struct lapic *l = lapic_of(v);
	u64 base = 0;

	spin_lock(&v->vm->lock);
	if (lapic_hw_enabled(l) && !lapic_x2(l))
		base = l->apic_base & APIC_BASE_ADDR;
	spin_unlock(&v->vm->lock);
	return base;
}

/* ---- the timer ---- */

static u64 lapic_timer_div(const struct lapic *l)
{
	u32 d = (l->timer_divide & 3) | ((l->timer_divide & 8) >> 1);

	return d == 7 ? 1 : 2ULL << d;
}

/* Nanoseconds per count: the bus runs at one count per nanosecond. */
static u64 lapic_count_ns(const struct lapic *l)
{
	return lapic_timer_div(l) * (1000000000ULL / (LAPIC_BUS_KHZ * 1000ULL));
}

static u32 lapic_timer_current(const struct lapic *l, u64 now)
{
	u64 elapsed;

	if (!l->timer_initial || !l->timer_deadline_ns)
		return 0;
	/* QEMU's CPUs do not share one TSC: a VCPU that moved may read a
	 * clock behind the one its count was loaded by. */
	if (now < l->timer_start_ns)
		return l->timer_initial;
	elapsed = (now - l->timer_start_ns) / lapic_count_ns(l);
	if ((l->lvt[LVT_TIMER] & LVT_TIMER_MODE) == LVT_TIMER_PERIODIC)
		return l->timer_initial - (u32)(elapsed % l->timer_initial);
	return elapsed >= l->timer_initial ? 0 : l->timer_initial - (u32)elapsed;
}

/* The count was (re)loaded: a new expiry, or none for a count of 0. */
static void lapic_timer_load(struct lapic *l, u64 now)
{
	l->timer_start_ns = now;
	if (!l->timer_initial) {
		l->timer_deadline_ns = 0;
		timer_cancel(&l->timer);
		return;
	}
	l->timer_deadline_ns = now + (u64)l->timer_initial * lapic_count_ns(l);
	timer_arm(&l->timer, l->timer_deadline_ns);
}

static void lapic_timer_fn(void *arg)
{
	struct vcpu *v = arg;
	struct lapic *l = lapic_of(v);
	u64 now = arch_now_ns();
	bool kick = false;

	spin_lock(&v->vm->lock);
	if (!l->timer_deadline_ns || l->timer_deadline_ns > now)
		goto out_unlock;	/* reprogrammed or stopped meanwhile */
	/* A VM that is off or crashed: its timer stops rather than waking
	 * its VCPUs for nothing; a start resets the APIC. */
	if (v->vm->state != VMK_VM_RUNNING) {
		l->timer_deadline_ns = 0;
		goto out_unlock;
	}
	if (!(l->lvt[LVT_TIMER] & LVT_MASKED) && lapic_sw_enabled(l) &&
	    (l->lvt[LVT_TIMER] & 0xff) >= 16) {
		vec_set(l->irr, l->lvt[LVT_TIMER] & 0xff);
		l->timer_fired++;
		kick = true;
	}
	if ((l->lvt[LVT_TIMER] & LVT_TIMER_MODE) == LVT_TIMER_PERIODIC) {
		u64 period = (u64)l->timer_initial * lapic_count_ns(l);

		if (now > l->timer_start_ns)
			l->timer_start_ns += (now - l->timer_start_ns) / period * period;
		l->timer_deadline_ns = l->timer_start_ns + period;
		timer_arm(&l->timer, l->timer_deadline_ns);
	} else {
		l->timer_deadline_ns = 0;
	}
out_unlock:
	spin_unlock(&v->vm->lock);
	if (kick)
		vcpu_kick(v);
}

/* ---- IPIs ---- */

/* What an ICR write asks of the other VCPUs, done once the lock is gone. */
struct lapic_ipi {
	u8 mode;
	u8 vector;
	u32 targets[(VMK_VM_VCPUS_MAX + 31) / 32];
};

static bool lapic_matches(const struct lapic *l, u32 dest, bool logical, bool x2)
{
	if (!logical) {
		if (x2)
			return dest == 0xffffffff || dest == l->id;
		return dest == 0xff || dest == (l->id & 0xff);
	}
	if (x2) {
		u32 ldr = lapic_x2_ldr(l->id);

		return dest == 0xffffffff ||
		       ((dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff));
	}
	dest &= 0xff;
	if (dest == 0xff)
		return true;
	if ((l->dfr >> 28) == 0xf)	/* flat: a bit per APIC */
		return (l->ldr >> 24) & dest;
	/* cluster: the high nibble names the cluster, the low one its members */
	return (dest >> 4) == (l->ldr >> 28) && (dest & (l->ldr >> 24) & 0xf);
}

/* Under vm->lock: resolve the ICR's destinations and set fixed vectors. */
static void lapic_icr_send(struct vcpu *src, u32 lo, u32 dest, struct lapic_ipi *ipi)
{
	struct vm *vm = src->vm;
	struct lapic *sl = lapic_of(src);
	bool x2 = lapic_x2(sl), logical = lo & ICR_LOGICAL;
	u32 sh = ICR_SHORTHAND(lo);

	*ipi = (struct lapic_ipi){ .mode = ICR_MODE(lo), .vector = ICR_VECTOR(lo) };
	switch (ipi->mode) {
	case DM_FIXED:
	case DM_LOWEST:
		if (ipi->vector < 16) {
			sl->esr_pending |= ESR_SEND_ILLEGAL;
			return;
		}
		break;
	case DM_INIT:
		/* The level de-assert of old MP start-up code does nothing. */
		if ((lo & ICR_TRIGGER_LEVEL) && !(lo & ICR_LEVEL_ASSERT))
			return;
		break;
	case DM_STARTUP:
		break;
	default:
		log_debug("vm%u vcpu%u: IPI delivery mode %u ignored", vm->id,
			  src->index, ipi->mode);
		return;
	}
	for (u32 i = 0; i < vm->nvcpus; i++) {
		struct vcpu *t = vm->vcpu[i];
		bool hit;

		if (!t)
			continue;
		switch (sh) {
		case SH_SELF:	hit = t == src; break;
		case SH_ALL:	hit = true; break;
		case SH_OTHERS:	hit = t != src; break;
		default:	hit = lapic_matches(lapic_of(t), dest, logical, x2); break;
		}
		if (!hit)
			continue;
		if (ipi->mode == DM_FIXED || ipi->mode == DM_LOWEST) {
			if (!lapic_hw_enabled(lapic_of(t)))
				continue;
			vec_set(lapic_of(t)->irr, ipi->vector);
		}
		ipi->targets[i / 32] |= 1u << (i % 32);
		if (ipi->mode == DM_LOWEST)
			break;
	}
}

static void lapic_ipi_finish(struct vm *vm, const struct lapic_ipi *ipi)
{
	for (u32 i = 0; i < vm->nvcpus; i++) {
		struct vcpu *t = vm->vcpu[i];

		if (!t || !(ipi->targets[i / 32] & (1u << (i % 32))))
			continue;
		switch (ipi->mode) {
		case DM_INIT:
			vcpu_init_signal(t);
			break;
		case DM_STARTUP:
			vcpu_sipi(t, ipi->vector);
			break;
		default:
			vcpu_kick(t);
			break;
		}
	}
}

/* ---- registers, common to MMIO and MSRs ---- */

static void lapic_eoi(struct vm *vm, struct lapic *l)
{
	int v = vec_highest(l->isr);

	if (v < 0)
		return;
	vec_clear(l->isr, (u8)v);
	/* A level-triggered vector: the I/O APIC waits for this EOI. */
	if (l->tmr[v / 32] & (1u << (v % 32))) {
		vec_clear(l->tmr, (u8)v);
		ioapic_eoi(vm, (u8)v);
	}
}

/* Under vm->lock: the register at offset for a read. */
static u32 lapic_reg_read(struct lapic *l, u32 off, u64 now)
{
	switch (off) {
	case REG_ID:		return lapic_x2(l) ? l->id : l->id << 24;
	case REG_VERSION:	return APIC_VERSION;
	case REG_TPR:		return l->tpr;
	case REG_APR:		return 0;
	case REG_PPR:		return lapic_ppr(l);
	case REG_LDR:		return lapic_x2(l) ? lapic_x2_ldr(l->id) : l->ldr;
	case REG_DFR:		return l->dfr;
	case REG_SPIV:		return l->spiv;
	case REG_ESR:		return l->esr;
	case REG_ICR_LO:	return l->icr_lo;
	case REG_ICR_HI:	return l->icr_hi;
	case REG_TIMER_INIT:	return l->timer_initial;
	case REG_TIMER_CUR:	return lapic_timer_current(l, now);
	case REG_TIMER_DIV:	return l->timer_divide;
	}
	if (off >= REG_ISR && off < REG_ISR + 0x80)
		return l->isr[(off - REG_ISR) / 16];
	if (off >= REG_TMR && off < REG_TMR + 0x80)
		return l->tmr[(off - REG_TMR) / 16];
	if (off >= REG_IRR && off < REG_IRR + 0x80)
		return l->irr[(off - REG_IRR) / 16];
	if (off >= REG_LVT_TIMER && off <= REG_LVT_ERROR)
		return l->lvt[LVT_TIMER + (off - REG_LVT_TIMER) / 16];
	return 0;
}

/* Whether the register at offset can be read in x2APIC mode (MSRs). */
static bool lapic_x2_readable(u32 off)
{
	switch (off) {
	case REG_ID: case REG_VERSION: case REG_TPR: case REG_PPR:
	case REG_LDR: case REG_SPIV: case REG_ESR: case REG_ICR_LO:
	case REG_TIMER_INIT: case REG_TIMER_CUR: case REG_TIMER_DIV:
		return true;
	}
	return (off >= REG_ISR && off < REG_IRR + 0x80) ||
	       (off >= REG_LVT_TIMER && off <= REG_LVT_ERROR);
}

/*
 * Under vm->lock: a write to the register at offset.  hi is the ICR's
 * destination word for an x2APIC ICR write (one 64-bit MSR).  False if
 * the register cannot be written (x2APIC mode faults on it).
 */
static bool lapic_reg_write(struct vcpu *v, u32 off, u32 val, u32 hi,
			    u64 now, struct lapic_ipi *ipi)
{
	struct lapic *l = lapic_of(v);
	bool x2 = lapic_x2(l);

	switch (off) {
	case REG_ID:
		/* xAPIC lets software move its ID; we keep the VCPU's. */
		return !x2;
	case REG_TPR:
		l->tpr = val & 0xff;
		return true;
	case REG_EOI:
		lapic_eoi(v->vm, l);
		return true;
	case REG_LDR:
		if (x2)
			return false;
		l->ldr = val & 0xff000000;
		return true;
	case REG_DFR:
		if (x2)
			return false;
		l->dfr = val | 0x0fffffff;
		return true;
	case REG_SPIV:
		l->spiv = val & 0x3ff;
		if (!(l->spiv & SPIV_ENABLE))
			for (u32 i = 0; i < ARRAY_SIZE(l->lvt); i++)
				l->lvt[i] |= LVT_MASKED;
		return true;
	case REG_ESR:
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		return true;
	case REG_ICR_LO:
		l->icr_lo = val & ICR_LO_BITS;
		if (x2)
			l->icr_hi = hi;
		lapic_icr_send(v, l->icr_lo, x2 ? l->icr_hi : l->icr_hi >> 24, ipi);
		return true;
	case REG_ICR_HI:
		if (x2)
			return false;
		l->icr_hi = val & 0xff000000;
		return true;
	case REG_TIMER_INIT:
		l->timer_initial = val;
		lapic_timer_load(l, now);
		return true;
	case REG_TIMER_DIV:
		/* A new divider applies from the next count loaded. */
		l->timer_divide = val & 0xb;
		return true;
	case REG_SELF_IPI:
		if (!x2)
			return true;
		lapic_icr_send(v, (val & 0xff) | (SH_SELF << 18), 0, ipi);
		return true;
	}
	if (off >= REG_LVT_TIMER && off <= REG_LVT_ERROR) {
		u32 i = LVT_TIMER + (off - REG_LVT_TIMER) / 16;

		l->lvt[i] = val & lapic_lvt_bits[i];
		/* Software-disabled: every LVT stays masked. */
		if (!(l->spiv & SPIV_ENABLE))
			l->lvt[i] |= LVT_MASKED;
		return true;
	}
	/* Read-only and reserved registers: ignored in xAPIC mode. */
	if (x2)
		return false;
	return true;
}

/* ---- the entry points ---- */

void lapic_mmio_read(struct vcpu *v, u32 offset, u32 *val)
{
	struct lapic *l = lapic_of(v);
	u64 now = arch_now_ns();

	spin_lock(&v->vm->lock);
	/* The registers are 16 bytes apart; only their first word is live. */
	if (!lapic_hw_enabled(l) || lapic_x2(l))
		*val = 0xffffffff;
	else if (offset & 0xf)
		*val = 0;
	else
		*val = lapic_reg_read(l, offset & 0xff0, now);
	spin_unlock(&v->vm->lock);
}

void lapic_mmio_write(struct vcpu *v, u32 offset, u32 val)
{
	struct lapic *l = lapic_of(v);
	struct lapic_ipi ipi = { 0 };
	u64 now = arch_now_ns();

	spin_lock(&v->vm->lock);
	if (lapic_hw_enabled(l) && !lapic_x2(l) && !(offset & 0xf) &&
	    (offset & 0xff0) != REG_SELF_IPI)
		lapic_reg_write(v, offset & 0xff0, val, 0, now, &ipi);
	spin_unlock(&v->vm->lock);
	lapic_ipi_finish(v->vm, &ipi);
	vmm_irq_kick(v->vm);
}

/* IA32_APIC_BASE: the mode changes the SDM allows, no relocation. */
static bool lapic_base_write(struct lapic *l, u64 val)
{
	u64 old = l->apic_base;
	bool was_en = old & APIC_BASE_EN, en = val & APIC_BASE_EN;
	bool was_x2 = lapic_x2(l), x2 = val & APIC_BASE_EXTD;

	if (val & ~(APIC_BASE_ADDR | APIC_BASE_EN | APIC_BASE_EXTD | APIC_BASE_BSP))
		return false;
	if ((val & APIC_BASE_ADDR) != APIC_DEFAULT_BASE)
		return false;
	if (x2 && !en)				/* invalid state */
		return false;
	if (was_x2 && en && !x2)		/* x2APIC -> xAPIC */
		return false;
	if (!was_en && x2)			/* disabled -> x2APIC */
		return false;
	l->apic_base = (val & ~APIC_BASE_BSP) | (old & APIC_BASE_BSP);
	if (was_en && !en)
		lapic_regs_reset(l);
	return true;
}

bool lapic_msr(struct vcpu *v, u32 msr, bool write, u64 *val)
{
	struct lapic *l = lapic_of(v);
	struct lapic_ipi ipi = { 0 };
	u64 now = arch_now_ns();
	u32 off = (msr - MSR_X2APIC_FIRST) << 4;
	bool ok = false;

	if (msr != MSR_APIC_BASE && (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST))
		return false;
	spin_lock(&v->vm->lock);
	if (msr == MSR_APIC_BASE) {
		if (write) {
			ok = lapic_base_write(l, *val);
		} else {
			*val = l->apic_base;
			ok = true;
		}
	} else if (!lapic_x2(l)) {
		ok = false;
	} else if (!write) {
		ok = lapic_x2_readable(off);
		if (ok && off == REG_ICR_LO)
			*val = (u64)l->icr_hi << 32 | l->icr_lo;
		else if (ok)
			*val = lapic_reg_read(l, off, now);
	} else if (*val >> 32 && off != REG_ICR_LO) {
		ok = false;			/* reserved bits of a 32-bit register */
	} else if (off == REG_EOI || off == REG_ESR) {
		ok = (u32)*val == 0 && lapic_reg_write(v, off, 0, 0, now, &ipi);
	} else if (off == REG_SELF_IPI) {
		ok = !(*val & ~0xffULL) &&
		     lapic_reg_write(v, off, (u32)*val, 0, now, &ipi);
	} else {
		switch (off) {
		case REG_TPR: case REG_SPIV: case REG_ICR_LO: case REG_TIMER_INIT:
		case REG_TIMER_DIV:
			ok = true;
			break;
		default:
			ok = off >= REG_LVT_TIMER && off <= REG_LVT_ERROR;
			break;
		}
		if (ok)
			lapic_reg_write(v, off, (u32)*val, (u32)(*val >> 32), now, &ipi);
	}
	spin_unlock(&v->vm->lock);
	lapic_ipi_finish(v->vm, &ipi);
	vmm_irq_kick(v->vm);
	return ok;
}

int lapic_pending(struct vcpu *v)
{
	struct lapic *l = lapic_of(v);
	int vec;

	spin_lock(&v->vm->lock);
	vec = lapic_hw_enabled(l) ? vec_highest(l->irr) : -1;
	if (vec >= 0 && ((u32)vec & 0xf0) <= (lapic_ppr(l) & 0xf0))
		vec = -1;
	spin_unlock(&v->vm->lock);
	return vec;
}

void lapic_log_state(struct vcpu *v)
{
	struct lapic *l = lapic_of(v);
	int irr, isr;
	u32 ppr;

	spin_lock(&v->vm->lock);
	irr = vec_highest(l->irr);
	isr = vec_highest(l->isr);
	ppr = lapic_ppr(l);
	spin_unlock(&v->vm->lock);
	log_info("vm%u vcpu%u: apic irr %d isr %d ppr 0x%x", v->vm->id, v->index,
		 irr, isr, ppr);
}

void lapic_accept(struct vcpu *v, u8 vector)
{
	struct lapic *l = lapic_of(v);

	spin_lock(&v->vm->lock);
	vec_clear(l->irr, vector);
	vec_set(l->isr, vector);
	spin_unlock(&v->vm->lock);
}

void lapic_raise(struct vcpu *v, u8 vector)
{
	struct lapic *l = lapic_of(v);
	bool kick = false;

	spin_lock(&v->vm->lock);
	if (vector < 16) {
		l->esr_pending |= ESR_RECV_ILLEGAL;
	} else if (lapic_hw_enabled(l)) {
		vec_set(l->irr, vector);
		kick = true;
	}
	spin_unlock(&v->vm->lock);
	if (kick)
		vcpu_kick(v);
}

u32 lapic_deliver_locked(struct vm *vm, u32 dest, bool logical, bool lowest,
			 u8 vector, bool level)
{
	u32 sent = 0;

	if (vector < 16)
		return 0;
	for (u32 i = 0; i < vm->nvcpus; i++) {
		struct vcpu *t = vm->vcpu[i];
		struct lapic *l;

		if (!t)
			continue;
		l = lapic_of(t);
		/* The I/O APIC's destination is 8 bits, as an xAPIC's. */
		if (!lapic_hw_enabled(l) || !lapic_matches(l, dest & 0xff, logical, false))
			continue;
		vec_set(l->irr, vector);
		if (level)
			vec_set(l->tmr, vector);
		else
			vec_clear(l->tmr, vector);
		sent |= 1u << i;
		if (lowest)
			break;
	}
	return sent;
}
