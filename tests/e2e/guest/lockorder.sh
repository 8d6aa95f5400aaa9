# SPDX-License-Identifier: GPL-2.0
# The debug image checks lock ranks in the live vmkernel: a start-up that
# takes the world table's lock while holding a heap's (failure injection
# lockorder) is refused, and the log names both locks and where each was
# taken; the console goes on on bare hardware and the next load works.
# The release image checks no ranks: the same injection goes unnoticed.
. ./lib.sh

dbg=/lib/vmkx/vmkernel-debug rel=/lib/vmkx/vmkernel
check "the debug image is installed" test -f $dbg

out=$(vmkload --fail-step=lockorder $dbg 2>&1)
rc=$?
check "debug image with a lock taken against its rank: the load fails ($out)" [ $rc -eq 1 ]
check "debug image: the log names both locks and places" grep -q \
	"PANIC: .* lock rank violation on cpu[0-9]*: 'world-table' (rank 1100) taken at vmkernel/core/world.c:[0-9]* while holding 'world' (rank [0-9]*) taken at vmkernel/kernel/init.c:[0-9]*" \
	/proc/vmware/log
check "not loaded after the refused start" sh -c 'vmkload --status; [ $? -eq 3 ]'
for c in $(seq 0 $(($(grep -c ^processor /proc/cpuinfo) - 1))); do
	check "CPU $c is on bare hardware" sh -c "! taskset -c $c vmkcall cpuid"
done

check "the debug image loads" vmkload -q $dbg
check "it says it is the debug build" grep -q '^vmkernel vmkx .*-debug$' /proc/vmware/version
check "its console worlds run" sh -c '[ "$(grep -c "type console state running" /proc/vmware/worlds)" -ge 1 ]'
if stress-ng --cpu 2 --vm 1 --vm-bytes 16M --verify --timeout 4s >/tmp/stress.out 2>&1; then
	pass "stress-ng --verify under the debug image"
else
	fail "stress-ng --verify under the debug image ($(tail -n 2 /tmp/stress.out | tr '\n' ' '))"
fi
check "unload" vmkunload

check "release image: the same injection is not caught" vmkload -q --fail-step=lockorder $rel
check "release image: it did take the locks" grep -q "injected failure: lock order" /proc/vmware/log
check "release image: no rank check fired" sh -c "! grep -q 'lock rank violation' /proc/vmware/log"
check "unload" vmkunload
e2e_end
