/* sla.c — the SLA engine's API side: deadlines when a step starts, the
 * clock's pauses, the policy versions, holidays, a request's timeline with
 * SLA states, the overdue list and the compliance summary.
 *
 * All calendar arithmetic is core/'s (calendar.c, sla.c); this file only
 * feeds it rows. Instants travel as epoch seconds between db/ and core/.
 * Changing the holidays recomputes the deadlines of every open step from its
 * start, its policy version and its pauses (audited as calendar.recompute,
 * with one calendar.recomputed event per request whose step moved);
 * warnings and breaches already flagged stay flagged. The recompute is a
 * queued job (calendar_recomputes) that the timer thread works through in
 * bounded batches, one transaction each, so the request that changed the
 * holidays answers at once, whatever the number of open steps. The overdue
 * list and the summary are reports (API_TX_REPORT): read from the replica
 * when there is one, and saying how current they are (as_of).
 */
#include "api/sla.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/clock.h"
#include "api/common.h"
#include "api/input.h"
#include "api/offer.h"
#include "api/workflow.h"
#include "db/audit.h"
#include "db/steps.h"
#include "core/validate.h"
#include "core/workflow.h"

/* ---- building blocks ------------------------------------------------------ */

static int64_t i64(const char *s)
{
	return s ? strtoll(s, NULL, 10) : 0;
}

/* ---- a step instance as the reports show it -------------------------------- */

/* Columns of a db_sla_* instance row (see STEP_COLS in db/sla.c). */
enum { C_STEP, C_STARTED, C_WARN, C_DUE, C_COMPLETED, C_COMPLETED_BY, C_REASON, C_WARNED, C_BREACHED, C_PAUSED,
       C_WARN_AFTER, C_DUE_AFTER, C_CLOCK, C_PAUSE_ON_PD, C_PAUSES, C_POLICY_VERSION,
       C_COMPLETED_BY_USER, C_NOW, C_EXTRA };

struct step_view {
	int step;
	int64_t started, warn, due, completed, paused, now;
	bool has_policy;
	struct sla_step_policy policy;
	struct sla_pause *pauses;
	size_t npauses;
	enum sla_state state;
	int64_t elapsed;   /* clock time so far (or to completion), pauses excluded */
	int64_t remaining; /* clock time to due (negative when late); 0 without a due */
};

static void view_of(const struct db_rows *r, int row, const struct calendar *cal, struct arena *a,
		    struct step_view *v)
{
	memset(v, 0, sizeof *v);
	v->step = atoi(db_rows_get(r, row, C_STEP));
	v->started = i64(db_rows_get(r, row, C_STARTED));
	v->warn = i64(db_rows_get(r, row, C_WARN));
	v->due = i64(db_rows_get(r, row, C_DUE));
	v->completed = i64(db_rows_get(r, row, C_COMPLETED));
	v->paused = i64(db_rows_get(r, row, C_PAUSED));
	v->now = i64(db_rows_get(r, row, C_NOW));
	v->pauses = api_pauses_parse(a, db_rows_get(r, row, C_PAUSES), &v->npauses);
	struct db_policy_step d = {v->step, db_rows_get(r, row, C_WARN_AFTER), db_rows_get(r, row, C_DUE_AFTER),
				   db_rows_get(r, row, C_CLOCK),
				   db_rows_get(r, row, C_PAUSE_ON_PD) && db_rows_get(r, row, C_PAUSE_ON_PD)[0] == 't'};
	struct err ignored;
	err_clear(&ignored);
	v->has_policy = d.warn_after && d.due_after && d.clock && api_policy_parse(&d, &v->policy, &ignored);
	int64_t until = v->completed ? v->completed : v->now;
	if (!v->has_policy) {
		/* step 1: no standard time; office time for reference */
		v->policy.clock = CAL_WORKING_TIME;
	}
	v->elapsed = sla_elapsed(cal, &v->policy, v->started, until, v->pauses, v->npauses);
	if (!v->due) {
		v->state = v->completed ? SLA_DONE_ON_TIME : SLA_ON_TIME;
		return;
	}
	int64_t at = v->paused ? v->paused : v->now;
	v->state = sla_classify(at, v->warn, v->due, v->completed, v->paused != 0);
	v->remaining = v->completed ? 0 : sla_remaining(cal, &v->policy, at, v->due);
}

