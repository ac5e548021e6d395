/* sla.h — SLA policy versions, holidays, and the rows behind the SLA
 * reports (the writes of step instances, pauses and the state history are
 * db/steps.h's). Instants cross this boundary as epoch seconds (the calendar math
 * in core/ works in seconds). */
#ifndef ALURD_DB_SLA_H
#define ALURD_DB_SLA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

/* One step's policy as stored (durations as ISO 8601 text). */
struct db_policy_step {
	int step;
	const char *warn_after, *due_after, *clock;
	bool pause_on_pd;
};

/* The current policy for step, plus the database's now (epoch seconds).
 * *found false when the step has no policy (step 1). */
bool db_policy_current_step(struct err *e, struct arena *a, int step, int *version, struct db_policy_step *out,
			    int64_t *now, bool *found);
/* A given version's step. */
bool db_policy_step(struct err *e, struct arena *a, int version, int step, struct db_policy_step *out, bool *found);
/* Policy version `version` (0: the current one) as JSON {"version",
 * "created_at", "steps": [...]}; *json NULL when there is no such version. */
bool db_policy_json(struct err *e, struct arena *a, int version, const char **json);
/* Serialises policy publishing for the rest of the transaction (take it
 * before reading the rules a new version copies). */
bool db_policy_lock(struct err *e);
/* Publishes steps as the next version; *version receives it. */
bool db_policy_publish(struct err *e, const struct db_policy_step *steps, size_t n, const char *actor, int *version);

/* Every holiday as a local day number (days since 1970-01-01), ascending. */
bool db_holiday_days(struct err *e, struct arena *a, int32_t **days, size_t *n);
bool db_holiday_list(struct err *e, struct arena *a, const char *from, const char *to, const char **json);
/* Inserts or renames; *created tells which. */
bool db_holiday_put(struct err *e, const char *date, const char *name, const char *kind, const char *actor,
		    bool *created);
bool db_holiday_delete(struct err *e, const char *date, bool *found);

/* Open instances by step and state, for the gauges: out[step][state] with
 * states on_time, warning, breached, paused, exact at the statement's
 * now(). Reads the counters kept by migrations/0016's triggers plus the
 * crossings not flagged yet: its cost does not grow with the open steps. */
bool db_sla_open_counts(struct err *e, long out[8][4]);
/* Folds the counter rows of database sessions that ended into one row per
 * (step, state), so the counters stay a few dozen rows (the timer runs it). */
bool db_sla_fold_counts(struct err *e);

/* Instances of a request: step, started, warn, due, completed (epochs, "" when
 * NULL), completed_by, closed_reason, warned_at, breached_at, paused_since,
 * policy warn/due/clock/pause, pauses as "start:end,start:end". */
bool db_sla_request_steps(struct err *e, struct arena *a, const char *request_id, struct db_rows *rows);
/* The request's state history: state, entered, left (epochs; "" open), now,
 * then the Berita Acara's sent, Kepala Dinas signed and PD signed instants
 * (epochs, NULL when not yet or no Berita Acara). */
bool db_sla_request_history(struct err *e, struct arena *a, const char *request_id, struct db_rows *rows);
/* Open, unpaused instances flagged as breached and more than min_late
 * seconds past due (keyset on due_at, id), filtered by step (0 = any) and
 * agency. A step enters the list when the timer flags it. */
bool db_sla_overdue(struct err *e, struct arena *a, int step, const char *agency_id, int64_t min_late,
		    const char *after_due, const char *after_id, int limit, struct db_rows *rows);
/* Instances (steps 2-7) started in [from, to) local dates, for summaries. */
bool db_sla_period_steps(struct err *e, struct arena *a, const char *from, const char *to, const char *tz,
			 const char *agency_id, struct db_rows *rows);
/* State history of requests created in [from, to): request id, state,
 * entered, left, now, agency id, then the Berita Acara's sent, Kepala Dinas
 * signed and PD signed instants as above. */
bool db_sla_period_history(struct err *e, struct arena *a, const char *from, const char *to, const char *tz,
			   const char *agency_id, struct db_rows *rows);
/* The same columns for one request's open instance of step (0 or 1 row),
 * locked. */
bool db_sla_open_step(struct err *e, struct arena *a, const char *request_id, int step, struct db_rows *out);
/* Up to limit open instances with an id after after_id (NULL: from the
 * first), by id, locked for update: one batch of a recompute after a calendar
 * change. */
bool db_sla_open_steps(struct err *e, struct arena *a, const char *after_id, int limit, struct db_rows *rows);

/* A queued recompute of the open steps' deadlines (calendar_recomputes). */
struct db_recompute {
	const char *id, *after_id; /* after_id: where the last batch stopped, NULL before the first */
	int steps_seen, steps_moved;
	const char *cause, *requested_by, *requested_role, *http_request_id;
};
/* Queues a recompute (the caller's transaction); *json is the job as the API
 * shows it (arena text). */
bool db_recompute_enqueue(struct err *e, struct arena *a, const char *cause, const char *actor_id,
			  const char *actor_role, const char *http_request_id, const char **json);
/* Takes the oldest unfinished job, locked (SKIP LOCKED: another instance's
 * job is left alone) and marked running, until the transaction ends.
 * *found false when there is none. */
bool db_recompute_claim(struct err *e, struct arena *a, struct db_recompute *job, bool *found);
/* Records a batch: seen and moved steps added, the new position, done or
 * not; *moved_total receives the job's steps moved so far. */
bool db_recompute_progress(struct err *e, const char *id, const char *after_id, int seen, int moved, bool done,
			   int *moved_total);
/* The 20 most recent jobs, newest first, as a JSON array (arena text). */
bool db_recompute_recent(struct err *e, struct arena *a, const char **json);

#endif
