/* test_drills.c — fault drills on the real daemon and the real PostgreSQL,
 * loopback only, each bounded in time and each printing its figures on one
 * line (`drill <name>: key=value ...`) for the test log:
 *
 *   drill_db_restart  PostgreSQL stopped and started again under a write
 *                     load of 50 concurrent clients: every 2xx-acknowledged
 *                     write is in the database, nothing but 2xx and 503 is
 *                     answered, /readyz is 200 again soon after PostgreSQL.
 *   drill_kill9       kill -9 of a daemon under the same load: every
 *                     acknowledged write is stored, and no request exists
 *                     without its step instance, state history and audit row.
 *   drill_timer       three daemons with a 0.1 s timer, 1 000 steps crossing
 *                     their warning and due times, one daemon kill -9ed
 *                     midway: exactly 1 000 warnings and 1 000 breaches, none
 *                     twice.
 *   drill_slow_clients  200 connections from four other loopback addresses
 *                     that send their headers a byte at a time: an ordinary
 *                     client from 127.0.0.1 is still answered, each request
 *                     within a generous bound; latencies before and during
 *                     are printed.
 *
 * The design choice: the load is real HTTP from threads of this process (the
 * harness's ts_http_unrecorded, so thousands of exchanges do not swamp the
 * contract check), and the truth afterwards comes from SQL on the suite's
 * database, never from the daemon. Every wait is a poll with a deadline;
 * timings are printed, and only generous upper bounds are asserted.
 *
 * One program, one ctest per suite (`test_drills SUITE`); drill_db_restart
 * stops the cluster, so it is RUN_SERIAL like api_db_outage.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tests/api/world.h"

#define CLIENTS 50
#define TIMER_STEPS 1000

/* Prints one drill's figures to stderr and appends them to the file named by
 * ALURD_TEST_FIGURES (set by tests/api/CMakeLists.txt), which deploy/test.sh
 * prints at the end of the pass. */
static void figures(const char *f, ...) __attribute__((format(printf, 1, 2)));
static void figures(const char *f, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, f);
	vsnprintf(line, sizeof line, f, ap);
	va_end(ap);
	fprintf(stderr, "%s", line);
	const char *path = getenv("ALURD_TEST_FIGURES");
	FILE *out = path && *path ? fopen(path, "a") : NULL;
	if (out) {
		fprintf(out, "%s", line);
		fclose(out);
	}
}

static long long sqll(const char *sql)
{
	char v[64];
	ck_assert_msg(ts_sql_value(g_db, sql, v, sizeof v), "SQL failed: %s", sql);
	return atoll(v);
}

/* ---- the write load ----------------------------------------------------------- */

/* CLIENTS threads each creating drafts as pd.a, one request at a time, until
 * told to stop (or, with stop_on_transport, until the daemon stops
 * answering). What they saw is counted under the lock. */
struct load {
	struct ts_daemon *d;
	const char *prefix;
	bool stop_on_transport;
	atomic_bool stop;
	atomic_int running;
	pthread_mutex_t lock;
	char (*acked)[40]; /* ids of 201-acknowledged requests */
	int nacked, cap;
	int attempts, n503, ntransport, nother;
	long other_status;
	char code_503[64];               /* the problem code of the last 503 */
	long long t0, first_503, last_503; /* ms since t0; -1 none */
	pthread_t th[CLIENTS];
	int index[CLIENTS];
};

static struct load g_load;

