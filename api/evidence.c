/* evidence.c — GET /api/v1/requests/{id}/evidence: one request's evidence
 * pack (evidence/pack.h), everything an auditor needs to check the request
 * without trusting alurd's database: the request record, its timeline with
 * SLA states, deadlines, pauses and delay attribution, its dispositions
 * (for roles that may read them), discussions and completion rounds, every
 * document with its recorded SHA-256, the Berita Acara (record and PDF) and
 * the Surat Tugas, and its audit entries with inclusion proofs against the
 * newest checkpoint, that checkpoint and the log's public key; all listed in
 * a MANIFEST signed with the log's key. The records are read by the same
 * functions as their own routes, so a pack says what the API says.
 */
#include <stdlib.h>
#include <string.h>

#include "api/agreements.h"
#include "api/tlog.h"
#include "api/sla.h"
#include "api/workflow.h"
#include "db/agreements.h"
#include "db/discussions.h"
#include "db/dispositions.h"
#include "db/documents.h"
#include "db/tlog.h"
#include "evidence/note.h"
#include "evidence/pack.h"

/* Adds a JSON value (taken), indented for reading. */
static void add_json_new(struct ev_pack *p, const char *name, json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	json_decref(v);
	if (!s)
		abort();
	ev_pack_add(p, name, s, strlen(s));
	free(s);
}

static void add_json_text(struct ev_pack *p, const char *name, const char *text)
{
	add_json_new(p, name, json_loads(text, JSON_DECODE_ANY, NULL));
}

/* The document files, and documents.json naming each file's path. */
static bool add_documents(struct api_ctx *c, struct ev_pack *p, const char *request_id, struct err *e)
{
	const char *json;
	if (!db_document_list(e, c->arena, request_id, &json))
		return false;
	json_t *list = json_loads(json, 0, NULL), *d;
	size_t i;
	json_array_foreach(list, i, d) {
		const char *id = json_string_value(json_object_get(d, "id"));
		char *name = arena_strdup(c->arena, json_string_value(json_object_get(d, "filename")));
		for (char *q = name; q && *q; q++)
			if (*q == '/' || *q == '\\' || (unsigned char)*q < ' ')
				*q = '_';
		const char *path = arena_printf(c->arena, "documents/%s-%s", id, name ? name : "file");
		const void *bytes;
		size_t len;
		if (!db_document_content(e, c->arena, id, &bytes, &len)) {
			json_decref(list);
			return false;
		}
		ev_pack_add(p, path, bytes, len);
		json_object_set_new(d, "path", json_string(path));
	}
	add_json_new(p, "documents.json", list);
	return true;
}

static bool add_agreements(struct api_ctx *c, struct ev_pack *p, const char *request_id, struct err *e)
{
	struct db_ba ba;
	bool found;
	const char *st;
	if (!db_ba_by_request(e, c->arena, request_id, &ba, &found) || !db_st_list(e, c->arena, request_id, &st))
		return false;
	if (found) {
		const void *pdf;
		size_t len;
		if (!api_ba_pdf(c, &ba, &pdf, &len, e))
			return false;
		add_json_text(p, "berita-acara.json", ba.json);
		ev_pack_add(p, "berita-acara.pdf", pdf, len);
	}
	add_json_text(p, "surat-tugas.json", st);
	return true;
}

/* audit/entries.jsonl: each audit row of the request, its canonical entry,
 * log index and inclusion proof against the checkpoint of size size (proof
 * null for rows logged after it). */
