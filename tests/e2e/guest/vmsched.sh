# SPDX-License-Identifier: GPL-2.0
# Virtual machines against each other, on one vmkernel CPU (vmk.cpus=1):
#  - four spin VMs with shares 1:1:2:4 progress in proportion, by the
#    guests' own loop counters: each one's part of the four's progress
#    within 2% of the CPU (2 points) of its entitlement (12.5, 12.5, 25
#    and 50%), its error relative to its entitlement shown beside;
#  - a hostile guest that scans guest-physical memory beyond its own,
#    writes wherever it can and tries the SVM instructions, MSRs and
#    ports, changes nothing outside itself: the vmkernel's checksum, a
#    console workload and a neighbour VM's memory are intact;
#  - the vmkernel's unload is refused while it has VMs, and goes through
#    once they are destroyed.
. ./lib.sh

G=/usr/lib/vmkx/guests
T=/tmp/vms
export VMKX_REGISTRY=$T/vm-list
mkdir -p $T

vmx() {		# vmx NAME KERNEL MB [KEY=VALUE...]
	n=$1 k=$2 mb=$3
	shift 3
	mkdir -p $T/$n
	{
		echo "displayName = \"$n\""
		echo "memsize = \"$mb\""
		echo "kernel = \"$k\""
		for kv in "$@"; do echo "${kv%%=*} = \"${kv#*=}\""; done
	} > $T/$n/$n.vmx
}
state() { vmware-cmd getstate "$1" 2>&1 | sed 's/getstate() = //'; }
memfree_vmk() { awk '$1 == "free" {print $2}' /proc/vmware/mem; }
# Guest output shown with its result words in lower case, so that the
# harness does not count the guest's PASS/FAIL lines as this script's.
show() { sed 's/^/    | /; s/PASS:/pass:/; s/FAIL:/fail:/; s/SKIP:/skip:/' "$1"; }
# lines VM: "TSC LOOPS" of each of its progress lines.
lines() {
	vmware-cmd serial "$1" | sed -n 's/^progress tsc=\([0-9]*\) loops=\([0-9]*\).*/\1 \2/p'
}

if ! vmkload --status >/dev/null 2>&1; then
	fail "the vmkernel is not loaded"
	e2e_end
fi
if [ ! -f $G/spin.elf ] || [ ! -f $G/hostile.elf ]; then
	skip "VMs against each other (no spin or hostile test guest in this initrd)"
	e2e_end
fi
free0=$(memfree_vmk)
khz=$(vmkcall info | sed -n 's/^tsc_khz //p')
[ -n "$khz" ] || khz=2000000
# A progress line every 4 s of the TSC: each costs the guest about a
# hundred exits, which must stay far below 1% of the smallest VM's time.
report=$((khz * 4000))

# ---- shares 1:1:2:4 ----
# Each VM's progress is its loop count, read off its own progress lines
# (interpolated between the two around each moment) at two moments of
# the TSC some 40 s apart that every VM's lines cover; its part of the
# four VMs' progress is held against its part of the shares.
i=0
for s in 1000 1000 2000 4000; do
	i=$((i + 1))
	vmx s$i $G/spin.elf 2 "kernel.cmdline=cycles=0 report_cycles=$report" \
		sched.cpu.shares=$s sched.cpu.affinity=1
	check "start s$i with $s shares" vmware-cmd start $T/s$i/s$i.vmx
done
# The CPU time each VCPU world was given over most of the same span, as
# the vmkernel counts it, is shown beside: if the counters stray while
# the CPU times do not, the host took the time (QEMU's thread preempted).
used() { vmware-cmd info $1 | awk '$1 == "used" {print $2}'; }
sleep 20
for v in s1 s2 s3 s4; do echo "$v $(used $v)"; done > /tmp/used.a
sleep 40
for v in s1 s2 s3 s4; do echo "$v $(used $v)"; done > /tmp/used.b
for v in s1 s2 s3 s4; do lines $v | sed "s/^/$v /"; done > /tmp/lines
awk 'NR == FNR { a[$1] = $2; next } { d[$1] = $2 - a[$1]; t += d[$1] }
	END { for (v in d) printf "    %s: CPU time %.3f s, %.2f%% of the four\n", v, d[v], d[v] * 100 / t }' \
	/tmp/used.a /tmp/used.b | sort
