# SPDX-License-Identifier: GPL-2.0
# Benchmark of a Linux VM, run inside the console (vmk.test=benchlinux,
# booted with vmk.autoload=0).  Prints "BENCH key value..." lines for
# tests/bench/linux.sh:
#
#   bare     vmkbench cpu/syscall/fork/pages in the console on CPU 1,
#            before the vmkernel is loaded, RUNS times
#   boot     the `linux` VM (1 VCPU, 192 MB, on the vmkernel's CPU 1):
#            seconds from `vmware-cmd start` to `vmkx-guest: ready`
#   guest    the same workloads in the guest, RUNS times
#   idle     the idle guest's exits over 10 s, by kind (vmware-cmd info)
#   mem      the vmkernel pages the VM holds, and its RAM
#
# pages touches the same 64 MiB on both sides: the guest has 192 MB.
. ./lib.sh
T=/tmp/benchlinux
. ./linuxlib.sh

RUNS=$(vmk-cmdline get vmk.bench.runs 3)
PAGES=64
W="cpu syscall fork pages"
echo "BENCH console_uptime $(cut -d' ' -f1 /proc/uptime)"
echo "BENCH ncpus $(grep -c ^processor /proc/cpuinfo)"
vmkload --status >/dev/null 2>&1 && vmkunload >/dev/null

# ---- bare: the console's CPU 1, no vmkernel ----
for r in $(seq 1 "$RUNS"); do
	if taskset -c 1 ./vmkbench --pages=$PAGES $W > $T/bare.out 2>&1; then
		sed "s/^/BENCH bare $r /" $T/bare.out
	else
		fail "bare run $r: $(cat $T/bare.out)"
	fi
done

# ---- the Linux VM on the vmkernel's CPU 1 ----
check "vmkload" vmkload
check "vmkcpu give 1" vmkcpu give 1
export VMKX_REGISTRY=$T/vm-list
mkdir -p $T/linux
cat > $T/linux/linux.vmx <<EOF
displayName = "linux"
memsize = "192"
numvcpus = "1"
sched.cpu.affinity = "1"
kernel = "$LX/vmlinuz"
kernel.initrd = "$LX/initrd.img"
kernel.cmdline = "console=ttyS0 earlyprintk=serial acpi=off pci=off reboot=pci panic=-1 i8042.noaux i8042.nokbd"
EOF
: > $T/linux.log
t0=$(date +%s.%N)
if ! vmware-cmd start $T/linux/linux.vmx > $T/start.out 2>&1; then
	fail "vmware-cmd start linux: $(cat $T/start.out)"
	e2e_end
fi
lx_follow linux
b=$(lx_ready linux 900)
t1=$(date +%s.%N)
if [ -z "$b" ]; then
	fail "linux booted to ready (state $(lx_state linux))"
	lx_show linux 30
	e2e_end
fi
echo "BENCH boot $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')"

for r in $(seq 1 "$RUNS"); do
	rc=$(lx_run linux 900 "vmkbench --pages=$PAGES $W")
	if [ "$rc" = 0 ]; then
		grep -E '^[a-z]+ [0-9.]+ [0-9]+$' $T/linux.out | sed "s/^/BENCH guest $r /"
	else
		fail "guest run $r (status ${rc:-timeout}): $(cat $T/linux.out)"
	fi
done

# ---- an idle Linux guest: its exits over 10 s ----
sleep 5
exits() { vmware-cmd info linux | awk '$1 ~ /^exits\./ { sub(/^exits\./, "", $1); print $1, $2 }'; }
u0=$(cut -d' ' -f1 /proc/uptime)
exits > $T/e0
sleep 10
exits > $T/e1
u1=$(cut -d' ' -f1 /proc/uptime)
echo "BENCH idle_s $(awk -v a="$u0" -v b="$u1" 'BEGIN { printf "%.3f", b - a }')"
awk 'NR == FNR { a[$1] = $2; next } { print "BENCH idle_kind", $1, $2 - a[$1] }' $T/e0 $T/e1

# ---- memory ----
echo "BENCH mem $(lx_info linux pages) $(lx_info linux memsize | awk '{print $1}')"

lx_clean linux
lx_unfollow linux
check "vmware-cmd stop linux hard" vmware-cmd stop linux hard
check "vmware-cmd destroy linux" vmware-cmd destroy linux
check "vmkunload" vmkunload
echo "E2E-DONE"
e2e_end
