/* test_dblayer.c — suite `db_lost_transaction`: the database layer (db/db.c)
 * against a real PostgreSQL, where a handler's HTTP answer cannot show it.
 *
 * A connection lost inside a transaction (here: its backend terminated
 * from outside, as a restart or a failover does) must never let the change
 * look saved: every later statement of that transaction fails instead of
 * running on a fresh connection outside it, the transaction still counts as
 * open, and COMMIT fails. Before this rule a caller that ignored one failed
 * look-up could answer 201 for a change PostgreSQL never committed (the
 * restart drill saw 2 of 312). The next unit works again.
 *
 * A BEGIN travels in one pipeline with the transaction's first statement:
 * one round trip, yet a real transaction (a rollback takes the statement
 * back); a failing first statement leaves it aborted until the rollback; a
 * connection that died before the first round trip is replaced and the
 * transaction runs whole on the new one; a transaction with no statement
 * costs nothing.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "tests/support/fixture.h"
#include "tests/support/harness.h"

static char g_url[512];

static long long count_rows(void)
{
	char v[32];
	ck_assert(ts_sql_value(g_url, "SELECT count(*) FROM lost_probe", v, sizeof v));
	return atoll(v);
}

static void backend_terminate(void)
{
	struct err e;
	err_clear(&e);
	PGresult *r;
	ck_assert_msg(db_exec_text(&e, "SELECT pg_backend_pid()", &r), "%s", e.log);
	char sql[96];
	snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%s)", PQgetvalue(r, 0, 0));
	PQclear(r);
	char v[8];
	ck_assert(ts_sql_value(g_url, sql, v, sizeof v));
	ck_assert_str_eq(v, "t");
}

/* A database of the suite's own with the probe table, configured. */
static void probe_db(const char *name)
{
	ck_assert(ts_db_create(name, g_url, sizeof g_url));
	ck_assert(ts_sql(g_url, "CREATE TABLE lost_probe (x int)"));
	db_configure(g_url, 5000);
}

START_TEST(test_lost_inside_a_transaction_never_commits)
{
	probe_db("db_lost_transaction");
	struct err e;
	err_clear(&e);
	db_unit_start(false);
	ck_assert(db_begin(&e));
	ck_assert_msg(db_exec_text(&e, "INSERT INTO lost_probe VALUES (1)", NULL), "%s", e.log);
	backend_terminate();
	/* the statement that meets the dead connection fails */
	ck_assert(!db_exec_text(&e, "INSERT INTO lost_probe VALUES (2)", NULL));
	ck_assert_int_eq(e.kind, ERR_UNAVAILABLE);
	/* and so does the next one: it must not run on a new connection, outside
	 * the transaction, and be saved on its own */
	err_clear(&e);
	ck_assert(!db_exec_text(&e, "INSERT INTO lost_probe VALUES (3)", NULL));
	ck_assert_int_eq(e.kind, ERR_UNAVAILABLE);
	ck_assert_str_eq(e.code, "db.unavailable");
	ck_assert(db_in_transaction());
	err_clear(&e);
	ck_assert(!db_commit(&e));
	ck_assert_int_eq(e.kind, ERR_UNAVAILABLE);
	ck_assert(!db_in_transaction());
	ck_assert_int_eq(count_rows(), 0);

	/* a rollback ends it just as well */
	db_unit_start(false);
	err_clear(&e);
	ck_assert(db_begin(&e));
	backend_terminate();
	ck_assert(!db_exec_text(&e, "INSERT INTO lost_probe VALUES (4)", NULL));
	db_rollback();
	ck_assert(!db_in_transaction());

	/* the next unit connects again and commits */
	db_unit_start(false);
	err_clear(&e);
	ck_assert_msg(db_begin(&e), "%s", e.log);
	ck_assert_msg(db_exec_text(&e, "INSERT INTO lost_probe VALUES (5)", NULL), "%s", e.log);
	ck_assert_msg(db_commit(&e), "%s", e.log);
	ck_assert_int_eq(count_rows(), 1);
	db_thread_cleanup();
	ck_assert(ts_db_drop(g_url));
}
END_TEST

