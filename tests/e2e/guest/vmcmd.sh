# SPDX-License-Identifier: GPL-2.0
# vmware-cmd end to end, on one vmkernel CPU (vmk.cpus=1): the cpuid test
# guest runs to its SUMMARY and powers off; the spin guest (forever) runs while
# /proc/vmware/vm/<id>/ shows it, its shares, min and max change live
# (through the tool and through /proc), a second start is refused, reset
# keeps its id, attach detaches on Ctrl-], and destroy returns every page.
# Bad .vmx files, a missing kernel, an unknown name, too much memory and
# a reservation that cannot be met are refused with their reason and
# change nothing.  The registry is a scratch file: this boot has no
# datastore.
. ./lib.sh

G=/usr/lib/vmkx/guests
T=/tmp/vms
export VMKX_REGISTRY=$T/vm-list
mkdir -p $T

# refused "what" "expected message" command...: exit status 1 (2 for bad
# usage), the message
# on stderr, and the vmkernel's VM list and free memory unchanged.
refused() {
	what=$1 want=$2
	shift 2
	before="$(vms) $(memfree_vmk)"
	"$@" > /tmp/out 2>&1
	rc=$?
	after="$(vms) $(memfree_vmk)"
	if [ $rc -eq 1 -o $rc -eq 2 ] && grep -q -- "$want" /tmp/out && [ "$before" = "$after" ]; then
		pass "$what refused: $(head -n 1 /tmp/out)"
	else
		fail "$what (status $rc, wanted '$want', vms+free '$before' -> '$after'): $(cat /tmp/out)"
	fi
}
vms() { vmware-cmd -l 2>&1 | awk 'NR > 1 && $1 != "-" {printf "%s:%s ", $1, $3}'; }
memfree_vmk() { awk '$1 == "free" {print $2}' /proc/vmware/mem; }
vmid() { vmware-cmd -l | awk -v n="$1" '$2 == n && $1 != "-" {print $1}'; }
state() { vmware-cmd getstate "$1" 2>&1 | sed 's/getstate() = //'; }

vmx() {		# vmx NAME KERNEL [KEY=VALUE...]
	n=$1 k=$2
	shift 2
	mkdir -p $T/$n
	{
		echo "displayName = \"$n\""
		echo "memsize = \"16\""
		echo "kernel = \"$k\""
		for kv in "$@"; do echo "${kv%%=*} = \"${kv#*=}\""; done
	} > $T/$n/$n.vmx
}

if ! vmkload --status >/dev/null 2>&1; then
	fail "the vmkernel is not loaded"
	e2e_end
fi
if [ ! -f $G/cpuid.elf ] || [ ! -f $G/spin.elf ]; then
	skip "vmware-cmd end to end (no cpuid or spin test guest in this initrd)"
	e2e_end
fi
check "vmware-cmd --help" vmware-cmd --help
check "vmware-cmd start --help" vmware-cmd start --help

vmx cpuid $G/cpuid.elf kernel.cmdline=expect_hypervisor=1
vmx spin $G/spin.elf kernel.cmdline=cycles=0
check "register cpuid" vmware-cmd -s register $T/cpuid/cpuid.vmx
check "register spin (the spin guest, forever)" vmware-cmd -s register $T/spin/spin.vmx
# Bad input the console refuses before the vmkernel sees anything: each
# with its reason, nothing changed.
vmx badvcpus $G/cpuid.elf numvcpus=12
refused "numvcpus 12" "badvcpus.vmx:4: numvcpus: \"12\"" vmware-cmd start $T/badvcpus/badvcpus.vmx
vmx nokernel $T/nonesuch.elf
refused "a missing kernel" "kernel $T/nonesuch.elf: No such file" vmware-cmd start $T/nokernel/nokernel.vmx
vmx bigmem $G/cpuid.elf
sed -i 's/memsize = "16"/memsize = "4000"/' $T/bigmem/bigmem.vmx
refused "memsize 4000" "memsize: \"4000\": a number from 1 to 3072" vmware-cmd start $T/bigmem/bigmem.vmx
printf 'memsize = 16\nkernel = "%s"\nmemsize = 8\n' $G/cpuid.elf > $T/dup.vmx
refused "a key given twice" "dup.vmx:3: memsize: given twice" vmware-cmd start $T/dup.vmx
printf 'not a vmx file\n' > $T/junk.vmx
refused "a file that is no .vmx" "junk.vmx:1: a line must read" vmware-cmd start $T/junk.vmx
refused "an unknown VM name" "nonesuch: no VM of that name is registered" vmware-cmd start nonesuch
printf 'displayName = "cpuid"\nmemsize = 16\nkernel = "%s"\n' $G/spin.elf > $T/dupname.vmx
refused "registering a taken name" "the name cpuid is taken" vmware-cmd -s register $T/dupname.vmx

mem0=$(memfree_vmk)

vmware-cmd start cpuid > /tmp/out 2>&1
if grep -q "this vmkernel or shim does not run VMs" /tmp/out; then
	skip "vmware-cmd end to end (the vmkernel does not run VMs: $(cat /tmp/out))"
	e2e_end
fi
if grep -q "started cpuid" /tmp/out; then
	pass "start cpuid: $(cat /tmp/out)"
else
	fail "start cpuid: $(cat /tmp/out)"
