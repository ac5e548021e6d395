/* steps.c — see steps.h. Each transition CTE is guarded by its parameter
 * ("$n > 0 AND ..."), so one prepared statement serves every row of the
 * state machine; a guard that is false costs an index probe at most. */
#include "db/steps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/events.h"

#define EPOCH(x) "floor(extract(epoch FROM " x "))::bigint"

static int64_t to_i64(const char *s)
{
	return s ? strtoll(s, NULL, 10) : 0;
}

static const char *int_param(char *buf, size_t n, int v)
{
	snprintf(buf, n, "%d", v);
	return buf;
}

/* NULL for 0 (no deadline), else the decimal epoch for to_timestamp($n). */
static const char *epoch_param(char *buf, size_t n, int64_t t)
{
	if (t == 0)
		return NULL;
	snprintf(buf, n, "%lld", (long long)t);
	return buf;
}

DB_STMT(st_context,
	"SELECT " EPOCH("now()") ","
	" CASE WHEN $4::bool THEN (SELECT string_agg((h.date - DATE '1970-01-01')::text, ',' ORDER BY h.date)"
	"  FROM holidays h) END,"
	" p.version, p.warn_after, p.due_after, p.clock, p.pause_on_pd,"
	" s.id, " EPOCH("s.warn_at") ", " EPOCH("s.due_at") ", " EPOCH("s.paused_since") ","
	" q.warn_after, q.due_after, q.clock, q.pause_on_pd"
	" FROM (SELECT 1) one"
	" LEFT JOIN sla_policies p ON $2::int > 0 AND p.step = $2::int"
	"       AND p.version = (SELECT max(version) FROM sla_policies)"
	" LEFT JOIN step_instances s ON $3::int > 0 AND s.request_id = $1::uuid AND s.step = $3::int"
	"       AND s.paused_since IS NOT NULL AND s.completed_at IS NULL"
	" LEFT JOIN sla_policies q ON q.version = s.policy_version AND q.step = s.step");

static void policy_of(struct db_policy_step *p, int step, const char *const *c)
{
	p->step = step;
	p->warn_after = c[0];
	p->due_after = c[1];
	p->clock = c[2];
	p->pause_on_pd = c[3] && c[3][0] == 't';
}

bool db_lifecycle_context(struct err *e, struct arena *a, const char *request_id, int start_step, int resume_step,
			  bool with_holidays, struct db_lifecycle_context *out)
{
	char s1[12], s2[12];
	const char *p[] = {request_id, int_param(s1, sizeof s1, start_step), int_param(s2, sizeof s2, resume_step),
			   with_holidays ? "true" : "false"};
	const char *c[15];
	bool found;
	memset(out, 0, sizeof *out);
	if (!db_one(e, a, &st_context, 4, p, 15, c, &found))
		return false;
	out->now = to_i64(c[0]);
	const char *h = c[1] ? c[1] : "";
	size_t cap = *h ? 1 : 0;
	for (const char *x = h; *x; x++)
		cap += *x == ',';
	out->holidays = arena_alloc(a, sizeof *out->holidays * (cap + 1));
	for (const char *x = h; *x;) {
		char *end;
		out->holidays[out->nholidays++] = (int32_t)strtol(x, &end, 10);
		x = *end == ',' ? end + 1 : end;
	}
	out->start_found = c[2] != NULL;
	if (out->start_found) {
		out->start_version = atoi(c[2]);
		policy_of(&out->start_policy, start_step, c + 3);
	}
	out->paused_found = c[7] != NULL;
	if (out->paused_found) {
		out->paused_warn_at = to_i64(c[8]);
		out->paused_due_at = to_i64(c[9]);
		out->paused_since = to_i64(c[10]);
		out->paused_policy_found = c[11] != NULL;
		if (out->paused_policy_found)
			policy_of(&out->paused_policy, resume_step, c + 11);
	}
	return true;
}