static void *load_client(void *arg)
{
	int me = *(int *)arg;
	struct load *l = &g_load;
	char auth[2200];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", W[PD_A].token);
	const char *headers[] = {auth, "Content-Type: application/json", NULL};
	for (int i = 0; !atomic_load(&l->stop); i++) {
		char body[256];
		int n = snprintf(body, sizeof body,
				 "{\"kind\":\"pembangunan\",\"title\":\"%s %02d-%05d\",\"description\":\"Beban tulis\"}",
				 l->prefix, me, i);
		struct ts_resp *r = ts_http_unrecorded(l->d, "POST", "/api/v1/requests", headers, body, (size_t)n);
		const char *id = r->status == 201 && r->json ? json_string_value(json_object_get(r->json, "id")) : NULL;
		long long at = ts_now_ms() - l->t0;
		pthread_mutex_lock(&l->lock);
		l->attempts++;
		if (r->status == 201 && id) {
			if (l->nacked == l->cap) {
				l->cap = l->cap ? 2 * l->cap : 1024;
				l->acked = realloc(l->acked, (size_t)l->cap * sizeof *l->acked);
				if (!l->acked)
					abort(); /* no ck_assert off the test's own thread */
			}
			snprintf(l->acked[l->nacked++], sizeof l->acked[0], "%s", id);
		} else if (r->status == 503) {
			l->n503++;
			snprintf(l->code_503, sizeof l->code_503, "%s", ts_problem_code(r) ? ts_problem_code(r) : "?");
			if (l->first_503 < 0)
				l->first_503 = at;
			l->last_503 = at;
		} else if (r->status == 0) {
			l->ntransport++;
		} else {
			l->nother++;
			l->other_status = r->status;
			fprintf(stderr, "load: answer %ld: %.300s\n", r->status, r->body ? r->body : "");
		}
		pthread_mutex_unlock(&l->lock);
		if (r->status == 0 && l->stop_on_transport)
			break;
		if (r->status == 503)
			ts_nap_ms(20); /* as a client honouring the outage would, briefly */
	}
	atomic_fetch_sub(&l->running, 1);
	return NULL;
}

static void load_start(struct ts_daemon *d, const char *prefix, bool stop_on_transport)
{
	struct load *l = &g_load;
	free(l->acked);
	memset(l, 0, sizeof *l);
	pthread_mutex_init(&l->lock, NULL);
	l->d = d;
	l->prefix = prefix;
	l->stop_on_transport = stop_on_transport;
	l->first_503 = l->last_503 = -1;
	l->t0 = ts_now_ms();
	atomic_store(&l->running, CLIENTS);
	for (int i = 0; i < CLIENTS; i++) {
		l->index[i] = i;
		ck_assert_int_eq(pthread_create(&l->th[i], NULL, load_client, &l->index[i]), 0);
	}
}

static int load_acked(void)
{
	pthread_mutex_lock(&g_load.lock);
	int n = g_load.nacked;
	pthread_mutex_unlock(&g_load.lock);
	return n;
}

/* Waits (bounded) until at least n writes were acknowledged in all. */
static void load_wait_acked(int n, int within_ms)
{
	long long until = ts_now_ms() + within_ms;
	while (load_acked() < n && ts_now_ms() < until)
		ts_nap_ms(20);
	ck_assert_msg(load_acked() >= n, "only %d writes acknowledged within %d ms (wanted %d)", load_acked(),
		      within_ms, n);
}

static void load_stop(void)
{
	atomic_store(&g_load.stop, true);
	for (int i = 0; i < CLIENTS; i++)
		pthread_join(g_load.th[i], NULL);
}

/* The acknowledged ids as an SQL array literal ('{a,b,...}'::uuid[]). */
static char *acked_array(void)
{
	size_t n = (size_t)g_load.nacked * 37 + 16;
	char *s = malloc(n), *p = s;
	ck_assert_ptr_nonnull(s);
	p += sprintf(p, "'{");
	for (int i = 0; i < g_load.nacked; i++)
		p += sprintf(p, "%s%s", i ? "," : "", g_load.acked[i]);
	sprintf(p, "}'::uuid[]");
	return s;
}

/* Acknowledged writes found in the database. */
static long long acked_stored(void)
{
	char *arr = acked_array();
	size_t n = strlen(arr) + 128;
	char *q = malloc(n);
	ck_assert_ptr_nonnull(q);
	snprintf(q, n, "SELECT count(*) FROM requests WHERE id = ANY(%s)", arr);
	long long v = sqll(q);
	free(q);
	free(arr);
	return v;
}

/* Requests of this load that lack a part every creation writes in the same
 * transaction: the step-1 instance, the state history row, the audit row. */
