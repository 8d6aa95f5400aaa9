/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMM: what runs one virtual machine.  A VM (struct vm) is a group of
 * VCPU worlds (struct vcpu), RAM made of vmkernel pages behind the VM's
 * own nested page tables, and a virtual platform: COM1, the debug-exit
 * port, a local APIC per VCPU, and I/O ports that absorb writes and read
 * as all-ones.  This header is shared by the VMM's parts:
 *
 *   vm.c       VMs: create, load, start, stop, reset, destroy, admission
 *              control, the vmkcalls, guest memory
 *   vcpu.c     a VCPU world's loop: run the guest, dispatch its exits,
 *              inject interrupts, block in HLT, INIT/SIPI
 *   uart.c     the 16550 on COM1, its interrupt on ISA IRQ 4
 *   lapic.c    the local APIC (xAPIC MMIO and x2APIC MSRs), its timer, IPIs
 *   ioapic.c   the I/O APIC at 0xfec00000: ISA interrupts to the local APICs
 *   pic.c      the 8259 pair, present for probes but always masked
 *   cmos.c     the MC146818 RTC and its CMOS bytes
 *   decode.c   the few instructions an MMIO access may be (no decode assists)
 *
 * and by the vendor backend (arch/x86/svm/vcpu.c), which runs a VCPU's
 * guest state through the vendor-neutral calls at the end.
 *
 * Locking: vm->lock (LOCK_RANK_VM) guards the VM's state and its devices;
 * a VCPU's own fields are touched only by its world, except the ones
 * marked "any CPU", which are atomics.
 */
#ifndef VMM_VMM_H
#define VMM_VMM_H

#include <vmk/types.h>
#include <vmk/lock.h>
#include <vmk/timer.h>
#include "vmnix_abi.h"

struct world;
struct world_group;
struct virt_vcpu;

/* Guest general-purpose registers, in the x86 encoding order, so that a
 * ModRM or SIB register field indexes them directly. */
enum vcpu_reg {
	VCPU_RAX, VCPU_RCX, VCPU_RDX, VCPU_RBX, VCPU_RSP, VCPU_RBP, VCPU_RSI,
	VCPU_RDI, VCPU_R8, VCPU_R9, VCPU_R10, VCPU_R11, VCPU_R12, VCPU_R13,
	VCPU_R14, VCPU_R15, VCPU_NREGS
};

/* The guest's control state an emulator needs (read from the backend). */
struct vcpu_sregs {
	u64 rip, rflags;
	u64 cs_base;		/* where instructions are fetched from: CS.base + RIP */
	u64 cr0, cr3, cr4, efer;
	u16 cs_attrib;		/* the descriptor's attribute bits: L (bit 9), D (bit 10) */
	u8 cpl;
	bool irq_shadow;	/* after STI or MOV SS: no interrupt yet */
	bool event_pending;	/* an event the next run delivers first */
};

/* What stopped the guest, vendor-neutral; filled by virt_vcpu_run(). */
enum vcpu_exit_reason {
	VCPU_EXIT_NONE = 0,	/* ran and came back with nothing to do */
	VCPU_EXIT_IO,		/* port, size, in/out, string; next_rip */
	VCPU_EXIT_MSR,		/* msr, write */
	VCPU_EXIT_CPUID,
	VCPU_EXIT_HLT,
	VCPU_EXIT_INTR,		/* a physical interrupt: nothing for the guest */
	VCPU_EXIT_WINDOW,	/* the guest can take an interrupt now */
	VCPU_EXIT_NPF,		/* gpa, write, fetch */
	VCPU_EXIT_SHUTDOWN,	/* triple fault */
	VCPU_EXIT_VMMCALL,
	VCPU_EXIT_INVALID,	/* the backend refused the guest's state */
	VCPU_EXIT_UNSUPPORTED,	/* anything else: raw code in `code` */
};

struct vcpu_exit {
	u32 reason;		/* enum vcpu_exit_reason */
	u64 code;		/* the vendor's own exit code, for the log */
	union {
		struct { u16 port; u8 size; bool in, string, rep; u64 next_rip; } io;
		struct { u32 msr; bool write; } msr;
		struct { u64 gpa; bool write, fetch, present; } npf;
	};
};

