/* test_dispositions.c — steps 2 and 3's dispositions: who may receive them,
 * the parent of a derived disposition, read receipts, and withdrawal of an
 * unread disposition by its author (the request goes back one step).
 *
 * One suite (`test_dispositions dispositions`; ctest api_dispositions).
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/api/world.h"

static const char *sql_value(const char *sql)
{
	static char out[8][4096];
	static int next;
	char *buf = out[next++ % 8];
	ck_assert_msg(ts_sql_value(g_db, sql, buf, sizeof out[0]), "SQL failed: %s", sql);
	return buf;
}

static void up(void)
{
	world_up("dispositions", NULL);
}

static const char *to_body(const char *recipients, const char *parent)
{
	return fmt("{\"to_user_ids\":[%s],\"instruction_kind\":\"tindak_lanjuti\",\"instruction\":\"Mohon diproses.\"%s}",
		   recipients, parent ? fmt(",\"parent_id\":\"%s\"", parent) : "");
}

static const char *q(enum who who)
{
	return fmt("\"%s\"", W[who].id);
}

static int dispositions_of(const char *request_id)
{
	return atoi(sql_value(fmt("SELECT count(*) FROM dispositions WHERE request_id = '%s'", request_id)));
}

/* The timeline's steps as "1:done,2:open" (done = completed_at set). */
static const char *steps_of(enum who who, const char *request_id)
{
	struct ts_resp *r = call(who, "GET", fmt("/api/v1/requests/%s/timeline", request_id), NULL);
	assert_status(r, 200);
	static char out[128];
	out[0] = '\0';
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(r->json, "steps"), i, s)
	{
		char part[16];
		snprintf(part, sizeof part, "%s%lld:%s", i ? "," : "", (long long)json_integer_value(json_object_get(s, "step")),
			 json_is_null(json_object_get(s, "completed_at")) ? "open" : "done");
		strcat(out, part);
	}
	return out;
}

static void assert_recipient_error(struct ts_resp *r, const char *code)
{
	assert_problem(r, 400, "request.invalid");
	ck_assert_msg(strcmp(field_error_code(r, "to_user_ids"), code) == 0, "to_user_ids error '%s', expected '%s': %s",
		      field_error_code(r, "to_user_ids"), code, r->body);
}

