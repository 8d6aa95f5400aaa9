# SPDX-License-Identifier: GPL-2.0
# vmktop against known loads on a CPU given to the vmkernel, read from its
# batch CSV: an idle CPU is idle, a burner alone uses its CPU, shares
# 1:2:4 divide it, a limit shows as %MLMTD, an SMP group co-stops; every
# world's %RUN + %RDY + %WAIT + %CSTP is 100.  Then the full screen on a
# pseudo-terminal (ptyrun): help, screens, expanding a group, the delay,
# q and Ctrl-C both restoring the terminal; and the errors.
. ./lib.sh
. ./cpuslib.sh

PTYRUN=/opt/vmkx-tests/ptyrun

# csv_mean FILE SUFFIX: the mean over the samples of the column whose
# counter path ends with SUFFIX ("none" if there is no such column).
csv_mean() {
	W=$2 awk -F'","' '
	{ sub(/^"/, ""); sub(/"\r?$/, "") }
	NR == 1 {
		w = ENVIRON["W"]
		for (i = 2; i <= NF; i++)
			if (length($i) >= length(w) && substr($i, length($i) - length(w) + 1) == w)
				col = i
		next
	}
	col && $col != "" { s += $col; n++ }
	END { if (n) printf "%.2f\n", s / n; else print "none" }' "$1"
}

# near "what" GOT WANT TOL: GOT within TOL of WANT.
near() {
	if awk -v g="$2" -v w="$3" -v t="$4" 'BEGIN { exit !(g != "none" && g >= w - t && g <= w + t) }'; then
		pass "$1: $2 (want $3 +- $4)"
	else
		fail "$1: $2 (want $3 +- $4)"
	fi
}

# at_least "what" GOT MIN
at_least() {
	if awk -v g="$2" -v m="$3" 'BEGIN { exit !(g != "none" && g >= m) }'; then
		pass "$1: $2 (at least $3)"
	else
		fail "$1: $2 (want at least $3)"
	fi
}

