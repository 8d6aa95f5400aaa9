// SPDX-License-Identifier: GPL-2.0
/*
 * Loadable modules: code appended to the running vmkernel from the
 * console, as ESX's vmkload_mod did.  A module arrives as an ELF
 * relocatable object in a vmkcall buffer; lib/modelf.c checks it (the
 * same checks the console ran) and relocates it into pages of the module
 * heap, against the symbol table built here from VMK_MOD_EXPORTS.  Its
 * text is then mapped read-only and executable, everything else not
 * executable, and its init runs.  A failure at any step undoes all the
 * earlier ones, so a refused module changes nothing.
 *
 * Module vmkcalls (VMK_CALL_MODULE_BASE ...) are looked up in a slot
 * table.  A call in flight holds a count on its module, and an unload
 * first takes the module's slots away, then waits for that count to
 * drain, so a module's code is never freed under a running call.
 *
 * module_lock guards the table, every module's state, refs and
 * in-flight count, and the slots.  It is never held while module code
 * runs.
 */
#include <vmk/arch.h>
#include <vmk/errno.h>
#include <vmk/log.h>
#include <vmk/machine.h>
#include <vmk/mem.h>
#include <vmk/modelf.h>
#include <vmk/module.h>
#include <vmk/string.h>

enum module_state { MODULE_LOADING, MODULE_LIVE, MODULE_UNLOADING };

struct module {
	u32 id;
	enum module_state state;
	u32 refs;		/* live modules that depend on this one */
	u32 in_flight;		/* vmkcalls running in its code */
	struct module *deps[VMK_MOD_DEPS_MAX];
	u8 *base;
	u32 order;		/* base is 2^order pages of the module heap */
	u64 size, text_size;
	u64 part_off[MODELF_PARTS], part_size[MODELF_PARTS];
	u64 load_ns;
	void (*cleanup)(void);
	struct vmk_modinfo info;
};

static struct spinlock module_lock = SPINLOCK_INIT("module", LOCK_RANK_MODULE);
static struct module *modules[VMK_MOD_LOADED_MAX];
static u32 module_next_id = 1;

static struct {
	module_call_fn fn;
	struct module *owner;
} module_slots[VMK_CALL_MODULE_SLOTS];

/* What modules may call, in VMK_MOD_EXPORTS' order (modelf's indices). */
static void *const module_exports[] = {
#define MODULE_EXPORT(n) (void *)&n,
	VMK_MOD_EXPORTS(MODULE_EXPORT)
#undef MODULE_EXPORT
};

struct heap *module_heap(void)
{
	return mem_heap(MEM_HEAP_MODULE);
}

/* Under module_lock. */
static struct module *module_by_name(const char *name)
{
	for (u32 i = 0; i < VMK_MOD_LOADED_MAX; i++)
		if (modules[i] && !strcmp(modules[i]->info.name, name))
			return modules[i];
	return NULL;
}

/* Under module_lock: the module whose text holds addr. */
static struct module *module_by_text(u64 addr)
{
	for (u32 i = 0; i < VMK_MOD_LOADED_MAX; i++) {
		struct module *m = modules[i];

		if (m && addr >= (u64)m->base && addr < (u64)m->base + m->text_size)
			return m;
	}
	return NULL;
}

/*
 * Takes a table slot and references on the dependencies, under the lock,
 * so that two loads of one name cannot both pass and a dependency cannot
 * go away while this module loads.
 */
static int module_reserve(struct module *m)
{
	u32 slot = VMK_MOD_LOADED_MAX, d;
	int err = 0;

	spin_lock(&module_lock);
	if (module_by_name(m->info.name)) {
		log_warn("module %s: a module of that name is loaded", m->info.name);
		err = -EEXIST;
		goto out;
	}
	for (u32 i = 0; i < VMK_MOD_LOADED_MAX; i++)
		if (!modules[i]) {
			slot = i;
			break;
		}
	if (slot == VMK_MOD_LOADED_MAX) {
		err = -ENOSPC;
		goto out;
	}
	for (d = 0; d < VMK_MOD_DEPS_MAX && m->info.deps[d][0]; d++) {
		struct module *dep = module_by_name(m->info.deps[d]);

		if (!dep || dep->state != MODULE_LIVE) {
			log_warn("module %s needs %s loaded first", m->info.name,
				 m->info.deps[d]);
			err = -ENOENT;
			goto out;
		}
		m->deps[d] = dep;
	}
	for (d = 0; d < VMK_MOD_DEPS_MAX && m->deps[d]; d++)
		m->deps[d]->refs++;
	m->id = module_next_id++;
	m->state = MODULE_LOADING;
	modules[slot] = m;
out:
	spin_unlock(&module_lock);
	return err;
}

