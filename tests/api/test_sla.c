/* test_sla.c — the SLA engine seen from outside: deadlines stored when a step
 * starts, the timer thread flagging warnings and breaches exactly once (also
 * with two daemons on one database), the clock paused while the request waits
 * on the PD, versioned policies, holidays that recompute open deadlines, the
 * overdue list and the compliance summary.
 *
 * One Check suite per concern; `test_sla SUITE` runs one (ctest runs each as
 * its own test), no argument runs all. Each suite has its own database copied
 * from the migrated template and its own daemon started with
 * ALURD_TIMER_INTERVAL=0.2; the first administrator comes from
 * `alurd admin create` (password on standard input), everyone else through
 * the API. Tests inside a suite run in order in one process (CK_NOFORK) and
 * share the daemon and the database.
 *
 * The suites (ctest api_<suite>):
 *   sla_timer      deadlines stored at step start (steps 2 and 3, against
 *                  the calendar computed here); a warning then a breach,
 *                  each flagged once with one audit row, one event and one
 *                  count in /metrics; the overdue list (filters, paging,
 *                  refusals); closed steps never flagged; a scan that rolls
 *                  back counts nothing
 *   sla_instances  two daemons on one database, 50 steps crossing at once,
 *                  twice (the second time with scans slowed so they overlap):
 *                  every step flagged exactly once per kind
 *   sla_pause      the clock paused in awaiting_pd_completion (no flag while
 *                  paused), resumed on completion with the deadlines pushed by
 *                  the office time of the pause; two rounds; a policy with
 *                  pause_on_pd false
 *   sla_policy     version 1 = the SOP; a new version leaves running steps
 *                  alone; refusals; field errors naming the element; two
 *                  concurrent publishes keeping each other's change
 *   sla_calendar   holidays (one, bulk, list, delete, refusals); a holiday
 *                  queues the recompute of open deadlines (the answer
 *                  names the job, the progress list shows it done, the
 *                  result audited); the calendar
 *                  arithmetic through the API from chosen starts
 *   sla_reports    the compliance summary by step and by agency, median and
 *                  p90, delay attribution; refusals; who may read what
 *
 * Time is controlled the way an operator never could and a test may: by
 * moving the stored instants (warn_at, due_at) with SQL, so the timer sees a
 * threshold crossed without anyone waiting an office hour. Expected deadlines
 * are computed here, independently of core/, from the SPEC's calendar:
 * Asia/Makassar (UTC+8 all year), Monday to Friday 08:00-16:00, plus the
 * holidays a test adds. Office hours in that zone are 00:00-08:00 UTC.
 * Two tests go further in their suite's own database: a trigger that refuses
 * breach events (a scan that fails half-way) and one that slows every event
 * insert (scans of two daemons that overlap).
 */
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "tests/support/fixture.h"
#include "tests/support/harness.h"

#define WARNINGS "alurd_sla_warnings_flagged_total"
#define BREACHES "alurd_sla_breaches_flagged_total"
#define SCAN_FAILURES "alurd_sla_scan_failures_total"

/* The bound on how long a flag may take to appear: the timer wakes every
 * 0.2 s; the rest is slack for a loaded machine and the sanitizer build. A
 * bound, never an expectation: the tests poll and move on as soon as the flag
 * is there. */
#define FLAG_WITHIN_MS 30000
/* "Nothing moved" is checked after the daemon has completed SETTLE_SCANS more
 * timer scans (so at least two scans ran wholly after the change), waiting at
 * most this long for them. */
#define SETTLE_SCANS 3
#define SETTLE_WITHIN_MS 30000
#define SCANS "alurd_sla_scan_duration_seconds_count"

static const char *const daemon_env[] = {"ALURD_TIMER_INTERVAL=0.2", "ALURD_HASH_CONCURRENCY=4", "ALURD_LOG_LEVEL=info",
					 NULL};

/* ---- the people ----------------------------------------------------------- */

enum who { ADMIN, PD, SEKRETARIAT, KADIS, KABID, KASI, AUDITOR, WHO_COUNT };

struct actor {
	const char *username;
	const char *role;
	char id[40];
	char token[2048];
};

static struct actor W[WHO_COUNT] = {
	[ADMIN] = {"admin", "admin", "", ""},
	[PD] = {"pd.sla", "pd", "", ""},
	[SEKRETARIAT] = {"sekretariat", "sekretariat", "", ""},
	[KADIS] = {"kadis", "kepala_dinas", "", ""},
	[KABID] = {"kabid", "kabid_iai", "", ""},
	[KASI] = {"kasi", "kasi_ai", "", ""},
	[AUDITOR] = {"auditor", "auditor", "", ""},
};
#define EVERYONE ((1u << WHO_COUNT) - 1)

static char g_agency[40];
static char g_db[512];
static struct ts_daemon *g_d;

/* ---- small tools ------------------------------------------------------------ */

/* printf into one of a ring of thread-local buffers (valid for the next 127
 * calls on the same thread). */
static const char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static const char *fmt(const char *f, ...)
{
	static _Thread_local char ring[128][4096];
	static _Thread_local int next;
	char *buf = ring[next++ % 128];
	va_list ap;
	va_start(ap, f);
	int n = vsnprintf(buf, sizeof ring[0], f, ap);
	va_end(ap);
	ck_assert_msg(n >= 0 && (size_t)n < sizeof ring[0], "fmt: %d characters do not fit", n);
	return buf;
}

struct uid {
	char s[40];
};

/* One exchange with daemon d as who (no Authorization for WHO_COUNT); body is
 * JSON or NULL. Recorded for the contract check. */
static struct ts_resp *call_on(struct ts_daemon *d, enum who who, const char *method, const char *path,
			       const char *body)
{
	char auth[2200];
	const char *h[3];
	int n = 0;
	if (who < WHO_COUNT) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", W[who].token);
		h[n++] = auth;
	}
	if (body)
		h[n++] = "Content-Type: application/json";
	h[n] = NULL;
	return ts_http(d, method, path, h, body, body ? strlen(body) : 0);
}
#define call(who, method, path, body) call_on(g_d, (who), (method), (path), (body))

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

#define assert_status(r, st) tf_assert_status_at(__FILE__, __LINE__, (r), (st))
/* A problem answer: status, media type, the RFC 9457 members and the code
 * (NULL: any). */
#define assert_problem(r, st, code) assert_problem_at(__FILE__, __LINE__, (r), (st), (code))
static void assert_problem_at(const char *file, int line, const struct ts_resp *r, long status, const char *code)
{
	tf_assert_status_at(file, line, r, status);
	ck_assert_msg(tf_media_type_is(r->content_type, "application/problem+json"),
		      "%s:%d: Content-Type '%s', expected application/problem+json", file, line, r->content_type);
	ck_assert_msg(json_is_string(json_object_get(r->json, "type")) &&
			      json_is_string(json_object_get(r->json, "title")) &&
			      json_integer_value(json_object_get(r->json, "status")) == status,
		      "%s:%d: not an RFC 9457 problem: %.400s", file, line, r->body);
	if (code)
		ck_assert_msg(strcmp(ts_problem_code(r), code) == 0, "%s:%d: code '%s', expected '%s'; body: %.400s",
			      file, line, ts_problem_code(r), code, r->body);
}

/* The field named by the problem's first error, "" when none. */
static const char *first_error_field(const struct ts_resp *r)
{
	return jstr(json_array_get(json_object_get(r->json, "errors"), 0), "field");
}

/* ---- SQL on the suite's database ------------------------------------------ */

static void sql(const char *text)
{
	ck_assert_msg(ts_sql(g_db, text), "SQL failed: %s", text);
}

static const char *sqlv(const char *text)
{
	static _Thread_local char ring[32][1024];
	static _Thread_local int next;
	char *buf = ring[next++ % 32];
	ck_assert_msg(ts_sql_value(g_db, text, buf, sizeof ring[0]), "SQL failed or no row: %s", text);
	return buf;
}

static long long sqll(const char *text)
{
	return strtoll(sqlv(text), NULL, 10);
}

/* Polls text until its value is want (true) or ms pass (false). */
static bool sql_becomes(const char *text, const char *want, int ms)
{
	for (long long until = ts_now_ms() + ms;; ts_nap_ms(40)) {
		char got[256];
		if (ts_sql_value(g_db, text, got, sizeof got) && strcmp(got, want) == 0)
			return true;
		if (ts_now_ms() >= until)
			return false;
	}
}

/* An instant of a step instance, in whole epoch seconds as the API shows it
 * (0 for NULL). */
static long long step_epoch(const char *request_id, int step, const char *column)
{
	return sqll(fmt("SELECT coalesce(floor(extract(epoch FROM %s))::bigint, 0) FROM step_instances"
			" WHERE request_id = '%s' AND step = %d",
			column, request_id, step));
}

/* How many audit rows of action the request has, counted in audit_log. */
static long long audit_rows(const char *request_id, const char *action)
{
	return sqll(
		fmt("SELECT count(*) FROM audit_log WHERE request_id = '%s' AND action = '%s'", request_id, action));
}

/* The timer's events (migrations/0020: the outbox) in the shape of the
 * sla_events table they replaced. */
#define SLA_EVENTS                                                                                            \
	"(SELECT substr(type, 5) AS kind, (data->>'step_instance_id')::uuid AS step_instance_id, request_id,"  \
	" (data->>'step')::int AS step, coalesce(data->>'warn_at', data->>'due_at')::timestamptz AS threshold"  \
	" FROM events WHERE type LIKE 'sla.%%')"

static long long events(const char *request_id, const char *kind)
{
	return sqll(fmt("SELECT count(*) FROM " SLA_EVENTS " e WHERE request_id = '%s' AND kind = '%s'", request_id, kind));
}

/* ---- metrics ------------------------------------------------------------------ */

static double metric(struct ts_daemon *d, const char *series)
{
	struct ts_resp *r = ts_get(d, "/metrics", NULL);
	assert_status(r, 200);
	double v = -1;
	ck_assert_msg(ts_metric(r->body, series, &v), "no %s in /metrics:\n%.1500s", series, r->body);
	return v;
}

/* Waits until daemon d has completed SETTLE_SCANS more timer scans than when
 * called, so a check that nothing was flagged looks at the result of whole
 * scans that began after the change, however slow the machine is. */
static void settle_on(struct ts_daemon *d)
{
	double s0 = metric(d, SCANS), now = s0;
	struct timespec t = {0, 50 * 1000000L};
	for (long long until = ts_now_ms() + SETTLE_WITHIN_MS; now < s0 + SETTLE_SCANS && ts_now_ms() < until;
	     nanosleep(&t, NULL))
		now = metric(d, SCANS);
	ck_assert_msg(now >= s0 + SETTLE_SCANS, "the timer completed %g scans in %d ms", now - s0, SETTLE_WITHIN_MS);
}
#define settle() settle_on(g_d)

/* ---- the calendar, independently of core/ ------------------------------------- */

#define ZONE_OFFSET (8 * 3600) /* Asia/Makassar: UTC+8, no daylight saving */
#define OFFICE_OPEN (8 * 3600)
#define OFFICE_CLOSE (16 * 3600)

static long long g_holidays[16]; /* local day numbers */
static int g_nholidays;

