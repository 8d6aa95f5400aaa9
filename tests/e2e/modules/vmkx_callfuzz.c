// SPDX-License-Identifier: GPL-2.0
/*
 * vmkx_callfuzz: a test module (e2e test fuzz-vmkcall) that issues random
 * vmkcalls at CPL 0 on every CPU at once, the way the shim does, and
 * checks each answer against the ABI (vmnix_abi.h): a correct result or
 * a negative errno, never a crash, a hang or a write outside the buffer
 * it was given.
 *
 * Numbers are every defined call, UNLOAD included, unknown ones and
 * random 64-bit ones.  UNLOAD without the load's key (which only the shim
 * knows) must return -EINVAL and leave the CPU inside the vmkernel: after
 * each one the thread checks, with CPUID, that it still is, and stops
 * (rather than fault on its next VMMCALL) if it is not.
 * Arguments are random, and buffers are guest-physical addresses of one
 * of these kinds:
 *   mine       a page block this module owns: the call must succeed and
 *              its result is checked, and the bytes around what it wrote
 *              must be untouched;
 *   region     inside the vmkernel's region, or straddling either end;
 *   span       at or beyond the 512 GiB the vmkernel maps, or straddling
 *              that end; wrap-around (gpa + len overflows); lengths over
 *              the 1 MiB limit;
 *   unbacked   an address under 512 GiB where QEMU has no memory or
 *              device: any answer will do, as long as there is one.
 * Those must all be refused with -EFAULT or -EINVAL.  Random physical
 * addresses of RAM the module does not own are never passed: the
 * vmkernel would rightly write there.
 *
 * Each CPU's thread runs `cases` calls; the checksum of the vmkernel's
 * code and read-only data must be the same before and after.  The test
 * script then checks from the console that every CPU is still inside.  Results go
 * to the kernel log (one line per call number: how many returned what)
 * and to the read-only parameters calls, failures and done.
 */
#define pr_fmt(fmt) "vmkx_callfuzz: " fmt

#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/processor.h>
#include "vmnix_abi.h"

static uint cases = 20000;
module_param(cases, uint, 0444);
MODULE_PARM_DESC(cases, "vmkcalls per CPU");
static ulong seed = 1;
module_param(seed, ulong, 0444);
MODULE_PARM_DESC(seed, "random seed; the same seed issues the same calls");
static ulong region_base;
module_param(region_base, ulong, 0444);
MODULE_PARM_DESC(region_base, "the vmkernel's region (as in /proc/vmware/version)");
static ulong region_size;
module_param(region_size, ulong, 0444);
MODULE_PARM_DESC(region_size, "its size in bytes");

/* Results, for the test script. */
static ulong calls;
module_param(calls, ulong, 0444);
static ulong failures;
module_param(failures, ulong, 0444);
static bool done;
module_param(done, bool, 0444);

#define NPT_SPAN	(512ULL << 30)	/* what the vmkernel maps (paging.c) */
#define BUF_MAX		(1ULL << 20)	/* its largest buffer (arch.c) */
#define BUF_ORDER	6		/* 256 KiB of our own per CPU */
#define BUF_BYTES	(PAGE_SIZE << BUF_ORDER)
#define BUF_USE		(128 * 1024)	/* offsets used; the rest is slack */
#define GUARD		32
#define FILL		0x5a
#define MAX_REPORTS	20

/* Result classes, per call number. */
enum { R_OK, R_EINVAL, R_EFAULT, R_ENOSYS, R_EPERM, R_OTHER, R_KINDS };
static const char *const r_names[R_KINDS] = {
	"ok", "-EINVAL", "-EFAULT", "-ENOSYS", "-EPERM", "other",
};
#define NR_SLOTS	(VMK_CALL_COUNT + 1)	/* the last: unknown numbers */

/* Buffer kinds. */
enum { B_MINE, B_REGION, B_SPAN, B_UNBACKED, B_KINDS };

