/* clients.c — machine clients for the e-office (client-credentials grant).
 * The secret is shown once, in the creation answer; only its SHA-256 is
 * kept (a random 256-bit secret needs no slow hash). Revoking is final. */
#include <sodium.h>
#include <string.h>

#include "api/common.h"
#include "api/input.h"
#include "db/agencies.h"
#include "db/clients.h"

static const char *const fields[] = {"name", "agency_id", "write_scope", NULL};

/* Reads the optional "write_scope" ("own" | "visible") into *scope. */
static void read_scope(json_t *b, bool required, const char **scope, struct err *e)
{
	enum client_scope parsed;
	if (api_in_str(b, "write_scope", required ? API_REQUIRED : API_OPTIONAL, 16, scope, e) &&
	    !client_scope_parse(*scope, &parsed))
		err_field(e, "write_scope", "invalid", "own (only the requests it submitted) or visible.");
}

static bool create_client(struct api_ctx *c, struct err *e)
{
	json_t *b = api_body(c);
	const char *name, *agency_id, *scope = NULL;
	api_only_fields(b, "", fields, e);
	api_in_str(b, "name", API_REQUIRED, 200, &name, e);
	api_in_uuid(b, "agency_id", API_NULLABLE, &agency_id, e);
	read_scope(b, false, &scope, e);
	if (e->kind)
		return false;
	if (agency_id) {
		const char *json;
		if (!db_agency_get(e, c->arena, agency_id, false, &json))
			return false;
		if (!json)
			return err_field(e, "agency_id", "unknown", "No such agency.");
	}
	unsigned char raw[8];
	char hex[17];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
	const char *client_id = arena_printf(c->arena, "cli_%s", hex);
	const char *secret = api_random_token(c->arena, 32);
	struct db_client k;
	if (!db_client_insert(e, c->arena, client_id, api_sha256_bytea(c->arena, secret), name, agency_id,
			      c->who.subject, scope ? scope : client_scope_name(CLIENT_SCOPE_OWN), &k) ||
	    !api_audit(c, "client.create", "client", k.id, NULL, NULL, k.json, e))
		return false;
	json_t *doc = json_loads(k.json, 0, NULL);
	json_object_set_new(doc, "client_secret", json_string(secret));
	c->replay_body = k.json; /* the secret is shown once: a replay answers without it */
	api_set_header(c, "Location", arena_printf(c->arena, "/api/v1/clients/%s", k.id));
	api_reply_json(c, 201, doc);
	return true;
}

static bool patch_client(struct api_ctx *c, struct err *e)
{
	static const char *const patch_fields[] = {"write_scope", NULL};
	const char *id, *scope;
	json_t *b = api_body(c);
	if (!api_param_uuid(c, 0, "client.not_found", &id, e))
		return false;
	api_only_fields(b, "", patch_fields, e);
	read_scope(b, true, &scope, e);
	if (e->kind)
		return false;
	struct db_client k;
	bool found;
	if (!db_client_set_scope(e, c->arena, id, scope, &k, &found))
		return false;
	if (!found)
		return err_set(e, ERR_NOT_FOUND, "client.not_found", "No such client.");
	if (!api_audit(c, "client.update", "client", id, NULL, NULL, k.json, e))
		return false;
	api_reply_json_text(c, 200, k.json);
	return true;
}

static bool revoke_client(struct api_ctx *c, struct err *e)
{
	const char *id;
	struct db_client k;
	bool found;
	if (!api_param_uuid(c, 0, "client.not_found", &id, e) || !db_client_revoke(e, c->arena, id, &k, &found))
		return false;
	if (!found)
		return err_set(e, ERR_NOT_FOUND, "client.not_found", "No such client.");
	if (!api_audit(c, "client.revoke", "client", id, NULL, NULL, k.json, e))
		return false;
	api_reply_bytes(c, 204, NULL, NULL, 0);
	return true;
}

static const char *const list_params[] = {"limit", "cursor", NULL};

static bool list_clients(struct api_ctx *c, struct err *e)
{
	int limit;
	const char **cursor;
	api_query_limit(c, &limit, e);
	api_query_cursor(c, 2, &cursor, e);
	if (e->kind)
		return false;
	struct db_page page;
	if (!db_client_list(e, c->arena, cursor ? cursor[0] : NULL, cursor ? cursor[1] : NULL, limit, &page))
		return false;
	api_reply_page(c, &page, 2);
	return true;
}

const struct route api_clients_routes[] = {
	{"GET", "/api/v1/clients", list_clients, ACT_CLIENT_READ, API_TX_READ, API_BODY_NONE, 0, list_params},
	{"POST", "/api/v1/clients", create_client, ACT_CLIENT_WRITE, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{"PATCH", "/api/v1/clients/{id}", patch_client, ACT_CLIENT_WRITE, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{"DELETE", "/api/v1/clients/{id}", revoke_client, ACT_CLIENT_WRITE, API_TX_WRITE, API_BODY_NONE, 0, NULL},
	{0},
};
