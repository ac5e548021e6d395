/* test_core.c — runs every core/ suite; exit status is the failure count. */
#include <stdlib.h>

#include "tests/core/suites.h"

int main(void)
{
	SRunner *sr = srunner_create(path_suite());
	srunner_add_suite(sr, authz_suite());
	srunner_add_suite(sr, err_arena_suite());
	srunner_add_suite(sr, validate_suite());
	srunner_add_suite(sr, numfmt_suite());
	srunner_add_suite(sr, docsniff_suite());
	srunner_add_suite(sr, officehours_suite());
	srunner_add_suite(sr, urlform_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
