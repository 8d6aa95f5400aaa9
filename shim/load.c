// SPDX-License-Identifier: GPL-2.0
/*
 * Loading and unloading the vmkernel.
 *
 * Load, in order: claim the reserved region (refusing memory Linux owns),
 * map it executable, copy the image in and check its header again, let
 * the image prepare itself on this CPU (entry_init), then bring every
 * online CPU into it at once under stop_machine: each CPU calls the
 * image's entry_cpu, which returns 0 once the CPU runs Linux as the
 * console world.  If any CPU fails, the CPUs that entered leave again
 * before anyone continues, so every CPU ends exactly as it began, and
 * the error names the CPU.  Unload is the same rendezvous with an UNLOAD
 * vmkcall on each CPU, carrying the key this load drew, so that no other
 * VMMCALL can take a CPU out.  After either, the vmkernel's log is copied out of
 * the region so that what happened can always be read.
 */
#define pr_fmt(fmt) "vmnix: " fmt

#include <linux/delay.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/stop_machine.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/pgtable.h>
#include <asm/processor.h>
#include <asm/tlbflush.h>
#include <asm/tsc.h>
#include "vmnix.h"

typedef int (*vmk_entry_init_fn)(struct vmk_boot_info *info);
typedef int (*vmk_entry_cpu_fn)(u32 index);

struct rendezvous {
	vmk_entry_cpu_fn entry;
	atomic_t arrived;
	atomic_t failed;
	int result[VMK_MAX_CPUS];
	int stray_cpu;		/* a CPU that came online during the load */
};

