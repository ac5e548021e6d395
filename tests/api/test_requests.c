/* test_requests.c — SOP steps 1 to 3 as the real roles do them, every
 * refusal on the way, and the list.
 *
 * Suites (`test_requests SUITE`; ctest runs each as api_SUITE):
 *   requests_flow      the happy path: draft, edit, submit, register (agenda
 *                      number), disposition, read receipt, derived
 *                      disposition; the tree, the timeline and the audit trail
 *   requests_refusals  wrong role, wrong agency (404, never 403), wrong state,
 *                      stale or missing If-Match, bad input, malformed ids
 *   requests_list      filters, keyset pagination, bad parameters
 * Each suite has its own database, daemon and people (world.h); tests inside
 * a suite run in order and share them.
 */
#include <check.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/api/world.h"

static bool matches(const char *s, const char *pattern)
{
	regex_t re;
	ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	bool ok = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

static const char *sql_value(const char *sql)
{
	static char out[8][16384];
	static int next;
	char *buf = out[next++ % 8];
	ck_assert_msg(ts_sql_value(g_db, sql, buf, sizeof out[0]), "SQL failed: %s", sql);
	return buf;
}

/* The audit row of action in a request's trail (the first), or NULL. */
static json_t *audit_row(const struct ts_resp *trail, const char *action)
{
	size_t i;
	json_t *row;
	json_array_foreach(json_object_get(trail->json, "items"), i, row)
		if (strcmp(json_string_value(json_object_get(row, "action")), action) == 0)
			return row;
	return NULL;
}

static const char *str_of(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* ==== requests_flow ======================================================== */

static void up_flow(void)
{
	world_up("requests_flow", NULL);
}

static struct uid g_req, g_disp, g_derived;
static char g_year[8];

START_TEST(test_pd_creates_draft)
{
	struct ts_resp *r = callh(PD_A, "POST", "/api/v1/requests",
				  "{\"kind\":\"pembangunan\",\"title\":\"Sistem Informasi Puskesmas\","
				  "\"description\":\"Pencatatan kunjungan pasien.\\nDua baris.\","
				  "\"letter_number\":\"440/123/DINKES\",\"letter_date\":\"2024-03-01\"}",
				  "X-Request-Id: flow-create", NULL);
	assert_status(r, 201);
	snprintf(g_req.s, sizeof g_req.s, "%s", jstr(r, "id"));
	ck_assert_pstr_eq(ts_header(r, "Location"), fmt("/api/v1/requests/%s", g_req.s));
	ck_assert_pstr_eq(ts_header(r, "ETag"), "\"1\"");
	ck_assert_str_eq(jstr(r, "status"), "draft");
	ck_assert_str_eq(jstr(r, "kind"), "pembangunan");
	ck_assert_str_eq(jstr(r, "title"), "Sistem Informasi Puskesmas");
	ck_assert_str_eq(jstr(r, "description"), "Pencatatan kunjungan pasien.\nDua baris.");
	ck_assert_str_eq(jstr(r, "channel"), "tertulis");
	ck_assert_str_eq(jstr(r, "agency_id"), AGENCY_A);
	ck_assert_str_eq(jstr(r, "letter_number"), "440/123/DINKES");
	ck_assert_str_eq(jstr(r, "letter_date"), "2024-03-01");
	ck_assert_int_eq(jint(r, "current_step"), 1);
	ck_assert_int_eq(jint(r, "version"), 1);
	ck_assert(json_is_null(json_object_get(r->json, "agenda_number")));
	ck_assert(json_is_null(json_object_get(r->json, "eoffice_ref")));
	ck_assert_msg(matches(jstr(r, "created_at"), "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9]{2}:[0-9]{2})$"),
		      "created_at '%s' is not RFC 3339", jstr(r, "created_at"));

	/* read back: same document, ETag, and If-None-Match answers 304 */
	struct ts_resp *g = call(PD_A, "GET", fmt("/api/v1/requests/%s", g_req.s), NULL);
	assert_status(g, 200);
	ck_assert_pstr_eq(ts_header(g, "ETag"), "\"1\"");
	ck_assert_msg(json_equal(g->json, r->json), "GET differs from the creation answer:\n%s\n%s", g->body, r->body);
	g = callh(PD_A, "GET", fmt("/api/v1/requests/%s", g_req.s), NULL, "If-None-Match: \"1\"", NULL);
	assert_status(g, 304);
	ck_assert_uint_eq(g->len, 0);
	/* the signatory of the same agency sees it too; staff and the auditor see everything */
	assert_status(call(PD_A_SIGN, "GET", fmt("/api/v1/requests/%s", g_req.s), NULL), 200);
	assert_status(call(AUDITOR, "GET", fmt("/api/v1/requests/%s", g_req.s), NULL), 200);
	assert_status(call(SEKRETARIAT, "GET", fmt("/api/v1/requests/%s", g_req.s), NULL), 200);
}
END_TEST

START_TEST(test_pd_edits_draft_with_if_match)
{
	struct ts_resp *r = callh(PD_A, "PATCH", fmt("/api/v1/requests/%s", g_req.s),
				  "{\"title\":\"Sistem Informasi Puskesmas Terpadu\",\"letter_number\":null}",
				  "If-Match: \"1\"", "X-Request-Id: flow-update", NULL);
	assert_status(r, 200);
	ck_assert_pstr_eq(ts_header(r, "ETag"), "\"2\"");
	ck_assert_int_eq(jint(r, "version"), 2);
	ck_assert_str_eq(jstr(r, "title"), "Sistem Informasi Puskesmas Terpadu");
	ck_assert(json_is_null(json_object_get(r->json, "letter_number")));
	/* untouched fields stay */
	ck_assert_str_eq(jstr(r, "letter_date"), "2024-03-01");
	ck_assert_str_eq(jstr(r, "kind"), "pembangunan");
	ck_assert_str_eq(jstr(r, "status"), "draft");
}
END_TEST

/* SOP step 1: the letter and the business-process document come first. */
START_TEST(test_submit_needs_both_documents)
{
	const char *p = fmt("/api/v1/requests/%s/submit", g_req.s);
	struct ts_resp *r = call(PD_A, "POST", p, NULL);
	assert_problem(r, 422, "request.documents_missing");
	ck_assert_str_eq(field_error_code(r, "documents.surat_permohonan"), "required");
	ck_assert_str_eq(field_error_code(r, "documents.proses_bisnis"), "required");
	assert_status(upload_pdf(PD_A, g_req.s, "surat_permohonan", "X-Request-Id: flow-upload-1", (const char *)NULL), 201);
	r = call(PD_A, "POST", p, "{}");
	assert_problem(r, 422, "request.documents_missing");
	ck_assert(!has_field_error(r, "documents.surat_permohonan"));
	ck_assert_str_eq(field_error_code(r, "documents.proses_bisnis"), "required");
	assert_status(upload_pdf(PD_A, g_req.s, "proses_bisnis", "X-Request-Id: flow-upload-2", (const char *)NULL), 201);
	/* refusals changed nothing */
	ck_assert_str_eq(status_of(g_req.s), "draft");
}
END_TEST

START_TEST(test_pd_submits)
{
	struct ts_resp *r = callh(PD_A, "POST", fmt("/api/v1/requests/%s/submit", g_req.s), NULL, "If-Match: \"2\"",
				  "X-Request-Id: flow-submit", NULL);
	assert_status(r, 200);
	ck_assert_str_eq(jstr(r, "status"), "submitted");
	ck_assert_int_eq(jint(r, "current_step"), 2);
	ck_assert_int_eq(jint(r, "version"), 3);
	ck_assert_pstr_eq(ts_header(r, "ETag"), "\"3\"");
	ck_assert_msg(*jstr(r, "submitted_at"), "no submitted_at: %s", r->body);
}
END_TEST

START_TEST(test_sekretariat_registers_with_agenda_number)
{
	snprintf(g_year, sizeof g_year, "%s", sql_value("SELECT extract(year FROM now() AT TIME ZONE 'Asia/Makassar')::int"));
	struct ts_resp *r = callh(SEKRETARIAT, "POST", fmt("/api/v1/requests/%s/register", g_req.s), NULL,
				  "X-Request-Id: flow-register", NULL);
	assert_status(r, 200);
	ck_assert_str_eq(jstr(r, "status"), "awaiting_disposition");
	ck_assert_int_eq(jint(r, "current_step"), 2);
	ck_assert_int_eq(jint(r, "version"), 4);
	const char *agenda = jstr(r, "agenda_number");
	ck_assert_msg(matches(agenda, "^[0-9]{4}/AGENDA/D\\.KOMINFOS/[0-9]{4}$"), "agenda number '%s'", agenda);
	/* the suite's database is fresh: this is the year's first letter */
	ck_assert_str_eq(agenda, fmt("0001/AGENDA/D.KOMINFOS/%s", g_year));

	/* the next registration takes the next number */
	struct uid other = request_at(PD_B, AT_SUBMITTED, "Portal Pendapatan", NULL, NULL);
	struct uid second = register_request(other.s);
	ck_assert_str_eq(second.s, fmt("0002/AGENDA/D.KOMINFOS/%s", g_year));
	/* and GET shows it */
	ck_assert_str_eq(jstr(call(PD_A, "GET", fmt("/api/v1/requests/%s", g_req.s), NULL), "agenda_number"), agenda);
}
END_TEST

START_TEST(test_kepala_dinas_disposes_to_kabid)
{
	struct ts_resp *r = callh(KADIS, "POST", fmt("/api/v1/requests/%s/dispositions", g_req.s),
				  fmt("{\"to_user_ids\":[\"%s\"],\"instruction_kind\":\"tindak_lanjuti\","
				      "\"instruction\":\"Tindak lanjuti bersama Kasi AI.\"}",
				      W[KABID].id),
				  "X-Request-Id: flow-dispose", NULL);
	assert_status(r, 201);
	snprintf(g_disp.s, sizeof g_disp.s, "%s", jstr(r, "id"));
	ck_assert_pstr_eq(ts_header(r, "Location"), fmt("/api/v1/dispositions/%s", g_disp.s));
	ck_assert_str_eq(jstr(r, "request_id"), g_req.s);
	ck_assert_str_eq(jstr(r, "from_user_id"), W[KADIS].id);
	ck_assert_str_eq(jstr(r, "instruction_kind"), "tindak_lanjuti");
	ck_assert_str_eq(jstr(r, "instruction"), "Tindak lanjuti bersama Kasi AI.");
	ck_assert(json_is_null(json_object_get(r->json, "parent_id")));
	ck_assert(json_is_null(json_object_get(r->json, "read_at")));
	json_t *to = json_object_get(r->json, "to_user_ids");
	ck_assert_msg(json_array_size(to) == 1 && strcmp(json_string_value(json_array_get(to, 0)), W[KABID].id) == 0,
		      "to_user_ids: %s", r->body);

	struct ts_resp *g = call(KADIS, "GET", fmt("/api/v1/requests/%s", g_req.s), NULL);
	ck_assert_str_eq(jstr(g, "status"), "disposed");
	ck_assert_int_eq(jint(g, "current_step"), 3);
	ck_assert_int_eq(jint(g, "version"), 5);
}
END_TEST

START_TEST(test_kabid_marks_read)
{
	struct ts_resp *r = callh(KABID, "POST", fmt("/api/v1/dispositions/%s/read", g_disp.s), NULL,
				  "X-Request-Id: flow-read", NULL);
	assert_status(r, 200);
	const char *read_at = jstr(r, "read_at");
	ck_assert_msg(*read_at, "read_at not set: %s", r->body);
	char first[64];
	snprintf(first, sizeof first, "%s", read_at);
	/* reading again changes nothing (the receipt keeps the first time) */
	r = call(KABID, "POST", fmt("/api/v1/dispositions/%s/read", g_disp.s), NULL);
	assert_status(r, 200);
	ck_assert_str_eq(jstr(r, "read_at"), first);
	ck_assert_str_eq(status_of(g_req.s), "disposed");
}
END_TEST

START_TEST(test_kabid_derives_to_kasi)
{
	struct ts_resp *r = callh(KABID, "POST", fmt("/api/v1/requests/%s/dispositions", g_req.s),
				  fmt("{\"to_user_ids\":[\"%s\",\"%s\"],\"instruction_kind\":\"koordinasikan\","
				      "\"instruction\":\"Jadwalkan pembahasan awal.\",\"parent_id\":\"%s\"}",
				      W[KASI].id, W[TIM].id, g_disp.s),
				  "X-Request-Id: flow-derive", NULL);
	assert_status(r, 201);
	snprintf(g_derived.s, sizeof g_derived.s, "%s", jstr(r, "id"));
	ck_assert_str_eq(jstr(r, "parent_id"), g_disp.s);
	ck_assert_str_eq(jstr(r, "from_user_id"), W[KABID].id);
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "to_user_ids")), 2);

	struct ts_resp *g = call(PD_A, "GET", fmt("/api/v1/requests/%s", g_req.s), NULL);
	ck_assert_str_eq(jstr(g, "status"), "in_discussion");
	ck_assert_str_eq(jstr(g, "phase"), "awal");
	ck_assert_int_eq(jint(g, "current_step"), 4);
}
END_TEST

