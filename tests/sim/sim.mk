# SPDX-License-Identifier: GPL-2.0
#
# The scheduler simulator: the real vmkernel core on the fake arch, on the
# host.  `make sim-run` runs its short form (seconds) and leaves
# build/results/sim.result; `make bench-sim` the full form, with figures
# and the share plot under build/bench/.

SIM_BIN    := $(O)/sim/sim
SIM_SRCS   := tests/sim/sim.c tests/sim/scenarios.c vmkernel/arch/fake/fake.c \
	vmkernel/arch/fake/log.c \
	$(VMK_CORE_SRCS)
SIM_CFLAGS := -O2 -g -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror \
	-Ivmkernel/include -Ivmkernel/abi -Ivmkernel/arch/fake -DVMK_DEBUG

$(SIM_BIN): $(SIM_SRCS) tests/sim/sim.h $(wildcard vmkernel/include/vmk/*.h) \
		vmkernel/arch/fake/fake.h
	@mkdir -p $(@D)
	$(CC) $(SIM_CFLAGS) -o $@ $(filter %.c,$^) -lm

.PHONY: sim-run bench-sim
sim-run: $(SIM_BIN)
	@mkdir -p $(O)/results $(O)/bench
	@$(SIM_BIN) --out $(O)/bench --result $(O)/results/sim.result

bench-sim: $(SIM_BIN)
	@mkdir -p $(O)/bench
	@$(SIM_BIN) --full --out $(O)/bench | tee $(O)/bench/sim.txt
	@gnuplot $(O)/bench/sched-shares.gp && echo "plot: $(O)/bench/sched-shares.png"

TEST_SUITES += sim
BENCH_EXTRA += bench-sim
