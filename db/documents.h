/* documents.h — typed, hashed, immutable files stored in PostgreSQL. */
#ifndef ALURD_DB_DOCUMENTS_H
#define ALURD_DB_DOCUMENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

struct db_document {
	const char *id, *request_id, *agency_id, *type, *filename, *content_type, *sha256, *json;
};

bool db_document_insert(struct err *e, struct arena *a, const char *request_id, const char *type,
			const char *filename, const char *content_type, const void *content, size_t len,
			const char *sha256, const char *uploaded_by, const char *berita_acara_id, struct db_document *out);
/* The document that stores the signed PDF of a Berita Acara; *id NULL when
 * there is none (not signed yet, or signed before these were stored). */
bool db_document_of_ba(struct err *e, struct arena *a, const char *berita_acara_id, const char **id);
/* Metadata only; agency_id is the request's (for the visibility rule). */
bool db_document_get(struct err *e, struct arena *a, const char *id, struct db_document *out, bool *found);
/* The bytes, copied into the arena. */
bool db_document_content(struct err *e, struct arena *a, const char *id, const void **data, size_t *len);
/* The distinct types of the documents a request has, as an arena array of
 * *n arena strings (none: *n == 0). */
bool db_document_types(struct err *e, struct arena *a, const char *request_id, const char ***types, size_t *n);
/* The same from the comma-separated list a locked read brings
 * (db_request.doc_types). */
void db_document_types_parse(struct arena *a, const char *list, const char ***types, size_t *n);
bool db_document_list(struct err *e, struct arena *a, const char *request_id, const char **json);

#endif
