/* test_intake.c — requests that must never be duplicated, and officials
 * acting at the same instant.
 *
 * Suites (`test_intake SUITE`; ctest runs each as api_SUITE):
 *   intake       Idempotency-Key on POST (replay, reuse with another body,
 *                per caller, refusals not remembered, concurrent retries) and
 *                e-office intake by eoffice_ref (201 then 200 with the same
 *                request, one row, concurrent submissions, agency rules)
 *   concurrency  two Kepala Dinas disposing one request at once, ten
 *                registrations at once (gap-free agenda numbers)
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/api/world.h"

static const char *sql_value(const char *sql)
{
	static char out[8][4096];
	static int next;
	char *buf = out[next++ % 8];
	ck_assert_msg(ts_sql_value(g_db, sql, buf, sizeof out[0]), "SQL failed: %s", sql);
	return buf;
}

/* ---- several exchanges at the same instant ---------------------------------- */

struct job {
	enum who who;
	const char *method, *path, *body;
	const char *header; /* one extra header or NULL */
	struct ts_resp *r;
};

static pthread_barrier_t g_barrier;

static void *run_job(void *arg)
{
	struct job *j = arg;
	char auth[2200];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", W[j->who].token);
	const char *h[4] = {auth, NULL, NULL, NULL};
	int n = 1;
	if (j->body)
		h[n++] = "Content-Type: application/json";
	if (j->header)
		h[n++] = j->header;
	pthread_barrier_wait(&g_barrier);
	j->r = ts_http(g_d, j->method, j->path, h, j->body, j->body ? strlen(j->body) : 0);
	return NULL;
}

/* Runs the n jobs on n threads released together. */
static void run_together(struct job *jobs, int n)
{
	pthread_t th[32];
	ck_assert_int_le(n, 32);
	ck_assert_int_eq(pthread_barrier_init(&g_barrier, NULL, (unsigned)n), 0);
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, run_job, &jobs[i]), 0);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&g_barrier);
}

/* ==== intake ================================================================== */

static void up_intake(void)
{
	world_up("intake", NULL);
}

#define BODY_1 "{\"kind\":\"pembangunan\",\"title\":\"Aplikasi Idempoten\",\"description\":\"Sekali saja.\"}"

START_TEST(test_idempotency_key_replays)
{
	struct ts_resp *a = callh(PD_A, "POST", "/api/v1/requests", BODY_1, "Idempotency-Key: buat-permohonan-1", NULL);
	assert_status(a, 201);
	ck_assert_ptr_null(ts_header(a, "Idempotent-Replayed"));
	struct ts_resp *b = callh(PD_A, "POST", "/api/v1/requests", BODY_1, "Idempotency-Key: buat-permohonan-1", NULL);
	assert_status(b, 201);
	ck_assert_pstr_eq(ts_header(b, "Idempotent-Replayed"), "true");
	ck_assert_msg(a->len == b->len && memcmp(a->body, b->body, a->len) == 0, "the replay differs:\n%s\n%s", a->body,
		      b->body);
	ck_assert_pstr_eq(ts_header(b, "Location"), ts_header(a, "Location"));
	ck_assert_msg(strncmp(b->content_type, "application/json", 16) == 0, "replay Content-Type %s", b->content_type);
	ck_assert_str_eq(sql_value("SELECT count(*) FROM requests WHERE title = 'Aplikasi Idempoten'"), "1");
	ck_assert_str_eq(sql_value(fmt("SELECT count(*) FROM audit_log WHERE request_id = '%s'", jstr(a, "id"))), "1");

	/* the same key with another body: 422, nothing created */
	struct ts_resp *c = callh(PD_A, "POST", "/api/v1/requests",
				  "{\"kind\":\"pembangunan\",\"title\":\"Aplikasi Lain\"}", "Idempotency-Key: buat-permohonan-1",
				  NULL);
	assert_problem(c, 422, "idempotency.key_reused");
	/* and on another route */
	c = callh(PD_A, "POST", fmt("/api/v1/requests/%s/submit", jstr(a, "id")), NULL,
		  "Idempotency-Key: buat-permohonan-1", NULL);
	assert_problem(c, 422, "idempotency.key_reused");
	ck_assert_str_eq(sql_value("SELECT count(*) FROM requests WHERE title = 'Aplikasi Lain'"), "0");
	ck_assert_str_eq(status_of(jstr(a, "id")), "draft");

	/* keys belong to their caller: another user's identical call is a new request */
	struct ts_resp *d = callh(PD_A_SIGN, "POST", "/api/v1/requests", BODY_1, "Idempotency-Key: buat-permohonan-1",
				  NULL);
	assert_status(d, 201);
	ck_assert_ptr_null(ts_header(d, "Idempotent-Replayed"));
	ck_assert_str_ne(jstr(d, "id"), jstr(a, "id"));
}
END_TEST

