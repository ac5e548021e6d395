/* db.h — PostgreSQL access: one connection per thread, prepared statements,
 * one query helper, transactions owned by the caller.
 *
 * Each thread that touches the database gets its own libpq connection, opened
 * lazily on first use and re-opened after it breaks (PostgreSQL restarted):
 * the failing call answers ERR_UNAVAILABLE ("db.unavailable") and the next one
 * reconnects, so the daemon never needs a restart. Statements are declared once
 * as static `struct db_stmt` and prepared on each connection the first time
 * they run there; parameters are always passed separately (never spliced into
 * SQL). Only this folder looks at SQLSTATEs: unique violation -> ERR_CONFLICT,
 * serialization failure/deadlock -> ERR_RETRY, lost connection ->
 * ERR_UNAVAILABLE, bad data -> ERR_INVALID, anything else -> ERR_INTERNAL;
 * the server's message goes to err.log, never to the client.
 *
 * db/ functions never begin or commit: the caller (the dispatcher, or a CLI
 * command) owns the transaction.
 */
#ifndef ALURD_DB_DB_H
#define ALURD_DB_DB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

#define DB_MAX_STMTS 512

struct db_stmt {
	const char *sql;
	int slot;    /* assigned on first use; 0 = not yet */
	bool adhoc;  /* planned on every run with its actual parameters */
};

/* Declares a prepared statement: DB_STMT(st_agency_get, "SELECT ... $1"); */
#define DB_STMT(var, text) static struct db_stmt var = {text, 0, false}
/* A statement whose best plan depends on which optional filters are set
 * ("$1 IS NULL OR col = $1"): a prepared statement's generic plan could not
 * use the index of the filter given, so it is planned per call (still one
 * round trip: parse, bind and execute travel together). */
#define DB_STMT_ADHOC(var, text) static struct db_stmt var = {text, 0, true}

/* Sets the libpq URL every thread connects with, and the statement timeout
 * (milliseconds, 0 = none). Call once before any other db_ function. */
void db_configure(const char *url, int statement_timeout_ms);

/* Marks the start of one unit of work on this thread (an HTTP request, a timer
 * scan). When read_only is true and the first statement of the unit fails
 * because the connection had silently died, it is re-run once on a fresh
 * connection: a read has no effect, so this hides a restart from readers. */
void db_unit_start(bool read_only);

/* Sets the libpq URL of a read replica (NULL or "": none). Call once, after
 * db_configure, before any unit starts. */
void db_configure_read(const char *url);

/* Starts a unit of read-only work that may read a replica: a heavy report
 * whose answer may be a little behind (it says how much, db_as_of). With a
 * replica configured, this thread's statements go to its own connection
 * there until the next db_unit_start; without one, this is
 * db_unit_start(true). Returns whether the replica is used. Never for a read
 * that must see a write just made, nor for any write. */
bool db_unit_start_report(void);

/* The instant the data read in this unit is current as of, RFC 3339 UTC
 * (arena text): on a replica, the commit time of the last transaction it
 * replayed (everything committed up to then is included; on an idle system
 * that is the last write, still exact); on the primary, now. */
bool db_as_of(struct err *e, struct arena *a, const char **as_of);

/* Round trips to PostgreSQL (COMMIT not counted) this thread made since its
 * last db_unit_start: what the access log reports per request. A BEGIN
 * travels with the transaction's first statement, so it adds none. */
int db_unit_statements(void);

/* Runs a prepared statement with text parameters (NULL = SQL NULL).
 * On success *out (if out is not NULL) receives the result, which the caller
 * must PQclear (or pass to db_done). Returns false and fills e on failure. */
bool db_exec(struct err *e, struct db_stmt *st, int nparams, const char *const *params, PGresult **out);

/* db_exec with per-parameter lengths and formats (1 = binary, for bytea
 * content) and, when binary_result, the result columns in binary. */
bool db_exec_bin(struct err *e, struct db_stmt *st, int nparams, const char *const *params, const int *lengths,
		 const int *formats, bool binary_result, PGresult **out);

/* Like db_exec for a statement of fixed text that is not worth preparing
 * (DDL, BEGIN, migrations with several statements: no parameters). */
bool db_exec_text(struct err *e, const char *sql, PGresult **out);

/* Transactions on this thread's connection. db_begin sends nothing: its
 * BEGIN is sent in one pipeline with the first statement (libpq's pipeline
 * mode), so a transaction costs no round trip of its own, and one in which
 * no statement ran commits or rolls back without any. db_rollback never fails
 * (a broken connection is simply dropped) and is a no-op outside one.
 * When the connection is lost inside a transaction, every later statement
 * fails (db.unavailable) instead of running on a new connection outside it,
 * db_in_transaction stays true and db_commit fails, so a caller that did not
 * notice the loss can never answer as if the change were saved. */
bool db_begin(struct err *e);
bool db_commit(struct err *e);
void db_rollback(void);
bool db_in_transaction(void);

/* Runs st and copies the first row's columns into the arena: cols[i] is the
 * text value or NULL for SQL NULL (ncols columns; extra columns ignored).
 * *found tells whether there was a row (cols untouched when not). */
bool db_one(struct err *e, struct arena *a, struct db_stmt *st, int nparams, const char *const *params, int ncols,
	    const char **cols, bool *found);

/* One page of a keyset-paginated list. The statement's rows are
 * (json document, key_1, ..., key_nkeys) in the list's order, and it must
 * fetch limit + 1 rows so the helper can tell whether more follow. */
#define DB_PAGE_MAX_KEYS 3
struct db_page {
	const char *items;                    /* JSON array text of up to limit documents */
	int count;
	bool more;                            /* a next page exists */
	const char *next[DB_PAGE_MAX_KEYS];   /* keys of the last row on this page */
};
bool db_page(struct err *e, struct arena *a, struct db_stmt *st, int nparams, const char *const *params, int limit,
	     int nkeys, struct db_page *out);

/* Rows of a result, every column as text (NULL for SQL NULL), copied into
 * the arena: v[row * ncols + col]. db_rows runs st and fills out. */
struct db_rows {
	int n, ncols;
	const char **v;
};
static inline const char *db_rows_get(const struct db_rows *r, int row, int col)
{
	return r->v[row * r->ncols + col];
}
bool db_rows(struct err *e, struct arena *a, struct db_stmt *st, int nparams, const char *const *params,
	     struct db_rows *out);

/* A LIKE pattern matching q anywhere, with q's own %, _ and \\ taken
 * literally (use with ESCAPE '\\'); NULL for NULL. */
const char *db_like_contains(struct arena *a, const char *q);

/* Opens a new connection with the configured URL and settings, apart from
 * this thread's (for a LISTEN connection, see db/listen.h). The caller owns
 * it (PQfinish). NULL and e filled (ERR_UNAVAILABLE) when it fails. */
PGconn *db_connect_new(struct err *e);

/* Closes this thread's connection (at thread exit). */
void db_thread_cleanup(void);

/* Times a connection was (re)opened after the first, over all threads. */
uint64_t db_reconnect_count(void);

/* PQclear that accepts NULL. */
void db_done(PGresult *r);

#endif
