# SPDX-License-Identifier: GPL-2.0
# CPU 1 is given to the vmkernel and taken back 50 times while the console
# runs a self-checking workload (stress-ng --verify, one short run after
# another, each on whatever CPUs Linux has at the time) and a burner world
# runs on the vmkernel's side whenever it has the CPU.  No run may fail,
# none may be lost, the burner's count only grows, and the kernel stays
# clean.
. ./lib.sh
. ./cpuslib.sh

CYCLES=${CYCLES:-50}
rm -f /tmp/stress.stop /tmp/stress.fail /tmp/stress.ok
(
	while [ ! -f /tmp/stress.stop ]; do
		if stress-ng --cpu 2 --vm 1 --vm-bytes 16M --verify --timeout 2s \
			>/tmp/stress.run 2>&1; then
			echo ok >> /tmp/stress.ok
		else
			cat /tmp/stress.run >> /tmp/stress.fail
		fi
	done
) &
loop=$!

b=$(vmkworld create --name=cycler --affinity=1)
check "a burner for cpu1 (ID $b)" test -n "$b"
bad=0 last=0
: >/tmp/cycles.times
i=0
while [ $i -lt "$CYCLES" ]; do
	i=$((i + 1))
	vmkcpu -t give 1 >>/tmp/cycles.times 2>/tmp/cycle.err || { bad=$((bad + 1)); cat /tmp/cycle.err; }
	[ "$(cat /sys/devices/system/cpu/online)" = 0 ] || { bad=$((bad + 1)); echo "cycle $i: CPU 1 still online"; }
	p=$(wstat "$b" progress)
	[ "$p" -ge "$last" ] || { bad=$((bad + 1)); echo "cycle $i: progress went back ($last -> $p)"; }
	last=$p
	vmkcpu -t take 1 >>/tmp/cycles.times 2>/tmp/cycle.err || { bad=$((bad + 1)); cat /tmp/cycle.err; }
	[ "$(cat /sys/devices/system/cpu/online)" = 0-1 ] || { bad=$((bad + 1)); echo "cycle $i: CPU 1 not back"; }
done
touch /tmp/stress.stop
wait $loop
check_eq "$CYCLES give/take cycles, each checked" 0 "$bad"
check "the burner made progress on cpu1 between cycles ($last loops)" test "$last" -gt 0
runs=$(wc -l </tmp/stress.ok 2>/dev/null || echo 0)
check "stress-ng --verify ran throughout ($runs runs)" test "$runs" -ge 3
if [ -s /tmp/stress.fail ]; then
	fail "no stress-ng run failed ($(tail -n 3 /tmp/stress.fail | tr '\n' ' '))"
else
	pass "no stress-ng run failed or lost a result"
fi
awk '{ t[$1] = t[$1] " " $3 } END { for (k in t) print "BENCH cpu_" k "_us" t[k] }' /tmp/cycles.times
check_eq "cpuinfo: cpu1 a console CPU at the end" console "$(cpu_state 1)"
check "destroy the burner" vmkworld destroy "$b"
check "no kernel warning in dmesg" kernel_clean

e2e_end
