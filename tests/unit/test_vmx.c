// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the .vmx parser (console-os/tools/vmx.c): a complete file
 * with comments, quotes, blanks and CRLF endings; the defaults; shares by
 * level and VCPU count; paths relative to the file; unknown keys warned;
 * and each bad line refused with the file, line and key named.
 * vmx_load is tried on real files in a temporary directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "vmx.h"

static struct vmx v;
static char err[512];

static int parse(const char *text)
{
	return vmx_parse("/vmfs/volumes/ds/t/t.vmx", text, strlen(text), &v, NULL, err,
			 sizeof(err));
}

static void ok(const char *text)
{
	if (parse(text))
		fail_msg("refused: %s", err);
}

/* text is refused with a message containing want. */
static void refused(const char *text, const char *want)
{
	if (parse(text) == 0)
		fail_msg("accepted:\n%s\nwanted a refusal naming \"%s\"", text, want);
	if (!strstr(err, want))
		fail_msg("message \"%s\" does not name \"%s\"", err, want);
	if (strchr(err, '\n'))
		fail_msg("message \"%s\" is more than one line", err);
}

#define BASE "memsize = 16\nkernel = \"k.elf\"\n"

static void test_full(void **state)
{
	(void)state;
	ok("# a test VM\r\n"
	   "\r\n"
	   "  displayName   =   \"web-1\"   # trailing comment\r\n"
	   "memsize=\"64\"\r\n"
	   "NumVCPUs = 2\r\n"
	   "sched.cpu.shares = \"3000\"\r\n"
	   "sched.cpu.min = \"25%\"\r\n"
	   "sched.cpu.max = 150\r\n"
	   "sched.cpu.affinity = \"1,3-4\"\r\n"
	   "kernel = \"/usr/lib/vmkx/guests/smp.elf\"\r\n"
	   "kernel.module = \"env.txt\"\r\n"
	   "kernel.initrd = /boot/initrd.img\r\n"
	   "kernel.cmdline = \"console=ttyS0 a=\'b c\'  # not a comment\"\r\n");
	assert_string_equal(v.name, "web-1");
	assert_int_equal(v.memsize_mb, 64);
	assert_int_equal(v.nvcpus, 2);
	assert_int_equal(v.shares, 3000);
	assert_int_equal(v.min_pct, 25);
	assert_int_equal(v.max_pct, 150);
	assert_int_equal(v.affinity, 0x1a);
	assert_string_equal(v.kernel, "/usr/lib/vmkx/guests/smp.elf");
	assert_string_equal(v.module, "/vmfs/volumes/ds/t/env.txt");
	assert_string_equal(v.initrd, "/boot/initrd.img");
	assert_string_equal(v.cmdline, "console=ttyS0 a=\'b c\'  # not a comment");
	assert_string_equal(v.path, "/vmfs/volumes/ds/t/t.vmx");
}

static void test_defaults(void **state)
{
	struct vmk_vm_config c;

	(void)state;
	ok(BASE);
	assert_string_equal(v.name, "t");	/* the file's name */
	assert_int_equal(v.nvcpus, 1);
	assert_int_equal(v.shares, 1000);
	assert_int_equal(v.min_pct, 0);
	assert_int_equal(v.max_pct, 0);
	assert_int_equal(v.affinity, 0);
	assert_string_equal(v.kernel, "/vmfs/volumes/ds/t/k.elf");
	assert_string_equal(v.module, "");
	assert_string_equal(v.initrd, "");
	assert_string_equal(v.cmdline, "");
	vmx_config(&v, &c);
	assert_string_equal(c.name, "t");
	assert_int_equal(c.memsize_mb, 16);
	assert_int_equal(c.nvcpus, 1);
	assert_int_equal(c.shares, 1000);
	assert_int_equal(c.id, 0);
	assert_int_equal(c.set, 0);
}