START_TEST(test_idempotent_replay_keeps_etag)
{
	/* the first answer carried ETag: "1"; the replay is that same answer */
	const char *body = "{\"kind\":\"integrasi\",\"title\":\"Replay dengan ETag\"}";
	struct ts_resp *a = callh(PD_A, "POST", "/api/v1/requests", body, "Idempotency-Key: etag-1", NULL);
	assert_status(a, 201);
	ck_assert_pstr_eq(ts_header(a, "ETag"), "\"1\"");
	struct ts_resp *b = callh(PD_A, "POST", "/api/v1/requests", body, "Idempotency-Key: etag-1", NULL);
	assert_status(b, 201);
	ck_assert_pstr_eq(ts_header(b, "Idempotent-Replayed"), "true");
	ck_assert_msg(ts_header(b, "ETag") && strcmp(ts_header(b, "ETag"), "\"1\"") == 0,
		      "the replayed 201 lacks the first answer's ETag \"1\" (got %s)",
		      ts_header(b, "ETag") ? ts_header(b, "ETag") : "none");
}
END_TEST

START_TEST(test_idempotency_on_transitions_and_refusals)
{
	struct uid id = new_draft(PD_A, "Kirim Dua Kali");
	attach_submission_documents(PD_A, id.s);
	const char *p = fmt("/api/v1/requests/%s/submit", id.s);
	struct ts_resp *a = callh(PD_A, "POST", p, NULL, "Idempotency-Key: kirim-1", NULL);
	assert_status(a, 200);
	/* a retry of the same submit is answered as the first, not 409 */
	struct ts_resp *b = callh(PD_A, "POST", p, NULL, "Idempotency-Key: kirim-1", NULL);
	assert_status(b, 200);
	ck_assert_pstr_eq(ts_header(b, "Idempotent-Replayed"), "true");
	ck_assert_str_eq(b->body, a->body);
	ck_assert_str_eq(sql_value(fmt("SELECT count(*) FROM audit_log WHERE request_id = '%s'"
				       " AND action = 'request.submit'", id.s)),
			 "1");
	/* without the key the same call is a new one: 409 */
	assert_problem(call(PD_A, "POST", p, NULL), 409, "request.invalid_transition");

	/* refusals are not remembered: the key stays free for a correct retry */
	struct ts_resp *r = callh(PD_A, "POST", "/api/v1/requests", "{\"kind\":\"pembangunan\"}",
				  "Idempotency-Key: perbaiki-1", NULL);
	assert_problem(r, 400, "request.invalid");
	r = callh(PD_A, "POST", "/api/v1/requests", "{\"kind\":\"pembangunan\",\"title\":\"Diperbaiki\"}",
		  "Idempotency-Key: perbaiki-1", NULL);
	assert_status(r, 201);
	ck_assert_ptr_null(ts_header(r, "Idempotent-Replayed"));

	/* malformed keys */
	char longkey[260] = "Idempotency-Key: ";
	memset(longkey + strlen(longkey), 'k', 201);
	assert_problem(callh(PD_A, "POST", "/api/v1/requests", BODY_1, longkey, NULL), 400,
		       "http.invalid_idempotency_key");
	assert_problem(callh(PD_A, "POST", "/api/v1/requests", BODY_1, "Idempotency-Key: dua kata", NULL), 400,
		       "http.invalid_idempotency_key");
}
END_TEST