static json_t *view_json(struct arena *a, const struct step_view *v, const struct db_rows *r, int row)
{
	json_t *pauses = json_array();
	for (size_t i = 0; i < v->npauses; i++)
		json_array_append_new(pauses, json_pack("{s:s?, s:s?}", "started_at", api_time_text(a, v->pauses[i].start),
							"ended_at", api_time_text(a, v->pauses[i].end)));
	json_t *o = json_pack("{s:i, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s, s:I, s:o, s:o}", "step",
			      v->step, "started_at", api_time_text(a, v->started), "warn_at", api_time_text(a, v->warn),
			      "due_at", api_time_text(a, v->due), "completed_at", api_time_text(a, v->completed),
			      "completed_by", db_rows_get(r, row, C_COMPLETED_BY), "closed_reason",
			      db_rows_get(r, row, C_REASON), "warned_at", api_time_text(a, i64(db_rows_get(r, row, C_WARNED))),
			      "breached_at", api_time_text(a, i64(db_rows_get(r, row, C_BREACHED))), "sla_state",
			      sla_state_name(v->state), "elapsed_working_seconds", (json_int_t)v->elapsed,
			      "remaining_working_seconds", v->due && !v->completed ? json_integer(v->remaining) : json_null(),
			      "pauses", pauses);
	json_object_set_new(o, "clock", v->has_policy ? json_string(cal_clock_name(v->policy.clock)) : json_null());
	const char *version = db_rows_get(r, row, C_POLICY_VERSION), *who = db_rows_get(r, row, C_COMPLETED_BY_USER);
	json_object_set_new(o, "policy_version", version ? json_integer(atoi(version)) : json_null());
	json_t *person = who ? json_loads(who, 0, NULL) : NULL;
	json_object_set_new(o, "completed_by_user", person ? person : json_null());
	return o;
}

/* Working seconds a request spent in each waiting party's hands: one
 * history row (columns from `col`: state, entered, left, now, and, at
 * `ba_col`, the Berita Acara's sent / signed instants). */
static void add_waiting(const struct calendar *cal, const struct db_rows *h, int row, int col, int ba_col,
			int64_t per_party[WF_PARTY_COUNT])
{
	int64_t left = i64(db_rows_get(h, row, col + 2));
	sla_attribute(cal, wf_state_parse(db_rows_get(h, row, col)), i64(db_rows_get(h, row, col + 1)),
		      left ? left : i64(db_rows_get(h, row, col + 3)), i64(db_rows_get(h, row, ba_col)),
		      i64(db_rows_get(h, row, ba_col + 1)), i64(db_rows_get(h, row, ba_col + 2)), per_party);
}

/* Whom a request waits on now (agreed: as far as its Berita Acara came);
 * the first of two signatories when both are missing. */
static enum wf_party waiting_now(enum wf_state st, const struct db_rows *h, int ba_col)
{
	if (st != WF_AGREED || h->n == 0)
		return wf_waiting_party(st);
	int last = h->n - 1;
	int64_t now = i64(db_rows_get(h, last, 3));
	int64_t sent = i64(db_rows_get(h, last, ba_col)), kd = i64(db_rows_get(h, last, ba_col + 1)),
		pd = i64(db_rows_get(h, last, ba_col + 2));
	struct wf_ba_progress ba = {.sent = sent && sent <= now, .kepala_dinas_signed = kd && kd <= now,
				    .pd_signed = pd && pd <= now};
	enum wf_party who[2];
	return wf_agreed_waiting(&ba, who) ? who[0] : WF_PARTY_NONE;
}

static json_t *waiting_json(const int64_t per_party[WF_PARTY_COUNT])
{
	json_t *o = json_object();
	for (int p = WF_PARTY_NONE + 1; p < WF_PARTY_COUNT; p++)
		json_object_set_new(o, wf_party_key((enum wf_party)p), json_integer(per_party[p]));
	return o;
}

/* ---- GET /requests/{id}/timeline ------------------------------------------- */

bool api_sla_timeline(struct api_ctx *c, const struct db_request *r, json_t **out, struct err *e)
{
	struct db_rows steps, history;
	struct calendar cal;
	if (!db_sla_request_steps(e, c->arena, r->id, &steps) || !db_sla_request_history(e, c->arena, r->id, &history) ||
	    !api_calendar(c, &cal, e))
		return false;
	json_t *list = json_array();
	for (int i = 0; i < steps.n; i++) {
		struct step_view v;
		view_of(&steps, i, &cal, c->arena, &v);
		json_array_append_new(list, view_json(c->arena, &v, &steps, i));
	}
	int64_t per_party[WF_PARTY_COUNT] = {0};
	for (int i = 0; i < history.n; i++)
		add_waiting(&cal, &history, i, 0, 4, per_party);
	enum wf_state st = wf_state_parse(r->state);
	enum wf_party now_on = waiting_now(st, &history, 4);
	*out = json_pack("{s:s, s:s, s:i, s:s?, s:o, s:o}", "request_id", r->id, "status", wf_state_status(st),
			 "current_step", r->current_step, "waiting_on", wf_party_key(now_on), "steps", list,
			 "waiting_working_seconds", waiting_json(per_party));
	return true;
}

