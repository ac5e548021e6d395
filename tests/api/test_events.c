/* test_events.c — suite `events`: the outbox and the event feed over HTTP.
 *
 * Requests are walked through the SOP by the real roles (steps47.c), then the
 * feed (GET /api/v1/events) is compared with each request's audit trail one
 * to one, through the catalogue of core/events.c (linked in: the same table
 * the daemon uses). Also: the CloudEvents envelope, the derived events (steps
 * started, the clock paused and resumed, completion), a forced rollback that
 * leaves neither audit row nor event, agency scoping, filters and bad
 * cursors, retention pruning, and the feed under concurrent writers whose
 * commits are made to land out of id order: the union of the pages read
 * while they write must be exactly the table. Last, long-poll (`wait=`):
 * woken by the caller's own agency's events only, the deadline's empty page,
 * bad values, and a parked poll answered at SIGTERM.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/events.h"
#include "tests/api/steps47.h"

static void up(void)
{
	s47_up("events");
}

static void sql(const char *text)
{
	ck_assert_msg(ts_sql(g_db, text), "SQL failed: %s", text);
}

static long long sqll(const char *text)
{
	char buf[64];
	ck_assert_msg(ts_sql_value(g_db, text, buf, sizeof buf), "SQL failed or no row: %s", text);
	return strtoll(buf, NULL, 10);
}

/* Every event the feed shows who for query (e.g. "request_id=..."), read in
 * pages of page_size; *cursor (may be NULL) gets the last next_cursor. */
static json_t *feed(enum who who, const char *query, int page_size, char *cursor, size_t n)
{
	json_t *all = keep(json_array());
	const char *after = NULL;
	for (int page = 0; page < 500; page++) {
		const char *path = fmt("/api/v1/events?limit=%d%s%s%s%s", page_size, *query ? "&" : "", query,
				       after ? "&after=" : "", after ? after : "");
		struct ts_resp *r = call(who, "GET", path, NULL);
		assert_status(r, 200);
		json_t *items = json_object_get(r->json, "items");
		ck_assert_msg(json_is_array(items), "no items in %s", r->body);
		const char *next = json_string_value(json_object_get(r->json, "next_cursor"));
		if (json_array_size(items) == 0) {
			/* nothing new: the cursor stays where it was */
			ck_assert_msg((!after && !next) || (after && next && strcmp(after, next) == 0),
				      "an empty page moved the cursor from %s to %s", after ? after : "null",
				      next ? next : "null");
			if (cursor)
				snprintf(cursor, n, "%s", next ? next : "");
			return all;
		}
		ck_assert_msg(next != NULL, "a page with events has no next_cursor");
		json_array_extend(all, items);
		after = fmt("%s", next);
	}
	ck_abort_msg("the feed never ends");
	return all;
}

/* The feed once it has caught up with the table: it shows an event only when
 * every transaction older than the event's has finished, and other suites
 * write to the same cluster, so a change just committed can be a moment
 * late (never skipped). Reads the whole feed again until it holds as many
 * events as count_sql counts, for at most 30 s, and returns that read. */
static json_t *feed_settled(enum who who, const char *query, int page_size, const char *count_sql)
{
	long long want = sqll(count_sql);
	json_t *got = NULL;
	for (long long until = ts_now_ms() + 30000;;) {
		got = feed(who, query, page_size, NULL, 0);
		if ((long long)json_array_size(got) >= want || ts_now_ms() >= until)
			break;
		ts_nap_ms(100);
	}
	ck_assert_msg((long long)json_array_size(got) == want, "the feed shows %zu events, the table has %lld (%s)",
		      json_array_size(got), want, count_sql);
	return got;
}

static json_t *data_of(json_t *ev)
{
	return json_object_get(ev, "data");
}

/* The event types of list, in order, as a JSON array of strings; derived
 * types left out unless keep_derived. */
static json_t *types_of(json_t *list, bool keep_derived)
{
	json_t *out = keep(json_array());
	size_t i;
	json_t *ev;
	json_array_foreach(list, i, ev) {
		const struct ev_type *t = ev_find(jstr(ev, "type"));
		ck_assert_msg(t != NULL, "the feed shows a type the catalogue does not know: %s", jstr(ev, "type"));
		if (keep_derived || !t->derived)
			json_array_append_new(out, json_string(t->type));
	}
	return out;
}

static int count_type(json_t *list, const char *type)
{
	int n = 0;
	size_t i;
	json_t *ev;
	json_array_foreach(list, i, ev)
		n += strcmp(jstr(ev, "type"), type) == 0;
	return n;
}

/* The request's audit trail mapped through the catalogue: one event type
 * per audit row that has one (every row of a request has one). */
