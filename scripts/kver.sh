#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Prints the version of the Debian kernel the console boots and the shim
# builds against.  The kernel image and its headers must both be
# installed and agree; the newest such version wins.  KVER in the
# environment overrides the choice (and is still checked).

set -eu

have_image() { [ -f "/boot/vmlinuz-$1" ] && [ -d "/lib/modules/$1" ]; }
have_headers() { [ -f "/lib/modules/$1/build/Makefile" ]; }

if [ -n "${KVER:-}" ]; then
	have_image "$KVER" || { echo "kver: no kernel image /boot/vmlinuz-$KVER" >&2; exit 1; }
	have_headers "$KVER" || { echo "kver: no headers for $KVER (install linux-headers-$KVER)" >&2; exit 1; }
	echo "$KVER"
	exit 0
fi

images=$(ls /boot/vmlinuz-* 2>/dev/null | sed 's|^/boot/vmlinuz-||' | sort -V -r)
if [ -z "$images" ]; then
	echo "kver: no kernel image in /boot (install linux-image-amd64)" >&2
	exit 1
fi
for v in $images; do
	if have_image "$v" && have_headers "$v"; then
		echo "$v"
		exit 0
	fi
done
headers=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sed 's|.*/linux-headers-||' | tr '\n' ' ')
echo "kver: kernel image(s) $(echo $images) and headers (${headers:-none}) disagree;" \
     "install linux-image-amd64 and linux-headers-amd64 of the same version" >&2
exit 1