DB_STMT(st_probe_insert, "INSERT INTO lost_probe VALUES ($1::int) RETURNING x");
DB_STMT(st_probe_count, "SELECT count(*) FROM lost_probe");
DB_STMT(st_probe_strict, "INSERT INTO lost_probe VALUES ($1::int)");

static long long count_in_unit(void)
{
	struct err e;
	err_clear(&e);
	PGresult *r;
	ck_assert_msg(db_exec(&e, &st_probe_count, 0, NULL, &r), "%s", e.log);
	long long n = atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	return n;
}

START_TEST(test_begin_travels_with_the_first_statement)
{
	probe_db("db_begin_pipeline");
	struct err e;
	err_clear(&e);
	const char *one[] = {"1"}, *bad[] = {"not a number"};

	/* one round trip for BEGIN and a statement prepared on the way; the
	 * rollback takes the row back, so the BEGIN was real */
	db_unit_start(false);
	ck_assert(db_begin(&e));
	ck_assert_int_eq(db_unit_statements(), 0);
	PGresult *r;
	ck_assert_msg(db_exec(&e, &st_probe_insert, 1, one, &r), "%s", e.log);
	ck_assert_str_eq(PQgetvalue(r, 0, 0), "1");
	PQclear(r);
	ck_assert_int_eq(db_unit_statements(), 1);
	ck_assert_int_eq(count_in_unit(), 1);
	ck_assert_int_eq(db_unit_statements(), 2);
	db_rollback();
	ck_assert(!db_in_transaction());
	ck_assert_int_eq(count_rows(), 0);

	/* a transaction in which nothing ran commits without a round trip */
	db_unit_start(false);
	ck_assert(db_begin(&e));
	ck_assert(db_in_transaction());
	ck_assert_msg(db_commit(&e), "%s", e.log);
	ck_assert_int_eq(db_unit_statements(), 0);
	ck_assert(!db_in_transaction());

	/* a first statement that fails (here at its first use on the
	 * connection, after its preparation succeeded) leaves the transaction
	 * aborted: the next statement is refused, the rollback ends it, nothing
	 * is saved */
	db_unit_start(false);
	ck_assert(db_begin(&e));
	ck_assert(!db_exec(&e, &st_probe_strict, 1, bad, NULL));
	ck_assert_int_eq(e.kind, ERR_INVALID);
	ck_assert(db_in_transaction());
	err_clear(&e);
	ck_assert(!db_exec(&e, &st_probe_insert, 1, one, NULL));
	db_rollback();
	ck_assert_int_eq(count_rows(), 0);

	/* the statement stayed prepared on the server and runs (it is not
	 * prepared a second time), and the row is committed */
	db_unit_start(false);
	err_clear(&e);
	ck_assert(db_begin(&e));
	ck_assert_msg(db_exec(&e, &st_probe_strict, 1, one, NULL), "%s", e.log);
	ck_assert_msg(db_commit(&e), "%s", e.log);
	ck_assert_int_eq(count_rows(), 1);

	/* the connection dies between two units: the next transaction's first
	 * round trip meets the dead connection and runs again, whole, on a new
	 * one */
	uint64_t reconnects = db_reconnect_count();
	backend_terminate();
	db_unit_start(false);
	ck_assert(db_begin(&e));
	ck_assert_msg(db_exec(&e, &st_probe_insert, 1, one, NULL), "%s", e.log);
	ck_assert_int_eq(count_in_unit(), 2);
	ck_assert_msg(db_commit(&e), "%s", e.log);
	ck_assert_uint_eq(db_reconnect_count(), reconnects + 1);
	ck_assert_int_eq(count_rows(), 2);
	db_thread_cleanup();
	ck_assert(ts_db_drop(g_url));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("db_lost_transaction");
	TCase *tc = tcase_create("db_lost_transaction");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_lost_inside_a_transaction_never_commits);
	tcase_add_test(tc, test_begin_travels_with_the_first_statement);
	suite_add_tcase(s, tc);
	return tf_run(srunner_create(s), NULL);
}