START_TEST(test_idempotency_concurrent_retries)
{
	const char *body = "{\"kind\":\"pembangunan\",\"title\":\"Balapan Kunci\"}";
	struct job jobs[4];
	for (int i = 0; i < 4; i++)
		jobs[i] = (struct job){PD_A, "POST", "/api/v1/requests", body, "Idempotency-Key: balapan-1", NULL};
	run_together(jobs, 4);
	int created = 0, replayed = 0;
	const char *id = NULL;
	for (int i = 0; i < 4; i++) {
		struct ts_resp *r = jobs[i].r;
		ck_assert_msg(r->status == 201 || r->status == 503, "concurrent retry %d: %ld %s", i, r->status, r->body);
		if (r->status != 201)
			continue; /* 503 db.retry: "still running, retry" is allowed */
		if (ts_header(r, "Idempotent-Replayed"))
			replayed++;
		else
			created++;
		if (!id)
			id = jstr(r, "id");
		ck_assert_str_eq(jstr(r, "id"), id);
	}
	ck_assert_int_eq(created, 1);
	ck_assert_int_ge(replayed, 1);
	ck_assert_str_eq(sql_value("SELECT count(*) FROM requests WHERE title = 'Balapan Kunci'"), "1");
}
END_TEST

START_TEST(test_eoffice_intake_by_reference)
{
	const char *body = "{\"kind\":\"pengembangan\",\"title\":\"Surat dari E-Office\",\"eoffice_ref\":\"EO/2024/0001\","
			   "\"letter_number\":\"027/45/DA\",\"letter_date\":\"2024-04-02\"}";
	struct ts_resp *a = call(CLIENT_A, "POST", "/api/v1/requests", body);
	assert_status(a, 201);
	const char *id = jstr(a, "id");
	ck_assert_str_eq(jstr(a, "channel"), "e_office");
	ck_assert_str_eq(jstr(a, "eoffice_ref"), "EO/2024/0001");
	ck_assert_str_eq(jstr(a, "agency_id"), AGENCY_A);
	ck_assert_str_eq(jstr(a, "status"), "draft");
	ck_assert_pstr_eq(ts_header(a, "Location"), fmt("/api/v1/requests/%s", id));
	/* the e-office retries: 200 with the same request, nothing new */
	struct ts_resp *b = call(CLIENT_A, "POST", "/api/v1/requests", body);
	assert_status(b, 200);
	ck_assert_str_eq(jstr(b, "id"), id);
	ck_assert_pstr_eq(ts_header(b, "Location"), fmt("/api/v1/requests/%s", id));
	ck_assert_pstr_eq(ts_header(b, "ETag"), "\"1\"");
	ck_assert_ptr_null(ts_header(b, "Eoffice-Ref-Differs"));
	/* a retry whose text differs: the stored request answers, the header names what differs */
	struct ts_resp *c = call(CLIENT_A, "POST", "/api/v1/requests",
				 "{\"kind\":\"pengembangan\",\"title\":\"Judul Berubah\",\"eoffice_ref\":\"EO/2024/0001\"}");
	assert_status(c, 200);
	ck_assert_str_eq(jstr(c, "id"), id);
	ck_assert_str_eq(jstr(c, "title"), "Surat dari E-Office");
	ck_assert_pstr_eq(ts_header(c, "Eoffice-Ref-Differs"), "title");
	/* another kind under the same reference is another request: 409, nothing changes */
	c = call(CLIENT_A, "POST", "/api/v1/requests",
		 "{\"kind\":\"pembangunan\",\"title\":\"Surat dari E-Office\",\"eoffice_ref\":\"EO/2024/0001\"}");
	assert_problem(c, 409, "request.eoffice_ref_conflict");
	ck_assert_str_eq(field_error_code(c, "kind"), "differs");
	ck_assert_msg(strstr(jstr(c, "detail"), id), "the problem names the existing request: %s", c->body);
	ck_assert_pstr_eq(ts_header(c, "Location"), fmt("/api/v1/requests/%s", id)); /* and points to it */
	ck_assert_str_eq(status_of(id), "draft");
	ck_assert_str_eq(sql_value("SELECT count(*) FROM requests WHERE eoffice_ref = 'EO/2024/0001'"), "1");
	ck_assert_str_eq(sql_value(fmt("SELECT count(*) FROM audit_log WHERE request_id = '%s'", id)), "1");
	/* the pd of the agency sees it; the e-office reads it back */
	assert_status(call(PD_A, "GET", fmt("/api/v1/requests/%s", id), NULL), 200);
	assert_status(call(CLIENT_A, "GET", fmt("/api/v1/requests/%s", id), NULL), 200);
	/* the e-office's sequence: the draft, its two documents, then the submission;
	 * step 1 is completed by the client */
	assert_problem(call(CLIENT_A, "POST", fmt("/api/v1/requests/%s/submit", id), NULL), 422,
		       "request.documents_missing");
	attach_submission_documents(CLIENT_A, id);
	struct ts_resp *s = call(CLIENT_A, "POST", fmt("/api/v1/requests/%s/submit", id), NULL);
	assert_status(s, 200);
	ck_assert_str_eq(jstr(s, "status"), "submitted");
	struct ts_resp *t = call(CLIENT_A, "GET", fmt("/api/v1/requests/%s/timeline", id), NULL);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(t->json, "steps"), 0),
							    "completed_by")),
			 W[CLIENT_A].id);
	/* after submission the retry still answers 200 with the (moved) request */
	b = call(CLIENT_A, "POST", "/api/v1/requests", body);
	assert_status(b, 200);
	ck_assert_str_eq(jstr(b, "status"), "submitted");
}
END_TEST

