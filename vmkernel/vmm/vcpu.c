// SPDX-License-Identifier: GPL-2.0
/*
 * A VCPU world's loop: wait until the VCPU may run (its VM started, or a
 * SIPI for a secondary VCPU), inject what its local APIC has pending, run
 * the guest through the backend, and handle the exit.  The virtual
 * platform is here, apart from the APIC (lapic.c) and COM1 (uart.c):
 *
 *   CPUID    the host's, filtered: hypervisor bit set; SVM, VMX, XSAVE,
 *            MONITOR, x2APIC, the TSC deadline timer, SME/SEV and power
 *            management hidden, ARAT shown; the topology of one package
 *            of single-thread cores, APIC ID = VCPU index (leaves 1, 0xb,
 *            0x80000008, 0x8000001e); leaf 0x40000000 says
 *            "VMwareVMware" and 0x40000010 gives the TSC and APIC bus
 *            rates in kHz, as ESX does
 *   MSRs     the APIC's to lapic_msr(); TSC, PAT, MISC_ENABLE, the MTRRs
 *            and a few others emulated; anything else is #GP
 *   ports    COM1, the 8259s and ELCR (pic.c), the RTC (cmos.c); 0xf4,
 *            the debug exit (`outl(code, 0xf4)` powers the VM off with
 *            that code); every other port absorbs writes and reads as
 *            all-ones
 *   HLT      the world waits until an interrupt is pending: an idle VM
 *            costs its CPU nothing; with interrupts off it waits for
 *            INIT only, and once every VCPU does so the VM is off
 *   0xcf9    a write with bit 2 set resets the VM (vm.c, power.c)
 *   0xf5     a write logs every VCPU's state (loop, world, APIC): a test
 *            guest that gives up waiting leaves a picture of why
 *   NPF      in the APIC page, or a write where nothing is below 4 GiB:
 *            emulated (vmm_mmio: the write is dropped); above 4 GiB a crash
 *   the rest SHUTDOWN (triple fault) crashes the VM; VMMCALL is #UD; any
 *            exit the platform does not know crashes the VM with its code
 *            and RIP in the reason.  Only that VM stops.
 *
 * A VCPU leaves its CPU at the scheduling points of this loop: each exit
 * that finds the CPU wanted (cpu_attention()), and every wait.
 */
#include <vmk/arch.h>
#include <vmk/check.h>
#include <vmk/cpu.h>
#include <vmk/errno.h>
#include <vmk/log.h>
#include <vmk/machine.h>
#include <vmk/string.h>
#include <vmk/world.h>
#include "vmm.h"
#include "x86/cpu.h"

/* The local APIC's timer counts at this rate (lapic.c's clock is the
 * vmkernel's nanoseconds); the guest learns it from leaf 0x40000010. */
#define VCPU_APIC_BUS_KHZ	1000000U

#define VCPU_PORT_DEBUG_EXIT	0xf4
#define VCPU_PORT_RESET		0xcf9
#define VCPU_PORT_DIAG		0xf5
#define RFLAGS_IF		(1ULL << 9)
#define VEC_UD			6
#define VEC_GP			13

#define MSR_TSC			0x00000010
#define MSR_PLATFORM_ID		0x00000017
#define MSR_APIC_BASE		0x0000001b
#define MSR_FEATURE_CONTROL	0x0000003a
#define MSR_BIOS_SIGN_ID	0x0000008b
#define MSR_MTRRCAP		0x000000fe
#define MSR_MCG_CAP		0x00000179
#define MSR_MCG_STATUS		0x0000017a
#define MSR_MISC_ENABLE		0x000001a0
#define MSR_PAT			0x00000277
#define MSR_MTRR_DEF_TYPE	0x000002ff
#define MSR_K7_HWCR		0xc0010015
#define MSR_K8_INT_PENDING_MSG	0xc0010055
#define HWCR_TSC_FREQ_SEL	(1ULL << 24)	/* the TSC counts at P0's rate */

static u32 vcpu_tsc_khz_cached;

u64 vcpu_reg(struct vcpu *v, enum vcpu_reg r)
{
	return v->regs[r];
}

void vcpu_set_reg(struct vcpu *v, enum vcpu_reg r, u64 val)
{
	v->regs[r] = val;
}

