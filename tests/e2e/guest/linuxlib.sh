# SPDX-License-Identifier: GPL-2.0
# Helpers for the e2e boots that run Linux VMs (linuxvm, linuxsmp,
# linuxpair), sourced after lib.sh.  A guest's COM1 output is followed
# into $T/NAME.log for as long as the test runs (across its reboots and
# resets); commands are typed into its shell through `vmware-cmd
# attach`, and each answers with a marker line no echo can match.
# The guest's start-up line names its boot (the kernel's boot_id), so a
# reboot is seen as a new boot id followed by `vmkx-guest: ready`.

LX=/usr/lib/vmkx/linux
: "${T:=/tmp/linux}"
mkdir -p "$T"

lx_memfree() { awk '$1 == "free" {print $2}' /proc/vmware/mem; }
lx_vmid() { vmware-cmd -l | awk -v n="$1" '$2 == n && $1 != "-" {print $1}'; }
lx_state() { vmware-cmd getstate "$1" 2>&1 | sed 's/getstate() = //'; }
lx_info() { vmware-cmd info "$1" 2>/dev/null | awk -v k="$2" '$1 == k {sub(/^[^ ]+ +/, ""); print}'; }
# The guest's log, without CRs.
lx_log() { tr -d '\r' < "$T/$1.log" 2>/dev/null; }

# lx_follow NAME: copies the VM's COM1 into $T/NAME.log while it runs,
# starting again after a reset; lx_unfollow NAME ends that.
lx_follow() {
	rm -f "$T/$1.nofollow"
	(
		# Its vmware-cmd ends with it: one that outlived the VM would ask
		# the vmkernel for a VM that is gone.
		c=""
		trap '[ -n "$c" ] && kill $c 2>/dev/null; exit 0' TERM
		while [ ! -e "$T/$1.nofollow" ]; do
			if [ "$(lx_state "$1")" = running ]; then
				vmware-cmd serial -f "$1" >> "$T/$1.log" 2>/dev/null &
				c=$!
				wait $c
				c=""
			fi
			sleep 0.5
		done
	) &
	eval "LXF_$(echo "$1" | tr -c 'a-zA-Z0-9\n' _)=$!"
}
lx_unfollow() {
	: > "$T/$1.nofollow"
	eval "p=\$LXF_$(echo "$1" | tr -c 'a-zA-Z0-9\n' _)"
	[ -n "$p" ] && kill "$p" 2>/dev/null
	sleep 1
}

# lx_boot NAME: the boot id of the guest's last boot that printed
# `vmkx-guest: ready` (empty if none did).
lx_boot() {
	lx_log "$1" | awk '
		/^vmkx-guest: Linux / { b = $NF; r = 0 }
		/^vmkx-guest: ready/ && b != "" { ready = b }
		END { print ready }'
}

# lx_ready NAME SECONDS [OLD_BOOT]: waits for a boot other than
# OLD_BOOT to say it is ready; prints its boot id.
lx_ready() {
	end=$(($(date +%s) + $2))
	while [ "$(date +%s)" -le $end ]; do
		b=$(lx_boot "$1")
		if [ -n "$b" ] && [ "$b" != "${3:-}" ]; then
			echo "$b"
			return 0
		fi
		case "$(lx_state "$1")" in running|loading) ;; *) return 1 ;; esac
		sleep 0.5
	done
	return 1
}

# lx_send NAME TEXT: types TEXT and Enter into the guest's shell.
lx_send() {
	printf '%s\r\035' "$2" | vmware-cmd attach "$1" > /dev/null 2>&1
}

