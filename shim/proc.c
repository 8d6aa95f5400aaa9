// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vmware: the vmkernel seen from the console, in plain text, one
 * record a line.  While the vmkernel is loaded every file is answered by
 * vmkcalls (the console cannot read vmkernel memory); afterwards
 * "version" says so and "log" keeps the last contents.
 *
 *   version   key value lines: vmkernel, abi, vmkcall, loaded, since,
 *             uptime_ms, cpus, region, mem_used, paging, load_us,
 *             load_address (where the image runs: for gdb)
 *   log       the vmkernel log, "uptime cpuN:world) message"
 *   cpuinfo   one line per CPU: index, Linux CPU, APIC ID, state, exits
 *             by reason, total exits, cycles spent in the vmkernel
 *   worlds    one line per world of the vmkernel's world table: id,
 *             name, type, state, CPU, group, shares, time used, ready,
 *             waiting and co-stopped (us); for console worlds their
 *             CPU's exits and the cycles spent on them
 *   modules   a header line, then one line per loaded vmkernel module:
 *             id name version size text refs calls prot deps ("-" for
 *             none); prot as the vmkernel's page tables have it: "ro" text
 *             read-only, "nx" data not executable
 *   mem       key value lines: total, free, used, image, meta (bytes of
 *             the region), then one line per heap: held, held_hwm,
 *             in_use, in_use_hwm, limit (0: none), allocs, frees, fails
 *   vm/<id>/  each virtual machine (procvm.c)
 *
 * Loaded vmkernel modules may serve files of their own beside these
 * (module_file_register).  After each module load or unload it forwards,
 * and each load or unload of the vmkernel, the shim lists them and makes
 * the directory match: each file reads its text by its id, which the
 * vmkernel never reuses, so a file whose module has gone answers ENOENT.
 * A name that is not well formed, or that one of the shim's own files or
 * an earlier module file has, is skipped with a warning.
 */
#include <linux/io.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/ctype.h>
#include <linux/slab.h>
#include "vmnix.h"

static struct proc_dir_entry *proc_dir;

static const char *const cpu_states[] = VMK_CPU_STATE_NAMES;
static const char *const exit_names[] = VMK_EXIT_KIND_NAMES;
static const char *const world_types[] = { "console", "system", "idle", "helper", "vmm" };
static const char *const world_states[] = {
	[VMK_WORLD_NEW] = "new", [VMK_WORLD_READY] = "ready",
	[VMK_WORLD_RUNNING] = "running", [VMK_WORLD_WAITING] = "waiting",
	[VMK_WORLD_COSTOPPED] = "costopped", [VMK_WORLD_DEAD] = "dead",
};

#define NAME(tbl, i) ((i) < ARRAY_SIZE(tbl) ? (tbl)[i] : "?")

static int version_show(struct seq_file *m, void *v)
{
	struct vmk_info *info;
	long err;

	seq_printf(m, "shim vmnix\nabi %u\n", VMK_ABI_VERSION);
	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	down_read(&vmnix.calls);
	if (!vmnix.loaded) {
		up_read(&vmnix.calls);
		kfree(info);
		seq_puts(m, "loaded no\n");
		return 0;
	}
	err = vmnix_vmkcall(VMK_CALL_INFO, virt_to_phys(info), sizeof(*info), 0, 0);
	if (!err) {
		seq_printf(m, "vmkernel %.32s\nvmkcall %u\nloaded yes\nsince %lld\n",
			   info->version, info->call_version, vmnix.loaded_since);
		seq_printf(m, "uptime_ms %llu\ncpus %u\ncpus_running %u\n",
			   info->uptime_ns / 1000000, info->ncpus, info->ncpus_running);
		seq_printf(m, "region 0x%llx %llu\nmem_used %llu\npaging %u-level\n",
			   info->region_pa, info->region_size, info->mem_used,
			   info->paging_levels);
		seq_printf(m, "load_us %llu\nload_address 0x%lx\n", vmnix.load_ns / 1000,
			   (unsigned long)vmnix.va);
	}
	up_read(&vmnix.calls);
	kfree(info);
	return err;
}