fi
id=$(vmid cpuid)
check "vmware-cmd -l lists cpuid with an id" test -n "$id"
refused "getstate of an unknown VM" "no VM of that name in the vmkernel" vmware-cmd getstate nonesuch
timeout 60 vmware-cmd serial -f cpuid > /tmp/serial 2>&1
sed 's/^/cpuid COM1| /' /tmp/serial	# in the boot's log, not counted
check "cpuid's COM1 has its SUMMARY" grep -q "^SUMMARY:" /tmp/serial
check "with no FAIL line" sh -c '! grep -q "^FAIL:" /tmp/serial'
check_eq "cpuid powered itself off" off "$(state cpuid)"
vmware-cmd info cpuid > /tmp/info 2>&1
check_eq "its exit code is 0 (all passed)" 0 "$(awk '$1 == "exit_code" {print $2}' /tmp/info)"
check "info counts its CPUID exits" sh -c '[ "$(awk "\$1 == \"exits.cpuid\" {print \$2}" /tmp/info)" -gt 0 ]'
check "/proc/vmware/vm/$id/names" grep -qx "name cpuid" /proc/vmware/vm/$id/names
check "/proc/vmware/vm/$id/cpu/status says off" grep -qx "state off" /proc/vmware/vm/$id/cpu/status
check "/proc/vmware/vm/$id/mem/status: 16 MB" grep -qx "memsize_mb 16" /proc/vmware/vm/$id/mem/status
check "destroy cpuid" vmware-cmd destroy cpuid
check "its /proc directory is gone" test ! -e /proc/vmware/vm/$id

# A running VM.
check "start spin" vmware-cmd start spin
id=$(vmid spin)
check_eq "spin runs" running "$(state spin)"
refused "a second start of a running VM" "it is running" vmware-cmd start spin
check "setshares spin high" vmware-cmd setshares spin high
check_eq "cpu/shares reads 2000" 2000 "$(cat /proc/vmware/vm/$id/cpu/shares)"
echo 3000 > /proc/vmware/vm/$id/cpu/shares
check_eq "writing cpu/shares changes it" 3000 \
	"$(vmware-cmd info spin | awk '$1 == "shares" {print $2}')"
if (echo lots > /proc/vmware/vm/$id/cpu/shares) 2>/dev/null; then
	fail "cpu/shares took 'lots'"
else
	check_eq "cpu/shares refuses 'lots' and keeps 3000" 3000 "$(cat /proc/vmware/vm/$id/cpu/shares)"
fi
if (echo 0 > /proc/vmware/vm/$id/cpu/shares) 2>/dev/null; then
	fail "cpu/shares took 0"
else
	pass "cpu/shares refuses 0"
fi
echo 10 > /proc/vmware/vm/$id/cpu/min
check_eq "cpu/min set to 10 live" 10 "$(awk '$1 == "min" {print $2}' /proc/vmware/vm/$id/cpu/status)"
check "setmax spin 50%" vmware-cmd setmax spin 50%
check_eq "cpu/max reads 50" 50 "$(cat /proc/vmware/vm/$id/cpu/max)"
refused "setmin 1000" "a percentage" vmware-cmd setmin spin 1000
check "reset spin" vmware-cmd reset spin
check_eq "spin runs again after the reset" running "$(state spin)"
check_eq "with the same id" "$id" "$(vmid spin)"
printf 'hello\035' | vmware-cmd attach spin > /tmp/attach 2>&1
check "attach detaches on Ctrl-] (no test guest reads COM1 input)" grep -q "detached from spin" /tmp/attach
check_eq "spin still runs after the detach" running "$(state spin)"
check "stop spin hard" vmware-cmd stop spin hard
check_eq "spin is off" off "$(state spin)"
refused "stop of a VM that is off" "it is not running" vmware-cmd stop spin
check "destroy spin" vmware-cmd destroy spin
check_eq "every page back (/proc/vmware/mem free)" "$mem0" "$(memfree_vmk)"

# What the vmkernel refuses (admission control), in words.
sed -i 's/memsize = "4000"/memsize = "3072"/' $T/bigmem/bigmem.vmx
refused "more memory than the vmkernel has" "not enough vmkernel memory for 3072 MB" \
	vmware-cmd start $T/bigmem/bigmem.vmx
vmx hog $G/spin.elf sched.cpu.min=60 kernel.cmdline=cycles=0
vmx bigmin $G/spin.elf sched.cpu.min=60
check "start a VM that reserves 60% of the one vmkernel CPU" vmware-cmd start $T/hog/hog.vmx
refused "a second 60% reservation" "reservation cannot be met" \
	vmware-cmd start $T/bigmin/bigmin.vmx
check "destroy the 60% VM" vmware-cmd destroy hog
vmx twovcpus $G/spin.elf numvcpus=2
refused "2 VCPUs on one vmkernel CPU" "2 VCPUs, but the vmkernel has 1" \
	vmware-cmd start $T/twovcpus/twovcpus.vmx

check_eq "no VM left in the vmkernel" "" "$(vms)"
check "take CPU 1 back" vmkcpu take 1
refused "a start with no vmkernel CPU" "no vmkernel CPU: give one with vmkcpu give" \
	vmware-cmd start spin
check "unload the vmkernel" vmkunload
refused "a start with no vmkernel" "the vmkernel is not loaded (vmkload)" vmware-cmd start spin
check "kernel clean" kernel_clean

e2e_end
