// SPDX-License-Identifier: GPL-2.0
/*
 * vmnix: the service console's side of the vmkernel, in the manner of
 * ESX's vmnix module.  It offers /dev/vmnix to the loader and tools
 * (load, unload, status, vmkcalls, round-trip measurements), serves
 * /proc/vmware, and keeps the machine safe around the vmkernel: CPU
 * hotplug is refused while it is loaded, suspend is refused, and reboot
 * or kexec unload it first so the next kernel starts on bare hardware.
 */
#define pr_fmt(fmt) "vmnix: " fmt

#include <linux/cpuhotplug.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/reboot.h>
#include <linux/slab.h>
#include <linux/suspend.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/tsc.h>
#include "vmnix.h"

struct vmnix vmnix = {
	.lock = __MUTEX_INITIALIZER(vmnix.lock),
	.calls = __RWSEM_INITIALIZER(vmnix.calls),
	.giving = -1,
};

static enum cpuhp_state vmnix_hp_state;

static long ioctl_load(struct vmnix_load __user *ureq)
{
	struct vmnix_load *req;
	long err;

	req = kmalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	if (copy_from_user(req, ureq, sizeof(*req))) {
		kfree(req);
		return -EFAULT;
	}
	req->error[0] = '\0';
	if (!mutex_trylock(&vmnix.lock)) {
		kfree(req);
		return -EBUSY;
	}
	err = vmnix_load(req, u64_to_user_ptr(req->image));
	mutex_unlock(&vmnix.lock);
	if (copy_to_user(ureq->error, req->error, sizeof(req->error)))
		err = err ?: -EFAULT;
	kfree(req);
	return err;
}

struct call_args {
	unsigned long nr, a[4];
	long ret;
};

static void call_on_cpu(void *p)
{
	struct call_args *c = p;

	c->ret = vmnix_vmkcall(c->nr, c->a[0], c->a[1], c->a[2], c->a[3]);
}

/*
 * A vmkcall for a tool.  Buffers are user pointers in the request; the
 * shim passes the vmkernel a kernel copy by physical address.  Which
 * calls are forwarded, and the errors, are in vmnix_abi.h (vmnix_call).
 */