START_TEST(test_dispositions_as_tree)
{
	struct ts_resp *r = call(KASI, "GET", fmt("/api/v1/requests/%s/dispositions", g_req.s), NULL);
	assert_status(r, 200);
	json_t *items = json_object_get(r->json, "items");
	ck_assert_msg(json_array_size(items) == 1, "one root expected: %s", r->body);
	ck_assert(json_is_null(json_object_get(r->json, "next_cursor")));
	json_t *root = json_array_get(items, 0);
	ck_assert_str_eq(str_of(root, "id"), g_disp.s);
	ck_assert_msg(*str_of(root, "read_at"), "the root was read: %s", r->body);
	json_t *children = json_object_get(root, "children");
	ck_assert_msg(json_array_size(children) == 1, "one child expected: %s", r->body);
	json_t *child = json_array_get(children, 0);
	ck_assert_str_eq(str_of(child, "id"), g_derived.s);
	ck_assert_str_eq(str_of(child, "parent_id"), g_disp.s);
	ck_assert_int_eq(json_array_size(json_object_get(child, "children")), 0);
}
END_TEST

START_TEST(test_timeline_steps_1_to_3_done_4_open)
{
	struct ts_resp *r = call(PD_A, "GET", fmt("/api/v1/requests/%s/timeline", g_req.s), NULL);
	assert_status(r, 200);
	ck_assert_str_eq(jstr(r, "request_id"), g_req.s);
	ck_assert_int_eq(jint(r, "current_step"), 4);
	json_t *steps = json_object_get(r->json, "steps");
	ck_assert_msg(json_array_size(steps) == 4, "steps 1-4 expected: %s", r->body);
	const char *by[] = {W[PD_A].id, W[KADIS].id, W[KABID].id};
	for (int i = 0; i < 4; i++) {
		json_t *s = json_array_get(steps, (size_t)i);
		ck_assert_int_eq(json_integer_value(json_object_get(s, "step")), i + 1);
		ck_assert_msg(*str_of(s, "started_at"), "step %d has no started_at: %s", i + 1, r->body);
		ck_assert_msg(json_is_string(json_object_get(s, "sla_state")), "step %d: no sla_state", i + 1);
		if (i < 3) {
			ck_assert_msg(*str_of(s, "completed_at"), "step %d not completed: %s", i + 1, r->body);
			ck_assert_msg(strcmp(str_of(s, "completed_by"), by[i]) == 0, "step %d completed_by %s, expected %s",
				      i + 1, str_of(s, "completed_by"), by[i]);
		} else {
			ck_assert_msg(json_is_null(json_object_get(s, "completed_at")), "step 4 is open: %s", r->body);
			ck_assert(json_is_null(json_object_get(s, "completed_by")));
		}
	}
	/* step N+1 starts the instant step N completes */
	for (int i = 0; i < 3; i++)
		ck_assert_str_eq(str_of(json_array_get(steps, (size_t)i), "completed_at"),
				 str_of(json_array_get(steps, (size_t)i + 1), "started_at"));
}
END_TEST