static long long floor_div(long long a, long long b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static long long local_day(long long t)
{
	return floor_div(t + ZONE_OFFSET, 86400);
}

/* "YYYY-MM-DD" of a local day number. */
static const char *day_text(long long day)
{
	time_t t = (time_t)(day * 86400);
	struct tm tm;
	gmtime_r(&t, &tm);
	return fmt("%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static bool working_day(long long day)
{
	long long wd = ((day + 4) % 7 + 7) % 7; /* 1970-01-01 was a Thursday; 0 = Sunday */
	if (wd == 0 || wd == 6)
		return false;
	for (int i = 0; i < g_nholidays; i++)
		if (g_holidays[i] == day)
			return false;
	return true;
}

static long long opening(long long day)
{
	return day * 86400 + OFFICE_OPEN - ZONE_OFFSET;
}

static long long closing(long long day)
{
	return day * 86400 + OFFICE_CLOSE - ZONE_OFFSET;
}

/* The earliest instant at which secs of office time have passed since t. */
static long long office_add(long long t, long long secs)
{
	if (secs <= 0)
		return t;
	for (long long day = local_day(t);; day++) {
		if (!working_day(day))
			continue;
		long long from = t > opening(day) ? t : opening(day), to = closing(day);
		if (from >= to)
			continue;
		if (secs <= to - from)
			return from + secs;
		secs -= to - from;
	}
}

/* Office seconds in [a, b). */
static long long office_between(long long a, long long b)
{
	long long total = 0;
	for (long long day = local_day(a); b > a && day <= local_day(b); day++) {
		if (!working_day(day))
			continue;
		long long from = a > opening(day) ? a : opening(day), to = b < closing(day) ? b : closing(day);
		if (to > from)
			total += to - from;
	}
	return total;
}

/* The same local time on the n-th following working day; a start outside
 * office hours first moves to the next opening. */
static long long working_days_add(long long t, int n)
{
	long long day = local_day(t), tod = t + ZONE_OFFSET - day * 86400;
	if (!working_day(day) || tod > OFFICE_CLOSE) {
		do
			day++;
		while (!working_day(day));
		tod = OFFICE_OPEN;
	} else if (tod < OFFICE_OPEN) {
		tod = OFFICE_OPEN;
	}
	for (int i = 0; i < n; i++) {
		do
			day++;
		while (!working_day(day));
	}
	return day * 86400 + tod - ZONE_OFFSET;
}

static bool office_open_at(long long t)
{
	long long day = local_day(t);
	return working_day(day) && t >= opening(day) && t <= closing(day);
}

/* "2026-11-30T02:00:00Z" (how the API writes instants) to epoch seconds;
 * 0 for anything else. */
static long long parse_instant(const char *s)
{
	struct tm tm = {0};
	char z = 0;
	if (!s ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
		   &tm.tm_sec, &z) != 7 ||
	    z != 'Z')
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (long long)timegm(&tm);
}

/* ---- set-up ----------------------------------------------------------------- */

static const char *password_of(const char *username)
{
	return fmt("Rahasia.Uji.%s.2024", username);
}

static bool login(struct actor *a)
{
	return tf_login(g_d, a->username, password_of(a->username), a->token, sizeof a->token);
}

/* A user created by the admin and logged in; on its own thread, so no Check
 * assertion here (it would longjmp across threads). */
static bool setup_user(void *arg)
{
	struct actor *a = arg;
	const char *agency = strcmp(a->role, "pd") == 0 ? fmt("\"%s\"", g_agency) : "null";
	const char *body = fmt("{\"username\":\"%s\",\"full_name\":\"Pengguna %s\",\"role\":\"%s\",\"agency_id\":%s,"
			       "\"password\":\"%s\"}",
			       a->username, a->username, a->role, agency, password_of(a->username));
	return tf_create_user(g_d, W[ADMIN].token, a->username, body, a->id, sizeof a->id) && login(a);
}

/* The suite's database and daemon, the first administrator (CLI), one agency
 * and the users in mask (bits of enum who) through the API. */
static void world_up(const char *suite, unsigned mask)
{
	g_nholidays = 0;
	g_d = tf_suite_start(suite, daemon_env, g_db, sizeof g_db);

	tf_admin_create(g_db, W[ADMIN].username, password_of(W[ADMIN].username));
	ck_assert_msg(login(&W[ADMIN]), "the administrator cannot log in");
	struct ts_resp *r = call(ADMIN, "GET", "/api/v1/me", NULL);
	assert_status(r, 200);
	snprintf(W[ADMIN].id, sizeof W[ADMIN].id, "%s", jstr(r->json, "id"));

	r = call(ADMIN, "POST", "/api/v1/agencies",
		 "{\"code\":\"DISKES\",\"name\":\"Dinas Kesehatan Provinsi Bali\",\"head_name\":\"Kepala Dinas "
		 "Kesehatan\"}");
	assert_status(r, 201);
	snprintf(g_agency, sizeof g_agency, "%s", jstr(r->json, "id"));

	void *users[WHO_COUNT];
	int n_users = 0;
	for (int i = ADMIN + 1; i < WHO_COUNT; i++) {
		W[i].token[0] = W[i].id[0] = '\0';
		if (mask & (1u << i))
			users[n_users++] = &W[i];
	}
	ck_assert_msg(tf_all_at_once(n_users, setup_user, users), "some users could not be created or log in (see above)");
}

static void world_down(void)
{
	tf_suite_down(&g_d, g_db);
}

static void each_after(void)
{
	ts_gc();
}

/* ---- the procedure -------------------------------------------------------------- */

/* Uploads a small PDF of document type `type` as the PD. */
static void upload_pdf(const char *request_id, const char *type)
{
	static const char pdf[] = "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
	char auth[2200];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", W[PD].token);
	const char *h[] = {auth, "Content-Type: application/pdf", NULL};
	assert_status(ts_http(g_d, "POST", fmt("/api/v1/requests/%s/documents?type=%s&filename=%s.pdf", request_id, type, type),
			      h, pdf, sizeof pdf - 1),
		      201);
}

/* A request drafted by the PD with its letter and business process, then
 * submitted: step 2 starts. */
static struct uid new_submitted(const char *title)
{
	struct ts_resp *r = call(PD, "POST", "/api/v1/requests",
				 fmt("{\"kind\":\"pembangunan\",\"title\":\"%s\",\"description\":\"Aplikasi %s\"}",
				     title, title));
	assert_status(r, 201);
	struct uid id;
	snprintf(id.s, sizeof id.s, "%s", jstr(r->json, "id"));
	upload_pdf(id.s, "surat_permohonan");
	upload_pdf(id.s, "proses_bisnis");
	r = call(PD, "POST", fmt("/api/v1/requests/%s/submit", id.s), NULL);
	assert_status(r, 200);
	ck_assert_str_eq(jstr(r->json, "status"), "submitted");
	return id;
}

static void do_register(const char *rid)
{
	struct ts_resp *r = call(SEKRETARIAT, "POST", fmt("/api/v1/requests/%s/register", rid), NULL);
	assert_status(r, 200);
	ck_assert_str_eq(jstr(r->json, "status"), "awaiting_disposition");
}

/* The Kepala Dinas disposes to the Kabid: step 2 done, step 3 starts. */
static struct uid do_dispose(const char *rid)
{
	struct ts_resp *r = call(KADIS, "POST", fmt("/api/v1/requests/%s/dispositions", rid),
				 fmt("{\"to_user_ids\":[\"%s\"],\"instruction_kind\":\"tindak_lanjuti\","
				     "\"instruction\":\"Mohon ditindaklanjuti.\"}",
				     W[KABID].id));
	assert_status(r, 201);
	struct uid id;
	snprintf(id.s, sizeof id.s, "%s", jstr(r->json, "id"));
	return id;
}

/* The Kabid derives the disposition to the Kasi: step 3 done, step 4 starts. */
static void do_derive(const char *rid, const char *parent)
{
	struct ts_resp *r = call(KABID, "POST", fmt("/api/v1/requests/%s/dispositions", rid),
				 fmt("{\"to_user_ids\":[\"%s\"],\"instruction_kind\":\"koordinasikan\","
				     "\"instruction\":\"Siapkan pembahasan awal.\",\"parent_id\":\"%s\"}",
				     W[KASI].id, parent));
	assert_status(r, 201);
}

/* The initial discussion, its checklist complete or with one item incomplete. */
static void record_awal(const char *rid, bool incomplete)
{
	const char *cl = fmt("{\"alur_sistem\":{\"status\":\"complete\",\"note\":\"\"},"
			     "\"data_input_output\":{\"status\":\"%s\",\"note\":\"Format data belum ada\"},"
			     "\"mekanisme_validasi\":{\"status\":\"complete\",\"note\":\"\"},"
			     "\"role_pengguna\":{\"status\":\"complete\",\"note\":\"\"},"
			     "\"mekanisme_pelaporan\":{\"status\":\"not_applicable\",\"note\":\"\"},"
			     "\"proses_bisnis_terkait\":{\"status\":\"complete\",\"note\":\"\"}}",
			     incomplete ? "incomplete" : "complete");
	struct ts_resp *r = call(KASI, "POST", fmt("/api/v1/requests/%s/discussions", rid),
				 fmt("{\"phase\":\"awal\",\"held_at\":\"2025-03-10T09:00:00+08:00\","
				     "\"place\":\"Ruang Rapat Kominfos\",\"attendees\":[{\"user_id\":\"%s\"}],"
				     "\"minutes\":\"Pembahasan awal proses bisnis.\",\"checklist\":%s}",
				     W[KASI].id, cl));
	assert_status(r, 201);
}

/* A request brought to in_discussion (awal): steps 2 and 3 done, 4 running. */
static struct uid request_in_discussion(const char *title)
{
	struct uid id = new_submitted(title);
	do_register(id.s);
	struct uid d = do_dispose(id.s);
	do_derive(id.s, d.s);
	return id;
}

/* The request's timeline as the admin reads it (owned by the harness). */
static json_t *timeline(const char *rid)
{
	struct ts_resp *r = call(ADMIN, "GET", fmt("/api/v1/requests/%s/timeline", rid), NULL);
	assert_status(r, 200);
	ck_assert_msg(json_is_array(json_object_get(r->json, "steps")), "no steps in %s", r->body);
	return r->json;
}

static json_t *timeline_step(const char *rid, int step)
{
	json_t *steps = json_object_get(timeline(rid), "steps"), *s;
	size_t i;
	json_array_foreach(steps, i, s)
	{
		if (json_integer_value(json_object_get(s, "step")) == step)
			return s;
	}
	ck_abort_msg("request %s has no step %d in its timeline", rid, step);
	return NULL;
}

/* How many audit rows of action GET /requests/{id}/audit lists. */
static int audit_listed(const char *rid, const char *action)
{
	struct ts_resp *r = call(AUDITOR, "GET", fmt("/api/v1/requests/%s/audit?limit=200", rid), NULL);
	assert_status(r, 200);
	int n = 0;
	size_t i;
	json_t *row;
	json_array_foreach(json_object_get(r->json, "items"), i, row)
	{
		if (strcmp(jstr(row, "action"), action) == 0) {
			n++;
			ck_assert_str_eq(jstr(row, "actor_role"), "system");
			ck_assert_str_eq(jstr(row, "record_type"), "step_instance");
		}
	}
	return n;
}

/* The overdue list's item for request rid, or NULL. */
static json_t *overdue_item(enum who who, const char *query, const char *rid)
{
	struct ts_resp *r = call(who, "GET", fmt("/api/v1/sla/overdue%s", query), NULL);
	assert_status(r, 200);
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(r->json, "items"), i, it)
	{
		if (strcmp(jstr(it, "request_id"), rid) == 0)
			return it;
	}
	return NULL;
}

/* The last test of every suite: the daemon still answers and stops cleanly. */
START_TEST(test_clean_stop)
{
	tf_assert_clean_stop(g_d);
	tf_assert_drained(g_d);
}
END_TEST

static TCase *tcase_new(const char *name, void (*setup)(void))
{
	return tf_tcase(name, setup, world_down, each_after, 120);
}

/* ==== sla_timer: deadlines at step start, warning then breach, the overdue list == */

static void up_timer(void)
{
	world_up("sla_timer", EVERYONE);
}

/* Step 2 gets warn_at / due_at from policy version 1 (PT1H / PT2H of office
 * time) the moment it starts; step 3 (PT45M / PT1H) when the disposition
 * completes step 2. */
START_TEST(test_deadlines_at_step_start)
{
	long long t0 = (long long)time(NULL);
	struct uid id = new_submitted("Sistem Informasi Deadline");
	json_t *s = timeline_step(id.s, 2);
	long long t1 = (long long)time(NULL);
	long long started = parse_instant(jstr(s, "started_at"));
	long long warn = parse_instant(jstr(s, "warn_at")), due = parse_instant(jstr(s, "due_at"));
	ck_assert_msg(started && warn && due, "step 2 lacks instants: %s", json_dumps(s, JSON_COMPACT));
	ck_assert_int_eq(started, step_epoch(id.s, 2, "started_at"));
	ck_assert_msg(warn == office_add(started, 3600),
		      "step 2 started %s: warn_at %s, expected one office hour later (%lld)", jstr(s, "started_at"),
		      jstr(s, "warn_at"), office_add(started, 3600));
	ck_assert_msg(due == office_add(started, 7200),
		      "step 2 started %s: due_at %s, expected two office hours later (%lld)", jstr(s, "started_at"),
		      jstr(s, "due_at"), office_add(started, 7200));
	/* the same, stated as the SPEC states it */
	ck_assert_int_eq(office_between(warn, due), 3600);
	ck_assert_msg(office_open_at(due), "due_at %s is not within office hours on a working day", jstr(s, "due_at"));
	ck_assert_str_eq(jstr(s, "clock"), "working_time");
	ck_assert_str_eq(jstr(s, "sla_state"), "on_time");
	ck_assert_msg(json_is_null(json_object_get(s, "warned_at")) && json_is_null(json_object_get(s, "breached_at")),
		      "a new step is neither warned nor breached");
	long long remaining = json_integer_value(json_object_get(s, "remaining_working_seconds"));
	ck_assert_msg(remaining <= office_between(t0 - 1, due) && remaining >= office_between(t1 + 1, due),
		      "remaining_working_seconds %lld is not the office time from now to due_at", remaining);
	ck_assert_int_eq(
		sqll(fmt("SELECT policy_version FROM step_instances WHERE request_id = '%s' AND step = 2", id.s)), 1);
	/* step 1 has no standard time */
	json_t *s1 = timeline_step(id.s, 1);
	ck_assert_msg(json_is_null(json_object_get(s1, "due_at")) && json_is_null(json_object_get(s1, "clock")),
		      "step 1 has no deadline: %s", json_dumps(s1, JSON_COMPACT));

	do_register(id.s);
	do_dispose(id.s);
	json_t *s3 = timeline_step(id.s, 3);
	long long started3 = parse_instant(jstr(s3, "started_at"));
	ck_assert_int_eq(parse_instant(jstr(s3, "warn_at")), office_add(started3, 45 * 60));
	ck_assert_int_eq(parse_instant(jstr(s3, "due_at")), office_add(started3, 3600));
	ck_assert_str_eq(jstr(s3, "sla_state"), "on_time");
	ck_assert_str_eq(jstr(timeline_step(id.s, 2), "sla_state"), "done_on_time");
}
END_TEST

/* One crossing of warn_at, then of due_at: each flagged once, with one audit
 * row, one event and one count in /metrics; moving the instants again later
 * flags nothing more. */
START_TEST(test_warning_then_breach_once)
{
	struct uid id = new_submitted("Sistem Informasi Peringatan");
	double w0 = metric(g_d, WARNINGS), b0 = metric(g_d, BREACHES);

	sql(fmt("UPDATE step_instances SET warn_at = now() - interval '1 s' WHERE request_id = '%s' AND step = 2",
		id.s));
	long long t0 = ts_now_ms();
	ck_assert_msg(
		sql_becomes(fmt("SELECT warned_at IS NOT NULL FROM step_instances WHERE request_id = '%s' AND step = 2",
				id.s),
			    "t", FLAG_WITHIN_MS),
		"warn_at passed but the timer did not flag a warning within %d ms", FLAG_WITHIN_MS);
	fprintf(stderr, "warning flagged %lld ms after the crossing\n", ts_now_ms() - t0);
	json_t *s = timeline_step(id.s, 2);
	ck_assert_str_eq(jstr(s, "sla_state"), "warning");
	ck_assert_msg(parse_instant(jstr(s, "warned_at")) != 0, "warned_at is not set: %s",
		      json_dumps(s, JSON_COMPACT));
	ck_assert_msg(json_is_null(json_object_get(s, "breached_at")), "a warning is not a breach");
	ck_assert_int_eq(audit_listed(id.s, "sla.warning"), 1);
	ck_assert_int_eq(events(id.s, "warning"), 1);
	ck_assert_int_eq(events(id.s, "breach"), 0);
	ck_assert_msg(metric(g_d, WARNINGS) == w0 + 1, "%s went from %g to %g", WARNINGS, w0, metric(g_d, WARNINGS));
	ck_assert_msg(metric(g_d, BREACHES) == b0, "no breach yet, but %s moved", BREACHES);
	/* the event names the threshold that was crossed */
	ck_assert_str_eq(sqlv(fmt("SELECT (e.threshold = s.warn_at AND e.step = 2 AND e.step_instance_id = s.id)::text"
				  " FROM " SLA_EVENTS " e JOIN step_instances s ON s.id = e.step_instance_id"
				  " WHERE e.request_id = '%s' AND e.kind = 'warning'",
				  id.s)),
			 "true");

	sql(fmt("UPDATE step_instances SET due_at = now() - interval '1 s' WHERE request_id = '%s' AND step = 2",
		id.s));
	t0 = ts_now_ms();
	ck_assert_msg(sql_becomes(fmt("SELECT breached_at IS NOT NULL FROM step_instances WHERE request_id = '%s'"
				      " AND step = 2",
				      id.s),
				  "t", FLAG_WITHIN_MS),
		      "due_at passed but the timer did not flag a breach within %d ms", FLAG_WITHIN_MS);
	fprintf(stderr, "breach flagged %lld ms after the crossing\n", ts_now_ms() - t0);
	s = timeline_step(id.s, 2);
	ck_assert_str_eq(jstr(s, "sla_state"), "breached");
	ck_assert_msg(parse_instant(jstr(s, "breached_at")) >= parse_instant(jstr(s, "due_at")),
		      "breached_at before due_at: %s", json_dumps(s, JSON_COMPACT));
	ck_assert_int_eq(audit_listed(id.s, "sla.breach"), 1);
	ck_assert_int_eq(events(id.s, "breach"), 1);
	ck_assert_msg(metric(g_d, BREACHES) == b0 + 1, "%s went from %g to %g", BREACHES, b0, metric(g_d, BREACHES));

	json_t *it = overdue_item(KASI, "", id.s);
	ck_assert_msg(it != NULL, "the breached step is not in GET /sla/overdue");
	ck_assert_int_eq(json_integer_value(json_object_get(it, "step")), 2);
	ck_assert_str_eq(jstr(it, "waiting_on"), "sekretariat");
	ck_assert_str_eq(jstr(it, "status"), "submitted");
	ck_assert_str_eq(jstr(it, "agency_id"), g_agency);
	ck_assert_str_eq(jstr(it, "due_at"), jstr(s, "due_at"));
	ck_assert_str_eq(jstr(it, "breached_at"), jstr(s, "breached_at"));
	ck_assert_msg(json_is_integer(json_object_get(it, "late_seconds")) &&
			      json_integer_value(json_object_get(it, "late_seconds")) >= 0,
		      "late_seconds: %s", json_dumps(it, JSON_COMPACT));
	ck_assert_msg(json_integer_value(json_object_get(it, "late_working_seconds")) >= 0, "late_working_seconds: %s",
		      json_dumps(it, JSON_COMPACT));

	/* a few more intervals: nothing is flagged twice */
	settle();
	ck_assert_int_eq(audit_listed(id.s, "sla.warning"), 1);
	ck_assert_int_eq(audit_listed(id.s, "sla.breach"), 1);
	ck_assert_int_eq(events(id.s, "warning"), 1);
	ck_assert_int_eq(events(id.s, "breach"), 1);
	ck_assert_msg(metric(g_d, WARNINGS) == w0 + 1 && metric(g_d, BREACHES) == b0 + 1, "a counter moved again");
	/* crossing again (a flagged step whose instants move) flags nothing */
	sql(fmt("UPDATE step_instances SET warn_at = now() - interval '1 s', due_at = now() - interval '1 s'"
		" WHERE request_id = '%s' AND step = 2",
		id.s));
	settle();
	ck_assert_int_eq(events(id.s, "warning") + events(id.s, "breach"), 2);
	ck_assert_int_eq(audit_rows(id.s, "sla.warning") + audit_rows(id.s, "sla.breach"), 2);

	/* a completed step leaves the overdue list; the breach stays on record */
	do_register(id.s);
	do_dispose(id.s);
	ck_assert_msg(overdue_item(KASI, "", id.s) == NULL, "a completed step is still overdue");
	ck_assert_str_eq(jstr(timeline_step(id.s, 2), "sla_state"), "done_late");
}
END_TEST

/* The overdue list's filters, paging and refusals. */

/* The open-steps gauge by SLA state, as SQL sees the open steps now. */
static const char *const gauge_states[4] = {"on_time", "warning", "breached", "paused"};
static const char *gauge_sql(void)
{
	return sqlv("SELECT coalesce(string_agg(k, ',' ORDER BY k COLLATE \"C\"), '') FROM ("
		    " SELECT step || ':' || st || '=' || count(*) AS k FROM ("
		    "  SELECT step, CASE WHEN breached_at IS NOT NULL OR (paused_since IS NULL AND due_at < now())"
		    "   THEN 'breached' WHEN paused_since IS NOT NULL THEN 'paused'"
		    "   WHEN warned_at IS NOT NULL OR warn_at <= now() THEN 'warning' ELSE 'on_time' END AS st"
		    "  FROM step_instances WHERE completed_at IS NULL) y GROUP BY step, st) x");
}

/* The same from one scrape of /metrics (zero series left out). */
static const char *gauge_scraped(void)
{
	struct ts_resp *r = ts_get(g_d, "/metrics", NULL);
	assert_status(r, 200);
	static char out[2048];
	out[0] = '\0';
	const char *parts[64];
	int n = 0;
	for (int st = 1; st <= 7; st++)
		for (int k = 0; k < 4; k++) {
			double v;
			const char *series = fmt("alurd_sla_open_steps{step=\"%d\",state=\"%s\"}", st, gauge_states[k]);
			ck_assert_msg(ts_metric(r->body, series, &v), "no %s in /metrics", series);
			if (v > 0)
				parts[n++] = fmt("%d:%s=%.0f", st, gauge_states[k], v);
		}
	/* sorted as the SQL sorts its keys (text order) */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && strcmp(parts[j - 1], parts[j]) > 0; j--) {
			const char *t = parts[j];
			parts[j] = parts[j - 1];
			parts[j - 1] = t;
		}
	for (int i = 0; i < n; i++)
		snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", i ? "," : "", parts[i]);
	return out;
}

