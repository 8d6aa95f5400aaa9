// SPDX-License-Identifier: GPL-2.0
/*
 * vmktop: the vmkernel's esxtop.  It samples the vmkernel's own
 * accounting (each world's time used, ready, waiting, co-stopped and held
 * by its limit; each CPU's idle time; the console's exits) through
 * /dev/vmnix, and shows the differences between two samples as
 * percentages of the interval: full screen and interactive on a terminal
 * (ANSI escape sequences and termios only, so it works over the serial
 * console), or, with -b, as perfmon CSV that spreadsheets and esxtop
 * analysis tools read.
 *
 * What the columns mean (each a percentage of one CPU over the interval):
 *   %RUN   the world was running;
 *   %SYS   the vmkernel handled the world's exits (console worlds), a
 *          part of %RUN;
 *   %USED  CPU the world consumed: %RUN here, as nothing runs on a
 *          world's behalf elsewhere yet;
 *   %RDY   runnable but not running; %MLMTD is the part of it that the
 *          world's limit held back;
 *   %WAIT  blocked; %IDLE is the part of it spent idle: an idle world's
 *          CPU had nothing to run, a console CPU was halted in Linux's
 *          idle loop (which the vmkernel counts as running, and vmktop
 *          moves from %RUN to %IDLE, as ESX counts a halted VCPU);
 *   %CSTP  co-stopped: held back so its SMP group's VCPUs stay together.
 * So %RUN + %RDY + %WAIT + %CSTP is 100 for every world.  A group's row
 * is the sum of its worlds' rows.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "vmkdev.h"

#define PROG		"vmktop"
#define MAX_WORLDS	1024
#define MAX_HEAPS	32
#define MIN_COLS	80
#define MIN_ROWS	15

enum col { C_USED, C_RUN, C_SYS, C_WAIT, C_RDY, C_IDLE, C_CSTP, C_MLMTD, NCOLS };

static const char *const col_head[NCOLS] = {
	"%USED", "%RUN", "%SYS", "%WAIT", "%RDY", "%IDLE", "%CSTP", "%MLMTD",
};
/* perfmon counter names, as esxtop's batch mode spells them. */
static const char *const col_counter[NCOLS] = {
	"% Used", "% Run", "% System", "% Wait", "% Ready", "% Idle", "% CoStop",
	"% Max Limited",
};
static const char *const type_names[] = { "console", "system", "idle", "helper", "vmm" };
static const char *const cpu_states[] = VMK_CPU_STATE_NAMES;

#define NAME_OF(tbl, i) ((i) < sizeof(tbl) / sizeof(tbl[0]) ? (tbl)[i] : "?")

/* One world in one sample: cumulative times, ns. */
struct wsnap {
	uint32_t id, type, cpu, shares, min, max;
	char name[33], pool[33], group[33];
	uint64_t used, ready, wait, cstp, mlmtd, vmk_tsc, now;
};

struct csnap {
	uint32_t state, linux_cpu;
	uint64_t idle_ns, now_ns;
	uint64_t lx_idle, lx_total;	/* Linux's /proc/stat, jiffies */
	bool lx_ok;
};

struct heapsnap {
	char name[33];
	uint64_t held, held_hwm, in_use, in_use_hwm, limit;
};

struct sample {
	int nw, nc, nheaps;
	struct wsnap w[MAX_WORLDS];
	struct csnap c[VMK_MAX_CPUS];
	struct heapsnap heap[MAX_HEAPS];
	uint64_t tsc_khz, region, mem_used, mem_free;
	bool mem_detail;	/* /proc/vmware/mem was there */
	time_t wall;
};

/* One row of the CPU screen: a world, or a group of worlds. */
struct row {
	char key[33];		/* the group's name */
	char name[33];
	uint32_t id, nwld;
	uint32_t shares, min, max;
	bool has_alloc;
	double pct[NCOLS];
};

static struct sample samples[2];
static struct row wrows[MAX_WORLDS], grows[MAX_WORLDS];
static int nwrows, ngrows;
static double cpu_util[VMK_MAX_CPUS];
static bool cpu_util_ok[VMK_MAX_CPUS];
static char hostname[64];

/* ---- sampling ---- */

static int vmnix_fd = -1;

/* Opens /dev/vmnix and checks the vmkernel is loaded; a message and
 * -1 if not. */
static int vmk_open(void)
{
	struct vmnix_status st;

	vmnix_fd = open(VMNIX_DEVICE, O_RDWR);
	if (vmnix_fd < 0) {
		fprintf(stderr, PROG ": the vmkernel is not loaded (%s: %s; vmkload loads it)\n",
			VMNIX_DEVICE, strerror(errno));
		return -1;
	}
	if (ioctl(vmnix_fd, VMNIX_IOC_STATUS, &st) < 0) {
		fprintf(stderr, PROG ": %s: status: %s\n", VMNIX_DEVICE, strerror(errno));
		return -1;
	}
	if (!st.loaded) {
		fprintf(stderr, PROG ": the vmkernel is not loaded (vmkload loads it)\n");
		return -1;
	}
	return 0;
}