START_TEST(test_audit_trail)
{
	struct ts_resp *r = call(AUDITOR, "GET", fmt("/api/v1/requests/%s/audit", g_req.s), NULL);
	assert_status(r, 200);
	static const struct {
		const char *action;
		enum who who;
		const char *role;
		const char *rid;
	} want[] = {
		{"request.create", PD_A, "pd", "flow-create"},
		{"request.update", PD_A, "pd", "flow-update"},
		{"document.upload", PD_A, "pd", "flow-upload-1"},
		{"document.upload", PD_A, "pd", "flow-upload-2"},
		{"request.submit", PD_A, "pd", "flow-submit"},
		{"request.register", SEKRETARIAT, "sekretariat", "flow-register"},
		{"request.dispose", KADIS, "kepala_dinas", "flow-dispose"},
		{"disposition.read", KABID, "kabid_iai", "flow-read"},
		{"request.derive", KABID, "kabid_iai", "flow-derive"},
	};
	json_t *items = json_object_get(r->json, "items");
	ck_assert_msg(json_array_size(items) == sizeof want / sizeof want[0], "%zu audit rows: %s",
		      json_array_size(items), r->body);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		json_t *row = json_array_get(items, i);
		ck_assert_msg(strcmp(str_of(row, "action"), want[i].action) == 0, "row %zu is %s, expected %s", i,
			      str_of(row, "action"), want[i].action);
		ck_assert_str_eq(str_of(row, "actor_role"), want[i].role);
		ck_assert_str_eq(str_of(row, "actor_id"), W[want[i].who].id);
		ck_assert_str_eq(str_of(row, "http_request_id"), want[i].rid);
		ck_assert_msg(*str_of(row, "at"), "row %zu has no time", i);
	}
	json_t *reg = audit_row(r, "request.register");
	ck_assert_str_eq(str_of(json_object_get(reg, "after"), "agenda_number"), fmt("0001/AGENDA/D.KOMINFOS/%s", g_year));
	ck_assert_str_eq(str_of(json_object_get(reg, "before"), "state"), "submitted");
	ck_assert_str_eq(str_of(json_object_get(reg, "after"), "state"), "awaiting_disposition");
	ck_assert_str_eq(str_of(json_object_get(audit_row(r, "request.dispose"), "after"), "disposition_id"), g_disp.s);
	ck_assert_str_eq(str_of(json_object_get(audit_row(r, "request.derive"), "after"), "disposition_id"), g_derived.s);
	/* the pd of the agency reads the trail too */
	assert_status(call(PD_A, "GET", fmt("/api/v1/requests/%s/audit", g_req.s), NULL), 200);
	/* paging by 5 gives the same rows */
	r = call(AUDITOR, "GET", fmt("/api/v1/requests/%s/audit?limit=5", g_req.s), NULL);
	assert_status(r, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 5);
	const char *cursor = jstr(r, "next_cursor");
	ck_assert_msg(*cursor, "no next_cursor: %s", r->body);
	r = call(AUDITOR, "GET", fmt("/api/v1/requests/%s/audit?limit=5&cursor=%s", g_req.s, cursor), NULL);
	assert_status(r, 200);
	ck_assert_str_eq(str_of(json_array_get(json_object_get(r->json, "items"), 0), "action"), "request.register");
}
END_TEST

/* submit:true at creation is possible only when nothing is missing; a JSON
 * create carries no file, so it is refused with both documents named and
 * nothing is kept. */
START_TEST(test_create_and_submit_in_one_call)
{
	struct ts_resp *r = callh(PD_A, "POST", "/api/v1/requests",
				  "{\"kind\":\"integrasi\",\"title\":\"Integrasi SIMPEG Sekaligus\",\"submit\":true}",
				  "X-Request-Id: flow-create-submit", NULL);
	assert_problem(r, 422, "request.documents_missing");
	ck_assert_str_eq(field_error_code(r, "documents.surat_permohonan"), "required");
	ck_assert_str_eq(field_error_code(r, "documents.proses_bisnis"), "required");
	ck_assert_str_eq(sql_value("SELECT count(*) FROM requests WHERE title = 'Integrasi SIMPEG Sekaligus'"), "0");
	ck_assert_str_eq(sql_value("SELECT count(*) FROM audit_log WHERE http_request_id = 'flow-create-submit'"), "0");
}
END_TEST

static Suite *flow_suite(void)
{
	Suite *s = suite_create("requests_flow");
	TCase *tc = world_tcase("requests_flow", up_flow);
	tcase_add_test(tc, test_pd_creates_draft);
	tcase_add_test(tc, test_pd_edits_draft_with_if_match);
	tcase_add_test(tc, test_submit_needs_both_documents);
	tcase_add_test(tc, test_pd_submits);
	tcase_add_test(tc, test_sekretariat_registers_with_agenda_number);
	tcase_add_test(tc, test_kepala_dinas_disposes_to_kabid);
	tcase_add_test(tc, test_kabid_marks_read);
	tcase_add_test(tc, test_kabid_derives_to_kasi);
	tcase_add_test(tc, test_dispositions_as_tree);
	tcase_add_test(tc, test_timeline_steps_1_to_3_done_4_open);
	tcase_add_test(tc, test_audit_trail);
	tcase_add_test(tc, test_create_and_submit_in_one_call);
	world_add_clean_stop(tc);
	suite_add_tcase(s, tc);
	return s;
}

/* ==== requests_refusals ===================================================== */

static void up_refusals(void)
{
	world_up("requests_refusals", NULL);
}

START_TEST(test_wrong_role)
{
	struct uid sub = request_at(PD_A, AT_SUBMITTED, "Aplikasi Antrian", NULL, NULL);
	/* the move exists now, but not for this role */
	assert_problem(call(PD_A, "POST", fmt("/api/v1/requests/%s/register", sub.s), NULL), 403,
		       "request.role_not_allowed");
	assert_problem(call(KABID, "POST", fmt("/api/v1/requests/%s/register", sub.s), NULL), 403,
		       "request.role_not_allowed");
	assert_problem(call(PD_A, "POST", fmt("/api/v1/requests/%s/reject", sub.s), "{\"reason\":\"tidak\"}"), 403,
		       "request.role_not_allowed");
	struct uid draft = new_draft(PD_A, "Aplikasi Draf");
	assert_problem(call(SEKRETARIAT, "POST", fmt("/api/v1/requests/%s/submit", draft.s), NULL), 403,
		       "request.role_not_allowed");
	/* routes the role may not use at all */
	struct uid awaiting = request_at(PD_A, AT_AWAITING_DISPOSITION, "Aplikasi Menunggu", NULL, NULL);
	const char *body = fmt("{\"to_user_ids\":[\"%s\"],\"instruction_kind\":\"tindak_lanjuti\",\"instruction\":\"x\"}",
			       W[KABID].id);
	assert_problem(call(KASI, "POST", fmt("/api/v1/requests/%s/dispositions", awaiting.s), body), 403,
		       "auth.forbidden");
	assert_problem(call(SEKRETARIAT, "POST", fmt("/api/v1/requests/%s/dispositions", awaiting.s), body), 403,
		       "auth.forbidden");
	assert_problem(call(PD_A, "POST", fmt("/api/v1/requests/%s/dispositions", awaiting.s), body), 403,
		       "auth.forbidden");
	const char *create = "{\"kind\":\"pembangunan\",\"title\":\"Tidak boleh\"}";
	assert_problem(call(KADIS, "POST", "/api/v1/requests", create), 403, "auth.forbidden");
	assert_problem(call(AUDITOR, "POST", "/api/v1/requests", create), 403, "auth.forbidden");
	assert_problem(call(AUDITOR, "POST", fmt("/api/v1/requests/%s/withdraw", sub.s), NULL), 403, "auth.forbidden");
	assert_problem(call(KASI, "PATCH", fmt("/api/v1/requests/%s", draft.s), "{\"title\":\"x\"}"), 403,
		       "auth.forbidden");
	assert_problem(call(NOBODY, "GET", fmt("/api/v1/requests/%s", draft.s), NULL), 401, "auth.missing_token");
	/* nothing moved */
	ck_assert_str_eq(status_of(sub.s), "submitted");
	ck_assert_str_eq(status_of(draft.s), "draft");
	ck_assert_str_eq(status_of(awaiting.s), "awaiting_disposition");
}
END_TEST

