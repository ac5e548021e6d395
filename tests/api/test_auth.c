/* test_auth.c — authentication, seen by an attacker: forged, altered,
 * expired and oversized tokens, algorithm confusion, revocation, sign-in
 * throttling and timing, refresh-token theft, machine clients.
 *
 * One Check suite per concern, each its own ctest (`test_auth SUITE`), each
 * with its own database, a first administrator made by `alurd admin create`,
 * and its own daemon (ALURD_AUTH_REFRESH=1, from the harness). Tests inside a
 * suite run in order in one process and share the daemon; every suite ends
 * with a clean SIGTERM stop.
 *
 *   auth_tokens   the Authorization header and every claim, one defect at a
 *                 time; deactivation, re-role, move and password reset
 *   auth_keys     RS256 and ES256 instances, the HS256-with-the-public-key
 *                 confusion, tokens from other keys, refused key settings
 *   auth_login    same answer and similar time for unknown users, case,
 *                 length, the throttle (shared by two instances), audit
 *   auth_refresh  rotation, reuse detection (family revoked), a race of two
 *                 refreshes, logout, garbage
 *   auth_clients  client credentials: secret shown once, integration role,
 *                 wrong secret, revocation, an agency-bound client's view
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/api/ident.h"

#ifndef ALURD_TEST_BINARY_DIR
#error "ALURD_TEST_BINARY_DIR must be defined by the build"
#endif

#define ME "/api/v1/me"
#define LOGIN "/api/v1/auth/login"
#define REFRESH "/api/v1/auth/refresh"
#define LOGOUT "/api/v1/auth/logout"
#define TOKEN "/api/v1/auth/token"

static const char *login_body(const char *username, const char *password)
{
	json_t *b = json_pack("{s:s, s:s}", "username", username, "password", password);
	char *text = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	const char *out = id_fmt("%s", text);
	free(text);
	return out;
}

static struct ts_resp *login_on(struct ts_daemon *d, const char *username, const char *password)
{
	return ts_post_json(d, LOGIN, NULL, login_body(username, password));
}

static struct ts_resp *refresh_with(const char *refresh_token)
{
	return ts_post_json(g_id.d, REFRESH, NULL, id_fmt("{\"refresh_token\":\"%s\"}", refresh_token));
}

/* ==== auth_tokens ============================================================ */

static char g_kasi[40], g_pd[40];

static void up_tokens(void)
{
	id_up("auth_tokens", NULL, true);
	id_user_create(g_id.d, "tok.kasi", "kasi_ai", NULL, g_kasi);
	id_user_create(g_id.d, "tok.pd", "pd", g_id.agency_a, g_pd);
	/* no wait for the account snapshot: a subject newer than it is looked
	 * up, never taken at its word */
	ts_gc();
}

/* kasi's claims with one member replaced (value stolen; NULL removes it) */
static json_t *kasi_with(const char *member, json_t *value)
{
	json_t *c = id_claims(g_kasi, "kasi_ai", NULL);
	if (value)
		json_object_set_new(c, member, value);
	else
		json_object_del(c, member);
	return c;
}

static void assert_refused(const char *token, const char *code, const char *what)
{
	struct ts_resp *r = ts_get(g_id.d, ME, token);
	ck_assert_msg(r->status == 401, "%s: accepted (%ld): %.300s", what, r->status, r->body);
	ID_401(r, code);
	const char *w = ts_header(r, "WWW-Authenticate");
	ck_assert_msg(strstr(w, "error=\"invalid_token\""), "%s: challenge without error=\"invalid_token\": %s", what, w);
}

static void assert_accepted(const char *token, const char *what)
{
	struct ts_resp *r = ts_get(g_id.d, ME, token);
	ck_assert_msg(r->status == 200, "%s: refused (%ld): %.300s", what, r->status, r->body);
}

START_TEST(test_minted_tokens_are_accepted)
{
	/* the baseline every refusal below differs from by one thing */
	struct ts_resp *r = ts_get(g_id.d, ME, id_mint_hs(id_claims(g_kasi, "kasi_ai", NULL)));
	ID_STATUS(r, 200);
	ck_assert_str_eq(id_str(r->json, "username"), "tok.kasi");
	r = ts_get(g_id.d, ME, id_mint_hs(id_claims(g_pd, "pd", g_id.agency_a)));
	ID_STATUS(r, 200);
	ck_assert_str_eq(id_str(r->json, "agency_id"), g_id.agency_a);
}
END_TEST

START_TEST(test_authorization_header_forms)
{
	/* none: the bare challenge, no error attribute (RFC 6750 §3.1) */
	struct ts_resp *r = id_get_auth(g_id.d, ME, NULL);
	ID_401(r, "auth.missing_token");
	ck_assert_str_eq(ts_header(r, "WWW-Authenticate"), "Bearer realm=\"alurd\"");

	/* another scheme */
	r = id_get_auth(g_id.d, ME, "Basic dG9rLmthc2k6YS1sb25nLWVub3VnaC1wYXNzcGhyYXNlLTc=");
	ID_401(r, "auth.invalid_request");
	ck_assert_msg(strstr(ts_header(r, "WWW-Authenticate"), "error=\"invalid_request\""), "%s",
		      ts_header(r, "WWW-Authenticate"));
	r = id_get_auth(g_id.d, ME, id_fmt("Token %s", id_mint_hs(id_claims(g_kasi, "kasi_ai", NULL))));
	ID_401(r, "auth.invalid_request");

	/* "Bearer" with nothing after it */
	r = id_get_auth(g_id.d, ME, "Bearer");
	ID_401(r, "auth.invalid_request");
	r = id_get_auth(g_id.d, ME, "Bearer    ");
	ck_assert_int_eq(r->status, 401);
	ID_401(r, NULL);

	/* the scheme is case-insensitive (RFC 9110 §11.1): a valid token works */
	const char *good = id_mint_hs(id_claims(g_kasi, "kasi_ai", NULL));
	ID_STATUS(id_get_auth(g_id.d, ME, id_fmt("bearer %s", good)), 200);
	ID_STATUS(id_get_auth(g_id.d, ME, id_fmt("BEARER %s", good)), 200);
	/* the token alone, without a scheme */
	ID_401(id_get_auth(g_id.d, ME, good), "auth.invalid_request");
}
END_TEST

START_TEST(test_time_claims)
{
	long now = id_now();
	/* the default skew is 30 s */
	assert_refused(id_mint_hs(kasi_with("exp", json_integer(now - 90))), "auth.token_expired", "exp 90 s ago");
	assert_accepted(id_mint_hs(kasi_with("exp", json_integer(now - 5))), "exp 5 s ago (within the skew)");
	assert_refused(id_mint_hs(kasi_with("nbf", json_integer(now + 300))), "auth.invalid_token", "nbf in 5 min");
	assert_refused(id_mint_hs(kasi_with("iat", json_integer(now + 300))), "auth.invalid_token", "iat in 5 min");
	assert_refused(id_mint_hs(kasi_with("exp", NULL)), "auth.invalid_token", "no exp");
	assert_refused(id_mint_hs(kasi_with("iat", NULL)), "auth.invalid_token", "no iat");
	assert_refused(id_mint_hs(kasi_with("exp", json_string(id_fmt("%ld", now + 300)))), "auth.invalid_token",
		       "exp as a string");
	assert_refused(id_mint_hs(kasi_with("exp", json_real((double)now + 300.5))), "auth.invalid_token",
		       "exp as a float");
	assert_refused(id_mint_hs(kasi_with("exp", json_true())), "auth.invalid_token", "exp as a boolean");
	assert_refused(id_mint_hs(kasi_with("nbf", json_string("0"))), "auth.invalid_token", "nbf as a string");
	assert_refused(id_mint_hs(kasi_with("iat", json_real((double)now))), "auth.invalid_token", "iat as a float");
}
END_TEST

START_TEST(test_signature_and_algorithm)
{
	static const char other[] = "another-secret-of-enough-length-0123456789abcdef";
	assert_refused(id_mint(JWT_ALG_HS256, other, strlen(other), id_claims(g_kasi, "kasi_ai", NULL)),
		       "auth.invalid_token", "signed with another secret");
	/* the right secret, another HMAC: the algorithm is pinned */
	assert_refused(id_mint(JWT_ALG_HS512, TS_JWT_SECRET, strlen(TS_JWT_SECRET), id_claims(g_kasi, "kasi_ai", NULL)),
		       "auth.invalid_token", "HS512 with the right secret");
	assert_refused(id_mint(JWT_ALG_HS384, TS_JWT_SECRET, strlen(TS_JWT_SECRET), id_claims(g_kasi, "kasi_ai", NULL)),
		       "auth.invalid_token", "HS384 with the right secret");
	/* alg none, hand-built, in the spellings libraries have accepted */
	assert_refused(id_unsigned("{\"alg\":\"none\",\"typ\":\"JWT\"}", id_claims(g_kasi, "kasi_ai", NULL)),
		       "auth.invalid_token", "alg none");
	assert_refused(id_unsigned("{\"alg\":\"none\"}", id_claims(g_kasi, "kasi_ai", NULL)), "auth.invalid_token",
		       "alg none without typ");
	assert_refused(id_unsigned("{\"alg\":\"None\",\"typ\":\"JWT\"}", id_claims(g_kasi, "kasi_ai", NULL)),
		       "auth.invalid_token", "alg None");
	assert_refused(id_unsigned("{\"typ\":\"JWT\"}", id_claims(g_kasi, "kasi_ai", NULL)), "auth.invalid_token",
		       "no alg at all");
	assert_refused(id_unsigned("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", id_claims(g_kasi, "kasi_ai", NULL)),
		       "auth.invalid_token", "HS256 header with an empty signature");

	/* a valid signature moved onto another payload (role escalated) */
	const char *good = id_mint_hs(id_claims(g_kasi, "kasi_ai", NULL));
	const char *evil = id_mint_hs(id_claims(g_kasi, "admin", NULL));
	const char *good_sig = strrchr(good, '.');
	char spliced[ID_TOKEN_MAX];
	snprintf(spliced, sizeof spliced, "%.*s%s", (int)(strrchr(evil, '.') - evil), evil, good_sig);
	assert_refused(spliced, "auth.invalid_token", "a payload spliced onto another token's signature");
	/* a flipped bit in the signature */
	snprintf(spliced, sizeof spliced, "%s", good);
	char *last = spliced + strlen(spliced) - 3;
	*last = *last == 'A' ? 'B' : 'A';
	assert_refused(spliced, "auth.invalid_token", "one signature character changed");
}
END_TEST

