// SPDX-License-Identifier: GPL-2.0
/*
 * vmkx_intercepts: a test module (e2e test intercepts) that checks, from
 * inside the console kernel, what the vmkernel's intercepts show the
 * console world, in the manner of kvm-unit-tests: one "PASS: what" or
 * "FAIL: what (got X, expected Y)" line per assertion in the kernel log,
 * which the test script copies to the serial console.
 *
 * The module stays loaded across the vmkernel's load and unload; the test
 * script steers it by writing a phase to the parameter `run`:
 *   bare      before the vmkernel is loaded: remembers each CPU's real
 *             VM_HSAVE_PA and says what the bare CPU shows;
 *   loaded    under the vmkernel, on every online CPU: EFER (SVME stays
 *             set and is shown set, reserved bits give #GP), VM_CR and
 *             VM_HSAVE_PA (emulated: a host-save area the console names is
 *             never used), the hypervisor CPUID leaves, and #UD for every
 *             SVM instruction; once: the vmkernel's paging levels match
 *             the console's own;
 *   unloaded  after unload: each CPU's real VM_HSAVE_PA is what it was
 *             before the load, EFER.SVME is clear and SVM is visible again.
 * The read-only parameters `tests` and `failures` count the assertions.
 *
 * Parameters region_base and region_size give the vmkernel's region (as
 * in /proc/vmware/version).
 */
#define pr_fmt(fmt) "vmkx_intercepts: " fmt

#include <linux/cpu.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <asm/asm.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/trapnr.h>
#include "vmnix_abi.h"

#define MSR_VMKX_VM_CR		0xc0010114
#define MSR_VMKX_VM_HSAVE_PA	0xc0010117
#define VM_CR_LOCK		(1ULL << 3)
#define VM_CR_SVMDIS		(1ULL << 4)
#define EFER_SVME_BIT		(1ULL << 12)
#define HSAVE_FILL		0x5a
#define NO_TRAP			(~0UL)

static ulong region_base;
module_param(region_base, ulong, 0444);
MODULE_PARM_DESC(region_base, "the vmkernel's region (as in /proc/vmware/version)");
static ulong region_size;
module_param(region_size, ulong, 0444);
MODULE_PARM_DESC(region_size, "its size in bytes");

static uint tests;
module_param(tests, uint, 0444);
MODULE_PARM_DESC(tests, "assertions made so far");
static uint failures;
module_param(failures, uint, 0444);
MODULE_PARM_DESC(failures, "assertions failed so far");

/* Each CPU's real VM_HSAVE_PA before the load (phase bare). */
static u64 bare_hsave[NR_CPUS];
static bool bare_known[NR_CPUS];

/*
 * One assertion.  The phases run one at a time (the parameter's lock is
 * held while a phase runs, and work_on_cpu() waits), so the counters need
 * no lock.
 */
static __printf(4, 5) bool report(bool ok, int cpu, const char *what,
				  const char *fmt, ...)
{
	char why[128];
	va_list ap;

	tests++;
	if (ok) {
		if (cpu >= 0)
			pr_info("PASS: cpu%d: %s\n", cpu, what);
		else
			pr_info("PASS: %s\n", what);
		return true;
	}
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	failures++;
	if (cpu >= 0)
		pr_info("FAIL: cpu%d: %s (%s)\n", cpu, what, why);
	else
		pr_info("FAIL: %s (%s)\n", what, why);
	return false;
}

static bool report_eq(int cpu, const char *what, u64 got, u64 expected)
{
	return report(got == expected, cpu, what, "got %#llx, expected %#llx",
		      got, expected);
}

static struct cpuid_regs cpuid_of(u32 leaf)
{
	struct cpuid_regs r = { .eax = leaf, .ecx = 0 };

	native_cpuid(&r.eax, &r.ebx, &r.ecx, &r.edx);
	return r;
}

static bool vmkernel_signature(void)
{
	struct cpuid_regs r = cpuid_of(VMK_CPUID_LEAF);

	return r.ebx == VMK_CPUID_SIG_EBX && r.ecx == VMK_CPUID_SIG_ECX &&
	       r.edx == VMK_CPUID_SIG_EDX;
}