START_TEST(test_eoffice_agency_rules)
{
	/* the client for every agency names one */
	struct ts_resp *r =
		call(CLIENT_ALL, "POST", "/api/v1/requests", "{\"kind\":\"integrasi\",\"title\":\"Tanpa Dinas\",\"eoffice_ref\":\"EO-X1\"}");
	assert_problem(r, 400, "request.invalid");
	ck_assert_str_eq(field_error_code(r, "agency_id"), "required");
	r = call(CLIENT_ALL, "POST", "/api/v1/requests",
		 "{\"kind\":\"integrasi\",\"title\":\"Dinas Fiktif\",\"eoffice_ref\":\"EO-X1\","
		 "\"agency_id\":\"7d444840-9dc0-11d1-b245-5ffdce74fad2\"}");
	assert_problem(r, 400, "request.invalid");
	ck_assert(has_field_error(r, "agency_id"));
	r = call(CLIENT_ALL, "POST", "/api/v1/requests",
		 fmt("{\"kind\":\"integrasi\",\"title\":\"Untuk Dinas Beta\",\"eoffice_ref\":\"EO/2024/0001\","
		     "\"agency_id\":\"%s\"}",
		     AGENCY_B));
	/* the same reference from another client is another letter */
	assert_status(r, 201);
	ck_assert_str_eq(jstr(r, "agency_id"), AGENCY_B);
	submit(CLIENT_ALL, jstr(r, "id"));
	assert_status(call(PD_B, "GET", fmt("/api/v1/requests/%s", jstr(r, "id")), NULL), 200);
	assert_problem(call(CLIENT_A, "GET", fmt("/api/v1/requests/%s", jstr(r, "id")), NULL), 404, "request.not_found");
	/* a bound client submits for its own agency only */
	r = call(CLIENT_A, "POST", "/api/v1/requests",
		 fmt("{\"kind\":\"integrasi\",\"title\":\"Salah Dinas\",\"eoffice_ref\":\"EO-X2\",\"agency_id\":\"%s\"}",
		     AGENCY_B));
	assert_problem(r, 400, "request.invalid");
	ck_assert_str_eq(field_error_code(r, "agency_id"), "not_allowed");
	/* the e-office always names its reference, on its own channel */
	r = call(CLIENT_A, "POST", "/api/v1/requests", "{\"kind\":\"integrasi\",\"title\":\"Tanpa Referensi\"}");
	assert_problem(r, 400, "request.invalid");
	ck_assert_str_eq(field_error_code(r, "eoffice_ref"), "required");
	r = call(CLIENT_A, "POST", "/api/v1/requests",
		 "{\"kind\":\"integrasi\",\"title\":\"Kanal Salah\",\"eoffice_ref\":\"EO-X3\",\"channel\":\"tertulis\"}");
	assert_problem(r, 400, "request.invalid");
	ck_assert(has_field_error(r, "channel"));
	ck_assert_str_eq(sql_value("SELECT count(*) FROM requests WHERE eoffice_ref LIKE 'EO-X%'"), "0");
}
END_TEST

/* The e-office finds its requests by its own reference and by change time,
 * and follows them on the event feed, seeing only its agency. */
