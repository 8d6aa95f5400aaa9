// SPDX-License-Identifier: GPL-2.0
/*
 * The smallest useful module: it serves one vmkcall,
 * VMK_CALL_MODULE_BASE + HELLO_CALL, which answers a0 + a1 and counts
 * how often it was called (a1 = ~0: the count instead).  Its counter
 * lives in the module heap, allocated by init and freed by cleanup, so a
 * load/unload cycle that leaks shows in /proc/vmware/mem.
 */
#include <vmk/module.h>

#define HELLO_CALL	0

static struct spinlock hello_lock = SPINLOCK_INIT("hello", LOCK_RANK_MODULE + 10);
static u64 *hello_calls;

static s64 hello_call(u64 a0, u64 a1, u64 a2, u64 a3)
{
	u64 n;

	(void)a2;
	(void)a3;
	spin_lock(&hello_lock);
	n = ++*hello_calls;
	spin_unlock(&hello_lock);
	if (a1 == ~0ULL)
		return (s64)n;
	return (s64)((a0 + a1) & 0x7fffffffffffffffULL);
}

static int hello_init(void)
{
	int err;

	hello_calls = heap_zalloc(module_heap(), sizeof(*hello_calls));
	if (!hello_calls)
		return -ENOMEM;
	err = module_vmkcall_register(VMK_CALL_MODULE_BASE + HELLO_CALL, hello_call);
	if (err) {
		heap_free(module_heap(), hello_calls);
		return err;
	}
	log_info("hello: serving vmkcall 0x%x", VMK_CALL_MODULE_BASE + HELLO_CALL);
	return 0;
}

static void hello_exit(void)
{
	module_vmkcall_unregister(VMK_CALL_MODULE_BASE + HELLO_CALL, hello_call);
	log_info("hello: %lu calls served", *hello_calls);
	heap_free(module_heap(), hello_calls);
}

VMK_MODULE(hello, "1.0", hello_init, hello_exit);