static json_t *expected_from_audit(const char *request_id)
{
	json_t *actions = audit_actions(request_id);
	json_t *out = keep(json_array());
	size_t i;
	json_t *a;
	json_array_foreach(actions, i, a) {
		const char *type = ev_type_of_action(json_string_value(a));
		ck_assert_msg(type != NULL, "the audit row %s of a request has no event type", json_string_value(a));
		json_array_append_new(out, json_string(type));
	}
	return out;
}

/* The envelope is CloudEvents 1.0 and data carries the request's fields. */
static void assert_envelope(json_t *ev, const char *request_id, const char *agency_id)
{
	ck_assert_str_eq(jstr(ev, "specversion"), "1.0");
	ck_assert_msg(matches(jstr(ev, "id"), "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
		      "event id %s", jstr(ev, "id"));
	ck_assert_str_eq(jstr(ev, "source"), "/api/v1/requests");
	ck_assert_str_eq(jstr(ev, "subject"), request_id);
	ck_assert_str_eq(jstr(ev, "datacontenttype"), "application/json");
	ck_assert_msg(matches(jstr(ev, "time"), "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"), "time %s",
		      jstr(ev, "time"));
	json_t *d = data_of(ev);
	ck_assert_str_eq(jstr(d, "request_id"), request_id);
	ck_assert_str_eq(jstr(d, "agency_id"), agency_id);
	ck_assert_msg(jint(d, "version") >= 1, "data.version missing in %s", jdump(ev));
	json_t *actor = json_object_get(d, "actor");
	ck_assert_msg(json_is_object(actor) && *jstr(actor, "role"), "data.actor.role missing in %s", jdump(ev));
}

START_TEST(test_walk_matches_audit_one_to_one)
{
	struct flow f = drive(PD_A, "Sistem Rujukan Terpadu", AT_BA_SIGNED);
	json_t *events = feed_settled(KASI, fmt("request_id=%s", f.request), 3,
				      fmt("SELECT count(*) FROM events WHERE request_id = '%s'", f.request));
	json_t *want = expected_from_audit(f.request), *got = types_of(events, false);
	ck_assert_msg(json_equal(want, got), "audit trail %s but feed %s", jdump(want), jdump(got));
	size_t i;
	json_t *ev;
	long long last_version = 0;
	json_array_foreach(events, i, ev) {
		assert_envelope(ev, f.request, AGENCY[0]);
		/* one request's events come in the order of its changes */
		ck_assert_msg(jint(data_of(ev), "version") >= last_version, "versions go back at %s", jdump(ev));
		last_version = jint(data_of(ev), "version");
	}
	/* the derived events: one step_started per step instance, completion once */
	struct ts_resp *t = call(KASI, "GET", fmt("/api/v1/requests/%s/timeline", f.request), NULL);
	assert_status(t, 200);
	ck_assert_int_eq(count_type(events, "request.step_started"), json_array_size(json_object_get(t->json, "steps")));
	ck_assert_int_eq(count_type(events, "request.step_started"), 7);
	ck_assert_int_eq(count_type(events, "request.completed"), 1);
	ck_assert_int_eq(count_type(events, "berita_acara.fully_signed"), 1);
	ck_assert_int_eq(count_type(events, "berita_acara.signed"), 2);
	/* what the events are about */
	json_array_foreach(events, i, ev) {
		json_t *d = data_of(ev);
		const char *type = jstr(ev, "type");
		if (!strcmp(type, "request.registered"))
			ck_assert_msg(*jstr(d, "agenda_number"), "no agenda_number in %s", jdump(ev));
		if (!strcmp(type, "discussion.recorded")) {
			ck_assert_msg(*jstr(d, "discussion_id") && *jstr(d, "discussion_phase"), "%s", jdump(ev));
			if (!strcmp(jstr(d, "discussion_phase"), "awal"))
				ck_assert_msg(json_is_true(json_object_get(d, "checklist_complete")), "%s", jdump(ev));
		}
		if (!strcmp(type, "berita_acara.signed"))
			ck_assert_msg(*jstr(d, "party") && !strcmp(jstr(d, "berita_acara_id"), f.ba), "%s", jdump(ev));
		if (!strcmp(type, "request.disposed"))
			ck_assert_msg(*jstr(d, "disposition_id") && !strcmp(jstr(d, "status"), "disposed"), "%s",
				      jdump(ev));
		if (!strcmp(type, "request.completed"))
			ck_assert_str_eq(jstr(d, "status"), "completed");
	}
	/* no whole documents in an event */
	ck_assert_msg(!strstr(jdump(events), "\"description\""), "an event carries a whole record: %s", jdump(events));
}
END_TEST

START_TEST(test_pause_resume_and_withdrawal)
{
	struct flow f = drive(PD_A, "Sistem Antrian Puskesmas", AT_AWAITING_PD);
	struct ts_resp *r = upload(PD_A, f.request, "proses_bisnis", "mekanisme.pdf", "application/pdf", MINI_PDF,
				   MINI_PDF_LEN);
	assert_status(r, 201);
	const char *doc = fmt("%s", rstr(r, "id"));
	r = call(PD_A, "POST", fmt("/api/v1/requests/%s/completion", f.request),
		 fmt("{\"notes\":{\"mekanisme_validasi\":\"Validasi berjenjang oleh operator.\"},\"document_ids\":[\"%s\"]}",
		     doc));
	assert_status(r, 201);
	assert_status(call(PD_A, "POST", fmt("/api/v1/requests/%s/withdraw", f.request), "{\"reason\":\"Ditunda.\"}"),
		      200);
	json_t *events = feed_settled(PD_A, fmt("request_id=%s", f.request), 50,
				      fmt("SELECT count(*) FROM events WHERE request_id = '%s'", f.request));
	json_t *want = expected_from_audit(f.request), *got = types_of(events, false);
	ck_assert_msg(json_equal(want, got), "audit trail %s but feed %s", jdump(want), jdump(got));
	ck_assert_int_eq(count_type(events, "request.paused"), 1);
	ck_assert_int_eq(count_type(events, "request.resumed"), 1);
	ck_assert_int_eq(count_type(events, "completion.submitted"), 1);
	ck_assert_int_eq(count_type(events, "request.withdrawn"), 1);
	ck_assert_int_eq(count_type(events, "document.added"), 3); /* the two of the submission, then the completion's */
	size_t i;
	json_t *ev;
	json_array_foreach(events, i, ev) {
		const char *type = jstr(ev, "type");
		if (!strcmp(type, "discussion.recorded"))
			ck_assert_msg(json_is_false(json_object_get(data_of(ev), "checklist_complete")), "%s", jdump(ev));
		if (!strcmp(type, "request.paused"))
			ck_assert_str_eq(jstr(data_of(ev), "status"), "awaiting_pd_completion");
		if (!strcmp(type, "request.withdrawn"))
			ck_assert_str_eq(jstr(data_of(ev), "reason"), "Ditunda.");
		if (!strcmp(type, "document.added")) /* the letter and business process, then the completion's */
			ck_assert_msg(!strcmp(jstr(data_of(ev), "document_type"), "proses_bisnis") ||
					      !strcmp(jstr(data_of(ev), "document_type"), "surat_permohonan"),
				      "%s", jdump(ev));
	}
	/* the feed of the pd holds exactly the table's rows of this request */
	ck_assert_int_eq((long long)json_array_size(events),
			 sqll(fmt("SELECT count(*) FROM events WHERE request_id = '%s'", f.request)));
}
END_TEST

/* A change whose statement fails leaves neither its audit row nor its event
 * (nor the change); once the failure is gone the same change writes both. */
START_TEST(test_rollback_leaves_neither)
{
	struct ts_resp *r = call(PD_A, "POST", "/api/v1/requests", "{\"kind\":\"integrasi\",\"title\":\"Integrasi Rollback\"}");
	assert_status(r, 201);
	const char *id = fmt("%s", rstr(r, "id"));
	attach_submission_documents(PD_A, id);
	assert_status(call(PD_A, "POST", fmt("/api/v1/requests/%s/submit", id), NULL), 200);
	long long added = sqll(fmt("SELECT count(*) FROM events WHERE request_id = '%s' AND type = 'document.added'", id));
	sql("CREATE FUNCTION refuse_registered() RETURNS trigger LANGUAGE plpgsql AS $$"
	    " BEGIN RAISE EXCEPTION 'refused by the test'; END $$;"
	    "CREATE TRIGGER refuse_registered BEFORE INSERT ON events FOR EACH ROW"
	    " WHEN (NEW.type = 'request.registered') EXECUTE FUNCTION refuse_registered()");
	r = call(SEKRETARIAT, "POST", fmt("/api/v1/requests/%s/register", id), NULL);
	sql("DROP TRIGGER refuse_registered ON events; DROP FUNCTION refuse_registered()");
	assert_problem(r, 500, "internal");
	const char *audit = fmt("SELECT count(*) FROM audit_log WHERE request_id = '%s' AND action = 'request.register'", id);
	const char *event = fmt("SELECT count(*) FROM events WHERE request_id = '%s' AND type = 'request.registered'", id);
	ck_assert_int_eq(sqll(audit), 0);
	ck_assert_int_eq(sqll(event), 0);
	ck_assert_int_eq(sqll(fmt("SELECT count(*) FROM requests WHERE id = '%s' AND state = 'submitted'"
				  " AND agenda_number IS NULL AND version = 2",
				  id)),
			 1);
	/* an audit row refused takes its event (and the document) with it */
	sql("CREATE FUNCTION refuse_upload() RETURNS trigger LANGUAGE plpgsql AS $$"
	    " BEGIN RAISE EXCEPTION 'refused by the test'; END $$;"
	    "CREATE TRIGGER refuse_upload BEFORE INSERT ON audit_log FOR EACH ROW"
	    " WHEN (NEW.action = 'document.upload') EXECUTE FUNCTION refuse_upload()");
	r = upload(PD_A, id, "lainnya", "lampiran.pdf", "application/pdf", MINI_PDF, MINI_PDF_LEN);
	sql("DROP TRIGGER refuse_upload ON audit_log; DROP FUNCTION refuse_upload()");
	assert_problem(r, 500, "internal");
	ck_assert_int_eq(sqll(fmt("SELECT count(*) FROM events WHERE request_id = '%s' AND type = 'document.added'", id)),
			 added);
	ck_assert_int_eq(sqll(fmt("SELECT count(*) FROM documents WHERE request_id = '%s' AND type = 'lainnya'", id)), 0);
	/* without the failure: one of each */
	assert_status(call(SEKRETARIAT, "POST", fmt("/api/v1/requests/%s/register", id), NULL), 200);
	ck_assert_int_eq(sqll(audit), 1);
	ck_assert_int_eq(sqll(event), 1);
}
END_TEST

START_TEST(test_agency_scope)
{
	struct ts_resp *r = call(PD_B, "POST", "/api/v1/requests", "{\"kind\":\"pembangunan\",\"title\":\"Sistem Pajak Daerah\"}");
	assert_status(r, 201);
	const char *b_request = fmt("%s", rstr(r, "id"));
	attach_submission_documents(PD_B, b_request);
	assert_status(call(PD_B, "POST", fmt("/api/v1/requests/%s/submit", b_request), NULL), 200);
	json_t *seen_b = feed_settled(PD_B, "", 20, fmt("SELECT count(*) FROM events WHERE agency_id = '%s'", AGENCY[1])),
	       *seen_a = feed_settled(PD_A, "", 50, fmt("SELECT count(*) FROM events WHERE agency_id = '%s'", AGENCY[0]));
	size_t i;
	json_t *ev;
	json_array_foreach(seen_b, i, ev)
		ck_assert_msg(!strcmp(jstr(data_of(ev), "agency_id"), AGENCY[1]), "pd of B sees %s", jdump(ev));
	json_array_foreach(seen_a, i, ev)
		ck_assert_msg(!strcmp(jstr(data_of(ev), "agency_id"), AGENCY[0]), "pd of A sees %s", jdump(ev));
	ck_assert_int_eq((long long)json_array_size(seen_b),
			 sqll(fmt("SELECT count(*) FROM events WHERE agency_id = '%s'", AGENCY[1])));
	ck_assert_int_eq((long long)json_array_size(seen_a),
			 sqll(fmt("SELECT count(*) FROM events WHERE agency_id = '%s'", AGENCY[0])));
	ck_assert_int_eq(json_array_size(seen_b), 6); /* created, step 1, two documents, submitted, step 2 */
	/* another agency's request: nothing, whoever filters for it */
	ck_assert_int_eq(json_array_size(feed(PD_A, fmt("request_id=%s", b_request), 10, NULL, 0)), 0);
	/* officials see every agency */
	feed_settled(KADIS, "", 200, "SELECT count(*) FROM events");
}
END_TEST

START_TEST(test_filters_and_refusals)
{
	json_t *submitted = feed_settled(KASI, "type=request.submitted", 50,
					 "SELECT count(*) FROM events WHERE type = 'request.submitted'");
	json_t *two = feed_settled(KASI, "type=request.submitted,discussion.*", 50,
				   "SELECT count(*) FROM events WHERE type = 'request.submitted' OR type LIKE 'discussion.%'");
	ck_assert_msg(json_array_size(two) > json_array_size(submitted), "discussion.* matched nothing");
	assert_problem(call(KASI, "GET", "/api/v1/events?type=request.exploded", NULL), 400, "request.invalid");
	ck_assert_str_eq(field_error_code(call(KASI, "GET", "/api/v1/events?type=nothing.*", NULL), "type"), "unknown");
	assert_problem(call(KASI, "GET", "/api/v1/events?after=bm90LWEtY3Vyc29y", NULL), 400, "request.invalid");
	assert_problem(call(KASI, "GET", "/api/v1/events?request_id=42", NULL), 400, "request.invalid");
	assert_problem(call(KASI, "GET", "/api/v1/events?limit=0", NULL), 400, "request.invalid");
	assert_problem(call(KASI, "GET", "/api/v1/events?since=2025-01-01", NULL), 400, NULL);
	assert_problem(call(NOBODY, "GET", "/api/v1/events", NULL), 401, NULL);
	/* a cursor taken at the end stays valid and shows only what comes after */
	char cursor[512];
	feed_settled(KASI, "", 100, "SELECT count(*) FROM events");
	feed(KASI, "", 100, cursor, sizeof cursor);
	ck_assert_msg(*cursor, "no cursor at the end of the feed");
	struct ts_resp *r = call(PD_A, "POST", "/api/v1/requests", "{\"kind\":\"integrasi\",\"title\":\"Sesudah\"}");
	assert_status(r, 201);
	const char *id = fmt("%s", rstr(r, "id"));
	json_t *items = NULL;
	for (long long until = ts_now_ms() + 30000;; ts_nap_ms(100)) {
		r = call(KASI, "GET", fmt("/api/v1/events?after=%s", cursor), NULL);
		assert_status(r, 200);
		items = json_object_get(r->json, "items");
		if (json_array_size(items) >= 2 || ts_now_ms() >= until)
			break;
	}
	ck_assert_int_eq(json_array_size(items), 2);
	ck_assert_str_eq(jstr(json_array_get(items, 0), "type"), "request.created");
	ck_assert_str_eq(jstr(json_array_get(items, 0), "subject"), id);
	ck_assert_str_eq(jstr(json_array_get(items, 1), "type"), "request.step_started");
}
END_TEST

/* ---- the feed under concurrent writers -------------------------------------- */

#define WRITERS 4
#define PER_WRITER 6

static bool write_some(void *arg)
{
	enum who pd = (enum who)(long)arg;
	for (int i = 0; i < PER_WRITER; i++) {
		struct ts_resp *r = call(pd, "POST", "/api/v1/requests",
					 fmt("{\"kind\":\"integrasi\",\"title\":\"Serentak %d %d\"}", (int)pd, i));
		if (r->status != 201) {
			fprintf(stderr, "writer %d: %ld %s\n", (int)pd, r->status, r->body);
			return false;
		}
		/* the letter and business process, then the submission (SOP step 1);
		 * no assertion on this thread: report and stop */
		const char *id = fmt("%s", rstr(r, "id"));
		static const char *const types[] = {"surat_permohonan", "proses_bisnis"};
		for (int k = 0; k < 2; k++) {
			r = upload(pd, id, types[k], "surat.pdf", "application/pdf", MINI_PDF, MINI_PDF_LEN);
			if (r->status != 201) {
				fprintf(stderr, "writer %d upload: %ld %s\n", (int)pd, r->status, r->body);
				return false;
			}
		}
		r = call(pd, "POST", fmt("/api/v1/requests/%s/submit", id), NULL);
		if (r->status != 200) {
			fprintf(stderr, "writer %d submit: %ld %s\n", (int)pd, r->status, r->body);
			return false;
		}
	}
	return true;
}

struct writers {
	pthread_t thread;
	bool ok, done;
	pthread_mutex_t lock;
};

static void *run_writers(void *arg)
{
	struct writers *w = arg;
	void *who[WRITERS] = {(void *)(long)PD_A, (void *)(long)PD_B, (void *)(long)SIGN_A, (void *)(long)SIGN_B};
	bool ok = tf_all_at_once(WRITERS, write_some, who);
	pthread_mutex_lock(&w->lock);
	w->ok = ok;
	w->done = true;
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static bool writers_done(struct writers *w)
{
	pthread_mutex_lock(&w->lock);
	bool d = w->done;
	pthread_mutex_unlock(&w->lock);
	return d;
}

START_TEST(test_concurrent_writers_never_skipped)
{
	/* every event insert sleeps a random while before its transaction goes
	 * on to commit: transactions holding smaller ids commit later */
	sql("CREATE FUNCTION jitter() RETURNS trigger LANGUAGE plpgsql AS $$"
	    " BEGIN PERFORM pg_sleep(random() * 0.03); RETURN NEW; END $$;"
	    "CREATE TRIGGER jitter AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION jitter()");
	char cursor[512];
	feed_settled(ADMIN, "", 200, "SELECT count(*) FROM events");
	json_t *before = feed(ADMIN, "", 200, cursor, sizeof cursor);
	long long start = (long long)json_array_size(before);
	json_t *seen = keep(json_array());
	struct writers w = {.lock = PTHREAD_MUTEX_INITIALIZER};
	ck_assert_int_eq(pthread_create(&w.thread, NULL, run_writers, &w), 0);
	/* read while they write, in small pages, and after until the pages hold
	 * as many events as the table (or two minutes pass) */
	int pages = 0;
	for (long long until = ts_now_ms() + 120000; ts_now_ms() < until;) {
		struct ts_resp *r = call(ADMIN, "GET", fmt("/api/v1/events?limit=3%s%s", *cursor ? "&after=" : "", cursor),
					 NULL);
		assert_status(r, 200);
		json_t *items = json_object_get(r->json, "items");
		json_array_extend(seen, items);
		pages++;
		const char *next = json_string_value(json_object_get(r->json, "next_cursor"));
		if (next)
			snprintf(cursor, sizeof cursor, "%s", next);
		if (json_array_size(items) == 0) {
			if (writers_done(&w) &&
			    start + (long long)json_array_size(seen) >= sqll("SELECT count(*) FROM events"))
				break;
			ts_nap_ms(20);
		}
	}
	pthread_join(w.thread, NULL);
	sql("DROP TRIGGER jitter ON events; DROP FUNCTION jitter()");
	ck_assert_msg(w.ok, "a writer failed (see above)");
	/* once every writer has committed, the pages hold every new event, once */
	long long total = sqll("SELECT count(*) FROM events");
	ck_assert_msg(start + (long long)json_array_size(seen) == total, "the pages hold %lld + %zu events, the table %lld",
		      start, json_array_size(seen), total);
	ck_assert_int_eq(total - start, WRITERS * PER_WRITER * 6); /* created, step 1, 2 documents, submitted, step 2 */
	json_t *ids = keep(json_object());
	size_t i;
	json_t *ev;
	json_array_foreach(seen, i, ev) {
		ck_assert_msg(!json_object_get(ids, jstr(ev, "id")), "event %s was shown twice", jstr(ev, "id"));
		json_object_set_new(ids, jstr(ev, "id"), json_true());
	}
	json_array_foreach(before, i, ev)
		ck_assert_msg(!json_object_get(ids, jstr(ev, "id")), "event %s shown again", jstr(ev, "id"));
	/* and the ids really did commit out of order (the case the design is for) */
	long long out_of_order = sqll("SELECT count(*) FROM (SELECT id, xid, lag(xid) OVER (ORDER BY id) AS prev"
				      " FROM events) x WHERE xid < prev");
	fprintf(stderr, "concurrent feed: %zu events read in %d pages; %lld id/xid inversions\n", json_array_size(seen),
		pages, out_of_order);
}
END_TEST

/* ---- retention ---------------------------------------------------------------- */

START_TEST(test_retention_prunes_old_events)
{
	long long total = sqll("SELECT count(*) FROM events");
	ck_assert_msg(total > 20, "too few events to age (%lld)", total);
	/* age half of them past the 90 days kept by default */
	sql("UPDATE events SET time = now() - interval '91 days' WHERE id % 2 = 0");
	long long aged = sqll("SELECT count(*) FROM events WHERE time < now() - interval '90 days'");
	ck_assert_msg(aged > 0, "nothing aged");
	long long until = ts_now_ms() + 60000;
	while (sqll("SELECT count(*) FROM events WHERE time < now() - interval '90 days'") > 0 && ts_now_ms() < until)
		ts_nap_ms(200);
	ck_assert_int_eq(sqll("SELECT count(*) FROM events WHERE time < now() - interval '90 days'"), 0);
	ck_assert_int_eq(sqll("SELECT count(*) FROM events"), total - aged);
}
END_TEST


/* ---- long-poll ---------------------------------------------------------------- */

static double metric(const char *series)
{
	struct ts_resp *r = ts_get(g_d, "/metrics", NULL);
	assert_status(r, 200);
	double v = -1;
	ck_assert_msg(ts_metric(r->body, series, &v), "no %s in /metrics:\n%.1500s", series, r->body);
	return v;
}

/* Waits (at most 30 s) until series reaches at least want. */
static void await_metric(const char *series, double want)
{
	double v = metric(series);
	for (long long until = ts_now_ms() + 30000; v < want && ts_now_ms() < until; ts_nap_ms(20))
		v = metric(series);
	ck_assert_msg(v >= want, "%s is %g, waited for %g", series, v, want);
}

struct poll {
	pthread_t thread;
	enum who who;
	const char *path;
	pthread_mutex_t lock;
	bool done;
	long status;
	json_t *json; /* the answer */
	long long took_ms;
};

static void *run_poll(void *arg)
{
	struct poll *p = arg;
	long long t0 = ts_now_ms();
	struct ts_resp *r = call(p->who, "GET", p->path, NULL);
	pthread_mutex_lock(&p->lock);
	p->status = r->status;
	p->json = r->json ? json_incref(r->json) : NULL;
	p->took_ms = ts_now_ms() - t0;
	p->done = true;
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static void poll_start(struct poll *p, enum who who, const char *path)
{
	*p = (struct poll){.who = who, .path = path};
	pthread_mutex_init(&p->lock, NULL);
	ck_assert_int_eq(pthread_create(&p->thread, NULL, run_poll, p), 0);
}

static bool poll_done(struct poll *p)
{
	pthread_mutex_lock(&p->lock);
	bool d = p->done;
	pthread_mutex_unlock(&p->lock);
	return d;
}

static json_t *poll_join(struct poll *p)
{
	pthread_join(p->thread, NULL);
	pthread_mutex_destroy(&p->lock);
	ck_assert_msg(p->status == 200, "the long-poll answered %ld", p->status);
	return keep(p->json);
}

/* The end of pd's feed once it has caught up with its agency's events. */
static const char *feed_end(enum who pd, const char *agency_id)
{
	char cursor[512];
	feed_settled(pd, "", 100, fmt("SELECT count(*) FROM events WHERE agency_id = '%s'", agency_id));
	feed(pd, "", 100, cursor, sizeof cursor);
	ck_assert_msg(*cursor, "no cursor at the end of the feed");
	return fmt("%s", cursor);
}

/* Starts PD_A's long-poll of 30 s at the end of its feed and waits until
 * the daemon has parked it; returns the cursor and the parked count before. */
static const char *park_one(struct poll *p, double *parked0)
{
	const char *cursor = feed_end(PD_A, AGENCY[0]);
	*parked0 = metric("alurd_feed_waiting");
	poll_start(p, PD_A, fmt("/api/v1/events?after=%s&wait=30", cursor));
	await_metric("alurd_feed_waiting", *parked0 + 1);
	return cursor;
}

START_TEST(test_long_poll_wakes_on_own_events_only)
{
	struct poll p;
	double parked0;
	const char *cursor = park_one(&p, &parked0);
	ck_assert_msg(!poll_done(&p), "the long-poll answered with nothing new");
	/* another agency's event moves the feed, not this caller's page: the
	 * request runs again and parks again */
	const char *seen = "alurd_events_total{type=\"request.created\"}";
	double created0 = metric(seen);
	assert_status(call(PD_B, "POST", "/api/v1/requests", "{\"kind\":\"integrasi\",\"title\":\"Agensi lain\"}"), 201);
	await_metric(seen, created0 + 1);
	await_metric("alurd_feed_waiting", parked0 + 1);
	ck_assert_msg(!poll_done(&p), "another agency's event answered the long-poll");
	/* its own agency's change answers it, with that event first */
	struct ts_resp *r = call(PD_A, "POST", "/api/v1/requests", "{\"kind\":\"integrasi\",\"title\":\"Dinanti\"}");
	assert_status(r, 201);
	const char *id = fmt("%s", rstr(r, "id"));
	json_t *page = poll_join(&p);
	/* 30 s is the deadline; an answer with items came from the event, and the
	 * deadline's answer is empty (test_long_poll_deadline) */
	json_t *items = json_object_get(page, "items");
	ck_assert_msg(json_array_size(items) >= 1, "the long-poll answered empty after %lld ms", p.took_ms);
	ck_assert_str_eq(jstr(json_array_get(items, 0), "type"), "request.created");
	ck_assert_str_eq(jstr(json_array_get(items, 0), "subject"), id);
	ck_assert_str_ne(jstr(page, "next_cursor"), cursor);
	ck_assert_msg(metric("alurd_events_total{type=\"request.step_started\"}") >= 2, "step starts not counted");
}
END_TEST

START_TEST(test_long_poll_deadline_and_refusals)
{
	const char *cursor = feed_end(PD_A, AGENCY[0]);
	long long t0 = ts_now_ms();
	struct ts_resp *r = call(PD_A, "GET", fmt("/api/v1/events?after=%s&wait=1", cursor), NULL);
	long long took = ts_now_ms() - t0;
	assert_status(r, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 0);
	ck_assert_str_eq(jstr(r->json, "next_cursor"), cursor);
	ck_assert_msg(took >= 1000, "an empty long-poll of 1 s answered after %lld ms", took);
	/* wait=0 is an ordinary read */
	r = call(PD_A, "GET", fmt("/api/v1/events?after=%s&wait=0", cursor), NULL);
	assert_status(r, 200);
	ck_assert_str_eq(jstr(r->json, "next_cursor"), cursor);
	/* a page that has events answers at once, whatever wait says */
	r = call(KASI, "GET", "/api/v1/events?limit=1&wait=30", NULL);
	assert_status(r, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 1);
	static const char *const bad[] = {"31", "-1", "1.5", "abc", "", "100", "%205", "+5"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = call(KASI, "GET", fmt("/api/v1/events?wait=%s", bad[i]), NULL);
		ck_assert_msg(!strcmp(field_error_code(r, "wait"), "range"), "wait=%s: %ld %s", bad[i], r->status, r->body);
	}
}
END_TEST

/* True when page (a feed answer) holds an event of type about subject. */
static bool page_has(const struct ts_resp *r, const char *type, const char *subject)
{
	size_t i;
	json_t *ev;
	json_array_foreach(json_object_get(r->json, "items"), i, ev)
		if (!strcmp(jstr(ev, "type"), type) && !strcmp(jstr(ev, "subject"), subject))
			return true;
	return false;
}

/* after=now: the cursor of the feed's end at once, with no events: a client
 * starting to listen hears only what comes next, without paging through the
 * past. */
START_TEST(test_after_now)
{
	struct ts_resp *r = call(PD_A, "POST", "/api/v1/requests", "{\"kind\":\"integrasi\",\"title\":\"Sebelum\"}");
	assert_status(r, 201);
	char before[64], now[512], next[64]; /* fmt's buffers are reused in the loop */
	snprintf(before, sizeof before, "%s", rstr(r, "id"));
	feed_end(PD_A, AGENCY[0]); /* its events are in the feed */
	r = call(PD_A, "GET", "/api/v1/events?after=now", NULL);
	assert_status(r, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 0);
	snprintf(now, sizeof now, "%s", rstr(r, "next_cursor"));
	ck_assert_msg(*now && strcmp(now, "now") != 0, "after=now gave cursor '%s'", now);
	r = call(PD_A, "POST", "/api/v1/requests", "{\"kind\":\"integrasi\",\"title\":\"Sesudah\"}");
	assert_status(r, 201);
	snprintf(next, sizeof next, "%s", rstr(r, "id"));
	/* from that cursor: what came next, never what came before (bounded
	 * wait: the feed shows an event once older transactions finished) */
	bool seen = false;
	for (long long until = ts_now_ms() + 30000; !seen && ts_now_ms() < until;) {
		r = call(PD_A, "GET", fmt("/api/v1/events?limit=200&after=%s", now), NULL);
		assert_status(r, 200);
		ck_assert_msg(!page_has(r, "request.created", before), "after=now's cursor replays the past: %s", r->body);
		seen = page_has(r, "request.created", next);
		if (!seen)
			ts_nap_ms(100);
	}
	ck_assert_msg(seen, "the event after after=now's cursor never came");
	/* it answers at once: wait is refused with it; another agency gets a
	 * cursor too */
	ck_assert_str_eq(field_error_code(call(PD_A, "GET", "/api/v1/events?after=now&wait=5", NULL), "wait"),
			 "invalid");
	r = call(PD_B, "GET", "/api/v1/events?after=now", NULL);
	assert_status(r, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 0);
	ck_assert_str_ne(rstr(r, "next_cursor"), "");
}
END_TEST

/* Last: SIGTERM while a long-poll is parked. The parked request answers its
 * empty page at once and the stop is drained (this is the suite's clean stop). */
START_TEST(test_long_poll_answered_at_shutdown)
{
	struct poll p;
	double parked0;
	const char *cursor = park_one(&p, &parked0);
	tf_assert_clean_stop(g_d);
	tf_assert_drained(g_d);
	json_t *page = poll_join(&p);
	ck_assert_int_eq(json_array_size(json_object_get(page, "items")), 0);
	ck_assert_str_eq(jstr(page, "next_cursor"), cursor);
}
END_TEST

static Suite *events_suite(void)
{
	Suite *s = suite_create("events");
	TCase *tc = s47_tcase("events", up);
	tcase_add_test(tc, test_walk_matches_audit_one_to_one);
	tcase_add_test(tc, test_pause_resume_and_withdrawal);
	tcase_add_test(tc, test_rollback_leaves_neither);
	tcase_add_test(tc, test_agency_scope);
	tcase_add_test(tc, test_filters_and_refusals);
	tcase_add_test(tc, test_concurrent_writers_never_skipped);
	tcase_add_test(tc, test_retention_prunes_old_events);
	tcase_add_test(tc, test_long_poll_wakes_on_own_events_only);
	tcase_add_test(tc, test_long_poll_deadline_and_refusals);
	tcase_add_test(tc, test_after_now);
	tcase_add_test(tc, test_long_poll_answered_at_shutdown); /* the suite's clean stop */
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return s47_main(events_suite());
}
