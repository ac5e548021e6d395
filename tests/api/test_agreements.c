/* test_agreements.c — suite `agreements`: every refusal of SOP steps 4-7.
 * Wrong role (403), another agency's records (404, never 403), steps out of
 * order (409 with the problem code that says why), the Berita Acara's
 * lifecycle (draft -> awaiting_signatures -> signed) with its optimistic
 * concurrency, idempotent retries and who may sign, a closed request's Berita
 * Acara, discussion edits, malformed discussion records and completions (400
 * naming each bad field), and the database refusing what the API never does:
 * changing a signed Berita Acara or the audit log.
 *
 * Each test drives fresh requests to the point it needs (steps47.c), so the
 * tests do not depend on one another.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/api/steps47.h"

#define ZERO_UUID "00000000-0000-4000-8000-000000000000"

static void up(void)
{
	s47_up("agreements");
}

static const char *path_ba(const char *ba, const char *tail)
{
	return fmt("/api/v1/berita-acara/%s%s", ba, tail);
}

static const char *confirm(const char *sha)
{
	return fmt("{\"content_sha256\":\"%s\"}", sha);
}

static int discussions_of(const char *request_id)
{
	struct ts_resp *r = call(KASI, "GET", fmt("/api/v1/requests/%s/discussions", request_id), NULL);
	assert_status(r, 200);
	return (int)json_array_size(json_object_get(r->json, "items"));
}

/* ---- wrong role --------------------------------------------------------------- */

START_TEST(test_wrong_role)
{
	struct flow f = drive(PD_A, "Aplikasi Perizinan", AT_AWAL);
	/* a pd records a discussion */
	assert_problem(record(PD_A, f.request, discussion_body("awal")), 403, "auth.forbidden");
	assert_problem(record(SEKRETARIAT, f.request, discussion_body("awal")), 403, "auth.forbidden");
	ck_assert_str_eq(status_of(f.request), "in_discussion/awal");
	ck_assert_int_eq(discussions_of(f.request), 0);

	struct flow g = drive(PD_A, "Aplikasi Kepegawaian", AT_AGREED);
	/* the kabid (or the kepala dinas) drafts a Berita Acara */
	assert_problem(call(KABID, "POST", fmt("/api/v1/requests/%s/berita-acara", g.request), "{}"), 403,
		       "auth.forbidden");
	assert_problem(call(KADIS, "POST", fmt("/api/v1/requests/%s/berita-acara", g.request), "{}"), 403,
		       "auth.forbidden");
	struct ts_resp *r = call(KASI, "POST", fmt("/api/v1/requests/%s/berita-acara", g.request), "{}");
	assert_status(r, 201);
	const char *ba = fmt("%s", rstr(r, "id"));
	/* only the kasi sends it */
	assert_problem(call(KADIS, "POST", path_ba(ba, "/send"), "{}"), 403, "auth.forbidden");
	r = call(KASI, "POST", path_ba(ba, "/send"), "{}");
	assert_status(r, 200);
	const char *sha = fmt("%s", rstr(r, "content_sha256"));
	/* the kasi, a tim_spbe and the sekretariat do not sign */
	assert_problem(call(KASI, "POST", path_ba(ba, "/signatures"), confirm(sha)), 403, "auth.forbidden");
	assert_problem(call(TIM1, "POST", path_ba(ba, "/signatures"), confirm(sha)), 403, "auth.forbidden");
	assert_problem(call(SEKRETARIAT, "POST", path_ba(ba, "/signatures"), confirm(sha)), 403, "auth.forbidden");
	/* a pd of the agency who is not its signatory */
	assert_problem(call(PD_A, "POST", path_ba(ba, "/signatures"), confirm(sha)), 403, "berita_acara.not_signatory");
	/* the kasi does not issue a Surat Tugas, nor the kabid */
	const char *st = fmt("{\"member_ids\":[\"%s\"],\"purpose\":\"Tugas.\"}", P[TIM1].id);
	assert_problem(call(KASI, "POST", fmt("/api/v1/requests/%s/surat-tugas", g.request), st), 403, "auth.forbidden");
	assert_problem(call(KABID, "POST", fmt("/api/v1/requests/%s/surat-tugas", g.request), st), 403, "auth.forbidden");
	/* nothing of that left a trace */
	r = call(KASI, "GET", path_ba(ba, ""), NULL);
	assert_status(r, 200);
	ck_assert_str_eq(rstr(r, "status"), "awaiting_signatures");
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "signatures")), 0);
	ck_assert_str_eq(status_of(g.request), "agreed");
	json_t *actions = audit_actions(g.request);
	ck_assert_int_eq(count_action(actions, "berita_acara.sign"), 0);
}
END_TEST

START_TEST(test_completion_by_staff)
{
	struct flow f = drive(PD_A, "Aplikasi Arsip", AT_AWAITING_PD);
	struct ts_resp *r = call(KASI, "POST", fmt("/api/v1/requests/%s/completion", f.request),
				 "{\"notes\":{\"mekanisme_validasi\":\"Dilengkapi oleh kasi.\"}}");
	assert_problem(r, 403, "request.role_not_allowed");
	ck_assert_str_eq(status_of(f.request), "awaiting_pd_completion");
}
END_TEST

/* ---- another agency ------------------------------------------------------------ */

START_TEST(test_other_agency_sees_nothing)
{
	/* A's records: a completion round, a Berita Acara awaiting signatures, a Surat Tugas */
	struct flow c = drive(PD_A, "Aplikasi Retribusi", AT_AWAITING_PD);
	struct ts_resp *r = call(PD_A, "POST", fmt("/api/v1/requests/%s/completion", c.request),
				 "{\"notes\":{\"mekanisme_validasi\":\"Validasi berjenjang.\"}}");
	assert_status(r, 201);
	struct flow b = drive(PD_A, "Aplikasi Aset Daerah", AT_BA_SENT);
	struct flow s = drive(PD_A, "Aplikasi Layanan Publik", AT_AGREED);
	r = call(KADIS, "POST", fmt("/api/v1/requests/%s/surat-tugas", s.request),
		 fmt("{\"member_ids\":[\"%s\"],\"purpose\":\"Pengembangan.\"}", P[TIM1].id));
	assert_status(r, 201);
	const char *st = fmt("%s", rstr(r, "id"));

	const struct {
		const char *path, *code;
	} reads[] = {
		{fmt("/api/v1/requests/%s/discussions", c.request), "request.not_found"},
		{fmt("/api/v1/discussions/%s", c.awal), "discussion.not_found"},
		{fmt("/api/v1/requests/%s/completions", c.request), "request.not_found"},
		{fmt("/api/v1/berita-acara/%s", b.ba), "berita_acara.not_found"},
		{fmt("/api/v1/requests/%s/berita-acara", b.request), "request.not_found"},
		{fmt("/api/v1/berita-acara/%s/pdf", b.ba), "berita_acara.not_found"},
		{fmt("/api/v1/surat-tugas/%s", st), "surat_tugas.not_found"},
		{fmt("/api/v1/requests/%s/surat-tugas", s.request), "request.not_found"},
	};
	for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
		/* A sees it */
		r = call(PD_A, "GET", reads[i].path, NULL);
		ck_assert_msg(r->status == 200, "%s as pd of A: %ld %.300s", reads[i].path, r->status, r->body);
		/* B, plain or signatory, does not know it exists */
		enum who others[] = {PD_B, SIGN_B};
		for (size_t k = 0; k < 2; k++) {
			r = call(others[k], "GET", reads[i].path, NULL);
			ck_assert_msg(r->status == 404 && strcmp(ts_problem_code(r), reads[i].code) == 0,
				      "%s as %s: %ld %s, expected 404 %s", reads[i].path, P[others[k]].username, r->status,
				      ts_problem_code(r), reads[i].code);
		}
	}
	/* the answer is the one for a record that does not exist */
	assert_problem(call(PD_B, "GET", "/api/v1/berita-acara/" ZERO_UUID, NULL), 404, "berita_acara.not_found");
	assert_problem(call(PD_B, "GET", "/api/v1/surat-tugas/" ZERO_UUID, NULL), 404, "surat_tugas.not_found");
	assert_problem(call(PD_B, "GET", "/api/v1/discussions/" ZERO_UUID, NULL), 404, "discussion.not_found");

	/* B's signatory signs A's Berita Acara; B's pd answers A's completion */
	assert_problem(call(SIGN_B, "POST", path_ba(b.ba, "/signatures"), confirm(b.sha256)), 404,
		       "berita_acara.not_found");
	struct flow c2 = drive(PD_A, "Aplikasi Retribusi Dua", AT_AWAITING_PD);
	assert_problem(call(PD_B, "POST", fmt("/api/v1/requests/%s/completion", c2.request),
			    "{\"notes\":{\"mekanisme_validasi\":\"Bukan urusan B.\"}}"),
		       404, "request.not_found");
	ck_assert_str_eq(status_of(c2.request), "awaiting_pd_completion");
	r = call(KASI, "GET", path_ba(b.ba, ""), NULL);
	assert_status(r, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "signatures")), 0);
}
END_TEST

