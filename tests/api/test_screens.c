/* test_screens.c — what a staff console or a mobile app needs, tried only
 * through the API as the real roles would: finding the next person in the
 * directory, working the queue (GET /me/queue) to empty while the badge
 * counts (GET /requests/counts) fall, the list's SLA fields and filters, the
 * actions each request offers its caller (every one offered succeeds, every
 * other is refused, over every state and role), and the global audit trail.
 *
 * The role's day runs first on the suite's fresh database, so its queue
 * totals are exact; the later tests only add requests. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/api/steps47.h"

/* ---- helpers -------------------------------------------------------------- */

/* A copy of s that lives until the end of the test (fmt buffers are reused). */
static const char *hold(const char *s)
{
	return json_string_value(keep(json_string(s)));
}

static json_t *queue_of(enum who who)
{
	struct ts_resp *r = call(who, "GET", "/api/v1/me/queue", NULL);
	assert_status(r, 200);
	return keep(json_incref(r->json));
}

/* The group of kind in a queue answer (NULL when the queue has none). */
static json_t *group_of(json_t *q, const char *kind)
{
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(q, "groups"), i, g)
		if (strcmp(jstr(g, "kind"), kind) == 0)
			return g;
	return NULL;
}

static long long qcount(enum who who, const char *kind)
{
	json_t *g = group_of(queue_of(who), kind);
	return g ? jint(g, "count") : 0;
}

static long long qtotal(enum who who)
{
	return jint(queue_of(who), "total");
}

/* The item of the request in a group, or NULL. */
static json_t *qitem(json_t *group, const char *request_id)
{
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(group, "items"), i, it)
		if (strcmp(jstr(json_object_get(it, "request"), "request_id"), request_id) == 0)
			return it;
	return NULL;
}

/* s percent-encoded for a query string (fmt buffer). */
static const char *urlenc(const char *s)
{
	char out[512];
	size_t n = 0;
	for (; *s && n + 4 < sizeof out; s++) {
		unsigned char ch = (unsigned char)*s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || strchr("-._~", ch))
			out[n++] = (char)ch;
		else
			n += (size_t)snprintf(out + n, sizeof out - n, "%%%02X", ch);
	}
	out[n] = '\0';
	return fmt("%s", out);
}

/* The one person of role whose name contains name, found by `as` in the
 * directory; returns their id. */
static const char *pick(enum who as, const char *role, const char *name)
{
	struct ts_resp *r = call(as, "GET", fmt("/api/v1/directory?role=%s&q=%s", role, urlenc(name)), NULL);
	assert_status(r, 200);
	json_t *items = json_object_get(r->json, "items");
	ck_assert_msg(json_array_size(items) == 1, "directory %s/%s: %s", role, name, r->body);
	json_t *p = json_array_get(items, 0);
	ck_assert_str_eq(jstr(p, "role"), role);
	ck_assert_ptr_null(json_object_get(p, "password_hash"));
	return hold(jstr(p, "id"));
}

static long long count_status(enum who who, const char *status)
{
	struct ts_resp *r = call(who, "GET", "/api/v1/requests/counts", NULL);
	assert_status(r, 200);
	json_t *n = json_object_get(json_object_get(r->json, "by_status"), status);
	return n ? json_integer_value(n) : 0;
}

/* A draft with the letter and the business-process document attached (SOP
 * step 1: a submission carries both), submitted when submit. */
static const char *new_request(enum who pd, const char *title, bool submit)
{
	struct ts_resp *r = call(pd, "POST", "/api/v1/requests",
				 fmt("{\"kind\":\"pembangunan\",\"title\":\"%s\"}", title));
	assert_status(r, 201);
	const char *id = hold(rstr(r, "id"));
	attach_submission_documents(pd, id);
	if (submit)
		assert_status(call(pd, "POST", fmt("/api/v1/requests/%s/submit", id), NULL), 200);
	return id;
}

/* ---- the suite's people get their positions (jabatan) ----------------------- */

static void up(void)
{
	s47_up("screens");
	static const struct {
		enum who who;
		const char *position;
	} jabatan[] = {
		{KADIS, "Kepala Dinas Komunikasi, Informatika dan Statistik"},
		{KABID, "Kepala Bidang Infrastruktur dan Aplikasi Informatika"},
		{KASI, "Kepala Seksi Aplikasi Informatika"},
		{TIM1, "Anggota Tim SPBE"},
		{SIGN_A, "Kepala Dinas Kesehatan"},
	};
	for (size_t i = 0; i < sizeof jabatan / sizeof jabatan[0]; i++) {
		struct ts_resp *r = call(ADMIN, "PATCH", fmt("/api/v1/users/%s", P[jabatan[i].who].id),
					 fmt("{\"position\":\"%s\"}", jabatan[i].position));
		assert_status(r, 200);
		ck_assert_str_eq(rstr(r, "position"), jabatan[i].position);
	}
}

/* ---- a role's day ----------------------------------------------------------- */

