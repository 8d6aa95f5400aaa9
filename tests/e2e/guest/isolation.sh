# SPDX-License-Identifier: GPL-2.0
# Isolation: a module in the console reads and writes every page of the
# vmkernel's region through a fresh mapping.  The vmkernel's code and data
# are unchanged (its checksum, and its log read back after unload), the
# attempts are logged with address and CPU, and Linux keeps running.
. ./lib.sh

region=$(vmk-cmdline get memmap)
size=$(( ${region%%M\$*} * 1048576 ))
base=$(( ${region#*\$} ))

check "loaded at boot" vmkload --status
before=$(vmkcall checksum)
check "the attack module runs to its end" insmod ./vmkx_isolation.ko base=$base size=$size
check "it reported finishing" sh -c 'dmesg | grep -q "vmkx_isolation: done"'
dmesg | grep 'vmkx_isolation:' | sed 's/^/  /'
check_eq "the vmkernel's checksum is unchanged" "$before" "$(vmkcall checksum)"
check "the attempts are logged with CPU and address" \
	grep -q "cpu[0-9]*: console \(read\|wrote\) vmkernel memory at 0x" /proc/vmware/log
npf=$(awk '{for (i = 1; i < NF; i++) if ($i == "nested") s += $(i + 1)} END {print s + 0}' /proc/vmware/cpuinfo)
if [ "$npf" -ge $((size / 4096)) ]; then
	pass "every page attempt was a nested page fault ($npf)"
else
	fail "every page attempt was a nested page fault ($npf < $((size / 4096)))"
fi
check "the console still runs and the vmkernel answers" sh -c 'vmkcall cpuid && vmkcall nop 0'
check "rmmod the attack module" rmmod vmkx_isolation
check "unload" vmkunload
# The log lives in the region; read back after unload it must be intact.
check "the vmkernel's log survived, intact" sh -c \
	'grep -q "left the vmkernel" /proc/vmware/log && ! grep -q "$(printf "\\245\\245\\245")" /proc/vmware/log'
check "load again" vmkload -q
check "no kernel warning in dmesg" kernel_clean

e2e_end
