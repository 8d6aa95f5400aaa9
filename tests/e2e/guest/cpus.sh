# SPDX-License-Identifier: GPL-2.0
# CPUs for the vmkernel: a console CPU is given, runs the vmkernel's idle
# world and system worlds with the vmkernel's own timer, and comes back to
# Linux online and working.  Every bad request is refused with a clear
# error and changes nothing.  Unload with worlds running and a CPU given
# hands everything back.
. ./lib.sh
. ./cpuslib.sh

online=/sys/devices/system/cpu/online

check "loaded at boot" vmkload --status
check "vmkcpu --help" vmkcpu --help
check "vmkworld --help" vmkworld --help

# ---- give and take ----
check "give CPU 1" vmkcpu give 1
check_eq "cpuinfo: cpu1 is the vmkernel's" vmkernel "$(cpu_state 1)"
check_eq "cpuinfo: cpu0 stays a console CPU" console "$(cpu_state 0)"
check_eq "Linux has only CPU 0 online" 0 "$(cat $online)"
check "the vmkernel logged the handover" sh -c 'grep -q "cpu1: Linux CPU 1 halted offline; the vmkernel keeps it" /proc/vmware/log'
check_eq "vmkcpu list shows cpu1 with the vmkernel" "cpu 1 index 1 state vmkernel" "$(vmkcpu list | grep 'index 1 ')"
check_eq "the idle world of cpu1 runs" running "$(vmkworld list | awk '$2 == "idle01" { print $4 }')"
# The idle world's CPU time grows by the scheduler's accounting, live.
u0=$(vmkworld list | awk '$2 == "idle01" { print $10 }')
sleep 1
u1=$(vmkworld list | awk '$2 == "idle01" { print $10 }')
check "idle01's used time grows live ($u0 -> $u1 ms)" test "$u1" -gt "$u0"

# ---- system worlds ----
b=$(vmkworld create --type=burner --name=burn1 --shares=2000 --affinity=1)
check "create a burner on cpu1 (ID $b)" test -n "$b"
h=$(vmkworld create --type=helper --name=help1 --pool=svc)
check "create a helper in pool svc (ID $h)" test -n "$h"
sleep 2
check_eq "the burner runs on cpu1" "running 1" "$(wstat "$b" state) $(wstat "$b" cpu)"
p0=$(wstat "$b" progress); sleep 1; p1=$(wstat "$b" progress)
check "the burner makes progress ($p0 -> $p1)" test "$p1" -gt "$p0"
check_eq "the helper waits between work items" waiting "$(wstat "$h" state)"
hp=$(wstat "$h" progress)
check "the helper did work items every 100 ms (done $hp in about 3 s)" test "$hp" -ge 10
check_eq "the helper is in pool svc" svc "$(wstat "$h" pool)"
check "the helper's wait time is counted" test "$(wstat "$h" wait_ns)" -gt 1000000000
check "the burner's settings change live" vmkworld set "$b" --shares=500 --max=80
check_eq "shares and limit now" "500 80" "$(wstat "$b" shares) $(wstat "$b" max)"

# ---- bad requests ----
refused "give CPU 0" "CPU 0 stays with the console" vmkcpu give 0
refused "give the console's last CPU" "stays with the console\|last CPU" vmkcpu give 0-1
refused "give an unknown CPU" "there is no CPU 7" vmkcpu give 7
refused "give a CPU that is already the vmkernel's" "already the vmkernel's" vmkcpu give 1
refused "a bad world ID (destroy)" "no world 999999" vmkworld destroy 999999
refused "a bad world ID (set)" "no world 999999" vmkworld set 999999 --shares=10
refused "destroy an idle world" "not made from the console" vmkworld destroy "$(vmkworld list | awk '$2 == "idle00" { print $1 }')"
refused "an unknown world type" "burner, helper or yielder" vmkworld create --type=vmm
refused "shares out of range" "shares" vmkworld create --shares=2000000
refused "an affinity beyond the CPUs" "affinity\|beyond" vmkworld create --affinity=5
refused "min above max" "min" vmkworld set "$b" --min=90 --max=10

check "take CPU 1 back" vmkcpu take 1
check_eq "Linux has CPUs 0-1 online again" 0-1 "$(cat $online)"
check_eq "cpuinfo: cpu1 is a console CPU again" console "$(cpu_state 1)"
check "CPU 1 under the vmkernel as a console CPU" taskset -c 1 vmkcall cpuid
check "a vmkcall on CPU 1" vmkcall nop 1
check "CPU 1 runs Linux work" taskset -c 1 ./vmkbench cpu
refused "take back a CPU that was not given" "was not given" vmkcpu take 1
check "CPU 1 offline in Linux" sh -c "echo 0 > /sys/devices/system/cpu/cpu1/online"
refused "give an offline CPU" "offline" vmkcpu give 1
check "CPU 1 online again" sh -c "echo 1 > /sys/devices/system/cpu/cpu1/online"
check_eq "the burner waits for a vmkernel CPU" ready "$(wstat "$b" state)"
p0=$(wstat "$b" progress); sleep 1
check_eq "and makes no progress meanwhile" "$p0" "$(wstat "$b" progress)"
check "give CPU 1 again" vmkcpu give 1
sleep 1
check "the burner runs again" test "$(wstat "$b" progress)" -gt "$p0"

# Reservations are admitted against the CPUs the vmkernel has, and keep them.
r=$(vmkworld create --name=reserved --min=60 --affinity=1)
check "a world with a 60% reservation on the one vmkernel CPU (ID $r)" test -n "$r"
refused "a reservation that cannot be met (another 50%)" "pool 'host' has 4000 unreserved" vmkworld create --name=greedy --min=50
refused "take back a CPU the reservations need" "reservations need it" vmkcpu take 1
check "destroy the reserved world" vmkworld destroy "$r"
check "destroy the helper" vmkworld destroy "$h"
check_eq "the helper is gone" "" "$(vmkworld list | awk -v id="$h" '$1 == id')"

# ---- unload with worlds running and a CPU given ----
b2=$(vmkworld create --name=burn2)
check "a second burner (ID $b2)" test -n "$b2"
check_eq "two burners run or wait" 2 "$(vmkworld list | grep -c ' system ')"
check "unload with burners running and CPU 1 given" vmkunload
check_eq "Linux has CPUs 0-1 online after unload" 0-1 "$(cat $online)"
check "CPU 1 on bare hardware" sh -c '! taskset -c 1 vmkcall cpuid'
check "CPU 1 runs Linux work after unload" taskset -c 1 ./vmkbench cpu
check "the log kept after unload names the take-back" sh -c 'grep -q "cpu1: taken back for the console" /proc/vmware/log'
check "load again" vmkload -q
check "give and take after reload" sh -c 'vmkcpu give 1 && vmkcpu take 1'
check "no kernel warning in dmesg" kernel_clean

e2e_end
