// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of MMIO emulation (vmkernel/vmm/decode.c) and of the guest
 * page walk under it (vmkernel/vmm/guestmem.c), in a fake VM whose RAM is
 * a host buffer:
 *
 *  - every instruction of decode_insns.S, assembled by the build's own
 *    assembler in 16-, 32- and 64-bit code, is fetched from guest memory
 *    and decoded: its length must be the assembler's, and its size,
 *    direction, register and immediate what the table says; the ones the
 *    table marks bad must be refused;
 *  - the page walk in each paging mode and page size, with absent
 *    entries, tables outside RAM and non-canonical addresses refused;
 *  - vmm_mmio() end to end on the virtual APIC: loads, stores of
 *    registers and immediates, byte and word accesses, high-byte
 *    registers, zero extension, RIP stepped, an IPI sent by an ICR
 *    store, and a VM crashed (with the bytes in its reason) for an
 *    instruction it cannot emulate or cannot read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <vmk/errno.h>
#include "core_env.h"
#include "vmm_doubles.h"

struct decode_case {
	u64 start, len, mode, ok, size, write, has_imm, reg, high, imm, zx, reg_size;
	const char *name;
};

extern const struct decode_case decode_cases[], decode_cases_end[];

#define V0		(&fake_vcpus[0])
#define V1		(&fake_vcpus[1])
#define APIC		0xfee00000ULL

#define P		1ULL
#define W		2ULL
#define PS		0x80ULL

#define CR0_PE		1ULL
#define CR0_PG		(1ULL << 31)
#define CR4_PSE		(1ULL << 4)
#define CR4_PAE		(1ULL << 5)
#define CR4_LA57	(1ULL << 12)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define CS_L		(1u << 9)
#define CS_D		(1u << 10)

static u64 next_table;

static int setup(void **state)
{
	(void)state;
	fake_vmm_start(2);
	next_table = 0x100000;
	return 0;
}

static u64 new_table(void)
{
	u64 t = next_table;

	next_table += 0x1000;
	memset(fake_ram + t, 0, 0x1000);
	return t;
}

static void put64(u64 gpa, u64 val)
{
	memcpy(fake_ram + gpa, &val, 8);
}

static void put32(u64 gpa, u32 val)
{
	memcpy(fake_ram + gpa, &val, 4);
}

static u64 get64(u64 gpa)
{
	u64 v;

	memcpy(&v, fake_ram + gpa, 8);
	return v;
}

/* Maps gva to gpa in 64-bit tables from root (levels 4 or 5), a page
 * of 4 KiB (leaf level 1), 2 MiB (2) or 1 GiB (3). */
static void map64(u64 root, int levels, u64 gva, u64 gpa, int leaf)
{
	u64 table = root;

	for (int level = levels; level > leaf; level--) {
		u64 slot = table + ((gva >> (12 + 9 * (level - 1))) & 0x1ff) * 8;

		if (!(get64(slot) & P))
			put64(slot, new_table() | P | W);
		table = get64(slot) & 0x000ffffffffff000ULL;
	}
	put64(table + ((gva >> (12 + 9 * (leaf - 1))) & 0x1ff) * 8,
	      gpa | P | W | (leaf > 1 ? PS : 0));
}

static struct vcpu_sregs *sregs(struct vcpu *v)
{
	return &vlog(v)->sregs;
}

static void mode_real(struct vcpu *v, u64 cs_base, u64 ip)
{
	*sregs(v) = (struct vcpu_sregs){ .cs_base = cs_base, .rip = ip };
}

static void mode_flat32(struct vcpu *v, u64 eip)
{
	*sregs(v) = (struct vcpu_sregs){ .cr0 = CR0_PE, .cs_attrib = CS_D, .rip = eip };
}

/* Long mode, 4-level tables, code at 0xffff800000400000 in a 2 MiB page
 * at gpa 0x400000; returns the code's gpa. */
