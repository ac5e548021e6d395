/* test_events.c — the event catalogue (core/events.c): its names, that every
 * state-machine action and the audit actions it maps lead to a known type,
 * and that openapi.yaml's `webhooks` section describes exactly its types
 * (read from the source tree, so the contract and the code cannot drift);
 * and the delivery rules (core/delivery.c): verdicts, the retry schedule
 * with jitter and Retry-After, Retry-After parsing, URLs and addresses. */
#include <check.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/delivery.h"
#include "core/events.h"
#include "core/workflow.h"

START_TEST(test_names_unique_and_well_formed)
{
	size_t n;
	const struct ev_type *t = ev_catalogue(&n);
	regex_t re;
	ck_assert_int_eq(regcomp(&re, "^[a-z_]+\\.[a-z_]+$", REG_EXTENDED | REG_NOSUB), 0);
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(regexec(&re, t[i].type, 0, NULL, 0) == 0, "bad type name %s", t[i].type);
		ck_assert_msg(t[i].summary && *t[i].summary, "%s has no summary", t[i].type);
		ck_assert_ptr_eq(ev_find(t[i].type), &t[i]);
		for (size_t k = i + 1; k < n; k++)
			ck_assert_msg(strcmp(t[i].type, t[k].type) != 0, "%s listed twice", t[i].type);
	}
	regfree(&re);
	ck_assert_ptr_null(ev_find("request.exploded"));
	ck_assert_ptr_null(ev_find(NULL));
	ck_assert_ptr_null(ev_type_of_action("user.create"));
}
END_TEST

START_TEST(test_actions_lead_to_types)
{
	size_t n, ntypes;
	const struct ev_action *a = ev_actions(&n);
	const struct ev_type *t = ev_catalogue(&ntypes);
	for (size_t i = 0; i < n; i++) {
		const struct ev_type *row = ev_find(a[i].type);
		ck_assert_msg(row != NULL, "%s maps to unknown %s", a[i].action, a[i].type);
		ck_assert_msg(row->derived == NULL, "%s maps to the derived type %s", a[i].action, a[i].type);
		ck_assert_str_eq(ev_type_of_action(a[i].action), a[i].type);
	}
	/* every non-derived type answers some audit action */
	for (size_t k = 0; k < ntypes; k++) {
		bool used = t[k].derived != NULL;
		for (size_t i = 0; i < n && !used; i++)
			used = strcmp(a[i].type, t[k].type) == 0;
		ck_assert_msg(used, "no audit action emits %s", t[k].type);
	}
	/* every transition of the state machine has its event */
	for (int act = 0; act < WF_ACTION_COUNT; act++) {
		char action[64];
		snprintf(action, sizeof action, "request.%s", wf_action_key((enum wf_action)act));
		ck_assert_msg(ev_type_of_action(action) != NULL, "the transition %s has no event type", action);
	}
}
END_TEST

/* The keys at two spaces' indent under the top-level `webhooks:` line. */
static int webhook_types(char names[][64], int max)
{
	FILE *f = fopen(ALURD_SOURCE_DIR "/openapi.yaml", "r");
	ck_assert_msg(f != NULL, "cannot read openapi.yaml");
	char line[512];
	bool in = false;
	int n = 0;
	while (fgets(line, sizeof line, f)) {
		if (!in) {
			in = strcmp(line, "webhooks:\n") == 0;
			continue;
		}
		if (line[0] != ' ' && line[0] != '\n')
			break; /* the next top-level key */
		if (line[0] == ' ' && line[1] == ' ' && line[2] != ' ') {
			char *colon = strchr(line, ':');
			ck_assert_msg(colon && n < max, "unexpected webhooks line %s", line);
			*colon = '\0';
			ck_assert_msg(strlen(line + 2) < 64, "webhook name too long: %s", line + 2);
			memcpy(names[n++], line + 2, strlen(line + 2) + 1);
		}
	}
	fclose(f);
	return n;
}

START_TEST(test_openapi_webhooks_match)
{
	char names[128][64];
	int n = webhook_types(names, 128);
	size_t ntypes;
	const struct ev_type *t = ev_catalogue(&ntypes);
	ck_assert_int_eq(n, (int)ntypes);
	for (int i = 0; i < n; i++) {
		ck_assert_msg(ev_find(names[i]) != NULL, "openapi.yaml describes the unknown event %s", names[i]);
		ck_assert_str_eq(names[i], t[i].type); /* and in the catalogue's order */
	}
}
END_TEST

