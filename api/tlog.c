/* tlog.c — the Merkle log over audit_log and its /api/v1/audit/... routes (the global
 * audit list GET /api/v1/audit is audit.c).
 *
 * The sequencer appends queued rows under a transaction-scoped advisory lock,
 * so with several instances exactly one appends at a time and indexes stay
 * consecutive; it rebuilds the right edge of the tree from the O(log n)
 * stored subtrees, folds the new leaves in, and stores every subtree they
 * complete. Roots and proofs walk the RFC 6962 recursion over stored
 * subtrees: the walk is run once to learn which subtrees it reads, those are
 * fetched in one query, and it is run again on them.
 */
#include "api/tlog.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "api/input.h"
#include "core/validate.h"
#include "db/tlog.h"
#include "evidence/audit.h"
#include "evidence/entry.h"
#include "evidence/note.h"

#define MAX_NEEDS 256

/* ---- stored subtrees as a node source ------------------------------------ */

struct fetched {
	int n;
	int level[MAX_NEEDS];
	uint64_t index[MAX_NEEDS];
	uint8_t hash[MAX_NEEDS][EV_HASH];
};

static bool from_fetched(void *ctx, int level, uint64_t index, uint8_t out[EV_HASH])
{
	const struct fetched *f = ctx;
	for (int i = 0; i < f->n; i++)
		if (f->level[i] == level && f->index[i] == index) {
			memcpy(out, f->hash[i], EV_HASH);
			return true;
		}
	return false;
}

static bool fetch(struct arena *a, struct fetched *f, struct err *e)
{
	int missing;
	if (!db_tlog_nodes(e, a, f->n, f->level, f->index, f->hash, &missing))
		return false;
	if (missing)
		return err_set(e, ERR_INTERNAL, "audit.log_incomplete", "The stored log is missing %d subtree hashes.",
			       missing);
	return true;
}

bool api_tlog_root(struct arena *a, uint64_t size, uint8_t root[EV_HASH], struct err *e)
{
	struct fetched *f = arena_alloc(a, sizeof *f);
	f->n = ev_root_needs(size, MAX_NEEDS, f->level, f->index);
	if (!fetch(a, f, e))
		return false;
	if (!ev_root(from_fetched, f, size, root))
		return err_set(e, ERR_INTERNAL, "audit.log_incomplete", "The stored log cannot give this root.");
	return true;
}

bool api_tlog_inclusion(struct arena *a, uint64_t index, uint64_t size, uint8_t proof[][EV_HASH], int *n,
			struct err *e)
{
	struct fetched *f = arena_alloc(a, sizeof *f);
	f->n = ev_inclusion_needs(index, size, MAX_NEEDS, f->level, f->index);
	if (!fetch(a, f, e))
		return false;
	if (!ev_inclusion_proof(from_fetched, f, index, size, proof, n))
		return err_set(e, ERR_INTERNAL, "audit.log_incomplete", "The stored log cannot give this proof.");
	return true;
}

static bool consistency(struct arena *a, uint64_t from, uint64_t to, uint8_t proof[][EV_HASH], int *n, struct err *e)
{
	struct fetched *f = arena_alloc(a, sizeof *f);
	f->n = ev_consistency_needs(from, to, MAX_NEEDS, f->level, f->index);
	if (!fetch(a, f, e))
		return false;
	if (!ev_consistency_proof(from_fetched, f, from, to, proof, n))
		return err_set(e, ERR_INTERNAL, "audit.log_incomplete", "The stored log cannot give this proof.");
	return true;
}

json_t *api_tlog_hashes_json(const uint8_t proof[][EV_HASH], int n)
{
	json_t *list = json_array();
	for (int i = 0; i < n; i++) {
		char b64[64];
		ev_b64(proof[i], EV_HASH, b64, sizeof b64);
		json_array_append_new(list, json_string(b64));
	}
	return list;
}

