/* agreements.c — see agreements.h. */
#include "db/agreements.h"

#include <stdlib.h>
#include <string.h>

#include "db/people.h"

#define BA_JSON                                                                                              \
	"json_build_object('id', b.id, 'request_id', b.request_id, 'number', b.number, 'date', b.date,"       \
	" 'parties', b.parties, 'scope', b.scope, 'milestones', b.milestones, 'status', b.status,"            \
	" 'content_sha256', b.content_sha256, 'version', b.version, 'created_by', b.created_by,"              \
	" 'created_by_user', " DB_PERSON("b.created_by") ","              \
	" 'created_at', b.created_at, 'updated_at', b.updated_at, 'sent_at', b.sent_at, 'signed_at', b.signed_at," \
	" 'signed_document_id', (SELECT sd.id FROM documents sd WHERE sd.berita_acara_id = b.id)," \
	" 'signatures', (SELECT coalesce(json_agg(json_build_object('party', s.party, 'signer_id', s.signer_id," \
	"                  'signer', " DB_PERSON("s.signer_id") "," \
	"                  'signed_at', s.signed_at, 'content_sha256', s.content_sha256,"                        \
	"                  'delegation_id', s.delegation_id, 'acting_for', (SELECT json_build_object('position',"  \
	"                    g.position, 'user_id', g.principal_id, 'user', " DB_PERSON("g.principal_id") ","   \
	"                    'agency_id', g.agency_id, 'kind', g.kind)"                                          \
	"                    FROM delegations g WHERE g.id = s.delegation_id)) ORDER BY s.signed_at), '[]')" \
	"                FROM berita_acara_signatures s WHERE s.berita_acara_id = b.id))"
#define BA_COLS                                                                                            \
	"b.id, b.request_id, r.agency_id, b.status, b.number, b.date::text, b.parties::text, b.scope::text,"  \
	" b.milestones::text, b.content_sha256, b.version, " BA_JSON
#define NCOLS 12

static void fill(struct db_ba *out, const char **c)
{
	out->id = c[0];
	out->request_id = c[1];
	out->agency_id = c[2];
	out->status = c[3];
	out->number = c[4];
	out->date = c[5];
	out->parties = c[6];
	out->scope = c[7];
	out->milestones = c[8];
	out->content_sha256 = c[9];
	out->version = atoi(c[10]);
	out->json = c[11];
}

static bool one(struct err *e, struct arena *a, struct db_stmt *st, int n, const char *const *p, struct db_ba *out,
		bool *found)
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
	"WITH b AS (INSERT INTO berita_acara (request_id, number, date, parties, scope, milestones, created_by)"
	"   VALUES ($1::uuid, $2, (now() AT TIME ZONE $3)::date, $4::jsonb, $5::jsonb, $6::jsonb, $7::uuid)"
	"   RETURNING *)"
	" SELECT " BA_COLS " FROM b JOIN requests r ON r.id = b.request_id");
DB_STMT(st_get, "SELECT " BA_COLS " FROM berita_acara b JOIN requests r ON r.id = b.request_id WHERE b.id = $1::uuid");
DB_STMT(st_get_lock, "SELECT " BA_COLS " FROM berita_acara b JOIN requests r ON r.id = b.request_id"
		     " WHERE b.id = $1::uuid FOR UPDATE OF b");
DB_STMT(st_by_request, "SELECT " BA_COLS " FROM berita_acara b JOIN requests r ON r.id = b.request_id"
		       " WHERE b.request_id = $1::uuid");
DB_STMT(st_update,
	"WITH b AS (UPDATE berita_acara AS b SET date = coalesce($2::date, b.date),"
	"   scope = coalesce($3::jsonb, b.scope), milestones = coalesce($4::jsonb, b.milestones),"
	"   version = b.version + 1, updated_at = now() WHERE b.id = $1::uuid RETURNING *)"
	" SELECT " BA_COLS " FROM b JOIN requests r ON r.id = b.request_id");
