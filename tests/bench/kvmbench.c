// SPDX-License-Identifier: GPL-2.0
/*
 * kvmbench: the round trips of KVM, the peer the vmkernel is measured
 * against, run inside the service console while the vmkernel is not
 * loaded (kvm_amd and the vmkernel cannot both own SVM).
 *
 * It creates a VM with one vCPU through /dev/kvm and runs a tiny guest in
 * 32-bit protected mode with flat segments and no paging (KVM can start a
 * vCPU there directly from KVM_SET_SREGS: no GDT, IDT or boot code is
 * needed).  The guest times each round trip itself with RDTSC and stores
 * the 32-bit deltas in its memory; only when all samples are taken does it
 * exit to this program, with an OUT to a status port.  So the numbers are
 * the in-kernel round trips, never a trip to userspace:
 *
 *   kvm-vmmcall  VMMCALL with an unknown hypercall number: KVM answers
 *                -KVM_ENOSYS in EAX and resumes the guest (the peer of a
 *                null vmkcall)
 *   kvm-cpuid    CPUID leaf 0x40000000 (KVM's signature leaf), emulated by
 *                KVM in the kernel (the peer of the vmkernel's CPUID exit)
 *
 * Every VMMCALL result must be -KVM_ENOSYS and every CPUID must return
 * KVM's signature; the guest stops at the first wrong answer and this
 * program fails with both values.  Inside a nested guest the TSC that the
 * guest reads carries an offset; only differences are used.
 *
 * Guest physical memory layout:
 *   0x0000  mailbox (struct mailbox below), written by both sides
 *   0x1000  guest code
 *   0x10000 samples: COUNT VMMCALL deltas, then COUNT CPUID deltas (u32)
 *
 * Output, the same format as `vmkcall bench`:
 *   kvm-vmmcall round trip: n N min A median B mean C cycles
 *   kvm-cpuid round trip: n N min A median B mean C cycles
 *
 * With --multiboot it runs instead a multiboot v1 test guest unchanged
 * (tests/guests/), laid out by the same loader code vmware-cmd uses
 * (loader/multiboot.c), so that a guest's work under KVM compares with
 * the same guest in a vmkernel VM.  KVM's in-kernel interrupt controllers
 * (PIC, IOAPIC, local APIC at 0xfee00000) serve the guest's PIC masking
 * and APIC use; this program emulates only COM1 (its output goes to
 * stdout, its LSR always says the transmitter is empty) and the
 * debug-exit port 0xf4, whose value ends the run and becomes the exit
 * status.  Any other I/O port, MMIO outside RAM or a triple fault ends
 * the run with a message naming it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include "multiboot.h"

#define EXIT_NOKVM	3	/* /dev/kvm missing or unusable: a visible skip */
#define MB_EXIT_FAILED	125	/* the guest did not end through port 0xf4 */
#define MB_EXIT_NOKVM	126	/* no usable /dev/kvm */
#define MB_MEM_DEFAULT	16	/* MiB */

#define GUEST_CODE	0x1000
#define GUEST_SAMPLES	0x10000
#define STATUS_PORT	0x0501	/* OUT of one byte: enum guest_status */
#define HC_NULL		0xbe0c	/* a hypercall number KVM does not know */
#define KVM_ENOSYS_32	0xfffffc18	/* -KVM_ENOSYS (1000) as a 32-bit guest sees it */
#define SIG_LEAF	0x40000000
#define XSTR(x)		STR(x)
#define STR(x)		#x
#define COUNT_MAX	1000000U
#define TIMEOUT_S	600	/* the guest must report by then */

/* The byte the guest writes to STATUS_PORT. */
#define GUEST_DONE		0
#define GUEST_BAD_VMMCALL	1
#define GUEST_BAD_CPUID		2

/* At guest physical 0; offsets are fixed by the guest code below. */
struct mailbox {
	uint32_t sig_ebx;	/* 0x00 in: expected EBX of CPUID SIG_LEAF */
	uint32_t bad;		/* 0x04 out: the wrong value, on failure */
	uint32_t count;		/* 0x08 in: samples of each kind */
	uint32_t pad;
	uint32_t cpuid[4];	/* 0x10 out: EAX, EBX, ECX, EDX of the last CPUID */
};
_Static_assert(offsetof(struct mailbox, bad) == 0x04, "guest code uses 0x04");
_Static_assert(offsetof(struct mailbox, count) == 0x08, "guest code uses 0x08");
_Static_assert(offsetof(struct mailbox, cpuid) == 0x10, "guest code uses 0x10");

