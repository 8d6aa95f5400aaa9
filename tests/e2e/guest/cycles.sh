# SPDX-License-Identifier: GPL-2.0
# Twenty load/unload cycles in one boot: each works, and MemFree comes
# back to within 1% of where it started.
. ./lib.sh

CYCLES=${CYCLES:-20}
memfree() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	awk '/^MemFree:/ {print $2}' /proc/meminfo
}

vmkload --status >/dev/null && vmkunload >/dev/null
# One cycle first, so that one-time allocations (the kept log) are made.
vmkload -q && vmkunload >/dev/null
before=$(memfree)
ok=0
for i in $(seq 1 "$CYCLES"); do
	if vmkload -q && vmkcall cpuid >/dev/null && vmkunload >/dev/null &&
	   ! vmkcall cpuid >/dev/null; then
		ok=$((ok + 1))
	else
		fail "load/unload cycle $i"
	fi
done
after=$(memfree)
check_eq "$CYCLES load/unload cycles" "$CYCLES" "$ok"
diff=$((before > after ? before - after : after - before))
if [ $((diff * 100)) -le "$before" ]; then
	pass "MemFree back within 1% (before $before kB, after $after kB)"
else
	fail "MemFree back within 1% (before $before kB, after $after kB)"
fi
check "no kernel warning in dmesg" kernel_clean
