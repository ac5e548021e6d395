/* webhooks.c — see webhooks.h. */
#include "db/webhooks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/events.h"

#define WEBHOOK_JSON                                                                                          \
	"json_build_object('id', w.id, 'url', w.url, 'event_types', w.event_types, 'agency_id', w.agency_id,"  \
	" 'enabled', w.enabled, 'disabled_reason', w.disabled_reason, 'description', w.description,"           \
	" 'owner_client_id', w.owner_client_id, 'failing_since', w.failing_since,"                             \
	" 'previous_secret_valid_until', CASE WHEN w.old_secret_until > now() THEN w.old_secret_until END,"    \
	" 'version', w.version, 'created_at', w.created_at, 'updated_at', w.updated_at)"
#define WEBHOOK_COLS "w.id, w.owner_client_id, w.agency_id, w.version, " WEBHOOK_JSON

static void fill(struct db_webhook *out, const char **c)
{
	out->id = c[0];
	out->owner_client_id = c[1];
	out->agency_id = c[2];
	out->version = atoi(c[3]);
	out->json = c[4];
}

static bool one(struct err *e, struct arena *a, struct db_stmt *st, int n, const char *const *p,
		struct db_webhook *out, bool *found)
{
	const char *c[5];
	bool dummy;
	if (!found)
		found = &dummy;
	if (!db_one(e, a, st, n, p, 5, c, found))
		return false;
	if (*found)
		fill(out, c);
	return true;
}

DB_STMT(st_insert,
	"INSERT INTO webhooks AS w (owner_client_id, url, event_types, agency_id, enabled, description, secret_box,"
	"                           created_by)"
	" VALUES ($1::uuid, $2, $3::text[], $4::uuid, $5::bool, coalesce($6, ''), $7::bytea, $8::uuid)"
	" RETURNING " WEBHOOK_COLS);

bool db_webhook_insert(struct err *e, struct arena *a, const struct db_webhook_fields *f, const char *owner_client_id,
		       const char *secret_box, const char *actor, struct db_webhook *out)
{
	const char *p[] = {owner_client_id, f->url, f->event_types, f->agency_id, f->set_enabled && !f->enabled ? "false" : "true",
			   f->description, secret_box, actor};
	return one(e, a, &st_insert, 8, p, out, NULL);
}

DB_STMT(st_get, "SELECT " WEBHOOK_COLS " FROM webhooks w WHERE w.id = $1::uuid");
DB_STMT(st_get_lock, "SELECT " WEBHOOK_COLS " FROM webhooks w WHERE w.id = $1::uuid FOR UPDATE");

bool db_webhook_get(struct err *e, struct arena *a, const char *id, bool lock, struct db_webhook *out, bool *found)
{
	return one(e, a, lock ? &st_get_lock : &st_get, 1, &id, out, found);
}

DB_STMT(st_list,
	"SELECT coalesce(json_agg(" WEBHOOK_JSON " ORDER BY w.created_at, w.id), '[]') FROM webhooks w"
	" WHERE $1::uuid IS NULL OR w.owner_client_id = $1::uuid");

bool db_webhook_list(struct err *e, struct arena *a, const char *owner_client_id, const char **json)
{
	bool found;
	return db_one(e, a, &st_list, 1, &owner_client_id, 1, json, &found);
}

DB_STMT(st_count, "SELECT count(*) FROM webhooks");

bool db_webhook_count(struct err *e, long *n)
{
	PGresult *r;
	if (!db_exec(e, &st_count, 0, NULL, &r))
		return false;
	*n = atol(PQgetvalue(r, 0, 0));
	PQclear(r);
	return true;
}