START_TEST(test_issuer_and_audience)
{
	assert_refused(id_mint_hs(kasi_with("iss", json_string("evil"))), "auth.invalid_token", "iss evil");
	assert_refused(id_mint_hs(kasi_with("iss", json_string("ALURD"))), "auth.invalid_token", "iss ALURD");
	assert_refused(id_mint_hs(kasi_with("iss", NULL)), "auth.invalid_token", "no iss");
	assert_refused(id_mint_hs(kasi_with("iss", json_pack("[s]", "alurd"))), "auth.invalid_token", "iss as an array");
	assert_refused(id_mint_hs(kasi_with("aud", json_string("other-api"))), "auth.invalid_token", "aud other-api");
	assert_refused(id_mint_hs(kasi_with("aud", NULL)), "auth.invalid_token", "no aud");
	assert_refused(id_mint_hs(kasi_with("aud", json_pack("[s]", "other-api"))), "auth.invalid_token",
		       "aud [other-api]");
	assert_refused(id_mint_hs(kasi_with("aud", json_array())), "auth.invalid_token", "aud []");
	assert_refused(id_mint_hs(kasi_with("aud", json_integer(1))), "auth.invalid_token", "aud 1");
	assert_refused(id_mint_hs(kasi_with("aud", json_string("alurd-api-evil"))), "auth.invalid_token",
		       "aud with a suffix");
	/* RFC 7519 §4.1.3: an array that contains the audience is fine */
	assert_accepted(id_mint_hs(kasi_with("aud", json_pack("[s,s]", "other-api", "alurd-api"))),
			"aud [other-api, alurd-api]");
}
END_TEST

START_TEST(test_garbled_tokens)
{
	const char *good = id_mint_hs(id_claims(g_kasi, "kasi_ai", NULL));
	char t[ID_TOKEN_MAX];
	snprintf(t, sizeof t, "%.*s", (int)strlen(good) - 10, good);
	assert_refused(t, "auth.invalid_token", "truncated signature");
	snprintf(t, sizeof t, "%.*s", (int)(strrchr(good, '.') - good), good);
	assert_refused(t, "auth.invalid_token", "no signature part");
	snprintf(t, sizeof t, "%.*s", (int)(strchr(good, '.') - good) + 20, good);
	assert_refused(t, "auth.invalid_token", "cut inside the payload");
	assert_refused("eyJhbGciOiJIUzI1NiJ9.e*J.abc", "auth.invalid_token", "not base64url");
	assert_refused("%%%.%%%.%%%", "auth.invalid_token", "percent signs");
	assert_refused("..", "auth.invalid_token", "empty segments");
	assert_refused("a.b.c.d", "auth.invalid_token", "four segments");
	assert_refused(id_fmt("%s.%s", good, "e30"), "auth.invalid_token", "a fourth segment appended");
	/* standard base64 padding and alphabet */
	snprintf(t, sizeof t, "%s==", good);
	assert_refused(t, "auth.invalid_token", "padding");
	/* header and payload that are not JSON objects, correctly signed */
	assert_refused(id_fmt("bm90IGpzb24.%s", strchr(good, '.') + 1), "auth.invalid_token", "header not JSON");
}
END_TEST

START_TEST(test_oversized_token)
{
	/* a correctly signed token of 10 KB: refused on its size, before decoding */
	json_t *c = id_claims(g_kasi, "kasi_ai", NULL);
	char pad[7600];
	memset(pad, 'x', sizeof pad - 1);
	pad[sizeof pad - 1] = '\0';
	json_object_set_new(c, "pad", json_string(pad));
	const char *big = id_mint_hs(c);
	ck_assert_msg(strlen(big) > 10000, "the big token has only %zu bytes", strlen(big));
	long long t0 = ts_now_ms();
	size_t n = strlen(big) + 16;
	char *h = malloc(n);
	ck_assert_ptr_nonnull(h);
	snprintf(h, n, "Bearer %s", big);
	struct ts_resp *r = id_get_auth(g_id.d, ME, h);
	free(h);
	ID_401(r, "auth.invalid_token");
	ck_assert_msg(ts_now_ms() - t0 < 15000, "the oversized token took %lld ms", ts_now_ms() - t0);

	/* a header block of 200 KB: whatever the answer, the daemon lives on */
	size_t big_n = 200 * 1024;
	char *huge = malloc(big_n + 32);
	ck_assert_ptr_nonnull(huge);
	strcpy(huge, "Authorization: Bearer ");
	memset(huge + strlen(huge), 'a', big_n);
	huge[22 + big_n] = '\0';
	const char *hh[] = {huge, NULL};
	struct ts_resp *r2 = ts_http_unrecorded(g_id.d, "GET", ME, hh, NULL, 0);
	free(huge);
	ck_assert_msg(r2->status != 200 && r2->status < 500, "a 200 KB Authorization header: %ld", r2->status);
	ck_assert_msg(ts_daemon_wait(g_id.d, 0) < 0, "the daemon died");
	ID_STATUS(ts_get(g_id.d, "/healthz", NULL), 200);
	assert_accepted(id_mint_hs(id_claims(g_kasi, "kasi_ai", NULL)), "a normal token after the big ones");
}
END_TEST

START_TEST(test_claim_contents)
{
	assert_refused(id_mint_hs(id_claims(g_kasi, "superadmin", NULL)), "auth.invalid_token", "unknown role");
	assert_refused(id_mint_hs(id_claims(g_kasi, "", NULL)), "auth.invalid_token", "empty role");
	assert_refused(id_mint_hs(id_claims(g_kasi, "ADMIN", NULL)), "auth.invalid_token", "role ADMIN");
	assert_refused(id_mint_hs(kasi_with("role", NULL)), "auth.invalid_token", "no role");
	assert_refused(id_mint_hs(kasi_with("role", json_pack("[s]", "admin"))), "auth.invalid_token",
		       "role as an array");
	assert_refused(id_mint_hs(kasi_with("sub", NULL)), "auth.invalid_token", "no sub");
	assert_refused(id_mint_hs(kasi_with("sub", json_integer(1))), "auth.invalid_token", "sub a number");
	assert_refused(id_mint_hs(kasi_with("jti", NULL)), "auth.invalid_token", "no jti");
	assert_refused(id_mint_hs(kasi_with("mcp", json_string("false"))), "auth.invalid_token", "mcp a string");
	assert_refused(id_mint_hs(kasi_with("agency_id", json_integer(7))), "auth.invalid_token", "agency_id a number");

	/* a subject no account has (tokens issued before the last snapshot) */
	json_t *c = id_claims("00000000-0000-4000-8000-000000000000", "admin", NULL);
	json_object_set_new(c, "iat", json_integer(id_now() - 60));
	assert_refused(id_mint_hs(c), "auth.invalid_token", "sub of no account");
	/* the subject's role or agency differs from the account's: stale */
	assert_refused(id_mint_hs(id_claims(g_kasi, "admin", NULL)), "auth.token_stale", "kasi claiming admin");
	assert_refused(id_mint_hs(id_claims(g_kasi, "kasi_ai", g_id.agency_a)), "auth.token_stale",
		       "kasi claiming an agency");
	assert_refused(id_mint_hs(id_claims(g_pd, "pd", g_id.agency_b)), "auth.token_stale", "pd claiming agency B");
	assert_refused(id_mint_hs(id_claims(g_pd, "pd", NULL)), "auth.token_stale", "pd without its agency");
	assert_refused(id_mint_hs(id_claims(g_id.admin_id, "integration", NULL)), "auth.token_stale",
		       "the admin's id as a machine client");
}
END_TEST

/* A subject newer than the daemon's account snapshot (a second daemon whose
 * snapshot is taken once an hour) is looked up, not taken at its word: a
 * brand-new account's token works with its own role and is refused with
 * another; a made-up subject with a fresh iat is refused. */
START_TEST(test_subject_newer_than_the_snapshot)
{
	const char *env[] = {"ALURD_AUTH_REFRESH=3600", NULL};
	struct ts_daemon *d = ts_daemon_start(g_id.db, env);
	ck_assert_ptr_nonnull(d);
	char fresh[40];
	id_user_create(d, "tok.fresh", "tim_spbe", NULL, fresh);
	struct ts_resp *r = ts_get(d, ME, id_mint_hs(id_claims(fresh, "admin", NULL)));
	ck_assert_msg(r->status == 401, "a new account's token claiming admin was accepted: %.300s", r->body);
	ID_401(r, "auth.token_stale");
	r = ts_get(d, "/api/v1/users", id_mint_hs(id_claims(fresh, "admin", NULL)));
	ID_401(r, "auth.token_stale");
	r = ts_get(d, ME, id_mint_hs(id_claims("00000000-0000-4000-8000-0000000000aa", "admin", NULL)));
	ck_assert_msg(r->status == 401, "a made-up subject with a fresh iat was accepted: %.300s", r->body);
	ID_401(r, "auth.invalid_token");
	r = ts_get(d, ME, id_mint_hs(id_claims(fresh, "tim_spbe", NULL)));
	ck_assert_msg(r->status == 200, "the new account's own token was refused: %.300s", r->body);
	ck_assert_str_eq(id_str(r->json, "role"), "tim_spbe");
	ck_assert_int_eq(ts_daemon_stop(d, SIGTERM), 0);
	ts_daemon_free(d);
}
END_TEST

START_TEST(test_deactivated_user)
{
	char id[40], access[2048], refresh[256];
	id_user_create(g_id.d, "tok.deact", "tim_spbe", NULL, id);
	id_login(g_id.d, "tok.deact", ID_PASSWORD, access, sizeof access, refresh, sizeof refresh);
	ID_STATUS(ts_get(g_id.d, ME, access), 200);
	/* revocations are recorded in whole seconds: keep them out of the
	 * token's second (the same-second case has its own test below) */
	id_second_start(10);

	struct ts_resp *r = ts_patch_json(g_id.d, id_fmt("/api/v1/users/%s", id), g_id.admin_token, "{\"active\":false}");
	ID_STATUS(r, 200);
	ck_assert(json_is_false(json_object_get(r->json, "active")));
	long long t0 = ts_now_ms();
	/* the refresh token dies at once */
	ID_401(refresh_with(refresh), "auth.invalid_refresh_token");
	/* the access token within ALURD_AUTH_REFRESH (1 s) plus a margin */
	r = id_poll(g_id.d, ME, access, 401, 20000);
	ck_assert_msg(r->status == 401, "a deactivated user's token still works after %lld ms", ts_now_ms() - t0);
	ID_401(r, "auth.account_inactive");
	/* the right password of a deactivated account: the same answer as a wrong one */
	r = login_on(g_id.d, "tok.deact", ID_PASSWORD);
	ID_401(r, "auth.invalid_credentials");

	/* reactivated: the old token stays dead (revoked, not merely inactive) */
	ID_STATUS(ts_patch_json(g_id.d, id_fmt("/api/v1/users/%s", id), g_id.admin_token, "{\"active\":true}"), 200);
	long long until = ts_now_ms() + 20000;
	for (;;) {
		r = ts_get(g_id.d, ME, access);
		ck_assert_msg(r->status == 401, "the old token works again after reactivation: %.300s", r->body);
		if (strcmp(ts_problem_code(r), "auth.token_revoked") == 0 || ts_now_ms() > until)
			break;
		ts_nap_ms(100);
	}
	ID_401(r, "auth.token_revoked");
	ck_assert_int_ge(id_audit_count("user.update", id), 2);
}
END_TEST