START_TEST(test_disposition_goes_to_a_kabid)
{
	struct uid id = request_at(PD_A, AT_AWAITING_DISPOSITION, "Penerima Disposisi", NULL, NULL);
	const char *p = fmt("/api/v1/requests/%s/dispositions", id.s);
	assert_recipient_error(call(KADIS, "POST", p, to_body(q(KASI), NULL)), "missing_lead");
	assert_recipient_error(call(KADIS, "POST", p, to_body(fmt("%s,%s", q(KASI), q(TIM)), NULL)), "missing_lead");
	assert_recipient_error(call(KADIS, "POST", p, to_body(fmt("%s,%s", q(KABID), q(PD_A)), NULL)), "role");
	assert_recipient_error(call(KADIS, "POST", p, to_body(fmt("%s,%s", q(KABID), q(AUDITOR)), NULL)), "role");
	assert_recipient_error(call(KADIS, "POST", p, to_body(fmt("%s,%s", q(KABID), q(KADIS2)), NULL)), "role");
	assert_recipient_error(call(KADIS, "POST", p, to_body("", NULL)), "invalid");
	assert_recipient_error(call(KADIS, "POST", p, to_body(fmt("%s,%s", q(KABID), q(KABID)), NULL)), "duplicate");
	assert_recipient_error(call(KADIS, "POST", p, to_body("\"kabid\"", NULL)), "invalid");
	assert_recipient_error(call(KADIS, "POST", p, to_body("42", NULL)), "invalid");
	/* a user id that does not exist, and a client id (not a user) */
	assert_recipient_error(call(KADIS, "POST", p, to_body("\"7d444840-9dc0-11d1-b245-5ffdce74fad2\"", NULL)),
			       "unknown");
	assert_recipient_error(call(KADIS, "POST", p, to_body(q(CLIENT_ALL), NULL)), "unknown");
	/* an inactive kabid */
	static struct actor retired = {"kabid.pensiun", "kabid_iai", -1, false, "", ""};
	world_add_user(&retired);
	assert_status(call(ADMIN, "PATCH", fmt("/api/v1/users/%s", retired.id), "{\"active\":false}"), 200);
	assert_recipient_error(call(KADIS, "POST", p, to_body(fmt("\"%s\"", retired.id), NULL)), "unknown");
	/* the other fields */
	struct ts_resp *r = call(KADIS, "POST", p,
				 fmt("{\"to_user_ids\":[%s],\"instruction_kind\":\"abaikan\",\"instruction\":\"\"}", q(KABID)));
	assert_problem(r, 400, "request.invalid");
	ck_assert(has_field_error(r, "instruction_kind") && has_field_error(r, "instruction"));
	r = call(KADIS, "POST", p, fmt("{\"to_user_ids\":[%s],\"instruction_kind\":\"pelajari\",\"instruction\":\"x\","
				       "\"deadline\":\"besok\"}",
				       q(KABID)));
	assert_problem(r, 400, "request.invalid");
	ck_assert_str_eq(field_error_code(r, "deadline"), "unknown_field");
	r = call(KADIS, "POST", p, "{\"instruction_kind\":\"pelajari\",\"instruction\":\"x\"}");
	assert_problem(r, 400, "request.invalid");
	ck_assert_str_eq(field_error_code(r, "to_user_ids"), "required");
	/* nothing was written */
	ck_assert_int_eq(dispositions_of(id.s), 0);
	ck_assert_str_eq(status_of(id.s), "awaiting_disposition");
	/* the Kabid with the field around him is fine */
	r = call(KADIS, "POST", p,
		 fmt("{\"to_user_ids\":[%s,%s,%s,%s],\"instruction_kind\":\"untuk_diketahui\",\"instruction\":\"Lihat.\"}",
		     q(SEKRETARIAT), q(KABID), q(KASI), q(TIM)));
	assert_status(r, 201);
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "to_user_ids")), 4);
	ck_assert_str_eq(status_of(id.s), "disposed");
}
END_TEST

