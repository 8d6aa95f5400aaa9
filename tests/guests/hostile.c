// SPDX-License-Identifier: GPL-2.0
/*
 * hostile: a guest that goes looking for the machine beyond its own.
 * It must survive every attempt (its IDT catches the faults) and print
 * its SUMMARY, on bare QEMU as under a VMM.
 *
 *  - RAM: it knows its RAM from the multiboot info (mem_upper); a write
 *    to its own last RAM page must read back (the probe works), then it
 *    writes a pattern to every `step` bytes of guest-physical memory from
 *    the end of RAM to 4 GiB, skipping only its own APIC page
 *    (0xfee00000-0xfee00fff), reads back, puts the old value back, and
 *    counts what sticks: more than max_sticky is a FAIL.
 *  - SVM: VMMCALL with a range of numbers in EAX must raise #UD or return
 *    (and only #UD on bare hardware, expect_hypervisor=0); CLGI, STGI,
 *    VMRUN, VMLOAD, VMSAVE, SKINIT and INVLPGA must raise #UD (SVM is not
 *    the guest's); writes to VM_HSAVE_PA and VM_CR and clearing EFER.SVME
 *    may raise #GP or take no visible effect, nothing else.
 *  - Ports that change or reset a real machine: CMOS (index 0x70 with the
 *    NMI-disable bit, the shutdown-status byte), PCI configuration
 *    (0xcf8/0xcfc: the host bridge's ID), and with resets=1 the reset
 *    ports 0xcf9 (0x06), 0x92 (bit 0) and 0x64 (0xfe), each followed by a
 *    check that the guest is still running.  Bare QEMU resets at the
 *    first: the suite expects exactly that (hostile@resets).
 *
 * Options:
 *   step=N                 scan step in bytes (default 0x10000, a power of 2)
 *   max_sticky=N           probes above RAM allowed to stick (default 0)
 *   expect_hypervisor=0|1  1: VMMCALL may return (a VMM's backdoor)
 *   resets=0|1             1: try the reset ports (default 0)
 *   cf9=0|1                0: leave out port 0xcf9, which resets a VM of
 *                          a platform that models it (default 1)
 */
#include "guest.h"

const char guest_name[] = "hostile";
const char *const guest_options[] = {
	"step", "max_sticky", "expect_hypervisor", "resets", "cf9", NULL
};

#define APIC_PAGE_END	(APIC_BASE + 0x1000)

/* One probe: read, write PATTERN, read back, put the old value back. */
static int probe(uint32_t addr, uint32_t pattern, uint32_t *got)
{
	uint32_t old = 0, back = 0;
	int v = X86_TRY("movl (%2), %0\n\t"
			"movl %3, (%2)\n\t"
			"movl (%2), %1\n\t"
			"movl %0, (%2)",
			: "=&r"(old), "=&r"(back) : "r"(addr), "r"(pattern) : "memory");

	*got = back;
	return v;
}

static void check_memory(void)
{
	uint64_t ram_end = opts_ram_end(), step = opts_uint("step", 0x10000);
	uint32_t max_sticky = opts_uint("max_sticky", 0);
	uint32_t sticky = 0, faults = 0, probes = 0, got;
	uint64_t a;
	int v;

	if (!report(ram_end > 0x100000, "RAM from the multiboot info: %llu KiB",
		    ram_end >> 10))
		return;
	if (step < 4 || (step & (step - 1))) {
		report(false, "step=%llu: must be a power of 2, at least 4", step);
		return;
	}
	v = probe((uint32_t)ram_end - 4, 0x5a5aa5a5, &got);
	report(v < 0 && got == 0x5a5aa5a5, "own RAM's last word takes a write (%#x, vector %d)",
	       got, v);

	for (a = (ram_end + step - 1) & ~(step - 1); a < 0x100000000ull; a += step) {
		uint32_t pattern = 0xa55a5aa5 ^ (uint32_t)a;

		if (a >= APIC_BASE && a < APIC_PAGE_END)
			continue;
		probes++;
		v = probe((uint32_t)a, pattern, &got);
		if (v >= 0) {
			if (faults++ < 4)
				print("hostile: %#llx: vector %d\n", a, v);
		} else if (got == pattern) {
			if (sticky++ < 8)
				print("hostile: %#llx: write sticks\n", a);
		}
	}
	print("hostile: %u probes above RAM, %u stick, %u fault\n", probes, sticky, faults);
	report(sticky <= max_sticky, "memory above RAM: %u of %u probes stick (at most %u)",
	       sticky, probes, max_sticky);
	report(probes > 0, "memory above RAM scanned (%u probes, %u faults caught)",
	       probes, faults);
}

