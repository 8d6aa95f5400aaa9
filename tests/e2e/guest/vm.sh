# SPDX-License-Identifier: GPL-2.0
# Virtual machines on the vmkernel's CPU (vmk.cpus=1), driven through the
# VM vmkcalls by vmrun, below any management tool.
. ./lib.sh

G=/usr/lib/vmkx/guests
PATH=/opt/vmkx-tests:$PATH

check "loaded at boot" vmkload --status
vmrun run cpuid 16 60 $G/cpuid.elf "expect_hypervisor=1" "NR_CPUS=1" > /tmp/cpuid.out 2>&1
cat /tmp/cpuid.out
check "cpuid guest: passes" grep -q "^SUMMARY: .* 0 unexpected failures" /tmp/cpuid.out

e2e_end
