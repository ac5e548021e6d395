/* audit.h — appending to the audit trail (migrations/0001). Always called
 * inside the transaction of the action it records, so an action and its audit
 * row commit or vanish together. There is no update or delete. */
#ifndef ALURD_DB_AUDIT_H
#define ALURD_DB_AUDIT_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

struct db_audit {
	const char *actor_id;        /* NULL: anonymous or the system */
	const char *actor_role;
	const char *action;
	const char *record_type;
	const char *record_id;
	const char *request_id;      /* the SOP request concerned, or NULL */
	const char *http_request_id;
	const char *before;          /* JSON text or NULL */
	const char *after;           /* JSON text or NULL */
};

bool db_audit_write(struct err *e, const struct db_audit *a);

/* One page of the audit rows of SOP request request_id, oldest first;
 * after_id is the last row id of the previous page (NULL for the first). */
bool db_audit_list(struct err *e, struct arena *a, const char *request_id, const char *after_id, int limit,
		   struct db_page *page);

/* The whole trail, rows with and without a request, in id order (oldest
 * first); each filter NULL = any. from/to are RFC 3339 instants (from
 * inclusive, to exclusive); after_id is the last id of the previous page. */
struct db_audit_filter {
	const char *actor_id, *action, *record_type, *record_id, *from, *to, *after_id;
};
bool db_audit_all(struct err *e, struct arena *a, const struct db_audit_filter *f, int limit, struct db_page *page);

#endif