DB_STMT(st_send,
	"WITH b AS (UPDATE berita_acara AS b SET status = 'awaiting_signatures', content_canonical = $2,"
	"   content_sha256 = $3, sent_at = now(), version = b.version + 1, updated_at = now()"
	"   WHERE b.id = $1::uuid RETURNING *)"
	" SELECT " BA_COLS " FROM b JOIN requests r ON r.id = b.request_id");
DB_STMT(st_signed,
	"WITH b AS (UPDATE berita_acara AS b SET status = 'signed', signed_at = now(), version = b.version + 1,"
	"   updated_at = now() WHERE b.id = $1::uuid RETURNING *)"
	" SELECT " BA_COLS " FROM b JOIN requests r ON r.id = b.request_id");

bool db_ba_insert(struct err *e, struct arena *a, const char *request_id, const char *number, const char *tz,
		  const char *parties, const char *scope, const char *milestones, const char *actor, struct db_ba *out)
{
	const char *p[] = {request_id, number, tz, parties, scope, milestones, actor};
	return one(e, a, &st_insert, 7, p, out, NULL);
}

bool db_ba_get(struct err *e, struct arena *a, const char *id, bool lock, struct db_ba *out, bool *found)
{
	return one(e, a, lock ? &st_get_lock : &st_get, 1, &id, out, found);
}

bool db_ba_by_request(struct err *e, struct arena *a, const char *request_id, struct db_ba *out, bool *found)
{
	return one(e, a, &st_by_request, 1, &request_id, out, found);
}

bool db_ba_update(struct err *e, struct arena *a, const char *id, const char *date, const char *scope,
		  const char *milestones, struct db_ba *out)
{
	const char *p[] = {id, date, scope, milestones};
	return one(e, a, &st_update, 4, p, out, NULL);
}

bool db_ba_send(struct err *e, struct arena *a, const char *id, const char *canonical, const char *sha256,
		struct db_ba *out)
{
	const char *p[] = {id, canonical, sha256};
	return one(e, a, &st_send, 3, p, out, NULL);
}

bool db_ba_mark_signed(struct err *e, struct arena *a, const char *id, struct db_ba *out)
{
	return one(e, a, &st_signed, 1, &id, out, NULL);
}

/* A signature bumps the version too, so the ETag follows every change. */
DB_STMT(st_sign,
	"WITH s AS (INSERT INTO berita_acara_signatures (berita_acara_id, party, signer_id, content_sha256,"
	"                                                delegation_id)"
	"   VALUES ($1::uuid, $2, $3::uuid, $4, $5::uuid) RETURNING 1),"
	" v AS (UPDATE berita_acara SET version = version + 1, updated_at = now() WHERE id = $1::uuid)"
	" SELECT 1 + (SELECT count(*) FROM berita_acara_signatures WHERE berita_acara_id = $1::uuid) FROM s");

bool db_ba_sign(struct err *e, const char *id, const char *party, const char *signer, const char *sha256,
		const char *delegation_id, int *count)
{
	const char *p[] = {id, party, signer, sha256, delegation_id};
	PGresult *r;
	if (!db_exec(e, &st_sign, 5, p, &r))
		return false;
	*count = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	return true;
}

