// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual machines: the VM table and the VM vmkcalls (see vmnix_abi.h,
 * "virtual machines", for the life of a VM).  A VM is a world group
 * (relaxed co-scheduling) in a resource pool, one VCPU world per virtual
 * CPU, RAM made of the vmkernel's own pages, and the backend's nested
 * page tables over that RAM.
 *
 * Everything a VM_CREATE asks for is checked before anything is taken:
 * each field (a clear line in the log for each bad one), then admission
 * control as ESX did it: the CPU reservation through the pool tree
 * (world_group_create refuses with -ENOSPC) and the memory, RAM plus an
 * estimate of the overhead, against the free pages (-ENOMEM).  RAM comes
 * from the page arena in 2 MiB blocks where it can, in single pages
 * otherwise, zeroed.  Every page a VM holds is counted in vm->pages and
 * returned by VM_DESTROY.
 *
 * The table, the pools and every VM's worlds change under cpu_lock, as
 * the console's system worlds do (kernel/sysworld.c), so that a CPU's
 * coming and going never interleaves with them; a VM's state and devices
 * are guarded by vm->lock, which its VCPU worlds take too.  Worlds leave
 * cooperatively: a VCPU is asked to quit and the console's CPU waits
 * (with a timeout) for it to leave its stack, or takes it off its run
 * queue if it is only queued.
 */
#include <stdarg.h>
#include <vmk/arch.h>
#include <vmk/check.h>
#include <vmk/cpu.h>
#include <vmk/errno.h>
#include <vmk/format.h>
#include <vmk/heap.h>
#include <vmk/log.h>
#include <vmk/machine.h>
#include <vmk/mem.h>
#include <vmk/sched.h>
#include <vmk/string.h>
#include <vmk/vm.h>
#include <vmk/world.h>
#include "vmm.h"

#define VM_POOLS		8
#define VM_WAIT_NS		2000000000ULL
#define VM_STACK_ORDER		2		/* 16 KiB */
#define VM_CHUNK_PAGES		512		/* 2 MiB */
#define VM_CHUNK_ORDER		9
/* Pages a VM needs beyond its RAM, for admission: per VCPU its record,
 * stack, VMCB, FPU area and backend block; per VM its serial ring, the
 * nested tables (one per 2 MiB of RAM at most, plus the upper levels and
 * the scratch) and the map of its RAM.  And a margin that admission
 * leaves to the vmkernel itself. */
#define VM_VCPU_PAGES		(1 + (1U << VM_STACK_ORDER) + 3)
#define VM_FIXED_PAGES		(16 + 16)
#define VM_MARGIN_PAGES		256

/* cpu_lock guards the table, the pools and the next ID. */
static struct vm *vm_table[VMK_VM_MAX];
static struct pool_ref vm_pools[VM_POOLS];
static u32 vm_next_id;
static u32 vm_nr;

static struct heap *vm_heap(void)
{
	return mem_heap(MEM_HEAP_VMM);
}

void vm_init(void)
{
	memset(vm_table, 0, sizeof(vm_table));
	memset(vm_pools, 0, sizeof(vm_pools));
	vm_next_id = 1;
	vm_nr = 0;
}

u32 vm_count(void)
{
	return READ_ONCE(vm_nr);
}

/* ---- guest memory ---- */

void *vm_guest_ptr(struct vm *vm, u64 gpa, u64 len)
{
	u64 off = gpa & (PAGE_SIZE - 1);

	if (len == 0 || gpa >= vm->ram_bytes || len > vm->ram_bytes - gpa ||
	    off + len > PAGE_SIZE)
		return NULL;
	return (u8 *)page_va(mem_arena(), vm->ram[gpa >> PAGE_SHIFT]) + off;
}

static int vm_copy(struct vm *vm, u64 gpa, void *buf, u64 len, bool to_guest)
{
	u8 *b = buf;

	if (gpa >= vm->ram_bytes || len > vm->ram_bytes - gpa)
		return -EFAULT;
	while (len) {
		u64 n = MIN(len, PAGE_SIZE - (gpa & (PAGE_SIZE - 1)));
		u8 *p = vm_guest_ptr(vm, gpa, n);

		CHECK(p);
		if (to_guest)
			memcpy(p, b, n);
		else
			memcpy(b, p, n);
		gpa += n;
		b += n;
		len -= n;
	}
	return 0;
}

int vm_read(struct vm *vm, u64 gpa, void *dst, u64 len)
{
	return vm_copy(vm, gpa, dst, len, false);
}

int vm_write(struct vm *vm, u64 gpa, const void *src, u64 len)
{
	return vm_copy(vm, gpa, (void *)src, len, true);
}

/* The RAM map: a host page per guest frame, then a byte per 2 MiB chunk
 * saying whether that chunk is one block of the arena, then a bit per
 * guest frame saying whether VM_WRITE loaded it (the boot image). */
static u64 vm_ram_map_bytes(u64 npages)
{
	return npages * sizeof(paddr_t) + npages / VM_CHUNK_PAGES + 1 +
	       (npages + 7) / 8;
}

static u8 *vm_ram_big(struct vm *vm)
{
	return (u8 *)(vm->ram + (vm->ram_bytes >> PAGE_SHIFT));
}

static void vm_ram_free(struct vm *vm)
{
	struct page_arena *a = mem_arena();
	u64 npages = vm->ram_bytes >> PAGE_SHIFT;
	u8 *big;

	if (!vm->ram)
		return;
	big = vm_ram_big(vm);
	for (u64 i = 0; i < npages;) {
		if (!pa_addr(vm->ram[i])) {
			i++;
			continue;
		}
		if (i % VM_CHUNK_PAGES == 0 && big[i / VM_CHUNK_PAGES]) {
			page_free(a, vm->ram[i], VM_CHUNK_ORDER);
			i += VM_CHUNK_PAGES;
			vm->pages -= VM_CHUNK_PAGES;
		} else {
			page_free(a, vm->ram[i], 0);
			i++;
			vm->pages--;
		}
	}
	heap_free_pages(vm_heap(), vm->ram,
			page_order_for(vm_ram_map_bytes(npages)));
	vm->pages -= 1U << page_order_for(vm_ram_map_bytes(npages));
	vm->ram = NULL;
	vm->loaded = NULL;
}