START_TEST(test_derived_disposition_goes_to_a_kasi)
{
	struct uid d;
	struct uid id = request_at(PD_A, AT_DISPOSED, "Disposisi Turunan", &d, NULL);
	const char *p = fmt("/api/v1/requests/%s/dispositions", id.s);
	assert_recipient_error(call(KABID, "POST", p, to_body(q(TIM), d.s)), "missing_lead");
	assert_recipient_error(call(KABID, "POST", p, to_body(fmt("%s,%s", q(KASI), q(KABID2)), d.s)), "role");
	assert_recipient_error(call(KABID, "POST", p, to_body(fmt("%s,%s", q(KASI), q(SEKRETARIAT)), d.s)), "role");
	assert_recipient_error(call(KABID, "POST", p, to_body("\"7d444840-9dc0-11d1-b245-5ffdce74fad2\"", d.s)), "unknown");
	/* the parent: of this request, live, addressed to the caller */
	struct ts_resp *r = call(KABID, "POST", p, to_body(q(KASI), "7d444840-9dc0-11d1-b245-5ffdce74fad2"));
	assert_problem(r, 400, "request.invalid");
	ck_assert_str_eq(field_error_code(r, "parent_id"), "unknown");
	struct uid other_d;
	request_at(PD_B, AT_DISPOSED, "Permohonan Lain", &other_d, NULL);
	r = call(KABID, "POST", p, to_body(q(KASI), other_d.s));
	assert_problem(r, 400, "request.invalid");
	ck_assert_str_eq(field_error_code(r, "parent_id"), "unknown");
	r = call(KABID2, "POST", p, to_body(q(KASI), d.s));
	assert_problem(r, 400, "request.invalid");
	ck_assert_str_eq(field_error_code(r, "parent_id"), "not_recipient");
	r = call(KABID, "POST", p, to_body(q(KASI), "bukan-uuid"));
	assert_problem(r, 400, "request.invalid");
	ck_assert(has_field_error(r, "parent_id"));
	/* without a parent it is a second disposition, which the state refuses */
	assert_problem(call(KABID, "POST", p, to_body(q(KASI), NULL)), 409, "request.invalid_transition");
	/* the Kepala Dinas does not derive */
	assert_problem(call(KADIS, "POST", p, to_body(q(KASI), d.s)), 403, "request.role_not_allowed");
	ck_assert_int_eq(dispositions_of(id.s), 1);
	ck_assert_str_eq(status_of(id.s), "disposed");
	/* a derive before any disposition */
	struct uid early = request_at(PD_A, AT_AWAITING_DISPOSITION, "Terlalu Dini", NULL, NULL);
	assert_problem(call(KABID, "POST", fmt("/api/v1/requests/%s/dispositions", early.s), to_body(q(KASI), d.s)), 409,
		       "request.invalid_transition");
	/* the right one */
	r = call(KABID, "POST", p, to_body(fmt("%s,%s", q(TIM), q(KASI)), d.s));
	assert_status(r, 201);
	ck_assert_str_eq(status_of(id.s), "in_discussion");
	/* and not twice */
	assert_problem(call(KABID, "POST", p, to_body(q(KASI), d.s)), 409, "request.invalid_transition");
}
END_TEST

START_TEST(test_read_receipt_by_recipients_only)
{
	struct uid d;
	struct uid id = request_at(PD_A, AT_DISPOSED, "Tanda Terima", &d, NULL);
	const char *p = fmt("/api/v1/dispositions/%s/read", d.s);
	assert_problem(call(KASI, "POST", p, NULL), 403, "disposition.not_recipient");
	assert_problem(call(KABID2, "POST", p, NULL), 403, "disposition.not_recipient");
	assert_problem(call(KADIS, "POST", p, NULL), 403, "disposition.not_recipient");
	assert_problem(call(PD_A, "POST", p, NULL), 403, "auth.forbidden");
	assert_problem(call(AUDITOR, "POST", p, NULL), 403, "auth.forbidden");
	assert_problem(call(KABID, "POST", "/api/v1/dispositions/7d444840-9dc0-11d1-b245-5ffdce74fad2/read", NULL), 404,
		       "disposition.not_found");
	ck_assert_str_eq(sql_value(fmt("SELECT count(*) FROM disposition_recipients WHERE disposition_id = '%s'"
				       " AND read_at IS NOT NULL", d.s)),
			 "0");
	ck_assert_str_eq(sql_value(fmt("SELECT count(*) FROM audit_log WHERE record_id = '%s'"
				       " AND action = 'disposition.read'", d.s)),
			 "0");
	/* the recipient, and the receipt is in the tree and the trail */
	mark_read(KABID, d.s);
	mark_read(KABID, d.s);
	ck_assert_str_eq(sql_value(fmt("SELECT count(*) FROM audit_log WHERE record_id = '%s'"
				       " AND action = 'disposition.read'", d.s)),
			 "1");
	struct ts_resp *r = call(KADIS, "GET", fmt("/api/v1/requests/%s/dispositions", id.s), NULL);
	assert_status(r, 200);
	json_t *root = json_array_get(json_object_get(r->json, "items"), 0);
	ck_assert_msg(json_is_string(json_object_get(root, "read_at")), "read_at: %s", r->body);
	/* who reads the chain: staff and the auditor, not the pd */
	assert_status(call(AUDITOR, "GET", fmt("/api/v1/requests/%s/dispositions", id.s), NULL), 200);
	assert_problem(call(PD_A, "GET", fmt("/api/v1/requests/%s/dispositions", id.s), NULL), 403, "auth.forbidden");
	assert_problem(call(KADIS, "GET", "/api/v1/requests/7d444840-9dc0-11d1-b245-5ffdce74fad2/dispositions", NULL),
		       404, "request.not_found");
}
END_TEST