static int64_t vmk_call(unsigned nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct vmnix_call c = { .nr = nr, .cpu = 0, .args = { a0, a1, a2, 0 } };

	if (ioctl(vmnix_fd, VMNIX_IOC_CALL, &c) < 0)
		return -errno;
	return c.ret;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Each Linux CPU's idle and total jiffies, into the CPUs that carry it. */
static void read_proc_stat(struct sample *s)
{
	FILE *f = fopen("/proc/stat", "r");
	char line[512];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned cpu;
		unsigned long long v[10] = { 0 };
		int n;

		if (strncmp(line, "cpu", 3) || line[3] < '0' || line[3] > '9')
			continue;
		n = sscanf(line, "cpu%u %llu %llu %llu %llu %llu %llu %llu %llu", &cpu,
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
		if (n < 5)
			continue;
		for (int i = 0; i < s->nc; i++) {
			if (s->c[i].linux_cpu != cpu)
				continue;
			s->c[i].lx_idle = v[3] + v[4];
			s->c[i].lx_total = 0;
			for (int k = 0; k < 8; k++)
				s->c[i].lx_total += v[k];
			s->c[i].lx_ok = true;
		}
	}
	fclose(f);
}

/* The heaps, from the shim's /proc/vmware/mem when it has one. */
static void read_proc_mem(struct sample *s)
{
	FILE *f = fopen("/proc/vmware/mem", "r");
	char line[512], key[64];
	unsigned long long v;

	s->nheaps = 0;
	s->mem_detail = false;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		struct heapsnap *h;

		if (sscanf(line, "free %llu", &v) == 1) {
			s->mem_free = v;
			s->mem_detail = true;
		} else if (sscanf(line, "used %llu", &v) == 1) {
			s->mem_used = v;
		} else if (sscanf(line, "total %llu", &v) == 1) {
			s->region = v;
		} else if (s->nheaps < MAX_HEAPS && sscanf(line, "heap %32s", key) == 1) {
			h = &s->heap[s->nheaps];
			memset(h, 0, sizeof(*h));
			snprintf(h->name, sizeof(h->name), "%.32s", key);
			if (sscanf(line, "heap %*s held %llu held_hwm %llu in_use %llu in_use_hwm %llu limit %llu",
				   (unsigned long long *)&h->held,
				   (unsigned long long *)&h->held_hwm,
				   (unsigned long long *)&h->in_use,
				   (unsigned long long *)&h->in_use_hwm,
				   (unsigned long long *)&h->limit) == 5)
				s->nheaps++;
		}
	}
	fclose(f);
}

/* Takes a sample; -errno if the vmkernel stopped answering. */
static int sample_take(struct sample *s)
{
	struct vmk_info info;
	static struct vmk_world_info wl[VMK_WORLD_LIST_MAX];
	int64_t r;
	uint64_t now;

	r = vmk_call(VMK_CALL_INFO, (uintptr_t)&info, sizeof(info), 0);
	if (r < 0)
		return (int)r;
	s->tsc_khz = info.tsc_khz;
	s->region = info.region_size;
	s->mem_used = info.mem_used;
	s->mem_free = info.region_size - info.mem_used;
	s->wall = time(NULL);
	s->nc = (int)(info.ncpus < VMK_MAX_CPUS ? info.ncpus : VMK_MAX_CPUS);
	for (int i = 0; i < s->nc; i++) {
		struct vmk_cpu_stats cs;

		r = vmk_call(VMK_CALL_CPU_STATS, (uint64_t)i, (uintptr_t)&cs, sizeof(cs));
		if (r < 0)
			return (int)r;
		s->c[i] = (struct csnap){
			.state = cs.state, .linux_cpu = cs.linux_cpu,
			.idle_ns = cs.idle_ns, .now_ns = cs.now_ns,
		};
	}
	read_proc_stat(s);
	read_proc_mem(s);

	/* The world table through WORLD_LIST's cursor: a world that goes
	 * away between two calls does not end the listing, as it would a
	 * walk by ID.  Console worlds keep their row's figures; the others
	 * add their limits, pool, group and %MLMTD from WORLD_STATS. */
	s->nw = 0;
	for (uint64_t cursor = 0; s->nw < MAX_WORLDS;) {
		now = mono_ns();
		r = vmk_call(VMK_CALL_WORLD_LIST, (uintptr_t)wl, VMK_WORLD_LIST_MAX, cursor);
		if (r < 0)
			return (int)r;
		if (r == 0)
			break;
		for (int64_t i = 0; i < r && s->nw < MAX_WORLDS; i++) {
			struct vmk_world_stats st;
			struct wsnap *w;

			cursor = wl[i].next;
			if (wl[i].state == VMK_WORLD_DEAD)
				continue;
			w = &s->w[s->nw++];
			memset(w, 0, sizeof(*w));
			w->id = wl[i].id;
			w->type = wl[i].type;
			w->cpu = wl[i].cpu;
			w->shares = wl[i].shares;
			snprintf(w->name, sizeof(w->name), "%.32s", wl[i].name);
			snprintf(w->group, sizeof(w->group), "%.32s", wl[i].group);
			w->used = wl[i].used_ns;
			w->ready = wl[i].ready_ns;
			w->wait = wl[i].wait_ns;
			w->cstp = wl[i].cstp_ns;
			w->vmk_tsc = wl[i].vmk_tsc;
			w->now = now;
			if (wl[i].type == VMK_WORLD_CONSOLE ||
			    vmk_call(VMK_CALL_WORLD_STATS, wl[i].id, (uintptr_t)&st, sizeof(st)) < 0)
				continue;
			w->min = st.min_pct;
			w->max = st.max_pct;
			snprintf(w->pool, sizeof(w->pool), "%.32s", st.pool);
			w->used = st.used_ns;
			w->ready = st.ready_ns;
			w->wait = st.wait_ns;
			w->cstp = st.cstp_ns;
			w->mlmtd = st.mlmtd_ns;
			w->now = st.now_ns;
		}
	}
	return 0;
}

