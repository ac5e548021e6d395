/* requests.h — permohonan, their step instances and yearly numbering.
 *
 * A request's JSON document is built by PostgreSQL (REQUEST_JSON in
 * requests.c). Transitions lock the row (db_request_get with lock), so two
 * officials acting at once are serialised: the second sees the first's
 * result and is refused by the state machine.
 */
#ifndef ALURD_DB_REQUESTS_H
#define ALURD_DB_REQUESTS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

struct db_request {
	const char *id, *state, *agency_id, *client_id, *json;
	int version, current_step;
};

/* Fields a create or a draft edit sets (NULL: unchanged / none). */
struct db_request_fields {
	const char *kind, *title, *description, *channel, *letter_number, *letter_date, *eoffice_ref;
	bool set_letter_number, set_letter_date;
};

bool db_request_insert(struct err *e, struct arena *a, const struct db_request_fields *f, const char *agency_id,
		       const char *client_id, const char *actor, struct db_request *out);
bool db_request_get(struct err *e, struct arena *a, const char *id, bool lock, struct db_request *out, bool *found);
bool db_request_by_eoffice_ref(struct err *e, struct arena *a, const char *client_id, const char *ref,
			       struct db_request *out, bool *found);
/* Edits a draft and bumps the version. */
bool db_request_update_fields(struct err *e, struct arena *a, const char *id, const struct db_request_fields *f,
			      const char *actor, struct db_request *out);

/* Moves the request to state (a core/workflow key) with its current step,
 * bumping the version. agenda_number and closing_reason are set when not
 * NULL; submitted stamps submitted_at. */
struct db_request_move {
	const char *state;
	int current_step;
	const char *agenda_number;
	const char *closing_reason;
	bool submitted;
};
bool db_request_move(struct err *e, struct arena *a, const char *id, const struct db_request_move *m,
		     const char *actor, struct db_request *out);

struct db_request_filter {
	const char *status, *phase, *agency_id, *from, *to, *q; /* from/to: dates, inclusive, local */
	const char *tz;       /* IANA zone the dates are in */
	bool overdue;         /* only requests with an open step past due */
	int step; /* 0 = any */
	const char *states;        /* a text[] literal of state keys ("{a,b}"), or NULL = any */
	bool states_open;          /* every state in states is open (has its step running) */
	const char *sla_state;     /* the open step's SLA state, or NULL */
	const char *updated_since; /* RFC 3339: only requests updated strictly after, or NULL */
	bool sort_due;             /* earliest due_at first (then id); else newest first */
	const char *after_key, *after_id; /* keyset: created_at (or due_at) and id of the last row */
	const char *waiting_map;   /* JSON object state key -> waiting party key (from core/) */
	const char *actions_map;   /* JSON object state key -> [offered actions] (from core/) */
};
/* One page of the list, each row with due_at, warn_at, sla_state of its
 * open step (null when none is open), waiting_on and allowed_actions. The
 * keys of the page are (created_at, id), or (due_at or 'infinity', id) with
 * sort_due. */
bool db_request_list(struct err *e, struct arena *a, const struct db_request_filter *f, int limit,
		     struct db_page *page);
/* {"total", "by_status": {status: n}, "by_sla_state": {state: n}} over the
 * same selection as the list (keyset, sort and maps ignored): one query.
 * *json is arena text. */
bool db_request_counts(struct err *e, struct arena *a, const struct db_request_filter *f, const char **json);

/* Step instances. db_step_start opens step now under policy version (0 =
 * none) with deadlines warn_at/due_at (epoch seconds, 0 = none). */
bool db_step_start(struct err *e, const char *request_id, int step, int version, int64_t warn_at, int64_t due_at);
bool db_step_complete(struct err *e, const char *request_id, int step, const char *actor);
/* Closes whichever step is open (withdrawal, rejection). */
bool db_step_close_open(struct err *e, const char *request_id, const char *reason, const char *actor);
/* Reopens step (its completion is undone) and removes the instance of the
 * step after it — used when the disposition that moved it on is withdrawn. */
bool db_step_reopen(struct err *e, const char *request_id, int step);

/* The next number of the yearly sequence name (1, 2, ... without gaps),
 * the year and month being those of now in time zone tz (an IANA name). */
bool db_number_next(struct err *e, const char *name, const char *tz, int *seq, int *year, int *month);

#endif
