// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the vmkernel log ring (kernel/log.c) on the fake arch:
 * the ESX line shape, level filtering, the serial copy, truncation of
 * long lines, wrap-around of the ring, the head count, log_read() from
 * any offset, and panic()'s last line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <vmk/check.h>
#include <vmk/log.h>
#include "fake.h"
#include "core_env.h"

/* core_env.h quiets the fake arch's stdio log; here kernel/log.c is the
 * log, and the knob is just a variable. */
int fake_log_level;

#define MS		1000000ULL
/* Before the world table exists a line names world 0. */
#define HDR0		"0:00:00:00.000 cpu0:0) "
/* log.c formats a line in 256 bytes: at most 254 characters and '\n'. */
#define LINE_MAX_LEN	255

extern struct vmk_log_ring vmk_log_ring;

static int setup(void **state)
{
	(void)state;
	fake_set_cpu(0);
	fake_set_now(0);
	fake_serial_len = 0;
	memset(vmk_log_ring.data, '#', sizeof(vmk_log_ring.data));
	log_init(VMK_LOG_INFO, false);
	return 0;
}

/* The whole stream the ring still holds, NUL-terminated. */
static char *ring_text(void)
{
	char *buf = calloc(1, VMK_LOG_SIZE + 1);
	u64 next;

	assert_non_null(buf);
	log_read(buf, VMK_LOG_SIZE, 0, &next);
	return buf;
}

static void assert_ring_is(const char *want)
{
	char *got = ring_text();

	assert_string_equal(got, want);
	assert_int_equal(log_head(), strlen(want));
	free(got);
}

static void test_init(void **state)
{
	(void)state;
	assert_int_equal(vmk_log_ring.magic, VMK_LOG_MAGIC);
	assert_int_equal(vmk_log_ring.size, VMK_LOG_SIZE);
	assert_int_equal(log_head(), 0);
}

static void test_line_shape(void **state)
{
	(void)state;
	log_info("hello %d", 42);
	assert_ring_is(HDR0 "hello 42\n");

	/* days:hh:mm:ss.mmm since load, the CPU and its current world. */
	setup(NULL);
	fake_set_now(((((1 * 24 + 2) * 60 + 3) * 60 + 4) * 1000 + 567) * MS + 999999);
	fake_set_cpu(3);
	log_info("up");
	log_warn("odd %s", "guest");
	log_err("bug");
	assert_ring_is("1:02:03:04.567 cpu3:0) up\n"
		       "1:02:03:04.567 cpu3:0) WARNING: odd guest\n"
		       "1:02:03:04.567 cpu3:0) ERROR: bug\n");

	setup(NULL);
	fake_set_now((123ULL * 86400000 + 23 * 3600000 + 59 * 60000 + 59 * 1000 + 1) * MS);
	fake_set_cpu(63);
	log_info("late");
	assert_ring_is("123:23:59:59.001 cpu63:0) late\n");
}

static void test_levels_filtered(void **state)
{
	(void)state;
	log_init(VMK_LOG_WARN, false);
	log_debug("d");
	log_info("i");
	log_warn("w");
	log_err("e");
	assert_ring_is(HDR0 "WARNING: w\n" HDR0 "ERROR: e\n");

	setup(NULL);
	log_init(VMK_LOG_ERROR, false);
	log_warn("w");
	log_err("e");
	assert_ring_is(HDR0 "ERROR: e\n");

	setup(NULL);
	log_init(VMK_LOG_DEBUG, false);
	log_debug("d");
	assert_ring_is(HDR0 "d\n");

	/* A level beyond debug is debug. */
	setup(NULL);
	log_init(1000, false);
	log_debug("d");
	log_printf(VMK_LOG_DEBUG + 1, "x");
	assert_ring_is(HDR0 "d\n");

	/* The default after log_init(INFO): debug dropped. */
	setup(NULL);
	log_debug("d");
	assert_int_equal(log_head(), 0);
}

static void test_serial_copy(void **state)
{
	char *ring;
	(void)state;

	log_info("quiet");
	assert_int_equal(fake_serial_len, 0);

	setup(NULL);
	log_init(VMK_LOG_INFO, true);
	log_info("one");
	log_warn("two %u", 2u);
	log_debug("filtered");
	ring = ring_text();
	assert_int_equal(fake_serial_len, strlen(ring));
	assert_memory_equal(fake_serial, ring, fake_serial_len);
	assert_string_equal(ring, HDR0 "one\n" HDR0 "WARNING: two 2\n");
	free(ring);
}

