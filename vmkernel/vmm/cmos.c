// SPDX-License-Identifier: GPL-2.0
/*
 * The VM's MC146818 real-time clock and its 128 bytes of CMOS, on ports
 * 0x70 (index; bit 7, the NMI mask on a PC, is ignored) and 0x71 (data).
 *
 * The clock: at VM_START it reads vmk_vm_boot.rtc_epoch (the console
 * passes its own time) and runs with the vmkernel's clock from then on;
 * seconds (0x00), minutes (0x02), hours (0x04), day of the week (0x06,
 * Sunday = 1), day of the month (0x07), month (0x08), year (0x09) and
 * century (0x32) are computed at each read, in BCD or binary and in 24-
 * or 12-hour form as status B's DM and 24/12 bits say.  A write to one
 * of them sets the clock (hwclock --systohc).  The update is never in
 * progress: status A's UIP always reads 0, so a guest that waits for it
 * to clear (Linux's mc146818_get_time) never waits; its divider bits
 * read as a running 32 kHz clock (0x26).  Status C reads 0 and status D
 * 0x80 (valid RAM and time): there are no RTC interrupts (Linux needs
 * none: its clock events come from the local APIC).  The other bytes,
 * the alarm registers among them, are plain storage, and survive a
 * guest's reset as the battery-backed chip's do.
 *
 * Every function here runs with vm->lock held.
 */
#include <vmk/arch.h>
#include "vmm.h"

#define CMOS_INDEX	0x70
#define CMOS_DATA	0x71

enum {
	RTC_SEC = 0x00, RTC_MIN = 0x02, RTC_HOUR = 0x04, RTC_WDAY = 0x06,
	RTC_MDAY = 0x07, RTC_MONTH = 0x08, RTC_YEAR = 0x09, RTC_A = 0x0a,
	RTC_B = 0x0b, RTC_C = 0x0c, RTC_D = 0x0d, RTC_CENTURY = 0x32,
};

#define A_UIP		0x80
#define A_DIVIDER	0x26		/* 32.768 kHz time base, 1024 Hz rate */
#define B_DM_BINARY	0x04
#define B_24H		0x02
#define D_VRT		0x80
#define HOUR_PM		0x80

struct cmos_tm {
	u32 sec, min, hour, wday, mday, month, year;	/* year: full, 1970.. */
};

/* Days since 1970-01-01 to a date in the proleptic Gregorian calendar,
 * counting in 400-year eras from 0000-03-01 so that February is last. */
static void cmos_civil(u64 days, struct cmos_tm *t)
{
	u64 z = days + 719468;
	u64 era = z / 146097;
	u64 doe = z - era * 146097;
	u64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	u64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	u64 mp = (5 * doy + 2) / 153;

	t->mday = (u32)(doy - (153 * mp + 2) / 5 + 1);
	t->month = (u32)(mp < 10 ? mp + 3 : mp - 9);
	t->year = (u32)(yoe + era * 400 + (t->month <= 2));
	t->wday = (u32)((days + 4) % 7) + 1;	/* 1970-01-01 was a Thursday */
}

