/* ident.c — see ident.h. */
#include "tests/api/ident.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

struct id_env g_id;

/* ---- time ------------------------------------------------------------------- */

long id_now(void)
{
	return (long)time(NULL);
}

void id_second_start(int slack_ms)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	long left_ns = 1000000000L - t.tv_nsec + (long)slack_ms * 1000000L;
	struct timespec s = {left_ns / 1000000000L, left_ns % 1000000000L};
	while (nanosleep(&s, &s) != 0)
		;
}

/* ---- small things ------------------------------------------------------------- */

const char *id_fmt(const char *fmt, ...)
{
	static char ring[16][1024];
	static int next;
	char *out = ring[next++ % 16];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out, sizeof ring[0], fmt, ap);
	va_end(ap);
	return out;
}

const char *id_str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? s : "";
}

long id_sql_long(const char *fmt, ...)
{
	char sql[2048], out[64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	if (!ts_sql_value(g_id.db, sql, out, sizeof out))
		return -1;
	return strtol(out, NULL, 10);
}

long id_audit_count(const char *action, const char *record_id)
{
	if (record_id)
		return id_sql_long("SELECT count(*) FROM audit_log WHERE action = '%s' AND record_id = '%s'", action,
				   record_id);
	return id_sql_long("SELECT count(*) FROM audit_log WHERE action = '%s'", action);
}

struct ts_resp *id_poll(struct ts_daemon *d, const char *path, const char *token, long want, int timeout_ms)
{
	long long until = ts_now_ms() + timeout_ms;
	for (;;) {
		struct ts_resp *r = ts_get(d, path, token);
		if (r->status == want || ts_now_ms() >= until)
			return r;
		ts_nap_ms(100);
	}
}

struct ts_resp *id_get_auth(struct ts_daemon *d, const char *path, const char *authorization)
{
	if (!authorization)
		return ts_http(d, "GET", path, NULL, NULL, 0);
	size_t n = strlen(authorization) + 32;
	char *h = malloc(n);
	ck_assert_ptr_nonnull(h);
	snprintf(h, n, "Authorization: %s", authorization);
	const char *headers[] = {h, NULL};
	struct ts_resp *r = ts_http(d, "GET", path, headers, NULL, 0);
	free(h);
	return r;
}

/* ---- assertions --------------------------------------------------------------- */

void id_401_at(const char *file, int line, const struct ts_resp *r, const char *code)
{
	tf_assert_problem_at(file, line, r, 401, code);
	const char *w = ts_header(r, "WWW-Authenticate");
	ck_assert_msg(w && strncmp(w, "Bearer realm=\"alurd\"", 20) == 0,
		      "%s:%d: a 401 (%s) without a Bearer challenge for realm alurd: WWW-Authenticate '%s'", file, line,
		      ts_problem_code(r), w ? w : "(none)");
}

/* ---- the API --------------------------------------------------------------------- */

json_t *id_login(struct ts_daemon *d, const char *username, const char *password, char *access, size_t an,
		 char *refresh, size_t rn)
{
	json_t *body = json_pack("{s:s, s:s}", "username", username, "password", password);
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	struct ts_resp *r = ts_post_json(d, "/api/v1/auth/login", NULL, text);
	free(text);
	ck_assert_msg(r->status == 200, "sign-in of %s: %ld %.400s", username, r->status, r->body);
	const char *at = id_str(r->json, "access_token"), *rt = id_str(r->json, "refresh_token");
	ck_assert_msg(*at && strlen(at) < an, "sign-in of %s: no usable access_token: %.400s", username, r->body);
	snprintf(access, an, "%s", at);
	if (refresh) {
		ck_assert_msg(*rt && strlen(rt) < rn, "sign-in of %s: no refresh_token: %.400s", username, r->body);
		snprintf(refresh, rn, "%s", rt);
	}
	return r->json;
}

void id_user_create(struct ts_daemon *d, const char *username, const char *role, const char *agency, char *id)
{
	json_t *body = json_pack("{s:s, s:s, s:s, s:s}", "username", username, "full_name", username, "role", role,
				 "password", ID_PASSWORD);
	if (agency)
		json_object_set_new(body, "agency_id", json_string(agency));
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	struct ts_resp *r = ts_post_json(d, "/api/v1/users", g_id.admin_token, text);
	free(text);
	ck_assert_msg(r->status == 201, "creating %s (%s): %ld %.400s", username, role, r->status, r->body);
	const char *got = id_str(r->json, "id");
	ck_assert_msg(strlen(got) == 36, "creating %s: no id in %.400s", username, r->body);
	memcpy(id, got, 37);
}

void id_agency_create(struct ts_daemon *d, const char *code, const char *name, char *id)
{
	const char *body = id_fmt("{\"code\":\"%s\",\"name\":\"%s\",\"head_name\":\"Kepala %s\"}", code, name, code);
	struct ts_resp *r = ts_post_json(d, "/api/v1/agencies", g_id.admin_token, body);
	ck_assert_msg(r->status == 201, "creating agency %s: %ld %.400s", code, r->status, r->body);
	const char *got = id_str(r->json, "id");
	ck_assert_msg(strlen(got) == 36, "creating agency %s: no id in %.400s", code, r->body);
	memcpy(id, got, 37);
}

/* ---- fixtures ------------------------------------------------------------------ */

void id_up(const char *suite, const char *const *extra_env, bool with_agencies)
{
	memset(&g_id, 0, sizeof g_id);
	ts_init(suite);
	ck_assert_msg(ts_db_create(suite, g_id.db, sizeof g_id.db), "cannot create the suite's database");

	/* the first administrator, made the way an operator would */
	static char out[4096];
	const char *args[] = {"admin", "create", ID_ADMIN, NULL};
	const char *env[] = {id_fmt("ALURD_DATABASE_URL=%s", g_id.db), NULL};
	int st = ts_run_cli(args, env, ID_ADMIN_PASSWORD "\n", out, sizeof out);
	ck_assert_msg(st == 0 && strstr(out, "created"), "alurd admin create: exit %d: %s", st, out);

	g_id.d = ts_daemon_start(g_id.db, extra_env);
	ck_assert_msg(g_id.d != NULL, "the daemon did not start (its log is above)");
	json_t *login = id_login(g_id.d, ID_ADMIN, ID_ADMIN_PASSWORD, g_id.admin_token, sizeof g_id.admin_token, NULL, 0);
	ck_assert(json_is_false(json_object_get(login, "must_change_password")));
	struct ts_resp *me = ts_get(g_id.d, "/api/v1/me", g_id.admin_token);
	ck_assert_msg(me->status == 200 && strcmp(id_str(me->json, "role"), "admin") == 0, "GET /me: %ld %.300s",
		      me->status, me->body);
	snprintf(g_id.admin_id, sizeof g_id.admin_id, "%s", id_str(me->json, "id"));
	if (with_agencies) {
		id_agency_create(g_id.d, "DINKES", "Dinas Kesehatan", g_id.agency_a);
		id_agency_create(g_id.d, "BAPENDA", "Badan Pendapatan Daerah", g_id.agency_b);
	}
	ts_gc();
}

void id_down(void)
{
	tf_suite_down(&g_id.d, g_id.db);
}

void id_each_after(void)
{
	ts_gc();
}

START_TEST(test_clean_stop)
{
	tf_assert_clean_stop(g_id.d);
}
END_TEST

TCase *id_tcase(const char *name, void (*setup)(void), void (*teardown)(void))
{
	return tf_tcase(name, setup, teardown, id_each_after, 180);
}

void id_add_clean_stop(TCase *tc)
{
	tcase_add_test(tc, test_clean_stop);
}

/* ---- tokens ---------------------------------------------------------------------- */

void id_b64url(const void *in, size_t n, char *out, size_t outn)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char *s = in;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		int chars = i + 2 < n ? 4 : i + 1 < n ? 3 : 2;
		for (int k = 0; k < chars && o + 1 < outn; k++)
			out[o++] = abc[(v >> (18 - 6 * k)) & 63];
	}
	out[o] = '\0';
}