/* Scrapes until the open steps hold still around a scrape (SQL before and
 * after agree), then asserts the scrape agrees with them. */
static void assert_gauge_current(const char *why)
{
	for (int attempt = 0; attempt < 20; attempt++) {
		char before[2048], after[2048], scraped[2048];
		snprintf(before, sizeof before, "%s", gauge_sql());
		snprintf(scraped, sizeof scraped, "%s", gauge_scraped());
		snprintf(after, sizeof after, "%s", gauge_sql());
		if (strcmp(before, after) != 0)
			continue; /* a threshold was crossed meanwhile: look again */
		ck_assert_msg(strcmp(scraped, before) == 0, "%s: /metrics says %s, the open steps are %s", why, scraped,
			      before);
		return;
	}
	ck_abort_msg("%s: the open steps never held still", why);
}

/* The gauge is current at scrape time, with no minute-long refresh: a step
 * whose due passed a moment ago is breached on the next scrape (whether the
 * timer has flagged it yet or not), and a breached step that then pauses
 * stays breached, as the timeline says. */
START_TEST(test_open_steps_gauge_is_current)
{
	assert_gauge_current("at rest");
	struct uid id = new_submitted("Sistem Informasi Pengukur");
	assert_gauge_current("a new step 2");
	sql(fmt("UPDATE step_instances SET warn_at = now() - interval '2 s', due_at = now() - interval '1 s'"
		" WHERE request_id = '%s' AND step = 2",
		id.s));
	assert_gauge_current("a step 2 past due");
	ck_assert_msg(sql_becomes(fmt("SELECT breached_at IS NOT NULL FROM step_instances WHERE request_id = '%s'"
				      " AND step = 2",
				      id.s),
				  "t", FLAG_WITHIN_MS),
		      "the breach was not flagged");
	sql(fmt("UPDATE step_instances SET paused_since = now() WHERE request_id = '%s' AND step = 2", id.s));
	assert_gauge_current("breached, then paused");
	ck_assert_str_eq(jstr(timeline_step(id.s, 2), "sla_state"), "breached");
	sql(fmt("UPDATE step_instances SET paused_since = NULL WHERE request_id = '%s' AND step = 2", id.s));
	/* a step that closes leaves the gauge at once */
	assert_status(call(PD, "POST", fmt("/api/v1/requests/%s/withdraw", id.s), "{}"), 200);
	assert_gauge_current("withdrawn");
}
END_TEST

START_TEST(test_overdue_list)
{
	struct uid a = new_submitted("Overdue Alfa"), b = new_submitted("Overdue Beta");
	sql(fmt("UPDATE step_instances SET warn_at = now() - interval '2 h', due_at = now() - interval '1 h'"
		" WHERE request_id IN ('%s', '%s') AND step = 2",
		a.s, b.s));
	ck_assert_msg(sql_becomes(fmt("SELECT count(*) FROM step_instances WHERE request_id IN ('%s', '%s')"
				      " AND breached_at IS NOT NULL",
				      a.s, b.s),
				  "2", FLAG_WITHIN_MS),
		      "the two breaches were not flagged");
	ck_assert_ptr_nonnull(overdue_item(ADMIN, "?step=2", a.s));
	ck_assert_ptr_null(overdue_item(ADMIN, "?step=3", a.s));
	ck_assert_ptr_nonnull(overdue_item(ADMIN, fmt("?agency_id=%s", g_agency), b.s));
	ck_assert_ptr_null(overdue_item(ADMIN, "?agency_id=00000000-0000-4000-8000-000000000000", b.s));
	ck_assert_ptr_nonnull(overdue_item(ADMIN, "?min_late=PT30M", a.s));
	ck_assert_ptr_null(overdue_item(ADMIN, "?min_late=PT2H", a.s));
	json_t *it = overdue_item(AUDITOR, "", a.s);
	ck_assert_ptr_nonnull(it);
	ck_assert_msg(json_integer_value(json_object_get(it, "late_seconds")) >= 3600, "late an hour: %s",
		      json_dumps(it, JSON_COMPACT));

	/* one item a page: every overdue step exactly once, in due order */
	long long total = sqll("SELECT count(*) FROM step_instances WHERE completed_at IS NULL AND paused_since IS NULL"
			       " AND due_at <= now()");
	ck_assert_int_ge(total, 2);
	const char *cursor = NULL;
	long long seen = 0, last_due = 0;
	for (int page = 0; page < 50; page++) {
		struct ts_resp *r = call(ADMIN, "GET",
					 cursor ? fmt("/api/v1/sla/overdue?limit=1&cursor=%s", cursor)
						: "/api/v1/sla/overdue?limit=1",
					 NULL);
		assert_status(r, 200);
		json_t *items = json_object_get(r->json, "items");
		ck_assert_int_le(json_array_size(items), 1);
		if (json_array_size(items)) {
			long long due = parse_instant(jstr(json_array_get(items, 0), "due_at"));
			ck_assert_int_ge(due, last_due);
			last_due = due;
			seen++;
		}
		json_t *next = json_object_get(r->json, "next_cursor");
		if (json_is_null(next))
			break;
		cursor = fmt("%s", json_string_value(next));
	}
	ck_assert_int_eq(seen, total);

	static const char *const bad[] = {
		"step=1",  "step=8",    "step=two",            "agency_id=dinas", "min_late=soon",
		"limit=0", "limit=201", "cursor=not-a-cursor", "colour=red",      NULL,
	};
	for (const char *const *q = bad; *q; q++)
		assert_problem(call(ADMIN, "GET", fmt("/api/v1/sla/overdue?%s", *q), NULL), 400, NULL);
}
END_TEST

/* A withdrawn request's open step is closed: past its instants it is neither
 * flagged nor listed as overdue. */
START_TEST(test_closed_steps_are_not_flagged)
{
	struct uid id = new_submitted("Sistem Informasi Ditarik");
	struct ts_resp *r = call(PD, "POST", fmt("/api/v1/requests/%s/withdraw", id.s),
				 "{\"reason\":\"Digabung dengan permohonan lain.\"}");
	assert_status(r, 200);
	ck_assert_str_eq(jstr(r->json, "status"), "withdrawn");
	sql(fmt("UPDATE step_instances SET warn_at = now() - interval '1 s', due_at = now() - interval '1 s'"
		" WHERE request_id = '%s' AND step = 2",
		id.s));
	settle();
	ck_assert_int_eq(events(id.s, "warning") + events(id.s, "breach"), 0);
	ck_assert_ptr_null(overdue_item(ADMIN, "", id.s));
	json_t *s = timeline_step(id.s, 2);
	ck_assert_str_eq(jstr(s, "closed_reason"), "withdrawn");
	ck_assert_msg(json_is_null(json_object_get(s, "breached_at")), "a closed step was flagged");
}
END_TEST

/* A scan that fails and rolls back has flagged nothing, so it must count
 * nothing: the counters say how many step instances this instance flagged.
 * The failure is injected in this suite's own database: a trigger refuses
 * the breach events, so every scan's second statement fails after its first
 * (the warning) succeeded. */
START_TEST(test_failed_scan_counts_nothing)
{
	struct uid id = new_submitted("Sistem Informasi Rollback");
	sql("CREATE FUNCTION refuse_breach_event() RETURNS trigger LANGUAGE plpgsql AS $$"
	    " BEGIN RAISE EXCEPTION 'breach events refused by the test'; END $$;"
	    "CREATE TRIGGER refuse_breach_event BEFORE INSERT ON events FOR EACH ROW"
	    " WHEN (NEW.type = 'sla.breach') EXECUTE FUNCTION refuse_breach_event()");
	double w0 = metric(g_d, WARNINGS), b0 = metric(g_d, BREACHES), f0 = metric(g_d, SCAN_FAILURES);
	sql(fmt("UPDATE step_instances SET warn_at = now() - interval '1 s', due_at = now() - interval '1 s'"
		" WHERE request_id = '%s' AND step = 2",
		id.s));
	/* a few failed scans; what they left is checked while the failure is
	 * still in place (once it is removed the next scan may succeed) */
	for (long long until = ts_now_ms() + SETTLE_WITHIN_MS; metric(g_d, SCAN_FAILURES) < f0 + 3 && ts_now_ms() < until;)
		ts_nap_ms(50);
	double failures = metric(g_d, SCAN_FAILURES) - f0, warnings = metric(g_d, WARNINGS) - w0;
	ck_assert_msg(failures >= 3, "the injected failure did not make scans fail (%g failures)", failures);
	ck_assert_int_eq(events(id.s, "warning"), 0);
	ck_assert_str_eq(
		sqlv(fmt("SELECT warned_at IS NULL FROM step_instances WHERE request_id = '%s' AND step = 2", id.s)),
		"t");
	sql("DROP TRIGGER refuse_breach_event ON events; DROP FUNCTION refuse_breach_event()");
	ck_assert_msg(sql_becomes(fmt("SELECT breached_at IS NOT NULL FROM step_instances WHERE request_id = '%s'"
				      " AND step = 2",
				      id.s),
				  "t", FLAG_WITHIN_MS),
		      "after the failure was removed the breach was not flagged");
	ck_assert_int_eq(events(id.s, "warning"), 1);
	ck_assert_int_eq(events(id.s, "breach"), 1);
	ck_assert_msg(metric(g_d, BREACHES) == b0 + 1, "%s moved by %g for one breach", BREACHES,
		      metric(g_d, BREACHES) - b0);
	ck_assert_msg(metric(g_d, WARNINGS) == w0 + 1,
		      "%s moved by %g for ONE committed warning: %g failed (rolled-back) scans counted their warning"
		      " (%g counted before the failure was removed)",
		      WARNINGS, metric(g_d, WARNINGS) - w0, failures, warnings);
}
END_TEST

static Suite *timer_suite(void)
{
	Suite *s = suite_create("sla_timer");
	TCase *tc = tcase_new("sla_timer", up_timer);
	tcase_add_test(tc, test_deadlines_at_step_start);
	tcase_add_test(tc, test_warning_then_breach_once);
	tcase_add_test(tc, test_open_steps_gauge_is_current);
	tcase_add_test(tc, test_overdue_list);
	tcase_add_test(tc, test_closed_steps_are_not_flagged);
	tcase_add_test(tc, test_failed_scan_counts_nothing);
	tcase_add_test(tc, test_clean_stop);
	suite_add_tcase(s, tc);
	return s;
}

/* ==== sla_instances: two daemons on one database, each flag exactly once ====== */

static void up_instances(void)
{
	world_up("sla_instances", 1u << PD);
}

#define WAVE 50

/* WAVE new requests titled prefix-NN whose step 2 crosses warn_at and due_at
 * in one UPDATE; asserts each instance flagged exactly once per kind, in
 * events, audit rows and the two daemons' counters together. */
