// SPDX-License-Identifier: GPL-2.0
/*
 * crash: a guest that ends badly on purpose, so that a VMM can be seen
 * to stop such a VM cleanly (and keep running the others).  Each mode
 * prints "crash: <mode>: ..." just before it acts.
 *
 *   mode=triple       loads an empty IDT (limit 0) and executes UD2: the
 *                     #UD cannot be delivered, nor the #GP that follows,
 *                     nor the #DF: a triple fault, which resets a bare
 *                     machine (QEMU -no-reboot exits with status 0) and
 *                     is a SHUTDOWN exit under SVM.
 *   mode=ud2-noidt    puts back the IDTR the loader left at entry
 *                     (multiboot promises nothing about it) and executes
 *                     UD2: whatever that IDT holds decides; on bare QEMU
 *                     it is the real-mode vector table, whose entries are
 *                     no valid gates, and the end is a triple fault.
 *   mode=unsupported  executes VMRUN with the guest's own IDT in place.
 *                     SVM is not the guest's (EFER.SVME clear), so a
 *                     correct machine raises #UD: the guest prints that
 *                     and exits with code 2 (status 5 on QEMU).  A VMM
 *                     must intercept VMRUN; it may inject the #UD or stop
 *                     the VM.  If VMRUN returns without a fault, code 3.
 *
 * Options:
 *   mode=triple|ud2-noidt|unsupported  (required)
 */
#include "guest.h"

const char guest_name[] = "crash";
const char *const guest_options[] = { "mode", NULL };

void guest_main(void)
{
	const char *mode = opts_str("mode", NULL);
	static const struct x86_dtr empty = { 0, 0 };
	int v;

	if (!mode) {
		report(false, "crash: mode= missing (triple, ud2-noidt or unsupported)");
		return;
	}
	if (!strcmp(mode, "triple")) {
		print("crash: triple: empty IDT, then ud2\n");
		lidt(&empty);
		asm volatile("ud2");
	} else if (!strcmp(mode, "ud2-noidt")) {
		print("crash: ud2-noidt: the loader's IDT (base %#x limit %#x), then ud2\n",
		      start_loader_idtr.base, start_loader_idtr.limit);
		lidt(&start_loader_idtr);
		asm volatile("ud2");
	} else if (!strcmp(mode, "unsupported")) {
		print("crash: unsupported: vmrun\n");
		v = X86_TRY("vmrun", : : "a"(0) : "memory");
		if (v >= 0) {
			print("crash: unsupported: vmrun raised vector %d\n", v);
			report_exit(v == X86_UD ? 2 : 3);
		}
		print("crash: unsupported: vmrun returned\n");
		report_exit(3);
	} else {
		report(false, "crash: unknown mode=%s (triple, ud2-noidt or unsupported)", mode);
		return;
	}
	/* Reached only if the machine survived what must not be survived. */
	report(false, "crash: %s: still running", mode);
}
