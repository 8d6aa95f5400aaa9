# SPDX-License-Identifier: GPL-2.0
# What modules add to the vmkernel, on a CPU given to it: the helper
# module's world appears in the world list, wakes on its period and on
# its vmkcall, and shows its count in /proc/vmware/helper, and all of it
# goes with the module; the spinner module (a world, no cleanup) cannot
# be unloaded until its world is destroyed; a module whose init starts a
# world and then fails leaves nothing behind; the profiler module counts
# the timer ticks of a vmkernel CPU by where they interrupted it, busy
# with a burner and idle without, in /proc/vmware/profile; unloading the
# vmkernel with the helper loaded takes its file away.  Each time the
# vmkernel's checksum, module list and module heap end where they began.
. ./lib.sh

T=/opt/vmkx-tests
HELPER_CALL=4099	# VMK_CALL_MODULE_BASE + 3
PROF_CALL=4098		# VMK_CALL_MODULE_BASE + 2

modheap() { heapf module "$1"; }
heapf() {	# heapf HEAP FIELD
	awk -v h="$1" -v f="$2" '$1 == "heap" && $2 == h {
		for (i = 3; i < NF; i += 2) if ($i == f) print $(i + 1) }' /proc/vmware/mem
}
heaps() { echo "module=$(heapf module in_use) sysworld=$(heapf sysworld in_use) world=$(heapf world in_use) kernel=$(heapf kernel in_use)"; }
nmods() { tail -n +2 /proc/vmware/modules | wc -l; }
state() { echo "$(vmkcall checksum) mods=$(nmods) held=$(modheap held) in_use=$(modheap in_use)"; }
field() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }

vmkload --status >/dev/null || vmkload -q
check "give CPU 1 to the vmkernel" vmkcpu give 1
for m in helper profiler; do
	check "$m.o passes the console's check" vmkload_mod -c $T/$m.o
done

# helper: a world of its own, a file, a vmkcall.
before=$(state)
check "vmkload_mod loads helper" vmkload_mod $T/helper.o
check "/proc/vmware/helper appears" test -r /proc/vmware/helper
wid=$(field world /proc/vmware/helper)
check "helper's world is in /proc/vmware/worlds as a helper world" \
	grep -Eq "^world $wid name modhelper type helper " /proc/vmware/worlds
check "and in vmkworld list" sh -c "vmkworld list | grep -q modhelper"
w1=$(field wakeups /proc/vmware/helper)
t1=$(field timer_runs /proc/vmware/helper)
sleep 2
w2=$(field wakeups /proc/vmware/helper)
t2=$(field timer_runs /proc/vmware/helper)
check "helper's world wakes on its period (wakeups $w1, then $w2 two seconds later)" \
	test "$((w2 - w1))" -ge 20
check "helper's 20 ms timer runs (runs $t1, then $t2 two seconds later)" \
	test "$((t2 - t1))" -ge 10
r=$(vmkcall raw $HELPER_CALL)
check "helper's vmkcall wakes it and answers its count ($r)" test "$r" -ge "$w2"
check_eq "the file counts the asking" 1 "$(field asked /proc/vmware/helper)"
check "vmkload_mod -u helper" vmkload_mod -u helper
check "/proc/vmware/helper is gone" test ! -e /proc/vmware/helper
check "helper's world is gone" sh -c "! grep -q modhelper /proc/vmware/worlds"
check "cleanup stopped it" grep -q "helper: world $wid stopped (0)" /proc/vmware/log
check_eq "helper's vmkcall went with it" -38 "$(vmkcall raw $HELPER_CALL)"
check_eq "checksum, module list and module heap as before" "$before" "$(state)"

# Cycles: a world, a file and a timer made and taken away each time.
before="$(state) $(heaps)"
ok=0
for i in $(seq 1 20); do
	if vmkload_mod -q $T/helper.o && grep -q '^world ' /proc/vmware/helper &&
	   vmkload_mod -q -u helper && [ ! -e /proc/vmware/helper ]; then
		ok=$((ok + 1))
	else
		fail "helper load/read/unload cycle $i"
		break
	fi