static long long half_written(const char *prefix)
{
	return sqll(fmt("SELECT count(*) FROM requests r WHERE r.title LIKE '%s %%' AND ("
			" NOT EXISTS (SELECT 1 FROM step_instances s WHERE s.request_id = r.id AND s.step = 1) OR"
			" NOT EXISTS (SELECT 1 FROM state_history h WHERE h.request_id = r.id) OR"
			" NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.request_id = r.id"
			"             AND a.action = 'request.create'))",
			prefix));
}

/* ---- drill_db_restart ------------------------------------------------------------ */

static void up_db_restart(void)
{
	/* Fifty clients on one address, each opening a connection per request,
	 * outrun the default per-address limit (64) while 503s come back within
	 * a millisecond, because libmicrohttpd still counts connections the
	 * clients have already closed. That limit is not what this drill is
	 * about, so it is raised here (api_framing and the per-address tests
	 * cover it). */
	static const char *const env[] = {"ALURD_PER_IP_LIMIT=512", NULL};
	world_up("drill_db_restart", env);
}

static void down_db_restart(void)
{
	if (ts_pg_ctl("start") != 0)
		fprintf(stderr, "drill_db_restart: could not start PostgreSQL again\n");
	world_down();
}

START_TEST(test_postgres_restart_under_write_load)
{
	load_start(g_d, "Restart", false);
	load_wait_acked(100, 60000);

	long long stop_at = ts_now_ms() - g_load.t0;
	ck_assert_int_eq(ts_pg_ctl("stop"), 0);
	/* the outage: the load goes on against a daemon without its database */
	long long until = ts_now_ms() + 5000;
	while (ts_now_ms() < until) {
		pthread_mutex_lock(&g_load.lock);
		int n503 = g_load.n503;
		pthread_mutex_unlock(&g_load.lock);
		if (n503 >= CLIENTS)
			break;
		ts_nap_ms(20);
	}
	ts_nap_ms(500);
	ck_assert_int_eq(ts_pg_ctl("start"), 0);
	long long pg_up = ts_now_ms();
	long status = 0;
	while (ts_now_ms() - pg_up < 15000) {
		status = ts_http_unrecorded(g_d, "GET", "/readyz", NULL, NULL, 0)->status;
		if (status == 200)
			break;
		ts_nap_ms(20);
	}
	long long ready_ms = ts_now_ms() - pg_up;
	ck_assert_msg(status == 200, "/readyz still %ld 15 s after PostgreSQL came back", status);
	int before = load_acked();
	load_wait_acked(before + 100, 60000); /* writes flow again */
	load_stop();

	long long stored = acked_stored();
	long long window = g_load.first_503 < 0 ? 0 : g_load.last_503 - g_load.first_503;
	figures(
		"drill db_restart: clients=%d attempts=%d acknowledged=%d stored=%lld 503s=%d other=%d transport=%d"
		" 503_window_ms=%lld first_503_after_stop_ms=%lld ready_after_pg_ms=%lld last_503_code=%s\n",
		CLIENTS, g_load.attempts, g_load.nacked, stored, g_load.n503, g_load.nother, g_load.ntransport,
		window, g_load.first_503 < 0 ? -1 : g_load.first_503 - stop_at, ready_ms, g_load.code_503);
	ck_assert_msg(g_load.n503 > 0, "no 503 while PostgreSQL was stopped: the drill did not reach the outage");
	ck_assert_msg(g_load.nother == 0 && g_load.ntransport == 0,
		      "%d answers other than 2xx/503 (last %ld) and %d transport errors", g_load.nother,
		      g_load.other_status, g_load.ntransport);
	ck_assert_msg(stored == g_load.nacked, "%lld of %d acknowledged writes are in the database", stored,
		      g_load.nacked);
	ck_assert_int_eq(half_written("Restart"), 0);
	/* the figure is 2 s; a generous bound, as everything here is
	 * measured on a shared, loaded machine */
	ck_assert_msg(ready_ms <= 2000, "ready %lld ms after PostgreSQL was back (bound 2000 ms)", ready_ms);
}
END_TEST

