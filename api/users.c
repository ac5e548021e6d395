/* users.c — accounts: /me for everyone, /users for administrators.
 *
 * Users are never deleted (the audit trail and every record point at them):
 * deactivation is `active: false`. A change of role, agency or active state
 * revokes the user's refresh tokens at once and their access tokens within
 * ALURD_AUTH_REFRESH seconds. Passwords follow core/validate.h's policy.
 */
#include <string.h>

#include "api/common.h"
#include "api/input.h"
#include "core/validate.h"
#include "db/agencies.h"
#include "db/clients.h"
#include "db/users.h"

static bool get_me(struct api_ctx *c, struct err *e)
{
	if (c->who.role == ROLE_INTEGRATION) {
		api_reply_json(c, 200,
			       json_pack("{s:s, s:s, s:o}", "id", c->who.subject, "role", "integration", "agency_id",
					 c->who.agency_id[0] ? json_string(c->who.agency_id) : json_null()));
		return true;
	}
	struct db_user u;
	bool found;
	if (!db_user_get(e, c->arena, c->who.subject, false, &u, &found))
		return false;
	if (!found)
		return err_set(e, ERR_NOT_FOUND, "user.not_found", "No such user.");
	api_reply_json_text(c, 200, u.json);
	return true;
}

static const char *const password_fields[] = {"old_password", "new_password", NULL};

static bool change_password(struct api_ctx *c, struct err *e)
{
	json_t *b = api_body(c);
	const char *old_pw, *new_pw;
	api_only_fields(b, "", password_fields, e);
	api_in_str(b, "old_password", API_REQUIRED, 1024, &old_pw, e);
	api_in_str(b, "new_password", API_REQUIRED, 1024, &new_pw, e);
	if (e->kind)
		return false;
	struct db_user u;
	bool found, ok, rehash;
	if (!db_user_get(e, c->arena, c->who.subject, true, &u, &found))
		return false;
	if (!found)
		return err_set(e, ERR_NOT_FOUND, "user.not_found", "No such user.");
	if (strlen(old_pw) > VAL_PASSWORD_MAX_BYTES)
		return err_field(e, "old_password", "wrong", "The current password is wrong.");
	if (!api_password_verify(u.password_hash, old_pw, &ok, &rehash, e))
		return false;
	if (!ok)
		return err_field(e, "old_password", "wrong", "The current password is wrong.");
	if (!val_password(e, "new_password", new_pw, u.username))
		return false;
	char hash[crypto_pwhash_STRBYTES];
	struct db_user_change ch = {.password_hash = hash, .must_change_password = "false"};
	if (!api_password_hash(new_pw, hash, e) || !db_user_update(e, c->arena, u.id, &ch, true, &u) ||
	    !api_audit(c, "user.password_changed", "user", u.id, NULL, NULL, NULL, e))
		return false;
	api_reply_bytes(c, 204, NULL, NULL, 0);
	return true;
}

/* Checks role/agency/signatory consistency against the stored agency. */
static bool check_agency_rules(struct api_ctx *c, const char *role, const char *agency_id, bool signatory,
			       struct err *e)
{
	bool is_pd = role && strcmp(role, "pd") == 0;
	if (is_pd && !agency_id)
		return err_field(e, "agency_id", "required", "A pd user belongs to exactly one agency.");
	if (!is_pd && agency_id)
		return err_field(e, "agency_id", "not_allowed", "Only pd users belong to an agency.");
	if (!is_pd && signatory)
		return err_field(e, "is_signatory", "not_allowed", "Only pd users can be the agency's signatory.");
	if (agency_id) {
		const char *json;
		if (!db_agency_get(e, c->arena, agency_id, false, &json))
			return false;
		if (!json)
			return err_field(e, "agency_id", "unknown", "No such agency.");
	}
	return true;
}

static bool role_ok(const char *role, struct err *e)
{
	enum role r = role_parse(role);
	if (r == ROLE_NONE || r == ROLE_INTEGRATION)
		return err_field(e, "role", "invalid",
				 "One of admin, kepala_dinas, sekretariat, kabid_iai, kasi_ai, tim_spbe, pd, auditor.");
	return true;
}

