/* test_signing_race.c — suite `signing_race`: step 7 under concurrency.
 *
 * Both parties sign the same Berita Acara at the same instant (two threads
 * released by one barrier, several rounds): both signatures are kept, the
 * Berita Acara ends signed, the request completed, and step 7 is completed
 * exactly once. Also: one party twice at once (one signature, one 409), the
 * Kasi drafting twice at once (one Berita Acara), two Surat Tugas at once
 * (both issued, the request completed once), and a Surat Tugas racing the
 * last signature (step 7 completed once, by whichever came first).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "tests/api/steps47.h"

#define ROUNDS 6

static void up(void)
{
	s47_up("signing_race");
}

/* One call on a thread; Check assertions stay on the main thread. */
struct shot {
	enum who who;
	const char *method, *path, *body;
	const char *header; /* one extra header, or NULL */
	pthread_barrier_t *go;
	pthread_t th;
	long status;
	char code[64];
	char ba_status[32];
};

static void *fire(void *arg)
{
	struct shot *s = arg;
	pthread_barrier_wait(s->go);
	struct ts_resp *r = callh(s->who, s->method, s->path, s->body, s->header, NULL);
	s->status = r->status;
	snprintf(s->code, sizeof s->code, "%s", ts_problem_code(r));
	snprintf(s->ba_status, sizeof s->ba_status, "%s", jstr(r->json, "status"));
	return NULL;
}

/* Fires n calls at once and waits for all of them. */
static void volley(struct shot *shots, int n)
{
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, (unsigned)n);
	for (int i = 0; i < n; i++) {
		shots[i].go = &go;
		ck_assert_int_eq(pthread_create(&shots[i].th, NULL, fire, &shots[i]), 0);
	}
	for (int i = 0; i < n; i++)
		pthread_join(shots[i].th, NULL);
	pthread_barrier_destroy(&go);
}

static const char *signatures_path(const char *ba)
{
	return fmt("/api/v1/berita-acara/%s/signatures", ba);
}

/* The Berita Acara is signed by both, the request completed once. */
static void assert_completed_once(const struct flow *f)
{
	struct ts_resp *r = call(KASI, "GET", fmt("/api/v1/berita-acara/%s", f->ba), NULL);
	assert_status(r, 200);
	ck_assert_msg(strcmp(rstr(r, "status"), "signed") == 0, "Berita Acara %s is %s with signatures %s", f->ba,
		      rstr(r, "status"), jdump(json_object_get(r->json, "signatures")));
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "signatures")), 2);
	ck_assert_str_eq(status_of(f->request), "completed");
	json_t *actions = audit_actions(f->request);
	ck_assert_int_eq(count_action(actions, "berita_acara.sign"), 2);
	ck_assert_int_eq(count_action(actions, "request.sign_ba_complete"), 1);
	char n[16];
	ck_assert(ts_sql_value(g_db,
			       fmt("SELECT count(*) FROM audit_log WHERE request_id = '%s'"
				   " AND action = 'request.sign_ba_complete'",
				   f->request),
			       n, sizeof n));
	ck_assert_str_eq(n, "1");
}

START_TEST(test_both_parties_at_once)
{
	for (int round = 0; round < ROUNDS; round++) {
		struct flow f = drive(PD_A, fmt("Aplikasi Serentak %d", round), AT_BA_SENT);
		const char *body = fmt("{\"content_sha256\":\"%s\"}", f.sha256);
		struct shot shots[2] = {
			{.who = KADIS, .method = "POST", .path = signatures_path(f.ba), .body = body},
			{.who = SIGN_A, .method = "POST", .path = signatures_path(f.ba), .body = body},
		};
		volley(shots, 2);
		for (int i = 0; i < 2; i++)
			ck_assert_msg(shots[i].status == 201, "round %d: %s signing got %ld %s", round,
				      P[shots[i].who].username, shots[i].status, shots[i].code);
		/* whoever came second saw both signatures */
		ck_assert_msg(!strcmp(shots[0].ba_status, "signed") || !strcmp(shots[1].ba_status, "signed"),
			      "round %d: neither answer says signed (%s, %s)", round, shots[0].ba_status,
			      shots[1].ba_status);
		assert_completed_once(&f);
		ts_gc();
	}
}
END_TEST

