// SPDX-License-Identifier: GPL-2.0
/*
 * modfuzz: mutated vmkernel modules against the running vmkernel.  Each
 * case mutates a good module (header bytes, section table bytes, bytes
 * anywhere, or a truncation; a fixed seed), runs the console's check
 * (the vmkernel's own modelf code) and hands every mutant it refuses
 * straight to the vmkernel's load vmkcall, which must refuse it too.
 * After each refusal the vmkernel's checksum and module list must be as
 * before, and the module heap at the end.  Mutants the check accepts are
 * counted and not sent: their code may be anything.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "modcheck.h"
#include "vmnix_abi.h"

static int fd;

static long long call(unsigned nr, unsigned long long a0, unsigned long long a1,
		      unsigned long long a2)
{
	struct vmnix_call c = { .nr = nr, .cpu = 0, .args = { a0, a1, a2, 0 } };

	if (ioctl(fd, VMNIX_IOC_CALL, &c) < 0)
		return -errno;
	return c.ret;
}

/* The module heap's bytes in use, from /proc/vmware/mem (the shim does
 * not forward VMK_CALL_MEM_INFO to tools). */
static unsigned long long module_heap_in_use(void)
{
	unsigned long long held, hwm, in_use = ~0ULL;
	char line[512];
	FILE *f = fopen("/proc/vmware/mem", "r");

	if (!f)
		return ~0ULL;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "heap module held %llu held_hwm %llu in_use %llu",
			   &held, &hwm, &in_use) == 3)
			break;
	fclose(f);
	return in_use;
}

static long long nmodules(void)
{
	static struct vmk_module_stat st[VMK_MOD_LOADED_MAX];

	return call(VMK_CALL_MODULE_LIST, (unsigned long long)(uintptr_t)st,
		    VMK_MOD_LOADED_MAX, 0);
}

static unsigned long long next(unsigned long long *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s;
}

int main(int argc, char **argv)
{
	unsigned long cases, refused = 0, accepted = 0, bad = 0;
	unsigned long long seed, s;
	size_t size;
	u8 *good, *f;

	if (argc != 4 || !strcmp(argv[1], "--help")) {
		fprintf(argc == 2 ? stdout : stderr,
			"usage: modfuzz MODULE.o CASES SEED\n"
			"Hands CASES mutants of MODULE.o that the console's check refuses to\n"
			"the vmkernel: each must be refused, leaving its checksum, module list\n"
			"and module heap unchanged.  Exit 0 if all were, 1 otherwise.\n");
		return argc == 2 && !strcmp(argv[1], "--help") ? 0 : 2;
	}
	cases = strtoul(argv[2], NULL, 0);
	seed = s = strtoull(argv[3], NULL, 0);
	good = modcheck_read_file(argv[1], VMK_MOD_FILE_MAX, &size);
	f = malloc(size);
	fd = open(VMNIX_DEVICE, O_RDWR);
	if (!good || !f || fd < 0 || size < 256) {
		fprintf(stderr, "modfuzz: %s or %s: %s\n", argv[1], VMNIX_DEVICE, strerror(errno));
		return 2;
	}
	long long sum0 = call(VMK_CALL_CHECKSUM, 0, 0, 0), n0 = nmodules();
	unsigned long long heap0 = module_heap_in_use();
	u64 shoff = ((struct elf64_ehdr *)good)->e_shoff;

	if (sum0 < 0 || n0 < 0 || heap0 == ~0ULL || shoff >= size) {
		fprintf(stderr, "modfuzz: FAIL: cannot read the vmkernel's state\n");
		return 2;
	}
	for (unsigned long c = 0; c < cases; c++) {
		struct modelf m;
		size_t n = size;
		unsigned kind = (unsigned)(next(&s) >> 60) % 4, flips = 1 + (unsigned)(s >> 56) % 8;

		memcpy(f, good, size);
		for (unsigned k = 0; k < flips; k++) {
			size_t at = (size_t)(next(&s) >> 33) % size;

			if (kind == 0)
				at %= 64;
			else if (kind == 1)
				at = shoff + at % (size - shoff);
			f[at] = (u8)(s >> 17);
		}
		if (kind == 3)
			n = (size_t)(next(&s) >> 20) % size;
		if (!modcheck(&m, f, n)) {
			accepted++;
			continue;
		}
		refused++;
		long long r = call(VMK_CALL_MODULE_LOAD, 0, (unsigned long long)(uintptr_t)f, n);
		long long sum = call(VMK_CALL_CHECKSUM, 0, 0, 0), nm = nmodules();
		if (r >= 0 || sum != sum0 || nm != n0) {
			bad++;
			printf("modfuzz: FAIL: case %lu (%s): vmkernel answered %lld; checksum %s, "
			       "%lld modules (were %lld)\n", c, m.err, r,
			       sum == sum0 ? "unchanged" : "CHANGED", nm, n0);
			if (r > 0)
				call(VMK_CALL_MODULE_UNLOAD, 0, (unsigned long long)r, 0);
			if (bad > 10)
				break;
		}
	}
	unsigned long long heap = module_heap_in_use();
	if (heap != heap0) {
		bad++;
		printf("modfuzz: FAIL: module heap in use %llu bytes, was %llu\n", heap, heap0);
	}
	printf("modfuzz: seed %llu: %lu cases, %lu refused by the console's check and %s by "
	       "the vmkernel, %lu accepted (not sent); checksum, module list and module heap %s\n",
	       seed, cases, refused, bad ? "NOT ALL" : "all", accepted,
	       bad ? "CHANGED" : "unchanged");
	return bad ? 1 : 0;
}
