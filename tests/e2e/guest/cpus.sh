# SPDX-License-Identifier: GPL-2.0
# CPUs for the vmkernel: a console CPU is given and taken back, runs the
# vmkernel's idle world with its own timer while given, and Linux has it
# back online and working afterwards.
. ./lib.sh

state() { awk -v c="cpu$1" '$1 == c { for (i = 1; i < NF; i++) if ($i == "state") print $(i + 1) }' /proc/vmware/cpuinfo; }

check "loaded at boot" vmkload --status
vmkcpu give 1; echo "give rc $?"
cat /proc/vmware/cpuinfo
vmkcpu list
cat /sys/devices/system/cpu/online
vmkworld list
sleep 1
vmkworld list
id=$(vmkworld create --name=b1)
echo "id $id"
sleep 1
vmkworld list
vmkworld stats "$id"
vmkworld destroy "$id"; echo "destroy rc $?"
vmkworld list
vmkcpu take 1; echo "take rc $?"
cat /proc/vmware/cpuinfo
cat /sys/devices/system/cpu/online
taskset -c 1 vmkcall cpuid
vmkcall log | tail -30
cat /proc/vmware/log | tail -30
check "no kernel warning in dmesg" kernel_clean