const char *api_tlog_canonical(struct arena *a, const struct db_rows *rows, int row, int col, uint64_t idx)
{
	const char *v[DB_TLOG_ROW_COLS];
	for (int i = 0; i < DB_TLOG_ROW_COLS; i++)
		v[i] = db_rows_get(rows, row, col + i);
	struct ev_row r = {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10]};
	char *s = ev_entry_canonical(&r, idx);
	const char *copy = arena_strdup(a, s);
	free(s);
	return copy;
}

/* ---- appending ------------------------------------------------------------- */

struct collected {
	int n, cap;
	int *level;
	uint64_t *index;
	uint8_t (*hash)[EV_HASH];
};

static void collect(void *ctx, int level, uint64_t index, const uint8_t hash[EV_HASH])
{
	struct collected *c = ctx;
	if (c->n == c->cap)
		abort(); /* sized for the batch: 2 nodes per leaf at most */
	c->level[c->n] = level;
	c->index[c->n] = index;
	memcpy(c->hash[c->n++], hash, EV_HASH);
}

bool api_tlog_sequence(struct arena *a, int batch, bool wait, int *appended, struct err *e)
{
	bool got;
	uint64_t size;
	struct db_rows rows;
	*appended = 0;
	if (!db_tlog_lock(e, wait, &got))
		return false;
	if (!got)
		return true;
	if (!db_tlog_pending(e, a, batch, &rows) || !db_tlog_size(e, &size))
		return false;
	if (rows.n == 0)
		return true;
	/* the right edge of the tree as it is */
	struct ev_stack *st = arena_alloc(a, sizeof *st);
	struct fetched *f = arena_alloc(a, sizeof *f);
	ev_stack_init(st);
	f->n = ev_edge_nodes(size, f->level, f->index);
	if (f->n && !fetch(a, f, e))
		return false;
	st->size = size;
	st->n = f->n;
	for (int i = 0; i < f->n; i++) {
		st->level[i] = f->level[i];
		memcpy(st->hash[i], f->hash[i], EV_HASH);
	}
	struct collected c = {0, 2 * rows.n + 64, NULL, NULL, NULL};
	c.level = arena_alloc(a, sizeof *c.level * (size_t)c.cap);
	c.index = arena_alloc(a, sizeof *c.index * (size_t)c.cap);
	c.hash = arena_alloc(a, sizeof *c.hash * (size_t)c.cap);
	uint64_t *idx = arena_alloc(a, sizeof *idx * (size_t)rows.n);
	const char **ids = arena_alloc(a, sizeof *ids * (size_t)rows.n);
	for (int i = 0; i < rows.n; i++) {
		idx[i] = size + (uint64_t)i;
		ids[i] = db_rows_get(&rows, i, 0);
		const char *entry = api_tlog_canonical(a, &rows, i, 0, idx[i]);
		uint8_t leaf[EV_HASH];
		ev_leaf_hash(entry, strlen(entry), leaf);
		ev_stack_push(st, leaf, collect, &c);
	}
	if (!db_tlog_append(e, a, rows.n, idx, ids, c.n, c.level, c.index, (const uint8_t(*)[32])c.hash))
		return false;
	*appended = rows.n;
	return true;
}

bool api_tlog_checkpoint(struct arena *a, uint64_t *size, struct err *e)
{
	const struct ev_key *key = api_services.audit_key;
	if (!key)
		return err_set(e, ERR_UNAVAILABLE, "audit.no_signing_key",
			       "No checkpoint signing key is configured (ALURD_AUDIT_KEY).");
	const char *latest, *note, *created;
	bool found;
	if (!db_tlog_size(e, size) || !db_checkpoint_latest(e, a, &latest, &note, &created, &found))
		return false;
	if (found && strtoull(latest, NULL, 10) >= *size) {
		*size = strtoull(latest, NULL, 10);
		return true;
	}
	struct ev_checkpoint cp = {.size = *size};
	snprintf(cp.origin, sizeof cp.origin, "%s", api_services.audit_origin);
	if (!api_tlog_root(a, *size, cp.root, e))
		return false;
	char *signed_note = ev_checkpoint_sign(key, &cp);
	bool ok = db_checkpoint_insert(e, *size, cp.root, signed_note, key->name);
	free(signed_note);
	return ok;
}