/* ---- the boot image (power.c says what it is) ---- */

static void vm_image_free(struct vm *vm)
{
	if (!vm->image)
		return;
	for (u64 i = 0; i < vm->image_pages; i++)
		page_free(mem_arena(), vm->image[i], 0);
	vm->pages -= vm->image_pages;
	heap_free_pages(vm_heap(), vm->image, vm->image_order);
	vm->pages -= 1U << vm->image_order;
	vm->image = NULL;
	vm->image_pages = 0;
}

/* At VM_START: a copy of every page the loader wrote.  cpu_lock held, no
 * VCPU running.  0, or -ENOMEM with nothing kept and the reason logged. */
static int vm_image_save(struct vm *vm)
{
	struct page_arena *a = mem_arena();
	u64 n = power_loaded_pages(vm), npages = vm->ram_bytes >> PAGE_SHIFT;
	u64 free = page_free_count(a), k = 0;

	vm_image_free(vm);
	if (!n)
		return 0;
	vm->image_order = page_order_for(n * sizeof(paddr_t));
	if (vm->image_order > PAGE_MAX_ORDER ||
	    n + (1ULL << vm->image_order) + VM_MARGIN_PAGES > free)
		goto error_nomem;
	vm->image = heap_alloc_pages(vm_heap(), vm->image_order);
	if (!vm->image)
		goto error_nomem;
	vm->pages += 1U << vm->image_order;
	for (u64 g = 0; g < npages && k < n; g++) {
		paddr_t p;

		if (!power_page_loaded(vm, g))
			continue;
		if (page_alloc(a, 0, &p))
			goto error_free;
		vm->image[k++] = p;
		vm->image_pages = k;
		vm->pages++;
		memcpy(page_va(a, p), page_va(a, vm->ram[g]), PAGE_SIZE);
	}
	return 0;

error_free:
	vm_image_free(vm);
error_nomem:
	log_warn("vm %u (%s): not enough vmkernel memory to keep its boot image for "
		 "reboots: %lu pages (%lu KiB), %lu MiB free", vm->id, vm->name, n,
		 n << (PAGE_SHIFT - 10), (free << PAGE_SHIFT) >> 20);
	return -ENOMEM;
}

static void vm_ram_clear(struct vm *vm)
{
	u64 npages = vm->ram_bytes >> PAGE_SHIFT;

	for (u64 i = 0; i < npages; i++)
		memset(page_va(mem_arena(), vm->ram[i]), 0, PAGE_SIZE);
}

static int vm_ram_alloc(struct vm *vm)
{
	struct page_arena *a = mem_arena();
	u64 npages = vm->ram_bytes >> PAGE_SHIFT;
	u32 order = page_order_for(vm_ram_map_bytes(npages));
	u8 *big;

	if (order > PAGE_MAX_ORDER)
		return -ENOMEM;
	vm->ram = heap_alloc_pages(vm_heap(), order);
	if (!vm->ram)
		return -ENOMEM;
	vm->pages += 1U << order;
	big = vm_ram_big(vm);
	vm->loaded = big + npages / VM_CHUNK_PAGES + 1;
	for (u64 i = 0; i < npages;) {
		paddr_t p;

		if (npages - i >= VM_CHUNK_PAGES &&
		    page_alloc(a, VM_CHUNK_ORDER, &p) == 0) {
			for (u32 k = 0; k < VM_CHUNK_PAGES; k++)
				vm->ram[i + k] = pa_add(p, (u64)k << PAGE_SHIFT);
			big[i / VM_CHUNK_PAGES] = 1;
			i += VM_CHUNK_PAGES;
			vm->pages += VM_CHUNK_PAGES;
			continue;
		}
		if (page_alloc(a, 0, &p))
			return -ENOMEM;
		vm->ram[i++] = p;
		vm->pages++;
	}
	vm_ram_clear(vm);
	return 0;
}

/* ---- the VM's state, from its VCPUs ---- */

/* With vm->lock held, so not vcpu_kick(): the VCPUs look at their state
 * under the lock before they wait, which is what keeps this wakeup from
 * being lost. */
static void vm_stop_vcpus(struct vm *vm)
{
	for (u32 i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = vm->vcpu[i];
		struct world *w = READ_ONCE(v->world);

		WRITE_ONCE(v->run_state, VCPU_STOPPED);
		if (w) {
			world_wakeup(v);
			arch_cpu_kick(READ_ONCE(w->cpu));
		}
	}
}

/* With vm->lock held: the VM ends in state, unless it already has. */
static bool vm_end(struct vm *vm, u32 state, u32 code, const char *reason)
{
	if (vm->state != VMK_VM_RUNNING)
		return false;
	WRITE_ONCE(vm->state, state);
	vm->exit_code = code;
	strlcpy(vm->reason, reason, sizeof(vm->reason));
	vm_stop_vcpus(vm);
	return true;
}

void vm_power_off(struct vm *vm, u32 code, const char *reason)
{
	bool ended;

	spin_lock(&vm->lock);
	ended = vm_end(vm, VMK_VM_OFF, code, reason);
	spin_unlock(&vm->lock);
	if (ended)
		log_info("vm %u (%s): off: %s (code %u)", vm->id, vm->name, reason, code);
}

