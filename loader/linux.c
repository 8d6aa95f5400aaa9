// SPDX-License-Identifier: GPL-2.0
/*
 * The Linux loader of virtual machines: see linux.h.  Every field read
 * from the setup header is checked in 64-bit arithmetic before it is
 * used, so a hostile image gets a one-line refusal, never a read outside
 * the buffer or a write outside the VM's RAM.
 */
#include "linux.h"
#include "fail.h"

#include <inttypes.h>
#include <string.h>

#define PAGE		4096ULL
#define SZ_2M		(2ULL << 20)
#define SZ_1G		(1ULL << 30)
#define PTE_P		0x1ULL
#define PTE_RW		0x2ULL
#define PTE_PS		0x80ULL

int linux_is_bzimage(const void *kernel, size_t ksize)
{
	const unsigned char *f = kernel;

	return ksize >= LINUX_OFF_HEADER + 4 && rd16(f + LINUX_OFF_BOOT_FLAG) == LINUX_BOOT_FLAG &&
	       rd32(f + LINUX_OFF_HEADER) == LINUX_HDRS_MAGIC;
}

/* The setup header's checks, in the order boot.rst introduces the
 * fields; *setup_len is the real-mode part's size in the file. */
static int check_header(const unsigned char *f, size_t size, vmk_u64 *setup_len,
			char *err, size_t errlen)
{
	vmk_u32 version, align, sects;
	vmk_u64 hdr_end;

	if (size < LINUX_OFF_HEADER + 4)
		return fail(err, errlen, "truncated: %zu bytes, shorter than a bzImage's "
			    "setup header", size);
	if (rd16(f + LINUX_OFF_BOOT_FLAG) != LINUX_BOOT_FLAG)
		return fail(err, errlen, "boot flag 0x%04x at 0x1fe: not a bzImage (0xaa55)",
			    rd16(f + LINUX_OFF_BOOT_FLAG));
	if (rd32(f + LINUX_OFF_HEADER) != LINUX_HDRS_MAGIC)
		return fail(err, errlen, "no \"HdrS\" at 0x202: not a bzImage, or one older "
			    "than boot protocol 2.00");
	if (size < LINUX_HEADER_MIN_END)
		return fail(err, errlen, "truncated: %zu bytes, shorter than the setup header "
			    "up to init_size (0x%x)", size, LINUX_HEADER_MIN_END);
	version = rd16(f + LINUX_OFF_VERSION);
	if (version < LINUX_PROTOCOL_MIN)
		return fail(err, errlen, "boot protocol %u.%02u: at least 2.12 is needed for "
			    "the 64-bit entry", version >> 8, version & 0xff);
	hdr_end = 0x202ULL + f[LINUX_OFF_JUMP + 1];
	if (hdr_end < LINUX_HEADER_MIN_END)
		return fail(err, errlen, "setup header ends at 0x%" PRIx64 " (jump byte 0x%02x):"
			    " before init_size at 0x%x", hdr_end, f[LINUX_OFF_JUMP + 1],
			    LINUX_OFF_INIT_SIZE);
	sects = f[LINUX_OFF_SETUP_SECTS] ? f[LINUX_OFF_SETUP_SECTS] : 4;
	*setup_len = (sects + 1ULL) * 512;
	if (hdr_end > *setup_len)
		return fail(err, errlen, "setup header ends at 0x%" PRIx64 ", beyond the %u "
			    "setup sectors", hdr_end, sects);
	if (*setup_len >= size)
		return fail(err, errlen, "truncated: %u setup sectors (0x%" PRIx64 " bytes) leave "
			    "no protected-mode kernel in the file's %zu bytes", sects,
			    *setup_len, size);
	if ((vmk_u64)rd32(f + LINUX_OFF_SYSSIZE) * 16 > size - *setup_len)
		return fail(err, errlen, "truncated: syssize says 0x%" PRIx64 " bytes of "
			    "protected-mode kernel, the file has 0x%" PRIx64,
			    (vmk_u64)rd32(f + LINUX_OFF_SYSSIZE) * 16, size - *setup_len);
	if (!(f[LINUX_OFF_LOADFLAGS] & LINUX_LOADED_HIGH))
		return fail(err, errlen, "loadflags 0x%02x: a zImage loaded at 0x10000 "
			    "(LOADED_HIGH clear) is not supported", f[LINUX_OFF_LOADFLAGS]);
	if (!(rd16(f + LINUX_OFF_XLOADFLAGS) & LINUX_XLF_KERNEL_64))
		return fail(err, errlen, "xloadflags 0x%04x: no 64-bit entry (XLF_KERNEL_64); "
			    "a 32-bit kernel cannot run here", rd16(f + LINUX_OFF_XLOADFLAGS));
	if (!f[LINUX_OFF_RELOCATABLE])
		return fail(err, errlen, "the kernel is not relocatable (relocatable_kernel 0)");
	align = rd32(f + LINUX_OFF_KERNEL_ALIGN);
	if (align < PAGE || align > SZ_1G || (align & (align - 1)))
		return fail(err, errlen, "kernel_alignment 0x%x: a power of two from 4 KiB to "
			    "1 GiB expected", align);
	if (rd32(f + LINUX_OFF_INIT_SIZE) == 0)
		return fail(err, errlen, "init_size 0: the kernel says nothing of the memory "
			    "it needs");
	return 0;
}