void vcpu_kick(struct vcpu *v)
{
	struct world *w = READ_ONCE(v->world);

	if (!w)
		return;
	/* Counted under the lock that a halting VCPU checks the count under
	 * before it waits: a kick between its look at the APIC and its wait
	 * is not lost. */
	spin_lock(&v->vm->lock);
	v->kicks++;
	spin_unlock(&v->vm->lock);
	/* Both: it may be about to wait, or about to enter the guest. */
	world_wakeup(v);
	arch_cpu_kick(READ_ONCE(w->cpu));
}

void vcpu_init_signal(struct vcpu *v)
{
	__atomic_store_n(&v->init_pending, true, __ATOMIC_RELEASE);
	vcpu_kick(v);
}

/* The bit above the vector says the loop has not yet started the VCPU
 * there. */
#define VCPU_SIPI_PENDING	0x100U

/* A SIPI counts for a VCPU that waits for one, or whose INIT has not been
 * seen yet (a sender need not wait for it). */
void vcpu_sipi(struct vcpu *v, u8 vector)
{
	struct vm *vm = v->vm;

	spin_lock(&vm->lock);
	if ((v->run_state == VCPU_WAIT_SIPI || v->init_pending) &&
	    vm->state == VMK_VM_RUNNING) {
		v->init_pending = false;
		v->sipi_vector = VCPU_SIPI_PENDING | vector;
		WRITE_ONCE(v->run_state, VCPU_RUNNABLE);
	}
	spin_unlock(&vm->lock);
	vcpu_kick(v);
}

/* ---- CPUID ---- */

u32 vcpu_tsc_khz(void)
{
	if (!READ_ONCE(vcpu_tsc_khz_cached)) {
		struct vmk_info info;

		arch_fill_info(&info);
		WRITE_ONCE(vcpu_tsc_khz_cached, (u32)info.tsc_khz);
	}
	return READ_ONCE(vcpu_tsc_khz_cached);
}

/* Bits of an APIC ID that number the VM's VCPUs: a package of
 * nvcpus single-thread cores. */
static u32 vcpu_core_bits(const struct vm *vm)
{
	u32 bits = 0;

	while ((1U << bits) < vm->nvcpus)
		bits++;
	return bits;
}

static void vcpu_cpuid(struct vcpu *v)
{
	u32 leaf = (u32)v->regs[VCPU_RAX], sub = (u32)v->regs[VCPU_RCX];
	struct cpuid_regs r = { 0, 0, 0, 0 };
	u32 n = v->vm->nvcpus, bits = vcpu_core_bits(v->vm);

	if (leaf >= 0x40000000 && leaf < 0x40000100) {
		if (leaf == 0x40000000)
			/* "VMwareVMware" */
			r = (struct cpuid_regs){ 0x40000010, 0x61774d56, 0x4d566572,
						 0x65726177 };
		else if (leaf == 0x40000010)
			r = (struct cpuid_regs){ vcpu_tsc_khz(), VCPU_APIC_BUS_KHZ, 0, 0 };
	} else {
		r = cpuid(leaf, sub);
		switch (leaf) {
		case 1:
			r.ecx |= 1U << 31;			/* hypervisor */
			r.ecx &= ~((1U << 3) | (1U << 5) |	/* MONITOR, VMX */
				   (1U << 21) | (1U << 24) |	/* x2APIC, TSC deadline */
				   (1U << 26) | (1U << 27) |	/* XSAVE, OSXSAVE */
				   (1U << 28));			/* AVX: needs XSAVE */
			r.ebx = (r.ebx & 0x0000ffffU) | (v->index << 24) | (n << 16);
			/* The count in EBX is valid; CmpLegacy (0x80000001)
			 * says it counts cores, not threads. */
			r.edx |= 1U << 28;			/* HTT */
			break;
		case 6:
			/* Only ARAT: the APIC timer runs in every idle state,
			 * so Linux needs no other clock for its broadcasts;
			 * no APERF/MPERF, no power management MSRs. */
			r = (struct cpuid_regs){ 1U << 2, 0, 0, 0 };
			break;
		case 0xb:
			/* The topology: one thread per core (level 0, SMT),
			 * nvcpus cores in the package (level 1); EDX the
			 * VCPU's APIC ID at every level. */
			if (sub == 0)
				r = (struct cpuid_regs){ 0, 1, (1U << 8), v->index };
			else if (sub == 1)
				r = (struct cpuid_regs){ bits, n, (2U << 8) | 1, v->index };
			else
				r = (struct cpuid_regs){ 0, 0, sub & 0xff, v->index };
			break;
		case 7:
			if (sub == 0) {
				/* What needs XSAVE state: AVX2, AVX-512, AMX. */
				r.ebx &= ~((1U << 5) | (1U << 16) | (1U << 17) |
					   (1U << 21) | (1U << 26) | (1U << 27) |
					   (1U << 28) | (1U << 30) | (1U << 31));
				r.ecx &= ~((1U << 1) | (1U << 3) | (1U << 4));
				r.edx &= ~((1U << 22) | (1U << 24) | (1U << 25));
			}
			break;
		case 0xd:
			r = (struct cpuid_regs){ 0, 0, 0, 0 };
			break;
		case 0x80000001:
			r.ecx &= ~((1U << 2) | (1U << 13));	/* SVM, MWAITX */
			r.ecx |= 1U << 1;			/* CmpLegacy: cores */
			break;
		case 0x80000008:
			/* The cores in the package and the APIC ID bits that
			 * number them. */
			r.ecx = (bits << 12) | (n - 1);
			break;
		case 0x8000000a:
		case 0x8000001f:			/* SME, SEV */
			r = (struct cpuid_regs){ 0, 0, 0, 0 };
			break;
		case 0x8000001e:
			/* TOPOEXT: APIC ID, core ID (one thread each), node 0. */
			r = (struct cpuid_regs){ v->index, v->index, 0, 0 };
			break;
		default:
			break;
		}
	}
	v->regs[VCPU_RAX] = r.eax;
	v->regs[VCPU_RBX] = r.ebx;
	v->regs[VCPU_RCX] = r.ecx;
	v->regs[VCPU_RDX] = r.edx;
}

