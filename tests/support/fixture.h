/* fixture.h — what the API suites share on top of the harness (harness.h):
 * assertions on responses and problem answers, field-error look-ups, the
 * closing check of a suite that kept its daemon, and the Check runner every
 * test program ends with.
 *
 * Assertions here use Check's ck_assert_msg, so they must be called from a
 * running test (the suites run with CK_NOFORK).
 */
#ifndef ALURD_TESTS_SUPPORT_FIXTURE_H
#define ALURD_TESTS_SUPPORT_FIXTURE_H

#include <check.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "tests/support/harness.h"

/* True when content_type is the media type want (case-insensitive), alone or
 * followed by parameters. */
bool tf_media_type_is(const char *content_type, const char *want);

/* r->status is status; on failure the message names file:line and shows the
 * body (or the transport error). */
void tf_assert_status_at(const char *file, int line, const struct ts_resp *r, long status);
/* A problem answer: the status, media type application/problem+json, a JSON
 * object whose type, title and detail are strings and whose status member is
 * status, the code (NULL: any), and a request_id equal to the X-Request-Id
 * header. */
void tf_assert_problem_at(const char *file, int line, const struct ts_resp *r, long status, const char *code);

/* The problem's entry in "errors" for field (listed as "field" or "/field"),
 * or NULL. Borrowed from r. */
json_t *tf_field_error(const struct ts_resp *r, const char *field);
/* That entry's "code", "" when there is none. Borrowed. */
const char *tf_field_error_code(const struct ts_resp *r, const char *field);

/* ---- a suite's daemon and its first accounts ----------------------------- */

/* ts_init(suite), a copy of the template as the suite's database (its URL
 * written to db, n bytes) and one daemon on it with extra_env (as
 * ts_daemon_start). Asserts both; when the daemon does not start, the
 * database is dropped first and db emptied. */
struct ts_daemon *tf_suite_start(const char *suite, const char *const *extra_env, char *db, size_t n);
/* Frees *d (stopping it if still running) and sets it to NULL, drops the
 * database db unless it is "", empties db and calls ts_gc(). */
void tf_suite_down(struct ts_daemon **d, char *db);
/* Runs `alurd admin create username` on db_url (with TS_JWT_SECRET), the
 * password and a newline on standard input. Asserts exit status 0 and
 * returns the command's output (valid until the next call). */
const char *tf_admin_create(const char *db_url, const char *username, const char *password);

/* These two make no Check assertion, so they may run on set-up threads; they
 * print what went wrong to stderr and return false. */
/* POST /api/v1/users as admin_token with body; 201 expected; the new id is
 * copied to id (n bytes). username only names the user in messages. */
bool tf_create_user(struct ts_daemon *d, const char *admin_token, const char *username, const char *body, char *id,
		    size_t n);
/* POST /api/v1/auth/login; 200 with a non-empty access_token expected, which
 * is copied to token (n bytes). */
bool tf_login(struct ts_daemon *d, const char *username, const char *password, char *token, size_t n);
/* Runs fn(args[i]) for i < n, each on a thread of its own, and waits for all.
 * True when every call returned true (and every thread started). */
bool tf_all_at_once(int n, bool (*fn)(void *), void *const *args);

/* A test case: setup and teardown run once around its tests (unchecked
 * fixtures), each_after after every test (checked), timeout_s as Check's
 * timeout (0: Check's default). */
TCase *tf_tcase(const char *name, void (*setup)(void), void (*teardown)(void), void (*each_after)(void),
		int timeout_s);

/* ---- the end of a suite ---------------------------------------------------- */

/* The daemon still answers GET /healthz with 200 after everything the suite
 * did, then SIGTERM makes it exit with status 0 (ts_daemon_stop). */
void tf_assert_clean_stop(struct ts_daemon *d);
/* The daemon's log reports a drained stop ("drained":true). */
void tf_assert_drained(struct ts_daemon *d);

/* Runs sr without forking (only: one suite's name, or NULL for all), frees
 * it and calls ts_shutdown(). EXIT_SUCCESS when at least one test ran, none
 * failed and no daemon exited abnormally (ts_failures). */
int tf_run(SRunner *sr, const char *only);
/* A test program's main: the suites suites[0], suites[1], ... (NULL ends the
 * list) in that order, run through tf_run with argv[1] (when given) as the
 * one suite to run. */
int tf_main(int argc, char **argv, Suite *(*const *suites)(void));

#endif
