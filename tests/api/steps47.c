/* steps47.c — see steps47.h. */
#include "tests/api/steps47.h"

#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct actor P[WHO_COUNT] = {
	[ADMIN] = {"admin", "admin", "Administrator", NULL, -1, false, "", ""},
	[PD_A] = {"pd.alpha", "pd", "Komang Ayu Lestari", NULL, 0, false, "", ""},
	[SIGN_A] = {"kepala.alpha", "pd", "Dr. Ni Luh Putu Sari Dewi", "198001012005012003", 0, true, "", ""},
	[PD_B] = {"pd.beta", "pd", "Gede Arya Pratama", NULL, 1, false, "", ""},
	[SIGN_B] = {"kepala.beta", "pd", "Ir. I Ketut Suardana", "197708172003121004", 1, true, "", ""},
	[SEKRETARIAT] = {"sekretariat", "sekretariat", "Made Sri Utami", NULL, -1, false, "", ""},
	[KADIS] = {"kadis", "kepala_dinas", "I Made Wirawan Santika", "197503152000031002", -1, false, "", ""},
	[KABID] = {"kabid", "kabid_iai", "Putu Eka Mahendra", NULL, -1, false, "", ""},
	[KASI] = {"kasi", "kasi_ai", "Ni Wayan Ratna Sari", NULL, -1, false, "", ""},
	[TIM1] = {"tim.satu", "tim_spbe", "Kadek Dwi Saputra", NULL, -1, false, "", ""},
	[TIM2] = {"tim.dua", "tim_spbe", "Luh Gede Anggreni", NULL, -1, false, "", ""},
};
char AGENCY[2][40];
const char *const AGENCY_NAME[2] = {"Dinas Kesehatan Provinsi Bali", "Badan Pendapatan Daerah Provinsi Bali"};
struct ts_daemon *g_d;
char g_db[512];

/* JSON values this file hands out, freed after each test. */
static json_t *owned[256];
static int nowned;

json_t *keep(json_t *v)
{
	if (nowned < (int)(sizeof owned / sizeof owned[0]))
		owned[nowned++] = v;
	else
		fprintf(stderr, "keep: more than %zu values in one test; one leaks\n", sizeof owned / sizeof owned[0]);
	return v;
}

/* ---- formatting and HTTP --------------------------------------------------- */

const char *fmt(const char *f, ...)
{
	static _Thread_local char ring[64][8192];
	static _Thread_local int next;
	char *buf = ring[next++ % 64];
	va_list ap;
	va_start(ap, f);
	int n = vsnprintf(buf, sizeof ring[0], f, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof ring[0]) {
		fprintf(stderr, "fmt: %d characters do not fit\n", n);
		abort();
	}
	return buf;
}

static struct ts_resp *callv(const char *token, const char *method, const char *path, const char *body, va_list ap)
{
	const char *h[16];
	int n = 0;
	char auth[2200];
	if (token) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
		h[n++] = auth;
	}
	if (body)
		h[n++] = "Content-Type: application/json";
	for (const char *x; n < 15 && (x = va_arg(ap, const char *)) != NULL;)
		h[n++] = x;
	h[n] = NULL;
	return ts_http(g_d, method, path, h, body, body ? strlen(body) : 0);
}

struct ts_resp *callh(enum who who, const char *method, const char *path, const char *body, ...)
{
	va_list ap;
	va_start(ap, body);
	struct ts_resp *r = callv(who == NOBODY ? NULL : P[who].token, method, path, body, ap);
	va_end(ap);
	return r;
}

static struct ts_resp *call_token(const char *token, const char *method, const char *path, const char *body, ...)
{
	va_list ap;
	va_start(ap, body);
	struct ts_resp *r = callv(token, method, path, body, ap);
	va_end(ap);
	return r;
}

struct ts_resp *call_as(const struct actor *a, const char *method, const char *path, const char *body)
{
	return call_token(a->token, method, path, body, NULL);
}

struct ts_resp *call_ash(const struct actor *a, const char *method, const char *path, const char *body, ...)
{
	va_list ap;
	va_start(ap, body);
	struct ts_resp *r = callv(a->token, method, path, body, ap);
	va_end(ap);
	return r;
}

