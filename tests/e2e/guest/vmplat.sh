# SPDX-License-Identifier: GPL-2.0
# The platform a Linux guest needs, on the real VMM (vmk.cpus=1-2): the
# platform test guest reads the RTC against the console's clock, probes
# the 8259, reads the I/O APIC and takes COM1's interrupts through it,
# edge- and level-triggered, then resets the VM through port 0xcf9: the
# VMM starts it again from its kept boot image, still running, and the
# guest's second start checks what the reset left.  It ends with `cli;
# hlt`: the VM is off, "the guest halted every VCPU".  With two VCPUs,
# the second never started, the same end.  Then through vmware-cmd: the
# platform guest acting as its own tools (polling the backdoor's
# POWEROP) is reset soft (it reboots through 0xcf9) and stopped soft (it
# halts); a guest without tools (the spin guest): a soft reset falls
# back to a hard one with a message, a soft stop stops it as before.
# Every page returns.  The registry is a scratch file: this boot has no datastore.
. ./lib.sh

G=/usr/lib/vmkx/guests
PATH=/opt/vmkx-tests:$PATH
T=/tmp/vmplat
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
if [ ! -f $G/platform.elf ] || [ ! -f $G/spin.elf ]; then
	fail "the platform and spin guests are in the initrd"
	e2e_end
fi
free0=$(vmrun memfree)

# ---- one VCPU: devices, a reset through 0xcf9, then halted for good ----
vmrun run plat1 16 180 $G/platform.elf "vmm=1 epoch=$(date +%s) end=halt" \
	"NR_CPUS=1" > $T.1 2>&1
show $T.1
check "platform: SUMMARY with no unexpected failure" clean $T.1
check "platform: the RTC reads the console's time" grep -q "^PASS: RTC: .* within" $T.1
check "platform: the 8259 answers Linux's probe" grep -q "^PASS: 8259: Linux's probe" $T.1
check "platform: I/O APIC version 0x11, 24 pins, ID and masks as the MP table says" \
	sh -c "grep -q '^PASS: I/O APIC: an 82093AA' $T.1 && grep -q '^PASS: I/O APIC: ID' $T.1"
check "platform: COM1's THRE interrupt through I/O APIC pin 4" \
	grep -q "^PASS: COM1: THRE interrupt on pin 4" $T.1
check "platform: THRE asserted again as Linux's 8250 start-up test wants" \
	grep -q "^PASS: COM1: THRE asserted again" $T.1
check "platform: received data interrupts (loopback)" \
	grep -q "^PASS: COM1: received-data interrupt" $T.1
check "platform: level-triggered, remote IRR cleared by the EOI" \
	grep -q "^PASS: COM1 level-triggered: delivered 3 times" $T.1
check_eq "platform: one start before the reset through 0xcf9, one after" "1 1" \
	"$(grep -c 'resetting through port 0xcf9' $T.1) $(grep -c 'started again after the reset' $T.1)"
check "platform: after the reset its image is back and the rest of RAM clear" \
	sh -c "grep -q '^PASS: after the reset: its image is back' $T.1 &&
	       grep -q '^PASS: after the reset: RAM outside the image is clear' $T.1"
check_eq "platform: off with code 0: every VCPU halted with interrupts off" \
	"off 0 the guest halted every VCPU" \
	"$(field $T.1 state) $(field $T.1 exit_code) $(sed -n 's/^reason=//p' $T.1)"
check "the vmkernel log: the guest's reset" \
	grep -q 'plat1): reset by its guest (port 0xcf9), boot 2' /proc/vmware/log
grep 'plat1): reset by its guest' /proc/vmware/log | sed 's/^/    figures: /'

# ---- two VCPUs, the second never started: off the same way ----
VMRUN_VCPUS=2 vmrun run plat2 16 120 $G/platform.elf "vmm=1 reset=0 end=halt" \
	"NR_CPUS=2" > $T.2 2>&1
