# SPDX-License-Identifier: GPL-2.0
# The project's test guests under KVM, the peer the vmkernel's VMs are
# measured against: with the vmkernel not loaded, kvm_amd loads in the
# console and kvmbench --multiboot runs the cpuid, tsc, long64 and spin guests
# unchanged; each must pass (exit code 0, a clean SUMMARY).  Then the
# ways a run must fail: a guest that fails its own checks passes its code
# on, a triple fault and an unknown command-line key are reported, a
# file that is no multiboot kernel is refused.  spinbench runs the spin
# loop natively and its result must recompute.
. ./lib.sh

G=/usr/lib/vmkx/guests
vmkload --status >/dev/null && vmkunload >/dev/null
check "the vmkernel is not loaded" sh -c 'vmkload --status; [ $? -eq 3 ]'

# quote: a guest's output, its verdict words defused so that the harness
# counts only this script's own.
quote() { tr -d '\r' | sed 's/\(PASS\|FAIL\|SKIP\): /\1 - /g'; }

# guest NAME EXPECTED_STATUS ARGS...: runs kvmbench, checks its status.
guest() {
	name=$1 want=$2
	shift 2
	./kvmbench --timeout 240 "$@" >/tmp/kg.out 2>/tmp/kg.err
	rc=$?
	quote </tmp/kg.out | tail -n 40 | sed "s/^/[$name] /"
	quote </tmp/kg.err | sed "s/^/[$name] stderr: /"
	[ "$rc" = "$want" ]
}

# clean NAME: the guest's summary says no unexpected failure, with PASS lines.
clean() {
	tr -d '\r' </tmp/kg.out | grep -Eq '^SUMMARY: [0-9]+ tests, 0 unexpected failures' &&
		grep -q '^PASS: ' /tmp/kg.out && ! grep -q '^FAIL: ' /tmp/kg.out
}

if ! modprobe kvm_amd 2>/tmp/kvm.err; then
	skip "test guests under KVM (modprobe kvm_amd: $(tail -n 1 /tmp/kvm.err))"
else
	for g in cpuid tsc long64; do
		if guest "$g" 0 --multiboot "$G/$g.elf" && clean; then
			pass "$g guest passes under KVM: $(grep '^SUMMARY' /tmp/kg.out | tr -d '\r')"
		else
			fail "$g guest passes under KVM (status $rc, $(tail -n 1 /tmp/kg.err))"
		fi
	done
	if guest spin 0 --multiboot "$G/spin.elf" --append "cycles=0x10000000 report_cycles=0x4000000" &&
	   clean && grep -q '^spin: [0-9]* loops in [0-9]* cycles' /tmp/kg.out; then
		pass "spin guest passes under KVM: $(grep '^spin: [0-9]* loops' /tmp/kg.out | tr -d '\r')"
	else
		fail "spin guest passes under KVM (status $rc, $(tail -n 1 /tmp/kg.err))"
	fi
	# The guest's own failure reaches the exit status (code 1).
	if guest badopt 1 --multiboot "$G/tsc.elf" --append "nonesuch=1" &&
	   grep -q '^FAIL: .*nonesuch' /tmp/kg.out; then
		pass "a guest's failure is its exit status 1 under KVM: $(grep '^FAIL: ' /tmp/kg.out | head -n 1 | quote)"
	else
		fail "a guest's failure is its exit status 1 under KVM (status $rc)"
	fi
	if guest triple 125 --multiboot "$G/crash.elf" --append "mode=triple" &&
	   grep -q 'triple fault' /tmp/kg.err; then
		pass "a triple fault ends the run with status 125: $(tail -n 1 /tmp/kg.err)"
	else
		fail "a triple fault ends the run with status 125 (status $rc)"
	fi
	if guest notmb 125 --multiboot ./kvmbench && grep -q 'ELF class' /tmp/kg.err; then
		pass "a 64-bit ELF is refused: $(tail -n 1 /tmp/kg.err)"
	else
		fail "a 64-bit ELF is refused (status $rc)"
	fi
	if guest toosmall 125 --multiboot "$G/spin.elf" --mem 1 && grep -q "beyond the VM's RAM" /tmp/kg.err; then
		pass "a kernel beyond the VM's RAM is refused: $(tail -n 1 /tmp/kg.err)"
	else
		fail "a kernel beyond the VM's RAM is refused (status $rc)"
	fi
	check "rmmod kvm_amd kvm" rmmod kvm_amd kvm
fi

if ./spinbench --cpu 0 --cycles 0x10000000 >/tmp/sb.out 2>&1 &&
   grep -q '^spin: [0-9]* loops in [0-9]* cycles, result' /tmp/sb.out; then
	pass "spinbench on the console: $(tr '\n' ' ' </tmp/sb.out)"
else
	fail "spinbench on the console ($(tr '\n' ' ' </tmp/sb.out))"
fi
check "no kernel warning in dmesg" kernel_clean
e2e_end