enum vcpu_run_state {
	VCPU_WAIT_SIPI = 0,	/* an AP before INIT/SIPI, or a stopped VM's VCPU */
	VCPU_RUNNABLE,
	VCPU_HALTED,		/* in HLT: its world waits for an interrupt */
	VCPU_STOPPED,		/* its VM is off, crashed or going away */
	VCPU_HALTED_OFF,	/* in HLT with interrupts off: only INIT wakes it */
};

/* The local APIC's state (lapic.c); here so that struct vcpu holds it.
 * vm->lock guards all of it.  Its timer counts at LAPIC_BUS_KHZ before
 * the divider: one count per nanosecond, as the guest can read from the
 * hypervisor CPUID leaves instead of calibrating. */
#define LAPIC_BUS_KHZ	1000000
struct lapic {
	u32 id;
	u64 apic_base;		/* IA32_APIC_BASE: address, enable, x2APIC, BSP */
	u32 tpr, spiv, ldr, dfr, esr, icr_hi;
	u32 icr_lo;		/* as last written, delivery status always idle */
	u32 esr_pending;	/* errors since the last ESR write */
	u32 lvt[7];		/* timer, thermal, perf, lint0, lint1, error, cmci */
	u32 timer_initial, timer_divide;
	u64 timer_start_ns;	/* when the current count was loaded */
	u64 timer_deadline_ns;	/* next expiry, 0: none */
	u32 irr[8], isr[8], tmr[8];	/* 256 bits each */
	u64 timer_fired;	/* expiries delivered, for tests and stats */
	struct timer timer;	/* at timer_deadline_ns */
};

struct vcpu {
	struct vm *vm;
	u32 index;
	struct world *world;
	struct virt_vcpu *virt;		/* the backend's control block */
	u64 regs[VCPU_NREGS];		/* RAX and RSP are kept by the backend */
	u32 run_state;			/* enum vcpu_run_state; any CPU */
	u32 sipi_vector;		/* any CPU: set with run_state */
	bool init_pending;		/* any CPU */
	struct lapic lapic;
	void *stack;			/* its world's stack */
	u64 exits[VMK_VM_EXIT_KINDS];
	u64 pat, misc_enable;		/* emulated MSRs */
	bool quit;			/* any CPU: its world is to exit */
	bool gone;			/* any CPU: it exited, off its stack */
	bool parked;			/* any CPU: it waits, out of the guest */
	u32 kicks;			/* vcpu_kick()s so far; vm->lock */
	u64 run_cycles, exit_cycles;	/* in virt_vcpu_run, and between runs */
	u32 reset_gen;			/* the VM's guest resets it has seen; vm->lock */
	bool boot_pending;		/* start from vm->boot at the next entry; vm->lock */
};

struct uart {
	u8 ier, lcr, mcr, scr, dll, dlm;
	bool fifo;			/* FCR bit 0: the FIFOs are on */
	bool thr_pending;		/* the THRE interrupt, until IIR reports it */
	bool overrun;			/* LSR's OE, until LSR is read */
	bool irq_line;			/* what it drives on ISA IRQ 4 */
	u8 rx[64];			/* input FIFO */
	u32 rx_head, rx_tail;
	char *out;			/* VMK_VM_SERIAL_SIZE bytes, a ring */
	u64 out_head;			/* bytes ever written */
};

/* The I/O APIC (ioapic.c), an 82093AA with 24 pins.  vm->lock. */
#define IOAPIC_PINS	24
#define IOAPIC_GPA	0xfec00000ULL
struct ioapic {
	u32 regsel;			/* IOREGSEL */
	u32 id;				/* the ID register's bits 24-27, as an ID */
	u32 level;			/* each pin's input as the device drives it */
	u64 redir[IOAPIC_PINS];		/* redirection entries */
	u64 delivered[IOAPIC_PINS];	/* interrupts sent, for tests and stats */
};

/* The 8259 pair (pic.c): what the guest wrote, nothing more.  vm->lock. */
struct pic {
	u8 imr[2];			/* OCW1: the masks */
	u8 icw[2][4];			/* ICW1..ICW4 as last written */
	u8 icw_next[2];			/* the ICW expected next on the odd port, 0: none */
	u8 elcr[2];			/* the edge/level control registers */
};