START_TEST(test_other_agency_is_not_found)
{
	struct uid draft = new_draft(PD_A, "Rahasia Dinas Alpha");
	struct uid sub = request_at(PD_A, AT_SUBMITTED, "Rahasia Dinas Alpha Terkirim", NULL, NULL);
	/* reads: GET, timeline, audit, documents */
	const char *reads[] = {
		fmt("/api/v1/requests/%s", draft.s),
		fmt("/api/v1/requests/%s", sub.s),
		fmt("/api/v1/requests/%s/timeline", sub.s),
		fmt("/api/v1/requests/%s/audit", sub.s),
		fmt("/api/v1/requests/%s/documents", sub.s),
	};
	for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
		assert_problem(call(PD_B, "GET", reads[i], NULL), 404, "request.not_found");
		/* the same agency's other user and an unbound reader do see it */
		assert_status(call(PD_A_SIGN, "GET", reads[i], NULL), 200);
		assert_status(call(CLIENT_ALL, "GET", reads[i], NULL), 200);
	}
	/* writes: the same answer, and nothing changes */
	assert_problem(callh(PD_B, "PATCH", fmt("/api/v1/requests/%s", draft.s), "{\"title\":\"Diambil alih\"}",
			     "If-Match: \"1\"", NULL),
		       404, "request.not_found");
	assert_problem(call(PD_B, "POST", fmt("/api/v1/requests/%s/submit", draft.s), NULL), 404, "request.not_found");
	assert_problem(call(PD_B, "POST", fmt("/api/v1/requests/%s/withdraw", sub.s), NULL), 404, "request.not_found");
	/* an e-office client bound to agency A cannot see agency B's request */
	struct uid of_b = new_draft(PD_B, "Milik Dinas Beta");
	assert_problem(call(CLIENT_A, "GET", fmt("/api/v1/requests/%s", of_b.s), NULL), 404, "request.not_found");
	/* the same 404 as for a request that does not exist at all */
	assert_problem(call(PD_B, "GET", "/api/v1/requests/00000000-0000-4000-8000-000000000000", NULL), 404,
		       "request.not_found");
	ck_assert_str_eq(status_of(draft.s), "draft");
	ck_assert_str_eq(status_of(sub.s), "submitted");
	struct ts_resp *g = call(PD_A, "GET", fmt("/api/v1/requests/%s", draft.s), NULL);
	ck_assert_str_eq(jstr(g, "title"), "Rahasia Dinas Alpha");

	/* lists: a filter on agency A gives B nothing; B's own list has no A request */
	struct ts_resp *l = call(PD_B, "GET", fmt("/api/v1/requests?agency_id=%s", AGENCY_A), NULL);
	assert_status(l, 200);
	ck_assert_msg(json_array_size(json_object_get(l->json, "items")) == 0, "pd of B sees A's requests: %s", l->body);
	ck_assert(json_is_null(json_object_get(l->json, "next_cursor")));
	l = call(PD_B, "GET", "/api/v1/requests?limit=200", NULL);
	assert_status(l, 200);
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(l->json, "items"), i, it)
		ck_assert_msg(strcmp(str_of(it, "agency_id"), AGENCY_B) == 0, "pd of B lists a request of %s",
			      str_of(it, "agency_id"));
	ck_assert_int_ge(json_array_size(json_object_get(l->json, "items")), 1);
}
END_TEST

START_TEST(test_wrong_state)
{
	struct uid draft = new_draft(PD_A, "Belum Dikirim");
	assert_problem(call(SEKRETARIAT, "POST", fmt("/api/v1/requests/%s/register", draft.s), NULL), 409,
		       "request.invalid_transition");
	assert_problem(call(KADIS, "POST", fmt("/api/v1/requests/%s/reject", draft.s), "{\"reason\":\"Belum lengkap\"}"),
		       409, "request.invalid_transition");
	/* dispose before registration */
	struct uid sub = request_at(PD_A, AT_SUBMITTED, "Belum Diregistrasi", NULL, NULL);
	assert_problem(call(KADIS, "POST", fmt("/api/v1/requests/%s/dispositions", sub.s),
			    fmt("{\"to_user_ids\":[\"%s\"],\"instruction_kind\":\"tindak_lanjuti\",\"instruction\":\"x\"}",
				W[KABID].id)),
		       409, "request.invalid_transition");
	assert_problem(call(PD_A, "POST", fmt("/api/v1/requests/%s/submit", sub.s), NULL), 409,
		       "request.invalid_transition");
	/* a submitted request is no longer a draft */
	assert_problem(callh(PD_A, "PATCH", fmt("/api/v1/requests/%s", sub.s), "{\"title\":\"Ubah\"}", "If-Match: \"2\"",
			     NULL),
		       409, "request.not_draft");
	/* registering twice does not take a second number */
	struct uid agenda = register_request(sub.s);
	assert_problem(call(SEKRETARIAT, "POST", fmt("/api/v1/requests/%s/register", sub.s), NULL), 409,
		       "request.invalid_transition");
	struct ts_resp *g = call(PD_A, "GET", fmt("/api/v1/requests/%s", sub.s), NULL);
	ck_assert_str_eq(jstr(g, "agenda_number"), agenda.s);
}
END_TEST

START_TEST(test_withdrawn_is_closed)
{
	struct uid id = request_at(PD_A, AT_AWAITING_DISPOSITION, "Akan Ditarik", NULL, NULL);
	struct ts_resp *r = callh(PD_A, "POST", fmt("/api/v1/requests/%s/withdraw", id.s),
				  "{\"reason\":\"Anggaran dialihkan.\"}", "X-Request-Id: refusals-withdraw", NULL);
	assert_status(r, 200);
	ck_assert_str_eq(jstr(r, "status"), "withdrawn");
	ck_assert_int_eq(jint(r, "current_step"), 0);
	ck_assert_str_eq(jstr(r, "closing_reason"), "Anggaran dialihkan.");
	ck_assert_pstr_eq(ts_header(r, "ETag"), fmt("\"%lld\"", jint(r, "version")));

	/* every action afterwards: 409 request.closed */
	const char *p = fmt("/api/v1/requests/%s", id.s);
	assert_problem(call(PD_A, "POST", fmt("%s/submit", p), NULL), 409, "request.closed");
	assert_problem(call(PD_A, "POST", fmt("%s/withdraw", p), NULL), 409, "request.closed");
	assert_problem(call(SEKRETARIAT, "POST", fmt("%s/register", p), NULL), 409, "request.closed");
	assert_problem(call(KADIS, "POST", fmt("%s/reject", p), "{\"reason\":\"Ditolak\"}"), 409, "request.closed");
	assert_problem(call(KADIS, "POST", fmt("%s/dispositions", p),
			    fmt("{\"to_user_ids\":[\"%s\"],\"instruction_kind\":\"tindak_lanjuti\",\"instruction\":\"x\"}",
				W[KABID].id)),
		       409, "request.closed");
	/* (an edit is refused because it is no draft) */
	assert_problem(callh(PD_A, "PATCH", p, "{\"title\":\"x\"}", "If-Match: *", NULL), 409, "request.not_draft");
	ck_assert_str_eq(status_of(id.s), "withdrawn");
	/* withdrawing a draft works too */
	struct uid draft = new_draft(PD_A, "Draf Ditarik");
	assert_status(call(PD_A, "POST", fmt("/api/v1/requests/%s/withdraw", draft.s), NULL), 200);
	ck_assert_str_eq(status_of(draft.s), "withdrawn");

	/* the running step ended with the withdrawal: closed_reason withdrawn
	 * (not completed); its sla_state only says whether it ended before its
	 * deadline (SlaState in openapi.yaml) */
	struct ts_resp *t = call(PD_A, "GET", fmt("/api/v1/requests/%s/timeline", id.s), NULL);
	json_t *steps = json_object_get(t->json, "steps");
	ck_assert_msg(json_array_size(steps) == 2, "%s", t->body);
	ck_assert_str_eq(str_of(json_array_get(steps, 0), "closed_reason"), "completed");
	json_t *two = json_array_get(steps, 1);
	ck_assert_str_eq(str_of(two, "closed_reason"), "withdrawn");
	ck_assert_str_eq(str_of(two, "completed_by"), W[PD_A].id);
	ck_assert_msg(*str_of(two, "completed_at"), "the step did not end: %s", t->body);
	ck_assert_msg(strcmp(str_of(two, "sla_state"), "done_on_time") == 0 || strcmp(str_of(two, "sla_state"), "done_late") == 0,
		      "step 2 ended by the withdrawal has sla_state '%s': %s", str_of(two, "sla_state"), t->body);
}
END_TEST