static void test_shares_levels(void **state)
{
	(void)state;
	ok(BASE "sched.cpu.shares = low\n");
	assert_int_equal(v.shares, 500);
	ok(BASE "sched.cpu.shares = \"HIGH\"\nnumvcpus = 4\n");	/* order does not matter */
	assert_int_equal(v.shares, 8000);
	ok(BASE "numvcpus = 2\n");
	assert_int_equal(v.shares, 2000);
	ok(BASE "sched.cpu.shares = normal\nnumvcpus = 3\n");
	assert_int_equal(v.shares, 3000);
	ok(BASE "sched.cpu.affinity = all\nsched.cpu.min = 100\n");
	assert_int_equal(v.affinity, 0);
	assert_int_equal(v.min_pct, 100);
}

static void test_unknown_key_warned(void **state)
{
	static const char text[] = BASE "ethernet0.present = \"TRUE\"\n";
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	assert_int_equal(vmx_parse("a/b.vmx", text, strlen(text), &v, f, err, sizeof(err)), 0);
	fclose(f);
	assert_string_equal(buf, "a/b.vmx:3: unknown key \"ethernet0.present\" ignored\n");
	assert_string_equal(v.kernel, "a/k.elf");
	free(buf);
}

static void test_refusals(void **state)
{
	(void)state;
	refused(BASE "memsize = 32\n", "t.vmx:3: memsize: given twice (first on line 1)");
	refused("memsize = 0\n", "t.vmx:1: memsize: \"0\": a number from 1 to 3072");
	refused("memsize = 3073\n", "memsize: \"3073\": a number from 1 to 3072");
	refused("memsize = 12MB\n", "memsize: \"12MB\"");
	refused("memsize = -1\n", "memsize: \"-1\"");
	refused("memsize = \"\"\n", "memsize: \"\"");
	refused("memsize = 99999999999999999999999\n", "memsize:");
	refused(BASE "numvcpus = 9\n", "t.vmx:3: numvcpus: \"9\": a number from 1 to 8");
	refused(BASE "numvcpus = 0\n", "numvcpus: \"0\"");
	refused(BASE "sched.cpu.shares = medium\n", "sched.cpu.shares: \"medium\": low, normal");
	refused(BASE "sched.cpu.shares = 0\n", "sched.cpu.shares: \"0\": a number from 1");
	refused(BASE "sched.cpu.shares = 1000001\n", "sched.cpu.shares: \"1000001\"");
	refused(BASE "sched.cpu.min = 150\n", "t.vmx:3: sched.cpu.min: 150% is more than 1 VCPU");
	refused(BASE "sched.cpu.min = 5%%\n", "sched.cpu.min: \"5%%\"");
	refused(BASE "sched.cpu.min = 50\nsched.cpu.max = 40%\n",
		"t.vmx:4: sched.cpu.max: the limit 40% is below the reservation 50%");
	refused(BASE "sched.cpu.affinity = \"x\"\n", "t.vmx:3: sched.cpu.affinity: \"x\"");
	refused(BASE "sched.cpu.affinity = \"64\"\n", "sched.cpu.affinity: \"64\"");
	refused(BASE "displayName = \"a b\"\n", "t.vmx:3: displayName: \"a b\"");
	refused(BASE "displayName = \"../x\"\n", "displayName: \"../x\"");
	refused(BASE "displayName = \"abcdefghijabcdefghijabcdefghij12\"\n", "displayName:");
	refused(BASE "displayName = \"\"\n", "displayName: \"\"");
	refused(BASE "kernel.module = \"\"\n", "t.vmx:3: kernel.module: an empty path");
	refused(BASE "kernel.initrd = \"\"\n", "t.vmx:3: kernel.initrd: an empty path");
	refused(BASE "displayName = \"x\n", "t.vmx:3: displayName: the value's closing quote");
	refused(BASE "displayName = \"x\" y\n", "t.vmx:3: displayName: text after the value");
	refused(BASE "displayName \"x\"\n", "t.vmx:3: a line must read key = \"value\"");
	refused(BASE "= 4\n", "t.vmx:3: a line must read key");
	refused("kernel = k\n", "t.vmx: memsize: missing");
	refused("memsize = 4\n", "t.vmx: kernel: missing");
}

