/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test doubles of sysworld.c's module worlds, for host tests that link
 * kernel/module.c without the scheduler's CPUs.  A spawned world is only
 * recorded (it never runs); what the module table asks of the records
 * (how many a module owns, stopping one or all of them) acts on them,
 * and the counters let a test see which of those happened.  Include in
 * exactly one file.
 */
#ifndef TESTS_UNIT_SYSWORLD_DOUBLES_H
#define TESTS_UNIT_SYSWORLD_DOUBLES_H

#include <vmk/errno.h>
#include <vmk/sysworld.h>

#define FAKE_WORLDS	8
#define FAKE_WORLD_ID0	5000

static struct {
	bool live;
	void (*fn)(void *);
	void *arg;
	const void *owner;
} fake_worlds[FAKE_WORLDS];
static unsigned int fake_world_stops, fake_world_removals, fake_world_wakes;

s64 sysworld_spawn(const struct vmk_world_req *r, void (*fn)(void *), void *arg,
		   const void *owner)
{
	(void)r;
	for (u32 i = 0; i < FAKE_WORLDS; i++)
		if (!fake_worlds[i].live) {
			fake_worlds[i].live = true;
			fake_worlds[i].fn = fn;
			fake_worlds[i].arg = arg;
			fake_worlds[i].owner = owner;
			return FAKE_WORLD_ID0 + i;
		}
	return -ENOSPC;
}

static int fake_world_slot(u32 id)
{
	if (id < FAKE_WORLD_ID0 || id >= FAKE_WORLD_ID0 + FAKE_WORLDS ||
	    !fake_worlds[id - FAKE_WORLD_ID0].live)
		return -1;
	return (int)(id - FAKE_WORLD_ID0);
}

s64 sysworld_stop_owned(u32 id, const void *owner)
{
	int i = fake_world_slot(id);

	if (i < 0)
		return -ENOENT;
	if (fake_worlds[i].owner != owner)
		return -EPERM;
	fake_worlds[i].live = false;
	fake_world_stops++;
	return 0;
}

int sysworld_remove_owned(const void *owner)
{
	for (u32 i = 0; i < FAKE_WORLDS; i++)
		if (fake_worlds[i].live && fake_worlds[i].owner == owner) {
			fake_worlds[i].live = false;
			fake_world_removals++;
		}
	return 0;
}

u32 sysworld_owned(const void *owner, u32 *first)
{
	u32 n = 0;

	for (u32 i = 0; i < FAKE_WORLDS; i++)
		if (fake_worlds[i].live && fake_worlds[i].owner == owner) {
			if (!n && first)
				*first = FAKE_WORLD_ID0 + i;
			n++;
		}
	return n;
}

int sysworld_wake(u32 id, const void *owner)
{
	int i = fake_world_slot(id);

	if (i < 0 || fake_worlds[i].owner != owner)
		return -ENOENT;
	fake_world_wakes++;
	return 0;
}

/* No module world runs here: the calling code is never one. */
bool sysworld_should_stop(void)
{
	return true;
}

void sysworld_sleep(u64 ns)
{
	(void)ns;
}

void sysworld_preempt(void)
{
}

#endif
