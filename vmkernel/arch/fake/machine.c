// SPDX-License-Identifier: GPL-2.0
/*
 * Host implementation of what kernel/ asks of the machine (vmk/machine.h),
 * so that the log and the vmkcall dispatcher run in unit tests.  Every
 * figure is a variable the test sets, the console's memory is whatever
 * fake_guest_ptr_hook says it is, and the serial port is a buffer.
 */
#include <string.h>
#include <sys/mman.h>

#include <vmk/arch.h>
#include <vmk/errno.h>
#include <vmk/log.h>
#include <vmk/machine.h>
#include <vmk/module.h>

#include "fake.h"

void *(*fake_guest_ptr_hook)(u64 gpa, u64 len, int *err);
u32 fake_ncpus = 1;
struct vmk_cpu_stats fake_cpu_stats[VMK_MAX_CPUS];
u64 fake_leave_requests;
u64 fake_floor_calls;
char fake_serial[FAKE_SERIAL_SIZE];
size_t fake_serial_len;

void *arch_guest_ptr(u64 gpa, u64 len, int *err)
{
	/* With no hook, the console has no memory the vmkernel may touch. */
	if (!fake_guest_ptr_hook) {
		*err = -EFAULT;
		return NULL;
	}
	return fake_guest_ptr_hook(gpa, len, err);
}

u32 arch_ncpus(void)
{
	return fake_ncpus;
}

void arch_fill_info(struct vmk_info *info)
{
	memset(info, 0, sizeof(*info));
	info->call_version = VMK_CALL_VERSION;
	info->abi_version = VMK_ABI_VERSION;
	strncpy(info->version, "fake", sizeof(info->version) - 1);
	info->uptime_ns = arch_uptime_ns();
	info->ncpus = fake_ncpus;
	info->ncpus_running = fake_ncpus;
	info->log_head = log_head();
	info->paging_levels = 4;
}

int arch_cpu_stats(u32 index, struct vmk_cpu_stats *st)
{
	if (index >= fake_ncpus)
		return -EINVAL;
	*st = fake_cpu_stats[index];
	st->index = index;
	return 0;
}

void arch_request_leave(void)
{
	fake_leave_requests++;
}

u64 arch_image_checksum(void)
{
	return 0x5eed5eed5eed5eedULL;
}

/* Sample i is i + 1 cycles, so a test can see every sample was written. */
s64 arch_floor(u64 count, u64 *samples)
{
	fake_floor_calls++;
	for (u64 i = 0; i < count; i++)
		samples[i] = i + 1;
	return (s64)count;
}

u64 arch_uptime_ns(void)
{
	return arch_now_ns();
}

void arch_serial_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++, fake_serial_len++)
		if (fake_serial_len < sizeof(fake_serial))
			fake_serial[fake_serial_len] = s[i];
}

/* Module pages get the protection they would have in the vmkernel, from
 * the host's MMU, so that host tests run module code as the vmkernel
 * would: text executable and read-only, the rest not executable. */
u64 fake_module_protects;

/* The protection each module page was given, as a page table would
 * hold it; pages never given one read as MODULE_PROT_REGION. */
#define FAKE_PROT_PAGES	4096
static struct { u64 va; int prot; } fake_prot[FAKE_PROT_PAGES];

static void fake_prot_set(u64 va, enum module_prot prot)
{
	u32 free_at = FAKE_PROT_PAGES;

	for (u32 i = 0; i < FAKE_PROT_PAGES; i++) {
		if (fake_prot[i].va == va) {
			fake_prot[i].prot = (int)prot;
			return;
		}
		if (!fake_prot[i].va && free_at == FAKE_PROT_PAGES)
			free_at = i;
	}
	if (free_at < FAKE_PROT_PAGES)
		fake_prot[free_at].va = va, fake_prot[free_at].prot = (int)prot;
}

static int fake_prot_get(u64 va)
{
	for (u32 i = 0; i < FAKE_PROT_PAGES; i++)
		if (fake_prot[i].va == va)
			return fake_prot[i].prot;
	return MODULE_PROT_REGION;
}

int arch_module_protect(void *va, u64 size, enum module_prot prot)
{
	static const int host_prot[] = {
		[MODULE_PROT_RX] = PROT_READ | PROT_EXEC,
		[MODULE_PROT_R] = PROT_READ,
		[MODULE_PROT_RW] = PROT_READ | PROT_WRITE,
		[MODULE_PROT_REGION] = PROT_READ | PROT_WRITE,
	};

	if ((u64)va % PAGE_SIZE || size % PAGE_SIZE || (u32)prot > MODULE_PROT_REGION)
		return -EINVAL;
	if (mprotect(va, size, host_prot[prot]))
		return -EFAULT;
	fake_module_protects++;
	for (u64 off = 0; off < size; off += PAGE_SIZE)
		fake_prot_set((u64)va + off, prot);
	return 0;
}

bool arch_module_prot_is(void *va, u64 size, enum module_prot prot)
{
	for (u64 off = 0; off < size; off += PAGE_SIZE)
		if (fake_prot_get((u64)va + off) != (int)prot)
			return false;
	return true;
}
