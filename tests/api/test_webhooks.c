/* test_webhooks.c — webhook subscriptions and delivery, against a real
 * receiver: tests/api/receiver.py, a Python HTTP server on loopback started
 * here, which checks every signature with Python's hmac (an implementation
 * independent of alurd's) and logs what it received.
 *
 * Suite `webhooks`: one daemon that delivers, with the test-only settings
 * ALURD_WEBHOOK_RETRY_SCHEDULE=0.2,0.2,0.2 (four attempts, 0.2 s apart) and
 * ALURD_WEBHOOK_TIMEOUT=1, plus ALURD_WEBHOOK_ALLOW_HTTP and _ALLOW_PRIVATE
 * (the receiver is http on 127.0.0.1). Subscriptions: create (secret once),
 * refusals, a machine client's own; delivery signed, body = the feed's
 * document; 500 then success; 429 with Retry-After; 410 disables (audited);
 * a hang past the timeout; the schedule exhausted (failed, then a manual
 * retry); secret rotation (two signatures); replay. Suite `webhook_crash`:
 * the suite's daemon delivers nothing; a second one is killed with SIGKILL
 * while deliveries are in flight, a third and a fourth then share the rest:
 * every event arrives (same webhook-id when repeated), none twice at once;
 * then https-only and the refusal of loopback addresses after DNS, each on a
 * daemon without the test's ALLOW settings.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/api/world.h"

#define SECRET_KEY "Mw1GM4utQXKf40Sfxo042TpvU/UG2EJ4DfNH/YMvceg="

static pid_t g_receiver;
static int g_port;
static char g_dir[512], g_log[600], g_secrets[600];
static json_t *g_secret_table;

static long long sqll(const char *text)
{
	char buf[64];
	ck_assert_msg(ts_sql_value(g_db, text, buf, sizeof buf), "SQL failed or no row: %s", text);
	return strtoll(buf, NULL, 10);
}

/* ---- the receiver ------------------------------------------------------------ */

static void receiver_start(const char *suite)
{
	snprintf(g_dir, sizeof g_dir, "%s/receiver-%s-%d", ALURD_TEST_BINARY_DIR, suite, (int)getpid());
	mkdir(g_dir, 0700);
	char port_file[600];
	snprintf(port_file, sizeof port_file, "%s/port", g_dir);
	snprintf(g_log, sizeof g_log, "%s/log.jsonl", g_dir);
	snprintf(g_secrets, sizeof g_secrets, "%s/secrets.json", g_dir);
	unlink(port_file);
	unlink(g_log);
	unlink(g_secrets);
	g_secret_table = json_object();
	g_receiver = fork();
	ck_assert_msg(g_receiver >= 0, "fork: %s", strerror(errno));
	if (g_receiver == 0) {
		execlp("python3", "python3", ALURD_SOURCE_DIR "/tests/api/receiver.py", port_file, g_log, g_secrets,
		       (char *)NULL);
		_exit(127);
	}
	for (long long until = ts_now_ms() + 10000; ts_now_ms() < until; ts_nap_ms(20)) {
		FILE *f = fopen(port_file, "r");
		if (f) {
			int ok = fscanf(f, "%d", &g_port);
			fclose(f);
			if (ok == 1)
				return;
		}
	}
	ck_abort_msg("the receiver did not start");
}

static void receiver_stop(void)
{
	if (g_receiver > 0) {
		kill(g_receiver, SIGTERM);
		waitpid(g_receiver, NULL, 0);
		g_receiver = 0;
	}
	json_decref(g_secret_table);
	g_secret_table = NULL;
}

/* Tells the receiver which secrets sign what arrives under path prefix. */
static void receiver_secret(const char *prefix, const char *secret)
{
	json_t *list = json_object_get(g_secret_table, prefix);
	if (!list) {
		list = json_array();
		json_object_set_new(g_secret_table, prefix, list);
	}
	json_array_append_new(list, json_string(secret));
	char tmp[700];
	snprintf(tmp, sizeof tmp, "%s.tmp", g_secrets);
	ck_assert_int_eq(json_dump_file(g_secret_table, tmp, 0), 0);
	ck_assert_int_eq(rename(tmp, g_secrets), 0);
}

/* Every request the receiver logged under path prefix, oldest first. */
static json_t *received(const char *prefix)
{
	json_t *out = json_array();
	FILE *f = fopen(g_log, "r");
	char line[65536];
	while (f && fgets(line, sizeof line, f)) {
		json_t *x = json_loads(line, 0, NULL);
		const char *p = json_string_value(json_object_get(x, "path"));
		if (p && strncmp(p, prefix, strlen(prefix)) == 0)
			json_array_append_new(out, x);
		else
			json_decref(x);
	}
	if (f)
		fclose(f);
	/* freed with the test's other JSON */
	static _Thread_local json_t *last[64];
	static _Thread_local int next;
	json_decref(last[next % 64]);
	last[next++ % 64] = out;
	return out;
}