/* The whole transition; see steps.h for the order of its parts. One
 * statement is the point, so its text is longer than the 4095 characters
 * ISO C requires compilers to accept (GCC and Clang take any length). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverlength-strings"
DB_STMT(st_apply,
	"WITH done AS (UPDATE step_instances SET completed_at = now(), completed_by = $2::uuid,"
	"                closed_reason = 'completed'"
	"              WHERE $10::int > 0 AND request_id = $1::uuid AND step = $10::int AND completed_at IS NULL),"
	" closed AS (UPDATE step_instances SET completed_at = now(), completed_by = $2::uuid, closed_reason = $11,"
	"              paused_since = NULL"
	"            WHERE $11::text IS NOT NULL AND request_id = $1::uuid AND completed_at IS NULL RETURNING id),"
	" closed_pause AS (UPDATE step_pauses SET ended_at = now()"
	"                  WHERE ended_at IS NULL AND step_instance_id IN (SELECT id FROM closed)),"
	" started AS (INSERT INTO step_instances (request_id, step, started_at, policy_version, warn_at, due_at)"
	"             SELECT $1::uuid, $12::int, now(), $13::int, to_timestamp($14::bigint), to_timestamp($15::bigint)"
	"             WHERE $12::int > 0 RETURNING policy_version, warn_at, due_at),"
	" gone AS (DELETE FROM step_instances WHERE $16::int > 0 AND request_id = $1::uuid AND step = $16::int + 1),"
	" reopened AS (UPDATE step_instances SET completed_at = NULL, completed_by = NULL, closed_reason = NULL"
	"              WHERE $16::int > 0 AND request_id = $1::uuid AND step = $16::int),"
	" paused AS (UPDATE step_instances s SET paused_since = now()"
	"            WHERE $17::int > 0 AND s.request_id = $1::uuid AND s.step = $17::int AND s.completed_at IS NULL"
	"              AND s.paused_since IS NULL AND EXISTS (SELECT 1 FROM sla_policies p"
	"                WHERE p.version = s.policy_version AND p.step = s.step AND p.pause_on_pd)"
	"            RETURNING s.id),"
	" pause_row AS (INSERT INTO step_pauses (step_instance_id, started_at) SELECT id, now() FROM paused),"
	" resumed AS (UPDATE step_instances SET paused_since = NULL, warn_at = to_timestamp($19::bigint),"
	"               due_at = to_timestamp($20::bigint)"
	"             WHERE $18::int > 0 AND request_id = $1::uuid AND step = $18::int AND paused_since IS NOT NULL"
	"               AND completed_at IS NULL RETURNING id, warn_at, due_at),"
	" resume_row AS (UPDATE step_pauses SET ended_at = now()"
	"                WHERE ended_at IS NULL AND step_instance_id IN (SELECT id FROM resumed)),"
	" left_state AS (UPDATE state_history SET left_at = now() WHERE request_id = $1::uuid AND left_at IS NULL),"
	" entered AS (INSERT INTO state_history (request_id, state, entered_at) VALUES ($1::uuid, $5, now())),"
	" moved AS (UPDATE requests AS r SET state = $5, current_step = $6::int,"
	"             agenda_number = coalesce($7, r.agenda_number), closing_reason = coalesce($8, r.closing_reason),"
	"             submitted_at = CASE WHEN $9::bool THEN now() ELSE r.submitted_at END,"
	"             version = r.version + 1, updated_by = $2::uuid, updated_at = now()"
	"           WHERE r.id = $1::uuid"
	"           RETURNING r.id, r.state, r.agency_id, r.client_id, r.version, r.current_step, " DB_REQUEST_JSON("r")
	"             AS doc, " DB_REQUEST_DESK("r") " AS desk, r.status, r.phase, r.eoffice_ref),"
	" au AS (INSERT INTO audit_log (actor_id, actor_role, action, record_type, record_id, request_id,"
	"                               http_request_id, before, after)"
	"        SELECT $2::uuid, $3, $21, 'request', m.id::text, m.id, $4, $22::jsonb,"
	"               jsonb_build_object('state', m.state, 'version', m.version, 'current_step', m.current_step)"
	"               || coalesce($23::jsonb, '{}') FROM moved m),"
	" ev AS (INSERT INTO events (type, request_id, agency_id, data)"
	"        SELECT x.type, m.id, m.agency_id, " DB_EVENT_DATA("m", "$2::uuid", "$3::text") " || x.data"
	"        FROM moved m CROSS JOIN LATERAL ("
	"          SELECT 1 AS ord, $24::text AS type, coalesce($25::jsonb, '{}') AS data WHERE $24::text IS NOT NULL"
	"          UNION ALL SELECT 2, 'request.step_started', jsonb_build_object('policy_version', s.policy_version,"
	"                           'warn_at', s.warn_at, 'due_at', s.due_at) FROM started s"
	"          UNION ALL SELECT 3, 'request.paused', '{}'::jsonb FROM paused"
	"          UNION ALL SELECT 4, 'request.resumed', jsonb_build_object('warn_at', s.warn_at, 'due_at', s.due_at)"
	"                    FROM resumed s"
	"          UNION ALL SELECT 5, 'request.completed', '{}'::jsonb WHERE m.state = 'completed') x"
	"        ORDER BY x.ord)"
	" SELECT id, state, agency_id, client_id, version, current_step, doc, desk FROM moved");
#pragma GCC diagnostic pop

bool db_lifecycle_apply(struct err *e, struct arena *a, const struct db_transition *t, const struct db_actor *actor,
			struct db_request *out)
{
	char step[12], done[12], start[12], ver[12], sw[24], sd[24], reopen[12], pause[12], resume[12], rw[24], rd[24];
	const char *p[] = {t->request_id,
			   actor->id,
			   actor->role,
			   actor->http_request_id,
			   t->state,
			   int_param(step, sizeof step, t->current_step),
			   t->agenda_number,
			   t->closing_reason,
			   t->submitted ? "true" : "false",
			   int_param(done, sizeof done, t->completes_step),
			   t->close_reason,
			   int_param(start, sizeof start, t->starts_step),
			   t->start_version ? int_param(ver, sizeof ver, t->start_version) : NULL,
			   epoch_param(sw, sizeof sw, t->start_warn_at),
			   epoch_param(sd, sizeof sd, t->start_due_at),
			   int_param(reopen, sizeof reopen, t->reopens_step),
			   int_param(pause, sizeof pause, t->pause_step),
			   int_param(resume, sizeof resume, t->resume_step),
			   epoch_param(rw, sizeof rw, t->resume_warn_at),
			   epoch_param(rd, sizeof rd, t->resume_due_at),
			   t->audit_action,
			   t->audit_before,
			   t->audit_extra,
			   t->event_type,
			   t->event_data};
	const char *c[DB_REQUEST_NCOLS];
	bool found;
	if (!db_one(e, a, &st_apply, 25, p, DB_REQUEST_NCOLS, c, &found))
		return false;
	if (!found)
		return err_set(e, ERR_INTERNAL, "internal", "The request to move is gone.");
	db_request_fill(out, c);
	return true;
}

DB_STMT(st_create,
	"WITH r AS (INSERT INTO requests AS r (kind, title, description, channel, letter_number, letter_date,"
	"           eoffice_ref, agency_id, client_id, state, current_step, created_by, updated_by)"
	"           VALUES ($1, $2, coalesce($3, ''), $4, $5, $6::date, $7, $8::uuid, $9::uuid, 'draft', 1, $10::uuid,"
	"                   $10::uuid) RETURNING *),"
	" s AS (INSERT INTO step_instances (request_id, step, started_at) SELECT id, 1, now() FROM r"
	"       RETURNING policy_version, warn_at, due_at),"
	" h AS (INSERT INTO state_history (request_id, state, entered_at) SELECT id, 'draft', now() FROM r),"
	" au AS (INSERT INTO audit_log (actor_id, actor_role, action, record_type, record_id, request_id,"
	"                               http_request_id, after)"
	"        SELECT $10::uuid, $11, 'request.create', 'request', r.id::text, r.id, $12, " DB_REQUEST_JSON("r")
	"        ::jsonb FROM r),"
	" ev AS (INSERT INTO events (type, request_id, agency_id, data)"
	"        SELECT x.type, r.id, r.agency_id, " DB_EVENT_DATA("r", "$10::uuid", "$11::text") " || x.data"
	"        FROM r CROSS JOIN LATERAL ("
	"          SELECT 1 AS ord, 'request.created' AS type, jsonb_build_object('channel', r.channel) AS data"
	"          UNION ALL SELECT 2, 'request.step_started', jsonb_build_object('policy_version', s.policy_version,"
	"                           'warn_at', s.warn_at, 'due_at', s.due_at) FROM s) x"
	"        ORDER BY x.ord)"
	" SELECT " DB_REQUEST_COLS("r") " FROM r");

bool db_lifecycle_create(struct err *e, struct arena *a, const struct db_request_fields *f, const char *agency_id,
			 const char *client_id, const struct db_actor *actor, struct db_request *out)
{
	const char *p[] = {f->kind,        f->title,       f->description, f->channel, f->letter_number,
			   f->letter_date, f->eoffice_ref, agency_id,      client_id,  actor->id,
			   actor->role,    actor->http_request_id};
	const char *c[DB_REQUEST_NCOLS];
	bool found;
	if (!db_one(e, a, &st_create, 12, p, DB_REQUEST_NCOLS, c, &found))
		return false;
	if (!found)
		return err_set(e, ERR_INTERNAL, "internal", "An internal error occurred.");
	db_request_fill(out, c);
	out->fresh = true;
	return true;
}

DB_STMT(st_recomputed,
	"WITH s AS (UPDATE step_instances SET warn_at = to_timestamp($2::bigint), due_at = to_timestamp($3::bigint)"
	"           WHERE id = $1::uuid RETURNING id, request_id, warn_at, due_at)"
	" INSERT INTO events (type, request_id, agency_id, data)"
	" SELECT 'calendar.recomputed', r.id, r.agency_id, " DB_EVENT_DATA("r", "$5::uuid", "$6::text")
	"        || jsonb_build_object('cause', $4::text, 'step_instance_id', s.id, 'warn_at', s.warn_at,"
	"                              'due_at', s.due_at)"
	" FROM s JOIN requests r ON r.id = s.request_id");

bool db_step_recomputed(struct err *e, const char *instance_id, int64_t warn_at, int64_t due_at, const char *cause,
			const struct db_actor *actor)
{
	char w[24], d[24];
	const char *p[] = {instance_id, epoch_param(w, sizeof w, warn_at), epoch_param(d, sizeof d, due_at), cause,
			   actor->id, actor->role};
	return db_exec(e, &st_recomputed, 6, p, NULL);
}

/* The timer's flagging, one statement for both thresholds: the open steps
 * that crossed warn_at (a warning is due from warn_at on) and those that
 * crossed due_at (a breach only once due_at has passed: a step done exactly
 * at due_at is on time, core/sla.h), each not flagged for it yet, each set
 * walked from its partial index in threshold order up to the batch (so
 * the cost is the crossings, whatever the statistics say about the rest);
 * a step in both sets is updated once. Per flag, its event (sla.warning /
 * sla.breach) and its audit row, warnings first. */