void vm_crash(struct vm *vm, const char *fmt, ...)
{
	char reason[sizeof(vm->reason)];
	va_list ap;
	bool ended;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	spin_lock(&vm->lock);
	ended = vm_end(vm, VMK_VM_CRASHED, 0, reason);
	spin_unlock(&vm->lock);
	if (ended)
		log_warn("vm %u (%s): crashed: %s", vm->id, vm->name, reason);
}

void vm_guest_reset(struct vm *vm)
{
	bool now = false;

	spin_lock(&vm->lock);
	if (vm->state == VMK_VM_RUNNING && !vm->resetting) {
		vm->resetting = true;
		vm->reset_gen++;
		vm->reset_acks = 0;
		now = true;
	}
	spin_unlock(&vm->lock);
	if (!now)
		return;
	/* Each VCPU sees it at its next look at its state (vcpu.c). */
	for (u32 i = 0; i < vm->nvcpus; i++)
		vcpu_kick(vm->vcpu[i]);
}

void vm_guest_reset_finish(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct page_arena *a = mem_arena();
	u64 npages = vm->ram_bytes >> PAGE_SHIFT, k = 0;
	u32 reboots;

	/* Every VCPU waits: RAM is the resetting VCPU's alone.  Its CPU is
	 * offered to other worlds between blocks, as a large VM takes a
	 * while. */
	for (u64 g = 0; g < npages; g++) {
		void *dst = page_va(a, vm->ram[g]);

		if (power_page_loaded(vm, g) && k < vm->image_pages)
			memcpy(dst, page_va(a, vm->image[k++]), PAGE_SIZE);
		else
			memset(dst, 0, PAGE_SIZE);
		if (g % VM_CHUNK_PAGES == VM_CHUNK_PAGES - 1 && cpu_attention()) {
			virt_vcpu_put(v);
			cpu_preempt_point();
		}
	}
	spin_lock(&vm->lock);
	uart_reset(vm);
	ioapic_reset(vm);
	pic_reset(vm);
	vm->cf9 = 0;
	vm->resetting = false;
	vm->power_request = VMK_POWEROP_NONE;
	vm->tools_seen = false;
	reboots = ++vm->reboots;
	vm->started_ns = arch_uptime_ns();
	if (vm->state == VMK_VM_RUNNING) {
		vm->vcpu[0]->boot_pending = true;
		WRITE_ONCE(vm->vcpu[0]->run_state, VCPU_RUNNABLE);
	}
	spin_unlock(&vm->lock);
	vcpu_kick(vm->vcpu[0]);
	log_info("vm %u (%s): reset by its guest (port 0xcf9), boot %u: %lu pages of "
		 "its boot image restored", vm->id, vm->name, reboots + 1, vm->image_pages);
}

struct vcpu *vm_vcpu_of(const struct world *w)
{
	for (u32 i = 0; i < VMK_VM_MAX; i++) {
		struct vm *vm = READ_ONCE(vm_table[i]);

		if (!vm)
			continue;
		for (u32 j = 0; j < vm->nvcpus; j++)
			if (vm->vcpu[j] && READ_ONCE(vm->vcpu[j]->world) == w)
				return vm->vcpu[j];
	}
	return NULL;
}

/* ---- checks ---- */

/* A VM's name may hold spaces (a displayName); a pool's may not, as the
 * console's system worlds name pools without them. */
static bool vm_name_ok(const char *name, size_t max, bool pool)
{
	size_t n = strnlen(name, max);

	if (n == max || (!n && !pool))
		return false;
	for (size_t i = 0; i < n; i++)
		if (name[i] < (pool ? '!' : ' ') || name[i] > '~' || name[i] == '/')
			return false;
	return true;
}

static int vm_check_cpu(const struct vmk_vm_config *c, u32 nvcpus)
{
	u64 cpus = sched_ncpus() >= 64 ? ~0ULL : (1ULL << sched_ncpus()) - 1;

	if (c->shares > POOL_SHARES_MAX) {
		log_warn("vm %s: shares %u: 1 to %u (0: %u per VCPU)", c->name,
			 c->shares, POOL_SHARES_MAX, VMK_VM_SHARES_PER_VCPU);
		return -EINVAL;
	}
	if (c->min_pct > 100U * nvcpus || c->max_pct > 100U * nvcpus) {
		log_warn("vm %s: min %u%%, max %u%%: at most 100%% per VCPU (%u%%)",
			 c->name, c->min_pct, c->max_pct, 100U * nvcpus);
		return -EINVAL;
	}
	if (c->max_pct && c->min_pct > c->max_pct) {
		log_warn("vm %s: min %u%% above max %u%%", c->name, c->min_pct,
			 c->max_pct);
		return -EINVAL;
	}
	if (c->affinity & ~cpus) {
		log_warn("vm %s: affinity 0x%lx names CPUs beyond the %u there are",
			 c->name, c->affinity, sched_ncpus());
		return -EINVAL;
	}
	return 0;
}

static int vm_check_config(const struct vmk_vm_config *c)
{
	if (!vm_name_ok(c->name, sizeof(c->name), false)) {
		log_warn("vm create: the name is empty, longer than %u bytes or "
			 "not printable", VMK_VM_NAME_LEN - 1);
		return -EINVAL;
	}
	if (!vm_name_ok(c->pool, sizeof(c->pool), true)) {
		log_warn("vm %s: the pool name is too long or not printable", c->name);
		return -EINVAL;
	}
	if (c->memsize_mb < VMK_VM_MEM_MIN_MB || c->memsize_mb > VMK_VM_MEM_MAX_MB) {
		log_warn("vm %s: memsize %u MB: %u to %u MB", c->name, c->memsize_mb,
			 VMK_VM_MEM_MIN_MB, VMK_VM_MEM_MAX_MB);
		return -EINVAL;
	}
	if (c->nvcpus < 1 || c->nvcpus > VMK_VM_VCPUS_MAX) {
		log_warn("vm %s: %u VCPUs: 1 to %u", c->name, c->nvcpus,
			 VMK_VM_VCPUS_MAX);
		return -EINVAL;
	}
	return vm_check_cpu(c, c->nvcpus);
}