DB_STMT(st_print,
	"SELECT q.title, g.name,"
	" (SELECT u.full_name FROM berita_acara_signatures s JOIN users u ON u.id = s.signer_id"
	"   WHERE s.berita_acara_id = $1::uuid AND s.party = 'kominfos'),"
	" (SELECT u.nip FROM berita_acara_signatures s JOIN users u ON u.id = s.signer_id"
	"   WHERE s.berita_acara_id = $1::uuid AND s.party = 'kominfos'),"
	" (SELECT to_char(s.signed_at AT TIME ZONE $3, 'YYYY-MM-DD HH24:MI:SS') FROM berita_acara_signatures s"
	"   WHERE s.berita_acara_id = $1::uuid AND s.party = 'kominfos'),"
	" (SELECT u.full_name FROM berita_acara_signatures s JOIN users u ON u.id = s.signer_id"
	"   WHERE s.berita_acara_id = $1::uuid AND s.party = 'perangkat_daerah'),"
	" (SELECT u.nip FROM berita_acara_signatures s JOIN users u ON u.id = s.signer_id"
	"   WHERE s.berita_acara_id = $1::uuid AND s.party = 'perangkat_daerah'),"
	" (SELECT to_char(s.signed_at AT TIME ZONE $3, 'YYYY-MM-DD HH24:MI:SS') FROM berita_acara_signatures s"
	"   WHERE s.berita_acara_id = $1::uuid AND s.party = 'perangkat_daerah'),"
	" q.kind,"
	" (SELECT d.kind FROM berita_acara_signatures s JOIN delegations d ON d.id = s.delegation_id"
	"   WHERE s.berita_acara_id = $1::uuid AND s.party = 'kominfos'),"
	" (SELECT d.kind FROM berita_acara_signatures s JOIN delegations d ON d.id = s.delegation_id"
	"   WHERE s.berita_acara_id = $1::uuid AND s.party = 'perangkat_daerah')"
	" FROM requests q JOIN agencies g ON g.id = q.agency_id WHERE q.id = $2::uuid");

bool db_ba_print_data(struct err *e, struct arena *a, const struct db_ba *ba, const char *tz, struct db_ba_print *out)
{
	const char *p[] = {ba->id, ba->request_id, tz};
	const char *c[11];
	bool found;
	if (!db_one(e, a, &st_print, 3, p, 11, c, &found))
		return false;
	if (!found)
		return err_set(e, ERR_NOT_FOUND, "berita_acara.not_found", "No such berita acara.");
	out->request_title = c[0];
	out->agency_name = c[1];
	out->kind = c[8];
	for (int i = 0; i < 2; i++) {
		out->name[i] = c[2 + 3 * i];
		out->nip[i] = c[3 + 3 * i];
		out->signed_at[i] = c[4 + 3 * i];
		out->acting_kind[i] = c[9 + i];
	}
	return true;
}

DB_STMT(st_signatories,
	"SELECT k.id, k.full_name, k.nip, p.id, p.full_name, p.nip, g.name"
	"  FROM agencies g"
	"  LEFT JOIN LATERAL (SELECT u.* FROM users u WHERE u.role = 'kepala_dinas' AND u.active"
	"                      ORDER BY u.id = (SELECT s.completed_by FROM step_instances s"
	"                                        WHERE s.request_id = $1::uuid AND s.step = 2) IS TRUE DESC,"
	"                               u.created_at LIMIT 1) k ON true"
	"  LEFT JOIN LATERAL (SELECT u.* FROM users u WHERE u.agency_id = g.id AND u.is_signatory AND u.active"
	"                      ORDER BY u.created_at LIMIT 1) p ON true"
	" WHERE g.id = $2::uuid");

bool db_ba_signatories(struct err *e, struct arena *a, const char *request_id, const char *agency_id,
		       struct db_signatory *kominfos, struct db_signatory *pd, const char **agency_name)
{
	const char *p[] = {request_id, agency_id};
	const char *c[7];
	bool found;
	if (!db_one(e, a, &st_signatories, 2, p, 7, c, &found))
		return false;
	if (!found)
		return err_set(e, ERR_NOT_FOUND, "request.not_found", "No such request.");
	*kominfos = (struct db_signatory){c[0], c[1], c[2]};
	*pd = (struct db_signatory){c[3], c[4], c[5]};
	*agency_name = c[6];
	return true;
}

