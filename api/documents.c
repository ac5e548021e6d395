/* documents.c — uploads and downloads of a request's files.
 *
 * An upload is the raw body with its Content-Type, the document `type` and
 * `filename` in the query string. The server hashes the body (SHA-256) while
 * it arrives, checks the magic bytes against the declared type, and stores
 * it; documents never change (the table refuses updates). A download answers
 * with the stored type, an attachment disposition and ETag = the hash, so
 * `If-None-Match` gets 304.
 */
#include <stdio.h>
#include <string.h>

#include "api/common.h"
#include "api/input.h"
#include "api/workflow.h"
#include "core/docsniff.h"
#include "core/validate.h"
#include "db/documents.h"

static const char *const doc_types[] = {"surat_permohonan", "proses_bisnis", "dokumen_awal", "laporan_lanjutan",
					"dokumen_kesepakatan", "berita_acara", "surat_tugas", "lainnya", NULL};

static bool filename_ok(struct err *e, const char *name)
{
	if (!val_text(e, "filename", name, 255, false, false))
		return false;
	if (strpbrk(name, "/\\\"") || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return err_field(e, "filename", "invalid", "A plain file name without '/', '\\\\' or '\"'.");
	return true;
}

static const char *const upload_params[] = {"type", "filename", NULL};

static bool upload_document(struct api_ctx *c, struct err *e)
{
	const char *type = api_query(c, "type"), *filename = api_query(c, "filename");
	bool known = false;
	for (const char *const *t = doc_types; type && *t; t++)
		known |= strcmp(*t, type) == 0;
	if (!type)
		err_field(e, "type", "required", "Name the document type (?type=...).");
	else if (!known)
		err_field(e, "type", "invalid", "Not a document type.");
	if (!filename)
		err_field(e, "filename", "required", "Name the file (?filename=...).");
	else
		filename_ok(e, filename);
	if (e->kind)
		return false;
	enum doc_format declared = doc_format_of_type(c->content_type);
	if (declared == DOC_UNKNOWN)
		return err_set(e, ERR_MEDIA_TYPE, "document.unsupported_type",
			       "Accepted: PDF, DOCX, XLSX, ODT, PNG and JPEG files.");
	if (c->body_len == 0)
		return err_set(e, ERR_INVALID, "document.empty", "The file is empty.");
	if (doc_sniff((const unsigned char *)c->body, c->body_len) != declared)
		return err_set(e, ERR_MEDIA_TYPE, "document.content_mismatch",
			       "The content is not a %s file.", doc_format_type(declared));
	struct db_request r;
	if (!api_request_load(c, 0, true, &r, e))
		return false;
	if (wf_is_terminal(wf_state_parse(r.state)))
		return err_set(e, ERR_CONFLICT, "request.closed", "The request is %s; it takes no more documents.",
			       r.state);
	struct db_document d;
	if (!db_document_insert(e, c->arena, r.id, type, filename, doc_format_type(declared), c->body, c->body_len,
				c->body_sha256, c->who.subject, NULL, &d) ||
	    !api_request_change(c, "document.upload", "document", d.id, r.id, NULL, d.json,
				arena_printf(c->arena, "{\"document_type\": \"%s\"}", type), e))
		return false;
	api_set_header(c, "Location", arena_printf(c->arena, "/api/v1/documents/%s", d.id));
	api_reply_json_text(c, 201, d.json);
	return true;
}

static bool list_documents(struct api_ctx *c, struct err *e)
{
	struct db_request r;
	const char *json;
	if (!api_request_load(c, 0, false, &r, e) || !db_document_list(e, c->arena, r.id, &json))
		return false;
	api_reply_items(c, json);
	return true;
}

static bool load_document(struct api_ctx *c, struct db_document *d, struct err *e)
{
	const char *id;
	bool found;
	if (!api_param_uuid(c, 0, "document.not_found", &id, e) || !db_document_get(e, c->arena, id, d, &found))
		return false;
	if (!found || !authz_agency_visible(&c->who, d->agency_id))
		return err_set(e, ERR_NOT_FOUND, "document.not_found", "No such document.");
	return true;
}

static bool get_document(struct api_ctx *c, struct err *e)
{
	struct db_document d;
	if (!load_document(c, &d, e))
		return false;
	api_set_header(c, "ETag", arena_printf(c->arena, "\"%s\"", d.sha256)); /* documents never change */
	api_reply_json_text(c, 200, d.json);
	return true;
}

/* RFC 6266: an ASCII fallback and the exact UTF-8 name percent-encoded. */
static const char *disposition(struct arena *a, const char *name)
{
	size_t n = strlen(name);
	char *ascii = arena_alloc(a, n + 1), *enc = arena_alloc(a, n * 3 + 1), *w = enc;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];
		ascii[i] = ch >= 0x20 && ch < 0x7F && ch != '"' && ch != '\\' ? (char)ch : '_';
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || strchr("-._~", ch))
			*w++ = (char)ch;
		else
			w += sprintf(w, "%%%02X", ch);
	}
	*w = '\0';
	return arena_printf(a, "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, enc);
}

static bool get_content(struct api_ctx *c, struct err *e)
{
	struct db_document d;
	if (!load_document(c, &d, e))
		return false;
	const char *etag = arena_printf(c->arena, "\"%s\"", d.sha256);
	api_set_header(c, "ETag", etag);
	api_set_header(c, "Cache-Control", "private, max-age=31536000, immutable");
	const char *inm = api_header(c, "If-None-Match");
	if (inm && (strstr(inm, etag) || strcmp(inm, "*") == 0)) {
		api_reply_bytes(c, 304, NULL, NULL, 0);
		return true;
	}
	const void *data;
	size_t len;
	if (!db_document_content(e, c->arena, d.id, &data, &len))
		return false;
	api_set_header(c, "Content-Disposition", disposition(c->arena, d.filename));
	api_reply_bytes(c, 200, d.content_type, data, len);
	return true;
}

const struct route api_documents_routes[] = {
	{"GET", "/api/v1/requests/{id}/documents", list_documents, ACT_DOCUMENT_READ, API_TX_READ, API_BODY_NONE, 0, NULL},
	{"POST", "/api/v1/requests/{id}/documents", upload_document, ACT_DOCUMENT_UPLOAD, API_TX_WRITE, API_BODY_RAW, 0, upload_params},
	{"GET", "/api/v1/documents/{id}", get_document, ACT_DOCUMENT_READ, API_TX_READ, API_BODY_NONE, 0, NULL},
	{"GET", "/api/v1/documents/{id}/content", get_content, ACT_DOCUMENT_READ, API_TX_READ, API_BODY_NONE, 0, NULL},
	{0},
};
