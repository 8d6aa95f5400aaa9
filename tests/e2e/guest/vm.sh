# SPDX-License-Identifier: GPL-2.0
# Virtual machines on the vmkernel's CPU (vmk.cpus=1), driven through the
# VM vmkcalls by vmrun, below any management tool: test guests run and
# pass, the debug-exit port ends a VM with its code, a triple fault
# crashes one VM while another keeps running, destroying VMs returns every
# page, and bad requests are refused with their errno and change nothing.
. ./lib.sh

G=/usr/lib/vmkx/guests
PATH=/opt/vmkx-tests:$PATH

# Guest output is shown with its result words in lower case, so that the
# harness does not count the guest's own PASS/FAIL lines as this script's.
show() { sed 's/^/    | /; s/PASS:/pass:/; s/FAIL:/fail:/; s/SKIP:/skip:/' "$1"; }

# field FILE KEY: KEY=value from vmrun's info lines.
field() { tr ' ' '\n' < "$1" | sed -n "s/^$2=//p" | head -n 1; }

# refused "what" ERRNO vmrun-args...: vmrun says error: ERRNO.
refused() {
	what=$1 want=$2
	shift 2
	out=$(vmrun "$@" 2>&1)
	case "$out" in
	"error: $want "*) pass "$what: refused with $want" ;;
	*) fail "$what: refused with $want (got: $(echo "$out" | head -n 2 | tr '\n' ' '))" ;;
	esac
}

check "loaded at boot" vmkload --status
check "the guests are in the initrd" test -f $G/cpuid.elf
free0=$(vmrun memfree)
check_eq "the vmkernel's free memory is a number ($free0)" "" "$(echo "$free0" | tr -d 0-9)"

# ---- test guests pass ----
for t in "cpuid expect_hypervisor=1" "msr expect_hypervisor=1" "tsc" "apic"; do
	g=${t%% *}
	vmrun run "$g" 16 120 $G/$g.elf "${t#$g}" "NR_CPUS=1" > /tmp/$g.out 2>&1
	show /tmp/$g.out
	check "$g guest: SUMMARY with no unexpected failure" \
		grep -q "^SUMMARY: .* 0 unexpected failures" /tmp/$g.out
	check_eq "$g guest: off through port 0xf4 with code 0" "off 0" \
		"$(field /tmp/$g.out state) $(field /tmp/$g.out exit_code)"
done

# ---- a hostile guest writes everywhere below 4 GiB: only it changes ----
sum0=$(vmkcall checksum)
bystander=$(vmrun create bystander 8)
vmrun boot "$bystander" $G/spin.elf "cycles=0 report_cycles=0x4000000" "NR_CPUS=1"
sleep 1
# Beyond its RAM nothing sticks: it reads all-ones and absorbs writes.
# Port 0xcf9 resets a VM (the platform boot tests it): left out here.
vmrun run hostile 16 300 $G/hostile.elf \
	"expect_hypervisor=1 resets=1 cf9=0" "NR_CPUS=1" > /tmp/hostile.out 2>&1
show /tmp/hostile.out
check "hostile guest: SUMMARY with no unexpected failure" \
	grep -q "^SUMMARY: .* 0 unexpected failures" /tmp/hostile.out
check_eq "hostile guest: off through port 0xf4 with code 0" "off 0" \
	"$(field /tmp/hostile.out state) $(field /tmp/hostile.out exit_code)"
check_eq "after the hostile guest: the vmkernel's checksum is unchanged" "$sum0" "$(vmkcall checksum)"
vmrun info "$bystander" > /tmp/bystander.info
vmrun serial "$bystander" > /tmp/bystander.out
check_eq "after the hostile guest: the other VM still runs" running "$(field /tmp/bystander.info state)"
check "after the hostile guest: the other VM's output has no trace of it" \
	sh -c "grep -q '^progress' /tmp/bystander.out && ! grep -qi hostile /tmp/bystander.out"
check "destroy the bystander" vmrun destroy "$bystander"

# ---- the debug-exit port carries the code; VMRUN in a guest is #UD ----
vmrun run unsupported 8 60 $G/crash.elf "mode=unsupported" "NR_CPUS=1" > /tmp/uns.out 2>&1
show /tmp/uns.out
check_eq "VMRUN in a guest is #UD: it exits with code 2" "off 2" \
	"$(field /tmp/uns.out state) $(field /tmp/uns.out exit_code)"

# ---- a triple fault crashes that VM only ----
spin=$(vmrun create spinner 8)
check "a spinning VM starts" vmrun boot "$spin" $G/spin.elf "cycles=0 report_cycles=0x1000000" "NR_CPUS=1"
sleep 2
vmrun run triple 8 60 $G/crash.elf "mode=triple" "NR_CPUS=1" > /tmp/triple.out 2>&1
show /tmp/triple.out
check_eq "triple fault: the VM is crashed" crashed "$(field /tmp/triple.out state)"
check "triple fault: the reason says so" grep -q "^reason=triple fault" /tmp/triple.out
check "triple fault: the vmkernel log says so" grep -q 'crashed: triple fault' /proc/vmware/log
p1=$(vmrun serial "$spin" | grep -c "^progress")
sleep 3
p2=$(vmrun serial "$spin" | grep -c "^progress")
vmrun info "$spin" > /tmp/spin.info
if [ "$(field /tmp/spin.info state)" = running ] && [ "$p2" -gt "$p1" ]; then
	pass "the other VM keeps running (progress lines $p1 -> $p2 in 3 s)"
