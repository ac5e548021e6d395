/* test_events.c — the event catalogue (core/events.c): its names, that every
 * state-machine action and the audit actions it maps lead to a known type,
 * and that openapi.yaml's `webhooks` section describes exactly its types
 * (read from the source tree, so the contract and the code cannot drift). */
#include <check.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int main(void)
{
	Suite *s = suite_create("event_catalogue");
	TCase *tc = tcase_create("catalogue");
	tcase_add_test(tc, test_names_unique_and_well_formed);
	tcase_add_test(tc, test_actions_lead_to_types);
	tcase_add_test(tc, test_openapi_webhooks_match);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
