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

/* The daemon still answers GET /healthz with 200 after everything the suite
 * did, then SIGTERM makes it exit with status 0 (ts_daemon_stop). */
void tf_assert_clean_stop(struct ts_daemon *d);
/* The daemon's log reports a drained stop ("drained":true). */
void tf_assert_drained(struct ts_daemon *d);

/* Runs sr without forking (only: one suite's name, or NULL for all), frees
 * it and calls ts_shutdown(). EXIT_SUCCESS when at least one test ran, none
 * failed and no daemon exited abnormally (ts_failures). */
int tf_run(SRunner *sr, const char *only);

#endif