static long ioctl_call(struct vmnix_call __user *ucall)
{
	struct vmnix_call call;
	struct call_args c = { 0 };
	void __user *ubuf = NULL;
	unsigned int bufarg = 0;
	bool in = false;		/* the buffer carries a request in */
	size_t len = 0;
	void *buf = NULL;
	long err = 0;
	/* Module load and unload change what the vmkernel owns: the shim
	 * puts the load's key at key_at, whatever the tool passed. */
	int key_at = -1;

	if (copy_from_user(&call, ucall, sizeof(call)))
		return -EFAULT;
	c.nr = call.nr;
	/* Each call's arguments as the vmkernel takes them; the one at
	 * bufarg becomes the kernel copy's physical address. */
	memcpy(c.a, call.args, sizeof(c.a));
	switch (call.nr) {
	case VMK_CALL_NOP:
	case VMK_CALL_CHECKSUM:
		break;
	case VMK_CALL_INFO:		/* (buf, size) */
		len = sizeof(struct vmk_info);
		c.a[1] = len;
		break;
	case VMK_CALL_LOG_READ:		/* (buf, len, from) */
		len = min_t(u64, call.args[1], VMK_LOG_SIZE);
		c.a[1] = len;
		break;
	case VMK_CALL_CPU_STATS:	/* (index, buf, size) */
		bufarg = 1;
		len = sizeof(struct vmk_cpu_stats);
		c.a[2] = len;
		break;
	case VMK_CALL_WORLD_LIST:	/* (buf, max, cursor) */
		if (!call.args[1] || call.args[1] > VMK_WORLD_LIST_MAX)
			return -EINVAL;
		len = call.args[1] * sizeof(struct vmk_world_info);
		break;
	case VMK_CALL_WORLD_CREATE:	/* (request, size) */
	case VMK_CALL_WORLD_SET:
		len = sizeof(struct vmk_world_req);
		c.a[1] = len;
		in = true;
		break;
	case VMK_CALL_WORLD_STATS:	/* (id, buf, size) */
		bufarg = 1;
		len = sizeof(struct vmk_world_stats);
		c.a[2] = len;
		break;
	case VMK_CALL_WORLD_DESTROY:	/* (id) */
	case VMK_CALL_WORLD_NEXT:
		break;
	case VMK_CALL_MODULE_LOAD:	/* (key, buf, size): the ELF goes in */
		if (!call.args[2] || call.args[2] > VMK_MOD_FILE_MAX)
			return -EINVAL;
		bufarg = 1;
		len = call.args[2];
		in = true;
		key_at = 0;
		break;
	case VMK_CALL_MODULE_UNLOAD:	/* (key, id) */
		key_at = 0;
		break;
	case VMK_CALL_MODULE_LIST:	/* (buf, max) */
		if (!call.args[1] || call.args[1] > VMK_MOD_LOADED_MAX)
			return -EINVAL;
		len = call.args[1] * sizeof(struct vmk_module_stat);
		break;
	case VMK_CALL_VM_CREATE:	/* (config, size) */
	case VMK_CALL_VM_SET:
		len = sizeof(struct vmk_vm_config);
		c.a[1] = len;
		in = true;
		break;
	case VMK_CALL_VM_WRITE:		/* (id, guest address, buf, len): data goes in */
		if (!call.args[3] || call.args[3] > VMK_VM_WRITE_MAX)
			return -EINVAL;
		bufarg = 2;
		len = call.args[3];
		in = true;
		break;
	case VMK_CALL_VM_START:		/* (id, boot state, size) */
		bufarg = 1;
		len = sizeof(struct vmk_vm_boot);
		c.a[2] = len;
		in = true;
		break;
	case VMK_CALL_VM_INFO:		/* (id, buf, size) */
		bufarg = 1;
		len = sizeof(struct vmk_vm_info);
		c.a[2] = len;
		break;
	case VMK_CALL_VM_SERIAL_READ:	/* (id, buf, len, from) */
		if (!call.args[2] || call.args[2] > VMK_VM_SERIAL_SIZE)
			return -EINVAL;
		bufarg = 1;
		len = call.args[2];
		break;
	case VMK_CALL_VM_SERIAL_WRITE:	/* (id, buf, len): input goes in */
		if (!call.args[2] || call.args[2] > VMK_VM_WRITE_MAX)
			return -EINVAL;
		bufarg = 1;
		len = call.args[2];
		in = true;
		break;
	case VMK_CALL_VM_STOP:		/* (id, how) */
	case VMK_CALL_VM_RESET:		/* (id, how) */
	case VMK_CALL_VM_DESTROY:
	case VMK_CALL_VM_NEXT:
		break;
	default:
		/* A module's vmkcall takes four numbers and no buffer. */
		if (call.nr >= VMK_CALL_MODULE_BASE &&
		    call.nr < VMK_CALL_MODULE_BASE + VMK_CALL_MODULE_SLOTS)
			break;
		/* UNLOAD runs only through VMNIX_IOC_UNLOAD, on every CPU at
		 * once and with the key; FLOOR through VMNIX_IOC_BENCH.  A
		 * call not described here is not forwarded either. */
		if (call.nr < VMK_CALL_COUNT)
			return -EPERM;
		/* Not the vmkernel's: let it say so (-ENOSYS in ret).  The
		 * arguments are cleared so that no user pointer reaches it. */
		memset(c.a, 0, sizeof(c.a));
		break;
	}
	if (call.cpu >= nr_cpu_ids || !cpu_online(call.cpu))
		return -EINVAL;
	if (len) {
		ubuf = u64_to_user_ptr(call.args[bufarg]);
		buf = kzalloc(len, GFP_KERNEL | __GFP_NOWARN);
		if (!buf)
			return -ENOMEM;
		if (in && copy_from_user(buf, ubuf, len)) {
			kfree(buf);
			return -EFAULT;
		}
		c.a[bufarg] = virt_to_phys(buf);
	}

	down_read(&vmnix.calls);
	if (key_at >= 0)
		c.a[key_at] = vmnix.load_key;
	if (!vmnix.loaded)
		err = -ENODEV;
	else
		err = smp_call_function_single(call.cpu, call_on_cpu, &c, 1);
	up_read(&vmnix.calls);
	if (err)
		goto out;

	/* A module load or unload may have added or taken away files. */
	if (call.nr == VMK_CALL_MODULE_LOAD || call.nr == VMK_CALL_MODULE_UNLOAD)
		vmnix_proc_modfiles_refresh();
	call.ret = c.ret;
	/* /proc/vmware/vm follows the VMs made and removed. */
	if (c.ret >= 0 && (call.nr == VMK_CALL_VM_CREATE || call.nr == VMK_CALL_VM_DESTROY))
		vmnix_procvm_sync();
	if (c.ret >= 0 && len && !in && copy_to_user(ubuf, buf, len))
		err = -EFAULT;
	else if (put_user(call.ret, &ucall->ret))
		err = -EFAULT;
out:
	kfree(buf);
	return err;
}