/* Takes m out of the table: its slots, its references, its entry. */
static void module_release(struct module *m)
{
	spin_lock(&module_lock);
	for (u32 s = 0; s < VMK_CALL_MODULE_SLOTS; s++)
		if (module_slots[s].owner == m)
			module_slots[s].fn = NULL, module_slots[s].owner = NULL;
	for (u32 d = 0; d < VMK_MOD_DEPS_MAX && m->deps[d]; d++)
		m->deps[d]->refs--;
	for (u32 i = 0; i < VMK_MOD_LOADED_MAX; i++)
		if (modules[i] == m)
			modules[i] = NULL;
	spin_unlock(&module_lock);
}

static int module_protect(struct module *m, struct modelf *e)
{
	int err = arch_module_protect(m->base + e->part_off[MODELF_TEXT],
				      e->part_size[MODELF_TEXT], MODULE_PROT_RX);

	if (!err && e->part_size[MODELF_RODATA])
		err = arch_module_protect(m->base + e->part_off[MODELF_RODATA],
					  e->part_size[MODELF_RODATA], MODULE_PROT_R);
	if (!err && e->part_size[MODELF_DATA])
		err = arch_module_protect(m->base + e->part_off[MODELF_DATA],
					  e->part_size[MODELF_DATA], MODULE_PROT_RW);
	return err;
}

s64 module_load(const void *file, u64 size)
{
	u64 module_export_addrs[ARRAY_SIZE(module_exports)];
	struct heap *h = module_heap(), *kh = mem_heap(MEM_HEAP_KERNEL);
	u32 copy_order = page_order_for(size);
	struct modelf *e;
	struct module *m;
	u8 *copy = NULL;
	u64 init, cleanup;
	s64 ret;
	int err;

	if (size == 0 || size > VMK_MOD_FILE_MAX)
		return -E2BIG;
	e = heap_zalloc(kh, sizeof(*e));
	m = heap_zalloc(kh, sizeof(*m));
	/* The console could change its buffer under us: check and relocate
	 * a copy of it. */
	copy = heap_alloc_pages(kh, copy_order);
	if (!e || !m || !copy) {
		ret = -ENOMEM;
		goto error_free_meta;
	}
	memcpy(copy, file, size);
	err = modelf_check(e, copy, size);
	if (err) {
		log_warn("module refused: %s", e->err);
		ret = err;
		goto error_free_meta;
	}
	memcpy(&m->info, &e->info, sizeof(m->info));
	m->size = e->image_size;
	m->text_size = e->part_size[MODELF_TEXT];
	memcpy(m->part_off, e->part_off, sizeof(m->part_off));
	memcpy(m->part_size, e->part_size, sizeof(m->part_size));
	m->order = page_order_for(m->size);
	if ((err = module_reserve(m))) {
		ret = err;
		goto error_free_meta;
	}
	m->base = heap_alloc_pages(h, m->order);
	if (!m->base) {
		log_warn("module %s: no memory for %lu bytes", m->info.name, m->size);
		ret = -ENOMEM;
		goto error_release;
	}
	for (u32 i = 0; i < ARRAY_SIZE(module_exports); i++)
		module_export_addrs[i] = (u64)module_exports[i];
	err = modelf_relocate(e, m->base, (u64)m->base, module_export_addrs,
			      &init, &cleanup);
	if (err) {
		log_warn("module %s refused: %s", m->info.name, e->err);
		ret = err;
		goto error_free_pages;
	}
	if ((err = module_protect(m, e))) {
		ret = err;
		goto error_unprotect;
	}
	m->cleanup = (void (*)(void))cleanup;
	m->load_ns = arch_uptime_ns();
	log_info("module %s %s: %lu bytes at 0x%lx, running init", m->info.name,
		 m->info.version, m->size, (u64)m->base);
	err = ((int (*)(void))init)();
	if (err) {
		log_warn("module %s: init failed with %d; unloaded", m->info.name, err);
		ret = err < 0 ? err : -EINVAL;
		goto error_unprotect;
	}
	spin_lock(&module_lock);
	m->state = MODULE_LIVE;
	ret = m->id;
	spin_unlock(&module_lock);
	heap_free_pages(kh, copy, copy_order);
	heap_free(kh, e);
	return ret;

error_unprotect:
	/* The slots go first: no call may enter the code being freed. */
	module_release(m);
	arch_module_protect(m->base, (u64)PAGE_SIZE << m->order, MODULE_PROT_REGION);
	heap_free_pages(h, m->base, m->order);
	goto error_free_meta;
error_free_pages:
	heap_free_pages(h, m->base, m->order);
error_release:
	module_release(m);
error_free_meta:
	if (copy)
		heap_free_pages(kh, copy, copy_order);
	heap_free(kh, m);
	heap_free(kh, e);
	return ret;
}