/* ---- MSRs ---- */

/* 0 with *val for a read, or the write done; -1 for #GP. */
static int vcpu_msr_access(struct vcpu *v, u32 msr, bool write, u64 *val)
{
	if (lapic_msr(v, msr, write, val))
		return 0;
	switch (msr) {
	case MSR_TSC:
		if (!write)
			*val = arch_cycles();
		return 0;		/* the guest's TSC is the host's */
	case MSR_PAT:
		if (write)
			v->pat = *val;
		else
			*val = v->pat;
		return 0;
	case MSR_MISC_ENABLE:
		if (write)
			v->misc_enable = *val;
		else
			*val = v->misc_enable;
		return 0;
	case MSR_K7_HWCR:
		/* Linux reads it unchecked on family 0x10 and later and
		 * complains of a firmware bug without TscFreqSel. */
		if (!write)
			*val = HWCR_TSC_FREQ_SEL;
		return 0;
	case MSR_K8_INT_PENDING_MSG:		/* no C1E: read unchecked (erratum 400) */
	case MSR_PLATFORM_ID:
	case MSR_FEATURE_CONTROL:
	case MSR_BIOS_SIGN_ID:
	case MSR_MTRRCAP:
	case MSR_MCG_CAP:
	case MSR_MCG_STATUS:
	case MSR_MTRR_DEF_TYPE:
		if (!write)
			*val = 0;
		return 0;		/* nothing to keep: writes absorbed */
	default:
		return -1;
	}
}

static void vcpu_msr(struct vcpu *v, const struct vcpu_exit *e)
{
	u32 msr = e->msr.msr;
	u64 val = (v->regs[VCPU_RDX] << 32) | (u32)v->regs[VCPU_RAX];
	struct vcpu_sregs s;

	if (vcpu_msr_access(v, msr, e->msr.write, &val)) {
		virt_vcpu_inject_exc(v, VEC_GP, true, 0);
		return;
	}
	if (!e->msr.write) {
		v->regs[VCPU_RAX] = (u32)val;
		v->regs[VCPU_RDX] = val >> 32;
	}
	virt_vcpu_get_sregs(v, &s);
	virt_vcpu_set_rip(v, s.rip + 2);
}

/* ---- I/O ports ---- */

/* What a hang looks like from inside the vmkernel; read without the
 * scheduler's locks, so a picture, not a snapshot. */
