// SPDX-License-Identifier: GPL-2.0
/*
 * The VMware backdoor: `inl` from port 0x5658 with EAX = the magic
 * "VMXh", ECX = the command and EBX = its argument, answered in the
 * guest's registers.  Linux's CONFIG_HYPERVISOR_GUEST asks GETHZ for the
 * TSC and APIC bus rates and then calibrates neither, which is what lets
 * it run with no PIT; the guest's tools poll POWEROP for a soft stop or
 * reset the console asked for.
 *
 *   GETVERSION  EAX = 6, EBX = the magic, ECX = 2 (a server product)
 *   GETHZ       EBX:EAX = TSC Hz, ECX = the local APIC timer's bus Hz:
 *               the rates CPUID 0x40000010 gives in kHz
 *   POWEROP     EAX = the pending VMK_POWEROP_*, which is cleared; the
 *               VM notes that its guest runs tools (vm->tools_seen)
 *   others      EAX = all-ones, EBX and the rest as the guest left
 *               them: readers that preset EBX to all-ones (GETHZ) or
 *               test EAX against -1 (steal clock) see "not supported"
 *
 * Only the magic makes the port a backdoor: any other `in` there, or
 * one narrower than 32 bits, reads as a port with no device.
 */
#include <vmk/types.h>
#include "vmm.h"

#define BDOOR_VERSION		6
#define BDOOR_TYPE_SERVER	2

bool backdoor_io(struct vcpu *v, u16 port, u8 size, bool in)
{
	struct vm *vm = v->vm;
	u64 hz;

	if (port != VMK_BDOOR_PORT || !in || size != 4 ||
	    (u32)v->regs[VCPU_RAX] != VMK_BDOOR_MAGIC)
		return false;
	switch ((u32)v->regs[VCPU_RCX]) {
	case VMK_BDOOR_GETVERSION:
		v->regs[VCPU_RAX] = BDOOR_VERSION;
		v->regs[VCPU_RBX] = VMK_BDOOR_MAGIC;
		v->regs[VCPU_RCX] = BDOOR_TYPE_SERVER;
		break;
	case VMK_BDOOR_GETHZ:
		hz = (u64)vcpu_tsc_khz() * 1000;
		v->regs[VCPU_RAX] = (u32)hz;
		v->regs[VCPU_RBX] = (u32)(hz >> 32);
		v->regs[VCPU_RCX] = (u32)((u64)LAPIC_BUS_KHZ * 1000);
		break;
	case VMK_BDOOR_POWEROP:
		spin_lock(&vm->lock);
		v->regs[VCPU_RAX] = vm->power_request;
		vm->power_request = VMK_POWEROP_NONE;
		vm->tools_seen = true;
		spin_unlock(&vm->lock);
		break;
	default:
		v->regs[VCPU_RAX] = 0xffffffffU;
		break;
	}
	return true;
}