/*
 * A vmkcall that survives bare hardware, where VMMCALL raises #UD: the
 * exception-table entry resumes after the instruction with `done` still
 * clear.  Returns the vmkcall's result, or -ENODEV if it faulted.
 */
static s64 vmkcall_safe(u64 nr, u64 a0, u64 a1)
{
	register u64 r10 asm("r10") = 0;
	u64 ax = nr;
	u32 done;

	asm volatile("xor %%ecx, %%ecx\n"
		     "1: vmmcall\n"
		     "mov $1, %%ecx\n"
		     "2:\n"
		     _ASM_EXTABLE(1b, 2b)
		     : "+a"(ax), "=&c"(done)
		     : "D"(a0), "S"(a1), "d"(0ULL), "r"(r10)
		     : "memory");
	return done ? (s64)ax : -ENODEV;
}

/*
 * The SVM instructions, each run once with an exception-table entry of
 * type "fault": if it raises an exception, the kernel resumes after it
 * with the vector number in RAX.  RAX is the VMCB (VMRUN, VMLOAD, VMSAVE),
 * the secure loader block (SKINIT) or the address (INVLPGA) operand; ECX
 * is INVLPGA's ASID.  The result is the vector, or NO_TRAP.
 */
#define SVM_INSN_FN(fn, bytes)						\
static unsigned long fn(unsigned long ax)				\
{									\
	unsigned long in = ax;						\
									\
	asm volatile("1: .byte " bytes "\n2:\n"				\
		     _ASM_EXTABLE_FAULT(1b, 2b)				\
		     : "+a"(ax) : "c"(0) : "memory");			\
	return ax == in ? NO_TRAP : ax;					\
}
SVM_INSN_FN(try_vmrun, "0x0f, 0x01, 0xd8")
SVM_INSN_FN(try_vmload, "0x0f, 0x01, 0xda")
SVM_INSN_FN(try_vmsave, "0x0f, 0x01, 0xdb")
SVM_INSN_FN(try_stgi, "0x0f, 0x01, 0xdc")
SVM_INSN_FN(try_clgi, "0x0f, 0x01, 0xdd")
SVM_INSN_FN(try_skinit, "0x0f, 0x01, 0xde")
SVM_INSN_FN(try_invlpga, "0x0f, 0x01, 0xdf")

static const struct {
	const char *name;
	unsigned long (*run)(unsigned long ax);
	bool takes_page;	/* RAX names a page-aligned physical page */
} svm_insns[] = {
	{ "VMRUN", try_vmrun, true },
	{ "VMLOAD", try_vmload, true },
	{ "VMSAVE", try_vmsave, true },
	{ "STGI", try_stgi, false },
	{ "CLGI", try_clgi, false },
	{ "SKINIT", try_skinit, true },
	{ "INVLPGA", try_invlpga, false },
};

struct cpu_job {
	int cpu;
	u8 *page;	/* a page of our own: candidate VMCB / host-save area */
};

static void check_efer(int cpu)
{
	static const struct { u64 bit; const char *what; } reserved[] = {
		{ 1ULL << 1, "an EFER write with reserved bit 1 set gives #GP" },
		{ 1ULL << 9, "an EFER write with reserved bit 9 set gives #GP" },
		{ 1ULL << 63, "an EFER write with reserved bit 63 set gives #GP" },
	};
	u64 efer = 0, after = 0;
	int err, i;

	preempt_disable();
	err = rdmsrl_safe(MSR_EFER, &efer);
	if (!report(!err, cpu, "rdmsr EFER works", "got %d", err))
		goto out;
	report(efer & EFER_SVME_BIT, cpu, "EFER reads with SVME set",
	       "got %#llx, SVME (bit 12) clear", efer);
	err = wrmsrl_safe(MSR_EFER, efer & ~EFER_SVME_BIT);
	report(!err, cpu, "an EFER write that clears SVME is accepted",
	       "got %d, expected 0", err);
	err = rdmsrl_safe(MSR_EFER, &after);
	report(!err && after == (efer | EFER_SVME_BIT), cpu,
	       "EFER reads back with SVME still set and the other bits as written",
	       "got %#llx (error %d), expected %#llx", after, err,
	       efer | EFER_SVME_BIT);
	for (i = 0; i < ARRAY_SIZE(reserved); i++) {
		err = wrmsrl_safe(MSR_EFER, efer | reserved[i].bit);
		report(err == -EIO, cpu, reserved[i].what,
		       "got %d, expected %d (#GP)", err, -EIO);
	}
	err = rdmsrl_safe(MSR_EFER, &after);
	report(!err && after == efer, cpu, "EFER is unchanged after the refused writes",
	       "got %#llx (error %d), expected %#llx", after, err, efer);
out:
	preempt_enable();
}