START_TEST(test_eoffice_finds_and_follows)
{
	const char *ref = "/api/v1/requests?eoffice_ref=EO/2024/0001";
	struct ts_resp *a = call(CLIENT_A, "GET", ref, NULL), *b = call(CLIENT_ALL, "GET", ref, NULL);
	assert_status(a, 200);
	assert_status(b, 200);
	json_t *ia = json_object_get(a->json, "items"), *ib = json_object_get(b->json, "items");
	ck_assert_int_eq(json_array_size(ia), 1);
	ck_assert_int_eq(json_array_size(ib), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(ia, 0), "agency_id")), AGENCY_A);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(ib, 0), "agency_id")), AGENCY_B);
	/* people see every request of that reference they may see */
	ck_assert_int_eq(json_array_size(json_object_get(call(ADMIN, "GET", ref, NULL)->json, "items")), 2);
	ck_assert_int_eq(json_array_size(json_object_get(call(PD_B, "GET", ref, NULL)->json, "items")), 1);
	ck_assert_int_eq(json_array_size(json_object_get(call(CLIENT_A, "GET", "/api/v1/requests?eoffice_ref=EO-NONE",
							      NULL)->json, "items")),
			 0);
	/* updated_since: what changed from this instant on */
	char t0[64];
	ck_assert(ts_sql_value(g_db, "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
			       t0, sizeof t0));
	struct ts_resp *r = call(CLIENT_A, "POST", "/api/v1/requests",
				 "{\"kind\":\"integrasi\",\"title\":\"Sesudah T0\",\"eoffice_ref\":\"EO-U1\"}");
	assert_status(r, 201);
	const char *fresh = fmt("%s", jstr(r, "id"));
	r = call(ADMIN, "GET", fmt("/api/v1/requests?updated_since=%s", t0), NULL);
	assert_status(r, 200);
	json_t *items = json_object_get(r->json, "items");
	ck_assert_str_eq(sql_value(fmt("SELECT count(*) FROM requests WHERE updated_at >= '%s'", t0)),
			 fmt("%zu", json_array_size(items)));
	ck_assert_msg(json_array_size(items) >= 1, "the request created after %s is not listed", t0);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "id")), fresh);
	assert_problem(call(ADMIN, "GET", "/api/v1/requests?updated_since=yesterday", NULL), 400, "request.invalid");
	assert_problem(call(ADMIN, "GET", "/api/v1/requests?eoffice_ref=", NULL), 400, "request.invalid");
	/* the feed, as the bound client: its agency only, with its reference;
	 * read again until it has caught up with the table (it waits for older
	 * transactions of the cluster to finish) */
	int mine = 0, seen = 0;
	long long want = atoll(sql_value(fmt("SELECT count(*) FROM events WHERE agency_id = '%s'", AGENCY_A)));
	for (long long until = ts_now_ms() + 30000; seen < want && ts_now_ms() < until; ts_nap_ms(100)) {
		mine = seen = 0;
		const char *after = NULL;
		for (int page = 0; page < 100; page++) {
			r = call(CLIENT_A, "GET",
				 after ? fmt("/api/v1/events?limit=50&after=%s", after) : "/api/v1/events?limit=50", NULL);
			assert_status(r, 200);
			size_t i;
			json_t *ev;
			json_array_foreach(json_object_get(r->json, "items"), i, ev) {
				json_t *d = json_object_get(ev, "data");
				ck_assert_str_eq(json_string_value(json_object_get(d, "agency_id")), AGENCY_A);
				const char *eref = json_string_value(json_object_get(d, "eoffice_ref"));
				mine += eref && strcmp(eref, "EO-U1") == 0;
				seen++;
			}
			if (json_array_size(json_object_get(r->json, "items")) == 0)
				break;
			after = fmt("%s", json_string_value(json_object_get(r->json, "next_cursor")));
		}
	}
	ck_assert_int_eq(mine, 2); /* request.created, request.step_started */
	ck_assert_int_eq(seen, want);
}
END_TEST

