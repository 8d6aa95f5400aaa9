// SPDX-License-Identifier: GPL-2.0
/*
 * vmkfuzz: feeds bad input to the real shim inside the service console
 * (e2e tests fuzz-image and fuzz-ioctl) and checks that every case ends
 * in a correct result or a clear refusal, never in a crash.
 *
 *  image    Mutated vmkernel images.  The mutations are the loader's own
 *           (loader/fuzz.c, cases of a fixed seed); each mutated file goes
 *           through image_check() against this boot's region, exactly as
 *           vmkload does.  A rejection must say why; its message, with
 *           the numbers taken out, is its reason class.  An accepted image
 *           is flattened by image_flatten(); its laid-out bytes must be
 *           the original's (the image checksum covers all of them, so a
 *           changed one is a loader bug, reported and never run).  It is
 *           loaded with VMNIX_IOC_LOAD, checked (status,
 *           /proc/vmware/version, the CPUID leaf on every CPU) and
 *           unloaded.  Every Nth case also goes through the real vmkload
 *           program.  Since an accepted image is the original byte for
 *           byte, a refusal of it by the shim or by vmkload is a failure.  A second phase hands the shim flat images whose
 *           header breaks the ABI directly, bypassing the loader: the
 *           shim must refuse each with a message.
 *  ioctl    Random requests on /dev/vmnix: unknown ioctl numbers, and
 *           LOAD, CALL, BENCH, STATUS and UNLOAD with random fields and
 *           pointers (NULL, kernel, unmapped, non-canonical, read-only,
 *           ending at an unmapped page, or valid).  Results of calls that
 *           succeed are checked; the machine's state (loaded or not) is
 *           tracked and checked after each case.
 *  vmmcall  VMMCALL from user mode with random registers: every one must
 *           return -EPERM and leave the other registers alone.
 *
 * loader/fuzz.c offers the mutations only through fuzz_run(), which hands
 * each mutated image to image_check().  This program is linked with
 * --wrap=image_check, so that call comes here first and the same bytes
 * are also loaded for real; direct checks here call __real_image_check.
 *
 * Exit status: 0 every case behaved, 1 a case misbehaved, 2 bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"
#include "image.h"
#include "region.h"
#include "vmnix_abi.h"

#define DEFAULT_IMAGE	"/lib/vmkx/vmkernel"
#define DEFAULT_VMKLOAD	"/usr/sbin/vmkload"
#define TMP_IMAGE	"/tmp/vmkfuzz.img"
/* A run stops after this many misbehaving cases. */
#define MAX_FAILURES	20
#define MAX_CLASSES	96
/* Scratch buffer for ioctls that write to user memory. */
#define SCRATCH_SIZE	(1UL << 20)

int __real_image_check(const void *file, size_t size, vmk_u64 region_size,
		       struct image_info *out, char *err, size_t errlen);
int __wrap_image_check(const void *file, size_t size, vmk_u64 region_size,
		       struct image_info *out, char *err, size_t errlen);

struct opts {
	const char *mode;
	const char *image;
	const char *vmkload;
	vmk_u64 seed;
	vmk_u64 cases;
	vmk_u64 first;
	vmk_u64 shim_cases;
	vmk_u64 exec_every;
	bool verbose;
};

/* A reason class: a message with its numbers replaced by N. */
struct rclass {
	char text[160];
	vmk_u64 count;
};

struct tally {
	struct rclass cls[MAX_CLASSES];
	unsigned int ncls;
	vmk_u64 other;		/* rejections past MAX_CLASSES classes */
};

static struct {
	struct opts o;
	int fd;
	struct region r;
	int ncpus;		/* online CPUs = CPUs the vmkernel takes */
	unsigned char *file;	/* the original image file */
	size_t file_size;
	struct image_info info0;
	unsigned char *flat0;	/* its flat layout */
	vmk_u64 failures;
	vmk_u64 cur;		/* case being run */
	/* image mode: counts */
	vmk_u64 cases, rejected, accepted;
	vmk_u64 loaded, shim_refused, exec_runs;
	vmk_u64 shim_direct, shim_direct_refused;
	struct tally loader_why, shim_why;
	/* the wrapper: the base image's pointer, and whether this case ran */
	const void *fuzz_base;
	bool case_done;
} g;

/* ---- small helpers ------------------------------------------------- */

static void failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void failf(const char *fmt, ...)
{
	va_list ap;

	g.failures++;
	printf("vmkfuzz: FAIL: %s case %" PRIu64 ": ", g.o.mode, g.cur);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* xorshift64*, seeded per case so that any case can be replayed alone. */
static vmk_u64 rnd_state;

static void rnd_seed(vmk_u64 seed, vmk_u64 k)
{
	rnd_state = (seed + 1) * 0xd1342543de82ef95ULL ^ (k + 1) * 0xaf251af3b0f025b5ULL;
	if (!rnd_state)
		rnd_state = 1;
}

static vmk_u64 rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dULL;
}

static vmk_u64 rnd_below(vmk_u64 n)
{
	return n ? rnd() % n : 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Counts msg under its class: digits and hex numbers become N. */
static void tally_add(struct tally *t, const char *msg)
{
	char c[sizeof(t->cls[0].text)];
	size_t o = 0;

	for (const char *p = msg; *p && o + 1 < sizeof(c);) {
		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
			p += 2;
			while ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
			       (*p >= 'A' && *p <= 'F'))
				p++;
			c[o++] = 'N';
		} else if (*p >= '0' && *p <= '9') {
			while (*p >= '0' && *p <= '9')
				p++;
			c[o++] = 'N';
		} else {
			c[o++] = *p++;
		}
	}
	c[o] = '\0';
	for (unsigned int i = 0; i < t->ncls; i++) {
		if (!strcmp(t->cls[i].text, c)) {
			t->cls[i].count++;
			return;
		}
	}
	if (t->ncls == MAX_CLASSES) {
		t->other++;
		return;
	}
	snprintf(t->cls[t->ncls].text, sizeof(t->cls[0].text), "%s", c);
	t->cls[t->ncls++].count = 1;
}

static int cls_cmp(const void *a, const void *b)
{
	const struct rclass *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 :
	       strcmp(x->text, y->text);
}

static void tally_print(struct tally *t, const char *who)
{
	qsort(t->cls, t->ncls, sizeof(t->cls[0]), cls_cmp);
	for (unsigned int i = 0; i < t->ncls; i++)
		printf("vmkfuzz:   %s %6" PRIu64 "  %s\n", who, t->cls[i].count,
		       t->cls[i].text);
	if (t->other)
		printf("vmkfuzz:   %s %6" PRIu64 "  (other classes)\n", who, t->other);
}