struct ts_resp *call(enum who who, const char *method, const char *path, const char *body)
{
	return callh(who, method, path, body, NULL);
}

struct ts_resp *upload(enum who who, const char *request_id, const char *type, const char *filename,
		       const char *content_type, const void *bytes, size_t len)
{
	char auth[2200], ct[128];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", P[who].token);
	snprintf(ct, sizeof ct, "Content-Type: %s", content_type);
	const char *h[] = {auth, ct, NULL};
	return ts_http(g_d, "POST", fmt("/api/v1/requests/%s/documents?type=%s&filename=%s", request_id, type, filename),
		       h, bytes, len);
}

void attach_submission_documents(enum who who, const char *request_id)
{
	assert_status(upload(who, request_id, "surat_permohonan", "surat.pdf", "application/pdf", MINI_PDF, MINI_PDF_LEN),
		      201);
	assert_status(upload(who, request_id, "proses_bisnis", "proses-bisnis.pdf", "application/pdf", MINI_PDF,
			     MINI_PDF_LEN),
		      201);
}

const char *jstr(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? s : "";
}

const char *jdump(const json_t *v)
{
	if (!v)
		return "(none)";
	char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	const char *copy = fmt("%.8000s", text ? text : "(unprintable)");
	free(text);
	return copy;
}

long long jint(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

/* ---- assertions ---------------------------------------------------------- */

void assert_problem_at(const char *file, int line, const struct ts_resp *r, long status, const char *code)
{
	tf_assert_status_at(file, line, r, status);
	ck_assert_msg(tf_media_type_is(r->content_type, "application/problem+json"),
		      "%s:%d: Content-Type '%s', expected application/problem+json", file, line, r->content_type);
	ck_assert_msg(json_is_object(r->json) && json_is_string(json_object_get(r->json, "type")) &&
			      json_is_string(json_object_get(r->json, "title")) &&
			      json_is_string(json_object_get(r->json, "detail")) &&
			      json_integer_value(json_object_get(r->json, "status")) == status,
		      "%s:%d: not an RFC 9457 problem with status %ld: %.500s", file, line, status, r->body);
	if (code)
		ck_assert_msg(strcmp(ts_problem_code(r), code) == 0, "%s:%d: code '%s', expected '%s'; body: %.500s",
			      file, line, ts_problem_code(r), code, r->body);
}

json_t *field_error(const struct ts_resp *r, const char *field)
{
	json_t *errors = json_object_get(r->json, "errors");
	size_t i;
	json_t *e;
	json_array_foreach(errors, i, e) {
		const char *f = json_string_value(json_object_get(e, "field"));
		if (f && strcmp(f, field) == 0)
			return e;
	}
	return NULL;
}

const char *field_error_code(const struct ts_resp *r, const char *field)
{
	const char *code = json_string_value(json_object_get(field_error(r, field), "code"));
	return code ? code : "";
}

bool field_error_under(const struct ts_resp *r, const char *prefix)
{
	json_t *errors = json_object_get(r->json, "errors");
	size_t i;
	json_t *e;
	json_array_foreach(errors, i, e) {
		const char *f = json_string_value(json_object_get(e, "field"));
		if (f && strncmp(f, prefix, strlen(prefix)) == 0)
			return true;
	}
	return false;
}

const char *error_fields(const struct ts_resp *r)
{
	static _Thread_local char buf[1024];
	buf[0] = '\0';
	json_t *errors = json_object_get(r->json, "errors");
	size_t i;
	json_t *e;
	json_array_foreach(errors, i, e) {
		size_t at = strlen(buf);
		snprintf(buf + at, sizeof buf - at, "%s%s (%s)", i ? ", " : "", jstr(e, "field"), jstr(e, "code"));
	}
	return buf[0] ? buf : "(no errors[])";
}

bool matches(const char *s, const char *re)
{
	regex_t rx;
	ck_assert_msg(regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) == 0, "bad regular expression %s", re);
	bool ok = s && regexec(&rx, s, 0, NULL, 0) == 0;
	regfree(&rx);
	return ok;
}

int wita_year(void)
{
	time_t now = time(NULL) + 8 * 3600;
	struct tm tm;
	gmtime_r(&now, &tm);
	return tm.tm_year + 1900;
}

