# SPDX-License-Identifier: GPL-2.0
# Debian's own kernel boots in a VM on the vmkernel's CPUs (vmk.cpus=1-2),
# started from the console with vmware-cmd as a user would: the Linux
# loader lays out the bzImage, the guest initrd, the e820 map and the MP
# table, and the boot VCPU starts in 64-bit mode.  With one VCPU, then
# with two (the second brought up by Linux through INIT/SIPI and its
# real-mode trampoline): the guest reaches its shell (the banner
# `vmkx-guest: ready`), its console log (every kernel message, on ttyS0)
# has no warning, BUG, firmware complaint, unchecked MSR access or
# clocksource/timer complaint, /proc/cpuinfo in the guest, read through
# its serial port, counts the VCPUs, the vmkernel logs no warning or
# error, and destroy returns every page.  Before that, .vmx files the
# Linux loader refuses.  Each guest's serial log is kept
# in this boot's log (lines "    linux| ...").  The registry is a scratch
# file: this boot has no datastore.
. ./lib.sh

K=/usr/lib/vmkx/linux/vmlinuz
I=/usr/lib/vmkx/linux/initrd.img
T=/tmp/linux
export VMKX_REGISTRY=$T/vm-list
mkdir -p $T
CMDLINE="console=ttyS0 earlyprintk=serial acpi=off pci=off reboot=pci panic=-1 i8042.noaux i8042.nokbd"
# What a clean boot never prints.  "WARNING" and "BUG" as the kernel
# writes them (WARN_ON, BUG:), firmware complaints, MSR accesses the VMM
# refused, and the clocksource and timer checks that failed.
BAD='WARNING|BUG:|Firmware Bug|FW BUG|MP-BIOS bug|unchecked MSR|Call Trace|Oops|Kernel panic|clocksource.*unstable|Marking TSC unstable|TSC.*(skew|unstable)|timer.*(not connected|doesn.t work|verification failure)|calibration failed|lapic.*(broken|fail)'

memfree_vmk() { awk '$1 == "free" {print $2}' /proc/vmware/mem; }
now_ms() { awk '{print int($1 * 1000)}' /proc/uptime; }

check "loaded at boot" vmkload --status
if [ ! -f $K ] || [ ! -f $I ]; then
	skip "Linux in a VM (no guest kernel $K or initrd $I in this initrd)"
	e2e_end
fi

