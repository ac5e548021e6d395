/* sla.c — see sla.h. */
#include "db/sla.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/people.h"
#include "db/requests.h"

#define EPOCH(x) "floor(extract(epoch FROM " x "))::bigint"

static int64_t to_i64(const char *s)
{
	return s ? strtoll(s, NULL, 10) : 0;
}

static void fill_policy(struct db_policy_step *out, const char **c)
{
	out->step = atoi(c[0]);
	out->warn_after = c[1];
	out->due_after = c[2];
	out->clock = c[3];
	out->pause_on_pd = c[4][0] == 't';
}

DB_STMT(st_policy_current,
	"SELECT p.step, p.warn_after, p.due_after, p.clock, p.pause_on_pd, p.version, " EPOCH("now()") " FROM"
	" (SELECT 1) one LEFT JOIN sla_policies p ON p.version = (SELECT max(version) FROM sla_policies)"
	" AND p.step = $1::int");

bool db_policy_current_step(struct err *e, struct arena *a, int step, int *version, struct db_policy_step *out,
			    int64_t *now, bool *found)
{
	char s[8];
	snprintf(s, sizeof s, "%d", step);
	const char *p[] = {s};
	const char *c[7];
	bool row;
	if (!db_one(e, a, &st_policy_current, 1, p, 7, c, &row))
		return false;
	*now = to_i64(c[6]);
	*found = c[0] != NULL;
	if (*found) {
		fill_policy(out, c);
		*version = atoi(c[5]);
	}
	return true;
}

DB_STMT(st_policy_step, "SELECT step, warn_after, due_after, clock, pause_on_pd FROM sla_policies"
			" WHERE version = $1::int AND step = $2::int");

bool db_policy_step(struct err *e, struct arena *a, int version, int step, struct db_policy_step *out, bool *found)
{
	char v[16], s[8];
	snprintf(v, sizeof v, "%d", version);
	snprintf(s, sizeof s, "%d", step);
	const char *p[] = {v, s};
	const char *c[5];
	if (!db_one(e, a, &st_policy_step, 2, p, 5, c, found))
		return false;
	if (*found)
		fill_policy(out, c);
	return true;
}

DB_STMT(st_policy_json,
	"SELECT json_build_object('version', p.version, 'created_at', max(p.created_at), 'steps',"
	" json_agg(json_build_object('step', p.step, 'warn_after', p.warn_after, 'due_after', p.due_after,"
	"  'clock', p.clock, 'pause_on_pd', p.pause_on_pd) ORDER BY p.step))"
	" FROM sla_policies p WHERE p.version = coalesce($1::int, (SELECT max(version) FROM sla_policies))"
	" GROUP BY p.version");

bool db_policy_json(struct err *e, struct arena *a, int version, const char **json)
{
	bool found;
	char v[16];
	snprintf(v, sizeof v, "%d", version);
	const char *p[] = {version ? v : NULL};
	*json = NULL;
	return db_one(e, a, &st_policy_json, 1, p, 1, json, &found);
}

DB_STMT(st_policy_lock, "SELECT pg_advisory_xact_lock(7235938205810342)");
DB_STMT(st_policy_next, "SELECT coalesce(max(version), 0) + 1 FROM sla_policies");
DB_STMT(st_policy_insert,
	"INSERT INTO sla_policies (version, step, warn_after, due_after, clock, pause_on_pd, created_by)"
	" VALUES ($1::int, $2::int, $3, $4, $5, $6::bool, $7::uuid)");

bool db_policy_lock(struct err *e)
{
	return db_exec(e, &st_policy_lock, 0, NULL, NULL);
}

bool db_policy_publish(struct err *e, const struct db_policy_step *steps, size_t n, const char *actor, int *version)
{
	PGresult *r;
	if (!db_policy_lock(e) || !db_exec(e, &st_policy_next, 0, NULL, &r))
		return false;
	*version = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	char v[16];
	snprintf(v, sizeof v, "%d", *version);
	for (size_t i = 0; i < n; i++) {
		char s[8];
		snprintf(s, sizeof s, "%d", steps[i].step);
		const char *p[] = {v, s, steps[i].warn_after, steps[i].due_after, steps[i].clock,
				   steps[i].pause_on_pd ? "true" : "false", actor};
		if (!db_exec(e, &st_policy_insert, 7, p, NULL))
			return false;
	}
	return true;
}

