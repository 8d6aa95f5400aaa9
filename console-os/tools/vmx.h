/* SPDX-License-Identifier: GPL-2.0 */
/*
 * .vmx files: the text description of a virtual machine, in ESX's
 * manner, read by vmware-cmd.  One `key = "value"` a line (the quotes may
 * be left out of a value without blanks), `#` starts a comment, keys are
 * case-insensitive, blank lines and blanks around `=` are ignored.  A key
 * given twice is refused (which one was meant is not guessed); an unknown
 * key is warned about and ignored, so files written for ESX still load.
 *
 *   displayName          the VM's name, unique (default: the file's name
 *                        without .vmx)
 *   memsize              MB of RAM, 1 .. 3072 (required)
 *   numvcpus             1 .. 8 (default 1)
 *   sched.cpu.shares     1 .. 1000000, or low / normal / high: 500 / 1000
 *                        / 2000 per VCPU (default normal)
 *   sched.cpu.min        reservation, percent of one CPU ("25" or "25%")
 *   sched.cpu.max        limit, percent of one CPU (0 or absent: none)
 *   sched.cpu.affinity   vmkernel CPU indexes ("1,3", "1-3") or all
 *   kernel               a multiboot ELF kernel or a Linux bzImage
 *                        (required; a relative path is relative to the
 *                        .vmx file's directory)
 *   kernel.module        a multiboot kernel's one module (default: an
 *                        environment module "NR_CPUS=<numvcpus>", as
 *                        kvm-unit-tests expect)
 *   kernel.initrd        a Linux kernel's initrd
 *   kernel.cmdline       its command line
 */
#ifndef VMKX_TOOLS_VMX_H
#define VMKX_TOOLS_VMX_H

#include <stddef.h>
#include <stdio.h>

#include "vmnix_abi.h"

#define VMX_PATH_MAX		1024
#define VMX_CMDLINE_MAX		4096
#define VMX_SIZE_MAX		(64 * 1024)	/* a .vmx file is small */

struct vmx {
	char path[VMX_PATH_MAX];	/* the file, as given */
	char name[VMK_VM_NAME_LEN];
	vmk_u32 memsize_mb;
	vmk_u32 nvcpus;
	vmk_u32 shares;			/* resolved for the VM's VCPUs */
	vmk_u32 min_pct, max_pct;
	vmk_u64 affinity;		/* 0: any */
	char kernel[VMX_PATH_MAX];	/* resolved against the file's directory */
	char module[VMX_PATH_MAX];	/* "" if none */
	char initrd[VMX_PATH_MAX];	/* "" if none */
	char cmdline[VMX_CMDLINE_MAX + 1];
};

/*
 * Parses len bytes of text read from path.  Returns 0 and fills *out, or
 * -1 with one line in err naming the file, the line and the key.
 * Warnings (unknown keys) go to warn if it is not NULL.  Does not look at
 * the files it names.
 */
int vmx_parse(const char *path, const char *text, size_t len, struct vmx *out,
	      FILE *warn, char *err, size_t errlen);

/* Reads and parses path (no warnings, no look at the files it names). */
int vmx_parse_file(const char *path, struct vmx *out, char *err, size_t errlen);

/* Reads and parses path, then checks that the kernel, the module and the
 * initrd can be read: -1 with a one-line reason if not. */
int vmx_load(const char *path, struct vmx *out, FILE *warn, char *err, size_t errlen);

/* The VM_CREATE configuration of a parsed file. */
void vmx_config(const struct vmx *v, struct vmk_vm_config *c);

/* A displayName as accepted in a .vmx file: 0 if valid. */
int vmx_name_ok(const char *name);

#endif
