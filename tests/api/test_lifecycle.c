/* test_lifecycle.c — suite `lifecycle`: one request walked through all seven
 * SOP steps over HTTP by the real roles, then its timeline, audit trail,
 * completion rounds and discussion records, the Berita Acara as a PDF read
 * back with poppler, and the Surat Tugas path that closes step 7 without a
 * Berita Acara (which may still follow: "and/or").
 *
 * The tests run in order in one process (CK_NOFORK) on one daemon: the later
 * ones read what test_walk_all_seven_steps left behind (the ids below).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/api/steps47.h"

/* What the walk leaves for the tests after it. */
static struct {
	char request[40];
	char awal1[40], awal2[40], lanjutan[40], final[40];
	char doc_completion[40], doc_awal[40];
	char ba[40];
	char number[80];
	char sha256[65];
	char summary[200];
	bool done;
} walk;

static void up(void)
{
	s47_up("lifecycle");
}

static void save(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src);
}
#define SAVE(dst, src) save((dst), sizeof(dst), (src))

/* GET the request and check its status (and phase, for in_discussion). */
static json_t *expect_request(const char *id, const char *status, const char *phase, int step)
{
	struct ts_resp *r = call(PD_A, "GET", fmt("/api/v1/requests/%s", id), NULL);
	assert_status(r, 200);
	ck_assert_msg(strcmp(rstr(r, "status"), status) == 0, "request status %s, expected %s", rstr(r, "status"),
		      status);
	if (phase)
		ck_assert_msg(strcmp(rstr(r, "phase"), phase) == 0, "request phase %s, expected %s", rstr(r, "phase"),
			      phase);
	else
		ck_assert_msg(json_is_null(json_object_get(r->json, "phase")), "request phase %s, expected null",
			      rstr(r, "phase"));
	if (step >= 0)
		ck_assert_msg(rint(r, "current_step") == step, "current_step %lld, expected %d", rint(r, "current_step"),
			      step);
	return r->json;
}

static json_t *find_item(json_t *list, const char *key, const char *value)
{
	size_t i;
	json_t *x;
	json_array_foreach(list, i, x)
		if (strcmp(jstr(x, key), value) == 0)
			return x;
	return NULL;
}

