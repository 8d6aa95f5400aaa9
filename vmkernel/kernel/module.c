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
 * Modules add to the vmkernel in three more ways, each taken away again
 * before the module's code is freed: worlds that run module functions
 * (kept by sysworld.c with the module as their owner), read-only files
 * the shim shows under /proc/vmware (a read holds the in-flight count as
 * a call does), and one hook on every vmkernel CPU's timer interrupt
 * (each CPU marks itself busy while it runs the hook, and taking the
 * hook away waits until no CPU is).
 *
 * Unloading: refused while another module depends on this one or (if
 * it has no cleanup to stop them) a world of its own runs.  Otherwise
 * its vmkcalls, files, timers and tick hook go first, then the calls,
 * reads and timer runs in flight drain, cleanup runs, any world it left
 * is stopped with a warning, and its pages are freed.
 *
 * module_lock guards the table, every module's state, refs and
 * in-flight count, the slots and the file table.  It is never held
 * while module code runs.
 */
#include <vmk/arch.h>
#include <vmk/errno.h>
#include <vmk/log.h>
#include <vmk/machine.h>
#include <vmk/mem.h>
#include <vmk/modelf.h>
#include <vmk/module.h>
#include <vmk/string.h>
#include <vmk/sysworld.h>
#include <vmk/world.h>

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

static struct {
	u32 id;			/* 0: free */
	struct module *owner;
	module_file_fn show;
	char name[VMK_MOD_NAME_LEN];
} module_files_tbl[VMK_MOD_FILES_MAX];
static u32 module_file_next_id = 1;

/* The shim's own files under /proc/vmware. */
static const char *const module_file_reserved[] = {
	"version", "log", "cpuinfo", "worlds", "mem", "modules", "vm",
};

/* Timers (module_timer_start); a running one is never freed here, its
 * run frees it if it was cancelled meanwhile. */
static struct {
	u32 id;			/* 0: free */
	bool running, cancelled;
	struct module *owner;
	module_timer_fn fn;
	void *arg;
	u64 due, period;
} module_timers[MODULE_TIMERS_MAX];
static u32 module_timer_next_id = 1;
static u32 module_ntimers;	/* slots in use: the tick looks only if any */

/* The tick hook; each CPU's busy flag is set while it runs it. */
static module_tick_fn module_tick_hook;
static struct module *module_tick_owner;
static u32 module_tick_busy[VMK_MAX_CPUS];

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

/* Under module_lock: a timer slot freed, or marked so that its run in
 * progress frees it. */
static void module_timer_free(u32 t)
{
	if (module_timers[t].running) {
		module_timers[t].cancelled = true;
		return;
	}
	memset(&module_timers[t], 0, sizeof(module_timers[t]));
	__atomic_sub_fetch(&module_ntimers, 1, __ATOMIC_RELEASE);
}

/* Under module_lock: takes away m's vmkcalls, files and tick hook, so
 * that nothing new enters its code (module_tick_drain() then waits for
 * a hook still running). */
static void module_withdraw(struct module *m)
{
	for (u32 s = 0; s < VMK_CALL_MODULE_SLOTS; s++)
		if (module_slots[s].owner == m)
			module_slots[s].fn = NULL, module_slots[s].owner = NULL;
	for (u32 f = 0; f < VMK_MOD_FILES_MAX; f++)
		if (module_files_tbl[f].id && module_files_tbl[f].owner == m)
			memset(&module_files_tbl[f], 0, sizeof(module_files_tbl[f]));
	if (module_tick_owner == m) {
		__atomic_store_n(&module_tick_hook, NULL, __ATOMIC_SEQ_CST);
		module_tick_owner = NULL;
	}
	for (u32 t = 0; t < MODULE_TIMERS_MAX; t++)
		if (module_timers[t].id && module_timers[t].owner == m)
			module_timer_free(t);
}

static void module_tick_drain(void)
{
	for (u32 c = 0; c < arch_ncpus() && c < VMK_MAX_CPUS; c++)
		while (__atomic_load_n(&module_tick_busy[c], __ATOMIC_SEQ_CST))
			arch_cpu_relax();
}

/* Takes m out of the table: its slots, its references, its entry. */
static void module_release(struct module *m)
{
	spin_lock(&module_lock);
	module_withdraw(m);
	for (u32 d = 0; d < VMK_MOD_DEPS_MAX && m->deps[d]; d++)
		m->deps[d]->refs--;
	for (u32 i = 0; i < VMK_MOD_LOADED_MAX; i++)
		if (modules[i] == m)
			modules[i] = NULL;
	spin_unlock(&module_lock);
	module_tick_drain();
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
	if (sysworld_remove_owned(m)) {
		/* A world init started runs on in the module's code: its
		 * pages must stay. */
		log_err("module %s: a world of its own would not stop; its %lu bytes stay",
			m->info.name, m->size);
		goto error_free_meta_kept;
	}
	arch_module_protect(m->base, (u64)PAGE_SIZE << m->order, MODULE_PROT_REGION);
	heap_free_pages(h, m->base, m->order);
	goto error_free_meta;
error_free_pages:
	heap_free_pages(h, m->base, m->order);
error_release:
	module_release(m);
error_free_meta:
	heap_free(kh, m);
error_free_meta_kept:
	if (copy)
		heap_free_pages(kh, copy, copy_order);
	heap_free(kh, e);
	return ret;
}