# From 20 s after the last VM's first line to the earliest last line.
awk '{ n[$1]++; t[$1, n[$1]] = $2; l[$1, n[$1]] = $3 }
function at(v, x,   k) {
	for (k = 1; k < n[v]; k++)
		if (t[v, k] <= x && x <= t[v, k + 1])
			return l[v, k] + (l[v, k + 1] - l[v, k]) * (x - t[v, k]) / (t[v, k + 1] - t[v, k])
	return -1
}
END {
	for (v in n) {
		if (t[v, 1] > t1) t1 = t[v, 1]
		if (t2 == "" || t[v, n[v]] < t2) t2 = t[v, n[v]]
	}
	t1 += 20 * khz * 1000
	if (t2 <= t1) { print "none", t1, t2; exit }
	for (v in n) { a = at(v, t1); b = at(v, t2); if (a < 0 || b < 0) { print "none", v; exit }
		d[v] = b - a; tot += d[v] }
	for (v in d) printf "%s %.6f %.1f\n", v, d[v] / tot, (t2 - t1) / (khz * 1000)
}' khz=$khz /tmp/lines > /tmp/parts
cat /tmp/parts
for e in "s1 1000" "s2 1000" "s3 2000" "s4 4000"; do
	v=${e% *} s=${e#* }
	got=$(awk -v v=$v '$1 == v {print $2}' /tmp/parts)
	secs=$(awk -v v=$v '$1 == v {print $3}' /tmp/parts)
	if [ -z "$got" ]; then
		fail "shares 1:1:2:4: no common window for $v: $(head -n 1 /tmp/parts)"
		continue
	fi
	# Off by, in hundredths of a point of the CPU, and relative to its
	# entitlement in tenths of a percent.
	pts=$(awk -v g="$got" -v s="$s" 'BEGIN { x = (g - s / 8000) * 10000
		printf "%d", x < 0 ? -x : x }')
	rel=$(awk -v g="$got" -v s="$s" 'BEGIN { w = s / 8000; x = (g - w) / w * 1000
		printf "%d", x < 0 ? -x : x }')
	msg="$v ($s shares) made $(awk -v g=$got 'BEGIN {printf "%.2f", g * 100}')% of the progress over $secs s, entitled to $(awk -v s=$s 'BEGIN {printf "%.2f", s / 80}')% (off by $((pts / 100)).$(printf %02d $((pts % 100))) points, $((rel / 10)).$((rel % 10))% of its entitlement"
	if [ "$pts" -le 200 ]; then
		pass "shares 1:1:2:4: $msg)"
	else
		fail "shares 1:1:2:4: $msg; 2 points allowed)"
	fi
done
for v in s1 s2 s3 s4; do
	vmware-cmd stop $v hard >/dev/null 2>&1
	check "destroy $v" vmware-cmd destroy $v
done

# ---- a hostile guest changes nothing outside itself ----
sum0=$(vmkcall checksum)
# The neighbour: a finite spin that recomputes its result at the end, so
# a corrupted register or page of its own would show in its SUMMARY.
vmx neighbour $G/spin.elf 4 "kernel.cmdline=cycles=$((khz * 20000)) report_cycles=$((khz * 1000))"
check "start the neighbour VM" vmware-cmd start $T/neighbour/neighbour.vmx
# The console's workload: a file's digest, over and over, every one the same.
dd if=/dev/urandom of=/tmp/work.bin bs=1024 count=512 2>/dev/null
want=$(md5sum < /tmp/work.bin)
( n=0; while [ $n -lt 400 ]; do md5sum < /tmp/work.bin; n=$((n + 1)); done > /tmp/work.out ) &
work=$!
vmx hostile $G/hostile.elf 8 "kernel.cmdline=expect_hypervisor=1"
check "start the hostile VM" vmware-cmd start $T/hostile/hostile.vmx
n=0
while [ "$(state hostile)" = running ] && [ $n -lt 120 ]; do sleep 1; n=$((n + 1)); done
vmware-cmd serial hostile > /tmp/hostile.out
show /tmp/hostile.out
check "hostile: it ran to its SUMMARY with no unexpected failure" \
	grep -q "^SUMMARY: .* 0 unexpected failures" /tmp/hostile.out
check_eq "hostile: it powered itself off" off "$(state hostile)"
wait $work
check_eq "the console's workload: 400 digests, all the same" "400 1" \
	"$(wc -l < /tmp/work.out) $(sort -u /tmp/work.out | wc -l)"
check_eq "the console's workload: the right digest" "$want" "$(sort -u /tmp/work.out)"
check_eq "the vmkernel's checksum is unchanged" "$sum0" "$(vmkcall checksum)"
n=0
while [ "$(state neighbour)" = running ] && [ $n -lt 120 ]; do sleep 1; n=$((n + 1)); done
vmware-cmd serial neighbour > /tmp/neighbour.out
grep -v "^progress" /tmp/neighbour.out > /tmp/neighbour.sum
show /tmp/neighbour.sum
check "the neighbour VM ends with its result intact" \
	grep -q "^SUMMARY: .* 0 unexpected failures" /tmp/neighbour.out

# ---- the vmkernel is not unloaded under its VMs ----
vmkunload > /tmp/unload.out 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "still has virtual machines" /tmp/unload.out && vmkload --status >/dev/null 2>&1; then
	pass "vmkunload with VMs refused: $(head -n 1 /tmp/unload.out)"
else
	fail "vmkunload with VMs (status $rc): $(cat /tmp/unload.out)"
fi
check_eq "the VMs are still there" "off off" "$(state hostile) $(state neighbour)"
check "destroy hostile" vmware-cmd destroy hostile
check "destroy the neighbour" vmware-cmd destroy neighbour
check_eq "every page back" "$free0" "$(memfree_vmk)"
check "vmkunload once the VMs are gone" vmkunload
check "and load again" vmkload
e2e_end