/* Appends every body received under prefix to the recordings, for the
 * contract check to validate against openapi.yaml's webhooks section. */
static void record_deliveries(const char *prefix)
{
	const char *dir = getenv("ALURD_TEST_RECORD_DIR");
	if (!dir)
		return;
	char path[700];
	snprintf(path, sizeof path, "%s/%s-deliveries.jsonl", dir, ts_suite());
	FILE *f = fopen(path, "a");
	ck_assert_msg(f != NULL, "cannot write %s", path);
	size_t i;
	json_t *x;
	json_array_foreach(received(prefix), i, x) {
		const char *body = json_string_value(json_object_get(x, "body"));
		json_t *doc = json_loads(body, 0, NULL);
		json_t *rec = json_pack("{s:s, s:s, s:s}", "webhook", json_string_value(json_object_get(doc, "type")),
					"content_type", json_string_value(json_object_get(x, "content_type")), "body", body);
		char *line = json_dumps(rec, JSON_COMPACT);
		fprintf(f, "%s\n", line);
		free(line);
		json_decref(rec);
		json_decref(doc);
	}
	fclose(f);
}

/* How many attempts reached the receiver's /held/ endpoints so far (each is
 * held there until receiver_release). */
static size_t held_arrivals(void)
{
	char path[700];
	snprintf(path, sizeof path, "%s.arrived", g_log);
	FILE *f = fopen(path, "r");
	size_t n = 0;
	if (f) {
		for (int c; (c = fgetc(f)) != EOF;)
			n += c == '\n';
		fclose(f);
	}
	return n;
}

/* Ends the hold of the receiver's /held/ endpoints (POST /release). */
static void receiver_release(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_msg(fd >= 0, "socket: %s", strerror(errno));
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)g_port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_msg(connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0, "receiver: %s", strerror(errno));
	static const char req[] = "POST /release HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
				  "Connection: close\r\n\r\n";
	ck_assert(write(fd, req, sizeof req - 1) == (ssize_t)(sizeof req - 1));
	char buf[256];
	ssize_t got = read(fd, buf, sizeof buf - 1); /* blocks until the receiver answers */
	close(fd);
	ck_assert_msg(got > 12 && memcmp(buf, "HTTP/1.1 204", 12) == 0, "receiver: no 204 to /release");
}

static bool received_at_least(const char *prefix, size_t n, int ms)
{
	for (long long until = ts_now_ms() + ms; ts_now_ms() < until; ts_nap_ms(50))
		if (json_array_size(received(prefix)) >= n)
			return true;
	return json_array_size(received(prefix)) >= n;
}

/* ---- subscriptions -------------------------------------------------------------- */

struct hook {
	char id[40];
	char secret[100];
	char path[64];
};

/* A subscription as who, to path on the receiver, for types (JSON array). */
static struct hook subscribe(enum who who, const char *path, const char *types)
{
	struct hook h;
	memset(&h, 0, sizeof h);
	struct ts_resp *r = call(who, "POST", "/api/v1/webhooks",
				 fmt("{\"url\":\"http://127.0.0.1:%d%s\",\"event_types\":%s,\"description\":\"%s\"}",
				     g_port, path, types, path));
	assert_status(r, 201);
	snprintf(h.id, sizeof h.id, "%s", jstr(r, "id"));
	snprintf(h.secret, sizeof h.secret, "%s", jstr(r, "secret"));
	snprintf(h.path, sizeof h.path, "%s", path);
	ck_assert_msg(strncmp(h.secret, "whsec_", 6) == 0, "secret %s", h.secret);
	receiver_secret(path, h.secret);
	return h;
}

/* The subscription's deliveries (every page, newest first). */
static json_t *deliveries(const struct hook *h)
{
	struct ts_resp *r = call(ADMIN, "GET", fmt("/api/v1/webhooks/%s/deliveries?limit=200", h->id), NULL);
	assert_status(r, 200);
	return json_object_get(r->json, "items");
}

static json_t *delivery_of(const struct hook *h, const char *event_id)
{
	size_t i;
	json_t *d;
	json_array_foreach(deliveries(h), i, d)
		if (strcmp(json_string_value(json_object_get(d, "event_id")), event_id) == 0)
			return d;
	return NULL;
}

/* Waits until the delivery of event_id to h has status. */
static json_t *delivery_becomes(const struct hook *h, const char *event_id, const char *status, int ms)
{
	json_t *d = NULL;
	for (long long until = ts_now_ms() + ms; ts_now_ms() < until; ts_nap_ms(50)) {
		d = delivery_of(h, event_id);
		if (d && strcmp(json_string_value(json_object_get(d, "status")), status) == 0)
			return d;
	}
	ck_abort_msg("the delivery of %s never became %s (last: %s)", event_id, status,
		     d ? json_dumps(d, JSON_COMPACT) : "none");
	return NULL;
}