/* The RTC and its CMOS (cmos.c).  vm->lock. */
struct cmos {
	u8 index;
	u8 ram[128];			/* status and plain bytes; the clock's own are computed */
	u64 epoch;			/* the clock read this (seconds since 1970, UTC) */
	u64 epoch_ns;			/* at this arch_now_ns() */
};

struct vm {
	u32 id;
	u32 state;			/* enum vmk_vm_state; vm->lock */
	char name[VMK_VM_NAME_LEN];
	struct spinlock lock;
	struct world_group *group;
	u32 nvcpus;
	struct vcpu *vcpu[VMK_VM_VCPUS_MAX];
	struct vmk_vm_config config;
	u64 ram_bytes;
	paddr_t *ram;			/* host page of each guest page frame */
	void *npt;			/* the backend's nested page tables */
	u64 pages;			/* vmkernel pages it holds */
	u32 exit_code;
	char reason[96];
	u64 started_ns;
	struct uart uart;
	struct ioapic ioapic;
	struct pic pic;
	struct cmos cmos;
	u32 irq_kick;			/* VCPUs whose APIC got an interrupt under
					 * vm->lock, kicked once it is dropped (any CPU) */
	/* Power (power.c); vm->lock. */
	struct vmk_vm_boot boot;	/* what VM_START was given: a reset starts from it */
	u8 *loaded;			/* a bit per guest page VM_WRITE touched while
					 * LOADING (in the RAM map's allocation) */
	paddr_t *image;			/* a copy of each such page, in page order */
	u64 image_pages;
	u32 image_order;		/* of the image's array */
	u8 cf9;				/* the reset control register */
	bool resetting;			/* a guest reset waits for every VCPU */
	u32 reset_gen, reset_acks;	/* guest resets so far; VCPUs that saw this one */
	u32 reboots;			/* guest resets since VM_START */
	u32 power_request;		/* VMK_POWEROP_* for the guest's tools */
	bool tools_seen;		/* the guest's tools polled POWEROP */
};

/* ---- vm.c ---- */

/* A host pointer to guest-physical [gpa, gpa + len) when it lies in the
 * VM's RAM within one page; NULL otherwise (MMIO, a hole, past the end). */
void *vm_guest_ptr(struct vm *vm, u64 gpa, u64 len);
/* Copies to or from guest RAM across pages; -EFAULT if any byte is not RAM. */
int vm_read(struct vm *vm, u64 gpa, void *dst, u64 len);
int vm_write(struct vm *vm, u64 gpa, const void *src, u64 len);
/* The VM stops: state OFF (code from the debug-exit port) or CRASHED,
 * the reason logged; every VCPU stops at its next exit. */
void vm_power_off(struct vm *vm, u32 code, const char *reason);
void vm_crash(struct vm *vm, const char *fmt, ...) __printf(2, 3);
/* The VCPU whose world w is, or NULL. */
struct vcpu *vm_vcpu_of(const struct world *w);

/* ---- vcpu.c ---- */

/* Where a VCPU's world starts, on its own stack (vm.c creates it). */
void vcpu_main(void);

/* Makes a VCPU look at its interrupts: wakes its world if halted, or
 * interrupts its CPU if the guest runs.  Any CPU. */
void vcpu_kick(struct vcpu *v);
/* INIT and SIPI from another VCPU's ICR.  Any CPU. */
void vcpu_init_signal(struct vcpu *v);
void vcpu_sipi(struct vcpu *v, u8 vector);
u64 vcpu_reg(struct vcpu *v, enum vcpu_reg r);
/* The TSC rate the guest is told (CPUID 0x40000010, the backdoor's GETHZ). */
u32 vcpu_tsc_khz(void);

/* ---- backdoor.c ---- */

/* An I/O exit on the VMware backdoor port: answered in the guest's
 * registers and true, or false if it is no backdoor call.  Takes
 * vm->lock itself. */
bool backdoor_io(struct vcpu *v, u16 port, u8 size, bool in);
void vcpu_set_reg(struct vcpu *v, enum vcpu_reg r, u64 val);

/* ---- lapic.c ---- */