else
	fail "the other VM keeps running (state $(field /tmp/spin.info state), progress $p1 -> $p2)"
fi

# ---- a running VM: second start, writes, stop, reset, start again ----
refused "second start of a running VM" EBUSY boot "$spin" $G/spin.elf
refused "VM_WRITE into a running VM" EBUSY write "$spin" 0x1000 abc
check "soft stop" vmrun stop "$spin" soft
vmrun info "$spin" > /tmp/spin.info
check_eq "stopped: state off" off "$(field /tmp/spin.info state)"
refused "stopping a stopped VM" EBUSY stop "$spin" hard
check "reset" vmrun reset "$spin"
check_eq "reset: loading, output cleared" "loading 0" \
	"$(vmrun info "$spin" | tr ' ' '\n' | sed -n 's/^state=//p; s/^serial=//p' | tr '\n' ' ' | sed 's/ $//')"
refused "VM_WRITE beyond its RAM" EFAULT write "$spin" 0x800000 abc
check "started again after the reset" vmrun boot "$spin" $G/spin.elf "cycles=0 report_cycles=0x1000000" "NR_CPUS=1"
sleep 1
check "hard stop" vmrun stop "$spin" hard

# ---- an idle VM costs nothing ----
idle=$(vmrun create idler 8)
vmrun boot "$idle" $G/idle.elf "" "NR_CPUS=1"
sleep 1
u1=$(vmrun info "$idle" | tr ' ' '\n' | sed -n 's/^used_ns=//p')
sleep 3
u2=$(vmrun info "$idle" | tr ' ' '\n' | sed -n 's/^used_ns=//p')
vmrun info "$idle" > /tmp/idle.info
show /tmp/idle.info
if [ $((u2 - u1)) -lt 30000000 ]; then
	pass "an idle (halted) VM used $(((u2 - u1) / 1000)) us of CPU in 3 s"
else
	fail "an idle (halted) VM used $(((u2 - u1) / 1000)) us of CPU in 3 s (30 ms allowed)"
fi

# ---- bad requests: refused, nothing changes ----
before=$(vmrun list; vmrun memfree)
refused "an empty name" EINVAL create "" 8
refused "a name of 32 bytes" EINVAL create abcdefghijklmnopqrstuvwxyz012345 8
refused "memsize 0" EINVAL create m0 0
refused "memsize 4000 MB" EINVAL create m4000 4000
refused "more memory than the vmkernel has" ENOMEM create big 2000
refused "0 VCPUs" EINVAL create v0 8 0
refused "9 VCPUs" EINVAL create v9 8 9
refused "2 VCPUs on 1 vmkernel CPU" EINVAL create v2 8 2
refused "2,000,000 shares" EINVAL create s 8 1 2000000
refused "min 60% above max 50%" EINVAL create mm 8 1 0 60 50
refused "min above 100% for one VCPU" EINVAL create mm 8 1 0 150
refused "a duplicate name" EEXIST create spinner 8
check "a VM with a reservation of 80% is admitted" vmrun create res80 8 1 0 80
refused "a second reservation of 80% on one CPU" ENOSPC create res80b 8 1 0 80
vmrun destroy "$(vmrun list | awk '$2 == "res80" {print $1}')"
refused "an unknown VM" ENOENT info 999
refused "destroying an unknown VM" ENOENT destroy 999
refused "starting an unknown VM" ENOENT stop 999 soft
check_eq "the refusals changed nothing (VM list, free memory)" "$before" "$(vmrun list; vmrun memfree)"

# ---- run-time settings ----
check "shares set at run time" vmrun set "$spin" shares 3000
check_eq "info shows the new shares" 3000 "$(vmrun info "$spin" | tr ' ' '\n' | sed -n 's/^shares=//p')"
refused "min above max at run time" EINVAL set "$spin" min 101

# ---- a VM's pages are what the vmkernel's free memory lost ----
f1=$(vmrun memfree)
acct=$(vmrun create accounted 24 1)
f2=$(vmrun memfree)
pages=$(vmrun info "$acct" | tr ' ' '\n' | sed -n 's/^pages=//p')
check_eq "a 24 MB VM is created ($acct)" "" "$(echo "$acct" | tr -d 0-9)"
echo "accounting: free $f1 -> $f2 bytes, VM $acct holds $pages pages"
# Beyond them, the world heap may take a slab page or two for the records
# of its worlds and group.
extra=$(awk -v a="$f1" -v b="$f2" -v p="$pages" 'BEGIN { print (a - b) / 4096 - p }')
if [ "$pages" -gt 6144 ] && [ "$extra" -ge 0 ] && [ "$extra" -le 4 ]; then
	pass "a 24 MB VM holds the pages it says ($pages), the world heap $extra more"
else
	fail "a 24 MB VM holds the pages it says ($pages; free memory fell by $pages + $extra pages)"
fi
check "destroy the accounted VM" vmrun destroy "$acct"
check_eq "its pages are back" "$f1" "$(vmrun memfree)"

# ---- destroy returns every page ----
check "destroy the spinning VM" vmrun destroy "$spin"
check "destroy the idle VM" vmrun destroy "$idle"
check_eq "no VM is left" "" "$(vmrun list)"
check_eq "every page is back (vmkernel free bytes)" "$free0" "$(vmrun memfree)"
# The figures: what each VM's exits cost, from the vmkernel's log.
grep "cycles a run" /proc/vmware/log | sed 's/^/    figures: /'
check "no kernel warning in dmesg" kernel_clean

e2e_end
