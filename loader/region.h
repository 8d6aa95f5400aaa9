/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vmkernel's reserved memory region: where it comes from and whether
 * it is usable.  The console kernel is booted with memmap=SIZE$BASE
 * (Linux marks that range reserved and never touches it); vmkload finds
 * it on the kernel command line or takes it from --mem=SIZE@BASE.
 *
 * Numbers follow the kernel's memparse(): decimal, 0x-prefixed hex or
 * 0-prefixed octal, optionally followed by one of K M G T P E (either
 * case, powers of 1024).  Pure logic without I/O.
 */
#ifndef VMKX_LOADER_REGION_H
#define VMKX_LOADER_REGION_H

#include <stddef.h>

#include "vmnix_abi.h"

/* At most this many memmap=...$... reservations are remembered. */
#define REGION_MAX	16

struct region {
	vmk_u64 base;	/* physical address */
	vmk_u64 size;	/* bytes */
};

/*
 * Parses the number in s[0, len) (all of it) into *out.  Returns 0, or
 * -1 if it is empty, malformed or does not fit 64 bits.
 */
int region_parse_num(const char *s, size_t len, vmk_u64 *out);

/*
 * Collects every reserved ("$") range of every memmap= switch of the
 * command line (len bytes), including comma-separated lists, in order.
 * Other memmap kinds (@ # ! and exactmap) are skipped.  Stores up to max
 * in out and the total found in *count.  Returns 0, or -1 with one line
 * in err for a "$" entry that does not parse.
 */
int region_from_cmdline(const char *line, size_t len, struct region *out,
			unsigned int max, unsigned int *count, char *err,
			size_t errlen);

/*
 * Parses a --mem argument, "SIZE@BASE" (or "SIZE$BASE").  Returns 0, or
 * -1 with one line in err.
 */
int region_parse_mem(const char *arg, struct region *out, char *err,
		     size_t errlen);

/*
 * Checks that a region can hold a vmkernel: non-empty, no wrap-around,
 * base and size multiples of VMK_REGION_ALIGN.  Returns 0, or -1 with
 * one line in err.
 */
int region_check(const struct region *r, char *err, size_t errlen);

/* Formats a size for people: "64 MiB", "1 GiB", or "0x1234 bytes". */
const char *region_size_str(vmk_u64 size, char *buf, size_t len);

#endif
