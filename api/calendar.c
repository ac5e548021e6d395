/* calendar.c — GET /api/v1/calendar: the business calendar in force, so a
 * client can show deadlines the way the server computes them: the time zone
 * (ALURD_TIMEZONE) and the office hours of each weekday (ALURD_OFFICE_HOURS).
 * Both are fixed at start-up, so this answers without the database; the
 * holidays are their own list (GET /calendar/holidays). */
#include <stdio.h>

#include "api/api.h"

static json_t *hhmm(int minutes)
{
	char buf[8];
	snprintf(buf, sizeof buf, "%02d:%02d", (minutes / 60) % 100, minutes % 60);
	return json_string(buf);
}

static bool get_calendar(struct api_ctx *c, struct err *e)
{
	(void)e;
	static const char *const days[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
	const struct calendar *cal = &api_services.calendar;
	json_t *hours = json_object();
	/* Monday first, as office hours are written */
	for (int i = 1; i <= 7; i++) {
		int d = i % 7;
		const struct cal_hours *h = &cal->hours[d];
		json_object_set_new(hours, days[d],
				    h->close > h->open ? json_pack("{s:o, s:o}", "open", hhmm(h->open), "close", hhmm(h->close))
						       : json_null());
	}
	api_reply_json(c, 200, json_pack("{s:s, s:o}", "timezone", api_services.timezone, "office_hours", hours));
	return true;
}

const struct route api_calendar_routes[] = {
	{"GET", "/api/v1/calendar", get_calendar, ACT_CALENDAR_READ, API_TX_NONE, API_BODY_NONE, 0, NULL},
	{0},
};
