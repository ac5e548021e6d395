/* test_accounts.c — who may do what to accounts, agencies and clients, and
 * the accounts themselves: every role (and no token, and a machine client)
 * against every administrative route, account validation and changes,
 * Idempotency-Key on user creation, and the administrator's command line.
 *
 * One Check suite per concern, each its own ctest (`test_accounts SUITE`):
 *
 *   authz      the role x route table (core/authz.c seen from outside) with
 *              real sign-ins of every role; refusals change nothing; GET /me
 *              for every role
 *   accounts   validation of new users, PATCH moves and re-roles, an admin
 *              cannot deactivate or re-role themself, users are never
 *              deleted, nothing secret in answers, Idempotency-Key replay
 *   admin_cli  `alurd admin create` twice and with weak passwords,
 *              `alurd seed-demo` twice (and a seeded user can sign in)
 */
#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/api/ident.h"

/* True when a JSON document holds anything secret: a member named like a
 * password, hash or secret, or a string that looks like an Argon2 hash. */
static bool holds_secret(const json_t *j)
{
	static const char *const names[] = {"password", "password_hash", "secret_hash", "client_secret",
					    "tokens_valid_after", NULL};
	if (json_is_string(j))
		return strncmp(json_string_value(j), "$argon2", 7) == 0;
	if (json_is_array(j)) {
		size_t i;
		json_t *v;
		json_array_foreach(j, i, v)
			if (holds_secret(v))
				return true;
		return false;
	}
	if (json_is_object(j)) {
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)(uintptr_t)j, k, v)
		{
			for (int n = 0; names[n]; n++)
				if (strcmp(k, names[n]) == 0)
					return true;
			if (holds_secret(v))
				return true;
		}
	}
	return false;
}

/* ==== authz ===================================================================== */

enum who { W_ADMIN, W_KADIS, W_SEKRE, W_KABID, W_KASI, W_TIM, W_PD, W_AUDITOR, W_INTEGRATION, W_NONE, W_COUNT };
static const char *const who_role[W_COUNT] = {"admin",    "kepala_dinas", "sekretariat", "kabid_iai",   "kasi_ai",
					      "tim_spbe", "pd",           "auditor",     "integration", "(no token)"};
#define BIT(w) (1u << (w))
#define EVERYONE (BIT(W_COUNT) - 1u)

static char g_tok[W_COUNT][2048], g_uid[W_COUNT][40];
static char g_victim[40], g_victim_client[40];

static void up_authz(void)
{
	id_up("authz", NULL, true);
	snprintf(g_tok[W_ADMIN], sizeof g_tok[0], "%s", g_id.admin_token);
	snprintf(g_uid[W_ADMIN], sizeof g_uid[0], "%s", g_id.admin_id);
	for (int w = W_KADIS; w <= W_AUDITOR; w++) {
		const char *name = id_fmt("authz.%s", who_role[w]);
		id_user_create(g_id.d, name, who_role[w], w == W_PD ? g_id.agency_a : NULL, g_uid[w]);
		id_login(g_id.d, name, ID_PASSWORD, g_tok[w], sizeof g_tok[w], NULL, 0);
	}
	id_user_create(g_id.d, "authz.victim", "tim_spbe", NULL, g_victim);
	/* the machine client */
	struct ts_resp *r = ts_post_json(g_id.d, "/api/v1/clients", g_id.admin_token, "{\"name\":\"e-office\"}");
	ck_assert_int_eq(r->status, 201);
	snprintf(g_uid[W_INTEGRATION], sizeof g_uid[0], "%s", id_str(r->json, "id"));
	r = ts_post_json(g_id.d, "/api/v1/auth/token", NULL,
			 id_fmt("{\"grant_type\":\"client_credentials\",\"client_id\":\"%s\",\"client_secret\":\"%s\"}",
				id_str(r->json, "client_id"), id_str(r->json, "client_secret")));
	ck_assert_int_eq(r->status, 200);
	snprintf(g_tok[W_INTEGRATION], sizeof g_tok[0], "%s", id_str(r->json, "access_token"));
	r = ts_post_json(g_id.d, "/api/v1/clients", g_id.admin_token, "{\"name\":\"to be revoked\"}");
	ck_assert_int_eq(r->status, 201);
	snprintf(g_victim_client, sizeof g_victim_client, "%s", id_str(r->json, "id"));
	ts_gc();
}

enum route_id {
	USERS_LIST, USERS_CREATE, USER_GET, USER_PATCH, USER_RESET,
	AGENCIES_LIST, AGENCIES_CREATE, AGENCY_GET, AGENCY_PATCH,
	CLIENTS_LIST, CLIENTS_CREATE, CLIENT_PATCH, CLIENT_REVOKE, ROUTE_COUNT
};

struct route {
	const char *method, *name;
	unsigned may; /* who besides the admin may */
	long admin_status;
};

static const struct route routes[ROUTE_COUNT] = {
	[USERS_LIST] = {"GET", "GET /users", BIT(W_AUDITOR), 200},
	[USERS_CREATE] = {"POST", "POST /users", 0, 201},
	[USER_GET] = {"GET", "GET /users/{id}", BIT(W_AUDITOR), 200},
	[USER_PATCH] = {"PATCH", "PATCH /users/{id}", 0, 200},
	[USER_RESET] = {"POST", "POST /users/{id}/password-reset", 0, 204},
	[AGENCIES_LIST] = {"GET", "GET /agencies", EVERYONE & ~BIT(W_NONE), 200},
	[AGENCIES_CREATE] = {"POST", "POST /agencies", 0, 201},
	[AGENCY_GET] = {"GET", "GET /agencies/{id}", EVERYONE & ~BIT(W_NONE), 200},
	[AGENCY_PATCH] = {"PATCH", "PATCH /agencies/{id}", 0, 200},
	[CLIENTS_LIST] = {"GET", "GET /clients", BIT(W_AUDITOR), 200},
	[CLIENTS_CREATE] = {"POST", "POST /clients", 0, 201},
	[CLIENT_PATCH] = {"PATCH", "PATCH /clients/{id}", 0, 200},
	[CLIENT_REVOKE] = {"DELETE", "DELETE /clients/{id}", 0, 204},
};