START_TEST(test_roles_day)
{
	/* the PD drafts: its queue holds the draft to submit */
	const char *id = new_request(PD_A, "Aplikasi Antrian Puskesmas", false);
	ck_assert_int_eq(qcount(PD_A, "to_submit"), 1);
	assert_status(call(PD_A, "POST", fmt("/api/v1/requests/%s/submit", id), NULL), 200);
	ck_assert_int_eq(qtotal(PD_A), 0);
	ck_assert_int_eq(qtotal(PD_B), 0); /* another agency's request is not theirs */

	/* the secretariat registers it; its badge counts fall */
	json_t *g = group_of(queue_of(SEKRETARIAT), "to_register");
	ck_assert_int_eq(jint(g, "count"), 1);
	json_t *it = qitem(g, id);
	ck_assert_ptr_nonnull(it);
	ck_assert_str_eq(jstr(json_object_get(it, "request"), "title"), "Aplikasi Antrian Puskesmas");
	ck_assert_str_eq(jstr(json_object_get(it, "request"), "agency_name"), AGENCY_NAME[0]);
	ck_assert_str_eq(jstr(json_object_get(it, "request"), "sla_state"), "on_time");
	ck_assert_str_ne(jstr(json_object_get(it, "request"), "due_at"), "");
	ck_assert_str_eq(jdump(json_object_get(it, "allowed_actions")), "[\"register\"]");
	ck_assert_int_eq(count_status(SEKRETARIAT, "submitted"), 1);
	assert_status(call(SEKRETARIAT, "POST", fmt("/api/v1/requests/%s/register", id), NULL), 200);
	ck_assert_int_eq(qtotal(SEKRETARIAT), 0);
	ck_assert_int_eq(count_status(SEKRETARIAT, "submitted"), 0);
	ck_assert_int_eq(count_status(SEKRETARIAT, "awaiting_disposition"), 1);

	/* the Kepala Dinas finds the Kabid by the directory and disposes */
	ck_assert_int_eq(qcount(KADIS, "to_dispose"), 1);
	const char *kabid = pick(KADIS, "kabid_iai", "Mahendra");
	ck_assert_str_eq(kabid, P[KABID].id);
	struct ts_resp *r = call(KADIS, "POST", fmt("/api/v1/requests/%s/dispositions", id),
				 fmt("{\"to_user_ids\":[\"%s\"],\"instruction_kind\":\"tindak_lanjuti\","
				     "\"instruction\":\"Tindak lanjuti.\"}",
				     kabid));
	assert_status(r, 201);
	const char *parent = hold(rstr(r, "id"));
	ck_assert_int_eq(qtotal(KADIS), 0);

	/* the Kabid: one unread disposition, named; reads it, finds the Kasi, derives */
	json_t *q = queue_of(KABID);
	g = group_of(q, "dispositions");
	ck_assert_int_eq(jint(g, "count"), 1);
	ck_assert_int_eq(jint(g, "unread"), 1);
	it = qitem(g, id);
	ck_assert_ptr_nonnull(it);
	ck_assert_str_eq(jstr(json_object_get(it, "from_user"), "full_name"), P[KADIS].full_name);
	ck_assert_str_eq(jstr(json_object_get(it, "from_user"), "role"), "kepala_dinas");
	ck_assert_int_eq(jint(group_of(q, "to_derive"), "count"), 1);
	assert_status(call(KABID, "POST", fmt("/api/v1/dispositions/%s/read", parent), NULL), 200);
	ck_assert_int_eq(jint(group_of(queue_of(KABID), "dispositions"), "unread"), 0);
	const char *kasi = pick(KABID, "kasi_ai", "Ratna");
	r = call(KABID, "POST", fmt("/api/v1/requests/%s/dispositions", id),
		 fmt("{\"to_user_ids\":[\"%s\"],\"instruction_kind\":\"koordinasikan\",\"instruction\":\"Bahas.\","
		     "\"parent_id\":\"%s\"}",
		     kasi, parent));
	assert_status(r, 201);
	const char *derived = hold(rstr(r, "id"));
	ck_assert_int_eq(qtotal(KABID), 0);

	/* the Kasi: reads the derived disposition, picks attendees, finds the checklist incomplete */
	ck_assert_int_eq(jint(group_of(queue_of(KASI), "dispositions"), "unread"), 1);
	assert_status(call(KASI, "POST", fmt("/api/v1/dispositions/%s/read", derived), NULL), 200);
	ck_assert_int_eq(qcount(KASI, "to_discuss"), 1);
	ck_assert_int_eq(qcount(TIM1, "to_discuss"), 1);
	const char *tim = pick(KASI, "tim_spbe", "Kadek");
	r = record(KASI, id,
		   fmt("{\"phase\":\"awal\",\"held_at\":\"2025-03-10T09:00:00+08:00\",\"attendees\":"
		       "[{\"user_id\":\"%s\"},{\"user_id\":\"%s\"}],\"checklist\":%s}",
		       kasi, tim, checklist("mekanisme_validasi", NULL)));
	assert_status(r, 201);
	ck_assert_int_eq(qtotal(KASI), 0);

	/* the PD sees the completion it owes, and delivers it */
	g = group_of(queue_of(PD_A), "to_complete");
	ck_assert_int_eq(jint(g, "count"), 1);
	ck_assert_str_eq(jstr(json_object_get(qitem(g, id), "request"), "sla_state"), "paused");
	assert_status(call(PD_A, "POST", fmt("/api/v1/requests/%s/completion", id),
			   "{\"notes\":{\"mekanisme_validasi\":\"Validasi NIK lewat Dukcapil.\"}}"),
		      201);
	ck_assert_int_eq(qtotal(PD_A), 0);

	/* the Kasi holds the three discussions and drafts the Berita Acara */
	ck_assert_int_eq(qcount(KASI, "to_discuss"), 1);
	assert_status(record(KASI, id, discussion_body("awal")), 201);
	assert_status(record(TIM1, id, discussion_body("lanjutan")), 201);
	assert_status(record(KASI, id, discussion_body("final")), 201);
	/* agreed: the Berita Acara is the Kasi's (and the team's) to draft and
	 * send; not yet the Kepala Dinas's */
	ck_assert_int_eq(qtotal(KASI), 1);
	ck_assert_int_eq(qcount(KASI, "to_conclude"), 1);
	ck_assert_int_eq(qcount(TIM1, "to_conclude"), 1);
	ck_assert_int_eq(qtotal(KADIS), 0);
	r = call(KASI, "POST", fmt("/api/v1/requests/%s/berita-acara", id), "{}");
	assert_status(r, 201);
	const char *ba = hold(rstr(r, "id"));
	ck_assert_int_eq(qcount(KASI, "to_conclude"), 1); /* drafted, not sent */
	r = call(KASI, "POST", fmt("/api/v1/berita-acara/%s/send", ba), "{}");
	assert_status(r, 200);
	const char *confirm = hold(fmt("{\"content_sha256\":\"%s\"}", rstr(r, "content_sha256")));
	/* sent: on both signatories' desks, off the Kasi's */
	ck_assert_int_eq(qtotal(KASI), 0);
	ck_assert_int_eq(qtotal(TIM1), 0);
	ck_assert_int_eq(qcount(KADIS, "to_conclude"), 1);
	ck_assert_int_eq(qcount(PD_A, "to_conclude"), 1);

	/* each signatory sees the signature awaited, signs, and it is gone */
	g = group_of(queue_of(KADIS), "signatures");
	ck_assert_int_eq(jint(g, "count"), 1);
	ck_assert_str_eq(jstr(qitem(g, id), "berita_acara_id"), ba);
	ck_assert_int_eq(qcount(SIGN_A, "signatures"), 1);
	ck_assert_int_eq(qcount(PD_A, "signatures"), 0); /* not the agency's signatory */
	assert_status(call(KADIS, "POST", fmt("/api/v1/berita-acara/%s/signatures", ba), confirm), 201);
	ck_assert_int_eq(qcount(KADIS, "signatures"), 0);
	ck_assert_int_eq(qtotal(KADIS), 0);
	ck_assert_int_eq(qcount(PD_A, "to_conclude"), 1);
	g = group_of(queue_of(SIGN_A), "signatures");
	ck_assert_int_eq(jint(g, "count"), 1);
	ck_assert_str_eq(jstr(qitem(g, id), "party"), "perangkat_daerah");
	assert_status(call(SIGN_A, "POST", fmt("/api/v1/berita-acara/%s/signatures", ba), confirm), 201);
	ck_assert_str_eq(status_of(id), "completed");
	for (enum who w = PD_A; w < WHO_COUNT; w++)
		ck_assert_msg(qtotal(w) == 0, "%s still has %lld waiting", P[w].username, qtotal(w));
	ck_assert_int_eq(count_status(KADIS, "completed"), 1);

	/* a Surat Tugas: the Kepala Dinas picks the team, the member sees it */
	struct flow f = drive(PD_A, "Integrasi Data Kepegawaian", AT_AGREED);
	ck_assert_int_eq(qcount(KASI, "to_conclude"), 1);
	const char *member = pick(KADIS, "tim_spbe", "Dwi Saputra");
	assert_status(call(KADIS, "POST", fmt("/api/v1/requests/%s/surat-tugas", f.request),
			   fmt("{\"member_ids\":[\"%s\"],\"purpose\":\"Pembangunan aplikasi.\"}", member)),
		      201);
	g = group_of(queue_of(TIM1), "surat_tugas");
	ck_assert_int_eq(jint(g, "count"), 1);
	ck_assert_str_eq(jstr(json_object_get(qitem(g, f.request), "issued_by_user"), "full_name"), P[KADIS].full_name);
	ck_assert_int_eq(qcount(TIM2, "surat_tugas"), 0);
	ck_assert_int_eq(qtotal(KADIS), 0);
}
END_TEST


