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

/* The calendar with today's holidays (arena memory). */
bool api_calendar(struct api_ctx *c, struct calendar *cal, struct err *e);

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

/* RFC 3339 UTC text of an epoch instant, or NULL for 0. */
const char *api_time_text(struct arena *a, int64_t t);

#endif
