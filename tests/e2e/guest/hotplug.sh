# SPDX-License-Identifier: GPL-2.0
# CPU hotplug with the vmkernel loaded: a CPU that goes offline leaves the
# vmkernel, and comes back as a console world.  Unloading with a CPU
# offline works; a CPU that was offline at load time stays out until the
# vmkernel is unloaded.  Suspend is refused while loaded.
. ./lib.sh

cpu1=/sys/devices/system/cpu/cpu1/online
state() { awk -v c="cpu$1" '$1 == c { for (i = 1; i < NF; i++) if ($i == "state") print $(i + 1) }' /proc/vmware/cpuinfo; }

check "loaded at boot" vmkload --status
check "CPU 1 goes offline while loaded" sh -c "echo 0 > $cpu1"
check_eq "cpuinfo: cpu1 is off" off "$(state 1)"
check_eq "cpuinfo: cpu0 still a console world" console "$(state 0)"
check "CPU 0 still under the vmkernel" taskset -c 0 vmkcall cpuid
check "CPU 1 comes back online" sh -c "echo 1 > $cpu1"
check_eq "cpuinfo: cpu1 is a console world again" console "$(state 1)"
check "CPU 1 under the vmkernel again" taskset -c 1 vmkcall cpuid
check "vmkcall on CPU 1 after coming back" vmkcall nop 1
for i in 1 2 3; do
	echo 0 > $cpu1 && echo 1 > $cpu1 || fail "offline/online cycle $i"
done
check_eq "after three more cycles cpu1 is a console world" console "$(state 1)"

check "CPU 1 offline again" sh -c "echo 0 > $cpu1"
check "unload with CPU 1 offline works" vmkunload
check "CPU 1 comes online on bare hardware" sh -c "echo 1 > $cpu1"
check "CPU 1 on bare hardware" sh -c '! taskset -c 1 vmkcall cpuid'

check "CPU 1 offline before the load" sh -c "echo 0 > $cpu1"
check "load with CPU 1 offline" vmkload -q
check_eq "the vmkernel took one CPU" 1 "$(awk '$1 == "cpus" {print $2}' /proc/vmware/version)"
check "CPU 1 may not join later" sh -c "! echo 1 > $cpu1 2>/dev/null"
check "the refusal is explained" sh -c 'dmesg | grep -q "was offline when the vmkernel was loaded"'
check "unload" vmkunload
check "then CPU 1 comes online" sh -c "echo 1 > $cpu1"

check "load again on both CPUs" vmkload -q
if [ -w /sys/power/state ] && grep -q freeze /sys/power/state; then
	check "suspend is refused while loaded" sh -c '! echo freeze > /sys/power/state 2>/dev/null'
	check "still loaded after the refused suspend" vmkload --status
else
	skip "suspend is refused while loaded (this kernel offers no suspend state)"
fi
check "no kernel warning in dmesg" kernel_clean

e2e_end