/* ---- steps out of order ----------------------------------------------------------- */

START_TEST(test_wrong_phase_order)
{
	struct flow f = drive(PD_A, "Aplikasi Statistik", AT_AWAL);
	/* follow-up or final while the request is in the initial discussion */
	assert_problem(record(KASI, f.request, discussion_body("lanjutan")), 409, "discussion.wrong_phase");
	assert_problem(record(KASI, f.request, discussion_body("final")), 409, "discussion.wrong_phase");
	/* a completion when nobody waits on the PD */
	assert_problem(call(PD_A, "POST", fmt("/api/v1/requests/%s/completion", f.request),
			    "{\"notes\":{\"alur_sistem\":\"Tidak diminta.\"}}"),
		       409, "request.invalid_transition");
	/* a Berita Acara or Surat Tugas before the agreement */
	assert_problem(call(KASI, "POST", fmt("/api/v1/requests/%s/berita-acara", f.request), "{}"), 409,
		       "berita_acara.not_agreed");
	assert_problem(call(KADIS, "POST", fmt("/api/v1/requests/%s/surat-tugas", f.request),
			    fmt("{\"member_ids\":[\"%s\"],\"purpose\":\"Terlalu dini.\"}", P[TIM1].id)),
		       409, "surat_tugas.not_agreed");
	ck_assert_str_eq(status_of(f.request), "in_discussion/awal");
	ck_assert_int_eq(discussions_of(f.request), 0);
	assert_problem(call(PD_A, "GET", fmt("/api/v1/requests/%s/berita-acara", f.request), NULL), 404,
		       "berita_acara.not_found");

	/* an initial discussion while the PD has to complete */
	struct flow w = drive(PD_A, "Aplikasi Pengaduan", AT_AWAITING_PD);
	assert_problem(record(KASI, w.request, discussion_body("awal")), 409, "discussion.wrong_phase");
	ck_assert_str_eq(status_of(w.request), "awaiting_pd_completion");
	ck_assert_int_eq(discussions_of(w.request), 1);

	/* the final discussion twice; a Berita Acara in the final phase; a second Berita Acara */
	struct flow g = drive(PD_A, "Aplikasi Perpustakaan", AT_FINAL);
	assert_problem(call(KASI, "POST", fmt("/api/v1/requests/%s/berita-acara", g.request), "{}"), 409,
		       "berita_acara.not_agreed");
	assert_status(record(KASI, g.request, discussion_body("final")), 201);
	assert_problem(record(KASI, g.request, discussion_body("final")), 409, "discussion.wrong_phase");
	/* drafting takes the request's ETag when given */
	struct ts_resp *r = call(KASI, "GET", fmt("/api/v1/requests/%s", g.request), NULL);
	long long rv = rint(r, "version");
	assert_problem(callh(KASI, "POST", fmt("/api/v1/requests/%s/berita-acara", g.request), "{}",
			     fmt("If-Match: \"%lld\"", rv - 1), NULL),
		       412, "request.version_mismatch");
	assert_status(callh(KASI, "POST", fmt("/api/v1/requests/%s/berita-acara", g.request), "{}",
			    fmt("If-Match: \"%lld\"", rv), NULL),
		      201);
	assert_problem(call(KASI, "POST", fmt("/api/v1/requests/%s/berita-acara", g.request), "{}"), 409,
		       "berita_acara.exists");

	/* nothing is recorded on a completed request */
	struct flow d = drive(PD_A, "Aplikasi Selesai", AT_BA_SIGNED);
	assert_problem(record(KASI, d.request, discussion_body("final")), 409, "request.closed");
	assert_problem(call(PD_A, "POST", fmt("/api/v1/requests/%s/completion", d.request),
			    "{\"notes\":{\"alur_sistem\":\"Terlambat.\"}}"),
		       409, "request.closed");
	ck_assert_str_eq(status_of(d.request), "completed");
}
END_TEST

/* ---- the Berita Acara's own lifecycle --------------------------------------------- */

START_TEST(test_berita_acara_lifecycle_refusals)
{
	struct flow f = drive(PD_A, "Aplikasi Anggaran", AT_BA_DRAFT);
	const char *ba = f.ba;
	/* a draft cannot be signed */
	assert_problem(call(KADIS, "POST", path_ba(ba, "/signatures"), "{}"), 409, "berita_acara.not_sent");
	/* edits need If-Match, and a current one */
	const char *edit = "{\"date\":\"2025-09-01\"}";
	assert_problem(call(KASI, "PATCH", path_ba(ba, ""), edit), 428, "request.if_match_required");
	assert_problem(callh(KASI, "PATCH", path_ba(ba, ""), edit, "If-Match: \"7\"", NULL), 412,
		       "request.version_mismatch");
	/* a milestone that ends before it starts */
	struct ts_resp *r =
		callh(KASI, "PATCH", path_ba(ba, ""),
		      "{\"milestones\":[{\"name\":\"Mundur\",\"start\":\"2025-06-30\",\"end\":\"2025-06-01\"}]}",
		      "If-Match: \"1\"", NULL);
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(field_error(r, "milestones[0]"), "errors: %s", error_fields(r));
	r = callh(KASI, "PATCH", path_ba(ba, ""), edit, "If-Match: \"1\"", NULL);
	assert_status(r, 200);
	ck_assert_str_eq(rstr(r, "date"), "2025-09-01");
	ck_assert_int_eq(rint(r, "version"), 2);
	/* the old version is stale now */
	assert_problem(callh(KASI, "PATCH", path_ba(ba, ""), edit, "If-Match: \"1\"", NULL), 412,
		       "request.version_mismatch");

	r = call(KASI, "POST", path_ba(ba, "/send"), "{}");
	assert_status(r, 200);
	const char *sha = fmt("%s", rstr(r, "content_sha256"));
	ck_assert_str_eq(sha, ba_content_sha256(r->json));
	/* frozen: no edit, no second send */
	assert_problem(callh(KASI, "PATCH", path_ba(ba, ""), edit, "If-Match: \"3\"", NULL), 409, "berita_acara.frozen");
	assert_problem(call(KASI, "POST", path_ba(ba, "/send"), "{}"), 409, "berita_acara.frozen");
	/* a signature against a stale ETag */
	assert_problem(callh(KADIS, "POST", path_ba(ba, "/signatures"), confirm(sha), "If-Match: \"2\"", NULL), 412,
		       "request.version_mismatch");
	/* a signature over other content */
	const char *other = sha256_hex("something else", 14);
	assert_problem(call(KADIS, "POST", path_ba(ba, "/signatures"), confirm(other)), 409,
		       "berita_acara.content_changed");
	assert_problem(call(SIGN_A, "POST", path_ba(ba, "/signatures"), confirm(other)), 409,
		       "berita_acara.content_changed");
	/* the same party twice */
	assert_status(call(KADIS, "POST", path_ba(ba, "/signatures"), confirm(sha)), 201);
	assert_problem(call(KADIS, "POST", path_ba(ba, "/signatures"), confirm(sha)), 409, "berita_acara.already_signed");
	r = call(KASI, "GET", path_ba(ba, ""), NULL);
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "signatures")), 1);
	ck_assert_str_eq(rstr(r, "status"), "awaiting_signatures");
	/* signed by both: immutable, and nobody signs again */
	r = call(SIGN_A, "POST", path_ba(ba, "/signatures"), confirm(sha));
	assert_status(r, 201);
	ck_assert_str_eq(rstr(r, "status"), "signed");
	long long version = rint(r, "version");
	assert_problem(callh(KASI, "PATCH", path_ba(ba, ""), edit, fmt("If-Match: \"%lld\"", version), NULL), 409,
		       "berita_acara.signed");
	assert_problem(call(KASI, "PATCH", path_ba(ba, ""), edit), 409, "berita_acara.signed");
	assert_problem(call(SIGN_A, "POST", path_ba(ba, "/signatures"), confirm(sha)), 409, "berita_acara.signed");
	assert_problem(call(KADIS, "POST", path_ba(ba, "/signatures"), confirm(sha)), 409, "berita_acara.signed");
	assert_problem(call(KASI, "POST", path_ba(ba, "/send"), "{}"), 409, "berita_acara.signed");
	r = call(KASI, "GET", path_ba(ba, ""), NULL);
	assert_status(r, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "signatures")), 2);
	ck_assert_str_eq(rstr(r, "date"), "2025-09-01");
	ck_assert_str_eq(ba_content_sha256(r->json), sha);
	ck_assert_str_eq(status_of(f.request), "completed");
	json_t *actions = audit_actions(f.request);
	ck_assert_int_eq(count_action(actions, "berita_acara.sign"), 2);
	ck_assert_int_eq(count_action(actions, "request.sign_ba_complete"), 1);
	ck_assert_int_eq(count_action(actions, "berita_acara.update"), 1);
}
END_TEST

