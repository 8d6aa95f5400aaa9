// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO emulation without decode assists.  The MMIO a VM has is its local
 * APIC's page and the I/O APIC's, which the nested page tables leave
 * unmapped, so every access to them is a nested page fault that says
 * where, but not what: the VMM fetches the instruction at CS.base + RIP
 * through the guest's page tables (guestmem.c), decodes it, does the
 * access on the device a 32-bit register at a time, writes the
 * destination register and steps RIP over it.
 *
 * The instructions an OS uses on device registers are the plain moves:
 * MOV r/m,reg (88, 89), MOV reg,r/m (8A, 8B), MOV r/m,imm (C6 /0, C7 /0),
 * MOVZX reg,r/m (0F B6, 0F B7), and MOV between AL/eAX and an absolute
 * address (A0-A3: what a compiler makes of a load from a constant
 * address into EAX in 32-bit code), with operand-size (66), address-size
 * (67), segment and REX prefixes, in 16-, 32- and 64-bit code, with every
 * ModRM, SIB and displacement form.  The address the instruction names is
 * not computed: the fault already gave it.  Anything else (a string
 * move, a read-modify-write, a register operand) is refused, and the VM
 * crashes with the instruction's bytes in its reason.
 *
 * Register writes follow the CPU: an 8- or 16-bit destination keeps the
 * rest of the register, a 32-bit one is zero-extended to 64 bits.
 */
#include <vmk/errno.h>
#include <vmk/format.h>

#include "vmm.h"

#define INSN_MAX	15
#define CR0_PE		(1ULL << 0)
#define EFER_LMA	(1ULL << 10)
#define CS_L		(1u << 9)
#define CS_D		(1u << 10)
#define RFLAGS_VM	(1ULL << 17)

/* The code's default sizes: 2, 4 or 8 (64-bit code). */
static u32 decode_mode(const struct vcpu_sregs *s)
{
	if (!(s->cr0 & CR0_PE) || (s->rflags & RFLAGS_VM))
		return 2;
	if ((s->efer & EFER_LMA) && (s->cs_attrib & CS_L))
		return 8;
	return s->cs_attrib & CS_D ? 4 : 2;
}

/*
 * Up to INSN_MAX bytes at CS.base + RIP; *n says how many could be read
 * (an instruction near the end of the guest's mapped memory may be
 * shorter than the window).
 */
static int decode_fetch(struct vcpu *v, const struct vcpu_sregs *s, u8 *buf, u32 *n)
{
	u64 lin = decode_mode(s) == 8 ? s->rip : (s->cs_base + s->rip) & 0xffffffff;

	*n = 0;
	while (*n < INSN_MAX) {
		u64 gva = lin + *n, gpa;
		u32 chunk = MIN(INSN_MAX - *n, 0x1000 - (u32)(gva & 0xfff));
		const u8 *p;

		if (vmm_gva_to_gpa(v, gva, &gpa))
			break;
		p = vm_guest_ptr(v->vm, gpa, chunk);
		if (!p)
			break;
		for (u32 i = 0; i < chunk; i++)
			buf[*n + i] = p[i];
		*n += chunk;
	}
	return *n ? 0 : -EFAULT;
}

bool decode_at_hlt(struct vcpu *v, const struct vcpu_sregs *s)
{
	u8 buf[INSN_MAX];
	u32 n;

	return !decode_fetch(v, s, buf, &n) && buf[0] == 0xf4;
}

struct decode_cursor {
	const u8 *b;
	u32 n, at;
	bool short_read;
};

static bool decode_byte(struct decode_cursor *c, u8 *out)
{
	if (c->at >= c->n) {
		c->short_read = true;
		return false;
	}
	*out = c->b[c->at++];
	return true;
}

static bool decode_skip(struct decode_cursor *c, u32 bytes)
{
	if (c->n - c->at < bytes) {
		c->short_read = true;
		return false;
	}
	c->at += bytes;
	return true;
}

static bool decode_imm(struct decode_cursor *c, u32 bytes, u64 *out)
{
	u64 val = 0;

	if (c->n - c->at < bytes) {
		c->short_read = true;
		return false;
	}
	for (u32 i = 0; i < bytes; i++)
		val |= (u64)c->b[c->at + i] << (8 * i);
	c->at += bytes;
	*out = val;
	return true;
}

/* Steps over the memory operand after ModRM: SIB and displacement. */
static bool decode_modrm_mem(struct decode_cursor *c, u8 modrm, u32 addr_size)
{
	u8 mod = modrm >> 6, rm = modrm & 7, sib;

	if (addr_size == 2) {
		if (mod == 0 && rm == 6)
			return decode_skip(c, 2);
		return decode_skip(c, mod == 1 ? 1 : mod == 2 ? 2 : 0);
	}
	if (rm == 4) {
		if (!decode_byte(c, &sib))
			return false;
		if (mod == 0 && (sib & 7) == 5)
			return decode_skip(c, 4);
	}
	if (mod == 0 && rm == 5)		/* disp32, RIP-relative in 64-bit code */
		return decode_skip(c, 4);
	return decode_skip(c, mod == 1 ? 1 : mod == 2 ? 4 : 0);
}

