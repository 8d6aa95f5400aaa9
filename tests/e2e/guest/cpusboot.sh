# SPDX-License-Identifier: GPL-2.0
# vmk.cpus=1 vmk.helpers=1 on the kernel command line (make run's
# default): S90vmkernel gives CPU 1 to the vmkernel as soon as it is
# loaded and starts a helper world there.
. ./lib.sh
. ./cpuslib.sh

check "loaded at boot" vmkload --status
check_eq "cpuinfo: cpu1 given at boot (vmk.cpus=1)" vmkernel "$(cpu_state 1)"
check_eq "Linux has only CPU 0 online" 0 "$(cat /sys/devices/system/cpu/online)"
check_eq "the idle world of cpu1 runs" running "$(vmkworld list | awk '$2 == "idle01" { print $4 }')"
# /proc/vmware/worlds shows the vmkernel's own worlds on its CPU.
check "/proc/vmware/worlds: idle01 is an idle world on cpu 1" \
	grep -q '^world [0-9]* name idle01 type idle state [a-z]* cpu 1 ' /proc/vmware/worlds
check "/proc/vmware/worlds: helper0 is a helper world on cpu 1" \
	grep -q '^world [0-9]* name helper0 type helper state [a-z]* cpu 1 ' /proc/vmware/worlds
h=$(vmkworld list | awk '$2 == "helper0" { print $1 }')
p1=$(wstat "$h" progress)
sleep 1
p2=$(wstat "$h" progress)
if [ -n "$p1" ] && [ -n "$p2" ] && [ "$p2" -gt "$p1" ]; then
	pass "the helper world works on its own (progress $p1 -> $p2 in 1 s)"
else
	fail "the helper world works on its own (progress '$p1' -> '$p2' in 1 s)"
fi
check "vmkcpu set none takes it back" vmkcpu set none
check_eq "Linux has CPUs 0-1 online" 0-1 "$(cat /sys/devices/system/cpu/online)"
check "S90vmkernel restart gives it again" /etc/init.d/S90vmkernel restart
check_eq "cpuinfo: cpu1 given again" vmkernel "$(cpu_state 1)"
check "no kernel warning in dmesg" kernel_clean

e2e_end