START_TEST(test_signing_without_confirmation)
{
	/* content_sha256 is optional: the signature records the frozen hash */
	struct flow f = drive(PD_A, "Aplikasi Tanpa Konfirmasi", AT_BA_SENT);
	struct ts_resp *r = call(KADIS, "POST", path_ba(f.ba, "/signatures"), "{}");
	assert_status(r, 201);
	json_t *sig = json_array_get(json_object_get(r->json, "signatures"), 0);
	ck_assert_str_eq(jstr(sig, "content_sha256"), f.sha256);
	/* an unknown field is refused; a hash that is not the frozen one is a conflict */
	r = call(SIGN_A, "POST", path_ba(f.ba, "/signatures"),
		 fmt("{\"content_sha256\":\"%s\",\"pin\":\"1234\"}", f.sha256));
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(field_error(r, "pin"), "errors: %s", error_fields(r));
	assert_problem(call(SIGN_A, "POST", path_ba(f.ba, "/signatures"), "{\"content_sha256\":\"abc\"}"), 409,
		       "berita_acara.content_changed");
	r = call(SIGN_A, "POST", path_ba(f.ba, "/signatures"), "{}");
	assert_status(r, 201);
	ck_assert_str_eq(rstr(r, "status"), "signed");
}
END_TEST

/* A signatory's retry with the same Idempotency-Key (a lost answer) gets the
 * first answer again, not "already signed"; the same key for another body is
 * refused. */
START_TEST(test_signature_retry_is_idempotent)
{
	struct flow f = drive(PD_A, "Aplikasi Ulang", AT_BA_SENT);
	const char *key = "Idempotency-Key: ttd-kadis-0001";
	struct ts_resp *first = callh(KADIS, "POST", path_ba(f.ba, "/signatures"), confirm(f.sha256), key, NULL);
	assert_status(first, 201);
	struct ts_resp *again = callh(KADIS, "POST", path_ba(f.ba, "/signatures"), confirm(f.sha256), key, NULL);
	assert_status(again, 201);
	ck_assert_msg(json_equal(first->json, again->json), "the replay differs:\n%s\n%s", first->body, again->body);
	ck_assert_pstr_eq(ts_header(again, "ETag"), ts_header(first, "ETag"));
	ck_assert_pstr_eq(ts_header(again, "Location"), ts_header(first, "Location"));
	assert_problem(callh(KADIS, "POST", path_ba(f.ba, "/signatures"), "{}", key, NULL), 422, "idempotency.key_reused");
	/* one signature, one audit row */
	struct ts_resp *r = call(KASI, "GET", path_ba(f.ba, ""), NULL);
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "signatures")), 1);
	ck_assert_int_eq(count_action(audit_actions(f.request), "berita_acara.sign"), 1);
	/* the same key is the signatory's own: another user's key space is separate */
	r = callh(SIGN_A, "POST", path_ba(f.ba, "/signatures"), confirm(f.sha256), key, NULL);
	assert_status(r, 201);
	ck_assert_str_eq(rstr(r, "status"), "signed");
}
END_TEST

/* Adds "what: status code" to the list of wrong answers unless r is 409 code. */
static void expect_409(char *wrong, size_t n, const char *what, const struct ts_resp *r, const char *code)
{
	if (r->status == 409 && strcmp(ts_problem_code(r), code) == 0)
		return;
	size_t at = strlen(wrong);
	snprintf(wrong + at, n - at, "\n  %s: %ld %s (expected 409 %s)", what, r->status, ts_problem_code(r), code);
}

/* A withdrawn or rejected request is closed: its Berita Acara is not sent,
 * edited or signed any more (a signed Berita Acara for a withdrawn request
 * would be an agreement nobody is bound by). */
START_TEST(test_closed_request_freezes_its_berita_acara)
{
	char wrong[2048] = "";
	struct flow f = drive(PD_A, "Aplikasi Ditarik", AT_BA_SENT);
	assert_status(call(KADIS, "POST", path_ba(f.ba, "/signatures"), confirm(f.sha256)), 201);
	struct ts_resp *r = call(PD_A, "POST", fmt("/api/v1/requests/%s/withdraw", f.request),
				 "{\"reason\":\"Anggaran dialihkan.\"}");
	assert_status(r, 200);
	ck_assert_str_eq(rstr(r, "status"), "withdrawn");
	r = call(SIGN_A, "POST", path_ba(f.ba, "/signatures"), confirm(f.sha256));
	expect_409(wrong, sizeof wrong, "the last signature after the request was withdrawn", r, "request.closed");

	struct flow g = drive(PD_A, "Aplikasi Ditolak", AT_BA_DRAFT);
	r = call(KADIS, "POST", fmt("/api/v1/requests/%s/reject", g.request), "{\"reason\":\"Tidak sesuai rencana.\"}");
	assert_status(r, 200);
	ck_assert_str_eq(rstr(r, "status"), "rejected");
	r = callh(KASI, "PATCH", path_ba(g.ba, ""), "{\"date\":\"2025-10-01\"}", "If-Match: \"1\"", NULL);
	expect_409(wrong, sizeof wrong, "editing the draft after the request was rejected", r, "request.closed");
	r = call(KASI, "POST", path_ba(g.ba, "/send"), "{}");
	expect_409(wrong, sizeof wrong, "sending it after the request was rejected", r, "request.closed");
	const char *sha = fmt("%s", rstr(r, "content_sha256"));
	if (r->status == 200) {
		r = call(KADIS, "POST", path_ba(g.ba, "/signatures"), confirm(sha));
		expect_409(wrong, sizeof wrong, "signing it after the request was rejected", r, "request.closed");
	}
	struct ts_resp *ba = call(KASI, "GET", path_ba(f.ba, ""), NULL);
	ck_assert_msg(!wrong[0], "a closed request's Berita Acara still moves:%s\n  request %s is %s, its Berita Acara %s",
		      wrong, f.request, status_of(f.request), rstr(ba, "status"));
}
END_TEST

