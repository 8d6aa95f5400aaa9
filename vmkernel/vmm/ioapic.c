// SPDX-License-Identifier: GPL-2.0
/*
 * The VM's I/O APIC: an 82093AA-style controller at 0xfec00000 with 24
 * pins, the way ISA interrupts (COM1's on pin 4) reach the local APICs.
 * The MP table the Linux loader writes names it (ID = the VCPU count,
 * version 0x11) and routes ISA IRQ n to pin n (IRQ 0 to pin 2).
 *
 * Registers: IOREGSEL at offset 0x00 and IOWIN at 0x10 of its page, which
 * the nested page tables leave unmapped so every access exits to
 * vmm_mmio(); behind the window, the ID (0), the version (1: 0x11 and 23
 * as the highest redirection entry), the arbitration ID (2) and the
 * redirection table (0x10 + 2 * pin, low word then high word).
 *
 * Delivery: a pin's input is the level its device drives; the entry's
 * polarity says which level is asserted.  An edge-triggered pin sends its
 * vector on each rise of the asserted state; a level-triggered one sends
 * it while asserted and sets the entry's remote IRR, which stays set until
 * a local APIC's EOI of that vector (lapic.c sees the TMR bit and calls
 * ioapic_eoi()); if the pin is still asserted then, it sends again.  A
 * masked pin sends nothing: a level pin asserted while masked sends once
 * unmasked, an edge that came while masked is lost, as on the chip.
 * Fixed and lowest-priority delivery (to the lowest-numbered matching
 * APIC: there is no arbitration), physical and logical destinations
 * through the local APIC's own matching.  Other delivery modes (SMI, NMI,
 * INIT, ExtINT) send nothing and are logged.
 *
 * Locking: vm->lock guards it.  ioapic_set_irq() and ioapic_eoi() run
 * with it held (from a device, or from the local APIC's EOI); the VCPUs
 * they set an IRR bit on are noted in vm->irq_kick and kicked by
 * vmm_irq_kick() once the lock is dropped, since a kick takes vm->lock.
 */
#include <vmk/log.h>
#include "vmm.h"

#define IOAPIC_VERSION		0x11
#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VERSION	0x01
#define IOAPIC_REG_ARB		0x02
#define IOAPIC_REG_REDIR	0x10
#define IOAPIC_OFF_REGSEL	0x00
#define IOAPIC_OFF_WIN		0x10

/* Redirection entry bits */
#define RTE_VECTOR(e)		((u8)((e) & 0xff))
#define RTE_MODE(e)		(((e) >> 8) & 7)
#define RTE_LOGICAL		(1ULL << 11)
#define RTE_STATUS		(1ULL << 12)	/* delivery pending: always idle here */
#define RTE_POL_LOW		(1ULL << 13)
#define RTE_REMOTE_IRR		(1ULL << 14)
#define RTE_LEVEL		(1ULL << 15)
#define RTE_MASKED		(1ULL << 16)
#define RTE_DEST(e)		((u32)((e) >> 56))
/* What the guest can write: all but delivery status and remote IRR. */
#define RTE_WRITABLE		(0xff00000000000000ULL | 0x1afffULL)

enum { RTE_FIXED = 0, RTE_LOWEST = 1 };

void ioapic_reset(struct vm *vm)
{
	struct ioapic *io = &vm->ioapic;

	io->regsel = 0;
	io->id = vm->nvcpus & 0xf;
	io->level = 0;
	for (u32 i = 0; i < IOAPIC_PINS; i++) {
		io->redir[i] = RTE_MASKED;
		io->delivered[i] = 0;
	}
}

static bool ioapic_asserted(const struct ioapic *io, u32 pin)
{
	bool level = io->level & (1u << pin);

	return (io->redir[pin] & RTE_POL_LOW) ? !level : level;
}

/* Sends pin's vector to the local APICs it names.  vm->lock held. */
static void ioapic_send(struct vm *vm, u32 pin)
{
	struct ioapic *io = &vm->ioapic;
	u64 e = io->redir[pin];
	u32 mode = RTE_MODE(e), sent;
	bool level = e & RTE_LEVEL;

	if (mode != RTE_FIXED && mode != RTE_LOWEST) {
		log_debug("vm%u ioapic: pin %u's delivery mode %u is not emulated",
			  vm->id, pin, mode);
		return;
	}
	sent = lapic_deliver_locked(vm, RTE_DEST(e), e & RTE_LOGICAL,
				    mode == RTE_LOWEST, RTE_VECTOR(e), level);
	if (!sent)
		return;
	if (level)
		io->redir[pin] |= RTE_REMOTE_IRR;
	io->delivered[pin]++;
	__atomic_or_fetch(&vm->irq_kick, sent, __ATOMIC_RELEASE);
}