static const char *const create_fields[] = {"username", "full_name", "nip", "position", "role", "agency_id",
					    "is_signatory", "password", NULL};

static bool create_user(struct api_ctx *c, struct err *e)
{
	json_t *b = api_body(c);
	struct db_user_change u = {0};
	bool signatory = false;
	const char *password;
	api_only_fields(b, "", create_fields, e);
	if (api_in_str(b, "username", API_REQUIRED, 64, &u.username, e))
		val_username(e, "username", u.username);
	api_in_str(b, "full_name", API_REQUIRED, 200, &u.full_name, e);
	if (api_in_str(b, "nip", API_NULLABLE, 18, &u.nip, e) && u.nip)
		val_nip(e, "nip", u.nip);
	api_in_str(b, "position", API_NULLABLE, 200, &u.position, e);
	if (api_in_str(b, "role", API_REQUIRED, 32, &u.role, e))
		role_ok(u.role, e);
	api_in_uuid(b, "agency_id", API_NULLABLE, &u.agency_id, e);
	if (api_in_bool(b, "is_signatory", API_OPTIONAL, &signatory, e))
		u.is_signatory = signatory ? "true" : "false";
	if (api_in_str(b, "password", API_REQUIRED, 1024, &password, e) && u.username)
		val_password(e, "password", password, u.username);
	if (e->kind || !check_agency_rules(c, u.role, u.agency_id, signatory, e))
		return false;
	char hash[crypto_pwhash_STRBYTES];
	u.password_hash = hash;
	struct db_user out;
	if (!api_password_hash(password, hash, e))
		return false;
	if (!db_user_insert(e, c->arena, &u, &out)) {
		if (e->kind == ERR_CONFLICT)
			return err_set(e, ERR_CONFLICT, "user.username_taken", "This username is taken.");
		return false;
	}
	if (!api_audit(c, "user.create", "user", out.id, NULL, NULL, out.json, e))
		return false;
	api_set_header(c, "Location", arena_printf(c->arena, "/api/v1/users/%s", out.id));
	api_reply_json_text(c, 201, out.json);
	return true;
}

static bool load_user(struct api_ctx *c, bool lock, struct db_user *u, struct err *e)
{
	const char *id;
	bool found;
	if (!api_param_uuid(c, 0, "user.not_found", &id, e) || !db_user_get(e, c->arena, id, lock, u, &found))
		return false;
	if (!found)
		return err_set(e, ERR_NOT_FOUND, "user.not_found", "No such user.");
	return true;
}

static bool get_user(struct api_ctx *c, struct err *e)
{
	struct db_user u;
	if (!load_user(c, false, &u, e))
		return false;
	api_reply_json_text(c, 200, u.json);
	return true;
}

static const char *const patch_fields[] = {"full_name", "nip", "position", "role", "agency_id", "is_signatory", "active", NULL};

static bool patch_user(struct api_ctx *c, struct err *e)
{
	struct db_user before;
	if (!load_user(c, true, &before, e))
		return false;
	json_t *b = api_body(c);
	struct db_user_change u = {0};
	bool flag;
	api_only_fields(b, "", patch_fields, e);
	api_in_str(b, "full_name", API_OPTIONAL, 200, &u.full_name, e);
	if ((u.set_nip = api_in_str(b, "nip", API_NULLABLE, 18, &u.nip, e)) && u.nip)
		val_nip(e, "nip", u.nip);
	u.set_position = api_in_str(b, "position", API_NULLABLE, 200, &u.position, e);
	if (api_in_str(b, "role", API_OPTIONAL, 32, &u.role, e))
		role_ok(u.role, e);
	u.set_agency = api_in_uuid(b, "agency_id", API_NULLABLE, &u.agency_id, e);
	if (api_in_bool(b, "is_signatory", API_OPTIONAL, &flag, e))
		u.is_signatory = flag ? "true" : "false";
	if (api_in_bool(b, "active", API_OPTIONAL, &flag, e))
		u.active = flag ? "true" : "false";
	if (e->kind)
		return false;
	if (strcmp(before.id, c->who.subject) == 0 && (u.active || u.role))
		return err_set(e, ERR_CONFLICT, "user.self_change",
			       "Administrators cannot deactivate or re-role themselves; ask another administrator.");
	/* the resulting combination must hold together; leaving pd leaves the
	 * agency and the signatory flag unless the request says otherwise */
	const char *role = u.role ? u.role : before.role;
	bool to_non_pd = strcmp(role, "pd") != 0;
	if (to_non_pd && !u.set_agency) {
		u.set_agency = true;
		u.agency_id = NULL;
	}
	if (to_non_pd && !u.is_signatory)
		u.is_signatory = "false";
	const char *agency = u.set_agency ? u.agency_id : before.agency_id;
	bool signatory = u.is_signatory ? strcmp(u.is_signatory, "true") == 0 : before.is_signatory;
	if (!check_agency_rules(c, role, agency, signatory, e))
		return false;
	struct db_user after;
	if (!db_user_update(e, c->arena, before.id, &u, false, &after) ||
	    !api_audit(c, "user.update", "user", before.id, NULL, before.json, after.json, e))
		return false;
	api_reply_json_text(c, 200, after.json);
	return true;
}

