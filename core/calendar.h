/* calendar.h — the business calendar: office hours, holidays, and the
 * arithmetic of the three SLA clocks.
 *
 * Office hours are given in local WALL time per weekday, and holidays as
 * local day numbers; "office time" is the real elapsed time (UTC seconds)
 * during which the office is open. The office opens at the first instant
 * the wall clock reaches the opening time and closes at the first instant it
 * reaches the closing time (tz_local_reached). On an ordinary day with
 * 08:00-16:00 that is eight hours whatever the season; only an office day
 * that itself contains a daylight-saving change (a Sunday night in Europe
 * and the Americas) is shorter or longer, by the part of the change inside
 * its hours: Sunday 01:00-05:00 holds 3 hours on the spring-forward day and
 * 5 on the fall-back day in Berlin. A boundary inside a spring-forward gap is
 * reached when the gap ends (02:30 is reached at 03:00); a boundary inside a
 * fall-back overlap at its first pass (the repeated hour after it does not
 * reopen or reclose the office).
 *
 * The clocks (enum cal_clock):
 *  - working_time and working_days use the SAME arithmetic; the clock name
 *    records the policy's intent. A duration's day part counts WORKING DAYS
 *    ("the same local time on the Nth following working day") and its time
 *    part counts office time. So "PT2H" is two office hours, "P7D" seven
 *    working days, "P1DT2H" one working day and then two office hours, on
 *    either clock; "PT24H" is three 8-hour office days, not one day.
 *  - calendar is plain elapsed time: every day of the day part is 86400 s,
 *    so across a daylight-saving change "P1D" lands an hour off in wall time
 *    (the SPEC calls this clock "plain elapsed time"; a civil-day reading
 *    would make P1D and PT24H differ, which nobody writing a calendar-time
 *    SLA expects).
 *
 * Every operation walks day by day (never minute by minute), a handful of
 * zone lookups per day, so a deadline seven working days out or a span of a
 * year costs microseconds, and a long holiday run is just skipped days.
 */
#ifndef ALURD_CORE_CALENDAR_H
#define ALURD_CORE_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/duration.h"
#include "core/err.h"
#include "core/tz.h"

/* Returned by cal_add when no deadline exists (a calendar that never opens,
 * or one beyond year 9999): later than any real instant. */
#define CAL_NEVER INT64_MAX

enum cal_clock {
	CAL_WORKING_TIME = 0,
	CAL_WORKING_DAYS,
	CAL_CALENDAR,
};

/* Opening hours of one weekday, in minutes after local midnight,
 * 0 <= open <= close <= 1440 (1440 = the next midnight). open == close: the
 * office is closed that weekday. */
struct cal_hours {
	int open, close;
};

/* A calendar borrows everything it points to: the zone and the holiday
 * array must outlive it. Validate it once with cal_check; the other
 * functions assume a valid calendar. */
struct calendar {
	const struct tz *tz;
	struct cal_hours hours[7]; /* per weekday, 0 = Sunday */
	const int32_t *holidays;   /* local day numbers, strictly ascending */
	size_t nholidays;
};

/* Returns true when c is usable: tz set, every weekday's hours within
 * 0 <= open <= close <= 1440, at least one weekday open, holidays strictly
 * ascending. Otherwise false with e set to ERR_INVALID "calendar.invalid". */
bool cal_check(const struct calendar *c, struct err *e);

/* "working_time", "working_days", "calendar"; NULL out of range. */
const char *cal_clock_name(enum cal_clock clock);
/* Parses a clock name as cal_clock_name writes it; false when unknown. */
bool cal_clock_from_name(const char *name, enum cal_clock *out);

/* True when local day number `day` is a working day: its weekday has office
 * hours and it is not a holiday. */
bool cal_is_working_day(const struct calendar *c, int32_t day);

/* True when the office is open at instant t (t within [open, close) of a
 * working day). */
bool cal_is_open(const struct calendar *c, int64_t t);

/* The deadline `d` after `start` on `clock`.
 *
 * Working clocks (both): first the day part, then the time part.
 *  - Day part, N = d->days > 0: if start is within a working day's office
 *    hours [open, close) its wall time is kept; otherwise start first moves
 *    to the next opening (a start before opening on a working day to that
 *    day's opening; AT or after closing, or on a weekend or holiday, to the
 *    next working day's opening). One rule for "at closing" on every clock:
 *    the closing instant is closed (cal_is_open is false there, no office
 *    time follows it), so Mon 16:00 + P1D with 08:00-16:00 is Wed 08:00, as
 *    Mon 16:00 + PT8H + P1D-worth of office time would be; an END that uses
 *    up a day's office time exactly is that day's closing instant. The result is that wall time on the
 *    Nth following working day, clamped into that day's office hours (a
 *    Thursday 15:00 + P1D with Friday open 08:00-11:00 gives Friday 11:00),
 *    at the first instant the wall clock reaches it (as office hours are).
 *  - Time part, S = d->seconds: the EARLIEST instant t >= the point reached
 *    at which S seconds of office time have elapsed since it. So office time
 *    before opening, after closing, on weekends and holidays does not count;
 *    a duration that ends exactly at a closing time ends AT closing, not at
 *    the next opening; S == 0 returns the point unchanged (even outside
 *    office hours). Example: Friday 15:30 + PT2H with Mon-Fri 08:00-16:00 is
 *    Monday 09:30.
 * Calendar clock: start + d->days * 86400 + d->seconds.
 *
 * Returns CAL_NEVER when the deadline does not exist (no working day ever).
 * start is clamped to the supported range (tz.h). */
int64_t cal_add(const struct calendar *c, int64_t start, enum cal_clock clock, const struct duration *d);

/* cal_add of a time part only: the earliest instant at which `seconds` of
 * office time have elapsed since start (start itself when seconds <= 0). */
int64_t cal_add_office(const struct calendar *c, int64_t start, int64_t seconds);

/* Office-time seconds in [from, to): 0 when to <= from. Additive:
 * cal_measure(a, b) + cal_measure(b, c) == cal_measure(a, c) for a <= b <= c,
 * and cal_measure(s, cal_add_office(s, n)) == n unless that is CAL_NEVER. */
int64_t cal_measure(const struct calendar *c, int64_t from, int64_t to);

#endif
