/* test_authz.c — the role x action table, checked cell by cell against an
 * independent expectation, and the agency rule. */
#include <stdio.h>
#include <string.h>

#include "core/authz.h"
#include "core/delegation.h"
#include "tests/core/suites.h"

/* The expectation, written as lists of role keys per action. */
static const struct {
	enum action a;
	const char *roles;
} expect[] = {
	{ACT_PUBLIC, "admin kepala_dinas sekretariat kabid_iai kasi_ai tim_spbe pd integration auditor"},
	{ACT_SELF_READ, "admin kepala_dinas sekretariat kabid_iai kasi_ai tim_spbe pd integration auditor"},
	{ACT_SELF_PASSWORD, "admin kepala_dinas sekretariat kabid_iai kasi_ai tim_spbe pd auditor"},
	{ACT_AGENCY_READ, "admin kepala_dinas sekretariat kabid_iai kasi_ai tim_spbe pd integration auditor"},
	{ACT_AGENCY_WRITE, "admin"},
	{ACT_USER_READ, "admin auditor"},
	{ACT_USER_WRITE, "admin"},
	{ACT_CLIENT_READ, "admin auditor"},
	{ACT_CLIENT_WRITE, "admin"},
	{ACT_REQUEST_READ, "admin kepala_dinas sekretariat kabid_iai kasi_ai tim_spbe pd integration auditor"},
	{ACT_REQUEST_CREATE, "pd integration"},
	{ACT_REQUEST_EDIT, "pd integration"},
	{ACT_REQUEST_ACT, "kepala_dinas sekretariat kabid_iai kasi_ai tim_spbe pd integration"},
	{ACT_DOCUMENT_READ, "admin kepala_dinas sekretariat kabid_iai kasi_ai tim_spbe pd integration auditor"},
	{ACT_DOCUMENT_UPLOAD, "kepala_dinas sekretariat kabid_iai kasi_ai tim_spbe pd integration"},
	{ACT_DISPOSITION_READ, "admin kepala_dinas sekretariat kabid_iai kasi_ai tim_spbe auditor"},
	{ACT_DISPOSITION_WRITE, "kepala_dinas kabid_iai"},
	{ACT_DISPOSITION_RECEIPT, "kepala_dinas sekretariat kabid_iai kasi_ai tim_spbe"},
	{ACT_DISCUSSION_READ, "admin kepala_dinas sekretariat kabid_iai kasi_ai tim_spbe pd integration auditor"},
	{ACT_DISCUSSION_WRITE, "kasi_ai tim_spbe"},
	{ACT_AGREEMENT_READ, "admin kepala_dinas sekretariat kabid_iai kasi_ai tim_spbe pd integration auditor"},
	{ACT_BA_WRITE, "kasi_ai"},
	{ACT_BA_SIGN, "kepala_dinas pd"},
	{ACT_ST_ISSUE, "kepala_dinas"},
	{ACT_METRICS_READ, "admin auditor"},
	{ACT_SLA_READ, "admin kepala_dinas sekretariat kabid_iai kasi_ai tim_spbe auditor"},
	{ACT_SLA_ADMIN, "admin"},
	{ACT_CALENDAR_READ, "admin kepala_dinas sekretariat kabid_iai kasi_ai tim_spbe pd integration auditor"},
	{ACT_WEBHOOK_ADMIN, "admin integration"},
	{ACT_AUDIT_LOG_READ, "admin kepala_dinas auditor"},
	{ACT_AUDIT_CHECKPOINT, "admin auditor"},
	{ACT_EVIDENCE_READ, "admin kepala_dinas pd auditor"},
	{ACT_SLA_REPORT, "admin kepala_dinas auditor"},
	{ACT_DIRECTORY_READ, "admin kepala_dinas sekretariat kabid_iai kasi_ai tim_spbe pd auditor"},
	{ACT_QUEUE_READ, "kepala_dinas sekretariat kabid_iai kasi_ai tim_spbe pd"},
	{ACT_AUDIT_READ, "admin auditor"},
	{ACT_DELEGATION_READ, "admin kepala_dinas sekretariat kabid_iai kasi_ai tim_spbe pd auditor"},
	{ACT_DELEGATION_WRITE, "admin kepala_dinas sekretariat kabid_iai kasi_ai tim_spbe pd"},
};