const char *sha256_hex(const void *bytes, size_t n)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, bytes, n);
	char hex[2 * sizeof h + 1];
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	return fmt("%s", hex);
}

const char *ba_content_sha256(const json_t *ba)
{
	json_t *doc = json_object();
	static const char *const keys[] = {"date", "milestones", "number", "parties", "request_id", "scope"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		json_t *v = json_object_get(ba, keys[i]);
		ck_assert_msg(v != NULL, "the Berita Acara has no %s member", keys[i]);
		json_object_set(doc, keys[i], v);
	}
	char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(doc);
	const char *hex = sha256_hex(text, strlen(text));
	free(text);
	return hex;
}

/* ---- set-up ---------------------------------------------------------------- */

static const char *password_of(const char *username)
{
	return fmt("Sandi.Uji.%s.2025", username);
}

static bool login(struct actor *a)
{
	return tf_login(g_d, a->username, password_of(a->username), a->token, sizeof a->token);
}

/* Check's assertions longjmp out of the test; a set-up thread only reports. */
static bool setup_one(void *arg)
{
	struct actor *a = arg;
	const char *agency = a->agency >= 0 ? fmt("\"%s\"", AGENCY[a->agency]) : "null";
	const char *nip = a->nip ? fmt("\"%s\"", a->nip) : "null";
	const char *body = fmt("{\"username\":\"%s\",\"full_name\":\"%s\",\"nip\":%s,\"role\":\"%s\","
			       "\"agency_id\":%s,\"is_signatory\":%s,\"password\":\"%s\"}",
			       a->username, a->full_name, nip, a->role, agency, a->signatory ? "true" : "false",
			       password_of(a->username));
	return tf_create_user(g_d, P[ADMIN].token, a->username, body, a->id, sizeof a->id) && login(a);
}

void s47_add_user(struct actor *a)
{
	ck_assert_msg(setup_one(a), "%s could not be created or log in (see above)", a->username);
}

void s47_up(const char *suite)
{
	s47_up_env(suite, NULL);
}

void s47_up_env(const char *suite, const char *const *extra_env)
{
	/* password hashing is what set-up waits on: let four run at once */
	const char *env[16] = {"ALURD_HASH_CONCURRENCY=4", "ALURD_LOG_LEVEL=info"};
	for (int i = 0; extra_env && extra_env[i] && i < 13; i++)
		env[2 + i] = extra_env[i];
	g_d = tf_suite_start(suite, env, g_db, sizeof g_db);

	const char *out = tf_admin_create(g_db, P[ADMIN].username, password_of(P[ADMIN].username));
	ck_assert_msg(strstr(out, "created administrator"), "admin create: %s", out);
	ck_assert_msg(login(&P[ADMIN]), "the first administrator cannot log in");
	struct ts_resp *me = call(ADMIN, "GET", "/api/v1/me", NULL);
	assert_status(me, 200);
	snprintf(P[ADMIN].id, sizeof P[ADMIN].id, "%s", rstr(me, "id"));

	static const char *const codes[2] = {"DINKES", "BAPENDA"};
	for (int i = 0; i < 2; i++) {
		struct ts_resp *r = call(ADMIN, "POST", "/api/v1/agencies",
					 fmt("{\"code\":\"%s\",\"name\":\"%s\",\"head_name\":\"Kepala %s\"}", codes[i],
					     AGENCY_NAME[i], codes[i]));
		assert_status(r, 201);
		snprintf(AGENCY[i], sizeof AGENCY[i], "%s", rstr(r, "id"));
	}

	void *users[WHO_COUNT];
	int n_users = 0;
	for (int i = ADMIN + 1; i < WHO_COUNT; i++)
		users[n_users++] = &P[i];
	ck_assert_msg(tf_all_at_once(n_users, setup_one, users), "some users could not be created or log in (see above)");
}

void s47_down(void)
{
	tf_suite_down(&g_d, g_db);
	s47_each_after();
}

void s47_each_after(void)
{
	for (int i = 0; i < nowned; i++)
		json_decref(owned[i]);
	nowned = 0;
	ts_gc();
}

