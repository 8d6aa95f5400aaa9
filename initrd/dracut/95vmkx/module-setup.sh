#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dracut module "vmkx": turns the initramfs into the whole service
# console.  BusyBox is the userland and its init is /init; the
# console-os tree supplies /etc; the console tools, the shim module and
# the vmkernel image come from the build directory.  dracut resolves the
# shared libraries of every binary and the dependencies of every kernel
# module installed here.
#
# Inputs (environment, set by initrd/build.sh):
#   VMKX_ROOTFS   console-os/rootfs
#   VMKX_BIN      directory of console tools to install in /usr/sbin
#   VMKX_SHIM     path of vmnix.ko (optional)
#   VMKX_VMKERNEL path of the vmkernel image (optional)
#   VMKX_VMKERNEL_DEBUG path of its VMK_DEBUG build (optional)
#   VMKX_GUESTS   directory of test guests (*.elf) for /usr/lib/vmkx/guests
#   VMKX_LINUX_KERNEL, VMKX_LINUX_INITRD  the Linux guest's kernel and
#                 initrd for /usr/lib/vmkx/linux (optional)
#   VMKX_EXTRA    extra binaries from the host to include (optional)

check() {
	return 0
}

depends() {
	return 0
}

installkernel() {
	# KVM is a peer to measure against and must coexist with the vmkernel.
	instmods kvm kvm_amd
	# The datastore: a virtio disk with an ext2 file system (S30datastore).
	instmods virtio_pci virtio_blk ext4
	if [[ -n $VMKX_SHIM && -f $VMKX_SHIM ]]; then
		inst_simple "$VMKX_SHIM" "/lib/modules/$kernel/extra/vmnix.ko"
	fi
}

install() {
	local applet f

	inst_simple /bin/busybox /bin/busybox
	for applet in $(/bin/busybox --list-full); do
		[[ -e $initdir/$applet || -L $initdir/$applet ]] && continue
		mkdir -p "$initdir/${applet%/*}"
		ln -s /bin/busybox "$initdir/$applet"
	done
	ln -sf /bin/busybox "$initdir/init"

	cp -a "$VMKX_ROOTFS/." "$initdir/"
	mkdir -p "$initdir"/{proc,sys,dev,run,tmp,root,var/log,lib/vmkx}

	if [[ -n $VMKX_BIN && -d $VMKX_BIN ]]; then
		for f in "$VMKX_BIN"/*; do
			[[ -x $f && -f $f ]] && inst_binary "$f" "/usr/sbin/${f##*/}"
		done
	fi
	if [[ -n $VMKX_VMKERNEL && -f $VMKX_VMKERNEL ]]; then
		inst_simple "$VMKX_VMKERNEL" /lib/vmkx/vmkernel
	fi
	if [[ -n $VMKX_VMKERNEL_DEBUG && -f $VMKX_VMKERNEL_DEBUG ]]; then
		inst_simple "$VMKX_VMKERNEL_DEBUG" /lib/vmkx/vmkernel-debug
	fi
	if [[ -n $VMKX_GUESTS && -d $VMKX_GUESTS ]]; then
		for f in "$VMKX_GUESTS"/*.elf; do
			[[ -f $f ]] && inst_simple "$f" "/usr/lib/vmkx/guests/${f##*/}"
		done
	fi
	if [[ -n $VMKX_MODULES && -d $VMKX_MODULES ]]; then
		for f in "$VMKX_MODULES"/*.o; do
			[[ -f $f ]] && inst_simple "$f" "/usr/lib/vmkx/modules/${f##*/}"
		done
	fi
	if [[ -n $VMKX_LINUX_KERNEL && -f $VMKX_LINUX_KERNEL ]]; then
		inst_simple "$VMKX_LINUX_KERNEL" /usr/lib/vmkx/linux/vmlinuz
	fi
	if [[ -n $VMKX_LINUX_INITRD && -f $VMKX_LINUX_INITRD ]]; then
		inst_simple "$VMKX_LINUX_INITRD" /usr/lib/vmkx/linux/initrd.img
	fi
	for f in $VMKX_EXTRA; do
		[[ -e $f ]] && inst_binary "$f"
	done
	return 0
}
