# SPDX-License-Identifier: GPL-2.0
# Benchmark of virtual machines, run inside the console (vmk.test=benchvm,
# booted with vmk.autoload=0).  Prints "BENCH key value..." lines for
# tests/bench/vm.sh.  Every VM and CPU used is the vmkernel's CPU 1, or
# the console's CPU 1 while the vmkernel is not loaded, so the same
# emulated CPU runs every side.
#
#   spin     the spin guest's loop for SPIN_S seconds: natively in the
#            console (spinbench, vmkernel not loaded), in KVM (kvmbench
#            --multiboot, kvm_amd loaded while the vmkernel is not) and in
#            a vmkernel VM (vmware-cmd start), RUNS times, alternating
#   idle     the idle guest's exits over 10 s, by kind
#   switch   one spin VM alone, then with a second one on the same CPU,
#            then alone again: the guests' own counters, and the
#            vmkernel's accounting of the CPU's time
#   many     32 spin VMs of 2 MB on one CPU, shares 1000 to 4000: each
#            VM's loops and CPU time against its entitlement, the
#            scheduler's decisions, the vmkernel memory each VM holds
#
# The guests' progress lines carry (TSC, loops) samples; a window is two
# readings of CPU 1's TSC (vmkcpu stats), and each VM's rate comes from
# its own samples inside it.
. ./lib.sh
. ./cpuslib.sh

