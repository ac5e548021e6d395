/* calendar.c — the day-by-day walks behind cal_add and cal_measure.
 *
 * Everything is expressed through one primitive, office(): the office
 * interval [open, close) of a local day as instants, or nothing. A walk
 * starts at the local day of its first instant and moves one local day at a
 * time; an office interval never leaves its own local day, so no interval
 * is missed or counted twice. Walks stop at the last supported day
 * (TZ_INSTANT_MAX), so even a calendar of nothing but holidays terminates.
 * Holidays are found by binary search.
 */
#include "core/calendar.h"

#include <string.h>

#define DAY 86400

static const int32_t LAST_DAY = (int32_t)(TZ_INSTANT_MAX / DAY);

bool cal_check(const struct calendar *c, struct err *e)
{
	bool any_open = false;
	if (!c->tz)
		return err_set(e, ERR_INVALID, "calendar.invalid", "The calendar has no time zone.");
	for (int w = 0; w < 7; w++) {
		const struct cal_hours *h = &c->hours[w];
		if (h->open < 0 || h->open > h->close || h->close > 1440)
			return err_set(e, ERR_INVALID, "calendar.invalid",
				       "Office hours of weekday %d must satisfy 0 <= open <= close <= 1440 minutes.", w);
		any_open |= h->open < h->close;
	}
	if (!any_open)
		return err_set(e, ERR_INVALID, "calendar.invalid", "The calendar has no working weekday.");
	if (c->nholidays > 0 && !c->holidays)
		return err_set(e, ERR_INVALID, "calendar.invalid", "The holiday list is missing.");
	for (size_t i = 1; i < c->nholidays; i++)
		if (c->holidays[i] <= c->holidays[i - 1])
			return err_set(e, ERR_INVALID, "calendar.invalid", "Holidays must be strictly ascending.");
	return true;
}

static const char *const clock_names[] = {
	[CAL_WORKING_TIME] = "working_time",
	[CAL_WORKING_DAYS] = "working_days",
	[CAL_CALENDAR] = "calendar",
};

const char *cal_clock_name(enum cal_clock clock)
{
	if ((unsigned)clock >= sizeof clock_names / sizeof clock_names[0])
		return NULL;
	return clock_names[clock];
}

bool cal_clock_from_name(const char *name, enum cal_clock *out)
{
	for (size_t i = 0; name && i < sizeof clock_names / sizeof clock_names[0]; i++) {
		if (strcmp(name, clock_names[i]) == 0) {
			*out = (enum cal_clock)i;
			return true;
		}
	}
	return false;
}