/* ---- allowed actions: every state x every role ------------------------------ */

static struct actor auditor = {"auditor", "auditor", "Inspektur Pembantu", NULL, -1, false, "", ""};
static struct actor client = {"", "integration", "E-Office Dinkes", NULL, 0, false, "", ""};

/* The e-office client bound to agency A, with an access token. */
static void make_client(void)
{
	if (client.token[0])
		return;
	struct ts_resp *r = call(ADMIN, "POST", "/api/v1/clients",
				 fmt("{\"name\":\"%s\",\"agency_id\":\"%s\"}", client.full_name, AGENCY[0]));
	assert_status(r, 201);
	snprintf(client.id, sizeof client.id, "%s", rstr(r, "id"));
	const char *body = fmt("{\"grant_type\":\"client_credentials\",\"client_id\":\"%s\",\"client_secret\":\"%s\"}",
			       rstr(r, "client_id"), rstr(r, "client_secret"));
	r = call(NOBODY, "POST", "/api/v1/auth/token", body);
	assert_status(r, 200);
	snprintf(client.token, sizeof client.token, "%s", rstr(r, "access_token"));
}

enum mstate { M_DRAFT, M_SUBMITTED, M_AWAITING_DISPOSITION, M_DISPOSED, M_AWAL, M_LANJUTAN, M_FINAL, M_AWAITING_PD,
	      M_AGREED, M_COMPLETED, M_WITHDRAWN, M_REJECTED, M_COUNT };
static const char *const mstate_names[M_COUNT] = {"draft", "submitted", "awaiting_disposition", "disposed", "awal",
						  "lanjutan", "final", "awaiting_pd", "agreed", "completed",
						  "withdrawn", "rejected"};

static const char *const all_actions[] = {"submit", "register", "dispose", "derive", "record_awal",
					  "record_awal_incomplete", "pd_complete", "record_lanjutan", "record_final",
					  "issue_st", "withdraw", "reject", NULL};

/* A new request of agency A in state st; its title is unique. */
static const char *make(enum mstate st, int n)
{
	const char *title = hold(fmt("Matriks %s %d", mstate_names[st], n));
	static const enum stage deep[M_COUNT] = {[M_AWAL] = AT_AWAL,       [M_LANJUTAN] = AT_LANJUTAN,
						 [M_FINAL] = AT_FINAL,     [M_AWAITING_PD] = AT_AWAITING_PD,
						 [M_AGREED] = AT_AGREED,   [M_COMPLETED] = AT_AGREED};
	if (st >= M_AWAL && st <= M_COMPLETED) {
		struct flow f = drive(PD_A, title, deep[st]);
		const char *id = hold(f.request);
		if (st == M_COMPLETED)
			assert_status(call(KADIS, "POST", fmt("/api/v1/requests/%s/surat-tugas", id),
					   fmt("{\"member_ids\":[\"%s\"],\"purpose\":\"Pelaksanaan.\"}", P[TIM1].id)),
				      201);
		return id;
	}
	const char *id = new_request(PD_A, title, st != M_DRAFT && st != M_WITHDRAWN);
	if (st == M_WITHDRAWN)
		assert_status(call(PD_A, "POST", fmt("/api/v1/requests/%s/withdraw", id), NULL), 200);
	if (st == M_REJECTED)
		assert_status(call(KADIS, "POST", fmt("/api/v1/requests/%s/reject", id), "{\"reason\":\"Bukan kewenangan.\"}"),
			      200);
	if (st >= M_AWAITING_DISPOSITION && st <= M_DISPOSED)
		assert_status(call(SEKRETARIAT, "POST", fmt("/api/v1/requests/%s/register", id), NULL), 200);
	if (st == M_DISPOSED)
		assert_status(call(KADIS, "POST", fmt("/api/v1/requests/%s/dispositions", id),
				   fmt("{\"to_user_ids\":[\"%s\"],\"instruction_kind\":\"tindak_lanjuti\","
				       "\"instruction\":\"Tindak lanjuti.\"}",
				       P[KABID].id)),
			      201);
	return id;
}

/* The disposition of the Kepala Dinas on request id (for derive), or a
 * random id when there is none. */
static const char *root_disposition(const char *id)
{
	struct ts_resp *r = call(ADMIN, "GET", fmt("/api/v1/requests/%s/dispositions", id), NULL);
	assert_status(r, 200);
	json_t *items = json_object_get(r->json, "items");
	for (size_t i = 0; i < json_array_size(items); i++) {
		json_t *d = json_array_get(items, i);
		if (json_is_null(json_object_get(d, "parent_id")) && json_is_null(json_object_get(d, "withdrawn_at")))
			return fmt("%s", jstr(d, "id"));
	}
	return "7b1e4c52-0d8f-4a3b-9c1d-2e5f6a7b8c9d";
}

/* Takes action on request id as a, each with a valid body. */
static struct ts_resp *attempt(const struct actor *a, const char *action, const char *id)
{
	const char *req = fmt("/api/v1/requests/%s", id);
	if (!strcmp(action, "submit") || !strcmp(action, "register") || !strcmp(action, "withdraw"))
		return call_as(a, "POST", fmt("%s/%s", req, action), NULL);
	if (!strcmp(action, "reject"))
		return call_as(a, "POST", fmt("%s/reject", req), "{\"reason\":\"Tidak sesuai.\"}");
	if (!strcmp(action, "dispose"))
		return call_as(a, "POST", fmt("%s/dispositions", req),
			       fmt("{\"to_user_ids\":[\"%s\"],\"instruction_kind\":\"tindak_lanjuti\",\"instruction\":\"Ok.\"}",
				   P[KABID].id));
	if (!strcmp(action, "derive"))
		return call_as(a, "POST", fmt("%s/dispositions", req),
			       fmt("{\"to_user_ids\":[\"%s\"],\"instruction_kind\":\"koordinasikan\",\"instruction\":\"Ok.\","
				   "\"parent_id\":\"%s\"}",
				   P[KASI].id, root_disposition(id)));
	if (!strcmp(action, "record_awal"))
		return call_as(a, "POST", fmt("%s/discussions", req), discussion_body("awal"));
	if (!strcmp(action, "record_awal_incomplete"))
		return call_as(a, "POST", fmt("%s/discussions", req),
			       fmt("{\"phase\":\"awal\",\"held_at\":\"2025-03-10T09:00:00+08:00\",\"attendees\":"
				   "[{\"user_id\":\"%s\"}],\"checklist\":%s}",
				   P[KASI].id, checklist("alur_sistem", NULL)));
	if (!strcmp(action, "record_lanjutan"))
		return call_as(a, "POST", fmt("%s/discussions", req), discussion_body("lanjutan"));
	if (!strcmp(action, "record_final"))
		return call_as(a, "POST", fmt("%s/discussions", req), discussion_body("final"));
	if (!strcmp(action, "pd_complete"))
		return call_as(a, "POST", fmt("%s/completion", req),
			       "{\"notes\":{\"mekanisme_validasi\":\"Validasi oleh operator.\"}}");
	if (!strcmp(action, "issue_st"))
		return call_as(a, "POST", fmt("%s/surat-tugas", req),
			       fmt("{\"member_ids\":[\"%s\"],\"purpose\":\"Pelaksanaan.\"}", P[TIM1].id));
	ck_abort_msg("no such action %s", action);
	return NULL;
}