START_TEST(test_withdraw_unread_disposition)
{
	struct uid d;
	struct uid id = request_at(PD_A, AT_DISPOSED, "Disposisi Ditarik", &d, NULL);
	ck_assert_str_eq(steps_of(PD_A, id.s), "1:done,2:done,3:open");
	const char *p = fmt("/api/v1/dispositions/%s/withdraw", d.s);
	/* not by anyone else */
	assert_problem(call(KADIS2, "POST", p, NULL), 403, "disposition.not_author");
	assert_problem(call(KABID, "POST", p, NULL), 403, "disposition.not_author");
	assert_problem(call(KASI, "POST", p, NULL), 403, "auth.forbidden");
	assert_problem(call(PD_A, "POST", p, NULL), 403, "auth.forbidden");
	ck_assert_str_eq(status_of(id.s), "disposed");
	/* by its author */
	struct ts_resp *r = callh(KADIS, "POST", p, NULL, "X-Request-Id: tarik-disposisi", NULL);
	assert_status(r, 200);
	ck_assert_str_eq(jstr(r, "id"), d.s);
	ck_assert_msg(*jstr(r, "withdrawn_at"), "withdrawn_at not set: %s", r->body);
	struct ts_resp *g = call(PD_A, "GET", fmt("/api/v1/requests/%s", id.s), NULL);
	ck_assert_str_eq(jstr(g, "status"), "awaiting_disposition");
	ck_assert_int_eq(jint(g, "current_step"), 2);
	/* step 3's instance is gone and step 2 runs again */
	ck_assert_str_eq(steps_of(PD_A, id.s), "1:done,2:open");
	ck_assert_str_eq(sql_value(fmt("SELECT count(*) FROM step_instances WHERE request_id = '%s' AND step = 3", id.s)),
			 "0");
	struct ts_resp *a = call(AUDITOR, "GET", fmt("/api/v1/requests/%s/audit", id.s), NULL);
	json_t *items = json_object_get(a->json, "items");
	json_t *last = json_array_get(items, json_array_size(items) - 1);
	ck_assert_str_eq(json_string_value(json_object_get(last, "action")), "request.undo_dispose");
	ck_assert_str_eq(json_string_value(json_object_get(last, "http_request_id")), "tarik-disposisi");
	ck_assert_str_eq(json_string_value(json_object_get(last, "actor_role")), "kepala_dinas");
	/* twice: 409 */
	assert_problem(call(KADIS, "POST", p, NULL), 409, "disposition.withdrawn");
	/* the withdrawn one cannot be followed up, and the kabid cannot read it into life */
	assert_problem(call(KABID, "POST", fmt("/api/v1/requests/%s/dispositions", id.s), to_body(q(KASI), d.s)), 409,
		       "request.invalid_transition");
	/* the Kepala Dinas disposes again: step 2 done again, step 3 anew */
	struct uid d2 = dispose(id.s);
	ck_assert_str_ne(d2.s, d.s);
	ck_assert_str_eq(steps_of(PD_A, id.s), "1:done,2:done,3:open");
	/* a withdrawn parent is refused as such */
	struct ts_resp *x = call(KABID, "POST", fmt("/api/v1/requests/%s/dispositions", id.s), to_body(q(KASI), d.s));
	assert_problem(x, 400, "request.invalid");
	ck_assert_str_eq(field_error_code(x, "parent_id"), "unknown");
	/* the tree keeps the withdrawn one, marked */
	struct ts_resp *t = call(KADIS, "GET", fmt("/api/v1/requests/%s/dispositions", id.s), NULL);
	json_t *roots = json_object_get(t->json, "items");
	ck_assert_int_eq(json_array_size(roots), 2);
	ck_assert_msg(json_is_string(json_object_get(json_array_get(roots, 0), "withdrawn_at")), "%s", t->body);
	ck_assert_msg(json_is_null(json_object_get(json_array_get(roots, 1), "withdrawn_at")), "%s", t->body);
}
END_TEST