START_TEST(test_verdicts_and_schedule)
{
	ck_assert_int_eq(dl_verdict_of(200), DL_DELIVERED);
	ck_assert_int_eq(dl_verdict_of(204), DL_DELIVERED);
	ck_assert_int_eq(dl_verdict_of(299), DL_DELIVERED);
	ck_assert_int_eq(dl_verdict_of(301), DL_RETRY); /* redirects are not followed */
	ck_assert_int_eq(dl_verdict_of(410), DL_GONE);
	ck_assert_int_eq(dl_verdict_of(429), DL_RETRY);
	ck_assert_int_eq(dl_verdict_of(500), DL_RETRY);
	ck_assert_int_eq(dl_verdict_of(0), DL_RETRY); /* no answer */
	size_t n;
	const double *s = dl_default_schedule(&n);
	static const double want[] = {5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400};
	ck_assert_int_eq(n, 9);
	for (size_t i = 0; i < n; i++) {
		ck_assert(s[i] == want[i]);
		/* jitter: within +-10 % of the step, spread by u */
		double lo = dl_retry_delay(s, n, (int)i + 1, 0.0, 500, 0), hi = dl_retry_delay(s, n, (int)i + 1, 0.999, 500, 0);
		ck_assert_msg(lo >= 0.9 * want[i] - 1e-9 && hi < 1.1 * want[i] && hi > lo, "step %zu: %g..%g", i, lo, hi);
	}
	ck_assert(dl_retry_delay(s, n, 10, 0.5, 500, 0) < 0); /* exhausted after 1 + 9 attempts */
	ck_assert(dl_retry_delay(s, n, 0, 0.5, 500, 0) < 0);
	/* Retry-After on 429 / 503 when longer, capped at a day; ignored otherwise */
	ck_assert(dl_retry_delay(s, n, 1, 0.5, 429, 120) == 120);
	ck_assert(dl_retry_delay(s, n, 1, 0.5, 503, 120) == 120);
	ck_assert(dl_retry_delay(s, n, 1, 0.5, 500, 120) == 5);
	ck_assert(dl_retry_delay(s, n, 2, 0.5, 429, 2) == 300);
	ck_assert(dl_retry_delay(s, n, 1, 0.5, 429, 999999) == 86400);
	ck_assert_int_eq(dl_retry_after_parse(" 120"), 120);
	ck_assert_int_eq(dl_retry_after_parse("2\r\n"), 2);
	ck_assert_int_eq(dl_retry_after_parse("Wed, 21 Oct 2015 07:28:00 GMT"), 0);
	ck_assert_int_eq(dl_retry_after_parse("12abc"), 0);
	ck_assert_int_eq(dl_retry_after_parse(""), 0);
	ck_assert_int_eq(dl_retry_after_parse(NULL), 0);
}
END_TEST

START_TEST(test_urls_and_addresses)
{
	ck_assert(dl_url_allowed("https://eoffice.baliprov.go.id/hooks/alurd", false));
	ck_assert(!dl_url_allowed("http://eoffice.baliprov.go.id/hooks", false));
	ck_assert(dl_url_allowed("http://127.0.0.1:8080/x", true));
	ck_assert(!dl_url_allowed("ftp://example.org/x", true));
	ck_assert(!dl_url_allowed("https://user:pw@example.org/x", false));
	ck_assert(!dl_url_allowed("https:///x", false));
	ck_assert(!dl_url_allowed("https://exa mple.org/", false));
	ck_assert(!dl_url_allowed("", false));
	ck_assert(dl_url_allowed("https://example.org/a@b", false)); /* '@' in the path is no user-info */
	char long_url[2100];
	memset(long_url, 'a', sizeof long_url - 1);
	memcpy(long_url, "https://", 8);
	long_url[sizeof long_url - 1] = '\0';
	ck_assert(!dl_url_allowed(long_url, false));
	static const unsigned char priv4[][4] = {{127, 0, 0, 1}, {10, 1, 2, 3}, {172, 16, 0, 1}, {172, 31, 255, 255},
						 {192, 168, 1, 1}, {169, 254, 169, 254}, {100, 64, 0, 1}, {0, 0, 0, 0},
						 {224, 0, 0, 1}};
	for (size_t i = 0; i < sizeof priv4 / sizeof priv4[0]; i++)
		ck_assert_msg(dl_address_private(priv4[i], 4), "%u.%u.%u.%u is private", priv4[i][0], priv4[i][1],
			      priv4[i][2], priv4[i][3]);
	static const unsigned char pub4[][4] = {{8, 8, 8, 8}, {172, 32, 0, 1}, {100, 128, 0, 1}, {203, 0, 113, 5}};
	for (size_t i = 0; i < sizeof pub4 / sizeof pub4[0]; i++)
		ck_assert(!dl_address_private(pub4[i], 4));
	unsigned char v6[16] = {0};
	v6[15] = 1; /* ::1 */
	ck_assert(dl_address_private(v6, 16));
	unsigned char mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1};
	ck_assert(dl_address_private(mapped, 16));
	unsigned char ula[16] = {0xfd, 0x12};
	ck_assert(dl_address_private(ula, 16));
	unsigned char link[16] = {0xfe, 0x80};
	ck_assert(dl_address_private(link, 16));
	unsigned char pub6[16] = {0x24, 0x04, 0x68, 0x00, 0x40, 0x03, 0x0c, 0x00, 0, 0, 0, 0, 0, 0, 0, 0x8a};
	ck_assert(!dl_address_private(pub6, 16));
	ck_assert(dl_address_private(pub6, 5)); /* not an address: refused */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("event_catalogue");
	TCase *tc = tcase_create("catalogue");
	tcase_add_test(tc, test_names_unique_and_well_formed);
	tcase_add_test(tc, test_actions_lead_to_types);
	tcase_add_test(tc, test_openapi_webhooks_match);
	suite_add_tcase(s, tc);
	TCase *dl = tcase_create("delivery");
	tcase_add_test(dl, test_verdicts_and_schedule);
	tcase_add_test(dl, test_urls_and_addresses);
	suite_add_tcase(s, dl);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