/* The path and a valid body for route rt as tried by w (unique per caller,
 * so an allowed attempt would really succeed, not collide). */
static void route_request(enum route_id rt, enum who w, const char **path, const char **body)
{
	*body = NULL;
	switch (rt) {
	case USERS_LIST: *path = "/api/v1/users"; break;
	case USERS_CREATE:
		*path = "/api/v1/users";
		*body = id_fmt("{\"username\":\"made.by.%d\",\"full_name\":\"Made by %s\",\"role\":\"tim_spbe\","
			       "\"password\":\"" ID_PASSWORD "\"}",
			       (int)w, who_role[w]);
		break;
	case USER_GET: *path = id_fmt("/api/v1/users/%s", g_victim); break;
	case USER_PATCH:
		*path = id_fmt("/api/v1/users/%s", g_victim);
		*body = id_fmt("{\"full_name\":\"Changed by %d\"}", (int)w);
		break;
	case USER_RESET:
		*path = id_fmt("/api/v1/users/%s/password-reset", g_victim);
		*body = id_fmt("{\"password\":\"reset-by-caller-%d\"}", (int)w);
		break;
	case AGENCIES_LIST: *path = "/api/v1/agencies"; break;
	case AGENCIES_CREATE:
		*path = "/api/v1/agencies";
		*body = id_fmt("{\"code\":\"NEW%d\",\"name\":\"Made by %s\"}", (int)w, who_role[w]);
		break;
	case AGENCY_GET: *path = id_fmt("/api/v1/agencies/%s", g_id.agency_a); break;
	case AGENCY_PATCH:
		*path = id_fmt("/api/v1/agencies/%s", g_id.agency_a);
		*body = id_fmt("{\"head_name\":\"Changed by %d\"}", (int)w);
		break;
	case CLIENTS_LIST: *path = "/api/v1/clients"; break;
	case CLIENTS_CREATE:
		*path = "/api/v1/clients";
		*body = id_fmt("{\"name\":\"made by %s\"}", who_role[w]);
		break;
	case CLIENT_PATCH:
		*path = id_fmt("/api/v1/clients/%s", g_victim_client);
		*body = "{\"write_scope\":\"visible\"}";
		break;
	case CLIENT_REVOKE: *path = id_fmt("/api/v1/clients/%s", g_victim_client); break;
	default: ck_abort();
	}
}

static struct ts_resp *call_as(enum who w, enum route_id rt)
{
	const char *path, *body;
	route_request(rt, w, &path, &body);
	const char *h[3];
	int n = 0;
	if (w != W_NONE)
		h[n++] = id_fmt("Authorization: Bearer %s", g_tok[w]);
	if (body)
		h[n++] = "Content-Type: application/json";
	h[n] = NULL;
	return ts_http(g_id.d, routes[rt].method, path, h, body, body ? strlen(body) : 0);
}

/* what the refusals must not have changed */
static const char *state(void)
{
	static char s[2048];
	char v[1024];
	ck_assert(ts_sql_value(g_id.db,
			       "SELECT (SELECT count(*) FROM users) || '/' || (SELECT count(*) FROM agencies) || '/' ||"
			       " (SELECT count(*) FROM clients) || '/' || (SELECT count(*) FROM clients WHERE revoked_at IS"
			       " NOT NULL) || '/' || (SELECT count(*) FROM clients WHERE write_scope = 'visible')",
			       v, sizeof v));
	snprintf(s, sizeof s, "%s", v);
	ck_assert(ts_sql_value(g_id.db,
			       id_fmt("SELECT full_name || '/' || md5(password_hash) || '/' || must_change_password::text ||"
				      " '/' || tokens_valid_after::text FROM users WHERE id = '%s'",
				      g_victim),
			       v, sizeof v));
	strncat(s, " ", sizeof s - strlen(s) - 1);
	strncat(s, v, sizeof s - strlen(s) - 1);
	ck_assert(ts_sql_value(g_id.db,
			       id_fmt("SELECT coalesce(head_name, '') || '/' || updated_at::text FROM agencies WHERE id = '%s'",
				      g_id.agency_a),
			       v, sizeof v));
	strncat(s, " ", sizeof s - strlen(s) - 1);
	strncat(s, v, sizeof s - strlen(s) - 1);
	return s;
}

