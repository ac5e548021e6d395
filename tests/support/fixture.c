/* fixture.c — see fixture.h. */
#include "tests/support/fixture.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tf_assert_clean_stop(struct ts_daemon *d)
{
	struct ts_resp *r = ts_get(d, "/healthz", NULL);
	ck_assert_msg(r->status == 200, "after everything above, /healthz answers %ld (%s)", r->status, r->error);
	int status = ts_daemon_stop(d, SIGTERM);
	ck_assert_msg(status == 0, "SIGTERM: the daemon exited with status %d (see its log)", status);
}

void tf_assert_drained(struct ts_daemon *d)
{
	ck_assert_msg(strstr(ts_daemon_log(d), "\"drained\":true"), "the stop was not drained");
}

int tf_run(SRunner *sr, const char *only)
{
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run(sr, only, NULL, CK_VERBOSE);
	int run = srunner_ntests_run(sr), failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	ts_shutdown();
	if (run == 0) {
		fprintf(stderr, "no test ran (is '%s' a suite?)\n", only ? only : "");
		return EXIT_FAILURE;
	}
	if (ts_failures() > 0) {
		fprintf(stderr, "%d daemon(s) exited abnormally (see above)\n", ts_failures());
		return EXIT_FAILURE;
	}
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
