// SPDX-License-Identifier: GPL-2.0
/*
 * Giving console CPUs to the vmkernel and taking them back, the way ESX
 * 2 kept CPU 0 for the service console and ran virtual machines on the
 * others.
 *
 * Give: Linux takes the CPU offline (remove_cpu()); on the way down, our
 * hotplug callback runs on that CPU and issues VMK_CALL_CPU_GIVE there
 * instead of leaving the vmkernel.  The last thing Linux does on an
 * offline CPU is halt with interrupts off, and that halt is where the
 * vmkernel keeps the CPU.  We wait until it reports the CPU as its own.
 *
 * Take: VMK_CALL_CPU_TAKE parks the CPU, out of SVM, halted; then
 * add_cpu() has Linux start it with INIT/SIPI, and our online callback
 * brings it into the vmkernel again as a console CPU.
 *
 * Both run under vmnix.lock, so they never overlap a load, an unload or
 * each other.  CPU 0 stays with the console (Linux wakes it by IPI, and
 * Jailhouse refuses it for the same reason), and the console keeps at
 * least one CPU.
 */
#define pr_fmt(fmt) "vmnix: " fmt

#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include "vmnix.h"

#define GIVE_TIMEOUT_MS		2000

#define CPU_ERR(req, fmt, ...) do {					\
	snprintf((req)->error, sizeof((req)->error), fmt, ##__VA_ARGS__); \
	pr_warn(fmt "\n", ##__VA_ARGS__);				\
} while (0)

static int vmk_cpu_state(int idx)
{
	struct vmk_cpu_stats *st = kzalloc(sizeof(*st), GFP_KERNEL);
	long err;

	if (!st)
		return -ENOMEM;
	err = vmnix_call(VMK_CALL_CPU_STATS, idx, virt_to_phys(st), sizeof(*st), 0);
	if (!err)
		err = st->state;
	kfree(st);
	return err;
}

/* Which vmkernel CPU index Linux CPU cpu is, or a refusal in req. */
static int cpu_index(struct vmnix_cpu *req)
{
	int idx;

	if (!vmnix.loaded) {
		CPU_ERR(req, "the vmkernel is not loaded");
		return -ENODEV;
	}
	if (req->cpu >= nr_cpu_ids || !cpu_possible(req->cpu)) {
		CPU_ERR(req, "there is no CPU %u", req->cpu);
		return -EINVAL;
	}
	idx = vmnix.index_of[req->cpu];
	if (idx < 0) {
		CPU_ERR(req, "CPU %u was offline when the vmkernel was loaded", req->cpu);
		return -EINVAL;
	}
	if (req->cpu == 0 || idx == 0) {
		CPU_ERR(req, "CPU %u stays with the console", req->cpu);
		return -EPERM;
	}
	return idx;
}

int vmnix_cpu_give(struct vmnix_cpu *req)
{
	u64 t0 = ktime_get_ns();
	int idx, err, state = 0, ms;

	idx = cpu_index(req);
	if (idx < 0)
		return idx;
	if (vmnix.given[idx]) {
		CPU_ERR(req, "CPU %u is already the vmkernel's", req->cpu);
		return -EBUSY;
	}
	if (!cpu_online(req->cpu)) {
		CPU_ERR(req, "CPU %u is offline; only a console CPU can be given", req->cpu);
		return -EINVAL;
	}
	if (num_online_cpus() <= 1) {
		CPU_ERR(req, "CPU %u is the console's last CPU", req->cpu);
		return -EBUSY;
	}

	WRITE_ONCE(vmnix.giving, req->cpu);
	err = remove_cpu(req->cpu);
	WRITE_ONCE(vmnix.giving, -1);
	if (err) {
		CPU_ERR(req, "Linux did not let CPU %u go (error %d)", req->cpu, err);
		return err;
	}
	/* The CPU is the vmkernel's once Linux's offline path has halted it. */
	for (ms = 0; ms < GIVE_TIMEOUT_MS; ms++) {
		state = vmk_cpu_state(idx);
		if (state == VMK_CPU_VMKERNEL)
			break;
		usleep_range(500, 1000);
	}
	if (state != VMK_CPU_VMKERNEL) {
		CPU_ERR(req, "CPU %u went offline but the vmkernel did not take it (state %d)",
			req->cpu, state);
		return -EIO;
	}
	vmnix.given[idx] = true;
	req->ns = ktime_get_ns() - t0;
	pr_info("CPU %u given to the vmkernel in %llu us\n", req->cpu, req->ns / 1000);
	return 0;
}

int vmnix_cpu_take(struct vmnix_cpu *req)
{
	u64 t0 = ktime_get_ns();
	int idx, err;
	long ret;

	idx = cpu_index(req);
	if (idx < 0)
		return idx;
	if (!vmnix.given[idx]) {
		CPU_ERR(req, "CPU %u was not given to the vmkernel", req->cpu);
		return -EINVAL;
	}
	ret = vmnix_call(VMK_CALL_CPU_TAKE, vmnix.load_key, idx, 0, 0);
	if (ret) {
		CPU_ERR(req, "the vmkernel keeps CPU %u (error %ld%s)", req->cpu, ret,
			ret == -EBUSY ? ": reservations need it" : "");
		return ret;
	}
	vmnix.given[idx] = false;
	err = add_cpu(req->cpu);
	if (err) {
		CPU_ERR(req, "CPU %u is parked but Linux could not start it (error %d)",
			req->cpu, err);
		return err;
	}
	req->ns = ktime_get_ns() - t0;
	pr_info("CPU %u back with the console in %llu us\n", req->cpu, req->ns / 1000);
	return 0;
}

int vmnix_cpus_take_all(void)
{
	struct vmnix_cpu *req;
	int idx, err = 0;

	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	for (idx = 1; idx < vmnix.ncpus && !err; idx++) {
		if (!vmnix.given[idx])
			continue;
		req->cpu = vmnix.cpu_of[idx];
		err = vmnix_cpu_take(req);
	}
	kfree(req);
	return err;
}