START_TEST(test_withdraw_after_read_or_follow_up)
{
	/* read */
	struct uid d;
	struct uid id = request_at(PD_A, AT_DISPOSED, "Sudah Dibaca", &d, NULL);
	mark_read(KABID, d.s);
	assert_problem(call(KADIS, "POST", fmt("/api/v1/dispositions/%s/withdraw", d.s), NULL), 409,
		       "disposition.already_read");
	ck_assert_str_eq(status_of(id.s), "disposed");
	/* followed up without a read receipt */
	struct uid d2;
	struct uid id2 = request_at(PD_A, AT_DISPOSED, "Sudah Diturunkan", &d2, NULL);
	derive(id2.s, d2.s);
	assert_problem(call(KADIS, "POST", fmt("/api/v1/dispositions/%s/withdraw", d2.s), NULL), 409,
		       "disposition.already_read");
	ck_assert_str_eq(status_of(id2.s), "in_discussion");
	/* read by one of several recipients is read */
	struct uid id3 = request_at(PD_A, AT_AWAITING_DISPOSITION, "Dibaca Sebagian", NULL, NULL);
	struct ts_resp *r = call(KADIS, "POST", fmt("/api/v1/requests/%s/dispositions", id3.s),
				 to_body(fmt("%s,%s", q(KABID), q(TIM)), NULL));
	assert_status(r, 201);
	const char *d3 = fmt("%s", jstr(r, "id"));
	mark_read(TIM, d3);
	assert_problem(call(KADIS, "POST", fmt("/api/v1/dispositions/%s/withdraw", d3), NULL), 409,
		       "disposition.already_read");
}
END_TEST

START_TEST(test_withdraw_unread_derived_disposition)
{
	struct uid d, k;
	struct uid id = request_at(PD_A, AT_IN_DISCUSSION, "Turunan Ditarik", &d, &k);
	ck_assert_str_eq(steps_of(KABID, id.s), "1:done,2:done,3:done,4:open");
	assert_problem(call(KADIS, "POST", fmt("/api/v1/dispositions/%s/withdraw", k.s), NULL), 403,
		       "disposition.not_author");
	struct ts_resp *r = call(KABID, "POST", fmt("/api/v1/dispositions/%s/withdraw", k.s), NULL);
	assert_status(r, 200);
	struct ts_resp *g = call(KABID, "GET", fmt("/api/v1/requests/%s", id.s), NULL);
	ck_assert_str_eq(jstr(g, "status"), "disposed");
	ck_assert_int_eq(jint(g, "current_step"), 3);
	ck_assert_str_eq(steps_of(KABID, id.s), "1:done,2:done,3:open");
	/* the Kabid follows the disposition up again; once read, it stays */
	struct uid k2 = derive(id.s, d.s);
	ck_assert_str_eq(steps_of(KABID, id.s), "1:done,2:done,3:done,4:open");
	mark_read(KASI, k2.s);
	assert_problem(call(KABID, "POST", fmt("/api/v1/dispositions/%s/withdraw", k2.s), NULL), 409,
		       "disposition.already_read");
}
END_TEST

