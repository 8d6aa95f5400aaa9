/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vmkernel's memory: the reserved region, less the image at its
 * start, is one page arena (core/page.c), and each subsystem allocates
 * from its own named heap on it (core/heap.c), as in ESX, so that what
 * each one uses is visible by name in /proc/vmware/mem.
 */
#ifndef VMK_MEM_H
#define VMK_MEM_H

#include <vmk/types.h>
#include <vmk/heap.h>
#include <vmk/page.h>
#include "vmnix_abi.h"

enum mem_heap_id {
	MEM_HEAP_MACHINE,	/* the machine layer: page tables, stacks,
				 * control blocks of the CPUs */
	MEM_HEAP_WORLD,		/* world records and groups */
	MEM_HEAP_KERNEL,	/* everything else the kernel keeps */
	MEM_HEAP_MODULE,	/* loaded modules: their code, data and heap */
	MEM_HEAP_VMM,		/* VMs' control structures: VCPUs, stacks,
				 * VMCBs, nested page tables, serial rings */
	MEM_HEAPS
};

/*
 * Takes over [region_pa, region_pa + region_size), mapped at region_va,
 * whose first image_size bytes hold the image, and creates the heaps.
 * -ENOMEM if the rest cannot hold the allocator's own metadata.
 */
int mem_init(paddr_t region_pa, u64 region_size, void *region_va,
	     u64 image_size);
struct heap *mem_heap(enum mem_heap_id id);
struct page_arena *mem_arena(void);
/* Whether p lies in the image, and then its offset from the start. */
bool mem_in_image(const void *p, u64 *off);
/* Bytes of the region in use: the image, the allocator's metadata and
 * every page handed out. */
u64 mem_used(void);
u64 mem_total(void);
/* The region and every heap, as /proc/vmware/mem shows them. */
void mem_info(struct vmk_mem_info *out);

#endif