START_TEST(test_eoffice_concurrent_submissions)
{
	for (int round = 0; round < 3; round++) {
		const char *ref = fmt("EO/BALAPAN/%d", round);
		const char *body = fmt("{\"kind\":\"pembangunan\",\"title\":\"Balapan E-Office %d\",\"eoffice_ref\":\"%s\"}",
				       round, ref);
		struct job jobs[2] = {{CLIENT_A, "POST", "/api/v1/requests", body, NULL, NULL},
				      {CLIENT_A, "POST", "/api/v1/requests", body, NULL, NULL}};
		run_together(jobs, 2);
		long s0 = jobs[0].r->status, s1 = jobs[1].r->status;
		ck_assert_msg((s0 == 201 && s1 == 200) || (s0 == 200 && s1 == 201), "round %d: %ld %s / %ld %s", round, s0,
			      jobs[0].r->body, s1, jobs[1].r->body);
		ck_assert_str_eq(jstr(jobs[0].r, "id"), jstr(jobs[1].r, "id"));
		ck_assert_str_eq(sql_value(fmt("SELECT count(*) FROM requests WHERE eoffice_ref = '%s'", ref)), "1");
		ck_assert_str_eq(sql_value(fmt("SELECT count(*) FROM step_instances s JOIN requests r ON r.id = s.request_id"
					       " WHERE r.eoffice_ref = '%s'",
					       ref)),
				 "1");
	}
}
END_TEST

static Suite *intake_suite(void)
{
	Suite *s = suite_create("intake");
	TCase *tc = world_tcase("intake", up_intake);
	tcase_add_test(tc, test_idempotency_key_replays);
	tcase_add_test(tc, test_idempotent_replay_keeps_etag);
	tcase_add_test(tc, test_idempotency_on_transitions_and_refusals);
	tcase_add_test(tc, test_idempotency_concurrent_retries);
	tcase_add_test(tc, test_eoffice_intake_by_reference);
	tcase_add_test(tc, test_eoffice_agency_rules);
	tcase_add_test(tc, test_eoffice_finds_and_follows);
	tcase_add_test(tc, test_eoffice_concurrent_submissions);
	world_add_clean_stop(tc);
	suite_add_tcase(s, tc);
	return s;
}

/* ==== concurrency ============================================================= */

static void up_concurrency(void)
{
	world_up("concurrency", (const char *const[]){"ALURD_THREADS=8", NULL});
}

static const char *dispose_body(void)
{
	return fmt("{\"to_user_ids\":[\"%s\"],\"instruction_kind\":\"tindak_lanjuti\",\"instruction\":\"Segera.\"}",
		   W[KABID].id);
}

START_TEST(test_two_kepala_dinas_dispose_at_once)
{
	for (int round = 0; round < 4; round++) {
		struct uid id = request_at(PD_A, AT_AWAITING_DISPOSITION, fmt("Rebutan %d", round), NULL, NULL);
		const char *p = fmt("/api/v1/requests/%s/dispositions", id.s);
		/* two people in rounds 0-1, the same person twice in rounds 2-3 */
		struct job jobs[2] = {{KADIS, "POST", p, dispose_body(), NULL, NULL},
				      {round < 2 ? KADIS2 : KADIS, "POST", p, dispose_body(), NULL, NULL}};
		run_together(jobs, 2);
		int won = 0, lost = 0;
		for (int i = 0; i < 2; i++) {
			struct ts_resp *r = jobs[i].r;
			if (r->status == 201) {
				won++;
			} else {
				assert_problem(r, 409, "request.invalid_transition");
				lost++;
			}
		}
		ck_assert_msg(won == 1 && lost == 1, "round %d: %d won, %d lost", round, won, lost);
		ck_assert_str_eq(sql_value(fmt("SELECT count(*) FROM audit_log WHERE request_id = '%s'"
					       " AND action = 'request.dispose'", id.s)),
				 "1");
		ck_assert_str_eq(sql_value(fmt("SELECT count(*) FROM dispositions WHERE request_id = '%s'", id.s)), "1");
		ck_assert_str_eq(sql_value(fmt("SELECT count(*) FROM step_instances WHERE request_id = '%s' AND step = 3",
					       id.s)),
				 "1");
		ck_assert_str_eq(status_of(id.s), "disposed");
	}
}
END_TEST

START_TEST(test_dispose_race_with_if_match)
{
	struct uid id = request_at(PD_A, AT_AWAITING_DISPOSITION, "Rebutan If-Match", NULL, NULL);
	struct ts_resp *g = call(KADIS, "GET", fmt("/api/v1/requests/%s", id.s), NULL);
	const char *etag = fmt("If-Match: %s", ts_header(g, "ETag"));
	const char *p = fmt("/api/v1/requests/%s/dispositions", id.s);
	struct job jobs[2] = {{KADIS, "POST", p, dispose_body(), etag, NULL},
			      {KADIS2, "POST", p, dispose_body(), etag, NULL}};
	run_together(jobs, 2);
	int won = 0;
	for (int i = 0; i < 2; i++) {
		if (jobs[i].r->status == 201)
			won++;
		else
			assert_problem(jobs[i].r, 412, "request.version_mismatch");
	}
	ck_assert_int_eq(won, 1);
	ck_assert_str_eq(sql_value(fmt("SELECT count(*) FROM audit_log WHERE request_id = '%s'"
				       " AND action = 'request.dispose'", id.s)),
			 "1");
}
END_TEST

