// SPDX-License-Identifier: GPL-2.0
/*
 * cpuid: what a guest's CPUID says about the machine it runs on.  The
 * vendor and family leaves must be there; the hypervisor bit (leaf 1
 * ECX bit 31) is printed, and checked set with expect_hypervisor=1; SVM
 * (leaf 0x80000001 ECX bit 2) must then be hidden; the hypervisor leaf
 * 0x40000000's signature is printed.
 *
 * Options:
 *   expect_hypervisor=0|1  1: running under a VMM (default 0: either is fine)
 */
#include "guest.h"

const char guest_name[] = "cpuid";
const char *const guest_options[] = { "expect_hypervisor", NULL };

static void sig12(char *out, uint32_t b, uint32_t c, uint32_t d)
{
	uint32_t w[3] = { b, c, d };

	memcpy(out, w, 12);
	for (int i = 0; i < 12; i++)
		if (out[i] < 0x20 || out[i] > 0x7e)
			out[i] = '.';
	out[12] = '\0';
}

void guest_main(void)
{
	bool expect_hv = opts_uint("expect_hypervisor", 0);
	struct cpuid l0 = cpuid(0), l1, e0, e1, h;
	char vendor[13], hvsig[13];
	uint32_t family, model;
	bool hv;

	/* Leaf 0's vendor is EBX, EDX, ECX. */
	sig12(vendor, l0.b, l0.d, l0.c);
	print("cpuid: max leaf %#x vendor \"%s\"\n", l0.a, vendor);
	report(l0.a >= 1, "basic leaves present (max %#x)", l0.a);
	report(!strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "GenuineIntel") ||
	       !strcmp(vendor, "HygonGenuine"), "vendor \"%s\" known", vendor);

	l1 = cpuid(1);
	family = (l1.a >> 8) & 0xf;
	model = (l1.a >> 4) & 0xf;
	if (family == 0xf)
		family += (l1.a >> 20) & 0xff;
	if (family >= 6)
		model |= ((l1.a >> 16) & 0xf) << 4;
	print("cpuid: family %#x model %#x stepping %u\n", family, model, l1.a & 0xf);
	report(family != 0, "family/model leaf 1 (family %#x)", family);
	/* The guests rely on these; a VMM that hides them breaks them all. */
	report((l1.d & (1u << 4)) && (l1.d & (1u << 5)) && (l1.d & (1u << 9)),
	       "leaf 1 EDX: TSC, MSR and APIC present (%#x)", l1.d);

	e0 = cpuid(0x80000000);
	report(e0.a >= 0x80000001 && e0.a < 0x8000ffff,
	       "extended leaves present (max %#x)", e0.a);

	hv = l1.c & (1u << 31);
	print("cpuid: hypervisor bit %u\n", hv);
	if (expect_hv)
		report(hv, "hypervisor bit set under a VMM");
	else
		report_skip("expect_hypervisor=0", "hypervisor bit");

	if (e0.a >= 0x80000001) {
		e1 = cpuid(0x80000001);
		print("cpuid: svm %u\n", (e1.c >> 2) & 1);
		if (expect_hv)
			report(!(e1.c & (1u << 2)), "SVM hidden from the guest");
		else
			report_skip("expect_hypervisor=0", "SVM hidden from the guest");
	}

	if (hv) {
		h = cpuid(0x40000000);
		sig12(hvsig, h.b, h.c, h.d);
		print("cpuid: leaf 0x40000000: max %#x signature \"%s\"\n", h.a, hvsig);
		report(h.a >= 0x40000000 && h.a < 0x40010000,
		       "hypervisor leaf range (max %#x)", h.a);
	} else {
		report_skip("no hypervisor bit", "hypervisor leaf 0x40000000");
	}
}