/* ---- pools (cpu_lock) ---- */

static struct pool_ref *vm_pool_of(const struct vm *vm)
{
	const char *name = vm->config.pool;

	for (u32 i = 0; i < VM_POOLS && name[0]; i++)
		if (vm_pools[i].refs && !strcmp(vm_pools[i].p.name, name))
			return &vm_pools[i];
	return NULL;
}

/* The group's controls from a config: shares for the whole VM (0: the
 * "normal" level per VCPU), min and max in percent of one CPU. */
static struct pool_alloc vm_group_alloc(const struct vmk_vm_config *c, u32 nvcpus)
{
	return (struct pool_alloc){
		.shares = c->shares ? c->shares : VMK_VM_SHARES_PER_VCPU * nvcpus,
		.res = sched_units_pct(c->min_pct),
		.limit = c->max_pct ? sched_units_pct(c->max_pct) : POOL_UNLIMITED,
	};
}

/* Each VCPU world holds its part of the group's shares; the group holds
 * the reservation and the limit, which bind its VCPUs together. */
static struct pool_alloc vm_vcpu_alloc(const struct pool_alloc *g, u32 nvcpus)
{
	return (struct pool_alloc){
		.shares = MAX(g->shares / nvcpus, 1U),
		.limit = POOL_UNLIMITED,
	};
}

/* ---- lookup (cpu_lock) ---- */

static struct vm *vm_find(u32 id, int *err)
{
	for (u32 i = 0; i < VMK_VM_MAX; i++)
		if (vm_table[i] && vm_table[i]->id == id) {
			*err = 0;
			return vm_table[i];
		}
	log_warn("no VM %u", id);
	*err = -ENOENT;
	return NULL;
}

/* ---- VCPUs ---- */

/* Waits until every VCPU of vm is out of the guest, waiting in its
 * world (or gone).  cpu_lock held, vm->lock not. */
static int vm_wait_parked(struct vm *vm)
{
	u64 t0 = arch_now_ns();

	for (u32 i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = vm->vcpu[i];

		while (v->world && !__atomic_load_n(&v->parked, __ATOMIC_ACQUIRE) &&
		       !__atomic_load_n(&v->gone, __ATOMIC_ACQUIRE)) {
			if (arch_now_ns() - t0 > VM_WAIT_NS) {
				log_err("vm %u: VCPU %u did not stop within %lu ms", vm->id,
					i, (u64)(VM_WAIT_NS / 1000000));
				return -ETIMEDOUT;
			}
			arch_cpu_relax();
		}
	}
	return 0;
}

/* Asks every VCPU world to exit and, once all have, frees them.  cpu_lock
 * held.  -ETIMEDOUT frees nothing: the VM stays whole, and a later
 * destroy tries again (VCPUs already gone count as gone). */
static int vm_vcpus_fini(struct vm *vm)
{
	u64 t0 = arch_now_ns();

	for (u32 i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = vm->vcpu[i];

		if (v && v->world) {
			WRITE_ONCE(v->quit, true);
			vcpu_kick(v);
		}
	}
	for (u32 i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = vm->vcpu[i];
		struct world *w = v ? v->world : NULL;

		while (w && !__atomic_load_n(&v->gone, __ATOMIC_ACQUIRE)) {
			/* Never started, only queued, or co-stopped: it will
			 * not run again. */
			if (w->state == WORLD_NEW || sched_remove_queued(w) == 0) {
				__atomic_store_n(&v->gone, true, __ATOMIC_RELEASE);
				break;
			}
			if (arch_now_ns() - t0 > VM_WAIT_NS) {
				log_err("vm %u: VCPU world %u (state %s) did not exit within "
					"%lu ms; the VM is kept", vm->id, w->id,
					world_state_name(w->state), (u64)(VM_WAIT_NS / 1000000));
				return -ETIMEDOUT;
			}
			world_wakeup(v);
			arch_cpu_relax();
		}
	}
	for (u32 i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = vm->vcpu[i];

		if (!v)
			continue;
		if (v->world) {
			CHECK(world_destroy(v->world) == 0);
			v->world = NULL;
		}
		lapic_fini(v);
		virt_vcpu_fini(v);
		if (v->stack) {
			heap_free_pages(vm_heap(), v->stack, VM_STACK_ORDER);
			vm->pages -= 1U << VM_STACK_ORDER;
		}
		heap_free_pages(vm_heap(), v, 0);
		vm->pages--;
		vm->vcpu[i] = NULL;
	}
	return 0;
}

static int vm_vcpu_create(struct vm *vm, u32 index)
{
	struct world_params wp = { 0 };
	struct pool_alloc ga = vm_group_alloc(&vm->config, vm->nvcpus);
	char name[WORLD_NAME_LEN];
	struct vcpu *v;
	int err;

	_Static_assert(sizeof(struct vcpu) <= PAGE_SIZE, "a VCPU is one page");
	v = heap_alloc_pages(vm_heap(), 0);
	if (!v)
		return -ENOMEM;
	vm->pages++;
	vm->vcpu[index] = v;
	v->vm = vm;
	v->index = index;
	v->run_state = VCPU_WAIT_SIPI;
	v->stack = heap_alloc_pages(vm_heap(), VM_STACK_ORDER);
	if (!v->stack)
		return -ENOMEM;
	vm->pages += 1U << VM_STACK_ORDER;
	err = virt_vcpu_init(v);
	if (err)
		return err;
	snprintf(name, sizeof(name), "vmm%u:%s", index, vm->name);
	wp.name = name;
	wp.type = VMK_WORLD_VMM;
	wp.group = vm->group;
	wp.alloc = vm_vcpu_alloc(&ga, vm->nvcpus);
	wp.affinity = vm->config.affinity;
	err = world_create(&wp, &v->world);
	if (err) {
		v->world = NULL;
		return err;
	}
	arch_world_stack_init(v->world, v->stack, PAGE_SIZE << VM_STACK_ORDER,
			      vcpu_main);
	return 0;
}

