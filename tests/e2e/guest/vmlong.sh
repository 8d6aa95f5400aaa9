# SPDX-License-Identifier: GPL-2.0
# A guest that enters 64-bit long mode by itself, as kvm-unit-tests'
# x86_64 tests do, runs in a VM on the vmkernel's CPUs (vmk.cpus=1-2):
# the long64 guest with one VCPU, then with two, where the second VCPU is
# started the kvm-unit-tests way (INIT and one SIPI to all but self,
# vector 0) and must reach long mode too.  Then the same guest through
# vmware-cmd as a user runs such a test: a .vmx whose kernel.module is
# an environment file (NR_CPUS=2) and whose kernel.cmdline is the test's
# arguments.  The registry is a scratch file: this boot has no datastore.
. ./lib.sh

G=/usr/lib/vmkx/guests
PATH=/opt/vmkx-tests:$PATH
T=/tmp/vmlong
export VMKX_REGISTRY=$T/vm-list
mkdir -p $T

# The guest's output, its result words in lower case so that the harness
# counts only this script's own.
show() { sed 's/^/    | /; s/PASS:/pass:/; s/FAIL:/fail:/; s/SKIP:/skip:/' "$1"; }
field() { tr ' ' '\n' < "$1" | sed -n "s/^$2=//p" | head -n 1; }
clean() {
	tr -d '\r' < "$1" | grep -Eq '^SUMMARY: [0-9]+ tests, 0 unexpected failures' &&
		! grep -q '^FAIL:' "$1"
}

check "loaded at boot" vmkload --status
if [ ! -f $G/long64.elf ]; then
	fail "the long64 guest is in the initrd"
	e2e_end
fi
free0=$(vmrun memfree)

# ---- one VCPU ----
vmrun run long1 16 120 $G/long64.elf "expect_hypervisor=1" "NR_CPUS=1" > $T.1 2>&1
show $T.1
check "long64, 1 VCPU: SUMMARY with no unexpected failure" clean $T.1
check "long64, 1 VCPU: it ran its checks in long mode" \
	grep -q "^PASS: long mode: EFER.LME and EFER.LMA set" $T.1
check_eq "long64, 1 VCPU: off through port 0xf4 with code 0" "off 0" \
	"$(field $T.1 state) $(field $T.1 exit_code)"

# ---- two VCPUs: the AP through real mode into long mode ----
id=$(vmrun create long2 16 2)
check "long64, 2 VCPUs: created ($id)" test -n "$id"
check "long64, 2 VCPUs: started" vmrun boot "$id" $G/long64.elf "expect_hypervisor=1" "NR_CPUS=2"
vmrun wait "$id" 120
vmrun serial "$id" > $T.2 2>&1
vmrun info "$id" >> $T.2 2>&1
show $T.2
clean $T.2 || { cat /proc/vmware/worlds; cat /proc/vmware/vm/$id/cpu/status; } 2>&1 | sed 's/^/    long2| /' 
check "long64, 2 VCPUs: SUMMARY with no unexpected failure" clean $T.2
check "long64, 2 VCPUs: the AP came online in long mode" \
	grep -q "^PASS: AP in long mode" $T.2
check "long64, 2 VCPUs: the AP took the BSP's IPIs" grep -q "^PASS: 10 IPIs to the halted AP" $T.2
check_eq "long64, 2 VCPUs: off with code 0" "off 0" "$(field $T.2 state) $(field $T.2 exit_code)"
check "long64, 2 VCPUs: destroyed" vmrun destroy "$id"

# ---- through vmware-cmd: the environment as kernel.module ----
mkdir -p $T/kut
printf 'NR_CPUS=2\n' > $T/kut/env
cat > $T/kut/kut.vmx <<EOF
displayName = "kut"
memsize = "16"
numvcpus = "2"
kernel = "$G/long64.elf"
kernel.module = "env"
kernel.cmdline = "expect_hypervisor=1"
EOF
check "vmware-cmd register kut.vmx (module: an environment file)" \
	vmware-cmd -s register $T/kut/kut.vmx
check "vmware-cmd start kut" vmware-cmd start kut
timeout 120 vmware-cmd serial -f kut > $T.3 2>&1
show $T.3
check "kut: SUMMARY with no unexpected failure" clean $T.3
clean $T.3 || { vmware-cmd info kut; cat /proc/vmware/worlds /proc/vmware/vm/*/cpu/status; } 2>&1 | sed 's/^/    kut| /'
check "kut: NR_CPUS=2 read from the module: the AP came online" \
	grep -q "^PASS: AP online after INIT and one SIPI" $T.3
check "kut: the command line reached the guest (hypervisor expected)" \
	grep -q "^PASS: CPUID.1 ECX hypervisor bit set" $T.3
check_eq "kut powered itself off" "getstate() = off" "$(vmware-cmd getstate kut 2>&1)"
check_eq "kut's exit code is 0" 0 "$(vmware-cmd info kut | awk '$1 == "exit_code" {print $2}')"
check "vmware-cmd destroy kut" vmware-cmd destroy kut
vmware-cmd -s unregister $T/kut/kut.vmx > /dev/null 2>&1

check_eq "no VM is left" "" "$(vmrun list)"
check_eq "every page is back (vmkernel free bytes)" "$free0" "$(vmrun memfree)"
check "no kernel warning in dmesg" kernel_clean

e2e_end