/* One new request by PD_A (2 events: request.created, request.step_started);
 * returns the id of its request.created event. */
static const char *one_event(const char *title)
{
	struct uid id = new_draft(PD_A, title);
	char eid[64];
	ck_assert(ts_sql_value(g_db, fmt("SELECT event_id FROM events WHERE request_id = '%s' AND type = 'request.created'",
					 id.s),
			       eid, sizeof eid));
	return fmt("%s", eid);
}

static json_t *attempts_of(const char *prefix, const char *event_id)
{
	json_t *out = json_array();
	size_t i;
	json_t *x;
	json_array_foreach(received(prefix), i, x)
		if (strcmp(json_string_value(json_object_get(x, "id")), event_id) == 0)
			json_array_append(out, x);
	static _Thread_local json_t *last[16];
	static _Thread_local int next;
	json_decref(last[next % 16]);
	last[next++ % 16] = out;
	return out;
}

/* ---- suite webhooks ------------------------------------------------------------- */

static const char *const deliver_env[] = {
	"ALURD_SECRET_KEY=" SECRET_KEY, "ALURD_WEBHOOK_ALLOW_HTTP=true", "ALURD_WEBHOOK_ALLOW_PRIVATE=true",
	"ALURD_WEBHOOK_TIMEOUT=1", "ALURD_WEBHOOK_RETRY_SCHEDULE=0.2,0.2,0.2", "ALURD_WEBHOOK_POLL=0.05",
	"ALURD_WEBHOOK_ROTATION_OVERLAP=600", NULL};

static void up_webhooks(void)
{
	world_up("webhooks", deliver_env);
	receiver_start("webhooks");
}

static void down_webhooks(void)
{
	receiver_stop();
	world_down();
}

START_TEST(test_subscriptions)
{
	struct ts_resp *r = call(ADMIN, "POST", "/api/v1/webhooks",
				 fmt("{\"url\":\"http://127.0.0.1:%d/ok/crud\",\"event_types\":[\"request.*\",\"sla.breach\"],"
				     "\"agency_id\":\"%s\"}",
				     g_port, AGENCY_B));
	assert_status(r, 201);
	const char *id = fmt("%s", jstr(r, "id"));
	ck_assert_str_eq(ts_header(r, "Location"), fmt("/api/v1/webhooks/%s", id));
	ck_assert_msg(strncmp(jstr(r, "secret"), "whsec_", 6) == 0 && strlen(jstr(r, "secret")) == 6 + 44, "secret %s",
		      jstr(r, "secret"));
	const char *secret = fmt("%s", jstr(r, "secret"));
	/* never again, and never at rest in clear */
	r = call(ADMIN, "GET", fmt("/api/v1/webhooks/%s", id), NULL);
	assert_status(r, 200);
	ck_assert_ptr_null(json_object_get(r->json, "secret"));
	ck_assert_int_eq(sqll(fmt("SELECT count(*) FROM webhooks WHERE position(convert_to('%s', 'UTF8') IN secret_box) > 0",
				  secret + 6)),
			 0);
	ck_assert_msg(!strstr(ts_daemon_log(g_d), secret + 6), "the secret is in the log");
	r = call(ADMIN, "PATCH", fmt("/api/v1/webhooks/%s", id), "{\"description\":\"Kominfo\",\"enabled\":false}");
	assert_status(r, 200);
	ck_assert_str_eq(jstr(r, "description"), "Kominfo");
	ck_assert(json_is_false(json_object_get(r->json, "enabled")));
	/* refusals: nothing written */
	long long before = sqll("SELECT count(*) FROM webhooks");
	static const char *const bad[] = {
		"{\"url\":\"ftp://127.0.0.1/x\",\"event_types\":[\"*\"]}",
		"{\"url\":\"https://user@example.org/x\",\"event_types\":[\"*\"]}",
		"{\"url\":\"https://example.org/x\",\"event_types\":[\"request.exploded\"]}",
		"{\"url\":\"https://example.org/x\",\"event_types\":[]}",
		"{\"url\":\"https://example.org/x\"}",
		"{\"url\":\"https://example.org/x\",\"event_types\":[\"*\"],\"secret\":\"mine\"}",
		NULL};
	for (int i = 0; bad[i]; i++)
		assert_problem(call(ADMIN, "POST", "/api/v1/webhooks", bad[i]), 400, "request.invalid");
	ck_assert_int_eq(sqll("SELECT count(*) FROM webhooks"), before);
	/* who may: admin and machine clients, each client its own */
	assert_problem(call(KADIS, "GET", "/api/v1/webhooks", NULL), 403, NULL);
	assert_problem(call(PD_A, "POST", "/api/v1/webhooks", "{\"url\":\"https://example.org\",\"event_types\":[\"*\"]}"),
		       403, NULL);
	r = call(CLIENT_A, "POST", "/api/v1/webhooks",
		 fmt("{\"url\":\"http://127.0.0.1:%d/ok/client\",\"event_types\":[\"*\"]}", g_port));
	assert_status(r, 201);
	const char *mine = fmt("%s", jstr(r, "id"));
	ck_assert_str_eq(jstr(r, "agency_id"), AGENCY_A); /* a bound client hears its agency only */
	assert_problem(call(CLIENT_A, "POST", "/api/v1/webhooks",
			    fmt("{\"url\":\"https://example.org\",\"event_types\":[\"*\"],\"agency_id\":\"%s\"}", AGENCY_B)),
		       400, "request.invalid");
	assert_problem(call(CLIENT_ALL, "GET", fmt("/api/v1/webhooks/%s", mine), NULL), 404, "webhook.not_found");
	assert_problem(call(CLIENT_A, "GET", fmt("/api/v1/webhooks/%s", id), NULL), 404, "webhook.not_found");
	r = call(CLIENT_A, "GET", "/api/v1/webhooks", NULL);
	assert_status(r, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 1);
	r = call(ADMIN, "GET", "/api/v1/webhooks", NULL);
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 2);
	assert_status(call(CLIENT_A, "DELETE", fmt("/api/v1/webhooks/%s", mine), NULL), 204);
	assert_status(call(ADMIN, "DELETE", fmt("/api/v1/webhooks/%s", id), NULL), 204);
	assert_problem(call(ADMIN, "GET", fmt("/api/v1/webhooks/%s", id), NULL), 404, "webhook.not_found");
	ck_assert_int_eq(sqll("SELECT count(*) FROM audit_log WHERE action LIKE 'webhook.%'"), 5);
}
END_TEST