/* The 64-bit GDT and the identity map of the first 4 GiB in 2 MiB
 * pages, as they lie from LINUX_GDT_GPA on. */
static void build_low(struct linux_load *out)
{
	unsigned char *gdt = out->low;
	unsigned char *pml4 = out->low + (LINUX_PML4_GPA - LINUX_GDT_GPA);
	unsigned char *pdpt = pml4 + PAGE;
	unsigned char *pd = pdpt + PAGE;

	wr64(gdt + 0x10, 0x00af9b000000ffffULL);	/* code: L, P, DPL 0, G */
	wr64(gdt + 0x18, 0x00cf93000000ffffULL);	/* data: 4 GiB, read/write */
	wr64(pml4, (LINUX_PML4_GPA + PAGE) | PTE_P | PTE_RW);
	for (unsigned int i = 0; i < 4; i++) {
		wr64(pdpt + 8 * i, (LINUX_PML4_GPA + (2 + i) * PAGE) | PTE_P | PTE_RW);
		for (unsigned int j = 0; j < 512; j++)
			wr64(pd + i * PAGE + 8 * j,
			     (i * SZ_1G + j * SZ_2M) | PTE_P | PTE_RW | PTE_PS);
	}
	out->boot.gdt_base = LINUX_GDT_GPA;
	out->boot.gdt_limit = 4 * 8 - 1;
	out->boot.cr3 = LINUX_PML4_GPA;
}

static unsigned char sum8(const unsigned char *p, size_t len)
{
	unsigned char s = 0;

	while (len--)
		s = (unsigned char)(s + *p++);
	return s;
}

/*
 * The MP table: the floating pointer at LINUX_BIOS_GPA, the
 * configuration table after it.  One processor per VCPU (APIC IDs from
 * 0, the boot processor 0), one ISA bus, one I/O APIC whose ID follows
 * the CPUs', the ISA IRQs on its pins (IRQ 0 on pin 2, as on PCs whose
 * timer is rerouted; IRQ 2, the 8259 cascade, has no entry), and the
 * local APICs' LINT0 as ExtINT and LINT1 as NMI.
 */
