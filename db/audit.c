/* audit.c — see audit.h. */
#include "db/audit.h"

#include <stdio.h>

#include "db/db.h"
#include "db/people.h"

DB_STMT(st_audit_insert,
	"INSERT INTO audit_log (actor_id, actor_role, action, record_type, record_id, request_id,"
	"                       http_request_id, before, after)"
	" VALUES ($1::uuid, $2, $3, $4, $5, $6::uuid, $7, $8::jsonb, $9::jsonb)");

bool db_audit_write(struct err *e, const struct db_audit *a)
{
	const char *p[] = {a->actor_id, a->actor_role, a->action,          a->record_type, a->record_id,
			   a->request_id, a->http_request_id, a->before, a->after};
	return db_exec(e, &st_audit_insert, 9, p, NULL);
}

#define AUDIT_JSON                                                                                          \
	"json_build_object('id', a.id, 'at', a.at, 'actor_id', a.actor_id, 'actor', " DB_PERSON("a.actor_id") "," \
	" 'actor_role', a.actor_role, 'action', a.action, 'record_type', a.record_type, 'record_id', a.record_id," \
	" 'request_id', a.request_id, 'http_request_id', a.http_request_id, 'before', a.before, 'after', a.after)"

DB_STMT(st_audit_list,
	"SELECT " AUDIT_JSON ", a.id"
	" FROM audit_log a WHERE a.request_id = $1::uuid AND ($2::bigint IS NULL OR a.id > $2::bigint)"
	" ORDER BY a.id LIMIT $3::int + 1");

bool db_audit_list(struct err *e, struct arena *a, const char *request_id, const char *after_id, int limit,
		   struct db_page *page)
{
	char lim[16];
	snprintf(lim, sizeof lim, "%d", limit);
	const char *p[] = {request_id, after_id, lim};
	return db_page(e, a, &st_audit_list, 3, p, limit, 1, page);
}

/* Every filter NULL (ignored) or matched; planned per call so the index of
 * the filter given is used (actor, action, record, time, or the key). */
DB_STMT_ADHOC(st_audit_all,
	"SELECT " AUDIT_JSON ", a.id FROM audit_log a"
	" WHERE ($1::uuid IS NULL OR a.actor_id = $1::uuid) AND ($2::text IS NULL OR a.action = $2)"
	"   AND ($3::text IS NULL OR a.record_type = $3) AND ($4::text IS NULL OR a.record_id = $4)"
	"   AND ($5::timestamptz IS NULL OR a.at >= $5::timestamptz) AND ($6::timestamptz IS NULL OR a.at < $6::timestamptz)"
	"   AND ($7::bigint IS NULL OR a.id > $7::bigint)"
	" ORDER BY a.id LIMIT $8::int + 1");

bool db_audit_all(struct err *e, struct arena *a, const struct db_audit_filter *f, int limit, struct db_page *page)
{
	char lim[16];
	snprintf(lim, sizeof lim, "%d", limit);
	const char *p[] = {f->actor_id, f->action, f->record_type, f->record_id, f->from, f->to, f->after_id, lim};
	return db_page(e, a, &st_audit_all, 8, p, limit, 1, page);
}
