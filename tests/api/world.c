/* world.c — see world.h. */
#include "tests/api/world.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct actor W[WHO_COUNT] = {
	[ADMIN] = {"admin", "admin", -1, false, "", ""},
	[KADIS] = {"kadis", "kepala_dinas", -1, false, "", ""},
	[KADIS2] = {"kadis.dua", "kepala_dinas", -1, false, "", ""},
	[SEKRETARIAT] = {"sekretariat", "sekretariat", -1, false, "", ""},
	[KABID] = {"kabid", "kabid_iai", -1, false, "", ""},
	[KABID2] = {"kabid.dua", "kabid_iai", -1, false, "", ""},
	[KASI] = {"kasi", "kasi_ai", -1, false, "", ""},
	[TIM] = {"tim.spbe", "tim_spbe", -1, false, "", ""},
	[PD_A] = {"pd.a", "pd", 0, false, "", ""},
	[PD_A_SIGN] = {"kepala.a", "pd", 0, true, "", ""},
	[PD_B] = {"pd.b", "pd", 1, false, "", ""},
	[AUDITOR] = {"auditor", "auditor", -1, false, "", ""},
	[CLIENT_A] = {NULL, "integration", 0, false, "", ""},
	[CLIENT_ALL] = {NULL, "integration", -1, false, "", ""},
};
char AGENCY_A[40], AGENCY_B[40];
struct ts_daemon *g_d;
char g_db[512];

/* ---- formatting and HTTP --------------------------------------------------- */

const char *fmt(const char *f, ...)
{
	static _Thread_local char ring[256][2048];
	static _Thread_local int next;
	char *buf = ring[next++ % 256];
	va_list ap;
	va_start(ap, f);
	int n = vsnprintf(buf, sizeof ring[0], f, ap);
	va_end(ap);
	ck_assert_msg(n >= 0 && (size_t)n < sizeof ring[0], "fmt: %d characters do not fit", n);
	return buf;
}

struct ts_resp *callh(enum who who, const char *method, const char *path, const char *body, ...)
{
	const char *h[16];
	int n = 0;
	char auth[2200];
	if (who != NOBODY) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", W[who].token);
		h[n++] = auth;
	}
	if (body)
		h[n++] = "Content-Type: application/json";
	va_list ap;
	va_start(ap, body);
	for (const char *x; (x = va_arg(ap, const char *)) != NULL;) {
		ck_assert_int_lt(n, 15);
		h[n++] = x;
	}
	va_end(ap);
	h[n] = NULL;
	return ts_http(g_d, method, path, h, body, body ? strlen(body) : 0);
}

const char *jstr(const struct ts_resp *r, const char *key)
{
	const char *s = json_string_value(json_object_get(r->json, key));
	return s ? s : "";
}