/* The floor is measured inside the vmkernel, VMK_FLOOR_MAX samples a call. */
static long bench_floor(struct vmnix_bench *b)
{
	u64 *chunk, *samples;
	u32 done = 0, n;
	long ret = 0;

	samples = vmalloc(array_size(b->count, sizeof(u64)));
	chunk = kmalloc_array(VMK_FLOOR_MAX, sizeof(u64), GFP_KERNEL);
	if (!samples || !chunk) {
		ret = -ENOMEM;
		goto out;
	}
	while (done < b->count) {
		n = min_t(u32, b->count - done, VMK_FLOOR_MAX);
		ret = vmnix_call(VMK_CALL_FLOOR, n, virt_to_phys(chunk), 0, 0);
		if (ret < 0)
			goto out;
		memcpy(samples + done, chunk, n * sizeof(u64));
		done += n;
		cond_resched();
	}
	ret = 0;
	if (copy_to_user(u64_to_user_ptr(b->samples), samples,
			 array_size(b->count, sizeof(u64))))
		ret = -EFAULT;
out:
	kfree(chunk);
	vfree(samples);
	return ret;
}

/* Round trips into the vmkernel, each timed with the TSC. */
static long ioctl_bench(struct vmnix_bench __user *ub)
{
	struct vmnix_bench b;
	u64 *samples;
	u32 i;
	long err = 0;

	if (copy_from_user(&b, ub, sizeof(b)))
		return -EFAULT;
	if (!b.count || b.count > VMNIX_BENCH_MAX ||
	    (b.nr != VMNIX_BENCH_VMKCALL && b.nr != VMNIX_BENCH_CPUID &&
	     b.nr != VMNIX_BENCH_FLOOR && b.nr != VMNIX_BENCH_MODCALL))
		return -EINVAL;
	if (b.nr == VMNIX_BENCH_FLOOR)
		return bench_floor(&b);
	samples = vmalloc(array_size(b.count, sizeof(u64)));
	if (!samples)
		return -ENOMEM;

	down_read(&vmnix.calls);
	if (!vmnix.loaded && (b.nr == VMNIX_BENCH_VMKCALL || b.nr == VMNIX_BENCH_MODCALL))
		err = -ENODEV;
	/* A module's vmkcall is timed only while a module serves it. */
	if (!err && b.nr == VMNIX_BENCH_MODCALL) {
		long r = vmnix_call(VMK_CALL_MODULE_BASE, 1, 2, 0, 0);

		if (r < 0)
			err = r;
	}
	for (i = 0; !err && i < b.count; i++) {
		unsigned long flags;
		unsigned int eax = VMK_CPUID_LEAF, ebx, ecx = 0, edx;
		u64 t0;

		local_irq_save(flags);
		t0 = rdtsc_ordered();
		if (b.nr == VMNIX_BENCH_VMKCALL)
			vmnix_vmkcall(VMK_CALL_NOP, 0, 0, 0, 0);
		else if (b.nr == VMNIX_BENCH_MODCALL)
			vmnix_vmkcall(VMK_CALL_MODULE_BASE, 1, 2, 0, 0);
		else
			native_cpuid(&eax, &ebx, &ecx, &edx);
		samples[i] = rdtsc_ordered() - t0;
		local_irq_restore(flags);
		if ((i & 1023) == 1023)
			cond_resched();
	}
	up_read(&vmnix.calls);

	if (!err && copy_to_user(u64_to_user_ptr(b.samples), samples,
				 array_size(b.count, sizeof(u64))))
		err = -EFAULT;
	vfree(samples);
	return err;
}

static long ioctl_cpu(struct vmnix_cpu __user *ureq)
{
	struct vmnix_cpu req;
	long err;

	if (copy_from_user(&req, ureq, sizeof(req)))
		return -EFAULT;
	req.error[0] = '\0';
	req.ns = 0;
	if (req.op != VMNIX_CPU_GIVE && req.op != VMNIX_CPU_TAKE)
		return -EINVAL;
	mutex_lock(&vmnix.lock);
	err = req.op == VMNIX_CPU_GIVE ? vmnix_cpu_give(&req) : vmnix_cpu_take(&req);
	mutex_unlock(&vmnix.lock);
	if (copy_to_user(ureq, &req, sizeof(req)))
		err = err ?: -EFAULT;
	return err;
}