START_TEST(test_clean_stop)
{
	tf_assert_clean_stop(g_d);
	tf_assert_drained(g_d);
}
END_TEST

TCase *s47_tcase(const char *name, void (*setup)(void))
{
	return tf_tcase(name, setup, s47_down, s47_each_after, 120);
}

void s47_add_clean_stop(TCase *tc)
{
	tcase_add_test(tc, test_clean_stop);
}

int s47_main(Suite *s)
{
	if (sodium_init() < 0)
		return EXIT_FAILURE;
	return tf_run(srunner_create(s), NULL);
}

/* ---- the procedure ---------------------------------------------------------- */

const char MINI_PDF[] =
	"%PDF-1.4\n"
	"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
	"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
	"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
	"trailer << /Root 1 0 R >>\n"
	"%%EOF\n";
const size_t MINI_PDF_LEN = sizeof MINI_PDF - 1;

static const char *const items[] = {"alur_sistem", "data_input_output", "mekanisme_validasi",
				    "role_pengguna", "mekanisme_pelaporan", "proses_bisnis_terkait"};

const char *checklist(const char *incomplete, const char *not_applicable)
{
	char buf[2048] = "{";
	for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
		const char *item;
		if (incomplete && strcmp(items[i], incomplete) == 0)
			item = "{\"status\":\"incomplete\",\"note\":\"Belum dijelaskan; PD melengkapi.\"}";
		else if (not_applicable && strcmp(items[i], not_applicable) == 0)
			item = "{\"status\":\"not_applicable\",\"note\":\"Tidak ada proses terkait.\"}";
		else
			item = "{\"status\":\"complete\",\"note\":\"\"}";
		size_t at = strlen(buf);
		snprintf(buf + at, sizeof buf - at, "%s\"%s\":%s", i ? "," : "", items[i], item);
	}
	strcat(buf, "}");
	return fmt("%s", buf);
}

static const char *attendees(void)
{
	return fmt("[{\"user_id\":\"%s\"},{\"user_id\":\"%s\"},"
		   "{\"name\":\"dr. Wayan Sudarsana\",\"position\":\"Kepala Bidang Pelayanan\",\"agency\":\"%s\"}]",
		   P[KASI].id, P[TIM1].id, AGENCY_NAME[0]);
}

const char *discussion_body(const char *phase)
{
	const char *extra = "";
	if (strcmp(phase, "awal") == 0)
		extra = fmt(",\"checklist\":%s", checklist(NULL, "proses_bisnis_terkait"));
	else if (strcmp(phase, "final") == 0)
		extra = ",\"scope\":" FINAL_SCOPE ",\"milestones\":" FINAL_MILESTONES;
	return fmt("{\"phase\":\"%s\",\"held_at\":\"2025-03-10T09:00:00+08:00\",\"place\":\"Ruang Rapat Kominfos\","
		   "\"attendees\":%s,\"minutes\":\"Pembahasan %s.\",\"decisions\":\"Lanjut.\"%s}",
		   phase, attendees(), phase, extra);
}

struct ts_resp *record(enum who who, const char *request_id, const char *body)
{
	return call(who, "POST", fmt("/api/v1/requests/%s/discussions", request_id), body);
}

const char *status_of(const char *request_id)
{
	struct ts_resp *r = call(KASI, "GET", fmt("/api/v1/requests/%s", request_id), NULL);
	assert_status(r, 200);
	if (strcmp(rstr(r, "status"), "in_discussion") == 0)
		return fmt("in_discussion/%s", rstr(r, "phase"));
	return rstr(r, "status");
}

static void copy_id(char *dst, const struct ts_resp *r)
{
	snprintf(dst, 40, "%s", rstr(r, "id"));
	ck_assert_msg(dst[0], "no id in %.300s", r->body);
}