int module_unload(u32 id)
{
	struct module *m = NULL;
	u32 world = 0;
	int err = 0;

	spin_lock(&module_lock);
	for (u32 i = 0; i < VMK_MOD_LOADED_MAX; i++)
		if (modules[i] && modules[i]->id == id)
			m = modules[i];
	if (!m) {
		err = -ENOENT;
	} else if (m->state != MODULE_LIVE || m->refs) {
		log_warn("module %s: in use (%u dependent modules), not unloaded",
			 m->info.name, m->refs);
		err = -EBUSY;
	} else if (!m->cleanup && sysworld_owned(m, &world)) {
		log_warn("module %s: in use: its world %u runs its code and it has no "
			 "cleanup to stop it (vmkworld destroy %u first)",
			 m->info.name, world, world);
		err = -EBUSY;
	} else {
		m->state = MODULE_UNLOADING;
		module_withdraw(m);
	}
	spin_unlock(&module_lock);
	if (err)
		return err;
	module_tick_drain();
	/* A call that found its slot before it was cleared may still run;
	 * cleanup may free what it uses. */
	for (;;) {
		spin_lock(&module_lock);
		u32 busy = m->in_flight;
		spin_unlock(&module_lock);
		if (!busy)
			break;
		arch_cpu_relax();
	}
	if (m->cleanup)
		m->cleanup();
	if (sysworld_remove_owned(m)) {
		log_err("module %s: a world of its own would not stop; the module stays, unloading",
			m->info.name);
		return -EBUSY;
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

/* ---- worlds, files, the tick hook ---------------------------------------- */

/* The live or loading module whose text holds addr, or NULL. */
static struct module *module_of_code(u64 addr)
{
	struct module *m;

	spin_lock(&module_lock);
	m = module_by_text(addr);
	if (m && m->state == MODULE_UNLOADING)
		m = NULL;
	spin_unlock(&module_lock);
	return m;
}

s64 module_world_create(const char *name, module_world_fn fn, void *arg, u32 shares)
{
	struct vmk_world_req r;
	struct module *m = module_of_code((u64)fn);

	if (!m || !name) {
		log_warn("module world: its function lies in no loaded module");
		return -EINVAL;
	}
	memset(&r, 0, sizeof(r));
	if (strnlen(name, sizeof(r.name)) == sizeof(r.name)) {
		log_warn("module %s: world name too long", m->info.name);
		return -EINVAL;
	}
	memcpy(r.name, name, strnlen(name, sizeof(r.name)));
	r.shares = shares;
	return sysworld_spawn(&r, (void (*)(void *))fn, arg, m);
}

/* The caller's module, by its return address: only a module's own
 * worlds are its to stop or wake. */
int module_world_stop(u32 id)
{
	struct module *m;

	spin_lock(&module_lock);
	m = module_by_text((u64)__builtin_return_address(0));
	spin_unlock(&module_lock);
	if (!m)
		return -EPERM;
	return (int)sysworld_stop_owned(id, m);
}

int module_world_wake(u32 id)
{
	struct module *m;

	spin_lock(&module_lock);
	m = module_by_text((u64)__builtin_return_address(0));
	spin_unlock(&module_lock);
	if (!m)
		return -EPERM;
	return sysworld_wake(id, m);
}

bool module_world_should_stop(void)
{
	return sysworld_should_stop();
}

void module_world_sleep(u64 ns)
{
	sysworld_sleep(ns);
}

void module_world_yield(void)
{
	sysworld_preempt();
}

static bool module_file_name_ok(const char *name)
{
	size_t n = strnlen(name, VMK_MOD_NAME_LEN);

	if (!n || n == VMK_MOD_NAME_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	for (u32 i = 0; i < ARRAY_SIZE(module_file_reserved); i++)
		if (!strcmp(name, module_file_reserved[i]))
			return false;
	return true;
}

int module_file_register(const char *name, module_file_fn show)
{
	u32 free = VMK_MOD_FILES_MAX;
	struct module *m;
	int err = 0;

	if (!name || !module_file_name_ok(name)) {
		log_warn("module file: a name is 1 to %u characters of a-z 0-9 _ -, "
			 "not one of the shim's own", VMK_MOD_NAME_LEN - 1);
		return -EINVAL;
	}
	spin_lock(&module_lock);
	m = module_by_text((u64)show);
	if (!m || m->state == MODULE_UNLOADING) {
		err = -EINVAL;
		goto out;
	}
	for (u32 f = 0; f < VMK_MOD_FILES_MAX; f++) {
		if (module_files_tbl[f].id && !strcmp(module_files_tbl[f].name, name)) {
			log_warn("module %s: /proc/vmware/%s is served by another module",
				 m->info.name, name);
			err = -EEXIST;
			goto out;
		}
		if (!module_files_tbl[f].id && free == VMK_MOD_FILES_MAX)
			free = f;
	}
	if (free == VMK_MOD_FILES_MAX) {
		log_warn("module %s: %u module files at most", m->info.name, VMK_MOD_FILES_MAX);
		err = -ENOSPC;
		goto out;
	}
	module_files_tbl[free].id = module_file_next_id++;
	module_files_tbl[free].owner = m;
	module_files_tbl[free].show = show;
	memcpy(module_files_tbl[free].name, name, strnlen(name, VMK_MOD_NAME_LEN));
out:
	spin_unlock(&module_lock);
	return err;
}

int module_file_unregister(const char *name)
{
	struct module *m;
	int err = -ENOENT;

	if (!name)
		return -EINVAL;
	spin_lock(&module_lock);
	m = module_by_text((u64)__builtin_return_address(0));
	for (u32 f = 0; m && f < VMK_MOD_FILES_MAX; f++)
		if (module_files_tbl[f].id && module_files_tbl[f].owner == m &&
		    !strncmp(module_files_tbl[f].name, name, VMK_MOD_NAME_LEN)) {
			memset(&module_files_tbl[f], 0, sizeof(module_files_tbl[f]));
			err = 0;
		}
	spin_unlock(&module_lock);
	return err;
}

u32 module_files(struct vmk_module_file *out, u32 max)
{
	u32 n = 0;

	spin_lock(&module_lock);
	for (u32 f = 0; f < VMK_MOD_FILES_MAX && n < max; f++) {
		struct vmk_module_file mf;

		if (!module_files_tbl[f].id || module_files_tbl[f].owner->state != MODULE_LIVE)
			continue;
		memset(&mf, 0, sizeof(mf));
		mf.id = module_files_tbl[f].id;
		mf.module_id = module_files_tbl[f].owner->id;
		memcpy(mf.name, module_files_tbl[f].name, sizeof(mf.name));
		memcpy(&out[n++], &mf, sizeof(mf));
	}
	spin_unlock(&module_lock);
	return n;
}

s64 module_file_read(u32 id, char *out, u64 len)
{
	struct heap *kh = mem_heap(MEM_HEAP_KERNEL);
	module_file_fn show = NULL;
	struct module *m = NULL;
	char *buf;
	u64 n;

	if (!id)
		return -ENOENT;
	buf = heap_zalloc(kh, VMK_MOD_FILE_TEXT_MAX);
	if (!buf)
		return -ENOMEM;
	spin_lock(&module_lock);
	for (u32 f = 0; f < VMK_MOD_FILES_MAX; f++)
		if (module_files_tbl[f].id == id && module_files_tbl[f].owner->state == MODULE_LIVE) {
			m = module_files_tbl[f].owner;
			show = module_files_tbl[f].show;
			m->in_flight++;
		}
	spin_unlock(&module_lock);
	if (!show) {
		heap_free(kh, buf);
		return -ENOENT;
	}
	/* Into the vmkernel's own buffer: the module never sees the
	 * console's memory, and what it claims to have written is capped. */
	n = show(buf, VMK_MOD_FILE_TEXT_MAX);
	spin_lock(&module_lock);
	m->in_flight--;
	spin_unlock(&module_lock);
	n = MIN(MIN(n, (u64)VMK_MOD_FILE_TEXT_MAX), len);
	memcpy(out, buf, n);
	heap_free(kh, buf);
	return (s64)n;
}

int module_tick_register(module_tick_fn fn)
{
	struct module *m;
	int err = 0;

	spin_lock(&module_lock);
	m = module_by_text((u64)fn);
	if (!m || m->state == MODULE_UNLOADING)
		err = -EINVAL;
	else if (module_tick_owner)
		err = -EBUSY;
	else {
		module_tick_owner = m;
		__atomic_store_n(&module_tick_hook, fn, __ATOMIC_SEQ_CST);
	}
	spin_unlock(&module_lock);
	if (err == -EBUSY)
		log_warn("module %s: the tick hook is %s's", m->info.name,
			 module_tick_owner->info.name);
	return err;
}

int module_tick_unregister(module_tick_fn fn)
{
	int err = 0;

	spin_lock(&module_lock);
	if (!fn || module_tick_hook != fn) {
		err = -ENOENT;
	} else {
		__atomic_store_n(&module_tick_hook, NULL, __ATOMIC_SEQ_CST);
		module_tick_owner = NULL;
	}
	spin_unlock(&module_lock);
	if (!err)
		module_tick_drain();
	return err;
}

void module_tick(u32 cpu, u64 rip, bool idle)
{
	module_tick_fn fn;

	/* With no hook, as almost always, one load. */
	if (cpu >= VMK_MAX_CPUS || !__atomic_load_n(&module_tick_hook, __ATOMIC_RELAXED))
		return;
	/* Busy before the hook is read again, and the hook cleared before
	 * busy is read by module_tick_drain(): one of the two sees the other. */
	__atomic_store_n(&module_tick_busy[cpu], 1, __ATOMIC_SEQ_CST);
	fn = __atomic_load_n(&module_tick_hook, __ATOMIC_SEQ_CST);
	if (fn)
		fn(cpu, rip, idle);
	__atomic_store_n(&module_tick_busy[cpu], 0, __ATOMIC_RELEASE);
}

s64 module_timer_start(module_timer_fn fn, void *arg, u64 delay_ns, u64 period_ns)
{
	struct module *m;
	s64 ret = -ENOSPC;

	spin_lock(&module_lock);
	m = module_by_text((u64)fn);
	if (!m || m->state == MODULE_UNLOADING) {
		ret = -EINVAL;
		goto out;
	}
	for (u32 t = 0; t < MODULE_TIMERS_MAX; t++) {
		if (module_timers[t].id)
			continue;
		memset(&module_timers[t], 0, sizeof(module_timers[t]));
		module_timers[t].id = module_timer_next_id++;
		module_timers[t].owner = m;
		module_timers[t].fn = fn;
		module_timers[t].arg = arg;
		module_timers[t].due = arch_now_ns() + delay_ns;
		module_timers[t].period = period_ns;
		__atomic_add_fetch(&module_ntimers, 1, __ATOMIC_RELEASE);
		ret = module_timers[t].id;
		break;
	}
	if (ret == -ENOSPC)
		log_warn("module %s: %u timers at most", m->info.name, MODULE_TIMERS_MAX);
out:
	spin_unlock(&module_lock);
	return ret;
}

int module_timer_cancel(u32 id)
{
	struct module *m;
	int err = -ENOENT;

	spin_lock(&module_lock);
	m = module_by_text((u64)__builtin_return_address(0));
	for (u32 t = 0; m && id && t < MODULE_TIMERS_MAX; t++)
		if (module_timers[t].id == id && module_timers[t].owner == m &&
		    !module_timers[t].cancelled) {
			module_timer_free(t);
			err = 0;
		}
	spin_unlock(&module_lock);
	return err;
}

void module_timers_run(void)
{
	if (!__atomic_load_n(&module_ntimers, __ATOMIC_ACQUIRE))
		return;
	/* Each due timer once: a periodic one is next due a period on. */
	for (u32 t = 0; t < MODULE_TIMERS_MAX; t++) {
		u64 now = arch_now_ns();
		module_timer_fn fn;
		struct module *m;
		void *arg;

		spin_lock(&module_lock);
		if (!module_timers[t].id || module_timers[t].running ||
		    module_timers[t].cancelled || module_timers[t].due > now ||
		    module_timers[t].owner->state == MODULE_UNLOADING) {
			spin_unlock(&module_lock);
			continue;
		}
		module_timers[t].running = true;
		if (module_timers[t].period)
			module_timers[t].due = now + module_timers[t].period;
		else
			module_timers[t].cancelled = true;
		fn = module_timers[t].fn;
		arg = module_timers[t].arg;
		m = module_timers[t].owner;
		m->in_flight++;
		spin_unlock(&module_lock);
		fn(arg);
		spin_lock(&module_lock);
		m->in_flight--;
		module_timers[t].running = false;
		if (module_timers[t].cancelled)
			module_timer_free(t);
		spin_unlock(&module_lock);
	}
}

u64 module_where(u64 addr, char *buf, u64 size)
{
	struct module *m;
	u64 off;
	int n;

	if (!buf || !size)
		return 0;
	if (mem_in_image((const void *)addr, &off)) {
		n = snprintf(buf, size, "vmkernel+0x%lx", off);
	} else {
		spin_lock(&module_lock);
		m = module_by_text(addr);
		if (m)
			n = snprintf(buf, size, "%s+0x%lx", m->info.name, addr - (u64)m->base);
		else
			n = snprintf(buf, size, "?");
		spin_unlock(&module_lock);
	}
	return n < 0 ? 0 : MIN((u64)n, size - 1);
}