START_TEST(test_reroled_and_moved_users)
{
	char kasi[40], pd[40], kasi_tok[2048], pd_tok[2048];
	id_user_create(g_id.d, "tok.rerole", "kasi_ai", NULL, kasi);
	id_user_create(g_id.d, "tok.mover", "pd", g_id.agency_a, pd);
	id_login(g_id.d, "tok.rerole", ID_PASSWORD, kasi_tok, sizeof kasi_tok, NULL, 0);
	id_login(g_id.d, "tok.mover", ID_PASSWORD, pd_tok, sizeof pd_tok, NULL, 0);
	ID_STATUS(ts_get(g_id.d, ME, kasi_tok), 200);
	ID_STATUS(ts_get(g_id.d, ME, pd_tok), 200);

	ID_STATUS(ts_patch_json(g_id.d, id_fmt("/api/v1/users/%s", kasi), g_id.admin_token, "{\"role\":\"tim_spbe\"}"),
		  200);
	ID_STATUS(ts_patch_json(g_id.d, id_fmt("/api/v1/users/%s", pd), g_id.admin_token,
				id_fmt("{\"agency_id\":\"%s\"}", g_id.agency_b)),
		  200);
	struct ts_resp *r = id_poll(g_id.d, ME, kasi_tok, 401, 20000);
	ID_401(r, "auth.token_stale");
	r = id_poll(g_id.d, ME, pd_tok, 401, 20000);
	ID_401(r, "auth.token_stale");
	/* the moved pd user's old token cannot list its old agency's requests */
	r = ts_http_unrecorded(g_id.d, "GET", id_fmt("/api/v1/requests?agency_id=%s", g_id.agency_a),
			       (const char *[]){id_fmt("Authorization: Bearer %s", pd_tok), NULL}, NULL, 0);
	ck_assert_int_eq(r->status, 401);
}
END_TEST

START_TEST(test_password_reset_revokes_and_forces_a_change)
{
	char id[40], access[2048], refresh[256], temp[2048];
	id_user_create(g_id.d, "tok.reset", "sekretariat", NULL, id);
	id_login(g_id.d, "tok.reset", ID_PASSWORD, access, sizeof access, refresh, sizeof refresh);
	/* a second later, so the reset does not share the token's second (that
	 * case has its own test below) */
	id_second_start(10);
	struct ts_resp *r = ts_post_json(g_id.d, id_fmt("/api/v1/users/%s/password-reset", id), g_id.admin_token,
					 "{\"password\":\"temporary-passphrase-42\"}");
	ID_STATUS(r, 204);
	ck_assert_uint_eq(r->len, 0);
	ID_401(refresh_with(refresh), "auth.invalid_refresh_token");
	r = id_poll(g_id.d, ME, access, 401, 20000);
	ID_401(r, "auth.token_revoked");
	ID_401(login_on(g_id.d, "tok.reset", ID_PASSWORD), "auth.invalid_credentials");

	char temp_refresh[256];
	json_t *pair = id_login(g_id.d, "tok.reset", "temporary-passphrase-42", temp, sizeof temp, temp_refresh,
				sizeof temp_refresh);
	ck_assert_msg(json_is_true(json_object_get(pair, "must_change_password")),
		      "after a reset, must_change_password is not true");
	/* refreshing does not shed the obligation */
	r = refresh_with(temp_refresh);
	ID_STATUS(r, 200);
	ck_assert(json_is_true(json_object_get(r->json, "must_change_password")));
	char refreshed[2048];
	snprintf(refreshed, sizeof refreshed, "%s", id_str(r->json, "access_token"));
	ID_PROBLEM(ts_get(g_id.d, "/api/v1/agencies", refreshed), 403, "auth.password_change_required");
	/* only GET /me and POST /me/password */
	r = ts_get(g_id.d, ME, temp);
	ID_STATUS(r, 200);
	ck_assert_str_eq(id_str(r->json, "username"), "tok.reset");
	ID_PROBLEM(ts_get(g_id.d, "/api/v1/agencies", temp), 403, "auth.password_change_required");
	ID_PROBLEM(ts_get(g_id.d, id_fmt("/api/v1/agencies/%s", g_id.agency_a), temp), 403,
		   "auth.password_change_required");
	ID_PROBLEM(ts_get(g_id.d, "/api/v1/users", temp), 403, "auth.password_change_required");
	/* the claim cannot be dropped by re-signing: that needs the key, and the
	 * mcp flag is checked before the role table anyway */
	r = ts_post_json(g_id.d, "/api/v1/me/password", temp,
			 "{\"old_password\":\"wrong-old-passphrase\",\"new_password\":\"my-own-passphrase-55\"}");
	ID_PROBLEM(r, 400, "request.invalid");
	ck_assert(id_field_error(r, "old_password"));
	r = ts_post_json(g_id.d, "/api/v1/me/password", temp,
			 "{\"old_password\":\"temporary-passphrase-42\",\"new_password\":\"tok.reset\"}");
	ID_PROBLEM(r, 400, "request.invalid");
	ck_assert(id_field_error(r, "new_password"));
	ID_STATUS(ts_post_json(g_id.d, "/api/v1/me/password", temp,
			       "{\"old_password\":\"temporary-passphrase-42\",\"new_password\":\"my-own-passphrase-55\"}"),
		  204);
	char fresh[2048];
	pair = id_login(g_id.d, "tok.reset", "my-own-passphrase-55", fresh, sizeof fresh, NULL, 0);
	ck_assert(json_is_false(json_object_get(pair, "must_change_password")));
	ID_STATUS(ts_get(g_id.d, "/api/v1/agencies", fresh), 200);
	ck_assert_int_eq(id_audit_count("user.password_reset", id), 1);
	ck_assert_int_eq(id_audit_count("user.password_changed", id), 1);
}
END_TEST

/* Revocation is recorded in whole seconds (the floor of tokens_valid_after)
 * and a token counts as revoked when its iat is before that second: a token
 * issued in the same second as a password reset, before it, survives the
 * reset until it expires. (The same rounding lets a token issued in the
 * second of a deactivation work again after a reactivation.) */
START_TEST(test_token_issued_in_the_second_of_a_reset_is_revoked)
{
	char id[40], access[2048];
	id_user_create(g_id.d, "tok.race", "tim_spbe", NULL, id);
	long iat = 0, revoked_at = -1;
	for (int attempt = 0; attempt < 4 && iat != revoked_at; attempt++) {
		id_second_start(5);
		id_login(g_id.d, "tok.race", ID_PASSWORD, access, sizeof access, NULL, 0);
		ID_STATUS(ts_post_json(g_id.d, id_fmt("/api/v1/users/%s/password-reset", id), g_id.admin_token,
				       "{\"password\":\"another-temporary-pass-1\"}"),
			  204);
		json_t *claims = id_token_claims(access);
		iat = (long)json_integer_value(json_object_get(claims, "iat"));
		json_decref(claims);
		revoked_at = id_sql_long("SELECT floor(extract(epoch FROM tokens_valid_after))::bigint FROM users"
					 " WHERE id = '%s'",
					 id);
		/* the next attempt signs in with the old password: put it back */
		if (iat != revoked_at) {
			char tmp[2048];
			id_login(g_id.d, "tok.race", "another-temporary-pass-1", tmp, sizeof tmp, NULL, 0);
			ID_STATUS(ts_post_json(g_id.d, "/api/v1/me/password", tmp,
					       "{\"old_password\":\"another-temporary-pass-1\",\"new_password\":\"" ID_PASSWORD
					       "\"}"),
				  204);
		}
	}
	ck_assert_msg(iat == revoked_at, "could not sign in and reset within one second (iat %ld, reset %ld)", iat,
		      revoked_at);
	/* the sign-in happened before the reset: its token must stop */
	struct ts_resp *r = id_poll(g_id.d, ME, access, 401, 20000);
	ck_assert_msg(r->status == 401,
		      "a token issued before a password reset (same second, iat %ld) still works 3 s after it: %ld %.200s",
		      iat, r->status, r->body);
	ID_401(r, "auth.token_revoked");
}
END_TEST

static Suite *tokens_suite(void)
{
	Suite *s = suite_create("auth_tokens");
	TCase *tc = id_tcase("auth_tokens", up_tokens, id_down);
	tcase_add_test(tc, test_minted_tokens_are_accepted);
	tcase_add_test(tc, test_authorization_header_forms);
	tcase_add_test(tc, test_time_claims);
	tcase_add_test(tc, test_signature_and_algorithm);
	tcase_add_test(tc, test_issuer_and_audience);
	tcase_add_test(tc, test_garbled_tokens);
	tcase_add_test(tc, test_oversized_token);
	tcase_add_test(tc, test_claim_contents);
	tcase_add_test(tc, test_subject_newer_than_the_snapshot);
	tcase_add_test(tc, test_deactivated_user);
	tcase_add_test(tc, test_reroled_and_moved_users);
	tcase_add_test(tc, test_password_reset_revokes_and_forces_a_change);
	tcase_add_test(tc, test_token_issued_in_the_second_of_a_reset_is_revoked);
	id_add_clean_stop(tc);
	suite_add_tcase(s, tc);
	return s;
}

/* ==== auth_keys =================================================================== */

static char g_keydir[600];

struct pem {
	unsigned char *bytes;
	size_t len;
};

static const char *key_path(const char *name)
{
	return id_fmt("%s/%s", g_keydir, name);
}

