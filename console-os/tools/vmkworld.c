// SPDX-License-Identifier: GPL-2.0
/*
 * vmkworld: makes, steers and removes the vmkernel's system worlds from
 * the console (burners that burn CPU and count their loops, helpers that
 * sleep and wake each period), and lists every world with its time by
 * state, as ESX's /proc/vmware/sched files did.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmkdev.h"

static const char *const world_types[] = { "console", "system", "idle", "helper", "vmm" };
static const char *const world_states[] = {
	"new", "ready", "running", "waiting", "costopped", "dead",
};

#define NAME(tbl, i) ((i) < sizeof(tbl) / sizeof(tbl[0]) ? (tbl)[i] : "?")

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vmkworld COMMAND [ARGS]\n"
		"\n"
		"  create [OPTIONS]      make a system world; prints its ID\n"
		"      --type=burner|helper|yielder\n"
		"                            burner (default): burns CPU and counts loops;\n"
		"                            helper: wakes every 100 ms and counts work items;\n"
		"                            yielder: gives up its CPU at every loop\n"
		"      --name=NAME           default: the type\n"
		"      --pool=NAME           resource pool, made on first use (default: the host)\n"
		"      --group=NAME          SMP group: the group's burners are the co-scheduled\n"
		"                            VCPUs of one VM (made on first use, in --pool)\n"
		"  set ID OPTIONS        change a world's settings while it runs\n"
		"  destroy ID            stop a world and remove it\n"
		"  list                  every world: ID, name, type, state, CPU, settings,\n"
		"                        used/ready/wait/co-stop ms, progress\n"
		"  stats ID              one world as key value lines\n"
		"  progress ID...        the worlds' progress counters and used ns, read\n"
		"                        together (one line: P1 U1 P2 U2 ...)\n"
		"\n"
		"settings, for create and set:\n"
		"      --shares=N            1 to 1000000 (default 1000)\n"
		"      --min=PCT             reservation, percent of one CPU (refused if it\n"
		"                            cannot be met)\n"
		"      --max=PCT             limit, percent of one CPU (0: none)\n"
		"      --affinity=LIST       vmkernel CPUs it may run on (\"1-3\"; \"all\")\n");
}

static int fail(const char *what, int64_t r)
{
	fprintf(stderr, "vmkworld: %s: %s\n", what, strerror((int)-r));
	vmkdev_explain("vmkworld");
	return 1;
}

static unsigned long num(const char *opt, const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max || *s == '-') {
		fprintf(stderr, "vmkworld: --%s=%s: a number from 0 to %lu\n", opt, s, max);
		exit(2);
	}
	return v;
}

static int parse(int argc, char **argv, struct vmk_world_req *r, int creating)
{
	static const struct option opts[] = {
		{ "type", required_argument, 0, 't' },
		{ "name", required_argument, 0, 'n' },
		{ "pool", required_argument, 0, 'p' },
		{ "group", required_argument, 0, 'g' },
		{ "shares", required_argument, 0, 's' },
		{ "min", required_argument, 0, 'm' },
		{ "max", required_argument, 0, 'M' },
		{ "affinity", required_argument, 0, 'a' },
		{ 0, 0, 0, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (!creating && (c == 't' || c == 'n' || c == 'p' || c == 'g')) {
			fprintf(stderr, "vmkworld: set cannot change a world's type, name, pool or group\n");
			return -1;
		}
		switch (c) {
		case 't':
			if (!strcmp(optarg, "burner"))
				r->kind = VMK_SYSWORLD_BURNER;
			else if (!strcmp(optarg, "helper"))
				r->kind = VMK_SYSWORLD_HELPER;
			else if (!strcmp(optarg, "yielder"))
				r->kind = VMK_SYSWORLD_YIELDER;
			else {
				fprintf(stderr, "vmkworld: --type is burner, helper or yielder\n");
				return -1;
			}
			break;
		case 'n':
		case 'p':
		case 'g': {
			char *dst = c == 'n' ? r->name : c == 'p' ? r->pool : r->group;

			if (strlen(optarg) >= sizeof(r->name)) {
				fprintf(stderr, "vmkworld: '%s': names are at most %zu characters\n",
					optarg, sizeof(r->name) - 1);
				return -1;
			}
			strcpy(dst, optarg);
			break;
		}
		case 's':
			r->shares = (uint32_t)num("shares", optarg, 1000000);
			r->set |= VMK_WORLD_SET_SHARES;
			break;
		case 'm':
			r->min_pct = (uint32_t)num("min", optarg, 100);
			r->set |= VMK_WORLD_SET_MIN;
			break;
		case 'M':
			r->max_pct = (uint32_t)num("max", optarg, 100);
			r->set |= VMK_WORLD_SET_MAX;
			break;
		case 'a':
			if (!strcmp(optarg, "all"))
				r->affinity = 0;
			else if (vmkdev_cpulist(optarg, &r->affinity)) {
				fprintf(stderr, "vmkworld: bad CPU list '%s'\n", optarg);
				return -1;
			}
			r->set |= VMK_WORLD_SET_AFFINITY;
			break;
		default:
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "vmkworld: unexpected '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

static int world_id(const char *s, uint32_t *id)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v == 0 || v > 0xffffffffUL) {
		fprintf(stderr, "vmkworld: '%s' is not a world ID\n", s);
		return -1;
	}
	*id = (uint32_t)v;
	return 0;
}

static int cmd_create(int argc, char **argv)
{
	struct vmk_world_req r = { .kind = VMK_SYSWORLD_BURNER };
	int64_t id;

	if (parse(argc, argv, &r, 1))
		return 2;
	if (!r.name[0])
		strcpy(r.name, r.kind == VMK_SYSWORLD_BURNER ? "burner" :
			       r.kind == VMK_SYSWORLD_HELPER ? "helper" : "yielder");
	id = vmkdev_call("vmkworld", VMK_CALL_WORLD_CREATE, (uintptr_t)&r, sizeof(r), 0);
	if (id < 0)
		return fail("create", id);
	printf("%lld\n", (long long)id);
	return 0;
}

static int cmd_set(int argc, char **argv)
{
	struct vmk_world_req r = { 0 };
	int64_t ret;

	if (argc < 2 || world_id(argv[1], &r.id) || parse(argc - 1, argv + 1, &r, 0))
		return 2;
	if (!r.set) {
		fprintf(stderr, "vmkworld: set: nothing to change\n");
		return 2;
	}
	ret = vmkdev_call("vmkworld", VMK_CALL_WORLD_SET, (uintptr_t)&r, sizeof(r), 0);
	return ret < 0 ? fail("set", ret) : 0;
}

static int stats(uint32_t id, struct vmk_world_stats *st)
{
	return (int)vmkdev_call("vmkworld", VMK_CALL_WORLD_STATS, id, (uintptr_t)st, sizeof(*st));
}

static int cmd_list(void)
{
	struct vmk_world_stats st;
	int64_t id = 0;

	printf("%-8s %-16s %-7s %-9s %3s %7s %3s %3s %-10s %10s %10s %10s %10s %12s\n",
	       "id", "name", "type", "state", "cpu", "shares", "min", "max", "pool",
	       "used_ms", "ready_ms", "wait_ms", "cstp_ms", "progress");
	for (;;) {
		id = vmkdev_call("vmkworld", VMK_CALL_WORLD_NEXT, (uint64_t)id, 0, 0);
		if (id < 0)
			return fail("list", id);
		if (id == 0)
			return 0;
		if (stats((uint32_t)id, &st))
			continue;	/* gone meanwhile */
		printf("%-8u %-16.32s %-7s %-9s %3u %7u %3u %3u %-10.32s %10llu %10llu %10llu %10llu %12llu\n",
		       st.id, st.name, NAME(world_types, st.type), NAME(world_states, st.state),
		       st.cpu, st.shares, st.min_pct, st.max_pct, st.pool[0] ? st.pool : "-",
		       (unsigned long long)st.used_ns / 1000000,
		       (unsigned long long)st.ready_ns / 1000000,
		       (unsigned long long)st.wait_ns / 1000000,
		       (unsigned long long)st.cstp_ns / 1000000,
		       (unsigned long long)st.progress);
	}
}

