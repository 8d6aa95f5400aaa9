# SPDX-License-Identifier: GPL-2.0
# The service console boots to its shell with its file systems mounted,
# its rc scripts run in order, and the vmkernel init script answering.
. ./lib.sh

check "/proc is mounted" mounted_as /proc proc
check "/sys is mounted" mounted_as /sys sysfs
check "/dev is devtmpfs" mounted_as /dev devtmpfs
check "/tmp is tmpfs" mounted_as /tmp tmpfs
check "/run is tmpfs" mounted_as /run tmpfs

expected=$(cd /etc/init.d && ls S[0-9][0-9]* | tr '\n' ' ')
ran=$(awk '{print $1}' /run/rc.log | tr '\n' ' ')
# S99banner runs after this test's runner started, so compare the prefix.
case "$expected" in
"$ran"*) [ -n "$ran" ] && pass "rc scripts ran in order ($ran)" || fail "no rc script ran" ;;
*) fail "rc scripts ran in order (expected '$expected', ran '$ran')" ;;
esac
check "every rc script succeeded" sh -c '! grep -v " ok$" /run/rc.log'

check_eq "host name set from /etc/hostname" "vmkx" "$(hostname)"

out=$(/etc/init.d/S90vmkernel status 2>&1)
rc=$?
case "$rc" in
0|3|4) pass "S90vmkernel status answers (status $rc: $out)" ;;
*) fail "S90vmkernel status answers (status $rc: $out)" ;;
esac
case "$out" in
vmkernel:*) pass "S90vmkernel status says what it found" ;;
*) fail "S90vmkernel status says what it found (got '$out')" ;;
esac

# A login shell runs on the serial line with ttyS0 as its terminal.
shell_tty=""
for p in /proc/[0-9]*; do
	case "$(tr "\0" " " < "$p/cmdline" 2>/dev/null)" in -*sh" ") ;; *) continue ;; esac
	shell_tty=$(readlink "$p/fd/0")
	break
done
check_eq "root shell on the serial console" "/dev/ttyS0" "$shell_tty"

check "banner names the system" grep -q vmkx /etc/os-release
check_eq "kernel command line carries vmk.test" "boot" "$(vmk-cmdline get vmk.test)"
check "vmkernel region reserved by memmap=" sh -c 'grep -q "memmap=" /proc/cmdline'