/*
 * The guest.  Registers: EBP counts down, EDI walks the sample array, ESI
 * holds the low half of the start TSC.  Only relative jumps and absolute
 * data addresses are used, so the bytes run wherever they are copied.
 * Each timed loop brackets its exit with tsc_start and tsc_sample, which
 * stores the cycles in between as the next sample.
 */
__asm__(
	".pushsection .rodata\n"
	".code32\n"
	".macro tsc_start\n"
	"	lfence\n"
	"	rdtsc\n"
	"	movl %eax, %esi\n"
	".endm\n"
	".macro tsc_sample\n"
	"	lfence\n"
	"	rdtsc\n"
	"	subl %esi, %eax\n"
	"	movl %eax, (%edi)\n"
	"	addl $4, %edi\n"
	".endm\n"
	".globl guest_start, guest_end\n"
	"guest_start:\n"
	"	movl 0x08, %ebp\n"
	"	movl $" XSTR(GUEST_SAMPLES) ", %edi\n"
	"1:	tsc_start\n"
	"	movl $" XSTR(HC_NULL) ", %eax\n"
	"	vmmcall\n"
	"	cmpl $" XSTR(KVM_ENOSYS_32) ", %eax\n"
	"	jne 8f\n"
	"	tsc_sample\n"
	"	decl %ebp\n"
	"	jnz 1b\n"
	"	movl 0x08, %ebp\n"
	"2:	tsc_start\n"
	"	movl $" XSTR(SIG_LEAF) ", %eax\n"
	"	xorl %ecx, %ecx\n"
	"	cpuid\n"
	"	cmpl 0x00, %ebx\n"
	"	jne 9f\n"
	"	tsc_sample\n"
	"	decl %ebp\n"
	"	jnz 2b\n"
	"	movl $" XSTR(SIG_LEAF) ", %eax\n"
	"	xorl %ecx, %ecx\n"
	"	cpuid\n"
	"	movl %eax, 0x10\n"
	"	movl %ebx, 0x14\n"
	"	movl %ecx, 0x18\n"
	"	movl %edx, 0x1c\n"
	"	movb $" XSTR(GUEST_DONE) ", %al\n"
	"	jmp 7f\n"
	"8:	movl %eax, 0x04\n"
	"	movb $" XSTR(GUEST_BAD_VMMCALL) ", %al\n"
	"	jmp 7f\n"
	"9:	movl %ebx, 0x04\n"
	"	movb $" XSTR(GUEST_BAD_CPUID) ", %al\n"
	"7:	movw $" XSTR(STATUS_PORT) ", %dx\n"
	"	outb %al, %dx\n"
	"	hlt\n"
	"	jmp 7b\n"
	"guest_end:\n"
	".code64\n"
	".popsection\n");
extern const unsigned char guest_start[], guest_end[];

static const char *prog = "kvmbench";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [COUNT]\n"
		"       %s --multiboot ELF [--append CMDLINE] [--module FILE] [--mem MB]\n"
		"                 [--timeout S]\n"
		"\n"
		"Measures KVM's in-kernel round trips from a minimal guest: a null\n"
		"hypercall (VMMCALL) and a CPUID exit, COUNT of each (default 100000,\n"
		"at most %u), timed inside the guest with RDTSC.  Needs /dev/kvm\n"
		"(modprobe kvm_amd) and the vmkernel not loaded.\n"
		"\n"
		"Prints, in TSC cycles:\n"
		"  kvm-vmmcall round trip: n N min A median B mean C cycles\n"
		"  kvm-cpuid round trip: n N min A median B mean C cycles\n"
		"\n"
		"Exit status: 0 measured and checked, 1 a check or KVM call failed,\n"
		"2 usage, %d no usable /dev/kvm.\n"
		"\n"
		"--multiboot runs a multiboot v1 ELF32 kernel (a test guest) unchanged\n"
		"in a KVM VM with one VCPU and MB MiB of RAM (default %d), with the\n"
		"command line CMDLINE and FILE as its one module (default: a module\n"
		"\"NR_CPUS=1\"), and copies what it writes on COM1 to stdout.  The run\n"
		"ends when the guest writes its exit code to port 0xf4 (outl(code,\n"
		"0xf4)), or after S seconds (default %d).  Exit status: the guest's\n"
		"code (its low byte); %d the guest did something else to end (a port\n"
		"or address nothing emulates, a triple fault, the timeout) or a KVM\n"
		"call failed; %d no usable /dev/kvm; 2 usage.\n",
		prog, prog, COUNT_MAX, EXIT_NOKVM, MB_MEM_DEFAULT, TIMEOUT_S,
		MB_EXIT_FAILED, MB_EXIT_NOKVM);
}