START_TEST(test_reject_needs_a_reason)
{
	struct uid id = request_at(PD_A, AT_AWAITING_DISPOSITION, "Akan Ditolak", NULL, NULL);
	struct ts_resp *r = call(KADIS, "POST", fmt("/api/v1/requests/%s/reject", id.s), NULL);
	assert_problem(r, 400, "request.invalid");
	ck_assert_str_eq(field_error_code(r, "reason"), "required");
	r = call(KADIS, "POST", fmt("/api/v1/requests/%s/reject", id.s), "{\"reason\":\"\"}");
	assert_problem(r, 400, "request.invalid");
	ck_assert(has_field_error(r, "reason"));
	ck_assert_str_eq(status_of(id.s), "awaiting_disposition");
	/* the Kabid acts on the Kepala Dinas's disposition: none yet, so he may not reject */
	r = call(KABID, "POST", fmt("/api/v1/requests/%s/reject", id.s), "{\"reason\":\"Bukan kewenangan Kominfos.\"}");
	assert_problem(r, 403, "request.role_not_allowed");
	struct uid sub = request_at(PD_A, AT_SUBMITTED, "Ditolak Sebelum Registrasi", NULL, NULL);
	assert_problem(call(KABID, "POST", fmt("/api/v1/requests/%s/reject", sub.s), "{\"reason\":\"Terlalu dini.\"}"),
		       403, "request.role_not_allowed");
	ck_assert_str_eq(status_of(sub.s), "submitted");
	ck_assert_str_eq(status_of(id.s), "awaiting_disposition");
	r = call(KADIS, "POST", fmt("/api/v1/requests/%s/reject", id.s), "{\"reason\":\"Bukan kewenangan Kominfos.\"}");
	assert_status(r, 200);
	ck_assert_str_eq(jstr(r, "status"), "rejected");
	ck_assert_str_eq(jstr(r, "closing_reason"), "Bukan kewenangan Kominfos.");
	assert_problem(call(PD_A, "POST", fmt("/api/v1/requests/%s/withdraw", id.s), NULL), 409, "request.closed");
	struct ts_resp *a = call(AUDITOR, "GET", fmt("/api/v1/requests/%s/audit", id.s), NULL);
	json_t *row = audit_row(a, "request.reject");
	ck_assert_msg(row, "no request.reject row: %s", a->body);
	ck_assert_str_eq(str_of(row, "actor_role"), "kepala_dinas");
	/* once disposed to him, the Kabid may reject */
	struct uid disposed = request_at(PD_A, AT_DISPOSED, "Ditolak Kabid", NULL, NULL);
	r = call(KABID, "POST", fmt("/api/v1/requests/%s/reject", disposed.s), "{\"reason\":\"Sudah ada aplikasinya.\"}");
	assert_status(r, 200);
	ck_assert_str_eq(jstr(r, "status"), "rejected");
}
END_TEST

START_TEST(test_if_match)
{
	struct uid id = new_draft(PD_A, "Versi Draf");
	const char *p = fmt("/api/v1/requests/%s", id.s);
	/* PATCH needs If-Match */
	assert_problem(call(PD_A, "PATCH", p, "{\"title\":\"Tanpa If-Match\"}"), 428, "request.if_match_required");
	/* a stale one is 412 */
	struct ts_resp *r = callh(PD_A, "PATCH", p, "{\"title\":\"Versi Dua\"}", "If-Match: \"1\"", NULL);
	assert_status(r, 200);
	assert_problem(callh(PD_A, "PATCH", p, "{\"title\":\"Basi\"}", "If-Match: \"1\"", NULL), 412,
		       "request.version_mismatch");
	assert_problem(callh(PD_A, "POST", fmt("%s/submit", p), NULL, "If-Match: \"1\"", NULL), 412,
		       "request.version_mismatch");
	assert_problem(callh(PD_A, "PATCH", p, "{\"title\":\"Basi\"}", "If-Match: W/\"7\", \"9\"", NULL), 412,
		       "request.version_mismatch");
	r = call(PD_A, "GET", p, NULL);
	ck_assert_str_eq(jstr(r, "title"), "Versi Dua");
	ck_assert_int_eq(jint(r, "version"), 2);
	/* the current one (in a list, weak or not) passes */
	r = callh(PD_A, "PATCH", p, "{\"description\":\"\"}", "If-Match: \"1\", W/\"2\"", NULL);
	assert_status(r, 200);
	ck_assert_int_eq(jint(r, "version"), 3);
	attach_submission_documents(PD_A, id.s);
	r = callh(PD_A, "POST", fmt("%s/submit", p), NULL, "If-Match: \"3\"", NULL);
	assert_status(r, 200);
	/* transitions accept no If-Match at all */
	assert_status(call(SEKRETARIAT, "POST", fmt("%s/register", p), NULL), 200);
}
END_TEST

START_TEST(test_bad_input)
{
	/* unknown fields, everywhere */
	struct ts_resp *r = call(PD_A, "POST", "/api/v1/requests",
				 "{\"kind\":\"pembangunan\",\"title\":\"x\",\"priority\":\"tinggi\"}");
	assert_problem(r, 400, "request.invalid");
	ck_assert_str_eq(field_error_code(r, "priority"), "unknown_field");
	struct uid id = new_draft(PD_A, "Masukan Buruk");
	const char *p = fmt("/api/v1/requests/%s", id.s);
	r = callh(PD_A, "PATCH", p, "{\"status\":\"submitted\"}", "If-Match: \"1\"", NULL);
	assert_problem(r, 400, "request.invalid");
	ck_assert(has_field_error(r, "status"));
	r = call(PD_A, "POST", fmt("%s/submit", p), "{\"force\":true}");
	assert_problem(r, 400, "request.invalid");
	ck_assert(has_field_error(r, "force"));
	r = call(PD_A, "POST", fmt("%s/withdraw", p), "{\"reason\":\"x\",\"why\":\"y\"}");
	assert_problem(r, 400, "request.invalid");
	ck_assert(has_field_error(r, "why"));
	ck_assert_str_eq(status_of(id.s), "draft");

	/* missing and wrong fields */
	r = call(PD_A, "POST", "/api/v1/requests", "{}");
	assert_problem(r, 400, "request.invalid");
	ck_assert(has_field_error(r, "kind") && has_field_error(r, "title"));
	r = call(PD_A, "POST", "/api/v1/requests", "{\"kind\":\"renovasi\",\"title\":\"x\",\"letter_date\":\"2024-02-30\"}");
	assert_problem(r, 400, "request.invalid");
	ck_assert(has_field_error(r, "kind") && has_field_error(r, "letter_date"));
	r = call(PD_A, "POST", "/api/v1/requests", "{\"kind\":\"pembangunan\",\"title\":5,\"submit\":\"yes\"}");
	assert_problem(r, 400, "request.invalid");
	ck_assert(has_field_error(r, "title") && has_field_error(r, "submit"));
	/* a pd submits for its own agency only; only the e-office sets eoffice_ref */
	r = call(PD_A, "POST", "/api/v1/requests",
		 fmt("{\"kind\":\"pembangunan\",\"title\":\"x\",\"agency_id\":\"%s\"}", AGENCY_B));
	assert_problem(r, 400, "request.invalid");
	ck_assert_str_eq(field_error_code(r, "agency_id"), "not_allowed");
	r = call(PD_A, "POST", "/api/v1/requests", "{\"kind\":\"pembangunan\",\"title\":\"x\",\"eoffice_ref\":\"EO-1\"}");
	assert_problem(r, 400, "request.invalid");
	ck_assert(has_field_error(r, "eoffice_ref"));
	/* over-long title */
	char title[260];
	memset(title, 't', 250);
	title[250] = '\0';
	r = call(PD_A, "POST", "/api/v1/requests", fmt("{\"kind\":\"pembangunan\",\"title\":\"%s\"}", title));
	assert_problem(r, 400, "request.invalid");
	ck_assert(has_field_error(r, "title"));
	/* not JSON */
	assert_problem(call(PD_A, "POST", "/api/v1/requests", "{\"kind\":"), 400, "http.malformed_json");
	r = ts_http(g_d, "POST", "/api/v1/requests",
		    (const char *[]){fmt("Authorization: Bearer %s", W[PD_A].token), "Content-Type: text/plain", NULL},
		    "kind=pembangunan", 16);
	assert_problem(r, 415, "http.unsupported_media_type");
	ck_assert_str_eq(sql_value(fmt("SELECT count(*) FROM requests WHERE title IN ('x', '%s')", title)), "0");
}
END_TEST

START_TEST(test_malformed_ids_404)
{
	const char *bad[] = {"not-a-uuid", "123", "00000000-0000-4000-8000-00000000000g",
			     "00000000-0000-4000-8000-0000000000000"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_problem(call(PD_A, "GET", fmt("/api/v1/requests/%s", bad[i]), NULL), 404, "request.not_found");
		assert_problem(call(PD_A, "POST", fmt("/api/v1/requests/%s/submit", bad[i]), NULL), 404,
			       "request.not_found");
		assert_problem(call(ADMIN, "GET", fmt("/api/v1/requests/%s/timeline", bad[i]), NULL), 404,
			       "request.not_found");
		assert_problem(call(KADIS, "POST", fmt("/api/v1/dispositions/%s/read", bad[i]), NULL), 404,
			       "disposition.not_found");
	}
	/* a well-formed id of nothing */
	assert_problem(call(PD_A, "POST", "/api/v1/requests/7d444840-9dc0-11d1-b245-5ffdce74fad2/withdraw", NULL), 404,
		       "request.not_found");
}
END_TEST


