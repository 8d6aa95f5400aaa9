// SPDX-License-Identifier: GPL-2.0
/*
 * A VM's power as its guest drives it, the decisions apart from the
 * mechanics in vm.c and vcpu.c:
 *
 *   reset     port 0xcf9, the PIIX reset control register: a write with
 *             bit 2 (RST_CPU) set resets the VM, as `reboot=pci` does it.
 *             The VM stays RUNNING: RAM is cleared and the boot image put
 *             back, every device and VCPU reset, the boot VCPU started
 *             again from what VM_START was given, the others wait for
 *             SIPI.  A triple fault stays a crash.
 *   boot      the boot image: every page VM_WRITE touched while the VM
 *   image     was LOADING, marked in a bitmap (one bit per guest page, in
 *             the RAM map) and copied at VM_START, so a reset needs no
 *             help from the console.
 *   halt      a VCPU that halts with RFLAGS.IF clear never wakes (there
 *             are no NMIs and nothing sends it one): once every VCPU of
 *             the VM is so halted or still waits for a SIPI (which no
 *             halted VCPU can send), the VM is OFF, "the guest halted
 *             every VCPU".  Linux's halt and its power-off without ACPI
 *             end that way on every CPU.
 *
 * Functions here run with vm->lock held, or on a VM no VCPU runs.
 */
#include <vmk/page.h>
#include "vmm.h"

#define CF9_SYS_RST	0x02		/* full reset: also the CPU's */
#define CF9_RST_CPU	0x04		/* the write that resets */

void power_track_write(struct vm *vm, u64 gpa, u64 len)
{
	u64 first, last;

	if (!vm->loaded || !len || gpa >= vm->ram_bytes)
		return;
	if (len > vm->ram_bytes - gpa)
		len = vm->ram_bytes - gpa;
	first = gpa >> PAGE_SHIFT;
	last = (gpa + len - 1) >> PAGE_SHIFT;
	for (u64 p = first; p <= last; p++)
		vm->loaded[p / 8] |= (u8)(1u << (p % 8));
}

bool power_page_loaded(const struct vm *vm, u64 gfn)
{
	return vm->loaded && gfn < (vm->ram_bytes >> PAGE_SHIFT) &&
	       (vm->loaded[gfn / 8] & (1u << (gfn % 8)));
}

u64 power_loaded_pages(const struct vm *vm)
{
	u64 n = 0, npages = vm->ram_bytes >> PAGE_SHIFT;

	if (!vm->loaded)
		return 0;
	/* Bit by bit: the image is built without the POPCNT instruction. */
	for (u64 i = 0; i < (npages + 7) / 8; i++)
		for (u8 b = vm->loaded[i]; b; b &= (u8)(b - 1))
			n++;
	return n;
}

bool power_cf9(struct vm *vm, bool in, u32 *val)
{
	if (in) {
		*val = vm->cf9 & CF9_SYS_RST;
		return false;
	}
	vm->cf9 = (u8)*val & ~CF9_RST_CPU;
	return *val & CF9_RST_CPU;
}

bool power_all_halted(const struct vm *vm)
{
	bool halted = false;

	for (u32 i = 0; i < vm->nvcpus; i++) {
		const struct vcpu *v = vm->vcpu[i];
		u32 st = READ_ONCE(v->run_state);

		if (v->init_pending)
			return false;
		if (st == VCPU_HALTED_OFF)
			halted = true;
		else if (st != VCPU_WAIT_SIPI)
			return false;
	}
	return halted;
}