G=/usr/lib/vmkx/guests
RUNS=$(vmk-cmdline get vmk.bench.runs 3)
SPIN_S=$(vmk-cmdline get vmk.bench.spin 10)
WINDOW=$(vmk-cmdline get vmk.bench.window 10)
NVMS=$(vmk-cmdline get vmk.bench.vms 32)
khz=$(awk -F': *' '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)
CYC=$((SPIN_S * khz * 1000))
echo "BENCH ncpus $(grep -c ^processor /proc/cpuinfo)"
echo "BENCH tsc_khz $khz"
echo "BENCH spin_s $SPIN_S"
vmkload --status >/dev/null && vmkunload >/dev/null

cstat() { vmkcpu stats 1 | awk -v k="$1" '$1 == k { print $2 }'; }
# vinfo VM KEY: one field of vmware-cmd info (its first word after the key).
vinfo() { vmware-cmd info "$1" | awk -v k="$2" '$1 == k { print $2; exit }'; }
# why VM: its state, and the reason it stopped if it did.
why() { vmware-cmd info "$1" 2>&1 | awk '$1 == "state" || $1 == "reason" || /: / { $1 = $1; printf "%s; ", $0 }'; }

# vmx NAME MB SHARES KERNEL CMDLINE: writes /tmp/vm/NAME.vmx for CPU 1.
vmx() {
	mkdir -p /tmp/vm
	cat > "/tmp/vm/$1.vmx" <<EOF
displayName = "$1"
memsize = "$2"
numvcpus = "1"
sched.cpu.shares = "$3"
sched.cpu.affinity = "1"
kernel = "$4"
kernel.cmdline = "$5"
EOF
}

# wait_state VM STATE SECONDS
wait_state() {
	local n=0
	while [ $n -lt $(($3 * 10)) ]; do
		vmware-cmd getstate "$1" 2>/dev/null | grep -q "= $2\$" && return 0
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}

# destroy VM: if the vmkernel has it, it must go, whatever its state.  A
# VCPU that did not stop in time is left by the vmkernel for a later try
# (ETIMEDOUT): up to three tries, each retry counted.
destroy() {
	local t=0
	vmware-cmd getstate "$1" >/dev/null 2>&1 || return 0
	while ! vmware-cmd destroy "$1" > /tmp/destroy.out 2>&1; do
		t=$((t + 1))
		if [ $t -ge 3 ]; then
			fail "destroy $1 ($(why "$1") $(tail -n 1 /tmp/destroy.out))"
			return
		fi
		echo "BENCH destroy_retry $1 $(tail -n 1 /tmp/destroy.out)"
		sleep 1
	done
}

# spinline FILE: "loops cycles" of the spin guest's closing line.
spinline() { tr -d '\r' < "$1" | sed -n 's/^spin: \([0-9]*\) loops in \([0-9]*\) cycles.*/\1 \2/p' | tail -n 1; }

# rate VM T0 T1: "dloops dtsc" between the VM's first progress line at or
# after TSC T0 and its last one at or before T1 ("0 0" if there are not
# two).  The vmkernel runs guests without a TSC offset, so a guest's TSC
# is its CPU's, which vmkcpu stats shows; were it offset, no line would
# fall in the window and the VM would count as making no progress.
rate() {
	local r
	vmware-cmd serial "$1" > /tmp/serial.out 2>&1 || r=$?
	r=$(tr -d '\r' < /tmp/serial.out | awk -v a="$2" -v b="$3" '
		/^progress tsc=/ {
			split($2, t, "="); split($3, l, "=")
			if (t[2] + 0 >= a + 0 && !got) { t0 = t[2]; l0 = l[2]; got = 1 }
			if (t[2] + 0 <= b + 0) { t1 = t[2]; l1 = l[2] }
		}
		END { if (got && t1 > t0) printf "%.0f %.0f\n", l1 - l0, t1 - t0; else print "0 0" }')
	echo "$r"
	# Why a VM shows no progress, for whoever reads the log.
	[ "$r" != "0 0" ] || { echo "$1: no two progress lines in TSC $2..$3; its COM1 ends:"
		tail -c 300 /tmp/serial.out; echo; } >&2
}

# used: "name used_us" of every VM, read in one pass over /proc/vmware/vm.
used() {
	awk '{ split(FILENAME, p, "/") }
		FILENAME ~ /names$/ && $1 == "name" { n[p[5]] = $2 }
		FILENAME ~ /status$/ && $1 == "used_us" { u[p[5]] = $2 }
		END { for (i in n) print n[i], u[i] }' /proc/vmware/vm/*/names /proc/vmware/vm/*/cpu/status
}

# ---- spin: native, KVM, VM, alternating ----
i=0
while [ $i -lt "$RUNS" ]; do
	i=$((i + 1))
	if ./spinbench --cpu 1 --cycles "$CYC" > /tmp/sb.out 2>&1; then
		echo "BENCH spin native $i $(spinline /tmp/sb.out)"
	else
		fail "spinbench run $i ($(tr '\n' ' ' < /tmp/sb.out))"
	fi
	if modprobe kvm_amd 2>/tmp/kvm.err; then
		taskset -c 1 ./kvmbench --multiboot "$G/spin.elf" --timeout $((SPIN_S * 20)) \
			--append "cycles=$CYC report_cycles=$((CYC * 2))" > /tmp/kb.out 2>&1
		rc=$?
		if [ $rc = 0 ] && [ -n "$(spinline /tmp/kb.out)" ]; then
			echo "BENCH spin kvm $i $(spinline /tmp/kb.out)"
		else
			fail "spin guest in KVM, run $i (status $rc: $(tail -n 2 /tmp/kb.out | tr '\n' ' '))"
		fi
		rmmod kvm_amd kvm || fail "rmmod kvm_amd kvm"
	else
		skip "spin guest in KVM (modprobe kvm_amd: $(tail -n 1 /tmp/kvm.err))"
	fi
	if ! vmkload -q || ! vmkcpu give 1; then
		fail "load the vmkernel and give it CPU 1"
		break
	fi
	vmx spin 4 1000 "$G/spin.elf" "cycles=$CYC report_cycles=$((CYC * 2))"
	if vmware-cmd start /tmp/vm/spin.vmx > /tmp/vs.out 2>&1 &&
	   wait_state spin off $((SPIN_S * 20)) &&
	   vmware-cmd serial spin > /tmp/vs.out 2>&1 && [ -n "$(spinline /tmp/vs.out)" ] &&
	   tr -d '\r' < /tmp/vs.out | grep -q '^SUMMARY: [0-9]* tests, 0 unexpected failures' &&
	   [ "$(vinfo spin exit_code)" = 0 ]; then
		echo "BENCH spin vm $i $(spinline /tmp/vs.out)"
	else
		fail "spin guest in a vmkernel VM, run $i ($(why spin) $(tail -n 2 /tmp/vs.out | tr '\n' ' '))"
	fi
	destroy spin
	vmkcpu take 1 && vmkunload >/dev/null || { fail "take CPU 1 and unload"; break; }
done

# ---- the rest runs with the vmkernel on CPU 1 ----
if ! vmkload -q || ! vmkcpu give 1; then
	fail "load the vmkernel and give it CPU 1"
	e2e_end
fi
used0=$(awk '$1 == "mem_used" { print $2 }' /proc/vmware/version)

# ---- idle: exits per second of a halted VM ----
vmx idle 4 1000 "$G/idle.elf" ""
if vmware-cmd start /tmp/vm/idle.vmx >/dev/null 2>&1 && wait_state idle running 10; then
	n=0
	while [ $n -lt 100 ] && ! vmware-cmd serial idle 2>/dev/null | grep -q 'idle: halting'; do
		sleep 0.1
		n=$((n + 1))
	done
	sleep 1
	vmware-cmd info idle > /tmp/i0.out
	sleep 10
	vmware-cmd info idle > /tmp/i1.out
	echo "BENCH idle $(awk '$1 == "up" { print $2 }' /tmp/i0.out) $(awk '$1 == "up" { print $2 }' /tmp/i1.out)" \
		"$(awk '$1 ~ /^exits\./ { s += $2 } END { print s + 0 }' /tmp/i0.out)" \
		"$(awk '$1 ~ /^exits\./ { s += $2 } END { print s + 0 }' /tmp/i1.out)"
	paste /tmp/i0.out /tmp/i1.out | awk '$1 ~ /^exits\./ { sub(/^exits\./, "", $1); printf "BENCH idle_kind %s %d\n", $1, $4 - $2 }'
	check "idle VM still running after 10 s" sh -c 'vmware-cmd getstate idle | grep -q "= running$"'
else
	fail "start the idle VM ($(why idle))"
fi
destroy idle

# ---- switch: one spin VM, then two, alternating ----
# acct WORLD: the vmkernel's clock (in the world's stats), CPU 1's
# scheduling decisions and their time.
acct() { echo "$(wstat "$1" now_ns) $(cstat decisions) $(cstat decide_ns)"; }
win_a() {	# win_a LABEL OTHER_VM: a window of spinA, with OTHER_VM or "-"
	wa=$(vinfo spinA worlds)
	t0=$(cstat now_tsc); c0=$(acct "$wa")
	sleep "$WINDOW"
	t1=$(cstat now_tsc); c1=$(acct "$wa")
	ra=$(rate spinA "$t0" "$t1")
	rb="0 0"
	[ "$2" = - ] || rb=$(rate "$2" "$t0" "$t1")
	echo "BENCH switch $1 $ra $rb | $c0 | $c1"
}
every=$((khz * 200))	# a progress line each 200 ms of TSC
vmx spinA 4 1000 "$G/spin.elf" "cycles=0 report_cycles=$every"
vmx spinB 4 1000 "$G/spin.elf" "cycles=0 report_cycles=$every"
# Windows alternate, alone and with spinB, so that the host's drifts fall
# on both sides; the spread of the alone windows says how large they are.
if vmware-cmd start /tmp/vm/spinA.vmx >/dev/null 2>&1 && wait_state spinA running 10; then
	sleep 2
	for w in 1 2; do
		win_a alone -
		if vmware-cmd start /tmp/vm/spinB.vmx >/dev/null 2>&1 && wait_state spinB running 10; then
			sleep 2
			win_a both spinB
			vmware-cmd stop spinB hard >/dev/null 2>&1 || fail "stop spinB"
			sleep 2
		else
			fail "start spinB ($(why spinB))"
			break
		fi
	done
	win_a alone -
	check "spinA ran through every window" sh -c 'vmware-cmd getstate spinA | grep -q "= running$"'
else
	fail "start spinA ($(why spinA))"
fi
for v in spinA spinB; do destroy "$v"; done

# ---- many: NVMS small spin VMs on CPU 1 ----
used1=$(awk '$1 == "mem_used" { print $2 }' /proc/vmware/version)
started=0
i=0
while [ $i -lt "$NVMS" ]; do
	i=$((i + 1))
	vmx "s$i" 2 $((1000 * (1 + (i - 1) % 4))) "$G/spin.elf" "cycles=0 report_cycles=$((khz * 500))"
	if vmware-cmd start "/tmp/vm/s$i.vmx" > /tmp/start.out 2>&1; then
		started=$((started + 1))
	else
		fail "start small VM s$i ($(tail -n 1 /tmp/start.out))"
		break
	fi
done
echo "BENCH many_started $started"
if [ "$started" = "$NVMS" ]; then
	used2=$(awk '$1 == "mem_used" { print $2 }' /proc/vmware/version)
	echo "BENCH many_mem $used1 $used2 $NVMS"
	sleep 3
	w1=$(vinfo s1 worlds)
	used > /tmp/u0.out
	t0=$(cstat now_tsc); d0=$(cstat decisions); e0=$(cstat decide_ns); n0=$(wstat "$w1" now_ns)
	sleep $((WINDOW * 3))
	t1=$(cstat now_tsc); d1=$(cstat decisions); e1=$(cstat decide_ns); n1=$(wstat "$w1" now_ns)
	used > /tmp/u1.out
	echo "BENCH many_sched $((d1 - d0)) $((e1 - e0)) $((n1 - n0))"
	i=0
	while [ $i -lt "$NVMS" ]; do
		i=$((i + 1))
		ua=$(awk -v n="s$i" '$1 == n { print $2 }' /tmp/u0.out)
		ub=$(awk -v n="s$i" '$1 == n { print $2 }' /tmp/u1.out)
		vmware-cmd info "s$i" > /tmp/si.out
		echo "BENCH many_vm s$i $(awk '$1 == "shares" { print $2 }' /tmp/si.out)" \
			"$(rate "s$i" "$t0" "$t1") $(((ub - ua) * 1000))" \
			"$(awk '$1 == "pages" { print $2 }' /tmp/si.out)" \
			"$(awk '$1 == "memsize" { print $2 }' /tmp/si.out)" \
			"$(awk '$1 == "state" { print $2 }' /tmp/si.out)"
	done
fi
i=0
while [ $i -lt "$started" ]; do i=$((i + 1)); destroy "s$i"; done
used3=$(awk '$1 == "mem_used" { print $2 }' /proc/vmware/version)
check_eq "every VM's pages returned (mem_used as before the VMs)" "$used0" "$used3"
vmware-cmd list
check "take CPU 1 back and unload" sh -c 'vmkcpu take 1 && vmkunload'
check "no kernel warning in dmesg" kernel_clean
e2e_end
