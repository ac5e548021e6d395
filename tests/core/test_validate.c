/* test_validate.c — the input checks of core/validate, table-driven.
 *
 * Every expectation is a literal in a table, written from the contract in
 * validate.h (and RFC 3629 / RFC 3339), never computed by the function under
 * test. A failing check must leave exactly one field error naming the field
 * with the listed code, under ERR_INVALID "request.invalid"; a passing check
 * must leave the error untouched. Byte strings are split where a hex escape
 * would otherwise swallow the next character ("\xe2\x82" "a").
 */
#include <string.h>

#include "core/validate.h"
#include "tests/core/suites.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Asserts the outcome of one field check: ok, or one field error with code. */
static void expect_field(const struct err *e, bool got, const char *want_code, const char *field, int row)
{
	if (!want_code) {
		ck_assert_msg(got, "row %d: refused (%s)", row, e->nfields ? e->fields[0].code : "-");
		ck_assert_int_eq(e->kind, ERR_NONE);
		ck_assert_int_eq(e->nfields, 0);
		return;
	}
	ck_assert_msg(!got, "row %d: accepted, wanted %s", row, want_code);
	ck_assert_int_eq(e->kind, ERR_INVALID);
	ck_assert_str_eq(e->code, "request.invalid");
	ck_assert_int_eq(e->nfields, 1);
	ck_assert_str_eq(e->fields[0].name, field);
	ck_assert_msg(strcmp(e->fields[0].code, want_code) == 0, "row %d: code %s, wanted %s", row, e->fields[0].code,
		      want_code);
	ck_assert(e->fields[0].detail[0] != '\0');
}

/* ---- val_is_uuid ---- */

static const struct {
	const char *s;
	bool ok;
} uuids[] = {
	{"123e4567-e89b-12d3-a456-426614174000", true},
	{"00000000-0000-0000-0000-000000000000", true},
	{"ffffffff-ffff-ffff-ffff-ffffffffffff", true},
	{"0a1b2c3d-4e5f-6789-abcd-ef0123456789", true},
	{"123E4567-e89b-12d3-a456-426614174000", false}, /* uppercase */
	{"123e4567-E89B-12D3-A456-426614174000", false},
	{"FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", false},
	{"{123e4567-e89b-12d3-a456-426614174000}", false}, /* braces */
	{"{23e4567-e89b-12d3-a456-42661417400}", false},  /* braces, length 36 */
	{"123e4567e89b12d3a456426614174000", false},       /* no dashes */
	{"123e4567-e89b-12d3-a456-42661417400", false},    /* 35 */
	{"123e4567-e89b-12d3-a456-4266141740000", false},  /* 37 */
	{"123e456-7e89b-12d3-a456-426614174000", false},   /* dash at 7 */
	{"123e4567-e89b1-2d3-a456-426614174000", false},   /* dash at 14 */
	{"123e4567-e89b-12d3a-456-426614174000", false},   /* dash at 19 */
	{"123e4567-e89b-12d3-a4564-26614174000", false},   /* dash at 24 */
	{"123e4567-e89b-12d3-a456_426614174000", false},   /* underscore for dash */
	{"123e4567-e89b-12d3-a456-42661417400g", false},   /* g */
	{"123e4567-e89b-12d3-a456-42661417400 ", false},   /* space */
	{"123e4567-e89b-12d3-a456-4266141740-0", false},   /* dash in the last group */
	{"urn:uuid:123e4567-e89b-12d3-a456-426", false},
	{"------------------------------------", false},
	{"", false},
	{NULL, false},
};

START_TEST(test_uuid_table)
{
	ck_assert_msg(val_is_uuid(uuids[_i].s) == uuids[_i].ok, "row %d: %s", _i, uuids[_i].s ? uuids[_i].s : "NULL");
}
END_TEST

/* ---- val_utf8_len ---- */

