/* fixture.h — what the API suites share on top of the harness (harness.h):
 * the closing check of a suite that kept its daemon, and the Check runner
 * every test program ends with.
 *
 * Assertions here use Check's ck_assert_msg, so they must be called from a
 * running test (the suites run with CK_NOFORK).
 */
#ifndef ALURD_TESTS_SUPPORT_FIXTURE_H
#define ALURD_TESTS_SUPPORT_FIXTURE_H

#include <check.h>

#include "tests/support/harness.h"

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