/* A level pin that is asserted, unmasked and not waiting for an EOI. */
static void ioapic_service_level(struct vm *vm, u32 pin)
{
	u64 e = vm->ioapic.redir[pin];

	if ((e & RTE_LEVEL) && !(e & (RTE_MASKED | RTE_REMOTE_IRR)) &&
	    ioapic_asserted(&vm->ioapic, pin))
		ioapic_send(vm, pin);
}

void ioapic_set_irq(struct vm *vm, u32 pin, bool level)
{
	struct ioapic *io = &vm->ioapic;
	bool was;

	if (pin >= IOAPIC_PINS)
		return;
	was = ioapic_asserted(io, pin);
	if (level)
		io->level |= 1u << pin;
	else
		io->level &= ~(1u << pin);
	if (io->redir[pin] & RTE_LEVEL) {
		ioapic_service_level(vm, pin);
		return;
	}
	if (!was && ioapic_asserted(io, pin) && !(io->redir[pin] & RTE_MASKED))
		ioapic_send(vm, pin);
}

void ioapic_eoi(struct vm *vm, u8 vector)
{
	struct ioapic *io = &vm->ioapic;

	for (u32 pin = 0; pin < IOAPIC_PINS; pin++) {
		u64 e = io->redir[pin];

		if (!(e & RTE_REMOTE_IRR) || RTE_VECTOR(e) != vector)
			continue;
		io->redir[pin] &= ~RTE_REMOTE_IRR;
		ioapic_service_level(vm, pin);
	}
}

static u32 ioapic_reg_read(const struct ioapic *io, u32 reg)
{
	switch (reg) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB:
		return io->id << 24;
	case IOAPIC_REG_VERSION:
		return ((IOAPIC_PINS - 1) << 16) | IOAPIC_VERSION;
	}
	if (reg >= IOAPIC_REG_REDIR && reg < IOAPIC_REG_REDIR + 2 * IOAPIC_PINS) {
		u64 e = io->redir[(reg - IOAPIC_REG_REDIR) / 2];

		return (reg & 1) ? (u32)(e >> 32) : (u32)e;
	}
	return 0xffffffff;		/* no register there */
}

static void ioapic_reg_write(struct vm *vm, u32 reg, u32 val)
{
	struct ioapic *io = &vm->ioapic;
	u32 pin;
	u64 e;

	if (reg == IOAPIC_REG_ID) {
		io->id = (val >> 24) & 0xf;
		return;
	}
	if (reg < IOAPIC_REG_REDIR || reg >= IOAPIC_REG_REDIR + 2 * IOAPIC_PINS)
		return;			/* the version, arbitration: read-only */
	pin = (reg - IOAPIC_REG_REDIR) / 2;
	e = io->redir[pin];
	if (reg & 1)
		e = (e & 0xffffffffULL) | ((u64)val << 32);
	else
		e = (e & ~0xffffffffULL) | val;
	io->redir[pin] = (e & RTE_WRITABLE) | (io->redir[pin] & RTE_REMOTE_IRR);
	/* An edge entry has no remote IRR; a level one unmasked while its
	 * pin is asserted sends now. */
	if (!(io->redir[pin] & RTE_LEVEL))
		io->redir[pin] &= ~RTE_REMOTE_IRR;
	ioapic_service_level(vm, pin);
}

void ioapic_mmio_read(struct vm *vm, u32 offset, u32 *val)
{
	spin_lock(&vm->lock);
	switch (offset) {
	case IOAPIC_OFF_REGSEL:
		*val = vm->ioapic.regsel;
		break;
	case IOAPIC_OFF_WIN:
		*val = ioapic_reg_read(&vm->ioapic, vm->ioapic.regsel);
		break;
	default:
		*val = 0xffffffff;
		break;
	}
	spin_unlock(&vm->lock);
}

void ioapic_mmio_write(struct vm *vm, u32 offset, u32 val)
{
	spin_lock(&vm->lock);
	if (offset == IOAPIC_OFF_REGSEL)
		vm->ioapic.regsel = val & 0xff;
	else if (offset == IOAPIC_OFF_WIN)
		ioapic_reg_write(vm, vm->ioapic.regsel, val);
	spin_unlock(&vm->lock);
	vmm_irq_kick(vm);
}

void vmm_irq_kick(struct vm *vm)
{
	u32 kick = __atomic_exchange_n(&vm->irq_kick, 0, __ATOMIC_ACQ_REL);

	for (u32 i = 0; kick && i < vm->nvcpus; i++, kick >>= 1)
		if ((kick & 1) && vm->vcpu[i])
			vcpu_kick(vm->vcpu[i]);
}
