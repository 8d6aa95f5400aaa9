// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-virtual to guest-physical translation through the guest's own
 * page tables, for the instruction decoder (the hardware gives no decode
 * assists, so the VMM fetches the faulting instruction itself).  Every
 * paging mode a guest may be in: none (protected or real mode), 32-bit
 * (4 KiB and, with CR4.PSE, 4 MiB pages, PSE-36 included), PAE (4 KiB and
 * 2 MiB), and long mode with 4 or 5 levels (4 KiB, 2 MiB, 1 GiB).
 *
 * Only presence is checked, and accessed and dirty bits are left alone:
 * the walk serves fetching an instruction the guest was executing when
 * it faulted, so its own MMU already allowed it.  Table entries are read
 * through vm_guest_ptr(), so a table outside the VM's RAM is an error,
 * never a read of another page.
 */
#include <vmk/errno.h>

#include "vmm.h"

#define CR0_PG		(1ULL << 31)
#define CR4_PSE		(1ULL << 4)
#define CR4_PAE		(1ULL << 5)
#define CR4_LA57	(1ULL << 12)
#define EFER_LMA	(1ULL << 10)

#define PTE_P		(1ULL << 0)
#define PTE_PS		(1ULL << 7)
#define PTE_ADDR	0x000ffffffffff000ULL

static int guestmem_read(struct vm *vm, u64 gpa, u32 size, u64 *val)
{
	void *p = vm_guest_ptr(vm, gpa, size);

	if (!p)
		return -EFAULT;
	*val = size == 4 ? READ_ONCE(*(u32 *)p) : READ_ONCE(*(u64 *)p);
	return 0;
}

/* 32-bit paging: a page directory of 1024 4-byte entries. */
static int guestmem_walk32(struct vm *vm, u64 cr3, u64 cr4, u32 gva, u64 *gpa)
{
	u64 pde, pte;

	if (guestmem_read(vm, (cr3 & 0xfffff000) + (gva >> 22) * 4, 4, &pde) ||
	    !(pde & PTE_P))
		return -EFAULT;
	if ((pde & PTE_PS) && (cr4 & CR4_PSE)) {
		/* PSE-36: bits 13-20 of the entry are bits 32-39 of the page. */
		*gpa = (pde & 0xffc00000) | ((pde >> 13) & 0xff) << 32 |
		       (gva & 0x3fffff);
		return 0;
	}
	if (guestmem_read(vm, (pde & 0xfffff000) + ((gva >> 12) & 0x3ff) * 4, 4, &pte) ||
	    !(pte & PTE_P))
		return -EFAULT;
	*gpa = (pte & 0xfffff000) | (gva & 0xfff);
	return 0;
}

/*
 * 64-bit entries, from table at level `level` down (4 = PML4, 3 = PDPT,
 * 2 = PD, 1 = PT; 5 = PML5).  Large pages at levels 3 and 2.
 */
static int guestmem_walk64(struct vm *vm, u64 table, int level, u64 gva, u64 *gpa)
{
	for (; level >= 1; level--) {
		u32 shift = 12 + 9 * (level - 1);
		u64 e;

		if (guestmem_read(vm, table + ((gva >> shift) & 0x1ff) * 8, 8, &e) ||
		    !(e & PTE_P))
			return -EFAULT;
		if (level == 1 || ((level == 2 || level == 3) && (e & PTE_PS))) {
			u64 mask = (1ULL << shift) - 1;

			*gpa = (e & PTE_ADDR & ~mask) | (gva & mask);
			return 0;
		}
		table = e & PTE_ADDR;
	}
	return -EFAULT;
}

int vmm_gva_to_gpa(struct vcpu *v, u64 gva, u64 *gpa)
{
	struct vcpu_sregs s;
	u64 pdpte;

	virt_vcpu_get_sregs(v, &s);
	if (!(s.cr0 & CR0_PG)) {
		*gpa = gva & 0xffffffff;
		return 0;
	}
	if (s.efer & EFER_LMA) {
		u32 bits = s.cr4 & CR4_LA57 ? 57 : 48;
		s64 sx = (s64)(gva << (64 - bits)) >> (64 - bits);

		if ((u64)sx != gva)		/* not canonical */
			return -EFAULT;
		return guestmem_walk64(v->vm, s.cr3 & PTE_ADDR,
				       s.cr4 & CR4_LA57 ? 5 : 4, gva, gpa);
	}
	gva &= 0xffffffff;
	if (!(s.cr4 & CR4_PAE))
		return guestmem_walk32(v->vm, s.cr3, s.cr4, (u32)gva, gpa);
	/* PAE: four PDPTEs at CR3 (32-byte aligned), then a 2-level walk. */
	if (guestmem_read(v->vm, (s.cr3 & 0xffffffe0) + (gva >> 30) * 8, 8, &pdpte) ||
	    !(pdpte & PTE_P))
		return -EFAULT;
	return guestmem_walk64(v->vm, pdpte & PTE_ADDR, 2, gva, gpa);
}
