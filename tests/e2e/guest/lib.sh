# SPDX-License-Identifier: GPL-2.0
# Helpers for e2e tests that run inside the service console.  Each check
# prints one line that the host harness counts: "PASS: what",
# "FAIL: what (details)" or "SKIP: what (reason)".  Every script ends
# with e2e_end: the harness fails a boot whose script did not reach it.

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; }
skip() { echo "SKIP: $*"; }

# check "what" command...: passes if the command succeeds.
check() {
	what=$1
	shift
	if "$@" >/tmp/check.out 2>&1; then
		pass "$what"
	else
		fail "$what (\`$*\` failed: $(tail -n 3 /tmp/check.out | tr '\n' ' '))"
	fi
}

# check_eq "what" EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1 (expected '$2', got '$3')"
	fi
}

mounted_as() { grep -q "^[^ ]* $1 $2 " /proc/mounts; }

# The last line of every test script: proves to the harness that the
# script ran to its end (an early exit or a shell error never prints it).
e2e_end() {
	echo "E2E-END ${E2E_NAME:-unnamed}"
	exit 0
}

# True when the kernel has logged nothing of kernel-bad.re (oopses,
# warnings, lockups, stalls, hung tasks) and no unstable clocksource.
kernel_clean() {
	! dmesg | grep -E "$(cat /opt/vmkx-tests/kernel-bad.re)|clocksource.*unstable"
}

# MemFree in kB after dropping the page cache, counting the pages that
# sit in the per-CPU free lists (which MemFree leaves out, and which grow
# and shrink with the number of CPUs that freed memory last).
memfree() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	pcp=$(awk '$1 == "count:" {s += $2} END {print s * 4}' /proc/zoneinfo)
	awk -v pcp="$pcp" '/^MemFree:/ {print $2 + pcp}' /proc/meminfo
}

# memfree_within_1pct BEFORE AFTER: passes if they differ by at most 1%.
memfree_within_1pct() {
	d=$(($1 > $2 ? $1 - $2 : $2 - $1))
	if [ $((d * 100)) -le "$1" ]; then
		pass "MemFree back within 1% (before $1 kB, after $2 kB)"
	else
		fail "MemFree back within 1% (before $1 kB, after $2 kB)"
	fi
}