static int decode_bytes(const u8 *bytes, u32 n, u32 mode, struct mmio_insn *out)
{
	struct decode_cursor c = { .b = bytes, .n = n };
	u32 op_size = mode == 8 ? 4 : mode, addr_size = mode;
	bool opsize_prefix = false, addr_prefix = false;
	u8 rex = 0, op, modrm, reg;
	u64 imm;

	*out = (struct mmio_insn){ 0 };
	for (;;) {
		u8 b;

		if (!decode_byte(&c, &b))
			return -EINVAL;
		if (b == 0x66) {
			opsize_prefix = true;
		} else if (b == 0x67) {
			addr_prefix = true;
		} else if (b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e ||
			   b == 0x64 || b == 0x65) {
			/* Segment overrides: the fault gave the address. */
		} else if (mode == 8 && (b & 0xf0) == 0x40) {
			rex = b;
			if (!decode_byte(&c, &op))
				return -EINVAL;
			/* REX counts only right before the opcode. */
			if (op == 0x66 || op == 0x67 || (op & 0xf0) == 0x40)
				return -EINVAL;
			break;
		} else {
			op = b;			/* lock and rep: refused as opcodes */
			break;
		}
	}
	if (opsize_prefix)
		op_size = mode == 2 ? 4 : 2;
	if (rex & 8)
		op_size = 8;
	if (addr_prefix)
		addr_size = mode == 4 ? 2 : 4;

	switch (op) {
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:
		/* moffs: an address of the address size, no ModRM */
		out->size = op & 1 ? op_size : 1;
		out->write = op >= 0xa2;
		out->reg = VCPU_RAX;
		out->reg_size = out->size;
		if (!decode_skip(&c, addr_size))
			return -EINVAL;
		out->len = (u8)c.at;
		return 0;
	case 0x88: case 0x8a: case 0xc6:
		out->size = 1;
		break;
	case 0x89: case 0x8b: case 0xc7:
		out->size = op_size;
		break;
	case 0x0f:
		if (!decode_byte(&c, &op))
			return -EINVAL;
		if (op != 0xb6 && op != 0xb7)
			return -EINVAL;
		out->size = op == 0xb6 ? 1 : 2;
		out->zero_extend = true;
		break;
	default:
		return -EINVAL;
	}
	if (!decode_byte(&c, &modrm))
		return -EINVAL;
	if ((modrm >> 6) == 3)			/* a register, not memory */
		return -EINVAL;
	reg = ((modrm >> 3) & 7) | (rex & 4 ? 8 : 0);
	if (!decode_modrm_mem(&c, modrm, addr_size))
		return -EINVAL;

	switch (op) {
	case 0x88: case 0x89:
		out->write = true;
		break;
	case 0xc6: case 0xc7:
		if ((modrm >> 3) & 7)		/* /0 is MOV; the rest are not */
			return -EINVAL;
		out->write = true;
		out->has_imm = true;
		/* imm8, imm16, or imm32 (sign-extended for a 64-bit move) */
		if (!decode_imm(&c, out->size == 8 ? 4 : out->size, &imm))
			return -EINVAL;
		if (out->size == 8)
			imm = (u64)(s64)(s32)imm;
		out->imm = imm;
		break;
	default:
		out->reg_size = out->zero_extend ? op_size : out->size;
		break;
	}
	if (!out->has_imm) {
		/* Without REX, byte registers 4-7 are AH, CH, DH, BH. */
		bool byte_reg = out->write ? out->size == 1 : out->reg_size == 1;

		if (byte_reg && !rex && reg >= 4 && reg < 8) {
			out->reg = reg - 4;
			out->high_byte = true;
		} else {
			out->reg = reg;
		}
	}
	out->len = (u8)c.at;
	return 0;
}

int decode_mmio(struct vcpu *v, struct mmio_insn *out)
{
	struct vcpu_sregs s;
	u8 buf[INSN_MAX];
	u32 n;

	virt_vcpu_get_sregs(v, &s);
	if (decode_fetch(v, &s, buf, &n))
		return -EFAULT;
	return decode_bytes(buf, n, decode_mode(&s), out);
}

/* ---- the access ---- */

/* One 32-bit word of the local APIC's page, or of the I/O APIC's. */
static void mmio_word_read(struct vcpu *v, bool ioapic, u32 off, u32 *w)
{
	if (ioapic)
		ioapic_mmio_read(v->vm, off, w);
	else
		lapic_mmio_read(v, off, w);
}

