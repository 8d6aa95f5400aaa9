# SPDX-License-Identifier: GPL-2.0
#
# The architecture-neutral core of the vmkernel, for vmkernel/vmkernel.mk.
# The same files build on the host against arch/fake/ (tests/unit/core.mk,
# tests/sim/sim.mk).

VMK_CORE_SRCS := \
	vmkernel/core/lock.c \
	vmkernel/core/sem.c \
	vmkernel/core/page.c \
	vmkernel/core/heap.c \
	vmkernel/core/rqheap.c \
	vmkernel/core/pool.c \
	vmkernel/core/world.c \
	vmkernel/core/sched.c \
	vmkernel/core/cosched.c
