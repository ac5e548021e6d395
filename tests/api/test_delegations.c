/* test_delegations.c — acting officials (Plh, Plt) against the real daemon:
 * delegations created, read and revoked; a Plh of the Kepala Dinas who
 * disposes and signs while the Kepala Dinas is away, with the audit trail,
 * the events and the PDF saying so; the same Plh refused once the period
 * ended and right after revocation; a Plt of a vacant Kepala PD post signing
 * for the agency; a signatory who leaves between the two signatures; one
 * person never signing for both parties; a delegate who drafted the Berita
 * Acara; the overlap rule; bad input.
 *
 * Dates are relative to today in the calendar's zone (Asia/Makassar, UTC+8,
 * no daylight saving): "after the period" is a delegation that ended
 * yesterday, so no test depends on the hour it runs at.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/api/steps47.h"

/* A Kabid of another field, appointed Plh of the Kepala Dinas. */
static struct actor plh = {"plh.kadis", "kabid_iai", "Dr. I Nyoman Sudarsana", "197604042001121005", -1, false, "",
			   ""};

static void up(void)
{
	s47_up("delegations");
	s47_add_user(&plh);
}

/* Today + offset days in Asia/Makassar, YYYY-MM-DD. */
static const char *day(int offset)
{
	time_t t = time(NULL) + 8 * 3600 + (time_t)offset * 86400;
	struct tm tm;
	gmtime_r(&t, &tm);
	return fmt("%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static const char *body(const char *kind, const char *position, const char *agency, const char *principal,
			const char *delegate, const char *acts, int from, int to)
{
	return fmt("{\"kind\":\"%s\",\"position\":\"%s\",\"agency_id\":%s,\"principal_id\":%s,\"delegate_id\":\"%s\","
		   "\"acts\":%s,\"starts_on\":\"%s\",\"ends_on\":\"%s\",\"letter_number\":\"800/%d/BKPSDM/2026\","
		   "\"letter_date\":\"%s\"}",
		   kind, position, agency ? fmt("\"%s\"", agency) : "null", principal ? fmt("\"%s\"", principal) : "null",
		   delegate, acts, day(from), day(to), 100 + from + to, day(from - 1));
}

static const char *header(const char *delegation)
{
	return fmt("Delegation-Id: %s", delegation);
}

static const char *path_ba(const char *ba, const char *tail)
{
	return fmt("/api/v1/berita-acara/%s%s", ba, tail);
}

static const char *confirm(const char *sha)
{
	return fmt("{\"content_sha256\":\"%s\"}", sha);
}

/* A new request of agency A, registered: awaiting the disposition. */
static const char *awaiting_disposition(const char *title)
{
	struct ts_resp *r = call(PD_A, "POST", "/api/v1/requests",
				 fmt("{\"kind\":\"pengembangan\",\"title\":\"%s\",\"description\":\"Permohonan %s\"}",
				     title, title));
	assert_status(r, 201);
	char id[64];
	snprintf(id, sizeof id, "%s", rstr(r, "id"));
	attach_submission_documents(PD_A, id);
	assert_status(call(PD_A, "POST", fmt("/api/v1/requests/%s/submit", id), NULL), 200);
	assert_status(call(SEKRETARIAT, "POST", fmt("/api/v1/requests/%s/register", id), NULL), 200);
	return fmt("%s", id);
}

static const char *dispose_body(void)
{
	return fmt("{\"to_user_ids\":[\"%s\"],\"instruction_kind\":\"tindak_lanjuti\",\"instruction\":\"Tindak lanjuti.\"}",
		   P[KABID].id);
}

/* The first audit row of the request with action, or NULL (kept). */
static json_t *audit_row(const char *request, const char *action)
{
	struct ts_resp *r = call(KASI, "GET", fmt("/api/v1/requests/%s/audit?limit=200", request), NULL);
	assert_status(r, 200);
	size_t i;
	json_t *row;
	json_array_foreach(json_object_get(r->json, "items"), i, row)
		if (strcmp(jstr(row, "action"), action) == 0)
			return keep(json_incref(row));
	return NULL;
}

/* The event of type whose subject is subject, read from the feed as the
 * admin; waits (bounded, 10 s) for the feed to show it. */
static json_t *event_of(const char *type, const char *subject, const char *request)
{
	for (long long until = ts_now_ms() + 10000; ts_now_ms() < until; ts_nap_ms(50)) {
		const char *path = request ? fmt("/api/v1/events?type=%s&request_id=%s&limit=200", type, request)
					   : fmt("/api/v1/events?type=%s&limit=200", type);
		struct ts_resp *r = call(ADMIN, "GET", path, NULL);
		assert_status(r, 200);
		size_t i;
		json_t *ev;
		json_array_foreach(json_object_get(r->json, "items"), i, ev)
			if (strcmp(jstr(ev, "subject"), subject) == 0)
				return keep(json_incref(ev));
	}
	return NULL;
}

static int run(const char *cmd)
{
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The text of a Berita Acara's PDF, whitespace runs squeezed to one space. */
static const char *pdf_text(const char *ba)
{
	struct ts_resp *r = call(KASI, "GET", path_ba(ba, "/pdf"), NULL);
	assert_status(r, 200);
	const char *pdf = fmt("delegations-%d.pdf", (int)getpid()), *txt = fmt("delegations-%d.txt", (int)getpid());
	FILE *f = fopen(pdf, "wb");
	ck_assert_msg(f != NULL, "cannot write %s", pdf);
	ck_assert_uint_eq(fwrite(r->body, 1, r->len, f), r->len);
	fclose(f);
	ck_assert_msg(run(fmt("pdftotext -layout %s %s", pdf, txt)) == 0, "pdftotext failed");
	static char buf[1 << 17];
	f = fopen(txt, "rb");
	ck_assert_msg(f != NULL, "cannot read %s", txt);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *w = buf;
	for (const char *p = buf; *p; p++) {
		bool space = *p == ' ' || *p == '\n' || *p == '\t' || *p == '\r' || *p == '\f';
		if (!space)
			*w++ = *p;
		else if (w > buf && w[-1] != ' ')
			*w++ = ' ';
	}
	*w = '\0';
	return buf;
}

/* Brings a new request of agency A from registration through a disposition
 * by who (with header h, or NULL) to a Berita Acara awaiting signatures;
 * fills ba and sha. */
static void to_signatures(const char *request, const char *disposition, char ba[40], char sha[65])
{
	struct ts_resp *r = call(KABID, "POST", fmt("/api/v1/requests/%s/dispositions", request),
				 fmt("{\"to_user_ids\":[\"%s\"],\"instruction_kind\":\"koordinasikan\","
				     "\"instruction\":\"Bahas.\",\"parent_id\":\"%s\"}",
				     P[KASI].id, disposition));
	assert_status(r, 201);
	assert_status(record(KASI, request, discussion_body("awal")), 201);
	assert_status(record(TIM1, request, discussion_body("lanjutan")), 201);
	assert_status(record(KASI, request, discussion_body("final")), 201);
	r = call(KASI, "POST", fmt("/api/v1/requests/%s/berita-acara", request), "{}");
	assert_status(r, 201);
	snprintf(ba, 40, "%s", rstr(r, "id"));
	r = call(KASI, "POST", path_ba(ba, "/send"), "{}");
	assert_status(r, 200);
	snprintf(sha, 65, "%s", rstr(r, "content_sha256"));
}

/* The Kepala Dinas is on leave: his Plh disposes and signs; the record, the
 * audit rows, the events, the queue and the PDF say who acted for whom.
 * Revoked, the Plh is refused at once and nothing is written. */
START_TEST(test_plh_of_the_kepala_dinas)
{
	struct ts_resp *r = call(ADMIN, "POST", "/api/v1/delegations",
				 body("plh", "kepala_dinas", NULL, P[KADIS].id, plh.id, "[\"dispose\",\"sign_ba\"]", 0, 2));
	assert_status(r, 201);
	char d[64];
	snprintf(d, sizeof d, "%s", rstr(r, "id"));
	ck_assert_str_eq(rstr(r, "status"), "active");
	ck_assert_str_eq(rstr(r, "principal_id"), P[KADIS].id);
	ck_assert_str_eq(ts_header(r, "Location"), fmt("/api/v1/delegations/%s", d));
	json_t *ev = event_of("delegation.created", d, NULL);
	ck_assert_msg(ev != NULL, "no delegation.created event for %s", d);
	ck_assert_str_eq(jstr(json_object_get(ev, "data"), "delegate_id"), plh.id);
	ck_assert_str_eq(jstr(ev, "source"), "/api/v1/delegations");

	/* who sees it */
	assert_status(call_as(&plh, "GET", fmt("/api/v1/delegations/%s", d), NULL), 200);
	assert_status(call(KADIS, "GET", fmt("/api/v1/delegations/%s", d), NULL), 200);
	assert_problem(call(KASI, "GET", fmt("/api/v1/delegations/%s", d), NULL), 404, "delegation.not_found");
	assert_problem(call(PD_B, "GET", fmt("/api/v1/delegations/%s", d), NULL), 404, "delegation.not_found");

	char req[64];
	snprintf(req, sizeof req, "%s", awaiting_disposition("Aplikasi Plh Kepala Dinas"));
	/* the queue shows the Plh what waits on the Kepala Dinas */
	r = call_as(&plh, "GET", "/api/v1/me/queue", NULL);
	assert_status(r, 200);
	bool queued = false;
	size_t i, k;
	json_t *g, *it;
	json_array_foreach(json_object_get(r->json, "groups"), i, g)
		if (strcmp(jstr(g, "kind"), "to_dispose") == 0)
			json_array_foreach(json_object_get(g, "items"), k, it)
				queued |= strcmp(jstr(json_object_get(it, "request"), "request_id"), req) == 0 &&
					  strcmp(jstr(it, "delegation_id"), d) == 0;
	ck_assert_msg(queued, "the Plh's queue lacks the request to dispose: %s", jdump(r->json));
	/* it offers what the delegation lends (dispose), not what it does not (reject) */
	ck_assert_msg(strstr(jdump(r->json), "\"reject\"") == NULL, "the Plh is offered reject: %s", jdump(r->json));

	/* as himself he may not dispose; as the Plh he does */
	r = call_as(&plh, "POST", fmt("/api/v1/requests/%s/dispositions", req), dispose_body());
	ck_assert_int_eq(r->status, 403);
	r = call_ash(&plh, "POST", fmt("/api/v1/requests/%s/dispositions", req), dispose_body(), header(d), NULL);
	assert_status(r, 201);
	char disp[64];
	snprintf(disp, sizeof disp, "%s", rstr(r, "id"));
	ck_assert_str_eq(rstr(r, "delegation_id"), d);
	ck_assert_str_eq(rstr(r, "from_user_id"), plh.id);
	ck_assert_str_eq(jstr(json_object_get(r->json, "acting_for"), "position"), "kepala_dinas");
	ck_assert_str_eq(jstr(json_object_get(r->json, "acting_for"), "user_id"), P[KADIS].id);
	json_t *row = audit_row(req, "request.dispose");
	ck_assert_msg(row != NULL, "no request.dispose audit row");
	ck_assert_str_eq(jstr(row, "actor_id"), plh.id);
	json_t *after = json_object_get(row, "after");
	ck_assert_str_eq(jstr(after, "delegation_id"), d);
	ck_assert_str_eq(jstr(json_object_get(after, "acting_for"), "user_id"), P[KADIS].id);
	ev = event_of("request.disposed", req, req);
	ck_assert_msg(ev != NULL, "no request.disposed event");
	json_t *data = json_object_get(ev, "data");
	ck_assert_str_eq(jstr(data, "delegation_id"), d);
	ck_assert_str_eq(jstr(json_object_get(data, "acting_for"), "position"), "kepala_dinas");
	ck_assert_str_eq(jstr(json_object_get(data, "actor"), "id"), plh.id);

	char ba[40], sha[65];
	to_signatures(req, disp, ba, sha);
	/* signing as himself is refused; as the Plh it counts for Kominfos */
	assert_problem(call_as(&plh, "POST", path_ba(ba, "/signatures"), confirm(sha)), 403, "auth.forbidden");
	r = call_ash(&plh, "POST", path_ba(ba, "/signatures"), confirm(sha), header(d), NULL);
	assert_status(r, 201);
	json_t *sig = json_array_get(json_object_get(r->json, "signatures"), 0);
	ck_assert_str_eq(jstr(sig, "party"), "kominfos");
	ck_assert_str_eq(jstr(sig, "signer_id"), plh.id);
	ck_assert_str_eq(jstr(sig, "delegation_id"), d);
	ck_assert_str_eq(jstr(json_object_get(sig, "acting_for"), "kind"), "plh");
	r = call(SIGN_A, "POST", path_ba(ba, "/signatures"), confirm(sha));
	assert_status(r, 201);
	ck_assert_str_eq(rstr(r, "status"), "signed");
	ck_assert_str_eq(status_of(req), "completed");
	row = audit_row(req, "berita_acara.sign");
	ck_assert_msg(row != NULL, "no berita_acara.sign audit row");
	ck_assert_str_eq(jstr(json_object_get(row, "after"), "delegation_id"), d);
	const char *text = pdf_text(ba);
	const char *want[] = {"Plh. Kepala Dinas Komunikasi, Informatika", plh.full_name, plh.nip,
			      P[SIGN_A].full_name};
	for (size_t w = 0; w < sizeof want / sizeof want[0]; w++)
		ck_assert_msg(strstr(text, want[w]) != NULL, "the PDF text lacks \"%s\":\n%s", want[w], text);
	ck_assert_msg(strstr(text, P[KADIS].full_name) == NULL, "the PDF names the absent Kepala Dinas:\n%s", text);

	/* revoked by the Kepala Dinas: refused right after, nothing written */
	char req2[64];
	snprintf(req2, sizeof req2, "%s", awaiting_disposition("Aplikasi Setelah Pencabutan"));
	assert_problem(call_as(&plh, "DELETE", fmt("/api/v1/delegations/%s", d), NULL), 403, "delegation.not_yours");
	r = call(KADIS, "DELETE", fmt("/api/v1/delegations/%s", d), "{\"reason\":\"Kembali dari cuti.\"}");
	assert_status(r, 200);
	ck_assert_str_eq(rstr(r, "status"), "revoked");
	ck_assert_str_eq(rstr(r, "revoked_by"), P[KADIS].id);
	r = call_ash(&plh, "POST", fmt("/api/v1/requests/%s/dispositions", req2), dispose_body(), header(d), NULL);
	assert_problem(r, 403, "delegation.revoked");
	ck_assert_str_eq(status_of(req2), "awaiting_disposition");
	r = call(KASI, "GET", fmt("/api/v1/requests/%s/dispositions", req2), NULL);
	assert_status(r, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(r->json, "items")), 0);
	assert_problem(call(KADIS, "DELETE", fmt("/api/v1/delegations/%s", d), NULL), 409, "delegation.revoked");
	ev = event_of("delegation.revoked", d, NULL);
	ck_assert_msg(ev != NULL, "no delegation.revoked event for %s", d);
	/* the Kepala Dinas is back */
	assert_status(call(KADIS, "POST", fmt("/api/v1/requests/%s/dispositions", req2), dispose_body()), 201);
}
END_TEST

/* The day after the period ends (a delegation that ended yesterday) and
 * before it starts: refused with their codes, nothing written. */
START_TEST(test_outside_the_period)
{
	struct ts_resp *r = call(ADMIN, "POST", "/api/v1/delegations",
				 body("plh", "kepala_dinas", NULL, P[KADIS].id, plh.id, "[\"dispose\"]", -3, -1));
	assert_status(r, 201);
	ck_assert_str_eq(rstr(r, "status"), "expired");
	char ended[64];
	snprintf(ended, sizeof ended, "%s", rstr(r, "id"));
	r = call(ADMIN, "POST", "/api/v1/delegations",
		 body("plh", "kepala_dinas", NULL, P[KADIS].id, plh.id, "[\"dispose\"]", 5, 6));
	assert_status(r, 201);
	ck_assert_str_eq(rstr(r, "status"), "scheduled");
	char later[64];
	snprintf(later, sizeof later, "%s", rstr(r, "id"));
	char req[64];
	snprintf(req, sizeof req, "%s", awaiting_disposition("Aplikasi Masa Tugas"));
	r = call_ash(&plh, "POST", fmt("/api/v1/requests/%s/dispositions", req), dispose_body(), header(ended), NULL);
	assert_problem(r, 403, "delegation.expired");
	r = call_ash(&plh, "POST", fmt("/api/v1/requests/%s/dispositions", req), dispose_body(), header(later), NULL);
	assert_problem(r, 403, "delegation.not_started");
	ck_assert_str_eq(status_of(req), "awaiting_disposition");
	/* nor does an expired delegation fill the queue */
	r = call_as(&plh, "GET", "/api/v1/me/queue", NULL);
	assert_status(r, 200);
	ck_assert_msg(strstr(jdump(r->json), req) == NULL, "an expired Plh's queue shows %s", req);
	assert_status(call(ADMIN, "DELETE", fmt("/api/v1/delegations/%s", later), NULL), 200);
}
END_TEST

/* The Kepala PD's post is vacant: a Plt signs for the agency. */
START_TEST(test_plt_of_the_kepala_pd)
{
	struct flow f = drive(PD_A, "Aplikasi Plt Kepala PD", AT_BA_SENT);
	assert_status(call(KADIS, "POST", path_ba(f.ba, "/signatures"), confirm(f.sha256)), 201);
	const char *user = fmt("/api/v1/users/%s", P[SIGN_A].id);
	assert_status(call(ADMIN, "PATCH", user, "{\"is_signatory\":false}"), 200);
	struct ts_resp *r = call(ADMIN, "POST", "/api/v1/delegations",
				 body("plt", "kepala_pd", AGENCY[0], NULL, P[PD_A].id, "[\"sign_ba\"]", 0, 30));
	assert_status(r, 201);
	char d[64];
	snprintf(d, sizeof d, "%s", rstr(r, "id"));
	ck_assert(json_is_null(json_object_get(r->json, "principal_id")));
	/* as herself she does not sign; as the Plt she does */
	assert_problem(call(PD_A, "POST", path_ba(f.ba, "/signatures"), confirm(f.sha256)), 403,
		       "berita_acara.not_signatory");
	r = callh(PD_A, "POST", path_ba(f.ba, "/signatures"), confirm(f.sha256), header(d), NULL);
	assert_status(r, 201);
	ck_assert_str_eq(rstr(r, "status"), "signed");
	ck_assert_str_eq(status_of(f.request), "completed");
	const char *text = pdf_text(f.ba);
	ck_assert_msg(strstr(text, "Plt. Kepala Perangkat Daerah") != NULL, "no Plt. signature block:\n%s", text);
	ck_assert_msg(strstr(text, P[PD_A].full_name) != NULL, "the PDF lacks the Plt's name:\n%s", text);
	/* the Plt acts for agency A only: agency B's Berita Acara is not hers */
	struct flow g = drive(PD_B, "Aplikasi Agensi Lain", AT_BA_SENT);
	r = callh(PD_A, "POST", path_ba(g.ba, "/signatures"), confirm(g.sha256), header(d), NULL);
	assert_problem(r, 404, "berita_acara.not_found");
	assert_status(call(ADMIN, "DELETE", fmt("/api/v1/delegations/%s", d), NULL), 200);
	assert_status(call(ADMIN, "PATCH", user, "{\"is_signatory\":true}"), 200);
}
END_TEST

/* A Plh of the Kepala Dinas (lending sign_ba from today for ends_in days) is
 * refused the signature with code; when pd_signs_first the agency's
 * signatory signed first. The signatures stay as they were. */
static void refused_as_plh(const char *title, enum who delegate, int ends_in, bool pd_signs_first, const char *code)
{
	struct flow f = drive(PD_A, title, AT_BA_SENT);
	if (pd_signs_first)
		assert_status(call(SIGN_A, "POST", path_ba(f.ba, "/signatures"), confirm(f.sha256)), 201);
	struct ts_resp *r = call(ADMIN, "POST", "/api/v1/delegations",
				 body("plh", "kepala_dinas", NULL, P[KADIS].id, P[delegate].id, "[\"sign_ba\"]", 0, ends_in));
	assert_status(r, 201);
	char d[64];
	snprintf(d, sizeof d, "%s", rstr(r, "id"));
	r = callh(delegate, "POST", path_ba(f.ba, "/signatures"), confirm(f.sha256), header(d), NULL);
	assert_problem(r, 403, code);
	r = call(KASI, "GET", path_ba(f.ba, ""), NULL);
	ck_assert_uint_eq(json_array_size(json_object_get(r->json, "signatures")), pd_signs_first ? 1 : 0);
	assert_status(call(ADMIN, "DELETE", fmt("/api/v1/delegations/%s", d), NULL), 200);
}

/* One person never signs for both parties, even as a Plh. */
START_TEST(test_one_person_one_party)
{
	refused_as_plh("Aplikasi Satu Pihak", SIGN_A, 0, true, "berita_acara.same_person");
}
END_TEST

/* A delegate does not sign what they drafted (ALURD_DELEGATE_SIGNS_OWN_DRAFT
 * unset: forbidden). */
START_TEST(test_delegate_drafted_it)
{
	refused_as_plh("Aplikasi Konsep Sendiri", KASI, 1, false, "berita_acara.drafted_by_delegate");
}
END_TEST

/* A signatory who leaves the post between the two signatures: the Berita
 * Acara stays signable by the successor, the first signature kept. */
START_TEST(test_signatory_leaves_between_signatures)
{
	static struct actor successor = {"kepala.beta2", "pd", "Dra. Ni Made Suartini", "197901012006042001", 1, true,
					 "", ""};
	struct flow f = drive(PD_B, "Aplikasi Pergantian Pejabat", AT_BA_SENT);
	assert_status(call(KADIS, "POST", path_ba(f.ba, "/signatures"), confirm(f.sha256)), 201);
	assert_status(call(ADMIN, "PATCH", fmt("/api/v1/users/%s", P[SIGN_B].id), "{\"active\":false}"), 200);
	/* vacant: the agency's other user does not sign */
	assert_problem(call(PD_B, "POST", path_ba(f.ba, "/signatures"), confirm(f.sha256)), 403,
		       "berita_acara.not_signatory");
	s47_add_user(&successor);
	struct ts_resp *r = call_as(&successor, "POST", path_ba(f.ba, "/signatures"), confirm(f.sha256));
	assert_status(r, 201);
	ck_assert_str_eq(rstr(r, "status"), "signed");
	json_t *sigs = json_object_get(r->json, "signatures");
	ck_assert_uint_eq(json_array_size(sigs), 2);
	ck_assert_str_eq(jstr(json_array_get(sigs, 0), "signer_id"), P[KADIS].id);
	ck_assert_str_eq(jstr(json_array_get(sigs, 1), "signer_id"), successor.id);
	ck_assert_str_eq(rstr(r, "content_sha256"), f.sha256);
	ck_assert_str_eq(status_of(f.request), "completed");
}
END_TEST

/* The overlap rule: the same act of the same position on a shared day is
 * refused; another act, or another period, is not. */
START_TEST(test_overlapping_delegations)
{
	struct ts_resp *r = call(ADMIN, "POST", "/api/v1/delegations",
				 body("plh", "kabid_iai", NULL, P[KABID].id, P[KASI].id, "[\"derive\"]", 10, 15));
	assert_status(r, 201);
	char first[64];
	snprintf(first, sizeof first, "%s", rstr(r, "id"));
	r = call(ADMIN, "POST", "/api/v1/delegations",
		 body("plh", "kabid_iai", NULL, P[KABID].id, plh.id, "[\"derive\"]", 15, 20));
	assert_problem(r, 409, "delegation.overlap");
	ck_assert_msg(strstr(rstr(r, "detail"), first) != NULL, "the refusal does not name %s: %s", first,
		      rstr(r, "detail"));
	assert_status(call(ADMIN, "POST", "/api/v1/delegations",
			   body("plh", "kabid_iai", NULL, P[KABID].id, plh.id, "[\"derive\"]", 16, 20)),
		      201);
	/* a change is a revocation plus a new one */
	assert_status(call(KABID, "DELETE", fmt("/api/v1/delegations/%s", first), NULL), 200);
	assert_status(call(ADMIN, "POST", "/api/v1/delegations",
			   body("plh", "kabid_iai", NULL, P[KABID].id, P[TIM1].id, "[\"derive\"]", 11, 15)),
		      201);
}
END_TEST

/* Bad input and the wrong people: clear problems, nothing written. */
START_TEST(test_refusals)
{
	struct ts_resp *r = call(ADMIN, "GET", "/api/v1/delegations", NULL);
	assert_status(r, 200);
	size_t before = json_array_size(json_object_get(r->json, "items"));
	r = call(ADMIN, "POST", "/api/v1/delegations", "{}");
	assert_problem(r, 400, NULL);
	const char *fields[] = {"kind", "position", "delegate_id", "acts", "starts_on", "ends_on", "letter_number",
				"letter_date"};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		ck_assert_msg(field_error(r, fields[i]) != NULL, "no error for %s: %s", fields[i], error_fields(r));
	r = call(ADMIN, "POST", "/api/v1/delegations",
		 body("plh", "kepala_dinas", NULL, P[KADIS].id, plh.id, "[\"dispose\"]", 3, 2));
	assert_problem(r, 400, NULL);
	ck_assert_str_eq(field_error_code(r, "ends_on"), "before_start");
	r = call(ADMIN, "POST", "/api/v1/delegations",
		 body("plh", "kabid_iai", NULL, P[KABID].id, plh.id, "[\"sign_ba\"]", 0, 1));
	ck_assert_str_eq(field_error_code(r, "acts"), "not_of_position");
	r = call(ADMIN, "POST", "/api/v1/delegations", body("plt", "kepala_pd", NULL, NULL, P[PD_A].id, "[\"sign_ba\"]", 0, 1));
	ck_assert_str_eq(field_error_code(r, "agency_id"), "required");
	r = call(ADMIN, "POST", "/api/v1/delegations", body("plh", "kepala_dinas", NULL, NULL, plh.id, "[\"dispose\"]", 0, 1));
	ck_assert_str_eq(field_error_code(r, "principal_id"), "required");
	r = call(ADMIN, "POST", "/api/v1/delegations",
		 body("plh", "kepala_dinas", NULL, P[KADIS].id, P[KADIS].id, "[\"dispose\"]", 0, 1));
	ck_assert_str_eq(field_error_code(r, "delegate_id"), "is_principal");
	r = call(ADMIN, "POST", "/api/v1/delegations",
		 body("plh", "kepala_dinas", NULL, P[KABID].id, plh.id, "[\"dispose\"]", 0, 1));
	ck_assert_str_eq(field_error_code(r, "principal_id"), "not_holder");
	/* only the holder appoints for themselves */
	assert_problem(call(KABID, "POST", "/api/v1/delegations",
			    body("plh", "kepala_dinas", NULL, P[KADIS].id, plh.id, "[\"dispose\"]", 40, 41)),
		       403, "delegation.not_principal");
	assert_problem(call(KABID, "POST", "/api/v1/delegations",
			    body("plh", "kepala_dinas", NULL, NULL, plh.id, "[\"dispose\"]", 40, 41)),
		       403, "delegation.not_principal");
	assert_problem(call(PD_A, "POST", "/api/v1/delegations",
			    body("plt", "kepala_pd", AGENCY[0], NULL, P[PD_B].id, "[\"sign_ba\"]", 40, 41)),
		       403, "delegation.not_principal");
	r = call(ADMIN, "GET", "/api/v1/delegations", NULL);
	ck_assert_uint_eq(json_array_size(json_object_get(r->json, "items")), before);
	/* the Kepala Dinas appoints for himself */
	r = call(KADIS, "POST", "/api/v1/delegations",
		 body("plh", "kepala_dinas", NULL, NULL, P[TIM2].id, "[\"issue_st\"]", 40, 41));
	assert_status(r, 201);
	char d[64];
	snprintf(d, sizeof d, "%s", rstr(r, "id"));
	ck_assert_str_eq(rstr(r, "principal_id"), P[KADIS].id);
	r = call(TIM2, "GET", "/api/v1/delegations", NULL);
	assert_status(r, 200);
	ck_assert_msg(strstr(jdump(r->json), d) != NULL, "the delegate's list lacks %s", d);
	r = call(TIM1, "GET", "/api/v1/delegations", NULL);
	ck_assert_msg(strstr(jdump(r->json), d) == NULL, "someone else's list shows %s", d);
	assert_problem(call(TIM2, "DELETE", fmt("/api/v1/delegations/%s", d), NULL), 403, "delegation.not_yours");
	assert_problem(call(TIM1, "DELETE", fmt("/api/v1/delegations/%s", d), NULL), 404, "delegation.not_found");
	/* the header itself */
	char req[64];
	snprintf(req, sizeof req, "%s", awaiting_disposition("Aplikasi Tanpa Delegasi"));
	r = callh(TIM1, "POST", fmt("/api/v1/requests/%s/dispositions", req), dispose_body(),
		  "Delegation-Id: 7c9e6679-7425-40de-944b-e07fc1f90ae7", NULL);
	assert_problem(r, 403, "delegation.not_delegate");
	r = callh(TIM1, "POST", fmt("/api/v1/requests/%s/dispositions", req), dispose_body(), "Delegation-Id: x", NULL);
	assert_problem(r, 400, "delegation.invalid_header");
	/* a delegation that is not in force yet lends nothing */
	r = callh(TIM2, "POST", fmt("/api/v1/requests/%s/dispositions", req), dispose_body(), header(d), NULL);
	assert_problem(r, 403, "delegation.not_started");
	ck_assert_str_eq(status_of(req), "awaiting_disposition");
	assert_status(call(KADIS, "DELETE", fmt("/api/v1/delegations/%s", d), NULL), 200);
}
END_TEST

/* A Plh of the Kepala Dinas issues the Surat Tugas: the record says for
 * whom, the letter is signed "Plh. Kepala Dinas". */
START_TEST(test_plh_issues_the_surat_tugas)
{
	struct flow f = drive(PD_A, "Aplikasi Surat Tugas Plh", AT_AGREED);
	struct ts_resp *r = call(ADMIN, "POST", "/api/v1/delegations",
				 body("plh", "kepala_dinas", NULL, P[KADIS].id, plh.id, "[\"issue_st\"]", 0, 0));
	assert_status(r, 201);
	char d[64];
	snprintf(d, sizeof d, "%s", rstr(r, "id"));
	const char *st = fmt("{\"member_ids\":[\"%s\"],\"purpose\":\"Membangun aplikasi.\"}", P[TIM1].id);
	/* lending issue_st lends no disposition */
	const char *req = awaiting_disposition("Aplikasi Bukan Untuk Plh");
	assert_problem(call_ash(&plh, "POST", fmt("/api/v1/requests/%s/dispositions", req), dispose_body(), header(d),
				NULL),
		       403, "delegation.act_not_delegated");
	r = call_ash(&plh, "POST", fmt("/api/v1/requests/%s/surat-tugas", f.request), st, header(d), NULL);
	assert_status(r, 201);
	char id[64];
	snprintf(id, sizeof id, "%s", rstr(r, "id"));
	ck_assert_str_eq(rstr(r, "issued_by"), plh.id);
	ck_assert_str_eq(rstr(r, "delegation_id"), d);
	ck_assert_str_eq(jstr(json_object_get(r->json, "acting_for"), "position"), "kepala_dinas");
	ck_assert_str_eq(status_of(f.request), "completed");
	json_t *row = audit_row(f.request, "request.issue_st");
	ck_assert_msg(row != NULL, "no request.issue_st audit row");
	ck_assert_str_eq(jstr(json_object_get(row, "after"), "delegation_id"), d);
	r = call(KASI, "GET", fmt("/api/v1/surat-tugas/%s/pdf", id), NULL);
	assert_status(r, 200);
	const char *pdf = fmt("delegations-st-%d.pdf", (int)getpid()), *txt = fmt("delegations-st-%d.txt", (int)getpid());
	FILE *out = fopen(pdf, "wb");
	ck_assert_msg(out != NULL, "cannot write %s", pdf);
	ck_assert_uint_eq(fwrite(r->body, 1, r->len, out), r->len);
	fclose(out);
	ck_assert_msg(run(fmt("pdftotext -layout %s %s", pdf, txt)) == 0, "pdftotext failed");
	static char text[1 << 16];
	FILE *in = fopen(txt, "rb");
	ck_assert_msg(in != NULL, "cannot read %s", txt);
	text[fread(text, 1, sizeof text - 1, in)] = '\0';
	fclose(in);
	ck_assert_msg(strstr(text, "Plh. Kepala Dinas") != NULL && strstr(text, plh.full_name) != NULL,
		      "the Surat Tugas is not signed by the Plh:\n%s", text);
	assert_status(call(ADMIN, "DELETE", fmt("/api/v1/delegations/%s", d), NULL), 200);
}
END_TEST

/* ALURD_DELEGATE_SIGNS_OWN_DRAFT=true: the office allows it. */
static void up_own_draft(void)
{
	static const char *const env[] = {"ALURD_DELEGATE_SIGNS_OWN_DRAFT=true", NULL};
	s47_up_env("delegations_own_draft", env);
}

START_TEST(test_delegate_may_sign_own_draft_when_allowed)
{
	struct flow f = drive(PD_A, "Aplikasi Konsep Diizinkan", AT_BA_SENT);
	struct ts_resp *r = call(ADMIN, "POST", "/api/v1/delegations",
				 body("plh", "kepala_dinas", NULL, P[KADIS].id, P[KASI].id, "[\"sign_ba\"]", 0, 1));
	assert_status(r, 201);
	char d[64];
	snprintf(d, sizeof d, "%s", rstr(r, "id"));
	r = callh(KASI, "POST", path_ba(f.ba, "/signatures"), confirm(f.sha256), header(d), NULL);
	assert_status(r, 201);
	json_t *sig = json_array_get(json_object_get(r->json, "signatures"), 0);
	ck_assert_str_eq(jstr(sig, "signer_id"), P[KASI].id);
	ck_assert_str_eq(jstr(sig, "delegation_id"), d);
}
END_TEST

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "own_draft") == 0) {
		Suite *s = suite_create("delegations_own_draft");
		TCase *tc = s47_tcase("delegations_own_draft", up_own_draft);
		tcase_add_test(tc, test_delegate_may_sign_own_draft_when_allowed);
		s47_add_clean_stop(tc);
		suite_add_tcase(s, tc);
		return s47_main(s);
	}
	Suite *s = suite_create("delegations");
	TCase *tc = s47_tcase("delegations", up);
	tcase_add_test(tc, test_plh_of_the_kepala_dinas);
	tcase_add_test(tc, test_outside_the_period);
	tcase_add_test(tc, test_plt_of_the_kepala_pd);
	tcase_add_test(tc, test_one_person_one_party);
	tcase_add_test(tc, test_delegate_drafted_it);
	tcase_add_test(tc, test_signatory_leaves_between_signatures);
	tcase_add_test(tc, test_plh_issues_the_surat_tugas);
	tcase_add_test(tc, test_overlapping_delegations);
	tcase_add_test(tc, test_refusals);
	s47_add_clean_stop(tc);
	suite_add_tcase(s, tc);
	return s47_main(s);
}
