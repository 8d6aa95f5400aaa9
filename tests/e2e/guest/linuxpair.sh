# SPDX-License-Identifier: GPL-2.0
# Two Linux VMs at once on one vmkernel CPU (vmk.cpus=1), with shares
# 1000 and 3000: both boot to ready, then each runs `vmkbench cpu` in a
# loop and prints a line per run.  Over a window of WINDOW seconds each
# VM's part of the runs both made must be its part of the shares, 25%
# and 75%, within 5 points.
#
# Why 5 points: the scheduler's own accounting is within 0.1 point of
# entitlement and the spin guests' progress within 2 points on this
# host (vmsched); here the progress is counted in whole runs (each
# 100 million loop steps, a few tenths of a second of the VM's CPU: tens
# of runs in the window for the smaller VM, so one run either way at the
# window's edges moves the parts by a point or two), and each Linux guest also spends CPU on its own timer
# interrupts and daemons, alike for both.  A scheduler that ignored the
# shares would give 50%, a 25-point error.
#
# The registry is a scratch file: this boot has no datastore.
. ./lib.sh
T=/tmp/linuxpair
. ./linuxlib.sh
export VMKX_REGISTRY=$T/vm-list

BOOT_S=600
WINDOW=${WINDOW:-60}
TOL=5

if ! vmkload --status >/dev/null 2>&1; then
	fail "the vmkernel is not loaded"
	e2e_end
fi
free0=$(lx_memfree)
lx_vlog_mark
for v in lxa:1000 lxb:3000; do
	n=${v%:*} s=${v#*:}
	mkdir -p $T/$n
	cat > $T/$n/$n.vmx <<-VMX
	displayName = "$n"
	memsize = "192"
	numvcpus = "1"
	sched.cpu.shares = "$s"
	kernel = "$LX/vmlinuz"
	kernel.initrd = "$LX/initrd.img"
	kernel.cmdline = "console=ttyS0 earlyprintk=serial acpi=off pci=off reboot=pci panic=-1 i8042.noaux i8042.nokbd"
	VMX
	: > $T/$n.log
	if vmware-cmd start $T/$n/$n.vmx > $T/start.out 2>&1; then
		pass "$n ($s shares) started: $(head -n 1 $T/start.out)"
	else
		fail "$n ($s shares) started: $(cat $T/start.out)"
	fi
	lx_follow $n
done
for n in lxa lxb; do
	b=$(lx_ready $n $BOOT_S)
	if [ -n "$b" ]; then
		pass "$n booted to 'vmkx-guest: ready' (boot $b)"
	else
		fail "$n booted to 'vmkx-guest: ready' within ${BOOT_S}s (state $(lx_state $n))"
		lx_show $n 20
	fi
done

if [ -n "$(lx_boot lxa)" ] && [ -n "$(lx_boot lxb)" ]; then
	# One line per run, and no echo of the command can match it.
	for n in lxa lxb; do
		lx_send $n 'while vmkbench cpu 5 > /dev/null; do echo "RUN""-DONE"; done; echo "RUN""-FAILED"'
	done
	runs() { lx_log "$1" | grep -c '^RUN-DONE$'; }
	# Both loops under way before the window opens.
	sleep 20
	a0=$(runs lxa) c0=$(runs lxb)
	sleep "$WINDOW"
	a1=$(runs lxa) c1=$(runs lxb)
	a=$((a1 - a0)) c=$((c1 - c0))
	check_eq "no workload run failed its check" "0 0" \
		"$(lx_log lxa | grep -c '^RUN-FAILED$') $(lx_log lxb | grep -c '^RUN-FAILED$')"
	if [ $a -gt 0 ] && [ $c -gt 0 ]; then
		pass "both VMs progressed over ${WINDOW}s (lxa $a runs, lxb $c runs)"
		# lxb's part in hundredths of a point, against 75.00.
		part=$((c * 10000 / (a + c)))
		off=$((part > 7500 ? part - 7500 : 7500 - part))
		msg="lxb (3000 shares) made $((part / 100)).$(printf %02d $((part % 100)))% of the runs, entitled to 75% (off by $((off / 100)).$(printf %02d $((off % 100))) points; ratio $(awk -v a=$a -v c=$c 'BEGIN {printf "%.2f", c / a}') for 3.00)"
		if [ $off -le $((TOL * 100)) ]; then
			pass "$msg, within $TOL"
		else
			fail "$msg, more than $TOL"
		fi
	else
		fail "both VMs progressed over ${WINDOW}s (lxa $a runs, lxb $c runs)"
	fi
	for n in lxa lxb; do
		vmware-cmd info $n | grep -E '^(used|up|shares) ' | sed "s/^/    $n| /"
	done
fi

for n in lxa lxb; do
	check "vmware-cmd stop $n hard" vmware-cmd stop $n hard
	lx_unfollow $n
	lx_clean $n
	check "vmware-cmd destroy $n" vmware-cmd destroy $n
done
check_eq "every page is back (vmkernel free bytes)" "$free0" "$(lx_memfree)"
lx_vlog_clean
check "no kernel warning in the console's dmesg" kernel_clean

e2e_end