/* ---- the vmkcalls ---- */

/* Frees what vm holds; its VCPU worlds must be gone.  cpu_lock held. */
static void vm_free(struct vm *vm)
{
	virt_vm_fini(vm);
	uart_fini(vm);
	vm_image_free(vm);
	vm_ram_free(vm);
	if (vm->group)
		CHECK(world_group_destroy(vm->group) == 0);
	pool_ref_put(vm_pool_of(vm));
	CHECK(vm->pages == 1);
	heap_free_pages(vm_heap(), vm, 0);
}

static int vm_admit_memory(const struct vmk_vm_config *c)
{
	u64 ram = (u64)c->memsize_mb << (20 - PAGE_SHIFT);
	u64 map = 1ULL << page_order_for(vm_ram_map_bytes(ram));
	u64 over = map + VM_FIXED_PAGES + ram / VM_CHUNK_PAGES +
		   (u64)c->nvcpus * VM_VCPU_PAGES;
	u64 free = page_free_count(mem_arena());

	if (ram + over + VM_MARGIN_PAGES > free) {
		log_warn("vm %s: not enough vmkernel memory: %u MB of RAM and %lu KiB "
			 "of overhead, %lu MiB free", c->name, c->memsize_mb,
			 over << (PAGE_SHIFT - 10), (free << PAGE_SHIFT) >> 20);
		return -ENOMEM;
	}
	return 0;
}

s64 vm_create(const struct vmk_vm_config *c)
{
	struct pool_alloc ga;
	struct pool_ref *pool = NULL;
	struct vm *vm = NULL;
	u32 slot = VMK_VM_MAX, ncpus;
	int err;

	err = vm_check_config(c);
	if (err)
		return err;
	spin_lock(&cpu_lock);
	ncpus = cpu_vmk_count();
	if (!ncpus) {
		log_warn("vm %s: the vmkernel has no CPU to run it (vmkcpu give)", c->name);
		err = -ENODEV;
		goto out_unlock;
	}
	if (c->nvcpus > ncpus) {
		log_warn("vm %s: %u VCPUs, but the vmkernel has %u CPUs", c->name,
			 c->nvcpus, ncpus);
		err = -EINVAL;
		goto out_unlock;
	}
	for (u32 i = 0; i < VMK_VM_MAX; i++) {
		if (vm_table[i] && !strcmp(vm_table[i]->name, c->name)) {
			log_warn("vm %s: the name is taken (VM %u)", c->name,
				 vm_table[i]->id);
			err = -EEXIST;
			goto out_unlock;
		}
		if (!vm_table[i] && slot == VMK_VM_MAX)
			slot = i;
	}
	if (slot == VMK_VM_MAX) {
		log_warn("vm %s: %u VMs at most", c->name, VMK_VM_MAX);
		err = -ENOSPC;
		goto out_unlock;
	}
	err = vm_admit_memory(c);
	if (err)
		goto out_unlock;

	_Static_assert(sizeof(struct vm) <= PAGE_SIZE, "a VM's record is one page");
	vm = heap_alloc_pages(vm_heap(), 0);
	if (!vm) {
		err = -ENOMEM;
		goto out_unlock;
	}
	vm->pages = 1;
	spin_init(&vm->lock, "vm", LOCK_RANK_VM);
	vm->config = *c;
	vm->config.id = 0;
	vm->config.set = 0;
	vm->nvcpus = c->nvcpus;
	vm->ram_bytes = (u64)c->memsize_mb << 20;
	strlcpy(vm->name, c->name, sizeof(vm->name));
	pool = pool_ref_get(vm_pools, VM_POOLS, c->pool, &err);
	if (err)
		goto error_vm;
	ga = vm_group_alloc(c, c->nvcpus);
	err = world_group_create(pool ? &pool->p.node : NULL, vm->name, &ga,
				 COSCHED_RELAXED, &vm->group);
	if (err) {
		if (err == -ENOSPC)
			log_warn("vm %s: its reservation of %u%% cannot be met", c->name,
				 c->min_pct);
		vm->group = NULL;
		goto error_pool;
	}
	ioapic_reset(vm);
	pic_reset(vm);
	cmos_reset(vm, 0);
	err = vm_ram_alloc(vm);
	if (!err)
		err = uart_init(vm);
	if (!err)
		err = virt_vm_init(vm);
	for (u32 i = 0; i < vm->nvcpus && !err; i++)
		err = vm_vcpu_create(vm, i);
	if (err)
		goto error_vcpus;

	vm->id = vm_next_id++;
	vm->state = VMK_VM_LOADING;
	WRITE_ONCE(vm_table[slot], vm);
	vm_nr++;
	for (u32 i = 0; i < vm->nvcpus; i++)
		CHECK(world_start(vm->vcpu[i]->world) == 0);
	log_info("vm %u (%s): created: %u MB, %u VCPUs, shares %u min %u%% max %u%% "
		 "pool %s; %lu pages", vm->id, vm->name, c->memsize_mb, c->nvcpus,
		 ga.shares, c->min_pct, c->max_pct, c->pool[0] ? c->pool : "host",
		 vm->pages);
	spin_unlock(&cpu_lock);
	return vm->id;

error_vcpus:
	if (err == -ENOMEM)
		log_warn("vm %s: out of vmkernel memory while creating it", c->name);
	CHECK(vm_vcpus_fini(vm) == 0);
	vm_free(vm);
	goto out_unlock;
error_pool:
	pool_ref_put(pool);
error_vm:
	heap_free_pages(vm_heap(), vm, 0);
out_unlock:
	spin_unlock(&cpu_lock);
	return err;
}

