/* SPDX-License-Identifier: GPL-2.0 */
/* Included first in every vmkernel file: all symbols are local to the
 * image, so the position-independent code reaches them RIP-relative and
 * not through a GOT. */
#pragma GCC visibility push(hidden)