START_TEST(test_walk_all_seven_steps)
{
	/* step 1: the PD drafts and submits */
	struct ts_resp *r = call(PD_A, "POST", "/api/v1/requests",
				 "{\"kind\":\"pembangunan\",\"title\":\"Sistem Rujukan Terpadu\","
				 "\"description\":\"Aplikasi rujukan pasien antar rumah sakit daerah.\","
				 "\"letter_number\":\"440/123/DINKES/2025\",\"letter_date\":\"2025-03-03\"}");
	assert_status(r, 201);
	ck_assert_str_eq(rstr(r, "status"), "draft");
	SAVE(walk.request, rstr(r, "id"));
	const char *id = walk.request;
	attach_submission_documents(PD_A, id);
	r = call(PD_A, "POST", fmt("/api/v1/requests/%s/submit", id), NULL);
	assert_status(r, 200);
	ck_assert_str_eq(rstr(r, "status"), "submitted");

	/* step 2: the secretariat registers, the kepala dinas disposes to the kabid */
	r = call(SEKRETARIAT, "POST", fmt("/api/v1/requests/%s/register", id), NULL);
	assert_status(r, 200);
	ck_assert_str_eq(rstr(r, "status"), "awaiting_disposition");
	ck_assert_msg(*rstr(r, "agenda_number"), "no agenda number: %s", r->body);
	r = call(KADIS, "POST", fmt("/api/v1/requests/%s/dispositions", id),
		 fmt("{\"to_user_ids\":[\"%s\"],\"instruction_kind\":\"tindak_lanjuti\","
		     "\"instruction\":\"Mohon ditindaklanjuti bersama Kasi AI.\"}",
		     P[KABID].id));
	assert_status(r, 201);
	const char *disposition = fmt("%s", rstr(r, "id"));
	expect_request(id, "disposed", NULL, 3);

	/* step 3: the kabid reads it and derives one to the kasi */
	r = call(KABID, "POST", fmt("/api/v1/dispositions/%s/read", disposition), NULL);
	assert_status(r, 200);
	ck_assert_msg(json_is_string(json_object_get(r->json, "read_at")), "no read_at: %s", r->body);
	r = call(KABID, "POST", fmt("/api/v1/requests/%s/dispositions", id),
		 fmt("{\"to_user_ids\":[\"%s\",\"%s\"],\"instruction_kind\":\"koordinasikan\","
		     "\"instruction\":\"Siapkan pembahasan awal proses bisnis.\",\"parent_id\":\"%s\"}",
		     P[KASI].id, P[TIM1].id, disposition));
	assert_status(r, 201);
	expect_request(id, "in_discussion", "awal", 4);

	/* step 4, first round: the kasi finds one item missing */
	const char *attendees =
		fmt("[{\"user_id\":\"%s\"},{\"name\":\"dr. Wayan Sudarsana\",\"position\":\"Kepala Bidang Pelayanan\","
		    "\"agency\":\"%s\"}]",
		    P[KASI].id, AGENCY_NAME[0]);
	r = record(KASI, id,
		   fmt("{\"phase\":\"awal\",\"held_at\":\"2025-03-10T09:00:00+08:00\",\"place\":\"Ruang Rapat Kominfos\","
		       "\"attendees\":%s,\"minutes\":\"Alur sistem dan data dibahas.\",\"decisions\":\"PD melengkapi.\","
		       "\"checklist\":%s,\"follow_ups\":[{\"item\":\"Uraikan role pengguna\",\"due_date\":\"2025-03-17\"},"
		       "{\"item\":\"Contoh laporan bulanan\",\"due_date\":\"2025-03-20\"}]}",
		       attendees, checklist("role_pengguna", NULL)));
	assert_status(r, 201);
	SAVE(walk.awal1, rstr(r, "id"));
	ck_assert_str_eq(ts_header(r, "Location"), fmt("/api/v1/discussions/%s", walk.awal1));
	ck_assert_str_eq(rstr(r, "phase"), "awal");
	ck_assert_int_eq(rint(r, "round"), 1);
	json_t *att = json_object_get(r->json, "attendees");
	ck_assert_int_eq(json_array_size(att), 2);
	ck_assert_str_eq(jstr(json_array_get(att, 0), "user_id"), P[KASI].id);
	ck_assert_str_eq(jstr(json_array_get(att, 1), "name"), "dr. Wayan Sudarsana");
	json_t *item = json_object_get(json_object_get(r->json, "checklist"), "role_pengguna");
	ck_assert_str_eq(jstr(item, "status"), "incomplete");
	ck_assert_str_eq(jstr(item, "note"), "Belum dijelaskan; PD melengkapi.");
	ck_assert_int_eq(json_object_size(json_object_get(r->json, "checklist")), 6);
	json_t *fu = json_object_get(r->json, "follow_ups");
	ck_assert_int_eq(json_array_size(fu), 2);
	ck_assert_str_eq(jstr(json_array_get(fu, 1), "due_date"), "2025-03-20");
	expect_request(id, "awaiting_pd_completion", NULL, 4);

	/* the PD completes with a document */
	r = upload(PD_A, id, "proses_bisnis", "role-pengguna.pdf", "application/pdf", MINI_PDF, MINI_PDF_LEN);
	assert_status(r, 201);
	SAVE(walk.doc_completion, rstr(r, "id"));
	ck_assert_str_eq(rstr(r, "sha256"), sha256_hex(MINI_PDF, MINI_PDF_LEN));
	r = call(PD_A, "POST", fmt("/api/v1/requests/%s/completion", id),
		 fmt("{\"notes\":{\"role_pengguna\":\"Tiga role: operator, verifikator, admin.\"},"
		     "\"document_ids\":[\"%s\"]}",
		     walk.doc_completion));
	assert_status(r, 201);
	ck_assert_str_eq(rstr(r, "discussion_id"), walk.awal1);
	expect_request(id, "in_discussion", "awal", 4);

	/* step 4, second round: complete, with the dokumen awal as output */
	r = upload(TIM1, id, "dokumen_awal", "dokumen-awal.pdf", "application/pdf", MINI_PDF, MINI_PDF_LEN);
	assert_status(r, 201);
	SAVE(walk.doc_awal, rstr(r, "id"));
	r = record(TIM1, id,
		   fmt("{\"phase\":\"awal\",\"held_at\":\"2025-03-18T10:00:00+08:00\",\"online_link\":"
		       "\"https://meet.example/awal-2\",\"attendees\":[{\"user_id\":\"%s\"},{\"user_id\":\"%s\"}],"
		       "\"checklist\":%s,\"output_document_id\":\"%s\"}",
		       P[TIM1].id, P[KASI].id, checklist(NULL, "proses_bisnis_terkait"), walk.doc_awal));
	assert_status(r, 201);
	SAVE(walk.awal2, rstr(r, "id"));
	ck_assert_int_eq(rint(r, "round"), 2);
	ck_assert_str_eq(rstr(r, "output_document_id"), walk.doc_awal);
	expect_request(id, "in_discussion", "lanjutan", 5);

	/* step 5: the follow-up discussion */
	r = record(KASI, id, discussion_body("lanjutan"));
	assert_status(r, 201);
	SAVE(walk.lanjutan, rstr(r, "id"));
	expect_request(id, "in_discussion", "final", 6);

	/* step 6: the final discussion with scope and milestones */
	r = record(TIM2, id, discussion_body("final"));
	assert_status(r, 201);
	SAVE(walk.final, rstr(r, "id"));
	json_t *scope = keep(json_loads(FINAL_SCOPE, 0, NULL)), *ms = keep(json_loads(FINAL_MILESTONES, 0, NULL));
	ck_assert_msg(json_equal(json_object_get(r->json, "scope"), scope) &&
			      json_equal(json_object_get(r->json, "milestones"), ms),
		      "the final discussion did not keep scope and milestones: %s", r->body);
	expect_request(id, "agreed", NULL, 7);

	/* step 7: the kasi drafts the Berita Acara from the final agreement */
	r = call(KASI, "POST", fmt("/api/v1/requests/%s/berita-acara", id), "{}");
	assert_status(r, 201);
	SAVE(walk.ba, rstr(r, "id"));
	SAVE(walk.number, rstr(r, "number"));
	const char *ba = walk.ba;
	ck_assert_str_eq(ts_header(r, "Location"), fmt("/api/v1/berita-acara/%s", ba));
	ck_assert_msg(matches(walk.number, fmt("^050/[0-9]{3}/BA/IAI/D\\.KOMINFOS/%d$", wita_year())),
		      "number %s", walk.number);
	ck_assert_str_eq(rstr(r, "status"), "draft");
	ck_assert_str_eq(rstr(r, "request_id"), id);
	ck_assert_msg(json_is_null(json_object_get(r->json, "content_sha256")), "a draft has no content hash yet");
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "signatures")), 0);
	ck_assert_str_eq(ts_header(r, "ETag"), "\"1\"");
	struct ts_resp *fin = call(KASI, "GET", fmt("/api/v1/discussions/%s", walk.final), NULL);
	assert_status(fin, 200);
	ck_assert_msg(json_equal(json_object_get(r->json, "scope"), json_object_get(fin->json, "scope")),
		      "scope not copied from the final discussion: %s", r->body);
	ck_assert_msg(json_equal(json_object_get(r->json, "milestones"), json_object_get(fin->json, "milestones")),
		      "milestones not copied from the final discussion: %s", r->body);
	json_t *parties = json_object_get(r->json, "parties");
	json_t *kominfos = json_object_get(parties, "kominfos"), *pdp = json_object_get(parties, "perangkat_daerah");
	ck_assert_msg(kominfos && pdp, "parties: %s", r->body);
	ck_assert_str_eq(jstr(kominfos, "signatory_id"), P[KADIS].id);
	ck_assert_str_eq(jstr(kominfos, "name"), P[KADIS].full_name);
	ck_assert_str_eq(jstr(kominfos, "nip"), P[KADIS].nip);
	ck_assert_str_eq(jstr(pdp, "signatory_id"), P[SIGN_A].id);
	ck_assert_str_eq(jstr(pdp, "name"), P[SIGN_A].full_name);
	ck_assert_str_eq(jstr(pdp, "nip"), P[SIGN_A].nip);
	ck_assert_str_eq(jstr(pdp, "agency_id"), AGENCY[0]);
	ck_assert_str_eq(jstr(pdp, "organisation"), AGENCY_NAME[0]);

	/* edited while a draft, with If-Match */
	SAVE(walk.summary, "Sistem informasi rujukan pasien terpadu \u2014 12 rumah sakit daerah (Denpasar & Badung)");
	r = callh(KASI, "PATCH", fmt("/api/v1/berita-acara/%s", ba),
		  fmt("{\"scope\":{\"summary\":\"%s\",\"features\":[\"Registrasi fasilitas kesehatan\","
		      "\"Rujukan daring\",\"Laporan bulanan\",\"Notifikasi ke pasien\"]}}",
		      walk.summary),
		  "If-Match: \"1\"", NULL);
	assert_status(r, 200);
	ck_assert_int_eq(rint(r, "version"), 2);
	ck_assert_str_eq(ts_header(r, "ETag"), "\"2\"");
	ck_assert_str_eq(jstr(json_object_get(r->json, "scope"), "summary"), walk.summary);
	ck_assert_int_eq(json_array_size(json_object_get(json_object_get(r->json, "scope"), "features")), 4);

	/* sent for signature: frozen under the hash of its canonical content */
	r = call(KASI, "POST", fmt("/api/v1/berita-acara/%s/send", ba), "{}");
	assert_status(r, 200);
	ck_assert_str_eq(rstr(r, "status"), "awaiting_signatures");
	ck_assert_int_eq(rint(r, "version"), 3);
	SAVE(walk.sha256, rstr(r, "content_sha256"));
	ck_assert_msg(matches(walk.sha256, "^[0-9a-f]{64}$"), "content_sha256 '%s'", walk.sha256);
	const char *mine = ba_content_sha256(r->json);
	ck_assert_msg(strcmp(mine, walk.sha256) == 0, "content_sha256 %s, recomputed from the fields %s", walk.sha256,
		      mine);
	expect_request(id, "agreed", NULL, 7);

	/* both parties sign: the kepala dinas first, the agency's signatory last */
	const char *confirm = fmt("{\"content_sha256\":\"%s\"}", walk.sha256);
	r = callh(KADIS, "POST", fmt("/api/v1/berita-acara/%s/signatures", ba), confirm, "If-Match: \"3\"", NULL);
	assert_status(r, 201);
	ck_assert_str_eq(rstr(r, "status"), "awaiting_signatures");
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "signatures")), 1);
	/* every signature moves the ETag */
	long long v = rint(r, "version");
	ck_assert_msg(v > 3, "version %lld after the first signature", v);
	ck_assert_str_eq(ts_header(r, "ETag"), fmt("\"%lld\"", v));
	expect_request(id, "agreed", NULL, 7);
	r = callh(SIGN_A, "POST", fmt("/api/v1/berita-acara/%s/signatures", ba), confirm, fmt("If-Match: \"%lld\"", v),
		  NULL);
	assert_status(r, 201);
	ck_assert_str_eq(rstr(r, "status"), "signed");
	ck_assert_msg(rint(r, "version") > v, "version %lld after the last signature", rint(r, "version"));
	ck_assert_str_eq(ts_header(r, "ETag"), fmt("\"%lld\"", rint(r, "version")));
	ck_assert_msg(json_is_string(json_object_get(r->json, "signed_at")), "no signed_at: %s", r->body);
	json_t *sigs = json_object_get(r->json, "signatures");
	ck_assert_int_eq(json_array_size(sigs), 2);
	json_t *sk = find_item(sigs, "party", "kominfos"), *sp = find_item(sigs, "party", "perangkat_daerah");
	ck_assert_msg(sk && sp, "signatures: %s", r->body);
	ck_assert_str_eq(jstr(sk, "signer_id"), P[KADIS].id);
	ck_assert_str_eq(jstr(sp, "signer_id"), P[SIGN_A].id);
	ck_assert_str_eq(jstr(sk, "content_sha256"), walk.sha256);
	ck_assert_str_eq(jstr(sp, "content_sha256"), walk.sha256);
	ck_assert_str_eq(rstr(r, "content_sha256"), walk.sha256);
	expect_request(id, "completed", NULL, -1);

	/* read back as the PD and through the request */
	r = call(PD_A, "GET", fmt("/api/v1/requests/%s/berita-acara", id), NULL);
	assert_status(r, 200);
	ck_assert_str_eq(rstr(r, "id"), ba);
	ck_assert_str_eq(rstr(r, "status"), "signed");
	ck_assert_str_eq(ba_content_sha256(r->json), walk.sha256);
	walk.done = true;
}
END_TEST