START_TEST(test_same_party_twice_at_once)
{
	struct flow f = drive(PD_A, "Aplikasi Ganda", AT_BA_SENT);
	const char *body = fmt("{\"content_sha256\":\"%s\"}", f.sha256);
	struct shot shots[2] = {
		{.who = KADIS, .method = "POST", .path = signatures_path(f.ba), .body = body},
		{.who = KADIS, .method = "POST", .path = signatures_path(f.ba), .body = body},
	};
	volley(shots, 2);
	int created = (shots[0].status == 201) + (shots[1].status == 201);
	int refused = (shots[0].status == 409 && !strcmp(shots[0].code, "berita_acara.already_signed")) +
		      (shots[1].status == 409 && !strcmp(shots[1].code, "berita_acara.already_signed"));
	ck_assert_msg(created == 1 && refused == 1, "answers %ld %s / %ld %s", shots[0].status, shots[0].code,
		      shots[1].status, shots[1].code);
	struct ts_resp *r = call(KASI, "GET", fmt("/api/v1/berita-acara/%s", f.ba), NULL);
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "signatures")), 1);
	ck_assert_str_eq(rstr(r, "status"), "awaiting_signatures");
	/* and the other party completes it */
	assert_status(call(SIGN_A, "POST", signatures_path(f.ba), body), 201);
	assert_completed_once(&f);
}
END_TEST

/* Both sign at once against the same ETag: optimistic concurrency lets one
 * through and answers the other 412, which then signs against the new ETag. */
START_TEST(test_both_parties_with_if_match)
{
	struct flow f = drive(PD_A, "Aplikasi Versi", AT_BA_SENT);
	struct ts_resp *r = call(KASI, "GET", fmt("/api/v1/berita-acara/%s", f.ba), NULL);
	const char *etag = fmt("If-Match: %s", ts_header(r, "ETag"));
	const char *body = fmt("{\"content_sha256\":\"%s\"}", f.sha256);
	struct shot shots[2] = {
		{.who = KADIS, .method = "POST", .path = signatures_path(f.ba), .body = body, .header = etag},
		{.who = SIGN_A, .method = "POST", .path = signatures_path(f.ba), .body = body, .header = etag},
	};
	volley(shots, 2);
	int created = (shots[0].status == 201) + (shots[1].status == 201);
	int stale = (shots[0].status == 412) + (shots[1].status == 412);
	ck_assert_msg(created == 1 && stale == 1, "answers %ld %s / %ld %s", shots[0].status, shots[0].code,
		      shots[1].status, shots[1].code);
	struct shot *late = shots[0].status == 412 ? &shots[0] : &shots[1];
	r = call(KASI, "GET", fmt("/api/v1/berita-acara/%s", f.ba), NULL);
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "signatures")), 1);
	r = callh(late->who, "POST", signatures_path(f.ba), body, fmt("If-Match: %s", ts_header(r, "ETag")), NULL);
	assert_status(r, 201);
	assert_completed_once(&f);
}
END_TEST

