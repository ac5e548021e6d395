/* sla.h — the SLA side of a request's life, used by api/workflow.c: the
 * business calendar (zone and hours from configuration, holidays from the
 * database), deadlines when a step starts, and the clock's pauses while the
 * request waits on the PD. */
#ifndef ALURD_API_SLA_H
#define ALURD_API_SLA_H

#include "api/api.h"
#include "core/calendar.h"
#include "core/sla.h"
#include "db/sla.h"

/* The calendar with today's holidays (arena memory), from this instance's
 * cache of the holidays table (loaded on first use after a drop). */
bool api_calendar(struct api_ctx *c, struct calendar *cal, struct err *e);
/* Drops the holiday cache (another transaction changed the holidays); safe
 * from any thread. */
void api_holidays_invalidate(void);

/* Turns a stored policy row into core's form. */
bool api_policy_parse(const struct db_policy_step *d, struct sla_step_policy *p, struct err *e);

/* Opens step `step` of request_id now, with deadlines from the current
 * policy version (none for a step without a policy). */
bool api_sla_step_start(struct api_ctx *c, const char *request_id, int step, struct err *e);

/* The clock of `step` stops (entering awaiting_pd_completion, when its
 * policy says so) / runs again with its deadlines pushed by the paused
 * office time. */
bool api_sla_pause(struct api_ctx *c, const char *request_id, int step, struct err *e);
bool api_sla_resume(struct api_ctx *c, const char *request_id, int step, struct err *e);

/* Works one batch (at most limit open steps) of the oldest queued
 * recompute of deadlines after a holiday change, in the caller's
 * transaction (the timer thread's): *worked tells whether there was a job.
 * The last batch of a job marks it done and writes its audit row. Memory
 * from a (the caller frees it). */
bool api_calendar_recompute_batch(struct arena *a, int limit, bool *worked, struct err *e);

/* RFC 3339 UTC text of an epoch instant, or NULL for 0. */
const char *api_time_text(struct arena *a, int64_t t);

#endif