static int b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-' || c == '+')
		return 62;
	if (c == '_' || c == '/')
		return 63;
	return -1;
}

json_t *id_token_claims(const char *token)
{
	const char *p = strchr(token, '.');
	if (!p)
		return NULL;
	p++;
	size_t n = strcspn(p, ".");
	char *raw = malloc(n + 1);
	ck_assert_ptr_nonnull(raw);
	size_t o = 0;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		int v = b64val(p[i]);
		if (v < 0)
			break;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			raw[o++] = (char)((acc >> bits) & 0xFF);
		}
	}
	json_t *j = json_loadb(raw, o, 0, NULL);
	free(raw);
	return j;
}

json_t *id_claims(const char *sub, const char *role, const char *agency)
{
	unsigned char r[16];
	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
		abort();
	char jti[33];
	for (int i = 0; i < 16; i++)
		snprintf(jti + 2 * i, 3, "%02x", r[i]);
	long now = id_now();
	json_t *c = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s}", "sub", sub, "role", role, "iss", "alurd", "aud",
			      "alurd-api", "iat", (json_int_t)now, "nbf", (json_int_t)now, "exp", (json_int_t)(now + 300),
			      "jti", jti);
	json_object_set_new(c, "agency_id", agency ? json_string(agency) : json_null());
	return c;
}