/* ---- machine clients: least privilege ---------------------------------------- */

/* What a refusal must leave as it was: status and version. */
static const char *snapshot(const char *id)
{
	return sql_value(fmt("SELECT status || '/' || version || '/' || (SELECT count(*) FROM documents d"
			     " WHERE d.request_id = r.id) FROM requests r WHERE id = '%s'",
			     id));
}

/* One write attempt on request id as who: the expected status and code. */
static void expect_write(enum who who, const char *method, const char *path, const char *body, long status,
			 const char *code)
{
	struct ts_resp *r = callh(who, method, path, body, "If-Match: *", NULL);
	ck_assert_msg(r->status == status, "%s %s %s: %ld (%ld expected) %.300s", W[who].role, method, path, r->status,
		      status, r->body);
	assert_problem(r, status, code);
}

/* Every write route the integration role reaches, against requests it did
 * not submit: a paper request of agency A (visible to both clients) and one
 * of agency B (visible to the global client only). The bound client gets 404
 * for B (it may not learn B's request exists) and 403 request.not_submitter
 * for A; the global client 403 for both. Reads stay as documented. Routes
 * outside the integration role are 403 auth.forbidden whoever submitted. */
START_TEST(test_machine_clients_act_on_their_own_requests)
{
	struct uid a = request_at(PD_A, AT_SUBMITTED, "Surat Tertulis Dinas Alpha", NULL, NULL);
	struct uid a_draft = new_draft(PD_A, "Draf Tertulis Dinas Alpha");
	struct uid b = request_at(PD_B, AT_SUBMITTED, "Surat Tertulis Dinas Beta", NULL, NULL);
	const char *before_a = fmt("%s", snapshot(a.s)), *before_draft = fmt("%s", snapshot(a_draft.s)),
		   *before_b = fmt("%s", snapshot(b.s));
	static const enum who clients[] = {CLIENT_A, CLIENT_ALL};
	for (size_t k = 0; k < 2; k++) {
		enum who cl = clients[k];
		const char *targets[] = {a.s, a_draft.s, b.s};
		for (size_t t = 0; t < 3; t++) {
			const char *id = targets[t];
			bool hidden = cl == CLIENT_A && t == 2;
			long st = hidden ? 404 : 403;
			const char *code = hidden ? "request.not_found" : "request.not_submitter";
			const char *p = fmt("/api/v1/requests/%s", id);
			expect_write(cl, "POST", fmt("%s/withdraw", p), "{\"reason\":\"test\"}", st, code);
			expect_write(cl, "POST", fmt("%s/submit", p), NULL, st, code);
			expect_write(cl, "POST", fmt("%s/reject", p), "{\"reason\":\"test\"}", st, code);
			expect_write(cl, "POST", fmt("%s/register", p), NULL, st, code);
			expect_write(cl, "PATCH", p, "{\"title\":\"Diubah Mesin\"}", st, code);
			expect_write(cl, "POST", fmt("%s/completion", p), "{\"notes\":{\"alur_sistem\":\"x\"}}", st, code);
			struct ts_resp *u = upload_pdf(cl, id, "lainnya", (const char *)NULL);
			ck_assert_msg(u->status == st, "%s upload: %ld %.300s", W[cl].role, u->status, u->body);
			assert_problem(u, st, code);
			/* routes of other roles: refused before the request is looked at */
			expect_write(cl, "POST", fmt("%s/dispositions", p),
				     fmt("{\"to_user_ids\":[\"%s\"],\"instruction_kind\":\"tindak_lanjuti\",\"instruction\":\"x\"}",
					 W[KABID].id),
				     403, "auth.forbidden");
			expect_write(cl, "POST", fmt("%s/discussions", p), "{}", 403, "auth.forbidden");
			expect_write(cl, "POST", fmt("%s/berita-acara", p), "{}", 403, "auth.forbidden");
			expect_write(cl, "POST", fmt("%s/surat-tugas", p), "{}", 403, "auth.forbidden");
			assert_problem(call(cl, "GET", fmt("%s/dispositions", p), NULL), 403, "auth.forbidden");
			/* reading stays as documented */
			static const char *const reads[] = {"", "/timeline", "/audit", "/documents", "/discussions",
							    "/completions", "/surat-tugas"};
			for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
				struct ts_resp *r = call(cl, "GET", fmt("%s%s", p, reads[i]), NULL);
				ck_assert_msg(r->status == (hidden ? 404 : 200), "%s GET %s%s: %ld", W[cl].role, p, reads[i],
					      r->status);
			}
		}
	}
	ck_assert_str_eq(snapshot(a.s), before_a);
	ck_assert_str_eq(snapshot(a_draft.s), before_draft);
	ck_assert_str_eq(snapshot(b.s), before_b);

	/* its own submissions it works on as before */
	struct uid own = new_request_json(CLIENT_A, "{\"kind\":\"integrasi\",\"title\":\"Milik E-Office\","
						    "\"eoffice_ref\":\"EO/MILIK/1\"}");
	assert_status(callh(CLIENT_A, "PATCH", fmt("/api/v1/requests/%s", own.s), "{\"title\":\"Milik E-Office (ubah)\"}",
			    "If-Match: \"1\"", NULL),
		      200);
	submit(CLIENT_A, own.s);
	assert_status(call(CLIENT_A, "POST", fmt("/api/v1/requests/%s/withdraw", own.s), "{\"reason\":\"Ditarik.\"}"), 200);

	/* an admin widens the global client's reach; only an admin may */
	const char *client = fmt("/api/v1/clients/%s", W[CLIENT_ALL].id);
	assert_problem(call(KADIS, "PATCH", client, "{\"write_scope\":\"visible\"}"), 403, "auth.forbidden");
	struct ts_resp *r = call(ADMIN, "PATCH", client, "{\"write_scope\":\"everything\"}");
	assert_problem(r, 400, "request.invalid");
	ck_assert_str_eq(field_error_code(r, "write_scope"), "invalid");
	r = call(ADMIN, "PATCH", client, "{\"write_scope\":\"visible\"}");
	assert_status(r, 200);
	ck_assert_str_eq(jstr(r, "write_scope"), "visible");
	r = call(CLIENT_ALL, "POST", fmt("/api/v1/requests/%s/withdraw", b.s), "{\"reason\":\"Atas surat PD.\"}");
	assert_status(r, 200);
	ck_assert_str_eq(jstr(r, "status"), "withdrawn");
	/* a bound client never reaches past its agency, whatever its scope */
	assert_status(call(ADMIN, "PATCH", fmt("/api/v1/clients/%s", W[CLIENT_A].id), "{\"write_scope\":\"visible\"}"),
		      200);
	assert_problem(call(CLIENT_A, "POST", fmt("/api/v1/requests/%s/reject", b.s), "{\"reason\":\"x\"}"), 404,
		       "request.not_found");
	assert_status(call(CLIENT_A, "POST", fmt("/api/v1/requests/%s/withdraw", a.s), "{\"reason\":\"Atas surat PD.\"}"),
		      200);
	/* back to least privilege for the rest of the suite */
	assert_status(call(ADMIN, "PATCH", client, "{\"write_scope\":\"own\"}"), 200);
	assert_status(call(ADMIN, "PATCH", fmt("/api/v1/clients/%s", W[CLIENT_A].id), "{\"write_scope\":\"own\"}"), 200);
	assert_problem(call(CLIENT_ALL, "POST", fmt("/api/v1/requests/%s/withdraw", a_draft.s), NULL), 403,
		       "request.not_submitter");
	ck_assert_str_eq(sql_value(fmt("SELECT count(*) FROM audit_log WHERE action = 'client.update'"
				       " AND record_id = '%s'", W[CLIENT_ALL].id)),
			 "2");
}
END_TEST

static Suite *refusals_suite(void)
{
	Suite *s = suite_create("requests_refusals");
	TCase *tc = world_tcase("requests_refusals", up_refusals);
	tcase_add_test(tc, test_wrong_role);
	tcase_add_test(tc, test_other_agency_is_not_found);
	tcase_add_test(tc, test_wrong_state);
	tcase_add_test(tc, test_withdrawn_is_closed);
	tcase_add_test(tc, test_reject_needs_a_reason);
	tcase_add_test(tc, test_machine_clients_act_on_their_own_requests);
	tcase_add_test(tc, test_if_match);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_malformed_ids_404);
	world_add_clean_stop(tc);
	suite_add_tcase(s, tc);
	return s;
}