DB_STMT(st_update,
	"UPDATE webhooks AS w SET url = coalesce($2, w.url), event_types = coalesce($3::text[], w.event_types),"
	" agency_id = CASE WHEN $4::bool THEN $5::uuid ELSE w.agency_id END,"
	" enabled = CASE WHEN $6::bool THEN $7::bool ELSE w.enabled END,"
	" disabled_reason = CASE WHEN $6::bool AND $7::bool THEN NULL ELSE w.disabled_reason END,"
	" failing_since = CASE WHEN $6::bool AND $7::bool THEN NULL ELSE w.failing_since END,"
	" description = coalesce($8, w.description), version = w.version + 1, updated_at = now()"
	" WHERE w.id = $1::uuid RETURNING " WEBHOOK_COLS);

bool db_webhook_update(struct err *e, struct arena *a, const char *id, const struct db_webhook_fields *f,
		       struct db_webhook *out)
{
	const char *p[] = {id,
			   f->url,
			   f->event_types,
			   f->set_agency ? "true" : "false",
			   f->agency_id,
			   f->set_enabled ? "true" : "false",
			   f->enabled ? "true" : "false",
			   f->description};
	return one(e, a, &st_update, 8, p, out, NULL);
}

DB_STMT(st_delete, "DELETE FROM webhooks WHERE id = $1::uuid");

bool db_webhook_delete(struct err *e, const char *id)
{
	return db_exec(e, &st_delete, 1, &id, NULL);
}

DB_STMT(st_rotate,
	"UPDATE webhooks AS w SET old_secret_box = w.secret_box,"
	" old_secret_until = now() + make_interval(secs => $3::int), secret_box = $2::bytea,"
	" version = w.version + 1, updated_at = now()"
	" WHERE w.id = $1::uuid RETURNING " WEBHOOK_COLS);

bool db_webhook_rotate(struct err *e, struct arena *a, const char *id, const char *secret_box, int overlap,
		       struct db_webhook *out)
{
	char o[16];
	snprintf(o, sizeof o, "%d", overlap);
	const char *p[] = {id, secret_box, o};
	return one(e, a, &st_rotate, 3, p, out, NULL);
}

#define DELIVERY_JSON                                                                                         \
	"json_build_object('id', d.id::text, 'webhook_id', d.webhook_id, 'event_id', ev.event_id,"              \
	" 'event_type', ev.type, 'status', d.status, 'attempts', d.attempts,"                                  \
	" 'next_attempt_at', CASE WHEN d.status IN ('pending', 'delivering') THEN d.next_attempt_at END,"       \
	" 'last_status', d.last_status, 'last_error', d.last_error, 'last_latency_ms', d.last_latency_ms,"     \
	" 'created_at', d.created_at, 'delivered_at', d.delivered_at)"

DB_STMT(st_deliveries,
	"SELECT " DELIVERY_JSON ", d.id FROM webhook_deliveries d LEFT JOIN events ev ON ev.id = d.event_id"
	" WHERE d.webhook_id = $1::uuid AND ($2::bigint IS NULL OR d.id < $2::bigint)"
	" ORDER BY d.id DESC LIMIT $3::int + 1");

bool db_delivery_page(struct err *e, struct arena *a, const char *webhook_id, const char *before_id, int limit,
		      struct db_page *page)
{
	char lim[16];
	snprintf(lim, sizeof lim, "%d", limit);
	const char *p[] = {webhook_id, before_id, lim};
	return db_page(e, a, &st_deliveries, 3, p, limit, 1, page);
}

DB_STMT(st_retry,
	"WITH d AS (UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now(), lease_until = NULL"
	"           WHERE webhook_id = $1::uuid AND id = $2::bigint AND status <> 'delivering' RETURNING *)"
	" SELECT " DELIVERY_JSON " FROM d LEFT JOIN events ev ON ev.id = d.event_id");

bool db_delivery_retry(struct err *e, struct arena *a, const char *webhook_id, const char *delivery_id,
		       const char **json, bool *found)
{
	const char *p[] = {webhook_id, delivery_id};
	return db_one(e, a, &st_retry, 2, p, 1, json, found);
}