# world_sums FILE: for every non-idle world and sample, %RUN + %RDY +
# %WAIT + %CSTP; prints the ones off 100 by more than 2, or "ok N".
world_sums() {
	awk -F'","' '
	{ sub(/^"/, ""); sub(/"\r?$/, "") }
	NR == 1 {
		for (i = 2; i <= NF; i++) {
			if ($i !~ /\\Vcpu\(/ || $i ~ /\\Vcpu\(idle:/)
				continue
			inst = $i; sub(/\)\\.*/, "", inst); sub(/.*\\Vcpu\(/, "", inst)
			c = $i; sub(/.*\)\\/, "", c)
			if (c == "% Run" || c == "% Ready" || c == "% Wait" || c == "% CoStop") {
				of[i] = inst; seen[inst] = 1
			}
		}
		next
	}
	{
		split("", sum)
		for (i in of) if ($i != "") sum[of[i]] += $i
		for (w in sum) {
			n++
			if (sum[w] < 98 || sum[w] > 102) bad = bad " " w "=" sum[w]
		}
	}
	END { print bad == "" ? "ok " n : bad }' "$1"
}

# ---- errors and help ----
check "vmktop --help" sh -c 'vmktop --help | grep -q "PDH-CSV"'
for bad in "-d 0" "-d x" "-n 0" "-n -3" "-q" "extra"; do
	vmktop -b $bad >/tmp/bad.out 2>&1
	rc=$?
	if [ $rc -eq 2 ] && grep -q "vmktop" /tmp/bad.out; then
		pass "vmktop -b $bad is refused: $(head -n 1 /tmp/bad.out)"
	else
		fail "vmktop -b $bad is refused with status 2 (status $rc: $(cat /tmp/bad.out))"
	fi
done
vmktop </dev/null >/tmp/notty.out 2>&1
rc=$?
check_eq "interactive vmktop without a terminal: status 1" 1 "$rc"
check "... says to use -b" grep -q "not a terminal; use -b" /tmp/notty.out

# ---- batch mode: the numbers ----
check "give CPU 1" vmkcpu give 1
sleep 1
vmktop -b -d 2 -n 3 >/tmp/idle.csv
check_eq "the CSV has a header and 3 samples" 4 "$(wc -l </tmp/idle.csv)"
check "the header is perfmon's" grep -q '^"(PDH-CSV 4.0) (UTC)(0)","\\\\' /tmp/idle.csv
check_eq "every row has the header's number of fields" 1 \
	"$(awk -F'","' '{ print NF }' /tmp/idle.csv | sort -u | wc -l)"
at_least "an idle vmkernel CPU: idle01 %IDLE" "$(csv_mean /tmp/idle.csv ':idle01)\% Idle')" 98
near "an idle vmkernel CPU: Physical Cpu(1) % Util Time" \
	"$(csv_mean /tmp/idle.csv 'Physical Cpu(1)\% Util Time')" 0 2
near "the vmkernel's region in the memory counters" \
	"$(csv_mean /tmp/idle.csv 'Memory\Region MBytes')" 64 0.01
# Nothing allocates while the CPU idles: each heap's counter is what
# /proc/vmware/mem says (bytes there, KB here), and some heap is in use.
heaps=$(awk '$1 == "heap" { for (i = 3; i < NF; i++) if ($i == "in_use") print $2, $(i + 1) / 1024 }' /proc/vmware/mem)
check "/proc/vmware/mem lists a heap in use" sh -c "echo '$heaps' | awk '\$2 > 0 { f = 1 } END { exit !f }'"
echo "$heaps" | while read -r name kb; do
	near "heap $name in use, as /proc/vmware/mem says" \
		"$(csv_mean /tmp/idle.csv "Heap($name)\\In Use KBytes")" "$kb" 1
done

a=$(vmkworld create --name=solo --affinity=1)
sleep 1
vmktop -b -d 3 -n 3 >/tmp/solo.csv
near "one burner alone on CPU 1: %USED" "$(csv_mean /tmp/solo.csv ":$a:solo)\\% Used")" 100 2
near "... its CPU's % Util Time" "$(csv_mean /tmp/solo.csv 'Physical Cpu(1)\% Util Time')" 100 2
near "... no %CSTP outside a group" "$(csv_mean /tmp/solo.csv ":$a:solo)\\% CoStop")" 0 0.01
check_eq "... world sums" ok "$(world_sums /tmp/solo.csv | cut -d' ' -f1)"
check "destroy it" vmkworld destroy "$a"

a=$(vmkworld create --name=s1 --shares=1000 --affinity=1)
b=$(vmkworld create --name=s2 --shares=2000 --affinity=1)
c=$(vmkworld create --name=s4 --shares=4000 --affinity=1)
sleep 2
# TCG's speed follows the host's load, so a window may be uneven: up to
# three 10 s windows, each reported.  In one of them vmktop's %USED must
# match, for each burner, its part of the CPU time the scheduler counted
# (vmkworld progress's used ns, read around vmktop) within 1 point; its
# part of the work all three did (their loop counters) within 5 points,
# since under TCG loops per ns differ between burners (gaps of 1 to 4.3
# points were measured); and 14/29/57 within 2 points.
for try in 1 2 3; do
	# vmkworld progress: "progress used_ns" of each world.
	p0=$(progress "$a" "$b" "$c")
	vmktop -b -d 5 -n 2 >/tmp/shares.csv
	p1=$(progress "$a" "$b" "$c")
	u="$(csv_mean /tmp/shares.csv ":$a:s1)\\% Used") $(csv_mean /tmp/shares.csv ":$b:s2)\\% Used") $(csv_mean /tmp/shares.csv ":$c:s4)\\% Used")"
	res=$(echo "$p0|$p1|$u" | awk -F'|' '{
		n = split($1, a, " ") / 2; split($2, b, " "); split($3, u, " ")
		split("14.29 28.57 57.14", e, " ")
		for (i = 1; i <= n; i++) {
			d[i] = b[2 * i - 1] - a[2 * i - 1]; t += d[i]
			g[i] = b[2 * i] - a[2 * i]; tg += g[i]
		}
		work = t > 0; used = tg > 0; ideal = 1
		for (i = 1; i <= n; i++) {
			w = t > 0 ? 100 * d[i] / t : 0
			c = tg > 0 ? 100 * g[i] / tg : 0
			if (u[i] < w - 5 || u[i] > w + 5) work = 0
			if (u[i] < c - 1 || u[i] > c + 1) used = 0
			if (u[i] < e[i] - 2 || u[i] > e[i] + 2) ideal = 0
			out = out sprintf("%s%s%% (used %.2f%%, work %.2f%%, want %.2f%%)",
					  i > 1 ? ", " : "", u[i], c, w, e[i])
		}
		print used, work, ideal, out
	}')
	echo "vmktop shares window $try: ${res#* * * }"
	set -- $res
	[ "$1$2$3" = 111 ] && break
