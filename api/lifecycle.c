/* lifecycle.c — see lifecycle.h. The design choice that matters: this file
 * decides (core/workflow for the move, core/sla for the deadlines) and hands
 * db/steps.c one struct db_transition, which it writes in one statement; the
 * only other round trip is db_lifecycle_context, needed only when a step
 * starts or resumes under a policy. */
#include "api/lifecycle.h"

#include <stdlib.h>
#include <string.h>

#include "api/clock.h"
#include "api/delegations.h"
#include "api/sla.h"
#include "core/events.h"
#include "db/events.h"
#include "db/steps.h"

static struct db_actor actor_of(const struct api_ctx *c)
{
	struct db_actor a = {
		.id = c->who.authenticated ? c->who.subject : NULL,
		.role = c->who.authenticated ? role_name(c->who.role) : "anonymous",
		.http_request_id = c->request_id,
	};
	return a;
}

/* Merges the JSON object texts (NULL skipped) and the object extra (taken)
 * into one compact text in the arena; NULL when all are empty. */
static const char *merge(struct api_ctx *c, const char *a, const char *b, json_t *extra)
{
	json_t *o = extra ? extra : json_object();
	const char *parts[] = {a, b};
	for (size_t i = 0; i < 2; i++) {
		if (!parts[i])
			continue;
		json_t *x = json_loads(parts[i], JSON_REJECT_DUPLICATES, NULL);
		if (json_is_object(x))
			json_object_update(o, x);
		json_decref(x);
	}
	const char *out = NULL;
	if (json_object_size(o)) {
		char *text = json_dumps(o, JSON_COMPACT);
		out = arena_strdup(c->arena, text);
		free(text);
	}
	json_decref(o);
	return out;
}

/* What the event of a transition says beyond the ids the handler gave. */
static json_t *transition_data(enum wf_action action, const struct api_move_extra *x)
{
	json_t *o = json_object();
	switch (action) {
	case WF_RECORD_AWAL:
	case WF_RECORD_AWAL_INCOMPLETE:
		json_object_set_new(o, "discussion_phase", json_string("awal"));
		json_object_set_new(o, "checklist_complete", json_boolean(action == WF_RECORD_AWAL));
		break;
	case WF_RECORD_LANJUTAN:
		json_object_set_new(o, "discussion_phase", json_string("lanjutan"));
		break;
	case WF_RECORD_FINAL:
		json_object_set_new(o, "discussion_phase", json_string("final"));
		break;
	case WF_UNDO_DISPOSE:
	case WF_UNDO_DERIVE:
		json_object_set_new(o, "derived", json_boolean(action == WF_UNDO_DERIVE));
		break;
	default:
		break;
	}
	if (x->closing_reason)
		json_object_set_new(o, "reason", json_string(x->closing_reason));
	return o;
}

/* Adds acting_for and delegation_id (when acting under a delegation) to o. */
static json_t *acting_into(const struct api_ctx *c, json_t *o)
{
	json_t *acting = api_acting_json(c);
	if (acting)
		json_object_update(o, acting);
	json_decref(acting);
	return o;
}

/* Fills the deadlines of the step that starts and of the step that resumes
 * (one round trip, only when either applies). */
static bool time_it(struct api_ctx *c, const char *request_id, struct db_transition *t, struct err *e)
{
	if (!t->starts_step && !t->resume_step)
		return true;
	struct db_lifecycle_context k;
	struct calendar cal;
	int32_t *days;
	size_t ndays;
	unsigned long gen;
	bool cached = api_holidays_cached(c->arena, &days, &ndays, &gen); /* not read at every step start */
	if (!db_lifecycle_context(e, c->arena, request_id, t->starts_step, t->resume_step, !cached, &k))
		return false;
	if (!cached) {
		days = k.holidays;
		ndays = k.nholidays;
		api_holidays_offer(days, ndays, gen);
	}
	api_calendar_with(&cal, days, ndays);
	if (t->starts_step && k.start_found) {
		t->start_version = k.start_version;
		if (!api_clock_deadlines(&cal, &k.start_policy, k.now, &t->start_warn_at, &t->start_due_at, e))
			return false;
	}
	if (t->resume_step) {
		if (!k.paused_found) {
			t->resume_step = 0; /* its clock never stopped */
			return true;
		}
		t->resume_warn_at = k.paused_warn_at;
		t->resume_due_at = k.paused_due_at;
		if (k.paused_policy_found && k.paused_due_at) {
			struct sla_step_policy p;
			if (!api_policy_parse(&k.paused_policy, &p, e))
				return false;
			sla_resume(&cal, &p, k.paused_warn_at, k.paused_due_at, k.paused_since, k.now, &t->resume_warn_at,
				   &t->resume_due_at);
		}
	}
	return true;
}