static bool listed(const json_t *list, const char *action)
{
	for (size_t i = 0; i < json_array_size(list); i++)
		if (!strcmp(json_string_value(json_array_get(list, i)), action))
			return true;
	return false;
}

static long long version_of(const char *id)
{
	struct ts_resp *r = call(ADMIN, "GET", fmt("/api/v1/requests/%s", id), NULL);
	assert_status(r, 200);
	return rint(r, "version");
}

START_TEST(test_allowed_actions_matrix)
{
	if (!auditor.token[0])
		s47_add_user(&auditor);
	make_client();
	const struct actor *roles[] = {&P[ADMIN], &P[KADIS], &P[SEKRETARIAT], &P[KABID], &P[KASI], &P[TIM1],
				       &P[PD_A],  &P[SIGN_A], &P[PD_B],      &auditor,  &client};
	const size_t nroles = sizeof roles / sizeof roles[0];
	int offered_total = 0, n = 0;
	for (enum mstate st = 0; st < M_COUNT; st++) {
		int base_n = n;
		const char *base = make(st, n++);
		for (size_t k = 0; k < nroles; k++) {
			const struct actor *a = roles[k];
			struct ts_resp *r = call_as(a, "GET", fmt("/api/v1/requests/%s", base), NULL);
			json_t *offered = json_array();
			if (a == &P[PD_B]) {
				assert_problem(r, 404, "request.not_found");
			} else {
				assert_status(r, 200);
				json_array_extend(offered, json_object_get(r->json, "allowed_actions"));
				/* the list row offers the same */
				r = call_as(a, "GET", fmt("/api/v1/requests?q=%s", urlenc(fmt("Matriks %s %d", mstate_names[st], base_n))),
					    NULL);
				assert_status(r, 200);
				json_t *items = json_object_get(r->json, "items");
				ck_assert_uint_eq(json_array_size(items), 1);
				ck_assert_msg(json_equal(json_object_get(json_array_get(items, 0), "allowed_actions"), offered),
					      "%s in %s: list %s, record %s", a->role, mstate_names[st],
					      jdump(json_object_get(json_array_get(items, 0), "allowed_actions")), jdump(offered));
			}
			long long before = version_of(base);
			for (const char *const *act = all_actions; *act; act++) {
				if (listed(offered, *act)) {
					const char *fresh = make(st, n++);
					r = attempt(a, *act, fresh);
					ck_assert_msg(r->status == 200 || r->status == 201, "%s (%s) offered %s in %s, got %ld: %.300s",
						      a->username, a->role, *act, mstate_names[st], r->status, r->body);
					offered_total++;
				} else {
					r = attempt(a, *act, base);
					ck_assert_msg(r->status == 403 || r->status == 404 || r->status == 409,
						      "%s (%s) not offered %s in %s, got %ld: %.300s", a->username, a->role,
						      *act, mstate_names[st], r->status, r->body);
				}
			}
			ck_assert_msg(version_of(base) == before, "a refused action changed the request (%s, %s)", a->role,
				      mstate_names[st]);
			json_decref(offered);
		}
	}
	/* the matrix is not empty: every open state offers someone something */
	ck_assert_int_ge(offered_total, 40);
}
END_TEST

/* What the state alone does not promise is not offered: a draft offers
 * submit only once its letter and business-process document are attached;
 * a disposed request offers derive only to the Kabid it was disposed to. The
 * single read, the list row and the queue agree, and what is offered works. */
static struct actor kabid2 = {"kabid.dua", "kabid_iai", "Kabid Kedua", NULL, -1, false, "", ""};

static json_t *offer_of(const struct actor *a, const char *id, const char *title)
{
	struct ts_resp *r = call_as(a, "GET", fmt("/api/v1/requests/%s", id), NULL);
	assert_status(r, 200);
	json_t *one = json_incref(json_object_get(r->json, "allowed_actions"));
	r = call_as(a, "GET", fmt("/api/v1/requests?q=%s", urlenc(title)), NULL);
	assert_status(r, 200);
	json_t *items = json_object_get(r->json, "items");
	ck_assert_uint_eq(json_array_size(items), 1);
	ck_assert_msg(json_equal(json_object_get(json_array_get(items, 0), "allowed_actions"), one),
		      "%s: list row offers %s, the record %s", a->role,
		      jdump(json_object_get(json_array_get(items, 0), "allowed_actions")), jdump(one));
	return keep(one);
}

START_TEST(test_offer_follows_the_record)
{
	/* a draft without its documents */
	const char *title = "Tawaran Tanpa Lampiran";
	struct ts_resp *r = call(PD_A, "POST", "/api/v1/requests", fmt("{\"kind\":\"pembangunan\",\"title\":\"%s\"}", title));
	assert_status(r, 201);
	const char *id = hold(rstr(r, "id"));
	ck_assert_msg(!listed(json_object_get(r->json, "allowed_actions"), "submit"), "a draft without documents offers submit");
	ck_assert_msg(!listed(offer_of(&P[PD_A], id, title), "submit"), "a draft without documents offers submit");
	assert_problem(call(PD_A, "POST", fmt("/api/v1/requests/%s/submit", id), NULL), 422, "request.documents_missing");
	assert_status(upload(PD_A, id, "surat_permohonan", "surat.pdf", "application/pdf", MINI_PDF, MINI_PDF_LEN), 201);
	ck_assert_msg(!listed(offer_of(&P[PD_A], id, title), "submit"), "a draft with the letter only offers submit");
	assert_status(upload(PD_A, id, "proses_bisnis", "proses.pdf", "application/pdf", MINI_PDF, MINI_PDF_LEN), 201);
	ck_assert_msg(listed(offer_of(&P[PD_A], id, title), "submit"), "a complete draft does not offer submit");
	assert_status(call(PD_A, "POST", fmt("/api/v1/requests/%s/submit", id), NULL), 200);

	/* disposed to one Kabid: the other one is not offered derive */
	if (!kabid2.token[0])
		s47_add_user(&kabid2);
	const char *dtitle = "Tawaran Disposisi";
	const char *d = new_request(PD_A, dtitle, true);
	assert_status(call(SEKRETARIAT, "POST", fmt("/api/v1/requests/%s/register", d), NULL), 200);
	assert_status(call(KADIS, "POST", fmt("/api/v1/requests/%s/dispositions", d),
			   fmt("{\"to_user_ids\":[\"%s\"],\"instruction_kind\":\"tindak_lanjuti\",\"instruction\":\"Tindak lanjuti.\"}",
			       P[KABID].id)),
		      201);
	ck_assert_msg(listed(offer_of(&P[KABID], d, dtitle), "derive"), "the Kabid disposed to is not offered derive");
	ck_assert_msg(!listed(offer_of(&kabid2, d, dtitle), "derive"), "another Kabid is offered derive");
	ck_assert_msg(listed(offer_of(&kabid2, d, dtitle), "reject"), "the offer lost more than derive");
	/* the other Kabid's queue offers him nothing he would be refused */
	r = call_as(&kabid2, "GET", "/api/v1/me/queue", NULL);
	assert_status(r, 200);
	ck_assert_msg(!strstr(r->body, "\"derive\""), "kabid2's queue offers derive: %.600s", r->body);
	r = call_as(&kabid2, "POST", fmt("/api/v1/requests/%s/dispositions", d),
		    fmt("{\"to_user_ids\":[\"%s\"],\"instruction_kind\":\"koordinasikan\",\"instruction\":\"Ok.\","
			"\"parent_id\":\"%s\"}",
			P[KASI].id, root_disposition(d)));
	ck_assert_msg(r->status == 400 || r->status == 403, "another Kabid derived: %ld %s", r->status, r->body);
	/* and the Kabid it was disposed to derives */
	assert_status(attempt(&P[KABID], "derive", d), 201);
}
END_TEST

