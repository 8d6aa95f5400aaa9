#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs each test guest on bare QEMU (TCG, -cpu max, no VMM) as the
# manifest lists it, one at a time with a time limit each, and checks how
# it ended.  Serial logs go to DIR/NAME.log, QEMU's own output to
# DIR/NAME.qemu.  Every guest gets a multiboot module with its
# environment (NR_CPUS=<cpus>), as kvm-unit-tests' guests do.
#
# Expected outcomes (the manifest's expect column):
#   pass       exit status 1 (code 0 through isa-debug-exit), a SUMMARY
#              line with 0 unexpected failures, PASS lines and no FAIL
#   skip       exit status 1, a SUMMARY with 0 unexpected failures and
#              skips, no FAIL: the guest saw it had nothing to test
#   fail=TEXT  exit status 3 (code 1), a SUMMARY with failures, and a
#              FAIL line containing TEXT: the guest's checks must catch
#              what bare QEMU does differently, or the bad option given
#   exit=N     exit status 2N+1, and no SUMMARY
#   reset      the machine reset (QEMU -no-reboot exits with status 0)
#              right after the guest's last line "GUEST: ...", no SUMMARY
#   running=S  still running after S seconds, its last line "GUEST: ...",
#              and QEMU used under 10 clock ticks of CPU (5% of one CPU)
#              over its last 2 s: a halted guest measured 0 or 1, one
#              spinning instead 55 on a host loaded 3 times over; then
#              killed
#   busy=S     still running after S seconds and printing: lines
#              "progress ..." came in its last 2 s; then killed
#
# usage: tests/guests/run.sh RESULT DIR MANIFEST [NAME...]

set -u
result=$1 dir=$2 manifest=$3
shift 3
want=" $* "
qemu=${QEMU:-qemu-system-x86_64}
p=0 f=0 s=0
mkdir -p "$dir" "$(dirname "$result")"

pass() { echo "PASS: guests: $*"; p=$((p + 1)); }
fail() { echo "FAIL: guests: $*"; f=$((f + 1)); }
skip() { echo "SKIP: guests: $*"; s=$((s + 1)); }

# cputicks PID: user + system clock ticks QEMU has used so far.
cputicks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# lastline LOG: the log's last non-empty line, without CR.
lastline() { tr -d '\r' <"$1" | awk 'NF { l = $0 } END { print l }'; }