START_TEST(test_delivered_signed_as_in_the_feed)
{
	struct hook h = subscribe(ADMIN, "/ok/all", "[\"*\"]");
	struct uid id = new_draft(PD_A, "Sistem Terkirim");
	submit(PD_A, id.s); /* with its two documents first (SOP step 1) */
	/* the feed's documents (once it shows all six: it waits for older
	 * transactions of the cluster to finish) */
	json_t *events = NULL;
	for (long long until = ts_now_ms() + 30000;; ts_nap_ms(100)) {
		struct ts_resp *f = call(ADMIN, "GET", fmt("/api/v1/events?request_id=%s", id.s), NULL);
		assert_status(f, 200);
		events = json_object_get(f->json, "items");
		if (json_array_size(events) >= 6 || ts_now_ms() >= until)
			break;
	}
	/* created, step 1, two documents added, submitted, step 2 */
	ck_assert_int_eq(json_array_size(events), 6);
	ck_assert_msg(received_at_least("/ok/all", 6, 20000), "6 deliveries expected, got %zu",
		      json_array_size(received("/ok/all")));
	size_t i;
	json_t *ev;
	json_array_foreach(events, i, ev) {
		const char *eid = json_string_value(json_object_get(ev, "id"));
		json_t *got = attempts_of("/ok/all", eid);
		ck_assert_msg(json_array_size(got) == 1, "event %s arrived %zu times", eid, json_array_size(got));
		json_t *x = json_array_get(got, 0);
		ck_assert_msg(json_is_true(json_object_get(x, "verified")), "bad signature: %s",
			      json_string_value(json_object_get(x, "sig")));
		ck_assert_str_eq(json_string_value(json_object_get(x, "content_type")), "application/cloudevents+json");
		json_t *body = json_loads(json_string_value(json_object_get(x, "body")), 0, NULL);
		ck_assert_msg(json_equal(body, ev), "delivered %s but the feed has %s",
			      json_string_value(json_object_get(x, "body")), json_dumps(ev, JSON_COMPACT));
		json_decref(body);
		long long ts = atoll(json_string_value(json_object_get(x, "ts")));
		ck_assert_msg(llabs((long long)time(NULL) - ts) < 120, "webhook-timestamp %lld is not now", ts);
		json_t *d = delivery_becomes(&h, eid, "delivered", 30000);
		ck_assert_int_eq(json_integer_value(json_object_get(d, "attempts")), 1);
		ck_assert_int_eq(json_integer_value(json_object_get(d, "last_status")), 200);
	}
	record_deliveries("/ok/all");
	/* recorded for the contract check: the deliveries list itself */
	assert_status(call(ADMIN, "GET", fmt("/api/v1/webhooks/%s/deliveries?limit=2", h.id), NULL), 200);
	assert_status(call(ADMIN, "DELETE", fmt("/api/v1/webhooks/%s", h.id), NULL), 204);
}
END_TEST