static void test_long_line_truncated(void **state)
{
	char msg[1024], *ring;
	size_t hdr = strlen(HDR0), fit = LINE_MAX_LEN - 1 - hdr;
	(void)state;

	/* Exactly the longest line: kept whole. */
	memset(msg, 'a', fit);
	msg[fit] = '\0';
	log_info("%s", msg);
	ring = ring_text();
	assert_int_equal(strlen(ring), LINE_MAX_LEN);
	assert_memory_equal(ring, HDR0, hdr);
	assert_memory_equal(ring + hdr, msg, fit);
	assert_int_equal(ring[LINE_MAX_LEN - 1], '\n');
	free(ring);

	/* One character more, and far more: cut, still one line. */
	for (size_t len = fit + 1; len < sizeof(msg); len += 400) {
		setup(NULL);
		memset(msg, 'b', len);
		msg[len] = '\0';
		msg[fit] = 'Z';
		log_info("%s", msg);
		ring = ring_text();
		assert_int_equal(log_head(), LINE_MAX_LEN);
		assert_int_equal(strlen(ring), LINE_MAX_LEN);
		assert_memory_equal(ring + hdr, msg, fit);
		assert_null(strchr(ring, 'Z'));
		assert_ptr_equal(strchr(ring, '\n'), ring + LINE_MAX_LEN - 1);
		/* Nothing past the line was written. */
		assert_int_equal(vmk_log_ring.data[LINE_MAX_LEN], '#');
		free(ring);
	}
}

/* Logs numbered lines until more than `bytes` were written; returns
 * what was logged, as the stream (heap, NUL-terminated). */
static char *fill(u64 bytes, u64 *len)
{
	char *all = malloc(bytes + 1024);
	u64 n = 0;

	assert_non_null(all);
	for (u32 i = 0; n <= bytes; i++) {
		log_info("line %u of the ring, %.*s", i, (int)(i % 40), "................................................");
		n += (u64)sprintf(all + n, HDR0 "line %u of the ring, %.*s\n", i, (int)(i % 40),
				  "................................................");
	}
	*len = n;
	return all;
}

static void test_wraparound(void **state)
{
	u64 total, next;
	char *all = fill(3 * VMK_LOG_SIZE + 12345, &total);
	char *buf = malloc(2 * VMK_LOG_SIZE);
	(void)state;

	assert_non_null(buf);
	assert_int_equal(log_head(), total);
	assert_true(total > 3 * VMK_LOG_SIZE);

	/* The last VMK_LOG_SIZE bytes survive; a reader from 0 gets them. */
	assert_int_equal(log_read(buf, 2 * VMK_LOG_SIZE, 0, &next), VMK_LOG_SIZE);
	assert_int_equal(next, total);
	assert_memory_equal(buf, all + total - VMK_LOG_SIZE, VMK_LOG_SIZE);

	/* Byte n of the stream sits at data[n % size]. */
	for (u64 b = total - VMK_LOG_SIZE; b < total; b += 997)
		assert_int_equal(vmk_log_ring.data[b % VMK_LOG_SIZE], all[b]);
	free(buf);
	free(all);
}

static void check_read(const char *all, u64 from, u64 len)
{
	u64 head = log_head();
	u64 oldest = head > VMK_LOG_SIZE ? head - VMK_LOG_SIZE : 0;
	u64 start = from < oldest ? oldest : from > head ? head : from;
	u64 want = MIN(len, head - start), next = 0xdead;
	char *buf = malloc(len + 1);

	assert_non_null(buf);
	memset(buf, '!', len + 1);
	assert_int_equal(log_read(buf, len, from, &next), want);
	assert_int_equal(next, start + want);
	assert_memory_equal(buf, all + start, want);
	/* Not a byte beyond what it says it copied. */
	for (u64 i = want; i <= len; i++)
		assert_int_equal(buf[i], '!');
	free(buf);
}

static void test_read_offsets(void **state)
{
	u64 total;
	(void)state;

	/* Before the ring wraps, then after. */
	for (int round = 0; round < 2; round++) {
		char *all = fill(round ? 2 * VMK_LOG_SIZE + 77 : VMK_LOG_SIZE / 3, &total);
		u64 oldest = total > VMK_LOG_SIZE ? total - VMK_LOG_SIZE : 0;
		const u64 froms[] = { 0, 1, oldest ? oldest - 1 : 0, oldest, oldest + 1,
				      oldest + 4096, total / 2, total - 1, total,
				      total + 1, UINT64_MAX };
		const u64 lens[] = { 0, 1, 255, 4096, VMK_LOG_SIZE - 1, VMK_LOG_SIZE,
				     VMK_LOG_SIZE + 1 };

		assert_int_equal(log_head(), total);
		for (size_t f = 0; f < ARRAY_SIZE(froms); f++)
			for (size_t l = 0; l < ARRAY_SIZE(lens); l++)
				check_read(all, froms[f], lens[l]);
		free(all);
		setup(NULL);
	}
}

