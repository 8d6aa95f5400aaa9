# SPDX-License-Identifier: GPL-2.0
# On a CPU without SVM, or without nested paging, vmkload refuses with a
# message that names what is missing, and the console keeps running.
. ./lib.sh

out=$(vmkload 2>&1)
rc=$?
case "$out" in
*"no AMD SVM"*|*"no nested paging"*|*"needs an AMD CPU"*)
	[ $rc -ne 0 ] && pass "refused: $out" || fail "refused (status $rc: $out)" ;;
*) fail "refused naming the missing feature (status $rc: $out)" ;;
esac
check "not loaded" sh -c 'vmkload --status; [ $? -eq 3 ]'
case "$out" in
*"needs an AMD CPU"*) ;;
*) check "the log explains it" grep -q "WARNING: this CPU has" /proc/vmware/log ;;
esac
check "the shim still answers: /proc/vmware/version says not loaded" grep -qx 'loaded no' /proc/vmware/version

e2e_end