START_TEST(test_500_then_success)
{
	struct hook h = subscribe(ADMIN, "/flaky/a", "[\"request.created\"]");
	const char *eid = one_event("Sistem Goyah");
	json_t *d = delivery_becomes(&h, eid, "delivered", 20000);
	ck_assert_int_eq(json_integer_value(json_object_get(d, "attempts")), 3);
	json_t *got = attempts_of("/flaky/a", eid);
	ck_assert_int_eq(json_array_size(got), 3);
	for (size_t i = 0; i < 3; i++) {
		json_t *x = json_array_get(got, i);
		ck_assert_str_eq(json_string_value(json_object_get(x, "id")), eid); /* the same webhook-id each time */
		ck_assert(json_is_true(json_object_get(x, "verified")));
		ck_assert_int_eq(json_integer_value(json_object_get(x, "status")), i < 2 ? 500 : 200);
	}
	ck_assert_msg(sqll(fmt("SELECT count(*) FROM webhooks WHERE id = '%s' AND enabled AND failing_since IS NULL", h.id)) ==
			      1,
		      "a success did not clear failing_since");
	assert_status(call(ADMIN, "DELETE", fmt("/api/v1/webhooks/%s", h.id), NULL), 204);
}
END_TEST

START_TEST(test_429_retry_after)
{
	struct hook h = subscribe(ADMIN, "/limited/a", "[\"request.created\"]");
	const char *eid = one_event("Sistem Dibatasi");
	delivery_becomes(&h, eid, "delivered", 20000);
	json_t *got = attempts_of("/limited/a", eid);
	ck_assert_int_eq(json_array_size(got), 2);
	double first = json_real_value(json_object_get(json_array_get(got, 0), "end")),
	       second = json_real_value(json_object_get(json_array_get(got, 1), "start"));
	/* Retry-After: 2 outweighs the 0.2 s of the schedule */
	ck_assert_msg(second - first >= 1.8, "retried %.2f s after a 429 with Retry-After: 2", second - first);
	assert_status(call(ADMIN, "DELETE", fmt("/api/v1/webhooks/%s", h.id), NULL), 204);
}
END_TEST

START_TEST(test_410_disables)
{
	struct hook h = subscribe(ADMIN, "/gone/a", "[\"request.created\"]");
	const char *eid = one_event("Sistem Hilang");
	json_t *d = delivery_becomes(&h, eid, "failed", 20000);
	ck_assert_int_eq(json_integer_value(json_object_get(d, "last_status")), 410);
	struct ts_resp *r = call(ADMIN, "GET", fmt("/api/v1/webhooks/%s", h.id), NULL);
	ck_assert(json_is_false(json_object_get(r->json, "enabled")));
	ck_assert_str_eq(jstr(r, "disabled_reason"), "gone");
	ck_assert_int_eq(sqll(fmt("SELECT count(*) FROM audit_log WHERE action = 'webhook.disabled' AND record_id = '%s'"
				  " AND actor_role = 'system'",
				  h.id)),
			 1);
	/* ... and an event, in the same transaction: for those who read the
	 * global audit trail, not for an agency or a staff role */
	ck_assert_int_eq(sqll(fmt("SELECT count(*) FROM events WHERE type = 'webhook.disabled' AND subject = '%s'"
				  " AND request_id IS NULL AND data->>'reason' = 'gone'",
				  h.id)),
			 1);
	json_t *ev = NULL;
	for (long long until = ts_now_ms() + 30000; !ev && ts_now_ms() < until; ts_nap_ms(50)) {
		r = call(ADMIN, "GET", "/api/v1/events?type=webhook.disabled&limit=200", NULL);
		assert_status(r, 200);
		size_t i;
		json_t *x;
		json_array_foreach(json_object_get(r->json, "items"), i, x)
			if (!strcmp(json_string_value(json_object_get(x, "subject")), h.id))
				ev = x;
	}
	ck_assert_msg(ev != NULL, "webhook.disabled for %s never appeared in the feed", h.id);
	json_t *data = json_object_get(ev, "data");
	ck_assert_str_eq(json_string_value(json_object_get(ev, "source")), "/api/v1/webhooks");
	ck_assert_str_eq(json_string_value(json_object_get(data, "reason")), "gone");
	ck_assert_str_eq(json_string_value(json_object_get(data, "webhook_id")), h.id);
	static const enum who blind[] = {KASI, PD_A};
	for (size_t k = 0; k < 2; k++) {
		r = call(blind[k], "GET", "/api/v1/events?type=webhook.disabled", NULL);
		assert_status(r, 200);
		ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 0);
	}
	/* a disabled subscription gets nothing more: its event fans out to no
	 * delivery row for it (rows are written in the event's transaction) */
	one_event("Sistem Sesudah Hilang");
	ck_assert_int_eq(sqll(fmt("SELECT count(*) FROM webhook_deliveries WHERE webhook_id = '%s'", h.id)), 1);
	ck_assert_int_eq(json_array_size(received("/gone/a")), 1);
	assert_status(call(ADMIN, "DELETE", fmt("/api/v1/webhooks/%s", h.id), NULL), 204);
}
END_TEST