/* ---- from two samples to rows ---- */

static const struct wsnap *find_world(const struct sample *s, uint32_t id)
{
	for (int i = 0; i < s->nw; i++)
		if (s->w[i].id == id)
			return &s->w[i];
	return NULL;
}

static double pct(uint64_t a, uint64_t b, uint64_t dt)
{
	return dt && b >= a ? 100.0 * (double)(b - a) / (double)dt : 0.0;
}

static double clamp100(double v)
{
	return v < 0 ? 0 : v > 100 ? 100 : v;
}

/* The group a world is shown under: its SMP group, its pool, or its type. */
static void group_key(const struct wsnap *w, char *key, size_t n)
{
	if (w->group[0])
		snprintf(key, n, "%s", w->group);
	else if (w->pool[0] && strcmp(w->pool, "host"))
		snprintf(key, n, "%s", w->pool);
	else
		snprintf(key, n, "%s", NAME_OF(type_names, w->type));
}

/* Linux's idle share of CPU index i, between two samples. */
static bool lx_idle(const struct sample *p, const struct sample *c, int i, double *idle)
{
	const struct csnap *a = &p->c[i], *b = &c->c[i];

	if (!a->lx_ok || !b->lx_ok || b->lx_total <= a->lx_total)
		return false;
	*idle = clamp100(100.0 * (double)(b->lx_idle - a->lx_idle) /
			 (double)(b->lx_total - a->lx_total));
	return true;
}

static void world_row(const struct sample *p, const struct sample *c,
		      const struct wsnap *a, const struct wsnap *b, struct row *r)
{
	uint64_t dt = b->now > a->now ? b->now - a->now : 0;
	uint32_t cpu = b->cpu;
	double idle;

	memset(r, 0, sizeof(*r));
	r->id = b->id;
	r->nwld = 1;
	snprintf(r->name, sizeof(r->name), "%s", b->name);
	group_key(b, r->key, sizeof(r->key));
	if (b->type == VMK_WORLD_IDLE) {
		/* Its CPU's idle time, while the CPU is the vmkernel's. */
		if ((int)cpu < c->nc && p->c[cpu].state == VMK_CPU_VMKERNEL &&
		    c->c[cpu].state == VMK_CPU_VMKERNEL) {
			idle = clamp100(pct(p->c[cpu].idle_ns, c->c[cpu].idle_ns,
					    c->c[cpu].now_ns - p->c[cpu].now_ns));
			r->pct[C_IDLE] = r->pct[C_WAIT] = idle;
		}
		return;
	}
	r->has_alloc = b->type != VMK_WORLD_CONSOLE;
	r->shares = b->shares;
	r->min = b->min;
	r->max = b->max;
	r->pct[C_RUN] = clamp100(pct(a->used, b->used, dt));
	r->pct[C_RDY] = clamp100(pct(a->ready, b->ready, dt));
	r->pct[C_WAIT] = clamp100(pct(a->wait, b->wait, dt));
	r->pct[C_CSTP] = clamp100(pct(a->cstp, b->cstp, dt));
	r->pct[C_MLMTD] = clamp100(pct(a->mlmtd, b->mlmtd, dt));
	if (b->type == VMK_WORLD_CONSOLE) {
		if ((int)cpu < c->nc && lx_idle(p, c, (int)cpu, &idle)) {
			idle = idle < r->pct[C_RUN] ? idle : r->pct[C_RUN];
			r->pct[C_IDLE] = idle;
			r->pct[C_WAIT] += idle;
			r->pct[C_RUN] -= idle;
		}
		if (c->tsc_khz && dt)
			r->pct[C_SYS] = clamp100(100.0 * (double)(b->vmk_tsc - a->vmk_tsc) /
						 ((double)c->tsc_khz * (double)dt / 1e6));
	}
	r->pct[C_USED] = r->pct[C_RUN];
}

