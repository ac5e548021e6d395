/* test_officehours.c — parsing ALURD_OFFICE_HOURS, table-driven. */
#include <string.h>

#include "core/officehours.h"
#include "tests/core/suites.h"

/* Expected hours as "open-close" minutes per weekday, Sunday first; "-" closed. */
static const struct {
	const char *spec;
	int open[7], close[7];
} good[] = {
	{"mon-fri 08:00-16:00", {0, 480, 480, 480, 480, 480, 0}, {0, 960, 960, 960, 960, 960, 0}},
	{"mon-thu 08:00-16:00; fri 08:00-11:00", {0, 480, 480, 480, 480, 480, 0}, {0, 960, 960, 960, 960, 660, 0}},
	{"  MON 07:30-15:30 ;sat 09:00-12:00;  ", {0, 450, 0, 0, 0, 0, 540}, {0, 930, 0, 0, 0, 0, 720}},
	{"sun-sat 00:00-24:00", {0, 0, 0, 0, 0, 0, 0}, {1440, 1440, 1440, 1440, 1440, 1440, 1440}},
	{"wed 23:59-24:00", {0, 0, 0, 1439, 0, 0, 0}, {0, 0, 0, 1440, 0, 0, 0}},
	/* ranges that end on Sunday or wrap past it */
	{"mon-sun 08:00-16:00", {480, 480, 480, 480, 480, 480, 480}, {960, 960, 960, 960, 960, 960, 960}},
	{"sat-sun 09:00-12:00", {540, 0, 0, 0, 0, 0, 540}, {720, 0, 0, 0, 0, 0, 720}},
	{"fri-mon 08:00-16:00", {480, 480, 0, 0, 0, 480, 480}, {960, 960, 0, 0, 0, 960, 960}},
	{"mon-fri 08:00-16:00; sat-sun 09:00-12:00", {540, 480, 480, 480, 480, 480, 540},
	 {720, 960, 960, 960, 960, 960, 720}},
};

static const char *const bad[] = {
	"",                          /* nothing */
	" ; ",                       /* nothing but separators */
	"mon-fri",                   /* no span */
	"mon-fri 8:00-16:00",        /* one-digit hour */
	"mon-fri 08:00-16:60",       /* minute 60 */
	"mon-fri 08:00-25:00",       /* hour 25 */
	"mon-fri 08:00-24:30",       /* past midnight */
	"mon-fri 16:00-08:00",       /* closes before it opens */
	"mon-fri 08:00-08:00",       /* empty span */
	"fri-mon 08:00-16:00; sun 09:00-10:00", /* sunday twice (in a wrapping range) */
	"monday 08:00-16:00",        /* not a three-letter day */
	"mon-fri 08:00-16:00; fri 08:00-11:00", /* friday twice */
	"mon-fri 08:00",             /* no closing time */
	"xyz 08:00-16:00",
};

START_TEST(test_good)
{
	struct cal_hours h[7];
	struct err e;
	err_clear(&e);
	ck_assert_msg(officehours_parse(good[_i].spec, h, &e), "%s: %s", good[_i].spec, e.detail);
	for (int d = 0; d < 7; d++) {
		ck_assert_int_eq(h[d].open, good[_i].open[d]);
		ck_assert_int_eq(h[d].close, good[_i].close[d]);
	}
}
END_TEST

START_TEST(test_bad)
{
	struct cal_hours h[7];
	struct err e;
	err_clear(&e);
	ck_assert_msg(!officehours_parse(bad[_i], h, &e), "'%s' accepted", bad[_i]);
	ck_assert_int_eq(e.kind, ERR_INVALID);
	ck_assert_str_eq(e.code, "calendar.office_hours");
	ck_assert(e.detail[0] != '\0');
}
END_TEST

Suite *officehours_suite(void)
{
	Suite *s = suite_create("officehours");
	TCase *tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_good, 0, (int)(sizeof good / sizeof good[0]));
	tcase_add_loop_test(tc, test_bad, 0, (int)(sizeof bad / sizeof bad[0]));
	suite_add_tcase(s, tc);
	return s;
}
