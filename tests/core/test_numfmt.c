/* test_numfmt.c — official number formats: checking and rendering.
 *
 * Expected strings are literals written from numfmt.h. Every render row is
 * run twice: into a buffer exactly strlen(expected) + 1 bytes long (fits)
 * and into one byte less (does not fit, so false).
 */
#include <string.h>

#include "core/numfmt.h"
#include "tests/core/suites.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- numfmt_check ---- */

static const struct {
	const char *fmt;
	bool ok;
} formats[] = {
	{"{seq:4}/AGENDA/D.KOMINFOS/{year}", true},
	{"050/{seq:3}/BA/IAI/D.KOMINFOS/{year}", true},
	{"{seq}/{year}", true},
	{"{year}{seq}", true},
	{"{seq:1}-{year}", true},
	{"{seq:9}-{year}", true},
	{"{seq}/{month}/{month_roman}/{year}", true},
	{"{month_roman}.{seq:2}.{year}", true},
	{"{seq}/{year}/{year}", true}, /* {year} is required, not limited */
	{"800/{seq:3}/ST/D.KOMINFOS/{month_roman}/{year}", true},
	{"AGENDA/{year}", false},          /* no {seq} */
	{"{year}", false},
	{"{seq}/{seq}/{year}", false},     /* two {seq} */
	{"{seq}/{seq:3}/{year}", false},
	{"{seq:2}/{seq:3}/{year}", false},
	{"{seq}", false},                  /* no {year} */
	{"{seq:4}/AGENDA/D.KOMINFOS", false},
	{"{seq}/{month}", false},
	{"{seq}/{yr}/{year}", false},      /* unknown placeholder */
	{"{seq}/{Year}", false},
	{"{SEQ}/{year}", false},
	{"{seq}/{day}/{year}", false},
	{"{seq}/{month_roman_}/{year}", false},
	{"{ seq}/{year}", false},
	{"{}/{seq}/{year}", false},
	{"{seq:0}/{year}", false},         /* width 1..9 only */
	{"{seq:10}/{year}", false},
	{"{seq:}/{year}", false},
	{"{seq:a}/{year}", false},
	{"{seq:-1}/{year}", false},
	{"{seq:3/{year}", false},
	{"{seq}/{year}/{", false},         /* unmatched { */
	{"{seq/{year}", false},
	{"{{seq}/{year}", false},
	{"{seq}/{year", false},
	{"{seq}/{year}}", false},          /* unmatched } */
	{"}{seq}/{year}", false},
	{"{seq}}/{year}", false},
	{"{seq}/x}/{year}", false},
	{"", false},
	{"AGENDA", false},
};

START_TEST(test_check_table)
{
	struct err e;
	err_clear(&e);
	bool got = numfmt_check(formats[_i].fmt, &e);
	ck_assert_msg(got == formats[_i].ok, "row %d: %s", _i, formats[_i].fmt);
	if (formats[_i].ok) {
		ck_assert_int_eq(e.kind, ERR_NONE);
		return;
	}
	ck_assert_int_eq(e.kind, ERR_INVALID);
	ck_assert_str_eq(e.code, "config.number_format");
	ck_assert(e.detail[0] != '\0');
	ck_assert_int_eq(e.nfields, 0);
}
END_TEST

/* At most 120 bytes: a valid format padded to 120 passes, to 121 fails. */
START_TEST(test_check_length)
{
	static const struct {
		size_t len;
		bool ok;
	} rows[] = {{119, true}, {120, true}, {121, false}, {200, false}};
	for (int i = 0; i < N(rows); i++) {
		char fmt[256];
		strcpy(fmt, "{seq:3}/{year}/");
		size_t at = strlen(fmt);
		memset(fmt + at, 'A', rows[i].len - at);
		fmt[rows[i].len] = '\0';
		ck_assert_uint_eq(strlen(fmt), rows[i].len);
		struct err e;
		err_clear(&e);
		ck_assert_msg(numfmt_check(fmt, &e) == rows[i].ok, "length %zu", rows[i].len);
		if (!rows[i].ok)
			ck_assert_str_eq(e.code, "config.number_format");
	}
}
END_TEST

/* ---- numfmt_render ---- */

