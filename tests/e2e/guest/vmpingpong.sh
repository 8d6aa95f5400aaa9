# SPDX-License-Identifier: GPL-2.0
# Two VCPUs that halt and wake each other on two vmkernel CPUs
# (vmk.cpus=1-2): the smp test guest bounces an IPI between its VCPUs for
# PP_S seconds, each halting until the other's arrives, so the VCPU
# worlds wait on one CPU and are woken, placed and pulled by the other
# thousands of times (what a two-VCPU Linux guest's reschedule IPIs do).
# The vmkernel must not panic, the guest must count every round, and the
# VM must power itself off with every page returned.
. ./lib.sh

G=/usr/lib/vmkx/guests
T=/tmp/vmpp
PP_S=60
export VMKX_REGISTRY=$T/vm-list
mkdir -p $T/pp
memfree_vmk() { awk '$1 == "free" {print $2}' /proc/vmware/mem; }
state() { vmware-cmd getstate "$1" 2>&1 | sed 's/getstate() = //'; }

if [ ! -f $G/smp.elf ]; then
	skip "IPI ping-pong (no smp test guest in this initrd)"
	e2e_end
fi
check_eq "two vmkernel CPUs" 2 "$(vmkcpu list | grep -c vmkernel)"
free0=$(memfree_vmk)
printf 'displayName = "pp"\nmemsize = "16"\nnumvcpus = "2"\nkernel = "%s"\nkernel.cmdline = "pingpong=%s"\n' \
	$G/smp.elf $PP_S > $T/pp/pp.vmx
check "start a 2-VCPU VM with pingpong=$PP_S" vmware-cmd start $T/pp/pp.vmx
n=0
while [ "$(state pp)" = running ] && [ $n -lt $((PP_S * 4 + 60)) ]; do
	sleep 1
	n=$((n + 1))
done
vmware-cmd serial pp > $T/pp.out
sed 's/^/    | /; s/PASS:/pass:/; s/FAIL:/fail:/; s/SKIP:/skip:/' $T/pp.out
check "pp: the ping-pong ran every round" grep -q "^PASS: ping-pong with HLT" $T/pp.out
check "pp: SUMMARY with no unexpected failure" \
	grep -q "^SUMMARY: .* 0 unexpected failures" $T/pp.out
check_eq "pp: powered itself off" off "$(state pp)"
grep -q "^PASS: ping-pong with HLT" $T/pp.out ||
	{ grep "vm[0-9]* vcpu[0-9]*: " /proc/vmware/log | tail -n 24; cat /proc/vmware/worlds; } |
		sed 's/^/    log| /'
rounds=$(sed -n 's/^PASS: ping-pong with HLT: \([0-9]*\) rounds.*/\1/p' $T/pp.out)
echo "    ping-pong rounds in ${PP_S} s: ${rounds:-none}"
vmware-cmd info pp 2>/dev/null | grep -i -e exits -e halt | sed 's/^/    info| /'
check "destroy it" vmware-cmd destroy pp
check_eq "every page back" "$free0" "$(memfree_vmk)"
check "the vmkernel still answers" vmkcall info
e2e_end