/* Step n of the request's timeline (asserts it is there). */
static json_t *timeline_step(const char *request_id, int n)
{
	struct ts_resp *r = call(PD_A, "GET", fmt("/api/v1/requests/%s/timeline", request_id), NULL);
	assert_status(r, 200);
	ck_assert_str_eq(rstr(r, "request_id"), request_id);
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(r->json, "steps"), i, x)
		if (jint(x, "step") == n)
			return x;
	ck_abort_msg("the timeline of %s has no step %d: %s", request_id, n, r->body);
	return NULL;
}

static void need_walk(void)
{
	ck_assert_msg(walk.done, "test_walk_all_seven_steps did not finish; nothing to check");
}

START_TEST(test_timeline)
{
	need_walk();
	static const enum who by[8] = {0, PD_A, KADIS, KABID, TIM1, KASI, TIM2, SIGN_A};
	for (int n = 1; n <= 7; n++) {
		json_t *s = timeline_step(walk.request, n);
		ck_assert_msg(json_is_string(json_object_get(s, "started_at")), "step %d has no started_at", n);
		ck_assert_msg(json_is_string(json_object_get(s, "completed_at")), "step %d is not completed", n);
		ck_assert_str_eq(jstr(s, "closed_reason"), "completed");
		ck_assert_msg(strcmp(jstr(s, "completed_by"), P[by[n]].id) == 0,
			      "step %d completed by %s, expected %s (%s)", n, jstr(s, "completed_by"), P[by[n]].id,
			      P[by[n]].username);
	}
	struct ts_resp *r = call(PD_A, "GET", fmt("/api/v1/requests/%s/timeline", walk.request), NULL);
	assert_status(r, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "steps")), 7);
}
END_TEST