static void vcpu_log_state(struct vm *vm)
{
	for (u32 i = 0; i < vm->nvcpus; i++) {
		struct vcpu *t = vm->vcpu[i];
		struct world *w;
		struct vcpu_sregs s;

		if (!t)
			continue;
		w = READ_ONCE(t->world);
		virt_vcpu_get_sregs(t, &s);
		log_info("vm%u vcpu%u: run_state %u parked %d kicks %u rip 0x%lx "
			 "rflags 0x%lx shadow %d", vm->id, i, READ_ONCE(t->run_state),
			 READ_ONCE(t->parked), READ_ONCE(t->kicks), s.rip, s.rflags,
			 s.irq_shadow);
		if (w)
			log_info("vm%u vcpu%u: world %s on cpu%u queued %d on_cpu %u "
				 "need_costop %d", vm->id, i,
				 world_state_name(READ_ONCE(w->state)), READ_ONCE(w->cpu),
				 READ_ONCE(w->queued), READ_ONCE(w->on_cpu),
				 READ_ONCE(w->need_costop));
		lapic_log_state(t);
	}
}

static void vcpu_io(struct vcpu *v, const struct vcpu_exit *e)
{
	struct vm *vm = v->vm;
	u16 port = e->io.port;
	u32 mask = e->io.size >= 4 ? 0xffffffffU : (1U << (8 * e->io.size)) - 1;
	u32 val = (u32)v->regs[VCPU_RAX] & mask;
	bool handled, reset = false;

	if (e->io.string) {
		struct vcpu_sregs s;

		virt_vcpu_get_sregs(v, &s);
		vm_crash(vm, "string I/O (INS/OUTS) on port 0x%x at rip 0x%lx is not "
			 "emulated", port, s.rip);
		return;
	}
	if (!e->io.in && port == VCPU_PORT_DEBUG_EXIT) {
		vm_power_off(vm, val, "the guest wrote its exit code to port 0xf4");
		virt_vcpu_set_rip(v, e->io.next_rip);
		return;
	}
	if (!e->io.in && port == VCPU_PORT_DIAG) {
		vcpu_log_state(vm);
		virt_vcpu_set_rip(v, e->io.next_rip);
		return;
	}
	if (backdoor_io(v, port, e->io.size, e->io.in)) {
		virt_vcpu_set_rip(v, e->io.next_rip);
		return;
	}
	spin_lock(&vm->lock);
	handled = uart_io(vm, port, e->io.in, &val) ||
		  pic_io(vm, port, e->io.in, &val) ||
		  cmos_io(vm, port, e->io.in, &val);
	if (!handled && port == VCPU_PORT_RESET && e->io.size == 1) {
		reset = power_cf9(vm, e->io.in, &val);
		handled = true;
	}
	spin_unlock(&vm->lock);
	vmm_irq_kick(vm);
	if (reset)
		vm_guest_reset(vm);
	if (!handled && e->io.in)
		val = 0xffffffffU;	/* no device: the bus floats */
	if (e->io.in) {
		u64 rax = v->regs[VCPU_RAX];

		v->regs[VCPU_RAX] = e->io.size >= 4 ? (u64)val :
				    (rax & ~(u64)mask) | (val & mask);
	}
	virt_vcpu_set_rip(v, e->io.next_rip);
}

/* ---- interrupts ---- */

static void vcpu_inject(struct vcpu *v)
{
	struct vcpu_sregs s;
	int vec = lapic_pending(v);

	if (vec < 0) {
		virt_vcpu_want_window(v, false);
		return;
	}
	virt_vcpu_get_sregs(v, &s);
	/*
	 * An interrupt for a guest at a HLT with interrupts on is injected
	 * after the HLT, as the halt it ends: either order is one the CPU
	 * could give, and this one survives a lost STI shadow.  QEMU's TCG
	 * before 9.1 does not load the shadow from the VMCB at VMRUN, so in
	 * STI; HLT an interrupt that comes while the VCPU is out of the
	 * guest (a window asked for in the shadow, or an exit right after
	 * VMRUN that no longer reports it) would be delivered before the
	 * HLT, and the HLT would then wait for one that may never come.
	 */
	if ((s.rflags & RFLAGS_IF) && !s.event_pending && decode_at_hlt(v, &s)) {
		virt_vcpu_set_rip(v, s.rip + 1);
		s.irq_shadow = false;
	}
	if (!(s.rflags & RFLAGS_IF) || s.irq_shadow) {
		virt_vcpu_want_window(v, true);
		return;
	}
	virt_vcpu_want_window(v, false);
	lapic_accept(v, (u8)vec);
	virt_vcpu_inject_irq(v, (u8)vec);
}