DB_STMT(st_holiday_days, "SELECT (date - DATE '1970-01-01') FROM holidays ORDER BY date");

bool db_holiday_days(struct err *e, struct arena *a, int32_t **days, size_t *n)
{
	PGresult *r;
	if (!db_exec(e, &st_holiday_days, 0, NULL, &r))
		return false;
	*n = (size_t)PQntuples(r);
	*days = arena_alloc(a, sizeof **days * (*n + 1));
	for (size_t i = 0; i < *n; i++)
		(*days)[i] = (int32_t)atoi(PQgetvalue(r, (int)i, 0));
	PQclear(r);
	return true;
}

DB_STMT(st_holiday_list,
	"SELECT coalesce(json_agg(json_build_object('date', h.date, 'name', h.name, 'kind', h.kind) ORDER BY h.date),"
	" '[]') FROM holidays h WHERE ($1::date IS NULL OR h.date >= $1::date) AND ($2::date IS NULL OR h.date <= $2::date)");
DB_STMT(st_holiday_put,
	"INSERT INTO holidays AS h (date, name, kind, created_by) VALUES ($1::date, $2, $3, $4::uuid)"
	" ON CONFLICT (date) DO UPDATE SET name = excluded.name, kind = excluded.kind RETURNING (xmax = 0)");
DB_STMT(st_holiday_delete, "DELETE FROM holidays WHERE date = $1::date RETURNING 1");

bool db_holiday_list(struct err *e, struct arena *a, const char *from, const char *to, const char **json)
{
	const char *p[] = {from, to};
	bool found;
	return db_one(e, a, &st_holiday_list, 2, p, 1, json, &found);
}

bool db_holiday_put(struct err *e, const char *date, const char *name, const char *kind, const char *actor,
		    bool *created)
{
	const char *p[] = {date, name, kind, actor};
	PGresult *r;
	if (!db_exec(e, &st_holiday_put, 4, p, &r))
		return false;
	*created = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return true;
}

bool db_holiday_delete(struct err *e, const char *date, bool *found)
{
	PGresult *r;
	if (!db_exec(e, &st_holiday_delete, 1, &date, &r))
		return false;
	*found = PQntuples(r) > 0;
	PQclear(r);
	return true;
}

/* The gauge: the counter rows (migrations/0016), plus the open steps that
 * crossed a threshold the timer has not flagged yet, moved to the class the
 * flag will give them. Both crossing sets are range scans of the timer's
 * partial indexes: they cost the rows crossed since the last scan. */
DB_STMT(st_open_counts,
	"WITH due AS (SELECT step, warned_at IS NOT NULL AS warned FROM step_instances"
	"             WHERE completed_at IS NULL AND paused_since IS NULL AND breached_at IS NULL AND due_at < now()),"
	"     warn AS (SELECT step FROM step_instances"
	"              WHERE completed_at IS NULL AND paused_since IS NULL AND warned_at IS NULL AND warn_at <= now()"
	"                AND breached_at IS NULL AND NOT (due_at < now()))"
	" SELECT step, state, sum(n) FROM ("
	"   SELECT step, state, n FROM sla_open_counts"
	"   UNION ALL SELECT step, CASE WHEN warned THEN 1 ELSE 0 END, -1 FROM due"
	"   UNION ALL SELECT step, 2, 1 FROM due"
	"   UNION ALL SELECT step, 0, -1 FROM warn"
	"   UNION ALL SELECT step, 1, 1 FROM warn) x"
	" GROUP BY 1, 2");

