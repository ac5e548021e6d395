/* test_path.c — route template matching, table-driven. */
#include <string.h>

#include "core/path.h"
#include "tests/core/suites.h"

static const struct {
	const char *tmpl, *path;
	bool match;
	int nparams;
	const char *p0, *p1;
} cases[] = {
	{"/healthz", "/healthz", true, 0, NULL, NULL},
	{"/healthz", "/healthz/", false, 0, NULL, NULL},
	{"/healthz", "/Healthz", false, 0, NULL, NULL},
	{"/healthz", "/healthzz", false, 0, NULL, NULL},
	{"/healthz", "/health", false, 0, NULL, NULL},
	{"/healthz", "", false, 0, NULL, NULL},
	{"/", "/", true, 0, NULL, NULL},
	{"/api/v1/requests/{id}", "/api/v1/requests/abc", true, 1, "abc", NULL},
	{"/api/v1/requests/{id}", "/api/v1/requests/", false, 0, NULL, NULL},
	{"/api/v1/requests/{id}", "/api/v1/requests", false, 0, NULL, NULL},
	{"/api/v1/requests/{id}", "/api/v1/requests/abc/def", false, 0, NULL, NULL},
	{"/api/v1/requests/{id}/dispositions", "/api/v1/requests/7/dispositions", true, 1, "7", NULL},
	{"/api/v1/requests/{id}/dispositions", "/api/v1/requests//dispositions", false, 0, NULL, NULL},
	{"/api/v1/requests/{id}/dispositions", "/api/v1/requests/7/disposition", false, 0, NULL, NULL},
	{"/a/{x}/b/{y}", "/a/1/b/2", true, 2, "1", "2"},
	{"/a/{x}/b/{y}", "/a/1/c/2", false, 0, NULL, NULL},
	{"/a/{x}/{y}/{z}/{w}", "/a/1/2/3/4", true, 4, "1", "2"},
	{"/a/{x}/{y}/{z}/{w}/{v}", "/a/1/2/3/4/5", false, 0, NULL, NULL}, /* over PATH_MAX_PARAMS */
	{"relative", "relative", false, 0, NULL, NULL},
};

START_TEST(test_match_table)
{
	struct path_param p[PATH_MAX_PARAMS];
	int n = -1;
	bool got = path_match(cases[_i].tmpl, cases[_i].path, p, &n);
	ck_assert_msg(got == cases[_i].match, "%s vs %s", cases[_i].tmpl, cases[_i].path);
	if (!got)
		return;
	ck_assert_int_eq(n, cases[_i].nparams);
	if (cases[_i].p0) {
		ck_assert_uint_eq(p[0].len, strlen(cases[_i].p0));
		ck_assert(memcmp(p[0].start, cases[_i].p0, p[0].len) == 0);
	}
	if (cases[_i].p1) {
		ck_assert_uint_eq(p[1].len, strlen(cases[_i].p1));
		ck_assert(memcmp(p[1].start, cases[_i].p1, p[1].len) == 0);
	}
}
END_TEST

START_TEST(test_specificity)
{
	ck_assert_int_gt(path_specificity("/api/v1/requests/mine"), path_specificity("/api/v1/requests/{id}"));
	ck_assert_int_eq(path_specificity("/a/{b}/c"), 2);
	ck_assert_int_eq(path_specificity("/"), 0);
}
END_TEST

Suite *path_suite(void)
{
	Suite *s = suite_create("path");
	TCase *tc = tcase_create("match");
	tcase_add_loop_test(tc, test_match_table, 0, (int)(sizeof cases / sizeof cases[0]));
	tcase_add_test(tc, test_specificity);
	suite_add_tcase(s, tc);
	return s;
}
