/* tlog.h — the tables of the tamper-evident audit log (migrations/0040):
 * the queue of committed, not yet logged audit rows, the log's index ->
 * audit row map, the stored subtree hashes, and the signed checkpoints.
 * Hashes cross this boundary as raw 32-byte arrays. */
#ifndef ALURD_DB_TLOG_H
#define ALURD_DB_TLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

/* Takes the sequencer's transaction-scoped advisory lock: without waiting
 * (*got false when another session holds it, i.e. is sequencing now), or,
 * with wait, once that session commits (*got true). */
bool db_tlog_lock(struct err *e, bool wait, bool *got);
/* The number of logged entries (the next index). */
bool db_tlog_size(struct err *e, uint64_t *size);

/* Columns of an audit row as ev_row wants them, from every query below
 * that returns rows: id, at (UTC text), actor_id, actor_role, action,
 * record_type, record_id, request_id, http_request_id, before, after. */
#define DB_TLOG_ROW_COLS 11
/* Up to limit queued rows, oldest queue entry first (columns as above). */
bool db_tlog_pending(struct err *e, struct arena *a, int limit, struct db_rows *rows);
/* Appends: n log rows (index, audit id as text), nn subtree hashes, and
 * removes the n audit ids from the queue. Hex text of the hashes. */
bool db_tlog_append(struct err *e, struct arena *a, int n, const uint64_t *index, const char *const *audit_id,
		    int nn, const int *level, const uint64_t *node_index, const uint8_t (*hash)[32]);

/* Fetches the subtree hashes (level[i], index[i]) for i < n into hash[i];
 * *missing receives how many were not stored. */
bool db_tlog_nodes(struct err *e, struct arena *a, int n, const int *level, const uint64_t *index,
		   uint8_t (*hash)[32], int *missing);

/* Logged entries from index `from` on (at most limit), in index order:
 * idx, audit_id, leaf hash (hex), then the row columns (all NULL when the
 * audit row is gone). */
bool db_tlog_entries(struct err *e, struct arena *a, uint64_t from, int limit, struct db_rows *rows);
/* The audit rows of one SOP request, oldest first, logged or not: the row
 * columns, then idx and leaf hash hex (NULL while still queued). */
bool db_tlog_request_entries(struct err *e, struct arena *a, const char *request_id, struct db_rows *rows);
/* One audit row by id with its idx and leaf hash (as above); *found. */
bool db_tlog_entry(struct err *e, struct arena *a, const char *audit_id, struct db_rows *rows);

/* Stores a checkpoint (a second one of the same size is ignored). */
bool db_checkpoint_insert(struct err *e, uint64_t size, const uint8_t root[32], const char *note, const char *key_name);
/* The newest checkpoint: tree_size, note, created_at (UTC text); *found. */
bool db_checkpoint_latest(struct err *e, struct arena *a, const char **size, const char **note, const char **created,
			  bool *found);
/* The checkpoint of one size (note), *found. */
bool db_checkpoint_get(struct err *e, struct arena *a, uint64_t size, const char **note, bool *found);
/* A page of checkpoints, newest first, as JSON documents {tree_size,
 * root_hash, note, key_name, created_at}; before_size the keyset (NULL). */
bool db_checkpoint_list(struct err *e, struct arena *a, const char *before_size, int limit, struct db_page *page);
/* Every checkpoint's note, oldest first. */
bool db_checkpoint_notes(struct err *e, struct arena *a, struct db_rows *rows);

#endif