static bool get_timeline(struct api_ctx *c, struct err *e)
{
	struct db_request r;
	json_t *out;
	if (!api_request_load(c, 0, false, &r, e) || !api_sla_timeline(c, &r, &out, e))
		return false;
	api_reply_json(c, 200, out);
	return true;
}

/* ---- GET /sla/overdue ------------------------------------------------------ */

/* The overdue list's items for the first shown rows of db_sla_overdue. */
static json_t *overdue_items(struct api_ctx *c, const struct db_rows *rows_, int shown, const struct calendar *cal)
{
	const struct db_rows rows = *rows_;
	json_t *items = json_array();
	for (int i = 0; i < shown; i++) {
		struct step_view v;
		view_of(&rows, i, cal, c->arena, &v);
		const char *state = db_rows_get(&rows, i, C_EXTRA + 6);
		enum wf_state ws = wf_state_parse(state);
		json_array_append_new(
			items, json_pack("{s:s, s:s, s:s?, s:s, s:s, s:i, s:s?, s:s?, s:s?, s:I, s:I, s:s?}", "request_id",
					 db_rows_get(&rows, i, C_EXTRA + 2), "title", db_rows_get(&rows, i, C_EXTRA + 4),
					 "agenda_number", db_rows_get(&rows, i, C_EXTRA + 5), "agency_id",
					 db_rows_get(&rows, i, C_EXTRA + 3), "status", wf_state_status(ws), "step", v.step,
					 "started_at", api_time_text(c->arena, v.started), "due_at",
					 api_time_text(c->arena, v.due), "breached_at",
					 api_time_text(c->arena, i64(db_rows_get(&rows, i, C_BREACHED))), "late_seconds",
					 (json_int_t)(v.now - v.due), "late_working_seconds", (json_int_t)-v.remaining,
					 "waiting_on", wf_party_key(api_desk_party(db_rows_get(&rows, i, C_EXTRA + 7)))));
	}
	return items;
}

bool api_sla_overdue(struct api_ctx *c, int limit, json_t **items, bool *more, struct err *e)
{
	struct db_rows rows;
	struct calendar cal;
	if (!db_sla_overdue(e, c->arena, 0, NULL, 0, NULL, NULL, limit, &rows) || !api_calendar(c, &cal, e))
		return false;
	*more = rows.n > limit;
	*items = overdue_items(c, &rows, *more ? limit : rows.n, &cal);
	return true;
}

static const char *const overdue_params[] = {"step", "agency_id", "min_late", "limit", "cursor", NULL};

static bool list_overdue(struct api_ctx *c, struct err *e)
{
	int limit;
	const char **cursor;
	api_query_limit(c, &limit, e);
	api_query_cursor(c, 2, &cursor, e);
	const char *step = api_query(c, "step"), *agency = api_query(c, "agency_id"), *min_late = api_query(c, "min_late");
	if (step && (strlen(step) != 1 || step[0] < '2' || step[0] > '7'))
		err_field(e, "step", "invalid", "A step from 2 to 7.");
	if (agency && !val_is_uuid(agency))
		err_field(e, "agency_id", "invalid", "Must be a UUID.");
	struct duration late = {0, 0};
	if (min_late) {
		struct err de;
		err_clear(&de);
		if (!dur_parse(min_late, &late, &de))
			err_field(e, "min_late", "invalid", "An ISO 8601 duration such as PT2H or P1D.");
	}
	if (cursor && !val_is_uuid(cursor[1]))
		err_field(e, "cursor", "invalid", "This cursor was not made by this server.");
	if (e->kind)
		return false;
	struct db_rows rows;
	struct calendar cal;
	int64_t min_late_seconds = late.days * 86400 + late.seconds;
	if (!db_sla_overdue(e, c->arena, step ? step[0] - '0' : 0, agency, min_late_seconds, cursor ? cursor[0] : NULL,
			    cursor ? cursor[1] : NULL, limit, &rows) ||
	    !api_calendar(c, &cal, e))
		return false;
	int shown = rows.n > limit ? limit : rows.n;
	json_t *items = overdue_items(c, &rows, shown, &cal);
	json_t *next = json_null();
	if (rows.n > limit) {
		const char *parts[] = {db_rows_get(&rows, shown - 1, C_EXTRA + 1), db_rows_get(&rows, shown - 1, C_EXTRA)};
		next = json_string(api_cursor_make(c->arena, 2, parts));
	}
	const char *as_of;
	if (!db_as_of(e, c->arena, &as_of)) {
		json_decref(items);
		json_decref(next);
		return false;
	}
	api_reply_json(c, 200, json_pack("{s:o, s:o, s:s}", "items", items, "next_cursor", next, "as_of", as_of));
	return true;
}