/* ---- lists that serve screens ------------------------------------------------ */

static size_t list_size(enum who who, const char *query)
{
	struct ts_resp *r = call(who, "GET", fmt("/api/v1/requests?limit=200&%s", query), NULL);
	assert_status(r, 200);
	return json_array_size(json_object_get(r->json, "items"));
}

START_TEST(test_lists_and_counts)
{
	/* q finds the agenda number, the letter number and the e-office reference */
	const char *id = new_request(PD_A, "Aplikasi Cari Nomor", true);
	struct ts_resp *r = call(SEKRETARIAT, "POST", fmt("/api/v1/requests/%s/register", id), NULL);
	assert_status(r, 200);
	const char *agenda = hold(rstr(r, "agenda_number"));
	r = call(ADMIN, "GET", fmt("/api/v1/requests?q=%s", urlenc(agenda)), NULL);
	assert_status(r, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(r->json, "items")), 1);
	ck_assert_str_eq(jstr(json_array_get(json_object_get(r->json, "items"), 0), "id"), id);
	r = call(PD_A, "POST", "/api/v1/requests",
		 "{\"kind\":\"integrasi\",\"title\":\"Surat Bernomor\",\"letter_number\":\"000.9/4711/DINKES\"}");
	assert_status(r, 201);
	ck_assert_uint_eq(list_size(KASI, "q=4711%2FDINKES"), 1);
	ck_assert_uint_eq(list_size(PD_B, "q=4711%2FDINKES"), 0); /* another agency's */

	/* waiting_on, sla_state and updated_since filter; every row says it */
	size_t kadis = list_size(ADMIN, "waiting_on=kepala_dinas");
	ck_assert_uint_ge(kadis, 1);
	r = call(ADMIN, "GET", "/api/v1/requests?limit=200&waiting_on=kepala_dinas", NULL);
	json_t *items = json_object_get(r->json, "items");
	for (size_t i = 0; i < json_array_size(items); i++)
		ck_assert_str_eq(jstr(json_array_get(items, i), "waiting_on"), "kepala_dinas");
	r = call(ADMIN, "GET", "/api/v1/requests?limit=200&sla_state=on_time", NULL);
	assert_status(r, 200);
	items = json_object_get(r->json, "items");
	ck_assert_uint_ge(json_array_size(items), 1);
	for (size_t i = 0; i < json_array_size(items); i++)
		ck_assert_str_eq(jstr(json_array_get(items, i), "sla_state"), "on_time");
	/* an overdue step: breached in the list, the counts and the filter agree */
	ck_assert(ts_sql(g_db, fmt("UPDATE step_instances SET warn_at = now() - interval '2 hours',"
				   " due_at = now() - interval '1 hour' WHERE request_id = '%s' AND completed_at IS NULL",
				   id)));
	r = call(ADMIN, "GET", "/api/v1/requests?sla_state=breached", NULL);
	assert_status(r, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(r->json, "items")), 1);
	ck_assert_str_eq(jstr(json_array_get(json_object_get(r->json, "items"), 0), "id"), id);
	r = call(ADMIN, "GET", "/api/v1/requests/counts", NULL);
	assert_status(r, 200);
	ck_assert_int_eq(jint(json_object_get(r->json, "by_sla_state"), "breached"), 1);
	long long total = jint(r->json, "total"), sum = 0;
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(r->json, "by_status"), k, v)
		sum += json_integer_value(v);
	ck_assert_int_eq(sum, total);
	ck_assert_uint_eq((size_t)total, list_size(ADMIN, "") < 200 ? list_size(ADMIN, "") : (size_t)total);
	/* scoped like the list: agency B sees none of A's */
	r = call(PD_B, "GET", "/api/v1/requests/counts?status=awaiting_disposition", NULL);
	assert_status(r, 200);
	ck_assert_int_eq(jint(r->json, "total"), 0);
	r = call(PD_B, "GET", fmt("/api/v1/requests/counts?agency_id=%s", AGENCY[0]), NULL);
	assert_status(r, 200);
	ck_assert_int_eq(jint(r->json, "total"), 0);
	/* sort=due_at: the breached one first, then ascending deadlines, the rest last */
	r = call(ADMIN, "GET", "/api/v1/requests?sort=due_at&limit=200", NULL);
	assert_status(r, 200);
	items = json_object_get(r->json, "items");
	ck_assert_str_eq(jstr(json_array_get(items, 0), "id"), id);
	const char *prev = "";
	bool nulls = false;
	for (size_t i = 0; i < json_array_size(items); i++) {
		json_t *due = json_object_get(json_array_get(items, i), "due_at");
		if (json_is_null(due)) {
			nulls = true;
			continue;
		}
		ck_assert_msg(!nulls, "a deadline after a request without one");
		ck_assert_msg(strcmp(prev, json_string_value(due)) <= 0, "due_at out of order");
		prev = json_string_value(due);
	}
	/* and pages of it in the same order */
	r = call(ADMIN, "GET", "/api/v1/requests?sort=due_at&limit=2", NULL);
	assert_status(r, 200);
	ck_assert_str_eq(jstr(json_array_get(json_object_get(r->json, "items"), 0), "id"), id);
	const char *cursor = hold(rstr(r, "next_cursor"));
	r = call(ADMIN, "GET", fmt("/api/v1/requests?sort=due_at&limit=2&cursor=%s", cursor), NULL);
	assert_status(r, 200);
	ck_assert_str_eq(jstr(json_array_get(json_object_get(r->json, "items"), 0), "id"),
			 jstr(json_array_get(items, 2), "id"));
	/* with waiting_on, the same order over the requests on that desk */
	json_t *want = keep(json_array());
	for (size_t i = 0; i < json_array_size(items); i++)
		if (!strcmp(jstr(json_array_get(items, i), "waiting_on"), "kepala_dinas"))
			json_array_append_new(want, json_string(jstr(json_array_get(items, i), "id")));
	json_t *got = keep(json_array());
	cursor = NULL;
	for (int page = 0; page < 200; page++) {
		r = call(ADMIN, "GET",
			 cursor ? fmt("/api/v1/requests?waiting_on=kepala_dinas&sort=due_at&limit=7&cursor=%s", cursor)
				: "/api/v1/requests?waiting_on=kepala_dinas&sort=due_at&limit=7",
			 NULL);
		assert_status(r, 200);
		json_t *page_items = json_object_get(r->json, "items");
		for (size_t i = 0; i < json_array_size(page_items); i++)
			json_array_append_new(got, json_string(jstr(json_array_get(page_items, i), "id")));
		if (json_is_null(json_object_get(r->json, "next_cursor")))
			break;
		cursor = hold(rstr(r, "next_cursor"));
	}
	ck_assert_msg(json_array_size(want) >= 2 && json_equal(want, got), "waiting_on pages %s, want %s", jdump(got),
		      jdump(want));
	/* updated_since is inclusive: the request updated at that instant is listed; one
	 * changed later shows up from an instant before its change */
	r = call(ADMIN, "GET", fmt("/api/v1/requests/%s", id), NULL);
	const char *updated = hold(rstr(r, "updated_at"));
	ck_assert_uint_eq(list_size(ADMIN, fmt("q=%s&updated_since=%s", urlenc(agenda), urlenc(updated))), 1);
	char t0[64];
	ck_assert(ts_sql_value(g_db, "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
			       t0, sizeof t0));
	ck_assert_uint_eq(list_size(ADMIN, fmt("q=%s&updated_since=%s", urlenc(agenda), t0)), 0);
	assert_status(call(KADIS, "POST", fmt("/api/v1/requests/%s/reject", id), "{\"reason\":\"Tidak lengkap.\"}"), 200);
	ck_assert_uint_eq(list_size(ADMIN, fmt("q=%s&updated_since=%s", urlenc(agenda), t0)), 1);
	/* bad values */
	static const char *const bad[][2] = {{"sla_state=late", "sla_state"}, {"sla_state=done_late", "sla_state"},
					     {"waiting_on=admin", "waiting_on"}, {"updated_since=yesterday", "updated_since"},
					     {"sort=title", "sort"}};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = call(ADMIN, "GET", fmt("/api/v1/requests?%s", bad[i][0]), NULL);
		assert_problem(r, 400, NULL);
		ck_assert_msg(field_error(r, bad[i][1]) != NULL, "%s: %s", bad[i][0], r->body);
		r = call(ADMIN, "GET", fmt("/api/v1/requests/counts?%s", bad[i][0]), NULL);
		assert_problem(r, 400, NULL);
	}
}
END_TEST