struct fuzzer {
	int cpu;
	u64 rng;
	u8 *buf;		/* BUF_BYTES, physically contiguous */
	phys_addr_t buf_pa;
	u64 count[NR_SLOTS][R_KINDS];
	u64 calls, failures;
	bool left;		/* this CPU left the vmkernel: no more calls */
	struct completion finished;
	struct task_struct *task;
};

static struct vmk_info info0;
/* The live world table: an idle and a console world per CPU. */
#define NWORLDS ((u64)2 * info0.ncpus)
static s64 checksum0;
static atomic_t reports = ATOMIC_INIT(0);

static bool under_vmkernel(void)
{
	unsigned int a = VMK_CPUID_LEAF, b, c = 0, d;

	native_cpuid(&a, &b, &c, &d);
	return b == VMK_CPUID_SIG_EBX && c == VMK_CPUID_SIG_ECX &&
	       d == VMK_CPUID_SIG_EDX;
}

static u64 rnd(struct fuzzer *f)
{
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 0x2545f4914f6cdd1dULL;
}

static u64 below(struct fuzzer *f, u64 n)
{
	return n ? rnd(f) % n : 0;
}

static void report(struct fuzzer *f, u64 nr, const u64 *a, s64 ret,
		   const char *what)
{
	f->failures++;
	if (atomic_inc_return(&reports) <= MAX_REPORTS)
		pr_err("cpu%d: call %#llx (%#llx, %#llx, %#llx, %#llx) returned %lld: %s\n",
		       f->cpu, nr, a[0], a[1], a[2], a[3], ret, what);
}

/*
 * A guest-physical buffer of `len` bytes of the given kind.  For B_MINE
 * the address lies in our block, at most BUF_USE in, so that whatever
 * the call writes (at most 64 KiB) stays inside it.
 */
static u64 pick_gpa(struct fuzzer *f, int kind, u64 len)
{
	u64 k;

	switch (kind) {
	case B_MINE:
		k = GUARD + below(f, BUF_USE - GUARD);
		return f->buf_pa + (below(f, 4) ? k & ~7ULL : k);
	case B_REGION:
		/* Straddling the start: 1 to len - 1 bytes below the region. */
		k = below(f, 3);
		if (k == 1 && len >= 2)
			return region_base - 1 - below(f, len - 1);
		if (k == 2)
			return region_base + region_size - 1 - below(f, len);
		return region_base + below(f, region_size);
	case B_SPAN:
		switch (below(f, 5)) {
		case 0:	/* ending 1 to len - 1 bytes past the span */
			return len >= 2 ? NPT_SPAN - 1 - below(f, len - 1) : NPT_SPAN;
		case 1: return NPT_SPAN + below(f, 1ULL << 40);
		case 2: return ~0ULL - below(f, len);	/* wraps */
		case 3: return (1ULL << 63) + below(f, 1ULL << 32);
		default: return rnd(f) | NPT_SPAN << 1;
		}
	default:
		/* 256 GiB: far above QEMU's RAM and PCI windows for these boots */
		return (256ULL << 30) + below(f, 1ULL << 30);
	}
}

static int pick_kind(struct fuzzer *f)
{
	u64 k = below(f, 16);

	return k < 8 ? B_MINE : k < 12 ? B_REGION : k < 15 ? B_SPAN : B_UNBACKED;
}

static int result_class(s64 r)
{
	return r >= 0 ? R_OK : r == -EINVAL ? R_EINVAL : r == -EFAULT ? R_EFAULT :
	       r == -ENOSYS ? R_ENOSYS : r == -EPERM ? R_EPERM : R_OTHER;
}

/* The bytes GUARD before gpa and GUARD after gpa + written must be FILL;
 * then the area is filled again for the next call. */