/* ---- routes ---------------------------------------------------------------- */

static bool get_key(struct api_ctx *c, struct err *e)
{
	const struct ev_key *key = api_services.audit_key;
	if (!key)
		return err_set(e, ERR_NOT_FOUND, "audit.no_signing_key", "No checkpoint signing key is configured.");
	char text[512], id[9];
	ev_key_public_text(key, text, sizeof text);
	ev_hex(key->id, 4, id);
	api_reply_json(c, 200, json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", key->name, "key_id", id, "algorithm",
					 "ed25519", "public_key", text, "origin", api_services.audit_origin));
	return true;
}

static const char *const list_params[] = {"limit", "cursor", NULL};

static bool list_checkpoints(struct api_ctx *c, struct err *e)
{
	int limit;
	const char **cursor;
	if (!api_query_limit(c, &limit, e) || !api_query_cursor(c, 1, &cursor, e))
		return false;
	if (cursor && (strspn(cursor[0], "0123456789") != strlen(cursor[0]) || strlen(cursor[0]) > 18))
		return err_field(e, "cursor", "invalid", "This cursor was not made by this server.");
	struct db_page page;
	if (!db_checkpoint_list(e, c->arena, cursor ? cursor[0] : NULL, limit, &page))
		return false;
	api_reply_page(c, &page, 1);
	return true;
}

static bool get_latest(struct api_ctx *c, struct err *e)
{
	struct db_page page;
	if (!db_checkpoint_list(e, c->arena, NULL, 1, &page))
		return false;
	if (page.count == 0)
		return err_set(e, ERR_NOT_FOUND, "audit.no_checkpoint", "No checkpoint has been signed yet.");
	json_t *items = json_loads(page.items, 0, NULL);
	api_reply_json(c, 200, json_incref(json_array_get(items, 0)));
	json_decref(items);
	return true;
}

/* POST: log everything queued now, then sign the tree. */
static bool create_checkpoint(struct api_ctx *c, struct err *e)
{
	static const char *const none[] = {NULL};
	if (!api_only_fields(api_body(c), "", none, e))
		return false;
	if (!api_services.audit_key)
		return err_set(e, ERR_UNAVAILABLE, "audit.no_signing_key",
			       "No checkpoint signing key is configured (ALURD_AUDIT_KEY).");
	int n;
	uint64_t size;
	/* waits for a sequencer at work, so everything committed before this
	 * call is in the checkpoint */
	do {
		if (!api_tlog_sequence(c->arena, 1000, true, &n, e))
			return false;
	} while (n == 1000);
	if (!api_tlog_checkpoint(c->arena, &size, e))
		return false;
	const char *note;
	bool found;
	if (!db_checkpoint_get(e, c->arena, size, &note, &found))
		return false;
	if (!found)
		return err_set(e, ERR_INTERNAL, "internal", "The checkpoint just signed cannot be read back.");
	struct ev_checkpoint cp;
	bool valid, named;
	char why[160];
	ev_checkpoint_open(note, api_services.audit_key, &cp, &valid, &named, why, sizeof why);
	char root[64];
	ev_b64(cp.root, EV_HASH, root, sizeof root);
	api_reply_json(c, 201, json_pack("{s:I, s:s, s:s, s:s}", "tree_size", (json_int_t)size, "root_hash", root, "note",
					 note, "key_name", api_services.audit_key->name));
	return true;
}