static u64 mode_long(struct vcpu *v, u64 *rip)
{
	u64 pml4 = new_table();

	map64(pml4, 4, 0xffff800000400000ULL, 0x400000, 2);
	*sregs(v) = (struct vcpu_sregs){
		.cr0 = CR0_PE | CR0_PG, .cr3 = pml4, .cr4 = CR4_PAE,
		.efer = EFER_LME | EFER_LMA, .cs_attrib = CS_L,
		.rip = 0xffff800000400000ULL,
	};
	*rip = sregs(v)->rip;
	return 0x400000;
}

/* ---- the decoder against the assembler ---- */

static void test_decode_table(void **state)
{
	u32 n = 0, bad = 0;
	u64 rip64, code64;
	(void)state;

	code64 = mode_long(V1, &rip64);
	for (const struct decode_case *c = decode_cases; c < decode_cases_end; c++, n++) {
		struct mmio_insn in;
		u64 gpa;
		int err;

		switch (c->mode) {
		case 16:
			mode_real(V0, 0x10000, 0x234);
			gpa = 0x10234;
			break;
		case 32:
			/* Across a page boundary: the fetch takes both pages. */
			mode_flat32(V0, 0x2ffe);
			gpa = 0x2ffe;
			break;
		default:
			*sregs(V0) = *sregs(V1);
			sregs(V0)->rip = rip64 + 0xffd;
			gpa = code64 + 0xffd;
			break;
		}
		memset(fake_ram + gpa, 0xcc, 32);
		memcpy(fake_ram + gpa, (const void *)(uintptr_t)c->start, c->len);
		err = decode_mmio(V0, &in);
		if (!c->ok) {
			if (err != -EINVAL)
				print_error("%s: accepted (len %u)\n", c->name, in.len);
			assert_int_equal(err, -EINVAL);
			bad++;
			continue;
		}
		if (err || in.len != c->len || in.size != c->size ||
		    in.write != !!c->write || in.has_imm != !!c->has_imm ||
		    (!c->has_imm && (in.reg != c->reg || in.high_byte != !!c->high)) ||
		    (c->has_imm && in.imm != c->imm) ||
		    in.zero_extend != !!c->zx || (!c->write && in.reg_size != c->reg_size))
			print_error("%s: err %d len %u/%lu size %u/%lu write %d imm %d/%#lx "
				    "reg %u/%lu high %d zx %d reg_size %u/%lu\n", c->name, err,
				    in.len, (unsigned long)c->len, in.size, (unsigned long)c->size,
				    in.write, in.has_imm, (unsigned long)in.imm,
				    in.reg, (unsigned long)c->reg, in.high_byte,
				    in.zero_extend, in.reg_size, (unsigned long)c->reg_size);
		assert_int_equal(err, 0);
		assert_int_equal(in.len, c->len);
		assert_int_equal(in.size, c->size);
		assert_int_equal(in.write, !!c->write);
		assert_int_equal(in.has_imm, !!c->has_imm);
		if (c->has_imm) {
			assert_int_equal(in.imm, c->imm);
		} else {
			assert_int_equal(in.reg, c->reg);
			assert_int_equal(in.high_byte, !!c->high);
		}
		assert_int_equal(in.zero_extend, !!c->zx);
		if (!c->write)
			assert_int_equal(in.reg_size, c->reg_size);
	}
	/* The table is all there: 93 cases, 16 of them refused. */
	assert_int_equal(n, 93);
	assert_int_equal(bad, 16);
}

static void test_decode_truncated(void **state)
{
	struct mmio_insn in;
	(void)state;

	/* mov 0x300(%rbx), %edx cut short by the end of guest RAM. */
	mode_flat32(V0, FAKE_VM_RAM - 3);
	memcpy(fake_ram + FAKE_VM_RAM - 3, "\x8b\x93\x00", 3);
	assert_int_equal(decode_mmio(V0, &in), -EINVAL);
	/* Nothing readable at all. */
	mode_flat32(V0, FAKE_VM_RAM + 0x1000);
	assert_int_equal(decode_mmio(V0, &in), -EFAULT);
}