DB_STMT(st_replay,
	"INSERT INTO webhook_deliveries (webhook_id, event_id)"
	" SELECT w.id, ev.id FROM webhooks w JOIN events ev"
	"   ON (w.agency_id IS NULL OR w.agency_id = ev.agency_id)"
	"  AND ('*' = ANY (w.event_types) OR ev.type = ANY (w.event_types)"
	"       OR split_part(ev.type, '.', 1) || '.*' = ANY (w.event_types))"
	" WHERE w.id = $1::uuid AND ev.time >= $2::timestamptz AND ev.time < $3::timestamptz"
	" ORDER BY ev.xid, ev.id");

bool db_delivery_replay(struct err *e, const char *webhook_id, const char *from, const char *to, int *count)
{
	const char *p[] = {webhook_id, from, to};
	PGresult *r;
	if (!db_exec(e, &st_replay, 3, p, &r))
		return false;
	*count = atoi(PQcmdTuples(r));
	PQclear(r);
	return true;
}

/* The in-flight count bounds each endpoint at claim time; two instances
 * claiming for one endpoint at the same instant may each pass it once. A
 * lease that ran out (its instance died) makes a delivering row due again. */
DB_STMT(st_claim,
	"WITH c AS (SELECT d.id FROM webhook_deliveries d"
	"           WHERE d.status IN ('pending', 'delivering') AND d.next_attempt_at <= now()"
	"             AND EXISTS (SELECT 1 FROM webhooks w WHERE w.id = d.webhook_id AND w.enabled)"
	"             AND (SELECT count(*) FROM webhook_deliveries x WHERE x.webhook_id = d.webhook_id"
	"                  AND x.status = 'delivering' AND x.lease_until > now()) < $1::int"
	"           ORDER BY d.next_attempt_at, d.id LIMIT 1 FOR UPDATE OF d SKIP LOCKED),"
	" claimed AS (UPDATE webhook_deliveries d SET status = 'delivering', attempts = d.attempts + 1,"
	"               lease_until = now() + make_interval(secs => $2::int),"
	"               next_attempt_at = now() + make_interval(secs => $2::int)"
	"             FROM c WHERE d.id = c.id RETURNING d.id, d.webhook_id, d.event_id, d.attempts)"
	" SELECT k.id::text, k.webhook_id, w.url, ev.event_id, " DB_EVENT_JSON("ev") "::text, w.secret_box,"
	"        CASE WHEN w.old_secret_until > now() THEN w.old_secret_box END, k.attempts,"
	"        floor(extract(epoch FROM now()))::bigint"
	" FROM claimed k JOIN webhooks w ON w.id = k.webhook_id LEFT JOIN events ev ON ev.id = k.event_id");

bool db_delivery_claim(struct err *e, struct arena *a, int per_endpoint, int lease, struct db_claim *out, bool *found)
{
	char pe[16], l[16];
	snprintf(pe, sizeof pe, "%d", per_endpoint);
	snprintf(l, sizeof l, "%d", lease);
	const char *p[] = {pe, l};
	const char *c[9];
	if (!db_one(e, a, &st_claim, 2, p, 9, c, found))
		return false;
	if (*found) {
		out->id = c[0];
		out->webhook_id = c[1];
		out->url = c[2];
		out->event_uuid = c[3];
		out->body = c[4];
		out->secret_box = c[5];
		out->old_secret_box = c[6];
		out->attempt = atoi(c[7]);
		out->now = strtoll(c[8], NULL, 10);
	}
	return true;
}

/* The subscription row is written only when its state changes (the first
 * failure of a run, the first success after one, a disable), so the
 * deliveries of one endpoint do not queue on its row lock. */
