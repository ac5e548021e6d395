/* test_ops.c — the foundation's behaviour, seen from outside: the real alurd
 * binary over HTTP (and raw sockets) against a real PostgreSQL.
 *
 * One Check suite per concern; `test_ops SUITE` runs one of them (ctest runs
 * each as its own test, so they run in parallel and only the suite that stops
 * PostgreSQL runs alone), `test_ops` with no argument runs all. Each suite gets
 * its own database copied from the migrated template and, in an unchecked
 * fixture, its own daemon. Tests inside a suite run in order in one process
 * (CK_NOFORK): the daemon's state carries from test to test, and every suite
 * that keeps its daemon to the end closes with test_clean_stop (still serving
 * after all the bad input, then SIGTERM -> exit 0 with a drained stop). A
 * daemon that exits non-zero anywhere else (an ASan report, a crash) fails
 * the program through ts_failures(), whatever the assertions said.
 *
 * Exchanges made with ts_http() are recorded for the contract check; probes
 * of what openapi.yaml rightly does not document (unknown paths, wrong
 * methods, HEAD, OPTIONS) use ts_http_unrecorded().
 */
#include <check.h>
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "tests/support/fixture.h"
#include "tests/support/harness.h"

#ifndef ALURD_SOURCE_DIR
#error "ALURD_SOURCE_DIR must be defined by the build"
#endif
#ifndef ALURD_EXPECTED_VERSION
#error "ALURD_EXPECTED_VERSION must be defined by the build"
#endif

#define LOGIN "/api/v1/auth/login"
#define WRONG_LOGIN "{\"username\":\"nobody\",\"password\":\"not-the-password-1\"}"

static const char *const json_ct[] = {"Content-Type: application/json", NULL};

static char g_db[512];
static struct ts_daemon *g_d;

/* ---- shared checks ------------------------------------------------------- */

/* The number of migration files in the source tree: what /readyz and
 * `alurd migrate` must agree on. */
static int migration_files(void)
{
	DIR *dir = opendir(ALURD_SOURCE_DIR "/migrations");
	ck_assert_ptr_nonnull(dir);
	int n = 0;
	for (struct dirent *e; (e = readdir(dir));) {
		size_t len = strlen(e->d_name);
		if (len > 9 && strspn(e->d_name, "0123456789") == 4 && e->d_name[4] == '_' &&
		    strcmp(e->d_name + len - 4, ".sql") == 0)
			n++;
	}
	closedir(dir);
	return n;
}

static bool is_hex32(const char *s)
{
	return s && strlen(s) == 32 && strspn(s, "0123456789abcdef") == 32;
}

static bool contains_word_ci(const char *list, const char *word)
{
	return list && strcasestr(list, word) != NULL;
}

/* A problem answer: status, media type, the RFC 9457 members, the code, and a
 * request_id equal to the X-Request-Id header. code NULL: any code. */
#define assert_problem(r, st, code) tf_assert_problem_at(__FILE__, __LINE__, (r), (st), (code))
/* True when the problem lists an error for field ("/field" or "field"). */
#define has_field_error(r, field) (tf_field_error((r), (field)) != NULL)

/* A problem answer in a raw response text. */
#define assert_raw_problem(text, st, code) assert_raw_problem_at(__FILE__, __LINE__, (text), (st), (code))
static void assert_raw_problem_at(const char *file, int line, const char *text, int status, const char *code)
{
	ck_assert_msg(ts_raw_status(text) == status, "%s:%d: expected %d, got: %.400s", file, line, status,
		      text[0] ? text : "(nothing: the connection closed or timed out)");
	char ct[128];
	ck_assert_msg(ts_raw_header(text, "Content-Type", ct, sizeof ct) &&
			      tf_media_type_is(ct, "application/problem+json"),
		      "%s:%d: not application/problem+json: %.400s", file, line, text);
	json_t *j = ts_raw_json(text);
	const char *got = json_string_value(json_object_get(j, "code"));
	ck_assert_msg(got && strcmp(got, code) == 0, "%s:%d: code '%s', expected '%s': %.400s", file, line,
		      got ? got : "(none)", code, text);
}

/* Every log line is a JSON object with time and level; every access line
 * carries a request_id. */
static void assert_log_is_json(struct ts_daemon *d)
{
	const char *log = ts_daemon_log(d);
	int lineno = 0, access = 0;
	for (const char *line = log; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		lineno++;
		json_t *j = json_loadb(line, len, 0, NULL);
		ck_assert_msg(json_is_object(j), "log line %d is not a JSON object: %.*s", lineno, (int)(len > 300 ? 300 : len),
			      line);
		bool ok = json_is_string(json_object_get(j, "time")) && json_is_string(json_object_get(j, "level"));
		const char *event = json_string_value(json_object_get(j, "event"));
		bool is_access = event && strcmp(event, "access") == 0;
		const char *rid = json_string_value(json_object_get(j, "request_id"));
		bool has_rid = rid && *rid;
		json_decref(j);
		ck_assert_msg(ok, "log line %d lacks time or level: %.*s", lineno, (int)(len > 300 ? 300 : len), line);
		if (is_access) {
			access++;
			ck_assert_msg(has_rid, "access line %d has no request_id: %.*s", lineno,
				      (int)(len > 300 ? 300 : len), line);
		}
		line = end ? end + 1 : line + len;
	}
	ck_assert_msg(access > 0, "the log has no access line at all");
}

/* The log's "stopped" line says drained: true. */
static void assert_stopped_drained(struct ts_daemon *d)
{
	const char *log = ts_daemon_log(d);
	const char *at = strstr(log, "\"msg\":\"stopped\"");
	ck_assert_msg(at != NULL, "no \"stopped\" line in the log");
	const char *start = at;
	while (start > log && start[-1] != '\n')
		start--;
	json_t *j = json_loadb(start, strcspn(start, "\n"), 0, NULL);
	bool drained = json_is_true(json_object_get(j, "drained"));
	json_decref(j);
	ck_assert_msg(drained, "the stop was not drained: %.*s", (int)strcspn(start, "\n"), start);
}

/* ---- fixtures ------------------------------------------------------------- */

static void up_with(const char *suite, const char *const *env)
{
	g_d = tf_suite_start(suite, env, g_db, sizeof g_db);
}

static void down(void)
{
	tf_suite_down(&g_d, g_db);
}

static void each_after(void)
{
	ts_gc();
}

/* The last test of every suite that keeps its daemon. */
START_TEST(test_clean_stop)
{
	tf_assert_clean_stop(g_d);
	assert_log_is_json(g_d);
	assert_stopped_drained(g_d);
}
END_TEST

static TCase *tcase_new(const char *name, void (*setup)(void))
{
	return tf_tcase(name, setup, down, each_after, 60);
}

/* ---- ops: the operational endpoints, request ids, routing ----------------- */

static void up_ops(void)
{
	up_with("ops", NULL);
}

