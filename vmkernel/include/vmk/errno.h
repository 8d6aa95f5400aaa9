/* SPDX-License-Identifier: GPL-2.0 */
/* Error numbers: the Linux values, so that a vmkcall's -errno reads the
 * same in the console. */
#ifndef VMK_ERRNO_H
#define VMK_ERRNO_H

#define EPERM	1
#define ENOENT	2
#define EIO	5
#define E2BIG	7
#define EAGAIN	11
#define ENOMEM	12
#define EFAULT	14
#define EBUSY	16
#define EEXIST	17
#define ENODEV	19
#define EINVAL	22
#define ENOSPC	28
#define ERANGE	34
#define EDEADLK	35
#define ENOSYS	38
#define ENOEXEC	8
#define EPROTO	71
#define ENOTSUP	95
#define ETIMEDOUT 110

#endif
