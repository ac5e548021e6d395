/* officehours.c — see officehours.h. */
#include "core/officehours.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static const char *const days[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

static int day_of(const char *s, size_t n)
{
	if (n != 3)
		return -1;
	for (int i = 0; i < 7; i++)
		if (strncasecmp(s, days[i], 3) == 0)
			return i;
	return -1;
}

/* "HH:MM" -> minutes; -1 when malformed. */
static int minutes_of(const char *s, size_t n)
{
	if (n != 5 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || s[2] != ':' ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	int h = (s[0] - '0') * 10 + s[1] - '0', m = (s[3] - '0') * 10 + s[4] - '0';
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return -1;
	return h * 60 + m;
}

static bool bad(struct err *e, const char *what, const char *part, size_t n)
{
	return err_set(e, ERR_INVALID, "calendar.office_hours", "%s in '%.*s' (e.g. \"mon-fri 08:00-16:00\").", what,
		       (int)n, part);
}

static bool parse_entry(const char *s, size_t n, struct cal_hours hours[7], bool seen[7], struct err *e)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	const char *sp = memchr(s, ' ', n);
	if (!sp)
		return bad(e, "A weekday and a time span are needed", s, n);
	size_t dn = (size_t)(sp - s);
	const char *span = sp + 1;
	size_t sn = n - dn - 1;
	while (sn && *span == ' ')
		span++, sn--;
	int first, last;
	const char *dash = memchr(s, '-', dn);
	if (dash) {
		first = day_of(s, (size_t)(dash - s));
		last = day_of(dash + 1, dn - (size_t)(dash - s) - 1);
	} else {
		first = last = day_of(s, dn);
	}
	if (first < 0 || last < 0)
		return bad(e, "Unknown weekday (mon, tue, wed, thu, fri, sat, sun)", s, n);
	const char *sdash = memchr(span, '-', sn);
	int open = sdash ? minutes_of(span, (size_t)(sdash - span)) : -1;
	int close = sdash ? minutes_of(sdash + 1, sn - (size_t)(sdash - span) - 1) : -1;
	if (open < 0 || close < 0 || close <= open)
		return bad(e, "The span must be HH:MM-HH:MM, opening before closing", s, n);
	/* a range runs forward through the week and may wrap past Sunday:
	 * mon-sun is the whole week, sat-sun the weekend, fri-mon four days */
	for (int k = 0, span_days = (last - first + 7) % 7 + 1; k < span_days; k++) {
		int d = (first + k) % 7;
		if (seen[d])
			return bad(e, "A weekday is named twice", s, n);
		seen[d] = true;
		hours[d].open = open;
		hours[d].close = close;
	}
	return true;
}

bool officehours_parse(const char *spec, struct cal_hours hours[7], struct err *e)
{
	bool seen[7] = {false};
	for (int d = 0; d < 7; d++)
		hours[d].open = hours[d].close = 0;
	bool any = false;
	for (const char *s = spec; *s;) {
		const char *end = strchr(s, ';');
		size_t n = end ? (size_t)(end - s) : strlen(s);
		size_t k = 0;
		while (k < n && isspace((unsigned char)s[k]))
			k++;
		if (k < n) {
			if (!parse_entry(s, n, hours, seen, e))
				return false;
			any = true;
		}
		s += n + (end ? 1 : 0);
	}
	if (!any)
		return err_set(e, ERR_INVALID, "calendar.office_hours", "No office hours given (e.g. \"mon-fri 08:00-16:00\").");
	return true;
}