/* The Berita Acara needs the agency's signatory: none -> 409 when drafting;
 * a signatory who lost the flag does not sign until it is given back. Uses
 * agency B, so A's people are untouched. */
START_TEST(test_agency_signatory_flag)
{
	struct flow g = drive(PD_B, "Aplikasi Pajak Daerah", AT_AGREED);
	struct flow h = drive(PD_B, "Aplikasi Retribusi Daerah", AT_BA_SENT);
	const char *user = fmt("/api/v1/users/%s", P[SIGN_B].id);
	struct ts_resp *r = call(ADMIN, "PATCH", user, "{\"is_signatory\":false}");
	assert_status(r, 200);
	ck_assert(json_is_false(json_object_get(r->json, "is_signatory")));
	assert_problem(call(KASI, "POST", fmt("/api/v1/requests/%s/berita-acara", g.request), "{}"), 409,
		       "berita_acara.no_signatory");
	assert_problem(call(SIGN_B, "POST", path_ba(h.ba, "/signatures"), confirm(h.sha256)), 403,
		       "berita_acara.not_signatory");
	assert_status(call(ADMIN, "PATCH", user, "{\"is_signatory\":true}"), 200);
	r = call(SIGN_B, "POST", path_ba(h.ba, "/signatures"), confirm(h.sha256));
	assert_status(r, 201);
	ck_assert_str_eq(jstr(json_array_get(json_object_get(r->json, "signatures"), 0), "party"), "perangkat_daerah");
	r = call(KASI, "POST", fmt("/api/v1/requests/%s/berita-acara", g.request), "{}");
	assert_status(r, 201);
	json_t *pdp = json_object_get(json_object_get(r->json, "parties"), "perangkat_daerah");
	ck_assert_str_eq(jstr(pdp, "signatory_id"), P[SIGN_B].id);
	ck_assert_str_eq(jstr(pdp, "agency_id"), AGENCY[1]);
	ck_assert_str_eq(jstr(pdp, "organisation"), AGENCY_NAME[1]);
	/* A's signatory does not sign for B */
	r = call(KASI, "POST", path_ba(rstr(r, "id"), "/send"), "{}");
	assert_status(r, 200);
	assert_problem(call(SIGN_A, "POST", path_ba(rstr(r, "id"), "/signatures"), "{}"), 404, "berita_acara.not_found");
}
END_TEST

/* The signatures are those of the parties the Berita Acara names (its hashed
 * content names them, with their NIP): another kepala_dinas, or a second
 * signatory of the same agency, does not sign in their place. */
START_TEST(test_only_the_named_parties_sign)
{
	static struct actor kadis_plt = {"kadis.plt", "kepala_dinas", "Drs. Nyoman Arta", "196912121995031001", -1,
					 false, "", ""};
	static struct actor sign_a2 = {"wakil.alpha", "pd", "I Gusti Ayu Rai", "198505052010012002", 0, true, "", ""};
	struct flow f = drive(PD_A, "Aplikasi Para Pihak", AT_BA_SENT);
	s47_add_user(&kadis_plt);
	s47_add_user(&sign_a2);
	struct ts_resp *r = call(KASI, "GET", path_ba(f.ba, ""), NULL);
	json_t *parties = json_object_get(r->json, "parties");
	ck_assert_str_eq(jstr(json_object_get(parties, "kominfos"), "signatory_id"), P[KADIS].id);
	ck_assert_str_eq(jstr(json_object_get(parties, "perangkat_daerah"), "signatory_id"), P[SIGN_A].id);
	char wrong[1024] = "";
	r = call_as(&kadis_plt, "POST", path_ba(f.ba, "/signatures"), confirm(f.sha256));
	if (r->status != 403)
		snprintf(wrong, sizeof wrong, "\n  kepala_dinas %s, not named, signed for kominfos: %ld", kadis_plt.username,
			 r->status);
	r = call_as(&sign_a2, "POST", path_ba(f.ba, "/signatures"), confirm(f.sha256));
	if (r->status != 403) {
		size_t n = strlen(wrong);
		snprintf(wrong + n, sizeof wrong - n, "\n  pd signatory %s, not named, signed for the agency: %ld",
			 sign_a2.username, r->status);
	}
	r = call(KASI, "GET", path_ba(f.ba, ""), NULL);
	ck_assert_msg(!wrong[0], "signatures by people the Berita Acara does not name:%s\n  now: %s", wrong,
		      jdump(json_object_get(r->json, "signatures")));
}
END_TEST

START_TEST(test_discussion_edits)
{
	struct flow f = drive(PD_A, "Aplikasi Notulen", AT_LANJUTAN);
	const char *path = fmt("/api/v1/discussions/%s", f.awal);
	struct ts_resp *r = call(KASI, "GET", path, NULL);
	assert_status(r, 200);
	ck_assert_str_eq(ts_header(r, "ETag"), "\"1\"");
	const char *edit = "{\"minutes\":\"Notulen diperbaiki.\"}";
	assert_problem(call(KASI, "PATCH", path, edit), 428, "request.if_match_required");
	assert_problem(callh(KASI, "PATCH", path, edit, "If-Match: \"9\"", NULL), 412, "request.version_mismatch");
	assert_problem(callh(PD_A, "PATCH", path, edit, "If-Match: \"1\"", NULL), 403, "auth.forbidden");
	/* the checklist and the phase are what was recorded: not editable */
	r = callh(KASI, "PATCH", path, fmt("{\"checklist\":%s}", checklist("alur_sistem", NULL)), "If-Match: \"1\"", NULL);
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(field_error(r, "checklist"), "errors: %s", error_fields(r));
	r = callh(TIM2, "PATCH", path, edit, "If-Match: \"1\"", NULL);
	assert_status(r, 200);
	ck_assert_str_eq(rstr(r, "minutes"), "Notulen diperbaiki.");
	ck_assert_int_eq(rint(r, "version"), 2);
	ck_assert_str_eq(ts_header(r, "ETag"), "\"2\"");
	ck_assert_str_eq(status_of(f.request), "in_discussion/lanjutan");
	json_t *actions = audit_actions(f.request);
	ck_assert_int_eq(count_action(actions, "discussion.update"), 1);
	/* B does not see it; once the request is closed nobody edits it */
	assert_problem(call(PD_B, "GET", path, NULL), 404, "discussion.not_found");
	assert_status(call(PD_A, "POST", fmt("/api/v1/requests/%s/withdraw", f.request), "{}"), 200);
	assert_problem(callh(KASI, "PATCH", path, edit, "If-Match: \"2\"", NULL), 409, "request.closed");
}
END_TEST

/* ---- malformed discussion records ------------------------------------------------- */

static const char *awal_with(const char *checklist_json)
{
	return fmt("{\"phase\":\"awal\",\"held_at\":\"2025-03-10T09:00:00+08:00\",\"attendees\":[{\"user_id\":\"%s\"}],"
		   "\"checklist\":%s}",
		   P[KASI].id, checklist_json);
}

