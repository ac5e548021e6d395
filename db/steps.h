/* steps.h — a request's lifecycle in SQL: step instances, the clock's pauses,
 * the state history, and the statements that write a change's request row,
 * audit row and outbox events together.
 *
 * The design choice that matters: a transition is one statement. Its
 * data-modifying CTEs complete, close, start, reopen, pause and resume step
 * instances, close the open state-history row and open the next, move the
 * request (version + 1), append the audit row and insert the events
 * (the transition's own, then request.step_started / paused / resumed /
 * completed as they apply), so a transition costs one round trip after the
 * caller's row lock — two when a step starts or resumes under a policy, whose
 * deadlines core/ computes from db_lifecycle_context first. Instants cross
 * this boundary as epoch seconds. Nothing here begins or commits.
 */
#ifndef ALURD_DB_STEPS_H
#define ALURD_DB_STEPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"
#include "db/requests.h"
#include "db/sla.h"

/* Who acts, for audit rows and events. actor_id NULL: the system. */
struct db_actor {
	const char *id, *role, *http_request_id;
};

/* What a transition needs before core/ can compute deadlines: the
 * database's now, the holidays, the current policy of the step that starts
 * (when start_step > 0), and the paused instance of resume_step with its
 * policy (when resume_step > 0). */
struct db_lifecycle_context {
	int64_t now;
	int32_t *holidays; /* local day numbers, ascending (arena); none unless with_holidays */
	size_t nholidays;
	bool start_found; /* start_step has a policy */
	int start_version;
	struct db_policy_step start_policy;
	bool paused_found;        /* resume_step's instance is paused */
	bool paused_policy_found; /* ... and its policy version has the step */
	struct db_policy_step paused_policy;
	int64_t paused_warn_at, paused_due_at, paused_since;
};
bool db_lifecycle_context(struct err *e, struct arena *a, const char *request_id, int start_step, int resume_step,
			  bool with_holidays, struct db_lifecycle_context *out);

/* One transition, as core/workflow decided it and core/sla timed it. Steps
 * are 0 for "none"; epochs 0 for "no deadline"; texts NULL for "none". */
struct db_transition {
	const char *request_id;
	const char *state;      /* the state entered (core/workflow key) */
	int current_step;
	const char *agenda_number, *closing_reason; /* set when not NULL */
	bool submitted;         /* stamps submitted_at */
	int completes_step;
	const char *close_reason; /* closes the open step ("withdrawn", "rejected") */
	int starts_step, start_version;
	int64_t start_warn_at, start_due_at;
	int reopens_step;       /* runs again; the instance after it is removed */
	int pause_step;         /* its clock stops, when its policy pauses on the PD */
	int resume_step;        /* its clock runs again with these deadlines */
	int64_t resume_warn_at, resume_due_at;
	const char *audit_action, *audit_before, *audit_extra; /* JSON texts; extra merges into after */
	const char *event_type, *event_data; /* data: JSON object text merged into the event's data */
};

/* Applies t to the request (locked by the caller) as actor, in one
 * statement; *out receives the moved request (arena memory). */
bool db_lifecycle_apply(struct err *e, struct arena *a, const struct db_transition *t, const struct db_actor *actor,
			struct db_request *out);

/* A new request in draft, in one statement: the request row, step 1
 * started (no policy), the history opened in draft, the audit row
 * request.create (after = the request's JSON) and the events
 * request.created and request.step_started. *out is the request (fresh).
 * A taken eoffice_ref fails with ERR_CONFLICT. */
bool db_lifecycle_create(struct err *e, struct arena *a, const struct db_request_fields *f, const char *agency_id,
			 const char *client_id, const struct db_actor *actor, struct db_request *out);

/* New deadlines of an open step instance after a calendar change, with the
 * event calendar.recomputed of its request (cause: what changed). */
bool db_step_recomputed(struct err *e, const char *instance_id, int64_t warn_at, int64_t due_at, const char *cause,
			const struct db_actor *actor);

/* Flags up to limit open instances that crossed warn_at and up to limit
 * that crossed due_at (not flagged for it yet), with an audit row and an
 * event (sla.warning, sla.breach) per flag, in one statement; a step in both
 * is updated once. Rows another scan holds are skipped. *warnings and
 * *breaches receive the flags set (either equal to limit: more may wait). */
bool db_step_flag(struct err *e, int limit, const char *http_request_id, int *warnings, int *breaches);

#endif