run_one() {
	local name=$1 guest=$2 smp=$3 tmo=$4 expect=$5 args=$6
	local elf=$dir/$guest.elf log=$dir/$name.log env=$dir/$name.env
	local w append="" qargs=() rc start end last sum pid t0 t1 secs
	for w in $args; do
		case "$w" in
		qemu:*) qargs+=("${w#qemu:}") ;;
		*) append="$append $w" ;;
		esac
	done
	if [ ! -f "$elf" ]; then
		fail "$name: $elf was not built"
		return
	fi
	printf 'NR_CPUS=%s\n' "$smp" >"$env"
	rm -f "$log"
	local cmd=("$qemu" -M pc -cpu max -m 64 -smp "$smp" -kernel "$elf"
		-append "${append# }" -initrd "$env"
		-device isa-debug-exit,iobase=0xf4,iosize=4 -serial "file:$log"
		-display none -no-reboot -monitor none "${qargs[@]}")
	start=$(date +%s)
	case "$expect" in
	running=*|busy=*)
		secs=${expect#*=}
		"${cmd[@]}" </dev/null >"$dir/$name.qemu" 2>&1 &
		pid=$!
		sleep $((secs - 2))
		t0=$(cputicks $pid) l0=$(wc -l <"$log" 2>/dev/null || echo 0)
		sleep 2
		t1=$(cputicks $pid) l1=$(wc -l <"$log" 2>/dev/null || echo 0)
		if kill -0 $pid 2>/dev/null; then
			kill $pid; wait $pid 2>/dev/null
			last=$(lastline "$log")
			if [ "${expect%%=*}" = busy ]; then
				if [ "$l1" -gt "$l0" ] && [[ $last == "progress "* ]]; then
					pass "$name: still running after ${secs}s, $((l1 - l0)) progress lines in its last 2 s, at '$last'"
				else
					fail "$name: no progress in its last 2 s (lines $l0 then $l1, last '$last')"
				fi
			elif [ "${last%%:*}" != "$guest" ]; then
				fail "$name: still running after ${secs}s, but its last line is '$last'"
			elif [ $((t1 - t0)) -ge 10 ]; then
				fail "$name: QEMU used $((t1 - t0)) ticks of CPU in 2 s while '$last'"
			else
				pass "$name: still running after ${secs}s at '$last', QEMU used $((t1 - t0)) ticks of CPU in its last 2 s"
			fi
		else
			wait $pid; rc=$?
			fail "$name: QEMU exited with status $rc before ${secs}s (last line '$(lastline "$log")')"
		fi
		return
		;;
	esac
	timeout -k 5 "$tmo" "${cmd[@]}" </dev/null >"$dir/$name.qemu" 2>&1
	rc=$?
	end=$(date +%s)
	last=$(lastline "$log")
	sum=$(tr -d '\r' <"$log" | grep '^SUMMARY: ' | tail -n 1)
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		fail "$name: timed out after ${tmo}s (last line '$last')"
		return
	fi
	case "$expect" in
	pass)
		if [ $rc -ne 1 ]; then
			fail "$name: exit status $rc, expected 1 (last line '$last')"
		elif ! [[ $sum =~ ^SUMMARY:\ [0-9]+\ tests,\ 0\ unexpected\ failures ]]; then
			fail "$name: summary '$sum', expected 0 unexpected failures"
		elif grep -q '^FAIL: ' "$log"; then
			fail "$name: $(grep -c '^FAIL: ' "$log") FAIL lines under a clean summary"
		elif ! grep -q '^PASS: ' "$log"; then
			fail "$name: no PASS line"
		else
			pass "$name: ${sum#SUMMARY: } ($((end - start))s)"
		fi
		;;
	skip)
		if [ $rc -ne 1 ]; then
			fail "$name: exit status $rc, expected 1 (last line '$last')"
		elif ! [[ $sum =~ ^SUMMARY:\ [0-9]+\ tests,\ 0\ unexpected\ failures,\ [1-9][0-9]*\ skipped ]]; then
			fail "$name: summary '$sum', expected skips and no failure"
		elif grep -q '^FAIL: ' "$log"; then
			fail "$name: FAIL lines under a clean summary"
		else
			pass "$name: skips as it must: $(tr -d '\r' <"$log" | grep '^SKIP: ' | head -n 1)"
		fi
		;;
	fail=*)
		if [ $rc -ne 3 ]; then
			fail "$name: exit status $rc, expected 3 (last line '$last')"
		elif ! [[ $sum =~ ^SUMMARY:\ [0-9]+\ tests,\ [1-9][0-9]*\ unexpected\ failures ]]; then
			fail "$name: summary '$sum', expected failures"
		elif ! tr -d '\r' <"$log" | grep '^FAIL: ' | grep -qF -- "${expect#fail=}"; then
			fail "$name: no FAIL line says '${expect#fail=}'"
		else
			pass "$name: fails as it must: $(tr -d '\r' <"$log" | grep '^FAIL: ' | grep -F -- "${expect#fail=}" | head -n 1)"
		fi
		;;
	exit=*)
		if [ $rc -ne $((2 * ${expect#exit=} + 1)) ]; then
			fail "$name: exit status $rc, expected $((2 * ${expect#exit=} + 1)) (last line '$last')"
		elif [ -n "$sum" ]; then
			fail "$name: printed '$sum', expected none"
		else
			pass "$name: exit status $rc at '$last'"
		fi
		;;
	reset)
		if [ $rc -ne 0 ]; then
			fail "$name: exit status $rc, expected 0 from a reset (last line '$last')"
		elif [ -n "$sum" ]; then
			fail "$name: printed '$sum' instead of resetting"
		elif [ "${last%%:*}" != "$guest" ]; then
			fail "$name: reset, but its last line is '$last'"
		else
			pass "$name: reset after '$last'"
		fi
		;;
	*)
		fail "$name: unknown expectation '$expect' in $manifest"
		;;
	esac
}

if ! command -v "$qemu" >/dev/null 2>&1; then
	skip "all: $qemu is not installed"
else
	names=0
	while read -r name guest smp tmo expect args; do
		case "$name" in ''|'#'*) continue ;; esac
		if [ "$want" != "  " ] && [[ $want != *" $name "* ]] &&
		   [[ $want != *" $guest "* ]]; then
			continue
		fi
		names=$((names + 1))
		before=$f
		run_one "$name" "$guest" "$smp" "$tmo" "$expect" "$args"
		if [ $f -gt "$before" ] && [ -s "$dir/$name.log" ]; then
			echo "-- last 15 lines of $dir/$name.log:"
			tail -n 15 "$dir/$name.log" | tr -d '\r'
		fi
	done <"$manifest"
	[ $names -gt 0 ] || fail "no guest in $manifest matches '$*'"
fi
echo "guests $p $f $s" >"$result"
echo "guests: $p passed, $f failed, $s skipped"
[ $f -eq 0 ]
