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

# This boot autoloads the vmkernel: status must say so, with LSB status 0.
out=$(/etc/init.d/S90vmkernel status 2>&1)
rc=$?
case "$rc:$out" in
"0:vmkernel"*"loaded ("*) pass "S90vmkernel status says loaded (status 0: $out)" ;;
*) fail "S90vmkernel status says loaded with status 0 (status $rc: $out)" ;;
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
# memmap=SIZE$BASE took effect: Linux lists the range as reserved (not
# RAM), and the loaded vmkernel claimed it.
base=$(sed -n 's/.*memmap=[0-9]*[KMG]\$0x\([0-9a-fA-F]*\).*/\1/p' /proc/cmdline | tr A-F a-f)
check "the vmkernel region at 0x$base is reserved, not RAM" \
	grep -qi "^0*$base-[0-9a-f]* : reserved" /proc/iomem
check "the loaded vmkernel claimed it" grep -q "^ *0*$base-[0-9a-f]* : vmkernel" /proc/iomem

# The harness's kernel-log watcher runs for the whole test, and works
# with this console's awk on /dev/kmsg (a probe line written to the
# kernel log comes out, prefixed, and a line that does not match stays
# out).
check "S98e2e's kernel-log watcher is running" sh -c 'ps -o args | grep -q "[k]msg-watch ./kernel-bad.re"'
echo 'vmkx-probe-[0-9]+ seen' >/tmp/probe.re
echo "vmkx-probe-42 seen" >/dev/kmsg
echo "vmkx-probe-xx not seen" >/dev/kmsg
got=$(timeout 2 cat /dev/kmsg | ./kmsg-watch /tmp/probe.re)
check_eq "kmsg-watch picks the matching kernel message" "E2E-KMSG: vmkx-probe-42 seen" "$got"

e2e_end
