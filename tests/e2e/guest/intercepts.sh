# SPDX-License-Identifier: GPL-2.0
# The console world's intercepts, seen from inside the console kernel: the
# module vmkx_intercepts checks EFER, VM_CR, VM_HSAVE_PA, the hypervisor
# CPUID leaves and #UD for each SVM instruction on every CPU, and the
# vmkernel's paging levels; its PASS/FAIL lines go to the kernel log and
# are copied here to the serial console.  It runs once on bare hardware
# before the load (to remember the real VM_HSAVE_PA), once under the
# vmkernel and once after the unload.  The vmkernel's own log and exit
# counters must show the exits.  The variant @la57off boots a CPU without
# 5-level paging: the vmkernel must then use 4 levels.
. ./lib.sh

P=/sys/module/vmkx_intercepts/parameters
ncpu=$(grep -c ^processor /proc/cpuinfo)
case "$(vmk-cmdline get vmk.test)" in
*@la57off) levels=4 ;;
*) levels=5 ;;
esac

# phase NAME: runs a phase of the module and copies its lines here.
phase() {
	n0=$(dmesg | grep -c 'vmkx_intercepts: ')
	t0=$(cat $P/tests)
	if ! echo "$1" >$P/run 2>/tmp/phase.err; then
		fail "the module's phase $1 runs ($(cat /tmp/phase.err))"
	fi
	dmesg | grep 'vmkx_intercepts: ' | tail -n +$((n0 + 1)) |
		sed -e 's/^.*vmkx_intercepts: //' \
		    -e '/^\(PASS\|FAIL\|SKIP\|SUMMARY\): /!s/^/  /' >/tmp/phase.out
	cat /tmp/phase.out
	check_eq "phase $1: every assertion of the module reached the console" \
		"$(($(cat $P/tests) - t0))" "$(grep -c '^\(PASS\|FAIL\): ' /tmp/phase.out)"
}

# sum_exits KIND: the vmkernel's count of that exit kind over all CPUs.
sum_exits() {
	awk -v k="$1" '{for (i = 1; i < NF; i++) if ($i == k) s += $(i + 1)} END {print s + 0}' \
		/proc/vmware/cpuinfo
}

check "loaded at boot" vmkload --status
set -- $(awk '$1 == "region" { print $2, $3 }' /proc/vmware/version)
base=$1 size=$2
check_eq "/proc/vmware/version: the vmkernel uses $levels-level paging" \
	"paging $levels-level" "$(grep '^paging ' /proc/vmware/version)"
check "unload for the bare-hardware phase" vmkunload -q

if ! insmod ./vmkx_intercepts.ko region_base="$base" region_size="$size"; then
	fail "the module vmkx_intercepts loads ($(dmesg | tail -n 3 | tr '\n' ' '))"
	e2e_end
fi
phase bare

check "load the vmkernel" vmkload -q
svm0=$(sum_exits virt)
phase loaded
check_eq "/proc/vmware/version: still $levels-level paging" \
	"paging $levels-level" "$(grep '^paging ' /proc/vmware/version)"
svm1=$(sum_exits virt)
check_eq "the vmkernel counted 7 SVM-instruction exits per CPU" "$((7 * ncpu))" \
	"$((svm1 - svm0))"
for insn in VMRUN VMLOAD VMSAVE STGI CLGI SKINIT INVLPGA; do
	check_eq "the vmkernel's log names $insn on every CPU" "$ncpu" \
		"$(grep -c "console executed $insn at rip .*: #UD" /proc/vmware/log)"
done
check_eq "the vmkernel's log names each reserved EFER write" "$((3 * ncpu))" \
	"$(grep -c 'console wrote reserved EFER bits' /proc/vmware/log)"
check_eq "the vmkernel's log names each VM_HSAVE_PA write" "$((2 * ncpu))" \
	"$(grep -c 'console wrote VM_HSAVE_PA' /proc/vmware/log)"
check_eq "the vmkernel's log names each VM_CR write" "$ncpu" \
	"$(grep -c 'console wrote VM_CR' /proc/vmware/log)"
check "every CPU still answers vmkcalls and CPUID" sh -c \
	"for c in \$(seq 0 $((ncpu - 1))); do vmkcall nop \$c && taskset -c \$c vmkcall cpuid || exit 1; done"

check "unload" vmkunload -q
phase unloaded
check "rmmod the module" rmmod vmkx_intercepts
check "load again" vmkload -q
check "no kernel warning in dmesg" kernel_clean

e2e_end