static void wave(struct ts_daemon *d2, const char *prefix)
{
	double w1 = metric(g_d, WARNINGS), b1 = metric(g_d, BREACHES), w2 = metric(d2, WARNINGS),
	       b2 = metric(d2, BREACHES);
	for (int i = 0; i < WAVE; i++)
		new_submitted(fmt("%s %02d", prefix, i));
	const char *mine = fmt("SELECT s.id FROM step_instances s JOIN requests r ON r.id = s.request_id"
			       " WHERE r.title LIKE '%s %%' AND s.step = 2",
			       prefix);
	ck_assert_int_eq(sqll(fmt("SELECT count(*) FROM (%s) x", mine)), WAVE);
	sql(fmt("UPDATE step_instances SET warn_at = now() - interval '1 s', due_at = now() - interval '1 s'"
		" WHERE id IN (%s)",
		mine));
	ck_assert_msg(
		sql_becomes(fmt("SELECT count(*) FROM step_instances WHERE id IN (%s) AND breached_at IS NULL", mine),
			    "0", 3 * FLAG_WITHIN_MS),
		"%s: not every step was flagged as breached", prefix);
	settle_on(g_d);
	settle_on(d2);
	for (int k = 0; k < 2; k++) {
		const char *kind = k ? "breach" : "warning";
		ck_assert_int_eq(
			sqll(fmt("SELECT count(*) FROM " SLA_EVENTS " e WHERE kind = '%s' AND step_instance_id IN (%s)", kind,
				 mine)),
			WAVE);
		ck_assert_int_eq(sqll(fmt("SELECT count(DISTINCT step_instance_id) FROM " SLA_EVENTS " e WHERE kind = '%s'"
					  " AND step_instance_id IN (%s)",
					  kind, mine)),
				 WAVE);
		ck_assert_int_eq(sqll(fmt("SELECT count(*) FROM audit_log WHERE action = 'sla.%s'"
					  " AND record_id IN (SELECT id::text FROM (%s) x)",
					  kind, mine)),
				 WAVE);
	}
	double dw1 = metric(g_d, WARNINGS) - w1, dw2 = metric(d2, WARNINGS) - w2;
	double db1 = metric(g_d, BREACHES) - b1, db2 = metric(d2, BREACHES) - b2;
	fprintf(stderr, "%s: warnings flagged %g by the first daemon, %g by the second; breaches %g and %g\n", prefix,
		dw1, dw2, db1, db2);
	ck_assert_msg(dw1 + dw2 == WAVE, "%s: the daemons counted %g + %g warnings for %d crossings", prefix, dw1, dw2,
		      WAVE);
	ck_assert_msg(db1 + db2 == WAVE, "%s: the daemons counted %g + %g breaches for %d crossings", prefix, db1, db2,
		      WAVE);
}

START_TEST(test_two_instances_flag_once)
{
	struct ts_daemon *d2 = ts_daemon_start(g_db, daemon_env);
	ck_assert_msg(d2 != NULL, "the second daemon did not start (its log is above)");
	wave(d2, "Serentak");
	/* again with every event insert slowed down in this suite's database, so
	 * one scan outlasts the timer interval and the two daemons' scans
	 * overlap: the second must skip what the first holds, and must not flag
	 * it again once the first has committed */
	sql("CREATE FUNCTION slow_event() RETURNS trigger LANGUAGE plpgsql AS $$"
	    " BEGIN PERFORM pg_sleep(0.004); RETURN NEW; END $$;"
	    "CREATE TRIGGER slow_event BEFORE INSERT ON events FOR EACH ROW WHEN (NEW.type LIKE 'sla.%')"
	    " EXECUTE FUNCTION slow_event()");
	wave(d2, "Tumpang");
	sql("DROP TRIGGER slow_event ON events; DROP FUNCTION slow_event()");
	ck_assert_int_eq(ts_daemon_stop(d2, SIGTERM), 0);
	ts_daemon_free(d2);
}
END_TEST

static Suite *instances_suite(void)
{
	Suite *s = suite_create("sla_instances");
	TCase *tc = tcase_new("sla_instances", up_instances);
	tcase_add_test(tc, test_two_instances_flag_once);
	tcase_add_test(tc, test_clean_stop);
	suite_add_tcase(s, tc);
	return s;
}

/* ==== sla_pause: the clock stops while the request waits on the PD ============ */

static void up_pause(void)
{
	world_up("sla_pause", EVERYONE & ~(1u << AUDITOR));
}

START_TEST(test_pause_and_resume)
{
	struct uid id = request_in_discussion("Sistem Informasi Jeda");
	json_t *s = timeline_step(id.s, 4);
	long long started = parse_instant(jstr(s, "started_at"));
	ck_assert_str_eq(jstr(s, "clock"), "working_days");
	ck_assert_int_eq(parse_instant(jstr(s, "warn_at")), working_days_add(started, 5));
	ck_assert_int_eq(parse_instant(jstr(s, "due_at")), working_days_add(started, 7));
	ck_assert_str_eq(jstr(s, "sla_state"), "on_time");

	record_awal(id.s, true);
	json_t *t = timeline(id.s);
	ck_assert_str_eq(jstr(t, "status"), "awaiting_pd_completion");
	ck_assert_str_eq(jstr(t, "waiting_on"), "pd");
	s = timeline_step(id.s, 4);
	ck_assert_str_eq(jstr(s, "sla_state"), "paused");
	json_t *pauses = json_object_get(s, "pauses");
	ck_assert_msg(json_array_size(pauses) == 1 &&
			      json_is_null(json_object_get(json_array_get(pauses, 0), "ended_at")),
		      "one open pause expected: %s", json_dumps(s, JSON_COMPACT));
	ck_assert_int_eq(
		sqll(fmt("SELECT count(*) FROM step_pauses p JOIN step_instances s ON s.id = p.step_instance_id"
			 " WHERE s.request_id = '%s' AND s.step = 4 AND p.ended_at IS NULL",
			 id.s)),
		1);

	/* both thresholds pass while the clock is stopped (after the pause began,
	 * in whole seconds as the engine stores them): nothing is flagged */
	ck_assert_msg(sql_becomes(fmt("SELECT date_trunc('second', now()) > paused_since FROM step_instances"
				      " WHERE request_id = '%s' AND step = 4",
				      id.s),
				  "t", SETTLE_WITHIN_MS),
		      "the clock did not pass the pause's start");
	sql(fmt("UPDATE step_instances SET warn_at = date_trunc('second', now()), due_at = date_trunc('second', now())"
		" WHERE request_id = '%s' AND step = 4",
		id.s));
	long long warn0 = step_epoch(id.s, 4, "warn_at"), due0 = step_epoch(id.s, 4, "due_at");
	ck_assert_int_gt(due0, step_epoch(id.s, 4, "paused_since"));
	settle();
	ck_assert_str_eq(sqlv(fmt("SELECT (warned_at IS NULL AND breached_at IS NULL)::text FROM step_instances"
				  " WHERE request_id = '%s' AND step = 4",
				  id.s)),
			 "true");
	ck_assert_int_eq(events(id.s, "warning") + events(id.s, "breach"), 0);
	ck_assert_str_eq(jstr(timeline_step(id.s, 4), "sla_state"), "paused");
	ck_assert_ptr_null(overdue_item(KASI, "", id.s));

	/* the PD completes: the pause closes and the deadlines move on by the
	 * office time the pause took, never back */
	struct ts_resp *r = call(PD, "POST", fmt("/api/v1/requests/%s/completion", id.s),
				 "{\"notes\":{\"data_input_output\":\"Format data input dan output terlampir.\"}}");
	assert_status(r, 201);
	t = timeline(id.s);
	ck_assert_str_eq(jstr(t, "status"), "in_discussion");
	s = timeline_step(id.s, 4);
	ck_assert_str_ne(jstr(s, "sla_state"), "paused");
	pauses = json_object_get(s, "pauses");
	ck_assert_msg(json_array_size(pauses) == 1 &&
			      parse_instant(jstr(json_array_get(pauses, 0), "ended_at")) >=
				      parse_instant(jstr(json_array_get(pauses, 0), "started_at")),
		      "the pause is not closed: %s", json_dumps(s, JSON_COMPACT));
	ck_assert_str_eq(
		sqlv(fmt("SELECT paused_since IS NULL FROM step_instances WHERE request_id = '%s' AND step = 4", id.s)),
		"t");
	long long pause_start = parse_instant(jstr(json_array_get(pauses, 0), "started_at"));
	long long pause_end = parse_instant(jstr(json_array_get(pauses, 0), "ended_at"));
	long long warn1 = parse_instant(jstr(s, "warn_at")), due1 = parse_instant(jstr(s, "due_at"));
	ck_assert_msg(due1 >= due0 && warn1 >= warn0,
		      "the deadlines moved back on resume: warn %lld -> %lld, due %lld -> %lld", warn0, warn1, due0,
		      due1);
	long long pushed = office_between(pause_start, pause_end);
	ck_assert_msg(due1 == office_add(due0, pushed),
		      "due_at %lld -> %lld; the pause held %lld office seconds, so expected %lld", due0, due1, pushed,
		      office_add(due0, pushed));
	/* a deadline that is still behind us after the resume is flagged, once */
	if (due1 < time(NULL)) {
		ck_assert_msg(
			sql_becomes(fmt("SELECT count(*) FROM " SLA_EVENTS " e WHERE request_id = '%s' AND kind = 'breach'",
					id.s),
				    "1", FLAG_WITHIN_MS),
			"a resumed step past its due_at was not flagged");
		settle();
		ck_assert_int_eq(events(id.s, "breach"), 1);
		ck_assert_str_eq(jstr(timeline_step(id.s, 4), "sla_state"), "breached");
	}
}
END_TEST

/* The PD's completion loop: two incomplete rounds, two pauses, each closed,
 * each pushing the deadlines by the office time it held. */
static void pd_complete(const char *rid)
{
	struct ts_resp *r = call(PD, "POST", fmt("/api/v1/requests/%s/completion", rid),
				 "{\"notes\":{\"data_input_output\":\"Format data input dan output terlampir.\"}}");
	assert_status(r, 201);
}

START_TEST(test_pause_rounds)
{
	struct uid id = request_in_discussion("Sistem Informasi Dua Putaran");
	for (int round = 1; round <= 2; round++) {
		long long warn0 = step_epoch(id.s, 4, "warn_at"), due0 = step_epoch(id.s, 4, "due_at");
		record_awal(id.s, true);
		ck_assert_str_eq(jstr(timeline_step(id.s, 4), "sla_state"), "paused");
		/* let the pause hold some time (the checks below use its real bounds) */
		ck_assert(sql_becomes(fmt("SELECT now() > paused_since + interval '300 ms' FROM step_instances"
					  " WHERE request_id = '%s' AND step = 4",
					  id.s),
				      "t", SETTLE_WITHIN_MS));
		pd_complete(id.s);
		json_t *s = timeline_step(id.s, 4);
		json_t *pauses = json_object_get(s, "pauses");
		ck_assert_int_eq(json_array_size(pauses), round);
		json_t *p = json_array_get(pauses, round - 1);
		long long ps = parse_instant(jstr(p, "started_at")), pe = parse_instant(jstr(p, "ended_at"));
		ck_assert_msg(ps && pe >= ps, "round %d: pause not closed: %s", round, json_dumps(s, JSON_COMPACT));
		long long pushed = office_between(ps, pe);
		ck_assert_int_eq(parse_instant(jstr(s, "warn_at")), office_add(warn0, pushed));
		ck_assert_int_eq(parse_instant(jstr(s, "due_at")), office_add(due0, pushed));
		ck_assert_str_ne(jstr(s, "sla_state"), "paused");
	}
	ck_assert_int_eq(
		sqll(fmt("SELECT count(*) FROM step_pauses p JOIN step_instances s ON s.id = p.step_instance_id"
			 " WHERE s.request_id = '%s' AND p.ended_at IS NOT NULL",
			 id.s)),
		2);
	/* the complete checklist finishes step 4 and starts step 5 */
	record_awal(id.s, false);
	ck_assert_str_eq(jstr(timeline_step(id.s, 4), "sla_state"), "done_on_time");
	ck_assert_str_eq(jstr(timeline_step(id.s, 5), "sla_state"), "on_time");
}
END_TEST

/* A pause that began 50 hours ago (moved there with SQL, with the step's
 * start before it): on resume the deadlines move by the office time in
 * those 50 hours, whatever the day the test runs. */
START_TEST(test_resume_pushes_by_office_time)
{
	struct uid id = request_in_discussion("Sistem Informasi Jeda Panjang");
	record_awal(id.s, true);
	sql(fmt("WITH s AS (UPDATE step_instances SET started_at = date_trunc('second', now() - interval '51 hours'),"
		"                  paused_since = date_trunc('second', now() - interval '50 hours')"
		"            WHERE request_id = '%s' AND step = 4 RETURNING id, paused_since)"
		" UPDATE step_pauses p SET started_at = s.paused_since FROM s WHERE p.step_instance_id = s.id",
		id.s));
	long long warn0 = step_epoch(id.s, 4, "warn_at"), due0 = step_epoch(id.s, 4, "due_at");
	long long ps = step_epoch(id.s, 4, "paused_since");
	ck_assert_str_eq(jstr(timeline_step(id.s, 4), "sla_state"), "paused");
	pd_complete(id.s);
	json_t *s = timeline_step(id.s, 4);
	json_t *p = json_array_get(json_object_get(s, "pauses"), 0);
	ck_assert_int_eq(parse_instant(jstr(p, "started_at")), ps);
	long long pe = parse_instant(jstr(p, "ended_at"));
	long long pushed = office_between(ps, pe);
	ck_assert_msg(pushed >= 8 * 3600, "50 hours hold at least one office day, not %lld s", pushed);
	ck_assert_int_eq(parse_instant(jstr(s, "warn_at")), office_add(warn0, pushed));
	ck_assert_int_eq(parse_instant(jstr(s, "due_at")), office_add(due0, pushed));
	ck_assert_int_gt(parse_instant(jstr(s, "due_at")), due0);
	/* the pause does not count as the step's time */
	long long started = parse_instant(jstr(s, "started_at"));
	long long elapsed = json_integer_value(json_object_get(s, "elapsed_working_seconds"));
	ck_assert_msg(elapsed <= office_between(started, ps) + office_between(pe, (long long)time(NULL) + 1) &&
			      elapsed >= office_between(started, ps),
		      "elapsed_working_seconds %lld counts the pause", elapsed);
}
END_TEST

/* pause_on_pd: false in a new policy version: a step started under it keeps
 * running while the request waits on the PD, and breaches there. */
START_TEST(test_no_pause_when_the_policy_says_so)
{
	struct ts_resp *r = call(ADMIN, "PUT", "/api/v1/sla/policy",
				 "{\"steps\":[{\"step\":4,\"warn_after\":\"P5D\",\"due_after\":\"P7D\","
				 "\"clock\":\"working_days\",\"pause_on_pd\":false}]}");
	assert_status(r, 200);
	struct uid id = request_in_discussion("Sistem Informasi Tanpa Jeda");
	record_awal(id.s, true);
	ck_assert_str_eq(jstr(timeline(id.s), "status"), "awaiting_pd_completion");
	json_t *s = timeline_step(id.s, 4);
	ck_assert_str_eq(jstr(s, "sla_state"), "on_time");
	ck_assert_int_eq(json_array_size(json_object_get(s, "pauses")), 0);
	sql(fmt("UPDATE step_instances SET due_at = now() - interval '1 s' WHERE request_id = '%s' AND step = 4",
		id.s));
	ck_assert_msg(
		sql_becomes(fmt("SELECT count(*) FROM " SLA_EVENTS " e WHERE request_id = '%s' AND kind = 'breach'", id.s),
			    "1", FLAG_WITHIN_MS),
		"a step whose policy does not pause was not flagged while waiting on the PD");
	json_t *it = overdue_item(KASI, "", id.s);
	ck_assert_ptr_nonnull(it);
	ck_assert_str_eq(jstr(it, "waiting_on"), "pd");
	ck_assert_str_eq(jstr(it, "status"), "awaiting_pd_completion");
}
END_TEST

