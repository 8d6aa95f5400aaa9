#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Builds the Linux guest's initrd: a gzip-compressed cpio (newc) archive
# with BusyBox (Debian's busybox-static) as init and userland, the files
# under initrd/linux-guest/etc, vmkx-tools, and vmkbench, the workloads
# that check their own results.  The guest runs Debian's own kernel,
# which needs no module from the initrd: its serial port and every file
# system used here are built in.
#
# usage: initrd/linux-guest/build.sh OUT VMKX_TOOLS VMKBENCH

set -eu

[ $# -eq 3 ] || { echo "usage: $0 OUT VMKX_TOOLS VMKBENCH" >&2; exit 2; }
out=$1 tools=$2 bench=$3
src=$(cd "$(dirname "$0")" && pwd)
stage=$out.d

for f in /bin/busybox "$tools" "$bench"; do
	[ -x "$f" ] || { echo "$0: $f is missing or not executable" >&2; exit 1; }
done
# A dynamically linked binary would find no libraries in the guest.
for f in /bin/busybox "$tools" "$bench"; do
	if readelf -l "$f" | grep -q 'Requesting program interpreter'; then
		echo "$0: $f is dynamically linked; the guest has no libraries" >&2
		exit 1
	fi
done

rm -rf "$stage"
mkdir -p "$stage"/bin "$stage"/sbin "$stage"/usr/bin "$stage"/usr/sbin \
	"$stage"/proc "$stage"/sys "$stage"/dev "$stage"/run "$stage"/tmp \
	"$stage"/root "$stage"/etc
cp /bin/busybox "$stage/bin/busybox"
for applet in $(/bin/busybox --list-full); do
	[ -e "$stage/$applet" ] && continue
	ln -s /bin/busybox "$stage/$applet"
done
# The kernel runs /init from an initramfs; BusyBox acts as init by that name.
ln -s /bin/busybox "$stage/init"
cp -R "$src/etc/." "$stage/etc/"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$stage/etc/passwd"
printf 'root:x:0:\n' > "$stage/etc/group"
cp "$tools" "$stage/usr/sbin/vmkx-tools"
cp "$bench" "$stage/usr/bin/vmkbench"

(cd "$stage" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) |
	gzip -9 > "$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$stage"