s64 vm_load(u32 id, u64 gpa, const void *src, u64 len)
{
	struct vm *vm;
	int err;

	if (len == 0 || len > VMK_VM_WRITE_MAX)
		return -EINVAL;
	spin_lock(&cpu_lock);
	vm = vm_find(id, &err);
	if (!vm)
		goto out_unlock;
	spin_lock(&vm->lock);
	if (vm->state != VMK_VM_LOADING) {
		log_warn("vm %u: writes into RAM only while it is loading", id);
		err = -EBUSY;
	} else {
		err = vm_write(vm, gpa, src, len);
		if (err)
			log_warn("vm %u: write of %lu bytes at 0x%lx is beyond its %lu MB",
				 id, len, gpa, vm->ram_bytes >> 20);
		else
			power_track_write(vm, gpa, len);
	}
	spin_unlock(&vm->lock);
out_unlock:
	spin_unlock(&cpu_lock);
	return err;
}

s64 vm_start(u32 id, const struct vmk_vm_boot *b)
{
	struct vm *vm;
	int err;

	spin_lock(&cpu_lock);
	vm = vm_find(id, &err);
	if (!vm)
		goto out_unlock;
	if (b->mode != VMK_VM_BOOT_PROT32 && b->mode != VMK_VM_BOOT_LONG64) {
		log_warn("vm %u: boot mode %u: 32-bit protected mode (%u, multiboot) or "
			 "64-bit mode (%u, Linux) expected", id, b->mode, VMK_VM_BOOT_PROT32,
			 VMK_VM_BOOT_LONG64);
		err = -EINVAL;
		goto out_unlock;
	}
	/* The 64-bit start runs on the loader's page tables and GDT: both
	 * must be the VM's RAM, or its first instruction faults to a triple
	 * fault nobody could explain. */
	if (b->mode == VMK_VM_BOOT_LONG64 &&
	    (b->cr3 % PAGE_SIZE || b->cr3 >= vm->ram_bytes ||
	     vm->ram_bytes - b->cr3 < PAGE_SIZE || b->gdt_limit < 0x1f ||
	     b->gdt_limit > 0xffff || b->gdt_base >= vm->ram_bytes ||
	     vm->ram_bytes - b->gdt_base <= b->gdt_limit)) {
		log_warn("vm %u: 64-bit start with page tables at 0x%lx and GDT 0x%lx+0x%x: "
			 "both must lie in its %lu MB, the tables page aligned, the GDT "
			 "holding 0x10 and 0x18", id, b->cr3, b->gdt_base, b->gdt_limit,
			 vm->ram_bytes >> 20);
		err = -EINVAL;
		goto out_unlock;
	}
	if (b->rip >= vm->ram_bytes || b->rip > 0xffffffffULL ||
	    b->rsp > 0xffffffffULL) {
		log_warn("vm %u: entry 0x%lx or stack 0x%lx outside its %lu MB",
			 id, b->rip, b->rsp, vm->ram_bytes >> 20);
		err = -EINVAL;
		goto out_unlock;
	}
	err = vm_wait_parked(vm);
	if (err)
		goto out_unlock;
	/* The boot image, for the guest's resets: its pages count as the
	 * VM's, and a start without room for them is refused. */
	if (READ_ONCE(vm->state) == VMK_VM_LOADING) {
		err = vm_image_save(vm);
		if (err)
			goto out_unlock;
	}
	/* The APICs first: they take vm->lock themselves.  No VCPU runs (all
	 * wait), and a VM that turns out not to be loading has stopped
	 * anyway. */
	if (READ_ONCE(vm->state) == VMK_VM_LOADING)
		for (u32 i = 0; i < vm->nvcpus; i++)
			lapic_reset(vm->vcpu[i], i == 0);
	spin_lock(&vm->lock);
	if (READ_ONCE(vm->vcpu[0]->quit)) {
		log_warn("vm %u (%s) is being destroyed", id, vm->name);
		err = -EBUSY;
		spin_unlock(&vm->lock);
		goto out_unlock;
	}
	if (vm->state != VMK_VM_LOADING) {
		static const char *const names[] = VMK_VM_STATE_NAMES;

		log_warn("vm %u (%s) is %s: it starts only once loaded (reset it first)",
			 id, vm->name, names[vm->state]);
		err = -EBUSY;
		spin_unlock(&vm->lock);
		goto out_unlock;
	}
	for (u32 i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = vm->vcpu[i];

		v->init_pending = false;
		v->sipi_vector = 0;
		v->pat = 0x0007040600070406ULL;
		v->misc_enable = 1;
		memset(v->exits, 0, sizeof(v->exits));
		v->run_cycles = v->exit_cycles = 0;
		v->reset_gen = vm->reset_gen;
		v->boot_pending = false;
		WRITE_ONCE(v->run_state, i == 0 ? VCPU_RUNNABLE : VCPU_WAIT_SIPI);
	}
	vm->boot = *b;
	vm->resetting = false;
	vm->reset_acks = vm->reboots = 0;
	vm->cf9 = 0;
	vm->power_request = VMK_POWEROP_NONE;
	vm->tools_seen = false;
	ioapic_reset(vm);
	pic_reset(vm);
	cmos_reset(vm, b->rtc_epoch);
	virt_vcpu_boot(vm->vcpu[0], b);
	vm->exit_code = 0;
	vm->reason[0] = '\0';
	vm->started_ns = arch_uptime_ns();
	WRITE_ONCE(vm->state, VMK_VM_RUNNING);
	spin_unlock(&vm->lock);
	vcpu_kick(vm->vcpu[0]);
	log_info("vm %u (%s): started at 0x%lx", id, vm->name, b->rip);
out_unlock:
	spin_unlock(&cpu_lock);
	return err;
}

