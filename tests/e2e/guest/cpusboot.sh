# SPDX-License-Identifier: GPL-2.0
# vmk.cpus=1 on the kernel command line: S90vmkernel gives CPU 1 to the
# vmkernel as soon as it is loaded.
. ./lib.sh
. ./cpuslib.sh

check "loaded at boot" vmkload --status
check_eq "cpuinfo: cpu1 given at boot (vmk.cpus=1)" vmkernel "$(cpu_state 1)"
check_eq "Linux has only CPU 0 online" 0 "$(cat /sys/devices/system/cpu/online)"
check_eq "the idle world of cpu1 runs" running "$(vmkworld list | awk '$2 == "idle01" { print $4 }')"
check "vmkcpu set none takes it back" vmkcpu set none
check_eq "Linux has CPUs 0-1 online" 0-1 "$(cat /sys/devices/system/cpu/online)"
check "S90vmkernel restart gives it again" /etc/init.d/S90vmkernel restart
check_eq "cpuinfo: cpu1 given again" vmkernel "$(cpu_state 1)"
check "no kernel warning in dmesg" kernel_clean

e2e_end