START_TEST(test_audit_trail)
{
	need_walk();
	json_t *actions = audit_actions(walk.request);
	static const char *const expected[] = {
		"request.create", "document.upload", "document.upload", "request.submit", "request.register", "request.dispose", "disposition.read",
		"request.derive", "request.record_awal_incomplete", "document.upload", "request.pd_complete",
		"document.upload", "request.record_awal", "request.record_lanjutan", "request.record_final",
		"berita_acara.create", "berita_acara.update", "berita_acara.send", "berita_acara.sign",
		"berita_acara.sign", "request.sign_ba_complete",
	};
	const char *all = jdump(actions);
	size_t at = 0, n = json_array_size(actions);
	for (size_t k = 0; k < sizeof expected / sizeof expected[0]; k++) {
		while (at < n && strcmp(json_string_value(json_array_get(actions, at)), expected[k]) != 0)
			at++;
		ck_assert_msg(at < n, "the audit trail lacks %s (in this order): %s", expected[k], all);
		at++;
	}
	ck_assert_msg(count_action(actions, "berita_acara.sign") == 2, "berita_acara.sign rows: %s", all);
	ck_assert_msg(count_action(actions, "request.sign_ba_complete") == 1, "sign_ba_complete rows: %s", all);
	/* the letter and business process before submitting, then two in the discussions */
	ck_assert_msg(count_action(actions, "document.upload") == 4, "document.upload rows: %s", all);
	ck_assert_msg(count_action(actions, "request.record_awal") == 1, "record_awal rows: %s", all);
	/* the audit rows name who acted */
	struct ts_resp *r = call(KASI, "GET", fmt("/api/v1/requests/%s/audit?limit=200", walk.request), NULL);
	assert_status(r, 200);
	size_t i;
	json_t *row;
	json_array_foreach(json_object_get(r->json, "items"), i, row) {
		const char *a = jstr(row, "action");
		if (strcmp(a, "request.sign_ba_complete") == 0) {
			ck_assert_str_eq(jstr(row, "actor_id"), P[SIGN_A].id);
			ck_assert_str_eq(jstr(row, "actor_role"), "pd");
		}
		if (strcmp(a, "request.pd_complete") == 0)
			ck_assert_str_eq(jstr(row, "actor_id"), P[PD_A].id);
		if (strcmp(a, "berita_acara.create") == 0)
			ck_assert_str_eq(jstr(row, "actor_id"), P[KASI].id);
	}
}
END_TEST