done
check_eq "20 helper load/read/unload cycles" 20 "$ok"
check_eq "after them: checksum, module list, and the module, sysworld, world and kernel heaps as before" \
	"$before" "$(state) $(heaps)"

# spinner: its world runs and it has no cleanup.
before=$(state)
check "vmkload_mod loads spinner" vmkload_mod $T/spinner.o
sid=$(awk '$1 == "world" && $4 == "spinner" { print $2 }' /proc/vmware/worlds)
check "spinner's world runs ($sid)" test -n "$sid"
if vmkload_mod -u spinner >/tmp/spin.out 2>&1; then
	fail "spinner's unload refused while its world runs"
else
	check "spinner's unload refused while its world runs: in use" grep -q "in use" /tmp/spin.out
	check "the log names the world" grep -q "its world $sid runs its code" /proc/vmware/log
fi
check "vmkworld destroy spinner's world" vmkworld destroy "$sid"
check "then spinner unloads" vmkload_mod -u spinner
check_eq "spinner: checksum, module list and module heap as before" "$before" "$(state)"

# worldfail: init starts a world, a file and a timer, then fails.
before="$(state) $(heaps)"
if vmkload_mod $T/worldfail.o >/tmp/wf.out 2>&1; then
	fail "worldfail's failing init refused"
else
	check "worldfail's failing init refused" grep -q "error -5" /tmp/wf.out
fi
check "its world went with it" sh -c "! grep -q ' name worldfail ' /proc/vmware/worlds"
check "its file never appeared" test ! -e /proc/vmware/worldfail
check_eq "worldfail: checksum, module list, and the module, sysworld, world and kernel heaps as before" \
	"$before" "$(state) $(heaps)"

# profiler: where vmkernel CPU 1 spends its ticks.
before=$(state)
check "vmkload_mod loads profiler" vmkload_mod $T/profiler.o
b=$(vmkworld create --name=profburn --affinity=1)
check "a burner on CPU 1 ($b)" test "$b" -gt 0
sleep 1
vmkcall raw $PROF_CALL >/dev/null
sleep 3
cp /proc/vmware/profile /tmp/busy.txt
cat /tmp/busy.txt
s=$(field samples /tmp/busy.txt)
idle=$(awk '$1 == "idle" { print $2 }' /tmp/busy.txt)
check "the profile has samples while the burner runs ($s)" test "${s:-0}" -ge 100
check "few of them idle ($idle of $s)" test "$((idle * 10))" -le "$s"
top=$(awk 'f { print; exit } $1 == "count" { f = 1 }' /tmp/busy.txt)
tcount=${top%% *}
check "the top entry is the vmkernel's code ($top)" sh -c "echo '$top' | grep -Eq ' vmkernel\+0x[0-9a-f]+$'"
check "and holds a fair part of the samples ($tcount of $s)" test "$((tcount * 5))" -ge "$s"
check "vmkworld destroy the burner" vmkworld destroy "$b"
vmkcall raw $PROF_CALL >/dev/null
sleep 2
cp /proc/vmware/profile /tmp/idle.txt
s=$(field samples /tmp/idle.txt)
idle=$(awk '$1 == "idle" { print $2 }' /tmp/idle.txt)
check "idle, the samples are the idle world's ($idle of $s)" \
	test "${s:-0}" -gt 0 -a "$((idle * 10))" -ge "$((s * 9))"
check "vmkload_mod -u profiler" vmkload_mod -u profiler
check "/proc/vmware/profile is gone" test ! -e /proc/vmware/profile
check_eq "profiler: checksum, module list and module heap as before" "$before" "$(state)"

# A file of a module still loaded when the vmkernel goes.
check "helper loads again" vmkload_mod -q $T/helper.o
check "vmkunload with helper loaded" vmkunload
check "/proc/vmware/helper went with the vmkernel" test ! -e /proc/vmware/helper
check "vmkload" vmkload -q
check "the new vmkernel has no module files" test ! -e /proc/vmware/helper
check "no kernel warning in dmesg" kernel_clean

e2e_end
