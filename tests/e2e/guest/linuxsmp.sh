# SPDX-License-Identifier: GPL-2.0
# The `linux-smp` example VM (2 VCPUs) on two vmkernel CPUs
# (vmk.cpus=1-2): the guest brings up both CPUs (its start-up line and
# /proc/cpuinfo say 2), runs a CPU workload pinned to each at once and
# the pipe ping-pong between them, every result checked, and both CPUs'
# time in /proc/stat grows; then `poweroff` in the guest halts both
# VCPUs with interrupts off and the VM is off; destroy returns every
# page; the guest's and the console's kernel logs are clean.
. ./lib.sh
T=/tmp/linuxsmp
. ./linuxlib.sh

DS=/vmfs/volumes/datastore1
V=linux-smp
BOOT_S=400

if ! vmkload --status >/dev/null 2>&1; then
	fail "the vmkernel is not loaded"
	e2e_end
fi
if ! grep -q " $DS " /proc/mounts; then
	fail "the datastore is mounted (qemu.DATASTORE in the manifest)"
	e2e_end
fi
for n in linux linux-smp; do
	vmware-cmd -s unregister $DS/$n/$n.vmx >/dev/null 2>&1
	rm -rf "${DS:?}/$n"
done
/etc/init.d/S30datastore restart > $T/ds.out 2>&1
check "S30datastore made $DS/$V/$V.vmx with 2 VCPUs" grep -q '^numvcpus = "2"' $DS/$V/$V.vmx

free0=$(lx_memfree)
lx_vlog_mark
: > $T/$V.log
if ! vmware-cmd start $V > $T/start.out 2>&1; then
	fail "vmware-cmd start $V: $(cat $T/start.out)"
	e2e_end
fi
pass "vmware-cmd start $V: $(head -n 1 $T/start.out)"
lx_follow $V
b1=$(lx_first_boot $V $BOOT_S) || e2e_end
hello=$(lx_log $V | grep '^vmkx-guest: Linux ' | tail -n 1)
case "$hello" in
*", 2 CPU(s), "*) pass "$V: start-up line '$hello'" ;;
*) fail "$V: start-up line '$hello', expected 2 CPUs" ;;
esac
check "$V: the guest kernel brought up 2 CPUs" \
	sh -c "tr -d '\r' < $T/$V.log | grep -q 'smp: Brought up 1 node, 2 CPUs'"

rc=$(lx_run $V 60 "grep -c ^processor /proc/cpuinfo")
check_eq "$V: /proc/cpuinfo lists 2 processors" "0 2" "${rc:-timeout} $(cat $T/$V.out 2>/dev/null)"

# Each CPU's user time (ticks) before and after, and a workload on each.
# The command typed is short, and the console picks the fields.
lx_run $V 60 "grep ^cpu /proc/stat" > /dev/null
cp $T/$V.out $T/stat0
rc=$(lx_run $V 600 "taskset -c 0 vmkbench cpu 5 > /tmp/c0 & taskset -c 1 vmkbench cpu 5 > /tmp/c1; s1=\$?; wait \$!; s0=\$?; cat /tmp/c0 /tmp/c1; [ \$s0\$s1 = 00 ]")
check_eq "$V: vmkbench cpu on CPU 0 and CPU 1 at once checked its results" 0 "${rc:-timeout}"
check_eq "$V: both runs printed a result" 2 "$(grep -cE '^cpu [0-9.]+ [0-9]+$' $T/$V.out)"
lx_run $V 60 "grep ^cpu /proc/stat" > /dev/null
cp $T/$V.out $T/stat1
for c in cpu0 cpu1; do
	u0=$(awk -v c=$c '$1 == c {print $2}' $T/stat0)
	u1=$(awk -v c=$c '$1 == c {print $2}' $T/stat1)
	if [ -n "$u0" ] && [ -n "$u1" ] && [ "$u1" -gt "$u0" ]; then
		pass "$V: $c's user time grew ($u0 -> $u1 ticks)"
	else
		fail "$V: $c's user time did not grow ('$u0' -> '$u1')"
		sed 's/^/    before| /' $T/stat0
		sed 's/^/    after| /' $T/stat1
		lx_show $V 40
	fi
done
rc=$(lx_run $V 600 "vmkbench pipe")
check_eq "$V: vmkbench pipe between the two CPUs checked its results" 0 "${rc:-timeout}"
sed 's/^/    guest| /' $T/$V.out
[ "$rc" = 0 ] || lx_show $V 20

# ---- poweroff in the guest: every VCPU halted with interrupts off ----
lx_send $V poweroff
i=0
while [ "$(lx_state $V)" = running ] && [ $i -lt 120 ]; do sleep 1; i=$((i + 1)); done
check_eq "poweroff in the guest: the VM is off" off "$(lx_state $V)"
reason=$(lx_info $V reason)
case "$reason" in
*halted*) pass "poweroff: reason '$reason'" ;;
*) fail "poweroff: reason '$reason', expected the guest halting every VCPU" ;;
esac
lx_unfollow $V
lx_clean $V

check "vmware-cmd destroy $V" vmware-cmd destroy $V
check_eq "every page is back (vmkernel free bytes)" "$free0" "$(lx_memfree)"
lx_vlog_clean
check "no kernel warning in the console's dmesg" kernel_clean

e2e_end