static void check_vm_cr(int cpu)
{
	u64 v = 0, after = 0;
	int err;

	preempt_disable();
	err = rdmsrl_safe(MSR_VMKX_VM_CR, &v);
	if (!report(!err, cpu, "rdmsr VM_CR works", "got %d", err))
		goto out;
	report((v & (VM_CR_SVMDIS | VM_CR_LOCK)) == (VM_CR_SVMDIS | VM_CR_LOCK), cpu,
	       "VM_CR reads with SVMDIS and LOCK set (SVM disabled for the console)",
	       "got %#llx", v);
	err = wrmsrl_safe(MSR_VMKX_VM_CR, v & ~(VM_CR_SVMDIS | VM_CR_LOCK));
	report(!err, cpu, "a VM_CR write clearing SVMDIS and LOCK is accepted",
	       "got %d, expected 0", err);
	err = rdmsrl_safe(MSR_VMKX_VM_CR, &after);
	report(!err && after == v, cpu, "VM_CR reads back unchanged after the write",
	       "got %#llx (error %d), expected %#llx", after, err, v);
out:
	preempt_enable();
}

static bool in_region(u64 pa)
{
	return region_size && pa >= region_base && pa - region_base < region_size;
}

/*
 * VM_HSAVE_PA is emulated: the console may name any page, reads give back
 * what it named, and the vmkernel keeps saving its own state in its own
 * area.  Were the write to reach the real MSR, the next VMRUN (after the
 * vmkcall below) would store the vmkernel's host state in our page.
 */
static void check_hsave(int cpu, u8 *page)
{
	u64 orig = 0, got = 0, pa = virt_to_phys(page);
	struct cpuid_regs r;
	size_t i, changed = 0;
	s64 ret;
	int err;

	memset(page, HSAVE_FILL, PAGE_SIZE);
	preempt_disable();
	err = rdmsrl_safe(MSR_VMKX_VM_HSAVE_PA, &orig);
	if (!report(!err, cpu, "rdmsr VM_HSAVE_PA works", "got %d", err))
		goto out;
	report(!in_region(orig), cpu,
	       "VM_HSAVE_PA does not show the vmkernel's own host-save area",
	       "got %#llx, inside the region %#lx+%#lx", orig, region_base, region_size);
	err = wrmsrl_safe(MSR_VMKX_VM_HSAVE_PA, pa);
	report(!err, cpu, "a VM_HSAVE_PA write is accepted", "got %d, expected 0", err);
	err = rdmsrl_safe(MSR_VMKX_VM_HSAVE_PA, &got);
	report(!err && got == pa, cpu, "VM_HSAVE_PA reads back what the console wrote",
	       "got %#llx (error %d), expected %#llx", got, err, pa);
	ret = vmkcall_safe(VMK_CALL_NOP, 0, 0);
	report_eq(cpu, "a vmkcall NOP still works after the write", ret, 0);
	r = cpuid_of(VMK_CPUID_LEAF + 1);
	report_eq(cpu, "CPUID 0x40000001 still gives the ABI revision after the write",
		  r.eax, VMK_ABI_VERSION);
	for (i = 0; i < PAGE_SIZE; i++)
		changed += page[i] != HSAVE_FILL;
	report(!changed, cpu,
	       "the page the console named as host-save area was not used by VMRUN",
	       "%zu of %lu bytes changed", changed, PAGE_SIZE);
	err = wrmsrl_safe(MSR_VMKX_VM_HSAVE_PA, orig);
	rdmsrl_safe(MSR_VMKX_VM_HSAVE_PA, &got);
	report(!err && got == orig, cpu, "VM_HSAVE_PA can be written back",
	       "got %#llx (error %d), expected %#llx", got, err, orig);
out:
	preempt_enable();
}