/* ---- the loop ---- */

/* Waits for event v with vm->lock held, which it drops; interrupts on
 * again after. */
static void vcpu_wait(struct vcpu *v)
{
	virt_vcpu_put(v);
	__atomic_store_n(&v->parked, true, __ATOMIC_RELEASE);
	world_wait_locked(v, &v->vm->lock);
	cpu_after_switch();
	arch_irq_enable();
	__atomic_store_n(&v->parked, false, __ATOMIC_RELEASE);
}

/* True if the VCPU may enter the guest now; otherwise it may have waited
 * and the caller looks again.  The APIC's calls take vm->lock
 * themselves, so they are made without it. */
static bool vcpu_ready(struct vcpu *v)
{
	struct vm *vm = v->vm;
	u32 kicks;

	spin_lock(&vm->lock);
	if (vm->state != VMK_VM_RUNNING || v->run_state == VCPU_STOPPED) {
		vcpu_wait(v);
		return false;
	}
	if (vm->resetting) {
		/* The guest reset the VM: each VCPU stops where it is and waits
		 * for a SIPI; the last one to see it restores RAM and starts
		 * the boot VCPU (vm.c). */
		bool last;

		if (v->reset_gen == vm->reset_gen) {
			vcpu_wait(v);
			return false;
		}
		v->reset_gen = vm->reset_gen;
		v->init_pending = false;
		v->sipi_vector = 0;
		v->boot_pending = false;
		WRITE_ONCE(v->run_state, VCPU_WAIT_SIPI);
		last = ++vm->reset_acks == vm->nvcpus;
		spin_unlock(&vm->lock);
		lapic_reset(v, v->index == 0);
		if (last)
			vm_guest_reset_finish(v);
		return false;
	}
	if (v->init_pending) {
		/* INIT: the VCPU waits for a SIPI, its APIC reset. */
		v->init_pending = false;
		WRITE_ONCE(v->run_state, VCPU_WAIT_SIPI);
		spin_unlock(&vm->lock);
		lapic_reset(v, v->index == 0);
		return false;
	}
	if (v->run_state == VCPU_WAIT_SIPI || v->run_state == VCPU_HALTED_OFF) {
		vcpu_wait(v);
		return false;
	}
	if (v->boot_pending) {
		v->boot_pending = false;
		v->pat = 0x0007040600070406ULL;
		v->misc_enable = 1;
		virt_vcpu_boot(v, &vm->boot);
	}
	if (v->sipi_vector & VCPU_SIPI_PENDING) {
		virt_vcpu_sipi(v, (u8)v->sipi_vector);
		v->sipi_vector &= 0xff;
	}
	if (v->run_state != VCPU_HALTED) {
		spin_unlock(&vm->lock);
		return true;
	}
	kicks = v->kicks;
	spin_unlock(&vm->lock);
	if (lapic_pending(v) >= 0) {
		spin_lock(&vm->lock);
		if (v->run_state == VCPU_HALTED)
			WRITE_ONCE(v->run_state, VCPU_RUNNABLE);
		spin_unlock(&vm->lock);
		return false;
	}
	spin_lock(&vm->lock);
	if (v->kicks == kicks && v->run_state == VCPU_HALTED) {
		vcpu_wait(v);
		return false;
	}
	spin_unlock(&vm->lock);
	return false;
}

static u32 vcpu_exit_kind(u32 reason)
{
	switch (reason) {
	case VCPU_EXIT_IO: return VMK_VM_EXIT_IO;
	case VCPU_EXIT_MSR: return VMK_VM_EXIT_MSR;
	case VCPU_EXIT_CPUID: return VMK_VM_EXIT_CPUID;
	case VCPU_EXIT_HLT: return VMK_VM_EXIT_HLT;
	case VCPU_EXIT_INTR: return VMK_VM_EXIT_INTR;
	case VCPU_EXIT_WINDOW: return VMK_VM_EXIT_WINDOW;
	case VCPU_EXIT_NPF: return VMK_VM_EXIT_NPF;
	default: return VMK_VM_EXIT_OTHER;
	}
}