/* ==== requests_list ========================================================== */

static void up_list(void)
{
	world_up("requests_list", NULL);
}

/* Every id the list answers for query (walking all pages of `limit`), in
 * order, comma-separated; asserts each page's shape. */
static const char *walk(enum who who, const char *query, int limit, int *pages)
{
	static char ids[16384];
	ids[0] = '\0';
	const char *cursor = NULL;
	int n = 0;
	for (;;) {
		const char *path = fmt("/api/v1/requests?%s%slimit=%d%s%s", query, *query ? "&" : "", limit,
				       cursor ? "&cursor=" : "", cursor ? cursor : "");
		struct ts_resp *r = call(who, "GET", path, NULL);
		assert_status(r, 200);
		json_t *items = json_object_get(r->json, "items");
		ck_assert_msg(json_is_array(items) && json_array_size(items) <= (size_t)limit, "%s: %s", path, r->body);
		size_t i;
		json_t *it;
		json_array_foreach(items, i, it)
		{
			ck_assert_msg(strlen(ids) + 40 < sizeof ids, "too many ids");
			if (ids[0])
				strcat(ids, ",");
			strcat(ids, str_of(it, "id"));
		}
		n++;
		json_t *next = json_object_get(r->json, "next_cursor");
		if (json_is_null(next))
			break;
		ck_assert_msg(json_is_string(next) && json_array_size(items) == (size_t)limit,
			      "a next_cursor after a short page: %s", r->body);
		cursor = fmt("%s", json_string_value(next));
		ck_assert_int_lt(n, 200);
	}
	if (pages)
		*pages = n;
	return ids;
}

/* The same from the database: ids matching where, newest first. */
static const char *expect(const char *where)
{
	return sql_value(fmt("SELECT coalesce(string_agg(id::text, ',' ORDER BY created_at DESC, id DESC), '')"
			     " FROM requests WHERE %s",
			     where));
}

#define assert_list(who, query, where)                                                                   \
	do {                                                                                             \
		const char *got_ = walk((who), (query), 200, NULL);                                      \
		const char *want_ = expect(where);                                                      \
		ck_assert_msg(strcmp(got_, want_) == 0, "?%s\n  answered: %s\n  expected: %s", (query), got_, \
			      want_);                                                                    \
	} while (0)

static int g_total;

START_TEST(test_list_set_up)
{
	/* agency A in every status of steps 1-3, agency B a few; titles for q */
	new_draft(PD_A, "Diskon 100% Retribusi");
	new_draft(PD_A, "Aplikasi snake_case");
	new_draft(PD_A, "Aplikasi snakeXcase");
	new_draft(PD_A, "Sistem 1000 Persen");
	request_at(PD_A, AT_SUBMITTED, "Portal Perizinan", NULL, NULL);
	request_at(PD_A, AT_SUBMITTED, "Portal Kepegawaian", NULL, NULL);
	request_at(PD_A, AT_AWAITING_DISPOSITION, "Sistem Arsip", NULL, NULL);
	request_at(PD_A, AT_DISPOSED, "Sistem Aset", NULL, NULL);
	request_at(PD_A, AT_IN_DISCUSSION, "Sistem Keuangan", NULL, NULL);
	struct uid w = new_draft(PD_A, "Ditarik Kembali");
	assert_status(call(PD_A, "POST", fmt("/api/v1/requests/%s/withdraw", w.s), NULL), 200);
	struct uid j = request_at(PD_A, AT_SUBMITTED, "Ditolak Saja", NULL, NULL);
	assert_status(call(KADIS, "POST", fmt("/api/v1/requests/%s/reject", j.s), "{\"reason\":\"Tidak relevan\"}"), 200);
	new_draft(PD_B, "Portal Pajak Daerah");
	request_at(PD_B, AT_SUBMITTED, "Portal Retribusi", NULL, NULL);
	request_at(PD_B, AT_AWAITING_DISPOSITION, "Layanan Samsat", NULL, NULL);
	g_total = atoi(sql_value("SELECT count(*) FROM requests"));
	ck_assert_int_eq(g_total, 14);
}
END_TEST

START_TEST(test_list_filters)
{
	assert_list(ADMIN, "", "true");
	assert_list(AUDITOR, "status=submitted", "status = 'submitted'");
	assert_list(SEKRETARIAT, "status=draft", "status = 'draft'");
	assert_list(ADMIN, "status=in_discussion", "status = 'in_discussion'");
	assert_list(ADMIN, "status=in_discussion&phase=awal", "state = 'in_discussion_awal'");
	assert_list(ADMIN, "status=withdrawn", "status = 'withdrawn'");
	assert_list(ADMIN, "step=2", "current_step = 2");
	assert_list(ADMIN, "step=3", "current_step = 3");
	assert_list(ADMIN, "step=7", "false");
	assert_list(ADMIN, fmt("agency_id=%s", AGENCY_B), fmt("agency_id = '%s'", AGENCY_B));
	assert_list(ADMIN, fmt("agency_id=%s&status=submitted", AGENCY_A),
		    fmt("agency_id = '%s' AND status = 'submitted'", AGENCY_A));
	assert_list(PD_A, "status=draft", fmt("agency_id = '%s' AND status = 'draft'", AGENCY_A));
	assert_list(PD_B, "", fmt("agency_id = '%s'", AGENCY_B));
	assert_list(CLIENT_A, "", fmt("agency_id = '%s'", AGENCY_A));
	assert_list(CLIENT_ALL, "step=2", "current_step = 2");
	/* the status of every item is the one asked for */
	struct ts_resp *r = call(ADMIN, "GET", "/api/v1/requests?status=awaiting_disposition", NULL);
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(r->json, "items"), i, it)
	{
		ck_assert_str_eq(str_of(it, "status"), "awaiting_disposition");
		ck_assert_msg(*str_of(it, "agenda_number"), "no agenda number: %s", r->body);
	}
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 2);
	/* overdue=false filters nothing; overdue=true only what is past due */
	assert_list(ADMIN, "overdue=false", "true");
	assert_list(ADMIN, "overdue=true",
		    "EXISTS (SELECT 1 FROM step_instances s WHERE s.request_id = requests.id"
		    " AND s.completed_at IS NULL AND s.due_at <= now())");
}
END_TEST

START_TEST(test_list_dates)
{
	char today[16], tomorrow[16], yesterday[16];
	snprintf(today, sizeof today, "%s", sql_value("SELECT (now() AT TIME ZONE 'Asia/Makassar')::date"));
	snprintf(tomorrow, sizeof tomorrow, "%s", sql_value("SELECT (now() AT TIME ZONE 'Asia/Makassar')::date + 1"));
	snprintf(yesterday, sizeof yesterday, "%s", sql_value("SELECT (now() AT TIME ZONE 'Asia/Makassar')::date - 1"));
	assert_list(ADMIN, fmt("from=%s", today), "true");
	assert_list(ADMIN, fmt("to=%s", today), "true");
	assert_list(ADMIN, fmt("from=%s&to=%s", today, today), "true");
	assert_list(ADMIN, fmt("from=%s&to=%s", yesterday, tomorrow), "true");
	assert_list(ADMIN, fmt("from=%s", tomorrow), "false");
	assert_list(ADMIN, fmt("to=%s", yesterday), "false");
	assert_list(ADMIN, fmt("from=%s&to=%s", today, yesterday), "false");
	/* a request created "yesterday" (local time) is found by to=yesterday only */
	ck_assert(ts_sql(g_db, "UPDATE requests SET created_at = created_at - interval '1 day'"
			       " WHERE title = 'Layanan Samsat'"));
	assert_list(ADMIN, fmt("to=%s", yesterday), "title = 'Layanan Samsat'");
	assert_list(ADMIN, fmt("from=%s", today), "title <> 'Layanan Samsat'");
}
END_TEST