START_TEST(test_bad_checklist)
{
	struct flow f = drive(PD_A, "Aplikasi Checklist", AT_AWAL);
	const char *complete = "{\"status\":\"complete\",\"note\":\"\"}";
	/* five items */
	struct ts_resp *r = record(
		KASI, f.request,
		awal_with(fmt("{\"alur_sistem\":%s,\"data_input_output\":%s,\"mekanisme_validasi\":%s,\"role_pengguna\":%s,"
			      "\"mekanisme_pelaporan\":%s}",
			      complete, complete, complete, complete, complete)));
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(field_error(r, "checklist.proses_bisnis_terkait"), "five items: errors %s", error_fields(r));
	/* seven: an unknown item */
	const char *six = checklist(NULL, NULL);
	char seven[2048];
	snprintf(seven, sizeof seven, "%.*s,\"keamanan\":%s}", (int)strlen(six) - 1, six, complete);
	r = record(KASI, f.request, awal_with(seven));
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(field_error_under(r, "checklist"), "unknown item: errors %s", error_fields(r));
	ck_assert_msg(strstr(r->body, "keamanan") != NULL, "the answer does not name the unknown item: %s", r->body);
	/* incomplete without a note: the error names the item */
	const char *no_note = checklist(NULL, NULL);
	const char *at = strstr(no_note, "\"role_pengguna\":{\"status\":\"complete\",\"note\":\"\"}");
	ck_assert_ptr_nonnull(at);
	char buf[2048];
	snprintf(buf, sizeof buf, "%.*s\"role_pengguna\":{\"status\":\"incomplete\"}%s", (int)(at - no_note), no_note,
		 at + strlen("\"role_pengguna\":{\"status\":\"complete\",\"note\":\"\"}"));
	r = record(KASI, f.request, awal_with(buf));
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(field_error_under(r, "checklist.role_pengguna") || field_error(r, "note"),
		      "incomplete without a note: errors %s", error_fields(r));
	/* a status that is not one of the three */
	const char *bad = checklist(NULL, NULL);
	at = strstr(bad, "\"alur_sistem\":{\"status\":\"complete\"");
	ck_assert_ptr_nonnull(at);
	snprintf(buf, sizeof buf, "%.*s\"alur_sistem\":{\"status\":\"selesai\"%s", (int)(at - bad), bad,
		 at + strlen("\"alur_sistem\":{\"status\":\"complete\""));
	r = record(KASI, f.request, awal_with(buf));
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(field_error_under(r, "checklist.alur_sistem"), "bad status: errors %s", error_fields(r));
	/* no checklist at all; not an object */
	r = record(KASI, f.request,
		   fmt("{\"phase\":\"awal\",\"held_at\":\"2025-03-10T09:00:00+08:00\",\"attendees\":[{\"user_id\":\"%s\"}]}",
		       P[KASI].id));
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(field_error(r, "checklist"), "no checklist: errors %s", error_fields(r));
	r = record(KASI, f.request, awal_with("[]"));
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(field_error(r, "checklist"), "checklist []: errors %s", error_fields(r));
	/* nothing was recorded, nothing moved */
	ck_assert_int_eq(discussions_of(f.request), 0);
	ck_assert_str_eq(status_of(f.request), "in_discussion/awal");
}
END_TEST

static const char *lanjutan_with(const char *attendees, const char *extra)
{
	return fmt("{\"phase\":\"lanjutan\",\"held_at\":\"2025-03-24T09:00:00+08:00\",\"attendees\":%s%s}",
		   attendees, extra);
}

static const char *final_with(const char *attendees, const char *extra)
{
	return fmt("{\"phase\":\"final\",\"held_at\":\"2025-03-31T09:00:00+08:00\",\"attendees\":%s%s}",
		   attendees, extra);
}

START_TEST(test_bad_discussion_fields)
{
	struct flow f = drive(PD_A, "Aplikasi Lanjutan", AT_LANJUTAN);
	const char *kasi = fmt("[{\"user_id\":\"%s\"}]", P[KASI].id);
	/* scope or milestones before the final discussion */
	struct ts_resp *r = record(KASI, f.request, lanjutan_with(kasi, ",\"scope\":" FINAL_SCOPE));
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(field_error(r, "scope"), "scope on lanjutan: errors %s", error_fields(r));
	r = record(KASI, f.request, lanjutan_with(kasi, ",\"milestones\":" FINAL_MILESTONES));
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(field_error_under(r, "scope") || field_error_under(r, "milestones"),
		      "milestones on lanjutan: errors %s", error_fields(r));
	/* the checklist belongs to the initial discussion */
	r = record(KASI, f.request, lanjutan_with(kasi, fmt(",\"checklist\":%s", checklist(NULL, NULL))));
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(field_error(r, "checklist"), "checklist on lanjutan: errors %s", error_fields(r));
	/* an attendee who is no user */
	r = record(KASI, f.request, lanjutan_with("[{\"user_id\":\"" ZERO_UUID "\"}]", ""));
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(field_error_under(r, "attendees"), "unknown attendee: errors %s", error_fields(r));
	/* a guest without a name; an attendee that is neither */
	r = record(KASI, f.request, lanjutan_with("[{\"position\":\"Staf\"}]", ""));
	assert_problem(r, 400, "request.invalid");
	r = record(KASI, f.request, lanjutan_with("[]", ""));
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(field_error(r, "attendees"), "no attendees: errors %s", error_fields(r));
	/* an output document of the wrong type, or of another request */
	r = upload(KASI, f.request, "dokumen_awal", "awal.pdf", "application/pdf", MINI_PDF, MINI_PDF_LEN);
	assert_status(r, 201);
	const char *wrong_type = fmt("%s", rstr(r, "id"));
	r = record(KASI, f.request, lanjutan_with(kasi, fmt(",\"output_document_id\":\"%s\"", wrong_type)));
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(field_error(r, "output_document_id"), "wrong document type: errors %s", error_fields(r));
	struct flow g = drive(PD_A, "Aplikasi Lain", AT_AWAL);
	r = upload(KASI, g.request, "laporan_lanjutan", "lanjutan.pdf", "application/pdf", MINI_PDF, MINI_PDF_LEN);
	assert_status(r, 201);
	r = record(KASI, f.request, lanjutan_with(kasi, fmt(",\"output_document_id\":\"%s\"", rstr(r, "id"))));
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(field_error(r, "output_document_id"), "another request's document: errors %s", error_fields(r));
	/* a follow-up with a date that is none */
	r = record(KASI, f.request,
		   lanjutan_with(kasi, ",\"follow_ups\":[{\"item\":\"Kirim data\",\"due_date\":\"2025-02-30\"}]"));
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(field_error_under(r, "follow_ups[0]") || field_error(r, "due_date"), "bad due date: errors %s",
		      error_fields(r));
	/* an unknown phase, an unknown field */
	assert_problem(record(KASI, f.request, fmt("{\"phase\":\"akhir\",\"held_at\":\"2025-03-24T09:00:00+08:00\","
						   "\"attendees\":%s}",
						   kasi)),
		       400, "request.invalid");
	r = record(KASI, f.request, lanjutan_with(kasi, ",\"ruangan\":\"A\""));
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(field_error(r, "ruangan"), "unknown field: errors %s", error_fields(r));
	ck_assert_str_eq(status_of(f.request), "in_discussion/lanjutan");
	ck_assert_int_eq(discussions_of(f.request), 1);

	/* the final discussion: no scope, a milestone backwards, no features */
	assert_status(record(KASI, f.request, lanjutan_with(kasi, "")), 201);
	r = record(KASI, f.request, final_with(kasi, ",\"milestones\":" FINAL_MILESTONES));
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(field_error(r, "scope"), "final without scope: errors %s", error_fields(r));
	r = record(KASI, f.request,
		   final_with(kasi,
		       ",\"scope\":" FINAL_SCOPE ",\"milestones\":[{\"name\":\"Analisis\",\"start\":\"2025-04-01\","
		       "\"end\":\"2025-04-30\"},{\"name\":\"Mundur\",\"start\":\"2025-06-30\",\"end\":\"2025-06-01\"}]"));
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(field_error(r, "milestones[1]"), "milestone backwards: errors %s", error_fields(r));
	r = record(KASI, f.request,
		   final_with(kasi, ",\"scope\":{\"summary\":\"Ringkas\",\"features\":[]},\"milestones\":" FINAL_MILESTONES));
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(field_error(r, "scope.features"), "no features: errors %s", error_fields(r));
	ck_assert_str_eq(status_of(f.request), "in_discussion/final");
}
END_TEST

/* A field error inside a nested object names its whole path, as the item
 * itself is named ("checklist.alur_sistem", "milestones[1]"): a client must be
 * able to tell which of six notes or fifty milestones is wrong. */
