/* clients.c — see clients.h. */
#include "db/clients.h"

#include <stdio.h>

#define CLIENT_JSON                                                                                   \
	"json_build_object('id', k.id, 'client_id', k.client_id, 'name', k.name, 'agency_id', k.agency_id," \
	 " 'write_scope', k.write_scope, 'created_at', k.created_at, 'revoked_at', k.revoked_at)"
#define CLIENT_COLS "k.id, k.client_id, k.secret_hash, k.agency_id, k.revoked_at IS NOT NULL, " CLIENT_JSON

static void fill(struct db_client *out, const char **c)
{
	out->id = c[0];
	out->client_id = c[1];
	out->secret_hash = c[2];
	out->agency_id = c[3];
	out->revoked = c[4] && c[4][0] == 't';
	out->json = c[5];
}

DB_STMT(st_insert, "INSERT INTO clients AS k (client_id, secret_hash, name, agency_id, created_by, write_scope)"
		   " VALUES ($1, $2, $3, $4::uuid, $5::uuid, $6) RETURNING " CLIENT_COLS);
DB_STMT(st_set_scope, "UPDATE clients AS k SET write_scope = $2 WHERE k.id = $1::uuid RETURNING " CLIENT_COLS);
DB_STMT(st_scope, "SELECT write_scope FROM clients WHERE id = $1::uuid");
DB_STMT(st_by_client_id, "SELECT " CLIENT_COLS " FROM clients k WHERE k.client_id = $1");
DB_STMT(st_revoke, "UPDATE clients AS k SET revoked_at = coalesce(k.revoked_at, now())"
		   " WHERE k.id = $1::uuid RETURNING " CLIENT_COLS);
DB_STMT(st_list, "SELECT " CLIENT_JSON ", k.created_at, k.id FROM clients k"
		 " WHERE ($1::timestamptz IS NULL OR (k.created_at, k.id) > ($1::timestamptz, $2::uuid))"
		 " ORDER BY k.created_at, k.id LIMIT $3::int + 1");

bool db_client_insert(struct err *e, struct arena *a, const char *client_id, const char *secret_hash,
		      const char *name, const char *agency_id, const char *created_by, const char *write_scope,
		      struct db_client *out)
{
	const char *p[] = {client_id, secret_hash, name, agency_id, created_by, write_scope};
	const char *c[6];
	bool found;
	if (!db_one(e, a, &st_insert, 6, p, 6, c, &found))
		return false;
	fill(out, c);
	return true;
}

bool db_client_by_client_id(struct err *e, struct arena *a, const char *client_id, struct db_client *out, bool *found)
{
	const char *c[6];
	if (!db_one(e, a, &st_by_client_id, 1, &client_id, 6, c, found))
		return false;
	if (*found)
		fill(out, c);
	return true;
}

bool db_client_revoke(struct err *e, struct arena *a, const char *id, struct db_client *out, bool *found)
{
	const char *c[6];
	if (!db_one(e, a, &st_revoke, 1, &id, 6, c, found))
		return false;
	if (*found)
		fill(out, c);
	return true;
}

bool db_client_list(struct err *e, struct arena *a, const char *after_created, const char *after_id, int limit,
		    struct db_page *page)
{
	char lim[16];
	snprintf(lim, sizeof lim, "%d", limit);
	const char *p[] = {after_created, after_id, lim};
	return db_page(e, a, &st_list, 3, p, limit, 2, page);
}

bool db_client_set_scope(struct err *e, struct arena *a, const char *id, const char *write_scope,
			 struct db_client *out, bool *found)
{
	const char *p[] = {id, write_scope};
	const char *c[6];
	if (!db_one(e, a, &st_set_scope, 2, p, 6, c, found))
		return false;
	if (*found)
		fill(out, c);
	return true;
}

bool db_client_scope(struct err *e, struct arena *a, const char *id, const char **write_scope)
{
	const char *c[1];
	bool found;
	if (!db_one(e, a, &st_scope, 1, &id, 1, c, &found))
		return false;
	*write_scope = found ? c[0] : NULL;
	return true;
}