/* An interrupt pending in STI's shadow ends a HLT only if RIP is at one:
 * through real-mode CS.base, flat 32-bit and long-mode paging, and never
 * for another instruction or one that cannot be read. */
static void test_at_hlt(void **state)
{
	struct vcpu_sregs *s = sregs(V0);
	u64 rip, gpa;
	(void)state;

	mode_flat32(V0, 0x5001);
	memcpy(fake_ram + 0x5000, "\xfb\xf4\xfa", 3);	/* sti; hlt; cli */
	assert_true(decode_at_hlt(V0, s));
	s->rip = 0x5000;				/* the STI */
	assert_false(decode_at_hlt(V0, s));
	s->rip = 0x5002;				/* the CLI */
	assert_false(decode_at_hlt(V0, s));
	mode_real(V0, 0x5000, 1);
	assert_true(decode_at_hlt(V0, s));
	gpa = mode_long(V0, &rip);
	fake_ram[gpa] = 0xf4;
	assert_true(decode_at_hlt(V0, s));
	fake_ram[gpa] = 0x90;
	assert_false(decode_at_hlt(V0, s));
	mode_flat32(V0, FAKE_VM_RAM + 0x1000);		/* nothing there */
	assert_false(decode_at_hlt(V0, s));
}

/* ---- the page walk ---- */

static void test_walk_none(void **state)
{
	u64 gpa;
	(void)state;

	mode_flat32(V0, 0);
	assert_int_equal(vmm_gva_to_gpa(V0, 0x12345678, &gpa), 0);
	assert_int_equal(gpa, 0x12345678);
	assert_int_equal(vmm_gva_to_gpa(V0, 0x1fee00000ULL, &gpa), 0);
	assert_int_equal(gpa, APIC);		/* 32-bit linear addresses */
}

static void test_walk_32bit(void **state)
{
	u64 pd = new_table(), pt = new_table(), gpa;
	(void)state;

	mode_flat32(V0, 0);
	sregs(V0)->cr0 |= CR0_PG;
	sregs(V0)->cr3 = pd;
	put32(pd + 1 * 4, (u32)pt | P | W);
	put32(pt + 5 * 4, 0x234000 | P);
	put32(pd + 2 * 4, 0x00c00000 | P | PS | (0x3u << 13));	/* PSE-36: bits 32-33 */
	assert_int_equal(vmm_gva_to_gpa(V0, 0x00405123, &gpa), 0);
	assert_int_equal(gpa, 0x234123);
	/* Without CR4.PSE the PS bit means nothing: a table at 0xc00000. */
	assert_int_equal(vmm_gva_to_gpa(V0, 0x00812345, &gpa), -EFAULT);
	sregs(V0)->cr4 = CR4_PSE;
	assert_int_equal(vmm_gva_to_gpa(V0, 0x00812345, &gpa), 0);
	assert_int_equal(gpa, 0x300c12345ULL);
	/* Absent: a PTE, a PDE. */
	assert_int_equal(vmm_gva_to_gpa(V0, 0x00406000, &gpa), -EFAULT);
	assert_int_equal(vmm_gva_to_gpa(V0, 0x40000000, &gpa), -EFAULT);
	/* A page directory outside the VM's RAM. */
	sregs(V0)->cr3 = 0xfff00000;
	assert_int_equal(vmm_gva_to_gpa(V0, 0x00405123, &gpa), -EFAULT);
}

static void test_walk_pae(void **state)
{
	u64 pdpt = new_table(), pd = new_table(), pt = new_table(), gpa;
	(void)state;

	mode_flat32(V0, 0);
	sregs(V0)->cr0 |= CR0_PG;
	sregs(V0)->cr4 = CR4_PAE;
	sregs(V0)->cr3 = pdpt + 0x20;		/* 32-byte aligned within a page */
	put64(pdpt + 0x20 + 1 * 8, pd | P);
	put64(pd + 3 * 8, 0x600000 | P | W | PS);
	put64(pd + 4 * 8, pt | P | W);
	put64(pt + 7 * 8, 0x7654000 | P);
	assert_int_equal(vmm_gva_to_gpa(V0, 0x40600000 + 0x1234, &gpa), 0);
	assert_int_equal(gpa, 0x601234);
	assert_int_equal(vmm_gva_to_gpa(V0, 0x40807abc, &gpa), 0);
	assert_int_equal(gpa, 0x7654abc);
	assert_int_equal(vmm_gva_to_gpa(V0, 0x40808000, &gpa), -EFAULT);
	assert_int_equal(vmm_gva_to_gpa(V0, 0x80000000, &gpa), -EFAULT);	/* PDPTE 2 */
}