s64 vm_stop(u32 id, u32 how)
{
	struct vm *vm;
	bool ended;
	int err;

	if (how != VMK_VM_STOP_SOFT && how != VMK_VM_STOP_HARD)
		return -EINVAL;
	spin_lock(&cpu_lock);
	vm = vm_find(id, &err);
	if (!vm)
		goto out_unlock;
	spin_lock(&vm->lock);
	/* A guest whose tools run is asked, and powers itself off. */
	if (how == VMK_VM_STOP_SOFT && vm->state == VMK_VM_RUNNING && vm->tools_seen) {
		vm->power_request = VMK_POWEROP_HALT;
		spin_unlock(&vm->lock);
		log_info("vm %u (%s): its guest's tools are asked to power it off", id,
			 vm->name);
		goto out_unlock;
	}
	ended = vm_end(vm, VMK_VM_OFF, 0, how == VMK_VM_STOP_HARD ?
		       "powered off from the console" : "stopped from the console");
	spin_unlock(&vm->lock);
	if (!ended) {
		log_warn("vm %u (%s) is not running", id, vm->name);
		err = -EBUSY;
		goto out_unlock;
	}
	err = vm_wait_parked(vm);
	if (!err)
		log_info("vm %u (%s): off: %s", id, vm->name, vm->reason);
out_unlock:
	spin_unlock(&cpu_lock);
	return err;
}

s64 vm_reset(u32 id, u32 how)
{
	struct vm *vm;
	int err;

	if (how != VMK_VM_RESET_HARD && how != VMK_VM_RESET_SOFT)
		return -EINVAL;
	spin_lock(&cpu_lock);
	vm = vm_find(id, &err);
	if (!vm)
		goto out_unlock;
	spin_lock(&vm->lock);
	if (how == VMK_VM_RESET_SOFT) {
		/* Only a guest whose tools run can reboot itself. */
		if (vm->state == VMK_VM_RUNNING && vm->tools_seen) {
			vm->power_request = VMK_POWEROP_REBOOT;
			log_info("vm %u (%s): its guest's tools are asked to reboot it",
				 id, vm->name);
		} else {
			log_warn("vm %u (%s): no soft reset: its guest's tools have not "
				 "been seen", id, vm->name);
			err = -ENOTSUP;
		}
		spin_unlock(&vm->lock);
		goto out_unlock;
	}
	vm_end(vm, VMK_VM_OFF, 0, "reset from the console");
	spin_unlock(&vm->lock);
	err = vm_wait_parked(vm);
	if (err)
		goto out_unlock;
	vm_image_free(vm);
	spin_lock(&vm->lock);
	vm_ram_clear(vm);
	memset(vm->loaded, 0, ((vm->ram_bytes >> PAGE_SHIFT) + 7) / 8);
	vm->resetting = false;
	uart_fini(vm);
	err = uart_init(vm);
	CHECK(err == 0 || err == -ENOMEM);
	if (!err) {
		vm->state = VMK_VM_LOADING;
		vm->exit_code = 0;
		vm->reason[0] = '\0';
		vm->started_ns = 0;
	}
	spin_unlock(&vm->lock);
	if (!err)
		log_info("vm %u (%s): reset: loading again", id, vm->name);
out_unlock:
	spin_unlock(&cpu_lock);
	return err;
}

/* What its exits cost, for the log: cycles in a run (VMRUN to #VMEXIT,
 * the guest's own time included) and in the VMM between runs. */
static void vm_log_costs(struct vm *vm)
{
	u64 exits = 0, run = 0, vmm = 0;

	for (u32 i = 0; i < vm->nvcpus; i++) {
		for (u32 k = 0; k < VMK_VM_EXIT_KINDS; k++)
			exits += READ_ONCE(vm->vcpu[i]->exits[k]);
		run += READ_ONCE(vm->vcpu[i]->run_cycles);
		vmm += READ_ONCE(vm->vcpu[i]->exit_cycles);
	}
	if (exits)
		log_info("vm %u (%s): %lu exits, %lu cycles a run, %lu cycles in the "
			 "VMM per exit", vm->id, vm->name, exits, run / exits,
			 vmm / exits);
}

s64 vm_destroy(u32 id)
{
	struct vm *vm;
	u32 slot;
	int err;

	spin_lock(&cpu_lock);
	vm = vm_find(id, &err);
	if (!vm)
		goto out_unlock;
	spin_lock(&vm->lock);
	vm_end(vm, VMK_VM_OFF, 0, "destroyed");
	spin_unlock(&vm->lock);
	vm_log_costs(vm);
	err = vm_vcpus_fini(vm);
	if (err)
		goto out_unlock;
	for (slot = 0; vm_table[slot] != vm; slot++)
		;
	WRITE_ONCE(vm_table[slot], NULL);
	vm_nr--;
	log_info("vm %u (%s): destroyed", id, vm->name);
	vm_free(vm);
out_unlock:
	spin_unlock(&cpu_lock);
	return err;
}

/* A world's used time now (its own CPU updates the record without telling
 * anyone, so this is a snapshot). */
static u64 vm_world_used(const struct world *w)
{
	u64 used = READ_ONCE(w->st.used_ns);
	u64 since = READ_ONCE(w->state_since), now = arch_now_ns();

	if (READ_ONCE(w->state) == WORLD_RUNNING && now > since)
		used += now - since;
	return used;
}