#define ST_JSON                                                                                          \
	"json_build_object('id', t.id, 'request_id', t.request_id, 'number', t.number, 'date', t.date,"    \
	" 'issued_by', t.issued_by, 'issued_by_user', " DB_PERSON("t.issued_by") ", 'purpose', t.purpose,"  \
	" 'member_ids', to_json(t.member_ids), 'members', " DB_PEOPLE("t.member_ids") ","                 \
	" 'created_at', t.created_at, 'delegation_id', t.delegation_id, 'acting_for', (SELECT json_build_object("  \
	"   'position', g.position, 'user_id', g.principal_id, 'user', " DB_PERSON("g.principal_id") ","   \
	"   'kind', g.kind) FROM delegations g"                                                            \
	"   WHERE g.id = t.delegation_id))"

DB_STMT(st_st_insert,
	"INSERT INTO surat_tugas AS t (request_id, number, date, issued_by, purpose, member_ids, delegation_id)"
	" VALUES ($1::uuid, $2, (now() AT TIME ZONE $3)::date, $6::uuid, $4, $5::uuid[], $7::uuid)"
	" RETURNING t.id, " ST_JSON);
DB_STMT(st_st_get, "SELECT r.agency_id, " ST_JSON " FROM surat_tugas t JOIN requests r ON r.id = t.request_id"
		   " WHERE t.id = $1::uuid");
DB_STMT(st_st_list, "SELECT coalesce(json_agg(" ST_JSON " ORDER BY t.created_at), '[]') FROM surat_tugas t"
		    " WHERE t.request_id = $1::uuid");

bool db_st_insert(struct err *e, struct arena *a, const char *request_id, const char *number, const char *tz,
		  const char *purpose, const char *member_ids, const char *actor, const char *delegation_id,
		  const char **id, const char **json)
{
	const char *p[] = {request_id, number, tz, purpose, member_ids, actor, delegation_id};
	const char *c[2];
	bool found;
	if (!db_one(e, a, &st_st_insert, 7, p, 2, c, &found))
		return false;
	*id = c[0];
	*json = c[1];
	return true;
}

bool db_st_get(struct err *e, struct arena *a, const char *id, const char **agency_id, const char **json)
{
	const char *c[2];
	bool found;
	*json = NULL;
	if (!db_one(e, a, &st_st_get, 1, &id, 2, c, &found))
		return false;
	if (found) {
		*agency_id = c[0];
		*json = c[1];
	}
	return true;
}

bool db_st_list(struct err *e, struct arena *a, const char *request_id, const char **json)
{
	bool found;
	return db_one(e, a, &st_st_list, 1, &request_id, 1, json, &found);
}

/* Everything the Surat Tugas prints, in one statement: the letter, its
 * issuer and members (name, NIP, position, in the order given), the request
 * and the Berita Acara it follows (if any). */
DB_STMT(st_st_print,
	"SELECT t.number, t.date::text, t.purpose, r.agency_id, q.full_name, q.nip, q.position, r.title, g.name,"
	" (SELECT b.number FROM berita_acara b WHERE b.request_id = r.id),"
	" (SELECT g.kind FROM delegations g WHERE g.id = t.delegation_id),"
	" (SELECT json_agg(json_build_object('name', u.full_name, 'nip', u.nip, 'position', u.position)"
	"         ORDER BY m.ord)::text"
	"    FROM unnest(t.member_ids) WITH ORDINALITY m(uid, ord) JOIN users u ON u.id = m.uid)"
	" FROM surat_tugas t JOIN requests r ON r.id = t.request_id JOIN agencies g ON g.id = r.agency_id"
	" JOIN users q ON q.id = t.issued_by WHERE t.id = $1::uuid");

bool db_st_print_data(struct err *e, struct arena *a, const char *id, struct db_st_print *out, bool *found)
{
	const char *c[12];
	if (!db_one(e, a, &st_st_print, 1, &id, 12, c, found))
		return false;
	if (*found)
		*out = (struct db_st_print){c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[11], c[10]};
	return true;
}