static void build_mp(struct linux_load *out, unsigned int nvcpus)
{
	unsigned char *fp = out->mp, *ct = out->mp + 16, *e = ct + 44;
	vmk_u16 count = 0;

	for (unsigned int i = 0; i < nvcpus; i++, count++, e += 20) {
		e[0] = 0;				/* processor */
		e[1] = (unsigned char)i;
		e[2] = LINUX_MP_LAPIC_VERSION;
		e[3] = 1 | (i == 0 ? 2 : 0);		/* enabled, bootstrap */
	}
	e[0] = 1;					/* bus 0: ISA */
	memcpy(e + 2, "ISA   ", 6);
	e += 8;
	count++;
	e[0] = 2;					/* the I/O APIC */
	e[1] = (unsigned char)nvcpus;
	e[2] = LINUX_MP_IOAPIC_VERSION;
	e[3] = 1;
	wr32(e + 4, LINUX_MP_IOAPIC_GPA);
	e += 8;
	count++;
	for (unsigned int irq = 0; irq < 16; irq++) {
		if (irq == 2)
			continue;
		e[0] = 3;				/* I/O interrupt */
		e[1] = 0;				/* INT; flags 0: as the bus says */
		e[4] = 0;
		e[5] = (unsigned char)irq;
		e[6] = (unsigned char)nvcpus;
		e[7] = (unsigned char)(irq == 0 ? 2 : irq);
		e += 8;
		count++;
	}
	for (unsigned int lint = 0; lint < 2; lint++) {
		e[0] = 4;				/* local interrupt */
		e[1] = lint ? 1 : 3;			/* NMI, ExtINT */
		e[5] = 0;
		e[6] = 0xff;				/* every local APIC */
		e[7] = (unsigned char)lint;
		e += 8;
		count++;
	}
	memcpy(ct, "PCMP", 4);
	wr16(ct + 4, (vmk_u16)(e - ct));
	ct[6] = 4;					/* specification 1.4 */
	memcpy(ct + 8, "VMKX    ", 8);
	memcpy(ct + 16, "VMKX VM     ", 12);
	wr16(ct + 34, count);
	wr32(ct + 36, LINUX_MP_LAPIC_GPA);
	ct[7] = (unsigned char)-sum8(ct, (size_t)(e - ct));

	memcpy(fp, "_MP_", 4);
	wr32(fp + 4, (vmk_u32)LINUX_BIOS_GPA + 16);
	fp[8] = 1;					/* 16 bytes */
	fp[9] = 4;
	fp[10] = (unsigned char)-sum8(fp, 16);
}

