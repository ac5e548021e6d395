/* discussions.c — see discussions.h. */
#include "db/discussions.h"

#include "db/people.h"

#include <stdlib.h>

/* The attendees as stored; one named by user_id also carries the person. */
#define ATTENDEES_JSON                                                                                       \
	"(SELECT coalesce(json_agg(CASE WHEN a.v ? 'user_id' THEN (a.v || jsonb_build_object('user', "          \
	DB_PERSON("(a.v ->> 'user_id')::uuid") "))::json ELSE a.v::json END ORDER BY a.o), '[]'::json)"           \
	" FROM jsonb_array_elements(d.attendees) WITH ORDINALITY a(v, o))"

#define DISCUSSION_JSON                                                                                      \
	"json_build_object('id', d.id, 'request_id', d.request_id, 'phase', d.phase, 'round', d.round,"      \
	" 'held_at', d.held_at, 'place', d.place, 'online_link', d.online_link, 'attendees', " ATTENDEES_JSON ","   \
	" 'minutes', d.minutes, 'decisions', d.decisions, 'checklist', d.checklist,"                          \
	" 'follow_ups', d.follow_ups, 'output_document_id', d.output_document_id, 'scope', d.scope,"          \
	" 'milestones', d.milestones, 'version', d.version, 'created_by', d.created_by,"                      \
	" 'created_by_user', " DB_PERSON("d.created_by") "," \
	" 'created_at', d.created_at, 'updated_at', d.updated_at)"
#define DISCUSSION_COLS                                                                                  \
	"d.id, d.request_id, r.agency_id, d.phase, d.scope::text, d.milestones::text, d.version, d.round, " \
	DISCUSSION_JSON
#define NCOLS 9

static void fill(struct db_discussion *out, const char **c)
{
	out->id = c[0];
	out->request_id = c[1];
	out->agency_id = c[2];
	out->phase = c[3];
	out->scope = c[4];
	out->milestones = c[5];
	out->version = atoi(c[6]);
	out->round = atoi(c[7]);
	out->json = c[8];
}

static bool one(struct err *e, struct arena *a, struct db_stmt *st, int n, const char *const *p,
		struct db_discussion *out, bool *found)
{
	const char *c[NCOLS];
	bool dummy;
	if (!found)
		found = &dummy;
	if (!db_one(e, a, st, n, p, NCOLS, c, found))
		return false;
	if (*found)
		fill(out, c);
	return true;
}

DB_STMT(st_insert,
	"WITH d AS (INSERT INTO discussions (request_id, phase, round, held_at, place, online_link, attendees,"
	"             minutes, decisions, checklist, follow_ups, output_document_id, scope, milestones, created_by)"
	"   VALUES ($1::uuid, $2,"
	"           (SELECT coalesce(max(round), 0) + 1 FROM discussions WHERE request_id = $1::uuid AND phase = $2),"
	"           $3::timestamptz, $4, $5, $6::jsonb, coalesce($7, ''), coalesce($8, ''), $9::jsonb,"
	"           coalesce($10::jsonb, '[]'), $11::uuid, $12::jsonb, $13::jsonb, $14::uuid) RETURNING *)"
	" SELECT " DISCUSSION_COLS " FROM d JOIN requests r ON r.id = d.request_id");

bool db_discussion_insert(struct err *e, struct arena *a, const char *request_id, const char *phase,
			  const struct db_discussion_fields *f, const char *actor, struct db_discussion *out)
{
	const char *p[] = {request_id,  phase,      f->held_at,    f->place,      f->online_link,
			   f->attendees, f->minutes, f->decisions,  f->checklist,  f->follow_ups,
			   f->output_document_id, f->scope, f->milestones, actor};
	return one(e, a, &st_insert, 14, p, out, NULL);
}

DB_STMT(st_get, "SELECT " DISCUSSION_COLS " FROM discussions d JOIN requests r ON r.id = d.request_id"
		" WHERE d.id = $1::uuid");
DB_STMT(st_get_lock, "SELECT " DISCUSSION_COLS " FROM discussions d JOIN requests r ON r.id = d.request_id"
		     " WHERE d.id = $1::uuid FOR UPDATE OF d");
DB_STMT(st_latest, "SELECT " DISCUSSION_COLS " FROM discussions d JOIN requests r ON r.id = d.request_id"
		   " WHERE d.request_id = $1::uuid AND d.phase = $2 ORDER BY d.round DESC LIMIT 1");

bool db_discussion_get(struct err *e, struct arena *a, const char *id, bool lock, struct db_discussion *out,
		       bool *found)
{
	return one(e, a, lock ? &st_get_lock : &st_get, 1, &id, out, found);
}