static void openssl(const char *args)
{
	const char *cmd = id_fmt("openssl %s 2>&1", args);
	FILE *p = popen(cmd, "r");
	ck_assert_msg(p != NULL, "cannot run openssl");
	char out[2048];
	size_t n = fread(out, 1, sizeof out - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	ck_assert_msg(st == 0, "`%s` failed (%d): %s", cmd, st, out);
}

static struct pem pem_read(const char *name)
{
	struct pem k = {0};
	FILE *f = fopen(key_path(name), "rb");
	ck_assert_msg(f != NULL, "cannot open %s", key_path(name));
	k.bytes = malloc(65536);
	ck_assert_ptr_nonnull(k.bytes);
	k.len = fread(k.bytes, 1, 65535, f);
	fclose(f);
	k.bytes[k.len] = '\0';
	return k;
}

static void write_text(const char *name, const char *text)
{
	FILE *f = fopen(key_path(name), "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void up_keys(void)
{
	id_up("auth_keys", NULL, false);
	snprintf(g_keydir, sizeof g_keydir, "%s/keys-auth_keys-%d", ALURD_TEST_BINARY_DIR, (int)getpid());
	ck_assert_msg(mkdir(g_keydir, 0700) == 0 || errno == EEXIST, "mkdir %s", g_keydir);
	openssl(id_fmt("genrsa -out %s 2048", key_path("rsa.pem")));
	openssl(id_fmt("rsa -in %s -pubout -out %s", key_path("rsa.pem"), key_path("rsa.pub")));
	openssl(id_fmt("genrsa -out %s 2048", key_path("rsa2.pem")));
	openssl(id_fmt("rsa -in %s -pubout -out %s", key_path("rsa2.pem"), key_path("rsa2.pub")));
	openssl(id_fmt("genrsa -out %s 512", key_path("rsa512.pem")));
	openssl(id_fmt("rsa -in %s -pubout -out %s", key_path("rsa512.pem"), key_path("rsa512.pub")));
	openssl(id_fmt("ecparam -name prime256v1 -genkey -noout -out %s", key_path("ec.pem")));
	openssl(id_fmt("ec -in %s -pubout -out %s", key_path("ec.pem"), key_path("ec.pub")));
	openssl(id_fmt("ecparam -name prime256v1 -genkey -noout -out %s", key_path("ec2.pem")));
	write_text("garbage.pub", "this is not a PEM key\n");
	ts_gc();
}

static void down_keys(void)
{
	static const char *const names[] = {"rsa.pem",    "rsa.pub", "rsa2.pem", "rsa2.pub", "rsa512.pem",
					    "rsa512.pub", "ec.pem",  "ec.pub",   "ec2.pem",  "garbage.pub"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		unlink(key_path(names[i]));
	rmdir(g_keydir);
	id_down();
}

/* A second daemon on the suite's database with the given algorithm and keys
 * (NULL: unset); the HS256 secret is removed. */
static struct ts_daemon *start_keyed(const char *alg, const char *private_key, const char *public_key)
{
	const char *env[] = {id_fmt("ALURD_JWT_ALG=%s", alg),
			     private_key ? id_fmt("ALURD_JWT_PRIVATE_KEY=%s", key_path(private_key))
					 : "ALURD_JWT_PRIVATE_KEY",
			     public_key ? id_fmt("ALURD_JWT_PUBLIC_KEY=%s", key_path(public_key)) : "ALURD_JWT_PUBLIC_KEY",
			     "ALURD_JWT_SECRET", NULL};
	struct ts_daemon *d = ts_daemon_start(g_id.db, env);
	ck_assert_msg(d != NULL, "the %s daemon did not start (log above)", alg);
	return d;
}

static const char *header_alg(const char *token)
{
	char seg[512];
	size_t n = strcspn(token, ".");
	ck_assert(n < sizeof seg);
	/* decode the header the same way as the payload */
	snprintf(seg, sizeof seg, "x.%.*s.x", (int)n, token);
	json_t *h = id_token_claims(seg);
	const char *alg = id_fmt("%s", id_str(h, "alg"));
	json_decref(h);
	return alg;
}

static void refused_by(struct ts_daemon *d, const char *token, const char *what)
{
	struct ts_resp *r = ts_get(d, ME, token);
	ck_assert_msg(r->status == 401, "%s: accepted (%ld): %.300s", what, r->status, r->body);
	ID_401(r, "auth.invalid_token");
}

START_TEST(test_rs256_instance)
{
	struct ts_daemon *rs = start_keyed("RS256", "rsa.pem", "rsa.pub");
	char token[4096];
	id_login(rs, ID_ADMIN, ID_ADMIN_PASSWORD, token, sizeof token, NULL, 0);
	ck_assert_str_eq(header_alg(token), "RS256");
	/* the token verifies with the public key, outside the daemon too */
	struct pem pub = pem_read("rsa.pub");
	jwt_t *jwt = NULL;
	int rc = jwt_decode(&jwt, token, pub.bytes, (int)pub.len);
	ck_assert_msg(rc == 0 && jwt && jwt_get_alg(jwt) == JWT_ALG_RS256, "jwt_decode with the public key: %d", rc);
	ck_assert_str_eq(jwt_get_grant(jwt, "sub"), g_id.admin_id);
	jwt_free(jwt);
	struct ts_resp *r = ts_get(rs, ME, token);
	ID_STATUS(r, 200);
	ck_assert_str_eq(id_str(r->json, "username"), ID_ADMIN);
	ID_STATUS(ts_get(rs, "/api/v1/users", token), 200);

	/* each instance refuses the other's tokens */
	refused_by(rs, g_id.admin_token, "an HS256 token on the RS256 instance");
	refused_by(g_id.d, token, "an RS256 token on the HS256 instance");

	/* the classic confusion: HS256 keyed with the public key's PEM text */
	json_t *c = id_claims(g_id.admin_id, "admin", NULL);
	refused_by(rs, id_mint(JWT_ALG_HS256, pub.bytes, pub.len, c), "HS256 keyed with the PEM public key");
	refused_by(rs, id_mint(JWT_ALG_HS256, pub.bytes, pub.len - 1, id_claims(g_id.admin_id, "admin", NULL)),
		   "HS256 keyed with the PEM minus its newline");
	refused_by(rs, id_mint(JWT_ALG_HS512, pub.bytes, pub.len, id_claims(g_id.admin_id, "admin", NULL)),
		   "HS512 keyed with the PEM public key");
	/* another RSA key; RS512 with the right key (algorithm pinned); none */
	struct pem other = pem_read("rsa2.pem"), right = pem_read("rsa.pem");
	refused_by(rs, id_mint(JWT_ALG_RS256, other.bytes, other.len, id_claims(g_id.admin_id, "admin", NULL)),
		   "RS256 from another key");
	refused_by(rs, id_mint(JWT_ALG_RS512, right.bytes, right.len, id_claims(g_id.admin_id, "admin", NULL)),
		   "RS512 with the right key");
	refused_by(rs, id_mint(JWT_ALG_RS384, right.bytes, right.len, id_claims(g_id.admin_id, "admin", NULL)),
		   "RS384 with the right key");
	refused_by(rs, id_unsigned("{\"alg\":\"none\",\"typ\":\"JWT\"}", id_claims(g_id.admin_id, "admin", NULL)),
		   "alg none");
	/* and the baseline: the right key and algorithm, minted here, works */
	ID_STATUS(ts_get(rs, ME, id_mint(JWT_ALG_RS256, right.bytes, right.len, id_claims(g_id.admin_id, "admin", NULL))),
		  200);
	free(pub.bytes);
	free(other.bytes);
	free(right.bytes);
	ck_assert_int_eq(ts_daemon_stop(rs, SIGTERM), 0);
	ts_daemon_free(rs);
}
END_TEST

START_TEST(test_verify_only_instance)
{
	/* public key only: tokens come from elsewhere, this instance issues none */
	struct ts_daemon *v = start_keyed("RS256", NULL, "rsa.pub");
	ID_PROBLEM(login_on(v, ID_ADMIN, ID_ADMIN_PASSWORD), 503, "auth.signing_disabled");
	struct pem right = pem_read("rsa.pem");
	ID_STATUS(ts_get(v, ME, id_mint(JWT_ALG_RS256, right.bytes, right.len, id_claims(g_id.admin_id, "admin", NULL))),
		  200);
	free(right.bytes);
	ck_assert_int_eq(ts_daemon_stop(v, SIGTERM), 0);
	ts_daemon_free(v);
}
END_TEST

START_TEST(test_es256_instance)
{
	struct ts_daemon *es = start_keyed("ES256", "ec.pem", "ec.pub");
	char token[4096];
	id_login(es, ID_ADMIN, ID_ADMIN_PASSWORD, token, sizeof token, NULL, 0);
	ck_assert_str_eq(header_alg(token), "ES256");
	ID_STATUS(ts_get(es, ME, token), 200);
	struct pem pub = pem_read("ec.pub"), other = pem_read("ec2.pem");
	jwt_t *jwt = NULL;
	ck_assert_int_eq(jwt_decode(&jwt, token, pub.bytes, (int)pub.len), 0);
	jwt_free(jwt);
	refused_by(es, id_mint(JWT_ALG_ES256, other.bytes, other.len, id_claims(g_id.admin_id, "admin", NULL)),
		   "ES256 from another key");
	refused_by(es, id_mint(JWT_ALG_HS256, pub.bytes, pub.len, id_claims(g_id.admin_id, "admin", NULL)),
		   "HS256 keyed with the EC public key");
	refused_by(es, g_id.admin_token, "an HS256 token on the ES256 instance");
	free(pub.bytes);
	free(other.bytes);
	ck_assert_int_eq(ts_daemon_stop(es, SIGTERM), 0);
	ts_daemon_free(es);
}
END_TEST

static int lines_in(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* `alurd serve` with these settings on an address it cannot bind: exit 2 means
 * the settings were refused (one line naming var), exit 1 means they passed
 * and only the listen failed. Returns the exit status; out gets the text. */
static int serve_with(const char *const *settings, char *out, size_t n)
{
	const char *args[] = {"serve", NULL};
	const char *env[16];
	int k = 0;
	env[k++] = "ALURD_DATABASE_URL=postgresql://127.0.0.1:1/none";
	env[k++] = "ALURD_LISTEN=192.0.2.1:9"; /* TEST-NET-1: never local */
	for (const char *const *s = settings; *s && k < 15; s++)
		env[k++] = *s;
	env[k] = NULL;
	return ts_run_cli(args, env, NULL, out, n);
}

static void assert_setting_refused(const char *const *settings, const char *var, const char *what)
{
	static char out[4096];
	int st = serve_with(settings, out, sizeof out);
	ck_assert_msg(st == 2, "%s: exit %d (2 expected), output: %s", what, st, out);
	ck_assert_msg(lines_in(out) == 1, "%s: expected one line, got: %s", what, out);
	ck_assert_msg(strstr(out, var), "%s: the message does not name %s: %s", what, var, out);
}

START_TEST(test_weak_or_missing_keys_refused)
{
	static char out[4096];
	/* 31 bytes: refused; 32: accepted (the listen then fails: exit 1) */
	assert_setting_refused((const char *[]){"ALURD_JWT_SECRET=0123456789abcdef0123456789abcde", NULL},
			       "ALURD_JWT_SECRET", "a 31-byte secret");
	int st = serve_with((const char *[]){"ALURD_JWT_SECRET=0123456789abcdef0123456789abcdef", NULL}, out, sizeof out);
	ck_assert_msg(st == 1 && strstr(out, "ALURD_LISTEN"), "a 32-byte secret: exit %d: %s", st, out);
	assert_setting_refused((const char *[]){NULL}, "ALURD_JWT_SECRET", "HS256 without a secret");
	assert_setting_refused((const char *[]){"ALURD_JWT_SECRET=", NULL}, "ALURD_JWT_SECRET", "an empty secret");
	assert_setting_refused((const char *[]){"ALURD_JWT_ALG=none", "ALURD_JWT_SECRET=" TS_JWT_SECRET, NULL},
			       "ALURD_JWT_ALG", "alg none");
	assert_setting_refused((const char *[]){"ALURD_JWT_ALG=HS512", "ALURD_JWT_SECRET=" TS_JWT_SECRET, NULL},
			       "ALURD_JWT_ALG", "alg HS512");
	assert_setting_refused((const char *[]){"ALURD_JWT_ALG=RS256", NULL}, "ALURD_JWT_PUBLIC_KEY",
			       "RS256 without a public key");
	assert_setting_refused(
		(const char *[]){"ALURD_JWT_ALG=RS256", id_fmt("ALURD_JWT_PUBLIC_KEY=%s", key_path("missing.pub")), NULL},
		"ALURD_JWT_PUBLIC_KEY", "RS256 with a public key file that does not exist");
	/* the good pair passes */
	st = serve_with((const char *[]){"ALURD_JWT_ALG=RS256", id_fmt("ALURD_JWT_PRIVATE_KEY=%s", key_path("rsa.pem")),
					 id_fmt("ALURD_JWT_PUBLIC_KEY=%s", key_path("rsa.pub")), NULL},
			out, sizeof out);
	ck_assert_msg(st == 1 && strstr(out, "ALURD_LISTEN"), "a good RSA pair: exit %d: %s", st, out);
}
END_TEST

/* Keys that are not keys, too weak, or not a pair: each is only discovered
 * when the first token is signed or checked (every sign-in then fails, or
 * every token the instance issues is refused by itself). All are tried; the
 * failure lists every one that was accepted. */
START_TEST(test_unusable_keys_refused_at_start)
{
	static const struct {
		const char *alg, *private_key, *public_key, *why;
	} cases[] = {
		{"RS256", NULL, "garbage.pub", "a public key file that holds no key"},
		{"RS256", "rsa.pem", "rsa2.pub", "a private and a public key that are not a pair"},
		{"RS256", "rsa512.pem", "rsa512.pub", "a 512-bit RSA key"},
		{"ES256", "rsa.pem", "rsa.pub", "ES256 with RSA keys"},
	};
	static char out[4096], accepted[2048];
	accepted[0] = '\0';
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *settings[4] = {id_fmt("ALURD_JWT_ALG=%s", cases[i].alg),
					   id_fmt("ALURD_JWT_PUBLIC_KEY=%s", key_path(cases[i].public_key)), NULL, NULL};
		if (cases[i].private_key)
			settings[2] = id_fmt("ALURD_JWT_PRIVATE_KEY=%s", key_path(cases[i].private_key));
		int st = serve_with(settings, out, sizeof out);
		if (st != 2 || lines_in(out) != 1 || !strstr(out, "ALURD_JWT_")) {
			strncat(accepted, id_fmt("\n  %s %s: exit %d: %s", cases[i].alg, cases[i].why, st, out),
				sizeof accepted - strlen(accepted) - 1);
		}
	}
	ck_assert_msg(!accepted[0], "unusable key settings were not refused at start (exit 2 naming the variable "
				    "expected):%s",
		      accepted);
}
END_TEST

static Suite *keys_suite(void)
{
	Suite *s = suite_create("auth_keys");
	TCase *tc = id_tcase("auth_keys", up_keys, down_keys);
	tcase_add_test(tc, test_rs256_instance);
	tcase_add_test(tc, test_verify_only_instance);
	tcase_add_test(tc, test_es256_instance);
	tcase_add_test(tc, test_weak_or_missing_keys_refused);
	tcase_add_test(tc, test_unusable_keys_refused_at_start);
	id_add_clean_stop(tc);
	suite_add_tcase(s, tc);
	return s;
}

/* ==== auth_login ================================================================== */

static char g_victim[40], g_alice[40], g_timing[40];
static struct ts_daemon *g_second;

static void up_login(void)
{
	id_up("auth_login", NULL, false);
	id_user_create(g_id.d, "login.alice", "kasi_ai", NULL, g_alice);
	id_user_create(g_id.d, "login.victim", "tim_spbe", NULL, g_victim);
	id_user_create(g_id.d, "login.timing", "auditor", NULL, g_timing);
	/* a second instance on the same database, normal settings */
	g_second = ts_daemon_start(g_id.db, NULL);
	ck_assert_msg(g_second != NULL, "the second daemon did not start");
	ts_gc();
}

static void down_login(void)
{
	ts_daemon_free(g_second);
	g_second = NULL;
	id_down();
}

START_TEST(test_username_is_case_insensitive)
{
	char tok[2048];
	id_login(g_id.d, "LOGIN.Alice", ID_PASSWORD, tok, sizeof tok, NULL, 0);
	struct ts_resp *r = ts_get(g_id.d, ME, tok);
	ID_STATUS(r, 200);
	ck_assert_str_eq(id_str(r->json, "username"), "login.alice");
	ck_assert_str_eq(id_str(r->json, "id"), g_alice);
}
END_TEST

START_TEST(test_over_long_input)
{
	char pw[200];
	memset(pw, 'k', 129);
	memcpy(pw, "Ab1-", 4);
	pw[129] = '\0';
	struct ts_resp *r = login_on(g_id.d, "login.alice", pw);
	ID_PROBLEM(r, 400, "request.invalid");
	ck_assert(id_field_error(r, "password"));
	/* multibyte: 43 three-byte characters = 129 bytes */
	char mb[200] = "";
	for (int i = 0; i < 43; i++)
		strcat(mb, "\xe2\x82\xac");
	r = login_on(g_id.d, "login.alice", mb);
	ID_PROBLEM(r, 400, "request.invalid");
	ck_assert(id_field_error(r, "password"));
	char user[80];
	memset(user, 'u', 65);
	user[65] = '\0';
	r = login_on(g_id.d, user, ID_PASSWORD);
	ID_PROBLEM(r, 400, "request.invalid");
	ck_assert(id_field_error(r, "username"));
	/* none of these counted as a failure */
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM login_throttle"), 0);
}
END_TEST

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

/* Password verifications daemon d has run (alurd_auth_password_checks_total). */
static double checks_on(struct ts_daemon *d)
{
	double v = -1;
	struct ts_resp *r = ts_get(d, "/metrics", NULL);
	ck_assert_msg(ts_metric(r->body, "alurd_auth_password_checks_total", &v), "no password-check counter");
	return v;
}

/* Address counters are cleared by time alone (15 minutes without a failure);
 * a test that needs a clean slate for the next one clears them itself. */
static void clear_address_counters(void)
{
	id_sql_long("WITH d AS (DELETE FROM login_throttle WHERE key LIKE 'addr:%%' RETURNING 1) SELECT count(*) FROM d");
}

START_TEST(test_unknown_user_same_answer_same_cost)
{
	/* a third instance that never blocks, so six failures in a row are fine */
	const char *env[] = {"ALURD_LOGIN_MAX_FAILURES=100", NULL};
	struct ts_daemon *t = ts_daemon_start(g_id.db, env);
	ck_assert_ptr_nonnull(t);
	enum { N = 4 };
	long long wrong[N], unknown[N];
	struct ts_resp *rw = NULL, *ru = NULL;
	for (int i = 0; i < N; i++) {
		double c0 = checks_on(t);
		long long t0 = ts_now_ms();
		rw = login_on(t, "login.timing", "not-the-password-at-all");
		wrong[i] = ts_now_ms() - t0;
		double c1 = checks_on(t);
		t0 = ts_now_ms();
		ru = login_on(t, "nobody.at.all", "not-the-password-at-all");
		unknown[i] = ts_now_ms() - t0;
		double c2 = checks_on(t);
		ID_401(rw, "auth.invalid_credentials");
		ID_401(ru, "auth.invalid_credentials");
		/* the same cost by construction: each ran exactly one Argon2id
		 * verification (the unknown user against a dummy hash) */
		ck_assert_msg(c1 - c0 == 1 && c2 - c1 == 1, "password checks: wrong password %g, unknown user %g",
			      c1 - c0, c2 - c1);
	}
	/* SQL in the username is a username like any other */
	ID_401(login_on(t, "root.admin' --", "x' OR '1'='1"), "auth.invalid_credentials");
	ID_401(login_on(t, "x' OR 1=1 --", ID_ADMIN_PASSWORD), "auth.invalid_credentials");
	/* the same answer, member for member (request ids aside) */
	ck_assert_str_eq(id_str(rw->json, "title"), id_str(ru->json, "title"));
	ck_assert_str_eq(id_str(rw->json, "detail"), id_str(ru->json, "detail"));
	ck_assert_str_eq(id_str(rw->json, "type"), id_str(ru->json, "type"));
	ck_assert_str_eq(ts_header(rw, "WWW-Authenticate"), ts_header(ru, "WWW-Authenticate"));
	ck_assert_uint_eq(json_object_size(rw->json), json_object_size(ru->json));
	qsort(wrong, N, sizeof wrong[0], cmp_ll);
	qsort(unknown, N, sizeof unknown[0], cmp_ll);
	long long mw = (wrong[1] + wrong[2]) / 2, mu = (unknown[1] + unknown[2]) / 2;
	fprintf(stderr, "auth_login: median sign-in time, wrong password %lld ms, unknown user %lld ms\n", mw, mu);
	char tok[2048];
	id_login(t, "login.timing", ID_PASSWORD, tok, sizeof tok, NULL, 0);
	clear_address_counters();
	ck_assert_int_eq(ts_daemon_stop(t, SIGTERM), 0);
	ts_daemon_free(t);
}
END_TEST

static int retry_after(const struct ts_resp *r)
{
	const char *v = ts_header(r, "Retry-After");
	ck_assert_msg(v && strspn(v, "0123456789") == strlen(v) && *v, "Retry-After '%s'", v ? v : "(none)");
	return atoi(v);
}

/* Holds (or lifts) a throttle block in the database, so a check of "still
 * blocked" never races the short first blocks (1 s, 2 s, ...). */
static void block_for(const char *key, const char *interval)
{
	ck_assert_int_eq(id_sql_long("WITH u AS (UPDATE login_throttle SET blocked_until = now() + interval '%s'"
				     " WHERE key = '%s' RETURNING 1) SELECT count(*) FROM u",
				     interval, key),
			 1);
}

/* The block the last failure of key set, in whole seconds. */
static long block_seconds(const char *key)
{
	return id_sql_long("SELECT round(extract(epoch FROM blocked_until - last_failure))::bigint FROM login_throttle"
			   " WHERE key = '%s'",
			   key);
}

START_TEST(test_throttle)
{
	const char *bad = "wrong-passphrase-00";
	const char *key = "user:login.victim";
	long lockouts = id_audit_count("auth.lockout", g_victim);
	/* ALURD_LOGIN_MAX_FAILURES defaults to 5: five refusals, then blocked */
	for (int i = 0; i < 5; i++) {
		struct ts_resp *r = login_on(g_id.d, "login.victim", bad);
		ID_401(r, "auth.invalid_credentials");
		ck_assert_ptr_null(ts_header(r, "Retry-After"));
	}
	ck_assert_int_eq(block_seconds(key), 1);
	block_for(key, "1 hour");
	/* blocked now: even the right password, on either instance */
	struct ts_resp *r = login_on(g_id.d, "login.victim", ID_PASSWORD);
	ID_PROBLEM(r, 429, "auth.throttled");
	ck_assert_int_ge(retry_after(r), 3000);
	r = login_on(g_second, "login.victim", ID_PASSWORD);
	ID_PROBLEM(r, 429, "auth.throttled");
	ck_assert_int_ge(retry_after(r), 3000);
	/* one account's failures do not lock out the others at its address
	 * (an office shares one): the address has its own, larger budget */
	char tok[2048];
	id_login(g_second, "login.alice", ID_PASSWORD, tok, sizeof tok, NULL, 0);
	ck_assert_int_eq(id_audit_count("auth.lockout", g_victim), lockouts + 1);

	/* the block lifts when its time is up; one more failure blocks longer */
	block_for(key, "0 s");
	ID_401(login_on(g_second, "login.victim", bad), "auth.invalid_credentials");
	ck_assert_int_eq(block_seconds(key), 2);
	block_for(key, "1 hour");
	ID_PROBLEM(login_on(g_id.d, "login.victim", bad), 429, "auth.throttled");

	/* after it: the right password works and clears the account's counter */
	block_for(key, "0 s");
	id_login(g_id.d, "login.victim", ID_PASSWORD, tok, sizeof tok, NULL, 0);
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM login_throttle WHERE key = 'user:login.victim'"), 0);
	for (int i = 0; i < 4; i++)
		ID_401(login_on(g_id.d, "login.victim", bad), "auth.invalid_credentials");
	id_login(g_second, "login.victim", ID_PASSWORD, tok, sizeof tok, NULL, 0);
	clear_address_counters();
}
END_TEST

/* Password spraying from one address: guesses at many usernames with one
 * valid account signing in between them. A sign-in clears only its own
 * account's counter, so the address is throttled once it passes its budget
 * (ALURD_LOGIN_MAX_FAILURES_PER_ADDRESS, 20) and stays so, for the valid
 * account too; a forwarding header from an untrusted peer buys no new
 * address. */
START_TEST(test_spraying_is_throttled_by_address)
{
	int guesses = 0, throttled = 0, first_throttled = -1;
	for (int i = 0; i < 40; i++) {
		struct ts_resp *r;
		if (i % 5 == 4) {
			r = login_on(g_id.d, "login.alice", ID_PASSWORD);
		} else {
			guesses++;
			r = login_on(g_id.d, id_fmt("spray.%02d", i), "Spring2026!");
		}
		if (r->status == 429) {
			ID_PROBLEM(r, 429, "auth.throttled");
			throttled++;
			if (first_throttled < 0)
				first_throttled = i;
		} else if (i % 5 == 4) {
			ID_STATUS(r, 200);
		} else {
			ID_401(r, "auth.invalid_credentials");
		}
	}
	fprintf(stderr, "auth_login: spray of %d guesses and 8 valid sign-ins from one address: %d attempts throttled, "
		"the first at attempt %d\n", guesses, throttled, first_throttled + 1);
	ck_assert_msg(throttled > 0, "the spray was never throttled");
	ck_assert_int_ge(id_sql_long("SELECT failures FROM login_throttle WHERE key = 'addr:127.0.0.1'"), 20);
	/* while the address is blocked (made long here, so the check does not
	 * race the first short block), the valid account is refused too, and a
	 * spoofed forwarding header from an untrusted peer changes nothing */
	id_sql_long("WITH u AS (UPDATE login_throttle SET blocked_until = now() + interval '1 hour'"
		    " WHERE key = 'addr:127.0.0.1' RETURNING 1) SELECT count(*) FROM u");
	ID_PROBLEM(login_on(g_second, "login.alice", ID_PASSWORD), 429, "auth.throttled");
	const char *spoof[] = {"Content-Type: application/json", "X-Forwarded-For: 203.0.113.9",
			       "X-Real-IP: 203.0.113.9", "Forwarded: for=203.0.113.9", NULL};
	const char *alice = login_body("login.alice", ID_PASSWORD);
	ID_PROBLEM(ts_http(g_id.d, "POST", LOGIN, spoof, alice, strlen(alice)), 429, "auth.throttled");
	clear_address_counters();
}
END_TEST

/* Behind a trusted proxy (ALURD_TRUSTED_PROXIES) the client is the address
 * in X-Forwarded-For: throttling counts it, not the proxy's, and the access
 * log names it. */
START_TEST(test_trusted_proxy_client_address)
{
	const char *env[] = {"ALURD_TRUSTED_PROXIES=127.0.0.0/8, ::1", "ALURD_LOGIN_MAX_FAILURES_PER_ADDRESS=3", NULL};
	struct ts_daemon *p = ts_daemon_start(g_id.db, env);
	ck_assert_ptr_nonnull(p);
	const char *from_a[] = {"Content-Type: application/json", "X-Forwarded-For: 198.51.100.7, 203.0.113.77", NULL};
	const char *from_b[] = {"Content-Type: application/json", "X-Forwarded-For: 203.0.113.78", NULL};
	for (int i = 0; i < 3; i++) {
		const char *b = login_body(id_fmt("proxied.%d", i), "guess-guess-guess");
		ID_401(ts_http(p, "POST", LOGIN, from_a, b, strlen(b)), "auth.invalid_credentials");
	}
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM login_throttle WHERE key = 'addr:203.0.113.77'"
				     " AND failures = 3 AND blocked_until IS NOT NULL"),
			 1);
	id_sql_long("WITH u AS (UPDATE login_throttle SET blocked_until = now() + interval '1 hour'"
		    " WHERE key = 'addr:203.0.113.77' RETURNING 1) SELECT count(*) FROM u");
	const char *b = login_body("login.alice", ID_PASSWORD);
	ID_PROBLEM(ts_http(p, "POST", LOGIN, from_a, b, strlen(b)), 429, "auth.throttled");
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM login_throttle WHERE key = 'addr:127.0.0.1'"), 0);
	/* another client behind the same proxy is not throttled */
	struct ts_resp *r = ts_http(p, "POST", LOGIN, from_b, b, strlen(b));
	ID_STATUS(r, 200);
	ck_assert_msg(ts_daemon_log_wait(p, "\"client\":\"203.0.113.78\"", 20000),
		      "the access log does not name the proxied client");
	ck_assert_int_eq(ts_daemon_stop(p, SIGTERM), 0);
	ts_daemon_free(p);
	clear_address_counters();
}
END_TEST

START_TEST(test_throttle_applies_to_the_client_grant_too)
{
	/* the client-credentials grant counts failures per client id */
	const char *body = "{\"grant_type\":\"client_credentials\",\"client_id\":\"cli_0000000000000000\","
			   "\"client_secret\":\"guess\"}";
	for (int i = 0; i < 5; i++)
		ID_401(ts_post_json(g_id.d, TOKEN, NULL, body), "auth.invalid_client");
	ck_assert_int_eq(block_seconds("client:cli_0000000000000000"), 1);
	block_for("client:cli_0000000000000000", "1 hour");
	struct ts_resp *r = ts_post_json(g_second, TOKEN, NULL, body);
	ID_PROBLEM(r, 429, "auth.throttled");
	ck_assert_int_ge(retry_after(r), 3000);
	char tok[2048];
	id_login(g_id.d, "login.alice", ID_PASSWORD, tok, sizeof tok, NULL, 0);
	clear_address_counters();
}
END_TEST

START_TEST(test_audit_rows_and_no_secrets_in_them)
{
	ck_assert_int_ge(id_audit_count("auth.login", g_alice), 1);
	ck_assert_int_ge(id_audit_count("auth.login", g_victim), 2);
	ck_assert_int_ge(id_audit_count("auth.login_failed", g_victim), 6);
	ck_assert_int_ge(id_audit_count("auth.login_failed", g_timing), 4);
	/* an unknown username is recorded by name */
	ck_assert_int_ge(id_audit_count("auth.login_failed", "nobody.at.all"), 4);
	ck_assert_int_ge(id_audit_count("auth.lockout", g_victim), 1);
	ck_assert_int_ge(id_audit_count("user.create", g_victim), 1);
	/* who: the sign-in row names the user, the failure is anonymous */
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM audit_log WHERE action = 'auth.login' AND record_id = '%s'"
				     " AND (actor_id IS DISTINCT FROM '%s' OR actor_role <> 'kasi_ai')",
				     g_alice, g_alice),
			 0);
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM audit_log WHERE action = 'auth.login_failed'"
				     " AND (actor_id IS NOT NULL OR actor_role <> 'anonymous')"),
			 0);
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM audit_log WHERE action = 'user.create' AND record_id = '%s'"
				     " AND actor_id = '%s' AND actor_role = 'admin'",
				     g_victim, g_id.admin_id),
			 1);
	ck_assert_int_ge(id_sql_long("SELECT (after->>'blocked_seconds')::int FROM audit_log"
				     " WHERE action = 'auth.lockout' AND record_id = '%s' ORDER BY id LIMIT 1",
				     g_victim),
			 1);
	/* no password, tried or real, in the audit trail or the log */
	static const char *const secrets[] = {ID_PASSWORD, "wrong-passphrase-00", "not-the-password-at-all",
					      ID_ADMIN_PASSWORD, "$argon2"};
	for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
		ck_assert_msg(id_sql_long("SELECT count(*) FROM audit_log WHERE strpos(coalesce(before::text, '') ||"
					  " coalesce(after::text, ''), '%s') > 0",
					  secrets[i]) == 0,
			      "the audit log holds '%s'", secrets[i]);
		ck_assert_msg(!strstr(ts_daemon_log(g_id.d), secrets[i]), "the daemon log holds '%s'", secrets[i]);
	}
}
END_TEST