#define LOAD_ERR(req, fmt, ...) do {					\
	snprintf((req)->error, sizeof((req)->error), fmt, ##__VA_ARGS__); \
	pr_warn(fmt "\n", ##__VA_ARGS__);				\
} while (0)

static int region_claim(struct vmnix_load *req)
{
	phys_addr_t base = req->mem_base;
	size_t size = req->mem_size;

	if (!size || !IS_ALIGNED(base, VMK_REGION_ALIGN) ||
	    !IS_ALIGNED(size, VMK_REGION_ALIGN) || base + size < base) {
		LOAD_ERR(req, "region %zu bytes at %pa is not 2 MiB aligned", size, &base);
		return -EINVAL;
	}
	if (region_intersects(base, size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT ||
	    region_intersects(base, size, IORESOURCE_MEM,
			      IORES_DESC_RESERVED) != REGION_INTERSECTS) {
		LOAD_ERR(req, "memory at %pa (%zu MiB) is not reserved: boot with memmap=%zuM$%pa",
			 &base, size >> 20, size >> 20, &base);
		return -EINVAL;
	}
	if (!request_mem_region(base, size, "vmkernel")) {
		LOAD_ERR(req, "reserved memory at %pa is in use by another driver", &base);
		return -EBUSY;
	}
	vmnix.base = base;
	vmnix.size = size;
	return 0;
}

static void region_release(void)
{
	release_mem_region(vmnix.base, vmnix.size);
}

/*
 * Maps the region with execute permission: vmap over its struct pages,
 * then clear NX in those PTEs (vmap always maps non-executable).  No CPU
 * has touched the new mapping yet, so no TLB holds the old entries; the
 * local flush is for certainty.
 */
static int region_make_exec(void)
{
	unsigned long a, end = (unsigned long)vmnix.va + vmnix.size;
	unsigned int level;
	pte_t *pte;

	for (a = (unsigned long)vmnix.va; a < end; a += PAGE_SIZE) {
		pte = lookup_address(a, &level);
		if (!pte || level != PG_LEVEL_4K)
			return -EFAULT;
		set_pte(pte, pte_mkexec(*pte));
	}
	__flush_tlb_all();
	return 0;
}

/*
 * A region inside RAM's memory sections has struct pages and is mapped
 * with vmap; one that covers whole sections (a big region: a section is
 * 128 MiB) has none there, and vmap_pfn maps it by frame number.  A
 * region that is partly each is refused: neither call maps both kinds.
 */
static void *region_vmap(struct vmnix_load *req, unsigned long pfn0, unsigned long n)
{
	unsigned long i, nvalid = 0;
	void *va = NULL;

	for (i = 0; i < n; i++)
		nvalid += pfn_valid(pfn0 + i);
	if (nvalid == n) {
		struct page **pages = kvmalloc_array(n, sizeof(*pages), GFP_KERNEL);

		if (!pages)
			goto error_nomem;
		for (i = 0; i < n; i++)
			pages[i] = pfn_to_page(pfn0 + i);
		va = vmap(pages, n, VM_MAP, PAGE_KERNEL_EXEC);
		kvfree(pages);
	} else if (nvalid == 0) {
		unsigned long *pfns = kvmalloc_array(n, sizeof(*pfns), GFP_KERNEL);

		if (!pfns)
			goto error_nomem;
		for (i = 0; i < n; i++)
			pfns[i] = pfn0 + i;
		va = vmap_pfn(pfns, n, PAGE_KERNEL_EXEC);
		kvfree(pfns);
		if (IS_ERR(va))
			va = NULL;
	} else {
		LOAD_ERR(req, "region at %#llx: %lu of its pages have a struct page and %lu do not: "
			 "place it inside RAM's memory sections or over whole 128 MiB sections",
			 vmnix.base, nvalid, n - nvalid);
		return ERR_PTR(-EINVAL);
	}
	return va;

error_nomem:
	LOAD_ERR(req, "out of memory mapping the region");
	return ERR_PTR(-ENOMEM);
}

static int region_map(struct vmnix_load *req)
{
	unsigned long n = vmnix.size >> PAGE_SHIFT;

	vmnix.va = region_vmap(req, PHYS_PFN(vmnix.base), n);
	if (IS_ERR(vmnix.va)) {
		int err = PTR_ERR(vmnix.va);

		vmnix.va = NULL;
		return err;
	}
	if (!vmnix.va) {
		LOAD_ERR(req, "cannot map the region");
		return -ENOMEM;
	}
	if (region_make_exec()) {
		LOAD_ERR(req, "cannot make the region's mapping executable");
		vunmap(vmnix.va);
		vmnix.va = NULL;
		return -EFAULT;
	}
	return 0;
}

/*
 * Unmaps the region and purges the lazily freed mapping at once, so the
 * next load can reuse the same addresses and page tables rather than
 * growing the kernel's page tables a little with every load.
 */
static void region_unmap(void)
{
	vunmap(vmnix.va);
	vmnix.va = NULL;
	vm_unmap_aliases();
}

/* The image's header, checked again: the loader checked the ELF, but the
 * shim trusts nothing that comes from user space. */
static int image_check(struct vmnix_load *req, const struct vmk_image_header *h)
{
	if (h->magic != VMK_IMAGE_MAGIC) {
		LOAD_ERR(req, "not a vmkernel image (bad signature)");
		return -ENOEXEC;
	}
	if (h->abi_version != VMK_ABI_VERSION) {
		LOAD_ERR(req, "image speaks ABI %u, this shim speaks %u",
			 h->abi_version, VMK_ABI_VERSION);
		return -ENOEXEC;
	}
	if (h->arch != VMK_ARCH_X86_64 || h->header_size != sizeof(*h) || h->flags) {
		LOAD_ERR(req, "image header is for another architecture or layout");
		return -ENOEXEC;
	}
	if (h->file_size != req->image_size || h->image_size < h->file_size ||
	    h->image_size > vmnix.size || h->min_mem > vmnix.size ||
	    h->entry_init >= h->file_size || h->entry_cpu >= h->file_size ||
	    h->log_offset + sizeof(struct vmk_log_ring) > h->image_size ||
	    h->log_offset + sizeof(struct vmk_log_ring) < h->log_offset) {
		LOAD_ERR(req, "image sizes or offsets do not fit (image %llu, region %zu, needs %llu)",
			 h->image_size, vmnix.size, h->min_mem);
		return -ENOEXEC;
	}
	if (strnlen(h->version, sizeof(h->version)) == sizeof(h->version)) {
		LOAD_ERR(req, "image version string is not terminated");
		return -ENOEXEC;
	}
	return 0;
}

/* Copies the vmkernel's log ring, oldest byte first.  Only while no CPU
 * is in the vmkernel: then its memory is readable. */
static void log_keep(u64 log_offset)
{
	const struct vmk_log_ring *ring = vmnix.va + log_offset;
	u64 head = READ_ONCE(ring->head), start, n, i;

	if (ring->magic != VMK_LOG_MAGIC)
		return;
	if (!vmnix.last_log)
		vmnix.last_log = kvmalloc(VMK_LOG_SIZE, GFP_KERNEL);
	if (!vmnix.last_log)
		return;
	start = head > VMK_LOG_SIZE ? head - VMK_LOG_SIZE : 0;
	n = head - start;
	for (i = 0; i < n; i++)
		vmnix.last_log[i] = ring->data[(start + i) % VMK_LOG_SIZE];
	vmnix.last_log_len = n;
}

/* The last warning or error the vmkernel logged, to explain a failed load. */
static void log_reason(struct vmnix_load *req)
{
	const char *log = vmnix.last_log, *line = NULL, *p, *end;
	size_t n = vmnix.last_log_len, used;

	if (!log)
		return;
	for (p = log; p < log + n; p = end + 1) {
		end = memchr(p, '\n', log + n - p);
		if (!end)
			break;
		if (strnstr(p, ") WARNING: ", end - p) || strnstr(p, ") ERROR: ", end - p))
			line = p;
	}
	if (!line)
		return;
	p = strnstr(line, ") ", log + n - line) + 2;
	end = memchr(p, '\n', log + n - p);
	used = strlen(req->error);
	if (used + 3 < sizeof(req->error))
		snprintf(req->error + used, sizeof(req->error) - used, ": %.*s",
			 (int)(end - p), p);
}

static int launch_cpu(void *arg)
{
	struct rendezvous *rv = arg;
	int cpu = smp_processor_id();
	int idx = vmnix.index_of[cpu];
	int err;

	if (idx < 0) {
		rv->stray_cpu = cpu;
		err = -EAGAIN;
	} else {
		err = rv->entry(idx);
		rv->result[idx] = err;
	}
	if (err)
		atomic_inc(&rv->failed);
	atomic_inc(&rv->arrived);
	while (atomic_read(&rv->arrived) < num_online_cpus())
		cpu_relax();
	/* All or none: a CPU that entered leaves again if another failed. */
	if (!err && atomic_read(&rv->failed))
		vmnix_vmkcall(VMK_CALL_UNLOAD, vmnix.load_key, 0, 0, 0);
	else if (!err)
		vmnix.cpu_in[idx] = true;
	return err;
}

static int leave_cpu(void *arg)
{
	int *results = arg;
	int idx = vmnix.index_of[smp_processor_id()];
	long ret = -ENODEV;

	if (idx < 0 || !vmnix.cpu_in[idx])
		return 0;	/* never entered, or left when it went offline */
	ret = vmnix_vmkcall(VMK_CALL_UNLOAD, vmnix.load_key, 0, 0, 0);
	results[idx] = (int)ret;
	if (!ret)
		vmnix.cpu_in[idx] = false;
	return (int)ret;
}

static void cpus_choose(struct vmk_boot_info *bi)
{
	unsigned int cpu, n = 0;

	for (cpu = 0; cpu < NR_CPUS; cpu++)
		vmnix.index_of[cpu] = -1;
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		if (n == VMK_MAX_CPUS)
			break;
		vmnix.index_of[cpu] = n;
		bi->apic_id[n] = cpu_data(cpu).apicid;
		bi->linux_cpu[n] = cpu;
		vmnix.cpu_of[n] = cpu;
		n++;
	}
	cpus_read_unlock();
	bi->ncpus = n;
	vmnix.ncpus = n;
}

static int cpus_enter(struct vmnix_load *req, vmk_entry_cpu_fn entry)
{
	struct rendezvous *rv;
	int err, i;

	rv = kzalloc(sizeof(*rv), GFP_KERNEL);
	if (!rv) {
		LOAD_ERR(req, "out of memory");
		return -ENOMEM;
	}
	rv->entry = entry;
	rv->stray_cpu = -1;
	err = stop_machine(launch_cpu, rv, cpu_online_mask);
	if (err) {
		for (i = 0; i < vmnix.ncpus; i++) {
			if (rv->result[i]) {
				err = rv->result[i];
				snprintf(req->error, sizeof(req->error),
					 "CPU %d (vmkernel cpu%d) failed to enter (error %d)",
					 vmnix.cpu_of[i], i, err);
				break;
			}
		}
		if (rv->stray_cpu >= 0)
			LOAD_ERR(req, "CPU %d came online during the load; try again", rv->stray_cpu);
		else if (i == vmnix.ncpus)
			LOAD_ERR(req, "the CPUs did not all enter (error %d)", err);
	}
	kfree(rv);
	return err;
}

int vmnix_load(struct vmnix_load *req, const void __user *image)
{
	struct vmk_boot_info *bi;
	struct vmk_image_header hdr;
	u64 t0 = ktime_get_ns();
	int err;

	if (vmnix.loaded) {
		LOAD_ERR(req, "the vmkernel is already loaded");
		return -EBUSY;
	}
	if (req->image_size < sizeof(hdr) || req->log_level > VMK_LOG_DEBUG ||
	    req->fail_step >= VMK_FAIL_STEPS || (req->flags & ~VMK_BOOT_SERIAL_LOG)) {
		LOAD_ERR(req, "bad load request (image size %llu, log level %u, step %u, flags %#x)",
			 req->image_size, req->log_level, req->fail_step, req->flags);
		return -EINVAL;
	}
	if (boot_cpu_data.x86_vendor != X86_VENDOR_AMD &&
	    boot_cpu_data.x86_vendor != X86_VENDOR_HYGON) {
		LOAD_ERR(req, "this vmkernel needs an AMD CPU with SVM and nested paging");
		return -ENODEV;
	}
	bi = kzalloc(sizeof(*bi), GFP_KERNEL);
	if (!bi) {
		LOAD_ERR(req, "out of memory");
		return -ENOMEM;
	}

	err = region_claim(req);
	if (err)
		goto error_free;
	if (req->image_size > vmnix.size) {
		LOAD_ERR(req, "image (%llu bytes) is larger than the region", req->image_size);
		err = -E2BIG;
		goto error_release;
	}
	err = region_map(req);
	if (err)
		goto error_release;
	if (copy_from_user(&hdr, image, sizeof(hdr)) ||
	    copy_from_user(vmnix.va, image, req->image_size)) {
		LOAD_ERR(req, "cannot read the image from user memory");
		err = -EFAULT;
		goto error_unmap;
	}
	err = image_check(req, &hdr);
	if (err)
		goto error_unmap;
	memset(vmnix.va + hdr.file_size, 0, hdr.image_size - hdr.file_size);
	/* The copy in the region must be the one that was checked, and its
	 * contents must be what the build sealed. */
	if (memcmp(vmnix.va, &hdr, sizeof(hdr))) {
		LOAD_ERR(req, "image changed while it was being loaded");
		err = -EINVAL;
		goto error_unmap;
	}
	if (vmk_image_sum(vmnix.va, hdr.file_size) != hdr.checksum) {
		LOAD_ERR(req, "image checksum does not match its contents: corrupt image");
		err = -ENOEXEC;
		goto error_unmap;
	}

	bi->region_pa = vmnix.base;
	bi->region_size = vmnix.size;
	bi->region_va = (u64)vmnix.va;
	bi->tsc_khz = tsc_khz;
	bi->log_level = req->log_level;
	bi->flags = req->flags;
	bi->fail_cpu = req->fail_cpu;
	bi->fail_step = req->fail_step;
	bi->boot_tsc = rdtsc();
	do {
		vmnix.load_key = get_random_u64();
	} while (!vmnix.load_key);
	bi->load_key = vmnix.load_key;
	vmnix.loading = true;
	cpus_choose(bi);

	/* The vmkernel's start-up names the CPU it runs on in its log and
	 * its lock tracking: it must not migrate. */
	preempt_disable();
	err = ((vmk_entry_init_fn)(vmnix.va + hdr.entry_init))(bi);
	preempt_enable();
	if (err) {
		snprintf(req->error, sizeof(req->error), "the vmkernel refused to start (error %d)", err);
		goto error_log;
	}
	vmnix.entry_cpu = (vmk_entry_cpu_fn)(vmnix.va + hdr.entry_cpu);
	err = cpus_enter(req, vmnix.entry_cpu);
	if (err)
		goto error_log;

	memcpy(vmnix.version, hdr.version, sizeof(vmnix.version));
	vmnix.loaded_since = ktime_get_real_seconds();
	vmnix.load_ns = ktime_get_ns() - t0;
	down_write(&vmnix.calls);
	vmnix.loaded = true;
	up_write(&vmnix.calls);
	vmnix.loading = false;
	/* Hold the module while the vmkernel runs: its code is the way out. */
	__module_get(THIS_MODULE);
	kfree(bi);
	pr_info("vmkernel %s loaded on %u CPUs in %llu us\n", vmnix.version,
		vmnix.ncpus, vmnix.load_ns / 1000);
	return 0;

error_log:
	vmnix.loading = false;
	down_write(&vmnix.calls);
	log_keep(hdr.log_offset);
	up_write(&vmnix.calls);
	log_reason(req);
	pr_warn("load failed: %s\n", req->error);
error_unmap:
	region_unmap();
error_release:
	region_release();
error_free:
	kfree(bi);
	return err;
}

/*
 * A VM's memory and worlds live in the region: the tools' unload is
 * refused while the vmkernel has any VM, powered on or off, so that none
 * is lost unseen (shutdown and reboot unload regardless).
 */
int vmnix_unload_vms_gone(void)
{
	long id = vmnix_call(VMK_CALL_VM_NEXT, 0, 0, 0, 0);

	if (id <= 0)
		return 0;
	pr_warn("unload refused: the vmkernel still has VM %ld; stop and destroy its VMs first (vmware-cmd list)\n",
		id);
	return -EBUSY;
}

/* The log offset is in the image header, which is readable again once
 * every CPU has left. */
int vmnix_unload(void)
{
	int *results;
	u64 t0 = ktime_get_ns();
	int err, i;

	if (!vmnix.loaded)
		return -ENOENT;
	err = vmnix_cpus_take_all();
	if (err) {
		pr_err("unload stopped: a CPU given to the vmkernel did not come back (error %d)\n",
		       err);
		return err;
	}
	results = kcalloc(VMK_MAX_CPUS, sizeof(*results), GFP_KERNEL);
	if (!results)
		return -ENOMEM;

	down_write(&vmnix.calls);
	vmnix.unloading = true;
	err = stop_machine(leave_cpu, results, cpu_online_mask);
	if (err) {
		for (i = 0; i < vmnix.ncpus; i++)
			if (results[i])
				pr_err("vmkernel cpu%d did not leave: error %d\n", i, results[i]);
		vmnix.unloading = false;
		up_write(&vmnix.calls);
		kfree(results);
		return err;
	}
	vmnix.loaded = false;
	vmnix.unloading = false;
	memset(vmnix.given, 0, sizeof(vmnix.given));
	/* Every CPU has left: the region is readable again. */
	log_keep(((struct vmk_image_header *)vmnix.va)->log_offset);
	up_write(&vmnix.calls);
	kfree(results);

	region_unmap();
	region_release();
	vmnix.unload_ns = ktime_get_ns() - t0;
	module_put(THIS_MODULE);
	pr_info("vmkernel unloaded in %llu us; Linux runs on bare hardware\n",
		vmnix.unload_ns / 1000);
	return 0;
}

void vmnix_status(struct vmnix_status *st)
{
	int i;

	memset(st, 0, sizeof(*st));
	st->loaded = vmnix.loaded;
	st->load_ns = vmnix.load_ns;
	st->unload_ns = vmnix.unload_ns;
	if (!vmnix.loaded)
		return;
	st->ncpus = vmnix.ncpus;
	for (i = 0; i < vmnix.ncpus; i++)
		if (READ_ONCE(vmnix.cpu_in[i]) && vmnix.cpu_of[i] < 64)
			st->cpu_mask |= 1ULL << vmnix.cpu_of[i];
	st->loaded_since = vmnix.loaded_since;
	st->mem_base = vmnix.base;
	st->mem_size = vmnix.size;
	memcpy(st->version, vmnix.version, sizeof(st->version));
}

/*
 * CPU hotplug while the vmkernel is loaded.  A CPU going offline leaves
 * the vmkernel first (INIT would otherwise take it out of SVM unseen); a
 * CPU coming back enters again as a console world.  Both callbacks run on
 * the CPU concerned, under the hotplug lock.  A CPU that was offline when
 * the vmkernel was loaded has no place in it and stays offline until the
 * vmkernel is unloaded.  While a load or an unload is in progress, both
 * are refused.
 */
int vmnix_cpu_online(unsigned int cpu)
{
	unsigned long flags;
	int idx = vmnix.index_of[cpu], err;

	if (READ_ONCE(vmnix.loading) || READ_ONCE(vmnix.unloading)) {
		pr_warn("CPU %u cannot come online while the vmkernel is being loaded or unloaded\n", cpu);
		return -EBUSY;
	}
	if (!READ_ONCE(vmnix.loaded))
		return 0;
	if (idx < 0) {
		pr_warn("CPU %u was offline when the vmkernel was loaded; unload it to bring the CPU online\n", cpu);
		return -EBUSY;
	}
	if (vmnix.cpu_in[idx])
		return 0;
	local_irq_save(flags);
	err = vmnix.entry_cpu(idx);
	local_irq_restore(flags);
	if (err) {
		pr_warn("CPU %u could not enter the vmkernel (error %d); it stays offline\n", cpu, err);
		return err;
	}
	vmnix.cpu_in[idx] = true;
	pr_info("CPU %u is back as a console world\n", cpu);
	return 0;
}

int vmnix_cpu_offline(unsigned int cpu)
{
	unsigned long flags;
	int idx = vmnix.index_of[cpu];
	long err;

	if (READ_ONCE(vmnix.loading) || READ_ONCE(vmnix.unloading)) {
		pr_warn("CPU %u cannot go offline while the vmkernel is being loaded or unloaded\n", cpu);
		return -EBUSY;
	}
	if (!READ_ONCE(vmnix.loaded) || idx < 0 || !vmnix.cpu_in[idx])
		return 0;
	if (READ_ONCE(vmnix.giving) == cpu) {
		/* Stay inside: the vmkernel keeps this CPU once Linux halts it. */
		local_irq_save(flags);
		err = vmnix_vmkcall(VMK_CALL_CPU_GIVE, vmnix.load_key, idx, 0, 0);
		local_irq_restore(flags);
		if (err) {
			pr_warn("CPU %u: the vmkernel refused it (error %ld); it stays online\n",
				cpu, err);
			return (int)err;
		}
		vmnix.cpu_in[idx] = false;
		return 0;
	}
	local_irq_save(flags);
	err = vmnix_vmkcall(VMK_CALL_UNLOAD, vmnix.load_key, 0, 0, 0);
	local_irq_restore(flags);
	if (err) {
		pr_warn("CPU %u could not leave the vmkernel (error %ld); it stays online\n", cpu, err);
		return (int)err;
	}
	vmnix.cpu_in[idx] = false;
	pr_info("CPU %u left the vmkernel to go offline\n", cpu);
	return 0;
}

long vmnix_call(unsigned long nr, unsigned long a0, unsigned long a1,
		unsigned long a2, unsigned long a3)
{
	long ret = -ENODEV;

	down_read(&vmnix.calls);
	if (vmnix.loaded)
		ret = vmnix_vmkcall(nr, a0, a1, a2, a3);
	up_read(&vmnix.calls);
	return ret;
}