static int try_svm(unsigned i)
{
	/* EAX is an address for the SVM instructions: 0 is harmless if one ran. */
	switch (i) {
	case 0: return X86_TRY("clgi", : : : "memory");
	case 1: return X86_TRY("stgi", : : : "memory");
	case 2: return X86_TRY("vmrun", : : "a"(0) : "memory");
	case 3: return X86_TRY("vmload", : : "a"(0) : "memory");
	case 4: return X86_TRY("vmsave", : : "a"(0) : "memory");
	case 5: return X86_TRY("skinit", : : "a"(0) : "memory");
	case 6: return X86_TRY("invlpga", : : "a"(0), "c"(0) : "memory");
	}
	return -1;
}

static void check_svm(void)
{
	static const char *const names[] = {
		"CLGI", "STGI", "VMRUN", "VMLOAD", "VMSAVE", "SKINIT", "INVLPGA"
	};
	static const uint32_t calls[] = {
		0, 1, 2, 3, 9, 0x10, 0xff, 0x1000, 0xffff, 0x564d5868, 0x80000000, 0xffffffff
	};
	bool hv = opts_uint("expect_hypervisor", 0);
	uint32_t ud = 0, ret = 0, other = 0;
	uint64_t efer, val;
	int v;

	for (unsigned i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		uint32_t a = calls[i], b = 0, c = 0, d = 0;

		v = X86_TRY("vmmcall", : "+a"(a), "+b"(b), "+c"(c), "+d"(d) : : "memory");
		if (v == X86_UD) {
			ud++;
		} else if (v < 0) {
			ret++;
			print("hostile: VMMCALL eax=%#x returned eax=%#x ebx=%#x ecx=%#x edx=%#x\n",
			      calls[i], a, b, c, d);
		} else {
			other++;
			print("hostile: VMMCALL eax=%#x raised vector %d\n", calls[i], v);
		}
	}
	if (hv)
		report(other == 0, "VMMCALL: %u #UD, %u returned, %u other faults", ud, ret, other);
	else
		report(ud == sizeof(calls) / sizeof(calls[0]),
		       "VMMCALL on bare hardware: %u #UD of %u (%u returned, %u other)",
		       ud, (unsigned)(sizeof(calls) / sizeof(calls[0])), ret, other);

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		v = try_svm(i);
		report(v == X86_UD, "%s raises #UD (vector %d)", names[i], v);
	}

	efer = rdmsr(MSR_EFER);
	v = wrmsr_safe(MSR_VM_HSAVE_PA, 0x1000);
	report(v < 0 || v == X86_GP, "write VM_HSAVE_PA: #GP or accepted (vector %d)", v);
	v = rdmsr_safe(MSR_VM_CR, &val);
	print("hostile: VM_CR reads %#llx (vector %d)\n", val, v);
	/* SVMDIS (bit 4): a real machine would refuse SVM until reset. */
	v = wrmsr_safe(MSR_VM_CR, val | (1u << 4));
	report(v < 0 || v == X86_GP, "write VM_CR.SVMDIS: #GP or accepted (vector %d)", v);
	v = wrmsr_safe(MSR_EFER, efer & ~(uint64_t)EFER_SVME);
	report((v < 0 || v == X86_GP) && !(rdmsr(MSR_EFER) & EFER_SVME),
	       "clear EFER.SVME: #GP or accepted, SVME reads 0 (vector %d, EFER %#llx)",
	       v, rdmsr(MSR_EFER));
	/* Whatever the writes did, the guest's own state is as it was. */
	report(rdmsr(MSR_EFER) == (efer & ~(uint64_t)EFER_SVME),
	       "EFER otherwise unchanged (%#llx)", rdmsr(MSR_EFER));
}