static bool listed(const char *roles, const char *role)
{
	size_t n = strlen(role);
	for (const char *p = strstr(roles, role); p; p = strstr(p + 1, role))
		if ((p == roles || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

START_TEST(test_every_cell)
{
	ck_assert_int_eq((int)(sizeof expect / sizeof expect[0]), ACT_COUNT);
	for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++)
		for (int r = ROLE_NONE; r <= ROLE_COUNT; r++) {
			bool want = r > ROLE_NONE && r < ROLE_COUNT && listed(expect[i].roles, role_name((enum role)r));
			ck_assert_msg(authz_allowed((enum role)r, expect[i].a) == want, "action %d role %d", expect[i].a, r);
		}
	ck_assert(!authz_allowed(ROLE_ADMIN, ACT_COUNT));
}
END_TEST

START_TEST(test_role_names)
{
	for (int r = ROLE_NONE + 1; r < ROLE_COUNT; r++)
		ck_assert_int_eq(role_parse(role_name((enum role)r)), r);
	ck_assert_int_eq(role_parse("root"), ROLE_NONE);
	ck_assert_int_eq(role_parse(NULL), ROLE_NONE);
	ck_assert_int_eq(role_parse("ADMIN"), ROLE_NONE);
	ck_assert_ptr_null(role_name(ROLE_NONE));
	ck_assert_ptr_null(role_name(ROLE_COUNT));
}
END_TEST

START_TEST(test_agency_rule)
{
	struct principal pd = {.role = ROLE_PD, .agency_id = "a1"};
	struct principal staff = {.role = ROLE_KASI_AI};
	struct principal eoffice_one = {.role = ROLE_INTEGRATION, .agency_id = "a1"};
	struct principal eoffice_all = {.role = ROLE_INTEGRATION};
	struct principal auditor = {.role = ROLE_AUDITOR};
	ck_assert(authz_agency_visible(&pd, "a1"));
	ck_assert(!authz_agency_visible(&pd, "a2"));
	ck_assert(!authz_agency_visible(&pd, NULL));
	ck_assert(authz_agency_visible(&staff, "a2"));
	ck_assert(authz_agency_visible(&eoffice_one, "a1"));
	ck_assert(!authz_agency_visible(&eoffice_one, "a2"));
	ck_assert(authz_agency_visible(&eoffice_all, "a2"));
	ck_assert(authz_agency_visible(&auditor, "a2"));
	ck_assert(authz_agency_bound(&pd) && authz_agency_bound(&eoffice_one));
	ck_assert(!authz_agency_bound(&staff) && !authz_agency_bound(&eoffice_all));
}
END_TEST


/* A machine client acts on its own submissions unless granted "visible". */
START_TEST(test_client_scope)
{
	struct principal client = {.authenticated = true, .role = ROLE_INTEGRATION};
	snprintf(client.subject, sizeof client.subject, "%s", "11111111-1111-1111-1111-111111111111");
	ck_assert(authz_may_act_on(&client, CLIENT_SCOPE_OWN, "11111111-1111-1111-1111-111111111111"));
	ck_assert(!authz_may_act_on(&client, CLIENT_SCOPE_OWN, "22222222-2222-2222-2222-222222222222"));
	ck_assert(!authz_may_act_on(&client, CLIENT_SCOPE_OWN, NULL));
	ck_assert(!authz_may_act_on(&client, CLIENT_SCOPE_OWN, ""));
	ck_assert(authz_may_act_on(&client, CLIENT_SCOPE_VISIBLE, NULL));
	ck_assert(authz_may_act_on(&client, CLIENT_SCOPE_VISIBLE, "22222222-2222-2222-2222-222222222222"));
	struct principal pd = {.authenticated = true, .role = ROLE_PD};
	ck_assert(authz_may_act_on(&pd, CLIENT_SCOPE_OWN, NULL));
	enum client_scope sc;
	ck_assert(client_scope_parse("own", &sc) && sc == CLIENT_SCOPE_OWN);
	ck_assert(client_scope_parse("visible", &sc) && sc == CLIENT_SCOPE_VISIBLE);
	ck_assert(!client_scope_parse("all", &sc));
	ck_assert(!client_scope_parse(NULL, &sc));
	ck_assert_str_eq(client_scope_name(CLIENT_SCOPE_VISIBLE), "visible");
	ck_assert_ptr_null(client_scope_name((enum client_scope)7));
}
END_TEST

/* core/delegation.c: positions, acts, the period and the overlap rule. */
START_TEST(test_delegation_rules)
{
	static const struct {
		const char *key;
		enum role role;
		unsigned acts;
	} pos[] = {
		{"kepala_dinas", ROLE_KEPALA_DINAS, DACT_DISPOSE | DACT_SIGN_BA | DACT_ISSUE_ST},
		{"kabid_iai", ROLE_KABID_IAI, DACT_DERIVE},
		{"kasi_ai", ROLE_KASI_AI, 0},
		{"kasubbag_tu", ROLE_SEKRETARIAT, DACT_REGISTER},
		{"kepala_pd", ROLE_PD, DACT_SIGN_BA},
	};
	for (size_t i = 0; i < sizeof pos / sizeof pos[0]; i++) {
		enum position p = pos_parse(pos[i].key);
		ck_assert_int_ne(p, POS_NONE);
		ck_assert_str_eq(pos_name(p), pos[i].key);
		ck_assert_int_eq(pos_role(p), pos[i].role);
		ck_assert_uint_eq(pos_acts(p), pos[i].acts);
		ck_assert_ptr_nonnull(pos_title(p));
	}
	ck_assert_int_eq(pos_parse("bupati"), POS_NONE);
	ck_assert_int_eq(pos_parse(NULL), POS_NONE);
	ck_assert_ptr_null(pos_name((enum position)99));
	for (unsigned a = 1; a <= DACT_REGISTER; a <<= 1)
		ck_assert_uint_eq(dact_parse(dact_name(a)), a);
	ck_assert_ptr_null(dact_name(DACT_DISPOSE | DACT_DERIVE));
	ck_assert_uint_eq(dact_parse("approve"), 0);
	ck_assert_str_eq(deleg_kind_prefix("plh"), "Plh.");
	ck_assert_str_eq(deleg_kind_prefix("plt"), "Plt.");
	ck_assert_ptr_null(deleg_kind_prefix(NULL));
	/* the period: start and end included */
	static const struct {
		int start, end, today;
		bool revoked;
		enum deleg_status want;
	} period[] = {
		{10, 12, 9, false, DELEG_SCHEDULED}, {10, 12, 10, false, DELEG_ACTIVE}, {10, 12, 12, false, DELEG_ACTIVE},
		{10, 12, 13, false, DELEG_EXPIRED},  {10, 12, 11, true, DELEG_REVOKED}, {10, 10, 10, false, DELEG_ACTIVE},
	};
	for (size_t i = 0; i < sizeof period / sizeof period[0]; i++)
		ck_assert_int_eq(deleg_status_on(period[i].start, period[i].end, period[i].revoked, period[i].today),
				 period[i].want);
	ck_assert_str_eq(deleg_status_name(DELEG_EXPIRED), "expired");
	/* overlap: a shared day and a shared act */
	ck_assert(deleg_overlaps(1, 5, DACT_DISPOSE, 5, 9, DACT_DISPOSE | DACT_SIGN_BA));
	ck_assert(!deleg_overlaps(1, 5, DACT_DISPOSE, 6, 9, DACT_DISPOSE));
	ck_assert(!deleg_overlaps(1, 5, DACT_DISPOSE, 1, 5, DACT_SIGN_BA));
	ck_assert(deleg_overlaps(3, 3, DACT_SIGN_BA, 1, 9, DACT_SIGN_BA));
	/* what a route lends, per position */
	ck_assert_uint_eq(deleg_act_of_action(ACT_DISPOSITION_WRITE, POS_KEPALA_DINAS), DACT_DISPOSE);
	ck_assert_uint_eq(deleg_act_of_action(ACT_DISPOSITION_WRITE, POS_KABID_IAI), DACT_DERIVE);
	ck_assert_uint_eq(deleg_act_of_action(ACT_BA_SIGN, POS_KEPALA_PD), DACT_SIGN_BA);
	ck_assert_uint_eq(deleg_act_of_action(ACT_ST_ISSUE, POS_KEPALA_DINAS), DACT_ISSUE_ST);
	ck_assert_uint_eq(deleg_act_of_action(ACT_REQUEST_ACT, POS_KASUBBAG_TU), DACT_REGISTER);
	ck_assert_uint_eq(deleg_act_of_action(ACT_REQUEST_ACT, POS_KEPALA_DINAS), 0);
	ck_assert_uint_eq(deleg_act_of_action(ACT_ST_ISSUE, POS_KEPALA_PD), 0);
	ck_assert_uint_eq(deleg_act_of_action(ACT_USER_WRITE, POS_KEPALA_DINAS), 0);
	ck_assert_uint_eq(deleg_act_of_action(ACT_DELEGATION_WRITE, POS_KEPALA_DINAS), 0);
}
END_TEST

Suite *authz_suite(void)
{
	Suite *s = suite_create("authz");
	TCase *tc = tcase_create("table");
	tcase_add_test(tc, test_every_cell);
	tcase_add_test(tc, test_role_names);
	tcase_add_test(tc, test_agency_rule);
	tcase_add_test(tc, test_client_scope);
	tcase_add_test(tc, test_delegation_rules);
	suite_add_tcase(s, tc);
	return s;
}
