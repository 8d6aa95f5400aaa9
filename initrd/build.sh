#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Builds the service console's initrd with dracut and the project's own
# dracut module (initrd/dracut/95vmkx).  dracut reads its modules from a
# private module directory under the build tree, so nothing is installed
# on the host.
#
# usage: initrd/build.sh OUT KVER BUILD_DIR

set -eu

out=$1 kver=$2 build=$3
top=$(cd "$(dirname "$0")/.." && pwd)
base=$build/dracut

# A private dracut base: everything of the system's, plus our module.
rm -rf "$base"; mkdir -p "$build/dracut-conf.d"
mkdir -p "$base/modules.d"
for f in /usr/lib/dracut/*; do
	[ "${f##*/}" = modules.d ] && continue
	ln -s "$f" "$base/${f##*/}"
done
for m in /usr/lib/dracut/modules.d/*; do
	ln -s "$m" "$base/modules.d/${m##*/}"
done
ln -s "$top/initrd/dracut/95vmkx" "$base/modules.d/95vmkx"

export VMKX_ROOTFS="$top/console-os/rootfs"
export VMKX_BIN="$build/console-os/bin"
export VMKX_SHIM="${VMKX_SHIM:-$top/shim/vmnix.ko}"
export VMKX_VMKERNEL="${VMKX_VMKERNEL:-$build/vmkernel/vmkernel}"
export VMKX_GUESTS="${VMKX_GUESTS:-$build/guests}"
export VMKX_VMKERNEL_DEBUG="${VMKX_VMKERNEL_DEBUG:-$build/vmkernel/vmkernel-debug}"
# The example vmkernel modules, for vmkload_mod in the console.
export VMKX_MODULES="${VMKX_MODULES:-$build/modules}"
# The Linux guest: Debian's kernel (the console's own) and its initrd.
export VMKX_LINUX_KERNEL="${VMKX_LINUX_KERNEL:-/boot/vmlinuz-$kver}"
export VMKX_LINUX_INITRD="${VMKX_LINUX_INITRD:-$build/linux-guest/initrd.img}"
# stress-ng checks its own results: the console's workload in the soak.
# kexec restarts the console kernel (and tests that state handed back is clean).
export VMKX_EXTRA="${VMKX_EXTRA:-/usr/bin/stress-ng /usr/bin/cyclictest /usr/sbin/kexec}"

dracutbasedir=$base dracut --quiet --force --no-hostonly --no-early-microcode \
	--no-hostonly-cmdline --conf /dev/null --confdir "$build/dracut-conf.d" \
	--kver "$kver" -m vmkx --compress cat --tmpdir "$build" \
	"$out.tmp"
mv "$out.tmp" "$out"