bool api_request_apply(struct api_ctx *c, struct db_request *r, enum wf_action action,
		       const struct api_move_extra *x, struct err *e)
{
	static const struct api_move_extra none = {0};
	const struct wf_transition *w;
	enum wf_state from = wf_state_parse(r->state);
	if (!x)
		x = &none;
	if (!wf_apply(from, action, c->who.role, &w, e))
		return false;
	const char *audit_action = arena_printf(c->arena, "request.%s", wf_action_key(action));
	const char *type = ev_type_of_action(audit_action);
	if (!type)
		return err_set(e, ERR_INTERNAL, "internal", "No event type for %s.", audit_action);
	bool was = wf_state_waits_on_pd(from), is = wf_state_waits_on_pd(w->to);
	struct db_transition t = {
		.request_id = r->id,
		.state = wf_state_key(w->to),
		.current_step = wf_step_of_state(w->to),
		.agenda_number = x->agenda_number,
		.closing_reason = x->closing_reason,
		.submitted = action == WF_SUBMIT,
		.completes_step = w->completes_step,
		.close_reason = w->closes_open_step ? (action == WF_REJECT ? "rejected" : "withdrawn") : NULL,
		.starts_step = w->starts_step,
		.reopens_step = w->reopens_step,
		.pause_step = is && !was ? wf_step_of_state(w->to) : 0,
		.resume_step = was && !is && !wf_is_terminal(w->to) ? wf_step_of_state(from) : 0,
		.audit_action = audit_action,
		.audit_before = arena_printf(c->arena, "{\"state\": \"%s\", \"version\": %d}", r->state, r->version),
		.audit_extra = merge(c, x->audit_after, NULL, api_acting_json(c)),
		.event_type = type,
		.event_data = merge(c, x->audit_after, x->event_data, acting_into(c, transition_data(action, x))),
	};
	struct db_actor actor = actor_of(c);
	/* a step that runs again gets deadlines under the holidays in force
	 * (api/sla.c): one more round trip, on a withdrawn disposition only */
	return time_it(c, r->id, &t, e) && db_lifecycle_apply(e, c->arena, &t, &actor, r) &&
	       (!w->reopens_step || api_sla_step_reopened(c, r->id, w->reopens_step, e));
}

bool api_request_create(struct api_ctx *c, const struct db_request_fields *f, const char *agency_id,
			const char *client_id, struct db_request *out, struct err *e)
{
	struct db_actor actor = actor_of(c);
	return db_lifecycle_create(e, c->arena, f, agency_id, client_id, &actor, out);
}

bool api_request_change(struct api_ctx *c, const char *action, const char *record_type, const char *record_id,
			const char *request_id, const char *before, const char *after, const char *data,
			struct err *e)
{
	const char *type = ev_type_of_action(action);
	if (!type)
		return err_set(e, ERR_INTERNAL, "internal", "No event type for %s.", action);
	json_t *ids = json_object();
	if (record_id && strcmp(record_type, "request") != 0)
		json_object_set_new(ids, arena_printf(c->arena, "%s_id", record_type), json_string(record_id));
	struct db_actor actor = actor_of(c);
	struct db_audit a = {
		.actor_id = actor.id,
		.actor_role = actor.role,
		.action = action,
		.record_type = record_type,
		.record_id = record_id,
		.request_id = request_id,
		.http_request_id = actor.http_request_id,
		.before = before,
		.after = c->acting.delegation_id ? merge(c, after, NULL, api_acting_json(c)) : after,
	};
	return db_change_write(e, &a, type, merge(c, data, NULL, acting_into(c, ids)));
}
