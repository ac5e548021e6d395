/* workflow.c — see workflow.h. The one place where a request changes state,
 * so every transition gets the same checks, step bookkeeping and audit. */
#include "api/workflow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/input.h"
#include "api/sla.h"
#include "db/clients.h"
#include "db/sla.h"

/* A machine client acts on the requests it submitted, or on every visible
 * one when an admin widened its write_scope (core/authz.c decides). */
static bool may_act_on(struct api_ctx *c, const struct db_request *r, struct err *e)
{
	enum client_scope scope = CLIENT_SCOPE_OWN;
	if (c->who.role != ROLE_INTEGRATION)
		return true;
	const char *name;
	if (!db_client_scope(e, c->arena, c->who.subject, &name))
		return false;
	if (name && !client_scope_parse(name, &scope))
		scope = CLIENT_SCOPE_OWN;
	if (authz_may_act_on(&c->who, scope, r->client_id))
		return true;
	return err_set(e, ERR_FORBIDDEN, "request.not_submitter",
		       "This client may change only the requests it submitted; an administrator can widen its "
		       "write_scope.");
}

bool api_request_load(struct api_ctx *c, int param, bool lock, struct db_request *r, struct err *e)
{
	const char *id;
	return api_param_uuid(c, param, "request.not_found", &id, e) && api_request_load_id(c, id, lock, r, e);
}

bool api_request_load_id(struct api_ctx *c, const char *id, bool lock, struct db_request *r, struct err *e)
{
	bool found;
	if (!db_request_get(e, c->arena, id, lock, r, &found))
		return false;
	if (!found || !authz_agency_visible(&c->who, r->agency_id))
		return err_set(e, ERR_NOT_FOUND, "request.not_found", "No such request.");
	/* every change of a request loads it locked: that is where a machine
	 * client's reach is checked */
	return !lock || may_act_on(c, r, e);
}

bool api_if_match(struct api_ctx *c, int version, bool required, struct err *e)
{
	const char *h = api_header(c, "If-Match");
	if (!h) {
		if (required)
			return err_set(e, ERR_PRECONDITION_REQUIRED, "request.if_match_required",
				       "Send If-Match with the ETag you last read.");
		return true;
	}
	if (strcmp(h, "*") == 0)
		return true;
	char want[24];
	snprintf(want, sizeof want, "\"%d\"", version);
	/* a list of tags matches when any matches; weak tags compare equal too */
	for (const char *p = h; *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		size_t n = strcspn(p, ",");
		while (n && p[n - 1] == ' ')
			n--;
		if (n == strlen(want) && strncmp(p, want, n) == 0)
			return true;
		p += strcspn(p, ",");
	}
	return err_set(e, ERR_PRECONDITION, "request.version_mismatch",
		       "The record changed since you read it (now version %d); reload and retry.", version);
}

void api_set_etag(struct api_ctx *c, int version)
{
	api_set_header(c, "ETag", arena_printf(c->arena, "\"%d\"", version));
}

/* The clock stops while the request waits on the PD and runs again after. */
static bool pause_or_resume(struct api_ctx *c, const char *request_id, enum wf_state from, enum wf_state to,
			    struct err *e)
{
	bool was = wf_state_waits_on_pd(from), is = wf_state_waits_on_pd(to);
	if (is && !was)
		return api_sla_pause(c, request_id, wf_step_of_state(to), e);
	if (was && !is && !wf_is_terminal(to))
		return api_sla_resume(c, request_id, wf_step_of_state(from), e);
	return true;
}

bool api_request_apply(struct api_ctx *c, struct db_request *r, enum wf_action action,
		       const struct api_move_extra *x, struct err *e)
{
	static const struct api_move_extra none = {0};
	const struct wf_transition *t;
	enum wf_state from = wf_state_parse(r->state);
	if (!x)
		x = &none;
	if (!wf_apply(from, action, c->who.role, &t, e))
		return false;
	const char *actor = c->who.subject;
	if (t->completes_step && !db_step_complete(e, r->id, t->completes_step, actor))
		return false;
	if (t->closes_open_step &&
	    !db_step_close_open(e, r->id, action == WF_REJECT ? "rejected" : "withdrawn", actor))
		return false;
	if (t->starts_step && !api_sla_step_start(c, r->id, t->starts_step, e))
		return false;
	if (t->reopens_step && (!db_step_reopen(e, r->id, t->reopens_step) ||
				!api_sla_step_reopened(c, r->id, t->reopens_step, e)))
		return false;
	if (!pause_or_resume(c, r->id, from, t->to, e) || !db_state_enter(e, r->id, wf_state_key(t->to)))
		return false;
	struct db_request_move m = {
		.state = wf_state_key(t->to),
		.current_step = wf_step_of_state(t->to),
		.agenda_number = x->agenda_number,
		.closing_reason = x->closing_reason,
		.submitted = action == WF_SUBMIT,
	};
	const char *before = arena_printf(c->arena, "{\"state\": \"%s\", \"version\": %d}", r->state, r->version);
	if (!db_request_move(e, c->arena, r->id, &m, actor, r))
		return false;
	json_t *after = json_pack("{s:s, s:i, s:i}", "state", r->state, "version", r->version, "current_step",
				  r->current_step);
	if (x->audit_after) {
		json_t *extra = json_loads(x->audit_after, 0, NULL);
		json_object_update(after, extra);
		json_decref(extra);
	}
	char *after_text = json_dumps(after, JSON_COMPACT);
	json_decref(after);
	bool ok = api_audit(c, arena_printf(c->arena, "request.%s", wf_action_key(action)), "request", r->id, r->id,
			    before, after_text, e);
	free(after_text);
	return ok;
}
