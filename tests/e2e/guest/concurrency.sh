# SPDX-License-Identifier: GPL-2.0
# Concurrency: two loads at once (one wins, the other is told it is
# busy), load/unload while other processes read /proc/vmware in a loop,
# and rmmod refused while loaded.
. ./lib.sh

vmkload --status >/dev/null && vmkunload >/dev/null
for i in 1 2 3; do
	vmkload >/tmp/a.out 2>&1 &
	a=$!
	vmkload >/tmp/b.out 2>&1 &
	b=$!
	wait $a; ra=$?
	wait $b; rb=$?
	if [ $((ra + rb)) -eq 1 ] && grep -qi "busy\|already" /tmp/a.out /tmp/b.out; then
		pass "two loads at once, round $i: one wins, the other is refused ($(grep -hi 'busy\|already' /tmp/a.out /tmp/b.out | head -n 1))"
	else
		fail "two loads at once, round $i (statuses $ra $rb: $(cat /tmp/a.out /tmp/b.out | tr '\n' ' '))"
	fi
	check "loaded after round $i" vmkload --status
	vmkunload >/dev/null
done

# Readers of /proc/vmware on every CPU while loading and unloading.
ncpu=$(grep -c ^processor /proc/cpuinfo)
pids=""
for c in $(seq 0 $((ncpu - 1))); do
	taskset -c $c sh -c 'while :; do cat /proc/vmware/version /proc/vmware/log /proc/vmware/cpuinfo /proc/vmware/worlds >/dev/null 2>&1; done' &
	pids="$pids $!"
done
ok=0
for i in $(seq 1 10); do
	vmkload -q && vmkunload >/dev/null && ok=$((ok + 1))
done
kill $pids 2>/dev/null
wait 2>/dev/null
check_eq "10 load/unload cycles under /proc/vmware readers" 10 "$ok"

vmkload -q
check "rmmod vmnix refused while loaded" sh -c '! rmmod vmnix 2>/dev/null'
check "still loaded after the refused rmmod" vmkload --status
check "two unloads at once: the vmkernel ends unloaded" sh -c \
	'vmkunload >/dev/null 2>&1 & vmkunload >/dev/null 2>&1; wait; vmkload --status; [ $? -eq 3 ]'
check "no kernel warning in dmesg" kernel_clean

e2e_end
