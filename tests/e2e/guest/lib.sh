# SPDX-License-Identifier: GPL-2.0
# Helpers for e2e tests that run inside the service console.  Each check
# prints one line that the host harness counts: "PASS: what",
# "FAIL: what (details)" or "SKIP: what (reason)".

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

# True when the kernel has logged no BUG, oops, WARN(), lockup, RCU stall
# or unstable clocksource.
kernel_clean() {
	! dmesg | grep -E 'BUG:|Oops|WARNING: CPU:|soft lockup|self-detected stall|RCU stall|clocksource.*unstable|Call Trace'
}