START_TEST(test_two_drafts_at_once)
{
	struct flow f = drive(PD_A, "Aplikasi Dua Draf", AT_AGREED);
	const char *path = fmt("/api/v1/requests/%s/berita-acara", f.request);
	struct shot shots[2] = {
		{.who = KASI, .method = "POST", .path = path, .body = "{}"},
		{.who = KASI, .method = "POST", .path = path, .body = "{}"},
	};
	volley(shots, 2);
	int created = (shots[0].status == 201) + (shots[1].status == 201);
	int refused = (shots[0].status == 409) + (shots[1].status == 409);
	ck_assert_msg(created == 1 && refused == 1, "answers %ld %s / %ld %s", shots[0].status, shots[0].code,
		      shots[1].status, shots[1].code);
	const char *code = shots[0].status == 409 ? shots[0].code : shots[1].code;
	ck_assert_str_eq(code, "berita_acara.exists");
	char n[16];
	ck_assert(ts_sql_value(g_db, fmt("SELECT count(*) FROM berita_acara WHERE request_id = '%s'", f.request), n,
			       sizeof n));
	ck_assert_str_eq(n, "1");
}
END_TEST

START_TEST(test_two_surat_tugas_at_once)
{
	struct flow f = drive(PD_A, "Aplikasi Dua Surat", AT_AGREED);
	const char *path = fmt("/api/v1/requests/%s/surat-tugas", f.request);
	const char *body = fmt("{\"member_ids\":[\"%s\",\"%s\"],\"purpose\":\"Pelaksanaan.\"}", P[TIM1].id, P[TIM2].id);
	struct shot shots[2] = {
		{.who = KADIS, .method = "POST", .path = path, .body = body},
		{.who = KADIS, .method = "POST", .path = path, .body = body},
	};
	volley(shots, 2);
	ck_assert_msg(shots[0].status == 201 && shots[1].status == 201, "answers %ld %s / %ld %s", shots[0].status,
		      shots[0].code, shots[1].status, shots[1].code);
	ck_assert_str_eq(status_of(f.request), "completed");
	json_t *actions = audit_actions(f.request);
	ck_assert_int_eq(count_action(actions, "request.issue_st"), 1);
	char n[16];
	ck_assert(ts_sql_value(g_db,
			       fmt("SELECT count(DISTINCT number) FROM surat_tugas WHERE request_id = '%s'", f.request), n,
			       sizeof n));
	ck_assert_str_eq(n, "2");
}
END_TEST

START_TEST(test_surat_tugas_races_last_signature)
{
	struct flow f = drive(PD_A, "Aplikasi Balapan", AT_BA_SENT);
	const char *body = fmt("{\"content_sha256\":\"%s\"}", f.sha256);
	assert_status(call(KADIS, "POST", signatures_path(f.ba), body), 201);
	struct shot shots[2] = {
		{.who = SIGN_A, .method = "POST", .path = signatures_path(f.ba), .body = body},
		{.who = KADIS,
		 .method = "POST",
		 .path = fmt("/api/v1/requests/%s/surat-tugas", f.request),
		 .body = fmt("{\"member_ids\":[\"%s\"],\"purpose\":\"Pelaksanaan.\"}", P[TIM1].id)},
	};
	volley(shots, 2);
	ck_assert_msg(shots[0].status == 201 && shots[1].status == 201, "answers %ld %s / %ld %s", shots[0].status,
		      shots[0].code, shots[1].status, shots[1].code);
	ck_assert_str_eq(status_of(f.request), "completed");
	json_t *actions = audit_actions(f.request);
	ck_assert_int_eq(count_action(actions, "request.sign_ba_complete") + count_action(actions, "request.issue_st"),
			 1);
	struct ts_resp *r = call(KASI, "GET", fmt("/api/v1/berita-acara/%s", f.ba), NULL);
	ck_assert_str_eq(rstr(r, "status"), "signed");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("signing_race");
	TCase *tc = s47_tcase("signing_race", up);
	tcase_add_test(tc, test_both_parties_at_once);
	tcase_add_test(tc, test_same_party_twice_at_once);
	tcase_add_test(tc, test_both_parties_with_if_match);
	tcase_add_test(tc, test_two_drafts_at_once);
	tcase_add_test(tc, test_two_surat_tugas_at_once);
	tcase_add_test(tc, test_surat_tugas_races_last_signature);
	s47_add_clean_stop(tc);
	suite_add_tcase(s, tc);
	return s47_main(s);
}