static void test_refusals_bytes(void **state)
{
	static char big[VMX_CMDLINE_MAX + 300];
	static const char nul[] = "memsize = 4\nker\0nel = k\n";

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	refused(big, "t.vmx:1: line longer than");
	snprintf(big, sizeof(big), BASE "kernel.cmdline = \"%0*d\"\n", VMX_CMDLINE_MAX + 1, 0);
	refused(big, "t.vmx:3: kernel.cmdline: longer than 4096 bytes");
	assert_int_equal(vmx_parse("t.vmx", nul, sizeof(nul) - 1, &v, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "t.vmx:2: a NUL byte"));
	/* A name made from a file name that cannot be a VM name. */
	assert_int_equal(vmx_parse("/d/a b.vmx", BASE, strlen(BASE), &v, NULL, err,
				   sizeof(err)), -1);
	assert_non_null(strstr(err, "displayName: missing"));
}

static void test_load(void **state)
{
	char dir[] = "/tmp/test_vmx.XXXXXX", p[256], k[256], m[256];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/vm.vmx", dir);
	snprintf(k, sizeof(k), "%s/k.elf", dir);
	snprintf(m, sizeof(m), "%s/env", dir);
	f = fopen(p, "w");
	fputs(BASE "kernel.module = env\n", f);
	fclose(f);

	assert_int_equal(vmx_load(p, &v, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "kernel "));
	assert_non_null(strstr(err, "k.elf: No such file or directory"));
	f = fopen(k, "w");
	fclose(f);
	assert_int_equal(vmx_load(p, &v, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "kernel.module "));
	assert_non_null(strstr(err, "/env: No such file"));
	assert_int_equal(mkdir(m, 0700), 0);
	assert_int_equal(vmx_load(p, &v, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "env: not a regular file"));
	rmdir(m);
	f = fopen(m, "w");
	fclose(f);
	if (vmx_load(p, &v, NULL, err, sizeof(err)))
		fail_msg("refused: %s", err);
	assert_string_equal(v.name, "vm");
	assert_string_equal(v.kernel, k);
	f = fopen(p, "w");
	fputs(BASE "kernel.initrd = rd.img\n", f);
	fclose(f);
	assert_int_equal(vmx_load(p, &v, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "kernel.initrd "));
	assert_non_null(strstr(err, "/rd.img: No such file"));
	snprintf(k + strlen(dir), sizeof(k) - strlen(dir), "/none.vmx");
	assert_int_equal(vmx_load(k, &v, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "none.vmx: No such file"));
	unlink(p);
	unlink(m);
	unlink(k);
	snprintf(k, sizeof(k), "%s/k.elf", dir);
	unlink(k);
	assert_int_equal(rmdir(dir), 0);
}

/* Mutated files: accepted, or refused with one line naming the file;
 * never a read outside the text (AddressSanitizer). */
static void test_mutations(void **state)
{
	static const char good[] = "displayName = \"web\"\nmemsize = 64\nnumvcpus = 2\n"
		"sched.cpu.shares = high\nsched.cpu.min = 20%\nsched.cpu.max = 150\n"
		"sched.cpu.affinity = \"1-3\"\nkernel = \"k.elf\"\nkernel.cmdline = \"a b\"\n";
	static const char alphabet[] = "=\"#% \n\r\t-,0123456789abcz.\0";
	unsigned int seed = 777, accepted = 0;

	(void)state;
	for (int n = 0; n < 20000; n++) {
		size_t len = sizeof(good) - 1;
		char *t = malloc(len);

		memcpy(t, good, len);
		for (int m = 1 + rand_r(&seed) % 3; m > 0; m--)
			t[rand_r(&seed) % len] = alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
		if (rand_r(&seed) % 4 == 0)
			len = rand_r(&seed) % len;
		if (vmx_parse("m.vmx", t, len, &v, NULL, err, sizeof(err)) == 0) {
			accepted++;
			assert_true(v.memsize_mb >= 1 && v.memsize_mb <= 3072);
			assert_true(v.nvcpus >= 1 && v.nvcpus <= 8);
			assert_true(v.shares >= 1 && v.shares <= 1000000 * 8);
			assert_true(!v.max_pct || v.max_pct >= v.min_pct);
			assert_int_equal(vmx_name_ok(v.name), 0);
		} else {
			assert_true(!strncmp(err, "m.vmx", 5) && !strchr(err, '\n'));
		}
		free(t);
	}
	assert_true(accepted > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_shares_levels),
		cmocka_unit_test(test_unknown_key_warned),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_refusals_bytes),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