int module_unload(u32 id)
{
	struct module *m = NULL;
	int err = 0;

	spin_lock(&module_lock);
	for (u32 i = 0; i < VMK_MOD_LOADED_MAX; i++)
		if (modules[i] && modules[i]->id == id)
			m = modules[i];
	if (!m) {
		err = -ENOENT;
	} else if (m->state != MODULE_LIVE || m->refs || m->in_flight) {
		log_warn("module %s: in use (%u dependent modules), not unloaded",
			 m->info.name, m->refs);
		err = -EBUSY;
	} else {
		m->state = MODULE_UNLOADING;
		for (u32 s = 0; s < VMK_CALL_MODULE_SLOTS; s++)
			if (module_slots[s].owner == m)
				module_slots[s].fn = NULL, module_slots[s].owner = NULL;
	}
	spin_unlock(&module_lock);
	if (err)
		return err;
	if (m->cleanup)
		m->cleanup();
	/* A call that found its slot before it was cleared may still run. */
	for (;;) {
		spin_lock(&module_lock);
		u32 busy = m->in_flight;
		spin_unlock(&module_lock);
		if (!busy)
			break;
		arch_cpu_relax();
	}
	log_info("module %s unloaded", m->info.name);
	module_release(m);
	arch_module_protect(m->base, (u64)PAGE_SIZE << m->order, MODULE_PROT_REGION);
	heap_free_pages(module_heap(), m->base, m->order);
	heap_free(mem_heap(MEM_HEAP_KERNEL), m);
	return 0;
}

/* What the page tables say, so that a listing shows the protection the
 * pages have, not the one they were meant to get. */
static u32 module_prot_seen(struct module *m)
{
	u32 prot = 0;
	bool nx = true;

	if (arch_module_prot_is(m->base, m->part_size[MODELF_TEXT], MODULE_PROT_RX))
		prot |= VMK_MOD_PROT_TEXT_RO;
	if (m->part_size[MODELF_RODATA])
		nx = arch_module_prot_is(m->base + m->part_off[MODELF_RODATA],
					 m->part_size[MODELF_RODATA], MODULE_PROT_R);
	if (nx && m->part_size[MODELF_DATA])
		nx = arch_module_prot_is(m->base + m->part_off[MODELF_DATA],
					 m->part_size[MODELF_DATA], MODULE_PROT_RW);
	return prot | (nx ? VMK_MOD_PROT_DATA_NX : 0);
}

u32 module_list(struct vmk_module_stat *out, u32 max)
{
	u32 n = 0;

	spin_lock(&module_lock);
	for (u32 i = 0; i < VMK_MOD_LOADED_MAX && n < max; i++) {
		struct module *m = modules[i];
		struct vmk_module_stat st;

		if (!m || m->state != MODULE_LIVE)
			continue;
		memset(&st, 0, sizeof(st));
		st.id = m->id;
		st.refs = m->refs;
		for (u32 s = 0; s < VMK_CALL_MODULE_SLOTS; s++)
			st.ncalls += module_slots[s].owner == m;
		st.prot = module_prot_seen(m);
		st.base = (u64)m->base;
		st.size = m->size;
		st.text_size = m->text_size;
		st.load_ns = m->load_ns;
		memcpy(st.name, m->info.name, sizeof(st.name));
		memcpy(st.version, m->info.version, sizeof(st.version));
		memcpy(st.deps, m->info.deps, sizeof(st.deps));
		memcpy(&out[n++], &st, sizeof(st));
	}
	spin_unlock(&module_lock);
	return n;
}

int module_vmkcall_register(u32 nr, module_call_fn fn)
{
	u32 s = nr - VMK_CALL_MODULE_BASE;
	int err = 0;

	if (nr < VMK_CALL_MODULE_BASE || s >= VMK_CALL_MODULE_SLOTS)
		return -EINVAL;
	spin_lock(&module_lock);
	struct module *m = module_by_text((u64)fn);
	if (!m || m->state == MODULE_UNLOADING)
		err = -EINVAL;
	else if (module_slots[s].fn)
		err = -EBUSY;
	else
		module_slots[s].fn = fn, module_slots[s].owner = m;
	spin_unlock(&module_lock);
	return err;
}

int module_vmkcall_unregister(u32 nr, module_call_fn fn)
{
	u32 s = nr - VMK_CALL_MODULE_BASE;
	int err = 0;

	if (nr < VMK_CALL_MODULE_BASE || s >= VMK_CALL_MODULE_SLOTS)
		return -EINVAL;
	spin_lock(&module_lock);
	if (module_slots[s].fn != fn)
		err = -ENOENT;
	else
		module_slots[s].fn = NULL, module_slots[s].owner = NULL;
	spin_unlock(&module_lock);
	return err;
}

s64 module_call(u64 nr, u64 a0, u64 a1, u64 a2, u64 a3)
{
	u64 s = nr - VMK_CALL_MODULE_BASE;
	module_call_fn fn;
	struct module *m;
	s64 ret;

	if (nr < VMK_CALL_MODULE_BASE || s >= VMK_CALL_MODULE_SLOTS)
		return -ENOSYS;
	spin_lock(&module_lock);
	fn = module_slots[s].fn;
	m = module_slots[s].owner;
	if (fn)
		m->in_flight++;
	spin_unlock(&module_lock);
	if (!fn)
		return -ENOSYS;
	ret = fn(a0, a1, a2, a3);
	spin_lock(&module_lock);
	m->in_flight--;
	spin_unlock(&module_lock);
	return ret;
}