/* ---- the directory ------------------------------------------------------------ */

START_TEST(test_directory_scope)
{
	/* staff: every official and pd user, not admins nor auditors; the fields a picker needs */
	struct ts_resp *r = call(KASI, "GET", "/api/v1/directory?limit=200", NULL);
	assert_status(r, 200);
	json_t *items = json_object_get(r->json, "items");
	bool saw_admin = false, saw_pd_b = false, saw_kabid = false;
	for (size_t i = 0; i < json_array_size(items); i++) {
		json_t *p = json_array_get(items, i);
		saw_admin |= !strcmp(jstr(p, "role"), "admin") || !strcmp(jstr(p, "role"), "auditor");
		saw_pd_b |= !strcmp(jstr(p, "id"), P[PD_B].id);
		if (!strcmp(jstr(p, "id"), P[KABID].id)) {
			saw_kabid = true;
			ck_assert_str_eq(jstr(p, "position"), "Kepala Bidang Infrastruktur dan Aplikasi Informatika");
		}
		ck_assert_ptr_null(json_object_get(p, "username"));
		ck_assert_ptr_null(json_object_get(p, "password_hash"));
	}
	ck_assert(!saw_admin && saw_pd_b && saw_kabid);
	/* a pd user: its agency's people and the officials, never another agency's */
	r = call(PD_A, "GET", "/api/v1/directory?limit=200", NULL);
	assert_status(r, 200);
	items = json_object_get(r->json, "items");
	bool saw_sign_a = false;
	for (size_t i = 0; i < json_array_size(items); i++) {
		json_t *p = json_array_get(items, i);
		if (!strcmp(jstr(p, "role"), "pd"))
			ck_assert_str_eq(jstr(p, "agency_id"), AGENCY[0]);
		saw_sign_a |= !strcmp(jstr(p, "id"), P[SIGN_A].id);
		ck_assert_str_ne(jstr(p, "role"), "admin");
	}
	ck_assert(saw_sign_a);
	r = call(PD_A, "GET", fmt("/api/v1/directory?agency_id=%s", AGENCY[1]), NULL);
	assert_status(r, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(r->json, "items")), 0);
	ck_assert_str_eq(pick(PD_A, "pd", "Sari Dewi"), P[SIGN_A].id);
	ck_assert_str_eq(pick(PD_A, "kasi_ai", "Ratna"), P[KASI].id);
	/* a name or a position; one page after another in name order */
	ck_assert_str_eq(pick(KADIS, "kabid_iai", "Infrastruktur"), P[KABID].id);
	r = call(KADIS, "GET", "/api/v1/directory?limit=1", NULL);
	assert_status(r, 200);
	const char *first = hold(jstr(json_array_get(json_object_get(r->json, "items"), 0), "full_name"));
	r = call(KADIS, "GET", fmt("/api/v1/directory?limit=1&cursor=%s", rstr(r, "next_cursor")), NULL);
	assert_status(r, 200);
	ck_assert_int_le(strcmp(first, jstr(json_array_get(json_object_get(r->json, "items"), 0), "full_name")), 0);
	/* inactive people: hidden, listed for an administrator who asks, refused to others */
	static struct actor leaver = {"tim.pensiun", "tim_spbe", "Wayan Purnabakti", NULL, -1, false, "", ""};
	s47_add_user(&leaver);
	assert_status(call(ADMIN, "PATCH", fmt("/api/v1/users/%s", leaver.id), "{\"active\":false}"), 200);
	r = call(KADIS, "GET", "/api/v1/directory?q=Purnabakti", NULL);
	ck_assert_uint_eq(json_array_size(json_object_get(r->json, "items")), 0);
	r = call(ADMIN, "GET", "/api/v1/directory?q=Purnabakti&include_inactive=true", NULL);
	assert_status(r, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(r->json, "items")), 1);
	ck_assert(json_is_false(json_object_get(json_array_get(json_object_get(r->json, "items"), 0), "active")));
	assert_problem(call(KADIS, "GET", "/api/v1/directory?include_inactive=true", NULL), 403,
		       "directory.inactive_forbidden");
	assert_problem(call(KADIS, "GET", "/api/v1/directory?role=boss", NULL), 400, NULL);
	assert_problem(call(NOBODY, "GET", "/api/v1/directory", NULL), 401, NULL);
	make_client();
	assert_problem(call_as(&client, "GET", "/api/v1/directory", NULL), 403, NULL);
}
END_TEST

/* ---- the global audit trail ---------------------------------------------------- */