START_TEST(test_completions_and_discussions)
{
	need_walk();
	struct ts_resp *r = call(PD_A, "GET", fmt("/api/v1/requests/%s/completions", walk.request), NULL);
	assert_status(r, 200);
	json_t *items = json_object_get(r->json, "items");
	ck_assert_int_eq(json_array_size(items), 1);
	json_t *k = json_array_get(items, 0);
	ck_assert_str_eq(jstr(k, "discussion_id"), walk.awal1);
	ck_assert_str_eq(jstr(k, "submitted_by"), P[PD_A].id);
	ck_assert_str_eq(jstr(json_object_get(k, "notes"), "role_pengguna"), "Tiga role: operator, verifikator, admin.");
	json_t *docs = json_object_get(k, "document_ids");
	ck_assert_int_eq(json_array_size(docs), 1);
	ck_assert_str_eq(json_string_value(json_array_get(docs, 0)), walk.doc_completion);

	r = call(PD_A, "GET", fmt("/api/v1/requests/%s/discussions", walk.request), NULL);
	assert_status(r, 200);
	items = json_object_get(r->json, "items");
	ck_assert_msg(json_array_size(items) == 4, "%zu discussions: %s", json_array_size(items), r->body);
	static const char *const phases[4] = {"awal", "awal", "lanjutan", "final"};
	static const int rounds[4] = {1, 2, 1, 1};
	const char *ids[4] = {walk.awal1, walk.awal2, walk.lanjutan, walk.final};
	for (size_t i = 0; i < 4; i++) {
		json_t *d = json_array_get(items, i);
		ck_assert_str_eq(jstr(d, "id"), ids[i]);
		ck_assert_str_eq(jstr(d, "phase"), phases[i]);
		ck_assert_int_eq(jint(d, "round"), rounds[i]);
	}
	ck_assert_msg(json_is_null(json_object_get(json_array_get(items, 2), "checklist")),
		      "only the initial discussion has the checklist");
	ck_assert_msg(json_is_object(json_object_get(json_array_get(items, 3), "scope")), "the final one has the scope");
}
END_TEST