static int log_show(struct seq_file *m, void *v)
{
	struct vmk_info *info;
	char *buf;
	u64 from, head;
	long n;
	int err = 0;

	info = kzalloc(sizeof(*info), GFP_KERNEL);
	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!info || !buf) {
		kfree(buf);
		kfree(info);
		return -ENOMEM;
	}
	down_read(&vmnix.calls);
	if (!vmnix.loaded) {
		/* The kept copy changes only under vmnix.calls held for writing. */
		if (vmnix.last_log)
			seq_write(m, vmnix.last_log, vmnix.last_log_len);
		goto out;
	}
	/* The log's head: the stream position of its newest byte. */
	err = vmnix_vmkcall(VMK_CALL_INFO, virt_to_phys(info), sizeof(*info), 0, 0);
	if (err)
		goto out;
	head = info->log_head;
	from = head > VMK_LOG_SIZE ? head - VMK_LOG_SIZE : 0;
	while (from < head) {
		n = vmnix_vmkcall(VMK_CALL_LOG_READ, virt_to_phys(buf),
			       min_t(u64, PAGE_SIZE, head - from), from, 0);
		if (n <= 0) {
			err = n;
			break;
		}
		seq_write(m, buf, n);
		from += n;
	}
out:
	up_read(&vmnix.calls);
	kfree(buf);
	kfree(info);
	return err;
}

static int cpuinfo_show(struct seq_file *m, void *v)
{
	struct vmk_cpu_stats *st;
	int i, k, err = 0;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	down_read(&vmnix.calls);
	for (i = 0; vmnix.loaded && i < vmnix.ncpus; i++) {
		err = vmnix_vmkcall(VMK_CALL_CPU_STATS, i, virt_to_phys(st), sizeof(*st), 0);
		if (err)
			break;
		seq_printf(m, "cpu%u linux %u apic %u state %s", st->index,
			   st->linux_cpu, st->apic_id, NAME(cpu_states, st->state));
		for (k = 0; k < VMK_EXIT_KINDS; k++)
			seq_printf(m, " %s %llu", exit_names[k], st->exits[k]);
		seq_printf(m, " exits %llu vmk_cycles %llu\n", st->exits_total, st->vmk_tsc);
	}
	up_read(&vmnix.calls);
	kfree(st);
	return err;
}

#define WORLDS_CHUNK	64