START_TEST(test_global_audit)
{
	/* a row of no request: a policy published by the administrator */
	assert_status(call(ADMIN, "PUT", "/api/v1/sla/policy",
			   "{\"steps\":[{\"step\":2,\"warn_after\":\"PT1H\",\"due_after\":\"PT3H\",\"clock\":\"working_time\"},"
			   "{\"step\":3,\"warn_after\":\"PT45M\",\"due_after\":\"PT1H\",\"clock\":\"working_time\"},"
			   "{\"step\":4,\"warn_after\":\"P5D\",\"due_after\":\"P7D\",\"clock\":\"working_days\"},"
			   "{\"step\":5,\"warn_after\":\"P5D\",\"due_after\":\"P7D\",\"clock\":\"working_days\"},"
			   "{\"step\":6,\"warn_after\":\"P5D\",\"due_after\":\"P7D\",\"clock\":\"working_days\"},"
			   "{\"step\":7,\"warn_after\":\"P5D\",\"due_after\":\"P7D\",\"clock\":\"working_days\"}]}"),
		      200);
	if (!auditor.token[0])
		s47_add_user(&auditor);
	struct ts_resp *r = call(ADMIN, "GET", "/api/v1/me", NULL);
	const char *admin_name = hold(rstr(r, "full_name"));
	r = call_as(&auditor, "GET", fmt("/api/v1/audit?actor=%s&limit=200", P[ADMIN].id), NULL);
	assert_status(r, 200);
	json_t *items = json_object_get(r->json, "items");
	bool policy = false, user = false;
	long long last = 0;
	for (size_t i = 0; i < json_array_size(items); i++) {
		json_t *row = json_array_get(items, i);
		ck_assert_str_eq(jstr(row, "actor_id"), P[ADMIN].id);
		ck_assert_str_eq(jstr(json_object_get(row, "actor"), "full_name"), admin_name);
		ck_assert_str_eq(jstr(json_object_get(row, "actor"), "role"), "admin");
		ck_assert_int_gt(jint(row, "id"), last);
		last = jint(row, "id");
		policy |= json_is_null(json_object_get(row, "request_id")) && !strncmp(jstr(row, "action"), "sla.", 4);
		user |= !strcmp(jstr(row, "action"), "user.create");
	}
	ck_assert(policy && user);
	/* filters: action, record, period; keyset pages cover every row once */
	r = call(ADMIN, "GET", "/api/v1/audit?action=user.create&record_type=user&limit=200", NULL);
	assert_status(r, 200);
	size_t users = json_array_size(json_object_get(r->json, "items"));
	ck_assert_uint_ge(users, WHO_COUNT - 1);
	size_t seen = 0;
	const char *cursor = NULL;
	for (int page = 0; page < 100; page++) {
		r = call(ADMIN, "GET",
			 cursor ? fmt("/api/v1/audit?action=user.create&limit=3&cursor=%s", cursor)
				: "/api/v1/audit?action=user.create&limit=3",
			 NULL);
		assert_status(r, 200);
		seen += json_array_size(json_object_get(r->json, "items"));
		if (json_is_null(json_object_get(r->json, "next_cursor")))
			break;
		cursor = hold(rstr(r, "next_cursor"));
	}
	ck_assert_uint_eq(seen, users);
	r = call(ADMIN, "GET", fmt("/api/v1/audit?record_type=user&record_id=%s", P[KASI].id), NULL);
	assert_status(r, 200);
	ck_assert_uint_ge(json_array_size(json_object_get(r->json, "items")), 1);
	r = call(ADMIN, "GET", "/api/v1/audit?from=2999-01-01T00:00:00Z", NULL);
	assert_status(r, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(r->json, "items")), 0);
	r = call(ADMIN, "GET", "/api/v1/audit?to=2000-01-01T00:00:00Z", NULL);
	ck_assert_uint_eq(json_array_size(json_object_get(r->json, "items")), 0);
	/* only the roles that see everything */
	for (enum who w = PD_A; w < WHO_COUNT; w++)
		assert_problem(call(w, "GET", "/api/v1/audit", NULL), 403, NULL);
	assert_problem(call(ADMIN, "GET", "/api/v1/audit?actor=me", NULL), 400, NULL);
	assert_problem(call(ADMIN, "GET", "/api/v1/audit?from=today", NULL), 400, NULL);
	assert_problem(call(ADMIN, "GET", "/api/v1/audit?cursor=bogus", NULL), 400, NULL);
}
END_TEST

/* ---- documents people file, and the SLA readable -------------------------------- */

static struct ts_resp *get_pdf(enum who who, const char *path)
{
	struct ts_resp *r = call(who, "GET", path, NULL);
	assert_status(r, 200);
	ck_assert_str_eq(r->content_type, "application/pdf");
	ck_assert_msg(r->len > 1000 && !memcmp(r->body, "%PDF-", 5), "not a PDF");
	return r;
}

START_TEST(test_documents_filed)
{
	/* the signed Berita Acara is stored once, as a document, and served byte for byte */
	struct flow f = drive(PD_A, "Aplikasi Arsip Digital", AT_BA_SIGNED);
	struct ts_resp *r = call(KASI, "GET", fmt("/api/v1/berita-acara/%s", f.ba), NULL);
	assert_status(r, 200);
	const char *doc = hold(rstr(r, "signed_document_id"));
	ck_assert_int_eq((int)strlen(doc), 36);
	r = call(PD_A, "GET", fmt("/api/v1/documents/%s", doc), NULL);
	assert_status(r, 200);
	ck_assert_str_eq(rstr(r, "type"), "berita_acara");
	ck_assert_str_eq(jstr(json_object_get(r->json, "uploaded_by_user"), "full_name"), P[SIGN_A].full_name);
	const char *sha = hold(rstr(r, "sha256"));
	struct ts_resp *a = get_pdf(KADIS, fmt("/api/v1/berita-acara/%s/pdf", f.ba));
	ck_assert_str_eq(sha256_hex(a->body, a->len), sha);
	struct ts_resp *b = get_pdf(PD_A, fmt("/api/v1/berita-acara/%s/pdf", f.ba));
	ck_assert(a->len == b->len && !memcmp(a->body, b->body, a->len));
	r = call(PD_A, "GET", fmt("/api/v1/documents/%s/content", doc), NULL);
	assert_status(r, 200);
	ck_assert(r->len == a->len && !memcmp(r->body, a->body, a->len));
	/* immutable in the database too, and only one */
	ck_assert(!ts_sql(g_db, fmt("UPDATE documents SET filename = 'x.pdf' WHERE id = '%s'", doc)));
	char n[16];
	ck_assert(ts_sql_value(g_db, fmt("SELECT count(*) FROM documents WHERE request_id = '%s' AND type = 'berita_acara'",
					 f.request), n, sizeof n));
	ck_assert_str_eq(n, "1");
	/* a Berita Acara still awaiting signatures is rendered now, not stored */
	struct flow g = drive(PD_A, "Aplikasi Belum Ditandatangani", AT_BA_SENT);
	r = call(KASI, "GET", fmt("/api/v1/berita-acara/%s", g.ba), NULL);
	ck_assert(json_is_null(json_object_get(r->json, "signed_document_id")));
	get_pdf(KASI, fmt("/api/v1/berita-acara/%s/pdf", g.ba));
	/* the Surat Tugas as a PDF, for every role that may read it; another agency's is not found */
	struct flow h = drive(PD_A, "Aplikasi Bertugas", AT_AGREED);
	r = call(KADIS, "POST", fmt("/api/v1/requests/%s/surat-tugas", h.request),
		 fmt("{\"member_ids\":[\"%s\",\"%s\"],\"purpose\":\"Membangun aplikasi.\"}", P[TIM1].id, P[TIM2].id));
	assert_status(r, 201);
	const char *st = hold(rstr(r, "id"));
	ck_assert_str_eq(jstr(json_array_get(json_object_get(r->json, "members"), 1), "full_name"), P[TIM2].full_name);
	r = get_pdf(TIM1, fmt("/api/v1/surat-tugas/%s/pdf", st));
	ck_assert_msg(strstr(ts_header(r, "Content-Disposition"), "surat-tugas-800-"), "%s",
		      ts_header(r, "Content-Disposition"));
	get_pdf(PD_A, fmt("/api/v1/surat-tugas/%s/pdf", st));
	assert_problem(call(PD_B, "GET", fmt("/api/v1/surat-tugas/%s/pdf", st), NULL), 404, "surat_tugas.not_found");
	assert_problem(call(TIM1, "GET", "/api/v1/surat-tugas/7b1e4c52-0d8f-4a3b-9c1d-2e5f6a7b8c9d/pdf", NULL), 404,
		       "surat_tugas.not_found");
}
END_TEST

