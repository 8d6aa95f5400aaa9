# SPDX-License-Identifier: GPL-2.0
# The handoff: the vmkernel is loaded at boot, Linux keeps running as the
# console world on every CPU, /proc/vmware answers, a workload checks its
# own results, and after unload the console is on bare hardware again.
. ./lib.sh

ncpu=$(grep -c ^processor /proc/cpuinfo)

check "vmkernel loaded at boot" vmkload --status
out=$(/etc/init.d/S90vmkernel status 2>&1)
case "$out" in
*"loaded ("*) pass "S90vmkernel status: $out" ;;
*) fail "S90vmkernel status says loaded (got '$out')" ;;
esac
check "/proc/vmware/version names the vmkernel" grep -q '^vmkernel vmkx' /proc/vmware/version
check "/proc/vmware/version says loaded" grep -qx 'loaded yes' /proc/vmware/version
if vmk-cmdline bool vmk.debug 0; then
	check "vmk.debug=1: the debug image runs" grep -q '^vmkernel vmkx .*-debug$' /proc/vmware/version
else
	check "the release image runs" sh -c "! grep -q -- '-debug$' /proc/vmware/version"
fi
check_eq "vmkernel runs on every CPU" "$ncpu" "$(awk '$1 == "cpus_running" {print $2}' /proc/vmware/version)"
check_eq "/proc/vmware/cpuinfo: every CPU in state console" "$ncpu" \
	"$(grep -c 'state console' /proc/vmware/cpuinfo)"
check_eq "/proc/vmware/worlds: a running console world per CPU" "$ncpu" \
	"$(grep -c 'type console state running' /proc/vmware/worlds)"
check_eq "/proc/vmware/worlds: a waiting idle world per console CPU" "$ncpu" \
	"$(grep -c 'type idle state waiting' /proc/vmware/worlds)"
check_eq "/proc/vmware/worlds: world IDs are unique" "$((2 * ncpu))" \
	"$(awk '{print $2}' /proc/vmware/worlds | sort -u | wc -l)"
# A console world runs all the time: its used time grows as the console's
# clock does (within 10% and 50 ms), and it is never ready.
up_us() { awk '{split($1, a, "."); print a[1] * 1000000 + a[2] * 10000}' /proc/uptime; }
used1=$(awk '$6 == "console" && $10 == 0 {print $16}' /proc/vmware/worlds)
t1=$(up_us)
sleep 1
line=$(awk '$6 == "console" && $10 == 0' /proc/vmware/worlds)
t2=$(up_us)
used2=$(echo "$line" | awk '{print $16}')
du=$((used2 - used1)) dt=$((t2 - t1))
check "console world of CPU 0: used time grew with the clock ($du us in $dt us)" \
	[ $((du - dt)) -le $((dt / 10 + 50000)) -a $((dt - du)) -le $((dt / 10 + 50000)) ]
check "console world of CPU 0: shares 2000, never ready or co-stopped ($line)" \
	sh -c "echo '$line' | grep -q 'shares 2000 used_us [0-9]* ready_us 0 wait_us 0 cstp_us 0 '"
cw0=$(awk '$6 == "console" && $10 == 0 {print $2}' /proc/vmware/worlds)
check "/proc/vmware/log has ESX-shaped lines naming CPU 0's console world ($cw0)" \
	grep -q "^[0-9]*:[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9][0-9][0-9] cpu0:$cw0) " /proc/vmware/log

# /proc/vmware/mem: the region, and the heaps of the start-up.
memv() { awk -v k="$1" '$1 == k {print $2}' /proc/vmware/mem; }
heapv() { awk -v h="$1" -v k="$2" '$1 == "heap" && $2 == h {for (i = 3; i < NF; i++) if ($i == k) print $(i + 1)}' /proc/vmware/mem; }
region=$(awk '$1 == "region" {print $3}' /proc/vmware/version)
check_eq "/proc/vmware/mem: total is the region" "$region" "$(memv total)"
check_eq "/proc/vmware/mem: used + free = total" "$(memv total)" "$(( $(memv used) + $(memv free) ))"
check_eq "/proc/vmware/mem: used is what version says" "$(memv used)" \
	"$(awk '$1 == "mem_used" {print $2}' /proc/vmware/version)"
