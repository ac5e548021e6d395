/* agencies.h — perangkat daerah. Reads return the public JSON document. */
#ifndef ALURD_DB_AGENCIES_H
#define ALURD_DB_AGENCIES_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

/* NULL fields are left alone on update; head_name may be cleared with set_head. */
struct db_agency_change {
	const char *code, *name, *active;
	bool set_head;
	const char *head_name;
};

bool db_agency_insert(struct err *e, struct arena *a, const struct db_agency_change *c, const char **json);
/* *json NULL when not found. */
bool db_agency_get(struct err *e, struct arena *a, const char *id, bool lock, const char **json);
/* *active is false also when there is no such agency. */
bool db_agency_is_active(struct err *e, const char *id, bool *active);
bool db_agency_update(struct err *e, struct arena *a, const char *id, const struct db_agency_change *c,
		      const char **json);
bool db_agency_list(struct err *e, struct arena *a, const char *active, const char *q, const char *after,
		    int limit, struct db_page *page);

#endif
