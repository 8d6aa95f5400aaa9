# SPDX-License-Identifier: GPL-2.0
# Bad vmkcalls: the test module vmkx_callfuzz issues random vmkcalls at
# CPL 0 on every CPU at once, drawn from every call number (UNLOAD with
# anything but the load's key must change nothing), and checks each
# answer; then every CPU must still be inside the vmkernel.  Then vmkfuzz
# issues user-mode VMMCALLs with random registers (each must get -EPERM).
# The vmkernel's checksum must not change and it must unload cleanly.
# vmk.fuzzcases=N sets the user-mode count; the module does 50 N per CPU.
. ./lib.sh

cases=$(vmk-cmdline get vmk.fuzzcases 2000)
calls=$((cases * 50))
ncpu=$(grep -c ^processor /proc/cpuinfo)
vmkload --status >/dev/null || vmkload -q
check "the vmkernel is loaded" vmkcall cpuid
set -- $(awk '$1 == "region" { print $2, $3 }' /proc/vmware/version)
base=$1 size=$2
sum0=$(vmkcall checksum)

t0=$(date +%s)
if insmod ./vmkx_callfuzz.ko cases="$calls" seed=1 region_base="$base" region_size="$size"; then
	t1=$(date +%s)
	dmesg | grep 'vmkx_callfuzz: ' | tail -n 40
	f=$(cat /sys/module/vmkx_callfuzz/parameters/failures)
	n=$(cat /sys/module/vmkx_callfuzz/parameters/calls)
	check_eq "the call fuzzer ran to its end" Y "$(cat /sys/module/vmkx_callfuzz/parameters/done)"
	check_eq "random vmkcalls on $ncpu CPUs: $calls per CPU issued" "$((calls * ncpu))" "$n"
	if [ "$f" = 0 ]; then
		pass "$n random vmkcalls at CPL 0 returned errors or correct results ($((t1 - t0)) s)"
	else
		fail "random vmkcalls at CPL 0: $f of $n misbehaved: $(dmesg | grep 'vmkx_callfuzz: cpu' | head -n 3 | tr '\n' ' ')"
	fi
	check "UNLOAD was drawn, and each got -EINVAL and nothing else" sh -c \
		"dmesg | grep -Eq 'vmkx_callfuzz: UNLOAD +[1-9][0-9]* calls: -EINVAL [1-9][0-9]*\$'"
	check "the call fuzzer module unloads" rmmod vmkx_callfuzz
else
	fail "the call fuzzer module loads: $(dmesg | grep 'vmkx_callfuzz' | tail -n 3 | tr '\n' ' ')"
fi

# CPUID answers on bare hardware too, so it asks first; a CPU that left
# behind the shim's back would fault on the shim's next vmkcall there.
out=
for c in $(seq 0 $((ncpu - 1))); do
	taskset -c "$c" vmkcall cpuid >/dev/null || out="$out $c"
done
if [ -n "$out" ]; then
	fail "every CPU is still in the vmkernel (CPU$out left it)"
	exit 1
fi
pass "every CPU is still in the vmkernel (the hypervisor leaf on each)"
for c in $(seq 0 $((ncpu - 1))); do
	check_eq "the null vmkcall through the shim on CPU $c" "nop: 0" "$(vmkcall nop "$c" 2>&1)"
done
check_eq "cpus_running" "$ncpu" "$(awk '$1 == "cpus_running" { print $2 }' /proc/vmware/version)"
check_eq "/proc/vmware/cpuinfo: every CPU in state console" "$ncpu" \
	"$(grep -c 'state console' /proc/vmware/cpuinfo)"
check_eq "the vmkernel's checksum is unchanged" "$sum0" "$(vmkcall checksum)"

./vmkfuzz vmmcall --cases "$cases" >/tmp/fuzz.out 2>&1
rc=$?
cat /tmp/fuzz.out
if [ $rc -eq 0 ]; then
	pass "$cases user-mode VMMCALLs with random registers got -EPERM"
else
	fail "user-mode VMMCALLs with random registers: $(grep -m3 'FAIL' /tmp/fuzz.out | tr '\n' ' ')"
fi
check_eq "the vmkernel's checksum is unchanged after the user-mode calls" "$sum0" "$(vmkcall checksum)"
check "the vmkernel unloads" vmkunload -q
check "every CPU is back on bare hardware" sh -c \
	"for c in \$(seq 0 $((ncpu - 1))); do taskset -c \$c vmkcall cpuid >/dev/null && exit 1; done; exit 0"
check "no kernel warning in dmesg" kernel_clean

e2e_end