DB_STMT(st_record,
	"WITH d AS (UPDATE webhook_deliveries SET status = $3, lease_until = NULL,"
	"             next_attempt_at = now() + make_interval(secs => $4::float8),"
	"             last_status = $5::int, last_error = $6, last_latency_ms = $7::int,"
	"             delivered_at = CASE WHEN $3 = 'delivered' THEN now() END"
	"           WHERE id = $1::bigint AND attempts = $2::int AND status = 'delivering' RETURNING webhook_id),"
	" w AS (UPDATE webhooks w SET"
	"         failing_since = CASE WHEN $3 = 'delivered' THEN NULL ELSE coalesce(w.failing_since, now()) END,"
	"         enabled = w.enabled AND NOT ($8::bool OR ($3 <> 'delivered' AND w.failing_since IS NOT NULL"
	"                   AND w.failing_since < now() - make_interval(secs => $9::int))),"
	"         disabled_reason = CASE WHEN $8::bool THEN 'gone'"
	"                                WHEN $3 <> 'delivered' AND w.failing_since IS NOT NULL"
	"                                 AND w.failing_since < now() - make_interval(secs => $9::int)"
	"                                THEN 'failing' ELSE w.disabled_reason END"
	"       FROM d WHERE w.id = d.webhook_id"
	"         AND (($3 = 'delivered') = (w.failing_since IS NOT NULL) OR $8::bool"
	"              OR ($3 <> 'delivered' AND w.failing_since < now() - make_interval(secs => $9::int)))"
	"       RETURNING w.id, w.agency_id, w.enabled, w.disabled_reason,"
	"         (SELECT enabled FROM webhooks o WHERE o.id = w.id) AS was_enabled),"
	" au AS (INSERT INTO audit_log (actor_role, action, record_type, record_id, http_request_id, after)"
	"        SELECT 'system', 'webhook.disabled', 'webhook', w.id::text, 'deliverer',"
	"               jsonb_build_object('reason', w.disabled_reason, 'delivery_id', $1::text)"
	"        FROM w WHERE w.was_enabled AND NOT w.enabled),"
	" ev AS (INSERT INTO events (type, agency_id, source, subject, data)"
	"        SELECT 'webhook.disabled', w.agency_id, '/api/v1/webhooks', w.id::text,"
	"               jsonb_build_object('webhook_id', w.id, 'agency_id', w.agency_id, 'reason', w.disabled_reason,"
	"                                  'delivery_id', $1::text, 'actor', jsonb_build_object('id', NULL, 'role', 'system'))"
	"        FROM w WHERE w.was_enabled AND NOT w.enabled)"
	" SELECT (SELECT count(*) FROM d), (SELECT count(*) FROM w WHERE was_enabled AND NOT enabled)");

bool db_delivery_record(struct err *e, const struct db_claim *c, const struct db_attempt *t, bool *disabled,
			bool *stale)
{
	static const char *const names[] = {"delivered", "pending", "failed"};
	char att[16], in[32], st[16], lat[16], after[16];
	snprintf(att, sizeof att, "%d", c->attempt);
	snprintf(in, sizeof in, "%.3f", t->outcome == DB_RETRY ? t->retry_in : 0.0);
	snprintf(st, sizeof st, "%d", t->http_status);
	snprintf(lat, sizeof lat, "%d", t->latency_ms);
	snprintf(after, sizeof after, "%d", t->disable_after);
	const char *p[] = {c->id, att, names[t->outcome], in, t->http_status ? st : NULL, t->error, lat,
			   t->disable ? "true" : "false", after};
	PGresult *r;
	if (!db_exec(e, &st_record, 9, p, &r))
		return false;
	*stale = atoi(PQgetvalue(r, 0, 0)) == 0;
	*disabled = atoi(PQgetvalue(r, 0, 1)) > 0;
	PQclear(r);
	return true;
}

DB_STMT(st_backlog,
	"SELECT count(*), coalesce(extract(epoch FROM now() - min(next_attempt_at) FILTER (WHERE next_attempt_at <= now())), 0)"
	" FROM webhook_deliveries WHERE status IN ('pending', 'delivering')");

bool db_delivery_backlog(struct err *e, long *pending, double *oldest_age)
{
	PGresult *r;
	if (!db_exec(e, &st_backlog, 0, NULL, &r))
		return false;
	*pending = atol(PQgetvalue(r, 0, 0));
	*oldest_age = atof(PQgetvalue(r, 0, 1));
	PQclear(r);
	return true;
}
