/* lifecycle.h — the one path by which an SOP request changes: transitions
 * of the state machine, its creation, and every other change of a request's
 * records (a document, a receipt, a Berita Acara signature ...).
 *
 * Each call writes, in the caller's transaction and in one statement, the
 * change's bookkeeping, its audit row and its outbox event(s) (the types of
 * core/events.h), so a committed change always has its audit row and event
 * and a rolled-back one has neither. Handlers never write an audit row or
 * an event of a request themselves.
 *
 * Round trips (after the caller's row lock): a transition costs one, or two
 * when a step starts or resumes under an SLA policy (the deadlines are
 * computed in core/ between the two); a creation one; any other change one.
 */
#ifndef ALURD_API_LIFECYCLE_H
#define ALURD_API_LIFECYCLE_H

#include "api/api.h"
#include "core/workflow.h"
#include "db/requests.h"

/* Extra values a transition writes (all optional). */
struct api_move_extra {
	const char *agenda_number;
	const char *closing_reason;
	const char *audit_after; /* JSON object text merged into the audit row's after
	                            and into the event's data (ids only: keep it thin) */
	const char *event_data;  /* JSON object text merged into the event's data only */
};

/* Applies action to the request r (locked by the caller: api_request_load
 * with lock) as the caller: asks core/workflow, completes/starts/closes/
 * reopens step instances, pauses or resumes the clock, moves the request
 * (version + 1), appends the state history, writes the audit row
 * "request.<action>" and the events. x may be NULL. On success *r is the
 * updated request (arena memory); on failure nothing was written. */
bool api_request_apply(struct api_ctx *c, struct db_request *r, enum wf_action action,
		       const struct api_move_extra *x, struct err *e);

/* Creates a request in draft (db_lifecycle_create: the row, step 1
 * started, the history opened, the audit row request.create and the events
 * request.created and request.step_started, one statement) into *out. */
bool api_request_create(struct api_ctx *c, const struct db_request_fields *f, const char *agency_id,
			const char *client_id, struct db_request *out, struct err *e);

/* Any other change of request request_id's records: the audit row (action,
 * record, before/after JSON text or NULL) and the event the catalogue maps
 * action to, whose data is the request's fields, "<record_type>_id":
 * record_id, and data (a JSON object text, or NULL). An action the catalogue
 * does not know is a programmer error (ERR_INTERNAL). */
bool api_request_change(struct api_ctx *c, const char *action, const char *record_type, const char *record_id,
			const char *request_id, const char *before, const char *after, const char *data,
			struct err *e);

#endif
