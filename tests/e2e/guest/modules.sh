# SPDX-License-Identifier: GPL-2.0
# Loadable vmkernel modules: vmkload_mod loads, lists and unloads the
# hello module, whose vmkcall answers from the vmkernel; 100 load/unload
# cycles leave the module heap where it was; bad modules (failing init,
# unexported symbol, wrong ABI, truncated, corrupt, a second of one name)
# are refused by the console's check and, handed over unchecked, by the
# vmkernel, each leaving the module list, the module heap and the
# vmkernel's checksum as they were; unloading the vmkernel with a module
# loaded drops the module, and the next vmkernel starts with none.
. ./lib.sh

T=/opt/vmkx-tests
CALL=4096	# VMK_CALL_MODULE_BASE: hello's vmkcall
CYCLES=${CYCLES:-100}

# A field of the module heap's line in /proc/vmware/mem.
modheap() {
	awk -v f="$1" '$1 == "heap" && $2 == "module" {
		for (i = 3; i < NF; i += 2) if ($i == f) print $(i + 1) }' /proc/vmware/mem
}
nmods() { tail -n +2 /proc/vmware/modules | wc -l; }
state() { echo "$(vmkcall checksum) mods=$(nmods) held=$(modheap held) in_use=$(modheap in_use)"; }

vmkload --status >/dev/null || vmkload -q
check "vmkload_mod --help" vmkload_mod --help
check "hello.o passes the console's check" vmkload_mod -c $T/hello.o
check_eq "/proc/vmware/modules is empty at first" 0 "$(nmods)"
check_eq "no vmkcall $CALL before the module" -38 "$(vmkcall raw $CALL 2 3)"

# Load, use, list, unload.
before=$(state)
check "vmkload_mod loads hello" vmkload_mod $T/hello.o
check "/proc/vmware/modules lists hello with its vmkcall, text read-only, data not executable" \
	grep -Eq '^[0-9]+ hello 1\.0 [0-9]+ [0-9]+ 0 1 ro,nx -$' /proc/vmware/modules
check "vmkload_mod -l lists hello" sh -c "vmkload_mod -l | grep -q ' hello '"
check_eq "hello's vmkcall answers 2 + 3" 5 "$(vmkcall raw $CALL 2 3)"
check_eq "hello's vmkcall on another CPU" 42 "$(taskset -c 1 vmkcall raw $CALL 40 2)"
if vmkload_mod $T/hello.o >/tmp/dup.out 2>&1; then
	fail "a second hello refused"
else
	check "a second hello refused: already loaded" grep -q "already loaded" /tmp/dup.out
fi
check_eq "the module heap holds hello" 1 "$([ "$(modheap in_use)" -gt 0 ] && echo 1)"
check "vmkload_mod -u unloads hello" vmkload_mod -u hello
check_eq "hello's vmkcall gone with it" -38 "$(vmkcall raw $CALL 2 3)"
check_eq "checksum, module list and module heap as before" "$before" "$(state)"
if vmkload_mod -u hello >/tmp/gone.out 2>&1; then
	fail "unloading a module that is not loaded refused"
else
	check "unloading a module that is not loaded refused" grep -q "no such module" /tmp/gone.out
fi

# Cycles: the first one made any slab the heap keeps.
before=$(state)
ok=0
for i in $(seq 1 "$CYCLES"); do
	if vmkload_mod -q $T/hello.o && [ "$(vmkcall raw $CALL "$i" 1)" = $((i + 1)) ] &&
	   vmkload_mod -q -u hello; then
		ok=$((ok + 1))
	else
		fail "load/call/unload cycle $i"
		break
	fi
done
check_eq "$CYCLES load/call/unload cycles" "$CYCLES" "$ok"
check_eq "after the cycles: checksum, module list and module heap as before" "$before" "$(state)"

# needhello depends on hello: it loads only after it and holds it.
before=$(state)
if vmkload_mod $T/needhello.o >/tmp/dep.out 2>&1; then
	fail "needhello refused before hello"
else
	check "needhello refused before hello" grep -q "dependency is not loaded" /tmp/dep.out
fi
check "hello, then needhello, load" sh -c "vmkload_mod -q $T/hello.o && vmkload_mod -q $T/needhello.o"
check "/proc/vmware/modules: hello has 1 reference, needhello depends on hello" sh -c \
	"grep -Eq '^[0-9]+ hello .* 1 1 ro,nx -$' /proc/vmware/modules &&
	 grep -Eq '^[0-9]+ needhello .* hello$' /proc/vmware/modules"
if vmkload_mod -u hello >/tmp/dep.out 2>&1; then
	fail "hello's unload refused while needhello needs it"
else
	check "hello's unload refused while needhello needs it" grep -q "in use" /tmp/dep.out
fi
check_eq "hello still answers" 9 "$(vmkcall raw $CALL 4 5)"
check "needhello, then hello, unload" sh -c "vmkload_mod -q -u needhello && vmkload_mod -q -u hello"
check_eq "dependencies: checksum, module list and module heap as before" "$before" "$(state)"

# Bad modules.
head -c 1000 $T/hello.o >/tmp/trunc.o
cp $T/hello.o /tmp/corrupt.o
printf '\001' | dd of=/tmp/corrupt.o bs=1 seek=4 conv=notrunc 2>/dev/null	# ELF class 1
cp $T/hello.o /tmp/big.o
dd if=/dev/zero bs=1024 count=300 >>/tmp/big.o 2>/dev/null

refused() {	# refused WHAT MESSAGE [--unchecked] FILE
	what=$1 msg=$2
	shift 2
	before=$(state)
	if vmkload_mod "$@" >/tmp/bad.out 2>&1; then
		fail "$what (loaded)"
		return
	fi
	if ! grep -q "$msg" /tmp/bad.out; then
		fail "$what (no '$msg' in: $(cat /tmp/bad.out))"
		return
	fi
	check_eq "$what; nothing changed" "$before" "$(state)"
}
refused "console: truncated module" "refused" /tmp/trunc.o
refused "vmkernel: truncated module" "refused it" --unchecked /tmp/trunc.o
refused "console: ELF class 1" "ELF class 1" /tmp/corrupt.o
refused "vmkernel: ELF class 1" "refused it" --unchecked /tmp/corrupt.o
refused "console: over the size limit" "larger than a module" /tmp/big.o
refused "console: unexported symbol" "'world_count'" $T/unexported.o
refused "vmkernel: unexported symbol" "not exported" --unchecked $T/unexported.o
refused "console: wrong ABI" "module ABI 3" $T/badabi.o
refused "vmkernel: wrong ABI" "another ABI" --unchecked $T/badabi.o
refused "vmkernel: init fails, the module is undone" "error -5" $T/failinit.o
check_eq "failinit's vmkcall went with it" -38 "$(vmkcall raw $((CALL + 1)) 1 2)"
check "the vmkernel log says why" sh -c "grep -q 'world_count' /proc/vmware/log && grep -q 'failinit: init failed' /proc/vmware/log"

# The vmkernel unloaded under a loaded module: the module goes with it.
check "hello loads again" vmkload_mod -q $T/hello.o
check "vmkunload with a module loaded" vmkunload
check "vmkload" vmkload -q
check_eq "the new vmkernel has no modules" 0 "$(nmods)"
check_eq "and no module vmkcall" -38 "$(vmkcall raw $CALL 2 3)"
check "hello loads into the new vmkernel" vmkload_mod -q $T/hello.o
check_eq "and answers" 7 "$(vmkcall raw $CALL 3 4)"
check "and unloads" vmkload_mod -q -u hello
check "no kernel warning in dmesg" kernel_clean

e2e_end