static Suite *login_suite(void)
{
	Suite *s = suite_create("auth_login");
	TCase *tc = id_tcase("auth_login", up_login, down_login);
	tcase_add_test(tc, test_username_is_case_insensitive);
	tcase_add_test(tc, test_over_long_input);
	tcase_add_test(tc, test_unknown_user_same_answer_same_cost);
	tcase_add_test(tc, test_throttle);
	tcase_add_test(tc, test_throttle_applies_to_the_client_grant_too);
	tcase_add_test(tc, test_spraying_is_throttled_by_address);
	tcase_add_test(tc, test_trusted_proxy_client_address);
	tcase_add_test(tc, test_audit_rows_and_no_secrets_in_them);
	id_add_clean_stop(tc);
	suite_add_tcase(s, tc);
	return s;
}

/* ==== auth_refresh ================================================================= */

static char g_ref_user[40];

static void up_refresh(void)
{
	id_up("auth_refresh", NULL, false);
	id_user_create(g_id.d, "ref.user", "kasi_ai", NULL, g_ref_user);
	ts_gc();
}

static char g_r1[256], g_r2[256];

START_TEST(test_rotation)
{
	char a1[2048], a2[2048];
	id_login(g_id.d, "ref.user", ID_PASSWORD, a1, sizeof a1, g_r1, sizeof g_r1);
	struct ts_resp *r = refresh_with(g_r1);
	ID_STATUS(r, 200);
	snprintf(a2, sizeof a2, "%s", id_str(r->json, "access_token"));
	snprintf(g_r2, sizeof g_r2, "%s", id_str(r->json, "refresh_token"));
	ck_assert_str_eq(id_str(r->json, "token_type"), "Bearer");
	ck_assert_int_gt(json_integer_value(json_object_get(r->json, "expires_in")), 0);
	ck_assert_msg(*g_r2 && strcmp(g_r1, g_r2) != 0, "the refresh token was not rotated");
	ck_assert_msg(*a2 && strcmp(a1, a2) != 0, "no new access token");
	ck_assert_msg(strlen(g_r2) >= 43, "a refresh token of %zu characters", strlen(g_r2));
	r = ts_get(g_id.d, ME, a2);
	ID_STATUS(r, 200);
	ck_assert_str_eq(id_str(r->json, "id"), g_ref_user);
	/* the refresh token is no access token and vice versa */
	ID_401(ts_get(g_id.d, ME, g_r2), "auth.invalid_token");
	struct ts_resp *x = refresh_with(a2);
	ck_assert_msg(x->status == 400 || x->status == 401, "an access token as a refresh token: %ld", x->status);
}
END_TEST

