/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The multiboot v1 loader of virtual machines, run by vmware-cmd on the
 * console: it checks an ELF32 i386 kernel carrying a multiboot header,
 * lays it out in the guest's RAM with its command line, one module and
 * the multiboot information block, and says what to write where and how
 * the boot VCPU starts.  This is the convention kvm-unit-tests' x86 tests
 * use, so they run in a VM unchanged.
 *
 * Pure logic without I/O or allocation: vmware-cmd turns the writes into
 * VMK_CALL_VM_WRITE calls, the unit tests read them back.
 *
 * Guest-physical layout, each part page aligned:
 *
 *   1 MiB ..            the kernel's PT_LOAD segments, at their p_paddr
 *   kernel end ..       the information block: struct multiboot_info,
 *                       the memory map, the module list, the command line
 *                       and the module's name
 *   then                the module's bytes
 *
 * Nothing is written for a segment's bss (p_memsz beyond p_filesz): a
 * VM's RAM is zero after VM_CREATE and after VM_RESET.
 */
#ifndef VMKX_LOADER_MULTIBOOT_H
#define VMKX_LOADER_MULTIBOOT_H

#include <stddef.h>

#include "vmnix_abi.h"
#include "vmwrite.h"

#define MULTIBOOT_HEADER_MAGIC		0x1BADB002U
#define MULTIBOOT_BOOT_MAGIC		0x2BADB002U	/* EAX at entry */
#define MULTIBOOT_SEARCH		8192		/* the header lies in these bytes */

/* Header flags (the kernel's requests). */
#define MULTIBOOT_PAGE_ALIGN		(1U << 0)	/* modules page aligned */
#define MULTIBOOT_MEMORY_INFO		(1U << 1)	/* mem_* and the memory map */
#define MULTIBOOT_VIDEO_MODE		(1U << 2)	/* a graphics mode: refused */
#define MULTIBOOT_AOUT_KLUDGE		(1U << 16)	/* load addresses in the header: refused */

/* Information flags (what the loader gives). */
#define MULTIBOOT_INFO_MEMORY		(1U << 0)
#define MULTIBOOT_INFO_CMDLINE		(1U << 2)
#define MULTIBOOT_INFO_MODS		(1U << 3)
#define MULTIBOOT_INFO_MMAP		(1U << 6)

/* The layout the multiboot v1 specification fixes. */
struct multiboot_info {
	vmk_u32 flags;
	vmk_u32 mem_lower, mem_upper;	/* KiB below 640 KiB, KiB above 1 MiB */
	vmk_u32 boot_device;
	vmk_u32 cmdline;
	vmk_u32 mods_count, mods_addr;
	vmk_u32 syms[4];
	vmk_u32 mmap_length, mmap_addr;
	vmk_u32 drives_length, drives_addr;
	vmk_u32 config_table;
	vmk_u32 boot_loader_name;
	vmk_u32 apm_table;
	vmk_u32 vbe[6];
} __attribute__((packed));

struct multiboot_module {
	vmk_u32 mod_start, mod_end;
	vmk_u32 string;
	vmk_u32 reserved;
} __attribute__((packed));

/* One memory map entry: size counts the bytes after itself (20). */
struct multiboot_mmap {
	vmk_u32 size;
	vmk_u64 addr, len;
	vmk_u32 type;			/* 1: RAM */
} __attribute__((packed));

#define MULTIBOOT_LOW_END	0x9fc00U	/* conventional memory the guest gets */
#define MULTIBOOT_LOAD_MIN	0x100000U	/* segments start at 1 MiB or above */
#define MULTIBOOT_CMDLINE_MAX	4096		/* bytes, without the NUL */
#define MULTIBOOT_NAME_MAX	256		/* the module's name, without the NUL */
#define MULTIBOOT_MAX_PHDRS	64
#define MULTIBOOT_MAX_WRITES	(MULTIBOOT_MAX_PHDRS + 2)
#define MULTIBOOT_INFO_AREA	(2 * 4096)	/* room for the information block */

struct multiboot_load {
	struct vmk_vm_boot boot;	/* PROT32, rip = entry, rax, rbx = info */
	vmk_u64 kernel_start, kernel_end;	/* guest-physical, of the segments */
	vmk_u64 info_gpa;
	vmk_u64 module_gpa;		/* 0 without a module */
	vmk_u64 end;			/* first byte after everything placed */
	unsigned int nwrites;
	struct vm_write writes[MULTIBOOT_MAX_WRITES];
	/* The information block as the guest sees it; writes point in here. */
	unsigned char info[MULTIBOOT_INFO_AREA] __attribute__((aligned(8)));
};

/*
 * Lays out kernel (ksize bytes) for a VM of mem_bytes of RAM, with
 * cmdline (NULL: none) and a module (msize bytes, NULL: none) named
 * module_name (NULL: "module").  Returns 0 and fills *out, whose writes
 * point into kernel, module and out->info, or -1 with one line saying
 * why in err (errlen bytes, always NUL-terminated when errlen > 0).
 */
int multiboot_layout(const void *kernel, size_t ksize, const char *cmdline,
		     const void *module, size_t msize, const char *module_name,
		     vmk_u64 mem_bytes, struct multiboot_load *out,
		     char *err, size_t errlen);

#endif