static Suite *pause_suite(void)
{
	Suite *s = suite_create("sla_pause");
	TCase *tc = tcase_new("sla_pause", up_pause);
	tcase_add_test(tc, test_pause_and_resume);
	tcase_add_test(tc, test_pause_rounds);
	tcase_add_test(tc, test_resume_pushes_by_office_time);
	tcase_add_test(tc, test_no_pause_when_the_policy_says_so);
	tcase_add_test(tc, test_clean_stop);
	suite_add_tcase(s, tc);
	return s;
}

/* ==== sla_policy: versions, what running steps keep, refusals ================== */

static void up_policy(void)
{
	world_up("sla_policy", EVERYONE);
}

static json_t *policy_step(json_t *policy, int step)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(policy, "steps"), i, s)
	{
		if (json_integer_value(json_object_get(s, "step")) == step)
			return s;
	}
	return NULL;
}

static void assert_policy_step(json_t *policy, int step, const char *warn, const char *due, const char *clock)
{
	json_t *s = policy_step(policy, step);
	ck_assert_msg(s != NULL, "no step %d in the policy", step);
	ck_assert_msg(strcmp(jstr(s, "warn_after"), warn) == 0 && strcmp(jstr(s, "due_after"), due) == 0 &&
			      strcmp(jstr(s, "clock"), clock) == 0 && json_is_true(json_object_get(s, "pause_on_pd")),
		      "step %d: expected %s / %s on %s, pausing on the PD; got %s", step, warn, due, clock,
		      json_dumps(s, JSON_COMPACT));
}

START_TEST(test_policy_defaults)
{
	struct ts_resp *r = call(KASI, "GET", "/api/v1/sla/policy", NULL);
	assert_status(r, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(r->json, "version")), 1);
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "steps")), 6);
	assert_policy_step(r->json, 2, "PT1H", "PT2H", "working_time");
	assert_policy_step(r->json, 3, "PT45M", "PT1H", "working_time");
	for (int step = 4; step <= 7; step++)
		assert_policy_step(r->json, step, "P5D", "P7D", "working_days");
	assert_status(call(AUDITOR, "GET", "/api/v1/sla/policy", NULL), 200);
	assert_problem(call(PD, "GET", "/api/v1/sla/policy", NULL), 403, NULL);
}
END_TEST

START_TEST(test_policy_new_version)
{
	struct uid running = new_submitted("Berjalan Versi Satu");
	long long warn_before = step_epoch(running.s, 2, "warn_at"), due_before = step_epoch(running.s, 2, "due_at");
	long long run_span = due_before - step_epoch(running.s, 2, "started_at");

	struct ts_resp *r = call(ADMIN, "PUT", "/api/v1/sla/policy",
				 "{\"steps\":[{\"step\":2,\"warn_after\":\"PT10M\",\"due_after\":\"PT20M\","
				 "\"clock\":\"working_time\"}]}");
	assert_status(r, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(r->json, "version")), 2);
	assert_policy_step(r->json, 2, "PT10M", "PT20M", "working_time");
	assert_policy_step(r->json, 3, "PT45M", "PT1H", "working_time");
	for (int step = 4; step <= 7; step++)
		assert_policy_step(r->json, step, "P5D", "P7D", "working_days");
	r = call(SEKRETARIAT, "GET", "/api/v1/sla/policy", NULL);
	assert_status(r, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(r->json, "version")), 2);
	assert_policy_step(r->json, 2, "PT10M", "PT20M", "working_time");
	ck_assert_int_eq(sqll("SELECT count(*) FROM audit_log WHERE action = 'sla.policy_publish' AND record_id = '2'"),
			 1);

	/* the running step keeps version 1 and its deadlines */
	ck_assert_int_eq(
		sqll(fmt("SELECT policy_version FROM step_instances WHERE request_id = '%s' AND step = 2", running.s)),
		1);
	ck_assert_int_eq(step_epoch(running.s, 2, "warn_at"), warn_before);
	ck_assert_int_eq(step_epoch(running.s, 2, "due_at"), due_before);
	json_t *s = timeline_step(running.s, 2);
	ck_assert_int_eq(parse_instant(jstr(s, "due_at")), due_before);

	/* a new request's step 2 runs under version 2 */
	struct uid fresh = new_submitted("Baru Versi Dua");
	s = timeline_step(fresh.s, 2);
	long long started = parse_instant(jstr(s, "started_at"));
	ck_assert_int_eq(
		sqll(fmt("SELECT policy_version FROM step_instances WHERE request_id = '%s' AND step = 2", fresh.s)),
		2);
	ck_assert_int_eq(parse_instant(jstr(s, "warn_at")), office_add(started, 600));
	ck_assert_int_eq(parse_instant(jstr(s, "due_at")), office_add(started, 1200));
	ck_assert_msg(parse_instant(jstr(s, "due_at")) - started < run_span,
		      "version 2 (PT20M) gives no shorter span than version 1 (PT2H): %lld vs %lld",
		      parse_instant(jstr(s, "due_at")) - started, run_span);

	/* the running request's NEXT step starts under version 2 (step 3 unchanged) */
	do_register(running.s);
	do_dispose(running.s);
	ck_assert_int_eq(
		sqll(fmt("SELECT policy_version FROM step_instances WHERE request_id = '%s' AND step = 3", running.s)),
		2);
	s = timeline_step(running.s, 3);
	ck_assert_int_eq(parse_instant(jstr(s, "due_at")), office_add(parse_instant(jstr(s, "started_at")), 3600));
}
END_TEST


/* A working_time clock counts office time only: a day part on it is refused
 * with a field error naming the member (before, P2D was silently read as two
 * working days). working_days keeps its day part. */
START_TEST(test_policy_day_part_on_working_time)
{
	long long version = sqll("SELECT max(version) FROM sla_policies");
	struct ts_resp *r = call(ADMIN, "PUT", "/api/v1/sla/policy",
				 "{\"steps\":[{\"step\":3,\"warn_after\":\"PT1H\",\"due_after\":\"P2D\",\"clock\":\"working_time\"}]}");
	assert_problem(r, 400, "request.invalid");
	ck_assert_str_eq(tf_field_error_code(r, "steps[0].due_after"), "day_part_on_working_time");
	r = call(ADMIN, "PUT", "/api/v1/sla/policy",
		 "{\"steps\":[{\"step\":3,\"warn_after\":\"P1DT1H\",\"due_after\":\"P2D\",\"clock\":\"working_time\"}]}");
	assert_problem(r, 400, "request.invalid");
	ck_assert_str_eq(tf_field_error_code(r, "steps[0].warn_after"), "day_part_on_working_time");
	ck_assert_int_eq(sqll("SELECT max(version) FROM sla_policies"), version);
}
END_TEST

START_TEST(test_policy_refusals)
{
	const char *ok = "{\"steps\":[{\"step\":2,\"warn_after\":\"PT10M\",\"due_after\":\"PT20M\",\"clock\":\"working_"
			 "time\"}]}";
	assert_problem(call(KASI, "PUT", "/api/v1/sla/policy", ok), 403, NULL);
	assert_problem(call(PD, "PUT", "/api/v1/sla/policy", ok), 403, NULL);
	assert_problem(call(AUDITOR, "PUT", "/api/v1/sla/policy", ok), 403, NULL);
	assert_problem(call(WHO_COUNT, "PUT", "/api/v1/sla/policy", ok), 401, NULL);
	long long version = sqll("SELECT max(version) FROM sla_policies");

#define STEP(rest) "{\"steps\":[{" rest "}]}"
#define GOOD2 "\"step\":2,\"warn_after\":\"PT1H\",\"due_after\":\"PT2H\",\"clock\":\"working_time\""
	static const struct {
		const char *why, *body;
	} bad[] = {
		{"years", STEP("\"step\":2,\"warn_after\":\"P1Y\",\"due_after\":\"P2Y\",\"clock\":\"calendar\"")},
		{"months", STEP("\"step\":2,\"warn_after\":\"P1M\",\"due_after\":\"P2M\",\"clock\":\"calendar\"")},
		{"a fraction",
		 STEP("\"step\":2,\"warn_after\":\"PT1.5H\",\"due_after\":\"PT2H\",\"clock\":\"working_time\"")},
		{"not a duration",
		 STEP("\"step\":2,\"warn_after\":\"1 hour\",\"due_after\":\"PT2H\",\"clock\":\"working_time\"")},
		{"negative",
		 STEP("\"step\":2,\"warn_after\":\"-PT1H\",\"due_after\":\"PT2H\",\"clock\":\"working_time\"")},
		{"empty duration",
		 STEP("\"step\":2,\"warn_after\":\"\",\"due_after\":\"PT2H\",\"clock\":\"working_time\"")},
		{"unknown clock",
		 STEP("\"step\":2,\"warn_after\":\"PT1H\",\"due_after\":\"PT2H\",\"clock\":\"lunar\"")},
		{"no clock", STEP("\"step\":2,\"warn_after\":\"PT1H\",\"due_after\":\"PT2H\"")},
		{"warn after due",
		 STEP("\"step\":2,\"warn_after\":\"PT3H\",\"due_after\":\"PT2H\",\"clock\":\"working_time\"")},
		{"warn after due (days)",
		 STEP("\"step\":4,\"warn_after\":\"P8D\",\"due_after\":\"P7D\",\"clock\":\"working_days\"")},
		{"step 1",
		 STEP("\"step\":1,\"warn_after\":\"PT1H\",\"due_after\":\"PT2H\",\"clock\":\"working_time\"")},
		{"step 8",
		 STEP("\"step\":8,\"warn_after\":\"PT1H\",\"due_after\":\"PT2H\",\"clock\":\"working_time\"")},
		{"step 2.5",
		 STEP("\"step\":2.5,\"warn_after\":\"PT1H\",\"due_after\":\"PT2H\",\"clock\":\"working_time\"")},
		{"step \"2\"",
		 STEP("\"step\":\"2\",\"warn_after\":\"PT1H\",\"due_after\":\"PT2H\",\"clock\":\"working_time\"")},
		{"no step", STEP("\"warn_after\":\"PT1H\",\"due_after\":\"PT2H\",\"clock\":\"working_time\"")},
		{"duplicate step", "{\"steps\":[{" GOOD2 "},{" GOOD2 "}]}"},
		{"unknown field in a step", STEP(GOOD2 ",\"grace\":\"PT5M\"")},
		{"unknown top-level field", "{\"steps\":[{" GOOD2 "}],\"version\":7}"},
		{"pause_on_pd not a boolean", STEP(GOOD2 ",\"pause_on_pd\":\"yes\"")},
		{"no steps", "{}"},
		{"empty steps", "{\"steps\":[]}"},
		{"steps not an array", "{\"steps\":{" GOOD2 "}}"},
		{"a step not an object", "{\"steps\":[2]}"},
		{"seven steps",
		 "{\"steps\":[{" GOOD2 "},{" GOOD2 "},{" GOOD2 "},{" GOOD2 "},{" GOOD2 "},{" GOOD2 "},{" GOOD2 "}]}"},
		{"not JSON", "{\"steps\":[{\"step\":2,"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct ts_resp *r = call(ADMIN, "PUT", "/api/v1/sla/policy", bad[i].body);
		ck_assert_msg(r->status == 400, "%s: status %ld, expected 400; body %s", bad[i].why, r->status,
			      r->body);
		assert_problem(r, 400, NULL);
	}
	ck_assert_int_eq(sqll("SELECT max(version) FROM sla_policies"), version);
}
END_TEST

/* A field error in a list names the element: steps[1].step, not "step". */
START_TEST(test_policy_errors_name_the_element)
{
	struct ts_resp *r = call(ADMIN, "PUT", "/api/v1/sla/policy",
				 "{\"steps\":[{" GOOD2 "},{\"step\":9,\"warn_after\":\"PT1H\",\"due_after\":\"PT2H\","
				 "\"clock\":\"working_time\"}]}");
	assert_problem(r, 400, NULL);
	ck_assert_msg(strcmp(first_error_field(r), "steps[1].step") == 0,
		      "the bad step is the second element, but the error names field '%s': %s", first_error_field(r),
		      r->body);
}
END_TEST

/* Two administrators publish at once, one changing step 2 and the other step
 * 3: each new version must keep the other's change ("steps not named keep
 * their current rules"), so no version changes two steps and the last
 * round's values both survive. */
struct put_job {
	const char *body;
	long status;
	pthread_t th;
};

static void *put_policy(void *arg)
{
	struct put_job *j = arg;
	const char *h[] = {fmt("Authorization: Bearer %s", W[ADMIN].token), "Content-Type: application/json", NULL};
	j->status = ts_http(g_d, "PUT", "/api/v1/sla/policy", h, j->body, strlen(j->body))->status;
	return NULL;
}

#define ROUNDS 12

START_TEST(test_policy_concurrent_publish)
{
	long long first = sqll("SELECT max(version) FROM sla_policies") + 1;
	for (int round = 1; round <= ROUNDS; round++) {
		struct put_job jobs[2];
		for (int k = 0; k < 2; k++) {
			jobs[k].body = fmt("{\"steps\":[{\"step\":%d,\"warn_after\":\"PT%dM\",\"due_after\":\"PT3H\","
					   "\"clock\":\"working_time\"}]}",
					   2 + k, round);
			ck_assert_int_eq(pthread_create(&jobs[k].th, NULL, put_policy, &jobs[k]), 0);
		}
		for (int k = 0; k < 2; k++) {
			pthread_join(jobs[k].th, NULL);
			ck_assert_msg(jobs[k].status == 200, "round %d: PUT answered %ld", round, jobs[k].status);
		}
	}
	ck_assert_int_eq(sqll("SELECT max(version) FROM sla_policies"), first + 2 * ROUNDS - 1);
	const char *lost = sqlv(fmt("SELECT coalesce(string_agg(version::text, ', ' ORDER BY version), '') FROM"
				    " (SELECT a.version FROM sla_policies a JOIN sla_policies b"
				    "   ON b.version = a.version - 1 AND b.step = a.step"
				    "  WHERE a.version >= %lld AND (a.warn_after, a.due_after, a.clock, a.pause_on_pd)"
				    "        IS DISTINCT FROM (b.warn_after, b.due_after, b.clock, b.pause_on_pd)"
				    "  GROUP BY a.version HAVING count(*) > 1) x",
				    first));
	struct ts_resp *r = call(ADMIN, "GET", "/api/v1/sla/policy", NULL);
	assert_status(r, 200);
	ck_assert_msg(lost[0] == '\0',
		      "versions %s each changed TWO steps though every PUT named one: a concurrent publish reverted the"
		      " other's change (lost update); current policy: %s",
		      lost, r->body);
	assert_policy_step(r->json, 2, fmt("PT%dM", ROUNDS), "PT3H", "working_time");
	assert_policy_step(r->json, 3, fmt("PT%dM", ROUNDS), "PT3H", "working_time");
}
END_TEST

static Suite *policy_suite(void)
{
	Suite *s = suite_create("sla_policy");
	TCase *tc = tcase_new("sla_policy", up_policy);
	tcase_add_test(tc, test_policy_defaults);
	tcase_add_test(tc, test_policy_new_version);
	tcase_add_test(tc, test_policy_refusals);
	tcase_add_test(tc, test_policy_day_part_on_working_time);
	tcase_add_test(tc, test_policy_errors_name_the_element);
	tcase_add_test(tc, test_policy_concurrent_publish);
	tcase_add_test(tc, test_clean_stop);
	suite_add_tcase(s, tc);
	return s;
}

/* The summary group called key, or NULL. */
static json_t *group_of(json_t *summary, const char *key)
{
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(summary, "groups"), i, g)
	{
		if (strcmp(jstr(g, "key"), key) == 0)
			return g;
	}
	return NULL;
}

