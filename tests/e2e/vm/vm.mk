# SPDX-License-Identifier: GPL-2.0
#
# vmrun, a static guest program for the e2e boot `vm`: the VM vmkcalls
# one at a time, and a multiboot kernel run from end to end with the
# loader's library (loader/multiboot.c).

VMRUN      := $(O)/tests/vmrun
VMRUN_SRCS := tests/e2e/vm/vmrun.c loader/multiboot.c

$(VMRUN): $(VMRUN_SRCS) loader/multiboot.h loader/vmwrite.h vmkernel/abi/vmnix_abi.h | deps
	@mkdir -p $(@D)
	$(CC) $(HOSTCFLAGS) -static -Ivmkernel/abi -Iloader -o $@ $(VMRUN_SRCS)

E2E_PROGS += $(VMRUN)
