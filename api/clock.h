/* clock.h — the SLA clock as handlers feed it: the business calendar (zone
 * and hours from configuration, holidays from the database), stored policy
 * rows in core/'s form, pauses as stored, and instants as RFC 3339 text.
 *
 * Shared by the lifecycle (deadlines when a step starts or resumes) and the
 * SLA reports (api/sla.c); it includes neither, so neither includes the
 * other for it. All arithmetic is core/'s (calendar.c, sla.c).
 */
#ifndef ALURD_API_CLOCK_H
#define ALURD_API_CLOCK_H

#include "api/api.h"
#include "core/calendar.h"
#include "core/sla.h"
#include "db/sla.h"

/* The calendar with today's holidays (arena memory), from this instance's
 * cache of the holidays table (one query on first use after a drop). */
bool api_calendar(struct api_ctx *c, struct calendar *cal, struct err *e);
/* The cached holidays copied into a (true), or false when the cache is
 * empty; *gen is the cache's generation either way: read the table, then
 * offer what was read with that generation. */
bool api_holidays_cached(struct arena *a, int32_t **days, size_t *n, unsigned long *gen);
/* Keeps days (copied) as the cache, unless it was dropped since gen was
 * taken (the rows read may be older than the drop). */
void api_holidays_offer(const int32_t *days, size_t n, unsigned long gen);
/* Drops the holiday cache (another transaction changed the holidays); safe
 * from any thread. */
void api_holidays_invalidate(void);
/* This instance is changing the holidays: the cache is dropped and, until
 * its own notification is surely back (5 s), holidays are read afresh and
 * not cached, so the caller's next request never meets the cache of before
 * its change. */
void api_holidays_changing(void);

/* The configured calendar with the given holidays (borrowed). */
void api_calendar_with(struct calendar *cal, const int32_t *holidays, size_t n);

/* Turns a stored policy row into core's form. */
bool api_policy_parse(const struct db_policy_step *d, struct sla_step_policy *p, struct err *e);

/* Deadlines of a step of policy d started at now (0, 0 when the calendar
 * never opens). */
bool api_clock_deadlines(const struct calendar *cal, const struct db_policy_step *d, int64_t now, int64_t *warn_at,
			 int64_t *due_at, struct err *e);

/* Pauses as stored ("start:end,start:end", end 0 = open) into an arena
 * array; *n gets the count. NULL for none. */
struct sla_pause *api_pauses_parse(struct arena *a, const char *s, size_t *n);

/* RFC 3339 UTC text of an epoch instant, or NULL for 0. */
const char *api_time_text(struct arena *a, int64_t t);

#endif