static void test_walk_long(void **state)
{
	u64 pml4 = new_table(), gpa;
	(void)state;

	*sregs(V0) = (struct vcpu_sregs){
		.cr0 = CR0_PE | CR0_PG, .cr3 = pml4, .cr4 = CR4_PAE,
		.efer = EFER_LME | EFER_LMA, .cs_attrib = CS_L,
	};
	map64(pml4, 4, 0x0000000000401000ULL, 0x222000, 1);
	map64(pml4, 4, 0xffff888000000000ULL, 0x40000000, 3);	/* 1 GiB */
	map64(pml4, 4, 0x00007f0000200000ULL, 0x800000, 2);	/* 2 MiB */
	assert_int_equal(vmm_gva_to_gpa(V0, 0x401abc, &gpa), 0);
	assert_int_equal(gpa, 0x222abc);
	assert_int_equal(vmm_gva_to_gpa(V0, 0xffff888000000000ULL + 0x3456789, &gpa), 0);
	assert_int_equal(gpa, 0x43456789);
	assert_int_equal(vmm_gva_to_gpa(V0, 0x00007f00002fffffULL, &gpa), 0);
	assert_int_equal(gpa, 0x8fffff);
	assert_int_equal(vmm_gva_to_gpa(V0, 0x402000, &gpa), -EFAULT);
	/* Not canonical with 48 bits. */
	assert_int_equal(vmm_gva_to_gpa(V0, 0x0000800000401000ULL, &gpa), -EFAULT);
	assert_int_equal(vmm_gva_to_gpa(V0, 0xff00888000000000ULL, &gpa), -EFAULT);
	/* A PDPT pointed outside RAM. */
	put64(pml4 + 0x1ff * 8, 0xfff000000ULL | P);
	assert_int_equal(vmm_gva_to_gpa(V0, 0xffffff8000000000ULL, &gpa), -EFAULT);
}

static void test_walk_la57(void **state)
{
	u64 pml5 = new_table(), gpa;
	(void)state;

	*sregs(V0) = (struct vcpu_sregs){
		.cr0 = CR0_PE | CR0_PG, .cr3 = pml5, .cr4 = CR4_PAE | CR4_LA57,
		.efer = EFER_LME | EFER_LMA, .cs_attrib = CS_L,
	};
	/* Canonical with 57 bits, not with 48. */
	map64(pml5, 5, 0xff11000000001000ULL, 0x333000, 1);
	assert_int_equal(vmm_gva_to_gpa(V0, 0xff11000000001010ULL, &gpa), 0);
	assert_int_equal(gpa, 0x333010);
	assert_int_equal(vmm_gva_to_gpa(V0, 0xfe11000000001000ULL, &gpa), -EFAULT);
	/* The same tables read as 4-level walk to somewhere else. */
	sregs(V0)->cr4 = CR4_PAE;
	assert_int_equal(vmm_gva_to_gpa(V0, 0xff11000000001010ULL, &gpa), -EFAULT);
}

/* ---- vmm_mmio() on the APIC ---- */

/* Runs one instruction (its bytes) in 32-bit code against the APIC. */
static int run32(struct vcpu *v, const char *bytes, u32 len, u64 gpa)
{
	mode_flat32(v, 0x5000);
	memcpy(fake_ram + 0x5000, bytes, len);
	return vmm_mmio(v, gpa);
}

