# SPDX-License-Identifier: GPL-2.0
# Helpers for the tests of CPUs given to the vmkernel and its system
# worlds (sourced after lib.sh).

# The state of vmkernel CPU N in /proc/vmware/cpuinfo.
cpu_state() { awk -v c="cpu$1" '$1 == c { for (i = 1; i < NF; i++) if ($i == "state") print $(i + 1) }' /proc/vmware/cpuinfo; }

# One field of a world's stats.
wstat() { vmkworld stats "$1" | awk -v k="$2" '$1 == k { print $2 }'; }

# What changes when a request is refused: CPU owners, Linux's online CPUs,
# the worlds and their settings.
snapshot() {
	awk '{ for (i = 1; i < NF; i++) if ($i == "state") print $1, $(i + 1) }' /proc/vmware/cpuinfo
	cat /sys/devices/system/cpu/online
	vmkworld list | awk '{ print $1, $2, $3, $6, $7, $8, $9 }'
}

# refused "what" PATTERN command...: the command must fail, say PATTERN on
# stderr, and leave snapshot() as it was.
refused() {
	what=$1 pat=$2
	shift 2
	before=$(snapshot)
	if "$@" >/tmp/refused.out 2>&1; then
		fail "$what is refused (it succeeded: $(cat /tmp/refused.out))"
	elif ! grep -q -- "$pat" /tmp/refused.out; then
		fail "$what is refused with '$pat' (said: $(tr '\n' ' ' </tmp/refused.out))"
	elif [ "$before" != "$(snapshot)" ]; then
		fail "$what changes nothing (before: $(echo $before); after: $(snapshot | tr '\n' ' '))"
	else
		pass "$what is refused and changes nothing: $(head -n 1 /tmp/refused.out)"
	fi
}

# progress ID...: each world's progress counter and used ns, read together.
progress() { vmkworld progress "$@"; }

# share_check "what" SECONDS "EXPECTED..." [MODE] ID...: over SECONDS,
# each world's part of the progress of all must lie within 1 point (of a
# whole CPU) of its expected percentage; MODE "min" checks only the first
# world's floor (a reservation), "max" only its ceiling (a limit), and
# that it ran at all.  The parts of the CPU time the scheduler accounted
# are shown beside them, and must meet the same bound.
#
# Progress is CPU time times the speed of the emulated CPU, and under TCG
# that speed follows the host's load: a window in which other host work
# slowed one world's quanta more than another's can miss by more than a
# point while the scheduler's own accounting is exact.  So up to three
# windows are measured, each reported, and the check passes on the first
# that meets the bound.
share_check() {
	what=$1 secs=$2 want=$3 mode=eq tries=""
	shift 3
	case $1 in min|max) mode=$1; shift ;; esac
	for try in 1 2 3; do
		share_window "$secs" "$want" "$mode" "$@"
		case $res in
		ok*) pass "$what: ${res#ok }${tries:+ (after windows that missed:$tries)}"; return ;;
		esac
		tries="$tries [${res#bad }]"
	done
	fail "$what: every window missed:$tries (progress and used ns $p0 -> $p1)"
}

share_window() {
	secs=$1 want=$2 mode=$3
	shift 3
	p0=$(progress "$@")
	sleep "$secs"
	p1=$(progress "$@")
	res=$(echo "$p0|$p1|$want|$mode" | awk -F'|' '{
		n = split($1, a, " ") / 2; split($2, b, " "); split($3, e, " "); m = $4
		for (i = 1; i <= n; i++) {
			d[i] = b[2 * i - 1] - a[2 * i - 1]; t += d[i]
			u[i] = b[2 * i] - a[2 * i]; tu += u[i]
		}
		ok = t > 0 && tu > 0; out = ""; used = ""
		for (i = 1; i <= n; i++) {
			got = t > 0 ? 100 * d[i] / t : 0
			cpu = tu > 0 ? 100 * u[i] / tu : 0
			if (m == "eq" && (got < e[i] - 1 || got > e[i] + 1)) ok = 0
			if (m == "eq" && (cpu < e[i] - 1 || cpu > e[i] + 1)) ok = 0
			if (i == 1 && m == "min" && (got < e[i] - 1 || cpu < e[i] - 1)) ok = 0
			if (i == 1 && m == "max" && (got > e[i] + 1 || cpu > e[i] + 1 ||
						     got < e[i] / 2)) ok = 0
			out = out sprintf("%s%.2f%% (want %s%.2f%%)", i > 1 ? ", " : "",
					  got, i == 1 && m == "min" ? ">= " :
					  i == 1 && m == "max" ? "<= " : "", e[i])
			used = used sprintf("%s%.2f%%", i > 1 ? " " : "", cpu)
		}
		print (ok ? "ok " : "bad ") out "; CPU time " used
	}')
}