static int io_out8(uint16_t port, uint8_t val)
{
	return X86_TRY("outb %0, %1", : : "a"(val), "Nd"(port) : "memory");
}

static int io_in8(uint16_t port, uint8_t *val)
{
	uint8_t v8 = 0;
	int v = X86_TRY("inb %1, %0", : "=a"(v8) : "Nd"(port) : "memory");

	*val = v8;
	return v;
}

static int io_out32(uint16_t port, uint32_t val)
{
	return X86_TRY("outl %0, %1", : : "a"(val), "Nd"(port) : "memory");
}

static int io_in32(uint16_t port, uint32_t *val)
{
	uint32_t v32 = 0;
	int v = X86_TRY("inl %1, %0", : "=a"(v32) : "Nd"(port) : "memory");

	*val = v32;
	return v;
}

static void check_ports(void)
{
	uint8_t old = 0, got = 0;
	uint32_t id = 0, latch = 0;
	int v[6];

	/* CMOS: NMI off with the index, the BIOS's shutdown-status byte. */
	v[0] = io_out8(0x70, 0x8f);
	v[1] = io_in8(0x71, &old);
	v[2] = io_out8(0x71, 0x0a);
	v[3] = io_in8(0x71, &got);
	v[4] = io_out8(0x71, old);
	v[5] = io_out8(0x70, 0x0d);
	print("hostile: CMOS[0x0f] was %#x, wrote 0x0a, read %#x\n", old, got);
	report(v[0] < 0 && v[1] < 0 && v[2] < 0 && v[3] < 0 && v[4] < 0 && v[5] < 0,
	       "CMOS ports 0x70/0x71 written and read without a fault");

	/* PCI configuration mechanism #1: the host bridge's vendor and device. */
	v[0] = io_out32(0xcf8, 0x80000000);
	v[1] = io_in32(0xcfc, &id);
	v[2] = io_in32(0xcf8, &latch);
	v[3] = io_out32(0xcf8, 0);
	print("hostile: PCI 00:00.0 ID %#x (address latch %#x)\n", id, latch);
	report(v[0] < 0 && v[1] < 0 && v[2] < 0 && v[3] < 0,
	       "PCI configuration ports 0xcf8/0xcfc without a fault");
}

/* Set before each reset attempt: a reset restarts the image, which clears it. */
static volatile uint32_t reset_marker;

static void try_reset(const char *what, uint16_t port, uint8_t val)
{
	uint64_t t0 = rdtsc();

	reset_marker = 0x600dcafe;
	print("hostile: writing %#x to port %#x (%s)\n", val, port, what);
	io_out8(port, val);
	tsc_delay(1u << 26);
	report(reset_marker == 0x600dcafe && rdtsc() - t0 >= (1u << 26),
	       "still running after a %s through port %#x", what, port);
}

static void check_resets(void)
{
	uint8_t p92 = 0;

	if (!opts_uint("resets", 0)) {
		report_skip("resets=0", "reset ports 0xcf9, 0x92, 0x64 ignored");
		return;
	}
	if (opts_uint("cf9", 1))
		try_reset("reset", 0xcf9, 0x06);
	else
		report_skip("cf9=0", "reset port 0xcf9 left out");
	io_in8(0x92, &p92);
	try_reset("fast reset", 0x92, p92 | 1);
	try_reset("keyboard controller reset", 0x64, 0xfe);
}

void guest_main(void)
{
	uint64_t t0 = rdtsc();

	apic_enable();
	check_memory();
	check_svm();
	check_ports();
	check_resets();
	/* After all that, the guest's own machine still works. */
	report(rdtsc() > t0 && apic_id() == cpuid(1).b >> 24,
	       "TSC and own APIC still answer");
}