START_TEST(test_every_role_against_every_admin_route)
{
	char before[2048];
	snprintf(before, sizeof before, "%s", state());
	int refused = 0, allowed = 0;
	for (enum who w = W_KADIS; w < W_COUNT; w++) {
		for (enum route_id rt = 0; rt < ROUTE_COUNT; rt++) {
			struct ts_resp *r = call_as(w, rt);
			if (w == W_NONE) {
				ck_assert_msg(r->status == 401, "no token, %s: %ld %.200s", routes[rt].name, r->status,
					      r->body);
				ID_401(r, "auth.missing_token");
			} else if (routes[rt].may & BIT(w)) {
				ck_assert_msg(r->status == 200, "%s, %s: %ld (200 expected) %.200s", who_role[w],
					      routes[rt].name, r->status, r->body);
				ck_assert_msg(json_is_object(r->json) && !holds_secret(r->json),
					      "%s, %s: a secret in the answer: %.400s", who_role[w], routes[rt].name,
					      r->body);
				allowed++;
			} else {
				ck_assert_msg(r->status == 403, "%s, %s: %ld (403 expected) %.200s", who_role[w],
					      routes[rt].name, r->status, r->body);
				ID_PROBLEM(r, 403, "auth.forbidden");
				refused++;
			}
		}
	}
	ck_assert_str_eq(state(), before);
	fprintf(stderr, "authz: %d refusals and %d allowed reads checked for the other roles\n", refused, allowed);

	/* the administrator, last (it revokes the victim client, resets the victim) */
	for (enum route_id rt = 0; rt < ROUTE_COUNT; rt++) {
		struct ts_resp *r = call_as(W_ADMIN, rt);
		ck_assert_msg(r->status == routes[rt].admin_status, "admin, %s: %ld (%ld expected) %.300s",
			      routes[rt].name, r->status, routes[rt].admin_status, r->body);
	}
	ck_assert_str_ne(state(), before);
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM users WHERE username = 'made.by.%d'", (int)W_ADMIN), 1);
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM users WHERE username LIKE 'made.by.%%'"), 1);
}
END_TEST