START_TEST(test_withdraw_on_a_closed_request)
{
	struct uid d;
	struct uid id = request_at(PD_A, AT_DISPOSED, "Ditarik PD", &d, NULL);
	assert_status(call(PD_A, "POST", fmt("/api/v1/requests/%s/withdraw", id.s), NULL), 200);
	assert_problem(call(KADIS, "POST", fmt("/api/v1/dispositions/%s/withdraw", d.s), NULL), 409, "request.closed");
	ck_assert_str_eq(sql_value(fmt("SELECT count(*) FROM dispositions WHERE id = '%s' AND withdrawn_at IS NULL", d.s)),
			 "1");
	ck_assert_str_eq(status_of(id.s), "withdrawn");
}
END_TEST

START_TEST(test_every_recipients_receipt_is_audited)
{
	/* a disposition to the Kabid and the Tim: each reading is its own
	 * state change (its own read_at), so each is in the audit trail */
	struct uid id = request_at(PD_A, AT_AWAITING_DISPOSITION, "Dua Penerima", NULL, NULL);
	struct ts_resp *r = call(KADIS, "POST", fmt("/api/v1/requests/%s/dispositions", id.s),
				 to_body(fmt("%s,%s", q(KABID), q(TIM)), NULL));
	assert_status(r, 201);
	const char *d = fmt("%s", jstr(r, "id"));
	mark_read(TIM, d);
	mark_read(KABID, d);
	ck_assert_str_eq(sql_value(fmt("SELECT count(*) FROM disposition_recipients WHERE disposition_id = '%s'"
				       " AND read_at IS NOT NULL", d)),
			 "2");
	const char *who = sql_value(fmt("SELECT coalesce(string_agg(actor_role, ',' ORDER BY id), '') FROM audit_log"
					" WHERE record_id = '%s' AND action = 'disposition.read'",
					d));
	ck_assert_msg(strcmp(who, "tim_spbe,kabid_iai") == 0,
		      "disposition.read rows by [%s], expected one per reader [tim_spbe,kabid_iai]", who);
}
END_TEST

struct race {
	enum who who;
	const char *path;
	long status;
};

static pthread_barrier_t g_barrier;

static void *race_one(void *arg)
{
	struct race *x = arg;
	char auth[2200];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", W[x->who].token);
	const char *h[] = {auth, NULL};
	pthread_barrier_wait(&g_barrier);
	x->status = ts_http(g_d, "POST", x->path, h, NULL, 0)->status;
	return NULL;
}

START_TEST(test_withdrawn_disposition_takes_no_receipt)
{
	/* once withdrawn, a disposition is addressed to no one: a receipt for it
	 * would record the Kabid acting on an instruction that no longer exists */
	struct uid d;
	struct uid id = request_at(PD_A, AT_DISPOSED, "Ditarik Lalu Dibaca", &d, NULL);
	assert_status(call(KADIS, "POST", fmt("/api/v1/dispositions/%s/withdraw", d.s), NULL), 200);
	struct ts_resp *r = call(KABID, "POST", fmt("/api/v1/dispositions/%s/read", d.s), NULL);
	assert_problem(r, 409, "disposition.withdrawn");
	ck_assert_str_eq(sql_value(fmt("SELECT count(*) FROM disposition_recipients WHERE disposition_id = '%s'"
				       " AND read_at IS NOT NULL", d.s)),
			 "0");
	ck_assert_str_eq(status_of(id.s), "awaiting_disposition");
}
END_TEST


/* Many HTTP clients send {} for an action without input: the receipt and
 * the withdrawal take it as they take no body; a member is still refused. */
