/* dispositions.c — see dispositions.h. Recipients are passed as a PostgreSQL
 * array literal built from validated UUIDs. */
#include "db/dispositions.h"

#include <string.h>

#include "db/people.h"

#define DISPOSITION_JSON                                                                                   \
	"json_build_object('id', d.id, 'request_id', d.request_id, 'parent_id', d.parent_id,"                \
	" 'from_user_id', d.from_user_id, 'from_user', " DB_PERSON("d.from_user_id") ","                          \
	" 'instruction_kind', d.instruction_kind,"                            \
	" 'instruction', d.instruction, 'created_at', d.created_at, 'withdrawn_at', d.withdrawn_at,"          \
	" 'delegation_id', d.delegation_id, 'acting_for', (SELECT json_build_object('position', g.position,"  \
	"   'user_id', g.principal_id, 'user', " DB_PERSON("g.principal_id") ", 'agency_id', g.agency_id,"        \
	"   'kind', g.kind) FROM delegations g"          \
	"   WHERE g.id = d.delegation_id),"                                                                 \
	" 'to_user_ids', (SELECT coalesce(json_agg(x.user_id ORDER BY x.user_id), '[]')"                       \
	"                   FROM disposition_recipients x WHERE x.disposition_id = d.id),"                    \
	" 'to_users', (SELECT coalesce(json_agg(json_build_object('id', u.id, 'full_name', u.full_name,"        \
	"                   'role', u.role) ORDER BY x.user_id), '[]') FROM disposition_recipients x"          \
	"                   JOIN users u ON u.id = x.user_id WHERE x.disposition_id = d.id),"                  \
	" 'recipients', (SELECT coalesce(json_agg(json_build_object('user_id', x.user_id, 'read_at', x.read_at," \
	"                   'user', " DB_PERSON("x.user_id") ")" \
	"                   ORDER BY x.user_id), '[]') FROM disposition_recipients x WHERE x.disposition_id = d.id)," \
	" 'read_at', (SELECT min(x.read_at) FROM disposition_recipients x WHERE x.disposition_id = d.id))"
#define DISPOSITION_COLS                                                                                  \
	"d.id, d.request_id, d.parent_id, d.from_user_id, d.withdrawn_at IS NOT NULL,"                       \
	" EXISTS (SELECT 1 FROM disposition_recipients x WHERE x.disposition_id = d.id AND x.read_at IS NOT NULL)," \
	" EXISTS (SELECT 1 FROM dispositions k WHERE k.parent_id = d.id AND k.withdrawn_at IS NULL), " DISPOSITION_JSON
#define NCOLS 8

/* "{uuid,uuid}" from validated ids. */
static const char *uuid_array(struct arena *a, const char *const *ids, int n)
{
	char *s = arena_alloc(a, (size_t)n * 37 + 3), *w = s;
	*w++ = '{';
	for (int i = 0; i < n; i++) {
		if (i)
			*w++ = ',';
		memcpy(w, ids[i], strlen(ids[i]));
		w += strlen(ids[i]);
	}
	*w++ = '}';
	*w = '\0';
	return s;
}

static void fill(struct db_disposition *out, const char **c)
{
	out->id = c[0];
	out->request_id = c[1];
	out->parent_id = c[2];
	out->from_user_id = c[3];
	out->withdrawn = c[4][0] == 't';
	out->any_read = c[5][0] == 't';
	out->has_children = c[6][0] == 't';
	out->json = c[7];
}

DB_STMT(st_insert,
	"WITH d AS (INSERT INTO dispositions (request_id, parent_id, from_user_id, instruction_kind, instruction,"
	"                                     delegation_id)"
	"           VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $7::uuid) RETURNING id),"
	"     r AS (INSERT INTO disposition_recipients (disposition_id, user_id)"
	"           SELECT d.id, u FROM d, unnest($6::uuid[]) AS u)"
	" SELECT id FROM d");
DB_STMT(st_get, "SELECT " DISPOSITION_COLS " FROM dispositions d WHERE d.id = $1::uuid");
DB_STMT(st_get_lock, "SELECT " DISPOSITION_COLS " FROM dispositions d WHERE d.id = $1::uuid FOR UPDATE");