/* A reader that follows *next in small steps gets the stream exactly. */
static void test_read_chunks(void **state)
{
	u64 total, from = 0, next, got = 0, n;
	char *all = fill(VMK_LOG_SIZE + 5000, &total);
	char *buf = malloc(VMK_LOG_SIZE), chunk[777];
	(void)state;

	assert_non_null(buf);
	while ((n = log_read(chunk, sizeof(chunk), from, &next)) > 0) {
		assert_int_equal(next, from == 0 ? total - VMK_LOG_SIZE + n : from + n);
		memcpy(buf + got, chunk, n);
		got += n;
		from = next;
	}
	assert_int_equal(from, total);
	assert_int_equal(got, VMK_LOG_SIZE);
	assert_memory_equal(buf, all + total - VMK_LOG_SIZE, VMK_LOG_SIZE);

	/* New lines after the reader caught up come next. */
	log_info("after");
	assert_int_equal(log_read(chunk, sizeof(chunk), from, &next), strlen(HDR0 "after\n"));
	assert_memory_equal(chunk, HDR0 "after\n", strlen(HDR0 "after\n"));
	assert_int_equal(next, total + strlen(HDR0 "after\n"));
	free(buf);
	free(all);
}

static void test_panic_last_words(void **state)
{
	char *ring;
	bool panicked;
	(void)state;

	log_info("before");
	panicked = FAKE_CATCH_PANIC(panic("broken %s", "invariant"));
	assert_true(panicked);
	ring = ring_text();
	assert_string_equal(ring, HDR0 "before\n" "PANIC: " HDR0 "ERROR: broken invariant\n");
	free(ring);
	/* On the serial port even when the log is not copied there. */
	fake_serial[fake_serial_len] = '\0';
	assert_string_equal(fake_serial, "vmkernel PANIC: " HDR0 "ERROR: broken invariant\n");
}

/* A panic report longer than a line: the lines before panic() reach the
 * ring and COM1 in order, each whole, the log's serial copy off. */
static void test_panic_report_lines(void **state)
{
	char *ring;
	bool panicked;
	(void)state;

	log_panic_line("rsp 0x%x rax 0x%x", 0x1000, 0x2a);
	log_panic_line("backtrace:%s", " +0x10 +0x20");
	panicked = FAKE_CATCH_PANIC(panic("exception %d", 13));
	assert_true(panicked);
	ring = ring_text();
	assert_string_equal(ring, "PANIC: " HDR0 "ERROR: rsp 0x1000 rax 0x2a\n"
			    "PANIC: " HDR0 "ERROR: backtrace: +0x10 +0x20\n"
			    "PANIC: " HDR0 "ERROR: exception 13\n");
	free(ring);
	fake_serial[fake_serial_len] = '\0';
	assert_string_equal(fake_serial,
			    "vmkernel PANIC: " HDR0 "ERROR: rsp 0x1000 rax 0x2a\n"
			    "vmkernel PANIC: " HDR0 "ERROR: backtrace: +0x10 +0x20\n"
			    "vmkernel PANIC: " HDR0 "ERROR: exception 13\n");
}

/* Once the world table exists, each line names the CPU's current world. */
static void test_names_current_world(void **state)
{
	(void)state;
	env_start(2);
	log_init(VMK_LOG_INFO, false);
	fake_set_cpu(1);
	log_info("idle");
	env_world("busy", NULL, NULL, 1000, 0, 0);
	env_run(2 * MS);
	fake_set_cpu(0);
	log_info("busy");
	assert_ring_is("0:00:00:01.000 cpu1:1025) idle\n"
		       "0:00:00:01.002 cpu0:1026) busy\n");
	env_teardown(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_init, setup),
		cmocka_unit_test_setup(test_line_shape, setup),
		cmocka_unit_test_setup(test_levels_filtered, setup),
		cmocka_unit_test_setup(test_serial_copy, setup),
		cmocka_unit_test_setup(test_long_line_truncated, setup),
		cmocka_unit_test_setup(test_wraparound, setup),
		cmocka_unit_test_setup(test_read_offsets, setup),
		cmocka_unit_test_setup(test_read_chunks, setup),
		cmocka_unit_test_setup(test_panic_last_words, setup),
		cmocka_unit_test_setup(test_panic_report_lines, setup),
		cmocka_unit_test_setup(test_names_current_world, setup),
	};

	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
