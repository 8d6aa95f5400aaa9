#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Self-test of the test harness: feeds it the ways a run can go wrong
# and checks that each one is counted as a failure.  The e2e judge gets
# serial logs of boots that stopped early, exited non-zero, warned,
# oopsed, hung or never reached the prompt; the guest's kernel-log
# watcher and lib.sh get the same from inside; scripts/suite.sh and
# scripts/summary.sh get suites that crashed, left nothing, or exited
# non-zero while reporting success.  A good boot and a good suite must
# still pass.
#
# usage: tests/harness/selftest.sh RESULT

result=${1:-build/results/harness.result}
top=$(cd "$(dirname "$0")/../.." && pwd)
judge=$top/tests/e2e/judge.sh
guest=$top/tests/e2e/guest
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
p=0 f=0

ok() { p=$((p + 1)); echo "ok $((p + f)) - $*"; }
nok() { f=$((f + 1)); echo "not ok $((p + f)) - $*"; }

# A serial log of a boot that went well, with the serial port's CR LF
# line ends.
good_log() {
	sed 's/$/\r/' <<-'EOF'
	[    1.234567] Linux version 6.1.0
	[root@vmkx /]# 
	E2E-BEGIN t
	PASS: first check
	EXPECT-SERIAL: cpu0:1024) entering
	cpu0:1024) entering
	E2E-END t
	E2E-EXIT t 0
	E2E-DONE t
	[    9.000000] reboot: Power down
	EOF
}

# judged LOG RC: the judge's verdict lines for log file LOG.
judged() { "$judge" t "$1" "$2" 60 "$tmp/oops"; }

# expect_fail "what" "check it must fail" LOG [RC]
expect_fail() {
	if judged "$3" "${4:-0}" | grep -q "^FAIL: t: $2"; then
		ok "judge fails a boot that $1"
	else
		nok "judge fails a boot that $1 (expected 'FAIL: t: $2'; got: $(judged "$3" "${4:-0}" | grep -v '^PASS' | tr '\n' ' '))"
	fi
}

good_log >"$tmp/good"
v=$(judged "$tmp/good" 0)
if ! echo "$v" | grep -q '^FAIL' && [ "$(echo "$v" | grep -c '^PASS')" -eq 7 ]; then
	ok "judge passes a good boot with 7 checks"
else
	nok "judge passes a good boot with 7 checks (got: $(echo "$v" | tr '\n' ' '))"
fi

good_log | grep -v '^E2E-END' >"$tmp/early"
expect_fail "stopped before its last line" "script reached its last line" "$tmp/early"
good_log | sed 's/^E2E-EXIT t 0/E2E-EXIT t 2/' >"$tmp/exit2"
expect_fail "exited with status 2" "script exited with status 0" "$tmp/exit2"
good_log | grep -v '^E2E-EXIT' >"$tmp/noexit"
expect_fail "left no exit status" "script exited with status 0" "$tmp/noexit"
good_log | grep -v '^\[root@' >"$tmp/noprompt"
expect_fail "never reached the prompt" "shell prompt reached" "$tmp/noprompt"
good_log | grep -v 'Power down' >"$tmp/nopoweroff"
expect_fail "did not power off" "clean poweroff" "$tmp/nopoweroff"
expect_fail "timed out" "timed out" "$tmp/good" 124
expect_fail "was killed" "timed out" "$tmp/good" 137
good_log | grep -v '^cpu0:1024) entering' >"$tmp/noserial"
expect_fail "missed an expected serial line" "serial port shows" "$tmp/noserial"
good_log | sed 's/^PASS: first check/FAIL: first check/' >"$tmp/failed"
expect_fail "printed a FAIL line" "first check" "$tmp/failed"
for line in \
	'E2E-KMSG: WARNING: CPU: 1 PID: 77 at mm/page_alloc.c:5525' \
	'[   12.000000] general protection fault, probably for non-canonical address 0xdead: 0000 [#1]' \
	'[   12.000000] invalid opcode: 0000 [#1] PREEMPT SMP NOPTI' \
	'[   12.000000] BUG: kernel NULL pointer dereference, address: 0000000000000008' \
	'[   12.000000] unchecked MSR access error: WRMSR to 0xc0010117' \
	'[   12.000000] watchdog: BUG: soft lockup - CPU#1 stuck for 22s!' \
	'[   12.000000] rcu: INFO: rcu_preempt self-detected stall on CPU' \
	'[   12.000000] INFO: task sh:99 blocked for more than 120 seconds.' \
	'[   12.000000] Kernel panic - not syncing: Fatal exception'; do
	{ good_log; echo "$line"; } >"$tmp/bad"
	expect_fail "logged '${line#*] }'" "no kernel panic, oops or warning" "$tmp/bad"