static bool add_audit(struct api_ctx *c, struct ev_pack *p, const char *request_id, uint64_t size, struct err *e)
{
	struct db_rows rows;
	if (!db_tlog_request_entries(e, c->arena, request_id, &rows))
		return false;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		abort();
	bool ok = true;
	for (int i = 0; ok && i < rows.n; i++) {
		const char *idx_text = db_rows_get(&rows, i, DB_TLOG_ROW_COLS);
		json_t *o = json_pack("{s:I}", "audit_id", (json_int_t)strtoll(db_rows_get(&rows, i, 0), NULL, 10));
		if (idx_text) {
			uint64_t idx = strtoull(idx_text, NULL, 10);
			json_object_set_new(o, "log_index", json_integer((json_int_t)idx));
			json_object_set_new(o, "entry", json_string(api_tlog_canonical(c->arena, &rows, i, 0, idx)));
			uint8_t proof[EV_MAX_PROOF][EV_HASH];
			int n;
			if (idx < size && (ok = api_tlog_inclusion(c->arena, idx, size, proof, &n, e)))
				json_object_set_new(o, "inclusion_proof",
						    api_tlog_hashes_json((const uint8_t(*)[EV_HASH])proof, n));
		}
		if (!json_object_get(o, "inclusion_proof"))
			json_object_set_new(o, "inclusion_proof", json_null());
		json_dumpf(o, f, JSON_COMPACT | JSON_SORT_KEYS);
		fputc('\n', f);
		json_decref(o);
	}
	fclose(f);
	if (ok)
		ev_pack_add(p, "audit/entries.jsonl", buf, len);
	free(buf);
	return ok;
}

static bool get_evidence(struct api_ctx *c, struct err *e)
{
	struct db_request r;
	if (!api_request_load(c, 0, false, &r, e))
		return false;
	if (!api_services.audit_key)
		return err_set(e, ERR_UNAVAILABLE, "audit.no_signing_key",
			       "No signing key is configured (ALURD_AUDIT_KEY); a pack could not be signed.");
	const char *size_text, *note, *created;
	bool found;
	if (!db_checkpoint_latest(e, c->arena, &size_text, &note, &created, &found))
		return false;
	if (!found)
		return err_set(e, ERR_CONFLICT, "audit.no_checkpoint",
			       "No checkpoint has been signed yet, so no audit entry could be proven.");
	json_t *timeline;
	const char *discussions, *completions, *dispositions = NULL;
	if (!api_sla_timeline(c, &r, &timeline, e))
		return false;
	struct ev_pack *p = ev_pack_new();
	add_json_text(p, "request.json", r.json);
	add_json_new(p, "timeline.json", timeline);
	bool ok = db_discussion_list(e, c->arena, r.id, &discussions) && db_completion_list(e, c->arena, r.id, &completions) &&
		  (!authz_allowed(c->who.role, ACT_DISPOSITION_READ) || db_disposition_list(e, c->arena, r.id, &dispositions));
	if (ok) {
		add_json_text(p, "discussions.json", discussions);
		add_json_text(p, "completions.json", completions);
		if (dispositions)
			add_json_text(p, "dispositions.json", dispositions);
	}
	ok = ok && add_documents(c, p, r.id, e) && add_agreements(c, p, r.id, e) &&
	     add_audit(c, p, r.id, strtoull(size_text, NULL, 10), e);
	void *tar = NULL;
	size_t len = 0;
	if (ok) {
		char pub[512];
		ev_key_public_text(api_services.audit_key, pub, sizeof pub);
		strcat(pub, "\n");
		ev_pack_add(p, "audit/checkpoint.txt", note, strlen(note));
		ev_pack_add(p, "audit/log-key.pub", pub, strlen(pub));
		if (!ev_pack_finish(p, api_services.audit_key, &tar, &len))
			return err_set(e, ERR_INTERNAL, "evidence.pack_failed", "The evidence pack could not be written.");
	} else {
		ev_pack_finish(p, api_services.audit_key, &tar, &len);
		free(tar);
		return false;
	}
	void *copy = arena_alloc(c->arena, len);
	memcpy(copy, tar, len);
	free(tar);
	api_set_header(c, "Content-Disposition", arena_printf(c->arena, "attachment; filename=\"evidence-%s.tar\"", r.id));
	api_reply_bytes(c, 200, "application/x-tar", copy, len);
	return true;
}

const struct route api_evidence_routes[] = {
	{"GET", "/api/v1/requests/{id}/evidence", get_evidence, ACT_EVIDENCE_READ, API_TX_READ, API_BODY_NONE, 0, NULL},
	{0},
};