START_TEST(test_empty_object_as_no_body)
{
	struct uid d;
	struct uid id = request_at(PD_A, AT_DISPOSED, "Badan Kosong", &d, NULL);
	const char *read = fmt("/api/v1/dispositions/%s/read", d.s), *withdraw = fmt("/api/v1/dispositions/%s/withdraw", d.s);
	struct ts_resp *r = call(KADIS, "POST", withdraw, "{\"now\":true}");
	assert_problem(r, 400, "request.invalid");
	ck_assert_str_eq(field_error_code(r, "now"), "unknown_field");
	assert_status(call(KADIS, "POST", withdraw, "{}"), 200);
	ck_assert_str_eq(status_of(id.s), "awaiting_disposition");
	struct uid d2 = dispose(id.s);
	read = fmt("/api/v1/dispositions/%s/read", d2.s);
	assert_problem(call(KABID, "POST", read, "{\"x\":1}"), 400, "request.invalid");
	r = call(KABID, "POST", read, "{}");
	assert_status(r, 200);
	ck_assert_msg(*jstr(r, "id"), "%s", r->body);
	assert_status(call(KABID, "POST", read, NULL), 200);
}
END_TEST

/* A step that runs again gets the deadlines of the holidays in force, from
 * its first start (the case, against an independent calculation):
 * policy PT8H9M43S on working_time; step 2 started Mon 2027-06-21 16:00:01
 * WITA (after closing) and was completed by the disposition; 2027-06-22..25
 * became holidays while it was closed; the disposition is withdrawn. Due:
 * Mon 06-28 08:00 + 8 h, then 9 min 43 s on Tue 06-29 = 08:09:43 WITA, not
 * the Wed 06-23 08:09:43 computed before the holidays. */
START_TEST(test_reopened_step_gets_todays_holidays)
{
	assert_status(call(ADMIN, "PUT", "/api/v1/sla/policy",
			   "{\"steps\":[{\"step\":2,\"warn_after\":\"PT1H\",\"due_after\":\"PT8H9M43S\","
			   "\"clock\":\"working_time\"}]}"),
		      200);
	struct uid id = request_at(PD_A, AT_AWAITING_DISPOSITION, "Libur Saat Ditutup", NULL, NULL);
	/* its start as the issue saw it, with the deadlines computed then (no holidays) */
	sql_value(fmt("UPDATE step_instances SET started_at = '2027-06-21 16:00:01+08',"
		      " warn_at = '2027-06-22 09:00:00+08', due_at = '2027-06-23 08:09:43+08'"
		      " WHERE request_id = '%s' AND step = 2 RETURNING 1", id.s));
	struct uid d = dispose(id.s);
	assert_status(call(ADMIN, "POST", "/api/v1/calendar/holidays",
			   "{\"holidays\":[{\"date\":\"2027-06-22\",\"name\":\"Libur A\"},{\"date\":\"2027-06-23\",\"name\":\"Libur B\"},"
			   "{\"date\":\"2027-06-24\",\"name\":\"Libur C\"},{\"date\":\"2027-06-25\",\"name\":\"Libur D\"}]}"),
		      201);
	/* step 2 was closed then: the holiday change left it alone */
	ck_assert_str_eq(sql_value(fmt("SELECT due_at AT TIME ZONE 'Asia/Makassar' FROM step_instances"
				       " WHERE request_id = '%s' AND step = 2", id.s)),
			 "2027-06-23 08:09:43");
	assert_status(call(KADIS, "POST", fmt("/api/v1/dispositions/%s/withdraw", d.s), NULL), 200);
	struct ts_resp *t = call(KADIS, "GET", fmt("/api/v1/requests/%s/timeline", id.s), NULL);
	assert_status(t, 200);
	json_t *step2 = json_array_get(json_object_get(t->json, "steps"), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(step2, "step")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(step2, "due_at")), "2027-06-29T00:09:43Z");
	ck_assert_str_eq(json_string_value(json_object_get(step2, "warn_at")), "2027-06-28T01:00:00Z");
	/* the clock counts from its first start */
	ck_assert_str_eq(json_string_value(json_object_get(step2, "started_at")), "2027-06-21T08:00:01Z");
	ck_assert(json_is_null(json_object_get(step2, "completed_at")));
	/* the rest of the suite runs on the SOP's calendar and policy */
	for (int day = 22; day <= 25; day++)
		assert_status(call(ADMIN, "DELETE", fmt("/api/v1/calendar/holidays/2027-06-%d", day), NULL), 204);
	assert_status(call(ADMIN, "PUT", "/api/v1/sla/policy",
			   "{\"steps\":[{\"step\":2,\"warn_after\":\"PT1H\",\"due_after\":\"PT2H\",\"clock\":\"working_time\"}]}"),
		      200);
}
END_TEST

