/* accounts.c — the snapshot query (see accounts.h). Sorted in C, not SQL:
 * a collation could order '-' differently from strcmp, and the reader
 * bsearches with strcmp. */
#include "db/accounts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/validate.h"
#include "db/db.h"

#define ACCOUNTS_SQL(where_users, where_clients)                                                               \
	"SELECT id::text, role, coalesce(agency_id::text, ''), active,"                                          \
	"       ceil(extract(epoch FROM tokens_valid_after))::bigint"                                            \
	"  FROM users" where_users " UNION ALL "                                                                 \
	"SELECT id::text, 'integration', coalesce(agency_id::text, ''), revoked_at IS NULL,"                    \
	"       floor(extract(epoch FROM created_at))::bigint"                                                   \
	"  FROM clients" where_clients

DB_STMT(st_snapshot, ACCOUNTS_SQL("", ""));
DB_STMT(st_find, ACCOUNTS_SQL(" WHERE id = $1::uuid", " WHERE id = $1::uuid"));

static void fill(PGresult *r, int i, struct db_account *a)
{
	snprintf(a->id, sizeof a->id, "%s", PQgetvalue(r, i, 0));
	a->role = role_parse(PQgetvalue(r, i, 1));
	snprintf(a->agency_id, sizeof a->agency_id, "%s", PQgetvalue(r, i, 2));
	a->active = PQgetvalue(r, i, 3)[0] == 't';
	a->valid_after = strtol(PQgetvalue(r, i, 4), NULL, 10);
}

static int by_id(const void *a, const void *b)
{
	return strcmp(((const struct db_account *)a)->id, ((const struct db_account *)b)->id);
}

bool db_account_snapshot(struct err *e, struct db_account **items, size_t *n)
{
	PGresult *r;
	if (!db_exec(e, &st_snapshot, 0, NULL, &r))
		return false;
	size_t rows = (size_t)PQntuples(r);
	struct db_account *a = calloc(rows ? rows : 1, sizeof *a);
	if (!a)
		abort();
	for (size_t i = 0; i < rows; i++)
		fill(r, (int)i, &a[i]);
	PQclear(r);
	qsort(a, rows, sizeof *a, by_id);
	*items = a;
	*n = rows;
	return true;
}

bool db_account_find(struct err *e, const char *id, struct db_account *out, bool *found)
{
	*found = false;
	if (!val_is_uuid(id))
		return true;
	PGresult *r;
	const char *p[] = {id};
	if (!db_exec(e, &st_find, 1, p, &r))
		return false;
	*found = PQntuples(r) > 0;
	if (*found)
		fill(r, 0, out);
	PQclear(r);
	return true;
}