START_TEST(test_ten_registrations_at_once)
{
	int before = atoi(sql_value("SELECT coalesce(max(last), 0) FROM number_sequences WHERE name = 'agenda'"));
	static char paths[10][128];
	struct job jobs[10];
	for (int i = 0; i < 10; i++) {
		struct uid id = request_at(i % 2 ? PD_B : PD_A, AT_SUBMITTED, fmt("Registrasi Serentak %d", i), NULL, NULL);
		snprintf(paths[i], sizeof paths[i], "/api/v1/requests/%s/register", id.s);
		jobs[i] = (struct job){SEKRETARIAT, "POST", paths[i], NULL, NULL, NULL};
	}
	run_together(jobs, 10);
	const char *year = sql_value("SELECT extract(year FROM now() AT TIME ZONE 'Asia/Makassar')::int");
	bool seen[10] = {false};
	for (int i = 0; i < 10; i++) {
		struct ts_resp *r = jobs[i].r;
		assert_status(r, 200);
		const char *agenda = jstr(r, "agenda_number");
		int seq = 0;
		char tail[64] = "";
		ck_assert_msg(sscanf(agenda, "%4d/%63s", &seq, tail) == 2, "agenda number '%s'", agenda);
		ck_assert_str_eq(tail, fmt("AGENDA/D.KOMINFOS/%s", year));
		int k = seq - before - 1;
		ck_assert_msg(k >= 0 && k < 10, "agenda %s outside %d..%d", agenda, before + 1, before + 10);
		ck_assert_msg(!seen[k], "agenda %s given twice", agenda);
		seen[k] = true;
	}
	ck_assert_str_eq(sql_value("SELECT max(last) FROM number_sequences WHERE name = 'agenda'"), fmt("%d", before + 10));
	ck_assert_str_eq(sql_value("SELECT count(DISTINCT agenda_number) FROM requests WHERE title LIKE 'Registrasi Serentak %'"),
			 "10");
}
END_TEST

START_TEST(test_submit_and_withdraw_at_once)
{
	/* the pd submits and withdraws at the same time: one order or the other,
	 * never a half-done mix */
	for (int round = 0; round < 3; round++) {
		struct uid id = new_draft(PD_A, fmt("Kirim atau Tarik %d", round));
		attach_submission_documents(PD_A, id.s);
		struct job jobs[2] = {{PD_A, "POST", fmt("/api/v1/requests/%s/submit", id.s), NULL, NULL, NULL},
				      {PD_A_SIGN, "POST", fmt("/api/v1/requests/%s/withdraw", id.s), NULL, NULL, NULL}};
		run_together(jobs, 2);
		long s = jobs[0].r->status, w = jobs[1].r->status;
		ck_assert_int_eq(w, 200);
		ck_assert_msg(s == 200 || s == 409, "submit: %ld %s", s, jobs[0].r->body);
		ck_assert_str_eq(status_of(id.s), "withdrawn");
		const char *open = sql_value(fmt("SELECT count(*) FROM step_instances WHERE request_id = '%s'"
						 " AND completed_at IS NULL", id.s));
		ck_assert_msg(strcmp(open, "0") == 0, "round %d: %s step instance(s) left open", round, open);
	}
}
END_TEST

static Suite *concurrency_suite(void)
{
	Suite *s = suite_create("concurrency");
	TCase *tc = world_tcase("concurrency", up_concurrency);
	tcase_add_test(tc, test_two_kepala_dinas_dispose_at_once);
	tcase_add_test(tc, test_dispose_race_with_if_match);
	tcase_add_test(tc, test_ten_registrations_at_once);
	tcase_add_test(tc, test_submit_and_withdraw_at_once);
	world_add_clean_stop(tc);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	static Suite *(*const suites[])(void) = {intake_suite, concurrency_suite, NULL};
	return world_main(argc, argv, suites);
}