static void vcpu_npf(struct vcpu *v, const struct vcpu_exit *e)
{
	u64 apic = lapic_mmio_base(v);
	struct vcpu_sregs s;

	/* The APIC's page, the I/O APIC's, or a write to the all-ones page
	 * that stands for everything below 4 GiB that is not RAM: decoded
	 * and emulated. */
	if ((apic && (e->npf.gpa & ~0xfffULL) == apic) ||
	    (e->npf.gpa & ~0xfffULL) == IOAPIC_GPA ||
	    (e->npf.write && e->npf.gpa < (1ULL << 32) &&
	     !vm_guest_ptr(v->vm, e->npf.gpa, 1))) {
		v->exits[VMK_VM_EXIT_NPF]--;
		v->exits[VMK_VM_EXIT_MMIO]++;
		vmm_mmio(v, e->npf.gpa);
		return;
	}
	virt_vcpu_get_sregs(v, &s);
	vm_crash(v->vm, "guest-physical 0x%lx is not memory (%s at rip 0x%lx)",
		 e->npf.gpa, e->npf.write ? "write" : e->npf.fetch ? "fetch" : "read",
		 s.rip);
}

/* HLT with interrupts off: nothing but INIT wakes the VCPU, and when no
 * VCPU can run again the VM is off (power.c). */
static void vcpu_halt_off(struct vcpu *v)
{
	struct vm *vm = v->vm;
	bool off;

	spin_lock(&vm->lock);
	WRITE_ONCE(v->run_state, VCPU_HALTED_OFF);
	off = !vm->resetting && power_all_halted(vm);
	spin_unlock(&vm->lock);
	if (off)
		vm_power_off(vm, 0, "the guest halted every VCPU");
}

static void vcpu_handle(struct vcpu *v, const struct vcpu_exit *e)
{
	struct vcpu_sregs s;

	switch (e->reason) {
	case VCPU_EXIT_NONE:
	case VCPU_EXIT_INTR:
	case VCPU_EXIT_WINDOW:
		break;
	case VCPU_EXIT_IO:
		vcpu_io(v, e);
		break;
	case VCPU_EXIT_MSR:
		vcpu_msr(v, e);
		break;
	case VCPU_EXIT_CPUID:
		vcpu_cpuid(v);
		virt_vcpu_get_sregs(v, &s);
		virt_vcpu_set_rip(v, s.rip + 2);
		break;
	case VCPU_EXIT_HLT:
		virt_vcpu_get_sregs(v, &s);
		virt_vcpu_set_rip(v, s.rip + 1);
		if (s.rflags & RFLAGS_IF)
			WRITE_ONCE(v->run_state, VCPU_HALTED);
		else
			vcpu_halt_off(v);
		break;
	case VCPU_EXIT_NPF:
		vcpu_npf(v, e);
		break;
	case VCPU_EXIT_VMMCALL:
		virt_vcpu_inject_exc(v, VEC_UD, false, 0);
		break;
	case VCPU_EXIT_SHUTDOWN:
		virt_vcpu_get_sregs(v, &s);
		vm_crash(v->vm, "triple fault (VCPU %u, rip 0x%lx)", v->index, s.rip);
		break;
	case VCPU_EXIT_INVALID:
		vm_crash(v->vm, "the CPU refused VCPU %u's state (invalid guest state)",
			 v->index);
		break;
	default:
		virt_vcpu_get_sregs(v, &s);
		vm_crash(v->vm, "unsupported exit 0x%lx on VCPU %u at rip 0x%lx",
			 e->code, v->index, s.rip);
		break;
	}
}

void vcpu_main(void)
{
	struct vcpu *v;

	cpu_after_switch();
	arch_irq_enable();
	v = vm_vcpu_of(world_current());
	CHECK(v);
	while (!READ_ONCE(v->quit)) {
		struct vcpu_exit e;
		u64 t0, t1;

		if (!vcpu_ready(v))
			continue;
		t0 = arch_cycles();
		vcpu_inject(v);
		t1 = arch_cycles();
		virt_vcpu_run(v, &e);
		v->exit_cycles += t1 - t0;
		t0 = arch_cycles();
		v->run_cycles += t0 - t1;
		v->exits[vcpu_exit_kind(e.reason)]++;
		vcpu_handle(v, &e);
		v->exit_cycles += arch_cycles() - t0;
		if (cpu_attention()) {
			virt_vcpu_put(v);
			cpu_preempt_point();
		}
	}
	virt_vcpu_put(v);
	__atomic_store_n(&v->parked, true, __ATOMIC_RELEASE);
	cpu_world_exit(&v->gone);
}
