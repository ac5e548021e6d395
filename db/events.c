/* events.c — see events.h. */
#include "db/events.h"

#include <stdio.h>
#include <stdlib.h>

#define EVENT_JSON DB_EVENT_JSON("e")

DB_STMT(st_change,
	"WITH r AS (SELECT id, agency_id, eoffice_ref, status, phase, current_step, version FROM requests WHERE id = $6::uuid),"
	" a AS (INSERT INTO audit_log (actor_id, actor_role, action, record_type, record_id, request_id,"
	"                             http_request_id, before, after)"
	"       VALUES ($1::uuid, $2, $3, $4, $5, $6::uuid, $7, $8::jsonb, $9::jsonb))"
	" INSERT INTO events (type, request_id, agency_id, data)"
	" SELECT $10, r.id, r.agency_id, " DB_EVENT_DATA("r", "$1::uuid", "$2::text") " || coalesce($11::jsonb, '{}')"
	" FROM r WHERE $10::text IS NOT NULL");

bool db_change_write(struct err *e, const struct db_audit *a, const char *event_type, const char *event_data)
{
	const char *p[] = {a->actor_id,      a->actor_role, a->action, a->record_type, a->record_id, a->request_id,
			   a->http_request_id, a->before,     a->after,  event_type,     event_data};
	return db_exec(e, &st_change, 11, p, NULL);
}

/* Filters are optional ("$n IS NULL OR ..."), so it is planned per call. */
DB_STMT_ADHOC(st_page,
	"SELECT " EVENT_JSON ", e.xid::text, e.id FROM events e"
	" WHERE e.xid < pg_snapshot_xmin(pg_current_snapshot())"
	"   AND ($1::xid8 IS NULL OR (e.xid, e.id) > ($1::xid8, $2::bigint))"
	"   AND ($3::uuid IS NULL OR e.agency_id = $3::uuid)"
	"   AND ($4::uuid IS NULL OR e.request_id = $4::uuid)"
	"   AND ($5::text[] IS NULL OR e.type = ANY ($5::text[]) OR split_part(e.type, '.', 1) || '.*' = ANY ($5::text[]))"
	"   AND ($7::timestamptz IS NULL OR e.time >= $7::timestamptz)"
	"   AND ($8::timestamptz IS NULL OR e.time < $8::timestamptz)"
	"   AND (e.request_id IS NOT NULL OR $9::bool)"
	" ORDER BY e.xid, e.id LIMIT $6::int + 1");

bool db_event_page(struct err *e, struct arena *a, const struct db_event_filter *f, int limit, struct db_page *page)
{
	char lim[16];
	snprintf(lim, sizeof lim, "%d", limit);
	const char *p[] = {f->after_xid, f->after_id, f->agency_id, f->request_id, f->types, lim, f->since, f->until,
			   f->beyond_requests ? "true" : "false"};
	return db_page(e, a, &st_page, 9, p, limit, 2, page);
}

DB_STMT(st_tail,
	"SELECT xid::text, id FROM events WHERE xid < pg_snapshot_xmin(pg_current_snapshot())"
	" ORDER BY xid DESC, id DESC LIMIT 1");

bool db_event_tail(struct err *e, char xid[24], char id[24])
{
	PGresult *r;
	if (!db_exec(e, &st_tail, 0, NULL, &r))
		return false;
	snprintf(xid, 24, "%s", PQntuples(r) ? PQgetvalue(r, 0, 0) : "0");
	snprintf(id, 24, "%s", PQntuples(r) ? PQgetvalue(r, 0, 1) : "0");
	PQclear(r);
	return true;
}

DB_STMT(st_news,
	"WITH n AS (SELECT xid, id, type FROM events"
	"           WHERE xid < pg_snapshot_xmin(pg_current_snapshot()) AND (xid, id) > ($1::xid8, $2::bigint)"
	"           ORDER BY xid, id LIMIT $3::int),"
	" l AS (SELECT xid, id FROM n ORDER BY xid DESC, id DESC LIMIT 1)"
	" SELECT n.type, count(*), (SELECT xid::text FROM l), (SELECT id FROM l) FROM n GROUP BY n.type");

bool db_event_news(struct err *e, char xid[24], char id[24], int limit,
		   void (*fn)(const char *type, long count, void *arg), void *arg)
{
	char lim[16];
	snprintf(lim, sizeof lim, "%d", limit);
	const char *p[] = {xid, id, lim};
	PGresult *r;
	if (!db_exec(e, &st_news, 3, p, &r))
		return false;
	for (int i = 0; i < PQntuples(r); i++)
		fn(PQgetvalue(r, i, 0), atol(PQgetvalue(r, i, 1)), arg);
	if (PQntuples(r)) {
		snprintf(xid, 24, "%s", PQgetvalue(r, 0, 2));
		snprintf(id, 24, "%s", PQgetvalue(r, 0, 3));
	}
	PQclear(r);
	return true;
}

DB_STMT(st_prune,
	"WITH old AS (SELECT id FROM events WHERE time < now() - make_interval(days => $1::int)"
	"             ORDER BY time LIMIT $2::int FOR UPDATE SKIP LOCKED)"
	" DELETE FROM events e USING old WHERE e.id = old.id");

DB_STMT(st_prune_deliveries,
	"WITH old AS (SELECT id FROM webhook_deliveries WHERE status IN ('delivered', 'failed')"
	"             AND created_at < now() - make_interval(days => $1::int)"
	"             ORDER BY id LIMIT $2::int FOR UPDATE SKIP LOCKED)"
	" DELETE FROM webhook_deliveries d USING old WHERE d.id = old.id");

bool db_event_prune(struct err *e, int days, int batch, int *deleted)
{
	char d[16], b[16];
	snprintf(d, sizeof d, "%d", days);
	snprintf(b, sizeof b, "%d", batch);
	const char *p[] = {d, b};
	*deleted = 0;
	struct db_stmt *st[] = {&st_prune, &st_prune_deliveries};
	for (int i = 0; i < 2; i++) {
		PGresult *r;
		if (!db_exec(e, st[i], 2, p, &r))
			return false;
		*deleted += atoi(PQcmdTuples(r));
		PQclear(r);
	}
	return true;
}