static const char *const reset_fields[] = {"password", NULL};

static bool reset_password(struct api_ctx *c, struct err *e)
{
	struct db_user u;
	if (!load_user(c, true, &u, e))
		return false;
	json_t *b = api_body(c);
	const char *password;
	api_only_fields(b, "", reset_fields, e);
	if (api_in_str(b, "password", API_REQUIRED, 1024, &password, e))
		val_password(e, "password", password, u.username);
	if (e->kind)
		return false;
	char hash[crypto_pwhash_STRBYTES];
	struct db_user_change ch = {.password_hash = hash, .must_change_password = "true"};
	if (!api_password_hash(password, hash, e) || !db_user_update(e, c->arena, u.id, &ch, true, &u) ||
	    !api_audit(c, "user.password_reset", "user", u.id, NULL, NULL, NULL, e))
		return false;
	api_reply_bytes(c, 204, NULL, NULL, 0);
	return true;
}

static const char *const list_params[] = {"role", "agency_id", "active", "q", "limit", "cursor", NULL};

static bool list_users(struct api_ctx *c, struct err *e)
{
	int limit;
	const char **cursor;
	api_query_limit(c, &limit, e);
	api_query_cursor(c, 1, &cursor, e);
	const char *role = api_query(c, "role"), *agency = api_query(c, "agency_id"), *active = api_query(c, "active");
	const char *q = api_query(c, "q");
	if (role)
		role_ok(role, e);
	if (agency && !val_is_uuid(agency))
		err_field(e, "agency_id", "invalid", "Must be a UUID.");
	if (active && strcmp(active, "true") != 0 && strcmp(active, "false") != 0)
		err_field(e, "active", "invalid", "true or false.");
	if (q)
		val_text(e, "q", q, 100, false, false);
	if (e->kind)
		return false;
	struct db_page page;
	if (!db_user_list(e, c->arena, role, agency, active, q, cursor ? cursor[0] : NULL, limit, &page))
		return false;
	api_reply_page(c, &page, 1);
	return true;
}

const struct route api_users_routes[] = {
	{"GET", "/api/v1/me", get_me, ACT_SELF_READ, API_TX_READ, API_BODY_NONE, 0, NULL},
	{"POST", "/api/v1/me/password", change_password, ACT_SELF_PASSWORD, API_TX_WRITE, API_BODY_JSON, 8192, NULL},
	{"GET", "/api/v1/users", list_users, ACT_USER_READ, API_TX_READ, API_BODY_NONE, 0, list_params},
	{"POST", "/api/v1/users", create_user, ACT_USER_WRITE, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{"GET", "/api/v1/users/{id}", get_user, ACT_USER_READ, API_TX_READ, API_BODY_NONE, 0, NULL},
	{"PATCH", "/api/v1/users/{id}", patch_user, ACT_USER_WRITE, API_TX_WRITE, API_BODY_JSON, 0, NULL},
	{"POST", "/api/v1/users/{id}/password-reset", reset_password, ACT_USER_WRITE, API_TX_WRITE, API_BODY_JSON, 8192, NULL},
	{0},
};
