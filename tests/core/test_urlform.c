/* test_urlform.c — application/x-www-form-urlencoded decoding (the OAuth
 * token endpoint's body and HTTP Basic client credentials), table-driven. */
#include <string.h>

#include "core/urlform.h"
#include "tests/core/suites.h"

static const struct {
	const char *in, *out; /* out NULL: refused */
} decodes[] = {
	{"", ""},
	{"abc", "abc"},
	{"a+b", "a b"},
	{"a%20b", "a b"},
	{"%2B%3d%26", "+=&"},
	{"cli_%41", "cli_A"},
	{"%E2%9C%93", "\xE2\x9C\x93"},
	{"%", NULL},
	{"%4", NULL},
	{"%zz", NULL},
	{"%00", NULL},
};

START_TEST(test_decode)
{
	char out[64];
	size_t n = urlform_decode(decodes[_i].in, strlen(decodes[_i].in), out);
	if (!decodes[_i].out) {
		ck_assert_msg(n == (size_t)-1, "'%s' accepted", decodes[_i].in);
		return;
	}
	ck_assert_msg(n != (size_t)-1, "'%s' refused", decodes[_i].in);
	ck_assert_str_eq(out, decodes[_i].out);
	ck_assert_uint_eq(n, strlen(decodes[_i].out));
}
END_TEST

START_TEST(test_parse)
{
	const char *body = "grant_type=client_credentials&client_id=cli_1&&scope=&x=a%26b+c";
	char buf[128];
	struct urlform_pair p[8];
	size_t n;
	const char *bad = NULL;
	ck_assert(urlform_parse(body, strlen(body), buf, p, 8, &n, &bad));
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(p[0].key, "grant_type");
	ck_assert_str_eq(p[0].value, "client_credentials");
	ck_assert_str_eq(p[1].value, "cli_1");
	ck_assert_str_eq(p[2].key, "scope");
	ck_assert_str_eq(p[2].value, "");
	ck_assert_str_eq(p[3].value, "a&b c");
	ck_assert(urlform_parse("", 0, buf, p, 8, &n, &bad) && n == 0);
}
END_TEST

static const char *const bad_forms[] = {
	"grant_type",                           /* no '=' */
	"=x",                                   /* no name */
	"a=1&a=2",                              /* named twice */
	"a=%zz",                                /* bad escape */
	"a%00=1",                               /* encoded NUL */
	"a=1&b=2&c=3&d=4&e=5",                  /* more than max (4) */
};

START_TEST(test_parse_refused)
{
	char buf[128];
	struct urlform_pair p[4];
	size_t n;
	const char *bad = NULL;
	ck_assert_msg(!urlform_parse(bad_forms[_i], strlen(bad_forms[_i]), buf, p, 4, &n, &bad), "'%s' accepted",
		      bad_forms[_i]);
	ck_assert_ptr_nonnull(bad);
}
END_TEST

Suite *urlform_suite(void)
{
	Suite *s = suite_create("urlform");
	TCase *tc = tcase_create("decode");
	tcase_add_loop_test(tc, test_decode, 0, (int)(sizeof decodes / sizeof decodes[0]));
	tcase_add_test(tc, test_parse);
	tcase_add_loop_test(tc, test_parse_refused, 0, (int)(sizeof bad_forms / sizeof bad_forms[0]));
	suite_add_tcase(s, tc);
	return s;
}