bool db_disposition_get(struct err *e, struct arena *a, const char *id, bool lock, struct db_disposition *out,
			bool *found)
{
	const char *c[NCOLS];
	if (!db_one(e, a, lock ? &st_get_lock : &st_get, 1, &id, NCOLS, c, found))
		return false;
	if (*found)
		fill(out, c);
	return true;
}

bool db_disposition_insert(struct err *e, struct arena *a, const char *request_id, const char *parent_id,
			   const char *from_user_id, const char *kind, const char *instruction,
			   const char *const *to_user_ids, int nto, const char *delegation_id, struct db_disposition *out)
{
	const char *p[] = {request_id, parent_id,  from_user_id, kind, instruction, uuid_array(a, to_user_ids, nto),
			   delegation_id};
	const char *id;
	bool found;
	if (!db_one(e, a, &st_insert, 7, p, 1, &id, &found))
		return false;
	/* read back in a second statement: the CTE's rows are not visible to itself */
	return db_disposition_get(e, a, id, false, out, &found);
}

DB_STMT(st_mark_read,
	"WITH me AS (SELECT read_at FROM disposition_recipients"
	"            WHERE disposition_id = $1::uuid AND user_id = $2::uuid FOR UPDATE),"
	" u AS (UPDATE disposition_recipients SET read_at = now()"
	"       WHERE disposition_id = $1::uuid AND user_id = $2::uuid AND read_at IS NULL RETURNING 1)"
	" SELECT (SELECT count(*) FROM me), (SELECT count(*) FROM u)");

bool db_disposition_mark_read(struct err *e, const char *id, const char *user_id, bool *was_recipient, bool *first)
{
	const char *p[] = {id, user_id};
	PGresult *r;
	if (!db_exec(e, &st_mark_read, 2, p, &r))
		return false;
	*was_recipient = PQgetvalue(r, 0, 0)[0] != '0';
	*first = PQgetvalue(r, 0, 1)[0] != '0';
	PQclear(r);
	return true;
}

DB_STMT(st_withdraw, "UPDATE dispositions SET withdrawn_at = now() WHERE id = $1::uuid");

bool db_disposition_withdraw(struct err *e, const char *id)
{
	return db_exec(e, &st_withdraw, 1, &id, NULL);
}

DB_STMT(st_list, "SELECT coalesce(json_agg(" DISPOSITION_JSON " ORDER BY d.created_at, d.id), '[]')"
		 " FROM dispositions d WHERE d.request_id = $1::uuid");

bool db_disposition_list(struct err *e, struct arena *a, const char *request_id, const char **json)
{
	bool found;
	return db_one(e, a, &st_list, 1, &request_id, 1, json, &found);
}

DB_STMT(st_is_recipient,
	"SELECT EXISTS (SELECT 1 FROM disposition_recipients x JOIN dispositions d ON d.id = x.disposition_id"
	" WHERE x.disposition_id = $1::uuid AND x.user_id = $2::uuid AND d.withdrawn_at IS NULL)");

bool db_disposition_is_recipient(struct err *e, const char *id, const char *user_id, bool *yes)
{
	const char *p[] = {id, user_id};
	PGresult *r;
	if (!db_exec(e, &st_is_recipient, 2, p, &r))
		return false;
	*yes = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return true;
}

DB_STMT(st_roles,
	"SELECT u.id::text, u.role FROM users u WHERE u.id = ANY($1::uuid[]) AND u.active");

bool db_users_roles(struct err *e, struct arena *a, const char *const *ids, int n, const char **roles)
{
	const char *arr = uuid_array(a, ids, n);
	PGresult *r;
	if (!db_exec(e, &st_roles, 1, &arr, &r))
		return false;
	for (int i = 0; i < n; i++) {
		roles[i] = NULL;
		for (int k = 0; k < PQntuples(r); k++)
			if (strcmp(PQgetvalue(r, k, 0), ids[i]) == 0)
				roles[i] = arena_strdup(a, PQgetvalue(r, k, 1));
	}
	PQclear(r);
	return true;
}
