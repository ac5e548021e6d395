/* sla.h — the SLA engine's routes (api/sla.c): a request's timeline with SLA
 * states, the overdue list, the compliance summary, the policy versions and
 * the holidays. The clock the lifecycle starts and pauses is api/clock.h's.
 * The evidence pack and the period report read the same timeline, summary
 * and overdue list through the functions below. */
#ifndef ALURD_API_SLA_H
#define ALURD_API_SLA_H

#include "api/api.h"
#include "core/arena.h"
#include "core/err.h"

extern const struct route api_sla_routes[];

/* The request's timeline (GET /requests/{id}/timeline): each step's SLA
 * state, deadlines, pauses, and the working time spent waiting on each
 * party. *out is a new reference. */
struct db_request;
bool api_sla_timeline(struct api_ctx *c, const struct db_request *r, json_t **out, struct err *e);

/* The compliance summary of GET /sla/summary for valid from/to dates (and
 * agency, or NULL), grouped per step or per agency; *out a new reference. */
bool api_sla_summary(struct api_ctx *c, const char *from, const char *to, bool by_agency, const char *agency,
		     json_t **out, struct err *e);
/* The first limit items of GET /sla/overdue (every step and agency), *more
 * when more follow; *items a new reference. */
bool api_sla_overdue(struct api_ctx *c, int limit, json_t **items, bool *more, struct err *e);
/* Works one batch (at most limit open steps) of the oldest queued
 * recompute of deadlines after a holiday change, in the caller's
 * transaction (the timer thread's): *worked tells whether there was a job.
 * The last batch of a job marks it done and writes its audit row. Memory
 * from a (the caller frees it). */
bool api_calendar_recompute_batch(struct arena *a, int limit, bool *worked, struct err *e);

/* Step `step` of request_id opened again (its completion undone, a withdrawn
 * disposition): its deadlines are computed afresh under the holidays in
 * force, from its first start and pushed by its pauses (core/sla.c
 * sla_recompute); flags already raised stay. The lifecycle calls it after
 * the move; the calendar.recomputed event says cause "reopened". */
bool api_sla_step_reopened(struct api_ctx *c, const char *request_id, int step, struct err *e);

#endif