START_TEST(test_healthz)
{
	struct ts_resp *r = ts_get(g_d, "/healthz", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_msg(tf_media_type_is(r->content_type, "application/json"), "Content-Type %s", r->content_type);
	json_t *want = json_pack("{s:s}", "status", "ok");
	bool same = json_equal(r->json, want);
	json_decref(want);
	ck_assert_msg(same, "body %s", r->body);
	ck_assert_msg(is_hex32(ts_header(r, "X-Request-Id")), "X-Request-Id '%s'", ts_header(r, "X-Request-Id"));
	ck_assert_pstr_eq(ts_header(r, "X-Content-Type-Options"), "nosniff");
}
END_TEST

START_TEST(test_readyz)
{
	struct ts_resp *r = ts_get(g_d, "/readyz", NULL);
	ck_assert_msg(r->status == 200, "status %ld: %s", r->status, r->body);
	ck_assert_msg(tf_media_type_is(r->content_type, "application/json"), "Content-Type %s", r->content_type);
	ck_assert_str_eq(json_string_value(json_object_get(r->json, "status")), "ready");
	json_t *m = json_object_get(r->json, "migrations");
	int files = migration_files();
	ck_assert_int_gt(files, 0);
	ck_assert_int_eq(json_integer_value(json_object_get(m, "expected")), files);
	ck_assert_int_eq(json_integer_value(json_object_get(m, "applied")), files);
}
END_TEST

START_TEST(test_metrics)
{
	const char *series = "alurd_http_requests_total{route=\"GET /healthz\",status=\"200\"}";
	ck_assert_int_eq(ts_get(g_d, "/healthz", NULL)->status, 200);
	/* the counter moves when the request completes, just after the answer */
	struct ts_resp *r;
	double before = -1;
	for (long long until = ts_now_ms() + 20000;; ts_nap_ms(20)) {
		r = ts_get(g_d, "/metrics", NULL);
		ck_assert_int_eq(r->status, 200);
		if (ts_metric(r->body, series, &before) || ts_now_ms() >= until)
			break;
	}
	ck_assert_msg(before >= 1, "no %s sample in:\n%.2000s", series, r->body);
	ck_assert_msg(tf_media_type_is(r->content_type, "text/plain"), "Content-Type %s", r->content_type);
	ck_assert_msg(strstr(r->body, "# TYPE alurd_http_requests_total counter\n"), "no counter family");
	ck_assert_msg(strstr(r->body, "# TYPE alurd_http_request_duration_seconds histogram\n"), "no histogram family");
	ck_assert_msg(strstr(r->body, "alurd_http_request_duration_seconds_bucket{route=\"GET /healthz\",le=\"+Inf\"}"),
		      "no +Inf bucket for GET /healthz");
	ck_assert_msg(ts_metric(r->body, "alurd_http_request_duration_seconds_count{route=\"GET /healthz\"}", NULL),
		      "no histogram count for GET /healthz");
	double v;
	ck_assert_msg(ts_metric(r->body, "alurd_http_requests_in_flight", &v) && v >= 1,
		      "alurd_http_requests_in_flight missing or below 1 (this request is in flight)");
	ck_assert_msg(ts_metric(r->body, "alurd_db_reconnects_total", &v) && v >= 0, "alurd_db_reconnects_total missing");
	/* and the counter counts */
	ck_assert_int_eq(ts_get(g_d, "/healthz", NULL)->status, 200);
	double after = before;
	long long until = ts_now_ms() + 20000;
	while (after < before + 1 && ts_now_ms() < until) {
		ts_metric(ts_get(g_d, "/metrics", NULL)->body, series, &after);
		if (after < before + 1)
			ts_nap_ms(20);
	}
	ck_assert_msg(after >= before + 1, "%s went from %g to %g after one more call", series, before, after);
}
END_TEST

START_TEST(test_openapi_is_the_repository_file)
{
	FILE *f = fopen(ALURD_SOURCE_DIR "/openapi.yaml", "rb");
	ck_assert_ptr_nonnull(f);
	static char want[1 << 20];
	size_t n = fread(want, 1, sizeof want, f);
	fclose(f);
	ck_assert_uint_lt(n, sizeof want);
	struct ts_resp *r = ts_get(g_d, "/openapi.yaml", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_msg(tf_media_type_is(r->content_type, "application/yaml"), "Content-Type %s", r->content_type);
	ck_assert_msg(r->len == n && memcmp(r->body, want, n) == 0,
		      "/openapi.yaml (%zu bytes) differs from the repository's openapi.yaml (%zu bytes)", r->len, n);
}
END_TEST

START_TEST(test_request_id_echoed)
{
	const char *id = "test-Req.id_0123456789";
	const char *h[] = {"X-Request-Id: test-Req.id_0123456789", NULL};
	struct ts_resp *r = ts_http(g_d, "GET", "/healthz", h, NULL, 0);
	ck_assert_int_eq(r->status, 200);
	ck_assert_pstr_eq(ts_header(r, "X-Request-Id"), id);
	ck_assert_msg(ts_daemon_log_wait(g_d, "\"request_id\":\"test-Req.id_0123456789\"", 20000),
		      "no log line carries the request id %s", id);
	/* 128 characters is still valid */
	char longest[160] = "X-Request-Id: ";
	size_t at = strlen(longest);
	memset(longest + at, 'r', 128);
	longest[at + 128] = '\0';
	const char *h2[] = {longest, NULL};
	r = ts_http(g_d, "GET", "/healthz", h2, NULL, 0);
	ck_assert_pstr_eq(ts_header(r, "X-Request-Id"), longest + at);
}
END_TEST

START_TEST(test_request_id_invalid_replaced)
{
	const char *spaced[] = {"X-Request-Id: has spaces in it", NULL};
	struct ts_resp *r = ts_http(g_d, "GET", "/healthz", spaced, NULL, 0);
	ck_assert_int_eq(r->status, 200);
	ck_assert_msg(is_hex32(ts_header(r, "X-Request-Id")), "got X-Request-Id '%s'", ts_header(r, "X-Request-Id"));

	char too_long[256] = "X-Request-Id: ";
	size_t at = strlen(too_long);
	memset(too_long + at, 'a', 200);
	too_long[at + 200] = '\0';
	const char *h[] = {too_long, NULL};
	r = ts_http(g_d, "GET", "/healthz", h, NULL, 0);
	ck_assert_int_eq(r->status, 200);
	ck_assert_msg(is_hex32(ts_header(r, "X-Request-Id")), "a 200-character id came back as '%.40s...'",
		      ts_header(r, "X-Request-Id"));

	const char *odd[] = {"X-Request-Id: <script>", NULL};
	r = ts_http(g_d, "GET", "/healthz", odd, NULL, 0);
	ck_assert_msg(is_hex32(ts_header(r, "X-Request-Id")), "got X-Request-Id '%s'", ts_header(r, "X-Request-Id"));
}
END_TEST

START_TEST(test_request_id_generated_and_logged)
{
	struct ts_resp *r = ts_get(g_d, "/readyz", NULL);
	ck_assert_int_eq(r->status, 200);
	const char *id = ts_header(r, "X-Request-Id");
	ck_assert_msg(is_hex32(id), "generated X-Request-Id '%s' is not 32 hex digits", id);
	char needle[80];
	snprintf(needle, sizeof needle, "\"request_id\":\"%s\"", id);
	ck_assert_msg(ts_daemon_log_wait(g_d, needle, 20000), "no log line carries the request id %s", id);
	/* two requests, two ids */
	struct ts_resp *r2 = ts_get(g_d, "/readyz", NULL);
	ck_assert_str_ne(ts_header(r2, "X-Request-Id"), id);
}
END_TEST

START_TEST(test_unknown_route_404)
{
	struct ts_resp *r = ts_http_unrecorded(g_d, "GET", "/no/such/thing", NULL, NULL, 0);
	assert_problem(r, 404, "http.not_found");
	r = ts_http_unrecorded(g_d, "GET", "/api/v1/no-such-resource?x=1", NULL, NULL, 0);
	assert_problem(r, 404, "http.not_found");
	const char *h[] = {"X-Request-Id: probe-404", NULL};
	r = ts_http_unrecorded(g_d, "DELETE", "/healthz/extra", h, NULL, 0);
	assert_problem(r, 404, "http.not_found");
	ck_assert_str_eq(json_string_value(json_object_get(r->json, "request_id")), "probe-404");
}
END_TEST

START_TEST(test_wrong_method_405)
{
	struct ts_resp *r = ts_http_unrecorded(g_d, "POST", "/healthz", NULL, NULL, 0);
	assert_problem(r, 405, "http.method_not_allowed");
	const char *allow = ts_header(r, "Allow");
	ck_assert_msg(allow && strstr(allow, "GET"), "Allow is '%s'", allow ? allow : "(absent)");
	r = ts_http_unrecorded(g_d, "DELETE", "/readyz", NULL, NULL, 0);
	assert_problem(r, 405, "http.method_not_allowed");
	allow = ts_header(r, "Allow");
	ck_assert_msg(allow && strstr(allow, "GET"), "Allow is '%s'", allow ? allow : "(absent)");
	r = ts_http_unrecorded(g_d, "PUT", "/metrics", json_ct, "{}", 2);
	assert_problem(r, 405, "http.method_not_allowed");
}
END_TEST

START_TEST(test_head_and_options)
{
	struct ts_resp *r = ts_http_unrecorded(g_d, "HEAD", "/healthz", NULL, NULL, 0);
	ck_assert_int_eq(r->status, 200);
	ck_assert_uint_eq(r->len, 0);
	ck_assert_ptr_nonnull(ts_header(r, "X-Request-Id"));

	r = ts_http_unrecorded(g_d, "OPTIONS", "/healthz", NULL, NULL, 0);
	ck_assert_int_eq(r->status, 204);
	ck_assert_uint_eq(r->len, 0);
	const char *allow = ts_header(r, "Allow");
	ck_assert_msg(allow && strstr(allow, "GET"), "Allow is '%s'", allow ? allow : "(absent)");
	ck_assert_ptr_null(ts_header(r, "Access-Control-Allow-Origin"));

	r = ts_http_unrecorded(g_d, "OPTIONS", "/no/such/thing", NULL, NULL, 0);
	assert_problem(r, 404, "http.not_found");
}
END_TEST

static Suite *ops_suite(void)
{
	Suite *s = suite_create("ops");
	TCase *tc = tcase_new("ops", up_ops);
	tcase_add_test(tc, test_healthz);
	tcase_add_test(tc, test_readyz);
	tcase_add_test(tc, test_metrics);
	tcase_add_test(tc, test_openapi_is_the_repository_file);
	tcase_add_test(tc, test_request_id_echoed);
	tcase_add_test(tc, test_request_id_invalid_replaced);
	tcase_add_test(tc, test_request_id_generated_and_logged);
	tcase_add_test(tc, test_unknown_route_404);
	tcase_add_test(tc, test_wrong_method_405);
	tcase_add_test(tc, test_head_and_options);
	tcase_add_test(tc, test_clean_stop);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- framing: what libcurl would never send -------------------------------- */

static void up_framing(void)
{
	up_with("framing", NULL);
}

static char g_buf[65536];

/* Sends text over a fresh connection; the answer lands in g_buf. */
static const char *raw(const char *text, int timeout_ms)
{
	ts_raw(g_d, text, strlen(text), g_buf, sizeof g_buf, timeout_ms);
	return g_buf;
}

/* Reads what else the connection delivers within ms (after a first answer). */
static const char *read_more(struct ts_conn *c, int ms)
{
	static char more[8192];
	ts_conn_read(c, more, sizeof more, ms);
	return more;
}

START_TEST(test_two_content_lengths)
{
	/* the second "request" is the body by the longer length: it must never
	 * be answered as a request of its own (smuggling) */
	const char *req = "POST " LOGIN " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
			  "Content-Length: 2\r\nContent-Length: 38\r\n\r\n{}GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	struct ts_conn *c = ts_conn_open(g_d);
	ck_assert_ptr_nonnull(c);
	ck_assert(ts_conn_send(c, req, strlen(req)));
	ts_conn_read(c, g_buf, sizeof g_buf, 3000);
	assert_raw_problem(g_buf, 400, "http.bad_framing");
	const char *second = strstr(g_buf + 5, "HTTP/1.1 ");
	if (!second)
		second = strstr(read_more(c, 1000), "HTTP/1.1 ");
	ck_assert_msg(second == NULL, "after the 400 the smuggled request was answered too: %.200s", second);
	ts_conn_close(c);
}
END_TEST

START_TEST(test_content_length_and_chunked)
{
	const char *r = raw("POST " LOGIN " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
			    "Content-Length: 7\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
			    3000);
	assert_raw_problem(r, 400, "http.bad_framing");
}
END_TEST

START_TEST(test_transfer_encoding_gzip)
{
	long long t0 = ts_now_ms();
	const char *r = raw("POST " LOGIN " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
			    "Transfer-Encoding: gzip\r\n\r\nnot really gzip",
			    3000);
	long long took = ts_now_ms() - t0;
	assert_raw_problem(r, 400, "http.bad_framing");
	/* a bound far below the 30 s idle timeout it would otherwise wait for */
	ck_assert_msg(took < 10000, "the 400 took %lld ms", took);
}
END_TEST

/* How many status lines ("HTTP/1.1 NNN") the text holds. */
static int status_lines(const char *text)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, "HTTP/1.1 ")) != NULL; p += 9)
		n += p == text || (p >= text + 2 && p[-2] == '\r' && p[-1] == '\n') || p[-1] == '}';
	return n;
}