/* Today + offset days in the calendar's zone (Asia/Makassar, UTC+8). */
static const char *local_day(int offset)
{
	time_t t = time(NULL) + 8 * 3600 + (time_t)offset * 86400;
	struct tm tm;
	gmtime_r(&t, &tm);
	return id_fmt("%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static const char *delegation_body(const char *act, int from)
{
	return id_fmt("{\"kind\":\"plh\",\"position\":\"kepala_dinas\",\"principal_id\":\"%s\",\"delegate_id\":\"%s\","
		      "\"acts\":[\"%s\"],\"starts_on\":\"%s\",\"ends_on\":\"%s\",\"letter_number\":\"800/1/BKPSDM/2026\","
		      "\"letter_date\":\"%s\"}",
		      g_uid[W_KADIS], g_victim, act, local_day(from), local_day(from + 1), local_day(0));
}

/* The delegation routes for every role: reads for every person (a
 * delegation only to those it names, else 404), writes for admin and the
 * principal; the refusals change nothing. */
START_TEST(test_every_role_against_the_delegation_routes)
{
	struct ts_resp *r = ts_post_json(g_id.d, "/api/v1/delegations", g_id.admin_token, delegation_body("issue_st", 30));
	ID_STATUS(r, 201);
	char d[40];
	snprintf(d, sizeof d, "%s", id_str(r->json, "id"));
	char one[80];
	snprintf(one, sizeof one, "/api/v1/delegations/%s", d);
	long before = id_sql_long("SELECT count(*) FROM delegations");
	for (enum who w = W_KADIS; w < W_COUNT; w++) {
		const char *tok = w == W_NONE ? NULL : g_tok[w];
		struct ts_resp *list = ts_get(g_id.d, "/api/v1/delegations", tok);
		struct ts_resp *get = ts_get(g_id.d, one, tok);
		struct ts_resp *post = ts_post_json(g_id.d, "/api/v1/delegations", tok, delegation_body("dispose", 40));
		struct ts_resp *del = ts_delete(g_id.d, one, tok);
		if (w == W_NONE) {
			ID_401(list, "auth.missing_token");
			ID_401(get, "auth.missing_token");
			ID_401(post, "auth.missing_token");
			ID_401(del, "auth.missing_token");
			continue;
		}
		if (w == W_INTEGRATION) {
			ID_PROBLEM(list, 403, "auth.forbidden");
			ID_PROBLEM(get, 403, "auth.forbidden");
		} else {
			ID_STATUS(list, 200);
			if (w == W_KADIS || w == W_AUDITOR)
				ID_STATUS(get, 200);
			else
				ID_PROBLEM(get, 404, "delegation.not_found");
		}
		if (w == W_INTEGRATION || w == W_AUDITOR) {
			ID_PROBLEM(post, 403, "auth.forbidden");
			ID_PROBLEM(del, 403, "auth.forbidden");
		} else if (w == W_KADIS) {
			ID_STATUS(post, 201); /* the principal, for himself */
			ID_STATUS(del, 200);
		} else {
			ID_PROBLEM(post, 403, "delegation.not_principal");
			ID_PROBLEM(del, 404, "delegation.not_found");
		}
	}
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM delegations"), before + 1);
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM delegations WHERE revoked_at IS NOT NULL"), 1);
	ID_STATUS(ts_get(g_id.d, "/api/v1/delegations", g_id.admin_token), 200);
	ID_STATUS(ts_get(g_id.d, one, g_id.admin_token), 200);
	ID_PROBLEM(ts_delete(g_id.d, one, g_id.admin_token), 409, "delegation.revoked");
	ID_STATUS(ts_post_json(g_id.d, "/api/v1/delegations", g_id.admin_token, delegation_body("sign_ba", 30)), 201);
}
END_TEST

START_TEST(test_refusal_comes_before_the_body_is_read)
{
	/* a non-admin learns nothing about validation: 403 even for garbage */
	const char *h[] = {id_fmt("Authorization: Bearer %s", g_tok[W_KASI]), "Content-Type: application/json", NULL};
	ID_PROBLEM(ts_http(g_id.d, "POST", "/api/v1/users", h, "{", 1), 403, "auth.forbidden");
	ID_PROBLEM(ts_http(g_id.d, "PATCH", "/api/v1/users/not-a-uuid", h, "[]", 2), 403, "auth.forbidden");
	/* and an unknown user id is a 403 for them, a 404 for the admin */
	ID_PROBLEM(ts_get(g_id.d, "/api/v1/users/00000000-0000-4000-8000-000000000000", g_tok[W_PD]), 403,
		   "auth.forbidden");
	ID_PROBLEM(ts_get(g_id.d, "/api/v1/users/00000000-0000-4000-8000-000000000000", g_tok[W_AUDITOR]), 404,
		   "user.not_found");
}
END_TEST

START_TEST(test_me_for_every_role)
{
	for (enum who w = W_ADMIN; w <= W_INTEGRATION; w++) {
		struct ts_resp *r = ts_get(g_id.d, "/api/v1/me", g_tok[w]);
		ck_assert_msg(r->status == 200, "%s: GET /me %ld %.300s", who_role[w], r->status, r->body);
		ck_assert_str_eq(id_str(r->json, "role"), who_role[w]);
		ck_assert_str_eq(id_str(r->json, "id"), g_uid[w]);
		if (w == W_PD)
			ck_assert_str_eq(id_str(r->json, "agency_id"), g_id.agency_a);
		else
			ck_assert_msg(json_is_null(json_object_get(r->json, "agency_id")), "%s: agency_id in %s",
				      who_role[w], r->body);
		if (w != W_INTEGRATION) {
			ck_assert_str_eq(id_str(r->json, "username"), w == W_ADMIN ? ID_ADMIN : id_fmt("authz.%s", who_role[w]));
			ck_assert(json_is_true(json_object_get(r->json, "active")));
		}
		ck_assert_msg(!holds_secret(r->json), "%s: GET /me reveals a secret: %s", who_role[w], r->body);
	}
	ID_401(ts_get(g_id.d, "/api/v1/me", NULL), "auth.missing_token");
}
END_TEST

static Suite *authz_suite(void)
{
	Suite *s = suite_create("authz");
	TCase *tc = id_tcase("authz", up_authz, id_down);
	tcase_add_test(tc, test_me_for_every_role);
	tcase_add_test(tc, test_refusal_comes_before_the_body_is_read);
	tcase_add_test(tc, test_every_role_against_every_admin_route);
	tcase_add_test(tc, test_every_role_against_the_delegation_routes);
	id_add_clean_stop(tc);
	suite_add_tcase(s, tc);
	return s;
}

/* ==== accounts =================================================================== */

static void up_accounts(void)
{
	id_up("accounts", NULL, true);
}

static long users_count(void)
{
	return id_sql_long("SELECT count(*) FROM users");
}

/* POST /users with body: 400 request.invalid listing field. */
static void assert_create_refused(const char *body, const char *field)
{
	struct ts_resp *r = ts_post_json(g_id.d, "/api/v1/users", g_id.admin_token, body);
	ck_assert_msg(r->status == 400, "%s: %ld (400 on %s expected) %.300s", body, r->status, field, r->body);
	ID_PROBLEM(r, 400, "request.invalid");
	ck_assert_msg(id_field_error(r, field), "%s: no error on %s: %.400s", body, field, r->body);
}

static const char *user_body(const char *username, const char *role, const char *agency, const char *extra)
{
	return id_fmt("{\"username\":\"%s\",\"full_name\":\"Test\",\"role\":\"%s\"%s%s%s,\"password\":\"" ID_PASSWORD
		      "\"%s}",
		      username, role, agency ? ",\"agency_id\":\"" : "", agency ? agency : "", agency ? "\"" : "",
		      extra ? extra : "");
}

START_TEST(test_create_validation)
{
	long n = users_count();
	assert_create_refused(user_body("acc.nip", "kasi_ai", NULL, ",\"nip\":\"12345678901234567\""), "nip");
	assert_create_refused(user_body("acc.nip", "kasi_ai", NULL, ",\"nip\":\"1234567890123456789\""), "nip");
	assert_create_refused(user_body("acc.nip", "kasi_ai", NULL, ",\"nip\":\"12345678901234567X\""), "nip");
	assert_create_refused(user_body("acc.nip", "kasi_ai", NULL, ",\"nip\":198807172015032002"), "nip");
	assert_create_refused(user_body("acc.pd", "pd", NULL, NULL), "agency_id");
	assert_create_refused(user_body("acc.pd", "pd", "00000000-0000-4000-8000-000000000000", NULL), "agency_id");
	assert_create_refused(user_body("acc.pd", "pd", "not-a-uuid", NULL), "agency_id");
	assert_create_refused(user_body("acc.kasi", "kasi_ai", g_id.agency_a, NULL), "agency_id");
	assert_create_refused(user_body("acc.kasi", "kasi_ai", NULL, ",\"is_signatory\":true"), "is_signatory");
	assert_create_refused(user_body("acc.kasi", "integration", NULL, NULL), "role");
	assert_create_refused(user_body("acc.kasi", "root", NULL, NULL), "role");
	assert_create_refused(user_body("acc.kasi", "ADMIN", NULL, NULL), "role");
	assert_create_refused(user_body("Acc.Upper", "kasi_ai", NULL, NULL), "username");
	assert_create_refused(user_body("ab", "kasi_ai", NULL, NULL), "username");
	assert_create_refused(user_body("has space", "kasi_ai", NULL, NULL), "username");
	assert_create_refused(user_body("acc.kasi", "kasi_ai", NULL, ",\"is_admin\":true"), "is_admin");
	assert_create_refused(user_body("acc.kasi", "kasi_ai", NULL, ",\"active\":false"), "active");
	/* the password policy */
	assert_create_refused("{\"username\":\"acc.pw\",\"full_name\":\"T\",\"role\":\"kasi_ai\",\"password\":\"short-pw-1\"}",
			      "password");
	assert_create_refused("{\"username\":\"acc.long.username\",\"full_name\":\"T\",\"role\":\"kasi_ai\","
			      "\"password\":\"ACC.LONG.USERNAME\"}",
			      "password");
	assert_create_refused("{\"username\":\"acc.pw\",\"full_name\":\"T\",\"role\":\"kasi_ai\","
			      "\"password\":\"zzzzzzzzzzzzzzzzzzzz\"}",
			      "password");
	char pw[200];
	memset(pw, 'q', 129);
	memcpy(pw, "Ab1-", 4);
	pw[129] = '\0';
	assert_create_refused(id_fmt("{\"username\":\"acc.pw\",\"full_name\":\"T\",\"role\":\"kasi_ai\",\"password\":\"%s\"}",
				     pw),
			      "password");
	/* every bad field at once */
	struct ts_resp *r = ts_post_json(g_id.d, "/api/v1/users", g_id.admin_token,
					 "{\"username\":\"A\",\"full_name\":\"T\",\"role\":\"root\",\"nip\":\"1\","
					 "\"password\":\"x\"}");
	ID_PROBLEM(r, 400, "request.invalid");
	ck_assert_msg(id_field_error(r, "username") && id_field_error(r, "role") && id_field_error(r, "nip") &&
			      id_field_error(r, "password"),
		      "not every bad field is listed: %.600s", r->body);
	ck_assert_int_eq(users_count(), n);
}
END_TEST

START_TEST(test_duplicate_username)
{
	char id[40];
	id_user_create(g_id.d, "acc.dup", "kasi_ai", NULL, id);
	struct ts_resp *r = ts_post_json(g_id.d, "/api/v1/users", g_id.admin_token, user_body("acc.dup", "auditor", NULL, NULL));
	ID_PROBLEM(r, 409, "user.username_taken");
	/* the username of the administrator made by the command line, too */
	r = ts_post_json(g_id.d, "/api/v1/users", g_id.admin_token, user_body(ID_ADMIN, "admin", NULL, NULL));
	ID_PROBLEM(r, 409, "user.username_taken");
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM users WHERE lower(username) = 'acc.dup'"), 1);
	ck_assert_int_eq(id_audit_count("user.create", id), 1);
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM audit_log WHERE action = 'user.create' AND record_id = '%s'"
				     " AND actor_id = '%s' AND actor_role = 'admin' AND after->>'username' = 'acc.dup'",
				     id, g_id.admin_id),
			 1);
}
END_TEST

