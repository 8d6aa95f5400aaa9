# SPDX-License-Identifier: GPL-2.0
#
# The architecture-neutral core of the vmkernel: its sources, listed here
# and only here.  The top-level Makefile includes this before the image
# (vmkernel/vmkernel.mk), the host unit tests (tests/unit/core.mk) and
# the scheduler simulator (tests/sim/sim.mk), which all build these files.

VMK_CORE_SRCS := \
	vmkernel/core/lock.c \
	vmkernel/core/sem.c \
	vmkernel/core/page.c \
	vmkernel/core/heap.c \
	vmkernel/core/rqheap.c \
	vmkernel/core/pool.c \
	vmkernel/core/account.c \
	vmkernel/core/world.c \
	vmkernel/core/sched.c \
	vmkernel/core/cosched.c