START_TEST(test_reuse_revokes_the_family)
{
	long before = id_audit_count("auth.refresh_reuse_detected", NULL);
	struct ts_resp *r = refresh_with(g_r1);
	ID_401(r, "auth.refresh_token_reused");
	/* the thief's or the owner's newest token: both dead now */
	ID_401(refresh_with(g_r2), "auth.invalid_refresh_token");
	ck_assert_int_eq(id_audit_count("auth.refresh_reuse_detected", NULL), before + 1);
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM refresh_tokens WHERE user_id = '%s' AND revoked_at IS NULL",
				     g_ref_user),
			 0);
}
END_TEST

struct race {
	const char *body;
	struct ts_resp *r;
};

static void *race_one(void *arg)
{
	struct race *x = arg;
	x->r = ts_post_json(g_id.d, REFRESH, NULL, x->body);
	return NULL;
}

START_TEST(test_two_refreshes_at_once)
{
	char a[2048], rt[256];
	id_login(g_id.d, "ref.user", ID_PASSWORD, a, sizeof a, rt, sizeof rt);
	const char *body = id_fmt("{\"refresh_token\":\"%s\"}", rt);
	enum { N = 4 };
	struct race x[N];
	pthread_t th[N];
	for (int i = 0; i < N; i++) {
		x[i].body = body;
		ck_assert_int_eq(pthread_create(&th[i], NULL, race_one, &x[i]), 0);
	}
	for (int i = 0; i < N; i++)
		pthread_join(th[i], NULL);
	int ok = 0;
	const char *winner = NULL;
	for (int i = 0; i < N; i++) {
		if (x[i].r->status == 200) {
			ok++;
			winner = id_str(x[i].r->json, "refresh_token");
		} else {
			ID_401(x[i].r, NULL);
		}
	}
	ck_assert_msg(ok <= 1, "%d concurrent refreshes of one token succeeded", ok);
	ck_assert_msg(ok == 1, "none of %d concurrent refreshes succeeded", N);
	/* the others count as reuse: the winner's new token is revoked too */
	ID_401(refresh_with(winner), "auth.invalid_refresh_token");
}
END_TEST

