/* clock.c — see clock.h. Instants travel as epoch seconds between db/ and
 * core/; this file only converts rows, and keeps this instance's cache of the
 * holidays. */
#include "api/clock.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The holidays, cached per instance: a step start reads them from memory,
 * not from the table. The cache is dropped by api_holidays_invalidate (a
 * NOTIFY from the transaction that changed them, server/changes.c); a load
 * that raced with an invalidation is used once but not kept (the generation
 * moved on), so the cache never holds holidays older than the last drop. */
static pthread_mutex_t g_hol_lock = PTHREAD_MUTEX_INITIALIZER;
static int32_t *g_hol_days;
static size_t g_hol_n;
static bool g_hol_valid;
static unsigned long g_hol_gen;
static struct timespec g_hol_bypass_until;

void api_holidays_invalidate(void)
{
	pthread_mutex_lock(&g_hol_lock);
	g_hol_valid = false;
	g_hol_gen++;
	pthread_mutex_unlock(&g_hol_lock);
}

void api_holidays_changing(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&g_hol_lock);
	g_hol_valid = false;
	g_hol_gen++;
	g_hol_bypass_until = now;
	g_hol_bypass_until.tv_sec += 5;
	pthread_mutex_unlock(&g_hol_lock);
}

/* Under g_hol_lock. */
static bool bypassing(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec < g_hol_bypass_until.tv_sec ||
	       (now.tv_sec == g_hol_bypass_until.tv_sec && now.tv_nsec < g_hol_bypass_until.tv_nsec);
}

bool api_holidays_cached(struct arena *a, int32_t **days, size_t *n, unsigned long *gen)
{
	pthread_mutex_lock(&g_hol_lock);
	bool valid = g_hol_valid;
	if (valid) {
		*days = arena_alloc(a, (g_hol_n ? g_hol_n : 1) * sizeof **days);
		memcpy(*days, g_hol_days, g_hol_n * sizeof **days);
		*n = g_hol_n;
	}
	*gen = g_hol_gen;
	pthread_mutex_unlock(&g_hol_lock);
	return valid;
}

void api_holidays_offer(const int32_t *days, size_t n, unsigned long gen)
{
	int32_t *copy = malloc((n ? n : 1) * sizeof *copy);
	if (!copy)
		abort();
	memcpy(copy, days, n * sizeof *copy);
	pthread_mutex_lock(&g_hol_lock);
	if (gen == g_hol_gen && !bypassing()) {
		free(g_hol_days);
		g_hol_days = copy;
		g_hol_n = n;
		g_hol_valid = true;
		copy = NULL;
	}
	pthread_mutex_unlock(&g_hol_lock);
	free(copy);
}

bool api_calendar(struct api_ctx *c, struct calendar *cal, struct err *e)
{
	int32_t *days;
	size_t n;
	unsigned long gen;
	if (!api_holidays_cached(c->arena, &days, &n, &gen)) {
		if (!db_holiday_days(e, c->arena, &days, &n))
			return false;
		api_holidays_offer(days, n, gen);
	}
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
