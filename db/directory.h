/* directory.h — the people picker: who is who, with the fields a screen
 * needs to choose a person (name, role, position, NIP, agency), never any
 * password or token data. */
#ifndef ALURD_DB_DIRECTORY_H
#define ALURD_DB_DIRECTORY_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

struct db_directory_filter {
	const char *role, *agency_id, *q; /* NULL = any; q matches name or position, literally */
	bool include_inactive;
	const char *roles;       /* text[] literal of the roles listed at all */
	const char *own_agency;  /* an agency-bound caller: only that agency's people, plus ... */
	const char *also_roles;  /* ... the people of these roles (text[] literal) */
	const char *after_name, *after_id; /* keyset: the last row of the previous page */
};

/* One page ordered by (full_name, id). */
bool db_directory_list(struct err *e, struct arena *a, const struct db_directory_filter *f, int limit,
		       struct db_page *page);

#endif
