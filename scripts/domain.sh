#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs the service console as a libvirt domain instead of through
# scripts/qemu.sh.  The domain is generated from scripts/machine.sh, the
# same description of the machine that scripts/qemu.sh boots, so the
# two cannot drift apart.  Each command refuses what libvirt would do
# silently or obscurely (redefining a defined domain, starting a running
# one, starting with a kernel or initrd that has gone) with a message
# that says what to do instead.

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/machine.sh"

URI=${LIBVIRT_URI:-${LIBVIRT_DEFAULT_URI:-qemu:///system}}
NAME=${DOMAIN:-vmkx}

usage() {
	cat <<EOF
usage: scripts/domain.sh [-c URI] [-n NAME] COMMAND

Runs vmkx's service console as the libvirt domain NAME on the libvirt
connection URI, built from the same settings as scripts/qemu.sh.

commands:
  xml       print the domain definition
  define    define the domain (refused if NAME is already defined)
  start     boot it (refused if it is running, not defined, or its kernel
            or initrd is missing)
  console   attach to its serial console (virsh console; leave with Ctrl-])
  stop      power it off: ACPI shutdown, and after STOP_WAIT seconds
            (default 20) a hard stop (virsh destroy)
  undefine  remove the definition (refused while it runs)
  status    virsh dominfo and the serial console's pty

connection (every command uses exactly this one):
  -c URI    libvirt connection; default \$LIBVIRT_URI, else
            \$LIBVIRT_DEFAULT_URI, else qemu:///system (the system
            libvirtd, as root).  Now: $URI
  -n NAME   domain name; default \$DOMAIN, else vmkx.  Now: $NAME

the machine (environment, as for scripts/qemu.sh and make run):
  KVER KERNEL INITRD SMP MEM CPU VMK_MEM VMK_BASE APPEND  see scripts/machine.sh
  NO_REBOOT  1 (default): a reboot ends the domain; 0: it reboots
  SERIAL_LOG file that also receives the serial console (through virtlogd)
EOF
}

die() {
	echo "domain.sh: $*" >&2
	exit 1
}

virsh_q() {
	virsh -q -c "$URI" "$@"
}

# Prints the domain's state ("running", "shut off", ...) or nothing if
# the domain is not defined.  A connection that fails is an error here,
# not an undefined domain.
domain_state() {
	virsh_q uri >/dev/null 2>&1 || {
		err=$(virsh_q uri 2>&1 || true)
		die "cannot connect to libvirt at $URI: $err"
	}
	virsh_q domstate "$NAME" 2>/dev/null || true
}

# XML text: the five characters that XML reserves, escaped.
domain_escape() {
	printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' \
		-e "s/'/\&apos;/g" -e 's/"/\&quot;/g'
}

# QEMU's -cpu MODEL[,FEATURE=on|off|+FEATURE|-FEATURE...] as a <cpu>.
domain_cpu() {
	model=${1%%,*}
	features=""
	case "$1" in *,*) features=$(printf '%s' "${1#*,}" | tr ',' ' ') ;; esac
	case "$model" in
	max) open="<cpu mode='maximum' check='none'>" ;;
	host) open="<cpu mode='host-passthrough' check='none'>" ;;
	*) open="<cpu mode='custom' match='exact' check='none'>
    <model fallback='forbid'>$(domain_escape "$model")</model>" ;;
	esac
	echo "  $open"
	for f in $features; do
		case "$f" in
		*=on|*=true) policy=require name=${f%=*} ;;
		*=off|*=false) policy=disable name=${f%=*} ;;
		+*) policy=require name=${f#+} ;;
		-*) policy=disable name=${f#-} ;;
		*) die "CPU=$1: cannot express '$f' in a libvirt <cpu> (use FEATURE=on|off)" ;;
		esac
		echo "    <feature policy='$policy' name='$(domain_escape "$name")'/>"
	done
	echo "  </cpu>"
}

domain_xml() {
	machine_settings domain.sh || exit 1
	cpu=$(domain_cpu "$MACHINE_CPU") || exit 1
	on_reboot=destroy
	[ "${NO_REBOOT:-1}" = 1 ] || on_reboot=restart
	log=""
	if [ -n "${SERIAL_LOG:-}" ]; then
		mkdir -p "$(dirname "$SERIAL_LOG")"
		SERIAL_LOG=$(cd "$(dirname "$SERIAL_LOG")" && pwd)/$(basename "$SERIAL_LOG")
		log="
      <log file='$(domain_escape "$SERIAL_LOG")' append='off'/>"
	fi
	cat <<EOF
<domain type='qemu'>
  <name>$(domain_escape "$NAME")</name>
  <description>vmkx service console (scripts/domain.sh)</description>
  <memory unit='MiB'>$MACHINE_MEM_MIB</memory>
  <vcpu>$MACHINE_SMP</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>$(domain_escape "$MACHINE_KERNEL")</kernel>
    <initrd>$(domain_escape "$MACHINE_INITRD")</initrd>
    <cmdline>$(domain_escape "$MACHINE_CMDLINE")</cmdline>
  </os>
  <features>
    <acpi/>
    <apic/>
  </features>
$cpu
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>$on_reboot</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <serial type='pty'>$log
      <target port='0'/>
    </serial>
    <console type='pty'>
      <target type='serial' port='0'/>
    </console>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
}

