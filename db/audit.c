/* audit.c — see audit.h. */
#include "db/audit.h"

#include <stdio.h>

#include "db/db.h"

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

DB_STMT(st_audit_list,
	"SELECT json_build_object('id', a.id, 'at', a.at, 'actor_id', a.actor_id, 'actor_role', a.actor_role,"
	" 'action', a.action, 'record_type', a.record_type, 'record_id', a.record_id,"
	" 'http_request_id', a.http_request_id, 'before', a.before, 'after', a.after), a.id"
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
