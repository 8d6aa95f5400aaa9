/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Linux loader of virtual machines, run by vmware-cmd on the console:
 * it checks a bzImage (the x86 boot protocol's setup header), lays out
 * its protected-mode kernel, an initrd, the command line and the zero
 * page (struct boot_params) in the guest's RAM, with the platform tables
 * a firmware would leave (the e820 map and an MP table), and says how
 * the boot VCPU starts: in 64-bit mode at the kernel's 64-bit entry, on
 * the loader's identity page tables and GDT, RSI pointing at the zero
 * page, as the 64-bit boot protocol asks.
 *
 * Pure logic without I/O or allocation: vmware-cmd turns the writes into
 * VMK_CALL_VM_WRITE calls, the unit tests read them back.
 *
 * Guest-physical layout:
 *
 *   0x1000              the GDT: null, null, code64 (0x10), data (0x18)
 *   0x2000 .. 0x7fff    the page tables: PML4, PDPT, four directories of
 *                       2 MiB pages mapping the first 4 GiB one to one
 *   0x10000             the zero page (struct boot_params)
 *   0x11000             the command line
 *   0x9fc00 .. 1 MiB    reserved in the e820 map; the MP table at 0xf0000
 *   pref_address        the protected-mode kernel (16 MiB for Debian's),
 *                       init_size bytes reserved for its decompression
 *   top of RAM          the initrd, page aligned, below initrd_addr_max
 *
 * RAM is zero when the loader runs (VM_CREATE, VM_RESET), so nothing is
 * written for what must read as zero.
 */
#ifndef VMKX_LOADER_LINUX_H
#define VMKX_LOADER_LINUX_H

#include <stddef.h>

#include "vmnix_abi.h"
#include "vmwrite.h"

/* Offsets in the bzImage's first sector and in struct boot_params, which
 * share the setup header (Documentation/x86/boot.rst). */
#define LINUX_OFF_E820_ENTRIES	0x1e8
#define LINUX_OFF_SETUP_SECTS	0x1f1
#define LINUX_OFF_SYSSIZE	0x1f4
#define LINUX_OFF_BOOT_FLAG	0x1fe	/* 0xaa55 */
#define LINUX_OFF_JUMP		0x200	/* its second byte: the header's end - 0x202 */
#define LINUX_OFF_HEADER	0x202	/* "HdrS" */
#define LINUX_OFF_VERSION	0x206
#define LINUX_OFF_TYPE_OF_LOADER 0x210
#define LINUX_OFF_LOADFLAGS	0x211
#define LINUX_OFF_CODE32_START	0x214
#define LINUX_OFF_RAMDISK_IMAGE	0x218
#define LINUX_OFF_RAMDISK_SIZE	0x21c
#define LINUX_OFF_CMD_LINE_PTR	0x228
#define LINUX_OFF_INITRD_MAX	0x22c
#define LINUX_OFF_KERNEL_ALIGN	0x230
#define LINUX_OFF_RELOCATABLE	0x234
#define LINUX_OFF_XLOADFLAGS	0x236
#define LINUX_OFF_CMDLINE_SIZE	0x238
#define LINUX_OFF_PREF_ADDRESS	0x258
#define LINUX_OFF_INIT_SIZE	0x260
#define LINUX_OFF_E820_TABLE	0x2d0
#define LINUX_HEADER_MIN_END	0x264	/* through init_size (protocol 2.10) */

#define LINUX_HDRS_MAGIC	0x53726448U	/* "HdrS" */
#define LINUX_BOOT_FLAG		0xaa55
#define LINUX_PROTOCOL_MIN	0x020c		/* 2.12: xloadflags */
#define LINUX_LOADED_HIGH	(1U << 0)	/* loadflags: kernel at 1 MiB or above */
#define LINUX_XLF_KERNEL_64	(1U << 0)	/* xloadflags: a 64-bit entry at +0x200 */
#define LINUX_ENTRY64_OFFSET	0x200
#define LINUX_TYPE_UNDEFINED	0xff		/* type_of_loader: not a registered one */

/* The e820 entry and its kinds. */
struct linux_e820 {
	vmk_u64 addr, size;
	vmk_u32 type;
} __attribute__((packed));
#define LINUX_E820_RAM		1
#define LINUX_E820_RESERVED	2

/* Where things go (see the layout above). */
#define LINUX_GDT_GPA		0x1000ULL
#define LINUX_PML4_GPA		0x2000ULL
#define LINUX_PT_END		0x8000ULL	/* PML4, PDPT, 4 directories */
#define LINUX_PARAMS_GPA	0x10000ULL
#define LINUX_CMDLINE_GPA	0x11000ULL
#define LINUX_CMDLINE_MAX	4095		/* bytes, without the NUL */
#define LINUX_LOW_END		0x9fc00ULL	/* conventional memory the guest gets */
#define LINUX_BIOS_GPA		0xf0000ULL	/* the MP table lies here */
#define LINUX_HIGH_START	0x100000ULL
#define LINUX_MEM_MIN		(16ULL << 20)	/* below this no kernel fits anyway */

/* The MP table (Intel MultiProcessor Specification 1.4). */
#define LINUX_MP_IOAPIC_GPA	0xfec00000U
#define LINUX_MP_LAPIC_GPA	0xfee00000U
#define LINUX_MP_IOAPIC_VERSION	0x11
#define LINUX_MP_IOAPIC_PINS	24
#define LINUX_MP_LAPIC_VERSION	0x14
#define LINUX_MP_AREA		1024		/* room for 8 CPUs' entries and more */

#define LINUX_MAX_WRITES	8

struct linux_load {
	struct vmk_vm_boot boot;	/* LONG64 */
	vmk_u64 kernel_gpa;		/* the protected-mode kernel */
	vmk_u64 kernel_len;		/* its bytes in the file */
	vmk_u64 init_size;		/* what it needs from kernel_gpa on */
	vmk_u64 initrd_gpa, initrd_len;	/* 0 without an initrd */
	unsigned int nwrites;
	struct vm_write writes[LINUX_MAX_WRITES];
	/* What the guest finds besides the files; writes point in here. */
	unsigned char params[4096] __attribute__((aligned(8)));	/* the zero page */
	unsigned char low[LINUX_PT_END - LINUX_GDT_GPA] __attribute__((aligned(8)));
	unsigned char mp[LINUX_MP_AREA] __attribute__((aligned(8)));
	char cmdline[LINUX_CMDLINE_MAX + 1];
};

/*
 * True if the file starts like a bzImage (boot flag and "HdrS"): what
 * vmware-cmd asks to choose between this loader and the multiboot one.
 */
int linux_is_bzimage(const void *kernel, size_t ksize);

/*
 * Lays out kernel (ksize bytes) for a VM of mem_bytes of RAM and nvcpus
 * VCPUs, with cmdline (NULL: none) and an initrd (isize bytes, NULL:
 * none).  rtc_epoch goes into boot.rtc_epoch.  Returns 0 and fills *out,
 * whose writes point into kernel, initrd and out, or -1 with one line
 * saying why in err (errlen bytes, always NUL-terminated when errlen > 0).
 */
int linux_layout(const void *kernel, size_t ksize, const char *cmdline,
		 const void *initrd, size_t isize, vmk_u64 mem_bytes,
		 unsigned int nvcpus, vmk_u64 rtc_epoch, struct linux_load *out,
		 char *err, size_t errlen);

#endif