done
check_eq "shares 1:2:4: %USED matches the scheduler's used ns within 1 point (window $try: ${res#* * * })" 1 "$1"
check_eq "shares 1:2:4: %USED matches each burner's work within 5 points" 1 "$2"
check_eq "shares 1:2:4: %USED about 14/29/57 within 2 points" 1 "$3"
near "... s1 waits for the CPU: %RDY" "$(csv_mean /tmp/shares.csv ":$a:s1)\\% Ready")" \
	"$(awk -v u="$(csv_mean /tmp/shares.csv ":$a:s1)\\% Used")" 'BEGIN { print 100 - u }')" 2
near "... no limit, no %MLMTD" "$(csv_mean /tmp/shares.csv ":$a:s1)\\% Max Limited")" 0 0.01
near "... the group row sums them" "$(csv_mean /tmp/shares.csv ":system)\\% Used")" 100 2
check_eq "... world sums" ok "$(world_sums /tmp/shares.csv | cut -d' ' -f1)"
check "destroy them" sh -c "vmkworld destroy $a && vmkworld destroy $b && vmkworld destroy $c"

a=$(vmkworld create --name=capped --max=30 --affinity=1)
sleep 2
vmktop -b -d 5 -n 2 >/tmp/limit.csv
used=$(csv_mean /tmp/limit.csv ":$a:capped)\\% Used")
# The token bucket loses up to a tick per refill: 25 to 31, as cpushares.
near "a 30% limit alone: %USED" "$used" 28 3
rest=$(awk -v u="$used" 'BEGIN { print 100 - u }')
near "... the rest held by the limit: %MLMTD" \
	"$(csv_mean /tmp/limit.csv ":$a:capped)\\% Max Limited")" "$rest" 2
near "... %MLMTD is ready time: %RDY" "$(csv_mean /tmp/limit.csv ":$a:capped)\\% Ready")" "$rest" 2
near "... the CPU idles the rest: idle01 %IDLE" "$(csv_mean /tmp/limit.csv ':idle01)\% Idle')" "$rest" 2
check_eq "... world sums" ok "$(world_sums /tmp/limit.csv | cut -d' ' -f1)"
check "destroy it" vmkworld destroy "$a"

a=$(vmkworld create --name=vcpu0 --group=vm1 --affinity=1)
b=$(vmkworld create --name=vcpu1 --group=vm1 --affinity=1)
sleep 2
vmktop -b -d 5 -n 2 >/tmp/cstp.csv
# Which VCPU of the pair takes the co-stops depends on where the ticks
# fall against the skew threshold; the group as a whole must show them.
at_least "an SMP group's two VCPUs on one CPU: group vm1 %CSTP" \
	"$(csv_mean /tmp/cstp.csv ":vm1)\\% CoStop")" 10
c0=$(csv_mean /tmp/cstp.csv ":$a:vcpu0)\\% CoStop")
c1=$(csv_mean /tmp/cstp.csv ":$b:vcpu1)\\% CoStop")
near "... the group's %CSTP is its VCPUs' (vcpu0 $c0, vcpu1 $c1)" \
	"$(csv_mean /tmp/cstp.csv ":vm1)\\% CoStop")" "$(awk -v a="$c0" -v b="$c1" 'BEGIN { print a + b }')" 0.5
near "... they share the CPU: group vm1 %USED" "$(csv_mean /tmp/cstp.csv ":vm1)\\% Used")" 100 2
check_eq "... world sums" ok "$(world_sums /tmp/cstp.csv | cut -d' ' -f1)"
# For the record in the serial log (tests/bench/vmktop-plot.sh reads it).
sed 's/^/VMKTOP-CSV /' /tmp/cstp.csv