/* Runs a command line; its exit status. */
static int run(const char *cmd)
{
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot read %s", path);
	static char buf[1 << 18];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* Collapses every run of whitespace to one space, in place. */
static void squeeze(char *s)
{
	char *w = s;
	for (const char *r = s; *r; r++) {
		bool space = *r == ' ' || *r == '\n' || *r == '\t' || *r == '\r' || *r == '\f';
		if (!space)
			*w++ = *r;
		else if (w > s && w[-1] != ' ')
			*w++ = ' ';
	}
	*w = '\0';
}

START_TEST(test_pdf)
{
	need_walk();
	struct ts_resp *r = call(PD_A, "GET", fmt("/api/v1/berita-acara/%s/pdf", walk.ba), NULL);
	assert_status(r, 200);
	ck_assert_msg(strncmp(r->content_type, "application/pdf", 15) == 0, "Content-Type %s", r->content_type);
	ck_assert_msg(r->len > 1000 && memcmp(r->body, "%PDF-", 5) == 0, "not a PDF (%zu bytes)", r->len);
	/* into the build folder (the test's working directory), then poppler */
	const char *pdf = fmt("lifecycle-berita-acara-%d.pdf", (int)getpid());
	const char *txt = fmt("lifecycle-berita-acara-%d.txt", (int)getpid());
	const char *info = fmt("lifecycle-berita-acara-%d.info", (int)getpid());
	FILE *f = fopen(pdf, "wb");
	ck_assert_msg(f != NULL, "cannot write %s", pdf);
	ck_assert_uint_eq(fwrite(r->body, 1, r->len, f), r->len);
	fclose(f);
	ck_assert_msg(run(fmt("pdfinfo %s > %s 2>&1", pdf, info)) == 0, "pdfinfo refused the PDF: %s", slurp(info));
	const char *pages = strstr(slurp(info), "Pages:");
	ck_assert_msg(pages && atoi(pages + 6) >= 1, "pdfinfo: %s", slurp(info));
	ck_assert_msg(run(fmt("pdftotext -layout %s %s", pdf, txt)) == 0, "pdftotext failed");
	/* lines wrap where the layout wants: compare with whitespace runs as one space */
	char *text = slurp(txt);
	squeeze(text);
	const char *want[] = {
		walk.number, walk.summary, "Sistem Rujukan Terpadu", AGENCY_NAME[0], "Rujukan daring",
		"Pengembangan modul inti", P[KADIS].full_name, P[SIGN_A].full_name, P[KADIS].nip, P[SIGN_A].nip,
		walk.sha256,
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		ck_assert_msg(strstr(text, want[i]) != NULL, "the PDF text lacks \"%s\":\n%s", want[i], text);
	/* both signatures are shown as made */
	int signed_marks = 0;
	for (const char *p = text; (p = strstr(p, "Ditandatangani secara elektronik")); p++)
		signed_marks++;
	ck_assert_msg(signed_marks == 2, "%d signature marks in:\n%s", signed_marks, text);
	ck_assert_msg(!strstr(text, "Belum ditandatangani"), "an unsigned party in:\n%s", text);
	remove(pdf);
	remove(txt);
	remove(info);
}
END_TEST

START_TEST(test_surat_tugas)
{
	struct flow f = drive(PD_A, "Integrasi Pajak Kendaraan", AT_AGREED);
	const char *members = fmt("[\"%s\",\"%s\"]", P[TIM1].id, P[TIM2].id);
	struct ts_resp *r = call(KADIS, "POST", fmt("/api/v1/requests/%s/surat-tugas", f.request),
				 fmt("{\"member_ids\":%s,\"purpose\":\"Membangun aplikasi sesuai kesepakatan.\"}", members));
	assert_status(r, 201);
	const char *st = fmt("%s", rstr(r, "id"));
	ck_assert_str_eq(ts_header(r, "Location"), fmt("/api/v1/surat-tugas/%s", st));
	ck_assert_msg(matches(rstr(r, "number"), fmt("^800/[0-9]{3}/ST/D\\.KOMINFOS/%d$", wita_year())), "number %s",
		      rstr(r, "number"));
	json_t *ids = json_object_get(r->json, "member_ids");
	ck_assert_int_eq(json_array_size(ids), 2);
	ck_assert_str_eq(json_string_value(json_array_get(ids, 0)), P[TIM1].id);
	ck_assert_str_eq(json_string_value(json_array_get(ids, 1)), P[TIM2].id);
	ck_assert_str_eq(rstr(r, "request_id"), f.request);
	json_t *issued = keep(json_deep_copy(r->json));

	/* the request is completed, step 7 by the kepala dinas */
	json_t *req = expect_request(f.request, "completed", NULL, -1);
	long long version = jint(req, "version");
	json_t *s7 = timeline_step(f.request, 7);
	ck_assert_msg(json_is_string(json_object_get(s7, "completed_at")), "step 7 is not completed");
	ck_assert_str_eq(jstr(s7, "completed_by"), P[KADIS].id);

	/* read back, by the PD too */
	r = call(PD_A, "GET", fmt("/api/v1/surat-tugas/%s", st), NULL);
	assert_status(r, 200);
	ck_assert_msg(json_equal(r->json, issued), "GET differs from what was issued: %s", r->body);

	/* a second one on the completed request: allowed, no state change */
	r = call(KADIS, "POST", fmt("/api/v1/requests/%s/surat-tugas", f.request),
		 fmt("{\"member_ids\":[\"%s\"],\"purpose\":\"Pendampingan uji coba.\"}", P[TIM2].id));
	assert_status(r, 201);
	ck_assert_str_ne(rstr(r, "number"), "");
	req = expect_request(f.request, "completed", NULL, -1);
	ck_assert_int_eq(jint(req, "version"), version);
	r = call(PD_A, "GET", fmt("/api/v1/requests/%s/surat-tugas", f.request), NULL);
	assert_status(r, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 2);
	json_t *actions = audit_actions(f.request);
	ck_assert_int_eq(count_action(actions, "request.issue_st"), 1);

	/* "and/or": the completed request still gets its Berita Acara, signed
	 * without completing step 7 again */
	r = call(KASI, "POST", fmt("/api/v1/requests/%s/berita-acara", f.request), "{}");
	assert_status(r, 201);
	const char *ba = fmt("%s", rstr(r, "id"));
	r = call(KASI, "POST", fmt("/api/v1/berita-acara/%s/send", ba), "{}");
	assert_status(r, 200);
	const char *confirm = fmt("{\"content_sha256\":\"%s\"}", rstr(r, "content_sha256"));
	assert_status(call(SIGN_A, "POST", fmt("/api/v1/berita-acara/%s/signatures", ba), confirm), 201);
	r = call(KADIS, "POST", fmt("/api/v1/berita-acara/%s/signatures", ba), confirm);
	assert_status(r, 201);
	ck_assert_str_eq(rstr(r, "status"), "signed");
	req = expect_request(f.request, "completed", NULL, -1);
	ck_assert_int_eq(jint(req, "version"), version);
	ck_assert_str_eq(jstr(timeline_step(f.request, 7), "completed_by"), P[KADIS].id);
	actions = audit_actions(f.request);
	ck_assert_int_eq(count_action(actions, "request.issue_st"), 1);
	ck_assert_int_eq(count_action(actions, "request.sign_ba_complete"), 0);
	ck_assert_int_eq(count_action(actions, "berita_acara.sign"), 2);

	/* a member who is not tim_spbe; the kasi issuing */
	struct flow g = drive(PD_A, "Portal Data Terbuka", AT_AGREED);
	r = call(KADIS, "POST", fmt("/api/v1/requests/%s/surat-tugas", g.request),
		 fmt("{\"member_ids\":[\"%s\",\"%s\"],\"purpose\":\"Tugas.\"}", P[TIM1].id, P[KASI].id));
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(field_error(r, "member_ids"), "errors: %s", error_fields(r));
	r = call(KASI, "POST", fmt("/api/v1/requests/%s/surat-tugas", g.request),
		 fmt("{\"member_ids\":%s,\"purpose\":\"Tugas.\"}", members));
	assert_problem(r, 403, "auth.forbidden");
	ck_assert_str_eq(status_of(g.request), "agreed");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lifecycle");
	TCase *tc = s47_tcase("lifecycle", up);
	tcase_add_test(tc, test_walk_all_seven_steps);
	tcase_add_test(tc, test_timeline);
	tcase_add_test(tc, test_audit_trail);
	tcase_add_test(tc, test_completions_and_discussions);
	tcase_add_test(tc, test_pdf);
	tcase_add_test(tc, test_surat_tugas);
	s47_add_clean_stop(tc);
	suite_add_tcase(s, tc);
	return s47_main(s);
}