START_TEST(test_patch_moves_and_reroles)
{
	char id[40];
	struct ts_resp *r = ts_post_json(g_id.d, "/api/v1/users", g_id.admin_token,
					 user_body("acc.mover", "pd", g_id.agency_a, ",\"is_signatory\":true,\"nip\":\"198807172015032002\""));
	ID_STATUS(r, 201);
	snprintf(id, sizeof id, "%s", id_str(r->json, "id"));
	ck_assert_str_eq(ts_header(r, "Location"), id_fmt("/api/v1/users/%s", id));
	ck_assert(json_is_true(json_object_get(r->json, "is_signatory")));
	const char *path = id_fmt("/api/v1/users/%s", id);
	char p[128];
	snprintf(p, sizeof p, "%s", path);

	/* moved to agency B */
	r = ts_patch_json(g_id.d, p, g_id.admin_token, id_fmt("{\"agency_id\":\"%s\"}", g_id.agency_b));
	ID_STATUS(r, 200);
	ck_assert_str_eq(id_str(r->json, "agency_id"), g_id.agency_b);
	ck_assert_str_eq(id_str(r->json, "role"), "pd");
	/* re-roled: leaves the agency and the signatory flag */
	r = ts_patch_json(g_id.d, p, g_id.admin_token, "{\"role\":\"kasi_ai\"}");
	ID_STATUS(r, 200);
	ck_assert_str_eq(id_str(r->json, "role"), "kasi_ai");
	ck_assert(json_is_null(json_object_get(r->json, "agency_id")));
	ck_assert(json_is_false(json_object_get(r->json, "is_signatory")));
	/* combinations that do not hold */
	r = ts_patch_json(g_id.d, p, g_id.admin_token, "{\"role\":\"pd\"}");
	ID_PROBLEM(r, 400, "request.invalid");
	ck_assert(id_field_error(r, "agency_id"));
	r = ts_patch_json(g_id.d, p, g_id.admin_token, id_fmt("{\"agency_id\":\"%s\"}", g_id.agency_a));
	ID_PROBLEM(r, 400, "request.invalid");
	ck_assert(id_field_error(r, "agency_id"));
	r = ts_patch_json(g_id.d, p, g_id.admin_token, "{\"is_signatory\":true}");
	ID_PROBLEM(r, 400, "request.invalid");
	ck_assert(id_field_error(r, "is_signatory"));
	r = ts_patch_json(g_id.d, p, g_id.admin_token, "{\"role\":\"integration\"}");
	ID_PROBLEM(r, 400, "request.invalid");
	ck_assert(id_field_error(r, "role"));
	/* fields PATCH never takes */
	r = ts_patch_json(g_id.d, p, g_id.admin_token, "{\"username\":\"acc.renamed\"}");
	ID_PROBLEM(r, 400, "request.invalid");
	ck_assert(id_field_error(r, "username"));
	r = ts_patch_json(g_id.d, p, g_id.admin_token, "{\"password\":\"" ID_PASSWORD "x\"}");
	ID_PROBLEM(r, 400, "request.invalid");
	ck_assert(id_field_error(r, "password"));
	r = ts_patch_json(g_id.d, p, g_id.admin_token, "{\"id\":\"00000000-0000-4000-8000-000000000000\"}");
	ID_PROBLEM(r, 400, "request.invalid");
	r = ts_patch_json(g_id.d, p, g_id.admin_token, "{\"nip\":\"12345678901234567\"}");
	ID_PROBLEM(r, 400, "request.invalid");
	ck_assert(id_field_error(r, "nip"));
	/* back to pd with an agency, in one request; the NIP cleared */
	r = ts_patch_json(g_id.d, p, g_id.admin_token,
			  id_fmt("{\"role\":\"pd\",\"agency_id\":\"%s\",\"is_signatory\":true,\"nip\":null}", g_id.agency_a));
	ID_STATUS(r, 200);
	ck_assert_str_eq(id_str(r->json, "agency_id"), g_id.agency_a);
	ck_assert(json_is_true(json_object_get(r->json, "is_signatory")));
	ck_assert(json_is_null(json_object_get(r->json, "nip")));
	ck_assert_str_eq(id_str(r->json, "username"), "acc.mover");
	/* GET agrees */
	r = ts_get(g_id.d, p, g_id.admin_token);
	ID_STATUS(r, 200);
	ck_assert_str_eq(id_str(r->json, "agency_id"), g_id.agency_a);
	/* unknown and malformed ids */
	ID_PROBLEM(ts_patch_json(g_id.d, "/api/v1/users/00000000-0000-4000-8000-000000000000", g_id.admin_token,
				 "{\"full_name\":\"x\"}"),
		   404, "user.not_found");
	ID_PROBLEM(ts_get(g_id.d, "/api/v1/users/not-a-uuid", g_id.admin_token), 404, "user.not_found");
	/* three changes, three audit rows with before and after */
	ck_assert_int_eq(id_audit_count("user.update", id), 3);
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM audit_log WHERE action = 'user.update' AND record_id = '%s'"
				     " AND before IS NOT NULL AND after IS NOT NULL AND actor_id = '%s'",
				     id, g_id.admin_id),
			 3);
}
END_TEST

