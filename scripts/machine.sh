# SPDX-License-Identifier: GPL-2.0
#
# The machine the service console boots on, described once.  Sourced by
# scripts/qemu.sh (which turns it into a QEMU command line) and by
# scripts/domain.sh (which turns it into a libvirt domain), so that
# `make run` and the libvirt domain cannot drift apart.
#
# environment (all optional):
#   KVER     kernel version (default: scripts/kver.sh)
#   KERNEL   kernel image (default: /boot/vmlinuz-$KVER)
#   INITRD   initrd image (default: build/initrd.img)
#   SMP MEM CPU  CPUs, memory, CPU model (default 2, 2G, max)
#   VMK_MEM  size of the vmkernel's reserved region (default 1G; 0: none)
#   VMK_BASE its physical base (default 0x10000000, 256 MiB)
#   APPEND   extra kernel command-line switches
#
# machine_settings PROG sets MACHINE_KERNEL, MACHINE_INITRD,
# MACHINE_CMDLINE, MACHINE_SMP, MACHINE_MEM (as given), MACHINE_MEM_MIB
# and MACHINE_CPU, or prints an error naming PROG and returns 1.
#
# The vmkernel's memory is reserved with memmap=SIZE$BASE (as Jailhouse
# does): Linux sees a reserved hole it never touches, and the shim
# claims exactly that hole.  The region lies low in RAM, clear of the
# initrd that QEMU places at the top of memory.  The default split gives
# the vmkernel half of the machine (room for the virtual machines it is
# to run) and leaves the console about 1 GiB (see README.md, Options).

# The MACHINE_* variables are read by the scripts that source this file.
# shellcheck disable=SC2034

machine_to_mib() {
	case "$1" in
	*G|*g) echo $(( ${1%[Gg]} * 1024 )) ;;
	*M|*m) echo "${1%[Mm]}" ;;
	*) echo $(( $1 / 1048576 )) ;;
	esac
}

machine_settings() {
	_prog=$1
	_top=${top:-$(cd "$(dirname "$0")/.." && pwd)}
	if [ -z "${KERNEL:-}" ]; then
		KVER=${KVER:-$("$_top/scripts/kver.sh")} || return 1
		KERNEL=/boot/vmlinuz-$KVER
	fi
	INITRD=${INITRD:-$_top/build/initrd.img}
	SMP=${SMP:-2}
	MEM=${MEM:-2G}
	CPU=${CPU:-max}
	VMK_MEM=${VMK_MEM:-1G}
	VMK_BASE=${VMK_BASE:-0x10000000}
	APPEND=${APPEND:-}

	case "$SMP" in
	''|*[!0-9]*|0) echo "$_prog: SMP=$SMP is not a number of CPUs" >&2; return 1 ;;
	esac
	case "${MEM%[GgMm]}" in
	''|*[!0-9]*) echo "$_prog: MEM=$MEM is not a size (like 1G or 1024M)" >&2; return 1 ;;
	esac
	MACHINE_MEM_MIB=$(machine_to_mib "$MEM") || return 1
	_reserve="memmap=$VMK_MEM\$$VMK_BASE"
	_vmk_mem=$VMK_MEM
	[ "$VMK_MEM" = 0 ] && _reserve="" _vmk_mem=0M
	_end_mib=$(( $(printf '%d' "$VMK_BASE") / 1048576 + $(machine_to_mib "$_vmk_mem") ))
	if [ "$_end_mib" -gt $(( MACHINE_MEM_MIB - 128 )) ]; then
		echo "$_prog: MEM=$MEM is too small for the vmkernel region $VMK_MEM at $VMK_BASE" \
		     "(need at least $(( _end_mib + 128 ))M)" >&2
		return 1
	fi
	[ -f "$KERNEL" ] || { echo "$_prog: no kernel $KERNEL (install linux-image-amd64, or set KVER or KERNEL)" >&2; return 1; }
	[ -f "$INITRD" ] || { echo "$_prog: no initrd $INITRD (run make initrd)" >&2; return 1; }

	MACHINE_KERNEL=$(cd "$(dirname "$KERNEL")" && pwd)/$(basename "$KERNEL")
	MACHINE_INITRD=$(cd "$(dirname "$INITRD")" && pwd)/$(basename "$INITRD")
	MACHINE_CMDLINE="console=ttyS0 panic=-1 $_reserve $APPEND"
	MACHINE_SMP=$SMP
	MACHINE_MEM=$MEM
	MACHINE_CPU=$CPU
}