START_TEST(test_hang_past_timeout)
{
	struct hook h = subscribe(ADMIN, "/hang/a", "[\"request.created\"]");
	const char *eid = one_event("Sistem Menggantung");
	json_t *d = delivery_becomes(&h, eid, "delivered", 20000);
	ck_assert_int_eq(json_integer_value(json_object_get(d, "attempts")), 2);
	ck_assert_msg(received_at_least("/hang/a", 2, 10000), "the hung attempt was not logged");
	json_t *got = attempts_of("/hang/a", eid);
	ck_assert_int_eq(json_array_size(got), 2);
	assert_status(call(ADMIN, "DELETE", fmt("/api/v1/webhooks/%s", h.id), NULL), 204);
}
END_TEST

START_TEST(test_exhausted_then_manual_retry)
{
	struct hook h = subscribe(ADMIN, "/fail/a", "[\"request.created\"]");
	const char *eid = one_event("Sistem Gagal");
	json_t *d = delivery_becomes(&h, eid, "failed", 20000);
	ck_assert_int_eq(json_integer_value(json_object_get(d, "attempts")), 4); /* first + 3 retries */
	ck_assert_int_eq(json_integer_value(json_object_get(d, "last_status")), 500);
	ck_assert(json_is_null(json_object_get(d, "next_attempt_at")));
	ck_assert_int_eq(json_array_size(attempts_of("/fail/a", eid)), 4);
	const char *did = fmt("%s", json_string_value(json_object_get(d, "id")));
	struct ts_resp *r = call(ADMIN, "POST", fmt("/api/v1/webhooks/%s/deliveries/%s/retry", h.id, did), NULL);
	assert_status(r, 200);
	ck_assert_str_eq(jstr(r, "status"), "pending");
	ck_assert_msg(received_at_least("/fail/a", 5, 10000), "the manual retry was not attempted");
	delivery_becomes(&h, eid, "failed", 10000);
	assert_problem(call(ADMIN, "POST", fmt("/api/v1/webhooks/%s/deliveries/999999/retry", h.id), NULL), 404,
		       "webhook.delivery_not_found");
	assert_status(call(ADMIN, "DELETE", fmt("/api/v1/webhooks/%s", h.id), NULL), 204);
}
END_TEST

START_TEST(test_rotation_and_replay)
{
	struct hook h = subscribe(ADMIN, "/ok/rotate", "[\"request.created\"]");
	struct ts_resp *r = call(ADMIN, "POST", fmt("/api/v1/webhooks/%s/secret", h.id), NULL);
	assert_status(r, 200);
	const char *fresh = fmt("%s", jstr(r, "secret"));
	ck_assert_msg(strncmp(fresh, "whsec_", 6) == 0 && strcmp(fresh, h.secret) != 0, "new secret %s", fresh);
	ck_assert_msg(*jstr(r, "previous_secret_valid_until"), "no overlap shown");
	receiver_secret("/ok/rotate", fresh);
	const char *eid = one_event("Sistem Rotasi");
	delivery_becomes(&h, eid, "delivered", 20000);
	json_t *x = json_array_get(attempts_of("/ok/rotate", eid), 0);
	const char *sig = json_string_value(json_object_get(x, "sig"));
	ck_assert_msg(strchr(sig, ' ') != NULL, "one signature during the overlap: %s", sig);
	ck_assert(json_is_true(json_object_get(x, "verified")));
	/* replay: every request.created of the last hour again */
	r = call(ADMIN, "POST", fmt("/api/v1/webhooks/%s/replay", h.id),
		 "{\"from\":\"2000-01-01T00:00:00Z\",\"to\":\"2100-01-01T00:00:00Z\"}");
	assert_status(r, 202);
	long long n = jint(r, "deliveries");
	ck_assert_int_eq(n, sqll("SELECT count(*) FROM events WHERE type = 'request.created'"));
	ck_assert_msg(received_at_least("/ok/rotate", (size_t)n + 1, 20000), "the replay was not delivered");
	ck_assert_int_eq(json_array_size(attempts_of("/ok/rotate", eid)), 2); /* again, same webhook-id */
	assert_problem(call(ADMIN, "POST", fmt("/api/v1/webhooks/%s/replay", h.id), "{\"from\":\"yesterday\"}"), 400,
		       "request.invalid");
	assert_status(call(ADMIN, "DELETE", fmt("/api/v1/webhooks/%s", h.id), NULL), 204);
}
END_TEST