/* ==== sla_calendar: holidays, and the deadlines they move ======================= */

static void up_calendar(void)
{
	world_up("sla_calendar", EVERYONE);
}

/* The dates listed by a holidays answer, comma-separated. */
static const char *listed_dates(const struct ts_resp *r)
{
	static char buf[1024];
	buf[0] = '\0';
	size_t i;
	json_t *h;
	json_array_foreach(json_object_get(r->json, "items"), i, h)
	{
		strncat(buf, i ? "," : "", sizeof buf - strlen(buf) - 1);
		strncat(buf, jstr(h, "date"), sizeof buf - strlen(buf) - 1);
	}
	return buf;
}

/* A holiday change queues the recompute of open deadlines (answered at
 * once, worked by a timer thread in batches): waits (a bound of 30 s, not an
 * expectation) until no job is unfinished, and checks that the progress
 * list shows the newest one done, with every open step seen. */
static void recomputed(void)
{
	long long until = ts_now_ms() + 30000;
	while (sqll("SELECT count(*) FROM calendar_recomputes WHERE state <> 'done'") > 0 && ts_now_ms() < until)
		ts_nap_ms(20);
	ck_assert_int_eq(sqll("SELECT count(*) FROM calendar_recomputes WHERE state <> 'done'"), 0);
	struct ts_resp *r = call(KASI, "GET", "/api/v1/calendar/recomputes", NULL);
	assert_status(r, 200);
	json_t *last = json_array_get(json_object_get(r->json, "items"), 0);
	ck_assert_str_eq(jstr(last, "state"), "done");
	ck_assert_msg(json_is_string(json_object_get(last, "finished_at")), "finished_at: %s", r->body);
	ck_assert_int_ge(json_integer_value(json_object_get(last, "steps_seen")),
			 json_integer_value(json_object_get(last, "steps_moved")));
}

/* Far from any deadline a test computes. */
START_TEST(test_holidays_crud)
{
	struct ts_resp *r = call(ADMIN, "POST", "/api/v1/calendar/holidays",
				 "{\"date\":\"2035-03-09\",\"name\":\"Hari Suci Nyepi\"}");
	assert_status(r, 201);
	ck_assert_str_eq(listed_dates(r), "2035-03-09");
	ck_assert_str_eq(jstr(json_array_get(json_object_get(r->json, "items"), 0), "kind"), "national");
	/* the answer comes with the queued recompute */
	json_t *job = json_object_get(r->json, "recompute");
	ck_assert_msg(json_is_object(job) && json_is_string(json_object_get(job, "id")), "recompute: %s", r->body);
	ck_assert_str_eq(jstr(job, "cause"), "holidays_put");
	ck_assert_str_eq(jstr(job, "state"), "queued");
	/* the same date again updates it */
	r = call(ADMIN, "POST", "/api/v1/calendar/holidays",
		 "{\"date\":\"2035-03-09\",\"name\":\"Hari Raya Nyepi\",\"kind\":\"regional\"}");
	assert_status(r, 200);
	ck_assert_str_eq(jstr(json_array_get(json_object_get(r->json, "items"), 0), "name"), "Hari Raya Nyepi");
	ck_assert_str_eq(jstr(json_array_get(json_object_get(r->json, "items"), 0), "kind"), "regional");
	/* bulk import: new dates 201, all known 200 */
	const char *bulk = "{\"holidays\":[{\"date\":\"2035-12-25\",\"name\":\"Hari Raya Natal\"},"
			   "{\"date\":\"2035-12-24\",\"name\":\"Cuti Bersama Natal\",\"kind\":\"collective_leave\"},"
			   "{\"date\":\"2036-01-01\",\"name\":\"Tahun Baru Masehi\"}]}";
	r = call(ADMIN, "POST", "/api/v1/calendar/holidays", bulk);
	assert_status(r, 201);
	ck_assert_str_eq(listed_dates(r), "2035-03-09,2035-12-24,2035-12-25,2036-01-01");
	assert_status(call(ADMIN, "POST", "/api/v1/calendar/holidays", bulk), 200);

	r = call(KASI, "GET", "/api/v1/calendar/holidays?from=2035-12-01&to=2035-12-31", NULL);
	assert_status(r, 200);
	ck_assert_str_eq(listed_dates(r), "2035-12-24,2035-12-25");
	ck_assert_msg(json_is_null(json_object_get(r->json, "next_cursor")), "next_cursor: %s", r->body);
	r = call(AUDITOR, "GET", "/api/v1/calendar/holidays?from=2035-12-25", NULL);
	assert_status(r, 200);
	ck_assert_str_eq(listed_dates(r), "2035-12-25,2036-01-01");
	r = call(KASI, "GET", "/api/v1/calendar/holidays?to=2035-03-09", NULL);
	ck_assert_str_eq(listed_dates(r), "2035-03-09");

	assert_status(call(ADMIN, "DELETE", "/api/v1/calendar/holidays/2035-12-24", NULL), 204);
	assert_problem(call(ADMIN, "DELETE", "/api/v1/calendar/holidays/2035-12-24", NULL), 404, NULL);
	r = call(KASI, "GET", "/api/v1/calendar/holidays", NULL);
	ck_assert_str_eq(listed_dates(r), "2035-03-09,2035-12-25,2036-01-01");

	recomputed();
	ck_assert_int_eq(sqll("SELECT count(*) FROM calendar_recomputes"), 5);
	ck_assert_int_eq(sqll("SELECT count(*) FROM audit_log WHERE action = 'calendar.holidays_put'"), 4);
	ck_assert_int_eq(sqll("SELECT count(*) FROM audit_log WHERE action = 'calendar.holiday_delete'"), 1);
	ck_assert_int_eq(sqll("SELECT count(*) FROM audit_log WHERE action = 'calendar.recompute'"), 5);
}
END_TEST

/* A holiday on the day an open step is due pushes its deadlines to the next
 * working day, the recomputation is audited, and removing the holiday puts
 * them back. */
START_TEST(test_holiday_recomputes_open_steps)
{
	struct uid id = new_submitted("Sistem Informasi Libur");
	long long started = step_epoch(id.s, 2, "started_at");
	long long warn0 = step_epoch(id.s, 2, "warn_at"), due0 = step_epoch(id.s, 2, "due_at");
	ck_assert_int_eq(due0, office_add(started, 7200));
	long long day = local_day(due0);
	long long recomputes = sqll("SELECT count(*) FROM audit_log WHERE action = 'calendar.recompute'");

	struct ts_resp *r =
		call(ADMIN, "POST", "/api/v1/calendar/holidays",
		     fmt("{\"date\":\"%s\",\"name\":\"Hari Raya Galungan\",\"kind\":\"regional\"}", day_text(day)));
	assert_status(r, 201);
	g_holidays[g_nholidays++] = day;
	recomputed();
	long long warn1 = step_epoch(id.s, 2, "warn_at"), due1 = step_epoch(id.s, 2, "due_at");
	ck_assert_msg(due1 > due0, "a holiday on %s (the day step 2 is due) did not move due_at later: %lld -> %lld",
		      day_text(day), due0, due1);
	ck_assert_int_eq(due1, office_add(started, 7200));
	ck_assert_int_eq(warn1, office_add(started, 3600));
	ck_assert_msg(local_day(due1) != day, "due_at still falls on the holiday");
	json_t *s = timeline_step(id.s, 2);
	ck_assert_int_eq(parse_instant(jstr(s, "due_at")), due1);
	ck_assert_int_eq(sqll("SELECT count(*) FROM audit_log WHERE action = 'calendar.recompute'"), recomputes + 1);
	ck_assert_str_eq(sqlv("SELECT after->>'cause' FROM audit_log WHERE action = 'calendar.recompute'"
			      " ORDER BY id DESC LIMIT 1"),
			 "holidays_put");
	ck_assert_int_ge(sqll("SELECT (after->>'steps_moved')::int FROM audit_log WHERE action = 'calendar.recompute'"
			      " ORDER BY id DESC LIMIT 1"),
			 1);
	ck_assert_str_eq(
		sqlv("SELECT actor_role FROM audit_log WHERE action = 'calendar.recompute' ORDER BY id DESC LIMIT 1"),
		"admin");

	assert_status(call(ADMIN, "DELETE", fmt("/api/v1/calendar/holidays/%s", day_text(day)), NULL), 204);
	g_nholidays--;
	recomputed();
	ck_assert_int_eq(step_epoch(id.s, 2, "due_at"), due0);
	ck_assert_int_eq(step_epoch(id.s, 2, "warn_at"), warn0);
	ck_assert_int_eq(sqll("SELECT count(*) FROM audit_log WHERE action = 'calendar.recompute'"), recomputes + 2);
	ck_assert_str_eq(sqlv("SELECT after->>'cause' FROM audit_log WHERE action = 'calendar.recompute'"
			      " ORDER BY id DESC LIMIT 1"),
			 "holiday_delete");
}
END_TEST

/* The local day number of "YYYY-MM-DD". */
static long long day_of(const char *date)
{
	struct tm tm = {0};
	ck_assert_int_eq(sscanf(date, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday), 3);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (long long)timegm(&tm) / 86400;
}

/* The calendar arithmetic through the API, from chosen starts: open steps
 * get started_at moved (to June 2034, far from today, so the timer stays
 * out of it), then a holiday change recomputes every open step from its
 * start. Explicit instants pin the SPEC's own example (Friday 15:30 plus two
 * office hours is Monday 09:30) and a holiday being skipped. */

/* One rule for "at closing" on every clock: the closing instant is closed.
 * A step 2 started exactly at Monday 16:00 WITA, under a policy on each
 * clock in turn, recomputed by a holiday change: working_days P1D is
 * Wednesday 08:00 (Tuesday's opening, then one working day; it was Tuesday
 * 16:00 before), working_time PT1H Tuesday 09:00, calendar P1D Tuesday
 * 16:00. One second earlier, working_days keeps the time of day. */
START_TEST(test_closing_instant_on_every_clock)
{
	static const struct {
		const char *clock, *warn, *due, *start, *want_due;
	} cases[] = {
		{"working_days", "PT1H", "P1D", "2035-06-04 16:00:00+08", "2035-06-06T00:00:00Z"},
		{"working_days", "PT1H", "P1D", "2035-06-04 15:59:59+08", "2035-06-05T07:59:59Z"},
		{"working_time", "PT30M", "PT1H", "2035-06-04 16:00:00+08", "2035-06-05T01:00:00Z"},
		{"calendar", "PT1H", "P1D", "2035-06-04 16:00:00+08", "2035-06-05T08:00:00Z"},
	};
	enum { N = sizeof cases / sizeof cases[0] };
	struct uid ids[N];
	for (int i = 0; i < N; i++) {
		assert_status(call(ADMIN, "PUT", "/api/v1/sla/policy",
				   fmt("{\"steps\":[{\"step\":2,\"warn_after\":\"%s\",\"due_after\":\"%s\",\"clock\":\"%s\"}]}",
				       cases[i].warn, cases[i].due, cases[i].clock)),
			      200);
		ids[i] = new_submitted(fmt("Tutup Kantor %d", i));
		sql(fmt("UPDATE step_instances SET started_at = '%s' WHERE request_id = '%s' AND step = 2", cases[i].start,
			ids[i].s));
	}
	assert_status(call(ADMIN, "POST", "/api/v1/calendar/holidays", "{\"date\":\"2035-11-13\",\"name\":\"Cuti Bersama\"}"),
		      201);
	g_holidays[g_nholidays++] = day_of("2035-11-13");
	recomputed();
	for (int i = 0; i < N; i++) {
		json_t *st = timeline_step(ids[i].s, 2);
		ck_assert_msg(strcmp(jstr(st, "due_at"), cases[i].want_due) == 0, "%s %s from %s: due_at %s, expected %s",
			      cases[i].clock, cases[i].due, cases[i].start, jstr(st, "due_at"), cases[i].want_due);
		ck_assert_str_eq(jstr(st, "clock"), cases[i].clock);
	}
	/* back to the SOP's step 2 for the rest of the suite */
	assert_status(call(ADMIN, "PUT", "/api/v1/sla/policy",
			   "{\"steps\":[{\"step\":2,\"warn_after\":\"PT1H\",\"due_after\":\"PT2H\",\"clock\":\"working_time\"}]}"),
		      200);
}
END_TEST

START_TEST(test_recompute_from_chosen_starts)
{
	static const struct {
		const char *start, *warn, *due; /* warn/due: NULL = from the model only */
	} cases[] = {
		/* Friday 15:30: the SPEC's example */
		{"2034-06-02 15:30:00+08", "2034-06-05T00:30:00Z", "2034-06-05T01:30:00Z"},
		/* Monday before opening */
		{"2034-06-05 07:00:00+08", "2034-06-05T01:00:00Z", "2034-06-05T02:00:00Z"},
		/* Wednesday noon */
		{"2034-06-07 12:00:00+08", NULL, NULL},
		/* Saturday */
		{"2034-06-03 10:00:00+08", "2034-06-05T01:00:00Z", "2034-06-05T02:00:00Z"},
		/* the warning ends at closing; Thursday is the holiday */
		{"2034-06-07 15:00:00+08", "2034-06-07T08:00:00Z", "2034-06-09T01:00:00Z"},
		/* after closing, before the holiday */
		{"2034-06-07 16:30:00+08", "2034-06-09T01:00:00Z", "2034-06-09T02:00:00Z"},
		/* on the holiday */
		{"2034-06-08 10:00:00+08", "2034-06-09T01:00:00Z", "2034-06-09T02:00:00Z"},
	};
	enum { N = sizeof cases / sizeof cases[0] };
	struct uid ids[N];
	for (int i = 0; i < N; i++) {
		ids[i] = new_submitted(fmt("Kalender %d", i));
		sql(fmt("UPDATE step_instances SET started_at = '%s' WHERE request_id = '%s' AND step = 2",
			cases[i].start, ids[i].s));
	}
	struct uid d4 = request_in_discussion("Kalender Hari Kerja");
	sql(fmt("UPDATE step_instances SET started_at = '2034-06-02 15:30:00+08' WHERE request_id = '%s' AND step = 4",
		d4.s));

	struct ts_resp *r = call(ADMIN, "POST", "/api/v1/calendar/holidays",
				 "{\"date\":\"2034-06-08\",\"name\":\"Hari Raya Kuningan\",\"kind\":\"regional\"}");
	assert_status(r, 201);
	g_holidays[g_nholidays++] = day_of("2034-06-08");
	recomputed();
	for (int i = 0; i < N; i++) {
		json_t *st = timeline_step(ids[i].s, 2);
		long long started = step_epoch(ids[i].s, 2, "started_at");
		if (cases[i].warn) {
			ck_assert_msg(strcmp(jstr(st, "warn_at"), cases[i].warn) == 0 &&
					      strcmp(jstr(st, "due_at"), cases[i].due) == 0,
				      "step 2 started %s: warn_at %s, due_at %s; expected %s and %s", cases[i].start,
				      jstr(st, "warn_at"), jstr(st, "due_at"), cases[i].warn, cases[i].due);
		}
		ck_assert_msg(parse_instant(jstr(st, "warn_at")) == office_add(started, 3600) &&
				      parse_instant(jstr(st, "due_at")) == office_add(started, 7200),
			      "step 2 started %s: warn_at %s, due_at %s, expected %lld and %lld", cases[i].start,
			      jstr(st, "warn_at"), jstr(st, "due_at"), office_add(started, 3600),
			      office_add(started, 7200));
	}
	/* P5D / P7D working days from Friday 15:30, skipping Thursday 8 June */
	json_t *st = timeline_step(d4.s, 4);
	ck_assert_str_eq(jstr(st, "warn_at"), "2034-06-12T07:30:00Z");
	ck_assert_str_eq(jstr(st, "due_at"), "2034-06-14T07:30:00Z");
	long long started = step_epoch(d4.s, 4, "started_at");
	ck_assert_int_eq(parse_instant(jstr(st, "warn_at")), working_days_add(started, 5));
	ck_assert_int_eq(parse_instant(jstr(st, "due_at")), working_days_add(started, 7));
	ck_assert_int_ge(sqll("SELECT (after->>'steps_moved')::int FROM audit_log WHERE action = 'calendar.recompute'"
			      " ORDER BY id DESC LIMIT 1"),
			 N + 1);
}
END_TEST