static int fail(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	return 1;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *name, uint32_t *s, uint32_t n)
{
	uint64_t sum = 0;

	qsort(s, n, sizeof(*s), cmp_u32);
	for (uint32_t i = 0; i < n; i++)
		sum += s[i];
	printf("%s round trip: n %u min %u median %u mean %llu cycles\n", name, n, s[0],
	       s[n / 2], (unsigned long long)(sum / n));
}

/* KVM's own CPUID table for the guest: 0, with the EBX of SIG_LEAF in
 * *sig_ebx (0 if KVM offers no such leaf), or -1 after saying why.  With
 * hv, leaf 1 says a hypervisor is present, as any VMM's guest is told
 * (KVM leaves that bit to its user). */
static int set_cpuid(int kvm, int vcpu, int hv, uint32_t *sig_ebx)
{
	struct kvm_cpuid2 *c;
	int n = 256, ret = -1;

	*sig_ebx = 0;
	c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
	if (!c)
		return fail("CPUID table");
	c->nent = n;
	if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c) < 0) {
		fail("KVM_GET_SUPPORTED_CPUID");
		goto out;
	}
	for (uint32_t i = 0; i < c->nent; i++) {
		if (c->entries[i].function == SIG_LEAF)
			*sig_ebx = c->entries[i].ebx;
		if (hv && c->entries[i].function == 1)
			c->entries[i].ecx |= 1U << 31;
		/* KVM copies leaf 1 from the host CPU this runs on: the
		 * initial APIC ID must be the VCPU's (0), as its APIC says. */
		if (c->entries[i].function == 1)
			c->entries[i].ebx &= 0x00ffffffU;
	}
	if (ioctl(vcpu, KVM_SET_CPUID2, c) < 0) {
		fail("KVM_SET_CPUID2");
		goto out;
	}
	ret = 0;
out:
	free(c);
	return ret;
}

static void flat_segment(struct kvm_segment *s, uint16_t sel, uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->db = 1;
	s->g = 1;
}

static int setup_vcpu(int vcpu)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		return fail("KVM_GET_SREGS");
	flat_segment(&sregs.cs, 0x08, 11);	/* code: execute/read, accessed */
	flat_segment(&sregs.ds, 0x10, 3);	/* data: read/write, accessed */
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.cr0 = 0x11;			/* PE, ET; no paging */
	sregs.cr4 = 0;
	sregs.efer = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		return fail("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = GUEST_CODE;
	regs.rflags = 0x2;
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		return fail("KVM_SET_REGS");
	return 0;
}

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

/*
 * Runs the guest until it reports on STATUS_PORT; returns its status or
 * -1.  SIGALRM (no SA_RESTART) breaks a KVM_RUN that never comes back.
 */
static int run_guest(int vcpu, struct kvm_run *run)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct kvm_regs regs;

	sigaction(SIGALRM, &sa, NULL);
	alarm(TIMEOUT_S);
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR && timed_out) {
				memset(&regs, 0, sizeof(regs));
				ioctl(vcpu, KVM_GET_REGS, &regs);
				fprintf(stderr, "%s: the guest did not finish in %d s (RIP %#llx, "
					"%llu samples left)\n", prog, TIMEOUT_S,
					(unsigned long long)regs.rip, (unsigned long long)regs.rbp);
				return -1;
			}
			if (errno == EINTR)
				continue;
			fail("KVM_RUN");
			return -1;
		}
		alarm(0);
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == STATUS_PORT &&
			    run->io.size == 1)
				return *((uint8_t *)run + run->io.data_offset);
			fprintf(stderr, "%s: guest did I/O on port %#x, not the status port\n",
				prog, run->io.port);
			return -1;
		case KVM_EXIT_SHUTDOWN:
			fprintf(stderr, "%s: guest shut down (triple fault)\n", prog);
			return -1;
		case KVM_EXIT_FAIL_ENTRY:
			fprintf(stderr, "%s: VM entry failed, hardware reason %#llx\n", prog,
				(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
			return -1;
		case KVM_EXIT_INTERNAL_ERROR:
			fprintf(stderr, "%s: KVM internal error, suberror %u\n", prog,
				run->internal.suberror);
			return -1;
		default:
			fprintf(stderr, "%s: unexpected exit reason %u\n", prog, run->exit_reason);
			return -1;
		}
	}
}

