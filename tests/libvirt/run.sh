#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The whole stack under libvirt, tested on the host without a service
# manager.  It starts a private libvirtd and virtlogd (as root, in a
# mount namespace of their own: their configuration, sockets, state and
# logs live in a temporary directory, and nothing of the host's /etc,
# /var or /run changes), then drives scripts/domain.sh against them:
# bad input refused, the domain defined and booted, the console reached
# through the serial console's pty with the vmkernel loaded and the
# kernel command line that scripts/qemu.sh uses, a clean power-off, the
# domain undefined, the daemons stopped and nothing left running.
#
# A host where libvirt cannot run (not root, libvirt not installed, no
# mount namespaces, a daemon that does not come up) gives a SKIP with
# the reason.  The serial log and the daemons' logs are kept under
# build/libvirt/.
#
# usage: tests/libvirt/run.sh RESULT
# environment: LIBVIRT_TIMEOUT  seconds for the boot to reach its shell
#              prompt, and again for the power-off (default 300)

set -u
result=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/libvirt
tmo=${LIBVIRT_TIMEOUT:-300}
export DOMAIN=vmkx
p=0 f=0 s=0
state="" uri="" reader="" qemu_pid=""

pass() { echo "PASS: libvirt: $*"; p=$((p + 1)); }
fail() { echo "FAIL: libvirt: $*"; f=$((f + 1)); }
check() {
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

finish() {
	mkdir -p "$(dirname "$result")"
	echo "libvirt $p $f $s" >"$result"
	echo "libvirt: $p passed, $f failed, $s skipped"
	[ "$f" -eq 0 ]
	exit
}

skip_all() {
	echo "SKIP: libvirt: $*"
	s=$((s + 1))
	cleanup
	finish
}

domain() { "$top/scripts/domain.sh" -c "$uri" "$@"; }
vsh() { virsh -q -c "$uri" "$@"; }

pid_alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# Ends a process this test started (by its pid file), politely and then
# not; returns 1 if it had to be killed.
stop_pid() {
	local pid=$1 i
	pid_alive "$pid" || return 0
	kill "$pid" 2>/dev/null
	for i in $(seq 50); do
		pid_alive "$pid" || return 0
		sleep 0.2
	done
	kill -9 "$pid" 2>/dev/null
	return 1
}

# Runs on every way out: whatever this test started is stopped and
# removed, and the daemons' logs are kept.
cleanup() {
	[ -n "$reader" ] && { kill "$reader" 2>/dev/null; wait "$reader" 2>/dev/null; reader=""; }
	[ -n "$state" ] || return 0
	if [ -n "$uri" ] && [ -S "$state/run/libvirt-sock" ]; then
		for d in "$DOMAIN" vmkx-gone vmkx-stop; do
			vsh destroy "$d" >/dev/null 2>&1
			vsh undefine "$d" >/dev/null 2>&1
		done
	fi
	stop_pid "$(cat "$state/libvirtd.pid" 2>/dev/null)"
	stop_pid "$(cat "$state/virtlogd.pid" 2>/dev/null)"
	stop_pid "$qemu_pid"
	cp "$state/log/libvirtd.log" "$state/log/virtlogd.log" "$out/" 2>/dev/null
	cp "$state/log/qemu/$DOMAIN.log" "$out/qemu.log" 2>/dev/null
	rm -rf "$state"
	state=""
}
trap 'cleanup' EXIT
trap 'fail "interrupted (time limit?)"; cleanup; finish' INT TERM

# ---- can libvirt run here? ----------------------------------------------
[ "$(id -u)" = 0 ] || skip_all "a private libvirtd needs root (run as root)"
for c in libvirtd virtlogd virsh unshare; do
	PATH=$PATH:/usr/sbin:/sbin command -v "$c" >/dev/null 2>&1 ||
		skip_all "$c not found (make deps installs libvirt-daemon, libvirt-daemon-driver-qemu, libvirt-clients)"
done
PATH=$PATH:/usr/sbin:/sbin
rm -rf "$out"
mkdir -p "$out"
[ -f "$top/build/initrd.img" ] || skip_all "no build/initrd.img (make build)"

# A short path: the daemon's socket path must fit a sockaddr_un, so the
# state lives in mktemp's own short directory under /tmp.
state=$(TMPDIR=/tmp mktemp -d)
mkdir -p "$state/etc" "$state/run" "$state/log" "$state/ns"
cat >"$state/etc/libvirtd.conf" <<EOF
unix_sock_dir = "/run/libvirt"
unix_sock_rw_perms = "0700"
auth_unix_ro = "none"
auth_unix_rw = "none"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
EOF
# QEMU runs as root with no security driver, cgroups or namespaces of
# its own: the test needs no libvirt-qemu user and leaves no cgroup.
cat >"$state/etc/qemu.conf" <<EOF
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "logd"
EOF
cat >"$state/etc/virtlogd.conf" <<EOF
log_outputs = "3:file:/var/log/libvirt/virtlogd.log"
EOF

# libvirt's QEMU driver looks up its user before it reads qemu.conf;
# without Debian's libvirt-daemon-system that user does not exist, so
# the daemons' namespace gets copies of passwd and group that have it.
getent passwd libvirt-qemu >/dev/null || getent group libvirt-qemu >/dev/null || {
	id=64055
	while getent passwd "$id" >/dev/null || getent group "$id" >/dev/null; do
		id=$((id + 1))
	done
	cp /etc/passwd "$state/passwd"
	cp /etc/group "$state/group"
	echo "libvirt-qemu:x:$id:$id:libvirt QEMU:/var/lib/libvirt:/usr/sbin/nologin" >>"$state/passwd"
	echo "libvirt-qemu:x:$id:" >>"$state/group"
}

# /var and /run become overlays on a tmpfs that exists only in the
# daemons' namespace; the socket, pid files and logs are bind mounts of
# the state directory so that virsh and this test see them.
unshare -m --propagation private sh -ec '
	s=$1
	mount -t tmpfs vmkx-libvirt "$s/ns"
	for d in var run; do
		mkdir "$s/ns/$d-upper" "$s/ns/$d-work"
		mount -t overlay vmkx-libvirt \
			-o "lowerdir=/$d,upperdir=$s/ns/$d-upper,workdir=$s/ns/$d-work" "/$d"
	done
	mkdir -p /run/libvirt /var/log/libvirt /etc/libvirt
	mount --bind "$s/run" /run/libvirt
	mount --bind "$s/log" /var/log/libvirt
	mount --bind "$s/etc" /etc/libvirt
	if [ -f "$s/passwd" ]; then
		mount --bind "$s/passwd" /etc/passwd
		mount --bind "$s/group" /etc/group
	fi
	virtlogd -d -p "$s/virtlogd.pid" -f /etc/libvirt/virtlogd.conf
	libvirtd -d -p "$s/libvirtd.pid" -f /etc/libvirt/libvirtd.conf
' sh "$state" >"$out/daemons.out" 2>&1 ||
	skip_all "could not start a private libvirtd: $(tail -n 3 "$out/daemons.out" | tr '\n' ' ')"

uri="qemu:///system?socket=$state/run/libvirt-sock"
for i in $(seq 60); do
	vsh uri >/dev/null 2>&1 && break
	sleep 0.5
done
vsh uri >/dev/null 2>&1 ||
	skip_all "the private libvirtd does not answer: $(tail -n 3 "$state/log/libvirtd.log" 2>/dev/null | tr '\n' ' ')"
vsh capabilities 2>/dev/null | grep -q "<domain type='qemu'" ||
	skip_all "libvirt's QEMU driver cannot run TCG guests here: $(tail -n 3 "$state/log/libvirtd.log" 2>/dev/null | tr '\n' ' ')"
echo "libvirt: private libvirtd $(cat "$state/libvirtd.pid") and virtlogd $(cat "$state/virtlogd.pid") at $uri"

# ---- bad input ----------------------------------------------------------
# expect_refusal WHAT PATTERN COMMAND...: the command fails and says PATTERN.
expect_refusal() {
	local what=$1 pattern=$2 msg rc
	shift 2
	msg=$("$@" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] && printf '%s' "$msg" | grep -q "$pattern"; then
		pass "$what ($msg)"
	else
		fail "$what: status $rc, said '$msg', wanted '$pattern'"
	fi
}
defined() { vsh domstate "$1" >/dev/null 2>&1; }
not_defined() { ! defined "$1"; }

expect_refusal "define with a missing kernel refused" "no kernel $state/none" \
	env KERNEL="$state/none" "$top/scripts/domain.sh" -c "$uri" define
expect_refusal "define with a missing initrd refused" "no initrd $state/none" \
	env INITRD="$state/none" "$top/scripts/domain.sh" -c "$uri" define
check "nothing defined by the refused defines" not_defined "$DOMAIN"

cp "$top/build/initrd.img" "$state/initrd-gone.img"
check "define vmkx-gone with a copied initrd" \
	env DOMAIN=vmkx-gone INITRD="$state/initrd-gone.img" "$top/scripts/domain.sh" -c "$uri" define
rm -f "$state/initrd-gone.img"
expect_refusal "start with the initrd removed refused" "initrd $state/initrd-gone.img of domain vmkx-gone is missing" \
	env DOMAIN=vmkx-gone "$top/scripts/domain.sh" -c "$uri" start
check "undefine vmkx-gone" env DOMAIN=vmkx-gone "$top/scripts/domain.sh" -c "$uri" undefine
expect_refusal "start of an undefined domain refused" "not defined" domain start

# stop's hard way: a console that ignores the ACPI power button (early in
# its boot, it always does) is stopped after STOP_WAIT seconds.
stopped_hard() {
	local msg
	msg=$(env DOMAIN=vmkx-stop STOP_WAIT=2 "$top/scripts/domain.sh" -c "$uri" stop 2>&1)
	echo "$msg"
	printf '%s' "$msg" | grep -q "stopping it hard" &&
		[ "$(vsh domstate vmkx-stop 2>/dev/null)" = "shut off" ]
}
if env DOMAIN=vmkx-stop "$top/scripts/domain.sh" -c "$uri" define >/dev/null &&
		env DOMAIN=vmkx-stop "$top/scripts/domain.sh" -c "$uri" start >/dev/null; then
	check "stop ends a domain that does not power off" stopped_hard
else
	fail "define and start vmkx-stop"
fi
check "undefine vmkx-stop" env DOMAIN=vmkx-stop "$top/scripts/domain.sh" -c "$uri" undefine

# ---- define and boot ----------------------------------------------------
check "define $DOMAIN" env SERIAL_LOG="$out/serial.log" "$top/scripts/domain.sh" -c "$uri" define
expect_refusal "second define refused" "already defined" domain define
check "start $DOMAIN" domain start
expect_refusal "start of a running domain refused" "already running" domain start
qemu_pid=$(cat "$state/run/qemu/$DOMAIN.pid" 2>/dev/null)
check "QEMU runs (pid ${qemu_pid:-none})" pid_alive "$qemu_pid"

# wait_for FILE PATTERN SECONDS: PATTERN (extended regex) appears in FILE.
wait_for() {
	local i
	for i in $(seq "$3"); do
		grep -aqE "$2" "$1" 2>/dev/null && return 0
		pid_alive "$qemu_pid" || break
		sleep 1
	done
	grep -aqE "$2" "$1" 2>/dev/null
}

start=$(date +%s)
check "shell prompt on the serial console" wait_for "$out/serial.log" '^\[root@[^]]*\]# ' "$tmo"
echo "libvirt: prompt after $(( $(date +%s) - start ))s"
check "vmkernel loaded at boot" grep -aqE 'vmkload: vmkernel .* loaded on [0-9]+ CPUs' "$out/serial.log"

# The console's own serial line: what is typed into the pty that
# `virsh console` would attach to reaches the shell, and its answers
# come back on the pty.
pty=$(vsh ttyconsole "$DOMAIN" 2>/dev/null)
if [ -c "$pty" ]; then
	pass "serial console pty $pty"
	cat "$pty" >"$out/pty.out" 2>/dev/null &
	reader=$!
	sleep 1
	# $((...)) expands in the console, so the marker's digits appear
	# only in the shell's output, never in the echo of what was typed.
	printf 'cat /proc/cmdline; grep -E "^(loaded|cpus) " /proc/vmware/version; echo LIBVIRT-$((6*7))-DONE\r' >"$pty"
	check "the console answers on the pty" wait_for "$out/pty.out" 'LIBVIRT-42-DONE' 60
	tr -d '\r' <"$out/pty.out" >"$out/pty.txt"
	check "the vmkernel is loaded (/proc/vmware/version: loaded yes)" grep -q '^loaded yes$' "$out/pty.txt"
	smp=$(. "$top/scripts/machine.sh"; machine_settings run.sh && echo "$MACHINE_SMP")
	check "the vmkernel runs on all $smp CPUs" grep -q "^cpus $smp\$" "$out/pty.txt"
	want=$(. "$top/scripts/machine.sh"; machine_settings run.sh && echo "$MACHINE_CMDLINE")
	want=$(echo $want)
	if grep -qxF "$want" <(sed 's/ *$//' "$out/pty.txt"); then
		pass "kernel command line is scripts/qemu.sh's ($want)"
	else
		fail "kernel command line is scripts/qemu.sh's ($want): $(grep -a console= "$out/pty.txt" | tail -n 1)"
	fi
	printf 'poweroff\r' >"$pty"
else
	fail "serial console pty: virsh ttyconsole said '$pty'"
	vsh destroy "$DOMAIN" >/dev/null 2>&1
fi

powered_off() {
	local i
	for i in $(seq "$tmo"); do
		[ "$(vsh domstate "$DOMAIN" 2>/dev/null)" = "shut off" ] && return 0
		sleep 1
	done
	return 1
}
check "domain shut off after poweroff" powered_off
check "clean power-off on the serial console" grep -aq 'reboot: Power down' "$out/serial.log"
if grep -aE '^\[ *[0-9.]+\] (.*(Kernel panic|BUG:|Oops|WARNING: CPU:|general protection|soft lockup|self-detected stall|RCU stall)|Call Trace)' \
		"$out/serial.log" >"$out/oops.txt"; then
	fail "no kernel panic, oops or warning ($(head -n 1 "$out/oops.txt"))"
else
	pass "no kernel panic, oops or warning"
fi
[ -n "$reader" ] && { kill "$reader" 2>/dev/null; wait "$reader" 2>/dev/null; reader=""; }

# ---- stop, undefine, and leave nothing behind ---------------------------
expect_refusal "stop of a stopped domain refused" "not running" domain stop
check "undefine $DOMAIN" domain undefine
check "$DOMAIN no longer defined" not_defined "$DOMAIN"
lpid=$(cat "$state/libvirtd.pid") vpid=$(cat "$state/virtlogd.pid")
check "libvirtd stopped" stop_pid "$lpid"
check "virtlogd stopped" stop_pid "$vpid"
gone() { ! pid_alive "$lpid" && ! pid_alive "$vpid" && ! pid_alive "$qemu_pid"; }
check "no daemon or QEMU of this test left running" gone
dir=$state
cleanup
check "state directory removed" test ! -e "$dir"
finish