static const struct {
	const char *fmt;
	int seq, year, month;
	const char *want;
} renders[] = {
	{"{seq:4}/AGENDA/D.KOMINFOS/{year}", 7, 2026, 11, "0007/AGENDA/D.KOMINFOS/2026"},
	{"{seq:4}/AGENDA/D.KOMINFOS/{year}", 1234, 2026, 11, "1234/AGENDA/D.KOMINFOS/2026"},
	{"050/{seq:3}/BA/IAI/D.KOMINFOS/{year}", 7, 2026, 11, "050/007/BA/IAI/D.KOMINFOS/2026"},
	{"050/{seq:3}/BA/IAI/D.KOMINFOS/{year}", 42, 2027, 1, "050/042/BA/IAI/D.KOMINFOS/2027"},
	{"{seq}/{year}", 7, 2026, 3, "7/2026"},
	{"{seq}/{year}", 100, 2026, 3, "100/2026"},
	{"{seq:1}/{year}", 0, 2026, 3, "0/2026"},
	{"{seq:9}/{year}", 1, 2026, 3, "000000001/2026"},
	{"{seq:3}/{year}", 12345, 2026, 3, "12345/2026"}, /* wider than its padding: not cut */
	{"{seq:4}/{year}", 12345, 2026, 3, "12345/2026"},
	{"{seq:5}/{year}", 12345, 2026, 3, "12345/2026"},
	{"{seq:6}/{year}", 12345, 2026, 3, "012345/2026"},
	{"{year}{seq}", 5, 2026, 3, "20265"},
	{"{seq}/{month}/{year}", 5, 2026, 1, "5/01/2026"},
	{"{seq}/{month}/{year}", 5, 2026, 9, "5/09/2026"},
	{"{seq}/{month}/{year}", 5, 2026, 10, "5/10/2026"},
	{"{seq}/{month}/{year}", 5, 2026, 12, "5/12/2026"},
	{"{seq}/{month_roman}/{year}", 42, 2026, 4, "42/IV/2026"},
	{"800/{seq:3}/ST/D.KOMINFOS/{month_roman}/{year}", 9, 2026, 11, "800/009/ST/D.KOMINFOS/XI/2026"},
	{"{month_roman}.{seq:2}.{year}", 3, 2026, 8, "VIII.03.2026"},
	{"{seq}/{year}/{year}", 1, 2026, 3, "1/2026/2026"},
	{"A", 1, 2026, 3, "A"},
	{"no placeholders at all", 1, 2026, 3, "no placeholders at all"},
};

START_TEST(test_render_table)
{
	size_t need = strlen(renders[_i].want) + 1;
	char out[256];

	memset(out, '#', sizeof out);
	ck_assert_msg(numfmt_render(renders[_i].fmt, renders[_i].seq, renders[_i].year, renders[_i].month, out, need),
		      "row %d: did not fit in %zu", _i, need);
	ck_assert_str_eq(out, renders[_i].want);
	ck_assert_msg(out[need] == '#', "row %d: wrote past n", _i);

	memset(out, '#', sizeof out);
	ck_assert_msg(!numfmt_render(renders[_i].fmt, renders[_i].seq, renders[_i].year, renders[_i].month, out,
				     need - 1),
		      "row %d: fitted in %zu", _i, need - 1);
	ck_assert_msg(out[need - 1] == '#', "row %d: wrote past n", _i);

	/* and plenty of room */
	ck_assert(numfmt_render(renders[_i].fmt, renders[_i].seq, renders[_i].year, renders[_i].month, out, sizeof out));
	ck_assert_str_eq(out, renders[_i].want);
}
END_TEST

START_TEST(test_render_month_roman)
{
	static const char *const want[] = {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"};
	for (int m = 1; m <= 12; m++) {
		char out[16];
		ck_assert(numfmt_render("{month_roman}", 1, 2026, m, out, sizeof out));
		ck_assert_str_eq(out, want[m - 1]);
	}
}
END_TEST

START_TEST(test_render_month_two_digits)
{
	static const char *const want[] = {"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"};
	for (int m = 1; m <= 12; m++) {
		char out[16];
		ck_assert(numfmt_render("{month}", 1, 2026, m, out, sizeof out));
		ck_assert_str_eq(out, want[m - 1]);
	}
}
END_TEST

/* No room at all: even an empty result needs its terminating NUL. */
START_TEST(test_render_no_room)
{
	char out[4] = "xyz";
	ck_assert(!numfmt_render("{seq}/{year}", 1, 2026, 1, out, 0));
	ck_assert_int_eq(out[0], 'x');
	ck_assert(!numfmt_render("{seq}/{year}", 1, 2026, 1, out, 1));
	ck_assert(!numfmt_render("", 1, 2026, 1, out, 0));
	ck_assert_int_eq(out[0], 'x');
	ck_assert(numfmt_render("", 1, 2026, 1, out, 1));
	ck_assert_str_eq(out, "");
}
END_TEST

Suite *numfmt_suite(void)
{
	Suite *s = suite_create("numfmt");
	TCase *tc = tcase_create("check");
	tcase_add_loop_test(tc, test_check_table, 0, N(formats));
	tcase_add_test(tc, test_check_length);
	suite_add_tcase(s, tc);

	tc = tcase_create("render");
	tcase_add_loop_test(tc, test_render_table, 0, N(renders));
	tcase_add_test(tc, test_render_month_roman);
	tcase_add_test(tc, test_render_month_two_digits);
	tcase_add_test(tc, test_render_no_room);
	suite_add_tcase(s, tc);
	return s;
}
