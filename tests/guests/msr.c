// SPDX-License-Identifier: GPL-2.0
/*
 * msr: ordinary MSRs read back what the guest wrote (SYSENTER_CS/ESP/
 * EIP, PAT, EFER's SCE and NXE and STAR when CPUID offers them, TSC_AUX
 * with RDTSCP); an MSR that does not exist raises #GP on read and write,
 * and the guest's IDT catches it (QEMU's TCG raises nothing there and
 * reads 0: under its hypervisor signature "TCGTCGTCGTCG" that check is a
 * SKIP with the reason).  Under a VMM (expect_hypervisor=1)
 * EFER.SVME reads 0 and setting it raises #GP: the VMM's own use of SVM
 * is hidden from its guest.
 *
 * Options:
 *   expect_hypervisor=0|1  1: check the SVME rules of a VMM (default 0)
 */
#include "guest.h"

const char guest_name[] = "msr";
const char *const guest_options[] = { "expect_hypervisor", NULL };

/* An index in no vendor's documented range. */
#define MSR_NONEXISTENT 0x4b564d99

static void check_rw(const char *name, uint32_t msr, uint64_t val)
{
	uint64_t old, got = 0;
	int v;

	if ((v = rdmsr_safe(msr, &old)) >= 0) {
		report(false, "%s (%#x): read raised vector %d", name, msr, v);
		return;
	}
	if ((v = wrmsr_safe(msr, val)) >= 0) {
		report(false, "%s (%#x): write of %#llx raised vector %d", name, msr, val, v);
		return;
	}
	rdmsr_safe(msr, &got);
	report(got == val, "%s (%#x) reads back %#llx (got %#llx)", name, msr, val, got);
	wrmsr_safe(msr, old);
}

static void check_efer_bit(const char *name, uint32_t bit)
{
	uint64_t efer = rdmsr(MSR_EFER), got;
	int v = wrmsr_safe(MSR_EFER, efer ^ bit);

	got = rdmsr(MSR_EFER);
	report(v < 0 && got == (efer ^ bit), "EFER.%s toggles (%#llx -> %#llx, vector %d)",
	       name, efer, got, v);
	wrmsr(MSR_EFER, efer);
	report(rdmsr(MSR_EFER) == efer, "EFER.%s restored (%#llx)", name, efer);
}

/* QEMU's TCG, known by its CPUID signature: it models no #GP for unknown MSRs. */
static bool msr_on_tcg(void)
{
	struct cpuid h;

	if (!(cpuid(1).c & (1u << 31)))
		return false;
	h = cpuid(0x40000000);
	return h.b == 0x54474354 && h.c == 0x43544743 && h.d == 0x47435447;
}

void guest_main(void)
{
	bool expect_hv = opts_uint("expect_hypervisor", 0);
	struct cpuid e1 = cpuid(0x80000001), l1 = cpuid(1);
	uint64_t val;
	int v;

	if (l1.d & (1u << 11)) {
		check_rw("SYSENTER_CS", MSR_IA32_SYSENTER_CS, 0x10);
		check_rw("SYSENTER_ESP", MSR_IA32_SYSENTER_ESP, 0x7ffc1230);
		check_rw("SYSENTER_EIP", MSR_IA32_SYSENTER_EIP, 0x00c0ffee);
	} else {
		report_skip("CPUID has no SEP", "SYSENTER MSRs");
	}
	if (l1.d & (1u << 16))
		/* WB, WT, UC-, UC in each half; only valid memory types. */
		check_rw("PAT", MSR_IA32_CR_PAT, 0x0007040600070406ull ^ 0x0000000100000001ull);
	else
		report_skip("CPUID has no PAT", "PAT");

	if (e1.d & (1u << 11)) {
		check_efer_bit("SCE", EFER_SCE);
		check_rw("STAR", MSR_STAR, 0x0023001000c0ffeeull);
	} else {
		report_skip("CPUID has no SYSCALL", "EFER.SCE, STAR");
	}
	if (e1.d & (1u << 20))
		check_efer_bit("NXE", EFER_NXE);
	else
		report_skip("CPUID has no NX", "EFER.NXE");
	if (e1.d & (1u << 27))
		check_rw("TSC_AUX", MSR_TSC_AUX, 0x1234);
	else
		report_skip("CPUID has no RDTSCP", "TSC_AUX");

	if (msr_on_tcg()) {
		v = rdmsr_safe(MSR_NONEXISTENT, &val);
		print("msr: on QEMU TCG, nonexistent MSR %#x: vector %d value %#llx\n",
		      MSR_NONEXISTENT, v, val);
		report_skip("QEMU TCG raises no #GP for unknown MSRs",
			    "nonexistent MSR %#x raises #GP", MSR_NONEXISTENT);
	} else {
		v = rdmsr_safe(MSR_NONEXISTENT, &val);
		report(v == X86_GP, "read of nonexistent MSR %#x raises #GP (vector %d)",
		       MSR_NONEXISTENT, v);
		v = wrmsr_safe(MSR_NONEXISTENT, 0);
		report(v == X86_GP, "write of nonexistent MSR %#x raises #GP (vector %d)",
		       MSR_NONEXISTENT, v);
	}

	val = rdmsr(MSR_EFER);
	print("msr: EFER %#llx (SVME %u)\n", val, (uint32_t)(val >> 12) & 1);
	if (!expect_hv) {
		report_skip("expect_hypervisor=0", "EFER.SVME hidden");
		return;
	}
	report(!(val & EFER_SVME), "EFER.SVME reads 0 under a VMM (EFER %#llx)", val);
	v = wrmsr_safe(MSR_EFER, val | EFER_SVME);
	report(v == X86_GP, "setting EFER.SVME raises #GP under a VMM (vector %d)", v);
	if (v < 0)
		wrmsr_safe(MSR_EFER, val);
}
