/* test_err_arena.c — the error type and the request arena. */
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "tests/core/suites.h"

START_TEST(test_err_set_returns_false)
{
	struct err e;
	err_clear(&e);
	ck_assert(!err_set(&e, ERR_CONFLICT, "request.invalid_transition", "from %s", "draft"));
	ck_assert_int_eq(e.kind, ERR_CONFLICT);
	ck_assert_str_eq(e.code, "request.invalid_transition");
	ck_assert_str_eq(e.detail, "from draft");
	ck_assert_str_eq(err_kind_name(e.kind), "conflict");
}
END_TEST

START_TEST(test_err_fields)
{
	struct err e;
	err_clear(&e);
	ck_assert(!err_field(&e, "title", "too_long", "at most %d", 200));
	ck_assert_int_eq(e.kind, ERR_INVALID);
	ck_assert_str_eq(e.code, "request.invalid");
	for (int i = 0; i < 40; i++)
		err_field(&e, "x", "bad", "again");
	ck_assert_int_eq(e.nfields, ERR_MAX_FIELDS);
	ck_assert_str_eq(e.fields[0].name, "title");
	ck_assert_str_eq(e.fields[0].detail, "at most 200");
}
END_TEST

START_TEST(test_err_truncates)
{
	struct err e;
	err_clear(&e);
	char big[2000];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	err_set(&e, ERR_INVALID, big, "%s", big);
	ck_assert_uint_eq(strlen(e.code), sizeof e.code - 1);
	ck_assert_uint_eq(strlen(e.detail), sizeof e.detail - 1);
	ck_assert_str_eq(err_kind_name((enum err_kind)999), "internal");
}
END_TEST

START_TEST(test_arena)
{
	struct arena a;
	arena_init(&a);
	char *s = arena_strdup(&a, "hello");
	ck_assert_str_eq(s, "hello");
	ck_assert_ptr_null(arena_strdup(&a, NULL));
	ck_assert_str_eq(arena_strndup(&a, "abcdef", 3), "abc");
	ck_assert_str_eq(arena_printf(&a, "%d-%s", 42, "x"), "42-x");
	/* many small and some big allocations, all zeroed and distinct */
	char *prev = NULL;
	for (int i = 0; i < 1000; i++) {
		size_t n = (i % 50 == 0) ? 100000 : 24;
		char *p = arena_alloc(&a, n);
		size_t nonzero = 0;
		for (size_t k = 0; k < n; k++)
			nonzero += p[k] != 0;
		ck_assert_uint_eq(nonzero, 0);
		memset(p, 0xab, n);
		ck_assert_ptr_ne(p, prev);
		prev = p;
	}
	ck_assert_str_eq(s, "hello"); /* earlier allocations untouched */
	arena_cleanup(&a);
	ck_assert_ptr_null(a.head);
	arena_cleanup(&a); /* idempotent */
	arena_cleanup(NULL);
}
END_TEST

Suite *err_arena_suite(void)
{
	Suite *s = suite_create("err_arena");
	TCase *tc = tcase_create("all");
	tcase_add_test(tc, test_err_set_returns_false);
	tcase_add_test(tc, test_err_fields);
	tcase_add_test(tc, test_err_truncates);
	tcase_add_test(tc, test_arena);
	suite_add_tcase(s, tc);
	return s;
}