static char *ring_slot(void)
{
	static char ring[8][ID_TOKEN_MAX];
	static int next;
	return ring[next++ % 8];
}

const char *id_mint(jwt_alg_t alg, const void *key, size_t keylen, json_t *claims)
{
	char *text = json_dumps(claims, JSON_COMPACT);
	json_decref(claims);
	ck_assert_ptr_nonnull(text);
	jwt_t *jwt = NULL;
	ck_assert_int_eq(jwt_new(&jwt), 0);
	int rc = jwt_add_grants_json(jwt, text);
	free(text);
	ck_assert_msg(rc == 0, "jwt_add_grants_json: %d", rc);
	ck_assert_msg(jwt_set_alg(jwt, alg, key, (int)keylen) == 0, "jwt_set_alg(%s) refused the key", jwt_alg_str(alg));
	char *tok = jwt_encode_str(jwt);
	jwt_free(jwt);
	ck_assert_msg(tok != NULL, "jwt_encode_str(%s) failed", jwt_alg_str(alg));
	ck_assert_msg(strlen(tok) < ID_TOKEN_MAX, "token too long for the ring: %zu", strlen(tok));
	char *out = ring_slot();
	snprintf(out, ID_TOKEN_MAX, "%s", tok);
	free(tok);
	return out;
}

const char *id_mint_hs(json_t *claims)
{
	return id_mint(JWT_ALG_HS256, TS_JWT_SECRET, strlen(TS_JWT_SECRET), claims);
}

const char *id_unsigned(const char *header_json, json_t *claims)
{
	char *payload = json_dumps(claims, JSON_COMPACT);
	json_decref(claims);
	ck_assert_ptr_nonnull(payload);
	static char h[1024], p[ID_TOKEN_MAX - 1024 - 2];
	id_b64url(header_json, strlen(header_json), h, sizeof h);
	id_b64url(payload, strlen(payload), p, sizeof p);
	free(payload);
	char *out = ring_slot();
	size_t hn = strlen(h), pn = strlen(p);
	memcpy(out, h, hn);
	out[hn] = '.';
	memcpy(out + hn + 1, p, pn);
	memcpy(out + hn + 1 + pn, ".", 2);
	return out;
}