# lx_run NAME SECONDS COMMAND: runs COMMAND in the guest's shell and
# prints its exit status once it is done (nothing on a timeout).
# Its output is what the log holds between the marker lines.
# The markers count in a file: lx_run runs in a subshell, $(...).
lx_run() {
	n=$(($(cat "$T/lx_n" 2>/dev/null || echo 0) + 1))
	echo $n > "$T/lx_n"
	m="LX$$-$n"
	lx_send "$1" "echo \"$m\"\"-BEGIN\"; $3; echo \"$m\"\"-RC=\$?\""
	end=$(($(date +%s) + $2))
	while [ "$(date +%s)" -le $end ]; do
		rc=$(lx_log "$1" | sed -n "s/^$m-RC=\([0-9]*\)$/\1/p" | tail -n 1)
		if [ -n "$rc" ]; then
			lx_log "$1" | sed -n "/^$m-BEGIN$/,/^$m-RC=/p" | sed '1d;$d' > "$T/$1.out"
			echo "$rc"
			return 0
		fi
		sleep 0.5
	done
	return 1
}

# The guest kernel's complaints: kernel-bad.re plus what a guest's
# clocks and timers say when the platform gets them wrong.
LX_BAD_CLOCK='clocksource.*unstable|Marking clocksource|timekeeping watchdog|Marking TSC unstable|TSC.*unstable|hrtimer: interrupt took|APIC timer disabled|MP-BIOS bug|timer doesn.t work|Fast TSC calibration failed|Failed to calibrate|too much work for irq|irq [0-9]+: nobody cared|spurious APIC interrupt|time went backwards'
lx_clean() {
	bad=$(lx_log "$1" | grep -E "$(cat /opt/vmkx-tests/kernel-bad.re)|$LX_BAD_CLOCK" | head -n 5)
	if [ -z "$bad" ]; then
		pass "$1: the guest kernel's log has no warning, call trace or clock and timer complaint"
	else
		fail "$1: the guest kernel's log: $(echo "$bad" | tr '\n' ' ')"
	fi
}

# lx_show NAME [LINES]: the tail of the guest's log, its result words in
# lower case so the harness counts only the script's own.
lx_show() {
	lx_log "$1" | tail -n "${2:-30}" |
		sed "s/^/    $1| /; s/PASS:/pass:/; s/FAIL:/fail:/; s/SKIP:/skip:/"
}

# lx_bench NAME: vmkbench cpu syscall fork pages in the guest, checked.
lx_bench() {
	rc=$(lx_run "$1" 600 "vmkbench cpu syscall fork pages")
	check_eq "$1: vmkbench cpu syscall fork pages checked its results (exit status)" 0 "${rc:-timeout}"
	for w in cpu syscall fork pages; do
		l=$(grep -E "^$w [0-9.]+ [0-9]+$" "$T/$1.out" 2>/dev/null)
		if [ -n "$l" ]; then
			pass "$1: vmkbench $w: '$l' (ns per op, ops)"
		else
			fail "$1: vmkbench printed no result for $w"
		fi
	done
}

# lx_vlog_mark, then lx_vlog_clean: the vmkernel logged no warning or
# error in between (a misbehaving guest is a warning there).
lx_vlog_mark() { LX_VLOG0=$(wc -l < /proc/vmware/log); }
lx_vlog_clean() {
	vlog=$(tail -n +$((LX_VLOG0 + 1)) /proc/vmware/log | grep -E 'ERROR: |WARNING: ' | head -n 5)
	check_eq "the vmkernel logged no warning or error" "" "$vlog"
}

# lx_first_boot NAME SECONDS: waits for NAME's first boot to reach ready
# and prints its boot id, with a PASS line; otherwise a FAIL line, the
# guest's last lines and the VM's info, the VM destroyed, and status 1.
lx_first_boot() {
	_t0=$(date +%s)
	_b=$(lx_ready "$1" "$2")
	if [ -z "$_b" ]; then
		fail "$1 booted to 'vmkx-guest: ready' within ${2}s (state $(lx_state "$1"): $(lx_info "$1" reason))" >&2
		lx_show "$1" 40 >&2
		vmware-cmd info "$1" | sed 's/^/    info| /' >&2
		vmware-cmd destroy "$1" >/dev/null 2>&1
		lx_unfollow "$1"
		return 1
	fi
	pass "$1 booted to 'vmkx-guest: ready' in $(($(date +%s) - _t0)) s (boot $_b)" >&2
	echo "$_b"
}
