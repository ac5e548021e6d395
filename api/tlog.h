/* tlog.h — the tamper-evident audit log as the rest of alurd uses it:
 * sequencing queued audit rows into the Merkle tree, signing checkpoints,
 * and proofs from the stored subtrees. The log's routes under /api/v1/audit live in
 * tlog.c too (the global audit list is audit.c). Every function runs inside the caller's transaction (or
 * read unit) and never begins or commits. */
#ifndef ALURD_API_TLOG_H
#define ALURD_API_TLOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "api/api.h"
#include "db/db.h"
#include "evidence/merkle.h"

/* Logs up to batch queued audit rows, in queue order, at the next indexes.
 * When another session holds the sequencer's lock it does nothing
 * (*appended 0), or with wait first waits for that session to commit.
 * Caller owns the transaction and commits. */
bool api_tlog_sequence(struct arena *a, int batch, bool wait, int *appended, struct err *e);
/* Signs the current tree unless the newest checkpoint already has its size;
 * *size receives the tree size now checkpointed. ERR_UNAVAILABLE
 * "audit.no_signing_key" without a key. */
bool api_tlog_checkpoint(struct arena *a, uint64_t *size, struct err *e);

/* Writes the whole log export (evidence/audit.h) to f, reading the log a
 * page at a time. */
bool api_tlog_export(FILE *f, struct arena *a, struct err *e);

/* The root of the first size leaves, from the stored subtrees. */
bool api_tlog_root(struct arena *a, uint64_t size, uint8_t root[EV_HASH], struct err *e);
/* The inclusion proof of index in the tree of size leaves. */
bool api_tlog_inclusion(struct arena *a, uint64_t index, uint64_t size, uint8_t proof[][EV_HASH], int *n,
			struct err *e);
/* A JSON array of base64 hashes (new reference). */
json_t *api_tlog_hashes_json(const uint8_t proof[][EV_HASH], int n);
/* The canonical entry of an audit row returned by db/tlog (columns from
 * col on, DB_TLOG_ROW_COLS of them) at log index idx, in the arena. */
const char *api_tlog_canonical(struct arena *a, const struct db_rows *rows, int row, int col, uint64_t idx);

#endif
