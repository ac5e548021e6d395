/* events.h — the outbox (migrations/0020): writing a change's audit row and
 * its event in one statement, the event feed, and retention pruning.
 *
 * Every event is written inside the transaction of the change it describes,
 * by the statement that writes the change's audit row (db_change_write here,
 * or the lifecycle and timer statements of db/steps.c), so the two commit or
 * vanish together. The feed pages by (xid, id) and shows only rows whose
 * transaction is older than every transaction still running: a cursor never
 * passes an event that commits later (see the migration's note).
 */
#ifndef ALURD_DB_EVENTS_H
#define ALURD_DB_EVENTS_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/audit.h"
#include "db/db.h"

/* The fields every event's data carries, built from a requests row `r`
 * (after the change) and the actor (SQL expressions for a uuid and a text):
 * request_id, agency_id, eoffice_ref, status, phase, step, version (the
 * request's, which orders one request's changes), actor {id, role}.
 * For the SQL of db/ only. */
#define DB_EVENT_DATA(r, actor_id, actor_role)                                                              \
	"jsonb_build_object('request_id', " r ".id, 'agency_id', " r ".agency_id, 'eoffice_ref', " r            \
	".eoffice_ref, 'status', " r ".status, 'phase', " r ".phase, 'step', " r ".current_step,"              \
	" 'version', " r ".version,"                                                                           \
	" 'actor', jsonb_build_object('id', " actor_id ", 'role', " actor_role "))"

/* The CloudEvents 1.0 JSON document of an events row `e`, built by
 * PostgreSQL, so the feed and the webhook bodies are the same text. A
 * request's event has source /api/v1/requests and the request as subject;
 * an event about another record (migrations/0052) names its own. */
#define DB_EVENT_JSON(e)                                                                                      \
	"json_build_object('specversion', '1.0', 'id', " e ".event_id, 'source', " e ".source, 'type', " e \
	".type, 'subject', coalesce(" e ".subject, " e ".request_id::text), 'time', " e                              \
	".time, 'datacontenttype', 'application/json', 'data', " e ".data)"

/* Writes the audit row a and, when event_type is not NULL, the event of the
 * same change of request a->request_id (which must exist): its data is
 * DB_EVENT_DATA merged with event_data (a JSON object text, or NULL). One
 * round trip. */
bool db_change_write(struct err *e, const struct db_audit *a, const char *event_type, const char *event_data);

/* Which events a feed page shows (NULL: no filter). types is a text[] literal
 * ("{request.disposed,sla.*}"); "x.*" matches every type of record x. */
struct db_event_filter {
	const char *agency_id, *request_id, *types;
	bool beyond_requests; /* also the events not about a request (webhook.disabled) */
	const char *after_xid, *after_id; /* the cursor: the last row of the previous page */
	const char *since;                /* timestamptz: events at or after it (replays) */
	const char *until;                /* timestamptz: events before it */
};

/* One page of events as CloudEvents JSON documents, in feed order; keys
 * (xid, id) of the last row in page->next. */
bool db_event_page(struct err *e, struct arena *a, const struct db_event_filter *f, int limit, struct db_page *page);

/* The feed position (xid, id) of the newest event the feed shows now
 * ("0", "0" when there is none). */
bool db_event_tail(struct err *e, char xid[24], char id[24]);

/* What committed after feed position (xid, id), at most limit events in feed
 * order: fn(type, count, arg) once per type, and (xid, id) moved to the last
 * of them (unchanged when there is nothing new). One round trip. */
bool db_event_news(struct err *e, char xid[24], char id[24], int limit,
		   void (*fn)(const char *type, long count, void *arg), void *arg);

/* Deletes up to batch events older than days days (rows another instance is
 * deleting are skipped), then up to batch finished (delivered or failed)
 * webhook deliveries as old; *deleted receives how many rows in all. */
bool db_event_prune(struct err *e, int days, int batch, int *deleted);

#endif