static void test_mmio_32bit(void **state)
{
	(void)state;

	/* mov 0xfee00030, %eax (A1): the version; RIP steps over 5 bytes. */
	V0->regs[VCPU_RAX] = 0xffffffffffffffffULL;
	assert_int_equal(run32(V0, "\xa1\x30\x00\xe0\xfe", 5, APIC + 0x30), 0);
	assert_int_equal(V0->regs[VCPU_RAX], 0x50014);
	assert_int_equal(sregs(V0)->rip, 0x5005);
	/* mov %ecx, 0x80(%edi): TPR. */
	V0->regs[VCPU_RCX] = 0x50;
	V0->regs[VCPU_RDI] = APIC;
	assert_int_equal(run32(V0, "\x89\x8f\x80\x00\x00\x00", 6, APIC + 0x80), 0);
	assert_int_equal(V0->lapic.tpr, 0x50);
	assert_int_equal(sregs(V0)->rip, 0x5006);
	/* movl $0x1ff, 0xfee000f0: SPIV, from an immediate. */
	assert_int_equal(run32(V0, "\xc7\x05\xf0\x00\xe0\xfe\xff\x01\x00\x00", 10, APIC + 0xf0), 0);
	assert_int_equal(V0->lapic.spiv, 0x1ff);
	/* Byte loads: mov 0xfee00032, %al; mov (%edi), %ah at the version. */
	V0->regs[VCPU_RAX] = 0x1111111111111111ULL;
	assert_int_equal(run32(V0, "\xa0\x32\x00\xe0\xfe", 5, APIC + 0x32), 0);
	assert_int_equal(V0->regs[VCPU_RAX], 0x1111111111111105ULL);
	V0->regs[VCPU_RDI] = APIC + 0x30;
	assert_int_equal(run32(V0, "\x8a\x27", 2, APIC + 0x30), 0);
	assert_int_equal(V0->regs[VCPU_RAX], 0x1111111111111405ULL);
	/* movzwl 0xfee00030, %edx: zero-extended. */
	V0->regs[VCPU_RDX] = ~0ULL;
	assert_int_equal(run32(V0, "\x0f\xb7\x15\x30\x00\xe0\xfe", 7, APIC + 0x30), 0);
	assert_int_equal(V0->regs[VCPU_RDX], 0x0014);
	/* A 16-bit load keeps the rest: mov 0xfee00030, %bx. */
	V0->regs[VCPU_RBX] = 0xaaaaaaaaaaaaaaaaULL;
	assert_int_equal(run32(V0, "\x66\x8b\x1d\x30\x00\xe0\xfe", 7, APIC + 0x30), 0);
	assert_int_equal(V0->regs[VCPU_RBX], 0xaaaaaaaaaaaa0014ULL);
	/* A byte store into TPR merges with the rest of the register. */
	V0->regs[VCPU_RCX] = 0x60;
	assert_int_equal(run32(V0, "\x88\x0d\x80\x00\xe0\xfe", 6, APIC + 0x80), 0);
	assert_int_equal(V0->lapic.tpr, 0x60);
	/* The ICR, high then low, by stores: a fixed IPI reaches VCPU 1. */
	lapic_mmio_write(V1, 0xf0, 0x1ff);
	V0->regs[VCPU_RAX] = 1u << 24;
	assert_int_equal(run32(V0, "\xa3\x10\x03\xe0\xfe", 5, APIC + 0x310), 0);
	V0->regs[VCPU_RAX] = 0x4a;
	assert_int_equal(run32(V0, "\xa3\x00\x03\xe0\xfe", 5, APIC + 0x300), 0);
	assert_int_equal(lapic_pending(V1), 0x4a);
	assert_int_equal(vlog(V1)->kicks, 1);
	assert_int_equal(fake_vm.state, VMK_VM_RUNNING);
}