struct flow drive(enum who pd, const char *title, enum stage stage)
{
	struct flow f;
	memset(&f, 0, sizeof f);
	struct ts_resp *r = call(pd, "POST", "/api/v1/requests",
				 fmt("{\"kind\":\"pengembangan\",\"title\":\"%s\",\"description\":\"Permohonan %s\"}",
				     title, title));
	assert_status(r, 201);
	copy_id(f.request, r);
	attach_submission_documents(pd, f.request);
	assert_status(call(pd, "POST", fmt("/api/v1/requests/%s/submit", f.request), NULL), 200);
	assert_status(call(SEKRETARIAT, "POST", fmt("/api/v1/requests/%s/register", f.request), NULL), 200);
	r = call(KADIS, "POST", fmt("/api/v1/requests/%s/dispositions", f.request),
		 fmt("{\"to_user_ids\":[\"%s\"],\"instruction_kind\":\"tindak_lanjuti\",\"instruction\":\"Tindak lanjuti.\"}",
		     P[KABID].id));
	assert_status(r, 201);
	const char *parent = fmt("%s", rstr(r, "id"));
	r = call(KABID, "POST", fmt("/api/v1/requests/%s/dispositions", f.request),
		 fmt("{\"to_user_ids\":[\"%s\"],\"instruction_kind\":\"koordinasikan\",\"instruction\":\"Bahas.\","
		     "\"parent_id\":\"%s\"}",
		     P[KASI].id, parent));
	assert_status(r, 201);
	if (stage == AT_AWAL)
		return f;
	if (stage == AT_AWAITING_PD) {
		r = record(KASI, f.request,
			   fmt("{\"phase\":\"awal\",\"held_at\":\"2025-03-10T09:00:00+08:00\",\"attendees\":%s,"
			       "\"checklist\":%s}",
			       attendees(), checklist("mekanisme_validasi", NULL)));
		assert_status(r, 201);
		copy_id(f.awal, r);
		return f;
	}
	r = record(KASI, f.request, discussion_body("awal"));
	assert_status(r, 201);
	copy_id(f.awal, r);
	if (stage == AT_LANJUTAN)
		return f;
	assert_status(record(TIM1, f.request, discussion_body("lanjutan")), 201);
	if (stage == AT_FINAL)
		return f;
	r = record(KASI, f.request, discussion_body("final"));
	assert_status(r, 201);
	copy_id(f.final, r);
	if (stage == AT_AGREED)
		return f;
	r = call(KASI, "POST", fmt("/api/v1/requests/%s/berita-acara", f.request), "{}");
	assert_status(r, 201);
	copy_id(f.ba, r);
	if (stage == AT_BA_DRAFT)
		return f;
	r = call(KASI, "POST", fmt("/api/v1/berita-acara/%s/send", f.ba), "{}");
	assert_status(r, 200);
	snprintf(f.sha256, sizeof f.sha256, "%s", rstr(r, "content_sha256"));
	if (stage == AT_BA_SENT)
		return f;
	const char *confirm = fmt("{\"content_sha256\":\"%s\"}", f.sha256);
	assert_status(call(KADIS, "POST", fmt("/api/v1/berita-acara/%s/signatures", f.ba), confirm), 201);
	enum who signatory = P[pd].agency == 0 ? SIGN_A : SIGN_B;
	r = call(signatory, "POST", fmt("/api/v1/berita-acara/%s/signatures", f.ba), confirm);
	assert_status(r, 201);
	ck_assert_str_eq(rstr(r, "status"), "signed");
	return f;
}

json_t *audit_actions(const char *request_id)
{
	json_t *list = keep(json_array());
	const char *cursor = NULL;
	for (int page = 0; page < 20; page++) {
		const char *path = cursor ? fmt("/api/v1/requests/%s/audit?limit=200&cursor=%s", request_id, cursor)
					  : fmt("/api/v1/requests/%s/audit?limit=200", request_id);
		struct ts_resp *r = call(KASI, "GET", path, NULL);
		assert_status(r, 200);
		size_t i;
		json_t *row;
		json_array_foreach(json_object_get(r->json, "items"), i, row)
			json_array_append_new(list, json_string(jstr(row, "action")));
		const char *next = json_string_value(json_object_get(r->json, "next_cursor"));
		if (!next)
			return list;
		cursor = fmt("%s", next);
	}
	ck_abort_msg("the audit trail of %s never ends", request_id);
	return list;
}

int count_action(const json_t *actions, const char *action)
{
	int n = 0;
	size_t i;
	json_t *a;
	json_array_foreach(actions, i, a)
		n += strcmp(json_string_value(a), action) == 0;
	return n;
}