# boot NAME VCPUS: start the VM, wait for its shell, check the guest
# from inside and out, destroy it.
boot() {
	n=$1 cpus=$2
	log=$T/$n.serial
	mkdir -p $T/$n
	printf 'displayName = "%s"\nmemsize = 192\nnumvcpus = %s\nkernel = "%s"\nkernel.initrd = "%s"\nkernel.cmdline = "%s"\n' \
		"$n" "$cpus" $K $I "$CMDLINE" > $T/$n/$n.vmx
	free0=$(memfree_vmk)
	logl0=$(wc -l < /proc/vmware/log)
	check "$n: started ($cpus VCPU)" vmware-cmd start $T/$n/$n.vmx
	t0=$(now_ms)
	vmware-cmd serial -f "$n" > $log 2>&1 &
	follower=$!
	ready=
	for i in $(seq 1 1200); do
		if tr -d '\r' < $log | grep -q '^vmkx-guest: ready'; then
			ready=$(( $(now_ms) - t0 ))
			break
		fi
		case "$(vmware-cmd getstate "$n" 2>&1)" in *running*) ;; *) break ;; esac
		sleep 0.5
	done
	if [ -n "$ready" ]; then
		pass "$n: the guest reached its shell in $ready ms from VM_START"
		echo "    figures: $n boot to userspace $ready ms ($(tr -d '\r' < $log |
			sed -n 's/^\[ *\([0-9.]*\)\] Run \/init.*/\1 s in the guest until it ran \/init/p' | head -n 1))"
	else
		fail "$n: the guest reached its shell (state $(vmware-cmd getstate "$n" 2>&1))"
	fi
	# The guest's shell, through COM1: its CPU count, and one more line
	# to know the answer came.
	if [ -n "$ready" ]; then
		(sleep 2; printf 'echo lx-cpus=$(grep -c ^processor /proc/cpuinfo)\n'; sleep 3
		 printf "echo lx-topo=\$(grep -E '^(physical id|siblings|core id|cpu cores|apicid)' /proc/cpuinfo | tr -d ' \\\\t' | tr '\\\\n' ,)\\n"
		 sleep 3; printf 'echo lx-done\n'; sleep 5; printf '\035') |
			vmware-cmd attach "$n" > /dev/null 2>&1
		for i in $(seq 1 60); do
			tr -d '\r' < $log | grep -q '^lx-done' && break
			sleep 1
		done
		check_eq "$n: /proc/cpuinfo in the guest counts $cpus CPU(s)" "lx-cpus=$cpus" \
			"$(tr -d '\r' < $log | grep '^lx-cpus=' | tail -n 1)"
		# One package of single-thread cores, APIC IDs 0..n-1.
		want=lx-topo=
		for c in $(seq 0 $((cpus - 1))); do
			want="${want}physicalid:0,siblings:$cpus,coreid:$c,cpucores:$cpus,apicid:$c,"
		done
		check_eq "$n: the guest sees one package of $cpus single-thread core(s)" "$want" \
			"$(tr -d '\r' < $log | grep '^lx-topo=' | tail -n 1)"
	fi
	bad=$(tr -d '\r' < $log | grep -v 'lx-' | grep -E "$BAD")
	check_eq "$n: the guest's console log is clean" "" "$bad"
	check "$n: still running" sh -c "vmware-cmd getstate $n | grep -q running"
	vmware-cmd info "$n" 2>&1 | sed "s/^/    $n| /"
	# The follower first: one that outlives the VM asks the vmkernel for
	# a VM that is gone, which it logs as a warning.
	kill $follower 2>/dev/null
	wait $follower 2>/dev/null
	check "$n: destroyed" vmware-cmd destroy "$n"
	tr -d '\r' < $log | sed "s/^/    $n| /"
	echo
	vlog=$(tail -n +$((logl0 + 1)) /proc/vmware/log | grep -E 'ERROR: |WARNING: ')
	check_eq "$n: the vmkernel logged no warning or error" "" "$vlog"
	check_eq "$n: destroy returned every page" "$free0" "$(memfree_vmk)"
}

# What the Linux loader refuses, with its reason, before the vmkernel
# sees anything: kernel.module for a bzImage, kernel.initrd for a
# multiboot kernel, a VM too small for the kernel's init_size.
refused() {
	what=$1 want=$2
	shift 2
	"$@" > $T/out 2>&1
	rc=$?
	if [ $rc -eq 1 ] && grep -q -- "$want" $T/out && [ -z "$(vmware-cmd -l 2>/dev/null |
	    awk 'NR > 1 && $1 != "-"')" ]; then
		pass "$what refused: $(head -n 1 $T/out)"
	else
		fail "$what (status $rc, wanted '$want'): $(cat $T/out)"
	fi
}
mkdir -p $T/bad
printf 'memsize = 192\nkernel = "%s"\nkernel.module = "%s"\n' $K $I > $T/bad/module.vmx
refused "kernel.module with a bzImage" "kernel.module is for multiboot kernels" \
	vmware-cmd start $T/bad/module.vmx
printf 'memsize = 32\nkernel = "%s"\nkernel.initrd = "%s"\n' $K $I > $T/bad/small.vmx
refused "a 32 MB Linux VM" "beyond the VM's RAM (32 MiB)" vmware-cmd start $T/bad/small.vmx
if [ -f /usr/lib/vmkx/guests/cpuid.elf ]; then
	printf 'memsize = 16\nkernel = "%s"\nkernel.initrd = "%s"\n' \
		/usr/lib/vmkx/guests/cpuid.elf $I > $T/bad/initrd.vmx
	refused "kernel.initrd with a multiboot kernel" "kernel.initrd is for Linux kernels" \
		vmware-cmd start $T/bad/initrd.vmx
else
	skip "kernel.initrd with a multiboot kernel (no cpuid test guest in this initrd)"
fi

boot linux 1
boot linux-smp 2
check "the console's kernel is clean" kernel_clean
e2e_end