int linux_layout(const void *kernel, size_t ksize, const char *cmdline,
		 const void *initrd, size_t isize, vmk_u64 mem_bytes,
		 unsigned int nvcpus, vmk_u64 rtc_epoch, struct linux_load *out,
		 char *err, size_t errlen)
{
	const unsigned char *f = kernel;
	unsigned char *bp = out->params;
	struct linux_e820 map[3];
	vmk_u64 setup_len = 0, align, load, clen, cmax, top;

	if (err && errlen)
		err[0] = '\0';
	memset(out, 0, sizeof(*out));
	if (!cmdline)
		cmdline = "";
	if (nvcpus < 1 || nvcpus > VMK_VM_VCPUS_MAX)
		return fail(err, errlen, "%u VCPUs: 1 to %d", nvcpus, VMK_VM_VCPUS_MAX);
	if (mem_bytes < LINUX_MEM_MIN || mem_bytes > ((vmk_u64)VMK_VM_MEM_MAX_MB << 20))
		return fail(err, errlen, "%" PRIu64 " MiB of RAM: a Linux VM needs %llu to %d",
			    mem_bytes >> 20, LINUX_MEM_MIN >> 20, VMK_VM_MEM_MAX_MB);
	if (initrd && isize == 0)
		return fail(err, errlen, "the initrd is empty");
	if (check_header(f, ksize, &setup_len, err, errlen))
		return -1;

	clen = strlen(cmdline);
	cmax = rd32(f + LINUX_OFF_CMDLINE_SIZE);
	if (cmax > LINUX_CMDLINE_MAX)
		cmax = LINUX_CMDLINE_MAX;
	if (clen > cmax)
		return fail(err, errlen, "command line of %" PRIu64 " bytes: this kernel takes "
			    "at most %" PRIu64, clen, cmax);

	/* The kernel at its preferred address, or the next aligned one at
	 * or above 1 MiB. */
	align = rd32(f + LINUX_OFF_KERNEL_ALIGN);
	load = rd64(f + LINUX_OFF_PREF_ADDRESS);
	if (load < LINUX_HIGH_START)
		load = LINUX_HIGH_START;
	if (load > mem_bytes)
		load = mem_bytes;
	load = (load + align - 1) & ~(align - 1);
	out->kernel_gpa = load;
	out->kernel_len = ksize - setup_len;
	out->init_size = rd32(f + LINUX_OFF_INIT_SIZE);
	if (out->init_size < out->kernel_len)
		return fail(err, errlen, "init_size 0x%" PRIx64 " is smaller than the 0x%" PRIx64
			    " bytes of protected-mode kernel", out->init_size, out->kernel_len);
	if (load + out->init_size > mem_bytes)
		return fail(err, errlen, "the kernel needs 0x%" PRIx64 "..0x%" PRIx64
			    " (init_size %" PRIu64 " MiB at 0x%" PRIx64 "): beyond the VM's RAM "
			    "(%" PRIu64 " MiB)", load, load + out->init_size,
			    out->init_size >> 20, load, mem_bytes >> 20);

	/* The initrd as high as it may go, page aligned. */
	if (initrd) {
		top = (vmk_u64)rd32(f + LINUX_OFF_INITRD_MAX) + 1;
		if (top > mem_bytes)
			top = mem_bytes;
		if (isize > top || ((top - isize) & ~(PAGE - 1)) < load + out->init_size)
			return fail(err, errlen, "the initrd of %zu KiB does not fit between the "
				    "kernel's end at 0x%" PRIx64 " and 0x%" PRIx64 " (the VM's RAM "
				    "or initrd_addr_max)", isize >> 10, load + out->init_size, top);
		out->initrd_gpa = (top - isize) & ~(PAGE - 1);
		out->initrd_len = isize;
	}

	/* The zero page: the file's setup header, then what the loader
	 * tells the kernel. */
	memcpy(bp + LINUX_OFF_SETUP_SECTS, f + LINUX_OFF_SETUP_SECTS,
	       0x202U + f[LINUX_OFF_JUMP + 1] - LINUX_OFF_SETUP_SECTS);
	bp[LINUX_OFF_TYPE_OF_LOADER] = LINUX_TYPE_UNDEFINED;
	wr32(bp + LINUX_OFF_CODE32_START, (vmk_u32)load);
	wr32(bp + LINUX_OFF_CMD_LINE_PTR, (vmk_u32)LINUX_CMDLINE_GPA);
	wr32(bp + LINUX_OFF_RAMDISK_IMAGE, (vmk_u32)out->initrd_gpa);
	wr32(bp + LINUX_OFF_RAMDISK_SIZE, (vmk_u32)out->initrd_len);
	map[0] = (struct linux_e820){ 0, LINUX_LOW_END, LINUX_E820_RAM };
	map[1] = (struct linux_e820){ LINUX_LOW_END, LINUX_HIGH_START - LINUX_LOW_END,
				      LINUX_E820_RESERVED };
	map[2] = (struct linux_e820){ LINUX_HIGH_START, mem_bytes - LINUX_HIGH_START,
				      LINUX_E820_RAM };
	memcpy(bp + LINUX_OFF_E820_TABLE, map, sizeof(map));
	bp[LINUX_OFF_E820_ENTRIES] = 3;
	memcpy(out->cmdline, cmdline, clen + 1);

	build_low(out);
	build_mp(out, nvcpus);

	vm_write_add(out->writes, &out->nwrites, LINUX_GDT_GPA, out->low, sizeof(out->low));
	vm_write_add(out->writes, &out->nwrites, LINUX_PARAMS_GPA, out->params, sizeof(out->params));
	vm_write_add(out->writes, &out->nwrites, LINUX_CMDLINE_GPA, out->cmdline, clen + 1);
	vm_write_add(out->writes, &out->nwrites, LINUX_BIOS_GPA, out->mp, rd16(out->mp + 16 + 4) + 16);
	vm_write_add(out->writes, &out->nwrites, load, f + setup_len, out->kernel_len);
	if (initrd)
		vm_write_add(out->writes, &out->nwrites, out->initrd_gpa, initrd, isize);

	out->boot.mode = VMK_VM_BOOT_LONG64;
	out->boot.rip = load + LINUX_ENTRY64_OFFSET;
	out->boot.rsi = LINUX_PARAMS_GPA;
	out->boot.rtc_epoch = rtc_epoch;
	return 0;
}