bool db_sla_open_counts(struct err *e, long out[8][4])
{
	PGresult *r;
	memset(out, 0, sizeof(long) * 8 * 4);
	if (!db_exec(e, &st_open_counts, 0, NULL, &r))
		return false;
	for (int i = 0; i < PQntuples(r); i++) {
		int step = atoi(PQgetvalue(r, i, 0)), state = atoi(PQgetvalue(r, i, 1));
		if (step >= 1 && step <= 7 && state >= 0 && state < 4)
			out[step][state] = atol(PQgetvalue(r, i, 2));
	}
	PQclear(r);
	return true;
}

DB_STMT(st_fold_counts,
	"WITH gone AS (DELETE FROM sla_open_counts c WHERE c.shard <> 0"
	"              AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = c.shard)"
	"              RETURNING step, state, n)"
	" INSERT INTO sla_open_counts AS c (step, state, shard, n)"
	" SELECT step, state, 0, sum(n) FROM gone GROUP BY 1, 2 ORDER BY 1, 2"
	" ON CONFLICT (step, state, shard) DO UPDATE SET n = c.n + EXCLUDED.n");

bool db_sla_fold_counts(struct err *e)
{
	return db_exec(e, &st_fold_counts, 0, NULL, NULL);
}

/* Columns shared by the instance reads (see db_sla_request_steps). */
#define STEP_COLS                                                                                            \
	"s.step, " EPOCH("s.started_at") ", " EPOCH("s.warn_at") ", " EPOCH("s.due_at") ", "                  \
	EPOCH("s.completed_at") ", s.completed_by, s.closed_reason, " EPOCH("s.warned_at") ", "               \
	EPOCH("s.breached_at") ", " EPOCH("s.paused_since") ", p.warn_after, p.due_after, p.clock, p.pause_on_pd," \
	" (SELECT string_agg(" EPOCH("x.started_at") " || ':' || coalesce(" EPOCH("x.ended_at") "::text, '0'), ','" \
	"         ORDER BY x.started_at) FROM step_pauses x WHERE x.step_instance_id = s.id),"                    \
	" s.policy_version, " DB_PERSON("s.completed_by")

DB_STMT(st_request_steps,
	"SELECT " STEP_COLS ", " EPOCH("now()") " FROM step_instances s"
	" LEFT JOIN sla_policies p ON p.version = s.policy_version AND p.step = s.step"
	" WHERE s.request_id = $1::uuid ORDER BY s.step");

bool db_sla_request_steps(struct err *e, struct arena *a, const char *request_id, struct db_rows *out)
{
	return db_rows(e, a, &st_request_steps, 1, &request_id, out);
}

/* The Berita Acara's progress beside each history row (sent, signed by
 * the Kepala Dinas's side, signed by the PD's), for the delay attribution
 * inside `agreed` (core/sla.c sla_attribute_agreed). */
#define BA_PROGRESS_JOIN                                                                                       \
	" LEFT JOIN LATERAL (SELECT " EPOCH("b.sent_at") " AS sent,"                                              \
	"   (SELECT " EPOCH("g.signed_at") " FROM berita_acara_signatures g"                                   \
	"     WHERE g.berita_acara_id = b.id AND g.party = 'kominfos') AS kd,"                               \
	"   (SELECT " EPOCH("g.signed_at") " FROM berita_acara_signatures g"                                   \
	"     WHERE g.berita_acara_id = b.id AND g.party = 'perangkat_daerah') AS pd"                         \
	"   FROM berita_acara b WHERE b.request_id = h.request_id) ba ON true"

DB_STMT(st_request_history,
	"SELECT h.state, " EPOCH("h.entered_at") ", " EPOCH("h.left_at") ", " EPOCH("now()") ", ba.sent, ba.kd, ba.pd"
	" FROM state_history h" BA_PROGRESS_JOIN " WHERE h.request_id = $1::uuid ORDER BY h.entered_at, h.id");

bool db_sla_request_history(struct err *e, struct arena *a, const char *request_id, struct db_rows *out)
{
	return db_rows(e, a, &st_request_history, 1, &request_id, out);
}