START_TEST(test_admin_cannot_deactivate_or_rerole_themself)
{
	const char *me = id_fmt("/api/v1/users/%s", g_id.admin_id);
	char p[128];
	snprintf(p, sizeof p, "%s", me);
	ID_PROBLEM(ts_patch_json(g_id.d, p, g_id.admin_token, "{\"active\":false}"), 409, "user.self_change");
	ID_PROBLEM(ts_patch_json(g_id.d, p, g_id.admin_token, "{\"role\":\"auditor\"}"), 409, "user.self_change");
	ID_PROBLEM(ts_patch_json(g_id.d, p, g_id.admin_token, "{\"active\":true,\"full_name\":\"x\"}"), 409,
		   "user.self_change");
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM users WHERE id = '%s' AND active AND role = 'admin'",
				     g_id.admin_id),
			 1);
	/* other fields are fine, and the token keeps working */
	ID_STATUS(ts_patch_json(g_id.d, p, g_id.admin_token, "{\"full_name\":\"Root Administrator\"}"), 200);
	ts_nap_ms(1500);
	ID_STATUS(ts_get(g_id.d, "/api/v1/me", g_id.admin_token), 200);
}
END_TEST

START_TEST(test_users_are_never_deleted)
{
	char id[40];
	id_user_create(g_id.d, "acc.keep", "auditor", NULL, id);
	struct ts_resp *r = ts_http_unrecorded(g_id.d, "DELETE", id_fmt("/api/v1/users/%s", id),
					       (const char *[]){id_fmt("Authorization: Bearer %s", g_id.admin_token), NULL},
					       NULL, 0);
	ID_PROBLEM(r, 405, "http.method_not_allowed");
	const char *allow = ts_header(r, "Allow");
	ck_assert_msg(allow && strstr(allow, "GET") && strstr(allow, "PATCH") && !strstr(allow, "DELETE"), "Allow: %s",
		      allow ? allow : "(none)");
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM users WHERE id = '%s'", id), 1);
	/* deactivation is the way, and the user is still listed */
	ID_STATUS(ts_patch_json(g_id.d, id_fmt("/api/v1/users/%s", id), g_id.admin_token, "{\"active\":false}"), 200);
	r = ts_get(g_id.d, "/api/v1/users?active=false", g_id.admin_token);
	ID_STATUS(r, 200);
	ck_assert_msg(strstr(r->body, id), "the deactivated user is not listed: %.300s", r->body);
	/* the audit trail cannot be rewritten either, whoever asks */
	ck_assert(!ts_sql(g_id.db, "DELETE FROM audit_log"));
}
END_TEST

START_TEST(test_no_secret_in_answers)
{
	struct ts_resp *r = ts_get(g_id.d, "/api/v1/users?limit=200", g_id.admin_token);
	ID_STATUS(r, 200);
	ck_assert_int_ge(json_array_size(json_object_get(r->json, "items")), 2);
	ck_assert_msg(!holds_secret(r->json), "GET /users reveals: %.600s", r->body);
	r = ts_get(g_id.d, id_fmt("/api/v1/users/%s", g_id.admin_id), g_id.admin_token);
	ID_STATUS(r, 200);
	ck_assert_msg(!holds_secret(r->json), "GET /users/{id}: %s", r->body);
	/* filters are checked, not passed to SQL */
	ID_PROBLEM(ts_get(g_id.d, "/api/v1/users?role=root", g_id.admin_token), 400, "request.invalid");
	ID_PROBLEM(ts_get(g_id.d, "/api/v1/users?agency_id=x'--", g_id.admin_token), 400, "request.invalid");
	r = ts_get(g_id.d, "/api/v1/users?q=%25", g_id.admin_token);
	ID_STATUS(r, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 0);
	r = ts_get(g_id.d, id_fmt("/api/v1/users?role=pd&agency_id=%s", g_id.agency_a), g_id.admin_token);
	ID_STATUS(r, 200);
	size_t i;
	json_t *u;
	json_array_foreach(json_object_get(r->json, "items"), i, u)
	{
		ck_assert_str_eq(id_str(u, "role"), "pd");
		ck_assert_str_eq(id_str(u, "agency_id"), g_id.agency_a);
	}
}
END_TEST

