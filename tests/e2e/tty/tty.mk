# SPDX-License-Identifier: GPL-2.0
#
# ptyrun, a static guest program that drives full-screen tools (vmktop)
# on a pseudo-terminal for the e2e boots, the way the serial console
# does; the vmktop boot uses it.

PTYRUN := $(O)/tests/ptyrun

$(PTYRUN): tests/e2e/tty/ptyrun.c | deps
	@mkdir -p $(@D)
	$(CC) $(HOSTCFLAGS) -static -o $@ $<

E2E_PROGS += $(PTYRUN)
