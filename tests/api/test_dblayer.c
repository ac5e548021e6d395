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

START_TEST(test_lost_inside_a_transaction_never_commits)
{
	ck_assert(ts_db_create("db_lost_transaction", g_url, sizeof g_url));
	ck_assert(ts_sql(g_url, "CREATE TABLE lost_probe (x int)"));
	db_configure(g_url, 5000);
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

int main(void)
{
	Suite *s = suite_create("db_lost_transaction");
	TCase *tc = tcase_create("db_lost_transaction");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_lost_inside_a_transaction_never_commits);
	suite_add_tcase(s, tc);
	return tf_run(srunner_create(s), NULL);
}
