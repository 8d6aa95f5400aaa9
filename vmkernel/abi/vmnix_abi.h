/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vmkx ABI: everything the vmkernel, the shim (vmnix.ko), the loader
 * (vmkload) and the console tools agree on, in one place.
 *
 *  - the vmkernel image header, found at offset 0 of the image as loaded;
 *  - the entry protocol between the shim and the vmkernel;
 *  - vmkcall numbers and their argument structures;
 *  - the shared-memory layout of the vmkernel log;
 *  - the /dev/vmnix ioctls.
 *
 * Every structure has fixed-size fields only, so that the same bytes mean
 * the same thing to the freestanding vmkernel, the Linux module and
 * userspace.  Any incompatible change bumps VMK_ABI_VERSION.
 */
#ifndef VMNIX_ABI_H
#define VMNIX_ABI_H

#if defined(__ASSEMBLER__)
/* Assembly sees the constants only. */
#elif defined(__KERNEL__)
#include <linux/types.h>
#include <linux/ioctl.h>
typedef __u8 vmk_u8;
typedef __u16 vmk_u16;
typedef __u32 vmk_u32;
typedef __u64 vmk_u64;
typedef __s64 vmk_s64;
#elif defined(VMK_FREESTANDING)
#include <stdint.h>
typedef uint8_t vmk_u8;
typedef uint16_t vmk_u16;
typedef uint32_t vmk_u32;
typedef uint64_t vmk_u64;
typedef int64_t vmk_s64;
#define _IOC(dir, type, nr, size) \
	(((dir) << 30) | ((type) << 8) | (nr) | ((size) << 16))
#define _IOW(t, n, s) _IOC(1U, (t), (n), sizeof(s))
#define _IOR(t, n, s) _IOC(2U, (t), (n), sizeof(s))
#define _IOWR(t, n, s) _IOC(3U, (t), (n), sizeof(s))
#define _IO(t, n) _IOC(0U, (t), (n), 0)
#else
#include <stdint.h>
#include <sys/ioctl.h>
typedef uint8_t vmk_u8;
typedef uint16_t vmk_u16;
typedef uint32_t vmk_u32;
typedef uint64_t vmk_u64;
typedef int64_t vmk_s64;
#endif

/* ---- the image ------------------------------------------------------ */

/* "VMKXIMG\0" read as a little-endian u64. */
#define VMK_IMAGE_MAGIC		0x00474d49584b4d56ULL
#define VMK_ABI_VERSION		7
#define VMK_ARCH_X86_64		1

#define VMK_PAGE_SIZE		4096ULL
/* The reserved region must be aligned to and sized in 2 MiB units. */
#define VMK_REGION_ALIGN	(2ULL << 20)

#ifndef __ASSEMBLER__
/*
 * The image header.  The loader lays the ELF's PT_LOAD segments out as a
 * flat image (offset = p_vaddr) and this header must sit at offset 0.
 * The image is position independent: it is entered at whatever virtual
 * address the shim mapped it, and applies its own R_X86_64_RELATIVE
 * relocations (rela_offset, rela_size) before anything else.
 */
struct vmk_image_header {
	vmk_u64 magic;		/* VMK_IMAGE_MAGIC */
	vmk_u32 abi_version;	/* VMK_ABI_VERSION */
	vmk_u32 arch;		/* VMK_ARCH_X86_64 */
	vmk_u32 header_size;	/* sizeof(struct vmk_image_header) */
	vmk_u32 flags;		/* none defined yet: must be 0 */
	vmk_u64 image_size;	/* bytes from offset 0 to the end of .bss */
	vmk_u64 file_size;	/* bytes that come from the file (the rest is zero) */
	vmk_u64 min_mem;	/* smallest reserved region it can run in */
	vmk_u64 entry_init;	/* offset of vmk_entry_init_fn */
	vmk_u64 entry_cpu;	/* offset of vmk_entry_cpu_fn */
	vmk_u64 rela_offset;	/* offset of the Elf64_Rela table */
	vmk_u64 rela_size;	/* its size in bytes */
	vmk_u64 log_offset;	/* offset of struct vmk_log_ring in the image */
	vmk_u64 checksum;	/* vmk_image_sum() of the flat image, see below */
	char version[32];	/* NUL-terminated release string */
};

/*
 * The image's checksum: 64-bit FNV-1a over the flat image's file-backed
 * bytes [0, file_size) as they are before relocation, with the checksum
 * field itself read as zero.  The build writes it (vmkseal); the loader
 * and the shim each check it, so an image whose code or data changed is
 * refused before any of it runs.
 */
#define VMK_SUM_INIT		0xcbf29ce484222325ULL
#define VMK_SUM_CHECKSUM_OFFSET	88