/* A step that was warned and breached on a day later declared a holiday:
 * the recomputation moves its deadlines into the future. Then either the
 * flags go with the old deadlines (and the new ones are flagged when they
 * pass) or the deadlines that had already passed stay where they were (as
 * a pause leaves them, core/sla.h). What must not happen is the mix: a
 * deadline still ahead whose flag is already set, so that the timeline says
 * on_time, the overdue list leaves the step out, the summary counts it
 * breached, and the crossing of the new deadline is never flagged. */
START_TEST(test_recompute_keeps_flags_consistent)
{
	long long today = local_day((long long)time(NULL)), day = today - 1;
	while (!working_day(day))
		day--;
	struct uid id = new_submitted("Sistem Informasi Libur Susulan");
	long long start = opening(day) + 3600; /* 09:00 on the last working day */
	sql(fmt("UPDATE step_instances SET started_at = to_timestamp(%lld), warn_at = to_timestamp(%lld),"
		" due_at = to_timestamp(%lld) WHERE request_id = '%s' AND step = 2",
		start, office_add(start, 3600), office_add(start, 7200), id.s));
	ck_assert_msg(sql_becomes(fmt("SELECT breached_at IS NOT NULL FROM step_instances WHERE request_id = '%s'"
				      " AND step = 2",
				      id.s),
				  "t", FLAG_WITHIN_MS),
		      "the breach on %s was not flagged", day_text(day));
	ck_assert_ptr_nonnull(overdue_item(ADMIN, "", id.s));

	/* that day and every day up to today become holidays */
	char list[2048] = "";
	for (long long d = day; d <= today; d++) {
		snprintf(list + strlen(list), sizeof list - strlen(list),
			 "%s{\"date\":\"%s\",\"name\":\"Cuti Bersama\",\"kind\":\"collective_leave\"}",
			 d > day ? "," : "", day_text(d));
		g_holidays[g_nholidays++] = d;
	}
	struct ts_resp *r = call(ADMIN, "POST", "/api/v1/calendar/holidays", fmt("{\"holidays\":[%s]}", list));
	assert_status(r, 201);
	recomputed();
	long long due = step_epoch(id.s, 2, "due_at");
	bool kept = due <= (long long)time(NULL); /* the passed deadline stayed where it was crossed */
	json_t *st = timeline_step(id.s, 2);
	const char *state = jstr(st, "sla_state");
	bool flagged = !json_is_null(json_object_get(st, "breached_at"));
	json_t *it = overdue_item(ADMIN, "", id.s);
	r = call(AUDITOR, "GET",
		 fmt("/api/v1/sla/summary?from=%s&to=%s&agency_id=%s", day_text(day), day_text(today), g_agency), NULL);
	assert_status(r, 200);
	long long counted = json_integer_value(json_object_get(group_of(r->json, "2"), "breached"));
	const char *msg =
		fmt("after the holidays step 2 is due %s (ahead) with breached_at %s: the timeline says %s, the overdue"
		    " list %s, the summary counts %lld breached step(s); the new due_at will never be flagged",
		    jstr(st, "due_at"), jstr(st, "breached_at"), state, it ? "lists it" : "leaves it out", counted);
	if (kept) {
		/* the flags and the deadlines that caused them agree: still breached everywhere */
		ck_assert_msg(flagged && strcmp(state, "breached") == 0 && it && counted >= 1, "%s", msg);
	} else {
		ck_assert_msg(!flagged, "%s", msg);
	}
}
END_TEST


/* Whether instant t (epoch s) lies in the weekend window Saturday or Sunday
 * 09:00-12:00 WITA (the closing instant itself included: a deadline may land
 * on it). */
static bool in_weekend_hours(long long t)
{
	long long local = t + ZONE_OFFSET, day = floor_div(local, 86400), sec = local - day * 86400;
	long long wd = ((day + 4) % 7 + 7) % 7; /* 0 = Sunday */
	return (wd == 0 || wd == 6) && sec > 9 * 3600 && sec <= 12 * 3600;
}

/* ALURD_OFFICE_HOURS takes any weekday range, also one that ends on Sunday
 * or wraps past it. A second daemon on this database is open only at the
 * weekend: a step 2 it starts (the request submitted through it) has its
 * deadlines in weekend office hours, which a Monday-to-Friday calendar never
 * gives. (A holiday change is not the way to check it: its recompute is
 * worked by whichever instance's timer takes the job, and the two instances
 * here deliberately disagree on the week.) */
START_TEST(test_office_hours_ending_on_sunday)
{
	const char *env[8];
	int n = 0;
	for (const char *const *e = daemon_env; *e; e++)
		env[n++] = *e;
	env[n++] = "ALURD_OFFICE_HOURS=sat-sun 09:00-12:00";
	env[n] = NULL;
	struct ts_daemon *d2 = ts_daemon_start(g_db, env);
	ck_assert_msg(d2 != NULL, "a daemon with ALURD_OFFICE_HOURS=sat-sun did not start (its log is above)");
	struct ts_resp *r = call(PD, "POST", "/api/v1/requests",
				 "{\"kind\":\"pembangunan\",\"title\":\"Kantor Akhir Pekan\",\"description\":\"Aplikasi\"}");
	assert_status(r, 201);
	struct uid id;
	snprintf(id.s, sizeof id.s, "%s", jstr(r->json, "id"));
	upload_pdf(id.s, "surat_permohonan");
	upload_pdf(id.s, "proses_bisnis");
	assert_status(call_on(d2, PD, "POST", fmt("/api/v1/requests/%s/submit", id.s), NULL), 200);
	r = call_on(d2, ADMIN, "GET", fmt("/api/v1/requests/%s/timeline", id.s), NULL);
	assert_status(r, 200);
	json_t *st = json_array_get(json_object_get(r->json, "steps"), 1);
	long long warn = parse_instant(jstr(st, "warn_at")), due = parse_instant(jstr(st, "due_at"));
	ck_assert_msg(in_weekend_hours(warn) && in_weekend_hours(due),
		      "deadlines %s / %s are not in Saturday-Sunday 09:00-12:00", jstr(st, "warn_at"), jstr(st, "due_at"));
	ck_assert_msg(due > warn, "due %s not after warn %s", jstr(st, "due_at"), jstr(st, "warn_at"));
	ck_assert_int_eq(ts_daemon_stop(d2, SIGTERM), 0);
	ts_daemon_free(d2);
}
END_TEST

START_TEST(test_holidays_refused)
{
	const char *one = "{\"date\":\"2035-08-17\",\"name\":\"Hari Kemerdekaan\"}";
	assert_problem(call(KASI, "POST", "/api/v1/calendar/holidays", one), 403, NULL);
	assert_problem(call(PD, "POST", "/api/v1/calendar/holidays", one), 403, NULL);
	assert_problem(call(AUDITOR, "POST", "/api/v1/calendar/holidays", one), 403, NULL);
	assert_problem(call(KASI, "DELETE", "/api/v1/calendar/holidays/2035-03-09", NULL), 403, NULL);
	assert_problem(call(WHO_COUNT, "POST", "/api/v1/calendar/holidays", one), 401, NULL);
	static const char *const bad[] = {
		"{\"date\":\"2035-02-30\",\"name\":\"Tidak Ada\"}",
		"{\"date\":\"17-08-2035\",\"name\":\"Format Salah\"}",
		"{\"date\":\"2035-8-17\",\"name\":\"Format Salah\"}",
		"{\"date\":20350817,\"name\":\"Angka\"}",
		"{\"name\":\"Tanpa Tanggal\"}",
		"{\"date\":\"2035-08-17\"}",
		"{\"date\":\"2035-08-17\",\"name\":\"\"}",
		"{\"date\":\"2035-08-17\",\"name\":\"Jenis Salah\",\"kind\":\"religious\"}",
		"{\"date\":\"2035-08-17\",\"name\":\"Lebih\",\"colour\":\"red\"}",
		"{\"holidays\":[]}",
		"{\"holidays\":{\"date\":\"2035-08-17\",\"name\":\"x\"}}",
		"{\"holidays\":[{\"date\":\"2035-08-17\",\"name\":\"Baik\"},{\"date\":\"bad\",\"name\":\"Buruk\"}]}",
		"[]",
		NULL,
	};
	for (const char *const *b = bad; *b; b++) {
		struct ts_resp *r = call(ADMIN, "POST", "/api/v1/calendar/holidays", *b);
		ck_assert_msg(r->status == 400, "%s: status %ld, expected 400; body %s", *b, r->status, r->body);
		assert_problem(r, 400, NULL);
	}
	/* a refused bulk import stored none of it */
	ck_assert_int_eq(sqll("SELECT count(*) FROM holidays WHERE date = '2035-08-17'"), 0);
	assert_problem(call(KASI, "GET", "/api/v1/calendar/holidays?from=2035-13-01", NULL), 400, NULL);
	assert_problem(call(KASI, "GET", "/api/v1/calendar/holidays?to=tomorrow", NULL), 400, NULL);
	assert_problem(call(ADMIN, "DELETE", "/api/v1/calendar/holidays/not-a-date", NULL), 404, NULL);
}
END_TEST

/* A field error in the bulk list names the element: holidays[1].date. */
START_TEST(test_holiday_errors_name_the_element)
{
	struct ts_resp *r = call(ADMIN, "POST", "/api/v1/calendar/holidays",
				 "{\"holidays\":[{\"date\":\"2035-08-17\",\"name\":\"Baik\"},"
				 "{\"date\":\"2035-02-30\",\"name\":\"Buruk\"}]}");
	assert_problem(r, 400, NULL);
	ck_assert_msg(strcmp(first_error_field(r), "holidays[1].date") == 0,
		      "the bad date is the second element, but the error names field '%s': %s", first_error_field(r),
		      r->body);
}
END_TEST

static Suite *calendar_suite(void)
{
	Suite *s = suite_create("sla_calendar");
	TCase *tc = tcase_new("sla_calendar", up_calendar);
	tcase_add_test(tc, test_holidays_crud);
	tcase_add_test(tc, test_holiday_recomputes_open_steps);
	tcase_add_test(tc, test_recompute_from_chosen_starts);
	tcase_add_test(tc, test_closing_instant_on_every_clock);
	tcase_add_test(tc, test_recompute_keeps_flags_consistent);
	tcase_add_test(tc, test_holidays_refused);
	tcase_add_test(tc, test_holiday_errors_name_the_element);
	tcase_add_test(tc, test_office_hours_ending_on_sunday);
	tcase_add_test(tc, test_clean_stop);
	suite_add_tcase(s, tc);
	return s;
}

/* ==== sla_reports: the compliance summary, delay attribution, access ============ */

static void up_reports(void)
{
	world_up("sla_reports", EVERYONE);
}

static void assert_counts(json_t *g, const char *what, long count, long completed, long open, long met, long breached)
{
	ck_assert_msg(g != NULL, "%s: no such group", what);
	long got[5] = {(long)json_integer_value(json_object_get(g, "count")),
		       (long)json_integer_value(json_object_get(g, "completed")),
		       (long)json_integer_value(json_object_get(g, "open")),
		       (long)json_integer_value(json_object_get(g, "met")),
		       (long)json_integer_value(json_object_get(g, "breached"))};
	ck_assert_msg(got[0] == count && got[1] == completed && got[2] == open && got[3] == met && got[4] == breached,
		      "%s: count/completed/open/met/breached %ld/%ld/%ld/%ld/%ld, expected %ld/%ld/%ld/%ld/%ld: %s",
		      what, got[0], got[1], got[2], got[3], got[4], count, completed, open, met, breached,
		      json_dumps(g, JSON_COMPACT));
	json_t *pct = json_object_get(g, "compliance_pct");
	if (met + breached == 0)
		ck_assert_msg(json_is_null(pct), "%s: compliance_pct of nothing decided is null: %s", what,
			      json_dumps(g, JSON_COMPACT));
	else
		ck_assert_msg(json_is_number(pct) && json_number_value(pct) > 100.0 * met / (met + breached) - 0.01 &&
				      json_number_value(pct) < 100.0 * met / (met + breached) + 0.01,
			      "%s: compliance_pct %s, expected %.2f", what, json_dumps(pct, JSON_ENCODE_ANY),
			      100.0 * met / (met + breached));
	for (int k = 0; k < 2; k++) {
		const char *key = k ? "p90_working_seconds" : "median_working_seconds";
		json_t *v = json_object_get(g, key);
		ck_assert_msg(json_is_null(v) || (json_is_number(v) && json_number_value(v) >= 0), "%s: %s is %s", what,
			      key, v ? json_dumps(v, JSON_ENCODE_ANY) : "missing");
		if (completed == 0)
			ck_assert_msg(json_is_null(v), "%s: %s of nothing completed is null", what, key);
		else
			ck_assert_msg(json_is_number(v), "%s: %s of completed steps is a number", what, key);
	}
}

static void assert_waiting(json_t *g, const char *what)
{
	json_t *w = json_object_get(g, "waiting_working_seconds");
	static const char *const parties[] = {
		"pd", "sekretariat", "kepala_dinas", "kabid_iai", "kasi_ai_tim_spbe", NULL,
	};
	ck_assert_msg(json_is_object(w) && json_object_size(w) == 5, "%s: waiting_working_seconds: %s", what,
		      w ? json_dumps(w, JSON_COMPACT) : "missing");
	for (const char *const *p = parties; *p; p++)
		ck_assert_msg(json_is_integer(json_object_get(w, *p)) &&
				      json_integer_value(json_object_get(w, *p)) >= 0,
			      "%s: waiting_working_seconds.%s: %s", what, *p, json_dumps(w, JSON_COMPACT));
}