START_TEST(test_idempotent_user_creation)
{
	const char *key = id_fmt("Idempotency-Key: create-acc-idem-%d", (int)getpid());
	char k[128];
	snprintf(k, sizeof k, "%s", key);
	const char *h[] = {id_fmt("Authorization: Bearer %s", g_id.admin_token), "Content-Type: application/json", k, NULL};
	char body[1024];
	snprintf(body, sizeof body, "%s", user_body("acc.idem", "tim_spbe", NULL, NULL));

	struct ts_resp *first = ts_http(g_id.d, "POST", "/api/v1/users", h, body, strlen(body));
	ID_STATUS(first, 201);
	ck_assert_ptr_null(ts_header(first, "Idempotent-Replayed"));
	const char *id = id_str(first->json, "id");

	struct ts_resp *again = ts_http(g_id.d, "POST", "/api/v1/users", h, body, strlen(body));
	ID_STATUS(again, 201);
	ck_assert_pstr_eq(ts_header(again, "Idempotent-Replayed"), "true");
	ck_assert_msg(json_equal(first->json, again->json), "the replay differs: %s vs %s", first->body, again->body);
	ck_assert_pstr_eq(ts_header(again, "Location"), ts_header(first, "Location"));
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM users WHERE username = 'acc.idem'"), 1);
	ck_assert_int_eq(id_audit_count("user.create", id), 1);

	/* the same key for another body */
	char other[1024];
	snprintf(other, sizeof other, "%s", user_body("acc.idem2", "tim_spbe", NULL, NULL));
	struct ts_resp *r = ts_http(g_id.d, "POST", "/api/v1/users", h, other, strlen(other));
	ID_PROBLEM(r, 422, "idempotency.key_reused");
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM users WHERE username = 'acc.idem2'"), 0);
	/* the same body without the key is a new attempt: the name is taken */
	ID_PROBLEM(ts_post_json(g_id.d, "/api/v1/users", g_id.admin_token, body), 409, "user.username_taken");
	/* keys that are not keys */
	char longkey[260] = "Idempotency-Key: ";
	memset(longkey + strlen(longkey), 'k', 201);
	longkey[17 + 201] = '\0';
	const char *hl[] = {h[0], h[1], longkey, NULL};
	ID_PROBLEM(ts_http(g_id.d, "POST", "/api/v1/users", hl, other, strlen(other)), 400,
		   "http.invalid_idempotency_key");
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM users WHERE username = 'acc.idem2'"), 0);
}
END_TEST

static Suite *accounts_suite(void)
{
	Suite *s = suite_create("accounts");
	TCase *tc = id_tcase("accounts", up_accounts, id_down);
	tcase_add_test(tc, test_create_validation);
	tcase_add_test(tc, test_duplicate_username);
	tcase_add_test(tc, test_patch_moves_and_reroles);
	tcase_add_test(tc, test_admin_cannot_deactivate_or_rerole_themself);
	tcase_add_test(tc, test_users_are_never_deleted);
	tcase_add_test(tc, test_no_secret_in_answers);
	tcase_add_test(tc, test_idempotent_user_creation);
	id_add_clean_stop(tc);
	suite_add_tcase(s, tc);
	return s;
}

/* ==== admin_cli ===================================================================== */

static char g_env_url[700];

static void up_cli(void)
{
	memset(&g_id, 0, sizeof g_id);
	ts_init("admin_cli");
	ck_assert_msg(ts_db_create("admin_cli", g_id.db, sizeof g_id.db), "cannot create the suite's database");
	snprintf(g_env_url, sizeof g_env_url, "ALURD_DATABASE_URL=%s", g_id.db);
}

static int admin_create(const char *username, const char *stdin_text, char *out, size_t n)
{
	const char *args[] = {"admin", "create", username, NULL};
	const char *env[] = {g_env_url, NULL};
	return ts_run_cli(args, env, stdin_text, out, n);
}

static const char *hash_of(const char *username)
{
	static char h[256];
	if (!ts_sql_value(g_id.db, id_fmt("SELECT password_hash FROM users WHERE username = '%s'", username), h, sizeof h))
		return "";
	return h;
}

START_TEST(test_admin_create_twice)
{
	static char out[4096];
	int st = admin_create("ops.admin", "first-passphrase-1234\n", out, sizeof out);
	ck_assert_msg(st == 0 && strstr(out, "created administrator ops.admin"), "exit %d: %s", st, out);
	ck_assert_msg(!strstr(out, "first-passphrase-1234"), "the password is echoed: %s", out);
	char hash[256];
	snprintf(hash, sizeof hash, "%s", hash_of("ops.admin"));
	ck_assert_msg(strncmp(hash, "$argon2id$", 10) == 0, "hash: %s", hash);
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM users WHERE username = 'ops.admin' AND role = 'admin'"
				     " AND active AND agency_id IS NULL"),
			 1);
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM audit_log WHERE action = 'user.create' AND actor_role = 'system'"),
			 1);

	/* again, with another password: nothing changes */
	st = admin_create("ops.admin", "second-passphrase-5678\n", out, sizeof out);
	ck_assert_msg(st == 0 && strstr(out, "already exists") && strstr(out, "nothing changed"), "exit %d: %s", st, out);
	ck_assert_str_eq(hash_of("ops.admin"), hash);
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM users WHERE username = 'ops.admin'"), 1);
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM audit_log WHERE action = 'user.create'"), 1);
}
END_TEST