static void build_rows(const struct sample *p, const struct sample *c)
{
	nwrows = ngrows = 0;
	for (int i = 0; i < c->nw; i++) {
		const struct wsnap *a = find_world(p, c->w[i].id);
		struct row *g = NULL;

		if (!a)
			continue;	/* new: it shows from the next sample */
		world_row(p, c, a, &c->w[i], &wrows[nwrows]);
		for (int k = 0; k < ngrows && !g; k++)
			if (!strcmp(grows[k].key, wrows[nwrows].key))
				g = &grows[k];
		if (!g) {
			g = &grows[ngrows++];
			memset(g, 0, sizeof(*g));
			snprintf(g->key, sizeof(g->key), "%s", wrows[nwrows].key);
			snprintf(g->name, sizeof(g->name), "%s", wrows[nwrows].key);
			g->id = wrows[nwrows].id;
		}
		g->nwld++;
		g->id = g->id < wrows[nwrows].id ? g->id : wrows[nwrows].id;
		for (int k = 0; k < NCOLS; k++)
			g->pct[k] += wrows[nwrows].pct[k];
		nwrows++;
	}
	for (int i = 0; i < c->nc; i++) {
		double idle;

		cpu_util_ok[i] = false;
		if (p->c[i].state != c->c[i].state)
			continue;
		if (c->c[i].state == VMK_CPU_VMKERNEL && c->c[i].now_ns > p->c[i].now_ns) {
			idle = clamp100(pct(p->c[i].idle_ns, c->c[i].idle_ns,
					    c->c[i].now_ns - p->c[i].now_ns));
			cpu_util[i] = 100.0 - idle;
			cpu_util_ok[i] = true;
		} else if (c->c[i].state == VMK_CPU_CONSOLE && lx_idle(p, c, i, &idle)) {
			cpu_util[i] = 100.0 - idle;
			cpu_util_ok[i] = true;
		}
	}
}

/* ---- batch mode: perfmon CSV ---- */

/* The counters of the header, fixed by the first interval, as esxtop's:
 * a world that comes later is not in the file, one that goes leaves its
 * columns empty. */
struct csv_col {
	int kind;		/* 0 pcpu util, 1 group, 2 world, 3 memory, 4 heap */
	int col;		/* enum col, or which memory counter */
	uint32_t idx;		/* CPU index, world ID */
	char key[33];
};

static struct csv_col *csv_cols;
static int ncsv;

static void csv_quoted(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	putchar('"');
	for (char *q = buf; *q; q++) {
		if (*q == '"')
			putchar('"');
		putchar(*q);
	}
	putchar('"');
}

static void csv_add(int kind, int col, uint32_t idx, const char *key)
{
	struct csv_col *c;

	csv_cols = realloc(csv_cols, (size_t)(ncsv + 1) * sizeof(*csv_cols));
	if (!csv_cols) {
		fprintf(stderr, PROG ": out of memory\n");
		exit(1);
	}
	c = &csv_cols[ncsv++];
	c->kind = kind;
	c->col = col;
	c->idx = idx;
	snprintf(c->key, sizeof(c->key), "%s", key ? key : "");
}

static const char *const mem_counter[] = {
	"Region MBytes", "Used MBytes", "Free MBytes",
};

static void csv_header(const struct sample *c)
{
	printf("\"(PDH-CSV 4.0) (UTC)(0)\"");
	for (int i = 0; i < c->nc; i++) {
		csv_add(0, 0, (uint32_t)i, NULL);
		printf(",");
		csv_quoted("\\\\%s\\Physical Cpu(%d)\\%% Util Time", hostname, i);
	}
	for (int g = 0; g < ngrows; g++)
		for (int k = 0; k < NCOLS; k++) {
			csv_add(1, k, 0, grows[g].key);
			printf(",");
			csv_quoted("\\\\%s\\Group Cpu(%u:%s)\\%s", hostname, grows[g].id,
				   grows[g].key, col_counter[k]);
		}
	for (int w = 0; w < nwrows; w++)
		for (int k = 0; k < NCOLS; k++) {
			csv_add(2, k, wrows[w].id, NULL);
			printf(",");
			csv_quoted("\\\\%s\\Vcpu(%s:%u:%s)\\%s", hostname, wrows[w].key,
				   wrows[w].id, wrows[w].name, col_counter[k]);
		}
	for (int k = 0; k < 3; k++) {
		csv_add(3, k, 0, NULL);
		printf(",");
		csv_quoted("\\\\%s\\Memory\\%s", hostname, mem_counter[k]);
	}
	for (int h = 0; h < c->nheaps; h++) {
		csv_add(4, 0, 0, c->heap[h].name);
		printf(",");
		csv_quoted("\\\\%s\\Heap(%s)\\In Use KBytes", hostname, c->heap[h].name);
	}
	printf("\n");
}

static const struct row *row_by_id(uint32_t id)
{
	for (int i = 0; i < nwrows; i++)
		if (wrows[i].id == id)
			return &wrows[i];
	return NULL;
}