/* ---- GET /sla/summary ------------------------------------------------------- */

struct group {
	const char *key;
	long count, completed, open, met, breached;
	int64_t *durations; /* office seconds: steps on working_time / working_days */
	size_t ndurations;
	int64_t *elapsed; /* plain seconds: steps on the calendar clock (never mixed) */
	size_t nelapsed;
	int64_t waiting[WF_PARTY_COUNT];
	long requests;
};

static struct group *group_find(struct group *g, int *n, int cap, const char *key)
{
	for (int i = 0; i < *n; i++)
		if (strcmp(g[i].key, key) == 0)
			return &g[i];
	if (*n == cap)
		return NULL;
	memset(&g[*n], 0, sizeof g[*n]);
	g[*n].key = key;
	return &g[(*n)++];
}

static json_t *nullable_real(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *group_json(const struct group *g, bool with_waiting)
{
	long decided = g->met + g->breached;
	json_t *o = json_pack("{s:s, s:i, s:i, s:i, s:i, s:i}", "key", g->key, "count", (int)g->count, "completed",
			      (int)g->completed, "open", (int)g->open, "met", (int)g->met, "breached", (int)g->breached);
	json_object_set_new(o, "compliance_pct", decided ? json_real(100.0 * (double)g->met / (double)decided) : json_null());
	json_object_set_new(o, "median_working_seconds", nullable_real(sla_median(g->durations, g->ndurations)));
	json_object_set_new(o, "p90_working_seconds", nullable_real(sla_percentile(g->durations, g->ndurations, 0.9)));
	json_object_set_new(o, "median_elapsed_seconds", nullable_real(sla_median(g->elapsed, g->nelapsed)));
	json_object_set_new(o, "p90_elapsed_seconds", nullable_real(sla_percentile(g->elapsed, g->nelapsed, 0.9)));
	if (with_waiting) {
		json_object_set_new(o, "requests", json_integer(g->requests));
		json_object_set_new(o, "waiting_working_seconds", waiting_json(g->waiting));
	}
	return o;
}

#define MAX_GROUPS 512

/* Groups in a stable order: steps numerically, agencies by id. */
static int by_key(const void *a, const void *b)
{
	const char *x = ((const struct group *)a)->key, *y = ((const struct group *)b)->key;
	if (strlen(x) != strlen(y))
		return strlen(x) < strlen(y) ? -1 : 1;
	return strcmp(x, y);
}

bool api_sla_summary(struct api_ctx *c, const char *from, const char *to, bool by_agency, const char *agency,
		     json_t **out, struct err *e)
{
	struct db_rows steps, history;
	struct calendar cal;
	if (!db_sla_period_steps(e, c->arena, from, to, api_services.timezone, agency, &steps) ||
	    !db_sla_period_history(e, c->arena, from, to, api_services.timezone, agency, &history) ||
	    !api_calendar(c, &cal, e))
		return false;
	struct group *groups = arena_alloc(c->arena, MAX_GROUPS * sizeof *groups), total = {.key = "all"};
	int ngroups = 0;
	total.durations = arena_alloc(c->arena, sizeof(int64_t) * (size_t)(steps.n + 1));
	total.elapsed = arena_alloc(c->arena, sizeof(int64_t) * (size_t)(steps.n + 1));
	for (int i = 0; i < steps.n; i++) {
		struct step_view v;
		view_of(&steps, i, &cal, c->arena, &v);
		const char *key = by_agency ? db_rows_get(&steps, i, C_EXTRA) : db_rows_get(&steps, i, C_STEP);
		struct group *g = group_find(groups, &ngroups, MAX_GROUPS, key);
		if (!g)
			return err_set(e, ERR_UNPROCESSABLE, "sla.too_many_groups", "Narrow the period or filter by agency.");
		if (!g->durations) {
			g->durations = arena_alloc(c->arena, sizeof(int64_t) * (size_t)(steps.n + 1));
			g->elapsed = arena_alloc(c->arena, sizeof(int64_t) * (size_t)(steps.n + 1));
		}
		bool breached = v.state == SLA_BREACHED || v.state == SLA_DONE_LATE ||
				db_rows_get(&steps, i, C_BREACHED) != NULL;
		for (struct group *x = g;; x = &total) {
			x->count++;
			x->completed += v.completed != 0;
			x->open += v.completed == 0;
			x->breached += breached;
			x->met += v.state == SLA_DONE_ON_TIME && !breached;
			/* each duration in its own clock's unit */
			if (v.completed && v.policy.clock == CAL_CALENDAR)
				x->elapsed[x->nelapsed++] = v.elapsed;
			else if (v.completed)
				x->durations[x->ndurations++] = v.elapsed;
			if (x == &total)
				break;
		}
	}
	/* delay attribution: whose desk each request waited on */
	const char *last_request = NULL;
	for (int i = 0; i < history.n; i++) {
		const char *rid = db_rows_get(&history, i, 0);
		struct group *g = by_agency ? group_find(groups, &ngroups, MAX_GROUPS, db_rows_get(&history, i, 5)) : NULL;
		bool new_request = !last_request || strcmp(last_request, rid) != 0;
		last_request = rid;
		for (struct group *x = g ? g : &total;; x = &total) {
			if (!x->durations) {
				x->durations = arena_alloc(c->arena, sizeof(int64_t));
				x->elapsed = arena_alloc(c->arena, sizeof(int64_t));
			}
			x->requests += new_request;
			add_waiting(&cal, &history, i, 1, 6, x->waiting);
			if (x == &total)
				break;
		}
	}
	qsort(groups, (size_t)ngroups, sizeof *groups, by_key);
	const char *as_of;
	if (!db_as_of(e, c->arena, &as_of))
		return false;
	json_t *list = json_array();
	for (int i = 0; i < ngroups; i++)
		json_array_append_new(list, group_json(&groups[i], by_agency));
	*out = json_pack("{s:s, s:s, s:s, s:o, s:o, s:s}", "from", from, "to", to, "group_by", by_agency ? "agency" : "step",
			 "groups", list, "total", group_json(&total, true), "as_of", as_of);
	return true;
}

static const char *const summary_params[] = {"from", "to", "group_by", "agency_id", NULL};

static bool get_summary(struct api_ctx *c, struct err *e)
{
	const char *from = api_query(c, "from"), *to = api_query(c, "to"), *by = api_query(c, "group_by");
	const char *agency = api_query(c, "agency_id");
	/* each end is optional: `to` defaults to today, `from` to 29 days
	 * before `to` (core/sla.c sla_period) */
	if (from)
		val_date(e, "from", from);
	if (to)
		val_date(e, "to", to);
	if (e->kind)
		return false;
	char *pfrom = arena_alloc(c->arena, 11), *pto = arena_alloc(c->arena, 11);
	sla_period(api_services.calendar.tz, (int64_t)time(NULL), from, to, pfrom, pto);
	from = pfrom;
	to = pto;
	if (strcmp(from, to) > 0)
		err_field(e, "to", "order", "to is on or after from.");
	if (!by)
		by = "step";
	if (strcmp(by, "step") != 0 && strcmp(by, "agency") != 0)
		err_field(e, "group_by", "invalid", "step or agency.");
	if (agency && !val_is_uuid(agency))
		err_field(e, "agency_id", "invalid", "Must be a UUID.");
	if (e->kind)
		return false;
	json_t *out;
	if (!api_sla_summary(c, from, to, strcmp(by, "agency") == 0, agency, &out, e))
		return false;
	api_reply_json(c, 200, out);
	return true;
}

/* ---- policy ----------------------------------------------------------------- */

static const char *const policy_params[] = {"version", NULL};

/* The current policy, or ?version=N (any past one: running steps keep theirs). */
static bool get_policy(struct api_ctx *c, struct err *e)
{
	const char *json, *v = api_query(c, "version");
	int version = 0;
	if (v && (strspn(v, "0123456789") != strlen(v) || strlen(v) < 1 || strlen(v) > 6 || (version = atoi(v)) < 1))
		return err_field(e, "version", "invalid", "A policy version: 1, 2, ...");
	if (!db_policy_json(e, c->arena, version, &json))
		return false;
	if (!json && version)
		return err_set(e, ERR_NOT_FOUND, "sla.no_such_policy", "There is no SLA policy version %d.", version);
	if (!json)
		return err_set(e, ERR_NOT_FOUND, "sla.no_policy", "No SLA policy has been published.");
	api_reply_json_text(c, 200, json);
	return true;
}

/* A fixed Monday 08:00 in the calendar's zone: where warn <= due is checked. */
static int64_t reference_start(const struct calendar *cal)
{
	struct cal_local l = {.y = 2030, .m = 1, .d = 7, .hh = 8};
	return tz_from_local(cal->tz, &l);
}

static bool read_policy_step(json_t *s, size_t i, struct db_policy_step *out, const struct calendar *cal,
			     struct err *e)
{
	static const char *const keys[] = {"step", "warn_after", "due_after", "clock", "pause_on_pd", NULL};
	char name[32];
	snprintf(name, sizeof name, "steps[%zu]", i);
	if (!json_is_object(s))
		return err_field(e, name, "invalid", "A step policy is an object.");
	long step;
	bool pause = true;
	api_only_fields(s, name, keys, e);
	int mark = e->nfields;
	api_in_int(s, "step", API_REQUIRED, 2, 7, &step, e);
	api_in_str(s, "warn_after", API_REQUIRED, 32, &out->warn_after, e);
	api_in_str(s, "due_after", API_REQUIRED, 32, &out->due_after, e);
	api_in_str(s, "clock", API_REQUIRED, 16, &out->clock, e);
	api_in_bool(s, "pause_on_pd", API_OPTIONAL, &pause, e);
	api_err_scope(e, mark, name);
	if (e->kind)
		return false;
	out->step = (int)step;
	out->pause_on_pd = pause;
	struct sla_step_policy p;
	struct err pe;
	err_clear(&pe);
	if (!api_policy_parse(out, &p, &pe))
		return err_field(e, name, "invalid", "%s", pe.kind == ERR_INTERNAL ? "clock is working_time, working_days or calendar." : pe.detail);
	const char *fault = sla_policy_fault(&p);
	if (fault) {
		char member[48];
		snprintf(member, sizeof member, "%s.%s", name, fault);
		return err_field(e, member, "day_part_on_working_time",
				 "The working_time clock counts office time only: write the duration in hours (PT16H), "
				 "or use the working_days clock, whose day part counts working days.");
	}
	int64_t ref = reference_start(cal);
	if (cal_add(cal, ref, p.clock, &p.warn_after) > cal_add(cal, ref, p.clock, &p.due_after))
		return err_field(e, name, "order", "warn_after must not come after due_after.");
	return true;
}

static bool put_policy(struct api_ctx *c, struct err *e)
{
	static const char *const keys[] = {"steps", NULL};
	json_t *b = api_body(c);
	api_only_fields(b, "", keys, e);
	json_t *steps = json_object_get(b, "steps");
	if (!json_is_array(steps) || json_array_size(steps) == 0 || json_array_size(steps) > 6)
		return err_field(e, "steps", "invalid", "An array of 1 to 6 step policies (steps 2 to 7).");
	struct calendar cal;
	if (!db_policy_lock(e) || !api_calendar(c, &cal, e))
		return false;
	struct db_policy_step out[6];
	size_t n = 0;
	bool seen[8] = {false};
	size_t i;
	json_t *s;
	json_array_foreach(steps, i, s) {
		if (!read_policy_step(s, i, &out[n], &cal, e))
			continue;
		if (seen[out[n].step])
			err_field(e, "steps", "duplicate", "Step %d is listed twice.", out[n].step);
		seen[out[n].step] = true;
		n++;
	}
	if (e->kind)
		return false;
	/* steps not named keep their current rules */
	for (int k = 2; k <= 7; k++) {
		int version;
		int64_t now;
		bool found;
		if (seen[k])
			continue;
		if (!db_policy_current_step(e, c->arena, k, &version, &out[n], &now, &found))
			return false;
		if (found)
			n++;
	}
	int version;
	const char *json;
	if (!db_policy_publish(e, out, n, c->who.subject, &version) || !db_policy_json(e, c->arena, 0, &json) ||
	    !api_audit(c, "sla.policy_publish", "sla_policy", arena_printf(c->arena, "%d", version), NULL, NULL, json, e))
		return false;
	api_reply_json_text(c, 200, json);
	return true;
}

/* ---- holidays --------------------------------------------------------------- */

static const char *const holiday_params[] = {"from", "to", NULL};

static bool list_holidays(struct api_ctx *c, struct err *e)
{
	const char *from = api_query(c, "from"), *to = api_query(c, "to"), *json;
	if (from)
		val_date(e, "from", from);
	if (to)
		val_date(e, "to", to);
	if (e->kind || !db_holiday_list(e, c->arena, from, to, &json))
		return false;
	api_reply_items(c, json);
	return true;
}

/* Recomputes the deadlines of the open step in row i (STEP_COLS, then its
 * instance id) under cal (core/sla.c sla_recompute) and stores them when
 * they moved. A threshold already flagged stays where it was crossed. */
static bool recompute_one(const struct db_rows *rows, int i, const struct calendar *cal, const struct step_view *v,
			  const char *cause, const struct db_actor *actor, bool *moved, struct err *e)
{
	int64_t warn, due;
	*moved = false;
	sla_recompute(cal, &v->policy, v->started, v->pauses, v->npauses, &warn, &due);
	if (warn == CAL_NEVER || due == CAL_NEVER)
		warn = due = 0; /* a calendar that never opens: no deadline (as at start) */
	if (db_rows_get(rows, i, C_WARNED))
		warn = v->warn;
	if (db_rows_get(rows, i, C_BREACHED))
		due = v->due;
	if (warn == v->warn && due == v->due)
		return true;
	*moved = true;
	return db_step_recomputed(e, db_rows_get(rows, i, C_EXTRA), warn, due, cause, actor);
}

bool api_sla_step_reopened(struct api_ctx *c, const char *request_id, int step, struct err *e)
{
	struct db_actor actor = {c->who.subject, role_name(c->who.role), c->request_id};
	struct db_rows rows;
	struct calendar cal;
	bool moved;
	if (!db_sla_open_step(e, c->arena, request_id, step, &rows) || !api_calendar(c, &cal, e))
		return false;
	for (int i = 0; i < rows.n; i++) {
		struct step_view v;
		view_of(&rows, i, &cal, c->arena, &v);
		if (v.has_policy && !recompute_one(&rows, i, &cal, &v, "step_reopened", &actor, &moved, e))
			return false;
	}
	return true;
}

/* One batch of the oldest queued recompute (see api/sla.h): the next open
 * steps by id, each recomputed under today's calendar from its start, under
 * its policy version, pushed by each finished pause (a running pause pushes
 * them when it ends); a threshold already flagged stays where it was
 * crossed. A step that moved gets its calendar.recomputed event; the last
 * batch writes the calendar.recompute audit row, in the name of whoever
 * changed the holidays. */
bool api_calendar_recompute_batch(struct arena *a, int limit, bool *worked, struct err *e)
{
	struct db_recompute job;
	bool found;
	*worked = false;
	if (!db_recompute_claim(e, a, &job, &found))
		return false;
	if (!found)
		return true;
	*worked = true;
	struct db_actor actor = {job.requested_by, job.requested_role, job.http_request_id};
	struct db_rows rows;
	struct calendar cal;
	int32_t *days;
	size_t ndays;
	if (!db_sla_open_steps(e, a, job.after_id, limit, &rows) || !db_holiday_days(e, a, &days, &ndays))
		return false;
	api_calendar_with(&cal, days, ndays); /* from the table, not this instance's cache */
	int moved = 0;
	for (int i = 0; i < rows.n; i++) {
		struct step_view v;
		view_of(&rows, i, &cal, a, &v);
		if (!v.has_policy)
			continue;
		bool moved_one;
		if (!recompute_one(&rows, i, &cal, &v, job.cause, &actor, &moved_one, e))
			return false;
		moved += moved_one;
	}
	bool done = rows.n < limit;
	const char *last = rows.n ? db_rows_get(&rows, rows.n - 1, C_EXTRA) : job.after_id;
	int moved_total;
	if (!db_recompute_progress(e, job.id, last, rows.n, moved, done, &moved_total))
		return false;
	if (!done)
		return true;
	struct db_audit audit = {
		.actor_id = job.requested_by,
		.actor_role = job.requested_role,
		.action = "calendar.recompute",
		.record_type = "calendar",
		.record_id = job.id,
		.http_request_id = job.http_request_id,
		.after = arena_printf(a, "{\"cause\": \"%s\", \"steps_moved\": %d, \"steps_seen\": %d}", job.cause,
				      moved_total, job.steps_seen + rows.n),
	};
	return db_audit_write(e, &audit);
}

/* Queues the recompute of the open steps' deadlines (done in the background,
 * in batches); *job is the queued job as JSON. */
static bool after_calendar_change(struct api_ctx *c, const char *what, const char **job, struct err *e)
{
	api_holidays_changing();
	return db_recompute_enqueue(e, c->arena, what, c->who.subject, role_name(c->who.role), c->request_id, job);
}

static bool list_recomputes(struct api_ctx *c, struct err *e)
{
	const char *json;
	if (!db_recompute_recent(e, c->arena, &json))
		return false;
	api_reply_items(c, json);
	return true;
}

static const char *const kinds[] = {"national", "collective_leave", "regional", NULL};

static bool read_holiday(json_t *h, const char *name, const char **date, const char **label, const char **kind,
			 struct err *e)
{
	static const char *const keys[] = {"date", "name", "kind", NULL};
	if (!json_is_object(h))
		return err_field(e, name, "invalid", "A holiday is {\"date\", \"name\", \"kind\"}.");
	api_only_fields(h, name, keys, e);
	int mark = e->nfields;
	if (api_in_str(h, "date", API_REQUIRED, 10, date, e))
		val_date(e, "date", *date);
	api_in_str(h, "name", API_REQUIRED, 200, label, e);
	bool ok = false;
	if (api_in_str(h, "kind", API_OPTIONAL, 32, kind, e))
		for (const char *const *k = kinds; *k; k++)
			ok |= strcmp(*k, *kind) == 0;
	else
		ok = true;
	if (!*kind)
		*kind = "national";
	if (!ok)
		err_field(e, "kind", "invalid", "national, collective_leave or regional.");
	if (*name)
		api_err_scope(e, mark, name);
	return e->kind == ERR_NONE;
}

/* One holiday, or {"holidays": [...]} to import many at once (upserts). */
static bool put_holidays(struct api_ctx *c, struct err *e)
{
	json_t *b = api_body(c);
	json_t *list = json_object_get(b, "holidays");
	bool bulk = list != NULL;
	if (bulk) {
		static const char *const keys[] = {"holidays", NULL};
		api_only_fields(b, "", keys, e);
		if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > 500)
			return err_field(e, "holidays", "invalid", "An array of 1 to 500 holidays.");
	}
	size_t n = bulk ? json_array_size(list) : 1;
	const char **dates = arena_alloc(c->arena, n * sizeof *dates), **names = arena_alloc(c->arena, n * sizeof *names),
		   **kinds_of = arena_alloc(c->arena, n * sizeof *kinds_of);
	for (size_t i = 0; i < n; i++) {
		char name[32];
		snprintf(name, sizeof name, "holidays[%zu]", i);
		read_holiday(bulk ? json_array_get(list, i) : b, bulk ? name : "", &dates[i], &names[i], &kinds_of[i], e);
	}
	if (e->kind)
		return false;
	int created = 0;
	for (size_t i = 0; i < n; i++) {
		bool is_new;
		if (!db_holiday_put(e, dates[i], names[i], kinds_of[i], c->who.subject, &is_new))
			return false;
		created += is_new;
	}
	const char *after = arena_printf(c->arena, "{\"holidays\": %zu, \"created\": %d}", n, created);
	const char *json, *job;
	if (!api_audit(c, "calendar.holidays_put", "calendar", NULL, NULL, NULL, after, e) ||
	    !after_calendar_change(c, "holidays_put", &job, e) || !db_holiday_list(e, c->arena, NULL, NULL, &json))
		return false;
	api_reply_json_text(c, created ? 201 : 200,
			    arena_printf(c->arena, "{\"items\":%s,\"next_cursor\":null,\"recompute\":%s}", json, job));
	return true;
}