/* Read back to back, so that several worlds' counters share one moment. */
static int cmd_progress(int n, char **ids)
{
	struct vmk_world_stats st[16];
	uint32_t id;
	int r;

	if (n < 1 || n > 16) {
		fprintf(stderr, "vmkworld: progress takes 1 to 16 world IDs\n");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		if (world_id(ids[i], &id))
			return 2;
		r = stats(id, &st[i]);
		if (r < 0)
			return fail("progress", r);
	}
	for (int i = 0; i < n; i++)
		printf("%s%llu %llu", i ? " " : "", (unsigned long long)st[i].progress,
		       (unsigned long long)st[i].used_ns);
	printf("\n");
	return 0;
}

static int cmd_stats(const char *arg)
{
	struct vmk_world_stats st;
	uint32_t id;
	int r;

	if (world_id(arg, &id))
		return 2;
	r = stats(id, &st);
	if (r < 0)
		return fail("stats", r);
	printf("id %u\nname %.32s\ntype %s\nstate %s\ncpu %u\nshares %u\nmin %u\nmax %u\n"
	       "pool %.32s\ngroup %.32s\naffinity 0x%llx\nentitled %llu\nused_ns %llu\nready_ns %llu\n"
	       "wait_ns %llu\ncstp_ns %llu\nmlmtd_ns %llu\nprogress %llu\nnow_ns %llu\n",
	       st.id, st.name, NAME(world_types, st.type), NAME(world_states, st.state),
	       st.cpu, st.shares, st.min_pct, st.max_pct, st.pool[0] ? st.pool : "-",
	       st.group[0] ? st.group : "-",
	       (unsigned long long)st.affinity, (unsigned long long)st.entitled,
	       (unsigned long long)st.used_ns, (unsigned long long)st.ready_ns,
	       (unsigned long long)st.wait_ns, (unsigned long long)st.cstp_ns,
	       (unsigned long long)st.mlmtd_ns,
	       (unsigned long long)st.progress, (unsigned long long)st.now_ns);
	return 0;
}

int main(int argc, char **argv)
{
	uint32_t id;
	int64_t r;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "create"))
		return cmd_create(argc - 1, argv + 1);
	if (!strcmp(argv[1], "set"))
		return cmd_set(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list") && argc == 2)
		return cmd_list();
	if (!strcmp(argv[1], "progress"))
		return cmd_progress(argc - 2, argv + 2);
	if (!strcmp(argv[1], "stats") && argc == 3)
		return cmd_stats(argv[2]);
	if (!strcmp(argv[1], "destroy") && argc == 3) {
		if (world_id(argv[2], &id))
			return 2;
		r = vmkdev_call("vmkworld", VMK_CALL_WORLD_DESTROY, id, 0, 0);
		return r < 0 ? fail("destroy", r) : 0;
	}
	usage(stderr);
	return 2;
}