START_TEST(test_admin_create_refuses_weak_input)
{
	static char out[4096];
	long n = id_sql_long("SELECT count(*) FROM users");
	static const struct {
		const char *user, *in, *why;
	} bad[] = {
		{"ops.weak", "short-1\n", "too short"},
		{"ops.weak.admin", "ops.weak.admin\n", "the username"},
		{"ops.weak.admin", "OPS.WEAK.ADMIN\n", "the username in capitals"},
		{"ops.weak", "xxxxxxxxxxxxxxxxxxxx\n", "one repeated character"},
		{"ops.weak", "", "no password at all"},
		{"ops.weak", "\n", "an empty line"},
		{"Ops Weak", "a-good-passphrase-123\n", "a username with capitals and a space"},
		{"ab", "a-good-passphrase-123\n", "a two-character username"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int st = admin_create(bad[i].user, bad[i].in, out, sizeof out);
		ck_assert_msg(st == 2, "%s: exit %d (2 expected): %s", bad[i].why, st, out);
		ck_assert_msg(*out, "%s: no message", bad[i].why);
	}
	/* over 128 bytes */
	char longpw[400];
	memset(longpw, 'w', 300);
	memcpy(longpw, "Ab1-", 4);
	strcpy(longpw + 300, "\n");
	int st = admin_create("ops.weak", longpw, out, sizeof out);
	ck_assert_msg(st == 2, "a 300-byte password: exit %d: %s", st, out);
	/* usage */
	const char *args[] = {"admin", "create", NULL};
	const char *env[] = {g_env_url, NULL};
	st = ts_run_cli(args, env, "a-good-passphrase-123\n", out, sizeof out);
	ck_assert_msg(st == 2 && strstr(out, "usage"), "admin create without a name: exit %d: %s", st, out);
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM users"), n);
}
END_TEST

/* The password seed-demo printed for username, copied to out. */
static bool seeded_password(const char *output, const char *username, char *out, size_t n)
{
	for (const char *line = output; *line;) {
		char user[64], role[64], pw[128];
		if (sscanf(line, "%63s %63s %127s", user, role, pw) == 3 && strcmp(user, username) == 0) {
			snprintf(out, n, "%s", pw);
			return true;
		}
		const char *nl = strchr(line, '\n');
		if (!nl)
			break;
		line = nl + 1;
	}
	return false;
}

START_TEST(test_seed_demo_twice)
{
	static char out[8192], again[8192];
	const char *args[] = {"seed-demo", NULL};
	const char *env[] = {g_env_url, NULL};
	long users = id_sql_long("SELECT count(*) FROM users");
	int st = ts_run_cli(args, env, NULL, out, sizeof out);
	ck_assert_msg(st == 0, "seed-demo: exit %d: %s", st, out);
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM users"), users + 10);
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM agencies WHERE code IN ('DINKES', 'BAPENDA')"), 2);
	ck_assert_int_eq(id_sql_long("SELECT count(DISTINCT role) FROM users"), 8);
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM users WHERE role = 'pd' AND agency_id IS NULL"), 0);
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM users WHERE role <> 'pd' AND (agency_id IS NOT NULL OR"
				     " is_signatory)"),
			 0);
	char hashes[64];
	ck_assert(ts_sql_value(g_id.db, "SELECT md5(string_agg(password_hash, ',' ORDER BY username)) FROM users",
			       hashes, sizeof hashes));

	st = ts_run_cli(args, env, NULL, again, sizeof again);
	ck_assert_msg(st == 0, "seed-demo again: exit %d: %s", st, again);
	ck_assert_msg(strstr(again, "(exists, unchanged)"), "second run: %s", again);
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM users"), users + 10);
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM agencies"), 2);
	char hashes2[64];
	ck_assert(ts_sql_value(g_id.db, "SELECT md5(string_agg(password_hash, ',' ORDER BY username)) FROM users",
			       hashes2, sizeof hashes2));
	ck_assert_str_eq(hashes2, hashes);

	/* a seeded user signs in with the password printed once; the
	 * administrator keeps the first password */
	char pw[128], tok[2048];
	ck_assert_msg(seeded_password(out, "kasi", pw, sizeof pw), "no password for kasi in: %s", out);
	g_id.d = ts_daemon_start(g_id.db, NULL);
	ck_assert_ptr_nonnull(g_id.d);
	id_login(g_id.d, "kasi", pw, tok, sizeof tok, NULL, 0);
	struct ts_resp *r = ts_get(g_id.d, "/api/v1/me", tok);
	ID_STATUS(r, 200);
	ck_assert_str_eq(id_str(r->json, "role"), "kasi_ai");
	id_login(g_id.d, "ops.admin", "first-passphrase-1234", tok, sizeof tok, NULL, 0);
	ID_401(ts_post_json(g_id.d, "/api/v1/auth/login", NULL,
			    "{\"username\":\"ops.admin\",\"password\":\"second-passphrase-5678\"}"),
	       "auth.invalid_credentials");
}
END_TEST

static Suite *cli_suite(void)
{
	Suite *s = suite_create("admin_cli");
	TCase *tc = id_tcase("admin_cli", up_cli, id_down);
	tcase_add_test(tc, test_admin_create_twice);
	tcase_add_test(tc, test_admin_create_refuses_weak_input);
	tcase_add_test(tc, test_seed_demo_twice);
	id_add_clean_stop(tc);
	suite_add_tcase(s, tc);
	return s;
}

/* ==== main ============================================================================ */

int main(int argc, char **argv)
{
	static Suite *(*const suites[])(void) = {authz_suite, accounts_suite, cli_suite, NULL};
	return tf_main(argc, argv, suites);
}