/* ---- a multiboot v1 guest ------------------------------------------------ */

#define MB_MEM_MAX	3072	/* RAM stays below the local APIC */
#define MB_FILE_MAX	(64U << 20)
#define DEBUG_EXIT_PORT	0xf4
#define COM1_BASE	0x3f8
#define UART_LSR_IDLE	0x60	/* THRE and TEMT: ready to take a byte */
#define UART_LCR_DLAB	0x80

struct mb_opts {
	const char *elf, *append, *module;
	unsigned long mem_mb, timeout_s;
};

/* The 16550 as far as a polled transmitter needs it. */
struct uart {
	uint8_t lcr, ier, mcr, scr, dll, dlm;
	unsigned long bytes;
};

static void *read_whole(const char *what, const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0, r;
	uint8_t *buf = NULL, *nb;

	if (!f) {
		fprintf(stderr, "%s: %s %s: %s\n", prog, what, path, strerror(errno));
		return NULL;
	}
	for (;;) {
		nb = realloc(buf, cap);
		if (!nb) {
			fprintf(stderr, "%s: %s %s: out of memory\n", prog, what, path);
			goto fail;
		}
		buf = nb;
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (n < cap) {
			if (ferror(f)) {
				fprintf(stderr, "%s: %s %s: read error\n", prog, what, path);
				goto fail;
			}
			break;
		}
		if (cap >= MB_FILE_MAX) {
			fprintf(stderr, "%s: %s %s: larger than %u MiB\n", prog, what, path,
				MB_FILE_MAX >> 20);
			goto fail;
		}
		cap *= 2;
	}
	fclose(f);
	*size = n;
	return buf;
fail:
	free(buf);
	fclose(f);
	return NULL;
}

static uint8_t uart_in(struct uart *u, unsigned int reg)
{
	switch (reg) {
	case 0: return u->lcr & UART_LCR_DLAB ? u->dll : 0;	/* no input */
	case 1: return u->lcr & UART_LCR_DLAB ? u->dlm : u->ier;
	case 2: return 0x01;					/* no interrupt pending */
	case 3: return u->lcr;
	case 4: return u->mcr;
	case 5: return UART_LSR_IDLE;
	case 6: return 0xb0;					/* DCD, DSR, CTS */
	default: return u->scr;
	}
}

static void uart_out(struct uart *u, unsigned int reg, uint8_t v)
{
	switch (reg) {
	case 0:
		if (u->lcr & UART_LCR_DLAB) {
			u->dll = v;
		} else {
			putchar(v);
			u->bytes++;
		}
		break;
	case 1:
		if (u->lcr & UART_LCR_DLAB)
			u->dlm = v;
		else
			u->ier = v;
		break;
	case 3: u->lcr = v; break;
	case 4: u->mcr = v; break;
	case 7: u->scr = v; break;
	default: break;		/* FCR, and the read-only LSR and MSR */
	}
}

/*
 * Serves one KVM_EXIT_IO.  Returns -1 to go on, the guest's exit code
 * (>= 0) for the debug-exit port, or -2 for a port nobody emulates.
 */
static int mb_io(struct kvm_run *run, struct uart *u)
{
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	unsigned int port = run->io.port;

	if (port == DEBUG_EXIT_PORT && run->io.direction == KVM_EXIT_IO_OUT) {
		uint32_t code = 0;

		memcpy(&code, data, run->io.size <= 4 ? run->io.size : 4);
		return (int)(code & 0xff);
	}
	if (port >= COM1_BASE && port + run->io.size <= COM1_BASE + 8) {
		/* String instructions come as count items of size bytes; the
		 * UART's registers are a byte wide, a wider access touches the
		 * next ones too, as on the bus. */
		for (uint32_t i = 0; i < run->io.count; i++)
			for (unsigned int b = 0; b < run->io.size; b++) {
				uint8_t *p = data + i * run->io.size + b;

				if (run->io.direction == KVM_EXIT_IO_OUT)
					uart_out(u, port - COM1_BASE + b, *p);
				else
					*p = uart_in(u, port - COM1_BASE + b);
			}
		return -1;
	}
	fprintf(stderr, "%s: the guest %s %u byte%s at I/O port %#x, which this program "
		"does not emulate (COM1 0x3f8-0x3ff and the debug exit 0xf4 only)\n", prog,
		run->io.direction == KVM_EXIT_IO_OUT ? "wrote" : "read", run->io.size,
		run->io.size == 1 ? "" : "s", port);
	return -2;
}