/* A tree size from the query: digits only, 1..limit. */
static bool query_size(struct api_ctx *c, const char *name, uint64_t limit, uint64_t *out, struct err *e)
{
	const char *s = api_query(c, name);
	if (!s || !*s || strlen(s) > 18 || strspn(s, "0123456789") != strlen(s) || (*out = strtoull(s, NULL, 10)) == 0)
		return err_field(e, name, s ? "invalid" : "required", "A tree size: a whole number from 1.");
	if (*out > limit)
		return err_field(e, name, "too_large", "The log has %" PRIu64 " entries.", limit);
	return true;
}

static const char *const proof_params[] = {"tree_size", NULL};

static bool get_proof(struct api_ctx *c, struct err *e)
{
	const char *id = c->params[0];
	if (strlen(id) > 18 || strspn(id, "0123456789") != strlen(id))
		return err_set(e, ERR_NOT_FOUND, "audit.not_found", "No such audit entry.");
	struct db_rows rows;
	uint64_t logged, size;
	if (!db_tlog_entry(e, c->arena, id, &rows) || !db_tlog_size(e, &logged))
		return false;
	if (rows.n == 0)
		return err_set(e, ERR_NOT_FOUND, "audit.not_found", "No such audit entry.");
	const char *idx_text = db_rows_get(&rows, 0, DB_TLOG_ROW_COLS), *leaf_hex = db_rows_get(&rows, 0, DB_TLOG_ROW_COLS + 1);
	const char *note = NULL;
	if (api_query(c, "tree_size")) {
		if (!query_size(c, "tree_size", logged, &size, e))
			return false;
		bool found;
		if (!db_checkpoint_get(e, c->arena, size, &note, &found))
			return false;
	} else {
		const char *latest, *created;
		bool found;
		if (!db_checkpoint_latest(e, c->arena, &latest, &note, &created, &found))
			return false;
		if (!found)
			return err_set(e, ERR_CONFLICT, "audit.no_checkpoint",
				       "No checkpoint has been signed yet; name a tree_size.");
		size = strtoull(latest, NULL, 10);
	}
	if (!idx_text || strtoull(idx_text, NULL, 10) >= size)
		return err_set(e, ERR_CONFLICT, "audit.not_in_tree",
			       idx_text ? "The entry was logged after this tree size." : "The entry is not logged yet.");
	uint64_t idx = strtoull(idx_text, NULL, 10);
	uint8_t proof[EV_MAX_PROOF][EV_HASH], leaf[EV_HASH], root[EV_HASH];
	int n;
	if (!api_tlog_inclusion(c->arena, idx, size, proof, &n, e) || !api_tlog_root(c->arena, size, root, e))
		return false;
	ev_unhex(leaf_hex, leaf, EV_HASH);
	char leaf_b64[64], root_b64[64];
	ev_b64(leaf, EV_HASH, leaf_b64, sizeof leaf_b64);
	ev_b64(root, EV_HASH, root_b64, sizeof root_b64);
	json_t *out = json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:o}", "audit_id", (json_int_t)strtoll(id, NULL, 10),
				"log_index", (json_int_t)idx, "tree_size", (json_int_t)size, "leaf_hash", leaf_b64,
				"root_hash", root_b64, "entry", api_tlog_canonical(c->arena, &rows, 0, 0, idx),
				"inclusion_proof", api_tlog_hashes_json((const uint8_t(*)[EV_HASH])proof, n));
	json_object_set_new(out, "checkpoint", note ? json_string(note) : json_null());
	api_reply_json(c, 200, out);
	return true;
}

static const char *const consistency_params[] = {"from", "to", NULL};

