/* agencies.c — perangkat daerah: everyone signed in reads, admins write.
 * Agencies are deactivated, never deleted (requests point at them). */
#include <string.h>

#include "api/common.h"
#include "api/input.h"
#include "core/validate.h"
#include "db/agencies.h"

static const char *const fields[] = {"code", "name", "head_name", "active", NULL};

/* Reads the writable fields; required on create. */
static bool read_agency(struct api_ctx *c, bool create, struct db_agency_change *g, struct err *e)
{
	json_t *b = api_body(c);
	bool active;
	api_only_fields(b, "", fields, e);
	if (api_in_str(b, "code", create ? API_REQUIRED : API_OPTIONAL, 32, &g->code, e) &&
	    strspn(g->code, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != strlen(g->code))
		err_field(e, "code", "invalid", "Letters, digits, '.', '_' and '-' only.");
	api_in_str(b, "name", create ? API_REQUIRED : API_OPTIONAL, 200, &g->name, e);
	g->set_head = api_in_str(b, "head_name", API_NULLABLE, 200, &g->head_name, e);
	if (api_in_bool(b, "active", API_OPTIONAL, &active, e))
		g->active = active ? "true" : "false";
	return e->kind == ERR_NONE;
}

static bool taken(struct err *e)
{
	if (e->kind == ERR_CONFLICT)
		return err_set(e, ERR_CONFLICT, "agency.code_taken", "Another agency has this code.");
	return false;
}

static bool create_agency(struct api_ctx *c, struct err *e)
{
	struct db_agency_change g = {0};
	const char *json;
	if (!read_agency(c, true, &g, e))
		return false;
	if (!db_agency_insert(e, c->arena, &g, &json))
		return taken(e);
	json_t *doc = json_loads(json, 0, NULL);
	const char *id = arena_strdup(c->arena, json_string_value(json_object_get(doc, "id")));
	json_decref(doc);
	if (!api_audit(c, "agency.create", "agency", id, NULL, NULL, json, e))
		return false;
	api_set_header(c, "Location", arena_printf(c->arena, "/api/v1/agencies/%s", id));
	api_reply_json_text(c, 201, json);
	return true;
}

static bool get_agency(struct api_ctx *c, struct err *e)
{
	const char *id, *json;
	if (!api_param_uuid(c, 0, "agency.not_found", &id, e) || !db_agency_get(e, c->arena, id, false, &json))
		return false;
	if (!json)
		return err_set(e, ERR_NOT_FOUND, "agency.not_found", "No such agency.");
	api_reply_json_text(c, 200, json);
	return true;
}

static bool patch_agency(struct api_ctx *c, struct err *e)
{
	const char *id, *before, *after;
	struct db_agency_change g = {0};
	if (!api_param_uuid(c, 0, "agency.not_found", &id, e) || !db_agency_get(e, c->arena, id, true, &before))
		return false;
	if (!before)
		return err_set(e, ERR_NOT_FOUND, "agency.not_found", "No such agency.");
	if (!read_agency(c, false, &g, e))
		return false;
	if (!db_agency_update(e, c->arena, id, &g, &after))
		return taken(e);
	if (!api_audit(c, "agency.update", "agency", id, NULL, before, after, e))
		return false;
	api_reply_json_text(c, 200, after);
	return true;
}

static const char *const list_params[] = {"active", "q", "limit", "cursor", NULL};

static bool list_agencies(struct api_ctx *c, struct err *e)
{
	int limit;
	const char **cursor;
	api_query_limit(c, &limit, e);
	api_query_cursor(c, 1, &cursor, e);
	const char *active = api_query(c, "active"), *q = api_query(c, "q");
	if (active && strcmp(active, "true") != 0 && strcmp(active, "false") != 0)
		err_field(e, "active", "invalid", "true or false.");
	if (q)
		val_text(e, "q", q, 100, false, false);
	if (e->kind)
		return false;
	struct db_page page;
	if (!db_agency_list(e, c->arena, active, q, cursor ? cursor[0] : NULL, limit, &page))
		return false;
	api_reply_page(c, &page, 1);
	return true;
}

const struct route api_agencies_routes[] = {
	{"GET", "/api/v1/agencies", list_agencies, ACT_AGENCY_READ, API_TX_READ, API_BODY_NONE, 0, list_params},
	{"POST", "/api/v1/agencies", create_agency, ACT_AGENCY_WRITE, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{"GET", "/api/v1/agencies/{id}", get_agency, ACT_AGENCY_READ, API_TX_READ, API_BODY_NONE, 0, NULL},
	{"PATCH", "/api/v1/agencies/{id}", patch_agency, ACT_AGENCY_WRITE, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{0},
};