s64 vm_info(u32 id, struct vmk_vm_info *out)
{
	struct pool_alloc a;
	struct vm *vm;
	int err;

	memset(out, 0, sizeof(*out));
	spin_lock(&cpu_lock);
	vm = vm_find(id, &err);
	if (!vm)
		goto out_unlock;
	a = vm->group->node.alloc;
	spin_lock(&vm->lock);
	out->id = vm->id;
	out->state = vm->state;
	memcpy(out->name, vm->name, sizeof(out->name));
	memcpy(out->pool, vm->config.pool, sizeof(out->pool));
	out->memsize_mb = vm->config.memsize_mb;
	out->nvcpus = vm->nvcpus;
	out->shares = a.shares;
	out->min_pct = (u32)(a.res * 100 / SCHED_CPU_UNITS);
	out->max_pct = a.limit == POOL_UNLIMITED ? 0 :
		       (u32)(a.limit * 100 / SCHED_CPU_UNITS);
	out->exit_code = vm->exit_code;
	out->affinity = vm->config.affinity;
	out->pages = vm->pages;
	for (u32 i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = vm->vcpu[i];

		out->vcpu_world[i] = v->world ? v->world->id : 0;
		if (v->world)
			out->used_ns += vm_world_used(v->world);
		for (u32 k = 0; k < VMK_VM_EXIT_KINDS; k++)
			out->exits[k] += READ_ONCE(v->exits[k]);
	}
	out->started_ns = vm->started_ns;
	out->serial_head = __atomic_load_n(&vm->uart.out_head, __ATOMIC_ACQUIRE);
	out->now_ns = arch_uptime_ns();
	memcpy(out->reason, vm->reason, sizeof(out->reason));
	spin_unlock(&vm->lock);
out_unlock:
	spin_unlock(&cpu_lock);
	return err;
}

s64 vm_next(u32 id)
{
	u32 best = 0;

	spin_lock(&cpu_lock);
	for (u32 i = 0; i < VMK_VM_MAX; i++) {
		struct vm *vm = vm_table[i];

		if (vm && vm->id > id && (!best || vm->id < best))
			best = vm->id;
	}
	spin_unlock(&cpu_lock);
	return best;
}

s64 vm_set(const struct vmk_vm_config *c)
{
	struct vmk_vm_config n;
	struct pool_alloc ga, va;
	struct vm *vm;
	int err;

	if (c->set & ~(VMK_VM_SET_SHARES | VMK_VM_SET_MIN | VMK_VM_SET_MAX |
		       VMK_VM_SET_AFFINITY)) {
		log_warn("vm %u: unknown settings 0x%x", c->id, c->set);
		return -EINVAL;
	}
	spin_lock(&cpu_lock);
	vm = vm_find(c->id, &err);
	if (!vm)
		goto out_unlock;
	n = vm->config;
	if (c->set & VMK_VM_SET_SHARES)
		n.shares = c->shares;
	if (c->set & VMK_VM_SET_MIN)
		n.min_pct = c->min_pct;
	if (c->set & VMK_VM_SET_MAX)
		n.max_pct = c->max_pct;
	if (c->set & VMK_VM_SET_AFFINITY)
		n.affinity = c->affinity;
	err = vm_check_cpu(&n, vm->nvcpus);
	if (err)
		goto out_unlock;
	ga = vm_group_alloc(&n, vm->nvcpus);
	if (c->set & (VMK_VM_SET_SHARES | VMK_VM_SET_MIN | VMK_VM_SET_MAX)) {
		err = pool_set_alloc(&vm->group->node, &ga);
		if (err) {
			if (err == -ENOSPC)
				log_warn("vm %u: a reservation of %u%% cannot be met",
					 c->id, n.min_pct);
			goto out_unlock;
		}
		va = vm_vcpu_alloc(&ga, vm->nvcpus);
		for (u32 i = 0; i < vm->nvcpus; i++)
			CHECK(world_set_alloc(vm->vcpu[i]->world, &va) == 0);
		sched_entitle_dirty();
	}
	if (c->set & VMK_VM_SET_AFFINITY)
		for (u32 i = 0; i < vm->nvcpus && !err; i++)
			err = sched_set_affinity(vm->vcpu[i]->world,
						 n.affinity ? n.affinity : ~0ULL);
	if (!err) {
		vm->config.shares = n.shares;
		vm->config.min_pct = n.min_pct;
		vm->config.max_pct = n.max_pct;
		vm->config.affinity = n.affinity;
		log_info("vm %u (%s): shares %u min %u%% max %u%% affinity 0x%lx",
			 vm->id, vm->name, ga.shares, n.min_pct, n.max_pct, n.affinity);
	}
out_unlock:
	spin_unlock(&cpu_lock);
	return err;
}

s64 vm_serial_read(u32 id, char *dst, u64 len, u64 from)
{
	struct vm *vm;
	s64 ret;
	int err;

	spin_lock(&cpu_lock);
	vm = vm_find(id, &err);
	if (!vm) {
		ret = err;
	} else {
		spin_lock(&vm->lock);
		ret = (s64)uart_read_out(vm, dst, len, from);
		spin_unlock(&vm->lock);
	}
	spin_unlock(&cpu_lock);
	return ret;
}

s64 vm_serial_write(u32 id, const char *src, u64 len)
{
	struct vm *vm;
	s64 ret;
	int err;

	spin_lock(&cpu_lock);
	vm = vm_find(id, &err);
	if (!vm) {
		ret = err;
	} else {
		spin_lock(&vm->lock);
		ret = (s64)uart_write_in(vm, src, len);
		spin_unlock(&vm->lock);
		vmm_irq_kick(vm);
	}
	spin_unlock(&cpu_lock);
	return ret;
}
