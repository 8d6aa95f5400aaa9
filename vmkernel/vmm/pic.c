// SPDX-License-Identifier: GPL-2.0
/*
 * The VM's 8259A pair (master at 0x20/0x21, slave at 0xa0/0xa1) and its
 * edge/level control registers (ELCR, 0x4d0/0x4d1): a controller that is
 * there but never interrupts.  Linux probes for it (writes 0xfb to the
 * master's mask and reads it back) and, finding one, keeps its sixteen
 * legacy IRQs, which the MP table then routes through the I/O APIC; it
 * masks the 8259 and never unmasks it once the I/O APIC is in use.
 * Without it, Linux would give the ISA IRQs no numbers.
 *
 * So it keeps what the guest writes: the initialization sequence (ICW1 on
 * the even port, then ICW2, ICW3 if cascaded, ICW4 if ICW1 asked for it,
 * on the odd one), the mask (OCW1, the odd port outside the sequence),
 * OCW3's choice of IRR or ISR for reads of the even port, which read 0
 * since nothing is ever requested or in service; EOIs (OCW2) have nothing
 * to retire.  ICW1 clears the mask, as on the chip.  Test kernels that
 * write 0xff to both masks find them so.  The ELCR bits of IRQs 0, 1, 2,
 * 8 and 13 are fixed at 0 (edge), as on the PIIX.
 *
 * Every function here runs with vm->lock held.
 */
#include "vmm.h"

#define PIC_MASTER	0x20
#define PIC_SLAVE	0xa0
#define PIC_ELCR	0x4d0

#define ICW1		0x10		/* bit 4 on the even port: ICW1 */
#define ICW1_IC4	0x01		/* ICW4 follows */
#define ICW1_SNGL	0x02		/* no cascade: no ICW3 */

static const u8 pic_elcr_bits[2] = { 0xf8, 0xde };

void pic_reset(struct vm *vm)
{
	struct pic *p = &vm->pic;

	for (u32 i = 0; i < 2; i++) {
		p->imr[i] = 0xff;
		p->icw_next[i] = 0;
		p->elcr[i] = 0;
		for (u32 k = 0; k < 4; k++)
			p->icw[i][k] = 0;
	}
}

/* The ICW after number n (1-based) of chip c, 0 when the sequence ends. */
static u8 pic_icw_after(const struct pic *p, u32 c, u8 n)
{
	u8 icw1 = p->icw[c][0];

	if (n == 2 && !(icw1 & ICW1_SNGL))
		return 3;
	if (n <= 3 && (icw1 & ICW1_IC4))
		return 4;
	return 0;
}

bool pic_io(struct vm *vm, u16 port, bool in, u32 *val)
{
	struct pic *p = &vm->pic;
	u8 v = (u8)*val;
	u32 c;

	if (port == PIC_ELCR || port == PIC_ELCR + 1) {
		c = port - PIC_ELCR;
		if (in)
			*val = p->elcr[c];
		else
			p->elcr[c] = v & pic_elcr_bits[c];
		return true;
	}
	if ((port & ~1u) == PIC_MASTER)
		c = 0;
	else if ((port & ~1u) == PIC_SLAVE)
		c = 1;
	else
		return false;

	if (in) {
		/* The odd port reads the mask; the even one IRR or ISR: 0. */
		*val = (port & 1) ? p->imr[c] : 0;
		return true;
	}
	if (!(port & 1)) {
		if (v & ICW1) {
			p->icw[c][0] = v;
			p->icw_next[c] = 2;
			p->imr[c] = 0;
		}
		/* OCW2 (EOIs, rotation) and OCW3 (which register to read,
		 * polling): nothing is ever pending, so nothing to keep. */
		return true;
	}
	if (p->icw_next[c]) {
		u8 n = p->icw_next[c];

		p->icw[c][n - 1] = v;
		p->icw_next[c] = pic_icw_after(p, c, n);
		return true;
	}
	p->imr[c] = v;
	return true;
}