START_TEST(test_read_and_withdraw_at_once)
{
	/* the Kabid reads while the Kepala Dinas withdraws: one of them wins.
	 * Either the read is first (the withdrawal is 409) or the withdrawal is
	 * (the read is refused); never both, never a withdrawn disposition with
	 * a read receipt. */
	int both = 0;
	for (int round = 0; round < 12; round++) {
		struct uid d;
		struct uid id = request_at(PD_A, AT_DISPOSED, fmt("Balapan Baca %d", round), &d, NULL);
		static char read_path[128], withdraw_path[128];
		snprintf(read_path, sizeof read_path, "/api/v1/dispositions/%s/read", d.s);
		snprintf(withdraw_path, sizeof withdraw_path, "/api/v1/dispositions/%s/withdraw", d.s);
		struct race x[2] = {{KABID, read_path, 0}, {KADIS, withdraw_path, 0}};
		pthread_t th[2];
		ck_assert_int_eq(pthread_barrier_init(&g_barrier, NULL, 2), 0);
		for (int i = 0; i < 2; i++)
			ck_assert_int_eq(pthread_create(&th[i], NULL, race_one, &x[i]), 0);
		for (int i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&g_barrier);
		ck_assert_msg(x[0].status == 200 || x[0].status == 409, "read: %ld", x[0].status);
		ck_assert_msg(x[1].status == 200 || x[1].status == 409, "withdraw: %ld", x[1].status);
		const char *read_and_withdrawn =
			sql_value(fmt("SELECT count(*) FROM dispositions d JOIN disposition_recipients x"
				      " ON x.disposition_id = d.id WHERE d.id = '%s' AND d.withdrawn_at IS NOT NULL"
				      " AND x.read_at IS NOT NULL",
				      d.s));
		if ((x[0].status == 200 && x[1].status == 200) || strcmp(read_and_withdrawn, "0") != 0) {
			both++;
			fprintf(stderr, "round %d: read %ld and withdraw %ld both succeeded on disposition %s (request %s now %s)\n",
				round, x[0].status, x[1].status, d.s, id.s, status_of(id.s));
		}
	}
	ck_assert_msg(both == 0, "%d of 12 rounds ended with a disposition both read and withdrawn", both);
}
END_TEST

static Suite *dispositions_suite(void)
{
	Suite *s = suite_create("dispositions");
	TCase *tc = world_tcase("dispositions", up);
	tcase_add_test(tc, test_disposition_goes_to_a_kabid);
	tcase_add_test(tc, test_derived_disposition_goes_to_a_kasi);
	tcase_add_test(tc, test_read_receipt_by_recipients_only);
	tcase_add_test(tc, test_withdraw_unread_disposition);
	tcase_add_test(tc, test_withdraw_after_read_or_follow_up);
	tcase_add_test(tc, test_withdraw_unread_derived_disposition);
	tcase_add_test(tc, test_withdraw_on_a_closed_request);
	tcase_add_test(tc, test_every_recipients_receipt_is_audited);
	tcase_add_test(tc, test_withdrawn_disposition_takes_no_receipt);
	tcase_add_test(tc, test_read_and_withdraw_at_once);
	tcase_add_test(tc, test_empty_object_as_no_body);
	tcase_add_test(tc, test_reopened_step_gets_todays_holidays);
	world_add_clean_stop(tc);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	static Suite *(*const suites[])(void) = {dispositions_suite, NULL};
	return world_main(argc, argv, suites);
}
