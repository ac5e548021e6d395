/* db.c — per-thread connections and the statement helper.
 *
 * The thread-local state is a PGconn plus a bitmap of the statement slots
 * already prepared on it; the bitmap is cleared whenever the connection is
 * replaced, so statements are re-prepared transparently after a reconnect.
 */
#include "db/db.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *g_url, *g_read_url;
static int g_statement_timeout_ms;
static atomic_int g_next_slot = 1;
static atomic_uint_least64_t g_reconnects;

struct tls {
	PGconn *pg;
	bool ever_connected;
	bool in_tx;
	bool tx_lost; /* the connection dropped inside a transaction: no statement runs
	                 (a new connection would run it outside the transaction) and
	                 COMMIT fails, until the unit, a BEGIN or a ROLLBACK starts anew */
	bool begin_pending; /* db_begin was called and its BEGIN has not been sent: it
	                       travels with the transaction's first statement (one round trip) */
	bool unit_read_only;
	int unit_statements;
	unsigned char prepared[DB_MAX_STMTS / 8];
};
static _Thread_local struct tls t;
/* The connection to the read replica (ALURD_DATABASE_READ_URL) while t is
 * the primary's, and the other way round: db_unit_start_report swaps them, so
 * every helper below works on whichever t is. */
static _Thread_local struct tls t_other;
static _Thread_local bool t_on_replica;

void db_configure(const char *url, int statement_timeout_ms)
{
	free(g_url);
	g_url = strdup(url);
	if (!g_url)
		abort();
	g_statement_timeout_ms = statement_timeout_ms;
}

uint64_t db_reconnect_count(void)
{
	return atomic_load(&g_reconnects);
}

static void drop_connection(void)
{
	if (t.pg)
		PQfinish(t.pg);
	t.pg = NULL;
	/* a pending BEGIN has no transaction on the server yet: it stays
	 * pending and travels on the next connection */
	if (t.in_tx && !t.begin_pending) {
		t.tx_lost = true;
		t.in_tx = false;
	}
	memset(t.prepared, 0, sizeof t.prepared);
}

/* Makes t the replica's connection (to_replica) or the primary's. */
static void use_replica(bool to_replica)
{
	if (t_on_replica == to_replica)
		return;
	struct tls keep = t;
	t = t_other;
	t_other = keep;
	t_on_replica = to_replica;
}

void db_thread_cleanup(void)
{
	for (int i = 0; i < 2; i++) {
		drop_connection();
		t.ever_connected = false;
		use_replica(!t_on_replica);
	}
	use_replica(false);
}

static void quiet_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message; /* NOTICEs (e.g. "already exists, skipping") are not errors */
}

void db_configure_read(const char *url)
{
	free(g_read_url);
	g_read_url = url && *url ? strdup(url) : NULL;
	if (url && *url && !g_read_url)
		abort();
}

static PGconn *open_conn(const char *url, const char *application, struct err *e)
{
	char opts[64];
	snprintf(opts, sizeof opts, "-c statement_timeout=%d -c TimeZone=UTC", g_statement_timeout_ms);
	/* TCP keepalives and a user timeout come first, so the URL may override
	 * them: without them a connection to a database behind a partition
	 * would hang for as long as TCP retransmits (~15 minutes); with them a
	 * dead peer is found within ~20 s and the request answers 503 */
	const char *keys[] = {"keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count",
			      "tcp_user_timeout", "dbname", "application_name", "connect_timeout", "options", NULL};
	const char *vals[] = {"1", "5", "2", "3", "20000", url ? url : "", application, "5", opts, NULL};
	PGconn *pg = PQconnectdbParams(keys, vals, 1);
	if (!pg)
		abort();
	if (PQstatus(pg) != CONNECTION_OK) {
		err_log(e, "connect: %s", PQerrorMessage(pg));
		PQfinish(pg);
		err_set(e, ERR_UNAVAILABLE, "db.unavailable", "The database is not reachable; try again shortly.");
		return NULL;
	}
	PQsetNoticeProcessor(pg, quiet_notice, NULL);
	return pg;
}

