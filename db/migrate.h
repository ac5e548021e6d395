/* migrate.h — applying the numbered migrations compiled into the binary.
 *
 * Files are named NNNN_description.sql and applied in order, each in its own
 * transaction, and recorded in schema_migrations with the SHA-256 of their
 * text. A file whose text changed after it was applied is refused (never
 * re-run). Concurrent migrators are serialised by a session advisory lock, so
 * several instances starting at once apply each file exactly once.
 */
#ifndef ALURD_DB_MIGRATE_H
#define ALURD_DB_MIGRATE_H

#include <stdbool.h>
#include <stdio.h>

#include "core/err.h"

/* Applies every pending migration on this thread's connection; prints one
 * line per applied file to `out` (may be NULL). *applied receives how many
 * were applied now. */
bool db_migrate(struct err *e, FILE *out, int *applied);

/* Checks the database against the embedded list without changing anything:
 * *applied = how many of the expected files are recorded with the right
 * checksum, *expected = how many the binary carries. Fails only when the
 * database cannot be asked. */
bool db_migrate_status(struct err *e, int *applied, int *expected);

#endif
