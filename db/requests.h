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
#include "db/people.h"

struct db_request {
	const char *id, *state, *agency_id, *client_id, *json;
	const char *desk; /* whose desk it is on: DB_REQUEST_DESK */
	int version, current_step;
	bool fresh; /* created by this statement: it has no documents, dispositions or signatures */
	const char *doc_types; /* the locked read's: its documents' distinct types, comma-separated
	                          (db_document_types_parse); NULL from any other read */
};

/* For the SQL of db/ that answers a request row (alias r): its JSON
 * document, and the columns db_request_fill reads, in order. */
#define DB_REQUEST_PAIRS(r)                                                                                   \
	"'id', " r ".id, 'kind', " r ".kind, 'title', " r ".title, 'description', " r                            \
	".description, 'channel', " r ".channel, 'letter_number', " r ".letter_number, 'letter_date', " r         \
	".letter_date, 'eoffice_ref', " r ".eoffice_ref, 'agency_id', " r ".agency_id, 'status', " r ".status,"  \
	" 'phase', " r ".phase, 'current_step', " r ".current_step, 'agenda_number', " r ".agenda_number,"         \
	" 'closing_reason', " r ".closing_reason, 'version', " r ".version, 'created_by', " r ".created_by,"      \
	" 'created_by_user', " DB_PERSON(r ".created_by") ","                                                     \
	" 'created_at', " r ".created_at, 'updated_at', " r ".updated_at, 'submitted_at', " r ".submitted_at"
#define DB_REQUEST_JSON(r) "json_build_object(" DB_REQUEST_PAIRS(r) ")"

/* The offered JSON array `acts` (an SQL expression) without what the state
 * does not promise for the caller `user` on request row `r` (with columns
 * id and state): migrations/0054's offer_refined, given the document types a
 * submission needs (`types`, a text[] from core/), called only in the two
 * states it refines (a call costs more than the rest of a list row). SQL of
 * db/ only. */
#define DB_OFFER_REFINED(acts, r, types, user)                                                  \
	"(CASE WHEN " r ".state IN ('draft', 'disposed') THEN offer_refined(" acts ", " r ".id, " r ".state, " \
	types ", " user ") ELSE " acts " END)"
/* Whose desk request row r is on, as a key of core/'s waiting rule
 * (wf_desk_parse): its state, or in agreed the Berita Acara's progress
 * (migrations/0090's agreed_desk), stored by triggers (migrations/0092) and
 * indexed. SQL of db/ only. */
#define DB_REQUEST_DESK(r) r ".desk"
#define DB_REQUEST_COLS(r)                                                                                    \
	r ".id, " r ".state, " r ".agency_id, " r ".client_id, " r ".version, " r ".current_step, " DB_REQUEST_JSON(r) \
	", " DB_REQUEST_DESK(r)
#define DB_REQUEST_NCOLS 8
/* Fills out from DB_REQUEST_COLS values (borrowed: they must outlive out). */
void db_request_fill(struct db_request *out, const char *const *cols);

/* Fields a create or a draft edit sets (NULL: unchanged / none). */
struct db_request_fields {
	const char *kind, *title, *description, *channel, *letter_number, *letter_date, *eoffice_ref;
	bool set_letter_number, set_letter_date;
};

/* With lock, the row is locked for the transition and doc_types filled in
 * the same round trip, as of the statement's start: a document committed
 * while the lock was awaited may be missing from it (documents are never
 * removed, so it never names one that is gone). */
bool db_request_get(struct err *e, struct arena *a, const char *id, bool lock, struct db_request *out, bool *found);
bool db_request_by_eoffice_ref(struct err *e, struct arena *a, const char *client_id, const char *ref,
			       struct db_request *out, bool *found);
/* Edits a draft and bumps the version. */
bool db_request_update_fields(struct err *e, struct arena *a, const char *id, const struct db_request_fields *f,
			      const char *actor, struct db_request *out);

struct db_request_filter {
	const char *status, *phase, *agency_id, *from, *to, *q; /* from/to: dates, inclusive, local */
	const char *tz;       /* IANA zone the dates are in */
	bool overdue;         /* only requests with an open step past due */
	const char *eoffice_ref;   /* exact */
	const char *updated_since; /* RFC 3339: only requests changed at or after it (inclusive), or NULL */
	const char *client_id;     /* only requests this machine client submitted */
	int step; /* 0 = any */
	const char *desks;         /* a text[] literal of desk keys (DB_REQUEST_DESK: "{a,b}"), or NULL = any */
	bool states_open;          /* every state in states is open (has its step running) */
	const char *sla_state;     /* the open step's SLA state, or NULL */
	bool sort_due;             /* earliest due_at first (then id); else newest first */
	const char *after_key, *after_id; /* keyset: created_at (or due_at) and id of the last row */
	const char *waiting_map;   /* JSON object state key -> waiting party key (from core/) */
	const char *actions_map;   /* JSON object state key -> [offered actions] (from core/) */
	const char *acts_only_for_client; /* a machine client limited to its own requests: the
	                                     rows of others offer nothing (NULL: no such limit) */
	const char *caller_id;     /* the caller (user or client id), for DB_OFFER_REFINED */
	const char *submit_types;  /* text[] literal of the documents a submission needs (from core/) */
};
/* Refines the actions the state offers the caller on request_id (a JSON
 * array text, e.g. ["submit","withdraw"]) by DB_OFFER_REFINED; *out is the
 * refined array. One round trip (callers ask only when the list holds
 * submit or derive). */
bool db_request_offer_refine(struct err *e, struct arena *a, const char *request_id, const char *acts,
			     const char *submit_types, const char *caller_id, const char **out);
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

/* The next number of the yearly sequence name (1, 2, ... without gaps),
 * the year and month being those of now in time zone tz (an IANA name). */
bool db_number_next(struct err *e, const char *name, const char *tz, int *seq, int *year, int *month);

#endif