/* The inverse: a date to days since 1970-01-01 (year >= 1970). */
static u64 cmos_days(u32 year, u32 month, u32 mday)
{
	u64 y = year - (month <= 2);
	u64 era = y / 400;
	u64 yoe = y - era * 400;
	u64 mp = month > 2 ? month - 3 : month + 9;
	u64 doy = (153 * mp + 2) / 5 + mday - 1;
	u64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static u64 cmos_now(const struct cmos *c)
{
	u64 now = arch_now_ns();

	return c->epoch + (now > c->epoch_ns ? (now - c->epoch_ns) / 1000000000ULL : 0);
}

static void cmos_time(const struct cmos *c, struct cmos_tm *t)
{
	u64 s = cmos_now(c);

	cmos_civil(s / 86400, t);
	s %= 86400;
	t->hour = (u32)(s / 3600);
	t->min = (u32)(s / 60 % 60);
	t->sec = (u32)(s % 60);
}

static void cmos_set_time(struct cmos *c, const struct cmos_tm *t)
{
	if (t->year < 1970 || t->month < 1 || t->month > 12 || t->mday < 1 ||
	    t->mday > 31 || t->hour > 23 || t->min > 59 || t->sec > 59)
		return;			/* not a time: the clock keeps its own */
	c->epoch = cmos_days(t->year, t->month, t->mday) * 86400 +
		   t->hour * 3600 + t->min * 60 + t->sec;
	c->epoch_ns = arch_now_ns();
}

static bool cmos_binary(const struct cmos *c)
{
	return c->ram[RTC_B] & B_DM_BINARY;
}

static u8 cmos_enc(const struct cmos *c, u32 v)
{
	return cmos_binary(c) ? (u8)v : (u8)(((v / 10) << 4) | (v % 10));
}

static u32 cmos_dec(const struct cmos *c, u8 v)
{
	return cmos_binary(c) ? v : (u32)(v >> 4) * 10 + (v & 0xf);
}

static u8 cmos_hour_enc(const struct cmos *c, u32 h)
{
	u32 h12;

	if (c->ram[RTC_B] & B_24H)
		return cmos_enc(c, h);
	h12 = h % 12 ? h % 12 : 12;
	return cmos_enc(c, h12) | (h >= 12 ? HOUR_PM : 0);
}

static u32 cmos_hour_dec(const struct cmos *c, u8 v)
{
	u32 h;

	if (c->ram[RTC_B] & B_24H)
		return cmos_dec(c, v);
	h = cmos_dec(c, v & 0x7f) % 12;
	return (v & HOUR_PM) ? h + 12 : h;
}

void cmos_reset(struct vm *vm, u64 epoch)
{
	struct cmos *c = &vm->cmos;

	for (u32 i = 0; i < sizeof(c->ram); i++)
		c->ram[i] = 0;
	c->index = 0;
	c->ram[RTC_A] = A_DIVIDER;
	c->ram[RTC_B] = B_24H;		/* BCD, 24-hour: what PC firmware leaves */
	c->epoch = epoch;
	c->epoch_ns = arch_now_ns();
}

static u8 cmos_read(struct cmos *c, u8 i)
{
	struct cmos_tm t = { 0 };

	switch (i) {
	case RTC_SEC: case RTC_MIN: case RTC_HOUR: case RTC_WDAY:
	case RTC_MDAY: case RTC_MONTH: case RTC_YEAR: case RTC_CENTURY:
		cmos_time(c, &t);
		break;
	}
	switch (i) {
	case RTC_SEC:		return cmos_enc(c, t.sec);
	case RTC_MIN:		return cmos_enc(c, t.min);
	case RTC_HOUR:		return cmos_hour_enc(c, t.hour);
	case RTC_WDAY:		return cmos_enc(c, t.wday);
	case RTC_MDAY:		return cmos_enc(c, t.mday);
	case RTC_MONTH:		return cmos_enc(c, t.month);
	case RTC_YEAR:		return cmos_enc(c, t.year % 100);
	case RTC_CENTURY:	return cmos_enc(c, t.year / 100);
	case RTC_A:		return c->ram[RTC_A] & ~A_UIP;
	case RTC_C:		return 0;
	case RTC_D:		return D_VRT;
	default:		return c->ram[i];
	}
}

static void cmos_write(struct cmos *c, u8 i, u8 v)
{
	struct cmos_tm t = { 0 };

	switch (i) {
	case RTC_SEC: case RTC_MIN: case RTC_HOUR: case RTC_MDAY:
	case RTC_MONTH: case RTC_YEAR: case RTC_CENTURY:
		cmos_time(c, &t);
		break;
	case RTC_WDAY:
		return;			/* follows from the date */
	case RTC_A:
		c->ram[RTC_A] = v & ~A_UIP;
		return;
	case RTC_C:
	case RTC_D:
		return;			/* read-only */
	default:
		c->ram[i] = v;
		return;
	}
	switch (i) {
	case RTC_SEC:	t.sec = cmos_dec(c, v); break;
	case RTC_MIN:	t.min = cmos_dec(c, v); break;
	case RTC_HOUR:	t.hour = cmos_hour_dec(c, v); break;
	case RTC_MDAY:	t.mday = cmos_dec(c, v); break;
	case RTC_MONTH:	t.month = cmos_dec(c, v); break;
	case RTC_YEAR:	t.year = t.year / 100 * 100 + cmos_dec(c, v) % 100; break;
	default:	t.year = cmos_dec(c, v) * 100 + t.year % 100; break;
	}
	cmos_set_time(c, &t);
}

bool cmos_io(struct vm *vm, u16 port, bool in, u32 *val)
{
	struct cmos *c = &vm->cmos;

	if (port == CMOS_INDEX) {
		if (in)
			*val = 0xff;	/* write-only on a PC */
		else
			c->index = (u8)*val & 0x7f;
		return true;
	}
	if (port != CMOS_DATA)
		return false;
	if (in)
		*val = cmos_read(c, c->index);
	else
		cmos_write(c, c->index, (u8)*val);
	return true;
}