/* Every lapic_* call takes vm->lock itself: call them without it.
 * lapic_fini() stops the timer and waits for a callback running on another
 * CPU: call it before a VCPU's memory is freed. */
void lapic_reset(struct vcpu *v, bool bsp);
void lapic_fini(struct vcpu *v);
/* xAPIC MMIO at offset (0..0xfff) of the APIC page, 32-bit accesses. */
void lapic_mmio_read(struct vcpu *v, u32 offset, u32 *val);
void lapic_mmio_write(struct vcpu *v, u32 offset, u32 val);
/* IA32_APIC_BASE and the x2APIC MSRs: true if handled; false if msr is not
 * the APIC's or the access faults (a reserved bit, a read-only register,
 * an x2APIC register outside x2APIC mode): the caller injects #GP. */
bool lapic_msr(struct vcpu *v, u32 msr, bool write, u64 *val);
/* The highest pending interrupt the guest may take now (by TPR/ISR), or -1. */
int lapic_pending(struct vcpu *v);
/* Logs the highest IRR and ISR vectors and the PPR. */
void lapic_log_state(struct vcpu *v);
/* The guest took vector: IRR -> ISR. */
void lapic_accept(struct vcpu *v, u8 vector);
/* From a device or another APIC.  Any CPU. */
void lapic_raise(struct vcpu *v, u8 vector);
/* An interrupt from the I/O APIC, vm->lock held: fixed or lowest priority
 * (to the lowest-numbered match) to an 8-bit physical or logical
 * destination; level sets the vector's TMR bit, so its EOI reaches
 * ioapic_eoi().  Returns the VCPUs it went to, a bit each. */
u32 lapic_deliver_locked(struct vm *vm, u32 dest, bool logical, bool lowest,
			 u8 vector, bool level);
/* The APIC's gpa page, while the xAPIC is enabled; 0 otherwise. */
u64 lapic_mmio_base(struct vcpu *v);

/* ---- ioapic.c ---- */

/* Every pin masked, the ID the MP table gives it (nvcpus).  vm->lock. */
void ioapic_reset(struct vm *vm);
/* A device drives pin to level (its own sense: true = asserted on an
 * active-high pin).  Edge pins deliver on each rise, level pins while
 * asserted and not yet acknowledged.  With vm->lock held: the VCPUs to
 * wake are noted in vm->irq_kick, for vmm_irq_kick() once it is dropped. */
void ioapic_set_irq(struct vm *vm, u32 pin, bool level);
/* A local APIC's EOI of a level-triggered vector: remote IRR clears on the
 * pins that sent it.  vm->lock held. */
void ioapic_eoi(struct vm *vm, u8 vector);
/* IOREGSEL/IOWIN at offset of the page, 32-bit accesses; they take
 * vm->lock and kick the VCPUs themselves. */
void ioapic_mmio_read(struct vm *vm, u32 offset, u32 *val);
void ioapic_mmio_write(struct vm *vm, u32 offset, u32 val);
/* Kicks the VCPUs interrupts were sent to under vm->lock; call without it. */
void vmm_irq_kick(struct vm *vm);

/* ---- pic.c ---- */

void pic_reset(struct vm *vm);
/* Ports 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1: true if handled.  vm->lock. */
bool pic_io(struct vm *vm, u16 port, bool in, u32 *val);

/* ---- cmos.c ---- */

/* The clock reads epoch (seconds since 1970, UTC) now.  vm->lock. */
void cmos_reset(struct vm *vm, u64 epoch);
/* Ports 0x70, 0x71: true if handled.  vm->lock. */
bool cmos_io(struct vm *vm, u16 port, bool in, u32 *val);

/* ---- power.c ---- */

/* VM_WRITE of [gpa, gpa + len) while LOADING: those pages are the boot image. */
void power_track_write(struct vm *vm, u64 gpa, u64 len);
bool power_page_loaded(const struct vm *vm, u64 gfn);
u64 power_loaded_pages(const struct vm *vm);
/* Port 0xcf9: true when the write asks for a reset. */
bool power_cf9(struct vm *vm, bool in, u32 *val);
/* Every VCPU halted with interrupts off (one at least) or waiting for a
 * SIPI: nothing can run again, the VM is off. */
bool power_all_halted(const struct vm *vm);