PGconn *db_connect_new(struct err *e)
{
	return open_conn(g_url, "alurd", e);
}

static bool connect_now(struct err *e)
{
	PGconn *pg = t_on_replica ? open_conn(g_read_url, "alurd-report", e) : db_connect_new(e);
	if (!pg)
		return false;
	if (t.ever_connected)
		atomic_fetch_add(&g_reconnects, 1);
	t.ever_connected = true;
	t.pg = pg;
	memset(t.prepared, 0, sizeof t.prepared);
	return true;
}

static bool ensure_connection(struct err *e)
{
	if (t.tx_lost)
		return err_set(e, ERR_UNAVAILABLE, "db.unavailable",
			       "The database connection was lost in the middle of the change; nothing was saved.");
	if (t.pg && PQstatus(t.pg) == CONNECTION_OK)
		return true;
	drop_connection();
	return connect_now(e);
}

void db_unit_start(bool read_only)
{
	use_replica(false);
	t.tx_lost = false;
	t.unit_read_only = read_only;
	t.unit_statements = 0;
}

bool db_unit_start_report(void)
{
	use_replica(g_read_url != NULL);
	t.tx_lost = false;
	t.unit_read_only = true;
	t.unit_statements = 0;
	return t_on_replica;
}

DB_STMT(st_as_of, "SELECT to_char(coalesce(CASE WHEN pg_is_in_recovery() THEN pg_last_xact_replay_timestamp() END,"
		  " now()) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')");

bool db_as_of(struct err *e, struct arena *a, const char **as_of)
{
	bool found;
	if (!db_one(e, a, &st_as_of, 0, NULL, 1, as_of, &found))
		return false;
	if (!found || !*as_of)
		return err_set(e, ERR_INTERNAL, "internal", "An internal error occurred.");
	return true;
}

int db_unit_statements(void)
{
	return t.unit_statements;
}

/* Maps a failed result to the error taxonomy. Returns false. */
static bool fail_from_result(struct err *e, PGresult *r)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorMessage(r) : PQerrorMessage(t.pg);
	err_log(e, "sqlstate=%s %s", state ? state : "-", msg ? msg : "");
	/* 25006: a read-only transaction, i.e. a server that is a standby now
	 * (a failover demoted it): the connection is dropped and the next one
	 * goes where the read-write address points. */
	bool lost = !state || strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
		    strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0 || strcmp(state, "25006") == 0 ||
		    PQstatus(t.pg) != CONNECTION_OK;
	if (lost) {
		drop_connection();
		return err_set(e, ERR_UNAVAILABLE, "db.unavailable", "The database is not reachable; try again shortly.");
	}
	if (strcmp(state, "23505") == 0)
		return err_set(e, ERR_CONFLICT, "db.unique_violation", "A record with these values already exists.");
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
		return err_set(e, ERR_RETRY, "db.retry", "A concurrent change interfered; try again.");
	if (strcmp(state, "57014") == 0)
		return err_set(e, ERR_UNAVAILABLE, "db.timeout", "The database took too long to answer.");
	if (strncmp(state, "22", 2) == 0 || strcmp(state, "23514") == 0 || strcmp(state, "23502") == 0)
		return err_set(e, ERR_INVALID, "request.invalid", "A value is out of range or malformed.");
	if (strcmp(state, "23503") == 0)
		return err_set(e, ERR_CONFLICT, "db.reference_violation", "A referenced record does not exist or is still in use.");
	return err_set(e, ERR_INTERNAL, "internal", "An internal error occurred.");
}

static bool result_ok(PGresult *r)
{
	ExecStatusType s = PQresultStatus(r);
	return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY;
}