done
{ good_log; echo '[   12.000000] traps: vmkcall[88] trap invalid opcode ip:401000 sp:7ffc error:0'; } >"$tmp/usertrap"
if judged "$tmp/usertrap" 0 | grep -q '^FAIL'; then
	nok "judge accepts a user program's own invalid-opcode trap"
else
	ok "judge accepts a user program's own invalid-opcode trap"
fi

# The guest side: the kernel-log watcher and lib.sh's end marker.
printf '%s\n' '6,100,1000,-;vmnix: loaded' \
	'4,101,1001,-;WARNING: CPU: 0 PID: 1 at kernel/x.c:1 f+0x1/0x2' \
	'6,102,1002,-;traps: a[1] trap invalid opcode ip:1 sp:2 error:0' >"$tmp/kmsg"
w=$("$guest/kmsg-watch" "$guest/kernel-bad.re" <"$tmp/kmsg")
if [ "$w" = "E2E-KMSG: WARNING: CPU: 0 PID: 1 at kernel/x.c:1 f+0x1/0x2" ]; then
	ok "kmsg-watch forwards the warning and only it"
else
	nok "kmsg-watch forwards the warning and only it (got '$w')"
fi
cd "$guest" || exit 1
out=$(E2E_NAME=t sh -c '. ./lib.sh; pass one; exit 0; e2e_end')
case "$out" in
*E2E-END*) nok "a script that exits half-way prints no end marker" ;;
*) ok "a script that exits half-way prints no end marker" ;;
esac
out=$(E2E_NAME=t sh -c '. ./lib.sh; pass one; e2e_end')
rc=$?
if [ $rc -eq 0 ] && [ "$(echo "$out" | tail -n 1)" = "E2E-END t" ]; then
	ok "e2e_end prints the end marker and exits 0"
else
	nok "e2e_end prints the end marker and exits 0 (status $rc: $out)"
fi
sh -c '. ./no-such-lib.sh; e2e_end' >/dev/null 2>&1
rc=$?
[ $rc -ne 0 ] && ok "a failing '. ./lib.sh' stops the script with status $rc" ||
	nok "a failing '. ./lib.sh' stops the script"
cd "$top" || exit 1

# Every boot in the manifests names a script that exists and ends with
# e2e_end (a script without it would fail every boot it runs in).
for m in tests/e2e/manifest tests/e2e/soak.manifest; do
	for t in $(awk '!/^#/ && NF { sub(/@.*/, "", $1); print $1 }' "$m" | sort -u); do
		g=$guest/$t.sh
		if [ ! -f "$g" ]; then
			nok "$m: boot '$t' has a script ($g)"
		elif [ "$(grep -v '^[[:space:]]*$' "$g" | tail -n 1)" != e2e_end ]; then
			nok "$m: $t.sh ends with e2e_end"
		else
			ok "$m: $t.sh exists and ends with e2e_end"
		fi
	done
done

# Suites: scripts/suite.sh and scripts/summary.sh.
r=$tmp/results
mkdir -p "$r"
scripts/suite.sh "$r" good sh -c "echo 'good 3 0 1' > $r/good.result" 2>/dev/null
scripts/suite.sh "$r" silent true 2>/dev/null
scripts/suite.sh "$r" crashed sh -c 'kill -SEGV $$' 2>/dev/null
scripts/suite.sh "$r" liar sh -c "echo 'liar 5 0 0' > $r/liar.result; exit 2" 2>/dev/null
scripts/suite.sh "$r" honest sh -c "echo 'honest 5 1 0' > $r/honest.result; exit 1" 2>/dev/null
for s in silent crashed liar; do
	[ -f "$r/$s.missing" ] && ok "suite.sh records that suite '$s' failed: $(cat "$r/$s.missing")" ||
		nok "suite.sh records that suite '$s' failed"
done
for s in good honest; do
	[ ! -f "$r/$s.missing" ] && ok "suite.sh leaves suite '$s' to its own result" ||
		nok "suite.sh leaves suite '$s' to its own result ($(cat "$r/$s.missing"))"
done
out=$(scripts/summary.sh "$r" good honest never)
rc=$?
last=$(echo "$out" | tail -n 1)
if [ $rc -ne 0 ] && [ "$last" = "13 passed, 5 failed, 1 skipped" ]; then
	ok "summary counts each missing or unrun suite once: $last"
else
	nok "summary counts each missing or unrun suite once (status $rc: $last)"
fi
r2=$tmp/results2
mkdir -p "$r2"
scripts/suite.sh "$r2" good sh -c "echo 'good 3 0 0' > $r2/good.result"
if scripts/summary.sh "$r2" good >/dev/null; then
	ok "summary passes a run whose suites all passed"
else
	nok "summary passes a run whose suites all passed"
fi

mkdir -p "$(dirname "$result")"
echo "harness $p $f 0" >"$result"
echo "harness: $p passed, $f failed"
[ "$f" -eq 0 ]
