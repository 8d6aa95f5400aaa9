#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Boots the service console in QEMU (software emulation: TCG).  The
# machine itself (kernel, initrd, command line, CPUs, memory, CPU model)
# is described in scripts/machine.sh, which the libvirt domain
# (scripts/domain.sh) shares.
#
# usage: scripts/qemu.sh [QEMU-ARGS...]
# environment:
#   KVER KERNEL INITRD SMP MEM CPU VMK_MEM VMK_BASE APPEND
#            the machine: see scripts/machine.sh
#   SERIAL   QEMU -serial target (default mon:stdio, interactive)
#   NO_REBOOT 1 (default): a reset ends QEMU; 0: the machine reboots
#   DATASTORE  disk image attached as the first virtio disk, the console's
#            datastore (S30datastore); made (a sparse 256 MiB file) if
#            missing.  Empty: no disk.  make run passes build/datastore1.img.
#   DEBUG    1: log exceptions, resets and guest errors to build/qemu-debug.log
#   GDB      1: wait for gdb on :1234 before the first instruction

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/machine.sh"
machine_settings qemu.sh || exit 1
SERIAL=${SERIAL:-mon:stdio}

set -- -M q35 -cpu "$MACHINE_CPU" -smp "$MACHINE_SMP" -m "$MACHINE_MEM" \
	-kernel "$MACHINE_KERNEL" -initrd "$MACHINE_INITRD" \
	-append "$MACHINE_CMDLINE" \
	-display none -serial "$SERIAL" -net none "$@"
[ "${NO_REBOOT:-1}" = 1 ] && set -- "$@" -no-reboot
if [ -n "${DATASTORE:-}" ]; then
	if [ ! -e "$DATASTORE" ]; then
		mkdir -p "$(dirname "$DATASTORE")"
		truncate -s 256M "$DATASTORE"
		echo "qemu.sh: made the datastore disk $DATASTORE (256 MiB, sparse)" >&2
	fi
	set -- "$@" -drive "file=$DATASTORE,if=virtio,format=raw,cache=writeback"
fi
if [ "${DEBUG:-0}" = 1 ]; then
	set -- "$@" -d int,cpu_reset,guest_errors -D "$top/build/qemu-debug.log"
	echo "qemu.sh: exceptions and resets go to build/qemu-debug.log" >&2
fi
if [ "${GDB:-0}" = 1 ]; then
	set -- "$@" -s -S
	echo "qemu.sh: waiting for gdb on localhost:1234 (make gdb)" >&2
fi
exec qemu-system-x86_64 "$@"