# ---- the full screen on a pseudo-terminal ----
$PTYRUN -r 30 -c 100 "w4 k? w1 kq" vmktop -d 1 >/tmp/tty1.out 2>/tmp/tty1.err
rc=$?
check_eq "vmktop on a 100x30 pty, then ? and q: status 0" 0 "$rc"
check "... terminal modes restored" grep -q "terminal modes restored" /tmp/tty1.err
check "... the CPU screen's header" grep -q "GROUP/WORLD.*%USED.*%RUN.*%SYS.*%WAIT.*%RDY.*%IDLE.*%CSTP.*%MLMTD.*SHARES.*MIN.*MAX" /tmp/tty1.out
check "... a line per physical CPU" grep -q "PCPU UTIL(%):  0:.* 1:.*vmk" /tmp/tty1.out
check "... the group vm1, collapsed" sh -c "grep -q ' vm1 ' /tmp/tty1.out && ! grep -q 'vcpu0' /tmp/tty1.out"
check "... the help screen" grep -q "expand or collapse a group" /tmp/tty1.out
# The last full screen before the help, for the record in the serial log.
awk '{ gsub(/\033\[[0-9;?]*[A-Za-z]/, "\n"); printf "%s", $0 }' /tmp/tty1.out | tr -d '\r' |
	awk '/GROUP\/WORLD/ { n = 0; delete s } { s[++n] = $0 } /vmktop: the vmkernel/ { exit }
		END { for (i = 1; i < n && i < 30; i++) if (s[i] != "") print "VMKTOP-SCREEN " s[i] }'
check "... left the alternate screen, cursor on" grep -q "$(printf '\033\\[?25h\033\\[?1049l')" /tmp/tty1.out

$PTYRUN -r 30 -c 100 "w3 ke kvm1\\r w2 kd k2.5\\r w3 km w2 ^C" vmktop -d 1 >/tmp/tty2.out 2>/tmp/tty2.err
rc=$?
check_eq "e vm1, d 2.5, m, then Ctrl-C: status 0" 0 "$rc"
check "... terminal modes restored after Ctrl-C" grep -q "terminal modes restored" /tmp/tty2.err
check "... vm1 expanded shows its VCPUs" sh -c "grep -q ' vcpu0 ' /tmp/tty2.out && grep -q ' vcpu1 ' /tmp/tty2.out"
check "... the delay is 2.5 s" grep -q "delay 2.5s" /tmp/tty2.out
check "... the memory screen" grep -q "VMKMEM/MB: region *64.0" /tmp/tty2.out

$PTYRUN -r 30 -c 100 "w2 kd k0.1\\r w1 kx w1 kq" vmktop -d 1 >/tmp/tty3.out 2>/tmp/tty3.err
check "a bad delay is refused on the screen" grep -q "the delay is 0.5 to 3600 seconds, not '0.1'" /tmp/tty3.out
check "an unknown key says so" grep -q "unknown key 'x': h for help" /tmp/tty3.out

$PTYRUN -r 10 -c 60 "w1" vmktop >/tmp/tty4.out 2>/tmp/tty4.err
rc=$?
check_eq "a 60x10 terminal is too small: status 1" 1 "$rc"
check "... says so" grep -q "the terminal is too small (60x10); vmktop needs at least 80x15" /tmp/tty4.out
check "... terminal modes untouched" grep -q "terminal modes restored" /tmp/tty4.err

check "destroy the group" sh -c "vmkworld destroy $a && vmkworld destroy $b"
check "take CPU 1 back" vmkcpu take 1

# ---- without the vmkernel ----
check "unload the vmkernel" vmkunload
vmktop -b -n 1 >/tmp/unloaded.out 2>&1
rc=$?
check_eq "vmktop without the vmkernel: status 1" 1 "$rc"
check "... says it is not loaded" grep -q "the vmkernel is not loaded" /tmp/unloaded.out
check "no kernel warning in dmesg" kernel_clean

e2e_end