START_TEST(test_sla_readable)
{
	/* each timeline step names its policy version and who completed it */
	struct flow f = drive(PD_A, "Aplikasi Tepat Waktu", AT_AWAL);
	struct ts_resp *r = call(KASI, "GET", fmt("/api/v1/requests/%s/timeline", f.request), NULL);
	assert_status(r, 200);
	json_t *steps = json_object_get(r->json, "steps");
	ck_assert(json_is_null(json_object_get(json_array_get(steps, 0), "policy_version")));
	json_t *s2 = json_array_get(steps, 1);
	ck_assert_int_ge(jint(s2, "policy_version"), 1);
	ck_assert_str_eq(jstr(json_object_get(s2, "completed_by_user"), "full_name"), P[KADIS].full_name);
	ck_assert(json_is_null(json_object_get(json_array_get(steps, 3), "completed_by_user")));
	/* that version is readable, also once newer ones exist */
	long long v = jint(s2, "policy_version");
	r = call(KASI, "GET", fmt("/api/v1/sla/policy?version=%lld", v), NULL);
	assert_status(r, 200);
	ck_assert_int_eq(rint(r, "version"), v);
	r = call(KASI, "GET", "/api/v1/sla/policy?version=1", NULL);
	assert_status(r, 200);
	ck_assert_int_eq(rint(r, "version"), 1);
	ck_assert_str_eq(jstr(json_array_get(json_object_get(r->json, "steps"), 0), "due_after"), "PT2H");
	assert_problem(call(KASI, "GET", "/api/v1/sla/policy?version=9999", NULL), 404, "sla.no_such_policy");
	assert_problem(call(KASI, "GET", "/api/v1/sla/policy?version=0", NULL), 400, NULL);
	assert_problem(call(KASI, "GET", "/api/v1/sla/policy?version=x", NULL), 400, NULL);
	/* the calendar in force */
	r = call(PD_A, "GET", "/api/v1/calendar", NULL);
	assert_status(r, 200);
	ck_assert_str_eq(rstr(r, "timezone"), "Asia/Makassar");
	json_t *hours = json_object_get(r->json, "office_hours");
	ck_assert_str_eq(jstr(json_object_get(hours, "mon"), "open"), "08:00");
	ck_assert_str_eq(jstr(json_object_get(hours, "fri"), "close"), "16:00");
	ck_assert(json_is_null(json_object_get(hours, "sun")) && json_is_null(json_object_get(hours, "sat")));
	assert_problem(call(NOBODY, "GET", "/api/v1/calendar", NULL), 401, NULL);
}
END_TEST

/* Request id's card in who's queue group kind, checked against its
 * timeline's step `step`: the same clock, pause and deadline, and the
 * working time left as the timeline says it — exactly when paused (both
 * measure to the pause's start), else within the seconds that passed
 * between the two reads (office time runs no faster than the wall clock). */
static json_t *card_against_timeline(enum who who, const char *kind, const char *id, int step)
{
	long long t0 = ts_now_ms();
	json_t *it = qitem(group_of(queue_of(who), kind), id);
	ck_assert_msg(it != NULL, "%s is not in the %s group", id, kind);
	struct ts_resp *r = call(who, "GET", fmt("/api/v1/requests/%s/timeline", id), NULL);
	long long passed_s = (ts_now_ms() - t0) / 1000 + 1;
	assert_status(r, 200);
	json_t *card = json_object_get(it, "request"), *st = json_array_get(json_object_get(r->json, "steps"), step - 1);
	ck_assert_int_eq(jint(st, "step"), step);
	ck_assert_str_eq(jstr(card, "clock"), jstr(st, "clock"));
	ck_assert_str_eq(jstr(card, "due_at"), jstr(st, "due_at"));
	ck_assert_str_eq(jstr(card, "sla_state"), jstr(st, "sla_state"));
	json_t *pauses = json_object_get(st, "pauses");
	json_t *open = json_array_size(pauses) ? json_array_get(pauses, json_array_size(pauses) - 1) : NULL;
	bool paused = open && json_is_null(json_object_get(open, "ended_at"));
	ck_assert_msg(paused == !json_is_null(json_object_get(card, "paused_since")), "card %s, timeline %s", jdump(card),
		      jdump(st));
	long long q = jint(card, "remaining_working_seconds"), t = jint(st, "remaining_working_seconds");
	if (paused)
		ck_assert_msg(q == t, "paused: the card says %lld s left, the timeline %lld s", q, t);
	else
		ck_assert_msg(llabs(q - t) <= passed_s, "the card says %lld s left, the timeline %lld s (%lld s apart)", q, t,
			      passed_s);
	return card;
}

/* The queue's cards say the working time left on the step's clock, as the
 * timeline does: running, late, and paused while the PD completes. */
START_TEST(test_queue_time_left)
{
	struct flow f = drive(PD_A, "Sisa Jam Kerja", AT_AWAL);
	json_t *card = card_against_timeline(KASI, "to_discuss", f.request, 4);
	ck_assert_msg(jint(card, "remaining_working_seconds") > 0, "%s", jdump(card));
	/* late: the deadline three days back */
	ck_assert(ts_sql(g_db, fmt("UPDATE step_instances SET warn_at = now() - interval '4 days', due_at = now() - interval '3 days'"
				   " WHERE request_id = '%s' AND step = 4",
				   f.request)));
	card = card_against_timeline(KASI, "to_discuss", f.request, 4);
	ck_assert_str_eq(jstr(card, "sla_state"), "breached");
	ck_assert_msg(jint(card, "remaining_working_seconds") < 0, "%s", jdump(card));
	/* paused: the PD completes; measured to the pause's start */
	struct flow p = drive(PD_A, "Sisa Jam Kerja Dijeda", AT_AWAITING_PD);
	card = card_against_timeline(PD_A, "to_complete", p.request, 4);
	ck_assert_str_eq(jstr(card, "sla_state"), "paused");
	ck_assert_msg(strlen(jstr(card, "paused_since")) == 20, "%s", jdump(card));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("screens");
	TCase *tc = s47_tcase("screens", up);
	tcase_add_test(tc, test_roles_day);
	tcase_add_test(tc, test_allowed_actions_matrix);
	tcase_add_test(tc, test_offer_follows_the_record);
	tcase_add_test(tc, test_lists_and_counts);
	tcase_add_test(tc, test_directory_scope);
	tcase_add_test(tc, test_global_audit);
	tcase_add_test(tc, test_documents_filed);
	tcase_add_test(tc, test_sla_readable);
	tcase_add_test(tc, test_queue_time_left);
	s47_add_clean_stop(tc);
	suite_add_tcase(s, tc);
	return s47_main(s);
}