/* The region of this boot: the first memmap=SIZE$BASE, as vmkload finds it. */
static int find_region(struct region *r)
{
	struct region found[REGION_MAX];
	unsigned int n = 0;
	char line[8192], err[256];
	ssize_t len;
	int fd;

	fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "vmkfuzz: /proc/cmdline: %s\n", strerror(errno));
		return -1;
	}
	len = read(fd, line, sizeof(line));
	close(fd);
	if (len < 0)
		len = 0;
	if (region_from_cmdline(line, (size_t)len, found, REGION_MAX, &n, err,
				sizeof(err))) {
		fprintf(stderr, "vmkfuzz: /proc/cmdline: %s\n", err);
		return -1;
	}
	if (n == 0) {
		fprintf(stderr, "vmkfuzz: no memmap=SIZE$BASE on the kernel command line\n");
		return -1;
	}
	*r = found[0];
	if (region_check(r, err, sizeof(err))) {
		fprintf(stderr, "vmkfuzz: %s\n", err);
		return -1;
	}
	return 0;
}

/* ---- the state of the machine -------------------------------------- */

static void cpuid_on(int cpu, unsigned int leaf, unsigned int r[4])
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(0));
}

static void cpus_all(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	for (int c = 0; c < g.ncpus; c++)
		CPU_SET(c, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* "loaded yes" or "loaded no" from /proc/vmware/version; -1 if neither. */
static int proc_loaded(void)
{
	char buf[4096];
	ssize_t n;
	int fd, ret = -1;

	fd = open("/proc/vmware/version", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (strstr(buf, "\nloaded yes") || !strncmp(buf, "loaded yes", 10))
		ret = 1;
	else if (strstr(buf, "\nloaded no") || !strncmp(buf, "loaded no", 9))
		ret = 0;
	return ret;
}

static int get_status(struct vmnix_status *st)
{
	memset(st, 0, sizeof(*st));
	if (ioctl(g.fd, VMNIX_IOC_STATUS, st) < 0) {
		failf("VMNIX_IOC_STATUS: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Checks the machine is in the state `loaded` says, everywhere it shows:
 * the shim's status, /proc/vmware/version and CPUID on every CPU.
 */
static int check_state(bool loaded, const char *after)
{
	struct vmnix_status st;
	unsigned int r[4];
	int p, bad = 0;

	if (get_status(&st))
		return -1;
	if (st.loaded != loaded) {
		failf("after %s: status says loaded=%u, expected %d", after,
		      st.loaded, loaded);
		return -1;
	}
	if (loaded && (st.ncpus != (vmk_u32)g.ncpus ||
		       st.cpu_mask != (g.ncpus >= 64 ? ~0ULL : (1ULL << g.ncpus) - 1))) {
		failf("after %s: %u CPUs (mask %#" PRIx64 ") in the vmkernel, expected %d",
		      after, st.ncpus, st.cpu_mask, g.ncpus);
		return -1;
	}
	p = proc_loaded();
	if (p != loaded) {
		failf("after %s: /proc/vmware/version says loaded %s", after,
		      p < 0 ? "(unreadable)" : p ? "yes" : "no");
		return -1;
	}
	for (int c = 0; c < g.ncpus; c++) {
		bool sig;

		cpuid_on(c, VMK_CPUID_LEAF, r);
		sig = r[1] == VMK_CPUID_SIG_EBX && r[2] == VMK_CPUID_SIG_ECX &&
		      r[3] == VMK_CPUID_SIG_EDX;
		if (sig != loaded) {
			failf("after %s: CPU %d %s the vmkernel's CPUID leaf", after,
			      c, sig ? "shows" : "lacks");
			bad = 1;
		}
	}
	cpus_all();
	return bad ? -1 : 0;
}

static int unload_and_check(const char *after)
{
	char what[96];

	if (ioctl(g.fd, VMNIX_IOC_UNLOAD) < 0) {
		failf("unload after %s: %s", after, strerror(errno));
		return -1;
	}
	snprintf(what, sizeof(what), "unload after %s", after);
	return check_state(false, what);
}

/* VMNIX_IOC_LOAD of a flat image into this boot's region. */
static int load_flat(const void *flat, vmk_u64 size, struct vmnix_load *req)
{
	memset(req, 0, sizeof(*req));
	req->image = (vmk_u64)(uintptr_t)flat;
	req->image_size = size;
	req->mem_base = g.r.base;
	req->mem_size = g.r.size;
	req->log_level = VMK_LOG_INFO;
	return ioctl(g.fd, VMNIX_IOC_LOAD, req) < 0 ? -errno : 0;
}

/* ---- image mode ------------------------------------------------------ */

/* Runs cmd through sh, collecting up to len bytes of its output. */
static int run_cmd(const char *cmd, char *out, size_t len)
{
	size_t got = 0;
	FILE *f;
	int st;

	fflush(NULL);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (got + 1 < len) {
		size_t n = fread(out + got, 1, len - 1 - got, f);

		if (n == 0)
			break;
		got += n;
	}
	out[got] = '\0';
	while (fgetc(f) != EOF)
		;
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int write_tmp(const void *buf, size_t size)
{
	int fd = open(TMP_IMAGE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = size ? write(fd, buf, size) : 0;
	close(fd);
	return n == (ssize_t)size ? 0 : -1;
}

/* The same case through the real vmkload program. */
static void exec_case(const void *file, size_t size, int rc, const char *why)
{
	char cmd[512], out[2048];
	int st;

	if (write_tmp(file, size)) {
		failf("cannot write %s: %s", TMP_IMAGE, strerror(errno));
		return;
	}
	g.exec_runs++;
	if (rc) {
		snprintf(cmd, sizeof(cmd), "%s %s 2>&1", g.o.vmkload, TMP_IMAGE);
		st = run_cmd(cmd, out, sizeof(out));
		if (st != 1 || !strstr(out, why))
			failf("vmkload on a rejected image: status %d, output \"%s\", expected status 1 and \"%s\"",
			      st, out, why);
		check_state(false, "vmkload of a rejected image");
	} else {
		snprintf(cmd, sizeof(cmd), "%s -q %s 2>&1", g.o.vmkload, TMP_IMAGE);
		st = run_cmd(cmd, out, sizeof(out));
		if (st != 0) {
			/* It lays out as the original, which loads. */
			failf("vmkload refused an image that passes every check and lays out as the original: status %d: %s",
			      st, out[0] ? out : "(no message)");
			check_state(false, "vmkload's refusal");
			return;
		}
		if (check_state(true, "vmkload") == 0) {
			/* vmkunload is vmkload under another name, next to it */
			const char *slash = strrchr(g.o.vmkload, '/');

			snprintf(cmd, sizeof(cmd), "%.*svmkunload -q 2>&1",
				 slash ? (int)(slash - g.o.vmkload + 1) : 0, g.o.vmkload);
			st = run_cmd(cmd, out, sizeof(out));
			if (st != 0)
				failf("vmkunload: status %d: %s", st, out);
			check_state(false, "vmkunload");
		} else {
			ioctl(g.fd, VMNIX_IOC_UNLOAD);
		}
	}
}

/* One mutated image, as vmkload would handle it. */
static void image_case(const unsigned char *file, size_t size)
{
	struct image_info info;
	struct vmnix_load req;
	unsigned char *flat;
	char why[256];
	int rc, err;

	g.cases++;
	rc = __real_image_check(file, size, g.r.size, &info, why, sizeof(why));
	if (rc) {
		g.rejected++;
		if (!why[0]) {
			failf("rejected without a reason");
			return;
		}
		tally_add(&g.loader_why, why);
		if (g.o.exec_every && g.cur % g.o.exec_every == 0)
			exec_case(file, size, rc, why);
		return;
	}
	flat = malloc(info.image_size);
	if (!flat) {
		failf("out of memory for a %" PRIu64 "-byte image", info.image_size);
		return;
	}
	if (image_flatten(file, size, &info, flat)) {
		failf("accepted, but image_flatten failed");
		goto out;
	}
	if (info.image_size != g.info0.image_size ||
	    memcmp(flat, g.flat0, info.image_size)) {
		failf("accepted an image whose laid-out bytes differ from the original's (the checksum let a change through); not run");
		goto out;
	}
	g.accepted++;
	if (g.o.exec_every && g.cur % g.o.exec_every == 0) {
		exec_case(file, size, 0, "");
		goto out;
	}
	err = load_flat(flat, info.file_size, &req);
	req.error[sizeof(req.error) - 1] = '\0';
	if (err) {
		/* The same bytes as the original, which loads: no reason to
		 * refuse them. */
		g.shim_refused++;
		failf("the shim refused an image that passes every check and lays out as the original: %s: %s",
		      strerror(-err), req.error[0] ? req.error : "(no message)");
		check_state(false, "a refused load");
		goto out;
	}
	g.loaded++;
	if (check_state(true, "a load") == 0)
		unload_and_check("a load");
	else
		ioctl(g.fd, VMNIX_IOC_UNLOAD);
out:
	free(flat);
}

/*
 * fuzz_run() checks the base image once (file == g.fuzz_base), then each
 * case's image twice; the first sight of a case's image runs it.
 */
int __wrap_image_check(const void *file, size_t size, vmk_u64 region_size,
		       struct image_info *out, char *err, size_t errlen)
{
	if (file != g.fuzz_base && !g.case_done) {
		g.case_done = true;
		image_case(file, size);
	}
	return __real_image_check(file, size, region_size, out, err, errlen);
}

/* Checks a header the way the ABI defines a valid one (vmnix_abi.h). */
static bool header_valid(const struct vmk_image_header *h, vmk_u64 req_size)
{
	return h->magic == VMK_IMAGE_MAGIC && h->abi_version == VMK_ABI_VERSION &&
	       h->arch == VMK_ARCH_X86_64 && h->header_size == sizeof(*h) &&
	       !h->flags && h->file_size == req_size &&
	       h->image_size >= h->file_size && h->image_size <= g.r.size &&
	       h->min_mem <= g.r.size && h->entry_init < h->file_size &&
	       h->entry_cpu < h->file_size &&
	       h->log_offset + sizeof(struct vmk_log_ring) >= h->log_offset &&
	       h->log_offset + sizeof(struct vmk_log_ring) <= h->image_size &&
	       memchr(h->version, 0, sizeof(h->version));
}

static vmk_u64 edge_value(vmk_u64 orig)
{
	switch (rnd_below(12)) {
	case 0: return 0;
	case 1: return ~0ULL;
	case 2: return orig + 1;
	case 3: return orig - 1;
	case 4: return g.r.size + rnd_below(3) * VMK_PAGE_SIZE - VMK_PAGE_SIZE;
	case 5: return g.info0.file_size + rnd_below(3) - 1;
	case 6: return g.info0.image_size + rnd_below(3) - 1;
	case 7: return orig ^ (1ULL << rnd_below(64));
	case 8: return ~0ULL - rnd_below(sizeof(struct vmk_log_ring) * 2);
	case 9: return 1ULL << 63;
	default: return rnd();
	}
}

/* Flat images with an ABI-breaking header, straight to the shim. */
static void shim_direct_case(unsigned char *flat)
{
	struct vmk_image_header *h = (struct vmk_image_header *)flat;
	vmk_u64 req_size = g.info0.file_size;
	struct vmnix_load req;
	int err, tries = 0;

	memcpy(flat, g.flat0, g.info0.image_size);
	do {
		memcpy(flat, g.flat0, sizeof(*h));
		req_size = g.info0.file_size;
		for (unsigned int n = 1 + (unsigned int)rnd_below(2); n; n--) {
			switch (rnd_below(14)) {
			case 0: h->magic = edge_value(h->magic); break;
			case 1: h->abi_version = (vmk_u32)edge_value(h->abi_version); break;
			case 2: h->arch = (vmk_u32)edge_value(h->arch); break;
			case 3: h->header_size = (vmk_u32)edge_value(h->header_size); break;
			case 4: h->flags = (vmk_u32)edge_value(h->flags); break;
			case 5: h->image_size = edge_value(h->image_size); break;
			case 6: h->file_size = edge_value(h->file_size); break;
			case 7: h->min_mem = edge_value(h->min_mem); break;
			case 8: h->entry_init = edge_value(h->entry_init); break;
			case 9: h->entry_cpu = edge_value(h->entry_cpu); break;
			case 10: h->log_offset = edge_value(h->log_offset); break;
			case 11: memset(h->version, 'A' + (int)rnd_below(26),
					sizeof(h->version)); break;
			default:
				req_size = edge_value(req_size);
				if (req_size > g.info0.image_size)
					req_size = g.info0.image_size - rnd_below(64);
				break;
			}
		}
	} while (header_valid(h, req_size) && ++tries < 16);
	if (header_valid(h, req_size))
		return;
	g.shim_direct++;
	err = load_flat(flat, req_size, &req);
	req.error[sizeof(req.error) - 1] = '\0';
	if (!err) {
		failf("the shim loaded an image whose header breaks the ABI");
		if (check_state(true, "a bad header's load") == 0)
			unload_and_check("a bad header's load");
		else
			ioctl(g.fd, VMNIX_IOC_UNLOAD);
		return;
	}
	g.shim_direct_refused++;
	if (!req.error[0])
		failf("the shim refused a bad header without a message (%s)",
		      strerror(-err));
	else
		tally_add(&g.shim_why, req.error);
	check_state(false, "a bad header's refusal");
}

static int mode_image(void)
{
	struct vmnix_load req;
	struct fuzz_stats st = { 0 };
	unsigned char *flat;
	char err[512];
	double t0 = now_s(), t1;
	int e;

	/* The original image first: it must load. */
	g.cur = ~0ULL;
	e = load_flat(g.flat0, g.info0.file_size, &req);
	if (e) {
		failf("the original image does not load: %s: %.*s", strerror(-e),
		      (int)sizeof(req.error), req.error);
		return 1;
	}
	if (check_state(true, "the original image's load") ||
	    unload_and_check("the original image's load"))
		return 1;

	g.fuzz_base = g.file;
	for (g.cur = g.o.first; g.cur < g.o.first + g.o.cases; g.cur++) {
		g.case_done = false;
		if (fuzz_run(g.file, g.file_size, g.r.size, g.o.seed, g.cur, 1, &st,
			     err, sizeof(err)))
			failf("%s", err);
		if (g.failures >= MAX_FAILURES)
			break;
		if (g.o.verbose && g.cur % 500 == 0)
			printf("vmkfuzz: image case %" PRIu64 "\n", g.cur);
	}
	t1 = now_s();

	flat = malloc(g.info0.image_size);
	if (!flat)
		return 1;
	for (vmk_u64 k = 0; k < g.o.shim_cases && g.failures < MAX_FAILURES; k++) {
		g.cur = k;
		rnd_seed(g.o.seed ^ 0x5348494dULL, k);
		shim_direct_case(flat);
	}
	free(flat);
	unlink(TMP_IMAGE);

	printf("vmkfuzz: image seed %" PRIu64 ": %" PRIu64 " cases in %.1f s: %" PRIu64
	       " rejected by the loader, %" PRIu64 " accepted, each laid out as the original\n",
	       g.o.seed, g.cases, t1 - t0, g.rejected, g.accepted);
	printf("vmkfuzz: image: %" PRIu64 " loaded, checked and unloaded in-process, %" PRIu64
	       " refused by the shim, %" PRIu64 " cases through the real vmkload; fuzz.c: %" PRIu64
	       " cases, %" PRIu64 " accepted\n",
	       g.loaded, g.shim_refused, g.exec_runs, st.cases, st.accepted);
	printf("vmkfuzz: image: %" PRIu64 " bad headers straight to the shim in %.1f s, %" PRIu64 " refused\n",
	       g.shim_direct, now_s() - t1, g.shim_direct_refused);
	printf("vmkfuzz: loader rejections by reason class:\n");
	tally_print(&g.loader_why, "loader");
	printf("vmkfuzz: shim refusals by reason class:\n");
	tally_print(&g.shim_why, "shim");
	return g.failures ? 1 : 0;
}

/* ---- ioctl mode ------------------------------------------------------ */

static struct {
	unsigned char *scratch;	/* SCRATCH_SIZE, read-write */
	unsigned char *ro;	/* a page, read-only */
	unsigned char *edge;	/* a page followed by an unmapped page */
	unsigned char *roflat;	/* the flat image, read-only */
	unsigned char *edgeflat;	/* the flat image ending at an unmapped page */
	bool loaded;
	vmk_u64 base;		/* region of the image loaded now (0: unknown) */
	vmk_s64 checksum;	/* of the image loaded now */
	vmk_u64 ops[8], ok[8];
} io;

enum { OP_RANDOM, OP_LOAD, OP_CALL, OP_BENCH, OP_STATUS, OP_UNLOAD, OP_NOPS };
static const char *const op_names[] = {
	"random-ioctl", "load", "call", "bench", "status", "unload",
};

/* Pointer kinds; only PK_SCRATCH is writable. */
enum { PK_NULL, PK_KERNEL, PK_LOW, PK_NONCANON, PK_RO, PK_EDGE, PK_HIGHUSER,
       PK_RANDOM, PK_SCRATCH, PK_KINDS };

static vmk_u64 pick_ptr(int *kind)
{
	int k = (int)rnd_below(PK_KINDS + 3);

	if (k >= PK_KINDS)
		k = PK_SCRATCH;
	*kind = k;
	switch (k) {
	case PK_NULL: return 0;
	case PK_KERNEL: return 0xffff888000000000ULL + rnd_below(1ULL << 30);
	case PK_LOW: return rnd_below(0x10000);
	case PK_NONCANON: return 0x0000800000000000ULL + rnd_below(1ULL << 46);
	case PK_RO: return (uintptr_t)io.ro + rnd_below(4096);
	case PK_EDGE: return (uintptr_t)io.edge + 4096 - rnd_below(64);
	case PK_HIGHUSER: return 0x00007ffffffff000ULL + rnd_below(4096);
	case PK_RANDOM: return rnd() | (1ULL << 63);	/* never a user address */
	default: return (uintptr_t)io.scratch + rnd_below(64) * 8;
	}
}

static void io_note(int op, bool ok)
{
	io.ops[op]++;
	if (ok)
		io.ok[op]++;
}

static void op_random(void)
{
	unsigned long cmd;
	unsigned int type;
	int kind, rc;

	do {
		if (rnd_below(2))
			cmd = _IOC((unsigned int)rnd_below(4), VMNIX_IOC_MAGIC,
				   (unsigned int)rnd_below(256),
				   (unsigned int)rnd_below(1 << 14));
		else
			cmd = (unsigned int)rnd();
		type = (cmd >> 8) & 0xff;
		/* Leave out the shim's own numbers and those the VFS answers
		 * for every file (FIONBIO, FIFREEZE, FS_IOC_*, FICLONE...). */
	} while (cmd == VMNIX_IOC_LOAD || cmd == VMNIX_IOC_UNLOAD ||
		 cmd == VMNIX_IOC_STATUS || cmd == VMNIX_IOC_CALL ||
		 cmd == VMNIX_IOC_BENCH || type == 'T' || type == 'X' ||
		 type == 'f' || type == 0x94 || type == 0);
	rc = ioctl(g.fd, cmd, (unsigned long)pick_ptr(&kind));
	if (rc != -1 || errno != ENOTTY)
		failf("ioctl %#lx: %d (%s), expected ENOTTY", cmd, rc,
		      rc < 0 ? strerror(errno) : "success");
	io_note(OP_RANDOM, rc == 0);
}

static void op_load(void)
{
	struct vmnix_load req, *preq;
	int kind, rc, e, ik;
	const vmk_u64 two = VMK_REGION_ALIGN;

	memset(&req, 0, sizeof(req));
	ik = (int)rnd_below(10);
	switch (ik) {
	case 0: case 1: case 2: case 3:
		req.image = (uintptr_t)g.flat0; break;
	case 4: req.image = (uintptr_t)io.roflat; break;
	case 5: req.image = (uintptr_t)io.edgeflat; break;
	case 6:
		req.image = (uintptr_t)io.scratch;
		for (size_t i = 0; i < 512; i++)
			io.scratch[i] = (unsigned char)rnd();
		break;
	default: req.image = pick_ptr(&kind); break;
	}
	switch (rnd_below(8)) {
	case 0: case 1: case 2: req.image_size = g.info0.file_size; break;
	case 3: req.image_size = rnd_below(sizeof(struct vmk_image_header) + 1); break;
	case 4: req.image_size = g.info0.file_size + 1 + rnd_below(8192); break;
	case 5: req.image_size = g.r.size + rnd_below(2); break;
	case 6: req.image_size = ~0ULL - rnd_below(4096); break;
	default: req.image_size = rnd(); break;
	}
	switch (rnd_below(12)) {
	case 0: case 1: case 2: case 3: case 4:
		req.mem_base = g.r.base;
		req.mem_size = g.r.size;
		break;
	case 5:	/* a part of the region */
		req.mem_size = two * (1 + rnd_below(g.r.size / two));
		req.mem_base = g.r.base + two * rnd_below((g.r.size - req.mem_size) / two + 1);
		break;
	case 6:	/* reaching past it into RAM */
		req.mem_base = g.r.base + two * rnd_below(g.r.size / two);
		req.mem_size = g.r.size;
		if (rnd_below(2))
			req.mem_base = g.r.base - two;
		break;
	case 7:	/* unaligned */
		req.mem_base = g.r.base + 1 + rnd_below(two - 1);
		req.mem_size = g.r.size - rnd_below(two);
		break;
	case 8:	/* ordinary RAM, MMIO, above RAM, zero */
		switch (rnd_below(5)) {
		case 0: req.mem_base = 0x20000000; break;
		case 1: req.mem_base = 0xfec00000; break;
		case 2: req.mem_base = 0xb0000000; break;
		case 3: req.mem_base = 1ULL << 40; break;
		default: req.mem_base = 0; break;
		}
		req.mem_size = g.r.size;
		break;
	case 9:	/* wrap-around */
		req.mem_base = ~0ULL - two + 1 - two * rnd_below(4);
		req.mem_size = two * (1 + rnd_below(8));
		break;
	case 10:
		req.mem_base = g.r.base;
		req.mem_size = rnd_below(2) ? 0 : ~0ULL - two + 1;
		break;
	default:
		req.mem_base = rnd();
		req.mem_size = rnd();
		break;
	}
	req.log_level = rnd_below(4) ? (vmk_u32)rnd_below(4) : (vmk_u32)rnd();
	req.flags = rnd_below(4) ? 0 : rnd_below(2) ? VMK_BOOT_SERIAL_LOG : (vmk_u32)rnd();
	req.fail_step = rnd_below(3) ? 0 : rnd_below(2) ? (vmk_u32)rnd_below(VMK_FAIL_STEPS + 1) :
		(vmk_u32)rnd();
	req.fail_cpu = rnd_below(2) ? (vmk_u32)rnd_below((vmk_u64)g.ncpus + 1) : (vmk_u32)rnd();
	memset(req.error, 'x', sizeof(req.error));

	/* Now and then the request itself is at a bad address. */
	preq = &req;
	if (rnd_below(16) == 0)
		preq = (struct vmnix_load *)(uintptr_t)pick_ptr(&kind);
	rc = ioctl(g.fd, VMNIX_IOC_LOAD, preq);
	e = errno;
	if (preq != &req) {
		if (rc == 0 && kind != PK_SCRATCH)
			failf("LOAD with the request at %p succeeded", (void *)preq);
		if (rc == 0) {
			io.loaded = true;
			io.base = 0;	/* unknown */
		}
		io_note(OP_LOAD, rc == 0);
		if (check_state(io.loaded, "a LOAD with a bad request pointer"))
			io.loaded = !io.loaded;
		return;
	}
	io_note(OP_LOAD, rc == 0);
	if (rc == 0) {
		if (io.loaded)
			failf("a second LOAD succeeded while loaded");
		io.loaded = true;
		io.base = req.mem_base;
		io.checksum = -1;
		check_state(true, "a fuzzed LOAD");
		return;
	}
	req.error[sizeof(req.error) - 1] = '\0';
	if (req.error[0] == 'x') {
		/* The request itself was never read (only EFAULT may say so). */
		if (e != EFAULT)
			failf("LOAD refused (%s) before reading the request", strerror(e));
	} else if (!req.error[0]) {
		/* Refusals of a request the shim read carry a message. */
		failf("LOAD refused (%s) without a message (image %#" PRIx64 " size %#" PRIx64
		      " region %#" PRIx64 "+%#" PRIx64 " level %u flags %#x step %u cpu %u)",
		      strerror(e), req.image, req.image_size, req.mem_base,
		      req.mem_size, req.log_level, req.flags, req.fail_step,
		      req.fail_cpu);
	} else {
		tally_add(&g.shim_why, req.error);
	}
	check_state(io.loaded, "a refused LOAD");
}

static void op_unload(void)
{
	int rc = ioctl(g.fd, VMNIX_IOC_UNLOAD);

	io_note(OP_UNLOAD, rc == 0);
	if (io.loaded && rc != 0)
		failf("UNLOAD while loaded: %s", strerror(errno));
	if (!io.loaded && rc == 0)
		failf("UNLOAD succeeded while not loaded");
	io.loaded = false;
	check_state(false, "an UNLOAD");
}

static void op_status(void)
{
	struct vmnix_status st;
	int kind = PK_SCRATCH, rc;
	vmk_u64 p = rnd_below(2) ? (uintptr_t)&st : pick_ptr(&kind);

	if (p == (uintptr_t)&st)
		kind = PK_SCRATCH;
	rc = ioctl(g.fd, VMNIX_IOC_STATUS, (void *)(uintptr_t)p);
	io_note(OP_STATUS, rc == 0);
	if (kind == PK_SCRATCH) {
		if (rc != 0)
			failf("STATUS into a valid buffer: %s", strerror(errno));
		else if (p == (uintptr_t)&st && st.loaded != io.loaded)
			failf("STATUS says loaded=%u, expected %d", st.loaded, io.loaded);
	} else if (rc == 0 && kind != PK_EDGE) {
		failf("STATUS into %#" PRIx64 " (kind %d) succeeded", p, kind);
	}
}

/* Checks the result of a vmkcall through VMNIX_IOC_CALL into scratch. */
static void call_verify(const struct vmnix_call *c, const void *buf)
{
	const struct vmk_info *info = buf;
	const struct vmk_cpu_stats *cs = buf;
	const struct vmk_world_info *w = buf;

	switch (c->nr) {
	case VMK_CALL_NOP:
		if (c->ret != 0)
			failf("NOP returned %" PRId64, c->ret);
		break;
	case VMK_CALL_INFO:
		if (c->ret != 0 || info->call_version != VMK_CALL_VERSION ||
		    info->abi_version != VMK_ABI_VERSION ||
		    info->ncpus != (vmk_u32)g.ncpus ||
		    info->ncpus_running != (vmk_u32)g.ncpus ||
		    (io.base && info->region_pa != io.base))
			failf("INFO: ret %" PRId64 " call %u abi %u ncpus %u/%u region %#" PRIx64,
			      c->ret, info->call_version, info->abi_version,
			      info->ncpus, info->ncpus_running, info->region_pa);
		break;
	case VMK_CALL_LOG_READ:
		if (c->ret < 0 || (vmk_u64)c->ret > c->args[1] ||
		    c->ret > VMK_LOG_SIZE)
			failf("LOG_READ of %" PRIu64 " bytes returned %" PRId64,
			      c->args[1], c->ret);
		break;
	case VMK_CALL_CPU_STATS:
		if (c->args[0] < (vmk_u64)g.ncpus) {
			if (c->ret != 0 || cs->index != c->args[0] ||
			    cs->state != VMK_CPU_CONSOLE)
				failf("CPU_STATS %" PRIu64 ": ret %" PRId64 " index %u state %u",
				      c->args[0], c->ret, cs->index, cs->state);
		} else if (c->ret != -EINVAL) {
			failf("CPU_STATS of CPU index %" PRIu64 " (of %d) returned %" PRId64,
			      c->args[0], g.ncpus, c->ret);
		}
		break;
	case VMK_CALL_WORLD_LIST: {
		/* An idle and a console world per CPU, from cursor 0 on. */
		vmk_u64 all = c->args[2] ? 0 : 2 * (vmk_u64)g.ncpus;
		vmk_u64 n = c->args[1] < all ? c->args[1] : all;

		if (c->ret != (vmk_s64)n)
			failf("WORLD_LIST of %" PRIu64 " returned %" PRId64 ", expected %" PRIu64,
			      c->args[1], c->ret, n);
		for (vmk_u64 i = 0; c->ret == (vmk_s64)n && i < n; i++) {
			if (w[i].cpu >= (vmk_u32)g.ncpus || (w[i].type != VMK_WORLD_CONSOLE &&
							     w[i].type != VMK_WORLD_IDLE))
				failf("WORLD_LIST: world %" PRIu64 " has cpu %u type %u",
				      i, w[i].cpu, w[i].type);
		}
		break;
	}
	case VMK_CALL_CHECKSUM:
		if (c->ret < 0)
			failf("CHECKSUM returned %" PRId64, c->ret);
		else if (io.checksum < 0)
			io.checksum = c->ret;
		else if (c->ret != io.checksum)
			failf("CHECKSUM changed: %#" PRIx64 ", was %#" PRIx64,
			      (vmk_u64)c->ret, (vmk_u64)io.checksum);
		break;
	}
}

static void op_call(void)
{
	struct vmnix_call c;
	int kind = PK_SCRATCH, rc, e;
	bool valid_nr, world_nr, module_nr, vm_nr, unknown_nr, valid_cpu, bad_arg = false;

	memset(&c, 0, sizeof(c));
	c.nr = rnd_below(4) ? (vmk_u32)rnd_below(VMK_CALL_COUNT + 2) : (vmk_u32)rnd();
	c.cpu = rnd_below(8) ? (vmk_u32)rnd_below((vmk_u64)g.ncpus) :
		rnd_below(2) ? (vmk_u32)g.ncpus : (vmk_u32)rnd();
	for (int i = 0; i < 4; i++)
		c.args[i] = rnd();
	switch (c.nr) {
	case VMK_CALL_INFO:
	case VMK_CALL_LOG_READ:
	case VMK_CALL_WORLD_LIST:
		c.args[0] = pick_ptr(&kind);
		break;
	case VMK_CALL_CPU_STATS:
		c.args[1] = pick_ptr(&kind);
		c.args[0] = rnd_below(4) ? rnd_below((vmk_u64)g.ncpus + 2) : rnd();
		break;
	}
	if (c.nr == VMK_CALL_LOG_READ) {
		c.args[1] = rnd_below(2) ? rnd_below(8192) : rnd_below(4) ? rnd_below(SCRATCH_SIZE / 2) : rnd();
		c.args[2] = rnd_below(2) ? rnd_below(1 << 16) : rnd();
	}
	if (c.nr == VMK_CALL_WORLD_LIST) {
		c.args[1] = rnd_below(4) ? rnd_below(VMK_WORLD_LIST_MAX + 3) : rnd();
		c.args[2] = rnd_below(4) ? 0 : rnd() | (1ULL << 40);
		bad_arg = !c.args[1] || c.args[1] > VMK_WORLD_LIST_MAX;
	}
	/* The calls the shim forwards, and the numbers the vmkernel does
	 * not define (vmnix_abi.h, struct vmnix_call). */
	world_nr = c.nr >= VMK_CALL_WORLD_CREATE && c.nr <= VMK_CALL_WORLD_NEXT;
	module_nr = c.nr >= VMK_CALL_MODULE_LOAD && c.nr <= VMK_CALL_MODULE_LIST;
	vm_nr = c.nr >= VMK_CALL_VM_CREATE && c.nr <= VMK_CALL_VM_SERIAL_WRITE;
	valid_nr = c.nr == VMK_CALL_NOP || c.nr == VMK_CALL_INFO ||
		   c.nr == VMK_CALL_LOG_READ || c.nr == VMK_CALL_CPU_STATS ||
		   c.nr == VMK_CALL_WORLD_LIST || c.nr == VMK_CALL_CHECKSUM || world_nr ||
		   module_nr || vm_nr;
	unknown_nr = c.nr >= VMK_CALL_COUNT;
	valid_cpu = c.cpu < (vmk_u32)g.ncpus;
	memset(io.scratch, 0xa5, 8192);
	rc = ioctl(g.fd, VMNIX_IOC_CALL, &c);
	e = errno;
	io_note(OP_CALL, rc == 0);
	if (!valid_nr && !unknown_nr) {
		if (rc != -1 || e != EPERM)
			failf("CALL nr %u (not forwarded): %d (%s), expected EPERM", c.nr,
			      rc, rc ? strerror(e) : "success");
	} else if (!valid_cpu || (c.nr == VMK_CALL_WORLD_LIST && bad_arg)) {
		if (rc != -1 || e != EINVAL)
			failf("CALL nr %u cpu %u: %d (%s), expected EINVAL", c.nr, c.cpu,
			      rc, rc ? strerror(e) : "success");
	} else if (world_nr || module_nr || vm_nr) {
		/* System-world, module and VM calls with random arguments: the
		 * vmkernel's own answer, or the shim's for a request it cannot
		 * copy in or out, for no vmkernel loaded, or (modules, VMs)
		 * for a size out of bounds; never anything else. */
		bool sized = module_nr || vm_nr;

		if (rc != 0 && !(rc == -1 && (e == EFAULT || e == ENODEV ||
					      (sized && (e == EINVAL || e == ENOMEM)))))
			failf("CALL nr %u (system worlds, modules, VMs): %d (%s), expected the vmkernel's answer or EFAULT, ENODEV%s",
			      c.nr, rc, strerror(e), sized ? ", EINVAL, ENOMEM" : "");
		else if (rc == 0 && !io.loaded)
			failf("CALL nr %u answered while not loaded", c.nr);
	} else if (!io.loaded) {
		if (rc != -1 || e != ENODEV)
			failf("CALL nr %u while not loaded: %d (%s), expected ENODEV",
			      c.nr, rc, rc ? strerror(e) : "success");
	} else if (unknown_nr) {
		if (rc != 0 || c.ret != -ENOSYS)
			failf("CALL nr %u (not defined): %d (%s), ret %" PRId64 ", expected -ENOSYS",
			      c.nr, rc, rc ? strerror(e) : "success", c.ret);
	} else if (kind == PK_SCRATCH && !bad_arg) {
		if (rc != 0)
			failf("CALL nr %u into a valid buffer: %s", c.nr, strerror(e));
		else
			call_verify(&c, (void *)(uintptr_t)(c.nr == VMK_CALL_CPU_STATS ?
							    c.args[1] : c.args[0]));
	} else if (rc == 0 && c.ret >= 0 && kind != PK_SCRATCH && kind != PK_EDGE &&
		   !(c.nr == VMK_CALL_LOG_READ && c.ret == 0)) {
		failf("CALL nr %u with a buffer at %#" PRIx64 " (kind %d) succeeded (ret %" PRId64 ")",
		      c.nr, c.nr == VMK_CALL_CPU_STATS ? c.args[1] : c.args[0], kind, c.ret);
	}
}

static void op_bench(void)
{
	struct vmnix_bench b;
	int kind, rc, e;
	bool valid;

	memset(&b, 0, sizeof(b));
	b.nr = rnd_below(4) ? (vmk_u32)rnd_below(4) : (vmk_u32)rnd();
	switch (rnd_below(6)) {
	case 0: b.count = 0; break;
	case 1: b.count = VMNIX_BENCH_MAX + 1 + (vmk_u32)rnd_below(1000); break;
	case 2: b.count = (vmk_u32)rnd() | 0x80000000U; break;
	default: b.count = 1 + (vmk_u32)rnd_below(256); break;
	}
	b.samples = pick_ptr(&kind);
	if (kind == PK_SCRATCH)
		b.samples = (uintptr_t)io.scratch;
	valid = b.count && b.count <= VMNIX_BENCH_MAX && b.nr <= VMNIX_BENCH_MODCALL;
	/* A valid bench runs every round trip before it copies out: keep
	 * those short whatever the pointer. */
	if (valid && b.count > 4096)
		return;
	rc = ioctl(g.fd, VMNIX_IOC_BENCH, &b);
	e = errno;
	io_note(OP_BENCH, rc == 0);
	if (!valid) {
		if (rc != -1 || e != EINVAL)
			failf("BENCH nr %u count %u: %d (%s), expected EINVAL", b.nr,
			      b.count, rc, rc ? strerror(e) : "success");
	} else if (!io.loaded && b.nr != VMNIX_BENCH_CPUID) {
		if (rc != -1 || e != ENODEV)
			failf("BENCH nr %u while not loaded: %d (%s), expected ENODEV",
			      b.nr, rc, rc ? strerror(e) : "success");
	} else if (b.nr == VMNIX_BENCH_MODCALL) {
		/* This boot loads no module: nothing serves the call. */
		if (rc != -1 || e != ENOSYS)
			failf("BENCH of a module's vmkcall with no module: %d (%s), expected ENOSYS",
			      rc, rc ? strerror(e) : "success");
	} else if (kind == PK_SCRATCH) {
		const vmk_u64 *s = (const vmk_u64 *)io.scratch;

		if (rc != 0)
			failf("BENCH nr %u count %u into a valid buffer: %s", b.nr,
			      b.count, strerror(e));
		for (vmk_u32 i = 0; rc == 0 && i < b.count; i++) {
			if (s[i] == 0 || s[i] > (1ULL << 40)) {
				failf("BENCH nr %u sample %u is %" PRIu64, b.nr, i, s[i]);
				break;
			}
		}
	} else if (rc == 0 && kind != PK_EDGE) {
		failf("BENCH into %#" PRIx64 " (kind %d) succeeded", b.samples, kind);
	} else if (rc != 0 && e != EFAULT) {
		failf("BENCH into %#" PRIx64 ": %s, expected EFAULT", b.samples, strerror(e));
	}
}

static void *map_pages(size_t n, int prot)
{
	void *p = mmap(NULL, n * 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int mode_ioctl(void)
{
	size_t fpages = (g.info0.file_size + 4095) / 4096;
	double t0 = now_s();
	unsigned char *m;

	io.scratch = map_pages(SCRATCH_SIZE / 4096, PROT_READ | PROT_WRITE);
	io.ro = map_pages(1, PROT_READ | PROT_WRITE);
	io.edge = map_pages(2, PROT_READ | PROT_WRITE);
	io.roflat = map_pages(fpages, PROT_READ | PROT_WRITE);
	m = map_pages(fpages + 1, PROT_READ | PROT_WRITE);
	if (!io.scratch || !io.ro || !io.edge || !io.roflat || !m) {
		fprintf(stderr, "vmkfuzz: cannot map the test buffers\n");
		return 1;
	}
	memcpy(io.roflat, g.flat0, g.info0.file_size);
	/* The flat image's last byte right before an unmapped page. */
	io.edgeflat = m + fpages * 4096 - g.info0.file_size;
	memcpy(io.edgeflat, g.flat0, g.info0.file_size);
	if (mprotect(io.ro, 4096, PROT_READ) || mprotect(io.roflat, fpages * 4096, PROT_READ) ||
	    munmap(io.edge + 4096, 4096) || munmap(m + fpages * 4096, 4096)) {
		fprintf(stderr, "vmkfuzz: cannot set up the test buffers: %s\n",
			strerror(errno));
		return 1;
	}

	g.cur = ~0ULL;
	if (check_state(false, "the start"))
		return 1;
	for (g.cur = g.o.first; g.cur < g.o.first + g.o.cases && g.failures < MAX_FAILURES;
	     g.cur++) {
		vmk_u64 k;

		rnd_seed(g.o.seed, g.cur);
		k = rnd_below(100);
		if (k < 10)
			op_random();
		else if (k < 42)
			op_load();
		else if (k < 72)
			op_call();
		else if (k < 84)
			op_bench();
		else if (k < 92)
			op_status();
		else
			op_unload();
		if (g.o.verbose && g.cur % 500 == 0)
			printf("vmkfuzz: ioctl case %" PRIu64 "\n", g.cur);
	}
	if (io.loaded && ioctl(g.fd, VMNIX_IOC_UNLOAD) == 0)
		io.loaded = false;
	check_state(false, "the final unload");

	printf("vmkfuzz: ioctl seed %" PRIu64 ": %" PRIu64 " cases in %.1f s\n",
	       g.o.seed, g.o.cases, now_s() - t0);
	for (int i = 0; i < OP_NOPS; i++)
		printf("vmkfuzz:   %-13s %6" PRIu64 " issued, %6" PRIu64 " succeeded\n",
		       op_names[i], io.ops[i], io.ok[i]);
	printf("vmkfuzz: LOAD refusals by reason class:\n");
	tally_print(&g.shim_why, "shim");
	return g.failures ? 1 : 0;
}

/* ---- vmmcall mode -------------------------------------------------- */

static sigjmp_buf ud_jmp;

static void on_sigill(int sig)
{
	(void)sig;
	siglongjmp(ud_jmp, 1);
}

static int mode_vmmcall(void)
{
	struct sigaction sa = { .sa_handler = on_sigill };
	/* volatile: they live across siglongjmp from the SIGILL handler */
	volatile vmk_u64 eperm = 0, sigill = 0;
	double t0 = now_s();

	sigaction(SIGILL, &sa, NULL);
	for (g.cur = g.o.first; g.cur < g.o.first + g.o.cases && g.failures < MAX_FAILURES;
	     g.cur++) {
		vmk_u64 in[12], out[12];
		volatile int cpu;

		rnd_seed(g.o.seed, g.cur);
		for (int i = 0; i < 12; i++)
			in[i] = rnd_below(4) ? rnd() : rnd_below(16);
		if (rnd_below(4) == 0)
			in[0] = VMK_CALL_UNLOAD;	/* refused at CPL 3 like any other */
		cpu = (int)rnd_below((vmk_u64)g.ncpus);
		{
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET(cpu, &set);
			sched_setaffinity(0, sizeof(set), &set);
		}
		memcpy(out, in, sizeof(out));
		if (sigsetjmp(ud_jmp, 1)) {
			sigill++;
			failf("user-mode VMMCALL on CPU %d raised SIGILL (is the vmkernel loaded?)",
			      cpu);
			continue;
		}
		{
			register vmk_u64 r8 __asm__("r8") = out[6];
			register vmk_u64 r9 __asm__("r9") = out[7];
			register vmk_u64 r10 __asm__("r10") = out[8];
			register vmk_u64 r11 __asm__("r11") = out[9];
			register vmk_u64 r12 __asm__("r12") = out[10];
			register vmk_u64 r13 __asm__("r13") = out[11];

			__asm__ volatile("vmmcall"
					 : "+a"(out[0]), "+b"(out[1]), "+c"(out[2]),
					   "+d"(out[3]), "+S"(out[4]), "+D"(out[5]),
					   "+r"(r8), "+r"(r9), "+r"(r10), "+r"(r11),
					   "+r"(r12), "+r"(r13)
					 :
					 : "memory", "cc");
			out[6] = r8, out[7] = r9, out[8] = r10, out[9] = r11;
			out[10] = r12, out[11] = r13;
		}
		if ((vmk_s64)out[0] != -EPERM) {
			failf("user-mode VMMCALL %#" PRIx64 " on CPU %d returned %" PRId64 ", expected -EPERM",
			      in[0], cpu, (vmk_s64)out[0]);
			continue;
		}
		eperm++;
		for (int i = 1; i < 12; i++) {
			if (out[i] != in[i]) {
				failf("user-mode VMMCALL on CPU %d changed register %d: %#" PRIx64 " -> %#" PRIx64,
				      cpu, i, in[i], out[i]);
				break;
			}
		}
	}
	cpus_all();
	printf("vmkfuzz: vmmcall seed %" PRIu64 ": %" PRIu64 " user-mode VMMCALLs in %.1f s: %" PRIu64
	       " got -EPERM, %" PRIu64 " SIGILL\n",
	       g.o.seed, g.o.cases, now_s() - t0, eperm, sigill);
	return g.failures ? 1 : 0;
}

/* ---- main ------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vmkfuzz image|ioctl|vmmcall [OPTIONS]\n"
		"Feed bad input to the vmkernel and the shim and check that each case\n"
		"is handled: a correct result or a clear refusal, never a crash.\n"
		"\n"
		"  image     mutated vmkernel images through vmkload's checks and the shim\n"
		"            (the vmkernel must not be loaded; it is not loaded afterwards)\n"
		"  ioctl     random requests on " VMNIX_DEVICE " (same state rules)\n"
		"  vmmcall   user-mode VMMCALLs with random registers (the vmkernel must\n"
		"            be loaded): each must return -EPERM\n"
		"\n"
		"  --cases N        cases to run (default 2000)\n"
		"  --seed S         seed (default 1); case K of seed S is always the same\n"
		"  --first K        first case (default 0): --first K --cases 1 replays K\n"
		"  --image PATH     the valid image to start from (default " DEFAULT_IMAGE ")\n"
		"  --shim-cases N   image: bad headers straight to the shim (default cases/4)\n"
		"  --exec-every N   image: every Nth case through the real vmkload (default\n"
		"                   50; 0: never)\n"
		"  --vmkload PATH   the vmkload program (default " DEFAULT_VMKLOAD ")\n"
		"  -v, --verbose    progress lines\n"
		"  -h, --help       this text\n"
		"\n"
		"Exit status: 0 every case behaved, 1 a case misbehaved or setup failed,\n"
		"2 bad usage.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "cases", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "first", required_argument, NULL, 'f' },
		{ "image", required_argument, NULL, 'i' },
		{ "shim-cases", required_argument, NULL, 'S' },
		{ "exec-every", required_argument, NULL, 'e' },
		{ "vmkload", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	bool have_shim = false;
	char err[256];
	int c;

	g.o = (struct opts){ .image = DEFAULT_IMAGE, .vmkload = DEFAULT_VMKLOAD,
			     .seed = 1, .cases = 2000, .exec_every = 50 };
	opterr = 0;
	while ((c = getopt_long(argc, argv, "hv", longopts, NULL)) != -1) {
		vmk_u64 *dst = NULL;

		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case 'v':
			g.o.verbose = true;
			break;
		case 'n': dst = &g.o.cases; break;
		case 's': dst = &g.o.seed; break;
		case 'f': dst = &g.o.first; break;
		case 'S': dst = &g.o.shim_cases; have_shim = true; break;
		case 'e': dst = &g.o.exec_every; break;
		case 'i':
			g.o.image = optarg;
			break;
		case 'l':
			g.o.vmkload = optarg;
			break;
		default:
			fprintf(stderr, "vmkfuzz: unknown option or missing value: '%s'; try 'vmkfuzz --help'\n",
				argv[optind - 1]);
			return 2;
		}
		if (dst && fuzz_parse_u64(optarg, dst)) {
			fprintf(stderr, "vmkfuzz: bad number '%s' for %s\n", optarg,
				argv[optind - 1]);
			return 2;
		}
	}
	if (argc - optind != 1 || (strcmp(argv[optind], "image") &&
				   strcmp(argv[optind], "ioctl") &&
				   strcmp(argv[optind], "vmmcall"))) {
		fprintf(stderr, "vmkfuzz: expected one mode: image, ioctl or vmmcall; try 'vmkfuzz --help'\n");
		return 2;
	}
	g.o.mode = argv[optind];
	if (!have_shim)
		g.o.shim_cases = g.o.cases / 4;
	setvbuf(stdout, NULL, _IOLBF, 0);
	g.ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (g.ncpus < 1 || g.ncpus > VMK_MAX_CPUS) {
		fprintf(stderr, "vmkfuzz: %d CPUs online; expected 1 to %d\n", g.ncpus,
			VMK_MAX_CPUS);
		return 1;
	}
	if (!strcmp(g.o.mode, "vmmcall"))
		return mode_vmmcall();

	if (find_region(&g.r))
		return 1;
	if (fuzz_read_file(g.o.image, &g.file, &g.file_size, err, sizeof(err))) {
		fprintf(stderr, "vmkfuzz: %s\n", err);
		return 1;
	}
	if (__real_image_check(g.file, g.file_size, g.r.size, &g.info0, err,
			       sizeof(err))) {
		fprintf(stderr, "vmkfuzz: %s: the starting image is rejected: %s\n",
			g.o.image, err);
		return 1;
	}
	g.flat0 = malloc(g.info0.image_size);
	if (!g.flat0 || image_flatten(g.file, g.file_size, &g.info0, g.flat0)) {
		fprintf(stderr, "vmkfuzz: %s: cannot lay the image out\n", g.o.image);
		return 1;
	}
	g.fd = open(VMNIX_DEVICE, O_RDWR | O_CLOEXEC);
	if (g.fd < 0) {
		fprintf(stderr, "vmkfuzz: %s: %s (modprobe vmnix first)\n", VMNIX_DEVICE,
			strerror(errno));
		return 1;
	}
	return !strcmp(g.o.mode, "image") ? mode_image() : mode_ioctl();
}
