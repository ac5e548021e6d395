/* documents.c — see documents.h. Content travels in binary both ways (a
 * bytea parameter in text form would double its size). */
#include "db/documents.h"

#include <stdio.h>
#include <string.h>

#include "db/people.h"

#define DOCUMENT_JSON                                                                                 \
	"json_build_object('id', d.id, 'request_id', d.request_id, 'type', d.type, 'filename', d.filename,"  \
	" 'content_type', d.content_type, 'size', d.size, 'sha256', d.sha256, 'uploaded_by', d.uploaded_by," \
	" 'uploaded_by_user', " DB_PERSON("d.uploaded_by") "," \
	" 'created_at', d.created_at)"
#define DOCUMENT_COLS "d.id, d.request_id, r.agency_id, d.type, d.filename, d.content_type, d.sha256, " DOCUMENT_JSON

static void fill(struct db_document *out, const char **c)
{
	out->id = c[0];
	out->request_id = c[1];
	out->agency_id = c[2];
	out->type = c[3];
	out->filename = c[4];
	out->content_type = c[5];
	out->sha256 = c[6];
	out->json = c[7];
}

DB_STMT(st_insert,
	"WITH d AS (INSERT INTO documents (request_id, type, filename, content_type, size, sha256, content, uploaded_by,"
	"                                  berita_acara_id)"
	"           VALUES ($1::uuid, $2, $3, $4, $5::bigint, $6, $7::bytea, $8::uuid, $9::uuid) RETURNING *)"
	" SELECT " DOCUMENT_COLS " FROM d JOIN requests r ON r.id = d.request_id");

bool db_document_insert(struct err *e, struct arena *a, const char *request_id, const char *type,
			const char *filename, const char *content_type, const void *content, size_t len,
			const char *sha256, const char *uploaded_by, const char *berita_acara_id, struct db_document *out)
{
	char size[24];
	snprintf(size, sizeof size, "%zu", len);
	const char *p[] = {request_id, type, filename, content_type, size, sha256, content, uploaded_by, berita_acara_id};
	int lengths[9] = {0, 0, 0, 0, 0, 0, (int)len, 0, 0};
	int formats[9] = {0, 0, 0, 0, 0, 0, 1, 0, 0};
	PGresult *r;
	if (!db_exec_bin(e, &st_insert, 9, p, lengths, formats, false, &r))
		return false;
	const char *c[8];
	for (int i = 0; i < 8; i++)
		c[i] = arena_strdup(a, PQgetvalue(r, 0, i));
	PQclear(r);
	fill(out, c);
	return true;
}

DB_STMT(st_get, "SELECT " DOCUMENT_COLS " FROM documents d JOIN requests r ON r.id = d.request_id"
		" WHERE d.id = $1::uuid");

bool db_document_get(struct err *e, struct arena *a, const char *id, struct db_document *out, bool *found)
{
	const char *c[8];
	if (!db_one(e, a, &st_get, 1, &id, 8, c, found))
		return false;
	if (*found)
		fill(out, c);
	return true;
}

DB_STMT(st_content, "SELECT content FROM documents WHERE id = $1::uuid");

bool db_document_content(struct err *e, struct arena *a, const char *id, const void **data, size_t *len)
{
	PGresult *r;
	if (!db_exec_bin(e, &st_content, 1, &id, NULL, NULL, true, &r))
		return false;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return err_set(e, ERR_NOT_FOUND, "document.not_found", "No such document.");
	}
	*len = (size_t)PQgetlength(r, 0, 0);
	void *copy = arena_alloc(a, *len ? *len : 1);
	memcpy(copy, PQgetvalue(r, 0, 0), *len);
	*data = copy;
	PQclear(r);
	return true;
}

DB_STMT(st_list, "SELECT coalesce(json_agg(" DOCUMENT_JSON " ORDER BY d.created_at, d.id), '[]')"
		 " FROM documents d WHERE d.request_id = $1::uuid");

bool db_document_list(struct err *e, struct arena *a, const char *request_id, const char **json)
{
	bool found;
	return db_one(e, a, &st_list, 1, &request_id, 1, json, &found);
}

DB_STMT(st_types, "SELECT coalesce(string_agg(DISTINCT type, ','), '') FROM documents WHERE request_id = $1::uuid");

void db_document_types_parse(struct arena *a, const char *list, const char ***types, size_t *n)
{
	size_t cap = 1;
	*n = 0;
	for (const char *p = list; *p; p++)
		cap += *p == ',';
	*types = arena_alloc(a, cap * sizeof **types);
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		(*types)[(*n)++] = arena_strndup(a, p, len);
		p += len + (p[len] == ',');
	}
}

bool db_document_types(struct err *e, struct arena *a, const char *request_id, const char ***types, size_t *n)
{
	const char *c[1];
	bool found;
	*types = NULL;
	*n = 0;
	if (!db_one(e, a, &st_types, 1, &request_id, 1, c, &found))
		return false;
	db_document_types_parse(a, found && c[0] ? c[0] : "", types, n);
	return true;
}

DB_STMT(st_ba_document, "SELECT id FROM documents WHERE berita_acara_id = $1::uuid");

bool db_document_of_ba(struct err *e, struct arena *a, const char *berita_acara_id, const char **id)
{
	bool found;
	*id = NULL;
	return db_one(e, a, &st_ba_document, 1, &berita_acara_id, 1, id, &found);
}
