/* agencies.c — see agencies.h. */
#include "db/agencies.h"

#include <stdio.h>

#define AGENCY_JSON                                                                                    \
	"json_build_object('id', g.id, 'code', g.code, 'name', g.name, 'head_name', g.head_name,"       \
	" 'active', g.active, 'created_at', g.created_at, 'updated_at', g.updated_at)"

DB_STMT(st_insert, "INSERT INTO agencies AS g (code, name, head_name, active)"
		   " VALUES ($1, $2, $3, coalesce($4::bool, true)) RETURNING " AGENCY_JSON);
DB_STMT(st_get, "SELECT " AGENCY_JSON " FROM agencies g WHERE g.id = $1::uuid");
DB_STMT(st_get_lock, "SELECT " AGENCY_JSON " FROM agencies g WHERE g.id = $1::uuid FOR UPDATE");
DB_STMT(st_update, "UPDATE agencies AS g SET code = coalesce($2, g.code), name = coalesce($3, g.name),"
		   " head_name = CASE WHEN $4::bool THEN $5 ELSE g.head_name END,"
		   " active = coalesce($6::bool, g.active), updated_at = now()"
		   " WHERE g.id = $1::uuid RETURNING " AGENCY_JSON);
DB_STMT_ADHOC(st_list, "SELECT " AGENCY_JSON ", g.code FROM agencies g"
		 " WHERE ($1::bool IS NULL OR g.active = $1::bool)"
		 "   AND ($2::text IS NULL OR strpos(lower(g.name), lower($2)) > 0 OR strpos(lower(g.code), lower($2)) > 0)"
		 "   AND ($3::text IS NULL OR g.code > $3)"
		 " ORDER BY g.code LIMIT $4::int + 1");

bool db_agency_insert(struct err *e, struct arena *a, const struct db_agency_change *c, const char **json)
{
	const char *p[] = {c->code, c->name, c->head_name, c->active};
	bool found;
	return db_one(e, a, &st_insert, 4, p, 1, json, &found);
}

bool db_agency_get(struct err *e, struct arena *a, const char *id, bool lock, const char **json)
{
	bool found;
	*json = NULL;
	return db_one(e, a, lock ? &st_get_lock : &st_get, 1, &id, 1, json, &found);
}

bool db_agency_update(struct err *e, struct arena *a, const char *id, const struct db_agency_change *c,
		      const char **json)
{
	const char *p[] = {id, c->code, c->name, c->set_head ? "true" : "false", c->head_name, c->active};
	bool found;
	*json = NULL;
	return db_one(e, a, &st_update, 6, p, 1, json, &found);
}

bool db_agency_list(struct err *e, struct arena *a, const char *active, const char *q, const char *after,
		    int limit, struct db_page *page)
{
	char lim[16];
	snprintf(lim, sizeof lim, "%d", limit);
	const char *p[] = {active, q, after, lim};
	return db_page(e, a, &st_list, 4, p, limit, 1, page);
}

DB_STMT(st_active, "SELECT active FROM agencies WHERE id = $1::uuid");

bool db_agency_is_active(struct err *e, const char *id, bool *active)
{
	PGresult *r;
	if (!db_exec(e, &st_active, 1, &id, &r))
		return false;
	*active = PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return true;
}