static void check_cpuid(int cpu)
{
	struct cpuid_regs r = cpuid_of(VMK_CPUID_LEAF);
	char sig[13];

	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = 0;
	report(!strcmp(sig, "VMkxVMkxVMkx"), cpu,
	       "CPUID 0x40000000 names the vmkernel (VMkxVMkxVMkx)", "got '%*pE'",
	       12, sig);
	report(r.eax >= VMK_CPUID_LEAF + 1 && r.eax < VMK_CPUID_LEAF + 0x100, cpu,
	       "CPUID 0x40000000 gives the hypervisor's highest leaf",
	       "got %#x", r.eax);
	r = cpuid_of(VMK_CPUID_LEAF + 1);
	report_eq(cpu, "CPUID 0x40000001 gives the ABI revision", r.eax, VMK_ABI_VERSION);
	r = cpuid_of(1);
	report(r.ecx & (1U << 31), cpu, "CPUID 1 has the hypervisor bit (ECX bit 31)",
	       "got ECX %#x", r.ecx);
	r = cpuid_of(0x80000001);
	report(!(r.ecx & (1U << 2)), cpu, "CPUID 0x80000001 hides SVM (ECX bit 2 clear)",
	       "got ECX %#x", r.ecx);
	r = cpuid_of(0x8000000a);
	report(!(r.eax | r.ebx | r.ecx | r.edx), cpu, "CPUID 0x8000000a (SVM features) is empty",
	       "got %08x %08x %08x %08x", r.eax, r.ebx, r.ecx, r.edx);
}

static void check_svm_insns(int cpu, u8 *page)
{
	unsigned long pa = virt_to_phys(page), trap;
	char what[64];
	int i;

	memset(page, 0, PAGE_SIZE);
	for (i = 0; i < ARRAY_SIZE(svm_insns); i++) {
		trap = svm_insns[i].run(svm_insns[i].takes_page ? pa : NO_TRAP);
		snprintf(what, sizeof(what), "%s gives #UD", svm_insns[i].name);
		if (trap == NO_TRAP)
			report(false, cpu, what, "got no exception, expected vector %d",
			       X86_TRAP_UD);
		else
			report(trap == X86_TRAP_UD, cpu, what,
			       "got vector %lu, expected %d", trap, X86_TRAP_UD);
	}
}

static long loaded_on_cpu(void *arg)
{
	struct cpu_job *job = arg;

	check_cpuid(job->cpu);
	check_efer(job->cpu);
	check_vm_cr(job->cpu);
	check_hsave(job->cpu, job->page);
	check_svm_insns(job->cpu, job->page);
	return 0;
}

/* The vmkernel's nested page tables follow the console's paging mode. */
static void check_paging(void)
{
	u32 want = (native_read_cr4() & X86_CR4_LA57) ? 5 : 4;
	struct vmk_info *info;
	s64 ret;

	info = (void *)get_zeroed_page(GFP_KERNEL);
	if (!info) {
		report(false, -1, "the vmkernel's paging levels", "no memory");
		return;
	}
	ret = vmkcall_safe(VMK_CALL_INFO, virt_to_phys(info), sizeof(*info));
	if (report_eq(-1, "vmkcall INFO works", ret, 0))
		report(info->paging_levels == want, -1,
		       "the vmkernel's paging levels match the console's (CR4.LA57)",
		       "got %u, expected %u", info->paging_levels, want);
	free_page((unsigned long)info);
}