/* Runs the guest to its debug exit: its code, or MB_EXIT_FAILED. */
static int mb_run(int vcpu, struct kvm_run *run, unsigned long timeout_s)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct uart uart = { 0 };
	struct kvm_regs regs;
	int r;

	sigaction(SIGALRM, &sa, NULL);
	alarm((unsigned int)timeout_s);
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR && timed_out) {
				memset(&regs, 0, sizeof(regs));
				ioctl(vcpu, KVM_GET_REGS, &regs);
				fflush(stdout);
				fprintf(stderr, "%s: the guest did not exit in %lu s (RIP %#llx)\n",
					prog, timeout_s, (unsigned long long)regs.rip);
				return MB_EXIT_FAILED;
			}
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fail("KVM_RUN");
			return MB_EXIT_FAILED;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			r = mb_io(run, &uart);
			if (r == -1)
				continue;
			alarm(0);
			fflush(stdout);
			return r >= 0 ? r : MB_EXIT_FAILED;
		case KVM_EXIT_MMIO:
			fflush(stdout);
			fprintf(stderr, "%s: the guest %s %u bytes at %#llx, outside its RAM and "
				"the local APIC\n", prog, run->mmio.is_write ? "wrote" : "read",
				run->mmio.len, (unsigned long long)run->mmio.phys_addr);
			return MB_EXIT_FAILED;
		case KVM_EXIT_SHUTDOWN:
			fflush(stdout);
			fprintf(stderr, "%s: the guest shut down (triple fault)\n", prog);
			return MB_EXIT_FAILED;
		case KVM_EXIT_HLT:
			fflush(stdout);
			fprintf(stderr, "%s: the guest halted for good\n", prog);
			return MB_EXIT_FAILED;
		case KVM_EXIT_FAIL_ENTRY:
			fflush(stdout);
			fprintf(stderr, "%s: VM entry failed, hardware reason %#llx\n", prog,
				(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
			return MB_EXIT_FAILED;
		case KVM_EXIT_INTERNAL_ERROR:
			fflush(stdout);
			fprintf(stderr, "%s: KVM internal error, suberror %u\n", prog,
				run->internal.suberror);
			return MB_EXIT_FAILED;
		default:
			fflush(stdout);
			fprintf(stderr, "%s: unexpected exit reason %u\n", prog, run->exit_reason);
			return MB_EXIT_FAILED;
		}
	}
}

/* The boot VCPU as multiboot v1 wants it: 32-bit protected mode, paging
 * off, flat 4 GiB segments, EAX the magic, EBX the information block. */
static int mb_setup_vcpu(int vcpu, const struct vmk_vm_boot *boot)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		return fail("KVM_GET_SREGS");
	flat_segment(&sregs.cs, 0x08, 11);
	flat_segment(&sregs.ds, 0x10, 3);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.cr0 = 0x11;
	sregs.cr4 = 0;
	sregs.efer = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		return fail("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = boot->rip;
	regs.rax = boot->rax;
	regs.rbx = boot->rbx;
	regs.rsp = boot->rsp;
	regs.rflags = 0x2;
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		return fail("KVM_SET_REGS");
	return 0;
}

static int mb_parse(int argc, char **argv, struct mb_opts *o)
{
	char *end;

	*o = (struct mb_opts){ .append = "", .mem_mb = MB_MEM_DEFAULT, .timeout_s = TIMEOUT_S };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v) {
			fprintf(stderr, "%s: %s: a value must follow it, or it is unknown\n",
				prog, a);
			return -1;
		}
		i++;
		if (!strcmp(a, "--multiboot")) {
			o->elf = v;
		} else if (!strcmp(a, "--append")) {
			o->append = v;
		} else if (!strcmp(a, "--module")) {
			o->module = v;
		} else if (!strcmp(a, "--mem") || !strcmp(a, "--timeout")) {
			unsigned long max = a[2] == 'm' ? MB_MEM_MAX : 86400, x;

			errno = 0;
			x = strtoul(v, &end, 0);
			if (!*v || *end || errno || *v == '-' || x == 0 || x > max) {
				fprintf(stderr, "%s: %s must be a number from 1 to %lu, not '%s'\n",
					prog, a, max, v);
				return -1;
			}
			if (a[2] == 'm')
				o->mem_mb = x;
			else
				o->timeout_s = x;
		} else {
			fprintf(stderr, "%s: unknown option '%s'\n", prog, a);
			return -1;
		}
	}
	return 0;
}