DB_STMT(st_flag,
	"WITH hw AS (SELECT id FROM step_instances"
	"   WHERE completed_at IS NULL AND paused_since IS NULL AND warned_at IS NULL AND warn_at <= now()"
	"   ORDER BY warn_at LIMIT $1::int FOR UPDATE SKIP LOCKED),"
	" hb AS (SELECT id FROM step_instances"
	"   WHERE completed_at IS NULL AND paused_since IS NULL AND breached_at IS NULL AND due_at < now()"
	"   ORDER BY due_at LIMIT $1::int FOR UPDATE SKIP LOCKED),"
	" hit AS (SELECT id, bool_or(w) AS w, bool_or(b) AS b FROM"
	"   (SELECT id, true AS w, false AS b FROM hw UNION ALL SELECT id, false, true FROM hb) x GROUP BY id),"
	" flagged AS (UPDATE step_instances s SET warned_at = CASE WHEN hit.w THEN now() ELSE s.warned_at END,"
	"     breached_at = CASE WHEN hit.b THEN now() ELSE s.breached_at END FROM hit WHERE s.id = hit.id"
	"   RETURNING s.id, s.request_id, s.step, s.warn_at, s.due_at, hit.w, hit.b),"
	" k AS (SELECT f.id, f.request_id, f.step, x.ord, x.kind, x.at, x.threshold FROM flagged f CROSS JOIN LATERAL ("
	"     SELECT 1 AS ord, 'warning' AS kind, 'warn_at' AS at, f.warn_at AS threshold WHERE f.w"
	"     UNION ALL SELECT 2, 'breach', 'due_at', f.due_at WHERE f.b) x),"
	" ev AS (INSERT INTO events (type, request_id, agency_id, data)"
	"   SELECT 'sla.' || k.kind, r.id, r.agency_id, " DB_EVENT_DATA("r", "NULL::uuid", "'system'")
	"          || jsonb_build_object('step', k.step, 'step_instance_id', k.id, k.at, k.threshold)"
	"   FROM k JOIN requests r ON r.id = k.request_id ORDER BY k.ord, k.threshold, k.id),"
	" au AS (INSERT INTO audit_log (actor_role, action, record_type, record_id, request_id,"
	"   http_request_id, after)"
	"   SELECT 'system', 'sla.' || k.kind, 'step_instance', k.id::text, k.request_id, $2,"
	"          jsonb_build_object('step', k.step, k.at, k.threshold) FROM k ORDER BY k.ord, k.threshold, k.id)"
	" SELECT count(*) FILTER (WHERE w), count(*) FILTER (WHERE b) FROM flagged");

bool db_step_flag(struct err *e, int limit, const char *http_request_id, int *warnings, int *breaches)
{
	char lim[16];
	const char *p[] = {int_param(lim, sizeof lim, limit), http_request_id};
	PGresult *r;
	if (!db_exec(e, &st_flag, 2, p, &r))
		return false;
	*warnings = atoi(PQgetvalue(r, 0, 0));
	*breaches = atoi(PQgetvalue(r, 0, 1));
	PQclear(r);
	return true;
}