static void test_mmio_64bit(void **state)
{
	u64 rip, code = mode_long(V0, &rip);
	(void)state;

	/* mov (%rdi), %r8d: zero-extended to 64 bits. */
	memcpy(fake_ram + code, "\x44\x8b\x07", 3);
	V0->regs[VCPU_R8] = ~0ULL;
	V0->regs[VCPU_RDI] = APIC + 0x30;
	assert_int_equal(vmm_mmio(V0, APIC + 0x30), 0);
	assert_int_equal(V0->regs[VCPU_R8], 0x50014);
	assert_int_equal(sregs(V0)->rip, rip + 3);
	/* movq $-1, 0x80(%rdi): two words, TPR takes the low one. */
	memcpy(fake_ram + code + 3, "\x48\xc7\x47\x50\xff\xff\xff\xff", 8);
	assert_int_equal(vmm_mmio(V0, APIC + 0x80), 0);
	assert_int_equal(V0->lapic.tpr, 0xff);
	assert_int_equal(sregs(V0)->rip, rip + 11);
	/* A 64-bit load of ID and its reserved neighbour. */
	memcpy(fake_ram + code + 11, "\x48\x8b\x47\xf0", 4);
	V0->regs[VCPU_RAX] = ~0ULL;
	assert_int_equal(vmm_mmio(V0, APIC + 0x20), 0);
	assert_int_equal(V0->regs[VCPU_RAX], 0);	/* VCPU 0: ID 0 */
	assert_int_equal(fake_vm.state, VMK_VM_RUNNING);
}

static void test_mmio_refused(void **state)
{
	(void)state;

	/* add %eax, (%edi): a read-modify-write; the VM crashes, RIP stays. */
	V0->regs[VCPU_RDI] = APIC + 0x80;
	assert_int_equal(run32(V0, "\x01\x07", 2, APIC + 0x80), -EINVAL);
	assert_int_equal(fake_vm.state, VMK_VM_CRASHED);
	assert_non_null(strstr(fake_crash, "cannot emulate"));
	assert_non_null(strstr(fake_crash, "bytes 01 07"));
	assert_non_null(strstr(fake_crash, "gpa 0xfee00080"));
	assert_int_equal(sregs(V0)->rip, 0x5000);
	assert_int_equal(V0->lapic.tpr, 0);
	/* An instruction where no memory is. */
	fake_vm.state = VMK_VM_RUNNING;
	mode_flat32(V0, FAKE_VM_RAM + 0x10000);
	assert_int_equal(vmm_mmio(V0, APIC + 0x80), -EFAULT);
	assert_int_equal(fake_vm.state, VMK_VM_CRASHED);
	assert_non_null(strstr(fake_crash, "not readable"));
	/* An access that runs off the end of the page. */
	fake_vm.state = VMK_VM_RUNNING;
	V0->regs[VCPU_RDI] = APIC + 0xffe;
	assert_int_equal(run32(V0, "\x8b\x07", 2, APIC + 0xffe), -EINVAL);
	assert_int_equal(fake_vm.state, VMK_VM_CRASHED);
}

static void test_mmio_apic_off(void **state)
{
	u64 base = APIC;
	(void)state;

	/* A disabled APIC: loads read all-ones, stores vanish. */
	assert_true(lapic_msr(V0, 0x1b, true, &base));
	V0->regs[VCPU_RAX] = 0;
	assert_int_equal(run32(V0, "\xa1\x30\x00\xe0\xfe", 5, APIC + 0x30), 0);
	assert_int_equal(V0->regs[VCPU_RAX], 0xffffffff);
	V0->regs[VCPU_RAX] = 0x40;
	assert_int_equal(run32(V0, "\xa3\x80\x00\xe0\xfe", 5, APIC + 0x80), 0);
	assert_int_equal(V0->lapic.tpr, 0);
	assert_int_equal(fake_vm.state, VMK_VM_RUNNING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_decode_table, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_decode_truncated, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_at_hlt, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_walk_none, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_walk_32bit, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_walk_pae, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_walk_long, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_walk_la57, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_mmio_32bit, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_mmio_64bit, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_mmio_refused, setup, fake_vmm_teardown),
		cmocka_unit_test_setup_teardown(test_mmio_apic_off, setup, fake_vmm_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