static int multiboot_main(int argc, char **argv)
{
	static struct multiboot_load ld;
	struct kvm_userspace_memory_region region;
	struct kvm_run *run = MAP_FAILED;
	struct mb_opts o;
	void *kernel, *module = NULL;
	size_t ksize, msize = 0, mem_size;
	char env[32], err[256];
	uint32_t sig;
	int kvm, vm = -1, vcpu = -1, run_size = 0, ret = MB_EXIT_FAILED;
	uint8_t *mem = MAP_FAILED;

	if (mb_parse(argc, argv, &o) || !o.elf) {
		usage(stderr);
		return 2;
	}
	mem_size = (size_t)o.mem_mb << 20;
	kernel = read_whole("kernel", o.elf, &ksize);
	if (!kernel)
		return MB_EXIT_FAILED;
	if (o.module) {
		module = read_whole("module", o.module, &msize);
		if (!module)
			goto free_files;
	} else {
		/* kvm-unit-tests' guests wait for NR_CPUS CPUs: say there is one. */
		msize = (size_t)snprintf(env, sizeof(env), "NR_CPUS=1\n");
		module = strdup(env);
		if (!module)
			goto free_files;
	}
	if (multiboot_layout(kernel, ksize, o.append, module, msize,
			     o.module ? o.module : "env", (vmk_u64)mem_size, &ld, err,
			     sizeof(err))) {
		fprintf(stderr, "%s: kernel %s: %s\n", prog, o.elf, err);
		goto free_files;
	}

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		fprintf(stderr, "%s: /dev/kvm: %s (is kvm_amd loaded?)\n", prog, strerror(errno));
		ret = MB_EXIT_NOKVM;
		goto free_files;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		fprintf(stderr, "%s: KVM_CREATE_VM: %s (is SVM in use by another hypervisor?)\n",
			prog, strerror(errno));
		ret = MB_EXIT_NOKVM;
		goto close_kvm;
	}
	if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0) {
		fail("KVM_CREATE_IRQCHIP");
		goto close_vm;
	}
	mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		fail("guest memory");
		goto close_vm;
	}
	for (unsigned int i = 0; i < ld.nwrites; i++)
		memcpy(mem + ld.writes[i].gpa, ld.writes[i].data, ld.writes[i].len);
	region = (struct kvm_userspace_memory_region){
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = mem_size,
		.userspace_addr = (uintptr_t)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		fail("KVM_SET_USER_MEMORY_REGION");
		goto unmap_mem;
	}
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		fail("KVM_CREATE_VCPU");
		goto unmap_mem;
	}
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size < (int)sizeof(*run)) {
		fail("KVM_GET_VCPU_MMAP_SIZE");
		goto close_vcpu;
	}
	run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED) {
		fail("mmap of the vCPU's kvm_run");
		goto close_vcpu;
	}
	if (set_cpuid(kvm, vcpu, 1, &sig))
		goto unmap_run;
	if (mb_setup_vcpu(vcpu, &ld.boot))
		goto unmap_run;
	ret = mb_run(vcpu, run, o.timeout_s);
	if (ret != MB_EXIT_FAILED)
		fprintf(stderr, "%s: the guest exited with code %d\n", prog, ret);
unmap_run:
	munmap(run, (size_t)run_size);
close_vcpu:
	close(vcpu);
unmap_mem:
	munmap(mem, mem_size);
close_vm:
	close(vm);
close_kvm:
	close(kvm);
free_files:
	free(module);
	free(kernel);
	return ret;
}

