# SPDX-License-Identifier: GPL-2.0
# Benchmark run inside the console (vmk.test=bench, or bench@load for the
# load/unload times only).  Prints "BENCH key value..." lines for
# tests/bench/handoff.sh to collect.  Every workload and every round trip
# checks its results.
#
# The order within one boot: console workloads bare and under the
# vmkernel, alternating; KVM's round trips (kvm_amd loaded only while the
# vmkernel is not: both need SVM); load and unload times; the vmkernel's
# round trips and its floor; CPUID with no hypervisor at all.
. ./lib.sh

RUNS=$(vmk-cmdline get vmk.bench.runs 5)
COUNT=$(vmk-cmdline get vmk.bench.count 100000)
vmkload --status >/dev/null && vmkunload >/dev/null
echo "BENCH ncpus $(grep -c ^processor /proc/cpuinfo)"

workload() {	# workload LABEL: one run of every workload
	./vmkbench all > /tmp/wl.out || { fail "workloads ($1) checked their results"; return 1; }
	sed "s/^/BENCH $1 /" /tmp/wl.out
}

# roundtrip NAME COMMAND...: one "X round trip: ..." line, or "n/a".
roundtrip() {
	name=$1
	shift
	if "$@" > /tmp/rt.out 2>&1 && grep -q "round trip: n " /tmp/rt.out; then
		sed 's/^/BENCH /' /tmp/rt.out
		return 0
	fi
	echo "BENCH $name n/a"
	return 1
}

# KVM, the peer: a minimal guest's null hypercall and CPUID round trips.
kvm_phase() {
	if ! modprobe kvm_amd 2>/tmp/kvm.err; then
		echo "BENCH kvm n/a"
		skip "KVM round trips (modprobe kvm_amd: $(tail -n 1 /tmp/kvm.err))"
		return
	fi
	./kvmbench "$COUNT" > /tmp/kvm.out 2>&1
	rc=$?
	if [ $rc = 0 ]; then
		sed 's/^/BENCH /' /tmp/kvm.out
		pass "KVM round trips measured and checked"
	else
		echo "BENCH kvm n/a"
		fail "KVM round trips (kvmbench exit $rc: $(tail -n 1 /tmp/kvm.out))"
	fi
	rmmod kvm_amd kvm || fail "rmmod kvm_amd kvm"
}

case "$(vmk-cmdline get vmk.test)" in
*@load) ;;
*)
	# Bare and loaded runs alternate, after one warm-up run, so that slow
	# drifts of the host fall on both sides alike.
	./vmkbench all >/dev/null
	ok=1
	for i in $(seq 1 "$RUNS"); do
		workload bare || ok=0
		vmkload -q || ok=0
		workload vmk || ok=0
		vmkunload >/dev/null || ok=0
	done
	[ $ok = 1 ] && pass "workloads checked their results, bare and under the vmkernel"
	# After five loads and unloads: the hardware must be handed back whole.
	kvm_phase
	;;
esac

for i in $(seq 1 10); do
	l=$(vmkload 2>&1 | sed -n 's/.* in \([0-9.]*\) ms.*/\1/p')
	u=$(vmkunload 2>&1 | sed -n 's/.* in \([0-9.]*\) ms.*/\1/p')
	echo "BENCH load_ms $l"
	echo "BENCH unload_ms $u"
done

case "$(vmk-cmdline get vmk.test)" in
*@load) exit 0 ;;
esac

vmkload -q
if modprobe kvm_amd 2>/dev/null; then
	fail "kvm_amd refuses to load while the vmkernel owns SVM (it loaded)"
	rmmod kvm_amd kvm
else
	pass "kvm_amd refuses to load while the vmkernel owns SVM"
fi
roundtrip vmkcall vmkcall bench vmkcall "$COUNT" || fail "null vmkcall round trip ($(tail -n 1 /tmp/rt.out))"
roundtrip cpuid vmkcall bench cpuid "$COUNT" || fail "CPUID round trip ($(tail -n 1 /tmp/rt.out))"
if ! roundtrip floor vmkcall bench floor "$COUNT"; then
	if vmkcall --help 2>&1 | grep -q floor; then
		fail "floor round trip ($(tail -n 1 /tmp/rt.out))"
	else
		skip "floor round trip (this vmkcall has no 'bench floor')"
	fi
fi
echo "BENCH image_bytes $(stat -c %s /lib/vmkx/vmkernel)"
echo "BENCH mem_used $(awk '$1 == "mem_used" {print $2}' /proc/vmware/version)"
vmkunload >/dev/null
roundtrip bare-cpuid vmkcall bench cpuid "$COUNT" | sed 's/^BENCH cpuid/BENCH bare-cpuid/'