static const struct row *group_by_key(const char *key)
{
	for (int i = 0; i < ngrows; i++)
		if (!strcmp(grows[i].key, key))
			return &grows[i];
	return NULL;
}

static void csv_row(const struct sample *c)
{
	struct tm tm;
	char ts[32];

	gmtime_r(&c->wall, &tm);
	strftime(ts, sizeof(ts), "%m/%d/%Y %H:%M:%S", &tm);
	csv_quoted("%s", ts);
	for (int i = 0; i < ncsv; i++) {
		const struct csv_col *k = &csv_cols[i];
		const struct row *r;

		printf(",");
		switch (k->kind) {
		case 0:
			if ((int)k->idx < c->nc && cpu_util_ok[k->idx])
				csv_quoted("%.2f", cpu_util[k->idx]);
			else
				csv_quoted("%s", "");
			break;
		case 1:
		case 2:
			r = k->kind == 1 ? group_by_key(k->key) : row_by_id(k->idx);
			if (r)
				csv_quoted("%.2f", r->pct[k->col]);
			else
				csv_quoted("%s", "");
			break;
		case 3: {
			uint64_t v = k->col == 0 ? c->region : k->col == 1 ? c->mem_used : c->mem_free;

			csv_quoted("%.2f", (double)v / (1 << 20));
			break;
		}
		default: {
			int h;

			for (h = 0; h < c->nheaps && strcmp(c->heap[h].name, k->key); h++)
				;
			if (h < c->nheaps)
				csv_quoted("%.1f", (double)c->heap[h].in_use / 1024);
			else
				csv_quoted("%s", "");
		}
		}
	}
	printf("\n");
	fflush(stdout);
}

/* ---- the interactive screen ---- */

static struct termios saved_tio;
static bool tio_saved, screen_on;
static volatile sig_atomic_t got_signal, got_winch;
static int rows = 24, cols = 80;
static int sort_col = C_USED;	/* NCOLS: by ID */
static bool show_mem, show_help, expand_all;
static char expanded[16][33];
static int nexpanded;
static double delay = 5.0;
static char status[128];

static void out(const char *s)
{
	size_t n = strlen(s);

	while (n) {
		ssize_t w = write(STDOUT_FILENO, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void screen_restore(void)
{
	if (screen_on) {
		/* Cursor on, attributes off, back from the alternate screen. */
		out("\033[0m\033[?25h\033[?1049l");
		screen_on = false;
	}
	if (tio_saved) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
		tio_saved = false;
	}
}

static void on_signal(int sig)
{
	if (sig == SIGWINCH)
		got_winch = 1;
	else
		got_signal = sig;
}

/* The terminal's size: the kernel's idea of it, else LINES and COLUMNS,
 * else 24x80 (a serial line usually has no size set). */
static void term_size(void)
{
	struct winsize ws;
	const char *e;

	rows = 24;
	cols = 80;
	if ((e = getenv("LINES")) && atoi(e) > 0)
		rows = atoi(e);
	if ((e = getenv("COLUMNS")) && atoi(e) > 0)
		cols = atoi(e);
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) {
		rows = ws.ws_row;
		cols = ws.ws_col;
	}
}

static int screen_start(void)
{
	struct termios t;
	struct sigaction sa;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, PROG ": not a terminal; use -b for batch mode (vmktop --help)\n");
		return -1;
	}
	term_size();
	if (rows < MIN_ROWS || cols < MIN_COLS) {
		fprintf(stderr, PROG ": the terminal is too small (%dx%d); vmktop needs at least "
			"%dx%d (columns x rows), or use -b\n", cols, rows, MIN_COLS, MIN_ROWS);
		return -1;
	}
	if (tcgetattr(STDIN_FILENO, &saved_tio) < 0) {
		fprintf(stderr, PROG ": terminal: %s\n", strerror(errno));
		return -1;
	}
	tio_saved = true;
	atexit(screen_restore);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);
	t = saved_tio;
	/* Keys one at a time, no echo; Ctrl-C still raises SIGINT, which
	 * ends the loop so the terminal is restored. */
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) < 0) {
		fprintf(stderr, PROG ": terminal: %s\n", strerror(errno));
		return -1;
	}
	out("\033[?1049h\033[?25l\033[H\033[2J");
	screen_on = true;
	return 0;
}

static int line_no;
static char *frame;
static size_t frame_len, frame_cap;

static void frame_put(const char *s, size_t n)
{
	if (frame_len + n + 1 > frame_cap) {
		frame_cap = (frame_len + n + 1) * 2;
		frame = realloc(frame, frame_cap);
		if (!frame)
			exit(1);
	}
	memcpy(frame + frame_len, s, n);
	frame_len += n;
	frame[frame_len] = '\0';
}

/* One screen line, cut to the width; "\033[7m" lines are the header. */
static void line(bool inverse, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	if (line_no >= rows - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > cols)
		buf[cols] = '\0';
	if (inverse)
		frame_put("\033[7m", 4);
	frame_put(buf, strlen(buf));
	if (inverse)
		frame_put("\033[0m", 4);
	frame_put("\033[K\r\n", 5);
	line_no++;
}