/* The period around today in the calendar's zone. */
static const char *period(void)
{
	long long today = local_day((long long)time(NULL));
	return fmt("from=%s&to=%s", day_text(today - 1), day_text(today + 1));
}

/* Request A goes through steps 2 and 3 on time; request B's step 2 breaches
 * and then completes late. */
START_TEST(test_summary)
{
	struct uid a = request_in_discussion("Laporan Tepat Waktu");
	struct uid b = new_submitted("Laporan Terlambat");
	sql(fmt("UPDATE step_instances SET warn_at = now() - interval '2 s', due_at = now() - interval '1 s'"
		" WHERE request_id = '%s' AND step = 2",
		b.s));
	ck_assert_msg(sql_becomes(fmt("SELECT breached_at IS NOT NULL FROM step_instances WHERE request_id = '%s'"
				      " AND step = 2",
				      b.s),
				  "t", FLAG_WITHIN_MS),
		      "request B's breach was not flagged");
	do_register(b.s);
	do_dispose(b.s);
	ck_assert_str_eq(jstr(timeline_step(b.s, 2), "sla_state"), "done_late");
	ck_assert_str_eq(jstr(timeline_step(a.s, 2), "sla_state"), "done_on_time");
	/* B waited on the sekretariat for 50 hours (moved back with SQL): the
	 * office time in them is attributed to the sekretariat */
	sql(fmt("UPDATE state_history SET entered_at = date_trunc('second', now() - interval '50 hours')"
		" WHERE request_id = '%s' AND state = 'submitted'",
		b.s));
	long long entered = sqll(fmt("SELECT floor(extract(epoch FROM entered_at))::bigint FROM state_history"
				     " WHERE request_id = '%s' AND state = 'submitted'",
				     b.s));
	long long left = sqll(fmt("SELECT floor(extract(epoch FROM left_at))::bigint FROM state_history"
				  " WHERE request_id = '%s' AND state = 'submitted'",
				  b.s));
	json_t *wb0 = json_object_get(timeline(b.s), "waiting_working_seconds");
	ck_assert_int_eq(json_integer_value(json_object_get(wb0, "sekretariat")), office_between(entered, left));
	ck_assert_int_ge(json_integer_value(json_object_get(wb0, "sekretariat")), 8 * 3600);
	ck_assert_str_eq(jstr(timeline_step(a.s, 3), "sla_state"), "done_on_time");

	struct ts_resp *r = call(AUDITOR, "GET", fmt("/api/v1/sla/summary?%s&group_by=step", period()), NULL);
	assert_status(r, 200);
	ck_assert_str_eq(jstr(r->json, "group_by"), "step");
	/* step 2: A met, B breached; step 3: A met, B open; step 4: A open */
	assert_counts(group_of(r->json, "2"), "step 2", 2, 2, 0, 1, 1);
	assert_counts(group_of(r->json, "3"), "step 3", 2, 1, 1, 1, 0);
	assert_counts(group_of(r->json, "4"), "step 4", 1, 0, 1, 0, 0);
	ck_assert_msg(group_of(r->json, "1") == NULL, "step 1 has no standard time and no place in the summary");
	/* groups in step order */
	json_t *groups = json_object_get(r->json, "groups");
	ck_assert_int_eq(json_array_size(groups), 3);
	for (size_t k = 0; k < 3; k++)
		ck_assert_str_eq(jstr(json_array_get(groups, k), "key"), fmt("%zu", k + 2));
	json_t *total = json_object_get(r->json, "total");
	assert_counts(total, "total", 5, 3, 2, 2, 1);
	ck_assert_int_eq(json_integer_value(json_object_get(total, "requests")), 2);
	assert_waiting(total, "total");

	/* median and p90 of step 2 (two completed instances: linear
	 * interpolation between closest ranks) from the timelines */
	long long e1 = json_integer_value(json_object_get(timeline_step(a.s, 2), "elapsed_working_seconds"));
	long long e2 = json_integer_value(json_object_get(timeline_step(b.s, 2), "elapsed_working_seconds"));
	long long lo = e1 < e2 ? e1 : e2, hi = e1 < e2 ? e2 : e1;
	json_t *g2 = group_of(r->json, "2");
	ck_assert_msg(
		json_number_value(json_object_get(g2, "median_working_seconds")) == (lo + hi) / 2.0 &&
			json_number_value(json_object_get(g2, "p90_working_seconds")) > lo + 0.9 * (hi - lo) - 0.001 &&
			json_number_value(json_object_get(g2, "p90_working_seconds")) < lo + 0.9 * (hi - lo) + 0.001,
		"step 2 took %lld and %lld working seconds; the summary says %s", e1, e2, json_dumps(g2, JSON_COMPACT));

	/* delay attribution: the summary's waiting per party is the two
	 * timelines' together (open states still grow in office hours) */
	json_t *wa = json_object_get(timeline(a.s), "waiting_working_seconds");
	json_t *wb = json_object_get(timeline(b.s), "waiting_working_seconds");
	assert_waiting(timeline(b.s), "timeline of B");
	const char *key;
	json_t *v;
	json_object_foreach(json_object_get(total, "waiting_working_seconds"), key, v)
	{
		long long want =
			json_integer_value(json_object_get(wa, key)) + json_integer_value(json_object_get(wb, key));
		ck_assert_msg(llabs(json_integer_value(v) - want) <= 5, "waiting on %s: summary %lld, timelines %lld",
			      key, (long long)json_integer_value(v), want);
	}

	r = call(KASI, "GET", fmt("/api/v1/sla/summary?%s&group_by=agency", period()), NULL);
	assert_status(r, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "groups")), 1);
	json_t *g = group_of(r->json, g_agency);
	assert_counts(g, "the agency", 5, 3, 2, 2, 1);
	ck_assert_int_eq(json_integer_value(json_object_get(g, "requests")), 2);
	assert_waiting(g, "the agency");
	assert_counts(json_object_get(r->json, "total"), "total by agency", 5, 3, 2, 2, 1);

	/* filters narrow it */
	r = call(AUDITOR, "GET", fmt("/api/v1/sla/summary?%s&agency_id=00000000-0000-4000-8000-000000000000", period()),
		 NULL);
	assert_status(r, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "groups")), 0);
	assert_counts(json_object_get(r->json, "total"), "another agency", 0, 0, 0, 0, 0);
	r = call(AUDITOR, "GET", fmt("/api/v1/sla/summary?%s&agency_id=%s", period(), g_agency), NULL);
	assert_status(r, 200);
	assert_counts(json_object_get(r->json, "total"), "this agency", 5, 3, 2, 2, 1);
	r = call(AUDITOR, "GET", "/api/v1/sla/summary?from=2020-01-01&to=2020-01-31", NULL);
	assert_status(r, 200);
	assert_counts(json_object_get(r->json, "total"), "a period long past", 0, 0, 0, 0, 0);
	ck_assert_str_eq(jstr(r->json, "group_by"), "step");
}
END_TEST

/* Monitoring tools poll without a period: the last 30 days in the
 * calendar's zone (today included); one end alone sets that end. */

/* Durations are reported in their own clock's unit: office seconds for the
 * working clocks (median/p90_working_seconds), plain seconds for the
 * calendar clock (median/p90_elapsed_seconds); one figure never mixes them.
 * Step 3 of request C runs on a calendar-clock policy and took 3 hours. */
START_TEST(test_summary_keeps_units_apart)
{
	assert_status(call(ADMIN, "PUT", "/api/v1/sla/policy",
			   "{\"steps\":[{\"step\":3,\"warn_after\":\"PT1H\",\"due_after\":\"PT4H\",\"clock\":\"calendar\"}]}"),
		      200);
	struct uid c = request_in_discussion("Laporan Jam Biasa");
	sql(fmt("UPDATE step_instances SET started_at = completed_at - interval '3 hours'"
		" WHERE request_id = '%s' AND step = 3",
		c.s));
	json_t *s3 = timeline_step(c.s, 3);
	ck_assert_str_eq(jstr(s3, "clock"), "calendar");
	ck_assert_int_eq(json_integer_value(json_object_get(s3, "elapsed_working_seconds")), 10800);
	/* the working-clock step 3 instances of the period, measured by their timelines */
	struct ts_resp *r = call(AUDITOR, "GET", fmt("/api/v1/sla/summary?%s&group_by=step", period()), NULL);
	assert_status(r, 200);
	json_t *g3 = group_of(r->json, "3");
	ck_assert_msg(json_number_value(json_object_get(g3, "median_elapsed_seconds")) == 10800.0,
		      "calendar-clock durations: %s", json_dumps(g3, JSON_COMPACT));
	ck_assert_msg(json_number_value(json_object_get(g3, "p90_elapsed_seconds")) == 10800.0, "%s",
		      json_dumps(g3, JSON_COMPACT));
	long long working = sqll("SELECT count(*) FROM step_instances s JOIN sla_policies p ON p.version = s.policy_version"
				 " AND p.step = s.step WHERE s.step = 3 AND s.completed_at IS NOT NULL"
				 " AND s.closed_reason = 'completed' AND p.clock <> 'calendar'");
	ck_assert_int_ge(working, 1);
	/* the working figure is the working-clock instances' alone: every one of
	 * them took far less office time than C's three plain hours */
	double median = json_number_value(json_object_get(g3, "median_working_seconds"));
	ck_assert_msg(median < 3600.0, "step 3's working median %f includes the calendar-clock 10800 s: %s", median,
		      json_dumps(g3, JSON_COMPACT));
	json_t *total = json_object_get(r->json, "total");
	ck_assert_msg(json_number_value(json_object_get(total, "median_elapsed_seconds")) == 10800.0, "%s",
		      json_dumps(total, JSON_COMPACT));
	assert_status(call(ADMIN, "PUT", "/api/v1/sla/policy",
			   "{\"steps\":[{\"step\":3,\"warn_after\":\"PT45M\",\"due_after\":\"PT1H\",\"clock\":\"working_time\"}]}"),
		      200);
}
END_TEST

START_TEST(test_summary_default_period)
{
	const char *today = sqlv("SELECT (now() AT TIME ZONE 'Asia/Makassar')::date::text");
	const char *month_ago = sqlv("SELECT ((now() AT TIME ZONE 'Asia/Makassar')::date - 29)::text");
	struct ts_resp *r = call(AUDITOR, "GET", "/api/v1/sla/summary", NULL);
	assert_status(r, 200);
	ck_assert_str_eq(jstr(r->json, "from"), month_ago);
	ck_assert_str_eq(jstr(r->json, "to"), today);
	/* this suite's requests started today: they are in the default window */
	long long started = sqll("SELECT count(*) FROM step_instances s JOIN sla_policies p"
				 " ON p.version = s.policy_version AND p.step = s.step"
				 " WHERE (s.closed_reason IS NULL OR s.closed_reason = 'completed')"
				 "   AND s.started_at >= ((now() AT TIME ZONE 'Asia/Makassar')::date - 29)::timestamp"
				 "                        AT TIME ZONE 'Asia/Makassar'"
				 "   AND s.started_at < ((now() AT TIME ZONE 'Asia/Makassar')::date + 1)::timestamp"
				 "                        AT TIME ZONE 'Asia/Makassar'");
	ck_assert_msg(started > 0, "no step instances to count");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r->json, "total"), "count")), started);
	r = call(AUDITOR, "GET", "/api/v1/sla/summary?to=2026-01-31", NULL);
	assert_status(r, 200);
	ck_assert_str_eq(jstr(r->json, "from"), "2026-01-02");
	ck_assert_str_eq(jstr(r->json, "to"), "2026-01-31");
	r = call(AUDITOR, "GET", "/api/v1/sla/summary?from=2026-01-01&group_by=agency", NULL);
	assert_status(r, 200);
	ck_assert_str_eq(jstr(r->json, "from"), "2026-01-01");
	ck_assert_str_eq(jstr(r->json, "to"), today);
}
END_TEST

START_TEST(test_summary_refusals)
{
	static const char *const bad[] = {
		"from=2026-02-01&to=2026-01-31",
		"from=2099-01-01", /* after today, the default end */
		"from=2026-01-01&to=2026-01-31&group_by=foo",
		"from=2026-01-01&to=2026-01-31&group_by=",
		"from=2026-02-30&to=2026-03-31",
		"from=01-01-2026&to=2026-01-31",
		"from=2026-01-01&to=2026-01-31&agency_id=dinas",
		"from=2026-01-01&to=2026-01-31&colour=red",
		NULL,
	};
	for (const char *const *q = bad; *q; q++) {
		struct ts_resp *r = call(AUDITOR, "GET", fmt("/api/v1/sla/summary?%s", *q), NULL);
		ck_assert_msg(r->status == 400, "?%s: status %ld, expected 400; body %s", *q, r->status, r->body);
		assert_problem(r, 400, NULL);
	}
	assert_problem(call(PD, "GET", "/api/v1/sla/summary?from=2026-01-01&to=2026-01-31", NULL), 403, NULL);
}
END_TEST

START_TEST(test_access)
{
	assert_problem(call(PD, "GET", "/api/v1/sla/overdue", NULL), 403, NULL);
	assert_problem(call(PD, "GET", fmt("/api/v1/sla/summary?%s", period()), NULL), 403, NULL);
	assert_problem(call(WHO_COUNT, "GET", "/api/v1/sla/overdue", NULL), 401, NULL);
	assert_problem(call(WHO_COUNT, "GET", fmt("/api/v1/sla/summary?%s", period()), NULL), 401, NULL);
	static const enum who staff[] = {AUDITOR, ADMIN, KASI, KABID, KADIS, SEKRETARIAT};
	for (size_t i = 0; i < sizeof staff / sizeof staff[0]; i++) {
		struct ts_resp *r = call(staff[i], "GET", "/api/v1/sla/overdue", NULL);
		ck_assert_msg(r->status == 200, "%s: overdue answered %ld", W[staff[i]].role, r->status);
		r = call(staff[i], "GET", fmt("/api/v1/sla/summary?%s", period()), NULL);
		ck_assert_msg(r->status == 200, "%s: summary answered %ld", W[staff[i]].role, r->status);
	}
	/* the PD reads its own request's timeline */
	struct uid id = new_submitted("Akses Linimasa");
	struct ts_resp *r = call(PD, "GET", fmt("/api/v1/requests/%s/timeline", id.s), NULL);
	assert_status(r, 200);
	ck_assert_str_eq(jstr(r->json, "waiting_on"), "sekretariat");
	assert_problem(call(PD, "GET", "/api/v1/requests/00000000-0000-4000-8000-000000000000/timeline", NULL), 404,
		       NULL);
}
END_TEST

static Suite *reports_suite(void)
{
	Suite *s = suite_create("sla_reports");
	TCase *tc = tcase_new("sla_reports", up_reports);
	tcase_add_test(tc, test_summary);
	tcase_add_test(tc, test_summary_keeps_units_apart);
	tcase_add_test(tc, test_summary_default_period);
	tcase_add_test(tc, test_summary_refusals);
	tcase_add_test(tc, test_access);
	tcase_add_test(tc, test_clean_stop);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	static Suite *(*const suites[])(void) = {
		timer_suite, instances_suite, pause_suite, policy_suite, calendar_suite, reports_suite, NULL
	};
	return tf_main(argc, argv, suites);
}
