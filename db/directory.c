/* directory.c — see directory.h. One statement, planned per call. */
#include "db/directory.h"

#include <stdio.h>

DB_STMT_ADHOC(st_directory,
	"SELECT json_build_object('id', u.id, 'full_name', u.full_name, 'role', u.role, 'position', u.position,"
	" 'nip', u.nip, 'agency_id', u.agency_id, 'agency_name', g.name, 'is_signatory', u.is_signatory,"
	" 'active', u.active), u.full_name, u.id"
	" FROM users u LEFT JOIN agencies g ON g.id = u.agency_id"
	" WHERE u.role = ANY ($1::text[])"
	"   AND ($2::text IS NULL OR u.role = $2)"
	"   AND ($3::uuid IS NULL OR u.agency_id = $3::uuid)"
	"   AND ($4::text IS NULL OR u.full_name ILIKE $4 ESCAPE '\\' OR u.position ILIKE $4 ESCAPE '\\')"
	"   AND ($5::bool OR u.active)"
	"   AND ($6::uuid IS NULL OR u.agency_id = $6::uuid OR u.role = ANY ($7::text[]))"
	"   AND ($8::text IS NULL OR (u.full_name, u.id) > ($8::text, $9::uuid))"
	" ORDER BY u.full_name, u.id LIMIT $10::int + 1");

bool db_directory_list(struct err *e, struct arena *a, const struct db_directory_filter *f, int limit,
		       struct db_page *page)
{
	char lim[16];
	snprintf(lim, sizeof lim, "%d", limit);
	const char *p[] = {f->roles,      f->role,       f->agency_id, db_like_contains(a, f->q),
			   f->include_inactive ? "true" : "false", f->own_agency, f->also_roles ? f->also_roles : "{}",
			   f->after_name, f->after_id,  lim};
	return db_page(e, a, &st_directory, 10, p, limit, 2, page);
}