static int row_cmp(const void *x, const void *y)
{
	const struct row *a = x, *b = y;

	if (sort_col < NCOLS && a->pct[sort_col] != b->pct[sort_col])
		return a->pct[sort_col] < b->pct[sort_col] ? 1 : -1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static bool is_expanded(const char *key)
{
	if (expand_all)
		return true;
	for (int i = 0; i < nexpanded; i++)
		if (!strcmp(expanded[i], key))
			return true;
	return false;
}

static void toggle_expanded(const char *key)
{
	for (int i = 0; i < nexpanded; i++)
		if (!strcmp(expanded[i], key)) {
			expanded[i][0] = '\0';
			memmove(&expanded[i], &expanded[i + 1],
				(size_t)(nexpanded - i - 1) * sizeof(expanded[0]));
			nexpanded--;
			return;
		}
	if (nexpanded < 16)
		snprintf(expanded[nexpanded++], sizeof(expanded[0]), "%.32s", key);
}

static void format_row(char *buf, size_t n, const struct row *r, bool group)
{
	char alloc[32] = "";
	int off;

	if (r->has_alloc && cols >= 94) {
		char max[8];

		snprintf(max, sizeof(max), "%u", r->max);
		snprintf(alloc, sizeof(alloc), " %6u %4u %4s", r->shares, r->min,
			 r->max ? max : "-");
	}
	off = snprintf(buf, n, "%6u %s%-*.*s %3u", r->id, group ? "" : " ",
		       group ? 12 : 11, group ? 12 : 11, r->name, r->nwld);
	for (int k = 0; k < NCOLS && off < (int)n; k++)
		off += snprintf(buf + off, n - (size_t)off, " %6.1f", r->pct[k]);
	if (off < (int)n)
		snprintf(buf + off, n - (size_t)off, "%s", alloc);
}

static void draw_header(const struct sample *c)
{
	struct tm tm;
	char ts[16], buf[512];
	int off, nvmk = 0;
	double sum = 0;
	int nsum = 0;

	localtime_r(&c->wall, &tm);
	strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	for (int i = 0; i < c->nc; i++)
		nvmk += c->c[i].state == VMK_CPU_VMKERNEL;
	line(false, "%s vmktop on %s: %d CPUs (%d vmkernel), %d worlds, delay %.1fs   h: help",
	     ts, hostname, c->nc, nvmk, c->nw, delay);
	for (int i = 0; i < c->nc; i += 6) {
		off = snprintf(buf, sizeof(buf), "%s", i ? "              " : "PCPU UTIL(%): ");
		for (int k = i; k < c->nc && k < i + 6; k++) {
			const char *who = NAME_OF(cpu_states, c->c[k].state);

			if (cpu_util_ok[k]) {
				off += snprintf(buf + off, sizeof(buf) - (size_t)off, " %d:%5.1f %-3.3s",
						k, cpu_util[k], who);
				sum += cpu_util[k];
				nsum++;
			} else {
				off += snprintf(buf + off, sizeof(buf) - (size_t)off, " %d:   -- %-3.3s",
						k, who);
			}
		}
		if (i + 6 >= c->nc && nsum)
			snprintf(buf + off, sizeof(buf) - (size_t)off, "  AVG %5.1f", sum / nsum);
		line(false, "%s", buf);
	}
}

static void draw_cpu(const struct sample *c)
{
	char buf[512], head[512];
	int off;

	draw_header(c);
	line(false, "%s", status);
	off = snprintf(head, sizeof(head), "%6s %-12s %3s", "ID", "GROUP/WORLD", "NW");
	for (int k = 0; k < NCOLS; k++)
		off += snprintf(head + off, sizeof(head) - (size_t)off, " %6s", col_head[k]);
	if (cols >= 94)
		snprintf(head + off, sizeof(head) - (size_t)off, " %6s %4s %4s", "SHARES", "MIN", "MAX");
	line(true, "%s", head);
	qsort(grows, (size_t)ngrows, sizeof(grows[0]), row_cmp);
	qsort(wrows, (size_t)nwrows, sizeof(wrows[0]), row_cmp);
	for (int g = 0; g < ngrows; g++) {
		format_row(buf, sizeof(buf), &grows[g], true);
		line(false, "%s", buf);
		if (!is_expanded(grows[g].key))
			continue;
		for (int w = 0; w < nwrows; w++) {
			if (strcmp(wrows[w].key, grows[g].key))
				continue;
			format_row(buf, sizeof(buf), &wrows[w], false);
			line(false, "%s", buf);
		}
	}
}

static void draw_mem(const struct sample *c)
{
	draw_header(c);
	line(false, "%s", status);
	line(false, "VMKMEM/MB: region %8.1f  used %8.1f  free %8.1f",
	     (double)c->region / (1 << 20), (double)c->mem_used / (1 << 20),
	     (double)c->mem_free / (1 << 20));
	line(false, "");
	line(true, "%-24s %10s %10s %10s %10s %10s", "HEAP", "HELD KB", "HELD HWM",
	     "IN USE KB", "USE HWM", "LIMIT KB");
	if (!c->mem_detail)
		line(false, "(the vmkernel does not report its heaps: no /proc/vmware/mem)");
	for (int h = 0; h < c->nheaps; h++) {
		const struct heapsnap *p = &c->heap[h];
		char lim[24];

		snprintf(lim, sizeof(lim), "%llu", (unsigned long long)p->limit / 1024);
		line(false, "%-24s %10llu %10llu %10llu %10llu %10s", p->name,
		     (unsigned long long)p->held / 1024, (unsigned long long)p->held_hwm / 1024,
		     (unsigned long long)p->in_use / 1024,
		     (unsigned long long)p->in_use_hwm / 1024, p->limit ? lim : "-");
	}
	line(false, "");
	line(true, "%-24s %10s %10s", "VM", "MEMSZ MB", "TOUCHED MB");
	line(false, "(no virtual machines: the vmkernel runs no VMs yet)");
}

static void draw_help(void)
{
	static const char *const text[] = {
		"vmktop: the vmkernel's esxtop.  Keys:",
		"",
		"  c      CPU screen: a row per group, its worlds when expanded",
		"  m      memory screen: the vmkernel's region and heaps, per-VM memory",
		"  e      expand or collapse a group (asks for its name)",
		"  E      expand or collapse every group",
		"  U R N  sort by %USED, by %RDY, by ID",
		"  C M    sort by %CSTP, by %MLMTD",
		"  d s    change the delay between updates (asks for seconds)",
		"  space  update now",
		"  h ?    this help (any key leaves it)",
		"  q      quit (so does Ctrl-C; the terminal is restored)",
		"",
		"%RUN running  %SYS vmkernel handling its exits  %USED CPU used",
		"%RDY ready, not running  %MLMTD of %RDY, held by its limit",
		"%WAIT blocked  %IDLE of %WAIT, idle  %CSTP co-stopped",
		"Percentages are of one CPU; a group's row sums its worlds.",
	};

	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		line(false, "%s", text[i]);
}

static void draw(const struct sample *c)
{
	line_no = 0;
	frame_len = 0;
	frame_put("\033[H", 3);
	if (rows < MIN_ROWS || cols < MIN_COLS) {
		line(false, "the terminal is too small (%dx%d): vmktop needs %dx%d", cols, rows,
		     MIN_COLS, MIN_ROWS);
	} else if (show_help) {
		draw_help();
	} else if (show_mem) {
		draw_mem(c);
	} else {
		draw_cpu(c);
	}
	frame_put("\033[J", 3);
	out(frame);
}

/* Reads a line at the status line, echoing it; false on Escape or a signal. */
static bool prompt(const char *what, char *buf, size_t n)
{
	size_t len = 0;
	char ch, p[160];

	buf[0] = '\0';
	for (;;) {
		snprintf(p, sizeof(p), "\033[%d;1H\033[K%s%s", rows, what, buf);
		out(p);
		if (read(STDIN_FILENO, &ch, 1) != 1 || got_signal)
			return false;
		if (ch == '\r' || ch == '\n')
			return true;
		if (ch == 27)
			return false;
		if ((ch == 127 || ch == 8) && len)
			buf[--len] = '\0';
		else if (ch >= ' ' && ch <= '~' && len + 1 < n) {
			buf[len++] = ch;
			buf[len] = '\0';
		}
	}
}

/* Handles one key; returns false to quit. */
static bool key(char ch)
{
	char buf[40];
	char *end;
	double d;

	status[0] = '\0';
	if (show_help) {
		show_help = false;
		return ch != 'q';
	}
	switch (ch) {
	case 'q':
		return false;
	case 'h':
	case '?':
		show_help = true;
		break;
	case 'c':
		show_mem = false;
		break;
	case 'm':
		show_mem = true;
		break;
	case 'U':
		sort_col = C_USED;
		break;
	case 'R':
		sort_col = C_RDY;
		break;
	case 'C':
		sort_col = C_CSTP;
		break;
	case 'M':
		sort_col = C_MLMTD;
		break;
	case 'N':
		sort_col = NCOLS;
		break;
	case 'E':
		expand_all = !expand_all;
		nexpanded = 0;
		break;
	case 'e':
		if (!prompt("expand or collapse group: ", buf, sizeof(buf)) || !buf[0])
			break;
		if (!group_by_key(buf))
			snprintf(status, sizeof(status), "no group '%.32s'", buf);
		else
			toggle_expanded(buf);
		break;
	case 'd':
	case 's':
		if (!prompt("delay in seconds: ", buf, sizeof(buf)) || !buf[0])
			break;
		d = strtod(buf, &end);
		if (end == buf || *end || !(d >= 0.5 && d <= 3600))
			snprintf(status, sizeof(status), "the delay is 0.5 to 3600 seconds, not '%.20s'", buf);
		else
			delay = d;
		break;
	case ' ':
		break;
	default:
		snprintf(status, sizeof(status), "unknown key '%c': h for help",
			 ch >= ' ' && ch <= '~' ? ch : '?');
	}
	return true;
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vmktop [-d SECONDS] [-n COUNT]          full screen, interactive\n"
		"       vmktop -b [-d SECONDS] [-n COUNT]       batch: perfmon CSV on stdout\n"
		"\n"
		"The vmkernel's esxtop: each world's and group's %%USED %%RUN %%SYS %%WAIT\n"
		"%%RDY %%IDLE %%CSTP %%MLMTD, shares, min and max; each CPU's utilisation; the\n"
		"vmkernel's memory and heaps.\n"
		"\n"
		"  -b          batch mode: a header row of quoted counter paths after a\n"
		"              \"(PDH-CSV 4.0)\" timestamp column, then a row per sample\n"
		"  -d SECONDS  time between samples, 0.5 to 3600 (default 5)\n"
		"  -n COUNT    stop after COUNT samples (default: batch and interactive\n"
		"              run until interrupted)\n"
		"  -h, --help  this text\n"
		"\n"
		"Keys in interactive mode: h shows them.  The terminal must be at least\n"
		"%dx%d; over a serial line without a size, set LINES and COLUMNS.\n",
		MIN_COLS, MIN_ROWS);
}

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, PROG ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (vmktop --help)\n");
	return 2;
}

