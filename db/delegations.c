/* delegations.c — see delegations.h. */
#include "db/delegations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/people.h"

/* Today in zone tz (a parameter such as "$2" of the statement using it). */
#define TODAY(tz) "(now() AT TIME ZONE " tz ")::date"
#define DELEG_JSON(tz)                                                                                          \
	"json_build_object('id', g.id, 'kind', g.kind, 'position', g.position, 'agency_id', g.agency_id,"         \
	" 'principal_id', g.principal_id, 'principal', " DB_PERSON("g.principal_id") ","                          \
	" 'delegate_id', g.delegate_id, 'delegate', " DB_PERSON("g.delegate_id") ", 'acts', to_json(g.acts),"   \
	" 'starts_on', g.starts_on, 'ends_on', g.ends_on, 'letter_number', g.letter_number,"                     \
	" 'letter_date', g.letter_date,"                                                                         \
	" 'document', CASE WHEN g.document IS NULL THEN NULL ELSE json_build_object('filename', g.document_name," \
	"   'sha256', g.document_sha256, 'size', octet_length(g.document)) END,"                                  \
	" 'status', CASE WHEN g.revoked_at IS NOT NULL THEN 'revoked' WHEN " TODAY(tz) " < g.starts_on"           \
	"   THEN 'scheduled' WHEN " TODAY(tz) " <= g.ends_on THEN 'active' ELSE 'expired' END,"                   \
	" 'created_by', g.created_by, 'created_by_user', " DB_PERSON("g.created_by") ", 'created_at', g.created_at," \
	" 'revoked_at', g.revoked_at, 'revoked_by', g.revoked_by, 'revoked_by_user', " DB_PERSON("g.revoked_by") ","  \
	" 'revoke_reason', g.revoke_reason)"
#define DAY(col) "(" col " - date '1970-01-01')"
#define DELEG_COLS(tz)                                                                                         \
	"g.id, g.kind, g.position, g.agency_id, g.principal_id, g.delegate_id, g.created_by, g.acts::text, "     \
	DAY("g.starts_on") ", " DAY("g.ends_on") ", " DAY(TODAY(tz)) ", g.revoked_at IS NOT NULL, " DELEG_JSON(tz)
#define NCOLS 13

static void fill(struct db_delegation *out, const char **c)
{
	*out = (struct db_delegation){
		.id = c[0], .kind = c[1], .position = c[2], .agency_id = c[3], .principal_id = c[4],
		.delegate_id = c[5], .created_by = c[6], .acts = c[7], .starts_day = atoi(c[8]),
		.ends_day = atoi(c[9]), .today = atoi(c[10]), .revoked = c[11][0] == 't', .json = c[12],
	};
}

/* The event's data: what an integrator needs without a second call. */
#define EVENT_DATA(actor, role)                                                                               \
	"jsonb_build_object('delegation_id', g.id, 'kind', g.kind, 'position', g.position, 'agency_id', g.agency_id," \
	" 'principal_id', g.principal_id, 'delegate_id', g.delegate_id, 'acts', to_jsonb(g.acts),"                \
	" 'starts_on', g.starts_on, 'ends_on', g.ends_on, 'letter_number', g.letter_number,"                       \
	" 'revoked_at', g.revoked_at, 'actor', jsonb_build_object('id', " actor "::uuid, 'role', " role "::text))"
/* The audit row's after: the row as stored, without the letter's bytes. */
#define AUDIT_AFTER "(to_jsonb(g) - 'document')"

DB_STMT(st_lock_position,
	"SELECT g.id, " DAY("g.starts_on") ", " DAY("g.ends_on") ", g.acts::text"
	" FROM (SELECT pg_advisory_xact_lock(hashtext('delegation:' || $1 || ':' || coalesce($2, '')))) l,"
	" delegations g WHERE g.position = $1 AND g.agency_id IS NOT DISTINCT FROM $2::uuid AND g.revoked_at IS NULL"
	" ORDER BY g.starts_on");

bool db_delegations_of_position(struct err *e, struct arena *a, const char *position, const char *agency_id,
				struct db_rows *out)
{
	const char *p[] = {position, agency_id};
	return db_rows(e, a, &st_lock_position, 2, p, out);
}

DB_STMT(st_insert,
	"WITH g AS (INSERT INTO delegations (kind, position, agency_id, principal_id, delegate_id, acts, starts_on,"
	"   ends_on, letter_number, letter_date, document_name, document_sha256, document, created_by)"
	"   VALUES ($1, $2, $3::uuid, $4::uuid, $5::uuid, $6::text[], $7::date, $8::date, $9, $10::date, $11, $12,"
	"           $13::bytea, $14::uuid) RETURNING *),"
	" au AS (INSERT INTO audit_log (actor_id, actor_role, action, record_type, record_id, http_request_id, after)"
	"   SELECT $14::uuid, $15, 'delegation.create', 'delegation', g.id::text, $16, " AUDIT_AFTER " FROM g),"
	" ev AS (INSERT INTO events (type, agency_id, source, subject, data)"
	"   SELECT 'delegation.created', g.agency_id, '/api/v1/delegations', g.id::text, " EVENT_DATA("$14", "$15")
	"   FROM g)"
	" SELECT " DELEG_COLS("$17") " FROM g");

/* Copies the first row of r (consumed) into *out. */
static void read_one(struct arena *a, PGresult *r, struct db_delegation *out)
{
	const char *c[NCOLS];
	for (int i = 0; i < NCOLS; i++)
		c[i] = PQgetisnull(r, 0, i) ? NULL : arena_strdup(a, PQgetvalue(r, 0, i));
	PQclear(r);
	fill(out, c);
}