START_TEST(test_no_host_header)
{
	const char *r = raw("GET /healthz HTTP/1.1\r\n\r\n", 3000);
	assert_raw_problem(r, 400, "http.bad_host");
	ck_assert_msg(status_lines(r) == 1, "one answer, one header block expected: %.600s", r);
	r = raw("GET /healthz HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n", 3000);
	assert_raw_problem(r, 400, "http.bad_host");
	/* HTTP/1.0 needs none */
	r = raw("GET /healthz HTTP/1.0\r\n\r\n", 3000);
	ck_assert_int_eq(ts_raw_status(r), 200);
}
END_TEST

/* Header lines libmicrohttpd 0.9.75 does not see as Content-Length or
 * Transfer-Encoding (it keeps them under another name), each followed by a
 * request hidden in the body: the answer is one 400, the connection closes,
 * and the hidden request is never answered. */
START_TEST(test_malformed_header_names_do_not_smuggle)
{
	static const char hidden[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	static const struct {
		const char *head; /* "LEN" stands for the hidden request's length */
		const char *code;
	} cases[] = {
		{"POST " LOGIN " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length : LEN\r\n\r\n",
		 "http.bad_header"},
		{"POST " LOGIN " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length\t: LEN\r\n\r\n",
		 "http.bad_header"},
		{"POST " LOGIN " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length:\r\n LEN\r\n\r\n",
		 "http.bad_framing"},
		{"POST " LOGIN " HTTP/1.1\r\n Content-Length: LEN\r\nHost: x\r\nContent-Type: application/json\r\n\r\n",
		 "http.bad_header"},
		{"POST " LOGIN " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding : chunked\r\n"
		 "Content-Length: LEN\r\n\r\n",
		 "http.bad_header"},
		{"POST " LOGIN " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Lengthx: LEN\r\n\r\n",
		 "http.bad_framing"},
		{"POST " LOGIN " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX(Length): LEN\r\n\r\n",
		 "http.bad_header"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char req[1024];
		const char *at = strstr(cases[i].head, "LEN");
		ck_assert_ptr_nonnull(at);
		snprintf(req, sizeof req, "%.*s%zu%s%s", (int)(at - cases[i].head), cases[i].head, strlen(hidden), at + 3,
			 hidden);
		struct ts_conn *c = ts_conn_open(g_d);
		ck_assert_ptr_nonnull(c);
		ck_assert(ts_conn_send(c, req, strlen(req)));
		/* the server closes after its answer: read to the end */
		ts_conn_read(c, g_buf, sizeof g_buf, 15000);
		ts_conn_close(c);
		ck_assert_msg(ts_raw_status(g_buf) == 400, "case %zu answered: %.300s", i, g_buf);
		assert_raw_problem(g_buf, 400, cases[i].code);
		ck_assert_msg(status_lines(g_buf) == 1, "case %zu: the hidden request was answered too: %.900s", i,
			      g_buf);
		ck_assert_msg(strstr(g_buf, "\"status\":\"ok\"") == NULL, "case %zu: /healthz answered", i);
	}
}
END_TEST

/* A request target over the limits is answered 414 (not silence), a header
 * block past 32 KiB 431, both with one header block, and the daemon goes on. */
START_TEST(test_uri_and_header_limits)
{
	static char req[70000];
	int n = snprintf(req, sizeof req, "GET /healthz?");
	for (int i = 0; i < 900; i++)
		n += snprintf(req + n, sizeof req - (size_t)n, "%sa%d=1", i ? "&" : "", i);
	snprintf(req + n, sizeof req - (size_t)n, " HTTP/1.1\r\nHost: x\r\n\r\n");
	ts_raw(g_d, req, strlen(req), g_buf, sizeof g_buf, 15000);
	assert_raw_problem(g_buf, 414, "http.uri_too_long");
	ck_assert_msg(status_lines(g_buf) == 1, "%.600s", g_buf);

	n = snprintf(req, sizeof req, "GET /healthz?q=");
	memset(req + n, 'x', 9000);
	snprintf(req + n + 9000, sizeof req - (size_t)n - 9000, " HTTP/1.1\r\nHost: x\r\n\r\n");
	ts_raw(g_d, req, strlen(req), g_buf, sizeof g_buf, 15000);
	assert_raw_problem(g_buf, 414, "http.uri_too_long");

	n = snprintf(req, sizeof req, "GET /healthz HTTP/1.1\r\nHost: x\r\n");
	for (int i = 0; i < 9; i++) {
		n += snprintf(req + n, sizeof req - (size_t)n, "X-Pad-%d: ", i);
		memset(req + n, 'p', 4000);
		n += 4000;
		n += snprintf(req + n, sizeof req - (size_t)n, "\r\n");
	}
	snprintf(req + n, sizeof req - (size_t)n, "\r\n");
	ts_raw(g_d, req, strlen(req), g_buf, sizeof g_buf, 15000);
	assert_raw_problem(g_buf, 431, "http.headers_too_large");
	ck_assert_msg(status_lines(g_buf) == 1, "%.600s", g_buf);

	const char *r = raw("GET /heal thz HTTP/1.1\r\nHost: x\r\n\r\n", 15000);
	ck_assert_int_eq(ts_raw_status(r), 400);
	ck_assert_int_eq(ts_get(g_d, "/healthz", NULL)->status, 200);
}
END_TEST

START_TEST(test_bad_content_length)
{
	const char *r = raw("POST " LOGIN " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
			    "Content-Length: 12abc\r\n\r\n{}",
			    3000);
	ck_assert_msg(ts_raw_status(r) == 400, "Content-Length: 12abc got: %.300s", r[0] ? r : "(nothing)");
}
END_TEST

START_TEST(test_huge_content_length_refused_before_the_body)
{
	struct ts_conn *c = ts_conn_open(g_d);
	ck_assert_ptr_nonnull(c);
	const char *head = "POST " LOGIN " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
			   "Content-Length: 999999999\r\n\r\n";
	ck_assert(ts_conn_send(c, head, strlen(head)));
	long long t0 = ts_now_ms();
	ts_conn_read(c, g_buf, sizeof g_buf, 3000);
	ck_assert_msg(ts_now_ms() - t0 < 10000, "no answer without the body");
	assert_raw_problem(g_buf, 413, "http.body_too_large");
	ts_conn_close(c);
}
END_TEST

#define BYTES(lit) {lit, sizeof lit - 1}

START_TEST(test_garbage_request_line)
{
	static const struct {
		const char *bytes;
		size_t len;
	} garbage[] = {
		BYTES("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n"),
		BYTES("GET\r\n\r\n"),
		BYTES("GET /healthz HTTP/9.9 extra words\r\nHost: x\r\n\r\n"),
		BYTES("G\x00T /healthz HTTP/1.1\r\nHost: x\r\n\r\n"),
		BYTES("GET /healthz HTTP/1.1\r\nHost: x\r\nNo colon in this header line\r\n\r\n"),
		BYTES("GET /heal\x7fthz\x01 HTTP/1.1\r\nHost: x\r\n\r\n"),
	};
	for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
		ts_raw(g_d, garbage[i].bytes, garbage[i].len, g_buf, sizeof g_buf, 2000);
		int st = ts_raw_status(g_buf);
		ck_assert_msg(st == 0 || (st >= 400 && st < 500), "garbage %zu got: %.300s", i, g_buf);
	}
	/* a header block far beyond the connection's memory */
	static char big[200000];
	int n = snprintf(big, sizeof big, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
	memset(big + n, 'b', sizeof big - (size_t)n - 5);
	memcpy(big + sizeof big - 5, "\r\n\r\n", 5);
	ts_raw(g_d, big, strlen(big), g_buf, sizeof g_buf, 3000);
	int st = ts_raw_status(g_buf);
	ck_assert_msg(st == 0 || (st >= 400 && st < 500), "a 200 kB header got: %.300s", g_buf);
	ck_assert_int_eq(ts_get(g_d, "/healthz", NULL)->status, 200);
}
END_TEST

static Suite *framing_suite(void)
{
	Suite *s = suite_create("framing");
	TCase *tc = tcase_new("framing", up_framing);
	tcase_add_test(tc, test_two_content_lengths);
	tcase_add_test(tc, test_content_length_and_chunked);
	tcase_add_test(tc, test_transfer_encoding_gzip);
	tcase_add_test(tc, test_no_host_header);
	tcase_add_test(tc, test_malformed_header_names_do_not_smuggle);
	tcase_add_test(tc, test_uri_and_header_limits);
	tcase_add_test(tc, test_bad_content_length);
	tcase_add_test(tc, test_huge_content_length_refused_before_the_body);
	tcase_add_test(tc, test_garbage_request_line);
	tcase_add_test(tc, test_clean_stop);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- json_input: what the dispatcher does with JSON bodies (on login) ------ */

static void up_json_input(void)
{
	up_with("json_input", NULL);
}

/* POST LOGIN with body as content_type (NULL: no Content-Type at all). */
static struct ts_resp *login_as(const char *content_type, const char *body)
{
	char ct[128] = "";
	if (content_type)
		snprintf(ct, sizeof ct, "Content-Type: %s", content_type);
	const char *h[] = {ct, NULL};
	return ts_http(g_d, "POST", LOGIN, content_type ? h : NULL, body, strlen(body));
}

START_TEST(test_wrong_content_type_415)
{
	assert_problem(login_as("text/plain", WRONG_LOGIN), 415, "http.unsupported_media_type");
	assert_problem(login_as("application/json; charset=latin1", WRONG_LOGIN), 415, "http.unsupported_media_type");
	assert_problem(login_as("application/x-www-form-urlencoded", "username=a&password=b"), 415,
		       "http.unsupported_media_type");
	assert_problem(login_as(NULL, WRONG_LOGIN), 415, "http.unsupported_media_type");
	/* parameters and case that are still JSON in UTF-8 are accepted */
	struct ts_resp *r = login_as("Application/JSON; charset=UTF-8", WRONG_LOGIN);
	ck_assert_msg(r->status != 415, "Application/JSON; charset=UTF-8 was refused: %s", r->body);
}
END_TEST

START_TEST(test_malformed_json_400)
{
	assert_problem(login_as("application/json", "{\"username\": \"a\","), 400, "http.malformed_json");
	assert_problem(login_as("application/json", "{username: 'a'}"), 400, "http.malformed_json");
	assert_problem(login_as("application/json", "{\"username\":\"a\"} trailing"), 400, "http.malformed_json");
	assert_problem(login_as("application/json", "{\"username\":\"\xff\xfe\",\"password\":\"x\"}"), 400,
		       "http.malformed_json");
}
END_TEST

START_TEST(test_duplicate_keys_400)
{
	assert_problem(login_as("application/json", "{\"username\":\"a\",\"username\":\"b\",\"password\":\"x\"}"), 400,
		       "http.malformed_json");
}
END_TEST

START_TEST(test_not_an_object_400)
{
	const char *bodies[] = {"[\"username\",\"password\"]", "\"text\"", "42", "null"};
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		struct ts_resp *r = login_as("application/json", bodies[i]);
		assert_problem(r, 400, NULL);
		const char *code = ts_problem_code(r);
		ck_assert_msg(strcmp(code, "http.malformed_json") == 0 || strcmp(code, "request.invalid") == 0,
			      "body %s: code %s", bodies[i], code);
	}
}
END_TEST

START_TEST(test_wrong_type_400)
{
	struct ts_resp *r = login_as("application/json", "{\"username\": 5, \"password\": \"x\"}");
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(has_field_error(r, "username"), "no errors entry for username: %s", r->body);
	ck_assert_msg(!has_field_error(r, "password"), "password was fine: %s", r->body);
}
END_TEST

START_TEST(test_unknown_field_400)
{
	struct ts_resp *r =
		login_as("application/json", "{\"username\":\"a\",\"password\":\"x\",\"remember_me\":true}");
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(has_field_error(r, "remember_me"), "no errors entry for remember_me: %s", r->body);
}
END_TEST

START_TEST(test_missing_field_400)
{
	struct ts_resp *r = login_as("application/json", "{\"username\":\"a\"}");
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(has_field_error(r, "password"), "no errors entry for password: %s", r->body);
	r = login_as("application/json", "{}");
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(has_field_error(r, "username") && has_field_error(r, "password"),
		      "both fields should be listed: %s", r->body);
	r = ts_http(g_d, "POST", LOGIN, NULL, NULL, 0);
	assert_problem(r, 400, NULL);
}
END_TEST

START_TEST(test_wrong_credentials_401)
{
	assert_problem(login_as("application/json", WRONG_LOGIN), 401, "auth.invalid_credentials");
}
END_TEST

static Suite *json_input_suite(void)
{
	Suite *s = suite_create("json_input");
	TCase *tc = tcase_new("json_input", up_json_input);
	tcase_add_test(tc, test_wrong_content_type_415);
	tcase_add_test(tc, test_malformed_json_400);
	tcase_add_test(tc, test_duplicate_keys_400);
	tcase_add_test(tc, test_not_an_object_400);
	tcase_add_test(tc, test_wrong_type_400);
	tcase_add_test(tc, test_unknown_field_400);
	tcase_add_test(tc, test_missing_field_400);
	tcase_add_test(tc, test_wrong_credentials_401);
	tcase_add_test(tc, test_clean_stop);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- body_limit: the size limits, at the boundary ------------------------
 *
 * ALURD_MAX_BODY=2048 applies to JSON routes without a limit of their own
 * (POST /api/v1/agencies); the login route declares 8192 bytes (openapi.yaml
 * says so), whatever ALURD_MAX_BODY is. The size is decided from
 * Content-Length before authentication, so no token is needed to see 413. */

#define LIMIT 2048
#define LOGIN_LIMIT 8192

static void up_body_limit(void)
{
	static const char *const env[] = {"ALURD_MAX_BODY=2048", NULL};
	up_with("body_limit", env);
}

/* A JSON object of exactly n bytes: {"<key>":"uuu...","password":"x"}. */
static char *padded_body(const char *key, size_t n)
{
	static char body[LOGIN_LIMIT * 2];
	char head[64];
	snprintf(head, sizeof head, "{\"%s\":\"", key);
	const char *tail = "\",\"password\":\"x\"}";
	size_t fixed = strlen(head) + strlen(tail);
	ck_assert_uint_lt(n, sizeof body);
	ck_assert_uint_gt(n, fixed);
	memcpy(body, head, strlen(head));
	memset(body + strlen(head), 'u', n - fixed);
	memcpy(body + n - strlen(tail), tail, strlen(tail) + 1);
	ck_assert_uint_eq(strlen(body), n);
	return body;
}

START_TEST(test_configured_limit_boundary)
{
	struct ts_resp *r = ts_http(g_d, "POST", "/api/v1/agencies", json_ct, padded_body("name", LIMIT), LIMIT);
	ck_assert_msg(r->status != 413, "a body of exactly %d bytes got 413", LIMIT);
	assert_problem(r, 401, NULL);
	r = ts_http(g_d, "POST", "/api/v1/agencies", json_ct, padded_body("name", LIMIT + 1), LIMIT + 1);
	assert_problem(r, 413, "http.body_too_large");
}
END_TEST

START_TEST(test_login_limit_boundary)
{
	struct ts_resp *r = ts_http(g_d, "POST", LOGIN, json_ct, padded_body("username", LOGIN_LIMIT), LOGIN_LIMIT);
	ck_assert_msg(r->status != 413 && r->status >= 400 && r->status < 500,
		      "a login body of exactly %d bytes got %ld: %.300s", LOGIN_LIMIT, r->status, r->body);
	r = ts_http(g_d, "POST", LOGIN, json_ct, padded_body("username", LOGIN_LIMIT + 1), LOGIN_LIMIT + 1);
	assert_problem(r, 413, "http.body_too_large");
}
END_TEST

START_TEST(test_chunked_body_over_the_limit_413)
{
	/* no Content-Length: the size is only known while reading */
	char *payload = padded_body("username", LOGIN_LIMIT + 1000);
	static char req[LOGIN_LIMIT * 2 + 512];
	int n = snprintf(req, sizeof req,
			 "POST " LOGIN " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
			 "Transfer-Encoding: chunked\r\n\r\n%zx\r\n%s\r\n0\r\n\r\n",
			 strlen(payload), payload);
	ts_raw(g_d, req, (size_t)n, g_buf, sizeof g_buf, 30000);
	assert_raw_problem(g_buf, 413, "http.body_too_large");
}
END_TEST

START_TEST(test_chunked_body_within_the_limit)
{
	static char req[8192];
	int n = snprintf(req, sizeof req,
			 "POST " LOGIN " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
			 "Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n%zx\r\n%s\r\n0\r\n\r\n",
			 strlen(WRONG_LOGIN), WRONG_LOGIN);
	/* a sign-in costs an Argon2id verification: a generous bound (the read
	 * ends when the server closes) */
	ts_raw(g_d, req, (size_t)n, g_buf, sizeof g_buf, 30000);
	assert_raw_problem(g_buf, 401, "auth.invalid_credentials");
}
END_TEST

static Suite *body_limit_suite(void)
{
	Suite *s = suite_create("body_limit");
	TCase *tc = tcase_new("body_limit", up_body_limit);
	tcase_add_test(tc, test_configured_limit_boundary);
	tcase_add_test(tc, test_login_limit_boundary);
	tcase_add_test(tc, test_chunked_body_over_the_limit_413);
	tcase_add_test(tc, test_chunked_body_within_the_limit);
	tcase_add_test(tc, test_clean_stop);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- cors: ALURD_CORS_ORIGINS=https://app.example -------------------------- */

#define APP "https://app.example"

static void up_cors(void)
{
	static const char *const env[] = {"ALURD_CORS_ORIGINS=" APP, NULL};
	up_with("cors", env);
}

START_TEST(test_preflight_allowed)
{
	const char *h[] = {"Origin: " APP, "Access-Control-Request-Method: GET",
			   "Access-Control-Request-Headers: authorization", NULL};
	struct ts_resp *r = ts_http_unrecorded(g_d, "OPTIONS", "/healthz", h, NULL, 0);
	ck_assert_int_eq(r->status, 204);
	ck_assert_pstr_eq(ts_header(r, "Access-Control-Allow-Origin"), APP);
	ck_assert_msg(contains_word_ci(ts_header(r, "Access-Control-Allow-Methods"), "GET"), "Allow-Methods: %s",
		      ts_header(r, "Access-Control-Allow-Methods"));
	ck_assert_msg(contains_word_ci(ts_header(r, "Access-Control-Allow-Headers"), "Authorization"),
		      "Allow-Headers: %s", ts_header(r, "Access-Control-Allow-Headers"));
	ck_assert_msg(contains_word_ci(ts_header(r, "Vary"), "Origin"), "Vary: %s", ts_header(r, "Vary"));
}
END_TEST

START_TEST(test_preflight_for_login)
{
	const char *h[] = {"Origin: " APP, "Access-Control-Request-Method: POST",
			   "Access-Control-Request-Headers: content-type, x-request-id", NULL};
	struct ts_resp *r = ts_http_unrecorded(g_d, "OPTIONS", LOGIN, h, NULL, 0);
	ck_assert_msg(r->status == 204, "preflight of POST %s: %ld %.300s", LOGIN, r->status, r->body);
	ck_assert_pstr_eq(ts_header(r, "Access-Control-Allow-Origin"), APP);
	ck_assert_msg(contains_word_ci(ts_header(r, "Access-Control-Allow-Methods"), "POST"), "Allow-Methods: %s",
		      ts_header(r, "Access-Control-Allow-Methods"));
	ck_assert_msg(contains_word_ci(ts_header(r, "Access-Control-Allow-Headers"), "Content-Type"),
		      "Allow-Headers: %s", ts_header(r, "Access-Control-Allow-Headers"));
}
END_TEST

START_TEST(test_simple_request_allowed)
{
	const char *h[] = {"Origin: " APP, NULL};
	struct ts_resp *r = ts_http(g_d, "GET", "/healthz", h, NULL, 0);
	ck_assert_int_eq(r->status, 200);
	ck_assert_pstr_eq(ts_header(r, "Access-Control-Allow-Origin"), APP);
	ck_assert_msg(contains_word_ci(ts_header(r, "Vary"), "Origin"), "Vary: %s", ts_header(r, "Vary"));
	ck_assert_msg(contains_word_ci(ts_header(r, "Access-Control-Expose-Headers"), "X-Request-Id"),
		      "Expose-Headers: %s", ts_header(r, "Access-Control-Expose-Headers"));
	/* errors carry CORS headers too, or the SPA cannot read them */
	r = ts_http_unrecorded(g_d, "GET", "/no/such/thing", h, NULL, 0);
	assert_problem(r, 404, "http.not_found");
	ck_assert_pstr_eq(ts_header(r, "Access-Control-Allow-Origin"), APP);
}
END_TEST

START_TEST(test_preflight_other_origin_403)
{
	const char *h[] = {"Origin: https://evil.example", "Access-Control-Request-Method: GET", NULL};
	struct ts_resp *r = ts_http_unrecorded(g_d, "OPTIONS", "/healthz", h, NULL, 0);
	assert_problem(r, 403, "http.cors_origin_denied");
	ck_assert_ptr_null(ts_header(r, "Access-Control-Allow-Origin"));
	/* a look-alike is another origin */
	const char *h2[] = {"Origin: https://app.example.evil", "Access-Control-Request-Method: GET", NULL};
	assert_problem(ts_http_unrecorded(g_d, "OPTIONS", "/healthz", h2, NULL, 0), 403, "http.cors_origin_denied");
}
END_TEST

START_TEST(test_simple_request_other_origin)
{
	const char *h[] = {"Origin: https://evil.example", NULL};
	struct ts_resp *r = ts_http(g_d, "GET", "/healthz", h, NULL, 0);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_null(ts_header(r, "Access-Control-Allow-Origin"));
	ck_assert_ptr_null(ts_header(r, "Access-Control-Allow-Credentials"));
}
END_TEST

static Suite *cors_suite(void)
{
	Suite *s = suite_create("cors");
	TCase *tc = tcase_new("cors", up_cors);
	tcase_add_test(tc, test_preflight_allowed);
	tcase_add_test(tc, test_preflight_for_login);
	tcase_add_test(tc, test_simple_request_allowed);
	tcase_add_test(tc, test_preflight_other_origin_403);
	tcase_add_test(tc, test_simple_request_other_origin);
	tcase_add_test(tc, test_clean_stop);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- drain: SIGTERM with a request in flight -------------------------------- */

static void up_drain(void)
{
	up_with("drain", NULL);
}

START_TEST(test_sigterm_drains_in_flight_request)
{
	const char *body = WRONG_LOGIN;
	size_t n = strlen(body), half = n / 2;
	char head[256];
	snprintf(head, sizeof head,
		 "POST " LOGIN " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
		 n);
	struct ts_conn *c = ts_conn_open(g_d);
	ck_assert_ptr_nonnull(c);
	ck_assert(ts_conn_send(c, head, strlen(head)));
	ck_assert(ts_conn_send(c, body, half));
	/* the request is in flight: the daemon waits for the rest of the body */
	size_t early = ts_conn_read(c, g_buf, sizeof g_buf, 300);
	ck_assert_msg(early == 0, "answered before the body was complete: %.300s", g_buf);

	ck_assert(ts_daemon_signal(g_d, SIGTERM));
	ck_assert_msg(ts_daemon_log_wait(g_d, "\"msg\":\"shutting down\"", 20000), "no \"shutting down\" line");
	ts_nap_ms(300);
	ck_assert_msg(ts_daemon_wait(g_d, 0) < 0, "the daemon exited with a request in flight");

	/* no new connection is served */
	struct ts_conn *late = ts_conn_open(g_d);
	if (late) {
		const char *get = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
		static char late_buf[4096];
		ts_conn_send(late, get, strlen(get));
		ts_conn_read(late, late_buf, sizeof late_buf, 1000);
		ck_assert_msg(ts_raw_status(late_buf) == 0, "a connection made after SIGTERM was served: %.200s",
			      late_buf);
		ts_conn_close(late);
	}

	/* the in-flight request completes with a whole response */
	ck_assert(ts_conn_send(c, body + half, n - half));
	ts_conn_read(c, g_buf, sizeof g_buf, 5000);
	int st = ts_raw_status(g_buf);
	ck_assert_msg(st >= 200 && st < 500, "the in-flight request got: %.400s", g_buf[0] ? g_buf : "(nothing)");
	char cl[32];
	const char *resp_body = strstr(g_buf, "\r\n\r\n");
	ck_assert_msg(ts_raw_header(g_buf, "Content-Length", cl, sizeof cl) && resp_body &&
			      strlen(resp_body + 4) == strtoul(cl, NULL, 10),
		      "incomplete response: %.400s", g_buf);
	ts_conn_close(c);

	int status = ts_daemon_wait(g_d, 15000);
	ck_assert_msg(status == 0, "after SIGTERM the daemon exited with %d", status);
	assert_stopped_drained(g_d);
	assert_log_is_json(g_d);
}
END_TEST

static Suite *drain_suite(void)
{
	Suite *s = suite_create("drain");
	TCase *tc = tcase_new("drain", up_drain);
	tcase_add_test(tc, test_sigterm_drains_in_flight_request);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- db_outage: PostgreSQL stops and comes back (runs alone) --------------- */

static void up_db_outage(void)
{
	up_with("db_outage", NULL);
}

static void down_db_outage(void)
{
	/* whatever happened above, leave the cluster running */
	ts_pg_ctl("thaw");
	if (ts_pg_ctl("start") != 0)
		fprintf(stderr, "db_outage: could not start PostgreSQL again\n");
	down();
}

static double reconnects(void)
{
	double v = -1;
	struct ts_resp *r = ts_get(g_d, "/metrics", NULL);
	ck_assert_msg(ts_metric(r->body, "alurd_db_reconnects_total", &v), "no alurd_db_reconnects_total in /metrics");
	return v;
}

START_TEST(test_database_goes_away_and_comes_back)
{
	/* warm several workers' connections */
	ck_assert_int_eq(ts_get_burst(g_d, "/readyz", 8), 8);
	ck_assert_int_eq(ts_get(g_d, "/readyz", NULL)->status, 200);
	double before = reconnects();
	pid_t pid = ts_daemon_pid(g_d);

	ck_assert_int_eq(ts_pg_ctl("stop"), 0);
	/* the readiness checker notices within its interval (200 ms); poll */
	struct ts_resp *r = ts_get(g_d, "/readyz", NULL);
	for (long long until = ts_now_ms() + 20000; r->status == 200 && ts_now_ms() < until; ts_nap_ms(50))
		r = ts_get(g_d, "/readyz", NULL);
	assert_problem(r, 503, "ops.not_ready");
	assert_problem(ts_get(g_d, "/readyz", NULL), 503, "ops.not_ready");
	ck_assert_int_eq(ts_get(g_d, "/healthz", NULL)->status, 200);
	ck_assert_int_eq(ts_get(g_d, "/metrics", NULL)->status, 200);

	ck_assert_int_eq(ts_pg_ctl("start"), 0);
	long long t0 = ts_now_ms();
	long status = 0;
	while (ts_now_ms() - t0 < 30000) {
		status = ts_get(g_d, "/readyz", NULL)->status;
		if (status == 200)
			break;
		ts_nap_ms(100);
	}
	ck_assert_msg(status == 200, "/readyz still %ld 30 s after PostgreSQL came back", status);
	ck_assert_msg(ts_daemon_wait(g_d, 0) < 0 && ts_daemon_pid(g_d) == pid, "the daemon did not survive");

	double after = before;
	for (long long until = ts_now_ms() + 20000; after <= before && ts_now_ms() < until;) {
		ts_get_burst(g_d, "/readyz", 8);
		after = reconnects();
		if (after <= before)
			ts_nap_ms(100);
	}
	ck_assert_msg(after > before, "alurd_db_reconnects_total stayed at %g", before);
}
END_TEST

/* The database stalls (every server process SIGSTOPped: the kernel still
 * accepts and acknowledges, nothing answers): /readyz answers within its
 * bound and says not ready, /healthz stays 200; once it thaws, ready again. */
START_TEST(test_database_stalls)
{
	ck_assert_int_eq(ts_get(g_d, "/readyz", NULL)->status, 200);
	ck_assert_int_eq(ts_pg_ctl("freeze"), 0);
	long long t0 = ts_now_ms(), slowest = 0;
	long status = 200;
	while (status == 200 && ts_now_ms() - t0 < 20000) {
		long long a = ts_now_ms();
		status = ts_get(g_d, "/readyz", NULL)->status;
		long long took = ts_now_ms() - a;
		slowest = took > slowest ? took : slowest;
		ck_assert_msg(took < 5000, "/readyz took %lld ms with the database stalled", took);
		if (status == 200)
			ts_nap_ms(100);
	}
	long long noticed = ts_now_ms() - t0;
	struct ts_resp *r = ts_get(g_d, "/readyz", NULL);
	long long b = ts_now_ms();
	ck_assert_int_eq(ts_get(g_d, "/healthz", NULL)->status, 200);
	ck_assert_msg(ts_now_ms() - b < 5000, "/healthz waited on the database");
	ck_assert_int_eq(ts_pg_ctl("thaw"), 0);
	assert_problem(r, 503, "ops.not_ready");
	ck_assert_msg(status == 503, "/readyz still ready 20 s into the stall");
	t0 = ts_now_ms();
	while ((status = ts_get(g_d, "/readyz", NULL)->status) != 200 && ts_now_ms() - t0 < 30000)
		ts_nap_ms(50);
	fprintf(stderr, "db_outage: stall noticed by /readyz after %lld ms (slowest /readyz %lld ms); ready %lld ms after the thaw\n",
		noticed, slowest, ts_now_ms() - t0);
	ck_assert_msg(status == 200, "/readyz not ready 30 s after the thaw");
}
END_TEST

static Suite *db_outage_suite(void)
{
	Suite *s = suite_create("db_outage");
	TCase *tc = tf_tcase("db_outage", up_db_outage, down_db_outage, each_after, 0);
	tcase_add_test(tc, test_database_goes_away_and_comes_back);
	tcase_add_test(tc, test_database_stalls);
	tcase_add_test(tc, test_clean_stop);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- migrate: the migration runner on an empty database --------------------- */

static char g_env_url[600];

static void up_migrate(void)
{
	ts_init("migrate");
	ck_assert_msg(ts_db_create_empty("migrate", g_db, sizeof g_db), "cannot create an empty database");
	snprintf(g_env_url, sizeof g_env_url, "ALURD_DATABASE_URL=%s", g_db);
}

static int applied_now(const char *out)
{
	const char *at = strstr(out, "migrations: ");
	int n = -1;
	if (!at || sscanf(at, "migrations: %d applied now", &n) != 1)
		return -1;
	return n;
}

START_TEST(test_concurrent_migrate)
{
	const char *args[] = {"migrate", NULL};
	const char *env[] = {g_env_url, NULL};
	struct ts_proc *a = ts_cli_start(args, env, NULL);
	struct ts_proc *b = ts_cli_start(args, env, NULL);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	static char out_a[16384], out_b[16384];
	int sa = ts_cli_wait(a, out_a, sizeof out_a);
	int sb = ts_cli_wait(b, out_b, sizeof out_b);
	ck_assert_msg(sa == 0 && sb == 0, "exit %d and %d:\n%s\n%s", sa, sb, out_a, out_b);
	int files = migration_files();
	ck_assert_msg(applied_now(out_a) + applied_now(out_b) == files, "applied %d + %d, expected %d in all:\n%s\n%s",
		      applied_now(out_a), applied_now(out_b), files, out_a, out_b);
	char v[64];
	ck_assert(ts_sql_value(g_db, "SELECT count(*) FROM schema_migrations", v, sizeof v));
	ck_assert_int_eq(atoi(v), files);
	ck_assert(ts_sql_value(g_db, "SELECT count(DISTINCT version) FROM schema_migrations", v, sizeof v));
	ck_assert_int_eq(atoi(v), files);
}
END_TEST

START_TEST(test_migrate_again_applies_nothing)
{
	const char *args[] = {"migrate", NULL};
	const char *env[] = {g_env_url, NULL};
	static char out[16384];
	int st = ts_run_cli(args, env, NULL, out, sizeof out);
	ck_assert_msg(st == 0, "exit %d: %s", st, out);
	ck_assert_msg(strstr(out, "0 applied now"), "output: %s", out);
}
END_TEST

START_TEST(test_edited_migration_refused)
{
	char name[256];
	ck_assert(ts_sql_value(g_db, "SELECT name FROM schema_migrations WHERE version = 1", name, sizeof name));
	ck_assert(ts_sql(g_db, "UPDATE schema_migrations SET checksum = 'x' WHERE version = 1"));
	const char *args[] = {"migrate", NULL};
	const char *env[] = {g_env_url, NULL};
	static char out[16384];
	int st = ts_run_cli(args, env, NULL, out, sizeof out);
	ck_assert_msg(st != 0, "migrate accepted an edited migration: %s", out);
	ck_assert_msg(strstr(out, name), "the output does not name %s: %s", name, out);
	ck_assert_msg(strstr(out, "was edited") || strstr(out, "checksum_mismatch"), "output: %s", out);

	struct ts_daemon *d = ts_daemon_start(g_db, NULL);
	ck_assert_ptr_nonnull(d);
	struct ts_resp *r = ts_get(d, "/readyz", NULL);
	int stop = ts_daemon_stop(d, SIGTERM);
	ts_daemon_free(d);
	assert_problem(r, 503, "ops.not_ready");
	ck_assert_int_eq(stop, 0);
}
END_TEST

static Suite *migrate_suite(void)
{
	Suite *s = suite_create("migrate");
	TCase *tc = tcase_new("migrate", up_migrate);
	tcase_add_test(tc, test_concurrent_migrate);
	tcase_add_test(tc, test_migrate_again_applies_nothing);
	tcase_add_test(tc, test_edited_migration_refused);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- cli: the command line without a database ------------------------------ */

static void up_cli(void)
{
	ts_init("cli");
}

static int lines_in(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

START_TEST(test_help)
{
	static char out[8192];
	const char *args[] = {"--help", NULL};
	ck_assert_int_eq(ts_run_cli(args, NULL, NULL, out, sizeof out), 0);
	ck_assert_msg(strstr(out, "migrate") && strstr(out, "serve"), "--help: %s", out);
}
END_TEST

START_TEST(test_version)
{
	static char out[8192];
	const char *args[] = {"--version", NULL};
	ck_assert_int_eq(ts_run_cli(args, NULL, NULL, out, sizeof out), 0);
	ck_assert_str_eq(out, "alurd " ALURD_EXPECTED_VERSION "\n");
}
END_TEST

START_TEST(test_unknown_command)
{
	static char out[8192];
	const char *args[] = {"frobnicate", NULL};
	ck_assert_int_eq(ts_run_cli(args, NULL, NULL, out, sizeof out), 2);
	ck_assert_msg(strstr(out, "frobnicate"), "output: %s", out);
}
END_TEST

/* `alurd serve` with one bad variable exits 2 with one line naming it. */
static void assert_config_refused(const char *entry, const char *var)
{
	static char out[8192];
	const char *args[] = {"serve", NULL};
	const char *env[] = {"ALURD_DATABASE_URL=postgresql://127.0.0.1:1/none", "ALURD_LISTEN=127.0.0.1:0",
			     "ALURD_JWT_SECRET=" TS_JWT_SECRET, entry, NULL};
	int st = ts_run_cli(args, env, NULL, out, sizeof out);
	ck_assert_msg(st == 2, "%s: exit %d, output: %s", entry, st, out);
	ck_assert_msg(lines_in(out) == 1 && out[strlen(out) - 1] == '\n', "%s: expected one line, got: %s", entry, out);
	ck_assert_msg(strstr(out, var), "%s: the message does not name %s: %s", entry, var, out);
}

START_TEST(test_config_errors)
{
	assert_config_refused("ALURD_THREADS=zero", "ALURD_THREADS");
	assert_config_refused("ALURD_THREADS=0", "ALURD_THREADS");
	assert_config_refused("ALURD_JWT_SECRET=short", "ALURD_JWT_SECRET");
	assert_config_refused("ALURD_LISTEN=nonsense", "ALURD_LISTEN");
	assert_config_refused("ALURD_MAX_BODY=lots", "ALURD_MAX_BODY");
	assert_config_refused("ALURD_CORS_ORIGINS=app.example", "ALURD_CORS_ORIGINS");
	assert_config_refused("ALURD_OFFICE_HOURS=mon-fri 16:00-08:00", "ALURD_OFFICE_HOURS");
	assert_config_refused("ALURD_OFFICE_HOURS=mon-sun 08:00-16:00; sun 09:00-10:00", "ALURD_OFFICE_HOURS");
}
END_TEST

static Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tf_tcase("cli", up_cli, NULL, each_after, 0);
	tcase_add_test(tc, test_help);
	tcase_add_test(tc, test_version);
	tcase_add_test(tc, test_unknown_command);
	tcase_add_test(tc, test_config_errors);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- http_limits: deadlines, connection limits, the sign-in queue -------- */

static const char *const limits_env[] = {
	"ALURD_HTTP_HEADER_TIMEOUT=1", "ALURD_HTTP_BODY_TIMEOUT=2", "ALURD_HTTP_TIMEOUT=60", "ALURD_PER_IP_LIMIT=8",
	"ALURD_THREADS=4", "ALURD_HASH_CONCURRENCY=2", "ALURD_LOGIN_MAX_FAILURES=100",
	"ALURD_LOGIN_MAX_FAILURES_PER_ADDRESS=100000", NULL};

static void up_limits(void)
{
	up_with("http_limits", limits_env);
}

static double metric_of(const char *series)
{
	double v = -1;
	struct ts_resp *r = ts_get(g_d, "/metrics", NULL);
	ck_assert_msg(ts_metric(r->body, series, &v), "no %s in /metrics", series);
	return v;
}

/* Feeds piece every 200 ms until the server closes the connection or
 * bound_ms pass; returns how long the server let it go on (-1: never cut). */
static long long dribble(struct ts_conn *c, const char *piece, int bound_ms)
{
	long long t0 = ts_now_ms();
	char scratch[4096];
	while (ts_now_ms() - t0 < bound_ms) {
		if (!ts_conn_send(c, piece, strlen(piece)))
			return ts_now_ms() - t0;
		ts_conn_read(c, scratch, sizeof scratch, 200);
		if (ts_conn_eof(c))
			return ts_now_ms() - t0;
	}
	return -1;
}

/* Headers sent a line at a time, each before the idle timeout: libmicrohttpd
 * alone would keep the connection for ever; the header deadline (1 s here)
 * ends it. */
START_TEST(test_header_deadline)
{
	double before = metric_of("alurd_http_deadline_cuts_total{phase=\"headers\"}");
	struct ts_conn *c = ts_conn_open(g_d);
	ck_assert_ptr_nonnull(c);
	const char *line = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
	ck_assert(ts_conn_send(c, line, strlen(line)));
	long long held = dribble(c, "X-Slow: 1\r\n", 20000);
	ts_conn_close(c);
	fprintf(stderr, "http_limits: a dribbled header block was cut after %lld ms (deadline 1 s)\n", held);
	ck_assert_msg(held >= 1000, "cut after %lld ms, before its deadline", held);
	ck_assert_msg(held > 0, "a header block dribbled for 20 s was never cut");
	ck_assert_double_ge(metric_of("alurd_http_deadline_cuts_total{phase=\"headers\"}"), before + 1);
}
END_TEST

/* A body sent a byte at a time is cut at the body deadline (2 s here). */
START_TEST(test_body_deadline)
{
	double before = metric_of("alurd_http_deadline_cuts_total{phase=\"body\"}");
	struct ts_conn *c = ts_conn_open(g_d);
	ck_assert_ptr_nonnull(c);
	const char *head = "POST " LOGIN " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
			   "Content-Length: 4000\r\n\r\n{";
	ck_assert(ts_conn_send(c, head, strlen(head)));
	long long held = dribble(c, " ", 20000);
	ts_conn_close(c);
	fprintf(stderr, "http_limits: a dribbled body was cut after %lld ms (deadline 2 s)\n", held);
	ck_assert_msg(held >= 2000, "cut after %lld ms, before its deadline", held);
	ck_assert_msg(held > 0, "a body dribbled for 20 s was never cut");
	ck_assert_double_ge(metric_of("alurd_http_deadline_cuts_total{phase=\"body\"}"), before + 1);
	ck_assert_int_eq(ts_get(g_d, "/healthz", NULL)->status, 200);
}
END_TEST

/* Past ALURD_PER_IP_LIMIT (8) an address's next connection is answered 503
 * with Retry-After and closed, not reset; once it lets go of one, it is
 * served again. */
START_TEST(test_per_address_limit_answers_503)
{
	enum { N = 11, PER_IP = 8 };
	struct ts_conn *c[N];
	int ok = 0, refused = 0;
	const char *get = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	for (int i = 0; i < N; i++) {
		c[i] = ts_conn_open(g_d);
		ck_assert_ptr_nonnull(c[i]);
		ck_assert(ts_conn_send(c[i], get, strlen(get)));
		char buf[4096];
		ts_conn_read(c[i], buf, sizeof buf, 500);
		for (long long until = ts_now_ms() + 15000; !ts_raw_status(buf) && ts_now_ms() < until;)
			ts_conn_read(c[i], buf, sizeof buf, 200);
		int st = ts_raw_status(buf);
		if (st == 200) {
			ok++;
			ck_assert_msg(refused == 0, "connection %d served after an earlier one was refused", i);
		} else {
			assert_raw_problem(buf, 503, "http.too_many_connections");
			char v[32];
			ck_assert(ts_raw_header(buf, "Retry-After", v, sizeof v) && strcmp(v, "1") == 0);
			ck_assert(ts_raw_header(buf, "Connection", v, sizeof v) && strcasecmp(v, "close") == 0);
			refused++;
		}
	}
	fprintf(stderr, "http_limits: %d connections from one address: %d served, %d answered 503\n", N, ok, refused);
	ck_assert_msg(ok >= 1 && ok <= PER_IP && refused >= N - PER_IP, "%d served, %d refused", ok, refused);
	for (int i = 0; i < N; i++)
		ts_conn_close(c[i]);
	/* served again once the connections are gone (their closing is noticed
	 * asynchronously: poll) */
	int st = 0;
	for (long long until = ts_now_ms() + 15000; st != 200 && ts_now_ms() < until; ts_nap_ms(50)) {
		char buf[4096];
		static const char get_close[] = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
		ts_raw(g_d, get_close, sizeof get_close - 1, buf, sizeof buf, 15000);
		st = ts_raw_status(buf);
	}
	ck_assert_int_eq(st, 200);
}
END_TEST

struct flood {
	struct ts_daemon *d;
	int id;
	int busy, other;
	atomic_bool *stop;
};

static void *sign_in_loop(void *arg)
{
	struct flood *f = arg;
	char body[128];
	snprintf(body, sizeof body, "{\"username\":\"flood.%d\",\"password\":\"not-the-password-at-all\"}", f->id);
	const char *h[] = {"Content-Type: application/json", NULL};
	ts_busy_retry(false);
	while (!atomic_load(f->stop)) {
		struct ts_resp *r = ts_http_unrecorded(f->d, "POST", LOGIN, h, body, strlen(body));
		if (r->status == 503 && strcmp(ts_problem_code(r), "auth.busy") == 0 && ts_header(r, "Retry-After"))
			f->busy++;
		else if (r->status != 401)
			f->other++;
	}
	return NULL;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

/* Five clients signing in without pause (each an Argon2id verification) on
 * a daemon with 4 workers: hashing never holds more than half of them, the
 * surplus is answered 503 auth.busy with Retry-After at once, and an
 * ordinary request that needs a worker (a refresh with an unknown token)
 * keeps being answered meanwhile. The threads are joined before anything is
 * asserted. */
START_TEST(test_sign_in_flood_leaves_workers_free)
{
	enum { N = 5, PROBES = 40 };
	/* a daemon of its own: the suite's is held to 8 connections per address */
	static const char *const env[] = {"ALURD_THREADS=4", "ALURD_HASH_CONCURRENCY=2", "ALURD_LOGIN_MAX_FAILURES=100",
					  "ALURD_LOGIN_MAX_FAILURES_PER_ADDRESS=100000", NULL};
	struct ts_daemon *d = ts_daemon_start(g_db, env);
	ck_assert_ptr_nonnull(d);
	static atomic_bool stop;
	static pthread_t t[N];
	static struct flood f[N];
	atomic_store(&stop, false);
	for (int i = 0; i < N; i++) {
		f[i] = (struct flood){.d = d, .id = i, .stop = &stop};
		ck_assert_int_eq(pthread_create(&t[i], NULL, sign_in_loop, &f[i]), 0);
	}
	long long lat[PROBES];
	long status[PROBES];
	static char why[PROBES][64];
	double held_max = 0;
	const char *h[] = {"Content-Type: application/json", NULL};
	const char *probe = "{\"refresh_token\":\"no-such-refresh-token-0000000000000000000\"}";
	for (int i = 0; i < PROBES; i++) {
		struct ts_resp *m = ts_http_unrecorded(d, "GET", "/metrics", NULL, NULL, 0);
		double active = 0, waiting = 0;
		ts_metric(m->body, "alurd_auth_hashes_active", &active);
		ts_metric(m->body, "alurd_auth_hashes_waiting", &waiting);
		held_max = active + waiting > held_max ? active + waiting : held_max;
		long long a = ts_now_ms();
		struct ts_resp *r = ts_http_unrecorded(d, "POST", "/api/v1/auth/refresh", h, probe, strlen(probe));
		lat[i] = ts_now_ms() - a;
		status[i] = r->status;
		snprintf(why[i], sizeof why[i], "%s", ts_problem_code(r));
		ts_nap_ms(25);
	}
	atomic_store(&stop, true);
	int busy = 0, other = 0;
	for (int i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		busy += f[i].busy;
		other += f[i].other;
	}
	int stopped = ts_daemon_stop(d, SIGTERM);
	ts_daemon_free(d);
	ck_assert_int_eq(stopped, 0);
	for (int i = 0; i < PROBES; i++)
		ck_assert_msg(status[i] == 401, "an ordinary request during the flood got %ld %s", status[i], why[i]);
	qsort(lat, PROBES, sizeof lat[0], cmp_ll);
	fprintf(stderr,
		"http_limits: during a flood of %d sign-in clients an ordinary request took p50 %lld ms, p90 %lld ms,"
		" max %lld ms; %d sign-ins answered 503 auth.busy; at most %g workers hashing or waiting\n",
		N, lat[PROBES / 2], lat[PROBES * 9 / 10], lat[PROBES - 1], busy, held_max);
	ck_assert_msg(other == 0, "%d sign-ins got neither 401 nor 503 auth.busy", other);
	ck_assert_msg(busy > 0, "no sign-in was answered 503 auth.busy");
	ck_assert_msg(held_max <= 2, "%g workers were held by password hashing (of 4)", held_max);
	/* a bound two orders of magnitude above the usual milliseconds, far below
	 * what waiting behind the hashes costs (seconds) */
	ck_assert_msg(lat[PROBES / 2] < 500, "ordinary requests waited %lld ms (median) behind sign-ins",
		      lat[PROBES / 2]);
}
END_TEST

static Suite *http_limits_suite(void)
{
	Suite *s = suite_create("http_limits");
	TCase *tc = tcase_new("http_limits", up_limits);
	tcase_add_test(tc, test_header_deadline);
	tcase_add_test(tc, test_body_deadline);
	tcase_add_test(tc, test_per_address_limit_answers_503);
	tcase_add_test(tc, test_sign_in_flood_leaves_workers_free);
	tcase_add_test(tc, test_clean_stop);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- main ------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	static Suite *(*const suites[])(void) = {
		ops_suite, framing_suite, json_input_suite, body_limit_suite, cors_suite, drain_suite, migrate_suite,
		cli_suite, db_outage_suite, http_limits_suite, NULL
	};
	return tf_main(argc, argv, suites);
}