/* Waits until end (CLOCK_MONOTONIC ns), or a key (interactive); returns
 * the key, 0 at the end or on a resize, -1 on a signal or end of input. */
static int wait_key(bool interactive, uint64_t end)
{
	for (;;) {
		uint64_t now = mono_ns();
		struct timeval tv;
		fd_set fds;
		char ch;
		int r;

		if (got_signal)
			return -1;
		if (got_winch || now >= end)
			return 0;
		tv.tv_sec = (time_t)((end - now) / 1000000000ULL);
		tv.tv_usec = (suseconds_t)((end - now) % 1000000000ULL / 1000);
		FD_ZERO(&fds);
		if (interactive)
			FD_SET(STDIN_FILENO, &fds);
		r = select(interactive ? STDIN_FILENO + 1 : 0, &fds, NULL, NULL, &tv);
		if (r < 0 && errno == EINTR)
			continue;
		if (r > 0) {
			if (read(STDIN_FILENO, &ch, 1) != 1)
				return -1;
			return (unsigned char)ch;
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	bool batch = false;
	long count = -1;
	int c, cur = 0, err, done = 0;
	uint64_t next;
	char *end;

	while ((c = getopt_long(argc, argv, "bd:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			batch = true;
			break;
		case 'd':
			delay = strtod(optarg, &end);
			if (end == optarg || *end || !(delay >= 0.5 && delay <= 3600))
				return bad_usage("-d %s: the delay is 0.5 to 3600 seconds", optarg);
			break;
		case 'n':
			errno = 0;
			count = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || count < 1)
				return bad_usage("-n %s: the count is a whole number from 1", optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, PROG ": see vmktop --help\n");
			return 2;
		}
	}
	if (optind != argc)
		return bad_usage("unexpected '%s'", argv[optind]);
	if (gethostname(hostname, sizeof(hostname) - 1) < 0 || !hostname[0])
		strcpy(hostname, "localhost");
	if (vmk_open() < 0)
		return 1;
	if (batch) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	} else if (screen_start() < 0) {
		return 1;
	}
	err = sample_take(&samples[cur]);
	if (!batch && !err) {
		/* Something to look at before the first interval ends. */
		snprintf(status, sizeof(status), "sampling...");
		build_rows(&samples[cur], &samples[cur]);
		draw(&samples[cur]);
	}
	/* The first interval is at most a second, so the screen fills soon. */
	next = mono_ns() + (uint64_t)((batch || delay < 1 ? delay : 1) * 1e9);
	while (!err) {
		int k = wait_key(!batch, next);

		if (k < 0)
			break;
		if (got_winch) {
			got_winch = 0;
			term_size();
		}
		if (k > 0 && !key((char)k))
			break;
		if (mono_ns() < next) {
			/* A key or a resize: redraw what there is. */
			draw(&samples[cur]);
			continue;
		}
		err = sample_take(&samples[!cur]);
		if (err)
			break;
		next = mono_ns() + (uint64_t)(delay * 1e9);
		build_rows(&samples[cur], &samples[!cur]);
		cur = !cur;
		if (batch) {
			if (!done)
				csv_header(&samples[cur]);
			csv_row(&samples[cur]);
		} else {
			if (!done && !strcmp(status, "sampling..."))
				status[0] = '\0';
			draw(&samples[cur]);
		}
		if (++done == count)
			break;
	}
	screen_restore();
	if (err) {
		fprintf(stderr, PROG ": the vmkernel stopped answering (%s); is it still loaded?\n",
			strerror(-err));
		return 1;
	}
	return 0;
}
