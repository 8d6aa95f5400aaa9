# SPDX-License-Identifier: GPL-2.0
# A VM with two VCPUs on two vmkernel CPUs (vmk.cpus=1-2): the smp test
# guest starts its second VCPU with INIT and SIPI and exchanges IPIs with
# it; both VCPU worlds belong to the VM's group; the apic guest runs on
# the same platform; destroying the VM returns every page.
. ./lib.sh

G=/usr/lib/vmkx/guests
T=/tmp/vms
export VMKX_REGISTRY=$T/vm-list
mkdir -p $T/smp $T/apic
memfree_vmk() { awk '$1 == "free" {print $2}' /proc/vmware/mem; }
state() { vmware-cmd getstate "$1" 2>&1 | sed 's/getstate() = //'; }
show() { sed 's/^/    | /; s/PASS:/pass:/; s/FAIL:/fail:/; s/SKIP:/skip:/' "$1"; }
# run NAME: wait for it to power itself off, show and check its COM1.
run() {
	n=0
	while [ "$(state $1)" = running ] && [ $n -lt 120 ]; do sleep 1; n=$((n + 1)); done
	vmware-cmd serial $1 > /tmp/$1.out
	show /tmp/$1.out
	check "$1: SUMMARY with no unexpected failure" \
		grep -q "^SUMMARY: .* 0 unexpected failures" /tmp/$1.out
	check_eq "$1: powered itself off" off "$(state $1)"
}

if [ ! -f $G/smp.elf ]; then
	skip "SMP VMs (no smp test guest in this initrd)"
	e2e_end
fi
check_eq "two vmkernel CPUs" 2 "$(vmkcpu list | grep -c vmkernel)"
free0=$(memfree_vmk)
printf 'displayName = "smp"\nmemsize = "16"\nnumvcpus = "2"\nkernel = "%s"\n' $G/smp.elf > $T/smp/smp.vmx
check "start a 2-VCPU VM" vmware-cmd start $T/smp/smp.vmx
id=$(vmware-cmd -l | awk '$2 == "smp" {print $1}')
check_eq "/proc/vmware/vm/$id/cpu/status: two VCPU worlds" 2 \
	"$(awk '$1 == "worlds" {print NF - 1}' /proc/vmware/vm/$id/cpu/status)"
cat /proc/vmware/vm/$id/cpu/status | sed 's/^/    /'
run smp
check "destroy it" vmware-cmd destroy smp

for n in 1 2; do
	printf 'displayName = "apic"\nmemsize = "16"\nnumvcpus = "%s"\nkernel = "%s"\n' $n $G/apic.elf > $T/apic/apic.vmx
	check "the apic guest in a $n-VCPU VM" vmware-cmd start $T/apic/apic.vmx
	run apic
	check "destroy it" vmware-cmd destroy apic
done
check_eq "every page back" "$free0" "$(memfree_vmk)"
e2e_end
