/* SPDX-License-Identifier: GPL-2.0 */
/* The few string and memory routines the freestanding vmkernel needs
 * (lib/string.c); the host build uses the C library's. */
#ifndef VMK_STRING_H
#define VMK_STRING_H

#include <vmk/types.h>

void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
/* Copies at most size-1 bytes and always terminates; returns strlen(src). */
size_t strlcpy(char *d, const char *s, size_t size);

#endif