static inline vmk_u64 vmk_sum_update(vmk_u64 h, const void *p, vmk_u64 n)
{
	const unsigned char *b = (const unsigned char *)p;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

/* The checksum of a flat image (file_size bytes at flat). */
static inline vmk_u64 vmk_image_sum(const void *flat, vmk_u64 file_size)
{
	static const unsigned char zero[8];
	const unsigned char *f = (const unsigned char *)flat;
	vmk_u64 h = VMK_SUM_INIT;

	h = vmk_sum_update(h, f, VMK_SUM_CHECKSUM_OFFSET);
	h = vmk_sum_update(h, zero, 8);
	return vmk_sum_update(h, f + VMK_SUM_CHECKSUM_OFFSET + 8,
			      file_size - VMK_SUM_CHECKSUM_OFFSET - 8);
}

#endif /* !__ASSEMBLER__ */

/* ---- entry protocol ------------------------------------------------- */

#define VMK_MAX_CPUS		64

#ifndef __ASSEMBLER__
/* Failure injection steps (vmkload --fail-cpu=N --fail-step=S). */
enum vmk_fail_step {
	VMK_FAIL_NONE = 0,
	VMK_FAIL_CPU_ENTER,	/* before touching any CPU state */
	VMK_FAIL_CPU_SVM,	/* after EFER.SVME is set */
	VMK_FAIL_CPU_VMCB,	/* after the VMCB is built, before VMRUN */
	VMK_FAIL_LOCK_ORDER,	/* start-up takes two locks against their ranks:
				 * the debug image must catch it (fail_cpu unused) */
	VMK_FAIL_STEPS
};

/*
 * Passed to entry_init on one CPU, with interrupts enabled, before any CPU
 * enters.  All addresses are filled in by the shim.
 */
struct vmk_boot_info {
	vmk_u64 region_pa;	/* physical base of the reserved region */
	vmk_u64 region_size;
	vmk_u64 region_va;	/* where the shim mapped it (and the image runs) */
	vmk_u64 tsc_khz;
	vmk_u32 ncpus;		/* CPUs that will enter */
	vmk_u32 log_level;	/* VMK_LOG_* */
	vmk_u32 flags;		/* VMK_BOOT_* */
	vmk_u32 fail_cpu;	/* failure injection: CPU index ... */
	vmk_u32 fail_step;	/* ... and enum vmk_fail_step */
	vmk_u32 reserved;
	vmk_u64 boot_tsc;	/* TSC when loading began */
	vmk_u64 load_key;	/* this load's key, never 0: see VMK_CALL_UNLOAD */
	vmk_u32 apic_id[VMK_MAX_CPUS];	/* by CPU index */
	vmk_u32 linux_cpu[VMK_MAX_CPUS];	/* Linux CPU number by index */
};

#define VMK_BOOT_SERIAL_LOG	(1U << 0)	/* copy the log to COM1 */

/* int entry_init(struct vmk_boot_info *info): 0 or -errno. */
/* int entry_cpu(vmk_u32 index): 0 once the CPU runs as the console world. */

/* ---- vmkcalls --------------------------------------------------------- */

/*
 * A vmkcall is VMMCALL from the console at CPL 0 with RAX = number and
 * RDI, RSI, RDX, R10 = arguments; the result comes back in RAX: >= 0 on
 * success, a negative errno otherwise.  Buffers are passed by guest
 * physical address and may not cross a page boundary unless stated.
 * Calls from CPL > 0 return -EPERM; unknown numbers -ENOSYS.
 *
 * A call that changes what the vmkernel owns is part of the shim's own
 * protocol, and carries the load's key (vmk_boot_info.load_key, drawn at
 * random by the shim for each load) as its first argument; with any other
 * value it returns -EINVAL and changes nothing.  So a stray VMMCALL at
 * CPL 0, whatever its registers, cannot take a CPU out of the vmkernel
 * behind the shim's back.  Such calls today are VMK_CALL_UNLOAD,
 * VMK_CALL_CPU_GIVE and VMK_CALL_CPU_TAKE.
 */
#define VMK_CALL_VERSION	1

#if defined(__x86_64__) && !defined(VMK_FREESTANDING)
/* Issues vmkcall nr from the console (the shim, test modules, tools). */
static inline vmk_s64 vmk_vmmcall(vmk_u64 nr, vmk_u64 a0, vmk_u64 a1,
				  vmk_u64 a2, vmk_u64 a3)
{
	register vmk_u64 r10 __asm__("r10") = a3;
	vmk_s64 ret;

	__asm__ volatile("vmmcall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10)
			 : "memory");
	return ret;
}
#endif

enum vmk_call {
	VMK_CALL_NOP = 0,	/* () -> 0: the null round trip */
	VMK_CALL_INFO,		/* (gpa of vmk_info, size) -> 0 */
	VMK_CALL_LOG_READ,	/* (gpa, len, from) -> bytes copied */
	VMK_CALL_CPU_STATS,	/* (cpu index, gpa of vmk_cpu_stats, size) -> 0 */
	VMK_CALL_WORLD_LIST,	/* (gpa of vmk_world_info[], max, cursor) -> count:
				 * up to max worlds from cursor on (0: the
				 * first; past the end: none); the last one's
				 * next continues the listing */
	VMK_CALL_UNLOAD,	/* (load key) -> 0 on this CPU, which leaves the
				 * vmkernel; -EINVAL for a wrong key */
	VMK_CALL_CHECKSUM,	/* () -> checksum of the vmkernel's image text/rodata */
	VMK_CALL_FLOOR,		/* (count, gpa of u64[count]) -> count: cycles of
				 * VMRUN/#VMEXIT pairs with a guest that only exits */
	VMK_CALL_MEM_INFO,	/* (gpa of vmk_mem_info, size) -> 0 */
	VMK_CALL_CPU_GIVE,	/* (load key, index) on that CPU itself: it becomes the
				 * vmkernel's when Linux halts it offline (see below) */
	VMK_CALL_CPU_TAKE,	/* (load key, index) -> 0 once that vmkernel CPU is
				 * parked and Linux may start it again with INIT/SIPI */
	VMK_CALL_WORLD_CREATE,	/* (gpa of vmk_world_req, size) -> world ID */
	VMK_CALL_WORLD_SET,	/* (gpa of vmk_world_req, size) -> 0 */
	VMK_CALL_WORLD_DESTROY,	/* (world ID) -> 0 once it is gone */
	VMK_CALL_WORLD_STATS,	/* (world ID, gpa of vmk_world_stats, size) -> 0 */
	VMK_CALL_WORLD_NEXT,	/* (world ID or 0) -> the next live world's ID, 0 at the end */
	VMK_CALL_MODULE_LOAD,	/* (load key, gpa of the module's ELF, size) ->
				 * the new module's id (> 0): see below */
	VMK_CALL_MODULE_UNLOAD,	/* (load key, module id) -> 0; -EBUSY in use */
	VMK_CALL_MODULE_LIST,	/* (gpa of vmk_module_stat[], max) -> count */
	/* Virtual machines: see "virtual machines" below. */
	VMK_CALL_VM_CREATE,	/* (gpa of vmk_vm_config, size) -> VM id (> 0) */
	VMK_CALL_VM_WRITE,	/* (VM id, guest-physical address, gpa of data,
				 * len <= VMK_VM_WRITE_MAX) -> 0: into the guest's
				 * RAM, while the VM is LOADING */
	VMK_CALL_VM_START,	/* (VM id, gpa of vmk_vm_boot, size) -> 0 */
	VMK_CALL_VM_STOP,	/* (VM id, VMK_VM_STOP_*) -> 0 once its VCPUs stopped */
	VMK_CALL_VM_RESET,	/* (VM id, VMK_VM_RESET_*) -> 0: HARD: stopped, RAM
				 * cleared, LOADING again; SOFT: its guest's
				 * tools are asked to reboot it (-ENOTSUP
				 * if they have not been seen) */
	VMK_CALL_VM_DESTROY,	/* (VM id) -> 0 once every page is returned */
	VMK_CALL_VM_INFO,	/* (VM id, gpa of vmk_vm_info, size) -> 0 */
	VMK_CALL_VM_NEXT,	/* (VM id or 0) -> the next VM's id, 0 at the end */
	VMK_CALL_VM_SET,	/* (gpa of vmk_vm_config, size) -> 0: its id's
				 * shares, min, max or affinity, at run time */
	VMK_CALL_VM_SERIAL_READ,  /* (VM id, gpa, len, from) -> bytes of its COM1
				   * output from byte `from` on (as LOG_READ) */
	VMK_CALL_VM_SERIAL_WRITE, /* (VM id, gpa, len) -> bytes taken into its
				   * COM1 input */
	VMK_CALL_MODULE_FILES,	/* (gpa of vmk_module_file[], max) -> count: the
				 * files modules serve under /proc/vmware */
	VMK_CALL_MODULE_FILE_READ,	/* (file id, gpa, len) -> bytes: one file's
				 * text, at most VMK_MOD_FILE_TEXT_MAX */
	VMK_CALL_COUNT
};

struct vmk_info {
	vmk_u32 call_version;	/* VMK_CALL_VERSION */
	vmk_u32 abi_version;	/* VMK_ABI_VERSION */
	char version[32];
	vmk_u64 uptime_ns;	/* since entry_init */
	vmk_u32 ncpus;
	vmk_u32 ncpus_running;	/* CPUs currently inside the vmkernel */
	vmk_u64 region_pa;
	vmk_u64 region_size;
	vmk_u64 mem_used;	/* bytes of the region in use */
	vmk_u64 log_head;	/* bytes ever written to the log */
	vmk_u64 tsc_khz;
	vmk_u32 paging_levels;	/* 4 or 5 */
	vmk_u32 reserved;
};

/* The vmkernel's memory: its region and each of its heaps. */
#define VMK_MEM_HEAPS_MAX	16

struct vmk_heap_info {
	char name[24];
	vmk_u64 limit;		/* bytes; 0: none */
	vmk_u64 held;		/* bytes of pages it holds */
	vmk_u64 held_hwm;	/* their high-water mark */
	vmk_u64 in_use;		/* bytes handed out */
	vmk_u64 in_use_hwm;
	vmk_u64 nalloc, nfree, nfail;
};

struct vmk_mem_info {
	vmk_u64 total;		/* the region */
	vmk_u64 free;		/* bytes of free pages */
	vmk_u64 image;		/* bytes the image takes at its start */
	vmk_u64 meta;		/* bytes of the page allocator's metadata */
	vmk_u32 nheaps;		/* entries of heaps[] filled */
	vmk_u32 reserved;
	struct vmk_heap_info heaps[VMK_MEM_HEAPS_MAX];
};

/*
 * Why the console left guest mode, counted per CPU: the vmkernel's own
 * kinds, whatever the vendor's exit codes (SVM's #VMEXIT codes, or VT-x's
 * basic exit reasons, each map onto one).
 */
enum vmk_exit_kind {
	VMK_EXIT_CPUID = 0,
	VMK_EXIT_VMKCALL,	/* the vmkcall instruction (SVM: VMMCALL) */
	VMK_EXIT_MSR,		/* an intercepted MSR read or write */
	VMK_EXIT_NESTED_FAULT,	/* a fault in the nested page tables (SVM: NPF) */
	VMK_EXIT_VIRT_INSN,	/* a virtualization instruction (SVM: VMRUN,
				 * VMLOAD, VMSAVE, STGI, CLGI, SKINIT, INVLPGA) */
	VMK_EXIT_SHUTDOWN,	/* a triple fault */
	VMK_EXIT_OTHER,
	VMK_EXIT_KINDS
};

#define VMK_EXIT_KIND_NAMES \
	{ "cpuid", "vmkcall", "msr", "nested", "virt", "shutdown", "other" }

enum vmk_cpu_state {
	VMK_CPU_OFF = 0,	/* never entered, or left */
	VMK_CPU_CONSOLE,	/* running the console world */
	VMK_CPU_FAILED,		/* entry failed; back on bare hardware */
	VMK_CPU_GIVING,		/* given: Linux is taking it offline */
	VMK_CPU_VMKERNEL,	/* the vmkernel's: runs its worlds, its timer, its IPIs */
	VMK_CPU_PARKED,		/* taken back: halted, waiting for Linux's INIT/SIPI */
};

#define VMK_CPU_STATE_NAMES \
	{ "off", "console", "failed", "giving", "vmkernel", "parked" }

/*
 * Giving a CPU to the vmkernel: the shim issues VMK_CALL_CPU_GIVE on the
 * CPU while Linux takes it offline; from then on the vmkernel intercepts
 * HLT there, and the HLT with interrupts off that ends Linux's offline
 * path (play_dead) hands the CPU over for good.  Taking it back:
 * VMK_CALL_CPU_TAKE from a console CPU moves the CPU's worlds away, parks
 * it (interrupts off, out of SVM) and returns; the shim then onlines it,
 * Linux sends INIT/SIPI and the CPU enters again as a console world.
 * CPU index 0 always stays with the console.
 */

struct vmk_cpu_stats {
	vmk_u32 index;
	vmk_u32 state;		/* enum vmk_cpu_state */
	vmk_u32 apic_id;
	vmk_u32 linux_cpu;
	vmk_u64 exits[VMK_EXIT_KINDS];
	vmk_u64 exits_total;
	vmk_u64 vmk_tsc;	/* TSC cycles spent in the vmkernel (exit handling) */
	vmk_u64 entered_tsc;	/* TSC when it entered */
	/* While the vmkernel owns the CPU (state VMK_CPU_VMKERNEL): */
	vmk_u64 vmk_since_tsc;	/* TSC when it became the vmkernel's */
	vmk_u64 now_tsc;	/* this CPU's TSC at this snapshot */
	vmk_u64 timer_irqs, resched_irqs;
	vmk_u64 irq_tsc;	/* TSC cycles in interrupt handlers */
	vmk_u64 ticks;		/* ticks whose work was done ... */
	vmk_u64 tick_tsc;	/* ... and the TSC cycles that work took */
	vmk_u64 decisions;	/* scheduling decisions on this CPU ... */
	vmk_u64 decide_ns;	/* ... and the time they took */
	vmk_u64 idle_ns;	/* time in its idle world */
	vmk_u64 now_ns;		/* the vmkernel's clock at this snapshot */
};

enum vmk_world_type {
	VMK_WORLD_CONSOLE = 0,
	VMK_WORLD_SYSTEM,
	VMK_WORLD_IDLE,
	VMK_WORLD_HELPER,
	VMK_WORLD_VMM,
};

/* A world's state as tools see it (the core's enum world_state). */
enum vmk_world_state {
	VMK_WORLD_NEW = 0,
	VMK_WORLD_READY,
	VMK_WORLD_RUNNING,
	VMK_WORLD_WAITING,
	VMK_WORLD_COSTOPPED,
	VMK_WORLD_DEAD,
};

/*
 * One world of the vmkernel's world table.  IDs come from the table and
 * are never reused while a world lives; the console world of each CPU is
 * one of them (the log's "cpuN:ID)" names the same IDs).
 */
struct vmk_world_info {
	vmk_u32 id;
	vmk_u32 type;		/* enum vmk_world_type */
	vmk_u32 state;		/* enum vmk_world_state */
	vmk_u32 cpu;		/* CPU index it runs or last ran on */
	char name[32];
	char group[32];		/* its group (VM), "" for none */
	vmk_u32 shares;
	vmk_u32 next;		/* the cursor that continues after this world */
	vmk_u64 used_ns;	/* time running */
	vmk_u64 ready_ns;	/* runnable, waiting for a CPU */
	vmk_u64 wait_ns;	/* blocked */
	vmk_u64 cstp_ns;	/* co-stopped */
	vmk_u64 exits;		/* console worlds: exits of its CPU */
	vmk_u64 vmk_tsc;	/* console worlds: cycles handling them */
};

#define VMK_WORLD_LIST_MAX	(4 * VMK_MAX_CPUS)	/* entries per VMK_CALL_WORLD_LIST */
/* System worlds created from the console (VMK_CALL_WORLD_*). */
enum vmk_sysworld_kind {
	VMK_SYSWORLD_BURNER = 1,	/* burns CPU and counts its loops */
	VMK_SYSWORLD_HELPER,		/* waits for work; wakes on each timer period */
	VMK_SYSWORLD_YIELDER,		/* gives up its CPU at every loop (switch cost) */
	VMK_SYSWORLD_MODULE,		/* runs a module's function (module_world_create);
					 * not made from the console */
};

/* Which fields of a vmk_world_req a WORLD_SET changes. */
#define VMK_WORLD_SET_SHARES	(1U << 0)
#define VMK_WORLD_SET_MIN	(1U << 1)
#define VMK_WORLD_SET_MAX	(1U << 2)
#define VMK_WORLD_SET_AFFINITY	(1U << 3)

struct vmk_world_req {
	vmk_u32 id;		/* WORLD_SET: the world */
	vmk_u32 kind;		/* WORLD_CREATE: enum vmk_sysworld_kind */
	vmk_u32 set;		/* WORLD_SET: VMK_WORLD_SET_* */
	vmk_u32 shares;		/* 1..1000000; 0 at create: 1000 */
	vmk_u32 min_pct;	/* reservation, percent of one CPU */
	vmk_u32 max_pct;	/* limit, percent of one CPU; 0: none */
	vmk_u64 affinity;	/* vmkernel CPU indexes allowed; 0: any */
	char name[32];		/* WORLD_CREATE: NUL-terminated */
	char pool[32];		/* WORLD_CREATE: pool, made if new; "": the root */
	char group[32];		/* WORLD_CREATE: SMP group (a VM's co-scheduled
				 * VCPUs), made in pool if new; "": none */
};

struct vmk_world_stats {
	vmk_u32 id;
	vmk_u32 type;		/* enum vmk_world_type */
	vmk_u32 state;		/* enum vmk_world_state */
	vmk_u32 cpu;
	char name[32];
	char pool[32];
	vmk_u32 shares;
	vmk_u32 min_pct;
	vmk_u32 max_pct;	/* 0: none */
	vmk_u32 kind;		/* enum vmk_sysworld_kind, 0 for other worlds */
	vmk_u64 affinity;
	vmk_u64 entitled;	/* CPU units: 10000 is one CPU */
	vmk_u64 used_ns, ready_ns, wait_ns, cstp_ns;
	vmk_u64 progress;	/* a burner's loops, a helper's work items */
	vmk_u64 now_ns;		/* the vmkernel's clock at this snapshot */
	vmk_u64 mlmtd_ns;	/* of ready_ns: held back by its limit */
	char group[32];		/* its SMP group, "" if none; pool is the group's */
};

/* ---- the vmkernel log --------------------------------------------------- */

#define VMK_LOG_MAGIC		0x474f4c4b4d56ULL	/* "VMKLOG" */
#define VMK_LOG_SIZE		(64 * 1024)

enum vmk_log_level {
	VMK_LOG_ERROR = 0,	/* a vmkernel bug */
	VMK_LOG_WARN,		/* a misbehaving console or guest */
	VMK_LOG_INFO,
	VMK_LOG_DEBUG,
};

/*
 * The log ring lives in the image's .data, at header.log_offset.  head
 * counts every byte ever written; byte n lives at data[n % VMK_LOG_SIZE].
 * The shim reads it directly from the region after unload or after a
 * failed load, so a failure can always be explained.
 */
struct vmk_log_ring {
	vmk_u64 magic;		/* VMK_LOG_MAGIC once initialised */
	vmk_u64 size;		/* VMK_LOG_SIZE */
	vmk_u64 head;
	char data[VMK_LOG_SIZE];
};


/* ---- vmkernel modules ---------------------------------------------------- */

/*
 * A module is an ELF64 x86-64 relocatable object (ET_REL) built against
 * the vmkernel's headers (vmkernel/include/vmk/module.h).  It carries one
 * struct vmk_modinfo in a section named VMK_MODINFO_SECTION, and may call
 * only the functions named in VMK_MOD_EXPORTS.  The console's vmkload_mod
 * checks it completely and the vmkernel checks it again, with the same
 * code (vmkernel/lib/modelf.c), before it lays it out in its modules heap,
 * applies its relocations and runs its init.
 *
 * Loaded layout, each part page-aligned: text (read, execute), read-only
 * data (read), data and bss (read, write).  Relocations against loaded
 * sections may be R_X86_64_64, PC32, PLT32 or PC64; module and vmkernel
 * share the region, so 32-bit PC-relative ones always reach.
 *
 * Module vmkcalls: numbers VMK_CALL_MODULE_BASE .. + VMK_CALL_MODULE_SLOTS
 * are handed out to modules (module_vmkcall_register); the shim forwards
 * their four scalar arguments, never a buffer.  An unregistered one
 * answers -ENOSYS.
 */
#define VMK_MOD_MAGIC		0x444f4d4b4d56ULL	/* "VMKMOD" */
/* Bumped whenever VMK_MOD_EXPORTS or a prototype behind it changes. */
#define VMK_MOD_ABI_VERSION	2
#define VMK_MODINFO_SECTION	".vmk_modinfo"
#define VMK_MOD_NAME_LEN	24
#define VMK_MOD_VERSION_LEN	16
#define VMK_MOD_DEPS_MAX	4
#define VMK_MOD_FILE_MAX	(256 * 1024)	/* bytes of ELF */
#define VMK_MOD_IMAGE_MAX	(256 * 1024)	/* bytes laid out */
#define VMK_MOD_SECTIONS_MAX	64
#define VMK_MOD_SYMBOLS_MAX	4096
#define VMK_MOD_RELOCS_MAX	16384
#define VMK_MOD_LOADED_MAX	32
#define VMK_CALL_MODULE_BASE	0x1000
#define VMK_CALL_MODULE_SLOTS	64
/* Files modules add under /proc/vmware (module_file_register). */
#define VMK_MOD_FILES_MAX	16
#define VMK_MOD_FILE_TEXT_MAX	4096	/* bytes of one file's text */

/*
 * What a module may call, by name: the vmkernel builds its symbol table
 * from this list and the checker refuses any other undefined symbol.
 * Prototypes in vmkernel/include/vmk/module.h.
 */
#define VMK_MOD_EXPORTS(X) \
	X(log_printf) \
	X(vsnprintf) X(snprintf) \
	X(memcpy) X(memset) X(memmove) X(memcmp) X(strlen) X(strcmp) \
	X(heap_alloc) X(heap_zalloc) X(heap_free) \
	X(module_heap) \
	X(spin_lock_at) X(spin_unlock) \
	X(arch_uptime_ns) X(arch_cpu_index) \
	X(module_vmkcall_register) X(module_vmkcall_unregister) \
	X(arch_ncpus) \
	X(module_world_create) X(module_world_stop) X(module_world_wake) \
	X(module_world_should_stop) X(module_world_sleep) X(module_world_yield) \
	X(module_file_register) X(module_file_unregister) \
	X(module_tick_register) X(module_tick_unregister) X(module_where) \
	X(module_timer_start) X(module_timer_cancel)

#ifndef __ASSEMBLER__
/* In the module's VMK_MODINFO_SECTION; init and cleanup are addresses
 * (R_X86_64_64 relocations) of functions in its text. */
struct vmk_modinfo {
	vmk_u64 magic;		/* VMK_MOD_MAGIC */
	vmk_u32 mod_abi;	/* VMK_MOD_ABI_VERSION it was built for */
	vmk_u32 vmk_abi;	/* VMK_ABI_VERSION it was built for */
	char name[VMK_MOD_NAME_LEN];		/* NUL-terminated, [a-z0-9_] */
	char version[VMK_MOD_VERSION_LEN];	/* NUL-terminated */
	char deps[VMK_MOD_DEPS_MAX][VMK_MOD_NAME_LEN];	/* "" ends the list */
	vmk_u64 init;		/* int init(void): 0 or -errno */
	vmk_u64 cleanup;	/* void cleanup(void); 0: none */
};

/* What the vmkernel's own page tables say of a loaded module's pages. */
#define VMK_MOD_PROT_TEXT_RO	(1U << 0)	/* text: read-only, executable */
#define VMK_MOD_PROT_DATA_NX	(1U << 1)	/* rodata read-only, all data not executable */

/* One loaded module as VMK_CALL_MODULE_LIST reports it. */
struct vmk_module_stat {
	vmk_u32 id;
	vmk_u32 refs;		/* modules that depend on it */
	vmk_u32 ncalls;		/* vmkcalls it registered */
	vmk_u32 prot;		/* VMK_MOD_PROT_*: read from the page tables */
	vmk_u64 base;		/* where it lies in the vmkernel */
	vmk_u64 size;		/* bytes laid out (text + rodata + data) */
	vmk_u64 text_size;
	vmk_u64 load_ns;	/* vmkernel uptime at load */
	char name[VMK_MOD_NAME_LEN];
	char version[VMK_MOD_VERSION_LEN];
	char deps[VMK_MOD_DEPS_MAX][VMK_MOD_NAME_LEN];
};

/*
 * A file a module serves under /proc/vmware, as VMK_CALL_MODULE_FILES
 * lists it.  The shim makes /proc/vmware/NAME for each after every module
 * load or unload it forwards; a read issues VMK_CALL_MODULE_FILE_READ
 * with the id, which is never reused, so a file whose module is gone
 * answers -ENOENT instead of another module's text.
 */
struct vmk_module_file {
	vmk_u32 id;
	vmk_u32 module_id;	/* the module serving it */
	char name[VMK_MOD_NAME_LEN];	/* NUL-terminated, [a-z0-9_-] */
};
#endif /* !__ASSEMBLER__ */

/* ---- virtual machines ---------------------------------------------------- */

/*
 * A VM is a group of VMM worlds, one per virtual CPU, in a resource pool;
 * its RAM (guest-physical 0 .. memsize) is the vmkernel's own pages
 * behind the VM's nested page tables.  Its life, as the console drives it:
 *
 *   VM_CREATE   admission control (reservation, memory), RAM allocated
 *               and zeroed, VCPU worlds created: state LOADING
 *   VM_WRITE    the console's loader writes the guest's image into RAM
 *   VM_START    the boot VCPU starts from vmk_vm_boot: RUNNING; the other
 *               VCPUs wait for INIT/SIPI from it
 *   (guest)     the debug-exit port, or every VCPU halted with interrupts
 *               off, ends it: OFF (with exit_code); a triple fault:
 *               CRASHED (with reason); a reset through port 0xcf9
 *               starts it again from its boot image, still RUNNING
 *   VM_STOP     RUNNING -> OFF;  VM_RESET: any -> LOADING (RAM cleared)
 *   VM_DESTROY  every page and world returned; the id is gone
 *
 * An exit the virtual platform cannot handle stops that VM alone (CRASHED,
 * the reason in vmk_vm_info and the vmkernel log).  Calls on a VM in the
 * wrong state return -EBUSY and change nothing; an unknown id -ENOENT.
 */
#define VMK_VM_MAX		64		/* VMs at once */
#define VMK_VM_NAME_LEN		32
#define VMK_VM_VCPUS_MAX	8
#define VMK_VM_MEM_MIN_MB	1
#define VMK_VM_MEM_MAX_MB	3072		/* RAM lies below 3 GiB */
#define VMK_VM_WRITE_MAX	(64 * 1024)
#define VMK_VM_SERIAL_SIZE	(64 * 1024)	/* COM1 output kept per VM */
#define VMK_VM_SHARES_PER_VCPU	1000		/* "normal" */

enum vmk_vm_state {
	VMK_VM_LOADING = 0,
	VMK_VM_RUNNING,
	VMK_VM_OFF,
	VMK_VM_CRASHED,
};

#define VMK_VM_STATE_NAMES	{ "loading", "running", "off", "crashed" }

/* Which fields of a vmk_vm_config a VM_SET changes. */
#define VMK_VM_SET_SHARES	(1U << 0)
#define VMK_VM_SET_MIN		(1U << 1)
#define VMK_VM_SET_MAX		(1U << 2)
#define VMK_VM_SET_AFFINITY	(1U << 3)

/* VM_CREATE and VM_SET.  The CPU settings are a .vmx file's
 * sched.cpu.shares (for the whole VM), sched.cpu.min and sched.cpu.max
 * (percent of one CPU, for the whole VM) and sched.cpu.affinity. */
struct vmk_vm_config {
	vmk_u32 id;		/* VM_SET: the VM */
	vmk_u32 set;		/* VM_SET: VMK_VM_SET_* */
	char name[VMK_VM_NAME_LEN];	/* displayName, NUL-terminated, unique */
	char pool[VMK_VM_NAME_LEN];	/* resource pool, made if new; "": the root */
	vmk_u32 memsize_mb;	/* VMK_VM_MEM_MIN_MB .. VMK_VM_MEM_MAX_MB */
	vmk_u32 nvcpus;		/* 1 .. VMK_VM_VCPUS_MAX */
	vmk_u32 shares;		/* 1..1000000; 0: VMK_VM_SHARES_PER_VCPU per VCPU */
	vmk_u32 min_pct;	/* reservation; refused at create if it cannot be met */
	vmk_u32 max_pct;	/* limit; 0: none */
	vmk_u32 reserved;
	vmk_u64 affinity;	/* vmkernel CPU indexes its VCPUs may use; 0: any */
};

/* How the boot VCPU starts (VM_START). */
enum vmk_vm_boot_mode {
	VMK_VM_BOOT_PROT32 = 1,	/* 32-bit protected mode, paging off, flat
				 * 4 GiB code and data segments: multiboot v1 */
	VMK_VM_BOOT_LONG64,	/* 64-bit mode, identity-mapped first 4 GiB,
				 * flat segments: the Linux 64-bit boot protocol */
};

struct vmk_vm_boot {
	vmk_u32 mode;		/* enum vmk_vm_boot_mode */
	vmk_u32 gdt_limit;	/* LONG64: the loader's GDT, its limit */
	vmk_u64 rip, rsp;
	vmk_u64 rax, rbx, rsi;	/* multiboot: EAX magic, EBX info; Linux: RSI */
	vmk_u64 cr3;		/* LONG64: the loader's PML4, in guest RAM,
				 * mapping the first 4 GiB one to one */
	vmk_u64 gdt_base;	/* LONG64: the GDT, in guest RAM, with the
				 * flat code (0x10) and data (0x18) segments */
	vmk_u64 rtc_epoch;	/* what the VM's CMOS clock reads at the start,
				 * in seconds since 1970-01-01 UTC */
};

/*
 * The VMware backdoor, as the guest sees it: `inl` from port
 * VMK_BDOOR_PORT (or VMMCALL, when CPUID 0x40000010 ECX bit 0 says so)
 * with EAX = VMK_BDOOR_MAGIC, ECX = the command, EBX = its argument.
 * GETVERSION and GETHZ are VMware's (Linux's CONFIG_HYPERVISOR_GUEST
 * reads both frequencies with GETHZ); POWEROP is this platform's own:
 * it answers the power operation the console asked the guest's tools
 * for (a soft stop or reset), and clears it.
 */
#define VMK_BDOOR_MAGIC		0x564D5868u	/* "VMXh" */
#define VMK_BDOOR_PORT		0x5658		/* "VX" */
#define VMK_BDOOR_GETVERSION	10	/* EBX = MAGIC, EAX = version */
#define VMK_BDOOR_GETHZ		45	/* EBX:EAX TSC Hz, ECX APIC bus Hz */
#define VMK_BDOOR_POWEROP	0x564b	/* EAX = VMK_POWEROP_* */
#define VMK_POWEROP_NONE	0
#define VMK_POWEROP_HALT	1	/* the guest should power itself off */
#define VMK_POWEROP_REBOOT	2	/* the guest should reboot */

/* Why a guest left guest mode, counted per VM. */
enum vmk_vm_exit_kind {
	VMK_VM_EXIT_IO = 0,	/* I/O port */
	VMK_VM_EXIT_MMIO,	/* emulated memory (the local APIC) */
	VMK_VM_EXIT_MSR,
	VMK_VM_EXIT_CPUID,
	VMK_VM_EXIT_HLT,
	VMK_VM_EXIT_INTR,	/* a physical interrupt (the vmkernel's tick, IPIs) */
	VMK_VM_EXIT_WINDOW,	/* the guest opened its interrupt window */
	VMK_VM_EXIT_NPF,	/* other nested page faults */
	VMK_VM_EXIT_OTHER,
	VMK_VM_EXIT_KINDS
};

#define VMK_VM_EXIT_KIND_NAMES \
	{ "io", "mmio", "msr", "cpuid", "hlt", "intr", "window", "npf", "other" }

#define VMK_VM_STOP_SOFT	0	/* at the VCPUs' next exit; or, once the
					 * guest's tools polled POWEROP, by
					 * asking them (the VM stays RUNNING
					 * until its guest powers off) */
#define VMK_VM_STOP_HARD	1	/* now, waking halted VCPUs */

#define VMK_VM_RESET_HARD	0	/* what VM_RESET always did */
#define VMK_VM_RESET_SOFT	1	/* ask the guest's tools to reboot it */

struct vmk_vm_info {
	vmk_u32 id;
	vmk_u32 state;		/* enum vmk_vm_state */
	char name[VMK_VM_NAME_LEN];
	char pool[VMK_VM_NAME_LEN];
	vmk_u32 memsize_mb;
	vmk_u32 nvcpus;
	vmk_u32 shares, min_pct, max_pct;
	vmk_u32 exit_code;	/* OFF by the debug-exit port: the value written */
	vmk_u64 affinity;
	vmk_u32 vcpu_world[VMK_VM_VCPUS_MAX];	/* world IDs of its VCPUs */
	vmk_u64 pages;		/* vmkernel pages it holds: RAM, nested page
				 * tables, control blocks, stacks */
	vmk_u64 exits[VMK_VM_EXIT_KINDS];
	vmk_u64 used_ns;	/* its VCPUs' time running */
	vmk_u64 started_ns;	/* vmkernel uptime at VM_START or at the
				 * guest's last reset (port 0xcf9), 0 before */
	vmk_u64 serial_head;	/* bytes its COM1 has ever written */
	vmk_u64 now_ns;		/* the vmkernel's clock at this snapshot */
	char reason[96];	/* OFF or CRASHED: why, one line */
};

/* ---- /dev/vmnix ioctls ---------------------------------------------------- */

#define VMNIX_DEVICE		"/dev/vmnix"
#define VMNIX_IOC_MAGIC		'v'

struct vmnix_load {
	vmk_u64 image;		/* user pointer to the flat image */
	vmk_u64 image_size;	/* its size (= header.file_size) */
	vmk_u64 mem_base;	/* the reserved region */
	vmk_u64 mem_size;
	vmk_u32 log_level;
	vmk_u32 flags;		/* VMK_BOOT_* */
	vmk_u32 fail_cpu;
	vmk_u32 fail_step;
	char error[128];	/* out: one line saying why a load failed */
};

struct vmnix_status {
	vmk_u32 loaded;		/* 1 while the vmkernel owns the CPUs */
	vmk_u32 ncpus;
	vmk_u64 cpu_mask;	/* Linux CPU numbers in the vmkernel */
	vmk_u64 loaded_since;	/* CLOCK_REALTIME seconds of the load */
	vmk_u64 mem_base;
	vmk_u64 mem_size;
	vmk_u64 load_ns;	/* how long the last load took */
	vmk_u64 unload_ns;	/* how long the last unload took */
	char version[32];
};

/*
 * A vmkcall issued by the shim on a chosen CPU on behalf of a tool.  The
 * ioctl fails with EPERM for the defined calls it does not forward:
 * UNLOAD (VMNIX_IOC_UNLOAD runs it on every CPU with the load's key) and
 * FLOOR (use VMNIX_IOC_BENCH).  A number the vmkernel does not define is
 * passed on with its arguments cleared, and ret carries the vmkernel's
 * own answer, -ENOSYS.  EINVAL: an offline or unknown CPU, or a bad
 * WORLD_LIST count; ENODEV: the vmkernel is not loaded.
 */
struct vmnix_call {
	vmk_u32 nr;
	vmk_u32 cpu;		/* Linux CPU number to run it on */
	vmk_u64 args[4];	/* buffers are passed as user pointers here */
	vmk_s64 ret;
};

#define VMNIX_IOC_LOAD		_IOWR(VMNIX_IOC_MAGIC, 1, struct vmnix_load)
#define VMNIX_IOC_UNLOAD	_IO(VMNIX_IOC_MAGIC, 2)
#define VMNIX_IOC_STATUS	_IOR(VMNIX_IOC_MAGIC, 3, struct vmnix_status)
/*
 * Measures the round trip of `count` vmkcalls `nr` (NOP, a CPUID exit, or
 * the floor measured inside the vmkernel) on the calling CPU, each in TSC cycles, into the user array
 * `samples` (count u64s, count <= VMNIX_BENCH_MAX).
 */
struct vmnix_bench {
	vmk_u32 nr;		/* VMNIX_BENCH_* */
	vmk_u32 count;
	vmk_u64 samples;	/* user pointer */
};
#define VMNIX_BENCH_VMKCALL	0	/* VMMCALL VMK_CALL_NOP */
#define VMNIX_BENCH_CPUID	1	/* CPUID of the hypervisor leaf */
#define VMNIX_BENCH_FLOOR	2	/* VMK_CALL_FLOOR: the bare VMRUN/#VMEXIT pair */
#define VMNIX_BENCH_MODCALL	3	/* VMMCALL VMK_CALL_MODULE_BASE (1, 2): a module's
					 * vmkcall; -ENOSYS if no module serves it */
#define VMK_FLOOR_MAX		4096	/* samples per VMK_CALL_FLOOR */
#define VMNIX_BENCH_MAX		1000000

#define VMNIX_IOC_CALL		_IOWR(VMNIX_IOC_MAGIC, 4, struct vmnix_call)
#define VMNIX_IOC_BENCH		_IOW(VMNIX_IOC_MAGIC, 5, struct vmnix_bench)

/* Giving a console CPU to the vmkernel and taking it back. */
struct vmnix_cpu {
	vmk_u32 op;		/* VMNIX_CPU_* */
	vmk_u32 cpu;		/* Linux CPU number */
	vmk_u64 ns;		/* out: how long it took */
	char error[128];	/* out: one line saying why it was refused */
};
#define VMNIX_CPU_GIVE		1
#define VMNIX_CPU_TAKE		2
#define VMNIX_IOC_CPU		_IOWR(VMNIX_IOC_MAGIC, 6, struct vmnix_cpu)

/* ---- CPUID ------------------------------------------------------------------ */

#define VMK_CPUID_LEAF		0x40000000U
/* Leaf 0x40000000: EAX = highest leaf, EBX:ECX:EDX = "VMkxVMkxVMkx". */
#define VMK_CPUID_SIG_EBX	0x786b4d56U	/* "VMkx" */
#define VMK_CPUID_SIG_ECX	0x786b4d56U
#define VMK_CPUID_SIG_EDX	0x786b4d56U

#endif /* !__ASSEMBLER__ */

#endif /* VMNIX_ABI_H */
