/* clock.c — see clock.h. Instants travel as epoch seconds between db/ and
 * core/; this file only converts rows. */
#include "api/clock.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

bool api_calendar(struct api_ctx *c, struct calendar *cal, struct err *e)
{
	int32_t *days;
	size_t n;
	if (!db_holiday_days(e, c->arena, &days, &n))
		return false;
	api_calendar_with(cal, days, n);
	return true;
}

void api_calendar_with(struct calendar *cal, const int32_t *holidays, size_t n)
{
	*cal = api_services.calendar;
	cal->holidays = holidays;
	cal->nholidays = n;
}

bool api_policy_parse(const struct db_policy_step *d, struct sla_step_policy *p, struct err *e)
{
	p->step = d->step;
	p->pause_on_pd = d->pause_on_pd;
	if (!dur_parse(d->warn_after, &p->warn_after, e) || !dur_parse(d->due_after, &p->due_after, e))
		return false;
	if (!cal_clock_from_name(d->clock, &p->clock))
		return err_set(e, ERR_INTERNAL, "internal", "Stored policy has an unknown clock.");
	return true;
}

bool api_clock_deadlines(const struct calendar *cal, const struct db_policy_step *d, int64_t now, int64_t *warn_at,
			 int64_t *due_at, struct err *e)
{
	struct sla_step_policy p;
	if (!api_policy_parse(d, &p, e))
		return false;
	sla_deadlines(cal, &p, now, warn_at, due_at);
	if (*warn_at == CAL_NEVER || *due_at == CAL_NEVER)
		*warn_at = *due_at = 0; /* a calendar that never opens: no deadline */
	return true;
}

struct sla_pause *api_pauses_parse(struct arena *a, const char *s, size_t *n)
{
	*n = 0;
	if (!s || !*s)
		return NULL;
	size_t cap = 1;
	for (const char *p = s; *p; p++)
		cap += *p == ',';
	struct sla_pause *out = arena_alloc(a, cap * sizeof *out);
	for (const char *p = s; *p;) {
		char *end;
		out[*n].start = strtoll(p, &end, 10);
		out[*n].end = *end == ':' ? strtoll(end + 1, &end, 10) : 0;
		(*n)++;
		p = *end == ',' ? end + 1 : end + strlen(end);
	}
	return out;
}

const char *api_time_text(struct arena *a, int64_t t)
{
	if (!t)
		return NULL;
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	char buf[32];
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return arena_strdup(a, buf);
}
