#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Boots the service console in QEMU (software emulation: TCG).
#
# usage: scripts/qemu.sh [QEMU-ARGS...]
# environment:
#   KVER     kernel version (default: scripts/kver.sh)
#   INITRD   initrd image (default: build/initrd.img)
#   SMP MEM CPU  CPUs, memory, CPU model (default 2, 1G, max)
#   VMK_MEM  size of the vmkernel's reserved region (default 64M; 0: none)
#   VMK_BASE its physical base (default 0x10000000, 256 MiB)
#   APPEND   extra kernel command-line switches
#   SERIAL   QEMU -serial target (default mon:stdio, interactive)
#   NO_REBOOT 1 (default): a reset ends QEMU; 0: the machine reboots
#   DEBUG    1: log exceptions, resets and guest errors to build/qemu-debug.log
#   GDB      1: wait for gdb on :1234 before the first instruction
#
# The vmkernel's memory is reserved with memmap=SIZE$BASE (as Jailhouse
# does): Linux sees a reserved hole it never touches, and the shim
# claims exactly that hole.  The region lies low in RAM, clear of the
# initrd that QEMU places at the top of memory.

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
KVER=${KVER:-$("$top/scripts/kver.sh")}
INITRD=${INITRD:-$top/build/initrd.img}
SMP=${SMP:-2}
MEM=${MEM:-1G}
CPU=${CPU:-max}
VMK_MEM=${VMK_MEM:-64M}
VMK_BASE=${VMK_BASE:-0x10000000}
APPEND=${APPEND:-}
SERIAL=${SERIAL:-mon:stdio}

to_mib() {
	case "$1" in
	*G|*g) echo $(( ${1%[Gg]} * 1024 )) ;;
	*M|*m) echo "${1%[Mm]}" ;;
	*) echo $(( $1 / 1048576 )) ;;
	esac
}
mem_mib=$(to_mib "$MEM")
reserve="memmap=$VMK_MEM\$$VMK_BASE"
[ "$VMK_MEM" = 0 ] && reserve="" VMK_MEM=0M
end_mib=$(( $(printf '%d' "$VMK_BASE") / 1048576 + $(to_mib "$VMK_MEM") ))
if [ "$end_mib" -gt $(( mem_mib - 128 )) ]; then
	echo "qemu.sh: MEM=$MEM is too small for the vmkernel region $VMK_MEM at $VMK_BASE" \
	     "(need at least $(( end_mib + 128 ))M)" >&2
	exit 1
fi
[ -f "$INITRD" ] || { echo "qemu.sh: no initrd $INITRD (run make initrd)" >&2; exit 1; }

set -- -M q35 -cpu "$CPU" -smp "$SMP" -m "$MEM" \
	-kernel "/boot/vmlinuz-$KVER" -initrd "$INITRD" \
	-append "console=ttyS0 panic=-1 $reserve $APPEND" \
	-display none -serial "$SERIAL" -net none "$@"
[ "${NO_REBOOT:-1}" = 1 ] && set -- "$@" -no-reboot
if [ "${DEBUG:-0}" = 1 ]; then
	set -- "$@" -d int,cpu_reset,guest_errors -D "$top/build/qemu-debug.log"
	echo "qemu.sh: exceptions and resets go to build/qemu-debug.log" >&2
fi
if [ "${GDB:-0}" = 1 ]; then
	set -- "$@" -s -S
	echo "qemu.sh: waiting for gdb on localhost:1234 (make gdb)" >&2
fi
exec qemu-system-x86_64 "$@"
