/* duration.c — a strict hand-written parser for the ISO 8601 subset of
 * duration.h. Each number is accumulated with an overflow check against the
 * documented bound before it is multiplied by its unit, so no input can wrap
 * an int64_t. */
#include "core/duration.h"

#include <inttypes.h>
#include <stdio.h>

static bool bad(struct err *e, const char *s, const char *why)
{
	return err_set(e, ERR_INVALID, "sla.invalid_duration", "\"%.40s\" is not a valid duration: %s.", s, why);
}

/* Reads a run of digits at *p, saturating at DUR_NUMBER_MAX (beyond every
 * bound, so a saturated number is always refused as too long). False when
 * there is no digit. */
#define DUR_NUMBER_MAX (INT64_MAX / 8)
static bool number(const char **p, int64_t *out)
{
	const char *s = *p;
	int64_t v = 0;
	if (*s < '0' || *s > '9')
		return false;
	while (*s >= '0' && *s <= '9') {
		int digit = *s - '0';
		v = v > (DUR_NUMBER_MAX - digit) / 10 ? DUR_NUMBER_MAX : v * 10 + digit;
		s++;
	}
	*p = s;
	*out = v;
	return true;
}

bool dur_parse(const char *s, struct duration *d, struct err *e)
{
	const char *p = s;
	int64_t days = 0, seconds = 0, v;
	bool any = false;

	if (!s || *p++ != 'P')
		return bad(e, s ? s : "", "it must start with P");
	if (*p == '\0')
		return bad(e, s, "it has no components");

	/* Date part: nW alone, or nD. Y and M are refused as ambiguous. */
	if (*p != 'T') {
		const char *q = p;
		if (!number(&q, &v))
			return bad(e, s, "expected a whole number");
		switch (*q) {
		case 'W':
			if (q[1] != '\0')
				return bad(e, s, "weeks cannot be combined with other units");
			if (v > DUR_MAX_DAYS / 7)
				return bad(e, s, "it is too long");
			d->days = v * 7;
			d->seconds = 0;
			return true;
		case 'D':
			if (v > DUR_MAX_DAYS)
				return bad(e, s, "it is too long");
			days = v;
			any = true;
			p = q + 1;
			break;
		case 'Y':
		case 'M':
			return bad(e, s, "years and months are ambiguous; use days or weeks");
		case '.':
		case ',':
			return bad(e, s, "fractions are not supported");
		default:
			return bad(e, s, "expected W or D after the number");
		}
	}

	/* Time part: T[nH][nM][nS], each at most once, in that order. */
	if (*p == 'T') {
		static const struct {
			char unit;
			int64_t scale;
		} units[] = {{'H', 3600}, {'M', 60}, {'S', 1}};
		size_t next = 0;
		bool any_time = false;
		p++;
		while (*p != '\0') {
			const char *q = p;
			if (!number(&q, &v))
				return bad(e, s, "expected a whole number");
			if (*q == '.' || *q == ',')
				return bad(e, s, "fractions are not supported");
			size_t i = next;
			while (i < sizeof units / sizeof units[0] && units[i].unit != *q)
				i++;
			if (i == sizeof units / sizeof units[0])
				return bad(e, s, "expected H, M or S in the time part, in that order");
			if (v > DUR_MAX_SECONDS / units[i].scale ||
			    seconds > DUR_MAX_SECONDS - v * units[i].scale)
				return bad(e, s, "it is too long");
			seconds += v * units[i].scale;
			next = i + 1;
			any_time = true;
			p = q + 1;
		}
		if (!any_time)
			return bad(e, s, "T must be followed by a time component");
		any = true;
	}
	if (*p != '\0' || !any)
		return bad(e, s, "unexpected characters");
	d->days = days;
	d->seconds = seconds;
	return true;
}

size_t dur_format(const struct duration *d, char *buf, size_t size)
{
	int64_t days = d->days > 0 ? d->days : 0;
	int64_t secs = d->seconds > 0 ? d->seconds : 0;
	char tmp[DUR_TEXT_MAX + 32];
	int n = 0;
	tmp[n++] = 'P';
	if (days > 0)
		n += snprintf(tmp + n, sizeof tmp - (size_t)n, "%" PRId64 "D", days);
	if (secs > 0 || days == 0) {
		int64_t h = secs / 3600, m = secs / 60 % 60, sec = secs % 60;
		tmp[n++] = 'T';
		if (h > 0)
			n += snprintf(tmp + n, sizeof tmp - (size_t)n, "%" PRId64 "H", h);
		if (m > 0)
			n += snprintf(tmp + n, sizeof tmp - (size_t)n, "%" PRId64 "M", m);
		if (sec > 0 || secs == 0)
			n += snprintf(tmp + n, sizeof tmp - (size_t)n, "%" PRId64 "S", sec);
	}
	tmp[n] = '\0';
	if (size > 0)
		snprintf(buf, size, "%s", tmp);
	return (size_t)n;
}

bool dur_equal(const struct duration *a, const struct duration *b)
{
	return a->days == b->days && a->seconds == b->seconds;
}
