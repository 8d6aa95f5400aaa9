// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vmware/vm/<id>/: each of the vmkernel's virtual machines, as ESX 2
 * showed them.  Every file is answered by VMK_CALL_VM_INFO, so it is never
 * staler than its read; the directories themselves follow the vmkernel's
 * VM list (VMK_CALL_VM_NEXT), resynchronised after each VM_CREATE,
 * VM_DESTROY and unload the shim forwards, and whenever a file finds its
 * VM gone.
 *
 *   names       key value lines: id, name (the displayName), pool
 *   cpu/status  key value lines: state, reason (off or crashed), vcpus,
 *               worlds, shares, min, max, affinity, used_us, up_us,
 *               then exits by kind
 *   mem/status  key value lines: memsize_mb, pages, bytes
 *   cpu/shares, cpu/min, cpu/max
 *               the setting; writing a number changes it at run time
 *               (VMK_CALL_VM_SET): shares 1 to 1000000, min and max in
 *               percent of one CPU.  Anything else is -EINVAL; a
 *               reservation the vmkernel cannot meet is -ENOSPC.
 */
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include "vmnix.h"

static const char *const vm_states[] = VMK_VM_STATE_NAMES;
static const char *const vm_exits[] = VMK_VM_EXIT_KIND_NAMES;

#define NAME(tbl, i) ((i) < ARRAY_SIZE(tbl) ? (tbl)[i] : "?")

/* The directories made, by VM id; guarded by procvm_lock, which is never
 * held across a vmkcall (removing an entry waits for its readers, and
 * they take vmnix.calls). */
static DEFINE_MUTEX(procvm_lock);
static struct proc_dir_entry *procvm_dir;
static bool procvm_dir_gone;	/* going away: no more directories */
static struct {
	u32 id;
	struct proc_dir_entry *dir;
} procvm[VMK_VM_MAX];

/* A reader cannot remove its own directory (removal waits for it to
 * finish): it leaves the resynchronisation to a work item. */
static void procvm_work_fn(struct work_struct *w)
{
	vmnix_procvm_sync();
}

static DECLARE_WORK(procvm_work, procvm_work_fn);

static long vm_info(u32 id, struct vmk_vm_info *vi)
{
	long err = vmnix_call(VMK_CALL_VM_INFO, id, virt_to_phys(vi), sizeof(*vi), 0);

	if (!err) {
		vi->name[sizeof(vi->name) - 1] = '\0';
		vi->pool[sizeof(vi->pool) - 1] = '\0';
		vi->reason[sizeof(vi->reason) - 1] = '\0';
	}
	return err;
}

/* The file's VM, read now; a VM that is gone takes its directory along. */
static struct vmk_vm_info *file_vm(struct seq_file *m, long *err)
{
	struct vmk_vm_info *vi = kzalloc(sizeof(*vi), GFP_KERNEL);

	*err = -ENOMEM;
	if (!vi)
		return NULL;
	*err = vm_info((u32)(uintptr_t)m->private, vi);
	if (*err) {
		kfree(vi);
		if (*err == -ENOENT || *err == -ENODEV)
			schedule_work(&procvm_work);
		return NULL;
	}
	return vi;
}

static int names_show(struct seq_file *m, void *v)
{
	long err;
	struct vmk_vm_info *vi = file_vm(m, &err);

	if (!vi)
		return err;
	seq_printf(m, "id %u\nname %s\npool %s\n", vi->id, vi->name,
		   vi->pool[0] ? vi->pool : "-");
	kfree(vi);
	return 0;
}

static int cpu_status_show(struct seq_file *m, void *v)
{
	long err;
	struct vmk_vm_info *vi = file_vm(m, &err);
	u32 i;

	if (!vi)
		return err;
	seq_printf(m, "state %s\n", NAME(vm_states, vi->state));
	if (vi->state == VMK_VM_OFF || vi->state == VMK_VM_CRASHED)
		seq_printf(m, "reason %s\nexit_code %u\n", vi->reason[0] ? vi->reason : "-",
			   vi->exit_code);
	seq_printf(m, "vcpus %u\nworlds", vi->nvcpus);
	for (i = 0; i < vi->nvcpus && i < VMK_VM_VCPUS_MAX; i++)
		seq_printf(m, " %u", vi->vcpu_world[i]);
	seq_printf(m, "\nshares %u\nmin %u\nmax %u\naffinity 0x%llx\n", vi->shares,
		   vi->min_pct, vi->max_pct, vi->affinity);
	seq_printf(m, "used_us %llu\nup_us %llu\n", vi->used_ns / 1000,
		   vi->started_ns && vi->now_ns > vi->started_ns ?
		   (vi->now_ns - vi->started_ns) / 1000 : 0);
	for (i = 0; i < VMK_VM_EXIT_KINDS; i++)
		seq_printf(m, "exits_%s %llu\n", vm_exits[i], vi->exits[i]);
	kfree(vi);
	return 0;
}

static int mem_status_show(struct seq_file *m, void *v)
{
	long err;
	struct vmk_vm_info *vi = file_vm(m, &err);

	if (!vi)
		return err;
	seq_printf(m, "memsize_mb %u\npages %llu\nbytes %llu\n", vi->memsize_mb, vi->pages,
		   vi->pages * PAGE_SIZE);
	kfree(vi);
	return 0;
}

/* cpu/shares, cpu/min and cpu/max: which one is in the file's name. */
static unsigned int setting_of(const struct file *f)
{
	const char *name = f->f_path.dentry->d_name.name;

	return !strcmp(name, "shares") ? VMK_VM_SET_SHARES :
	       !strcmp(name, "min") ? VMK_VM_SET_MIN : VMK_VM_SET_MAX;
}