show $T.2
check "platform, 2 VCPUs: SUMMARY with no unexpected failure" clean $T.2
check "platform, 2 VCPUs: the I/O APIC's ID is 2" grep -q "^PASS: I/O APIC: ID 2" $T.2
check_eq "platform, 2 VCPUs: off, the AP waiting for a SIPI nobody can send" \
	"off 0 the guest halted every VCPU" \
	"$(field $T.2 state) $(field $T.2 exit_code) $(sed -n 's/^reason=//p' $T.2)"

# ---- a guest with tools (the platform guest polling POWEROP) ----
mkdir -p $T/plat
cat > $T/plat/plat.vmx <<VMX
displayName = "plat"
memsize = "16"
kernel = "$G/platform.elf"
kernel.cmdline = "vmm=1 reset=0 tools=1"
VMX
check "register and start plat (tools)" \
	sh -c "vmware-cmd -s register $T/plat/plat.vmx && vmware-cmd start plat"
pid=$(vmware-cmd -l | awk '$2 == "plat" && $1 != "-" {print $1}')
for i in $(seq 1 100); do
	vmrun serial "$pid" | grep -q "tools polling" && break
	sleep 0.5
done
vmware-cmd reset plat soft -t 60 > $T.5 2>&1
rc=$?
show $T.5
check_eq "reset plat soft: done (status 0)" 0 "$rc"
check "reset plat soft: the guest's tools rebooted it" \
	sh -c "grep -q \"asked plat's guest to reboot\" $T.5 &&
	       grep -q 'reset plat (soft: the guest rebooted)' $T.5"
vmrun serial "$pid" > $T.6
check "reset plat soft: the tools saw the request and the VM started again" \
	sh -c "grep -q 'asks for a reboot' $T.6 && grep -q 'started again after the reset' $T.6"
check_eq "reset plat soft: the same VM, running" "$pid running" \
	"$(vmware-cmd -l | awk '$2 == "plat" {print $1, $3}')"
for i in $(seq 1 100); do
	[ "$(vmrun serial "$pid" | grep -c 'tools polling')" -ge 2 ] && break
	sleep 0.5
done
vmware-cmd stop plat soft -t 60 > $T.7 2>&1
rc=$?
show $T.7
check_eq "stop plat soft: done (status 0)" 0 "$rc"
check "stop plat soft: the guest's tools powered it off" \
	grep -q 'stopped plat (soft: the guest powered off)' $T.7
vmrun info "$pid" > $T.8
check_eq "stop plat soft: off, every VCPU halted" "off the guest halted every VCPU" \
	"$(field $T.8 state) $(sed -n 's/^reason=//p' $T.8)"
vmrun serial "$pid" > $T.6
show $T.6
check "stop plat soft: a clean SUMMARY after the reboot" clean $T.6
check "destroy plat" vmware-cmd destroy plat

# ---- a guest without tools: soft reset and soft stop ----
mkdir -p $T/spin
cat > $T/spin/spin.vmx <<VMX
displayName = "spin"
memsize = "16"
kernel = "$G/spin.elf"
kernel.cmdline = "cycles=0 report_cycles=0x4000000"
VMX
check "register and start spin (no tools)" \
	sh -c "vmware-cmd -s register $T/spin/spin.vmx && vmware-cmd start spin"
vmware-cmd reset spin soft -t 5 > $T.3 2>&1
rc=$?
show $T.3
check_eq "reset spin soft: done (status 0)" 0 "$rc"
check "reset spin soft: no tools, so hard, with a message" \
	sh -c "grep -q 'tools are not running: resetting it hard' $T.3 && grep -q 'reset spin' $T.3"
check_eq "after the reset: running" "getstate() = running" "$(vmware-cmd getstate spin)"
vmware-cmd stop spin soft > $T.4 2>&1
show $T.4
check "stop spin soft: stopped at once, as before" grep -q "stopped spin (soft)" $T.4
check_eq "after the soft stop: off" "getstate() = off" "$(vmware-cmd getstate spin)"
check "destroy spin" vmware-cmd destroy spin
check_eq "every page returned" "$free0" "$(vmrun memfree)"
e2e_end