check "/proc/vmware/mem: most of the region is free ($(memv free) of $(memv total))" \
	[ "$(memv free)" -gt $(( $(memv total) / 2 )) ]
for h in machine world kernel; do
	check "/proc/vmware/mem: heap $h is listed" grep -q "^heap $h " /proc/vmware/mem
done
check "/proc/vmware/mem: the machine heap holds page tables and stacks ($(heapv machine held) bytes)" \
	[ "$(heapv machine held)" -ge $((64 * 1024)) ]
check "/proc/vmware/mem: the world heap holds $((2 * ncpu)) worlds ($(heapv world in_use) bytes)" \
	[ "$(heapv world in_use)" -ge $((2 * ncpu * 512)) ]
check "/proc/vmware/mem: high-water marks are at least the use" \
	[ "$(heapv world in_use_hwm)" -ge "$(heapv world in_use)" -a "$(heapv machine held_hwm)" -ge "$(heapv machine held)" ]

for c in $(seq 0 $((ncpu - 1))); do
	check "CPUID hypervisor leaf from user space on CPU $c" taskset -c "$c" vmkcall cpuid
	check "vmkcall from user mode gets -EPERM on CPU $c" taskset -c "$c" vmkcall user-nop
	check "vmkcall from the shim on CPU $c" vmkcall nop "$c"
done
# Numbers the ABI does not define reach the vmkernel, which answers -ENOSYS.
check_eq "unknown vmkcall 0x7fffffff gets -ENOSYS" -38 "$(vmkcall raw 0x7fffffff 2>&1)"
check_eq "unknown vmkcall 0xffffffff gets -ENOSYS" -38 "$(vmkcall raw 0xffffffff 1 2 3 2>&1)"
# UNLOAD (5 in vmnix_abi.h) is the shim's alone: a tool's request is refused.
out=$(vmkcall raw 5 2>&1)
check_eq "a tool's UNLOAD is refused with EPERM" \
	"vmkcall: call 5: Operation not permitted" "$out"
check_eq "every CPU still in the vmkernel after the refused UNLOAD" "$ncpu" \
	"$(awk '$1 == "cpus_running" {print $2}' /proc/vmware/version)"
check "the CPUID exits are counted" sh -c \
	'awk "{for (i = 1; i < NF; i++) if (\$i == \"cpuid\") s += \$(i + 1)} END {exit !(s > 0)}" /proc/vmware/cpuinfo'

# A workload that verifies its own results, on every CPU.
if stress-ng --cpu "$ncpu" --vm 1 --vm-bytes 32M --verify --timeout 8s \
	--metrics-brief >/tmp/stress.out 2>&1; then
	pass "stress-ng --verify under the vmkernel: $(grep -o "successful run completed.*" /tmp/stress.out)"
else
	fail "stress-ng --verify under the vmkernel ($(tail -n 3 /tmp/stress.out | tr '\n' ' '))"
fi
check "rmmod vmnix is refused while loaded" sh -c '! rmmod vmnix 2>/dev/null'
check "a second load is refused while loaded" sh -c '! vmkload -q 2>/dev/null'

check "vmkunload" vmkunload
check "vmkload --status says not loaded" sh -c 'vmkload --status; [ $? -eq 3 ]'
for c in $(seq 0 $((ncpu - 1))); do
	check "CPU $c is on bare hardware (no hypervisor leaf)" sh -c "! taskset -c $c vmkcall cpuid"
done
check "user-mode VMMCALL faults on bare hardware" sh -c 'vmkcall user-nop | grep -q SIGILL'
check "/proc/vmware/version says not loaded" grep -qx 'loaded no' /proc/vmware/version
check "the log is kept after unload" grep -q 'left the vmkernel' /proc/vmware/log
check "rmmod vmnix after unload" rmmod vmnix
check "load again, copying the log to the serial port" vmkload -q --serial-log
echo "EXPECT-SERIAL: cpu0:$cw0) cpu0: entering; Linux CPU 0 continues as console world $cw0"
check "S90vmkernel restart" /etc/init.d/S90vmkernel restart
check "loaded after restart" vmkload --status
check "S90vmkernel stop" /etc/init.d/S90vmkernel stop
check "not loaded after stop" sh -c 'vmkload --status; [ $? -eq 3 ]'

e2e_end