static void check_guards(struct fuzzer *f, u64 nr, const u64 *a, s64 ret,
			 u64 gpa, u64 written)
{
	u8 *p = f->buf + (gpa - f->buf_pa);

	for (int i = 1; i <= GUARD; i++) {
		if (p[-i] != FILL || p[written + i - 1] != FILL) {
			report(f, nr, a, ret, "wrote outside its buffer");
			break;
		}
	}
	memset(p - GUARD, FILL, written + 2 * GUARD);
}

static bool bad_buffer_answer(s64 r)
{
	return r == -EFAULT || r == -EINVAL;
}

/* One random call; checks its answer. */
static void one_call(struct fuzzer *f)
{
	static const u64 known[] = {
		VMK_CALL_NOP, VMK_CALL_INFO, VMK_CALL_LOG_READ, VMK_CALL_CPU_STATS,
		VMK_CALL_WORLD_LIST, VMK_CALL_UNLOAD, VMK_CALL_CHECKSUM, VMK_CALL_FLOOR,
	};
	u64 nr, a[4], gpa = 0, len = 0, written = 0;
	int kind = B_MINE, slot;
	bool arg_bad = false, mine;
	s64 r;

	switch (below(f, 20)) {
	case 0: case 1: nr = VMK_CALL_COUNT + below(f, 64); break;
	case 2: nr = rnd(f); break;
	case 3: nr = (below(f, 0xffffffffULL) + 1) << 32 | below(f, VMK_CALL_COUNT); break;
	default: nr = known[below(f, ARRAY_SIZE(known))]; break;
	}
	for (int i = 0; i < 4; i++)
		a[i] = below(f, 4) ? rnd(f) : below(f, 4096);

	switch (nr) {
	case VMK_CALL_UNLOAD:
		/* A zero key too: a cleared register must not unload. */
		if (!below(f, 8))
			a[0] = 0;
		break;
	case VMK_CALL_INFO:
		len = sizeof(struct vmk_info);
		a[1] = below(f, 4) ? len + below(f, 64) : below(f, 2) ? below(f, len) : rnd(f);
		arg_bad = a[1] < len;
		kind = pick_kind(f);
		gpa = a[0] = pick_gpa(f, kind, len);
		written = len;
		break;
	case VMK_CALL_LOG_READ:
		switch (below(f, 6)) {
		case 0: len = 0; break;
		case 1: len = BUF_MAX + 1 + below(f, 1ULL << 32); break;
		case 2: len = rnd(f); break;
		case 3: len = below(f, BUF_MAX + 1); break;
		default: len = 1 + below(f, 8192); break;
		}
		a[1] = len;
		a[2] = below(f, 2) ? below(f, info0.log_head + 4096) : rnd(f);
		kind = pick_kind(f);
		gpa = a[0] = pick_gpa(f, kind, len ? len : 1);
		break;
	case VMK_CALL_CPU_STATS:
		len = sizeof(struct vmk_cpu_stats);
		a[0] = below(f, 4) ? below(f, info0.ncpus + 2) : rnd(f);
		a[2] = below(f, 4) ? len + below(f, 64) : below(f, 2) ? below(f, len) : rnd(f);
		arg_bad = a[0] >= info0.ncpus || a[2] < len;
		kind = pick_kind(f);
		gpa = a[1] = pick_gpa(f, kind, len);
		written = len;
		break;
	case VMK_CALL_WORLD_LIST:
		a[1] = below(f, 4) ? below(f, VMK_WORLD_LIST_MAX + 2) : rnd(f);
		/* From the first world, or from a cursor past the last. */
		a[2] = below(f, 4) ? 0 : rnd(f) | (1ULL << 40);
		arg_bad = a[1] == 0 || a[1] > VMK_WORLD_LIST_MAX;
		written = min_t(u64, a[1], a[2] ? 0 : NWORLDS) * sizeof(struct vmk_world_info);
		len = written ? written : 1;
		kind = pick_kind(f);
		gpa = a[0] = pick_gpa(f, kind, len);
		break;
	case VMK_CALL_FLOOR:
		/* Each sample is a VMRUN/#VMEXIT pair: keep valid counts small. */
		a[0] = below(f, 4) ? below(f, 17) : below(f, 2) ? VMK_FLOOR_MAX + 1 + below(f, 64) : rnd(f);
		arg_bad = a[0] == 0 || a[0] > VMK_FLOOR_MAX;
		if (!arg_bad && a[0] > 16)
			a[0] = 16;
		written = arg_bad ? 0 : a[0] * sizeof(u64);
		len = written ? written : 8;
		kind = pick_kind(f);
		gpa = a[1] = pick_gpa(f, kind, len);
		break;
	}
	mine = kind == B_MINE && gpa;

	r = vmk_vmmcall(nr, a[0], a[1], a[2], a[3]);
	f->calls++;
	slot = nr < VMK_CALL_COUNT ? (int)nr : VMK_CALL_COUNT;
	f->count[slot][result_class(r)]++;

	switch (nr) {
	case VMK_CALL_NOP:
		if (r != 0)
			report(f, nr, a, r, "NOP must return 0");
		break;
	case VMK_CALL_CHECKSUM:
		if (r != checksum0)
			report(f, nr, a, r, "the checksum changed");
		break;
	case VMK_CALL_UNLOAD:
		if (!under_vmkernel()) {
			report(f, nr, a, r, "UNLOAD without the load's key took this CPU out of the vmkernel");
			f->left = true;
		} else if (r != -EINVAL) {
			report(f, nr, a, r, "UNLOAD without the load's key: expected -EINVAL");
		}
		break;
	case VMK_CALL_INFO:
	case VMK_CALL_CPU_STATS:
	case VMK_CALL_WORLD_LIST:
	case VMK_CALL_FLOOR:
		if (arg_bad) {
			if (r != -EINVAL)
				report(f, nr, a, r, "bad size, index or count: expected -EINVAL");
			if (mine)
				check_guards(f, nr, a, r, gpa, 0);
			break;
		}
		if (kind == B_UNBACKED)
			break;
		if (!mine) {
			if (!bad_buffer_answer(r))
				report(f, nr, a, r, "a buffer it may not use: expected -EFAULT or -EINVAL");
			break;
		}
		if (nr == VMK_CALL_INFO) {
			const struct vmk_info *in = (void *)(f->buf + (gpa - f->buf_pa));

			if (r != 0 || in->call_version != VMK_CALL_VERSION ||
			    in->abi_version != VMK_ABI_VERSION ||
			    in->ncpus != info0.ncpus || in->ncpus_running != info0.ncpus ||
			    in->region_pa != info0.region_pa ||
			    in->region_size != info0.region_size ||
			    strncmp(in->version, info0.version, sizeof(in->version)))
				report(f, nr, a, r, "INFO: wrong answer");
		} else if (nr == VMK_CALL_CPU_STATS) {
			struct vmk_cpu_stats st;

			memcpy(&st, f->buf + (gpa - f->buf_pa), sizeof(st));
			if (r != 0 || st.index != a[0] || st.state != VMK_CPU_CONSOLE)
				report(f, nr, a, r, "CPU_STATS: wrong answer");
		} else if (nr == VMK_CALL_WORLD_LIST) {
			u64 n = min_t(u64, a[1], a[2] ? 0 : NWORLDS);
			struct vmk_world_info w;

			if (r != (s64)n)
				report(f, nr, a, r, "WORLD_LIST: wrong count");
			for (u64 i = 0; r == (s64)n && i < n; i++) {
				memcpy(&w, f->buf + (gpa - f->buf_pa) + i * sizeof(w), sizeof(w));
				if (w.cpu >= info0.ncpus || (w.type != VMK_WORLD_CONSOLE &&
							     w.type != VMK_WORLD_IDLE)) {
					report(f, nr, a, r, "WORLD_LIST: wrong world");
					break;
				}
			}
		} else {
			u64 s;

			if (r != (s64)a[0])
				report(f, nr, a, r, "FLOOR: wrong count");
			for (u64 i = 0; r == (s64)a[0] && i < a[0]; i++) {
				memcpy(&s, f->buf + (gpa - f->buf_pa) + i * 8, 8);
				if (s == 0 || s > (1ULL << 40)) {
					report(f, nr, a, r, "FLOOR: impossible sample");
					break;
				}
			}
		}
		check_guards(f, nr, a, r, gpa, written);
		break;
	case VMK_CALL_LOG_READ:
		if (len == 0) {
			if (r != 0)
				report(f, nr, a, r, "LOG_READ of 0 bytes must return 0");
		} else if (len > BUF_MAX || (kind != B_MINE && kind != B_UNBACKED)) {
			if (!bad_buffer_answer(r))
				report(f, nr, a, r, "a length or buffer it may not use: expected -EFAULT or -EINVAL");
		} else if (kind == B_MINE) {
			if (r < 0 || r > (s64)min_t(u64, len, VMK_LOG_SIZE))
				report(f, nr, a, r, "LOG_READ: wrong length");
			else
				check_guards(f, nr, a, r, gpa, (u64)r);
		}
		break;
	default:
		if (r != -ENOSYS)
			report(f, nr, a, r, "an unknown call: expected -ENOSYS");
		break;
	}
}

