/* requests.c — see requests.h. */
#include "db/requests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUEST_JSON DB_REQUEST_JSON("r")
#define REQUEST_COLS DB_REQUEST_COLS("r")
#define REQUEST_NCOLS DB_REQUEST_NCOLS

void db_request_fill(struct db_request *out, const char *const *c)
{
	out->id = c[0];
	out->state = c[1];
	out->agency_id = c[2];
	out->client_id = c[3];
	out->version = atoi(c[4]);
	out->current_step = atoi(c[5]);
	out->json = c[6];
}

/* Runs a statement returning REQUEST_COLS and fills out. */
static bool one(struct err *e, struct arena *a, struct db_stmt *st, int n, const char *const *p,
		struct db_request *out, bool *found)
{
	const char *c[REQUEST_NCOLS];
	bool dummy;
	if (!found)
		found = &dummy;
	if (!db_one(e, a, st, n, p, REQUEST_NCOLS, c, found))
		return false;
	if (*found)
		db_request_fill(out, c);
	return true;
}

DB_STMT(st_insert,
	"INSERT INTO requests AS r (kind, title, description, channel, letter_number, letter_date, eoffice_ref,"
	"                           agency_id, client_id, state, current_step, created_by, updated_by)"
	" VALUES ($1, $2, coalesce($3, ''), $4, $5, $6::date, $7, $8::uuid, $9::uuid, 'draft', 1, $10::uuid, $10::uuid)"
	" RETURNING " REQUEST_COLS);

bool db_request_insert(struct err *e, struct arena *a, const struct db_request_fields *f, const char *agency_id,
		       const char *client_id, const char *actor, struct db_request *out)
{
	const char *p[] = {f->kind,        f->title,     f->description, f->channel, f->letter_number,
			   f->letter_date, f->eoffice_ref, agency_id,     client_id,  actor};
	return one(e, a, &st_insert, 10, p, out, NULL);
}

DB_STMT(st_get, "SELECT " REQUEST_COLS " FROM requests r WHERE r.id = $1::uuid");
DB_STMT(st_get_lock, "SELECT " REQUEST_COLS " FROM requests r WHERE r.id = $1::uuid FOR UPDATE");

bool db_request_get(struct err *e, struct arena *a, const char *id, bool lock, struct db_request *out, bool *found)
{
	return one(e, a, lock ? &st_get_lock : &st_get, 1, &id, out, found);
}

DB_STMT(st_by_ref, "SELECT " REQUEST_COLS " FROM requests r WHERE r.client_id = $1::uuid AND r.eoffice_ref = $2");

bool db_request_by_eoffice_ref(struct err *e, struct arena *a, const char *client_id, const char *ref,
			       struct db_request *out, bool *found)
{
	const char *p[] = {client_id, ref};
	return one(e, a, &st_by_ref, 2, p, out, found);
}

DB_STMT(st_update_fields,
	"UPDATE requests AS r SET kind = coalesce($2, r.kind), title = coalesce($3, r.title),"
	" description = coalesce($4, r.description),"
	" letter_number = CASE WHEN $5::bool THEN $6 ELSE r.letter_number END,"
	" letter_date = CASE WHEN $7::bool THEN $8::date ELSE r.letter_date END,"
	" version = r.version + 1, updated_by = $9::uuid, updated_at = now()"
	" WHERE r.id = $1::uuid RETURNING " REQUEST_COLS);

bool db_request_update_fields(struct err *e, struct arena *a, const char *id, const struct db_request_fields *f,
			      const char *actor, struct db_request *out)
{
	const char *p[] = {id,
			   f->kind,
			   f->title,
			   f->description,
			   f->set_letter_number ? "true" : "false",
			   f->letter_number,
			   f->set_letter_date ? "true" : "false",
			   f->letter_date,
			   actor};
	return one(e, a, &st_update_fields, 9, p, out, NULL);
}

/* One statement serves every filter combination; each filter is either NULL
 * (ignored) or matched, and the planner picks the index of the one given. */
DB_STMT_ADHOC(st_list,
	"SELECT " REQUEST_JSON ", r.created_at, r.id FROM requests r"
	" WHERE ($1::text IS NULL OR r.status = $1)"
	"   AND ($2::text IS NULL OR r.phase = $2)"
	"   AND ($3::uuid IS NULL OR r.agency_id = $3::uuid)"
	"   AND ($4::int = 0 OR r.current_step = $4::int)"
	"   AND ($5::date IS NULL OR r.created_at >= ($5::date::timestamp AT TIME ZONE $11))"
	"   AND ($6::date IS NULL OR r.created_at < (($6::date + 1)::timestamp AT TIME ZONE $11))"
	"   AND ($7::text IS NULL OR (r.title || ' ' || coalesce(r.letter_number, '')) ILIKE $7 ESCAPE '\\')"
	"   AND ($8::timestamptz IS NULL OR (r.created_at, r.id) < ($8::timestamptz, $9::uuid))"
	"   AND (NOT $12::bool OR EXISTS (SELECT 1 FROM step_instances s WHERE s.request_id = r.id"
	"                                  AND s.completed_at IS NULL AND s.due_at <= now()))"
	"   AND ($13::text IS NULL OR r.eoffice_ref = $13)"
	"   AND ($14::timestamptz IS NULL OR r.updated_at >= $14::timestamptz)"
	"   AND ($15::uuid IS NULL OR r.client_id = $15::uuid)"
	" ORDER BY r.created_at DESC, r.id DESC LIMIT $10::int + 1");

bool db_request_list(struct err *e, struct arena *a, const struct db_request_filter *f, int limit,
		     struct db_page *page)
{
	char lim[16], step[8];
	snprintf(lim, sizeof lim, "%d", limit);
	snprintf(step, sizeof step, "%d", f->step);
	const char *pattern = db_like_contains(a, f->q);
	const char *p[] = {f->status, f->phase, f->agency_id, step, f->from, f->to, pattern,
			   f->after_created, f->after_id, lim, f->tz, f->overdue ? "true" : "false",
			   f->eoffice_ref, f->updated_since, f->client_id};
	return db_page(e, a, &st_list, 15, p, limit, 2, page);
}

DB_STMT(st_number_next,
	"INSERT INTO number_sequences AS n (name, year, last)"
	" VALUES ($1, extract(year FROM now() AT TIME ZONE $2)::int, 1)"
	" ON CONFLICT (name, year) DO UPDATE SET last = n.last + 1"
	" RETURNING last, year, extract(month FROM now() AT TIME ZONE $2)::int");

bool db_number_next(struct err *e, const char *name, const char *tz, int *seq, int *year, int *month)
{
	const char *p[] = {name, tz};
	PGresult *r;
	if (!db_exec(e, &st_number_next, 2, p, &r))
		return false;
	*seq = atoi(PQgetvalue(r, 0, 0));
	*year = atoi(PQgetvalue(r, 0, 1));
	*month = atoi(PQgetvalue(r, 0, 2));
	PQclear(r);
	return true;
}
