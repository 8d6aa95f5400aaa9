# SPDX-License-Identifier: GPL-2.0
# Soak: many load/unload cycles in one boot while stress-ng runs a
# console workload that verifies its own results.  No lost or corrupted
# result, no kernel warning, and MemFree back within 1% at the end.
# vmk.soakcycles=N sets the count (default 200; make test runs 20).
. ./lib.sh

N=$(vmk-cmdline get vmk.soakcycles 200)
ncpu=$(grep -c ^processor /proc/cpuinfo)

vmkload --status >/dev/null && vmkunload >/dev/null
# One cycle and one workload run first, so that one-time allocations
# (the kept log, the workload's first start) are not counted.
vmkload -q && vmkunload >/dev/null
stress-ng --cpu 1 --vm 1 --vm-bytes 32M --verify --timeout 2s >/dev/null 2>&1
before=$(memfree)
rm -f /tmp/stop /tmp/stress.fail
(
	runs=0
	while [ ! -f /tmp/stop ]; do
		stress-ng --cpu "$ncpu" --vm 1 --vm-bytes 32M --verify --timeout 4s \
			>/tmp/stress.last 2>&1 || cat /tmp/stress.last >> /tmp/stress.fail
		runs=$((runs + 1))
	done
	echo $runs > /tmp/stress.runs
) &
worker=$!

ok=0 t0=$(date +%s)
for i in $(seq 1 "$N"); do
	if vmkload -q && vmkcall cpuid >/dev/null && vmkunload >/dev/null &&
	   ! vmkcall cpuid >/dev/null; then
		ok=$((ok + 1))
	else
		fail "soak cycle $i"
	fi
	[ $((i % 20)) = 0 ] && echo "soak: $i of $N cycles ($(($(date +%s) - t0)) s)"
done
touch /tmp/stop
wait $worker
after=$(memfree)

check_eq "$N load/unload cycles under load" "$N" "$ok"
if [ -s /tmp/stress.fail ]; then
	fail "stress-ng verified its results ($(head -n 3 /tmp/stress.fail | tr '\n' ' '))"
else
	pass "stress-ng verified its results in $(cat /tmp/stress.runs) runs"
fi
memfree_within_1pct "$before" "$after"
check "no kernel warning in dmesg" kernel_clean

e2e_end