static long vmnix_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	struct vmnix_status st;
	long err;

	switch (cmd) {
	case VMNIX_IOC_LOAD:
		err = ioctl_load(uarg);
		/* Files of a vmkernel before this one go. */
		vmnix_proc_modfiles_refresh();
		return err;
	case VMNIX_IOC_UNLOAD:
		if (!mutex_trylock(&vmnix.lock))
			return -EBUSY;
		err = vmnix_unload_vms_gone();
		if (!err)
			err = vmnix_unload();
		mutex_unlock(&vmnix.lock);
		vmnix_procvm_sync();
		/* Its modules' files go with it. */
		vmnix_proc_modfiles_refresh();
		return err;
	case VMNIX_IOC_STATUS:
		mutex_lock(&vmnix.lock);
		vmnix_status(&st);
		mutex_unlock(&vmnix.lock);
		return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
	case VMNIX_IOC_CALL:
		return ioctl_call(uarg);
	case VMNIX_IOC_BENCH:
		return ioctl_bench(uarg);
	case VMNIX_IOC_CPU:
		return ioctl_cpu(uarg);
	default:
		return -ENOTTY;
	}
}

static int vmnix_open(struct inode *inode, struct file *f)
{
	return capable(CAP_SYS_ADMIN) ? 0 : -EPERM;
}

static const struct file_operations vmnix_fops = {
	.owner = THIS_MODULE,
	.open = vmnix_open,
	.unlocked_ioctl = vmnix_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice vmnix_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vmnix",
	.fops = &vmnix_fops,
	.mode = 0600,
};

/* The line logged after a successful unload is what the reboot test
 * looks for on the serial console: it says the next kernel will start on
 * bare hardware. */
static int vmnix_reboot(struct notifier_block *nb, unsigned long action, void *data)
{
	const char *what = action == SYS_RESTART ? "restart" :
			   action == SYS_HALT ? "halt" : "power-off";
	int err;

	mutex_lock(&vmnix.lock);
	if (vmnix.loaded) {
		err = vmnix_unload();
		if (err)
			pr_err("could not unload the vmkernel before %s: error %d\n",
			       what, err);
		else
			pr_info("the vmkernel was unloaded before %s\n", what);
	}
	mutex_unlock(&vmnix.lock);
	return NOTIFY_DONE;
}

static struct notifier_block vmnix_reboot_nb = {
	.notifier_call = vmnix_reboot,
	.priority = INT_MAX,	/* before anything else shuts down */
};

static int vmnix_pm(struct notifier_block *nb, unsigned long action, void *data)
{
	if ((action == PM_SUSPEND_PREPARE || action == PM_HIBERNATION_PREPARE) &&
	    READ_ONCE(vmnix.loaded)) {
		pr_warn("suspend refused: the vmkernel is loaded (unload it first)\n");
		return notifier_from_errno(-EBUSY);
	}
	return NOTIFY_DONE;
}

static struct notifier_block vmnix_pm_nb = {
	.notifier_call = vmnix_pm,
};

static int __init vmnix_init(void)
{
	int err;

	err = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "vmnix:online",
					vmnix_cpu_online, vmnix_cpu_offline);
	if (err < 0)
		return err;
	vmnix_hp_state = err;
	err = register_reboot_notifier(&vmnix_reboot_nb);
	if (err)
		goto error_hp;
	err = register_pm_notifier(&vmnix_pm_nb);
	if (err)
		goto error_reboot;
	err = vmnix_proc_init();
	if (err)
		goto error_pm;
	err = misc_register(&vmnix_dev);
	if (err)
		goto error_proc;
	pr_info("ready (ABI %u): /dev/vmnix, /proc/vmware\n", VMK_ABI_VERSION);
	return 0;

error_proc:
	vmnix_proc_exit();
error_pm:
	unregister_pm_notifier(&vmnix_pm_nb);
error_reboot:
	unregister_reboot_notifier(&vmnix_reboot_nb);
error_hp:
	cpuhp_remove_state_nocalls(vmnix_hp_state);
	return err;
}

static void __exit vmnix_exit(void)
{
	/* The module cannot be removed while loaded: it holds a reference. */
	misc_deregister(&vmnix_dev);
	vmnix_proc_exit();
	unregister_pm_notifier(&vmnix_pm_nb);
	unregister_reboot_notifier(&vmnix_reboot_nb);
	cpuhp_remove_state_nocalls(vmnix_hp_state);
	kvfree(vmnix.last_log);
}

module_init(vmnix_init);
module_exit(vmnix_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmnix: hands the machine to the vmkx vmkernel and serves /proc/vmware");
