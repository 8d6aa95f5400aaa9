/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test doubles of what the VMM's device models ask of vcpu.c, vm.c and the
 * vendor backend, for host tests that link lapic.c, decode.c and
 * guestmem.c alone: a fake VM of up to VMK_VM_VCPUS_MAX VCPUs whose
 * "guest RAM" is a host buffer, registers in struct vcpu, control state in
 * a struct vcpu_sregs per VCPU, and counters of every kick, INIT and SIPI.
 * Include in exactly one file.
 */
#ifndef TESTS_UNIT_VMM_DOUBLES_H
#define TESTS_UNIT_VMM_DOUBLES_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <vmk/lock.h>
#include "core_env.h"
#include "vmm.h"

#define FAKE_VM_RAM	(8ULL << 20)

struct fake_vcpu_log {
	u32 kicks, inits, sipis;
	u8 sipi_vector;
	struct vcpu_sregs sregs;
};

static struct vm fake_vm;
static struct vcpu fake_vcpus[VMK_VM_VCPUS_MAX];
static struct fake_vcpu_log fake_vlog[VMK_VM_VCPUS_MAX];
static u8 *fake_ram;
static char fake_crash[256];

/* A running VM of n VCPUs, each APIC reset (VCPU 0 the BSP). */
static void fake_vm_init(u32 n)
{
	static u8 ram[FAKE_VM_RAM] __attribute__((aligned(4096)));

	memset(&fake_vm, 0, sizeof(fake_vm));
	memset(fake_vcpus, 0, sizeof(fake_vcpus));
	memset(fake_vlog, 0, sizeof(fake_vlog));
	memset(ram, 0, sizeof(ram));
	fake_crash[0] = 0;
	fake_ram = ram;
	fake_vm.id = 1;
	fake_vm.state = VMK_VM_RUNNING;
	/* Stands for LOCK_RANK_VM: below the timer's lock, as the VM's is. */
	spin_init(&fake_vm.lock, "vm", LOCK_RANK_COSCHED);
	fake_vm.nvcpus = n;
	fake_vm.ram_bytes = FAKE_VM_RAM;
	for (u32 i = 0; i < n; i++) {
		fake_vcpus[i].vm = &fake_vm;
		fake_vcpus[i].index = i;
		fake_vm.vcpu[i] = &fake_vcpus[i];
		lapic_reset(&fake_vcpus[i], i == 0);
	}
}

/* The machine the device tests run on: the console on CPU 0, the test
 * itself on vmkernel CPU 1 (the APIC timers arm the vmkernel's timers
 * there), and a running VM of n VCPUs. */
static __attribute__((unused)) void fake_vmm_start(u32 n)
{
	env_start(2);
	sched_cpu_online(0, false);
	sched_cpu_online(1, true);
	fake_set_cpu(1);
	fake_vm_init(n);
}

/* The guest takes its highest pending interrupt and writes EOI at its
 * APIC: the vector taken, or -1 when none was pending. */
static __attribute__((unused)) int fake_lapic_take_eoi(struct vcpu *v)
{
	int vec = lapic_pending(v);

	if (vec < 0)
		return -1;
	lapic_accept(v, (u8)vec);
	lapic_mmio_write(v, 0xb0, 0);
	return vec;
}

static void fake_vm_fini(void)
{
	for (u32 i = 0; i < fake_vm.nvcpus; i++)
		lapic_fini(&fake_vcpus[i]);
}

/* Undoes fake_vmm_start() or env_start() with fake_vm_init(). */
static __attribute__((unused)) int fake_vmm_teardown(void **state)
{
	fake_vm_fini();
	return env_teardown(state);
}

static struct fake_vcpu_log *vlog(struct vcpu *v)
{
	return &fake_vlog[v->index];
}

void vcpu_kick(struct vcpu *v)
{
	vlog(v)->kicks++;
}

void vcpu_init_signal(struct vcpu *v)
{
	vlog(v)->inits++;
}

void vcpu_sipi(struct vcpu *v, u8 vector)
{
	vlog(v)->sipis++;
	vlog(v)->sipi_vector = vector;
}

u64 vcpu_reg(struct vcpu *v, enum vcpu_reg r)
{
	return v->regs[r];
}

void vcpu_set_reg(struct vcpu *v, enum vcpu_reg r, u64 val)
{
	v->regs[r] = val;
}

void virt_vcpu_get_sregs(struct vcpu *v, struct vcpu_sregs *s)
{
	*s = vlog(v)->sregs;
}

void virt_vcpu_set_rip(struct vcpu *v, u64 rip)
{
	vlog(v)->sregs.rip = rip;
}

void *vm_guest_ptr(struct vm *vm, u64 gpa, u64 len)
{
	if (!len || gpa >= vm->ram_bytes || len > vm->ram_bytes - gpa ||
	    (gpa & ~0xfffULL) != ((gpa + len - 1) & ~0xfffULL))
		return NULL;
	return fake_ram + gpa;
}

void vm_crash(struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fake_crash, sizeof(fake_crash), fmt, ap);
	va_end(ap);
	vm->state = VMK_VM_CRASHED;
}

#endif
