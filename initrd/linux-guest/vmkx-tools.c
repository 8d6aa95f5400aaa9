// SPDX-License-Identifier: GPL-2.0
/*
 * vmkx-tools: the Linux guest's side of the console's soft power
 * operations, in the role VMware Tools played for ESX's "stop soft" and
 * "reset soft".  Once a second it asks the vmkx backdoor (port 0x5658,
 * vmkernel/abi/vmnix_abi.h) for a pending power operation; the answer
 * clears it.  HALT runs `poweroff`, REBOOT runs `reboot`: the guest's
 * own init then shuts down cleanly.  Polling at least once is also what
 * tells the console that the guest has tools.
 *
 * Off vmkx it says so and exits: the backdoor must answer GETVERSION
 * with the magic, and POWEROP with one of its three values (QEMU's own
 * VMware port answers GETVERSION but not vmkx's POWEROP).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmnix_abi.h"

struct bdoor {
	uint32_t eax, ebx, ecx, edx;
};

/* One backdoor call: `inl` with the magic and the command in registers. */
static struct bdoor bdoor_call(uint32_t cmd, uint32_t arg)
{
	struct bdoor r = { VMK_BDOOR_MAGIC, arg, cmd, VMK_BDOOR_PORT };

	__asm__ volatile("inl %%dx, %%eax"
			 : "+a"(r.eax), "+b"(r.ebx), "+c"(r.ecx), "+d"(r.edx)
			 :
			 : "memory");
	return r;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vmkx-tools [--daemon | --once | --check | --help]\n"
		"Answers the vmkx console's soft power operations inside a Linux\n"
		"guest: polls the backdoor (port 0x%x) once a second and runs\n"
		"`poweroff` when the console asks for a soft stop, `reboot` for a\n"
		"soft reset.\n"
		"  (none)    poll in the foreground\n"
		"  --daemon  check for vmkx, then poll in the background\n"
		"  --once    poll once, print the pending operation (none, halt,\n"
		"            reboot) and act on it\n"
		"  --check   say whether this is a vmkx VM and the backdoor's version;\n"
		"            the check polls, so a pending operation is acted on\n"
		"Exits with status 1 and a message when not in a vmkx VM.\n",
		VMK_BDOOR_PORT);
}

static const char *op_name(uint32_t op)
{
	switch (op) {
	case VMK_POWEROP_NONE: return "none";
	case VMK_POWEROP_HALT: return "halt";
	case VMK_POWEROP_REBOOT: return "reboot";
	}
	return "unknown";
}

/*
 * Returns 0 on vmkx, with the backdoor's version and the first POWEROP
 * answer (which must be acted upon: reading it cleared it), or -1 with
 * the reason printed.
 */
static int vmkx_probe(uint32_t *version, uint32_t *first_op)
{
	struct bdoor r;

	if (ioperm(VMK_BDOOR_PORT, 4, 1) && iopl(3)) {
		fprintf(stderr, "vmkx-tools: no access to I/O port 0x%x: %s%s\n",
			VMK_BDOOR_PORT, strerror(errno),
			errno == EPERM ? " (run as root)" : "");
		return -1;
	}
	/* An argument other than the magic: only a backdoor writes it to EBX. */
	r = bdoor_call(VMK_BDOOR_GETVERSION, ~VMK_BDOOR_MAGIC);
	if (r.ebx != VMK_BDOOR_MAGIC) {
		fprintf(stderr, "vmkx-tools: not a vmkx VM: port 0x%x does not "
			"answer the backdoor's GETVERSION; nothing to do\n",
			VMK_BDOOR_PORT);
		return -1;
	}
	*version = r.eax;
	r = bdoor_call(VMK_BDOOR_POWEROP, 0);
	if (r.eax > VMK_POWEROP_REBOOT) {
		fprintf(stderr, "vmkx-tools: not a vmkx VM: a VMware backdoor "
			"(version %u) answers, but not vmkx's POWEROP (0x%x); "
			"nothing to do\n", (unsigned)*version, (unsigned)r.eax);
		return -1;
	}
	*first_op = r.eax;
	return 0;
}

/* Runs `poweroff` or `reboot`; init does the rest. */
static void act(uint32_t op)
{
	const char *cmd = op == VMK_POWEROP_HALT ? "poweroff" : "reboot";
	pid_t p;
	int st;

	if (op != VMK_POWEROP_HALT && op != VMK_POWEROP_REBOOT)
		return;
	fprintf(stderr, "vmkx-tools: the console asks for a soft %s: running `%s`\n",
		op == VMK_POWEROP_HALT ? "stop" : "reset", cmd);
	p = fork();
	if (p == 0) {
		execlp(cmd, cmd, (char *)NULL);
		fprintf(stderr, "vmkx-tools: cannot run %s: %s\n", cmd, strerror(errno));
		_exit(127);
	}
	if (p < 0) {
		fprintf(stderr, "vmkx-tools: fork: %s\n", strerror(errno));
		return;
	}
	if (waitpid(p, &st, 0) == p && (!WIFEXITED(st) || WEXITSTATUS(st)))
		fprintf(stderr, "vmkx-tools: `%s` failed (status 0x%x)\n", cmd, st);
}

static _Noreturn void poll_forever(uint32_t op)
{
	for (;;) {
		act(op);
		sleep(1);
		op = bdoor_call(VMK_BDOOR_POWEROP, 0).eax;
		if (op > VMK_POWEROP_REBOOT)
			fprintf(stderr, "vmkx-tools: the backdoor answered POWEROP "
				"with %u: ignored\n", (unsigned)op);
	}
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	uint32_t version, op;

	if (!strcmp(mode, "--help") || !strcmp(mode, "-h")) {
		usage(stdout);
		return 0;
	}
	if (argc > 2 || (argc == 2 && strcmp(mode, "--daemon") && strcmp(mode, "--once") &&
			 strcmp(mode, "--check"))) {
		usage(stderr);
		return 2;
	}
	if (vmkx_probe(&version, &op))
		return 1;
	if (!strcmp(mode, "--check")) {
		printf("vmkx-tools: a vmkx VM, backdoor version %u\n", (unsigned)version);
		act(op);
		return 0;
	}
	if (!strcmp(mode, "--once")) {
		printf("%s\n", op_name(op));
		fflush(stdout);
		act(op);
		return 0;
	}
	if (!strcmp(mode, "--daemon")) {
		pid_t p = fork();

		if (p < 0) {
			fprintf(stderr, "vmkx-tools: fork: %s\n", strerror(errno));
			return 1;
		}
		if (p > 0) {
			printf("vmkx-tools: polling the vmkx backdoor (version %u), pid %d\n",
			       (unsigned)version, (int)p);
			return 0;
		}
		setsid();
	}
	/* The shutdown that poweroff starts ends with SIGTERM to everyone. */
	signal(SIGHUP, SIG_IGN);
	poll_forever(op);
}