START_TEST(test_nested_errors_name_their_path)
{
	struct flow f = drive(PD_A, "Aplikasi Nama Kolom", AT_AWAL);
	struct flow g = drive(PD_A, "Aplikasi Nama Kolom Final", AT_FINAL);
	const char *kasi = fmt("[{\"user_id\":\"%s\"}]", P[KASI].id);
	const char *cl = checklist(NULL, NULL);
	const char *role = "\"role_pengguna\":{\"status\":\"complete\",\"note\":\"\"}";
	const char *at = strstr(cl, role);
	ck_assert_ptr_nonnull(at);
	const struct {
		const char *request, *body, *field;
	} cases[] = {
		{f.request,
		 awal_with(fmt("%.*s\"role_pengguna\":{\"status\":\"incomplete\"}%s", (int)(at - cl), cl, at + strlen(role))),
		 "checklist.role_pengguna.note"},
		{f.request,
		 awal_with(fmt("%.*s\"role_pengguna\":{\"status\":7,\"note\":\"\"}%s", (int)(at - cl), cl, at + strlen(role))),
		 "checklist.role_pengguna.status"},
		{f.request,
		 fmt("{\"phase\":\"awal\",\"held_at\":\"2025-03-10T09:00:00+08:00\",\"attendees\":%s,\"checklist\":%s,"
		     "\"follow_ups\":[{\"item\":\"Kirim data\",\"due_date\":\"2025-02-30\"}]}",
		     kasi, cl),
		 "follow_ups[0].due_date"},
		{f.request,
		 fmt("{\"phase\":\"awal\",\"held_at\":\"2025-03-10T09:00:00+08:00\","
		     "\"attendees\":[{\"user_id\":\"%s\"},{\"position\":\"Staf\"}],\"checklist\":%s}",
		     P[KASI].id, cl),
		 "attendees[1].name"},
		{g.request,
		 final_with(kasi, ",\"scope\":" FINAL_SCOPE ",\"milestones\":[{\"name\":\"Analisis\",\"start\":\"2025-04-01\","
				  "\"end\":\"2025-04-30\"},{\"name\":\"Uji\",\"start\":\"2025-13-01\",\"end\":\"2025-12-31\"}]"),
		 "milestones[1].start"},
	};
	char wrong[2048] = "";
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ts_resp *r = record(KASI, cases[i].request, cases[i].body);
		assert_problem(r, 400, "request.invalid");
		if (!field_error(r, cases[i].field)) {
			size_t n = strlen(wrong);
			snprintf(wrong + n, sizeof wrong - n, "\n  expected %s, got: %s", cases[i].field, error_fields(r));
		}
	}
	ck_assert_msg(!wrong[0], "field errors inside nested objects lose their path:%s", wrong);
	ck_assert_str_eq(status_of(f.request), "in_discussion/awal");
	ck_assert_str_eq(status_of(g.request), "in_discussion/final");
}
END_TEST

START_TEST(test_bad_completion)
{
	struct flow f = drive(PD_A, "Aplikasi Kelengkapan", AT_AWAITING_PD);
	const char *path = fmt("/api/v1/requests/%s/completion", f.request);
	struct ts_resp *r = call(PD_A, "POST", path, "{\"notes\":{}}");
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(field_error(r, "notes"), "empty notes: errors %s", error_fields(r));
	r = call(PD_A, "POST", path, "{\"notes\":{\"warna_logo\":\"Biru\"}}");
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(field_error(r, "notes.warna_logo"), "unknown item: errors %s", error_fields(r));
	/* the discussion marked mekanisme_validasi incomplete: a completion that
	 * answers another item only (or with a blank note) leaves it unanswered */
	r = call(PD_A, "POST", path, "{\"notes\":{\"alur_sistem\":\"x\"}}");
	assert_problem(r, 422, "completion.items_missing");
	ck_assert_str_eq(field_error_code(r, "notes.mekanisme_validasi"), "required");
	ck_assert_msg(!field_error(r, "notes.alur_sistem"), "an answered item named: errors %s", error_fields(r));
	r = call(PD_A, "POST", path, "{\"notes\":{\"mekanisme_validasi\":\"  \"}}");
	assert_problem(r, 422, "completion.items_missing");
	ck_assert_str_eq(field_error_code(r, "notes.mekanisme_validasi"), "required");
	struct flow g = drive(PD_A, "Aplikasi Dokumen Lain", AT_AWAL);
	r = upload(PD_A, g.request, "proses_bisnis", "lain.pdf", "application/pdf", MINI_PDF, MINI_PDF_LEN);
	assert_status(r, 201);
	r = call(PD_A, "POST", path,
		 fmt("{\"notes\":{\"mekanisme_validasi\":\"Ada.\"},\"document_ids\":[\"%s\"]}", rstr(r, "id")));
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(field_error(r, "document_ids"), "another request's document: errors %s", error_fields(r));
	ck_assert_str_eq(status_of(f.request), "awaiting_pd_completion");
	r = call(PD_A, "GET", fmt("/api/v1/requests/%s/completions", f.request), NULL);
	assert_status(r, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 0);
}
END_TEST

/* An item may be answered by a document of its own instead of a note. */
START_TEST(test_completion_by_documents)
{
	struct flow f = drive(PD_A, "Aplikasi Lampiran Butir", AT_AWAITING_PD);
	const char *path = fmt("/api/v1/requests/%s/completion", f.request);
	struct ts_resp *r = upload(PD_A, f.request, "proses_bisnis", "validasi.pdf", "application/pdf", MINI_PDF, MINI_PDF_LEN);
	assert_status(r, 201);
	const char *doc = fmt("%s", rstr(r, "id"));
	struct flow g = drive(PD_A, "Aplikasi Lampiran Lain", AT_AWAL);
	r = upload(PD_A, g.request, "proses_bisnis", "lain.pdf", "application/pdf", MINI_PDF, MINI_PDF_LEN);
	assert_status(r, 201);
	const char *other = fmt("%s", rstr(r, "id"));
	r = call(PD_A, "POST", path, fmt("{\"item_documents\":{\"warna_logo\":[\"%s\"]}}", doc));
	assert_problem(r, 400, "request.invalid");
	ck_assert_str_eq(field_error_code(r, "item_documents.warna_logo"), "unknown_item");
	r = call(PD_A, "POST", path, "{\"item_documents\":{\"mekanisme_validasi\":[\"bukan-uuid\"]}}");
	ck_assert_str_eq(field_error_code(r, "item_documents.mekanisme_validasi"), "invalid");
	r = call(PD_A, "POST", path, fmt("{\"item_documents\":{\"mekanisme_validasi\":[\"%s\"]}}", other));
	assert_problem(r, 400, "request.invalid");
	ck_assert_str_eq(field_error_code(r, "item_documents"), "unknown");
	/* a document for another item, or an empty list, leaves the item unanswered */
	r = call(PD_A, "POST", path, fmt("{\"item_documents\":{\"alur_sistem\":[\"%s\"],\"mekanisme_validasi\":[]}}", doc));
	assert_problem(r, 422, "completion.items_missing");
	ck_assert_str_eq(field_error_code(r, "notes.mekanisme_validasi"), "required");
	ck_assert_str_eq(status_of(f.request), "awaiting_pd_completion");
	/* its own document answers it, with no note at all */
	r = call(PD_A, "POST", path, fmt("{\"item_documents\":{\"mekanisme_validasi\":[\"%s\"]}}", doc));
	assert_status(r, 201);
	json_t *kept = json_object_get(json_object_get(r->json, "item_documents"), "mekanisme_validasi");
	ck_assert_int_eq(json_array_size(kept), 1);
	ck_assert_str_eq(json_string_value(json_array_get(kept, 0)), doc);
	ck_assert_int_eq(json_object_size(json_object_get(r->json, "notes")), 0);
	ck_assert_str_eq(status_of(f.request), "in_discussion/awal");
	r = call(KASI, "GET", fmt("/api/v1/requests/%s/completions", f.request), NULL);
	assert_status(r, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 1);
}
END_TEST