bool db_discussion_latest(struct err *e, struct arena *a, const char *request_id, const char *phase,
			  struct db_discussion *out, bool *found)
{
	const char *p[] = {request_id, phase};
	return one(e, a, &st_latest, 2, p, out, found);
}

DB_STMT(st_update,
	"WITH d AS (UPDATE discussions AS d SET held_at = coalesce($2::timestamptz, d.held_at),"
	"   place = CASE WHEN $3::bool THEN $4 ELSE d.place END,"
	"   online_link = CASE WHEN $5::bool THEN $6 ELSE d.online_link END,"
	"   attendees = coalesce($7::jsonb, d.attendees), minutes = coalesce($8, d.minutes),"
	"   decisions = coalesce($9, d.decisions), follow_ups = coalesce($10::jsonb, d.follow_ups),"
	"   output_document_id = CASE WHEN $11::bool THEN $12::uuid ELSE d.output_document_id END,"
	"   version = d.version + 1, updated_at = now()"
	" WHERE d.id = $1::uuid RETURNING *)"
	" SELECT " DISCUSSION_COLS " FROM d JOIN requests r ON r.id = d.request_id");

bool db_discussion_update(struct err *e, struct arena *a, const char *id, const struct db_discussion_fields *f,
			  struct db_discussion *out)
{
	const char *p[] = {id,
			   f->held_at,
			   f->set_place ? "true" : "false",
			   f->place,
			   f->set_online_link ? "true" : "false",
			   f->online_link,
			   f->attendees,
			   f->minutes,
			   f->decisions,
			   f->follow_ups,
			   f->set_output ? "true" : "false",
			   f->output_document_id};
	return one(e, a, &st_update, 12, p, out, NULL);
}

DB_STMT(st_list, "SELECT coalesce(json_agg(" DISCUSSION_JSON " ORDER BY d.created_at, d.id), '[]')"
		 " FROM discussions d WHERE d.request_id = $1::uuid");

bool db_discussion_list(struct err *e, struct arena *a, const char *request_id, const char **json)
{
	bool found;
	return db_one(e, a, &st_list, 1, &request_id, 1, json, &found);
}

DB_STMT(st_doc_type, "SELECT type FROM documents WHERE id = $2::uuid AND request_id = $1::uuid");

bool db_document_type_of(struct err *e, struct arena *a, const char *request_id, const char *doc_id,
			 const char **type)
{
	const char *p[] = {request_id, doc_id};
	bool found;
	*type = NULL;
	return db_one(e, a, &st_doc_type, 2, p, 1, type, &found);
}

#define COMPLETION_JSON                                                                              \
	"json_build_object('id', k.id, 'request_id', k.request_id, 'discussion_id', k.discussion_id,"   \
	" 'notes', k.notes, 'item_documents', k.item_documents, 'document_ids', to_json(k.document_ids),"  \
	" 'submitted_by', k.submitted_by,"                                                              \
	" 'submitted_by_user', " DB_PERSON("k.submitted_by") ","   \
	" 'created_at', k.created_at)"

DB_STMT(st_completion_insert,
	"INSERT INTO completions AS k (request_id, discussion_id, notes, document_ids, submitted_by, item_documents)"
	" VALUES ($1::uuid, $2::uuid, $3::jsonb, $4::uuid[], $5::uuid, $6::jsonb) RETURNING " COMPLETION_JSON);
DB_STMT(st_completion_list, "SELECT coalesce(json_agg(" COMPLETION_JSON " ORDER BY k.created_at, k.id), '[]')"
			    " FROM completions k WHERE k.request_id = $1::uuid");

bool db_completion_insert(struct err *e, struct arena *a, const char *request_id, const char *discussion_id,
			  const char *notes, const char *document_ids, const char *item_documents, const char *actor,
			  const char **json)
{
	const char *p[] = {request_id, discussion_id, notes, document_ids, actor, item_documents};
	bool found;
	return db_one(e, a, &st_completion_insert, 6, p, 1, json, &found);
}

DB_STMT(st_docs_not_of,
	"SELECT coalesce(string_agg(x::text, ',' ORDER BY x), '') FROM unnest($2::uuid[]) x"
	" WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = x AND d.request_id = $1::uuid)");

bool db_documents_not_of(struct err *e, struct arena *a, const char *request_id, const char *ids, const char **missing)
{
	const char *p[] = {request_id, ids};
	bool found;
	return db_one(e, a, &st_docs_not_of, 2, p, 1, missing, &found);
}

bool db_completion_list(struct err *e, struct arena *a, const char *request_id, const char **json)
{
	bool found;
	return db_one(e, a, &st_completion_list, 1, &request_id, 1, json, &found);
}