static long bare_on_cpu(void *arg)
{
	struct cpu_job *job = arg;
	struct cpuid_regs r;
	int err;

	err = rdmsrl_safe(MSR_VMKX_VM_HSAVE_PA, &bare_hsave[job->cpu]);
	bare_known[job->cpu] = !err;
	/* An earlier unload (the load at boot) must not have left it pointing
	 * into the vmkernel's memory. */
	if (!err)
		report(!in_region(bare_hsave[job->cpu]), job->cpu,
		       "the real VM_HSAVE_PA does not point into the vmkernel's region",
		       "got %#llx, inside %#lx+%#lx", bare_hsave[job->cpu],
		       region_base, region_size);
	report(!vmkernel_signature(), job->cpu, "bare hardware before the load",
	       "the VMkx signature is in CPUID");
	r = cpuid_of(0x80000001);
	report(r.ecx & (1U << 2), job->cpu, "the bare CPU shows SVM (CPUID 0x80000001 ECX bit 2)",
	       "got ECX %#x", r.ecx);
	r = cpuid_of(1);
	pr_info("cpu%d: bare: VM_HSAVE_PA %#llx%s, CPUID 1 hypervisor bit %u\n",
		job->cpu, bare_hsave[job->cpu], err ? " (unreadable)" : "",
		!!(r.ecx & (1U << 31)));
	return 0;
}

static long unloaded_on_cpu(void *arg)
{
	struct cpu_job *job = arg;
	struct cpuid_regs r;
	u64 v = 0;
	int err;

	report(!vmkernel_signature(), job->cpu, "bare hardware after the unload",
	       "the VMkx signature is still in CPUID");
	if (bare_known[job->cpu]) {
		err = rdmsrl_safe(MSR_VMKX_VM_HSAVE_PA, &v);
		report(!err && v == bare_hsave[job->cpu], job->cpu,
		       "the real VM_HSAVE_PA is what it was before the load",
		       "got %#llx (error %d), expected %#llx", v, err,
		       bare_hsave[job->cpu]);
	} else {
		pr_info("SKIP: cpu%d: the real VM_HSAVE_PA after the unload "
			"(not readable before the load)\n", job->cpu);
	}
	err = rdmsrl_safe(MSR_EFER, &v);
	report(!err && !(v & EFER_SVME_BIT), job->cpu, "EFER.SVME is clear again",
	       "got %#llx (error %d)", v, err);
	r = cpuid_of(0x80000001);
	report(r.ecx & (1U << 2), job->cpu, "SVM is visible again in CPUID 0x80000001",
	       "got ECX %#x", r.ecx);
	return 0;
}

static int run_phase(long (*fn)(void *), bool once_paging)
{
	struct cpu_job job;
	int cpu, err = 0;

	job.page = (u8 *)get_zeroed_page(GFP_KERNEL);
	if (!job.page)
		return -ENOMEM;
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		job.cpu = cpu;
		err = work_on_cpu(cpu, fn, &job);
		if (err)
			break;
	}
	cpus_read_unlock();
	if (!err && once_paging)
		check_paging();
	pr_info("SUMMARY: %u tests, %u unexpected failures\n", tests, failures);
	free_page((unsigned long)job.page);
	return err;
}

static int run_set(const char *val, const struct kernel_param *kp)
{
	if (!region_size) {
		pr_err("run: needs region_base= and region_size=\n");
		return -EINVAL;
	}
	if (sysfs_streq(val, "bare"))
		return run_phase(bare_on_cpu, false);
	if (sysfs_streq(val, "loaded"))
		return run_phase(loaded_on_cpu, true);
	if (sysfs_streq(val, "unloaded"))
		return run_phase(unloaded_on_cpu, false);
	pr_err("run: unknown phase '%s' (bare, loaded or unloaded)\n", val);
	return -EINVAL;
}

static const struct kernel_param_ops run_ops = {
	.set = run_set,
};
module_param_cb(run, &run_ops, NULL, 0200);
MODULE_PARM_DESC(run, "a phase to run: bare, loaded or unloaded");

static int __init intercepts_init(void)
{
	return 0;
}

static void __exit intercepts_exit(void)
{
}

module_init(intercepts_init);
module_exit(intercepts_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmkx test: what the vmkernel's intercepts show the console");