START_TEST(test_metrics)
{
	struct ts_resp *r = ts_get(g_d, "/metrics", NULL);
	assert_status(r, 200);
	ck_assert_msg(strstr(r->body, "alurd_webhook_attempts_total{outcome=\"delivered\"}"), "no delivery counter");
	ck_assert_msg(strstr(r->body, "alurd_webhook_latency_seconds_count"), "no latency histogram");
	ck_assert_msg(strstr(r->body, "alurd_webhook_pending_deliveries"), "no backlog gauge");
	ck_assert_msg(strstr(r->body, "alurd_webhook_oldest_due_seconds"), "no age gauge");
}
END_TEST

static Suite *webhooks_suite(void)
{
	Suite *s = suite_create("webhooks");
	TCase *tc = tf_tcase("webhooks", up_webhooks, down_webhooks, world_each_after, 120);
	tcase_add_test(tc, test_subscriptions);
	tcase_add_test(tc, test_delivered_signed_as_in_the_feed);
	tcase_add_test(tc, test_500_then_success);
	tcase_add_test(tc, test_429_retry_after);
	tcase_add_test(tc, test_410_disables);
	tcase_add_test(tc, test_hang_past_timeout);
	tcase_add_test(tc, test_exhausted_then_manual_retry);
	tcase_add_test(tc, test_rotation_and_replay);
	tcase_add_test(tc, test_metrics);
	world_add_clean_stop(tc);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- suite webhook_crash --------------------------------------------------------- */

static void up_crash(void)
{
	static const char *const env[] = {"ALURD_SECRET_KEY=" SECRET_KEY, "ALURD_WEBHOOK_ALLOW_HTTP=true",
					  "ALURD_WEBHOOK_WORKERS=0", NULL};
	world_up("webhook_crash", env);
	receiver_start("webhook_crash");
}

static const char *const crash_env[] = {
	"ALURD_SECRET_KEY=" SECRET_KEY, "ALURD_WEBHOOK_ALLOW_HTTP=true", "ALURD_WEBHOOK_ALLOW_PRIVATE=true",
	"ALURD_WEBHOOK_TIMEOUT=2", "ALURD_WEBHOOK_RETRY_SCHEDULE=0.2,0.2,0.2", "ALURD_WEBHOOK_POLL=0.05",
	"ALURD_WEBHOOK_WORKERS=4", "ALURD_WEBHOOK_PER_ENDPOINT=4", "ALURD_LOG_LEVEL=info", NULL};

START_TEST(test_kill9_loses_nothing_and_no_double_delivery)
{
	struct hook h = subscribe(ADMIN, "/held/crash", "[\"*\"]");
	for (int i = 0; i < 12; i++)
		new_draft(PD_A, fmt("Sistem Tangguh %d", i));
	long long total = sqll(fmt("SELECT count(*) FROM webhook_deliveries WHERE webhook_id = '%s'", h.id));
	ck_assert_int_eq(total, 24);
	struct ts_daemon *d2 = ts_daemon_start(g_db, crash_env);
	ck_assert_msg(d2 != NULL, "the second daemon did not start");
	/* kill it while attempts are in flight: the receiver holds them */
	long long until = ts_now_ms() + 20000;
	while (held_arrivals() < 2 && ts_now_ms() < until)
		ts_nap_ms(20);
	ck_assert_msg(held_arrivals() >= 2, "the second daemon's attempts did not reach the receiver");
	long long in_flight = sqll(fmt("SELECT count(*) FROM webhook_deliveries WHERE webhook_id = '%s'"
				       " AND status = 'delivering'",
				       h.id));
	ck_assert(ts_daemon_signal(d2, SIGKILL));
	ck_assert_int_eq(ts_daemon_wait(d2, 10000), 128 + SIGKILL);
	ts_daemon_free(d2);
	fprintf(stderr, "webhook_crash: killed with %lld deliveries claimed, %zu attempts held\n", in_flight,
		held_arrivals());
	/* the held attempts end (their answers go nowhere; each is logged), then
	 * two daemons take over: the leases run out, every event arrives */
	size_t held = held_arrivals();
	receiver_release();
	ck_assert_msg(received_at_least("/held/crash", held, 20000), "the held attempts were not answered");
	struct ts_daemon *d3 = ts_daemon_start(g_db, crash_env), *d4 = ts_daemon_start(g_db, crash_env);
	ck_assert_msg(d3 && d4, "the next daemons did not start");
	until = ts_now_ms() + 60000;
	while (sqll(fmt("SELECT count(*) FROM webhook_deliveries WHERE webhook_id = '%s' AND status = 'delivered'", h.id)) <
		       total &&
	       ts_now_ms() < until)
		ts_nap_ms(200);
	ck_assert_int_eq(sqll(fmt("SELECT count(*) FROM webhook_deliveries WHERE webhook_id = '%s' AND status = 'delivered'",
				  h.id)),
			 total);
	/* every event id reached the receiver, verified, never twice at the same time */
	json_t *got = received("/held/crash");
	json_t *ids = json_object();
	size_t i;
	json_t *x;
	json_array_foreach(got, i, x) {
		ck_assert(json_is_true(json_object_get(x, "verified")));
		ck_assert_msg(json_is_false(json_object_get(x, "overlap")), "%s was delivered twice at once",
			      json_string_value(json_object_get(x, "id")));
		json_object_set_new(ids, json_string_value(json_object_get(x, "id")), json_true());
	}
	ck_assert_int_eq((long long)json_object_size(ids), total);
	ck_assert_int_eq(sqll(fmt("SELECT count(*) FROM events e WHERE e.id IN (SELECT event_id FROM webhook_deliveries"
				  " WHERE webhook_id = '%s')",
				  h.id)),
			 total);
	fprintf(stderr, "webhook_crash: %zu requests at the receiver for %lld events\n", json_array_size(got), total);
	record_deliveries("/held/crash");
	json_decref(ids);
	assert_status(call(ADMIN, "DELETE", fmt("/api/v1/webhooks/%s", h.id), NULL), 204);
	ck_assert_int_eq(ts_daemon_stop(d3, SIGTERM), 0);
	ck_assert_int_eq(ts_daemon_stop(d4, SIGTERM), 0);
	ts_daemon_free(d3);
	ts_daemon_free(d4);
}
END_TEST

/* https only unless ALURD_WEBHOOK_ALLOW_HTTP; loopback refused after DNS
 * unless ALURD_WEBHOOK_ALLOW_PRIVATE. */
START_TEST(test_http_and_private_addresses_refused)
{
	static const char *const strict[] = {"ALURD_SECRET_KEY=" SECRET_KEY, "ALURD_WEBHOOK_WORKERS=0", NULL};
	struct ts_daemon *d = ts_daemon_start(g_db, strict);
	ck_assert_msg(d != NULL, "the strict daemon did not start");
	struct ts_resp *r = ts_post_json(d, "/api/v1/webhooks", W[ADMIN].token,
					 fmt("{\"url\":\"http://127.0.0.1:%d/ok/plain\",\"event_types\":[\"*\"]}", g_port));
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(has_field_error(r, "url"), "no error on url: %s", r->body);
	ck_assert_int_eq(ts_daemon_stop(d, SIGTERM), 0);
	ts_daemon_free(d);
	/* a daemon that accepts http but not private addresses delivers nothing to 127.0.0.1 */
	struct hook h = subscribe(ADMIN, "/ok/private", "[\"request.created\"]");
	static const char *const no_private[] = {"ALURD_SECRET_KEY=" SECRET_KEY, "ALURD_WEBHOOK_ALLOW_HTTP=true",
						  "ALURD_WEBHOOK_TIMEOUT=1", "ALURD_WEBHOOK_RETRY_SCHEDULE=0.2",
						  "ALURD_WEBHOOK_POLL=0.05", "ALURD_WEBHOOK_WORKERS=2", NULL};
	d = ts_daemon_start(g_db, no_private);
	ck_assert_msg(d != NULL, "the daemon without ALURD_WEBHOOK_ALLOW_PRIVATE did not start");
	const char *eid = one_event("Sistem Alamat Privat");
	json_t *x = delivery_becomes(&h, eid, "failed", 20000);
	ck_assert_int_eq(json_integer_value(json_object_get(x, "attempts")), 2);
	ck_assert_msg(strstr(json_string_value(json_object_get(x, "last_error")), "private"), "last_error %s",
		      json_string_value(json_object_get(x, "last_error")));
	ck_assert(json_is_null(json_object_get(x, "last_status")));
	ck_assert_int_eq(json_array_size(received("/ok/private")), 0);
	ck_assert_int_eq(ts_daemon_stop(d, SIGTERM), 0);
	ts_daemon_free(d);
	assert_status(call(ADMIN, "DELETE", fmt("/api/v1/webhooks/%s", h.id), NULL), 204);
}
END_TEST

static void down_crash(void)
{
	receiver_stop();
	world_down();
}

static Suite *crash_suite(void)
{
	Suite *s = suite_create("webhook_crash");
	TCase *tc = tf_tcase("webhook_crash", up_crash, down_crash, world_each_after, 150);
	tcase_add_test(tc, test_kill9_loses_nothing_and_no_double_delivery);
	tcase_add_test(tc, test_http_and_private_addresses_refused);
	world_add_clean_stop(tc);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	static Suite *(*const suites[])(void) = {webhooks_suite, crash_suite, NULL};
	return world_main(argc, argv, suites);
}
