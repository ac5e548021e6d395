/* audit.h — appending to the audit trail (migrations/0001). Always called
 * inside the transaction of the action it records, so an action and its audit
 * row commit or vanish together. There is no update or delete. */
#ifndef ALURD_DB_AUDIT_H
#define ALURD_DB_AUDIT_H

#include <stdbool.h>

#include "core/err.h"

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

#endif