static int fuzz_thread(void *arg)
{
	struct fuzzer *f = arg;

	if (!under_vmkernel()) {
		pr_err("cpu%d is not in the vmkernel: no calls issued\n", f->cpu);
		f->failures++;
		goto out;
	}
	memset(f->buf, FILL, BUF_BYTES);
	for (uint i = 0; i < cases && !f->left; i++) {
		one_call(f);
		if ((i & 255) == 255)
			cond_resched();
	}
out:
	complete(&f->finished);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 10);
	return 0;
}

static void print_counts(u64 (*count)[R_KINDS])
{
	static const char *const names[NR_SLOTS] = {
		"NOP", "INFO", "LOG_READ", "CPU_STATS", "WORLD_LIST", "UNLOAD",
		"CHECKSUM", "FLOOR", "MEM_INFO", "unknown",
	};

	for (int n = 0; n < NR_SLOTS; n++) {
		char line[160];
		int at = 0;
		u64 total = 0;

		for (int k = 0; k < R_KINDS; k++) {
			total += count[n][k];
			if (count[n][k])
				at += scnprintf(line + at, sizeof(line) - at, " %s %llu",
						r_names[k], count[n][k]);
		}
		pr_info("%-10s %7llu calls:%s\n", names[n], total, at ? line : " none");
	}
}

