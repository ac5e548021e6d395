/* users.c — see users.h. */
#include "db/users.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USER_JSON                                                                                          \
	"json_build_object('id', u.id, 'username', u.username, 'full_name', u.full_name, 'nip', u.nip,"    \
	" 'position', u.position,"                                                                           \
	" 'role', u.role, 'agency_id', u.agency_id, 'is_signatory', u.is_signatory, 'active', u.active,"   \
	" 'must_change_password', u.must_change_password, 'created_at', u.created_at,"                      \
	" 'updated_at', u.updated_at)"

#define USER_COLS \
	"u.id, u.username, u.role, u.agency_id, u.password_hash, u.active, u.must_change_password, " USER_JSON \
	", u.is_signatory, ceil(extract(epoch FROM u.tokens_valid_after))::bigint"
#define USER_NCOLS 10

static void fill(struct db_user *out, const char **c)
{
	out->id = c[0];
	out->username = c[1];
	out->role = c[2];
	out->agency_id = c[3];
	out->password_hash = c[4];
	out->active = c[5] && c[5][0] == 't';
	out->must_change_password = c[6] && c[6][0] == 't';
	out->json = c[7];
	out->is_signatory = c[8] && c[8][0] == 't';
	out->valid_after = c[9] ? atol(c[9]) : 0;
}

DB_STMT(st_insert,
	"INSERT INTO users AS u (username, full_name, nip, role, agency_id, is_signatory, password_hash,"
	"                        must_change_password, position)"
	" VALUES ($1, $2, $3, $4, $5::uuid, coalesce($6::bool, false), $7, coalesce($8::bool, false), $9)"
	" RETURNING " USER_COLS);

bool db_user_insert(struct err *e, struct arena *a, const struct db_user_change *u, struct db_user *out)
{
	const char *p[] = {u->username, u->full_name, u->nip, u->role, u->agency_id, u->is_signatory,
			   u->password_hash, u->must_change_password, u->position};
	const char *c[USER_NCOLS];
	bool found;
	if (!db_one(e, a, &st_insert, 9, p, USER_NCOLS, c, &found))
		return false;
	fill(out, c);
	return true;
}

DB_STMT(st_get, "SELECT " USER_COLS " FROM users u WHERE u.id = $1::uuid");
DB_STMT(st_get_lock, "SELECT " USER_COLS " FROM users u WHERE u.id = $1::uuid FOR UPDATE");
DB_STMT(st_by_name, "SELECT " USER_COLS " FROM users u WHERE u.username = $1");

bool db_user_get(struct err *e, struct arena *a, const char *id, bool lock, struct db_user *out, bool *found)
{
	const char *c[USER_NCOLS];
	if (!db_one(e, a, lock ? &st_get_lock : &st_get, 1, &id, USER_NCOLS, c, found))
		return false;
	if (*found)
		fill(out, c);
	return true;
}

bool db_user_by_username(struct err *e, struct arena *a, const char *username, struct db_user *out, bool *found)
{
	const char *c[USER_NCOLS];
	if (!db_one(e, a, &st_by_name, 1, &username, USER_NCOLS, c, found))
		return false;
	if (*found)
		fill(out, c);
	return true;
}

DB_STMT(st_update,
	"UPDATE users AS u SET"
	"  full_name = coalesce($2, u.full_name),"
	"  nip = CASE WHEN $3::bool THEN $4 ELSE u.nip END,"
	"  role = coalesce($5, u.role),"
	"  agency_id = CASE WHEN $6::bool THEN $7::uuid ELSE u.agency_id END,"
	"  is_signatory = coalesce($8::bool, u.is_signatory),"
	"  active = coalesce($9::bool, u.active),"
	"  password_hash = coalesce($10, u.password_hash),"
	"  must_change_password = coalesce($11::bool, u.must_change_password),"
	"  position = CASE WHEN $13::bool THEN $14 ELSE u.position END,"
	"  tokens_valid_after = CASE WHEN $12::bool"
	"      OR coalesce($5, u.role) <> u.role"
	"      OR (CASE WHEN $6::bool THEN $7::uuid ELSE u.agency_id END) IS DISTINCT FROM u.agency_id"
	"      OR coalesce($9::bool, u.active) <> u.active"
	"    THEN now() ELSE u.tokens_valid_after END,"
	"  updated_at = now()"
	" WHERE u.id = $1::uuid"
	" RETURNING " USER_COLS ", u.tokens_valid_after = now()");

DB_STMT(st_revoke_user_sessions,
	"UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1::uuid AND revoked_at IS NULL");

bool db_user_update(struct err *e, struct arena *a, const char *id, const struct db_user_change *u,
		    bool revoke_sessions, struct db_user *out)
{
	const char *p[] = {id,
			   u->full_name,
			   u->set_nip ? "true" : "false",
			   u->nip,
			   u->role,
			   u->set_agency ? "true" : "false",
			   u->agency_id,
			   u->is_signatory,
			   u->active,
			   u->password_hash,
			   u->must_change_password,
			   revoke_sessions ? "true" : "false",
			   u->set_position ? "true" : "false",
			   u->position};
	const char *c[USER_NCOLS + 1];
	bool found;
	if (!db_one(e, a, &st_update, 14, p, USER_NCOLS + 1, c, &found))
		return false;
	if (!found)
		return err_set(e, ERR_NOT_FOUND, "user.not_found", "No such user.");
	fill(out, c);
	if (c[USER_NCOLS] && c[USER_NCOLS][0] == 't')
		return db_exec(e, &st_revoke_user_sessions, 1, &id, NULL);
	return true;
}

