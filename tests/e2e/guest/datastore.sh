# SPDX-License-Identifier: GPL-2.0
# The datastore (S30datastore): a disk with foreign data is left alone, a
# blank disk is formatted and gets the example VMs, and a file written to
# it survives a reboot of the console (the machine resets: the harness
# runs this boot with qemu.NO_REBOOT=0) and a new QEMU run on the same
# image (build/e2e/datastore.img is kept between runs; the boot
# datastore@again, which the harness runs alone after this one, checks the
# file this one left).  A byte in CMOS RAM tells the boots apart.
. ./lib.sh

DIR=/vmfs/volumes/datastore1
DEV=/dev/vda
S30=/etc/init.d/S30datastore
CMOS_REG='\133'		# register 0x5b: free CMOS RAM

cmos_get() {
	printf "$CMOS_REG" | dd of=/dev/port bs=1 seek=112 status=none
	dd if=/dev/port bs=1 skip=113 count=1 status=none | od -An -tu1 | tr -d ' '
}
cmos_set() {	# cmos_set OCTAL-ESCAPE
	printf "$CMOS_REG" | dd of=/dev/port bs=1 seek=112 status=none
	printf "$1" | dd of=/dev/port bs=1 seek=113 status=none
}
mounted() { grep -q "^$DEV $DIR " /proc/mounts; }

if [ ! -b $DEV ]; then
	fail "no datastore disk $DEV (the manifest passes qemu.DATASTORE)"
	e2e_end
fi

# The second QEMU run on the image: the file of the first is there.
if [ "$E2E_NAME" = datastore@again ]; then
	check "the datastore was mounted at boot" mounted
	if [ -f $DIR/e2e-run ]; then
		pass "a file written by an earlier QEMU run is on the datastore ($(cat $DIR/e2e-run))"
	else
		fail "no file from the earlier QEMU run on the datastore ($(ls $DIR 2>&1 | tr '\n' ' '))"
	fi
	check "the example VM is still registered" grep -qx $DIR/cpuid/cpuid.vmx $DIR/vm-list
	e2e_end
fi

if [ "$(cmos_get)" != 68 ]; then	# 'D'
	check "the datastore was mounted at boot" mounted
	if [ -f $DIR/e2e-run ]; then
		pass "a file written by an earlier QEMU run is on the datastore ($(cat $DIR/e2e-run))"
	else
		echo "no file from an earlier QEMU run: a new image (datastore@again checks the one this run leaves)"
	fi

	check "umount" $S30 stop
	# Foreign data: not formatted, not mounted, not changed.
	printf 'NOT-EXT: someone else data' | dd of=$DEV conv=notrunc status=none
	dd if=/dev/zero of=$DEV bs=1024 seek=1 count=1 conv=notrunc status=none
	$S30 start > /tmp/s30.out 2>&1
	if grep -q "left alone" /tmp/s30.out && ! mounted; then
		pass "a disk with other data is left alone ($(cat /tmp/s30.out))"
	else
		fail "a disk with other data was not left alone: $(cat /tmp/s30.out)"
	fi
	check_eq "its data is unchanged" "NOT-EXT: someone" \
		"$(dd if=$DEV bs=16 count=1 status=none)"

	# A blank disk: formatted, mounted, example VMs made.
	dd if=/dev/zero of=$DEV bs=1M count=1 conv=notrunc status=none
	$S30 start > /tmp/s30.out 2>&1
	if grep -q formatting /tmp/s30.out && mounted; then
		pass "a blank disk is formatted and mounted"
	else
		fail "a blank disk: $(cat /tmp/s30.out)"
	fi
	if [ -f /usr/lib/vmkx/guests/cpuid.elf ]; then
		check "the example VM cpuid has its .vmx" grep -q 'kernel = "/usr/lib/vmkx/guests/cpuid.elf"' \
			$DIR/cpuid/cpuid.vmx
		check "and is registered" grep -qx $DIR/cpuid/cpuid.vmx $DIR/vm-list
		vmware-cmd -l > /tmp/list.out 2>&1
		check "vmware-cmd -l lists it" grep -q "cpuid.*$DIR/cpuid/cpuid.vmx" /tmp/list.out
	else
		skip "example VMs (no test guests in this initrd)"
	fi
	cat /proc/sys/kernel/random/uuid > $DIR/e2e-token
	sync
	cp $DIR/e2e-token /tmp/token
	check "umount before the reboot" $S30 stop
	cmos_set '\104'
	echo "rebooting with $(cat /tmp/token) on the datastore"
	reboot -f
	sleep 60
	fail "the machine did not reboot"
else
	cmos_set '\000'
	check "the datastore was mounted after the reboot" mounted
	if [ -s $DIR/e2e-token ]; then
		pass "the file written before the reboot is there: $(cat $DIR/e2e-token)"
	else
		fail "the file written before the reboot is gone (formatted again?)"
	fi
	if [ -f /usr/lib/vmkx/guests/cpuid.elf ]; then
		check "the example VM is still registered" grep -qx $DIR/cpuid/cpuid.vmx $DIR/vm-list
	fi
	# For the next QEMU run on this image.
	echo "written at $(date -u +%FT%TZ) by $(cat $DIR/e2e-token)" > $DIR/e2e-run
	sync
	check "unmount cleanly" $S30 stop
fi

e2e_end