/* ---- the database's own guards ----------------------------------------------------- */

START_TEST(test_database_refuses_changes)
{
	struct flow f = drive(PD_A, "Aplikasi Terkunci", AT_BA_SIGNED);
	struct flow s = drive(PD_A, "Aplikasi Beku", AT_BA_SENT);
	char n[32];
	ck_assert(ts_sql_value(g_db, fmt("SELECT count(*) FROM berita_acara WHERE id = '%s' AND status = 'signed'", f.ba),
			       n, sizeof n));
	ck_assert_str_eq(n, "1");
	fprintf(stderr, "-- the SQL errors below are expected --\n");
	ck_assert_msg(!ts_sql(g_db, "UPDATE berita_acara SET date = date + 1 WHERE status = 'signed'"),
		      "the database let a signed Berita Acara change");
	ck_assert_msg(!ts_sql(g_db, "UPDATE berita_acara SET status = 'draft' WHERE status = 'signed'"),
		      "the database let a signed Berita Acara go back to draft");
	ck_assert_msg(!ts_sql(g_db, fmt("DELETE FROM berita_acara WHERE id = '%s'", f.ba)),
		      "the database let a signed Berita Acara be deleted");
	ck_assert_msg(!ts_sql(g_db, fmt("UPDATE berita_acara_signatures SET content_sha256 = 'x'"
					" WHERE berita_acara_id = '%s'",
					f.ba)),
		      "the database let a signature change");
	ck_assert_msg(!ts_sql(g_db, fmt("DELETE FROM berita_acara_signatures WHERE berita_acara_id = '%s'", f.ba)),
		      "the database let a signature be removed");
	ck_assert_msg(!ts_sql(g_db, fmt("UPDATE berita_acara SET scope = '{}' WHERE id = '%s'", s.ba)),
		      "the database let frozen content change");
	ck_assert(ts_sql_value(g_db, fmt("SELECT count(*) FROM audit_log WHERE request_id = '%s'", f.request), n, sizeof n));
	ck_assert_msg(atoi(n) > 10, "audit rows of the request: %s", n);
	ck_assert_msg(!ts_sql(g_db, fmt("UPDATE audit_log SET action = 'x' WHERE request_id = '%s'", f.request)),
		      "the database let the audit log change");
	ck_assert_msg(!ts_sql(g_db, fmt("DELETE FROM audit_log WHERE request_id = '%s'", f.request)),
		      "the database let audit rows be deleted");
	ck_assert_msg(!ts_sql(g_db, "TRUNCATE audit_log"), "the database let the audit log be truncated");
	fprintf(stderr, "-- end of the expected SQL errors --\n");
	/* all still there, unchanged */
	char after[32];
	ck_assert(ts_sql_value(g_db, fmt("SELECT count(*) FROM audit_log WHERE request_id = '%s'", f.request), after,
			       sizeof after));
	ck_assert_str_eq(after, n);
	struct ts_resp *r = call(KASI, "GET", path_ba(f.ba, ""), NULL);
	assert_status(r, 200);
	ck_assert_str_eq(rstr(r, "status"), "signed");
	ck_assert_str_eq(ba_content_sha256(r->json), f.sha256);
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "signatures")), 2);
	/* a frozen one can still be signed (the guard lets status and signatures move) */
	assert_status(call(KADIS, "POST", path_ba(s.ba, "/signatures"), confirm(s.sha256)), 201);
}
END_TEST


/* The row of request id in the list answered for query (every page
 * walked: a filter may match many), or NULL. */
static json_t *listed(const char *query, const char *id)
{
	const char *cursor = NULL;
	for (int page = 0; page < 100; page++) {
		struct ts_resp *r = call(ADMIN, "GET",
					 cursor ? fmt("/api/v1/requests?limit=100&%s&cursor=%s", query, cursor)
						: fmt("/api/v1/requests?limit=100&%s", query),
					 NULL);
		assert_status(r, 200);
		size_t i;
		json_t *row;
		json_array_foreach(json_object_get(r->json, "items"), i, row)
			if (strcmp(jstr(row, "id"), id) == 0)
				return row;
		json_t *next = json_object_get(r->json, "next_cursor");
		if (!json_is_string(next))
			return NULL;
		cursor = json_string_value(next);
	}
	ck_abort_msg("more than 100 pages for %s", query);
	return NULL;
}

/* Whom the single read, the list row, both list orders filtered by each
 * party and the overdue list say request id waits on: `first` names it;
 * the filter finds it under each party of on[] and under no other. */
/* The desk stored on request id (migrations/0092, kept by triggers) is the
 * one 0090's rule computes from the Berita Acara now, and an UPDATE that
 * names it cannot set it by hand. */
static void assert_desk_stored(const char *id)
{
	static const char *const rule = "CASE WHEN state = 'agreed' THEN agreed_desk(id) ELSE state END";
	char v[64], want[64];
	ck_assert(ts_sql_value(g_db, fmt("SELECT %s FROM requests WHERE id = '%s'", rule, id), want, sizeof want));
	ck_assert(ts_sql_value(g_db, fmt("SELECT desk FROM requests WHERE id = '%s'", id), v, sizeof v));
	ck_assert_str_eq(v, want);
	ck_assert(ts_sql(g_db, fmt("UPDATE requests SET desk = 'submitted' WHERE id = '%s'", id)));
	ck_assert(ts_sql_value(g_db, fmt("SELECT desk FROM requests WHERE id = '%s'", id), v, sizeof v));
	ck_assert_str_eq(v, want);
}

static void assert_desk(const char *id, const char *first, const char *const on[], size_t n_on)
{
	assert_desk_stored(id);
	ck_assert_str_eq(rstr(call(ADMIN, "GET", fmt("/api/v1/requests/%s", id), NULL), "waiting_on"), first);
	json_t *row = listed("q=Menunggu", id);
	ck_assert_msg(row != NULL, "%s is not in the list", id);
	ck_assert_str_eq(jstr(row, "waiting_on"), first);
	static const char *const parties[] = {"pd", "sekretariat", "kepala_dinas", "kabid_iai", "kasi_ai_tim_spbe"};
	for (size_t p = 0; p < sizeof parties / sizeof parties[0]; p++) {
		bool want = false;
		for (size_t k = 0; k < n_on; k++)
			want = want || strcmp(on[k], parties[p]) == 0;
		for (int sorted = 0; sorted < 2; sorted++) {
			json_t *got = listed(fmt("waiting_on=%s%s", parties[p], sorted ? "&sort=due_at" : ""), id);
			ck_assert_msg((got != NULL) == want, "waiting_on=%s%s: %s %s", parties[p],
				      sorted ? " (by deadline)" : "", id, want ? "missing" : "listed");
			if (got)
				ck_assert_str_eq(jstr(got, "waiting_on"), first);
		}
	}
}

/* The overdue list's waiting_on for request id, once its step 7 is made
 * breached with SQL (the timer is not what this tests). */
static const char *overdue_waiting_on(const char *id)
{
	ck_assert(ts_sql(g_db, fmt("UPDATE step_instances SET due_at = now() - interval '1 hour',"
				   " breached_at = now() - interval '1 hour', warned_at = now() - interval '2 hours'"
				   " WHERE request_id = '%s' AND step = 7",
				   id)));
	struct ts_resp *r = call(ADMIN, "GET", "/api/v1/sla/overdue?limit=200", NULL);
	assert_status(r, 200);
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(r->json, "items"), i, it)
		if (strcmp(jstr(it, "request_id"), id) == 0)
			return jstr(it, "waiting_on");
	ck_abort_msg("%s's breached step 7 is not in /sla/overdue", id);
	return NULL;
}

/* In `agreed` the wait is the Kasi's until the Berita Acara is sent, then
 * whichever signatory has not signed (both at once: the time is split
 * equally); the Kepala Dinas is charged only for his own part. */
