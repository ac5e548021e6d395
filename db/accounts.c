/* accounts.c — the snapshot query (see accounts.h). Sorted in C, not SQL:
 * a collation could order '-' differently from strcmp, and the reader
 * bsearches with strcmp. */
#include "db/accounts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

DB_STMT(st_snapshot,
	"SELECT id::text, role, coalesce(agency_id::text, ''), active,"
	"       ceil(extract(epoch FROM tokens_valid_after))::bigint"
	"  FROM users"
	" UNION ALL "
	"SELECT id::text, 'integration', coalesce(agency_id::text, ''), revoked_at IS NULL,"
	"       floor(extract(epoch FROM created_at))::bigint"
	"  FROM clients");

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
	for (size_t i = 0; i < rows; i++) {
		snprintf(a[i].id, sizeof a[i].id, "%s", PQgetvalue(r, (int)i, 0));
		a[i].role = role_parse(PQgetvalue(r, (int)i, 1));
		snprintf(a[i].agency_id, sizeof a[i].agency_id, "%s", PQgetvalue(r, (int)i, 2));
		a[i].active = PQgetvalue(r, (int)i, 3)[0] == 't';
		a[i].valid_after = strtol(PQgetvalue(r, (int)i, 4), NULL, 10);
	}
	PQclear(r);
	qsort(a, rows, sizeof *a, by_id);
	*items = a;
	*n = rows;
	return true;
}