/* ---- vm.c, a guest's power ---- */

/* The guest asked for a reset (port 0xcf9): every VCPU is kicked. */
void vm_guest_reset(struct vm *vm);
/* Called by the last VCPU to see the reset, with no lock: RAM cleared
 * and the boot image restored, the devices reset, the boot VCPU started. */
void vm_guest_reset_finish(struct vcpu *v);

/* ---- decode.c ---- */

/* One MMIO access decoded from the instruction at the guest's RIP. */
struct mmio_insn {
	u8 len;			/* instruction bytes */
	u8 size;		/* operand bytes: 1, 2, 4, 8 */
	bool write;
	bool has_imm;		/* write of an immediate, else of a register */
	u8 reg;			/* enum vcpu_reg of the register operand */
	bool high_byte;		/* bits 8-15 of reg: AH, CH, DH, BH */
	u64 imm;
	bool zero_extend;	/* movzx: a read into a wider register */
	u8 reg_size;		/* bytes of the register a read writes */
};

/* Fetches and decodes the instruction at RIP: 0, or -EINVAL for one an
 * MMIO access may not be (the VM is then crashed by the caller). */
int decode_mmio(struct vcpu *v, struct mmio_insn *out);
/* True if the instruction at s's CS.base + RIP is HLT; false if not, or
 * if it cannot be read. */
bool decode_at_hlt(struct vcpu *v, const struct vcpu_sregs *s);
/* Handles an NPF at gpa in the APIC or I/O APIC page: decode, emulate, advance RIP.
 * 0, or a negative errno with the VM crashed. */
int vmm_mmio(struct vcpu *v, u64 gpa);
/* Guest-virtual to guest-physical through the guest's own page tables
 * (none, 32-bit, PAE, 4-level): 0 or -EFAULT. */
int vmm_gva_to_gpa(struct vcpu *v, u64 gva, u64 *gpa);

/* ---- uart.c ---- */

int uart_init(struct vm *vm);
/* Registers back to their power-on values, the output ring kept. */
void uart_reset(struct vm *vm);
void uart_fini(struct vm *vm);
/* An access to ports 0x3f8..0x3ff: true if handled. */
bool uart_io(struct vm *vm, u16 port, bool in, u32 *val);
u64 uart_read_out(struct vm *vm, char *dst, u64 len, u64 from);
u64 uart_write_in(struct vm *vm, const char *src, u64 len);

/* ---- the vendor backend (arch/x86/svm/vcpu.c) ---- */

/* The VM's nested page tables: guest RAM mapped from vm->ram, the APIC
 * page left unmapped (it faults to vmm_mmio), everything else up to 4 GiB
 * on one scratch page of the VM's, so no guest access reaches any page
 * that is not the VM's own.  0 or -ENOMEM; fini frees every page. */
int virt_vm_init(struct vm *vm);
void virt_vm_fini(struct vm *vm);
int virt_vcpu_init(struct vcpu *v);
void virt_vcpu_fini(struct vcpu *v);
/* Guest state for a start (VM_START's boot VCPU), for a SIPI (real mode at
 * vector << 12), and the power-on reset state. */
void virt_vcpu_boot(struct vcpu *v, const struct vmk_vm_boot *b);
void virt_vcpu_sipi(struct vcpu *v, u8 vector);
/* Runs the guest until an exit; interrupts may be taken after it. */
void virt_vcpu_run(struct vcpu *v, struct vcpu_exit *e);
/* The VCPU's world is about to leave its CPU (a wait, a switch, its
 * exit): what the guest left in the CPU is saved. */
void virt_vcpu_put(struct vcpu *v);
void virt_vcpu_get_sregs(struct vcpu *v, struct vcpu_sregs *s);
void virt_vcpu_set_rip(struct vcpu *v, u64 rip);
/* Injections for the next run: an external interrupt, an exception. */
void virt_vcpu_inject_irq(struct vcpu *v, u8 vector);
void virt_vcpu_inject_exc(struct vcpu *v, u8 vector, bool has_err, u32 err);
/* Ask for a VCPU_EXIT_WINDOW as soon as the guest can take an interrupt. */
void virt_vcpu_want_window(struct vcpu *v, bool on);

#endif