START_TEST(test_agreed_waits_on_whoever_has_not_signed)
{
	struct flow a = drive(PD_A, "Menunggu Draf Berita Acara", AT_AGREED);
	struct flow f = drive(PD_A, "Menunggu Tanda Tangan", AT_BA_SENT);
	struct ts_resp *t = call(KASI, "GET", fmt("/api/v1/requests/%s/timeline", a.request), NULL);
	assert_status(t, 200);
	ck_assert_str_eq(rstr(t, "waiting_on"), "kasi_ai_tim_spbe");
	t = call(KASI, "GET", fmt("/api/v1/requests/%s/timeline", f.request), NULL);
	ck_assert_str_eq(rstr(t, "waiting_on"), "kepala_dinas");
	/* the single read, the list and its filter say the same: a's is the
	 * Kasi's desk; f is on both signatories' desks, named for the Kepala Dinas */
	assert_desk(a.request, "kasi_ai_tim_spbe", (const char *const[]){"kasi_ai_tim_spbe"}, 1);
	assert_desk(f.request, "kepala_dinas", (const char *const[]){"kepala_dinas", "pd"}, 2);
	/* a long agreed phase (moved back with SQL): Monday 2026-06-01 08:00 WITA
	 * on; f's Berita Acara went out Tuesday 2026-09-01 08:00 WITA */
	ck_assert(ts_sql(g_db, fmt("UPDATE state_history SET entered_at = '2026-06-01 08:00+08'"
				   " WHERE request_id IN ('%s', '%s') AND state = 'agreed'",
				   a.request, f.request)));
	ck_assert(ts_sql(g_db, fmt("UPDATE berita_acara SET sent_at = '2026-09-01 08:00+08' WHERE id = '%s'", f.ba)));
	json_t *w = json_object_get(call(KASI, "GET", fmt("/api/v1/requests/%s/timeline", a.request), NULL)->json,
				    "waiting_working_seconds");
	const long long day = 8 * 3600;
	ck_assert_msg(json_integer_value(json_object_get(w, "kasi_ai_tim_spbe")) >= 100 * day, "%s", jdump(w));
	ck_assert_msg(json_integer_value(json_object_get(w, "kepala_dinas")) < day, "%s", jdump(w));
	w = json_object_get(call(KASI, "GET", fmt("/api/v1/requests/%s/timeline", f.request), NULL)->json,
			    "waiting_working_seconds");
	long long kasi = json_integer_value(json_object_get(w, "kasi_ai_tim_spbe")),
		  kd = json_integer_value(json_object_get(w, "kepala_dinas")), pd = json_integer_value(json_object_get(w, "pd"));
	/* June to September: some 65 working days the Kasi's; after, both signatories' */
	ck_assert_msg(kasi >= 60 * day && kasi <= 70 * day + day, "%s", jdump(w));
	ck_assert_msg(kd >= 20 * day / 2 && pd >= 20 * day / 2, "%s", jdump(w));
	/* the PD's share is the split alone plus its own short waits before (under a day) */
	ck_assert_msg(llabs(kd - pd) < day, "split unevenly: %s", jdump(w));
	/* the Kepala Dinas signs: the wait is the PD's signatory's */
	assert_status(call(KADIS, "POST", path_ba(f.ba, "/signatures"), confirm(f.sha256)), 201);
	t = call(KASI, "GET", fmt("/api/v1/requests/%s/timeline", f.request), NULL);
	ck_assert_str_eq(rstr(t, "waiting_on"), "pd");
	assert_desk(f.request, "pd", (const char *const[]){"pd"}, 1);
	/* the overdue list names the same party as the request */
	ck_assert_str_eq(overdue_waiting_on(f.request), "pd");
	ck_assert_str_eq(overdue_waiting_on(a.request), "kasi_ai_tim_spbe");
}
END_TEST

/* The position of request id among the items of who's queue group kind;
 * -1 when absent. */
static int queue_position(enum who who, const char *kind, const char *id)
{
	struct ts_resp *r = call(who, "GET", "/api/v1/me/queue", NULL);
	assert_status(r, 200);
	size_t i, k;
	json_t *g, *it;
	json_array_foreach(json_object_get(r->json, "groups"), i, g)
		if (strcmp(jstr(g, "kind"), kind) == 0)
			json_array_foreach(json_object_get(g, "items"), k, it)
				if (strcmp(jstr(json_object_get(it, "request"), "request_id"), id) == 0)
					return (int)k;
	return -1;
}

/* The `to_conclude` groups follow the Berita Acara: the Kasi's holds the
 * agreed requests still to be drafted or sent; the Kepala Dinas's those
 * awaiting his signature, whatever the PD's side did — two desks (neither
 * signed; the PD's signed) merged earliest deadline first; the PD's side
 * those awaiting its signature. */
START_TEST(test_queue_follows_the_berita_acara)
{
	struct flow draft = drive(PD_A, "Antrean Draf", AT_AGREED);
	struct flow both = drive(PD_A, "Antrean Dua Tanda Tangan", AT_BA_SENT);
	struct flow pd_done = drive(PD_A, "Antrean PD Sudah", AT_BA_SENT);
	assert_status(call(SIGN_A, "POST", path_ba(pd_done.ba, "/signatures"), confirm(pd_done.sha256)), 201);
	/* pd_done's deadline before both's (its desk comes later in core/'s order) */
	ck_assert(ts_sql(g_db, fmt("UPDATE step_instances SET due_at = now() + interval '1 day' WHERE request_id = '%s'"
				   " AND step = 7; UPDATE step_instances SET due_at = now() + interval '2 days'"
				   " WHERE request_id = '%s' AND step = 7",
				   pd_done.request, both.request)));
	int first = queue_position(KADIS, "to_conclude", pd_done.request),
	    second = queue_position(KADIS, "to_conclude", both.request);
	ck_assert_msg(first >= 0 && second > first, "the Kepala Dinas's to_conclude: %d, %d", first, second);
	ck_assert_int_eq(queue_position(KADIS, "to_conclude", draft.request), -1);
	ck_assert_int_ge(queue_position(SIGN_A, "to_conclude", both.request), 0);
	ck_assert_int_eq(queue_position(SIGN_A, "to_conclude", pd_done.request), -1);
	ck_assert_int_eq(queue_position(SIGN_A, "to_conclude", draft.request), -1);
	ck_assert_int_ge(queue_position(KASI, "to_conclude", draft.request), 0);
	ck_assert_int_eq(queue_position(KASI, "to_conclude", both.request), -1);
	ck_assert_int_eq(queue_position(KASI, "to_conclude", pd_done.request), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("agreements");
	TCase *tc = s47_tcase("agreements", up);
	tcase_add_test(tc, test_wrong_role);
	tcase_add_test(tc, test_completion_by_staff);
	tcase_add_test(tc, test_other_agency_sees_nothing);
	tcase_add_test(tc, test_wrong_phase_order);
	tcase_add_test(tc, test_berita_acara_lifecycle_refusals);
	tcase_add_test(tc, test_signing_without_confirmation);
	tcase_add_test(tc, test_signature_retry_is_idempotent);
	tcase_add_test(tc, test_closed_request_freezes_its_berita_acara);
	tcase_add_test(tc, test_discussion_edits);
	tcase_add_test(tc, test_bad_checklist);
	tcase_add_test(tc, test_bad_discussion_fields);
	tcase_add_test(tc, test_nested_errors_name_their_path);
	tcase_add_test(tc, test_bad_completion);
	tcase_add_test(tc, test_completion_by_documents);
	tcase_add_test(tc, test_database_refuses_changes);
	tcase_add_test(tc, test_agency_signatory_flag);
	tcase_add_test(tc, test_only_the_named_parties_sign);
	tcase_add_test(tc, test_agreed_waits_on_whoever_has_not_signed);
	tcase_add_test(tc, test_queue_follows_the_berita_acara);
	s47_add_clean_stop(tc);
	suite_add_tcase(s, tc);
	return s47_main(s);
}
