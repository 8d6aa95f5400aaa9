# SPDX-License-Identifier: GPL-2.0
# Kernel command-line switches reach the init scripts.
. ./lib.sh

check_eq "vmk.hostname= sets the host name" "esx01" "$(hostname)"
check_eq "quoted value read whole" "a b" "$(vmk-cmdline get vmk.custom)"
check_eq "absent switch falls back to its default" "dflt" "$(vmk-cmdline get vmk.nothere dflt)"
check "vmk.autoload=0 reads as false" sh -c '! vmk-cmdline bool vmk.autoload 1'
check "vmk-cmdline list shows the vmk. switches" sh -c 'vmk-cmdline list | grep -qx vmk.autoload=0'
check "vmk-cmdline --help" vmk-cmdline --help
check "vmk-cmdline rejects a bad command" sh -c '! vmk-cmdline frobnicate 2>/dev/null'
out=$(RC_BOOT=1 /etc/init.d/S90vmkernel start 2>&1)
case "$out" in
*"vmk.autoload=0"*) pass "S90vmkernel start at boot honours vmk.autoload=0 ($out)" ;;
*) fail "S90vmkernel start at boot honours vmk.autoload=0 (got '$out')" ;;
esac

e2e_end