static int worlds_show(struct seq_file *m, void *v)
{
	struct vmk_world_info *w;
	u32 cursor = 0;
	long n, i;
	int err = 0;

	w = kcalloc(WORLDS_CHUNK, sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	down_read(&vmnix.calls);
	/* The table is read a chunk at a time, each chunk going on from
	 * where the last one stopped. */
	while (vmnix.loaded) {
		n = vmnix_vmkcall(VMK_CALL_WORLD_LIST, virt_to_phys(w),
				  WORLDS_CHUNK, cursor, 0);
		if (n < 0)
			err = n;
		if (n <= 0)
			break;
		for (i = 0; i < n; i++) {
			seq_printf(m, "world %u name %.32s type %s state %s cpu %u group %.32s shares %u",
				   w[i].id, w[i].name, NAME(world_types, w[i].type),
				   NAME(world_states, w[i].state), w[i].cpu,
				   w[i].group[0] ? w[i].group : "-", w[i].shares);
			seq_printf(m, " used_us %llu ready_us %llu wait_us %llu cstp_us %llu exits %llu vmk_cycles %llu\n",
				   w[i].used_ns / 1000, w[i].ready_ns / 1000,
				   w[i].wait_ns / 1000, w[i].cstp_ns / 1000,
				   w[i].exits, w[i].vmk_tsc);
		}
		if (n < WORLDS_CHUNK)
			break;
		cursor = w[n - 1].next;
	}
	up_read(&vmnix.calls);
	kfree(w);
	return err;
}

static int mem_show(struct seq_file *m, void *v)
{
	struct vmk_mem_info *mi;
	long err = 0;
	u32 i;

	mi = kzalloc(sizeof(*mi), GFP_KERNEL);
	if (!mi)
		return -ENOMEM;
	down_read(&vmnix.calls);
	if (vmnix.loaded)
		err = vmnix_vmkcall(VMK_CALL_MEM_INFO, virt_to_phys(mi), sizeof(*mi), 0, 0);
	if (vmnix.loaded && !err) {
		seq_printf(m, "total %llu\nfree %llu\nused %llu\nimage %llu\nmeta %llu\n",
			   mi->total, mi->free, mi->total - mi->free, mi->image, mi->meta);
		for (i = 0; i < mi->nheaps && i < VMK_MEM_HEAPS_MAX; i++) {
			struct vmk_heap_info *h = &mi->heaps[i];

			seq_printf(m, "heap %.24s held %llu held_hwm %llu in_use %llu in_use_hwm %llu limit %llu",
				   h->name, h->held, h->held_hwm, h->in_use,
				   h->in_use_hwm, h->limit);
			seq_printf(m, " allocs %llu frees %llu fails %llu\n",
				   h->nalloc, h->nfree, h->nfail);
		}
	}
	up_read(&vmnix.calls);
	kfree(mi);
	return err;
}

/* VMK_MOD_PROT_* as /proc/vmware/modules shows them. */
static const char *const vmnix_mod_prot[4] = { "-", "ro", "nx", "ro,nx" };

static int modules_show(struct seq_file *m, void *v)
{
	struct vmk_module_stat *st;
	long n = 0;
	u32 i, d;

	st = kcalloc(VMK_MOD_LOADED_MAX, sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	down_read(&vmnix.calls);
	if (vmnix.loaded)
		n = vmnix_vmkcall(VMK_CALL_MODULE_LIST, virt_to_phys(st),
				  VMK_MOD_LOADED_MAX, 0, 0);
	up_read(&vmnix.calls);
	seq_puts(m, "id name version size text refs calls prot deps\n");
	for (i = 0; n > 0 && i < n && i < VMK_MOD_LOADED_MAX; i++) {
		seq_printf(m, "%u %.24s %.16s %llu %llu %u %u %s ", st[i].id,
			   st[i].name, st[i].version, st[i].size,
			   st[i].text_size, st[i].refs, st[i].ncalls,
			   vmnix_mod_prot[st[i].prot & 3]);
		for (d = 0; d < VMK_MOD_DEPS_MAX && st[i].deps[d][0]; d++)
			seq_printf(m, "%s%.24s", d ? "," : "", st[i].deps[d]);
		seq_puts(m, d ? "\n" : "-\n");
	}
	kfree(st);
	return n < 0 ? (int)n : 0;
}

static const struct {
	const char *name;
	int (*show)(struct seq_file *m, void *v);
} vmnix_proc_files[] = {
	{ "version", version_show }, { "log", log_show },
	{ "cpuinfo", cpuinfo_show }, { "worlds", worlds_show },
	{ "mem", mem_show }, { "modules", modules_show },
};

/* The module files now in the directory; changed under modfiles_lock. */
static struct {
	u32 id;				/* 0: slot free */
	char name[VMK_MOD_NAME_LEN];
	struct proc_dir_entry *pde;
} modfiles[VMK_MOD_FILES_MAX];
static DEFINE_MUTEX(modfiles_lock);

static int modfile_show(struct seq_file *m, void *v)
{
	u32 id = (u32)(uintptr_t)m->private;
	char *buf;
	long n = -ENODEV;

	buf = kzalloc(VMK_MOD_FILE_TEXT_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	down_read(&vmnix.calls);
	if (vmnix.loaded)
		n = vmnix_vmkcall(VMK_CALL_MODULE_FILE_READ, id, virt_to_phys(buf),
				  VMK_MOD_FILE_TEXT_MAX, 0);
	up_read(&vmnix.calls);
	if (n > 0)
		seq_write(m, buf, min_t(long, n, VMK_MOD_FILE_TEXT_MAX));
	kfree(buf);
	return n < 0 ? (int)n : 0;
}

/* Whether a module may have /proc/vmware/name: well formed, and not a
 * name the directory has already. */
static bool modfile_name_ok(const char *name)
{
	size_t n = strnlen(name, VMK_MOD_NAME_LEN), i;

	if (!n || n == VMK_MOD_NAME_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (!(islower(name[i]) || isdigit(name[i]) || name[i] == '_' || name[i] == '-'))
			return false;
	for (i = 0; i < ARRAY_SIZE(vmnix_proc_files); i++)
		if (!strcmp(name, vmnix_proc_files[i].name))
			return false;
	if (!strcmp(name, "vm"))	/* procvm.c's directory */
		return false;
	for (i = 0; i < VMK_MOD_FILES_MAX; i++)
		if (modfiles[i].id && !strcmp(name, modfiles[i].name))
			return false;
	return true;
}

void vmnix_proc_modfiles_refresh(void)
{
	struct vmk_module_file *f;
	long n = 0, i, k;

	f = kcalloc(VMK_MOD_FILES_MAX, sizeof(*f), GFP_KERNEL);
	if (!f)
		return;
	mutex_lock(&modfiles_lock);
	if (!proc_dir)
		goto out;
	down_read(&vmnix.calls);
	if (vmnix.loaded)
		n = vmnix_vmkcall(VMK_CALL_MODULE_FILES, virt_to_phys(f),
				  VMK_MOD_FILES_MAX, 0, 0);
	up_read(&vmnix.calls);
	if (n < 0 || n > VMK_MOD_FILES_MAX)
		n = 0;
	for (i = 0; i < n; i++)
		f[i].name[VMK_MOD_NAME_LEN - 1] = 0;
	/* Files no longer listed go; a read still running finishes first. */
	for (k = 0; k < VMK_MOD_FILES_MAX; k++) {
		bool listed = false;

		if (!modfiles[k].id)
			continue;
		for (i = 0; i < n; i++)
			listed |= f[i].id == modfiles[k].id;
		if (!listed) {
			proc_remove(modfiles[k].pde);
			memset(&modfiles[k], 0, sizeof(modfiles[k]));
		}
	}
	for (i = 0; i < n; i++) {
		bool present = false;

		for (k = 0; k < VMK_MOD_FILES_MAX; k++)
			present |= modfiles[k].id && modfiles[k].id == f[i].id;
		if (present || !f[i].id)
			continue;
		if (!modfile_name_ok(f[i].name)) {
			pr_warn("vmnix: module %u's file \"%.*s\" skipped: not a name /proc/vmware can take\n",
				f[i].module_id, VMK_MOD_NAME_LEN, f[i].name);
			continue;
		}
		for (k = 0; k < VMK_MOD_FILES_MAX && modfiles[k].id; k++)
			;
		if (k == VMK_MOD_FILES_MAX)
			break;
		modfiles[k].pde = proc_create_single_data(f[i].name, 0444, proc_dir,
							  modfile_show,
							  (void *)(uintptr_t)f[i].id);
		if (!modfiles[k].pde)
			continue;
		modfiles[k].id = f[i].id;
		memcpy(modfiles[k].name, f[i].name, VMK_MOD_NAME_LEN);
	}
out:
	mutex_unlock(&modfiles_lock);
	kfree(f);
}

int vmnix_proc_init(void)
{
	size_t i;

	proc_dir = proc_mkdir("vmware", NULL);
	if (!proc_dir)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(vmnix_proc_files); i++)
		if (!proc_create_single(vmnix_proc_files[i].name, 0444, proc_dir,
					vmnix_proc_files[i].show))
			goto error_remove;
	if (vmnix_procvm_init(proc_dir))
		goto error_remove;
	return 0;

error_remove:
	vmnix_procvm_exit();
	remove_proc_subtree("vmware", NULL);
	proc_dir = NULL;
	return -ENOMEM;
}

void vmnix_proc_exit(void)
{
	vmnix_procvm_exit();
	mutex_lock(&modfiles_lock);
	remove_proc_subtree("vmware", NULL);
	proc_dir = NULL;
	memset(modfiles, 0, sizeof(modfiles));
	mutex_unlock(&modfiles_lock);
}