static bool get_consistency(struct api_ctx *c, struct err *e)
{
	uint64_t logged, from = 0, to = 0;
	if (!db_tlog_size(e, &logged))
		return false;
	query_size(c, "from", logged, &from, e);
	query_size(c, "to", logged, &to, e);
	if (!e->kind && from > to)
		err_field(e, "to", "order", "to is at least from.");
	if (e->kind)
		return false;
	uint8_t proof[EV_MAX_PROOF][EV_HASH], r1[EV_HASH], r2[EV_HASH];
	int n;
	if (!consistency(c->arena, from, to, proof, &n, e) || !api_tlog_root(c->arena, from, r1, e) ||
	    !api_tlog_root(c->arena, to, r2, e))
		return false;
	char b1[64], b2[64];
	ev_b64(r1, EV_HASH, b1, sizeof b1);
	ev_b64(r2, EV_HASH, b2, sizeof b2);
	api_reply_json(c, 200, json_pack("{s:I, s:I, s:s, s:s, s:o}", "from", (json_int_t)from, "to", (json_int_t)to,
					 "from_root", b1, "to_root", b2, "consistency_proof",
					 api_tlog_hashes_json((const uint8_t(*)[EV_HASH])proof, n)));
	return true;
}

bool api_tlog_export(FILE *f, struct arena *a, struct err *e)
{
	struct db_rows notes, rows;
	uint64_t size;
	if (!db_checkpoint_notes(e, a, &notes) || !db_tlog_size(e, &size))
		return false;
	ev_export_header(f, api_services.audit_origin, size, notes.n);
	for (int i = 0; i < notes.n; i++)
		ev_export_checkpoint(f, db_rows_get(&notes, i, 0));
	for (uint64_t from = 0;;) {
		struct arena page;
		arena_init(&page);
		if (!db_tlog_entries(e, &page, from, 5000, &rows)) {
			arena_cleanup(&page);
			return false;
		}
		for (int i = 0; i < rows.n; i++) {
			uint64_t idx = strtoull(db_rows_get(&rows, i, 0), NULL, 10);
			uint8_t leaf[EV_HASH] = {0};
			const char *hex = db_rows_get(&rows, i, 2);
			if (hex)
				ev_unhex(hex, leaf, EV_HASH);
			const char *entry = db_rows_get(&rows, i, 3) ? api_tlog_canonical(&page, &rows, i, 3, idx) : NULL;
			ev_export_entry(f, idx, db_rows_get(&rows, i, 1), leaf, entry);
			from = idx + 1;
		}
		int n = rows.n;
		arena_cleanup(&page);
		if (n < 5000)
			return true;
	}
}

static bool get_export(struct api_ctx *c, struct err *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		abort();
	bool ok = api_tlog_export(f, c->arena, e);
	fclose(f);
	if (ok) {
		void *copy = arena_alloc(c->arena, len + 1);
		memcpy(copy, buf, len);
		api_set_header(c, "Content-Disposition", "attachment; filename=\"audit-export.jsonl\"");
		api_reply_bytes(c, 200, "application/jsonl", copy, len);
	}
	free(buf);
	return ok;
}

const struct route api_tlog_routes[] = {
	{"GET", "/api/v1/audit/key", get_key, ACT_PUBLIC, API_TX_NONE, API_BODY_NONE, 0, NULL},
	{"GET", "/api/v1/audit/checkpoints", list_checkpoints, ACT_AUDIT_LOG_READ, API_TX_READ, API_BODY_NONE, 0, list_params},
	{"POST", "/api/v1/audit/checkpoints", create_checkpoint, ACT_AUDIT_CHECKPOINT, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{"GET", "/api/v1/audit/checkpoints/latest", get_latest, ACT_AUDIT_LOG_READ, API_TX_READ, API_BODY_NONE, 0, NULL},
	{"GET", "/api/v1/audit/consistency", get_consistency, ACT_AUDIT_LOG_READ, API_TX_READ, API_BODY_NONE, 0,
	 consistency_params},
	{"GET", "/api/v1/audit/export", get_export, ACT_AUDIT_LOG_READ, API_TX_READ, API_BODY_NONE, 0, NULL},
	{"GET", "/api/v1/audit/{id}/proof", get_proof, ACT_AUDIT_LOG_READ, API_TX_READ, API_BODY_NONE, 0, proof_params},
	{0},
};