bool db_delegation_insert(struct err *e, struct arena *a, const struct db_delegation_new *n, const char *tz,
			  const struct db_actor *actor, struct db_delegation *out)
{
	const char *p[17] = {n->kind, n->position, n->agency_id, n->principal_id, n->delegate_id, n->acts,
			     n->starts_on, n->ends_on, n->letter_number, n->letter_date, n->document_name,
			     n->document_sha256, (const char *)n->document, actor->id, actor->role,
			     actor->http_request_id, tz};
	int lengths[17] = {0}, formats[17] = {0};
	lengths[12] = (int)n->document_len;
	formats[12] = 1;
	PGresult *r;
	if (!db_exec_bin(e, &st_insert, 17, p, lengths, formats, false, &r))
		return false;
	read_one(a, r, out);
	return true;
}

DB_STMT(st_get, "SELECT " DELEG_COLS("$2") " FROM delegations g WHERE g.id = $1::uuid");
DB_STMT(st_get_lock, "SELECT " DELEG_COLS("$2") " FROM delegations g WHERE g.id = $1::uuid FOR UPDATE");

bool db_delegation_get(struct err *e, struct arena *a, const char *id, const char *tz, bool lock,
		       struct db_delegation *out, bool *found)
{
	const char *p[] = {id, tz};
	const char *c[NCOLS];
	if (!db_one(e, a, lock ? &st_get_lock : &st_get, 2, p, NCOLS, c, found))
		return false;
	if (*found)
		fill(out, c);
	return true;
}

DB_STMT(st_revoke,
	"WITH g AS (UPDATE delegations SET revoked_at = now(), revoked_by = $3::uuid, revoke_reason = $2"
	"   WHERE id = $1::uuid AND revoked_at IS NULL RETURNING *),"
	" au AS (INSERT INTO audit_log (actor_id, actor_role, action, record_type, record_id, http_request_id, before,"
	"        after)"
	"   SELECT $3::uuid, $4, 'delegation.revoke', 'delegation', g.id::text, $5, '{\"revoked_at\": null}',"
	"     jsonb_build_object('revoked_at', g.revoked_at, 'revoked_by', g.revoked_by, 'revoke_reason', g.revoke_reason)"
	"   FROM g),"
	" ev AS (INSERT INTO events (type, agency_id, source, subject, data)"
	"   SELECT 'delegation.revoked', g.agency_id, '/api/v1/delegations', g.id::text, " EVENT_DATA("$3", "$4")
	"   FROM g)"
	" SELECT " DELEG_COLS("$6") " FROM g");

bool db_delegation_revoke(struct err *e, struct arena *a, const char *id, const char *reason, const char *tz,
			  const struct db_actor *actor, struct db_delegation *out)
{
	const char *p[] = {id, reason, actor->id, actor->role, actor->http_request_id, tz};
	const char *c[NCOLS];
	bool found;
	if (!db_one(e, a, &st_revoke, 6, p, NCOLS, c, &found))
		return false;
	if (!found)
		return err_set(e, ERR_CONFLICT, "delegation.revoked", "The delegation was revoked already.");
	fill(out, c);
	return true;
}

DB_STMT_ADHOC(st_list,
	"SELECT coalesce(json_agg(x.j ORDER BY x.created_at DESC, x.id), '[]') FROM"
	" (SELECT " DELEG_JSON("$1") " AS j, g.created_at, g.id FROM delegations g"
	"   WHERE ($2::uuid IS NULL OR $2::uuid IN (g.principal_id, g.delegate_id, g.created_by))"
	"     AND ($3::uuid IS NULL OR g.agency_id = $3::uuid)"
	"   ORDER BY g.created_at DESC, g.id LIMIT 500) x");

bool db_delegation_list(struct err *e, struct arena *a, const char *tz, const char *user_id, const char *agency_id,
			const char **json)
{
	const char *p[] = {tz, user_id, agency_id};
	bool found;
	return db_one(e, a, &st_list, 3, p, 1, json, &found);
}

DB_STMT(st_in_force,
	"SELECT g.id, g.position, g.agency_id, g.principal_id, g.acts::text, g.kind, " DB_PERSON("g.principal_id") "::text"
	" FROM delegations g"
	" WHERE g.delegate_id = $1::uuid AND g.revoked_at IS NULL"
	"   AND " TODAY("$2") " BETWEEN g.starts_on AND g.ends_on ORDER BY g.starts_on, g.id");

bool db_delegations_in_force(struct err *e, struct arena *a, const char *user_id, const char *tz,
			     struct db_rows *out)
{
	const char *p[] = {user_id, tz};
	return db_rows(e, a, &st_in_force, 2, p, out);
}

DB_STMT(st_holds,
	"SELECT EXISTS (SELECT 1 FROM users u WHERE u.id = $1::uuid AND u.active AND u.role = $2"
	"  AND (NOT $3::bool OR (u.is_signatory AND u.agency_id = $4::uuid)))");

bool db_user_holds(struct err *e, struct arena *a, const char *user_id, const char *role, bool kepala_pd,
		   const char *agency_id, bool *holds)
{
	const char *p[] = {user_id, role, kepala_pd ? "true" : "false", agency_id};
	const char *c[1];
	bool found;
	if (!db_one(e, a, &st_holds, 4, p, 1, c, &found))
		return false;
	*holds = found && c[0] && c[0][0] == 't';
	return true;
}
