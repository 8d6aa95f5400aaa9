# SPDX-License-Identifier: GPL-2.0
# Twenty load/unload cycles in one boot: each works, and MemFree comes
# back to within 1% of where it started.
. ./lib.sh

CYCLES=${CYCLES:-20}

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
memfree_within_1pct "$before" "$after"
check "no kernel warning in dmesg" kernel_clean

e2e_end
