// SPDX-License-Identifier: GPL-2.0
/*
 * vmkcpu: gives console CPUs to the vmkernel and takes them back, as the
 * ESX 2 console left CPU 0 to itself and the others to virtual machines.
 * CPUs are Linux's numbers (the vmkernel numbers them the same when every
 * CPU was online at load).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmkdev.h"

static const char *const cpu_states[] = VMK_CPU_STATE_NAMES;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vmkcpu COMMAND [ARGS]\n"
		"\n"
		"  list             each CPU the vmkernel knows: Linux CPU, vmkernel index, owner\n"
		"  give LIST        give console CPUs (\"1\", \"1-3\", \"1,3\") to the vmkernel\n"
		"  take LIST        take CPUs back for the console\n"
		"  stats INDEX      one vmkernel CPU's owner, ticks, interrupts and decisions\n"
		"                   as key value lines (cycles are that CPU's TSC)\n"
		"  set LIST         give the CPUs in LIST and take back the others\n"
		"                   (\"none\": every CPU with the console)\n"
		"  -t               before a command: print how long each give or take took\n"
		"\n"
		"CPU 0 always stays with the console, and the console keeps at least one CPU.\n"
		"A CPU with the vmkernel is offline to Linux; /proc/vmware/cpuinfo shows it\n"
		"as state vmkernel.\n");
}

static int timing;

static int cpu_op(unsigned op, unsigned cpu)
{
	struct vmnix_cpu req = { .op = op, .cpu = cpu };
	const char *what = op == VMNIX_CPU_GIVE ? "give" : "take";

	if (ioctl(vmkdev_fd("vmkcpu"), VMNIX_IOC_CPU, &req) < 0) {
		fprintf(stderr, "vmkcpu: %s %u: %s\n", what, cpu,
			req.error[0] ? req.error : strerror(errno));
		return 1;
	}
	if (timing)
		printf("%s %u %llu us\n", what, cpu, (unsigned long long)req.ns / 1000);
	return 0;
}

static int cpu_state(unsigned index, struct vmk_cpu_stats *st)
{
	int64_t r = vmkdev_call("vmkcpu", VMK_CALL_CPU_STATS, index, (uintptr_t)st, sizeof(*st));

	return r < 0 ? (int)r : 0;
}

static int ncpus(void)
{
	struct vmk_info info;
	int64_t r = vmkdev_call("vmkcpu", VMK_CALL_INFO, (uintptr_t)&info, sizeof(info), 0);

	if (r < 0) {
		fprintf(stderr, "vmkcpu: the vmkernel is not loaded (%s)\n", strerror((int)-r));
		exit(2);
	}
	return (int)info.ncpus;
}

static int cmd_list(void)
{
	int n = ncpus();

	for (int i = 0; i < n; i++) {
		struct vmk_cpu_stats st;

		if (cpu_state((unsigned)i, &st))
			return 1;
		printf("cpu %u index %d state %s\n", st.linux_cpu, i,
		       st.state < sizeof(cpu_states) / sizeof(cpu_states[0]) ?
		       cpu_states[st.state] : "?");
	}
	return 0;
}

static int cmd_stats(const char *arg)
{
	struct vmk_cpu_stats st;
	char *end;
	long i = strtol(arg, &end, 10);

	if (end == arg || *end || i < 0 || i >= ncpus()) {
		fprintf(stderr, "vmkcpu: '%s' is not a vmkernel CPU index\n", arg);
		return 2;
	}
	if (cpu_state((unsigned)i, &st))
		return 1;
	printf("index %ld\nlinux %u\nstate %s\nsince_tsc %llu\nnow_tsc %llu\n"
	       "timer_irqs %llu\nresched_irqs %llu\nirq_tsc %llu\nticks %llu\n"
	       "tick_tsc %llu\ndecisions %llu\ndecide_ns %llu\nidle_ns %llu\n",
	       i, st.linux_cpu, st.state < sizeof(cpu_states) / sizeof(cpu_states[0]) ?
	       cpu_states[st.state] : "?",
	       (unsigned long long)st.vmk_since_tsc, (unsigned long long)st.now_tsc,
	       (unsigned long long)st.timer_irqs, (unsigned long long)st.resched_irqs,
	       (unsigned long long)st.irq_tsc, (unsigned long long)st.ticks,
	       (unsigned long long)st.tick_tsc, (unsigned long long)st.decisions,
	       (unsigned long long)st.decide_ns, (unsigned long long)st.idle_ns);
	return 0;
}

static int cmd_ops(unsigned op, const char *list)
{
	uint64_t mask;
	int err = 0;

	if (vmkdev_cpulist(list, &mask)) {
		fprintf(stderr, "vmkcpu: bad CPU list '%s' (e.g. 1, 1-3, 1,3)\n", list);
		return 2;
	}
	for (unsigned c = 0; c < 64; c++)
		if (mask & (1ULL << c))
			err |= cpu_op(op, c);
	return err;
}

/* Gives exactly the CPUs in list: takes the others back first, so that
 * reservations move to the CPUs that stay. */
static int cmd_set(const char *list)
{
	uint64_t want = 0;
	int n = ncpus(), err = 0;

	if (strcmp(list, "none") && vmkdev_cpulist(list, &want)) {
		fprintf(stderr, "vmkcpu: bad CPU list '%s' (e.g. 1, 1-3, 1,3, none)\n", list);
		return 2;
	}
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < n; i++) {
			struct vmk_cpu_stats st;

			if (cpu_state((unsigned)i, &st))
				return 1;
			bool vmk = st.state == VMK_CPU_VMKERNEL;
			bool wanted = st.linux_cpu < 64 && (want & (1ULL << st.linux_cpu));

			if (pass == 0 && vmk && !wanted)
				err |= cpu_op(VMNIX_CPU_TAKE, st.linux_cpu);
			else if (pass == 1 && !vmk && wanted)
				err |= cpu_op(VMNIX_CPU_GIVE, st.linux_cpu);
		}
	}
	return err;
}

int main(int argc, char **argv)
{
	int a = 1;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc > a && !strcmp(argv[a], "-t")) {
		timing = 1;
		a++;
	}
	if (argc == a + 1 && !strcmp(argv[a], "list"))
		return cmd_list();
	if (argc == a + 2 && !strcmp(argv[a], "give"))
		return cmd_ops(VMNIX_CPU_GIVE, argv[a + 1]);
	if (argc == a + 2 && !strcmp(argv[a], "take"))
		return cmd_ops(VMNIX_CPU_TAKE, argv[a + 1]);
	if (argc == a + 2 && !strcmp(argv[a], "stats"))
		return cmd_stats(argv[a + 1]);
	if (argc == a + 2 && !strcmp(argv[a], "set"))
		return cmd_set(argv[a + 1]);
	usage(stderr);
	return 2;
}
