/* audit.c — see audit.h. */
#include "db/audit.h"

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