static void mmio_word_write(struct vcpu *v, bool ioapic, u32 off, u32 w)
{
	if (ioapic)
		ioapic_mmio_write(v->vm, off, w);
	else
		lapic_mmio_write(v, off, w);
}

/* Bytes [off, off + size) of the device's page, a 32-bit register at a time. */
static u64 mmio_read(struct vcpu *v, bool ioapic, u32 off, u32 size)
{
	u64 val = 0;

	for (u32 i = 0; i < size; ) {
		u32 word = (off + i) & ~3u, shift = (off + i) & 3, w;
		u32 take = MIN(4 - shift, size - i);

		mmio_word_read(v, ioapic, word, &w);
		w >>= 8 * shift;
		if (take < 4)
			w &= (1u << (8 * take)) - 1;
		val |= (u64)w << (8 * i);
		i += take;
	}
	return val;
}

static void mmio_write(struct vcpu *v, bool ioapic, u32 off, u32 size, u64 val)
{
	for (u32 i = 0; i < size; ) {
		u32 word = (off + i) & ~3u, shift = (off + i) & 3, w;
		u32 take = MIN(4 - shift, size - i);

		if (take == 4) {
			w = (u32)(val >> (8 * i));
		} else {
			/* A part of a register: the rest as it reads now. */
			u32 mask = ((1u << (8 * take)) - 1) << (8 * shift);

			mmio_word_read(v, ioapic, word, &w);
			w = (w & ~mask) | (((u32)(val >> (8 * i)) << (8 * shift)) & mask);
		}
		mmio_word_write(v, ioapic, word, w);
		i += take;
	}
}

static u64 mmio_reg_value(struct vcpu *v, const struct mmio_insn *in)
{
	u64 r = vcpu_reg(v, in->reg);

	if (in->high_byte)
		return (r >> 8) & 0xff;
	return in->size == 8 ? r : r & ((1ULL << (8 * in->size)) - 1);
}

static void mmio_set_reg(struct vcpu *v, const struct mmio_insn *in, u64 val)
{
	u64 old = vcpu_reg(v, in->reg);

	if (in->high_byte)
		val = (old & ~0xff00ULL) | (val & 0xff) << 8;
	else if (in->reg_size == 1)
		val = (old & ~0xffULL) | (val & 0xff);
	else if (in->reg_size == 2)
		val = (old & ~0xffffULL) | (val & 0xffff);
	else if (in->reg_size == 4)
		val &= 0xffffffff;
	vcpu_set_reg(v, in->reg, val);
}

static void mmio_crash(struct vcpu *v, u64 gpa, const char *why)
{
	struct vcpu_sregs s;
	char hex[INSN_MAX * 3 + 1] = "";
	u8 buf[INSN_MAX];
	u32 n = 0, at = 0;

	virt_vcpu_get_sregs(v, &s);
	if (!decode_fetch(v, &s, buf, &n))
		for (u32 i = 0; i < n; i++)
			at += (u32)snprintf(hex + at, sizeof(hex) - at, "%s%02x",
					    i ? " " : "", buf[i]);
	vm_crash(v->vm, "vcpu%u: %s at gpa 0x%lx, rip 0x%lx: bytes %s",
		 v->index, why, (unsigned long)gpa, (unsigned long)s.rip,
		 n ? hex : "not readable");
}

int vmm_mmio(struct vcpu *v, u64 gpa)
{
	struct vcpu_sregs s;
	struct mmio_insn in;
	u64 base = lapic_mmio_base(v), page = gpa & ~0xfffULL, val;
	bool ioapic = page == IOAPIC_GPA;
	u32 off = gpa & 0xfff;
	int err;

	err = decode_mmio(v, &in);
	if (err) {
		mmio_crash(v, gpa, err == -EFAULT ? "MMIO from an unreadable instruction"
						  : "MMIO by an instruction the VMM cannot emulate");
		return err;
	}
	if (off + in.size > 0x1000) {
		mmio_crash(v, gpa, "MMIO across the end of a device's page");
		return -EINVAL;
	}
	/* The APIC disabled or in x2APIC mode: nothing answers there. */
	if (!ioapic && (!base || page != base)) {
		if (!in.write)
			mmio_set_reg(v, &in, in.size == 8 ? ~0ULL : (1ULL << (8 * in.size)) - 1);
	} else if (in.write) {
		mmio_write(v, ioapic, off, in.size,
			   in.has_imm ? in.imm : mmio_reg_value(v, &in));
	} else {
		val = mmio_read(v, ioapic, off, in.size);
		mmio_set_reg(v, &in, val);
	}
	virt_vcpu_get_sregs(v, &s);
	switch (decode_mode(&s)) {
	case 8:  virt_vcpu_set_rip(v, s.rip + in.len); break;
	case 4:  virt_vcpu_set_rip(v, (s.rip + in.len) & 0xffffffff); break;
	default: virt_vcpu_set_rip(v, (s.rip + in.len) & 0xffff); break;
	}
	return 0;
}