static bool is_holiday(const struct calendar *c, int32_t day)
{
	size_t lo = 0, hi = c->nholidays;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->holidays[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->nholidays && c->holidays[lo] == day;
}

bool cal_is_working_day(const struct calendar *c, int32_t day)
{
	const struct cal_hours *h = &c->hours[tz_weekday(day)];
	return h->open < h->close && !is_holiday(c, day);
}

static bool any_weekday_open(const struct calendar *c)
{
	for (int w = 0; w < 7; w++)
		if (c->hours[w].open < c->hours[w].close)
			return true;
	return false;
}

/* The office interval of local day `day` as instants; false when the office
 * is closed all day. */
static bool office(const struct calendar *c, int32_t day, int64_t *open, int64_t *close)
{
	if (!cal_is_working_day(c, day))
		return false;
	const struct cal_hours *h = &c->hours[tz_weekday(day)];
	int64_t midnight = (int64_t)day * DAY;
	*open = tz_local_reached(c->tz, midnight + (int64_t)h->open * 60);
	*close = tz_local_reached(c->tz, midnight + (int64_t)h->close * 60);
	return *open < *close;
}

static int32_t local_day(const struct calendar *c, int64_t t)
{
	return (int32_t)tz_floor_div(tz_local_seconds(c->tz, t), DAY);
}

static int64_t clamp_instant(int64_t t)
{
	return t < TZ_INSTANT_MIN ? TZ_INSTANT_MIN : t > TZ_INSTANT_MAX ? TZ_INSTANT_MAX : t;
}

bool cal_is_open(const struct calendar *c, int64_t t)
{
	int64_t open, close;
	t = clamp_instant(t);
	return office(c, local_day(c, t), &open, &close) && t >= open && t < close;
}

/* Walks the office intervals in time order from the local day of `from`
 * on. tz_local_reached is non-decreasing, so an interval never reaches past
 * its own local day; the walk starts a day early and clips each interval to
 * the end of the previous one anyway, which costs one lookup and keeps the
 * sums right even for a zone file with transitions closer than a day. */
struct walk {
	const struct calendar *c;
	int32_t day;
	int64_t floor;
};

static void walk_init(struct walk *w, const struct calendar *c, int64_t from)
{
	w->c = c;
	w->day = local_day(c, from) - 1;
	w->floor = TZ_INSTANT_MIN;
}

/* The next non-empty office interval; false past the supported range. */
static bool walk_next(struct walk *w, int64_t *open, int64_t *close)
{
	while (w->day < LAST_DAY) {
		int32_t day = w->day++;
		if (!office(w->c, day, open, close))
			continue;
		if (*open < w->floor)
			*open = w->floor;
		if (*open >= *close)
			continue;
		w->floor = *close;
		return true;
	}
	return false;
}

int64_t cal_add_office(const struct calendar *c, int64_t start, int64_t seconds)
{
	struct walk w;
	int64_t open, close;
	start = clamp_instant(start);
	if (seconds <= 0)
		return start;
	if (!any_weekday_open(c))
		return CAL_NEVER;
	walk_init(&w, c, start);
	while (walk_next(&w, &open, &close)) {
		if (close <= start)
			continue;
		int64_t from = open > start ? open : start;
		if (seconds <= close - from)
			return from + seconds;
		seconds -= close - from;
	}
	return CAL_NEVER;
}

int64_t cal_measure(const struct calendar *c, int64_t from, int64_t to)
{
	struct walk w;
	int64_t open, close, total = 0;
	from = clamp_instant(from);
	to = clamp_instant(to);
	if (to <= from || !any_weekday_open(c))
		return 0;
	walk_init(&w, c, from);
	while (walk_next(&w, &open, &close) && open < to) {
		int64_t a = open > from ? open : from;
		int64_t b = close < to ? close : to;
		if (b > a)
			total += b - a;
	}
	return total;
}

/* The day part of a working-clock duration (see cal_add). */
static int64_t add_working_days(const struct calendar *c, int64_t start, int64_t n)
{
	int32_t day = local_day(c, start);
	int64_t wall; /* seconds after local midnight to keep */
	int64_t open, close;
	/* the office interval is [open, close): a start AT closing is after
	 * hours, like cal_is_open says, and moves to the next opening */
	if (office(c, day, &open, &close) && start >= open && start < close) {
		wall = tz_local_seconds(c->tz, start) - (int64_t)day * DAY;
	} else {
		/* Move to the next opening: today's if it is still ahead. */
		if (!(office(c, day, &open, &close) && start < open)) {
			do
				day++;
			while (day < LAST_DAY && !cal_is_working_day(c, day));
		}
		wall = (int64_t)c->hours[tz_weekday(day)].open * 60;
	}
	while (n > 0 && day < LAST_DAY) {
		day++;
		if (cal_is_working_day(c, day))
			n--;
	}
	if (day >= LAST_DAY)
		return CAL_NEVER;
	const struct cal_hours *h = &c->hours[tz_weekday(day)];
	if (wall < (int64_t)h->open * 60)
		wall = (int64_t)h->open * 60;
	if (wall > (int64_t)h->close * 60)
		wall = (int64_t)h->close * 60;
	return tz_local_reached(c->tz, (int64_t)day * DAY + wall);
}

int64_t cal_add(const struct calendar *c, int64_t start, enum cal_clock clock, const struct duration *d)
{
	int64_t days = d->days < 0 ? 0 : d->days > DUR_MAX_DAYS ? DUR_MAX_DAYS : d->days;
	int64_t secs = d->seconds < 0 ? 0 : d->seconds > DUR_MAX_SECONDS ? DUR_MAX_SECONDS : d->seconds;
	start = clamp_instant(start);
	if (clock == CAL_CALENDAR) {
		/* Clamped to DUR_MAX_*, so this cannot overflow. */
		return start + days * DAY + secs;
	}
	if (!any_weekday_open(c))
		return CAL_NEVER;
	int64_t t = start;
	if (days > 0)
		t = add_working_days(c, start, days);
	if (t == CAL_NEVER)
		return CAL_NEVER;
	return cal_add_office(c, t, secs);
}
