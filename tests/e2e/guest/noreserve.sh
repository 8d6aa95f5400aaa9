# SPDX-License-Identifier: GPL-2.0
# Booted without memmap=: the vmkernel cannot load, says why, and the
# console keeps running.
. ./lib.sh

check "no memmap= on the command line" sh -c '! grep -q memmap= /proc/cmdline'
out=$(vmkload 2>&1)
rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "memmap="; then
	pass "vmkload without a reservation explains itself: $out"
else
	fail "vmkload without a reservation explains itself (status $rc: $out)"
fi
out=$(vmkload --mem=64M@0x10000000 2>&1)
rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "not reserved"; then
	pass "the shim refuses unreserved memory: $out"
else
	fail "the shim refuses unreserved memory (status $rc: $out)"
fi
check "not loaded" sh -c 'vmkload --status; [ $? -eq 3 ]'
check "the console still runs" sh -c 'ls /proc/vmware >/dev/null'

e2e_end