START_TEST(test_logout)
{
	char a[2048], rt[256];
	id_login(g_id.d, "ref.user", ID_PASSWORD, a, sizeof a, rt, sizeof rt);
	const char *body = id_fmt("{\"refresh_token\":\"%s\"}", rt);
	struct ts_resp *r = ts_post_json(g_id.d, LOGOUT, NULL, body);
	ID_STATUS(r, 204);
	ck_assert_uint_eq(r->len, 0);
	ID_401(refresh_with(rt), "auth.invalid_refresh_token");
	ID_STATUS(ts_post_json(g_id.d, LOGOUT, NULL, body), 204);
	ck_assert_int_ge(id_audit_count("auth.logout", NULL), 1);
}
END_TEST

START_TEST(test_garbage_refresh_tokens)
{
	ID_401(refresh_with("garbage"), "auth.invalid_refresh_token");
	ID_401(refresh_with("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), "auth.invalid_refresh_token");
	ID_401(refresh_with("' OR '1'='1"), "auth.invalid_refresh_token");
	char long_tok[300];
	memset(long_tok, 'a', 257);
	long_tok[257] = '\0';
	ID_PROBLEM(refresh_with(long_tok), 400, "request.invalid");
	ID_PROBLEM(ts_post_json(g_id.d, REFRESH, NULL, "{\"refresh_token\":12}"), 400, "request.invalid");
	ID_PROBLEM(ts_post_json(g_id.d, REFRESH, NULL, "{}"), 400, "request.invalid");
	ID_STATUS(ts_post_json(g_id.d, LOGOUT, NULL, "{\"refresh_token\":\"garbage\"}"), 204);
}
END_TEST

static Suite *refresh_suite(void)
{
	Suite *s = suite_create("auth_refresh");
	TCase *tc = id_tcase("auth_refresh", up_refresh, id_down);
	tcase_add_test(tc, test_rotation);
	tcase_add_test(tc, test_reuse_revokes_the_family);
	tcase_add_test(tc, test_two_refreshes_at_once);
	tcase_add_test(tc, test_logout);
	tcase_add_test(tc, test_garbage_refresh_tokens);
	id_add_clean_stop(tc);
	suite_add_tcase(s, tc);
	return s;
}

/* ==== auth_clients ================================================================= */

struct client {
	char id[40], client_id[64], secret[128], token[2048];
};

static struct client g_free_client, g_bound_client;

static void up_clients(void)
{
	id_up("auth_clients", NULL, true);
}

static void client_create(const char *name, const char *agency, struct client *k)
{
	const char *body = agency ? id_fmt("{\"name\":\"%s\",\"agency_id\":\"%s\"}", name, agency)
				  : id_fmt("{\"name\":\"%s\",\"agency_id\":null}", name);
	struct ts_resp *r = ts_post_json(g_id.d, "/api/v1/clients", g_id.admin_token, body);
	ID_STATUS(r, 201);
	snprintf(k->id, sizeof k->id, "%s", id_str(r->json, "id"));
	snprintf(k->client_id, sizeof k->client_id, "%s", id_str(r->json, "client_id"));
	snprintf(k->secret, sizeof k->secret, "%s", id_str(r->json, "client_secret"));
	ck_assert_msg(strlen(k->id) == 36 && *k->client_id && strlen(k->secret) >= 43, "client answer: %.400s", r->body);
	ck_assert_str_eq(ts_header(r, "Location"), id_fmt("/api/v1/clients/%s", k->id));
}

static struct ts_resp *client_grant(const char *client_id, const char *secret)
{
	return ts_post_json(g_id.d, TOKEN, NULL,
			    id_fmt("{\"grant_type\":\"client_credentials\",\"client_id\":\"%s\",\"client_secret\":\"%s\"}",
				   client_id, secret));
}

static void client_token(struct client *k)
{
	struct ts_resp *r = client_grant(k->client_id, k->secret);
	ID_STATUS(r, 200);
	ck_assert_str_eq(id_str(r->json, "token_type"), "Bearer");
	ck_assert_ptr_null(json_object_get(r->json, "refresh_token"));
	snprintf(k->token, sizeof k->token, "%s", id_str(r->json, "access_token"));
}

START_TEST(test_secret_shown_once)
{
	client_create("e-office", NULL, &g_free_client);
	client_create("e-office DINKES", g_id.agency_a, &g_bound_client);
	struct ts_resp *r = ts_get(g_id.d, "/api/v1/clients", g_id.admin_token);
	ID_STATUS(r, 200);
	ck_assert_msg(strstr(r->body, g_free_client.id) && strstr(r->body, g_bound_client.id), "list: %.400s", r->body);
	ck_assert_msg(!strstr(r->body, g_free_client.secret) && !strstr(r->body, g_bound_client.secret) &&
			      !strstr(r->body, "client_secret") && !strstr(r->body, "secret_hash"),
		      "the list reveals a secret: %.600s", r->body);
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM clients WHERE secret_hash::text LIKE '%%%s%%'",
				     g_free_client.secret),
			 0);
	ck_assert_int_eq(id_audit_count("client.create", g_free_client.id), 1);
	ck_assert_int_eq(id_sql_long("SELECT count(*) FROM audit_log WHERE strpos(coalesce(after::text, ''), '%s') > 0",
				     g_free_client.secret),
			 0);
}
END_TEST

START_TEST(test_client_credentials_grant)
{
	client_token(&g_free_client);
	struct ts_resp *r = ts_get(g_id.d, ME, g_free_client.token);
	ID_STATUS(r, 200);
	ck_assert_str_eq(id_str(r->json, "role"), "integration");
	ck_assert_str_eq(id_str(r->json, "id"), g_free_client.id);
	ck_assert(json_is_null(json_object_get(r->json, "agency_id")));
	json_t *c = id_token_claims(g_free_client.token);
	ck_assert_str_eq(id_str(c, "role"), "integration");
	ck_assert_str_eq(id_str(c, "sub"), g_free_client.id);
	json_decref(c);
	/* a machine has no password and no admin rights */
	ID_PROBLEM(ts_post_json(g_id.d, "/api/v1/me/password", g_free_client.token,
				"{\"old_password\":\"whatever-it-is-1\",\"new_password\":\"something-else-22\"}"),
		   403, "auth.forbidden");
	ID_PROBLEM(ts_get(g_id.d, "/api/v1/clients", g_free_client.token), 403, "auth.forbidden");
	/* a client's token cannot be refreshed: it has no refresh token */
	client_token(&g_bound_client);
	r = ts_get(g_id.d, ME, g_bound_client.token);
	ID_STATUS(r, 200);
	ck_assert_str_eq(id_str(r->json, "agency_id"), g_id.agency_a);
}
END_TEST


static const char *base64(const char *in)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static char out[512];
	size_t n = strlen(in), o = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)in[i] << 16 | (i + 1 < n ? (unsigned char)in[i + 1] << 8 : 0) |
			     (i + 2 < n ? (unsigned char)in[i + 2] : 0);
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = i + 1 < n ? tab[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? tab[v & 63] : '=';
	}
	out[o] = '\0';
	return out;
}

/* An answer of the token endpoint as a standard OAuth 2.0 client reads it. */
static void assert_oauth_error(const struct ts_resp *r, long status, const char *error)
{
	ck_assert_msg(r->status == status, "status %ld (%ld expected): %s", r->status, status, r->body);
	ck_assert_str_eq(id_str(r->json, "error"), error);
	const char *d = id_str(r->json, "error_description");
	ck_assert_msg(*d, "no error_description: %s", r->body);
	for (const char *p = d; *p; p++)
		ck_assert_msg(*p >= 0x20 && *p <= 0x7e && *p != '"' && *p != '\\', "error_description '%s'", d);
	ck_assert_msg(*id_str(r->json, "code"), "the problem fields are kept: %s", r->body);
}

static struct ts_resp *form_post(const char *body, const char *authorization)
{
	const char *h[3] = {"Content-Type: application/x-www-form-urlencoded", NULL, NULL};
	if (authorization)
		h[1] = id_fmt("Authorization: %s", authorization);
	return ts_http(g_id.d, "POST", TOKEN, h, body, strlen(body));
}

/* RFC 6749 §4.4 / §2.3.1: a URL-encoded form, the credentials in the form or
 * in HTTP Basic; JSON as before. */