static const struct {
	const char *s;
	long len;
} utf8s[] = {
	{"", 0},
	{"a", 1},
	{"hello, world", 12},
	{"\x7f", 1},
	{"\xc3\xa9", 1},                 /* U+00E9 */
	{"\xc2\x80", 1},                 /* U+0080, smallest 2-byte */
	{"\xdf\xbf", 1},                 /* U+07FF, largest 2-byte */
	{"\xe2\x82\xac", 1},             /* U+20AC euro */
	{"\xe0\xa0\x80", 1},             /* U+0800, smallest 3-byte */
	{"\xed\x9f\xbf", 1},             /* U+D7FF, just below the surrogates */
	{"\xee\x80\x80", 1},             /* U+E000, just above them */
	{"\xef\xbf\xbf", 1},             /* U+FFFF */
	{"\xf0\x9f\x98\x80", 1},         /* U+1F600 */
	{"\xf0\x90\x80\x80", 1},         /* U+10000, smallest 4-byte */
	{"\xf4\x8f\xbf\xbf", 1},         /* U+10FFFF, the last code point */
	{"a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z", 5},
	{"h\xc3\xa9llo", 5},
	{"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 3}, /* three CJK characters */
	{"\xc0\x80", -1},                /* overlong NUL */
	{"\xc1\xbf", -1},                /* overlong U+007F */
	{"\xe0\x80\x80", -1},            /* overlong 3-byte */
	{"\xe0\x9f\xbf", -1},            /* overlong U+07FF */
	{"\xf0\x80\x80\x80", -1},        /* overlong 4-byte */
	{"\xf0\x8f\xbf\xbf", -1},        /* overlong U+FFFF */
	{"\xed\xa0\x80", -1},            /* U+D800, a surrogate */
	{"\xed\xbf\xbf", -1},            /* U+DFFF */
	{"\xed\xa0\xbd\xed\xb8\x80", -1}, /* CESU-8 pair */
	{"\xf4\x90\x80\x80", -1},        /* U+110000 */
	{"\xf5\x80\x80\x80", -1},
	{"\xf7\xbf\xbf\xbf", -1},
	{"\xf8\x88\x80\x80\x80", -1},    /* 5-byte form */
	{"\xfc\x84\x80\x80\x80\x80", -1}, /* 6-byte form */
	{"\xff", -1},
	{"\xfe", -1},
	{"a\xff" "b", -1},
	{"\x80", -1},                    /* stray continuation */
	{"\xbf", -1},
	{"a\x80" "b", -1},
	{"\xc3\xa9\xa9", -1},            /* one continuation too many */
	{"\xc3", -1},                    /* truncated 2-byte */
	{"\xe2\x82", -1},                /* truncated 3-byte */
	{"\xf0\x9f\x98", -1},            /* truncated 4-byte */
	{"abc\xe2", -1},
	{"\xe2\x82" "a", -1},            /* continuation replaced by ASCII */
	{"\xc3" "a", -1},
	{"\xf0\x9f" "aa", -1},
	{"\xc3\xc3\xa9", -1},            /* lead where a continuation belongs */
};

START_TEST(test_utf8_len_table)
{
	ck_assert_msg(val_utf8_len(utf8s[_i].s) == utf8s[_i].len, "row %d: got %ld want %ld", _i,
		      val_utf8_len(utf8s[_i].s), utf8s[_i].len);
}
END_TEST

/* ---- val_text ---- */

static const struct {
	const char *s;
	long max;
	bool may_be_empty, multiline;
	const char *code; /* NULL: accepted */
} texts[] = {
	{"", 10, false, false, "required"},
	{"", 10, false, true, "required"},
	{"", 10, true, false, NULL},
	{"", 0, true, false, NULL},
	{"a", 1, false, false, NULL},
	{"ab", 1, false, false, "too_long"},
	{"hello", 5, false, false, NULL},
	{"hello!", 5, false, false, "too_long"},
	/* max counts code points, not bytes */
	{"h\xc3\xa9llo", 5, false, false, NULL},        /* 5 code points, 6 bytes */
	{"h\xc3\xa9llo!", 5, false, false, "too_long"}, /* 6 */
	{"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5\xe6\x9c\xac", 5, false, false, NULL}, /* 5 CJK, 15 bytes */
	{"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 5, false, false, "too_long"},
	{"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 3, false, false, NULL}, /* 3 emoji, 12 bytes */
	{"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 3, false, false, "too_long"},
	/* control characters */
	{"\x01", 10, false, false, "control_character"},
	{"a\x01" "b", 10, false, true, "control_character"},
	{"a\x1f" "b", 10, false, false, "control_character"},
	{"a\x1f" "b", 10, false, true, "control_character"},
	{"a\x7f" "b", 10, false, false, "control_character"},
	{"a\x7f" "b", 10, false, true, "control_character"},
	{"a\x1b[0m", 10, false, true, "control_character"}, /* escape sequence */
	{"a\x08" "b", 10, false, true, "control_character"},
	{"a\nb", 10, false, false, "control_character"},
	{"a\nb", 10, false, true, NULL},
	{"a\tb", 10, false, false, "control_character"},
	{"a\tb", 10, false, true, NULL},
	{"\n", 10, false, true, NULL},
	{"line one\n\tline two\n", 30, false, true, NULL},
	{"a\rb", 10, false, false, "control_character"},
	{" ", 10, false, false, NULL},
	{"~", 10, false, false, NULL},
	/* validity comes before emptiness and length */
	{"\xc0\x80", 10, false, false, "invalid_utf8"},
	{"ok\xed\xa0\x80", 10, true, true, "invalid_utf8"},
	{"\xff", 10, true, false, "invalid_utf8"},
	{"\xe2\x82", 10, true, false, "invalid_utf8"},
};

START_TEST(test_text_table)
{
	struct err e;
	err_clear(&e);
	bool got = val_text(&e, "subject", texts[_i].s, texts[_i].max, texts[_i].may_be_empty, texts[_i].multiline);
	expect_field(&e, got, texts[_i].code, "subject", _i);
}
END_TEST

/* ---- val_username ---- */

static const struct {
	const char *s;
	bool ok;
} usernames[] = {
	{"abc", true},
	{"alice", true},
	{"a.b_c-d9", true},
	{"123", true},
	{"...", true},
	{"-_.", true},
	{"budi.santoso_88", true},
	{"", false},
	{"a", false},
	{"ab", false},
	{"Alice", false},
	{"aliCe", false},
	{"ABC", false},
	{"ali ce", false},
	{"alice@kominfo", false},
	{"alice+1", false},
	{"a/b", false},
	{"a\\b", false},
	{"ali\xc3\xa9", false},
	{"alice\n", false},
	{"al:ce", false},
	{"al~ce", false},
};

START_TEST(test_username_table)
{
	struct err e;
	err_clear(&e);
	expect_field(&e, val_username(&e, "username", usernames[_i].s), usernames[_i].ok ? NULL : "invalid", "username",
		     _i);
}
END_TEST

START_TEST(test_username_lengths)
{
	static const struct {
		size_t len;
		bool ok;
	} lens[] = {{2, false}, {3, true}, {4, true}, {63, true}, {64, true}, {65, false}, {200, false}};
	for (int i = 0; i < N(lens); i++) {
		char s[256];
		memset(s, 'x', lens[i].len);
		s[lens[i].len] = '\0';
		struct err e;
		err_clear(&e);
		expect_field(&e, val_username(&e, "username", s), lens[i].ok ? NULL : "invalid", "username", i);
	}
}
END_TEST

/* ---- val_nip ---- */

static const struct {
	const char *s;
	bool ok;
} nips[] = {
	{"198503152010011001", true},
	{"000000000000000000", true},
	{"999999999999999999", true},
	{"19850315201001100", false},   /* 17 */
	{"1985031520100110011", false}, /* 19 */
	{"19850315201001100a", false},
	{"a98503152010011001", false},
	{"1985031520100I1001", false},
	{"198503152010 11001", false},   /* 18 with a space */
	{"19850315 201001 1001", false}, /* spaces, 20 */
	{" 198503152010011001", false},
	{"198503152010011001 ", false},
	{"-98503152010011001", false},
	{"+98503152010011001", false},
	{"19850315.201001100", false},
	{"", false},
};

START_TEST(test_nip_table)
{
	struct err e;
	err_clear(&e);
	expect_field(&e, val_nip(&e, "nip", nips[_i].s), nips[_i].ok ? NULL : "invalid", "nip", _i);
}
END_TEST

/* ---- val_password ---- */

static const struct {
	const char *pw, *user;
	const char *code; /* NULL: accepted */
} passwords[] = {
	{"correct horse battery", "alice", NULL},
	{"abcdefghijkl", "alice", NULL},     /* 12 */
	{"abcdefghijk", "alice", "too_short"}, /* 11 */
	{"", "alice", "too_short"},
	{"a", "alice", "too_short"},
	/* characters are code points: 11 characters in 13 bytes, 12 in 14 */
	{"p\xc3\xa4ssw\xc3\xb6rd123", "alice", "too_short"},
	{"p\xc3\xa4ssw\xc3\xb6rd1234", "alice", NULL},
	/* 11 CJK characters (33 bytes), then 12 */
	{"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x91\xe3\x82\xb9\xe3\x83\xaf\xe3\x83\xbc\xe3\x83\x89"
	 "\xe3\x81\xa7\xe3\x81\x99",
	 "alice", "too_short"},
	{"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x91\xe3\x82\xb9\xe3\x83\xaf\xe3\x83\xbc\xe3\x83\x89"
	 "\xe3\x81\xa7\xe3\x81\x99\xe3\x81\xad",
	 "alice", NULL},
	/* the username, in any case */
	{"administrator", "administrator", "equals_username"},
	{"Administrator", "administrator", "equals_username"},
	{"ADMINISTRATOR", "administrator", "equals_username"},
	{"aDmInIsTrAtOr", "administrator", "equals_username"},
	{"administrator1", "administrator", NULL},
	{"administrato", "administrator", NULL},
	{"budi.santoso_88", "budi.santoso_88", "equals_username"},
	{"abcdefghijkl", NULL, NULL}, /* no username to compare */
	/* one repeated character */
	{"aaaaaaaaaaaa", "alice", "too_simple"},
	{"111111111111111111", "alice", "too_simple"},
	{"                ", "alice", "too_simple"},
	{"aaaaaaaaaaab", "alice", NULL},
	{"baaaaaaaaaaa", "alice", NULL},
	{"abababababab", "alice", NULL},
	/* twelve e-acute and twelve euro signs: one repeated character */
	{"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", "alice",
	 "too_simple"},
	{"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
	 "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac",
	 "alice", "too_simple"},
	/* invalid UTF-8 */
	{"password1234\xff", "alice", "invalid_utf8"},
	{"\xc0\xaf" "password1234", "alice", "invalid_utf8"},
	{"password\xed\xa0\x80" "1234", "alice", "invalid_utf8"},
	{"password1234\xe2\x82", "alice", "invalid_utf8"},
};

START_TEST(test_password_table)
{
	struct err e;
	err_clear(&e);
	expect_field(&e, val_password(&e, "password", passwords[_i].pw, passwords[_i].user), passwords[_i].code,
		     "password", _i);
}
END_TEST

/* The byte limit: 128 bytes pass, 129 do not, however few characters. */
START_TEST(test_password_bytes)
{
	static const struct {
		const char *unit; /* repeated to fill */
		size_t bytes;
		const char *tail; /* appended after the fill */
		const char *code;
	} rows[] = {
		{"abcdefgh", 128, "", NULL},
		{"abcdefgh", 128, "x", "too_long"},
		{"abcdefgh", 200, "", "too_long"},
		{"\xe6\x97\xa5", 126, "ab", NULL},        /* 44 characters in 128 bytes */
		{"\xe6\x97\xa5", 126, "abc", "too_long"}, /* 45 characters in 129 bytes */
		{"\xe6\x97\xa5", 126, "\xe6\x9c\xac", "too_long"},
	};
	for (int i = 0; i < N(rows); i++) {
		char pw[256];
		size_t u = strlen(rows[i].unit), at = 0;
		while (at < rows[i].bytes) {
			memcpy(pw + at, rows[i].unit, u);
			at += u;
		}
		strcpy(pw + rows[i].bytes, rows[i].tail);
		struct err e;
		err_clear(&e);
		expect_field(&e, val_password(&e, "password", pw, "alice"), rows[i].code, "password", i);
	}
}
END_TEST

/* ---- val_date ---- */

static const struct {
	const char *s;
	bool ok;
} dates[] = {
	{"2026-04-30", true},
	{"2026-01-01", true},
	{"2026-12-31", true},
	{"2026-01-31", true},
	{"2026-03-31", true},
	{"2026-05-31", true},
	{"2026-07-31", true},
	{"2026-08-31", true},
	{"2026-10-31", true},
	{"2026-02-28", true},
	{"2024-02-29", true},  /* leap */
	{"2000-02-29", true},  /* divisible by 400 */
	{"2400-02-29", true},
	{"2023-02-29", false},
	{"2026-02-29", false},
	{"1900-02-29", false}, /* divisible by 100, not 400 */
	{"2100-02-29", false},
	{"2024-02-30", false},
	{"2026-04-31", false},
	{"2026-06-31", false},
	{"2026-09-31", false},
	{"2026-11-31", false},
	{"2026-01-32", false},
	{"2026-01-00", false},
	{"2026-00-10", false},
	{"2026-13-01", false},
	{"2026-99-99", false},
	{"2026/04/30", false},
	{"2026.04.30", false},
	{"2026-04/30", false},
	{"2026_04_30", false},
	{"20260430", false},
	{"2026-4-30", false},
	{"2026-04-3", false},
	{"26-04-30", false},
	{"2026-04-30 ", false},
	{" 2026-04-30", false},
	{"2026-04-30T00:00:00Z", false},
	{"2026-0a-01", false},
	{"2026-04-3x", false},
	{"+026-04-30", false},
	{"2026--4-30", false},
	{"abcd-ef-gh", false},
	{"", false},
};

START_TEST(test_date_table)
{
	struct err e;
	err_clear(&e);
	expect_field(&e, val_date(&e, "due_date", dates[_i].s), dates[_i].ok ? NULL : "invalid", "due_date", _i);
}
END_TEST

/* ---- val_timestamp ---- */

static const struct {
	const char *s;
	bool ok;
} stamps[] = {
	{"2026-11-28T09:30:00Z", true},
	{"2026-11-28T09:30:00z", true},
	{"2026-11-28T09:30:00+08:00", true},
	{"2026-11-28T09:30:00-05:30", true},
	{"2026-11-28T09:30:00+00:00", true},
	{"2026-11-28T09:30:00-00:00", true},
	{"2026-11-28T09:30:00+23:59", true},
	{"2026-11-28t09:30:00Z", true},
	{"2026-11-28T00:00:00Z", true},
	{"2026-11-28T23:59:59Z", true},
	{"2024-02-29T12:00:00+07:00", true},
	{"2026-11-28T09:30:00.1Z", true},
	{"2026-11-28T09:30:00.12Z", true},
	{"2026-11-28T09:30:00.123+08:00", true},
	{"2026-11-28T09:30:00.123456Z", true},
	{"2026-11-28T09:30:00.123456789Z", true},
	{"2026-11-28T09:30:00.000000000-05:30", true},
	{"2026-11-28T09:30:00.1234567890Z", false}, /* 10 fraction digits */
	{"2026-11-28T09:30:00.Z", false},
	{"2026-11-28T09:30:00.+08:00", false},
	{"2026-11-28T09:30:00,5Z", false},
	{"2026-11-28T09:30:00.5", false},
	{"2026-11-28T09:30:00", false}, /* no offset */
	{"2026-11-28T09:30:00.123", false},
	{"2026-11-28T24:00:00Z", false},
	{"2026-11-28T25:00:00Z", false},
	{"2026-11-28T09:60:00Z", false},
	{"2026-11-28T09:30:61Z", false},
	{"2026-11-28 09:30:00Z", false}, /* space for T */
	{"2026-11-28_09:30:00Z", false},
	{"2026-11-28T09:30:00+24:00", false},
	{"2026-11-28T09:30:00+08:60", false},
	{"2026-11-28T09:30:00+0800", false},
	{"2026-11-28T09:30:00+08", false},
	{"2026-11-28T09:30:00+8:00", false},
	{"2026-11-28T09:30:00 +08:00", false},
	{"2026-11-28T09:30:00+08:00x", false},
	{"2026-11-28T09:30:00Zx", false},
	{"2026-11-28T09:30:00ZZ", false},
	{"2026-11-28T09:30:00UTC", false},
	{"2026-11-28T9:30:00Z", false},
	{"2026-11-28T09:30Z", false},
	{"2026-11-28T09-30-00Z", false},
	{"2026-11-28T0a:30:00Z", false},
	{"2026-02-30T09:30:00Z", false}, /* invalid date part */
	{"2023-02-29T09:30:00Z", false},
	{"2026-13-01T09:30:00Z", false},
	{"2026-04-31T09:30:00+08:00", false},
	{"2026/11/28T09:30:00Z", false},
	{"2026-11-28", false},
	{"2026-11-28T", false},
	{"", false},
};

START_TEST(test_timestamp_table)
{
	struct err e;
	err_clear(&e);
	expect_field(&e, val_timestamp(&e, "opened_at", stamps[_i].s), stamps[_i].ok ? NULL : "invalid", "opened_at",
		     _i);
}
END_TEST

/* ---- the error each check leaves ---- */

START_TEST(test_err_fields)
{
	struct err e;

	err_clear(&e);
	ck_assert(!val_text(&e, "title", "a\x01" "b", 10, false, false));
	ck_assert_int_eq(e.kind, ERR_INVALID);
	ck_assert_str_eq(e.code, "request.invalid");
	ck_assert_int_eq(e.nfields, 1);
	ck_assert_str_eq(e.fields[0].name, "title");
	ck_assert_str_eq(e.fields[0].code, "control_character");

	err_clear(&e);
	ck_assert(!val_text(&e, "title", "abcdef", 5, false, false));
	ck_assert_str_eq(e.fields[0].name, "title");
	ck_assert_str_eq(e.fields[0].code, "too_long");

	err_clear(&e);
	ck_assert(!val_password(&e, "new_password", "short", "alice"));
	ck_assert_int_eq(e.kind, ERR_INVALID);
	ck_assert_str_eq(e.code, "request.invalid");
	ck_assert_str_eq(e.fields[0].name, "new_password");
	ck_assert_str_eq(e.fields[0].code, "too_short");

	err_clear(&e);
	ck_assert(!val_date(&e, "due_date", "2026-02-30"));
	ck_assert_int_eq(e.kind, ERR_INVALID);
	ck_assert_str_eq(e.code, "request.invalid");
	ck_assert_str_eq(e.fields[0].name, "due_date");
	ck_assert_str_eq(e.fields[0].code, "invalid");
}
END_TEST

/* A handler checks every field and reports each bad one. */
START_TEST(test_err_accumulates)
{
	struct err e;
	err_clear(&e);
	ck_assert(!val_username(&e, "username", "Bad Name"));
	ck_assert(val_nip(&e, "nip", "198503152010011001"));
	ck_assert(!val_nip(&e, "nip", "123"));
	ck_assert(!val_timestamp(&e, "opened_at", "yesterday"));
	ck_assert(val_date(&e, "due_date", "2026-04-30"));
	ck_assert_int_eq(e.kind, ERR_INVALID);
	ck_assert_str_eq(e.code, "request.invalid");
	ck_assert_int_eq(e.nfields, 3);
	ck_assert_str_eq(e.fields[0].name, "username");
	ck_assert_str_eq(e.fields[1].name, "nip");
	ck_assert_str_eq(e.fields[2].name, "opened_at");
	ck_assert_str_eq(e.fields[2].code, "invalid");
}
END_TEST

Suite *validate_suite(void)
{
	Suite *s = suite_create("validate");
	TCase *tc = tcase_create("uuid_utf8");
	tcase_add_loop_test(tc, test_uuid_table, 0, N(uuids));
	tcase_add_loop_test(tc, test_utf8_len_table, 0, N(utf8s));
	suite_add_tcase(s, tc);

	tc = tcase_create("fields");
	tcase_add_loop_test(tc, test_text_table, 0, N(texts));
	tcase_add_loop_test(tc, test_username_table, 0, N(usernames));
	tcase_add_test(tc, test_username_lengths);
	tcase_add_loop_test(tc, test_nip_table, 0, N(nips));
	tcase_add_loop_test(tc, test_password_table, 0, N(passwords));
	tcase_add_test(tc, test_password_bytes);
	suite_add_tcase(s, tc);

	tc = tcase_create("dates");
	tcase_add_loop_test(tc, test_date_table, 0, N(dates));
	tcase_add_loop_test(tc, test_timestamp_table, 0, N(stamps));
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_err_fields);
	tcase_add_test(tc, test_err_accumulates);
	suite_add_tcase(s, tc);
	return s;
}
