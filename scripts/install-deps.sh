#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Installs the Debian packages the project builds, boots and tests with.
# Idempotent and silent when everything is present; prints what it
# installs otherwise.  Run as root, or as a user with sudo.

set -eu

PACKAGES="
build-essential
make
qemu-system-x86
linux-image-amd64
linux-headers-amd64
busybox-static
dracut-core
kexec-tools
cpio
libcmocka-dev
pkg-config
gnuplot-nox
stress-ng
rt-tests
procps
libvirt-daemon
libvirt-daemon-driver-qemu
libvirt-clients
util-linux
"

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	"install ok installed") ;;
	*) missing="$missing $p" ;;
	esac
done

[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "install-deps: need root (or sudo) to install:$missing" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "install-deps: done"
