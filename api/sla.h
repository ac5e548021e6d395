/* sla.h — the SLA engine's routes (api/sla.c): a request's timeline with SLA
 * states, the overdue list, the compliance summary, the policy versions and
 * the holidays. The clock the lifecycle starts and pauses is api/clock.h's. */
#ifndef ALURD_API_SLA_H
#define ALURD_API_SLA_H

#include "api/api.h"
#include "core/arena.h"
#include "core/err.h"

extern const struct route api_sla_routes[];

/* Works one batch (at most limit open steps) of the oldest queued
 * recompute of deadlines after a holiday change, in the caller's
 * transaction (the timer thread's): *worked tells whether there was a job.
 * The last batch of a job marks it done and writes its audit row. Memory
 * from a (the caller frees it). */
bool api_calendar_recompute_batch(struct arena *a, int limit, bool *worked, struct err *e);

#endif
