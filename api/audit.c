/* audit.c — the global audit trail for auditors and administrators: every
 * row, including those that belong to no request (policy publishes, users,
 * clients, sign-ins, calendar recomputes), filtered and keyset-paginated by
 * id. The per-request trail (GET /requests/{id}/audit) is in requests.c and
 * follows the request's visibility; this one has no agency scope, so only
 * roles that see everything may read it (ACT_AUDIT_READ). */
#include <string.h>

#include "api/input.h"
#include "core/validate.h"
#include "db/audit.h"

static const char *const audit_params[] = {"actor", "action", "record_type", "record_id", "from", "to",
					   "limit", "cursor", NULL};

static bool list_audit(struct api_ctx *c, struct err *e)
{
	struct db_audit_filter f = {
		.actor_id = api_query(c, "actor"),
		.action = api_query(c, "action"),
		.record_type = api_query(c, "record_type"),
		.record_id = api_query(c, "record_id"),
		.from = api_query(c, "from"),
		.to = api_query(c, "to"),
	};
	int limit;
	const char **cursor;
	api_query_limit(c, &limit, e);
	api_query_cursor(c, 1, &cursor, e);
	if (cursor && (!cursor[0][0] || strspn(cursor[0], "0123456789") != strlen(cursor[0]) || strlen(cursor[0]) > 18))
		err_field(e, "cursor", "invalid", "This cursor was not made by this server.");
	if (f.actor_id && !val_is_uuid(f.actor_id))
		err_field(e, "actor", "invalid", "Must be a user or client id (UUID).");
	if (f.action)
		val_text(e, "action", f.action, 100, false, false);
	if (f.record_type)
		val_text(e, "record_type", f.record_type, 100, false, false);
	if (f.record_id)
		val_text(e, "record_id", f.record_id, 200, false, false);
	if (f.from)
		val_timestamp(e, "from", f.from);
	if (f.to)
		val_timestamp(e, "to", f.to);
	if (e->kind)
		return false;
	f.after_id = cursor ? cursor[0] : NULL;
	struct db_page page;
	if (!db_audit_all(e, c->arena, &f, limit, &page))
		return false;
	api_reply_page(c, &page, 1);
	return true;
}

const struct route api_audit_routes[] = {
	{"GET", "/api/v1/audit", list_audit, ACT_AUDIT_READ, API_TX_READ, API_BODY_NONE, 0, audit_params},
	{0},
};
