/* suites.h — the Check suites of core/, run together by test_core. */
#ifndef ALURD_TESTS_CORE_SUITES_H
#define ALURD_TESTS_CORE_SUITES_H

#include <check.h>

Suite *path_suite(void);
Suite *authz_suite(void);
Suite *err_arena_suite(void);
Suite *validate_suite(void);
Suite *numfmt_suite(void);
Suite *docsniff_suite(void);
Suite *officehours_suite(void);
Suite *urlform_suite(void);

#endif