DB_STMT_ADHOC(st_list,
	"SELECT " USER_JSON ", u.username FROM users u"
	" WHERE ($1::text IS NULL OR u.role = $1)"
	"   AND ($2::uuid IS NULL OR u.agency_id = $2::uuid)"
	"   AND ($3::bool IS NULL OR u.active = $3::bool)"
	"   AND ($4::text IS NULL OR u.username ILIKE $4 ESCAPE '\\' OR u.full_name ILIKE $4 ESCAPE '\\')"
	"   AND ($5::text IS NULL OR u.username > $5)"
	" ORDER BY u.username LIMIT $6::int + 1");

bool db_user_list(struct err *e, struct arena *a, const char *role, const char *agency_id, const char *active,
		  const char *q, const char *after, int limit, struct db_page *page)
{
	char lim[16];
	snprintf(lim, sizeof lim, "%d", limit);
	const char *pattern = db_like_contains(a, q);
	const char *p[] = {role, agency_id, active, pattern, after, lim};
	return db_page(e, a, &st_list, 6, p, limit, 1, page);
}

/* ---- refresh tokens ------------------------------------------------------ */

DB_STMT(st_session_create,
	"INSERT INTO refresh_tokens (family_id, user_id, token_hash, expires_at)"
	" VALUES ($1::uuid, $2::uuid, $3::bytea, now() + make_interval(secs => $4::int))");

bool db_session_create(struct err *e, const char *user_id, const char *family_id, const char *hash, int ttl_seconds)
{
	char ttl[16];
	snprintf(ttl, sizeof ttl, "%d", ttl_seconds);
	const char *p[] = {family_id, user_id, hash, ttl};
	return db_exec(e, &st_session_create, 4, p, NULL);
}

DB_STMT(st_session_find,
	"SELECT id, family_id, user_id, rotated_at IS NOT NULL, revoked_at IS NOT NULL, expires_at <= now()"
	"  FROM refresh_tokens WHERE token_hash = $1::bytea FOR UPDATE");

bool db_session_find(struct err *e, struct arena *a, const char *hash, struct db_session *out, bool *found)
{
	const char *c[6];
	if (!db_one(e, a, &st_session_find, 1, &hash, 6, c, found))
		return false;
	if (*found) {
		out->id = c[0];
		out->family_id = c[1];
		out->user_id = c[2];
		out->rotated = c[3][0] == 't';
		out->revoked = c[4][0] == 't';
		out->expired = c[5][0] == 't';
	}
	return true;
}

DB_STMT(st_session_rotate, "UPDATE refresh_tokens SET rotated_at = now() WHERE id = $1::uuid");
DB_STMT(st_session_revoke_family,
	"UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1::uuid AND revoked_at IS NULL");

bool db_session_rotate(struct err *e, const char *id)
{
	return db_exec(e, &st_session_rotate, 1, &id, NULL);
}

bool db_session_revoke_family(struct err *e, const char *family_id)
{
	return db_exec(e, &st_session_revoke_family, 1, &family_id, NULL);
}

/* ---- login throttle ------------------------------------------------------ */

DB_STMT(st_throttle_check,
	"SELECT coalesce(ceil(extract(epoch FROM max(blocked_until) - now())), 0)::int"
	"  FROM login_throttle WHERE key IN ($1, $2) AND blocked_until > now()");

bool db_throttle_check(struct err *e, const char *key1, const char *key2, int *retry_after)
{
	const char *p[] = {key1, key2};
	PGresult *r;
	if (!db_exec(e, &st_throttle_check, 2, p, &r))
		return false;
	*retry_after = PQntuples(r) ? atoi(PQgetvalue(r, 0, 0)) : 0;
	PQclear(r);
	return true;
}

/* Failures older than 15 minutes are forgotten; from max_failures on, each
 * failure blocks for 2^(failures - max) seconds, at most 15 minutes. */
DB_STMT(st_throttle_fail,
	"INSERT INTO login_throttle AS t (key, failures, last_failure)"
	" VALUES ($1, 1, now())"
	" ON CONFLICT (key) DO UPDATE SET"
	"   failures = CASE WHEN t.last_failure < now() - interval '15 minutes' THEN 1 ELSE t.failures + 1 END,"
	"   last_failure = now()"
	" RETURNING failures");
DB_STMT(st_throttle_block,
	"UPDATE login_throttle SET blocked_until = now() + make_interval(secs => $2::int) WHERE key = $1");

bool db_throttle_fail(struct err *e, const char *key, int max_failures, int *blocked_for)
{
	PGresult *r;
	if (!db_exec(e, &st_throttle_fail, 1, &key, &r))
		return false;
	int failures = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	*blocked_for = 0;
	if (failures < max_failures)
		return true;
	int over = failures - max_failures;
	*blocked_for = over >= 10 ? 900 : 1 << over;
	if (*blocked_for > 900)
		*blocked_for = 900;
	char secs[16];
	snprintf(secs, sizeof secs, "%d", *blocked_for);
	const char *p[] = {key, secs};
	return db_exec(e, &st_throttle_block, 2, p, NULL);
}

DB_STMT(st_throttle_reset, "DELETE FROM login_throttle WHERE key = $1");

bool db_throttle_reset(struct err *e, const char *key)
{
	const char *p[] = {key};
	return db_exec(e, &st_throttle_reset, 1, p, NULL);
}