domain_define() {
	state=$(domain_state)
	[ -z "$state" ] || die "domain $NAME is already defined on $URI ($state);" \
		"undefine it first (make virsh-undefine) to define it anew"
	xml=$(domain_xml) || exit 1
	tmp=$(mktemp)
	printf '%s\n' "$xml" > "$tmp"
	if ! out=$(virsh_q define "$tmp" 2>&1); then
		rm -f "$tmp"
		die "libvirt refused the definition of $NAME on $URI: $out"
	fi
	rm -f "$tmp"
	echo "domain.sh: defined $NAME on $URI"
}

# The files a defined domain boots from must still be there: libvirt
# would otherwise start QEMU and report only its exit.
domain_check_files() {
	xml=$(virsh_q dumpxml "$NAME")
	for tag in kernel initrd; do
		f=$(printf '%s\n' "$xml" | sed -n "s|.*<$tag>\(.*\)</$tag>.*|\1|p")
		[ -n "$f" ] || die "domain $NAME on $URI has no <$tag>: not a vmkx domain?"
		[ -f "$f" ] || die "the $tag $f of domain $NAME is missing" \
			"(make build; or make virsh-undefine virsh-define for new settings)"
	done
}

domain_start() {
	state=$(domain_state)
	case "$state" in
	"") die "domain $NAME is not defined on $URI (make virsh-define)" ;;
	"shut off"|crashed) ;;
	running|paused|blocked|"in shutdown"|pmsuspended)
		die "domain $NAME is already $state on $URI" \
			"(attach: make virsh-console; stop: make virsh-stop)" ;;
	*) die "domain $NAME is $state on $URI; cannot start it" ;;
	esac
	domain_check_files
	out=$(virsh_q start "$NAME" 2>&1) || die "libvirt could not start $NAME on $URI: $out"
	echo "domain.sh: started $NAME on $URI; console: $(virsh_q ttyconsole "$NAME" 2>/dev/null || echo '?')" \
		"(make virsh-console)"
}

domain_stop() {
	state=$(domain_state)
	case "$state" in
	"") die "domain $NAME is not defined on $URI" ;;
	"shut off"|crashed) die "domain $NAME is not running on $URI ($state)" ;;
	esac
	wait=${STOP_WAIT:-20}
	virsh_q shutdown "$NAME" >/dev/null 2>&1 || true
	while [ "$wait" -gt 0 ]; do
		[ "$(virsh_q domstate "$NAME" 2>/dev/null)" = "shut off" ] && {
			echo "domain.sh: $NAME powered off"
			return 0
		}
		sleep 1
		wait=$((wait - 1))
	done
	echo "domain.sh: $NAME did not power off within ${STOP_WAIT:-20}s; stopping it hard" >&2
	out=$(virsh_q destroy "$NAME" 2>&1) || die "could not stop $NAME on $URI: $out"
	echo "domain.sh: $NAME stopped"
}

domain_undefine() {
	state=$(domain_state)
	case "$state" in
	"") die "domain $NAME is not defined on $URI" ;;
	"shut off"|crashed) ;;
	*) die "domain $NAME is $state on $URI; stop it first (make virsh-stop)" ;;
	esac
	out=$(virsh_q undefine "$NAME" 2>&1) || die "could not undefine $NAME on $URI: $out"
	echo "domain.sh: undefined $NAME on $URI"
}

while [ $# -gt 0 ]; do
	case "$1" in
	-h|--help) usage; exit 0 ;;
	-c) [ $# -ge 2 ] || die "-c needs a URI"; URI=$2; shift 2 ;;
	-n) [ $# -ge 2 ] || die "-n needs a name"; NAME=$2; shift 2 ;;
	-*) die "unknown option $1 (--help)" ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || { usage >&2; exit 2; }
case "$NAME" in
''|*[!A-Za-z0-9_.-]*) die "domain name '$NAME': use letters, digits, '.', '_' and '-'" ;;
esac
command -v virsh >/dev/null 2>&1 || [ "$1" = xml ] ||
	die "virsh not found (make deps installs libvirt-clients)"

case "$1" in
xml) domain_xml ;;
define) domain_define ;;
start) domain_start ;;
console)
	state=$(domain_state)
	[ "$state" = running ] || die "domain $NAME is not running on $URI (${state:-not defined}; make virsh-start)"
	exec virsh -c "$URI" console "$NAME" ;;
stop) domain_stop ;;
undefine) domain_undefine ;;
status)
	state=$(domain_state)
	[ -n "$state" ] || die "domain $NAME is not defined on $URI (make virsh-define)"
	echo "Connection:     $URI"
	virsh_q dominfo "$NAME"
	echo "Console:        $(virsh_q ttyconsole "$NAME" 2>/dev/null || echo none)" ;;
*) die "unknown command $1 (--help)" ;;
esac
