#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Linux guest's userland on bare QEMU (TCG, no VMM): Debian's kernel
# with the guest initrd (build/linux-guest/initrd.img) and the guest's
# own command line.  It waits for `vmkx-guest: ready`, checks the start-up
# lines (kernel version, CPU count, vmkx-tools saying this is no vmkx VM
# and not left running), runs `vmkbench cpu syscall fork pages` through
# the serial shell and checks that every workload ran and checked its
# results, then powers the guest off and checks that init shut down and
# the kernel halted, with no oops or warning in its log.  The serial log
# is DIR/bare.log.  Writes RESULT ("linux PASSED FAILED SKIPPED").
#
# usage: tests/linux/bare.sh RESULT DIR KERNEL INITRD
# environment: SMP (default 1), MEM (default 192), TIMEOUT (default 240 s)
#
# One CPU by default: with acpi=off the guest finds its CPUs in the MP
# table, and SeaBIOS's names only the boot CPU.  The CPU count is checked
# against what the kernel says it brought up.

set -u
[ $# -eq 4 ] || { echo "usage: $0 RESULT DIR KERNEL INITRD" >&2; exit 2; }
result=$1 dir=$2 kernel=$3 initrd=$4
smp=${SMP:-1} mem=${MEM:-192} tmo=${TIMEOUT:-240}
qemu=${QEMU:-qemu-system-x86_64}
# The guest's command line of the `linux` example VM (S30datastore).
append="console=ttyS0 earlyprintk=serial acpi=off pci=off reboot=pci panic=-1 i8042.noaux i8042.nokbd"
top=$(cd "$(dirname "$0")/../.." && pwd)
p=0 f=0 s=0
log=$dir/bare.log fifo=$dir/bare.serial

pass() { echo "PASS: linux: $*"; p=$((p + 1)); }
fail() { echo "FAIL: linux: $*"; f=$((f + 1)); }
skip() { echo "SKIP: linux: $*"; s=$((s + 1)); }
finish() {
	[ -n "${qpid:-}" ] && kill "$qpid" 2>/dev/null && wait "$qpid" 2>/dev/null
	[ -n "${cpid:-}" ] && kill "$cpid" 2>/dev/null
	exec 3>&- 2>/dev/null
	rm -f "$fifo.in" "$fifo.out"
	echo "linux $p $f $s" >"$result"
	echo "linux: $p passed, $f failed, $s skipped (serial log $log)"
	exit $((f > 0))
}

mkdir -p "$dir" "$(dirname "$result")"
for x in "$kernel" "$initrd"; do
	if [ ! -r "$x" ]; then
		fail "$x is missing or unreadable"
		finish
	fi
done

# lines: the log without CRs.
lines() { tr -d '\r' <"$log"; }
# wait_for REGEX SECONDS: true once a line of the log matches.
wait_for() {
	local i=0
	while [ $i -lt $(($2 * 5)) ]; do
		lines | grep -Eq "$1" && return 0
		kill -0 "$qpid" 2>/dev/null || return 1
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}
send() { printf '%s\r' "$*" >&3; }

rm -f "$log" "$fifo.in" "$fifo.out"
mkfifo "$fifo.in" "$fifo.out"
cat "$fifo.out" >"$log" &
cpid=$!
"$qemu" -M pc -cpu max -smp "$smp" -m "$mem" -kernel "$kernel" -initrd "$initrd" \
	-append "$append" -serial "pipe:$fifo" -display none -monitor none \
	-no-reboot -nodefaults >"$dir/bare.qemu" 2>&1 </dev/null &
qpid=$!
exec 3>"$fifo.in"
# QEMU ends the run whatever happens in the guest.
( sleep "$tmo"; kill "$qpid" 2>/dev/null ) &

t0=$(date +%s.%N)
if wait_for '^vmkx-guest: ready' "$tmo"; then
	t1=$(date +%s.%N)
	pass "booted to 'vmkx-guest: ready' in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
else
	fail "no 'vmkx-guest: ready' (last line '$(lines | awk 'NF { l = $0 } END { print l }')')"
	cat "$dir/bare.qemu"
	finish
fi

kver=$(basename "$kernel" | sed 's/^vmlinuz-//')
ncpu=$(lines | sed -n 's/.*smp: Brought up [0-9]* nodes*, \([0-9]*\) CPUs*$/\1/p' | head -n 1)
hello=$(lines | grep -E '^vmkx-guest: Linux ' | head -n 1)
case "$hello" in
"vmkx-guest: Linux $kver (x86_64), ${ncpu:-?} CPU(s), "*) pass "start-up line: '$hello'" ;;
*) fail "start-up line '$hello', expected 'vmkx-guest: Linux $kver (x86_64), ${ncpu:-?} CPU(s), ...'" ;;
esac
if lines | grep -q '^vmkx-tools: not a vmkx VM'; then
	pass "vmkx-tools: '$(lines | grep '^vmkx-tools: not a vmkx VM' | head -n 1)'"
else
	fail "vmkx-tools did not say that this is no vmkx VM"
fi
if lines | grep -q '^vmkx-tools: polling'; then
	fail "vmkx-tools went on polling on bare QEMU"
fi

# A marker the echo of the command line cannot match (the quotes split it).
send 'pidof vmkx-tools >/dev/null; echo "TOOLS""-RUNNING=$?"'
if wait_for '^TOOLS-RUNNING=[0-9]' 30; then
	check=$(lines | sed -n 's/^TOOLS-RUNNING=//p' | tail -n 1)
	if [ "$check" = 1 ]; then
		pass "no vmkx-tools process left running"
	else
		fail "a vmkx-tools process runs on bare QEMU (pidof status $check)"
	fi
else
	fail "the shell did not answer"
fi

send 'vmkbench cpu syscall fork pages; echo "BENCH""-RC=$?"'
if wait_for '^BENCH-RC=[0-9]+' "$tmo"; then
	rc=$(lines | sed -n 's/^BENCH-RC=//p' | tail -n 1)
	if [ "$rc" = 0 ]; then
		pass "vmkbench exited 0 (every workload checked its own result)"
	else
		fail "vmkbench exited $rc: $(lines | grep '^vmkbench: ' | head -n 1)"
	fi
	for w in cpu syscall fork pages; do
		l=$(lines | grep -E "^$w [0-9.]+ [0-9]+$" | tail -n 1)
		if [ -n "$l" ]; then
			pass "vmkbench $w in the guest: '$l' (ns per op, ops)"
		else
			fail "vmkbench printed no result for $w"
		fi
	done
else
	fail "vmkbench did not finish"
fi

send 'poweroff'
if wait_for 'reboot: (System halted|Power down)' 60; then
	pass "poweroff: the kernel halted ('$(lines | grep -Eo 'reboot: (System halted|Power down)' | tail -n 1)')"
else
	fail "poweroff: the kernel did not halt (last line '$(lines | awk 'NF { l = $0 } END { print l }')')"
fi
# After the prompt, on the shell's line.
if lines | grep -q 'vmkx-guest: shutting down'; then
	pass "init ran the guest's shutdown"
else
	fail "init did not run the guest's shutdown ('vmkx-guest: shutting down')"
fi

bad=$(lines | grep -E "$(cat "$top/tests/e2e/guest/kernel-bad.re")" | head -n 3)
if [ -z "$bad" ]; then
	pass "no oops, warning or call trace in the guest kernel's log"
else
	fail "the guest kernel's log: $bad"
fi
finish
