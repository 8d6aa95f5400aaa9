/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The console's check of a vmkernel module before the vmkernel sees it:
 * modelf_check() (the vmkernel's own checks), then a trial relocation
 * into a scratch buffer at an address inside a made-up vmkernel, so that
 * a module the vmkernel would refuse at relocation is refused here too.
 */
#ifndef LOADER_MODCHECK_H
#define LOADER_MODCHECK_H

#include <stddef.h>
#include <vmk/modelf.h>

/* 0, or a negative errno with m->err saying why. */
int modcheck(struct modelf *m, const void *file, size_t size);

/* Reads a whole file of at most max bytes into a malloc'd buffer; NULL
 * with errno set (EFBIG when it is larger). */
void *modcheck_read_file(const char *path, size_t max, size_t *size);

#endif
