// SPDX-License-Identifier: GPL-2.0
/*
 * A module of a chosen size (SIZE_KB of read-only data), for timing
 * loads by size: built once per size as sized<SIZE_KB>.o.
 */
#include <vmk/module.h>

__attribute__((used)) static const u8 sized_blob[SIZE_KB * 1024] = { 1, [SIZE_KB * 1024 - 1] = 2 };

static int sized_init(void)
{
	/* Read through volatile: the data must be in the module, not folded. */
	const volatile u8 *b = sized_blob;

	return b[0] == 1 && b[sizeof(sized_blob) - 1] == 2 ? 0 : -EINVAL;
}

#define SIZED_MODULE(n) VMK_MODULE(n, "1.0", sized_init, NULL)
SIZED_MODULE(SIZED_NAME);