static int stmt_slot(struct db_stmt *st)
{
	int slot = __atomic_load_n(&st->slot, __ATOMIC_ACQUIRE);
	if (slot)
		return slot;
	int fresh = atomic_fetch_add(&g_next_slot, 1);
	if (fresh >= DB_MAX_STMTS)
		abort(); /* raise DB_MAX_STMTS */
	int expected = 0;
	if (__atomic_compare_exchange_n(&st->slot, &expected, fresh, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return fresh;
	return expected; /* another thread won; the fresh slot stays unused */
}

struct bin {
	const int *lengths, *formats;
	int result_format;
};

/* Reads the results of a pipeline up to its sync point. The result of the
 * command at position want (counting from 0) is kept in *keep; the first
 * failure (or a lost connection) is reported in e and its position in
 * *failed (-1: none; the commands after it did not run). The connection
 * leaves pipeline mode. */
static void pipeline_results(int want, PGresult **keep, int *failed, struct err *e)
{
	*keep = NULL;
	*failed = -1;
	int i = 0;
	for (;;) {
		PGresult *r = PQgetResult(t.pg);
		if (!r) {
			if (PQstatus(t.pg) != CONNECTION_OK) {
				if (*failed < 0) {
					*failed = i;
					fail_from_result(e, NULL);
				}
				break;
			}
			continue; /* the end of one command's results */
		}
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			break;
		}
		if (st != PGRES_PIPELINE_ABORTED && !result_ok(r) && *failed < 0) {
			*failed = i;
			fail_from_result(e, r);
		}
		if (i == want && *failed < 0)
			*keep = r;
		else
			PQclear(r);
		i++;
	}
	if (t.pg)
		PQexitPipelineMode(t.pg);
	if (*failed >= 0) {
		db_done(*keep);
		*keep = NULL;
	}
}

/* Runs st on t.pg. With t.begin_pending, the BEGIN, the statement's
 * preparation when it is new on this connection, and the statement are sent
 * as one pipeline (libpq's pipeline mode): one round trip. */
static PGresult *run_prepared(struct db_stmt *st, int slot, int nparams, const char *const *params,
			      const struct bin *b, struct err *e, bool *ok)
{
	char name[16];
	snprintf(name, sizeof name, "s%d", slot);
	*ok = false;
	bool fresh = !st->adhoc && !(t.prepared[slot / 8] & (1u << (slot % 8)));
	if (t.begin_pending) {
		if (!PQenterPipelineMode(t.pg) || !PQsendQueryParams(t.pg, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) ||
		    (fresh && !PQsendPrepare(t.pg, name, st->sql, 0, NULL)) ||
		    !(st->adhoc ? PQsendQueryParams(t.pg, st->sql, nparams, NULL, params, b->lengths, b->formats,
						    b->result_format)
				: PQsendQueryPrepared(t.pg, name, nparams, params, b->lengths, b->formats,
						      b->result_format)) ||
		    !PQpipelineSync(t.pg)) {
			fail_from_result(e, NULL);
			return NULL;
		}
		PGresult *r;
		int failed;
		pipeline_results(fresh ? 2 : 1, &r, &failed, e);
		if (t.pg) /* still connected: the BEGIN ran, a failure is inside the transaction */
			t.begin_pending = false;
		/* the preparation stays on the server even when the statement failed */
		if (fresh && t.pg && (failed < 0 || failed > 1))
			t.prepared[slot / 8] |= (unsigned char)(1u << (slot % 8));
		if (failed >= 0)
			return NULL;
		*ok = true;
		return r;
	}
	if (st->adhoc) {
		PGresult *r = PQexecParams(t.pg, st->sql, nparams, NULL, params, b->lengths, b->formats, b->result_format);
		if (!r || !result_ok(r)) {
			fail_from_result(e, r);
			db_done(r);
			return NULL;
		}
		*ok = true;
		return r;
	}
	if (fresh) {
		PGresult *p = PQprepare(t.pg, name, st->sql, 0, NULL);
		if (!p || !result_ok(p)) {
			fail_from_result(e, p);
			db_done(p);
			return NULL;
		}
		PQclear(p);
		t.prepared[slot / 8] |= (unsigned char)(1u << (slot % 8));
	}
	PGresult *r = PQexecPrepared(t.pg, name, nparams, params, b->lengths, b->formats, b->result_format);
	if (!r || !result_ok(r)) {
		fail_from_result(e, r);
		db_done(r);
		return NULL;
	}
	*ok = true;
	return r;
}

/* The one place that decides whether a failed first statement is re-run. */
static bool may_retry(const struct err *e, bool is_begin)
{
	return e->kind == ERR_UNAVAILABLE && t.unit_statements == 1 && (is_begin || t.unit_read_only) &&
	       t.ever_connected;
}

static bool exec_stmt(struct err *e, struct db_stmt *st, int nparams, const char *const *params, const struct bin *b,
		      PGresult **out)
{
	int slot = stmt_slot(st);
	for (int attempt = 0; attempt < 2; attempt++) {
		if (!ensure_connection(e))
			return false;
		t.unit_statements++;
		bool ok, carried_begin = t.begin_pending;
		PGresult *r = run_prepared(st, slot, nparams, params, b, e, &ok);
		if (ok) {
			if (out)
				*out = r;
			else
				PQclear(r);
			return true;
		}
		if (attempt == 0 && may_retry(e, carried_begin)) {
			/* the connection died under the transaction's first round
			 * trip: nothing of it exists, so it starts again */
			if (carried_begin) {
				t.tx_lost = false;
				t.in_tx = true;
				t.begin_pending = true;
			}
			t.unit_statements = 0;
			err_clear(e);
			continue;
		}
		/* the connection died under the transaction's first round trip
		 * (the BEGIN is still pending): the transaction is gone, and no
		 * later statement may run as if it were still open */
		if (carried_begin && t.begin_pending) {
			t.begin_pending = false;
			t.in_tx = false;
			t.tx_lost = true;
		}
		return false;
	}
	return false;
}

bool db_exec(struct err *e, struct db_stmt *st, int nparams, const char *const *params, PGresult **out)
{
	static const struct bin text = {NULL, NULL, 0};
	return exec_stmt(e, st, nparams, params, &text, out);
}

bool db_exec_bin(struct err *e, struct db_stmt *st, int nparams, const char *const *params, const int *lengths,
		 const int *formats, bool binary_result, PGresult **out)
{
	struct bin b = {lengths, formats, binary_result ? 1 : 0};
	return exec_stmt(e, st, nparams, params, &b, out);
}

static bool exec_text(struct err *e, const char *sql, PGresult **out, bool is_begin)
{
	if (t.begin_pending) { /* a text statement travels alone: its BEGIN goes first */
		t.begin_pending = false;
		t.in_tx = false;
		if (!exec_text(e, "BEGIN", NULL, true)) {
			t.tx_lost = true; /* nothing may run outside the transaction the caller began */
			return false;
		}
		t.in_tx = true;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		if (!ensure_connection(e))
			return false;
		t.unit_statements++;
		PGresult *r = PQexec(t.pg, sql);
		if (r && result_ok(r)) {
			if (out)
				*out = r;
			else
				PQclear(r);
			return true;
		}
		fail_from_result(e, r);
		db_done(r);
		if (attempt == 0 && may_retry(e, is_begin)) {
			t.unit_statements = 0;
			err_clear(e);
			continue;
		}
		return false;
	}
	return false;
}

bool db_exec_text(struct err *e, const char *sql, PGresult **out)
{
	return exec_text(e, sql, out, false);
}

bool db_begin(struct err *e)
{
	(void)e;
	t.tx_lost = false;
	t.in_tx = true;
	t.begin_pending = true; /* sent with the first statement */
	return true;
}

bool db_commit(struct err *e)
{
	t.in_tx = false;
	if (t.tx_lost) {
		t.tx_lost = false;
		return err_set(e, ERR_UNAVAILABLE, "db.unavailable",
			       "The database connection was lost in the middle of the change; nothing was saved.");
	}
	if (t.begin_pending) { /* no statement ran: there is nothing to commit */
		t.begin_pending = false;
		return true;
	}
	if (!t.pg)
		return err_set(e, ERR_UNAVAILABLE, "db.unavailable", "The database is not reachable; try again shortly.");
	PGresult *r = PQexec(t.pg, "COMMIT");
	if (!r || !result_ok(r)) {
		fail_from_result(e, r);
		db_done(r);
		return false;
	}
	/* COMMIT of an aborted transaction answers ROLLBACK: a bug upstream */
	bool rolled_back = strcmp(PQcmdStatus(r), "ROLLBACK") == 0;
	PQclear(r);
	if (rolled_back)
		return err_set(e, ERR_INTERNAL, "internal", "An internal error occurred.");
	return true;
}

void db_rollback(void)
{
	t.tx_lost = false;
	if (!t.in_tx)
		return;
	t.in_tx = false;
	if (t.begin_pending) {
		t.begin_pending = false;
		return;
	}
	if (!t.pg)
		return;
	PGresult *r = PQexec(t.pg, "ROLLBACK");
	if (!r || PQresultStatus(r) != PGRES_COMMAND_OK)
		drop_connection();
	db_done(r);
}

bool db_in_transaction(void)
{
	return t.in_tx || t.tx_lost; /* a lost one still needs its COMMIT refused or its ROLLBACK */
}

void db_done(PGresult *r)
{
	if (r)
		PQclear(r);
}

const char *db_like_contains(struct arena *a, const char *q)
{
	if (!q)
		return NULL;
	char *pat = arena_alloc(a, strlen(q) * 2 + 3), *w = pat;
	*w++ = '%';
	for (const char *s = q; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			*w++ = '\\';
		*w++ = *s;
	}
	*w++ = '%';
	*w = '\0';
	return pat;
}

bool db_one(struct err *e, struct arena *a, struct db_stmt *st, int nparams, const char *const *params, int ncols,
	    const char **cols, bool *found)
{
	PGresult *r;
	if (!db_exec(e, st, nparams, params, &r))
		return false;
	*found = PQntuples(r) > 0;
	if (*found) {
		int have = PQnfields(r);
		for (int i = 0; i < ncols; i++)
			cols[i] = i < have && !PQgetisnull(r, 0, i) ? arena_strdup(a, PQgetvalue(r, 0, i)) : NULL;
	}
	PQclear(r);
	return true;
}

bool db_rows(struct err *e, struct arena *a, struct db_stmt *st, int nparams, const char *const *params,
	     struct db_rows *out)
{
	PGresult *r;
	if (!db_exec(e, st, nparams, params, &r))
		return false;
	out->n = PQntuples(r);
	out->ncols = PQnfields(r);
	out->v = arena_alloc(a, sizeof *out->v * (size_t)(out->n * out->ncols + 1));
	for (int i = 0; i < out->n; i++)
		for (int k = 0; k < out->ncols; k++)
			out->v[i * out->ncols + k] = PQgetisnull(r, i, k) ? NULL : arena_strdup(a, PQgetvalue(r, i, k));
	PQclear(r);
	return true;
}

bool db_page(struct err *e, struct arena *a, struct db_stmt *st, int nparams, const char *const *params, int limit,
	     int nkeys, struct db_page *out)
{
	PGresult *r;
	if (!db_exec(e, st, nparams, params, &r))
		return false;
	int rows = PQntuples(r);
	out->more = rows > limit;
	out->count = out->more ? limit : rows;
	size_t len = 3;
	for (int i = 0; i < out->count; i++)
		len += (size_t)PQgetlength(r, i, 0) + 1;
	char *items = arena_alloc(a, len);
	char *p = items;
	*p++ = '[';
	for (int i = 0; i < out->count; i++) {
		if (i)
			*p++ = ',';
		size_t n = (size_t)PQgetlength(r, i, 0);
		memcpy(p, PQgetvalue(r, i, 0), n);
		p += n;
	}
	*p++ = ']';
	*p = '\0';
	out->items = items;
	for (int k = 0; k < DB_PAGE_MAX_KEYS; k++)
		out->next[k] = NULL;
	if (out->count > 0)
		for (int k = 0; k < nkeys && k < DB_PAGE_MAX_KEYS; k++)
			out->next[k] = arena_strdup(a, PQgetvalue(r, out->count - 1, k + 1));
	PQclear(r);
	return true;
}