long long jint(const struct ts_resp *r, const char *key)
{
	json_t *v = json_object_get(r->json, key);
	return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

/* ---- set-up ---------------------------------------------------------------- */

static const char *password_of(const char *username)
{
	return fmt("Rahasia.Uji.%s.2024", username);
}

static bool login(struct actor *a)
{
	return tf_login(g_d, a->username, password_of(a->username), a->token, sizeof a->token);
}

/* The POST /api/v1/users body that creates a. */
static const char *user_body(const struct actor *a)
{
	const char *agency = a->agency == 0 ? fmt("\"%s\"", AGENCY_A) : a->agency == 1 ? fmt("\"%s\"", AGENCY_B) : "null";
	return fmt("{\"username\":\"%s\",\"full_name\":\"Pengguna %s\",\"role\":\"%s\",\"agency_id\":%s,"
		   "\"is_signatory\":%s,\"password\":\"%s\"}",
		   a->username, a->username, a->role, agency, a->signatory ? "true" : "false", password_of(a->username));
}

void world_add_user(struct actor *a)
{
	struct ts_resp *r = call(ADMIN, "POST", "/api/v1/users", user_body(a));
	assert_status(r, 201);
	snprintf(a->id, sizeof a->id, "%s", jstr(r, "id"));
	ck_assert_msg(login(a), "%s cannot log in (see above)", a->username);
}

/* Check's assertions longjmp out of the test; on a set-up thread they must
 * not, so a thread reports what failed and the caller asserts afterwards. */
static bool setup_one(void *arg)
{
	struct actor *a = arg;
	return tf_create_user(g_d, W[ADMIN].token, a->username, user_body(a), a->id, sizeof a->id) && login(a);
}

static void make_agency(const char *code, const char *name, char *id)
{
	struct ts_resp *r = call(ADMIN, "POST", "/api/v1/agencies",
				 fmt("{\"code\":\"%s\",\"name\":\"%s\",\"head_name\":\"Kepala %s\"}", code, name, code));
	assert_status(r, 201);
	snprintf(id, 40, "%s", jstr(r, "id"));
}

static void make_client(enum who who, const char *name, const char *agency)
{
	struct ts_resp *r = call(ADMIN, "POST", "/api/v1/clients",
				 fmt("{\"name\":\"%s\",\"agency_id\":%s}", name, agency ? fmt("\"%s\"", agency) : "null"));
	assert_status(r, 201);
	snprintf(W[who].id, sizeof W[who].id, "%s", jstr(r, "id"));
	r = call(NOBODY, "POST", "/api/v1/auth/token",
		 fmt("{\"grant_type\":\"client_credentials\",\"client_id\":\"%s\",\"client_secret\":\"%s\"}",
		     jstr(r, "client_id"), jstr(r, "client_secret")));
	assert_status(r, 200);
	snprintf(W[who].token, sizeof W[who].token, "%s", jstr(r, "access_token"));
}

void world_up(const char *suite, const char *const *extra_env)
{
	/* hashing is what set-up waits on: let four run at once */
	const char *env[32];
	int n = 0;
	env[n++] = "ALURD_HASH_CONCURRENCY=4";
	env[n++] = "ALURD_LOG_LEVEL=info";
	for (const char *const *p = extra_env; p && *p && n < 30; p++)
		env[n++] = *p;
	env[n] = NULL;
	g_d = tf_suite_start(suite, env, g_db, sizeof g_db);

	const char *out = tf_admin_create(g_db, W[ADMIN].username, password_of(W[ADMIN].username));
	ck_assert_msg(strstr(out, "created administrator"), "admin create: %s", out);
	ck_assert_msg(login(&W[ADMIN]), "the first administrator cannot log in (see above)");
	struct ts_resp *me = call(ADMIN, "GET", "/api/v1/me", NULL);
	assert_status(me, 200);
	snprintf(W[ADMIN].id, sizeof W[ADMIN].id, "%s", jstr(me, "id"));

	make_agency("DINAS-A", "Dinas Alpha Provinsi Bali", AGENCY_A);
	make_agency("DINAS-B", "Dinas Beta Provinsi Bali", AGENCY_B);

	void *users[WHO_COUNT];
	int n_users = 0;
	for (int i = ADMIN + 1; i < WHO_COUNT; i++)
		if (W[i].username)
			users[n_users++] = &W[i];
	ck_assert_msg(tf_all_at_once(n_users, setup_one, users), "some users could not be created or log in (see above)");

	make_client(CLIENT_A, "E-Office Dinas Alpha", AGENCY_A);
	make_client(CLIENT_ALL, "E-Office Provinsi", NULL);
}

void world_down(void)
{
	tf_suite_down(&g_d, g_db);
}

void world_each_after(void)
{
	ts_gc();
}

/* ---- the procedure ---------------------------------------------------------- */

struct uid new_request_json(enum who who, const char *json)
{
	struct ts_resp *r = call(who, "POST", "/api/v1/requests", json);
	assert_status(r, 201);
	struct uid id;
	snprintf(id.s, sizeof id.s, "%s", jstr(r, "id"));
	ck_assert_msg(id.s[0], "no id in %s", r->body);
	return id;
}

struct uid new_draft(enum who who, const char *title)
{
	return new_request_json(who, fmt("{\"kind\":\"pembangunan\",\"title\":\"%s\",\"description\":\"Aplikasi %s\"}",
					 title, title));
}

/* A real (tiny) PDF: the daemon sniffs the content. */
static const char tiny_pdf[] = "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

struct ts_resp *upload_pdf(enum who who, const char *request_id, const char *type, ...)
{
	const char *h[8];
	int n = 0;
	char auth[2200];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", W[who].token);
	h[n++] = auth;
	h[n++] = "Content-Type: application/pdf";
	va_list ap;
	va_start(ap, type);
	for (const char *x; (x = va_arg(ap, const char *)) != NULL;) {
		ck_assert_int_lt(n, 7);
		h[n++] = x;
	}
	va_end(ap);
	h[n] = NULL;
	return ts_http(g_d, "POST", fmt("/api/v1/requests/%s/documents?type=%s&filename=%s.pdf", request_id, type, type),
		       h, tiny_pdf, sizeof tiny_pdf - 1);
}

void attach_submission_documents(enum who who, const char *request_id)
{
	assert_status(upload_pdf(who, request_id, "surat_permohonan", (const char *)NULL), 201);
	assert_status(upload_pdf(who, request_id, "proses_bisnis", (const char *)NULL), 201);
}

void submit(enum who who, const char *request_id)
{
	attach_submission_documents(who, request_id);
	struct ts_resp *r = call(who, "POST", fmt("/api/v1/requests/%s/submit", request_id), NULL);
	assert_status(r, 200);
	ck_assert_str_eq(jstr(r, "status"), "submitted");
}

struct uid register_request(const char *request_id)
{
	struct ts_resp *r = call(SEKRETARIAT, "POST", fmt("/api/v1/requests/%s/register", request_id), NULL);
	assert_status(r, 200);
	ck_assert_str_eq(jstr(r, "status"), "awaiting_disposition");
	struct uid agenda;
	snprintf(agenda.s, sizeof agenda.s, "%s", jstr(r, "agenda_number"));
	return agenda;
}

struct uid dispose(const char *request_id)
{
	struct ts_resp *r = call(KADIS, "POST", fmt("/api/v1/requests/%s/dispositions", request_id),
				 fmt("{\"to_user_ids\":[\"%s\"],\"instruction_kind\":\"tindak_lanjuti\","
				     "\"instruction\":\"Mohon ditindaklanjuti.\"}",
				     W[KABID].id));
	assert_status(r, 201);
	struct uid id;
	snprintf(id.s, sizeof id.s, "%s", jstr(r, "id"));
	return id;
}

void mark_read(enum who who, const char *disposition_id)
{
	struct ts_resp *r = call(who, "POST", fmt("/api/v1/dispositions/%s/read", disposition_id), NULL);
	assert_status(r, 200);
}

struct uid derive(const char *request_id, const char *parent_id)
{
	struct ts_resp *r = call(KABID, "POST", fmt("/api/v1/requests/%s/dispositions", request_id),
				 fmt("{\"to_user_ids\":[\"%s\"],\"instruction_kind\":\"koordinasikan\","
				     "\"instruction\":\"Siapkan pembahasan awal.\",\"parent_id\":\"%s\"}",
				     W[KASI].id, parent_id));
	assert_status(r, 201);
	struct uid id;
	snprintf(id.s, sizeof id.s, "%s", jstr(r, "id"));
	return id;
}

struct uid request_at(enum who pd, enum stage stage, const char *title, struct uid *disposition, struct uid *derived)
{
	struct uid id = new_draft(pd, title);
	if (stage >= AT_SUBMITTED)
		submit(pd, id.s);
	if (stage >= AT_AWAITING_DISPOSITION)
		register_request(id.s);
	if (stage >= AT_DISPOSED) {
		struct uid d = dispose(id.s);
		if (disposition)
			*disposition = d;
		if (stage >= AT_IN_DISCUSSION) {
			struct uid k = derive(id.s, d.s);
			if (derived)
				*derived = k;
		}
	}
	return id;
}

const char *status_of(const char *request_id)
{
	struct ts_resp *r = call(ADMIN, "GET", fmt("/api/v1/requests/%s", request_id), NULL);
	assert_status(r, 200);
	return jstr(r, "status");
}

/* ---- suites ----------------------------------------------------------------- */

START_TEST(test_clean_stop)
{
	tf_assert_clean_stop(g_d);
	tf_assert_drained(g_d);
}
END_TEST

TCase *world_tcase(const char *name, void (*setup)(void))
{
	return tf_tcase(name, setup, world_down, world_each_after, 120);
}

void world_add_clean_stop(TCase *tc)
{
	tcase_add_test(tc, test_clean_stop);
}

int world_main(int argc, char **argv, Suite *(*const *suites)(void))
{
	return tf_main(argc, argv, suites);
}