DB_STMT_ADHOC(st_overdue,
	"SELECT " STEP_COLS ", " EPOCH("now()") ", s.id, s.due_at, r.id, r.agency_id, r.title, r.agenda_number, r.state,"
	" " DB_REQUEST_DESK("r") " FROM step_instances s JOIN requests r ON r.id = s.request_id"
	" LEFT JOIN sla_policies p ON p.version = s.policy_version AND p.step = s.step"
	" WHERE s.completed_at IS NULL AND s.breached_at IS NOT NULL AND s.paused_since IS NULL"
	"   AND s.due_at < now() - make_interval(secs => $6::bigint)"
	"   AND ($1::int = 0 OR s.step = $1::int) AND ($2::uuid IS NULL OR r.agency_id = $2::uuid)"
	"   AND ($3::timestamptz IS NULL OR (s.due_at, s.id) > ($3::timestamptz, $4::uuid))"
	" ORDER BY s.due_at, s.id LIMIT $5::int + 1");

bool db_sla_overdue(struct err *e, struct arena *a, int step, const char *agency_id, int64_t min_late,
		    const char *after_due, const char *after_id, int limit, struct db_rows *out)
{
	char s[8], lim[16], late[24];
	snprintf(s, sizeof s, "%d", step);
	snprintf(lim, sizeof lim, "%d", limit);
	snprintf(late, sizeof late, "%lld", (long long)min_late);
	const char *p[] = {s, agency_id, after_due, after_id, lim, late};
	return db_rows(e, a, &st_overdue, 6, p, out);
}

DB_STMT_ADHOC(st_period_steps,
	"SELECT " STEP_COLS ", " EPOCH("now()") ", r.agency_id FROM step_instances s"
	" JOIN requests r ON r.id = s.request_id"
	" JOIN sla_policies p ON p.version = s.policy_version AND p.step = s.step"
	" WHERE s.started_at >= ($1::date::timestamp AT TIME ZONE $3)"
	"   AND s.started_at < (($2::date + 1)::timestamp AT TIME ZONE $3)"
	"   AND ($4::uuid IS NULL OR r.agency_id = $4::uuid)"
	"   AND (s.closed_reason IS NULL OR s.closed_reason = 'completed')");

bool db_sla_period_steps(struct err *e, struct arena *a, const char *from, const char *to, const char *tz,
			 const char *agency_id, struct db_rows *out)
{
	const char *p[] = {from, to, tz, agency_id};
	return db_rows(e, a, &st_period_steps, 4, p, out);
}

DB_STMT_ADHOC(st_period_history,
	"SELECT h.request_id, h.state, " EPOCH("h.entered_at") ", " EPOCH("h.left_at") ", " EPOCH("now()")
	", r.agency_id, ba.sent, ba.kd, ba.pd FROM state_history h JOIN requests r ON r.id = h.request_id"
	BA_PROGRESS_JOIN
	" WHERE r.created_at >= ($1::date::timestamp AT TIME ZONE $3)"
	"   AND r.created_at < (($2::date + 1)::timestamp AT TIME ZONE $3)"
	"   AND ($4::uuid IS NULL OR r.agency_id = $4::uuid)"
	" ORDER BY h.request_id, h.entered_at");

bool db_sla_period_history(struct err *e, struct arena *a, const char *from, const char *to, const char *tz,
			   const char *agency_id, struct db_rows *out)
{
	const char *p[] = {from, to, tz, agency_id};
	return db_rows(e, a, &st_period_history, 4, p, out);
}

DB_STMT(st_open_steps,
	"SELECT " STEP_COLS ", " EPOCH("now()") ", s.id, s.policy_version FROM step_instances s"
	" JOIN sla_policies p ON p.version = s.policy_version AND p.step = s.step"
	" WHERE s.completed_at IS NULL AND ($1::uuid IS NULL OR s.id > $1::uuid)"
	" ORDER BY s.id LIMIT $2::int FOR UPDATE OF s");

bool db_sla_open_steps(struct err *e, struct arena *a, const char *after_id, int limit, struct db_rows *out)
{
	char lim[16];
	snprintf(lim, sizeof lim, "%d", limit);
	const char *p[] = {after_id, lim};
	return db_rows(e, a, &st_open_steps, 2, p, out);
}

/* ---- background recomputes --------------------------------------------------- */

