// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of the console's vmkernel tools (vmkcpu, vmkworld): see
 * vmkdev.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmkdev.h"

int vmkdev_fd(const char *prog)
{
	static int fd = -1;

	if (fd < 0) {
		fd = open(VMNIX_DEVICE, O_RDWR);
		if (fd < 0) {
			fprintf(stderr, "%s: %s: %s (is the vmkernel loaded?)\n", prog,
				VMNIX_DEVICE, strerror(errno));
			exit(2);
		}
	}
	return fd;
}

int64_t vmkdev_call(const char *prog, unsigned nr, uint64_t a0, uint64_t a1,
		    uint64_t a2)
{
	return vmkdev_call4(prog, nr, a0, a1, a2, 0);
}

int64_t vmkdev_call4(const char *prog, unsigned nr, uint64_t a0, uint64_t a1,
		     uint64_t a2, uint64_t a3)
{
	struct vmnix_call c = { .nr = nr, .cpu = 0, .args = { a0, a1, a2, a3 } };

	if (ioctl(vmkdev_fd(prog), VMNIX_IOC_CALL, &c) < 0)
		return -errno;
	return c.ret;
}

int vmkdev_cpulist(const char *s, uint64_t *mask)
{
	char *end;

	*mask = 0;
	if (!*s)
		return -1;
	while (*s) {
		long a = strtol(s, &end, 10), b;

		if (end == s || a < 0 || a > 63)
			return -1;
		b = a;
		if (*end == '-') {
			s = end + 1;
			b = strtol(s, &end, 10);
			if (end == s || b < a || b > 63)
				return -1;
		}
		for (long i = a; i <= b; i++)
			*mask |= 1ULL << i;
		if (*end == ',')
			end++;
		else if (*end)
			return -1;
		s = end;
	}
	return 0;
}

void vmkdev_explain(const char *prog)
{
	struct vmk_info info;
	static char buf[4096];
	char *line = NULL, *p;
	int64_t n;

	if (vmkdev_call(prog, VMK_CALL_INFO, (uintptr_t)&info, sizeof(info), 0) < 0)
		return;
	uint64_t from = info.log_head > sizeof(buf) - 1 ? info.log_head - (sizeof(buf) - 1) : 0;
	n = vmkdev_call(prog, VMK_CALL_LOG_READ, (uintptr_t)buf, sizeof(buf) - 1, from);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (p = buf; (p = strstr(p, ") WARNING: ")); p++)
		line = p + 2;
	if (!line)
		return;
	p = strchr(line, '\n');
	if (p)
		*p = '\0';
	fprintf(stderr, "%s: vmkernel: %s\n", prog, line);
}
