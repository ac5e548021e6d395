/* workflow.c — see workflow.h. */
#include "api/workflow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/input.h"
#include "db/clients.h"

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