START_TEST(test_client_credentials_as_oauth2_clients_send_them)
{
	const struct client *k = &g_free_client;
	struct ts_resp *r = form_post(id_fmt("grant_type=client_credentials&client_id=%s&client_secret=%s", k->client_id,
					     k->secret),
				      NULL);
	ID_STATUS(r, 200);
	ck_assert_str_eq(id_str(r->json, "token_type"), "Bearer");
	ID_STATUS(ts_get(g_id.d, ME, id_str(r->json, "access_token")), 200);
	const char *basic = id_fmt("Basic %s", base64(id_fmt("%s:%s", k->client_id, k->secret)));
	r = form_post("grant_type=client_credentials", basic);
	ID_STATUS(r, 200);
	ck_assert_int_gt(json_integer_value(json_object_get(r->json, "expires_in")), 0);
	ID_STATUS(ts_get(g_id.d, ME, id_str(r->json, "access_token")), 200);
	/* urlencoded credentials inside Basic (as §2.3.1 says clients encode them) */
	ck_assert(strncmp(k->client_id, "cli_", 4) == 0);
	r = form_post("grant_type=client_credentials",
		      id_fmt("Basic %s", base64(id_fmt("cli%%5F%s:%s", k->client_id + 4, k->secret))));
	ID_STATUS(r, 200);
	/* Basic with JSON works too, and naming the same client_id in the body is fine */
	const char *h[] = {"Content-Type: application/json", id_fmt("Authorization: %s", basic), NULL};
	const char *jb = id_fmt("{\"grant_type\":\"client_credentials\",\"client_id\":\"%s\"}", k->client_id);
	ID_STATUS(ts_http(g_id.d, "POST", TOKEN, h, jb, strlen(jb)), 200);

	/* errors: RFC 6749 §5.2 beside the problem fields */
	r = form_post("grant_type=client_credentials", id_fmt("Basic %s", base64(id_fmt("%s:wrong", k->client_id))));
	assert_oauth_error(r, 401, "invalid_client");
	ck_assert_str_eq(id_str(r->json, "code"), "auth.invalid_client");
	ck_assert_str_eq(ts_header(r, "WWW-Authenticate"), "Basic realm=\"alurd\"");
	assert_oauth_error(form_post("grant_type=password", basic), 400, "unsupported_grant_type");
	assert_oauth_error(form_post("client_id=x&client_secret=y", NULL), 400, "invalid_request");
	assert_oauth_error(form_post("grant_type=client_credentials&grant_type=client_credentials", basic), 400,
			   "invalid_request");
	assert_oauth_error(form_post("grant_type=client_credentials&client_id=%zz", NULL), 400, "invalid_request");
	/* one authentication method at a time */
	assert_oauth_error(form_post(id_fmt("grant_type=client_credentials&client_secret=%s", k->secret), basic), 400,
			   "invalid_request");
	assert_oauth_error(form_post("grant_type=client_credentials", "Basic !!!"), 400, "invalid_request");
	const char *plain[] = {"Content-Type: text/plain", NULL};
	r = ts_http(g_id.d, "POST", TOKEN, plain, "grant_type=client_credentials", 29);
	assert_oauth_error(r, 415, "invalid_request");
	ck_assert_str_eq(id_str(r->json, "code"), "http.unsupported_media_type");

	/* scope (RFC 6749 §3.3): within the grant it is accepted and the answer
	 * names the grant; beyond it, or unknown, invalid_scope (the header kept
	 * in a buffer of its own: id_fmt's buffers are reused) */
	char basic_buf[512];
	snprintf(basic_buf, sizeof basic_buf, "Basic %s", base64(id_fmt("%s:%s", k->client_id, k->secret)));
	basic = basic_buf;
	r = form_post("grant_type=client_credentials&scope=requests%3Aown", basic);
	ID_STATUS(r, 200);
	ck_assert_str_eq(id_str(r->json, "scope"), "requests:own");
	ID_STATUS(ts_get(g_id.d, ME, id_str(r->json, "access_token")), 200);
	r = form_post("grant_type=client_credentials", basic);
	ID_STATUS(r, 200);
	ck_assert_str_eq(id_str(r->json, "scope"), "requests:own");
	static const char *const bad_scopes[] = {"requests%3Avisible", "requests%3Aown+requests%3Avisible", "admin",
						 "requests%3Aown+", "requests%3Aown++requests%3Aown", "%22"};
	for (size_t i = 0; i < sizeof bad_scopes / sizeof bad_scopes[0]; i++) {
		r = form_post(id_fmt("grant_type=client_credentials&scope=%s", bad_scopes[i]), basic);
		assert_oauth_error(r, 400, "invalid_scope");
		ck_assert_str_eq(id_str(r->json, "code"), "auth.invalid_scope");
	}
	/* granted more by an administrator: requests:visible, and it may ask for it */
	ck_assert_int_eq(id_sql_long("WITH u AS (UPDATE clients SET write_scope = 'visible' WHERE client_id = '%s'"
				     " RETURNING 1) SELECT count(*) FROM u",
				     k->client_id),
			 1);
	r = form_post("grant_type=client_credentials&scope=requests%3Avisible+requests%3Aown", basic);
	ID_STATUS(r, 200);
	ck_assert_str_eq(id_str(r->json, "scope"), "requests:visible");
	ck_assert_int_eq(id_sql_long("WITH u AS (UPDATE clients SET write_scope = 'own' WHERE client_id = '%s'"
				     " RETURNING 1) SELECT count(*) FROM u",
				     k->client_id),
			 1);

	/* an off-the-shelf client: curl's --data and -u */
	FILE *p = popen(id_fmt("curl -sS -u '%s:%s' --data grant_type=client_credentials"
			       " http://127.0.0.1:%d" TOKEN " 2>&1",
			       k->client_id, k->secret, ts_daemon_port(g_id.d)),
			"r");
	ck_assert_ptr_nonnull(p);
	char out[4096];
	size_t n = fread(out, 1, sizeof out - 1, p);
	out[n] = '\0';
	ck_assert_int_eq(pclose(p), 0);
	json_t *doc = json_loads(out, 0, NULL);
	ck_assert_msg(doc && *id_str(doc, "access_token"), "curl got: %s", out);
	ID_STATUS(ts_get(g_id.d, ME, id_str(doc, "access_token")), 200);
	json_decref(doc);
	/* and the right secret clears the counters the failures above raised */
	client_token(&g_free_client);
}
END_TEST

START_TEST(test_wrong_client_credentials)
{
	struct ts_resp *wrong = client_grant(g_free_client.client_id, "not-the-secret");
	ID_401(wrong, "auth.invalid_client");
	ck_assert_str_eq(ts_header(wrong, "WWW-Authenticate"), "Bearer realm=\"alurd\"");
	struct ts_resp *unknown = client_grant("cli_ffffffffffffffff", g_free_client.secret);
	ID_401(unknown, "auth.invalid_client");
	ck_assert_str_eq(id_str(wrong->json, "detail"), id_str(unknown->json, "detail"));
	/* a secret one character short */
	char cut[128];
	snprintf(cut, sizeof cut, "%.*s", (int)strlen(g_free_client.secret) - 1, g_free_client.secret);
	ID_401(client_grant(g_free_client.client_id, cut), "auth.invalid_client");
	/* another client's secret */
	ID_401(client_grant(g_free_client.client_id, g_bound_client.secret), "auth.invalid_client");
	struct ts_resp *r = ts_post_json(
		g_id.d, TOKEN, NULL,
		id_fmt("{\"grant_type\":\"password\",\"client_id\":\"%s\",\"client_secret\":\"%s\"}", g_free_client.client_id,
		       g_free_client.secret));
	ID_PROBLEM(r, 400, "request.invalid");
	ck_assert(id_field_error(r, "grant_type"));
	/* the token endpoint answers in RFC 6749's error format too */
	ck_assert_str_eq(id_str(r->json, "error"), "unsupported_grant_type");
	ck_assert_str_eq(id_str(wrong->json, "error"), "invalid_client");
	ck_assert_msg(*id_str(wrong->json, "error_description"), "no error_description: %s", wrong->body);
	/* the right secret still works (and clears the counters) */
	client_token(&g_free_client);
}
END_TEST

START_TEST(test_agency_bound_client_sees_its_agency_only)
{
	/* the unbound client files a request for agency B */
	const char *body = id_fmt("{\"kind\":\"pembangunan\",\"title\":\"Aplikasi pajak\",\"agency_id\":\"%s\","
				  "\"eoffice_ref\":\"EO-2024-0001\"}",
				  g_id.agency_b);
	const char *hf[] = {id_fmt("Authorization: Bearer %s", g_free_client.token), "Content-Type: application/json",
			    NULL};
	struct ts_resp *r = ts_http_unrecorded(g_id.d, "POST", "/api/v1/requests", hf, body, strlen(body));
	ck_assert_msg(r->status == 201, "the e-office request: %ld %.400s", r->status, r->body);
	char req[40];
	snprintf(req, sizeof req, "%s", id_str(r->json, "id"));

	const char *hb[] = {id_fmt("Authorization: Bearer %s", g_bound_client.token), NULL};
	r = ts_http_unrecorded(g_id.d, "GET", id_fmt("/api/v1/requests?agency_id=%s", g_id.agency_b), hb, NULL, 0);
	ID_STATUS(r, 200);
	ck_assert_msg(json_array_size(json_object_get(r->json, "items")) == 0, "agency A's client sees B: %.400s",
		      r->body);
	r = ts_http_unrecorded(g_id.d, "GET", "/api/v1/requests", hb, NULL, 0);
	ID_STATUS(r, 200);
	ck_assert_msg(!strstr(r->body, req), "agency A's client lists B's request: %.400s", r->body);
	r = ts_http_unrecorded(g_id.d, "GET", id_fmt("/api/v1/requests/%s", req), hb, NULL, 0);
	ID_PROBLEM(r, 404, NULL);
	/* nor can it file for B */
	const char *hbp[] = {hb[0], "Content-Type: application/json", NULL};
	body = id_fmt("{\"kind\":\"pembangunan\",\"title\":\"Aplikasi\",\"agency_id\":\"%s\",\"eoffice_ref\":\"EO-2\"}",
		      g_id.agency_b);
	r = ts_http_unrecorded(g_id.d, "POST", "/api/v1/requests", hbp, body, strlen(body));
	ID_PROBLEM(r, 400, "request.invalid");
	ck_assert(id_field_error(r, "agency_id"));
	/* while the unbound client does see it */
	r = ts_http_unrecorded(g_id.d, "GET", id_fmt("/api/v1/requests?agency_id=%s", g_id.agency_b), hf, NULL, 0);
	ID_STATUS(r, 200);
	ck_assert_msg(strstr(r->body, req), "the unbound client does not see the request: %.400s", r->body);
}
END_TEST

START_TEST(test_revoked_client)
{
	ID_STATUS(ts_get(g_id.d, ME, g_free_client.token), 200);
	struct ts_resp *r = ts_delete(g_id.d, id_fmt("/api/v1/clients/%s", g_free_client.id), g_id.admin_token);
	ID_STATUS(r, 204);
	long long t0 = ts_now_ms();
	ID_401(client_grant(g_free_client.client_id, g_free_client.secret), "auth.invalid_client");
	r = id_poll(g_id.d, ME, g_free_client.token, 401, 20000);
	ck_assert_msg(r->status == 401, "a revoked client's token still works after %lld ms", ts_now_ms() - t0);
	ID_401(r, "auth.account_inactive");
	ck_assert_int_eq(id_audit_count("client.revoke", g_free_client.id), 1);
	/* the bound client is untouched */
	ID_STATUS(ts_get(g_id.d, ME, g_bound_client.token), 200);
	/* revoking an unknown client */
	ID_PROBLEM(ts_delete(g_id.d, "/api/v1/clients/00000000-0000-4000-8000-000000000000", g_id.admin_token), 404,
		   "client.not_found");
}
END_TEST

static Suite *clients_suite(void)
{
	Suite *s = suite_create("auth_clients");
	TCase *tc = id_tcase("auth_clients", up_clients, id_down);
	tcase_add_test(tc, test_secret_shown_once);
	tcase_add_test(tc, test_client_credentials_grant);
	tcase_add_test(tc, test_wrong_client_credentials);
	tcase_add_test(tc, test_client_credentials_as_oauth2_clients_send_them);
	tcase_add_test(tc, test_agency_bound_client_sees_its_agency_only);
	tcase_add_test(tc, test_revoked_client);
	id_add_clean_stop(tc);
	suite_add_tcase(s, tc);
	return s;
}

/* ==== main ============================================================================ */

int main(int argc, char **argv)
{
	static Suite *(*const suites[])(void) = {
		tokens_suite, keys_suite, login_suite, refresh_suite, clients_suite, NULL
	};
	return tf_main(argc, argv, suites);
}