static int __init callfuzz_init(void)
{
	static u64 count[NR_SLOTS][R_KINDS];
	struct fuzzer *fz;
	struct vmk_info *ib;
	unsigned int cpu, ncpu = 0;
	u64 t0 = ktime_get_ns();
	s64 r, sum;
	int err = 0;

	/* Only under the vmkernel: VMMCALL on bare hardware is #UD. */
	cpus_read_lock();
	if (!under_vmkernel()) {
		pr_err("the vmkernel is not loaded (no CPUID leaf %#x): load it first\n",
		       VMK_CPUID_LEAF);
		err = -ENODEV;
		goto out_unlock;
	}
	ib = kzalloc(sizeof(*ib), GFP_KERNEL);
	if (!ib) {
		err = -ENOMEM;
		goto out_unlock;
	}
	r = vmk_vmmcall(VMK_CALL_INFO, virt_to_phys(ib), sizeof(*ib), 0, 0);
	info0 = *ib;
	kfree(ib);
	checksum0 = vmk_vmmcall(VMK_CALL_CHECKSUM, 0, 0, 0, 0);
	if (r || checksum0 < 0 || info0.ncpus != num_online_cpus()) {
		pr_err("INFO returned %lld (%u CPUs, %u online), CHECKSUM %lld\n",
		       r, info0.ncpus, num_online_cpus(), checksum0);
		err = -EIO;
		goto out_unlock;
	}
	if (!region_base || !region_size) {
		region_base = info0.region_pa;
		region_size = info0.region_size;
	} else if (region_base != info0.region_pa || region_size != info0.region_size) {
		pr_err("INFO says region %#llx+%#llx, the parameters say %#lx+%#lx\n",
		       info0.region_pa, info0.region_size, region_base, region_size);
		failures++;
	}

	fz = kcalloc(nr_cpu_ids, sizeof(*fz), GFP_KERNEL);
	if (!fz) {
		err = -ENOMEM;
		goto out_unlock;
	}
	for_each_online_cpu(cpu) {
		struct fuzzer *f = &fz[cpu];
		struct page *pg = alloc_pages_node(cpu_to_node(cpu), GFP_KERNEL, BUF_ORDER);

		f->cpu = cpu;
		f->rng = (seed + 1) * 0x9fb21c651e98df25ULL ^ (cpu + 1) * 0xc2b2ae3d27d4eb4fULL;
		init_completion(&f->finished);
		if (!pg) {
			err = -ENOMEM;
			break;
		}
		f->buf = page_address(pg);
		f->buf_pa = virt_to_phys(f->buf);
		f->task = kthread_create_on_node(fuzz_thread, f, cpu_to_node(cpu),
						 "vmkx_callfuzz/%u", cpu);
		if (IS_ERR(f->task)) {
			err = PTR_ERR(f->task);
			f->task = NULL;
			break;
		}
		kthread_bind(f->task, cpu);
	}
	/* Start them together, so that calls run on every CPU at once. */
	for_each_online_cpu(cpu) {
		if (fz[cpu].task) {
			wake_up_process(fz[cpu].task);
			ncpu++;
		}
	}
	for_each_online_cpu(cpu) {
		struct fuzzer *f = &fz[cpu];

		if (!f->task)
			continue;
		wait_for_completion(&f->finished);
		kthread_stop(f->task);
		calls += f->calls;
		failures += f->failures;
		for (int n = 0; n < NR_SLOTS; n++)
			for (int k = 0; k < R_KINDS; k++)
				count[n][k] += f->count[n][k];
	}
	for_each_online_cpu(cpu) {
		if (fz[cpu].buf)
			free_pages((unsigned long)fz[cpu].buf, BUF_ORDER);
	}
	kfree(fz);
	if (err) {
		pr_err("setup failed (%d)\n", err);
		goto out_unlock;
	}

	/* Not on a CPU that left: there VMMCALL is #UD. */
	cpu = get_cpu();
	if (under_vmkernel()) {
		sum = vmk_vmmcall(VMK_CALL_CHECKSUM, 0, 0, 0, 0);
	} else {
		pr_err("cpu%u is no longer in the vmkernel: no checksum\n", cpu);
		sum = -ENODEV;
	}
	put_cpu();
	if (sum != checksum0) {
		pr_err("the vmkernel's checksum changed: %#llx, was %#llx\n", sum, checksum0);
		failures++;
	}
	print_counts(count);
	pr_info("%lu calls on %u CPUs (seed %lu) in %llu ms: %lu failures; checksum %#llx %s\n",
		calls, ncpu, seed, (ktime_get_ns() - t0) / NSEC_PER_MSEC, failures, sum,
		sum == checksum0 ? "unchanged" : "CHANGED");
	done = true;
out_unlock:
	cpus_read_unlock();
	return err;
}

static void __exit callfuzz_exit(void)
{
}

module_init(callfuzz_init);
module_exit(callfuzz_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmkx test: random vmkcalls on every CPU, checked against the ABI");
