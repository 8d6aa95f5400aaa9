# SPDX-License-Identifier: GPL-2.0
# The vmkernel's scheduler on a CPU it owns, measured live by the worlds'
# own progress counters: shares 1:2:4 among three burners, a 70%
# reservation that holds against ten times the shares, and a 30% limit
# that is not exceeded, each set while the worlds run.  Every figure is a
# world's part of all the burners' progress on that CPU over 10 s (the
# counters read together, by one vmkworld), and must lie within 1 point
# (of a whole CPU) of its entitlement; the reservation at least, the
# limit at most.
. ./lib.sh
. ./cpuslib.sh

check "give CPU 1" vmkcpu give 1
a=$(vmkworld create --name=s1000 --shares=1000 --affinity=1)
b=$(vmkworld create --name=s2000 --shares=2000 --affinity=1)
c=$(vmkworld create --name=s4000 --shares=4000 --affinity=1)
check "three burners on cpu1 ($a $b $c)" test -n "$a" -a -n "$b" -a -n "$c"
sleep 2
share_check "shares 1:2:4 over 10 s" 10 "14.29 28.57 57.14" "$a" "$b" "$c"
check "shares change live to 4:2:1" sh -c "vmkworld set $a --shares=4000 && vmkworld set $c --shares=1000"
sleep 1
share_check "shares 4:2:1 over 10 s" 10 "57.14 28.57 14.29" "$a" "$b" "$c"
check "destroy the third burner" vmkworld destroy "$c"

# 1000 against 10000 shares would be 9%; a 70% reservation lifts it.
check "second burner to 10000 shares" vmkworld set "$b" --shares=10000
check "first burner to 1000 shares" vmkworld set "$a" --shares=1000
sleep 1
share_check "1000 against 10000 shares" 10 "9.09 90.91" "$a" "$b"
check "a 70% reservation, set live" vmkworld set "$a" --min=70
sleep 1
share_check "the 70% reservation holds against 10x the shares" 10 "70 30" min "$a" "$b"
check "drop the reservation" vmkworld set "$a" --min=0

# Equal shares would be 50:50; a 30% limit caps the first.
check "equal shares" vmkworld set "$b" --shares=1000
sleep 1
share_check "equal shares" 10 "50 50" "$a" "$b"
check "a 30% limit, set live" vmkworld set "$a" --max=30
sleep 1
share_check "the 30% limit is not exceeded" 10 "30 70" max "$a" "$b"
# Alone on the CPU, a limited world leaves the rest idle: the scheduler's
# own accounting says so.
check "destroy the unlimited burner" vmkworld destroy "$b"
u0=$(wstat "$a" used_ns); n0=$(wstat "$a" now_ns)
sleep 10
u1=$(wstat "$a" used_ns); n1=$(wstat "$a" now_ns)
pct=$(awk -v u="$((u1 - u0))" -v n="$((n1 - n0))" 'BEGIN { printf "%.2f", 100 * u / n }')
check "alone, the 30% limit holds by the scheduler's accounting ($pct% used)" \
	awk -v p="$pct" 'BEGIN { exit !(p <= 31 && p >= 25) }'
check "destroy the last burner" vmkworld destroy "$a"
check "take CPU 1 back" vmkcpu take 1
check "no kernel warning in dmesg" kernel_clean

e2e_end