static Suite *db_restart_suite(void)
{
	Suite *s = suite_create("drill_db_restart");
	TCase *tc = tf_tcase("drill_db_restart", up_db_restart, down_db_restart, world_each_after, 300);
	tcase_add_test(tc, test_postgres_restart_under_write_load);
	world_add_clean_stop(tc);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- drill_kill9 ------------------------------------------------------------------ */

static void up_kill9(void)
{
	world_up("drill_kill9", NULL);
}

START_TEST(test_kill9_under_write_load)
{
	/* a second daemon on the suite's database takes the load and is killed;
	 * the world's daemon stays for the clean stop */
	/* the per-address limit is not what this drill is about (see
	 * up_db_restart) */
	static const char *const env[] = {"ALURD_PER_IP_LIMIT=512", NULL};
	struct ts_daemon *d2 = ts_daemon_start(g_db, env);
	ck_assert_msg(d2 != NULL, "the second daemon did not start (its log is above)");
	/* until its first account snapshot is loaded a new daemon answers 503
	 * auth.unavailable; the drill is about the kill, so start after it */
	char auth[2200];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", W[PD_A].token);
	const char *headers[] = {auth, NULL};
	long status = 0;
	for (long long until = ts_now_ms() + 10000; status != 200 && ts_now_ms() < until;) {
		status = ts_http_unrecorded(d2, "GET", "/api/v1/me", headers, NULL, 0)->status;
		if (status != 200)
			ts_nap_ms(20);
	}
	ck_assert_msg(status == 200, "the second daemon answers GET /api/v1/me with %ld", status);
	load_start(d2, "Kill", true);
	load_wait_acked(200, 60000);
	ck_assert(ts_daemon_signal(d2, SIGKILL));
	ck_assert_msg(ts_daemon_wait(d2, 10000) >= 0, "the daemon did not die of SIGKILL");
	long long until = ts_now_ms() + 20000;
	while (atomic_load(&g_load.running) > 0 && ts_now_ms() < until)
		ts_nap_ms(20);
	ck_assert_msg(atomic_load(&g_load.running) == 0, "%d clients still get answers from a killed daemon",
		      atomic_load(&g_load.running));
	load_stop();
	ts_daemon_free(d2);

	long long stored = acked_stored();
	long long rows = sqll("SELECT count(*) FROM requests WHERE title LIKE 'Kill %'");
	long long half = half_written("Kill");
	figures(
		"drill kill9: clients=%d attempts=%d acknowledged=%d stored=%lld rows_in_db=%lld"
		" unacknowledged_but_committed=%lld half_written=%lld 503s=%d other=%d\n",
		CLIENTS, g_load.attempts, g_load.nacked, stored, rows, rows - stored, half, g_load.n503, g_load.nother);
	/* a 503 is a refusal, never an acknowledgement: it is counted, not failed */
	ck_assert_msg(g_load.nother == 0, "%d answers other than 201, 503 or a cut connection (last %ld)", g_load.nother,
		      g_load.other_status);
	ck_assert_msg(stored == g_load.nacked, "%lld of %d acknowledged writes are in the database", stored,
		      g_load.nacked);
	ck_assert_msg(half == 0, "%lld requests without their step instance, history or audit row", half);
	/* the database is whole: the surviving daemon reads every one of them */
	struct ts_resp *r = call(PD_A, "GET", "/api/v1/requests?limit=1", NULL);
	assert_status(r, 200);
}
END_TEST

static Suite *kill9_suite(void)
{
	Suite *s = suite_create("drill_kill9");
	TCase *tc = tf_tcase("drill_kill9", up_kill9, world_down, world_each_after, 300);
	tcase_add_test(tc, test_kill9_under_write_load);
	world_add_clean_stop(tc);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- drill_timer ------------------------------------------------------------------ */

static const char *const timer_env[] = {"ALURD_TIMER_INTERVAL=0.1", NULL};

static void up_timer(void)
{
	world_up("drill_timer", timer_env);
}

struct maker {
	int from, to;
	bool ok;
};

static bool make_drafts(void *arg)
{
	struct maker *m = arg;
	char auth[2200];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", W[PD_A].token);
	const char *headers[] = {auth, "Content-Type: application/json", NULL};
	for (int i = m->from; i < m->to; i++) {
		char body[256];
		int n = snprintf(body, sizeof body,
				 "{\"kind\":\"pembangunan\",\"title\":\"Tenggat %04d\",\"description\":\"Tenggat\"}", i);
		struct ts_resp *r = ts_http_unrecorded(g_d, "POST", "/api/v1/requests", headers, body, (size_t)n);
		if (r->status != 201) {
			fprintf(stderr, "draft %d: %ld %.300s\n", i, r->status, r->body ? r->body : "");
			return false;
		}
	}
	m->ok = true;
	return true;
}

#define MINE "SELECT s.id FROM step_instances s JOIN requests r ON r.id = s.request_id" \
	     " WHERE r.title LIKE 'Tenggat %%' AND s.step = 1"
/* The timer's events in the outbox (migrations/0020), as kind and step
 * instance. */
#define SLA_EVENTS                                                                                    \
	"(SELECT substr(type, 5) AS kind, (data->>'step_instance_id')::uuid AS step_instance_id FROM events" \
	" WHERE type LIKE 'sla.%%')"

/* Waits until daemon d has completed three more timer scans (so at least two
 * ran wholly after now), within a generous bound. */
static void settle(struct ts_daemon *d)
{
	double s0 = -1, s = -1;
	ck_assert(ts_metric(ts_http_unrecorded(d, "GET", "/metrics", NULL, NULL, 0)->body,
			    "alurd_sla_scan_duration_seconds_count", &s0));
	for (long long until = ts_now_ms() + 30000; ts_now_ms() < until; ts_nap_ms(20)) {
		ck_assert(ts_metric(ts_http_unrecorded(d, "GET", "/metrics", NULL, NULL, 0)->body,
				    "alurd_sla_scan_duration_seconds_count", &s));
		if (s >= s0 + 3)
			return;
	}
	ck_abort_msg("the timer completed %g scans in 30 s", s - s0);
}

static long long flagged(const char *column)
{
	return sqll(fmt("SELECT count(*) FROM step_instances WHERE id IN (" MINE ") AND %s IS NOT NULL", column));
}

START_TEST(test_three_timers_one_killed)
{
	struct ts_daemon *d2 = ts_daemon_start(g_db, timer_env), *d3 = ts_daemon_start(g_db, timer_env);
	ck_assert_msg(d2 && d3, "the other daemons did not start (their logs are above)");

	struct maker m[10];
	void *args[10];
	for (int i = 0; i < 10; i++) {
		m[i] = (struct maker){i * TIMER_STEPS / 10, (i + 1) * TIMER_STEPS / 10, false};
		args[i] = &m[i];
	}
	ck_assert_msg(tf_all_at_once(10, make_drafts, args), "creating the drafts failed (see above)");
	ts_gc();
	ck_assert_int_eq(sqll(fmt("SELECT count(*) FROM (" MINE ") x")), TIMER_STEPS);
	ck_assert_int_eq(sqll(fmt("SELECT count(*) FROM " SLA_EVENTS " e WHERE step_instance_id IN (" MINE ")")), 0);

	/* deadlines spread over 3 s from 1 s on, each due 1.5 s after its
	 * warning, so flags are raised over several seconds by three timers */
	ck_assert(ts_sql(g_db, fmt("WITH n AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM (" MINE ") x)"
			       " UPDATE step_instances s SET"
			       "   warn_at = now() + interval '1 s' + (n.k %% 30) * interval '100 ms',"
			       "   due_at = now() + interval '2500 ms' + (n.k %% 30) * interval '100 ms'"
			       " FROM n WHERE s.id = n.id")));
	long long t0 = ts_now_ms();
	/* kill the third daemon once warnings are under way */
	long long until = ts_now_ms() + 30000;
	long long warned = 0;
	while ((warned = flagged("warned_at")) < TIMER_STEPS / 4 && ts_now_ms() < until)
		ts_nap_ms(20);
	ck_assert_msg(warned >= TIMER_STEPS / 4, "only %lld warnings within 30 s", warned);
	ck_assert(ts_daemon_signal(d3, SIGKILL));
	ck_assert_msg(ts_daemon_wait(d3, 10000) >= 0, "the third daemon did not die of SIGKILL");
	long long killed_at = ts_now_ms() - t0;

	until = ts_now_ms() + 60000;
	long long breached = 0;
	while ((breached = flagged("breached_at")) < TIMER_STEPS && ts_now_ms() < until)
		ts_nap_ms(50);
	long long all_ms = ts_now_ms() - t0;
	ck_assert_msg(breached == TIMER_STEPS, "%lld of %d steps flagged as breached within 60 s", breached,
		      TIMER_STEPS);
	/* the surviving timers scan on: nothing may be flagged again */
	settle(g_d);
	settle(d2);

	long long ev[2], distinct[2], audit[2];
	for (int k = 0; k < 2; k++) {
		const char *kind = k ? "breach" : "warning";
		ev[k] = sqll(fmt("SELECT count(*) FROM " SLA_EVENTS " e WHERE kind = '%s' AND step_instance_id IN (" MINE ")",
				 kind));
		distinct[k] = sqll(fmt("SELECT count(DISTINCT step_instance_id) FROM " SLA_EVENTS " e WHERE kind = '%s'"
				       " AND step_instance_id IN (" MINE ")",
				       kind));
		audit[k] = sqll(fmt("SELECT count(*) FROM audit_log WHERE action = 'sla.%s'"
				    " AND record_id IN (SELECT id::text FROM (" MINE ") x)",
				    kind));
	}
	figures(
		"drill timer: instances=3 interval_s=0.1 steps=%d warnings=%lld breaches=%lld"
		" duplicate_warnings=%lld duplicate_breaches=%lld audit_warnings=%lld audit_breaches=%lld"
		" warned_when_killed=%lld killed_at_ms=%lld all_breached_ms=%lld\n",
		TIMER_STEPS, ev[0], ev[1], ev[0] - distinct[0], ev[1] - distinct[1], audit[0], audit[1], warned,
		killed_at, all_ms);
	for (int k = 0; k < 2; k++) {
		ck_assert_int_eq(ev[k], TIMER_STEPS);
		ck_assert_int_eq(distinct[k], TIMER_STEPS);
		ck_assert_int_eq(audit[k], TIMER_STEPS);
	}
	ck_assert_int_eq(ts_daemon_stop(d2, SIGTERM), 0);
	ts_daemon_free(d2);
	ts_daemon_free(d3);
}
END_TEST

static Suite *timer_suite(void)
{
	Suite *s = suite_create("drill_timer");
	TCase *tc = tf_tcase("drill_timer", up_timer, world_down, world_each_after, 300);
	tcase_add_test(tc, test_three_timers_one_killed);
	world_add_clean_stop(tc);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- drill_slow_clients --------------------------------------------------------- */

#define SLOW_ADDRS 4
#define SLOW_PER_ADDR 50
#define SAMPLES 40
/* A generous bound on one ordinary request while the slow client holds its
 * connections (its usual latency is printed beside it). */
#define SERVED_WITHIN_MS 3000

static void up_slow(void)
{
	world_up("drill_slow_clients", NULL);
}

/* A non-blocking TCP connection to the daemon from source address src. */
static int slow_connect(const char *src)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in me = {.sin_family = AF_INET};
	inet_pton(AF_INET, src, &me.sin_addr);
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)ts_daemon_port(g_d))};
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&me, sizeof me) != 0 || connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