START_TEST(test_list_text_query)
{
	assert_list(ADMIN, "q=Portal", "title LIKE '%Portal%'");
	assert_list(ADMIN, "q=portal%20PERIZINAN", "title = 'Portal Perizinan'");
	/* % and _ are taken literally, not as wildcards */
	assert_list(ADMIN, "q=snake_case", "title = 'Aplikasi snake_case'");
	assert_list(ADMIN, "q=_", "title = 'Aplikasi snake_case'");
	assert_list(ADMIN, "q=100%25", "title = 'Diskon 100% Retribusi'");
	assert_list(ADMIN, "q=%25", "title = 'Diskon 100% Retribusi'");
	assert_list(ADMIN, "q=%5C", "false");
	struct uid slash = new_draft(PD_B, "Arsip C:\\\\Data");
	assert_list(ADMIN, "q=%5C", fmt("id = '%s'", slash.s));
	assert_list(ADMIN, "q=C%3A%5CD", fmt("id = '%s'", slash.s));
	struct ts_resp *r = call(ADMIN, "GET", fmt("/api/v1/requests?q=%0101d", 0), NULL);
	assert_problem(r, 400, "request.invalid");
	ck_assert(has_field_error(r, "q"));
	assert_list(ADMIN, "q=tidak-ada-yang-cocok", "false");
	/* combined with the agency rule */
	assert_list(PD_B, "q=Portal", fmt("title LIKE '%%Portal%%' AND agency_id = '%s'", AGENCY_B));
	/* and with the letter number */
	struct uid id = new_request_json(PD_A, "{\"kind\":\"pengembangan\",\"title\":\"Surat Khusus\","
					       "\"letter_number\":\"027/XYZ-42/BKD\"}");
	assert_list(ADMIN, "q=XYZ-42", fmt("id = '%s'", id.s));
}
END_TEST

START_TEST(test_list_keyset_pagination)
{
	int pages = 0;
	const char *all = walk(ADMIN, "", 2, &pages);
	ck_assert_str_eq(all, expect("true"));
	g_total = atoi(sql_value("SELECT count(*) FROM requests"));
	ck_assert_int_eq(pages, (g_total + 1) / 2);
	/* every id exactly once */
	static char copy[16384];
	snprintf(copy, sizeof copy, "%s", all);
	const char *seen[64];
	int n = 0;
	for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
		for (int k = 0; k < n; k++)
			ck_assert_msg(strcmp(seen[k], tok) != 0, "%s came twice", tok);
		ck_assert_int_lt(n, 64);
		seen[n++] = tok;
	}
	ck_assert_int_eq(n, g_total);
	/* same creation instant: the id breaks the tie, still each once */
	ck_assert(ts_sql(g_db, "UPDATE requests SET created_at = '2024-06-01T10:00:00+08' WHERE status = 'draft'"));
	assert_list(ADMIN, "", "true");
	ck_assert_str_eq(walk(ADMIN, "", 2, NULL), expect("true"));
	ck_assert_str_eq(walk(ADMIN, "", 3, NULL), expect("true"));
	ck_assert_str_eq(walk(ADMIN, "status=draft", 1, NULL), expect("status = 'draft'"));
	ck_assert_str_eq(walk(PD_A, "", 2, NULL), expect(fmt("agency_id = '%s'", AGENCY_A)));
	/* the items are whole requests */
	struct ts_resp *r = call(ADMIN, "GET", "/api/v1/requests?limit=1", NULL);
	json_t *first = json_array_get(json_object_get(r->json, "items"), 0);
	struct ts_resp *g = call(ADMIN, "GET", fmt("/api/v1/requests/%s", str_of(first, "id")), NULL);
	/* a row also has its running step's deadlines and SLA state, as the timeline gives them */
	json_t *row = json_deep_copy(first);
	for (const char *const *k = (const char *const[]){"due_at", "warn_at", "sla_state", NULL}; *k; k++)
		ck_assert_msg(json_object_del(row, *k) == 0, "list item without %s: %s", *k, r->body);
	ck_assert_msg(json_equal(row, g->json), "list item differs from GET:\n%s\n%s", r->body, g->body);
	json_decref(row);
	struct ts_resp *t = call(ADMIN, "GET", fmt("/api/v1/requests/%s/timeline", str_of(first, "id")), NULL);
	assert_status(t, 200);
	json_t *steps = json_object_get(t->json, "steps"), *open = json_array_get(steps, json_array_size(steps) - 1);
	ck_assert(json_is_null(json_object_get(open, "completed_at")));
	ck_assert_str_eq(str_of(first, "sla_state"), str_of(open, "sla_state"));
	ck_assert(json_equal(json_object_get(first, "due_at"), json_object_get(open, "due_at")) ||
		  (json_is_null(json_object_get(first, "due_at")) && json_is_null(json_object_get(open, "due_at"))));
}
END_TEST

START_TEST(test_list_bad_parameters)
{
	struct ts_resp *r = call(ADMIN, "GET", "/api/v1/requests?limit=2", NULL);
	const char *cursor = jstr(r, "next_cursor");
	ck_assert_msg(*cursor, "no cursor: %s", r->body);
	/* a tampered cursor: one character changed, truncated, or garbage */
	char bad[512];
	snprintf(bad, sizeof bad, "%s", cursor);
	bad[strlen(bad) / 2] = bad[strlen(bad) / 2] == 'A' ? 'B' : 'A';
	const char *tampered[] = {bad, fmt("%.*s", (int)strlen(cursor) / 2, cursor), "not-a-cursor", "%00", "MTo",
				  /* base64url of "1:garbage\x1fnot-an-id" */
				  "MTpnYXJiYWdlH25vdC1hbi1pZA"};
	for (size_t i = 0; i < sizeof tampered / sizeof tampered[0]; i++) {
		r = call(ADMIN, "GET", fmt("/api/v1/requests?limit=2&cursor=%s", tampered[i]), NULL);
		assert_problem(r, 400, "request.invalid");
		ck_assert_msg(has_field_error(r, "cursor"), "cursor %s: no field error for cursor: %s", tampered[i],
			      r->body);
	}
	/* "1:garbage\x1f<uuid>": well-formed parts, a time that is none; PostgreSQL
	 * refuses the cast, which still answers 400 (without naming the cursor) */
	r = call(ADMIN, "GET", "/api/v1/requests?limit=2&cursor=MTpnYXJiYWdlHzdkNDQ0ODQwLTlkYzAtMTFkMS1iMjQ1LTVmZmRjZTc0ZmFkMg",
		 NULL);
	assert_problem(r, 400, "request.invalid");
	/* limits */
	const char *limits[] = {"0", "201", "-1", "abc", "", "1.5", "99999999999999999999"};
	for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
		r = call(ADMIN, "GET", fmt("/api/v1/requests?limit=%s", limits[i]), NULL);
		assert_problem(r, 400, "request.invalid");
		ck_assert_msg(has_field_error(r, "limit"), "limit=%s: %s", limits[i], r->body);
	}
	assert_status(call(ADMIN, "GET", "/api/v1/requests?limit=200", NULL), 200);
	assert_status(call(ADMIN, "GET", "/api/v1/requests?limit=1", NULL), 200);
	/* unknown parameters and bad values */
	r = call(ADMIN, "GET", "/api/v1/requests?order=title", NULL);
	assert_problem(r, 400, "request.invalid");
	ck_assert_str_eq(field_error_code(r, "order"), "unknown_parameter");
	r = call(ADMIN, "GET", "/api/v1/requests?sort=title", NULL);
	assert_problem(r, 400, "request.invalid");
	ck_assert_str_eq(field_error_code(r, "sort"), "invalid");
	const struct {
		const char *query, *field;
	} bads[] = {
		{"status=selesai", "status"},  {"status=in_discussion_awal", "status"}, {"phase=akhir", "phase"},
		{"step=0", "step"},            {"step=8", "step"},                     {"step=12", "step"},
		{"agency_id=xyz", "agency_id"}, {"from=2024-13-01", "from"},           {"to=kemarin", "to"},
		{"overdue=yes", "overdue"},
	};
	for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
		r = call(ADMIN, "GET", fmt("/api/v1/requests?%s", bads[i].query), NULL);
		assert_problem(r, 400, "request.invalid");
		ck_assert_msg(has_field_error(r, bads[i].field), "?%s: %s", bads[i].query, r->body);
	}
}
END_TEST

static Suite *list_suite(void)
{
	Suite *s = suite_create("requests_list");
	TCase *tc = world_tcase("requests_list", up_list);
	tcase_add_test(tc, test_list_set_up);
	tcase_add_test(tc, test_list_filters);
	tcase_add_test(tc, test_list_dates);
	tcase_add_test(tc, test_list_text_query);
	tcase_add_test(tc, test_list_keyset_pagination);
	tcase_add_test(tc, test_list_bad_parameters);
	world_add_clean_stop(tc);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	static Suite *(*const suites[])(void) = {flow_suite, refusals_suite, list_suite, NULL};
	return world_main(argc, argv, suites);
}