static bool delete_holiday(struct api_ctx *c, struct err *e)
{
	const char *date = c->params[0];
	bool found;
	struct err de;
	err_clear(&de);
	if (!val_date(&de, "date", date))
		return err_set(e, ERR_NOT_FOUND, "calendar.holiday_not_found", "No holiday on that date.");
	if (!db_holiday_delete(e, date, &found))
		return false;
	if (!found)
		return err_set(e, ERR_NOT_FOUND, "calendar.holiday_not_found", "No holiday on that date.");
	const char *before = arena_printf(c->arena, "{\"date\": \"%s\"}", date);
	const char *job;
	if (!api_audit(c, "calendar.holiday_delete", "calendar", date, NULL, before, NULL, e) ||
	    !after_calendar_change(c, "holiday_delete", &job, e))
		return false;
	api_reply_bytes(c, 204, NULL, NULL, 0);
	return true;
}

const struct route api_sla_routes[] = {
	{"GET", "/api/v1/requests/{id}/timeline", get_timeline, ACT_REQUEST_READ, API_TX_READ, API_BODY_NONE, 0, NULL},
	{"GET", "/api/v1/sla/overdue", list_overdue, ACT_SLA_READ, API_TX_REPORT, API_BODY_NONE, 0, overdue_params},
	{"GET", "/api/v1/sla/summary", get_summary, ACT_SLA_READ, API_TX_REPORT, API_BODY_NONE, 0, summary_params},
	{"GET", "/api/v1/sla/policy", get_policy, ACT_SLA_READ, API_TX_READ, API_BODY_NONE, 0, policy_params},
	{"PUT", "/api/v1/sla/policy", put_policy, ACT_SLA_ADMIN, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{"GET", "/api/v1/calendar/holidays", list_holidays, ACT_CALENDAR_READ, API_TX_READ, API_BODY_NONE, 0, holiday_params},
	{"POST", "/api/v1/calendar/holidays", put_holidays, ACT_SLA_ADMIN, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{"DELETE", "/api/v1/calendar/holidays/{date}", delete_holiday, ACT_SLA_ADMIN, API_TX_WRITE, API_BODY_NONE, 0, NULL},
	{"GET", "/api/v1/calendar/recomputes", list_recomputes, ACT_CALENDAR_READ, API_TX_READ, API_BODY_NONE, 0, NULL},
	{0},
};