#define RECOMPUTE_JSON                                                                                              \
	"json_build_object('id', c.id, 'cause', c.cause, 'state', c.state, 'steps_seen', c.steps_seen,"           \
	" 'steps_moved', c.steps_moved, 'requested_at', c.requested_at, 'started_at', c.started_at,"             \
	" 'finished_at', c.finished_at)"

DB_STMT(st_recompute_enqueue,
	"INSERT INTO calendar_recomputes AS c (cause, requested_by, requested_role, http_request_id)"
	" VALUES ($1, $2::uuid, $3, $4) RETURNING " RECOMPUTE_JSON);
DB_STMT(st_recompute_claim,
	"UPDATE calendar_recomputes SET state = 'running', started_at = coalesce(started_at, clock_timestamp())"
	" WHERE id = (SELECT id FROM calendar_recomputes WHERE state <> 'done'"
	"             ORDER BY requested_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)"
	" RETURNING id, after_id, steps_seen, steps_moved, cause, requested_by, requested_role, http_request_id");
DB_STMT(st_recompute_progress,
	"UPDATE calendar_recomputes SET after_id = $2::uuid, steps_seen = steps_seen + $3::int,"
	" steps_moved = steps_moved + $4::int,"
	" state = CASE WHEN $5::bool THEN 'done' ELSE 'running' END,"
	" finished_at = CASE WHEN $5::bool THEN clock_timestamp() END"
	" WHERE id = $1::uuid RETURNING steps_moved");
DB_STMT(st_recompute_recent,
	"SELECT coalesce(json_agg(" RECOMPUTE_JSON " ORDER BY c.requested_at DESC, c.id), '[]') FROM"
	" (SELECT * FROM calendar_recomputes ORDER BY requested_at DESC, id LIMIT 20) c");

bool db_recompute_enqueue(struct err *e, struct arena *a, const char *cause, const char *actor_id,
			  const char *actor_role, const char *http_request_id, const char **json)
{
	const char *p[] = {cause, actor_id, actor_role, http_request_id};
	bool found;
	return db_one(e, a, &st_recompute_enqueue, 4, p, 1, json, &found);
}

bool db_recompute_claim(struct err *e, struct arena *a, struct db_recompute *job, bool *found)
{
	const char *c[8];
	if (!db_one(e, a, &st_recompute_claim, 0, NULL, 8, c, found))
		return false;
	if (*found)
		*job = (struct db_recompute){c[0], c[1], atoi(c[2]), atoi(c[3]), c[4], c[5], c[6], c[7]};
	return true;
}

bool db_recompute_progress(struct err *e, const char *id, const char *after_id, int seen, int moved, bool done,
			   int *moved_total)
{
	char s_seen[16], s_moved[16];
	snprintf(s_seen, sizeof s_seen, "%d", seen);
	snprintf(s_moved, sizeof s_moved, "%d", moved);
	const char *p[] = {id, after_id, s_seen, s_moved, done ? "true" : "false"};
	PGresult *r;
	if (!db_exec(e, &st_recompute_progress, 5, p, &r))
		return false;
	*moved_total = PQntuples(r) ? atoi(PQgetvalue(r, 0, 0)) : 0;
	PQclear(r);
	return true;
}

bool db_recompute_recent(struct err *e, struct arena *a, const char **json)
{
	bool found;
	return db_one(e, a, &st_recompute_recent, 0, NULL, 1, json, &found);
}

DB_STMT(st_open_step,
	"SELECT " STEP_COLS ", " EPOCH("now()") ", s.id, s.policy_version FROM step_instances s"
	" JOIN sla_policies p ON p.version = s.policy_version AND p.step = s.step"
	" WHERE s.request_id = $1::uuid AND s.step = $2::int AND s.completed_at IS NULL FOR UPDATE OF s");

bool db_sla_open_step(struct err *e, struct arena *a, const char *request_id, int step, struct db_rows *out)
{
	char s[8];
	snprintf(s, sizeof s, "%d", step);
	const char *p[] = {request_id, s};
	return db_rows(e, a, &st_open_step, 2, p, out);
}
