# SPDX-License-Identifier: GPL-2.0
# Bad images and bad requests are rejected with their message, and the
# console keeps running.
. ./lib.sh

vmkload --status >/dev/null && vmkunload >/dev/null

# reject "what" "expected message" vmkload-args...
reject() {
	what=$1 msg=$2
	shift 2
	out=$(vmkload "$@" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] && echo "$out" | grep -q "$msg"; then
		pass "$what rejected: $out"
	else
		fail "$what rejected with '$msg' (status $rc: $out)"
	fi
}

reject "corrupt ELF" "not an ELF file" images/bad-elf
reject "wrong ABI revision" "ABI revision 99" images/bad-abi
reject "bad image signature" "bad image header magic" images/bad-sig
reject "truncated image" "past the end of the file" images/truncated
reject "unaligned region" "multiple of 2 MiB" --mem=63M@0x10000000
reject "region that is ordinary RAM" "not reserved" --mem=64M@0x20000000
reject "unknown option" "unknown option\|unrecognized\|invalid" --frobnicate
check "nothing is loaded after the rejections" sh -c 'vmkload --status; [ $? -eq 3 ]'
check "no region is claimed after the rejections" sh -c '! grep -q vmkernel /proc/iomem'
check "the shim still answers: /proc/vmware/version says not loaded" grep -qx 'loaded no' /proc/vmware/version

# Failure injection: each step on the last CPU; every CPU ends on bare
# hardware and the next load works.
last=$(( $(grep -c ^processor /proc/cpuinfo) - 1 ))
for step in enter svm vmcb; do
	out=$(vmkload --fail-step=$step --fail-cpu=$last 2>&1)
	case "$out" in
	*"cpu$last"*|*"CPU $last"*) pass "injected failure at $step on cpu$last is named: $out" ;;
	*) fail "injected failure at $step on cpu$last is named (got: $out)" ;;
	esac
	check "after failure at $step: not loaded" sh -c 'vmkload --status; [ $? -eq 3 ]'
	check "after failure at $step: every CPU on bare hardware" sh -c \
		"for c in \$(seq 0 $last); do taskset -c \$c vmkcall cpuid && exit 1; done; exit 0"
	check "after failure at $step: the log explains it" grep -q "injected failure at step '$step'" /proc/vmware/log
	check "after failure at $step: the region is released" sh -c '! grep -q vmkernel /proc/iomem'
	check "after failure at $step: the next load works" sh -c 'vmkload -q && vmkunload >/dev/null'
done
check "no kernel warning in dmesg" kernel_clean

e2e_end