static int setting_show(struct seq_file *m, void *v)
{
	long err;
	struct vmk_vm_info *vi = file_vm(m, &err);
	unsigned int which = setting_of(m->file);

	if (!vi)
		return err;
	seq_printf(m, "%u\n", which == VMK_VM_SET_SHARES ? vi->shares :
		   which == VMK_VM_SET_MIN ? vi->min_pct : vi->max_pct);
	kfree(vi);
	return 0;
}

static int setting_open(struct inode *inode, struct file *f)
{
	return single_open(f, setting_show, pde_data(inode));
}

static ssize_t setting_write(struct file *f, const char __user *ubuf, size_t count,
			     loff_t *pos)
{
	struct seq_file *m = f->private_data;
	unsigned int which = setting_of(f), val;
	struct vmk_vm_config *c;
	long err;

	err = kstrtouint_from_user(ubuf, count, 10, &val);
	if (err)
		return err;
	if (which == VMK_VM_SET_SHARES ? val < 1 || val > 1000000 :
	    val > 100 * VMK_VM_VCPUS_MAX)
		return -EINVAL;
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	c->id = (u32)(uintptr_t)m->private;
	c->set = which;
	c->shares = which == VMK_VM_SET_SHARES ? val : 0;
	c->min_pct = which == VMK_VM_SET_MIN ? val : 0;
	c->max_pct = which == VMK_VM_SET_MAX ? val : 0;
	err = vmnix_call(VMK_CALL_VM_SET, virt_to_phys(c), sizeof(*c), 0, 0);
	kfree(c);
	if (err == -ENOENT)
		schedule_work(&procvm_work);
	return err < 0 ? err : count;
}

static const struct proc_ops setting_ops = {
	.proc_open = setting_open,
	.proc_read = seq_read,
	.proc_write = setting_write,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
};

/* One VM's directory, or NULL. */
static struct proc_dir_entry *make_dir(u32 id)
{
	struct proc_dir_entry *dir, *cpu, *mem;
	void *data = (void *)(uintptr_t)id;
	char name[16];

	snprintf(name, sizeof(name), "%u", id);
	dir = proc_mkdir(name, procvm_dir);
	if (!dir)
		return NULL;
	cpu = proc_mkdir("cpu", dir);
	mem = proc_mkdir("mem", dir);
	if (!cpu || !mem ||
	    !proc_create_single_data("names", 0444, dir, names_show, data) ||
	    !proc_create_single_data("status", 0444, cpu, cpu_status_show, data) ||
	    !proc_create_single_data("status", 0444, mem, mem_status_show, data) ||
	    !proc_create_data("shares", 0644, cpu, &setting_ops, data) ||
	    !proc_create_data("min", 0644, cpu, &setting_ops, data) ||
	    !proc_create_data("max", 0644, cpu, &setting_ops, data)) {
		proc_remove(dir);
		return NULL;
	}
	return dir;
}

void vmnix_procvm_sync(void)
{
	u32 *ids;
	unsigned int n = 0, i, j;
	long id = 0;

	ids = kcalloc(VMK_VM_MAX, sizeof(*ids), GFP_KERNEL);
	if (!ids)
		return;
	/* The vmkernel's list first, without procvm_lock (see above). */
	while (n < VMK_VM_MAX) {
		id = vmnix_call(VMK_CALL_VM_NEXT, id, 0, 0, 0);
		if (id <= 0)
			break;
		ids[n++] = (u32)id;
	}
	mutex_lock(&procvm_lock);
	if (!procvm_dir || procvm_dir_gone)
		goto out;
	for (i = 0; i < VMK_VM_MAX; i++) {
		if (!procvm[i].dir)
			continue;
		for (j = 0; j < n && ids[j] != procvm[i].id; j++)
			;
		if (j < n) {
			ids[j] = 0;	/* has its directory */
			continue;
		}
		proc_remove(procvm[i].dir);
		procvm[i].dir = NULL;
	}
	for (j = 0; j < n; j++) {
		if (!ids[j])
			continue;
		for (i = 0; i < VMK_VM_MAX && procvm[i].dir; i++)
			;
		if (i == VMK_VM_MAX)
			break;
		procvm[i].dir = make_dir(ids[j]);
		procvm[i].id = ids[j];
		if (!procvm[i].dir)
			pr_warn("vmnix: /proc/vmware/vm/%u could not be made\n", ids[j]);
	}
out:
	mutex_unlock(&procvm_lock);
	kfree(ids);
}

int vmnix_procvm_init(struct proc_dir_entry *parent)
{
	mutex_lock(&procvm_lock);
	procvm_dir = proc_mkdir("vm", parent);
	procvm_dir_gone = false;
	mutex_unlock(&procvm_lock);
	return procvm_dir ? 0 : -ENOMEM;
}

/* Before /proc/vmware goes: every directory, and the table. */
void vmnix_procvm_exit(void)
{
	unsigned int i;

	mutex_lock(&procvm_lock);
	procvm_dir_gone = true;
	mutex_unlock(&procvm_lock);
	cancel_work_sync(&procvm_work);
	mutex_lock(&procvm_lock);
	for (i = 0; i < VMK_VM_MAX; i++) {
		if (procvm[i].dir)
			proc_remove(procvm[i].dir);
		procvm[i].dir = NULL;
	}
	if (procvm_dir)
		proc_remove(procvm_dir);
	procvm_dir = NULL;
	mutex_unlock(&procvm_lock);
}
