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

static const char *new_request(enum who pd, const char *title, bool submit)
{
	struct ts_resp *r = call(pd, "POST", "/api/v1/requests",
				 fmt("{\"kind\":\"pembangunan\",\"title\":\"%s\",\"submit\":%s}", title,
				     submit ? "true" : "false"));
	assert_status(r, 201);
	return hold(rstr(r, "id"));
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
	ck_assert_int_eq(qtotal(KASI), 0);
	ck_assert_int_eq(qtotal(TIM1), 0);
	r = call(KASI, "POST", fmt("/api/v1/requests/%s/berita-acara", id), "{}");
	assert_status(r, 201);
	const char *ba = hold(rstr(r, "id"));
	r = call(KASI, "POST", fmt("/api/v1/berita-acara/%s/send", ba), "{}");
	assert_status(r, 200);
	const char *confirm = hold(fmt("{\"content_sha256\":\"%s\"}", rstr(r, "content_sha256")));

	/* each signatory sees the signature awaited, signs, and it is gone */
	g = group_of(queue_of(KADIS), "signatures");
	ck_assert_int_eq(jint(g, "count"), 1);
	ck_assert_str_eq(jstr(qitem(g, id), "berita_acara_id"), ba);
	ck_assert_int_eq(qcount(SIGN_A, "signatures"), 1);
	ck_assert_int_eq(qcount(PD_A, "signatures"), 0); /* not the agency's signatory */
	assert_status(call(KADIS, "POST", fmt("/api/v1/berita-acara/%s/signatures", ba), confirm), 201);
	ck_assert_int_eq(qcount(KADIS, "signatures"), 0);
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
	ck_assert_int_eq(qcount(KADIS, "to_conclude"), 1);
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

int main(void)
{
	Suite *s = suite_create("screens");
	TCase *tc = s47_tcase("screens", up);
	tcase_add_test(tc, test_roles_day);
	tcase_add_test(tc, test_allowed_actions_matrix);
	s47_add_clean_stop(tc);
	suite_add_tcase(s, tc);
	return s47_main(s);
}