int main(int argc, char **argv)
{
	uint32_t count = 100000, sig_ebx;
	size_t code_len = (size_t)(guest_end - guest_start), mem_size;
	struct kvm_userspace_memory_region region;
	struct kvm_run *run = MAP_FAILED;
	struct mailbox *mb;
	int kvm, vm = -1, vcpu = -1, run_size, status, ret = 1;
	uint8_t *mem = MAP_FAILED;
	char *end;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--multiboot"))
			return multiboot_main(argc, argv);
	if (argc > 2) {
		usage(stderr);
		return 2;
	}
	if (argc == 2) {
		unsigned long v = strtoul(argv[1], &end, 0);

		if (*argv[1] == '\0' || *end || v == 0 || v > COUNT_MAX) {
			fprintf(stderr, "%s: COUNT must be a number from 1 to %u, not '%s'\n", prog,
				COUNT_MAX, argv[1]);
			return 2;
		}
		count = (uint32_t)v;
	}

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		fprintf(stderr, "%s: /dev/kvm: %s (is kvm_amd loaded?)\n", prog, strerror(errno));
		return EXIT_NOKVM;
	}
	if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		fprintf(stderr, "%s: KVM API version is not %d\n", prog, KVM_API_VERSION);
		ret = EXIT_NOKVM;
		goto close_kvm;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		fprintf(stderr, "%s: KVM_CREATE_VM: %s (is SVM in use by another hypervisor?)\n",
			prog, strerror(errno));
		ret = EXIT_NOKVM;
		goto close_kvm;
	}

	mem_size = GUEST_SAMPLES + 2 * (size_t)count * sizeof(uint32_t);
	mem_size = (mem_size + 0x1fffff) & ~(size_t)0x1fffff;
	mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		fail("guest memory");
		goto close_vm;
	}
	memcpy(mem + GUEST_CODE, guest_start, code_len);
	region = (struct kvm_userspace_memory_region){
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = mem_size,
		.userspace_addr = (uintptr_t)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		fail("KVM_SET_USER_MEMORY_REGION");
		goto unmap_mem;
	}

	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		fail("KVM_CREATE_VCPU");
		goto unmap_mem;
	}
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size < (int)sizeof(*run)) {
		fail("KVM_GET_VCPU_MMAP_SIZE");
		goto close_vcpu;
	}
	run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED) {
		fail("mmap of the vCPU's kvm_run");
		goto close_vcpu;
	}
	if (set_cpuid(kvm, vcpu, 0, &sig_ebx))
		goto unmap_run;
	if (!sig_ebx) {
		fprintf(stderr, "%s: KVM offers no CPUID leaf %#x\n", prog, SIG_LEAF);
		goto unmap_run;
	}
	if (setup_vcpu(vcpu))
		goto unmap_run;

	mb = (struct mailbox *)mem;
	mb->sig_ebx = sig_ebx;
	mb->count = count;
	status = run_guest(vcpu, run);
	switch (status) {
	case GUEST_DONE:
		break;
	case GUEST_BAD_VMMCALL:
		fprintf(stderr, "%s: VMMCALL %#x returned %#x, expected %#x (-KVM_ENOSYS)\n", prog,
			HC_NULL, mb->bad, KVM_ENOSYS_32);
		goto unmap_run;
	case GUEST_BAD_CPUID:
		fprintf(stderr, "%s: CPUID %#x returned EBX %#x, expected %#x\n", prog, SIG_LEAF,
			mb->bad, sig_ebx);
		goto unmap_run;
	default:
		if (status >= 0)
			fprintf(stderr, "%s: guest reported unknown status %d\n", prog, status);
		goto unmap_run;
	}
	/* "KVMKVMKVM\0\0\0" and a highest leaf at or above the signature leaf. */
	if (mb->cpuid[1] != sig_ebx || mb->cpuid[0] < SIG_LEAF) {
		fprintf(stderr, "%s: CPUID %#x returned EAX %#x EBX %#x, expected EAX >= %#x EBX %#x\n",
			prog, SIG_LEAF, mb->cpuid[0], mb->cpuid[1], SIG_LEAF, sig_ebx);
		goto unmap_run;
	}

	report("kvm-vmmcall", (uint32_t *)(mem + GUEST_SAMPLES), count);
	report("kvm-cpuid", (uint32_t *)(mem + GUEST_SAMPLES) + count, count);
	ret = 0;
unmap_run:
	munmap(run, (size_t)run_size);
close_vcpu:
	close(vcpu);
unmap_mem:
	munmap(mem, mem_size);
close_vm:
	close(vm);
close_kvm:
	close(kvm);
	return ret;
}