/* SAMPLES authenticated reads from 127.0.0.1; fills ms[] sorted, returns how
 * many were answered 200. */
static int sample(long long ms[SAMPLES])
{
	int ok = 0;
	for (int i = 0; i < SAMPLES; i++) {
		char auth[2200];
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", W[PD_A].token);
		const char *headers[] = {auth, NULL};
		long long t = ts_now_ms();
		struct ts_resp *r = ts_http_unrecorded(g_d, "GET", "/api/v1/me", headers, NULL, 0);
		ms[i] = ts_now_ms() - t;
		if (r->status == 200)
			ok++;
		else
			fprintf(stderr, "slow drill: GET /api/v1/me answered %ld %s\n", r->status, r->error);
	}
	qsort(ms, SAMPLES, sizeof *ms, cmp_ll);
	return ok;
}

START_TEST(test_slow_client_does_not_starve_others)
{
	long long before[SAMPLES], during[SAMPLES];
	ck_assert_int_eq(sample(before), SAMPLES);

	static int fds[SLOW_ADDRS * SLOW_PER_ADDR];
	int nfds = 0;
	for (int a = 0; a < SLOW_ADDRS; a++) {
		char src[16];
		snprintf(src, sizeof src, "127.0.0.%d", a + 2);
		for (int i = 0; i < SLOW_PER_ADDR; i++) {
			int fd = slow_connect(src);
			ck_assert_msg(fd >= 0, "connection %d from %s: %s", i, src, strerror(errno));
			fds[nfds++] = fd;
		}
	}
	/* each connection starts a request and then sends a byte at a time */
	static const char start[] = "GET /api/v1/me HTTP/1.1\r\nHost: slow\r\nX-Slow: ";
	for (int i = 0; i < nfds; i++)
		ck_assert_int_eq(send(fds[i], start, sizeof start - 1, MSG_NOSIGNAL), (ssize_t)(sizeof start - 1));
	/* interleave the samples with the dribble, so the daemon is busy with the
	 * slow connections throughout */
	int ok = 0;
	long long worst = 0;
	for (int s = 0; s < SAMPLES; s++) {
		for (int i = 0; i < nfds; i++)
			(void)send(fds[i], "a", 1, MSG_NOSIGNAL);
		char auth[2200];
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", W[PD_A].token);
		const char *headers[] = {auth, NULL};
		long long t = ts_now_ms();
		struct ts_resp *r = ts_http_unrecorded(g_d, "GET", "/api/v1/me", headers, NULL, 0);
		during[s] = ts_now_ms() - t;
		if (r->status == 200)
			ok++;
		else
			fprintf(stderr, "slow drill: GET /api/v1/me answered %ld %s\n", r->status, r->error);
		if (during[s] > worst)
			worst = during[s];
		ts_nap_ms(25);
	}
	qsort(during, SAMPLES, sizeof *during, cmp_ll);
	/* how many slow connections the daemon still held at the end */
	int open = 0;
	for (int i = 0; i < nfds; i++) {
		char c;
		ssize_t n = recv(fds[i], &c, 1, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			open++;
		close(fds[i]);
	}
	figures(
		"drill slow_clients: slow_connections=%d still_open=%d samples=%d before_p50_ms=%lld before_max_ms=%lld"
		" during_p50_ms=%lld during_p90_ms=%lld during_max_ms=%lld served=%d bound_ms=%d\n",
		nfds, open, SAMPLES, before[SAMPLES / 2], before[SAMPLES - 1], during[SAMPLES / 2],
		during[SAMPLES * 9 / 10], during[SAMPLES - 1], ok, SERVED_WITHIN_MS);
	ck_assert_msg(ok == SAMPLES, "%d of %d ordinary requests answered 200 beside the slow client", ok, SAMPLES);
	ck_assert_msg(worst <= SERVED_WITHIN_MS, "an ordinary request took %lld ms beside the slow client (bound %d)",
		      worst, SERVED_WITHIN_MS);
}
END_TEST

static Suite *slow_suite(void)
{
	Suite *s = suite_create("drill_slow_clients");
	TCase *tc = tf_tcase("drill_slow_clients", up_slow, world_down, world_each_after, 300);
	tcase_add_test(tc, test_slow_client_does_not_starve_others);
	world_add_clean_stop(tc);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	static Suite *(*const suites[])(void) = {db_restart_suite, kill9_suite, timer_suite, slow_suite, NULL};
	return world_main(argc, argv, suites);
}
